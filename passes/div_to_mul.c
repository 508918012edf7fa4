/* div_to_mul.c — division by a constant becomes multiplication by its reciprocal.
 *
 * Matches: Div(x, c) with c a float constant (any shape that broadcasts). Produces:
 * Mul(x, 1/c) with the reciprocals computed once at compile time.
 * Must not fire: on a non-constant divisor, on integer division, or — at -O2, which is
 * lossless — unless every reciprocal is exact (c a power of two, like BERT's attention
 * scale 8): x*(1/c) then equals x/c bit for bit. At -O3 it fires for every constant
 * divisor, which may change the last bit of results (at most 1 ulp per division). */
#include <math.h>
#include "rewrite.h"

/* 1/c is exactly representable iff c is a power of two within the normal range. */
static int reciprocal_exact(double c)
{
    int e;
    double m = frexp(c, &e);
    return (m == 0.5 || m == -0.5) && e > -125 && e < 127;
}

static int divisor_ok(const FcGraph *g, const FcValue *c)
{
    if (c->dtype != FC_DT_F32 && c->dtype != FC_DT_F64)
        return 0;
    if (g->opt_level >= 3)
        return 1;
    int64_t n = fc_value_numel(c);
    for (int64_t i = 0; i < n; i++)
        if (!reciprocal_exact(fc_rt_get_f64(c->data, c->dtype, i)))
            return 0;
    return 1;
}

static int rewrite_block(FcGraph *g, FcBlock *b)
{
    int changes = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += rewrite_block(g, n->branch[br]);
        if (n->op != FC_OP_DIV || !fc_is_const(g, n->in[1]))
            continue;
        const FcValue *c = fc_val(g, n->in[1]);
        if (!divisor_ok(g, c))
            continue;
        int r = fc_const_new(g, fc_arena_printf(&g->arena, "%s_reciprocal", c->name), c->dtype,
                             c->rank, c->dims, NULL);
        FcValue *rv = fc_val(g, r);
        for (int64_t k = 0; k < fc_value_numel(c); k++)
            fc_rt_set_f64(rv->data, c->dtype, k, 1.0 / fc_rt_get_f64(c->data, c->dtype, k));
        n->op = FC_OP_MUL;
        n->in[1] = r;
        fc_prepare_new_node(g, n);
        changes++;
    }
    return changes;
}

static int run_div_to_mul(FcGraph *g)
{
    return rewrite_block(g, &g->top);
}

const FcPass fc_pass_div_to_mul = {
    "div-to-mul", "x / c -> x * (1/c) for constant c (exact reciprocals only below -O3)",
    FC_LEVELS(0, 0, 1, 1), run_div_to_mul};
