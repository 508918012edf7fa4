/* onnx_import.c — reads an ONNX ModelProto (protobuf-c) and builds the fastc IR.
 *
 * Names are resolved through a chain of scopes (a subgraph of If sees its parent's names).
 * Within one graph, nodes may appear in any order: all node outputs are declared first, then
 * inputs are resolved, then the block is topologically sorted (a cycle is an error). Constant
 * nodes and initializers become constant values; graph inputs that are also initializers
 * are constants (IR < 4 style). Symbolic input dimensions must be fixed by the user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx_import.h"
#include "onnx.pb-c.h"
#include "tensor_pb.h"

/* ---- name scopes ------------------------------------------------------------------ */

typedef struct Scope {
    struct Scope *parent;
    const char **names;
    int *ids;
    int cap, count;
} Scope;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static void scope_put(FcGraph *g, Scope *s, const char *name, int id);

static void scope_grow(FcGraph *g, Scope *s)
{
    Scope old = *s;
    s->cap = old.cap ? old.cap * 2 : 256;
    s->names = fc_arena_alloc(&g->arena, sizeof(char *) * (size_t)s->cap);
    s->ids = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)s->cap);
    s->count = 0;
    for (int i = 0; i < old.cap; i++)
        if (old.names[i])
            scope_put(g, s, old.names[i], old.ids[i]);
}

static void scope_put(FcGraph *g, Scope *s, const char *name, int id)
{
    if (2 * (s->count + 1) > s->cap)
        scope_grow(g, s);
    size_t i = hash_str(name) & (size_t)(s->cap - 1);
    while (s->names[i] && strcmp(s->names[i], name) != 0)
        i = (i + 1) & (size_t)(s->cap - 1);
    if (!s->names[i])
        s->count++;
    s->names[i] = name;
    s->ids[i] = id;
}

static int scope_get_local(const Scope *s, const char *name)
{
    if (!s->cap)
        return -1;
    size_t i = hash_str(name) & (size_t)(s->cap - 1);
    while (s->names[i]) {
        if (strcmp(s->names[i], name) == 0)
            return s->ids[i];
        i = (i + 1) & (size_t)(s->cap - 1);
    }
    return -1;
}

static int scope_get(const Scope *s, const char *name)
{
    for (; s; s = s->parent) {
        int id = scope_get_local(s, name);
        if (id >= 0)
            return id;
    }
    return -1;
}

/* ---- import context ----------------------------------------------------------------- */

typedef struct Importer {
    FcGraph *g;
    const FcImportOptions *opt;
    char model_dir[4096];
    int node_counter;
} Importer;

static const char *str_or(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static int import_graph(Importer *im, const Onnx__GraphProto *gp, Scope *scope, FcBlock *block,
                        int top_level);

/* ---- types and shapes of graph inputs ----------------------------------------------------- */

static const FcShapeOverride *find_shape_override(Importer *im, const char *name, int position)
{
    char pos[32];
    snprintf(pos, sizeof pos, "@%d", position);
    for (int i = 0; i < im->opt->nshapes; i++)
        if (strcmp(im->opt->shapes[i].name, name) == 0 || strcmp(im->opt->shapes[i].name, pos) == 0)
            return &im->opt->shapes[i];
    return NULL;
}

static const FcDimOverride *find_dim_override(Importer *im, const char *param)
{
    for (int i = 0; i < im->opt->ndims; i++)
        if (strcmp(im->opt->dims[i].name, param) == 0)
            return &im->opt->dims[i];
    return NULL;
}

static const FcConstInput *find_const_input(Importer *im, const char *name, int position)
{
    char pos[32];
    snprintf(pos, sizeof pos, "@%d", position);
    for (int i = 0; i < im->opt->nconsts; i++)
        if (strcmp(im->opt->consts[i].name, name) == 0 || strcmp(im->opt->consts[i].name, pos) == 0)
            return &im->opt->consts[i];
    return NULL;
}

static unsigned char *read_file(const char *path, size_t *len);

/* Loads a --const-input value; it must have the input's declared dtype. */
static int load_const_input(Importer *im, const FcConstInput *ci, FcValue *v)
{
    FcGraph *g = im->g;
    size_t len = 0;
    unsigned char *buf = read_file(ci->file, &len);
    if (!buf)
        return fc_err(g, NULL, "cannot read --const-input file '%s'", ci->file);
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, buf);
    free(buf);
    if (!t)
        return fc_err(g, NULL, "--const-input file '%s' is not a TensorProto", ci->file);
    int32_t declared = v->dtype;
    const char *name = v->name;
    int rc = fc_tensor_decode(g, t, ".", NULL, v);
    onnx__tensor_proto__free_unpacked(t, NULL);
    v->name = name;
    if (!rc && declared && v->dtype != declared)
        rc = fc_err(g, NULL, "--const-input '%s' has data type %d, input '%s' is %d", ci->file,
                    (int)v->dtype, name, (int)declared);
    return rc;
}

