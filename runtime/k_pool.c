/* k_pool.c — MaxPool, AveragePool, LpPool and the global pools.
 *
 * Windowed pools see their spatial geometry canonicalized to 3-D by prepare (depth 1 for 2-D,
 * depth and height 1 for 1-D). Geometry block `geo` (21 int64, inside ia): [0..2] input dims
 * D,H,W; [3..5] output dims; [6..8] kernel; [9..11] strides; [12..14] dilations; [15..17]
 * leading pads; [18..20] trailing pads. For each output position the kernel taps that fall
 * inside the input are found per axis in closed form, so there is no per-tap bounds check.
 * float32 has its own loops; other dtypes (MaxPool int8/uint8, float64) go through double.
 */
#include <float.h>
#include "fc_rt.h"

/* Range [*lo, *hi) of k in [0, kn) with 0 <= base + k*d < in. */
FC_RT_HELPER void fc_pl_taps(int64_t base, int64_t d, int64_t in, int64_t kn, int64_t *lo,
                             int64_t *hi)
{
    int64_t l = base >= 0 ? 0 : (-base + d - 1) / d;
    int64_t h = in - 1 - base < 0 ? 0 : (in - 1 - base) / d + 1;
    if (h > kn)
        h = kn;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/* Number of taps k in [0, kn) with -pb <= base + k*d < in + pe (inside the padded input). */
FC_RT_HELPER int64_t fc_pl_padded_taps(int64_t base, int64_t d, int64_t in, int64_t kn,
                                       int64_t pb, int64_t pe)
{
    int64_t lo, hi;
    fc_pl_taps(base + pb, d, in + pb + pe, kn, &lo, &hi);
    return hi - lo;
}

enum { FC_PL_MAX = 0, FC_PL_AVG = 1, FC_PL_LP = 2 };

/* Shared body of the windowed pools. ia: [0] planes (N*C), [1] count_include_pad (average) /
 * has Indices output (max), [2] storage_order (max), [3] unused, [4..25) geometry block.
 * fa: [0] p (LpPool). */
FC_RT_HELPER void fc_pl_pool(const FcRtNode *n, FcRtTensor *t, int kind)
{
    const FcRtTensor *xt = fc_rt_in(n, t, 0);
    FcRtTensor *yt = fc_rt_out(n, t, 0);
    FcRtTensor *it = (kind == FC_PL_MAX && n->ia[1] && n->nout > 1 && n->out[1] >= 0)
                         ? fc_rt_out(n, t, 1) : NULL;
    const int64_t *geo = n->ia + 4;
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    const int64_t isz = ID * IH * IW, osz = OD * OH * OW;
    const int64_t planes = n->ia[0];
    const int include_pad = kind == FC_PL_AVG && n->ia[1] != 0;
    const int colmajor = kind == FC_PL_MAX && n->ia[2] != 0;
    const int is_f32 = xt->dtype == FC_DT_F32;
    const double p = n->nfa > 0 ? (double)n->fa[0] : 2.0;
    int64_t c, od, oh, ow, kd, kh, kw;
    for (c = 0; c < planes; c++) {
        const float *xf = (const float *)xt->data + c * isz;
        float *yf = (float *)yt->data + c * osz;
        int64_t o = c * osz;
        for (od = 0; od < OD; od++) {
            int64_t bd = od * sd - pd, d0, d1;
            fc_pl_taps(bd, dd, ID, KD, &d0, &d1);
            for (oh = 0; oh < OH; oh++) {
                int64_t bh = oh * sh - ph, h0, h1;
                fc_pl_taps(bh, dh, IH, KH, &h0, &h1);
                for (ow = 0; ow < OW; ow++, o++) {
                    int64_t bw = ow * sw - pw, w0, w1;
                    int64_t cnt = (d1 - d0) * (h1 - h0);
                    fc_pl_taps(bw, dw, IW, KW, &w0, &w1);
                    cnt *= w1 - w0;
                    if (kind == FC_PL_MAX) {
                        int64_t best_i = -1;
                        double best = 0.0;
                        if (is_f32) {
                            float bf = -FLT_MAX;
                            for (kd = d0; kd < d1; kd++)
                                for (kh = h0; kh < h1; kh++) {
                                    int64_t row = ((bd + kd * dd) * IH + bh + kh * dh) * IW + bw;
                                    for (kw = w0; kw < w1; kw++) {
                                        float v = xf[row + kw * dw];
                                        if (best_i < 0 || v > bf) {
                                            bf = v;
                                            best_i = row + kw * dw;
                                        }
                                    }
                                }
                            yf[o - c * osz] = best_i < 0 ? 0.0f : bf;
                        } else {
                            for (kd = d0; kd < d1; kd++)
                                for (kh = h0; kh < h1; kh++) {
                                    int64_t row = ((bd + kd * dd) * IH + bh + kh * dh) * IW + bw;
                                    for (kw = w0; kw < w1; kw++) {
                                        double v = fc_rt_get_f64(xt->data, xt->dtype,
                                                                 c * isz + row + kw * dw);
                                        if (best_i < 0 || v > best) {
                                            best = v;
                                            best_i = row + kw * dw;
                                        }
                                    }
                                }
                            fc_rt_set_f64(yt->data, yt->dtype, o, best);
                        }
                        if (it) {
                            int64_t idx = -1;
                            if (best_i >= 0) {
                                idx = best_i;
                                if (colmajor) {
                                    int64_t iw = best_i % IW, ih = best_i / IW % IH;
                                    int64_t id = best_i / IW / IH;
                                    idx = id + ih * ID + iw * ID * IH;
                                }
                                idx += c * isz;
                            }
                            ((int64_t *)it->data)[o] = idx;
                        }
                    } else {
                        double s = 0.0;
                        for (kd = d0; kd < d1; kd++)
                            for (kh = h0; kh < h1; kh++) {
                                int64_t row = ((bd + kd * dd) * IH + bh + kh * dh) * IW + bw;
                                if (is_f32) {
                                    float sf = 0.0f;
                                    if (kind == FC_PL_AVG)
                                        for (kw = w0; kw < w1; kw++)
                                            sf += xf[row + kw * dw];
                                    else if (p == 1.0)
                                        for (kw = w0; kw < w1; kw++)
                                            sf += fabsf(xf[row + kw * dw]);
                                    else if (p == 2.0)
                                        for (kw = w0; kw < w1; kw++)
                                            sf += xf[row + kw * dw] * xf[row + kw * dw];
                                    else
                                        for (kw = w0; kw < w1; kw++)
                                            sf += (float)pow(fabs((double)xf[row + kw * dw]), p);
                                    s += sf;
                                } else {
                                    for (kw = w0; kw < w1; kw++) {
                                        double v = fc_rt_get_f64(xt->data, xt->dtype,
                                                                 c * isz + row + kw * dw);
                                        s += kind == FC_PL_AVG ? v : pow(fabs(v), p);
                                    }
                                }
                            }
                        if (kind == FC_PL_AVG) {
                            if (include_pad)
                                cnt = fc_pl_padded_taps(bd, dd, ID, KD, pd, geo[18]) *
                                      fc_pl_padded_taps(bh, dh, IH, KH, ph, geo[19]) *
                                      fc_pl_padded_taps(bw, dw, IW, KW, pw, geo[20]);
                            s = cnt > 0 ? s / (double)cnt : 0.0;
                        } else {
                            s = p == 1.0 ? s : p == 2.0 ? sqrt(s) : pow(s, 1.0 / p);
                        }
                        if (is_f32)
                            yf[o - c * osz] = (float)s;
                        else
                            fc_rt_set_f64(yt->data, yt->dtype, o, s);
                    }
                }
            }
        }
    }
}

/* y[0..cnt) = (seed ? : max of y and) the max over kw of xs[ow*sw + kw*dw], taps in kw
 * order, a later value replacing the max only when greater (as fc_pl_pool, so NaNs come out
 * the same). The common 2-wide window of stride 2 takes both taps in one pass, which the
 * compiler vectorizes with even/odd shuffles; other shapes one tap per pass. */
FC_RT_HELPER void fc_pl_max_taps_f32(const float *xs, int64_t cnt, int64_t KW, int64_t sw,
                                     int64_t dw, int seed, float *y)
{
    int64_t ow, kw;
    if (KW == 2 && sw == 2 && dw == 1) {
        if (seed)
            for (ow = 0; ow < cnt; ow++)
                y[ow] = xs[2 * ow + 1] > xs[2 * ow] ? xs[2 * ow + 1] : xs[2 * ow];
        else
            for (ow = 0; ow < cnt; ow++) {
                float m = xs[2 * ow] > y[ow] ? xs[2 * ow] : y[ow];
                y[ow] = xs[2 * ow + 1] > m ? xs[2 * ow + 1] : m;
            }
        return;
    }
    for (kw = 0; kw < KW; kw++) {
        const float *x = xs + kw * dw;
        if (seed && kw == 0) {
            for (ow = 0; ow < cnt; ow++)
                y[ow] = x[ow * sw];
        } else if (sw == 1) {
            for (ow = 0; ow < cnt; ow++)
                y[ow] = x[ow] > y[ow] ? x[ow] : y[ow];
        } else if (sw == 2) {
            for (ow = 0; ow < cnt; ow++)
                y[ow] = x[2 * ow] > y[ow] ? x[2 * ow] : y[ow];
        } else {
            for (ow = 0; ow < cnt; ow++)
                y[ow] = x[ow * sw] > y[ow] ? x[ow * sw] : y[ow];
        }
    }
}

/* One output row yr[wlo..whi) of a float32 MaxPool whose taps all lie inside the input along
 * W (the interior columns), tap rows (kd, kh) in [d0,d1) x [h0,h1). Taps are visited in the
 * order of fc_pl_pool (kd, kh, kw; the first tap seeds the max), but a kernel row at a time
 * across the whole output row: plain maxima the compiler vectorizes. */
FC_RT_HELPER void fc_pl_max_row_f32(const float *xf, const int64_t *geo, int64_t bd, int64_t bh,
                                    int64_t d0, int64_t d1, int64_t h0, int64_t h1, int64_t wlo,
                                    int64_t whi, float *yr)
{
    const int64_t IH = geo[1], IW = geo[2], KW = geo[8], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14], pw = geo[17];
    int64_t kd, kh;
    int seed = 1;
    for (kd = d0; kd < d1; kd++)
        for (kh = h0; kh < h1; kh++, seed = 0)
            fc_pl_max_taps_f32(xf + ((bd + kd * dd) * IH + bh + kh * dh) * IW + wlo * sw - pw,
                               whi - wlo, KW, sw, dw, seed, yr + wlo);
}

