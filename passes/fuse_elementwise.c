/* fuse_elementwise.c — chains of elementwise ops become one loop over memory.
 *
 * Matches:
 *   (1) an FcLinear without activation, or a Conv, whose result is read only by a Relu or
 *       Gelu (and is no graph output): the activation moves into the GEMM's epilogue
 *       (FcLinear {activation=k}; Conv becomes FcConv {activation=k}, runtime/k_conv.c).
 *   (2) groups of float32 elementwise nodes (Add Sub Mul Div Max Min Pow, Neg Abs Exp Log Sqrt
 *       Reciprocal Relu Sigmoid Tanh Erf Gelu LeakyRelu HardSigmoid HardSwish) where each
 *       member after the first reads the previous member's result, that result has no other
 *       reader and is no graph output, and every member produces the same shape. Operands
 *       from outside the group may broadcast (a per-channel bias); float32 scalar constants
 *       become immediates.
 * Produces: one FcElementwise node whose program (an attribute, visible in dumps) evaluates
 * the group tile by tile (runtime/k_fused_ew.c), writing the group's last result.
 * Must not fire: across a value with another reader, on non-float32 data, on ops whose output
 * shape differs within the group. Results: the same float operations in the same order per
 * element, so results match the unfused graph except where a kernel's formula differs in
 * the last bits (Sigmoid, Gelu). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rewrite.h"

#define MAX_MEMBERS 32
#define MAX_INPUTS 8
#define MAX_IMM 64

enum { /* the instruction codes of runtime/k_fused_ew.c */
    EW_NEG, EW_ABS, EW_EXP, EW_LOG, EW_SQRT, EW_RECIP, EW_RELU, EW_SIGMOID, EW_TANH, EW_ERF,
    EW_GELU, EW_GELU_TANH, EW_LEAKY, EW_HARDSIGMOID, EW_HARDSWISH, EW_ADD, EW_SUB, EW_MUL,
    EW_DIV, EW_MAX, EW_MIN, EW_POW
};

/* The instruction code of a fusible node, or -1. */
static int ew_code(const FcNode *n)
{
    switch (n->op) {
    case FC_OP_NEG: return EW_NEG;
    case FC_OP_ABS: return EW_ABS;
    case FC_OP_EXP: return EW_EXP;
    case FC_OP_LOG: return EW_LOG;
    case FC_OP_SQRT: return EW_SQRT;
    case FC_OP_RECIPROCAL: return EW_RECIP;
    case FC_OP_RELU: return EW_RELU;
    case FC_OP_SIGMOID: return EW_SIGMOID;
    case FC_OP_TANH: return EW_TANH;
    case FC_OP_ERF: return EW_ERF;
    case FC_OP_GELU:
        return strcmp(fc_attr_s(n, "approximate", "none"), "tanh") == 0 ? EW_GELU_TANH : EW_GELU;
    case FC_OP_LEAKY_RELU: return EW_LEAKY;
    case FC_OP_HARD_SIGMOID: return EW_HARDSIGMOID;
    case FC_OP_HARD_SWISH: return EW_HARDSWISH;
    case FC_OP_ADD: return EW_ADD;
    case FC_OP_SUB: return EW_SUB;
    case FC_OP_MUL: return EW_MUL;
    case FC_OP_DIV: return EW_DIV;
    case FC_OP_MAX: return n->nin == 2 ? EW_MAX : -1;
    case FC_OP_MIN: return n->nin == 2 ? EW_MIN : -1;
    case FC_OP_POW: return EW_POW;
    default: return -1;
    }
}

static int fusible(const FcGraph *g, const FcNode *n)
{
    if (n->dead || ew_code(n) < 0 || n->nout != 1 || n->out[0] < 0)
        return 0;
    for (int i = 0; i < n->nin; i++)
        if (n->in[i] < 0 || fc_val(g, n->in[i])->dtype != FC_DT_F32)
            return 0;
    return fc_val(g, n->out[0])->dtype == FC_DT_F32;
}

static int same_shape(const FcValue *a, const FcValue *b)
{
    return a->rank == b->rank && memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0;
}

/* ---- (1) activation epilogues --------------------------------------------------------- */

