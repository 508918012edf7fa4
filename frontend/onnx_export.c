/* onnx_export.c — the optimized IR back to an ONNX ModelProto (fastc --emit=onnx), so a pass
 * can be cross-checked with another runtime (onnxruntime) or looked at in netron.
 *
 * Standard ops are written as they are, with their attributes. fastc's own ops are expressed
 * with standard ONNX ops at the model's opset: FcLinear -> MatMul + Add (+ Relu / GELU),
 * FcElementwise -> one node per program instruction; Gelu below opset 20 and
 * LayerNormalization below opset 17 -> their formulas. Constants become initializers. Values whose names collide get a "__vN" suffix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "onnx.pb-c.h"
#include "onnx_export.h"

typedef struct Exporter {
    FcGraph *g;
    const char **names;       /* per value: exported name */
    char *is_init;            /* per value: already an initializer */
    Onnx__NodeProto **nodes;
    size_t nnodes, capnodes;
    Onnx__TensorProto **inits;
    size_t ninits, capinits;
    int tmp;
    const char *last_base; /* node names must be unique: a node expanded into several ... */
    int repeat;            /* ... standard nodes names them base, base/1, base/2, ... */
} Exporter;

static void *xalloc(Exporter *x, size_t n)
{
    return fc_arena_alloc(&x->g->arena, n);
}

#define GROW(x, arr, n, cap)                                                                 \
    do {                                                                                     \
        if ((n) == (cap)) {                                                                  \
            size_t nc = (cap) ? 2 * (cap) : 64;                                              \
            void *na = xalloc((x), sizeof(*(arr)) * nc);                                     \
            if (n)                                                                           \
                memcpy(na, (arr), sizeof(*(arr)) * (n));                                     \
            (arr) = na;                                                                      \
            (cap) = nc;                                                                      \
        }                                                                                    \
    } while (0)

static int cmp_name(const void *a, const void *b)
{
    const char *const *x = a, *const *y = b;
    return strcmp(x[0], y[0]);
}

/* Unique exported names: the ONNX name unless another value has it too. */
static void assign_names(Exporter *x)
{
    FcGraph *g = x->g;
    const char **pairs = malloc(sizeof(char *) * 2 * (size_t)(g->nvals + 1));
    for (int i = 0; i < g->nvals; i++) {
        pairs[2 * i] = fc_val(g, i)->name;
        pairs[2 * i + 1] = (const char *)(intptr_t)i;
    }
    qsort(pairs, (size_t)g->nvals, 2 * sizeof(char *), cmp_name);
    for (int i = 0; i < g->nvals; i++) {
        int id = (int)(intptr_t)pairs[2 * i + 1];
        int dup = (i > 0 && strcmp(pairs[2 * i], pairs[2 * i - 2]) == 0) || !pairs[2 * i][0];
        x->names[id] = dup ? fc_arena_printf(&g->arena, "%s__v%d", pairs[2 * i], id) : pairs[2 * i];
    }
    /* Graph outputs keep their ONNX names (the first value of a name keeps it above). */
    for (int i = 0; i < g->noutputs; i++)
        if (g->output_names && fc_val(g, g->outputs[i])->kind == FC_VAL_TEMP)
            x->names[g->outputs[i]] = g->output_names[i];
    free(pairs);
}

static const char *fresh(Exporter *x, const char *base)
{
    return fc_arena_printf(&x->g->arena, "%s__fc%d", base, x->tmp++);
}

/* ---- tensors ------------------------------------------------------------------------------ */

static Onnx__TensorProto *tensor_proto(Exporter *x, const FcValue *v, const char *name)
{
    Onnx__TensorProto *t = xalloc(x, sizeof(*t));
    onnx__tensor_proto__init(t);
    t->name = (char *)name;
    t->has_data_type = 1;
    t->data_type = v->dtype;
    t->n_dims = (size_t)v->rank;
    t->dims = xalloc(x, sizeof(int64_t) * (size_t)(v->rank + 1));
    memcpy(t->dims, v->dims, sizeof(int64_t) * (size_t)v->rank);
    t->has_raw_data = 1;
    t->raw_data.len = fc_value_bytes(v);
    t->raw_data.data = v->data;
    return t;
}