static int input_type(Importer *im, const Onnx__ValueInfoProto *vi, int position, FcValue *v)
{
    FcGraph *g = im->g;
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return fc_err(g, NULL, "graph input '%s' is not a tensor (unsupported)", v->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    v->dtype = tt->elem_type;
    if (fc_rt_dtype_size(v->dtype) == 0) {
        const char *tn = fc_onnx_dtype_name(v->dtype);
        return fc_err(g, NULL, "graph input '%s' has unsupported data type %d (%s)", v->name,
                      (int)v->dtype, tn ? tn : "unknown");
    }
    const FcShapeOverride *so = find_shape_override(im, v->name, position);
    if (so) {
        v->rank = so->rank;
        memcpy(v->dims, so->dims, sizeof(int64_t) * (size_t)so->rank);
        return 0;
    }
    if (!tt->shape)
        return fc_err(g, NULL, "graph input '%s' has no shape: fix it with --shape %s=d0,d1,...",
                      v->name, v->name);
    if (tt->shape->n_dim > FC_MAX_RANK)
        return fc_err(g, NULL, "graph input '%s' has rank %zu (fastc supports up to %d)",
                      v->name, tt->shape->n_dim, FC_MAX_RANK);
    v->rank = (int32_t)tt->shape->n_dim;
    for (size_t d = 0; d < tt->shape->n_dim; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            dim->dim_value >= 0) {
            v->dims[d] = dim->dim_value;
            continue;
        }
        const char *param = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
                                ? dim->dim_param : "?";
        const FcDimOverride *dov = find_dim_override(im, param);
        if (!dov)
            return fc_err(g, NULL, "graph input '%s' has symbolic dimension '%s' (axis %zu): fix "
                          "it with --dim %s=N or --shape %s=d0,d1,...", v->name, param, d, param,
                          v->name);
        v->dims[d] = dov->value;
    }
    return 0;
}

/* ---- attributes ------------------------------------------------------------------------ */

/* Old exporters omit AttributeProto.type; infer it from the field that is set. */
static int attr_kind(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type)
        return (int)a->type;
    if (a->n_floats) return FC_ATTR_FLOATS;
    if (a->n_ints) return FC_ATTR_INTS;
    if (a->n_strings) return FC_ATTR_STRINGS;
    if (a->n_tensors) return FC_ATTR_TENSORS;
    if (a->n_graphs) return FC_ATTR_GRAPHS;
    if (a->has_f) return FC_ATTR_FLOAT;
    if (a->has_i) return FC_ATTR_INT;
    if (a->has_s) return FC_ATTR_STRING;
    if (a->t) return FC_ATTR_TENSOR;
    if (a->g) return FC_ATTR_GRAPH;
    return 0;
}

static char *bytes_to_str(FcGraph *g, ProtobufCBinaryData b)
{
    char *s = fc_arena_alloc(&g->arena, b.len + 1);
    if (b.len)
        memcpy(s, b.data, b.len);
    return s;
}

