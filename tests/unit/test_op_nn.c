/* test_op_nn.c — prepare functions of the nn group (ir/op_nn.c): output shapes per attribute
 * combination (pads, strides, dilations, auto_pad, ceil_mode, output_shape...), packed kernel
 * parameters (canonical 3-D geometry, conv mode), scratch sizes, opset-dependent forms, and
 * the errors for what fastc does not accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ir.h"

static int value(FcGraph *g, const char *name, int32_t dt, int rank, const int64_t *dims)
{
    int id = fc_value_new(g, name);
    FcValue *v = fc_val(g, id);
    v->dtype = dt;
    v->rank = rank;
    for (int i = 0; i < rank; i++)
        v->dims[i] = dims[i];
    v->kind = FC_VAL_INPUT;
    return id;
}

/* A node with inputs `in` (-1 = absent) and nout fresh outputs; outputs whose bit is set in
 * `absent_out` are left absent (-1). */
static FcNode *node_out(FcGraph *g, int op, int nin, const int *in, int nout, unsigned absent_out)
{
    FcNode *n = fc_node_new(g, op, "n0", nin, nout);
    for (int i = 0; i < nin; i++)
        n->in[i] = in[i];
    for (int i = 0; i < nout; i++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", i);
        n->out[i] = (absent_out >> i) & 1 ? -1 : fc_value_new(g, name);
    }
    return n;
}

static FcNode *node(FcGraph *g, int op, int nin, const int *in, int nout)
{
    return node_out(g, op, nin, in, nout, 0);
}

static FcAttr *new_attr(FcGraph *g, FcNode *n, const char *name, int type)
{
    FcAttr *a = fc_arena_alloc(&g->arena, sizeof(FcAttr) * (size_t)(n->nattr + 1));
    if (n->nattr)
        memcpy(a, n->attr, sizeof(FcAttr) * (size_t)n->nattr);
    n->attr = a;
    a = &n->attr[n->nattr++];
    a->name = name;
    a->type = type;
    return a;
}

static void attr_i(FcGraph *g, FcNode *n, const char *name, int64_t v)
{
    new_attr(g, n, name, FC_ATTR_INT)->i = v;
}

static void attr_f(FcGraph *g, FcNode *n, const char *name, float v)
{
    new_attr(g, n, name, FC_ATTR_FLOAT)->f = v;
}

static void attr_s(FcGraph *g, FcNode *n, const char *name, const char *v)
{
    new_attr(g, n, name, FC_ATTR_STRING)->s = v;
}

static void attr_ints(FcGraph *g, FcNode *n, const char *name, const int64_t *v, int count)
{
    FcAttr *a = new_attr(g, n, name, FC_ATTR_INTS);
    a->n = count;
    a->ints = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(count ? count : 1));
    memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
}

static int prepare(FcGraph *g, FcNode *n)
{
    return fc_ops[n->op].prepare(g, n);
}

