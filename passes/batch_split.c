/* batch_split.c — batch-split execution: T threads each run the whole graph on 1/T of the
 * batch, instead of every kernel splitting its own loops across the threads.
 *
 * Why: with per-kernel threading each op's output is written half by one core and half by
 * the other, so the next op (a small serial one above all) reads half its input from the
 * other core's cache, and every op pays a fork/join. On a batched model whose images never
 * meet, T independent instances of the graph at batch B/T keep each image's data on one core
 * from input to output, with one fork/join per run — the way two single-threaded processes
 * would run, which on 2 cores is the best one can do.
 *
 * The analysis marks each run-time value SLAB (split into T equal runs of whole rows along
 * axis 0, slice t computed from the inputs' slices t alone) or REPLICATED (the same in every
 * instance: constants and what is computed from them alone). A node reading a SLAB value must
 * be known row-independent along the axis its batch travels on; anything else leaves the
 * graph unsplit. A slice of a SLAB value is a contiguous run of its bytes, so reshapes keep
 * the split as long as the new axis 0 divides by T too.
 *
 * The split graph is re-inferred with the kernels' own prepare functions (one thread each),
 * and every value's new shape is checked against the one the analysis predicts; on any
 * mismatch the graph is restored. */
#include <stdlib.h>
#include <string.h>
#include "batch_split.h"
#include "rewrite.h"
#include "stats.h"

enum { REPLICATED = 0, SLAB = 1 };

typedef struct Split {
    FcGraph *g;
    int T;
    char *slab;      /* per value: SLAB or REPLICATED */
    char *promote;   /* per value: a constant an elementwise op needs split (first pass) */
    int promoting;   /* first pass: such constants may be promoted (recorded in `promote`) */
    char *why;
    size_t why_len;
} Split;

static int refuse(Split *s, const FcNode *n, const char *reason)
{
    if (n)
        snprintf(s->why, s->why_len, "node '%s' (%s): %s", n->name, fc_ops[n->op].name, reason);
    else
        snprintf(s->why, s->why_len, "%s", reason);
    return 0;
}

/* Axis 0 can be cut into T equal non-empty runs of rows. */
static int divisible(const Split *s, const FcValue *v)
{
    return v && v->rank >= 1 && v->dims[0] >= s->T && v->dims[0] % s->T == 0;
}

static int in_slab(const Split *s, const FcNode *n, int i)
{
    return i < n->nin && n->in[i] >= 0 && s->slab[n->in[i]] == SLAB;
}

static int any_in_slab(const Split *s, const FcNode *n)
{
    for (int i = 0; i < n->nin; i++)
        if (in_slab(s, n, i))
            return 1;
    return 0;
}

/* An attribute axis normalized to [0, rank), or -1. */
static int64_t attr_axis(const FcNode *n, const char *name, int64_t dflt, int rank)
{
    int64_t a = fc_attr_i(n, name, dflt);
    if (a < 0)
        a += rank;
    return a >= 0 && a < rank ? a : -1;
}

/* Marks every present output SLAB; each must keep input 0's axis-0 extent. */
static int outputs_follow(Split *s, const FcNode *n, int64_t rows)
{
    for (int o = 0; o < n->nout; o++) {
        if (n->out[o] < 0)
            continue;
        const FcValue *v = fc_val(s->g, n->out[o]);
        if (v->rank < 1 || v->dims[0] != rows)
            return refuse(s, n, "an output does not keep the batch axis");
        s->slab[n->out[o]] = SLAB;
    }
    return 1;
}

/* Input `data` carries the batch on axis 0; every other input must be REPLICATED. */
static int rowwise(Split *s, const FcNode *n, int data)
{
    for (int i = 0; i < n->nin; i++)
        if (i != data && in_slab(s, n, i))
            return refuse(s, n, "a parameter input depends on the batch");
    if (!in_slab(s, n, data))
        return refuse(s, n, "the batched input is not its data input");
    return outputs_follow(s, n, fc_in(s->g, n, data)->dims[0]);
}

/* A constant spanning the batch (a per-row table, or what constant folding made of
 * Shape -> Expand: BERT's position ids) can be cut like a batched tensor: instance t reads
 * slice t of the one copy in the weights. Not a --const-input graph input (_run compares the
 * caller's whole tensor with it). */
