/* op_elementwise.c — prepare functions of the elementwise ops: the unary ops and Clip
 * (kernels in runtime/k_unary.c), the broadcasting binary and variadic ops and Where
 * (runtime/k_binary.c), and Cast / CastLike (runtime/k_cast.c).
 *
 * Each prepare checks the input dtypes the op accepts, computes the output dtype and shape
 * (numpy broadcasting; the opset < 7 `broadcast`/`axis` attributes; PRelu's unidirectional
 * slope), chooses the dtype the kernel computes in and packs the op code and parameters
 * documented above each kernel. The op codes below must match the enums of the kernel files
 * (FC_UOP_* in k_unary.c, FC_BOP_* in k_binary.c); tests/unit/test_op_elementwise.c runs
 * prepared nodes through the kernels to keep them in sync.
 */
#include <float.h>
#include <string.h>
#include "ir.h"

/* Same values as FC_UOP_* in runtime/k_unary.c. */
enum {
    UOP_ABS = 1, UOP_NEG, UOP_EXP, UOP_LOG, UOP_SQRT, UOP_RECIPROCAL, UOP_FLOOR, UOP_CEIL,
    UOP_ROUND, UOP_SIGN, UOP_SIN, UOP_COS, UOP_TAN, UOP_ASIN, UOP_ACOS, UOP_ATAN, UOP_SINH,
    UOP_COSH, UOP_ASINH, UOP_ACOSH, UOP_ATANH, UOP_ERF, UOP_RELU, UOP_SIGMOID, UOP_TANH,
    UOP_SOFTPLUS, UOP_SOFTSIGN, UOP_LEAKY_RELU, UOP_ELU, UOP_SELU, UOP_CELU, UOP_HARD_SIGMOID,
    UOP_HARD_SWISH, UOP_THRESHOLDED_RELU, UOP_MISH, UOP_GELU, UOP_GELU_TANH, UOP_NOT,
    UOP_IS_NAN, UOP_IS_INF, UOP_SHRINK, UOP_BITWISE_NOT
};

/* Same values as FC_BOP_* in runtime/k_binary.c. */
enum {
    BOP_ADD = 1, BOP_SUB, BOP_MUL, BOP_DIV, BOP_POW, BOP_FMOD, BOP_PYMOD, BOP_EQ, BOP_LT,
    BOP_GT, BOP_LE, BOP_GE, BOP_AND, BOP_OR, BOP_XOR, BOP_SHL, BOP_SHR, BOP_BAND, BOP_BOR,
    BOP_BXOR, BOP_PRELU, BOP_MAX, BOP_MIN
};

/* ---- dtype helpers ---------------------------------------------------------------------- */

/* Dtype classes an op accepts. */
enum { C_FLOAT = 1, C_SINT = 2, C_UINT = 4, C_BOOL = 8, C_INT = C_SINT | C_UINT,
       C_NUM = C_FLOAT | C_INT, C_ANY = C_NUM | C_BOOL };

static int dt_class(int32_t dt)
{
    switch (dt) {
    case FC_DT_F16: case FC_DT_F32: case FC_DT_F64: return C_FLOAT;
    case FC_DT_I8: case FC_DT_I16: case FC_DT_I32: case FC_DT_I64: return C_SINT;
    case FC_DT_U8: case FC_DT_U16: case FC_DT_U32: case FC_DT_U64: return C_UINT;
    case FC_DT_BOOL: return C_BOOL;
    default: return 0; /* string, bfloat16, float8, int4, complex...: unsupported */
    }
}

/* A readable dtype name for messages, also for dtypes fastc does not support. */
static const char *dt_name(FcGraph *g, int32_t dt)
{
    const char *s = fc_onnx_dtype_name(dt);
    return s ? s : fc_arena_printf(&g->arena, "dtype %d", (int)dt);
}

/* Checks that input i has a dtype of the classes `cls`. */
static int check_dtype(FcGraph *g, FcNode *n, int i, int cls)
{
    FcValue *v = fc_in(g, n, i);
    if (!v)
        return fc_err(g, n, "input %d is missing", i);
    if (!(dt_class(v->dtype) & cls))
        return fc_err(g, n, "unsupported dtype %s for input %d", dt_name(g, v->dtype), i);
    return 0;
}