/* A float32 plane of the most common MaxPool, 2x2 windows of stride 2 with no padding or
 * dilation (2-D): each output is the max of four inputs, taken in fc_pl_pool's tap order,
 * in one vectorizable pass per output row. */
FC_RT_HELPER void fc_pl_max2x2s2_plane_f32(const float *xf, int64_t IW, int64_t OH, int64_t OW,
                                           float *yf)
{
    int64_t oh, ow;
    for (oh = 0; oh < OH; oh++) {
        const float *r0 = xf + 2 * oh * IW, *r1 = r0 + IW;
        float *y = yf + oh * OW;
        for (ow = 0; ow < OW; ow++) {
            float m = r0[2 * ow + 1] > r0[2 * ow] ? r0[2 * ow + 1] : r0[2 * ow];
            m = r1[2 * ow] > m ? r1[2 * ow] : m;
            y[ow] = r1[2 * ow + 1] > m ? r1[2 * ow + 1] : m;
        }
    }
}

/* Whether geo is the 2x2 stride-2 unpadded 2-D window of fc_pl_max2x2s2_plane_f32 (windows
 * then always lie inside the input). */
FC_RT_HELPER int fc_pl_is_2x2s2(const int64_t *geo)
{
    int a;
    for (a = 1; a < 3; a++)
        if (geo[6 + a] != 2 || geo[9 + a] != 2 || geo[12 + a] != 1 || geo[15 + a] != 0 ||
            2 * geo[3 + a] > geo[a])
            return 0;
    return geo[0] == 1 && geo[3] == 1 && geo[6] == 1;
}

