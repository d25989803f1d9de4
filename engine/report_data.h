/* report_data.h -- the figures a report draws, taken from a results file.
 *
 * A fan is one series over time: the mean and the five quantiles over
 * paths (MODEL.md §7) at each point.  Province fans per year come from
 * summary/; fans per month and per zone are computed here from the per-path
 * data with ipsim_stats_summary(), reading a block of columns for every path
 * at a time (bounded memory, each chunk decompressed once per block). */
#ifndef IPSIM_REPORT_DATA_H
#define IPSIM_REPORT_DATA_H

#include <stddef.h>

#include "error.h"
#include "results_read.h"
#include "stats.h"

typedef struct {
    size_t n;     /* points */
    double *x;    /* [n] time in years: the calendar year, or year + (month - 1) / 12 */
    double *mean; /* [n] */
    double *q;    /* [n * IPSIM_NQUANTILES]: point-major, quantiles .05 .25 .5 .75 .95 */
} ipsim_fan;

void ipsim_fan_free(ipsim_fan *fan);

/* 1 if f stores monthly/ per-path data (run with --store monthly). */
int ipsim_fan_has_monthly(const ipsim_rfile *f);

/* Province fan of metric per year, from summary/. */
int ipsim_fan_yearly(const ipsim_rfile *f, int metric, ipsim_fan *out, ipsim_error *err);

/* Province fan of metric per month, from monthly/<metric>; IPSIM_EINPUT
 * naming the file when it has no monthly data or metric is yearly only. */
int ipsim_fan_monthly(const ipsim_rfile *f, int metric, ipsim_fan *out, ipsim_error *err);

/* Fans of metric per year for zones [z0, z0 + nz), from yearly_zone/:
 * out[0 .. nz-1].  IPSIM_EINPUT when f has no per-path data. */
int ipsim_fan_zones(const ipsim_rfile *f, int metric, size_t z0, size_t nz, ipsim_fan *out,
                    ipsim_error *err);

#endif
