/* op_nn.c — prepare (attribute checks, shape inference, kernel parameter packing) for the nn
 * ops: Conv, ConvTranspose, the pools, the normalizations, Gemm and MatMul. Their kernels live
 * in runtime/k_conv.c, k_pool.c, k_norm.c and k_gemm.c, which document each packed layout.
 *
 * Convolutions and windowed pools canonicalize their 1-, 2- or 3-D spatial geometry to 3-D
 * (missing leading axes get size 1, kernel 1, stride 1, no padding) so each kernel has one
 * loop nest.
 */
#include <string.h>
#include "ir.h"

int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
int64_t fc_rt_conv_scratch(const int64_t *ia, int64_t threads);
int64_t fc_rt_pool_scratch(const int64_t *ia);

/* Spatial geometry in canonical 3-D form; real axis i of nsp lives in slot 3 - nsp + i. */
typedef struct NnGeom {
    int nsp;
    int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
} NnGeom;

enum { NN_PAD_NOTSET, NN_PAD_SAME_UPPER, NN_PAD_SAME_LOWER, NN_PAD_VALID };

/* Column-buffer budget for im2col / col2im blocks, in floats. */
#define NN_COL_FLOATS (128 * 1024)

static int nn_dtype_ok(int32_t dt, int allow_f64)
{
    return dt == FC_DT_F32 || (allow_f64 && dt == FC_DT_F64);
}

/* Checks that input i exists with an accepted float dtype equal to input 0's. */
static int nn_check_float_in(FcGraph *g, FcNode *n, int i, const char *what, int allow_f64)
{
    FcValue *v = fc_in(g, n, i), *x = fc_in(g, n, 0);
    if (!v)
        return fc_err(g, n, "missing input '%s'", what);
    if (!nn_dtype_ok(v->dtype, allow_f64))
        return fc_err(g, n, "unsupported dtype %s for input '%s' (supported: %s)",
                      fc_dtype_name(v->dtype), what, allow_f64 ? "f32, f64" : "f32");
    if (v->dtype != x->dtype)
        return fc_err(g, n, "input '%s' has dtype %s but input 0 has %s", what,
                      fc_dtype_name(v->dtype), fc_dtype_name(x->dtype));
    return 0;
}

static int nn_auto_pad(FcGraph *g, FcNode *n, int *mode)
{
    const char *s = fc_attr_s(n, "auto_pad", "NOTSET");
    if (strcmp(s, "NOTSET") == 0 || s[0] == '\0')
        *mode = NN_PAD_NOTSET;
    else if (strcmp(s, "SAME_UPPER") == 0)
        *mode = NN_PAD_SAME_UPPER;
    else if (strcmp(s, "SAME_LOWER") == 0)
        *mode = NN_PAD_SAME_LOWER;
    else if (strcmp(s, "VALID") == 0)
        *mode = NN_PAD_VALID;
    else
        return fc_err(g, n, "unsupported auto_pad '%s'", s);
    return 0;
}

/* Reads an INTS attribute of exactly `count` values, each >= minv, into slots [3-nsp..3) of out
 * (or, for pads with count = 2*nsp, begins then ends); absent -> dflt. */
static int nn_ints_attr(FcGraph *g, FcNode *n, const char *name, int nsp, int64_t minv,
                        int64_t dflt, int64_t *out)
{
    const int64_t *v;
    int c = fc_attr_ints(n, name, &v), i;
    for (i = 0; i < 3; i++)
        out[i] = i < 3 - nsp ? (minv > 0 ? 1 : 0) : dflt;
    if (c < 0)
        return 0;
    if (c != nsp)
        return fc_err(g, n, "attribute '%s' has %d values, expected %d", name, c, nsp);
    for (i = 0; i < nsp; i++) {
        if (v[i] < minv)
            return fc_err(g, n, "attribute '%s' has invalid value %lld", name,
                          (long long)v[i]);
        out[3 - nsp + i] = v[i];
    }
    return 0;
}

/* Reads kernel (already in geo->k), strides, dilations and pads for nsp spatial axes. */
static int nn_read_window(FcGraph *g, FcNode *n, const FcValue *x, NnGeom *geo)
{
    const int64_t *pads;
    int np, i, nsp = geo->nsp;
    for (i = 0; i < 3; i++)
        geo->in[i] = i < 3 - nsp ? 1 : x->dims[2 + i - (3 - nsp)];
    if (nn_ints_attr(g, n, "strides", nsp, 1, 1, geo->s) ||
        nn_ints_attr(g, n, "dilations", nsp, 1, 1, geo->d))
        return -1;
    for (i = 0; i < 3; i++)
        geo->pb[i] = geo->pe[i] = 0;
    np = fc_attr_ints(n, "pads", &pads);
    if (np >= 0) {
        if (np != 2 * nsp)
            return fc_err(g, n, "attribute 'pads' has %d values, expected %d", np, 2 * nsp);
        for (i = 0; i < nsp; i++) {
            if (pads[i] < 0 || pads[nsp + i] < 0)
                return fc_err(g, n, "negative pads are not supported");
            geo->pb[3 - nsp + i] = pads[i];
            geo->pe[3 - nsp + i] = pads[nsp + i];
        }
    }
    return 0;
}

/* Output size and padding of a forward window op (Conv, pools). `pool` selects the pooling
 * rule for ceil_mode. */
