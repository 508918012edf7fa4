/* ir.h — fastc's intermediate representation: a typed graph with static shapes.
 *
 * A graph owns a table of values (tensors) and a top-level block of nodes in execution
 * order. Values are referred to by index everywhere (node inputs/outputs, graph inputs and
 * outputs) so that passes can rewrite nodes without pointer fix-ups. A value is either a
 * graph input, a constant (its bytes in `data`), or an intermediate produced by one node.
 * An `If` node owns two nested blocks; their nodes read outer values by index directly.
 *
 * All memory of one compilation comes from one arena (FcArena) and is freed at once.
 * Library functions report user errors by returning -1 after recording one line in
 * g->err (see fc_err); they never exit.
 */
#ifndef FC_IR_H
#define FC_IR_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include "fc_rt.h"

/* ---- arena ---------------------------------------------------------------------- */

typedef struct FcArenaChunk FcArenaChunk;
typedef struct FcArena {
    FcArenaChunk *head;
} FcArena;

void *fc_arena_alloc(FcArena *a, size_t size);      /* zeroed, 16-byte aligned */
char *fc_arena_strdup(FcArena *a, const char *s);
char *fc_arena_printf(FcArena *a, const char *fmt, ...);
void fc_arena_free(FcArena *a);

/* ---- op table (ir/ops.def) ------------------------------------------------------ */

typedef enum FcOpId {
#define OP(id, name, min_in, max_in, min_out, max_out, flags, prepare, kernel, file) FC_OP_##id,
#include "ops.def"
#undef OP
    FC_OP_COUNT
} FcOpId;

enum {
    FC_F_ELEMWISE = 1 << 0,   /* output[i] depends only on input[i] (after broadcast) */
    FC_F_COMMUT = 1 << 1,     /* binary op whose operands commute */
    FC_F_SHAPE_ONLY = 1 << 2, /* output depends only on input shapes: always computed at compile time */
    FC_F_NOFOLD = 1 << 3,     /* never evaluate at compile time (control flow) */
    FC_F_ALIAS = 1 << 4,      /* output is a view of input 0's bytes (Reshape, Identity...) */
    FC_F_VARIADIC = 1 << 5    /* any number of inputs >= min_in */
};

struct FcGraph;
struct FcNode;
typedef int (*FcPrepareFn)(struct FcGraph *g, struct FcNode *n);

typedef struct FcOpInfo {
    const char *name;     /* ONNX op_type */
    int min_in, max_in, min_out, max_out;
    unsigned flags;
    FcPrepareFn prepare;  /* validates attributes, infers outputs, packs kernel params */
    FcRtKernel kernel;    /* the runtime kernel (NULL for ops the emitter handles itself) */
    const char *kernel_name;
    const char *file;     /* runtime/ file that defines the kernel */
} FcOpInfo;

extern const FcOpInfo fc_ops[FC_OP_COUNT];
int fc_op_lookup(const char *onnx_name); /* FcOpId or -1 */

/* ---- values, attributes, nodes, blocks, graph ---------------------------------------- */

enum { FC_VAL_TEMP = 0, FC_VAL_INPUT = 1, FC_VAL_CONST = 2 };

typedef struct FcValue {
    const char *name;      /* ONNX tensor name (unique within the graph) */
    int32_t dtype;         /* FC_DT_*; FC_DT_UNDEF until inferred */
    int32_t rank;          /* -1 until inferred */
    int64_t dims[FC_MAX_RANK];
    int kind;              /* FC_VAL_* */
    void *data;            /* bytes of a constant, row-major, little-endian */
    int is_output;         /* a graph output */
    int caller_out;        /* a graph output the kernels write straight into the caller's
                            * buffer (passes/memory_plan.c): no arena bytes, no copy out */
    int64_t offset;        /* byte offset in the activation arena (memory planner), -1 if none */
    int batch_sliced;      /* a constant whose axis 0 spans the batch, after a batch split:
                            * dims are one instance's slice, data holds all instances' slices
                            * one after the other (passes/batch_split.c) */
} FcValue;

