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

/* Copies the finite values of x into out; returns their count. */
static size_t finite_copy(const double *x, size_t n, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            out[m++] = x[i];
    return m;
}

/* Moves the values of x[lo, hi) below p (strict) or at most p (!strict)
 * to its front, returns where they end.  No branch on the values, which are
 * in random order: a mispredicted branch per value would cost more than
 * the partition. */
static size_t partition(double *x, size_t lo, size_t hi, double p, int strict)
{
    size_t j = lo;
    for (size_t i = lo; i < hi; i++) {
        double v = x[i];
        size_t below = strict ? v < p : v <= p;
        x[i] = x[j];
        x[j] = v;
        j += below;
    }
    return j;
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/* Puts the order statistics of ranks r[0..nr-1] (ascending, within [lo,
 * hi)) of x where a full sort would put them, in O(n): quickselect on
 * every rank at once, partitioned three ways (two passes) so that ties
 * (counts, zeros) cost nothing.  A sort would give the same values at those ranks;
 * a quantile reads no other (gsl_stats_quantile_from_sorted_data).  Past a
 * depth that only adversarial data reaches, the range is sorted instead. */
static void select_ranks(double *x, size_t lo, size_t hi, const size_t *r, size_t nr, int depth)
{
    while (nr > 0 && hi - lo > 1) {
        if (hi - lo <= 16 || depth-- == 0) {
            gsl_sort(x + lo, 1, hi - lo);
            return;
        }
        double p = median3(x[lo], x[lo + (hi - lo) / 2], x[hi - 1]);
        /* [lo, lt) < p, [lt, gt) == p, [gt, hi) > p */
        size_t lt = partition(x, lo, hi, p, 1), gt = partition(x, lt, hi, p, 0);
        size_t left = 0, right = 0;
        while (left < nr && r[left] < lt)
            left++;
        for (right = left; right < nr && r[right] < gt; right++)
            ;
        select_ranks(x, lo, lt, r, left, depth);
        r += right; /* the ranks in [lt, gt) hold p already */
        nr -= right;
        lo = gt;
    }
}

/* The ranks the five quantiles of m sorted values read: floor((m-1) f) and
 * the next, as gsl_stats_quantile_from_sorted_data computes them. */
static size_t quantile_ranks(size_t m, size_t r[2 * IPSIM_NQUANTILES])
{
    size_t nr = 0;
    for (int k = 0; k < IPSIM_NQUANTILES; k++) {
        size_t lhs = (size_t)(int)(ipsim_quantile_probs[k] * (double)(m - 1));
        for (size_t j = lhs; j <= lhs + 1 && j < m; j++)
            if (nr == 0 || r[nr - 1] < j) /* the probabilities ascend */
                r[nr++] = j;
    }
    return nr;
}

/* Copies the finite values of x into out, with those the quantiles read
 * in their sorted places; returns their count. */
static size_t finite_selected(const double *x, size_t n, double *out)
{
    size_t m = finite_copy(x, n, out), r[2 * IPSIM_NQUANTILES];
    if (m > 1) {
        int depth = 8;
        for (size_t k = m; k > 1; k >>= 1)
            depth += 2;
        select_ranks(out, 0, m, r, quantile_ranks(m, r), depth);
    }
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

/* sorted: at least at the ranks quantile_ranks(n) names. */
static void quantiles_of_sorted(const double *sorted, size_t n, double q[IPSIM_NQUANTILES])
{
    for (int i = 0; i < IPSIM_NQUANTILES; i++)
        q[i] = n ? gsl_stats_quantile_from_sorted_data(sorted, 1, n, ipsim_quantile_probs[i]) : NAN;
}

size_t ipsim_stats_summary(const double *x, size_t n, double *scratch, double *mean,
                           double q[IPSIM_NQUANTILES])
{
    size_t m = finite_selected(x, n, scratch);
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
