/* test_op_elementwise.c — prepare (shape / dtype inference, attribute checks, parameter
 * packing) of the elementwise ops, and prepared nodes run through their kernels: the latter
 * checks that ir/op_elementwise.c packs the op codes the kernels (runtime/k_unary.c,
 * k_binary.c) expect, since both keep their own copy of the code enums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "ir.h"

/* ---- graph helpers ----------------------------------------------------------------------------- */

static int val(FcGraph *g, const char *name, int32_t dt, int rank, const int64_t *dims)
{
    int v = fc_value_new(g, name);
    FcValue *x = fc_val(g, v);
    x->dtype = dt;
    x->rank = rank;
    for (int i = 0; i < rank; i++)
        x->dims[i] = dims[i];
    return v;
}

/* A node of op `op` with inputs ins[0..nin-1] (-1: absent) and one fresh output. */
static FcNode *node(FcGraph *g, int op, int nin, const int *ins)
{
    FcNode *n = fc_node_new(g, op, "n0", nin, 1);
    for (int i = 0; i < nin; i++)
        n->in[i] = ins[i];
    n->out[0] = fc_value_new(g, "y");
    return n;
}

static FcAttr *add_attr(FcGraph *g, FcNode *n, const char *name, int type)
{
    FcAttr *a = fc_arena_alloc(&g->arena, sizeof(FcAttr) * (size_t)(n->nattr + 1));
    if (n->nattr)
        memcpy(a, n->attr, sizeof(FcAttr) * (size_t)n->nattr);
    n->attr = a;
    a = &n->attr[n->nattr++];
    a->name = fc_arena_strdup(&g->arena, name);
    a->type = type;
    return a;
}

static void attr_i(FcGraph *g, FcNode *n, const char *name, int64_t v)
{
    add_attr(g, n, name, FC_ATTR_INT)->i = v;
}

static void attr_f(FcGraph *g, FcNode *n, const char *name, float v)
{
    add_attr(g, n, name, FC_ATTR_FLOAT)->f = v;
}

static void attr_s(FcGraph *g, FcNode *n, const char *name, const char *v)
{
    add_attr(g, n, name, FC_ATTR_STRING)->s = fc_arena_strdup(&g->arena, v);
}

static FcValue *out0(FcGraph *g, FcNode *n)
{
    return fc_val(g, n->out[0]);
}

static int prep(FcGraph *g, FcNode *n)
{
    return fc_ops[n->op].prepare(g, n);
}

static void assert_shape(const FcValue *v, int32_t dt, int rank, const int64_t *dims)
{
    assert_int_equal(v->dtype, dt);
    assert_int_equal(v->rank, rank);
    for (int i = 0; i < rank; i++)
        assert_int_equal(v->dims[i], dims[i]);
}

static void assert_err(FcGraph *g, FcNode *n, const char *text)
{
    assert_int_equal(prep(g, n), -1);
    if (!strstr(g->err, text))
        fail_msg("error '%s' does not contain '%s'", g->err, text);
}

/* Runs the prepared node's kernel: data[i] feeds input i, the output goes to `out`. */
static void run(FcGraph *g, FcNode *n, void *const *data, void *out)
{
    FcRtTensor t[8];
    int32_t ins[8], outs[1];
    FcRtNode rn;
    memset(t, 0, sizeof t);
    for (int i = 0; i < n->nin; i++) {
        ins[i] = n->in[i] < 0 ? -1 : i;
        if (n->in[i] >= 0) {
            FcValue *v = fc_val(g, n->in[i]);
            t[i].data = data[i];
            t[i].dtype = v->dtype;
            t[i].rank = v->rank;
            memcpy(t[i].dims, v->dims, sizeof t[i].dims);
        }
    }
    outs[0] = n->nin;
    t[n->nin].data = out;
    t[n->nin].dtype = out0(g, n)->dtype;
    t[n->nin].rank = out0(g, n)->rank;
    memcpy(t[n->nin].dims, out0(g, n)->dims, sizeof t[0].dims);
    memset(&rn, 0, sizeof rn);
    rn.nin = n->nin;
    rn.nout = 1;
    rn.in = ins;
    rn.out = outs;
    rn.nia = n->nia;
    rn.ia = n->ia;
    rn.nfa = n->nfa;
    rn.fa = n->fa;
    fc_ops[n->op].kernel(&rn, t);
}

/* ---- unary ------------------------------------------------------------------------------------ */

