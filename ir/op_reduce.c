/* op_reduce.c — prepare functions of the reduce group: Reduce* (ReduceSum, ReduceMean,
 * ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp,
 * ReduceSumSquare), ArgMax/ArgMin, Softmax/LogSoftmax/Hardmax, TopK and CumSum.
 * Kernels: runtime/k_reduce.c, k_argmax.c, k_softmax.c, k_topk.c, k_cumsum.c; each kernel's
 * parameter layout is documented there and packed here. */
#include <string.h>
#include "ir.h"

/* Defined in runtime/k_reduce.c (the kernel decides how much scratch it uses). */
int64_t fc_rt_reduce_scratch_bytes(const FcRtTensor *x, int64_t code, int64_t mask);

/* Reduction codes of k_reduce.c (ia[0]). */
enum {
    RED_SUM = 0, RED_MEAN = 1, RED_MAX = 2, RED_MIN = 3, RED_PROD = 4, RED_L1 = 5, RED_L2 = 6,
    RED_LOGSUM = 7, RED_LOGSUMEXP = 8, RED_SUMSQ = 9
};

/* Element types the selection / reduction kernels are instantiated for. */
static int numeric_dtype(int32_t dt)
{
    switch (dt) {
    case FC_DT_F32: case FC_DT_F64: case FC_DT_I8: case FC_DT_U8: case FC_DT_I16:
    case FC_DT_U16: case FC_DT_I32: case FC_DT_U32: case FC_DT_I64: case FC_DT_U64:
        return 1;
    default:
        return 0;
    }
}

static int64_t dims_prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

/* Input i (the op's input `name`) as a compile-time integer constant: its element count, or
 * -1 after an error. Absent input: returns -2. */
static int64_t const_input_ints(FcGraph *g, FcNode *n, int i, const char *name, int64_t *buf,
                                int64_t max)
{
    FcValue *v = fc_in(g, n, i);
    if (!v)
        return -2;
    if (v->kind != FC_VAL_CONST && v->rank >= 0 && fc_value_numel(v) == 0)
        return 0; /* an empty tensor is known from its shape alone */
    if (v->kind != FC_VAL_CONST)
        return fc_err_need_const(g, n, name, v);
    if (!fc_dtype_is_int(v->dtype))
        return fc_err(g, n, "input '%s' must be an integer tensor (got %s)", name,
                      fc_dtype_name(v->dtype));
    int64_t cnt = fc_const_ints(g, v, buf, max);
    if (cnt > max)
        return fc_err(g, n, "input '%s' has too many elements (%lld)", name, (long long)cnt);
    return cnt;
}

/* ---- Reduce* --------------------------------------------------------------------- */

static int reduce_code(int op)
{
    switch (op) {
    case FC_OP_REDUCE_SUM: return RED_SUM;
    case FC_OP_REDUCE_MEAN: return RED_MEAN;
    case FC_OP_REDUCE_MAX: return RED_MAX;
    case FC_OP_REDUCE_MIN: return RED_MIN;
    case FC_OP_REDUCE_PROD: return RED_PROD;
    case FC_OP_REDUCE_L1: return RED_L1;
    case FC_OP_REDUCE_L2: return RED_L2;
    case FC_OP_REDUCE_LOG_SUM: return RED_LOGSUM;
    case FC_OP_REDUCE_LOG_SUM_EXP: return RED_LOGSUMEXP;
    default: return RED_SUMSQ;
    }
}

