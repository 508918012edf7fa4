/* test_k_elementwise.c — kernel tests of the elementwise group (runtime/k_cast.c,
 * k_unary.c, k_binary.c): hand-computed results on small tensors, for every loop shape
 * (same shape, scalar, row / channel broadcast, general broadcast), the chunked paths of
 * non-native dtypes, and the edge cases the kernels define (integer division by zero,
 * Python vs C modulo, float -> int wrap-around, float16 rounding, NaN propagation).
 *
 * The kernel sources are included directly (they are built with FC_RT= as in the runtime
 * library) so the tests share the kernels' op-code enums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <float.h>
#include <cmocka.h>

#include "k_cast.c"
#include "k_unary.c"
#include "k_binary.c"

/* ---- helpers ---------------------------------------------------------------------------- */

static FcRtTensor T(void *data, int32_t dt, int32_t rank, const int64_t *dims)
{
    FcRtTensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dt;
    t.rank = rank;
    for (int i = 0; i < rank; i++)
        t.dims[i] = dims[i];
    return t;
}

static const int32_t IN3[] = {0, 1, 2, 3}, OUT1[] = {1}, OUT2[] = {2}, OUT3[] = {3};

/* A node reading tensors 0..nin-1 and writing tensor nin. */
static FcRtNode N(int nin, const int64_t *ia, int nia, const float *fa, int nfa)
{
    FcRtNode n;
    memset(&n, 0, sizeof n);
    n.nin = nin;
    n.nout = 1;
    n.in = IN3;
    n.out = nin == 1 ? OUT1 : (nin == 2 ? OUT2 : OUT3);
    n.ia = ia;
    n.nia = nia;
    n.fa = fa;
    n.nfa = nfa;
    return n;
}

/* Runs a unary op on f32 data. */
static void unary_f32(int op, const float *fa, int nfa, const float *x, float *y, int64_t n)
{
    int64_t ia[4] = {op, FC_DT_F32, 1, 1};
    int64_t d[1] = {n};
    FcRtTensor t[2];
    FcRtNode nd = N(1, ia, 4, fa, nfa);
    t[0] = T((void *)x, FC_DT_F32, 1, d);
    t[1] = T(y, FC_DT_F32, 1, d);
    fc_rt_unary(&nd, t);
}

static void check_unary_f32(int op, const float *fa, int nfa, float x, float want, float tol)
{
    float y = -12345.0f;
    unary_f32(op, fa, nfa, &x, &y, 1);
    if (want != want) {
        assert_true(y != y);
        return;
    }
    assert_float_equal(y, want, tol);
}

/* ---- Cast / conversion ---------------------------------------------------------------------- */

static void test_half_conversions(void **state)
{
    (void)state;
    /* exact values */
    assert_int_equal(fc_rt_float_to_half(1.0f), 0x3c00);
    assert_int_equal(fc_rt_float_to_half(-2.0f), 0xc000);
    assert_int_equal(fc_rt_float_to_half(0.0f), 0x0000);
    assert_int_equal(fc_rt_float_to_half(-0.0f), 0x8000);
    assert_int_equal(fc_rt_float_to_half(65504.0f), 0x7bff);
    assert_int_equal(fc_rt_float_to_half(0.5f), 0x3800);
    /* overflow: 65520 is the halfway point to 65536 -> infinity; just below rounds down */
    assert_int_equal(fc_rt_float_to_half(65520.0f), 0x7c00);
    assert_int_equal(fc_rt_float_to_half(65519.0f), 0x7bff);
    assert_int_equal(fc_rt_float_to_half(-1e10f), 0xfc00);
    assert_int_equal(fc_rt_float_to_half(INFINITY), 0x7c00);
    assert_int_equal(fc_rt_float_to_half(NAN) & 0x7c00, 0x7c00);
    assert_true((fc_rt_float_to_half(NAN) & 0x3ff) != 0);
    /* round to nearest even: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 -> 1 */
    assert_int_equal(fc_rt_float_to_half(1.0f + 1.0f / 2048), 0x3c00);
    assert_int_equal(fc_rt_float_to_half(1.0f + 3.0f / 2048), 0x3c02);
    assert_int_equal(fc_rt_float_to_half(1.0f + 1.5f / 2048), 0x3c01);
    /* mantissa carry bumps the exponent: 2 - 2^-12 -> 2.0 */
    assert_int_equal(fc_rt_float_to_half(2.0f - 1.0f / 4096), 0x4000);
    /* subnormals: 2^-24 is the smallest; 2^-25 ties to even (0); 3 * 2^-25 -> 2 * 2^-24 */
    assert_int_equal(fc_rt_float_to_half(5.9604644775390625e-8f), 0x0001);
    assert_int_equal(fc_rt_float_to_half(2.98023223876953125e-8f), 0x0000);
    assert_int_equal(fc_rt_float_to_half(8.94069671630859375e-8f), 0x0002);
    assert_int_equal(fc_rt_float_to_half(6.103515625e-05f), 0x0400); /* smallest normal */
    /* double rounds once: 1 + 2^-11 + 2^-40 is above the halfway point -> rounds up */
    assert_int_equal(fc_rt_double_to_half(1.0 + 1.0 / 2048 + 1.0 / 1099511627776.0), 0x3c01);
    /* half -> float */
    assert_float_equal(fc_rt_half_to_float(0x3c00), 1.0f, 0);
    assert_float_equal(fc_rt_half_to_float(0xc000), -2.0f, 0);
    assert_float_equal(fc_rt_half_to_float(0x7bff), 65504.0f, 0);
    assert_float_equal(fc_rt_half_to_float(0x0001), 5.9604644775390625e-8f, 0);
    assert_float_equal(fc_rt_half_to_float(0x8001), -5.9604644775390625e-8f, 0);
    assert_float_equal(fc_rt_half_to_float(0x3555), 0.333251953125f, 0);
    assert_true(isinf(fc_rt_half_to_float(0xfc00)) && fc_rt_half_to_float(0xfc00) < 0);
    assert_true(isnan(fc_rt_half_to_float(0x7e00)));
    /* every finite half survives a round trip */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00)
            continue;
        assert_int_equal(fc_rt_float_to_half(fc_rt_half_to_float((uint16_t)h)), h);
    }
}

static void cast(void *dst, int32_t ddt, const void *src, int32_t sdt, int64_t n)
{
    int64_t d[1] = {n};
    FcRtTensor t[2];
    FcRtNode nd = N(1, NULL, 0, NULL, 0);
    t[0] = T((void *)src, sdt, 1, d);
    t[1] = T(dst, ddt, 1, d);
    fc_rt_cast(&nd, t);
}

static void test_cast_float_to_int(void **state)
{
    float x[8] = {1.9f, -1.9f, 300.7f, -1.0f, 0.0f, NAN, INFINITY, 1e20f};
    int32_t i32[8];
    uint8_t u8[8];
    int8_t i8[8];
    int64_t i64[8];
    uint64_t u64[2];
    double big[2] = {9223372036854775808.0 * 1.5, -1.0};
    (void)state;
    cast(i32, FC_DT_I32, x, FC_DT_F32, 5);
    assert_int_equal(i32[0], 1);
    assert_int_equal(i32[1], -1);
    assert_int_equal(i32[2], 300);
    assert_int_equal(i32[3], -1);
    assert_int_equal(i32[4], 0);
    cast(u8, FC_DT_U8, x, FC_DT_F32, 5);
    assert_int_equal(u8[0], 1);
    assert_int_equal(u8[1], 255); /* -1 wraps */
    assert_int_equal(u8[2], 44);  /* 300 wraps */
    assert_int_equal(u8[3], 255);
    cast(i8, FC_DT_I8, x, FC_DT_F32, 3);
    assert_int_equal(i8[2], 44);
    cast(i64, FC_DT_I64, x, FC_DT_F32, 8);
    assert_int_equal(i64[0], 1);
    assert_int_equal(i64[1], -1);
    assert_true(i64[5] == INT64_MIN); /* NaN */
    assert_true(i64[6] == INT64_MIN); /* inf */
    assert_true(i64[7] == INT64_MIN); /* out of range */
    cast(u64, FC_DT_U64, big, FC_DT_F64, 2);
    assert_true(u64[0] == UINT64_C(13835058055282163712));
    assert_true(u64[1] == UINT64_MAX);
}

