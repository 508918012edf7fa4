/* explore_stats.c — deviation, agreement and latency statistics (see explore_stats.h).
 * Deviations accumulate with Welford's update, so the standard deviation of differences that
 * are all nearly equal does not drown in cancellation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "explore_stats.h"

void fc_dev_init(FcDevStats *s)
{
    memset(s, 0, sizeof *s);
}

static double abs_diff(double ref, double x)
{
    if (isnan(ref) || isnan(x))
        return isnan(ref) && isnan(x) ? 0.0 : INFINITY;
    return ref == x ? 0.0 : fabs(x - ref); /* equal infinities agree */
}

void fc_dev_add(FcDevStats *s, const double *ref, const double *x, int64_t n, double rtol,
                double atol)
{
    for (int64_t i = 0; i < n; i++) {
        double d = abs_diff(ref[i], x[i]);
        s->n++;
        if (d > s->max)
            s->max = d;
        if (d > atol + rtol * fabs(ref[i]))
            s->over++;
        if (isinf(d)) {
            s->ninf++;
            continue;
        }
        int64_t k = s->n - s->ninf;
        double delta = d - s->mean;
        s->mean += delta / (double)k;
        s->m2 += delta * (d - s->mean);
    }
}

static int64_t finite_count(const FcDevStats *s)
{
    return s->n - s->ninf;
}

double fc_dev_mean_abs(const FcDevStats *s)
{
    return s->ninf ? INFINITY : s->mean;
}

double fc_dev_std_abs(const FcDevStats *s)
{
    if (s->ninf)
        return INFINITY;
    return finite_count(s) ? sqrt(s->m2 / (double)finite_count(s)) : 0.0;
}

double fc_dev_rmse(const FcDevStats *s)
{
    if (s->ninf)
        return INFINITY;
    return finite_count(s) ? sqrt(s->m2 / (double)finite_count(s) + s->mean * s->mean) : 0.0;
}

double fc_dev_pct_over(const FcDevStats *s)
{
    return s->n ? 100.0 * (double)s->over / (double)s->n : 0.0;
}

int64_t fc_argmax(const double *row, int64_t cols)
{
    int64_t best = 0;
    for (int64_t j = 0; j < cols; j++) {
        if (isnan(row[j]))
            return j;
        if (row[j] > row[best])
            best = j;
    }
    return best;
}

int64_t fc_argmax_agree(const double *a, const double *b, int64_t rows, int64_t cols)
{
    int64_t same = 0;
    for (int64_t r = 0; r < rows; r++)
        same += fc_argmax(a + r * cols, cols) == fc_argmax(b + r * cols, cols);
    return same;
}

int64_t fc_top1_correct(const double *scores, const int64_t *labels, int64_t rows, int64_t cols)
{
    int64_t right = 0;
    for (int64_t r = 0; r < rows; r++)
        right += fc_argmax(scores + r * cols, cols) == labels[r];
    return right;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double fc_median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int fc_parse_bench(const char *text, double *min_ms, double *median_ms)
{
    const char *p = strstr(text, "latency over ");
    int runs;
    double lo, mid, hi;
    if (!p || sscanf(p, "latency over %d runs: min %lf ms, median %lf ms, max %lf ms", &runs, &lo,
                     &mid, &hi) != 4)
        return -1;
    *min_ms = lo;
    *median_ms = mid;
    return 0;
}
