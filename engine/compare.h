/* compare.h -- differences between results files, paired when the files
 * share their random numbers (docs/model.md, "Comparing results files").
 *
 * Two runs with the same seed, path count, start month and zones draw the
 * same random numbers on path i (MODEL.md §6), so the difference of path i
 * is the policy's effect alone.  Paired statistics use those per-path
 * differences: the mean difference with SE = sd(d_i) / sqrt(n), and for
 * P(met) Newcombe's hybrid score interval for paired proportions (1998,
 * method 10).  Otherwise the samples are independent: Welch's SE for means,
 * the two-sample z interval for proportions, and where a file kept no
 * per-path data (--store summary) an approximate SE from the stored
 * interquartile ranges. */
#ifndef IPSIM_COMPARE_H
#define IPSIM_COMPARE_H

#include <stddef.h>

#include "error.h"
#include "results_read.h"

enum ipsim_compare_method {
    IPSIM_CMP_NONE = 0, /* nothing to compare: missing from a file */
    IPSIM_CMP_PAIRED,   /* path by path (common random numbers) */
    IPSIM_CMP_UNPAIRED, /* independent samples, per-path data */
    IPSIM_CMP_SUMMARY   /* independent samples, from summaries: SE approximate */
};

/* A difference B - A with its standard error and 95 % interval.  se is NaN
 * when it cannot be estimated; significant is 1 when the interval excludes
 * 0 (for means: |diff| > 1.959964 se). */
typedef struct {
    double diff, se, lo, hi;
    size_t n; /* pairs used (paired), else values of A and B together */
    int method;
    int significant;
} ipsim_compare_diff;

/* Mean of b[i] - a[i] over the pairs where both are finite. */
void ipsim_compare_mean_paired(const double *a, const double *b, size_t n,
                               ipsim_compare_diff *out);

/* Mean of b minus mean of a over their finite values, Welch's SE. */
void ipsim_compare_mean_welch(const double *a, size_t na, const double *b, size_t nb,
                              ipsim_compare_diff *out);

/* From summaries: means, interquartile ranges and sizes of A and B.  The sd
 * is taken as IQR / 1.349 (exact for normal data); with both IQRs 0 the SE
 * is unknown. */
void ipsim_compare_mean_summary(double mean_a, double iqr_a, size_t na, double mean_b,
                                double iqr_b, size_t nb, ipsim_compare_diff *out);

/* Paired P(met): of n pairs, `both` met in A and B, `b_only` only in B,
 * `a_only` only in A, the rest in neither.  diff = P_B - P_A, SE of the
 * mean of d_i = met_B,i - met_A,i, Newcombe's method-10 interval. */
void ipsim_compare_prop_paired(size_t both, size_t b_only, size_t a_only, size_t n,
                               ipsim_compare_diff *out);

/* Unpaired P(met): ka of na in A, kb of nb in B; two-sample z interval. */
void ipsim_compare_prop_unpaired(size_t ka, size_t na, size_t kb, size_t nb,
                                 ipsim_compare_diff *out);

/* 1 if a and b share seed, path count, start month and zone names (so path i
 * has the same random numbers in both); else 0 and why ("seed 7 vs 1"). */
int ipsim_compare_pairable(const ipsim_rfile *a, const ipsim_rfile *b, char *why, size_t n);

/* One target, matched by name across files (the k-th target of a name in
 * one file with the k-th of that name in another). */
typedef struct {
    const char *name;      /* borrowed from the first file that has it */
    long *index;           /* [n_files]: the target's index in each file, or -1 */
    ipsim_compare_diff *d; /* [n_files]: P(met) of file f minus file 0's; d[0] unused */
} ipsim_compare_target;

/* One metric in one calendar year (province level). */
typedef struct {
    int metric, year;
    int partial;           /* partly simulated in some file */
    double *mean;          /* [n_files]: mean over paths, NaN if the year is absent */
    ipsim_compare_diff *d; /* [n_files]: mean of file f minus file 0's */
} ipsim_compare_row;

typedef struct {
    size_t n_files;
    int *paired;           /* [n_files]: ipsim_compare_pairable(file 0, file f) */
    size_t n_targets, n_rows;
    ipsim_compare_target *targets;
    ipsim_compare_row *rows;
} ipsim_comparison;

/* Compares files[1..n-1] with files[0]: every target, and the metrics given
 * in every year given (years NULL: every year of any file, in order). */
int ipsim_compare_files(ipsim_comparison *c, const ipsim_rfile *files, size_t n_files,
                        const int *metrics, size_t n_metrics, const int *years, size_t n_years,
                        ipsim_error *err);

void ipsim_compare_free(ipsim_comparison *c);

#endif
