/* test_k_quant.c — kernels of the quantization group (runtime/k_quant.c) on small
 * hand-computed tensors: QuantizeLinear's rounding (half to even) and saturation at both ends
 * of u8 / i8 / u16 / i16, NaN and infinities; the scale index of per-tensor, per-axis (both
 * packings) and blocked layouts, with a short last block; DequantizeLinear for every x type,
 * a f16 scale and output; DynamicQuantizeLinear's ONNX example, the all-zero and NaN cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fc_rt.h"
#include "k_harness.h"

void fc_rt_quantize_linear(const FcRtNode *n, FcRtTensor *t);
void fc_rt_dequantize_linear(const FcRtNode *n, FcRtTensor *t);
void fc_rt_dynamic_quantize_linear(const FcRtNode *n, FcRtTensor *t);
int64_t fc_rt_dequantize_scratch_bytes(int32_t scale_dt, int64_t scale_numel, int32_t y_dt,
                                       int64_t numel);
uint16_t fc_rt_float_to_half(float f);
float fc_rt_half_to_float(uint16_t h);

static float scratch_mem[1024];

static FcRtTensor tensor(const void *data, int32_t dt, int rank, const int64_t *dims)
{
    return k_tensor(data, dt, rank, dims);
}

/* Runs kernel k on t[0..nin) -> t[nin..nin+nout), scratch poisoned first. */
static void run(FcRtKernel k, FcRtTensor *t, int nin, int nout, const int64_t *ia, int nia)
{
    k_run(k, t, nin, nout, ia, nia, scratch_mem, sizeof scratch_mem);
}

/* Scale geometries (ia[0..6], see k_quant.c), ia[7] = quotient dtype f32. */
static void geom(int64_t *ia, int64_t outer, int64_t D, int64_t inner, int64_t blk, int64_t so,
                 int64_t sd, int64_t si)
{
    ia[0] = outer, ia[1] = D, ia[2] = inner, ia[3] = blk, ia[4] = so, ia[5] = sd, ia[6] = si;
    ia[7] = FC_DT_F32;
}

static void geom_tensor(int64_t *ia, int64_t numel)
{
    geom(ia, 1, 1, numel, 1, 0, 0, 0);
}

/* Quantizes x (f32 [nx]) with scalar scale s and zero point z (dtype ydt, NULL: absent). */
static void quantize_scalar(const float *x, int64_t nx, float s, const void *z, int32_t ydt,
                            void *y)
{
    int64_t dx[1] = {nx}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 1, dx), tensor(&s, FC_DT_F32, 0, dx),
                       tensor(z, ydt, 0, dx), tensor(y, ydt, 1, dx)};
    geom_tensor(ia, nx);
    if (z) {
        run(fc_rt_quantize_linear, t, 3, 1, ia, 8);
    } else {
        t[2] = t[3];
        run(fc_rt_quantize_linear, t, 2, 1, ia, 8);
    }
}

/* ---- QuantizeLinear: rounding and saturation ----------------------------------------- */

static void test_q_round_half_even(void **state)
{
    (void)state;
    const float x[8] = {2.5f, -2.5f, 3.5f, -3.5f, 0.5f, 1.5f, -0.5f, 2.4999998f};
    const int8_t want[8] = {2, -2, 4, -4, 0, 2, 0, 2};
    int8_t y[8], z = 0;
    quantize_scalar(x, 8, 1.0f, &z, FC_DT_I8, y);
    assert_memory_equal(y, want, sizeof want);
    /* the tie is on x / scale: 5 / 2 = 2.5 -> 2, 7 / 2 = 3.5 -> 4 */
    const float x2[2] = {5.0f, 7.0f};
    const uint8_t want2[2] = {2, 4};
    uint8_t y2[2];
    quantize_scalar(x2, 2, 2.0f, NULL, FC_DT_U8, y2);
    assert_memory_equal(y2, want2, sizeof want2);
}

/* x / scale, not x * (1 / scale): in f32 173.25 / 0.9 is the tie 192.5 (-> 192) while
 * 173.25 * (1 / 0.9) is 192.50002 (-> 193) */