static int nn_forward_out(FcGraph *g, FcNode *n, NnGeom *geo, int pad_mode, int ceil_mode)
{
    int i;
    for (i = 0; i < 3; i++) {
        int64_t in = geo->in[i], s = geo->s[i], dk = (geo->k[i] - 1) * geo->d[i] + 1, o;
        if (pad_mode == NN_PAD_SAME_UPPER || pad_mode == NN_PAD_SAME_LOWER) {
            int64_t total;
            o = (in + s - 1) / s;
            total = (o - 1) * s + dk - in;
            if (total < 0)
                total = 0;
            geo->pb[i] = pad_mode == NN_PAD_SAME_UPPER ? total / 2 : total - total / 2;
            geo->pe[i] = total - geo->pb[i];
        } else {
            int64_t span;
            if (pad_mode == NN_PAD_VALID)
                geo->pb[i] = geo->pe[i] = 0;
            span = in + geo->pb[i] + geo->pe[i] - dk;
            if (span < 0)
                return fc_err(g, n, "kernel extent %lld exceeds padded input size %lld",
                              (long long)dk, (long long)(in + geo->pb[i] + geo->pe[i]));
            if (ceil_mode && pad_mode == NN_PAD_NOTSET) {
                o = (span + s - 1) / s + 1;
                /* the last window must start inside the input or its leading padding */
                if ((o - 1) * s >= in + geo->pb[i])
                    o--;
            } else {
                o = span / s + 1;
            }
        }
        if (o < 1)
            return fc_err(g, n, "computed output size %lld is not positive", (long long)o);
        geo->out[i] = o;
    }
    return 0;
}

/* Output dims [N, C, out...] of a window op. */
static void nn_out_dims(const FcValue *x, const NnGeom *geo, int64_t c, int64_t *dims)
{
    int i;
    dims[0] = x->dims[0];
    dims[1] = c;
    for (i = 0; i < geo->nsp; i++)
        dims[2 + i] = geo->out[3 - geo->nsp + i];
}

/* Packs the 18-value geometry block (in, out, k, s, d, pb) at p. */
static void nn_pack_geo(int64_t *p, const NnGeom *geo)
{
    int i;
    for (i = 0; i < 3; i++) {
        p[i] = geo->in[i];
        p[3 + i] = geo->out[i];
        p[6 + i] = geo->k[i];
        p[9 + i] = geo->s[i];
        p[12 + i] = geo->d[i];
        p[15 + i] = geo->pb[i];
    }
}

static int nn_spatial_rank(FcGraph *g, FcNode *n, const FcValue *x, int min_sp)
{
    int nsp = x->rank - 2;
    if (nsp < min_sp)
        return fc_err(g, n, "input X has rank %d, expected at least %d", x->rank, min_sp + 2);
    if (nsp > 3)
        return fc_err(g, n, "%d spatial dimensions are not supported (at most 3)", nsp);
    return nsp;
}

/* Checks a kernel_shape attribute against the weight's spatial dims (when given). */
static int nn_kernel_attr(FcGraph *g, FcNode *n, const FcValue *w, int nsp)
{
    const int64_t *ks;
    int c = fc_attr_ints(n, "kernel_shape", &ks), i;
    if (c < 0)
        return 0;
    if (c != nsp)
        return fc_err(g, n, "attribute 'kernel_shape' has %d values, expected %d", c, nsp);
    for (i = 0; i < nsp; i++)
        if (ks[i] != w->dims[2 + i])
            return fc_err(g, n, "kernel_shape %lld does not match weight dimension %lld",
                          (long long)ks[i], (long long)w->dims[2 + i]);
    return 0;
}

static int64_t nn_block(int64_t rows, int64_t positions)
{
    int64_t b = NN_COL_FLOATS / (rows > 0 ? rows : 1);
    b = b / 16 * 16;
    if (b < 64)
        b = 64;
    return b < positions ? b : positions;
}

/* ---- Conv ------------------------------------------------------------------------- */

/* Columns per GEMM block of Conv (runtime/k_conv.c): the packed column block (krows x
 * block floats) near 256 KiB so it stays in L2, a multiple of 16 (every ISA's NR), at most
 * 1024, no more than the columns there are (all images' output positions), and with several
 * threads at most an equal share of them so every thread gets work. */
static int64_t conv_gemm_block(int64_t krows, int64_t total, int threads)
{
    int64_t b = 65536 / (krows > 0 ? krows : 1), share = (total + threads - 1) / threads;
    b = b > 1024 ? 1024 : b;
    if (share < b)
        b = share;
    b = (b + 15) / 16 * 16;
    return b < 16 ? 16 : b;
}

/* Winograd F(2x2, 3x3) (k_conv.c mode 3) takes 2-D 3x3 convolutions with unit strides and
 * dilations, where it needs 16 multiplies per 2x2 output tile and channel pair instead of 36.
 * With few channels per group its 16 GEMMs get too thin (K = Cin_g, M = Cout_g) and the
 * transforms dominate; with few tiles (all images together) the panels' 32-column rounding
 * and, when W is not a constant the compiler transforms (codegen/emit_c.c prepacking), the
 * per-call filter transform cost more than the multiplies saved. With prepacked filters a
 * block of 16..32 tiles does 16 GEMMs of 32 (rounded) columns, 512 multiplies per channel
 * pair against im2col's 36 per tile: even at 16 tiles, plus the transforms, CIFAR at batch 1
 * (layers of 256, 64 and 16 tiles) ran faster with all three by Winograd (0.118 ms against
 * 0.125 with 64 tiles the least, 0.16 with im2col below 256): the least is 16 tiles, 256
 * when the filters are transformed per call. */
static int conv_winograd_fits(const NnGeom *geo, int64_t cin_g, int64_t cout_g, int64_t tiles,
                              int const_w)
{
    return tiles >= (const_w ? 16 : 256) && geo->nsp == 2 && geo->k[1] == 3 &&
           geo->k[2] == 3 && geo->s[1] == 1 && geo->s[2] == 1 && geo->d[1] == 1 &&
           geo->d[2] == 1 && cin_g >= 8 && cout_g >= 8;
}

/* Winograd F(4x4, 3x3) (modes 7, 8) instead of F(2x2, 3x3): 36 multiplies per 4x4 output
 * tile against 16 per 2x2 tile, 2.25 a output against 4, but its transforms cost more per
 * tile and its tiles are bigger, so a plane whose sides are not multiples of 4 wastes more
 * (14x14: 16 tiles of 16 outputs for 196). It is taken when it needs at most 3/4 of
 * F(2x2)'s multiplies and has as many tiles as F(2x2) needs (above). digits_cnn_b450's
 * 8x8 layer (16 -> 32 channels): 2.8 -> 2.0 ms. */
