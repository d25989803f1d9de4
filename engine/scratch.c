/* scratch.c -- the summary store's column file (see scratch.h): a header,
 * then column (m, y) of N float64 at HEADER_BYTES + (m * Y + y) * N * 8. */
#define _POSIX_C_SOURCE 200809L /* pread, pwrite */
#include "scratch.h"
#include "pio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_BYTES 64
static const char magic[8] = "ipsimscr";

typedef struct {
    char magic[8];
    uint32_t version, n_metrics;
    uint64_t n_years, n_paths;
} header;

void ipsim_scratch_init(ipsim_scratch *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

/* The file's size for the dimensions, or 0 if it cannot be addressed. */
static off_t file_bytes(size_t n_paths, size_t n_years, size_t n_metrics)
{
    const uint64_t max = (uint64_t)INT64_MAX / 2;
    uint64_t n = (uint64_t)n_paths;
    if (n_years && n > max / n_years)
        return 0;
    n *= n_years;
    if (n_metrics && n > max / n_metrics)
        return 0;
    n *= n_metrics;
    if (n > (max - HEADER_BYTES) / sizeof(double))
        return 0;
    return (off_t)(HEADER_BYTES + n * sizeof(double));
}

static off_t column_at(const ipsim_scratch *s, size_t m, size_t y)
{
    return (off_t)(HEADER_BYTES + (((uint64_t)m * s->n_years + y) * s->n_paths) * sizeof(double));
}

static void set_dims(ipsim_scratch *s, size_t n_paths, size_t n_years, size_t n_metrics)
{
    s->n_paths = n_paths;
    s->n_years = n_years;
    s->n_metrics = n_metrics;
}

int ipsim_scratch_create(ipsim_scratch *s, const char *name, size_t n_paths, size_t n_years,
                         size_t n_metrics, ipsim_error *err)
{
    ipsim_scratch_init(s);
    off_t bytes = file_bytes(n_paths, n_years, n_metrics);
    if (!bytes)
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: %zu paths are too many to store", name,
                               n_paths);
    header h = {.version = IPSIM_SCRATCH_VERSION,
                .n_metrics = (uint32_t)n_metrics,
                .n_years = n_years,
                .n_paths = n_paths};
    memcpy(h.magic, magic, sizeof magic);
    unsigned char head[HEADER_BYTES] = {0};
    memcpy(head, &h, sizeof h);
    /* Sized whole at once (sparse): every column's place exists from the
     * start, whatever order the blocks come in. */
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 || ipsim_pio_all(fd, head, sizeof head, 0, 1) < 0 || ftruncate(fd, bytes) < 0) {
        int e = errno;
        if (fd >= 0) { /* (no space for the header, a file size limit) */
            close(fd);
            unlink(name);
        }
        return ipsim_error_set(err, IPSIM_EIO, "%s: cannot create the scratch file: %s", name,
                               strerror(e));
    }
    s->fd = fd;
    set_dims(s, n_paths, n_years, n_metrics);
    return IPSIM_OK;
}

int ipsim_scratch_open(ipsim_scratch *s, const char *name, size_t n_paths, size_t n_years,
                       size_t n_metrics, ipsim_error *err)
{
    ipsim_scratch_init(s);
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ipsim_error_set(err, IPSIM_EIO, "%s: cannot open the scratch file: %s", name,
                               strerror(errno));
    header h;
    struct stat st;
    off_t bytes = file_bytes(n_paths, n_years, n_metrics);
    int ok = ipsim_pio_all(fd, &h, sizeof h, 0, 0) == 0 && fstat(fd, &st) == 0 &&
             memcmp(h.magic, magic, sizeof magic) == 0 && h.version == IPSIM_SCRATCH_VERSION &&
             h.n_metrics == n_metrics && h.n_years == n_years && h.n_paths == n_paths &&
             bytes && st.st_size >= bytes;
    if (!ok) {
        close(fd);
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: not the scratch file of this run (expected version %d for "
                               "%zu paths, %zu years and %zu metrics)",
                               name, IPSIM_SCRATCH_VERSION, n_paths, n_years, n_metrics);
    }
    s->fd = fd;
    set_dims(s, n_paths, n_years, n_metrics);
    return IPSIM_OK;
}

/* The block's pieces of every column, gathered one at a time into buf. */
static int block_io(const ipsim_scratch *s, const char *name, double *base, size_t cap,
                    size_t path0, size_t n, int write, ipsim_error *err)
{
    if (s->fd < 0 || path0 > s->n_paths || n > s->n_paths - path0 || n > cap)
        return ipsim_error_set(err, IPSIM_EFAIL, "%s: paths %zu..+%zu do not fit the scratch file",
                               name, path0, n);
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for the scratch file");
    int rc = IPSIM_OK;
    for (size_t m = 0; m < s->n_metrics && rc == IPSIM_OK; m++)
        for (size_t y = 0; y < s->n_years && rc == IPSIM_OK; y++) {
            double *row0 = base + m * cap * s->n_years + y;
            off_t at = column_at(s, m, y) + (off_t)(path0 * sizeof(double));
            if (write)
                for (size_t p = 0; p < n; p++)
                    buf[p] = row0[p * s->n_years];
            if (ipsim_pio_all(s->fd, buf, n * sizeof *buf, at, write) < 0)
                rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot %s the scratch file: %s", name,
                                     write ? "write" : "read", strerror(errno));
            else if (!write)
                for (size_t p = 0; p < n; p++)
                    row0[p * s->n_years] = buf[p];
        }
    free(buf);
    return rc;
}

int ipsim_scratch_write(const ipsim_scratch *s, const char *name, const double *base, size_t cap,
                        size_t path0, size_t n, ipsim_error *err)
{
    return block_io(s, name, (double *)base, cap, path0, n, 1, err);
}

int ipsim_scratch_read(const ipsim_scratch *s, const char *name, double *base, size_t cap,
                       size_t path0, size_t n, ipsim_error *err)
{
    return block_io(s, name, base, cap, path0, n, 0, err);
}

int ipsim_scratch_column(const ipsim_scratch *s, const char *name, size_t m, size_t y, double *col,
                         ipsim_error *err)
{
    if (s->fd < 0 || m >= s->n_metrics || y >= s->n_years)
        return ipsim_error_set(err, IPSIM_EFAIL, "%s: no column (%zu, %zu) in the scratch file",
                               name, m, y);
    if (ipsim_pio_all(s->fd, col, s->n_paths * sizeof *col, column_at(s, m, y), 0) < 0)
        return ipsim_error_set(err, IPSIM_EIO, "%s: cannot read the scratch file: %s", name,
                               strerror(errno));
    return IPSIM_OK;
}

int ipsim_scratch_close(ipsim_scratch *s)
{
    int rc = s->fd >= 0 ? close(s->fd) : 0;
    s->fd = -1;
    return rc < 0 ? -1 : 0;
}