static void check_shape(FcGraph *g, FcNode *n, int i, int32_t dt, int rank, const int64_t *dims)
{
    FcValue *v = fc_out(g, n, i);
    assert_non_null(v);
    assert_int_equal(v->dtype, dt);
    assert_int_equal(v->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(v->dims[d], dims[d]);
}

static void check_ia(const FcNode *n, int from, const int64_t *want, int count)
{
    assert_true(n->nia >= from + count);
    for (int i = 0; i < count; i++)
        if (n->ia[from + i] != want[i]) {
            print_error("ia[%d] = %lld, expected %lld\n", from + i, (long long)n->ia[from + i],
                        (long long)want[i]);
            fail();
        }
}

static void check_err(FcGraph *g, FcNode *n, const char *text)
{
    assert_int_equal(prepare(g, n), -1);
    if (!strstr(g->err, text)) {
        print_error("error '%s' does not contain '%s'\n", g->err, text);
        fail();
    }
}

static FcGraph *graph(int64_t opset)
{
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = opset;
    return g;
}

/* ---- Conv ------------------------------------------------------------------------------ */

static void test_conv_shapes_and_geometry(void **state)
{
    (void)state;
    FcGraph *g = graph(22);
    const int64_t dx[4] = {2, 4, 7, 5}, dw[4] = {6, 2, 3, 3}, db[1] = {6};
    int in[3] = {value(g, "x", FC_DT_F32, 4, dx), value(g, "w", FC_DT_F32, 4, dw),
                 value(g, "b", FC_DT_F32, 1, db)};
    FcNode *n = node(g, FC_OP_CONV, 3, in, 1);
    const int64_t pads[4] = {1, 0, 1, 0}, strides[2] = {2, 1}, dil[2] = {1, 2};
    attr_i(g, n, "group", 2);
    attr_ints(g, n, "pads", pads, 4);
    attr_ints(g, n, "strides", strides, 2);
    attr_ints(g, n, "dilations", dil, 2);
    assert_int_equal(prepare(g, n), 0);
    /* H: (7 + 2 - 3)/2 + 1 = 4; W: (5 - 5)/1 + 1 = 1 */
    const int64_t od[4] = {2, 6, 4, 1};
    check_shape(g, n, 0, FC_DT_F32, 4, od);
    /* block: the 8 output columns of both images, rounded up to 16 */
    const int64_t head[7] = {2, 4, 6, 2, 0, 16, 0};
    check_ia(n, 0, head, 7);
    /* geometry: in, out, k, s, d, pb in canonical 3-D */
    const int64_t geo[18] = {1, 7, 5, 1, 4, 1, 1, 3, 3, 1, 2, 1, 1, 1, 2, 0, 1, 0};
    check_ia(n, 7, geo, 18);
    assert_true(n->scratch_bytes >= 4 * (2 * 9 * 4));
    fc_graph_free(g);
}

static void test_conv_auto_pad(void **state)
{
    (void)state;
    FcGraph *g = graph(11);
    const int64_t dx[4] = {1, 1, 5, 6}, dw[4] = {1, 1, 3, 2};
    int in[2] = {value(g, "x", FC_DT_F32, 4, dx), value(g, "w", FC_DT_F32, 4, dw)};
    const int64_t strides[2] = {2, 2};
    /* SAME_UPPER: out = ceil(in / s) = 3, 3; total pads H: (3-1)*2 + 3 - 5 = 2 -> 1 / 1;
     * W: (3-1)*2 + 2 - 6 = 0 */
    FcNode *n = node(g, FC_OP_CONV, 2, in, 1);
    attr_s(g, n, "auto_pad", "SAME_UPPER");
    attr_ints(g, n, "strides", strides, 2);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[4] = {1, 1, 3, 3};
    check_shape(g, n, 0, FC_DT_F32, 4, od);
    const int64_t pb[3] = {0, 1, 0};
    check_ia(n, 22, pb, 3);
    /* SAME_LOWER with an odd total: 1 x 7 input, k 4, stride 1: total 3 -> 2 before */
    const int64_t dx2[3] = {1, 1, 7}, dw2[3] = {1, 1, 4};
    int in2[2] = {value(g, "x2", FC_DT_F32, 3, dx2), value(g, "w2", FC_DT_F32, 3, dw2)};
    FcNode *m = node(g, FC_OP_CONV, 2, in2, 1);
    attr_s(g, m, "auto_pad", "SAME_LOWER");
    assert_int_equal(prepare(g, m), 0);
    check_shape(g, m, 0, FC_DT_F32, 3, dx2);
    assert_int_equal(m->ia[7 + 17], 2);
    FcNode *u = node(g, FC_OP_CONV, 2, in2, 1);
    attr_s(g, u, "auto_pad", "SAME_UPPER");
    assert_int_equal(prepare(g, u), 0);
    assert_int_equal(u->ia[7 + 17], 1);
    /* VALID ignores pads: (7 - 4) + 1 = 4 */
    FcNode *v = node(g, FC_OP_CONV, 2, in2, 1);
    const int64_t pads[2] = {3, 3};
    attr_s(g, v, "auto_pad", "VALID");
    attr_ints(g, v, "pads", pads, 2);
    assert_int_equal(prepare(g, v), 0);
    const int64_t od2[3] = {1, 1, 4};
    check_shape(g, v, 0, FC_DT_F32, 3, od2);
    FcNode *bad = node(g, FC_OP_CONV, 2, in2, 1);
    attr_s(g, bad, "auto_pad", "SAME");
    check_err(g, bad, "unsupported auto_pad 'SAME'");
    fc_graph_free(g);
}

static void test_conv_modes(void **state)
{
    (void)state;
    FcGraph *g = graph(13);
    const int64_t dx[4] = {1, 8, 6, 6}, dwd[4] = {8, 1, 3, 3}, dwp[4] = {16, 8, 1, 1};
    int x = value(g, "x", FC_DT_F32, 4, dx);
    int in1[2] = {x, value(g, "wd", FC_DT_F32, 4, dwd)};
    FcNode *n = node(g, FC_OP_CONV, 2, in1, 1);
    attr_i(g, n, "group", 8);
    assert_int_equal(prepare(g, n), 0);
    assert_int_equal(n->ia[4], 5); /* depthwise, 4x4 outputs: one vector per plane */
    /* every channel's T (36 input positions x 16), then for planes with an infinity one padded
     * plane per thread: 6x6 + 16 slack -> 64 floats, the 4x6 sum rows + 16 -> 48, and 16 for
     * alignment */
    assert_int_equal(n->scratch_bytes, 4 * (16 + 8 * 36 * 16 + 64 + 48));
    const int64_t dx10[4] = {1, 8, 10, 10};
    int in10[2] = {value(g, "x10", FC_DT_F32, 4, dx10), in1[1]};
    FcNode *d = node(g, FC_OP_CONV, 2, in10, 1);
    attr_i(g, d, "group", 8);
    assert_int_equal(prepare(g, d), 0);
    assert_int_equal(d->ia[4], 2); /* depthwise, 8x8 outputs: direct */
    /* 10x10 + 16 -> 128 floats, 8x10 + 16 -> 96 */
    assert_int_equal(d->scratch_bytes, 4 * (16 + 128 + 96));
    int in2[2] = {x, value(g, "wp", FC_DT_F32, 4, dwp)};
    FcNode *p = node(g, FC_OP_CONV, 2, in2, 1);
    assert_int_equal(prepare(g, p), 0);
    assert_int_equal(p->ia[4], 1); /* 1x1: GEMM straight on X */
    const int64_t od[4] = {1, 16, 6, 6};
    check_shape(g, p, 0, FC_DT_F32, 4, od);
    FcNode *s = node(g, FC_OP_CONV, 2, in2, 1);
    const int64_t strides[2] = {2, 2};
    attr_ints(g, s, "strides", strides, 2);
    assert_int_equal(prepare(g, s), 0);
    assert_int_equal(s->ia[4], 0); /* strided 1x1 needs im2col */
    assert_true(s->scratch_bytes > 0);
    fc_graph_free(g);

    /* 3x3 unit stride, >= 8 channels each way: Winograd once there are >= 256 2x2 tiles (a
     * batch of 32 6x6 outputs: 32 * 9), im2col below that (one image), or when strided,
     * dilated or with fewer input channels */
    g = graph(13);
    const int64_t dxb[4] = {32, 8, 8, 8}, dx1[4] = {1, 8, 8, 8}, dx4[4] = {32, 4, 8, 8};
    const int64_t dw3[4] = {8, 8, 3, 3}, dw34[4] = {8, 4, 3, 3}, two[2] = {2, 2};
    int w3 = value(g, "w3", FC_DT_F32, 4, dw3);
    int wa[2] = {value(g, "xb", FC_DT_F32, 4, dxb), w3};
    FcNode *wg = node(g, FC_OP_CONV, 2, wa, 1);
    assert_int_equal(prepare(g, wg), 0);
    assert_int_equal(wg->ia[4], 3);
    assert_int_equal(wg->ia[5] % 32, 0); /* tiles per block: whole panel strips */
    /* F(4x4, 3x3) (mode 7) where it needs at most 3/4 of F(2x2)'s multiplies: 8x8 outputs
     * (4 tiles of 36 against 16 of 16 per image) with as many tiles (64 images: 256); not
     * on 6x6 (above: 4 x 36 against 9 x 16) */
    const int64_t dx8[4] = {64, 8, 10, 10};
    int w8[2] = {value(g, "x8", FC_DT_F32, 4, dx8), w3};
    FcNode *f4 = node(g, FC_OP_CONV, 2, w8, 1);
    assert_int_equal(prepare(g, f4), 0);
    assert_int_equal(f4->ia[4], 7);
    assert_int_equal(f4->ia[5] % 32, 0);
    FcNode *dil = node(g, FC_OP_CONV, 2, wa, 1);
    attr_ints(g, dil, "dilations", two, 2);
    assert_int_equal(prepare(g, dil), 0);
    assert_int_equal(dil->ia[4], 0);
    FcNode *str = node(g, FC_OP_CONV, 2, wa, 1);
    attr_ints(g, str, "strides", two, 2);
    assert_int_equal(prepare(g, str), 0);
    assert_int_equal(str->ia[4], 0);
    int wb[2] = {value(g, "x1", FC_DT_F32, 4, dx1), w3};
    FcNode *one = node(g, FC_OP_CONV, 2, wb, 1);
    assert_int_equal(prepare(g, one), 0);
    assert_int_equal(one->ia[4], 0);
    int wc[2] = {value(g, "x4", FC_DT_F32, 4, dx4), value(g, "w34", FC_DT_F32, 4, dw34)};
    FcNode *thin = node(g, FC_OP_CONV, 2, wc, 1);
    assert_int_equal(prepare(g, thin), 0);
    assert_int_equal(thin->ia[4], 0);
    fc_graph_free(g);
}

static void test_conv_errors(void **state)
{
    (void)state;
    FcGraph *g = graph(13);
    const int64_t dx[4] = {1, 4, 5, 5}, dw[4] = {2, 4, 3, 3}, dw3[4] = {2, 3, 3, 3};
    const int64_t db[1] = {3}, dx6[6] = {1, 1, 2, 2, 2, 2}, dw6[6] = {1, 1, 1, 1, 1, 1};
    int x = value(g, "x", FC_DT_F32, 4, dx), w = value(g, "w", FC_DT_F32, 4, dw);
    int in[3] = {value(g, "xd", FC_DT_F64, 4, dx), w, -1};
    check_err(g, node(g, FC_OP_CONV, 2, in, 1), "unsupported dtype f64 for input 'X'");
    in[0] = x;
    in[2] = value(g, "b", FC_DT_F32, 1, db);
    check_err(g, node(g, FC_OP_CONV, 3, in, 1), "bias B must have shape [2]");
    in[1] = value(g, "w3", FC_DT_F32, 4, dw3);
    check_err(g, node(g, FC_OP_CONV, 2, in, 1), "weight has 3 input channels per group");
    in[1] = w;
    FcNode *n = node(g, FC_OP_CONV, 2, in, 1);
    attr_i(g, n, "group", 3);
    check_err(g, n, "group 3 does not divide");
    n = node(g, FC_OP_CONV, 2, in, 1);
    const int64_t ks[2] = {3, 2};
    attr_ints(g, n, "kernel_shape", ks, 2);
    check_err(g, n, "kernel_shape 2 does not match weight dimension 3");
    n = node(g, FC_OP_CONV, 2, in, 1);
    const int64_t st[1] = {2};
    attr_ints(g, n, "strides", st, 1);
    check_err(g, n, "attribute 'strides' has 1 values, expected 2");
    n = node(g, FC_OP_CONV, 2, in, 1);
    const int64_t pads[4] = {0, 0, -1, 0};
    attr_ints(g, n, "pads", pads, 4);
    check_err(g, n, "negative pads are not supported");
    n = node(g, FC_OP_CONV, 2, in, 1);
    const int64_t dil[2] = {3, 1};
    attr_ints(g, n, "dilations", dil, 2);
    check_err(g, n, "kernel extent 7 exceeds padded input size 5");
    int in6[2] = {value(g, "x6", FC_DT_F32, 6, dx6), value(g, "w6", FC_DT_F32, 6, dw6)};
    check_err(g, node(g, FC_OP_CONV, 2, in6, 1), "4 spatial dimensions are not supported");
    fc_graph_free(g);
}

/* ---- ConvTranspose ---------------------------------------------------------------------- */

static void test_conv_transpose_shapes(void **state)
{
    (void)state;
    FcGraph *g = graph(22);
    const int64_t dx[4] = {1, 2, 3, 3}, dw[4] = {2, 3, 3, 3};
    int in[2] = {value(g, "x", FC_DT_F32, 4, dx), value(g, "w", FC_DT_F32, 4, dw)};
    /* default: (3-1)*1 + 3 = 5; group 2 -> 6 output channels */
    FcNode *n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    attr_i(g, n, "group", 2);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[4] = {1, 6, 5, 5};
    check_shape(g, n, 0, FC_DT_F32, 4, od);
    const int64_t head[4] = {1, 2, 6, 2};
    check_ia(n, 0, head, 4);
    /* strides 3,2 + output_padding 1,1 + pads: H = 2*3 + 1 + 3 - 2 = 8, W = 2*2 + 1 + 3 - 0 = 8 */
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    const int64_t st[2] = {3, 2}, op[2] = {1, 1}, pads[4] = {1, 0, 1, 0};
    attr_ints(g, n, "strides", st, 2);
    attr_ints(g, n, "output_padding", op, 2);
    attr_ints(g, n, "pads", pads, 4);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od2[4] = {1, 3, 8, 8};
    check_shape(g, n, 0, FC_DT_F32, 4, od2);
    /* output_shape [10, 8] with strides 3,2: natural 9, 7 -> totals -1, -1: pads begin 0 */
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    const int64_t os[2] = {10, 8};
    attr_ints(g, n, "strides", st, 2);
    attr_ints(g, n, "output_shape", os, 2);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od3[4] = {1, 3, 10, 8};
    check_shape(g, n, 0, FC_DT_F32, 4, od3);
    const int64_t pb3[3] = {0, 0, 0};
    check_ia(n, 6 + 15, pb3, 3);
    /* SAME_UPPER: out = in * stride = 6; total = 2*2 + 3 - 6 = 1 -> begin 0 (end 1) */
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    const int64_t st2[2] = {2, 2};
    attr_ints(g, n, "strides", st2, 2);
    attr_s(g, n, "auto_pad", "SAME_UPPER");
    assert_int_equal(prepare(g, n), 0);
    const int64_t od4[4] = {1, 3, 6, 6};
    check_shape(g, n, 0, FC_DT_F32, 4, od4);
    check_ia(n, 6 + 15, pb3, 3);
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    attr_ints(g, n, "strides", st2, 2);
    attr_s(g, n, "auto_pad", "SAME_LOWER");
    assert_int_equal(prepare(g, n), 0);
    const int64_t pb5[3] = {0, 1, 1};
    check_ia(n, 6 + 15, pb5, 3);
    /* errors */
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    attr_i(g, n, "group", 4);
    check_err(g, n, "group 4 does not divide 2 input channels");
    n = node(g, FC_OP_CONV_TRANSPOSE, 2, in, 1);
    attr_ints(g, n, "output_shape", os, 1);
    check_err(g, n, "attribute 'output_shape' has 1 values, expected 2");
    fc_graph_free(g);
}

/* ---- pools ------------------------------------------------------------------------------ */

static void test_maxpool_ceil_indices(void **state)
{
    (void)state;
    FcGraph *g = graph(22);
    const int64_t dx[4] = {1, 3, 4, 4};
    int in[1] = {value(g, "x", FC_DT_F32, 4, dx)};
    FcNode *n = node(g, FC_OP_MAX_POOL, 1, in, 2);
    const int64_t ks[2] = {3, 3}, st[2] = {2, 2};
    attr_ints(g, n, "kernel_shape", ks, 2);
    attr_ints(g, n, "strides", st, 2);
    attr_i(g, n, "ceil_mode", 1);
    attr_i(g, n, "storage_order", 1);
    assert_int_equal(prepare(g, n), 0);
    /* ceil((4 - 3)/2) + 1 = 2 */
    const int64_t od[4] = {1, 3, 2, 2};
    check_shape(g, n, 0, FC_DT_F32, 4, od);
    check_shape(g, n, 1, FC_DT_I64, 4, od);
    const int64_t head[4] = {3, 1, 1, 0};
    check_ia(n, 0, head, 4);
    /* ceil mode never starts a window in the trailing padding: in 5, k 2, s 2, pads 0/1:
     * ceil((5 + 1 - 2)/2) + 1 = 3 (window 2 starts at 4 < 5: kept); in 4, pads 1/1, k 2,
     * s 2: ceil(4/2) + 1 = 3, window 2 starts at 4 >= 4 + 1? no -> 3 */
    const int64_t dx1[3] = {1, 1, 4};
    int in1[1] = {value(g, "x1", FC_DT_F32, 3, dx1)};
    FcNode *m = node(g, FC_OP_MAX_POOL, 1, in1, 1);
    const int64_t k1[1] = {2}, s1[1] = {3}, p1[2] = {0, 1};
    attr_ints(g, m, "kernel_shape", k1, 1);
    attr_ints(g, m, "strides", s1, 1);
    attr_ints(g, m, "pads", p1, 2);
    attr_i(g, m, "ceil_mode", 1);
    assert_int_equal(prepare(g, m), 0);
    /* ceil((4 + 1 - 2)/3) + 1 = 2; second window starts at 3 < 4: kept */
    const int64_t om[3] = {1, 1, 2};
    check_shape(g, m, 0, FC_DT_F32, 3, om);
    const int64_t dx2[3] = {1, 1, 3};
    int in2[1] = {value(g, "x2", FC_DT_F32, 3, dx2)};
    FcNode *r = node(g, FC_OP_MAX_POOL, 1, in2, 1);
    const int64_t k2[1] = {1}, s2[1] = {3}, p2[2] = {0, 1};
    attr_ints(g, r, "kernel_shape", k2, 1);
    attr_ints(g, r, "strides", s2, 1);
    attr_ints(g, r, "pads", p2, 2);
    attr_i(g, r, "ceil_mode", 1);
    assert_int_equal(prepare(g, r), 0);
    /* ceil((3 + 1 - 1)/3) + 1 = 2, but window 1 would start at 3 = in + pad_begin: dropped */
    const int64_t orr[3] = {1, 1, 1};
    check_shape(g, r, 0, FC_DT_F32, 3, orr);
    fc_graph_free(g);
}

static void test_pool_dtypes_and_errors(void **state)
{
    (void)state;
    FcGraph *g = graph(19);
    const int64_t dx[4] = {1, 1, 4, 4}, ks[2] = {2, 2};
    int xu[1] = {value(g, "xu", FC_DT_U8, 4, dx)};
    FcNode *n = node(g, FC_OP_MAX_POOL, 1, xu, 1);
    attr_ints(g, n, "kernel_shape", ks, 2);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[4] = {1, 1, 3, 3};
    check_shape(g, n, 0, FC_DT_U8, 4, od);
    n = node(g, FC_OP_AVERAGE_POOL, 1, xu, 1);
    attr_ints(g, n, "kernel_shape", ks, 2);
    check_err(g, n, "unsupported dtype u8 for input 'X' (supported: f32, f64)");
    int x[1] = {value(g, "x", FC_DT_F32, 4, dx)};
    check_err(g, node(g, FC_OP_MAX_POOL, 1, x, 1), "missing attribute 'kernel_shape'");
    n = node(g, FC_OP_MAX_POOL, 1, x, 2);
    attr_ints(g, n, "kernel_shape", ks, 2);
    attr_i(g, n, "storage_order", 2);
    check_err(g, n, "unsupported storage_order 2");
    n = node(g, FC_OP_AVERAGE_POOL, 1, x, 1);
    attr_ints(g, n, "kernel_shape", ks, 2);
    attr_i(g, n, "count_include_pad", 1);
    const int64_t pads[4] = {1, 1, 1, 1}, dil[2] = {2, 2};
    attr_ints(g, n, "pads", pads, 4);
    attr_ints(g, n, "dilations", dil, 2);
    assert_int_equal(prepare(g, n), 0);
    /* (4 + 2 - 3)/1 + 1 = 4 */
    const int64_t od2[4] = {1, 1, 4, 4};
    check_shape(g, n, 0, FC_DT_F32, 4, od2);
    assert_int_equal(n->ia[1], 1);
    const int64_t pe[3] = {0, 1, 1};
    check_ia(n, 22, pe, 3);
    fc_graph_free(g);
}

static void test_lppool_p_forms(void **state)
{
    (void)state;
    FcGraph *g = graph(1);
    const int64_t dx[3] = {1, 1, 4}, ks[1] = {2};
    int x[1] = {value(g, "x", FC_DT_F32, 3, dx)};
    FcNode *n = node(g, FC_OP_LP_POOL, 1, x, 1);
    attr_ints(g, n, "kernel_shape", ks, 1);
    attr_f(g, n, "p", 3.0f); /* LpPool-1: float p */
    assert_int_equal(prepare(g, n), 0);
    assert_true(n->nfa == 1 && n->fa[0] == 3.0f);
    n = node(g, FC_OP_LP_POOL, 1, x, 1);
    attr_ints(g, n, "kernel_shape", ks, 1);
    attr_i(g, n, "p", 1);
    assert_int_equal(prepare(g, n), 0);
    assert_true(n->fa[0] == 1.0f);
    const int64_t od[3] = {1, 1, 3};
    check_shape(g, n, 0, FC_DT_F32, 3, od);
    n = node(g, FC_OP_LP_POOL, 1, x, 1);
    attr_ints(g, n, "kernel_shape", ks, 1);
    attr_i(g, n, "p", 0);
    check_err(g, n, "unsupported p 0");
    fc_graph_free(g);
}

static void test_global_pool(void **state)
{
    (void)state;
    FcGraph *g = graph(22);
    const int64_t dx[5] = {2, 3, 4, 5, 6};
    int x[1] = {value(g, "x", FC_DT_F32, 5, dx)};
    FcNode *n = node(g, FC_OP_GLOBAL_MAX_POOL, 1, x, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[5] = {2, 3, 1, 1, 1};
    check_shape(g, n, 0, FC_DT_F32, 5, od);
    const int64_t ia[3] = {1, 6, 120};
    check_ia(n, 0, ia, 3);
    int xi[1] = {value(g, "xi", FC_DT_I32, 5, dx)};
    check_err(g, node(g, FC_OP_GLOBAL_AVERAGE_POOL, 1, xi, 1), "unsupported dtype i32");
    fc_graph_free(g);
}

/* ---- normalizations ------------------------------------------------------------------------ */

static void test_batchnorm_forms(void **state)
{
    (void)state;
    FcGraph *g = graph(15);
    const int64_t dx[4] = {2, 3, 4, 5}, dc[1] = {3};
    int in[5] = {value(g, "x", FC_DT_F32, 4, dx), value(g, "s", FC_DT_F32, 1, dc),
                 value(g, "b", FC_DT_F32, 1, dc), value(g, "m", FC_DT_F32, 1, dc),
                 value(g, "v", FC_DT_F32, 1, dc)};
    FcNode *n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in, 1);
    attr_f(g, n, "epsilon", 1e-3f);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 4, dx);
    const int64_t ia[3] = {2, 3, 20};
    check_ia(n, 0, ia, 3);
    assert_true(n->fa[0] == 1e-3f);
    /* training mode: batch statistics, running mean / var outputs shaped like the inputs */
    n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in, 3);
    attr_i(g, n, "training_mode", 1);
    attr_f(g, n, "momentum", 0.5f);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 4, dx);
    check_shape(g, n, 1, FC_DT_F32, 1, dc);
    check_shape(g, n, 2, FC_DT_F32, 1, dc);
    const int64_t iat[4] = {2, 3, 20, 1};
    check_ia(n, 0, iat, 4);
    assert_true(n->fa[1] == 0.5f);
    n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in, 3);
    check_err(g, n, "output 1 is only produced in training mode");
    /* unused optional outputs are fine */
    n = node_out(g, FC_OP_BATCH_NORMALIZATION, 5, in, 3, 6u);
    assert_int_equal(prepare(g, n), 0);
    const int64_t d4[1] = {4};
    in[3] = value(g, "m4", FC_DT_F32, 1, d4);
    check_err(g, node(g, FC_OP_BATCH_NORMALIZATION, 5, in, 1),
              "input 'input_mean' must have 3 elements");
    fc_graph_free(g);

    /* opset 6: is_test, spatial = 0 (per-activation parameters [C, H, W]) */
    g = graph(6);
    const int64_t dx6[3] = {2, 3, 4}, dp[2] = {3, 4};
    int in6[5] = {value(g, "x", FC_DT_F32, 3, dx6), value(g, "s", FC_DT_F32, 2, dp),
                  value(g, "b", FC_DT_F32, 2, dp), value(g, "m", FC_DT_F32, 2, dp),
                  value(g, "v", FC_DT_F32, 2, dp)};
    n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in6, 1);
    attr_i(g, n, "is_test", 1);
    attr_i(g, n, "spatial", 0);
    assert_int_equal(prepare(g, n), 0);
    const int64_t ia6[3] = {2, 12, 1};
    check_ia(n, 0, ia6, 3);
    n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in6, 1);
    attr_i(g, n, "is_test", 0);
    attr_i(g, n, "spatial", 0);
    check_err(g, n, "is_test=0 (training) is not supported");
    fc_graph_free(g);

    /* training_mode does not exist before opset 14 */
    g = graph(13);
    int in13[5] = {value(g, "x", FC_DT_F32, 4, dx), value(g, "s", FC_DT_F32, 1, dc),
                   value(g, "b", FC_DT_F32, 1, dc), value(g, "m", FC_DT_F32, 1, dc),
                   value(g, "v", FC_DT_F32, 1, dc)};
    n = node(g, FC_OP_BATCH_NORMALIZATION, 5, in13, 1);
    attr_i(g, n, "training_mode", 1);
    check_err(g, n, "training_mode needs opset 14 or later");
    fc_graph_free(g);
}

