/* cli_solve.c -- `ipsim solve`: goal seek.  The smallest (or largest) value
 * of one lever for which a target is met with probability at least P, by
 * bisection on common random numbers (ipsim_experiment_solve). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_experiment.h"
#include "csv.h"

static const cli_option solve_options[] = {
    CLI_EXP_OPTIONS,
    {0, "target", "NAME", "the target, by name (or index from 0) (required)"},
    {0, "prob", "P", "the probability of meeting it to reach, in (0, 1] (required)"},
    {0, "vary", "KEY", "the lever, a key as for --set (required)"},
    {0, "range", "LO:HI", "the lever's values to search, LO < HI (required)"},
    {0, "direction", "min|max", "the smallest (min, default) or largest (max) value reaching P"},
    {0, "tol", "X", "stop when the answer is bracketed this tightly (default (HI-LO)/1000)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_TARGET = CLI_EXP_N, OPT_PROB, OPT_VARY, OPT_RANGE, OPT_DIRECTION, OPT_TOL };

static const cli_command solve_cmd = {
    "solve",
    "ipsim solve SCENARIO --target NAME --prob P --vary KEY --range LO:HI\n"
    "                   [--direction min|max] [--tol X] [-n PATHS] [-s SEED] [-j THREADS]\n"
    "                   [--set KEY=VALUE]...",
    "Goal seek: finds the smallest (--direction min) or largest (max) value of the lever\n"
    "KEY in [LO, HI] for which P(target met) >= P.  Every run uses the same seed and\n"
    "paths (common random numbers), so P(met) is a step function of the lever: only the\n"
    "sign of P(met) - P carries information, and bisection on that sign (GSL's\n"
    "gsl_root_fsolver_bisection) is the honest method; it brackets the switch to --tol.\n"
    "If P(met) moves one way with the lever the answer is the first value that reaches\n"
    "P; otherwise it is one such switch.  Prints every run, the value found, P(met)\n"
    "there with its 95% Wilson interval and the number of runs.  When P is reached at\n"
    "neither end of the range, says so with P(met) at both ends and exits with 1.\n"
    "The lever must accept fractional values (bisection halves the range).",
    "ipsim solve scenarios/thai_binh_2025.yaml --target 'FDI 2025' --prob 0.5 "
    "--vary 'zones[VSIP Thai Binh].attractiveness' --range 1:3 --tol 0.01 -n 2000",
    solve_options,
};

typedef struct {
    cli_exp_args e;
    ipsim_solve_opts s;
    const char *target;
    int have_prob, have_range, have_tol;
} solve_args;

static int parse_range(const char *arg, ipsim_solve_opts *s)
{
    const char *colon = strchr(arg, ':');
    char lo[64];
    if (!colon || (size_t)(colon - arg) >= sizeof lo) {
        fprintf(stderr, "ipsim solve: --range: '%s' is not valid (expected LO:HI)\n", arg);
        return CLI_EXIT_INPUT;
    }
    memcpy(lo, arg, (size_t)(colon - arg));
    lo[colon - arg] = '\0';
    int rc = cli_exp_number("solve", "--range LO", lo, &s->lo);
    if (rc == 0)
        rc = cli_exp_number("solve", "--range HI", colon + 1, &s->hi);
    if (rc == 0 && !(s->lo < s->hi)) {
        fprintf(stderr, "ipsim solve: --range: '%s' is not valid (expected LO < HI)\n", arg);
        rc = CLI_EXIT_INPUT;
    }
    return rc;
}

static int solve_option(void *ctx, int k, const char *arg)
{
    solve_args *a = ctx;
    int rc = 0;
    switch (k) {
    case OPT_TARGET:
        a->target = arg;
        break;
    case OPT_PROB:
        a->have_prob = 1;
        rc = cli_exp_number("solve", "--prob", arg, &a->s.prob);
        if (rc == 0 && !(a->s.prob > 0 && a->s.prob <= 1)) {
            fprintf(stderr, "ipsim solve: --prob: '%s' is out of range (expected a probability "
                            "in (0, 1])\n", arg);
            rc = CLI_EXIT_INPUT;
        }
        break;
    case OPT_VARY:
        a->s.key = arg;
        break;
    case OPT_RANGE:
        a->have_range = 1;
        rc = parse_range(arg, &a->s);
        break;
    case OPT_DIRECTION:
        if (!strcmp(arg, "min") || !strcmp(arg, "max")) {
            a->s.direction = arg[1] == 'i' ? IPSIM_SOLVE_MIN : IPSIM_SOLVE_MAX;
        } else {
            fprintf(stderr, "ipsim solve: --direction: '%s' is not valid (expected min or max)\n",
                    arg);
            rc = CLI_EXIT_INPUT;
        }
        break;
    case OPT_TOL:
        a->have_tol = 1;
        rc = cli_exp_number("solve", "--tol", arg, &a->s.tol);
        if (rc == 0 && !(a->s.tol > 0)) {
            fprintf(stderr, "ipsim solve: --tol: '%s' is out of range (expected a number > 0)\n",
                    arg);
            rc = CLI_EXIT_INPUT;
        }
        break;
    default:
        rc = cli_exp_option("solve", &a->e, k, arg);
    }
    return rc;
}

static int check_args(solve_args *a, int n_pos)
{
    const char *missing = n_pos != 1 ? "expected one SCENARIO file"
                          : !a->target ? "--target NAME is required"
                          : !a->have_prob ? "--prob P is required"
                          : !a->s.key ? "--vary KEY is required"
                          : !a->have_range ? "--range LO:HI is required" : NULL;
    if (!missing && a->s.key[cli_exp_key_len(a->s.key)] == '=')
        missing = "--vary: expected a KEY alone (the values come from --range)";
    if (missing) {
        fprintf(stderr, "ipsim solve: %s (see 'ipsim solve --help')\n", missing);
        return CLI_EXIT_INPUT;
    }
    if (!a->have_tol)
        a->s.tol = (a->s.hi - a->s.lo) / 1000;
    return 0;
}

/* --target: a name of the scenario's targets, else an index. */
static int find_target(const ipsim_scenario *scn, const char *name, size_t *out)
{
    for (size_t i = 0; i < scn->n_targets; i++)
        if (!strcmp(scn->targets[i].name, name)) {
            *out = i;
            return 0;
        }
    char *end;
    unsigned long long k = strtoull(name, &end, 10);
    if (name[0] >= '0' && name[0] <= '9' && *end == '\0' && k < scn->n_targets) {
        *out = (size_t)k;
        return 0;
    }
    fprintf(stderr, "ipsim solve: --target: no target is named '%s' (expected ", name);
    if (scn->n_targets == 0)
        fprintf(stderr, "a scenario with targets:; this one has none)\n");
    for (size_t i = 0; i < scn->n_targets; i++)
        fprintf(stderr, "'%s'%s", scn->targets[i].name, i + 1 < scn->n_targets ? ", " : " or an "
                "index)\n");
    return CLI_EXIT_INPUT;
}