static int conv_winograd4_pays(const NnGeom *geo, int64_t n, int const_w)
{
    const int64_t t2 = n * ((geo->out[1] + 1) / 2) * ((geo->out[2] + 1) / 2);
    const int64_t t4 = n * ((geo->out[1] + 3) / 4) * ((geo->out[2] + 3) / 4);
    return 4 * 36 * t4 <= 3 * 16 * t2 && t4 >= (const_w ? 16 : 256);
}

/* Tiles per Winograd block: one thread's nx B panels and nx C blocks (nx * (Cin_g + Cout_g)
 * floats per tile, nx = 16 or 36 transform points) near 384 KiB, a multiple of 32 (the panel
 * strips), 32..512, and with several threads at most an equal share of the tiles. */
static int64_t conv_winograd_block(int64_t nx, int64_t cin_g, int64_t cout_g, int64_t tiles,
                                   int threads)
{
    int64_t b = 98304 / (nx * (cin_g + cout_g)), share = (tiles + threads - 1) / threads;
    b = b > 512 ? 512 : b;
    if (share < b)
        b = share;
    b = b / 32 * 32;
    return b < 32 ? 32 : b;
}

/* Whether a GEMM-mode (im2col or pointwise) 2-D conv with output dims (rank 4) can pool
 * 2x2 in its block epilogue: even output height and width, so blocks of whole row pairs
 * (a multiple of 2 * OW columns) hold whole windows and never cut one. */
static int conv_gemm_can_pool(int mode, int nsp, const int64_t *dims)
{
    return (mode == 0 || mode == 1) && nsp == 2 && dims[2] >= 2 && dims[3] >= 2 &&
           dims[2] % 2 == 0 && dims[3] % 2 == 0;
}

/* FcConv {pool=1} (passes/fuse_conv_pool.c): a 2x2 stride-2 MaxPool (floor mode) applied
 * in the Winograd kernel's output transform, whose tiles hold whole pooling windows (mode 4, 8),
 * or in an im2col / pointwise conv's block epilogue (ia[26], blocks of whole row pairs); Y is
 * the pooled tensor. */
static int conv_pool_epilogue(FcGraph *g, FcNode *n, int nsp, int *mode, int64_t *block,
                              int64_t *gemm_pool, int64_t *dims)
{
    int64_t pool = n->op == FC_OP_FC_CONV ? fc_attr_i(n, "pool", 0) : 0;
    *gemm_pool = 0;
    if (pool == 0)
        return 0;
    if (pool != 1)
        return fc_err(g, n, "unknown FcConv pool %lld", (long long)pool);
    if ((*mode == 3 || *mode == 7) && dims[2] >= 2 && dims[3] >= 2) {
        *mode += 1; /* 4, 8 */
    } else if (conv_gemm_can_pool(*mode, nsp, dims)) {
        int64_t pair = 2 * dims[3];
        *block = (*block + pair - 1) / pair * pair;
        *gemm_pool = 1;
    } else {
        return fc_err(g, n, "FcConv pool=1 needs a Winograd convolution (2-D 3x3, unit "
                            "strides and dilations, >= 8 channels, enough tiles) with a 2x2 "
                            "or larger output, or a 2-D im2col one with an even output");
    }
    dims[2] /= 2;
    dims[3] /= 2;
    return 0;
}

/* Whether prepared Conv / FcConv n runs as Winograd (k_conv.c mode 3 or 7): what
 * passes/fuse_conv_pool.c needs to give it a pooling epilogue. */
int fc_conv_is_winograd(const FcNode *n)
{
    return (n->op == FC_OP_CONV || n->op == FC_OP_FC_CONV) && n->ia && n->nia >= 25 &&
           (n->ia[4] == 3 || n->ia[4] == 7);
}

/* Whether prepared Conv / FcConv n (not pooled yet) can take a 2x2 stride-2 MaxPool in its
 * epilogue (FcConv {pool=1}): Winograd, or im2col / pointwise with an even 2-D output. */
int fc_conv_can_pool(const FcGraph *g, const FcNode *n)
{
    const FcValue *y;
    if (fc_conv_is_winograd(n))
        return 1;
    if ((n->op != FC_OP_CONV && n->op != FC_OP_FC_CONV) || !n->ia || n->nia < 27 ||
        n->out[0] < 0)
        return 0;
    y = fc_val(g, n->out[0]);
    return y->rank == 4 && conv_gemm_can_pool((int)n->ia[4], 2, y->dims) && n->ia[7] == 1;
}

/* What Conv and ConvTranspose check first: X, W (and B) float, W of X's rank; returns X's
 * spatial rank, or -1 after the error. */
static int nn_conv_operands(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1);
    int nsp;
    if (nn_check_float_in(g, n, 0, "X", 0) || nn_check_float_in(g, n, 1, "W", 0) ||
        (fc_in(g, n, 2) && nn_check_float_in(g, n, 2, "B", 0)))
        return -1;
    if ((nsp = nn_spatial_rank(g, n, x, 1)) < 0)
        return -1;
    if (w->rank != x->rank)
        return fc_err(g, n, "weight W has rank %d, expected %d", w->rank, x->rank);
    return nsp;
}

