/* test_op_shape.c — prepare functions of the shape group (ir/op_shape.c): output shapes,
 * packed parameters, opset-dependent attributes/inputs and error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ir.h"

/* ---- graph-building helpers ---------------------------------------------------------- */

static FcGraph *G;

static int setup(void **state)
{
    (void)state;
    G = fc_graph_new("t.onnx");
    G->opset = 18;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fc_graph_free(G);
    G = NULL;
    return 0;
}

/* A runtime value of the given dtype and shape (dims terminated by -1). */
static int val(int32_t dt, int rank, ...)
{
    va_list ap;
    int id = fc_value_new(G, "v"), i;
    FcValue *v = fc_val(G, id);
    v->kind = FC_VAL_INPUT;
    v->dtype = dt;
    v->rank = rank;
    va_start(ap, rank);
    for (i = 0; i < rank; i++)
        v->dims[i] = va_arg(ap, int64_t);
    va_end(ap);
    return id;
}

/* A constant 1-D int64 tensor (rank 0 when scalar != 0). */
static int cints(int scalar, int count, const int64_t *data)
{
    int id = fc_value_new(G, "c");
    FcValue *v = fc_val(G, id);
    v->kind = FC_VAL_CONST;
    v->dtype = FC_DT_I64;
    v->rank = scalar ? 0 : 1;
    v->dims[0] = count;
    v->data = fc_arena_alloc(&G->arena, sizeof(int64_t) * (size_t)(count ? count : 1));
    if (count)
        memcpy(v->data, data, sizeof(int64_t) * (size_t)count);
    return id;
}

static int cscalar_f32(float f)
{
    int id = fc_value_new(G, "f");
    FcValue *v = fc_val(G, id);
    v->kind = FC_VAL_CONST;
    v->dtype = FC_DT_F32;
    v->rank = 0;
    v->data = fc_arena_alloc(&G->arena, 4);
    memcpy(v->data, &f, 4);
    return id;
}

static int cscalar_bool(int b)
{
    int id = fc_value_new(G, "b");
    FcValue *v = fc_val(G, id);
    v->kind = FC_VAL_CONST;
    v->dtype = FC_DT_BOOL;
    v->rank = 0;
    v->data = fc_arena_alloc(&G->arena, 1);
    *(uint8_t *)v->data = (uint8_t)b;
    return id;
}

/* A node with inputs ins[0..nin) (-1 = absent) and fresh outputs. */
static FcNode *node(int op, int nin, const int *ins, int nout)
{
    FcNode *n = fc_node_new(G, op, "n", nin, nout);
    int i;
    for (i = 0; i < nin; i++)
        n->in[i] = ins[i];
    for (i = 0; i < nout; i++)
        n->out[i] = fc_value_new(G, "o");
    n->attr = fc_arena_alloc(&G->arena, sizeof(FcAttr) * 8);
    return n;
}

static FcAttr *add_attr(FcNode *n, const char *name, int type)
{
    FcAttr *a = &n->attr[n->nattr++];
    a->name = name;
    a->type = type;
    a->tensor = -1;
    return a;
}

static void attr_i(FcNode *n, const char *name, int64_t v)
{
    add_attr(n, name, FC_ATTR_INT)->i = v;
}

static void attr_s(FcNode *n, const char *name, const char *s)
{
    add_attr(n, name, FC_ATTR_STRING)->s = s;
}

static void attr_ints(FcNode *n, const char *name, int cnt, const int64_t *v)
{
    FcAttr *a = add_attr(n, name, FC_ATTR_INTS);
    a->n = cnt;
    a->ints = fc_arena_alloc(&G->arena, sizeof(int64_t) * (size_t)(cnt ? cnt : 1));
    if (cnt)
        memcpy(a->ints, v, sizeof(int64_t) * (size_t)cnt);
}

static int prep(FcNode *n)
{
    G->err[0] = 0;
    return fc_ops[n->op].prepare(G, n);
}

