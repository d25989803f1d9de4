/* cli_sweep.c -- `ipsim sweep`: one lever over a list or a range of values,
 * every run on the same seed and paths (common random numbers), one CSV row
 * per value with P(met) of every target and the mean of its metric. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_experiment.h"
#include "csv.h"
#include "metrics.h"
#include "outpath.h"

static const cli_option sweep_options[] = {
    CLI_EXP_OPTIONS,
    {0, "vary", "KEY=VALUES", "the lever and its values: KEY=LO:HI:STEP or KEY=a,b,c (required)"},
    {'o', "output", "FILE", "CSV file (default: standard output)"},
    {0, "metric", "NAME", "also report the mean of this province yearly metric ..."},
    {0, "year", "YEAR", "... in this calendar year (with --metric)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_VARY = CLI_EXP_N, OPT_OUTPUT, OPT_METRIC, OPT_YEAR };

static const cli_command sweep_cmd = {
    "sweep",
    "ipsim sweep SCENARIO --vary KEY=LO:HI:STEP|KEY=a,b,c [-n PATHS] [-s SEED] [-j THREADS]\n"
    "                   [--set KEY=VALUE]... [--metric NAME --year YEAR] [-o FILE.csv]",
    "Runs SCENARIO once for each value of one lever KEY (written as for --set), every\n"
    "run with the same seed and paths (common random numbers, so differences between\n"
    "rows are the lever's effect, not noise), and writes CSV: one header row, then one\n"
    "row per value with the value and, for every target, P(met), the 95% Wilson\n"
    "interval and the mean of the target's metric; with --metric, also the mean of\n"
    "that province metric in YEAR.  LO:HI:STEP gives LO, LO+STEP, ... up to HI; a list\n"
    "a,b,c may hold YAML values ([...] and {...} keep their commas).  Every value is\n"
    "checked before the first run, and no results file is left behind.",
    "ipsim sweep scenarios/thai_binh_2025.yaml -n 2000 --vary "
    "'zones[Lien Ha Thai].clearance_ha_per_year=0:200:50' --metric leased_ha --year 2030",
    sweep_options,
};

typedef struct {
    cli_exp_args e;
    const char *vary, *output, *metric;
    const char *scenario;
    int year_given;
    unsigned long long year;
} sweep_args;

static int sweep_option(void *ctx, int k, const char *arg)
{
    sweep_args *a = ctx;
    switch (k) {
    case OPT_VARY:
        a->vary = arg;
        return 0;
    case OPT_OUTPUT:
        a->output = arg;
        return 0;
    case OPT_METRIC:
        a->metric = arg;
        return 0;
    case OPT_YEAR:
        a->year_given = 1;
        return cli_whole("sweep", "--year", arg, 1, 9999, &a->year);
    default:
        return cli_exp_option("sweep", &a->e, k, arg);
    }
}

static int usage_error(const char *what)
{
    fprintf(stderr, "ipsim sweep: %s (see 'ipsim sweep --help')\n", what);
    return CLI_EXIT_INPUT;
}

static int check_args(sweep_args *a, int n_pos)
{
    if (n_pos != 1)
        return usage_error("expected one SCENARIO file");
    if (!a->vary)
        return usage_error("--vary KEY=VALUES is required");
    if (a->vary[cli_exp_key_len(a->vary)] != '=')
        return usage_error("--vary: expected KEY=LO:HI:STEP or KEY=a,b,c");
    if (!a->metric != !a->year_given)
        return usage_error("--metric and --year go together");
    if (a->metric && (a->e.o.metric = ipsim_metric_find(a->metric)) < 0) {
        fprintf(stderr, "ipsim sweep: --metric: unknown metric '%s' (expected one of:", a->metric);
        for (int m = 0; m < IPSIM_NMETRICS; m++)
            fprintf(stderr, "%s %s", m ? "," : "", ipsim_metric_get(m)->name);
        fprintf(stderr, ")\n");
        return CLI_EXIT_INPUT;
    }
    a->e.o.year = (int)a->year;
    return 0;
}

/* "KEY=value" for every value of --vary. */
static int make_sets(const char *vary, char ***sets, size_t *n)
{
    ipsim_error err = {0};
    size_t klen = cli_exp_key_len(vary);
    char **values;
    int rc = ipsim_sweep_values(vary + klen + 1, &values, n, &err);
    if (rc != IPSIM_OK)
        return cli_fail(&err);
    *sets = values; /* rewritten in place, value by value */
    for (size_t i = 0; i < *n; i++) {
        size_t vlen = strlen(values[i]);
        char *s = malloc(klen + vlen + 2);
        if (!s) {
            ipsim_sweep_values_free(values, *n);
            *sets = NULL;
            fprintf(stderr, "ipsim: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        memcpy(s, vary, klen + 1);
        memcpy(s + klen + 1, values[i], vlen + 1);
        free(values[i]);
        values[i] = s;
    }
    return 0;
}

/* Every point must report the same targets, or the columns would lie. */
static int same_targets(const ipsim_experiment_point *p, const ipsim_experiment_point *q,
                        const char *set)
{
    int same = p->n_targets == q->n_targets;
    for (size_t i = 0; same && i < p->n_targets; i++)
        same = !strcmp(p->names[i], q->names[i]);
    if (!same)
        fprintf(stderr, "ipsim sweep: --set %s changes the scenario's targets (expected the "
                        "same targets for every value)\n", set);
    return same ? 0 : CLI_EXIT_INPUT;
}

static char **header_new(const ipsim_experiment_point *p, const char *key, const char *metric,
                         int year, size_t *n)
{
    static const char *const cols[] = {"p_met", "p_low", "p_high", "mean"};
    *n = 1 + 4 * p->n_targets + (metric != NULL);
    char **h = calloc(*n, sizeof *h);
    for (size_t i = 0; h && i < *n; i++) {
        const char *name = i == 0 ? key : NULL;
        char buf[600];
        if (i > 0 && i <= 4 * p->n_targets)
            snprintf(buf, sizeof buf, "%s %s", p->names[(i - 1) / 4], cols[(i - 1) % 4]);
        else if (i > 0)
            snprintf(buf, sizeof buf, "mean %s %d", metric, year);
        if (!(h[i] = strdup(name ? name : buf))) {
            ipsim_sweep_values_free(h, i);
            return NULL;
        }
    }
    return h;
}

static int write_csv(const sweep_args *a, char *const *sets, const ipsim_experiment_point *pts,
                     size_t n)
{
    ipsim_error err = {0};
    ipsim_csv *c = NULL;
    size_t klen = cli_exp_key_len(a->vary), n_cols = 0;
    char *key = strndup(a->vary, klen);
    char **h = key ? header_new(&pts[0], key, a->metric, a->e.o.year, &n_cols) : NULL;
    int rc = !h ? ipsim_error_set(&err, IPSIM_ENOMEM, "out of memory")
             : a->output
                 ? ipsim_csv_open(&c, a->output, (const char *const *)h, n_cols, &err)
                 : ipsim_csv_attach(&c, stdout, "standard output", (const char *const *)h, n_cols,
                                    &err);
    for (size_t i = 0; rc == IPSIM_OK && i < n; i++) {
        ipsim_csv_str(c, sets[i] + klen + 1);
        for (size_t t = 0; t < pts[i].n_targets; t++) {
            const ipsim_target_stats *s = &pts[i].targets[t];
            ipsim_csv_num(c, s->p_met);
            ipsim_csv_num(c, s->p_low);
            ipsim_csv_num(c, s->p_high);
            ipsim_csv_num(c, s->mean);
        }
        if (pts[i].has_metric)
            ipsim_csv_num(c, pts[i].metric.mean);
        ipsim_csv_end_row(c);
    }
    if (rc == IPSIM_OK)
        rc = ipsim_csv_close(c, &err);
    ipsim_sweep_values_free(h, n_cols);
    free(key);
    return rc == IPSIM_OK ? 0 : cli_fail(&err);
}

/* Checks every value, then runs them in order. */
static int sweep(sweep_args *a, ipsim_experiment *x, char **sets, size_t n)
{
    ipsim_error err = {0};
    for (size_t i = 0; i < n; i++)
        if (ipsim_experiment_check(x, sets[i], &err) != IPSIM_OK)
            return cli_exp_fail("sweep", "--vary", &err);
    if (a->output && (ipsim_outpath_check(a->output, &err) != IPSIM_OK ||
                      ipsim_outpath_check_inputs(a->output, &a->scenario, 1, &err) != IPSIM_OK))
        return cli_fail(&err);
    ipsim_experiment_point *pts = calloc(n, sizeof *pts);
    if (!pts) {
        fprintf(stderr, "ipsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int tty = isatty(STDERR_FILENO), rc = 0;
    double t0 = cli_now();
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (tty)
            fprintf(stderr, "\rsweep: run %zu of %zu ", i + 1, n);
        if (ipsim_experiment_eval(x, sets[i], &pts[i], &err) != IPSIM_OK)
            rc = cli_exp_fail("sweep", sets[i], &err);
        else if (i > 0)
            rc = same_targets(&pts[0], &pts[i], sets[i]);
    }
    if (tty)
        fprintf(stderr, "\r%30s\r", "");
    if (rc == 0)
        rc = write_csv(a, sets, pts, n);
    if (rc == 0)
        fprintf(stderr, "sweep: %zu value%s of %.*s, %zu paths each, seed %llu, common random "
                        "numbers, %.1f s%s%s\n", n, n == 1 ? "" : "s", (int)cli_exp_key_len(a->vary),
                a->vary, pts[0].n_paths, (unsigned long long)pts[0].seed, cli_now() - t0,
                a->output ? " -> " : "", a->output ? a->output : "");
    for (size_t i = 0; i < n; i++)
        ipsim_experiment_point_free(&pts[i]);
    free(pts);
    return rc;
}

int cli_cmd_sweep(int argc, char **argv)
{
    sweep_args a = {0};
    cli_exp_init(&a.e);
    const char *pos[1];
    int n_pos;
    ipsim_experiment *x = NULL;
    char **sets = NULL;
    size_t n = 0;
    int rc = cli_parse(&sweep_cmd, argc, argv, sweep_option, &a, pos, 1, &n_pos);
    if (rc == 0)
        rc = check_args(&a, n_pos);
    if (rc == 0)
        rc = make_sets(a.vary, &sets, &n);
    if (rc == 0) {
        a.scenario = pos[0];
        rc = cli_exp_open(&a.e, pos[0], &x);
    }
    if (rc == 0)
        rc = sweep(&a, x, sets, n);
    ipsim_sweep_values_free(sets, n);
    cli_exp_done(&a.e, x);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
