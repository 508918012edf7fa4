/* test_k_reduce.c — kernels of the reduce group on small hand-computed tensors:
 * fc_rt_reduce (k_reduce.c), fc_rt_argminmax (k_argmax.c), fc_rt_softmax (k_softmax.c),
 * fc_rt_topk (k_topk.c), fc_rt_cumsum (k_cumsum.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fc_rt.h"
#include "k_harness.h"

void fc_rt_reduce(const FcRtNode *n, FcRtTensor *t);
int64_t fc_rt_reduce_scratch_bytes(const FcRtTensor *x, int64_t code, int64_t mask);
void fc_rt_argminmax(const FcRtNode *n, FcRtTensor *t);
void fc_rt_softmax(const FcRtNode *n, FcRtTensor *t);
void fc_rt_topk(const FcRtNode *n, FcRtTensor *t);
void fc_rt_cumsum(const FcRtNode *n, FcRtTensor *t);

enum { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOGSUM, LOGSUMEXP, SUMSQ };

static double scratch_mem[4096];

static FcRtTensor tensor(void *data, int32_t dt, int rank, const int64_t *dims)
{
    return k_tensor(data, dt, rank, dims);
}

/* Runs kernel k on t[0..nin) -> t[nin..nin+nout), scratch poisoned first. */
static void run(FcRtKernel k, FcRtTensor *t, int nin, int nout, const int64_t *ia, int nia)
{
    k_run(k, t, nin, nout, ia, nia, scratch_mem, sizeof scratch_mem);
}

#define NEAR(a, b, tol)                                                                     \
    do {                                                                                    \
        double a_ = (a), b_ = (b);                                                          \
        if (!(fabs(a_ - b_) <= (tol) * (1.0 + fabs(b_)))) {                                 \
            print_error("%s = %.9g, expected %.9g\n", #a, a_, b_);                          \
            fail();                                                                         \
        }                                                                                   \
    } while (0)

/* Reduces float data of shape dims with (code, mask) into y (ny elements expected). */
static void reduce_f32(int code, int64_t mask, const float *x, int rank, const int64_t *dims,
                       float *y, int orank, const int64_t *odims)
{
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_F32, rank, dims),
                       tensor(y, FC_DT_F32, orank, odims)};
    int64_t ia[2] = {code, mask};
    assert_true(fc_rt_reduce_scratch_bytes(&t[0], code, mask) <= (int64_t)sizeof scratch_mem);
    run(fc_rt_reduce, t, 1, 1, ia, 2);
}

/* ---- Reduce* ------------------------------------------------------------------------ */

static void test_reduce_sum_last_axis(void **state)
{
    (void)state;
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int64_t d[2] = {2, 3}, od[2] = {2, 1};
    float y[2];
    reduce_f32(SUM, 2, x, 2, d, y, 2, od);
    NEAR(y[0], 6, 1e-6);
    NEAR(y[1], 15, 1e-6);
    /* the last-axis case needs no scratch */
    FcRtTensor xt = tensor((void *)x, FC_DT_F32, 2, d);
    assert_int_equal(fc_rt_reduce_scratch_bytes(&xt, SUM, 2), 0);
    assert_int_equal(fc_rt_reduce_scratch_bytes(&xt, SUM, 1), 3 * 8);
    assert_int_equal(fc_rt_reduce_scratch_bytes(&xt, LOGSUMEXP, 1), 3 * 16);
}

static void test_reduce_sum_first_axis(void **state)
{
    (void)state;
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const int64_t d[2] = {2, 3}, od[1] = {3};
    float y[3];
    reduce_f32(SUM, 1, x, 2, d, y, 1, od);
    NEAR(y[0], 5, 1e-6);
    NEAR(y[1], 7, 1e-6);
    NEAR(y[2], 9, 1e-6);
}

static void test_reduce_sum_middle_axis(void **state)
{
    (void)state;
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    const int64_t d[3] = {2, 3, 2}, od[2] = {2, 2};
    float y[4];
    reduce_f32(SUM, 2, x, 3, d, y, 2, od);
    NEAR(y[0], 0 + 2 + 4, 1e-6);
    NEAR(y[1], 1 + 3 + 5, 1e-6);
    NEAR(y[2], 6 + 8 + 10, 1e-6);
    NEAR(y[3], 7 + 9 + 11, 1e-6);
}

static void test_reduce_mean_two_axes(void **state)
{
    (void)state;
    float x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (float)i;
    const int64_t d[3] = {2, 2, 2}, od[3] = {1, 2, 1};
    float y[2];
    reduce_f32(MEAN, 5, x, 3, d, y, 3, od); /* axes 0 and 2 */
    NEAR(y[0], (0 + 1 + 4 + 5) / 4.0, 1e-6);
    NEAR(y[1], (2 + 3 + 6 + 7) / 4.0, 1e-6);
    /* all axes, rank 3 -> one value */
    reduce_f32(MEAN, 7, x, 3, d, y, 0, od);
    NEAR(y[0], 3.5, 1e-6);
}

