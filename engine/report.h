/* report.h -- an HTML report of one or more results files.
 *
 * One self-contained page (inline CSS and SVG, no script, no external
 * resource): the target table (or, for several files, a comparison of
 * P(met)), fan charts of the province per year and, when every file stores
 * monthly results, per month; small multiples of occupancy and production
 * per zone; targets drawn on the charts of their metric.  Several files are
 * overlaid in distinct colours (Okabe-Ito, colour-blind safe). */
#ifndef IPSIM_REPORT_H
#define IPSIM_REPORT_H

#include <stddef.h>

#include "error.h"

#define IPSIM_REPORT_MAX_FILES 8 /* one colour each */
#define IPSIM_REPORT_MAX_ZONES 48 /* small multiples drawn; the page says so when cut */

enum { IPSIM_REPORT_MONTHLY_AUTO = -1, IPSIM_REPORT_MONTHLY_NO = 0, IPSIM_REPORT_MONTHLY_YES = 1 };

typedef struct {
    const char *title; /* page title; NULL: the scenario names */
    int monthly;       /* monthly charts: AUTO draws them when every file has monthly data */
} ipsim_report_opts;

void ipsim_report_opts_init(ipsim_report_opts *o);

/* Reads files[0 .. n-1] and writes the page to output, through
 * output.partial renamed at the end, so a failure never leaves a partial
 * page or damages an existing one.  A file that is not a finished results
 * file, too many files, monthly charts asked of a file without monthly
 * data, or an output that is one of the inputs, is IPSIM_EINPUT with a
 * message naming the file, and nothing is written. */
int ipsim_report_write(const char *output, const char *const *files, size_t n,
                       const ipsim_report_opts *o, ipsim_error *err);

#endif