static void expect_shape(FcNode *n, int out, int rank, ...)
{
    FcValue *v = fc_out(G, n, out);
    va_list ap;
    int i;
    if (v->rank != rank)
        print_error("rank %d, want %d\n", v->rank, rank);
    assert_int_equal(v->rank, rank);
    va_start(ap, rank);
    for (i = 0; i < rank; i++) {
        int64_t d = va_arg(ap, int64_t);
        if (v->dims[i] != d)
            print_error("dim %d: %lld, want %lld\n", i, (long long)v->dims[i], (long long)d);
        assert_int_equal(v->dims[i], d);
    }
    va_end(ap);
}

static void expect_err(FcNode *n, const char *text)
{
    assert_int_equal(prep(n), -1);
    if (!strstr(G->err, text))
        print_error("error '%s' lacks '%s'\n", G->err, text);
    assert_non_null(strstr(G->err, text));
}

#define D(x) ((int64_t)(x))

/* ---- Reshape / Flatten / Squeeze / Unsqueeze ---------------------------------------------- */

static void test_reshape(void **state)
{
    const int64_t s1[2] = {0, -1}, s2[3] = {4, -1, 2}, bad[2] = {-1, -1}, s3[2] = {5, -1};
    int in[2];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 3, D(2), D(3), D(4));
    in[1] = cints(0, 2, s1);
    n = node(FC_OP_RESHAPE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(12));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_F32);
    in[1] = cints(0, 3, s2);
    n = node(FC_OP_RESHAPE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(3), D(2));
    in[1] = cints(0, 2, bad);
    expect_err(node(FC_OP_RESHAPE, 2, in, 1), "more than one -1");
    in[1] = cints(0, 2, s3);
    expect_err(node(FC_OP_RESHAPE, 2, in, 1), "not a multiple of 5");
    /* allowzero: 0 is a real zero, incompatible with -1 */
    in[1] = cints(0, 2, s1);
    n = node(FC_OP_RESHAPE, 2, in, 1);
    attr_i(n, "allowzero", 1);
    expect_err(n, "both -1 and 0");
    /* the shape must be constant */
    in[1] = val(FC_DT_I64, 1, D(2));
    expect_err(node(FC_OP_RESHAPE, 2, in, 1), "input 'shape' must be a compile-time constant");
    /* opset 4: attribute */
    G->opset = 4;
    n = node(FC_OP_RESHAPE, 1, in, 1);
    attr_ints(n, "shape", 3, s2);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(3), D(2));
    expect_err(node(FC_OP_RESHAPE, 1, in, 1), "attribute 'shape' is required");
}

static void test_flatten(void **state)
{
    int in[1];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_I8, 3, D(2), D(3), D(4));
    n = node(FC_OP_FLATTEN, 1, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(12));
    n = node(FC_OP_FLATTEN, 1, in, 1);
    attr_i(n, "axis", -1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(6), D(4));
    n = node(FC_OP_FLATTEN, 1, in, 1);
    attr_i(n, "axis", 0);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(1), D(24));
    n = node(FC_OP_FLATTEN, 1, in, 1);
    attr_i(n, "axis", 3);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(24), D(1));
    n = node(FC_OP_FLATTEN, 1, in, 1);
    attr_i(n, "axis", 4);
    expect_err(n, "axis 4 out of range");
}

