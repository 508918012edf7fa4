/* k_unary.c — kernels of the unary elementwise ops (fc_rt_unary: Abs, Neg, Exp, ..., Gelu,
 * Not, IsNaN, IsInf, Shrink, BitwiseNot) and of Clip (fc_rt_clip).
 *
 * Each op computes in a "compute dtype" chosen by its prepare function: f32 (also for f16
 * data), f64, int64 (every signed integer and the narrow unsigned ones), uint64 or bool.
 * When the data already has the compute dtype the kernel runs one loop over the whole
 * tensor; otherwise it converts chunks to the compute dtype and back (fc_rt_convert). The
 * switch on the op sits outside the element loops: every (op, compute dtype) pair is its
 * own simple loop, stamped out by the FC_UN_* macros, which the C compiler can vectorize.
 */
/* fc-deps: k_cast.c, k_vmath.c */
#include "fc_rt.h"

/* Vectorized float32 transcendentals (k_vmath.c; accuracy documented and tested there). */
FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_verff(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vtanhf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vsigmoidf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vgeluf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n);

FC_RT void fc_rt_convert(void *dst, int32_t ddt, const void *src, int32_t sdt, int64_t n,
                         int64_t st);

/* Unary op codes (ia[0] of fc_rt_unary). ir/op_elementwise.c has the same list. */
enum {
    FC_UOP_ABS = 1, FC_UOP_NEG, FC_UOP_EXP, FC_UOP_LOG, FC_UOP_SQRT, FC_UOP_RECIPROCAL,
    FC_UOP_FLOOR, FC_UOP_CEIL, FC_UOP_ROUND, FC_UOP_SIGN, FC_UOP_SIN, FC_UOP_COS, FC_UOP_TAN,
    FC_UOP_ASIN, FC_UOP_ACOS, FC_UOP_ATAN, FC_UOP_SINH, FC_UOP_COSH, FC_UOP_ASINH,
    FC_UOP_ACOSH, FC_UOP_ATANH, FC_UOP_ERF, FC_UOP_RELU, FC_UOP_SIGMOID, FC_UOP_TANH,
    FC_UOP_SOFTPLUS, FC_UOP_SOFTSIGN, FC_UOP_LEAKY_RELU, FC_UOP_ELU, FC_UOP_SELU, FC_UOP_CELU,
    FC_UOP_HARD_SIGMOID, FC_UOP_HARD_SWISH, FC_UOP_THRESHOLDED_RELU, FC_UOP_MISH,
    FC_UOP_GELU, FC_UOP_GELU_TANH, FC_UOP_NOT, FC_UOP_IS_NAN, FC_UOP_IS_INF, FC_UOP_SHRINK,
    FC_UOP_BITWISE_NOT
};

#define FC_UN_CHUNK 256

/* The unary ops (bit c for code c) this file carries code for: the C emitter defines
 * FC_UN_OPS to the codes its graph's unary nodes use, so each switch's cases for the others
 * are constant-false and cc drops their loops (and the vector exp / erf / tanh / GELU they
 * call); elsewhere every op is there. */
#ifndef FC_UN_OPS
#define FC_UN_OPS 0xffffffffffffffffull
#endif
#define FC_UN_HAS(op) ((FC_UN_OPS >> (op)) & 1u)
#define FC_UN_CASE(op) case op: if (!FC_UN_HAS(op)) break;
#define FC_UN_SQRT1_2 0.70710678118654752440   /* 1 / sqrt(2) */
#define FC_UN_SQRT_2_PI 0.79788456080286535588 /* sqrt(2 / pi) */

#define FC_UN_BLOCK 32

/* Copies m < FC_UN_BLOCK elements of es bytes to dst and zero-fills dst up to FC_UN_BLOCK
 * elements (the input of a short tensor's only block). */
FC_RT_HELPER void fc_un_pad(void *dst, const void *src, int64_t m, size_t es)
{
    memcpy(dst, src, (size_t)m * es);
    memset((unsigned char *)dst + (size_t)m * es, 0, (size_t)(FC_UN_BLOCK - m) * es);
}

