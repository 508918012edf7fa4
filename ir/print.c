/* print.c — the IR's stable text form (docs/ir.md).
 *
 * One node per line, typed results, attributes inline sorted by name, ONNX names as comments:
 *     %7:f32[1,128,256] = Gemm(%6, @3, @4) {transB=1}  # /encoder/layer.0/attention/query
 * Values are renumbered at print time in order of first appearance (%N for inputs and
 * intermediates, @N for constants), so two dumps of graphs that differ by one rewrite differ
 * only around it, and `diff` shows exactly what a pass did. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ir.h"
#include "print.h"

typedef struct Printer {
    const FcGraph *g;
    FILE *f;
    int *num;        /* value id -> printed number, -1 if not yet numbered */
    int next_tmp, next_const;
} Printer;

static int value_num(Printer *p, int id)
{
    if (p->num[id] < 0)
        p->num[id] = fc_val(p->g, id)->kind == FC_VAL_CONST ? p->next_const++ : p->next_tmp++;
    return p->num[id];
}

static void print_ref(Printer *p, int id)
{
    if (id < 0) {
        fputs("none", p->f);
        return;
    }
    int k = value_num(p, id);
    fprintf(p->f, "%c%d", fc_val(p->g, id)->kind == FC_VAL_CONST ? '@' : '%', k);
}

void fc_print_type(FILE *f, const FcValue *v)
{
    fprintf(f, "%s[", fc_dtype_name(v->dtype));
    for (int i = 0; i < v->rank; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)v->dims[i]);
    fputc(']', f);
}

static void print_def(Printer *p, int id)
{
    print_ref(p, id);
    fputc(':', p->f);
    fc_print_type(p->f, fc_val(p->g, id));
}

static void print_scalar(FILE *f, const FcValue *v, int64_t i)
{
    if (fc_dtype_is_float(v->dtype) && v->dtype != FC_DT_F16)
        fprintf(f, "%.9g", fc_rt_get_f64(v->data, v->dtype, i));
    else
        fprintf(f, "%lld", (long long)fc_rt_get_i64(v->data, v->dtype, i));
}

/* Small constants are printed with their values so golden tests can see them. */
static void print_const_decl(Printer *p, int id)
{
    const FcValue *v = fc_val(p->g, id);
    fputs("const ", p->f);
    print_def(p, id);
    int64_t n = fc_value_numel(v);
    if (n <= 8 && v->data && v->dtype != FC_DT_F16) {
        fputs(" = [", p->f);
        for (int64_t i = 0; i < n; i++) {
            if (i)
                fputs(", ", p->f);
            print_scalar(p->f, v, i);
        }
        fputc(']', p->f);
    }
    if (v->name[0])
        fprintf(p->f, "  # %s", v->name);
    fputc('\n', p->f);
}

static int cmp_attr(const void *a, const void *b)
{
    return strcmp((*(const FcAttr *const *)a)->name, (*(const FcAttr *const *)b)->name);
}

static void print_attr_value(Printer *p, const FcAttr *a)
{
    FILE *f = p->f;
    switch (a->type) {
    case FC_ATTR_INT: fprintf(f, "%lld", (long long)a->i); break;
    case FC_ATTR_FLOAT: fprintf(f, "%.9g", a->f); break;
    case FC_ATTR_STRING: fprintf(f, "\"%s\"", a->s); break;
    case FC_ATTR_INTS:
        fputc('[', f);
        for (int i = 0; i < a->n; i++)
            fprintf(f, "%s%lld", i ? "," : "", (long long)a->ints[i]);
        fputc(']', f);
        break;
    case FC_ATTR_FLOATS:
        fputc('[', f);
        for (int i = 0; i < a->n; i++)
            fprintf(f, "%s%.9g", i ? "," : "", a->floats[i]);
        fputc(']', f);
        break;
    case FC_ATTR_STRINGS:
        fputc('[', f);
        for (int i = 0; i < a->n; i++)
            fprintf(f, "%s\"%s\"", i ? "," : "", a->strings[i]);
        fputc(']', f);
        break;
    case FC_ATTR_TENSOR: print_ref(p, a->tensor); break;
    case FC_ATTR_GRAPH: fputs("<graph>", f); break;
    default: fputs("?", f); break;
    }
}

static void print_attrs(Printer *p, const FcNode *n)
{
    const FcAttr **sorted = calloc((size_t)n->nattr + 1, sizeof(*sorted));
    int k = 0;
    for (int i = 0; i < n->nattr; i++)
        if (n->attr[i].type != FC_ATTR_GRAPH)
            sorted[k++] = &n->attr[i];
    if (k) {
        qsort(sorted, (size_t)k, sizeof(*sorted), cmp_attr);
        fputs(" {", p->f);
        for (int i = 0; i < k; i++) {
            fprintf(p->f, "%s%s=", i ? ", " : "", sorted[i]->name);
            print_attr_value(p, sorted[i]);
        }
        fputc('}', p->f);
    }
    free(sorted);
}

/* Constants a block uses are declared before the block's first node that needs them. */
static void declare_consts(Printer *p, const FcNode *n, int depth)
{
    for (int i = 0; i < n->nin; i++) {
        int id = n->in[i];
        if (id >= 0 && fc_val(p->g, id)->kind == FC_VAL_CONST && p->num[id] < 0) {
            fprintf(p->f, "%*s", depth * 2, "");
            print_const_decl(p, id);
        }
    }
    for (int i = 0; i < n->nattr; i++) {
        int id = n->attr[i].tensor;
        if (n->attr[i].type == FC_ATTR_TENSOR && id >= 0 && p->num[id] < 0) {
            fprintf(p->f, "%*s", depth * 2, "");
            print_const_decl(p, id);
        }
    }
}

