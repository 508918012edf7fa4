/* fc_vact.h — the vector activations a kernel applies to values still in registers: the
 * AVX-512 table GELU (fc_vm_gelu16), shared by k_vmath.c's array functions and the GEMM
 * micro-kernel's store (k_gemm.c), so the activation fused into a GEMM tile gives the same
 * bits as the array pass over the finished output; and on AVX2 the GELU and exp of k_vmath.c
 * in intrinsics (fc_vm_gelu8, fc_vm_exp8). The emitter pastes this file once, before
 * the kernel files that name it in their fc-deps line. */
#ifndef FC_VACT_H
#define FC_VACT_H
#include "fc_rt.h"

/* always_inline: FC_VM_MAP calls an element function twice, and GCC -O2 would call it */
#if defined(__GNUC__) || defined(__clang__)
#define FC_VM_INLINE static __inline__ __attribute__((always_inline)) FC_MAYBE_UNUSED
#else
#define FC_VM_INLINE static FC_MAYBE_UNUSED
#endif

/* GELU on AVX-512 by table: Phi(-a) for 0 <= a < 6 is one of 16 degree-5 polynomials in
 * t = a - i w (w = 6 / 15.5, interval i = round(a / w)), Chebyshev-interpolated per interval
 * in 40-digit arithmetic (tools/fit_gelu_table.py); each coefficient is fetched for 16 lanes
 * at once by one vpermps from a 16-float table row. 5 FMAs and 6 permutes against the
 * exp-and-polynomial route's 14 FMAs and 3 multiplies, which bound that route on the FMA
 * pipes: 0.37 -> 0.25 ns per element on Zen 4. Every vector operation costs about a cycle
 * here (removing any one permute or FMA saves ~1 cycle per 16 floats), so the ending is
 * max(-0, x) and one masked fnmadd instead of compare, blend, masked multiply and subtract:
 * 0.265 -> 0.243 ns. Error (a dense sweep against erfc in double; tests/unit/test_k_vmath.c
 * checks the bounds): absolute <= 3.6e-8 for x < 0, relative <= 1.1e-7 for x > 0 and
 * <= 2.2e-7 for |x| < 1. GELU(x) = max(x, 0) - a Phi(-a) as in fc_vm_gelu1; |x| >= 6 gives
 * x or -0. */
#ifdef FC_RT_AVX512
#define FC_VM_GELU_TABLE 1
#define FC_VM_GELU_W 0.387096774f
#define FC_VM_GELU_CUT 6.0f /* (16 - 1/2) w: the last interval's right end */
/* clang-format off */
static const float fc_vm_gelu_tab[6][16] = {
    {
     5.000000000e-01f, 3.493422872e-01f, 2.194081763e-01f, 1.227619286e-01f,
     6.076456162e-02f, 2.646547075e-02f, 1.010084433e-02f, 3.367433429e-03f,
     9.781944421e-04f, 2.471091449e-04f, 5.420224543e-05f, 1.031029540e-05f,
     1.699077638e-06f, 2.423740008e-07f, 2.990847590e-08f, 3.190745216e-09f,
    },
    {
     -3.989422785e-01f, -3.701449874e-01f, -2.956359867e-01f, -2.032667480e-01f,
     -1.203092429e-01f, -6.129926404e-02f, -2.688655379e-02f, -1.015169672e-02f,
     -3.299633878e-03f, -9.232440415e-04f, -2.223775489e-04f, -4.610935742e-05f,
     -8.230210851e-06f, -1.264610230e-06f, -1.672731973e-07f, -1.904671555e-08f,
    },
    {
     0.000000000e+00f, 7.163885462e-02f, 1.144373984e-01f, 1.180249902e-01f,
     9.314329025e-02f, 5.932295894e-02f, 3.122376873e-02f, 1.375405027e-02f,
     5.108988257e-03f, 1.608087590e-03f, 4.303233184e-04f, 9.813311042e-05f,
     1.910410535e-05f, 3.179066323e-06f, 4.526642340e-07f, 5.519562512e-08f,
    },
    {
     6.648944774e-02f, 5.244633987e-02f, 1.974014122e-02f, -1.180897521e-02f,
     -2.802169516e-02f, -2.805566955e-02f, -1.969184326e-02f, -1.073109355e-02f,
     -4.724023869e-03f, -1.713734109e-03f, -5.182795652e-04f, -1.316374616e-04f,
     -2.822098561e-05f, -5.125090971e-06f, -7.905403563e-07f, -1.037821133e-07f,
    },
    {
     0.000000000e+00f, -1.686518465e-02f, -2.272727159e-02f, -1.618096325e-02f,
     -4.722998103e-03f, 3.610612210e-03f, 6.182048436e-03f, 4.967224450e-03f,
     2.814495849e-03f, 1.234833688e-03f, 4.358794510e-04f, 1.262815857e-04f,
     3.038849130e-05f, 6.121495270e-06f, 1.037856845e-06f, 1.486828705e-07f,
    },
    {
     -9.907111806e-03f, -6.514345427e-03f, 5.616278967e-04f, 5.496787591e-03f,
     5.624133067e-03f, 2.783499976e-03f, 7.525747769e-05f, -1.076571650e-03f,
     -1.026164488e-03f, -5.973069990e-04f, -2.566621664e-04f, -8.660919516e-05f,
     -2.362887511e-05f, -5.298379002e-06f, -9.866790292e-07f, -1.536778694e-07f,
    },
};
/* clang-format on */

