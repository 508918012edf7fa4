/* explore_stats.h — the numbers fastc explore reports: how far a variant's outputs are from
 * the -O0 reference, argmax agreement, top-1 accuracy, and latency summaries. Plain
 * functions on double arrays, unit-tested on their own (tests/unit/test_stats.c). */
#ifndef FC_EXPLORE_STATS_H
#define FC_EXPLORE_STATS_H

#include <stdint.h>

/* Running statistics of d = |x - ref| over every element compared so far. A pair that is NaN
 * on one side only (or infinite with different values) has d = +inf; two NaNs agree. */
typedef struct FcDevStats {
    int64_t n;        /* elements compared */
    int64_t over;     /* elements with d > atol + rtol * |ref| */
    int64_t ninf;     /* elements with d = +inf (kept out of mean and variance) */
    double max;       /* largest d */
    double mean;      /* mean of the finite d (Welford) */
    double m2;        /* sum of squared deviations of the finite d from their mean */
} FcDevStats;

void fc_dev_init(FcDevStats *s);
void fc_dev_add(FcDevStats *s, const double *ref, const double *x, int64_t n, double rtol,
                double atol);
/* Mean |x - ref|, root mean square of x - ref, population standard deviation of |x - ref|,
 * and the percentage of elements over the tolerance. +inf if any d is infinite; 0 if n = 0. */
double fc_dev_mean_abs(const FcDevStats *s);
double fc_dev_rmse(const FcDevStats *s);
double fc_dev_std_abs(const FcDevStats *s);
double fc_dev_pct_over(const FcDevStats *s);

/* Index of the first largest element of row[0..cols) (a NaN counts as largest). */
int64_t fc_argmax(const double *row, int64_t cols);
/* Rows of a[rows][cols] and b[rows][cols] whose argmax is the same. */
int64_t fc_argmax_agree(const double *a, const double *b, int64_t rows, int64_t cols);
/* Rows of scores[rows][cols] whose argmax equals labels[row]. */
int64_t fc_top1_correct(const double *scores, const int64_t *labels, int64_t rows, int64_t cols);

/* Median of v[0..n) (mean of the two middle values for even n); sorts v. NAN if n = 0. */
double fc_median(double *v, int n);
/* Reads "latency over N runs: min A ms, median B ms, max C ms" (the generated program's
 * --bench line) anywhere in text. Returns 0 and sets *min_ms, *median_ms, or -1. */
int fc_parse_bench(const char *text, double *min_ms, double *median_ms);

#endif
