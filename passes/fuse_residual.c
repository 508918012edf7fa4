/* fuse_residual.c — a residual Add after a linear layer moves into the layer's epilogue.
 *
 * Matches: Add(Y, R) or Add(R, Y) where Y is the result of an FcLinear without a residual
 * (any bias, any activation), Y is read only by this Add and is no graph output, and R is a
 * float32 value (not Y) of exactly Y's shape -- so is the Add's result: no broadcasting.
 * Produces: FcLinear(X, W, B or absent, R) {activation} = act(X @ W + B) + R (runtime
 * k_linear.c adds R to each block of output while it is in cache) writing the Add's result; the
 * node takes the Add's place in the order, where R is computed.
 * Must not fire: when the Add broadcasts either operand (a bias-like or scalar addend), when
 * Y has another reader or is a graph output, when the FcLinear already has a residual, on
 * non-float32 data. Exact: the same additions in the same order (Add after the activation);
 * a + b == b + a in IEEE arithmetic, so the operand order of the Add does not matter. */
#include <string.h>
#include "rewrite.h"

static int same_dims(const FcValue *a, const FcValue *b)
{
    return a->rank == b->rank && memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0;
}

static int fuse(FcGraph *g, const FcDefUse *du, FcNode *add)
{
    if (add->nin != 2 || add->in[0] == add->in[1])
        return 0;
    for (int k = 0; k < 2; k++) {
        int y = add->in[k], r = add->in[1 - k];
        FcNode *lin = fc_producer_op(du, y, FC_OP_FC_LINEAR);
        if (!lin || lin->dead || lin->nin > 3 || du->uses[y] != 1 || fc_val(g, y)->is_output)
            continue;
        const FcValue *yv = fc_val(g, y), *rv = fc_val(g, r), *ov = fc_val(g, add->out[0]);
        if (yv->dtype != FC_DT_F32 || rv->dtype != FC_DT_F32 || !same_dims(yv, rv) ||
            !same_dims(yv, ov))
            continue;
        int in[4] = {lin->in[0], lin->in[1], lin->nin > 2 ? lin->in[2] : -1, r};
        int64_t act = fc_attr_i(lin, "activation", 0);
        const FcAttr *axis = fc_attr(lin, "out_axis");
        int64_t out_axis = axis ? fc_attr_i(lin, "out_axis", 0) : -1;
        const char *name = lin->name;
        /* the Add's node becomes the layer: it runs where R is already computed */
        fc_node_reset(g, add, FC_OP_FC_LINEAR, 4, in);
        add->name = name;
        if (act)
            fc_node_add_attr_int(g, add, "activation", act);
        if (axis) /* fold-linear-transpose's layout: R has Y's (moved) shape */
            fc_node_add_attr_int(g, add, "out_axis", out_axis);
        lin->dead = 1;
        fc_prepare_new_node(g, add);
        return 1;
    }
    return 0;
}

static int run_fuse_residual(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++)
        if (g->top.nodes[i]->op == FC_OP_ADD && !g->top.nodes[i]->dead)
            changes += fuse(g, &du, g->top.nodes[i]);
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fuse_residual = {
    "fuse-residual", "FcLinear + Add(residual of the same shape) -> FcLinear with the residual "
    "added in its epilogue", FC_LEVELS(0, 0, 1, 1), run_fuse_residual};
