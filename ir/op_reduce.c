/* op_reduce.c — STUB: prepare functions for the reduce ops (to be written). */
#include "ir.h"

int fc_prep_argminmax(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_cumsum(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_reduce(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_softmax(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_topk(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