static int import_attr(Importer *im, FcNode *n, const Onnx__AttributeProto *a, FcAttr *out,
                       Scope *scope)
{
    FcGraph *g = im->g;
    out->name = fc_arena_strdup(&g->arena, str_or(a->name, ""));
    out->type = attr_kind(a);
    out->tensor = -1;
    switch (out->type) {
    case FC_ATTR_FLOAT: out->f = a->f; break;
    case FC_ATTR_INT: out->i = a->i; break;
    case FC_ATTR_STRING: out->s = bytes_to_str(g, a->s); break;
    case FC_ATTR_FLOATS:
        out->n = (int)a->n_floats;
        out->floats = fc_arena_alloc(&g->arena, sizeof(float) * (a->n_floats + 1));
        if (a->n_floats) /* an empty list has a NULL array: memcpy must not see it (fuzz) */
            memcpy(out->floats, a->floats, sizeof(float) * a->n_floats);
        break;
    case FC_ATTR_INTS:
        out->n = (int)a->n_ints;
        out->ints = fc_arena_alloc(&g->arena, sizeof(int64_t) * (a->n_ints + 1));
        if (a->n_ints)
            memcpy(out->ints, a->ints, sizeof(int64_t) * a->n_ints);
        break;
    case FC_ATTR_STRINGS:
        out->n = (int)a->n_strings;
        out->strings = fc_arena_alloc(&g->arena, sizeof(char *) * (a->n_strings + 1));
        for (size_t i = 0; i < a->n_strings; i++)
            out->strings[i] = bytes_to_str(g, a->strings[i]);
        break;
    case FC_ATTR_TENSOR: {
        if (!a->t)
            return fc_err(g, n, "attribute '%s' has no tensor", out->name);
        out->tensor = fc_value_new(g, fc_arena_printf(&g->arena, "%s.%s", n->name, out->name));
        if (fc_tensor_decode(g, a->t, im->model_dir, n, fc_val(g, out->tensor)))
            return -1;
        break;
    }
    case FC_ATTR_GRAPH: {
        if (!a->g)
            return fc_err(g, n, "attribute '%s' has no graph", out->name);
        out->graph = fc_arena_alloc(&g->arena, sizeof(FcBlock));
        Scope *inner = fc_arena_alloc(&g->arena, sizeof(Scope));
        inner->parent = scope;
        if (import_graph(im, a->g, inner, out->graph, 0))
            return -1;
        break;
    }
    default:
        return fc_err(g, n, "attribute '%s' has unsupported type %d", out->name, out->type);
    }
    return 0;
}

/* ---- nodes -------------------------------------------------------------------------------- */

static int is_onnx_domain(const char *d)
{
    return !d || !*d || strcmp(d, "ai.onnx") == 0;
}

/* A Constant node: its value becomes a constant value named after the node's output. */
static int import_constant(Importer *im, const Onnx__NodeProto *np, FcNode *tmp, Scope *scope)
{
    FcGraph *g = im->g;
    if (np->n_output != 1 || np->n_attribute != 1)
        return fc_err(g, tmp, "expects exactly one output and one value attribute");
    const Onnx__AttributeProto *a = np->attribute[0];
    const char *an = str_or(a->name, "");
    int id = fc_value_new(g, np->output[0]);
    FcValue *v = fc_val(g, id);
    v->kind = FC_VAL_CONST;
    if (strcmp(an, "value") == 0 && a->t) {
        if (fc_tensor_decode(g, a->t, im->model_dir, tmp, v))
            return -1;
    } else if (strcmp(an, "value_float") == 0 || strcmp(an, "value_int") == 0 ||
               strcmp(an, "value_floats") == 0 || strcmp(an, "value_ints") == 0) {
        int is_f = an[6] == 'f', is_list = an[strlen(an) - 1] == 's';
        int64_t count = is_list ? (int64_t)(is_f ? a->n_floats : a->n_ints) : 1;
        v->dtype = is_f ? FC_DT_F32 : FC_DT_I64;
        v->rank = is_list ? 1 : 0;
        v->dims[0] = count;
        v->data = fc_arena_alloc(&g->arena, (size_t)(count ? count : 1) * 8);
        for (int64_t i = 0; i < count; i++) {
            if (is_f)
                ((float *)v->data)[i] = is_list ? a->floats[i] : a->f;
            else
                ((int64_t *)v->data)[i] = is_list ? a->ints[i] : a->i;
        }
    } else {
        return fc_err(g, tmp, "unsupported Constant attribute '%s'", an);
    }
    if (scope_get_local(scope, np->output[0]) >= 0)
        return fc_err(g, tmp, "output '%s' is produced twice", np->output[0]);
    scope_put(g, scope, v->name, id);
    return 0;
}

