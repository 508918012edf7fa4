/* recognize_layernorm.c — decomposed LayerNorm becomes one LayerNormalization node.
 *
 * Matches (torch's export, operands of Add/Mul in either order):
 *   m = ReduceMean(x, axes=A, keepdims=1);  d = Sub(x, m);  q = Pow(d, 2) or Mul(d, d);
 *   v = ReduceMean(q, axes=A, keepdims=1);  s = Sqrt(Add(v, eps));  n = Div(d, s);
 *   [n = Mul(n, gamma)];  [n = Add(n, beta)]
 * where A is the trailing axes {r-k, ..., r-1} (as attribute or constant input) and eps,
 * gamma, beta are constants with gamma/beta broadcasting over those axes only.
 * Produces: LayerNormalization(x, gamma (ones if absent), beta) {axis=r-k, epsilon=eps}.
 * Must not fire: when an inner value has other readers, axes are not trailing, or the two
 * means reduce different axes. The kernel computes the same statistics in one pass over
 * each row, so results agree to rounding (last bits). */
#include <string.h>
#include "rewrite.h"

/* First reduced axis if `n` (ReduceMean, keepdims=1) reduces exactly the trailing axes of
 * its input; -1 otherwise. */
static int trailing_axis(FcGraph *g, const FcNode *n)
{
    const FcValue *x = fc_val(g, n->in[0]);
    int64_t axes[FC_MAX_RANK];
    int count;
    const int64_t *attr;
    if (fc_attr_i(n, "keepdims", 1) != 1)
        return -1;
    if (n->nin > 1 && n->in[1] >= 0) {
        int64_t c = fc_const_ints(g, fc_val(g, n->in[1]), axes, FC_MAX_RANK);
        if (c < 1 || c > x->rank)
            return -1;
        count = (int)c;
    } else {
        count = fc_attr_ints(n, "axes", &attr);
        if (count < 1 || count > x->rank)
            return -1;
        memcpy(axes, attr, sizeof(int64_t) * (size_t)count);
    }
    int seen[FC_MAX_RANK] = {0};
    for (int i = 0; i < count; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < x->rank - count || a >= x->rank || seen[a]++)
            return -1;
    }
    return x->rank - count;
}

/* gamma/beta must broadcast over the normalized axes only (shape = a suffix of x's). */
static int suffix_shaped(const FcGraph *g, int id, const FcValue *x, int axis)
{
    const FcValue *c = fc_val(g, id);
    if (!fc_is_const(g, id) || c->dtype != x->dtype || c->rank > x->rank - axis)
        return 0;
    for (int i = 0; i < c->rank; i++)
        if (c->dims[c->rank - 1 - i] != x->dims[x->rank - 1 - i])
            return 0;
    return 1;
}

static int try_match(FcGraph *g, const FcDefUse *du, FcNode *mean)
{
    int x = mean->in[0];
    int axis = trailing_axis(g, mean);
    if (axis < 0 || fc_val(g, x)->dtype != FC_DT_F32)
        return 0;
    /* d = x - mean: mean's only reader is that Sub. */
    FcNode *sub = fc_sole_reader_op(g, du, mean->out[0], FC_OP_SUB);
    if (!sub || sub->in[0] != x || sub->in[1] != mean->out[0])
        return 0;
    int d = sub->out[0];
    if (du->uses[d] != 2 || fc_val(g, d)->is_output)
        return 0;
    /* d's two readers: the square and the final Div. Find them among the producers. */
    FcNode *sq = NULL, *div = NULL;
    for (int v = 0; v < du->nvals; v++) {
        FcNode *n = du->producer[v];
        if (!n || n->dead || n->out[0] != v)
            continue;
        double e;
        if (!sq && ((n->op == FC_OP_POW && n->in[0] == d && fc_const_uniform(g, n->in[1], &e) &&
                     e == 2.0) || (n->op == FC_OP_MUL && n->in[0] == d && n->in[1] == d)))
            sq = n;
        else if (!div && n->op == FC_OP_DIV && n->in[0] == d)
            div = n;
    }
    if (!sq || !div)
        return 0;
    FcNode *var = fc_sole_reader_op(g, du, sq->out[0], FC_OP_REDUCE_MEAN);
    if (!var || trailing_axis(g, var) != axis)
        return 0;
    FcNode *addeps = fc_sole_reader_op(g, du, var->out[0], FC_OP_ADD);
    double eps;
    int e_id = addeps ? (addeps->in[0] == var->out[0] ? addeps->in[1] : addeps->in[0]) : -1;
    if (!addeps || !fc_const_uniform(g, e_id, &eps) || eps < 0)
        return 0;
    FcNode *sqrt = fc_sole_reader_op(g, du, addeps->out[0], FC_OP_SQRT);
    if (!sqrt || div->in[1] != sqrt->out[0] || du->uses[sqrt->out[0]] != 1)
        return 0;
    FcNode *last = div, *dead[8] = {mean, sub, sq, var, addeps, sqrt, NULL, NULL};
    int ndead = 6, gamma = -1, beta = -1;
    const FcValue *xv = fc_val(g, x);
    FcNode *mul = fc_sole_reader_op(g, du, div->out[0], FC_OP_MUL);
    if (mul) {
        int c = mul->in[0] == div->out[0] ? mul->in[1] : mul->in[0];
        if (suffix_shaped(g, c, xv, axis)) {
            gamma = c;
            dead[ndead++] = last;
            last = mul;
        }
    }
    FcNode *add = fc_sole_reader_op(g, du, last->out[0], FC_OP_ADD);
    if (add) {
        int c = add->in[0] == last->out[0] ? add->in[1] : add->in[0];
        if (suffix_shaped(g, c, xv, axis)) {
            beta = c;
            dead[ndead++] = last;
            last = add;
        }
    }
    if (gamma < 0) {
        int64_t dims[FC_MAX_RANK];
        int rank = xv->rank - axis;
        memcpy(dims, xv->dims + axis, sizeof(int64_t) * (size_t)rank);
        gamma = fc_const_new(g, fc_arena_printf(&g->arena, "%s_ones", mean->name), FC_DT_F32,
                             rank, dims, NULL);
        float *one = fc_val(g, gamma)->data;
        for (int64_t i = 0; i < fc_value_numel(fc_val(g, gamma)); i++)
            one[i] = 1.0f;
    }
    int in[3] = {x, gamma, beta};
    for (int i = 0; i < ndead; i++)
        dead[i]->dead = 1;
    fc_node_reset(g, last, FC_OP_LAYER_NORMALIZATION, beta >= 0 ? 3 : 2, in);
    fc_node_add_attr_int(g, last, "axis", axis);
    fc_node_add_attr_float(g, last, "epsilon", (float)eps);
    fc_prepare_new_node(g, last);
    return 1;
}

static int run_recognize_layernorm(FcGraph *g)
{
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *n = g->top.nodes[i];
        if (n->dead || n->op != FC_OP_REDUCE_MEAN)
            continue;
        FcDefUse du;
        fc_defuse_build(g, &du);
        changes += try_match(g, &du, n);
        fc_defuse_free(&du);
    }
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_recognize_layernorm = {
    "recognize-layernorm", "decomposed LayerNorm (ReduceMean/Sub/Pow/.../Div/Mul/Add) -> one "
    "LayerNormalization node", FC_LEVELS(0, 0, 1, 1), run_recognize_layernorm};
