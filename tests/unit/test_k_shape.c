/* test_k_shape.c — kernels of the shape group (runtime/k_shape.c, runtime/k_shape_idx.c) on
 * small hand-computed cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fc_rt.h"

void fc_rt_copy(const FcRtNode *n, FcRtTensor *t);
void fc_rt_dropout(const FcRtNode *n, FcRtTensor *t);
void fc_rt_transpose(const FcRtNode *n, FcRtTensor *t);
void fc_rt_concat(const FcRtNode *n, FcRtTensor *t);
void fc_rt_split(const FcRtNode *n, FcRtTensor *t);
void fc_rt_slice(const FcRtNode *n, FcRtTensor *t);
void fc_rt_expand(const FcRtNode *n, FcRtTensor *t);
void fc_rt_tile(const FcRtNode *n, FcRtTensor *t);
void fc_rt_pad(const FcRtNode *n, FcRtTensor *t);
void fc_rt_shape(const FcRtNode *n, FcRtTensor *t);
void fc_rt_size(const FcRtNode *n, FcRtTensor *t);
void fc_rt_constant_of_shape(const FcRtNode *n, FcRtTensor *t);
void fc_rt_depth_to_space(const FcRtNode *n, FcRtTensor *t);
void fc_rt_space_to_depth(const FcRtNode *n, FcRtTensor *t);
void fc_rt_gather(const FcRtNode *n, FcRtTensor *t);
void fc_rt_gather_elements(const FcRtNode *n, FcRtTensor *t);
void fc_rt_gather_nd(const FcRtNode *n, FcRtTensor *t);
void fc_rt_scatter_elements(const FcRtNode *n, FcRtTensor *t);
void fc_rt_scatter_nd(const FcRtNode *n, FcRtTensor *t);
void fc_rt_range(const FcRtNode *n, FcRtTensor *t);
void fc_rt_trilu(const FcRtNode *n, FcRtTensor *t);
void fc_rt_one_hot(const FcRtNode *n, FcRtTensor *t);
void fc_rt_eye_like(const FcRtNode *n, FcRtTensor *t);
void fc_rt_compress(const FcRtNode *n, FcRtTensor *t);
void fc_rt_reverse_sequence(const FcRtNode *n, FcRtTensor *t);

/* ---- helpers ------------------------------------------------------------------------ */

static FcRtTensor ten(void *data, int32_t dt, int rank, int64_t d0, int64_t d1, int64_t d2,
                      int64_t d3)
{
    FcRtTensor x;
    int64_t d[4];
    int i;
    memset(&x, 0, sizeof x);
    d[0] = d0;
    d[1] = d1;
    d[2] = d2;
    d[3] = d3;
    x.data = data;
    x.dtype = dt;
    x.rank = rank;
    for (i = 0; i < rank; i++)
        x.dims[i] = d[i];
    return x;
}

/* Runs kernel k with tensors t[0..nin) as inputs and t[nin..nin+nout) as outputs. */
static void run(FcRtKernel k, FcRtTensor *t, int nin, int nout, const int64_t *ia, int nia)
{
    int32_t idx[16];
    FcRtNode n;
    int i;
    for (i = 0; i < nin + nout; i++)
        idx[i] = i;
    memset(&n, 0, sizeof n);
    n.nin = nin;
    n.nout = nout;
    n.in = idx;
    n.out = idx + nin;
    n.nia = nia;
    n.ia = ia;
    k(&n, t);
}

static void expect_f32(const float *got, const float *want, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        if (got[i] != want[i])
            print_error("element %d: got %g, want %g\n", i, (double)got[i], (double)want[i]);
        assert_true(got[i] == want[i]);
    }
}

static void expect_i32(const int32_t *got, const int32_t *want, int n)
{
    int i;
    for (i = 0; i < n; i++) {
        if (got[i] != want[i])
            print_error("element %d: got %d, want %d\n", i, got[i], want[i]);
        assert_int_equal(got[i], want[i]);
    }
}

static void expect_i64(const int64_t *got, const int64_t *want, int n)
{
    int i;
    for (i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

static int64_t bits_i32(int32_t v)
{
    int64_t b = 0;
    memcpy(&b, &v, 4);
    return b;
}

static int64_t bits_f32(float v)
{
    int64_t b = 0;
    memcpy(&b, &v, 4);
    return b;
}

/* ---- copy / dropout ---------------------------------------------------------------------- */

static void test_copy(void **state)
{
    float x[6] = {1, 2, 3, 4, 5, 6}, y[6] = {0};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 2, 3, 0, 0);
    t[1] = ten(y, FC_DT_F32, 1, 6, 0, 0, 0);
    run(fc_rt_copy, t, 1, 1, NULL, 0);
    expect_f32(y, x, 6);
    /* same buffer: stays intact */
    t[1].data = x;
    run(fc_rt_copy, t, 1, 1, NULL, 0);
    assert_true(x[5] == 6.0f);
}

static void test_dropout_mask(void **state)
{
    float x[4] = {1, -2, 3, -4}, y[4] = {0}, m32[4] = {0};
    uint8_t m[4] = {0};
    int64_t ia[1] = {1};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 2, 2, 0, 0);
    t[1] = ten(y, FC_DT_F32, 2, 2, 2, 0, 0);
    t[2] = ten(m, FC_DT_BOOL, 2, 2, 2, 0, 0);
    run(fc_rt_dropout, t, 1, 2, ia, 1);
    expect_f32(y, x, 4);
    assert_int_equal(m[0], 1);
    assert_int_equal(m[3], 1);
    /* opset < 10: the mask has the input's dtype, value 1.0f */
    ia[0] = bits_f32(1.0f);
    t[2] = ten(m32, FC_DT_F32, 2, 2, 2, 0, 0);
    run(fc_rt_dropout, t, 1, 2, ia, 1);
    assert_true(m32[0] == 1.0f && m32[3] == 1.0f);
    /* without the mask output */
    memset(y, 0, sizeof y);
    run(fc_rt_dropout, t, 1, 1, ia, 1);
    expect_f32(y, x, 4);
}

