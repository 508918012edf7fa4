/* k_cast.c — element dtype conversion for every dtype fastc computes with, and the Cast /
 * CastLike kernel.
 *
 * fc_rt_convert(dst, ddt, src, sdt, n, s) converts n elements between any two of the dtypes
 * f32, f64, f16, int8..int64, uint8..uint64 and bool. It is the one conversion routine of
 * fastc: Cast uses it directly, and the other elementwise kernels (k_unary.c, k_binary.c)
 * use it to bring narrow or mixed dtypes to the type they compute in and back.
 *
 * Semantics (those of numpy's astype on x86-64, which produced the ONNX reference outputs):
 *  - to bool: x != 0 (NaN is true); from bool: 0 / 1;
 *  - float -> integer: truncation toward zero through int64, then wrap-around to the target
 *    width (e.g. 300.0 -> uint8 gives 44, -1.0 -> uint8 gives 255); NaN, infinities and
 *    values outside the int64 range give INT64_MIN before wrapping (uint64 targets accept
 *    the full [0, 2^64) range). No input is undefined behaviour in C;
 *  - integer -> integer: two's-complement wrap-around;
 *  - to float16: round to nearest even, overflow to infinity, NaN stays NaN. Conversions
 *    from double round once (never through float).
 * Every conversion goes through a lossless "wide" type (double for float dtypes, uint64 for
 * uint64, int64 for the other integers and bool), in chunks, except for a few frequent pairs
 * that have a direct loop.
 */
#include "fc_rt.h"

#define FC_CV_CHUNK 256

/* ---- float16 ------------------------------------------------------------------------- */

/* IEEE binary16 bits -> float (exact). */
FC_RT float fc_rt_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t e = (uint32_t)(h >> 10) & 0x1fu, m = (uint32_t)h & 0x3ffu, bits;
    float f;
    if (e == 0) {
        f = (float)m * 5.9604644775390625e-8f; /* m * 2^-24: zero or subnormal */
        return sign ? -f : f;
    }
    if (e == 31)
        bits = sign | 0x7f800000u | (m << 13); /* infinity or NaN */
    else
        bits = sign | ((e + 112u) << 23) | (m << 13);
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* double -> IEEE binary16 bits, rounding to nearest even. */
FC_RT uint16_t fc_rt_double_to_half(double d)
{
    uint64_t bits;
    uint16_t sign;
    double a;
    memcpy(&bits, &d, sizeof bits);
    sign = (uint16_t)((bits >> 48) & 0x8000u);
    a = d < 0 ? -d : d;
    if (a != a)
        return (uint16_t)(sign | 0x7e00u);
    if (a >= 65520.0) /* halfway between 65504 and 65536 and above: infinity */
        return (uint16_t)(sign | 0x7c00u);
    if (a < 6.103515625e-05) { /* below 2^-14: subnormal (or zero) result */
        double q = a * 16777216.0; /* a / 2^-24, exact */
        double r = floor(q);
        uint32_t m = (uint32_t)r;
        if (q - r > 0.5 || (q - r == 0.5 && (m & 1u)))
            m++; /* may carry into the smallest normal, which has the right bits */
        return (uint16_t)(sign | m);
    }
    {
        uint32_t e = (uint32_t)((bits >> 52) & 0x7ffu) - 1023u + 15u; /* 1..30 */
        uint64_t man = bits & UINT64_C(0xfffffffffffff);
        uint64_t m = man >> 42, rem = man & ((UINT64_C(1) << 42) - 1), half = UINT64_C(1) << 41;
        if (rem > half || (rem == half && (m & 1u)))
            m++; /* a carry out of the mantissa correctly bumps the exponent */
        return (uint16_t)(sign | ((e << 10) + (uint32_t)m));
    }
}

FC_RT uint16_t fc_rt_float_to_half(float f)
{
    return fc_rt_double_to_half((double)f);
}

/* ---- scalar helpers ------------------------------------------------------------------ */

/* float -> int64 with x86 semantics for the undefined cases (see the file comment). */
FC_RT_HELPER int64_t fc_cv_f2i(double v)
{
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0)
        return (int64_t)v;
    return INT64_MIN;
}

FC_RT_HELPER uint64_t fc_cv_f2u(double v)
{
    if (v >= 0.0 && v < 18446744073709551616.0)
        return (uint64_t)v;
    return (uint64_t)fc_cv_f2i(v);
}

/* The lossless type a dtype converts through. */
FC_RT_HELPER int32_t fc_cv_wide(int32_t dt)
{
    switch (dt) {
    case FC_DT_F16: case FC_DT_F32: case FC_DT_F64: return FC_DT_F64;
    case FC_DT_U64: return FC_DT_U64;
    default: return FC_DT_I64;
    }
}

