/* test_k_vmath.c — the vectorizable exp / erf / tanh of runtime/k_vmath.c against libm's
 * double-precision functions: dense sweeps with the error bounds its header documents,
 * special values (NaN, infinities, signed zero, overflow, underflow), and the activations
 * built on them. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "fc_rt.h"

void fc_rt_vexpf(const float *x, float *y, int64_t n);
void fc_rt_verff(const float *x, float *y, int64_t n);
void fc_rt_vtanhf(const float *x, float *y, int64_t n);
void fc_rt_vsigmoidf(const float *x, float *y, int64_t n);
void fc_rt_vgeluf(const float *x, float *y, int64_t n);
void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n);
void fc_rt_vact(float *y, int64_t n, int act);
void fc_rt_vact_biased(const float *x, const float *b, int64_t bs, float *y, int64_t n, int act);

#ifdef FC_TEST_NEEDS_AVX2
#include "fc_vact.h"
#ifndef FC_VM_AVX2
#error "built for AVX2 + FMA, but fc_vact.h did not select its AVX2 functions"
#endif
#endif

#define SWEEP 200001
static float xs[SWEEP], ys[SWEEP];

/* Fills xs with SWEEP evenly spaced points of [lo, hi]. */
static void sweep(double lo, double hi)
{
    for (int i = 0; i < SWEEP; i++)
        xs[i] = (float)(lo + (hi - lo) * i / (SWEEP - 1));
}

/* Checks ys against ref(xs): |err| <= abs_tol + rel_tol * |ref|. */
static void check(double (*ref)(double), double rel_tol, double abs_tol, const char *what)
{
    for (int i = 0; i < SWEEP; i++) {
        double r = ref(xs[i]), e = fabs((double)ys[i] - r);
        if (!(e <= abs_tol + rel_tol * fabs(r))) {
            print_error("%s(%.9g) = %.9g, libm %.9g\n", what, (double)xs[i], (double)ys[i], r);
            fail();
        }
    }
}

static void test_exp_sweep(void **state)
{
    (void)state;
    sweep(-87.3, 88.7); /* normal results */
    fc_rt_vexpf(xs, ys, SWEEP);
    check(exp, 4e-7, 0.0, "exp");
    sweep(-103.9, -87.4); /* subnormal results: absolute error below FLT_MIN */
    fc_rt_vexpf(xs, ys, SWEEP);
    check(exp, 4e-7, FLT_MIN, "exp");
    sweep(-1e-3, 1e-3);
    fc_rt_vexpf(xs, ys, SWEEP);
    check(exp, 4e-7, 0.0, "exp");
}

static void test_erf_sweep(void **state)
{
    (void)state;
    sweep(-1.0, 1.0);
    fc_rt_verff(xs, ys, SWEEP);
    check(erf, 4e-7, 0.0, "erf");
    sweep(-6.0, 6.0);
    fc_rt_verff(xs, ys, SWEEP);
    check(erf, 0.0, 1.5e-7, "erf");
    sweep(-1e-6, 1e-6);
    fc_rt_verff(xs, ys, SWEEP);
    check(erf, 4e-7, 0.0, "erf");
}

static void test_tanh_sweep(void **state)
{
    (void)state;
    sweep(-12.0, 12.0);
    fc_rt_vtanhf(xs, ys, SWEEP);
    check(tanh, 4e-7, 0.0, "tanh");
    sweep(-0.01, 0.01); /* no cancellation near 0 */
    fc_rt_vtanhf(xs, ys, SWEEP);
    check(tanh, 4e-7, 0.0, "tanh");
}

static void test_special_values(void **state)
{
    (void)state;
    float x[9] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 89.0f, -110.0f, 1e-30f, 1e-40f};
    float e[9], r[9], t[9];
    fc_rt_vexpf(x, e, 9);
    fc_rt_verff(x, r, 9);
    fc_rt_vtanhf(x, t, 9);
    assert_true(isnan(e[0]) && isnan(r[0]) && isnan(t[0]));
    assert_true(isinf(e[1]) && e[1] > 0 && r[1] == 1.0f && t[1] == 1.0f);
    assert_true(e[2] == 0.0f && r[2] == -1.0f && t[2] == -1.0f);
    assert_true(e[3] == 1.0f && r[3] == 0.0f && t[3] == 0.0f && !signbit(r[3]));
    assert_true(e[4] == 1.0f && signbit(r[4]) && signbit(t[4]));
    assert_true(isinf(e[5]) && r[5] == 1.0f && t[5] == 1.0f);
    assert_true(e[6] == 0.0f && r[6] == -1.0f && t[6] == -1.0f);
    assert_true(e[7] == 1.0f && t[7] == 1e-30f && fabs(r[7] - 1.1283791670955126e-30) < 1e-36);
    assert_true(t[8] == 1e-40f); /* subnormal input passes through tanh */
    /* in place */
    float v[2] = {1.0f, -2.0f};
    fc_rt_vexpf(v, v, 2);
    assert_true(fabs(v[0] - 2.718281828) < 1e-6 && fabs(v[1] - 0.135335283) < 1e-7);
}

