/* writer.c -- the background thread of writer.h: one block in hand at a
 * time, stored with ipsim_results_write_block; the first error is kept
 * and reported to whoever waits next. */
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct ipsim_writer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ipsim_results *r;
    const ipsim_block *todo; /* the block in hand, NULL when idle */
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
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->todo && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->todo)
            break;
        const ipsim_block *b = w->todo;
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
        w->todo = NULL;
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

/* Waits (locked) until the block in hand is stored; its status. */
static int wait_idle(ipsim_writer *w, ipsim_error *err)
{
    while (w->todo)
        pthread_cond_wait(&w->cv, &w->mu);
    if (w->rc != IPSIM_OK && err)
        *err = w->err;
    return w->rc;
}

int ipsim_writer_submit(ipsim_writer *w, const ipsim_block *b, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    int rc = wait_idle(w, err);
    if (rc == IPSIM_OK) {
        w->todo = b;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int ipsim_writer_finish(ipsim_writer *w, double *busy_s, ipsim_error *err)
{
    pthread_mutex_lock(&w->mu);
    int rc = wait_idle(w, err);
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