/* MaxPool. X [N, C, sp..] f32 / f64 / int8 / uint8; Y like X; optional Indices (int64) are
 * flat indices into X (row-major spatial, or column-major when storage_order = 1).
 * ia: see fc_pl_pool ([1] = 1 when the Indices output is wanted, [2] storage_order).
 * float32 without Indices computes the interior columns of each output row with
 * fc_pl_max_row_f32 and leaves only the border columns to the general loop. */
FC_RT void fc_rt_maxpool(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *xt = fc_rt_in(n, t, 0);
    FcRtTensor *yt = fc_rt_out(n, t, 0);
    const int64_t *geo = n->ia + 4;
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t c, wlo, whi;
    if (xt->dtype != FC_DT_F32 || (n->ia[1] && n->nout > 1 && n->out[1] >= 0)) {
        fc_pl_pool(n, t, FC_PL_MAX);
        return;
    }
    /* interior columns: ow*sw - pw >= 0 and ow*sw - pw + (KW-1)*dw <= IW - 1 */
    wlo = (pw + sw - 1) / sw;
    whi = IW - 1 + pw - (KW - 1) * dw < 0 ? 0 : (IW - 1 + pw - (KW - 1) * dw) / sw + 1;
    if (whi > OW)
        whi = OW;
    if (wlo > whi)
        wlo = whi;
    /* planes (N x C) are independent: FC_RT_THREADS threads */
    FC_RT_OMP_FOR_IF(n->ia[0] * OD * OH * OW * KD * KH * KW >= FC_RT_PAR_MIN_WORK)
    for (c = 0; c < n->ia[0]; c++) {
        const float *xf = (const float *)xt->data + c * ID * IH * IW;
        float *yf = (float *)yt->data + c * OD * OH * OW;
        int64_t od, oh, ow;
        if (fc_pl_is_2x2s2(geo)) {
            fc_pl_max2x2s2_plane_f32(xf, IW, OH, OW, yf);
            continue;
        }
        for (od = 0; od < OD; od++) {
            int64_t bd = od * sd - pd, d0, d1;
            fc_pl_taps(bd, dd, ID, KD, &d0, &d1);
            for (oh = 0; oh < OH; oh++) {
                int64_t bh = oh * sh - ph, h0, h1;
                float *yr = yf + (od * OH + oh) * OW;
                fc_pl_taps(bh, dh, IH, KH, &h0, &h1);
                if (d1 > d0 && h1 > h0 && whi > wlo)
                    fc_pl_max_row_f32(xf, geo, bd, bh, d0, d1, h0, h1, wlo, whi, yr);
                for (ow = 0; ow < OW; ow++) {
                    int64_t bw = ow * sw - pw, w0, w1, kd, kh, kw;
                    float bf = 0.0f;
                    int any = 0;
                    if (ow == wlo && d1 > d0 && h1 > h0 && whi > wlo) {
                        ow = whi - 1;
                        continue;
                    }
                    fc_pl_taps(bw, dw, IW, KW, &w0, &w1);
                    for (kd = d0; kd < d1; kd++)
                        for (kh = h0; kh < h1; kh++) {
                            int64_t row = ((bd + kd * dd) * IH + bh + kh * dh) * IW + bw;
                            for (kw = w0; kw < w1; kw++)
                                if (!any || xf[row + kw * dw] > bf) {
                                    bf = xf[row + kw * dw];
                                    any = 1;
                                }
                        }
                    yr[ow] = bf;
                }
            }
        }
    }
}