static int promotable(const Split *s, int id)
{
    const FcValue *v = fc_val(s->g, id);
    if (v->kind != FC_VAL_CONST || !divisible(s, v))
        return 0;
    for (int i = 0; i < s->g->ninputs; i++)
        if (s->g->inputs[i] == id)
            return 0;
    return 1;
}

/* Numpy broadcasting aligned to the right: an input of the output's rank whose axis 0 is the
 * output's must be SLAB; one of lower rank or axis-0 extent 1 must be REPLICATED. */
static int broadcast(Split *s, const FcNode *n)
{
    const FcValue *y = fc_out(s->g, n, 0);
    if (!divisible(s, y))
        return refuse(s, n, "the output's axis 0 does not split");
    for (int i = 0; i < n->nin; i++) {
        const FcValue *x = fc_in(s->g, n, i);
        if (!x)
            continue;
        int full = x->rank == y->rank && x->dims[0] == y->dims[0];
        if (full && !in_slab(s, n, i) && s->promoting && promotable(s, n->in[i])) {
            s->promote[n->in[i]] = 1; /* split it too: each instance reads its rows */
            continue;
        }
        if (full != in_slab(s, n, i))
            return refuse(s, n, full ? "an operand spans the batch but is not split"
                                     : "an operand broadcast along the batch depends on it");
    }
    return outputs_follow(s, n, y->dims[0]);
}

/* An op given its axis (`axis` normalized, -1 if invalid) that must not be axis 0. */
static int rowwise_off_axis0(Split *s, const FcNode *n, int64_t axis)
{
    if (axis <= 0)
        return refuse(s, n, "it works along the batch axis");
    return rowwise(s, n, 0);
}

/* Reshape-like ops copy bytes: slice t of the input is slice t of the output if the output's
 * axis 0 splits too. */
static int reshaping(Split *s, const FcNode *n)
{
    if (!divisible(s, fc_out(s->g, n, 0)))
        return refuse(s, n, "the reshaped axis 0 does not split");
    for (int i = 1; i < n->nin; i++)
        if (in_slab(s, n, i))
            return refuse(s, n, "its shape input depends on the batch");
    if (!in_slab(s, n, 0))
        return refuse(s, n, "the batched input is not its data input");
    s->slab[n->out[0]] = SLAB;
    return 1;
}

static int matmul(Split *s, const FcNode *n)
{
    const FcValue *a = fc_in(s->g, n, 0), *b = fc_in(s->g, n, 1), *y = fc_out(s->g, n, 0);
    if (a->rank < 2 || b->rank < 2)
        return refuse(s, n, "a vector operand");
    if (y->rank == 2) /* rows of A are the batch */
        return rowwise(s, n, 0);
    return broadcast(s, n);
}

static int gemm(Split *s, const FcNode *n)
{
    const FcValue *c = fc_in(s->g, n, 2);
    if (fc_attr_i(n, "transA", 0))
        return refuse(s, n, "transA puts the batch on the reduced axis");
    if (c && c->rank == 2 && c->dims[0] != 1)
        return refuse(s, n, "C has a row per batch row");
    return rowwise(s, n, 0);
}

static int linear(Split *s, const FcNode *n)
{
    const FcValue *x = fc_in(s->g, n, 0);
    if (x->rank < 2 || attr_axis(n, "out_axis", x->rank - 1, x->rank) == 0)
        return refuse(s, n, "the rows are not the batch");
    if (n->nin > 3 && n->in[3] >= 0 && !in_slab(s, n, 3))
        return refuse(s, n, "the residual does not follow the batch");
    for (int i = 1; i < 3 && i < n->nin; i++)
        if (in_slab(s, n, i))
            return refuse(s, n, "a weight depends on the batch");
    if (!in_slab(s, n, 0))
        return refuse(s, n, "the batched input is not X");
    return outputs_follow(s, n, x->dims[0]);
}

