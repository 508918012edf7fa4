/* test_op_resize.c — prepare tests of ir/op_resize.c: Resize / Upsample attribute and input
 * handling per opset, output shapes, packed parameters, errors; Einsum equation parsing
 * (explicit / implicit output, diagonals, ellipsis broadcasting), run through the kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "ir.h"

/* ---- graph building helpers ---------------------------------------------------------- */

/* A value; data != NULL with is_const makes it a compile-time constant (the bytes are
 * copied), a runtime input otherwise (data still kept, for running the kernel). */
static int val(FcGraph *g, const char *name, int32_t dt, int rank, const int64_t *dims,
               const void *data, int is_const)
{
    int id = fc_value_new(g, name);
    FcValue *v = fc_val(g, id);
    v->dtype = dt;
    v->rank = rank;
    for (int d = 0; d < rank; d++)
        v->dims[d] = dims[d];
    v->kind = is_const ? FC_VAL_CONST : FC_VAL_INPUT;
    if (data) {
        size_t bytes = fc_value_bytes(v);
        v->data = fc_arena_alloc(&g->arena, bytes ? bytes : 1);
        memcpy(v->data, data, bytes);
    }
    return id;
}

/* A node with the given input value ids (-1 = absent) and one fresh output. */
static FcNode *node(FcGraph *g, int op, int nin, const int *ins)
{
    FcNode *n = fc_node_new(g, op, "n0", nin, 1);
    for (int i = 0; i < nin; i++)
        n->in[i] = ins[i];
    n->out[0] = fc_value_new(g, "y");
    n->attr = fc_arena_alloc(&g->arena, sizeof(FcAttr) * 16);
    return n;
}

static FcAttr *attr(FcGraph *g, FcNode *n, const char *name, int type)
{
    FcAttr *a = &n->attr[n->nattr++];
    a->name = fc_arena_strdup(&g->arena, name);
    a->type = type;
    return a;
}

static void attr_s(FcGraph *g, FcNode *n, const char *name, const char *s)
{
    attr(g, n, name, FC_ATTR_STRING)->s = fc_arena_strdup(&g->arena, s);
}

static void attr_i(FcGraph *g, FcNode *n, const char *name, int64_t v)
{
    attr(g, n, name, FC_ATTR_INT)->i = v;
}

static void attr_f(FcGraph *g, FcNode *n, const char *name, float v)
{
    attr(g, n, name, FC_ATTR_FLOAT)->f = v;
}

static void attr_ints(FcGraph *g, FcNode *n, const char *name, int cnt, const int64_t *v)
{
    FcAttr *a = attr(g, n, name, FC_ATTR_INTS);
    a->n = cnt;
    a->ints = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)cnt);
    memcpy(a->ints, v, sizeof(int64_t) * (size_t)cnt);
}

static void attr_floats(FcGraph *g, FcNode *n, const char *name, int cnt, const float *v)
{
    FcAttr *a = attr(g, n, name, FC_ATTR_FLOATS);
    a->n = cnt;
    a->floats = fc_arena_alloc(&g->arena, sizeof(float) * (size_t)cnt);
    memcpy(a->floats, v, sizeof(float) * (size_t)cnt);
}

static int prep(FcGraph *g, FcNode *n)
{
    g->err[0] = 0;
    return fc_ops[n->op].prepare(g, n);
}

static void expect_err(FcGraph *g, FcNode *n, const char *text)
{
    assert_int_equal(prep(g, n), -1);
    if (!strstr(g->err, text)) {
        print_error("error '%s' lacks '%s'\n", g->err, text);
        fail();
    }
}

