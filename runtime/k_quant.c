/* k_quant.c — linear (de)quantization: QuantizeLinear (fc_rt_quantize_linear),
 * DequantizeLinear (fc_rt_dequantize_linear) and DynamicQuantizeLinear
 * (fc_rt_dynamic_quantize_linear). QDQ models run their arithmetic in float: these kernels
 * only move values between the integer and the float domain.
 *
 * Where the scale (and zero point) of each x element is, ia[0..6] (ir/op_quant.c packs it),
 * the same for Q and DQ. x is seen as [outer, D, inner] around the quantization axis:
 *   ia[0] = outer, ia[1] = D, ia[2] = inner
 *   ia[3] = block  consecutive indices d along the axis that share a scale (>= 1)
 *   ia[4] = so, ia[5] = sd, ia[6] = si: element (o, d, i) uses scale element
 *           o*so + (d / block)*sd + i*si.
 * Per-tensor: outer = D = block = 1, inner = numel, so = sd = si = 0. Per-axis: so = si = 0,
 * sd = 1 (prepare turns an axis with inner == 1 into outer rows of D with si = 1). Blocked
 * (opset 21: the scale has x's shape with the axis cut into ceil(D / block) blocks, the last
 * one possibly short): so = ceil(D / block) * inner, sd = inner, si = 1. The zero point, when
 * present, has the scale's shape and the same index.
 *
 * QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point), output u8 / i8 /
 * u16 / i16 (y's dtype). ia[7] is the dtype the division is rounded to, as the ONNX
 * reference (numpy) computes it: f32 for f32 operands, f16 for f16 ones, f64 for int32 x,
 * or the `precision` attribute. A division by the scale, not a multiplication by its
 * reciprocal, so ties land where the reference's do. NaN gives the type's minimum (the
 * reference's NaN -> int32 cast gives INT32_MIN, clipped); other values saturate, +-inf
 * included (the reference, through that int32 cast, sends values beyond +-2^31 to the
 * minimum: the spec's saturation is what is kept here).
 * DequantizeLinear: y = ((float)x - (float)zero_point) * scale, in float32, as the reference
 * does, for x u8 / i8 / u16 / i16 / i32; y f32, or f16 rounded once from that float result.
 * A f16 scale or a f16 y go through n->scratch (ir/op_quant.c sizes it).
 * DynamicQuantizeLinear: x f32 -> y u8, y_scale f32 [], y_zero_point u8 []:
 *   scale = (max(0, max x) - min(0, min x)) / 255 (1 when x is all zeros: the range is
 *   empty), zero point = round(clamp(0 - min / scale, 0, 255)), y = saturate(round(x / scale)
 *   + zero point). A NaN in x gives scale NaN, zero point 255 and y 0, as the reference.
 * Rounding uses rint / rintf: half to even under the default rounding mode.
 *
 * fc-deps: k_cast.c
 */
#include "fc_rt.h"

FC_RT float fc_rt_half_to_float(uint16_t h);
FC_RT uint16_t fc_rt_double_to_half(double d);
FC_RT void fc_rt_convert(void *dst, int32_t ddt, const void *src, int32_t sdt, int64_t n,
                         int64_t st);

/* ---- saturating stores: v is an integer-valued float (or NaN, which gives the minimum) -- */

#define FC_Q_SAT_DEFINE(SFX, T, QMIN, QMAX)                                                 \
    FC_RT_HELPER T fc_q_sat_##SFX(float v)                                                  \
    {                                                                                       \
        return v >= (float)(QMAX) ? (T)(QMAX) : v >= (float)(QMIN) ? (T)v : (T)(QMIN);      \
    }

FC_Q_SAT_DEFINE(u8, uint8_t, 0, 255)
FC_Q_SAT_DEFINE(i8, int8_t, -128, 127)
FC_Q_SAT_DEFINE(u16, uint16_t, 0, 65535)
FC_Q_SAT_DEFINE(i16, int16_t, -32768, 32767)

/* The range of a quantized dtype; 0 if the dtype is not one QuantizeLinear produces. */
FC_RT_HELPER int fc_q_range(int32_t dt, double *qmin, double *qmax)
{
    switch (dt) {
    case FC_DT_U8: *qmin = 0.0; *qmax = 255.0; return 1;
    case FC_DT_I8: *qmin = -128.0; *qmax = 127.0; return 1;
    case FC_DT_U16: *qmin = 0.0; *qmax = 65535.0; return 1;
    case FC_DT_I16: *qmin = -32768.0; *qmax = 32767.0; return 1;
    default: return 0;
    }
}

/* Element i of a float (f32, f16, f64) or integer tensor, as double. */
FC_RT_HELPER double fc_q_get(const void *data, int32_t dt, int64_t i)
{
    if (dt == FC_DT_F16)
        return fc_rt_half_to_float(((const uint16_t *)data)[i]);
    return fc_rt_get_f64(data, dt, i);
}

/* x / s rounded to dtype qdt (f32, f16 or f64). The double quotient of two float (or half)
 * operands rounds to the same float (half) as their float (half) division would. */