/* Reference of each float unary op with its default attributes. */
static double unary_ref(int op, double x)
{
    switch (op) {
    case FC_OP_ABS: return fabs(x);
    case FC_OP_NEG: return -x;
    case FC_OP_EXP: return exp(x);
    case FC_OP_LOG: return log(x);
    case FC_OP_SQRT: return sqrt(x);
    case FC_OP_RECIPROCAL: return 1 / x;
    case FC_OP_FLOOR: return floor(x);
    case FC_OP_CEIL: return ceil(x);
    case FC_OP_ROUND: return nearbyint(x);
    case FC_OP_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case FC_OP_SIN: return sin(x);
    case FC_OP_COS: return cos(x);
    case FC_OP_TAN: return tan(x);
    case FC_OP_ASIN: return asin(x);
    case FC_OP_ACOS: return acos(x);
    case FC_OP_ATAN: return atan(x);
    case FC_OP_SINH: return sinh(x);
    case FC_OP_COSH: return cosh(x);
    case FC_OP_ASINH: return asinh(x);
    case FC_OP_ACOSH: return acosh(x);
    case FC_OP_ATANH: return atanh(x);
    case FC_OP_ERF: return erf(x);
    case FC_OP_RELU: return x > 0 ? x : 0;
    case FC_OP_SIGMOID: return 1 / (1 + exp(-x));
    case FC_OP_TANH: return tanh(x);
    case FC_OP_SOFTPLUS: return log(1 + exp(x));
    case FC_OP_SOFTSIGN: return x / (1 + fabs(x));
    case FC_OP_LEAKY_RELU: return x < 0 ? 0.01 * x : x;
    case FC_OP_ELU: return x < 0 ? exp(x) - 1 : x;
    case FC_OP_SELU:
        return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1));
    case FC_OP_CELU: return (x > 0 ? x : 0) + (x < 0 ? exp(x) - 1 : 0);
    case FC_OP_HARD_SIGMOID: return fmax(0, fmin(1, 0.2 * x + 0.5));
    case FC_OP_HARD_SWISH: return x * fmax(0, fmin(1, x / 6 + 0.5));
    case FC_OP_THRESHOLDED_RELU: return x > 1 ? x : 0;
    case FC_OP_MISH: return x * tanh(log(1 + exp(x)));
    case FC_OP_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case FC_OP_SHRINK: return x < -0.5 ? x : (x > 0.5 ? x : 0);
    default: return NAN;
    }
}

static void test_unary_all_float_ops(void **state)
{
    static const int ops[] = {
        FC_OP_ABS, FC_OP_NEG, FC_OP_EXP, FC_OP_LOG, FC_OP_SQRT, FC_OP_RECIPROCAL,
        FC_OP_FLOOR, FC_OP_CEIL, FC_OP_ROUND, FC_OP_SIGN, FC_OP_SIN, FC_OP_COS, FC_OP_TAN,
        FC_OP_ASIN, FC_OP_ACOS, FC_OP_ATAN, FC_OP_SINH, FC_OP_COSH, FC_OP_ASINH, FC_OP_ACOSH,
        FC_OP_ATANH, FC_OP_ERF, FC_OP_RELU, FC_OP_SIGMOID, FC_OP_TANH, FC_OP_SOFTPLUS,
        FC_OP_SOFTSIGN, FC_OP_LEAKY_RELU, FC_OP_ELU, FC_OP_SELU, FC_OP_CELU,
        FC_OP_HARD_SIGMOID, FC_OP_HARD_SWISH, FC_OP_THRESHOLDED_RELU, FC_OP_MISH, FC_OP_GELU,
        FC_OP_SHRINK};
    /* inputs inside every op's domain (acosh: >= 1 below is handled by the shift) */
    const float xs[6] = {-0.75f, -0.25f, 0.3f, 0.6f, 0.9f, 2.5f};
    (void)state;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        int op = ops[k];
        FcGraph *g = fc_graph_new("t.onnx");
        int x = val(g, "x", FC_DT_F32, 2, (int64_t[]){2, 3});
        FcNode *n = node(g, op, 1, &x);
        float in[6], y[6];
        void *data[1] = {in};
        g->opset = 22;
        assert_int_equal(prep(g, n), 0);
        assert_shape(out0(g, n), FC_DT_F32, 2, (int64_t[]){2, 3});
        for (int i = 0; i < 6; i++) {
            in[i] = xs[i];
            if (op == FC_OP_LOG || op == FC_OP_SQRT || op == FC_OP_ACOSH)
                in[i] = fabsf(xs[i]) + (op == FC_OP_ACOSH ? 1.0f : 0.0f);
            if (op == FC_OP_ASIN || op == FC_OP_ACOS || op == FC_OP_ATANH)
                in[i] = xs[i] / 2.6f;
        }
        run(g, n, data, y);
        for (int i = 0; i < 6; i++) {
            double want = unary_ref(op, in[i]);
            if (fabs(y[i] - want) > 1e-5 * (1 + fabs(want)))
                fail_msg("%s(%g) = %g, want %g", fc_ops[op].name, in[i], y[i], want);
        }
        fc_graph_free(g);
    }
}

