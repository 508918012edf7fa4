/* test_k_nn.c — kernels of the nn group on small hand-computed tensors: fc_rt_sgemm,
 * fc_rt_dgemm, fc_rt_gemm, fc_rt_matmul (k_gemm.c), fc_rt_conv, fc_rt_conv_transpose
 * (k_conv.c), the pools (k_pool.c) and the normalizations (k_norm.c). Packed parameter
 * layouts are built by hand exactly as the kernel files document them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fc_rt.h"

int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
void fc_rt_sgemm_prepack(int64_t K, int64_t N, const float *W, float *Wp);
int64_t fc_rt_sgemm_prepacked_floats(int64_t K, int64_t N);
void fc_rt_sgemm_prepacked(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                           const float *Wp, float *C, int64_t ldc, float *work);
void fc_rt_sgemm_prepacked_ep(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                              const float *Wp, float *C, int64_t ldc, float *work,
                              const float *bias, int act,
                              void (*ep)(float *c, int64_t ldc, int64_t i0, int64_t j0,
                                         int64_t rows, int64_t cols, const void *ctx),
                              const void *ctx);
int fc_rt_sgemm_tile_act(int act);
void fc_rt_vact_biased(const float *x, const float *b, int64_t bs, float *y, int64_t n, int act);
void fc_rt_vact(float *y, int64_t n, int act);
void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                 int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                 int64_t ldc, float *work);
void fc_rt_dgemm(int64_t M, int64_t N, int64_t K, double alpha, const double *A, int64_t lda,
                 int transA, const double *B, int64_t ldb, int transB, double beta, double *C,
                 int64_t ldc);
void fc_rt_gemm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_matmul(const FcRtNode *n, FcRtTensor *t);
void fc_rt_batched_gemm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_linear(const FcRtNode *n, FcRtTensor *t);
int64_t fc_rt_linear_moved_work(int64_t rows, int64_t N, int64_t K);
void fc_rt_sgemm_prepack(int64_t K, int64_t N, const float *W, float *Wp);
int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
void fc_rt_conv(const FcRtNode *n, FcRtTensor *t);
void fc_rt_conv_transpose(const FcRtNode *n, FcRtTensor *t);
int64_t fc_rt_conv_scratch(const int64_t *ia, int64_t threads);
int fc_rt_conv_prepackable(const int64_t *ia);
int64_t fc_rt_conv_prepacked_floats(const int64_t *ia);
void fc_rt_conv_prepack(const int64_t *ia, const float *w, float *wp);
void fc_rt_maxpool(const FcRtNode *n, FcRtTensor *t);
void fc_rt_avgpool(const FcRtNode *n, FcRtTensor *t);
void fc_rt_lppool(const FcRtNode *n, FcRtTensor *t);
void fc_rt_global_pool(const FcRtNode *n, FcRtTensor *t);
void fc_rt_batchnorm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_instancenorm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_layernorm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_channel_norm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_groupnorm(const FcRtNode *n, FcRtTensor *t);
void fc_rt_lrn(const FcRtNode *n, FcRtTensor *t);
void fc_rt_mvn(const FcRtNode *n, FcRtTensor *t);
void fc_rt_lpnorm(const FcRtNode *n, FcRtTensor *t);

#define SCRATCH_FLOATS (1 << 22)
static float scratch_mem[SCRATCH_FLOATS];

static FcRtTensor tensor(void *data, int32_t dt, int rank, const int64_t *dims)
{
    FcRtTensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dt;
    t.rank = rank;
    for (int i = 0; i < rank; i++)
        t.dims[i] = dims[i];
    return t;
}

/* Runs kernel k on tensors t[0..nin) -> t[nin..nin+nout); an input index listed in `absent`
 * (bitmask) is passed as -1. Scratch is poisoned first. */
static void run_abs(FcRtKernel k, FcRtTensor *t, int nin, int nout, unsigned absent,
                    const int64_t *ia, int nia, const float *fa, int nfa)
{
    int32_t in[8], out[8];
    FcRtNode n;
    for (int i = 0; i < nin; i++)
        in[i] = (absent >> i) & 1 ? -1 : i;
    for (int i = 0; i < nout; i++)
        out[i] = nin + i;
    memset(&n, 0, sizeof n);
    n.nin = nin;
    n.nout = nout;
    n.in = in;
    n.out = out;
    n.nia = nia;
    n.ia = ia;
    n.nfa = nfa;
    n.fa = fa;
    memset(scratch_mem, 0x7f, sizeof scratch_mem);
    n.scratch = scratch_mem;
    k(&n, t);
}

static void run(FcRtKernel k, FcRtTensor *t, int nin, int nout, const int64_t *ia, int nia,
                const float *fa, int nfa)
{
    run_abs(k, t, nin, nout, 0, ia, nia, fa, nfa);
}

#define NEAR(a, b, tol)                                                                     \
    do {                                                                                    \
        double a_ = (a), b_ = (b);                                                          \
        if (!(fabs(a_ - b_) <= (tol) * (1.0 + fabs(b_)))) {                                 \
            print_error("%s = %.9g, expected %.9g (line %d)\n", #a, a_, b_, __LINE__);      \
            fail();                                                                         \
        }                                                                                   \
    } while (0)

static void near_all(const float *got, const float *want, int64_t n, double tol)
{
    for (int64_t i = 0; i < n; i++) {
        if (!(fabs((double)got[i] - want[i]) <= tol * (1.0 + fabs((double)want[i])))) {
            print_error("element %lld = %.9g, expected %.9g\n", (long long)i, (double)got[i],
                        (double)want[i]);
            fail();
        }
    }
}

/* Deterministic pseudo-random values in [-1, 1). */
static unsigned rng_state = 12345u;
static float rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 9) & 0xffff) / 32768.0f - 1.0f;
}

/* p[0..n) = rnd() */
static void fill_rnd(float *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd();
}

/* ---- sgemm / dgemm -------------------------------------------------------------------- */

static void test_sgemm_small_hand(void **state)
{
    (void)state;
    /* A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]] -> AB = [[58,64],[139,154]] */
    const float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {7, 8, 9, 10, 11, 12};
    const float At[6] = {1, 4, 2, 5, 3, 6}, Bt[6] = {7, 9, 11, 8, 10, 12};
    float C[4];
    const float want[4] = {58, 64, 139, 154};
    fc_rt_sgemm(2, 2, 3, 1.0f, A, 3, 0, B, 2, 0, 0.0f, C, 2, scratch_mem);
    near_all(C, want, 4, 0);
    fc_rt_sgemm(2, 2, 3, 1.0f, At, 2, 1, B, 2, 0, 0.0f, C, 2, scratch_mem);
    near_all(C, want, 4, 0);
    fc_rt_sgemm(2, 2, 3, 1.0f, A, 3, 0, Bt, 3, 1, 0.0f, C, 2, scratch_mem);
    near_all(C, want, 4, 0);
    fc_rt_sgemm(2, 2, 3, 1.0f, At, 2, 1, Bt, 3, 1, 0.0f, C, 2, scratch_mem);
    near_all(C, want, 4, 0);
    /* alpha = 2, beta = -1 on C = [[1,1],[1,1]] -> 2AB - 1 */
    for (int i = 0; i < 4; i++)
        C[i] = 1.0f;
    fc_rt_sgemm(2, 2, 3, 2.0f, A, 3, 0, B, 2, 0, -1.0f, C, 2, scratch_mem);
    const float want2[4] = {115, 127, 277, 307};
    near_all(C, want2, 4, 0);
}

static void test_sgemm_vector_shapes(void **state)
{
    (void)state;
    /* row vector [1,2] x [[1,2,3],[4,5,6]] = [9,12,15]; with transB */
    const float a[2] = {1, 2}, B[6] = {1, 2, 3, 4, 5, 6}, Bt[6] = {1, 4, 2, 5, 3, 6};
    const float want[3] = {9, 12, 15};
    float c[3];
    fc_rt_sgemm(1, 3, 2, 1.0f, a, 2, 0, B, 3, 0, 0.0f, c, 3, scratch_mem);
    near_all(c, want, 3, 0);
    fc_rt_sgemm(1, 3, 2, 1.0f, a, 1, 1, Bt, 2, 1, 0.0f, c, 3, scratch_mem);
    near_all(c, want, 3, 0);
    /* matrix x column: [[1,2],[3,4],[5,6]] x [1,-1] = [-1,-1,-1], C has ldc 2 */
    const float M3[6] = {1, 2, 3, 4, 5, 6}, M3t[6] = {1, 3, 5, 2, 4, 6}, v[2] = {1, -1};
    float cc[6] = {9, 9, 9, 9, 9, 9};
    fc_rt_sgemm(3, 1, 2, 1.0f, M3, 2, 0, v, 1, 0, 0.0f, cc, 2, scratch_mem);
    assert_true(cc[0] == -1 && cc[2] == -1 && cc[4] == -1 && cc[1] == 9 && cc[3] == 9);
    fc_rt_sgemm(3, 1, 2, 1.0f, M3t, 3, 1, v, 1, 1, 1.0f, cc, 2, scratch_mem);
    assert_true(cc[0] == -2 && cc[2] == -2 && cc[4] == -2 && cc[5] == 9);
}

/* Blocked path with every edge case (partial tiles, several K / M / N blocks, strided
 * operands), against a plain triple loop. */
/* Weights prepacked at compile time (16-column strips): the product against a double
 * reference for row vectors, partial strips, K past one block and a column range starting
 * at a later strip (how FcLinear splits columns between threads). */
static void test_sgemm_prepacked_matches_naive(void **state)
{
    (void)state;
    /* 4, 2 and 12 rows: strips of at most half the micro-kernel's rows (fc_sg_micro's half
     * tile), over whole and partial column tiles */
    static const int64_t shapes[][3] = {{1, 5, 3},  {1, 40, 300}, {7, 16, 9}, {13, 37, 260},
                                        {130, 50, 20}, {3, 1, 5}, {4, 48, 300}, {2, 37, 20},
                                        {12, 40, 33}};
    static float A[130 * 300], W[300 * 64], Wp[300 * 64], C[130 * 64];
    for (unsigned t = 0; t < sizeof shapes / sizeof shapes[0]; t++) {
        int64_t M = shapes[t][0], N = shapes[t][1], K = shapes[t][2];
        fill_rnd(A, (size_t)(M * K));
        fill_rnd(W, (size_t)(K * N));
        assert_true(fc_rt_sgemm_prepacked_floats(K, N) <= 300 * 64);
        assert_int_equal(fc_rt_sgemm_prepacked_floats(K, N) % 16, 0);
        fc_rt_sgemm_prepack(K, N, W, Wp);
        for (int64_t lo = 0; lo < N; lo += 16) { /* columns [lo, N) from strip lo / 16 */
            for (int64_t i = 0; i < M * N; i++)
                C[i] = 12345.0f; /* overwritten, never read */
            fc_rt_sgemm_prepacked(M, N - lo, K, A, K, Wp + lo * K, C + lo, N, scratch_mem);
            for (int64_t m = 0; m < M; m++)
                for (int64_t j = lo; j < N; j++) {
                    double ref = 0.0;
                    for (int64_t k = 0; k < K; k++)
                        ref += (double)A[m * K + k] * W[k * N + j];
                    NEAR(C[m * N + j], ref, 1e-4);
                }
        }
    }
}

/* The tile epilogue (bias and activation applied in the micro-kernel's registers after the
 * last k block) gives the bits of the product followed by the array pass k_vmath.c's
 * fc_rt_vact_biased makes: row vectors, partial tiles and strips, two k blocks, K = 0. */
static void test_sgemm_prepacked_tile_epilogue(void **state)
{
    (void)state;
    static const int64_t shapes[][3] = {{1, 40, 300}, {7, 16, 9}, {13, 37, 260}, {130, 50, 20},
                                        {4, 48, 300}, {2, 37, 20}, {12, 40, 33}, {5, 16, 0}};
    static const int acts[] = {FC_ACT_NONE, FC_ACT_RELU, FC_ACT_GELU_ERF, FC_ACT_GELU_TANH};
    static float A[130 * 300], W[300 * 64], Wp[300 * 64 + 64], C[130 * 64], R[130 * 64], B[64];
    assert_true(fc_rt_sgemm_tile_act(FC_ACT_NONE) && fc_rt_sgemm_tile_act(FC_ACT_RELU));
#ifdef __AVX512F__
    assert_true(fc_rt_sgemm_tile_act(FC_ACT_GELU_ERF)); /* the table GELU, in registers */
#endif
    for (unsigned t = 0; t < sizeof shapes / sizeof shapes[0]; t++) {
        int64_t M = shapes[t][0], N = shapes[t][1], K = shapes[t][2];
        fill_rnd(A, (size_t)(M * K));
        fill_rnd(W, (size_t)(K * N));
        for (int64_t j = 0; j < N; j++)
            B[j] = 4.0f * rnd(); /* moves values across ReLU's and the GELU table's ranges */
        fc_rt_sgemm_prepack(K, N, W, Wp);
        for (unsigned a = 0; a < sizeof acts / sizeof acts[0]; a++) {
            if (!fc_rt_sgemm_tile_act(acts[a]))
                continue;
            for (int with_bias = 0; with_bias < 2; with_bias++) {
                const float *bias = with_bias ? B : NULL;
                fc_rt_sgemm_prepacked(M, N, K, A, K, Wp, R, N, scratch_mem);
                for (int64_t m = 0; m < M; m++) { /* the unfused order: + bias, then act */
                    if (bias)
                        fc_rt_vact_biased(R + m * N, bias, 1, R + m * N, N, acts[a]);
                    else
                        fc_rt_vact(R + m * N, N, acts[a]);
                }
                fc_rt_sgemm_prepacked_ep(M, N, K, A, K, Wp, C, N, scratch_mem, bias, acts[a],
                                         NULL, NULL);
                assert_memory_equal(C, R, (size_t)(M * N) * sizeof(float));
            }
        }
    }
}