static void add_init(Exporter *x, int id)
{
    if (id < 0 || x->is_init[id] || fc_val(x->g, id)->kind != FC_VAL_CONST)
        return;
    x->is_init[id] = 1;
    GROW(x, x->inits, x->ninits, x->capinits);
    x->inits[x->ninits++] = tensor_proto(x, fc_val(x->g, id), x->names[id]);
}

static const char *scalar_init(Exporter *x, float value)
{
    FcValue v = {0};
    float *d = xalloc(x, sizeof(float));
    *d = value;
    v.dtype = FC_DT_F32;
    v.data = d;
    const char *name = fresh(x, "const");
    GROW(x, x->inits, x->ninits, x->capinits);
    x->inits[x->ninits++] = tensor_proto(x, &v, name);
    return name;
}

/* ---- nodes -------------------------------------------------------------------------------- */

static Onnx__NodeProto *add_node(Exporter *x, const char *op, const char *name, int nin,
                                 const char *const *in, const char *out)
{
    Onnx__NodeProto *n = xalloc(x, sizeof(*n));
    onnx__node_proto__init(n);
    n->op_type = (char *)op;
    if (x->last_base && strcmp(x->last_base, name) == 0) {
        n->name = fc_arena_printf(&x->g->arena, "%s/%d", name, ++x->repeat);
    } else {
        n->name = (char *)name;
        x->last_base = name;
        x->repeat = 0;
    }
    n->n_input = (size_t)nin;
    n->input = xalloc(x, sizeof(char *) * (size_t)(nin + 1));
    for (int i = 0; i < nin; i++)
        n->input[i] = (char *)in[i];
    n->n_output = 1;
    n->output = xalloc(x, sizeof(char *));
    n->output[0] = (char *)out;
    GROW(x, x->nodes, x->nnodes, x->capnodes);
    x->nodes[x->nnodes++] = n;
    return n;
}

static void add_attr(Exporter *x, Onnx__NodeProto *n, Onnx__AttributeProto *a)
{
    Onnx__AttributeProto **arr = xalloc(x, sizeof(*arr) * (n->n_attribute + 1));
    if (n->n_attribute)
        memcpy(arr, n->attribute, sizeof(*arr) * n->n_attribute);
    arr[n->n_attribute++] = a;
    n->attribute = arr;
}

static Onnx__GraphProto *block_graph(Exporter *x, const FcBlock *b);

static Onnx__AttributeProto *attr_proto(Exporter *x, const FcAttr *a)
{
    Onnx__AttributeProto *p = xalloc(x, sizeof(*p));
    onnx__attribute_proto__init(p);
    p->name = (char *)a->name;
    p->has_type = 1;
    p->type = (Onnx__AttributeProto__AttributeType)a->type;
    switch (a->type) {
    case FC_ATTR_INT: p->has_i = 1; p->i = a->i; break;
    case FC_ATTR_FLOAT: p->has_f = 1; p->f = a->f; break;
    case FC_ATTR_STRING:
        p->has_s = 1;
        p->s.data = (uint8_t *)a->s;
        p->s.len = strlen(a->s);
        break;
    case FC_ATTR_INTS: p->n_ints = (size_t)a->n; p->ints = a->ints; break;
    case FC_ATTR_FLOATS: p->n_floats = (size_t)a->n; p->floats = a->floats; break;
    case FC_ATTR_STRINGS:
        p->n_strings = (size_t)a->n;
        p->strings = xalloc(x, sizeof(ProtobufCBinaryData) * (size_t)(a->n + 1));
        for (int i = 0; i < a->n; i++) {
            p->strings[i].data = (uint8_t *)a->strings[i];
            p->strings[i].len = strlen(a->strings[i]);
        }
        break;
    case FC_ATTR_TENSOR: p->t = tensor_proto(x, fc_val(x->g, a->tensor), a->name); break;
    case FC_ATTR_GRAPH: p->g = block_graph(x, a->graph); break;
    default: break;
    }
    return p;
}