static int check_same_dtype(FcGraph *g, FcNode *n, int i, int j)
{
    FcValue *a = fc_in(g, n, i), *b = fc_in(g, n, j);
    if (a->dtype != b->dtype)
        return fc_err(g, n, "inputs %d and %d have different dtypes (%s vs %s)", i, j,
                      dt_name(g, a->dtype), dt_name(g, b->dtype));
    return 0;
}

/* The dtype a kernel computes data of dtype dt in (see the kernel files). */
static int32_t compute_dtype(int32_t dt)
{
    switch (dt) {
    case FC_DT_F16: case FC_DT_F32: return FC_DT_F32;
    case FC_DT_F64: return FC_DT_F64;
    case FC_DT_BOOL: return FC_DT_BOOL;
    case FC_DT_U64: return FC_DT_U64;
    default: return FC_DT_I64;
    }
}

static int same_shape(const FcValue *a, const FcValue *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

/* Case-insensitive ASCII string equality. */
static int str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'a' && *a <= 'z' ? (char)(*a - 32) : *a;
        char y = *b >= 'a' && *b <= 'z' ? (char)(*b - 32) : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ---- unary ------------------------------------------------------------------------------ */

int fc_prep_unary(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int uop, cls = C_FLOAT, nfa = 0;
    float alpha = 0.0f, beta = 0.0f;
    int32_t ct, out_dt;
    int64_t *ia;
    switch (n->op) {
    case FC_OP_ABS: uop = UOP_ABS; cls = C_NUM; break;
    case FC_OP_NEG: uop = UOP_NEG; cls = C_FLOAT | C_SINT; break;
    case FC_OP_EXP: uop = UOP_EXP; break;
    case FC_OP_LOG: uop = UOP_LOG; break;
    case FC_OP_SQRT: uop = UOP_SQRT; break;
    case FC_OP_RECIPROCAL: uop = UOP_RECIPROCAL; break;
    case FC_OP_FLOOR: uop = UOP_FLOOR; break;
    case FC_OP_CEIL: uop = UOP_CEIL; break;
    case FC_OP_ROUND: uop = UOP_ROUND; break;
    case FC_OP_SIGN: uop = UOP_SIGN; cls = C_NUM; break;
    case FC_OP_SIN: uop = UOP_SIN; break;
    case FC_OP_COS: uop = UOP_COS; break;
    case FC_OP_TAN: uop = UOP_TAN; break;
    case FC_OP_ASIN: uop = UOP_ASIN; break;
    case FC_OP_ACOS: uop = UOP_ACOS; break;
    case FC_OP_ATAN: uop = UOP_ATAN; break;
    case FC_OP_SINH: uop = UOP_SINH; break;
    case FC_OP_COSH: uop = UOP_COSH; break;
    case FC_OP_ASINH: uop = UOP_ASINH; break;
    case FC_OP_ACOSH: uop = UOP_ACOSH; break;
    case FC_OP_ATANH: uop = UOP_ATANH; break;
    case FC_OP_ERF: uop = UOP_ERF; break;
    case FC_OP_RELU: uop = UOP_RELU; cls = C_FLOAT | C_SINT; break;
    case FC_OP_SIGMOID: uop = UOP_SIGMOID; break;
    case FC_OP_TANH: uop = UOP_TANH; break;
    case FC_OP_SOFTPLUS: uop = UOP_SOFTPLUS; break;
    case FC_OP_SOFTSIGN: uop = UOP_SOFTSIGN; break;
    case FC_OP_LEAKY_RELU:
        uop = UOP_LEAKY_RELU;
        alpha = fc_attr_f(n, "alpha", 0.01f);
        nfa = 1;
        break;
    case FC_OP_ELU:
        uop = UOP_ELU;
        alpha = fc_attr_f(n, "alpha", 1.0f);
        nfa = 1;
        break;
    case FC_OP_SELU:
        uop = UOP_SELU;
        alpha = fc_attr_f(n, "alpha", 1.67326319217681884765625f);
        beta = fc_attr_f(n, "gamma", 1.05070102214813232421875f);
        nfa = 2;
        break;
    case FC_OP_CELU:
        uop = UOP_CELU;
        alpha = fc_attr_f(n, "alpha", 1.0f);
        if (alpha == 0.0f)
            return fc_err(g, n, "unsupported alpha 0 (Celu divides by alpha)");
        nfa = 1;
        break;
    case FC_OP_HARD_SIGMOID:
        uop = UOP_HARD_SIGMOID;
        alpha = fc_attr_f(n, "alpha", 0.2f);
        beta = fc_attr_f(n, "beta", 0.5f);
        nfa = 2;
        break;
    case FC_OP_HARD_SWISH:
        uop = UOP_HARD_SWISH;
        alpha = 1.0f / 6.0f;
        beta = 0.5f;
        nfa = 2;
        break;
    case FC_OP_THRESHOLDED_RELU:
        uop = UOP_THRESHOLDED_RELU;
        alpha = fc_attr_f(n, "alpha", 1.0f);
        nfa = 1;
        break;
    case FC_OP_MISH: uop = UOP_MISH; break;
    case FC_OP_GELU: {
        const char *ap = fc_attr_s(n, "approximate", "none");
        if (strcmp(ap, "none") == 0)
            uop = UOP_GELU;
        else if (strcmp(ap, "tanh") == 0)
            uop = UOP_GELU_TANH;
        else
            return fc_err(g, n, "unsupported approximate '%s'", ap);
        break;
    }
    case FC_OP_NOT: uop = UOP_NOT; cls = C_BOOL; break;
    case FC_OP_IS_NAN: uop = UOP_IS_NAN; break;
    case FC_OP_IS_INF: uop = UOP_IS_INF; break;
    case FC_OP_SHRINK:
        uop = UOP_SHRINK;
        cls = C_NUM;
        alpha = fc_attr_f(n, "bias", 0.0f);
        beta = fc_attr_f(n, "lambd", 0.5f);
        nfa = 2;
        break;
    case FC_OP_BITWISE_NOT: uop = UOP_BITWISE_NOT; cls = C_INT; break;
    default:
        return fc_err(g, n, "not a unary elementwise op");
    }
    if (check_dtype(g, n, 0, cls))
        return -1;
    ct = compute_dtype(x->dtype);
    if (uop == UOP_SHRINK && dt_class(x->dtype) != C_FLOAT)
        ct = FC_DT_F64; /* integer Shrink: exact for |x| < 2^53, result truncated */
    out_dt = (uop == UOP_IS_NAN || uop == UOP_IS_INF) ? FC_DT_BOOL : x->dtype;
    if (fc_set_out(g, n, 0, out_dt, x->rank, x->dims))
        return -1;
    ia = fc_pack_ints(g, n, uop == UOP_IS_INF ? 4 : 2);
    ia[0] = uop;
    ia[1] = ct;
    if (uop == UOP_IS_INF) {
        ia[2] = fc_attr_i(n, "detect_positive", 1) != 0;
        ia[3] = fc_attr_i(n, "detect_negative", 1) != 0;
    }
    if (nfa) {
        float *fa = fc_pack_floats(g, n, nfa);
        fa[0] = alpha;
        if (nfa > 1)
            fa[1] = beta;
    }
    return 0;
}

/* ---- Clip ------------------------------------------------------------------------------- */

int fc_prep_clip(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t *ia;
    if (check_dtype(g, n, 0, g->opset < 11 ? C_FLOAT : C_NUM))
        return -1;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 2);
    ia[0] = compute_dtype(x->dtype);
    if (g->opset < 11) {
        float *fa;
        if (fc_in(g, n, 1) || fc_in(g, n, 2))
            return fc_err(g, n, "min/max inputs need opset >= 11 (model opset %lld)",
                          (long long)g->opset);
        ia[1] = 1;
        fa = fc_pack_floats(g, n, 2);
        fa[0] = fc_attr_f(n, "min", -FLT_MAX);
        fa[1] = fc_attr_f(n, "max", FLT_MAX);
        return 0;
    }
    if (fc_attr(n, "min") || fc_attr(n, "max"))
        return fc_err(g, n, "unsupported attribute min/max from opset 11 (they are inputs)");
    for (int i = 1; i <= 2; i++) {
        FcValue *b = fc_in(g, n, i);
        if (!b)
            continue;
        if (!(dt_class(b->dtype) & C_NUM))
            return fc_err(g, n, "unsupported dtype %s for input %d", dt_name(g, b->dtype), i);
        if (fc_value_numel(b) > 1)
            return fc_err(g, n, "input '%s' must be a scalar", i == 1 ? "min" : "max");
    }
    ia[1] = 0;
    return 0;
}

