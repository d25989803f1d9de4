/* cli_run.c -- `ipsim run`: validate, simulate every path, write the
 * results file, print the target table.
 *
 * SIGINT and SIGTERM only raise a flag here; the progress callback, called
 * after each block, returns it, so the run stops at a block boundary with
 * FILE.partial flushed and resumable, and we print the command that resumes
 * it.  A second signal kills at once (SA_RESETHAND): FILE.partial is still
 * resumable, as after kill -9. */
#include <signal.h>
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
#include "scenario.h"

static const cli_option run_options[] = {
    {'n', "paths", "PATHS", "number of Monte Carlo paths (default 10000)"},
    {'s', "seed", "SEED", "random seed (default: the scenario's `seed`, else 1)"},
    {'j', "threads", "THREADS", "worker threads (default: all cores)"},
    {'o', "output", "FILE", "results file (default: scenario name + .h5)"},
    {0, "store", "WHAT", "summary | yearly | monthly per-path results (default yearly)"},
    {'q', "quiet", NULL, "print nothing but errors (no progress bar, no table)"},
    {0, "set", "KEY=VALUE", CLI_SET_HELP},
    {0, "resume", NULL, "continue the interrupted run that left FILE.partial"},
    {0, "block-paths", "N", "paths per block, the checkpoint unit (advanced)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_PATHS, OPT_SEED, OPT_THREADS, OPT_OUTPUT, OPT_STORE, OPT_QUIET, OPT_SET, OPT_RESUME,
       OPT_BLOCK_PATHS };

static const cli_command run_cmd = {
    "run", "ipsim run SCENARIO [-n PATHS] [-s SEED] [-j THREADS] [-o FILE] [--store WHAT] [--quiet]\n"
    "                 [--set KEY=VALUE]... [--resume] [--block-paths N]",
    "Runs the Monte Carlo paths of SCENARIO (a YAML file), writes every result to an HDF5\n"
    "file and prints the target table: P(met) with its 95% Wilson interval, the metric's\n"
    "5%, 50% and 95% quantiles and the expected shortfall.  Results are bit-identical\n"
    "whatever THREADS is.  The file is written as FILE.partial and renamed on success.\n"
    "Ctrl-C (SIGINT) or SIGTERM stops after the current block of paths, keeps FILE.partial,\n"
    "prints the command that resumes the run (the same one, plus --resume: scenario and\n"
    "options must not change) and exits with status 130 or 143.  A run killed any other\n"
    "way (kill -9) is resumed the same way.",
    "ipsim run scenarios/thai_binh_2025.yaml -n 20000 -j 2 -o tb.h5",
    run_options,
};

typedef struct {
    ipsim_run_opts opts;
    int seed_given, quiet;
    const char *output;
    cli_sets sets;
} run_args;

static int run_option(void *ctx, int k, const char *arg)
{
    run_args *a = ctx;
    unsigned long long v;
    int rc = 0;
    switch (k) {
    case OPT_PATHS:
        rc = cli_paths("run", arg, &a->opts.n_paths);
        break;
    case OPT_SEED:
        rc = cli_seed("run", arg, &a->opts.seed);
        a->seed_given = 1;
        break;
    case OPT_THREADS:
        rc = cli_threads("run", arg, &a->opts.threads);
        break;
    case OPT_OUTPUT:
        a->output = arg;
        break;
    case OPT_STORE:
        rc = cli_store_parse("run", arg, &a->opts.store);
        break;
    case OPT_QUIET:
        a->quiet = 1;
        break;
    case OPT_SET:
        rc = cli_sets_add(&a->sets, arg);
        break;
    case OPT_RESUME:
        a->opts.resume = 1;
        break;
    case OPT_BLOCK_PATHS:
        rc = cli_whole("run", "--block-paths", arg, 1, 1u << 20, &v);
        a->opts.block_paths = (size_t)v;
        break;
    }
    return rc;
}

/* ---- interruption ---- */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal kills */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The progress bar, and the stop request. */
static int run_progress(void *ctx, size_t done, size_t total)
{
    cli_progress_update(ctx, done, total);
    return stop_signal != 0;
}

/* s quoted for a POSIX shell where it needs it. */
static void put_shell_word(FILE *out, const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        "_-+=./:,@%^") == strlen(s)) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

/* "ipsim run ARGS... --resume": this command again, resuming. */
static void print_resume_command(FILE *out, int argc, char **argv)
{
    int has_resume = 0;
    fputs("ipsim", out);
    for (int i = 0; i < argc; i++) {
        fputc(' ', out);
        put_shell_word(out, argv[i]);
        has_resume |= strcmp(argv[i], "--resume") == 0;
    }
    fputs(has_resume ? "\n" : " --resume\n", out);
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
    if (rc == 0 && n_pos != 1) {
        fprintf(stderr, "ipsim run: expected one SCENARIO file (see 'ipsim run --help')\n");
        rc = CLI_EXIT_INPUT;
    }
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (rc == 0 && ipsim_scenario_load_with(&scn, pos[0], a.sets.v, a.sets.n, &err) != IPSIM_OK)
        rc = cli_fail(&err);
    cli_sets_free(&a.sets);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
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
    if (ipsim_outpath_check_inputs(out, pos, 1, &err) != IPSIM_OK) {
        free(out);
        free(st);
        ipsim_scenario_free(&scn);
        return cli_fail(&err);
    }
    cli_progress prog;
    cli_progress_start(&prog, (!a.quiet && isatty(STDERR_FILENO)) ? stderr : NULL);
    a.opts.progress = run_progress;
    a.opts.progress_ctx = &prog;
    catch_signals();
    int threads = a.opts.threads > 0 ? a.opts.threads : omp_get_max_threads();
    double t0 = cli_now();
    rc = ipsim_run(&scn, &a.opts, out, st, &err);
    double el = cli_now() - t0;
    cli_progress_end(&prog);
    if (rc == IPSIM_EINTR) {
        int sig = stop_signal;
        fprintf(stderr, "ipsim: %s by %s; the finished blocks are kept in %s.partial\n"
                        "ipsim: to resume: ", err.msg, sig == SIGTERM ? "SIGTERM" : "SIGINT", out);
        print_resume_command(stderr, argc, argv);
        rc = 128 + (sig ? sig : SIGINT);
    } else if (rc != IPSIM_OK) {
        rc = cli_fail(&err);
        /* HDF5 1.10 keeps a file whose close failed (disk full: the last
         * flush cannot be written) registered after freeing it, and its
         * exit handler then crashes on it.  The results files are deleted
         * already and nothing else needs cleaning: leave without exit
         * handlers. */
        if (err.code == IPSIM_EIO) {
            fflush(NULL);
            _exit(rc);
        }
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

