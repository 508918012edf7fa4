/* cse.c — common-subexpression elimination.
 *
 * Matches: two nodes of the same block with the same op, the same operands in the same order
 * and equal attributes (e.g. the several identical Shape/Gather/Unsqueeze chains exporters
 * emit, or one Transpose computed twice). Produces: readers of the later node's outputs read
 * the earlier node's; the later node is removed. Must not fire: on If (branches are not
 * compared) or nodes with different attributes. Exact. */
#include <string.h>
#include "rewrite.h"

static int same_attr(const FcAttr *a, const FcAttr *b)
{
    if (strcmp(a->name, b->name) != 0 || a->type != b->type || a->n != b->n)
        return 0;
    switch (a->type) {
    case FC_ATTR_INT: return a->i == b->i;
    case FC_ATTR_FLOAT: return memcmp(&a->f, &b->f, sizeof a->f) == 0;
    case FC_ATTR_STRING: return strcmp(a->s, b->s) == 0;
    case FC_ATTR_INTS: return memcmp(a->ints, b->ints, sizeof(int64_t) * (size_t)a->n) == 0;
    case FC_ATTR_FLOATS: return memcmp(a->floats, b->floats, sizeof(float) * (size_t)a->n) == 0;
    case FC_ATTR_TENSOR: return a->tensor == b->tensor;
    default: return 0;
    }
}

static int same_node(const FcNode *a, const FcNode *b)
{
    if (a->op != b->op || a->nin != b->nin || a->nout != b->nout || a->nattr != b->nattr ||
        a->branch[0] || b->branch[0])
        return 0;
    if (memcmp(a->in, b->in, sizeof(int) * (size_t)a->nin) != 0)
        return 0;
    for (int i = 0; i < a->nattr; i++) {
        const FcAttr *match = fc_attr(b, a->attr[i].name);
        if (!match || !same_attr(&a->attr[i], match))
            return 0;
    }
    for (int i = 0; i < a->nout; i++)
        if ((a->out[i] < 0) != (b->out[i] < 0))
            return 0;
    return 1;
}

static int cse_block(FcGraph *g, FcBlock *b)
{
    int changes = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += cse_block(g, n->branch[br]);
        for (int j = 0; j < i; j++) {
            FcNode *e = b->nodes[j];
            if (e->dead || !same_node(e, n))
                continue;
            for (int k = 0; k < n->nout; k++)
                if (n->out[k] >= 0)
                    fc_replace_uses(g, n->out[k], e->out[k]);
            n->dead = 1;
            changes++;
            break;
        }
    }
    fc_block_sweep(b);
    return changes;
}

static int run_cse(FcGraph *g)
{
    return cse_block(g, &g->top);
}

const FcPass fc_pass_cse = {
    "cse", "common-subexpression elimination: compute identical nodes once",
    FC_LEVELS(0, 1, 1, 1), run_cse};
