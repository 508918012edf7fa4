/* ops.c — the op table, generated from ops.def, and name lookup.
 * Prepare functions live in ir/op_<group>.c, kernels in runtime/k_<group>.c; both are
 * declared here from the same rows, so a missing one is a link error, never a silent gap. */
#include <stdlib.h>
#include <string.h>
#include "ir.h"

#define OP(id, name, min_in, max_in, min_out, max_out, flags, prepare, kernel, file) \
    int prepare(FcGraph *g, FcNode *n);                                                  \
    void kernel(const FcRtNode *n, FcRtTensor *t);
#include "ops.def"
#undef OP

/* Ops the emitter lowers itself (control flow) have no kernel; reaching this is a bug. */
void fc_rt_none(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
    abort();
}

const FcOpInfo fc_ops[FC_OP_COUNT] = {
#define OP(id, name, min_in, max_in, min_out, max_out, flags, prepare, kernel, file) \
    {name, min_in, max_in, min_out, max_out, flags, prepare, kernel, #kernel, file},
#include "ops.def"
#undef OP
};

int fc_op_lookup(const char *onnx_name)
{
    int i;
    for (i = 0; i < FC_OP_COUNT; i++)
        if (strcmp(fc_ops[i].name, onnx_name) == 0)
            return i;
    return -1;
}
