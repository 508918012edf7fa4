/* fold_linear_transpose.c — the Transpose after a linear layer that moves its output
 * features to another axis is written by the layer itself.
 *
 * Matches: Transpose(Y) where Y is the result of an FcLinear without a residual and without
 * out_axis (any bias, any activation), Y is read only by this Transpose and is no graph
 * output, and the perm takes Y's last axis to position a < rank - 1 and keeps the other axes
 * in their order: ConvNeXt's [N, H, W, C] block output going back to [N, C, H, W]
 * (perm [0, 3, 1, 2]).
 * Produces: FcLinear(X, W, B) {activation, out_axis=a} writing the Transpose's result;
 * runtime/k_linear.c stores each block of GEMM rows straight into that layout, so the
 * transposed copy is never made, and fuse-residual (which runs next) can then fold the
 * residual Add that usually follows.
 * Must not fire: for any other perm (one that reorders the leading axes too, or leaves the
 * last axis last), when Y has another reader or is a graph output, when the FcLinear has a
 * residual or already moves its axis. Exact: the same values, stored elsewhere. */
#include "rewrite.h"

/* The position a perm moves the last axis to, if it keeps the others in order; else -1. */
static int moved_last_axis(const int64_t *perm, int r)
{
    int a = -1;
    for (int i = 0, k = 0; i < r; i++) {
        if (perm[i] == r - 1) {
            a = i;
            continue;
        }
        if (perm[i] != k++)
            return -1;
    }
    return a < r - 1 ? a : -1;
}

static int fold(FcGraph *g, const FcDefUse *du, FcNode *tr)
{
    int y = tr->in[0];
    FcNode *lin = fc_producer_op(du, y, FC_OP_FC_LINEAR);
    if (!lin || lin->dead || lin->nin > 3 || fc_attr(lin, "out_axis") || du->uses[y] != 1 ||
        fc_val(g, y)->is_output)
        return 0;
    const int64_t *perm;
    int r = fc_val(g, y)->rank;
    if (fc_attr_ints(tr, "perm", &perm) != r || r < 2)
        return 0;
    int a = moved_last_axis(perm, r);
    if (a < 0)
        return 0;
    int in[3] = {lin->in[0], lin->in[1], lin->nin > 2 ? lin->in[2] : -1};
    int64_t act = fc_attr_i(lin, "activation", 0);
    const char *name = lin->name;
    fc_node_reset(g, tr, FC_OP_FC_LINEAR, lin->nin > 2 ? 3 : 2, in);
    tr->name = name;
    if (act)
        fc_node_add_attr_int(g, tr, "activation", act);
    fc_node_add_attr_int(g, tr, "out_axis", a);
    lin->dead = 1;
    fc_prepare_new_node(g, tr);
    return 1;
}

static int run_fold_linear_transpose(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++)
        if (g->top.nodes[i]->op == FC_OP_TRANSPOSE && !g->top.nodes[i]->dead)
            changes += fold(g, &du, g->top.nodes[i]);
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fold_linear_transpose = {
    "fold-linear-transpose", "FcLinear + Transpose moving its output features to another axis "
    "-> FcLinear writing that layout (out_axis)", FC_LEVELS(0, 0, 1, 1),
    run_fold_linear_transpose};
