/* k_linear.c — FcLinear: Y[..., N] = act(X[..., K] @ W[K, N] + B[N]) + R[..., N], the fused
 * linear layer the optimizer forms from MatMul + Add(bias) (+ activation) (+ Add(residual)).
 * With prepacked weights the epilogue (bias, activation, residual, in ONNX's order) runs on
 * each GEMM macro-block of rows right after its last k block, while it is in cache, instead
 * of a second pass over the whole output.
 * fc-deps: k_gemm.c, k_vmath.c
 *
 * act: FC_ACT_* (fc_rt.h). scratch: per thread, the GEMM's work floats (ia[7]). */
#include "fc_rt.h"

/* From k_gemm.c (pasted before this file in generated C, linked in the compiler). */
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT void fc_rt_sgemm_prepacked_ep(int64_t M, int64_t N, int64_t K, const float *A,
                                    int64_t lda, const float *Wp, float *C, int64_t ldc,
                                    float *work,
                                    void (*ep)(float *c, int64_t ldc, int64_t i0, int64_t j0,
                                               int64_t rows, int64_t cols, const void *ctx),
                                    const void *ctx);
/* From k_vmath.c: the activation epilogue, in place. */
FC_RT void fc_rt_vact(float *y, int64_t n, int act);

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
            for (j = 0; j < cols; j++)
                o[j] += e->b[j0 + j];
        fc_rt_vact(o, cols, e->act);
        if (e->r) {
            const float *r = e->r + (i0 + i) * e->ldr + j0;
            for (j = 0; j < cols; j++)
                o[j] += r[j];
        }
    }
}

/* ia: [0] M, [1] K, [2] N, [3] has_bias, [4] act, [5] split: 0 by rows, 1 by columns,
 *     [6] rows or columns per part (columns: a multiple of 16), [7] work floats per part,
 *     [8] W prepacked: the emitted file stores W in k_gemm.c's 16-column strip layout
 *         (fc_rt_sgemm_prepack, done by the compiler), so no run packs it.
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
        if (packed) {
            fc_rt_sgemm_prepacked_ep(rows, cols, K, xp, K, wp, yp, N, ws,
                                     any ? fc_linear_epilogue : NULL, &ep);
        } else {
            fc_rt_sgemm(rows, cols, K, 1.0f, xp, K, 0, wp, N, 0, 0.0f, yp, N, ws);
            if (any)
                fc_linear_epilogue(yp, N, 0, 0, rows, cols, &ep);
        }
    }
}