static void test_squeeze_unsqueeze(void **state)
{
    const int64_t ax[1] = {-2}, ax3[1] = {2}, uax[2] = {0, -1}, dup[2] = {1, 1};
    int in[2];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 3, D(2), D(1), D(3));
    in[1] = cints(0, 1, ax);
    n = node(FC_OP_SQUEEZE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(3));
    in[1] = cints(0, 1, ax3);
    expect_err(node(FC_OP_SQUEEZE, 2, in, 1), "cannot squeeze axis 2 of size 3");
    /* no axes: every 1 goes */
    in[0] = val(FC_DT_F32, 4, D(1), D(3), D(1), D(1));
    n = node(FC_OP_SQUEEZE, 1, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(3));
    /* Unsqueeze at opset 13: axes input, normalized against the output rank */
    in[0] = val(FC_DT_F32, 2, D(2), D(3));
    in[1] = cints(0, 2, uax);
    n = node(FC_OP_UNSQUEEZE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 4, D(1), D(2), D(3), D(1));
    in[1] = cints(0, 2, dup);
    expect_err(node(FC_OP_UNSQUEEZE, 2, in, 1), "repeated");
    expect_err(node(FC_OP_UNSQUEEZE, 1, in, 1), "input 'axes' is required");
    /* opset 11: attribute */
    G->opset = 11;
    n = node(FC_OP_UNSQUEEZE, 1, in, 1);
    attr_ints(n, "axes", 2, uax);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 4, D(1), D(2), D(3), D(1));
    in[1] = cints(0, 2, uax);
    expect_err(node(FC_OP_UNSQUEEZE, 2, in, 1), "not valid before opset 13");
}

/* ---- Transpose / Concat / Split --------------------------------------------------------- */

static void test_transpose(void **state)
{
    const int64_t perm[3] = {2, 0, 1}, bad[3] = {0, 0, 1};
    int in[1];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 3, D(2), D(3), D(4));
    n = node(FC_OP_TRANSPOSE, 1, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(3), D(2));
    assert_int_equal(n->nia, 3);
    assert_int_equal(n->ia[0], 2);
    assert_int_equal(n->ia[2], 0);
    n = node(FC_OP_TRANSPOSE, 1, in, 1);
    attr_ints(n, "perm", 3, perm);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(2), D(3));
    n = node(FC_OP_TRANSPOSE, 1, in, 1);
    attr_ints(n, "perm", 3, bad);
    expect_err(n, "not a permutation");
}

static void test_concat(void **state)
{
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(2), D(3));
    in[1] = val(FC_DT_F32, 2, D(2), D(5));
    in[2] = val(FC_DT_F32, 2, D(2), D(0));
    n = node(FC_OP_CONCAT, 3, in, 1);
    attr_i(n, "axis", -1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(8));
    assert_int_equal(n->ia[0], 1);
    n = node(FC_OP_CONCAT, 3, in, 1);
    attr_i(n, "axis", 0);
    expect_err(n, "input 1 has dimension 5 on axis 1");
    expect_err(node(FC_OP_CONCAT, 3, in, 1), "attribute 'axis' is required");
    in[1] = val(FC_DT_I64, 2, D(2), D(5));
    n = node(FC_OP_CONCAT, 2, in, 1);
    attr_i(n, "axis", 1);
    expect_err(n, "input 1 has dtype i64");
}

static void test_split(void **state)
{
    const int64_t sizes[2] = {3, 5}, badsz[2] = {3, 4};
    int in[2];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(2), D(8));
    /* opset 18 num_outputs, uneven: 3, 3, 2 */
    n = node(FC_OP_SPLIT, 1, in, 3);
    attr_i(n, "axis", 1);
    attr_i(n, "num_outputs", 3);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(3));
    expect_shape(n, 1, 2, D(2), D(3));
    expect_shape(n, 2, 2, D(2), D(2));
    assert_int_equal(n->ia[0], 1);
    assert_int_equal(n->ia[1], 3);
    assert_int_equal(n->ia[4], 2);
    /* sizes input */
    in[1] = cints(0, 2, sizes);
    n = node(FC_OP_SPLIT, 2, in, 2);
    attr_i(n, "axis", -1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 1, 2, D(2), D(5));
    in[1] = cints(0, 2, badsz);
    n = node(FC_OP_SPLIT, 2, in, 2);
    attr_i(n, "axis", 1);
    expect_err(n, "add up to 7");
    /* equal split that does not divide */
    n = node(FC_OP_SPLIT, 1, in, 3);
    attr_i(n, "axis", 1);
    expect_err(n, "does not split evenly");
    /* opset 11: attribute */
    G->opset = 11;
    n = node(FC_OP_SPLIT, 1, in, 2);
    attr_i(n, "axis", 1);
    attr_ints(n, "split", 2, sizes);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(3));
}

