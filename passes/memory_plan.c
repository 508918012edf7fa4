/* memory_plan.c — static memory planning by liveness.
 *
 * Nodes are numbered in execution order (the nodes of an If's branches are numbered where
 * the If runs, then-branch first; the If's own outputs appear after both). Every run-time
 * tensor lives from the step that writes it to the last step that reads it (graph inputs
 * from step 0, graph outputs to the end); a kernel's scratch lives during its own step.
 * Intervals are placed largest first at the lowest offset that overlaps no placed interval
 * alive at the same time. Greedy, but good: the result is reported by --stats.
 *
 * Graph inputs take no arena space: the run function reads them where the caller keeps them
 * (no copy in; the kernels never write an input, and no output takes an input's bytes).
 * Neither do the graph outputs computed by a top-level node: the kernels write them into the
 * caller's buffers (no copy out; mark_caller_outputs).
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

/* Whether value id is a graph input: those live in the caller's buffers (the run function
 * points the tensor table at them; nothing writes them), not in the arena. */
static int is_graph_input(const FcGraph *g, int id)
{
    for (int i = 0; i < g->ninputs; i++)
        if (g->inputs[i] == id)
            return 1;
    return 0;
}

/* Marks the graph outputs the kernels can write into the caller's buffer (caller_out): each
 * computed by a node of the top block (an If's outputs are left in the arena), not a graph
 * input or a constant, and listed once among the outputs (a value listed twice goes to two
 * buffers: copied). Such an output takes no arena bytes and shares none (no in-place). */
static void mark_caller_outputs(FcGraph *g)
{
    for (int i = 0; i < g->nvals; i++)
        fc_val(g, i)->caller_out = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        const FcNode *n = g->top.nodes[i];
        if (n->op == FC_OP_IF)
            continue;
        for (int k = 0; k < n->nout; k++) {
            int id = n->out[k], times = 0;
            if (id < 0 || is_graph_input(g, id) || fc_val(g, id)->kind == FC_VAL_CONST)
                continue;
            for (int o = 0; o < g->noutputs; o++)
                times += g->outputs[o] == id;
            fc_val(g, id)->caller_out = times == 1;
        }
    }
}

/* May output 0 of n reuse input 0's bytes? Only if input 0 dies here, is an arena value of
 * the same byte size and element size (not a graph input), no other operand reads it, and
 * output 0 is not written into the caller's buffer. */
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
        out->caller_out ||
        is_graph_input(g, n->in[0]) ||
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

/* The placed intervals by start step: steps are cut into at most 256 buckets, each listing
 * the intervals that start in it and the latest step any of them lives to, so finding the
 * intervals alive with a new one skips every bucket whose intervals all end before it starts
 * (rather than testing every placed interval: quadratic on graphs of tens of thousands of
 * nodes, docs/fuzzing.md). */
typedef struct TimeIndex {
    int64_t width;  /* steps per bucket */
    int nbuckets;
    int **item;     /* per bucket: indices into the placed array */
    int *count, *cap;
    int64_t *end;   /* per bucket: the latest end of its intervals */
} TimeIndex;

static int time_index_init(TimeIndex *t, int64_t steps)
{
    t->nbuckets = steps < 256 ? (int)steps + 1 : 256;
    t->width = steps / t->nbuckets + 1;
    t->item = calloc((size_t)t->nbuckets, sizeof(int *));
    t->count = calloc((size_t)t->nbuckets, sizeof(int));
    t->cap = calloc((size_t)t->nbuckets, sizeof(int));
    t->end = calloc((size_t)t->nbuckets, sizeof(int64_t));
    return t->item && t->count && t->cap && t->end ? 0 : -1;
}

static void time_index_free(TimeIndex *t)
{
    for (int k = 0; t->item && k < t->nbuckets; k++)
        free(t->item[k]);
    free(t->item);
    free(t->count);
    free(t->cap);
    free(t->end);
}

static int bucket_of(const TimeIndex *t, int64_t step)
{
    return (int)(step / t->width);
}