static int batched_gemm(Split *s, const FcNode *n)
{
    const char *perms[3] = {"permA", "permB", "permY"};
    const FcValue *y = fc_out(s->g, n, 0);
    for (int p = 0; p < 3; p++) {
        const int64_t *v;
        if (fc_attr_ints(n, perms[p], &v) > 0 && v[0] != 0)
            return refuse(s, n, "a transpose moves the batch axis");
    }
    for (int i = 0; i < 2; i++)
        if (fc_in(s->g, n, i)->rank != y->rank || y->rank < 3)
            return refuse(s, n, "the operands' batch axes are not axis 0");
    return broadcast(s, n);
}

static int gather(Split *s, const FcNode *n)
{
    const FcValue *x = fc_in(s->g, n, 0), *idx = fc_in(s->g, n, 1);
    int64_t axis = attr_axis(n, "axis", 0, x->rank);
    if (axis > 0)
        return rowwise(s, n, 0);
    if (axis == 0 && idx->rank >= 1 && !in_slab(s, n, 0) && in_slab(s, n, 1))
        return outputs_follow(s, n, idx->dims[0]); /* rows of a table picked per batch row */
    return refuse(s, n, "it gathers along the batch axis");
}

static int transpose(Split *s, const FcNode *n)
{
    const int64_t *perm;
    int np = fc_attr_ints(n, "perm", &perm);
    int rank = fc_in(s->g, n, 0)->rank;
    int first = np > 0 ? (int)perm[0] : rank - 1; /* default: reverse the axes */
    return first == 0 ? rowwise(s, n, 0) : refuse(s, n, "it moves the batch axis");
}

static int reduce(Split *s, const FcNode *n)
{
    if (n->nia < 2 || (n->ia[1] & 1))
        return refuse(s, n, "it reduces over the batch axis");
    return rowwise(s, n, 0);
}

static int concat(Split *s, const FcNode *n)
{
    int64_t axis = attr_axis(n, "axis", 0, fc_out(s->g, n, 0)->rank);
    if (axis <= 0)
        return refuse(s, n, "it concatenates along the batch axis");
    for (int i = 0; i < n->nin; i++)
        if (!in_slab(s, n, i))
            return refuse(s, n, "an operand is not batched");
    return outputs_follow(s, n, fc_in(s->g, n, 0)->dims[0]);
}

/* An op that may move data along every axis (Slice, Pad, Tile, Resize) but here keeps axis 0
 * as it is (`keeps`: checked from its prepared parameters). */
static int keeps_axis0(Split *s, const FcNode *n, int keeps)
{
    if (!keeps || fc_out(s->g, n, 0)->dims[0] != fc_in(s->g, n, 0)->dims[0])
        return refuse(s, n, "it moves data along the batch axis");
    return rowwise(s, n, 0);
}

/* Slice: ia [0] rank, [1 + a] first index, [1 + rank + a] step of axis a. */
static int slice(Split *s, const FcNode *n)
{
    return keeps_axis0(s, n, n->nia >= 3 && n->ia[1] == 0 && n->ia[1 + n->ia[0]] == 1);
}

/* Pad: ia [3] elements added before axis 0, [4] removed before it (negative pads). */
static int pad(Split *s, const FcNode *n)
{
    return keeps_axis0(s, n, n->nia >= 6 && n->ia[3] == 0 && n->ia[4] == 0);
}

/* Resize with axis 0 kept (scale 1): each output row is its input row, except for
 * tf_crop_and_resize, whose region of interest may start elsewhere. */
static int resize(Split *s, const FcNode *n)
{
    const char *ct = fc_attr_s(n, "coordinate_transformation_mode", "half_pixel");
    const char *policy = fc_attr_s(n, "keep_aspect_ratio_policy", "stretch");
    return keeps_axis0(s, n, strcmp(ct, "tf_crop_and_resize") != 0 &&
                                 strcmp(policy, "stretch") == 0);
}

/* Expand: a batched input whose axis 0 is the output's, or a REPLICATED one broadcast along
 * axis 0 into the batch (then every instance makes its own rows: the same values). */