static void test_cast_misc(void **state)
{
    float f[5] = {0.0f, -0.0f, 2.5f, NAN, -3.0f};
    uint8_t b[5], bools[3] = {0, 1, 1};
    float fb[3];
    int64_t i64[3] = {-5, 1, INT64_C(9007199254740993)};
    double d[3];
    uint16_t h[3];
    float back[3];
    uint64_t u[2] = {UINT64_C(18446744073709551615), 3};
    float uf[2];
    int32_t i32[2];
    int16_t i16[3] = {-1, 32767, -32768};
    uint16_t u16[3];
    (void)state;
    cast(b, FC_DT_BOOL, f, FC_DT_F32, 5);
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 0);
    assert_int_equal(b[2], 1);
    assert_int_equal(b[3], 1); /* NaN is true */
    assert_int_equal(b[4], 1);
    cast(fb, FC_DT_F32, bools, FC_DT_BOOL, 3);
    assert_float_equal(fb[0], 0.0f, 0);
    assert_float_equal(fb[1], 1.0f, 0);
    cast(d, FC_DT_F64, i64, FC_DT_I64, 3);
    assert_true(d[0] == -5.0 && d[1] == 1.0);
    cast(h, FC_DT_F16, i64, FC_DT_I64, 2);
    assert_int_equal(h[0], 0xc500);
    assert_int_equal(h[1], 0x3c00);
    cast(back, FC_DT_F32, h, FC_DT_F16, 2);
    assert_float_equal(back[0], -5.0f, 0);
    cast(uf, FC_DT_F32, u, FC_DT_U64, 2);
    assert_float_equal(uf[0], 18446744073709551616.0f, 0);
    assert_float_equal(uf[1], 3.0f, 0);
    cast(i32, FC_DT_I32, u, FC_DT_U64, 2);
    assert_int_equal(i32[0], -1);
    assert_int_equal(i32[1], 3);
    cast(u16, FC_DT_U16, i16, FC_DT_I16, 3);
    assert_int_equal(u16[0], 65535);
    assert_int_equal(u16[1], 32767);
    assert_int_equal(u16[2], 32768);
}

static void test_cast_chunked(void **state)
{
    /* More elements than one chunk, through the wide path (i16 -> f64 -> ... -> u32). */
    enum { K = 1000 };
    static int16_t x[K];
    static double y[K];
    static uint32_t z[K];
    (void)state;
    for (int i = 0; i < K; i++)
        x[i] = (int16_t)(i * 37 - 18000);
    cast(y, FC_DT_F64, x, FC_DT_I16, K);
    cast(z, FC_DT_U32, x, FC_DT_I16, K);
    for (int i = 0; i < K; i++) {
        assert_true(y[i] == (double)(i * 37 - 18000));
        assert_true(z[i] == (uint32_t)(int32_t)(i * 37 - 18000));
    }
    /* convert with stride 0 broadcasts one element */
    fc_rt_convert(y, FC_DT_F64, x + 3, FC_DT_I16, 300, 0);
    for (int i = 0; i < 300; i++)
        assert_true(y[i] == (double)x[3]);
}

/* ---- unary ------------------------------------------------------------------------------------ */

static void test_unary_f32_values(void **state)
{
    const float a01[1] = {0.1f}, a2[1] = {2.0f};
    const float selu[2] = {1.67326319217681884765625f, 1.05070102214813232421875f};
    const float hsig[2] = {0.2f, 0.5f}, hswish[2] = {1.0f / 6.0f, 0.5f};
    const float shrink[2] = {1.5f, 0.5f}, thr[1] = {1.0f};
    (void)state;
    check_unary_f32(FC_UOP_ABS, NULL, 0, -2.5f, 2.5f, 0);
    check_unary_f32(FC_UOP_NEG, NULL, 0, 2.5f, -2.5f, 0);
    check_unary_f32(FC_UOP_EXP, NULL, 0, 1.0f, 2.7182817f, 1e-6f);
    check_unary_f32(FC_UOP_LOG, NULL, 0, 2.7182817f, 1.0f, 1e-6f);
    check_unary_f32(FC_UOP_LOG, NULL, 0, -1.0f, NAN, 0);
    check_unary_f32(FC_UOP_SQRT, NULL, 0, 9.0f, 3.0f, 0);
    check_unary_f32(FC_UOP_RECIPROCAL, NULL, 0, 4.0f, 0.25f, 0);
    check_unary_f32(FC_UOP_FLOOR, NULL, 0, -1.5f, -2.0f, 0);
    check_unary_f32(FC_UOP_CEIL, NULL, 0, -1.5f, -1.0f, 0);
    check_unary_f32(FC_UOP_ROUND, NULL, 0, 0.5f, 0.0f, 0);
    check_unary_f32(FC_UOP_ROUND, NULL, 0, 1.5f, 2.0f, 0);
    check_unary_f32(FC_UOP_ROUND, NULL, 0, 2.5f, 2.0f, 0);
    check_unary_f32(FC_UOP_ROUND, NULL, 0, -2.5f, -2.0f, 0);
    check_unary_f32(FC_UOP_ROUND, NULL, 0, 2.6f, 3.0f, 0);
    check_unary_f32(FC_UOP_SIGN, NULL, 0, -3.0f, -1.0f, 0);
    check_unary_f32(FC_UOP_SIGN, NULL, 0, 0.0f, 0.0f, 0);
    check_unary_f32(FC_UOP_SIGN, NULL, 0, 7.0f, 1.0f, 0);
    check_unary_f32(FC_UOP_SIN, NULL, 0, 0.5f, 0.47942554f, 1e-6f);
    check_unary_f32(FC_UOP_COS, NULL, 0, 0.5f, 0.87758256f, 1e-6f);
    check_unary_f32(FC_UOP_TAN, NULL, 0, 0.5f, 0.54630249f, 1e-6f);
    check_unary_f32(FC_UOP_ASIN, NULL, 0, 0.5f, 0.52359878f, 1e-6f);
    check_unary_f32(FC_UOP_ACOS, NULL, 0, 0.5f, 1.04719755f, 1e-6f);
    check_unary_f32(FC_UOP_ATAN, NULL, 0, 1.0f, 0.78539816f, 1e-6f);
    check_unary_f32(FC_UOP_SINH, NULL, 0, 1.0f, 1.17520119f, 1e-6f);
    check_unary_f32(FC_UOP_COSH, NULL, 0, 1.0f, 1.54308063f, 1e-6f);
    check_unary_f32(FC_UOP_ASINH, NULL, 0, 1.0f, 0.88137359f, 1e-6f);
    check_unary_f32(FC_UOP_ACOSH, NULL, 0, 2.0f, 1.31695790f, 1e-6f);
    check_unary_f32(FC_UOP_ATANH, NULL, 0, 0.5f, 0.54930614f, 1e-6f);
    check_unary_f32(FC_UOP_ERF, NULL, 0, 1.0f, 0.84270079f, 1e-6f);
    check_unary_f32(FC_UOP_RELU, NULL, 0, -1.0f, 0.0f, 0);
    check_unary_f32(FC_UOP_RELU, NULL, 0, 1.5f, 1.5f, 0);
    check_unary_f32(FC_UOP_SIGMOID, NULL, 0, 0.0f, 0.5f, 0);
    check_unary_f32(FC_UOP_SIGMOID, NULL, 0, 2.0f, 0.88079708f, 1e-6f);
    check_unary_f32(FC_UOP_SIGMOID, NULL, 0, -100.0f, 0.0f, 1e-30f);
    check_unary_f32(FC_UOP_TANH, NULL, 0, 0.5f, 0.46211716f, 1e-6f);
    check_unary_f32(FC_UOP_SOFTPLUS, NULL, 0, 0.0f, 0.69314718f, 1e-6f);
    check_unary_f32(FC_UOP_SOFTPLUS, NULL, 0, 2.0f, 2.12692801f, 1e-6f);
    check_unary_f32(FC_UOP_SOFTPLUS, NULL, 0, -2.0f, 0.12692801f, 1e-6f);
    check_unary_f32(FC_UOP_SOFTPLUS, NULL, 0, 200.0f, 200.0f, 1e-4f); /* no overflow */
    check_unary_f32(FC_UOP_SOFTSIGN, NULL, 0, 1.0f, 0.5f, 0);
    check_unary_f32(FC_UOP_SOFTSIGN, NULL, 0, -3.0f, -0.75f, 0);
    check_unary_f32(FC_UOP_LEAKY_RELU, a01, 1, -2.0f, -0.2f, 1e-7f);
    check_unary_f32(FC_UOP_LEAKY_RELU, a01, 1, 2.0f, 2.0f, 0);
    check_unary_f32(FC_UOP_ELU, a2, 1, -1.0f, 2.0f * (0.36787944f - 1.0f), 1e-6f);
    check_unary_f32(FC_UOP_ELU, a2, 1, 3.0f, 3.0f, 0);
    check_unary_f32(FC_UOP_SELU, selu, 2, -1.0f, -1.11133074f, 1e-6f);
    check_unary_f32(FC_UOP_SELU, selu, 2, 2.0f, 2.10140204f, 1e-6f);
    check_unary_f32(FC_UOP_CELU, a2, 1, -1.0f, 2.0f * (0.60653066f - 1.0f), 1e-6f);
    check_unary_f32(FC_UOP_CELU, a2, 1, 1.0f, 1.0f, 0);
    check_unary_f32(FC_UOP_HARD_SIGMOID, hsig, 2, 1.0f, 0.7f, 1e-6f);
    check_unary_f32(FC_UOP_HARD_SIGMOID, hsig, 2, 5.0f, 1.0f, 0);
    check_unary_f32(FC_UOP_HARD_SIGMOID, hsig, 2, -5.0f, 0.0f, 0);
    check_unary_f32(FC_UOP_HARD_SWISH, hswish, 2, 1.0f, 1.0f * (1.0f / 6.0f + 0.5f), 1e-6f);
    check_unary_f32(FC_UOP_HARD_SWISH, hswish, 2, 4.0f, 4.0f, 0);
    check_unary_f32(FC_UOP_HARD_SWISH, hswish, 2, -4.0f, 0.0f, 0);
    check_unary_f32(FC_UOP_THRESHOLDED_RELU, thr, 1, 1.0f, 0.0f, 0);
    check_unary_f32(FC_UOP_THRESHOLDED_RELU, thr, 1, 1.5f, 1.5f, 0);
    check_unary_f32(FC_UOP_MISH, NULL, 0, 1.0f, 0.86509839f, 1e-6f);
    check_unary_f32(FC_UOP_MISH, NULL, 0, -1.0f, -0.30340147f, 1e-6f);
    check_unary_f32(FC_UOP_GELU, NULL, 0, 1.0f, 0.84134475f, 1e-6f);
    check_unary_f32(FC_UOP_GELU, NULL, 0, -0.5f, -0.15426877f, 1e-6f);
    check_unary_f32(FC_UOP_GELU_TANH, NULL, 0, 1.0f, 0.84119199f, 1e-6f);
    check_unary_f32(FC_UOP_SHRINK, shrink, 2, 1.0f, -0.5f, 0);
    check_unary_f32(FC_UOP_SHRINK, shrink, 2, -1.0f, 0.5f, 0);
    check_unary_f32(FC_UOP_SHRINK, shrink, 2, 0.4f, 0.0f, 0);
}

