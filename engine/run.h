/* run.h -- the path scheduler: blocks of paths, computed in parallel.
 *
 * Paths are split into fixed blocks of block_paths; a caller (one process,
 * or one MPI rank later) runs a contiguous range of blocks.  Inside a block,
 * OpenMP threads take paths in any order, each with its own workspace; each
 * path depends only on (scenario, seed, path), so results are bit-identical
 * whatever the thread count or order. */
#ifndef IPSIM_RUN_H
#define IPSIM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "results.h"
#include "scenario.h"
#include "stats.h"
#include "stream.h"

/* Where a run's time went, for the benchmark (bench/): wall seconds. */
typedef struct {
    double simulate_s; /* computing paths */
    double write_s;    /* waiting for the writer: the computing threads' waits
                        * (averaged over them), then the last blocks' */
    double write_busy_s; /* storing blocks, in the writer thread (overlaps simulate_s) */
    double finish_s;   /* summaries, target statistics, closing the file */
    uint64_t direct_bytes; /* per-path data written with direct I/O */
    uint64_t draws[IPSIM_NPURPOSES]; /* draws made, by purpose (stream.h): macro
                                      * factors, clearances, counts, projects */
} ipsim_run_timing;

/* Called from the calling thread (between its paths) when more blocks
 * have been stored, with the paths stored so far; return nonzero to stop:
 * no more paths are started, the blocks already computed are stored, and
 * the run keeps FILE.partial and fails with IPSIM_EINTR. */
typedef int (*ipsim_progress_fn)(void *ctx, size_t paths_done, size_t paths_total);

typedef struct {
    size_t n_paths;      /* default 10000 */
    uint64_t seed;
    int threads;         /* <= 0: OpenMP's default */
    enum ipsim_store store;
    size_t block_paths;  /* 0: chosen from the problem size */
    ipsim_progress_fn progress;
    void *progress_ctx;
    int resume;          /* continue from the FILE.partial of an interrupted run */
    int deflate;         /* per-path chunks' deflate level, 0 (stored) to 9, see
                          * ipsim_results_create; default -1: 0, or 4 with
                          * monthly data (ten times larger, and asked for) */
    int buffered_io;     /* 1: no direct I/O (ipsim_results_set_direct_io), as
                          * also beyond 4 threads (run.c) */
    size_t cache_keep;   /* page cache of the file kept while writing, bytes
                          * (ipsim_results_set_cache_keep; default
                          * IPSIM_RESULTS_CACHE_KEEP, 0: all) */
    ipsim_run_timing *timing; /* NULL, or added to by the run */
} ipsim_run_opts;

void ipsim_run_opts_init(ipsim_run_opts *o);

/* The block size a run of this scenario would use. */
size_t ipsim_run_block_paths(const ipsim_scenario *scn, const ipsim_run_opts *o);

/* Computes blocks [block_first, block_last) into r. */
int ipsim_run_blocks(const ipsim_scenario *scn, const ipsim_run_opts *o, ipsim_results *r,
                     size_t block_first, size_t block_last, ipsim_error *err);

/* The whole run: creates `filename`, computes every path, writes summaries
 * and targets.  stats (may be NULL) receives scn->n_targets entries.
 * Stopped by the progress callback, it returns IPSIM_EINTR and keeps
 * FILE.partial; o->resume continues from it, computing only the blocks it
 * lacks, to a file whose datasets are bit-identical to an uninterrupted
 * run's (see ipsim_results_resume for what must not change). */
int ipsim_run(const ipsim_scenario *scn, const ipsim_run_opts *o, const char *filename,
              ipsim_target_stats *stats, ipsim_error *err);

#endif