/* ---- binary ----------------------------------------------------------------------------- */

/* Opset < 7 broadcasting of Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Greater/Less: without
 * broadcast=1 the shapes must be equal; with it, b's shape is matched against a's starting at
 * `axis` (default: its suffix). Sets *extra to the number of size-1 axes to append to b. */
static int legacy_broadcast(FcGraph *g, FcNode *n, const FcValue *a, const FcValue *b,
                            int64_t *extra)
{
    int64_t ax;
    *extra = 0;
    if (!fc_attr_i(n, "broadcast", 0)) {
        if (!same_shape(a, b))
            return fc_err(g, n, "inputs have different shapes and broadcast=0 (opset < 7)");
        return 0;
    }
    if (b->rank > a->rank)
        return fc_err(g, n, "broadcast input B has a higher rank than A");
    if (fc_attr(n, "axis")) {
        if (fc_norm_axis(g, n, fc_attr_i(n, "axis", 0), a->rank, &ax))
            return -1;
        if (ax + b->rank > a->rank)
            return fc_err(g, n, "broadcast axis %lld leaves no room for B's rank %d",
                          (long long)ax, b->rank);
        *extra = a->rank - ax - b->rank;
    } else {
        ax = a->rank - b->rank;
    }
    for (int i = 0; i < b->rank; i++)
        if (b->dims[i] != 1 && b->dims[i] != a->dims[ax + i])
            return fc_err(g, n, "B's dimension %d (%lld) does not match A's %lld", i,
                          (long long)b->dims[i], (long long)a->dims[ax + i]);
    return 0;
}