static void test_unary_attrs(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int x = val(g, "x", FC_DT_F32, 1, (int64_t[]){3});
    float in[3] = {-2.0f, 0.5f, 3.0f}, y[3];
    uint8_t b[3];
    void *data[1] = {in};
    FcNode *n;
    (void)state;
    g->opset = 20;
    n = node(g, FC_OP_LEAKY_RELU, 1, &x);
    attr_f(g, n, "alpha", 0.5f);
    assert_int_equal(prep(g, n), 0);
    run(g, n, data, y);
    assert_memory_equal(y, ((float[]){-1.0f, 0.5f, 3.0f}), sizeof y);
    n = node(g, FC_OP_HARD_SIGMOID, 1, &x);
    attr_f(g, n, "alpha", 0.25f);
    attr_f(g, n, "beta", 0.25f);
    assert_int_equal(prep(g, n), 0);
    run(g, n, data, y);
    assert_memory_equal(y, ((float[]){0.0f, 0.375f, 1.0f}), sizeof y);
    n = node(g, FC_OP_SHRINK, 1, &x);
    attr_f(g, n, "lambd", 1.0f);
    attr_f(g, n, "bias", 0.5f);
    assert_int_equal(prep(g, n), 0);
    run(g, n, data, y);
    assert_memory_equal(y, ((float[]){-1.5f, 0.0f, 2.5f}), sizeof y);
    n = node(g, FC_OP_THRESHOLDED_RELU, 1, &x);
    attr_f(g, n, "alpha", 0.4f);
    assert_int_equal(prep(g, n), 0);
    run(g, n, data, y);
    assert_memory_equal(y, ((float[]){0.0f, 0.5f, 3.0f}), sizeof y);
    n = node(g, FC_OP_GELU, 1, &x);
    attr_s(g, n, "approximate", "tanh");
    assert_int_equal(prep(g, n), 0);
    run(g, n, data, y);
    assert_float_equal(y[2], 0.5 * 3 * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (3 + 0.044715 * 27))), 1e-5);
    n = node(g, FC_OP_GELU, 1, &x);
    attr_s(g, n, "approximate", "fast");
    assert_err(g, n, "unsupported approximate 'fast'");
    n = node(g, FC_OP_IS_INF, 1, &x);
    attr_i(g, n, "detect_negative", 0);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_BOOL, 1, (int64_t[]){3});
    in[0] = -INFINITY;
    in[1] = INFINITY;
    run(g, n, data, b);
    assert_memory_equal(b, ((uint8_t[]){0, 1, 0}), 3);
    n = node(g, FC_OP_IS_NAN, 1, &x);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_BOOL, 1, (int64_t[]){3});
    n = node(g, FC_OP_CELU, 1, &x);
    attr_f(g, n, "alpha", 0.0f);
    assert_err(g, n, "alpha 0");
    fc_graph_free(g);
}

static void test_unary_dtypes(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int xi = val(g, "xi", FC_DT_I32, 1, (int64_t[]){4});
    int xu = val(g, "xu", FC_DT_U16, 1, (int64_t[]){4});
    int xf = val(g, "xf", FC_DT_F32, 1, (int64_t[]){4});
    int xb = val(g, "xb", FC_DT_BOOL, 1, (int64_t[]){4});
    int xs = val(g, "xs", FC_DT_STRING, 1, (int64_t[]){4});
    int xbf = val(g, "xbf", 16, 1, (int64_t[]){4});
    int32_t i32[4] = {-3, 0, 2, -7}, o32[4];
    uint16_t u16[4] = {0, 1, 0xff00, 9}, o16[4];
    uint8_t b[4] = {1, 0, 0, 1}, ob[4];
    void *di[1] = {i32}, *du[1] = {u16}, *db[1] = {b};
    FcNode *n;
    (void)state;
    g->opset = 18;
    assert_err(g, node(g, FC_OP_SQRT, 1, &xi), "unsupported dtype int32 for input 0");
    assert_err(g, node(g, FC_OP_NOT, 1, &xf), "unsupported dtype float for input 0");
    assert_err(g, node(g, FC_OP_BITWISE_NOT, 1, &xf), "unsupported dtype float");
    assert_err(g, node(g, FC_OP_NEG, 1, &xu), "unsupported dtype uint16");
    assert_err(g, node(g, FC_OP_ABS, 1, &xs), "unsupported dtype string");
    assert_err(g, node(g, FC_OP_RELU, 1, &xbf), "unsupported dtype bfloat16");
    n = node(g, FC_OP_ABS, 1, &xi);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_I32, 1, (int64_t[]){4});
    run(g, n, di, o32);
    assert_memory_equal(o32, ((int32_t[]){3, 0, 2, 7}), sizeof o32);
    n = node(g, FC_OP_RELU, 1, &xi);
    assert_int_equal(prep(g, n), 0);
    run(g, n, di, o32);
    assert_memory_equal(o32, ((int32_t[]){0, 0, 2, 0}), sizeof o32);
    n = node(g, FC_OP_SIGN, 1, &xu);
    assert_int_equal(prep(g, n), 0);
    run(g, n, du, o16);
    assert_memory_equal(o16, ((uint16_t[]){0, 1, 1, 1}), sizeof o16);
    n = node(g, FC_OP_BITWISE_NOT, 1, &xu);
    assert_int_equal(prep(g, n), 0);
    run(g, n, du, o16);
    assert_memory_equal(o16, ((uint16_t[]){0xffff, 0xfffe, 0x00ff, 0xfff6}), sizeof o16);
    n = node(g, FC_OP_NOT, 1, &xb);
    assert_int_equal(prep(g, n), 0);
    run(g, n, db, ob);
    assert_memory_equal(ob, ((uint8_t[]){0, 1, 1, 0}), 4);
    n = node(g, FC_OP_SHRINK, 1, &xi); /* integer Shrink computes in double */
    attr_f(g, n, "lambd", 1.0f);
    attr_f(g, n, "bias", 1.0f);
    assert_int_equal(prep(g, n), 0);
    run(g, n, di, o32);
    assert_memory_equal(o32, ((int32_t[]){-2, 0, 1, -6}), sizeof o32);
    fc_graph_free(g);
}

