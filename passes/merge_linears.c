/* merge_linears.c — sibling linear layers on one input become one wider GEMM.
 *
 * Matches: two or more nodes of the same block, all MatMul or all FcLinear (with or without
 * bias, all alike), reading the same input X with constant 2-D float32 weights W_i[K, N_i]
 * of the same K (BERT's Q/K/V projections). Produces: one node with W = [W_1 | W_2 | ...]
 * (and B = [B_1 | B_2 | ...]) writing [..., sum N_i], followed by a Split along the last
 * axis into the original results. One pass over X instead of several, and a wider N that
 * keeps the GEMM kernel busy.
 * Must not fire: on different inputs, non-constant or batched weights, different K, mixed
 * ops or mixed bias presence. Exact: every output element is the same dot product. */
#include <string.h>
#include "rewrite.h"

#define MAX_GROUP 16

static int mergeable(const FcGraph *g, const FcNode *n)
{
    if ((n->op != FC_OP_MAT_MUL && n->op != FC_OP_FC_LINEAR) || n->dead)
        return 0;
    if (n->op == FC_OP_FC_LINEAR &&
        (fc_attr_i(n, "activation", 0) != 0 || n->nin > 3 || fc_attr(n, "out_axis")))
        return 0; /* an activation or a residual (4th input) does not split back */
    const FcValue *w = fc_val(g, n->in[1]), *x = fc_val(g, n->in[0]);
    return fc_is_const(g, n->in[1]) && w->rank == 2 && w->dtype == FC_DT_F32 &&
           x->dtype == FC_DT_F32 && x->rank >= 1;
}

static int alike(const FcGraph *g, const FcNode *a, const FcNode *b)
{
    return a->op == b->op && a->in[0] == b->in[0] && a->nin == b->nin &&
           fc_val(g, a->in[1])->dims[0] == fc_val(g, b->in[1])->dims[0];
}

/* Concatenates the members' input `slot` (W: [K, N_i] along axis 1, B: [N_i]). */
static int concat_const(FcGraph *g, FcNode **m, int count, int slot, int64_t total)
{
    const FcValue *first = fc_val(g, m[0]->in[slot]);
    int64_t rows = slot == 1 ? first->dims[0] : 1, dims[2] = {rows, total};
    int id = fc_const_new(g, fc_arena_printf(&g->arena, "%s_merged", first->name), FC_DT_F32,
                          slot == 1 ? 2 : 1, slot == 1 ? dims : &dims[1], NULL);
    float *dst = fc_val(g, id)->data;
    int64_t col = 0;
    for (int i = 0; i < count; i++) {
        const FcValue *v = fc_val(g, m[i]->in[slot]);
        int64_t n = slot == 1 ? v->dims[1] : fc_value_numel(v);
        for (int64_t r = 0; r < rows; r++)
            memcpy(dst + r * total + col, (const float *)v->data + r * n, sizeof(float) * (size_t)n);
        col += n;
    }
    return id;
}

static FcNode *make_split(FcGraph *g, FcNode **m, int count, int merged, const char *name)
{
    int64_t sizes[MAX_GROUP];
    for (int i = 0; i < count; i++)
        sizes[i] = fc_val(g, m[i]->out[0])->dims[fc_val(g, m[i]->out[0])->rank - 1];
    int rank = fc_val(g, merged)->rank, opset_input = g->opset >= 13;
    FcNode *s = fc_node_new(g, FC_OP_SPLIT, name, opset_input ? 2 : 1, count);
    s->in[0] = merged;
    if (opset_input) {
        int64_t n = count;
        s->in[1] = fc_const_new(g, fc_arena_printf(&g->arena, "%s_sizes", name), FC_DT_I64, 1, &n,
                                sizes);
    } else {
        fc_node_add_attr_ints(g, s, "split", sizes, count);
    }
    fc_node_add_attr_int(g, s, "axis", rank - 1);
    for (int i = 0; i < count; i++)
        s->out[i] = m[i]->out[0];
    return s;
}

static int merge_group(FcGraph *g, FcNode **m, int count, int pos)
{
    int64_t total = 0;
    for (int i = 0; i < count; i++)
        total += fc_val(g, m[i]->in[1])->dims[1];
    const FcValue *y0 = fc_val(g, m[0]->out[0]);
    int64_t dims[FC_MAX_RANK];
    memcpy(dims, y0->dims, sizeof dims);
    dims[y0->rank - 1] = total;
    const char *name = fc_arena_printf(&g->arena, "%s/merged", m[0]->name);
    int merged = fc_value_typed(g, name, FC_DT_F32, y0->rank, dims);
    FcNode *lin = fc_node_new(g, m[0]->op, name, m[0]->nin, 1);
    lin->in[0] = m[0]->in[0];
    lin->in[1] = concat_const(g, m, count, 1, total);
    if (m[0]->nin > 2)
        lin->in[2] = concat_const(g, m, count, 2, total);
    lin->out[0] = merged;
    fc_prepare_new_node(g, lin);
    FcNode *split = make_split(g, m, count, merged, fc_arena_printf(&g->arena, "%s/split", m[0]->name));
    fc_prepare_new_node(g, split);
    for (int i = 0; i < count; i++)
        m[i]->dead = 1;
    fc_block_insert(g, &g->top, pos, split);
    fc_block_insert(g, &g->top, pos, lin);
    return 1;
}

static int run_merge_linears(FcGraph *g)
{
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *a = g->top.nodes[i], *group[MAX_GROUP];
        if (!mergeable(g, a))
            continue;
        int count = 0;
        group[count++] = a;
        for (int j = i + 1; j < g->top.nnodes && count < MAX_GROUP; j++) {
            FcNode *b = g->top.nodes[j];
            if (mergeable(g, b) && alike(g, a, b))
                group[count++] = b;
        }
        if (count < 2 || (a->nin > 2 && a->in[2] < 0))
            continue;
        changes += merge_group(g, group, count, i);
        i += 2;
    }
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_merge_linears = {
    "merge-linears", "sibling MatMul/FcLinear on one input with constant weights -> one GEMM + "
    "Split", FC_LEVELS(0, 0, 1, 1), run_merge_linears};
