/* op_rnn.c — prepare (attribute checks, shape inference, kernel parameter packing) for the
 * recurrent layers RNN, GRU and LSTM, opset 7 on (opset 14 adds `layout`). One prepare
 * serves the three: they differ in their gate count (1, 3, 4), activations per direction
 * (1, 2, 3) and LSTM's extra inputs and output. The kernels are runtime/k_rnn.c, which
 * documents the packed layout.
 *
 * Shapes are static: seq_length, batch_size and input_size come from X, hidden_size from the
 * attribute (or R when the attribute is absent) and must agree with W, R, B, the initial
 * states and P. sequence_lens is read at run time (int32).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ir.h"

/* Defined in runtime/k_rnn.c. */
int64_t fc_rt_rnn_scratch_floats(const int64_t *ia, int64_t G);

/* The activation functions the ONNX RNN specification lists: the name, k_rnn.c's FC_RNN_*
 * code, how many values each takes from activation_alpha / activation_beta, and the defaults
 * (those of the ONNX operator of that name; ScaledTanh and Affine: the identity's). */
typedef struct RnnActInfo {
    const char *name;
    int code, nalpha, nbeta;
    float alpha, beta;
} RnnActInfo;

static const RnnActInfo rnn_acts[] = {
    {"Relu", 0, 0, 0, 0.0f, 0.0f},          {"Tanh", 1, 0, 0, 0.0f, 0.0f},
    {"Sigmoid", 2, 0, 0, 0.0f, 0.0f},       {"Affine", 3, 1, 1, 1.0f, 0.0f},
    {"LeakyRelu", 4, 1, 0, 0.01f, 0.0f},    {"ThresholdedRelu", 5, 1, 0, 1.0f, 0.0f},
    {"ScaledTanh", 6, 1, 1, 1.0f, 1.0f},    {"HardSigmoid", 7, 1, 1, 0.2f, 0.5f},
    {"Elu", 8, 1, 0, 1.0f, 0.0f},           {"Softsign", 9, 0, 0, 0.0f, 0.0f},
    {"Softplus", 10, 0, 0, 0.0f, 0.0f},
};
#define RNN_NACTS ((int)(sizeof rnn_acts / sizeof rnn_acts[0]))

/* Parameter slots of k_rnn.c: ia[9 + 3d + k], fa[1 + 2(3d + k)] and the one after. */
#define RNN_IA_ACTS 9
#define RNN_SLOTS 6

/* What tells the three ops apart. */
typedef struct RnnKind {
    int gates;          /* G: rows of W / R per direction are G * hidden_size */
    int nact;           /* activations per direction */
    const char *dflt[3]; /* the default activations */
    const char *flag;   /* the op's extra int attribute (ia[7]), or NULL */
} RnnKind;

static const RnnKind *rnn_kind(int op)
{
    static const RnnKind rnn = {1, 1, {"Tanh"}, NULL};
    static const RnnKind gru = {3, 2, {"Sigmoid", "Tanh"}, "linear_before_reset"};
    static const RnnKind lstm = {4, 3, {"Sigmoid", "Tanh", "Tanh"}, "input_forget"};
    return op == FC_OP_GRU ? &gru : op == FC_OP_LSTM ? &lstm : &rnn;
}

/* A node's shapes. */
typedef struct RnnShape {
    int64_t T, B, I, H, D;
    int layout;
} RnnShape;

static const RnnActInfo *act_lookup(const char *name)
{
    for (int i = 0; i < RNN_NACTS; i++)
        if (strcasecmp(rnn_acts[i].name, name) == 0)
            return &rnn_acts[i];
    return NULL;
}

/* direction -> D and the reverse flag. */
static int parse_direction(FcGraph *g, FcNode *n, int64_t *D, int64_t *reverse)
{
    const char *dir = fc_attr_s(n, "direction", "forward");
    *reverse = strcmp(dir, "reverse") == 0;
    *D = strcmp(dir, "bidirectional") == 0 ? 2 : 1;
    if (strcmp(dir, "forward") != 0 && !*reverse && *D != 2)
        return fc_err(g, n, "unsupported direction '%s' (expects forward, reverse or "
                      "bidirectional)", dir);
    return 0;
}

/* Input i (when present) must be float32 with exactly the given shape. */
static int check_input(FcGraph *g, FcNode *n, int i, const char *what, int rank,
                       const int64_t *want)
{
    FcValue *v = fc_in(g, n, i);
    if (!v)
        return 0;
    if (v->dtype != FC_DT_F32)
        return fc_err(g, n, "unsupported dtype %s for input '%s' (supported: f32)",
                      fc_dtype_name(v->dtype), what);
    int same = v->rank == rank;
    for (int d = 0; same && d < rank; d++)
        same = v->dims[d] == want[d];
    if (same)
        return 0;
    char got[160] = "", exp[160] = "";
    for (int d = 0; d < v->rank && d < FC_MAX_RANK; d++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", d ? ", " : "",
                 (long long)v->dims[d]);
    for (int d = 0; d < rank; d++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%lld", d ? ", " : "",
                 (long long)want[d]);
    return fc_err(g, n, "input '%s' has shape [%s], expects [%s]", what, got, exp);
}

