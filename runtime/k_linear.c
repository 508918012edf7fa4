/* k_linear.c — FcLinear: Y[..., N] = act(X[..., K] @ W[K, N] + B[N]) + R[..., N], the fused
 * linear layer the optimizer forms from MatMul + Add(bias) (+ activation) (+ Add(residual)).
 * With prepacked weights the bias and the activation (ReLU; the erf GELU on AVX-512) go on
 * each GEMM register tile as it is stored (k_gemm.c), and what is left of the epilogue (the
 * residual, other activations; ONNX's order throughout) runs on each GEMM macro-block of
 * rows right after its last k block, while it is in cache, instead of a second pass over the
 * whole output.
 * fc-deps: k_gemm.c, k_vmath.c, fc_vact.h
 *
 * act: FC_ACT_* (fc_rt.h). scratch: per thread, the GEMM's work floats (ia[7]). */
#include "fc_rt.h"
#include "fc_vact.h"

/* From k_gemm.c (pasted before this file in generated C, linked in the compiler). */
FC_RT int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT void fc_rt_sgemm_prepacked_ep(int64_t M, int64_t N, int64_t K, const float *A,
                                    int64_t lda, const float *Wp, float *C, int64_t ldc,
                                    float *work, const float *bias, int act,
                                    void (*ep)(float *c, int64_t ldc, int64_t i0, int64_t j0,
                                               int64_t rows, int64_t cols, const void *ctx),
                                    const void *ctx);
FC_RT int fc_rt_sgemm_tile_act(int act);
/* From k_vmath.c: the activation epilogue, in place (with the bias added first). */
FC_RT void fc_rt_vact(float *y, int64_t n, int act);
FC_RT void fc_rt_vact_biased(const float *x, const float *b, int64_t bs, float *y, int64_t n,
                             int act);

/* What the epilogue adds: bias b[N] (or NULL), then act, then residual r (row stride ldr, or
 * NULL); b and r already offset to the GEMM's first column / row. */
typedef struct FcLinearEp {
    const float *b, *r;
    int64_t ldr;
    int act;
} FcLinearEp;

/* The epilogue on rows [i0, i0 + rows) x columns [j0, j0 + cols) of the GEMM's output, at y
 * (row stride ldy): the same additions, in the same order, as the unfused graph. */
FC_RT_HELPER void fc_linear_epilogue(float *y, int64_t ldy, int64_t i0, int64_t j0,
                                     int64_t rows, int64_t cols, const void *ctx)
{
    const FcLinearEp *e = (const FcLinearEp *)ctx;
    int64_t i, j;
    for (i = 0; i < rows; i++) {
        float *o = y + i * ldy;
        if (e->b)
            fc_rt_vact_biased(o, e->b + j0, 1, o, cols, e->act);
        else
            fc_rt_vact(o, cols, e->act);
        if (e->r) {
            const float *r = e->r + (i0 + i) * e->ldr + j0;
            for (j = 0; j < cols; j++)
                o[j] += r[j];
        }
    }
}

/* ---- out_axis: the N axis moved (passes/fold_linear_transpose.c) ------------------------
 * Y row m of the GEMM (m = outer * inner + q over X's leading axes) goes to Y[outer, n, q]
 * for every n: the Transpose after a channels-last linear layer (ConvNeXt's NHWC block back
 * to NCHW), folded in. Rows run in blocks of FC_LIN_BLOCK through a buffer: the GEMM and the
 * bias and activation on the buffer (in cache), then per column n a contiguous run of the
 * block's rows into Y, plus the residual (of Y's shape), which is the unfused graph's
 * Transpose then Add, value for value. */
/* Two of the GEMM's macro-blocks (k_gemm.c's FC_SG_MC = 120 rows): with 128 each block ran
 * as 120 + 8 rows, the 8-row macro-block re-reading every tile of W for one strip of rows
 * (convnext_tiny_ish_b8 ~2 % slower than with 240; 480: no faster). */
#define FC_LIN_BLOCK 240

/* Work floats of a part of `rows` rows: the GEMM's for one block, then the block buffer. */
FC_RT int64_t fc_rt_linear_moved_work(int64_t rows, int64_t N, int64_t K)
{
    int64_t b = rows < FC_LIN_BLOCK ? rows : FC_LIN_BLOCK;
    return (fc_rt_sgemm_work(b, N, K) + 15) / 16 * 16 + b * N;
}