/* GELU from its formula, for opsets without the Gelu op. */
static void gelu_formula(Exporter *x, const char *in, const char *out, int tanh_form,
                         const char *name)
{
    const char *a[2];
    const char *t = fresh(x, "gelu");
    if (tanh_form) {
        const char *c3 = fresh(x, "gelu"), *s = fresh(x, "gelu"), *u = fresh(x, "gelu");
        a[0] = in; a[1] = scalar_init(x, 3.0f);
        add_node(x, "Pow", name, 2, a, c3);
        a[0] = c3; a[1] = scalar_init(x, 0.044715f);
        add_node(x, "Mul", name, 2, a, s);
        a[0] = in; a[1] = s;
        add_node(x, "Add", name, 2, a, u);
        a[0] = u; a[1] = scalar_init(x, 0.7978845608f);
        add_node(x, "Mul", name, 2, a, s = fresh(x, "gelu"));
        a[0] = s;
        add_node(x, "Tanh", name, 1, a, t);
    } else {
        const char *d = fresh(x, "gelu");
        a[0] = in; a[1] = scalar_init(x, 0.70710678f);
        add_node(x, "Mul", name, 2, a, d);
        a[0] = d;
        add_node(x, "Erf", name, 1, a, t);
    }
    const char *p1 = fresh(x, "gelu"), *m = fresh(x, "gelu");
    a[0] = t; a[1] = scalar_init(x, 1.0f);
    add_node(x, "Add", name, 2, a, p1);
    a[0] = in; a[1] = p1;
    add_node(x, "Mul", name, 2, a, m);
    a[0] = m; a[1] = scalar_init(x, 0.5f);
    add_node(x, "Mul", name, 2, a, out);
}

static void gelu(Exporter *x, const char *in, const char *out, int tanh_form, const char *name)
{
    if (x->g->opset < 20) {
        gelu_formula(x, in, out, tanh_form, name);
        return;
    }
    const char *a[1] = {in};
    Onnx__NodeProto *n = add_node(x, "Gelu", name, 1, a, out);
    if (tanh_form) {
        FcAttr at = {0};
        at.name = "approximate";
        at.type = FC_ATTR_STRING;
        at.s = "tanh";
        add_attr(x, n, attr_proto(x, &at));
    }
}

static void add_transpose(Exporter *x, const char *name, const char *in, const char *out,
                          const int64_t *perm, int r);

/* The name the next of `*left` steps writes: fresh, or the node's output for the last. */
static const char *step_out(Exporter *x, int *left, const char *out)
{
    return --*left == 0 ? out : fresh(x, "linear");
}

/* FcLinear: MatMul, Add(bias), the activation, with out_axis the Transpose that moves the
 * last axis there (passes/fold_linear_transpose.c), then Add(residual). */
static void export_linear(Exporter *x, const FcNode *n)
{
    const char *a[2] = {x->names[n->in[0]], x->names[n->in[1]]};
    int act = (int)fc_attr_i(n, "activation", 0);
    int has_b = n->nin > 2 && n->in[2] >= 0, has_r = n->nin > 3 && n->in[3] >= 0;
    int rank = fc_val(x->g, n->out[0])->rank;
    int64_t axis = fc_attr_i(n, "out_axis", rank - 1), *perm;
    int moved = axis != rank - 1, left = 1 + has_b + (act != 0) + moved + has_r;
    const char *out = x->names[n->out[0]], *cur = step_out(x, &left, out);
    add_node(x, "MatMul", n->name, 2, a, cur);
    if (has_b) {
        a[0] = cur;
        a[1] = x->names[n->in[2]];
        cur = step_out(x, &left, out);
        add_node(x, "Add", n->name, 2, a, cur);
    }
    if (act) {
        const char *in = cur;
        cur = step_out(x, &left, out);
        if (act == 1)
            add_node(x, "Relu", n->name, 1, &in, cur);
        else
            gelu(x, in, cur, act == 3, n->name);
    }
    if (moved) {
        const char *in = cur;
        perm = xalloc(x, sizeof(int64_t) * (size_t)rank); /* the attribute keeps the pointer */
        for (int i = 0, k = 0; i < rank; i++)
            perm[i] = i == axis ? rank - 1 : k++;
        cur = step_out(x, &left, out);
        add_transpose(x, n->name, in, cur, perm, rank);
    }
    if (has_r) {
        a[0] = cur;
        a[1] = x->names[n->in[3]];
        add_node(x, "Add", n->name, 2, a, step_out(x, &left, out));
    }
}