/* y[i] = EXPR(x) for i < n; px / py are the (void) input / output pointers.
 * FC_UN_LOOPV is the vectorizable form (float32 ops without math-library calls): as in
 * k_binary.c (FC_BL_SHAPE), elements go in blocks of FC_UN_BLOCK through one fixed-count
 * loop into a local array, which cannot alias y and which GCC vectorizes even at -O2; a
 * partial last block overlaps the previous one and stores only its new lanes, a tensor
 * shorter than one block reads a zero-padded copy. FC_UN_LOOP is a plain loop, for ops that
 * call libm (which do not vectorize) and for the other dtypes, to keep the generated C quick
 * to compile. y may equal x (in place). */
#define FC_UN_LOOPV(T, TO, EXPR)                                                          \
    {                                                                                     \
        const T *xs_ = (const T *)px;                                                     \
        TO *ys_ = (TO *)py;                                                               \
        T px_[FC_UN_BLOCK];                                                               \
        TO t_[FC_UN_BLOCK];                                                               \
        int64_t i0_, m_, off_;                                                            \
        for (i0_ = 0; i0_ < n; i0_ += FC_UN_BLOCK) {                                      \
            const T *bx_;                                                                 \
            m_ = n - i0_ < FC_UN_BLOCK ? n - i0_ : FC_UN_BLOCK;                           \
            off_ = m_ < FC_UN_BLOCK && n >= FC_UN_BLOCK ? FC_UN_BLOCK - m_ : 0;           \
            bx_ = xs_ + i0_ - off_;                                                       \
            if (n < FC_UN_BLOCK) {                                                        \
                fc_un_pad(px_, bx_, m_, sizeof(T));                                       \
                bx_ = px_;                                                                \
            }                                                                             \
            for (i = 0; i < FC_UN_BLOCK; i++) {                                           \
                const T x = bx_[i];                                                       \
                t_[i] = (TO)(EXPR);                                                       \
            }                                                                             \
            if (m_ == FC_UN_BLOCK)                                                        \
                memcpy(ys_ + i0_, t_, sizeof t_);                                         \
            else                                                                          \
                memcpy(ys_ + i0_, t_ + off_, (size_t)m_ * sizeof(TO));                    \
        }                                                                                 \
    }
#define FC_UN_LOOP(T, TO, EXPR)                                                           \
    {                                                                                     \
        const T *xs_ = (const T *)px;                                                     \
        TO *ys_ = (TO *)py;                                                               \
        for (i = 0; i < n; i++) {                                                         \
            const T x = xs_[i];                                                           \
            ys_[i] = (TO)(EXPR);                                                          \
        }                                                                                 \
    }

#define FC_UN_F32(name) name##f
#define FC_UN_F64(name) name

/* The float ops, for float type T with math functions FN(name); LV is the loop for ops that
 * vectorize, LP the one for the others. alpha / beta / gamma are the op's float parameters,
 * dpos / dneg IsInf's flags. */