static void test_unary_bool_outputs(void **state)
{
    float x[5] = {1.0f, NAN, INFINITY, -INFINITY, -0.0f};
    uint8_t y[5];
    int64_t ia[4] = {FC_UOP_IS_NAN, FC_DT_F32, 1, 1};
    int64_t d[1] = {5};
    FcRtTensor t[2];
    FcRtNode nd = N(1, ia, 4, NULL, 0);
    (void)state;
    t[0] = T(x, FC_DT_F32, 1, d);
    t[1] = T(y, FC_DT_BOOL, 1, d);
    fc_rt_unary(&nd, t);
    assert_memory_equal(y, ((uint8_t[]){0, 1, 0, 0, 0}), 5);
    ia[0] = FC_UOP_IS_INF;
    fc_rt_unary(&nd, t);
    assert_memory_equal(y, ((uint8_t[]){0, 0, 1, 1, 0}), 5);
    ia[2] = 0; /* detect_positive = 0 */
    fc_rt_unary(&nd, t);
    assert_memory_equal(y, ((uint8_t[]){0, 0, 0, 1, 0}), 5);
    ia[2] = 1;
    ia[3] = 0; /* detect_negative = 0 */
    fc_rt_unary(&nd, t);
    assert_memory_equal(y, ((uint8_t[]){0, 0, 1, 0, 0}), 5);
}

static void test_unary_int_bool(void **state)
{
    int8_t x8[4] = {-128, -3, 0, 5}, y8[4];
    uint8_t u8[3] = {0, 1, 0xf0}, v8[3];
    uint8_t b[3] = {0, 1, 1}, nb[3];
    int32_t x32[3] = {-7, 0, 9}, y32[3];
    int64_t d4[1] = {4}, d3[1] = {3};
    int64_t ia[2] = {FC_UOP_ABS, FC_DT_I64};
    FcRtTensor t[2];
    FcRtNode nd = N(1, ia, 2, NULL, 0);
    (void)state;
    t[0] = T(x8, FC_DT_I8, 1, d4);
    t[1] = T(y8, FC_DT_I8, 1, d4);
    fc_rt_unary(&nd, t);
    assert_memory_equal(y8, ((int8_t[]){-128, 3, 0, 5}), 4); /* |-128| wraps as in numpy */
    ia[0] = FC_UOP_NEG;
    fc_rt_unary(&nd, t);
    assert_memory_equal(y8, ((int8_t[]){-128, 3, 0, -5}), 4);
    ia[0] = FC_UOP_SIGN;
    fc_rt_unary(&nd, t);
    assert_memory_equal(y8, ((int8_t[]){-1, -1, 0, 1}), 4);
    ia[0] = FC_UOP_RELU;
    t[0] = T(x32, FC_DT_I32, 1, d3);
    t[1] = T(y32, FC_DT_I32, 1, d3);
    fc_rt_unary(&nd, t);
    assert_memory_equal(y32, ((int32_t[]){0, 0, 9}), sizeof y32);
    ia[0] = FC_UOP_BITWISE_NOT;
    fc_rt_unary(&nd, t);
    assert_memory_equal(y32, ((int32_t[]){6, -1, -10}), sizeof y32);
    t[0] = T(u8, FC_DT_U8, 1, d3);
    t[1] = T(v8, FC_DT_U8, 1, d3);
    fc_rt_unary(&nd, t);
    assert_memory_equal(v8, ((uint8_t[]){0xff, 0xfe, 0x0f}), 3);
    ia[0] = FC_UOP_NOT;
    ia[1] = FC_DT_BOOL;
    t[0] = T(b, FC_DT_BOOL, 1, d3);
    t[1] = T(nb, FC_DT_BOOL, 1, d3);
    fc_rt_unary(&nd, t);
    assert_memory_equal(nb, ((uint8_t[]){1, 0, 0}), 3);
}