static const char *node_name(Importer *im, const Onnx__NodeProto *np)
{
    if (np->name && *np->name)
        return np->name;
    return fc_arena_printf(&im->g->arena, "%s_%d", str_or(np->op_type, "node"), im->node_counter);
}

/* Creates the node and its output values; inputs are resolved later (resolve_inputs). */
static FcNode *declare_node(Importer *im, const Onnx__NodeProto *np, Scope *scope)
{
    FcGraph *g = im->g;
    const char *op_type = str_or(np->op_type, "");
    im->node_counter++;
    FcNode probe = {0};
    probe.name = node_name(im, np);
    probe.op = -1;
    int op = fc_op_lookup(op_type);
    if (!is_onnx_domain(np->domain)) {
        snprintf(g->err, sizeof g->err, "%s: node '%s' (%s): unsupported op domain '%s'",
                 g->path, probe.name, op_type, np->domain);
        return NULL;
    }
    if (op < 0) {
        snprintf(g->err, sizeof g->err, "%s: node '%s' (%s): unsupported op '%s'", g->path,
                 probe.name, op_type, op_type);
        return NULL;
    }
    FcNode *n = fc_node_new(g, op, probe.name, (int)np->n_input, (int)np->n_output);
    const FcOpInfo *info = &fc_ops[op];
    if ((int)np->n_input < info->min_in || (int)np->n_input > info->max_in) {
        fc_err(g, n, "has %zu inputs (expects %d to %d)", np->n_input, info->min_in, info->max_in);
        return NULL;
    }
    if ((int)np->n_output < info->min_out || (int)np->n_output > info->max_out) {
        fc_err(g, n, "has %zu outputs (expects %d to %d)", np->n_output, info->min_out,
               info->max_out);
        return NULL;
    }
    for (size_t i = 0; i < np->n_output; i++) {
        const char *on = np->output[i];
        /* Kernels write their first min_out outputs unconditionally (fuzz: an AveragePool
         * whose output name was empty wrote through tensor index -1). */
        if ((!on || !*on) && (int)i < info->min_out) {
            fc_err(g, n, "output %zu is required but its name is empty", i);
            return NULL;
        }
        if (!on || !*on)
            continue; /* an optional output the model does not use */
        if (scope_get_local(scope, on) >= 0) {
            fc_err(g, n, "output '%s' is produced twice", on);
            return NULL;
        }
        n->out[i] = fc_value_new(g, on);
        scope_put(g, scope, fc_val(g, n->out[i])->name, n->out[i]);
    }
    return n;
}

static int import_attrs(Importer *im, FcNode *n, const Onnx__NodeProto *np, Scope *scope)
{
    n->nattr = (int)np->n_attribute;
    n->attr = fc_arena_alloc(&im->g->arena, sizeof(FcAttr) * (np->n_attribute + 1));
    for (size_t i = 0; i < np->n_attribute; i++)
        if (import_attr(im, n, np->attribute[i], &n->attr[i], scope))
            return -1;
    return 0;
}

static int resolve_inputs(Importer *im, FcNode *n, const Onnx__NodeProto *np, Scope *scope)
{
    const FcOpInfo *info = &fc_ops[n->op];
    for (size_t i = 0; i < np->n_input; i++) {
        const char *in = np->input[i];
        /* An empty name marks an absent optional input; prepare functions read the first
         * min_in inputs (and every input of a variadic op) without checking (fuzz). */
        if ((!in || !*in) && ((int)i < info->min_in || (info->flags & FC_F_VARIADIC)))
            return fc_err(im->g, n, "input %zu is required but its name is empty", i);
        if (!in || !*in)
            continue;
        n->in[i] = scope_get(scope, in);
        if (n->in[i] < 0)
            return fc_err(im->g, n, "input '%s' is not produced by any node, initializer or graph "
                          "input", in);
    }
    return 0;
}

