/* channels_first.c — a channels-last detour between two Transposes is computed channels-first.
 *
 * Matches (PyTorch exports of ConvNeXt-style blocks, and any model doing the same dance):
 *   t = Transpose(x) {perm=[0,2,..,r-1,1]}   (channels to the end)
 *   a chain of nodes, each reading the previous result as its only region operand:
 *     - LayerNormalization over exactly the last axis, constant Scale / B of C values;
 *     - FcLinear or MatMul with a constant 2-D weight W[K, N] (and constant bias), r <= 5;
 *     - elementwise ops whose other operands are constants varying along the last axis only
 *       (shape [C] or [1,..,1,C]) or single values;
 *   y = Transpose(chain result) {perm=[0,r-1,1,..,r-2]}  (channels back to axis 1)
 * with every value from t to the chain result read only by the next member (and no graph
 * output), f32 data and rank 3..8 (r <= 5 when the chain holds a linear).
 * Produces the chain on x itself, in its channels-first layout, and drops both Transposes:
 *   LayerNormalization -> FcChannelNorm(x, Scale[C,1,..], B[C,1,..])  (runtime/k_norm.c);
 *   FcLinear / MatMul  -> 1x1 Conv(x, W^T[N,K,1,..], b), FcConv {activation} when it had one;
 *   elementwise        -> the same op, constants reshaped to [C,1,..,1] (broadcast on axis 1).
 * When the chain starts with such a LayerNorm but does not lead back (a linear, another op,
 * a value read twice), the first Transpose and the LayerNorm alone become
 * FcChannelNorm(x, ..) {channels_last=1}: the norm reads x channels-first and writes the
 * LayerNorm's result in its channels-last layout (ConvNeXt's blocks, whose linears stay
 * FcLinear).
 * Must not fire: on other perms or ranks, a LayerNorm over other axes, a region value with
 * another reader or that is a graph output, a chain that does not end in the inverse
 * Transpose, constants that vary along other axes, non-constant weights.
 * Results: bit-identical for norms and elementwise ops (FcChannelNorm computes LayerNorm's
 * statistics term for term); a linear's 1x1 Conv may sum its dot products in another order
 * than FcLinear (last bits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rewrite.h"

#define MAX_CHAIN 64

static int perm_is(const FcNode *t, int rank, int to_last)
{
    const int64_t *perm;
    if (t->op != FC_OP_TRANSPOSE || fc_attr_ints(t, "perm", &perm) != rank)
        return 0;
    for (int i = 1; i < rank; i++) {
        int64_t want = to_last ? (i == rank - 1 ? 1 : i + 1) : (i == 1 ? rank - 1 : i - 1);
        if (perm[i] != want)
            return 0;
    }
    return perm[0] == 0;
}

/* Constant `id` varies only along the last axis of a rank-r tensor with c channels there
 * (shape [.., 1, c] or [.., 1, 1]: at most r dims, all but the last 1). */
static int last_axis_const(const FcGraph *g, int id, int r, int64_t c)
{
    const FcValue *v = fc_val(g, id);
    if (!fc_is_const(g, id) || v->rank > r)
        return 0;
    for (int i = 0; i + 1 < v->rank; i++)
        if (v->dims[i] != 1)
            return 0;
    return v->rank == 0 || v->dims[v->rank - 1] == c || v->dims[v->rank - 1] == 1;
}

/* The same constant laid out along axis 1 of a rank-r tensor: [c', 1, .., 1] of rank r-1
 * (single values are kept as they are). The element order does not change. */
static int to_axis1(FcGraph *g, int id, int r)
{
    const FcValue *v = fc_val(g, id);
    int64_t dims[FC_MAX_RANK], n = fc_value_numel(v);
    if (n == 1)
        return id;
    for (int i = 0; i < r - 1; i++)
        dims[i] = i == 0 ? n : 1;
    return fc_const_new(g, fc_arena_printf(&g->arena, "%s_cf", v->name), v->dtype, r - 1, dims,
                        v->data);
}

static int only_reads(const FcGraph *g, const FcDefUse *du, int id)
{
    return id >= 0 && du->uses[id] == 1 && !fc_val(g, id)->is_output;
}

/* Whether node n (reading region value `cur`, channels-last of rank r) has a channels-first
 * form. */