/* ---- Slice --------------------------------------------------------------------------------- */

static void test_slice(void **state)
{
    const int64_t st[1] = {1}, en[1] = {INT64_MAX}, ax[1] = {1}, sp[1] = {2};
    const int64_t rst[1] = {-1}, ren[1] = {INT64_MIN}, rsp[1] = {-1}, zero[1] = {0};
    const int64_t st2[2] = {0, -3}, en2[2] = {2, -1};
    int in[5];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(10));
    in[1] = cints(0, 1, st);
    in[2] = cints(0, 1, en);
    in[3] = cints(0, 1, ax);
    in[4] = cints(0, 1, sp);
    n = node(FC_OP_SLICE, 5, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(5));
    /* ia = [rank, start0, start1, step0, step1] */
    assert_int_equal(n->nia, 5);
    assert_int_equal(n->ia[2], 1);
    assert_int_equal(n->ia[4], 2);
    /* full reverse of axis 1 */
    in[1] = cints(0, 1, rst);
    in[2] = cints(0, 1, ren);
    in[4] = cints(0, 1, rsp);
    n = node(FC_OP_SLICE, 5, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(10));
    assert_int_equal(n->ia[2], 9);
    assert_int_equal(n->ia[4], -1);
    /* default axes and steps, negative ends */
    in[1] = cints(0, 2, st2);
    in[2] = cints(0, 2, en2);
    n = node(FC_OP_SLICE, 3, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(2));
    assert_int_equal(n->ia[2], 7);
    /* negative step on an empty axis */
    {
        int e[5];
        e[0] = val(FC_DT_F32, 2, D(3), D(0));
        e[1] = cints(0, 1, rst);
        e[2] = cints(0, 1, ren);
        e[3] = cints(0, 1, ax);
        e[4] = cints(0, 1, rsp);
        n = node(FC_OP_SLICE, 5, e, 1);
        assert_int_equal(prep(n), 0);
        expect_shape(n, 0, 2, D(3), D(0));
    }
    /* step 0 */
    in[1] = cints(0, 1, st);
    in[2] = cints(0, 1, en);
    in[4] = cints(0, 1, zero);
    expect_err(node(FC_OP_SLICE, 5, in, 1), "step must not be 0");
    /* non-constant starts */
    in[1] = val(FC_DT_I64, 1, D(1));
    expect_err(node(FC_OP_SLICE, 3, in, 1), "input 'starts' must be a compile-time constant");
    /* opset 9: attributes */
    G->opset = 9;
    n = node(FC_OP_SLICE, 1, in, 1);
    attr_ints(n, "starts", 1, st);
    attr_ints(n, "ends", 1, en);
    attr_ints(n, "axes", 1, ax);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(9));
}

/* ---- Gather family, Scatter family ------------------------------------------------------ */

static void test_gather(void **state)
{
    int in[2];
    const int64_t bad[2] = {0, 5};
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 3, D(5), D(4), D(3));
    in[1] = val(FC_DT_I32, 2, D(2), D(6));
    n = node(FC_OP_GATHER, 2, in, 1);
    attr_i(n, "axis", -2);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 4, D(5), D(2), D(6), D(3));
    assert_int_equal(n->ia[0], 1);
    in[1] = cints(0, 2, bad);
    expect_err(node(FC_OP_GATHER, 2, in, 1), "index 5 is out of range for an axis of size 5");
    in[1] = val(FC_DT_F32, 1, D(2));
    expect_err(node(FC_OP_GATHER, 2, in, 1), "must be an integer tensor");
}