static void test_sgemm_blocked_matches_naive(void **state)
{
    (void)state;
    static const int64_t shapes[][3] = {{5, 17, 3},     {13, 33, 257}, {121, 15, 40},
                                        {7, 2049, 5},   {130, 70, 600}, {25, 24, 1},
                                        {240, 9, 11},   {4, 70, 600},  {12, 40, 9},
                                        {3, 64, 17}};
    static float A[130 * 610], B[2049 * 610 + 2048], C[130 * 2060], R[130 * 2060];
    for (unsigned s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                int64_t lda = (ta ? M : K) + 1, ldb = (tb ? K : N) + 2, ldc = N + 3;
                float alpha = 0.5f, beta = ta ? 0.25f : 0.0f;
                assert_true(fc_rt_sgemm_work(M, N, K) <= SCRATCH_FLOATS);
                for (int64_t i = 0; i < (ta ? K : M) * lda; i++)
                    A[i] = rnd();
                for (int64_t i = 0; i < (tb ? N : K) * ldb; i++)
                    B[i] = rnd();
                for (int64_t i = 0; i < M * ldc; i++)
                    C[i] = R[i] = rnd();
                for (int64_t i = 0; i < M; i++)
                    for (int64_t j = 0; j < N; j++) {
                        double acc = 0.0;
                        for (int64_t k = 0; k < K; k++)
                            acc += (double)(ta ? A[k * lda + i] : A[i * lda + k]) *
                                   (tb ? B[j * ldb + k] : B[k * ldb + j]);
                        double old = beta != 0.0f ? beta * R[i * ldc + j] : 0.0;
                        R[i * ldc + j] = (float)(alpha * acc + old);
                    }
                memset(scratch_mem, 0x7f, sizeof scratch_mem);
                fc_rt_sgemm(M, N, K, alpha, A, lda, ta, B, ldb, tb, beta, C, ldc,
                            scratch_mem + (s & 1));
                near_all(C, R, M * ldc, 1e-4); /* also checks the ldc padding is untouched */
            }
}

static void test_dgemm_small_hand(void **state)
{
    (void)state;
    const double A[6] = {1, 2, 3, 4, 5, 6}, Bt[6] = {7, 9, 11, 8, 10, 12};
    double C[4] = {1, 1, 1, 1};
    fc_rt_dgemm(2, 2, 3, 1.0, A, 3, 0, Bt, 3, 1, 0.5, C, 2);
    assert_true(C[0] == 58.5 && C[1] == 64.5 && C[2] == 139.5 && C[3] == 154.5);
}

/* ---- Gemm / MatMul kernels -------------------------------------------------------------- */

static void test_gemm_c_forms(void **state)
{
    (void)state;
    /* A [2,3], B [3,2], AB = [[58,64],[139,154]]; alpha 1, beta 2 */
    float A[6] = {1, 2, 3, 4, 5, 6}, B[6] = {7, 8, 9, 10, 11, 12}, y[4];
    int64_t da[2] = {2, 3}, db[2] = {3, 2}, dy[2] = {2, 2};
    const float fa[2] = {1.0f, 2.0f};
    struct {
        int form, rank;
        int64_t dims[2];
        float c[4];
        float want[4];
    } cases[] = {
        {0, 0, {0, 0}, {0}, {58, 64, 139, 154}},
        {1, 0, {0, 0}, {1}, {60, 66, 141, 156}},
        {2, 1, {2, 0}, {1, 2}, {60, 68, 141, 158}},
        {3, 2, {2, 1}, {1, 2}, {60, 66, 143, 158}},
        {4, 2, {2, 2}, {1, 2, 3, 4}, {60, 68, 145, 162}},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FcRtTensor t[4] = {tensor(A, FC_DT_F32, 2, da), tensor(B, FC_DT_F32, 2, db),
                           tensor(cases[i].c, FC_DT_F32, cases[i].rank, cases[i].dims),
                           tensor(y, FC_DT_F32, 2, dy)};
        int64_t ia[6] = {2, 2, 3, 0, 0, cases[i].form};
        run_abs(fc_rt_gemm, t, 3, 1, cases[i].form == 0 ? 4u : 0u, ia, 6, fa, 2);
        near_all(y, cases[i].want, 4, 0);
    }
}

static void test_gemm_trans_alpha_f64(void **state)
{
    (void)state;
    /* transA, transB, alpha 0.5, beta 0 (C ignored) in f32 and f64 */
    float At[6] = {1, 4, 2, 5, 3, 6}, Bt[6] = {7, 9, 11, 8, 10, 12}, c[1] = {100}, y[4];
    int64_t da[2] = {3, 2}, db[2] = {2, 3}, dc[1] = {1}, dy[2] = {2, 2};
    const float fa[2] = {0.5f, 0.0f};
    int64_t ia[6] = {2, 2, 3, 1, 1, 1};
    FcRtTensor t[4] = {tensor(At, FC_DT_F32, 2, da), tensor(Bt, FC_DT_F32, 2, db),
                       tensor(c, FC_DT_F32, 1, dc), tensor(y, FC_DT_F32, 2, dy)};
    run(fc_rt_gemm, t, 3, 1, ia, 6, fa, 2);
    const float want[4] = {29, 32, 69.5f, 77};
    near_all(y, want, 4, 0);

    double Atd[6] = {1, 4, 2, 5, 3, 6}, Btd[6] = {7, 9, 11, 8, 10, 12}, cd[2] = {1, 2}, yd[4];
    int64_t dc2[1] = {2};
    const float fa2[2] = {0.5f, 1.0f};
    int64_t ia2[6] = {2, 2, 3, 1, 1, 2};
    FcRtTensor t2[4] = {tensor(Atd, FC_DT_F64, 2, da), tensor(Btd, FC_DT_F64, 2, db),
                        tensor(cd, FC_DT_F64, 1, dc2), tensor(yd, FC_DT_F64, 2, dy)};
    run(fc_rt_gemm, t2, 3, 1, ia2, 6, fa2, 2);
    assert_true(yd[0] == 30 && yd[1] == 34 && yd[2] == 70.5 && yd[3] == 79);
}

static void test_matmul_batched_broadcast(void **state)
{
    (void)state;
    /* A [2,1,2,2] (two batches), B [3,2,2] (three batches) -> Y [2,3,2,2] */
    float A[8] = {1, 0, 0, 1, /* I */ 2, 0, 0, 2 /* 2I */};
    float B[12] = {1, 2, 3, 4, 0, 1, 1, 0, 5, 6, 7, 8};
    float Y[24];
    int64_t da[4] = {2, 1, 2, 2}, db[3] = {3, 2, 2}, dy[4] = {2, 3, 2, 2};
    /* nb = 2: batch dims [2,3]; A strides (matrices) [1,0]; B strides [0,1] */
    int64_t ia[4 + 6] = {2, 2, 2, 2, 2, 3, 1, 0, 0, 1};
    FcRtTensor t[3] = {tensor(A, FC_DT_F32, 4, da), tensor(B, FC_DT_F32, 3, db),
                       tensor(Y, FC_DT_F32, 4, dy)};
    run(fc_rt_matmul, t, 2, 1, ia, 10, NULL, 0);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) {
            NEAR(Y[i * 4 + j], B[i * 4 + j], 0);
            NEAR(Y[12 + i * 4 + j], 2 * B[i * 4 + j], 0);
        }
}

static void test_matmul_plain_and_f64(void **state)
{
    (void)state;
    /* [1,3] x [3,2] (a promoted 1-D operand) and the same in f64 */
    float a[3] = {1, 2, 3}, B[6] = {1, 0, 0, 1, 1, 1}, y[2];
    int64_t da[1] = {3}, db[2] = {3, 2}, dy[1] = {2};
    int64_t ia[4] = {1, 2, 3, 0};
    FcRtTensor t[3] = {tensor(a, FC_DT_F32, 1, da), tensor(B, FC_DT_F32, 2, db),
                       tensor(y, FC_DT_F32, 1, dy)};
    run(fc_rt_matmul, t, 2, 1, ia, 4, NULL, 0);
    assert_true(y[0] == 4 && y[1] == 5);
    double ad[3] = {1, 2, 3}, Bd[6] = {1, 0, 0, 1, 1, 1}, yd[2];
    FcRtTensor t2[3] = {tensor(ad, FC_DT_F64, 1, da), tensor(Bd, FC_DT_F64, 2, db),
                        tensor(yd, FC_DT_F64, 1, dy)};
    run(fc_rt_matmul, t2, 2, 1, ia, 4, NULL, 0);
    assert_true(yd[0] == 4 && yd[1] == 5);
}

/* FcBatchedGemm as attention's Q @ K^T: Q, K stored [1,S,H,D] read through perms [0,2,1,3]
 * and [0,2,3,1] (a strided and a transposed operand), alpha 0.3 after the product, the
 * result written through permY [0,2,1,3] as [1,S,H,S]; against a reference loop. */
static void batched_gemm_attention(int D)
{
    enum { S = 37, H = 3, DMAX = 300 };
    static float q[S * H * DMAX], k[S * H * DMAX], y[S * H * S];
    int64_t dq[4] = {1, S, H, D}, dy[4] = {1, S, H, S};
    /* M, N, K, nb, transA, lda, transB, ldb, ldc, dims [1,H], A, B, Y batch strides */
    int64_t ia[9 + 8] = {S, S, D, 2, 0, H * D, 1, H * D, H * S, 1, H, 0, D, 0, D, 0, S};
    float fa[1] = {0.3f};
    for (int i = 0; i < S * H * D; i++) {
        q[i] = rnd();
        k[i] = rnd();
    }
    FcRtTensor t[3] = {tensor(q, FC_DT_F32, 4, dq), tensor(k, FC_DT_F32, 4, dq),
                       tensor(y, FC_DT_F32, 4, dy)};
    run(fc_rt_batched_gemm, t, 2, 1, ia, 17, fa, 1);
    for (int s = 0; s < S; s++)
        for (int h = 0; h < H; h++)
            for (int u = 0; u < S; u++) {
                double acc = 0;
                for (int d = 0; d < D; d++)
                    acc += (double)q[(s * H + h) * D + d] * k[(u * H + h) * D + d];
                NEAR(y[(s * H + h) * S + u], (float)acc * 0.3f, 1e-5);
            }
}

/* D = 20: alpha inside the GEMM (one k block); D = 300: two k blocks, alpha afterwards. */
static void test_batched_gemm_attention(void **state)
{
    (void)state;
    batched_gemm_attention(20);
    batched_gemm_attention(300);
}

/* FcLinear with bias, ReLU and a residual (Y = relu(X W + b) + R), on prepacked and plain
 * weights, M, N off the tile sizes and K over two k blocks, with the N axis last or moved
 * (out_axis) in front of the last `inner` rows: the per-tile epilogue against a reference
 * loop in ONNX's order. */
static void linear_residual_case(int M, int K, int N, int inner)
{
    float *x = malloc(sizeof(float) * (size_t)(M * K));
    float *wt = malloc(sizeof(float) * (size_t)(K * N));
    float *wp = malloc(sizeof(float) * (size_t)fc_rt_sgemm_prepacked_floats(K, N));
    float *b = malloc(sizeof(float) * (size_t)N), *r = malloc(sizeof(float) * (size_t)(M * N));
    float *y = malloc(sizeof(float) * (size_t)(M * N));
    int64_t dx[2] = {M, K}, dw[2] = {K, N}, db[1] = {N}, dy[2] = {M, N};
    assert_true(x && wt && wp && b && r && y);
    for (int i = 0; i < M * K; i++)
        x[i] = rnd();
    for (int i = 0; i < K * N; i++)
        wt[i] = rnd();
    for (int i = 0; i < N; i++)
        b[i] = rnd();
    for (int i = 0; i < M * N; i++)
        r[i] = rnd();
    fc_rt_sgemm_prepack(K, N, wt, wp);
    /* moved: Y [M / inner, N, inner] = Transpose(relu(X W + b)) + R (R of Y's shape) */
    for (int mode = 0; mode < 4; mode++) {
        int packed = mode & 1, moved = mode >> 1;
        int64_t ia[11] = {M, K, N, 1, 1, !moved, moved ? M : N, 0, packed, moved, inner};
        ia[7] = moved ? fc_rt_linear_moved_work(M, N, K) : fc_rt_sgemm_work(M, N, K);
        FcRtTensor t[5] = {tensor(x, FC_DT_F32, 2, dx),
                           tensor(packed ? wp : wt, FC_DT_F32, 2, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(r, FC_DT_F32, 2, dy),
                           tensor(y, FC_DT_F32, 2, dy)};
        assert_true(ia[7] <= SCRATCH_FLOATS);
        run(fc_rt_linear, t, 4, 1, ia, 11, NULL, 0);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double acc = 0;
                int o = moved ? (i / inner * N + j) * inner + i % inner : i * N + j;
                for (int k = 0; k < K; k++)
                    acc += (double)x[i * K + k] * wt[k * N + j];
                float v = (float)acc + b[j];
                NEAR(y[o], (v > 0 ? v : 0.0f) + r[o], 1e-4);
            }
    }
    free(x);
    free(wt);
    free(wp);
    free(b);
    free(r);
    free(y);
}

/* One outer (runs shorter than a 16 x 16 transpose tile on both edges), then ConvNeXt-like
 * planes: runs that start inside a plane (row blocks of 128 over planes of 20 or 48), whole
 * tiles and edges of rows and columns. */
static void test_linear_residual_epilogue(void **state)
{
    (void)state;
    linear_residual_case(37, 300, 50, 37);
    linear_residual_case(300, 40, 35, 20);
    linear_residual_case(288, 24, 64, 48);
}

/* ---- Conv ----------------------------------------------------------------------------- */

/* Packs a Conv ia (see k_conv.c) for canonical 3-D geometry. */
static void conv_ia(int64_t *ia, int64_t N, int64_t Cin, int64_t Cout, int64_t G, int64_t mode,
                    int64_t block, const int64_t in[3], const int64_t out[3], const int64_t k[3],
                    const int64_t s[3], const int64_t d[3], const int64_t pb[3])
{
    ia[0] = N;
    ia[1] = Cin;
    ia[2] = Cout;
    ia[3] = G;
    ia[4] = mode;
    ia[5] = block;
    ia[6] = 0;
    for (int i = 0; i < 3; i++) {
        ia[7 + i] = in[i];
        ia[10 + i] = out[i];
        ia[13 + i] = k[i];
        ia[16 + i] = s[i];
        ia[19 + i] = d[i];
        ia[22 + i] = pb[i];
    }
    ia[25] = 0; /* W as it is (not prepacked) */
}

