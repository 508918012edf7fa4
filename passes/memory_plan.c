/* memory_plan.c — static memory planning by liveness.
 *
 * Nodes are numbered in execution order (the nodes of an If's branches are numbered where
 * the If runs, then-branch first; the If's own outputs appear after both). Every run-time
 * tensor lives from the step that writes it to the last step that reads it (graph inputs
 * from step 0, graph outputs to the end); a kernel's scratch lives during its own step.
 * Intervals are placed largest first at the lowest offset that overlaps no placed interval
 * alive at the same time. Greedy, but good: the result is reported by --stats. */
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
                 malloc(sizeof(int64_t) * (size_t)g->nvals + 8), 0};
    for (int i = 0; i < g->nvals; i++) {
        p.first[i] = -1;
        p.last[i] = -1;
    }
    for (int i = 0; i < g->ninputs; i++)
        touch(&p, g->inputs[i], 0);
    walk_block(&p, &g->top);
    for (int i = 0; i < g->noutputs; i++)
        touch(&p, g->outputs[i], p.step + 1);

    int cap = g->nvals + count_nodes(&g->top) + 1, n = 0;
    Interval *iv = calloc((size_t)cap, sizeof(*iv));
    for (int i = 0; i < g->nvals; i++) {
        FcValue *v = fc_val(g, i);
        v->offset = -1;
        if (p.first[i] < 0 || v->kind == FC_VAL_CONST)
            continue;
        Interval e = {p.first[i], p.last[i], align_up((int64_t)fc_value_bytes(v)), 0, i, NULL};
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
    g->arena_bytes = total;
    free(iv);
    free(p.first);
    free(p.last);
    return 0;
}
