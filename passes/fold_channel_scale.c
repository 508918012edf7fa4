/* fold_channel_scale.c — a per-output-channel constant scale moves into the weights before it.
 *
 * Matches: y = Mul(L, g) (operands in either order) where L is the only reader's input from
 *   - FcLinear(x, W[K, N] [, b]) without activation, or MatMul(x, W[K, N]), W constant: g a
 *     float32 constant varying only along the last axis (N values, shape [N] or [1,..,1,N]);
 *   - Conv(x, W[Cout, ..] [, b]) (or FcConv without activation), W constant: g varying only
 *     along axis 1 (Cout values, shape [Cout, 1, .., 1] or [1, Cout, 1, .., 1]);
 * or g a single value; L read only by the Mul and no graph output; all of W, b, g float32
 * constants; y of L's shape. (ConvNeXt's layer scale gamma after the block's last linear.)
 * Produces: L with W'[.., n] = W[.., n] * g[n] (columns of W, rows of a Conv's W) and
 * b'[n] = b[n] * g[n], writing y; the Mul is dropped.
 * Must not fire: when L has an activation or another reader or is a graph output, when g is
 * not constant or varies along another axis, on non-constant weights.
 * Changes the last bits of results (the scale is rounded into each weight). */
#include <string.h>
#include "rewrite.h"

/* N (channel count) if constant `id` holds either one value or n values laid along axis
 * `axis` of a rank-r result (all its other dims 1, right-aligned); 0 otherwise. */
static int64_t scale_count(const FcGraph *g, int id, int r, int axis, int64_t n)
{
    const FcValue *c = fc_val(g, id);
    if (!fc_is_const(g, id) || c->dtype != FC_DT_F32 || c->rank > r)
        return 0;
    if (fc_value_numel(c) == 1)
        return 1;
    for (int i = 0; i < c->rank; i++) {
        int a = r - c->rank + i;
        if (c->dims[i] != (a == axis ? n : 1))
            return 0;
    }
    return n;
}

static int try_fold(FcGraph *g, const FcDefUse *du, FcNode *mul)
{
    for (int side = 0; side < 2; side++) {
        int lid = mul->in[side], gid = mul->in[1 - side];
        FcNode *l = lid >= 0 ? du->producer[lid] : NULL;
        if (!l || l->dead || l->out[0] != lid || du->uses[lid] != 1 || fc_val(g, lid)->is_output)
            continue;
        int conv = l->op == FC_OP_CONV || l->op == FC_OP_FC_CONV;
        int linear = l->op == FC_OP_FC_LINEAR || l->op == FC_OP_MAT_MUL;
        if ((!conv && !linear) || fc_attr_i(l, "activation", 0) != 0 || fc_attr(l, "out_axis"))
            continue; /* out_axis: the channels are not the last axis */
        const FcValue *w = fc_val(g, l->in[1]), *y = fc_val(g, lid);
        int bias = l->nin > 2 && l->in[2] >= 0;
        if (!fc_is_const(g, l->in[1]) || w->dtype != FC_DT_F32 || (linear && w->rank != 2) ||
            (bias && (!fc_is_const(g, l->in[2]) || fc_val(g, l->in[2])->dtype != FC_DT_F32)) ||
            y->rank < (conv ? 2 : 1))
            continue;
        const FcValue *o = fc_val(g, mul->out[0]);
        if (o->rank != y->rank || memcmp(o->dims, y->dims, sizeof(int64_t) * (size_t)o->rank))
            continue;
        int64_t n = conv ? w->dims[0] : w->dims[1];
        int64_t count = scale_count(g, gid, y->rank, conv ? 1 : y->rank - 1, n);
        if (!count)
            continue;
        const float *s = fc_val(g, gid)->data;
        int nw = fc_const_new(g, fc_arena_printf(&g->arena, "%s_scaled", w->name), FC_DT_F32,
                              w->rank, w->dims, w->data);
        float *wd = fc_val(g, nw)->data;
        int64_t total = fc_value_numel(w), per = conv ? total / (n ? n : 1) : 1;
        for (int64_t i = 0; i < total; i++)
            wd[i] *= s[count == 1 ? 0 : conv ? i / per : i % n];
        l->in[1] = nw;
        if (bias) {
            const FcValue *b = fc_val(g, l->in[2]);
            int nb = fc_const_new(g, fc_arena_printf(&g->arena, "%s_scaled", b->name),
                                  FC_DT_F32, b->rank, b->dims, b->data);
            float *bd = fc_val(g, nb)->data;
            for (int64_t i = 0; i < fc_value_numel(b); i++)
                bd[i] *= s[count == 1 ? 0 : i];
            l->in[2] = nb;
        }
        l->out[0] = mul->out[0];
        mul->dead = 1;
        fc_prepare_new_node(g, l);
        return 1;
    }
    return 0;
}

static int run_fold_channel_scale(FcGraph *g)
{
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *n = g->top.nodes[i];
        if (n->dead || n->op != FC_OP_MUL)
            continue;
        FcDefUse du;
        fc_defuse_build(g, &du);
        changes += try_fold(g, &du, n);
        fc_defuse_free(&du);
    }
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fold_channel_scale = {
    "fold-channel-scale", "FcLinear/MatMul/Conv (no activation) * per-output-channel constant "
    "-> scaled weights and bias", FC_LEVELS(0, 0, 1, 1), run_fold_channel_scale};
