/* k_gemm.c — dense matrix multiplication: the one float32 GEMM routine every matrix-shaped
 * op of fastc runs on (Gemm, MatMul, Conv via im2col, ConvTranspose via col2im), a plain
 * double-precision GEMM, and the Gemm / MatMul kernels.
 *
 * fc_rt_sgemm follows the classic blocked design: op(B) is packed block by block
 * (FC_SG_KC x FC_SG_NC) into FC_SG_NR-wide column strips, op(A) into FC_SG_MR-tall row strips
 * (FC_SG_MC x FC_SG_KC), and a register-tiled micro-kernel multiplies one A strip by one B
 * strip into an FC_SG_MR x FC_SG_NR accumulator tile held in registers. Per k step the
 * micro-kernel loads one contiguous FC_SG_NR-float row of B and broadcasts FC_SG_MR values of
 * A; with GCC / clang it is written with their portable vector extension (GCC's -O3 otherwise
 * vectorizes the plain loop nest along k, with shuffles, and runs ~30x slower with AVX-512),
 * elsewhere as plain loops. A later SIMD micro-kernel can replace fc_sg_micro alone.
 * Matrix-vector shapes (M == 1 or N == 1) skip the packing, which would cost as much as the
 * product itself. All temporary memory comes from the caller (`work`, size from
 * fc_rt_sgemm_work).
 * fc-deps: fc_vact.h
 */
#include "fc_rt.h"
#include "fc_vact.h"

/* Register tile FC_SG_MR x FC_SG_NR and vector width FC_SG_VW (floats) per target ISA. The
 * emitted program may be compiled for a different ISA than the compiler that sized its
 * scratch memory, so fc_rt_sgemm_work uses the largest tile of any configuration. With GCC /
 * clang the micro-kernel uses their vector extension (explicit vectors keep the accumulator
 * tile in registers at every -O level, where plain loops are vectorized along k at -O3). */
#if !defined(FC_SG_MR)
#if defined(__AVX512F__) && (defined(__GNUC__) || defined(__clang__))
/* 8 x 32: per k step 8 broadcasts and 2 loads feed 16 FMAs. The 12 x 16 tile needed 13 loads
 * for 12 FMAs and ran load-bound at ~65-75 % of the FMA peak; this one reaches 85 %
 * (bench/sgemm.c). */
#define FC_SG_VW 16
#define FC_SG_MR 8
#define FC_SG_NR 32
#elif defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
#define FC_SG_VW 8
#define FC_SG_MR 6
#define FC_SG_NR 16
#elif (defined(__SSE2__) || defined(__ARM_NEON)) && (defined(__GNUC__) || defined(__clang__))
#define FC_SG_VW 4
#define FC_SG_MR 8
#define FC_SG_NR 8
#else
#define FC_SG_VW 1
#define FC_SG_MR 4
#define FC_SG_NR 16
#endif
#endif
#define FC_SG_MR_LCM FC_RT_A_STRIP /* a multiple of every FC_SG_MR; FC_SG_MC is one too */
#if FC_SG_MR_LCM % FC_SG_MR != 0
#error "FC_SG_MR must divide FC_SG_MR_LCM (the compile-time packed weight panels' strip height)"
#endif
#define FC_SG_NR_LCM 32 /* a multiple of every FC_SG_NR; FC_SG_NC is one too */
#define FC_SG_KC 256
#define FC_SG_MC 120
#define FC_SG_NC 2048

/* Full unrolling of the loops over the register tile, so the accumulators are registers:
 * clang 14 kept them on the stack under "GCC unroll" (the emitted C built with clang ran
 * convnext_tiny_ish_b8 2.6x slower than with GCC). */
#if defined(__clang__)
#define FC_SG_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define FC_SG_UNROLL _Pragma("GCC unroll 16")
#else
#define FC_SG_UNROLL
#endif
/* The micro-kernel's k loop unrolled 4 times: the loop counter, compare and branch once per
 * 48 multiply-adds instead of 12 (bert_mini's 128 x 1024 x 256 with W in cache on a Zen 3:
 * 88 -> 94 % of the FMA peak). The order of every accumulator's additions is unchanged. */
#if defined(__clang__)
#define FC_SG_KUNROLL _Pragma("clang loop unroll_count(4)")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define FC_SG_KUNROLL _Pragma("GCC unroll 4")
#else
#define FC_SG_KUNROLL
#endif
#if defined(__GNUC__) || defined(__clang__)
#define FC_SG_RESTRICT __restrict__
#else
#define FC_SG_RESTRICT
#endif

/* A software prefetch into L2 (nothing where the compiler has none). The tiles it fetches
 * (weights streamed from memory) are needed a whole micro-kernel call later: a prefetch into
 * L1 holds one of L1's few miss buffers for the whole trip to memory, which capped the
 * stream at ~15 GB/s on Zen 4, where into L2 it reached ~23 (4 x 2048 x 512 with W not in
 * cache: 0.25 -> 0.18 ms); the micro-kernel's own loads then find the tile in L2. */
#if defined(__GNUC__) || defined(__clang__)
#define FC_SG_PREFETCH(p) __builtin_prefetch((p), 0, 2)
#else
#define FC_SG_PREFETCH(p) ((void)(p))
#endif

FC_RT_HELPER int64_t fc_sg_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

FC_RT_HELPER int64_t fc_sg_roundup(int64_t a, int64_t m)
{
    return (a + m - 1) / m * m;
}

/* The k block length for a product over K: at most FC_SG_KC, and the blocks of equal length
 * (K = 784 runs as 4 x 196, not 3 x 256 + 16: a short last block pays the tile's C loads and
 * stores for few multiply-adds). */
FC_RT_HELPER int64_t fc_sg_kc(int64_t K)
{
    const int64_t blocks = (K + FC_SG_KC - 1) / FC_SG_KC;
    return blocks <= 1 ? K : (K + blocks - 1) / blocks;
}

/* Rows of macro-block b of M rows: blocks of at most FC_SG_MC rows, as even as whole MR strips
 * allow (M = 128 runs as 2 x 64, not 120 + an 8-row block that streams the whole B panel
 * again for 8 rows of work; measured: ~1% on BERT's GEMMs, within the noise). The loops
 * advance by the value they get. */
FC_RT_HELPER int64_t fc_sg_mc(int64_t M, int64_t b)
{
    const int64_t strips = (M + FC_SG_MR - 1) / FC_SG_MR, per = FC_SG_MC / FC_SG_MR;
    const int64_t blocks = (strips + per - 1) / per;
    const int64_t n = strips / blocks + (b < strips % blocks ? 1 : 0);
    return n * FC_SG_MR;
}

