/* k_pool.c — MaxPool, AveragePool, LpPool and the global pools.
 *
 * Windowed pools see their spatial geometry canonicalized to 3-D by prepare (depth 1 for 2-D,
 * depth and height 1 for 1-D). Geometry block `geo` (21 int64, inside ia): [0..2] input dims
 * D,H,W; [3..5] output dims; [6..8] kernel; [9..11] strides; [12..14] dilations; [15..17]
 * leading pads; [18..20] trailing pads. For each output position the kernel taps that fall
 * inside the input are found per axis in closed form, so there is no per-tap bounds check.
 * float32 MaxPool (without Indices) and AveragePool run through a column fold and a row fold
 * (fc_pl_planes_f32, below); the general loop fc_pl_pool serves Indices, LpPool and the other
 * dtypes (MaxPool int8/uint8, float64; through double).
 */
#include <float.h>
#include "fc_rt.h"

#if defined(__GNUC__) || defined(__clang__)
#define FC_PL_RESTRICT __restrict__
#else
#define FC_PL_RESTRICT
#endif

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
                                    float sf = 0.0f; /* LpPool (f32 average: below) */
                                    if (p == 1.0)
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

/* ---- float32 max and average pools: a column fold, then a row fold ----------------------
 * Each output row first folds its tap rows (kd, kh) column by column across the whole input
 * width into vf (and, for max, vr); then each output folds its KW columns of those: two
 * contiguous, vectorizable passes per output row instead of one strided pass per tap row.
 * Max keeps the general loop's rule (the window's first tap seeds the max, a later tap
 * replaces it only when greater, so a NaN counts only as the first tap): vf[c] folds column
 * c seeded by its first row, vr[c] seeded by -inf (the max of the column's non-NaN taps),
 * and a window takes vf at its first column and vr at the others. Only the sign of a zero
 * maximum can differ from the tap-order loop (ties between columns resolve column first).
 * Average adds the column sums; windows are small, so the sums are float (as in ONNX
 * Runtime). */

/* vf[0..width) (and for max vr) from the tap rows [d0,d1) x [h0,h1) starting at (bd, bh):
 * width is IW, or R * IW for R consecutive output rows of row stride 1 (fc_pl_plane_f32). */
FC_RT_HELPER void fc_pl_fold_rows_f32(const float *xf, const int64_t *geo, int kind, int64_t bd,
                                      int64_t bh, int64_t d0, int64_t d1, int64_t h0,
                                      int64_t h1, int64_t width, float *FC_PL_RESTRICT vf,
                                      float *FC_PL_RESTRICT vr)
{
    const int64_t IH = geo[1], IW = geo[2], dd = geo[12], dh = geo[13];
    int64_t kd, kh, c;
    int first = 1;
    for (kd = d0; kd < d1; kd++)
        for (kh = h0; kh < h1; kh++, first = 0) {
            const float *FC_PL_RESTRICT x = xf + ((bd + kd * dd) * IH + bh + kh * dh) * IW;
            if (kind != FC_PL_MAX) {
                if (first)
                    for (c = 0; c < width; c++)
                        vf[c] = x[c];
                else
                    for (c = 0; c < width; c++)
                        vf[c] += x[c];
            } else if (first) {
                for (c = 0; c < width; c++) {
                    vf[c] = x[c];
                    vr[c] = x[c] > -INFINITY ? x[c] : -INFINITY;
                }
            } else {
                for (c = 0; c < width; c++) {
                    vf[c] = x[c] > vf[c] ? x[c] : vf[c];
                    vr[c] = x[c] > vr[c] ? x[c] : vr[c];
                }
            }
        }
}

/* One output window from the folded columns: taps kw in [w0,w1), at bw + kw*dw. */
FC_RT_HELPER float fc_pl_fold_cols1_f32(const float *vf, const float *vr, int kind, int64_t bw,
                                        int64_t dw, int64_t w0, int64_t w1)
{
    float y = vf[bw + w0 * dw];
    int64_t kw;
    for (kw = w0 + 1; kw < w1; kw++) {
        if (kind == FC_PL_MAX) {
            float v = vr[bw + kw * dw];
            y = v > y ? v : y;
        } else {
            y += vf[bw + kw * dw];
        }
    }
    return y;
}

