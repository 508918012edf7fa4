/* k_conv.c — Conv and ConvTranspose (float32, 1-D/2-D/3-D).
 * fc-deps: k_gemm.c, k_vmath.c
 *
 * Spatial geometry is canonicalized to 3-D by prepare (a 2-D op has depth 1, a 1-D op depth
 * and height 1), so every loop here is written once. A convolution group is one GEMM:
 *   Conv:          Y_g[Cout_g x P] = W_g[Cout_g x Cin_g*K] * col[Cin_g*K x P]
 *   ConvTranspose: col[Cout_g*K x Q] = W_g^T[Cout_g*K x Cin_g] * X_g[Cin_g x Q], then col2im
 * where col is built (im2col) or scattered (col2im) in scratch memory, a block of output (P)
 * or input (Q) positions at a time so the column buffer stays cache-sized. A 1x1 stride-1
 * unpadded Conv multiplies X directly; a Conv whose groups have one input channel each
 * (depthwise) runs a direct loop instead of GEMMs with K = kernel size.
 *
 * Geometry block `geo` (18 int64, inside ia): [0..2] input dims D,H,W; [3..5] output dims;
 * [6..8] kernel; [9..11] strides; [12..14] dilations; [15..17] leading pads. For Conv, input /
 * output are X / Y; for ConvTranspose, "input" is X and "output" is Y too, an input position
 * i mapping to output position i*stride + k*dilation - pad.
 */
#include "fc_rt.h"

FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT int64_t fc_rt_sgemm_nr(void);
FC_RT int64_t fc_rt_sgemm_a_panel_floats(int64_t M, int64_t K);
FC_RT void fc_rt_sgemm_pack_a_panel(int64_t M, int64_t K, const float *A, int64_t lda, float *dst);
FC_RT void fc_rt_sgemm_panels(int64_t M, int64_t N, int64_t K, const float *pa, const float *pb,
                              float *C, int64_t ldc);
FC_RT void fc_rt_vact(float *y, int64_t n, int act);

#if defined(__GNUC__) || defined(__clang__)
#define FC_CV_RESTRICT __restrict__
#else
#define FC_CV_RESTRICT
#endif

/* y[0..n) += a * x[0..n); fixed 16-wide chunks so GCC vectorizes it at -O2 as well. */
FC_RT_HELPER void fc_cv_axpy(int64_t n, float a, const float *FC_CV_RESTRICT x,
                             float *FC_CV_RESTRICT y)
{
    int64_t i = 0;
    int u;
    for (; i + 16 <= n; i += 16)
        for (u = 0; u < 16; u++)
            y[i + u] += a * x[i + u];
    for (; i < n; i++)
        y[i] += a * x[i];
}

/* Range [*lo, *hi) of o in [0, on) with 0 <= o*s + off < in. */
FC_RT_HELPER void fc_cv_range(int64_t off, int64_t s, int64_t in, int64_t on, int64_t *lo,
                              int64_t *hi)
{
    int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t h = in - 1 - off < 0 ? 0 : (in - 1 - off) / s + 1;
    if (h > on)
        h = on;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/* Fills d[0..np) with row (kd, kh, kw) of the im2col matrix of one input channel plane x:
 * the input value each output position p0..p0+np reads through that kernel tap (0 in the
 * padding). */
FC_RT_HELPER void fc_cv_im2col_row(const float *x, const int64_t *geo, int64_t kd, int64_t kh,
                                   int64_t kw, int64_t p0, int64_t np, float *d)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OH = geo[4], OW = geo[5];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t ow = p0 % OW, oh = (p0 / OW) % OH, od = p0 / OW / OH;
    int64_t q = 0, row_lo, row_hi;
    /* the valid range of a whole output row, reused by every segment that is one */
    fc_cv_range(kw * dw - pw, sw, IW, OW, &row_lo, &row_hi);
    while (q < np) {
        int64_t seg = OW - ow < np - q ? OW - ow : np - q;
        int64_t id = od * sd + kd * dd - pd, ih = oh * sh + kh * dh - ph;
        float *o = d + q;
        int64_t j;
        if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
            for (j = 0; j < seg; j++)
                o[j] = 0.0f;
        } else {
            const float *xr = x + (id * IH + ih) * IW;
            int64_t off = ow * sw + kw * dw - pw, lo = row_lo, hi = row_hi;
            if (ow != 0 || seg != OW)
                fc_cv_range(off, sw, IW, seg, &lo, &hi);
            for (j = 0; j < lo; j++)
                o[j] = 0.0f;
            if (sw == 1)
                memcpy(o + lo, xr + off + lo, (size_t)(hi - lo) * sizeof(float));
            else
                for (j = lo; j < hi; j++)
                    o[j] = xr[j * sw + off];
            for (j = hi; j < seg; j++)
                o[j] = 0.0f;
        }
        q += seg;
        ow += seg;
        if (ow == OW) {
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                od++;
            }
        }
    }
}