static void test_reduce_size_one_axes(void **state)
{
    (void)state;
    const float x[6] = {-1, 2, -3, 4, -5, 6};
    const int64_t d[3] = {2, 1, 3}, od[2] = {2, 3};
    float y[6];
    reduce_f32(L1, 2, x, 3, d, y, 2, od); /* reducing a size-1 axis: |x| */
    for (int i = 0; i < 6; i++)
        NEAR(y[i], fabs(x[i]), 1e-6);
    /* noop (mask 0) still applies the per-element part */
    reduce_f32(SUMSQ, 0, x, 3, d, y, 3, d);
    for (int i = 0; i < 6; i++)
        NEAR(y[i], x[i] * x[i], 1e-6);
    reduce_f32(SUM, 0, x, 3, d, y, 3, d);
    for (int i = 0; i < 6; i++)
        NEAR(y[i], x[i], 1e-6);
}

static void test_reduce_max_min_prod(void **state)
{
    (void)state;
    const float x[6] = {1, -2, 3, 4, 5, -6};
    const int64_t d[2] = {2, 3}, od[1] = {2}, od0[1] = {3};
    float y[3];
    reduce_f32(MAX, 2, x, 2, d, y, 1, od);
    NEAR(y[0], 3, 0);
    NEAR(y[1], 5, 0);
    reduce_f32(MIN, 2, x, 2, d, y, 1, od);
    NEAR(y[0], -2, 0);
    NEAR(y[1], -6, 0);
    reduce_f32(PROD, 2, x, 2, d, y, 1, od);
    NEAR(y[0], -6, 1e-6);
    NEAR(y[1], -120, 1e-6);
    reduce_f32(MAX, 1, x, 2, d, y, 1, od0);
    NEAR(y[0], 4, 0);
    NEAR(y[1], 5, 0);
    NEAR(y[2], 3, 0);
    reduce_f32(MIN, 1, x, 2, d, y, 1, od0);
    NEAR(y[0], 1, 0);
    NEAR(y[1], -2, 0);
    NEAR(y[2], -6, 0);
}

static void test_reduce_max_nan(void **state)
{
    (void)state;
    const float x[6] = {1, NAN, 3, 4, 5, 6};
    const int64_t d[2] = {2, 3}, od[1] = {2}, od0[1] = {3};
    float y[3];
    reduce_f32(MAX, 2, x, 2, d, y, 1, od);
    assert_true(isnan(y[0]));
    NEAR(y[1], 6, 0);
    reduce_f32(MIN, 1, x, 2, d, y, 1, od0);
    NEAR(y[0], 1, 0);
    assert_true(isnan(y[1]));
    NEAR(y[2], 3, 0);
    /* long rows (the 8-lane loops): NaN in a lane, then in the tail */
    float r[21];
    const int64_t dr[1] = {21};
    for (int i = 0; i < 21; i++)
        r[i] = (float)(i % 7) - 3;
    reduce_f32(MAX, 1, r, 1, dr, y, 0, od);
    NEAR(y[0], 3, 0);
    reduce_f32(MIN, 1, r, 1, dr, y, 0, od);
    NEAR(y[0], -3, 0);
    r[5] = NAN;
    reduce_f32(MAX, 1, r, 1, dr, y, 0, od);
    assert_true(isnan(y[0]));
    r[5] = 0;
    r[20] = NAN;
    reduce_f32(MIN, 1, r, 1, dr, y, 0, od);
    assert_true(isnan(y[0]));
}

static void test_reduce_norms_and_logs(void **state)
{
    (void)state;
    const float x[4] = {3, -4, 1, 2};
    const int64_t d[2] = {2, 2}, od[1] = {2};
    float y[2];
    reduce_f32(L2, 2, x, 2, d, y, 1, od);
    NEAR(y[0], 5, 1e-6);
    NEAR(y[1], sqrt(5.0), 1e-6);
    reduce_f32(L1, 2, x, 2, d, y, 1, od);
    NEAR(y[0], 7, 1e-6);
    NEAR(y[1], 3, 1e-6);
    reduce_f32(SUMSQ, 1, x, 2, d, y, 1, od);
    NEAR(y[0], 10, 1e-6);
    NEAR(y[1], 20, 1e-6);
    const float p[4] = {1, 2, 3, 4};
    reduce_f32(LOGSUM, 1, p, 2, d, y, 1, od);
    NEAR(y[0], log(4.0), 1e-6);
    NEAR(y[1], log(6.0), 1e-6);
}