/* The ONNX documentation's 5x5 example: x = 0..24, 3x3 kernel of ones. */
static void test_conv2d_onnx_examples(void **state)
{
    (void)state;
    float x[25], w[9], y[25];
    for (int i = 0; i < 25; i++)
        x[i] = (float)i;
    for (int i = 0; i < 9; i++)
        w[i] = 1.0f;
    int64_t dx[4] = {1, 1, 5, 5}, dw[4] = {1, 1, 3, 3};
    const int64_t in[3] = {1, 5, 5}, k[3] = {1, 3, 3}, one[3] = {1, 1, 1};
    const float pad_want[25] = {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108,
                                117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84};
    const float nopad_want[9] = {54, 63, 72, 99, 108, 117, 144, 153, 162};
    const float stride_want[9] = {12, 27, 24, 63, 108, 81, 72, 117, 84};
    int64_t ia[26];
    /* padded, im2col in blocks of 7 positions and in one block; and the direct loop */
    for (int mode = 0; mode < 3; mode += 2)
        for (int64_t block = 7; block <= 25; block += 18) {
            const int64_t out[3] = {1, 5, 5}, pb[3] = {0, 1, 1};
            int64_t dy[4] = {1, 1, 5, 5};
            FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                               tensor(NULL, FC_DT_F32, 0, dy), tensor(y, FC_DT_F32, 4, dy)};
            conv_ia(ia, 1, 1, 1, 1, mode, block, in, out, k, one, one, pb);
            run_abs(fc_rt_conv, t, 3, 1, 4u, ia, 26, NULL, 0);
            near_all(y, pad_want, 25, 0);
        }
    {
        const int64_t out[3] = {1, 3, 3}, zero[3] = {0, 0, 0};
        int64_t dy[4] = {1, 1, 3, 3};
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                           tensor(NULL, FC_DT_F32, 0, dy), tensor(y, FC_DT_F32, 4, dy)};
        conv_ia(ia, 1, 1, 1, 1, 0, 9, in, out, k, one, one, zero);
        run_abs(fc_rt_conv, t, 3, 1, 4u, ia, 26, NULL, 0);
        near_all(y, nopad_want, 9, 0);
    }
    for (int mode = 0; mode < 3; mode += 2) {
        const int64_t out[3] = {1, 3, 3}, pb[3] = {0, 1, 1}, s[3] = {1, 2, 2};
        int64_t dy[4] = {1, 1, 3, 3};
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                           tensor(NULL, FC_DT_F32, 0, dy), tensor(y, FC_DT_F32, 4, dy)};
        conv_ia(ia, 1, 1, 1, 1, mode, 4, in, out, k, s, one, pb);
        run_abs(fc_rt_conv, t, 3, 1, 4u, ia, 26, NULL, 0);
        near_all(y, stride_want, 9, 0);
    }
}

static void test_conv1d_bias_dilation(void **state)
{
    (void)state;
    /* x = [1,2,3,4,5], w = [1,0,-1], dilation 2, pad 2 both sides, bias 10:
     * y[o] = x[o-2] - x[o+2] + 10 (out of range = 0): o=0..4 -> -3+10, -4+10, -4+10, 2+10, 3+10 */
    float x[5] = {1, 2, 3, 4, 5}, w[3] = {1, 0, -1}, b[1] = {10}, y[5];
    int64_t dx[3] = {1, 1, 5}, dw[3] = {1, 1, 3}, db[1] = {1}, dy[3] = {1, 1, 5};
    const int64_t in[3] = {1, 1, 5}, out[3] = {1, 1, 5}, k[3] = {1, 1, 3}, one[3] = {1, 1, 1};
    const int64_t d[3] = {1, 1, 2}, pb[3] = {0, 0, 2};
    const float want[5] = {7, 6, 6, 12, 13};
    int64_t ia[26];
    for (int mode = 0; mode < 3; mode += 2) {
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(w, FC_DT_F32, 3, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 3, dy)};
        conv_ia(ia, 1, 1, 1, 1, mode, 64, in, out, k, one, d, pb);
        run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
        near_all(y, want, 5, 0);
    }
}

static void test_conv_pointwise_groups(void **state)
{
    (void)state;
    /* 1x1 conv, 4 input channels, 2 groups, 2 outputs per group, 2 positions, 2 images */
    float x[16], w[8] = {1, 2, 3, 4, -1, 0, 0, 1}, b[4] = {0, 1, 2, 3}, y[16], want[16];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    /* group g uses channels 2g, 2g+1; w[oc] = [w0, w1] over those channels */
    const float wk[4][2] = {{1, 2}, {3, 4}, {-1, 0}, {0, 1}};
    for (int n = 0; n < 2; n++)
        for (int oc = 0; oc < 4; oc++)
            for (int p = 0; p < 2; p++) {
                int g = oc / 2;
                want[(n * 4 + oc) * 2 + p] = wk[oc][0] * x[(n * 4 + 2 * g) * 2 + p] +
                                             wk[oc][1] * x[(n * 4 + 2 * g + 1) * 2 + p] + b[oc];
            }
    assert_true(want[0] == 1 * 1 + 2 * 3 + 0); /* hand check of the formula */
    int64_t dx[4] = {2, 4, 1, 2}, dw[4] = {4, 2, 1, 1}, db[1] = {4}, dy[4] = {2, 4, 1, 2};
    const int64_t in[3] = {1, 1, 2}, k[3] = {1, 1, 1}, one[3] = {1, 1, 1}, zero[3] = {0, 0, 0};
    int64_t ia[26];
    for (int mode = 0; mode < 2; mode++) {
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 4, dy)};
        conv_ia(ia, 2, 4, 4, 2, mode, 2, in, in, k, one, one, zero);
        run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
        near_all(y, want, 16, 0);
    }
}

/* Depthwise 3-D conv with a channel multiplier: the direct loop (mode 2) against im2col
 * (mode 0) on random data, strides and asymmetric padding. */
static void test_conv_depthwise_direct_matches_im2col(void **state)
{
    (void)state;
    static float x[2 * 3 * 4 * 5 * 6], w[6 * 1 * 2 * 3 * 3], b[6], y0[2 * 6 * 3 * 3 * 3],
        y2[2 * 6 * 3 * 3 * 3];
    fill_rnd(x, sizeof x / sizeof x[0]);
    fill_rnd(w, sizeof w / sizeof w[0]);
    fill_rnd(b, 6);
    /* out D = (4 - 2)/1 + 1 = 3; H = (5 + 1 - 3)/2 + 1 = 2; W (dilated extent 5, one implicit
     * trailing pad) = (6 + 1 - 5)/2 + 1 = 2 */
    int64_t dx[5] = {2, 3, 4, 5, 6}, dw[5] = {6, 1, 2, 3, 3}, db[1] = {6}, dy[5] = {2, 6, 3, 2, 2};
    const int64_t in[3] = {4, 5, 6}, k[3] = {2, 3, 3}, s[3] = {1, 2, 2}, d[3] = {1, 1, 2};
    const int64_t pb[3] = {0, 1, 0}, out[3] = {3, 2, 2};
    int64_t ia[26];
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 5, dx), tensor(w, FC_DT_F32, 5, dw),
                       tensor(b, FC_DT_F32, 1, db), tensor(y0, FC_DT_F32, 5, dy)};
    conv_ia(ia, 2, 3, 6, 3, 0, 5, in, out, k, s, d, pb);
    run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
    t[3].data = y2;
    conv_ia(ia, 2, 3, 6, 3, 2, 0, in, out, k, s, d, pb);
    run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
    near_all(y2, y0, 2 * 6 * 3 * 2 * 2, 1e-5);
    /* spot check one output by hand: n=1, oc=4 (input channel 2), od=1, oh=0, ow=1 */
    double acc = b[4];
    for (int kd = 0; kd < 2; kd++)
        for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++) {
                int id = 1 + kd, ih = 0 * 2 + kh - 1, iw = 1 * 2 + kw * 2;
                if (ih < 0 || ih >= 5 || iw >= 6)
                    continue;
                acc += (double)w[4 * 18 + (kd * 3 + kh) * 3 + kw] *
                       x[(((1 * 3 + 2) * 4 + id) * 5 + ih) * 6 + iw];
            }
    NEAR(y2[((1 * 6 + 4) * 3 + 1) * 4 + 0 * 2 + 1], acc, 1e-5);
}

/* Depthwise Conv of 2 images of `ch` channels of depth `depth` (H x W planes from geometry q
 * of test_conv_depthwise_rows_match_flat) into y. */
static void dw_rows_run(float *x, float *w, float *b, int64_t ch, int64_t depth,
                        const int64_t *q, int64_t OH, int64_t OW, int act, float *y)
{
    const int64_t H = q[0], W = q[1], KH = q[2], KW = q[3], dil = q[4];
    const int64_t in[3] = {depth, H, W}, out[3] = {depth, OH, OW}, k[3] = {1, KH, KW};
    const int64_t one[3] = {1, 1, 1}, d[3] = {1, dil, dil}, pb[3] = {0, q[5], q[6]};
    int64_t dx[5] = {2, ch, depth, H, W}, dw[5] = {ch, 1, 1, KH, KW}, db[1] = {ch};
    int64_t dy[5] = {2, ch, depth, OH, OW}, ia[26];
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 5, dx), tensor(w, FC_DT_F32, 5, dw),
                       tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 5, dy)};
    conv_ia(ia, 2, ch, ch, ch, 2, 0, in, out, k, one, d, pb);
    ia[6] = act;
    assert_true(fc_rt_conv_scratch(ia, 1) <= SCRATCH_FLOATS);
    run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
}

/* The depthwise row blocks (2-D planes, unit strides) give exactly the bits of the flat
 * loop over a padded plane, which still takes every other plane: the same 2-D planes as the
 * depth slices of a 3-D Conv with a 1-deep kernel (so C 2-D channels become C/2 channels of
 * depth 2, their filters and biases shared) take the flat loop. Planes holding an infinity
 * and a NaN check that masked-out lanes read as padding zeros. Widths around the chunk and
 * block sizes, kernels 3, 5, 7, a dilation, asymmetric pads, ReLU; with AVX-512 the planes
 * at most 16 wide with 8 rows or more take the lane-shift loop (8 or 16 lanes, several
 * bands, unpadded, wider out than in, kernels taller or shorter than wide). */
static void test_conv_depthwise_rows_match_flat(void **state)
{
    (void)state;
    static const int64_t geos[][8] = {
        /* H   W  KH KW  dil pad_begin(h,w) pad_end_w */
        {8, 8, 7, 7, 1, 3, 3, 3},     {16, 16, 7, 7, 1, 3, 3, 3}, {32, 32, 3, 3, 1, 1, 1, 1},
        {12, 12, 5, 5, 1, 2, 2, 2},   {7, 7, 3, 3, 1, 1, 1, 1},   {20, 20, 3, 3, 2, 2, 2, 2},
        {18, 33, 7, 5, 1, 3, 1, 4},   {10, 17, 3, 3, 1, 1, 1, 1}, {20, 22, 5, 5, 1, 0, 0, 0},
        {5, 4, 3, 3, 1, 1, 1, 1},     {10, 6, 3, 3, 1, 1, 1, 1},  {20, 16, 5, 5, 1, 0, 0, 0},
        {9, 6, 3, 3, 1, 1, 3, 3},     {12, 10, 3, 5, 1, 1, 2, 2}, {10, 14, 7, 3, 1, 3, 1, 1},
    };
    static float x[2 * 4 * 32 * 32], w[4 * 49], b[4], w2[2 * 49], b2[2], y2d[2 * 4 * 32 * 32],
        y3d[2 * 4 * 32 * 32];
    for (unsigned g = 0; g < sizeof geos / sizeof geos[0]; g++)
        for (int act = 0; act < 2; act++) {
            const int64_t *q = geos[g];
            const int64_t H = q[0], W = q[1], KH = q[2], KW = q[3], dil = q[4];
            const int64_t OH = H + 2 * q[5] - (KH - 1) * dil;
            const int64_t OW = W + q[6] + q[7] - (KW - 1) * dil;
            for (int64_t i = 0; i < 2 * 4 * H * W; i++)
                x[i] = rnd();
            x[(1 * 4 + 2) * H * W] = INFINITY;         /* image 1, channel 2, corner */
            x[(0 * 4 + 1) * H * W + H * W - 1] = NAN; /* image 0, channel 1, last */
            for (int64_t i = 0; i < 2 * KH * KW; i++)
                w2[i] = rnd();
            for (int c = 0; c < 4; c++) {
                memcpy(w + c * KH * KW, w2 + c / 2 * KH * KW, (size_t)(KH * KW) * sizeof(float));
                b[c] = b2[c / 2] = (float)(c / 2) - 0.5f;
            }
            dw_rows_run(x, w, b, 4, 1, q, OH, OW, act, y2d);
            dw_rows_run(x, w2, b2, 2, 2, q, OH, OW, act, y3d);
            assert_memory_equal(y2d, y3d, (size_t)(2 * 4 * OH * OW) * sizeof(float));
        }
}

/* Depthwise planes in pairs (the lane-shift loop with AVX-512; an odd last plane runs paired
 * with itself) against a direct reference: three planes, as 3 channels or 1 channel times a
 * multiplier of 3, 8-lane, 16-lane 8-row and 16-row bands, asymmetric pads. */
static void test_conv_depthwise_odd_plane_count(void **state)
{
    (void)state;
    static const int64_t geos[][6] = {
        /* H   W  K  pad_top pad_left pad_right (pad_bottom = pad_top) */
        {8, 8, 7, 3, 3, 3}, {12, 12, 5, 2, 2, 2}, {16, 16, 3, 1, 1, 1}, {9, 6, 3, 1, 1, 3},
    };
    static float x[3 * 16 * 16], w[3 * 49], b[3], y[3 * 18 * 18];
    for (unsigned g = 0; g < sizeof geos / sizeof geos[0]; g++)
        for (int mult = 1; mult <= 3; mult += 2) {
            const int64_t *q = geos[g], H = q[0], W = q[1], K = q[2], Cin = 3 / mult;
            const int64_t OH = H + 2 * q[3] - K + 1, OW = W + q[4] + q[5] - K + 1;
            const int64_t in[3] = {1, H, W}, out[3] = {1, OH, OW}, k[3] = {1, K, K};
            const int64_t one[3] = {1, 1, 1}, pb[3] = {0, q[3], q[4]};
            int64_t dx[4] = {1, Cin, H, W}, dw[4] = {3, 1, K, K}, db[1] = {3};
            int64_t dy[4] = {1, 3, OH, OW}, ia[26];
            for (int64_t i = 0; i < Cin * H * W; i++)
                x[i] = rnd();
            for (int64_t i = 0; i < 3 * K * K; i++)
                w[i] = rnd();
            for (int c = 0; c < 3; c++)
                b[c] = rnd();
            FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                               tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 4, dy)};
            conv_ia(ia, 1, Cin, 3, Cin, 2, 0, in, out, k, one, one, pb);
            assert_true(fc_rt_conv_scratch(ia, 1) <= SCRATCH_FLOATS);
            run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
            for (int64_t c = 0; c < 3; c++)
                for (int64_t oh = 0; oh < OH; oh++)
                    for (int64_t ow = 0; ow < OW; ow++) {
                        double acc = b[c];
                        for (int64_t kh = 0; kh < K; kh++)
                            for (int64_t kw = 0; kw < K; kw++) {
                                int64_t ih = oh + kh - q[3], iw = ow + kw - q[4];
                                if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                    acc += (double)w[(c * K + kh) * K + kw] *
                                           x[(c / mult * H + ih) * W + iw];
                            }
                        NEAR(y[(c * OH + oh) * OW + ow], acc, 1e-5);
                    }
        }
}