static void expect_dims(FcGraph *g, FcNode *n, int rank, const int64_t *dims)
{
    const FcValue *y = fc_out(g, n, 0);
    if (prep(g, n) != 0) {
        print_error("prepare failed: %s\n", g->err);
        fail();
    }
    assert_int_equal(y->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(y->dims[d], dims[d]);
}

/* Runs the node's kernel on its inputs' data; returns the output bytes (malloc'ed). */
static void *run(FcGraph *g, FcNode *n)
{
    FcRtTensor t[16];
    int32_t in[15], out[1];
    FcRtNode rn;
    assert_true(n->nin < 15);
    for (int i = 0; i < n->nin; i++) {
        in[i] = -1;
        if (n->in[i] >= 0) {
            const FcValue *v = fc_val(g, n->in[i]);
            in[i] = i;
            t[i].data = v->data;
            t[i].dtype = v->dtype;
            t[i].rank = v->rank;
            memcpy(t[i].dims, v->dims, sizeof t[i].dims);
        }
    }
    const FcValue *y = fc_out(g, n, 0);
    out[0] = n->nin;
    t[n->nin].data = calloc(1, fc_value_bytes(y) + 8);
    t[n->nin].dtype = y->dtype;
    t[n->nin].rank = y->rank;
    memcpy(t[n->nin].dims, y->dims, sizeof t[n->nin].dims);
    rn.nin = n->nin;
    rn.nout = 1;
    rn.in = in;
    rn.out = out;
    rn.nia = n->nia;
    rn.nfa = n->nfa;
    rn.ia = n->ia;
    rn.fa = n->fa;
    rn.scratch = malloc((size_t)n->scratch_bytes + 8);
    fc_ops[n->op].kernel(&rn, t);
    free(rn.scratch);
    return t[n->nin].data;
}

static double ia_double(const FcNode *n, int k)
{
    double v;
    memcpy(&v, &n->ia[k], sizeof v);
    return v;
}

static const int64_t D1122[4] = {1, 1, 2, 2};
static const float X4[4] = {1, 2, 3, 4};

/* ---- Resize ------------------------------------------------------------------------- */

/* Opset 19 nearest with scales (1,1,2,3): output [1,1,4,6]; only H and W are resized. */
static void test_resize_scales_shape_and_params(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d4[1] = {4}, want[4] = {1, 1, 4, 6};
    const float sc[4] = {1, 1, 2, 3};
    (void)state;
    g->opset = 19;
    int ins[3] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), -1,
                  val(g, "scales", FC_DT_F32, 1, d4, sc, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
    expect_dims(g, n, 4, want);
    assert_int_equal(fc_out(g, n, 0)->dtype, FC_DT_F32);
    assert_int_equal(n->nia, 6 + 12);
    assert_int_equal(n->ia[0], 0); /* nearest */
    assert_int_equal(n->ia[1], 0); /* half_pixel */
    assert_int_equal(n->ia[2], 0); /* round_prefer_floor */
    assert_int_equal(n->ia[6 + 0], 0);
    assert_int_equal(n->ia[6 + 3], 0);
    assert_int_equal(n->ia[6 + 6], 1);
    assert_int_equal(n->ia[6 + 9], 1);
    assert_true(ia_double(n, 6 + 9 + 2) == 3.0);
    assert_int_equal(n->scratch_bytes, (1 + 1 + 4 + 6) * 8);
    float *y = run(g, n);
    const float w[24] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
    assert_memory_equal(y, w, sizeof w);
    free(y);
    fc_graph_free(g);
}

/* Output size = floor(in * scale) with the float32 scale: 0.6f * 4 = 2.4000001 -> 2,
 * 0.6f * 5 = 3.0000001 -> 3. */
static void test_resize_floor_size(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t dx[2] = {4, 5}, d2[1] = {2}, want[2] = {2, 3};
    const float sc[2] = {0.6f, 0.6f};
    float x[20] = {0};
    (void)state;
    g->opset = 13;
    int ins[3] = {val(g, "X", FC_DT_F32, 2, dx, x, 0), -1, val(g, "s", FC_DT_F32, 1, d2, sc, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
    attr_s(g, n, "mode", "linear");
    expect_dims(g, n, 2, want);
    assert_int_equal(n->ia[0], 1);
    assert_int_equal(n->ia[6 + 1], 2); /* two taps */
    /* both axes resized: tables + one intermediate of in0 x out1 = 4 x 3 doubles */
    assert_int_equal(n->scratch_bytes, 2 * (16 * 2 + 8) + 3 * (16 * 2 + 8) + 8 * 4 * 3);
    fc_graph_free(g);
}

/* sizes with keep_aspect_ratio_policy and axes (opset 18): [1,1,2,2] to sizes (7,8) on axes
 * (2,3): stretch 7x8, not_larger 7x7 (scale 3.5), not_smaller 8x8 (scale 4). */
static void test_resize_sizes_policies(void **state)
{
    const char *pol[3] = {"stretch", "not_larger", "not_smaller"};
    const int64_t want[3][4] = {{1, 1, 7, 8}, {1, 1, 7, 7}, {1, 1, 8, 8}};
    const double wscale[3] = {3.5, 3.5, 4.0};
    (void)state;
    for (int k = 0; k < 3; k++) {
        FcGraph *g = fc_graph_new("t.onnx");
        const int64_t d2[1] = {2}, sz[2] = {7, 8}, axes[2] = {2, 3};
        g->opset = 18;
        int ins[4] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), -1, -1,
                      val(g, "sizes", FC_DT_I64, 1, d2, sz, 1)};
        FcNode *n = node(g, FC_OP_RESIZE, 4, ins);
        attr_ints(g, n, "axes", 2, axes);
        attr_s(g, n, "keep_aspect_ratio_policy", pol[k]);
        expect_dims(g, n, 4, want[k]);
        assert_true(ia_double(n, 6 + 6 + 2) == wscale[k]);
        fc_graph_free(g);
    }
}

/* axes (3, 2) reorder the scales: scales (3, 2) give H x2, W x3. */
static void test_resize_axes_order(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d2[1] = {2}, axes[2] = {3, -2}, want[4] = {1, 1, 4, 6};
    const float sc[2] = {3, 2};
    (void)state;
    g->opset = 19;
    int ins[3] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), -1, val(g, "s", FC_DT_F32, 1, d2, sc, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
    attr_ints(g, n, "axes", 2, axes);
    expect_dims(g, n, 4, want);
    fc_graph_free(g);
}

/* Opset 11: an empty scales tensor next to sizes is "no scales". */
static void test_resize_opset11_empty_scales(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d0[1] = {0}, d4[1] = {4}, sz[4] = {1, 1, 3, 1}, want[4] = {1, 1, 3, 1};
    (void)state;
    g->opset = 11;
    int ins[4] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0),
                  val(g, "roi", FC_DT_F32, 1, d0, NULL, 1),
                  val(g, "scales", FC_DT_F32, 1, d0, NULL, 1),
                  val(g, "sizes", FC_DT_I64, 1, d4, sz, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 4, ins);
    attr_s(g, n, "mode", "linear");
    attr_s(g, n, "coordinate_transformation_mode", "pytorch_half_pixel");
    expect_dims(g, n, 4, want);
    assert_int_equal(n->ia[1], 2);
    /* W has one output sample: pytorch_half_pixel maps it to 0, H: 2 -> 3 samples */
    float *y = run(g, n);
    /* column 0 is (1, 3); H coordinates (x + .5) / 1.5 - .5 = -1/6, 1/2, 7/6 read 1 (left
     * edge), the midpoint 2 and 3 (right edge) */
    assert_true(fabs(y[0] - 1.0) < 1e-6);
    assert_true(fabs(y[1] - 2.0) < 1e-6);
    assert_true(fabs(y[2] - 3.0) < 1e-6);
    free(y);
    fc_graph_free(g);
}

