/* k_nn.c — STUB kernels for the nn ops (to be written). */
#include "fc_rt.h"

FC_RT void fc_rt_avgpool(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_batchnorm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_conv(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_conv_transpose(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_gemm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_global_pool(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_groupnorm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_instancenorm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_layernorm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_lpnorm(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_lppool(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_lrn(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_matmul(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_maxpool(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_mvn(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

