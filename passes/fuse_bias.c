/* fuse_bias.c — a constant bias added after a linear op moves into the op itself.
 *
 * Matches:
 *   MatMul(X[..., K], W[K, N] constant) -> Y, read only by Add(Y, b) (either order), b a
 *     float32 constant broadcasting along Y's LAST axis only: shape [N] or [1, ..., 1, N]
 *     with rank <= Y's. -> FcLinear(X, W, b) writing the Add's result.
 *   FcLinear without bias, likewise.  Gemm(A, B) without C and beta... -> Gemm(A, B, b).
 *   Gemm(A[M, K], B constant, C) with alpha 1, transA 0 and C absent or (beta 1) a constant
 *     [N] / [1, N] -> FcLinear(A, op(B), C) (transB: B transposed at compile time).
 *   Conv(X, W) without bias -> Add(Y, b), b of shape [C, 1, ..., 1] or [1, C, 1, ..., 1]
 *     (per output channel) -> Conv(X, W, b).
 * Must not fire: when Y has another reader or is a graph output; when b varies along any
 * axis but the channel axis (e.g. attention-score MatMul + mask of shape [B, 1, 1, S] with
 * S on the last axis but a non-constant or multi-axis addend — those are left alone); when
 * W is not constant or not 2-D (batched MatMul). Exact: the same additions, in the same
 * order, happen in the kernel's epilogue -- except Gemm -> FcLinear, which adds C after the
 * product instead of before it (with K > 256 the partial sums round differently: last bits). */
#include <string.h>
#include "rewrite.h"

/* Number of channels if constant b broadcasts along exactly axis `axis` of a rank-`rank`
 * result with `c` channels (all its other dims 1); 0 otherwise. */
static int bias_along(const FcGraph *g, int b, int rank, int axis, int64_t c)
{
    const FcValue *v = fc_val(g, b);
    if (!fc_is_const(g, b) || v->dtype != FC_DT_F32 || v->rank > rank || fc_value_numel(v) != c)
        return 0;
    for (int i = 0; i < v->rank; i++) {
        int64_t d = v->dims[i];
        int at = rank - v->rank + i;
        if (at == axis ? d != c : d != 1)
            return 0;
    }
    /* A rank-(rank - axis - 1)... shorter shapes right-align: [C,1,1] for NCHW axis 1. */
    return v->rank >= rank - axis;
}

static int flat_bias(FcGraph *g, int b, int64_t c)
{
    const FcValue *v = fc_val(g, b);
    if (v->rank == 1)
        return b;
    return fc_const_new(g, fc_arena_printf(&g->arena, "%s_flat", v->name), FC_DT_F32, 1, &c,
                        v->data);
}

static void set_inputs(FcGraph *g, FcNode *n, int nin, const int *in)
{
    n->in = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)nin);
    memcpy(n->in, in, sizeof(int) * (size_t)nin);
    n->nin = nin;
}

static int fuse(FcGraph *g, const FcDefUse *du, FcNode *add)
{
    for (int k = 0; k < 2; k++) {
        int y = add->in[k], b = add->in[1 - k];
        FcNode *p = du->producer[y];
        if (!p || p->dead || du->uses[y] != 1 || fc_val(g, y)->is_output)
            continue;
        const FcValue *yv = fc_val(g, y);
        if (yv->dtype != FC_DT_F32 || memcmp(yv->dims, fc_val(g, add->out[0])->dims,
                                             sizeof(int64_t) * (size_t)yv->rank) != 0 ||
            yv->rank != fc_val(g, add->out[0])->rank)
            continue; /* the Add must not broadcast Y itself */
        int64_t last = yv->rank ? yv->dims[yv->rank - 1] : 0;
        if ((p->op == FC_OP_MAT_MUL ||
             (p->op == FC_OP_FC_LINEAR && p->nin == 2 && !fc_attr(p, "out_axis"))) &&
            fc_is_const(g, p->in[1]) && fc_val(g, p->in[1])->rank == 2 &&
            fc_val(g, p->in[0])->rank >= 1 && bias_along(g, b, yv->rank, yv->rank - 1, last)) {
            int in[3] = {p->in[0], p->in[1], flat_bias(g, b, last)};
            fc_node_reset(g, p, FC_OP_FC_LINEAR, 3, in);
        } else if (p->op == FC_OP_GEMM && p->nin == 2 && yv->rank == 2 &&
                   fc_attr_f(p, "beta", 1.0f) == 1.0f && bias_along(g, b, 2, 1, last)) {
            int in[3] = {p->in[0], p->in[1], flat_bias(g, b, last)};
            set_inputs(g, p, 3, in);
        } else if (p->op == FC_OP_CONV && p->nin == 2 && yv->rank >= 3 &&
                   bias_along(g, b, yv->rank, 1, yv->dims[1])) {
            int in[3] = {p->in[0], p->in[1], flat_bias(g, b, yv->dims[1])};
            set_inputs(g, p, 3, in);
        } else {
            continue;
        }
        p->out[0] = add->out[0];
        add->dead = 1;
        fc_prepare_new_node(g, p);
        return 1;
    }
    return 0;
}

/* Gemm(A[M, K], B constant, C) with alpha 1, no transA, C absent or (beta 1) a constant row
 * bias [N] / [1, N] -> FcLinear(A, op(B), C): the same linear layer on the kernel that has
 * activation epilogues and threads. transB=1 (torch's Linear) stores B transposed, once, at
 * compile time. */
static int gemm_to_linear(FcGraph *g, FcNode *n)
{
    const FcValue *a = fc_in(g, n, 0), *b = fc_in(g, n, 1), *y = fc_out(g, n, 0);
    int has_c = n->nin > 2 && n->in[2] >= 0;
    if (a->dtype != FC_DT_F32 || a->rank != 2 || b->rank != 2 || !fc_is_const(g, n->in[1]) ||
        !b->data || fc_attr_i(n, "transA", 0) != 0 || fc_attr_f(n, "alpha", 1.0f) != 1.0f)
        return 0;
    int64_t N = y->dims[1];
    if (has_c && (fc_attr_f(n, "beta", 1.0f) != 1.0f || !bias_along(g, n->in[2], 2, 1, N)))
        return 0;
    int w = n->in[1];
    if (fc_attr_i(n, "transB", 0)) {
        int64_t K = b->dims[1], dims[2] = {K, N};
        const float *src = b->data;
        float *t = fc_arena_alloc(&g->arena, sizeof(float) * (size_t)(K * N));
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < N; j++)
                t[k * N + j] = src[j * K + k];
        w = fc_const_new(g, fc_arena_printf(&g->arena, "%s_T", b->name), FC_DT_F32, 2, dims, t);
    }
    int in[3] = {n->in[0], w, has_c ? flat_bias(g, n->in[2], N) : -1};
    fc_node_reset(g, n, FC_OP_FC_LINEAR, has_c ? 3 : 2, in);
    fc_prepare_new_node(g, n);
    return 1;
}

static int run_fuse_bias(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++)
        if (g->top.nodes[i]->op == FC_OP_ADD)
            changes += fuse(g, &du, g->top.nodes[i]);
    for (int i = 0; i < g->top.nnodes; i++)
        if (g->top.nodes[i]->op == FC_OP_GEMM && !g->top.nodes[i]->dead)
            changes += gemm_to_linear(g, g->top.nodes[i]);
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fuse_bias = {
    "fuse-bias", "MatMul/Gemm/Conv + Add(constant per-channel bias) -> one op with the bias "
    "in its epilogue; Gemm with constant weights -> FcLinear", FC_LEVELS(0, 0, 1, 1), run_fuse_bias};
