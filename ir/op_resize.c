/* op_resize.c — STUB: prepare functions for the resize ops (to be written). */
#include "ir.h"

int fc_prep_einsum(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_resize(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