/* Checks the lever at both ends before the first run. */
static int check_lever(ipsim_experiment *x, const ipsim_solve_opts *s)
{
    double ends[2] = {s->lo, s->hi};
    for (int i = 0; i < 2; i++) {
        char num[IPSIM_CSV_NUM_BUF], set[1024];
        ipsim_error err = {0};
        snprintf(set, sizeof set, "%s=%s", s->key, ipsim_csv_format_number(num, ends[i]));
        if (ipsim_experiment_check(x, set, &err) != IPSIM_OK)
            return cli_exp_fail("solve", "--vary/--range", &err);
    }
    return 0;
}

static const char *fmt(char buf[IPSIM_CSV_NUM_BUF], double v)
{
    return ipsim_csv_format_number(buf, v);
}

static void print_runs(const ipsim_solve_result *r)
{
    char v[IPSIM_CSV_NUM_BUF];
    printf("  run  %-14s  %6s  %s\n", "value", "P(met)", "95% interval");
    for (size_t i = 0; i < r->n_evals; i++) {
        const ipsim_solve_eval *e = &r->evals[i];
        printf("  %3zu  %-14s  %6.3f  [%.3f, %.3f]\n", i + 1, fmt(v, e->x), e->st.p_met,
               e->st.p_low, e->st.p_high);
    }
    printf("\n");
}

