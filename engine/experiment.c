/* experiment.c -- runs of one scenario under different overrides, on common
 * random numbers (see experiment.h): the evaluation behind sweeps and goal
 * seek, the values of a sweep, and the bisection of goal seek.
 *
 * Each evaluation re-reads the scenario's text with the base overrides plus
 * one more, so a value gets exactly the checks and messages of `--set`, and
 * runs it with ipsim_run() into a temporary file: the statistics are the
 * ones `ipsim run` would print, computed by the same code. */
#include "experiment.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "csv.h"
#include "metrics.h"
#include "run.h"

#define MAX_SWEEP_VALUES 10000
#define DEFAULT_MAX_EVALS 100

struct ipsim_experiment {
    ipsim_experiment_opts o;
    ipsim_scenario base;
    const char *const *sets;
    size_t n_sets;
    const char **all; /* sets plus one slot for the value being evaluated */
    char *dir, *file; /* temporary directory and the results file in it */
};

void ipsim_experiment_opts_init(ipsim_experiment_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_paths = 1000;
    o->metric = -1;
}

/* The extra metric is summarised as one more target, so its mean and
 * quantiles come from the same code as every target's. */
static int check_metric(const ipsim_scenario *scn, const ipsim_experiment_opts *o,
                        ipsim_error *err)
{
    if (o->metric < 0)
        return IPSIM_OK;
    const char *name = ipsim_metric_get(o->metric)->name;
    int first = ipsim_scenario_first_year(scn);
    int last = first + ipsim_scenario_n_years(scn) - 1;
    if (o->year < first || o->year > last)
        return ipsim_error_set(err, IPSIM_EINPUT, "--year: %d is outside the simulated years "
                               "(expected a year in [%d, %d])", o->year, first, last);
    if (o->metric == IPSIM_M_PRODUCTION_GROWTH && o->year == first && !scn->has_baseline)
        return ipsim_error_set(err, IPSIM_EINPUT, "--metric %s --year %d: undefined in the "
                               "first simulated year without baseline.production_musd "
                               "(expected a later year)", name, o->year);
    return IPSIM_OK;
}

static int add_metric_target(ipsim_scenario *scn, const ipsim_experiment_opts *o,
                             ipsim_error *err)
{
    if (o->metric < 0)
        return IPSIM_OK;
    ipsim_target *t = realloc(scn->targets, (scn->n_targets + 1) * sizeof *t);
    if (!t)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    scn->targets = t;
    t = &t[scn->n_targets];
    memset(t, 0, sizeof *t);
    if (!(t->name = strdup(ipsim_metric_get(o->metric)->name)))
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    t->metric = o->metric;
    t->year = o->year;
    t->zone = -1;
    t->op = IPSIM_OP_GE;
    scn->n_targets++;
    return IPSIM_OK;
}

static char *cat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

static int make_tmpdir(ipsim_experiment *x, ipsim_error *err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    x->dir = cat3(tmp, "/", "ipsim-XXXXXX");
    if (!x->dir)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    if (!mkdtemp(x->dir)) {
        free(x->dir);
        x->dir = NULL;
        return ipsim_error_set(err, IPSIM_EIO, "cannot create a temporary directory in %s: %s",
                               tmp, strerror(errno));
    }
    x->file = cat3(x->dir, "/", "run.h5");
    return x->file ? IPSIM_OK : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
}

int ipsim_experiment_open(ipsim_experiment **out, const char *path, const char *const *sets,
                          size_t n_sets, const ipsim_experiment_opts *o, ipsim_error *err)
{
    *out = NULL;
    ipsim_experiment *x = calloc(1, sizeof *x);
    if (!x || !(x->all = calloc(n_sets + 1, sizeof *x->all))) {
        free(x);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    }
    x->o = *o;
    x->sets = sets;
    x->n_sets = n_sets;
    for (size_t i = 0; i < n_sets; i++)
        x->all[i] = sets[i];
    int rc = ipsim_scenario_load_with(&x->base, path, sets, n_sets, err);
    if (rc == IPSIM_OK)
        rc = check_metric(&x->base, o, err);
    if (rc == IPSIM_OK)
        rc = make_tmpdir(x, err);
    if (rc != IPSIM_OK) {
        ipsim_experiment_close(x);
        return rc;
    }
    *out = x;
    return IPSIM_OK;
}

const ipsim_scenario *ipsim_experiment_base(const ipsim_experiment *x)
{
    return &x->base;
}

