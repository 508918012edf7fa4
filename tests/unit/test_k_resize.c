/* test_k_resize.c — kernel tests of runtime/k_resize.c (Resize / Upsample) and
 * runtime/k_einsum.c (Einsum): hand-packed parameters, hand-computed expected values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "fc_rt.h"

void fc_rt_resize(const FcRtNode *n, FcRtTensor *t);
void fc_rt_einsum(const FcRtNode *n, FcRtTensor *t);

/* ---- Resize parameter packing (layout documented in runtime/k_resize.c) ---------------- */

enum { M_NEAREST = 0, M_LINEAR = 1, M_CUBIC = 2 };
enum { CT_HALF_PIXEL = 0, CT_ASYMMETRIC = 1, CT_PYTORCH = 2, CT_TF_NEAREST = 3,
       CT_ALIGN_CORNERS = 4, CT_TF_CROP = 5, CT_HALF_PIXEL_SYM = 6 };
enum { NR_PREFER_FLOOR = 0, NR_PREFER_CEIL = 1, NR_FLOOR = 2, NR_CEIL = 3, NR_SIMPLE = 4 };

typedef struct {
    int64_t ia[6 + 3 * FC_MAX_RANK];
    float fa[2 + 2 * FC_MAX_RANK];
    int32_t in[1], out[1];
    FcRtNode node;
    FcRtTensor t[2];
    double scratch[4096];
} Rz;

/* Sets up a resize of x (rank r, dims xd) to y (dims yd). scales[d] per axis; taps[d]; the
 * axis is marked active unless in == out and scale == 1. roi may be NULL. */
static void rz_setup(Rz *z, int mode, int ct, int nr, int excl, int aa, int r, const int64_t *xd,
                     const int64_t *yd, const double *scales, const int64_t *taps, void *x,
                     void *y, int32_t dt, float cubic_a, float extrap, const float *roi)
{
    int d;
    memset(z, 0, sizeof *z);
    z->ia[0] = mode;
    z->ia[1] = ct;
    z->ia[2] = nr;
    z->ia[3] = excl;
    z->ia[4] = aa;
    z->ia[5] = r;
    z->fa[0] = cubic_a;
    z->fa[1] = extrap;
    for (d = 0; d < r; d++) {
        z->ia[6 + 3 * d] = !(xd[d] == yd[d] && scales[d] == 1.0 && (!roi || (roi[d] == 0.0f &&
                                                                             roi[r + d] == 1.0f)));
        z->ia[6 + 3 * d + 1] = taps ? taps[d] : (mode == M_NEAREST ? 1 : mode == M_LINEAR ? 2 : 4);
        memcpy(&z->ia[6 + 3 * d + 2], &scales[d], sizeof(double));
        z->fa[2 + 2 * d] = roi ? roi[d] : 0.0f;
        z->fa[3 + 2 * d] = roi ? roi[r + d] : 1.0f;
    }
    z->in[0] = 0;
    z->out[0] = 1;
    z->node.nin = 1;
    z->node.nout = 1;
    z->node.in = z->in;
    z->node.out = z->out;
    z->node.nia = 6 + 3 * r;
    z->node.nfa = 2 + 2 * r;
    z->node.ia = z->ia;
    z->node.fa = z->fa;
    z->node.scratch = z->scratch;
    z->t[0].data = x;
    z->t[0].dtype = dt;
    z->t[0].rank = r;
    z->t[1].data = y;
    z->t[1].dtype = dt;
    z->t[1].rank = r;
    for (d = 0; d < r; d++) {
        z->t[0].dims[d] = xd[d];
        z->t[1].dims[d] = yd[d];
    }
}

static void assert_floats(const float *got, const float *want, int n, double tol)
{
    int i;
    for (i = 0; i < n; i++) {
        if (fabs((double)got[i] - (double)want[i]) > tol) {
            print_error("element %d: got %.9g, want %.9g\n", i, (double)got[i], (double)want[i]);
            fail();
        }
    }
}

/* test_resize_upsample_scales_nearest: [1,1,2,2] x scales (1,1,2,3), half_pixel. */
static void test_nearest_upsample(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[24];
    const int64_t xd[4] = {1, 1, 2, 2}, yd[4] = {1, 1, 4, 6};
    const double sc[4] = {1, 1, 2, 3};
    const float want[24] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                            3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
    (void)state;
    rz_setup(&z, M_NEAREST, CT_HALF_PIXEL, NR_PREFER_FLOOR, 0, 0, 4, xd, yd, sc, NULL, x, y,
             FC_DT_F32, -0.75f, 0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 24, 0.0);
}