int fc_prep_conv(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1), *b = fc_in(g, n, 2);
    NnGeom geo;
    int64_t dims[FC_MAX_RANK], group = fc_attr_i(n, "group", 1), cin, cout, cin_g;
    int64_t ksz, krows, isz = 1, osz = 1, block = 0, act, tiles, gemm_pool, *ia;
    int nsp, pad_mode, i, mode;
    if ((nsp = nn_conv_operands(g, n)) < 0)
        return -1;
    cin = x->dims[1];
    cout = w->dims[0];
    if (group < 1 || cin % group != 0 || cout % group != 0)
        return fc_err(g, n, "group %lld does not divide %lld input / %lld output channels",
                      (long long)group, (long long)cin, (long long)cout);
    cin_g = cin / group;
    if (w->dims[1] != cin_g)
        return fc_err(g, n, "weight has %lld input channels per group, expected %lld",
                      (long long)w->dims[1], (long long)cin_g);
    if (b && (b->rank != 1 || b->dims[0] != cout))
        return fc_err(g, n, "bias B must have shape [%lld]", (long long)cout);
    if (nn_kernel_attr(g, n, w, nsp) || nn_auto_pad(g, n, &pad_mode))
        return -1;
    geo.nsp = nsp;
    for (i = 0; i < 3; i++)
        geo.k[i] = i < 3 - nsp ? 1 : w->dims[2 + i - (3 - nsp)];
    if (nn_read_window(g, n, x, &geo) || nn_forward_out(g, n, &geo, pad_mode, 0))
        return -1;
    nn_out_dims(x, &geo, cout, dims);

    ksz = geo.k[0] * geo.k[1] * geo.k[2];
    krows = cin_g * ksz;
    for (i = 0; i < 3; i++) {
        isz *= geo.in[i];
        osz *= geo.out[i];
    }
    tiles = x->dims[0] * ((geo.out[1] + 1) / 2) * ((geo.out[2] + 1) / 2); /* Winograd's */
    act = n->op == FC_OP_FC_CONV ? fc_attr_i(n, "activation", 0) : 0;
    if (act < 0 || act > 3)
        return fc_err(g, n, "unknown FcConv activation %lld", (long long)act);
    if (cin_g == 1 && group > 1 && ksz > 1) {
        /* depthwise: direct loops (one input channel: a GEMM with K = taps), or on planes
         * of at most 16 outputs one vector multiply-add per input value (k_conv.c mode 5) */
        mode = osz <= 16 && isz <= 64 ? 5 : 2;
    } else if (conv_winograd_fits(&geo, cin_g, cout / group, tiles,
                                  w->kind == FC_VAL_CONST)) {
        const int f4 = conv_winograd4_pays(&geo, x->dims[0], w->kind == FC_VAL_CONST);
        mode = f4 ? 7 : 3;
        if (f4)
            tiles = x->dims[0] * ((geo.out[1] + 3) / 4) * ((geo.out[2] + 3) / 4);
        block = conv_winograd_block(f4 ? 36 : 16, cin_g, cout / group, tiles, g->threads);
    } else if (group == 1 && x->dims[0] * osz <= 32 && cout >= 32 && krows >= 32 &&
               !(n->op == FC_OP_FC_CONV && fc_attr_i(n, "pool", 0))) {
        /* a few output positions in all: Y^T = col^T W^T, Cout the wide side (mode 6); up
         * to 32, where it measured faster than im2col with W as A (ConvNeXt's last
         * downsampling at batch 8, 32 positions: 0.36 -> 0.33 ms); at 64 and more
         * sometimes, sometimes not */
        mode = 6;
    } else {
        mode = ksz == 1 && geo.s[0] == 1 && geo.s[1] == 1 && geo.s[2] == 1 && geo.pb[0] == 0 &&
               geo.pb[1] == 0 && geo.pb[2] == 0 && osz == isz; /* pointwise: 1 */
        block = conv_gemm_block(krows, x->dims[0] * osz, g->threads);
    }
    if (conv_pool_epilogue(g, n, nsp, &mode, &block, &gemm_pool, dims) ||
        fc_set_out(g, n, 0, x->dtype, x->rank, dims))
        return -1;
    ia = fc_pack_ints(g, n, 27);
    ia[0] = x->dims[0];
    ia[1] = cin;
    ia[2] = cout;
    ia[3] = group;
    ia[4] = mode;
    ia[5] = block;
    ia[6] = act;
    nn_pack_geo(ia + 7, &geo);
    ia[25] = 0; /* W prepacked: only the C emitter sets it (codegen/emit_c.c) */
    ia[26] = gemm_pool;
    n->scratch_bytes = 4 * fc_rt_conv_scratch(ia, g->threads);
    return 0;
}

/* ---- ConvTranspose --------------------------------------------------------------- */

static int64_t nn_floordiv2(int64_t v)
{
    return v >= 0 ? v / 2 : -((-v + 1) / 2);
}

int fc_prep_conv_transpose(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1), *b = fc_in(g, n, 2);
    NnGeom geo;
    int64_t dims[FC_MAX_RANK], opad[3], group = fc_attr_i(n, "group", 1);
    int64_t cin, cout, cout_g, cin_g, mrows, isz = 1, block, *ia;
    const int64_t *oshape;
    int nsp, pad_mode, i, nos;
    if ((nsp = nn_conv_operands(g, n)) < 0)
        return -1;
    cin = x->dims[1];
    if (group < 1 || cin % group != 0)
        return fc_err(g, n, "group %lld does not divide %lld input channels", (long long)group,
                      (long long)cin);
    if (w->dims[0] != cin)
        return fc_err(g, n, "weight has %lld input channels, expected %lld",
                      (long long)w->dims[0], (long long)cin);
    cin_g = cin / group;
    cout_g = w->dims[1];
    cout = cout_g * group;
    if (b && (b->rank != 1 || b->dims[0] != cout))
        return fc_err(g, n, "bias B must have shape [%lld]", (long long)cout);
    if (nn_kernel_attr(g, n, w, nsp) || nn_auto_pad(g, n, &pad_mode))
        return -1;
    geo.nsp = nsp;
    for (i = 0; i < 3; i++)
        geo.k[i] = i < 3 - nsp ? 1 : w->dims[2 + i - (3 - nsp)];
    if (nn_read_window(g, n, x, &geo) ||
        nn_ints_attr(g, n, "output_padding", nsp, 0, 0, opad))
        return -1;
    nos = fc_attr_ints(n, "output_shape", &oshape);
    if (nos >= 0) {
        if (nos == nsp + 2)
            oshape += 2; /* full [N, C, spatial..] form */
        else if (nos != nsp)
            return fc_err(g, n, "attribute 'output_shape' has %d values, expected %d", nos, nsp);
    }
    for (i = 0; i < 3; i++) {
        int64_t dk = (geo.k[i] - 1) * geo.d[i] + 1;
        int64_t natural = geo.s[i] * (geo.in[i] - 1) + opad[i] + dk;
        int real = i >= 3 - nsp;
        if (real && (nos >= 0 || pad_mode == NN_PAD_SAME_UPPER ||
                     pad_mode == NN_PAD_SAME_LOWER)) {
            int64_t out = nos >= 0 ? oshape[i - (3 - nsp)] : geo.in[i] * geo.s[i];
            int64_t total = natural - out;
            if (pad_mode == NN_PAD_SAME_UPPER) {
                geo.pb[i] = nn_floordiv2(total);
                geo.pe[i] = total - geo.pb[i];
            } else {
                geo.pe[i] = nn_floordiv2(total);
                geo.pb[i] = total - geo.pe[i];
            }
            geo.out[i] = out;
        } else {
            if (pad_mode == NN_PAD_VALID)
                geo.pb[i] = geo.pe[i] = 0;
            geo.out[i] = natural - geo.pb[i] - geo.pe[i];
        }
        if (geo.out[i] < 1)
            return fc_err(g, n, "computed output size %lld is not positive",
                          (long long)geo.out[i]);
        isz *= geo.in[i];
    }
    nn_out_dims(x, &geo, cout, dims);
    if (fc_set_out(g, n, 0, x->dtype, x->rank, dims))
        return -1;
    mrows = cout_g * geo.k[0] * geo.k[1] * geo.k[2];
    block = nn_block(mrows, isz);
    n->scratch_bytes = 4 * (mrows * block + fc_rt_sgemm_work(mrows, block, cin_g));
    ia = fc_pack_ints(g, n, 24);
    ia[0] = x->dims[0];
    ia[1] = cin;
    ia[2] = cout;
    ia[3] = group;
    ia[4] = block;
    ia[5] = 0;
    nn_pack_geo(ia + 6, &geo);
    return 0;
}

