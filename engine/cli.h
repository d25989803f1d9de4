/* cli.h -- pieces shared by the ipsim command-line tool's subcommands:
 * one option parser, one set of exit statuses, the printed tables. */
#ifndef IPSIM_CLI_H
#define IPSIM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
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

/* Prints "ipsim: MSG" for e and returns the matching exit status. */
int cli_fail(const ipsim_error *e);

/* The subcommands, one file each (cli_<name>.c); listed in cli.c. */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);

#endif