static int supported(const FcGraph *g, const FcDefUse *du, const FcNode *n, int cur, int r,
                     int linears)
{
    const FcValue *cv = fc_val(g, cur);
    int64_t c = cv->dims[r - 1];
    if (n->nout < 1 || n->out[0] < 0)
        return 0;
    for (int i = 1; i < n->nout; i++)
        if (n->out[i] >= 0 && (du->uses[n->out[i]] || fc_val(g, n->out[i])->is_output))
            return 0;
    int linear = n->op == FC_OP_FC_LINEAR || n->op == FC_OP_MAT_MUL;
    if ((linear || n->op == FC_OP_LAYER_NORMALIZATION) &&
        (n->in[0] != cur || cv->dtype != FC_DT_F32))
        return 0;
    if (linear && !linears)
        return 0;
    switch (n->op) {
    case FC_OP_LAYER_NORMALIZATION: {
        int64_t axis = fc_attr_i(n, "axis", -1);
        if (axis != -1 && axis != r - 1)
            return 0;
        for (int i = 1; i < n->nin; i++)
            if (n->in[i] >= 0 && (!last_axis_const(g, n->in[i], r, c) ||
                                  fc_val(g, n->in[i])->dtype != FC_DT_F32 ||
                                  fc_value_numel(fc_val(g, n->in[i])) != c))
                return 0;
        return fc_attr_i(n, "stash_type", 1) == 1;
    }
    case FC_OP_FC_LINEAR:
    case FC_OP_MAT_MUL: {
        const FcValue *w = fc_val(g, n->in[1]);
        if (r > 5 || fc_attr(n, "out_axis") || !fc_is_const(g, n->in[1]) || w->rank != 2 || w->dtype != FC_DT_F32)
            return 0;
        return n->nin < 3 || n->in[2] < 0 ||
               (fc_is_const(g, n->in[2]) && fc_value_numel(fc_val(g, n->in[2])) == w->dims[1]);
    }
    default:
        break;
    }
    if (!(fc_ops[n->op].flags & FC_F_ELEMWISE) || n->nout != 1)
        return 0;
    const FcValue *o = fc_val(g, n->out[0]);
    if (o->rank != r || memcmp(o->dims, cv->dims, sizeof(int64_t) * (size_t)r) != 0)
        return 0;
    int reads_cur = 0;
    for (int i = 0; i < n->nin; i++) {
        if (n->in[i] == cur)
            reads_cur = 1;
        else if (n->in[i] >= 0 && !last_axis_const(g, n->in[i], r, c))
            return 0;
    }
    return reads_cur;
}

/* 1x1 convolution weight [N, K, 1, ..] (rank r) from a linear's W[K, N]. */
static int conv_weight(FcGraph *g, int wid, int r)
{
    const FcValue *w = fc_val(g, wid);
    int64_t K = w->dims[0], N = w->dims[1], dims[FC_MAX_RANK];
    for (int i = 0; i < r; i++)
        dims[i] = i == 0 ? N : i == 1 ? K : 1;
    int id = fc_const_new(g, fc_arena_printf(&g->arena, "%s_conv", w->name), FC_DT_F32, r, dims,
                          NULL);
    const float *src = w->data;
    float *dst = fc_val(g, id)->data;
    for (int64_t k = 0; k < K; k++)
        for (int64_t n = 0; n < N; n++)
            dst[n * K + k] = src[k * N + n];
    return id;
}

/* LayerNormalization n (last axis) -> FcChannelNorm reading `prev` (channels-first); with
 * `last` it writes n's channels-last result itself. */
static void to_channel_norm(FcGraph *g, FcNode *n, int prev, int r, int last)
{
    float eps = fc_attr_f(n, "epsilon", 1e-5f);
    int in[3] = {prev, to_axis1(g, n->in[1], r), -1};
    if (n->nin > 2 && n->in[2] >= 0)
        in[2] = to_axis1(g, n->in[2], r);
    fc_node_reset(g, n, FC_OP_FC_CHANNEL_NORM, in[2] >= 0 ? 3 : 2, in);
    n->nout = 1;
    fc_node_add_attr_float(g, n, "epsilon", eps);
    if (last)
        fc_node_add_attr_int(g, n, "channels_last", 1);
}