static void test_unary_f64_f16(void **state)
{
    enum { K = 600 }; /* more than two chunks */
    static double xd[K], yd[K];
    static uint16_t xh[K], yh[K];
    int64_t ia[2] = {FC_UOP_SQRT, FC_DT_F64};
    int64_t d[1] = {K};
    FcRtTensor t[2];
    FcRtNode nd = N(1, ia, 2, NULL, 0);
    (void)state;
    for (int i = 0; i < K; i++) {
        xd[i] = i;
        xh[i] = fc_rt_float_to_half((float)(i % 100) * 0.25f - 10.0f);
    }
    t[0] = T(xd, FC_DT_F64, 1, d);
    t[1] = T(yd, FC_DT_F64, 1, d);
    fc_rt_unary(&nd, t);
    for (int i = 0; i < K; i++)
        assert_true(yd[i] == sqrt((double)i));
    ia[0] = FC_UOP_RELU;
    ia[1] = FC_DT_F32;
    t[0] = T(xh, FC_DT_F16, 1, d);
    t[1] = T(yh, FC_DT_F16, 1, d);
    fc_rt_unary(&nd, t);
    for (int i = 0; i < K; i++) {
        float v = (float)(i % 100) * 0.25f - 10.0f;
        assert_float_equal(fc_rt_half_to_float(yh[i]), v < 0 ? 0.0f : v, 0);
    }
}

/* Unary in place (the memory planner may give y the bytes of x), for lengths that exercise
 * a padded short block (3), whole blocks (64) and an overlapping last block (45, 70). */
static void test_unary_inplace(void **state)
{
    static const int64_t lens[] = {3, 45, 64, 70};
    float x[70];
    (void)state;
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        int64_t n = lens[k];
        for (int i = 0; i < n; i++)
            x[i] = (float)(i % 5) - 2.0f;
        unary_f32(FC_UOP_RELU, NULL, 0, x, x, n);
        for (int i = 0; i < n; i++)
            assert_float_equal(x[i], (float)(i % 5) - 2.0f < 0 ? 0.0f : (float)(i % 5) - 2.0f, 0);
        for (int i = 0; i < n; i++)
            x[i] = (float)i;
        unary_f32(FC_UOP_NEG, NULL, 0, x, x, n); /* not idempotent: catches double updates */
        for (int i = 0; i < n; i++)
            assert_float_equal(x[i], -(float)i, 0);
    }
}

/* ---- Clip ------------------------------------------------------------------------------------- */

static void test_clip(void **state)
{
    float x[5] = {-2.0f, -0.5f, 0.0f, 0.7f, NAN}, y[5];
    float fa[2] = {-1.0f, 0.5f};
    int64_t ia[2] = {FC_DT_F32, 1};
    int64_t d[1] = {5}, d0[1] = {1};
    FcRtTensor t[4];
    int32_t ins[3] = {0, 1, 2}, outs[1] = {3};
    FcRtNode nd;
    float lo = 0.6f, hi = 0.2f;
    int8_t x8[4] = {-128, -5, 5, 127}, y8[4], lo8 = -10;
    (void)state;
    /* bounds as attributes (opset < 11) */
    memset(&nd, 0, sizeof nd);
    nd.nin = 1;
    nd.nout = 1;
    nd.in = ins;
    nd.out = outs;
    nd.ia = ia;
    nd.nia = 2;
    nd.fa = fa;
    nd.nfa = 2;
    t[0] = T(x, FC_DT_F32, 1, d);
    t[3] = T(y, FC_DT_F32, 1, d);
    fc_rt_clip(&nd, t);
    assert_float_equal(y[0], -1.0f, 0);
    assert_float_equal(y[1], -0.5f, 0);
    assert_float_equal(y[3], 0.5f, 0);
    assert_true(y[4] != y[4]); /* NaN stays NaN */
    /* bounds as inputs; min > max gives max everywhere */
    ia[1] = 0;
    nd.nin = 3;
    t[1] = T(&lo, FC_DT_F32, 0, d0);
    t[2] = T(&hi, FC_DT_F32, 0, d0);
    fc_rt_clip(&nd, t);
    for (int i = 0; i < 4; i++)
        assert_float_equal(y[i], 0.2f, 0);
    /* only max (min absent): input index -1 */
    ins[1] = -1;
    fc_rt_clip(&nd, t);
    assert_float_equal(y[0], -2.0f, 0);
    assert_float_equal(y[3], 0.2f, 0);
    /* no bounds at all */
    ins[2] = -1;
    fc_rt_clip(&nd, t);
    assert_float_equal(y[3], 0.7f, 0);
    /* int8, only min (chunked path through int64) */
    ins[1] = 1;
    ins[2] = -1;
    ia[0] = FC_DT_I64;
    t[0] = T(x8, FC_DT_I8, 1, (int64_t[]){4});
    t[1] = T(&lo8, FC_DT_I8, 0, d0);
    t[3] = T(y8, FC_DT_I8, 1, (int64_t[]){4});
    fc_rt_clip(&nd, t);
    assert_memory_equal(y8, ((int8_t[]){-10, -5, 5, 127}), 4);
}

/* ---- binary ----------------------------------------------------------------------------------- */

/* y = a op b with the given shapes / dtypes; extra = size-1 axes appended to b. */
static void binary(int op, int32_t ct, const void *a, int32_t dta, int ra, const int64_t *da,
                   const void *b, int32_t dtb, int rb, const int64_t *db, void *y, int32_t dty,
                   int ry, const int64_t *dy, int64_t extra)
{
    int64_t ia[3] = {op, ct, extra};
    FcRtTensor t[3];
    FcRtNode nd = N(2, ia, 3, NULL, 0);
    t[0] = T((void *)a, dta, ra, da);
    t[1] = T((void *)b, dtb, rb, db);
    t[2] = T(y, dty, ry, dy);
    fc_rt_binary(&nd, t);
}

static void test_binary_f32_shapes(void **state)
{
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {10, 20, 30, 40, 50, 60}, y[6];
    float s = 2.0f, row[3] = {100, 200, 300};
    int64_t d23[2] = {2, 3}, d3[1] = {3}, d0[1] = {1};
    (void)state;
    /* same shape */
    binary(FC_BOP_ADD, FC_DT_F32, a, FC_DT_F32, 2, d23, b, FC_DT_F32, 2, d23, y, FC_DT_F32, 2,
           d23, 0);
    assert_memory_equal(y, ((float[]){11, 22, 33, 44, 55, 66}), sizeof y);
    /* vector - scalar, scalar - vector */
    binary(FC_BOP_SUB, FC_DT_F32, a, FC_DT_F32, 2, d23, &s, FC_DT_F32, 0, d0, y, FC_DT_F32, 2,
           d23, 0);
    assert_memory_equal(y, ((float[]){-1, 0, 1, 2, 3, 4}), sizeof y);
    binary(FC_BOP_SUB, FC_DT_F32, &s, FC_DT_F32, 1, d0, a, FC_DT_F32, 2, d23, y, FC_DT_F32, 2,
           d23, 0);
    assert_memory_equal(y, ((float[]){1, 0, -1, -2, -3, -4}), sizeof y);
    /* row broadcast [2,3] / [3] */
    binary(FC_BOP_DIV, FC_DT_F32, b, FC_DT_F32, 2, d23, row, FC_DT_F32, 1, d3, y, FC_DT_F32, 2,
           d23, 0);
    assert_float_equal(y[0], 0.1f, 1e-7f);
    assert_float_equal(y[4], 0.25f, 0);
    assert_float_equal(y[5], 0.2f, 1e-7f);
    /* Pow with a scalar exponent 2 (special-cased) and 0.5 (generic) */
    binary(FC_BOP_POW, FC_DT_F32, a, FC_DT_F32, 2, d23, &s, FC_DT_F32, 0, d0, y, FC_DT_F32, 2,
           d23, 0);
    assert_memory_equal(y, ((float[]){1, 4, 9, 16, 25, 36}), sizeof y);
    s = 0.5f;
    binary(FC_BOP_POW, FC_DT_F32, a, FC_DT_F32, 2, d23, &s, FC_DT_F32, 0, d0, y, FC_DT_F32, 2,
           d23, 0);
    assert_float_equal(y[3], 2.0f, 1e-6f);
}