/* PRelu: the slope broadcasts to X's shape (unidirectionally). Before opset 7 a 1-D slope
 * of X's channel count applies per channel (axis 1), as the old spec and PyTorch define. */
static int prelu_broadcast(FcGraph *g, FcNode *n, const FcValue *x, const FcValue *s,
                           int64_t *extra)
{
    int64_t sd[FC_MAX_RANK], od[FC_MAX_RANK];
    int sr = s->rank, r;
    *extra = 0;
    if (g->opset < 7 && s->rank == 1 && x->rank >= 2 && s->dims[0] != 1 &&
        s->dims[0] == x->dims[1])
        *extra = x->rank - 2;
    for (int i = 0; i < s->rank; i++)
        sd[i] = s->dims[i];
    for (int64_t i = 0; i < *extra; i++)
        sd[sr++] = 1;
    if (sr > x->rank)
        return fc_err(g, n, "slope has a higher rank than X");
    if (fc_broadcast_shape(g, n, x->rank, x->dims, sr, sd, &r, od))
        return -1;
    for (int i = 0; i < r; i++)
        if (od[i] != x->dims[i])
            return fc_err(g, n, "slope shape does not broadcast to X's shape");
    return 0;
}

int fc_prep_binary(FcGraph *g, FcNode *n)
{
    FcValue *a = fc_in(g, n, 0), *b = fc_in(g, n, 1);
    int bop, cls = C_NUM, out_bool = 0, legacy = 0, r;
    int64_t extra = 0, dims[FC_MAX_RANK], *ia;
    int32_t ct;
    switch (n->op) {
    case FC_OP_ADD: bop = BOP_ADD; legacy = 1; break;
    case FC_OP_SUB: bop = BOP_SUB; legacy = 1; break;
    case FC_OP_MUL: bop = BOP_MUL; legacy = 1; break;
    case FC_OP_DIV: bop = BOP_DIV; legacy = 1; break;
    case FC_OP_POW: bop = BOP_POW; legacy = 1; break;
    case FC_OP_MOD: {
        int64_t fm = fc_attr_i(n, "fmod", 0);
        if (fm != 0 && fm != 1)
            return fc_err(g, n, "unsupported fmod %lld (must be 0 or 1)", (long long)fm);
        bop = fm ? BOP_FMOD : BOP_PYMOD;
        break;
    }
    case FC_OP_EQUAL: bop = BOP_EQ; cls = C_ANY; out_bool = 1; legacy = 1; break;
    case FC_OP_LESS: bop = BOP_LT; out_bool = 1; legacy = 1; break;
    case FC_OP_GREATER: bop = BOP_GT; out_bool = 1; legacy = 1; break;
    case FC_OP_LESS_OR_EQUAL: bop = BOP_LE; out_bool = 1; break;
    case FC_OP_GREATER_OR_EQUAL: bop = BOP_GE; out_bool = 1; break;
    case FC_OP_AND: bop = BOP_AND; cls = C_BOOL; out_bool = 1; legacy = 1; break;
    case FC_OP_OR: bop = BOP_OR; cls = C_BOOL; out_bool = 1; legacy = 1; break;
    case FC_OP_XOR: bop = BOP_XOR; cls = C_BOOL; out_bool = 1; legacy = 1; break;
    case FC_OP_BIT_SHIFT: {
        const char *dir = fc_attr_s(n, "direction", NULL);
        if (!dir)
            return fc_err(g, n, "attribute 'direction' is required");
        if (strcmp(dir, "LEFT") == 0)
            bop = BOP_SHL;
        else if (strcmp(dir, "RIGHT") == 0)
            bop = BOP_SHR;
        else
            return fc_err(g, n, "unsupported direction '%s'", dir);
        cls = C_UINT;
        break;
    }
    case FC_OP_BITWISE_AND: bop = BOP_BAND; cls = C_INT; break;
    case FC_OP_BITWISE_OR: bop = BOP_BOR; cls = C_INT; break;
    case FC_OP_BITWISE_XOR: bop = BOP_BXOR; cls = C_INT; break;
    case FC_OP_PRELU: bop = BOP_PRELU; break;
    default:
        return fc_err(g, n, "not a binary elementwise op");
    }
    if (check_dtype(g, n, 0, cls) || check_dtype(g, n, 1, cls))
        return -1;
    if (bop != BOP_POW && check_same_dtype(g, n, 0, 1))
        return -1;

    if (bop == BOP_PRELU) {
        if (prelu_broadcast(g, n, a, b, &extra))
            return -1;
        r = a->rank;
        memcpy(dims, a->dims, sizeof(int64_t) * (size_t)r);
    } else if (legacy && g->opset < 7) {
        if (legacy_broadcast(g, n, a, b, &extra))
            return -1;
        r = a->rank;
        memcpy(dims, a->dims, sizeof(int64_t) * (size_t)r);
    } else if (fc_broadcast_shape(g, n, a->rank, a->dims, b->rank, b->dims, &r, dims)) {
        return -1;
    }

    if (bop == BOP_POW) {
        int af = dt_class(a->dtype) == C_FLOAT, bf = dt_class(b->dtype) == C_FLOAT;
        if (af)
            ct = (a->dtype == FC_DT_F64 || b->dtype == FC_DT_F64) ? FC_DT_F64 : FC_DT_F32;
        else if (bf)
            ct = FC_DT_F64; /* integer base, float exponent: pow in double, truncated */
        else if (a->dtype == FC_DT_U64)
            ct = FC_DT_U64;
        else
            ct = FC_DT_I64;
    } else if (bop == BOP_SHL || bop == BOP_SHR) {
        ct = FC_DT_U64; /* the store truncates to the operand width, as a narrow shift does */
    } else {
        ct = compute_dtype(a->dtype);
    }
    if (fc_set_out(g, n, 0, out_bool ? FC_DT_BOOL : a->dtype, r, dims))
        return -1;
    ia = fc_pack_ints(g, n, 3);
    ia[0] = bop;
    ia[1] = ct;
    ia[2] = extra;
    return 0;
}