static void test_q_divides(void **state)
{
    (void)state;
    const float x[1] = {173.25f};
    uint8_t y[1];
    quantize_scalar(x, 1, 0.9f, NULL, FC_DT_U8, y);
    assert_int_equal(y[0], 192);
}

static void test_q_saturate_u8(void **state)
{
    (void)state;
    const float x[8] = {-1000.0f, 1000.0f, 255.4f, 255.5f, -12.0f, NAN, INFINITY, -INFINITY};
    const uint8_t want[8] = {0, 255, 255, 255, 0, 0, 255, 0};
    const uint8_t want_zp[8] = {0, 255, 255, 255, 0, 0, 255, 0};
    uint8_t y[8], z = 10;
    quantize_scalar(x, 8, 1.0f, NULL, FC_DT_U8, y);
    assert_memory_equal(y, want, sizeof want);
    quantize_scalar(x, 8, 1.0f, &z, FC_DT_U8, y);
    assert_memory_equal(y, want_zp, sizeof want_zp);
    const float x2[3] = {-10.4f, -10.5f, 244.5f}; /* -10 + 10, -10 + 10, 244 + 10 */
    const uint8_t want2[3] = {0, 0, 254};
    quantize_scalar(x2, 3, 1.0f, &z, FC_DT_U8, y);
    assert_memory_equal(y, want2, sizeof want2);
}

static void test_q_saturate_i8(void **state)
{
    (void)state;
    const float x[7] = {-200.0f, 200.0f, -128.4f, -128.6f, 127.4f, 127.6f, NAN};
    const int8_t want[7] = {-128, 127, -128, -128, 127, 127, -128};
    int8_t y[7], z = 0;
    quantize_scalar(x, 7, 1.0f, &z, FC_DT_I8, y);
    assert_memory_equal(y, want, sizeof want);
    z = -3; /* -126 - 3 = -129 saturates, 129 - 3 = 126 does not */
    const float x2[2] = {-126.0f, 129.0f};
    const int8_t want2[2] = {-128, 126};
    quantize_scalar(x2, 2, 1.0f, &z, FC_DT_I8, y);
    assert_memory_equal(y, want2, sizeof want2);
}

static void test_q_saturate_16(void **state)
{
    (void)state;
    const float x[6] = {-40000.0f, 40000.0f, 32767.4f, -32768.5f, 3e9f, -3e9f};
    const int16_t want[6] = {-32768, 32767, 32767, -32768, 32767, -32768};
    int16_t y[6], z = 0;
    quantize_scalar(x, 6, 1.0f, &z, FC_DT_I16, y);
    assert_memory_equal(y, want, sizeof want);
    const float xu[5] = {-1.0f, 70000.0f, 65534.5f, 65535.5f, 2.5f};
    const uint16_t wantu[5] = {0, 65535, 65534, 65535, 2};
    uint16_t yu[5];
    quantize_scalar(xu, 5, 1.0f, NULL, FC_DT_U16, yu);
    assert_memory_equal(yu, wantu, sizeof wantu);
}

/* int32 x: the division in f64 (numpy's promotion), the generic path. */
static void test_q_int32_input(void **state)
{
    (void)state;
    const int32_t x[4] = {5, -5, 7, 1000};
    const float s = 2.0f;
    const int8_t z = 1;
    const int8_t want[4] = {3, -1, 5, 127};
    int8_t y[4];
    int64_t dx[1] = {4}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_I32, 1, dx), tensor(&s, FC_DT_F32, 0, dx),
                       tensor(&z, FC_DT_I8, 0, dx), tensor(y, FC_DT_I8, 1, dx)};
    geom_tensor(ia, 4);
    ia[7] = FC_DT_F64;
    run(fc_rt_quantize_linear, t, 3, 1, ia, 8);
    assert_memory_equal(y, want, sizeof want);
}

/* f16 x and scale: the quotient rounded to f16 before rounding to an integer. 2049 is not a
 * half (it rounds to 2048), so 2049 / 1 -> 2048; in f32 it would stay 2049. */