/* y[0..cnt) for a run of interior windows (every tap inside the input) whose first columns
 * are f[ow * sw] (f and r point into vf and vr): a kernel column at a time across the run,
 * then for average the division by the tap count fcnt. */
FC_RT_HELPER void fc_pl_cols_run_f32(const float *FC_PL_RESTRICT f, const float *FC_PL_RESTRICT r,
                                     const int64_t *geo, int kind, float fcnt, int64_t cnt,
                                     float *FC_PL_RESTRICT y)
{
    const int64_t KW = geo[8], sw = geo[11], dw = geo[14];
    int64_t ow, kw;
    for (ow = 0; ow < cnt; ow++)
        y[ow] = f[ow * sw];
    for (kw = 1; kw < KW; kw++) {
        const float *fk = f + kw * dw, *rk = r + kw * dw;
        if (kind == FC_PL_MAX)
            for (ow = 0; ow < cnt; ow++)
                y[ow] = rk[ow * sw] > y[ow] ? rk[ow * sw] : y[ow];
        else
            for (ow = 0; ow < cnt; ow++)
                y[ow] += fk[ow * sw];
    }
    if (kind == FC_PL_AVG)
        for (ow = 0; ow < cnt; ow++)
            y[ow] = y[ow] / fcnt;
}

/* An average window's sum v over its tap count: cnt_dh (the row's d x h count, padded or
 * not) times its column taps [w0, w1) from bw (inside the input, or with include_pad inside
 * the padded input); 0 for a window without taps. */
FC_RT_HELPER float fc_pl_average(float v, const int64_t *geo, int include_pad, int64_t cnt_dh,
                                 int64_t bw, int64_t w0, int64_t w1)
{
    const int64_t cnt = cnt_dh * (include_pad ? fc_pl_padded_taps(bw, geo[14], geo[2], geo[8],
                                                                   geo[17], geo[20])
                                              : w1 - w0);
    return cnt > 0 ? v / (float)cnt : 0.0f;
}

/* The outputs of row yr outside the interior columns [wlo, whi), one by one with their taps
 * clipped. Average divides by the tap count: cnt_dh (the row's d x h count, padded or not)
 * times the column taps (inside the input, or with include_pad inside the padded input). */
FC_RT_HELPER void fc_pl_cols_border_f32(const float *vf, const float *vr, const int64_t *geo,
                                        int kind, int include_pad, int64_t cnt_dh, int64_t wlo,
                                        int64_t whi, float *yr)
{
    const int64_t IW = geo[2], OW = geo[5], KW = geo[8], sw = geo[11], dw = geo[14];
    const int64_t pw = geo[17];
    int64_t ow;
    for (ow = 0; ow < OW; ow++) {
        int64_t bw = ow * sw - pw, w0, w1;
        float v = 0.0f;
        if (ow == wlo && whi > wlo) {
            ow = whi - 1;
            continue;
        }
        fc_pl_taps(bw, dw, IW, KW, &w0, &w1);
        if (w1 > w0)
            v = fc_pl_fold_cols1_f32(vf, vr, kind, bw, dw, w0, w1);
        yr[ow] = kind == FC_PL_AVG ? fc_pl_average(v, geo, include_pad, cnt_dh, bw, w0, w1) : v;
    }
}

/* One output row of windows taken one at a time, taps in (kd, kh, kw) order as the general
 * loop (the first tap seeds; max: a later tap replaces it only when greater; average: sums
 * then divides like fc_pl_cols_border_f32). For rows of little work: folding them through
 * vf would read back vector stores just made (a store-forwarding stall per row). */
FC_RT_HELPER void fc_pl_row_direct_f32(const float *xf, const int64_t *geo, int kind,
                                       int include_pad, int64_t bd, int64_t bh, int64_t d0,
                                       int64_t d1, int64_t h0, int64_t h1, int64_t cnt_dh,
                                       float *yr)
{
    const int64_t IH = geo[1], IW = geo[2], OW = geo[5], KW = geo[8], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14], pw = geo[17];
    int64_t ow, kd, kh, kw;
    for (ow = 0; ow < OW; ow++) {
        int64_t bw = ow * sw - pw, w0, w1;
        float v = 0.0f;
        int any = 0;
        fc_pl_taps(bw, dw, IW, KW, &w0, &w1);
        for (kd = d0; kd < d1; kd++)
            for (kh = h0; kh < h1; kh++) {
                const float *x = xf + ((bd + kd * dd) * IH + bh + kh * dh) * IW + bw;
                for (kw = w0; kw < w1; kw++, any = 1) {
                    const float t = x[kw * dw];
                    v = !any ? t : kind == FC_PL_MAX ? (t > v ? t : v) : v + t;
                }
            }
        yr[ow] = kind == FC_PL_AVG ? fc_pl_average(v, geo, include_pad, cnt_dh, bw, w0, w1) : v;
    }
}

