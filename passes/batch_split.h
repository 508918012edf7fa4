/* batch_split.h — batch-split execution for fastc --threads=N (passes/batch_split.c). */
#ifndef FC_BATCH_SPLIT_H
#define FC_BATCH_SPLIT_H
#include "ir.h"

/* If every run-time tensor of the (inferred, optimized) graph splits into `copies` equal
 * slices along axis 0 that only ever meet their own slices (every op row-independent along
 * the batch), turns g into the graph of one slice: the batched tensors' axis 0 is divided by
 * `copies`, kernels are prepared for one thread, g->batch_copies = copies. The emitter then
 * runs `copies` instances of that graph side by side, one per thread, each on its own slice
 * and activation arena. Returns 1 if split, 0 if the graph stays as it was (why in `why`,
 * one line). Call before memory planning. */
int fc_batch_split(FcGraph *g, int copies, char *why, size_t why_len);

#endif