FC_VM_INLINE __m512 fc_vm_gelu16(__m512 x)
{
    const float(*c)[16] = fc_vm_gelu_tab;
    __m512 a = _mm512_abs_ps(x), m, t, p, pos;
    __m512i i;
    __mmask16 live;
    /* 1.5 * 2^23 leaves round(a / w) in m's low mantissa bits; vpermps reads its low 4 */
    m = _mm512_fmadd_ps(a, _mm512_set1_ps(1.0f / FC_VM_GELU_W), _mm512_set1_ps(12582912.0f));
    i = _mm512_castps_si512(m);
    t = _mm512_fmadd_ps(_mm512_sub_ps(m, _mm512_set1_ps(12582912.0f)),
                        _mm512_set1_ps(-FC_VM_GELU_W), a);
    p = _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[5]));
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[4])));
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[3])));
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[2])));
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[1])));
    p = _mm512_fmadd_ps(p, t, _mm512_permutexvar_ps(i, _mm512_loadu_ps(c[0])));
    /* max(-0, x): x for x >= +0 (and NaN: vmaxps returns its second operand for a NaN
     * or two zeros), -0 below */
    pos = _mm512_max_ps(_mm512_set1_ps(-0.0f), x);
    /* pos - a p in one rounding; a past the table (its index wrapped) drops the term (it is
     * below 3.5e-8 there); NaN passes through */
    live = _mm512_cmp_ps_mask(a, _mm512_set1_ps(FC_VM_GELU_CUT), _CMP_NGE_UQ);
    return _mm512_mask3_fnmadd_ps(a, p, pos, live);
}

/* y[i] = GELU(x[i] + b[i * bs]) (b may be 0: no bias), the tail through masked loads */
static FC_MAYBE_UNUSED void fc_vm_gelu_table_map(const float *x, const float *b, int64_t bs,
                                                 float *y, int64_t n)
{
    int64_t i;
    __m512 v;
    for (i = 0; i < n; i += 16) {
        __mmask16 k = (__mmask16)(n - i >= 16 ? 0xffff : (1u << (n - i)) - 1u);
        v = _mm512_maskz_loadu_ps(k, x + i);
        if (b && bs)
            v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, b + i));
        else if (b)
            v = _mm512_add_ps(v, _mm512_set1_ps(b[0]));
        _mm512_mask_storeu_ps(y + i, k, fc_vm_gelu16(v));
    }
}
#endif

/* exp, erf, tanh, GELU (erf and tanh forms) on AVX2 with FMA (and no AVX-512), eight lanes at
 * a time in intrinsics: the operations of k_vmath.c's element functions, one for one (a plain a * b + c stays
 * a multiply and an add, FC_VM_FMA is one fused instruction; selects become min / max, which
 * keep a NaN in their second operand, or blends), so the result is the scalar functions'
 * bits under GCC's ISO C modes and the accuracy bounds at the top of k_vmath.c hold as they
 * are. GCC's auto-vectorized form of the scalar code spent ~48 instructions per 8 exp
 * values (blends, integer selects and a spilled constant, and a block buffer copied out in
 * 16-byte pieces): 0.85-1.1 ns per element on a Zen 3; these take 0.56 (GELU) and 0.6 ns
 * (k_vmath.c's fc_rt_vgeluf, fc_rt_vexpf, fc_rt_vsigmoidf). Unlike the AVX-512 table, the
 * GELU is not applied to the GEMM's register tile (k_gemm.c's fc_sg_act): with the twelve
 * accumulators live it ran slower there than as a pass over the cache-hot block (a ConvNeXt
 * stage-0 block: 25 % of the micro-kernel's time against 13 % for the pass). */