/* Interior output columns [*wlo, *whi): those whose window lies inside the input along W
 * (ow*sw - pw >= 0 and ow*sw - pw + (KW-1)*dw <= IW - 1). */
FC_RT_HELPER void fc_pl_interior(const int64_t *geo, int64_t *wlo, int64_t *whi)
{
    const int64_t IW = geo[2], OW = geo[5], KW = geo[8], sw = geo[11], dw = geo[14];
    const int64_t pw = geo[17];
    int64_t lo = (pw + sw - 1) / sw;
    int64_t hi = IW - 1 + pw - (KW - 1) * dw < 0 ? 0 : (IW - 1 + pw - (KW - 1) * dw) / sw + 1;
    if (hi > OW)
        hi = OW;
    if (lo > hi)
        lo = hi;
    *wlo = lo;
    *whi = hi;
}

/* Output rows a plane folds at once (at most FC_PL_ROWS_FLOATS input floats per tap row):
 * with a row stride of 1, consecutive output rows read consecutive input rows, so the column
 * fold of R rows whose taps all lie inside the input is one pass over R * IW floats, and
 * with a stride-1 "same" width (OW == IW) the row fold too: long vector loops, where rows of
 * a few dozen floats spent most of their time in loop tails (3x faster on 28-wide planes). */
#define FC_PL_ROWS_FLOATS 4096

FC_RT_HELPER int64_t fc_pl_rows_at_once(const int64_t *geo)
{
    const int64_t IW = geo[2];
    return geo[10] == 1 && IW < FC_PL_ROWS_FLOATS ? FC_PL_ROWS_FLOATS / IW : 1;
}

/* Floats of scratch a float32 MaxPool / AveragePool needs per thread (vf and vr). */
FC_RT int64_t fc_rt_pool_scratch(const int64_t *ia)
{
    return 2 * fc_pl_rows_at_once(ia + 4) * ia[4 + 2];
}

/* One float32 plane of a max or average pool (no Indices); vf, vr: fc_pl_rows_at_once x IW
 * floats each. A row of windows that lies wholly in the padding rows gives 0 (as the
 * general loop). */
