/* run.c -- the path scheduler of run.h: fixed blocks of paths, each block
 * computed by OpenMP threads (one workspace per thread) and then written. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "metrics.h"
#include "model.h"
#include "writer.h"

/* Block buffers are kept near this size; the block size never depends on
 * the thread count, so the file layout (and a resumed run) does not either.
 * Nothing overlaps the writing of the last block, so it should be short:
 * at 8 MiB the simulation waits 8 ms for it at 2000 paths of bench/'s
 * province, against 35 ms at 32 MiB, and the writer's copy of a block into
 * the page cache runs from cache (docs/performance.md). */
#define BLOCK_BYTES (8u << 20)
#define BLOCK_MIN 16
#define BLOCK_MAX 4096

void ipsim_run_opts_init(ipsim_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_paths = 10000;
    o->seed = 1;
    o->store = IPSIM_STORE_YEARLY;
    o->deflate = -1;
}

size_t ipsim_run_block_paths(const ipsim_scenario *scn, const ipsim_run_opts *o)
{
    if (o->block_paths > 0)
        return o->block_paths;
    size_t Z = scn->n_zones, Y = (size_t)ipsim_scenario_n_years(scn);
    size_t per_path = IPSIM_NMETRICS * Y * (Z + 1) + scn->n_targets;
    if (o->store == IPSIM_STORE_MONTHLY)
        per_path += IPSIM_NMONTHLY * (size_t)scn->horizon_months * (Z + 1);
    per_path *= sizeof(double);
    size_t b = BLOCK_BYTES / per_path;
    if (b < BLOCK_MIN)
        b = BLOCK_MIN;
    if (b > BLOCK_MAX)
        b = BLOCK_MAX;
    return b;
}

static int threads_of(const ipsim_run_opts *o)
{
    return o->threads > 0 ? o->threads : omp_get_max_threads();
}

/* Computes slots 0 .. b->n-1 of block b in parallel.  On failure keeps the
 * error of the lowest failing path, so the message does not depend on
 * thread timing. */
/* A thread's workspace on cache lines of its own: two threads' stream
 * positions and counters in one line would bounce it between cores at
 * every draw (false sharing). */
typedef struct {
    _Alignas(128) ipsim_ws ws;
} thread_ws;

static int block_compute(thread_ws *ws, int nt, uint64_t seed, ipsim_block *b, ipsim_error *err)
{
    long first_bad = -1;
    ipsim_error bad = {0};
#pragma omp parallel num_threads(nt)
    {
        ipsim_ws *w = &ws[omp_get_thread_num()].ws;
        ipsim_error e;
#pragma omp for schedule(dynamic, 1)
        for (long s = 0; s < (long)b->n; s++) {
            if (ipsim_path_run(w, seed, b->path0 + (size_t)s, b, (size_t)s, &e) != IPSIM_OK) {
#pragma omp critical(ipsim_run_error)
                if (first_bad < 0 || s < first_bad) {
                    first_bad = s;
                    bad = e;
                }
            }
        }
    }
    if (first_bad >= 0) {
        *err = bad;
        return bad.code;
    }
    return IPSIM_OK;
}

#define N_BUFFERS (IPSIM_WRITER_DEPTH + 1)

/* Blocks [k, last) through N_BUFFERS buffers used in turn: block k is
 * computed while the writer thread stores the blocks before it (writer.h).
 * The progress callback hears of blocks once they are stored; when it asks
 * to stop, the blocks handed over are still stored, so the run stops at a
 * block boundary either way. */
static int blocks_pipelined(thread_ws *ws, int nt, const ipsim_run_opts *o, ipsim_results *r,
                            ipsim_block blk[N_BUFFERS], size_t B, size_t k, size_t last,
                            ipsim_error *err)
{
    ipsim_writer *w;
    int rc = ipsim_writer_start(&w, r, err);
    if (rc != IPSIM_OK)
        return rc;
    size_t stored = 0, handed = 0; /* paths through the last block stored, handed over */
    int stop = 0;
    for (size_t i = 0; rc == IPSIM_OK && !stop && k < last; k++, i++) {
        ipsim_block *b = &blk[i % N_BUFFERS];
        b->path0 = k * B;
        b->n = o->n_paths - b->path0 < B ? o->n_paths - b->path0 : B;
        double t0 = omp_get_wtime();
        rc = block_compute(ws, nt, o->seed, b, err);
        double t1 = omp_get_wtime();
        if (rc == IPSIM_OK)
            rc = ipsim_writer_submit(w, b, err);
        if (o->timing) {
            o->timing->simulate_s += t1 - t0;
            o->timing->write_s += omp_get_wtime() - t1;
        }
        handed = b->path0 + b->n;
        size_t now = rc == IPSIM_OK ? ipsim_writer_stored(w) : stored;
        if (now > stored) {
            stored = now;
            stop = o->progress && o->progress(o->progress_ctx, stored, o->n_paths);
        }
    }
    double t0 = omp_get_wtime(), busy = 0.0;
    ipsim_error werr = {0};
    int wrc = ipsim_writer_finish(w, &busy, &werr);
    if (o->timing) {
        o->timing->write_s += omp_get_wtime() - t0;
        o->timing->write_busy_s += busy;
    }
    if (rc == IPSIM_OK && wrc != IPSIM_OK) {
        *err = werr;
        rc = wrc;
    }
    if (rc == IPSIM_OK && handed > stored && !stop) {
        stored = handed;
        stop = o->progress && o->progress(o->progress_ctx, stored, o->n_paths);
    }
    if (rc == IPSIM_OK && stop)
        rc = ipsim_error_set(err, IPSIM_EINTR, "run interrupted after %zu of %zu paths", handed,
                             o->n_paths);
    return rc;
}