/* Bilinear through prepare + kernel: test_resize_upsample_scales_linear values. */
static void test_resize_linear_run(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d4[1] = {4};
    const float sc[4] = {1, 1, 2, 2};
    const float want[16] = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f,
                            2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    (void)state;
    g->opset = 13;
    int ins[3] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), -1, val(g, "s", FC_DT_F32, 1, d4, sc, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
    attr_s(g, n, "mode", "linear");
    assert_int_equal(prep(g, n), 0);
    float *y = run(g, n);
    for (int i = 0; i < 16; i++)
        assert_true(fabs(y[i] - want[i]) < 1e-6);
    free(y);
    fc_graph_free(g);
}

/* Antialias widens the filter: linear at scale 0.6 -> 4 taps, at 0.25 -> 8; cubic 0.5 -> 8. */
static void test_resize_antialias_taps(void **state)
{
    const float scv[3] = {0.6f, 0.25f, 0.5f};
    const char *mode[3] = {"linear", "linear", "cubic"};
    const int64_t taps[3] = {4, 8, 8};
    (void)state;
    for (int k = 0; k < 3; k++) {
        FcGraph *g = fc_graph_new("t.onnx");
        const int64_t dx[1] = {16}, d1[1] = {1};
        float x[16] = {0};
        g->opset = 18;
        int ins[3] = {val(g, "X", FC_DT_F32, 1, dx, x, 0), -1,
                      val(g, "s", FC_DT_F32, 1, d1, &scv[k], 1)};
        FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
        attr_s(g, n, "mode", mode[k]);
        attr_i(g, n, "antialias", 1);
        assert_int_equal(prep(g, n), 0);
        assert_int_equal(n->ia[4], 1);
        assert_int_equal(n->ia[6 + 1], taps[k]);
        fc_graph_free(g);
    }
}