/* ---- MaxPool / AveragePool / LpPool ------------------------------------------------ */

int fc_prep_pool(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    const FcAttr *pa;
    const int64_t *ks;
    NnGeom geo;
    int64_t dims[FC_MAX_RANK], *ia;
    int nsp, pad_mode, nk, i, ceil_mode, flag = 0;
    float p = 2.0f;
    int is_max = n->op == FC_OP_MAX_POOL;
    if (!(x->dtype == FC_DT_F32 || x->dtype == FC_DT_F64 ||
          (is_max && (x->dtype == FC_DT_I8 || x->dtype == FC_DT_U8))))
        return fc_err(g, n, "unsupported dtype %s for input 'X' (supported: f32, f64%s)",
                      fc_dtype_name(x->dtype), is_max ? ", i8, u8" : "");
    if ((nsp = nn_spatial_rank(g, n, x, 1)) < 0)
        return -1;
    nk = fc_attr_ints(n, "kernel_shape", &ks);
    if (nk < 0)
        return fc_err(g, n, "missing attribute 'kernel_shape'");
    if (nk != nsp)
        return fc_err(g, n, "attribute 'kernel_shape' has %d values, expected %d", nk, nsp);
    geo.nsp = nsp;
    for (i = 0; i < 3; i++) {
        geo.k[i] = i < 3 - nsp ? 1 : ks[i - (3 - nsp)];
        if (geo.k[i] < 1)
            return fc_err(g, n, "attribute 'kernel_shape' has invalid value %lld",
                          (long long)geo.k[i]);
    }
    ceil_mode = (int)fc_attr_i(n, "ceil_mode", 0);
    if (ceil_mode != 0 && ceil_mode != 1)
        return fc_err(g, n, "unsupported ceil_mode %d", ceil_mode);
    if (nn_auto_pad(g, n, &pad_mode) || nn_read_window(g, n, x, &geo) ||
        nn_forward_out(g, n, &geo, pad_mode, ceil_mode))
        return -1;
    nn_out_dims(x, &geo, x->dims[1], dims);
    if (fc_set_out(g, n, 0, x->dtype, x->rank, dims))
        return -1;
    if (n->op == FC_OP_LP_POOL) {
        pa = fc_attr(n, "p");
        if (pa && pa->type == FC_ATTR_INT)
            p = (float)pa->i;
        else if (pa && pa->type == FC_ATTR_FLOAT)
            p = pa->f; /* LpPool-1 had a float p */
        if (!(p > 0.0f))
            return fc_err(g, n, "unsupported p %g", (double)p);
    }
    if (is_max && fc_out(g, n, 1)) {
        int64_t so = fc_attr_i(n, "storage_order", 0);
        if (so != 0 && so != 1)
            return fc_err(g, n, "unsupported storage_order %lld", (long long)so);
        if (fc_set_out(g, n, 1, FC_DT_I64, x->rank, dims))
            return -1;
        flag = 1;
    }
    if (n->op == FC_OP_AVERAGE_POOL) {
        int64_t cip = fc_attr_i(n, "count_include_pad", 0);
        if (cip != 0 && cip != 1)
            return fc_err(g, n, "unsupported count_include_pad %lld", (long long)cip);
        flag = (int)cip;
    }
    ia = fc_pack_ints(g, n, 26);
    ia[0] = x->dims[0] * x->dims[1];
    ia[1] = flag; /* MaxPool: Indices wanted; AveragePool: count_include_pad */
    ia[2] = is_max ? fc_attr_i(n, "storage_order", 0) : 0;
    ia[3] = 0;
    nn_pack_geo(ia + 4, &geo);
    for (i = 0; i < 3; i++)
        ia[22 + i] = geo.pe[i];
    fc_pack_floats(g, n, 1)[0] = p;
    /* the float32 max / average kernels fold columns into a row buffer per thread */
    if (x->dtype == FC_DT_F32 && n->op != FC_OP_LP_POOL && !(is_max && flag))
        n->scratch_bytes = 4 * fc_rt_pool_scratch(ia) * (g->threads > 1 ? g->threads : 1);
    return 0;
}

/* ---- GlobalAveragePool / GlobalMaxPool / GlobalLpPool -------------------------------- */

