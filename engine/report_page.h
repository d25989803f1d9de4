/* report_page.h -- inside the report module: the data report.c reads and
 * computes, handed to the page writer (report_page.c), which decides what
 * the page shows and how it looks. */
#ifndef IPSIM_REPORT_PAGE_H
#define IPSIM_REPORT_PAGE_H

#include <stddef.h>
#include <stdio.h>

#include "metrics.h"
#include "report_data.h"
#include "results_read.h"
#include "scenario.h"

typedef struct {
    ipsim_rfile f;
    char *label;       /* name in legends */
    const char *color; /* its series' colour */
    ipsim_fan year[IPSIM_NMETRICS];  /* province per year (n == 0: not drawn) */
    ipsim_fan month[IPSIM_NMETRICS]; /* province per month (n == 0: not drawn) */
    ipsim_fan *zone[IPSIM_NMETRICS]; /* [f.n_zones] per year, or NULL */
} ipsim_report_file;

typedef struct {
    const ipsim_target *t; /* as read from the first file that has it */
    const char *zone;      /* zone name, "" for the province */
} ipsim_report_target;

typedef struct {
    const char *title; /* NULL: from the scenario names */
    ipsim_report_file *files;
    size_t n_files;
    int monthly; /* draw the province per month */
    const char **zones; /* union of the files' zone names, first appearance first */
    size_t n_zones;
    long *zone_index;   /* [zone * n_files + file]: the zone's index in the file, or -1 */
    ipsim_report_target *targets; /* union of the files' targets */
    size_t n_targets;
    long *target_index; /* [target * n_files + file]: index in the file, or -1 */
} ipsim_report_data;

/* Metrics with a province chart in every report, and those drawn per zone. */
int ipsim_report_is_key(int metric);
int ipsim_report_is_zone_metric(int metric);

/* Writes the whole page; errors show in ferror(out). */
void ipsim_report_page(FILE *out, const ipsim_report_data *r);

#endif