static void test_instance_and_group_norm(void **state)
{
    (void)state;
    FcGraph *g = graph(21);
    const int64_t dx[4] = {2, 6, 3, 3}, d6[1] = {6}, d3[1] = {3}, d2[1] = {2};
    int x = value(g, "x", FC_DT_F32, 4, dx);
    int in[3] = {x, value(g, "s", FC_DT_F32, 1, d6), value(g, "b", FC_DT_F32, 1, d6)};
    FcNode *n = node(g, FC_OP_INSTANCE_NORMALIZATION, 3, in, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t ia[3] = {2, 6, 9};
    check_ia(n, 0, ia, 3);
    assert_true(n->fa[0] == 1e-5f);
    /* GroupNormalization-21: per-channel scale */
    n = node(g, FC_OP_GROUP_NORMALIZATION, 3, in, 1);
    attr_i(g, n, "num_groups", 3);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 4, dx);
    const int64_t gia[5] = {2, 6, 3, 9, 0};
    check_ia(n, 0, gia, 5);
    /* GroupNormalization-18: per-group scale */
    int ing[3] = {x, value(g, "sg", FC_DT_F32, 1, d3), value(g, "bg", FC_DT_F32, 1, d3)};
    n = node(g, FC_OP_GROUP_NORMALIZATION, 3, ing, 1);
    attr_i(g, n, "num_groups", 3);
    assert_int_equal(prepare(g, n), 0);
    assert_int_equal(n->ia[4], 1);
    n = node(g, FC_OP_GROUP_NORMALIZATION, 3, in, 1);
    attr_i(g, n, "num_groups", 4);
    check_err(g, n, "num_groups 4 does not divide 6 channels");
    check_err(g, node(g, FC_OP_GROUP_NORMALIZATION, 3, in, 1), "missing attribute 'num_groups'");
    int bad[3] = {x, value(g, "s2", FC_DT_F32, 1, d2), value(g, "b2", FC_DT_F32, 1, d2)};
    n = node(g, FC_OP_GROUP_NORMALIZATION, 3, bad, 1);
    attr_i(g, n, "num_groups", 3);
    check_err(g, n, "input 'scale' must have 6 elements");
    fc_graph_free(g);
}

