/* cli_export.c -- `ipsim export`: a results file's tables as CSV files that
 * Excel opens directly (format in csv.h).  Also the directory creation that
 * export and batch share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csv.h"
#include "metrics.h"

/* Zone data are read for as many zones at a time as fit in this. */
#define ZONE_BATCH_BYTES ((size_t)64 << 20)

static const cli_option export_options[] = {
    {0, "csv", "DIR", "directory for the CSV files (created if missing)"},
    {0, NULL, NULL, NULL},
};

static const cli_command export_cmd = {
    "export", "ipsim export FILE.h5 --csv DIR",
    "Writes a results file's tables as CSV files that Excel opens directly (UTF-8 with\n"
    "a byte order mark, one header row, RFC 4180 quoting, numbers that read back\n"
    "exactly, empty fields for undefined values):\n"
    "  province_yearly.csv  metric, year, partial, mean, q05, q25, q50, q75, q95\n"
    "  zone_yearly.csv      zone, metric, year, mean, q05, q25, q50, q75, q95 (from the\n"
    "                       per-path zone data; not written for --store summary files)\n"
    "  targets.csv          the targets table",
    "ipsim export tb.h5 --csv tb_csv",
    export_options,
};

int cli_make_dir(const char *cmd, const char *dir)
{
    if (dir[0] == '\0') {
        fprintf(stderr, "ipsim %s: the directory name is empty\n", cmd);
        return CLI_EXIT_INPUT;
    }
    char *p = strdup(dir);
    if (!p) {
        fprintf(stderr, "ipsim %s: out of memory\n", cmd);
        return CLI_EXIT_FAIL;
    }
    /* Each prefix in turn, as mkdir -p. */
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "ipsim %s: cannot create directory %s: %s\n", cmd, p, strerror(errno));
            free(p);
            return CLI_EXIT_FAIL;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "ipsim %s: %s is not a directory\n", cmd, dir);
        return CLI_EXIT_INPUT;
    }
    return 0;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

static const char *const stat_cols[] = {"mean", "q05", "q25", "q50", "q75", "q95"};

static void csv_stats(ipsim_csv *w, double mean, const double *q, size_t stride)
{
    ipsim_csv_num(w, mean);
    for (size_t k = 0; k < IPSIM_NQUANTILES; k++)
        ipsim_csv_num(w, q[k * stride]);
}

static int province_csv(const ipsim_rfile *f, const char *path, ipsim_error *err)
{
    const char *head[3 + 6] = {"metric", "year", "partial"};
    memcpy(head + 3, stat_cols, sizeof stat_cols);
    size_t ny = f->n_years;
    double *mean = malloc((ny + 1) * sizeof *mean);
    double *q = malloc((IPSIM_NQUANTILES * ny + 1) * sizeof *q);
    ipsim_csv *w = NULL;
    int rc = mean && q ? ipsim_csv_open(&w, path, head, 9, err)
                       : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    for (int m = 0; m < IPSIM_NMETRICS && rc == IPSIM_OK; m++) {
        rc = ipsim_rfile_summary(f, m, mean, q, err);
        for (size_t y = 0; y < ny && rc == IPSIM_OK; y++) {
            ipsim_csv_str(w, ipsim_metric_get(m)->name);
            ipsim_csv_int(w, f->years[y]);
            ipsim_csv_int(w, f->partial[y]);
            csv_stats(w, mean[y], q + y, ny);
            ipsim_csv_end_row(w);
        }
    }
    rc = rc == IPSIM_OK ? ipsim_csv_close(w, err) : (ipsim_csv_abort(w), rc);
    free(mean);
    free(q);
    return rc;
}

/* Statistics of zones [z0, z0+nz) for every metric and year:
 * st[((k * IPSIM_NMETRICS + m) * ny + y) * 6 + (mean, q...)]. */
static int zone_batch(const ipsim_rfile *f, size_t z0, size_t nz, double *all, double *col,
                      double *scratch, double *st, ipsim_error *err)
{
    size_t ny = f->n_years, np = f->paths;
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        int rc = ipsim_rfile_yearly_zone(f, m, 0, ny, z0, nz, all, err);
        if (rc != IPSIM_OK)
            return rc;
        for (size_t k = 0; k < nz; k++)
            for (size_t y = 0; y < ny; y++) {
                double *s = st + ((k * IPSIM_NMETRICS + (size_t)m) * ny + y) * 6;
                for (size_t p = 0; p < np; p++)
                    col[p] = all[(p * ny + y) * nz + k];
                ipsim_stats_summary(col, np, scratch, &s[0], &s[1]);
            }
    }
    return IPSIM_OK;
}

