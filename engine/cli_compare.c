/* cli_compare.c -- `ipsim compare`: results files side by side, with paired
 * statistics when they share their random numbers.  The report and its
 * CSV are also what `ipsim batch` prints and writes. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "csv.h"
#include "metrics.h"
#include "outpath.h"

#define MAX_FILES 26
#define MAX_YEARS 1200
#define LABEL_BUF 24

static const cli_option compare_options[] = {
    {0, "metric", "LIST", CLI_METRICS_HELP},
    {0, "year", "LIST", "years compared, comma-separated (default: every year)"},
    {0, "csv", "FILE", "also write the target comparison as CSV (as batch's comparison.csv)"},
    {0, NULL, NULL, NULL},
};
enum { OPT_METRIC, OPT_YEAR, OPT_CSV };

static const cli_command compare_cmd = {
    "compare", "ipsim compare A.h5 B.h5 [C.h5 ...] [--metric LIST] [--year LIST] [--csv FILE]",
    "Puts results files side by side: P(met) of every target (matched by name) and the\n"
    "yearly mean of each metric, with each file's difference from the first, A.\n"
    "Files with the same seed, paths, start and zones as A are paired: path i drew the\n"
    "same random numbers in both, so differences are computed path by path (mean\n"
    "difference with SE = sd/sqrt(n); P(met) with Newcombe's paired interval).  Other\n"
    "files are compared as independent samples (Welch SE; two-sample z for P(met)).\n"
    "* marks a difference whose 95% interval excludes 0.",
    "ipsim compare base.h5 clearance.h5 --metric occupancy,leased_ha --year 2027,2030",
    compare_options,
};

typedef struct {
    cli_metrics metrics;
    int years[MAX_YEARS];
    size_t n_years;
    const char *csv;
} compare_args;

static int parse_years(const char *arg, compare_args *a)
{
    const char *p = arg;
    a->n_years = 0;
    for (;;) {
        char *end;
        errno = 0;
        long y = strtol(p, &end, 10);
        if (end == p || (*end != ',' && *end != '\0') || errno || y < INT_MIN / 12 ||
            y > INT_MAX / 12 || a->n_years >= MAX_YEARS) {
            fprintf(stderr, "ipsim compare: --year: '%s' is not valid (expected calendar years, "
                            "comma-separated, e.g. 2027,2030)\n",
                    arg);
            return CLI_EXIT_INPUT;
        }
        a->years[a->n_years++] = (int)y;
        if (*end == '\0')
            return 0;
        p = end + 1;
    }
}

static int compare_option(void *ctx, int k, const char *arg)
{
    compare_args *a = ctx;
    switch (k) {
    case OPT_METRIC:
        return cli_metrics_parse("compare", arg, &a->metrics);
    case OPT_YEAR:
        return parse_years(arg, a);
    default:
        a->csv = arg;
        return 0;
    }
}

/* ---- the printed report ---- */

static void label_of(char buf[LABEL_BUF], size_t f)
{
    if (f < 26)
        snprintf(buf, LABEL_BUF, "%c", (char)('A' + f));
    else
        snprintf(buf, LABEL_BUF, "#%zu", f + 1);
}

static void print_files(FILE *out, const ipsim_rfile *files, const ipsim_comparison *c)
{
    char lf[LABEL_BUF], why[160];
    fprintf(out, "Files (A is the reference):\n");
    for (size_t f = 0; f < c->n_files; f++) {
        label_of(lf, f);
        char prefix[LABEL_BUF + 8];
        snprintf(prefix, sizeof prefix, "  %-3s", lf);
        cli_file_header(out, prefix, &files[f]);
    }
    for (size_t f = 1; f < c->n_files; f++) {
        label_of(lf, f);
        int paired = ipsim_compare_pairable(&files[0], &files[f], why, sizeof why);
        if (paired)
            fprintf(out, "%s vs A: PAIRED (%s): differences are path by path, common random "
                         "numbers\n",
                    lf, why);
        else
            fprintf(out, "%s vs A: NOT PAIRED (%s): differences use unpaired statistics "
                         "(independent samples)\n",
                    lf, why);
        const ipsim_rfile *s = !files[0].per_path ? &files[0] : !files[f].per_path ? &files[f] : NULL;
        if (s)
            fprintf(out, "%s vs A: %s was stored with --store summary: metric differences are "
                         "unpaired, from summaries, SE approximate (marked ~)\n",
                    lf, s->filename);
    }
    fprintf(out, "\n");
}

/* One table line, built cell by cell and printed without trailing blanks. */
typedef struct {
    char s[8192];
    size_t n;
} line;

static void add(line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->s + l->n, sizeof l->s - l->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        l->n = l->n + (size_t)k < sizeof l->s ? l->n + (size_t)k : sizeof l->s - 1;
}

static void put(FILE *out, line *l)
{
    while (l->n > 0 && l->s[l->n - 1] == ' ')
        l->n--;
    fprintf(out, "%.*s\n", (int)l->n, l->s);
    l->n = 0;
}