#if !defined(FC_RT_AVX512) && defined(__AVX2__) && defined(__FMA__) &&                      \
    (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_VM_AVX2 1

#define FC_VM_S8(c) _mm256_set1_ps(c)

/* v, opaque to the optimizer: a product the scalar code rounds before an add stays a separate
 * multiply wherever these are inlined, also under -ffp-contract=fast (GCC's intrinsics are
 * plain vector expressions it would fuse), so they give the scalar functions' bits */
FC_VM_INLINE __m256 fc_vm_keep8(__m256 v)
{
    __asm__("" : "+x"(v));
    return v;
}

/* fc_vm_phin: Phi(-a) = 2^v T(a), 0 <= a <= 5.7 */
FC_VM_INLINE __m256 fc_vm_phin8(__m256 a)
{
    const __m256 magic = FC_VM_S8(12582912.0f);
    __m256 v, t, f, p, q;
    v = fc_vm_keep8(
        _mm256_mul_ps(_mm256_fmadd_ps(a, FC_VM_S8(-0.72134752f), FC_VM_S8(-1.44269504f)), a));
    t = _mm256_add_ps(v, magic);
    f = _mm256_sub_ps(v, _mm256_sub_ps(t, magic));
    p = _mm256_fmadd_ps(f, FC_VM_S8(0.00132647285f), FC_VM_S8(0.00967151299f));
    p = _mm256_fmadd_ps(p, f, FC_VM_S8(0.0555073358f));
    p = _mm256_fmadd_ps(p, f, FC_VM_S8(0.240222424f));
    p = _mm256_fmadd_ps(p, f, FC_VM_S8(0.693147004f));
    p = _mm256_fmadd_ps(p, f, FC_VM_S8(1.0f));
    p = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p),
                                             _mm256_slli_epi32(_mm256_castps_si256(t), 23)));
    q = _mm256_fmadd_ps(a, FC_VM_S8(7.33492652e-06f), FC_VM_S8(-5.91792377e-05f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.000488973281f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(-0.00113808899f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.0086873807f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.000957193144f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.101040728f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.101059169f));
    q = _mm256_fmadd_ps(q, a, FC_VM_S8(0.5f));
    return _mm256_mul_ps(p, q);
}

/* fc_vm_gelu1: max(x, 0) - a Phi(-a), a = |x|, the term dropped past a = 5.7 */
FC_VM_INLINE __m256 fc_vm_gelu8(__m256 x)
{
    const __m256 cut = FC_VM_S8(5.7f);
    __m256 a = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
    __m256 ac = _mm256_min_ps(cut, a); /* NaN stays NaN */
    __m256 g = fc_vm_keep8(_mm256_mul_ps(ac, fc_vm_phin8(ac)));
    g = _mm256_andnot_ps(_mm256_cmp_ps(a, cut, _CMP_GT_OQ), g);
    /* x >= 0 ? x : -0 (vmaxps returns its second operand for a NaN or two zeros) */
    return _mm256_sub_ps(_mm256_max_ps(FC_VM_S8(-0.0f), x), g);
}

/* fc_vm_reduce: x = n ln2 + r, returns r, stores n */
FC_VM_INLINE __m256 fc_vm_reduce8(__m256 x, __m256i *n)
{
    const __m256 magic = FC_VM_S8(12582912.0f);
    __m256 t = _mm256_add_ps(fc_vm_keep8(_mm256_mul_ps(x, FC_VM_S8(1.44269504088896341f))), magic);
    __m256 nf = _mm256_sub_ps(t, magic);
    *n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
    return _mm256_sub_ps(
        _mm256_sub_ps(x, fc_vm_keep8(_mm256_mul_ps(nf, FC_VM_S8(0.693145751953125f)))),
        fc_vm_keep8(_mm256_mul_ps(nf, FC_VM_S8(1.42860682030941723212e-6f))));
}

/* fc_vm_pow2i: 2^n for n in [-126, 127] */
FC_VM_INLINE __m256 fc_vm_pow2i8(__m256i n)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
}

/* |x| with the sign of s */
FC_VM_INLINE __m256 fc_vm_copysign8(__m256 x, __m256 s)
{
    const __m256 sign = FC_VM_S8(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, x), _mm256_and_ps(sign, s));
}