static void test_reduce_logsumexp_f64(void **state)
{
    (void)state;
    const double x[4] = {1000, 1, 1000, 2};
    const int64_t d[2] = {2, 2}, od[1] = {2};
    double y[2];
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_F64, 2, d), tensor(y, FC_DT_F64, 1, od)};
    int64_t ia[2] = {LOGSUMEXP, 1}; /* axis 0: the general path */
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    NEAR(y[0], 1000 + log(2.0), 1e-12);
    NEAR(y[1], 2 + log(1 + exp(-1.0)), 1e-12);
    ia[1] = 2; /* axis 1: the direct path */
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    NEAR(y[0], 1000 + log(1 + exp(-999.0)), 1e-12);
    NEAR(y[1], 1000 + log(1 + exp(-998.0)), 1e-12);
    const double ninf[2] = {-INFINITY, -INFINITY};
    const int64_t d1[1] = {2};
    t[0] = tensor((void *)ninf, FC_DT_F64, 1, d1);
    ia[1] = 1;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_true(isinf(y[0]) && y[0] < 0);
}

static void test_reduce_empty(void **state)
{
    (void)state;
    const float *none = NULL;
    const int64_t d[2] = {2, 0}, od[1] = {2};
    float y[2];
    static const struct { int code; double want; } cases[] = {
        {SUM, 0}, {PROD, 1}, {MAX, -INFINITY}, {MIN, INFINITY}, {L1, 0}, {L2, 0},
        {SUMSQ, 0}, {LOGSUM, -INFINITY}, {LOGSUMEXP, -INFINITY}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        y[0] = y[1] = 42;
        reduce_f32(cases[c].code, 2, none, 2, d, y, 1, od);
        for (int i = 0; i < 2; i++) {
            if (isinf(cases[c].want))
                assert_true(isinf(y[i]) && (y[i] > 0) == (cases[c].want > 0));
            else
                NEAR(y[i], cases[c].want, 0);
        }
    }
    reduce_f32(MEAN, 2, none, 2, d, y, 1, od);
    assert_true(isnan(y[0]));
    /* int32: the type's limits */
    int32_t yi[2];
    FcRtTensor t[2] = {tensor(NULL, FC_DT_I32, 2, d), tensor(yi, FC_DT_I32, 1, od)};
    int64_t ia[2] = {MAX, 2};
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(yi[0], INT32_MIN);
    ia[0] = MIN;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(yi[1], INT32_MAX);
    ia[0] = MEAN;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(yi[0], 0);
}

static void test_reduce_ints(void **state)
{
    (void)state;
    const int64_t d[2] = {2, 3}, od[1] = {2};
    const int64_t x64[6] = {-1, 2, -3, 4, 5, 6};
    int64_t y64[2];
    FcRtTensor t[2] = {tensor((void *)x64, FC_DT_I64, 2, d), tensor(y64, FC_DT_I64, 1, od)};
    int64_t ia[2] = {L1, 2};
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y64[0], 6);
    assert_int_equal(y64[1], 15);
    ia[0] = MEAN; /* -2/3 -> 0 (truncation), 15/3 = 5 */
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y64[0], 0);
    assert_int_equal(y64[1], 5);
    ia[0] = PROD;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y64[0], 6);
    assert_int_equal(y64[1], 120);
    /* int64 sums stay exact beyond 2^53 */
    const int64_t big[2] = {INT64_C(9007199254740993), 1};
    const int64_t d1[1] = {2};
    t[0] = tensor((void *)big, FC_DT_I64, 1, d1);
    ia[0] = SUM;
    ia[1] = 1;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_true(y64[0] == INT64_C(9007199254740994));

    const int32_t x32[4] = {3, 4, -3, -4};
    int32_t y32[2];
    const int64_t d2[2] = {2, 2};
    t[0] = tensor((void *)x32, FC_DT_I32, 2, d2);
    t[1] = tensor(y32, FC_DT_I32, 1, od);
    ia[0] = L2;
    ia[1] = 2;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y32[0], 5);
    assert_int_equal(y32[1], 5);
    ia[0] = MEAN; /* -7/2 -> -3 */
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y32[0], 3);
    assert_int_equal(y32[1], -3);
    ia[0] = MIN;
    ia[1] = 1;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y32[0], -3);
    assert_int_equal(y32[1], -4);

    const uint8_t xu8[2] = {200, 100};
    uint8_t yu8[1];
    t[0] = tensor((void *)xu8, FC_DT_U8, 1, d1);
    t[1] = tensor(yu8, FC_DT_U8, 0, od);
    ia[0] = SUM;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(yu8[0], 44); /* wraps like the uint8 type */
    ia[0] = MAX;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(yu8[0], 200);
}