/* The directory is ours alone (mkdtemp), so whatever a failed run left in
 * it (FILE.partial, a scratch file) goes too. */
static void remove_tmpdir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *path = strcmp(e->d_name, ".") && strcmp(e->d_name, "..")
                         ? cat3(dir, "/", e->d_name)
                         : NULL;
        if (path)
            unlink(path);
        free(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

void ipsim_experiment_close(ipsim_experiment *x)
{
    if (!x)
        return;
    if (x->dir)
        remove_tmpdir(x->dir);
    free(x->dir);
    free(x->file);
    free(x->all);
    ipsim_scenario_free(&x->base);
    free(x);
}

/* The base scenario's text, re-read with the base overrides and set. */
static int scenario_with(ipsim_experiment *x, const char *set, ipsim_scenario *scn,
                         ipsim_error *err)
{
    x->all[x->n_sets] = set;
    return ipsim_scenario_parse_with(scn, x->base.text, x->base.text_len, x->base.path, x->all,
                                     x->n_sets + (set != NULL), err);
}

int ipsim_experiment_check(ipsim_experiment *x, const char *set, ipsim_error *err)
{
    ipsim_scenario scn;
    int rc = scenario_with(x, set, &scn, err);
    if (rc == IPSIM_OK)
        ipsim_scenario_free(&scn);
    return rc;
}

void ipsim_experiment_point_free(ipsim_experiment_point *pt)
{
    for (size_t i = 0; pt->names && i < pt->n_targets; i++)
        free(pt->names[i]);
    free(pt->names);
    free(pt->targets);
    memset(pt, 0, sizeof *pt);
}

/* Moves the statistics of scn's targets (the extra metric last) into pt. */
static int point_fill(ipsim_experiment_point *pt, ipsim_scenario *scn,
                      const ipsim_target_stats *st, int has_metric, ipsim_error *err)
{
    size_t n = scn->n_targets - (size_t)has_metric;
    pt->names = calloc(n ? n : 1, sizeof *pt->names);
    pt->targets = calloc(n ? n : 1, sizeof *pt->targets);
    if (!pt->names || !pt->targets)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    pt->n_targets = n;
    for (size_t i = 0; i < n; i++) {
        pt->names[i] = scn->targets[i].name;
        scn->targets[i].name = NULL;
        pt->targets[i] = st[i];
    }
    pt->has_metric = has_metric;
    if (has_metric)
        pt->metric = st[n];
    return IPSIM_OK;
}

int ipsim_experiment_eval(ipsim_experiment *x, const char *set, ipsim_experiment_point *pt,
                          ipsim_error *err)
{
    ipsim_scenario scn;
    ipsim_target_stats *st = NULL;
    memset(pt, 0, sizeof *pt);
    int rc = scenario_with(x, set, &scn, err);
    if (rc != IPSIM_OK)
        return rc;
    rc = add_metric_target(&scn, &x->o, err);
    ipsim_run_opts ro;
    ipsim_run_opts_init(&ro);
    ro.n_paths = x->o.n_paths;
    ro.seed = x->o.seed_given ? x->o.seed : scn.has_seed ? scn.seed : 1;
    ro.threads = x->o.threads;
    ro.store = IPSIM_STORE_SUMMARY;
    if (rc == IPSIM_OK && !(st = calloc(scn.n_targets + 1, sizeof *st)))
        rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    if (rc == IPSIM_OK)
        rc = ipsim_run(&scn, &ro, x->file, st, err);
    unlink(x->file);
    pt->seed = ro.seed;
    pt->n_paths = ro.n_paths;
    if (rc == IPSIM_OK)
        rc = point_fill(pt, &scn, st, x->o.metric >= 0, err);
    if (rc != IPSIM_OK)
        ipsim_experiment_point_free(pt);
    free(st);
    ipsim_scenario_free(&scn);
    return rc;
}

/* ---- sweep values ------------------------------------------------------ */

void ipsim_sweep_values_free(char **values, size_t n)
{
    for (size_t i = 0; values && i < n; i++)
        free(values[i]);
    free(values);
}

/* A whole string that strtod reads as a finite number. */
static int number(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, &end);
    return *end == '\0' && isfinite(*out);
}

