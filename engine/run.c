/* run.c -- the path scheduler of run.h: fixed blocks of paths, computed by
 * OpenMP threads (one workspace per thread) that take paths one at a time
 * across block ends, each block written as soon as its paths are done. */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <pthread.h>

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
    o->cache_keep = IPSIM_RESULTS_CACHE_KEEP;
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
    /* The nearest multiple of the quantum, within a factor of two, lets the
     * writer use direct I/O (ipsim_results_set_direct_io). */
    size_t q = ipsim_results_path_quantum(Y, (size_t)scn->horizon_months, Z, o->store, o->deflate);
    size_t near = (b + q / 2) / q * q;
    if (near >= b / 2 && near <= 2 * b && near <= BLOCK_MAX)
        b = near;
    return b;
}

/* Direct I/O spares the writer thread its copy into the page cache, which
 * costs a two-thread run a twentieth of the machine; at 16 threads it
 * would cost a three-hundredth, while one direct write at a time (1.85
 * GB/s on the development machine) may not keep up with what many threads
 * compute.  Not measured beyond two threads (docs/performance.md). */
#define DIRECT_IO_MAX_THREADS 4

static int threads_of(const ipsim_run_opts *o)
{
    return o->threads > 0 ? o->threads : omp_get_max_threads();
}

/* A thread's workspace on cache lines of its own: two threads' stream
 * positions and counters in one line would bounce it between cores at
 * every draw (false sharing). */
typedef struct {
    _Alignas(128) ipsim_ws ws;
} thread_ws;

/* Buffers used in turn: blocks are computed two at a time at most (the
 * last paths of one while the first of the next start), and the writer
 * holds up to IPSIM_WRITER_DEPTH more. */
#define N_BUFFERS (IPSIM_WRITER_DEPTH + 2)

/* The schedule of one range of blocks, shared by the computing threads.
 * There is no barrier at block ends: a thread takes the next path whatever
 * its block, so at the end of a block no thread waits for the slowest path
 * (at 16 threads and ~70 paths a block, half a path per thread per block),
 * and the block goes to the writer as soon as its last path is done. */
typedef struct {
    pthread_mutex_t mu;
    ipsim_writer *w;
    ipsim_block *blk;   /* [N_BUFFERS]: block k in blk[(k - k_first) % N_BUFFERS] */
    size_t B, n_paths;  /* block size; paths of the whole run */
    size_t k_first;     /* first block of the range */
    size_t next, end;   /* next path to start; one past the range's last */
    size_t k_hand;      /* next block to hand to the writer */
    size_t open[N_BUFFERS]; /* block + 1 that each buffer holds (0: none) */
    size_t left[N_BUFFERS]; /* its paths not yet computed */
    int handing;        /* a thread is handing blocks over */
    int stop;           /* take no more paths: stopped or failed */
    long first_bad;     /* lowest failing path, -1 if none */
    ipsim_error bad;
    int wrc;            /* the writer's first error */
    ipsim_error werr;
    double wait_s;      /* thread-seconds spent waiting for the writer */
} schedule;

static size_t block_n(const schedule *sc, size_t k)
{
    size_t p0 = k * sc->B;
    return sc->n_paths - p0 < sc->B ? sc->n_paths - p0 : sc->B;
}

static void writer_failed(schedule *sc, int rc, const ipsim_error *e)
{
    if (rc != IPSIM_OK && sc->wrc == IPSIM_OK) {
        sc->wrc = rc;
        sc->werr = *e;
    }
    if (rc != IPSIM_OK)
        sc->stop = 1;
}

/* The next path to compute and its block's buffer; 0 when there is none.
 * The first path of a block opens it, once the writer has released the
 * block its buffer held before. */