/* Small-plane depthwise (mode 5, a Toeplitz product per channel) gives the direct loop's
 * outputs (mode 2): the same products summed in the same order (bitwise at -O2; an -O3
 * build may contract them differently, so within 1e-6), for a 7x7 window that sees the whole
 * 4x4 plane and a 3x3 one that does not. Nine images: 0-3 run four at a time, 4-7 hold an
 * infinity and a NaN, so they and image 8 run one at a time. A plane holding an infinity or
 * NaN must not spread NaN beyond the outputs whose window sees it (T's zeros times infinity),
 * so such planes take the direct loop: with W prepacked too. */
static void test_conv_depthwise_small_planes_match_direct(void **state)
{
    (void)state;
    enum { NI = 9 };
    static float x[NI * 4 * 4 * 4], w[4 * 49], b[4], y2[NI * 4 * 4 * 4], y5[NI * 4 * 4 * 4];
    static float wp[4 * 16 * 16 + 4 * 49];
    int64_t dx[4] = {NI, 4, 4, 4}, db[1] = {4}, ia[26];
    const int64_t in[3] = {1, 4, 4}, one[3] = {1, 1, 1};
    fill_rnd(x, sizeof x / sizeof x[0]);
    fill_rnd(w, sizeof w / sizeof w[0]);
    fill_rnd(b, 4);
    x[(5 * 4 + 2) * 16 + 0] = INFINITY; /* image 5, channel 2, corner (0, 0) */
    x[(6 * 4 + 0) * 16 + 5] = NAN;      /* image 6, channel 0, (1, 1) */
    for (int64_t kk = 3; kk <= 7; kk += 4) {
        int64_t dw[4] = {4, 1, kk, kk}, k[3] = {1, kk, kk}, pb[3] = {0, kk / 2, kk / 2};
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(y2, FC_DT_F32, 4, dx)};
        conv_ia(ia, NI, 4, 4, 4, 2, 0, in, in, k, one, one, pb);
        run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
        for (int packed = 0; packed < 2; packed++) {
            conv_ia(ia, NI, 4, 4, 4, 5, 0, in, in, k, one, one, pb);
            t[3].data = y5;
            if (packed) {
                assert_int_equal(fc_rt_conv_prepacked_floats(ia), 4 * 16 * 16 + 4 * kk * kk);
                fc_rt_conv_prepack(ia, w, wp);
                t[1].data = wp;
                ia[25] = 1;
            }
            run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
            for (int i = 0; i < NI * 4 * 16; i++)
                assert_true(y5[i] == y2[i] || (y5[i] != y5[i] && y2[i] != y2[i]) ||
                            fabsf(y5[i] - y2[i]) <= 1e-6f * (1.0f + fabsf(y2[i])));
            /* the finite planes stay finite */
            for (int i = 0; i < 4 * 4 * 16; i++)
                assert_true(isfinite(y5[i]));
        }
        /* 3x3: output (3, 3) does not see input (0, 0); (2, 3) and (3, 2) do not see (1, 1) */
        assert_true(kk == 7 || (isfinite(y5[(5 * 4 + 2) * 16 + 15]) &&
                                isfinite(y5[(6 * 4 + 0) * 16 + 11]) &&
                                isnan(y5[(6 * 4 + 0) * 16 + 0])));
    }
}

/* GEMM blocks that span several images (small feature maps: block 48 > 9 output positions)
 * and the FcConv activation epilogue (ReLU), against a direct per-output reference. */
static void test_conv_blocks_across_images_with_relu(void **state)
{
    (void)state;
    enum { N = 5, CI = 3, CO = 7, H = 4, W = 4, OH = 3, OW = 3 };
    static float x[N * CI * H * W], w[CO * CI * 2 * 2], b[CO], y[N * CO * OH * OW];
    for (unsigned i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = rnd();
    for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++)
        w[i] = rnd();
    for (int i = 0; i < CO; i++)
        b[i] = rnd();
    int64_t dx[4] = {N, CI, H, W}, dw[4] = {CO, CI, 2, 2}, db[1] = {CO}, dy[4] = {N, CO, OH, OW};
    const int64_t in[3] = {1, H, W}, out[3] = {1, OH, OW}, k[3] = {1, 2, 2}, one[3] = {1, 1, 1};
    const int64_t zero[3] = {0, 0, 0};
    int64_t ia[26];
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                       tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 4, dy)};
    conv_ia(ia, N, CI, CO, 1, 0, 48, in, out, k, one, one, zero);
    ia[6] = 1; /* FC_ACT_RELU */
    run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
    int positives = 0;
    for (int n = 0; n < N; n++)
        for (int oc = 0; oc < CO; oc++)
            for (int oh = 0; oh < OH; oh++)
                for (int ow = 0; ow < OW; ow++) {
                    double acc = b[oc];
                    for (int c = 0; c < CI; c++)
                        for (int kh = 0; kh < 2; kh++)
                            for (int kw = 0; kw < 2; kw++)
                                acc += (double)w[((oc * CI + c) * 2 + kh) * 2 + kw] *
                                       x[((n * CI + c) * H + oh + kh) * W + ow + kw];
                    positives += acc > 0;
                    NEAR(y[((n * CO + oc) * OH + oh) * OW + ow], acc > 0 ? acc : 0.0, 1e-5);
                }
    assert_true(positives > 0 && positives < N * CO * OH * OW); /* ReLU really clipped */
}

/* One Conv case of test_conv_shapes_match_reference: canonical 3-D geometry, leading pads pb
 * and trailing pads pe (the output size implies the trailing ones). */
typedef struct ConvCase {
    int64_t N, Cin, Cout, G, in[3], k[3], s[3], d[3], pb[3], pe[3];
} ConvCase;

/* A GEMM-mode Conv (t, ia) that just wrote y gives the same bits again with its weights
 * packed by fc_rt_conv_prepack, as the compiler stores them, and ia[25] = 1; the packed
 * weights are not the raw ones (else the check would prove nothing). */
static void conv_prepacked_check(FcRtTensor *t, int64_t *ia, int nia, const float *y)
{
    static float wp[1 << 16], want[8192];
    const float *w = t[1].data;
    int64_t ny = 1, nw = 1;
    if (!fc_rt_conv_prepackable(ia))
        return;
    for (int a = 0; a < t[3].rank; a++)
        ny *= t[3].dims[a];
    for (int a = 0; a < t[1].rank; a++)
        nw *= t[1].dims[a];
    assert_true(fc_rt_conv_prepacked_floats(ia) <= (1 << 16) && ny <= 8192);
    assert_true(fc_rt_conv_prepacked_floats(ia) >= nw);
    memcpy(want, y, (size_t)ny * sizeof(float));
    fc_rt_conv_prepack(ia, w, wp);
    assert_true(nw == 1 || memcmp(wp, w, (size_t)nw * sizeof(float)) != 0);
    t[1].data = wp;
    ia[25] = 1;
    run(fc_rt_conv, t, 3, 1, ia, nia, NULL, 0);
    assert_memory_equal(t[3].data, want, (size_t)ny * sizeof(float));
    ia[25] = 0;
    t[1].data = (void *)w;
}

/* Runs case c in `mode` with GEMM block `block` and activation `act`, and compares every
 * output with a direct double-precision loop that tests each tap against the input bounds. */
static void conv_case_check(const ConvCase *c, int mode, int64_t block, int act)
{
    static float x[4096], w[4096], b[64], y[8192];
    int64_t out[3], ia[26], osz = 1, isz = 1, ksz = 1;
    for (int a = 0; a < 3; a++) {
        out[a] = (c->in[a] + c->pb[a] + c->pe[a] - (c->k[a] - 1) * c->d[a] - 1) / c->s[a] + 1;
        osz *= out[a];
        isz *= c->in[a];
        ksz *= c->k[a];
    }
    const int64_t cin_g = c->Cin / c->G, cout_g = c->Cout / c->G;
    assert_true(c->N * c->Cin * isz <= 4096 && c->Cout * cin_g * ksz <= 4096);
    assert_true(c->N * c->Cout * osz <= 8192 && c->Cout <= 64);
    for (int64_t i = 0; i < c->N * c->Cin * isz; i++)
        x[i] = rnd();
    for (int64_t i = 0; i < c->Cout * cin_g * ksz; i++)
        w[i] = rnd();
    for (int64_t i = 0; i < c->Cout; i++)
        b[i] = rnd();
    int64_t dx[5] = {c->N, c->Cin, c->in[0], c->in[1], c->in[2]};
    int64_t dw[5] = {c->Cout, cin_g, c->k[0], c->k[1], c->k[2]}, db[1] = {c->Cout};
    int64_t dy[5] = {c->N, c->Cout, out[0], out[1], out[2]};
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 5, dx), tensor(w, FC_DT_F32, 5, dw),
                       tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 5, dy)};
    conv_ia(ia, c->N, c->Cin, c->Cout, c->G, mode, block, c->in, out, c->k, c->s, c->d, c->pb);
    ia[6] = act;
    assert_true(fc_rt_conv_scratch(ia, 1) <= SCRATCH_FLOATS);
    run(fc_rt_conv, t, 3, 1, ia, 26, NULL, 0);
    conv_prepacked_check(t, ia, 26, y);
    for (int64_t n = 0; n < c->N; n++)
        for (int64_t oc = 0; oc < c->Cout; oc++)
            for (int64_t o = 0; o < osz; o++) {
                int64_t op[3] = {o / out[2] / out[1], o / out[2] % out[1], o % out[2]};
                double acc = b[oc], mag = fabs(b[oc]); /* mag: sum of |terms| */
                for (int64_t ci = 0; ci < cin_g; ci++)
                    for (int64_t kk = 0; kk < ksz; kk++) {
                        int64_t kp[3] = {kk / c->k[2] / c->k[1], kk / c->k[2] % c->k[1],
                                         kk % c->k[2]};
                        int64_t ip[3], inside = 1;
                        for (int a = 0; a < 3; a++) {
                            ip[a] = op[a] * c->s[a] + kp[a] * c->d[a] - c->pb[a];
                            inside &= ip[a] >= 0 && ip[a] < c->in[a];
                        }
                        if (!inside)
                            continue;
                        const double p =
                            (double)w[(oc * cin_g + ci) * ksz + kk] *
                            x[((n * c->Cin + oc / cout_g * cin_g + ci) * c->in[0] + ip[0]) *
                                  c->in[1] * c->in[2] +
                              ip[1] * c->in[2] + ip[2]];
                        acc += p;
                        mag += fabs(p);
                    }
                if (act == 1 && acc < 0)
                    acc = 0;
                if (mode == 7) {
                    /* F(4x4, 3x3) rounds ~20x more than im2col (worst seen 3e-6 of the
                     * terms' magnitude; F(2x2) and im2col 2e-7): bounded by the terms, since
                     * a sum that cancels to ~0 keeps the error of its big terms */
                    const float got = y[(n * c->Cout + oc) * osz + o];
                    if (!(fabs(got - acc) <= 1e-5 * (1.0 + mag))) {
                        print_error("F(4x4): %.9g, expected %.9g (terms' magnitude %.3g)\n",
                                    got, acc, mag);
                        fail();
                    }
                    continue;
                }
                NEAR(y[(n * c->Cout + oc) * osz + o], acc, 1e-5);
            }
}

/* The GEMM path's 2x2 MaxPool epilogue (ia[26], FcConv {pool=1}): bit for bit the plain
 * Conv with the same activation followed by the max of each window in MaxPool's tap order,
 * for im2col (strided, 2 groups) and pointwise convs, 3 images, blocks of 1 and 3 row pairs
 * (cutting images), ReLU and GELU, with weights prepacked too. */
static void test_conv_gemm_pool_epilogue(void **state)
{
    (void)state;
    static float x[3 * 4 * 12 * 12], w[6 * 4 * 9], b[6], y[3 * 6 * 12 * 12],
        yp[3 * 6 * 6 * 6], want[3 * 6 * 6 * 6];
    fill_rnd(x, sizeof x / sizeof x[0]);
    fill_rnd(w, sizeof w / sizeof w[0]);
    fill_rnd(b, 6);
    for (int pw = 0; pw < 2; pw++) { /* 3x3 stride 2 pad 1, 2 groups: 6x6; 1x1: 12x12 */
        const int64_t G = pw ? 1 : 2, K = pw ? 1 : 3, S = pw ? 1 : 2, P = pw ? 0 : 1;
        const int64_t O = pw ? 12 : 6, mode = pw;
        const int64_t in[3] = {1, 12, 12}, out[3] = {1, O, O}, k[3] = {1, K, K};
        const int64_t st[3] = {1, S, S}, one[3] = {1, 1, 1}, pb[3] = {0, P, P};
        int64_t dx[4] = {3, 4, 12, 12}, dw[4] = {6, 4 / G, K, K}, db[1] = {6};
        int64_t dy[4] = {3, 6, O, O}, dyp[4] = {3, 6, O / 2, O / 2}, ia[27];
        for (int act = 1; act <= 2; act++)
            for (int64_t pairs = 1; pairs <= 3; pairs += 2) {
                FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                                   tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 4, dy)};
                conv_ia(ia, 3, 4, 6, G, mode, 2 * O * pairs, in, out, k, st, one, pb);
                ia[6] = act;
                ia[26] = 0;
                run(fc_rt_conv, t, 3, 1, ia, 27, NULL, 0);
                for (int64_t c = 0; c < 3 * 6; c++) /* MaxPool's tap order */
                    for (int64_t ph = 0; ph < O / 2; ph++)
                        for (int64_t q = 0; q < O / 2; q++) {
                            const float *r = y + (c * O + 2 * ph) * O + 2 * q;
                            float m = r[0];
                            m = r[1] > m ? r[1] : m;
                            m = r[O] > m ? r[O] : m;
                            m = r[O + 1] > m ? r[O + 1] : m;
                            want[(c * (O / 2) + ph) * (O / 2) + q] = m;
                        }
                ia[26] = 1;
                t[3] = tensor(yp, FC_DT_F32, 4, dyp);
                assert_true(fc_rt_conv_scratch(ia, 1) <= SCRATCH_FLOATS);
                run(fc_rt_conv, t, 3, 1, ia, 27, NULL, 0);
                assert_memory_equal(yp, want, sizeof(float) * (size_t)(3 * 6 * O * O / 4));
                conv_prepacked_check(t, ia, 27, yp);
            }
    }
}