int fc_prep_global_pool(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t dims[FC_MAX_RANK], sz = 1, *ia;
    float p = 2.0f;
    int i;
    if (!nn_dtype_ok(x->dtype, 1))
        return fc_err(g, n, "unsupported dtype %s for input 'X' (supported: f32, f64)",
                      fc_dtype_name(x->dtype));
    if (x->rank < 2)
        return fc_err(g, n, "input X has rank %d, expected at least 2", x->rank);
    for (i = 0; i < x->rank; i++) {
        dims[i] = i < 2 ? x->dims[i] : 1;
        if (i >= 2)
            sz *= x->dims[i];
    }
    if (fc_set_out(g, n, 0, x->dtype, x->rank, dims))
        return -1;
    if (n->op == FC_OP_GLOBAL_LP_POOL) {
        const FcAttr *pa = fc_attr(n, "p");
        if (pa && pa->type == FC_ATTR_INT)
            p = (float)pa->i;
        else if (pa && pa->type == FC_ATTR_FLOAT)
            p = pa->f; /* GlobalLpPool-1 had a float p */
        if (!(p > 0.0f))
            return fc_err(g, n, "unsupported p %g", (double)p);
    }
    ia = fc_pack_ints(g, n, 3);
    ia[0] = n->op == FC_OP_GLOBAL_AVERAGE_POOL ? 0 : n->op == FC_OP_GLOBAL_MAX_POOL ? 1 : 2;
    ia[1] = x->dims[0] * x->dims[1];
    ia[2] = sz;
    fc_pack_floats(g, n, 1)[0] = p;
    return 0;
}

/* ---- normalizations ----------------------------------------------------------------- */

/* Checks that input i is an f32 vector of `count` elements (any shape with that many). */
static int nn_check_param(FcGraph *g, FcNode *n, int i, const char *what, int64_t count)
{
    FcValue *v = fc_in(g, n, i);
    if (nn_check_float_in(g, n, i, what, 0))
        return -1;
    if (fc_value_numel(v) != count)
        return fc_err(g, n, "input '%s' must have %lld elements", what, (long long)count);
    return 0;
}