/* Rewrites node n to read `prev` (channels-first) instead of `cur`; returns its result. */
static int rewrite(FcGraph *g, FcNode *n, int cur, int prev, int r)
{
    if (n->op == FC_OP_LAYER_NORMALIZATION) {
        to_channel_norm(g, n, prev, r, 0);
    } else if (n->op == FC_OP_FC_LINEAR || n->op == FC_OP_MAT_MUL) {
        int64_t act = n->op == FC_OP_FC_LINEAR ? fc_attr_i(n, "activation", 0) : 0;
        int in[3] = {prev, conv_weight(g, n->in[1], r), n->nin > 2 ? n->in[2] : -1};
        if (in[2] >= 0 && fc_val(g, in[2])->rank != 1) {
            int64_t nb = fc_value_numel(fc_val(g, in[2]));
            in[2] = fc_const_new(g, fc_arena_printf(&g->arena, "%s_cf", fc_val(g, in[2])->name),
                                 FC_DT_F32, 1, &nb, fc_val(g, in[2])->data);
        }
        /* a plain Conv when there is no activation, so elementwise-fusion can still give
         * it a Relu / Gelu epilogue */
        fc_node_reset(g, n, act ? FC_OP_FC_CONV : FC_OP_CONV, in[2] >= 0 ? 3 : 2, in);
        if (act)
            fc_node_add_attr_int(g, n, "activation", act);
    } else {
        for (int i = 0; i < n->nin; i++)
            if (n->in[i] == cur)
                n->in[i] = prev;
            else if (n->in[i] >= 0)
                n->in[i] = to_axis1(g, n->in[i], r);
    }
    fc_prepare_new_node(g, n);
    return n->out[0];
}

/* No way back to channels-first: Transpose + LayerNorm become one FcChannelNorm that reads
 * the channels-first x and writes the LayerNorm's channels-last result. */
static int fold_into_norm(FcGraph *g, FcNode *t1, FcNode *ln, int r)
{
    to_channel_norm(g, ln, t1->in[0], r, 1);
    fc_prepare_new_node(g, ln);
    t1->dead = 1;
    return 1;
}

static int try_region(FcGraph *g, const FcDefUse *du, FcNode *t1, int linears)
{
    const FcValue *x = fc_val(g, t1->in[0]);
    int r = x->rank;
    if (r < 3 || x->dtype != FC_DT_F32 || !perm_is(t1, r, 1))
        return 0;
    FcNode *chain[MAX_CHAIN], *t2 = NULL;
    int n = 0, cur = t1->out[0];
    while (!t2) {
        FcNode *next = only_reads(g, du, cur) && n < MAX_CHAIN ? du->reader[cur] : NULL;
        if (next && perm_is(next, r, 0))
            t2 = next;
        else if (next && supported(g, du, next, cur, r, linears))
            chain[n++] = next;
        else if (n > 0 && chain[0]->op == FC_OP_LAYER_NORMALIZATION)
            return fold_into_norm(g, t1, chain[0], r);
        else
            return 0;
        if (!t2)
            cur = next->out[0];
    }
    int prev = t1->in[0], y = t2->out[0];
    int64_t ydims[FC_MAX_RANK];
    memcpy(ydims, fc_val(g, y)->dims, sizeof ydims);
    cur = t1->out[0];
    for (int i = 0; i < n; i++) {
        int out = chain[i]->out[0];
        if (i == n - 1)
            chain[i]->out[0] = y; /* the last member writes the inverse Transpose's result */
        prev = rewrite(g, chain[i], cur, prev, r);
        cur = out;
    }
    if (n == 0)
        fc_replace_uses(g, y, prev);
    else if (memcmp(ydims, fc_val(g, y)->dims, sizeof(int64_t) * (size_t)r) != 0) {
        fprintf(stderr, "fastc: internal error: channels-first changed a shape\n");
        abort();
    }
    t1->dead = t2->dead = 1;
    return 1;
}

static int run(FcGraph *g, int linears)
{
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *n = g->top.nodes[i];
        if (n->dead || n->op != FC_OP_TRANSPOSE)
            continue;
        FcDefUse du;
        fc_defuse_build(g, &du);
        changes += try_region(g, &du, n, linears);
        fc_defuse_free(&du);
    }
    fc_block_sweep(&g->top);
    return changes;
}

static int run_channels_first(FcGraph *g)
{
    return run(g, 0);
}

static int run_channels_first_linears(FcGraph *g)
{
    return run(g, 1);
}

const FcPass fc_pass_channels_first = {
    "channels-first", "Transpose to channels-last -> LayerNorm / per-channel elementwise -> "
    "inverse Transpose: computed channels-first (FcChannelNorm), both Transposes dropped",
    FC_LEVELS(0, 0, 1, 1), run_channels_first};

/* Opt-in until the pointwise Conv path packs its weights at compile or load time: today
 * runtime/k_conv.c packs a Conv's weights at every call, which costs more than the two
 * Transposes it saves (see docs/passes.md). */
const FcPass fc_pass_channels_first_linears = {
    "channels-first-linears", "channels-first, also through linears (FcLinear / MatMul on the "
    "last axis -> 1x1 Conv / FcConv)", FC_LEVELS(0, 0, 0, 0), run_channels_first_linears};