/* "LO:HI:STEP": 1 if spec has that shape (then *n and the values are set). */
static int range_values(const char *spec, char ***values, size_t *n, ipsim_error *err, int *rc)
{
    const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    double lo, hi, step;
    if (!c2 || strchr(c2 + 1, ':') || !number(spec, (size_t)(c1 - spec), &lo) ||
        !number(c1 + 1, (size_t)(c2 - c1 - 1), &hi) || !number(c2 + 1, strlen(c2 + 1), &step))
        return 0;
    double count = step > 0 && hi >= lo ? floor((hi - lo) / step * (1 + 1e-12) + 1e-9) + 1 : 0;
    if (count < 1 || count > MAX_SWEEP_VALUES) {
        *rc = ipsim_error_set(err, IPSIM_EINPUT, "--vary: %s is not a valid range (expected "
                              "LO:HI:STEP with STEP > 0, LO <= HI and at most %d values)",
                              spec, MAX_SWEEP_VALUES);
        return 1;
    }
    *values = calloc((size_t)count, sizeof **values);
    for (size_t i = 0; *values && i < (size_t)count; i++, (*n)++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.12g", lo + (double)i * step);
        if (!((*values)[i] = strdup(buf)))
            break;
    }
    *rc = *n == (size_t)count ? IPSIM_OK : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    return 1;
}

/* Length of the list item at s: up to a comma outside brackets and quotes. */
static size_t item_len(const char *s)
{
    int depth = 0;
    char quote = 0;
    const char *p = s;
    for (; *p; p++) {
        if (quote) {
            if (*p == '\\' && quote == '"' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '[' || *p == '{') {
            depth++;
        } else if ((*p == ']' || *p == '}') && depth > 0) {
            depth--;
        } else if (*p == ',' && depth == 0) {
            break;
        }
    }
    return (size_t)(p - s);
}

int ipsim_sweep_values(const char *spec, char ***values, size_t *n, ipsim_error *err)
{
    int rc = IPSIM_OK;
    *values = NULL;
    *n = 0;
    if (range_values(spec, values, n, err, &rc)) {
        if (rc != IPSIM_OK)
            ipsim_sweep_values_free(*values, *n);
        return rc;
    }
    size_t count = 1;
    for (const char *p = spec; *(p += item_len(p)); p++)
        count++;
    if (count > MAX_SWEEP_VALUES)
        return ipsim_error_set(err, IPSIM_EINPUT, "--vary: %zu values is too many (expected "
                               "at most %d)", count, MAX_SWEEP_VALUES);
    if (!(*values = calloc(count, sizeof **values)))
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    const char *p = spec;
    for (size_t i = 0; i < count; i++, (*n)++) {
        size_t len = item_len(p);
        if (!((*values)[i] = strndup(p, len))) {
            ipsim_sweep_values_free(*values, *n);
            return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
        }
        p += len + (p[len] == ',');
    }
    return IPSIM_OK;
}

/* ---- goal seek --------------------------------------------------------- */

typedef struct {
    ipsim_experiment *x;
    const ipsim_solve_opts *o;
    ipsim_solve_result *res;
    ipsim_error *err;
    int rc;
} seek;

/* The target's statistics at v: from an earlier run, or a new one. */
static const ipsim_target_stats *stats_at(seek *s, double v)
{
    ipsim_solve_result *r = s->res;
    for (size_t i = 0; i < r->n_evals; i++)
        if (r->evals[i].x == v)
            return &r->evals[i].st;
    if (s->rc != IPSIM_OK)
        return NULL;
    if ((int)r->n_evals >= (s->o->max_evals > 0 ? s->o->max_evals : DEFAULT_MAX_EVALS)) {
        s->rc = ipsim_error_set(s->err, IPSIM_EFAIL, "goal seek stopped after %zu runs "
                                "(raise --tol)", r->n_evals);
        return NULL;
    }
    ipsim_solve_eval *e = realloc(r->evals, (r->n_evals + 1) * sizeof *e);
    if (!e) {
        s->rc = ipsim_error_set(s->err, IPSIM_ENOMEM, "out of memory");
        return NULL;
    }
    r->evals = e;
    char num[IPSIM_CSV_NUM_BUF];
    char *set = cat3(s->o->key, "=", ipsim_csv_format_number(num, v));
    ipsim_experiment_point pt;
    s->rc = set ? ipsim_experiment_eval(s->x, set, &pt, s->err)
                : ipsim_error_set(s->err, IPSIM_ENOMEM, "out of memory");
    free(set);
    if (s->rc == IPSIM_OK && s->o->target >= pt.n_targets)
        s->rc = ipsim_error_set(s->err, IPSIM_EINPUT, "%s=%s leaves the scenario with %zu "
                                "targets (expected target %zu to exist)", s->o->key, num,
                                pt.n_targets, s->o->target);
    if (s->rc != IPSIM_OK) {
        ipsim_experiment_point_free(&pt);
        return NULL;
    }
    e = &r->evals[r->n_evals++];
    e->x = v;
    e->st = pt.targets[s->o->target];
    ipsim_experiment_point_free(&pt);
    return &e->st;
}

static int met(const seek *s, const ipsim_target_stats *st)
{
    return st->p_met >= s->o->prob;
}

/* f(v) = P_met(v) - P, moved off 0 when P is met exactly: GSL's bisection
 * would take an exact zero as the root, but "met" is the side we want. */
static double seek_f(double v, void *ctx)
{
    seek *s = ctx;
    const ipsim_target_stats *st = stats_at(s, v);
    if (!st)
        return 1.0; /* finite, so GSL does not call its error handler; s->rc stops us */
    double d = st->p_met - s->o->prob;
    return met(s, st) ? fmax(d, 1e-12) : (d < 0 ? d : -1e-12);
}

static int check_solve_opts(const ipsim_solve_opts *o, ipsim_error *err)
{
    if (!(o->lo < o->hi) || !isfinite(o->lo) || !isfinite(o->hi))
        return ipsim_error_set(err, IPSIM_EINPUT, "--range: expected LO:HI with LO < HI, both "
                               "finite");
    if (!(o->prob > 0 && o->prob <= 1))
        return ipsim_error_set(err, IPSIM_EINPUT, "--prob: %g is out of range (expected a "
                               "probability in (0, 1])", o->prob);
    if (!(o->tol > 0) || !isfinite(o->tol))
        return ipsim_error_set(err, IPSIM_EINPUT, "--tol: expected a number > 0");
    return IPSIM_OK;
}

/* Bisection between an unmet and a met end; the met end of the last
 * bracket is the answer. */
static int bisect(seek *s, ipsim_solve_result *res)
{
    const ipsim_solve_opts *o = s->o;
    gsl_function F = {seek_f, s};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_bisection);
    if (!solver)
        return ipsim_error_set(s->err, IPSIM_ENOMEM, "out of memory");
    gsl_root_fsolver_set(solver, &F, o->lo, o->hi); /* both ends are cached */
    double a = o->lo, b = o->hi;
    while (s->rc == IPSIM_OK && gsl_root_test_interval(a, b, o->tol, 0) == GSL_CONTINUE) {
        gsl_root_fsolver_iterate(solver);
        a = gsl_root_fsolver_x_lower(solver);
        b = gsl_root_fsolver_x_upper(solver);
    }
    gsl_root_fsolver_free(solver);
    if (s->rc != IPSIM_OK)
        return s->rc;
    res->status = IPSIM_SOLVE_FOUND;
    res->bracket_lo = a;
    res->bracket_hi = b;
    res->x = o->direction == IPSIM_SOLVE_MIN ? b : a;
    res->at = *stats_at(s, res->x);
    return IPSIM_OK;
}

