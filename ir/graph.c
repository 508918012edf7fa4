/* graph.c — the IR's storage: one arena per compilation, the value table, nodes and blocks,
 * error reporting, and the small helpers every op's prepare function uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ir.h"

/* ---- arena ---------------------------------------------------------------------- */

/* Under AddressSanitizer (-Dsanitize=true, -Dfuzz=true) the unused part of every chunk stays
 * poisoned and each allocation is followed by a redzone, so ASan reports a prepare function
 * or kernel that overruns an arena-allocated tensor as it would a malloc'd one. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FC_ASAN 1
#endif
#ifdef FC_ASAN
#include <sanitizer/asan_interface.h>
#define FC_ARENA_REDZONE 16
#else
#define FC_ARENA_REDZONE 0
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

struct FcArenaChunk {
    FcArenaChunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char mem[];
};

void *fc_arena_alloc(FcArena *a, size_t size)
{
    FcArenaChunk *c = a->head;
    size_t want = size;
    size = ((size + 15) & ~(size_t)15) + FC_ARENA_REDZONE;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > (1u << 20) ? size : (1u << 20);
        c = malloc(sizeof(*c) + cap);
        if (!c) {
            fprintf(stderr, "fastc: out of memory (%zu bytes)\n", size);
            abort();
        }
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
        ASAN_POISON_MEMORY_REGION(c->mem, cap);
    }
    void *p = c->mem + c->used;
    c->used += size;
    ASAN_UNPOISON_MEMORY_REGION(p, want);
    memset(p, 0, FC_ARENA_REDZONE ? want : size);
    return p;
}

char *fc_arena_strdup(FcArena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = fc_arena_alloc(a, n);
    memcpy(p, s, n);
    return p;
}

char *fc_arena_printf(FcArena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = fc_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void fc_arena_free(FcArena *a)
{
    while (a->head) {
        FcArenaChunk *n = a->head->next;
        ASAN_UNPOISON_MEMORY_REGION(a->head->mem, a->head->cap);
        free(a->head);
        a->head = n;
    }
}

/* ---- graph construction --------------------------------------------------------- */

FcGraph *fc_graph_new(const char *path)
{
    FcGraph *g = calloc(1, sizeof(*g));
    if (!g)
        abort();
    g->path = fc_arena_strdup(&g->arena, path ? path : "<memory>");
    g->opset = 1;
    g->threads = 1;
    g->batch_copies = 1;
    g->batch_threads = 1;
    return g;
}

void fc_graph_free(FcGraph *g)
{
    if (!g)
        return;
    free(g->vals);
    fc_arena_free(&g->arena);
    free(g);
}

int fc_value_new(FcGraph *g, const char *name)
{
    if (g->nvals == g->capvals) {
        g->capvals = g->capvals ? 2 * g->capvals : 256;
        g->vals = realloc(g->vals, (size_t)g->capvals * sizeof(*g->vals));
        if (!g->vals)
            abort();
    }
    FcValue *v = fc_arena_alloc(&g->arena, sizeof(*v));
    v->name = fc_arena_strdup(&g->arena, name ? name : "");
    v->rank = -1;
    v->offset = -1;
    g->vals[g->nvals] = v;
    return g->nvals++;
}

/* Linear search is fine at import (names are resolved once, through the importer's hash). */
int fc_value_find(FcGraph *g, const char *name)
{
    int i;
    for (i = g->nvals - 1; i >= 0; i--)
        if (strcmp(g->vals[i]->name, name) == 0)
            return i;
    return -1;
}

FcNode *fc_node_new(FcGraph *g, int op, const char *name, int nin, int nout)
{
    FcNode *n = fc_arena_alloc(&g->arena, sizeof(*n));
    n->op = op;
    n->name = fc_arena_strdup(&g->arena, name ? name : "");
    n->nin = nin;
    n->nout = nout;
    n->in = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)(nin ? nin : 1));
    n->out = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)(nout ? nout : 1));
    for (int i = 0; i < nin; i++)
        n->in[i] = -1;
    for (int i = 0; i < nout; i++)
        n->out[i] = -1;
    return n;
}

void fc_block_append(FcGraph *g, FcBlock *b, FcNode *n)
{
    if (b->nnodes == b->cap) {
        int cap = b->cap ? 2 * b->cap : 64;
        FcNode **nodes = fc_arena_alloc(&g->arena, sizeof(*nodes) * (size_t)cap);
        if (b->nnodes)
            memcpy(nodes, b->nodes, sizeof(*nodes) * (size_t)b->nnodes);
        b->nodes = nodes;
        b->cap = cap;
    }
    b->nodes[b->nnodes++] = n;
}

