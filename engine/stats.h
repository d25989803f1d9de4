/* stats.h -- the summary statistics of MODEL.md §7 and §11.5.
 *
 * Quantiles are type 7 (linear interpolation between order statistics);
 * intervals are Wilson's with z = 1.959964.  Non-finite values (a
 * production_growth over a zero year) count as "not met" and are left out of
 * means, quantiles and shortfalls; n_finite says how many were used. */
#ifndef IPSIM_STATS_H
#define IPSIM_STATS_H

#include <stddef.h>

#define IPSIM_NQUANTILES 5
#define IPSIM_WILSON_Z 1.959964

extern const double ipsim_quantile_probs[IPSIM_NQUANTILES]; /* .05 .25 .5 .75 .95 */

typedef struct {
    double p_met, p_low, p_high;
    double mean;
    double q[IPSIM_NQUANTILES];
    double shortfall;
    size_t n, n_met, n_finite;
} ipsim_target_stats;

/* Wilson score interval for k successes in n trials. */
void ipsim_stats_wilson(size_t k, size_t n, double z, double *lo, double *hi);

/* Mean and the five quantiles of the finite values of x[0..n-1]; scratch
 * holds n doubles.  Results are NaN when no value is finite.  Returns the
 * number of finite values. */
size_t ipsim_stats_summary(const double *x, size_t n, double *scratch, double *mean,
                           double q[IPSIM_NQUANTILES]);

/* 1 if x meets "op value" (op 0: >=, 1: <=); non-finite x never does. */
int ipsim_stats_met(double x, int op, double value);

/* Every figure of a target over x[0..n-1]; scratch holds n doubles. */
void ipsim_stats_target(const double *x, size_t n, int op, double value, double *scratch,
                        ipsim_target_stats *out);

#endif