#ifdef FC_RT_AVX512
#define FC_LIN_T 16 /* tiles moved through registers: 16 x 16 */
/* From k_vmath.c: a 16 x 16 tile transposed in registers. */
FC_RT void fc_rt_vtranspose16(__m512 r[16]);

/* Rows [0, 16) x columns [0, 16) of c (row stride N) to y[n * inner + j] (+ res, the same
 * indexing), y and res already at the run's first row in the tile's first column's plane:
 * one vector per row in, one per column out, where the strided loop below reads each float
 * on its own (~0.05 ms per ConvNeXt stage-0 pw2 layer at batch 8). */
FC_RT_HELPER void fc_linear_put_t16(const float *c, int64_t N, int64_t inner, const float *res,
                                    float *y)
{
    __m512 r[16];
    int j, n;
    for (j = 0; j < 16; j++)
        r[j] = _mm512_loadu_ps(c + j * N);
    fc_rt_vtranspose16(r);
    for (n = 0; n < 16; n++) {
        __m512 v = r[n];
        if (res)
            v = _mm512_add_ps(v, _mm512_loadu_ps(res + n * inner));
        _mm512_storeu_ps(y + n * inner, v);
    }
}
#define fc_linear_put_t fc_linear_put_t16
#elif defined(FC_VT_TRANSPOSE8)
#define FC_LIN_T 8

/* The same with 8 x 8 tiles in AVX registers (fc_vact.h's transpose). */
FC_RT_HELPER void fc_linear_put_t8(const float *c, int64_t N, int64_t inner, const float *res,
                                   float *y)
{
    __m256 r[8];
    int j, n;
    for (j = 0; j < 8; j++)
        r[j] = _mm256_loadu_ps(c + j * N);
    fc_vt_transpose8(r);
    for (n = 0; n < 8; n++) {
        __m256 v = r[n];
        if (res)
            v = _mm256_add_ps(v, _mm256_loadu_ps(res + n * inner));
        _mm256_storeu_ps(y + n * inner, v);
    }
}
#define fc_linear_put_t fc_linear_put_t8
#endif

/* Block rows [r0, r0 + rows) of the buffer c (rows x N, bias and activation applied) into Y
 * with the N axis moved: row m = r0 + i lands at (m / inner * N + n) * inner + m % inner. */
FC_RT_HELPER void fc_linear_scatter_moved(const float *c, int64_t r0, int64_t rows, int64_t N,
                                          int64_t inner, const float *res, float *y)
{
    int64_t i = 0;
    while (i < rows) { /* runs of rows inside one `outer` */
        int64_t m = r0 + i, outer = m / inner, q = m % inner, n, j, nt = 0, jt = 0;
        int64_t run = inner - q < rows - i ? inner - q : rows - i;
#ifdef FC_LIN_T
        /* whole tiles (columns [0, nt) x rows [0, jt)) in registers */
        int64_t n0, j0;
        nt = N / FC_LIN_T * FC_LIN_T;
        jt = run / FC_LIN_T * FC_LIN_T;
        for (n0 = 0; n0 < nt; n0 += FC_LIN_T)
            for (j0 = 0; j0 < jt; j0 += FC_LIN_T) {
                int64_t o = (outer * N + n0) * inner + q + j0;
                fc_linear_put_t(c + (i + j0) * N + n0, N, inner, res ? res + o : NULL, y + o);
            }
#endif
        for (n = 0; n < N; n++) {
            int64_t o = (outer * N + n) * inner + q;
            const float *src = c + i * N + n;
            if (res)
                for (j = n < nt ? jt : 0; j < run; j++)
                    y[o + j] = src[j * N] + res[o + j];
            else
                for (j = n < nt ? jt : 0; j < run; j++)
                    y[o + j] = src[j * N];
        }
        i += run;
    }
}