static int take_path(schedule *sc, size_t *path, ipsim_block **b, double *wait)
{
    pthread_mutex_lock(&sc->mu);
    for (;;) {
        if (sc->stop || sc->next >= sc->end) {
            pthread_mutex_unlock(&sc->mu);
            return 0;
        }
        size_t k = sc->next / sc->B, i = (k - sc->k_first) % N_BUFFERS;
        if (sc->open[i] != k + 1) {
            ipsim_error e;
            int free_now = 1, rc = IPSIM_OK;
            size_t before = k - N_BUFFERS; /* the block the buffer held */
            if (k >= sc->k_first + N_BUFFERS)
                rc = ipsim_writer_released(sc->w, (before + 1) * sc->B, &free_now, &e);
            if (rc == IPSIM_OK && !free_now) {
                /* wait without the lock: the others finish their paths */
                pthread_mutex_unlock(&sc->mu);
                double t0 = omp_get_wtime();
                rc = ipsim_writer_wait_released(sc->w, (before + 1) * sc->B, &e);
                *wait += omp_get_wtime() - t0;
                pthread_mutex_lock(&sc->mu);
                writer_failed(sc, rc, &e);
                continue; /* someone else may have opened it meanwhile */
            }
            writer_failed(sc, rc, &e);
            if (rc != IPSIM_OK)
                continue;
            sc->blk[i].path0 = k * sc->B;
            sc->blk[i].n = block_n(sc, k);
            sc->left[i] = sc->blk[i].n;
            sc->open[i] = k + 1;
        }
        *path = sc->next++;
        *b = &sc->blk[i];
        pthread_mutex_unlock(&sc->mu);
        return 1;
    }
}

/* Blocks whose paths are all done go to the writer in order, by one
 * thread at a time, without the lock (the writer may make it wait). */
static void hand_over(schedule *sc, double *wait)
{
    if (sc->handing)
        return;
    sc->handing = 1;
    for (;;) {
        size_t k = sc->k_hand, i = (k - sc->k_first) % N_BUFFERS;
        /* (after a failed path too: a thread may be waiting for a buffer
         * that only these blocks' storing frees; the run's file is then
         * deleted anyway) */
        if (sc->wrc != IPSIM_OK || k * sc->B >= sc->end || sc->open[i] != k + 1 ||
            sc->left[i] > 0)
            break;
        sc->k_hand++;
        pthread_mutex_unlock(&sc->mu);
        ipsim_error e;
        double t0 = omp_get_wtime();
        int rc = ipsim_writer_submit(sc->w, &sc->blk[i], &e);
        *wait += omp_get_wtime() - t0;
        pthread_mutex_lock(&sc->mu);
        writer_failed(sc, rc, &e);
    }
    sc->handing = 0;
}

/* Path `path` of buffer b is done (rc: how it went). */
static void path_done(schedule *sc, size_t path, const ipsim_block *b, int rc,
                      const ipsim_error *e, double *wait)
{
    pthread_mutex_lock(&sc->mu);
    sc->left[b - sc->blk]--;
    if (rc != IPSIM_OK) {
        /* the lowest failing path, whatever the thread timing: every path
         * below it was taken before it, and is finished before the end */
        if (sc->first_bad < 0 || (long)path < sc->first_bad) {
            sc->first_bad = (long)path;
            sc->bad = *e;
        }
        sc->stop = 1;
    }
    hand_over(sc, wait);
    pthread_mutex_unlock(&sc->mu);
}

/* Blocks [k, last) through N_BUFFERS buffers: paths are computed while
 * the writer thread stores the blocks before them (writer.h).  The
 * progress callback, called from the calling thread, hears of blocks once
 * they are stored; when it asks to stop, no more paths are started, and
 * the blocks finished by then are still stored, so the run stops at a
 * block boundary. */