/* AveragePool. X [N, C, sp..] f32 / f64. ia: see fc_pl_pool ([1] count_include_pad: the
 * divisor then counts the taps inside the padded input, else only those inside X). */
FC_RT void fc_rt_avgpool(const FcRtNode *n, FcRtTensor *t)
{
    fc_pl_pool(n, t, FC_PL_AVG);
}

/* LpPool: (sum over the window of |x|^p)^(1/p); padding contributes nothing.
 * ia: see fc_pl_pool. fa: [0] p. */
FC_RT void fc_rt_lppool(const FcRtNode *n, FcRtTensor *t)
{
    fc_pl_pool(n, t, FC_PL_LP);
}

/* GlobalAveragePool / GlobalMaxPool / GlobalLpPool over all spatial positions of each plane.
 * ia: [0] kind (0 average, 1 max, 2 Lp), [1] planes (N*C), [2] spatial size.
 * fa: [0] p (Lp). dtype f32 or f64. */
FC_RT void fc_rt_global_pool(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *xt = fc_rt_in(n, t, 0);
    FcRtTensor *yt = fc_rt_out(n, t, 0);
    int kind = (int)n->ia[0];
    int64_t planes = n->ia[1], sz = n->ia[2], c, i;
    double p = n->nfa > 0 ? (double)n->fa[0] : 2.0;
    for (c = 0; c < planes; c++) {
        double r;
        if (xt->dtype == FC_DT_F32) {
            const float *x = (const float *)xt->data + c * sz;
            if (kind == 1) {
                float m = sz > 0 ? x[0] : 0.0f;
                for (i = 1; i < sz; i++)
                    m = x[i] > m ? x[i] : m;
                r = m;
            } else {
                double s = 0.0;
                for (i = 0; i < sz; i++)
                    s += kind == 0 ? (double)x[i]
                         : p == 2.0 ? (double)x[i] * x[i] : pow(fabs((double)x[i]), p);
                r = s;
            }
        } else {
            const double *x = (const double *)xt->data + c * sz;
            if (kind == 1) {
                double m = sz > 0 ? x[0] : 0.0;
                for (i = 1; i < sz; i++)
                    m = x[i] > m ? x[i] : m;
                r = m;
            } else {
                double s = 0.0;
                for (i = 0; i < sz; i++)
                    s += kind == 0 ? x[i] : p == 2.0 ? x[i] * x[i] : pow(fabs(x[i]), p);
                r = s;
            }
        }
        if (kind == 0)
            r = sz > 0 ? r / (double)sz : 0.0;
        else if (kind == 2)
            r = p == 2.0 ? sqrt(r) : pow(r, 1.0 / p);
        if (yt->dtype == FC_DT_F32)
            ((float *)yt->data)[c] = (float)r;
        else
            ((double *)yt->data)[c] = r;
    }
}