/* test_resize_downsample_scales_nearest: [1,1,2,4] x 0.6 -> [1,1,1,2] = {1, 3}. */
static void test_nearest_downsample(void **state)
{
    static Rz z;
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[2];
    const int64_t xd[4] = {1, 1, 2, 4}, yd[4] = {1, 1, 1, 2};
    const double sc[4] = {1, 1, (double)0.6f, (double)0.6f};
    const float want[2] = {1, 3};
    (void)state;
    rz_setup(&z, M_NEAREST, CT_HALF_PIXEL, NR_PREFER_FLOOR, 0, 0, 4, xd, yd, sc, NULL, x, y,
             FC_DT_F32, -0.75f, 0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 2, 0.0);
}

/* The four rounding rules and the legacy (Upsample) rule on one axis of u8 data; asymmetric
 * coordinates x / 0.4: 0, 2.5, 5, 7.5 (clamped to 4 input elements). */
static void test_nearest_modes_u8(void **state)
{
    static Rz z;
    uint8_t x[4] = {10, 20, 30, 40}, y[4];
    const int64_t xd[1] = {4}, yd[1] = {4};
    const double up[1] = {0.4};
    const int modes[5] = {NR_PREFER_FLOOR, NR_PREFER_CEIL, NR_FLOOR, NR_CEIL, NR_SIMPLE};
    const uint8_t want[5][4] = {{10, 30, 40, 40}, {10, 40, 40, 40}, {10, 30, 40, 40},
                                {10, 40, 40, 40}, {10, 40, 40, 40}};
    int k;
    (void)state;
    for (k = 0; k < 5; k++) {
        rz_setup(&z, M_NEAREST, CT_ASYMMETRIC, modes[k], 0, 0, 1, xd, yd, up, NULL, x, y,
                 FC_DT_U8, -0.75f, 0.0f, NULL);
        fc_rt_resize(&z.node, z.t);
        assert_memory_equal(y, want[k], 4);
    }
}

/* Legacy Upsample nearest (asymmetric + simple rule) with scale 2: a plain repeat. */
static void test_nearest_simple_repeat_i64(void **state)
{
    static Rz z;
    int64_t x[3] = {-1, 5, 7}, y[6];
    const int64_t xd[1] = {3}, yd[1] = {6}, want[6] = {-1, -1, 5, 5, 7, 7};
    const double sc[1] = {2};
    (void)state;
    rz_setup(&z, M_NEAREST, CT_ASYMMETRIC, NR_SIMPLE, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_I64,
             -0.75f, 0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_memory_equal(y, want, sizeof want);
}

/* test_resize_upsample_scales_linear: 2x2 -> 4x4, half_pixel. */
static void test_linear_upsample(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[16];
    const int64_t xd[4] = {1, 1, 2, 2}, yd[4] = {1, 1, 4, 4};
    const double sc[4] = {1, 1, 2, 2};
    const float want[16] = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                            2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    (void)state;
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 0, 4, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 16, 1e-6);
}

/* test_resize_upsample_scales_linear_align_corners: corners map onto corners, step 1/3. */
static void test_linear_align_corners(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[16];
    const int64_t xd[4] = {1, 1, 2, 2}, yd[4] = {1, 1, 4, 4};
    const double sc[4] = {1, 1, 2, 2};
    float want[16];
    int i, j;
    (void)state;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            want[i * 4 + j] = (float)(1.0 + 2.0 * i / 3.0 + 1.0 * j / 3.0);
    rz_setup(&z, M_LINEAR, CT_ALIGN_CORNERS, 0, 0, 0, 4, xd, yd, sc, NULL, x, y, FC_DT_F32,
             -0.75f, 0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 16, 1e-6);
}

/* test_resize_downsample_scales_linear: [1,1,2,4] x 0.6 -> {2.6666665, 4.3333331}. */
static void test_linear_downsample(void **state)
{
    static Rz z;
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, y[2];
    const int64_t xd[4] = {1, 1, 2, 4}, yd[4] = {1, 1, 1, 2};
    const double sc[4] = {1, 1, (double)0.6f, (double)0.6f};
    const float want[2] = {2.6666665f, 4.3333331f};
    (void)state;
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 0, 4, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 2, 1e-5);
}