/* ---- Max / Min / Sum / Mean --------------------------------------------------------------- */

int fc_prep_variadic(FcGraph *g, FcNode *n)
{
    int bop, cls, r, mean = 0;
    int64_t dims[FC_MAX_RANK], *ia;
    FcValue *x0 = fc_in(g, n, 0);
    switch (n->op) {
    case FC_OP_MAX: bop = BOP_MAX; cls = C_NUM; break;
    case FC_OP_MIN: bop = BOP_MIN; cls = C_NUM; break;
    case FC_OP_SUM: bop = BOP_ADD; cls = C_FLOAT; break;
    case FC_OP_MEAN: bop = BOP_ADD; cls = C_FLOAT; mean = 1; break;
    default:
        return fc_err(g, n, "not a variadic elementwise op");
    }
    if (n->nin < 1)
        return fc_err(g, n, "needs at least one input");
    for (int i = 0; i < n->nin; i++)
        if (check_dtype(g, n, i, cls) || check_same_dtype(g, n, 0, i))
            return -1;
    r = x0->rank;
    memcpy(dims, x0->dims, sizeof(int64_t) * (size_t)r);
    for (int i = 1; i < n->nin; i++) {
        FcValue *x = fc_in(g, n, i);
        int64_t prev[FC_MAX_RANK];
        memcpy(prev, dims, sizeof prev);
        if (fc_broadcast_shape(g, n, r, prev, x->rank, x->dims, &r, dims))
            return -1;
    }
    if (fc_set_out(g, n, 0, x0->dtype, r, dims))
        return -1;
    ia = fc_pack_ints(g, n, 3);
    ia[0] = bop;
    ia[1] = compute_dtype(x0->dtype);
    ia[2] = mean;
    return 0;
}