/* One difference cell of the target table. */
static void target_cell(line *ln, const ipsim_compare_diff *d)
{
    char buf[64];
    if (d->method == IPSIM_CMP_NONE || isnan(d->diff))
        snprintf(buf, sizeof buf, "-");
    else
        snprintf(buf, sizeof buf, "%+.4f [%+.4f, %+.4f]%s", d->diff, d->lo, d->hi,
                 d->significant ? " *" : "");
    add(ln, "  %-32s", buf);
}

static void print_target_table(FILE *out, const ipsim_rfile *files, const ipsim_comparison *c)
{
    if (c->n_targets == 0) {
        fprintf(out, "(no targets in these files)\n\n");
        return;
    }
    char l[LABEL_BUF], buf[64];
    line ln = {.n = 0};
    fprintf(out, "Targets: P(met) of each file, and its difference from A with a 95%% interval "
                 "(paired: Newcombe; unpaired: two-sample z)\n");
    add(&ln, "%-28s", "target");
    for (size_t f = 0; f < c->n_files; f++)
        add(&ln, "  %6s", (label_of(l, f), l));
    for (size_t f = 1; f < c->n_files; f++) {
        snprintf(buf, sizeof buf, "%s-A  95%% interval", (label_of(l, f), l));
        add(&ln, "  %-32s", buf);
    }
    put(out, &ln);
    for (size_t i = 0; i < c->n_targets; i++) {
        const ipsim_compare_target *t = &c->targets[i];
        add(&ln, "%-28.28s", t->name);
        for (size_t f = 0; f < c->n_files; f++) {
            if (t->index[f] < 0)
                add(&ln, "  %6s", "-");
            else
                add(&ln, "  %6.3f", files[f].target_stats[t->index[f]].p_met);
        }
        for (size_t f = 1; f < c->n_files; f++)
            target_cell(&ln, &t->d[f]);
        put(out, &ln);
    }
    fprintf(out, "\n");
}

/* One difference and its SE in the metric table; ~ marks an approximate SE. */
static void metric_cell(line *ln, const ipsim_compare_diff *d)
{
    char dv[CLI_NUM_BUF], se[CLI_NUM_BUF];
    if (d->method == IPSIM_CMP_NONE || isnan(d->diff)) {
        add(ln, "  %12s  %10s  ", "-", "-");
        return;
    }
    snprintf(dv, sizeof dv, "%+.6g", d->diff);
    if (isnan(d->se))
        snprintf(se, sizeof se, "-");
    else
        snprintf(se, sizeof se, "%s%.3g", d->method == IPSIM_CMP_SUMMARY ? "~" : "", d->se);
    add(ln, "  %12s  %10s %s", dv, se, d->significant ? "*" : " ");
}

static void print_metric_table(FILE *out, const ipsim_comparison *c)
{
    char l[LABEL_BUF], buf[32], num[CLI_NUM_BUF];
    line ln = {.n = 0};
    fprintf(out, "Metrics: yearly mean over paths, and its difference from A with its standard "
                 "error (paired: sd of per-path differences / sqrt(n); unpaired: Welch)\n");
    add(&ln, "%-24s  %-5s", "metric", "year");
    for (size_t f = 0; f < c->n_files; f++)
        add(&ln, "  %12s", (label_of(l, f), l));
    for (size_t f = 1; f < c->n_files; f++) {
        snprintf(buf, sizeof buf, "%s-A", (label_of(l, f), l));
        add(&ln, "  %12s  %10s  ", buf, "SE");
    }
    put(out, &ln);
    int any_partial = 0;
    for (size_t r = 0; r < c->n_rows; r++) {
        const ipsim_compare_row *row = &c->rows[r];
        int first = r == 0 || c->rows[r - 1].metric != row->metric;
        snprintf(buf, sizeof buf, "%d%s", row->year, row->partial ? "*" : "");
        any_partial |= row->partial;
        add(&ln, "%-24s  %-5s", first ? ipsim_metric_get(row->metric)->name : "", buf);
        for (size_t f = 0; f < c->n_files; f++)
            add(&ln, "  %12s", cli_num(num, row->mean[f]));
        for (size_t f = 1; f < c->n_files; f++)
            metric_cell(&ln, &row->d[f]);
        put(out, &ln);
    }
    fprintf(out, "* after a difference: significant (95%% interval excludes 0)%s\n",
            any_partial ? "; after a year: partly simulated in some file" : "");
}

/* ---- the CSV ---- */

static const char *const csv_header[] = {
    "scenario", "file",  "target", "metric", "year", "zone", "op",   "value",
    "p_met",    "p_low", "p_high", "mean",   "q05",  "q50",  "q95",  "shortfall",
    "delta_p_met", "delta_p_low", "delta_p_high", "paired",
};
#define CSV_COLS (sizeof csv_header / sizeof csv_header[0])

