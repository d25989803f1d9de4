/* report.c -- the HTML report of results files (see report.h).
 *
 * Everything is read and computed first (report_data.c), then the page is
 * written in one pass to OUTPUT.partial and renamed: a bad input is found
 * before any file is created, and a failed write never leaves half a page.
 * What goes on the page and how it looks is report_page.c's business; the
 * charts are drawn by report_chart.c. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "outpath.h"
#include "report_chart.h"
#include "report_data.h"
#include "report_page.h"
#include "results_read.h"
#include "scenario.h"

/* Okabe-Ito, with yellow (weakest on white) last. */
static const char *const palette[IPSIM_REPORT_MAX_FILES] = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"};

void ipsim_report_opts_init(ipsim_report_opts *o)
{
    o->title = NULL;
    o->monthly = IPSIM_REPORT_MONTHLY_AUTO;
}

/* ---- reading ---- */

/* Unions of zones and targets: items in order of first appearance, and
 * index[k * n_files + i] = file i's number for item k, or -1. */
static void *union_alloc(size_t item_size, long **index, size_t cap, size_t n_files)
{
    *index = calloc((cap + 1) * n_files, sizeof **index);
    return *index ? calloc(cap + 1, item_size) : NULL;
}

/* File i's item j is union item k; k == *n adds a new item. */
static void union_set(long *index, size_t *n, size_t n_files, size_t k, size_t i, long j)
{
    if (k == *n) {
        for (size_t f = 0; f < n_files; f++)
            index[k * n_files + f] = -1;
        (*n)++;
    }
    index[k * n_files + i] = j;
}

static size_t count_items(const ipsim_report_data *r, int targets)
{
    size_t cap = 0;
    for (size_t i = 0; i < r->n_files; i++)
        cap += targets ? r->files[i].f.n_targets : r->files[i].f.n_zones;
    return cap;
}

static int map_zones(ipsim_report_data *r, ipsim_error *err)
{
    r->zones = union_alloc(sizeof *r->zones, &r->zone_index, count_items(r, 0), r->n_files);
    if (!r->zones)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for the zones of the report");
    for (size_t i = 0; i < r->n_files; i++)
        for (size_t z = 0; z < r->files[i].f.n_zones; z++) {
            const char *name = r->files[i].f.zones[z];
            size_t k = 0;
            while (k < r->n_zones && strcmp(r->zones[k], name) != 0)
                k++;
            if (k == r->n_zones)
                r->zones[k] = name;
            union_set(r->zone_index, &r->n_zones, r->n_files, k, i, (long)z);
        }
    return IPSIM_OK;
}

static int same_target(const ipsim_target *a, const char *zone_a, const ipsim_target *b,
                       const char *zone_b)
{
    return a->metric == b->metric && a->year == b->year && a->op == b->op &&
           a->value == b->value && strcmp(zone_a, zone_b) == 0 && strcmp(a->name, b->name) == 0;
}

/* A target shared by several files (same name and condition) is one item. */
static int map_targets(ipsim_report_data *r, ipsim_error *err)
{
    r->targets = union_alloc(sizeof *r->targets, &r->target_index, count_items(r, 1), r->n_files);
    if (!r->targets)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory for the targets of the report");
    for (size_t i = 0; i < r->n_files; i++) {
        const ipsim_rfile *f = &r->files[i].f;
        for (size_t t = 0; t < f->n_targets; t++) {
            const ipsim_target *tg = &f->targets[t];
            const char *zone = tg->zone >= 0 ? f->zones[tg->zone] : "";
            size_t k = 0;
            while (k < r->n_targets &&
                   !same_target(r->targets[k].t, r->targets[k].zone, tg, zone))
                k++;
            if (k == r->n_targets)
                r->targets[k] = (ipsim_report_target){tg, zone};
            union_set(r->target_index, &r->n_targets, r->n_files, k, i, (long)t);
        }
    }
    return IPSIM_OK;
}

/* Which metrics get a province chart per year: the key ones and those of
 * province targets; per zone: occupancy, production and zone targets'. */
static void wanted(const ipsim_report_data *r, int year[IPSIM_NMETRICS], int zone[IPSIM_NMETRICS])
{
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        year[m] = ipsim_report_is_key(m);
        zone[m] = ipsim_report_is_zone_metric(m);
    }
    for (size_t k = 0; k < r->n_targets; k++) {
        if (r->targets[k].zone[0])
            zone[r->targets[k].t->metric] = 1;
        else
            year[r->targets[k].t->metric] = 1;
    }
}

static int compute(ipsim_report_data *r, ipsim_error *err)
{
    int year[IPSIM_NMETRICS], zone[IPSIM_NMETRICS], rc = IPSIM_OK;
    wanted(r, year, zone);
    for (size_t i = 0; i < r->n_files && rc == IPSIM_OK; i++) {
        ipsim_report_file *rf = &r->files[i];
        for (int m = 0; m < IPSIM_NMETRICS && rc == IPSIM_OK; m++) {
            if (year[m])
                rc = ipsim_fan_yearly(&rf->f, m, &rf->year[m], err);
            if (rc == IPSIM_OK && r->monthly && ipsim_report_is_key(m))
                rc = ipsim_fan_monthly(&rf->f, m, &rf->month[m], err);
            if (rc == IPSIM_OK && zone[m] && rf->f.per_path && rf->f.n_zones > 0) {
                rf->zone[m] = calloc(rf->f.n_zones, sizeof *rf->zone[m]);
                rc = rf->zone[m] ? ipsim_fan_zones(&rf->f, m, 0, rf->f.n_zones, rf->zone[m], err)
                                 : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
                if (rc != IPSIM_OK) {
                    free(rf->zone[m]);
                    rf->zone[m] = NULL;
                }
            }
        }
    }
    return rc;
}