/* ---- topological order --------------------------------------------------------------------- */

/* Kahn's algorithm over the nodes of one block; producers outside the block are ready.
 * Each value's in-block consumers are listed once up front (CSR: cstart/clist), so sorting is
 * linear in nodes + edges: a scan of every node per released value made a 20,000-node chain
 * take seconds (docs/fuzzing.md). */
static int topo_sort(FcGraph *g, FcBlock *b)
{
    int n = b->nnodes;
    if (n == 0)
        return 0;
    int nv = g->nvals, nedges = 0;
    int *producer = malloc(sizeof(int) * (size_t)nv);
    int *cstart = calloc((size_t)nv + 1, sizeof(int));
    int *pending = calloc((size_t)n, sizeof(int));
    int *queue = calloc((size_t)n, sizeof(int));
    FcNode **order = fc_arena_alloc(&g->arena, sizeof(FcNode *) * (size_t)n);
    if (!producer || !cstart || !pending || !queue)
        abort();
    for (int i = 0; i < nv; i++)
        producer[i] = -1;
    for (int i = 0; i < n; i++)
        for (int o = 0; o < b->nodes[i]->nout; o++)
            if (b->nodes[i]->out[o] >= 0)
                producer[b->nodes[i]->out[o]] = i;
    /* One edge per (input slot, in-block producer): Add(x, x) waits for x twice. */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < b->nodes[i]->nin; k++) {
            int v = b->nodes[i]->in[k];
            if (v >= 0 && producer[v] >= 0) {
                pending[i]++;
                cstart[v + 1]++;
                nedges++;
            }
        }
    for (int v = 0; v < nv; v++)
        cstart[v + 1] += cstart[v];
    int *clist = malloc(sizeof(int) * (size_t)(nedges ? nedges : 1));
    int *fill = malloc(sizeof(int) * (size_t)nv);
    if (!clist || !fill)
        abort();
    memcpy(fill, cstart, sizeof(int) * (size_t)nv);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < b->nodes[i]->nin; k++) {
            int v = b->nodes[i]->in[k];
            if (v >= 0 && producer[v] >= 0)
                clist[fill[v]++] = i;
        }
    int head = 0, tail = 0, done = 0;
    for (int i = 0; i < n; i++)
        if (!pending[i])
            queue[tail++] = i;
    while (head < tail) {
        FcNode *nd = b->nodes[queue[head++]];
        order[done++] = nd;
        for (int o = 0; o < nd->nout; o++) {
            int v = nd->out[o];
            if (v < 0)
                continue;
            for (int e = cstart[v]; e < cstart[v + 1]; e++)
                if (--pending[clist[e]] == 0)
                    queue[tail++] = clist[e];
        }
    }
    int cyclic = done != n;
    const char *victim = NULL;
    for (int i = 0; cyclic && i < n && !victim; i++)
        if (pending[i])
            victim = b->nodes[i]->name;
    free(producer);
    free(cstart);
    free(clist);
    free(fill);
    free(pending);
    free(queue);
    if (cyclic) {
        snprintf(g->err, sizeof g->err, "%s: node '%s': the graph has a cycle", g->path, victim);
        return -1;
    }
    b->nodes = order;
    b->cap = n;
    return 0;
}

/* ---- graphs ----------------------------------------------------------------------------------- */

static int import_initializers(Importer *im, const Onnx__GraphProto *gp, Scope *scope)
{
    FcGraph *g = im->g;
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *t = gp->initializer[i];
        const char *name = str_or(t->name, "");
        if (!*name)
            return fc_err(g, NULL, "initializer %zu has no name", i);
        int id = fc_value_new(g, name);
        if (fc_tensor_decode(g, t, im->model_dir, NULL, fc_val(g, id)))
            return -1;
        scope_put(g, scope, fc_val(g, id)->name, id);
    }
    if (gp->n_sparse_initializer)
        return fc_err(g, NULL, "sparse initializers are unsupported");
    return 0;
}

