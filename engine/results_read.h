/* results_read.h -- reading back a results file written by results.c.
 *
 * ipsim_rfile_open() checks that the file is a finished ipsim results file
 * of a format this program reads, and loads what is small (attributes,
 * years, zones, the targets table).  Per-path data stay on disk and are
 * read as hyperslabs: a block of years (and zones, or target columns) for
 * every path, so a caller decompresses each chunk once per call instead of
 * once per column. */
#ifndef IPSIM_RESULTS_READ_H
#define IPSIM_RESULTS_READ_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scenario.h"
#include "stats.h"

typedef struct ipsim_rfile_h5 ipsim_rfile_h5;

typedef struct {
    char *filename;
    char *scenario_name, *start, *store, *ipsim_version;
    int format_version;
    uint64_t seed;
    size_t paths;
    int horizon_months;
    int start_abs;     /* absolute month of t = 0 (IPSIM_MONTH_ABS) */
    size_t n_years;
    int *years;        /* [n_years] calendar years */
    int *partial;      /* [n_years] 1 if only partly simulated */
    size_t n_zones;
    char **zones;      /* [n_zones] names, file order */
    int per_path;      /* yearly/ and yearly_zone/ are stored (not --store summary) */
    int monthly;       /* monthly/ is stored too (--store monthly) */
    size_t n_targets;
    /* The targets table: zone is an index into zones or -1 (province);
     * metric is enum ipsim_metric. */
    ipsim_target *targets;
    ipsim_target_stats *target_stats;
    ipsim_rfile_h5 *h5;
} ipsim_rfile;

/* Opens filename.  A missing file, a .partial file, or a file that is not
 * a finished ipsim results file of format version IPSIM_FORMAT_VERSION is
 * IPSIM_EINPUT with a message naming the file; *f is then empty. */
int ipsim_rfile_open(ipsim_rfile *f, const char *filename, ipsim_error *err);

void ipsim_rfile_close(ipsim_rfile *f);

/* Index of calendar year / zone name / metric in f, or -1. */
long ipsim_rfile_year_index(const ipsim_rfile *f, int year);
long ipsim_rfile_zone_index(const ipsim_rfile *f, const char *zone);

/* summary/<metric>_mean into mean[n_years] and summary/<metric> into
 * q[IPSIM_NQUANTILES * n_years] (quantile-major, as stored). */
int ipsim_rfile_summary(const ipsim_rfile *f, int metric, double *mean, double *q,
                        ipsim_error *err);

/* yearly/<metric>, years [y0, y0+ny) of every path: out[p * ny + j].
 * IPSIM_EINPUT when f has no per-path data (--store summary). */
int ipsim_rfile_yearly(const ipsim_rfile *f, int metric, size_t y0, size_t ny, double *out,
                       ipsim_error *err);

/* yearly_zone/<metric>, years [y0, y0+ny), zones [z0, z0+nz) of every
 * path: out[(p * ny + j) * nz + k]. */
int ipsim_rfile_yearly_zone(const ipsim_rfile *f, int metric, size_t y0, size_t ny, size_t z0,
                            size_t nz, double *out, ipsim_error *err);

/* monthly/<metric> (not production_growth), months [m0, m0+nm) of every
 * path: out[p * nm + j].  IPSIM_EINPUT when f has no monthly data. */
int ipsim_rfile_monthly(const ipsim_rfile *f, int metric, size_t m0, size_t nm, double *out,
                        ipsim_error *err);

/* target_values, targets [t0, t0+nt) of every path: out[p * nt + k]. */
int ipsim_rfile_target_values(const ipsim_rfile *f, size_t t0, size_t nt, double *out,
                              ipsim_error *err);

#endif
