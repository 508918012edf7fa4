/* fold_constants.c — constant folding.
 *
 * Matches: any node (not control flow) whose inputs are all constants — for example torch's
 * Transpose(W) before a MatMul, Cast or Reshape of initializers, arithmetic on constants.
 * Produces: its outputs as constants, computed now with the runtime kernels themselves, so a
 * folded result is bit-identical to what the program would have computed.
 * Must not fire: on If; when the result would be both large (> 1 MiB) and larger than its
 * inputs (Expand/Tile/ConstantOfShape of a big shape): that would bloat the weights. */
#include "rewrite.h"

#define FOLD_MAX_GROWTH (1 << 20)

static int worth_folding(FcGraph *g, const FcNode *n)
{
    size_t in = 0, out = 0;
    for (int i = 0; i < n->nin; i++)
        if (n->in[i] >= 0)
            in += fc_value_bytes(fc_val(g, n->in[i]));
    for (int i = 0; i < n->nout; i++)
        if (n->out[i] >= 0)
            out += fc_value_bytes(fc_val(g, n->out[i]));
    return out <= FOLD_MAX_GROWTH || out <= in;
}

static int fold_block(FcGraph *g, FcBlock *b)
{
    int changes = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += fold_block(g, n->branch[br]);
        if (fc_ops[n->op].flags & FC_F_NOFOLD)
            continue;
        int all_const = 1;
        for (int k = 0; k < n->nin; k++)
            all_const &= n->in[k] < 0 || fc_is_const(g, n->in[k]);
        if (!all_const || !worth_folding(g, n))
            continue;
        if (fc_eval_node(g, n))
            return -1;
        n->dead = 1;
        changes++;
    }
    fc_block_sweep(b);
    return changes;
}

static int run_fold_constants(FcGraph *g)
{
    return fold_block(g, &g->top);
}

const FcPass fc_pass_fold_constants = {
    "fold-constants", "evaluate nodes whose inputs are all constants at compile time",
    FC_LEVELS(0, 1, 1, 1), run_fold_constants};