/* Rows [lo, hi) of a moved-axis FcLinear; ws: fc_rt_linear_moved_work(hi - lo, N, K). */
FC_RT_HELPER void fc_linear_moved_rows(const float *x, const float *w, int packed, int64_t lo,
                                       int64_t hi, int64_t K, int64_t N, int64_t inner,
                                       const FcLinearEp *ep, const float *res, float *ws,
                                       float *y)
{
    int64_t b0, b = hi - lo < FC_LIN_BLOCK ? hi - lo : FC_LIN_BLOCK;
    float *buf = ws + (fc_rt_sgemm_work(b, N, K) + 15) / 16 * 16;
    for (b0 = lo; b0 < hi; b0 += FC_LIN_BLOCK) {
        int64_t rows = hi - b0 < FC_LIN_BLOCK ? hi - b0 : FC_LIN_BLOCK;
        if (packed) {
            FcLinearEp rest;
            const int tact = fc_rt_sgemm_tile_act(ep->act) ? ep->act : FC_ACT_NONE;
            rest = *ep;
            rest.b = NULL;
            rest.act = tact ? FC_ACT_NONE : ep->act;
            fc_rt_sgemm_prepacked_ep(rows, N, K, x + b0 * K, K, w, buf, N, ws, ep->b, tact,
                                     rest.act ? fc_linear_epilogue : NULL, &rest);
        } else {
            fc_rt_sgemm(rows, N, K, 1.0f, x + b0 * K, K, 0, w, N, 0, 0.0f, buf, N, ws);
            if (ep->b || ep->act)
                fc_linear_epilogue(buf, N, 0, 0, rows, N, ep);
        }
        fc_linear_scatter_moved(buf, b0, rows, N, inner, res, y);
    }
}

/* ia: [0] M, [1] K, [2] N, [3] has_bias, [4] act, [5] split: 0 by rows, 1 by columns,
 *     [6] rows or columns per part (columns: a multiple of 16), [7] work floats per part,
 *     [8] W prepacked: the emitted file stores W in k_gemm.c's 16-column strip layout
 *         (fc_rt_sgemm_prepack, done by the compiler), so no run packs it,
 *     [9] N axis moved (out_axis; split by rows, work fc_rt_linear_moved_work), [10] the
 *         product of Y's dims after it.
 * Inputs: X, W, B (optional), R (optional: the residual, of Y's shape).
 * One part per thread (FC_RT_THREADS parts); part p's GEMM uses scratch slice p. Splitting
 * by columns packs each column of W once in all; by rows (few columns), every part packs W. */
FC_RT void fc_rt_linear(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2), *rt = fc_rt_opt_in(n, t, 3);
    const float *bias = bt ? (const float *)bt->data : NULL;
    const float *res = rt ? (const float *)rt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t M = n->ia[0], K = n->ia[1], N = n->ia[2], chunk = n->ia[6], work = n->ia[7];
    const int act = (int)n->ia[4], by_cols = (int)n->ia[5], packed = (int)n->ia[8];
    const int any = bias || res || act;
    int64_t p;
    FC_RT_OMP_FOR_IF(M * N * K >= 4 * FC_RT_PAR_MIN_WORK)
    for (p = 0; p < FC_RT_THREADS; p++) {
        /* no scratch (NULL) when there is no work memory: K == 0 */
        float *ws = n->scratch ? (float *)n->scratch + FC_RT_TID() * work : NULL;
        int64_t lo = p * chunk, hi = (p + 1) * chunk, rows, cols;
        const float *xp = x, *wp = w;
        float *yp;
        FcLinearEp ep;
        ep.ldr = N;
        ep.act = act;
        if (by_cols) {
            hi = hi < N ? hi : N;
            rows = M;
            cols = hi - lo;
            wp = packed ? w + lo * K : w + lo;
            yp = y + lo;
            ep.b = bias ? bias + lo : NULL;
            ep.r = res ? res + lo : NULL;
        } else {
            hi = hi < M ? hi : M;
            rows = hi - lo;
            cols = N;
            xp = x + lo * K;
            yp = y + lo * N;
            ep.b = bias;
            ep.r = res ? res + lo * N : NULL;
        }
        if (rows <= 0 || cols <= 0)
            continue;
        if (n->ia[9]) {
            FcLinearEp mep = {bias, NULL, 0, act};
            fc_linear_moved_rows(x, w, packed, lo, hi, K, N, n->ia[10], &mep, res, ws, y);
            continue;
        }
        if (packed) {
            /* bias and activation in the GEMM's tiles where it can; the rest after */
            const int tact = fc_rt_sgemm_tile_act(act) ? act : FC_ACT_NONE;
            const float *tb = ep.b;
            ep.b = NULL;
            ep.act = tact ? FC_ACT_NONE : act;
            fc_rt_sgemm_prepacked_ep(rows, cols, K, xp, K, wp, yp, N, ws, tb, tact,
                                     ep.act || ep.r ? fc_linear_epilogue : NULL, &ep);
        } else {
            fc_rt_sgemm(rows, cols, K, 1.0f, xp, K, 0, wp, N, 0, 0.0f, yp, N, ws);
            if (any)
                fc_linear_epilogue(yp, N, 0, 0, rows, cols, &ep);
        }
    }
}