static void test_gather_nd(void **state)
{
    int in[2];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 4, D(2), D(3), D(4), D(5));
    in[1] = val(FC_DT_I64, 3, D(2), D(7), D(2));
    n = node(FC_OP_GATHER_ND, 2, in, 1);
    attr_i(n, "batch_dims", 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(2), D(7), D(5));
    in[1] = val(FC_DT_I64, 3, D(3), D(7), D(2));
    n = node(FC_OP_GATHER_ND, 2, in, 1);
    attr_i(n, "batch_dims", 1);
    expect_err(n, "batch dimension 0 differs");
}

static void test_scatter(void **state)
{
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(3));
    in[1] = val(FC_DT_I64, 2, D(2), D(3));
    in[2] = val(FC_DT_F32, 2, D(2), D(3));
    n = node(FC_OP_SCATTER_ELEMENTS, 3, in, 1);
    attr_s(n, "reduction", "max");
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(3));
    assert_int_equal(n->ia[0], 0);
    assert_int_equal(n->ia[1], 3);
    n = node(FC_OP_SCATTER_ELEMENTS, 3, in, 1);
    attr_s(n, "reduction", "foo");
    expect_err(n, "unsupported reduction 'foo'");
    /* ScatterND: data [4,5,6], indices [2,3,2] -> updates [2,3,6] */
    in[0] = val(FC_DT_I32, 3, D(4), D(5), D(6));
    in[1] = val(FC_DT_I64, 3, D(2), D(3), D(2));
    in[2] = val(FC_DT_I32, 3, D(2), D(3), D(6));
    n = node(FC_OP_SCATTER_ND, 3, in, 1);
    attr_s(n, "reduction", "mul");
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(5), D(6));
    assert_int_equal(n->ia[0], 2);
    in[2] = val(FC_DT_I32, 3, D(2), D(3), D(5));
    expect_err(node(FC_OP_SCATTER_ND, 3, in, 1), "updates dimension 2 (5) differs");
}

/* ---- Expand / Tile / Pad ------------------------------------------------------------------- */

static void test_expand_tile(void **state)
{
    const int64_t shp[3] = {2, 1, 6}, rep[2] = {2, 3}, bad[2] = {4, 5};
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(1));
    in[1] = cints(0, 3, shp);
    n = node(FC_OP_EXPAND, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(2), D(3), D(6));
    in[1] = cints(0, 2, bad);
    expect_err(node(FC_OP_EXPAND, 2, in, 1), "do not broadcast");
    in[1] = cints(0, 2, rep);
    n = node(FC_OP_TILE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(6), D(3));
    /* Tile-1: tiles and axis scalars */
    G->opset = 5;
    {
        const int64_t three = 3, one = 1;
        in[1] = cints(1, 1, &three);
        in[2] = cints(1, 1, &one);
        n = node(FC_OP_TILE, 3, in, 1);
        assert_int_equal(prep(n), 0);
        expect_shape(n, 0, 2, D(3), D(3));
    }
}

