/* csv.c -- CSV writing for export, batch and compare (see csv.h). */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outpath.h"

struct ipsim_csv {
    FILE *f;
    int own;                  /* f is ours: close it and rename the .partial */
    char *path, *partial;     /* file mode only */
    char *name;               /* for messages */
    size_t n_cols, field;     /* fields expected per row, written in this row */
    size_t bad_rows;          /* rows that did not have n_cols fields */
};

static void csv_free(ipsim_csv *c)
{
    free(c->path);
    free(c->partial);
    free(c->name);
    free(c);
}

static void write_header(ipsim_csv *c, const char *const *header, size_t n_cols)
{
    c->n_cols = n_cols;
    for (size_t i = 0; i < n_cols; i++)
        ipsim_csv_str(c, header[i]);
    ipsim_csv_end_row(c);
}

int ipsim_csv_open(ipsim_csv **out, const char *path, const char *const *header, size_t n_cols,
                   ipsim_error *err)
{
    *out = NULL;
    int rc = ipsim_outpath_check(path, err);
    if (rc != IPSIM_OK)
        return rc;
    ipsim_csv *c = calloc(1, sizeof *c);
    if (c) {
        c->path = strdup(path);
        c->partial = malloc(strlen(path) + sizeof ".partial");
        c->name = strdup(path);
    }
    if (c && c->partial)
        sprintf(c->partial, "%s.partial", path);
    if (!c || !c->path || !c->partial || !c->name) {
        if (c)
            csv_free(c);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory opening %s", path);
    }
    c->f = fopen(c->partial, "wb");
    if (!c->f) {
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot create: %s", c->partial,
                             strerror(errno));
        csv_free(c);
        return rc;
    }
    c->own = 1;
    fputs("\xEF\xBB\xBF", c->f);
    write_header(c, header, n_cols);
    *out = c;
    return IPSIM_OK;
}

int ipsim_csv_attach(ipsim_csv **out, FILE *stream, const char *name, const char *const *header,
                     size_t n_cols, ipsim_error *err)
{
    *out = NULL;
    ipsim_csv *c = calloc(1, sizeof *c);
    if (c)
        c->name = strdup(name);
    if (!c || !c->name) {
        free(c);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory writing %s", name);
    }
    c->f = stream;
    write_header(c, header, n_cols);
    *out = c;
    return IPSIM_OK;
}

static void separator(ipsim_csv *c)
{
    if (c->field++ > 0)
        fputc(',', c->f);
}

void ipsim_csv_str(ipsim_csv *c, const char *s)
{
    separator(c);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, c->f);
        return;
    }
    fputc('"', c->f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', c->f);
        fputc(*p, c->f);
    }
    fputc('"', c->f);
}

const char *ipsim_csv_format_number(char buf[IPSIM_CSV_NUM_BUF], double v)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, IPSIM_CSV_NUM_BUF, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* "1.2e+03" has no digits after the third: it is the whole number 1200,
     * which people (and Excel's display) read better written out. */
    if (strstr(buf, "e+") && fabs(v) < 1e16)
        snprintf(buf, IPSIM_CSV_NUM_BUF, "%.0f", v);
    return buf;
}

void ipsim_csv_num(ipsim_csv *c, double v)
{
    char buf[IPSIM_CSV_NUM_BUF];
    separator(c);
    if (isfinite(v))
        fputs(ipsim_csv_format_number(buf, v), c->f);
}

void ipsim_csv_int(ipsim_csv *c, long long v)
{
    separator(c);
    fprintf(c->f, "%lld", v);
}

void ipsim_csv_empty(ipsim_csv *c)
{
    separator(c);
}

void ipsim_csv_end_row(ipsim_csv *c)
{
    if (c->field != c->n_cols)
        c->bad_rows++;
    c->field = 0;
    fputs("\r\n", c->f);
}

int ipsim_csv_close(ipsim_csv *c, ipsim_error *err)
{
    int rc = IPSIM_OK;
    int failed = fflush(c->f) != 0 || ferror(c->f);
    int saved = errno;
    if (c->own && fclose(c->f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    if (failed)
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot write: %s",
                             c->own ? c->partial : c->name, strerror(saved));
    else if (c->bad_rows)
        rc = ipsim_error_set(err, IPSIM_EFAIL, "%s: %zu rows do not have %zu fields", c->name,
                             c->bad_rows, c->n_cols);
    else if (c->own && rename(c->partial, c->path) != 0)
        rc = ipsim_error_set(err, IPSIM_EIO, "cannot rename %s to %s: %s", c->partial, c->path,
                             strerror(errno));
    if (rc != IPSIM_OK && c->own)
        unlink(c->partial);
    csv_free(c);
    return rc;
}

void ipsim_csv_abort(ipsim_csv *c)
{
    if (!c)
        return;
    if (c->own) {
        fclose(c->f);
        unlink(c->partial);
    }
    csv_free(c);
}
