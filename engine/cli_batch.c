/* cli_batch.c -- `ipsim batch`: every scenario run with one seed and path
 * count (so their results are paired), one results file each, then the
 * comparison printed and written to DIR/comparison.csv.
 *
 * Every scenario is validated before any is run; one that fails is reported
 * and left out, and the others still run.  Exit status: 2 if any scenario
 * was bad input, else 1 if any run failed, else 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "cli.h"
#include "outpath.h"
#include "results.h"
#include "run.h"
#include "stream.h"

#define MAX_SCENARIOS 1000

static const cli_option batch_options[] = {
    {'o', "output", "DIR", "directory for the results and comparison.csv (required; created)"},
    {'n', "paths", "PATHS", "Monte Carlo paths of every scenario (default 10000)"},
    {'s', "seed", "SEED", "seed of every scenario (default: the first scenario's `seed`, else 1)"},
    {'j', "threads", "THREADS", "worker threads (default: all cores)"},
    {0, "store", "WHAT", "summary | yearly | monthly per-path results (default yearly)"},
    {0, "metric", "LIST", CLI_METRICS_HELP},
    {0, "set", "KEY=VALUE", "override a key in every scenario, e.g. macro.sigma=0.3 (repeatable)"},
    {'q', "quiet", NULL, "print nothing but errors (comparison.csv is still written)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_OUTPUT, OPT_PATHS, OPT_SEED, OPT_THREADS, OPT_STORE, OPT_METRIC, OPT_SET, OPT_QUIET };

static const cli_command batch_cmd = {
    "batch",
    "ipsim batch SCENARIO... -o DIR [-n PATHS] [-s SEED] [-j THREADS] [--store WHAT]\n"
    "                   [--metric LIST] [--set KEY=VALUE]... [--quiet]",
    "Runs every SCENARIO with the same seed and number of paths, so that their results\n"
    "are paired (common random numbers), and writes DIR/<scenario file stem>.h5 for each,\n"
    "then DIR/comparison.csv (one row per scenario and target: P(met), quantiles,\n"
    "shortfall, and the paired difference in P(met) from the first scenario with its\n"
    "95% interval), and prints the comparison as 'ipsim compare' does.  A scenario that\n"
    "fails validation is reported and skipped; the others still run.  Exit status 2 if\n"
    "any scenario is bad input, 1 if any run failed, 0 if all ran.",
    "ipsim batch scenarios/thai_binh_2025.yaml thai_binh_clearance.yaml -o policies -n 2000",
    batch_options,
};

typedef struct {
    ipsim_run_opts opts;
    int seed_given, quiet;
    const char *dir;
    cli_metrics metrics;
    cli_sets sets;
} batch_args;


static int batch_option(void *ctx, int k, const char *arg)
{
    batch_args *a = ctx;
    int rc = 0;
    switch (k) {
    case OPT_OUTPUT:
        a->dir = arg;
        break;
    case OPT_PATHS:
        rc = cli_paths("batch", arg, &a->opts.n_paths);
        break;
    case OPT_SEED:
        rc = cli_seed("batch", arg, &a->opts.seed);
        a->seed_given = 1;
        break;
    case OPT_THREADS:
        rc = cli_threads("batch", arg, &a->opts.threads);
        break;
    case OPT_STORE:
        rc = cli_store_parse("batch", arg, &a->opts.store);
        break;
    case OPT_METRIC:
        rc = cli_metrics_parse("batch", arg, &a->metrics);
        break;
    case OPT_SET:
        rc = cli_sets_add(&a->sets, arg);
        break;
    default:
        a->quiet = 1;
    }
    return rc;
}

/* DIR/<stem>.h5: the file name without its directory and last extension. */
static char *output_name(const char *dir, const char *scenario)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    size_t n = strlen(dir) + len + 5;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%.*s.h5", dir, (int)len, base);
    return s;
}

typedef struct {
    const char *path;
    ipsim_scenario scn;
    int loaded;
    char *output;
    int ran;
} batch_item;

/* Loads every scenario; returns 2 if any is bad input, 0 otherwise. */
static int load_all(batch_item *it, int n, const batch_args *a)
{
    int status = 0;
    for (int i = 0; i < n; i++) {
        ipsim_error err = {0};
        if (ipsim_scenario_load_with(&it[i].scn, it[i].path, a->sets.v, a->sets.n, &err) !=
            IPSIM_OK) {
            int rc = cli_fail(&err);
            status = rc > status ? rc : status;
            fprintf(stderr, "ipsim batch: %s skipped\n", it[i].path);
            continue;
        }
        it[i].loaded = 1;
    }
    return status;
}

/* Two scenarios that would write the same file, or a scenario's results
 * that would replace a scenario file: bad input, nothing runs. */