static int expand(Split *s, const FcNode *n)
{
    const FcValue *x = fc_in(s->g, n, 0), *y = fc_out(s->g, n, 0);
    if (in_slab(s, n, 1))
        return refuse(s, n, "its shape input depends on the batch");
    if (in_slab(s, n, 0) && x->rank == y->rank && x->dims[0] == y->dims[0])
        return outputs_follow(s, n, y->dims[0]);
    return refuse(s, n, "it broadcasts along the batch axis");
}

/* CumSum: its axis is a constant input. */
static int cumsum(Split *s, const FcNode *n)
{
    int64_t axis;
    int rank = fc_in(s->g, n, 0)->rank;
    if (fc_const_ints(s->g, fc_in(s->g, n, 1), &axis, 1) != 1)
        return refuse(s, n, "its axis is not a constant");
    return rowwise_off_axis0(s, n, axis < 0 ? axis + rank : axis);
}

static int max_pool(Split *s, const FcNode *n)
{
    /* the Indices output numbers elements across the whole batch */
    if (n->nout > 1 && n->out[1] >= 0)
        return refuse(s, n, "its Indices count across the batch");
    return rowwise(s, n, 0);
}

/* Classifies node n's outputs; 0 (with the reason) if n mixes the batch's slices. */
static int classify(Split *s, const FcNode *n)
{
    if (!any_in_slab(s, n))
        return 1; /* REPLICATED: every instance computes the same values */
    const FcValue *x = fc_in(s->g, n, 0);
    int rank = x ? x->rank : 0;
    if (fc_ops[n->op].flags & FC_F_ELEMWISE)
        return broadcast(s, n);
    switch (n->op) {
    case FC_OP_CONV: case FC_OP_CONV_TRANSPOSE: case FC_OP_FC_CONV:
    case FC_OP_AVERAGE_POOL: case FC_OP_LP_POOL: case FC_OP_GLOBAL_AVERAGE_POOL:
    case FC_OP_GLOBAL_MAX_POOL: case FC_OP_GLOBAL_LP_POOL: case FC_OP_INSTANCE_NORMALIZATION:
    case FC_OP_GROUP_NORMALIZATION: case FC_OP_LRN: case FC_OP_FC_CHANNEL_NORM:
    case FC_OP_DEPTH_TO_SPACE: case FC_OP_SPACE_TO_DEPTH: case FC_OP_DROPOUT:
        return rowwise(s, n, 0);
    case FC_OP_BATCH_NORMALIZATION: /* training-mode statistics span the batch */
        return n->nout > 1 ? refuse(s, n, "training mode") : rowwise(s, n, 0);
    case FC_OP_MAX_POOL:
        return max_pool(s, n);
    case FC_OP_SOFTMAX: case FC_OP_LOG_SOFTMAX: case FC_OP_HARDMAX:
        return rowwise_off_axis0(s, n, attr_axis(n, "axis", s->g->opset >= 13 ? -1 : 1, rank));
    case FC_OP_ARG_MAX: case FC_OP_ARG_MIN:
        return rowwise_off_axis0(s, n, attr_axis(n, "axis", 0, rank));
    case FC_OP_LAYER_NORMALIZATION: case FC_OP_LP_NORMALIZATION:
        return rowwise_off_axis0(s, n, attr_axis(n, "axis", -1, rank));
    case FC_OP_SPLIT:
        return rowwise_off_axis0(s, n, attr_axis(n, "axis", 0, rank));
    case FC_OP_TOP_K:
        return rowwise_off_axis0(s, n, attr_axis(n, "axis", -1, rank));
    case FC_OP_SLICE:
        return slice(s, n);
    case FC_OP_PAD:
        return pad(s, n);
    case FC_OP_TILE: /* repeats[0] = 1 */
        return keeps_axis0(s, n, 1);
    case FC_OP_RESIZE: case FC_OP_UPSAMPLE:
        return resize(s, n);
    case FC_OP_EXPAND:
        return expand(s, n);
    case FC_OP_CUM_SUM:
        return cumsum(s, n);
    case FC_OP_REDUCE_MEAN: case FC_OP_REDUCE_SUM: case FC_OP_REDUCE_MAX:
    case FC_OP_REDUCE_MIN: case FC_OP_REDUCE_PROD: case FC_OP_REDUCE_L1: case FC_OP_REDUCE_L2:
    case FC_OP_REDUCE_LOG_SUM: case FC_OP_REDUCE_LOG_SUM_EXP: case FC_OP_REDUCE_SUM_SQUARE:
        return reduce(s, n);
    case FC_OP_RESHAPE: case FC_OP_FLATTEN: case FC_OP_SQUEEZE: case FC_OP_UNSQUEEZE:
    case FC_OP_IDENTITY:
        return reshaping(s, n);
    case FC_OP_TRANSPOSE:
        return transpose(s, n);
    case FC_OP_CONCAT:
        return concat(s, n);
    case FC_OP_GATHER:
        return gather(s, n);
    case FC_OP_GEMM:
        return gemm(s, n);
    case FC_OP_MAT_MUL:
        return matmul(s, n);
    case FC_OP_FC_LINEAR:
        return linear(s, n);
    case FC_OP_FC_BATCHED_GEMM:
        return batched_gemm(s, n);
    default:
        return refuse(s, n, "not known to be independent along the batch axis");
    }
}

