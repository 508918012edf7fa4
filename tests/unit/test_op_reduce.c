/* test_op_reduce.c — prepare functions of the reduce group (ir/op_reduce.c): attribute and
 * input handling per opset, output shapes and dtypes, packed kernel parameters, scratch
 * sizes, and the errors for what fastc does not accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ir.h"

enum { SUM, MEAN, MAX, MIN, PROD, L1, L2, LOGSUM, LOGSUMEXP, SUMSQ };

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

/* A constant 1-D int64 tensor (rank 0 if rank0). */
static int const_i64(FcGraph *g, const char *name, const int64_t *data, int64_t count, int rank0)
{
    int64_t d[1] = {count};
    int id = value(g, name, FC_DT_I64, rank0 ? 0 : 1, d);
    FcValue *v = fc_val(g, id);
    v->kind = FC_VAL_CONST;
    v->data = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(count ? count : 1));
    if (count)
        memcpy(v->data, data, sizeof(int64_t) * (size_t)count);
    return id;
}

static FcNode *node(FcGraph *g, int op, int nin, const int *in, int nout)
{
    FcNode *n = fc_node_new(g, op, "n0", nin, nout);
    for (int i = 0; i < nin; i++)
        n->in[i] = in[i];
    for (int i = 0; i < nout; i++) {
        char name[16];
        snprintf(name, sizeof name, "y%d", i);
        n->out[i] = fc_value_new(g, name);
    }
    return n;
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
    assert_int_equal(v->dtype, dt);
    assert_int_equal(v->rank, rank);
    for (int d = 0; d < rank; d++)
        assert_int_equal(v->dims[d], dims[d]);
}

static void check_ia(const FcNode *n, const int64_t *want, int count)
{
    assert_int_equal(n->nia, count);
    for (int i = 0; i < count; i++)
        assert_int_equal(n->ia[i], want[i]);
}

static void check_err(FcGraph *g, FcNode *n, const char *text)
{
    assert_int_equal(prepare(g, n), -1);
    if (!strstr(g->err, text)) {
        print_error("error '%s' does not contain '%s'\n", g->err, text);
        fail();
    }
}

static const int64_t D234[3] = {2, 3, 4};

/* ---- Reduce* ------------------------------------------------------------------------- */