/* float32 block handling: in place (y = a) with an overlapping last block, and every length
 * from 1 to 100 against a scalar reference, in all three loop shapes. */
static void test_binary_f32_blocks(void **state)
{
    float a[100], b[100], y[100], s = 3.0f;
    (void)state;
    for (int64_t n = 1; n <= 100; n++) {
        int64_t d[1] = {n}, d0[1] = {1};
        for (int i = 0; i < n; i++) {
            a[i] = (float)i;
            b[i] = (float)(2 * i + 1);
        }
        binary(FC_BOP_SUB, FC_DT_F32, a, FC_DT_F32, 1, d, b, FC_DT_F32, 1, d, y, FC_DT_F32, 1,
               d, 0);
        for (int i = 0; i < n; i++)
            assert_float_equal(y[i], (float)(-i - 1), 0);
        binary(FC_BOP_SUB, FC_DT_F32, a, FC_DT_F32, 1, d, &s, FC_DT_F32, 0, d0, y, FC_DT_F32, 1,
               d, 0);
        for (int i = 0; i < n; i++)
            assert_float_equal(y[i], (float)i - 3.0f, 0);
        binary(FC_BOP_SUB, FC_DT_F32, &s, FC_DT_F32, 0, d0, b, FC_DT_F32, 1, d, y, FC_DT_F32, 1,
               d, 0);
        for (int i = 0; i < n; i++)
            assert_float_equal(y[i], 3.0f - (float)(2 * i + 1), 0);
        /* in place: a = a + b */
        binary(FC_BOP_ADD, FC_DT_F32, a, FC_DT_F32, 1, d, b, FC_DT_F32, 1, d, a, FC_DT_F32, 1,
               d, 0);
        for (int i = 0; i < n; i++)
            assert_float_equal(a[i], (float)(3 * i + 1), 0);
    }
}

/* Rows shorter than one loop block go through the row-gathering path. */
static void test_binary_short_rows(void **state)
{
    float x[5 * 3], row[3] = {10, 20, 30}, col[5] = {1, 2, 3, 4, 5}, y[5 * 3];
    float big[40 * 7], bias[7], out[40 * 7];
    int64_t d53[2] = {5, 3}, d3[1] = {3}, d51[2] = {5, 1}, d407[2] = {40, 7}, d7[1] = {7};
    (void)state;
    for (int i = 0; i < 15; i++)
        x[i] = (float)i;
    binary(FC_BOP_ADD, FC_DT_F32, x, FC_DT_F32, 2, d53, row, FC_DT_F32, 1, d3, y, FC_DT_F32, 2,
           d53, 0);
    for (int i = 0; i < 15; i++)
        assert_float_equal(y[i], (float)i + row[i % 3], 0);
    binary(FC_BOP_MUL, FC_DT_F32, x, FC_DT_F32, 2, d53, col, FC_DT_F32, 2, d51, y, FC_DT_F32, 2,
           d53, 0);
    for (int i = 0; i < 15; i++)
        assert_float_equal(y[i], (float)i * col[i / 3], 0);
    binary(FC_BOP_GT, FC_DT_F32, row, FC_DT_F32, 1, d3, x, FC_DT_F32, 2, d53, y, FC_DT_BOOL, 2,
           d53, 0);
    for (int i = 0; i < 15; i++)
        assert_int_equal(((uint8_t *)y)[i], row[i % 3] > (float)i);
    /* more rows than one gathered chunk (256 / 7 = 36 rows), in place */
    for (int i = 0; i < 40 * 7; i++)
        big[i] = out[i] = (float)i;
    for (int j = 0; j < 7; j++)
        bias[j] = (float)(100 * j);
    binary(FC_BOP_ADD, FC_DT_F32, out, FC_DT_F32, 2, d407, bias, FC_DT_F32, 1, d7, out,
           FC_DT_F32, 2, d407, 0);
    for (int i = 0; i < 40 * 7; i++)
        assert_float_equal(out[i], big[i] + bias[i % 7], 0);
}

static void test_binary_channel_and_general(void **state)
{
    /* [2,3,2,2] * [3,1,1] */
    float x[24], y[24], c[3] = {1, 10, 100};
    int64_t dx[4] = {2, 3, 2, 2}, dc[3] = {3, 1, 1};
    /* [2,1,3] + [4,1] -> [2,4,3] */
    float p[6] = {1, 2, 3, 4, 5, 6}, q[4] = {10, 20, 30, 40}, r[24];
    int64_t dp[3] = {2, 1, 3}, dq[2] = {4, 1}, dr[3] = {2, 4, 3};
    (void)state;
    for (int i = 0; i < 24; i++)
        x[i] = (float)i;
    binary(FC_BOP_MUL, FC_DT_F32, x, FC_DT_F32, 4, dx, c, FC_DT_F32, 3, dc, y, FC_DT_F32, 4,
           dx, 0);
    for (int i = 0; i < 24; i++)
        assert_float_equal(y[i], (float)i * c[(i / 4) % 3], 0);
    binary(FC_BOP_ADD, FC_DT_F32, p, FC_DT_F32, 3, dp, q, FC_DT_F32, 2, dq, r, FC_DT_F32, 3, dr,
           0);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            for (int k = 0; k < 3; k++)
                assert_float_equal(r[(i * 4 + j) * 3 + k], p[i * 3 + k] + q[j], 0);
    /* legacy axis broadcasting: [2,3,2,2] + [3] at axis 1 (2 size-1 axes appended to b) */
    binary(FC_BOP_ADD, FC_DT_F32, x, FC_DT_F32, 4, dx, c, FC_DT_F32, 1, (int64_t[]){3}, y,
           FC_DT_F32, 4, dx, 2);
    for (int i = 0; i < 24; i++)
        assert_float_equal(y[i], (float)i + c[(i / 4) % 3], 0);
}

