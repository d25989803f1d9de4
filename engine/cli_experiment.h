/* cli_experiment.h -- what `ipsim sweep` and `ipsim solve` share: the
 * options of a series of runs on common random numbers (-n, -s, -j, --set),
 * --vary's KEY, and opening the experiment with them. */
#ifndef IPSIM_CLI_EXPERIMENT_H
#define IPSIM_CLI_EXPERIMENT_H

#include "cli.h"
#include "experiment.h"

/* The first entries of both commands' option tables, in this order. */
#define CLI_EXP_OPTIONS                                                                        \
    {'n', "paths", "PATHS", "Monte Carlo paths per run (default 1000)"},                     \
    {'s', "seed", "SEED", "random seed shared by every run (default: the scenario's, else 1)"}, \
    {'j', "threads", "THREADS", "worker threads (default: all cores)"},                     \
    {0, "set", "KEY=VALUE", CLI_SET_HELP}
enum { CLI_EXP_PATHS, CLI_EXP_SEED, CLI_EXP_THREADS, CLI_EXP_SET, CLI_EXP_N };

typedef struct {
    ipsim_experiment_opts o;
    cli_sets sets;
} cli_exp_args;

void cli_exp_init(cli_exp_args *a);
/* Option k < CLI_EXP_N of command cmd; 0 or an exit status. */
int cli_exp_option(const char *cmd, cli_exp_args *a, int k, const char *arg);
/* Opens the experiment on scenario; prints the error and returns its exit
 * status on failure.  The experiment borrows a->sets: cli_exp_done()
 * closes x (which may be NULL) and then frees them. */
int cli_exp_open(cli_exp_args *a, const char *scenario, ipsim_experiment **x);
void cli_exp_done(cli_exp_args *a, ipsim_experiment *x);

/* Prints "ipsim CMD: OPT: MSG" for an error that a lever's value caused;
 * returns the exit status. */
int cli_exp_fail(const char *cmd, const char *opt, const ipsim_error *e);

/* A number option: finite, whole string; prints and returns 2 if not. */
int cli_exp_number(const char *cmd, const char *opt, const char *s, double *out);

/* Length of KEY in "KEY=...": up to the first '=' outside [...] (names in
 * brackets may hold '='), as ipsim_override_apply reads it. */
size_t cli_exp_key_len(const char *s);

#endif