int ipsim_experiment_solve(ipsim_experiment *x, const ipsim_solve_opts *o,
                           ipsim_solve_result *res, ipsim_error *err)
{
    memset(res, 0, sizeof *res);
    int rc = check_solve_opts(o, err);
    if (rc != IPSIM_OK)
        return rc;
    seek s = {x, o, res, err, IPSIM_OK};
    const ipsim_target_stats *st = stats_at(&s, o->lo);
    if (st)
        res->at_lo = *st; /* copied: the next run may move the array */
    if (!st || !(st = stats_at(&s, o->hi)))
        return s.rc;
    res->at_hi = *st;
    int min = o->direction == IPSIM_SOLVE_MIN;
    const ipsim_target_stats *near = min ? &res->at_lo : &res->at_hi;
    const ipsim_target_stats *far = min ? &res->at_hi : &res->at_lo;
    if (met(&s, near)) {
        res->status = IPSIM_SOLVE_AT_END;
        res->x = min ? o->lo : o->hi;
        res->at = *near;
        return IPSIM_OK;
    }
    if (!met(&s, far)) {
        res->status = IPSIM_SOLVE_UNREACHABLE;
        return IPSIM_OK;
    }
    return bisect(&s, res);
}

void ipsim_solve_result_free(ipsim_solve_result *res)
{
    free(res->evals);
    memset(res, 0, sizeof *res);
}
