/* memory_plan.c — static memory planning by liveness.
 *
 * Nodes are numbered in execution order (the nodes of an If's branches are numbered where
 * the If runs, then-branch first; the If's own outputs appear after both). Every run-time
 * tensor lives from the step that writes it to the last step that reads it (graph inputs
 * from step 0, graph outputs to the end); a kernel's scratch lives during its own step.
 * Intervals are placed largest first at the lowest offset that overlaps no placed interval
 * alive at the same time. Greedy, but good: the result is reported by --stats.
 *
 * In place: a node of the top block that only re-labels bytes (Reshape, Flatten, Squeeze,
 * Unsqueeze, Identity, Dropout's output 0) or computes element i from element i (flag
 * FC_F_ELEMWISE, same element size) writes over its first input when that input dies at
 * this node: the two values share one interval. Those kernels are written to allow it. */
#include <stdlib.h>
#include <string.h>
#include "memory_plan.h"

typedef struct Interval {
    int64_t start, end, bytes, offset;
    int value;      /* value id, or -1 for scratch */
    FcNode *node;   /* scratch owner */
} Interval;

typedef struct Planner {
    FcGraph *g;
    int64_t *first, *last; /* per value */
    int *rep;              /* per value: the value whose bytes it reuses (itself if none) */
    int64_t step;
} Planner;

static void touch(Planner *p, int id, int64_t step)
{
    if (id < 0 || fc_val(p->g, id)->kind == FC_VAL_CONST)
        return;
    if (p->first[id] < 0 || step < p->first[id])
        p->first[id] = step;
    if (step > p->last[id])
        p->last[id] = step;
}

static void walk_block(Planner *p, FcBlock *b)
{
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        int64_t at = ++p->step;
        for (int k = 0; k < n->nin; k++)
            touch(p, n->in[k], at);
        for (int br = 0; br < 2; br++) {
            if (!n->branch[br])
                continue;
            walk_block(p, n->branch[br]);
            for (int k = 0; k < n->branch[br]->noutputs; k++)
                touch(p, n->branch[br]->outputs[k], p->step + 1);
        }
        if (n->branch[0])
            at = ++p->step;
        for (int k = 0; k < n->nout; k++)
            touch(p, n->out[k], at);
        n->scratch_offset = at; /* remembered as the step; replaced by the offset below */
    }
}

static int find_rep(const Planner *p, int id)
{
    while (p->rep[id] != id)
        id = p->rep[id];
    return id;
}

/* May output 0 of n reuse input 0's bytes? Only if input 0 dies here, is an arena value of
 * the same byte size and element size, and no other operand reads it. */
static int can_reuse(const Planner *p, const FcNode *n, int64_t step)
{
    const FcGraph *g = p->g;
    unsigned f = fc_ops[n->op].flags;
    if (!(f & (FC_F_ALIAS | FC_F_ELEMWISE)) && n->op != FC_OP_DROPOUT)
        return 0;
    if (n->nin < 1 || n->nout < 1 || n->in[0] < 0 || n->out[0] < 0 || n->branch[0])
        return 0;
    const FcValue *in = fc_val(g, n->in[0]), *out = fc_val(g, n->out[0]);
    if (in->kind == FC_VAL_CONST || p->last[n->in[0]] != step || in->is_output ||
        fc_value_bytes(in) != fc_value_bytes(out) ||
        fc_rt_dtype_size(in->dtype) != fc_rt_dtype_size(out->dtype))
        return 0;
    for (int k = 1; k < n->nin; k++)
        if (n->in[k] == n->in[0])
            return 0;
    return 1;
}

/* Links in-place outputs of top-block nodes (their step was left in scratch_offset by
 * walk_block; If nodes, whose branches write their outputs, are left alone). */
static void link_in_place(Planner *p)
{
    for (int i = 0; i < p->g->top.nnodes; i++) {
        FcNode *n = p->g->top.nodes[i];
        if (can_reuse(p, n, n->scratch_offset))
            p->rep[n->out[0]] = find_rep(p, n->in[0]);
    }
}

