/* drop_dropout.c — removes Dropout and Identity at inference.
 *
 * Matches: Identity; Dropout whose prepare accepted it (inference: training_mode absent or
 * a constant false, so output 0 equals input 0). Produces: readers of the output read the
 * input instead; a used Dropout mask becomes a constant all-true tensor. Must not fire on a
 * Dropout in training mode (prepare rejects those). Exact: no result changes. */
#include <string.h>
#include "pass_manager.h"

static int mask_constant(FcGraph *g, int id)
{
    FcValue *m = fc_val(g, id);
    int c = fc_value_new(g, m->name);
    FcValue *v = fc_val(g, c);
    v->kind = FC_VAL_CONST;
    v->dtype = m->dtype;
    v->rank = m->rank;
    memcpy(v->dims, m->dims, sizeof v->dims);
    v->data = fc_arena_alloc(&g->arena, fc_value_bytes(v) + 1);
    memset(v->data, 1, fc_value_bytes(v));
    return c;
}

static int drop_in_block(FcGraph *g, FcBlock *b)
{
    int changes = 0, k = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += drop_in_block(g, n->branch[br]);
        if (n->op != FC_OP_DROPOUT && n->op != FC_OP_IDENTITY) {
            b->nodes[k++] = n;
            continue;
        }
        if (n->nout > 1 && n->out[1] >= 0 && fc_count_uses(g, n->out[1]))
            fc_replace_uses(g, n->out[1], mask_constant(g, n->out[1]));
        if (n->out[0] >= 0)
            fc_replace_uses(g, n->out[0], n->in[0]);
        changes++;
    }
    b->nnodes = k;
    return changes;
}

static int run_drop_dropout(FcGraph *g)
{
    return drop_in_block(g, &g->top);
}

const FcPass fc_pass_drop_dropout = {
    "drop-dropout", "remove Dropout (inference mode) and Identity nodes",
    FC_LEVELS(0, 1, 1, 1), run_drop_dropout};