/* The im2col (padded-plane runs into the B panel), depthwise (padded plane, unit-stride
 * and strided loops) and Winograd F(2x2, 3x3) and F(4x4, 3x3) paths against a direct reference, over 1-D / 2-D / 3-D shapes with
 * strides, dilations, asymmetric pads, groups, channel multipliers, several images, narrow
 * and odd planes, GEMM blocks that cut images and panel strips, and the ReLU epilogue. */
static void test_conv_shapes_match_reference(void **state)
{
    (void)state;
    static const ConvCase cases[] = {
        /* N Cin Cout G  in         k          s          d          pb         pe */
        {3, 2, 5, 1, {1, 8, 8}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {2, 3, 4, 1, {1, 7, 5}, {1, 3, 2}, {1, 2, 1}, {1, 1, 2}, {0, 2, 0}, {0, 1, 3}},
        {2, 4, 6, 2, {1, 5, 9}, {1, 2, 3}, {1, 1, 3}, {1, 2, 1}, {0, 1, 2}, {0, 0, 1}},
        {1, 2, 3, 1, {3, 4, 5}, {2, 2, 3}, {2, 1, 1}, {1, 1, 1}, {1, 0, 1}, {0, 1, 1}},
        {4, 1, 3, 1, {1, 1, 17}, {1, 1, 5}, {1, 1, 2}, {1, 1, 1}, {0, 0, 3}, {0, 0, 2}},
        {5, 3, 2, 1, {1, 3, 3}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {2, 6, 6, 6, {1, 16, 16}, {1, 7, 7}, {1, 1, 1}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}},
        {3, 4, 8, 4, {1, 4, 4}, {1, 7, 7}, {1, 1, 1}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}},
        {2, 3, 3, 3, {1, 2, 2}, {1, 7, 7}, {1, 1, 1}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}},
        {2, 4, 4, 4, {1, 9, 11}, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 0}, {0, 0, 1}},
        {1, 3, 6, 3, {4, 5, 6}, {2, 3, 2}, {1, 1, 1}, {2, 1, 2}, {1, 2, 0}, {0, 1, 1}},
        {2, 2, 2, 2, {1, 1, 13}, {1, 1, 4}, {1, 1, 1}, {1, 1, 3}, {0, 0, 5}, {0, 0, 1}},
        {3, 5, 5, 5, {1, 6, 7}, {1, 3, 5}, {1, 1, 3}, {1, 2, 1}, {0, 0, 2}, {0, 2, 1}},
        /* 3x3 unit stride (Winograd, modes 3 and 7, too): groups, asymmetric and large pads,
         * odd outputs (partial 2x2 and 4x4 tiles), tiles that cut images, more than 64 input
         * channels */
        {2, 4, 6, 2, {1, 7, 5}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 2, 0}, {0, 1, 3}},
        {3, 9, 10, 1, {1, 6, 6}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 0, 0}},
        {2, 3, 4, 1, {1, 4, 4}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 2, 2}, {0, 2, 2}},
        {1, 2, 33, 1, {1, 9, 3}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 0, 1}, {0, 0, 1}},
        {1, 70, 6, 1, {1, 3, 4}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        /* input rows of every short-copy length class (1, 2, 3, 5, 9, 17 floats, and 70:
         * memcpy), leads wider than the kernel: the padding zeros are written once per block
         * and must survive every later plane copied over them */
        {2, 2, 3, 1, {1, 3, 1}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {3, 2, 3, 1, {1, 4, 2}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {1, 2, 2, 1, {1, 3, 3}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 2, 3}, {0, 1, 1}},
        {2, 2, 3, 1, {1, 3, 5}, {1, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 0, 0}},
        {2, 4, 3, 1, {1, 4, 9}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {2, 3, 4, 1, {1, 5, 17}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 2, 1}, {0, 1, 2}},
        {2, 3, 4, 1, {1, 3, 70}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        /* a few output positions (mode 6 picked by prepare): ConvNeXt's last downsampling
         * at batch 1, 2x2 stride 2 on 4x4; two images; a padded 3x3 on 2x2 */
        {1, 16, 48, 1, {1, 4, 4}, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
        {2, 8, 40, 1, {1, 4, 4}, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
        {1, 8, 33, 1, {1, 2, 2}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        /* kernels as wide as their stride (patches side by side: the deinterleaving pack),
         * 4 and 2, padded, 3-D with groups */
        {2, 3, 5, 1, {1, 9, 13}, {1, 4, 4}, {1, 4, 4}, {1, 1, 1}, {0, 1, 2}, {0, 2, 1}},
        {3, 4, 6, 2, {2, 6, 9}, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {0, 0, 1}, {1, 0, 0}},
        /* depthwise on planes of <= 16 outputs (mode 5 too): 3-D, a channel multiplier */
        {2, 2, 4, 2, {2, 2, 2}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}},
        {1, 16, 16, 16, {1, 8, 8}, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 1}, {0, 0, 0}},
        /* depthwise row blocks (2-D, unit stride): chunks of several rows (OW 8, 7, 5),
         * of one row (12), 16-column stretches with an overlapping last one (20, 34), blocks
         * of 8 chunks and a short last block (32 rows), a channel multiplier, dilations,
         * asymmetric pads, an input wider than the output (no padding) */
        {2, 3, 3, 3, {1, 8, 8}, {1, 7, 7}, {1, 1, 1}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}},
        {1, 2, 4, 2, {1, 16, 16}, {1, 5, 5}, {1, 1, 1}, {1, 1, 1}, {0, 2, 2}, {0, 2, 2}},
        {1, 2, 2, 2, {1, 32, 32}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {2, 2, 2, 2, {1, 12, 12}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {2, 2, 2, 2, {1, 7, 7}, {1, 7, 7}, {1, 1, 1}, {1, 1, 1}, {0, 3, 3}, {0, 3, 3}},
        {2, 2, 2, 2, {1, 6, 5}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
        {1, 2, 2, 2, {1, 20, 20}, {1, 3, 3}, {1, 1, 1}, {1, 2, 2}, {0, 2, 2}, {0, 2, 2}},
        {1, 2, 2, 2, {1, 18, 33}, {1, 7, 5}, {1, 1, 1}, {1, 1, 1}, {0, 3, 1}, {0, 2, 4}},
        {1, 2, 2, 2, {1, 20, 22}, {1, 5, 5}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}},
        {1, 2, 2, 2, {1, 9, 17}, {1, 3, 3}, {1, 1, 1}, {1, 1, 3}, {0, 1, 3}, {0, 1, 3}},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const ConvCase *c = &cases[i];
        int depthwise = c->Cin == c->G && c->G > 1;
        int winograd = c->in[0] == 1 && c->k[1] == 3 && c->k[2] == 3 && c->s[1] == 1 &&
                       c->s[2] == 1 && c->d[1] == 1 && c->d[2] == 1;
        int64_t osz = 1, isz = c->in[0] * c->in[1] * c->in[2];
        for (int a = 0; a < 3; a++)
            osz *= (c->in[a] + c->pb[a] + c->pe[a] - (c->k[a] - 1) * c->d[a] - 1) / c->s[a] + 1;
        for (int act = 0; act < 2; act++) {
            conv_case_check(c, 0, 16, act);
            conv_case_check(c, 0, 48, act);
            conv_case_check(c, 0, 1024, act);
            if (depthwise)
                conv_case_check(c, 2, 0, act);
            if (depthwise && osz <= 16 && isz <= 64)
                conv_case_check(c, 5, 0, act);
            if (c->G == 1) /* few output positions (any count works) */
                conv_case_check(c, 6, 0, act);
            if (winograd) { /* F(2x2, 3x3) and F(4x4, 3x3) */
                for (int wm = 3; wm <= 7; wm += 4) {
                    conv_case_check(c, wm, 32, act);
                    conv_case_check(c, wm, 64, act);
                    conv_case_check(c, wm, 512, act);
                }
            }
        }
    }
}

/* The Winograd kernels' 2x2 MaxPool epilogue (modes 4 and 8, FcConv {pool=1}): bit for bit
 * the plain Winograd Conv (modes 3 and 7) with the same activation followed by the max of
 * each whole window in MaxPool's tap order, on planes whose sides are 0, 1, 2 and 3 mod 4
 * (partial tiles, windows cut by an odd side), 3 images, blocks of 32 tiles (cutting
 * images) and 512, ReLU and GELU, and with the filters prepacked. */
static void test_conv_winograd_pool_epilogue(void **state)
{
    (void)state;
    static float x[3 * 9 * 11 * 11], w[10 * 9 * 9], b[10], y[3 * 10 * 11 * 11],
        yp[3 * 10 * 5 * 5], want[3 * 10 * 5 * 5];
    static const int64_t sides[][2] = {{8, 8}, {11, 9}, {5, 10}, {2, 7}};
    fill_rnd(x, sizeof x / sizeof x[0]);
    fill_rnd(w, sizeof w / sizeof w[0]);
    fill_rnd(b, 10);
    for (unsigned sd = 0; sd < sizeof sides / sizeof sides[0]; sd++)
        for (int64_t mode = 3; mode <= 7; mode += 4)
            for (int act = 1; act <= 2; act++)
                for (int64_t block = 32; block <= 512; block += 480) {
                    const int64_t H = sides[sd][0], W = sides[sd][1], PH = H / 2, PW = W / 2;
                    const int64_t in[3] = {1, H, W}, k[3] = {1, 3, 3}, one[3] = {1, 1, 1};
                    const int64_t pb[3] = {0, 1, 1};
                    int64_t dx[4] = {3, 9, H, W}, dw[4] = {10, 9, 3, 3}, db[1] = {10};
                    int64_t dy[4] = {3, 10, H, W}, dyp[4] = {3, 10, PH, PW}, ia[27];
                    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                                       tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 4, dy)};
                    conv_ia(ia, 3, 9, 10, 1, mode, block, in, in, k, one, one, pb);
                    ia[6] = act;
                    ia[26] = 0;
                    run(fc_rt_conv, t, 3, 1, ia, 27, NULL, 0);
                    for (int64_t c = 0; c < 3 * 10; c++) /* MaxPool's tap order */
                        for (int64_t ph = 0; ph < PH; ph++)
                            for (int64_t q = 0; q < PW; q++) {
                                const float *r = y + (c * H + 2 * ph) * W + 2 * q;
                                float m = r[0];
                                m = r[1] > m ? r[1] : m;
                                m = r[W] > m ? r[W] : m;
                                m = r[W + 1] > m ? r[W + 1] : m;
                                want[(c * PH + ph) * PW + q] = m;
                            }
                    ia[4] = mode + 1;
                    t[3] = tensor(yp, FC_DT_F32, 4, dyp);
                    for (int64_t i = 0; i < 3 * 10 * PH * PW; i++)
                        yp[i] = -12345.0f; /* every pooled output must be written */
                    assert_true(fc_rt_conv_scratch(ia, 1) <= SCRATCH_FLOATS);
                    run(fc_rt_conv, t, 3, 1, ia, 27, NULL, 0);
                    assert_memory_equal(yp, want, sizeof(float) * (size_t)(3 * 10 * PH * PW));
                    conv_prepacked_check(t, ia, 27, yp);
                }
}

/* ---- ConvTranspose -------------------------------------------------------------------- */

static void convt_ia(int64_t *ia, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                     int64_t block, const int64_t in[3], const int64_t out[3],
                     const int64_t k[3], const int64_t s[3], const int64_t d[3],
                     const int64_t pb[3])
{
    ia[0] = N;
    ia[1] = Cin;
    ia[2] = Cout;
    ia[3] = G;
    ia[4] = block;
    ia[5] = 0;
    for (int i = 0; i < 3; i++) {
        ia[6 + i] = in[i];
        ia[9 + i] = out[i];
        ia[12 + i] = k[i];
        ia[15 + i] = s[i];
        ia[18 + i] = d[i];
        ia[21 + i] = pb[i];
    }
}

static void test_convtranspose_onnx_example(void **state)
{
    (void)state;
    /* x = 0..8 (3x3), W [1,2,3,3] ones -> both output channels equal the documented 5x5 */
    float x[9], w[18], y[50];
    for (int i = 0; i < 9; i++)
        x[i] = (float)i;
    for (int i = 0; i < 18; i++)
        w[i] = 1.0f;
    const float want[25] = {0, 1, 3, 3,  2,  3, 8,  15, 12, 7,  9,  21, 36,
                            27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
    int64_t dx[4] = {1, 1, 3, 3}, dw[4] = {1, 2, 3, 3}, dy[4] = {1, 2, 5, 5};
    const int64_t in[3] = {1, 3, 3}, out[3] = {1, 5, 5}, k[3] = {1, 3, 3}, one[3] = {1, 1, 1};
    const int64_t zero[3] = {0, 0, 0};
    int64_t ia[24];
    for (int64_t block = 2; block <= 9; block += 7) {
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 4, dx), tensor(w, FC_DT_F32, 4, dw),
                           tensor(NULL, FC_DT_F32, 0, dy), tensor(y, FC_DT_F32, 4, dy)};
        convt_ia(ia, 1, 1, 2, 1, block, in, out, k, one, one, zero);
        run_abs(fc_rt_conv_transpose, t, 3, 1, 4u, ia, 24, NULL, 0);
        near_all(y, want, 25, 0);
        near_all(y + 25, want, 25, 0);
    }
}