static int fuse_epilogues(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *lin = g->top.nodes[i];
        /* not after a residual (FcLinear's 4th input): act(y + r) != act(y) + r */
        if (!(lin->op == FC_OP_FC_LINEAR && fc_attr_i(lin, "activation", 0) == 0 &&
              lin->nin <= 3) &&
            lin->op != FC_OP_CONV)
            continue;
        FcNode *act = fc_sole_reader_op(g, &du, lin->out[0], FC_OP_RELU);
        int code = 1;
        if (!act && (act = fc_sole_reader_op(g, &du, lin->out[0], FC_OP_GELU)))
            code = ew_code(act) == EW_GELU_TANH ? 3 : 2;
        if (!act)
            continue;
        if (lin->op == FC_OP_CONV)
            lin->op = FC_OP_FC_CONV; /* the same Conv, with an epilogue */
        fc_node_add_attr_int(g, lin, "activation", code);
        lin->out[0] = act->out[0];
        act->dead = 1;
        fc_prepare_new_node(g, lin);
        changes++;
    }
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

/* ---- (2) elementwise groups ------------------------------------------------------------ */

typedef struct Group {
    FcNode *members[MAX_MEMBERS];
    int count;
} Group;

typedef struct Program {
    int inputs[MAX_INPUTS];
    int ninputs;
    int64_t code[4 * MAX_MEMBERS];
    int ncode;
    float imm[MAX_IMM];
    int nimm;
    int reg_of_member[MAX_MEMBERS];
} Program;

/* Register (or negative immediate) for operand value `id` of the group. */
static int operand(const FcGraph *g, const Group *grp, Program *p, int id)
{
    for (int m = 0; m < grp->count; m++)
        if (grp->members[m]->out[0] == id)
            return p->reg_of_member[m];
    double c;
    if (fc_const_uniform(g, id, &c) && fc_value_numel(fc_val(g, id)) == 1 && p->nimm < MAX_IMM) {
        p->imm[p->nimm++] = (float)c;
        return -p->nimm;
    }
    for (int k = 0; k < p->ninputs; k++)
        if (p->inputs[k] == id)
            return k;
    if (p->ninputs == MAX_INPUTS)
        return -1000; /* too many inputs: caller gives up */
    p->inputs[p->ninputs] = id;
    return p->ninputs++;
}

/* Immediates carried by unary ops with parameters; returns the operand-b encoding. */
static int params(const FcNode *n, Program *p)
{
    int code = ew_code(n);
    if (code != EW_LEAKY && code != EW_HARDSIGMOID)
        return 0;
    if (p->nimm + 2 > MAX_IMM)
        return -1000;
    p->imm[p->nimm++] = code == EW_LEAKY ? fc_attr_f(n, "alpha", 0.01f) : fc_attr_f(n, "alpha", 0.2f);
    p->imm[p->nimm++] = code == EW_LEAKY ? 0.0f : fc_attr_f(n, "beta", 0.5f);
    return -(p->nimm - 1);
}

/* Compiles the group; returns 0, or -1 if it does not fit the kernel's limits. */
static int compile(const FcGraph *g, const Group *grp, Program *p)
{
    memset(p, 0, sizeof(*p));
    /* Registers: inputs first (0..ninputs-1), then one per member; inputs are only known
     * once all operands are seen, so members are numbered from MAX_INPUTS and shifted. */
    for (int m = 0; m < grp->count; m++) {
        const FcNode *n = grp->members[m];
        int code = ew_code(n), a = operand(g, grp, p, n->in[0]);
        int b = n->nin > 1 ? operand(g, grp, p, n->in[1]) : params(n, p);
        if (a <= -1000 || b <= -1000 || (a < 0 && b < 0))
            return -1;
        if (a < 0 && code < EW_ADD)
            return -1; /* a unary op on a constant: constant folding's job */
        p->reg_of_member[m] = MAX_INPUTS + m;
        int64_t *c = &p->code[p->ncode];
        c[0] = code;
        c[1] = MAX_INPUTS + m;
        c[2] = a;
        c[3] = b;
        p->ncode += 4;
    }
    /* Shift member registers down to follow the real inputs. */
    int shift = MAX_INPUTS - p->ninputs;
    for (int i = 0; i < p->ncode; i += 4) {
        p->code[i + 1] -= shift;
        for (int k = 2; k < 4; k++)
            if (p->code[i + k] >= MAX_INPUTS && !(k == 3 && p->code[i] < EW_ADD))
                p->code[i + k] -= shift;
    }
    return 0;
}