static void test_q_f16(void **state)
{
    (void)state;
    const uint16_t x[3] = {fc_rt_float_to_half(2.5f), fc_rt_float_to_half(-7.0f),
                           fc_rt_float_to_half(3.0f)};
    const uint16_t s = fc_rt_float_to_half(2.0f);
    const int16_t want[3] = {1, -4, 2};
    int16_t y[3], z = 0;
    int64_t dx[1] = {3}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_F16, 1, dx), tensor(&s, FC_DT_F16, 0, dx),
                       tensor(&z, FC_DT_I16, 0, dx), tensor(y, FC_DT_I16, 1, dx)};
    geom_tensor(ia, 3);
    ia[7] = FC_DT_F16;
    run(fc_rt_quantize_linear, t, 3, 1, ia, 8);
    assert_memory_equal(y, want, sizeof want);
    const float xf[1] = {2049.0f}, sf = 1.0f;
    int16_t y1 = 0;
    FcRtTensor t1[4] = {tensor(xf, FC_DT_F32, 1, dx), tensor(&sf, FC_DT_F32, 0, dx),
                        tensor(&z, FC_DT_I16, 0, dx), tensor(&y1, FC_DT_I16, 1, dx)};
    geom_tensor(ia, 1);
    ia[7] = FC_DT_F16; /* precision = float16 */
    run(fc_rt_quantize_linear, t1, 3, 1, ia, 8);
    assert_int_equal(y1, 2048);
}

/* ---- the scale index of each layout -------------------------------------------------- */

/* x [2, 3, 2], axis 1: scale [1, 2, 4], zero point [0, 1, -1]. */
static void test_q_dq_per_axis(void **state)
{
    (void)state;
    const float x[12] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
    const float s[3] = {1, 2, 4};
    const int8_t z[3] = {0, 1, -1};
    /* element (o, d, i) / s[d] rounded half-even + z[d] */
    const int8_t want[12] = {1, 2, 3, 3, 0, 1, -1, -2, -1, -1, -2, -3};
    int8_t y[12];
    float back[12];
    int64_t dx[3] = {2, 3, 2}, ds[1] = {3}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(s, FC_DT_F32, 1, ds),
                       tensor(z, FC_DT_I8, 1, ds), tensor(y, FC_DT_I8, 3, dx)};
    geom(ia, 2, 3, 2, 1, 0, 1, 0);
    run(fc_rt_quantize_linear, t, 3, 1, ia, 8);
    assert_memory_equal(y, want, sizeof want);
    FcRtTensor u[4] = {tensor(y, FC_DT_I8, 3, dx), tensor(s, FC_DT_F32, 1, ds),
                       tensor(z, FC_DT_I8, 1, ds), tensor(back, FC_DT_F32, 3, dx)};
    run(fc_rt_dequantize_linear, u, 3, 1, ia, 7);
    for (int k = 0; k < 12; k++) {
        int d = (k / 2) % 3;
        assert_true(back[k] == (float)(want[k] - z[d]) * s[d]);
    }
}

/* The last axis (inner 1) packed as rows with one scale per element: x [2, 3], axis 1. */
static void test_dq_per_axis_last(void **state)
{
    (void)state;
    const uint8_t x[6] = {10, 20, 30, 40, 50, 60};
    const float s[3] = {0.5f, 1.0f, 2.0f};
    const uint8_t z[3] = {10, 0, 30};
    const float want[6] = {0, 20, 0, 15, 50, 60};
    float y[6];
    int64_t dx[2] = {2, 3}, ds[1] = {3}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_U8, 2, dx), tensor(s, FC_DT_F32, 1, ds),
                       tensor(z, FC_DT_U8, 1, ds), tensor(y, FC_DT_F32, 2, dx)};
    geom(ia, 2, 1, 3, 1, 0, 0, 1);
    run(fc_rt_dequantize_linear, t, 3, 1, ia, 7);
    assert_memory_equal(y, want, sizeof want);
}

