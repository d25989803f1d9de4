/* testutil.h -- helpers shared by the model tests: a scenario from YAML
 * text, a model + workspace + block for running single paths, and the
 * statistical tolerance rule (a fixed number of standard errors). */
#ifndef IPSIM_TESTUTIL_H
#define IPSIM_TESTUTIL_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "model.h"
#include "scenario.h"
#include "testdio.h"

/* Statistical checks use a fixed seed and allow Z_TOL standard errors:
 * a correct model fails one such check with probability ~7e-6. */
#define Z_TOL 4.5

typedef struct {
    ipsim_scenario scn;
    ipsim_model model;
    ipsim_ws ws;
    ipsim_block blk;
} tu_sim;

static inline void tu_parse(ipsim_scenario *scn, const char *yaml)
{
    ipsim_error err = {0};
    int rc = ipsim_scenario_parse(scn, yaml, strlen(yaml), "test.yaml", &err);
    if (rc != IPSIM_OK)
        fail_msg("scenario does not parse: %s", err.msg);
}

/* Parses yaml and prepares a block of `cap` paths (monthly arrays kept). */
static inline void tu_sim_init(tu_sim *s, const char *yaml, size_t cap)
{
    ipsim_error err = {0};
    memset(s, 0, sizeof *s);
    tu_parse(&s->scn, yaml);
    assert_int_equal(ipsim_model_init(&s->model, &s->scn, &err), IPSIM_OK);
    assert_int_equal(ipsim_ws_alloc(&s->ws, &s->model, &err), IPSIM_OK);
    assert_int_equal(ipsim_block_alloc(&s->blk, cap, (size_t)s->model.n_years,
                                       (size_t)s->scn.horizon_months, s->scn.n_zones,
                                       s->scn.n_targets, 1, &err),
                     IPSIM_OK);
    s->blk.n = cap;
}

static inline void tu_sim_run(tu_sim *s, uint64_t seed)
{
    ipsim_error err = {0};
    for (size_t p = 0; p < s->blk.n; p++)
        assert_int_equal(ipsim_path_run(&s->ws, seed, p, &s->blk, p, &err), IPSIM_OK);
}

static inline void tu_sim_free(tu_sim *s)
{
    ipsim_block_free(&s->blk);
    ipsim_ws_free(&s->ws);
    ipsim_model_free(&s->model);
    ipsim_scenario_free(&s->scn);
}

/* |got - want| <= Z_TOL * se, with a readable failure. */
#define assert_within_se(got, want, se)                                                  \
    do {                                                                                 \
        double g_ = (got), w_ = (want), s_ = (se);                                       \
        if (!(fabs(g_ - w_) <= Z_TOL * s_))                                              \
            fail_msg("%s = %.6g, expected %.6g +- %.1f * %.3g", #got, g_, w_, Z_TOL, s_); \
    } while (0)

#define assert_close(got, want, rel)                                                      \
    do {                                                                                  \
        double g_ = (got), w_ = (want);                                                   \
        if (!(fabs(g_ - w_) <= (rel) * fmax(1.0, fabs(w_))))                              \
            fail_msg("%s = %.17g, expected %.17g (rel %g)", #got, g_, w_, (double)(rel)); \
    } while (0)

/* Sample mean and variance of x[0..n-1]. */
static inline void tu_moments(const double *x, size_t n, double *mean, double *var)
{
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    *mean = m;
    *var = v / (double)(n - 1);
}

#endif