FC_RT_HELPER void fc_pl_plane_f32(const float *xf, const int64_t *geo, int kind,
                                  int include_pad, int64_t wlo, int64_t whi, float *vf,
                                  float *vr, float *yf)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4];
    const int64_t OW = geo[5], KD = geo[6], KH = geo[7], KW = geo[8], sd = geo[9];
    const int64_t sh = geo[10], sw = geo[11], dd = geo[12], dh = geo[13], pd = geo[15];
    const int64_t ph = geo[16], pw = geo[17], rmax = fc_pl_rows_at_once(geo);
    /* with OW == IW and stride 1, output (i, ow) of a group folds vf[i*IW + ow - pw + kw*dw]:
     * the group's interior runs are one run (the columns between them, computed from windows
     * that wrap around a row end, are border columns and recomputed after it) */
    const int flat_cols = sw == 1 && OW == IW && whi > wlo;
    /* rows of a few windows, or rows of windows one column wide: one window at a time */
    const int direct = (rmax == 1 || !flat_cols) && (OW * KW < 64 || KW == 1);
    int64_t od, oh, ow, i;
    for (od = 0; od < OD; od++) {
        int64_t bd = od * sd - pd, d0, d1;
        fc_pl_taps(bd, dd, ID, KD, &d0, &d1);
        for (oh = 0; oh < OH; oh += i) {
            int64_t bh = oh * sh - ph, h0, h1, cnt_dh, rows = 1;
            float *yr = yf + (od * OH + oh) * OW;
            fc_pl_taps(bh, dh, IH, KH, &h0, &h1);
            i = 1;
            if (d1 <= d0 || h1 <= h0) {
                for (ow = 0; ow < OW; ow++)
                    yr[ow] = 0.0f;
                continue;
            }
            cnt_dh = include_pad ? fc_pl_padded_taps(bd, dd, ID, KD, pd, geo[18]) *
                                       fc_pl_padded_taps(bh, dh, IH, KH, ph, geo[19])
                                 : (d1 - d0) * (h1 - h0);
            if (direct) {
                fc_pl_row_direct_f32(xf, geo, kind, include_pad, bd, bh, d0, d1, h0, h1, cnt_dh,
                                     yr);
                continue;
            }
            /* a group: the next rows whose every tap row lies inside the input too */
            if (rmax > 1 && h0 == 0 && h1 == KH)
                while (rows < rmax && oh + rows < OH &&
                       (oh + rows) * sh - ph + (KH - 1) * dh < IH)
                    rows++;
            fc_pl_fold_rows_f32(xf, geo, kind, bd, bh, d0, d1, h0, h1, rows * IW, vf, vr);
            if (flat_cols)
                fc_pl_cols_run_f32(vf + wlo - pw, vr + wlo - pw, geo, kind,
                                   (float)(cnt_dh * KW), (rows - 1) * OW + whi - wlo, yr + wlo);
            for (i = 0; i < rows; i++) {
                if (!flat_cols && whi > wlo)
                    fc_pl_cols_run_f32(vf + i * IW + wlo * sw - pw, vr + i * IW + wlo * sw - pw,
                                       geo, kind, (float)(cnt_dh * KW), whi - wlo,
                                       yr + i * OW + wlo);
                fc_pl_cols_border_f32(vf + i * IW, vr + i * IW, geo, kind, include_pad, cnt_dh,
                                      wlo, whi, yr + i * OW);
            }
        }
    }
}

/* A float32 max or average pool over every plane (N x C, independent: FC_RT_THREADS
 * threads, each with its own vf / vr in the node's scratch). */
FC_RT_HELPER void fc_pl_planes_f32(const FcRtNode *n, FcRtTensor *t, int kind, int include_pad)
{
    const FcRtTensor *xt = fc_rt_in(n, t, 0);
    FcRtTensor *yt = fc_rt_out(n, t, 0);
    const int64_t *geo = n->ia + 4;
    const int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    int64_t c, wlo, whi;
    fc_pl_interior(geo, &wlo, &whi);
    FC_RT_OMP_FOR_IF(n->ia[0] * osz * geo[6] * geo[7] * geo[8] >= FC_RT_PAR_MIN_WORK)
    for (c = 0; c < n->ia[0]; c++) {
        const float *xf = (const float *)xt->data + c * isz;
        float *yf = (float *)yt->data + c * osz;
        float *vf = (float *)n->scratch + FC_RT_TID() * fc_rt_pool_scratch(n->ia);
        if (kind == FC_PL_MAX && fc_pl_is_2x2s2(geo))
            fc_pl_max2x2s2_plane_f32(xf, geo[2], geo[4], geo[5], yf);
        else
            fc_pl_plane_f32(xf, geo, kind, include_pad, wlo, whi, vf,
                            vf + fc_rt_pool_scratch(n->ia) / 2, yf);
    }
}

/* MaxPool. X [N, C, sp..] f32 / f64 / int8 / uint8; Y like X; optional Indices (int64) are
 * flat indices into X (row-major spatial, or column-major when storage_order = 1).
 * ia: see fc_pl_pool ([1] = 1 when the Indices output is wanted, [2] storage_order).
 * float32 without Indices: fc_pl_planes_f32; the rest through the general loop. */
FC_RT void fc_rt_maxpool(const FcRtNode *n, FcRtTensor *t)
{
    if (fc_rt_in(n, t, 0)->dtype != FC_DT_F32 || (n->ia[1] && n->nout > 1 && n->out[1] >= 0))
        fc_pl_pool(n, t, FC_PL_MAX);
    else
        fc_pl_planes_f32(n, t, FC_PL_MAX, 0);
}