static void test_pad(void **state)
{
    const int64_t pads[4] = {1, 2, 0, -1}, axpads[2] = {2, 3}, axes[1] = {-1};
    int in[4];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(4));
    in[1] = cints(0, 4, pads);
    n = node(FC_OP_PAD, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(4), D(5));
    /* ia = [mode, value slot, bits, (before, crop, dsub) per axis] */
    assert_int_equal(n->nia, 9);
    assert_int_equal(n->ia[0], 0);
    assert_int_equal(n->ia[1], -1);
    assert_int_equal(n->ia[3], 1);
    assert_int_equal(n->ia[6], 2);
    assert_int_equal(n->ia[7], 0);
    assert_int_equal(n->ia[8], 3);
    /* opset 18 axes */
    in[1] = cints(0, 2, axpads);
    in[2] = -1;
    in[3] = cints(0, 1, axes);
    n = node(FC_OP_PAD, 4, in, 1);
    attr_s(n, "mode", "reflect");
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(9));
    assert_int_equal(n->ia[0], 1);
    n = node(FC_OP_PAD, 4, in, 1);
    attr_s(n, "mode", "foo");
    expect_err(n, "unsupported mode 'foo'");
    /* constant_value input of another dtype */
    in[1] = cints(0, 4, pads);
    in[2] = cscalar_bool(1);
    expect_err(node(FC_OP_PAD, 3, in, 1), "constant_value has dtype bool");
    in[2] = cscalar_f32(2.5f);
    n = node(FC_OP_PAD, 3, in, 1);
    assert_int_equal(prep(n), 0);
    assert_int_equal(n->ia[1], 2);
    /* opset 2: attributes pads / value */
    G->opset = 2;
    n = node(FC_OP_PAD, 1, in, 1);
    attr_ints(n, "pads", 4, pads);
    {
        FcAttr *a = add_attr(n, "value", FC_ATTR_FLOAT);
        float f = 1.5f;
        int64_t bits = 0;
        a->f = f;
        memcpy(&bits, &f, 4);
        assert_int_equal(prep(n), 0);
        assert_int_equal(n->ia[2], bits);
    }
    expect_shape(n, 0, 2, D(4), D(5));
    expect_err(node(FC_OP_PAD, 1, in, 1), "attribute 'pads' is required");
}

/* ---- Shape / Size / ConstantOfShape / Range / EyeLike ------------------------------------- */

static void test_shape_size(void **state)
{
    int in[1];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 3, D(2), D(3), D(4));
    n = node(FC_OP_SHAPE, 1, in, 1);
    attr_i(n, "start", -1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(1));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I64);
    assert_int_equal(n->ia[0], 2);
    n = node(FC_OP_SHAPE, 1, in, 1);
    attr_i(n, "start", 2);
    attr_i(n, "end", 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(0));
    n = node(FC_OP_SIZE, 1, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 0);
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I64);
}

static void test_constant_of_shape(void **state)
{
    const int64_t shp[2] = {2, 3}, neg[1] = {-1};
    int in[1], tv;
    FcNode *n;
    FcAttr *a;
    (void)state;
    in[0] = cints(0, 2, shp);
    n = node(FC_OP_CONSTANT_OF_SHAPE, 1, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(3));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_F32);
    assert_int_equal(n->ia[0], 0);
    /* value tensor int32 7 */
    tv = fc_value_new(G, "value");
    fc_val(G, tv)->kind = FC_VAL_CONST;
    fc_val(G, tv)->dtype = FC_DT_I32;
    fc_val(G, tv)->rank = 1;
    fc_val(G, tv)->dims[0] = 1;
    fc_val(G, tv)->data = fc_arena_alloc(&G->arena, 4);
    *(int32_t *)fc_val(G, tv)->data = 7;
    n = node(FC_OP_CONSTANT_OF_SHAPE, 1, in, 1);
    a = add_attr(n, "value", FC_ATTR_TENSOR);
    a->tensor = tv;
    assert_int_equal(prep(n), 0);
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I32);
    assert_int_equal(n->ia[0], 7);
    in[0] = cints(0, 1, neg);
    expect_err(node(FC_OP_CONSTANT_OF_SHAPE, 1, in, 1), "negative");
}

static void test_range(void **state)
{
    const int64_t s = 10, l = 4, d = -3, z = 0;
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = cscalar_f32(1.0f);
    in[1] = cscalar_f32(5.5f);
    in[2] = cscalar_f32(2.0f);
    n = node(FC_OP_RANGE, 3, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(3));
    in[0] = cints(1, 1, &s);
    in[1] = cints(1, 1, &l);
    in[2] = cints(1, 1, &d);
    n = node(FC_OP_RANGE, 3, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(2));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I64);
    in[2] = cints(1, 1, &z);
    expect_err(node(FC_OP_RANGE, 3, in, 1), "delta must not be 0");
    in[1] = val(FC_DT_I64, 0);
    expect_err(node(FC_OP_RANGE, 3, in, 1), "input 'limit' must be a compile-time constant");
}