/* ---- transpose ------------------------------------------------------------------------- */

static void test_transpose_2d(void **state)
{
    float x[6] = {0, 1, 2, 3, 4, 5}, y[6];
    const float want[6] = {0, 3, 1, 4, 2, 5};
    int64_t perm[2] = {1, 0};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 2, 3, 0, 0);
    t[1] = ten(y, FC_DT_F32, 2, 3, 2, 0, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 2);
    expect_f32(y, want, 6);
}

static void test_transpose_3d_keep_last(void **state)
{
    /* x[2][3][2] -> perm (1,0,2) -> y[3][2][2]: y[j][i][k] = x[i][j][k] */
    int32_t x[12], y[12];
    const int32_t want[12] = {0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11};
    int64_t perm[3] = {1, 0, 2};
    FcRtTensor t[2];
    int i;
    (void)state;
    for (i = 0; i < 12; i++)
        x[i] = i;
    t[0] = ten(x, FC_DT_I32, 3, 2, 3, 2, 0);
    t[1] = ten(y, FC_DT_I32, 3, 3, 2, 2, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    expect_i32(y, want, 12);
}

static void test_transpose_3d_rotate(void **state)
{
    /* x[2][2][3] -> perm (2,0,1) -> y[3][2][2]: y[k][i][j] = x[i][j][k] */
    uint8_t x[12], y[12];
    const uint8_t want[12] = {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11};
    int64_t perm[3] = {2, 0, 1};
    FcRtTensor t[2];
    int i;
    (void)state;
    for (i = 0; i < 12; i++)
        x[i] = (uint8_t)i;
    t[0] = ten(x, FC_DT_U8, 3, 2, 2, 3, 0);
    t[1] = ten(y, FC_DT_U8, 3, 3, 2, 2, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    assert_memory_equal(y, want, 12);
}

/* Larger transpositions (inner runs of many strided elements), each element size. */
static void test_transpose_large(void **state)
{
    enum { B = 3, M = 37, N = 41 };
    static int64_t x8[B * M * N], y8[B * M * N];
    static float x4[B * M * N], y4[B * M * N];
    static uint16_t x2[B * M * N], y2[B * M * N];
    static uint8_t x1[B * M * N], y1[B * M * N];
    int64_t perm[3] = {0, 2, 1};
    FcRtTensor t[2];
    int b, i, j;
    (void)state;
    for (i = 0; i < B * M * N; i++) {
        x8[i] = i;
        x4[i] = (float)i;
        x2[i] = (uint16_t)i;
        x1[i] = (uint8_t)(i * 7);
    }
    t[0] = ten(x8, FC_DT_I64, 3, B, M, N, 0);
    t[1] = ten(y8, FC_DT_I64, 3, B, N, M, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    t[0] = ten(x4, FC_DT_F32, 3, B, M, N, 0);
    t[1] = ten(y4, FC_DT_F32, 3, B, N, M, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    t[0] = ten(x2, FC_DT_F16, 3, B, M, N, 0);
    t[1] = ten(y2, FC_DT_F16, 3, B, N, M, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    t[0] = ten(x1, FC_DT_U8, 3, B, M, N, 0);
    t[1] = ten(y1, FC_DT_U8, 3, B, N, M, 0);
    run(fc_rt_transpose, t, 1, 1, perm, 3);
    for (b = 0; b < B; b++)
        for (j = 0; j < N; j++)
            for (i = 0; i < M; i++) {
                int src = (b * M + i) * N + j, dst = (b * N + j) * M + i;
                assert_int_equal(y8[dst], src);
                assert_true(y4[dst] == (float)src);
                assert_int_equal(y2[dst], (uint16_t)src);
                assert_int_equal(y1[dst], (uint8_t)(src * 7));
            }
    /* 2-D, rank 2 transposition of a 64 x 5 matrix of doubles */
    {
        static double xd[64 * 5], yd[64 * 5];
        int64_t p2[2] = {1, 0};
        for (i = 0; i < 64 * 5; i++)
            xd[i] = i * 0.5;
        t[0] = ten(xd, FC_DT_F64, 2, 64, 5, 0, 0);
        t[1] = ten(yd, FC_DT_F64, 2, 5, 64, 0, 0);
        run(fc_rt_transpose, t, 1, 1, p2, 2);
        assert_true(yd[0] == 0.0 && yd[1] == 2.5 && yd[64] == 0.5 && yd[64 * 5 - 1] == xd[319]);
    }
}

/* ---- concat / split ---------------------------------------------------------------------- */

static void test_concat(void **state)
{
    float a[2] = {1, 2}, b[4] = {3, 4, 5, 6}, e[1] = {0}, y[6];
    const float want[6] = {1, 3, 4, 2, 5, 6};
    int64_t ia[1] = {1};
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(a, FC_DT_F32, 2, 2, 1, 0, 0);
    t[1] = ten(e, FC_DT_F32, 2, 2, 0, 0, 0); /* an empty input is skipped */
    t[2] = ten(b, FC_DT_F32, 2, 2, 2, 0, 0);
    t[3] = ten(y, FC_DT_F32, 2, 2, 3, 0, 0);
    run(fc_rt_concat, t, 3, 1, ia, 1);
    expect_f32(y, want, 6);
}

static void test_split(void **state)
{
    int64_t x[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, a[4], b[6];
    const int64_t wa[4] = {0, 1, 5, 6}, wb[6] = {2, 3, 4, 7, 8, 9};
    int64_t ia[4] = {1, 2, 2, 3};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_I64, 2, 2, 5, 0, 0);
    t[1] = ten(a, FC_DT_I64, 2, 2, 2, 0, 0);
    t[2] = ten(b, FC_DT_I64, 2, 2, 3, 0, 0);
    run(fc_rt_split, t, 1, 2, ia, 4);
    expect_i64(a, wa, 4);
    expect_i64(b, wb, 6);
}

/* ---- slice / expand / tile ----------------------------------------------------------------- */

static void test_slice(void **state)
{
    /* x[3][4] = 0..11; rows 1.. step 1, cols 3 down step -2 -> [[7,5],[11,9]] */
    float x[12], y[4];
    const float want[4] = {7, 5, 11, 9};
    int64_t ia[5] = {2, 1, 3, 1, -2};
    FcRtTensor t[2];
    int i;
    (void)state;
    for (i = 0; i < 12; i++)
        x[i] = (float)i;
    t[0] = ten(x, FC_DT_F32, 2, 3, 4, 0, 0);
    t[1] = ten(y, FC_DT_F32, 2, 2, 2, 0, 0);
    run(fc_rt_slice, t, 1, 1, ia, 5);
    expect_f32(y, want, 4);
}

static void test_slice_inner_run(void **state)
{
    /* x[2][5]: cols 1..4 step 1 (memcpy runs) -> [[1,2,3],[6,7,8]] */
    int32_t x[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, y[6];
    const int32_t want[6] = {1, 2, 3, 6, 7, 8};
    int64_t ia[5] = {2, 0, 1, 1, 1};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 2, 5, 0, 0);
    t[1] = ten(y, FC_DT_I32, 2, 2, 3, 0, 0);
    run(fc_rt_slice, t, 1, 1, ia, 5);
    expect_i32(y, want, 6);
}

static void test_expand(void **state)
{
    /* x[3][1] = [1,2,3] -> y[2][3][2] */
    float x[3] = {1, 2, 3}, y[12];
    const float want[12] = {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 3, 1, 0, 0);
    t[1] = ten(y, FC_DT_F32, 3, 2, 3, 2, 0);
    run(fc_rt_expand, t, 1, 1, NULL, 0);
    expect_f32(y, want, 12);
}

static void test_tile(void **state)
{
    /* x[2][2] = [[1,2],[3,4]], repeats (2,3) -> y[4][6] */
    int32_t x[4] = {1, 2, 3, 4}, y[24];
    const int32_t want[24] = {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4,
                              1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 2, 2, 0, 0);
    t[1] = ten(y, FC_DT_I32, 2, 4, 6, 0, 0);
    run(fc_rt_tile, t, 1, 1, NULL, 0);
    expect_i32(y, want, 24);
}

/* ---- pad ------------------------------------------------------------------------------------ */

static void pad1d(int64_t mode, const float *x, int nx, int64_t before, int64_t crop,
                  int64_t dsub, float *y, int ny)
{
    int64_t ia[6];
    FcRtTensor t[2];
    ia[0] = mode;
    ia[1] = -1;
    ia[2] = bits_f32(9.0f);
    ia[3] = before;
    ia[4] = crop;
    ia[5] = dsub;
    t[0] = ten((void *)x, FC_DT_F32, 1, nx, 0, 0, 0);
    t[1] = ten(y, FC_DT_F32, 1, ny, 0, 0, 0);
    run(fc_rt_pad, t, 1, 1, ia, 6);
}

static void test_pad_modes_1d(void **state)
{
    const float x[3] = {1, 2, 3};
    const float reflect[8] = {3, 2, 1, 2, 3, 2, 1, 2};
    const float edge[8] = {1, 1, 1, 2, 3, 3, 3, 3};
    const float wrap[8] = {2, 3, 1, 2, 3, 1, 2, 3};
    const float cons[8] = {9, 9, 1, 2, 3, 9, 9, 9};
    const float big_reflect[9] = {2, 1, 2, 3, 2, 1, 2, 3, 2}; /* pads 5 before, 1 after */
    float y[9];
    (void)state;
    pad1d(1, x, 3, 2, 0, 3, y, 8);
    expect_f32(y, reflect, 8);
    pad1d(2, x, 3, 2, 0, 3, y, 8);
    expect_f32(y, edge, 8);
    pad1d(3, x, 3, 2, 0, 3, y, 8);
    expect_f32(y, wrap, 8);
    pad1d(0, x, 3, 2, 0, 3, y, 8);
    expect_f32(y, cons, 8);
    pad1d(1, x, 3, 5, 0, 3, y, 9);
    expect_f32(y, big_reflect, 9);
}

static void test_pad_crop(void **state)
{
    /* x = [1,2,3,4], pads (-1, +2) constant 9 -> [2,3,4,9,9] */
    const float x[4] = {1, 2, 3, 4}, want[5] = {2, 3, 4, 9, 9};
    const float want_edge[5] = {2, 3, 4, 4, 4};
    float y[5];
    (void)state;
    pad1d(0, x, 4, 0, 1, 3, y, 5);
    expect_f32(y, want, 5);
    pad1d(2, x, 4, 0, 1, 3, y, 5);
    expect_f32(y, want_edge, 5);
}

static void test_pad_2d_constant_input(void **state)
{
    /* x[2][2] = [[1,2],[3,4]], pads begin (1,0) end (0,1), value from input 2 = 7:
     * [[7,7,7],[1,2,7],[3,4,7]] */
    int32_t x[4] = {1, 2, 3, 4}, cv[1] = {7}, y[9];
    const int32_t want[9] = {7, 7, 7, 1, 2, 7, 3, 4, 7};
    int64_t ia[9] = {0, 2, 0, 1, 0, 2, 0, 0, 2};
    int32_t idx[4] = {0, -1, 1, 2};
    FcRtTensor t[3];
    FcRtNode n;
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 2, 2, 0, 0);
    t[1] = ten(cv, FC_DT_I32, 0, 0, 0, 0, 0);
    t[2] = ten(y, FC_DT_I32, 2, 3, 3, 0, 0);
    memset(&n, 0, sizeof n);
    n.nin = 3;
    n.nout = 1;
    n.in = idx;
    n.out = idx + 3;
    n.nia = 9;
    n.ia = ia;
    fc_rt_pad(&n, t);
    expect_i32(y, want, 9);
    /* constant from ia (no input): 0 */
    ia[1] = -1;
    fc_rt_pad(&n, t);
    assert_int_equal(y[0], 0);
    assert_int_equal(y[4], 2);
    /* reflect on both axes of [[1,2],[3,4]] padded 1 everywhere */
    {
        int32_t y2[16];
        const int32_t w2[16] = {4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1};
        int64_t ia2[9] = {1, -1, 0, 1, 0, 2, 1, 0, 2};
        t[2] = ten(y2, FC_DT_I32, 2, 4, 4, 0, 0);
        n.ia = ia2;
        fc_rt_pad(&n, t);
        expect_i32(y2, w2, 16);
    }
}

/* ---- shape / size / constant_of_shape ------------------------------------------------------ */

static void test_shape_size(void **state)
{
    int64_t y[2], s;
    const int64_t want[2] = {3, 4};
    int64_t ia[1] = {1};
    FcRtTensor t[2];
    (void)state;
    t[0] = ten(NULL, FC_DT_F32, 3, 2, 3, 4, 0); /* never reads the data */
    t[1] = ten(y, FC_DT_I64, 1, 2, 0, 0, 0);
    run(fc_rt_shape, t, 1, 1, ia, 1);
    expect_i64(y, want, 2);
    t[1] = ten(&s, FC_DT_I64, 0, 0, 0, 0, 0);
    run(fc_rt_size, t, 1, 1, NULL, 0);
    assert_int_equal(s, 24);
}

static void test_constant_of_shape(void **state)
{
    int32_t y[6];
    const int32_t want[6] = {7, 7, 7, 7, 7, 7};
    float z[5];
    const float zw[5] = {0, 0, 0, 0, 0};
    int64_t ia[1];
    FcRtTensor t[2];
    (void)state;
    ia[0] = bits_i32(7);
    t[0] = ten(NULL, FC_DT_I64, 1, 2, 0, 0, 0);
    t[1] = ten(y, FC_DT_I32, 2, 2, 3, 0, 0);
    run(fc_rt_constant_of_shape, t, 1, 1, ia, 1);
    expect_i32(y, want, 6);
    ia[0] = 0;
    memset(z, 0xff, sizeof z);
    t[1] = ten(z, FC_DT_F32, 1, 5, 0, 0, 0);
    run(fc_rt_constant_of_shape, t, 1, 1, ia, 1);
    expect_f32(z, zw, 5);
}

/* ---- depth_to_space / space_to_depth ----------------------------------------------------- */

static void test_depth_to_space(void **state)
{
    /* x[1][8][2][3] = 100*c + 10*h + w, blocksize 2 -> y[1][2][4][6] */
    float x[48], y[48], back[48];
    int64_t ia[2] = {2, 0}, ib[1] = {2};
    FcRtTensor t[2];
    int c, h, w;
    (void)state;
    for (c = 0; c < 8; c++)
        for (h = 0; h < 2; h++)
            for (w = 0; w < 3; w++)
                x[(c * 2 + h) * 3 + w] = (float)(100 * c + 10 * h + w);
    t[0] = ten(x, FC_DT_F32, 4, 1, 8, 2, 3);
    t[1] = ten(y, FC_DT_F32, 4, 1, 2, 4, 6);
    run(fc_rt_depth_to_space, t, 1, 1, ia, 2);
    /* DCR: y[0][c'][2h+i][2w+j] = x[(2i+j)*2 + c'][h][w] */
    assert_true(y[0] == 0.0f);            /* y[0][0][0][0] = ch 0 (0,0) */
    assert_true(y[1] == 200.0f);          /* y[0][0][0][1]: i=0, j=1 -> ch 2 */
    assert_true(y[6] == 400.0f);          /* y[0][0][1][0]: i=1, j=0 -> ch 4 */
    assert_true(y[7] == 600.0f);          /* y[0][0][1][1] -> ch 6 */
    assert_true(y[2] == 1.0f);            /* y[0][0][0][2]: w=1 -> ch 0 (0,1) */
    assert_true(y[24 + 6 * 2 + 5] == 312.0f); /* c'=1, row 2 (h=1,i=0), col 5 (w=2,j=1) -> ch 3 */
    assert_true(y[24 + 6 * 3 + 5] == 712.0f); /* row 3 (h=1, i=1), col 5 -> ch 7 (1, 2) */
    /* SpaceToDepth is its inverse (DCR order) */
    t[0] = ten(y, FC_DT_F32, 4, 1, 2, 4, 6);
    t[1] = ten(back, FC_DT_F32, 4, 1, 8, 2, 3);
    run(fc_rt_space_to_depth, t, 1, 1, ib, 1);
    expect_f32(back, x, 48);
    /* CRD: y[0][c'][2h+i][2w+j] = x[c'*4 + 2i + j][h][w] */
    ia[1] = 1;
    t[0] = ten(x, FC_DT_F32, 4, 1, 8, 2, 3);
    t[1] = ten(y, FC_DT_F32, 4, 1, 2, 4, 6);
    run(fc_rt_depth_to_space, t, 1, 1, ia, 2);
    assert_true(y[1] == 100.0f);
    assert_true(y[6] == 200.0f);
    assert_true(y[7] == 300.0f);
    assert_true(y[24] == 400.0f);
    assert_true(y[24 + 6 * 3 + 5] == 712.0f);
}

/* ---- gather family ----------------------------------------------------------------------- */

static void test_gather(void **state)
{
    float x[6] = {1, 2, 3, 4, 5, 6}, y[8], z[3];
    int64_t idx[4] = {0, 1, 1, 2};
    int32_t idx32[1] = {-1};
    const float want[8] = {1, 2, 3, 4, 3, 4, 5, 6}, wz[3] = {2, 4, 6};
    int64_t axis0[1] = {0}, axis1[1] = {1};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 3, 2, 0, 0);
    t[1] = ten(idx, FC_DT_I64, 2, 2, 2, 0, 0);
    t[2] = ten(y, FC_DT_F32, 3, 2, 2, 2, 0);
    run(fc_rt_gather, t, 2, 1, axis0, 1);
    expect_f32(y, want, 8);
    t[1] = ten(idx32, FC_DT_I32, 1, 1, 0, 0, 0);
    t[2] = ten(z, FC_DT_F32, 2, 3, 1, 0, 0);
    run(fc_rt_gather, t, 2, 1, axis1, 1);
    expect_f32(z, wz, 3);
}

static void test_gather_elements(void **state)
{
    int32_t x[4] = {1, 2, 3, 4}, y[4];
    int64_t idx[4] = {0, 0, 1, 0}, axis1[1] = {1}, axis0[1] = {0};
    const int32_t want[4] = {1, 1, 4, 3};
    int64_t idx2[6] = {1, 2, 0, 2, 0, 0};
    int32_t x2[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y2[6];
    const int32_t want2[6] = {4, 8, 3, 7, 2, 3};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 2, 2, 0, 0);
    t[1] = ten(idx, FC_DT_I64, 2, 2, 2, 0, 0);
    t[2] = ten(y, FC_DT_I32, 2, 2, 2, 0, 0);
    run(fc_rt_gather_elements, t, 2, 1, axis1, 1);
    expect_i32(y, want, 4);
    /* axis 0 with fewer index rows than data (spec example 2), one index negative-free */
    t[0] = ten(x2, FC_DT_I32, 2, 3, 3, 0, 0);
    t[1] = ten(idx2, FC_DT_I64, 2, 2, 3, 0, 0);
    t[2] = ten(y2, FC_DT_I32, 2, 2, 3, 0, 0);
    run(fc_rt_gather_elements, t, 2, 1, axis0, 1);
    expect_i32(y2, want2, 6);
}

static void test_gather_nd(void **state)
{
    int32_t x[4] = {0, 1, 2, 3}, y[4];
    int64_t i1[4] = {0, 0, 1, 1}, i2[2] = {1, 0}, b0[1] = {0}, b1[1] = {1};
    const int32_t w1[2] = {0, 3}, w2[4] = {2, 3, 0, 1};
    int32_t x3[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    const int32_t w3[4] = {2, 3, 4, 5};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 2, 2, 0, 0);
    t[1] = ten(i1, FC_DT_I64, 2, 2, 2, 0, 0);
    t[2] = ten(y, FC_DT_I32, 1, 2, 0, 0, 0);
    run(fc_rt_gather_nd, t, 2, 1, b0, 1);
    expect_i32(y, w1, 2);
    t[1] = ten(i2, FC_DT_I64, 2, 2, 1, 0, 0);
    t[2] = ten(y, FC_DT_I32, 2, 2, 2, 0, 0);
    run(fc_rt_gather_nd, t, 2, 1, b0, 1);
    expect_i32(y, w2, 4);
    /* batch_dims = 1 */
    t[0] = ten(x3, FC_DT_I32, 3, 2, 2, 2, 0);
    t[1] = ten(i2, FC_DT_I64, 2, 2, 1, 0, 0);
    t[2] = ten(y, FC_DT_I32, 2, 2, 2, 0, 0);
    run(fc_rt_gather_nd, t, 2, 1, b1, 1);
    expect_i32(y, w3, 4);
}

/* ---- scatter family ------------------------------------------------------------------------- */

static void test_scatter_elements(void **state)
{
    float x[9] = {0}, y[9];
    int64_t idx[6] = {1, 0, 2, 0, 2, 1};
    float u[6] = {1.0f, 1.1f, 1.2f, 2.0f, 2.1f, 2.2f};
    const float want[9] = {2.0f, 1.1f, 0, 1.0f, 0, 2.2f, 0, 2.1f, 1.2f};
    int64_t ia[2] = {0, 0};
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 3, 3, 0, 0);
    t[1] = ten(idx, FC_DT_I64, 2, 2, 3, 0, 0);
    t[2] = ten(u, FC_DT_F32, 2, 2, 3, 0, 0);
    t[3] = ten(y, FC_DT_F32, 2, 3, 3, 0, 0);
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_f32(y, want, 9);
}

static void test_scatter_elements_reduce(void **state)
{
    /* data [[1,2,3,4,5]], indices [[1,-4]] (both column 1), updates [[10,20]], axis 1 */
    int32_t x[5] = {1, 2, 3, 4, 5}, y[5], u[2] = {10, 20};
    int64_t idx[2] = {1, -4};
    const int32_t add[5] = {1, 32, 3, 4, 5}, mul[5] = {1, 400, 3, 4, 5};
    const int32_t mx[5] = {1, 20, 3, 4, 5}, mn[5] = {1, 2, 3, 4, 5};
    const int32_t none[5] = {1, 20, 3, 4, 5};
    int64_t ia[2] = {1, 1};
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(x, FC_DT_I32, 2, 1, 5, 0, 0);
    t[1] = ten(idx, FC_DT_I64, 2, 1, 2, 0, 0);
    t[2] = ten(u, FC_DT_I32, 2, 1, 2, 0, 0);
    t[3] = ten(y, FC_DT_I32, 2, 1, 5, 0, 0);
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_i32(y, add, 5);
    ia[1] = 2;
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_i32(y, mul, 5);
    ia[1] = 3;
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_i32(y, mx, 5);
    ia[1] = 4;
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_i32(y, mn, 5);
    ia[1] = 0;
    run(fc_rt_scatter_elements, t, 3, 1, ia, 2);
    expect_i32(y, none, 5);
    /* float16 add: 1.0 + 0.5 + 0.25 = 1.75 (0x3F00) */
    {
        uint16_t hx[1] = {0x3C00}, hu[2] = {0x3800, 0x3400}, hy[1];
        int64_t hi[2] = {0, 0}, ha[2] = {0, 1};
        t[0] = ten(hx, FC_DT_F16, 1, 1, 0, 0, 0);
        t[1] = ten(hi, FC_DT_I64, 1, 2, 0, 0, 0);
        t[2] = ten(hu, FC_DT_F16, 1, 2, 0, 0, 0);
        t[3] = ten(hy, FC_DT_F16, 1, 1, 0, 0, 0);
        run(fc_rt_scatter_elements, t, 3, 1, ha, 2);
        assert_int_equal(hy[0], 0x3F00);
    }
}

static void test_scatter_nd(void **state)
{
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[8], u[4] = {9, 10, 11, 12};
    int64_t idx[4] = {4, 3, 1, 7}, none[1] = {0}, add[1] = {1};
    const float want[8] = {1, 11, 3, 10, 9, 6, 7, 12};
    int32_t m[4] = {1, 2, 3, 4}, my[4], mu[4] = {7, 8, 1, 1};
    int64_t mi[2] = {1, 1};
    const int32_t madd[4] = {1, 2, 11, 13};
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 1, 8, 0, 0, 0);
    t[1] = ten(idx, FC_DT_I64, 2, 4, 1, 0, 0);
    t[2] = ten(u, FC_DT_F32, 1, 4, 0, 0, 0);
    t[3] = ten(y, FC_DT_F32, 1, 8, 0, 0, 0);
    run(fc_rt_scatter_nd, t, 3, 1, none, 1);
    expect_f32(y, want, 8);
    /* slices of a [2][2]: both updates hit row 1, added: [3,4] + [7,8] + [1,1] */
    t[0] = ten(m, FC_DT_I32, 2, 2, 2, 0, 0);
    t[1] = ten(mi, FC_DT_I64, 2, 2, 1, 0, 0);
    t[2] = ten(mu, FC_DT_I32, 2, 2, 2, 0, 0);
    t[3] = ten(my, FC_DT_I32, 2, 2, 2, 0, 0);
    run(fc_rt_scatter_nd, t, 3, 1, add, 1);
    expect_i32(my, madd, 4);
}

/* ---- generators --------------------------------------------------------------------------- */

static void test_range(void **state)
{
    float s = 3, l = 13, d = 3, y[4];
    const float want[4] = {3, 6, 9, 12};
    int32_t si = 10, li = 4, di = -3, yi[2];
    const int32_t wi[2] = {10, 7};
    uint16_t hs = 0x3C00, hl = 0x4200, hd = 0x3800, hy[4]; /* 1.0, 3.0, 0.5 */
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(&s, FC_DT_F32, 0, 0, 0, 0, 0);
    t[1] = ten(&l, FC_DT_F32, 0, 0, 0, 0, 0);
    t[2] = ten(&d, FC_DT_F32, 0, 0, 0, 0, 0);
    t[3] = ten(y, FC_DT_F32, 1, 4, 0, 0, 0);
    run(fc_rt_range, t, 3, 1, NULL, 0);
    expect_f32(y, want, 4);
    t[0] = ten(&si, FC_DT_I32, 0, 0, 0, 0, 0);
    t[1] = ten(&li, FC_DT_I32, 0, 0, 0, 0, 0);
    t[2] = ten(&di, FC_DT_I32, 0, 0, 0, 0, 0);
    t[3] = ten(yi, FC_DT_I32, 1, 2, 0, 0, 0);
    run(fc_rt_range, t, 3, 1, NULL, 0);
    expect_i32(yi, wi, 2);
    t[0] = ten(&hs, FC_DT_F16, 0, 0, 0, 0, 0);
    t[1] = ten(&hl, FC_DT_F16, 0, 0, 0, 0, 0);
    t[2] = ten(&hd, FC_DT_F16, 0, 0, 0, 0, 0);
    t[3] = ten(hy, FC_DT_F16, 1, 4, 0, 0, 0);
    run(fc_rt_range, t, 3, 1, NULL, 0);
    assert_int_equal(hy[0], 0x3C00);
    assert_int_equal(hy[1], 0x3E00);
    assert_int_equal(hy[2], 0x4000);
    assert_int_equal(hy[3], 0x4100);
}

static void test_trilu(void **state)
{
    int64_t x[12], y[12], k;
    const int64_t up0[12] = {1, 2, 3, 4, 0, 6, 7, 8, 0, 0, 11, 12};
    const int64_t lowm1[12] = {0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0};
    const int64_t up2[12] = {0, 0, 3, 4, 0, 0, 0, 8, 0, 0, 0, 0};
    const int64_t zero[12] = {0};
    int64_t upper[1] = {1}, lower[1] = {0};
    FcRtTensor t[3];
    int32_t idx1[2] = {0, 1};
    FcRtNode n;
    int i;
    (void)state;
    for (i = 0; i < 12; i++)
        x[i] = i + 1;
    /* no k input */
    t[0] = ten(x, FC_DT_I64, 2, 3, 4, 0, 0);
    t[1] = ten(y, FC_DT_I64, 2, 3, 4, 0, 0);
    memset(&n, 0, sizeof n);
    n.nin = 1;
    n.nout = 1;
    n.in = idx1;
    n.out = idx1 + 1;
    n.nia = 1;
    n.ia = upper;
    fc_rt_trilu(&n, t);
    expect_i64(y, up0, 12);
    /* with k */
    t[1] = ten(&k, FC_DT_I64, 0, 0, 0, 0, 0);
    t[2] = ten(y, FC_DT_I64, 2, 3, 4, 0, 0);
    k = -1;
    run(fc_rt_trilu, t, 2, 1, lower, 1);
    expect_i64(y, lowm1, 12);
    k = 2;
    run(fc_rt_trilu, t, 2, 1, upper, 1);
    expect_i64(y, up2, 12);
    k = 100;
    run(fc_rt_trilu, t, 2, 1, upper, 1);
    expect_i64(y, zero, 12);
    k = -100;
    run(fc_rt_trilu, t, 2, 1, lower, 1);
    expect_i64(y, zero, 12);
    k = 100;
    run(fc_rt_trilu, t, 2, 1, lower, 1);
    expect_i64(y, x, 12);
}

static void test_one_hot(void **state)
{
    int64_t idx[4] = {0, -1, 3, 1}, depth = 3, ia[3] = {1, 3, 1};
    float v[2] = {0, 5}, y[12];
    const float want[12] = {5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0};
    const float want0[12] = {5, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0};
    float fidx[2] = {1.0f, 2.0f}, fy[6];
    const float fw[6] = {0, 5, 0, 0, 0, 5};
    FcRtTensor t[4];
    (void)state;
    t[0] = ten(idx, FC_DT_I64, 1, 4, 0, 0, 0);
    t[1] = ten(&depth, FC_DT_I64, 0, 0, 0, 0, 0);
    t[2] = ten(v, FC_DT_F32, 1, 2, 0, 0, 0);
    t[3] = ten(y, FC_DT_F32, 2, 4, 3, 0, 0);
    run(fc_rt_one_hot, t, 3, 1, ia, 3);
    expect_f32(y, want, 12);
    ia[0] = 0; /* depth axis first: y[3][4] */
    t[3] = ten(y, FC_DT_F32, 2, 3, 4, 0, 0);
    run(fc_rt_one_hot, t, 3, 1, ia, 3);
    expect_f32(y, want0, 12);
    /* OneHot-9: a negative index is out of range (all off) */
    ia[0] = 1;
    ia[2] = 0;
    t[3] = ten(y, FC_DT_F32, 2, 4, 3, 0, 0);
    run(fc_rt_one_hot, t, 3, 1, ia, 3);
    assert_true(y[3] == 0 && y[4] == 0 && y[5] == 0);
    assert_true(y[0] == 5 && y[10] == 5);
    ia[2] = 1;
    /* float indices */
    ia[0] = 1;
    t[0] = ten(fidx, FC_DT_F32, 1, 2, 0, 0, 0);
    t[3] = ten(fy, FC_DT_F32, 2, 2, 3, 0, 0);
    run(fc_rt_one_hot, t, 3, 1, ia, 3);
    expect_f32(fy, fw, 6);
}

static void test_eye_like(void **state)
{
    int32_t y[12];
    const int32_t want[12] = {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    const int32_t wneg[12] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0};
    int64_t ia[2];
    FcRtTensor t[2];
    (void)state;
    ia[0] = 1;
    ia[1] = bits_i32(1);
    t[0] = ten(NULL, FC_DT_F32, 2, 3, 4, 0, 0);
    t[1] = ten(y, FC_DT_I32, 2, 3, 4, 0, 0);
    run(fc_rt_eye_like, t, 1, 1, ia, 2);
    expect_i32(y, want, 12);
    ia[0] = -1;
    run(fc_rt_eye_like, t, 1, 1, ia, 2);
    expect_i32(y, wneg, 12);
}

static void test_compress(void **state)
{
    float x[6] = {1, 2, 3, 4, 5, 6}, y[4];
    uint8_t c[3] = {0, 1, 1}, c2[3] = {1, 0, 1}, c3[2] = {0, 1};
    const float want[4] = {3, 4, 5, 6}, want2[2] = {1, 3}, want3[3] = {2, 4, 6};
    int64_t ax0[1] = {0}, axf[1] = {-1}, ax1[1] = {1};
    FcRtTensor t[3];
    (void)state;
    t[0] = ten(x, FC_DT_F32, 2, 3, 2, 0, 0);
    t[1] = ten(c, FC_DT_BOOL, 1, 3, 0, 0, 0);
    t[2] = ten(y, FC_DT_F32, 2, 2, 2, 0, 0);
    run(fc_rt_compress, t, 2, 1, ax0, 1);
    expect_f32(y, want, 4);
    t[1] = ten(c2, FC_DT_BOOL, 1, 3, 0, 0, 0);
    t[2] = ten(y, FC_DT_F32, 1, 2, 0, 0, 0);
    run(fc_rt_compress, t, 2, 1, axf, 1);
    expect_f32(y, want2, 2);
    t[1] = ten(c3, FC_DT_BOOL, 1, 2, 0, 0, 0);
    t[2] = ten(y, FC_DT_F32, 2, 3, 1, 0, 0);
    run(fc_rt_compress, t, 2, 1, ax1, 1);
    expect_f32(y, want3, 3);
}

static void test_reverse_sequence(void **state)
{
    float x[16], y[16];
    int64_t lens_t[4] = {4, 3, 2, 1}, lens_b[4] = {1, 2, 3, 4};
    const float want_t[16] = {12, 9, 6, 3, 8, 5, 2, 7, 4, 1, 10, 11, 0, 13, 14, 15};
    const float want_b[16] = {0, 1, 2, 3, 5, 4, 6, 7, 10, 9, 8, 11, 15, 14, 13, 12};
    int64_t time0[2] = {0, 1}, time1[2] = {1, 0};
    FcRtTensor t[3];
    int i;
    (void)state;
    for (i = 0; i < 16; i++)
        x[i] = (float)i;
    t[0] = ten(x, FC_DT_F32, 2, 4, 4, 0, 0);
    t[1] = ten(lens_t, FC_DT_I64, 1, 4, 0, 0, 0);
    t[2] = ten(y, FC_DT_F32, 2, 4, 4, 0, 0);
    run(fc_rt_reverse_sequence, t, 2, 1, time0, 2);
    expect_f32(y, want_t, 16);
    t[1] = ten(lens_b, FC_DT_I64, 1, 4, 0, 0, 0);
    run(fc_rt_reverse_sequence, t, 2, 1, time1, 2);
    expect_f32(y, want_b, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_dropout_mask),
        cmocka_unit_test(test_transpose_2d),
        cmocka_unit_test(test_transpose_3d_keep_last),
        cmocka_unit_test(test_transpose_3d_rotate),
        cmocka_unit_test(test_transpose_large),
        cmocka_unit_test(test_concat),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_slice),
        cmocka_unit_test(test_slice_inner_run),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_tile),
        cmocka_unit_test(test_pad_modes_1d),
        cmocka_unit_test(test_pad_crop),
        cmocka_unit_test(test_pad_2d_constant_input),
        cmocka_unit_test(test_shape_size),
        cmocka_unit_test(test_constant_of_shape),
        cmocka_unit_test(test_depth_to_space),
        cmocka_unit_test(test_gather),
        cmocka_unit_test(test_gather_elements),
        cmocka_unit_test(test_gather_nd),
        cmocka_unit_test(test_scatter_elements),
        cmocka_unit_test(test_scatter_elements_reduce),
        cmocka_unit_test(test_scatter_nd),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_trilu),
        cmocka_unit_test(test_one_hot),
        cmocka_unit_test(test_eye_like),
        cmocka_unit_test(test_compress),
        cmocka_unit_test(test_reverse_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
