/* k_conv.c — Conv and ConvTranspose (float32, 1-D/2-D/3-D).
 * fc-deps: k_gemm.c
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

/* Fills col[r][q] (r over c, kd, kh, kw; q over output positions p0..p0+np) from x (cin
 * channels of input). */
FC_RT_HELPER void fc_cv_im2col(const float *x, const int64_t *geo, int64_t cin, int64_t p0,
                               int64_t np, float *col)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t c, kd, kh, kw;
    float *dst = col;
    for (c = 0; c < cin; c++)
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++)
                for (kw = 0; kw < KW; kw++) {
                    int64_t ow = p0 % OW, oh = (p0 / OW) % OH, od = p0 / OW / OH;
                    int64_t q = 0;
                    while (q < np) {
                        int64_t seg = OW - ow < np - q ? OW - ow : np - q;
                        int64_t id = od * sd + kd * dd - pd, ih = oh * sh + kh * dh - ph;
                        float *d = dst + q;
                        int64_t j;
                        if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
                            for (j = 0; j < seg; j++)
                                d[j] = 0.0f;
                        } else {
                            const float *xr = x + ((c * ID + id) * IH + ih) * IW;
                            int64_t off = ow * sw + kw * dw - pw, lo, hi;
                            fc_cv_range(off, sw, IW, seg, &lo, &hi);
                            for (j = 0; j < lo; j++)
                                d[j] = 0.0f;
                            if (sw == 1)
                                memcpy(d + lo, xr + off + lo, (size_t)(hi - lo) * sizeof(float));
                            else
                                for (j = lo; j < hi; j++)
                                    d[j] = xr[j * sw + off];
                            for (j = hi; j < seg; j++)
                                d[j] = 0.0f;
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
                    dst += np;
                }
}

/* Adds col[r][q] (r over c, kd, kh, kw; q over input positions p0..p0+np) into y (cout
 * channels of output): the transpose of fc_cv_im2col. */
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

/* Conv (float32). inputs X [N, Cin, sp..], W [Cout, Cin/group, k..], optional B [Cout].
 * ia: [0] N, [1] Cin, [2] Cout, [3] group,
 *     [4] mode: 0 im2col + GEMM, 1 pointwise GEMM on X (1x1, stride 1, no pads), 2 direct
 *         (one input channel per group: depthwise),
 *     [5] im2col block (output positions per block), [6] unused,
 *     [7..25) geometry block (see top of file).
 * scratch: mode 0: Cin_g*K*block floats of column buffer, then fc_rt_sgemm_work(Cout_g, block,
 * Cin_g*K) floats; mode 1: fc_rt_sgemm_work(Cout_g, P, Cin_g) floats; mode 2: none. */
FC_RT void fc_rt_conv(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t *geo = n->ia + 7;
    int64_t N = n->ia[0], Cin = n->ia[1], Cout = n->ia[2], G = n->ia[3];
    int mode = (int)n->ia[4];
    int64_t block = n->ia[5];
    int64_t Cin_g = Cin / G, Cout_g = Cout / G;
    int64_t ksz = geo[6] * geo[7] * geo[8];
    int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    int64_t krows = Cin_g * ksz;
    int64_t b, g, oc, p0;
    for (b = 0; b < N; b++) {
        const float *xb = x + b * Cin * isz;
        float *yb = y + b * Cout * osz;
        if (mode == 2) {
            fc_cv_fill_bias(yb, bias, Cout, osz);
            for (oc = 0; oc < Cout; oc++)
                fc_cv_direct_plane(xb + (oc / Cout_g) * isz, w + oc * ksz, geo, yb + oc * osz);
            continue;
        }
        /* krows == 0 (an empty kernel): no taps, the output is the bias or 0, and there is no
         * scratch to point into (n->scratch is NULL; fuzz, UBSan) */
        if (bias || krows == 0)
            fc_cv_fill_bias(yb, bias, Cout, osz);
        for (g = 0; g < G; g++) {
            const float *xg = xb + g * Cin_g * isz;
            const float *wg = w + g * Cout_g * krows;
            float *yg = yb + g * Cout_g * osz;
            if (mode == 1) {
                fc_rt_sgemm(Cout_g, osz, Cin_g, 1.0f, wg, Cin_g, 0, xg, isz, 0,
                            bias ? 1.0f : 0.0f, yg, osz, (float *)n->scratch);
                continue;
            }
            for (p0 = 0; krows > 0 && p0 < osz; p0 += block) {
                int64_t np = osz - p0 < block ? osz - p0 : block;
                float *col = (float *)n->scratch;
                fc_cv_im2col(xg, geo, Cin_g, p0, np, col);
                fc_rt_sgemm(Cout_g, np, krows, 1.0f, wg, krows, 0, col, np, 0,
                            bias ? 1.0f : 0.0f, yg + p0, osz, col + krows * block);
            }
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