/* A Transpose node with an explicit perm. */
static void add_transpose(Exporter *x, const char *name, const char *in, const char *out,
                          const int64_t *perm, int r)
{
    Onnx__NodeProto *t = add_node(x, "Transpose", name, 1, &in, out);
    Onnx__AttributeProto *p = xalloc(x, sizeof(*p));
    onnx__attribute_proto__init(p);
    p->name = "perm";
    p->has_type = 1;
    p->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    p->n_ints = (size_t)r;
    p->ints = (int64_t *)perm;
    add_attr(x, t, p);
}

/* FcBatchedGemm: [Transpose A] [Transpose B] MatMul [Mul alpha] [Transpose Y]. */
static void export_batched_gemm(Exporter *x, const FcNode *n)
{
    static const char *const pn[2] = {"permA", "permB"};
    const char *in[2];
    const int64_t *perm;
    for (int k = 0; k < 2; k++) {
        in[k] = x->names[n->in[k]];
        int r = fc_attr_ints(n, pn[k], &perm);
        if (r > 0) {
            const char *t = fresh(x, "transposed");
            add_transpose(x, n->name, in[k], t, perm, r);
            in[k] = t;
        }
    }
    float alpha = fc_attr_f(n, "alpha", 1.0f);
    int ry = fc_attr_ints(n, "permY", &perm);
    const char *out = x->names[n->out[0]];
    const char *cur = alpha != 1.0f || ry > 0 ? fresh(x, "product") : out;
    add_node(x, "MatMul", n->name, 2, in, cur);
    if (alpha != 1.0f) {
        in[0] = cur;
        in[1] = scalar_init(x, alpha);
        cur = ry > 0 ? fresh(x, "scaled") : out;
        add_node(x, "Mul", n->name, 2, in, cur);
    }
    if (ry > 0)
        add_transpose(x, n->name, cur, out, perm, ry);
}

/* FcElementwise: one standard node per instruction (codes of runtime/k_fused_ew.c). */
static void export_fused(Exporter *x, const FcNode *n)
{
    static const char *const ops[] = {
        "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Relu", "Sigmoid", "Tanh", "Erf",
        "Gelu", "Gelu", "LeakyRelu", "HardSigmoid", "HardSwish", "Add", "Sub", "Mul", "Div",
        "Max", "Min", "Pow"};
    const int64_t *prog;
    const float *imm = NULL;
    int np = fc_attr_ints(n, "program", &prog);
    fc_attr_floats(n, "immediates", &imm);
    const char *reg[64] = {0};
    for (int i = 0; i < n->nin && i < 64; i++)
        reg[i] = x->names[n->in[i]];
    for (int i = 0; i < np; i += 4) {
        int op = (int)prog[i], dst = (int)prog[i + 1], a = (int)prog[i + 2], b = (int)prog[i + 3];
        const char *out = i + 4 == np ? x->names[n->out[0]] : fresh(x, "fused");
        const char *in[2];
        in[0] = a < 0 ? scalar_init(x, imm[-a - 1]) : reg[a];
        if (op == 10 || op == 11) {
            gelu(x, in[0], out, op == 11, n->name);
        } else if (op < 15) {
            Onnx__NodeProto *nd = add_node(x, ops[op], n->name, 1, in, out);
            FcAttr at = {0};
            at.type = FC_ATTR_FLOAT;
            if (op == 12 || op == 13) {
                at.name = "alpha";
                at.f = imm[-b - 1];
                add_attr(x, nd, attr_proto(x, &at));
            }
            if (op == 13) {
                at.name = "beta";
                at.f = imm[-b];
                add_attr(x, nd, attr_proto(x, &at));
            }
        } else {
            in[1] = b < 0 ? scalar_init(x, imm[-b - 1]) : reg[b];
            add_node(x, ops[op], n->name, 2, in, out);
        }
        if (dst < 64)
            reg[dst] = out;
    }
}