static void csv_target(ipsim_csv *w, const ipsim_rfile *f, size_t t, const ipsim_compare_diff *d,
                       int reference)
{
    const ipsim_target *tg = &f->targets[t];
    const ipsim_target_stats *s = &f->target_stats[t];
    ipsim_csv_str(w, f->scenario_name);
    ipsim_csv_str(w, f->filename);
    ipsim_csv_str(w, tg->name);
    ipsim_csv_str(w, ipsim_metric_get(tg->metric)->name);
    ipsim_csv_int(w, tg->year);
    ipsim_csv_str(w, tg->zone >= 0 ? f->zones[tg->zone] : "");
    ipsim_csv_str(w, tg->op == IPSIM_OP_LE ? "<=" : ">=");
    const double v[] = {tg->value, s->p_met, s->p_low, s->p_high, s->mean,
                        s->q[0],   s->q[2],  s->q[4],  s->shortfall};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        ipsim_csv_num(w, v[i]);
    if (reference || d->method == IPSIM_CMP_NONE) {
        for (int i = 0; i < 4; i++)
            ipsim_csv_empty(w);
    } else {
        ipsim_csv_num(w, d->diff);
        ipsim_csv_num(w, d->lo);
        ipsim_csv_num(w, d->hi);
        ipsim_csv_int(w, d->method == IPSIM_CMP_PAIRED);
    }
    ipsim_csv_end_row(w);
}

static int write_csv(const char *path, const ipsim_rfile *files, const ipsim_comparison *c,
                     ipsim_error *err)
{
    ipsim_csv *w;
    int rc = ipsim_csv_open(&w, path, csv_header, CSV_COLS, err);
    if (rc != IPSIM_OK)
        return rc;
    for (size_t f = 0; f < c->n_files; f++)
        for (size_t i = 0; i < c->n_targets; i++)
            if (c->targets[i].index[f] >= 0)
                csv_target(w, &files[f], (size_t)c->targets[i].index[f], &c->targets[i].d[f],
                           f == 0);
    return ipsim_csv_close(w, err);
}

int cli_compare_report(FILE *out, const ipsim_rfile *files, size_t n_files,
                       const cli_metrics *metrics, const int *years, size_t n_years,
                       const char *csv_path, ipsim_error *err)
{
    ipsim_comparison c;
    int rc = ipsim_compare_files(&c, files, n_files, metrics->id, metrics->n, years, n_years, err);
    if (rc != IPSIM_OK)
        return rc;
    if (out) {
        print_files(out, files, &c);
        print_target_table(out, files, &c);
        print_metric_table(out, &c);
    }
    if (csv_path)
        rc = write_csv(csv_path, files, &c, err);
    ipsim_compare_free(&c);
    return rc;
}

/* Every --year must be simulated in some file. */
static int check_years(const compare_args *a, const ipsim_rfile *files, size_t n)
{
    for (size_t i = 0; i < a->n_years; i++) {
        int found = 0;
        for (size_t f = 0; f < n && !found; f++)
            found = ipsim_rfile_year_index(&files[f], a->years[i]) >= 0;
        if (!found) {
            fprintf(stderr, "ipsim compare: --year: %d is not a simulated year of any file\n",
                    a->years[i]);
            return CLI_EXIT_INPUT;
        }
    }
    return 0;
}

int cli_cmd_compare(int argc, char **argv)
{
    compare_args a = {0};
    cli_metrics_default(&a.metrics);
    const char *pos[MAX_FILES];
    int n_pos;
    int rc = cli_parse(&compare_cmd, argc, argv, compare_option, &a, pos, MAX_FILES, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos < 2) {
        fprintf(stderr, "ipsim compare: expected at least two results files (see 'ipsim compare "
                        "--help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_rfile files[MAX_FILES];
    ipsim_error err = {0};
    if (a.csv && (ipsim_outpath_check(a.csv, &err) != IPSIM_OK ||
                  ipsim_outpath_check_inputs(a.csv, pos, (size_t)n_pos, &err) != IPSIM_OK))
        return cli_fail(&err);
    int n = 0;
    for (; n < n_pos && rc == 0; n++)
        if (ipsim_rfile_open(&files[n], pos[n], &err) != IPSIM_OK) {
            rc = cli_fail(&err);
            break;
        }
    if (rc == 0)
        rc = check_years(&a, files, (size_t)n);
    if (rc == 0 && cli_compare_report(stdout, files, (size_t)n, &a.metrics,
                                      a.n_years ? a.years : NULL, a.n_years, a.csv,
                                      &err) != IPSIM_OK)
        rc = cli_fail(&err);
    for (int i = 0; i < n; i++)
        ipsim_rfile_close(&files[i]);
    if (rc == 0 && fflush(stdout) != 0) {
        fprintf(stderr, "ipsim compare: cannot write to standard output\n");
        rc = CLI_EXIT_FAIL;
    }
    return rc;
}
