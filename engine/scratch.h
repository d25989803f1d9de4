/* scratch.h -- where a --store summary run keeps its per-path yearly
 * province data until the finish (FILE.partial.scratch, deleted then):
 * the quantiles need every path's value of each (metric, year), and the
 * results file keeps none of them.
 *
 * A plain file of float64 columns [metric][year][path] after a header.  A
 * block of paths writes a piece of every column; the finish reads each
 * column of N paths in one call, from any thread, into 3 N doubles a
 * thread at most.  As HDF5 chunks of one block and one year, the same data
 * cost a chunk lookup for every 624 bytes both ways: at 10^5 paths 2.2 s
 * of the writer thread and 1 s of serial finish (docs/performance.md,
 * thirteenth pass).  Native byte order: the file lives and dies with the
 * run on one machine. */
#ifndef IPSIM_SCRATCH_H
#define IPSIM_SCRATCH_H

#include <stddef.h>

#include "error.h"

/* Written into the header; a resume refuses any other. */
#define IPSIM_SCRATCH_VERSION 1

typedef struct {
    int fd; /* -1: none open */
    size_t n_paths, n_years, n_metrics;
} ipsim_scratch;

/* s with no file. */
void ipsim_scratch_init(ipsim_scratch *s);

/* Creates (truncates) NAME for n_paths x n_years x n_metrics values and
 * writes its header. */
int ipsim_scratch_create(ipsim_scratch *s, const char *name, size_t n_paths, size_t n_years,
                         size_t n_metrics, ipsim_error *err);

/* Opens NAME read-only; IPSIM_EINPUT unless its header is this version's
 * with these dimensions and the file is long enough to hold them. */
int ipsim_scratch_open(ipsim_scratch *s, const char *name, size_t n_paths, size_t n_years,
                       size_t n_metrics, ipsim_error *err);

/* Paths [path0, path0 + n) from (write) or to (read) a block's yearly
 * array base[metric][cap][year]; NAME is for the message. */
int ipsim_scratch_write(const ipsim_scratch *s, const char *name, const double *base, size_t cap,
                        size_t path0, size_t n, ipsim_error *err);
int ipsim_scratch_read(const ipsim_scratch *s, const char *name, double *base, size_t cap,
                       size_t path0, size_t n, ipsim_error *err);

/* col[p] = the value of metric m in year index y of path p, for every
 * path; safe from several threads at once. */
int ipsim_scratch_column(const ipsim_scratch *s, const char *name, size_t m, size_t y, double *col,
                         ipsim_error *err);

/* Closes the file if open; -1 if closing reported an error. */
int ipsim_scratch_close(ipsim_scratch *s);

#endif