static void test_eye_like(void **state)
{
    int in[1];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(4));
    n = node(FC_OP_EYE_LIKE, 1, in, 1);
    attr_i(n, "dtype", FC_DT_I32);
    attr_i(n, "k", -1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(3), D(4));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I32);
    assert_int_equal(n->ia[0], -1);
    assert_int_equal(n->ia[1], 1);
    n = node(FC_OP_EYE_LIKE, 1, in, 1);
    assert_int_equal(prep(n), 0);
    assert_int_equal(n->ia[1], 0x3f800000); /* 1.0f */
    in[0] = val(FC_DT_F32, 1, D(3));
    expect_err(node(FC_OP_EYE_LIKE, 1, in, 1), "must be 2-D");
}

/* ---- Dropout ------------------------------------------------------------------------------- */

static void test_dropout(void **state)
{
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(2), D(3));
    n = node(FC_OP_DROPOUT, 1, in, 2);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 1, 2, D(2), D(3));
    assert_int_equal(fc_out(G, n, 1)->dtype, FC_DT_BOOL);
    assert_int_equal(n->ia[0], 1);
    /* training_mode = true with the default ratio */
    in[1] = -1;
    in[2] = cscalar_bool(1);
    expect_err(node(FC_OP_DROPOUT, 3, in, 1), "training_mode=1 is not supported");
    /* training with ratio 0 is the identity */
    in[1] = cscalar_f32(0.0f);
    n = node(FC_OP_DROPOUT, 3, in, 2);
    assert_int_equal(prep(n), 0);
    in[2] = cscalar_bool(0);
    in[1] = cscalar_f32(0.5f);
    assert_int_equal(prep(node(FC_OP_DROPOUT, 3, in, 1)), 0);
    in[2] = val(FC_DT_BOOL, 0);
    expect_err(node(FC_OP_DROPOUT, 3, in, 1), "input 'training_mode' must be a compile-time");
    in[1] = cscalar_f32(0.0f); /* run-time training_mode but ratio 0: still the identity */
    assert_int_equal(prep(node(FC_OP_DROPOUT, 3, in, 2)), 0);
    /* opset 7: the mask has the input's dtype */
    G->opset = 7;
    n = node(FC_OP_DROPOUT, 1, in, 2);
    assert_int_equal(prep(n), 0);
    assert_int_equal(fc_out(G, n, 1)->dtype, FC_DT_F32);
    assert_int_equal(n->ia[0], 0x3f800000);
}

/* ---- DepthToSpace / SpaceToDepth / Trilu / OneHot / Compress / ReverseSequence ------------- */

static void test_depth_space(void **state)
{
    int in[1];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_F32, 4, D(1), D(8), D(2), D(3));
    n = node(FC_OP_DEPTH_TO_SPACE, 1, in, 1);
    attr_i(n, "blocksize", 2);
    attr_s(n, "mode", "CRD");
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 4, D(1), D(2), D(4), D(6));
    assert_int_equal(n->ia[1], 1);
    n = node(FC_OP_DEPTH_TO_SPACE, 1, in, 1);
    attr_i(n, "blocksize", 2);
    attr_s(n, "mode", "XYZ");
    expect_err(n, "unsupported mode 'XYZ'");
    n = node(FC_OP_DEPTH_TO_SPACE, 1, in, 1);
    attr_i(n, "blocksize", 3);
    expect_err(n, "not a multiple of blocksize^2");
    in[0] = val(FC_DT_F32, 4, D(1), D(2), D(4), D(6));
    n = node(FC_OP_SPACE_TO_DEPTH, 1, in, 1);
    attr_i(n, "blocksize", 2);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 4, D(1), D(8), D(2), D(3));
    n = node(FC_OP_SPACE_TO_DEPTH, 1, in, 1);
    attr_i(n, "blocksize", 4);
    expect_err(n, "not multiples of blocksize 4");
}