/* fc_vm_exp1: x = n ln2 + r, e^r by its Taylor polynomial, 2^n in two normal factors */
FC_VM_INLINE __m256 fc_vm_exp8(__m256 x)
{
    const __m256 hi = FC_VM_S8(88.7228394f);
    __m256 xc = _mm256_min_ps(hi, _mm256_max_ps(FC_VM_S8(-104.0f), x)), r, p, big;
    __m256i n, h;
    r = fc_vm_reduce8(xc, &n);
    p = _mm256_fmadd_ps(r, FC_VM_S8(1.38888892e-3f), FC_VM_S8(8.33333377e-3f));
    p = _mm256_fmadd_ps(p, r, FC_VM_S8(4.16666679e-2f));
    p = _mm256_fmadd_ps(p, r, FC_VM_S8(1.66666672e-1f));
    p = _mm256_fmadd_ps(p, r, FC_VM_S8(0.5f));
    p = _mm256_fmadd_ps(p, r, FC_VM_S8(1.0f));
    p = _mm256_fmadd_ps(p, r, FC_VM_S8(1.0f));
    /* h = n / 2 rounded toward zero, as C's division */
    h = _mm256_srai_epi32(_mm256_add_epi32(n, _mm256_srli_epi32(n, 31)), 1);
    p = _mm256_mul_ps(_mm256_mul_ps(p, fc_vm_pow2i8(h)), fc_vm_pow2i8(_mm256_sub_epi32(n, h)));
    p = _mm256_blendv_ps(p, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    big = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
    return _mm256_blendv_ps(p, FC_VM_S8(HUGE_VALF), big);
}

/* fc_vm_tanh1: m / (m + 2) with the sign of x, m = expm1(2|x|) = 2^n (e^r - 1) + (2^n - 1) */
FC_VM_INLINE __m256 fc_vm_tanh8(__m256 x)
{
    __m256 a = _mm256_min_ps(FC_VM_S8(9.0f), _mm256_andnot_ps(FC_VM_S8(-0.0f), x));
    __m256 z = _mm256_mul_ps(FC_VM_S8(2.0f), a), r, q, s, m;
    __m256i n;
    r = fc_vm_reduce8(z, &n); /* n in [0, 26] */
    q = _mm256_fmadd_ps(r, FC_VM_S8(1.98412701e-4f), FC_VM_S8(1.38888892e-3f));
    q = _mm256_fmadd_ps(q, r, FC_VM_S8(8.33333377e-3f));
    q = _mm256_fmadd_ps(q, r, FC_VM_S8(4.16666679e-2f));
    q = _mm256_fmadd_ps(q, r, FC_VM_S8(1.66666672e-1f));
    q = _mm256_fmadd_ps(q, r, FC_VM_S8(0.5f));
    q = _mm256_mul_ps(_mm256_fmadd_ps(q, r, FC_VM_S8(1.0f)), r);
    s = fc_vm_pow2i8(n);
    m = _mm256_fmadd_ps(s, q, _mm256_sub_ps(s, FC_VM_S8(1.0f)));
    return fc_vm_copysign8(_mm256_div_ps(m, _mm256_add_ps(m, FC_VM_S8(2.0f))), x);
}

/* fc_vm_gelu_tanh1: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
FC_VM_INLINE __m256 fc_vm_gelu_tanh8(__m256 x)
{
    __m256 c = fc_vm_keep8(
        _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(FC_VM_S8(0.044715f), x), x), x));
    __m256 t = fc_vm_tanh8(_mm256_mul_ps(FC_VM_S8(0.79788456080286536f), _mm256_add_ps(x, c)));
    return _mm256_mul_ps(_mm256_mul_ps(FC_VM_S8(0.5f), x), _mm256_add_ps(FC_VM_S8(1.0f), t));
}

/* fc_vm_erf1: x P(x^2) for |x| < 1, else 1 - 2 Phi(-sqrt2 |x|) with the sign of x */
FC_VM_INLINE __m256 fc_vm_erf8(__m256 x)
{
    __m256 a = _mm256_andnot_ps(FC_VM_S8(-0.0f), x), u = _mm256_mul_ps(x, x), small, big, b;
    small = _mm256_fmadd_ps(u, FC_VM_S8(-5.65410585876216e-4f), FC_VM_S8(4.92327766497288e-3f));
    small = _mm256_fmadd_ps(small, u, FC_VM_S8(-0.0267163850964272f));
    small = _mm256_fmadd_ps(small, u, FC_VM_S8(0.112803644080253f));
    small = _mm256_fmadd_ps(small, u, FC_VM_S8(-0.376123497845404f));
    small = _mm256_mul_ps(_mm256_fmadd_ps(small, u, FC_VM_S8(1.12837912739274640f)), x);
    b = _mm256_blendv_ps(_mm256_mul_ps(a, FC_VM_S8(1.41421356f)), FC_VM_S8(5.7f),
                         _mm256_cmp_ps(a, FC_VM_S8(4.03f), _CMP_GT_OQ));
    big = _mm256_sub_ps(FC_VM_S8(1.0f),
                        fc_vm_keep8(_mm256_mul_ps(FC_VM_S8(2.0f), fc_vm_phin8(b))));
    big = _mm256_blendv_ps(fc_vm_copysign8(big, x), small,
                           _mm256_cmp_ps(a, FC_VM_S8(1.0f), _CMP_LT_OQ));
    return _mm256_blendv_ps(big, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/* y[i] = F(x[i] + b[i * bs]) (b may be 0: no bias; y may be x), the tail through a buffer */
#define FC_VM_MAP8(F, x, b, bs, y, n)                                                          \
    do {                                                                                       \
        int64_t fc_vm8_i;                                                                      \
        for (fc_vm8_i = 0; fc_vm8_i < (n); fc_vm8_i += 8) {                                    \
            float fc_vm8_t[8] = {0};                                                           \
            int64_t fc_vm8_r = (n) - fc_vm8_i < 8 ? (n) - fc_vm8_i : 8, fc_vm8_j;              \
            __m256 fc_vm8_v;                                                                   \
            if (fc_vm8_r == 8) {                                                               \
                fc_vm8_v = _mm256_loadu_ps((x) + fc_vm8_i);                                    \
                if ((b) && (bs))                                                               \
                    fc_vm8_v = _mm256_add_ps(fc_vm8_v, _mm256_loadu_ps((b) + fc_vm8_i));       \
                else if (b)                                                                    \
                    fc_vm8_v = _mm256_add_ps(fc_vm8_v, _mm256_set1_ps((b)[0]));                \
                _mm256_storeu_ps((y) + fc_vm8_i, F(fc_vm8_v));                                 \
                continue;                                                                      \
            }                                                                                  \
            for (fc_vm8_j = 0; fc_vm8_j < fc_vm8_r; fc_vm8_j++)                                \
                fc_vm8_t[fc_vm8_j] = (b) ? (x)[fc_vm8_i + fc_vm8_j] +                          \
                                               (b)[(fc_vm8_i + fc_vm8_j) * (bs)]               \
                                         : (x)[fc_vm8_i + fc_vm8_j]; /* -0 stays -0 */         \
            _mm256_storeu_ps(fc_vm8_t, F(_mm256_loadu_ps(fc_vm8_t)));                          \
            for (fc_vm8_j = 0; fc_vm8_j < fc_vm8_r; fc_vm8_j++)                                \
                (y)[fc_vm8_i + fc_vm8_j] = fc_vm8_t[fc_vm8_j];                                 \
        }                                                                                      \
    } while (0)

/* y[i] = GELU(x[i] + b[i * bs]) (b may be 0) */
static FC_MAYBE_UNUSED void fc_vm_gelu8_map(const float *x, const float *b, int64_t bs,
                                            float *y, int64_t n)
{
    FC_VM_MAP8(fc_vm_gelu8, x, b, bs, y, n);
}
#endif

/* r[j] = row j of an 8 x 8 tile -> r[n] = its column n, in AVX registers (24 shuffles instead
 * of 64 single-float loads and stores): pairs of rows interleave (unpack), then 4-row quads per
 * 128-bit lane (shuffle_ps), then the lanes swap across the quads (permute2f128). For the
 * kernels that change a layout on the way: FcLinear's moved axis (k_linear.c), the GEMM's A
 * strips (k_gemm.c). */
#if !defined(FC_RT_AVX512) && defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define FC_VT_TRANSPOSE8 1
static __inline__ FC_MAYBE_UNUSED void fc_vt_transpose8(__m256 r[8])
{
    __m256 t[8], u[8];
    int j;
    for (j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]);
        t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
    }
    for (j = 0; j < 8; j += 4) {
        u[j] = _mm256_shuffle_ps(t[j], t[j + 2], 0x44);
        u[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], 0xEE);
        u[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0x44);
        u[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], 0xEE);
    }
    for (j = 0; j < 4; j++) {
        r[j] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x20);
        r[j + 4] = _mm256_permute2f128_ps(u[j], u[j + 4], 0x31);
    }
}
#endif

#endif /* FC_VACT_H */