/* The columns of one Conv GEMM block: global column j is output position j % osz of image
 * j / osz, so a block of a small feature map spans several images and the GEMM stays wide. */
typedef struct FcCvBlock {
    const float *x;     /* the input, all images */
    const int64_t *geo;
    int64_t cin, c0, cin_g; /* input channels: all, the group's first, per group */
    int64_t isz, osz, j0, cnt, ncols; /* plane sizes; first column, columns, padded to NR */
    int pointwise;      /* 1x1, stride 1, no padding: a row is a copy of the input plane */
} FcCvBlock;

/* Packs the block's im2col matrix (krows x ncols, columns past cnt zero) into B panel
 * strips of nr columns (runtime/k_gemm.c's layout), one row at a time through `row`. */
FC_RT_HELPER void fc_cv_pack_block(const FcCvBlock *bk, int64_t nr, float *row, float *pb)
{
    const int64_t *geo = bk->geo;
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t krows = bk->cin_g * KD * KH * KW;
    int64_t c, kd, kh, kw, r = 0, s;
    for (c = 0; c < bk->cin_g; c++)
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++)
                for (kw = 0; kw < KW; kw++, r++) {
                    int64_t q = 0, j = bk->j0;
                    while (q < bk->cnt) {
                        int64_t b = j / bk->osz, p = j % bk->osz;
                        int64_t len = bk->osz - p < bk->cnt - q ? bk->osz - p : bk->cnt - q;
                        const float *xc = bk->x + (b * bk->cin + bk->c0 + c) * bk->isz;
                        if (bk->pointwise)
                            memcpy(row + q, xc + p, (size_t)len * sizeof(float));
                        else
                            fc_cv_im2col_row(xc, geo, kd, kh, kw, p, len, row + q);
                        q += len;
                        j += len;
                    }
                    for (; q < bk->ncols; q++)
                        row[q] = 0.0f;
                    for (s = 0; s < bk->ncols; s += nr)
                        memcpy(pb + s * krows + r * nr, row + s, (size_t)nr * sizeof(float));
                }
}

/* Adds col[r][q] (r over c, kd, kh, kw; q over input positions p0..p0+np) into y (cout
 * channels of output): the transpose of fc_cv_im2col_row. */
FC_RT_HELPER void fc_cv_col2im(const float *col, const int64_t *geo, int64_t cout, int64_t p0,
                               int64_t np, float *y)
{
    const int64_t IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t c, kd, kh, kw;
    const float *src = col;
    for (c = 0; c < cout; c++)
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++)
                for (kw = 0; kw < KW; kw++) {
                    int64_t iw = p0 % IW, ih = (p0 / IW) % IH, id = p0 / IW / IH;
                    int64_t q = 0;
                    while (q < np) {
                        int64_t seg = IW - iw < np - q ? IW - iw : np - q;
                        int64_t od = id * sd + kd * dd - pd, oh = ih * sh + kh * dh - ph;
                        if (od >= 0 && od < OD && oh >= 0 && oh < OH) {
                            float *yr = y + ((c * OD + od) * OH + oh) * OW;
                            const float *s = src + q;
                            /* output column ow = (iw + j)*sw + kw*dw - pw for j in [0, seg) */
                            int64_t off = iw * sw + kw * dw - pw, lo, hi, j;
                            fc_cv_range(off, sw, OW, seg, &lo, &hi);
                            if (sw == 1)
                                fc_cv_axpy(hi - lo, 1.0f, s + lo, yr + off + lo);
                            else
                                for (j = lo; j < hi; j++)
                                    yr[j * sw + off] += s[j];
                        }
                        q += seg;
                        iw += seg;
                        if (iw == IW) {
                            iw = 0;
                            if (++ih == IH) {
                                ih = 0;
                                id++;
                            }
                        }
                    }
                    src += np;
                }
}

