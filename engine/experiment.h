/* experiment.h -- runs of one scenario that differ only by `--set`
 * overrides, on common random numbers: the engine of `ipsim sweep` and
 * `ipsim solve`.
 *
 * Every run uses the same seed and number of paths, so the keyed streams
 * (MODEL.md §6) give every value of a lever the same draws wherever the
 * runs make the same draws: differences between values are the lever's
 * effect, not noise.  Runs write their results into a private temporary
 * directory ($TMPDIR, else /tmp) that ipsim_experiment_close() removes;
 * each file is deleted as soon as its statistics are read. */
#ifndef IPSIM_EXPERIMENT_H
#define IPSIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scenario.h"
#include "stats.h"

typedef struct {
    size_t n_paths; /* default 1000 */
    uint64_t seed;  /* used when seed_given; else each run's scenario seed, else 1 */
    int seed_given;
    int threads;    /* <= 0: OpenMP's default */
    int metric;     /* a province yearly metric also summarised, or -1 */
    int year;       /* its calendar year */
} ipsim_experiment_opts;

void ipsim_experiment_opts_init(ipsim_experiment_opts *o);

/* The statistics of one run. */
typedef struct {
    uint64_t seed;
    size_t n_paths;
    size_t n_targets;
    char **names;                 /* [n_targets] target names */
    ipsim_target_stats *targets;  /* [n_targets] */
    int has_metric;
    ipsim_target_stats metric;    /* opts.metric in opts.year: mean, quantiles */
} ipsim_experiment_point;

typedef struct ipsim_experiment ipsim_experiment;

/* Reads the scenario file once, validates it with the base overrides sets
 * (borrowed: they must outlive x) and the metric/year of o, and creates the
 * temporary directory. */
int ipsim_experiment_open(ipsim_experiment **out, const char *path, const char *const *sets,
                          size_t n_sets, const ipsim_experiment_opts *o, ipsim_error *err);

/* The scenario with the base overrides only. */
const ipsim_scenario *ipsim_experiment_base(const ipsim_experiment *x);

/* Validates the scenario with one more override set ("KEY=VALUE", or NULL),
 * without running it: a sweep checks every value before the first run. */
int ipsim_experiment_check(ipsim_experiment *x, const char *set, ipsim_error *err);

/* Runs the scenario with one more override set (or NULL) into *pt. */
int ipsim_experiment_eval(ipsim_experiment *x, const char *set, ipsim_experiment_point *pt,
                          ipsim_error *err);

void ipsim_experiment_point_free(ipsim_experiment_point *pt);

/* Removes the temporary directory; frees x. */
void ipsim_experiment_close(ipsim_experiment *x);

/* ---- sweeps ---- */

/* The values of a --vary spec: "LO:HI:STEP" (numbers, STEP > 0, LO <= HI,
 * values LO, LO+STEP, ... up to HI, written with 12 significant digits) or
 * a list "a,b,c" of YAML values (commas inside [], {} or quotes do not
 * split).  *values is an array of n malloc'd strings. */
int ipsim_sweep_values(const char *spec, char ***values, size_t *n, ipsim_error *err);
void ipsim_sweep_values_free(char **values, size_t n);

/* ---- goal seek ---- */

enum ipsim_solve_direction { IPSIM_SOLVE_MIN = 0, IPSIM_SOLVE_MAX };

enum ipsim_solve_status {
    IPSIM_SOLVE_FOUND,      /* the switch from "not met" to "met" is bracketed to tol */
    IPSIM_SOLVE_AT_END,     /* P is already reached at the end of the range asked for */
    IPSIM_SOLVE_UNREACHABLE /* P is reached at neither end: no answer in the range */
};

typedef struct {
    const char *key;     /* the lever: a --set KEY */
    double lo, hi;       /* lo < hi */
    size_t target;       /* index of the target in the scenario */
    double prob;         /* P, in (0, 1] */
    enum ipsim_solve_direction direction;
    double tol;          /* > 0: width of the final bracket */
    int max_evals;       /* 0: 100 */
} ipsim_solve_opts;

typedef struct {
    double x;
    ipsim_target_stats st; /* the target's statistics at x */
} ipsim_solve_eval;

typedef struct {
    enum ipsim_solve_status status;
    double x;                    /* the value found (FOUND, AT_END) */
    ipsim_target_stats at;       /* ... and the target's statistics there */
    double bracket_lo, bracket_hi;   /* the last bracket (FOUND) */
    ipsim_target_stats at_lo, at_hi; /* at the ends of the range */
    ipsim_solve_eval *evals;     /* every run, in the order made */
    size_t n_evals;
} ipsim_solve_result;

/* The smallest (MIN) or largest (MAX) value x of the lever in [lo, hi]
 * with P(target met) >= prob, by GSL's bisection on the sign of
 * f(x) = P_met(x) - prob.  On common random numbers P_met is a step
 * function of x, so only its sign carries information and bisection is the
 * honest method; it finds the switch exactly (to tol) when P_met moves one
 * way with x, and some switch otherwise.  Returns IPSIM_OK with res->status
 * for every outcome of the search itself; res must be freed. */
int ipsim_experiment_solve(ipsim_experiment *x, const ipsim_solve_opts *o,
                           ipsim_solve_result *res, ipsim_error *err);
void ipsim_solve_result_free(ipsim_solve_result *res);

#endif