enum {
    FC_ATTR_FLOAT = 1, FC_ATTR_INT = 2, FC_ATTR_STRING = 3, FC_ATTR_TENSOR = 4,
    FC_ATTR_GRAPH = 5, FC_ATTR_FLOATS = 6, FC_ATTR_INTS = 7, FC_ATTR_STRINGS = 8,
    FC_ATTR_TENSORS = 9, FC_ATTR_GRAPHS = 10
};

typedef struct FcAttr {
    const char *name;
    int type;              /* FC_ATTR_*, the ONNX AttributeType numbers */
    int64_t i;
    float f;
    const char *s;         /* STRING (NUL-terminated) */
    int n;                 /* element count of INTS / FLOATS / STRINGS */
    int64_t *ints;
    float *floats;
    const char **strings;
    int tensor;            /* TENSOR: index of a constant value holding it */
    struct FcBlock *graph; /* GRAPH */
} FcAttr;

typedef struct FcNode {
    int op;                /* FcOpId */
    const char *name;      /* ONNX node name, or a generated one ("<op>_<n>") */
    int nin, nout;
    int *in;               /* value indices; -1 = absent optional input */
    int *out;
    int nattr;
    FcAttr *attr;
    /* Filled by the op's prepare function: */
    int nia, nfa;
    int64_t *ia;           /* packed integer params for the kernel */
    float *fa;             /* packed float params for the kernel */
    int64_t scratch_bytes; /* temporary memory the kernel needs */
    int64_t scratch_offset; /* its place in the activation arena (memory planner) */
    struct FcBlock *branch[2]; /* If: then / else */
    int dead;              /* marked for removal by a pass (fc_block_sweep) */
} FcNode;

typedef struct FcBlock {
    FcNode **nodes;
    int nnodes, cap;
    int *outputs;          /* values the block yields (If branches) */
    int noutputs;
} FcBlock;

typedef struct FcGraph {
    FcArena arena;
    const char *path;      /* model file, for messages */
    int64_t opset;         /* ai.onnx opset version */
    int64_t ir_version;
    FcValue **vals;
    int nvals, capvals;
    FcBlock top;
    int *inputs;           /* graph inputs that are fed at run time */
    int ninputs;
    int *outputs;
    int noutputs;
    const char **output_names; /* ONNX names of the graph outputs (stable under rewrites) */
    int64_t arena_bytes;   /* activation arena size (memory planner) */
    int fold_floats;       /* shape inference also folds float computations */
    int opt_level;         /* -O level: passes that may change last bits check it */
    int threads;           /* threads the emitted kernels run on (>= 1): scratch is per thread */
    int batch_copies;      /* > 1: the graph is one slice of the batch; the emitted C runs this
                            * many instances side by side (passes/batch_split.c) */
    int batch_threads;     /* threads those instances are dealt to (a divisor of batch_copies) */
    const char *notes;     /* for the emitted file's header comment (a lossy rewrite), or NULL */
    char err[1024];        /* last error, one line */
} FcGraph;

/* ---- graph construction --------------------------------------------------------- */

FcGraph *fc_graph_new(const char *path);
void fc_graph_free(FcGraph *g);
int fc_value_new(FcGraph *g, const char *name);     /* a fresh TEMP value with unknown type */
int fc_value_find(FcGraph *g, const char *name);    /* -1 if absent */
FcNode *fc_node_new(FcGraph *g, int op, const char *name, int nin, int nout);
void fc_block_append(FcGraph *g, FcBlock *b, FcNode *n);
/* Makes every reader of value `from` (nodes of all blocks, branch yields, graph outputs)
 * read `to` instead. Returns the number of uses rewritten. */
int fc_replace_uses(FcGraph *g, int from, int to);
/* Number of nodes (all blocks) reading value id, plus 1 per graph-output / yield use. */
int fc_count_uses(const FcGraph *g, int id);
static inline FcValue *fc_val(const FcGraph *g, int id) { return g->vals[id]; }

/* ---- errors ----------------------------------------------------------------------- */

/* Records "<path>: node '<name>' (<Op>): <message>" and returns -1. n may be NULL. */
int fc_err(FcGraph *g, const FcNode *n, const char *fmt, ...);