static void test_binary_compare_logic(void **state)
{
    float a[4] = {1, 2, NAN, 4}, b[4] = {2, 2, 1, 3};
    uint8_t y[4];
    uint8_t p[4] = {0, 0, 1, 1}, q[4] = {0, 1, 0, 1};
    int64_t d4[1] = {4}, d22[2] = {2, 2}, d2[1] = {2};
    uint64_t ua[2] = {UINT64_C(0xffffffffffffffff), 1}, ub[2] = {1, 2};
    (void)state;
    binary(FC_BOP_LT, FC_DT_F32, a, FC_DT_F32, 1, d4, b, FC_DT_F32, 1, d4, y, FC_DT_BOOL, 1, d4,
           0);
    assert_memory_equal(y, ((uint8_t[]){1, 0, 0, 0}), 4);
    binary(FC_BOP_GE, FC_DT_F32, a, FC_DT_F32, 1, d4, b, FC_DT_F32, 1, d4, y, FC_DT_BOOL, 1, d4,
           0);
    assert_memory_equal(y, ((uint8_t[]){0, 1, 0, 1}), 4);
    binary(FC_BOP_EQ, FC_DT_F32, a, FC_DT_F32, 1, d4, b, FC_DT_F32, 1, d4, y, FC_DT_BOOL, 1, d4,
           0);
    assert_memory_equal(y, ((uint8_t[]){0, 1, 0, 0}), 4);
    binary(FC_BOP_AND, FC_DT_BOOL, p, FC_DT_BOOL, 1, d4, q, FC_DT_BOOL, 1, d4, y, FC_DT_BOOL, 1,
           d4, 0);
    assert_memory_equal(y, ((uint8_t[]){0, 0, 0, 1}), 4);
    binary(FC_BOP_OR, FC_DT_BOOL, p, FC_DT_BOOL, 1, d4, q, FC_DT_BOOL, 1, d4, y, FC_DT_BOOL, 1,
           d4, 0);
    assert_memory_equal(y, ((uint8_t[]){0, 1, 1, 1}), 4);
    binary(FC_BOP_XOR, FC_DT_BOOL, p, FC_DT_BOOL, 1, d4, q, FC_DT_BOOL, 1, d4, y, FC_DT_BOOL, 1,
           d4, 0);
    assert_memory_equal(y, ((uint8_t[]){0, 1, 1, 0}), 4);
    /* bool Equal with broadcasting: [2,2] == [2] */
    binary(FC_BOP_EQ, FC_DT_BOOL, p, FC_DT_BOOL, 2, d22, q, FC_DT_BOOL, 1, d2, y, FC_DT_BOOL, 2,
           d22, 0);
    assert_memory_equal(y, ((uint8_t[]){1, 0, 0, 1}), 4);
    /* uint64 compares as unsigned */
    binary(FC_BOP_GT, FC_DT_U64, ua, FC_DT_U64, 1, d2, ub, FC_DT_U64, 1, d2, y, FC_DT_BOOL, 1,
           d2, 0);
    assert_memory_equal(y, ((uint8_t[]){1, 0}), 2);
}

static void test_binary_int_arith(void **state)
{
    int32_t a[6] = {-3, 3, -3, 3, 7, INT32_MIN}, b[6] = {2, 2, -2, -2, 0, -1}, y[6];
    int64_t d6[1] = {6};
    int32_t ma[6] = {-4, 7, 5, 4, -7, 8}, mb[6] = {2, -3, 8, -2, 3, 5};
    int8_t a8[3] = {100, -100, 127}, b8[3] = {100, 100, 1}, y8[3];
    uint8_t u8a[3] = {200, 5, 3}, u8b[3] = {100, 7, 0}, u8y[3];
    int64_t d3[1] = {3};
    (void)state;
    /* Div truncates toward zero (test_div_int32_trunc); /0 gives 0; INT_MIN / -1 wraps */
    binary(FC_BOP_DIV, FC_DT_I64, a, FC_DT_I32, 1, d6, b, FC_DT_I32, 1, d6, y, FC_DT_I32, 1, d6,
           0);
    assert_memory_equal(y, ((int32_t[]){-1, 1, 1, -1, 0, INT32_MIN}), sizeof y);
    /* Mod, fmod = 0: sign of the divisor (test_mod_mixed_sign_int32) */
    binary(FC_BOP_PYMOD, FC_DT_I64, ma, FC_DT_I32, 1, d6, mb, FC_DT_I32, 1, d6, y, FC_DT_I32, 1,
           d6, 0);
    assert_memory_equal(y, ((int32_t[]){0, -2, 5, 0, 2, 3}), sizeof y);
    /* Mod, fmod = 1: sign of the dividend (test_mod_int64_fmod) */
    binary(FC_BOP_FMOD, FC_DT_I64, ma, FC_DT_I32, 1, d6, mb, FC_DT_I32, 1, d6, y, FC_DT_I32, 1,
           d6, 0);
    assert_memory_equal(y, ((int32_t[]){0, 1, 5, 0, -1, 3}), sizeof y);
    /* int8 through int64: wrap-around like numpy */
    binary(FC_BOP_ADD, FC_DT_I64, a8, FC_DT_I8, 1, d3, b8, FC_DT_I8, 1, d3, y8, FC_DT_I8, 1, d3,
           0);
    assert_memory_equal(y8, ((int8_t[]){-56, 0, -128}), 3);
    binary(FC_BOP_MUL, FC_DT_I64, a8, FC_DT_I8, 1, d3, b8, FC_DT_I8, 1, d3, y8, FC_DT_I8, 1, d3,
           0);
    assert_memory_equal(y8, ((int8_t[]){16, -16, 127}), 3);
    /* uint8 */
    binary(FC_BOP_SUB, FC_DT_I64, u8a, FC_DT_U8, 1, d3, u8b, FC_DT_U8, 1, d3, u8y, FC_DT_U8, 1,
           d3, 0);
    assert_memory_equal(u8y, ((uint8_t[]){100, 254, 3}), 3);
    binary(FC_BOP_DIV, FC_DT_I64, u8a, FC_DT_U8, 1, d3, u8b, FC_DT_U8, 1, d3, u8y, FC_DT_U8, 1,
           d3, 0);
    assert_memory_equal(u8y, ((uint8_t[]){2, 0, 0}), 3);
    binary(FC_BOP_MAX, FC_DT_I64, u8a, FC_DT_U8, 1, d3, u8b, FC_DT_U8, 1, d3, u8y, FC_DT_U8, 1,
           d3, 0);
    assert_memory_equal(u8y, ((uint8_t[]){200, 7, 3}), 3);
}

static void test_binary_mod_float(void **state)
{
    float a[6] = {-4.3f, 7.2f, 5.0f, 4.3f, -7.2f, 8.0f};
    float b[6] = {2.1f, -3.4f, 8.0f, -2.1f, 3.4f, 5.0f}, y[6];
    int64_t d6[1] = {6};
    (void)state;
    binary(FC_BOP_FMOD, FC_DT_F32, a, FC_DT_F32, 1, d6, b, FC_DT_F32, 1, d6, y, FC_DT_F32, 1, d6,
           0);
    assert_float_equal(y[0], -0.1f, 1e-5f);
    assert_float_equal(y[1], 0.4f, 1e-5f);
    assert_float_equal(y[4], -0.4f, 1e-5f);
    binary(FC_BOP_PYMOD, FC_DT_F32, a, FC_DT_F32, 1, d6, b, FC_DT_F32, 1, d6, y, FC_DT_F32, 1,
           d6, 0);
    assert_float_equal(y[0], 2.0f, 1e-5f);
    assert_float_equal(y[1], -3.0f, 1e-5f);
    assert_float_equal(y[2], 5.0f, 0);
}

static void test_binary_pow_types(void **state)
{
    float xf[3] = {1, 2, 3}, yf[3];
    int64_t xi[3] = {1, 2, 3}, yi[3], ei[3] = {4, 5, 6};
    float ef[3] = {4, 5, 6};
    int32_t x32[4] = {2, -2, 3, 2}, e32[4] = {10, 3, -1, 31}, y32[4];
    uint64_t ue[3] = {4, 5, 6};
    int64_t d3[1] = {3}, d4[1] = {4};
    (void)state;
    /* float base, int64 exponent */
    binary(FC_BOP_POW, FC_DT_F32, xf, FC_DT_F32, 1, d3, ei, FC_DT_I64, 1, d3, yf, FC_DT_F32, 1,
           d3, 0);
    assert_memory_equal(yf, ((float[]){1, 32, 729}), sizeof yf);
    /* float base, uint64 exponent */
    binary(FC_BOP_POW, FC_DT_F32, xf, FC_DT_F32, 1, d3, ue, FC_DT_U64, 1, d3, yf, FC_DT_F32, 1,
           d3, 0);
    assert_memory_equal(yf, ((float[]){1, 32, 729}), sizeof yf);
    /* int base, float exponent (computed in double, truncated) */
    binary(FC_BOP_POW, FC_DT_F64, xi, FC_DT_I64, 1, d3, ef, FC_DT_F32, 1, d3, yi, FC_DT_I64, 1,
           d3, 0);
    assert_memory_equal(yi, ((int64_t[]){1, 32, 729}), sizeof yi);
    /* int base, int exponent: exact, wraps; negative exponent truncates to 0 */
    binary(FC_BOP_POW, FC_DT_I64, x32, FC_DT_I32, 1, d4, e32, FC_DT_I32, 1, d4, y32, FC_DT_I32,
           1, d4, 0);
    assert_memory_equal(y32, ((int32_t[]){1024, -8, 0, INT32_MIN}), sizeof y32);
}