static int classify_graph(Split *s)
{
    const FcGraph *g = s->g;
    memset(s->slab, REPLICATED, (size_t)g->nvals);
    for (int v = 0; v < g->nvals; v++)
        if (!s->promoting && s->promote[v])
            s->slab[v] = SLAB;
    for (int i = 0; i < g->ninputs; i++) {
        const FcValue *v = fc_val(g, g->inputs[i]);
        if (v->kind == FC_VAL_CONST)
            continue; /* fixed by --const-input: the same in every instance */
        if (!divisible(s, v))
            return refuse(s, NULL, "an input's axis 0 does not divide by the thread count");
        s->slab[g->inputs[i]] = SLAB;
    }
    for (int i = 0; i < g->top.nnodes; i++) {
        const FcNode *n = g->top.nodes[i];
        if (n->op == FC_OP_IF)
            return refuse(s, n, "control flow");
        if (!classify(s, n))
            return 0;
    }
    for (int i = 0; i < g->noutputs; i++)
        if (s->slab[g->outputs[i]] != SLAB)
            return refuse(s, NULL, "an output is not batched");
    return 1;
}

/* Input `at` of node n, a constant shape whose entry 0 is the output's axis 0 (a Reshape or
 * Expand target, Resize sizes), becomes a copy naming the slice's extent. */
static void shape_input_to_slice(Split *s, FcNode *n, int at)
{
    FcGraph *g = s->g;
    if (n->nin <= at || n->in[at] < 0)
        return;
    int64_t want[FC_MAX_RANK];
    int64_t k = fc_const_ints(g, fc_in(g, n, at), want, FC_MAX_RANK);
    const FcValue *y = fc_out(g, n, 0);
    if (k != y->rank || want[0] != y->dims[0])
        return; /* 0 or -1 (Reshape), 1 (Expand), or no entry for axis 0: follows the input */
    want[0] /= s->T;
    int64_t dims[1] = {k};
    n->in[at] = fc_const_new(g, fc_arena_printf(&g->arena, "%s/slice_shape", n->name),
                             FC_DT_I64, 1, dims, want);
}

/* Shapes spelling out the batch's extent get copies naming the slice's. */
static void shape_inputs_to_slice(Split *s)
{
    for (int i = 0; i < s->g->top.nnodes; i++) {
        FcNode *n = s->g->top.nodes[i];
        if (!in_slab(s, n, 0))
            continue;
        if (n->op == FC_OP_RESHAPE || n->op == FC_OP_EXPAND)
            shape_input_to_slice(s, n, 1);
        else if (n->op == FC_OP_RESIZE && !fc_attr(n, "axes"))
            shape_input_to_slice(s, n, 3);
    }
}

typedef struct Saved {
    int64_t *dims;   /* per value: FC_MAX_RANK dims before the split */
    int *rank;       /* per value: rank before the split */
    int *ins;        /* every top-level node's inputs, in order (shape inputs may be
                      * replaced by slice-sized copies) */
} Saved;