/* ---- helpers for op prepare functions ---------------------------------------------- */

FcValue *fc_in(FcGraph *g, const FcNode *n, int i);   /* NULL if absent or i >= nin */
FcValue *fc_out(FcGraph *g, const FcNode *n, int i);
const FcAttr *fc_attr(const FcNode *n, const char *name); /* NULL if absent */
int64_t fc_attr_i(const FcNode *n, const char *name, int64_t dflt);
float fc_attr_f(const FcNode *n, const char *name, float dflt);
const char *fc_attr_s(const FcNode *n, const char *name, const char *dflt);
/* INTS / FLOATS attribute: returns the count and sets *v, or -1 if absent. */
int fc_attr_ints(const FcNode *n, const char *name, const int64_t **v);
int fc_attr_floats(const FcNode *n, const char *name, const float **v);

int64_t fc_value_numel(const FcValue *v);
size_t fc_value_bytes(const FcValue *v);
/* Sets output i's dtype and shape. Fails (fc_err) on rank > FC_MAX_RANK or negative dims. */
int fc_set_out(FcGraph *g, FcNode *n, int i, int32_t dtype, int32_t rank, const int64_t *dims);
/* Copies the shape and dtype of `src` to output i. */
int fc_set_out_like(FcGraph *g, FcNode *n, int i, const FcValue *src);
/* If value v is a compile-time constant of an integer dtype, copies up to `max` elements into
 * buf (as int64) and returns the element count; returns -1 if v is not constant. */
int64_t fc_const_ints(const FcGraph *g, const FcValue *v, int64_t *buf, int64_t max);
/* Same for float / double constants (converted to double). */
int64_t fc_const_doubles(const FcGraph *g, const FcValue *v, double *buf, int64_t max);
/* Allocates the node's packed parameter arrays (zeroed) and returns them. */
int64_t *fc_pack_ints(FcGraph *g, FcNode *n, int count);
/* Whether a prepared Conv / FcConv runs as Winograd F(2x2, 3x3) (ir/op_nn.c). */
int fc_conv_is_winograd(const FcNode *n);
int fc_conv_can_pool(const FcGraph *g, const FcNode *n);
float *fc_pack_floats(FcGraph *g, FcNode *n, int count);
/* Normalizes an axis in [-rank, rank) to [0, rank); returns -1 (with fc_err) if out of range. */
int fc_norm_axis(FcGraph *g, const FcNode *n, int64_t axis, int rank, int64_t *out);
/* Numpy broadcast of two shapes (dout may be da or db); fails with fc_err if incompatible. */
int fc_broadcast_shape(FcGraph *g, const FcNode *n, int ra, const int64_t *da, int rb,
                       const int64_t *db, int *rout, int64_t *dout);
/* The error for an input whose values decide a shape but are only known at run time:
 * "input 'PARAM' must be a compile-time constant (value 'NAME')". */
int fc_err_need_const(FcGraph *g, const FcNode *n, const char *param, const FcValue *v);
int fc_dtype_is_float(int32_t dt);
int fc_dtype_is_int(int32_t dt);  /* signed or unsigned integer, not bool */
const char *fc_dtype_name(int32_t dt); /* "f32", "i64", ... */
/* The ONNX name of a TensorProto data type ("float", "int4", ...), also of the types fastc
 * does not compute with, for messages; NULL if unknown. */
const char *fc_onnx_dtype_name(int32_t dt);

/* ---- shape inference and compile-time evaluation (ir/infer.c) ------------------------- */

/* Prepares every node of the top block in order (attribute checks, output types and shapes,
 * kernel parameters) and evaluates at compile time the nodes whose inputs are all constant
 * (integer/bool results always, so shape arithmetic resolves; float results when
 * g->fold_floats). Folded nodes leave the block; their outputs become constants. */
int fc_infer(FcGraph *g);
int fc_infer_block(FcGraph *g, FcBlock *b);
/* Runs node n's kernel now, on constant inputs, making its outputs constants. */
int fc_eval_node(FcGraph *g, FcNode *n);

#endif /* FC_IR_H */