/* Three resized axes (two ping-pong intermediates): a linear function f = 4i + 2j + k + 1 on
 * [2,2,2] upsampled x2 (half_pixel) is p(i)*4 + p(j)*2 + p(k) + 1 with p = 0, .25, .75, 1. */
static void test_linear_3d(void **state)
{
    static Rz z;
    double x[8], y[64], want[64];
    const int64_t xd[3] = {2, 2, 2}, yd[3] = {4, 4, 4};
    const double sc[3] = {2, 2, 2}, p[4] = {0, 0.25, 0.75, 1};
    int i, j, k;
    (void)state;
    for (i = 0; i < 8; i++)
        x[i] = i + 1;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            for (k = 0; k < 4; k++)
                want[(i * 4 + j) * 4 + k] = p[i] * 4 + p[j] * 2 + p[k] + 1;
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 0, 3, xd, yd, sc, NULL, x, y, FC_DT_F64, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    for (i = 0; i < 64; i++)
        assert_true(fabs(y[i] - want[i]) < 1e-12);
}

/* Cubic (A = -0.75) on 1-D [1,2,3,4] x2, half_pixel. x = 3 maps to 1.25: taps 0..3 with
 * weights -0.10546875, 0.87890625, 0.26171875, -0.03515625. x = 0 maps to -0.25: taps -2..1
 * (clamped to 0,0,0,1) with weights -0.03515625, 0.26171875, 0.87890625, -0.10546875. */
