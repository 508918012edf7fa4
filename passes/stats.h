/* stats.h — graph statistics for --stats: work, weights, activation memory. */
#ifndef FC_STATS_H
#define FC_STATS_H
#include "ir.h"

typedef struct FcGraphStats {
    int nodes;              /* all blocks */
    int64_t macs;           /* multiply-accumulates of Conv/ConvTranspose/MatMul/Gemm/FcLinear */
    int64_t weight_bytes;   /* constants read by nodes or yielded as outputs */
    int64_t peak_bytes;     /* peak of live run-time tensors (inputs, intermediates, outputs,
                               scratch) over the execution order, before memory planning */
} FcGraphStats;

void fc_graph_stats(const FcGraph *g, FcGraphStats *s);
/* MACs of one node (0 for ops that are not matrix products). */
int64_t fc_node_macs(const FcGraph *g, const FcNode *n);

#endif