static int import_inputs(Importer *im, const Onnx__GraphProto *gp, Scope *scope)
{
    FcGraph *g = im->g;
    int position = 0;
    g->inputs = fc_arena_alloc(&g->arena, sizeof(int) * (gp->n_input + 1));
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = str_or(gp->input[i]->name, "");
        if (scope_get_local(scope, name) >= 0)
            continue; /* an initializer listed as input: a constant unless fed */
        int id = fc_value_new(g, name);
        FcValue *v = fc_val(g, id);
        v->kind = FC_VAL_INPUT;
        const FcConstInput *ci = find_const_input(im, name, position);
        const Onnx__TypeProto *tp = gp->input[i]->type;
        if (ci && tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type)
            v->dtype = tp->tensor_type->elem_type;
        if (ci ? load_const_input(im, ci, v) : input_type(im, gp->input[i], position, v))
            return -1;
        position++;
        scope_put(g, scope, v->name, id);
        g->inputs[g->ninputs++] = id;
    }
    return 0;
}

static int import_nodes(Importer *im, const Onnx__GraphProto *gp, Scope *scope, FcBlock *block)
{
    FcGraph *g = im->g;
    FcNode **made = calloc(gp->n_node + 1, sizeof(FcNode *));
    int rc = 0;
    for (size_t i = 0; i < gp->n_node && !rc; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        if (strcmp(str_or(np->op_type, ""), "Constant") == 0 && is_onnx_domain(np->domain)) {
            FcNode tmp = {0};
            tmp.name = node_name(im, np);
            tmp.op = FC_OP_CONSTANT;
            im->node_counter++;
            if (import_constant(im, np, &tmp, scope))
                rc = -1;
            continue;
        }
        made[i] = declare_node(im, np, scope);
        if (!made[i])
            rc = -1;
    }
    for (size_t i = 0; i < gp->n_node && !rc; i++) {
        if (!made[i])
            continue;
        if (resolve_inputs(im, made[i], gp->node[i], scope) ||
            import_attrs(im, made[i], gp->node[i], scope))
            rc = -1;
        else
            fc_block_append(g, block, made[i]);
    }
    free(made);
    return rc ? rc : topo_sort(g, block);
}

static int import_outputs(Importer *im, const Onnx__GraphProto *gp, Scope *scope, FcBlock *block,
                          int top_level)
{
    FcGraph *g = im->g;
    int *outs = fc_arena_alloc(&g->arena, sizeof(int) * (gp->n_output + 1));
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = str_or(gp->output[i]->name, "");
        outs[i] = scope_get(scope, name);
        if (outs[i] < 0)
            return fc_err(g, NULL, "graph output '%s' is not produced by any node", name);
        if (top_level)
            fc_val(g, outs[i])->is_output = 1;
    }
    if (top_level) {
        g->output_names = fc_arena_alloc(&g->arena, sizeof(char *) * (gp->n_output + 1));
        for (size_t i = 0; i < gp->n_output; i++)
            g->output_names[i] = fc_val(g, outs[i])->name;
        g->outputs = outs;
        g->noutputs = (int)gp->n_output;
    } else {
        block->outputs = outs;
        block->noutputs = (int)gp->n_output;
    }
    return 0;
}

static int import_graph(Importer *im, const Onnx__GraphProto *gp, Scope *scope, FcBlock *block,
                        int top_level)
{
    if (import_initializers(im, gp, scope))
        return -1;
    if (top_level && import_inputs(im, gp, scope))
        return -1;
    if (!top_level && gp->n_input)
        return fc_err(im->g, NULL, "subgraph '%s' has inputs (only If-style subgraphs are "
                      "supported)", str_or(gp->name, ""));
    if (import_nodes(im, gp, scope, block))
        return -1;
    return import_outputs(im, gp, scope, block, top_level);
}

/* ---- model ------------------------------------------------------------------------------------ */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ---- nesting limit ---------------------------------------------------------------------------- */

/* protobuf-c unpacks nested messages recursively with no depth limit, so a model whose
 * subgraphs (If inside If ...) or types (sequence of sequence of ...) nest thousands deep
 * overflows the stack inside onnx__model_proto__unpack (found by tests/fuzz/make_chain.py
 * --nested-if 10000). Before unpacking, this walks the bytes with the schema's descriptors and
 * refuses nesting deeper than Google protobuf's default recursion limit, which ONNX's own
 * tools share, so no model they can load is refused. Malformed bytes are left to protobuf-c. */
