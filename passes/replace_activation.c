/* replace_activation.c — lossy and opt-in: activations become cheaper approximations.
 *
 * Selected with fastc --replace-activation=FROM:TO (repeatable; see replace_activation.h),
 * which adds this pass to the pipeline at its passes.def place, right after recognize-gelu and
 * before the fusions that would hide a Gelu in an epilogue; no -O level runs it. Rewrites:
 *   gelu:tanh       Gelu {approximate="none"}   -> Gelu {approximate="tanh"}
 *   gelu:quick      Gelu (erf or tanh form)     -> Mul(x, Sigmoid(Mul(x, 1.702)))   QuickGELU
 *   gelu:hardswish  Gelu                        -> HardSwish(x)
 *   gelu:relu       Gelu                        -> Relu(x)
 *   sigmoid:hard    Sigmoid(x)                  -> HardSigmoid(x) {alpha=1/6, beta=0.5}
 *   silu:hard       Mul(x, Sigmoid(x))          -> HardSwish(x)
 * GELU written out as Erf/Tanh arithmetic is first folded into Gelu by recognize-gelu (exact),
 * so the pass finds it at any level. The rewrites run in the order silu, sigmoid, gelu: each
 * sees the model's own activations and never another rewrite's output (QuickGELU's Sigmoid is
 * no HardSigmoid). Must not fire: gelu:quick on a Gelu that is not f32/f64 (the constant 1.702
 * needs that type); a SiLU whose Sigmoid reads another value than the Mul's other operand.
 * Results change (that is the point): the pass records "lossy: --replace-activation=..." in
 * g->notes, which the emitter prints in the generated file's header comment. */
#include <stdio.h>
#include <string.h>
#include "replace_activation.h"
#include "rewrite.h"

enum { GELU_KEEP, GELU_TANH, GELU_QUICK, GELU_HARDSWISH, GELU_RELU };

static const char *const gelu_names[] = {"", "gelu:tanh", "gelu:quick", "gelu:hardswish",
                                         "gelu:relu"};

static struct {
    int gelu;        /* GELU_* */
    int sigmoid;     /* sigmoid:hard */
    int silu;        /* silu:hard */
} cfg;

static int add_one(const char *name, size_t len, char *err, size_t errlen)
{
    for (int t = GELU_TANH; t <= GELU_RELU; t++) {
        if (strlen(gelu_names[t]) != len || strncmp(name, gelu_names[t], len) != 0)
            continue;
        if (cfg.gelu != GELU_KEEP && cfg.gelu != t) {
            snprintf(err, errlen, "--replace-activation: both %s and %s given", gelu_names[cfg.gelu],
                     gelu_names[t]);
            return -1;
        }
        cfg.gelu = t;
        return 0;
    }
    if (len == 12 && strncmp(name, "sigmoid:hard", len) == 0)
        cfg.sigmoid = 1;
    else if (len == 9 && strncmp(name, "silu:hard", len) == 0)
        cfg.silu = 1;
    else {
        snprintf(err, errlen, "unknown --replace-activation '%.*s' (want gelu:tanh|quick|"
                 "hardswish|relu, sigmoid:hard or silu:hard)", (int)(len > 40 ? 40 : len), name);
        return -1;
    }
    return 0;
}