/* Direct convolution of one input channel plane x with one filter w into output plane y
 * (which holds the bias or zero already). */
FC_RT_HELPER void fc_cv_direct_plane(const float *x, const float *w, const int64_t *geo,
                                     float *y)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t od, oh, kd, kh, kw, j;
    for (od = 0; od < OD; od++)
        for (oh = 0; oh < OH; oh++) {
            float *yr = y + (od * OH + oh) * OW;
            for (kd = 0; kd < KD; kd++) {
                int64_t id = od * sd + kd * dd - pd;
                if (id < 0 || id >= ID)
                    continue;
                for (kh = 0; kh < KH; kh++) {
                    int64_t ih = oh * sh + kh * dh - ph;
                    const float *xr;
                    if (ih < 0 || ih >= IH)
                        continue;
                    xr = x + (id * IH + ih) * IW;
                    for (kw = 0; kw < KW; kw++) {
                        float wv = w[(kd * KH + kh) * KW + kw];
                        int64_t off = kw * dw - pw, lo, hi;
                        fc_cv_range(off, sw, IW, OW, &lo, &hi);
                        if (sw == 1) {
                            fc_cv_axpy(hi - lo, wv, xr + off + lo, yr + lo);
                        } else {
                            for (j = lo; j < hi; j++)
                                yr[j] += wv * xr[j * sw + off];
                        }
                    }
                }
            }
        }
}

/* Sets `count` floats of every channel plane of y[c] to bias[c] (or 0). */
FC_RT_HELPER void fc_cv_fill_bias(float *y, const float *bias, int64_t channels, int64_t count)
{
    int64_t c, i;
    for (c = 0; c < channels; c++) {
        float b = bias ? bias[c] : 0.0f;
        float *p = y + c * count;
        for (i = 0; i < count; i++)
            p[i] = b;
    }
}

/* Floats one thread's slice of the Conv GEMM scratch holds: a B panel (krows x nb), a C
 * block (Cout_g rows, MR-padded, x nb) and one im2col row (nb); a multiple of 16. */
/* A block's columns rounded up to 32 (a multiple of every ISA's NR): the panel width. */
FC_RT_HELPER int64_t fc_cv_block_cols(int64_t nb)
{
    return (nb + 31) / 32 * 32;
}

FC_RT_HELPER int64_t fc_cv_thread_floats(int64_t cout_g, int64_t krows, int64_t nb)
{
    int64_t f;
    nb = fc_cv_block_cols(nb);
    f = krows * nb + fc_rt_sgemm_a_panel_floats(cout_g, 1) * nb + nb;
    return (f + 15) / 16 * 16;
}

/* Floats of the weights' A panels (all groups), a multiple of 16. */
FC_RT_HELPER int64_t fc_cv_apanel_floats(int64_t groups, int64_t cout_g, int64_t krows)
{
    return (groups * fc_rt_sgemm_a_panel_floats(cout_g, krows) + 15) / 16 * 16;
}

/* Scratch floats of Conv's GEMM path (modes 0 and 1) on `threads` threads. */
FC_RT int64_t fc_rt_conv_gemm_scratch(int64_t groups, int64_t cout_g, int64_t krows, int64_t nb,
                                      int64_t threads)
{
    return 16 + fc_cv_apanel_floats(groups, cout_g, krows) +
           threads * fc_cv_thread_floats(cout_g, krows, nb);
}

