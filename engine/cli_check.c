/* cli_check.c -- `ipsim check`: validate a scenario and print it resolved. */
#include <stdio.h>

#include "cli.h"
#include "scenario.h"

static const cli_option check_options[] = {
    {0, "set", "KEY=VALUE", CLI_SET_HELP},
    {0, NULL, NULL, NULL},
};
static const cli_command check_cmd = {
    "check", "ipsim check SCENARIO [--set KEY=VALUE]...",
    "Validates SCENARIO and prints it resolved: defaults applied and every zone's\n"
    "parameters, as YAML that ipsim accepts.  Exit status 0 if valid, 2 if not.\n"
    "With --set, the overrides are applied first and checked like the file.",
    "ipsim check scenarios/thai_binh_2025.yaml --set 'zones[Lien Ha Thai].clearance_ha_per_year=140'",
    check_options,
};

static int check_option(void *ctx, int k, const char *arg)
{
    return cli_sets_add(ctx, arg);
}

int cli_cmd_check(int argc, char **argv)
{
    const char *pos[1];
    int n_pos;
    cli_sets sets = {0};
    int rc = cli_parse(&check_cmd, argc, argv, check_option, &sets, pos, 1, &n_pos);
    if (rc == 0 && n_pos != 1) {
        fprintf(stderr, "ipsim check: expected one SCENARIO file (see 'ipsim check --help')\n");
        rc = CLI_EXIT_INPUT;
    }
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (rc == 0 && ipsim_scenario_load_with(&scn, pos[0], sets.v, sets.n, &err) != IPSIM_OK)
        rc = cli_fail(&err);
    cli_sets_free(&sets);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    rc = ipsim_scenario_print(stdout, &scn);
    ipsim_scenario_free(&scn);
    if (rc != IPSIM_OK || fflush(stdout) != 0) {
        fprintf(stderr, "ipsim check: cannot write to standard output\n");
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