static void test_convtranspose_1d_stride_pad_group(void **state)
{
    (void)state;
    /* x = [1,2], w = [1,10], stride 2: full output [1,10,2,20]; pads 1/1 -> [10,2];
     * bias 0.5. Two groups (channel 1 doubles x and uses w = [1,1]). */
    float x[4] = {1, 2, 2, 4}, w[4] = {1, 10, 1, 1}, b[2] = {0.5f, 0}, y[8];
    int64_t dx[3] = {1, 2, 2}, dw[3] = {2, 1, 2}, db[1] = {2}, dy[3] = {1, 2, 4};
    const int64_t in[3] = {1, 1, 2}, k[3] = {1, 1, 2}, s[3] = {1, 1, 2}, one[3] = {1, 1, 1};
    const int64_t zero[3] = {0, 0, 0}, pad1[3] = {0, 0, 1};
    int64_t ia[24];
    {
        const int64_t out[3] = {1, 1, 4};
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(w, FC_DT_F32, 3, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 3, dy)};
        convt_ia(ia, 1, 2, 2, 2, 64, in, out, k, s, one, zero);
        run(fc_rt_conv_transpose, t, 3, 1, ia, 24, NULL, 0);
        const float want[8] = {1.5f, 10.5f, 2.5f, 20.5f, 2, 2, 4, 4};
        near_all(y, want, 8, 0);
    }
    {
        const int64_t out[3] = {1, 1, 2};
        dy[2] = 2;
        FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(w, FC_DT_F32, 3, dw),
                           tensor(b, FC_DT_F32, 1, db), tensor(y, FC_DT_F32, 3, dy)};
        convt_ia(ia, 1, 2, 2, 2, 1, in, out, k, s, one, pad1);
        run(fc_rt_conv_transpose, t, 3, 1, ia, 24, NULL, 0);
        const float want[4] = {10.5f, 2.5f, 2, 4};
        near_all(y, want, 4, 0);
    }
}

/* ---- pools ----------------------------------------------------------------------------- */

static void pool_ia(int64_t *ia, int64_t planes, int64_t flag, int64_t order,
                    const int64_t in[3], const int64_t out[3], const int64_t k[3],
                    const int64_t s[3], const int64_t d[3], const int64_t pb[3],
                    const int64_t pe[3])
{
    ia[0] = planes;
    ia[1] = flag;
    ia[2] = order;
    ia[3] = 0;
    for (int i = 0; i < 3; i++) {
        ia[4 + i] = in[i];
        ia[7 + i] = out[i];
        ia[10 + i] = k[i];
        ia[13 + i] = s[i];
        ia[16 + i] = d[i];
        ia[19 + i] = pb[i];
        ia[22 + i] = pe[i];
    }
}

static void test_maxpool_2d_indices(void **state)
{
    (void)state;
    /* two planes of 1..16 (second negated), k 2x2 stride 2 */
    float x[32], y[8];
    int64_t idx[8];
    for (int i = 0; i < 16; i++) {
        x[i] = (float)(i + 1);
        x[16 + i] = -(float)(i + 1);
    }
    int64_t dx[4] = {1, 2, 4, 4}, dy[4] = {1, 2, 2, 2};
    const int64_t in[3] = {1, 4, 4}, out[3] = {1, 2, 2}, k[3] = {1, 2, 2}, s[3] = {1, 2, 2};
    const int64_t one[3] = {1, 1, 1}, zero[3] = {0, 0, 0};
    int64_t ia[25];
    FcRtTensor t[3] = {tensor(x, FC_DT_F32, 4, dx), tensor(y, FC_DT_F32, 4, dy),
                       tensor(idx, FC_DT_I64, 4, dy)};
    pool_ia(ia, 2, 1, 0, in, out, k, s, one, zero, zero);
    run(fc_rt_maxpool, t, 1, 2, ia, 25, NULL, 0);
    const float want[8] = {6, 8, 14, 16, -1, -3, -9, -11};
    const int64_t want_i[8] = {5, 7, 13, 15, 16, 18, 24, 26};
    near_all(y, want, 8, 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(idx[i], want_i[i]);
    /* storage_order 1: column-major spatial index h + w*H */
    pool_ia(ia, 2, 1, 1, in, out, k, s, one, zero, zero);
    run(fc_rt_maxpool, t, 1, 2, ia, 25, NULL, 0);
    const int64_t want_c[8] = {5, 13, 7, 15, 16, 24, 18, 26};
    for (int i = 0; i < 8; i++)
        assert_int_equal(idx[i], want_c[i]);
}

static void test_maxpool_pads_ceil_dilation_u8(void **state)
{
    (void)state;
    /* 1-D x = [3,1,4,1,5], k 2, stride 2, ceil mode, pad begin 1: windows
     * [pad,3] [1,4] [1,5] -> 3, 4, 5 */
    float x[5] = {3, 1, 4, 1, 5}, y[3];
    int64_t dx[3] = {1, 1, 5}, dy[3] = {1, 1, 3};
    const int64_t in[3] = {1, 1, 5}, out[3] = {1, 1, 3}, k[3] = {1, 1, 2}, s[3] = {1, 1, 2};
    const int64_t one[3] = {1, 1, 1}, zero[3] = {0, 0, 0}, pb[3] = {0, 0, 1};
    int64_t ia[25];
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 3, dx), tensor(y, FC_DT_F32, 3, dy)};
    pool_ia(ia, 1, 0, 0, in, out, k, s, one, pb, zero);
    run(fc_rt_maxpool, t, 1, 1, ia, 25, NULL, 0);
    const float want[3] = {3, 4, 5};
    near_all(y, want, 3, 0);
    /* dilation 2, k 2, stride 1: windows {0,2} {1,3} {2,4} -> 4, 1, 5 */
    const int64_t d2[3] = {1, 1, 2}, out3[3] = {1, 1, 3};
    pool_ia(ia, 1, 0, 0, in, out3, k, one, d2, zero, zero);
    run(fc_rt_maxpool, t, 1, 1, ia, 25, NULL, 0);
    const float want2[3] = {4, 1, 5};
    near_all(y, want2, 3, 0);
    /* uint8 through the generic path */
    uint8_t xu[5] = {200, 10, 255, 0, 7}, yu[3];
    FcRtTensor tu[2] = {tensor(xu, FC_DT_U8, 3, dx), tensor(yu, FC_DT_U8, 3, dy)};
    pool_ia(ia, 1, 0, 0, in, out3, k, one, d2, zero, zero);
    run(fc_rt_maxpool, tu, 1, 1, ia, 25, NULL, 0);
    assert_true(yu[0] == 255 && yu[1] == 10 && yu[2] == 255);
}

/* Pool geometries for the float32 fast paths (k_pool.c): the direct window loop (rows of few
 * windows), the column-then-row fold per row (stride 2 rows), row groups (row stride 1) with
 * one flat row fold ("same" width) or per-row folds, dilations, 3-D windows, KW = 1, windows
 * wholly in the trailing padding, and the 2x2 stride-2 plane pass. */
static const int64_t pool_cfg[][11] = {
    /* ID IH IW  KD KH KW  sh sw  d  pb pe */
    {1, 9, 11, 1, 2, 2, 2, 2, 1, 0, 0}, {1, 8, 13, 1, 3, 3, 1, 1, 1, 1, 1},
    {1, 7, 17, 1, 3, 3, 2, 2, 1, 1, 1}, {1, 6, 20, 1, 2, 3, 3, 3, 2, 2, 1},
    {3, 5, 9, 2, 2, 2, 1, 1, 1, 1, 0},  {1, 1, 5, 1, 1, 7, 1, 1, 1, 3, 3},
    {1, 4, 3, 1, 1, 5, 1, 1, 1, 2, 2},  {1, 9, 60, 1, 3, 3, 2, 2, 1, 1, 1},
    {1, 9, 40, 1, 3, 3, 1, 2, 1, 1, 1}, {1, 9, 24, 1, 3, 3, 1, 1, 2, 2, 2},
    {3, 5, 20, 2, 3, 3, 1, 1, 1, 1, 1}, {1, 6, 40, 1, 2, 1, 1, 1, 1, 0, 0},
    {1, 9, 30, 1, 3, 5, 1, 1, 1, 0, 0}, {1, 4, 30, 1, 2, 2, 2, 2, 1, 0, 3},
    /* 2x2 stride 2: the unpadded 2-D plane pass (even and odd sizes), and padded / 3-D */
    {1, 8, 16, 1, 2, 2, 2, 2, 1, 0, 0}, {1, 2, 2, 1, 2, 2, 2, 2, 1, 0, 0},
    {1, 7, 9, 1, 2, 2, 2, 2, 1, 1, 1},  {2, 6, 8, 2, 2, 2, 2, 2, 1, 0, 0}};

/* Fills the geometry of pool_cfg[c] for 2 planes: ia, input / output dims, and the counts. */
static void pool_cfg_ia(size_t c, int64_t flag, int64_t *ia, int64_t dx[5], int64_t dy[5],
                        int64_t *total, int64_t *ototal)
{
    const int64_t *g = pool_cfg[c];
    int64_t in[3] = {g[0], g[1], g[2]}, k[3] = {g[3], g[4], g[5]};
    int64_t s[3] = {1, g[6], g[7]}, d[3] = {1, g[8], g[8]};
    int64_t pb[3] = {0, g[9], g[9]}, pe[3] = {0, g[10], g[10]}, out[3];
    *total = *ototal = 2;
    for (int i = 0; i < 3; i++) {
        out[i] = (in[i] + pb[i] + pe[i] - ((k[i] - 1) * d[i] + 1)) / s[i] + 1;
        *total *= in[i];
        *ototal *= out[i];
        dx[2 + i] = in[i];
        dy[2 + i] = out[i];
    }
    dx[0] = dy[0] = 1;
    dx[1] = dy[1] = 2;
    pool_ia(ia, 2, flag, 0, in, out, k, s, d, pb, pe);
}

/* The float32 MaxPool fast paths (no Indices) against the general loop (Indices wanted), bit
 * for bit, with NaNs (first taps of some windows, later taps of others), -inf and ties in
 * the data. */
static void test_maxpool_fast_path_matches_general(void **state)
{
    (void)state;
    float x[2 * 3 * 9 * 20], y1[2 * 3 * 9 * 20], y2[2 * 3 * 9 * 20];
    int64_t idx[2 * 3 * 9 * 20];
    for (size_t c = 0; c < sizeof pool_cfg / sizeof pool_cfg[0]; c++) {
        int64_t dx[5], dy[5], ia[25], total, ototal;
        pool_cfg_ia(c, 0, ia, dx, dy, &total, &ototal);
        assert_true(total <= (int64_t)(sizeof x / sizeof x[0]));
        for (int64_t i = 0; i < total; i++)
            x[i] = (float)((int)(rnd() * 8.0f)); /* small integers: many ties */
        x[total / 3] = NAN;
        x[total / 5 + 1] = NAN;
        x[total / 7 + 2] = NAN;
        x[total / 2] = -INFINITY;
        FcRtTensor t1[2] = {tensor(x, FC_DT_F32, 5, dx), tensor(y1, FC_DT_F32, 5, dy)};
        FcRtTensor t2[3] = {tensor(x, FC_DT_F32, 5, dx), tensor(y2, FC_DT_F32, 5, dy),
                            tensor(idx, FC_DT_I64, 5, dy)};
        run(fc_rt_maxpool, t1, 1, 1, ia, 25, NULL, 0);
        pool_cfg_ia(c, 1, ia, dx, dy, &total, &ototal);
        run(fc_rt_maxpool, t2, 1, 2, ia, 25, NULL, 0);
        for (int64_t i = 0; i < ototal; i++)
            if (memcmp(&y1[i], &y2[i], sizeof(float)) != 0) {
                print_error("config %d element %lld: %g vs %g\n", (int)c, (long long)i,
                            (double)y1[i], (double)y2[i]);
                fail();
            }
    }
}

/* The float32 AveragePool paths (float sums) against the float64 general loop on the same
 * values, with and without count_include_pad. */
static void test_avgpool_fast_path_matches_f64(void **state)
{
    (void)state;
    float x[2 * 3 * 9 * 20], y[2 * 3 * 9 * 20];
    double xd[2 * 3 * 9 * 20], yd[2 * 3 * 9 * 20];
    for (size_t c = 0; c < sizeof pool_cfg / sizeof pool_cfg[0]; c++)
        for (int64_t cip = 0; cip < 2; cip++) {
            int64_t dx[5], dy[5], ia[25], total, ototal;
            pool_cfg_ia(c, cip, ia, dx, dy, &total, &ototal);
            for (int64_t i = 0; i < total; i++) {
                x[i] = rnd();
                xd[i] = x[i];
            }
            FcRtTensor t[2] = {tensor(x, FC_DT_F32, 5, dx), tensor(y, FC_DT_F32, 5, dy)};
            FcRtTensor td[2] = {tensor(xd, FC_DT_F64, 5, dx), tensor(yd, FC_DT_F64, 5, dy)};
            run(fc_rt_avgpool, t, 1, 1, ia, 25, NULL, 0);
            run(fc_rt_avgpool, td, 1, 1, ia, 25, NULL, 0);
            for (int64_t i = 0; i < ototal; i++)
                if (!(fabs((double)y[i] - yd[i]) <= 1e-6)) {
                    print_error("config %d cip %d element %lld: %.9g vs %.9g\n", (int)c,
                                (int)cip, (long long)i, (double)y[i], yd[i]);
                    fail();
                }
        }
}