static int replace_in_block(FcBlock *b, int from, int to)
{
    int n = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *nd = b->nodes[i];
        for (int k = 0; k < nd->nin; k++)
            if (nd->in[k] == from)
                nd->in[k] = to, n++;
        for (int br = 0; br < 2; br++)
            if (nd->branch[br])
                n += replace_in_block(nd->branch[br], from, to);
    }
    for (int k = 0; k < b->noutputs; k++)
        if (b->outputs[k] == from)
            b->outputs[k] = to, n++;
    return n;
}

int fc_replace_uses(FcGraph *g, int from, int to)
{
    int n = replace_in_block(&g->top, from, to);
    for (int i = 0; i < g->noutputs; i++)
        if (g->outputs[i] == from) {
            g->outputs[i] = to;
            g->vals[to]->is_output = 1;
            n++;
        }
    return n;
}

static int uses_in_block(const FcBlock *b, int id)
{
    int n = 0;
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *nd = b->nodes[i];
        for (int k = 0; k < nd->nin; k++)
            n += nd->in[k] == id;
        for (int br = 0; br < 2; br++)
            if (nd->branch[br])
                n += uses_in_block(nd->branch[br], id);
    }
    for (int k = 0; k < b->noutputs; k++)
        n += b->outputs[k] == id;
    return n;
}

int fc_count_uses(const FcGraph *g, int id)
{
    int n = uses_in_block(&g->top, id);
    for (int i = 0; i < g->noutputs; i++)
        n += g->outputs[i] == id;
    return n;
}

/* ---- errors ----------------------------------------------------------------------- */

int fc_err(FcGraph *g, const FcNode *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(g->err, sizeof g->err, "%s: node '%s' (%s): %s", g->path, n->name,
                 n->op >= 0 && n->op < FC_OP_COUNT ? fc_ops[n->op].name : "?", msg);
    else
        snprintf(g->err, sizeof g->err, "%s: %s", g->path, msg);
    return -1;
}

/* ---- helpers for op prepare functions ---------------------------------------------- */

FcValue *fc_in(FcGraph *g, const FcNode *n, int i)
{
    if (i < 0 || i >= n->nin || n->in[i] < 0)
        return NULL;
    return g->vals[n->in[i]];
}

FcValue *fc_out(FcGraph *g, const FcNode *n, int i)
{
    if (i < 0 || i >= n->nout || n->out[i] < 0)
        return NULL;
    return g->vals[n->out[i]];
}

const FcAttr *fc_attr(const FcNode *n, const char *name)
{
    for (int i = 0; i < n->nattr; i++)
        if (strcmp(n->attr[i].name, name) == 0)
            return &n->attr[i];
    return NULL;
}

int64_t fc_attr_i(const FcNode *n, const char *name, int64_t dflt)
{
    const FcAttr *a = fc_attr(n, name);
    return a && a->type == FC_ATTR_INT ? a->i : dflt;
}

float fc_attr_f(const FcNode *n, const char *name, float dflt)
{
    const FcAttr *a = fc_attr(n, name);
    return a && a->type == FC_ATTR_FLOAT ? a->f : dflt;
}

const char *fc_attr_s(const FcNode *n, const char *name, const char *dflt)
{
    const FcAttr *a = fc_attr(n, name);
    return a && a->type == FC_ATTR_STRING ? a->s : dflt;
}

int fc_attr_ints(const FcNode *n, const char *name, const int64_t **v)
{
    const FcAttr *a = fc_attr(n, name);
    if (!a || a->type != FC_ATTR_INTS)
        return -1;
    *v = a->ints;
    return a->n;
}

int fc_attr_floats(const FcNode *n, const char *name, const float **v)
{
    const FcAttr *a = fc_attr(n, name);
    if (!a || a->type != FC_ATTR_FLOATS)
        return -1;
    *v = a->floats;
    return a->n;
}

int64_t fc_value_numel(const FcValue *v)
{
    int64_t n = 1;
    for (int i = 0; i < v->rank; i++)
        n *= v->dims[i];
    return n;
}

size_t fc_value_bytes(const FcValue *v)
{
    return (size_t)fc_value_numel(v) * fc_rt_dtype_size(v->dtype);
}

/* Largest tensor fastc will plan, in elements: guards every size product against overflow. */
#define FC_MAX_NUMEL (INT64_C(1) << 40)

int fc_set_out(FcGraph *g, FcNode *n, int i, int32_t dtype, int32_t rank, const int64_t *dims)
{
    FcValue *v = fc_out(g, n, i);
    if (!v)
        return 0; /* an optional output the model does not use */
    if (rank < 0 || rank > FC_MAX_RANK)
        return fc_err(g, n, "output %d has rank %d (fastc supports up to %d)", i, rank,
                      FC_MAX_RANK);
    int64_t numel = 1;
    for (int d = 0; d < rank; d++) {
        if (dims[d] < 0)
            return fc_err(g, n, "output %d gets negative dimension %lld", i, (long long)dims[d]);
        if (dims[d] > 0 && numel > FC_MAX_NUMEL / dims[d])
            return fc_err(g, n, "output %d is too large", i);
        numel *= dims[d];
    }
    v->dtype = dtype;
    v->rank = rank;
    for (int d = 0; d < rank; d++)
        v->dims[d] = dims[d];
    return 0;
}

