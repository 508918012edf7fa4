/* k_binary.c — kernels of the broadcasting elementwise ops: the binary ops (fc_rt_binary:
 * Add Sub Mul Div Pow Mod, comparisons, logic, bit ops, PRelu), the variadic ones
 * (fc_rt_variadic: Max Min Sum Mean) and Where (fc_rt_where).
 *
 * Broadcasting: the operands' numpy-broadcast strides against the output shape are computed,
 * output axes of size 1 are dropped and adjacent axes that are contiguous for every operand
 * are merged (FcBinIter). After merging, the innermost axis has stride 1 or 0 in each operand
 * (never 0 in all), so each inner run is a vector-vector, vector-scalar or scalar-vector
 * loop. Same-shape operands become one run; a scalar operand one run; a bias [C] on [N, C] or
 * a per-channel [C, 1, 1] on [N, C, H, W] become N (resp. N*C) runs. float32 rows shorter
 * than one loop block are first gathered, several rows at a time, into contiguous buffers.
 *
 * Arithmetic happens in a "compute dtype" chosen by prepare: f32 (also for f16 data), f64,
 * int64 (every signed and the narrow unsigned integers), uint64 or bool. float32 operands run
 * directly in all three loop shapes, in blocked loops GCC vectorizes even at -O2 (see
 * FC_BL_SHAPE); other dtypes run plain vector-vector loops over chunks, converted
 * (fc_rt_convert) or broadcast into stack buffers when they are not already contiguous in
 * the compute dtype. The op switch is outside every element loop.
 *
 * Integer semantics: wrap-around; Div truncates toward zero; x / 0 and x % 0 give 0
 * (INT_MIN / -1 wraps) so no input traps; Mod with fmod=0 takes the divisor's sign
 * (Python), with fmod=1 the dividend's (C); shifts by >= 64 bits give 0; integer Pow with a
 * negative exponent gives 1 / x^-e truncated. Max / Min propagate NaN.
 */
/* fc-deps: k_cast.c */
#include "fc_rt.h"

FC_RT void fc_rt_convert(void *dst, int32_t ddt, const void *src, int32_t sdt, int64_t n,
                         int64_t st);

/* Binary op codes (ia[0] of fc_rt_binary / fc_rt_variadic). ir/op_elementwise.c has the
 * same list. */
enum {
    FC_BOP_ADD = 1, FC_BOP_SUB, FC_BOP_MUL, FC_BOP_DIV, FC_BOP_POW, FC_BOP_FMOD, FC_BOP_PYMOD,
    FC_BOP_EQ, FC_BOP_LT, FC_BOP_GT, FC_BOP_LE, FC_BOP_GE, FC_BOP_AND, FC_BOP_OR, FC_BOP_XOR,
    FC_BOP_SHL, FC_BOP_SHR, FC_BOP_BAND, FC_BOP_BOR, FC_BOP_BXOR, FC_BOP_PRELU, FC_BOP_MAX,
    FC_BOP_MIN
};

#define FC_BIN_CHUNK 256

/* The binary ops (bit c for code c) this file carries code for: the C emitter defines
 * FC_BIN_OPS to the codes its graph's binary and variadic nodes use, so each switch's cases
 * for the others are constant-false and cc drops their loops (the float path alone has a
 * vector, a vector-scalar and a scalar-vector loop per op); elsewhere every op is there. */
#ifndef FC_BIN_OPS
#define FC_BIN_OPS 0xffffffffu
#endif
/* Div is always there: Mean (fc_rt_variadic) divides by the count with it */
#define FC_BIN_HAS(op) (((FC_BIN_OPS | 1u << FC_BOP_DIV) >> (op)) & 1)
#define FC_BIN_CASE(op) case op: if (!FC_BIN_HAS(op)) break;


/* ---- scalar helpers ------------------------------------------------------------------- */