static void test_reduce_bool(void **state)
{
    (void)state;
    const uint8_t x[6] = {0, 1, 0, 0, 0, 0};
    const int64_t d[2] = {2, 3}, od[1] = {2};
    uint8_t y[2];
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_BOOL, 2, d), tensor(y, FC_DT_BOOL, 1, od)};
    int64_t ia[2] = {MAX, 2};
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y[0], 1);
    assert_int_equal(y[1], 0);
    ia[0] = MIN;
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 0);
    const int64_t de[2] = {2, 0};
    t[0] = tensor(NULL, FC_DT_BOOL, 2, de);
    run(fc_rt_reduce, t, 1, 1, ia, 2); /* empty Min: true */
    assert_int_equal(y[0], 1);
    assert_int_equal(y[1], 1);
    ia[0] = MAX; /* empty Max: false */
    run(fc_rt_reduce, t, 1, 1, ia, 2);
    assert_int_equal(y[0], 0);
}

/* Larger cases against a straightforward reference: [3,4,5,10] reduced over axes {1,3}
 * (general path, reduced last axis), {0,2} (general path, kept last axis) and {3} (direct). */
static void test_reduce_general_vs_naive(void **state)
{
    (void)state;
    enum { A0 = 3, A1 = 4, A2 = 5, A3 = 10 };
    static float x[A0 * A1 * A2 * A3];
    static float y[A0 * A1 * A2 * A3];
    for (int i = 0; i < A0 * A1 * A2 * A3; i++)
        x[i] = (float)((i * 37 % 101) - 50) / 10.0f;
    const int64_t d[4] = {A0, A1, A2, A3};
    const int64_t masks[3] = {0xA, 0x5, 0x8};
    const int codes[8] = {SUM, MEAN, MAX, MIN, L1, L2, LOGSUMEXP, PROD};
    for (int mk = 0; mk < 3; mk++) {
        int64_t mask = masks[mk], od[4];
        int orank = 0;
        for (int a = 0; a < 4; a++)
            if (!(mask >> a & 1))
                od[orank++] = d[a];
        for (int c = 0; c < 8; c++) {
            reduce_f32(codes[c], mask, x, 4, d, y, orank, od);
            int64_t o = 0;
            /* output index o walks the kept axes in order */
            for (int i0 = 0; i0 < (mask & 1 ? 1 : A0); i0++)
                for (int i1 = 0; i1 < (mask & 2 ? 1 : A1); i1++)
                    for (int i2 = 0; i2 < (mask & 4 ? 1 : A2); i2++)
                        for (int i3 = 0; i3 < (mask & 8 ? 1 : A3); i3++, o++) {
                            double s = 0, m = -INFINITY, mn = INFINITY, ab = 0, sq = 0, p = 1;
                            double cnt = 0, se = 0;
                            for (int pass = 0; pass < 2; pass++)
                                for (int j0 = 0; j0 < A0; j0++)
                                    for (int j1 = 0; j1 < A1; j1++)
                                        for (int j2 = 0; j2 < A2; j2++)
                                            for (int j3 = 0; j3 < A3; j3++) {
                                                if ((!(mask & 1) && j0 != i0) ||
                                                    (!(mask & 2) && j1 != i1) ||
                                                    (!(mask & 4) && j2 != i2) ||
                                                    (!(mask & 8) && j3 != i3))
                                                    continue;
                                                double v = x[((j0 * A1 + j1) * A2 + j2) * A3 + j3];
                                                if (pass == 1) {
                                                    se += exp(v - m);
                                                    continue;
                                                }
                                                s += v;
                                                ab += fabs(v);
                                                sq += v * v;
                                                p *= v;
                                                cnt++;
                                                m = v > m ? v : m;
                                                mn = v < mn ? v : mn;
                                            }
                            double want[8] = {s, s / cnt, m, mn, ab, sqrt(sq), m + log(se), p};
                            NEAR(y[o], want[c], 1e-5);
                        }
        }
    }
}

/* ---- ArgMax / ArgMin ------------------------------------------------------------------ */

static void argminmax(int min, int last, const float *x, int64_t outer, int64_t R, int64_t inner,
                      int64_t *y)
{
    const int64_t d[3] = {outer, R, inner}, od[2] = {outer, inner};
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_F32, 3, d), tensor(y, FC_DT_I64, 2, od)};
    int64_t ia[5] = {min, outer, R, inner, last};
    run(fc_rt_argminmax, t, 1, 1, ia, 5);
}