/* ---- Where -------------------------------------------------------------------------------- */

int fc_prep_where(FcGraph *g, FcNode *n)
{
    FcValue *c = fc_in(g, n, 0), *x = fc_in(g, n, 1), *y = fc_in(g, n, 2);
    int r, rcx;
    int64_t cx[FC_MAX_RANK], dims[FC_MAX_RANK];
    if (check_dtype(g, n, 0, C_BOOL) || check_dtype(g, n, 1, C_ANY) ||
        check_dtype(g, n, 2, C_ANY) || check_same_dtype(g, n, 1, 2))
        return -1;
    if (fc_broadcast_shape(g, n, c->rank, c->dims, x->rank, x->dims, &rcx, cx) ||
        fc_broadcast_shape(g, n, rcx, cx, y->rank, y->dims, &r, dims))
        return -1;
    return fc_set_out(g, n, 0, x->dtype, r, dims);
}

/* ---- Cast / CastLike ---------------------------------------------------------------------- */

/* Cast-1..5 name the target type with a string (TensorProto.DataType names). */
static int32_t dtype_from_name(const char *s)
{
    static const struct { const char *name; int32_t dt; } names[] = {
        {"FLOAT", FC_DT_F32}, {"UINT8", FC_DT_U8}, {"INT8", FC_DT_I8}, {"UINT16", FC_DT_U16},
        {"INT16", FC_DT_I16}, {"INT32", FC_DT_I32}, {"INT64", FC_DT_I64},
        {"STRING", FC_DT_STRING}, {"BOOL", FC_DT_BOOL}, {"FLOAT16", FC_DT_F16},
        {"DOUBLE", FC_DT_F64}, {"UINT32", FC_DT_U32}, {"UINT64", FC_DT_U64},
        {"BFLOAT16", 16}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (str_ieq(s, names[i].name))
            return names[i].dt;
    return -1;
}

int fc_prep_cast(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int32_t to;
    if (n->op == FC_OP_CAST_LIKE) {
        to = fc_in(g, n, 1)->dtype;
    } else {
        const FcAttr *a = fc_attr(n, "to");
        if (!a)
            return fc_err(g, n, "attribute 'to' is required");
        if (a->type == FC_ATTR_INT) {
            to = (int32_t)a->i;
        } else if (a->type == FC_ATTR_STRING) {
            to = dtype_from_name(a->s);
            if (to < 0)
                return fc_err(g, n, "unsupported target type '%s'", a->s);
        } else {
            return fc_err(g, n, "attribute 'to' must be an int or a string");
        }
    }
    if (x->dtype == FC_DT_STRING || to == FC_DT_STRING)
        return fc_err(g, n, "unsupported cast from %s to %s (strings are not supported)",
                      dt_name(g, x->dtype), dt_name(g, to));
    if (!dt_class(x->dtype))
        return fc_err(g, n, "unsupported dtype %s for input 0", dt_name(g, x->dtype));
    if (!dt_class(to))
        return fc_err(g, n, "unsupported target dtype %s", dt_name(g, to));
    return fc_set_out(g, n, 0, to, x->rank, x->dims);
}