#define FC_UN_FLOAT_OPS(T, FN, LV, LP)                                                    \
    FC_UN_CASE(FC_UOP_ABS) LV(T, T, FN(fabs)(x)) break;                                   \
    FC_UN_CASE(FC_UOP_NEG) LV(T, T, -x) break;                                            \
    FC_UN_CASE(FC_UOP_EXP) LP(T, T, FN(exp)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_LOG) LP(T, T, FN(log)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_SQRT) LP(T, T, FN(sqrt)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_RECIPROCAL) LV(T, T, (T)1 / x) break;                               \
    FC_UN_CASE(FC_UOP_FLOOR) LP(T, T, FN(floor)(x)) break;                                \
    FC_UN_CASE(FC_UOP_CEIL) LP(T, T, FN(ceil)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_ROUND) LP(T, T, FN(nearbyint)(x)) break;                            \
    FC_UN_CASE(FC_UOP_SIGN) LV(T, T, x > 0 ? (T)1 : (x < 0 ? (T)-1 : x)) break;           \
    FC_UN_CASE(FC_UOP_SIN) LP(T, T, FN(sin)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_COS) LP(T, T, FN(cos)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_TAN) LP(T, T, FN(tan)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_ASIN) LP(T, T, FN(asin)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_ACOS) LP(T, T, FN(acos)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_ATAN) LP(T, T, FN(atan)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_SINH) LP(T, T, FN(sinh)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_COSH) LP(T, T, FN(cosh)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_ASINH) LP(T, T, FN(asinh)(x)) break;                                \
    FC_UN_CASE(FC_UOP_ACOSH) LP(T, T, FN(acosh)(x)) break;                                \
    FC_UN_CASE(FC_UOP_ATANH) LP(T, T, FN(atanh)(x)) break;                                \
    FC_UN_CASE(FC_UOP_ERF) LP(T, T, FN(erf)(x)) break;                                    \
    FC_UN_CASE(FC_UOP_RELU) LV(T, T, x < 0 ? (T)0 : x) break;                             \
    FC_UN_CASE(FC_UOP_SIGMOID) LP(T, T, (T)1 / ((T)1 + FN(exp)(-x))) break;               \
    FC_UN_CASE(FC_UOP_TANH) LP(T, T, FN(tanh)(x)) break;                                  \
    FC_UN_CASE(FC_UOP_SOFTPLUS)                                                           \
        LP(T, T, (x > 0 ? x : (T)0) + FN(log1p)(FN(exp)(-FN(fabs)(x)))) break;            \
    FC_UN_CASE(FC_UOP_SOFTSIGN) LV(T, T, x / ((T)1 + FN(fabs)(x))) break;                 \
    FC_UN_CASE(FC_UOP_LEAKY_RELU) LV(T, T, x < 0 ? alpha * x : x) break;                  \
    FC_UN_CASE(FC_UOP_ELU) LP(T, T, x < 0 ? alpha * FN(expm1)(x) : x) break;              \
    FC_UN_CASE(FC_UOP_SELU) LP(T, T, x > 0 ? gamma * x : gamma * (alpha * FN(expm1)(x))) break; \
    FC_UN_CASE(FC_UOP_CELU) LP(T, T, x > 0 ? x : alpha * FN(expm1)(x / alpha)) break;     \
    FC_UN_CASE(FC_UOP_HARD_SIGMOID)                                                       \
        LV(T, T, alpha * x + beta < 0 ? (T)0                                              \
                 : (alpha * x + beta > 1 ? (T)1 : alpha * x + beta)) break;               \
    FC_UN_CASE(FC_UOP_HARD_SWISH)                                                         \
        LV(T, T, x * (alpha * x + beta < 0 ? (T)0                                         \
                      : (alpha * x + beta > 1 ? (T)1 : alpha * x + beta))) break;         \
    FC_UN_CASE(FC_UOP_THRESHOLDED_RELU) LV(T, T, x > alpha ? x : (T)0) break;             \
    FC_UN_CASE(FC_UOP_MISH)                                                               \
        LP(T, T, x * FN(tanh)((x > 0 ? x : (T)0) + FN(log1p)(FN(exp)(-FN(fabs)(x))))) break; \
    FC_UN_CASE(FC_UOP_GELU)                                                               \
        LP(T, T, (T)0.5 * x * ((T)1 + FN(erf)(x * (T)FC_UN_SQRT1_2))) break;              \
    FC_UN_CASE(FC_UOP_GELU_TANH)                                                          \
        LP(T, T, (T)0.5 * x * ((T)1 + FN(tanh)((T)FC_UN_SQRT_2_PI *                       \
                                    (x + (T)0.044715 * x * x * x)))) break;               \
    FC_UN_CASE(FC_UOP_SHRINK)                                                             \
        LV(T, T, x < -beta ? x + alpha : (x > beta ? x - alpha : (T)0)) break;            \
    FC_UN_CASE(FC_UOP_IS_NAN) LV(T, uint8_t, x != x) break;                               \
    FC_UN_CASE(FC_UOP_IS_INF)                                                             \
        LV(T, uint8_t, (dpos && x == (T)INFINITY) || (dneg && x == -(T)INFINITY)) break;  \
    default: break;