FC_RT_HELPER double fc_q_quotient(double x, double s, int32_t qdt)
{
    double q = x / s;
    if (qdt == FC_DT_F32 && fabs(q) <= 3.4028234663852886e38) /* beyond: saturates anyway */
        return (float)q;
    if (qdt == FC_DT_F16)
        return fc_rt_half_to_float(fc_rt_double_to_half(q));
    return q;
}

/* ---- QuantizeLinear ------------------------------------------------------------------- */

/* The rows of QuantizeLinear and DequantizeLinear (ia as fc_rt_quantize's): one row of
 * `inner` elements per (o, d); per-tensor and per-axis rows have one scale and zero point,
 * blocked rows one per element. Defines NAME(x, s, zp, y, ia) for elements XT -> YT with a
 * zero point of dtype ZT (or NULL: 0), each y = ONE(SAT, x, scale, zero point as float). */
#define FC_QROWS_DEFINE(NAME, XT, YT, ZT, ONE, SAT)                                         \
    FC_RT_HELPER void NAME(const XT *x, const float *s, const ZT *zp, YT *y,                 \
                           const int64_t *ia)                                                \
    {                                                                                        \
        int64_t o, d, i, outer = ia[0], D = ia[1], inner = ia[2], blk = ia[3];               \
        for (o = 0; o < outer; o++)                                                          \
            for (d = 0; d < D; d++) {                                                        \
                int64_t off = (o * D + d) * inner, si = o * ia[4] + (d / blk) * ia[5];       \
                const XT *xr = x + off;                                                      \
                YT *yr = y + off;                                                            \
                if (ia[6] == 0) {                                                            \
                    const float sc = s[si], z = zp ? (float)zp[si] : 0.0f;                   \
                    for (i = 0; i < inner; i++)                                              \
                        yr[i] = ONE(SAT, xr[i], sc, z);                                      \
                } else {                                                                     \
                    const float *sr = s + si;                                                \
                    const ZT *zr = zp ? zp + si : NULL;                                      \
                    for (i = 0; i < inner; i++)                                              \
                        yr[i] = ONE(SAT, xr[i], sr[i], zr ? (float)zr[i] : 0.0f);            \
                }                                                                            \
            }                                                                                \
    }

/* The common case: x and scale f32, the division in f32, zero point of y's dtype T or
 * absent: y = saturate(round(x / scale) + zero point). */
