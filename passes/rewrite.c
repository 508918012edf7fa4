/* rewrite.c — helpers shared by the passes (see rewrite.h). */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include "rewrite.h"

static void defuse_block(const FcBlock *b, FcDefUse *du)
{
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        if (n->dead)
            continue;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0) {
                du->uses[n->in[k]]++;
                if (!du->reader[n->in[k]])
                    du->reader[n->in[k]] = n;
            }
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                defuse_block(n->branch[br], du);
        for (int k = 0; k < n->nout; k++)
            if (n->out[k] >= 0)
                du->producer[n->out[k]] = n;
    }
    for (int k = 0; k < b->noutputs; k++)
        du->uses[b->outputs[k]]++;
}

void fc_defuse_build(const FcGraph *g, FcDefUse *du)
{
    du->nvals = g->nvals;
    du->producer = calloc((size_t)g->nvals + 1, sizeof(FcNode *));
    du->uses = calloc((size_t)g->nvals + 1, sizeof(int));
    du->reader = calloc((size_t)g->nvals + 1, sizeof(FcNode *));
    defuse_block(&g->top, du);
    for (int i = 0; i < g->noutputs; i++)
        du->uses[g->outputs[i]]++;
}

void fc_defuse_free(FcDefUse *du)
{
    free(du->producer);
    free(du->uses);
    free(du->reader);
}

FcNode *fc_sole_reader_op(const FcGraph *g, const FcDefUse *du, int id, int op)
{
    if (id < 0 || du->uses[id] != 1 || fc_val(g, id)->is_output || !du->reader[id] ||
        du->reader[id]->op != op)
        return NULL;
    return du->reader[id];
}

int fc_operand_besides_const(const FcGraph *g, const FcNode *n, double c)
{
    double v;
    if (n->nin != 2)
        return -1;
    for (int k = 0; k < 2; k++)
        if (fc_const_uniform(g, n->in[k], &v) && fabs(v - c) <= 1e-4 * fabs(c))
            return n->in[1 - k];
    return -1;
}

void fc_node_reset(FcGraph *g, FcNode *n, int op, int nin, const int *in)
{
    n->op = op;
    n->nin = nin;
    n->in = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)(nin + 1));
    memcpy(n->in, in, sizeof(int) * (size_t)nin);
    n->nattr = 0;
    n->attr = NULL;
    n->nia = n->nfa = 0;
    n->scratch_bytes = 0;
}

FcNode *fc_producer_op(const FcDefUse *du, int id, int op)
{
    if (id < 0 || id >= du->nvals || !du->producer[id] || du->producer[id]->op != op)
        return NULL;
    return du->producer[id];
}

int fc_is_const(const FcGraph *g, int id)
{
    return id >= 0 && fc_val(g, id)->kind == FC_VAL_CONST;
}

int fc_const_uniform(const FcGraph *g, int id, double *value)
{
    if (!fc_is_const(g, id))
        return 0;
    const FcValue *v = fc_val(g, id);
    if (!(v->dtype == FC_DT_F32 || v->dtype == FC_DT_F64))
        return 0;
    int64_t n = fc_value_numel(v);
    if (n == 0)
        return 0;
    double first = fc_rt_get_f64(v->data, v->dtype, 0);
    for (int64_t i = 1; i < n; i++)
        if (fc_rt_get_f64(v->data, v->dtype, i) != first)
            return 0;
    *value = first;
    return 1;
}

int fc_value_typed(FcGraph *g, const char *name, int32_t dtype, int rank, const int64_t *dims)
{
    int id = fc_value_new(g, name);
    FcValue *v = fc_val(g, id);
    v->dtype = dtype;
    v->rank = rank;
    if (rank)
        memcpy(v->dims, dims, sizeof(int64_t) * (size_t)rank);
    return id;
}

int fc_const_new(FcGraph *g, const char *name, int32_t dtype, int rank, const int64_t *dims,
                 const void *data)
{
    int id = fc_value_typed(g, name, dtype, rank, dims);
    FcValue *v = fc_val(g, id);
    v->kind = FC_VAL_CONST;
    v->data = fc_arena_alloc(&g->arena, fc_value_bytes(v) + 1);
    if (data)
        memcpy(v->data, data, fc_value_bytes(v));
    return id;
}

static FcAttr *new_attr(FcGraph *g, FcNode *n, const char *name, int type)
{
    FcAttr *a = fc_arena_alloc(&g->arena, sizeof(FcAttr) * (size_t)(n->nattr + 1));
    if (n->nattr)
        memcpy(a, n->attr, sizeof(FcAttr) * (size_t)n->nattr);
    n->attr = a;
    FcAttr *x = &a[n->nattr++];
    x->name = fc_arena_strdup(&g->arena, name);
    x->type = type;
    x->tensor = -1;
    return x;
}

void fc_node_add_attr_int(FcGraph *g, FcNode *n, const char *name, int64_t v)
{
    new_attr(g, n, name, FC_ATTR_INT)->i = v;
}

void fc_node_add_attr_float(FcGraph *g, FcNode *n, const char *name, float v)
{
    new_attr(g, n, name, FC_ATTR_FLOAT)->f = v;
}

void fc_node_add_attr_ints(FcGraph *g, FcNode *n, const char *name, const int64_t *v, int count)
{
    FcAttr *a = new_attr(g, n, name, FC_ATTR_INTS);
    a->n = count;
    a->ints = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(count + 1));
    memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
}

void fc_node_add_attr_floats(FcGraph *g, FcNode *n, const char *name, const float *v, int count)
{
    FcAttr *a = new_attr(g, n, name, FC_ATTR_FLOATS);
    a->n = count;
    a->floats = fc_arena_alloc(&g->arena, sizeof(float) * (size_t)(count + 1));
    memcpy(a->floats, v, sizeof(float) * (size_t)count);
}

void fc_node_add_attr_string(FcGraph *g, FcNode *n, const char *name, const char *v)
{
    new_attr(g, n, name, FC_ATTR_STRING)->s = fc_arena_strdup(&g->arena, v);
}

int fc_block_sweep(FcBlock *b)
{
    int k = 0, removed = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        if (n->dead) {
            removed++;
            continue;
        }
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                removed += fc_block_sweep(n->branch[br]);
        b->nodes[k++] = n;
    }
    b->nnodes = k;
    return removed;
}

void fc_block_insert(FcGraph *g, FcBlock *b, int at, FcNode *n)
{
    fc_block_append(g, b, n); /* grows the array */
    memmove(&b->nodes[at + 1], &b->nodes[at], sizeof(FcNode *) * (size_t)(b->nnodes - 1 - at));
    b->nodes[at] = n;
}

void fc_prepare_new_node(FcGraph *g, FcNode *n)
{
    if (fc_ops[n->op].prepare(g, n)) {
        fprintf(stderr, "fastc: internal error: a pass built an invalid node: %s\n", g->err);
        abort();
    }
}
