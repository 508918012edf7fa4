/* dce.c — dead-code elimination.
 *
 * Matches: nodes (in any block) none of whose outputs is read by a live node, a branch
 * yield or a graph output. Produces: the graph without them. Never removes a node with a
 * live output; liveness flows backwards from graph outputs through If branches. */
#include <stdlib.h>
#include "pass_manager.h"

static void mark_block(const FcBlock *b, char *live)
{
    for (int k = 0; k < b->noutputs; k++)
        live[b->outputs[k]] = 1;
    for (int i = b->nnodes - 1; i >= 0; i--) {
        const FcNode *n = b->nodes[i];
        int used = 0;
        for (int k = 0; k < n->nout; k++)
            used |= n->out[k] >= 0 && live[n->out[k]];
        if (!used)
            continue;
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                mark_block(n->branch[br], live);
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0)
                live[n->in[k]] = 1;
    }
}

static int sweep_block(FcBlock *b, const char *live)
{
    int removed = 0, k = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        int used = 0;
        for (int o = 0; o < n->nout; o++)
            used |= n->out[o] >= 0 && live[n->out[o]];
        if (!used) {
            removed++;
            continue;
        }
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                removed += sweep_block(n->branch[br], live);
        b->nodes[k++] = n;
    }
    b->nnodes = k;
    return removed;
}

static int run_dce(FcGraph *g)
{
    char *live = calloc((size_t)g->nvals + 1, 1);
    for (int i = 0; i < g->noutputs; i++)
        live[g->outputs[i]] = 1;
    /* Blocks are marked to a fixed point: a branch may read values defined before its If. */
    mark_block(&g->top, live);
    int removed = sweep_block(&g->top, live);
    free(live);
    return removed;
}

const FcPass fc_pass_dce = {
    "dce", "dead-code elimination: drop nodes whose results nobody reads",
    FC_LEVELS(0, 1, 1, 1), run_dce};
