/* cli_run.c -- `ipsim run`: validate, simulate every path, write the
 * results file, print the target table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "cli.h"
#include "results.h"
#include "run.h"
#include "stream.h"
#include "scenario.h"

static const cli_option run_options[] = {
    {'n', "paths", "PATHS", "number of Monte Carlo paths (default 10000)"},
    {'s', "seed", "SEED", "random seed (default: the scenario's `seed`, else 1)"},
    {'j', "threads", "THREADS", "worker threads (default: all cores)"},
    {'o', "output", "FILE", "results file (default: scenario name + .h5)"},
    {0, "store", "WHAT", "summary | yearly | monthly per-path results (default yearly)"},
    {'q', "quiet", NULL, "print nothing but errors (no progress bar, no table)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_PATHS, OPT_SEED, OPT_THREADS, OPT_OUTPUT, OPT_STORE, OPT_QUIET };

static const cli_command run_cmd = {
    "run", "ipsim run SCENARIO [-n PATHS] [-s SEED] [-j THREADS] [-o FILE] [--store WHAT] [--quiet]",
    "Runs the Monte Carlo paths of SCENARIO (a YAML file), writes every result to an HDF5\n"
    "file and prints the target table: P(met) with its 95% Wilson interval, the metric's\n"
    "5%, 50% and 95% quantiles and the expected shortfall.  Results are bit-identical\n"
    "whatever THREADS is.  The file is written as FILE.partial and renamed on success.",
    "ipsim run scenarios/thai_binh_2025.yaml -n 20000 -j 2 -o tb.h5",
    run_options,
};

typedef struct {
    ipsim_run_opts opts;
    int seed_given, quiet;
    const char *output;
} run_args;

static int run_option(void *ctx, int k, const char *arg)
{
    run_args *a = ctx;
    unsigned long long v;
    int rc = 0;
    switch (k) {
    case OPT_PATHS:
        rc = cli_whole("run", "-n/--paths", arg, 1, IPSIM_STREAM_MAX_PATHS, &v);
        a->opts.n_paths = (size_t)v;
        break;
    case OPT_SEED:
        rc = cli_whole("run", "-s/--seed", arg, 0, UINT64_MAX, &v);
        a->opts.seed = v;
        a->seed_given = 1;
        break;
    case OPT_THREADS:
        rc = cli_whole("run", "-j/--threads", arg, 1, 4096, &v);
        a->opts.threads = (int)v;
        break;
    case OPT_OUTPUT:
        a->output = arg;
        break;
    case OPT_STORE:
        if (strcmp(arg, "summary") == 0)
            a->opts.store = IPSIM_STORE_SUMMARY;
        else if (strcmp(arg, "yearly") == 0)
            a->opts.store = IPSIM_STORE_YEARLY;
        else if (strcmp(arg, "monthly") == 0)
            a->opts.store = IPSIM_STORE_MONTHLY;
        else {
            fprintf(stderr, "ipsim run: --store: '%s' is not valid (expected summary, yearly or monthly)\n",
                    arg);
            rc = CLI_EXIT_INPUT;
        }
        break;
    case OPT_QUIET:
        a->quiet = 1;
        break;
    }
    return rc;
}

/* The default results file: the scenario's name with characters that cannot
 * be in a file name replaced, plus ".h5". */
static char *default_output(const ipsim_scenario *scn)
{
    size_t n = strlen(scn->name);
    char *s = malloc(n + 4);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        s[i] = (scn->name[i] == '/' || (unsigned char)scn->name[i] < 32) ? '_' : scn->name[i];
    memcpy(s + n, ".h5", 4);
    return s;
}

int cli_cmd_run(int argc, char **argv)
{
    run_args a = {0};
    ipsim_run_opts_init(&a.opts);
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&run_cmd, argc, argv, run_option, &a, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1) {
        fprintf(stderr, "ipsim run: expected one SCENARIO file (see 'ipsim run --help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (ipsim_scenario_load(&scn, pos[0], &err) != IPSIM_OK)
        return cli_fail(&err);
    if (!a.seed_given)
        a.opts.seed = scn.has_seed ? scn.seed : 1;
    char *out = a.output ? strdup(a.output) : default_output(&scn);
    ipsim_target_stats *st = calloc(scn.n_targets ? scn.n_targets : 1, sizeof *st);
    if (!out || !st) {
        free(out);
        free(st);
        ipsim_scenario_free(&scn);
        fprintf(stderr, "ipsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    cli_progress prog;
    cli_progress_start(&prog, (!a.quiet && isatty(STDERR_FILENO)) ? stderr : NULL);
    a.opts.progress = cli_progress_update;
    a.opts.progress_ctx = &prog;
    int threads = a.opts.threads > 0 ? a.opts.threads : omp_get_max_threads();
    double t0 = cli_now();
    rc = ipsim_run(&scn, &a.opts, out, st, &err);
    double el = cli_now() - t0;
    cli_progress_end(&prog);
    if (rc != IPSIM_OK) {
        rc = cli_fail(&err);
    } else if (!a.quiet) {
        printf("%s: %zu paths, seed %llu, %d thread%s, %.2f s (%.0f paths/s) -> %s\n\n", scn.name,
               a.opts.n_paths, (unsigned long long)a.opts.seed, threads, threads == 1 ? "" : "s", el,
               el > 0 ? (double)a.opts.n_paths / el : 0.0, out);
        cli_table_targets(stdout, &scn, st);
    }
    free(out);
    free(st);
    ipsim_scenario_free(&scn);
    return rc == IPSIM_OK ? CLI_EXIT_OK : rc;
}