static void test_argmax_rows(void **state)
{
    (void)state;
    const float x[6] = {1, 3, 3, 5, 2, 5};
    int64_t y[2];
    argminmax(0, 0, x, 2, 3, 1, y);
    assert_int_equal(y[0], 1);
    assert_int_equal(y[1], 0);
    argminmax(0, 1, x, 2, 3, 1, y);
    assert_int_equal(y[0], 2);
    assert_int_equal(y[1], 2);
    argminmax(1, 0, x, 2, 3, 1, y);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 1);
    argminmax(1, 1, x, 2, 3, 1, y);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 1);
}

/* The float rows (inner == 1: two vectorized passes) against the column loop (inner == 2,
 * the same values in column 0), all four modes, on rows of 1, 15, 16, 37 and 1000 with ties,
 * signed zeros and, in some rows, NaNs (first, middle or last). */
static void test_argmax_rows_match_columns(void **state)
{
    (void)state;
    static const int64_t lens[5] = {1, 15, 16, 37, 1000};
    static float row[1000], cols[2000];
    unsigned seed = 7u;
    for (int li = 0; li < 5; li++)
        for (int nanpos = -1; nanpos < 3; nanpos++) {
            const int64_t R = lens[li];
            for (int64_t i = 0; i < R; i++) {
                seed = seed * 1103515245u + 12345u;
                row[i] = (float)((int)((seed >> 16) % 9) - 4); /* -4..4: many ties */
                if (row[i] == 0.0f && (seed & 1))
                    row[i] = -0.0f;
            }
            if (nanpos >= 0) {
                row[nanpos == 0 ? 0 : nanpos == 1 ? R / 2 : R - 1] = NAN;
                row[R / 3] = NAN;
            }
            for (int64_t i = 0; i < R; i++) {
                cols[2 * i] = row[i];
                cols[2 * i + 1] = 0.0f;
            }
            for (int mode = 0; mode < 4; mode++) {
                int64_t yr[1], yc[2];
                argminmax(mode / 2, mode % 2, row, 1, R, 1, yr);
                argminmax(mode / 2, mode % 2, cols, 1, R, 2, yc);
                if (yr[0] != yc[0]) {
                    print_error("R %lld nan %d mode %d: row %lld, column %lld\n", (long long)R,
                                nanpos, mode, (long long)yr[0], (long long)yc[0]);
                    fail();
                }
            }
        }
}

static void test_argmax_columns(void **state)
{
    (void)state;
    const float x[6] = {1, 3, 3, 5, 2, 3}; /* [2][3], axis 0 */
    int64_t y[3];
    argminmax(0, 0, x, 1, 2, 3, y);
    assert_int_equal(y[0], 1);
    assert_int_equal(y[1], 0);
    assert_int_equal(y[2], 0);
    argminmax(0, 1, x, 1, 2, 3, y);
    assert_int_equal(y[2], 1);
    argminmax(1, 0, x, 1, 2, 3, y);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[1], 1);
    assert_int_equal(y[2], 0);
}

static void test_argmax_nan_and_ints(void **state)
{
    (void)state;
    const float x[4] = {1, NAN, NAN, 2};
    int64_t y[1];
    argminmax(0, 0, x, 1, 4, 1, y);
    assert_int_equal(y[0], 1);
    argminmax(0, 1, x, 1, 4, 1, y);
    assert_int_equal(y[0], 2);
    argminmax(1, 0, x, 1, 4, 1, y);
    assert_int_equal(y[0], 1);

    const uint64_t u[3] = {1, UINT64_MAX, UINT64_C(1) << 63};
    const int64_t d[1] = {3}, od[1] = {1};
    FcRtTensor t[2] = {tensor((void *)u, FC_DT_U64, 1, d), tensor(y, FC_DT_I64, 1, od)};
    int64_t ia[5] = {0, 1, 3, 1, 0};
    run(fc_rt_argminmax, t, 1, 1, ia, 5);
    assert_int_equal(y[0], 1);
    ia[0] = 1;
    run(fc_rt_argminmax, t, 1, 1, ia, 5);
    assert_int_equal(y[0], 0);
}

/* ---- Softmax / LogSoftmax / Hardmax ----------------------------------------------------- */

static void softmax_f32(int op, const float *x, float *y, int64_t outer, int64_t R,
                        int64_t inner)
{
    const int64_t d[3] = {outer, R, inner};
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_F32, 3, d), tensor(y, FC_DT_F32, 3, d)};
    int64_t ia[4] = {op, outer, R, inner};
    run(fc_rt_softmax, t, 1, 1, ia, 4);
}

