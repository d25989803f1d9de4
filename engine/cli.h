/* cli.h -- pieces shared by the ipsim command-line tool's subcommands:
 * one option parser, one set of exit statuses, the printed tables. */
#ifndef IPSIM_CLI_H
#define IPSIM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "metrics.h"
#include "results.h"
#include "results_read.h"
#include "scenario.h"
#include "stats.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_INPUT = 2 };

/* One option of a subcommand.  arg is NULL for a flag, else its metavar. */
typedef struct {
    char short_name;
    const char *long_name;
    const char *arg;
    const char *help;
} cli_option;

typedef struct {
    const char *name;
    const char *synopsis;
    const char *summary;
    const char *example;
    const cli_option *options; /* terminated by long_name == NULL */
} cli_command;

/* Called for each option found: index into options, its argument or NULL.
 * Returns 0, or an exit status to stop with. */
typedef int (*cli_option_fn)(void *ctx, int index, const char *arg);

/* Parses argv[1..argc-1] (argv[0] is the subcommand).  Positional
 * arguments are collected into pos (at most max_pos).  -h/--help prints
 * help and returns -1.  Bad options print a message and return 2. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_option_fn fn, void *ctx,
              const char **pos, int max_pos, int *n_pos);

void cli_help(FILE *out, const cli_command *cmd);

/* Whole numbers and numbers for option values, with range; print the
 * message themselves and return 2 on a bad value. */
int cli_whole(const char *cmd, const char *opt, const char *s, unsigned long long lo,
              unsigned long long hi, unsigned long long *out);

/* The target table of a run. */
void cli_table_targets(FILE *out, const ipsim_scenario *scn, const ipsim_target_stats *st);
/* The same for n targets read from a results file. */
void cli_table_target_rows(FILE *out, size_t n, const ipsim_target *targets,
                           const ipsim_target_stats *st);
/* A yearly table: header (first column titled what), then one row per
 * metric and year; a partial year is flagged with '*'. */
void cli_table_yearly_header(FILE *out, const char *what);
void cli_table_yearly_row(FILE *out, const char *label, int year, int partial, double mean,
                          double q05, double q50, double q95);
/* v as %.6g, or "-" when NaN. */
#define CLI_NUM_BUF 32
const char *cli_num(char buf[CLI_NUM_BUF], double v);

/* The --metric LIST of summary and compare (cli_summary.c). */
#define CLI_METRICS_HELP                                                                  \
    "comma-separated metrics, or 'all' (default:\n"                                         \
    "                               occupancy, fdi_registered_musd, total_registered_musd,\n" \
    "                               production_musd, lost_projects)"
typedef struct {
    int id[IPSIM_NMETRICS];
    size_t n;
} cli_metrics;
void cli_metrics_default(cli_metrics *m);
int cli_metrics_parse(const char *cmd, const char *arg, cli_metrics *m); /* 0 or 2 */
/* "LABELFILE: scenario, paths, seed, store, start and horizon" */
void cli_file_header(FILE *out, const char *label, const ipsim_rfile *f);
/* The footnote on '*' years, when f has a partly simulated year. */
void cli_partial_note(FILE *out, const ipsim_rfile *f);
/* The comparison of files[1..] with files[0] printed to out (if not NULL),
 * and its CSV written to csv_path (if not NULL); years NULL: all. */
int cli_compare_report(FILE *out, const ipsim_rfile *files, size_t n_files,
                       const cli_metrics *metrics, const int *years, size_t n_years,
                       const char *csv_path, ipsim_error *err);
/* mkdir -p dir; prints why not and returns 1 (2 if dir is not a directory). */
int cli_make_dir(const char *cmd, const char *dir);
/* --store summary|yearly|monthly; prints why not and returns 2. */
int cli_store_parse(const char *cmd, const char *arg, enum ipsim_store *out);

/* -n/--paths, -s/--seed, -j/--threads with the ranges every command uses;
 * print the message themselves and return 2 on a bad value. */
int cli_paths(const char *cmd, const char *arg, size_t *out);
int cli_seed(const char *cmd, const char *arg, uint64_t *out);
int cli_threads(const char *cmd, const char *arg, int *out);

/* Progress bar on a terminal: paths/s and ETA. */
typedef struct {
    FILE *out;
    double t0;
    int active;
} cli_progress;

void cli_progress_start(cli_progress *p, FILE *out);
int cli_progress_update(void *ctx, size_t done, size_t total);
void cli_progress_end(cli_progress *p);

double cli_now(void);

/* The repeatable --set KEY=VALUE option (texts borrowed from argv). */
typedef struct {
    const char **v;
    size_t n, cap;
} cli_sets;
#define CLI_SET_HELP "override a scenario key, e.g. macro.sigma=0.3 (repeatable)"
int cli_sets_add(cli_sets *s, const char *arg); /* 0, or 1 when out of memory */
void cli_sets_free(cli_sets *s);

/* Prints "ipsim: MSG" for e and returns the matching exit status. */
int cli_fail(const ipsim_error *e);

/* The subcommands, one file each (cli_<name>.c); listed in cli.c. */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_summary(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_batch(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_solve(int argc, char **argv);
int cli_cmd_calibrate(int argc, char **argv);

#endif