static void test_avgpool_count_include_pad_ceil(void **state)
{
    (void)state;
    float x[5] = {1, 2, 3, 4, 5}, y[5];
    int64_t dx[3] = {1, 1, 5}, dy[3] = {1, 1, 5};
    const int64_t in[3] = {1, 1, 5}, out[3] = {1, 1, 5}, k[3] = {1, 1, 3};
    const int64_t one[3] = {1, 1, 1}, pad[3] = {0, 0, 1}, zero[3] = {0, 0, 0};
    int64_t ia[25];
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 3, dx), tensor(y, FC_DT_F32, 3, dy)};
    pool_ia(ia, 1, 0, 0, in, out, k, one, one, pad, pad);
    run(fc_rt_avgpool, t, 1, 1, ia, 25, NULL, 0);
    const float excl[5] = {1.5f, 2, 3, 4, 4.5f};
    near_all(y, excl, 5, 1e-6);
    pool_ia(ia, 1, 1, 0, in, out, k, one, one, pad, pad);
    run(fc_rt_avgpool, t, 1, 1, ia, 25, NULL, 0);
    const float incl[5] = {1, 2, 3, 4, 3};
    near_all(y, incl, 5, 1e-6);
    /* ceil mode k 2 stride 2: windows [1,2] [3,4] [5] -> 1.5 3.5 5 */
    const int64_t k2[3] = {1, 1, 2}, s2[3] = {1, 1, 2}, out3[3] = {1, 1, 3};
    dy[2] = 3;
    FcRtTensor t2[2] = {tensor(x, FC_DT_F32, 3, dx), tensor(y, FC_DT_F32, 3, dy)};
    pool_ia(ia, 1, 0, 0, in, out3, k2, s2, one, zero, zero);
    run(fc_rt_avgpool, t2, 1, 1, ia, 25, NULL, 0);
    const float ceil_want[3] = {1.5f, 3.5f, 5};
    near_all(y, ceil_want, 3, 1e-6);
    /* f64 through the generic path */
    double xd[5] = {1, 2, 3, 4, 5}, yd[3];
    FcRtTensor t3[2] = {tensor(xd, FC_DT_F64, 3, dx), tensor(yd, FC_DT_F64, 3, dy)};
    run(fc_rt_avgpool, t3, 1, 1, ia, 25, NULL, 0);
    assert_true(yd[0] == 1.5 && yd[1] == 3.5 && yd[2] == 5);
}

static void test_lppool(void **state)
{
    (void)state;
    /* 2-D 2x2 window over [[3,-4],[0,0]] -> p=2: 5; p=1: 7; p=3: (27+64)^(1/3) */
    float x[4] = {3, -4, 0, 0}, y[1];
    int64_t dx[4] = {1, 1, 2, 2}, dy[4] = {1, 1, 1, 1};
    const int64_t in[3] = {1, 2, 2}, out[3] = {1, 1, 1}, k[3] = {1, 2, 2}, one[3] = {1, 1, 1};
    const int64_t zero[3] = {0, 0, 0};
    int64_t ia[25];
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 4, dx), tensor(y, FC_DT_F32, 4, dy)};
    pool_ia(ia, 1, 0, 0, in, out, k, one, one, zero, zero);
    const float p2 = 2, p1 = 1, p3 = 3;
    run(fc_rt_lppool, t, 1, 1, ia, 25, &p2, 1);
    NEAR(y[0], 5, 1e-6);
    run(fc_rt_lppool, t, 1, 1, ia, 25, &p1, 1);
    NEAR(y[0], 7, 1e-6);
    run(fc_rt_lppool, t, 1, 1, ia, 25, &p3, 1);
    NEAR(y[0], cbrt(91.0), 1e-6);
}

static void test_global_pools(void **state)
{
    (void)state;
    float x[8] = {1, 2, 3, 4, -1, -2, -3, 4}, y[2];
    int64_t dx[4] = {1, 2, 2, 2}, dy[4] = {1, 2, 1, 1};
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 4, dx), tensor(y, FC_DT_F32, 4, dy)};
    int64_t ia[3] = {0, 2, 4};
    const float p = 2;
    run(fc_rt_global_pool, t, 1, 1, ia, 3, &p, 1);
    NEAR(y[0], 2.5, 1e-7);
    NEAR(y[1], -0.5, 1e-7);
    ia[0] = 1;
    run(fc_rt_global_pool, t, 1, 1, ia, 3, &p, 1);
    assert_true(y[0] == 4 && y[1] == 4);
    ia[0] = 2;
    run(fc_rt_global_pool, t, 1, 1, ia, 3, &p, 1);
    NEAR(y[0], sqrt(30.0), 1e-6);
    NEAR(y[1], sqrt(30.0), 1e-6);
    double xd[4] = {1, 2, 3, 6}, yd[1];
    int64_t dx1[3] = {1, 1, 4}, dy1[3] = {1, 1, 1};
    FcRtTensor td[2] = {tensor(xd, FC_DT_F64, 3, dx1), tensor(yd, FC_DT_F64, 3, dy1)};
    int64_t ia1[3] = {0, 1, 4};
    run(fc_rt_global_pool, td, 1, 1, ia1, 3, &p, 1);
    assert_true(yd[0] == 3.0);
}

/* The float32 global average and max over planes longer than the vector lanes (49, 100)
 * and shorter (3): the average against a double sum, the max against the serial loop's rule
 * (a NaN counts only as the first value). */
static void test_global_pools_lanes(void **state)
{
    (void)state;
    static const int64_t sizes[3] = {49, 100, 3};
    float x[2 * 100], y[2];
    for (int si = 0; si < 3; si++) {
        const int64_t sz = sizes[si];
        int64_t dx[4] = {1, 2, 1, sz}, dy[4] = {1, 2, 1, 1}, ia[3] = {0, 2, sz};
        const float p = 2;
        double want[2] = {0, 0};
        FcRtTensor t[2] = {tensor(x, FC_DT_F32, 4, dx), tensor(y, FC_DT_F32, 4, dy)};
        for (int64_t i = 0; i < 2 * sz; i++) {
            x[i] = rnd() * 100.0f;
            want[i / sz] += x[i];
        }
        run(fc_rt_global_pool, t, 1, 1, ia, 3, &p, 1);
        for (int c = 0; c < 2; c++)
            NEAR(y[c], want[c] / (double)sz, 1e-6);
        /* max: plane 0 has NaNs after its first value (ignored; x[1] is where a lane would
         * start if lanes were seeded with their own first values) and its largest value in
         * the lane after x[1]'s; plane 1 starts with NaN (the result) */
        x[1] = NAN;
        x[sz / 2] = NAN;
        x[sz >= 19 ? 18 : sz - 1] = 1000.0f;
        x[sz] = NAN;
        ia[0] = 1;
        run(fc_rt_global_pool, t, 1, 1, ia, 3, &p, 1);
        assert_true(y[0] == 1000.0f);
        assert_true(isnan(y[1]));
    }
}

/* ---- normalizations ---------------------------------------------------------------------- */

static void test_batchnorm(void **state)
{
    (void)state;
    float x[6] = {-1, 0, 1, 2, 3, 4}, sc[2] = {1, 1.5f}, b[2] = {0, 1}, mu[2] = {0, 3},
          va[2] = {1, 4}, y[6];
    int64_t dx[4] = {1, 2, 1, 3}, dc[1] = {2};
    FcRtTensor t[6] = {tensor(x, FC_DT_F32, 4, dx), tensor(sc, FC_DT_F32, 1, dc),
                       tensor(b, FC_DT_F32, 1, dc), tensor(mu, FC_DT_F32, 1, dc),
                       tensor(va, FC_DT_F32, 1, dc), tensor(y, FC_DT_F32, 4, dx)};
    int64_t ia[3] = {1, 2, 3};
    const float eps = 0;
    run(fc_rt_batchnorm, t, 5, 1, ia, 3, &eps, 1);
    const float want[6] = {-1, 0, 1, 0.25f, 1, 1.75f};
    near_all(y, want, 6, 1e-6);
    /* epsilon: var 1 + eps 3 -> divide by 2 */
    const float eps3 = 3;
    run(fc_rt_batchnorm, t, 5, 1, ia, 3, &eps3, 1);
    NEAR(y[0], -0.5, 1e-6);
}

static void test_batchnorm_training(void **state)
{
    (void)state;
    /* X [2, 2, 2]: channel 0 holds {1, 3, 5, 7} (mean 4, var 5), channel 1 {2, 2, 2, 2}
     * (mean 2, var 0). momentum 0.75: running = 0.75 * input + 0.25 * batch. */
    float x[8] = {1, 3, 2, 2, 5, 7, 2, 2}, sc[2] = {2, 1}, b[2] = {1, -1}, mu[2] = {0, 10},
          va[2] = {1, 3}, y[8], rm[2], rv[2];
    int64_t dx[3] = {2, 2, 2}, dc[1] = {2};
    FcRtTensor t[8] = {tensor(x, FC_DT_F32, 3, dx), tensor(sc, FC_DT_F32, 1, dc),
                       tensor(b, FC_DT_F32, 1, dc), tensor(mu, FC_DT_F32, 1, dc),
                       tensor(va, FC_DT_F32, 1, dc), tensor(y, FC_DT_F32, 3, dx),
                       tensor(rm, FC_DT_F32, 1, dc), tensor(rv, FC_DT_F32, 1, dc)};
    int64_t ia[4] = {2, 2, 2, 1};
    const float fa[2] = {4, 0.75f}; /* eps 4: channel 0 divides by sqrt(9) = 3 */
    run(fc_rt_batchnorm, t, 5, 3, ia, 4, fa, 2);
    /* channel 0: (x - 4) / 3 * 2 + 1; channel 1: 0 / 2 * 1 - 1 */
    const float want[8] = {-1, 1.0f / 3, -1, -1, 5.0f / 3, 3, -1, -1};
    near_all(y, want, 8, 1e-6);
    NEAR(rm[0], 1.0, 1e-6);
    NEAR(rm[1], 8.0, 1e-6);
    NEAR(rv[0], 2.0, 1e-6);
    NEAR(rv[1], 2.25, 1e-6);
    /* Y alone (running outputs absent) uses the batch statistics too */
    memset(y, 0, sizeof y);
    run(fc_rt_batchnorm, t, 5, 1, ia, 4, fa, 2);
    near_all(y, want, 8, 1e-6);
}

static void test_instancenorm(void **state)
{
    (void)state;
    /* per (n,c) over 4 positions: [1,2,3,4] mean 2.5 var 1.25 */
    float x[8] = {1, 2, 3, 4, 10, 10, 10, 10}, sc[2] = {2, 1}, b[2] = {1, 5}, y[8];
    int64_t dx[3] = {1, 2, 4}, dc[1] = {2};
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(sc, FC_DT_F32, 1, dc),
                       tensor(b, FC_DT_F32, 1, dc), tensor(y, FC_DT_F32, 3, dx)};
    int64_t ia[3] = {1, 2, 4};
    const float eps = 0.25f;
    run(fc_rt_instancenorm, t, 3, 1, ia, 3, &eps, 1);
    for (int i = 0; i < 4; i++)
        NEAR(y[i], (x[i] - 2.5) / sqrt(1.5) * 2 + 1, 1e-6);
    for (int i = 4; i < 8; i++)
        NEAR(y[i], 5, 1e-6); /* constant channel: centered to 0, plus bias */
}

static void test_layernorm_outputs_and_broadcast(void **state)
{
    (void)state;
    /* rows [1,2,3] and [2,4,6]: mean 2 / 4, var 2/3 / 8/3 */
    float x[6] = {1, 2, 3, 2, 4, 6}, sc[3] = {1, 2, 3}, b[3] = {0, 0, 1}, y[6], m[2], is[2];
    int64_t dx[2] = {2, 3}, ds[1] = {3}, dm[2] = {2, 1};
    FcRtTensor t[6] = {tensor(x, FC_DT_F32, 2, dx), tensor(sc, FC_DT_F32, 1, ds),
                       tensor(b, FC_DT_F32, 1, ds), tensor(y, FC_DT_F32, 2, dx),
                       tensor(m, FC_DT_F32, 2, dm), tensor(is, FC_DT_F32, 2, dm)};
    int64_t ia[8] = {2, 3, 1, 1, 1, 3, 1, 1};
    const float eps = 0;
    run(fc_rt_layernorm, t, 3, 3, ia, 8, &eps, 1);
    double s0 = sqrt(2.0 / 3.0), s1 = sqrt(8.0 / 3.0);
    NEAR(m[0], 2, 1e-7);
    NEAR(m[1], 4, 1e-7);
    NEAR(is[0], 1 / s0, 1e-6);
    NEAR(is[1], 1 / s1, 1e-6);
    const float want[6] = {(float)(-1 / s0), 0, (float)(3 / s0 + 1), (float)(-2 / s1), 0,
                           (float)(6 / s1 + 1)};
    near_all(y, want, 6, 1e-6);
    /* Scale [1] broadcast over the row, no B, no extra outputs */
    float one[1] = {2};
    int64_t d1[1] = {1};
    FcRtTensor t2[4] = {tensor(x, FC_DT_F32, 2, dx), tensor(one, FC_DT_F32, 1, d1),
                        tensor(b, FC_DT_F32, 1, ds), tensor(y, FC_DT_F32, 2, dx)};
    int64_t ia2[8] = {2, 3, 1, 0, 1, 3, 0, 1};
    run_abs(fc_rt_layernorm, t2, 3, 1, 4u, ia2, 8, &eps, 1);
    NEAR(y[0], -2 / s0, 1e-6);
    NEAR(y[5], 2 * 2 / s1, 1e-6);
}

/* Rows longer than the 16-lane moment loop (37 = 2 x 16 + 5), against a reference loop. */
static void test_layernorm_long_rows(void **state)
{
    (void)state;
    enum { R = 3, C = 37 };
    float x[R * C], sc[C], b[C], y[R * C];
    int64_t dx[2] = {R, C}, ds[1] = {C};
    for (int i = 0; i < R * C; i++)
        x[i] = 3.0f * rnd() + (float)(i / C);
    for (int i = 0; i < C; i++) {
        sc[i] = rnd();
        b[i] = rnd();
    }
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 2, dx), tensor(sc, FC_DT_F32, 1, ds),
                       tensor(b, FC_DT_F32, 1, ds), tensor(y, FC_DT_F32, 2, dx)};
    int64_t ia[8] = {R, C, 1, 1, 1, C, 1, 1};
    const float eps = 1e-5f;
    run(fc_rt_layernorm, t, 3, 1, ia, 8, &eps, 1);
    for (int r = 0; r < R; r++) {
        double m = 0, v = 0;
        for (int i = 0; i < C; i++)
            m += x[r * C + i];
        m /= C;
        for (int i = 0; i < C; i++)
            v += (x[r * C + i] - m) * (x[r * C + i] - m);
        v /= C;
        for (int i = 0; i < C; i++)
            NEAR(y[r * C + i], (x[r * C + i] - m) / sqrt(v + 1e-5) * sc[i] + b[i], 1e-5);
    }
}

/* FcChannelNorm on [2, 5, 70] (a full 64-position tile and a partial one, values around a
 * large offset): against a straightforward double loop, and bitwise against LayerNormalization
 * of the channels-last tensor, as the channels-first pass promises, in both output layouts;
 * then without B. */