static void test_softmax_rows(void **state)
{
    (void)state;
    const float x[6] = {1, 2, 3, 1000, 1001, 1002};
    float y[6];
    const double sm[3] = {0.09003057317038046, 0.24472847105479764, 0.6652409557748219};
    const double lsm[3] = {-2.4076059644443806, -1.4076059644443804, -0.4076059644443803};
    softmax_f32(0, x, y, 2, 3, 1);
    for (int i = 0; i < 6; i++)
        NEAR(y[i], sm[i % 3], 1e-6);
    softmax_f32(1, x, y, 2, 3, 1);
    for (int i = 0; i < 6; i++)
        NEAR(y[i], lsm[i % 3], 1e-5);
    /* a row longer than the 8-lane max loop, max in the tail */
    float lx[19], ly[19];
    for (int i = 0; i < 19; i++)
        lx[i] = (float)((i * 5) % 11) - 4 + (i == 17 ? 10.0f : 0.0f);
    double lsum = 0;
    for (int i = 0; i < 19; i++)
        lsum += exp(lx[i] - lx[17]);
    softmax_f32(0, lx, ly, 1, 19, 1);
    for (int i = 0; i < 19; i++)
        NEAR(ly[i], exp(lx[i] - lx[17]) / lsum, 1e-6);
    softmax_f32(1, lx, ly, 1, 19, 1);
    for (int i = 0; i < 19; i++)
        NEAR(ly[i], lx[i] - lx[17] - log(lsum), 1e-6);
    const float h[6] = {3, 1, 3, -1, 2, 2};
    softmax_f32(2, h, y, 2, 3, 1);
    const float hw[6] = {1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 6; i++)
        NEAR(y[i], hw[i], 0);
}

static void test_softmax_columns(void **state)
{
    (void)state;
    const float x[4] = {1, 5, 2, 5}; /* [R=2][inner=2] */
    float y[4];
    softmax_f32(0, x, y, 1, 2, 2);
    NEAR(y[0], 0.2689414213699951, 1e-6);
    NEAR(y[1], 0.5, 1e-6);
    NEAR(y[2], 0.7310585786300049, 1e-6);
    NEAR(y[3], 0.5, 1e-6);
    softmax_f32(1, x, y, 1, 2, 2);
    NEAR(y[0], -1.3132616875182228, 1e-6);
    NEAR(y[1], -0.6931471805599453, 1e-6);
    NEAR(y[2], -0.31326168751822286, 1e-6);
    NEAR(y[3], -0.6931471805599453, 1e-6);
    softmax_f32(2, x, y, 1, 2, 2);
    NEAR(y[0], 0, 0);
    NEAR(y[1], 1, 0);
    NEAR(y[2], 1, 0);
    NEAR(y[3], 0, 0);

    /* f64, two outer blocks */
    const double xd[8] = {0, 0, 0, 0, 1, 2, 3, 4};
    double yd[8];
    const int64_t d[3] = {2, 2, 2};
    FcRtTensor t[2] = {tensor((void *)xd, FC_DT_F64, 3, d), tensor(yd, FC_DT_F64, 3, d)};
    int64_t ia[4] = {0, 2, 2, 2};
    run(fc_rt_softmax, t, 1, 1, ia, 4);
    for (int i = 0; i < 4; i++)
        NEAR(yd[i], 0.5, 1e-12);
    NEAR(yd[4], 1 / (1 + exp(2.0)), 1e-12);
    NEAR(yd[6], 1 / (1 + exp(-2.0)), 1e-12);
}

/* ---- TopK -------------------------------------------------------------------------------- */

static void test_topk_rows(void **state)
{
    (void)state;
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    const int64_t d[2] = {3, 4}, od[2] = {3, 3};
    float v[9];
    int64_t ix[9];
    FcRtTensor t[3] = {tensor(x, FC_DT_F32, 2, d), tensor(v, FC_DT_F32, 2, od),
                       tensor(ix, FC_DT_I64, 2, od)};
    int64_t ia[5] = {3, 4, 1, 3, 1};
    run(fc_rt_topk, t, 1, 2, ia, 5);
    const float wv[9] = {3, 2, 1, 7, 6, 5, 11, 10, 9};
    const int64_t wi[9] = {3, 2, 1, 3, 2, 1, 3, 2, 1};
    for (int i = 0; i < 9; i++) {
        NEAR(v[i], wv[i], 0);
        assert_int_equal(ix[i], wi[i]);
    }
    ia[4] = 0; /* smallest */
    run(fc_rt_topk, t, 1, 2, ia, 5);
    for (int i = 0; i < 9; i++) {
        NEAR(v[i], (i / 3) * 4 + i % 3, 0);
        assert_int_equal(ix[i], i % 3);
    }
}

