/* cli_calibrate.c -- `ipsim calibrate`: fit zone parameters to a history
 * CSV and print them as a YAML fragment for a scenario's `zones:`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate.h"
#include "cli.h"
#include "cli_experiment.h"
#include "csv_read.h"
#include "outpath.h"

static const cli_option calibrate_options[] = {
    {'o', "output", "FILE", "write the YAML fragment to FILE (default: standard output)"},
    {0, "bootstrap", "B", "bootstrap histories for SEs from yearly totals (default 400; 0: none)"},
    {'s', "seed", "SEED", "seed of the bootstrap (default 1)"},
    {0, "intensity-sigma", "X", "intensity_sigma assumed with yearly totals (default 0.5)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_OUTPUT, OPT_BOOTSTRAP, OPT_SEED, OPT_ISIGMA };

static const cli_command calibrate_cmd = {
    "calibrate",
    "ipsim calibrate HISTORY.csv [-o FILE] [--bootstrap B] [-s SEED] [--intensity-sigma X]",
    "Fits each zone's projects_per_year, fdi_share, capital medians, capital_sigma and\n"
    "capital_per_ha_musd (and intensity_sigma from project rows) to a history, with\n"
    "standard errors, and writes them as YAML entries for a scenario's `zones:`.\n"
    "HISTORY.csv has a header naming its columns, in any order; the form is told by them:\n"
    "  yearly:   zone, year, projects, fdi_musd, domestic_musd\n"
    "            [, fdi_projects] [, leased_ha (land leased that year)] [, months]\n"
    "  projects: zone, year, fdi (0/1), capital_musd [, land_ha] [, months]\n"
    "months (1-12, default 12) marks a partly observed year.  Money in millions of USD,\n"
    "land in ha.  A bad cell is reported as FILE:LINE:COL and nothing is written.",
    "ipsim calibrate history.csv -o zones.yaml",
    calibrate_options,
};

typedef struct {
    ipsim_calib_opts o;
    const char *output;
} calibrate_args;

static int calibrate_option(void *ctx, int k, const char *arg)
{
    calibrate_args *a = ctx;
    unsigned long long v;
    int rc = 0;
    switch (k) {
    case OPT_OUTPUT:
        a->output = arg;
        break;
    case OPT_BOOTSTRAP:
        rc = cli_whole("calibrate", "--bootstrap", arg, 0, 100000, &v);
        a->o.bootstrap = (int)v;
        break;
    case OPT_SEED:
        rc = cli_whole("calibrate", "-s/--seed", arg, 0, UINT64_MAX, &v);
        a->o.seed = v;
        break;
    case OPT_ISIGMA:
        rc = cli_exp_number("calibrate", "--intensity-sigma", arg, &a->o.intensity_sigma);
        if (!rc && !(a->o.intensity_sigma >= 0 && a->o.intensity_sigma <= 10)) {
            fprintf(stderr, "ipsim calibrate: --intensity-sigma: '%s' is out of range (expected 0 to 10)\n",
                    arg);
            rc = CLI_EXIT_INPUT;
        }
        break;
    }
    return rc;
}

/* Writes the fragment to path through path.partial, so a failure never
 * leaves half a file or damages an existing one. */
static int write_file(const char *path, const ipsim_calib *c, const char *source)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 9);
    if (!tmp) {
        fprintf(stderr, "ipsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".partial", 9);
    FILE *f = fopen(tmp, "w");
    int rc = f ? ipsim_calibrate_write(f, c, source) : IPSIM_EIO;
    if (f && fclose(f) != 0)
        rc = IPSIM_EIO;
    if (rc == IPSIM_OK && rename(tmp, path) != 0)
        rc = IPSIM_EIO;
    if (rc != IPSIM_OK) {
        fprintf(stderr, "ipsim calibrate: %s: cannot write: %s\n", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return rc == IPSIM_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_cmd_calibrate(int argc, char **argv)
{
    calibrate_args a = {0};
    ipsim_calibrate_opts_init(&a.o);
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&calibrate_cmd, argc, argv, calibrate_option, &a, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1) {
        fprintf(stderr, "ipsim calibrate: expected one HISTORY.csv file (see 'ipsim calibrate --help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_csv_table t;
    ipsim_calib c;
    ipsim_error err = {0};
    if (a.output && (ipsim_outpath_check(a.output, &err) != IPSIM_OK ||
                     ipsim_outpath_check_inputs(a.output, pos, 1, &err) != IPSIM_OK))
        return cli_fail(&err);
    if (ipsim_csv_read_file(&t, pos[0], &err) != IPSIM_OK)
        return cli_fail(&err);
    rc = ipsim_calibrate_fit(&c, &t, &a.o, &err);
    ipsim_csv_table_free(&t);
    if (rc != IPSIM_OK)
        return cli_fail(&err);
    if (a.output) {
        rc = write_file(a.output, &c, pos[0]);
    } else {
        rc = ipsim_calibrate_write(stdout, &c, pos[0]) == IPSIM_OK && fflush(stdout) == 0 ? CLI_EXIT_OK
                                                                                          : CLI_EXIT_FAIL;
        if (rc != CLI_EXIT_OK)
            fprintf(stderr, "ipsim calibrate: cannot write to standard output\n");
    }
    ipsim_calibrate_free(&c);
    return rc;
}