int fc_set_out_like(FcGraph *g, FcNode *n, int i, const FcValue *src)
{
    return fc_set_out(g, n, i, src->dtype, src->rank, src->dims);
}

int64_t fc_const_ints(const FcGraph *g, const FcValue *v, int64_t *buf, int64_t max)
{
    (void)g;
    if (!v || v->kind != FC_VAL_CONST || !(fc_dtype_is_int(v->dtype) || v->dtype == FC_DT_BOOL))
        return -1;
    int64_t n = fc_value_numel(v);
    for (int64_t i = 0; i < n && i < max; i++)
        buf[i] = fc_rt_get_i64(v->data, v->dtype, i);
    return n;
}

int64_t fc_const_doubles(const FcGraph *g, const FcValue *v, double *buf, int64_t max)
{
    (void)g;
    if (!v || v->kind != FC_VAL_CONST || fc_rt_dtype_size(v->dtype) == 0)
        return -1;
    int64_t n = fc_value_numel(v);
    for (int64_t i = 0; i < n && i < max; i++)
        buf[i] = fc_rt_get_f64(v->data, v->dtype, i);
    return n;
}

int64_t *fc_pack_ints(FcGraph *g, FcNode *n, int count)
{
    n->nia = count;
    n->ia = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)(count ? count : 1));
    return n->ia;
}

float *fc_pack_floats(FcGraph *g, FcNode *n, int count)
{
    n->nfa = count;
    n->fa = fc_arena_alloc(&g->arena, sizeof(float) * (size_t)(count ? count : 1));
    return n->fa;
}

int fc_norm_axis(FcGraph *g, const FcNode *n, int64_t axis, int rank, int64_t *out)
{
    if (axis < -rank || axis >= rank)
        return fc_err(g, n, "axis %lld out of range for rank %d", (long long)axis, rank);
    *out = axis < 0 ? axis + rank : axis;
    return 0;
}

int fc_broadcast_shape(FcGraph *g, const FcNode *n, int ra, const int64_t *da, int rb,
                       const int64_t *db, int *rout, int64_t *dout)
{
    int r = ra > rb ? ra : rb;
    int64_t out[FC_MAX_RANK]; /* dout may alias da or db */
    if (r > FC_MAX_RANK)
        return fc_err(g, n, "rank %d exceeds %d", r, FC_MAX_RANK);
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t a = ia >= 0 ? da[ia] : 1, b = ib >= 0 ? db[ib] : 1;
        if (a != b && a != 1 && b != 1)
            return fc_err(g, n, "shapes do not broadcast (dimension %lld vs %lld)",
                          (long long)a, (long long)b);
        out[i] = a == 1 ? b : a;
    }
    memcpy(dout, out, sizeof(int64_t) * (size_t)r);
    *rout = r;
    return 0;
}

int fc_err_need_const(FcGraph *g, const FcNode *n, const char *param, const FcValue *v)
{
    return fc_err(g, n, "input '%s' must be a compile-time constant (value '%s'; a graph input "
                  "can be fixed with --const-input)", param, v->name);
}

int fc_dtype_is_float(int32_t dt)
{
    return dt == FC_DT_F32 || dt == FC_DT_F64 || dt == FC_DT_F16;
}

int fc_dtype_is_int(int32_t dt)
{
    switch (dt) {
    case FC_DT_U8: case FC_DT_I8: case FC_DT_U16: case FC_DT_I16: case FC_DT_I32:
    case FC_DT_I64: case FC_DT_U32: case FC_DT_U64:
        return 1;
    default:
        return 0;
    }
}

const char *fc_onnx_dtype_name(int32_t dt)
{
    static const char *const names[] = {
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
        "bool", "float16", "double", "uint32", "uint64", "complex64", "complex128", "bfloat16",
        "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4",
        "float4e2m1", "float8e8m0", "uint2", "int2"};
    if (dt >= 0 && dt < (int32_t)(sizeof names / sizeof names[0]))
        return names[dt];
    return NULL;
}

const char *fc_dtype_name(int32_t dt)
{
    switch (dt) {
    case FC_DT_F32: return "f32";
    case FC_DT_U8: return "u8";
    case FC_DT_I8: return "i8";
    case FC_DT_U16: return "u16";
    case FC_DT_I16: return "i16";
    case FC_DT_I32: return "i32";
    case FC_DT_I64: return "i64";
    case FC_DT_STRING: return "str";
    case FC_DT_BOOL: return "bool";
    case FC_DT_F16: return "f16";
    case FC_DT_F64: return "f64";
    case FC_DT_U32: return "u32";
    case FC_DT_U64: return "u64";
    default: return "?";
    }
}
