/* k_vmath.c — float32 exp, erf, tanh and the activations built on them, over whole arrays,
 * written so that GCC / clang vectorize the loops (libm's scalar expf / erff / tanhf are
 * function calls the vectorizer cannot look into; a GELU through erff costs ~10x the FMAs of
 * the GEMM that produced its input).
 *
 * Each element function is branch-free straight-line float / int32 arithmetic (bit casts
 * through memcpy), so the array loops vectorize at -O2 / -O3 for any ISA the compiler
 * targets, and the same code runs in scalar form elsewhere. They are used by the softmax,
 * the FcLinear epilogue and the fused-elementwise kernel; other kernel files reach them with
 * an fc-deps line naming this file. y may equal x (in place) in every array function.
 *
 * Accuracy against correctly rounded results (measured over a dense sweep in
 * tests/unit/test_k_vmath.c, which asserts these bounds):
 *   fc_rt_vexpf   relative error <= 3 ulp (4e-7 relative bound tested) for normal results;
 *                 x > 88.7228 gives +inf, x < -103.98 gives 0, results below FLT_MIN are
 *                 subnormal (absolute error below 1.2e-38); NaN stays NaN.
 *   fc_rt_verff   absolute error <= 1.5e-7, relative <= 4e-7 for |x| < 1; erf(+-inf) = +-1.
 *   fc_rt_vtanhf  relative error <= 4e-7 everywhere (small |x| included: tanh goes through
 *                 an expm1 without cancellation), |x| >= 9 gives +-1.
 * Method: exp splits x = n ln2 + r, |r| <= ln2/2, e^r by its degree-6 Taylor polynomial, and
 * scales by 2^n in two halves (so 2^n never overflows the exponent field and subnormal
 * results come out right). erf uses x * P(x^2) (degree 5, least-squares fitted) for |x| < 1
 * and 1 - e^(-x^2) * Q(x) (degree 11 in t = (2|x| - 5) / 3, fitted to erfc(x) e^(x^2) on
 * [1, 4]) beyond; erf(4) rounds to 1 in float. tanh(|x|) = m / (m + 2), m = expm1(2|x|)
 * computed as 2^n (e^r - 1) + (2^n - 1) with e^r - 1 by its Taylor polynomial.
 */
#include "fc_rt.h"

#if defined(__GNUC__) || defined(__clang__)
#define FC_VM_INLINE static __inline__ FC_MAYBE_UNUSED
#else
#define FC_VM_INLINE static FC_MAYBE_UNUSED
#endif

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
    float xc = x < -104.0f ? -104.0f : x, r, p;
    xc = xc > 88.7228394f ? 88.7228394f : xc;
    r = fc_vm_reduce(xc, &n);
    p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f +
        r * (8.33333377e-3f + r * 1.38888892e-3f)))));
    /* n in [-150, 128]: two factors 2^h, 2^(n-h) are both normal */
    h = n / 2;
    p = p * fc_vm_pow2i(h) * fc_vm_pow2i(n - h);
    return x > 88.7228394f ? HUGE_VALF : x != x ? x : p;
}

FC_VM_INLINE float fc_vm_erf1(float x)
{
    float a = fabsf(x), u = x * x, al, t, q, small, big;
    small = x * (1.12837912739274640f + u * (-0.376123497845404f + u * (0.112803644080253f +
            u * (-0.0267163850964272f + u * (4.92327766497288e-3f + u * -5.65410585876216e-4f)))));
    al = a < 1.0f ? 1.0f : a > 4.0f ? 4.0f : a;
    t = (2.0f * al - 5.0f) * (1.0f / 3.0f);
    q = -3.692872358982211e-05f;
    q = q * t + 9.640451524194494e-05f;
    q = q * t + -1.4394859784805456e-04f;
    q = q * t + 3.6786867241514416e-04f;
    q = q * t + -1.0171177743434992e-03f;
    q = q * t + 2.425885101259541e-03f;
    q = q * t + -5.567332909516614e-03f;
    q = q * t + 1.248403568573149e-02f;
    q = q * t + -2.700572528974045e-02f;
    q = q * t + 5.61109584116351e-02f;
    q = q * t + -1.1152100469538191e-01f;
    q = q * t + 2.1080635752833896e-01f;
    big = 1.0f - fc_vm_exp1(-al * al) * q;
    big = a > 4.0f ? 1.0f : big;
    return x != x ? x : a < 1.0f ? small : fc_vm_copysign(big, x);
}

FC_VM_INLINE float fc_vm_tanh1(float x)
{
    int32_t n;
    float a = fabsf(x), z, r, q, s, m;
    a = a > 9.0f ? 9.0f : a;
    z = 2.0f * a;
    r = fc_vm_reduce(z, &n); /* n in [0, 26] */
    q = r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f +
        r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
    s = fc_vm_pow2i(n);
    m = s * q + (s - 1.0f);
    return fc_vm_copysign(m / (m + 2.0f), x);
}

/* y[i] = exp(x[i]) */
FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = fc_vm_exp1(x[i]);
}

/* y[i] = erf(x[i]) */
FC_RT void fc_rt_verff(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = fc_vm_erf1(x[i]);
}

/* y[i] = tanh(x[i]) */
FC_RT void fc_rt_vtanhf(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = fc_vm_tanh1(x[i]);
}

/* y[i] = 1 / (1 + exp(-x[i])) */
FC_RT void fc_rt_vsigmoidf(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + fc_vm_exp1(-x[i]));
}

/* y[i] = GELU(x[i]) = 0.5 x (1 + erf(x / sqrt 2)) */
FC_RT void fc_rt_vgeluf(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        float v = x[i];
        y[i] = 0.5f * v * (1.0f + fc_vm_erf1(v * 0.70710678118654752f));
    }
}

/* y[i] = tanh-approximated GELU = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
FC_RT void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++) {
        float v = x[i];
        y[i] = 0.5f * v * (1.0f + fc_vm_tanh1(0.79788456080286536f * (v + 0.044715f * v * v * v)));
    }
}

/* A fused kernel's activation epilogue (FcLinear, FcConv {activation=act}), in place on
 * y[0..n): FC_ACT_NONE, FC_ACT_RELU, FC_ACT_GELU_ERF or FC_ACT_GELU_TANH (fc_rt.h). */
FC_RT void fc_rt_vact(float *y, int64_t n, int act)
{
    int64_t i;
    if (act == FC_ACT_RELU)
        for (i = 0; i < n; i++)
            y[i] = y[i] > 0.0f ? y[i] : 0.0f;
    else if (act == FC_ACT_GELU_ERF)
        fc_rt_vgeluf(y, y, n);
    else if (act == FC_ACT_GELU_TANH)
        fc_rt_vgelu_tanhf(y, y, n);
}