/* tf_crop_and_resize packs the roi (start, end) per axis; extrapolation_value in fa[1]. */
static void test_resize_tf_crop_roi(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d8[1] = {8}, d4[1] = {4}, sz[4] = {1, 1, 3, 3}, want[4] = {1, 1, 3, 3};
    const float roi[8] = {0, 0, 0.4f, 0.6f, 1, 1, 0.6f, 0.8f};
    (void)state;
    g->opset = 19;
    int ins[4] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), val(g, "roi", FC_DT_F32, 1, d8, roi, 1),
                  -1, val(g, "sizes", FC_DT_I64, 1, d4, sz, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 4, ins);
    attr_s(g, n, "mode", "linear");
    attr_s(g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
    attr_f(g, n, "extrapolation_value", 10.0f);
    expect_dims(g, n, 4, want);
    assert_int_equal(n->ia[1], 5);
    assert_true(n->fa[1] == 10.0f);
    assert_true(n->fa[2 + 2 * 2] == 0.4f && n->fa[3 + 2 * 2] == 0.6f);
    assert_true(n->fa[2 + 2 * 3] == 0.6f && n->fa[3 + 2 * 3] == 0.8f);
    assert_int_equal(n->ia[6], 0); /* N: roi [0, 1], same size: identity */
    fc_graph_free(g);
}

/* Upsample-7 (scales attribute) and Upsample-9 (scales input), legacy nearest rule. */
static void test_upsample(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d4[1] = {4}, want[4] = {1, 1, 4, 6};
    const float sc[4] = {1, 1, 2, 3};
    (void)state;
    g->opset = 7;
    int x = val(g, "X", FC_DT_F32, 4, D1122, X4, 0);
    FcNode *n = node(g, FC_OP_UPSAMPLE, 1, &x);
    attr_floats(g, n, "scales", 4, sc);
    expect_dims(g, n, 4, want);
    assert_int_equal(n->ia[1], 1); /* asymmetric */
    assert_int_equal(n->ia[2], 4); /* simple */
    float *y = run(g, n);
    const float w[24] = {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4};
    assert_memory_equal(y, w, sizeof w);
    free(y);
    g->opset = 9;
    int ins[2] = {x, val(g, "s", FC_DT_F32, 1, d4, sc, 1)};
    FcNode *n9 = node(g, FC_OP_UPSAMPLE, 2, ins);
    attr_s(g, n9, "mode", "linear");
    expect_dims(g, n9, 4, want);
    assert_int_equal(n9->ia[0], 1);
    fc_graph_free(g);
}

/* Resize-10: scales input, asymmetric coordinates; cubic does not exist yet. */
static void test_resize_opset10(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d4[1] = {4}, want[4] = {1, 1, 4, 6};
    const float sc[4] = {1, 1, 2, 3};
    (void)state;
    g->opset = 10;
    int ins[2] = {val(g, "X", FC_DT_F32, 4, D1122, X4, 0), val(g, "s", FC_DT_F32, 1, d4, sc, 1)};
    FcNode *n = node(g, FC_OP_RESIZE, 2, ins);
    expect_dims(g, n, 4, want);
    assert_int_equal(n->ia[1], 1);
    FcNode *c = node(g, FC_OP_RESIZE, 2, ins);
    attr_s(g, c, "mode", "cubic");
    expect_err(g, c, "unsupported mode 'cubic'");
    fc_graph_free(g);
}