int ipsim_run_blocks(const ipsim_scenario *scn, const ipsim_run_opts *o, ipsim_results *r,
                     size_t block_first, size_t block_last, ipsim_error *err)
{
    ipsim_model model;
    ipsim_block blk[N_BUFFERS] = {{0}};
    int nt = threads_of(o), rc;
    size_t B = ipsim_run_block_paths(scn, o);
    thread_ws *ws = aligned_alloc(_Alignof(thread_ws), (size_t)nt * sizeof *ws);
    if (!ws)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory allocating %d workspaces", nt);
    rc = ipsim_model_init(&model, scn, err);
    int n_ws = 0;
    for (; rc == IPSIM_OK && n_ws < nt; n_ws++)
        rc = ipsim_ws_alloc(&ws[n_ws].ws, &model, err);
    /* no more buffers than blocks */
    size_t n_buf = block_last - block_first < N_BUFFERS ? block_last - block_first : N_BUFFERS;
    for (size_t i = 0; rc == IPSIM_OK && i < n_buf; i++)
        rc = ipsim_block_alloc(&blk[i], B, (size_t)model.n_years, (size_t)scn->horizon_months,
                               scn->n_zones, scn->n_targets, o->store == IPSIM_STORE_MONTHLY, err);
    if (rc == IPSIM_OK && block_first < block_last)
        rc = blocks_pipelined(ws, nt, o, r, blk, B, block_first, block_last, err);
    for (int i = 0; i < N_BUFFERS; i++)
        ipsim_block_free(&blk[i]);
    for (int i = 0; i < n_ws && o->timing; i++)
        for (int p = 0; p < IPSIM_NPURPOSES; p++)
            o->timing->draws[p] += ws[i].ws.draws[p];
    for (int i = 0; i < n_ws; i++)
        ipsim_ws_free(&ws[i].ws);
    free(ws);
    ipsim_model_free(&model);
    return rc;
}

int ipsim_run(const ipsim_scenario *scn, const ipsim_run_opts *o, const char *filename,
              ipsim_target_stats *stats, ipsim_error *err)
{
    if (o->n_paths < 1 || o->n_paths > IPSIM_STREAM_MAX_PATHS)
        return ipsim_error_set(err, IPSIM_EINPUT, "paths: %zu is out of range (expected 1 to %llu)",
                               o->n_paths, IPSIM_STREAM_MAX_PATHS);
    size_t B = ipsim_run_block_paths(scn, o);
    size_t n_blocks = (o->n_paths + B - 1) / B;
    ipsim_results *r = NULL;
    /* done[k]: block k is in the file already (resume) */
    unsigned char *done = calloc(n_blocks, 1);
    if (!done)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for %zu blocks", n_blocks);
    int rc = o->resume
                 ? ipsim_results_resume(&r, filename, scn, o->seed, o->n_paths, B, o->store, done, err)
                 : ipsim_results_create(&r, filename, scn, o->seed, o->n_paths, B, o->store, err);
    if (rc == IPSIM_OK) {
        ipsim_results_set_threads(r, threads_of(o));
        ipsim_results_set_deflate(r, o->deflate >= 0                     ? o->deflate
                                     : o->store == IPSIM_STORE_MONTHLY ? 4
                                                                       : 0);
    }
    /* the blocks still to do, one run of consecutive blocks at a time */
    for (size_t k = 0; rc == IPSIM_OK && k < n_blocks;) {
        size_t end = k;
        while (end < n_blocks && !done[end])
            end++;
        if (end > k)
            rc = ipsim_run_blocks(scn, o, r, k, end, err);
        for (k = end; k < n_blocks && done[k]; k++)
            ;
    }
    free(done);
    if (rc == IPSIM_EINTR) /* FILE.partial is kept for --resume */
        return r && ipsim_results_suspend(r, err) != IPSIM_OK ? IPSIM_EIO : rc;
    if (rc != IPSIM_OK) {
        if (r)
            ipsim_results_abort(r);
        return rc;
    }
    double t0 = omp_get_wtime();
    rc = ipsim_results_finish(r, stats, err);
    if (o->timing)
        o->timing->finish_s += omp_get_wtime() - t0;
    return rc;
}