/* AveragePool. X [N, C, sp..] f32 / f64. ia: see fc_pl_pool ([1] count_include_pad: the
 * divisor then counts the taps inside the padded input, else only those inside X).
 * float32: fc_pl_planes_f32; float64 through the general loop. */
FC_RT void fc_rt_avgpool(const FcRtNode *n, FcRtTensor *t)
{
    if (fc_rt_in(n, t, 0)->dtype != FC_DT_F32)
        fc_pl_pool(n, t, FC_PL_AVG);
    else
        fc_pl_planes_f32(n, t, FC_PL_AVG, n->ia[1] != 0);
}

/* LpPool: (sum over the window of |x|^p)^(1/p); padding contributes nothing.
 * ia: see fc_pl_pool. fa: [0] p. */
FC_RT void fc_rt_lppool(const FcRtNode *n, FcRtTensor *t)
{
    fc_pl_pool(n, t, FC_PL_LP);
}

/* Sum of x[0..n) in double, in 16 interleaved partial sums (lane u adds x[u], x[u+16], ..;
 * they are combined pairwise): a loop the compiler vectorizes without reassociation flags,
 * where one running sum waits on each add's latency. */
FC_RT_HELPER double fc_pl_sum_f32(const float *x, int64_t n)
{
    double s[16];
    const int64_t n16 = n - n % 16; /* a bound of its own (see k_norm.c's layernorm) */
    int64_t i;
    int u, w;
    for (u = 0; u < 16; u++)
        s[u] = 0.0;
    for (i = 0; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            s[u] += (double)x[i + u];
    for (u = 0; n16 + u < n; u++)
        s[u] += (double)x[n16 + u];
    for (w = 8; w >= 1; w /= 2)
        for (u = 0; u < w; u++)
            s[u] += s[u + w];
    return s[0];
}

/* Max of x[0..n), n >= 1, as the serial loop "x[i] > m ? x[i] : m" seeded with x[0] gives it
 * (a NaN counts only as x[0]), in 16 interleaved lanes: each lane is seeded with x[0] too,
 * so a NaN later in a lane never replaces its value, and the lanes combine the same way. */
FC_RT_HELPER float fc_pl_max_f32(const float *x, int64_t n)
{
    float m[16];
    const int64_t n16 = 1 + (n - 1) - (n - 1) % 16; /* x[1 .. n16) in whole vectors */
    int64_t i;
    int u;
    for (u = 0; u < 16; u++)
        m[u] = x[0];
    for (i = 1; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            m[u] = x[i + u] > m[u] ? x[i + u] : m[u];
    for (u = 0; n16 + u < n; u++)
        m[u] = x[n16 + u] > m[u] ? x[n16 + u] : m[u];
    for (u = 1; u < 16; u++)
        m[0] = m[u] > m[0] ? m[u] : m[0];
    return m[0];
}

/* GlobalAveragePool / GlobalMaxPool / GlobalLpPool over all spatial positions of each plane.
 * ia: [0] kind (0 average, 1 max, 2 Lp), [1] planes (N*C), [2] spatial size.
 * fa: [0] p (Lp). dtype f32 or f64. Averages and Lp sums accumulate in double; float32
 * averages and maxima run in vector lanes (fc_pl_sum_f32, fc_pl_max_f32). */
FC_RT void fc_rt_global_pool(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *xt = fc_rt_in(n, t, 0);
    FcRtTensor *yt = fc_rt_out(n, t, 0);
    int kind = (int)n->ia[0];
    int64_t planes = n->ia[1], sz = n->ia[2], c;
    double p = n->nfa > 0 ? (double)n->fa[0] : 2.0;
    FC_RT_OMP_FOR_IF(planes * sz >= FC_RT_PAR_MIN_WORK)
    for (c = 0; c < planes; c++) {
        double r;
        int64_t i;
        if (xt->dtype == FC_DT_F32) {
            const float *x = (const float *)xt->data + c * sz;
            if (kind == 1) {
                r = sz > 0 ? fc_pl_max_f32(x, sz) : 0.0f;
            } else if (kind == 0) {
                r = fc_pl_sum_f32(x, sz);
            } else {
                double s = 0.0;
                for (i = 0; i < sz; i++)
                    s += p == 2.0 ? (double)x[i] * x[i] : pow(fabs((double)x[i]), p);
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