/* x [2, 5] blocked along axis 1 with block 2: scale [2, 3], the last block one column. */
static void test_q_dq_blocked(void **state)
{
    (void)state;
    const float x[10] = {1, 2, 3, 4, 5, 10, 20, 30, 40, 50};
    const float s[6] = {1, 2, 4, 10, 5, 25};
    const int16_t want[10] = {1, 2, 2, 2, 1, 1, 2, 6, 8, 2};
    int16_t y[10];
    float back[10];
    int64_t dx[2] = {2, 5}, ds[2] = {2, 3}, ia[8];
    FcRtTensor t[3] = {tensor(x, FC_DT_F32, 2, dx), tensor(s, FC_DT_F32, 2, ds),
                       tensor(y, FC_DT_I16, 2, dx)};
    /* axis 1: outer 2, D 5, inner 1, block 2, so = 3 * 1, sd = 1, si = 1 */
    geom(ia, 2, 5, 1, 2, 3, 1, 1);
    run(fc_rt_quantize_linear, t, 2, 1, ia, 8);
    assert_memory_equal(y, want, sizeof want);
    FcRtTensor u[3] = {tensor(y, FC_DT_I16, 2, dx), tensor(s, FC_DT_F32, 2, ds),
                       tensor(back, FC_DT_F32, 2, dx)};
    run(fc_rt_dequantize_linear, u, 2, 1, ia, 7);
    for (int k = 0; k < 10; k++)
        assert_true(back[k] == (float)want[k] * s[(k / 5) * 3 + (k % 5) / 2]);
}

/* Blocked along axis 0 of x [4, 2] with block 3: scale [2, 2], rows 0-2 and row 3. */
static void test_dq_blocked_axis0(void **state)
{
    (void)state;
    const int8_t x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const int8_t z[4] = {1, 0, 0, 2};
    const float s[4] = {1, 10, 100, 1000};
    const float want[8] = {0, 20, 2, 40, 4, 60, 700, 6000};
    float y[8];
    int64_t dx[2] = {4, 2}, ds[2] = {2, 2}, ia[8];
    FcRtTensor t[4] = {tensor(x, FC_DT_I8, 2, dx), tensor(s, FC_DT_F32, 2, ds),
                       tensor(z, FC_DT_I8, 2, ds), tensor(y, FC_DT_F32, 2, dx)};
    geom(ia, 1, 4, 2, 3, 2 * 2, 2, 1);
    run(fc_rt_dequantize_linear, t, 3, 1, ia, 7);
    assert_memory_equal(y, want, sizeof want);
}

/* ---- DequantizeLinear dtypes ------------------------------------------------------------ */

static void test_dq_types(void **state)
{
    (void)state;
    int64_t d[1] = {3}, ia[8];
    const float s = 0.5f;
    float y[3];
    geom_tensor(ia, 3);
    const uint16_t xu[3] = {0, 65535, 100};
    const uint16_t zu = 100;
    FcRtTensor t[4] = {tensor(xu, FC_DT_U16, 1, d), tensor(&s, FC_DT_F32, 0, d),
                       tensor(&zu, FC_DT_U16, 0, d), tensor(y, FC_DT_F32, 1, d)};
    run(fc_rt_dequantize_linear, t, 3, 1, ia, 7);
    assert_true(y[0] == -50.0f && y[1] == 32717.5f && y[2] == 0.0f);
    const int16_t xi[3] = {-32768, 32767, 0};
    const int16_t zi = -1;
    t[0] = tensor(xi, FC_DT_I16, 1, d);
    t[2] = tensor(&zi, FC_DT_I16, 0, d);
    run(fc_rt_dequantize_linear, t, 3, 1, ia, 7);
    assert_true(y[0] == -16383.5f && y[1] == 16384.0f && y[2] == 0.5f);
    const int32_t x32[3] = {-2000000000, 7, 16777217}; /* the last rounds to 2^24 in f32 */
    t[0] = tensor(x32, FC_DT_I32, 1, d);
    t[2] = t[3];
    run(fc_rt_dequantize_linear, t, 2, 1, ia, 7);
    assert_true(y[0] == -1e9f && y[1] == 3.5f && y[2] == 8388608.0f);
}