/* ia / fa of fc_rt_unary (see there). */
FC_RT_HELPER void fc_un_f32(const FcRtNode *nd, int64_t n, const void *px, void *py)
{
    const float alpha = nd->nfa > 0 ? nd->fa[0] : 0.0f, beta = nd->nfa > 1 ? nd->fa[1] : 0.0f;
    const float gamma = beta;
    const int dpos = nd->nia > 2 && nd->ia[2] != 0, dneg = nd->nia > 3 && nd->ia[3] != 0;
    int64_t i;
    switch (nd->ia[0]) { /* the transcendentals models spend time in: vectorized versions */
    FC_UN_CASE(FC_UOP_EXP) fc_rt_vexpf((const float *)px, (float *)py, n); return;
    FC_UN_CASE(FC_UOP_ERF) fc_rt_verff((const float *)px, (float *)py, n); return;
    FC_UN_CASE(FC_UOP_TANH) fc_rt_vtanhf((const float *)px, (float *)py, n); return;
    FC_UN_CASE(FC_UOP_SIGMOID) fc_rt_vsigmoidf((const float *)px, (float *)py, n); return;
    FC_UN_CASE(FC_UOP_GELU) fc_rt_vgeluf((const float *)px, (float *)py, n); return;
    FC_UN_CASE(FC_UOP_GELU_TANH) fc_rt_vgelu_tanhf((const float *)px, (float *)py, n); return;
    default: break;
    }
    switch (nd->ia[0]) { FC_UN_FLOAT_OPS(float, FC_UN_F32, FC_UN_LOOPV, FC_UN_LOOP) }
}

FC_RT_HELPER void fc_un_f64(const FcRtNode *nd, int64_t n, const void *px, void *py)
{
    const double alpha = nd->nfa > 0 ? nd->fa[0] : 0.0, beta = nd->nfa > 1 ? nd->fa[1] : 0.0;
    const double gamma = beta;
    const int dpos = nd->nia > 2 && nd->ia[2] != 0, dneg = nd->nia > 3 && nd->ia[3] != 0;
    int64_t i;
    switch (nd->ia[0]) { FC_UN_FLOAT_OPS(double, FC_UN_F64, FC_UN_LOOP, FC_UN_LOOP) }
}

FC_RT_HELPER void fc_un_i64(const FcRtNode *nd, int64_t n, const void *px, void *py)
{
    int64_t i;
    switch (nd->ia[0]) {
    FC_UN_CASE(FC_UOP_ABS)
        FC_UN_LOOP(int64_t, int64_t, x < 0 ? (int64_t)(0 - (uint64_t)x) : x);
        break;
    FC_UN_CASE(FC_UOP_NEG) FC_UN_LOOP(int64_t, int64_t, (int64_t)(0 - (uint64_t)x)) break;
    FC_UN_CASE(FC_UOP_SIGN) FC_UN_LOOP(int64_t, int64_t, (x > 0) - (x < 0)) break;
    FC_UN_CASE(FC_UOP_RELU) FC_UN_LOOP(int64_t, int64_t, x < 0 ? 0 : x) break;
    FC_UN_CASE(FC_UOP_BITWISE_NOT) FC_UN_LOOP(int64_t, int64_t, ~x) break;
    default: break;
    }
}