/* ---- Clip ------------------------------------------------------------------------------------- */

static void test_clip(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int x = val(g, "x", FC_DT_F32, 2, (int64_t[]){2, 2});
    int lo = val(g, "lo", FC_DT_F32, 0, NULL);
    int hi = val(g, "hi", FC_DT_F32, 1, (int64_t[]){1});
    int big = val(g, "big", FC_DT_F32, 1, (int64_t[]){2});
    int xi = val(g, "xi", FC_DT_I64, 1, (int64_t[]){3});
    int ilo = val(g, "ilo", FC_DT_I64, 0, NULL);
    float in[4] = {-3.0f, -0.5f, 0.5f, 3.0f}, y[4], flo = -1.0f, fhi = 1.0f;
    int64_t i64[3] = {-100, 5, 100}, o64[3], l64 = 0;
    FcNode *n;
    (void)state;
    /* opset 6: attributes */
    g->opset = 6;
    n = node(g, FC_OP_CLIP, 1, &x);
    attr_f(g, n, "min", -0.6f);
    attr_f(g, n, "max", 0.4f);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 2, (int64_t[]){2, 2});
    run(g, n, (void *[]){in}, y);
    assert_memory_equal(y, ((float[]){-0.6f, -0.5f, 0.4f, 0.4f}), sizeof y);
    n = node(g, FC_OP_CLIP, 1, &x); /* defaults: no clipping */
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){in}, y);
    assert_memory_equal(y, in, sizeof y);
    n = node(g, FC_OP_CLIP, 3, (int[]){x, lo, hi});
    assert_err(g, n, "min/max inputs need opset >= 11");
    assert_err(g, node(g, FC_OP_CLIP, 1, &xi), "unsupported dtype int64");
    /* opset 13: inputs, either may be absent */
    g->opset = 13;
    n = node(g, FC_OP_CLIP, 3, (int[]){x, lo, hi});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){in, &flo, &fhi}, y);
    assert_memory_equal(y, ((float[]){-1.0f, -0.5f, 0.5f, 1.0f}), sizeof y);
    n = node(g, FC_OP_CLIP, 3, (int[]){x, -1, hi});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){in, NULL, &fhi}, y);
    assert_memory_equal(y, ((float[]){-3.0f, -0.5f, 0.5f, 1.0f}), sizeof y);
    n = node(g, FC_OP_CLIP, 2, (int[]){xi, ilo});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){i64, &l64}, o64);
    assert_memory_equal(o64, ((int64_t[]){0, 5, 100}), sizeof o64);
    assert_err(g, node(g, FC_OP_CLIP, 2, (int[]){x, big}), "input 'min' must be a scalar");
    n = node(g, FC_OP_CLIP, 1, &x);
    attr_f(g, n, "min", 0.0f);
    assert_err(g, n, "unsupported attribute min/max");
    fc_graph_free(g);
}

/* ---- binary ----------------------------------------------------------------------------------- */

