/* stats.c — what --stats reports per pass: node count, MACs, weight bytes and the peak of
 * live activation bytes (the lower bound the memory planner works against). */
#include <stdlib.h>
#include "stats.h"

int64_t fc_node_macs(const FcGraph *g, const FcNode *n)
{
    const FcValue *y = fc_out((FcGraph *)g, n, 0), *w = fc_in((FcGraph *)g, n, 1);
    const FcValue *x = fc_in((FcGraph *)g, n, 0);
    if (!y || !x)
        return 0;
    switch (n->op) {
    case FC_OP_CONV: case FC_OP_FC_CONV: {
        int64_t k = w ? fc_value_numel(w) / (w->dims[0] ? w->dims[0] : 1) : 0;
        /* each output: Cin/group * kernel taps; a pooling epilogue (FcConv pool=1) keeps one
         * of each 2x2 window, all four computed */
        return fc_value_numel(y) * k * (fc_attr_i(n, "pool", 0) ? 4 : 1);
    }
    case FC_OP_CONV_TRANSPOSE: {
        int64_t k = w ? fc_value_numel(w) / (w->dims[0] ? w->dims[0] : 1) : 0;
        return fc_value_numel(x) * k;
    }
    case FC_OP_MAT_MUL: case FC_OP_FC_LINEAR:
        return x->rank ? fc_value_numel(y) * x->dims[x->rank - 1] : 0;
    case FC_OP_FC_BATCHED_GEMM: /* K: the prepared kernel parameters (ir/op_fused.c) */
        return n->nia > 2 ? fc_value_numel(y) * n->ia[2] : 0;
    case FC_OP_GEMM: {
        int64_t k = fc_attr_i(n, "transA", 0) ? x->dims[0] : x->dims[x->rank - 1];
        return fc_value_numel(y) * k;
    }
    default:
        return 0;
    }
}

typedef struct Walk {
    const FcGraph *g;
    FcGraphStats *s;
    int *last_use;   /* per value: step of its last reader */
    char *counted;   /* per constant: already in weight_bytes */
    int step;
} Walk;

static void mark_uses(Walk *w, const FcBlock *b)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        w->step++;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0)
                w->last_use[n->in[k]] = w->step;
        for (int br = 0; br < 2; br++)
            if (n->branch[br]) {
                mark_uses(w, n->branch[br]);
                for (int k = 0; k < n->branch[br]->noutputs; k++)
                    w->last_use[n->branch[br]->outputs[k]] = w->step + 1;
            }
    }
}

static void count_weight(Walk *w, int id)
{
    const FcValue *v = fc_val(w->g, id);
    if (id >= 0 && v->kind == FC_VAL_CONST && !w->counted[id]) {
        w->counted[id] = 1;
        w->s->weight_bytes += (int64_t)fc_value_bytes(v);
    }
}

/* Walks in execution order adding each result when written and dropping it after its last
 * reader; the running maximum is the peak. */
static void accumulate(Walk *w, const FcBlock *b, int64_t *live)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        w->step++;
        w->s->nodes++;
        w->s->macs += fc_node_macs(w->g, n);
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0)
                count_weight(w, n->in[k]);
        for (int k = 0; k < n->nout; k++)
            if (n->out[k] >= 0)
                *live += (int64_t)fc_value_bytes(fc_val(w->g, n->out[k]));
        if (*live + n->scratch_bytes > w->s->peak_bytes)
            w->s->peak_bytes = *live + n->scratch_bytes;
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                accumulate(w, n->branch[br], live);
        for (int k = 0; k < n->nin; k++) {
            int id = n->in[k];
            if (id >= 0 && w->last_use[id] == w->step && fc_val(w->g, id)->kind == FC_VAL_TEMP &&
                !fc_val(w->g, id)->is_output)
                *live -= (int64_t)fc_value_bytes(fc_val(w->g, id));
        }
    }
}

void fc_graph_stats(const FcGraph *g, FcGraphStats *s)
{
    Walk w = {g, s, calloc((size_t)g->nvals + 1, sizeof(int)), calloc((size_t)g->nvals + 1, 1), 0};
    *s = (FcGraphStats){0};
    mark_uses(&w, &g->top);
    int64_t live = 0;
    for (int i = 0; i < g->ninputs; i++)
        live += (int64_t)fc_value_bytes(fc_val(g, g->inputs[i]));
    s->peak_bytes = live;
    w.step = 0;
    accumulate(&w, &g->top, &live);
    for (int i = 0; i < g->noutputs; i++)
        count_weight(&w, g->outputs[i]);
    free(w.last_use);
    free(w.counted);
}