FC_RT_HELPER void fc_un_u64(const FcRtNode *nd, int64_t n, const void *px, void *py)
{
    int64_t i;
    switch (nd->ia[0]) {
    case FC_UOP_ABS: case FC_UOP_RELU:
        if (FC_UN_HAS(FC_UOP_ABS) || FC_UN_HAS(FC_UOP_RELU))
            FC_UN_LOOP(uint64_t, uint64_t, x);
        break;
    FC_UN_CASE(FC_UOP_NEG) FC_UN_LOOP(uint64_t, uint64_t, 0 - x) break;
    FC_UN_CASE(FC_UOP_SIGN) FC_UN_LOOP(uint64_t, uint64_t, x != 0) break;
    FC_UN_CASE(FC_UOP_BITWISE_NOT) FC_UN_LOOP(uint64_t, uint64_t, ~x) break;
    default: break;
    }
}

FC_RT_HELPER void fc_un_bool(const FcRtNode *nd, int64_t n, const void *px, void *py)
{
    int64_t i;
    if (nd->ia[0] == FC_UOP_NOT)
        FC_UN_LOOP(uint8_t, uint8_t, x == 0)
}

FC_RT_HELPER void fc_un_run(const FcRtNode *nd, int32_t ct, int64_t n, const void *px, void *py)
{
    switch (ct) {
    case FC_DT_F32: fc_un_f32(nd, n, px, py); break;
    case FC_DT_F64: fc_un_f64(nd, n, px, py); break;
    case FC_DT_I64: fc_un_i64(nd, n, px, py); break;
    case FC_DT_U64: fc_un_u64(nd, n, px, py); break;
    case FC_DT_BOOL: fc_un_bool(nd, n, px, py); break;
    default: break;
    }
}

/* Unary ops: y = f(x), same shape.
 * ia[0] = op code (FC_UOP_*), ia[1] = compute dtype (FC_DT_F32 / F64 / I64 / U64 / BOOL),
 * ia[2], ia[3] = IsInf's detect_positive, detect_negative.
 * fa[0] = alpha (LeakyRelu, Elu, Selu, Celu, HardSigmoid, HardSwish (1/6),
 *         ThresholdedRelu) or bias (Shrink);
 * fa[1] = beta (HardSigmoid, HardSwish (0.5)), gamma (Selu) or lambd (Shrink).
 * The output dtype is the input's (bool for IsNaN / IsInf). */
FC_RT void fc_rt_unary(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int32_t op = (int32_t)n->ia[0], ct = (int32_t)n->ia[1];
    int32_t oct = (op == FC_UOP_IS_NAN || op == FC_UOP_IS_INF) ? FC_DT_BOOL : ct;
    int64_t total = fc_rt_numel(x), off;
    size_t xe = fc_rt_dtype_size(x->dtype), ye = fc_rt_dtype_size(y->dtype);
    uint64_t bx[FC_UN_CHUNK], by[FC_UN_CHUNK];
    if (x->dtype == ct && y->dtype == oct) {
        fc_un_run(n, ct, total, x->data, y->data);
        return;
    }
    for (off = 0; off < total; off += FC_UN_CHUNK) {
        int64_t m = total - off < FC_UN_CHUNK ? total - off : FC_UN_CHUNK;
        const void *px = (const unsigned char *)x->data + (size_t)off * xe;
        void *py = (unsigned char *)y->data + (size_t)off * ye;
        if (x->dtype != ct) {
            fc_rt_convert(bx, ct, px, x->dtype, m, 1);
            px = bx;
        }
        fc_un_run(n, ct, m, px, y->dtype == oct ? py : (void *)by);
        if (y->dtype != oct)
            fc_rt_convert(py, y->dtype, by, oct, m, 1);
    }
}

/* Clip: y = min(max(x, lo), hi) (so lo > hi gives hi everywhere; NaN stays NaN).
 * ia[0] = compute dtype (F32 / F64 / I64 / U64);
 * ia[1] = 1: the bounds are fa[0] (min) and fa[1] (max) (attributes, opset < 11);
 *         0: the bounds are the optional scalar inputs 1 (min) and 2 (max), read at run time
 *            (absent or empty: no bound). */
