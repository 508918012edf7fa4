/* op_nn.c — STUB: prepare functions for the nn ops (to be written). */
#include "ir.h"

int fc_prep_batchnorm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_conv(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_conv_transpose(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_gemm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_global_pool(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_groupnorm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_instancenorm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_layernorm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_lpnorm(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_lrn(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_matmul(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_mvn(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

int fc_prep_pool(FcGraph *g, FcNode *n)
{
    return fc_err(g, n, "not implemented yet");
}