int fc_replace_activation_add(const char *spec, char *err, size_t errlen)
{
    for (const char *p = spec;;) {
        size_t len = strcspn(p, ",");
        if (add_one(p, len, err, errlen))
            return -1;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

int fc_replace_activation_active(void)
{
    return cfg.gelu != GELU_KEEP || cfg.sigmoid || cfg.silu;
}

void fc_replace_activation_reset(void)
{
    memset(&cfg, 0, sizeof cfg);
}

/* ---- the rewrites ----------------------------------------------------------------------- */

/* A new value with x's type, for a result the pass inserts. */
static int like(FcGraph *g, int x, const char *name)
{
    const FcValue *v = fc_val(g, x);
    return fc_value_typed(g, name, v->dtype, v->rank, v->dims);
}

static void reset_unary(FcGraph *g, FcNode *n, int op, int x)
{
    fc_node_reset(g, n, op, 1, &x);
    if (op == FC_OP_HARD_SIGMOID) {
        fc_node_add_attr_float(g, n, "alpha", 1.0f / 6.0f);
        fc_node_add_attr_float(g, n, "beta", 0.5f);
    }
    fc_prepare_new_node(g, n);
}

/* Gelu n (at b->nodes[*pos]) becomes x * Sigmoid(1.702 * x); *pos moves past the new nodes. */
static int to_quick_gelu(FcGraph *g, FcBlock *b, int *pos, FcNode *n)
{
    int x = n->in[0];
    int32_t dt = fc_val(g, x)->dtype;
    if (dt != FC_DT_F32 && dt != FC_DT_F64)
        return 0;
    int k = fc_const_new(g, fc_arena_printf(&g->arena, "%s/quick_gelu_k", n->name), dt, 0, NULL,
                         NULL);
    fc_rt_set_f64(fc_val(g, k)->data, dt, 0, 1.702);
    FcNode *scale = fc_node_new(g, FC_OP_MUL, fc_arena_printf(&g->arena, "%s/scale", n->name), 2, 1);
    scale->in[0] = x;
    scale->in[1] = k;
    scale->out[0] = like(g, x, scale->name);
    fc_prepare_new_node(g, scale);
    FcNode *gate = fc_node_new(g, FC_OP_SIGMOID, fc_arena_printf(&g->arena, "%s/gate", n->name),
                               1, 1);
    gate->in[0] = scale->out[0];
    gate->out[0] = like(g, x, gate->name);
    fc_prepare_new_node(g, gate);
    int in[2] = {x, gate->out[0]};
    fc_node_reset(g, n, FC_OP_MUL, 2, in);
    fc_prepare_new_node(g, n);
    fc_block_insert(g, b, *pos, gate);
    fc_block_insert(g, b, *pos, scale);
    *pos += 2;
    return 1;
}

static int replace_gelu(FcGraph *g, FcBlock *b, int *pos, FcNode *n)
{
    int tanh_form = strcmp(fc_attr_s(n, "approximate", "none"), "tanh") == 0;
    switch (cfg.gelu) {
    case GELU_TANH:
        if (tanh_form)
            return 0;
        fc_node_reset(g, n, FC_OP_GELU, 1, &n->in[0]);
        fc_node_add_attr_string(g, n, "approximate", "tanh");
        fc_prepare_new_node(g, n);
        return 1;
    case GELU_QUICK: return to_quick_gelu(g, b, pos, n);
    case GELU_HARDSWISH: reset_unary(g, n, FC_OP_HARD_SWISH, n->in[0]); return 1;
    case GELU_RELU: reset_unary(g, n, FC_OP_RELU, n->in[0]); return 1;
    default: return 0;
    }
}

/* Mul(x, Sigmoid(x)) -> HardSwish(x); the Sigmoid goes if nothing else reads it. */
static int replace_silu(FcGraph *g, FcDefUse *du, FcNode *m)
{
    for (int k = 0; k < 2; k++) {
        FcNode *s = fc_producer_op(du, m->in[k], FC_OP_SIGMOID);
        if (!s || s->dead || s->in[0] != m->in[1 - k])
            continue;
        if (--du->uses[s->out[0]] == 0 && !fc_val(g, s->out[0])->is_output)
            s->dead = 1;
        reset_unary(g, m, FC_OP_HARD_SWISH, s->in[0]);
        return 1;
    }
    return 0;
}

/* One rewrite kind (`op`: the op it starts from) over block b and its branches. */
static int replace_in_block(FcGraph *g, FcDefUse *du, FcBlock *b, int op)
{
    int changes = 0;
    for (int i = 0; i < b->nnodes; i++) {
        FcNode *n = b->nodes[i];
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                changes += replace_in_block(g, du, n->branch[br], op);
        if (n->dead || n->op != op)
            continue;
        if (op == FC_OP_MUL) {
            changes += replace_silu(g, du, n);
        } else if (op == FC_OP_SIGMOID) {
            reset_unary(g, n, FC_OP_HARD_SIGMOID, n->in[0]);
            changes++;
        } else {
            changes += replace_gelu(g, b, &i, n);
        }
    }
    return changes;
}

static void record_note(FcGraph *g)
{
    char spec[96] = "";
    if (cfg.gelu != GELU_KEEP)
        snprintf(spec, sizeof spec, "%s", gelu_names[cfg.gelu]);
    if (cfg.sigmoid)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%ssigmoid:hard",
                 spec[0] ? "," : "");
    if (cfg.silu)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%ssilu:hard", spec[0] ? "," : "");
    const char *note = fc_arena_printf(&g->arena, "lossy: --replace-activation=%s", spec);
    g->notes = g->notes ? fc_arena_printf(&g->arena, "%s; %s", g->notes, note) : note;
}

extern const FcPass fc_pass_recognize_gelu;

static int run_replace_activation(FcGraph *g)
{
    int changes = 0;
    if (cfg.silu) {
        FcDefUse du;
        fc_defuse_build(g, &du);
        changes += replace_in_block(g, &du, &g->top, FC_OP_MUL);
        fc_defuse_free(&du);
        fc_block_sweep(&g->top);
    }
    if (cfg.sigmoid)
        changes += replace_in_block(g, NULL, &g->top, FC_OP_SIGMOID);
    if (cfg.gelu != GELU_KEEP) {
        if (fc_pass_recognize_gelu.run(g) < 0)
            return -1;
        changes += replace_in_block(g, NULL, &g->top, FC_OP_GELU);
    }
    if (changes)
        record_note(g);
    return changes;
}

const FcPass fc_pass_replace_activation = {
    "replace-activation", "lossy (--replace-activation=...): GELU, Sigmoid, SiLU -> cheaper "
    "approximations",
    FC_LEVELS(0, 0, 0, 0), run_replace_activation};
