/* fold_matmul_transpose.c — the Transposes and the scaling around a batched MatMul become
 * strided reads and writes of the GEMM (attention: Q @ K^T, scores @ V).
 *
 * Matches: a float32 MatMul with operands of rank >= 2 whose B is not a constant 2-D matrix
 * (those are FcLinear's), and any of:
 *   - operand X = Transpose(S, perm), X read only by this MatMul and no graph output, where
 *     perm keeps S's innermost axis among X's two matrix axes (perm[r-1] == r-1: a strided
 *     matrix; perm[r-2] == r-1: a transposed one; e.g. [0,2,1,3] and [0,2,3,1]);
 *   - the result read only by a Mul with a float32 scalar constant s (one element, the Mul's
 *     result of the MatMul's shape) -> alpha = s;
 *   - then the result read only by a Transpose whose perm keeps the last axis last.
 * Each absorbed result must have no other reader and be no graph output.
 * Produces: FcBatchedGemm(S_A, S_B) {permA, permB, alpha, permY} (ir/op_fused.c) writing the
 * last absorbed result. Must not fire when nothing around the MatMul qualifies, when a perm
 * moves the innermost axis into the batch axes, on 1-D operands or non-float32 data.
 * Exact: the same products and sums; alpha multiplies the finished product (as the Mul). */
#include <string.h>
#include "rewrite.h"

static int in_top(const FcGraph *g, const FcNode *n)
{
    for (int i = 0; i < g->top.nnodes; i++)
        if (g->top.nodes[i] == n)
            return 1;
    return 0;
}

/* Operand k of mm if it is a foldable Transpose's result: the Transpose, else NULL. */
static FcNode *operand_transpose(const FcGraph *g, const FcDefUse *du, const FcNode *mm, int k)
{
    int x = mm->in[k];
    FcNode *t = fc_producer_op(du, x, FC_OP_TRANSPOSE);
    if (!t || t->dead || du->uses[x] != 1 || fc_val(g, x)->is_output || !in_top(g, t))
        return NULL;
    int r = fc_val(g, x)->rank;
    const int64_t *perm = t->ia; /* prepared: the full permutation, defaults resolved */
    return perm[r - 1] == r - 1 || perm[r - 2] == r - 1 ? t : NULL;
}

/* The Mul scaling value y by a float32 scalar constant, and that constant; else NULL. */
static FcNode *scaling_mul(const FcGraph *g, const FcDefUse *du, int y, float *s)
{
    FcNode *m = fc_sole_reader_op(g, du, y, FC_OP_MUL);
    if (!m || !in_top(g, m) || m->nin != 2)
        return NULL;
    int c = m->in[0] == y ? m->in[1] : m->in[0];
    const FcValue *cv = fc_val(g, c), *yv = fc_val(g, y), *mv = fc_val(g, m->out[0]);
    if (c == y || !fc_is_const(g, c) || !cv->data || cv->dtype != FC_DT_F32 ||
        fc_value_numel(cv) != 1 || cv->rank > yv->rank || mv->rank != yv->rank ||
        memcmp(mv->dims, yv->dims, sizeof(int64_t) * (size_t)yv->rank) != 0)
        return NULL;
    *s = *(const float *)cv->data;
    return m;
}

static int fold(FcGraph *g, const FcDefUse *du, FcNode *mm)
{
    const FcValue *a = fc_in(g, mm, 0), *b = fc_in(g, mm, 1);
    if (a->dtype != FC_DT_F32 || a->rank < 2 || b->rank < 2 ||
        (b->rank == 2 && fc_is_const(g, mm->in[1])))
        return 0;
    FcNode *ta = operand_transpose(g, du, mm, 0), *tb = operand_transpose(g, du, mm, 1);
    int y = mm->out[0];
    float alpha = 1.0f;
    FcNode *mul = scaling_mul(g, du, y, &alpha);
    if (mul)
        y = mul->out[0];
    FcNode *ty = fc_sole_reader_op(g, du, y, FC_OP_TRANSPOSE);
    int ry = fc_val(g, y)->rank;
    if (ty && (!in_top(g, ty) || ty->ia[ry - 1] != ry - 1))
        ty = NULL;
    if (!ta && !tb && !mul && !ty)
        return 0;
    int in[2] = {ta ? ta->in[0] : mm->in[0], tb ? tb->in[0] : mm->in[1]};
    int64_t pa[FC_MAX_RANK], pb[FC_MAX_RANK], py[FC_MAX_RANK];
    if (ta)
        memcpy(pa, ta->ia, sizeof(int64_t) * (size_t)a->rank);
    if (tb)
        memcpy(pb, tb->ia, sizeof(int64_t) * (size_t)b->rank);
    if (ty)
        memcpy(py, ty->ia, sizeof(int64_t) * (size_t)ry);
    int out = ty ? ty->out[0] : y;
    FcNode *dead[3] = {ta, tb, mul};
    for (int i = 0; i < 3; i++)
        if (dead[i])
            dead[i]->dead = 1;
    if (ty)
        ty->dead = 1;
    fc_node_reset(g, mm, FC_OP_FC_BATCHED_GEMM, 2, in);
    if (ta)
        fc_node_add_attr_ints(g, mm, "permA", pa, a->rank);
    if (tb)
        fc_node_add_attr_ints(g, mm, "permB", pb, b->rank);
    if (mul)
        fc_node_add_attr_float(g, mm, "alpha", alpha);
    if (ty)
        fc_node_add_attr_ints(g, mm, "permY", py, ry);
    mm->out[0] = out;
    fc_prepare_new_node(g, mm);
    return 1;
}

static int run_fold_matmul_transpose(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *n = g->top.nodes[i];
        if (n->op == FC_OP_MAT_MUL && !n->dead)
            changes += fold(g, &du, n);
    }
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fold_matmul_transpose = {
    "fold-matmul-transpose", "Transposes of a batched MatMul's operands and result, and a "
    "scalar Mul after it -> FcBatchedGemm with strided operands and alpha",
    FC_LEVELS(0, 0, 1, 1), run_fold_matmul_transpose};
