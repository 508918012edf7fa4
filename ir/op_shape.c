/* op_shape.c — STUB: prepare functions for the shape ops (to be written). */
#include "ir.h"

int fc_prep_compress(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_concat(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_constant_of_shape(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_depth_to_space(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_dropout(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_expand(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_eye_like(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_flatten(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_gather(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_gather_elements(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_gather_nd(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_identity(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_one_hot(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_pad(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_range(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_reshape(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_reverse_sequence(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_scatter_elements(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_scatter_nd(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_shape(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_size(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_slice(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_space_to_depth(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_split(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_squeeze(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_tile(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_transpose(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_trilu(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_unsqueeze(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

