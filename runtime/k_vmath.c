/* k_vmath.c — float32 exp, erf, tanh and the activations built on them, over whole arrays,
 * written so that GCC / clang vectorize the loops (libm's scalar expf / erff / tanhf are
 * function calls the vectorizer cannot look into; a GELU through erff costs ~10x the FMAs of
 * the GEMM that produced its input).
 *
 * Each element function is branch-free straight-line float / int32 arithmetic (bit casts
 * through memcpy; selects through fc_vm_select, because GCC turns an ordinary ?: between two
 * computed values back into a branch that only AVX-512 masks can if-convert), and the array
 * loops run in fixed-size blocks (FC_VM_MAP), so they vectorize at -O2 / -O3 for any ISA
 * (SSE2, AVX2, AVX-512, NEON; GCC's -O2 cost model included) and y may equal x without
 * losing the vector code; the same functions run in scalar form elsewhere. They are used by
 * the softmax, the FcLinear / FcConv activation epilogue and the fused-elementwise kernel;
 * other kernel files reach them with an fc-deps line naming this file. Polynomials use
 * fmaf where the target has a fast FMA (FC_VM_FMA); the bounds hold with and without it.
 *
 * Accuracy against correctly rounded results (measured over a dense sweep in
 * tests/unit/test_k_vmath.c, which asserts these bounds):
 *   fc_rt_vexpf   relative error <= 3 ulp (4e-7 relative bound tested) for normal results;
 *                 x > 88.7228 gives +inf, x < -103.98 gives 0, results below FLT_MIN are
 *                 subnormal (absolute error below 1.2e-38); NaN stays NaN.
 *   fc_rt_verff   absolute error <= 1.5e-7, relative <= 4e-7 for |x| < 1; erf(+-inf) = +-1.
 *   fc_rt_vtanhf  relative error <= 4e-7 everywhere (small |x| included: tanh goes through
 *                 an expm1 without cancellation), |x| >= 9 gives +-1.
 *   fc_rt_vgeluf  |error| <= 7e-8 + 6e-8 |GELU(x)| (measured; 1e-7 + 1.2e-7 |GELU(x)|
 *                 tested): 6e-8 relative is the final rounding of x - g below, and for x < 0
 *                 the absolute error stays under 7e-8 with no cancellation; relative error
 *                 <= 4e-7 for |x| < 1. x > 5.7 gives x, x < -5.7 gives -0, GELU(+inf) =
 *                 +inf, GELU(-inf) = -0, NaN stays NaN. Built for AVX-512 it runs by table
 *                 instead (fc_vm_gelu16): absolute error <= 3.6e-8 for x < 0, relative
 *                 <= 1.1e-7 for x > 0, <= 2.2e-7 for |x| < 1, |x| >= 6 gives x or -0.
 * Method: exp splits x = n ln2 + r, |r| <= ln2/2, e^r by its degree-6 Taylor polynomial, and
 * scales by 2^n in two halves (so 2^n never overflows the exponent field and subnormal
 * results come out right). tanh(|x|) = m / (m + 2), m = expm1(2|x|) computed as
 * 2^n (e^r - 1) + (2^n - 1) with e^r - 1 by its Taylor polynomial. GELU and erf rest on the
 * normal tail Phi(-a) = e^(-a^2 / 2 - a) T(a), 0 <= a <= 5.7, where T is a degree-8
 * polynomial fitted (weighted Remez exchange in double, against mpmath's erfc) to minimize
 * the absolute error of a Phi(-a), max 4.4e-9 with float coefficients, and e^(-a^2/2 - a) is
 * 2^v, v = n + f, 2^f by a degree-5 polynomial (relative minimax fit on |f| <= 1/2 with
 * 2^0 = 1 exact, 1.1e-7). GELU(x) = max(x, 0) - |x| Phi(-|x|): one exp-like evaluation,
 * no division, no branch between ranges. erf uses x * P(x^2) (degree 5, least-squares
 * fitted) for |x| < 1 and 1 - 2 Phi(-sqrt2 |x|) beyond (1 - erfc rounds to 1 past 4.03).
 * The AVX-512 table GELU lives in fc_vact.h (the GEMM micro-kernel applies it too).
 * fc-deps: fc_vact.h
 */
#include "fc_rt.h"
#include "fc_vact.h"

FC_VM_INLINE int32_t fc_vm_bits(float x)
{
    int32_t i;
    memcpy(&i, &x, sizeof i);
    return i;
}