/* Writes C block rows (one per output channel of the group, columns as in FcCvBlock) to
 * their images' output planes, adding the bias and applying the activation while the values
 * are in cache. */
FC_RT_HELPER void fc_cv_store_block(const float *cb, const FcCvBlock *bk, int64_t cout,
                                    int64_t oc0, int64_t cout_g, const float *bias, int act,
                                    float *y)
{
    int64_t oc, i;
    for (oc = 0; oc < cout_g; oc++) {
        const float *src = cb + oc * bk->ncols;
        float bv = bias ? bias[oc0 + oc] : 0.0f;
        int64_t q = 0, j = bk->j0;
        while (q < bk->cnt) {
            int64_t b = j / bk->osz, p = j % bk->osz;
            int64_t len = bk->osz - p < bk->cnt - q ? bk->osz - p : bk->cnt - q;
            float *dst = y + (b * cout + oc0 + oc) * bk->osz + p;
            for (i = 0; i < len; i++)
                dst[i] = src[q + i] + bv;
            fc_rt_vact(dst, len, act);
            q += len;
            j += len;
        }
    }
}

FC_RT_HELPER float *fc_cv_align64(float *p)
{
    uintptr_t a = (uintptr_t)p;
    return (float *)(void *)(p + ((64 - (a & 63)) & 63) / sizeof(float));
}

/* Conv (float32); also FcConv, a Conv with an activation epilogue. Inputs X [N, Cin, sp..],
 * W [Cout, Cin/group, k..], optional B [Cout].
 * ia: [0] N, [1] Cin, [2] Cout, [3] group,
 *     [4] mode: 0 im2col + GEMM, 1 pointwise (1x1, stride 1, no pads: the columns are X's
 *         rows), 2 direct (one input channel per group: depthwise),
 *     [5] GEMM block: columns per block (columns run over all images' output positions;
 *         prepare picks a multiple of 16), [6] activation (FC_ACT_*),
 *     [7..25) geometry block (see top of file).
 * scratch (modes 0, 1): fc_rt_conv_gemm_scratch floats: the weights packed once per call,
 * then one slice per thread (B panel, C block, im2col row); mode 2: none.
 * Blocks of columns, and depthwise planes, are independent: they run on FC_RT_THREADS. */