static double gelu_ref(double v)
{
    return 0.5 * v * (1.0 + erf(v / sqrt(2.0)));
}

static double gelu_tanh_ref(double v)
{
    return 0.5 * v * (1.0 + tanh(0.79788456080286536 * (v + 0.044715 * v * v * v)));
}

static double sigmoid_ref(double v)
{
    return 1.0 / (1.0 + exp(-v));
}

static void test_activations(void **state)
{
    (void)state;
    sweep(-10.0, 10.0);
    fc_rt_vgeluf(xs, ys, SWEEP);
    check(gelu_ref, 1.2e-7, 1e-7, "gelu");
    fc_rt_vgelu_tanhf(xs, ys, SWEEP);
    check(gelu_tanh_ref, 1e-6, 2e-7, "gelu_tanh");
    fc_rt_vsigmoidf(xs, ys, SWEEP);
    check(sigmoid_ref, 1e-6, 0.0, "sigmoid");
    sweep(-6.0, 1.0); /* the tail Phi(-a) and the cut at x = -5.7 */
    fc_rt_vgeluf(xs, ys, SWEEP);
    check(gelu_ref, 1.2e-7, 1e-7, "gelu");
    sweep(-1e-3, 1e-3); /* relative error near 0 */
    fc_rt_vgeluf(xs, ys, SWEEP);
    check(gelu_ref, 4e-7, 0.0, "gelu");
    /* hand values: GELU(1) = 0.841344746, GELU(-1) = -0.158655254 */
    float x[2] = {1.0f, -1.0f}, y[2];
    fc_rt_vgeluf(x, y, 2);
    assert_true(fabs(y[0] - 0.841344746) < 2e-7 && fabs(y[1] + 0.158655254) < 2e-7);
    /* beyond the cut GELU is x or -0 exactly; infinities, NaN, signed zero; a length that
     * is not a multiple of the block, in place */
    float s[9] = {6.0f, -6.0f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN, 0.0f, -0.0f};
    fc_rt_vgeluf(s, s, 9);
    assert_true(s[0] == 6.0f && s[1] == 0.0f && signbit(s[1]) && s[2] == 1e30f);
    assert_true(s[3] == 0.0f && s[4] == INFINITY && s[5] == 0.0f && isnan(s[6]));
    assert_true(s[7] == 0.0f && s[8] == 0.0f && signbit(s[8]));
}

/* The fused kernels' one-pass bias + activation gives the bits of the bias added first and
 * the activation after: every act, a bias per element (in place) and one for all (into
 * another array), lengths around the 16-float block so the padded tail runs. */
static void test_bias_act_one_pass(void **state)
{
    (void)state;
    static float x[53], y[53], want[53], b[53];
    for (int act = 0; act <= 3; act++)
        for (int bs = 0; bs <= 1; bs++)
            for (int n = 1; n <= 53; n += 13) {
                for (int i = 0; i < n; i++) {
                    x[i] = y[i] = (float)((i * 37) % 23) / 3.0f - 4.0f;
                    b[i] = (float)((i * 11) % 7) / 5.0f - 0.6f;
                    want[i] = x[i] + b[i * bs];
                }
                fc_rt_vact(want, n, act);
                if (bs)
                    fc_rt_vact_biased(y, b, 1, y, n, act);
                else
                    fc_rt_vact_biased(x, b, 0, y, n, act);
                assert_memory_equal(y, want, sizeof(float) * (size_t)n);
            }
}

int main(void)
{
#ifdef FC_TEST_NEEDS_AVX2 /* the runtime was built for AVX2 + FMA: skip where absent */
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return 77;
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp_sweep),     cmocka_unit_test(test_erf_sweep),
        cmocka_unit_test(test_tanh_sweep),    cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_activations),   cmocka_unit_test(test_bias_act_one_pass),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