int fc_prep_batchnorm(FcGraph *g, FcNode *n)
{
    static const char *names[5] = {"X", "scale", "B", "input_mean", "input_var"};
    FcValue *x = fc_in(g, n, 0);
    int64_t c, inner = 1, *ia;
    float *fa;
    int i, spatial = 1, training;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (x->rank < 2)
        return fc_err(g, n, "input X has rank %d, expected at least 2", x->rank);
    /* training_mode (opset 14+) normalizes with the batch statistics and outputs the updated
     * running mean / variance; the older training forms (is_test=0, five outputs) are not
     * supported. */
    training = fc_attr_i(n, "training_mode", 0) != 0;
    if (training && g->opset < 14)
        return fc_err(g, n, "training_mode needs opset 14 or later");
    if (g->opset < 7 && fc_attr(n, "is_test") && fc_attr_i(n, "is_test", 0) == 0)
        return fc_err(g, n, "is_test=0 (training) is not supported (inference only)");
    if (g->opset < 9)
        spatial = (int)fc_attr_i(n, "spatial", 1);
    for (i = 1; i < n->nout; i++)
        if (fc_out(g, n, i) && !(training && i < 3))
            return fc_err(g, n, "output %d is only produced in training mode, which is not "
                                "supported", i);
    for (i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    c = x->dims[1];
    if (!spatial) {
        /* per-activation statistics: parameters are [C, spatial..]; one "channel" per element */
        c *= inner;
        inner = 1;
    }
    for (i = 1; i < 5; i++)
        if (nn_check_param(g, n, i, names[i], c))
            return -1;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    for (i = 1; i < n->nout && training; i++)
        if (fc_out(g, n, i) && fc_set_out_like(g, n, i, fc_in(g, n, 3 + (i - 1))))
            return -1;
    ia = fc_pack_ints(g, n, 4);
    ia[0] = x->dims[0];
    ia[1] = c;
    ia[2] = inner;
    ia[3] = training;
    fa = fc_pack_floats(g, n, 2);
    fa[0] = fc_attr_f(n, "epsilon", 1e-5f);
    fa[1] = fc_attr_f(n, "momentum", 0.9f);
    return 0;
}

int fc_prep_instancenorm(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t inner = 1, *ia;
    int i;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (x->rank < 3)
        return fc_err(g, n, "input X has rank %d, expected at least 3", x->rank);
    if (nn_check_param(g, n, 1, "scale", x->dims[1]) || nn_check_param(g, n, 2, "B", x->dims[1]))
        return -1;
    for (i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 3);
    ia[0] = x->dims[0];
    ia[1] = x->dims[1];
    ia[2] = inner;
    fc_pack_floats(g, n, 1)[0] = fc_attr_f(n, "epsilon", 1e-5f);
    return 0;
}

/* Strides (0 = broadcast) of parameter v over the trailing r dims `dims` of X; v must
 * broadcast unidirectionally to them (leading size-1 axes of v beyond r are allowed). */
static int nn_param_strides(FcGraph *g, FcNode *n, const FcValue *v, const char *what, int r,
                            const int64_t *dims, int64_t *str, int *full)
{
    int64_t s = 1;
    int i;
    for (i = 0; i < v->rank - r; i++)
        if (v->dims[i] != 1)
            return fc_err(g, n, "input '%s' does not broadcast to the normalized shape", what);
    for (i = r - 1; i >= 0; i--) {
        int j = v->rank - r + i;
        int64_t vd = j >= 0 ? v->dims[j] : 1;
        if (vd != dims[i] && vd != 1)
            return fc_err(g, n, "input '%s' does not broadcast to the normalized shape", what);
        str[i] = vd == 1 && dims[i] != 1 ? 0 : s;
        s *= vd;
    }
    *full = 1;
    for (i = 0; i < r; i++)
        if (str[i] == 0)
            *full = 0;
    return 0;
}

int fc_prep_layernorm(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *sc = fc_in(g, n, 1), *b = fc_in(g, n, 2);
    int64_t axis, outer = 1, inner = 1, sdims[FC_MAX_RANK], *ia;
    int i, r, sfull = 1, bfull = 1;
    int64_t stash = fc_attr_i(n, "stash_type", 1);
    if (nn_check_float_in(g, n, 0, "X", 0) || nn_check_float_in(g, n, 1, "Scale", 0) ||
        (b && nn_check_float_in(g, n, 2, "B", 0)))
        return -1;
    if (stash != 1)
        return fc_err(g, n, "unsupported stash_type %lld (only 1, float32)", (long long)stash);
    if (x->rank < 1)
        return fc_err(g, n, "input X must have rank at least 1");
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", -1), x->rank, &axis))
        return -1;
    r = x->rank - (int)axis;
    for (i = 0; i < x->rank; i++) {
        if (i < axis)
            outer *= x->dims[i];
        else
            inner *= x->dims[i];
        sdims[i] = i < axis ? x->dims[i] : 1;
    }
    ia = fc_pack_ints(g, n, 5 + 3 * r);
    for (i = 0; i < r; i++)
        ia[5 + i] = x->dims[axis + i];
    if (nn_param_strides(g, n, sc, "Scale", r, ia + 5, ia + 5 + r, &sfull) ||
        (b && nn_param_strides(g, n, b, "B", r, ia + 5, ia + 5 + 2 * r, &bfull)))
        return -1;
    if (fc_set_out_like(g, n, 0, x) || fc_set_out(g, n, 1, FC_DT_F32, x->rank, sdims) ||
        fc_set_out(g, n, 2, FC_DT_F32, x->rank, sdims))
        return -1;
    ia[0] = outer;
    ia[1] = inner;
    ia[2] = r;
    ia[3] = sfull;
    ia[4] = b ? bfull : 1;
    fc_pack_floats(g, n, 1)[0] = fc_attr_f(n, "epsilon", 1e-5f);
    return 0;
}

int fc_prep_groupnorm(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *sc = fc_in(g, n, 1);
    const FcAttr *ga = fc_attr(n, "num_groups");
    int64_t groups, c, inner = 1, per_group, *ia;
    int64_t stash = fc_attr_i(n, "stash_type", 1);
    int i;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (x->rank < 2)
        return fc_err(g, n, "input X has rank %d, expected at least 2", x->rank);
    if (!ga || ga->type != FC_ATTR_INT)
        return fc_err(g, n, "missing attribute 'num_groups'");
    if (stash != 1)
        return fc_err(g, n, "unsupported stash_type %lld (only 1, float32)", (long long)stash);
    groups = ga->i;
    c = x->dims[1];
    if (groups < 1 || c % groups != 0)
        return fc_err(g, n, "num_groups %lld does not divide %lld channels", (long long)groups,
                      (long long)c);
    /* opset 18 took one scale / bias per group, opset 21 one per channel */
    per_group = fc_value_numel(sc) == groups && groups != c;
    if (nn_check_param(g, n, 1, "scale", per_group ? groups : c) ||
        nn_check_param(g, n, 2, "bias", per_group ? groups : c))
        return -1;
    for (i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 5);
    ia[0] = x->dims[0];
    ia[1] = c;
    ia[2] = groups;
    ia[3] = inner;
    ia[4] = per_group;
    fc_pack_floats(g, n, 1)[0] = fc_attr_f(n, "epsilon", 1e-5f);
    return 0;
}

int fc_prep_lrn(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    const FcAttr *sa = fc_attr(n, "size");
    int64_t inner = 1, *ia;
    float *fa;
    int i;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (x->rank < 2)
        return fc_err(g, n, "input X has rank %d, expected at least 2", x->rank);
    if (!sa || sa->type != FC_ATTR_INT)
        return fc_err(g, n, "missing attribute 'size'");
    if (sa->i < 1)
        return fc_err(g, n, "attribute 'size' has invalid value %lld", (long long)sa->i);
    for (i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 4);
    ia[0] = x->dims[0];
    ia[1] = x->dims[1];
    ia[2] = inner;
    ia[3] = sa->i;
    fa = fc_pack_floats(g, n, 3);
    fa[0] = fc_attr_f(n, "alpha", 1e-4f);
    fa[1] = fc_attr_f(n, "beta", 0.75f);
    fa[2] = fc_attr_f(n, "bias", 1.0f);
    n->scratch_bytes = 4 * inner;
    return 0;
}

int fc_prep_mvn(FcGraph *g, FcNode *n)
{
    static const int64_t dflt[3] = {0, 2, 3};
    FcValue *x = fc_in(g, n, 0);
    const int64_t *axes = dflt;
    int na = fc_attr_ints(n, "axes", &axes), i;
    int64_t red[FC_MAX_RANK], kept = 1, *ia;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (na < 0) {
        axes = dflt;
        na = 3;
    }
    for (i = 0; i < x->rank; i++)
        red[i] = 0;
    for (i = 0; i < na; i++) {
        int64_t a;
        if (fc_norm_axis(g, n, axes[i], x->rank, &a))
            return -1;
        if (red[a])
            return fc_err(g, n, "axis %lld repeated in 'axes'", (long long)axes[i]);
        red[a] = 1;
    }
    for (i = 0; i < x->rank; i++)
        if (!red[i])
            kept *= x->dims[i];
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 1 + 2 * x->rank);
    ia[0] = x->rank;
    for (i = 0; i < x->rank; i++) {
        ia[1 + i] = x->dims[i];
        ia[1 + x->rank + i] = red[i];
    }
    n->scratch_bytes = 2 * 8 * kept;
    return 0;
}

int fc_prep_lpnorm(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t axis, p = fc_attr_i(n, "p", 2), outer = 1, inner = 1, *ia;
    int i;
    if (nn_check_float_in(g, n, 0, "X", 0))
        return -1;
    if (p != 1 && p != 2)
        return fc_err(g, n, "unsupported p %lld (only 1 or 2)", (long long)p);
    if (x->rank < 1)
        return fc_err(g, n, "input X must have rank at least 1");
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", -1), x->rank, &axis))
        return -1;
    for (i = 0; i < x->rank; i++) {
        if (i < axis)
            outer *= x->dims[i];
        else if (i > axis)
            inner *= x->dims[i];
    }
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 4);
    ia[0] = outer;
    ia[1] = x->dims[axis];
    ia[2] = inner;
    ia[3] = p;
    return 0;
}

