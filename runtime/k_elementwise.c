/* k_elementwise.c — STUB kernels for the elementwise ops (to be written). */
#include "fc_rt.h"

FC_RT void fc_rt_binary(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_cast(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_clip(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_unary(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_variadic(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_where(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