static void test_binary_shapes(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int a = val(g, "a", FC_DT_F32, 3, (int64_t[]){2, 1, 3});
    int b = val(g, "b", FC_DT_F32, 2, (int64_t[]){4, 1});
    int c = val(g, "c", FC_DT_F32, 1, (int64_t[]){5});
    int i = val(g, "i", FC_DT_I64, 2, (int64_t[]){4, 1});
    int s = val(g, "s", FC_DT_F32, 0, NULL);
    FcNode *n;
    (void)state;
    g->opset = 14;
    n = node(g, FC_OP_ADD, 2, (int[]){a, b});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 3, (int64_t[]){2, 4, 3});
    assert_int_equal(n->nia, 3);
    assert_int_equal(n->ia[1], FC_DT_F32);
    assert_int_equal(n->ia[2], 0);
    n = node(g, FC_OP_MUL, 2, (int[]){s, a});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 3, (int64_t[]){2, 1, 3});
    n = node(g, FC_OP_LESS, 2, (int[]){a, b});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_BOOL, 3, (int64_t[]){2, 4, 3});
    assert_err(g, node(g, FC_OP_SUB, 2, (int[]){a, c}), "do not broadcast");
    assert_err(g, node(g, FC_OP_ADD, 2, (int[]){a, i}), "different dtypes (float vs int64)");
    assert_err(g, node(g, FC_OP_AND, 2, (int[]){a, b}), "unsupported dtype float");
    n = node(g, FC_OP_POW, 2, (int[]){a, i}); /* Pow mixes dtypes */
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 3, (int64_t[]){2, 4, 3});
    assert_int_equal(n->ia[1], FC_DT_F32);
    n = node(g, FC_OP_POW, 2, (int[]){i, a});
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(out0(g, n)->dtype, FC_DT_I64);
    assert_int_equal(n->ia[1], FC_DT_F64);
    fc_graph_free(g);
}

static void test_binary_attrs(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int u = val(g, "u", FC_DT_U8, 1, (int64_t[]){3});
    int v = val(g, "v", FC_DT_U8, 1, (int64_t[]){3});
    int i = val(g, "i", FC_DT_I32, 1, (int64_t[]){3});
    int j = val(g, "j", FC_DT_I32, 1, (int64_t[]){3});
    int f = val(g, "f", FC_DT_F32, 1, (int64_t[]){3});
    uint8_t ua[3] = {1, 3, 128}, ub[3] = {2, 1, 1}, uy[3];
    int32_t ia[3] = {-7, 7, -8}, ib[3] = {3, -3, 3}, iy[3];
    FcNode *n;
    (void)state;
    g->opset = 18;
    n = node(g, FC_OP_BIT_SHIFT, 2, (int[]){u, v});
    assert_err(g, n, "attribute 'direction' is required");
    attr_s(g, n, "direction", "UP");
    assert_err(g, n, "unsupported direction 'UP'");
    n = node(g, FC_OP_BIT_SHIFT, 2, (int[]){u, v});
    attr_s(g, n, "direction", "LEFT");
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){ua, ub}, uy);
    assert_memory_equal(uy, ((uint8_t[]){4, 6, 0}), 3);
    n = node(g, FC_OP_BIT_SHIFT, 2, (int[]){u, v});
    attr_s(g, n, "direction", "RIGHT");
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){ua, ub}, uy);
    assert_memory_equal(uy, ((uint8_t[]){0, 1, 64}), 3);
    n = node(g, FC_OP_BIT_SHIFT, 2, (int[]){i, j});
    attr_s(g, n, "direction", "LEFT");
    assert_err(g, n, "unsupported dtype int32");
    n = node(g, FC_OP_MOD, 2, (int[]){i, j});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){ia, ib}, iy);
    assert_memory_equal(iy, ((int32_t[]){2, -2, 1}), sizeof iy);
    n = node(g, FC_OP_MOD, 2, (int[]){i, j});
    attr_i(g, n, "fmod", 1);
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){ia, ib}, iy);
    assert_memory_equal(iy, ((int32_t[]){-1, 1, -2}), sizeof iy);
    n = node(g, FC_OP_MOD, 2, (int[]){f, f});
    attr_i(g, n, "fmod", 2);
    assert_err(g, n, "unsupported fmod 2");
    fc_graph_free(g);
}