/* Nearest copies bytes: works for int64 and bool. */
static void test_resize_nearest_other_dtypes(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t dx[1] = {3}, d1[1] = {1}, want[1] = {6};
    const int64_t x[3] = {7, -8, 9};
    const uint8_t b[3] = {1, 0, 1};
    const float sc[1] = {2};
    (void)state;
    g->opset = 13;
    int s = val(g, "s", FC_DT_F32, 1, d1, sc, 1);
    int ins[3] = {val(g, "X", FC_DT_I64, 1, dx, x, 0), -1, s};
    FcNode *n = node(g, FC_OP_RESIZE, 3, ins);
    attr_s(g, n, "coordinate_transformation_mode", "asymmetric");
    expect_dims(g, n, 1, want);
    int64_t *y = run(g, n);
    const int64_t w[6] = {7, 7, -8, -8, 9, 9};
    assert_memory_equal(y, w, sizeof w);
    free(y);
    int insb[3] = {val(g, "B", FC_DT_BOOL, 1, dx, b, 0), -1, s};
    FcNode *nb = node(g, FC_OP_RESIZE, 3, insb);
    attr_s(g, nb, "coordinate_transformation_mode", "asymmetric");
    expect_dims(g, nb, 1, want);
    uint8_t *yb = run(g, nb);
    const uint8_t wb[6] = {1, 1, 0, 0, 1, 1};
    assert_memory_equal(yb, wb, sizeof wb);
    free(yb);
    fc_graph_free(g);
}

static void test_resize_errors(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d4[1] = {4}, d2[1] = {2}, d3[1] = {3}, sz[4] = {1, 1, 4, 4};
    const float sc[4] = {1, 1, 2, 2};
    const int64_t dup[2] = {2, -2};
    (void)state;
    g->opset = 19;
    int x = val(g, "X", FC_DT_F32, 4, D1122, X4, 0);
    int s = val(g, "s", FC_DT_F32, 1, d4, sc, 1);
    int srt = val(g, "s_rt", FC_DT_F32, 1, d4, sc, 0);
    int z = val(g, "sizes", FC_DT_I64, 1, d4, sz, 1);
    int s3 = val(g, "s3", FC_DT_F32, 1, d3, sc, 1);
    int s2 = val(g, "s2", FC_DT_F32, 1, d2, sc, 1);

    int a[4] = {x, -1, srt, -1};
    expect_err(g, node(g, FC_OP_RESIZE, 3, a), "input 'scales' must be a compile-time constant");
    int b[4] = {x, -1, s, z};
    expect_err(g, node(g, FC_OP_RESIZE, 4, b), "only one of 'scales' and 'sizes'");
    int c[4] = {x, -1, -1, -1};
    expect_err(g, node(g, FC_OP_RESIZE, 1, c), "one of 'scales' and 'sizes' must be given");
    int d[3] = {x, -1, s3};
    expect_err(g, node(g, FC_OP_RESIZE, 3, d), "scales has 3 entries, expected 4");
    int e[3] = {x, -1, s};
    FcNode *n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "mode", "area");
    expect_err(g, n, "unsupported mode 'area'");
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "coordinate_transformation_mode", "center");
    expect_err(g, n, "unsupported coordinate_transformation_mode 'center'");
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "nearest_mode", "round");
    expect_err(g, n, "unsupported nearest_mode 'round'");
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "keep_aspect_ratio_policy", "fit");
    expect_err(g, n, "unsupported keep_aspect_ratio_policy 'fit'");
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "coordinate_transformation_mode", "tf_crop_and_resize");
    expect_err(g, n, "tf_crop_and_resize needs input 'roi'");
    int f[3] = {x, -1, s2};
    n = node(g, FC_OP_RESIZE, 3, f);
    attr_ints(g, n, "axes", 2, dup);
    expect_err(g, n, "appears twice in axes");
    /* half_pixel_symmetric appeared in opset 19, antialias / axes in 18 */
    g->opset = 18;
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "coordinate_transformation_mode", "half_pixel_symmetric");
    expect_err(g, n, "unsupported coordinate_transformation_mode 'half_pixel_symmetric'");
    g->opset = 13;
    n = node(g, FC_OP_RESIZE, 3, f);
    attr_ints(g, n, "axes", 2, dup);
    expect_err(g, n, "attribute 'axes' needs opset 18");
    n = node(g, FC_OP_RESIZE, 3, e);
    attr_s(g, n, "mode", "linear");
    attr_i(g, n, "antialias", 1);
    expect_err(g, n, "attribute 'antialias' needs opset 18");
    /* linear interpolation of f16 is not implemented */
    int h = val(g, "H", FC_DT_F16, 4, D1122, NULL, 0);
    int hi[3] = {h, -1, s};
    n = node(g, FC_OP_RESIZE, 3, hi);
    attr_s(g, n, "mode", "linear");
    expect_err(g, n, "does not support dtype f16");
    /* negative scale */
    const float neg[4] = {1, 1, -2, 2};
    int sn = val(g, "neg", FC_DT_F32, 1, d4, neg, 1);
    int ni[3] = {x, -1, sn};
    expect_err(g, node(g, FC_OP_RESIZE, 3, ni), "must be positive");
    fc_graph_free(g);
}

