/* cli_summary.c -- `ipsim summary`: the target table and yearly metric
 * table of a results file, for the province or one zone.  Also the
 * --metric list that summary and compare share. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "metrics.h"
#include "results_read.h"

static const cli_option summary_options[] = {
    {0, "zone", "NAME", "yearly table of zone NAME (from per-path zone data), not the province"},
    {0, "metric", "LIST", CLI_METRICS_HELP},
    {0, NULL, NULL, NULL},
};
enum { OPT_ZONE, OPT_METRIC };

static const cli_command summary_cmd = {
    "summary", "ipsim summary FILE.h5 [--zone NAME] [--metric NAME[,NAME...]|all]",
    "Prints what a results file holds: the target table (P(met) with its 95% Wilson\n"
    "interval, quantiles, expected shortfall) and, for each chosen metric and year, the\n"
    "mean and the 5%, 50% and 95% quantiles over paths.  Province figures come from the\n"
    "stored summaries; --zone computes a zone's from its per-path data, which a file\n"
    "written with --store summary does not have.  A partly simulated year is marked *.",
    "ipsim summary tb.h5 --zone 'Lien Ha Thai' --metric occupancy,leased_ha",
    summary_options,
};

static const int default_metrics[] = {IPSIM_M_OCCUPANCY, IPSIM_M_FDI, IPSIM_M_TOTAL_REGISTERED,
                                      IPSIM_M_PRODUCTION, IPSIM_M_LOST};

void cli_metrics_default(cli_metrics *m)
{
    m->n = sizeof default_metrics / sizeof default_metrics[0];
    memcpy(m->id, default_metrics, sizeof default_metrics);
}

int cli_metrics_parse(const char *cmd, const char *arg, cli_metrics *m)
{
    m->n = 0;
    if (strcmp(arg, "all") == 0) {
        for (int k = 0; k < IPSIM_NMETRICS; k++)
            m->id[m->n++] = k;
        return 0;
    }
    const char *p = arg;
    for (;;) {
        size_t len = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
        int k = len < sizeof name ? ipsim_metric_find(name) : -1;
        if (k < 0) {
            fprintf(stderr, "ipsim %s: --metric: '%.*s' is not a metric (expected 'all' or any of:",
                    cmd, (int)len, p);
            for (int j = 0; j < IPSIM_NMETRICS; j++)
                fprintf(stderr, "%s %s", j ? "," : "", ipsim_metric_get(j)->name);
            fprintf(stderr, ")\n");
            return CLI_EXIT_INPUT;
        }
        int seen = 0;
        for (size_t i = 0; i < m->n; i++)
            seen |= m->id[i] == k;
        if (!seen)
            m->id[m->n++] = k;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

typedef struct {
    const char *zone;
    cli_metrics metrics;
} summary_args;

static int summary_option(void *ctx, int k, const char *arg)
{
    summary_args *a = ctx;
    if (k == OPT_ZONE) {
        a->zone = arg;
        return 0;
    }
    return cli_metrics_parse("summary", arg, &a->metrics);
}

static int print_province(const ipsim_rfile *f, const cli_metrics *ms, ipsim_error *err)
{
    size_t ny = f->n_years;
    double *mean = malloc((ny + 1) * sizeof *mean), *q = malloc((5 * ny + 1) * sizeof *q);
    int rc = mean && q ? IPSIM_OK : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    printf("Province, over %zu paths:\n", f->paths);
    cli_table_yearly_header(stdout, "metric");
    for (size_t i = 0; i < ms->n && rc == IPSIM_OK; i++) {
        rc = ipsim_rfile_summary(f, ms->id[i], mean, q, err);
        for (size_t y = 0; y < ny && rc == IPSIM_OK; y++)
            cli_table_yearly_row(stdout, y ? "" : ipsim_metric_get(ms->id[i])->name, f->years[y],
                                 f->partial[y], mean[y], q[y], q[2 * ny + y], q[4 * ny + y]);
    }
    free(mean);
    free(q);
    return rc;
}

static int print_zone(const ipsim_rfile *f, size_t z, const cli_metrics *ms, ipsim_error *err)
{
    size_t ny = f->n_years, np = f->paths;
    double *all = malloc((np * ny + 1) * sizeof *all), *col = malloc((np + 1) * sizeof *col);
    double *scratch = malloc((np + 1) * sizeof *scratch);
    int rc = all && col && scratch ? IPSIM_OK : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    printf("Zone %s, over %zu paths:\n", f->zones[z], np);
    cli_table_yearly_header(stdout, "metric");
    for (size_t i = 0; i < ms->n && rc == IPSIM_OK; i++) {
        rc = ipsim_rfile_yearly_zone(f, ms->id[i], 0, ny, z, 1, all, err);
        for (size_t y = 0; y < ny && rc == IPSIM_OK; y++) {
            double mean, q[IPSIM_NQUANTILES];
            for (size_t p = 0; p < np; p++)
                col[p] = all[p * ny + y];
            ipsim_stats_summary(col, np, scratch, &mean, q);
            cli_table_yearly_row(stdout, y ? "" : ipsim_metric_get(ms->id[i])->name, f->years[y],
                                 f->partial[y], mean, q[0], q[2], q[4]);
        }
    }
    free(all);
    free(col);
    free(scratch);
    return rc;
}

void cli_file_header(FILE *out, const char *label, const ipsim_rfile *f)
{
    fprintf(out, "%s%s: %s, %zu paths, seed %llu, store %s, from %s for %d months\n", label,
            f->filename, f->scenario_name, f->paths, (unsigned long long)f->seed, f->store,
            f->start, f->horizon_months);
}

void cli_partial_note(FILE *out, const ipsim_rfile *f)
{
    for (size_t y = 0; y < f->n_years; y++)
        if (f->partial[y]) {
            fprintf(out, "* partly simulated year: flows are sums over its simulated months, "
                         "stocks are at its last simulated month\n");
            return;
        }
}

static int zone_error(const ipsim_rfile *f, const char *zone)
{
    if (!f->per_path) {
        fprintf(stderr, "ipsim summary: --zone: %s was stored with --store summary: it has no "
                        "per-zone data (run again with --store yearly)\n",
                f->filename);
        return CLI_EXIT_INPUT;
    }
    fprintf(stderr, "ipsim summary: --zone: '%s' is not a zone of %s (zones:", zone, f->filename);
    for (size_t z = 0; z < f->n_zones; z++)
        fprintf(stderr, "%s %s", z ? "," : "", f->zones[z]);
    fprintf(stderr, ")\n");
    return CLI_EXIT_INPUT;
}

int cli_cmd_summary(int argc, char **argv)
{
    summary_args a = {0};
    cli_metrics_default(&a.metrics);
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&summary_cmd, argc, argv, summary_option, &a, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1) {
        fprintf(stderr, "ipsim summary: expected one results FILE (see 'ipsim summary --help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_rfile f;
    ipsim_error err = {0};
    if (ipsim_rfile_open(&f, pos[0], &err) != IPSIM_OK)
        return cli_fail(&err);
    long z = a.zone ? ipsim_rfile_zone_index(&f, a.zone) : -1;
    if (a.zone && (z < 0 || !f.per_path)) {
        rc = zone_error(&f, a.zone);
        ipsim_rfile_close(&f);
        return rc;
    }
    cli_file_header(stdout, "", &f);
    printf("\n");
    cli_table_target_rows(stdout, f.n_targets, f.targets, f.target_stats);
    printf("\n");
    rc = z >= 0 ? print_zone(&f, (size_t)z, &a.metrics, &err)
                : print_province(&f, &a.metrics, &err);
    if (rc == IPSIM_OK)
        cli_partial_note(stdout, &f);
    ipsim_rfile_close(&f);
    if (rc != IPSIM_OK)
        return cli_fail(&err);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "ipsim summary: cannot write to standard output\n");
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}
