/* op_elementwise.c — STUB: prepare functions for the elementwise ops (to be written). */
#include "ir.h"

int fc_prep_binary(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_cast(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_clip(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_unary(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_variadic(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_where(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