/* d[i] = EXPR(v) with v = s[i * st] read as type ST; DT the destination element type. */
#define FC_CV_LOOP(DT, ST, EXPR)                                                          \
    {                                                                                     \
        DT *d_ = (DT *)dst;                                                               \
        const ST *s_ = (const ST *)src;                                                   \
        for (i = 0; i < n; i++) {                                                         \
            const ST v = s_[i * st];                                                      \
            d_[i] = (DT)(EXPR);                                                           \
        }                                                                                 \
    }

/* n elements of dtype sdt (stride st) -> the wide type of sdt. */
FC_RT_HELPER void fc_cv_to_wide(void *dst, const void *src, int32_t sdt, int64_t n, int64_t st)
{
    int64_t i;
    switch (sdt) {
    case FC_DT_F32: FC_CV_LOOP(double, float, v) break;
    case FC_DT_F64: FC_CV_LOOP(double, double, v) break;
    case FC_DT_F16: FC_CV_LOOP(double, uint16_t, fc_rt_half_to_float(v)) break;
    case FC_DT_I8: FC_CV_LOOP(int64_t, int8_t, v) break;
    case FC_DT_U8: FC_CV_LOOP(int64_t, uint8_t, v) break;
    case FC_DT_BOOL: FC_CV_LOOP(int64_t, uint8_t, v != 0) break;
    case FC_DT_I16: FC_CV_LOOP(int64_t, int16_t, v) break;
    case FC_DT_U16: FC_CV_LOOP(int64_t, uint16_t, v) break;
    case FC_DT_I32: FC_CV_LOOP(int64_t, int32_t, v) break;
    case FC_DT_U32: FC_CV_LOOP(int64_t, uint32_t, v) break;
    case FC_DT_I64: FC_CV_LOOP(int64_t, int64_t, v) break;
    case FC_DT_U64: FC_CV_LOOP(uint64_t, uint64_t, v) break;
    default: memset(dst, 0, (size_t)n * sizeof(uint64_t)); break;
    }
}

/* n wide elements (type wt) -> dtype ddt. */
FC_RT_HELPER void fc_cv_from_wide(void *dst, int32_t ddt, const void *src, int32_t wt, int64_t n)
{
    const int64_t st = 1;
    int64_t i;
    if (wt == FC_DT_F64) {
        switch (ddt) {
        case FC_DT_F32: FC_CV_LOOP(float, double, v) break;
        case FC_DT_F64: FC_CV_LOOP(double, double, v) break;
        case FC_DT_F16: FC_CV_LOOP(uint16_t, double, fc_rt_double_to_half(v)) break;
        case FC_DT_I8: FC_CV_LOOP(int8_t, double, fc_cv_f2i(v)) break;
        case FC_DT_U8: FC_CV_LOOP(uint8_t, double, fc_cv_f2i(v)) break;
        case FC_DT_BOOL: FC_CV_LOOP(uint8_t, double, v != 0) break;
        case FC_DT_I16: FC_CV_LOOP(int16_t, double, fc_cv_f2i(v)) break;
        case FC_DT_U16: FC_CV_LOOP(uint16_t, double, fc_cv_f2i(v)) break;
        case FC_DT_I32: FC_CV_LOOP(int32_t, double, fc_cv_f2i(v)) break;
        case FC_DT_U32: FC_CV_LOOP(uint32_t, double, fc_cv_f2i(v)) break;
        case FC_DT_I64: FC_CV_LOOP(int64_t, double, fc_cv_f2i(v)) break;
        case FC_DT_U64: FC_CV_LOOP(uint64_t, double, fc_cv_f2u(v)) break;
        default: break;
        }
    } else if (wt == FC_DT_U64) {
        switch (ddt) {
        case FC_DT_F32: FC_CV_LOOP(float, uint64_t, v) break;
        case FC_DT_F64: FC_CV_LOOP(double, uint64_t, v) break;
        case FC_DT_F16: FC_CV_LOOP(uint16_t, uint64_t, fc_rt_double_to_half((double)v)) break;
        case FC_DT_I8: FC_CV_LOOP(int8_t, uint64_t, v) break;
        case FC_DT_U8: FC_CV_LOOP(uint8_t, uint64_t, v) break;
        case FC_DT_BOOL: FC_CV_LOOP(uint8_t, uint64_t, v != 0) break;
        case FC_DT_I16: FC_CV_LOOP(int16_t, uint64_t, v) break;
        case FC_DT_U16: FC_CV_LOOP(uint16_t, uint64_t, v) break;
        case FC_DT_I32: FC_CV_LOOP(int32_t, uint64_t, v) break;
        case FC_DT_U32: FC_CV_LOOP(uint32_t, uint64_t, v) break;
        case FC_DT_I64: FC_CV_LOOP(int64_t, uint64_t, v) break;
        case FC_DT_U64: FC_CV_LOOP(uint64_t, uint64_t, v) break;
        default: break;
        }
    } else {
        switch (ddt) {
        case FC_DT_F32: FC_CV_LOOP(float, int64_t, v) break;
        case FC_DT_F64: FC_CV_LOOP(double, int64_t, v) break;
        case FC_DT_F16: FC_CV_LOOP(uint16_t, int64_t, fc_rt_double_to_half((double)v)) break;
        case FC_DT_I8: FC_CV_LOOP(int8_t, int64_t, v) break;
        case FC_DT_U8: FC_CV_LOOP(uint8_t, int64_t, v) break;
        case FC_DT_BOOL: FC_CV_LOOP(uint8_t, int64_t, v != 0) break;
        case FC_DT_I16: FC_CV_LOOP(int16_t, int64_t, v) break;
        case FC_DT_U16: FC_CV_LOOP(uint16_t, int64_t, v) break;
        case FC_DT_I32: FC_CV_LOOP(int32_t, int64_t, v) break;
        case FC_DT_U32: FC_CV_LOOP(uint32_t, int64_t, v) break;
        case FC_DT_I64: FC_CV_LOOP(int64_t, int64_t, v) break;
        case FC_DT_U64: FC_CV_LOOP(uint64_t, int64_t, v) break;
        default: break;
        }
    }
}