static void test_binary_bits(void **state)
{
    uint8_t a[4] = {1, 0x81, 0xff, 16}, s[4] = {1, 1, 8, 2}, y[4];
    uint64_t a64[2] = {1, UINT64_C(0x8000000000000000)}, s64[2] = {63, 64}, y64[2];
    int16_t p[3] = {-1, 0x0f0f, 6}, q[3] = {0x00ff, 0x00ff, 3}, r[3];
    int64_t d4[1] = {4}, d2[1] = {2}, d3[1] = {3};
    (void)state;
    binary(FC_BOP_SHL, FC_DT_U64, a, FC_DT_U8, 1, d4, s, FC_DT_U8, 1, d4, y, FC_DT_U8, 1, d4, 0);
    assert_memory_equal(y, ((uint8_t[]){2, 2, 0, 64}), 4);
    binary(FC_BOP_SHR, FC_DT_U64, a, FC_DT_U8, 1, d4, s, FC_DT_U8, 1, d4, y, FC_DT_U8, 1, d4, 0);
    assert_memory_equal(y, ((uint8_t[]){0, 0x40, 0, 4}), 4);
    binary(FC_BOP_SHL, FC_DT_U64, a64, FC_DT_U64, 1, d2, s64, FC_DT_U64, 1, d2, y64, FC_DT_U64,
           1, d2, 0);
    assert_true(y64[0] == UINT64_C(0x8000000000000000) && y64[1] == 0);
    binary(FC_BOP_BAND, FC_DT_I64, p, FC_DT_I16, 1, d3, q, FC_DT_I16, 1, d3, r, FC_DT_I16, 1,
           d3, 0);
    assert_memory_equal(r, ((int16_t[]){0x00ff, 0x000f, 2}), sizeof r);
    binary(FC_BOP_BOR, FC_DT_I64, p, FC_DT_I16, 1, d3, q, FC_DT_I16, 1, d3, r, FC_DT_I16, 1, d3,
           0);
    assert_memory_equal(r, ((int16_t[]){-1, 0x0fff, 7}), sizeof r);
    binary(FC_BOP_BXOR, FC_DT_I64, p, FC_DT_I16, 1, d3, q, FC_DT_I16, 1, d3, r, FC_DT_I16, 1,
           d3, 0);
    assert_memory_equal(r, ((int16_t[]){(int16_t)0xff00, 0x0ff0, 5}), sizeof r);
}

static void test_binary_prelu_maxmin(void **state)
{
    float x[6] = {-1, 2, -3, 4, -5, 6}, slope[3] = {0.1f, 0.2f, 0.3f}, y[6];
    float a[3] = {1, NAN, 3}, b[3] = {2, 1, NAN}, m[3];
    int64_t d23[2] = {2, 3}, d3[1] = {3};
    (void)state;
    binary(FC_BOP_PRELU, FC_DT_F32, x, FC_DT_F32, 2, d23, slope, FC_DT_F32, 1, d3, y, FC_DT_F32,
           2, d23, 0);
    assert_float_equal(y[0], -0.1f, 1e-7f);
    assert_float_equal(y[1], 2.0f, 0);
    assert_float_equal(y[2], -0.9f, 1e-6f);
    assert_float_equal(y[4], -1.0f, 1e-6f);
    binary(FC_BOP_MAX, FC_DT_F32, a, FC_DT_F32, 1, d3, b, FC_DT_F32, 1, d3, m, FC_DT_F32, 1, d3,
           0);
    assert_float_equal(m[0], 2.0f, 0);
    assert_true(m[1] != m[1] && m[2] != m[2]); /* NaN propagates from either side */
    binary(FC_BOP_MIN, FC_DT_F32, a, FC_DT_F32, 1, d3, b, FC_DT_F32, 1, d3, m, FC_DT_F32, 1, d3,
           0);
    assert_float_equal(m[0], 1.0f, 0);
    assert_true(m[1] != m[1] && m[2] != m[2]);
}

/* Non-native dtypes over several chunks, with broadcasting: f16 and f64 and int32. */
static void test_binary_chunked(void **state)
{
    enum { R = 3, C = 700 };
    static uint16_t h[R * C], hy[R * C];
    static double d[R * C], dy[R * C];
    static int32_t iv[R * C], iy[R * C];
    uint16_t hb[C];
    double db = 0.5;
    int32_t ib[R] = {1, -2, 3};
    int64_t drc[2] = {R, C}, dc[1] = {C}, d0[1] = {1}, dr1[2] = {R, 1};
    (void)state;
    for (int i = 0; i < R * C; i++) {
        h[i] = fc_rt_float_to_half((float)(i % 50) - 25.0f);
        d[i] = i * 0.25;
        iv[i] = i;
    }
    for (int j = 0; j < C; j++)
        hb[j] = fc_rt_float_to_half((float)(j % 7));
    binary(FC_BOP_ADD, FC_DT_F32, h, FC_DT_F16, 2, drc, hb, FC_DT_F16, 1, dc, hy, FC_DT_F16, 2,
           drc, 0);
    for (int i = 0; i < R * C; i++)
        assert_float_equal(fc_rt_half_to_float(hy[i]),
                           (float)(i % 50) - 25.0f + (float)((i % C) % 7), 0);
    binary(FC_BOP_MUL, FC_DT_F64, d, FC_DT_F64, 2, drc, &db, FC_DT_F64, 1, d0, dy, FC_DT_F64, 2,
           drc, 0);
    for (int i = 0; i < R * C; i++)
        assert_true(dy[i] == i * 0.125);
    binary(FC_BOP_SUB, FC_DT_I64, ib, FC_DT_I32, 2, dr1, iv, FC_DT_I32, 2, drc, iy, FC_DT_I32, 2,
           drc, 0);
    for (int i = 0; i < R * C; i++)
        assert_int_equal(iy[i], ib[i / C] - i);
}

static void test_binary_iter_merge(void **state)
{
    /* [2,3,4,5] with [3,1,1]: axes 2,3 merge; axis 0 and 1 stay apart for b */
    FcRtTensor a, b, y;
    const FcRtTensor *ops[2];
    FcBinIter it;
    (void)state;
    a = T(NULL, FC_DT_F32, 4, (int64_t[]){2, 3, 4, 5});
    b = T(NULL, FC_DT_F32, 3, (int64_t[]){3, 1, 1});
    y = a;
    ops[0] = &a;
    ops[1] = &b;
    assert_int_equal(fc_bin_iter_init(&it, 2, ops, &y), 1);
    assert_int_equal(it.m, 3);
    assert_int_equal(it.dims[0], 2);
    assert_int_equal(it.dims[1], 3);
    assert_int_equal(it.dims[2], 20);
    assert_int_equal(it.st[1][0], 0);
    assert_int_equal(it.st[1][1], 1);
    assert_int_equal(it.st[1][2], 0);
    assert_int_equal(it.outer, 6);
    /* same shapes merge into one axis */
    b = a;
    fc_bin_iter_init(&it, 2, ops, &y);
    assert_int_equal(it.m, 1);
    assert_int_equal(it.dims[0], 120);
    /* empty output: nothing to do */
    y = T(NULL, FC_DT_F32, 2, (int64_t[]){0, 5});
    assert_int_equal(fc_bin_iter_init(&it, 2, ops, &y), 0);
}

/* ---- variadic, Where -------------------------------------------------------------------------- */