/* ia = {code, reduced-axes mask}; see runtime/k_reduce.c. */
int fc_prep_reduce(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int code = reduce_code(n->op);
    int rank = x->rank;
    if (!numeric_dtype(x->dtype) &&
        !(x->dtype == FC_DT_BOOL && (code == RED_MAX || code == RED_MIN)))
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(x->dtype));

    /* axes: an attribute up to opset 12 (ReduceSum) / 17 (the others), then an input. */
    int axes_input = g->opset >= (n->op == FC_OP_REDUCE_SUM ? 13 : 18);
    int64_t axes[64];
    int64_t naxes = 0;
    int noop = 0;
    if (axes_input) {
        if (fc_attr(n, "axes"))
            return fc_err(g, n, "attribute 'axes' is not allowed at opset %lld (axes is an input)",
                          (long long)g->opset);
        naxes = const_input_ints(g, n, 1, "axes", axes, 64);
        if (naxes == -1)
            return -1;
        if (naxes < 0)
            naxes = 0;
        noop = fc_attr_i(n, "noop_with_empty_axes", 0) != 0;
    } else {
        if (fc_in(g, n, 1))
            return fc_err(g, n, "input 'axes' needs opset %d or later (this model has opset %lld)",
                          n->op == FC_OP_REDUCE_SUM ? 13 : 18, (long long)g->opset);
        const int64_t *av;
        int na = fc_attr_ints(n, "axes", &av);
        if (na > 64)
            return fc_err(g, n, "too many axes (%d)", na);
        for (int i = 0; i < na; i++)
            axes[i] = av[i];
        naxes = na > 0 ? na : 0;
    }
    int64_t keepdims = fc_attr_i(n, "keepdims", 1);

    int64_t mask = 0;
    if (naxes == 0) {
        if (!noop)
            mask = rank > 0 ? ((int64_t)1 << rank) - 1 : 0;
    } else {
        for (int64_t i = 0; i < naxes; i++) {
            int64_t a;
            if (fc_norm_axis(g, n, axes[i], rank, &a))
                return -1;
            if (mask >> a & 1)
                return fc_err(g, n, "axis %lld is listed twice", (long long)axes[i]);
            mask |= (int64_t)1 << a;
        }
    }

    int64_t od[FC_MAX_RANK];
    int orank = 0;
    for (int a = 0; a < rank; a++) {
        if (!(mask >> a & 1))
            od[orank++] = x->dims[a];
        else if (keepdims)
            od[orank++] = 1;
    }
    if (fc_set_out(g, n, 0, x->dtype, orank, od))
        return -1;

    int64_t *ia = fc_pack_ints(g, n, 2);
    ia[0] = code;
    ia[1] = mask;
    FcRtTensor xt;
    memset(&xt, 0, sizeof xt);
    xt.dtype = x->dtype;
    xt.rank = rank;
    for (int a = 0; a < rank; a++)
        xt.dims[a] = x->dims[a];
    n->scratch_bytes = fc_rt_reduce_scratch_bytes(&xt, code, mask);
    return 0;
}

/* ---- ArgMax / ArgMin --------------------------------------------------------------- */

/* ia = {0 max / 1 min, outer, R, inner, select_last_index}; see runtime/k_argmax.c. */
int fc_prep_argminmax(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (!numeric_dtype(x->dtype))
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(x->dtype));
    int64_t axis;
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", 0), x->rank, &axis))
        return -1;
    int64_t keepdims = fc_attr_i(n, "keepdims", 1);
    int64_t last = g->opset >= 12 ? fc_attr_i(n, "select_last_index", 0) : 0;
    int64_t outer = dims_prod(x->dims, 0, (int)axis);
    int64_t R = x->dims[axis];
    int64_t inner = dims_prod(x->dims, (int)axis + 1, x->rank);
    if (R == 0 && outer * inner > 0)
        return fc_err(g, n, "axis %lld has size 0 (no element to select)", (long long)axis);

    int64_t od[FC_MAX_RANK];
    int orank = 0;
    for (int a = 0; a < x->rank; a++) {
        if (a != axis)
            od[orank++] = x->dims[a];
        else if (keepdims)
            od[orank++] = 1;
    }
    if (fc_set_out(g, n, 0, FC_DT_I64, orank, od))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 5);
    ia[0] = n->op == FC_OP_ARG_MIN;
    ia[1] = outer;
    ia[2] = R;
    ia[3] = inner;
    ia[4] = last != 0;
    n->scratch_bytes = inner > 1 ? inner * (int64_t)fc_rt_dtype_size(x->dtype) : 0;
    return 0;
}

/* ---- Softmax / LogSoftmax / Hardmax --------------------------------------------------- */

/* ia = {0 softmax / 1 logsoftmax / 2 hardmax, outer, R, inner}; see runtime/k_softmax.c. */
int fc_prep_softmax(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (x->dtype != FC_DT_F32 && x->dtype != FC_DT_F64)
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(x->dtype));
    int v13 = g->opset >= 13;
    int64_t axis;
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", v13 ? -1 : 1), x->rank, &axis))
        return -1;
    int64_t outer = dims_prod(x->dims, 0, (int)axis), R, inner;
    if (v13) {
        /* along `axis` */
        R = x->dims[axis];
        inner = dims_prod(x->dims, (int)axis + 1, x->rank);
    } else {
        /* coerced to 2-D [outer, everything from axis on] */
        R = dims_prod(x->dims, (int)axis, x->rank);
        inner = 1;
    }
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 4);
    ia[0] = n->op == FC_OP_SOFTMAX ? 0 : n->op == FC_OP_LOG_SOFTMAX ? 1 : 2;
    ia[1] = outer;
    ia[2] = R;
    ia[3] = inner;
    n->scratch_bytes = inner > 1 ? inner * ((int64_t)fc_rt_dtype_size(x->dtype) + 8) : 0;
    return 0;
}