#define FC_CLIP_LOOP(T, LO, HI)                                                           \
    {                                                                                     \
        const T lo_ = (LO), hi_ = (HI);                                                   \
        const T *xs_ = (const T *)px;                                                     \
        T *ys_ = (T *)py;                                                                 \
        for (i = 0; i < m; i++) {                                                         \
            const T v_ = xs_[i] < lo_ ? lo_ : xs_[i];                                     \
            ys_[i] = v_ > hi_ ? hi_ : v_;                                                 \
        }                                                                                 \
    }

typedef union FcClipVal {
    float f;
    double d;
    int64_t i;
    uint64_t u;
} FcClipVal;

/* Reads the bound of input k (1: min, 2: max) in compute dtype ct; returns 0 if absent. */
FC_RT_HELPER int fc_clip_bound(const FcRtNode *n, FcRtTensor *t, int k, int32_t ct,
                               FcClipVal *v)
{
    const FcRtTensor *b;
    if (n->nia > 1 && n->ia[1]) {
        if (n->nfa <= k - 1)
            return 0;
        if (ct == FC_DT_F64)
            v->d = n->fa[k - 1];
        else
            v->f = n->fa[k - 1];
        return 1;
    }
    b = fc_rt_opt_in(n, t, k);
    if (!b || fc_rt_numel(b) < 1)
        return 0;
    fc_rt_convert(v, ct, b->data, b->dtype, 1, 0);
    return 1;
}

FC_RT void fc_rt_clip(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int32_t ct = (int32_t)n->ia[0];
    FcClipVal lo, hi;
    int has_lo = fc_clip_bound(n, t, 1, ct, &lo), has_hi = fc_clip_bound(n, t, 2, ct, &hi);
    int64_t total = fc_rt_numel(x), off, i;
    size_t xe = fc_rt_dtype_size(x->dtype), ye = fc_rt_dtype_size(y->dtype);
    int native = x->dtype == ct && y->dtype == ct;
    int64_t chunk = native ? total : FC_UN_CHUNK;
    uint64_t bx[FC_UN_CHUNK];
    for (off = 0; off < total; off += chunk) {
        int64_t m = total - off < chunk ? total - off : chunk;
        const void *px = (const unsigned char *)x->data + (size_t)off * xe;
        void *py = native ? (void *)((unsigned char *)y->data + (size_t)off * ye) : (void *)bx;
        if (!native) {
            fc_rt_convert(bx, ct, px, x->dtype, m, 1);
            px = bx;
        }
        switch (ct) {
        case FC_DT_F32: { /* blocked like FC_UN_LOOPV so that GCC vectorizes it at -O2 */
            const float flo = has_lo ? lo.f : -INFINITY, fhi = has_hi ? hi.f : INFINITY;
            const int64_t nfull = m - m % FC_UN_BLOCK;
            const float *xs = (const float *)px;
            float *ys = (float *)py;
            int64_t i0;
            for (i0 = 0; i0 < nfull; i0 += FC_UN_BLOCK) {
                float tb[FC_UN_BLOCK];
                for (i = 0; i < FC_UN_BLOCK; i++) {
                    const float v = xs[i0 + i] < flo ? flo : xs[i0 + i];
                    tb[i] = v > fhi ? fhi : v;
                }
                memcpy(ys + i0, tb, sizeof tb);
            }
            px = xs + nfull;
            py = ys + nfull;
            m -= nfull;
            FC_CLIP_LOOP(float, flo, fhi)
            break;
        }
        case FC_DT_F64:
            FC_CLIP_LOOP(double, has_lo ? lo.d : -(double)INFINITY,
                         has_hi ? hi.d : (double)INFINITY)
            break;
        case FC_DT_I64:
            FC_CLIP_LOOP(int64_t, has_lo ? lo.i : INT64_MIN, has_hi ? hi.i : INT64_MAX)
            break;
        case FC_DT_U64:
            FC_CLIP_LOOP(uint64_t, has_lo ? lo.u : 0, has_hi ? hi.u : UINT64_MAX)
            break;
        default: break;
        }
        if (!native)
            fc_rt_convert((unsigned char *)y->data + (size_t)off * ye, y->dtype, bx, ct, m, 1);
    }
}
