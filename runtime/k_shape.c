/* k_shape.c — STUB kernels for the shape ops (to be written). */
#include "fc_rt.h"

FC_RT void fc_rt_compress(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_concat(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_constant_of_shape(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_copy(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_depth_to_space(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_dropout(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_expand(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_eye_like(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_gather(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_gather_elements(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_gather_nd(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_one_hot(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_pad(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_range(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_reverse_sequence(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_scatter_elements(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_scatter_nd(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_shape(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_size(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_slice(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_space_to_depth(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_split(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_tile(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_transpose(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

FC_RT void fc_rt_trilu(const FcRtNode *n, FcRtTensor *t)
{
    (void)n;
    (void)t;
}

