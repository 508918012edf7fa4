/* infer.c — shape inference driver and compile-time evaluation.
 *
 * ONNX graphs compute many shapes at run time (Shape → Gather → Concat → Reshape). fastc has
 * static shapes, so those computations are evaluated here, while inferring, with the very
 * kernels the emitted program would run. An If whose condition is known is replaced by the
 * nodes of the branch it takes. */
#include <stdlib.h>
#include <string.h>
#include "ir.h"

static int inputs_known(FcGraph *g, FcNode *n)
{
    for (int i = 0; i < n->nin; i++) {
        FcValue *v = fc_in(g, n, i);
        if (v && (v->rank < 0 || v->dtype == FC_DT_UNDEF))
            return fc_err(g, n, "input '%s' has an unknown type or shape", v->name);
    }
    return 0;
}

static int all_inputs_const(FcGraph *g, FcNode *n)
{
    for (int i = 0; i < n->nin; i++) {
        FcValue *v = fc_in(g, n, i);
        if (v && v->kind != FC_VAL_CONST)
            return 0;
    }
    return 1;
}

static int outputs_are_float(FcGraph *g, FcNode *n)
{
    for (int i = 0; i < n->nout; i++) {
        FcValue *v = fc_out(g, n, i);
        if (v && fc_dtype_is_float(v->dtype))
            return 1;
    }
    return 0;
}

/* Folding allocates the outputs now, and a tiny model can ask for terabytes (ConstantOfShape
 * of a constant [100000, 100000] made fastc abort out of memory; fuzz): results larger than
 * this are left to run time, where they are the planner's and the C compiler's business. */
#define FC_MAX_FOLD_BYTES ((size_t)64 << 20)

static int outputs_fit_folding(FcGraph *g, FcNode *n)
{
    size_t bytes = 0;
    for (int i = 0; i < n->nout; i++) {
        FcValue *v = fc_out(g, n, i);
        if (v)
            bytes += fc_value_bytes(v);
    }
    return bytes <= FC_MAX_FOLD_BYTES;
}

static int should_fold(FcGraph *g, FcNode *n)
{
    unsigned flags = fc_ops[n->op].flags;
    if (flags & FC_F_NOFOLD)
        return 0;
    if (flags & FC_F_SHAPE_ONLY)
        return 1;
    if (!all_inputs_const(g, n) || !outputs_fit_folding(g, n))
        return 0;
    return g->fold_floats || !outputs_are_float(g, n);
}

int fc_eval_node(FcGraph *g, FcNode *n)
{
    int nt = n->nin + n->nout;
    FcRtTensor *t = calloc((size_t)nt + 1, sizeof(*t));
    int32_t *idx = calloc((size_t)nt + 1, sizeof(*idx));
    void *scratch = n->scratch_bytes ? calloc(1, (size_t)n->scratch_bytes) : NULL;
    if (!t || !idx || (n->scratch_bytes && !scratch))
        abort();
    for (int i = 0; i < nt; i++) {
        int vid = i < n->nin ? n->in[i] : n->out[i - n->nin];
        idx[i] = vid < 0 ? -1 : i;
        if (vid < 0)
            continue;
        FcValue *v = fc_val(g, vid);
        if (i >= n->nin)
            v->data = fc_arena_alloc(&g->arena, fc_value_bytes(v) + 1);
        t[i].data = v->data;
        t[i].dtype = v->dtype;
        t[i].rank = v->rank;
        memcpy(t[i].dims, v->dims, sizeof(v->dims));
    }
    FcRtNode rn = {n->nin, n->nout, idx, idx + n->nin, n->nia, n->nfa, n->ia, n->fa, scratch};
    fc_ops[n->op].kernel(&rn, t);
    for (int i = 0; i < n->nout; i++)
        if (n->out[i] >= 0)
            fc_val(g, n->out[i])->kind = FC_VAL_CONST;
    free(scratch);
    free(idx);
    free(t);
    return 0;
}

/* Replaces the If node at b->nodes[at] by its taken branch plus Identity nodes that carry the
 * branch results to the If's outputs. Returns the number of nodes now standing in its place. */
static int inline_if(FcGraph *g, FcBlock *b, int at, FcBlock *branch)
{
    FcNode *ifn = b->nodes[at];
    int extra = branch->nnodes + ifn->nout;
    FcNode **nodes = fc_arena_alloc(&g->arena, sizeof(FcNode *) * (size_t)(b->nnodes + extra));
    int k = 0;
    for (int i = 0; i < at; i++)
        nodes[k++] = b->nodes[i];
    for (int i = 0; i < branch->nnodes; i++)
        nodes[k++] = branch->nodes[i];
    int made = branch->nnodes;
    for (int o = 0; o < ifn->nout; o++) {
        if (ifn->out[o] < 0)
            continue;
        FcNode *id = fc_node_new(g, FC_OP_IDENTITY, fc_arena_printf(&g->arena, "%s/out%d",
                                 ifn->name, o), 1, 1);
        id->in[0] = branch->outputs[o];
        id->out[0] = ifn->out[o];
        nodes[k++] = id;
        made++;
    }
    for (int i = at + 1; i < b->nnodes; i++)
        nodes[k++] = b->nodes[i];
    b->nodes = nodes;
    b->nnodes = k;
    b->cap = b->nnodes + extra;
    return made;
}

int fc_infer_block(FcGraph *g, FcBlock *b)
{
    int i = 0;
    while (i < b->nnodes) {
        FcNode *n = b->nodes[i];
        if (inputs_known(g, n) || fc_ops[n->op].prepare(g, n))
            return -1;
        if (n->op == FC_OP_IF) {
            FcValue *cond = fc_in(g, n, 0);
            if (cond->kind == FC_VAL_CONST) {
                int taken = fc_rt_get_i64(cond->data, cond->dtype, 0) ? 0 : 1;
                inline_if(g, b, i, n->branch[taken]);
                continue; /* prepare the inlined Identity nodes (branch nodes are done) */
            }
            i++;
            continue;
        }
        if (should_fold(g, n)) {
            if (fc_eval_node(g, n))
                return -1;
            memmove(&b->nodes[i], &b->nodes[i + 1], sizeof(FcNode *) * (size_t)(b->nnodes - i - 1));
            b->nnodes--;
            continue;
        }
        i++;
    }
    return 0;
}

int fc_infer(FcGraph *g)
{
    return fc_infer_block(g, &g->top);
}