static void test_layernorm(void **state)
{
    (void)state;
    FcGraph *g = graph(17);
    const int64_t dx[3] = {2, 3, 4}, ds[2] = {3, 4}, d1[1] = {4}, dbad[1] = {3};
    int x = value(g, "x", FC_DT_F32, 3, dx);
    int in[3] = {x, value(g, "s", FC_DT_F32, 2, ds), value(g, "b", FC_DT_F32, 1, d1)};
    FcNode *n = node(g, FC_OP_LAYER_NORMALIZATION, 3, in, 3);
    attr_i(g, n, "axis", -2);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 3, dx);
    const int64_t dm[3] = {2, 1, 1};
    check_shape(g, n, 1, FC_DT_F32, 3, dm);
    check_shape(g, n, 2, FC_DT_F32, 3, dm);
    /* outer 2, inner 12, r 2, Scale full, B broadcast over axis 1: strides [0, 1] */
    const int64_t ia[11] = {2, 12, 2, 1, 0, 3, 4, 4, 1, 0, 1};
    check_ia(n, 0, ia, 11);
    n = node(g, FC_OP_LAYER_NORMALIZATION, 3, in, 1);
    attr_i(g, n, "stash_type", 11);
    check_err(g, n, "unsupported stash_type 11");
    in[1] = value(g, "sb", FC_DT_F32, 1, dbad);
    n = node(g, FC_OP_LAYER_NORMALIZATION, 2, in, 1);
    check_err(g, n, "input 'Scale' does not broadcast to the normalized shape");
    n = node(g, FC_OP_LAYER_NORMALIZATION, 2, in, 1);
    attr_i(g, n, "axis", 3);
    check_err(g, n, "axis 3 out of range for rank 3");
    fc_graph_free(g);
}

