/* k_resize.c — STUB kernels for the resize ops (to be written). */
#include "fc_rt.h"

FC_RT void fc_rt_einsum(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_resize(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

