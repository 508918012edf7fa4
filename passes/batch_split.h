/* batch_split.h — batch-split execution for fastc --threads=N (passes/batch_split.c). */
#ifndef FC_BATCH_SPLIT_H
#define FC_BATCH_SPLIT_H
#include "ir.h"

/* If every run-time tensor of the (inferred, optimized) graph splits into equal slices along
 * axis 0 that only ever meet their own slices (every op row-independent along the batch),
 * turns g into the graph of one slice: the batched tensors' axis 0 is divided by the number
 * of instances, kernels are prepared for one thread, g->batch_copies = instances and
 * g->batch_threads = threads. The emitter then runs the instances on `threads` threads, each
 * instance on its own slice and activation arena: one per thread, or, when the weights are
 * small enough to stay in cache from one instance to the next and the batch divides, k per
 * thread (k <= FC_SPLIT_CHUNKS) dealt out as the threads finish, so that a thread on a slower
 * core takes fewer. Returns 1 if split, 0 if the graph stays as it was (why in `why`, one
 * line). Call before memory planning. */
int fc_batch_split(FcGraph *g, int threads, char *why, size_t why_len);

#endif