static int zone_csv(const ipsim_rfile *f, const char *path, ipsim_error *err)
{
    const char *head[3 + 6] = {"zone", "metric", "year"};
    memcpy(head + 3, stat_cols, sizeof stat_cols);
    size_t ny = f->n_years, np = f->paths, row = np * ny * sizeof(double);
    size_t batch = row ? ZONE_BATCH_BYTES / row : 1;
    batch = batch < 1 ? 1 : batch > f->n_zones ? f->n_zones : batch;
    double *all = malloc(np * ny * batch * sizeof *all + 1);
    double *col = malloc((np + 1) * sizeof *col), *scratch = malloc((np + 1) * sizeof *scratch);
    double *st = malloc(batch * IPSIM_NMETRICS * ny * 6 * sizeof *st + 1);
    ipsim_csv *w = NULL;
    int rc = all && col && scratch && st ? ipsim_csv_open(&w, path, head, 9, err)
                                         : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    for (size_t z0 = 0; z0 < f->n_zones && rc == IPSIM_OK; z0 += batch) {
        size_t nz = f->n_zones - z0 < batch ? f->n_zones - z0 : batch;
        rc = zone_batch(f, z0, nz, all, col, scratch, st, err);
        for (size_t k = 0; k < nz && rc == IPSIM_OK; k++)
            for (int m = 0; m < IPSIM_NMETRICS; m++)
                for (size_t y = 0; y < ny; y++) {
                    const double *s = st + ((k * IPSIM_NMETRICS + (size_t)m) * ny + y) * 6;
                    ipsim_csv_str(w, f->zones[z0 + k]);
                    ipsim_csv_str(w, ipsim_metric_get(m)->name);
                    ipsim_csv_int(w, f->years[y]);
                    csv_stats(w, s[0], s + 1, 1);
                    ipsim_csv_end_row(w);
                }
    }
    rc = rc == IPSIM_OK ? ipsim_csv_close(w, err) : (ipsim_csv_abort(w), rc);
    free(all);
    free(col);
    free(scratch);
    free(st);
    return rc;
}

static int targets_csv(const ipsim_rfile *f, const char *path, ipsim_error *err)
{
    static const char *const head[] = {
        "name",  "metric", "year", "zone", "op",  "value", "p_met",     "p_low",    "p_high",
        "mean",  "q05",    "q25",  "q50",  "q75", "q95",   "shortfall", "n_finite", "n_met"};
    ipsim_csv *w;
    int rc = ipsim_csv_open(&w, path, head, sizeof head / sizeof head[0], err);
    for (size_t i = 0; i < f->n_targets && rc == IPSIM_OK; i++) {
        const ipsim_target *t = &f->targets[i];
        const ipsim_target_stats *s = &f->target_stats[i];
        ipsim_csv_str(w, t->name);
        ipsim_csv_str(w, ipsim_metric_get(t->metric)->name);
        ipsim_csv_int(w, t->year);
        ipsim_csv_str(w, t->zone >= 0 ? f->zones[t->zone] : "");
        ipsim_csv_str(w, t->op == IPSIM_OP_LE ? "<=" : ">=");
        ipsim_csv_num(w, t->value);
        ipsim_csv_num(w, s->p_met);
        ipsim_csv_num(w, s->p_low);
        ipsim_csv_num(w, s->p_high);
        csv_stats(w, s->mean, s->q, 1);
        ipsim_csv_num(w, s->shortfall);
        ipsim_csv_int(w, (long long)s->n_finite);
        ipsim_csv_int(w, (long long)s->n_met);
        ipsim_csv_end_row(w);
    }
    return rc == IPSIM_OK ? ipsim_csv_close(w, err) : rc;
}

typedef struct {
    const char *dir;
} export_args;

static int export_option(void *ctx, int k, const char *arg)
{
    ((export_args *)ctx)->dir = arg;
    return 0;
}

/* Writes one CSV file of f into dir; prints what was written. */
static int export_one(const ipsim_rfile *f, const char *dir, const char *name,
                      int (*fn)(const ipsim_rfile *, const char *, ipsim_error *))
{
    ipsim_error err = {0};
    char *path = join(dir, name);
    if (!path) {
        fprintf(stderr, "ipsim export: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = fn(f, path, &err) == IPSIM_OK ? 0 : cli_fail(&err);
    if (rc == 0)
        printf("wrote %s\n", path);
    free(path);
    return rc;
}

int cli_cmd_export(int argc, char **argv)
{
    export_args a = {0};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&export_cmd, argc, argv, export_option, &a, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1 || !a.dir) {
        fprintf(stderr, "ipsim export: expected one results FILE and --csv DIR (see 'ipsim "
                        "export --help')\n");
        return CLI_EXIT_INPUT;
    }
    ipsim_rfile f;
    ipsim_error err = {0};
    if (ipsim_rfile_open(&f, pos[0], &err) != IPSIM_OK)
        return cli_fail(&err);
    rc = cli_make_dir("export", a.dir);
    if (rc == 0)
        rc = export_one(&f, a.dir, "province_yearly.csv", province_csv);
    if (rc == 0 && f.per_path)
        rc = export_one(&f, a.dir, "zone_yearly.csv", zone_csv);
    else if (rc == 0)
        printf("zone_yearly.csv not written: %s was stored with --store summary and has no "
               "per-zone data\n",
               f.filename);
    if (rc == 0)
        rc = export_one(&f, a.dir, "targets.csv", targets_csv);
    ipsim_rfile_close(&f);
    return rc;
}