static void print_block(Printer *p, const FcBlock *b, int depth);

static void print_node(Printer *p, const FcNode *n, int depth)
{
    declare_consts(p, n, depth);
    fprintf(p->f, "%*s", depth * 2, "");
    /* outputs by position, as inputs: an absent one before a present one reads "none"
     * (LSTM's Y left out but Y_h kept); absent ones at the end are left out, as in ONNX */
    int last = n->nout - 1;
    while (last >= 0 && n->out[last] < 0)
        last--;
    for (int i = 0; i <= last; i++) {
        fputs(i ? ", " : "", p->f);
        if (n->out[i] < 0)
            fputs("none", p->f);
        else
            print_def(p, n->out[i]);
    }
    fprintf(p->f, " = %s(", fc_ops[n->op].name);
    for (int i = 0; i < n->nin; i++) {
        fputs(i ? ", " : "", p->f);
        print_ref(p, n->in[i]);
    }
    fputc(')', p->f);
    print_attrs(p, n);
    if (n->name[0])
        fprintf(p->f, "  # %s", n->name);
    fputc('\n', p->f);
    for (int b = 0; b < 2; b++) {
        if (!n->branch[b])
            continue;
        fprintf(p->f, "%*s%s {\n", depth * 2 + 2, "", b ? "else" : "then");
        print_block(p, n->branch[b], depth + 2);
        fprintf(p->f, "%*s}\n", depth * 2 + 2, "");
    }
}

static void print_block(Printer *p, const FcBlock *b, int depth)
{
    for (int i = 0; i < b->nnodes; i++)
        print_node(p, b->nodes[i], depth);
    if (b->noutputs) {
        fprintf(p->f, "%*syield ", depth * 2, "");
        for (int i = 0; i < b->noutputs; i++) {
            fputs(i ? ", " : "", p->f);
            print_ref(p, b->outputs[i]);
        }
        fputc('\n', p->f);
    }
}

void fc_print_graph(FILE *f, const FcGraph *g)
{
    Printer p = {g, f, malloc(sizeof(int) * (size_t)(g->nvals + 1)), 0, 0};
    for (int i = 0; i < g->nvals; i++)
        p.num[i] = -1;
    fprintf(f, "// fastc IR, ai.onnx opset %lld\n", (long long)g->opset);
    for (int i = 0; i < g->ninputs; i++) {
        fputs("input ", f);
        print_def(&p, g->inputs[i]);
        fprintf(f, "  # %s\n", fc_val(g, g->inputs[i])->name);
    }
    print_block(&p, &g->top, 0);
    for (int i = 0; i < g->noutputs; i++) {
        int id = g->outputs[i];
        if (fc_val(g, id)->kind == FC_VAL_CONST && p.num[id] < 0)
            print_const_decl(&p, id);
        fputs("output ", f);
        print_ref(&p, id);
        fprintf(f, "  # %s\n", fc_val(g, id)->name);
    }
    free(p.num);
}

/* ---- Graphviz ---------------------------------------------------------------------------- */

static void dot_block(FILE *f, const FcGraph *g, const FcBlock *b, const char *prefix)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        fprintf(f, "  \"%s%d\" [shape=box, label=\"%s\\n", prefix, i, fc_ops[n->op].name);
        for (const char *s = n->name; *s; s++)
            fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
        fputs("\"];\n", f);
        for (int k = 0; k < n->nout; k++)
            if (n->out[k] >= 0)
                fprintf(f, "  \"%s%d\" -> \"v%d\";\n", prefix, i, n->out[k]);
        for (int k = 0; k < n->nin; k++)
            if (n->in[k] >= 0 && fc_val(g, n->in[k])->kind != FC_VAL_CONST)
                fprintf(f, "  \"v%d\" -> \"%s%d\";\n", n->in[k], prefix, i);
        for (int br = 0; br < 2; br++) {
            if (!n->branch[br])
                continue;
            char sub[64];
            snprintf(sub, sizeof sub, "%s%d%c", prefix, i, br ? 'e' : 't');
            fprintf(f, "  subgraph \"cluster_%s\" {\n  label=\"%s\";\n", sub,
                    br ? "else" : "then");
            dot_block(f, g, n->branch[br], sub);
            fputs("  }\n", f);
        }
    }
}

/* Values are small ellipses labelled with their type; constants are left out (they would
 * swamp the picture), so each box shows only its run-time operands. */
void fc_print_dot(FILE *f, const FcGraph *g)
{
    fputs("digraph fastc {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n", f);
    for (int i = 0; i < g->nvals; i++) {
        const FcValue *v = fc_val(g, i);
        if (v->kind == FC_VAL_CONST || v->rank < 0)
            continue;
        fprintf(f, "  \"v%d\" [shape=ellipse, style=%s, label=\"", i,
                v->kind == FC_VAL_INPUT || v->is_output ? "bold" : "solid");
        fc_print_type(f, v);
        fputs("\"];\n", f);
    }
    dot_block(f, g, &g->top, "n");
    fputs("}\n", f);
}