static void replace_group(FcGraph *g, Group *grp, const Program *p, int last_pos)
{
    FcNode *last = grp->members[grp->count - 1];
    FcNode *n = fc_node_new(g, FC_OP_FC_ELEMENTWISE,
                            fc_arena_printf(&g->arena, "%s/fused", last->name), p->ninputs, 1);
    memcpy(n->in, p->inputs, sizeof(int) * (size_t)p->ninputs);
    n->out[0] = last->out[0];
    fc_node_add_attr_ints(g, n, "program", p->code, p->ncode);
    if (p->nimm)
        fc_node_add_attr_floats(g, n, "immediates", p->imm, p->nimm);
    fc_prepare_new_node(g, n);
    for (int m = 0; m < grp->count; m++)
        grp->members[m]->dead = 1;
    /* The fused node takes the last member's place: every operand is defined before it. */
    g->top.nodes[last_pos] = n;
}

/* Block positions by node address, sorted, so a group's members are found in log time
 * rather than by scanning the block for each group (quadratic on long chains). */
typedef struct NodePos {
    const FcNode *node;
    int pos;
} NodePos;

static int cmp_node_pos(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const NodePos *)a)->node, y = (uintptr_t)((const NodePos *)b)->node;
    return x < y ? -1 : x > y;
}

static NodePos *node_order(const FcBlock *b)
{
    NodePos *order = malloc(sizeof(NodePos) * ((size_t)b->nnodes + 1));
    if (!order)
        return NULL;
    for (int i = 0; i < b->nnodes; i++)
        order[i] = (NodePos){b->nodes[i], i};
    qsort(order, (size_t)b->nnodes, sizeof(NodePos), cmp_node_pos);
    return order;
}

/* The position of node n, one of the block's nodes when `order` was made. */
static int node_position(const NodePos *order, int count, const FcNode *n)
{
    NodePos key = {n, 0};
    const NodePos *hit = bsearch(&key, order, (size_t)count, sizeof(NodePos), cmp_node_pos);
    return hit->pos;
}

static int fuse_groups(FcGraph *g)
{
    FcDefUse du;
    fc_defuse_build(g, &du);
    int changes = 0;
    char *grouped = calloc((size_t)g->top.nnodes + 1, 1);
    NodePos *order = node_order(&g->top);
    if (!grouped || !order) {
        free(grouped);
        free(order);
        fc_defuse_free(&du);
        return 0; /* out of memory: no fusion, the graph stays correct */
    }
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *first = g->top.nodes[i];
        if (grouped[i] || !fusible(g, first))
            continue;
        Group grp = {{first}, 1};
        const FcValue *shape = fc_val(g, first->out[0]);
        FcNode *tail = first;
        /* Extend while the tail's only reader is fusible and keeps the shape. */
        while (grp.count < MAX_MEMBERS) {
            int v = tail->out[0];
            FcNode *next = du.uses[v] == 1 && !fc_val(g, v)->is_output ? du.reader[v] : NULL;
            if (!next || !fusible(g, next) || !same_shape(fc_val(g, next->out[0]), shape))
                break;
            grp.members[grp.count++] = next;
            tail = next;
        }
        Program p;
        if (grp.count < 2 || compile(g, &grp, &p))
            continue;
        int last_pos = 0;
        for (int m = 0; m < grp.count; m++)
            grouped[last_pos = node_position(order, g->top.nnodes, grp.members[m])] = 1;
        replace_group(g, &grp, &p, last_pos);
        changes++;
    }
    free(grouped);
    free(order);
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

static int run_fuse_elementwise(FcGraph *g)
{
    int a = fuse_epilogues(g);
    return a + fuse_groups(g);
}

const FcPass fc_pass_fuse_elementwise = {
    "elementwise-fusion", "chains of elementwise ops -> one loop (FcElementwise); Relu/Gelu "
    "after FcLinear/Conv -> its epilogue", FC_LEVELS(0, 0, 1, 1), run_fuse_elementwise};