static void test_channel_norm(void **state)
{
    (void)state;
    enum { N = 2, C = 5, P = 70 };
    static float x[N * C * P], xt[N * P * C], y[N * C * P], yt[N * P * C], sc[C], b[C];
    unsigned r = 12345;
    for (int i = 0; i < N * C * P; i++) {
        r = r * 1103515245u + 12345u;
        x[i] = 100.0f + (float)((r >> 8) % 2000) / 500.0f;
    }
    for (int c = 0; c < C; c++) {
        sc[c] = 0.5f + (float)c;
        b[c] = (float)c - 2.0f;
    }
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int p = 0; p < P; p++)
                xt[(n * P + p) * C + c] = x[(n * C + c) * P + p];
    int64_t dx[3] = {N, C, P}, dxt[3] = {N, P, C}, ds[2] = {C, 1}, dsl[1] = {C};
    const float eps = 1e-6f;
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(sc, FC_DT_F32, 2, ds),
                       tensor(b, FC_DT_F32, 2, ds), tensor(y, FC_DT_F32, 3, dx)};
    int64_t ia[5] = {N, C, P, 1, 0};
    run(fc_rt_channel_norm, t, 3, 1, ia, 5, &eps, 1);
    FcRtTensor tl[4] = {tensor(xt, FC_DT_F32, 3, dxt), tensor(sc, FC_DT_F32, 1, dsl),
                        tensor(b, FC_DT_F32, 1, dsl), tensor(yt, FC_DT_F32, 3, dxt)};
    int64_t ial[8] = {N * P, C, 1, 1, 1, C, 1, 1};
    run(fc_rt_layernorm, tl, 3, 1, ial, 8, &eps, 1);
    for (int n = 0; n < N; n++)
        for (int p = 0; p < P; p++) {
            double m = 0, v = 0;
            for (int c = 0; c < C; c++)
                m += x[(n * C + c) * P + p];
            m /= C;
            for (int c = 0; c < C; c++) {
                double d = x[(n * C + c) * P + p] - m;
                v += d * d;
            }
            v /= C;
            for (int c = 0; c < C; c++) {
                float got = y[(n * C + c) * P + p];
                NEAR(got, (x[(n * C + c) * P + p] - m) / sqrt(v + eps) * sc[c] + b[c], 1e-4);
                assert_true(got == yt[(n * P + p) * C + c]);
            }
        }
    /* channels_last: the LayerNorm's own layout, bitwise */
    static float yl[N * P * C];
    FcRtTensor tc[4] = {t[0], t[1], t[2], tensor(yl, FC_DT_F32, 3, dxt)};
    int64_t iac[5] = {N, C, P, 1, 1};
    run(fc_rt_channel_norm, tc, 3, 1, iac, 5, &eps, 1);
    assert_memory_equal(yl, yt, sizeof yl);
    /* channels_last with more channels than one transpose block (k_norm.c FC_CN_TBLK 16):
     * two full blocks and a partial one, bitwise the channels-first result transposed */
    {
        enum { C2 = 37 };
        static float x2[C2 * P], s2[C2], y2f[C2 * P], y2l[P * C2];
        for (int i = 0; i < C2 * P; i++)
            x2[i] = (float)((i * 7919) % 1000) / 250.0f - 2.0f;
        for (int c = 0; c < C2; c++)
            s2[c] = 1.0f + 0.01f * (float)c;
        int64_t d2[3] = {1, C2, P}, d2l[3] = {1, P, C2}, ds2[2] = {C2, 1};
        FcRtTensor tf[4] = {tensor(x2, FC_DT_F32, 3, d2), tensor(s2, FC_DT_F32, 2, ds2),
                            tensor(s2, FC_DT_F32, 2, ds2), tensor(y2f, FC_DT_F32, 3, d2)};
        int64_t iaf[5] = {1, C2, P, 0, 0}, ial2[5] = {1, C2, P, 0, 1};
        run_abs(fc_rt_channel_norm, tf, 3, 1, 4u, iaf, 5, &eps, 1);
        tf[3] = tensor(y2l, FC_DT_F32, 3, d2l);
        run_abs(fc_rt_channel_norm, tf, 3, 1, 4u, ial2, 5, &eps, 1);
        for (int c = 0; c < C2; c++)
            for (int p = 0; p < P; p++)
                assert_true(y2l[p * C2 + c] == y2f[c * P + p]);
        /* and bitwise LayerNormalization's: 37 channels sum as 16 lanes of 2 plus 5 more
         * (fc_nm_moments' order), not one channel after the other. Channels 0 and 16 hold
         * +-2^40, which cancel exactly in lane 0 but round the small values away when summed
         * in channel order. */
        static float x2t[P * C2], y2n[P * C2];
        for (int c = 0; c < C2; c++)
            for (int p = 0; p < P; p++)
                x2t[p * C2 + c] = c == 0 ? 0x1p40f : c == 16 ? -0x1p40f : x2[c * P + p] * 1e-3f;
        tf[0] = tensor(x2t, FC_DT_F32, 3, d2l);
        int64_t dsl2[1] = {C2}, ialn[8] = {P, C2, 1, 1, 1, C2, 1, 1};
        FcRtTensor tn[4] = {tf[0], tensor(s2, FC_DT_F32, 1, dsl2), tensor(s2, FC_DT_F32, 1, dsl2),
                            tensor(y2n, FC_DT_F32, 3, d2l)};
        run_abs(fc_rt_layernorm, tn, 3, 1, 4u, ialn, 8, &eps, 1); /* no B: it would swamp */
        for (int c = 0; c < C2; c++)
            for (int p = 0; p < P; p++)
                x2[c * P + p] = x2t[p * C2 + c];
        tf[0] = tensor(x2, FC_DT_F32, 3, d2);
        run_abs(fc_rt_channel_norm, tf, 3, 1, 4u, ial2, 5, &eps, 1);
        assert_memory_equal(y2l, y2n, sizeof y2n);
    }
    /* no B */
    int64_t ia0[5] = {N, C, P, 0, 0};
    run_abs(fc_rt_channel_norm, t, 3, 1, 4u, ia0, 5, &eps, 1);
    for (int i = 0; i < N * C * P; i += 37) {
        int c = i / P % C;
        NEAR(y[i], yt[(i / (C * P) * P + i % P) * C + c] - b[c], 1e-4);
    }
}

static void test_groupnorm(void **state)
{
    (void)state;
    /* 4 channels x 1 position, 2 groups: [1,2] [3,4] normalize to [-1,1] [-1,1] */
    float x[4] = {1, 2, 3, 4}, sc[4] = {1, 2, 3, 4}, b[4] = {0, 0, 0, 1}, y[4];
    int64_t dx[3] = {1, 4, 1}, dc[1] = {4};
    FcRtTensor t[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(sc, FC_DT_F32, 1, dc),
                       tensor(b, FC_DT_F32, 1, dc), tensor(y, FC_DT_F32, 3, dx)};
    int64_t ia[5] = {1, 4, 2, 1, 0};
    const float eps = 0;
    run(fc_rt_groupnorm, t, 3, 1, ia, 5, &eps, 1);
    const float want[4] = {-1, 2, -3, 5};
    near_all(y, want, 4, 1e-6);
    /* per-group scale / bias (opset 18 form) */
    float sg[2] = {2, 3}, bg[2] = {1, 0};
    int64_t dg[1] = {2};
    FcRtTensor t2[4] = {tensor(x, FC_DT_F32, 3, dx), tensor(sg, FC_DT_F32, 1, dg),
                        tensor(bg, FC_DT_F32, 1, dg), tensor(y, FC_DT_F32, 3, dx)};
    int64_t ia2[5] = {1, 4, 2, 1, 1};
    run(fc_rt_groupnorm, t2, 3, 1, ia2, 5, &eps, 1);
    const float want2[4] = {-1, 3, -3, 3};
    near_all(y, want2, 4, 1e-6);
}

static void test_lrn(void **state)
{
    (void)state;
    /* channels [1,2,3], size 3, alpha 3 (alpha/size = 1), bias 1 */
    float x[3] = {1, 2, 3}, y[3];
    int64_t dx[3] = {1, 3, 1};
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 3, dx), tensor(y, FC_DT_F32, 3, dx)};
    int64_t ia[4] = {1, 3, 1, 3};
    const float fa1[3] = {3, 1, 1};
    run(fc_rt_lrn, t, 1, 1, ia, 4, fa1, 3);
    const float want[3] = {1.0f / 6, 2.0f / 15, 3.0f / 14};
    near_all(y, want, 3, 1e-6);
    const float fa2[3] = {3, 0.75f, 1};
    run(fc_rt_lrn, t, 1, 1, ia, 4, fa2, 3);
    NEAR(y[0], 1 / pow(6, 0.75), 1e-6);
    NEAR(y[2], 3 / pow(14, 0.75), 1e-6);
    /* size 2: window [c - 0, c + 1] */
    int64_t ia2[4] = {1, 3, 1, 2};
    const float fa3[3] = {2, 1, 1};
    run(fc_rt_lrn, t, 1, 1, ia2, 4, fa3, 3);
    const float want3[3] = {1.0f / 6, 2.0f / 14, 3.0f / 10};
    near_all(y, want3, 3, 1e-6);
}

static void test_mvn(void **state)
{
    (void)state;
    /* [2,2] reduce axis 1: rows [1,3] -> [-1,1]; [5,5] -> [0,0] */
    float x[4] = {1, 3, 5, 5}, y[4];
    int64_t dx[2] = {2, 2};
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 2, dx), tensor(y, FC_DT_F32, 2, dx)};
    int64_t ia[5] = {2, 2, 2, 0, 1};
    run(fc_rt_mvn, t, 1, 1, ia, 5, NULL, 0);
    const float want[4] = {-1, 1, 0, 0};
    near_all(y, want, 4, 1e-6);
    /* reduce axis 0: columns [1,5] and [3,5] */
    int64_t ia0[5] = {2, 2, 2, 1, 0};
    run(fc_rt_mvn, t, 1, 1, ia0, 5, NULL, 0);
    const float want0[4] = {-1, -1, 1, 1};
    near_all(y, want0, 4, 1e-6);
}

static void test_lpnorm(void **state)
{
    (void)state;
    float x[4] = {3, 4, -6, 8}, y[4];
    int64_t dx[2] = {2, 2};
    FcRtTensor t[2] = {tensor(x, FC_DT_F32, 2, dx), tensor(y, FC_DT_F32, 2, dx)};
    int64_t ia[4] = {2, 2, 1, 2}; /* axis 1, p 2 */
    run(fc_rt_lpnorm, t, 1, 1, ia, 4, NULL, 0);
    const float want[4] = {0.6f, 0.8f, -0.6f, 0.8f};
    near_all(y, want, 4, 1e-6);
    int64_t ia1[4] = {1, 2, 2, 1}; /* axis 0, p 1: columns [3,-6] and [4,8] */
    run(fc_rt_lpnorm, t, 1, 1, ia1, 4, NULL, 0);
    const float want1[4] = {3.0f / 9, 4.0f / 12, -6.0f / 9, 8.0f / 12};
    near_all(y, want1, 4, 1e-6);
    /* a zero vector normalizes to zero (not NaN) */
    float z[4] = {0, 0, 1, 0};
    FcRtTensor tz[2] = {tensor(z, FC_DT_F32, 2, dx), tensor(y, FC_DT_F32, 2, dx)};
    run(fc_rt_lpnorm, tz, 1, 1, ia, 4, NULL, 0);
    const float wantz[4] = {0, 0, 1, 0};
    near_all(y, wantz, 4, 0);
}

int main(void)
{
#ifdef FC_TEST_NEEDS_AVX2 /* the runtime was built for AVX2 + FMA: skip where absent */
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return 77;
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgemm_small_hand),
        cmocka_unit_test(test_sgemm_vector_shapes),
        cmocka_unit_test(test_sgemm_blocked_matches_naive),
        cmocka_unit_test(test_sgemm_prepacked_matches_naive),
        cmocka_unit_test(test_sgemm_prepacked_tile_epilogue),
        cmocka_unit_test(test_dgemm_small_hand),
        cmocka_unit_test(test_gemm_c_forms),
        cmocka_unit_test(test_gemm_trans_alpha_f64),
        cmocka_unit_test(test_matmul_batched_broadcast),
        cmocka_unit_test(test_matmul_plain_and_f64),
        cmocka_unit_test(test_batched_gemm_attention),
        cmocka_unit_test(test_linear_residual_epilogue),
        cmocka_unit_test(test_conv2d_onnx_examples),
        cmocka_unit_test(test_conv1d_bias_dilation),
        cmocka_unit_test(test_conv_pointwise_groups),
        cmocka_unit_test(test_conv_depthwise_direct_matches_im2col),
        cmocka_unit_test(test_conv_depthwise_small_planes_match_direct),
        cmocka_unit_test(test_conv_gemm_pool_epilogue),
        cmocka_unit_test(test_conv_winograd_pool_epilogue),
        cmocka_unit_test(test_conv_depthwise_rows_match_flat),
        cmocka_unit_test(test_conv_depthwise_odd_plane_count),
        cmocka_unit_test(test_conv_blocks_across_images_with_relu),
        cmocka_unit_test(test_conv_shapes_match_reference),
        cmocka_unit_test(test_convtranspose_onnx_example),
        cmocka_unit_test(test_convtranspose_1d_stride_pad_group),
        cmocka_unit_test(test_maxpool_2d_indices),
        cmocka_unit_test(test_maxpool_pads_ceil_dilation_u8),
        cmocka_unit_test(test_maxpool_fast_path_matches_general),
        cmocka_unit_test(test_avgpool_count_include_pad_ceil),
        cmocka_unit_test(test_lppool),
        cmocka_unit_test(test_global_pools),
        cmocka_unit_test(test_global_pools_lanes),
        cmocka_unit_test(test_avgpool_fast_path_matches_f64),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_batchnorm_training),
        cmocka_unit_test(test_instancenorm),
        cmocka_unit_test(test_layernorm_outputs_and_broadcast),
        cmocka_unit_test(test_layernorm_long_rows),
        cmocka_unit_test(test_channel_norm),
        cmocka_unit_test(test_groupnorm),
        cmocka_unit_test(test_lrn),
        cmocka_unit_test(test_mvn),
        cmocka_unit_test(test_lpnorm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