FC_VM_INLINE float fc_vm_float(int32_t i)
{
    float x;
    memcpy(&x, &i, sizeof x);
    return x;
}

/* |x| with the sign of s */
FC_VM_INLINE float fc_vm_copysign(float x, float s)
{
    return fc_vm_float((fc_vm_bits(x) & 0x7fffffff) | (fc_vm_bits(s) & (int32_t)0x80000000));
}

/* a * b + c, one rounding where the target has a fast fused multiply-add (GCC in ISO C mode
 * never contracts a * b + c by itself; clang does, and leaves __FP_FAST_FMAF undefined). */
#ifdef __FP_FAST_FMAF
#define FC_VM_FMA(a, b, c) fmaf(a, b, c)
#else
#define FC_VM_FMA(a, b, c) ((a) * (b) + (c))
#endif

/* c ? a : b with bit operations: GCC sinks the computation of an arm of ?: into a branch,
 * which it can only if-convert with AVX-512 masks; this keeps the loops vectorizable for any
 * ISA. */
FC_VM_INLINE float fc_vm_select(int c, float a, float b)
{
#ifdef __clang__
    return c ? a : b; /* clang if-converts it for any ISA, into one blend */
#else
    int32_t m = -(int32_t)c;
    return fc_vm_float((fc_vm_bits(a) & m) | (fc_vm_bits(b) & ~m));
#endif
}

/* x = n ln2 + r: returns r, stores n. |x| < 2^22 ln2 (callers clamp). The constant 1.5 * 2^23
 * rounds x / ln2 to the nearest integer in the low mantissa bits of t. */
FC_VM_INLINE float fc_vm_reduce(float x, int32_t *n)
{
    float t = x * 1.44269504088896341f + 12582912.0f;
    float nf = t - 12582912.0f;
    *n = fc_vm_bits(t) - 0x4B400000;
    return (x - nf * 0.693145751953125f) - nf * 1.42860682030941723212e-6f;
}

/* 2^n as a float for n in [-126, 127] */
FC_VM_INLINE float fc_vm_pow2i(int32_t n)
{
    /* unsigned: a NaN input reaches here with a huge n, and int overflow is UB (the result
     * is NaN whatever this returns) — UBSan in tests/unit/test_k_vmath.c */
    return fc_vm_float((int32_t)((uint32_t)(n + 127) * 8388608u));
}

FC_VM_INLINE float fc_vm_exp1(float x)
{
    int32_t n, h;
    float xc = fc_vm_select(x < -104.0f, -104.0f, x), r, p;
    xc = fc_vm_select(xc > 88.7228394f, 88.7228394f, xc);
    r = fc_vm_reduce(xc, &n);
    p = FC_VM_FMA(r, 1.38888892e-3f, 8.33333377e-3f);
    p = FC_VM_FMA(p, r, 4.16666679e-2f);
    p = FC_VM_FMA(p, r, 1.66666672e-1f);
    p = FC_VM_FMA(p, r, 0.5f);
    p = FC_VM_FMA(p, r, 1.0f);
    p = FC_VM_FMA(p, r, 1.0f);
    /* n in [-150, 128]: two factors 2^h, 2^(n-h) are both normal */
    h = n / 2;
    p = p * fc_vm_pow2i(h) * fc_vm_pow2i(n - h);
    return fc_vm_select(x > 88.7228394f, HUGE_VALF, fc_vm_select(x != x, x, p));
}

/* Phi(-a) = 2^v T(a) for 0 <= a <= 5.7 (NaN gives NaN): the normal distribution's upper
 * tail, with v = -(a^2 / 2 + a) log2 e (2^v by a degree-5 polynomial on |f| <= 1/2 after
 * v = n + f, scaled through the exponent bits) and T(a) = Phi(-a) e^(a^2 / 2 + a) a degree-8
 * polynomial. The factor e^a in T is what makes a polynomial of low degree fit: it cancels
 * Phi(-a) e^(a^2 / 2)'s decay like 1 / a on the right and slows its growth on the left. */