static void test_topk_ties_and_nan(void **state)
{
    (void)state;
    const int64_t x[5] = {5, 1, 5, 1, 3};
    const int64_t d[1] = {5}, od[1] = {3};
    int64_t v[5], ix[5];
    FcRtTensor t[3] = {tensor((void *)x, FC_DT_I64, 1, d), tensor(v, FC_DT_I64, 1, od),
                       tensor(ix, FC_DT_I64, 1, od)};
    int64_t ia[5] = {1, 5, 1, 3, 0};
    run(fc_rt_topk, t, 1, 2, ia, 5);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[1], 1);
    assert_int_equal(v[2], 3);
    assert_int_equal(ix[0], 1);
    assert_int_equal(ix[1], 3);
    assert_int_equal(ix[2], 4);
    ia[4] = 1;
    run(fc_rt_topk, t, 1, 2, ia, 5);
    assert_int_equal(v[0], 5);
    assert_int_equal(v[1], 5);
    assert_int_equal(v[2], 3);
    assert_int_equal(ix[0], 0);
    assert_int_equal(ix[1], 2);
    assert_int_equal(ix[2], 4);
    ia[3] = 5; /* a full sort */
    run(fc_rt_topk, t, 1, 2, ia, 5);
    const int64_t wi[5] = {0, 2, 4, 1, 3};
    for (int i = 0; i < 5; i++)
        assert_int_equal(ix[i], wi[i]);

    const float xf[3] = {1, NAN, 3};
    float vf[2];
    const int64_t d3[1] = {3}, od2[1] = {2};
    t[0] = tensor((void *)xf, FC_DT_F32, 1, d3);
    t[1] = tensor(vf, FC_DT_F32, 1, od2);
    t[2] = tensor(ix, FC_DT_I64, 1, od2);
    int64_t ib[5] = {1, 3, 1, 2, 1};
    run(fc_rt_topk, t, 1, 2, ib, 5);
    assert_true(isnan(vf[0]));
    NEAR(vf[1], 3, 0);
    assert_int_equal(ix[0], 1);
    assert_int_equal(ix[1], 2);
    ib[4] = 0;
    run(fc_rt_topk, t, 1, 2, ib, 5);
    NEAR(vf[0], 1, 0);
    NEAR(vf[1], 3, 0);
    assert_int_equal(ix[0], 0);
    assert_int_equal(ix[1], 2);
}

/* A top k (the selection rejects most elements by one comparison with the heap root) is
 * the first k of the full sort (k = R: every element enters the heap), values bit for bit
 * and indices, with ties, signed zeros and NaNs in the row. */
static void test_topk_prefix_of_full_sort(void **state)
{
    (void)state;
    enum { R = 300 };
    static float x[R], vk[R], vs[R];
    static int64_t ik[R], is_[R];
    unsigned seed = 3u;
    for (int i = 0; i < R; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((int)((seed >> 16) % 41) - 20);
        if (x[i] == 0.0f && (seed & 1))
            x[i] = -0.0f;
    }
    x[7] = NAN;
    x[150] = NAN;
    const int64_t d[1] = {R};
    for (int largest = 0; largest < 2; largest++)
        for (int ki = 0; ki < 3; ki++) {
            const int64_t k = ki == 0 ? 1 : ki == 1 ? 5 : 37, dk[1] = {k};
            int64_t ia[5] = {1, R, 1, R, largest};
            FcRtTensor ts[3] = {tensor(x, FC_DT_F32, 1, d), tensor(vs, FC_DT_F32, 1, d),
                                tensor(is_, FC_DT_I64, 1, d)};
            FcRtTensor tk[3] = {tensor(x, FC_DT_F32, 1, d), tensor(vk, FC_DT_F32, 1, dk),
                                tensor(ik, FC_DT_I64, 1, dk)};
            run(fc_rt_topk, ts, 1, 2, ia, 5);
            ia[3] = k;
            run(fc_rt_topk, tk, 1, 2, ia, 5);
            for (int64_t i = 0; i < k; i++)
                if (ik[i] != is_[i] || memcmp(&vk[i], &vs[i], sizeof(float)) != 0) {
                    print_error("largest %d k %lld at %lld: index %lld vs %lld\n", largest,
                                (long long)k, (long long)i, (long long)ik[i], (long long)is_[i]);
                    fail();
                }
        }
}