/* Each binary op, prepared and run on small inputs, against hand-computed results. */
static void test_binary_all_ops(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int a = val(g, "a", FC_DT_F32, 1, (int64_t[]){4});
    int b = val(g, "b", FC_DT_F32, 1, (int64_t[]){4});
    int p = val(g, "p", FC_DT_BOOL, 1, (int64_t[]){4});
    int q = val(g, "q", FC_DT_BOOL, 1, (int64_t[]){4});
    int i = val(g, "i", FC_DT_I64, 1, (int64_t[]){4});
    int j = val(g, "j", FC_DT_I64, 1, (int64_t[]){4});
    float fa[4] = {-2, 3, 4, 9}, fb[4] = {4, 3, -2, 2}, fy[4];
    uint8_t pa[4] = {0, 0, 1, 1}, pb[4] = {0, 1, 0, 1}, by[4];
    int64_t xa[4] = {12, 10, -1, 6}, xb[4] = {10, 12, 3, 3}, xy[4];
    static const struct { int op; float want[4]; } fops[] = {
        {FC_OP_ADD, {2, 6, 2, 11}}, {FC_OP_SUB, {-6, 0, 6, 7}}, {FC_OP_MUL, {-8, 9, -8, 18}},
        {FC_OP_DIV, {-0.5f, 1, -2, 4.5f}}, {FC_OP_POW, {16, 27, 0.0625f, 81}},
        {FC_OP_PRELU, {-8, 3, 4, 9}}};
    static const struct { int op; uint8_t want[4]; } cops[] = {
        {FC_OP_EQUAL, {0, 1, 0, 0}}, {FC_OP_LESS, {1, 0, 0, 0}}, {FC_OP_GREATER, {0, 0, 1, 1}},
        {FC_OP_LESS_OR_EQUAL, {1, 1, 0, 0}}, {FC_OP_GREATER_OR_EQUAL, {0, 1, 1, 1}}};
    static const struct { int op; uint8_t want[4]; } lops[] = {
        {FC_OP_AND, {0, 0, 0, 1}}, {FC_OP_OR, {0, 1, 1, 1}}, {FC_OP_XOR, {0, 1, 1, 0}}};
    static const struct { int op; int64_t want[4]; } iops[] = {
        {FC_OP_BITWISE_AND, {8, 8, 3, 2}}, {FC_OP_BITWISE_OR, {14, 14, -1, 7}},
        {FC_OP_BITWISE_XOR, {6, 6, -4, 5}}, {FC_OP_DIV, {1, 0, 0, 2}}};
    FcNode *n;
    (void)state;
    g->opset = 18;
    for (size_t k = 0; k < sizeof fops / sizeof fops[0]; k++) {
        n = node(g, fops[k].op, 2, (int[]){a, b});
        assert_int_equal(prep(g, n), 0);
        run(g, n, (void *[]){fa, fb}, fy);
        for (int e = 0; e < 4; e++)
            if (fabsf(fy[e] - fops[k].want[e]) > 1e-6f)
                fail_msg("%s: element %d = %g, want %g", fc_ops[fops[k].op].name, e, fy[e],
                         fops[k].want[e]);
    }
    for (size_t k = 0; k < sizeof cops / sizeof cops[0]; k++) {
        n = node(g, cops[k].op, 2, (int[]){a, b});
        assert_int_equal(prep(g, n), 0);
        assert_int_equal(out0(g, n)->dtype, FC_DT_BOOL);
        run(g, n, (void *[]){fa, fb}, by);
        assert_memory_equal(by, cops[k].want, 4);
    }
    for (size_t k = 0; k < sizeof lops / sizeof lops[0]; k++) {
        n = node(g, lops[k].op, 2, (int[]){p, q});
        assert_int_equal(prep(g, n), 0);
        run(g, n, (void *[]){pa, pb}, by);
        assert_memory_equal(by, lops[k].want, 4);
    }
    for (size_t k = 0; k < sizeof iops / sizeof iops[0]; k++) {
        n = node(g, iops[k].op, 2, (int[]){i, j});
        assert_int_equal(prep(g, n), 0);
        run(g, n, (void *[]){xa, xb}, xy);
        assert_memory_equal(xy, iops[k].want, sizeof xy);
    }
    fc_graph_free(g);
}

static void test_binary_legacy_broadcast(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int a = val(g, "a", FC_DT_F32, 4, (int64_t[]){2, 3, 4, 5});
    int b = val(g, "b", FC_DT_F32, 2, (int64_t[]){3, 4});
    int c = val(g, "c", FC_DT_F32, 2, (int64_t[]){4, 5});
    int d = val(g, "d", FC_DT_F32, 2, (int64_t[]){2, 3});
    int e = val(g, "e", FC_DT_F32, 1, (int64_t[]){3});
    float av[6] = {1, 2, 3, 4, 5, 6}, ev[3] = {10, 20, 30}, y[6];
    FcNode *n;
    (void)state;
    g->opset = 6;
    n = node(g, FC_OP_ADD, 2, (int[]){a, b});
    attr_i(g, n, "broadcast", 1);
    attr_i(g, n, "axis", 1);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 4, (int64_t[]){2, 3, 4, 5});
    assert_int_equal(n->ia[2], 1); /* one size-1 axis appended to b: [3, 4, 1] */
    n = node(g, FC_OP_MUL, 2, (int[]){a, c}); /* suffix broadcast without axis */
    attr_i(g, n, "broadcast", 1);
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(n->ia[2], 0);
    n = node(g, FC_OP_MUL, 2, (int[]){a, b}); /* no broadcast=1: shapes must match */
    assert_err(g, n, "broadcast=0");
    n = node(g, FC_OP_SUB, 2, (int[]){a, b});
    attr_i(g, n, "broadcast", 1);
    assert_err(g, n, "does not match");
    n = node(g, FC_OP_ADD, 2, (int[]){d, e});
    attr_i(g, n, "broadcast", 1);
    attr_i(g, n, "axis", 0);
    assert_err(g, n, "does not match"); /* [3] at axis 0 of [2, 3] */
    n = node(g, FC_OP_ADD, 2, (int[]){d, e});
    attr_i(g, n, "broadcast", 1);
    attr_i(g, n, "axis", 1);
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){av, ev}, y);
    assert_memory_equal(y, ((float[]){11, 22, 33, 14, 25, 36}), sizeof y);
    g->opset = 7; /* numpy broadcasting from opset 7 */
    n = node(g, FC_OP_ADD, 2, (int[]){a, c});
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(n->ia[2], 0);
    fc_graph_free(g);
}