FC_VM_INLINE float fc_vm_phin(float a)
{
    float v, t, f, p, q;
    v = FC_VM_FMA(a, -0.72134752f, -1.44269504f) * a;
    t = v + 12582912.0f; /* v = n + f, n in [-32, 0], |f| <= 1/2 */
    f = v - (t - 12582912.0f);
    p = FC_VM_FMA(f, 0.00132647285f, 0.00967151299f);
    p = FC_VM_FMA(p, f, 0.0555073358f);
    p = FC_VM_FMA(p, f, 0.240222424f);
    p = FC_VM_FMA(p, f, 0.693147004f);
    p = FC_VM_FMA(p, f, 1.0f);
    p = fc_vm_float((int32_t)((uint32_t)fc_vm_bits(p) + ((uint32_t)fc_vm_bits(t) << 23)));
    q = FC_VM_FMA(a, 7.33492652e-06f, -5.91792377e-05f);
    q = FC_VM_FMA(q, a, 0.000488973281f);
    q = FC_VM_FMA(q, a, -0.00113808899f);
    q = FC_VM_FMA(q, a, 0.0086873807f);
    q = FC_VM_FMA(q, a, 0.000957193144f);
    q = FC_VM_FMA(q, a, 0.101040728f);
    q = FC_VM_FMA(q, a, 0.101059169f);
    q = FC_VM_FMA(q, a, 0.5f);
    return p * q;
}

/* erf(x) = x P(x^2) for |x| < 1; beyond, 1 - erfc(|x|) with the sign of x, erfc(b) =
 * 2 Phi(-sqrt2 b); b clamped to 4.03, where erfc(b) < 1.4e-8 rounds away in 1 - erfc(b). */
FC_VM_INLINE float fc_vm_erf1(float x)
{
    float a = fabsf(x), u = x * x, small, big;
    small = FC_VM_FMA(u, -5.65410585876216e-4f, 4.92327766497288e-3f);
    small = FC_VM_FMA(small, u, -0.0267163850964272f);
    small = FC_VM_FMA(small, u, 0.112803644080253f);
    small = FC_VM_FMA(small, u, -0.376123497845404f);
    small = FC_VM_FMA(small, u, 1.12837912739274640f) * x;
    big = 1.0f - 2.0f * fc_vm_phin(fc_vm_select(a > 4.03f, 5.7f, a * 1.41421356f));
    return fc_vm_select(x != x, x, fc_vm_select(a < 1.0f, small, fc_vm_copysign(big, x)));
}

/* GELU(x) = x Phi(x) = max(x, 0) - g(|x|), g(a) = a Phi(-a): nothing cancels, and
 * g < 3.5e-8 beyond a = 5.7 is dropped (GELU(x) = x or -0 there). */
FC_VM_INLINE float fc_vm_gelu1(float x)
{
    float a = fabsf(x), ac, g;
    ac = fc_vm_select(a > 5.7f, 5.7f, a); /* NaN stays NaN */
    g = ac * fc_vm_phin(ac);
    g = fc_vm_select(a > 5.7f, 0.0f, g);
    return fc_vm_select(x >= 0.0f, x, -0.0f) - g;
}

FC_VM_INLINE float fc_vm_tanh1(float x)
{
    int32_t n;
    float a = fabsf(x), z, r, q, s, m;
    a = fc_vm_select(a > 9.0f, 9.0f, a);
    z = 2.0f * a;
    r = fc_vm_reduce(z, &n); /* n in [0, 26] */
    q = FC_VM_FMA(r, 1.98412701e-4f, 1.38888892e-3f);
    q = FC_VM_FMA(q, r, 8.33333377e-3f);
    q = FC_VM_FMA(q, r, 4.16666679e-2f);
    q = FC_VM_FMA(q, r, 1.66666672e-1f);
    q = FC_VM_FMA(q, r, 0.5f);
    q = FC_VM_FMA(q, r, 1.0f) * r;
    s = fc_vm_pow2i(n);
    m = FC_VM_FMA(s, q, s - 1.0f);
    return fc_vm_copysign(m / (m + 2.0f), x);
}

FC_VM_INLINE float fc_vm_sigmoid1(float x)
{
    return 1.0f / (1.0f + fc_vm_exp1(-x));
}

FC_VM_INLINE float fc_vm_gelu_tanh1(float x)
{
    return 0.5f * x * (1.0f + fc_vm_tanh1(0.79788456080286536f * (x + 0.044715f * x * x * x)));
}

/* y[i] = F(IN(x, b, bs, i)) for i < n, in blocks of FC_VM_BLOCK through a local buffer: the
 * loop over a block has a constant trip count and writes memory that cannot alias x, so it
 * vectorizes with no runtime alias check (clang's rejects y == x and runs scalar code) and
 * under GCC's -O2 cost model (which only vectorizes loops without a scalar remainder). The
 * last partial block is padded with zeros. IN reads element i: x[i] (FC_VM_MAP), or
 * x[i] + b[i * bs] (FC_VM_MAP_BIAS: a bias per element, bs 1, or one for all, bs 0, added on
 * the way in, one pass over y instead of two with the same operations per element). */