#define FC_Q_ONE(SAT, x, sc, z) SAT(rintf((x) / (sc)) + (z))
#define FC_Q_F32_DEFINE(SFX, T) \
    FC_QROWS_DEFINE(fc_q_f32_##SFX, float, T, T, FC_Q_ONE, fc_q_sat_##SFX)

FC_Q_F32_DEFINE(u8, uint8_t)
FC_Q_F32_DEFINE(i8, int8_t)
FC_Q_F32_DEFINE(u16, uint16_t)
FC_Q_F32_DEFINE(i16, int16_t)

/* Any other dtypes: x f32 / f16 / f64 / i32, scale f32 / f16, the quotient in ia[7]. */
FC_RT_HELPER void fc_q_generic(const FcRtTensor *x, const FcRtTensor *s, const FcRtTensor *zp,
                               FcRtTensor *y, const int64_t *ia)
{
    int64_t o, d, i, outer = ia[0], D = ia[1], inner = ia[2], blk = ia[3];
    int32_t qdt = (int32_t)ia[7];
    double qmin = 0.0, qmax = 0.0;
    if (!fc_q_range(y->dtype, &qmin, &qmax))
        return;
    for (o = 0; o < outer; o++)
        for (d = 0; d < D; d++) {
            int64_t off = (o * D + d) * inner, sbase = o * ia[4] + (d / blk) * ia[5];
            for (i = 0; i < inner; i++) {
                int64_t si = sbase + i * ia[6];
                double q = fc_q_quotient(fc_q_get(x->data, x->dtype, off + i),
                                         fc_q_get(s->data, s->dtype, si), qdt);
                double v = rint(q) + (zp ? (double)fc_rt_get_i64(zp->data, zp->dtype, si) : 0.0);
                v = v >= qmax ? qmax : v >= qmin ? v : qmin; /* NaN: the minimum */
                fc_rt_set_i64(y->data, y->dtype, off + i, (int64_t)v);
            }
        }
}

/* QuantizeLinear(x, y_scale[, y_zero_point]) -> y; ia as in the file comment. */
FC_RT void fc_rt_quantize_linear(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *s = fc_rt_in(n, t, 1);
    const FcRtTensor *zp = fc_rt_opt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    const void *z = zp ? zp->data : NULL;
    if (x->dtype != FC_DT_F32 || s->dtype != FC_DT_F32 || n->ia[7] != FC_DT_F32) {
        fc_q_generic(x, s, zp, y, n->ia);
        return;
    }
    switch (y->dtype) {
    case FC_DT_U8:
        fc_q_f32_u8((const float *)x->data, (const float *)s->data, (const uint8_t *)z,
                    (uint8_t *)y->data, n->ia);
        break;
    case FC_DT_I8:
        fc_q_f32_i8((const float *)x->data, (const float *)s->data, (const int8_t *)z,
                    (int8_t *)y->data, n->ia);
        break;
    case FC_DT_U16:
        fc_q_f32_u16((const float *)x->data, (const float *)s->data, (const uint16_t *)z,
                     (uint16_t *)y->data, n->ia);
        break;
    case FC_DT_I16:
        fc_q_f32_i16((const float *)x->data, (const float *)s->data, (const int16_t *)z,
                     (int16_t *)y->data, n->ia);
        break;
    default:
        break;
    }
}

/* ---- DequantizeLinear ----------------------------------------------------------------- */

/* y (f32) = ((float)x - (float)zp) * s for x and zp of dtype T; rows as in fc_q_f32_*. */
#define FC_DQ_ONE(SAT, x, sc, z) (((float)(x) - (z)) * (sc))
#define FC_DQ_DEFINE(SFX, T) FC_QROWS_DEFINE(fc_dq_##SFX, T, float, T, FC_DQ_ONE, )

FC_DQ_DEFINE(u8, uint8_t)
FC_DQ_DEFINE(i8, int8_t)
FC_DQ_DEFINE(u16, uint16_t)
FC_DQ_DEFINE(i16, int16_t)
FC_DQ_DEFINE(i32, int32_t)

/* Scratch bytes of a DequantizeLinear: the scale as f32 when it is f16, then the result as
 * f32 when y is not f32. Each part is rounded up to 64 bytes. */
FC_RT int64_t fc_rt_dequantize_scratch_bytes(int32_t scale_dt, int64_t scale_numel,
                                             int32_t y_dt, int64_t numel)
{
    int64_t b = 0;
    if (scale_dt != FC_DT_F32)
        b += (scale_numel * 4 + 63) / 64 * 64;
    if (y_dt != FC_DT_F32)
        b += (numel * 4 + 63) / 64 * 64;
    return b;
}

/* DequantizeLinear(x, x_scale[, x_zero_point]) -> y; ia as in the file comment. */
FC_RT void fc_rt_dequantize_linear(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *s = fc_rt_in(n, t, 1);
    const FcRtTensor *zp = fc_rt_opt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    const void *z = zp ? zp->data : NULL;
    const float *sf = (const float *)s->data;
    float *yf = (float *)y->data;
    unsigned char *scratch = (unsigned char *)n->scratch;
    int64_t numel = fc_rt_numel(x);
    if (s->dtype != FC_DT_F32) {
        int64_t ns = fc_rt_numel(s);
        fc_rt_convert(scratch, FC_DT_F32, s->data, s->dtype, ns, 1);
        sf = (const float *)scratch;
        scratch += (ns * 4 + 63) / 64 * 64;
    }
    if (y->dtype != FC_DT_F32)
        yf = (float *)scratch;
    switch (x->dtype) {
    case FC_DT_U8: fc_dq_u8((const uint8_t *)x->data, sf, (const uint8_t *)z, yf, n->ia); break;
    case FC_DT_I8: fc_dq_i8((const int8_t *)x->data, sf, (const int8_t *)z, yf, n->ia); break;
    case FC_DT_U16:
        fc_dq_u16((const uint16_t *)x->data, sf, (const uint16_t *)z, yf, n->ia);
        break;
    case FC_DT_I16:
        fc_dq_i16((const int16_t *)x->data, sf, (const int16_t *)z, yf, n->ia);
        break;
    case FC_DT_I32:
        fc_dq_i32((const int32_t *)x->data, sf, (const int32_t *)z, yf, n->ia);
        break;
    default: break;
    }
    if (y->dtype != FC_DT_F32)
        fc_rt_convert(y->data, y->dtype, yf, FC_DT_F32, numel, 1);
}

/* ---- DynamicQuantizeLinear ------------------------------------------------------------ */

/* DynamicQuantizeLinear(x f32) -> y u8, y_scale f32 [], y_zero_point u8 []. No parameters. */
FC_RT void fc_rt_dynamic_quantize_linear(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    const float *xd = (const float *)x->data;
    uint8_t *y = (uint8_t *)fc_rt_out(n, t, 0)->data;
    float *y_scale = (float *)fc_rt_out(n, t, 1)->data;
    uint8_t *y_zp = (uint8_t *)fc_rt_out(n, t, 2)->data;
    int64_t i, numel = fc_rt_numel(x);
    float lo = 0.0f, hi = 0.0f, scale, zpf, z;
    int nan = 0;
    for (i = 0; i < numel; i++) {
        float v = xd[i];
        nan |= v != v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (nan)
        lo = hi = (float)NAN;
    scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
    zpf = 0.0f - lo / scale;
    zpf = zpf < 255.0f ? zpf : 255.0f; /* NaN: 255, as the reference's min(255, NaN) */
    zpf = zpf > 0.0f ? zpf : 0.0f;
    z = rintf(zpf);
    for (i = 0; i < numel; i++)
        y[i] = fc_q_sat_u8(rintf(xd[i] / scale) + z);
    *y_scale = scale;
    *y_zp = (uint8_t)z;
}