/* LayerNormalization below opset 17 (where it does not exist), and FcChannelNorm (axis 1
 * alone; its Scale / B are shaped to broadcast there): the definition. */
static void layernorm_formula(Exporter *x, const FcNode *n)
{
    const FcValue *xv = fc_val(x->g, n->in[0]);
    int64_t axis = fc_attr_i(n, "axis", -1), end = xv->rank;
    int64_t *axes = xalloc(x, sizeof(int64_t) * FC_MAX_RANK); /* packed after we return */
    if (axis < 0)
        axis += xv->rank;
    if (n->op == FC_OP_FC_CHANNEL_NORM) {
        axis = 1;
        end = 2;
    }
    int naxes = 0;
    for (int64_t a = axis; a < end; a++)
        axes[naxes++] = a;
    FcAttr ax = {0};
    ax.name = "axes";
    ax.type = FC_ATTR_INTS;
    ax.n = naxes;
    ax.ints = axes;
    const char *in[2], *mean = fresh(x, "ln"), *d = fresh(x, "ln"), *sq = fresh(x, "ln");
    const char *var = fresh(x, "ln"), *ve = fresh(x, "ln"), *sd = fresh(x, "ln");
    const char *norm = fresh(x, "ln"), *out = x->names[n->out[0]];
    in[0] = x->names[n->in[0]];
    add_attr(x, add_node(x, "ReduceMean", n->name, 1, in, mean), attr_proto(x, &ax));
    in[1] = mean;
    add_node(x, "Sub", n->name, 2, in, d);
    in[0] = d; in[1] = d;
    add_node(x, "Mul", n->name, 2, in, sq);
    in[0] = sq;
    add_attr(x, add_node(x, "ReduceMean", n->name, 1, in, var), attr_proto(x, &ax));
    in[0] = var; in[1] = scalar_init(x, fc_attr_f(n, "epsilon", 1e-5f));
    add_node(x, "Add", n->name, 2, in, ve);
    in[0] = ve;
    add_node(x, "Sqrt", n->name, 1, in, sd);
    in[0] = d; in[1] = sd;
    add_node(x, "Div", n->name, 2, in, norm);
    int has_b = n->nin > 2 && n->in[2] >= 0;
    const char *last = out;
    if (fc_attr_i(n, "channels_last", 0)) /* FcChannelNorm writing Y transposed */
        out = fresh(x, "ln");
    in[0] = norm; in[1] = x->names[n->in[1]];
    const char *scaled = has_b ? fresh(x, "ln") : out;
    add_node(x, "Mul", n->name, 2, in, scaled);
    if (has_b) {
        in[0] = scaled; in[1] = x->names[n->in[2]];
        add_node(x, "Add", n->name, 2, in, out);
    }
    if (last != out) {
        int64_t *perm = xalloc(x, sizeof(int64_t) * FC_MAX_RANK);
        FcAttr pa = {0};
        pa.name = "perm";
        pa.type = FC_ATTR_INTS;
        pa.n = xv->rank;
        pa.ints = perm;
        for (int i = 0; i < xv->rank; i++)
            perm[i] = i == 0 ? 0 : i == xv->rank - 1 ? 1 : i + 1;
        in[0] = out;
        add_attr(x, add_node(x, "Transpose", n->name, 1, in, last), attr_proto(x, &pa));
    }
}

/* n as one standard node named op, with every attribute but `skip_attr`; out0 (if given)
 * replaces the name of its first output. */
/* fastc's own attributes of FcConv, which the standard Conv it exports as does not have */
static int fc_conv_only_attr(const char *name)
{
    return strcmp(name, "activation") == 0 || strcmp(name, "pool") == 0;
}