#define FC_VM_BLOCK 16
#define FC_VM_IN_PLAIN(x, b, bs, i) ((x)[i])
#define FC_VM_IN_BIAS(x, b, bs, i) ((x)[i] + (b)[(i) * (bs)])
#define FC_VM_MAP_IN(IN, x, b, bs, y, n, F)                                                    \
    do {                                                                                       \
        float fc_vm_b[FC_VM_BLOCK];                                                            \
        int64_t fc_vm_i, fc_vm_r;                                                              \
        int fc_vm_j;                                                                           \
        for (fc_vm_i = 0; fc_vm_i + FC_VM_BLOCK <= (n); fc_vm_i += FC_VM_BLOCK) {              \
            for (fc_vm_j = 0; fc_vm_j < FC_VM_BLOCK; fc_vm_j++)                                \
                fc_vm_b[fc_vm_j] = F(IN(x, b, bs, fc_vm_i + fc_vm_j));                         \
            for (fc_vm_j = 0; fc_vm_j < FC_VM_BLOCK; fc_vm_j++)                                \
                (y)[fc_vm_i + fc_vm_j] = fc_vm_b[fc_vm_j];                                     \
        }                                                                                      \
        fc_vm_r = (n) - fc_vm_i;                                                               \
        if (fc_vm_r > 0) {                                                                     \
            memset(fc_vm_b, 0, sizeof fc_vm_b);                                                \
            for (fc_vm_j = 0; fc_vm_j < fc_vm_r; fc_vm_j++)                                    \
                fc_vm_b[fc_vm_j] = IN(x, b, bs, fc_vm_i + fc_vm_j);                            \
            for (fc_vm_j = 0; fc_vm_j < FC_VM_BLOCK; fc_vm_j++)                                \
                fc_vm_b[fc_vm_j] = F(fc_vm_b[fc_vm_j]);                                        \
            memcpy((y) + fc_vm_i, fc_vm_b, (size_t)fc_vm_r * sizeof(float));                   \
        }                                                                                      \
    } while (0)
#define FC_VM_MAP(x, y, n, F) FC_VM_MAP_IN(FC_VM_IN_PLAIN, x, 0, 0, y, n, F)
#define FC_VM_MAP_BIAS(x, b, bs, y, n, F) FC_VM_MAP_IN(FC_VM_IN_BIAS, x, b, bs, y, n, F)

#ifdef FC_RT_AVX512
/* r[j] = row j of a 16 x 16 tile -> r[n] = its column n, in registers (64 shuffles): pairs of
 * rows interleave (unpack), then 4-row quads per 128-bit lane (shuffle_ps), then lanes move
 * across the quads (shuffle_f32x4 twice). For the kernels that change a layout on the way
 * out (FcLinear's moved axis, FcChannelNorm's channels-last result). */
FC_RT void fc_rt_vtranspose16(__m512 r[16])
{
    __m512 t[16];
    int i, s;
    for (i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    /* r[4q + s], lane L: column 4L + s, rows 4q .. 4q + 3 */
    for (i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (s = 0; s < 4; s++) {
        t[s] = _mm512_shuffle_f32x4(r[s], r[4 + s], 0x88);     /* lanes 0, 2 of quads 0, 1 */
        t[4 + s] = _mm512_shuffle_f32x4(r[s], r[4 + s], 0xDD); /* lanes 1, 3 */
        t[8 + s] = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0x88);
        t[12 + s] = _mm512_shuffle_f32x4(r[8 + s], r[12 + s], 0xDD);
    }
    for (s = 0; s < 4; s++) {
        r[s] = _mm512_shuffle_f32x4(t[s], t[8 + s], 0x88);          /* column s */
        r[8 + s] = _mm512_shuffle_f32x4(t[s], t[8 + s], 0xDD);      /* column 8 + s */
        r[4 + s] = _mm512_shuffle_f32x4(t[4 + s], t[12 + s], 0x88); /* column 4 + s */
        r[12 + s] = _mm512_shuffle_f32x4(t[4 + s], t[12 + s], 0xDD);
    }
}
#endif

/* y[i] = exp(x[i]) */
FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_AVX2
    const float *no_bias = 0; /* a variable: clang warns on arithmetic on a null constant */
    FC_VM_MAP8(fc_vm_exp8, x, no_bias, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_exp1);
#endif
}

