/* k_linear.c — FcLinear: Y[..., N] = act(X[..., K] @ W[K, N] + B[N]), the fused linear layer
 * the optimizer forms from MatMul + Add(bias) (+ activation). Bias and activation are
 * applied to each block of rows right after the GEMM computed it, while it is in cache.
 * fc-deps: k_gemm.c, k_vmath.c
 *
 * act: FC_ACT_* (fc_rt.h). scratch: per thread, the GEMM's work floats (ia[7]). */
#include "fc_rt.h"

/* From k_gemm.c (pasted before this file in generated C, linked in the compiler). */
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT void fc_rt_sgemm_prepacked(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                 const float *Wp, float *C, int64_t ldc, float *work);
/* From k_vmath.c: the activation epilogue, in place. */
FC_RT void fc_rt_vact(float *y, int64_t n, int act);

/* Bias and activation over rows x n of y (row stride ldy), right after the GEMM wrote them. */
FC_RT_HELPER void fc_linear_epilogue(float *y, int64_t rows, int64_t n, int64_t ldy,
                                     const float *b, int act)
{
    int64_t i, j;
    for (i = 0; i < rows; i++) {
        float *r = y + i * ldy;
        if (b)
            for (j = 0; j < n; j++)
                r[j] += b[j];
        fc_rt_vact(r, n, act);
    }
}

/* ia: [0] M, [1] K, [2] N, [3] has_bias, [4] act, [5] split: 0 by rows, 1 by columns,
 *     [6] rows or columns per part (columns: a multiple of 16), [7] work floats per part,
 *     [8] W prepacked: the emitted file stores W in k_gemm.c's 16-column strip layout
 *         (fc_rt_sgemm_prepack, done by the compiler), so no run packs it. 
 * One part per thread (FC_RT_THREADS parts); part p's GEMM uses scratch slice p. Splitting
 * by columns packs each column of W once in all; by rows (few columns), every part packs W. */
FC_RT void fc_rt_linear(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t M = n->ia[0], K = n->ia[1], N = n->ia[2], chunk = n->ia[6], work = n->ia[7];
    const int act = (int)n->ia[4], by_cols = (int)n->ia[5], packed = (int)n->ia[8];
    int64_t p;
    FC_RT_OMP_FOR_IF(M * N * K >= 4 * FC_RT_PAR_MIN_WORK)
    for (p = 0; p < FC_RT_THREADS; p++) {
        /* no scratch (NULL) when there is no work memory: K == 0 */
        float *ws = n->scratch ? (float *)n->scratch + FC_RT_TID() * work : NULL;
        int64_t lo = p * chunk, hi = (p + 1) * chunk, cnt;
        if (by_cols) {
            hi = hi < N ? hi : N;
            cnt = hi - lo;
            if (cnt <= 0)
                continue;
            if (packed)
                fc_rt_sgemm_prepacked(M, cnt, K, x, K, w + lo * K, y + lo, N, ws);
            else
                fc_rt_sgemm(M, cnt, K, 1.0f, x, K, 0, w + lo, N, 0, 0.0f, y + lo, N, ws);
            fc_linear_epilogue(y + lo, M, cnt, N, bias ? bias + lo : NULL, act);
        } else {
            hi = hi < M ? hi : M;
            cnt = hi - lo;
            if (cnt <= 0)
                continue;
            if (packed)
                fc_rt_sgemm_prepacked(cnt, N, K, x + lo * K, K, w, y + lo * N, N, ws);
            else
                fc_rt_sgemm(cnt, N, K, 1.0f, x + lo * K, K, 0, w, N, 0, 0.0f, y + lo * N, N,
                            ws);
            fc_linear_epilogue(y + lo * N, cnt, N, N, bias, act);
        }
    }
}