static void test_reduce_mean_axes_input(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 18;
    const int64_t ax[1] = {-1};
    int in[2] = {value(g, "x", FC_DT_F32, 3, D234), const_i64(g, "axes", ax, 1, 0)};
    FcNode *n = node(g, FC_OP_REDUCE_MEAN, 2, in, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[3] = {2, 3, 1};
    check_shape(g, n, 0, FC_DT_F32, 3, od);
    const int64_t ia[2] = {MEAN, 4};
    check_ia(n, ia, 2);
    assert_int_equal(n->scratch_bytes, 0); /* last axis: no scratch */
    fc_graph_free(g);
}

static void test_reduce_sum_axes_attribute(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 11;
    int in[1] = {value(g, "x", FC_DT_F32, 3, D234)};
    FcNode *n = node(g, FC_OP_REDUCE_SUM, 1, in, 1);
    const int64_t ax[2] = {0, -1};
    attr_ints(g, n, "axes", ax, 2);
    attr_i(g, n, "keepdims", 0);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[1] = {3};
    check_shape(g, n, 0, FC_DT_F32, 1, od);
    const int64_t ia[2] = {SUM, 5};
    check_ia(n, ia, 2);
    assert_int_equal(n->scratch_bytes, 3 * 8);

    /* ReduceLogSumExp before opset 18: attribute too; all axes when absent */
    FcNode *m = node(g, FC_OP_REDUCE_LOG_SUM_EXP, 1, in, 1);
    assert_int_equal(prepare(g, m), 0);
    const int64_t od1[3] = {1, 1, 1};
    check_shape(g, m, 0, FC_DT_F32, 3, od1);
    const int64_t ia1[2] = {LOGSUMEXP, 7};
    check_ia(m, ia1, 2);
    fc_graph_free(g);
}

static void test_reduce_empty_axes(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 13;
    int in[2] = {value(g, "x", FC_DT_I64, 3, D234), const_i64(g, "axes", NULL, 0, 0)};
    /* empty axes input: reduce everything */
    FcNode *n = node(g, FC_OP_REDUCE_SUM, 2, in, 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[3] = {1, 1, 1};
    check_shape(g, n, 0, FC_DT_I64, 3, od);
    const int64_t ia[2] = {SUM, 7};
    check_ia(n, ia, 2);
    /* ... unless noop_with_empty_axes */
    FcNode *m = node(g, FC_OP_REDUCE_SUM, 2, in, 1);
    attr_i(g, m, "noop_with_empty_axes", 1);
    assert_int_equal(prepare(g, m), 0);
    check_shape(g, m, 0, FC_DT_I64, 3, D234);
    const int64_t ia1[2] = {SUM, 0};
    check_ia(m, ia1, 2);
    /* an empty axes tensor fed at run time is known from its shape: still "reduce all" */
    const int64_t zero[1] = {0};
    int in2[2] = {in[0], value(g, "axes_rt", FC_DT_I64, 1, zero)};
    FcNode *e = node(g, FC_OP_REDUCE_SUM, 2, in2, 1);
    assert_int_equal(prepare(g, e), 0);
    check_ia(e, ia, 2);
    /* absent axes input, keepdims=0: a scalar */
    FcNode *k = node(g, FC_OP_REDUCE_SUM, 1, in, 1);
    attr_i(g, k, "keepdims", 0);
    assert_int_equal(prepare(g, k), 0);
    check_shape(g, k, 0, FC_DT_I64, 0, od);
    fc_graph_free(g);
}

static void test_reduce_errors(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 18;
    int x = value(g, "x", FC_DT_F32, 3, D234);
    int dyn = value(g, "axes", FC_DT_I64, 1, D234);
    int in[2] = {x, dyn};
    check_err(g, node(g, FC_OP_REDUCE_MAX, 2, in, 1),
              "input 'axes' must be a compile-time constant (value 'axes'");
    FcNode *n = node(g, FC_OP_REDUCE_MAX, 1, in, 1);
    const int64_t ax[1] = {1};
    attr_ints(g, n, "axes", ax, 1);
    check_err(g, n, "attribute 'axes' is not allowed at opset 18");
    const int64_t dup[2] = {1, -2};
    in[1] = const_i64(g, "dup", dup, 2, 0);
    check_err(g, node(g, FC_OP_REDUCE_MIN, 2, in, 1), "axis -2 is listed twice");
    const int64_t bad[1] = {3};
    in[1] = const_i64(g, "bad", bad, 1, 0);
    check_err(g, node(g, FC_OP_REDUCE_PROD, 2, in, 1), "axis 3 out of range for rank 3");
    int b = value(g, "b", FC_DT_BOOL, 3, D234);
    int inb[1] = {b};
    check_err(g, node(g, FC_OP_REDUCE_SUM, 1, inb, 1), "unsupported dtype bool");
    assert_int_equal(prepare(g, node(g, FC_OP_REDUCE_MAX, 1, inb, 1)), 0);
    int h = value(g, "h", FC_DT_F16, 3, D234);
    int inh[1] = {h};
    check_err(g, node(g, FC_OP_REDUCE_MEAN, 1, inh, 1), "unsupported dtype f16");
    /* axes as an input before its opset */
    g->opset = 17;
    in[1] = const_i64(g, "ok", ax, 1, 0);
    check_err(g, node(g, FC_OP_REDUCE_MEAN, 2, in, 1), "input 'axes' needs opset 18");
    assert_true(strstr(g->err, "node 'n0' (ReduceMean)") != NULL);
    fc_graph_free(g);
}

static void test_reduce_scalar_axis_input(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 18;
    const int64_t ax[1] = {1};
    int in[2] = {value(g, "x", FC_DT_F64, 3, D234), const_i64(g, "axes", ax, 1, 1)};
    FcNode *n = node(g, FC_OP_REDUCE_L2, 2, in, 1);
    attr_i(g, n, "keepdims", 0);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[2] = {2, 4};
    check_shape(g, n, 0, FC_DT_F64, 2, od);
    const int64_t ia[2] = {L2, 2};
    check_ia(n, ia, 2);
    assert_int_equal(n->scratch_bytes, 8 * 8);
    fc_graph_free(g);
}

/* ---- ArgMax / ArgMin ------------------------------------------------------------------- */

static void test_argmax(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 13;
    int in[1] = {value(g, "x", FC_DT_F32, 3, D234)};
    FcNode *n = node(g, FC_OP_ARG_MAX, 1, in, 1);
    attr_i(g, n, "axis", 1);
    attr_i(g, n, "keepdims", 0);
    attr_i(g, n, "select_last_index", 1);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[2] = {2, 4};
    check_shape(g, n, 0, FC_DT_I64, 2, od);
    const int64_t ia[5] = {0, 2, 3, 4, 1};
    check_ia(n, ia, 5);
    assert_int_equal(n->scratch_bytes, 4 * 4);
    /* defaults: axis 0, keepdims 1 */
    FcNode *m = node(g, FC_OP_ARG_MIN, 1, in, 1);
    assert_int_equal(prepare(g, m), 0);
    const int64_t od1[3] = {1, 3, 4};
    check_shape(g, m, 0, FC_DT_I64, 3, od1);
    const int64_t ia1[5] = {1, 1, 2, 12, 0};
    check_ia(m, ia1, 5);
    FcNode *e = node(g, FC_OP_ARG_MAX, 1, in, 1);
    attr_i(g, e, "axis", -4);
    check_err(g, e, "axis -4 out of range for rank 3");
    const int64_t d0[2] = {2, 0};
    int z[1] = {value(g, "z", FC_DT_F32, 2, d0)};
    FcNode *f = node(g, FC_OP_ARG_MAX, 1, z, 1);
    attr_i(g, f, "axis", 1);
    check_err(g, f, "axis 1 has size 0");
    int s[1] = {value(g, "s", FC_DT_STRING, 3, D234)};
    check_err(g, node(g, FC_OP_ARG_MAX, 1, s, 1), "unsupported dtype str");
    fc_graph_free(g);
}

/* ---- Softmax family -------------------------------------------------------------------- */

static void test_softmax_opsets(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    int in[1] = {value(g, "x", FC_DT_F32, 3, D234)};
    /* opset 11: coerced to 2-D at axis 1 (default) */
    g->opset = 11;
    FcNode *n = node(g, FC_OP_SOFTMAX, 1, in, 1);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F32, 3, D234);
    const int64_t ia[4] = {0, 2, 12, 1};
    check_ia(n, ia, 4);
    assert_int_equal(n->scratch_bytes, 0);
    /* opset 13: along the last axis by default */
    g->opset = 13;
    FcNode *m = node(g, FC_OP_LOG_SOFTMAX, 1, in, 1);
    assert_int_equal(prepare(g, m), 0);
    const int64_t ia1[4] = {1, 6, 4, 1};
    check_ia(m, ia1, 4);
    /* opset 13, axis 1: outer 2, R 3, inner 4 */
    FcNode *h = node(g, FC_OP_HARDMAX, 1, in, 1);
    attr_i(g, h, "axis", 1);
    assert_int_equal(prepare(g, h), 0);
    const int64_t ia2[4] = {2, 2, 3, 4};
    check_ia(h, ia2, 4);
    assert_int_equal(n->scratch_bytes + h->scratch_bytes, 4 * (4 + 8));
    /* opset 1 with axis 0: one row of everything */
    g->opset = 1;
    FcNode *o = node(g, FC_OP_SOFTMAX, 1, in, 1);
    attr_i(g, o, "axis", 0);
    assert_int_equal(prepare(g, o), 0);
    const int64_t ia3[4] = {0, 1, 24, 1};
    check_ia(o, ia3, 4);
    int ii[1] = {value(g, "i", FC_DT_I32, 3, D234)};
    check_err(g, node(g, FC_OP_SOFTMAX, 1, ii, 1), "unsupported dtype i32");
    fc_graph_free(g);
}

/* ---- TopK ------------------------------------------------------------------------------- */

static void test_topk(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 11;
    const int64_t k2[1] = {2};
    int in[2] = {value(g, "x", FC_DT_F32, 3, D234), const_i64(g, "K", k2, 1, 0)};
    FcNode *n = node(g, FC_OP_TOP_K, 2, in, 2);
    attr_i(g, n, "axis", 1);
    attr_i(g, n, "largest", 0);
    assert_int_equal(prepare(g, n), 0);
    const int64_t od[3] = {2, 2, 4};
    check_shape(g, n, 0, FC_DT_F32, 3, od);
    check_shape(g, n, 1, FC_DT_I64, 3, od);
    const int64_t ia[5] = {2, 3, 4, 2, 0};
    check_ia(n, ia, 5);
    assert_int_equal(n->scratch_bytes, 2 * 8 + 3 * 4);
    /* default axis -1 and largest */
    FcNode *m = node(g, FC_OP_TOP_K, 2, in, 2);
    assert_int_equal(prepare(g, m), 0);
    const int64_t od1[3] = {2, 3, 2};
    check_shape(g, m, 1, FC_DT_I64, 3, od1);
    const int64_t ia1[5] = {6, 4, 1, 2, 1};
    check_ia(m, ia1, 5);
    assert_int_equal(m->scratch_bytes, 2 * 8);
    /* k out of range, K not constant */
    const int64_t k9[1] = {9};
    in[1] = const_i64(g, "K9", k9, 1, 0);
    check_err(g, node(g, FC_OP_TOP_K, 2, in, 2), "k = 9 is out of range for axis 2 of size 4");
    const int64_t one[1] = {1};
    in[1] = value(g, "Kdyn", FC_DT_I64, 1, one);
    check_err(g, node(g, FC_OP_TOP_K, 2, in, 2),
              "input 'K' must be a compile-time constant (value 'Kdyn'");
    /* opset 1: k attribute */
    g->opset = 1;
    FcNode *a = node(g, FC_OP_TOP_K, 1, in, 2);
    attr_i(g, a, "k", 3);
    assert_int_equal(prepare(g, a), 0);
    const int64_t od2[3] = {2, 3, 3};
    check_shape(g, a, 0, FC_DT_F32, 3, od2);
    check_err(g, node(g, FC_OP_TOP_K, 1, in, 2), "missing attribute 'k'");
    fc_graph_free(g);
}

/* ---- CumSum ------------------------------------------------------------------------------ */

static void test_cumsum(void **state)
{
    (void)state;
    FcGraph *g = fc_graph_new("m.onnx");
    g->opset = 14;
    const int64_t ax[1] = {-2};
    int in[2] = {value(g, "x", FC_DT_F64, 3, D234), const_i64(g, "axis", ax, 1, 1)};
    FcNode *n = node(g, FC_OP_CUM_SUM, 2, in, 1);
    attr_i(g, n, "exclusive", 1);
    attr_i(g, n, "reverse", 1);
    assert_int_equal(prepare(g, n), 0);
    check_shape(g, n, 0, FC_DT_F64, 3, D234);
    const int64_t ia[5] = {2, 3, 4, 1, 1};
    check_ia(n, ia, 5);
    const int64_t one[1] = {1};
    in[1] = value(g, "adyn", FC_DT_I32, 0, one);
    check_err(g, node(g, FC_OP_CUM_SUM, 2, in, 1),
              "input 'axis' must be a compile-time constant (value 'adyn'");
    const int64_t a5[1] = {5};
    in[1] = const_i64(g, "a5", a5, 1, 1);
    check_err(g, node(g, FC_OP_CUM_SUM, 2, in, 1), "axis 5 out of range for rank 3");
    int b[2] = {value(g, "b", FC_DT_I8, 3, D234), const_i64(g, "a0", one, 1, 1)};
    check_err(g, node(g, FC_OP_CUM_SUM, 2, b, 1), "unsupported dtype i8");
    fc_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_mean_axes_input),
        cmocka_unit_test(test_reduce_sum_axes_attribute),
        cmocka_unit_test(test_reduce_empty_axes),
        cmocka_unit_test(test_reduce_errors),
        cmocka_unit_test(test_reduce_scalar_axis_input),
        cmocka_unit_test(test_argmax),
        cmocka_unit_test(test_softmax_opsets),
        cmocka_unit_test(test_topk),
        cmocka_unit_test(test_cumsum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