/* ---- Gemm / MatMul ------------------------------------------------------------------ */

int fc_prep_gemm(FcGraph *g, FcNode *n)
{
    FcValue *a = fc_in(g, n, 0), *b = fc_in(g, n, 1), *c = fc_in(g, n, 2);
    int64_t ta = fc_attr_i(n, "transA", 0), tb = fc_attr_i(n, "transB", 0), M, N, K, dims[2];
    int64_t *ia, cform = 0;
    float *fa;
    if (nn_check_float_in(g, n, 0, "A", 1) || nn_check_float_in(g, n, 1, "B", 1) ||
        (c && nn_check_float_in(g, n, 2, "C", 1)))
        return -1;
    if (a->rank != 2 || b->rank != 2)
        return fc_err(g, n, "A and B must be matrices (ranks %d and %d)", a->rank, b->rank);
    M = ta ? a->dims[1] : a->dims[0];
    K = ta ? a->dims[0] : a->dims[1];
    N = tb ? b->dims[0] : b->dims[1];
    if ((tb ? b->dims[1] : b->dims[0]) != K)
        return fc_err(g, n, "inner dimensions differ (%lld vs %lld)", (long long)K,
                      (long long)(tb ? b->dims[1] : b->dims[0]));
    if (c) {
        int64_t c0 = c->rank == 2 ? c->dims[0] : 1;
        int64_t c1 = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
        if (c->rank > 2 || (c0 != 1 && c0 != M) || (c1 != 1 && c1 != N))
            return fc_err(g, n, "C does not broadcast to [%lld, %lld]", (long long)M,
                          (long long)N);
        cform = c0 == 1 && c1 == 1 ? 1 : c0 == 1 ? 2 : c1 == 1 ? 3 : 4;
    }
    dims[0] = M;
    dims[1] = N;
    if (fc_set_out(g, n, 0, a->dtype, 2, dims))
        return -1;
    ia = fc_pack_ints(g, n, 6);
    ia[0] = M;
    ia[1] = N;
    ia[2] = K;
    ia[3] = ta != 0;
    ia[4] = tb != 0;
    ia[5] = cform;
    fa = fc_pack_floats(g, n, 2);
    fa[0] = fc_attr_f(n, "alpha", 1.0f);
    fa[1] = fc_attr_f(n, "beta", 1.0f);
    n->scratch_bytes = a->dtype == FC_DT_F32 ? 4 * fc_rt_sgemm_work(M, N, K) : 0;
    return 0;
}

int fc_prep_matmul(FcGraph *g, FcNode *n)
{
    FcValue *a = fc_in(g, n, 0), *b = fc_in(g, n, 1);
    int64_t M, N, K, Kb, dims[FC_MAX_RANK], bdims[FC_MAX_RANK], astr[FC_MAX_RANK];
    int64_t bstr[FC_MAX_RANK], abatch = 1, total = 1, sa = 1, sb = 1, *ia;
    int ra, rb, nb, r = 0, i, b_bcast = 1;
    if (nn_check_float_in(g, n, 0, "A", 1) || nn_check_float_in(g, n, 1, "B", 1))
        return -1;
    if (a->rank < 1 || b->rank < 1)
        return fc_err(g, n, "MatMul operands must have rank at least 1");
    M = a->rank == 1 ? 1 : a->dims[a->rank - 2];
    K = a->dims[a->rank - 1];
    Kb = b->rank == 1 ? b->dims[0] : b->dims[b->rank - 2];
    N = b->rank == 1 ? 1 : b->dims[b->rank - 1];
    if (K != Kb)
        return fc_err(g, n, "inner dimensions differ (%lld vs %lld)", (long long)K,
                      (long long)Kb);
    ra = a->rank > 2 ? a->rank - 2 : 0; /* batch ranks */
    rb = b->rank > 2 ? b->rank - 2 : 0;
    nb = ra > rb ? ra : rb;
    for (i = nb - 1; i >= 0; i--) {
        int ja = i - (nb - ra), jb = i - (nb - rb);
        int64_t da = ja >= 0 ? a->dims[ja] : 1, db = jb >= 0 ? b->dims[jb] : 1;
        if (da != db && da != 1 && db != 1)
            return fc_err(g, n, "batch dimensions do not broadcast (%lld vs %lld)",
                          (long long)da, (long long)db);
        bdims[i] = da == 1 ? db : da;
        astr[i] = da == 1 ? 0 : sa;
        bstr[i] = db == 1 ? 0 : sb;
        if (db != 1)
            b_bcast = 0;
        sa *= da;
        sb *= db;
        abatch *= da;
        total *= bdims[i];
    }
    for (i = 0; i < nb; i++)
        dims[r++] = bdims[i];
    if (a->rank > 1)
        dims[r++] = M;
    if (b->rank > 1)
        dims[r++] = N;
    if (fc_set_out(g, n, 0, a->dtype, r, dims))
        return -1;
    if (b_bcast && abatch == total) {
        /* B is shared by every batch and A's batches are contiguous: one tall GEMM */
        M *= total;
        nb = 0;
    }
    ia = fc_pack_ints(g, n, 4 + 3 * nb);
    ia[0] = M;
    ia[1] = N;
    ia[2] = K;
    ia[3] = nb;
    for (i = 0; i < nb; i++) {
        ia[4 + i] = bdims[i];
        ia[4 + nb + i] = astr[i];
        ia[4 + 2 * nb + i] = bstr[i];
    }
    /* batches run in parallel: one work area per thread (runtime/k_gemm.c) */
    n->scratch_bytes = a->dtype == FC_DT_F32 ? 4 * fc_rt_sgemm_work(M, N, K) * g->threads : 0;
    return 0;
}
