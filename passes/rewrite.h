/* rewrite.h — helpers shared by the passes: def-use information, constant tests, and
 * node creation/removal. */
#ifndef FC_REWRITE_H
#define FC_REWRITE_H

#include "ir.h"
#include "pass_manager.h"

typedef struct FcDefUse {
    FcNode **producer; /* per value: the node that writes it (any block), or NULL */
    int *uses;         /* per value: readers (node operands, yields, graph outputs) */
    FcNode **reader;   /* per value: the first node reading it (the only one if uses == 1) */
    int nvals;
} FcDefUse;

void fc_defuse_build(const FcGraph *g, FcDefUse *du);
void fc_defuse_free(FcDefUse *du);

/* The node producing value `id` if it has op `op` (else NULL). */
FcNode *fc_producer_op(const FcDefUse *du, int id, int op);
/* The only reader of `id` if it has op `op`, `id` has exactly one use and is no graph
 * output (so the pattern may absorb it); else NULL. */
FcNode *fc_sole_reader_op(const FcGraph *g, const FcDefUse *du, int id, int op);
/* For a binary node reading constant `c` (uniform, within 1e-4 relative) on one side, the
 * other operand; -1 otherwise. */
int fc_operand_besides_const(const FcGraph *g, const FcNode *n, double c);
/* Turns node n into a fresh node of op `op` with the given inputs (attributes cleared). */
void fc_node_reset(FcGraph *g, FcNode *n, int op, int nin, const int *in);
int fc_is_const(const FcGraph *g, int id);
/* If `id` is a float constant whose elements all equal one value, stores it and returns 1. */
int fc_const_uniform(const FcGraph *g, int id, double *value);
/* A new constant value holding a copy of `data`. */
int fc_const_new(FcGraph *g, const char *name, int32_t dtype, int rank, const int64_t *dims,
                 const void *data);
/* A new intermediate value with the given type. */
int fc_value_typed(FcGraph *g, const char *name, int32_t dtype, int rank, const int64_t *dims);
/* Adds a copy of an attribute to node n. */
void fc_node_add_attr_int(FcGraph *g, FcNode *n, const char *name, int64_t v);
void fc_node_add_attr_float(FcGraph *g, FcNode *n, const char *name, float v);
void fc_node_add_attr_ints(FcGraph *g, FcNode *n, const char *name, const int64_t *v, int count);
void fc_node_add_attr_floats(FcGraph *g, FcNode *n, const char *name, const float *v, int count);
void fc_node_add_attr_string(FcGraph *g, FcNode *n, const char *name, const char *v);
/* Removes the nodes marked dead from b and its nested blocks; returns how many. */
int fc_block_sweep(FcBlock *b);
/* Inserts node n into b right before position `at`. */
void fc_block_insert(FcGraph *g, FcBlock *b, int at, FcNode *n);
/* Runs prepare on a node built by a pass; internal error (abort) if it fails. */
void fc_prepare_new_node(FcGraph *g, FcNode *n);

#endif
