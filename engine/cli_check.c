/* cli_check.c -- `ipsim check`: validate a scenario and print it resolved. */
#include <stdio.h>

#include "cli.h"
#include "scenario.h"

static const cli_option check_options[] = {{0, NULL, NULL, NULL}};
static const cli_command check_cmd = {
    "check", "ipsim check SCENARIO",
    "Validates SCENARIO and prints it resolved: defaults applied and every zone's\n"
    "parameters, as YAML that ipsim accepts.  Exit status 0 if valid, 2 if not.",
    "ipsim check scenarios/thai_binh_2025.yaml",
    check_options,
};

static int no_option(void *ctx, int k, const char *arg)
{
    return 0;
}

int cli_cmd_check(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&check_cmd, argc, argv, no_option, NULL, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1) {
        fprintf(stderr, "ipsim check: expected one SCENARIO file (see 'ipsim check --help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (ipsim_scenario_load(&scn, pos[0], &err) != IPSIM_OK)
        return cli_fail(&err);
    rc = ipsim_scenario_print(stdout, &scn);
    ipsim_scenario_free(&scn);
    if (rc != IPSIM_OK || fflush(stdout) != 0) {
        fprintf(stderr, "ipsim check: cannot write to standard output\n");
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