FC_RT void fc_rt_conv(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t *geo = n->ia + 7;
    const int64_t N = n->ia[0], Cin = n->ia[1], Cout = n->ia[2], G = n->ia[3], nb = n->ia[5];
    const int mode = (int)n->ia[4], act = (int)n->ia[6];
    const int64_t Cin_g = Cin / G, Cout_g = Cout / G;
    const int64_t ksz = geo[6] * geo[7] * geo[8];
    const int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    const int64_t krows = Cin_g * ksz, total = N * osz;
    int64_t i, g, blk, nblocks;
    float *apan, *slices;
    int64_t apf, slice;
    if (mode == 2) {
        FC_RT_OMP_FOR_IF(N * Cout * osz * ksz >= 4 * FC_RT_PAR_MIN_WORK)
        for (i = 0; i < N * Cout; i++) {
            int64_t b = i / Cout, oc = i % Cout;
            float *yp = y + i * osz;
            fc_cv_fill_bias(yp, bias ? bias + oc : NULL, 1, osz);
            fc_cv_direct_plane(x + (b * Cin + oc / Cout_g) * isz, w + oc * ksz, geo, yp);
            fc_rt_vact(yp, osz, act);
        }
        return;
    }
    if (krows == 0 || total == 0) {
        /* an empty kernel: no taps, the output is the bias (or 0) and there is no scratch
         * (n->scratch is NULL; fuzz, UBSan) */
        for (i = 0; i < N; i++) {
            fc_cv_fill_bias(y + i * Cout * osz, bias, Cout, osz);
            fc_rt_vact(y + i * Cout * osz, Cout * osz, act);
        }
        return;
    }
    apf = fc_rt_sgemm_a_panel_floats(Cout_g, krows);
    apan = fc_cv_align64((float *)n->scratch);
    slices = apan + fc_cv_apanel_floats(G, Cout_g, krows);
    slice = fc_cv_thread_floats(Cout_g, krows, nb);
    for (g = 0; g < G; g++)
        fc_rt_sgemm_pack_a_panel(Cout_g, krows, w + g * Cout_g * krows, krows, apan + g * apf);
    nblocks = (total + nb - 1) / nb;
    FC_RT_OMP_FOR_IF(nblocks > 1 && total * Cout * krows >= 4 * FC_RT_PAR_MIN_WORK)
    for (blk = 0; blk < nblocks; blk++) {
        const int64_t nr = fc_rt_sgemm_nr();
        float *pb = slices + FC_RT_TID() * slice;
        float *cb = pb + krows * fc_cv_block_cols(nb);
        float *row = cb + fc_rt_sgemm_a_panel_floats(Cout_g, 1) * fc_cv_block_cols(nb);
        FcCvBlock bk;
        int64_t gg;
        bk.x = x;
        bk.geo = geo;
        bk.cin = Cin;
        bk.cin_g = Cin_g;
        bk.isz = isz;
        bk.osz = osz;
        bk.j0 = blk * nb;
        bk.cnt = total - bk.j0 < nb ? total - bk.j0 : nb;
        bk.ncols = (bk.cnt + nr - 1) / nr * nr;
        bk.pointwise = mode == 1;
        for (gg = 0; gg < G; gg++) {
            bk.c0 = gg * Cin_g;
            fc_cv_pack_block(&bk, nr, row, pb);
            fc_rt_sgemm_panels(Cout_g, bk.ncols, krows, apan + gg * apf, pb, cb, bk.ncols);
            fc_cv_store_block(cb, &bk, Cout, gg * Cout_g, Cout_g, bias, act, y);
        }
    }
}

/* ConvTranspose (float32). inputs X [N, Cin, sp..], W [Cin, Cout/group, k..], optional B [Cout].
 * ia: [0] N, [1] Cin, [2] Cout, [3] group, [4] block (input positions per GEMM), [5] unused,
 *     [6..24) geometry block (input = X spatial dims, output = Y spatial dims).
 * scratch: Cout_g*K*block floats of column buffer, then fc_rt_sgemm_work(Cout_g*K, block,
 * Cin_g) floats. */
FC_RT void fc_rt_conv_transpose(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t *geo = n->ia + 6;
    int64_t N = n->ia[0], Cin = n->ia[1], Cout = n->ia[2], G = n->ia[3], block = n->ia[4];
    int64_t Cin_g = Cin / G, Cout_g = Cout / G;
    int64_t ksz = geo[6] * geo[7] * geo[8];
    int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    int64_t mrows = Cout_g * ksz;
    float *col = (float *)n->scratch;
    int64_t b, g, p0;
    for (b = 0; b < N; b++) {
        const float *xb = x + b * Cin * isz;
        float *yb = y + b * Cout * osz;
        fc_cv_fill_bias(yb, bias, Cout, osz);
        for (g = 0; g < G; g++) {
            const float *xg = xb + g * Cin_g * isz;
            const float *wg = w + g * Cin_g * mrows;
            float *yg = yb + g * Cout_g * osz;
            /* mrows == 0 (an empty kernel or no output channels): nothing to add to the bias,
             * and no scratch to point into (col is NULL; fuzz, UBSan) */
            for (p0 = 0; mrows > 0 && p0 < isz; p0 += block) {
                int64_t np = isz - p0 < block ? isz - p0 : block;
                fc_rt_sgemm(mrows, np, Cin_g, 1.0f, wg, mrows, 1, xg + p0, isz, 0, 0.0f, col, np,
                            col + mrows * block);
                fc_cv_col2im(col, geo, Cout_g, p0, np, yg);
            }
        }
    }
}