/* f16 scale -> f16 output through the scratch: (x - z) * s in f32, then rounded to half. */
static void test_dq_f16(void **state)
{
    (void)state;
    const uint8_t x[3] = {0, 3, 255};
    const uint8_t z = 1;
    const uint16_t s = fc_rt_float_to_half(0.1f);
    uint16_t y[3];
    int64_t d[1] = {3}, ia[8];
    geom_tensor(ia, 3);
    assert_true(fc_rt_dequantize_scratch_bytes(FC_DT_F16, 1, FC_DT_F16, 3) <=
                (int64_t)sizeof scratch_mem);
    FcRtTensor t[4] = {tensor(x, FC_DT_U8, 1, d), tensor(&s, FC_DT_F16, 0, d),
                       tensor(&z, FC_DT_U8, 0, d), tensor(y, FC_DT_F16, 1, d)};
    run(fc_rt_dequantize_linear, t, 3, 1, ia, 7);
    float sf = fc_rt_half_to_float(s);
    for (int k = 0; k < 3; k++)
        assert_int_equal(y[k], fc_rt_float_to_half(((float)x[k] - 1.0f) * sf));
}

/* ---- DynamicQuantizeLinear ------------------------------------------------------------ */

static void dynamic(const float *x, int64_t nx, uint8_t *y, float *scale, uint8_t *zp)
{
    int64_t d[1] = {nx};
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 1, d), tensor(y, FC_DT_U8, 1, d),
                       tensor(scale, FC_DT_F32, 0, d), tensor(zp, FC_DT_U8, 0, d)};
    run(fc_rt_dynamic_quantize_linear, t, 1, 3, NULL, 0);
}

static void test_dynamic_example(void **state)
{
    (void)state;
    /* the example of the ONNX operator documentation */
    const float x[6] = {0.0f, 2.0f, -3.0f, -2.5f, 1.34f, 0.5f};
    const uint8_t want[6] = {153, 255, 0, 26, 221, 179};
    uint8_t y[6], zp;
    float scale;
    dynamic(x, 6, y, &scale, &zp);
    assert_true(scale == 5.0f / 255.0f);
    assert_int_equal(zp, 153);
    assert_memory_equal(y, want, sizeof want);
    /* all positive: min(0, x) = 0 gives zero point 0 */
    const float xp[3] = {1.0f, 2.0f, 4.0f};
    const uint8_t wantp[3] = {64, 127, 255}; /* 2 / (4 / 255) is 127.49999 in f32 */
    dynamic(xp, 3, y, &scale, &zp);
    assert_int_equal(zp, 0);
    assert_memory_equal(y, wantp, sizeof wantp);
}

static void test_dynamic_zero_and_nan(void **state)
{
    (void)state;
    const float zeros[4] = {0.0f, 0.0f, -0.0f, 0.0f};
    uint8_t y[4], zp;
    float scale;
    dynamic(zeros, 4, y, &scale, &zp);
    assert_true(scale == 1.0f);
    assert_int_equal(zp, 0);
    for (int k = 0; k < 4; k++)
        assert_int_equal(y[k], 0);
    const float withnan[3] = {1.0f, NAN, -1.0f};
    dynamic(withnan, 3, y, &scale, &zp);
    assert_true(isnan(scale));
    assert_int_equal(zp, 255);
    for (int k = 0; k < 3; k++)
        assert_int_equal(y[k], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_q_round_half_even),
        cmocka_unit_test(test_q_divides),
        cmocka_unit_test(test_q_saturate_u8),
        cmocka_unit_test(test_q_saturate_i8),
        cmocka_unit_test(test_q_saturate_16),
        cmocka_unit_test(test_q_int32_input),
        cmocka_unit_test(test_q_f16),
        cmocka_unit_test(test_q_dq_per_axis),
        cmocka_unit_test(test_dq_per_axis_last),
        cmocka_unit_test(test_q_dq_blocked),
        cmocka_unit_test(test_dq_blocked_axis0),
        cmocka_unit_test(test_dq_types),
        cmocka_unit_test(test_dq_f16),
        cmocka_unit_test(test_dynamic_example),
        cmocka_unit_test(test_dynamic_zero_and_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
