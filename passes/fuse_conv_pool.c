/* fuse_conv_pool.c — gives a convolution the 2x2 MaxPool that follows it.
 *
 * Matches: MaxPool with kernel_shape [2,2], strides [2,2], no padding (pads all 0, auto_pad
 * NOTSET or VALID), dilations 1, ceil_mode 0, and no Indices output, whose input is the sole
 * use of a Conv / FcConv result that is not a graph output, where that convolution runs as
 * Winograd F(2x2, 3x3) or F(4x4, 3x3) (ir/op_nn.c decides: 2-D 3x3, unit strides and
 * dilations, >= 8 channels per group, enough output tiles), or on the im2col / pointwise
 * GEMM path with a 2-D output of even height and width (fc_conv_can_pool). Produces: the
 * convolution as FcConv {pool=1} writing the pooled tensor directly: Winograd's 2x2 output
 * tiles are exactly the pooling windows (a 4x4 tile holds four); the GEMM path's column
 * blocks are whole pairs of output rows. So the full-size convolution output is never stored
 * and read back. Exact: the window is reduced in MaxPool's tap order after the activation,
 * bit for bit the unfused result. Must not fire on other pools (3x3, stride 1, padded, ceil
 * mode, AveragePool), depthwise convolutions, a GEMM-path convolution with an odd output (its
 * last row and column are dropped by floor mode; it keeps its plain output), or when the
 * convolution's result has another reader. */
#include <string.h>
#include "pass_manager.h"
#include "rewrite.h"

/* Whether ints attribute `name` is absent (when `dflt_ok`) or every value equals v. */
static int ints_all(const FcNode *n, const char *name, int64_t v, int dflt_ok)
{
    const int64_t *a;
    int k = fc_attr_ints(n, name, &a);
    if (k <= 0)
        return dflt_ok;
    for (int i = 0; i < k; i++)
        if (a[i] != v)
            return 0;
    return 1;
}

static int is_plain_2x2_pool(const FcNode *p)
{
    const char *pad = fc_attr_s(p, "auto_pad", "NOTSET");
    const int64_t *k;
    return p->op == FC_OP_MAX_POOL && (p->nout < 2 || p->out[1] < 0) &&
           fc_attr_ints(p, "kernel_shape", &k) == 2 && k[0] == 2 && k[1] == 2 &&
           ints_all(p, "strides", 2, 0) && fc_attr_ints(p, "strides", &k) == 2 &&
           ints_all(p, "pads", 0, 1) && ints_all(p, "dilations", 1, 1) &&
           fc_attr_i(p, "ceil_mode", 0) == 0 &&
           (strcmp(pad, "NOTSET") == 0 || strcmp(pad, "VALID") == 0);
}

static int run_fuse_conv_pool(FcGraph *g)
{
    FcDefUse du;
    int changes = 0;
    fc_defuse_build(g, &du);
    for (int i = 0; i < g->top.nnodes; i++) {
        FcNode *conv = g->top.nodes[i];
        if (conv->dead || !fc_conv_can_pool(g, conv) ||
            (conv->op == FC_OP_FC_CONV && fc_attr_i(conv, "pool", 0) != 0))
            continue;
        FcNode *pool = fc_sole_reader_op(g, &du, conv->out[0], FC_OP_MAX_POOL);
        if (!pool || !is_plain_2x2_pool(pool))
            continue;
        if (conv->op == FC_OP_CONV) {
            conv->op = FC_OP_FC_CONV; /* the same Conv, with an epilogue */
            fc_node_add_attr_int(g, conv, "activation", 0);
        }
        fc_node_add_attr_int(g, conv, "pool", 1);
        conv->out[0] = pool->out[0];
        pool->dead = 1;
        fc_prepare_new_node(g, conv);
        changes++;
    }
    fc_defuse_free(&du);
    fc_block_sweep(&g->top);
    return changes;
}

const FcPass fc_pass_fuse_conv_pool = {
    "fuse-conv-pool", "a 2x2 stride-2 MaxPool after a Winograd or im2col Conv -> its epilogue "
    "(FcConv pool)",
    FC_LEVELS(0, 0, 1, 1), run_fuse_conv_pool};
