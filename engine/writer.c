/* writer.c -- the background thread of writer.h: a queue of up to
 * IPSIM_WRITER_DEPTH blocks, stored in order with ipsim_results_write_block;
 * the first error is kept and reported to whoever waits next. */
#ifdef __linux__
#define _GNU_SOURCE /* SCHED_BATCH */
#endif
#include "writer.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

struct ipsim_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ipsim_results *r;
    const ipsim_block *queue[IPSIM_WRITER_DEPTH]; /* handed over, not yet stored */
    int head, count;         /* the oldest (being stored) and how many */
    size_t stored;           /* paths stored: the end of the last block stored */
    size_t released;         /* the end of the last block to leave the queue */
    int quit;
    int rc;                  /* first error, IPSIM_OK if none */
    ipsim_error err;
    double busy_s;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *writer_main(void *arg)
{
    ipsim_writer *w = arg;
#ifdef SCHED_BATCH
    /* Handed a block, a writer that copies it into the page cache must not
     * preempt the thread that handed it over (which goes on to compute the
     * next): a batch thread takes its fair share of the CPU at the next
     * tick instead of on wake-up.  One that writes with direct I/O wakes
     * when the disk has taken a chunk, to hand it the next; as a batch
     * thread it would wait a tick each time, a block's chunks one after
     * another (efficiency 0.81 at two threads: docs/performance.md,
     * fourteenth pass). */
    struct sched_param sp = {0};
    if (!ipsim_results_direct_io(w->r))
        (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
#endif
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->count && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->count)
            break;
        const ipsim_block *b = w->queue[w->head];
        int skip = w->rc != IPSIM_OK; /* after an error, nothing more is stored */
        pthread_mutex_unlock(&w->mu);
        ipsim_error e = {0};
        double t0 = now();
        int rc = skip ? IPSIM_OK : ipsim_results_write_block(w->r, b, &e);
        double dt = now() - t0;
        pthread_mutex_lock(&w->mu);
        w->busy_s += dt;
        if (rc != IPSIM_OK && w->rc == IPSIM_OK) {
            w->rc = rc;
            w->err = e;
        }
        if (rc == IPSIM_OK && !skip)
            w->stored = b->path0 + b->n;
        w->released = b->path0 + b->n;
        /* only now does the block leave the queue: its buffer is free */
        w->head = (w->head + 1) % IPSIM_WRITER_DEPTH;
        w->count--;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int ipsim_writer_start(ipsim_writer **out, ipsim_results *r, ipsim_error *err)
{
    ipsim_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory starting the writer");
    w->r = r;
    w->rc = IPSIM_OK;
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        free(w);
        return ipsim_error_set(err, IPSIM_EFAIL, "cannot start the writer thread");
    }
    if (pthread_cond_init(&w->cv, NULL) != 0) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        return ipsim_error_set(err, IPSIM_EFAIL, "cannot start the writer thread");
    }
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return ipsim_error_set(err, IPSIM_EFAIL, "cannot start the writer thread");
    }
    *out = w;
    return IPSIM_OK;
}

/* The first error of any block stored so far (locked), into *err. */
static int status(const ipsim_writer *w, ipsim_error *err)
{
    if (w->rc != IPSIM_OK && err)
        *err = w->err;
    return w->rc;
}

/* Waits (locked) until at most `left` blocks are queued; the status. */
static int wait_queue(ipsim_writer *w, int left, ipsim_error *err)
{
    while (w->count > left)
        pthread_cond_wait(&w->cv, &w->mu);
    return status(w, err);
}

int ipsim_writer_submit(ipsim_writer *w, const ipsim_block *b, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    int rc = wait_queue(w, IPSIM_WRITER_DEPTH - 1, err);
    if (rc == IPSIM_OK) {
        w->queue[(w->head + w->count) % IPSIM_WRITER_DEPTH] = b;
        w->count++;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

size_t ipsim_writer_stored(ipsim_writer *w)
{
    pthread_mutex_lock(&w->mu);
    size_t n = w->stored;
    pthread_mutex_unlock(&w->mu);
    return n;
}

int ipsim_writer_released(ipsim_writer *w, size_t end, int *released, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    *released = w->released >= end;
    int rc = status(w, err);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int ipsim_writer_wait_released(ipsim_writer *w, size_t end, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    while (w->released < end && w->rc == IPSIM_OK)
        pthread_cond_wait(&w->cv, &w->mu);
    int rc = status(w, err);
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int ipsim_writer_finish(ipsim_writer *w, double *busy_s, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    int rc = wait_queue(w, 0, err);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    if (busy_s)
        *busy_s = w->busy_s;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return rc;
}
