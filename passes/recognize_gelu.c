/* recognize_gelu.c — decomposed GELU becomes one Gelu node.
 *
 * Matches, starting from an Erf or Tanh whose result has a single reader (operands of Add and
 * Mul in either order):
 *   erf:  0.5 * x * (1 + Erf(x / sqrt2))          (x / 1.41421 or x * 0.70711)
 *   tanh: 0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))   (x^3: Pow(x,3) or x*x*x)
 * with the last two products grouped as (x * t) * 0.5, (x * 0.5) * t or (t * 0.5) * x.
 * Produces: Gelu(x) {approximate="none"|"tanh"} in place of the last Mul.
 * Must not fire: when an inner value has another reader or is a graph output, or a constant
 * is off the formula's by more than 1e-4 relative. The Gelu kernel evaluates the same
 * formula, so results agree to rounding (last bits). */
#include <math.h>
#include "rewrite.h"

#define MAX_PATTERN 10
#define SQRT2 1.41421356237309505
#define SQRT1_2 0.70710678118654752
#define SQRT_2_OVER_PI 0.79788456080286536

typedef struct Pattern {
    FcNode *nodes[MAX_PATTERN];
    int count;
} Pattern;

static void take(Pattern *p, FcNode *n)
{
    p->nodes[p->count++] = n;
}

static FcNode *producer_inner(const FcGraph *g, const FcDefUse *du, int id, int op)
{
    FcNode *n = fc_producer_op(du, id, op);
    return n && du->uses[id] == 1 && !fc_val(g, id)->is_output ? n : NULL;
}

/* x for Erf's argument x/sqrt2 or x*(1/sqrt2). */
static int erf_arg(const FcGraph *g, const FcDefUse *du, const FcNode *f, Pattern *p)
{
    FcNode *s = producer_inner(g, du, f->in[0], FC_OP_DIV);
    double c;
    if (s && fc_const_uniform(g, s->in[1], &c) && fabs(c - SQRT2) <= 1e-4 * SQRT2) {
        take(p, s);
        return s->in[0];
    }
    s = producer_inner(g, du, f->in[0], FC_OP_MUL);
    int x = s ? fc_operand_besides_const(g, s, SQRT1_2) : -1;
    if (x >= 0)
        take(p, s);
    return x;
}

/* 1 if `id` is x^3 (Pow(x,3) or x*x*x in any grouping), absorbing the nodes. */
static int is_cube(const FcGraph *g, const FcDefUse *du, int id, int x, Pattern *p)
{
    double e;
    FcNode *pw = producer_inner(g, du, id, FC_OP_POW);
    if (pw && pw->in[0] == x && fc_const_uniform(g, pw->in[1], &e) && e == 3.0) {
        take(p, pw);
        return 1;
    }
    FcNode *a = producer_inner(g, du, id, FC_OP_MUL);
    if (!a)
        return 0;
    for (int k = 0; k < 2; k++) {
        FcNode *sq = producer_inner(g, du, a->in[k], FC_OP_MUL);
        if (a->in[1 - k] == x && sq && sq->in[0] == x && sq->in[1] == x) {
            take(p, a);
            take(p, sq);
            return 1;
        }
    }
    return 0;
}

/* x for Tanh's argument sqrt(2/pi) * (x + 0.044715 * x^3). */
static int tanh_arg(const FcGraph *g, const FcDefUse *du, const FcNode *f, Pattern *p)
{
    FcNode *k = producer_inner(g, du, f->in[0], FC_OP_MUL);
    int u = k ? fc_operand_besides_const(g, k, SQRT_2_OVER_PI) : -1;
    FcNode *add = u >= 0 ? producer_inner(g, du, u, FC_OP_ADD) : NULL;
    if (!add)
        return -1;
    for (int i = 0; i < 2; i++) {
        int x = add->in[i];
        FcNode *c = producer_inner(g, du, add->in[1 - i], FC_OP_MUL);
        int cube = c ? fc_operand_besides_const(g, c, 0.044715) : -1;
        int saved = p->count;
        if (cube >= 0 && is_cube(g, du, cube, x, p)) {
            take(p, k);
            take(p, add);
            take(p, c);
            return x;
        }
        p->count = saved;
    }
    return -1;
}

/* Matches 0.5 * x * (1 + f) from the value `t` = 1 + f; returns the final node or NULL. */
static FcNode *gelu_tail(const FcGraph *g, const FcDefUse *du, int t, int x, Pattern *p)
{
    FcNode *m1 = fc_sole_reader_op(g, du, t, FC_OP_MUL);
    if (!m1)
        return NULL;
    int other = m1->in[0] == t ? m1->in[1] : m1->in[0];
    double c;
    if (other == x || (fc_const_uniform(g, other, &c) && c == 0.5)) {
        /* (x * t) * 0.5  or  (t * 0.5) * x */
        FcNode *m2 = fc_sole_reader_op(g, du, m1->out[0], FC_OP_MUL);
        if (!m2)
            return NULL;
        int rest = m2->in[0] == m1->out[0] ? m2->in[1] : m2->in[0];
        int want_half = other == x;
        if (want_half ? !(fc_const_uniform(g, rest, &c) && c == 0.5) : rest != x)
            return NULL;
        take(p, m1);
        return m2;
    }
    FcNode *xh = producer_inner(g, du, other, FC_OP_MUL); /* (x * 0.5) * t */
    if (xh && fc_operand_besides_const(g, xh, 0.5) == x) {
        take(p, xh);
        return m1;
    }
    return NULL;
}

static int try_match(FcGraph *g, const FcDefUse *du, FcNode *f)
{
    Pattern p = {{0}, 0};
    int tanh_form = f->op == FC_OP_TANH;
    int x = tanh_form ? tanh_arg(g, du, f, &p) : erf_arg(g, du, f, &p);
    if (x < 0)
        return 0;
    FcNode *one = fc_sole_reader_op(g, du, f->out[0], FC_OP_ADD);
    if (!one || fc_operand_besides_const(g, one, 1.0) != f->out[0])
        return 0;
    FcNode *last = gelu_tail(g, du, one->out[0], x, &p);
    if (!last)
        return 0;
    take(&p, f);
    take(&p, one);
    for (int i = 0; i < p.count; i++)
        p.nodes[i]->dead = 1;
    fc_node_reset(g, last, FC_OP_GELU, 1, &x);
    fc_node_add_attr_string(g, last, "approximate", tanh_form ? "tanh" : "none");
    fc_prepare_new_node(g, last);
    return 1;
}

static int run_recognize_gelu(FcGraph *g)
{
    int changes = 0;
    FcDefUse du;
    fc_defuse_build(g, &du);
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *f = g->top.nodes[i];
        if (!f->dead && (f->op == FC_OP_ERF || f->op == FC_OP_TANH))
            changes += try_match(g, &du, f);
    }
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_recognize_gelu = {
    "recognize-gelu", "decomposed GELU (erf or tanh form) -> one Gelu node",
    FC_LEVELS(0, 0, 1, 1), run_recognize_gelu};