static void test_lrn_mvn_lpnorm(void **state)
{
    (void)state;
    FcGraph *g = graph(13);
    const int64_t dx[4] = {2, 5, 3, 3};
    int x[1] = {value(g, "x", FC_DT_F32, 4, dx)};
    FcNode *n = node(g, FC_OP_LRN, 1, x, 1);
    attr_i(g, n, "size", 3);
    assert_int_equal(prepare(g, n), 0);
    const int64_t ia[4] = {2, 5, 9, 3};
    check_ia(n, 0, ia, 4);
    assert_true(n->nfa == 3 && n->fa[0] == 1e-4f && n->fa[1] == 0.75f && n->fa[2] == 1.0f);
    assert_int_equal(n->scratch_bytes, 4 * 9);
    check_err(g, node(g, FC_OP_LRN, 1, x, 1), "missing attribute 'size'");

    n = node(g, FC_OP_MEAN_VARIANCE_NORMALIZATION, 1, x, 1);
    assert_int_equal(prepare(g, n), 0); /* default axes 0, 2, 3: one kept position per channel */
    const int64_t mia[9] = {4, 2, 5, 3, 3, 1, 0, 1, 1};
    check_ia(n, 0, mia, 9);
    assert_int_equal(n->scratch_bytes, 2 * 8 * 5);
    n = node(g, FC_OP_MEAN_VARIANCE_NORMALIZATION, 1, x, 1);
    const int64_t ax[2] = {1, -3};
    attr_ints(g, n, "axes", ax, 2);
    check_err(g, n, "axis -3 repeated in 'axes'");

    n = node(g, FC_OP_LP_NORMALIZATION, 1, x, 1);
    attr_i(g, n, "axis", 1);
    attr_i(g, n, "p", 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t lia[4] = {2, 5, 9, 1};
    check_ia(n, 0, lia, 4);
    n = node(g, FC_OP_LP_NORMALIZATION, 1, x, 1);
    attr_i(g, n, "p", 3);
    check_err(g, n, "unsupported p 3 (only 1 or 2)");
    fc_graph_free(g);
}

/* ---- Gemm / MatMul --------------------------------------------------------------------------- */

static void test_gemm(void **state)
{
    (void)state;
    FcGraph *g = graph(13);
    const int64_t da[2] = {4, 3}, db[2] = {5, 4}, dc1[1] = {5}, dcc[2] = {3, 1}, dbad[1] = {3};
    int a = value(g, "a", FC_DT_F32, 2, da), b = value(g, "b", FC_DT_F32, 2, db);
    int in[3] = {a, b, value(g, "c", FC_DT_F32, 1, dc1)};
    FcNode *n = node(g, FC_OP_GEMM, 3, in, 1);
    attr_i(g, n, "transA", 1);
    attr_i(g, n, "transB", 1);
    attr_f(g, n, "alpha", 0.5f);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[2] = {3, 5};
    check_shape(g, n, 0, FC_DT_F32, 2, od);
    const int64_t ia[6] = {3, 5, 4, 1, 1, 2};
    check_ia(n, 0, ia, 6);
    assert_true(n->fa[0] == 0.5f && n->fa[1] == 1.0f);
    assert_true(n->scratch_bytes > 0);
    in[2] = value(g, "cc", FC_DT_F32, 2, dcc);
    n = node(g, FC_OP_GEMM, 3, in, 1);
    attr_i(g, n, "transA", 1);
    attr_i(g, n, "transB", 1);
    assert_int_equal(prepare(g, n), 0);
    assert_int_equal(n->ia[5], 3);
    in[2] = value(g, "cbad", FC_DT_F32, 1, dbad);
    n = node(g, FC_OP_GEMM, 3, in, 1);
    attr_i(g, n, "transA", 1);
    attr_i(g, n, "transB", 1);
    check_err(g, n, "C does not broadcast to [3, 5]");
    check_err(g, node(g, FC_OP_GEMM, 2, in, 1), "inner dimensions differ (3 vs 5)");
    int ii[2] = {value(g, "ai", FC_DT_I32, 2, da), b};
    check_err(g, node(g, FC_OP_GEMM, 2, ii, 1), "unsupported dtype i32 for input 'A'");
    /* f64 is accepted and needs no scratch */
    const int64_t db2[2] = {3, 2};
    int id[2] = {value(g, "ad", FC_DT_F64, 2, da), value(g, "bd", FC_DT_F64, 2, db2)};
    n = node(g, FC_OP_GEMM, 2, id, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od2[2] = {4, 2};
    check_shape(g, n, 0, FC_DT_F64, 2, od2);
    assert_int_equal(n->ia[5], 0);
    assert_int_equal(n->scratch_bytes, 0);
    fc_graph_free(g);
}

static void test_matmul_shapes(void **state)
{
    (void)state;
    FcGraph *g = graph(13);
    const int64_t v3[1] = {3}, m34[2] = {3, 4}, b234[3] = {2, 3, 4}, a2153[4] = {2, 1, 5, 3};
    const int64_t b634[3] = {6, 3, 4}, a53[2] = {5, 3};
    int v = value(g, "v", FC_DT_F32, 1, v3);
    /* 1-D x 1-D: a scalar */
    int in[2] = {v, v};
    FcNode *n = node(g, FC_OP_MAT_MUL, 2, in, 1);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 0, v3);
    const int64_t ia0[4] = {1, 1, 3, 0};
    check_ia(n, 0, ia0, 4);
    /* 1-D x 3-D: [2, 4] */
    in[1] = value(g, "b", FC_DT_F32, 3, b234);
    n = node(g, FC_OP_MAT_MUL, 2, in, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od1[2] = {2, 4};
    check_shape(g, n, 0, FC_DT_F32, 2, od1);
    const int64_t ia1[7] = {1, 4, 3, 1, 2, 0, 1};
    check_ia(n, 0, ia1, 7);
    /* [2,1,5,3] x [6,3,4] -> [2,6,5,4] with both operands broadcast */
    int in2[2] = {value(g, "a", FC_DT_F32, 4, a2153), value(g, "b6", FC_DT_F32, 3, b634)};
    n = node(g, FC_OP_MAT_MUL, 2, in2, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od2[4] = {2, 6, 5, 4};
    check_shape(g, n, 0, FC_DT_F32, 4, od2);
    const int64_t ia2[10] = {5, 4, 3, 2, 2, 6, 1, 0, 0, 1};
    check_ia(n, 0, ia2, 10);
    /* [2,1,5,3] x [3,4]: B shared, A contiguous -> one GEMM with M = 10 */
    int in3[2] = {in2[0], value(g, "m", FC_DT_F32, 2, m34)};
    n = node(g, FC_OP_MAT_MUL, 2, in3, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od3[4] = {2, 1, 5, 4};
    check_shape(g, n, 0, FC_DT_F32, 4, od3);
    const int64_t ia3[4] = {10, 4, 3, 0};
    check_ia(n, 0, ia3, 4);
    assert_true(n->scratch_bytes > 0);
    /* errors */
    int bad[2] = {value(g, "a53", FC_DT_F32, 2, a53), value(g, "a53b", FC_DT_F32, 2, a53)};
    check_err(g, node(g, FC_OP_MAT_MUL, 2, bad, 1), "inner dimensions differ (3 vs 5)");
    const int64_t b2[3] = {4, 3, 4}, a3[3] = {3, 5, 3};
    int bb[2] = {value(g, "a3", FC_DT_F32, 3, a3), value(g, "b2", FC_DT_F32, 3, b2)};
    check_err(g, node(g, FC_OP_MAT_MUL, 2, bb, 1), "batch dimensions do not broadcast");
    int mixed[2] = {value(g, "ad", FC_DT_F64, 1, v3), v};
    check_err(g, node(g, FC_OP_MAT_MUL, 2, mixed, 1),
              "input 'B' has dtype f32 but input 0 has f64");
    fc_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_shapes_and_geometry),
        cmocka_unit_test(test_conv_auto_pad),
        cmocka_unit_test(test_conv_modes),
        cmocka_unit_test(test_conv_errors),
        cmocka_unit_test(test_conv_transpose_shapes),
        cmocka_unit_test(test_maxpool_ceil_indices),
        cmocka_unit_test(test_pool_dtypes_and_errors),
        cmocka_unit_test(test_lppool_p_forms),
        cmocka_unit_test(test_global_pool),
        cmocka_unit_test(test_batchnorm_forms),
        cmocka_unit_test(test_instance_and_group_norm),
        cmocka_unit_test(test_layernorm),
        cmocka_unit_test(test_lrn_mvn_lpnorm),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_matmul_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