/* T, B, I from X; D from direction; H from hidden_size (or R); layout. */
static int infer_shape(FcGraph *g, FcNode *n, const RnnKind *k, int64_t D, RnnShape *s)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1), *r = fc_in(g, n, 2);
    if (x->dtype != FC_DT_F32)
        return fc_err(g, n, "unsupported dtype %s (supported: f32)", fc_dtype_name(x->dtype));
    int64_t layout = fc_attr_i(n, "layout", 0);
    if (fc_attr(n, "layout") && g->opset < 14)
        return fc_err(g, n, "attribute 'layout' needs opset 14 or later (this model has "
                      "opset %lld)", (long long)g->opset);
    if (layout != 0 && layout != 1)
        return fc_err(g, n, "unsupported layout %lld (expects 0 or 1)", (long long)layout);
    if (x->rank != 3)
        return fc_err(g, n, "input 'X' must have rank 3 (got %d)", x->rank);
    if (w->rank != 3 || r->rank != 3)
        return fc_err(g, n, "inputs 'W' and 'R' must have rank 3 (got %d and %d)", w->rank,
                      r->rank);
    s->layout = (int)layout;
    s->T = x->dims[layout ? 1 : 0];
    s->B = x->dims[layout ? 0 : 1];
    s->I = x->dims[2];
    s->D = D;
    const FcAttr *hs = fc_attr(n, "hidden_size");
    s->H = hs && hs->type == FC_ATTR_INT ? hs->i : r->dims[2];
    if (s->H <= 0 || s->H > (INT64_C(1) << 30))
        return fc_err(g, n, "hidden_size %lld is out of range", (long long)s->H);
    if (w->dims[1] != k->gates * s->H || r->dims[2] != s->H)
        return fc_err(g, n, "hidden_size %lld does not match W [%lld, %lld, %lld] and R "
                      "[%lld, %lld, %lld] (expects W [%lld, %lld, %lld])", (long long)s->H,
                      (long long)w->dims[0], (long long)w->dims[1], (long long)w->dims[2],
                      (long long)r->dims[0], (long long)r->dims[1], (long long)r->dims[2],
                      (long long)D, (long long)(k->gates * s->H), (long long)s->I);
    return 0;
}

/* Every input against the shapes (ONNX input order: X, W, R, B, sequence_lens, initial_h,
 * initial_c, P). */
static int check_inputs(FcGraph *g, FcNode *n, const RnnKind *k, const RnnShape *s)
{
    const int64_t GH = k->gates * s->H;
    const int64_t wd[3] = {s->D, GH, s->I}, rd[3] = {s->D, GH, s->H}, bd[2] = {s->D, 2 * GH};
    const int64_t st[3] = {s->layout ? s->B : s->D, s->layout ? s->D : s->B, s->H};
    const int64_t pd[2] = {s->D, 3 * s->H};
    if (check_input(g, n, 1, "W", 3, wd) || check_input(g, n, 2, "R", 3, rd) ||
        check_input(g, n, 3, "B", 2, bd) || check_input(g, n, 5, "initial_h", 3, st) ||
        check_input(g, n, 6, "initial_c", 3, st) || check_input(g, n, 7, "P", 2, pd))
        return -1;
    FcValue *len = fc_in(g, n, 4);
    if (len && (len->dtype != FC_DT_I32 || len->rank != 1 || len->dims[0] != s->B))
        return fc_err(g, n, "input 'sequence_lens' must be i32[%lld] (got %s with rank %d)",
                      (long long)s->B, fc_dtype_name(len->dtype), len->rank);
    return 0;
}

/* How many alpha (beta) values the activations take, all together. */
static int act_param_count(const RnnActInfo **acts, int nacts, int beta)
{
    int c = 0;
    for (int i = 0; i < nacts; i++)
        c += beta ? acts[i]->nbeta : acts[i]->nalpha;
    return c;
}

/* Puts activation_alpha (beta = 0) or activation_beta (beta = 1) of activation i into
 * ab[2i + beta]. The specification
 * says the values are "consumed in the order of activation functions": as ONNX Runtime reads
 * it, each function that takes the parameter consumes the next value; a list with exactly one
 * value per activation is read one per position instead (the other reading, which such a list
 * cannot be meant for otherwise). Functions without a value keep their defaults. */