static void export_as(Exporter *x, const FcNode *n, const char *op, int (*skip_attr)(const char *),
                      const char *out0)
{
    Onnx__NodeProto *p = add_node(x, op, n->name, 0, NULL, "");
    p->n_input = (size_t)n->nin;
    p->input = xalloc(x, sizeof(char *) * (size_t)(n->nin + 1));
    for (int i = 0; i < n->nin; i++)
        p->input[i] = (char *)(n->in[i] >= 0 ? x->names[n->in[i]] : "");
    p->n_output = (size_t)n->nout;
    p->output = xalloc(x, sizeof(char *) * (size_t)(n->nout + 1));
    for (int i = 0; i < n->nout; i++)
        p->output[i] = (char *)(n->out[i] >= 0 ? x->names[n->out[i]] : "");
    if (out0)
        p->output[0] = (char *)out0;
    for (int i = 0; i < n->nattr; i++)
        if (!skip_attr || !skip_attr(n->attr[i].name))
            add_attr(x, p, attr_proto(x, &n->attr[i]));
}

/* A 2x2 stride-2 MaxPool node from `in` to `out`. */
static void maxpool_2x2(Exporter *x, const char *in, const char *out, const char *name)
{
    static int64_t two[2] = {2, 2};
    FcAttr a;
    Onnx__NodeProto *p = add_node(x, "MaxPool", name, 1, &in, out);
    memset(&a, 0, sizeof a);
    a.type = FC_ATTR_INTS;
    a.n = 2;
    a.ints = two;
    a.name = "kernel_shape";
    add_attr(x, p, attr_proto(x, &a));
    a.name = "strides";
    add_attr(x, p, attr_proto(x, &a));
}

/* FcConv {activation=k, pool=p}: Conv, then the activation node, then the 2x2 MaxPool. */
static void export_conv_act(Exporter *x, const FcNode *n)
{
    int act = (int)fc_attr_i(n, "activation", 0), pool = fc_attr_i(n, "pool", 0) != 0;
    const char *out = x->names[n->out[0]];
    const char *conv = act || pool ? fresh(x, "conv") : out;
    const char *actout = pool ? (act ? fresh(x, "conv") : conv) : out;
    export_as(x, n, "Conv", fc_conv_only_attr, conv);
    if (act == 1)
        add_node(x, "Relu", n->name, 1, &conv, actout);
    else if (act)
        gelu(x, conv, actout, act == 3, n->name);
    if (pool)
        maxpool_2x2(x, actout, out, n->name);
}

static void export_node(Exporter *x, const FcNode *n)
{
    for (int i = 0; i < n->nin; i++)
        add_init(x, n->in[i]);
    if (n->op == FC_OP_FC_LINEAR) {
        export_linear(x, n);
        return;
    }
    if (n->op == FC_OP_FC_BATCHED_GEMM) {
        export_batched_gemm(x, n);
        return;
    }
    if (n->op == FC_OP_FC_ELEMENTWISE) {
        export_fused(x, n);
        return;
    }
    if ((n->op == FC_OP_LAYER_NORMALIZATION && x->g->opset < 17 && n->nout == 1) ||
        n->op == FC_OP_FC_CHANNEL_NORM) {
        layernorm_formula(x, n);
        return;
    }
    if (n->op == FC_OP_GELU && x->g->opset < 20) {
        gelu(x, x->names[n->in[0]], x->names[n->out[0]],
             strcmp(fc_attr_s(n, "approximate", "none"), "tanh") == 0, n->name);
        return;
    }
    if (n->op == FC_OP_FC_CONV) {
        export_conv_act(x, n);
        return;
    }
    export_as(x, n, fc_ops[n->op].name, NULL, NULL);
}

/* ---- graphs ------------------------------------------------------------------------------- */

static Onnx__ValueInfoProto *value_info(Exporter *x, int id, const char *name)
{
    const FcValue *v = fc_val(x->g, id);
    Onnx__ValueInfoProto *vi = xalloc(x, sizeof(*vi));
    Onnx__TypeProto *tp = xalloc(x, sizeof(*tp));
    Onnx__TypeProto__Tensor *tt = xalloc(x, sizeof(*tt));
    Onnx__TensorShapeProto *sh = xalloc(x, sizeof(*sh));
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    vi->name = (char *)name;
    vi->type = tp;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = v->dtype;
    tt->shape = sh;
    sh->n_dim = (size_t)v->rank;
    sh->dim = xalloc(x, sizeof(*sh->dim) * (size_t)(v->rank + 1));
    for (int d = 0; d < v->rank; d++) {
        Onnx__TensorShapeProto__Dimension *dim = xalloc(x, sizeof(*dim));
        onnx__tensor_shape_proto__dimension__init(dim);
        dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dim->dim_value = v->dims[d];
        sh->dim[d] = dim;
    }
    return vi;
}