static void data_free(ipsim_report_data *r)
{
    for (size_t i = 0; r->files && i < r->n_files; i++) {
        ipsim_report_file *rf = &r->files[i];
        for (int m = 0; m < IPSIM_NMETRICS; m++) {
            ipsim_fan_free(&rf->year[m]);
            ipsim_fan_free(&rf->month[m]);
            for (size_t z = 0; rf->zone[m] && z < rf->f.n_zones; z++)
                ipsim_fan_free(&rf->zone[m][z]);
            free(rf->zone[m]);
        }
        free(rf->label);
        ipsim_rfile_close(&rf->f);
    }
    free(r->files);
    free(r->zones);
    free(r->zone_index);
    free(r->targets);
    free(r->target_index);
}

/* A file's name in legends: its scenario's name, with the file's name
 * added when two files share a scenario name. */
static int label_files(ipsim_report_data *r, ipsim_error *err)
{
    for (size_t i = 0; i < r->n_files; i++) {
        ipsim_report_file *rf = &r->files[i];
        int dup = 0;
        for (size_t j = 0; j < r->n_files; j++)
            dup |= j != i && strcmp(rf->f.scenario_name, r->files[j].f.scenario_name) == 0;
        const char *base = strrchr(rf->f.filename, '/');
        base = base ? base + 1 : rf->f.filename;
        size_t n = strlen(rf->f.scenario_name) + strlen(base) + 8;
        rf->label = malloc(n);
        if (!rf->label)
            return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
        if (dup)
            snprintf(rf->label, n, "%s (%s)", rf->f.scenario_name, base);
        else
            snprintf(rf->label, n, "%s", rf->f.scenario_name);
        rf->color = palette[i];
    }
    return IPSIM_OK;
}

static int load(ipsim_report_data *r, const char *output, const char *const *files, size_t n,
                const ipsim_report_opts *o, ipsim_error *err)
{
    if (n == 0)
        return ipsim_error_set(err, IPSIM_EINPUT, "no results file given");
    if (n > IPSIM_REPORT_MAX_FILES)
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%zu results files: a report overlays at most %d (one colour each)",
                               n, IPSIM_REPORT_MAX_FILES);
    int rc = ipsim_outpath_check_inputs(output, files, n, err);
    if (rc != IPSIM_OK)
        return rc;
    r->files = calloc(n, sizeof *r->files);
    if (!r->files)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    for (; r->n_files < n && rc == IPSIM_OK; r->n_files++)
        rc = ipsim_rfile_open(&r->files[r->n_files].f, files[r->n_files], err);
    if (rc != IPSIM_OK) {
        r->n_files--; /* the failed one is already closed */
        return rc;
    }
    int all_monthly = 1;
    for (size_t i = 0; i < n; i++) {
        if (!ipsim_fan_has_monthly(&r->files[i].f)) {
            all_monthly = 0;
            if (o->monthly == IPSIM_REPORT_MONTHLY_YES)
                return ipsim_error_set(err, IPSIM_EINPUT,
                                       "%s: no monthly results for monthly charts (run with "
                                       "--store monthly)",
                                       files[i]);
        }
    }
    r->monthly = o->monthly == IPSIM_REPORT_MONTHLY_NO ? 0 : all_monthly;
    r->title = o->title;
    rc = label_files(r, err);
    if (rc == IPSIM_OK)
        rc = map_zones(r, err);
    if (rc == IPSIM_OK)
        rc = map_targets(r, err);
    if (rc == IPSIM_OK)
        rc = compute(r, err);
    return rc;
}

/* ---- writing ---- */

int ipsim_report_write(const char *output, const char *const *files, size_t n,
                       const ipsim_report_opts *o, ipsim_error *err)
{
    ipsim_report_opts def;
    if (!o) {
        ipsim_report_opts_init(&def);
        o = &def;
    }
    ipsim_report_data r = {0};
    int rc = ipsim_outpath_check(output, err);
    if (rc == IPSIM_OK)
        rc = load(&r, output, files, n, o, err);
    char *partial = NULL;
    FILE *out = NULL;
    if (rc == IPSIM_OK) {
        size_t len = strlen(output) + sizeof ".partial";
        partial = malloc(len);
        if (!partial)
            rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
        else
            snprintf(partial, len, "%s.partial", output);
    }
    if (rc == IPSIM_OK && !(out = fopen(partial, "w")))
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot create: %s", partial, strerror(errno));
    if (rc == IPSIM_OK) {
        ipsim_report_page(out, &r);
        int bad = ferror(out) || fflush(out) != 0 || fsync(fileno(out)) != 0;
        bad |= fclose(out) != 0;
        if (bad)
            rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot write the report", partial);
        else if (rename(partial, output) != 0)
            rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot rename to %s: %s", partial, output,
                                 strerror(errno));
        if (rc != IPSIM_OK)
            remove(partial);
    }
    free(partial);
    data_free(&r);
    return rc;
}
