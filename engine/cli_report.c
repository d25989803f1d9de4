/* cli_report.c -- `ipsim report`: results files in, one HTML page out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static const cli_option report_options[] = {
    {'o', "output", "FILE", "the HTML page (default: the first results file's name, .html)"},
    {0, "title", "TEXT", "page title (default: the scenario names)"},
    {0, "monthly", "WHEN", "auto | yes | no: charts per month too (default auto: when every file "
                           "has monthly results)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_OUTPUT, OPT_TITLE, OPT_MONTHLY };

static const cli_command report_cmd = {
    "report", "ipsim report RESULTS.h5 [MORE.h5 ...] [-o FILE] [--title TEXT] [--monthly WHEN]",
    "Writes one self-contained HTML page (inline CSS and SVG, nothing fetched) from results\n"
    "files: the target table with P(met) and its interval, fan charts (median, 50% and 90%\n"
    "bands over paths) of province occupancy, FDI and total registered capital, production\n"
    "and lost projects per year (and per month with --store monthly results), targets drawn\n"
    "on their metric's chart, and small multiples of occupancy and production per zone.\n"
    "Several files (at most 8) are overlaid in distinct colours, with a table comparing\n"
    "P(met) per target.  The page is written as FILE.partial and renamed when complete.",
    "ipsim report base.h5 policy.h5 -o compare.html",
    report_options,
};

typedef struct {
    ipsim_report_opts opts;
    const char *output;
} report_args;

static int report_option(void *ctx, int k, const char *arg)
{
    report_args *a = ctx;
    switch (k) {
    case OPT_OUTPUT:
        a->output = arg;
        break;
    case OPT_TITLE:
        a->opts.title = arg;
        break;
    case OPT_MONTHLY:
        if (strcmp(arg, "auto") == 0)
            a->opts.monthly = IPSIM_REPORT_MONTHLY_AUTO;
        else if (strcmp(arg, "yes") == 0)
            a->opts.monthly = IPSIM_REPORT_MONTHLY_YES;
        else if (strcmp(arg, "no") == 0)
            a->opts.monthly = IPSIM_REPORT_MONTHLY_NO;
        else {
            fprintf(stderr, "ipsim report: --monthly: '%s' is not valid (expected auto, yes or no)\n",
                    arg);
            return CLI_EXIT_INPUT;
        }
        break;
    }
    return 0;
}

/* The first file's name with .h5 (if any) replaced by .html. */
static char *default_output(const char *results)
{
    size_t n = strlen(results);
    if (n > 3 && strcmp(results + n - 3, ".h5") == 0)
        n -= 3;
    char *s = malloc(n + 6);
    if (s) {
        memcpy(s, results, n);
        memcpy(s + n, ".html", 6);
    }
    return s;
}

int cli_cmd_report(int argc, char **argv)
{
    report_args a = {0};
    ipsim_report_opts_init(&a.opts);
    const char *pos[64];
    int n_pos;
    int rc = cli_parse(&report_cmd, argc, argv, report_option, &a, pos,
                       64, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos < 1) {
        fprintf(stderr, "ipsim report: expected at least one RESULTS.h5 file (see 'ipsim report "
                        "--help')\n");
        return CLI_EXIT_INPUT;
    }
    char *out = a.output ? strdup(a.output) : default_output(pos[0]);
    if (!out) {
        fprintf(stderr, "ipsim: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    ipsim_error err = {0};
    rc = ipsim_report_write(out, pos, (size_t)n_pos, &a.opts, &err);
    if (rc != IPSIM_OK)
        rc = cli_fail(&err);
    else
        printf("ipsim report: %d file%s -> %s\n", n_pos, n_pos == 1 ? "" : "s", out);
    free(out);
    return rc == IPSIM_OK ? CLI_EXIT_OK : rc;
}
