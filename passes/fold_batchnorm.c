/* fold_batchnorm.c — Conv followed by BatchNormalization becomes one Conv.
 *
 * Matches: y = Conv(x, W[, b]) read only by an inference-mode BatchNormalization(y, scale,
 * B, mean, var) with one output, W, b and the four BN parameters all float32 constants.
 * Produces: Conv(x, W', b') with W'[o] = W[o] * s[o], b'[o] = (b[o] - mean[o]) * s[o] + B[o],
 * s = scale / sqrt(var + epsilon), writing the BN's output.
 * Must not fire: when y has another reader, when any parameter is not constant, or in
 * training mode. Changes the last bits of results (one rounding moves into the weights). */
#include <math.h>
#include <string.h>
#include "rewrite.h"

static int all_const_f32(const FcGraph *g, const FcNode *n, int from)
{
    for (int i = from; i < n->nin; i++)
        if (n->in[i] < 0 || !fc_is_const(g, n->in[i]) || fc_val(g, n->in[i])->dtype != FC_DT_F32)
            return 0;
    return 1;
}

static void fold(FcGraph *g, FcNode *conv, FcNode *bn)
{
    const FcValue *w = fc_val(g, conv->in[1]);
    int64_t cout = w->dims[0], per = fc_value_numel(w) / (cout ? cout : 1);
    const float *scale = fc_val(g, bn->in[1])->data, *beta = fc_val(g, bn->in[2])->data;
    const float *mean = fc_val(g, bn->in[3])->data, *var = fc_val(g, bn->in[4])->data;
    float eps = fc_attr_f(bn, "epsilon", 1e-5f);
    int nw = fc_const_new(g, fc_arena_printf(&g->arena, "%s_bnfolded", w->name), FC_DT_F32,
                          w->rank, w->dims, w->data);
    int nb = fc_const_new(g, fc_arena_printf(&g->arena, "%s_bnbias", bn->name), FC_DT_F32, 1,
                          &cout, NULL);
    float *wd = fc_val(g, nw)->data, *bd = fc_val(g, nb)->data;
    const float *old_b = conv->nin > 2 && conv->in[2] >= 0 ? fc_val(g, conv->in[2])->data : NULL;
    for (int64_t o = 0; o < cout; o++) {
        float s = scale[o] / sqrtf(var[o] + eps);
        for (int64_t k = 0; k < per; k++)
            wd[o * per + k] *= s;
        bd[o] = ((old_b ? old_b[o] : 0.0f) - mean[o]) * s + beta[o];
    }
    if (conv->nin < 3) {
        int *in = fc_arena_alloc(&g->arena, sizeof(int) * 3);
        memcpy(in, conv->in, sizeof(int) * (size_t)conv->nin);
        conv->in = in;
        conv->nin = 3;
    }
    conv->in[1] = nw;
    conv->in[2] = nb;
    conv->out[0] = bn->out[0];
    bn->dead = 1;
    fc_prepare_new_node(g, conv);
}

static int run_fold_batchnorm(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *bn = g->top.nodes[i];
        if (bn->op != FC_OP_BATCH_NORMALIZATION || bn->nout != 1 ||
            fc_attr_i(bn, "training_mode", 0) || !all_const_f32(g, bn, 1))
            continue;
        FcNode *conv = fc_producer_op(&du, bn->in[0], FC_OP_CONV);
        if (!conv || du.uses[bn->in[0]] != 1 || !all_const_f32(g, conv, 1) ||
            fc_val(g, bn->in[0])->is_output ||
            fc_value_numel(fc_val(g, bn->in[1])) != fc_val(g, conv->in[1])->dims[0])
            continue;
        fold(g, conv, bn);
        changes++;
    }
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fold_batchnorm = {
    "fold-batchnorm", "fold an inference BatchNormalization into the Conv before it",
    FC_LEVELS(0, 0, 1, 1), run_fold_batchnorm};