static int time_index_add(TimeIndex *t, const Interval *iv, int index)
{
    int k = bucket_of(t, iv->start);
    if (t->count[k] == t->cap[k]) {
        int cap = t->cap[k] ? 2 * t->cap[k] : 16;
        int *grown = realloc(t->item[k], sizeof(int) * (size_t)cap);
        if (!grown)
            return -1;
        t->item[k] = grown;
        t->cap[k] = cap;
    }
    t->item[k][t->count[k]++] = index;
    if (t->count[k] == 1 || iv->end > t->end[k])
        t->end[k] = iv->end;
    return 0;
}

/* A placed interval's bytes: [lo, hi). */
typedef struct Span {
    int64_t lo, hi;
} Span;

static int cmp_span(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Stores in alive[] the bytes of the placed intervals whose lifetime overlaps iv's; returns
 * how many, or -1 as soon as there are more than `most`. */
static int alive_with(const TimeIndex *t, const Interval *placed, const Interval *iv, int most,
                      Span *alive)
{
    int n = 0;
    for (int k = 0; k <= bucket_of(t, iv->end); k++) {
        if (t->count[k] == 0 || t->end[k] < iv->start)
            continue;
        for (int j = 0; j < t->count[k]; j++) {
            const Interval *o = &placed[t->item[k][j]];
            if (o->end < iv->start || iv->end < o->start)
                continue;
            if (n == most)
                return -1;
            alive[n++] = (Span){o->offset, o->offset + o->bytes};
        }
    }
    return n;
}

/* Lowest offset where iv fits beside the placed intervals alive with it (alive[0..n)):
 * sorted by offset, one sweep past every one that collides (each later one starts no lower). */
static int64_t place_sorted(Span *alive, int n, const Interval *iv)
{
    int64_t off = 0;
    qsort(alive, (size_t)n, sizeof(Span), cmp_span);
    for (int i = 0; i < n && alive[i].lo < off + iv->bytes; i++)
        if (alive[i].hi > off)
            off = align_up(alive[i].hi);
    return off;
}

/* The same offset found by moving past colliding intervals in placement order until none
 * collides: when most placed intervals are alive together (a wide graph) they lie stacked
 * in that order, so this settles in a pass or two without sorting them all. */
static int64_t place_in_order(const Interval *placed, int nplaced, const Interval *iv)
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

/* Offset of placed[nplaced] (Intervals sorted largest first); alive is scratch. */
static int64_t place(const TimeIndex *t, const Interval *placed, int nplaced, Span *alive)
{
    const Interval *iv = &placed[nplaced];
    int n = alive_with(t, placed, iv, nplaced / 16 > 64 ? nplaced / 16 : 64, alive);
    return n < 0 ? place_in_order(placed, nplaced, iv) : place_sorted(alive, n, iv);
}

/* Gives every interval (sorted largest first) its offset; returns the arena size, or -1 when
 * out of memory. */
static int64_t place_all(Interval *iv, int n, int64_t steps)
{
    TimeIndex index;
    Span *alive = malloc(sizeof(Span) * ((size_t)n + 1));
    int64_t total = 0;
    if (time_index_init(&index, steps) != 0 || !alive)
        total = -1;
    for (int i = 0; i < n && total >= 0; i++) {
        iv[i].offset = place(&index, iv, i, alive);
        if (iv[i].offset + iv[i].bytes > total)
            total = iv[i].offset + iv[i].bytes;
        if (time_index_add(&index, &iv[i], i) != 0)
            total = -1;
    }
    time_index_free(&index);
    free(alive);
    return total;
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
    mark_caller_outputs(g);
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
        if (p.first[i] < 0 || v->kind == FC_VAL_CONST || find_rep(&p, i) != i ||
            is_graph_input(g, i) || v->caller_out)
            continue;
        Interval e = {p.first[i], p.last[i], align_up(bytes[i]), 0, i, NULL};
        iv[n++] = e;
    }
    collect_scratch(&g->top, iv, &n);
    qsort(iv, (size_t)n, sizeof(*iv), cmp_size_desc);
    int64_t total = place_all(iv, n, p.step + 1);
    for (int i = 0; i < n; i++) {
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
    return total < 0 ? fc_err(g, NULL, "out of memory planning the activation arena") : 0;
}