/* Floats of the packed B panel for an N x K product (an upper bound for every tile shape). */
FC_RT_HELPER int64_t fc_sg_panel_b(int64_t N, int64_t K)
{
    return fc_sg_min(K, FC_SG_KC) * fc_sg_min(fc_sg_roundup(N, FC_SG_NR_LCM), FC_SG_NC);
}

/* Floats of work memory fc_rt_sgemm needs for an M x N x K product. */
FC_RT int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K)
{
    int64_t packed, vec;
    if (M <= 0 || N <= 0 || K <= 0)
        return 0;
    packed = fc_sg_panel_b(N, K) +
             fc_sg_min(fc_sg_roundup(M, FC_SG_MR_LCM), FC_SG_MC) * fc_sg_min(K, FC_SG_KC) + 32;
    vec = M + K + 32;
    return packed > vec ? packed : vec;
}

/* Rounds a work pointer up to a 64-byte boundary (the work size includes the slack). */
FC_RT_HELPER float *fc_sg_align(float *p)
{
    uintptr_t a = (uintptr_t)p;
    return (float *)(void *)(p + ((64 - (a & 63)) & 63) / sizeof(float));
}

/* Dot product with 16 independent partial sums (vectorizable without reassociation flags). */
FC_RT_HELPER float fc_sg_dot(const float *FC_SG_RESTRICT a, const float *FC_SG_RESTRICT b,
                             int64_t n)
{
    float s[16];
    float r;
    const int64_t n16 = n - n % 16; /* a bound of its own: see fc_cv_axpy */
    int64_t i;
    int u;
    for (u = 0; u < 16; u++)
        s[u] = 0.0f;
    for (i = 0; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            s[u] += a[i + u] * b[i + u];
    for (u = 0; u < 8; u++)
        s[u] += s[u + 8];
    r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (i = n16; i < n; i++)
        r += a[i] * b[i];
    return r;
}

/* y[0..n) += a * x[0..n) */
FC_RT_HELPER void fc_sg_axpy(int64_t n, float a, const float *FC_SG_RESTRICT x,
                             float *FC_SG_RESTRICT y)
{
    const int64_t n16 = n - n % 16; /* a bound of its own: see fc_cv_axpy */
    int64_t i;
    int u;
    for (i = 0; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            y[i + u] += a * x[i + u];
    for (i = n16; i < n; i++)
        y[i] += a * x[i];
}

/* Packs rows [0,mc) x cols [0,kc) of op(A) (already offset) into MR-tall strips: strip s holds,
 * for each k, the MR values op(A)[s*MR + i][k]; rows past mc are zero. */
#if defined(FC_VT_TRANSPOSE8) && FC_SG_MR == 6
/* Six rows' next 8 values (row i at a + i * lda) into dst[k * 6 + i], k < 8: an 8 x 8
 * transpose in registers (two rows of zeros), 6 loads and 8 overlapping stores (each column's
 * two zeros are overwritten by the next), where the element loop ran ~13 instructions per 6
 * floats: packing A was 3.5 % of convnext_tiny_ish_b8's time on a Zen 3, 2.8 % of
 * mlp_gelu_b64's. */
static __inline__ void fc_sg_pack6x8(const float *a, int64_t lda, float *dst)
{
    __m256 r[8];
    int j;
    for (j = 0; j < 6; j++)
        r[j] = _mm256_loadu_ps(a + j * lda);
    r[6] = r[7] = _mm256_setzero_ps();
    fc_vt_transpose8(r); /* r[k]: rows 0 .. 5 of column k, then two zeros */
    for (j = 0; j < 7; j++)
        _mm256_storeu_ps(dst + 6 * j, r[j]);
    _mm_storeu_ps(dst + 42, _mm256_castps256_ps128(r[7]));
    _mm_storel_pi((__m64 *)(void *)(dst + 46), _mm256_extractf128_ps(r[7], 1));
}
#endif

FC_RT_HELPER void fc_sg_pack_a(int64_t mc, int64_t kc, const float *A, int64_t lda, int transA,
                               float *FC_SG_RESTRICT dst)
{
    int64_t s, k, i;
    for (s = 0; s < mc; s += FC_SG_MR) {
        int64_t mr = fc_sg_min(FC_SG_MR, mc - s);
        if (!transA) {
            const float *a = A + s * lda;
            if (mr == FC_SG_MR) {
                k = 0;
#if defined(FC_VT_TRANSPOSE8) && FC_SG_MR == 6
                for (; k + 8 <= kc; k += 8)
                    fc_sg_pack6x8(a + k, lda, dst + k * FC_SG_MR);
#endif
                for (; k < kc; k++)
                    for (i = 0; i < FC_SG_MR; i++)
                        dst[k * FC_SG_MR + i] = a[i * lda + k];
            } else {
                for (k = 0; k < kc; k++)
                    for (i = 0; i < FC_SG_MR; i++)
                        dst[k * FC_SG_MR + i] = i < mr ? a[i * lda + k] : 0.0f;
            }
        } else {
            /* op(A)[m][k] = A[k*lda + m]: each k reads mr contiguous floats */
            for (k = 0; k < kc; k++) {
                const float *a = A + k * lda + s;
                for (i = 0; i < FC_SG_MR; i++)
                    dst[k * FC_SG_MR + i] = i < mr ? a[i] : 0.0f;
            }
        }
        dst += kc * FC_SG_MR;
    }
}

/* Packs rows [0,kc) x cols [0,nc) of op(B) (already offset) into NR-wide strips. */
FC_RT_HELPER void fc_sg_pack_b(int64_t kc, int64_t nc, const float *B, int64_t ldb, int transB,
                               float *FC_SG_RESTRICT dst)
{
    int64_t s, k, j;
    for (s = 0; s < nc; s += FC_SG_NR) {
        int64_t nr = fc_sg_min(FC_SG_NR, nc - s);
        if (!transB) {
            const float *b = B + s;
            if (nr == FC_SG_NR) {
                for (k = 0; k < kc; k++)
                    for (j = 0; j < FC_SG_NR; j++)
                        dst[k * FC_SG_NR + j] = b[k * ldb + j];
            } else {
                for (k = 0; k < kc; k++)
                    for (j = 0; j < FC_SG_NR; j++)
                        dst[k * FC_SG_NR + j] = j < nr ? b[k * ldb + j] : 0.0f;
            }
        } else {
            /* op(B)[k][n] = B[n*ldb + k]: walk each source row once */
            for (j = 0; j < FC_SG_NR; j++) {
                if (j < nr) {
                    const float *b = B + (s + j) * ldb;
                    for (k = 0; k < kc; k++)
                        dst[k * FC_SG_NR + j] = b[k];
                } else {
                    for (k = 0; k < kc; k++)
                        dst[k * FC_SG_NR + j] = 0.0f;
                }
            }
        }
        dst += kc * FC_SG_NR;
    }
}

/* The tile epilogue a GEMM can apply while its output is still in registers (the last k
 * block of a tile): a bias over the columns, then an activation; ReLU anywhere, the erf GELU
 * where the table GELU is built (AVX-512). Others run as the caller's pass over the output. */
FC_RT int fc_rt_sgemm_tile_act(int act)
{
#if defined(FC_VM_GELU_TABLE) && FC_SG_VW == 16
    if (FC_RT_HAS_ACT(FC_ACT_GELU_ERF) && act == FC_ACT_GELU_ERF)
        return 1;
#endif
    return act == FC_ACT_NONE || act == FC_ACT_RELU;
}

/* c[j] = act(c[j] + bias[j]) for j < n (bias may be NULL): a partial tile's row, the same
 * operations per element as the vector path (fc_sg_act) and as k_vmath.c's
 * fc_rt_vact_biased */
FC_RT_HELPER void fc_sg_bias_act_row(float *c, const float *bias, int64_t n, int act)
{
    int64_t j;
#if defined(FC_VM_GELU_TABLE) && FC_SG_VW == 16
    if (FC_RT_HAS_ACT(FC_ACT_GELU_ERF) && act == FC_ACT_GELU_ERF) {
        fc_vm_gelu_table_map(c, bias, bias ? 1 : 0, c, n);
        return;
    }
#endif
    if (bias)
        for (j = 0; j < n; j++)
            c[j] += bias[j];
    if (act == FC_ACT_RELU)
        for (j = 0; j < n; j++)
            c[j] = c[j] > 0.0f ? c[j] : 0.0f;
}

/* C[0..mr) x [0..nr) += alpha * (packed A strip) x (packed B tile), over kc (store: = instead
 * of +=, for the first k block of a product that overwrites C). pf, when not NULL, is the B
 * tile of the next call in the same layout: each k step prefetches its row there, one cache
 * line per 16 columns, so a tile streamed from memory (weights prepacked at compile time and
 * read once per run: 4 MB matrices multiplied by a few rows) arrives while this one computes
 * instead of on demand (3x faster for 4 x 512 x 2048 with the weights not in cache). bias
 * (NULL: none; at the tile's first column) and act (fc_rt_sgemm_tile_act), given with a
 * tile's last k block, go on each finished value before it is stored: the epilogue costs no
 * pass over C. The strip's MR values of step
 * k are at pa + k * astride: FC_SG_MR in a strip packed here, FC_SG_MR_LCM in a panel of the
 * ISA-independent layout (below) that a strip of MR rows shares with the others. The B tile's
 * column c of row k is at pb[k * bstride + (c / 16) * jump + c % 16]: a strip packed here
 * has bstride FC_SG_NR and jump 16 (rows of NR contiguous floats); a compile-time prepacked
 * panel is made of 16-column strips, bstride 16 and jump 16 * K (the next strip). A vector of
 * VW <= 16 floats never crosses a 16-column boundary, so each is one contiguous load. */
#define FC_SG_B_AT(pb, k, bstride, jump, c) \
    ((pb) + (k) * (bstride) + ((c) / 16) * (jump) + (c) % 16)
#if FC_SG_VW > 1
typedef float fc_sg_vec __attribute__((vector_size(FC_SG_VW * 4)));
typedef int32_t fc_sg_ivec __attribute__((vector_size(FC_SG_VW * 4)));
#if defined(__GNUC__) || defined(__clang__)
#define FC_SG_INLINE static __inline__ __attribute__((always_inline)) FC_MAYBE_UNUSED
#else
#define FC_SG_INLINE static FC_MAYBE_UNUSED
#endif

/* The activation on a tile's vector of finished values (act: one fc_rt_sgemm_tile_act
 * accepts), the same operations per element as fc_sg_bias_act_row */
FC_SG_INLINE fc_sg_vec fc_sg_act(fc_sg_vec v, int act)
{
#if defined(FC_VM_GELU_TABLE) && FC_SG_VW == 16
    if (FC_RT_HAS_ACT(FC_ACT_GELU_ERF) && act == FC_ACT_GELU_ERF) {
        __m512 x;
        memcpy(&x, &v, sizeof x);
        x = fc_vm_gelu16(x);
        memcpy(&v, &x, sizeof v);
        return v;
    }
#endif
    if (act == FC_ACT_RELU) { /* v > 0 ? v : +0, NaN to +0, as the scalar comparison */
        fc_sg_ivec keep = (fc_sg_ivec)(v > (fc_sg_vec){0}), bits;
        memcpy(&bits, &v, sizeof bits);
        bits &= keep;
        memcpy(&v, &bits, sizeof v);
    }
    return v;
}
/* The micro-kernel for tiles MV rows by NV vectors (constants where it is inlined: the full
 * tile's FC_SG_MR x FC_SG_NR / FC_SG_VW, or half of either for a strip of at most half the rows
 * or the last columns of a product whose width leaves at most half a tile, which would
 * otherwise compute a whole tile of padding). */
FC_RT_FMA_FN FC_SG_INLINE void fc_sg_micro_w(int64_t kc, const float *FC_SG_RESTRICT pa,
                              int64_t astride, const float *FC_SG_RESTRICT pb, int64_t bstride,
                              int64_t jump,
                              float *C, int64_t ldc, int64_t mr, int64_t nr, float alpha,
                              int store, const float *pf, const float *bias, int act,
                              const int NV, const int MV)
{
    FC_RT_FMA_BEGIN
    fc_sg_vec acc[FC_SG_MR][FC_SG_NR / FC_SG_VW];
    float out[FC_SG_MR][FC_SG_NR];
    int64_t k;
    int i, j;
    FC_SG_UNROLL
    for (i = 0; i < MV; i++) {
        FC_SG_UNROLL
        for (j = 0; j < FC_SG_NR / FC_SG_VW; j++)
            acc[i][j] = (fc_sg_vec){0};
    }
#define FC_SG_STEP(k)                                                                         \
    do {                                                                                      \
        fc_sg_vec b[FC_SG_NR / FC_SG_VW];                                                     \
        FC_SG_UNROLL                                                                          \
        for (j = 0; j < NV; j++)                                                              \
            memcpy(&b[j], FC_SG_B_AT(pb, k, bstride, jump, j * FC_SG_VW), sizeof b[j]);       \
        FC_SG_UNROLL                                                                          \
        for (i = 0; i < MV; i++) {                                                            \
            float av = pa[(k) * astride + i];                                                 \
            FC_SG_UNROLL                                                                      \
            for (j = 0; j < NV; j++)                                                          \
                acc[i][j] += av * b[j];                                                       \
        }                                                                                     \
    } while (0)
    if (pf) { /* two loops: GCC 12 left the test of pf inside a single one */
        FC_SG_KUNROLL
        for (k = 0; k < kc; k++) {
            for (j = 0; j < NV * FC_SG_VW; j += 16)
                FC_SG_PREFETCH(FC_SG_B_AT(pf, k, bstride, jump, j));
            FC_SG_STEP(k);
        }
    } else {
        FC_SG_KUNROLL
        for (k = 0; k < kc; k++)
            FC_SG_STEP(k);
    }
#undef FC_SG_STEP
    if (mr == MV && nr == NV * FC_SG_VW) {
        /* a whole tile: vector loads and stores of C (the same operations per element as
         * the loops below; copying the tile out first was a libc memcpy call per tile) */
        FC_SG_UNROLL
        for (i = 0; i < MV; i++) {
            float *c = C + i * ldc;
            FC_SG_UNROLL
            for (j = 0; j < NV; j++) {
                fc_sg_vec v;
                if (store) {
                    v = acc[i][j] * alpha;
                } else {
                    memcpy(&v, c + j * FC_SG_VW, sizeof v);
                    v += alpha * acc[i][j];
                }
                if (bias) {
                    fc_sg_vec bv;
                    memcpy(&bv, bias + j * FC_SG_VW, sizeof bv);
                    v += bv;
                }
                if (act)
                    v = fc_sg_act(v, act);
                memcpy(c + j * FC_SG_VW, &v, sizeof v);
            }
        }
        return;
    }
    FC_SG_UNROLL /* a loop left rolled puts acc on the stack: stores in the k loop */
    for (i = 0; i < MV; i++)
        memcpy(out[i], acc[i], sizeof acc[i]);
    for (i = 0; i < mr; i++) {
        float *c = C + i * ldc;
        if (store)
            for (j = 0; j < nr; j++)
                c[j] = alpha * out[i][j];
        else
            for (j = 0; j < nr; j++)
                c[j] += alpha * out[i][j];
        if (bias || act)
            fc_sg_bias_act_row(c, bias, nr, act);
    }
}

FC_RT_FMA_FN FC_RT_HELPER void fc_sg_micro(int64_t kc, const float *FC_SG_RESTRICT pa,
                              int64_t astride, const float *FC_SG_RESTRICT pb, int64_t bstride,
                              int64_t jump,
                              float *C, int64_t ldc, int64_t mr, int64_t nr, float alpha,
                              int store, const float *pf, const float *bias, int act)
{
#if FC_SG_NR / FC_SG_VW >= 2 && FC_SG_NR / FC_SG_VW % 2 == 0
    if (nr <= FC_SG_NR / 2) {
        fc_sg_micro_w(kc, pa, astride, pb, bstride, jump, C, ldc, mr, nr, alpha, store, pf,
                      bias, act, FC_SG_NR / FC_SG_VW / 2, FC_SG_MR);
        return;
    }
#endif
#if FC_SG_MR % 2 == 0
    /* a strip of at most half the rows (a product of few rows: M = 4 took as long as M = 8) */
    if (mr <= FC_SG_MR / 2) {
        fc_sg_micro_w(kc, pa, astride, pb, bstride, jump, C, ldc, mr, nr, alpha, store, pf,
                      bias, act, FC_SG_NR / FC_SG_VW, FC_SG_MR / 2);
        return;
    }
#endif
#if FC_SG_MR % 3 == 0
    /* two thirds (AVX2's 6-row tile: the 4 rows left of 64 or 16, the 4 of ConvNeXt's 2 x 2
     * maps, which the whole tile computed with a third of its multiply-adds wasted) */
    if (mr <= FC_SG_MR / 3 * 2) {
        fc_sg_micro_w(kc, pa, astride, pb, bstride, jump, C, ldc, mr, nr, alpha, store, pf,
                      bias, act, FC_SG_NR / FC_SG_VW, FC_SG_MR / 3 * 2);
        return;
    }
#endif
    fc_sg_micro_w(kc, pa, astride, pb, bstride, jump, C, ldc, mr, nr, alpha, store, pf,
                  bias, act, FC_SG_NR / FC_SG_VW, FC_SG_MR);
}
#else
FC_RT_FMA_FN FC_RT_HELPER void fc_sg_micro(int64_t kc, const float *FC_SG_RESTRICT pa,
                              int64_t astride, const float *FC_SG_RESTRICT pb, int64_t bstride,
                              int64_t jump,
                              float *C, int64_t ldc, int64_t mr, int64_t nr, float alpha,
                              int store, const float *pf, const float *bias, int act)
{
    FC_RT_FMA_BEGIN
    float acc[FC_SG_MR][FC_SG_NR];
    int64_t k;
    int i, j;
    for (i = 0; i < FC_SG_MR; i++)
        for (j = 0; j < FC_SG_NR; j++)
            acc[i][j] = 0.0f;
    for (k = 0; k < kc; k++) {
        const float *a = pa + k * astride;
        if (pf)
            FC_SG_PREFETCH(FC_SG_B_AT(pf, k, bstride, jump, 0));
        for (i = 0; i < FC_SG_MR; i++) {
            float av = a[i];
            for (j = 0; j < FC_SG_NR; j++)
                acc[i][j] += av * *FC_SG_B_AT(pb, k, bstride, jump, j);
        }
    }
    for (i = 0; i < mr; i++) {
        float *c = C + i * ldc;
        if (store)
            for (j = 0; j < nr; j++)
                c[j] = alpha * acc[i][j];
        else
            for (j = 0; j < nr; j++)
                c[j] += alpha * acc[i][j];
        if (bias || act)
            fc_sg_bias_act_row(c, bias, nr, act);
    }
}
#endif

/* C = alpha * op(A) * op(B) + beta * C, with op(A) M x K, op(B) K x N, all row-major:
 * op(A)[m][k] = transA ? A[k*lda + m] : A[m*lda + k], likewise op(B). beta == 0 overwrites C
 * without reading it. `work` holds fc_rt_sgemm_work(M, N, K) floats. */
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work)
{
    int64_t i, j, k;
    /* beta == 0 and the blocked path: the first k block stores C instead of adding to it */
    const int store = beta == 0.0f && K > 0 && alpha != 0.0f && M > 1 && N > 1;
    if (M <= 0 || N <= 0)
        return;
    if (beta == 0.0f && !store) {
        for (i = 0; i < M; i++)
            for (j = 0; j < N; j++)
                C[i * ldc + j] = 0.0f;
    } else if (beta != 1.0f && beta != 0.0f) {
        for (i = 0; i < M; i++)
            for (j = 0; j < N; j++)
                C[i * ldc + j] *= beta;
    }
    if (K <= 0 || alpha == 0.0f)
        return;

    if (M == 1) {
        /* row vector times matrix */
        const float *a = A;
        if (transA) {
            for (k = 0; k < K; k++)
                work[k] = A[k * lda];
            a = work;
        }
        if (!transB) {
            for (k = 0; k < K; k++)
                fc_sg_axpy(N, alpha * a[k], B + k * ldb, C);
        } else {
            for (j = 0; j < N; j++)
                C[j] += alpha * fc_sg_dot(a, B + j * ldb, K);
        }
        return;
    }
    if (N == 1) {
        /* matrix times column vector */
        const float *b = B;
        if (!transB && ldb != 1) {
            for (k = 0; k < K; k++)
                work[k] = B[k * ldb];
            b = work;
        }
        if (!transA) {
            for (i = 0; i < M; i++)
                C[i * ldc] += alpha * fc_sg_dot(A + i * lda, b, K);
        } else {
            float *acc = work + K;
            for (i = 0; i < M; i++)
                acc[i] = 0.0f;
            for (k = 0; k < K; k++)
                fc_sg_axpy(M, b[k], A + k * lda, acc);
            for (i = 0; i < M; i++)
                C[i * ldc] += alpha * acc[i];
        }
        return;
    }

    {
        float *pb = fc_sg_align(work);
        float *pa = fc_sg_align(pb + fc_sg_panel_b(N, K));
        int64_t jc, pc, ic, jr, ir, kcb = fc_sg_kc(K);
        for (jc = 0; jc < N; jc += FC_SG_NC) {
            int64_t nc = fc_sg_min(FC_SG_NC, N - jc);
            for (pc = 0; pc < K; pc += kcb) {
                int64_t kc = fc_sg_min(kcb, K - pc);
                fc_sg_pack_b(kc, nc, transB ? B + jc * ldb + pc : B + pc * ldb + jc, ldb,
                             transB, pb);
                int64_t b = 0, mc;
                for (ic = 0; ic < M; ic += mc, b++) {
                    mc = fc_sg_min(fc_sg_mc(M, b), M - ic);
                    fc_sg_pack_a(mc, kc, transA ? A + pc * lda + ic : A + ic * lda + pc, lda,
                                 transA, pa);
                    for (jr = 0; jr < nc; jr += FC_SG_NR) {
                        int64_t nr = fc_sg_min(FC_SG_NR, nc - jr);
                        const float *bs = pb + (jr / FC_SG_NR) * kc * FC_SG_NR;
                        for (ir = 0; ir < mc; ir += FC_SG_MR) {
                            int64_t mr = fc_sg_min(FC_SG_MR, mc - ir);
                            fc_sg_micro(kc, pa + (ir / FC_SG_MR) * kc * FC_SG_MR, FC_SG_MR, bs,
                                        FC_SG_NR, 16, C + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha,
                                        store && pc == 0, NULL, NULL, FC_ACT_NONE);
                        }
                    }
                }
            }
        }
    }
}

/* ---- Panel entry points, for kernels that build the packed operands themselves ----------
 * Conv writes its im2col columns straight into the packed B layout (no second copy), and its
 * weights are A panels, packed by the compiler (stored in the emitted file) or once per call.
 * Layouts, with the whole K in every strip:
 *   A panel: ceil(M / FC_SG_MR_LCM) strips of FC_SG_MR_LCM (24) rows; strip s holds, for each
 *            k, the 24 values A[s*24 + i][k] (rows past M zero): fc_rt_sgemm_pack_a_panel.
 *            24 is a multiple of every ISA's MR, so the layout does not depend on the ISA the
 *            program is compiled for, and the compiler can pack constant weights: a micro-
 *            kernel's MR rows are a slice of a strip (A stride 24). Index: fc_rt_sgemm_a_at.
 *   B panel: N / NR strips (N a multiple of fc_rt_sgemm_nr()); strip s holds, for each k, the
 *            NR values B[k][s*NR + j]. */

FC_RT int64_t fc_rt_sgemm_nr(void)
{
    return FC_SG_NR;
}

/* Floats an A panel of M x K takes. */
FC_RT int64_t fc_rt_sgemm_a_panel_floats(int64_t M, int64_t K)
{
    return fc_sg_roundup(M, FC_SG_MR_LCM) * K;
}

/* Where A[m][k] sits in an A panel with K columns. */
FC_RT int64_t fc_rt_sgemm_a_at(int64_t K, int64_t m, int64_t k)
{
    return (m / FC_SG_MR_LCM * K + k) * FC_SG_MR_LCM + m % FC_SG_MR_LCM;
}

/* Packs A (M x K, row stride lda) into the A panel dst (fc_rt_sgemm_a_panel_floats). */
FC_RT void fc_rt_sgemm_pack_a_panel(int64_t M, int64_t K, const float *A, int64_t lda, float *dst)
{
    int64_t s, k, i;
    for (s = 0; s < M; s += FC_SG_MR_LCM) {
        const int64_t mr = fc_sg_min(FC_SG_MR_LCM, M - s);
        const float *a = A + s * lda;
        for (k = 0; k < K; k++) {
            for (i = 0; i < mr; i++)
                dst[k * FC_SG_MR_LCM + i] = a[i * lda + k];
            for (; i < FC_SG_MR_LCM; i++)
                dst[k * FC_SG_MR_LCM + i] = 0.0f;
        }
        dst += K * FC_SG_MR_LCM;
    }
}

/* C[M x N] (row stride ldc) = A panel x B panel; C is overwritten. */
FC_RT void fc_rt_sgemm_panels(int64_t M, int64_t N, int64_t K, const float *pa, const float *pb,
                              float *C, int64_t ldc)
{
    int64_t i, j, pc, jr, ir, kcb = fc_sg_kc(K);
    if (K == 0)
        for (i = 0; i < M; i++)
            for (j = 0; j < N; j++)
                C[i * ldc + j] = 0.0f;
    /* K in blocks keeps one B strip's block (kc x NR) in L1 while every A strip passes; the
     * first block stores C (no zeroing pass, no read of C), later ones add to it */
    for (pc = 0; pc < K; pc += kcb) {
        int64_t kc = fc_sg_min(kcb, K - pc);
        for (jr = 0; jr < N; jr += FC_SG_NR) {
            const float *bs = pb + jr * K + pc * FC_SG_NR;
            for (ir = 0; ir < M; ir += FC_SG_MR) {
                /* Conv weights prepacked by the compiler come from memory once per run: in the
                 * first column tile, the first MR rows of each 24-row strip prefetch the next
                 * strip's k block (kc x 24 floats; the micro-kernel's B-tile stride covers it
                 * at 2 lines per k step, ahead of the 1.5 the strip uses) */
                const float *next = jr == 0 && ir % FC_SG_MR_LCM == 0 && ir + FC_SG_MR_LCM < M
                                        ? pa + fc_rt_sgemm_a_at(K, ir + FC_SG_MR_LCM, pc)
                                        : NULL;
                fc_sg_micro(kc, pa + fc_rt_sgemm_a_at(K, ir, pc), FC_SG_MR_LCM, bs, FC_SG_NR, 16,
                            C + ir * ldc + jr, ldc, fc_sg_min(FC_SG_MR, M - ir),
                            fc_sg_min(FC_SG_NR, N - jr), 1.0f, pc == 0, next, NULL, FC_ACT_NONE);
            }
        }
    }
}

/* ---- Weights prepacked at compile time ---------------------------------------------------
 * fastc stores a constant [K, N] weight read only by FcLinear as 16-column strips: strip s
 * holds, for each k, W[k][16s .. 16s+15] (columns past N zero), K * ceil(N/16) * 16 floats in
 * all. The layout does not depend on the ISA (16 is a multiple of every NR; an 8-wide kernel
 * reads half strips), so the packing is done once, by the compiler, not at every run. */

/* out[0..16) = a[0..K) x one 16-column strip ws (K rows of 16), with four independent
 * accumulator chains to hide the FMA latency; explicit vectors where the compiler has them
 * (GCC vectorizes the plain loop along k, with shuffles, several times slower). */
#if FC_SG_VW > 1
FC_RT_FMA_FN FC_RT_HELPER void fc_sg_gemv16(int64_t K, const float *a, const float *ws,
                                          float out[16])
{
    FC_RT_FMA_BEGIN
    fc_sg_vec acc[4][16 / FC_SG_VW], sum[16 / FC_SG_VW];
    int64_t k;
    int u, j;
    for (u = 0; u < 4; u++)
        for (j = 0; j < 16 / FC_SG_VW; j++)
            acc[u][j] = (fc_sg_vec){0};
    for (k = 0; k < K - K % 4; k += 4) /* a bound of its own: see fc_cv_axpy */
        FC_SG_UNROLL
        for (u = 0; u < 4; u++) {
            float av = a[k + u];
            FC_SG_UNROLL
            for (j = 0; j < 16 / FC_SG_VW; j++) {
                fc_sg_vec b;
                memcpy(&b, ws + (k + u) * 16 + j * FC_SG_VW, sizeof b);
                acc[u][j] += av * b;
            }
        }
    for (k = K - K % 4; k < K; k++)
        for (j = 0; j < 16 / FC_SG_VW; j++) {
            fc_sg_vec b;
            memcpy(&b, ws + k * 16 + j * FC_SG_VW, sizeof b);
            acc[0][j] += a[k] * b;
        }
    for (j = 0; j < 16 / FC_SG_VW; j++)
        sum[j] = (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
    memcpy(out, sum, sizeof sum);
}
#else
FC_RT_FMA_FN FC_RT_HELPER void fc_sg_gemv16(int64_t K, const float *a, const float *ws,
                                          float out[16])
{
    FC_RT_FMA_BEGIN
    float acc[4][16];
    int64_t k;
    int u, j;
    for (u = 0; u < 4; u++)
        for (j = 0; j < 16; j++)
            acc[u][j] = 0.0f;
    for (k = 0; k < K - K % 4; k += 4) /* a bound of its own: see fc_cv_axpy */
        for (u = 0; u < 4; u++)
            for (j = 0; j < 16; j++)
                acc[u][j] += a[k + u] * ws[(k + u) * 16 + j];
    for (k = K - K % 4; k < K; k++)
        for (j = 0; j < 16; j++)
            acc[0][j] += a[k] * ws[k * 16 + j];
    for (j = 0; j < 16; j++)
        out[j] = (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
}
#endif

/* C[M x N] (row stride ldc) = A[M x K] (row-major, lda) x Wp (that layout, N columns from
 * its first strip); C is overwritten. `work`: fc_rt_sgemm_work(M, N, K) floats.
 * bias (N floats, or NULL) and act (FC_ACT_NONE or one fc_rt_sgemm_tile_act accepts) are
 * applied to each register tile as it is stored after its last k block: C = act(A Wp + bias)
 * with no pass over C (a separate bias pass was 7 % of a 2048 x 64 x 256 product, the GELU
 * pass another 12 %).
 * ep, when not NULL, is the caller's epilogue for the rest (an activation the tile cannot
 * apply, a residual): it gets every finished block of C -- rows [i0, i0 + rows) x columns
 * [j0, j0 + cols), at c with row stride ldc -- right after the block's last k block: a
 * macro-block of FC_SG_MC rows x all N columns, still in L2 (called per MR x NR tile, in L1,
 * it was slower on BERT: 8 x 32 pieces are too short for the array activation). ctx is
 * passed on. */
FC_RT void fc_rt_sgemm_prepacked_ep(int64_t M, int64_t N, int64_t K, const float *A,
                                    int64_t lda, const float *Wp, float *C, int64_t ldc,
                                    float *work, const float *bias, int act,
                                    void (*ep)(float *c, int64_t ldc, int64_t i0, int64_t j0,
                                               int64_t rows, int64_t cols, const void *ctx),
                                    const void *ctx)
{
    int64_t i, j, pc, ic, jr, ir;
    if (M <= 0 || N <= 0)
        return;
    if (K <= 0) {
        for (i = 0; i < M; i++) {
            for (j = 0; j < N; j++)
                C[i * ldc + j] = 0.0f;
            if (bias || act)
                fc_sg_bias_act_row(C + i * ldc, bias, N, act);
        }
        if (ep)
            ep(C, ldc, 0, 0, M, N, ctx);
        return;
    }
    if (M == 1) { /* a row vector: stream every strip once */
        for (jr = 0; jr < N; jr += 16) {
            float out[16];
            int64_t nr = fc_sg_min(16, N - jr);
            fc_sg_gemv16(K, A, Wp + jr * K, out);
            for (j = 0; j < nr; j++)
                C[jr + j] = out[j];
            if (bias || act)
                fc_sg_bias_act_row(C + jr, bias ? bias + jr : NULL, nr, act);
            if (ep)
                ep(C + jr, ldc, 0, jr, 1, nr, ctx);
        }
        return;
    }
    {
        float *pa = fc_sg_align(work);
        const int64_t kcb = fc_sg_kc(K);
        for (pc = 0; pc < K; pc += kcb) {
            int64_t kc = fc_sg_min(kcb, K - pc);
            int last = pc + kc == K;
            int64_t b = 0, mc;
            for (ic = 0; ic < M; ic += mc, b++) {
                mc = fc_sg_min(fc_sg_mc(M, b), M - ic);
                fc_sg_pack_a(mc, kc, A + ic * lda + pc, lda, 0, pa);
                for (jr = 0; jr < N; jr += FC_SG_NR) {
                    /* column jr lies in 16-strip jr / 16, at offset jr % 16 inside it */
                    const float *bs = Wp + (jr / 16) * 16 * K + pc * 16 + jr % 16;
                    int64_t nr = fc_sg_min(FC_SG_NR, N - jr), jn = jr + FC_SG_NR;
                    /* the first strip of rows fetches the next tile of W on the way */
                    const float *next =
                        jn < N ? Wp + (jn / 16) * 16 * K + pc * 16 + jn % 16 : NULL;
                    /* the tile epilogue goes with the last k block */
                    const float *tb = last && bias ? bias + jr : NULL;
                    const int tact = last ? act : FC_ACT_NONE;
                    for (ir = 0; ir < mc; ir += FC_SG_MR) {
                        int64_t mr = fc_sg_min(FC_SG_MR, mc - ir);
                        float *c = C + (ic + ir) * ldc + jr;
                        fc_sg_micro(kc, pa + (ir / FC_SG_MR) * kc * FC_SG_MR, FC_SG_MR, bs, 16,
                                    16 * K, c, ldc, mr, nr, 1.0f, pc == 0, ir ? NULL : next,
                                    tb, tact);
                    }
                }
                if (last && ep)
                    ep(C + ic * ldc, ldc, ic, 0, mc, N, ctx);
            }
        }
    }
}

FC_RT void fc_rt_sgemm_prepacked(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                 const float *Wp, float *C, int64_t ldc, float *work)
{
    fc_rt_sgemm_prepacked_ep(M, N, K, A, lda, Wp, C, ldc, work, NULL, FC_ACT_NONE, NULL, NULL);
}

/* Packs W[K x N] (row-major) into the layout above (the compiler's half of the contract). */
FC_RT void fc_rt_sgemm_prepack(int64_t K, int64_t N, const float *W, float *Wp)
{
    int64_t s, k, j;
    for (s = 0; s < fc_sg_roundup(N, 16) + 16; s += 16)
        for (k = 0; k < K; k++)
            for (j = 0; j < 16; j++)
                *Wp++ = s + j < N ? W[k * N + s + j] : 0.0f;
}

/* Floats the prepacked layout of a K x N weight takes: one zero strip more than the columns
 * need, because a 32-wide micro-kernel tile starting at the last strip reads the next one
 * (its columns are not stored). */
FC_RT int64_t fc_rt_sgemm_prepacked_floats(int64_t K, int64_t N)
{
    return K * (fc_sg_roundup(N, 16) + 16);
}

/* Double-precision C = alpha * op(A) * op(B) + beta * C (straightforward loop nest). */
FC_RT void fc_rt_dgemm(int64_t M, int64_t N, int64_t K, double alpha, const double *A,
                       int64_t lda, int transA, const double *B, int64_t ldb, int transB,
                       double beta, double *C, int64_t ldc)
{
    int64_t i, j, k;
    for (i = 0; i < M; i++) {
        double *c = C + i * ldc;
        if (beta == 0.0) {
            for (j = 0; j < N; j++)
                c[j] = 0.0;
        } else if (beta != 1.0) {
            for (j = 0; j < N; j++)
                c[j] *= beta;
        }
        if (!transB) {
            for (k = 0; k < K; k++) {
                double a = alpha * (transA ? A[k * lda + i] : A[i * lda + k]);
                const double *b = B + k * ldb;
                for (j = 0; j < N; j++)
                    c[j] += a * b[j];
            }
        } else {
            for (j = 0; j < N; j++) {
                const double *b = B + j * ldb;
                double s = 0.0;
                for (k = 0; k < K; k++)
                    s += (transA ? A[k * lda + i] : A[i * lda + k]) * b[k];
                c[j] += alpha * s;
            }
        }
    }
}

/* Gemm: Y = alpha * op(A) * op(B) + beta * C, C unidirectionally broadcast to [M, N].
 * ia: [0] M, [1] N, [2] K, [3] transA, [4] transB,
 *     [5] C form: 0 absent, 1 one element, 2 row [N] (or [1,N]), 3 column [M,1], 4 full [M,N]
 * fa: [0] alpha, [1] beta
 * dtype f32 or f64 (all of A, B, C, Y the same). scratch: fc_rt_sgemm_work(M, N, K) floats. */
FC_RT void fc_rt_gemm(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *a = fc_rt_in(n, t, 0), *b = fc_rt_in(n, t, 1);
    const FcRtTensor *c = fc_rt_opt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t M = n->ia[0], N = n->ia[1], K = n->ia[2], i, j;
    int transA = (int)n->ia[3], transB = (int)n->ia[4], cform = c ? (int)n->ia[5] : 0;
    int64_t lda = transA ? M : K, ldb = transB ? K : N;
    if (y->dtype == FC_DT_F64) {
        double alpha = n->fa[0], beta = n->fa[1];
        double *yd = (double *)y->data;
        const double *cd = c ? (const double *)c->data : NULL;
        if (cform == 0 || beta == 0.0)
            beta = 0.0;
        for (i = 0; i < M && beta != 0.0; i++)
            for (j = 0; j < N; j++)
                yd[i * N + j] = beta * cd[cform == 1 ? 0 : cform == 2 ? j
                                                     : cform == 3 ? i : i * N + j];
        fc_rt_dgemm(M, N, K, alpha, (const double *)a->data, lda, transA,
                    (const double *)b->data, ldb, transB, beta == 0.0 ? 0.0 : 1.0, yd, N);
    } else {
        float alpha = n->fa[0], beta = n->fa[1];
        float *yf = (float *)y->data;
        const float *cf = c ? (const float *)c->data : NULL;
        if (cform == 0)
            beta = 0.0f;
        if (beta != 0.0f) {
            for (i = 0; i < M; i++) {
                float *yr = yf + i * N;
                switch (cform) {
                case 1:
                    for (j = 0; j < N; j++)
                        yr[j] = beta * cf[0];
                    break;
                case 2:
                    for (j = 0; j < N; j++)
                        yr[j] = beta * cf[j];
                    break;
                case 3:
                    for (j = 0; j < N; j++)
                        yr[j] = beta * cf[i];
                    break;
                default:
                    for (j = 0; j < N; j++)
                        yr[j] = beta * cf[i * N + j];
                    break;
                }
            }
        }
        fc_rt_sgemm(M, N, K, alpha, (const float *)a->data, lda, transA,
                    (const float *)b->data, ldb, transB, beta == 0.0f ? 0.0f : 1.0f, yf, N,
                    (float *)n->scratch);
    }
}

/* MatMul (numpy semantics) as a batch of GEMMs over the broadcast batch dimensions.
 * ia: [0] M, [1] N, [2] K, [3] nb (batch rank, 0..FC_MAX_RANK),
 *     [4 .. 4+nb) output batch dims,
 *     [4+nb .. 4+2nb) A matrix stride per batch dim (in matrices; 0 = broadcast),
 *     [4+2nb .. 4+3nb) B matrix stride per batch dim.
 * A is [.., M, K] and B [.., K, N] row-major (1-D operands were promoted by prepare); Y is
 * [batch.., M, N]. dtype f32 or f64. scratch: fc_rt_sgemm_work(M, N, K) floats. */
FC_RT void fc_rt_matmul(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *a = fc_rt_in(n, t, 0), *b = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    const int64_t M = n->ia[0], N = n->ia[1], K = n->ia[2];
    const int nb = (int)n->ia[3];
    const int64_t *bdims = n->ia + 4, *astr = n->ia + 4 + nb, *bstr = n->ia + 4 + 2 * nb;
    const int64_t work = fc_rt_sgemm_work(M, N, K);
    int64_t total = 1, bi;
    int d;
    for (d = 0; d < nb; d++)
        total *= bdims[d];
    /* the matrices of the batch are independent: FC_RT_THREADS threads, each with its own
     * slice of the GEMM's work memory */
    FC_RT_OMP_FOR_IF(total > 1 && total * M * N * K >= 4 * FC_RT_PAR_MIN_WORK)
    for (bi = 0; bi < total; bi++) {
        int64_t rem = bi, ao = 0, bo = 0;
        int e;
        for (e = nb - 1; e >= 0; e--) { /* operand offsets of batch index bi */
            int64_t i = rem % bdims[e];
            rem /= bdims[e];
            ao += i * astr[e];
            bo += i * bstr[e];
        }
        if (y->dtype == FC_DT_F64)
            fc_rt_dgemm(M, N, K, 1.0, (const double *)a->data + ao * M * K, K, 0,
                        (const double *)b->data + bo * K * N, N, 0, 0.0,
                        (double *)y->data + bi * M * N, N);
        else
            fc_rt_sgemm(M, N, K, 1.0f, (const float *)a->data + ao * M * K, K, 0,
                        (const float *)b->data + bo * K * N, N, 0, 0.0f,
                        (float *)y->data + bi * M * N, N,
                        n->scratch ? (float *)n->scratch + FC_RT_TID() * work : NULL);
    }
}

/* FcBatchedGemm: Y = Transpose(alpha * (op(A) @ op(B)), permY) over broadcast batch dims,
 * the operands' and the result's transposes folded into strides (ir/op_fused.c).
 * ia: [0] M, [1] N, [2] K, [3] nb (batch rank), [4] transA, [5] lda, [6] transB, [7] ldb,
 *     [8] ldc, [9 .. 9+nb) batch dims, then per batch dim the A, B and Y strides in floats
 *     (0 = broadcast). fa: [0] alpha, applied to the finished product (Mul's rounding: exact).
 * scratch: fc_rt_sgemm_work(M, N, K) floats per thread. */
FC_RT void fc_rt_batched_gemm(const FcRtNode *n, FcRtTensor *t)
{
    const float *a = (const float *)fc_rt_in(n, t, 0)->data;
    const float *b = (const float *)fc_rt_in(n, t, 1)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t M = n->ia[0], N = n->ia[1], K = n->ia[2], lda = n->ia[5], ldb = n->ia[7];
    const int64_t ldc = n->ia[8];
    const int nb = (int)n->ia[3], transA = (int)n->ia[4], transB = (int)n->ia[6];
    const int64_t *bdims = n->ia + 9, *astr = bdims + nb, *bstr = astr + nb, *ystr = bstr + nb;
    const int64_t work = fc_rt_sgemm_work(M, N, K);
    const float alpha = n->fa[0];
    /* One k block on the blocked path: the GEMM stores alpha * (the finished float sum), the
     * Mul's exact result; otherwise alpha would scale partial sums, so it scales the result. */
    const int in_gemm = K <= FC_SG_KC && M > 1 && N > 1;
    int64_t total = 1, bi;
    int d;
    for (d = 0; d < nb; d++)
        total *= bdims[d];
    FC_RT_OMP_FOR_IF(total > 1 && total * M * N * K >= 4 * FC_RT_PAR_MIN_WORK)
    for (bi = 0; bi < total; bi++) {
        int64_t rem = bi, ao = 0, bo = 0, yo = 0, i, j;
        float *c;
        int e;
        for (e = nb - 1; e >= 0; e--) { /* operand offsets of batch index bi */
            int64_t k = rem % bdims[e];
            rem /= bdims[e];
            ao += k * astr[e];
            bo += k * bstr[e];
            yo += k * ystr[e];
        }
        c = y + yo;
        fc_rt_sgemm(M, N, K, in_gemm ? alpha : 1.0f, a + ao, lda, transA, b + bo, ldb, transB,
                    0.0f, c, ldc, n->scratch ? (float *)n->scratch + FC_RT_TID() * work : NULL);
        if (alpha != 1.0f && !in_gemm)
            for (i = 0; i < M; i++)
                for (j = 0; j < N; j++)
                    c[i * ldc + j] *= alpha;
    }
}
