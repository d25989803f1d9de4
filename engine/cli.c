/* cli.c -- the `ipsim` command: dispatch to one file per subcommand.
 *
 * All printing and exit statuses live in the CLI; the library only returns
 * codes with messages.  Input is validated before any output file is
 * created, so a bad scenario or option never leaves or damages a file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "results.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"run", cli_cmd_run, "run a scenario and write its results"},
    {"check", cli_cmd_check, "validate a scenario and print it resolved"},
    {"report", cli_cmd_report, "write an HTML report with fan charts of results files"},
    {"summary", cli_cmd_summary, "print the target and yearly tables of a results file"},
    {"compare", cli_cmd_compare, "compare results files, paired when they share seed and paths"},
    {"batch", cli_cmd_batch, "run several scenarios with one seed and compare them"},
    {"export", cli_cmd_export, "write a results file's tables as CSV for Excel"},
    {"sweep", cli_cmd_sweep, "run one lever over several values on common random numbers"},
    {"solve", cli_cmd_solve, "goal seek the lever value that meets a target with probability P"},
    {"calibrate", cli_cmd_calibrate, "fit zone parameters to a history CSV, as scenario YAML"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: ipsim [--help] [--version] COMMAND [ARGS]\n\n"
                 "Monte Carlo paths of industrial-park demand, land and production, and the\n"
                 "probability of meeting a province's targets.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'ipsim COMMAND --help' describes a command.\n"
                 "exit status: 0 success, 2 bad input, 1 other failure\n");
}

int cli_fail(const ipsim_error *e)
{
    fprintf(stderr, "ipsim: %s\n", e->msg);
    return ipsim_error_exit_status(e->code);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_INPUT;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0) {
        printf("ipsim %s (results format %d)\n", IPSIM_VERSION_STRING, IPSIM_FORMAT_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(c, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        c = argv[2];
        char *help_argv[] = {argv[2], "--help", NULL};
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strcmp(c, commands[i].name) == 0)
                return commands[i].fn(2, help_argv);
    } else {
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strcmp(c, commands[i].name) == 0)
                return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "ipsim: unknown command '%s' (see 'ipsim --help')\n", c);
    return CLI_EXIT_INPUT;
}
