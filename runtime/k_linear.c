/* k_linear.c — FcLinear: Y[..., N] = act(X[..., K] @ W[K, N] + B[N]), the fused linear layer
 * the optimizer forms from MatMul + Add(bias) (+ activation). Bias and activation are
 * applied to each block of rows right after the GEMM computed it, while it is in cache.
 * fc-deps: k_gemm.c, k_vmath.c
 *
 * ia: [M, K, N, has_bias, act]   act: FC_ACT_* below.  scratch: fc_rt_sgemm_work floats. */
#include "fc_rt.h"

/* From k_gemm.c (pasted before this file in generated C, linked in the compiler). */
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
/* From k_vmath.c: vectorizable GELU over an array (in place allowed). */
FC_RT void fc_rt_vgeluf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n);

enum { FC_ACT_NONE = 0, FC_ACT_RELU = 1, FC_ACT_GELU_ERF = 2, FC_ACT_GELU_TANH = 3 };

FC_RT_HELPER void fc_linear_epilogue(float *y, int64_t rows, int64_t n, const float *b, int act)
{
    int64_t i, j;
    for (i = 0; i < rows; i++) {
        float *r = y + i * n;
        if (b)
            for (j = 0; j < n; j++)
                r[j] += b[j];
        if (act == FC_ACT_RELU)
            for (j = 0; j < n; j++)
                r[j] = r[j] > 0.0f ? r[j] : 0.0f;
        else if (act == FC_ACT_GELU_ERF)
            fc_rt_vgeluf(r, r, n);
        else if (act == FC_ACT_GELU_TANH)
            fc_rt_vgelu_tanhf(r, r, n);
    }
}

FC_RT void fc_rt_linear(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int64_t M = n->ia[0], K = n->ia[1], N = n->ia[2], m0, rows = 64;
    int act = (int)n->ia[4];
    /* Row blocks keep the epilogue's reads in cache right after the GEMM wrote them. */
    for (m0 = 0; m0 < M; m0 += rows) {
        int64_t mb = M - m0 < rows ? M - m0 : rows;
        fc_rt_sgemm(mb, N, K, 1.0f, x + m0 * K, K, 0, w, N, 0, 0.0f, y + m0 * N, N,
                    (float *)n->scratch);
        fc_linear_epilogue(y + m0 * N, mb, N, bt ? (const float *)bt->data : NULL, act);
    }
}