static void save(const FcGraph *g, Saved *sv)
{
    sv->dims = calloc(((size_t)g->nvals + 1) * FC_MAX_RANK, sizeof(int64_t));
    size_t nins = 1;
    for (int i = 0; i < g->top.nnodes; i++)
        nins += (size_t)g->top.nodes[i]->nin;
    sv->ins = calloc(nins, sizeof(int));
    sv->rank = calloc((size_t)g->nvals + 1, sizeof(int));
    if (!sv->dims || !sv->ins || !sv->rank)
        abort();
    for (int v = 0; v < g->nvals; v++) {
        sv->rank[v] = fc_val(g, v)->rank;
        memcpy(&sv->dims[(size_t)v * FC_MAX_RANK], fc_val(g, v)->dims,
               sizeof(int64_t) * FC_MAX_RANK);
    }
    for (int i = 0, k = 0; i < g->top.nnodes; i++)
        for (int j = 0; j < g->top.nodes[i]->nin; j++)
            sv->ins[k++] = g->top.nodes[i]->in[j];
}

static void restore(FcGraph *g, const Saved *sv, int nvals)
{
    for (int v = 0; v < nvals; v++) {
        fc_val(g, v)->rank = sv->rank[v];
        memcpy(fc_val(g, v)->dims, &sv->dims[(size_t)v * FC_MAX_RANK],
               sizeof(int64_t) * FC_MAX_RANK);
    }
    for (int i = 0, k = 0; i < g->top.nnodes; i++)
        for (int j = 0; j < g->top.nodes[i]->nin; j++)
            g->top.nodes[i]->in[j] = sv->ins[k++];
}

/* Every value has the shape the analysis predicts: SLAB ones axis 0 / T, the rest as before. */
static int shapes_as_predicted(Split *s, const Saved *sv, int nvals)
{
    for (int v = 0; v < nvals; v++) {
        const FcValue *x = fc_val(s->g, v);
        int64_t want[FC_MAX_RANK];
        memcpy(want, &sv->dims[(size_t)v * FC_MAX_RANK], sizeof want);
        if (x->rank >= 1 && s->slab[v] == SLAB)
            want[0] /= s->T;
        if (x->rank != sv->rank[v] ||
            memcmp(want, x->dims, sizeof(int64_t) * (size_t)x->rank) != 0) {
            snprintf(s->why, s->why_len, "value '%s' does not get the predicted shape", x->name);
            return 0;
        }
    }
    return 1;
}

/* Fewer rows than this per instance starve the GEMM micro-kernel's row strips (8 on AVX-512,
 * 6 on AVX2) and every instance streams all of the weights for them: mlp_gelu at batch 8 ran
 * 0.074 ms split on 2 threads, 0.059 ms with the kernels splitting their columns; from 8 rows
 * per instance on, the split was faster (batch 16: 0.100 vs 0.109 ms). */
#define FC_SPLIT_MIN_ROWS 8

/* Multiply-adds of a product of a batched operand's rows with a constant weight: the rows each
 * instance would get (*rows), or 0 for other nodes. */
static int64_t weight_product_macs(const Split *s, const FcNode *n, int64_t *rows)
{
    FcGraph *g = s->g;
    const FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1);
    if (!in_slab(s, n, 0) || !w || w->kind != FC_VAL_CONST || x->rank < 2)
        return 0;
    if (n->op == FC_OP_FC_LINEAR || (n->op == FC_OP_MAT_MUL && w->rank == 2) ||
        (n->op == FC_OP_GEMM && !fc_attr_i(n, "transA", 0))) {
        int64_t k = x->dims[x->rank - 1];
        *rows = k ? fc_value_numel(x) / k / s->T : 0;
        return fc_node_macs(g, n);
    }
    return 0;
}

/* The split pays when most of the arithmetic keeps whole row strips per instance. */
static int split_worth_it(Split *s)
{
    int64_t all = 0, starved = 0;
    const FcNode *worst = NULL;
    for (int i = 0; i < s->g->top.nnodes; i++) {
        const FcNode *n = s->g->top.nodes[i];
        int64_t rows = 0, macs = weight_product_macs(s, n, &rows);
        all += fc_node_macs(s->g, n);
        if (macs && rows < FC_SPLIT_MIN_ROWS) {
            starved += macs;
            if (!worst)
                worst = n;
        }
    }
    if (starved * 2 > all)
        return refuse(s, worst, "fewer than 8 rows per instance against a constant weight "
                                "(most of the multiply-adds)");
    return 1;
}