/* Copies n elements of es bytes from s (element stride st) to d. */
FC_RT_HELPER void fc_cv_copy(void *dst, const void *src, size_t es, int64_t n, int64_t st)
{
    int64_t i;
    if (st == 1) {
        if (dst != src)
            memmove(dst, src, (size_t)n * es);
        return;
    }
    switch (es) {
    case 1: FC_CV_LOOP(uint8_t, uint8_t, v) break;
    case 2: FC_CV_LOOP(uint16_t, uint16_t, v) break;
    case 4: FC_CV_LOOP(uint32_t, uint32_t, v) break;
    case 8: FC_CV_LOOP(uint64_t, uint64_t, v) break;
    default:
        for (i = 0; i < n; i++)
            memcpy((unsigned char *)dst + (size_t)i * es,
                   (const unsigned char *)src + (size_t)(i * st) * es, es);
        break;
    }
}

/* A direct loop for one (destination, source) dtype pair. */
#define FC_CV_PAIR(DDT, DT, SDT, ST, EXPR)                                                \
    if (ddt == (DDT) && sdt == (SDT)) {                                                   \
        FC_CV_LOOP(DT, ST, EXPR)                                                          \
        return;                                                                           \
    }

/* Converts n elements of dtype sdt, read at src with element stride st (1: contiguous,
 * 0: one element repeated), to dtype ddt, written contiguously at dst. dst may equal src
 * when both dtypes have the same size and st == 1. */
FC_RT void fc_rt_convert(void *dst, int32_t ddt, const void *src, int32_t sdt, int64_t n,
                         int64_t st)
{
    size_t de = fc_rt_dtype_size(ddt), se = fc_rt_dtype_size(sdt);
    int32_t wt = fc_cv_wide(sdt);
    int64_t i, off;
    uint64_t buf[FC_CV_CHUNK];
    if (n <= 0 || de == 0 || se == 0)
        return;
    if (sdt == ddt) {
        fc_cv_copy(dst, src, se, n, st);
        return;
    }
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_F16, uint16_t, fc_rt_half_to_float(v))
    FC_CV_PAIR(FC_DT_F16, uint16_t, FC_DT_F32, float, fc_rt_float_to_half(v))
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_F64, double, v)
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_I64, int64_t, v)
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_I32, int32_t, v)
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_U8, uint8_t, v)
    FC_CV_PAIR(FC_DT_F32, float, FC_DT_BOOL, uint8_t, v != 0)
    FC_CV_PAIR(FC_DT_I64, int64_t, FC_DT_F32, float, fc_cv_f2i(v))
    FC_CV_PAIR(FC_DT_I32, int32_t, FC_DT_F32, float, fc_cv_f2i(v))
    FC_CV_PAIR(FC_DT_BOOL, uint8_t, FC_DT_F32, float, v != 0)
    FC_CV_PAIR(FC_DT_I64, int64_t, FC_DT_I32, int32_t, v)
    FC_CV_PAIR(FC_DT_I32, int32_t, FC_DT_I64, int64_t, v)
    if (wt == ddt) {
        fc_cv_to_wide(dst, src, sdt, n, st);
        return;
    }
    for (off = 0; off < n; off += FC_CV_CHUNK) {
        int64_t m = n - off < FC_CV_CHUNK ? n - off : FC_CV_CHUNK;
        fc_cv_to_wide(buf, (const unsigned char *)src + (size_t)(off * st) * se, sdt, m, st);
        fc_cv_from_wide((unsigned char *)dst + (size_t)off * de, ddt, buf, wt, m);
    }
}

/* Cast, CastLike: y = x converted to y's dtype (same shape). No parameters. */
FC_RT void fc_rt_cast(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    fc_rt_convert(y->data, y->dtype, x->data, x->dtype, fc_rt_numel(x), 1);
}