static void test_topk_columns_u64(void **state)
{
    (void)state;
    const float x[6] = {1, 6, 3, 4, 2, 5}; /* [3][2], axis 0 */
    const int64_t d[2] = {3, 2}, od[2] = {2, 2};
    float v[4];
    int64_t ix[4];
    FcRtTensor t[3] = {tensor((void *)x, FC_DT_F32, 2, d), tensor(v, FC_DT_F32, 2, od),
                       tensor(ix, FC_DT_I64, 2, od)};
    int64_t ia[5] = {1, 3, 2, 2, 1};
    run(fc_rt_topk, t, 1, 2, ia, 5);
    const float wv[4] = {3, 6, 2, 5};
    const int64_t wi[4] = {1, 0, 2, 2};
    for (int i = 0; i < 4; i++) {
        NEAR(v[i], wv[i], 0);
        assert_int_equal(ix[i], wi[i]);
    }
    const uint64_t u[3] = {UINT64_MAX, 1, UINT64_C(1) << 63};
    uint64_t uv[2];
    const int64_t d3[1] = {3}, od2[1] = {2};
    t[0] = tensor((void *)u, FC_DT_U64, 1, d3);
    t[1] = tensor(uv, FC_DT_U64, 1, od2);
    t[2] = tensor(ix, FC_DT_I64, 1, od2);
    int64_t ib[5] = {1, 3, 1, 2, 1};
    run(fc_rt_topk, t, 1, 2, ib, 5);
    assert_true(uv[0] == UINT64_MAX);
    assert_true(uv[1] == UINT64_C(1) << 63);
    assert_int_equal(ix[0], 0);
    assert_int_equal(ix[1], 2);
}

/* ---- CumSum ------------------------------------------------------------------------------- */

static void test_cumsum_1d(void **state)
{
    (void)state;
    const double x[5] = {1, 2, 3, 4, 5};
    double y[5];
    const int64_t d[1] = {5};
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_F64, 1, d), tensor(y, FC_DT_F64, 1, d)};
    static const double want[4][5] = {{1, 3, 6, 10, 15}, {0, 1, 3, 6, 10},
                                      {15, 14, 12, 9, 5}, {14, 12, 9, 5, 0}};
    for (int m = 0; m < 4; m++) {
        int64_t ia[5] = {1, 5, 1, m & 1, m >> 1};
        run(fc_rt_cumsum, t, 1, 1, ia, 5);
        for (int i = 0; i < 5; i++)
            NEAR(y[i], want[m][i], 0);
    }
}

static void test_cumsum_2d(void **state)
{
    (void)state;
    const int32_t x[6] = {1, 2, 3, 4, 5, 6};
    int32_t y[6];
    const int64_t d[2] = {2, 3};
    FcRtTensor t[2] = {tensor((void *)x, FC_DT_I32, 2, d), tensor(y, FC_DT_I32, 2, d)};
    int64_t ia[5] = {1, 2, 3, 0, 0}; /* axis 0 */
    run(fc_rt_cumsum, t, 1, 1, ia, 5);
    const int32_t w0[6] = {1, 2, 3, 5, 7, 9};
    for (int i = 0; i < 6; i++)
        assert_int_equal(y[i], w0[i]);
    int64_t ib[5] = {2, 3, 1, 0, 0}; /* axis 1 */
    run(fc_rt_cumsum, t, 1, 1, ib, 5);
    const int32_t w1[6] = {1, 3, 6, 4, 9, 15};
    for (int i = 0; i < 6; i++)
        assert_int_equal(y[i], w1[i]);
    int64_t ic[5] = {1, 2, 3, 1, 1}; /* axis 0, exclusive, reverse */
    run(fc_rt_cumsum, t, 1, 1, ic, 5);
    const int32_t w2[6] = {4, 5, 6, 0, 0, 0};
    for (int i = 0; i < 6; i++)
        assert_int_equal(y[i], w2[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_sum_last_axis),
        cmocka_unit_test(test_reduce_sum_first_axis),
        cmocka_unit_test(test_reduce_sum_middle_axis),
        cmocka_unit_test(test_reduce_mean_two_axes),
        cmocka_unit_test(test_reduce_size_one_axes),
        cmocka_unit_test(test_reduce_max_min_prod),
        cmocka_unit_test(test_reduce_max_nan),
        cmocka_unit_test(test_reduce_norms_and_logs),
        cmocka_unit_test(test_reduce_logsumexp_f64),
        cmocka_unit_test(test_reduce_empty),
        cmocka_unit_test(test_reduce_ints),
        cmocka_unit_test(test_reduce_bool),
        cmocka_unit_test(test_reduce_general_vs_naive),
        cmocka_unit_test(test_argmax_rows),
        cmocka_unit_test(test_argmax_rows_match_columns),
        cmocka_unit_test(test_argmax_columns),
        cmocka_unit_test(test_argmax_nan_and_ints),
        cmocka_unit_test(test_softmax_rows),
        cmocka_unit_test(test_softmax_columns),
        cmocka_unit_test(test_topk_rows),
        cmocka_unit_test(test_topk_ties_and_nan),
        cmocka_unit_test(test_topk_prefix_of_full_sort),
        cmocka_unit_test(test_topk_columns_u64),
        cmocka_unit_test(test_cumsum_1d),
        cmocka_unit_test(test_cumsum_2d),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