/* ---- TopK ------------------------------------------------------------------------------ */

/* ia = {outer, R, inner, k, largest}; see runtime/k_topk.c. */
int fc_prep_topk(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (!numeric_dtype(x->dtype))
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(x->dtype));
    int64_t k;
    if (g->opset < 10) {
        if (fc_in(g, n, 1))
            return fc_err(g, n, "input 'K' needs opset 10 or later (this model has opset %lld)",
                          (long long)g->opset);
        const FcAttr *ka = fc_attr(n, "k");
        if (!ka || ka->type != FC_ATTR_INT)
            return fc_err(g, n, "missing attribute 'k'");
        k = ka->i;
    } else {
        int64_t kb[1];
        int64_t cnt = const_input_ints(g, n, 1, "K", kb, 1);
        if (cnt == -1)
            return -1;
        if (cnt == -2)
            return fc_err(g, n, "missing input 'K'");
        if (cnt != 1)
            return fc_err(g, n, "input 'K' must hold exactly one element (got %lld)",
                          (long long)cnt);
        k = kb[0];
    }
    if (x->rank == 0)
        return fc_err(g, n, "input must have rank >= 1");
    int64_t axis;
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", -1), x->rank, &axis))
        return -1;
    int64_t largest = g->opset >= 11 ? fc_attr_i(n, "largest", 1) : 1;
    /* sorted=0 leaves the order unspecified: the sorted order is a valid one. */
    int64_t R = x->dims[axis];
    if (k < 0 || k > R)
        return fc_err(g, n, "k = %lld is out of range for axis %lld of size %lld", (long long)k,
                      (long long)axis, (long long)R);
    int64_t od[FC_MAX_RANK];
    for (int a = 0; a < x->rank; a++)
        od[a] = a == axis ? k : x->dims[a];
    if (fc_set_out(g, n, 0, x->dtype, x->rank, od) ||
        fc_set_out(g, n, 1, FC_DT_I64, x->rank, od))
        return -1;
    int64_t inner = dims_prod(x->dims, (int)axis + 1, x->rank);
    int64_t *ia = fc_pack_ints(g, n, 5);
    ia[0] = dims_prod(x->dims, 0, (int)axis);
    ia[1] = R;
    ia[2] = inner;
    ia[3] = k;
    ia[4] = largest != 0;
    n->scratch_bytes = k * 8 + (inner > 1 ? R * (int64_t)fc_rt_dtype_size(x->dtype) : 0);
    return 0;
}

/* ---- CumSum ---------------------------------------------------------------------------- */

/* ia = {outer, R, inner, exclusive, reverse}; see runtime/k_cumsum.c. */
int fc_prep_cumsum(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    switch (x->dtype) {
    case FC_DT_F32: case FC_DT_F64: case FC_DT_I32: case FC_DT_U32: case FC_DT_I64:
    case FC_DT_U64:
        break;
    default:
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(x->dtype));
    }
    int64_t ab[1];
    int64_t cnt = const_input_ints(g, n, 1, "axis", ab, 1);
    if (cnt == -1)
        return -1;
    if (cnt == -2)
        return fc_err(g, n, "missing input 'axis'");
    if (cnt != 1)
        return fc_err(g, n, "input 'axis' must hold exactly one element (got %lld)",
                      (long long)cnt);
    if (x->rank == 0)
        return fc_err(g, n, "input must have rank >= 1");
    int64_t axis;
    if (fc_norm_axis(g, n, ab[0], x->rank, &axis))
        return -1;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 5);
    ia[0] = dims_prod(x->dims, 0, (int)axis);
    ia[1] = x->dims[axis];
    ia[2] = dims_prod(x->dims, (int)axis + 1, x->rank);
    ia[3] = fc_attr_i(n, "exclusive", 0) != 0;
    ia[4] = fc_attr_i(n, "reverse", 0) != 0;
    n->scratch_bytes = 0;
    return 0;
}
