/* test_stats.c — fastc explore's statistics (cli/explore_stats.c) against hand-computed values. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "explore_stats.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-12 * (1 + fabs(b)))

/* |x - ref| = {0.5, 0, 1, 0}: max 1, mean 0.375, RMSE sqrt(1.25/4), std sqrt(0.3125 - 0.375^2). */
static const double ref4[] = {1, 2, 3, 4}, x4[] = {1.5, 2, 2, 4};

static void test_deviation(void **state)
{
    (void)state;
    FcDevStats s;
    fc_dev_init(&s);
    fc_dev_add(&s, ref4, x4, 4, 0.0, 0.4);
    assert_int_equal(s.n, 4);
    NEAR(s.max, 1.0);
    NEAR(fc_dev_mean_abs(&s), 0.375);
    NEAR(fc_dev_rmse(&s), sqrt(0.3125));
    NEAR(fc_dev_std_abs(&s), sqrt(0.3125 - 0.140625));
    NEAR(fc_dev_pct_over(&s), 50.0); /* 0.5 and 1 exceed atol 0.4 */
}

static void test_deviation_in_chunks(void **state)
{
    (void)state;
    FcDevStats one, two;
    fc_dev_init(&one);
    fc_dev_init(&two);
    fc_dev_add(&one, ref4, x4, 4, 0.0, 0.0);
    fc_dev_add(&two, ref4, x4, 1, 0.0, 0.0);
    fc_dev_add(&two, ref4 + 1, x4 + 1, 3, 0.0, 0.0);
    NEAR(fc_dev_mean_abs(&two), fc_dev_mean_abs(&one));
    NEAR(fc_dev_std_abs(&two), fc_dev_std_abs(&one));
    NEAR(fc_dev_rmse(&two), fc_dev_rmse(&one));
    assert_int_equal(two.over, 2);
}

static void test_relative_tolerance(void **state)
{
    (void)state;
    FcDevStats s;
    /* thresholds rtol*|ref| = {0.2, 0.4, 0.6, 0.8}: 0.5 > 0.2 and 1 > 0.6 */
    fc_dev_init(&s);
    fc_dev_add(&s, ref4, x4, 4, 0.2, 0.0);
    assert_int_equal(s.over, 2);
    /* thresholds {0.5, 1, 1.5, 2}: equal to the tolerance is not over it */
    fc_dev_init(&s);
    fc_dev_add(&s, ref4, x4, 4, 0.5, 0.0);
    assert_int_equal(s.over, 0);
}

static void test_nan_and_inf(void **state)
{
    (void)state;
    const double ref[] = {NAN, 1.0, INFINITY, 2.0}, x[] = {NAN, NAN, INFINITY, 2.0};
    FcDevStats s;
    fc_dev_init(&s);
    fc_dev_add(&s, ref, x, 4, 0.0, 0.0);
    assert_int_equal(s.ninf, 1); /* only the NaN against 1 */
    assert_true(isinf(s.max));
    assert_true(isinf(fc_dev_mean_abs(&s)));
    assert_true(isinf(fc_dev_rmse(&s)));
    NEAR(fc_dev_pct_over(&s), 25.0);
}

static void test_empty_and_constant(void **state)
{
    (void)state;
    FcDevStats s;
    fc_dev_init(&s);
    assert_true(fc_dev_rmse(&s) == 0 && fc_dev_std_abs(&s) == 0 && fc_dev_pct_over(&s) == 0);
    /* A million equal differences: the standard deviation is exactly 0 (no cancellation). */
    static double r[1000], y[1000];
    for (int i = 0; i < 1000; i++)
        r[i] = 1.0, y[i] = 1.001;
    for (int k = 0; k < 1000; k++)
        fc_dev_add(&s, r, y, 1000, 0.0, 0.0);
    assert_int_equal(s.n, 1000000);
    assert_true(fc_dev_std_abs(&s) < 1e-15);
    NEAR(fc_dev_rmse(&s), 1.001 - 1.0);
}

static void test_argmax(void **state)
{
    (void)state;
    const double a[] = {1, 3, 3, 2}, b[] = {NAN, 5}, c[] = {-1, -2};
    assert_int_equal(fc_argmax(a, 4), 1); /* the first of equal maxima */
    assert_int_equal(fc_argmax(b, 2), 0);
    assert_int_equal(fc_argmax(c, 2), 0);
    const double p[] = {1, 2, 3, 1, 0, 0}, q[] = {2, 1, 5, 1, 0, 1};
    assert_int_equal(fc_argmax_agree(p, q, 3, 2), 1); /* rows: 1 vs 0, 0 vs 0, 0 vs 1 */
    const double scores[] = {0.1, 0.9, 0.8, 0.2, 0.3, 0.7};
    const int64_t labels[] = {1, 1, 1};
    assert_int_equal(fc_top1_correct(scores, labels, 3, 2), 2);
}

static void test_median(void **state)
{
    (void)state;
    double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2};
    NEAR(fc_median(odd, 3), 2.0);
    NEAR(fc_median(even, 4), 2.5);
    assert_true(isnan(fc_median(odd, 0)));
}

static void test_parse_bench(void **state)
{
    (void)state;
    double lo = 0, mid = 0;
    assert_int_equal(fc_parse_bench("y: [1, 128]\nlatency over 5 runs: min 129.378 ms, median "
                                    "139.315 ms, max 156.953 ms\n", &lo, &mid), 0);
    NEAR(lo, 129.378);
    NEAR(mid, 139.315);
    assert_int_equal(fc_parse_bench("latency over 5 runs: min x ms", &lo, &mid), -1);
    assert_int_equal(fc_parse_bench("", &lo, &mid), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deviation),       cmocka_unit_test(test_deviation_in_chunks),
        cmocka_unit_test(test_relative_tolerance), cmocka_unit_test(test_nan_and_inf),
        cmocka_unit_test(test_empty_and_constant), cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_median),          cmocka_unit_test(test_parse_bench),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