/* Exports a block's nodes into a GraphProto of their own (If branches). */
static Onnx__GraphProto *block_graph(Exporter *x, const FcBlock *b)
{
    Onnx__NodeProto **saved = x->nodes;
    size_t sn = x->nnodes, sc = x->capnodes;
    x->nodes = NULL;
    x->nnodes = x->capnodes = 0;
    for (int i = 0; i < b->nnodes; i++)
        export_node(x, b->nodes[i]);
    Onnx__GraphProto *gp = xalloc(x, sizeof(*gp));
    onnx__graph_proto__init(gp);
    gp->name = "branch";
    gp->n_node = x->nnodes;
    gp->node = x->nodes;
    gp->n_output = (size_t)b->noutputs;
    gp->output = xalloc(x, sizeof(*gp->output) * (size_t)(b->noutputs + 1));
    for (int i = 0; i < b->noutputs; i++) {
        add_init(x, b->outputs[i]);
        gp->output[i] = value_info(x, b->outputs[i], x->names[b->outputs[i]]);
    }
    x->nodes = saved;
    x->nnodes = sn;
    x->capnodes = sc;
    return gp;
}

int fc_onnx_export(FcGraph *g, FILE *f)
{
    Exporter x = {0};
    x.g = g;
    x.names = calloc((size_t)g->nvals + 1, sizeof(char *));
    x.is_init = calloc((size_t)g->nvals + 1, 1);
    assign_names(&x);
    for (int i = 0; i < g->top.nnodes; i++)
        export_node(&x, g->top.nodes[i]);
    Onnx__GraphProto gp;
    onnx__graph_proto__init(&gp);
    gp.name = "fastc";
    gp.n_node = x.nnodes;
    gp.node = x.nodes;
    gp.n_input = (size_t)g->ninputs;
    gp.input = xalloc(&x, sizeof(*gp.input) * (size_t)(g->ninputs + 1));
    for (int i = 0; i < g->ninputs; i++)
        gp.input[i] = value_info(&x, g->inputs[i], x.names[g->inputs[i]]);
    gp.n_output = (size_t)g->noutputs;
    gp.output = xalloc(&x, sizeof(*gp.output) * (size_t)(g->noutputs + 1));
    for (int i = 0; i < g->noutputs; i++) {
        int id = g->outputs[i];
        const char *name = g->output_names ? g->output_names[i] : x.names[id];
        if (strcmp(name, x.names[id]) != 0 || fc_val(g, id)->kind != FC_VAL_TEMP) {
            /* An output that is an input, a constant or another output's value. */
            add_init(&x, id);
            const char *in[1] = {x.names[id]};
            add_node(&x, "Identity", name, 1, in, name);
            gp.n_node = x.nnodes;
            gp.node = x.nodes;
        }
        gp.output[i] = value_info(&x, id, name);
    }
    gp.n_initializer = x.ninits;
    gp.initializer = x.inits;
    Onnx__OperatorSetIdProto opset;
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = g->opset;
    Onnx__OperatorSetIdProto *ops[1] = {&opset};
    Onnx__ModelProto m;
    onnx__model_proto__init(&m);
    m.has_ir_version = 1;
    m.ir_version = g->ir_version >= 7 ? g->ir_version : 7;
    m.producer_name = "fastc";
    m.producer_version = FC_VERSION;
    m.n_opset_import = 1;
    m.opset_import = ops;
    m.graph = &gp;
    size_t len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(len + 1);
    onnx__model_proto__pack(&m, buf);
    int rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
    free(buf);
    free(x.names);
    free(x.is_init);
    return rc;
}