static void test_prelu(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int x = val(g, "x", FC_DT_F32, 3, (int64_t[]){2, 3, 2});
    int s3 = val(g, "s3", FC_DT_F32, 1, (int64_t[]){3});
    int s2 = val(g, "s2", FC_DT_F32, 1, (int64_t[]){2});
    int s1 = val(g, "s1", FC_DT_F32, 1, (int64_t[]){1});
    int x1 = val(g, "x1", FC_DT_F32, 3, (int64_t[]){2, 1, 2});
    int s31 = val(g, "s31", FC_DT_F32, 2, (int64_t[]){3, 1});
    float xv[12] = {-1, -1, -1, -1, -1, -1, 1, 1, -2, -2, -2, -2}, s3v[3] = {0.5f, 0.25f, 2};
    float y[12];
    FcNode *n;
    (void)state;
    g->opset = 6; /* per-channel slope */
    n = node(g, FC_OP_PRELU, 2, (int[]){x, s3});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 3, (int64_t[]){2, 3, 2});
    assert_int_equal(n->ia[2], 1);
    run(g, n, (void *[]){xv, s3v}, y);
    assert_memory_equal(y, ((float[]){-0.5f, -0.5f, -0.25f, -0.25f, -2, -2, 1, 1, -0.5f, -0.5f,
                                      -4, -4}),
                        sizeof y);
    n = node(g, FC_OP_PRELU, 2, (int[]){x, s1});
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(n->ia[2], 0);
    g->opset = 16; /* numpy (unidirectional) */
    n = node(g, FC_OP_PRELU, 2, (int[]){x, s2});
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(n->ia[2], 0);
    assert_err(g, node(g, FC_OP_PRELU, 2, (int[]){x, s3}), "do not broadcast");
    assert_err(g, node(g, FC_OP_PRELU, 2, (int[]){x1, s31}), "slope shape does not broadcast");
    fc_graph_free(g);
}

/* ---- variadic, Where, Cast -------------------------------------------------------------------- */

static void test_variadic(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int a = val(g, "a", FC_DT_F32, 1, (int64_t[]){3});
    int b = val(g, "b", FC_DT_F32, 2, (int64_t[]){2, 3});
    int c = val(g, "c", FC_DT_F32, 2, (int64_t[]){2, 1});
    int i = val(g, "i", FC_DT_I32, 1, (int64_t[]){3});
    int d = val(g, "d", FC_DT_F32, 1, (int64_t[]){2});
    float av[3] = {1, 2, 3}, bv[6] = {6, 5, 4, 3, 2, 1}, cv[2] = {0, 9}, y[6];
    FcNode *n;
    (void)state;
    g->opset = 13;
    n = node(g, FC_OP_MAX, 3, (int[]){a, b, c});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F32, 2, (int64_t[]){2, 3});
    run(g, n, (void *[]){av, bv, cv}, y);
    assert_memory_equal(y, ((float[]){6, 5, 4, 9, 9, 9}), sizeof y);
    n = node(g, FC_OP_MIN, 3, (int[]){a, b, c});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){av, bv, cv}, y);
    assert_memory_equal(y, ((float[]){0, 0, 0, 1, 2, 1}), sizeof y);
    n = node(g, FC_OP_SUM, 2, (int[]){a, b});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){av, bv}, y);
    assert_memory_equal(y, ((float[]){7, 7, 7, 4, 4, 4}), sizeof y);
    n = node(g, FC_OP_MEAN, 2, (int[]){a, b});
    assert_int_equal(prep(g, n), 0);
    run(g, n, (void *[]){av, bv}, y);
    assert_memory_equal(y, ((float[]){3.5f, 3.5f, 3.5f, 2, 2, 2}), sizeof y);
    n = node(g, FC_OP_MAX, 1, &i);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_I32, 1, (int64_t[]){3});
    assert_err(g, node(g, FC_OP_SUM, 1, &i), "unsupported dtype int32");
    assert_err(g, node(g, FC_OP_MAX, 2, (int[]){a, i}), "different dtypes");
    assert_err(g, node(g, FC_OP_MAX, 3, (int[]){c, a, d}), "do not broadcast");
    fc_graph_free(g);
}