static int blocks_pipelined(thread_ws *ws, int nt, const ipsim_run_opts *o, ipsim_results *r,
                            ipsim_block blk[N_BUFFERS], size_t B, size_t k, size_t last,
                            ipsim_error *err)
{
    schedule sc = {.blk = blk, .B = B, .n_paths = o->n_paths, .k_first = k, .next = k * B,
                   .end = last * B < o->n_paths ? last * B : o->n_paths, .k_hand = k,
                   .first_bad = -1, .wrc = IPSIM_OK};
    int rc = ipsim_writer_start(&sc.w, r, err);
    if (rc != IPSIM_OK)
        return rc;
    if (pthread_mutex_init(&sc.mu, NULL) != 0) {
        ipsim_writer_finish(sc.w, NULL, NULL);
        return ipsim_error_set(err, IPSIM_EFAIL, "cannot create the path schedule's lock");
    }
    size_t stored = 0; /* paths through the last block stored, as reported */
    int stopped = 0;   /* the progress callback asked to stop */
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nt)
    {
        int me = omp_get_thread_num();
        ipsim_ws *w = &ws[me].ws;
        ipsim_error e;
        ipsim_block *b;
        size_t path;
        double wait = 0.0;
        while (take_path(&sc, &path, &b, &wait)) {
            int prc = ipsim_path_run(w, o->seed, path, b, path - b->path0, &e);
            path_done(&sc, path, b, prc, &e, &wait);
            if (me == 0 && o->progress) {
                size_t now = ipsim_writer_stored(sc.w);
                if (now > stored) {
                    stored = now;
                    if (o->progress(o->progress_ctx, stored, o->n_paths)) {
                        stopped = 1;
                        pthread_mutex_lock(&sc.mu);
                        sc.stop = 1;
                        pthread_mutex_unlock(&sc.mu);
                    }
                }
            }
        }
#pragma omp atomic
        sc.wait_s += wait;
    }
    double t1 = omp_get_wtime(), busy = 0.0;
    size_t handed = sc.k_hand * B < sc.end ? sc.k_hand * B : sc.end;
    ipsim_error werr = {0};
    int wrc = ipsim_writer_finish(sc.w, &busy, &werr);
    pthread_mutex_destroy(&sc.mu);
    if (o->timing) {
        /* the threads' waits for the writer count as writing, as does the
         * wait for the last blocks after the paths */
        double waited = sc.wait_s / nt;
        o->timing->simulate_s += t1 - t0 - waited;
        o->timing->write_s += waited + (omp_get_wtime() - t1);
        o->timing->write_busy_s += busy;
    }
    if (sc.first_bad >= 0) {
        *err = sc.bad;
        return sc.bad.code;
    }
    if (sc.wrc != IPSIM_OK) {
        *err = sc.werr;
        return sc.wrc;
    }
    if (wrc != IPSIM_OK) {
        *err = werr;
        return wrc;
    }
    if (handed > stored && !stopped) {
        stored = handed;
        stopped = o->progress && o->progress(o->progress_ctx, stored, o->n_paths);
    }
    if (stopped)
        return ipsim_error_set(err, IPSIM_EINTR, "run interrupted after %zu of %zu paths",
                               handed, o->n_paths);
    return IPSIM_OK;
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
    int rc = o->resume ? ipsim_results_resume(&r, filename, scn, o->seed, o->n_paths, B, o->store,
                                              o->deflate, done, err)
                       : ipsim_results_create(&r, filename, scn, o->seed, o->n_paths, B, o->store,
                                              o->deflate, err);
    if (rc == IPSIM_OK) {
        ipsim_results_set_threads(r, threads_of(o));
        ipsim_results_set_cache_keep(r, o->cache_keep);
        if (o->buffered_io || threads_of(o) > DIRECT_IO_MAX_THREADS)
            ipsim_results_set_direct_io(r, 0);
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
    if (o->timing)
        o->timing->direct_bytes += ipsim_results_direct_bytes(r);
    double t0 = omp_get_wtime();
    rc = ipsim_results_finish(r, stats, err);
    if (o->timing)
        o->timing->finish_s += omp_get_wtime() - t0;
    return rc;
}
