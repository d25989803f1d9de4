/* report_chart.h -- one fan chart as inline SVG, for the HTML report.
 *
 * A chart draws, for each series (one results file), the 90 % band (5-95 %),
 * the 50 % band (25-75 %) and the median line over time, on axes with
 * 1-2-5 ticks and units; targets are a dashed threshold line and a marker at
 * their year.  Every element a test or a reader looks for has a class:
 * svg.chart; g.bands > path.band90, path.band50; g.series > path.median;
 * g.target; one g.bands and one g.series per file, told by data-series.
 * All text is escaped: scenario and zone names are user input. */
#ifndef IPSIM_REPORT_CHART_H
#define IPSIM_REPORT_CHART_H

#include <stddef.h>
#include <stdio.h>

#include "report_data.h"

typedef struct {
    const ipsim_fan *fan; /* NULL: this file has no such series (left out) */
    const char *color;    /* CSS colour */
    const char *name;     /* the series' name in tooltips */
} ipsim_chart_series;

typedef struct {
    double x;          /* the target's time: its year, or the year's last month */
    double value;      /* threshold, in the metric's units */
    int op;            /* enum ipsim_op */
    const char *label; /* tooltip text */
} ipsim_chart_target;

typedef struct {
    const char *id;    /* element id */
    const char *title; /* accessible name of the chart */
    int metric;        /* enum ipsim_metric: units and number format */
    int monthly;       /* points are months, else years */
    int small;         /* small multiple: smaller, fewer ticks */
} ipsim_chart;

/* Writes the <svg> element of chart c; returns 0, or -1 if out failed. */
int ipsim_chart_write(FILE *out, const ipsim_chart *c, const ipsim_chart_series *s, size_t ns,
                      const ipsim_chart_target *t, size_t nt);

/* Axis ticks over [lo, hi]: about n of them, step 1, 2 or 5 times a power
 * of ten; *first and *last are multiples of *step with first <= lo and
 * last >= hi. */
void ipsim_chart_ticks(double lo, double hi, int n, double *first, double *last, double *step);

/* v as a tick label for ticks `step` apart: as many decimals as step needs,
 * thousands separated by commas, never "-0". */
void ipsim_chart_number(char *buf, size_t size, double v, double step);

/* A metric's unit as shown on an axis ("musd", "ha", "projects", "%"), and
 * the factor from stored values to shown ones (100 for shares). */
const char *ipsim_chart_unit(int metric, double *scale);

/* s with & < > " ' escaped, for HTML text and attribute values alike. */
void ipsim_html_escape(FILE *out, const char *s);

#endif
