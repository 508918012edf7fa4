/* cse.c — common-subexpression elimination.
 *
 * Matches: two nodes of the same block with the same op, the same operands in the same order
 * and equal attributes (e.g. the several identical Shape/Gather/Unsqueeze chains exporters
 * emit, or one Transpose computed twice). Produces: readers of the later node's outputs read
 * the earlier node's; the later node is removed. Must not fire: on If (branches are not
 * compared) or nodes with different attributes. Exact. */
#include <stdint.h>
#include <stdlib.h>
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

/* A hash of what same_node compares cheaply (op, operands, counts): equal nodes hash equal. */
static uint64_t node_hash(const FcNode *n)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(unsigned)n->op;
    h = (h ^ (uint64_t)(unsigned)(n->nin * 131 + n->nout * 7 + n->nattr)) * 1099511628211u;
    for (int i = 0; i < n->nin; i++)
        h = (h ^ (uint64_t)(unsigned)n->in[i]) * 1099511628211u;
    return h ^ (h >> 29);
}

/* The nodes kept so far in one block, by node_hash (open addressing; NULL = empty slot):
 * each node is compared only with the earlier nodes of its hash, so the pass is linear in
 * nodes rather than comparing every pair (tens of thousands of nodes, docs/fuzzing.md). */
typedef struct NodeTable {
    FcNode **slot;
    size_t mask;
} NodeTable;

/* The kept node equal to n, or NULL after adding n to the table. */
static FcNode *find_or_add(NodeTable *t, FcNode *n)
{
    size_t i = (size_t)node_hash(n) & t->mask;
    for (; t->slot[i]; i = (i + 1) & t->mask)
        if (same_node(t->slot[i], n))
            return t->slot[i];
    t->slot[i] = n;
    return NULL;
}

/* Rewrites operand ids through the map of removed outputs (remap[v] = the kept value). */
static void remap_ids(int *ids, int count, const int *remap)
{
    for (int k = 0; k < count; k++)
        if (ids[k] >= 0)
            ids[k] = remap[ids[k]];
}

/* Removes the later of each pair of equal nodes in b (and, separately, in its branches).
 * A node's operands are rewritten through `remap` before it is compared, so the nodes that
 * read a removed node's results can match in turn. */
static int cse_block(FcBlock *b, int *remap)
{
    int changes = 0;
    size_t cap = 16;
    while (cap < 2 * (size_t)b->nnodes)
        cap *= 2;
    NodeTable t = {calloc(cap, sizeof(FcNode *)), cap - 1};
    if (!t.slot)
        return 0; /* out of memory: leave the block as it is (nothing is wrong with it) */
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        remap_ids(n->in, n->nin, remap);
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += cse_block(n->branch[br], remap);
        if (n->dead || n->branch[0])
            continue;
        FcNode *e = find_or_add(&t, n);
        if (!e)
            continue;
        for (int k = 0; k < n->nout; k++)
            if (n->out[k] >= 0)
                remap[n->out[k]] = e->out[k];
        n->dead = 1;
        changes++;
    }
    remap_ids(b->outputs, b->noutputs, remap);
    free(t.slot);
    fc_block_sweep(b);
    return changes;
}

static int run_cse(FcGraph *g)
{
    int *remap = malloc(sizeof(int) * ((size_t)g->nvals + 1));
    if (!remap)
        return 0;
    for (int v = 0; v < g->nvals; v++)
        remap[v] = v;
    int changes = cse_block(&g->top, remap);
    for (int i = 0; i < g->noutputs; i++)
        if (g->outputs[i] != remap[g->outputs[i]]) {
            g->outputs[i] = remap[g->outputs[i]];
            g->vals[g->outputs[i]]->is_output = 1;
        }
    free(remap);
    return changes;
}
const FcPass fc_pass_cse = {
    "cse", "common-subexpression elimination: compute identical nodes once",
    FC_LEVELS(0, 1, 1, 1), run_cse};