static int check_outputs(batch_item *it, const char *const *paths, int n, const char *dir)
{
    ipsim_error err = {0};
    for (int i = 0; i < n; i++) {
        if (!it[i].loaded)
            continue;
        it[i].output = output_name(dir, it[i].path);
        if (!it[i].output) {
            fprintf(stderr, "ipsim: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        for (int j = 0; j < i; j++)
            if (it[j].output && strcmp(it[i].output, it[j].output) == 0) {
                fprintf(stderr, "ipsim batch: %s and %s would both write %s (rename one)\n",
                        it[j].path, it[i].path, it[i].output);
                return CLI_EXIT_INPUT;
            }
        if (ipsim_outpath_check_inputs(it[i].output, paths, (size_t)n, &err) != IPSIM_OK)
            return cli_fail(&err);
    }
    return 0;
}

/* Runs scenario i; returns 0 or the exit status of its failure. */
static int run_one(batch_item *it, int i, int n, const batch_args *a)
{
    cli_progress prog;
    ipsim_run_opts o = a->opts;
    cli_progress_start(&prog, (!a->quiet && isatty(STDERR_FILENO)) ? stderr : NULL);
    o.progress = cli_progress_update;
    o.progress_ctx = &prog;
    ipsim_error err = {0};
    double t0 = cli_now();
    int rc = ipsim_run(&it[i].scn, &o, it[i].output, NULL, &err);
    cli_progress_end(&prog);
    if (rc != IPSIM_OK) {
        rc = cli_fail(&err);
        fprintf(stderr, "ipsim batch: %s failed\n", it[i].path);
        return rc;
    }
    it[i].ran = 1;
    if (!a->quiet)
        printf("[%d/%d] %s: %.2f s -> %s\n", i + 1, n, it[i].scn.name, cli_now() - t0,
               it[i].output);
    return 0;
}

/* Seed: -s, else the first loaded scenario's `seed`, else 1. */
static void choose_seed(batch_args *a, const batch_item *it, int n)
{
    const char *from = "-s";
    if (!a->seed_given) {
        a->opts.seed = 1;
        from = "default: the first scenario has no seed";
        for (int i = 0; i < n; i++)
            if (it[i].loaded) {
                if (it[i].scn.has_seed) {
                    a->opts.seed = it[i].scn.seed;
                    from = "the first scenario's seed";
                }
                break;
            }
    }
    if (!a->quiet) {
        int threads = a->opts.threads > 0 ? a->opts.threads : omp_get_max_threads();
        printf("batch: seed %llu (%s), %zu paths, %d thread%s, every scenario alike\n",
               (unsigned long long)a->opts.seed, from, a->opts.n_paths, threads,
               threads == 1 ? "" : "s");
    }
}

/* Opens the files that were written and reports their comparison. */
static int report(batch_item *it, int n, const batch_args *a)
{
    ipsim_rfile *files = calloc((size_t)n + 1, sizeof *files);
    char *csv = malloc(strlen(a->dir) + sizeof "/comparison.csv");
    ipsim_error err = {0};
    int m = 0, rc = files && csv ? 0 : CLI_EXIT_FAIL;
    if (csv)
        sprintf(csv, "%s/comparison.csv", a->dir);
    for (int i = 0; i < n && rc == 0; i++)
        if (it[i].ran) {
            if (ipsim_rfile_open(&files[m], it[i].output, &err) != IPSIM_OK)
                rc = cli_fail(&err);
            else
                m++;
        }
    if (rc == 0 && m > 0) {
        if (!a->quiet)
            printf("\n");
        if (cli_compare_report(a->quiet ? NULL : stdout, files, (size_t)m, &a->metrics, NULL, 0,
                               csv, &err) != IPSIM_OK)
            rc = cli_fail(&err);
        else if (!a->quiet)
            printf("\nwrote %s\n", csv);
    }
    for (int i = 0; i < m; i++)
        ipsim_rfile_close(&files[i]);
    free(files);
    free(csv);
    return rc;
}

int cli_cmd_batch(int argc, char **argv)
{
    batch_args a = {0};
    ipsim_run_opts_init(&a.opts);
    cli_metrics_default(&a.metrics);
    const char **pos = malloc(MAX_SCENARIOS * sizeof *pos);
    batch_item *it = calloc(MAX_SCENARIOS, sizeof *it);
    int n = 0, rc = pos && it ? 0 : CLI_EXIT_FAIL;
    if (rc == 0)
        rc = cli_parse(&batch_cmd, argc, argv, batch_option, &a, pos, MAX_SCENARIOS, &n);
    if (rc == 0 && (n < 1 || !a.dir)) {
        fprintf(stderr, "ipsim batch: expected SCENARIO files and -o DIR (see 'ipsim batch "
                        "--help')\n");
        rc = CLI_EXIT_INPUT;
    }
    for (int i = 0; i < n && rc == 0; i++)
        it[i].path = pos[i];
    int bad = rc == 0 ? load_all(it, n, &a) : 0;
    if (rc == 0)
        rc = check_outputs(it, pos, n, a.dir);
    if (rc == 0)
        rc = cli_make_dir("batch", a.dir);
    int failed = 0;
    if (rc == 0) {
        choose_seed(&a, it, n);
        for (int i = 0; i < n; i++)
            if (it[i].loaded && run_one(it, i, n, &a) != 0)
                failed++;
        rc = report(it, n, &a);
    }
    for (int i = 0; rc == 0 && i < n; i++)
        if (!it[i].ran)
            fprintf(stderr, "ipsim batch: not run: %s (%s)\n", it[i].path,
                    it[i].loaded ? "run failed" : "bad input");
    for (int i = 0; it && i < n; i++) {
        if (it[i].loaded)
            ipsim_scenario_free(&it[i].scn);
        free(it[i].output);
    }
    free(it);
    free(pos);
    cli_sets_free(&a.sets);
    if (rc < 0)
        return CLI_EXIT_OK;
    if (rc != 0)
        return rc;
    return bad ? CLI_EXIT_INPUT : failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
