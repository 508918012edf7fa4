/* k_reduce.c — STUB kernels for the reduce ops (to be written). */
#include "fc_rt.h"

FC_RT void fc_rt_argminmax(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_cumsum(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_reduce(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_softmax(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_topk(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

