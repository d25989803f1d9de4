/* stats.c -- the summary statistics of MODEL.md §7 and §11.5 (see stats.h).
 *
 * Every figure is a pure function of the values in the order given, so a
 * caller that passes paths in path order gets bit-identical results whatever
 * the thread count.  Non-finite values are dropped before sorting: they have
 * no place among order statistics and would poison means. */
#include "stats.h"

#include <math.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

const double ipsim_quantile_probs[IPSIM_NQUANTILES] = {0.05, 0.25, 0.5, 0.75, 0.95};

void ipsim_stats_wilson(size_t k, size_t n, double z, double *lo, double *hi)
{
    if (n == 0 || k > n) {
        *lo = *hi = NAN;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    /* The closed form reaches 0 and 1 only up to rounding; the exact ends
     * matter to readers comparing "never met" with 0. */
    *lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = k == n ? 1.0 : fmin(1.0, centre + half);
}

/* Copies the finite values of x into out and sorts them; returns their count. */
static size_t finite_sorted(const double *x, size_t n, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            out[m++] = x[i];
    if (m > 1)
        gsl_sort(out, 1, m);
    return m;
}

/* Mean of the finite values, summed in the given order so that it does not
 * depend on how the sort happened to arrange ties. */
static double finite_mean(const double *x, size_t n)
{
    double s = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            m++;
        }
    return m ? s / (double)m : NAN;
}

static void quantiles_of_sorted(const double *sorted, size_t n, double q[IPSIM_NQUANTILES])
{
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        q[i] = n ? gsl_stats_quantile_from_sorted_data(sorted, 1, n, ipsim_quantile_probs[i]) : NAN;
}

size_t ipsim_stats_summary(const double *x, size_t n, double *scratch, double *mean,
                           double q[IPSIM_NQUANTILES])
{
    size_t m = finite_sorted(x, n, scratch);
    *mean = finite_mean(x, n);
    quantiles_of_sorted(scratch, m, q);
    return m;
}

int ipsim_stats_met(double x, int op, double value)
{
    if (!isfinite(x))
        return 0;
    return op == 0 ? x >= value : x <= value;
}

void ipsim_stats_target(const double *x, size_t n, int op, double value, double *scratch,
                        ipsim_target_stats *out)
{
    size_t n_met = 0;
    for (size_t i = 0; i < n; i++)
        n_met += (size_t)ipsim_stats_met(x[i], op, value);
    out->n = n;
    out->n_met = n_met;
    out->p_met = n ? (double)n_met / (double)n : NAN;
    ipsim_stats_wilson(n_met, n, IPSIM_WILSON_Z, &out->p_low, &out->p_high);

    /* Shortfall in path order over the finite values, before sorting. */
    double gap = 0.0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        gap += op == 0 ? fmax(0.0, value - x[i]) : fmax(0.0, x[i] - value);
        m++;
    }
    out->shortfall = m ? gap / (double)m : NAN;
    out->n_finite = ipsim_stats_summary(x, n, scratch, &out->mean, out->q);
}