static void test_variadic(void **state)
{
    float a[3] = {1, 5, 3}, b[2][3] = {{4, 2, 6}, {0, 0, 9}}, c = 4.0f, y[6];
    int64_t d3[1] = {3}, d23[2] = {2, 3}, d0[1] = {1};
    int64_t ia[3] = {FC_BOP_MAX, FC_DT_F32, 0};
    FcRtTensor t[4];
    FcRtNode nd = N(3, ia, 3, NULL, 0);
    int32_t ia32[2] = {-5, 7}, ib32[2] = {3, -9}, iy32[2];
    uint16_t h[2] = {0x3c00, 0x4000}, hy[2]; /* 1, 2 */
    (void)state;
    t[0] = T(a, FC_DT_F32, 1, d3);
    t[1] = T(b, FC_DT_F32, 2, d23);
    t[2] = T(&c, FC_DT_F32, 0, d0);
    t[3] = T(y, FC_DT_F32, 2, d23);
    fc_rt_variadic(&nd, t);
    assert_memory_equal(y, ((float[]){4, 5, 6, 4, 5, 9}), sizeof y);
    ia[0] = FC_BOP_MIN;
    fc_rt_variadic(&nd, t);
    assert_memory_equal(y, ((float[]){1, 2, 3, 0, 0, 3}), sizeof y);
    ia[0] = FC_BOP_ADD;
    fc_rt_variadic(&nd, t);
    assert_memory_equal(y, ((float[]){9, 11, 13, 5, 9, 16}), sizeof y);
    ia[2] = 1; /* Mean */
    fc_rt_variadic(&nd, t);
    assert_float_equal(y[0], 3.0f, 0);
    assert_float_equal(y[1], 11.0f / 3.0f, 1e-6f);
    assert_float_equal(y[5], 16.0f / 3.0f, 1e-6f);
    /* one input: a copy (Sum / Mean of one tensor is that tensor) */
    nd.nin = 1;
    nd.out = OUT1;
    t[1] = T(y, FC_DT_F32, 1, d3);
    fc_rt_variadic(&nd, t);
    assert_memory_equal(y, a, sizeof a);
    /* int32 Max; f16 Mean */
    nd = N(2, ia, 3, NULL, 0);
    ia[0] = FC_BOP_MAX;
    ia[1] = FC_DT_I64;
    ia[2] = 0;
    t[0] = T(ia32, FC_DT_I32, 1, (int64_t[]){2});
    t[1] = T(ib32, FC_DT_I32, 1, (int64_t[]){2});
    t[2] = T(iy32, FC_DT_I32, 1, (int64_t[]){2});
    fc_rt_variadic(&nd, t);
    assert_memory_equal(iy32, ((int32_t[]){3, 7}), sizeof iy32);
    ia[0] = FC_BOP_ADD;
    ia[1] = FC_DT_F32;
    ia[2] = 1;
    t[0] = T(h, FC_DT_F16, 1, (int64_t[]){2});
    t[1] = T(h, FC_DT_F16, 1, (int64_t[]){2});
    t[2] = T(hy, FC_DT_F16, 1, (int64_t[]){2});
    fc_rt_variadic(&nd, t);
    assert_int_equal(hy[0], 0x3c00);
    assert_int_equal(hy[1], 0x4000);
}

/* The memory planner may give y the buffer of any same-shape input. */
static void test_variadic_inplace(void **state)
{
    float a[3] = {1, 2, 3}, b[3] = {10, 20, 30}, c[3] = {100, 200, 300};
    int64_t d3[1] = {3};
    int64_t ia[3] = {FC_BOP_ADD, FC_DT_F32, 0};
    FcRtTensor t[4];
    FcRtNode nd = N(3, ia, 3, NULL, 0);
    (void)state;
    t[0] = T(a, FC_DT_F32, 1, d3);
    t[1] = T(b, FC_DT_F32, 1, d3);
    t[2] = T(c, FC_DT_F32, 1, d3);
    t[3] = T(c, FC_DT_F32, 1, d3); /* y is the last input's buffer */
    fc_rt_variadic(&nd, t);
    assert_memory_equal(c, ((float[]){111, 222, 333}), sizeof c);
    ia[0] = FC_BOP_MAX;
    t[3] = T(b, FC_DT_F32, 1, d3); /* y is the middle input's buffer */
    fc_rt_variadic(&nd, t);
    assert_memory_equal(b, ((float[]){111, 222, 333}), sizeof b);
}

static void test_where(void **state)
{
    uint8_t c[2][1] = {{1}, {0}};
    float x[3] = {1, 2, 3}, z = -1.0f, y[6];
    int64_t dc[2] = {2, 1}, dx[1] = {3}, d0[1] = {1}, dy[2] = {2, 3};
    FcRtTensor t[4];
    FcRtNode nd = N(3, NULL, 0, NULL, 0);
    enum { K = 1000 };
    static uint8_t ck[K];
    static int64_t xk[K], zk[K], yk[K];
    uint8_t cb[3] = {1, 0, 1}, xb[3] = {0, 0, 0}, zb[3] = {1, 1, 1}, yb[3];
    (void)state;
    t[0] = T(c, FC_DT_BOOL, 2, dc);
    t[1] = T(x, FC_DT_F32, 1, dx);
    t[2] = T(&z, FC_DT_F32, 0, d0);
    t[3] = T(y, FC_DT_F32, 2, dy);
    fc_rt_where(&nd, t);
    assert_memory_equal(y, ((float[]){1, 2, 3, -1, -1, -1}), sizeof y);
    /* int64 over several chunks, same shapes */
    for (int i = 0; i < K; i++) {
        ck[i] = (uint8_t)(i % 3 == 0);
        xk[i] = i;
        zk[i] = -i;
    }
    t[0] = T(ck, FC_DT_BOOL, 1, (int64_t[]){K});
    t[1] = T(xk, FC_DT_I64, 1, (int64_t[]){K});
    t[2] = T(zk, FC_DT_I64, 1, (int64_t[]){K});
    t[3] = T(yk, FC_DT_I64, 1, (int64_t[]){K});
    fc_rt_where(&nd, t);
    for (int i = 0; i < K; i++)
        assert_true(yk[i] == (i % 3 == 0 ? i : -i));
    /* bool data */
    t[0] = T(cb, FC_DT_BOOL, 1, dx);
    t[1] = T(xb, FC_DT_BOOL, 1, dx);
    t[2] = T(zb, FC_DT_BOOL, 1, dx);
    t[3] = T(yb, FC_DT_BOOL, 1, dx);
    fc_rt_where(&nd, t);
    assert_memory_equal(yb, ((uint8_t[]){0, 1, 0}), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_conversions),
        cmocka_unit_test(test_cast_float_to_int),
        cmocka_unit_test(test_cast_misc),
        cmocka_unit_test(test_cast_chunked),
        cmocka_unit_test(test_unary_f32_values),
        cmocka_unit_test(test_unary_bool_outputs),
        cmocka_unit_test(test_unary_int_bool),
        cmocka_unit_test(test_unary_f64_f16),
        cmocka_unit_test(test_unary_inplace),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_binary_f32_shapes),
        cmocka_unit_test(test_binary_f32_blocks),
        cmocka_unit_test(test_binary_short_rows),
        cmocka_unit_test(test_binary_channel_and_general),
        cmocka_unit_test(test_binary_compare_logic),
        cmocka_unit_test(test_binary_int_arith),
        cmocka_unit_test(test_binary_mod_float),
        cmocka_unit_test(test_binary_pow_types),
        cmocka_unit_test(test_binary_bits),
        cmocka_unit_test(test_binary_prelu_maxmin),
        cmocka_unit_test(test_binary_chunked),
        cmocka_unit_test(test_binary_iter_merge),
        cmocka_unit_test(test_variadic),
        cmocka_unit_test(test_variadic_inplace),
        cmocka_unit_test(test_where),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