/* ---- Einsum --------------------------------------------------------------------------- */

static FcNode *einsum(FcGraph *g, const char *eq, int nin, const int *ins)
{
    FcNode *n = node(g, FC_OP_EINSUM, nin, ins);
    attr_s(g, n, "equation", eq);
    return n;
}

/* "ij,jk->ik" and the implicit "ij,jk" (same output), with values. */
static void test_einsum_matmul(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t da[2] = {2, 3}, db[2] = {3, 2}, want[2] = {2, 2};
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 0, 1, 2, -1};
    const float c[4] = {7, -1, 16, -1};
    (void)state;
    g->opset = 12;
    int ins[2] = {val(g, "a", FC_DT_F32, 2, da, a, 0), val(g, "b", FC_DT_F32, 2, db, b, 0)};
    const char *eqs[2] = {"ij,jk->ik", " ij , jk "};
    for (int k = 0; k < 2; k++) {
        FcNode *n = einsum(g, eqs[k], 2, ins);
        expect_dims(g, n, 2, want);
        float *y = run(g, n);
        assert_memory_equal(y, c, sizeof c);
        free(y);
    }
    fc_graph_free(g);
}

/* Implicit output sorts the labels: "ba" is a transpose; "ii" is a trace (scalar). */
static void test_einsum_implicit(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d23[2] = {2, 3}, d33[2] = {3, 3}, w32[2] = {3, 2};
    const double a[6] = {1, 2, 3, 4, 5, 6}, m[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    (void)state;
    g->opset = 12;
    int x = val(g, "a", FC_DT_F64, 2, d23, a, 0);
    FcNode *n = einsum(g, "ba", 1, &x);
    expect_dims(g, n, 2, w32);
    double *y = run(g, n);
    const double t[6] = {1, 4, 2, 5, 3, 6};
    assert_memory_equal(y, t, sizeof t);
    free(y);
    int mm = val(g, "m", FC_DT_F64, 2, d33, m, 0);
    n = einsum(g, "ii", 1, &mm);
    expect_dims(g, n, 0, NULL);
    y = run(g, n);
    assert_true(y[0] == 15.0);
    free(y);
    /* explicit empty output: total sum */
    n = einsum(g, "ij->", 1, &x);
    expect_dims(g, n, 0, NULL);
    y = run(g, n);
    assert_true(y[0] == 21.0);
    free(y);
    fc_graph_free(g);
}

/* test_einsum_batch_diagonal: "...ii->...i" on [3,5,5] gives [3,5]. */
static void test_einsum_batch_diagonal(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t dx[3] = {3, 5, 5}, want[2] = {3, 5};
    double x[75];
    (void)state;
    for (int i = 0; i < 75; i++)
        x[i] = i;
    g->opset = 12;
    int v = val(g, "x", FC_DT_F64, 3, dx, x, 0);
    FcNode *n = einsum(g, "...ii->...i", 1, &v);
    expect_dims(g, n, 2, want);
    double *y = run(g, n);
    for (int b = 0; b < 3; b++)
        for (int i = 0; i < 5; i++)
            assert_true(y[b * 5 + i] == x[b * 25 + i * 6]);
    free(y);
    fc_graph_free(g);
}

/* Ellipsis broadcasting: [2,1,2,3] and [4,3,2] with "...ij,...jk->...ik" -> [2,4,2,2]. */
static void test_einsum_ellipsis_broadcast(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t da[4] = {2, 1, 2, 3}, db[3] = {4, 3, 2}, want[4] = {2, 4, 2, 2};
    float a[12], b[24];
    (void)state;
    for (int i = 0; i < 12; i++)
        a[i] = (float)(i + 1);
    for (int i = 0; i < 24; i++)
        b[i] = (float)(i % 5) - 2.0f;
    g->opset = 12;
    int ins[2] = {val(g, "a", FC_DT_F32, 4, da, a, 0), val(g, "b", FC_DT_F32, 3, db, b, 0)};
    FcNode *n = einsum(g, "...ij,...jk->...ik", 2, ins);
    expect_dims(g, n, 4, want);
    float *y = run(g, n);
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 4; q++)
            for (int i = 0; i < 2; i++)
                for (int k = 0; k < 2; k++) {
                    float s = 0;
                    for (int j = 0; j < 3; j++)
                        s += a[p * 6 + i * 3 + j] * b[q * 6 + j * 2 + k];
                    assert_true(y[((p * 4 + q) * 2 + i) * 2 + k] == s);
                }
    free(y);
    fc_graph_free(g);
}

