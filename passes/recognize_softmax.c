/* recognize_softmax.c — decomposed softmax becomes one Softmax node.
 *
 * Matches (opset >= 13, where Softmax normalizes along one axis):
 *   e = Exp(x - ReduceMax(x, axes=[a], keepdims=1))  or  e = Exp(x);
 *   y = Div(e, ReduceSum(e, axes=[a], keepdims=1))
 * with the same single axis a in both reductions (attribute or constant input).
 * Produces: Softmax(x) {axis=a} in place of the Div.
 * Must not fire: before opset 13 (Softmax then flattens trailing axes), on several axes, with
 * keepdims=0, or when an inner value (other than e, read by the Div and the ReduceSum) has
 * another reader. Exact in intent (the kernel also subtracts the max; last bits may differ,
 * and the form without the max becomes more robust to overflow). */
#include <string.h>
#include "rewrite.h"

/* The single reduced axis of a ReduceMax/ReduceSum with keepdims=1, normalized; -1 if not. */
static int single_axis(FcGraph *g, const FcNode *n)
{
    const FcValue *x = fc_val(g, n->in[0]);
    int64_t axes[2];
    const int64_t *attr;
    int64_t count;
    if (fc_attr_i(n, "keepdims", 1) != 1)
        return -1;
    if (n->nin > 1 && n->in[1] >= 0) {
        count = fc_const_ints(g, fc_val(g, n->in[1]), axes, 2);
    } else {
        count = fc_attr_ints(n, "axes", &attr);
        if (count == 1)
            axes[0] = attr[0];
    }
    if (count != 1 || axes[0] < -x->rank || axes[0] >= x->rank)
        return -1;
    return (int)(axes[0] < 0 ? axes[0] + x->rank : axes[0]);
}

static int try_match(FcGraph *g, const FcDefUse *du, FcNode *div)
{
    FcNode *sum = fc_producer_op(du, div->in[1], FC_OP_REDUCE_SUM);
    FcNode *exp = fc_producer_op(du, div->in[0], FC_OP_EXP);
    int e = div->in[0];
    if (!sum || !exp || sum->in[0] != e || du->uses[e] != 2 || fc_val(g, e)->is_output ||
        du->uses[sum->out[0]] != 1 || fc_val(g, sum->out[0])->is_output)
        return 0;
    int axis = single_axis(g, sum);
    if (axis < 0 || fc_val(g, e)->dtype != FC_DT_F32)
        return 0;
    int x = exp->in[0];
    FcNode *dead[4] = {exp, sum, NULL, NULL};
    int ndead = 2;
    FcNode *sub = fc_producer_op(du, x, FC_OP_SUB);
    if (sub && du->uses[x] == 1 && !fc_val(g, x)->is_output) {
        FcNode *max = fc_producer_op(du, sub->in[1], FC_OP_REDUCE_MAX);
        if (max && max->in[0] == sub->in[0] && du->uses[sub->in[1]] == 1 &&
            single_axis(g, max) == axis) {
            dead[ndead++] = sub;
            dead[ndead++] = max;
            x = sub->in[0];
        }
    }
    for (int i = 0; i < ndead; i++)
        dead[i]->dead = 1;
    fc_node_reset(g, div, FC_OP_SOFTMAX, 1, &x);
    fc_node_add_attr_int(g, div, "axis", axis);
    fc_prepare_new_node(g, div);
    return 1;
}

static int run_recognize_softmax(FcGraph *g)
{
    if (g->opset < 13)
        return 0;
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++)
        if (!g->top.nodes[i]->dead && g->top.nodes[i]->op == FC_OP_DIV)
            changes += try_match(g, &du, g->top.nodes[i]);
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_recognize_softmax = {
    "recognize-softmax", "Exp(x - ReduceMax) / ReduceSum(...) over one axis -> one Softmax node",
    FC_LEVELS(0, 0, 1, 1), run_recognize_softmax};
