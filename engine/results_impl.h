/* results_impl.h -- private to the results writer: the state of a results
 * file and the helpers its three parts share.  results.c creates the file
 * and writes blocks, results_resume.c checks and continues an interrupted
 * run, results_summary.c computes the summaries and targets at finish. */
#ifndef IPSIM_RESULTS_IMPL_H
#define IPSIM_RESULTS_IMPL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* F_OFD_SETLK: a lock that HDF5's own locks cannot release */
#endif
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <zlib.h>

#include "metrics.h"
#include "outpath.h"
#include "pio.h"
#include "scratch.h"
#include "variates.h"

/* Chunks stay under this so compression buffers and the chunk cache stay
 * small however many paths a block holds. */
#define CHUNK_BYTES_MAX ((hsize_t)4 << 20)
#define DEFLATE_LEVEL 4
/* The path scale is written in pieces of this many indices. */
#define PATH_PIECE ((hsize_t)65536)
/* "YYYY-MM", with room for any int year. */
#define MONTH_BUF 24

enum { S_PATH, S_YEAR, S_ZONE, S_QUANTILE, S_MONTH, S_TARGET, N_SCALES };

/* The per-path metric groups, each [path, time(, zone)]. */
enum { G_YEARLY, G_YEARLY_ZONE, G_MONTHLY, G_MONTHLY_ZONE, N_GROUPS };
static const char *const group_names[N_GROUPS] = {"yearly", "yearly_zone", "monthly",
                                                  "monthly_zone"};

struct ipsim_results {
    const ipsim_scenario *scn; /* borrowed: must outlive r */
    char *final_name, *partial_name, *scratch_name;
    hid_t file;
    ipsim_scratch scratch; /* summary mode: the per-path yearly data */
    int own_partial, own_scratch; /* created by us, so ours to delete */
    enum ipsim_store store;
    size_t n_paths, block_paths, n_years, n_months, n_zones, n_targets;
    int first_year;
    int threads;          /* for compressing chunks */
    int deflate;          /* deflate level of the per-path chunks; 0: stored */
    size_t paths_written; /* sum of the blocks' n: all paths must arrive */
    hid_t scale[N_SCALES];
    hid_t group[N_GROUPS][IPSIM_NMETRICS]; /* -1 where not stored */
    /* Path chunk of a group whose chunks span the other axes and are
     * compressed here (see direct chunk writes below), else 0. */
    hsize_t direct_paths[N_GROUPS];
    /* Direct I/O (see direct chunk writes): the first chunk's address of
     * each dataset written so, else HADDR_UNDEF; FILE.partial opened with
     * O_DIRECT, or -1; ipsim_results_set_direct_io; bytes so written. */
    haddr_t dio_base[N_GROUPS][IPSIM_NMETRICS];
    int dio_fd, direct_io;
    uint64_t direct_bytes;
    hid_t target_values;
    /* Checkpoints (see "checkpoints and resume" below). */
    hid_t blocks_done;   /* uint8 [block]: 1 once the block's data are flushed */
    size_t n_blocks;
    int lock_fd;         /* holds the run's lock on FILE.partial, or -1 */
    size_t cache_keep;   /* ipsim_results_set_cache_keep */
    size_t synced_to;    /* FILE.partial's size at the last checkpoint */
    /* The page-cache window (drop_cache): the file ranges of the chunks the
     * finish reads back (yearly/<metric>, target_values), sorted, kept cached;
     * the paths up to which their chunks are in it; what was dropped. */
    struct rs_range {
        size_t lo, hi;
    } *keep;
    size_t n_keep, cap_keep, keep_paths, dropped_to;
    int reserved;        /* reserve_data has run: 1, or 2 if it called fallocate */
};


typedef struct {
    double *all;  /* [n_paths][width] read back from a dataset */
    double *col;  /* [lanes][n_paths] one column per lane, in path order */
    double *sort; /* [lanes][n_paths] scratch for the statistics */
    size_t width; /* columns `all` holds */
    int lanes;    /* columns summarised at once, one per thread */
} readback;

/* Shared by the three parts (defined in results.c unless noted). */
int rs_h5_error(ipsim_error *err, const char *file, const char *what);
hid_t rs_errors_save(herr_t st);
void rs_errors_restore(hid_t stack);
hid_t rs_str_type(void);
herr_t rs_attr_str(hid_t obj, const char *name, const char *value);
herr_t rs_attr_metric(hid_t ds, int m, const char *prefix);
herr_t rs_attach(hid_t ds, const hid_t *scales, int rank);
void rs_close_ids(hid_t *ids, size_t n);
int rs_lock_file(const char *name, int create, int *fd_out, ipsim_error *err);
hid_t rs_file_open(const char *name, unsigned flags, int clear);
int rs_read_block(const ipsim_results *r, ipsim_block *b, ipsim_error *err);
ipsim_results *rs_results_new(const char *filename, const ipsim_scenario *scn, size_t n_paths,
                              size_t block_paths, enum ipsim_store store, int deflate);
int rs_rename_new(ipsim_results *r);
int rs_results_layout(ipsim_results *r, uint64_t seed, ipsim_error *err);
herr_t rs_open_handles(ipsim_results *r);
int rs_promote(ipsim_results *r, const char *partial, const char *scratch, ipsim_error *err);
herr_t rs_close_all(ipsim_results *r);
void rs_results_free(ipsim_results *r);

/* results_summary.c */
/* Room for width columns read at once and `lanes` columns summarised at
 * once, one per thread. */
int rs_readback_alloc(readback *rb, size_t n_paths, size_t width, int lanes);
void rs_readback_free(readback *rb);
int rs_write_summaries(ipsim_results *r, readback *rb, ipsim_error *err);
herr_t rs_write_target_stats(const ipsim_results *r, readback *rb, ipsim_target_stats *out);

#endif
