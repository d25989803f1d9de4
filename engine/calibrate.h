/* calibrate.h -- zone parameters fitted from a province's history: the
 * arrival rate, FDI share, capital distribution and capital per hectare
 * of MODEL.md §3, each with a standard error, written as a YAML fragment
 * that drops into a scenario's `zones:` entries (`ipsim calibrate`).
 *
 * Two forms of history, told apart by the header (docs/scenarios.md):
 *   yearly:   zone, year, projects, fdi_musd, domestic_musd
 *             [, fdi_projects] [, leased_ha] [, months]
 *   projects: zone, year, fdi, capital_musd [, land_ha] [, months]
 * Estimators:
 *   rate       Poisson MLE with exposure: sum N / sum exposure (years),
 *              SE sqrt(rate / exposure); yearly Pearson dispersion.
 *   FDI share  binomial MLE (yearly form needs fdi_projects; without it
 *              the share comes from the two capital totals, by moments).
 *   capital    project rows: lognormal fit per class (mean of logs),
 *              common sigma (sd of logs, unbiased variance).
 *              Yearly totals: quasi-likelihood mean E[S|N] = N a and
 *              Pearson dispersion Var[S|N] = N a^2 (e^sigma^2 - 1),
 *              a = median e^(sigma^2/2); SEs and a bias correction by a
 *              parametric bootstrap of the compound Poisson-lognormal.
 *   per ha     project rows: lognormal fit of capital / land.  Yearly:
 *              sum capital / sum land leased estimates median
 *              e^(-sigma_I^2/2), with sigma_I assumed (not identifiable).
 * All fitting uses GSL (random numbers, lognormal and binomial samplers,
 * statistics). */
#ifndef IPSIM_CALIBRATE_H
#define IPSIM_CALIBRATE_H

#include <stdint.h>
#include <stdio.h>

#include "csv_read.h"
#include "error.h"

enum ipsim_calib_form { IPSIM_CALIB_YEARLY = 0, IPSIM_CALIB_PROJECTS };

/* One fitted parameter.  ok = 0: this history cannot identify it. */
typedef struct {
    double value, se;
    int ok;
} ipsim_calib_est;

typedef struct {
    char *name;
    int first_year, last_year;
    double exposure_years;
    double projects, fdi_projects; /* totals; fdi_projects < 0 if unknown */
    int n_years;                   /* yearly rows (or years spanned) */
    int n_land;                    /* years (or projects) with land */
    double dispersion;             /* Pearson chi2/df of yearly counts; NaN below 2 years */
    ipsim_calib_est rate, fdi_share, fdi_median, domestic_median, sigma;
    ipsim_calib_est capital_per_ha, intensity_sigma;
} ipsim_calib_zone;

typedef struct {
    int bootstrap;          /* replications for yearly totals (default 400) */
    uint64_t seed;          /* of the bootstrap (default 1) */
    double intensity_sigma; /* sigma_I assumed where not identifiable (0.5) */
} ipsim_calib_opts;

typedef struct {
    enum ipsim_calib_form form;
    int has_fdi_counts, has_land;
    ipsim_calib_opts opts;
    ipsim_calib_zone *zones;
    size_t n_zones;
} ipsim_calib;

void ipsim_calibrate_opts_init(ipsim_calib_opts *o);

/* Reads the history in t (see the header comment), checks every cell and
 * fits every zone, in order of first appearance.  Bad input is
 * IPSIM_EINPUT with "FILE:LINE:COL: COLUMN: what is wrong (expected ...)".
 * On error *c is empty. */
int ipsim_calibrate_fit(ipsim_calib *c, const ipsim_csv_table *t, const ipsim_calib_opts *o,
                        ipsim_error *err);

/* Writes the zones as a YAML list of mappings, SEs in comments; source
 * names the history in the heading comment. */
int ipsim_calibrate_write(FILE *out, const ipsim_calib *c, const char *source);

void ipsim_calibrate_free(ipsim_calib *c);

#endif