/* Classifies the graph; constants an elementwise op needs split are promoted in a first
 * pass, then the graph is classified again with them split from the start, so that a
 * constant also read as a weight (which must stay whole) stops the split. */
static int classify_with_promotions(Split *s)
{
    s->promoting = 1;
    if (!classify_graph(s))
        return 0;
    s->promoting = 0;
    for (int v = 0; v < s->g->nvals; v++)
        if (s->promote[v])
            return classify_graph(s);
    return 1;
}

static int split_into(FcGraph *g, int copies, char *why, size_t why_len)
{
    Split s = {g, copies, calloc((size_t)g->nvals + 1, 1), calloc((size_t)g->nvals + 1, 1), 0,
               why, why_len};
    if (!s.slab || !s.promote)
        abort();
    int nvals = g->nvals, threads = g->threads;
    int ok = copies > 1 && classify_with_promotions(&s) && split_worth_it(&s);
    if (copies <= 1)
        refuse(&s, NULL, "one thread");
    if (!ok) {
        free(s.slab);
        free(s.promote);
        return 0;
    }
    Saved sv;
    save(g, &sv);
    for (int i = 0; i < g->ninputs; i++)
        if (s.slab[g->inputs[i]] == SLAB)
            fc_val(g, g->inputs[i])->dims[0] /= copies;
    for (int v = 0; v < nvals; v++)
        if (s.promote[v]) { /* one slice's shape; the data keeps all of them */
            fc_val(g, v)->dims[0] /= copies;
            fc_val(g, v)->batch_sliced = 1;
        }
    shape_inputs_to_slice(&s);
    g->threads = 1; /* each instance runs its kernels on its own thread */
    ok = fc_infer(g) == 0 && shapes_as_predicted(&s, &sv, nvals);
    if (ok) {
        g->batch_copies = copies;
    } else {
        if (g->err[0])
            snprintf(why, why_len, "%s", g->err);
        restore(g, &sv, nvals);
        for (int v = 0; v < nvals; v++)
            fc_val(g, v)->batch_sliced = 0;
        g->threads = threads;
        g->err[0] = 0;
        if (fc_infer(g))
            abort(); /* the graph inferred before; the same shapes must infer again */
    }
    free(sv.dims);
    free(sv.rank);
    free(sv.ins);
    free(s.slab);
    free(s.promote);
    return ok;
}

/* Instances per thread when the weights stay cached (below): enough that a thread on a core
 * running at 2/3 speed (one shared with another busy process or VM, as cloud vCPUs often are)
 * hands its last instances to the other, few enough that each still has a batch to itself.
 * cifar_gelu_b64 at 2 threads on a Zen 3 VM with one slow vCPU: 9.5-9.8 ms with one instance
 * per thread, 8.3 ms with four (medians of 30 runs, alternating). */
#define FC_SPLIT_CHUNKS 4
/* Constant bytes up to which every instance re-reading all of the weights costs no memory
 * traffic (they stay in the core's L2, 1 MiB on Zen 3 / Zen 4): above it, a weight-bound model
 * (an MLP, ConvNeXt's 28 MB) keeps one instance per thread. */
#define FC_SPLIT_CACHED_WEIGHTS (1 << 20)

static int64_t constant_bytes(FcGraph *g)
{
    int64_t bytes = 0;
    for (int v = 0; v < g->nvals; v++)
        if (fc_val(g, v)->kind == FC_VAL_CONST)
            bytes += (int64_t)fc_value_bytes(fc_val(g, v));
    return bytes;
}

int fc_batch_split(FcGraph *g, int threads, char *why, size_t why_len)
{
    if (threads > 1 && constant_bytes(g) <= FC_SPLIT_CACHED_WEIGHTS)
        for (int k = FC_SPLIT_CHUNKS; k > 1; k--)
            if (split_into(g, threads * k, why, why_len)) {
                g->batch_threads = threads;
                return 1;
            }
    if (!split_into(g, threads, why, why_len))
        return 0;
    g->batch_threads = threads;
    return 1;
}