#define FC_MAX_PROTO_DEPTH 100

static int pb_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        unsigned char c = *(*p)++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

/* Returns the deepest message nesting below (desc, bytes), stopping early past the limit. */
static int pb_depth(const ProtobufCMessageDescriptor *desc, const unsigned char *p,
                    const unsigned char *end, int depth)
{
    int deepest = depth;
    while (p < end && deepest <= FC_MAX_PROTO_DEPTH) {
        uint64_t key, v;
        if (!pb_varint(&p, end, &key))
            return deepest;
        switch (key & 7) {
        case 0: if (!pb_varint(&p, end, &v)) return deepest; break;
        case 1: if (end - p < 8) return deepest; p += 8; break;
        case 5: if (end - p < 4) return deepest; p += 4; break;
        case 2: {
            if (!pb_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return deepest;
            const ProtobufCFieldDescriptor *fd =
                key >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(
                                             desc, (unsigned)(key >> 3)) : NULL;
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
                int d = pb_depth(fd->descriptor, p, p + v, depth + 1);
                if (d > deepest)
                    deepest = d;
            }
            p += v;
            break;
        }
        default:
            return deepest;
        }
    }
    return deepest;
}

static int read_opset(FcGraph *g, const Onnx__ModelProto *m)
{
    g->opset = 0;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (is_onnx_domain(o->domain))
            g->opset = o->has_version ? o->version : 1;
    }
    if (m->n_opset_import == 0)
        g->opset = 1; /* IR version 1-2 models predate opset_import */
    if (g->opset == 0)
        return fc_err(g, NULL, "the model imports no ai.onnx opset");
    if (g->opset > FC_MAX_OPSET)
        return fc_err(g, NULL, "opset %lld is newer than fastc supports (up to %d)",
                      (long long)g->opset, FC_MAX_OPSET);
    return 0;
}

FcGraph *fc_onnx_load(const char *path, const FcImportOptions *opt, char *err, size_t errlen)
{
    size_t len = 0;
    unsigned char *buf = read_file(path, &len);
    if (!buf) {
        snprintf(err, errlen, "%s: cannot read the file", path);
        return NULL;
    }
    FcGraph *g = fc_onnx_load_buffer(buf, len, path, opt, err, errlen);
    free(buf);
    return g;
}

FcGraph *fc_onnx_load_buffer(const void *data, size_t len, const char *path,
                             const FcImportOptions *opt, char *err, size_t errlen)
{
    static const FcImportOptions no_opt;
    if (pb_depth(&onnx__model_proto__descriptor, data, (const unsigned char *)data + len, 0) >
        FC_MAX_PROTO_DEPTH) {
        snprintf(err, errlen, "%s: the model nests messages (subgraphs, types) more than %d "
                 "deep", path, FC_MAX_PROTO_DEPTH);
        return NULL;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m) {
        snprintf(err, errlen, "%s: not a valid ONNX model (protobuf decoding failed)", path);
        return NULL;
    }
    FcGraph *g = fc_graph_new(path);
    Importer im = {g, opt ? opt : &no_opt, {0}, 0};
    snprintf(im.model_dir, sizeof im.model_dir, "%s", path);
    char *slash = strrchr(im.model_dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(im.model_dir, sizeof im.model_dir, ".");
    g->ir_version = m->has_ir_version ? m->ir_version : 0;
    int rc = read_opset(g, m);
    if (!rc && !m->graph)
        rc = fc_err(g, NULL, "the model has no graph");
    Scope *top = fc_arena_alloc(&g->arena, sizeof(Scope));
    if (!rc)
        rc = import_graph(&im, m->graph, top, &g->top, 1);
    if (!rc && g->top.nnodes == 0 && g->noutputs == 0)
        rc = fc_err(g, NULL, "the graph is empty");
    onnx__model_proto__free_unpacked(m, NULL);
    if (rc) {
        snprintf(err, errlen, "%s", g->err);
        fc_graph_free(g);
        return NULL;
    }
    return g;
}