static void test_trilu_one_hot(void **state)
{
    const int64_t depth = 5;
    int in[3];
    FcNode *n;
    (void)state;
    in[0] = val(FC_DT_I64, 3, D(2), D(3), D(4));
    n = node(FC_OP_TRILU, 1, in, 1);
    attr_i(n, "upper", 0);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(2), D(3), D(4));
    assert_int_equal(n->ia[0], 0);
    in[0] = val(FC_DT_I64, 1, D(4));
    expect_err(node(FC_OP_TRILU, 1, in, 1), "rank >= 2");
    /* OneHot: indices [2,3], depth 5, axis 1 -> [2,5,3] of values' dtype */
    in[0] = val(FC_DT_I64, 2, D(2), D(3));
    in[1] = cints(1, 1, &depth);
    in[2] = val(FC_DT_I32, 1, D(2));
    n = node(FC_OP_ONE_HOT, 3, in, 1);
    attr_i(n, "axis", 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(2), D(5), D(3));
    assert_int_equal(fc_out(G, n, 0)->dtype, FC_DT_I32);
    n = node(FC_OP_ONE_HOT, 3, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(2), D(3), D(5));
    assert_int_equal(n->ia[0], 2);
    assert_int_equal(n->ia[1], 5);
    assert_int_equal(n->ia[2], 1);
    in[1] = val(FC_DT_I64, 0);
    expect_err(node(FC_OP_ONE_HOT, 3, in, 1), "input 'depth' must be a compile-time constant");
}

static void test_compress_reverse(void **state)
{
    int in[2], c;
    FcNode *n;
    uint8_t *cd;
    (void)state;
    in[0] = val(FC_DT_F32, 2, D(3), D(2));
    c = fc_value_new(G, "cond");
    fc_val(G, c)->kind = FC_VAL_CONST;
    fc_val(G, c)->dtype = FC_DT_BOOL;
    fc_val(G, c)->rank = 1;
    fc_val(G, c)->dims[0] = 3;
    cd = fc_arena_alloc(&G->arena, 3);
    cd[0] = 0;
    cd[1] = 1;
    cd[2] = 1;
    fc_val(G, c)->data = cd;
    in[1] = c;
    n = node(FC_OP_COMPRESS, 2, in, 1);
    attr_i(n, "axis", 0);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 2, D(2), D(2));
    n = node(FC_OP_COMPRESS, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 1, D(2));
    assert_int_equal(n->ia[0], -1);
    n = node(FC_OP_COMPRESS, 2, in, 1);
    attr_i(n, "axis", 1);
    expect_err(n, "beyond the axis length 2");
    in[1] = val(FC_DT_BOOL, 1, D(3));
    expect_err(node(FC_OP_COMPRESS, 2, in, 1), "condition' must be a compile-time constant");
    /* ReverseSequence */
    in[0] = val(FC_DT_F32, 3, D(4), D(2), D(3));
    in[1] = val(FC_DT_I64, 1, D(2));
    n = node(FC_OP_REVERSE_SEQUENCE, 2, in, 1);
    assert_int_equal(prep(n), 0);
    expect_shape(n, 0, 3, D(4), D(2), D(3));
    n = node(FC_OP_REVERSE_SEQUENCE, 2, in, 1);
    attr_i(n, "batch_axis", 0);
    expect_err(n, "time_axis and batch_axis must be 0 and 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reshape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flatten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_squeeze_unsqueeze, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transpose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_nd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scatter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand_tile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shape_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constant_of_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eye_like, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trilu_one_hot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compress_reverse, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