static void test_cubic(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[8];
    const int64_t xd[1] = {4}, yd[1] = {8};
    const double sc[1] = {2};
    (void)state;
    rz_setup(&z, M_CUBIC, CT_HALF_PIXEL, 0, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_true(fabs(y[3] - 2.296875) < 1e-6);
    assert_true(fabs(y[0] - 0.89453125) < 1e-6);
    /* symmetric: the mirrored data gives the mirrored result */
    assert_true(fabs(y[4] - (5.0 - 2.296875)) < 1e-6);
    assert_true(fabs(y[7] - (5.0 - 0.89453125)) < 1e-6);
    /* exclude_outside: the two taps left of the input are dropped and the rest renormalized */
    rz_setup(&z, M_CUBIC, CT_HALF_PIXEL, 0, 1, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_true(fabs(y[0] - (0.87890625 - 2 * 0.10546875) / (0.87890625 - 0.10546875)) < 1e-6);
    assert_true(fabs(y[3] - 2.296875) < 1e-6);
}

/* Antialiased linear downsampling by 2 (4 taps, tent stretched x2): weights 1/8, 3/8, 3/8, 1/8
 * around x_ori = 0.5 and 2.5. */
static void test_linear_antialias(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[2];
    const int64_t xd[1] = {4}, yd[1] = {2}, taps[1] = {4};
    const double sc[1] = {0.5};
    const float want[2] = {1.625f, 3.375f};
    (void)state;
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 1, 1, xd, yd, sc, taps, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 2, 1e-6);
}

/* tf_crop_and_resize with roi [0.4, 1.2] to 3 samples: x_ori = 1.2 x + 1.2; the last one
 * (3.6) is outside and takes the extrapolation value. */
static void test_tf_crop_and_resize(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[3];
    const int64_t xd[1] = {4}, yd[1] = {3};
    const double sc[1] = {0.75};
    const float roi[2] = {0.4f, 1.2f};
    const float want[3] = {2.2f, 3.4f, 10.0f};
    (void)state;
    rz_setup(&z, M_LINEAR, CT_TF_CROP, 0, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             10.0f, roi);
    fc_rt_resize(&z.node, z.t);
    assert_floats(y, want, 3, 1e-5);
    /* nearest: 1.2 -> 1, 2.4 -> 2, outside -> 10 */
    rz_setup(&z, M_NEAREST, CT_TF_CROP, NR_PREFER_FLOOR, 0, 0, 1, xd, yd, sc, NULL, x, y,
             FC_DT_F32, -0.75f, 10.0f, roi);
    fc_rt_resize(&z.node, z.t);
    {
        const float wn[3] = {2, 3, 10};
        assert_floats(y, wn, 3, 0.0);
    }
}

/* Nearest 2-D tf_crop_and_resize where a whole output row falls outside: roi H [0, 2] maps
 * rows 0, 1, 2 to input rows 0, 1 and outside (filled); i32 data. */
static void test_nearest_crop_rows(void **state)
{
    static Rz z;
    int32_t x[4] = {1, 2, 3, 4}, y[6];
    const int64_t xd[2] = {2, 2}, yd[2] = {3, 2};
    const double sc[2] = {1.5, 1};
    const float roi[4] = {0, 0, 2, 1};
    const int32_t want[6] = {1, 2, 3, 4, -7, -7};
    (void)state;
    rz_setup(&z, M_NEAREST, CT_TF_CROP, NR_PREFER_FLOOR, 0, 0, 2, xd, yd, sc, NULL, x, y,
             FC_DT_I32, -0.75f, -7.0f, roi);
    fc_rt_resize(&z.node, z.t);
    assert_memory_equal(y, want, sizeof want);
}

/* pytorch_half_pixel with one output sample maps it to 0; half_pixel to the middle. */
static void test_single_output(void **state)
{
    static Rz z;
    float x[4] = {1, 2, 3, 4}, y[1];
    const int64_t xd[1] = {4}, yd[1] = {1};
    const double sc[1] = {0.25};
    (void)state;
    rz_setup(&z, M_LINEAR, CT_PYTORCH, 0, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_true(y[0] == 1.0f);
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_F32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_true(fabs(y[0] - 2.5) < 1e-6);
}

/* Integer linear: results truncated toward zero; cubic overshoot saturates. */
static void test_linear_int(void **state)
{
    static Rz z;
    int32_t x[2] = {0, 3}, y[4];
    uint8_t xb[4] = {0, 0, 255, 255}, yb[8];
    const int64_t xd[1] = {2}, yd[1] = {4}, xdb[1] = {4}, ydb[1] = {8};
    const double sc[1] = {2};
    const int32_t want[4] = {0, 0, 2, 3}; /* 0, 0.75, 2.25, 3 */
    int i;
    (void)state;
    rz_setup(&z, M_LINEAR, CT_HALF_PIXEL, 0, 0, 0, 1, xd, yd, sc, NULL, x, y, FC_DT_I32, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    assert_memory_equal(y, want, sizeof want);
    rz_setup(&z, M_CUBIC, CT_HALF_PIXEL, 0, 0, 0, 1, xdb, ydb, sc, NULL, xb, yb, FC_DT_U8, -0.75f,
             0.0f, NULL);
    fc_rt_resize(&z.node, z.t);
    /* around the step the cubic over/undershoots: saturated to 0 and 255 */
    assert_int_equal(yb[0], 0);
    assert_int_equal(yb[7], 255);
    for (i = 1; i < 8; i++)
        assert_true(yb[i] >= yb[i - 1]);
}

/* ---- Einsum ------------------------------------------------------------------------- */

typedef struct {
    int64_t ia[64];
    int32_t in[3], out[1];
    FcRtNode node;
    FcRtTensor t[4];
    int64_t scratch[16];
} Es;

static void es_setup(Es *e, int m, int L, int nout, const int64_t *sizes, const int64_t *st,
                     int32_t dt)
{
    int i;
    memset(e, 0, sizeof *e);
    e->ia[0] = m;
    e->ia[1] = L;
    e->ia[2] = nout;
    for (i = 0; i < L; i++)
        e->ia[3 + i] = sizes[i];
    for (i = 0; i < m * L; i++)
        e->ia[3 + L + i] = st[i];
    for (i = 0; i < m; i++) {
        e->in[i] = i;
        e->t[i].dtype = dt;
    }
    e->out[0] = m;
    e->t[m].dtype = dt;
    e->node.nin = m;
    e->node.nout = 1;
    e->node.in = e->in;
    e->node.out = e->out;
    e->node.nia = 3 + L + m * L;
    e->node.ia = e->ia;
    e->node.scratch = e->scratch;
}

/* "ij,jk->ik": labels i(2) k(2) | j(3). */
static void test_einsum_matmul(void **state)
{
    static Es e;
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 0, 1, 2, -1}, c[4];
    const int64_t sizes[3] = {2, 2, 3};
    const int64_t st[6] = {3, 0, 1, /* a[i][j] */ 0, 1, 2 /* b[j][k] */};
    const float want[4] = {1 + 0 + 6, 0 + 2 - 3, 4 + 0 + 12, 0 + 5 - 6};
    (void)state;
    es_setup(&e, 2, 3, 2, sizes, st, FC_DT_F32);
    e.t[0].data = a;
    e.t[1].data = b;
    e.t[2].data = c;
    fc_rt_einsum(&e.node, e.t);
    assert_floats(c, want, 4, 0.0);
}

/* "ii->" (trace) and "ii->i" (diagonal) on a 3x3 double matrix; "ij->ji" (no sum). */
static void test_einsum_trace_diag_transpose(void **state)
{
    static Es e;
    double a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, y[9];
    const int64_t s3[1] = {3}, st_diag[1] = {4};
    const int64_t s33[2] = {3, 3}, st_tr[2] = {1, 3};
    int i, j;
    (void)state;
    es_setup(&e, 1, 1, 0, s3, st_diag, FC_DT_F64);
    e.t[0].data = a;
    e.t[1].data = y;
    fc_rt_einsum(&e.node, e.t);
    assert_true(y[0] == 15.0);
    es_setup(&e, 1, 1, 1, s3, st_diag, FC_DT_F64);
    e.t[0].data = a;
    e.t[1].data = y;
    fc_rt_einsum(&e.node, e.t);
    assert_true(y[0] == 1.0 && y[1] == 5.0 && y[2] == 9.0);
    es_setup(&e, 1, 2, 2, s33, st_tr, FC_DT_F64);
    e.t[0].data = a;
    e.t[1].data = y;
    fc_rt_einsum(&e.node, e.t);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
            assert_true(y[i * 3 + j] == a[j * 3 + i]);
}

/* "i,i,i->" with int32 (three inputs, integer accumulation) and a scalar "->" of a scalar. */
static void test_einsum_three_inputs_int(void **state)
{
    static Es e;
    int32_t a[3] = {1, 2, 3}, b[3] = {4, 5, 6}, c[3] = {-1, 1, 2}, y[1];
    const int64_t sizes[1] = {3}, st[3] = {1, 1, 1};
    float s = 2.5f, ys = 0;
    (void)state;
    es_setup(&e, 3, 1, 0, sizes, st, FC_DT_I32);
    e.t[0].data = a;
    e.t[1].data = b;
    e.t[2].data = c;
    e.t[3].data = y;
    fc_rt_einsum(&e.node, e.t);
    assert_int_equal(y[0], -4 + 10 + 36);
    es_setup(&e, 1, 0, 0, sizes, st, FC_DT_F32);
    e.t[0].data = &s;
    e.t[1].data = &ys;
    fc_rt_einsum(&e.node, e.t);
    assert_true(ys == 2.5f);
}

/* "bij,bjk->bik" with b=2 plus an outer summed label order check: labels b i k | j. */
static void test_einsum_batch_matmul(void **state)
{
    static Es e;
    float a[8], b[8], c[8], want[8];
    const int64_t sizes[4] = {2, 2, 2, 2};
    /* a[b][i][j]: b 4, i 2, k 0, j 1; b[b][j][k]: b 4, i 0, k 1, j 2 */
    const int64_t st[8] = {4, 2, 0, 1, 4, 0, 1, 2};
    int bb, i, j, k;
    (void)state;
    for (i = 0; i < 8; i++) {
        a[i] = (float)(i + 1);
        b[i] = (float)(8 - i);
    }
    for (bb = 0; bb < 2; bb++)
        for (i = 0; i < 2; i++)
            for (k = 0; k < 2; k++) {
                float s = 0;
                for (j = 0; j < 2; j++)
                    s += a[bb * 4 + i * 2 + j] * b[bb * 4 + j * 2 + k];
                want[bb * 4 + i * 2 + k] = s;
            }
    es_setup(&e, 2, 4, 3, sizes, st, FC_DT_F32);
    e.t[0].data = a;
    e.t[1].data = b;
    e.t[2].data = c;
    fc_rt_einsum(&e.node, e.t);
    assert_floats(c, want, 8, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_upsample),
        cmocka_unit_test(test_nearest_downsample),
        cmocka_unit_test(test_nearest_modes_u8),
        cmocka_unit_test(test_nearest_simple_repeat_i64),
        cmocka_unit_test(test_linear_upsample),
        cmocka_unit_test(test_linear_align_corners),
        cmocka_unit_test(test_linear_downsample),
        cmocka_unit_test(test_linear_3d),
        cmocka_unit_test(test_cubic),
        cmocka_unit_test(test_linear_antialias),
        cmocka_unit_test(test_tf_crop_and_resize),
        cmocka_unit_test(test_nearest_crop_rows),
        cmocka_unit_test(test_single_output),
        cmocka_unit_test(test_linear_int),
        cmocka_unit_test(test_einsum_matmul),
        cmocka_unit_test(test_einsum_trace_diag_transpose),
        cmocka_unit_test(test_einsum_three_inputs_int),
        cmocka_unit_test(test_einsum_batch_matmul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