static int cmp_size_desc(const void *a, const void *b)
{
    const Interval *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int64_t align_up(int64_t x)
{
    return (x + FC_ARENA_ALIGN - 1) / FC_ARENA_ALIGN * FC_ARENA_ALIGN;
}

/* Lowest offset where `iv` fits beside the already placed intervals alive with it. */
static int64_t place(const Interval *placed, int nplaced, const Interval *iv)
{
    int64_t off = 0;
    int moved = 1;
    while (moved) {
        moved = 0;
        for (int i = 0; i < nplaced; i++) {
            const Interval *o = &placed[i];
            if (o->end < iv->start || iv->end < o->start)
                continue;
            if (off < o->offset + o->bytes && o->offset < off + iv->bytes) {
                off = align_up(o->offset + o->bytes);
                moved = 1;
            }
        }
    }
    return off;
}

static void collect_scratch(FcBlock *b, Interval *iv, int *n)
{
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *nd = b->nodes[i];
        if (nd->scratch_bytes > 0) {
            Interval s = {nd->scratch_offset, nd->scratch_offset, align_up(nd->scratch_bytes), 0,
                          -1, nd};
            iv[(*n)++] = s;
        }
        for (int br = 0; br < 2; br++)
            if (nd->branch[br])
                collect_scratch(nd->branch[br], iv, n);
    }
}

static int count_nodes(const FcBlock *b)
{
    int c = b->nnodes;
    for (int i = 0; i < b->nnodes; i++)
        for (int br = 0; br < 2; br++)
            if (b->nodes[i]->branch[br])
                c += count_nodes(b->nodes[i]->branch[br]);
    return c;
}

int fc_plan_memory(FcGraph *g)
{
    Planner p = {g, malloc(sizeof(int64_t) * (size_t)g->nvals + 8),
                 malloc(sizeof(int64_t) * (size_t)g->nvals + 8), NULL, 0};
    for (int i = 0; i < g->nvals; i++) {
        p.first[i] = -1;
        p.last[i] = -1;
    }
    for (int i = 0; i < g->ninputs; i++)
        touch(&p, g->inputs[i], 0);
    walk_block(&p, &g->top);
    for (int i = 0; i < g->noutputs; i++)
        touch(&p, g->outputs[i], p.step + 1);
    p.rep = malloc(sizeof(int) * (size_t)(g->nvals + 1));
    for (int i = 0; i < g->nvals; i++)
        p.rep[i] = i;
    link_in_place(&p);
    /* A shared interval spans all its values' lifetimes and the largest of them. */
    int64_t *bytes = calloc((size_t)g->nvals + 1, sizeof(int64_t));
    for (int i = 0; i < g->nvals; i++) {
        int r = find_rep(&p, i);
        if (r == i || p.first[i] < 0)
            continue;
        if (p.first[r] < 0 || p.first[i] < p.first[r])
            p.first[r] = p.first[i];
        if (p.last[i] > p.last[r])
            p.last[r] = p.last[i];
    }
    for (int i = 0; i < g->nvals; i++)
        if (p.first[i] >= 0 && fc_val(g, i)->kind != FC_VAL_CONST) {
            int r = find_rep(&p, i);
            int64_t b = (int64_t)fc_value_bytes(fc_val(g, i));
            bytes[r] = b > bytes[r] ? b : bytes[r];
        }

    int cap = g->nvals + count_nodes(&g->top) + 1, n = 0;
    Interval *iv = calloc((size_t)cap, sizeof(*iv));
    for (int i = 0; i < g->nvals; i++) {
        FcValue *v = fc_val(g, i);
        v->offset = -1;
        if (p.first[i] < 0 || v->kind == FC_VAL_CONST || find_rep(&p, i) != i)
            continue;
        Interval e = {p.first[i], p.last[i], align_up(bytes[i]), 0, i, NULL};
        iv[n++] = e;
    }
    collect_scratch(&g->top, iv, &n);
    qsort(iv, (size_t)n, sizeof(*iv), cmp_size_desc);
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        iv[i].offset = place(iv, i, &iv[i]);
        if (iv[i].offset + iv[i].bytes > total)
            total = iv[i].offset + iv[i].bytes;
        if (iv[i].value >= 0)
            fc_val(g, iv[i].value)->offset = iv[i].offset;
        else
            iv[i].node->scratch_offset = iv[i].offset;
    }
    for (int i = 0; i < g->nvals; i++)
        if (p.first[i] >= 0 && fc_val(g, i)->kind != FC_VAL_CONST && find_rep(&p, i) != i)
            fc_val(g, i)->offset = fc_val(g, find_rep(&p, i))->offset;
    g->arena_bytes = total;
    free(bytes);
    free(p.rep);
    free(iv);
    free(p.first);
    free(p.last);
    return 0;
}