FC_RT_HELPER float fc_bin_pymodf(float a, float b)
{
    float r = fmodf(a, b);
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

FC_RT_HELPER double fc_bin_pymodd(double a, double b)
{
    double r = fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

FC_RT_HELPER int64_t fc_bin_pymodi(int64_t a, int64_t b)
{
    int64_t r;
    if (b == 0 || b == -1)
        return 0;
    r = a % b;
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return r;
}

FC_RT_HELPER int64_t fc_bin_ipow(int64_t a, int64_t e)
{
    uint64_t r = 1, x = (uint64_t)a;
    if (e < 0)
        return a == 1 ? 1 : (a == -1 ? ((e & 1) ? -1 : 1) : 0);
    while (e) {
        if (e & 1)
            r *= x;
        x *= x;
        e >>= 1;
    }
    return (int64_t)r;
}

FC_RT_HELPER uint64_t fc_bin_upow(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    while (e) {
        if (e & 1)
            r *= a;
        a *= a;
        e >>= 1;
    }
    return r;
}

/* ---- typed loops -------------------------------------------------------------------------- */

#define FC_BIN_BLOCK 32

/* Copies m < FC_BIN_BLOCK elements of es bytes to dst and zero-fills dst up to
 * FC_BIN_BLOCK elements (the input of a short row's only block). */
FC_RT_HELPER void fc_bin_pad(void *dst, const void *src, int64_t m, size_t es)
{
    memcpy(dst, src, (size_t)m * es);
    memset((unsigned char *)dst + (size_t)m * es, 0, (size_t)(FC_BIN_BLOCK - m) * es);
}

/* Vectorizable loops (float32): y[i] = EXPR(a, b) with a = pa[i] or pa[0] (SA = 1 or 0),
 * b = pb[i] or pb[0] (SB), T the operand type, TO the output element type. Elements go in
 * blocks of FC_BIN_BLOCK through one fixed-count loop that writes a local array, then the
 * block is copied to y. That loop cannot alias y and has no epilogue, so GCC vectorizes it
 * even at -O2 (whose "very-cheap" cost model rejects loops needing alias checks or a scalar
 * tail), and it is the op's only loop at every -O level. A partial last block is computed
 * over the last FC_BIN_BLOCK elements and only its new lanes are stored (those read inputs
 * not yet overwritten, so y may equal pa / pb: in place); a row shorter than one block
 * reads zero-padded copies. */
#define FC_BL_SHAPE(T, TO, EXPR, SA, SB)                                                  \
    {                                                                                     \
        const T *xa_ = (const T *)pa, *xb_ = (const T *)pb;                               \
        TO *yo_ = (TO *)py;                                                               \
        T pa_[FC_BIN_BLOCK], pb_[FC_BIN_BLOCK];                                           \
        TO t_[FC_BIN_BLOCK];                                                              \
        int64_t i0_, m_, off_;                                                            \
        for (i0_ = 0; i0_ < n; i0_ += FC_BIN_BLOCK) {                                     \
            const T *ba_, *bb_;                                                           \
            m_ = n - i0_ < FC_BIN_BLOCK ? n - i0_ : FC_BIN_BLOCK;                         \
            off_ = m_ < FC_BIN_BLOCK && n >= FC_BIN_BLOCK ? FC_BIN_BLOCK - m_ : 0;        \
            ba_ = xa_ + (i0_ - off_) * (SA);                                              \
            bb_ = xb_ + (i0_ - off_) * (SB);                                              \
            if (n < FC_BIN_BLOCK && (SA)) {                                               \
                fc_bin_pad(pa_, ba_, m_, sizeof(T));                                      \
                ba_ = pa_;                                                                \
            }                                                                             \
            if (n < FC_BIN_BLOCK && (SB)) {                                               \
                fc_bin_pad(pb_, bb_, m_, sizeof(T));                                      \
                bb_ = pb_;                                                                \
            }                                                                             \
            for (i = 0; i < FC_BIN_BLOCK; i++) {                                          \
                const T a = ba_[i * (SA)], b = bb_[i * (SB)];                             \
                (void)a;                                                                  \
                (void)b;                                                                  \
                t_[i] = (TO)(EXPR);                                                       \
            }                                                                             \
            if (m_ == FC_BIN_BLOCK)                                                       \
                memcpy(yo_ + i0_, t_, sizeof t_);                                         \
            else                                                                          \
                memcpy(yo_ + i0_, t_ + off_, (size_t)m_ * sizeof(TO));                    \
        }                                                                                 \
    }
#define FC_BL_VV(T, TO, EXPR) FC_BL_SHAPE(T, TO, EXPR, 1, 1)
#define FC_BL_VS(T, TO, EXPR) FC_BL_SHAPE(T, TO, EXPR, 1, 0)
#define FC_BL_SV(T, TO, EXPR) FC_BL_SHAPE(T, TO, EXPR, 0, 1)

/* Plain vector-vector loop: ops that call functions (pow, fmod) and the other dtypes, which
 * are rare on hot paths; keeping them scalar keeps the generated C quick to compile. */
#define FC_BP_VV(T, TO, EXPR)                                                             \
    {                                                                                     \
        const T *xa_ = (const T *)pa, *xb_ = (const T *)pb;                               \
        TO *yo_ = (TO *)py;                                                               \
        for (i = 0; i < n; i++) {                                                         \
            const T a = xa_[i], b = xb_[i];                                               \
            (void)a;                                                                      \
            (void)b;                                                                      \
            yo_[i] = (TO)(EXPR);                                                          \
        }                                                                                 \
    }

/* Float ops that vectorize, in loop shape L. */
#define FC_BIN_FLOAT_VEC_OPS(L, T)                                                        \
    FC_BIN_CASE(FC_BOP_ADD) L(T, T, a + b) break;                                         \
    FC_BIN_CASE(FC_BOP_SUB) L(T, T, a - b) break;                                         \
    FC_BIN_CASE(FC_BOP_MUL) L(T, T, a * b) break;                                         \
    FC_BIN_CASE(FC_BOP_DIV) L(T, T, a / b) break;                                         \
    FC_BIN_CASE(FC_BOP_EQ) L(T, uint8_t, a == b) break;                                   \
    FC_BIN_CASE(FC_BOP_LT) L(T, uint8_t, a < b) break;                                    \
    FC_BIN_CASE(FC_BOP_GT) L(T, uint8_t, a > b) break;                                    \
    FC_BIN_CASE(FC_BOP_LE) L(T, uint8_t, a <= b) break;                                   \
    FC_BIN_CASE(FC_BOP_GE) L(T, uint8_t, a >= b) break;                                   \
    FC_BIN_CASE(FC_BOP_PRELU) L(T, T, a < 0 ? a * b : a) break;                           \
    FC_BIN_CASE(FC_BOP_MAX) L(T, T, ((a > b) | (a != a)) ? a : b) break;                  \
    FC_BIN_CASE(FC_BOP_MIN) L(T, T, ((a < b) | (a != a)) ? a : b) break;

/* Float ops calling math functions FN(name) / the Python modulo PYMOD: plain loops. */
#define FC_BIN_FLOAT_CALL_OPS(T, FN, PYMOD)                                               \
    FC_BIN_CASE(FC_BOP_POW) FC_BP_VV(T, T, FN(pow)(a, b)) break;                          \
    FC_BIN_CASE(FC_BOP_FMOD) FC_BP_VV(T, T, FN(fmod)(a, b)) break;                        \
    FC_BIN_CASE(FC_BOP_PYMOD) FC_BP_VV(T, T, PYMOD(a, b)) break;

/* int64 ops (also the narrower integers, converted). */
#define FC_BIN_I64_OPS(L, T, UT)                                                          \
    FC_BIN_CASE(FC_BOP_ADD) L(T, T, (UT)a + (UT)b) break;                                 \
    FC_BIN_CASE(FC_BOP_SUB) L(T, T, (UT)a - (UT)b) break;                                 \
    FC_BIN_CASE(FC_BOP_MUL) L(T, T, (UT)a * (UT)b) break;                                 \
    FC_BIN_CASE(FC_BOP_DIV)                                                               \
        L(T, T, b == 0 ? 0 : (b == -1 ? (T)(0 - (UT)a) : a / b)) break;                   \
    FC_BIN_CASE(FC_BOP_POW) L(T, T, fc_bin_ipow(a, b)) break;                             \
    FC_BIN_CASE(FC_BOP_FMOD) L(T, T, (b == 0 || b == -1) ? 0 : a % b) break;              \
    FC_BIN_CASE(FC_BOP_PYMOD) L(T, T, fc_bin_pymodi(a, b)) break;                         \
    FC_BIN_CASE(FC_BOP_EQ) L(T, uint8_t, a == b) break;                                   \
    FC_BIN_CASE(FC_BOP_LT) L(T, uint8_t, a < b) break;                                    \
    FC_BIN_CASE(FC_BOP_GT) L(T, uint8_t, a > b) break;                                    \
    FC_BIN_CASE(FC_BOP_LE) L(T, uint8_t, a <= b) break;                                   \
    FC_BIN_CASE(FC_BOP_GE) L(T, uint8_t, a >= b) break;                                   \
    FC_BIN_CASE(FC_BOP_BAND) L(T, T, a & b) break;                                        \
    FC_BIN_CASE(FC_BOP_BOR) L(T, T, a | b) break;                                         \
    FC_BIN_CASE(FC_BOP_BXOR) L(T, T, a ^ b) break;                                        \
    FC_BIN_CASE(FC_BOP_PRELU) L(T, T, a < 0 ? (T)((UT)a * (UT)b) : a) break;              \
    FC_BIN_CASE(FC_BOP_MAX) L(T, T, a > b ? a : b) break;                                 \
    FC_BIN_CASE(FC_BOP_MIN) L(T, T, a < b ? a : b) break;

/* uint64 ops whose result differs from the int64 op on the same bits (the others, e.g.
 * Add or BitwiseAnd, run the int64 loop). */
#define FC_BIN_U64_OPS(L, T)                                                              \
    FC_BIN_CASE(FC_BOP_DIV) L(T, T, b == 0 ? 0 : a / b) break;                            \
    FC_BIN_CASE(FC_BOP_POW) L(T, T, fc_bin_upow(a, b)) break;                             \
    case FC_BOP_FMOD: case FC_BOP_PYMOD:                                                  \
        if (FC_BIN_HAS(FC_BOP_FMOD) || FC_BIN_HAS(FC_BOP_PYMOD))                          \
            L(T, T, b == 0 ? 0 : a % b) break;                                            \
    FC_BIN_CASE(FC_BOP_LT) L(T, uint8_t, a < b) break;                                    \
    FC_BIN_CASE(FC_BOP_GT) L(T, uint8_t, a > b) break;                                    \
    FC_BIN_CASE(FC_BOP_LE) L(T, uint8_t, a <= b) break;                                   \
    FC_BIN_CASE(FC_BOP_GE) L(T, uint8_t, a >= b) break;                                   \
    FC_BIN_CASE(FC_BOP_SHL) L(T, T, b >= 64 ? 0 : a << b) break;                          \
    FC_BIN_CASE(FC_BOP_SHR) L(T, T, b >= 64 ? 0 : a >> b) break;                          \
    FC_BIN_CASE(FC_BOP_PRELU) L(T, T, a) break;                                           \
    FC_BIN_CASE(FC_BOP_MAX) L(T, T, a > b ? a : b) break;                                 \
    FC_BIN_CASE(FC_BOP_MIN) L(T, T, a < b ? a : b) break;

#define FC_BIN_FN32(name) name##f
#define FC_BIN_FN64(name) name

FC_RT_HELPER void fc_bin_f32(int op, int64_t n, const void *pa, int64_t sa, const void *pb,
                             int64_t sb, void *py);

FC_RT_HELPER int fc_bin_is_cmp(int op)
{
    return op == FC_BOP_EQ || op == FC_BOP_LT || op == FC_BOP_GT || op == FC_BOP_LE ||
           op == FC_BOP_GE || op == FC_BOP_AND || op == FC_BOP_OR || op == FC_BOP_XOR;
}

/* float32 ops without a vector-scalar loop (pow, fmod) with a scalar operand: the scalar is
 * broadcast into a buffer, chunk by chunk. */
FC_RT_HELPER void fc_bin_f32_bcast(int op, int64_t n, const float *pa, int64_t sa,
                                   const float *pb, int64_t sb, float *py)
{
    float buf[FC_BIN_BLOCK * 8];
    int64_t off, i, m;
    (void)sb; /* sb == 0 exactly when sa == 1 */
    for (off = 0; off < n; off += m) {
        m = n - off < FC_BIN_BLOCK * 8 ? n - off : FC_BIN_BLOCK * 8;
        for (i = 0; i < m; i++)
            buf[i] = sa ? pb[0] : pa[0];
        if (sa)
            fc_bin_f32(op, m, pa + off, 1, buf, 1, py + off);
        else
            fc_bin_f32(op, m, buf, 1, pb + off, 1, py + off);
    }
}

/* float32 in all three shapes: sa / sb are the operands' strides (1 or 0, not both 0). */
FC_RT_HELPER void fc_bin_f32(int op, int64_t n, const void *pa, int64_t sa, const void *pb,
                             int64_t sb, void *py)
{
    int64_t i;
    if (!sa && !sb) {
        /* Both operands broadcast along the run: y is larger than their broadcast shape, as
         * in Max/Min/Sum/Mean whose first two inputs are smaller than a later one. One
         * result, repeated (bool for comparisons, else float). */
        float one[FC_BIN_BLOCK];
        size_t es = fc_bin_is_cmp(op) ? 1 : sizeof(float);
        fc_bin_f32(op, 1, pa, 1, pb, 1, one);
        for (i = 0; i < n; i++)
            memcpy((unsigned char *)py + (size_t)i * es, one, es);
        return;
    }
    if (sa && sb) {
        switch (op) {
        FC_BIN_FLOAT_VEC_OPS(FC_BL_VV, float)
        FC_BIN_FLOAT_CALL_OPS(float, FC_BIN_FN32, fc_bin_pymodf)
        default: break;
        }
        return;
    }
    if (op == FC_BOP_POW && sa && (*(const float *)pb == 2.0f || *(const float *)pb == 1.0f)) {
        if (*(const float *)pb == 2.0f) /* x^2, as in LayerNorm's variance */
            FC_BL_VS(float, float, a * a)
        else
            FC_BL_VS(float, float, a)
        return;
    }
    if (sa) {
        switch (op) {
        FC_BIN_FLOAT_VEC_OPS(FC_BL_VS, float)
        default: fc_bin_f32_bcast(op, n, (const float *)pa, sa, (const float *)pb, sb,
                                  (float *)py);
        }
    } else {
        switch (op) {
        FC_BIN_FLOAT_VEC_OPS(FC_BL_SV, float)
        default: fc_bin_f32_bcast(op, n, (const float *)pa, sa, (const float *)pb, sb,
                                  (float *)py);
        }
    }
}

/* Vector-vector loop of n elements in compute dtype ct. */
FC_RT_HELPER void fc_bin_vv(int op, int32_t ct, int64_t n, const void *pa, const void *pb,
                            void *py)
{
    int64_t i;
    switch (ct) {
    case FC_DT_F32:
        fc_bin_f32(op, n, pa, 1, pb, 1, py);
        break;
    case FC_DT_F64:
        switch (op) {
        FC_BIN_FLOAT_VEC_OPS(FC_BP_VV, double)
        FC_BIN_FLOAT_CALL_OPS(double, FC_BIN_FN64, fc_bin_pymodd)
        default: break;
        }
        break;
    case FC_DT_I64:
        switch (op) {
        FC_BIN_I64_OPS(FC_BP_VV, int64_t, uint64_t)
        default: break;
        }
        break;
    case FC_DT_U64:
        switch (op) {
        FC_BIN_U64_OPS(FC_BP_VV, uint64_t)
        default: fc_bin_vv(op, FC_DT_I64, n, pa, pb, py); break;
        }
        break;
    case FC_DT_BOOL:
        switch (op) {
        FC_BIN_CASE(FC_BOP_EQ) FC_BP_VV(uint8_t, uint8_t, (a != 0) == (b != 0)) break;
        FC_BIN_CASE(FC_BOP_AND) FC_BP_VV(uint8_t, uint8_t, (a != 0) & (b != 0)) break;
        FC_BIN_CASE(FC_BOP_OR) FC_BP_VV(uint8_t, uint8_t, (a != 0) | (b != 0)) break;
        FC_BIN_CASE(FC_BOP_XOR) FC_BP_VV(uint8_t, uint8_t, (a != 0) ^ (b != 0)) break;
        default: break;
        }
        break;
    default:
        break;
    }
}

/* One inner run of n output elements: operand a at pa (dtype dta, stride sa in elements),
 * b likewise, output py (dtype dty, contiguous). */
FC_RT_HELPER void fc_bin_run(int op, int32_t ct, int64_t n, const unsigned char *pa,
                             int32_t dta, int64_t sa, const unsigned char *pb, int32_t dtb,
                             int64_t sb, unsigned char *py, int32_t dty)
{
    int32_t oct = fc_bin_is_cmp(op) ? FC_DT_BOOL : ct;
    size_t ae = fc_rt_dtype_size(dta), be = fc_rt_dtype_size(dtb), ye = fc_rt_dtype_size(dty);
    uint64_t ba[FC_BIN_CHUNK], bb[FC_BIN_CHUNK], by[FC_BIN_CHUNK];
    int64_t off;
    if (ct == FC_DT_F32 && dta == FC_DT_F32 && dtb == FC_DT_F32 && dty == oct) {
        fc_bin_f32(op, n, pa, sa, pb, sb, py);
        return;
    }
    for (off = 0; off < n; off += FC_BIN_CHUNK) {
        int64_t m = n - off < FC_BIN_CHUNK ? n - off : FC_BIN_CHUNK;
        const void *xa = pa + (size_t)(off * sa) * ae, *xb = pb + (size_t)(off * sb) * be;
        void *xy = py + (size_t)off * ye;
        if (dta != ct || sa != 1) {
            fc_rt_convert(ba, ct, xa, dta, m, sa);
            xa = ba;
        }
        if (dtb != ct || sb != 1) {
            fc_rt_convert(bb, ct, xb, dtb, m, sb);
            xb = bb;
        }
        fc_bin_vv(op, ct, m, xa, xb, dty == oct ? xy : (void *)by);
        if (dty != oct)
            fc_rt_convert(xy, dty, by, oct, m, 1);
    }
}

/* ---- broadcasting iteration ---------------------------------------------------------- */

#define FC_BIN_MAXOP 3

/* The merged iteration space of up to 3 operands broadcast to an output shape. */
typedef struct FcBinIter {
    int32_t m;                              /* merged rank (>= 1) */
    int64_t dims[FC_MAX_RANK];              /* outermost first */
    int64_t st[FC_BIN_MAXOP][FC_MAX_RANK];  /* operand strides in elements (0: broadcast) */
    int64_t outer;                          /* product of dims[0 .. m-2] */
    int64_t idx[FC_MAX_RANK];               /* position in the outer axes */
    int64_t off[FC_BIN_MAXOP];              /* current operand offsets */
} FcBinIter;

/* Sets up the iteration of nop operands broadcast to `y`'s shape; returns 0 if y is empty. */
FC_RT_HELPER int fc_bin_iter_init(FcBinIter *it, int nop, const FcRtTensor *const *ops,
                                  const FcRtTensor *y)
{
    int64_t st[FC_BIN_MAXOP][FC_MAX_RANK];
    int64_t rdims[FC_MAX_RANK], rst[FC_BIN_MAXOP][FC_MAX_RANK]; /* merged, innermost first */
    int32_t d, k, m = 0, r = y->rank;
    memset(it, 0, sizeof *it);
    if (fc_rt_numel(y) == 0)
        return 0;
    for (k = 0; k < nop; k++)
        fc_rt_bcast_strides(ops[k], r, y->dims, st[k]);
    for (d = r - 1; d >= 0; d--) {
        int merge = m > 0;
        if (y->dims[d] == 1)
            continue;
        for (k = 0; k < nop && merge; k++)
            if (st[k][d] != rst[k][m - 1] * rdims[m - 1])
                merge = 0;
        if (merge) {
            rdims[m - 1] *= y->dims[d];
            continue;
        }
        rdims[m] = y->dims[d];
        for (k = 0; k < nop; k++)
            rst[k][m] = st[k][d];
        m++;
    }
    if (m == 0) { /* every operand is a single element */
        rdims[0] = 1;
        for (k = 0; k < nop; k++)
            rst[k][0] = 1;
        m = 1;
    }
    it->m = m;
    it->outer = 1;
    for (d = 0; d < m; d++) { /* outermost first */
        it->dims[d] = rdims[m - 1 - d];
        for (k = 0; k < nop; k++)
            it->st[k][d] = rst[k][m - 1 - d];
        if (d < m - 1)
            it->outer *= it->dims[d];
    }
    return 1;
}

/* Advances the operand offsets to the next inner run. */
FC_RT_HELPER void fc_bin_iter_next(FcBinIter *it, int nop)
{
    int32_t d, k;
    for (d = it->m - 2; d >= 0; d--) {
        for (k = 0; k < nop; k++)
            it->off[k] += it->st[k][d];
        if (++it->idx[d] < it->dims[d])
            return;
        for (k = 0; k < nop; k++)
            it->off[k] -= it->st[k][d] * it->dims[d];
        it->idx[d] = 0;
    }
}

/* Rows o .. o+k-1 (each `inner` elements, row stride s0, element stride s1 = 0 or 1) of a
 * float32 operand as one contiguous run: a pointer into x when the rows already are, else
 * gathered into buf. */
FC_RT_HELPER const float *fc_bin_rows(float *buf, const float *x, int64_t s0, int64_t s1,
                                      int64_t o, int64_t k, int64_t inner)
{
    int64_t r, j;
    if (s1 == 1 && (s0 == inner || k == 1))
        return x + o * s0;
    for (r = 0; r < k; r++) {
        const float *src = x + (o + r) * s0;
        for (j = 0; j < inner; j++)
            buf[r * inner + j] = src[j * s1];
    }
    return buf;
}

/* float32 [outer, inner] iterations whose rows are shorter than one loop block (e.g. a bias
 * of 8 on [N, 8], or per-channel scalars on 3x3 maps): groups of rows are made contiguous so
 * that the loops run over FC_BIN_CHUNK elements at a time. */
FC_RT_HELPER void fc_bin_f32_rows(int op, const FcBinIter *it, const float *a, const float *b,
                                  unsigned char *y, size_t ye)
{
    float ba[FC_BIN_CHUNK], bb[FC_BIN_CHUNK];
    const int64_t outer = it->dims[0], inner = it->dims[1], rows = FC_BIN_CHUNK / inner;
    int64_t o;
    for (o = 0; o < outer; o += rows) {
        const int64_t k = outer - o < rows ? outer - o : rows;
        const float *pa = fc_bin_rows(ba, a, it->st[0][0], it->st[0][1], o, k, inner);
        const float *pb = fc_bin_rows(bb, b, it->st[1][0], it->st[1][1], o, k, inner);
        fc_bin_f32(op, k * inner, pa, 1, pb, 1, y + (size_t)(o * inner) * ye);
    }
}

/* y = a op b with broadcasting, computing in dtype ct. y may be a (same shape). */
/* A large float32 op of merged rank 1 or 2 with runs of at least FC_BIN_BLOCK elements, on
 * FC_RT_THREADS: the one run cut into 64 pieces (multiples of 16 elements), or the rows
 * [outer, inner] split between the threads. Every element is computed as in the serial loop.
 * Returns 0 (nothing done) for other shapes and small ones. */
FC_RT_HELPER int fc_bin_f32_parallel(int op, const FcBinIter *it, const float *a,
                                     const float *b, unsigned char *y, size_t ye)
{
    const int64_t inner = it->dims[it->m - 1], total = it->outer * inner;
    const int64_t sa = it->st[0][it->m - 1], sb = it->st[1][it->m - 1];
    int64_t o, piece;
    if (it->m > 2 || inner < FC_BIN_BLOCK || total < 2 * FC_RT_PAR_MIN_WORK)
        return 0;
    if (it->m == 1) {
        piece = (inner / 64 + 15) / 16 * 16;
        FC_RT_OMP_FOR_IF(1)
        for (o = 0; o < 64; o++) {
            const int64_t lo = o * piece < inner ? o * piece : inner;
            const int64_t len = inner - lo < piece ? inner - lo : piece;
            if (len > 0)
                fc_bin_f32(op, len, a + lo * sa, sa, b + lo * sb, sb, y + (size_t)lo * ye);
        }
        return 1;
    }
    FC_RT_OMP_FOR_IF(1)
    for (o = 0; o < it->outer; o++)
        fc_bin_f32(op, inner, a + o * it->st[0][0], sa, b + o * it->st[1][0], sb,
                   y + (size_t)(o * inner) * ye);
    return 1;
}

FC_RT_HELPER void fc_bin_apply(int op, int32_t ct, const FcRtTensor *a, const FcRtTensor *b,
                               FcRtTensor *y)
{
    const FcRtTensor *ops[2];
    FcBinIter it;
    size_t ae = fc_rt_dtype_size(a->dtype), be = fc_rt_dtype_size(b->dtype);
    size_t ye = fc_rt_dtype_size(y->dtype);
    int64_t o, inner, sa, sb;
    int native32 = ct == FC_DT_F32 && a->dtype == FC_DT_F32 && b->dtype == FC_DT_F32 &&
                   y->dtype == (fc_bin_is_cmp(op) ? FC_DT_BOOL : FC_DT_F32);
    ops[0] = a;
    ops[1] = b;
    if (!fc_bin_iter_init(&it, 2, ops, y))
        return;
    inner = it.dims[it.m - 1];
    sa = it.st[0][it.m - 1];
    sb = it.st[1][it.m - 1];
    if (native32 && fc_bin_f32_parallel(op, &it, (const float *)a->data,
                                        (const float *)b->data, (unsigned char *)y->data, ye))
        return;
    if (native32 && it.m == 2 && inner < FC_BIN_BLOCK) {
        fc_bin_f32_rows(op, &it, (const float *)a->data, (const float *)b->data,
                        (unsigned char *)y->data, ye);
        return;
    }
    for (o = 0; o < it.outer; o++) {
        const unsigned char *xa = (const unsigned char *)a->data + (size_t)it.off[0] * ae;
        const unsigned char *xb = (const unsigned char *)b->data + (size_t)it.off[1] * be;
        unsigned char *xy = (unsigned char *)y->data + (size_t)(o * inner) * ye;
        if (native32)
            fc_bin_f32(op, inner, xa, sa, xb, sb, xy);
        else
            fc_bin_run(op, ct, inner, xa, a->dtype, sa, xb, b->dtype, sb, xy, y->dtype);
        if (it.m == 2) { /* the common [outer, inner] case, e.g. a bias row */
            it.off[0] += it.st[0][0];
            it.off[1] += it.st[1][0];
        } else {
            fc_bin_iter_next(&it, 2);
        }
    }
}

/* ---- kernels -------------------------------------------------------------------------- */

/* Binary ops: y = a op b with numpy broadcasting.
 * ia[0] = op code (FC_BOP_*), ia[1] = compute dtype (FC_DT_F32 / F64 / I64 / U64 / BOOL;
 * both operands are converted to it), ia[2] = number of size-1 axes appended to b's
 * shape before broadcasting (legacy opset < 7 `axis` broadcasting and PRelu-6's per-channel
 * slope; usually 0). The output dtype is bool for comparisons and logic ops. */
FC_RT void fc_rt_binary(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *a = fc_rt_in(n, t, 0);
    FcRtTensor b = *fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t k, extra = n->nia > 2 ? n->ia[2] : 0;
    for (k = 0; k < extra && b.rank < FC_MAX_RANK; k++)
        b.dims[b.rank++] = 1;
    fc_bin_apply((int)n->ia[0], (int32_t)n->ia[1], a, &b, y);
}

/* Max, Min, Sum, Mean over 1..N inputs with broadcasting: y = ((x0 op x1) op x2) ...
 * ia[0] = op code (FC_BOP_MAX / MIN / ADD), ia[1] = compute dtype, ia[2] = 1 for Mean
 * (the sum is then divided by N). The ops commute, so the accumulation starts with the
 * input whose memory y shares (if any): y may take the buffer of any same-shape input. */
FC_RT void fc_rt_variadic(const FcRtNode *n, FcRtTensor *t)
{
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int op = (int)n->ia[0];
    int32_t ct = (int32_t)n->ia[1];
    int k, first = 0, second;
    for (k = 0; k < n->nin; k++)
        if (fc_rt_in(n, t, k)->data == y->data) {
            first = k;
            break;
        }
    if (n->nin == 1) {
        const FcRtTensor *x = fc_rt_in(n, t, 0);
        fc_rt_convert(y->data, y->dtype, x->data, x->dtype, fc_rt_numel(y), 1);
    } else {
        second = first == 0 ? 1 : 0;
        fc_bin_apply(op, ct, fc_rt_in(n, t, first), fc_rt_in(n, t, second), y);
        for (k = 0; k < n->nin; k++)
            if (k != first && k != second)
                fc_bin_apply(op, ct, y, fc_rt_in(n, t, k), y);
    }
    if (n->nia > 2 && n->ia[2]) {
        uint64_t cnt_bits = 0;
        int64_t cnt = n->nin;
        FcRtTensor c;
        memset(&c, 0, sizeof c);
        c.data = &cnt_bits;
        c.dtype = y->dtype;
        c.rank = 0;
        fc_rt_convert(&cnt_bits, y->dtype, &cnt, FC_DT_I64, 1, 1);
        fc_bin_apply(FC_BOP_DIV, ct, y, &c, y);
    }
}

/* Where: y = cond ? x : z, 3-way broadcasting, any dtype (elements are copied as bytes).
 * No parameters. */
#define FC_WHERE_LOOP(T)                                                                  \
    {                                                                                     \
        const T *xs_ = (const T *)px, *zs_ = (const T *)pz;                               \
        T *ys_ = (T *)py;                                                                 \
        T t_[FC_BIN_BLOCK];                                                               \
        int64_t i0_;                                                                      \
        for (i0_ = 0; i0_ + FC_BIN_BLOCK <= m; i0_ += FC_BIN_BLOCK) {                     \
            for (i = 0; i < FC_BIN_BLOCK; i++)                                            \
                t_[i] = pc[i0_ + i] ? xs_[i0_ + i] : zs_[i0_ + i];                        \
            memcpy(ys_ + i0_, t_, sizeof t_);                                             \
        }                                                                                 \
        for (i = i0_; i < m; i++)                                                         \
            ys_[i] = pc[i] ? xs_[i] : zs_[i];                                             \
    }

FC_RT void fc_rt_where(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *ops[3];
    FcRtTensor *y = fc_rt_out(n, t, 0);
    FcBinIter it;
    size_t es = fc_rt_dtype_size(y->dtype);
    int64_t o, inner, i, off;
    uint64_t bx[FC_BIN_CHUNK], bz[FC_BIN_CHUNK];
    uint8_t bc[FC_BIN_CHUNK];
    ops[0] = fc_rt_in(n, t, 0);
    ops[1] = fc_rt_in(n, t, 1);
    ops[2] = fc_rt_in(n, t, 2);
    if (!fc_bin_iter_init(&it, 3, ops, y))
        return;
    inner = it.dims[it.m - 1];
    for (o = 0; o < it.outer; o++) {
        int64_t sc = it.st[0][it.m - 1], sx = it.st[1][it.m - 1], sz = it.st[2][it.m - 1];
        const uint8_t *c0 = (const uint8_t *)ops[0]->data + it.off[0];
        const unsigned char *x0 = (const unsigned char *)ops[1]->data + (size_t)it.off[1] * es;
        const unsigned char *z0 = (const unsigned char *)ops[2]->data + (size_t)it.off[2] * es;
        unsigned char *y0 = (unsigned char *)y->data + (size_t)(o * inner) * es;
        for (off = 0; off < inner; off += FC_BIN_CHUNK) {
            int64_t m = inner - off < FC_BIN_CHUNK ? inner - off : FC_BIN_CHUNK;
            const uint8_t *pc = c0 + off * sc;
            const void *px = x0 + (size_t)(off * sx) * es, *pz = z0 + (size_t)(off * sz) * es;
            void *py = y0 + (size_t)off * es;
            if (sc != 1) {
                memset(bc, *pc, (size_t)m);
                pc = bc;
            }
            if (sx != 1) {
                fc_rt_convert(bx, y->dtype, px, y->dtype, m, 0);
                px = bx;
            }
            if (sz != 1) {
                fc_rt_convert(bz, y->dtype, pz, y->dtype, m, 0);
                pz = bz;
            }
            switch (es) {
            case 1: FC_WHERE_LOOP(uint8_t) break;
            case 2: FC_WHERE_LOOP(uint16_t) break;
            case 4: FC_WHERE_LOOP(uint32_t) break;
            case 8: FC_WHERE_LOOP(uint64_t) break;
            default: break;
            }
        }
        fc_bin_iter_next(&it, 3);
    }
}