static int report(const solve_args *a, const ipsim_scenario *base, const ipsim_solve_result *r)
{
    const ipsim_solve_opts *s = &a->s;
    const char *tname = base->targets[s->target].name;
    int min = s->direction == IPSIM_SOLVE_MIN;
    char x[IPSIM_CSV_NUM_BUF], lo[IPSIM_CSV_NUM_BUF], hi[IPSIM_CSV_NUM_BUF], t[IPSIM_CSV_NUM_BUF];
    print_runs(r);
    if (r->status == IPSIM_SOLVE_UNREACHABLE) {
        fflush(stdout);
        fprintf(stderr, "ipsim solve: P(%s met) >= %g is not reached anywhere in [%s, %s]: "
                        "P(met) = %.3f [%.3f, %.3f] at %s and %.3f [%.3f, %.3f] at %s\n",
                tname, s->prob, fmt(lo, s->lo), fmt(hi, s->hi), r->at_lo.p_met, r->at_lo.p_low,
                r->at_lo.p_high, lo, r->at_hi.p_met, r->at_hi.p_low, r->at_hi.p_high, hi);
        return CLI_EXIT_FAIL;
    }
    printf("%s %s = %s\n", min ? "smallest" : "largest", s->key, fmt(x, r->x));
    printf("P(%s met) = %.3f, 95%% interval [%.3f, %.3f], %zu paths\n", tname, r->at.p_met,
           r->at.p_low, r->at.p_high, r->at.n);
    if (r->status == IPSIM_SOLVE_AT_END)
        printf("P(met) >= %g already at the %s end of the range: a %s value may reach it too\n",
               s->prob, min ? "low" : "high", min ? "smaller" : "larger");
    else
        printf("the switch lies in [%s, %s] (--tol %s); the %s value there misses P\n",
               fmt(lo, r->bracket_lo), fmt(hi, r->bracket_hi), fmt(t, s->tol),
               min ? "lower" : "upper");
    printf("%zu runs\n", r->n_evals);
    return CLI_EXIT_OK;
}

static int solve(solve_args *a, ipsim_experiment *x)
{
    const ipsim_scenario *base = ipsim_experiment_base(x);
    ipsim_solve_result r;
    ipsim_error err = {0};
    int rc = find_target(base, a->target, &a->s.target);
    if (rc == 0)
        rc = check_lever(x, &a->s);
    if (rc != 0)
        return rc;
    printf("goal seek: %s %s in [%g, %g] with P(%s met) >= %g\n",
           a->s.direction == IPSIM_SOLVE_MIN ? "smallest" : "largest", a->s.key, a->s.lo,
           a->s.hi, base->targets[a->s.target].name, a->s.prob);
    printf("%zu paths per run, seed %llu, common random numbers, bisection on the sign of "
           "P(met) - %g\n\n", a->e.o.n_paths,
           (unsigned long long)(a->e.o.seed_given ? a->e.o.seed : base->has_seed ? base->seed : 1),
           a->s.prob);
    fflush(stdout);
    if (ipsim_experiment_solve(x, &a->s, &r, &err) != IPSIM_OK)
        rc = cli_exp_fail("solve", "--vary", &err);
    else
        rc = report(a, base, &r);
    ipsim_solve_result_free(&r);
    return rc;
}

int cli_cmd_solve(int argc, char **argv)
{
    solve_args a = {0};
    cli_exp_init(&a.e);
    const char *pos[1];
    int n_pos;
    ipsim_experiment *x = NULL;
    int rc = cli_parse(&solve_cmd, argc, argv, solve_option, &a, pos, 1, &n_pos);
    if (rc == 0)
        rc = check_args(&a, n_pos);
    if (rc == 0)
        rc = cli_exp_open(&a.e, pos[0], &x);
    if (rc == 0)
        rc = solve(&a, x);
    cli_exp_done(&a.e, x);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