/* y[i] = erf(x[i]) */
FC_RT void fc_rt_verff(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_AVX2
    const float *no_bias = 0;
    FC_VM_MAP8(fc_vm_erf8, x, no_bias, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_erf1);
#endif
}

/* y[i] = tanh(x[i]) */
FC_RT void fc_rt_vtanhf(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_AVX2
    const float *no_bias = 0;
    FC_VM_MAP8(fc_vm_tanh8, x, no_bias, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_tanh1);
#endif
}

/* y[i] = 1 / (1 + exp(-x[i])) */
#ifdef FC_VM_AVX2
/* fc_vm_sigmoid1 on eight lanes */
FC_VM_INLINE __m256 fc_vm_sigmoid8(__m256 x)
{
    __m256 e = fc_vm_exp8(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
    return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}
#endif

FC_RT void fc_rt_vsigmoidf(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_AVX2
    const float *no_bias = 0;
    FC_VM_MAP8(fc_vm_sigmoid8, x, no_bias, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_sigmoid1);
#endif
}

/* y[i] = GELU(x[i]) = 0.5 x (1 + erf(x / sqrt 2)) */
FC_RT void fc_rt_vgeluf(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_GELU_TABLE
    fc_vm_gelu_table_map(x, 0, 0, y, n);
#elif defined(FC_VM_AVX2)
    fc_vm_gelu8_map(x, 0, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_gelu1);
#endif
}

/* y[i] = tanh-approximated GELU = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
FC_RT void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n)
{
#ifdef FC_VM_AVX2
    const float *no_bias = 0;
    FC_VM_MAP8(fc_vm_gelu_tanh8, x, no_bias, 0, y, n);
#else
    FC_VM_MAP(x, y, n, fc_vm_gelu_tanh1);
#endif
}

/* y[i] = act(x[i] + b[i * bs]) (bs 1: FcLinear's bias per column, 0: a Conv channel's one
 * bias; y may be x): the bias and activation epilogue of the fused kernels in one pass over
 * y, the same operations per element as the addition followed by fc_rt_vact. */
FC_RT void fc_rt_vact_biased(const float *x, const float *b, int64_t bs, float *y, int64_t n,
                             int act)
{
    int64_t i;
    if (FC_RT_HAS_ACT(FC_ACT_GELU_ERF) && act == FC_ACT_GELU_ERF) {
#ifdef FC_VM_GELU_TABLE
        fc_vm_gelu_table_map(x, b, bs, y, n);
        return;
#elif defined(FC_VM_AVX2)
        fc_vm_gelu8_map(x, b, bs, y, n);
        return;
#endif
        if (bs)
            FC_VM_MAP_BIAS(x, b, 1, y, n, fc_vm_gelu1);
        else
            FC_VM_MAP_BIAS(x, b, 0, y, n, fc_vm_gelu1);
        return;
    }
    if (FC_RT_HAS_ACT(FC_ACT_GELU_TANH) && act == FC_ACT_GELU_TANH) {
#ifdef FC_VM_AVX2
        FC_VM_MAP8(fc_vm_gelu_tanh8, x, b, bs, y, n);
        return;
#endif
        if (bs)
            FC_VM_MAP_BIAS(x, b, 1, y, n, fc_vm_gelu_tanh1);
        else
            FC_VM_MAP_BIAS(x, b, 0, y, n, fc_vm_gelu_tanh1);
        return;
    }
    for (i = 0; i < n; i++)
        y[i] = x[i] + b[i * bs];
    if (act == FC_ACT_RELU)
        for (i = 0; i < n; i++)
            y[i] = y[i] > 0.0f ? y[i] : 0.0f;
}

/* A fused kernel's activation epilogue (FcLinear, FcConv {activation=act}), in place on
 * y[0..n): FC_ACT_NONE, FC_ACT_RELU, FC_ACT_GELU_ERF or FC_ACT_GELU_TANH (fc_rt.h). */
FC_RT void fc_rt_vact(float *y, int64_t n, int act)
{
    int64_t i;
    if (act == FC_ACT_RELU)
        for (i = 0; i < n; i++)
            y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    else if (FC_RT_HAS_ACT(FC_ACT_GELU_ERF) && act == FC_ACT_GELU_ERF)
        fc_rt_vgeluf(y, y, n);
    else if (FC_RT_HAS_ACT(FC_ACT_GELU_TANH) && act == FC_ACT_GELU_TANH)
        fc_rt_vgelu_tanhf(y, y, n);
}