/* Three inputs, int64, outer product with a reduction: "i,j,ij->j". */
static void test_einsum_three_int(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d2[1] = {2}, d3[1] = {3}, d23[2] = {2, 3}, want[1] = {3};
    const int64_t a[2] = {1, 2}, b[3] = {1, -1, 2}, c[6] = {1, 2, 3, 4, 5, 6};
    (void)state;
    g->opset = 12;
    int ins[3] = {val(g, "a", FC_DT_I64, 1, d2, a, 0), val(g, "b", FC_DT_I64, 1, d3, b, 0),
                  val(g, "c", FC_DT_I64, 2, d23, c, 0)};
    FcNode *n = einsum(g, "i,j,ij->j", 3, ins);
    expect_dims(g, n, 1, want);
    int64_t *y = run(g, n);
    /* y[j] = b[j] * (a0 c[0][j] + a1 c[1][j]) */
    assert_int_equal(y[0], 1 * (1 + 2 * 4));
    assert_int_equal(y[1], -1 * (2 + 2 * 5));
    assert_int_equal(y[2], 2 * (3 + 2 * 6));
    free(y);
    fc_graph_free(g);
}

static void test_einsum_errors(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    const int64_t d23[2] = {2, 3}, d45[2] = {4, 5}, d3[1] = {3};
    (void)state;
    g->opset = 12;
    int a = val(g, "a", FC_DT_F32, 2, d23, NULL, 0);
    int b = val(g, "b", FC_DT_F32, 2, d45, NULL, 0);
    int c = val(g, "c", FC_DT_F64, 1, d3, NULL, 0);
    int ab[2] = {a, b}, ac[2] = {a, c};
    expect_err(g, einsum(g, "ij,jk->ik", 2, ab), "do not broadcast");
    expect_err(g, einsum(g, "ij,jk", 1, &a), "more terms than the 1 inputs");
    expect_err(g, einsum(g, "ij,ij", 2, ac), "different dtypes");
    expect_err(g, einsum(g, "i1", 1, &a), "unexpected character '1'");
    expect_err(g, einsum(g, "ijk", 1, &a), "3 labels for an input of rank 2");
    expect_err(g, einsum(g, "ij->k", 1, &a), "output label 'k' is not in any input");
    expect_err(g, einsum(g, "ij->ii", 1, &a), "output label 'i' appears twice");
    expect_err(g, einsum(g, "...j->j", 1, &a), "must keep the '...' axes");
    expect_err(g, einsum(g, "..j", 1, &a), "malformed ellipsis");
    expect_err(g, einsum(g, "ii", 1, &a), "label 'i' of input 0 has sizes 2 and 3");
    FcNode *n = node(g, FC_OP_EINSUM, 1, &a);
    expect_err(g, n, "missing attribute 'equation'");
    fc_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resize_scales_shape_and_params),
        cmocka_unit_test(test_resize_floor_size),
        cmocka_unit_test(test_resize_sizes_policies),
        cmocka_unit_test(test_resize_axes_order),
        cmocka_unit_test(test_resize_opset11_empty_scales),
        cmocka_unit_test(test_resize_linear_run),
        cmocka_unit_test(test_resize_antialias_taps),
        cmocka_unit_test(test_resize_tf_crop_roi),
        cmocka_unit_test(test_upsample),
        cmocka_unit_test(test_resize_opset10),
        cmocka_unit_test(test_resize_nearest_other_dtypes),
        cmocka_unit_test(test_resize_errors),
        cmocka_unit_test(test_einsum_matmul),
        cmocka_unit_test(test_einsum_implicit),
        cmocka_unit_test(test_einsum_batch_diagonal),
        cmocka_unit_test(test_einsum_ellipsis_broadcast),
        cmocka_unit_test(test_einsum_three_int),
        cmocka_unit_test(test_einsum_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