static void test_where(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int c = val(g, "c", FC_DT_BOOL, 2, (int64_t[]){2, 1});
    int x = val(g, "x", FC_DT_I64, 1, (int64_t[]){3});
    int y = val(g, "y", FC_DT_I64, 0, NULL);
    int f = val(g, "f", FC_DT_F32, 1, (int64_t[]){3});
    uint8_t cv[2] = {0, 1};
    int64_t xv[3] = {1, 2, 3}, yv = -1, out[6];
    FcNode *n;
    (void)state;
    g->opset = 16;
    n = node(g, FC_OP_WHERE, 3, (int[]){c, x, y});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_I64, 2, (int64_t[]){2, 3});
    run(g, n, (void *[]){cv, xv, &yv}, out);
    assert_memory_equal(out, ((int64_t[]){-1, -1, -1, 1, 2, 3}), sizeof out);
    assert_err(g, node(g, FC_OP_WHERE, 3, (int[]){x, x, y}), "unsupported dtype int64 for input 0");
    assert_err(g, node(g, FC_OP_WHERE, 3, (int[]){c, x, f}), "different dtypes");
    fc_graph_free(g);
}

static void test_cast(void **state)
{
    FcGraph *g = fc_graph_new("t.onnx");
    int x = val(g, "x", FC_DT_F32, 2, (int64_t[]){1, 3});
    int like = val(g, "like", FC_DT_F16, 0, NULL);
    int s = val(g, "s", FC_DT_STRING, 1, (int64_t[]){3});
    float xv[3] = {1.5f, -2.7f, 300.0f};
    int64_t i64[3];
    uint16_t h[3];
    FcNode *n;
    (void)state;
    g->opset = 19;
    n = node(g, FC_OP_CAST, 1, &x);
    attr_i(g, n, "to", FC_DT_I64);
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_I64, 2, (int64_t[]){1, 3});
    run(g, n, (void *[]){xv}, i64);
    assert_memory_equal(i64, ((int64_t[]){1, -2, 300}), sizeof i64);
    n = node(g, FC_OP_CAST_LIKE, 2, (int[]){x, like});
    assert_int_equal(prep(g, n), 0);
    assert_shape(out0(g, n), FC_DT_F16, 2, (int64_t[]){1, 3});
    run(g, n, (void *[]){xv, NULL}, h);
    assert_int_equal(h[0], 0x3e00);
    g->opset = 1; /* Cast-1: `to` is a type name */
    n = node(g, FC_OP_CAST, 1, &x);
    attr_s(g, n, "to", "double");
    assert_int_equal(prep(g, n), 0);
    assert_int_equal(out0(g, n)->dtype, FC_DT_F64);
    n = node(g, FC_OP_CAST, 1, &x);
    attr_s(g, n, "to", "COMPLEX64");
    assert_err(g, n, "unsupported target type 'COMPLEX64'");
    g->opset = 19;
    assert_err(g, node(g, FC_OP_CAST, 1, &x), "attribute 'to' is required");
    n = node(g, FC_OP_CAST, 1, &x);
    attr_i(g, n, "to", FC_DT_STRING);
    assert_err(g, n, "strings are not supported");
    n = node(g, FC_OP_CAST, 1, &s);
    attr_i(g, n, "to", FC_DT_F32);
    assert_err(g, n, "strings are not supported");
    n = node(g, FC_OP_CAST, 1, &x);
    attr_i(g, n, "to", 16);
    assert_err(g, n, "unsupported target dtype bfloat16");
    n = node(g, FC_OP_CAST, 1, &x);
    attr_i(g, n, "to", 17);
    attr_i(g, n, "saturate", 0);
    assert_err(g, n, "unsupported target dtype float8e4m3fn");
    fc_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_all_float_ops),
        cmocka_unit_test(test_unary_attrs),
        cmocka_unit_test(test_unary_dtypes),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_binary_shapes),
        cmocka_unit_test(test_binary_attrs),
        cmocka_unit_test(test_binary_all_ops),
        cmocka_unit_test(test_binary_legacy_broadcast),
        cmocka_unit_test(test_prelu),
        cmocka_unit_test(test_variadic),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_cast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