static int pack_act_params(FcGraph *g, FcNode *n, const RnnActInfo **acts, int nacts,
                           int beta, float *ab)
{
    const char *attr = beta ? "activation_beta" : "activation_alpha";
    const float *v;
    int nv = fc_attr_floats(n, attr, &v);
    int need = act_param_count(acts, nacts, beta);
    int positional = nv == nacts && nv != need;
    if (nv > 0 && nv != need && !positional)
        return fc_err(g, n, "attribute '%s' has %d values (expects %d: one per activation "
                      "that takes it, or %d: one per activation)", attr, nv, need, nacts);
    for (int i = 0, used = 0; i < nacts; i++) {
        int takes = beta ? acts[i]->nbeta : acts[i]->nalpha;
        float val = beta ? acts[i]->beta : acts[i]->alpha;
        if (positional && nv > 0)
            val = v[i];
        else if (takes && nv > 0)
            val = v[used++];
        ab[2 * i + beta] = val;
    }
    return 0;
}

/* The activations attribute (or the op's defaults) -> ia codes and fa alpha / beta. */
static int pack_activations(FcGraph *g, FcNode *n, const RnnKind *k, int64_t D, int64_t *ia,
                            float *fa)
{
    const FcAttr *a = fc_attr(n, "activations");
    const RnnActInfo *acts[RNN_SLOTS];
    int nacts = (int)(k->nact * D);
    if (a && (a->type != FC_ATTR_STRINGS || a->n != nacts))
        return fc_err(g, n, "attribute 'activations' must list %d functions (%d per "
                      "direction), got %d", nacts, k->nact,
                      a->type == FC_ATTR_STRINGS ? a->n : 1);
    for (int i = 0; i < nacts; i++) {
        const char *name = a ? a->strings[i] : k->dflt[i % k->nact];
        acts[i] = act_lookup(name);
        if (!acts[i])
            return fc_err(g, n, "unsupported activation '%s'", name);
    }
    float ab[2 * RNN_SLOTS];
    if (pack_act_params(g, n, acts, nacts, 0, ab) || pack_act_params(g, n, acts, nacts, 1, ab))
        return -1;
    for (int i = 0; i < nacts; i++) {
        int slot = 3 * (i / k->nact) + i % k->nact;
        ia[RNN_IA_ACTS + slot] = acts[i]->code;
        fa[1 + 2 * slot] = ab[2 * i];
        fa[2 + 2 * slot] = ab[2 * i + 1];
    }
    return 0;
}

/* Y, Y_h (and Y_c): [T, D, B, H] and [D, B, H], or batch first with layout 1. */
static int set_outputs(FcGraph *g, FcNode *n, const RnnShape *s)
{
    int64_t y[4] = {s->T, s->D, s->B, s->H}, st[3] = {s->D, s->B, s->H};
    if (s->layout) {
        y[0] = s->B, y[1] = s->T, y[2] = s->D;
        st[0] = s->B, st[1] = s->D;
    }
    if (fc_set_out(g, n, 0, FC_DT_F32, 4, y) || fc_set_out(g, n, 1, FC_DT_F32, 3, st) ||
        fc_set_out(g, n, 2, FC_DT_F32, 3, st))
        return -1;
    return 0;
}

/* RNN, GRU and LSTM: see runtime/k_rnn.c for ia / fa. */
int fc_prep_rnn(FcGraph *g, FcNode *n)
{
    const RnnKind *k = rnn_kind(n->op);
    int64_t D, reverse;
    RnnShape s = {0, 0, 0, 0, 0, 0};
    if (g->opset < 7)
        return fc_err(g, n, "needs opset 7 or later (this model has opset %lld)",
                      (long long)g->opset);
    if (parse_direction(g, n, &D, &reverse) || infer_shape(g, n, k, D, &s) ||
        check_inputs(g, n, k, &s))
        return -1;
    const FcAttr *clip = fc_attr(n, "clip");
    if (clip && (clip->type != FC_ATTR_FLOAT || !(clip->f > 0.0f)))
        return fc_err(g, n, "attribute 'clip' must be a positive float");
    int64_t *ia = fc_pack_ints(g, n, RNN_IA_ACTS + RNN_SLOTS);
    float *fa = fc_pack_floats(g, n, 1 + 2 * RNN_SLOTS);
    if (pack_activations(g, n, k, D, ia, fa) || set_outputs(g, n, &s))
        return -1;
    ia[0] = s.T;
    ia[1] = s.B;
    ia[2] = s.I;
    ia[3] = s.H;
    ia[4] = D;
    ia[5] = reverse;
    ia[6] = s.layout;
    ia[7] = k->flag ? fc_attr_i(n, k->flag, 0) != 0 : 0;
    ia[8] = clip != NULL;
    fa[0] = clip ? clip->f : 0.0f;
    n->scratch_bytes = 4 * fc_rt_rnn_scratch_floats(ia, k->gates);
    return 0;
}
