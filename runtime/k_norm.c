/* k_norm.c — normalization ops (float32): BatchNormalization (inference and training mode),
 * InstanceNormalization, LayerNormalization, FcChannelNorm (LayerNorm over axis 1),
 * GroupNormalization, LRN, MeanVarianceNormalization, LpNormalization.
 * Statistics are accumulated in double, two-pass (mean, then centered squares), so large
 * means do not cancel the variance away.
 * fc-deps: k_vmath.c
 */
#include "fc_rt.h"

/* Mean and variance (population) of n floats, in 16 independent double lanes (a
 * vectorizable sum, where one accumulator is a chain of dependent adds: 4 cycles an
 * element). The chunked part's end is a value of its own: a tail loop "for (; i < n; i++)"
 * after "i + 16 <= n" made GCC 12 warn of a bogus overflowing iteration
 * (-Waggressive-loop-optimizations) in emitted C with n = 768. */
FC_RT_HELPER void fc_nm_moments(const float *x, int64_t n, double *mean, double *var)
{
    double sl[16], ql[16], s = 0.0, q = 0.0, m;
    const int64_t n16 = n - n % 16;
    int64_t i;
    int j;
    for (j = 0; j < 16; j++)
        sl[j] = ql[j] = 0.0;
    for (i = 0; i < n16; i += 16)
        for (j = 0; j < 16; j++)
            sl[j] += x[i + j];
    for (i = n16; i < n; i++)
        s += x[i];
    for (j = 0; j < 16; j++)
        s += sl[j];
    m = n > 0 ? s / (double)n : 0.0;
    for (i = 0; i < n16; i += 16)
        for (j = 0; j < 16; j++) {
            double d = x[i + j] - m;
            ql[j] += d * d;
        }
    for (i = n16; i < n; i++)
        q += (x[i] - m) * (x[i] - m);
    for (j = 0; j < 16; j++)
        q += ql[j];
    *mean = m;
    *var = n > 0 ? q / (double)n : 0.0;
}

/* y[i] = x[i] * a + b over n floats. */
FC_RT_HELPER void fc_nm_affine(const float *x, float *y, int64_t n, float a, float b)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = x[i] * a + b;
}

/* BatchNormalization: y = (x - mean) / sqrt(var + eps) * scale + B per channel.
 * inputs X [N, C, sp..], scale, B, mean, var [C] (or [C, sp..] for the opset < 9 spatial=0
 * form, which prepare folds into C).
 * Inference uses the input mean / var. Training mode (opset 14+) uses the batch statistics
 * (mean and population variance over N and the spatial positions) and writes the optional
 * outputs running_mean = mean * momentum + batch_mean * (1 - momentum), likewise running_var.
 * ia: [0] N, [1] C (channels, or C * spatial for spatial=0), [2] inner (elements per channel
 * per sample), [3] training mode. fa: [0] epsilon, [1] momentum. */
FC_RT void fc_rt_batchnorm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *sc = (const float *)fc_rt_in(n, t, 1)->data;
    const float *bi = (const float *)fc_rt_in(n, t, 2)->data;
    const float *mu = (const float *)fc_rt_in(n, t, 3)->data;
    const float *va = (const float *)fc_rt_in(n, t, 4)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int training = n->nia > 3 && n->ia[3];
    float *rm = training && n->nout > 1 && n->out[1] >= 0 ? (float *)fc_rt_out(n, t, 1)->data
                                                           : NULL;
    float *rv = training && n->nout > 2 && n->out[2] >= 0 ? (float *)fc_rt_out(n, t, 2)->data
                                                           : NULL;
    int64_t N = n->ia[0], C = n->ia[1], inner = n->ia[2], b, c;
    double eps = n->fa[0], momentum = n->nfa > 1 ? n->fa[1] : 0.9;
    for (c = 0; c < C; c++) {
        double mean = mu[c], var = va[c], a;
        if (training) {
            /* two passes over the channel's N * inner elements, as in fc_nm_moments */
            double s = 0.0, q = 0.0, cnt = (double)(N * inner);
            int64_t i;
            for (b = 0; b < N; b++)
                for (i = 0; i < inner; i++)
                    s += x[(b * C + c) * inner + i];
            mean = cnt > 0 ? s / cnt : 0.0;
            for (b = 0; b < N; b++)
                for (i = 0; i < inner; i++) {
                    double d = x[(b * C + c) * inner + i] - mean;
                    q += d * d;
                }
            var = cnt > 0 ? q / cnt : 0.0;
            if (rm)
                rm[c] = (float)(mu[c] * momentum + mean * (1.0 - momentum));
            if (rv)
                rv[c] = (float)(va[c] * momentum + var * (1.0 - momentum));
        }
        a = sc[c] / sqrt(var + eps);
        for (b = 0; b < N; b++) {
            int64_t off = (b * C + c) * inner;
            fc_nm_affine(x + off, y + off, inner, (float)a, (float)(bi[c] - mean * a));
        }
    }
}

/* InstanceNormalization: per (n, c), y = (x - mean) / sqrt(var + eps) * scale[c] + B[c] with
 * mean / var over the spatial positions. ia: [0] N, [1] C, [2] inner. fa: [0] epsilon. */
FC_RT void fc_rt_instancenorm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *sc = (const float *)fc_rt_in(n, t, 1)->data;
    const float *bi = (const float *)fc_rt_in(n, t, 2)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int64_t N = n->ia[0], C = n->ia[1], inner = n->ia[2], p;
    double eps = n->fa[0];
    /* planes (n, c) are independent: FC_RT_THREADS threads */
    FC_RT_OMP_FOR_IF(N * C > 1 && N * C * inner >= FC_RT_PAR_MIN_WORK)
    for (p = 0; p < N * C; p++) {
        const int64_t c = p % C, off = p * inner;
        double mean, var, a;
        fc_nm_moments(x + off, inner, &mean, &var);
        a = sc[c] / sqrt(var + eps);
        fc_nm_affine(x + off, y + off, inner, (float)a, (float)(bi[c] - mean * a));
    }
}

/* LayerNormalization: X viewed as [outer, inner] (inner = product of dims from axis on);
 * per row y = (x - mean) * invstd * Scale + B, invstd = 1 / sqrt(var + eps).
 * Outputs: Y; optional Mean and InvStdDev (outer values each).
 * ia: [0] outer, [1] inner, [2] r = rank - axis, [3] Scale is a full inner-sized tensor,
 *     [4] B is a full inner-sized tensor (or absent),
 *     [5 .. 5+r) normalized dims, [5+r .. 5+2r) Scale strides over them (0 = broadcast),
 *     [5+2r .. 5+3r) B strides. fa: [0] epsilon. */
FC_RT void fc_rt_layernorm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *sc = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bi = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    float *mo = n->nout > 1 && n->out[1] >= 0 ? (float *)fc_rt_out(n, t, 1)->data : NULL;
    float *io = n->nout > 2 && n->out[2] >= 0 ? (float *)fc_rt_out(n, t, 2)->data : NULL;
    int64_t outer = n->ia[0], inner = n->ia[1], r = n->ia[2], o;
    int sc_full = (int)n->ia[3], bi_full = (int)n->ia[4];
    const int64_t *dims = n->ia + 5, *sst = n->ia + 5 + r, *bst = n->ia + 5 + 2 * r;
    double eps = n->fa[0];
    /* rows are independent: FC_RT_THREADS threads */
    FC_RT_OMP_FOR_IF(outer > 1 && outer * inner >= FC_RT_PAR_MIN_WORK)
    for (o = 0; o < outer; o++) {
        int64_t i;
        const float *xr = x + o * inner;
        float *yr = y + o * inner;
        double mean, var;
        float m, is;
        fc_nm_moments(xr, inner, &mean, &var);
        m = (float)mean;
        is = (float)(1.0 / sqrt(var + eps));
        if (mo)
            mo[o] = m;
        if (io)
            io[o] = is;
        if (sc_full && (bi_full || !bi)) {
            if (bi)
                for (i = 0; i < inner; i++)
                    yr[i] = (xr[i] - m) * is * sc[i] + bi[i];
            else
                for (i = 0; i < inner; i++)
                    yr[i] = (xr[i] - m) * is * sc[i];
        } else {
            /* broadcast Scale / B: walk the normalized multi-index */
            int64_t idx[FC_MAX_RANK], so = 0, bo = 0;
            int d;
            for (d = 0; d < r; d++)
                idx[d] = 0;
            for (i = 0; i < inner; i++) {
                yr[i] = (xr[i] - m) * is * sc[so] + (bi ? bi[bo] : 0.0f);
                for (d = (int)r - 1; d >= 0; d--) {
                    idx[d]++;
                    so += sst[d];
                    bo += bst[d];
                    if (idx[d] < dims[d])
                        break;
                    so -= sst[d] * dims[d];
                    bo -= bst[d] * dims[d];
                    idx[d] = 0;
                }
            }
        }
    }
}

/* FcChannelNorm: LayerNormalization over axis 1 of X [N, C, inner] (a channels-first tensor
 * normalized per position, as a channels-last LayerNorm would): y = (x - mean) * invstd *
 * scale[c] + bias[c]. Positions are taken in tiles of FC_CN_TILE; for each channel the tile's
 * pixels are contiguous, so every loop runs along memory and vectorizes (no strided gathers).
 * The statistics are LayerNormalization's, term for term (double sums in fc_nm_moments' order,
 * the same float expression per element), so results are bitwise those of fc_rt_layernorm on
 * the transposed tensor. With channels_last the result is written as Y [N, inner, C] (the
 * Transpose a channels-last LayerNorm reads, folded in): the tile is first copied into the
 * thread's scratch as C contiguous rows of FC_CN_TILE floats (X's channel rows of a tile sit
 * `inner` floats apart: at 256 positions, 1 KB, they fall into a quarter of L1's sets and
 * evicted each other on every pass), normalized there, then written out in blocks of
 * FC_CN_TBLK channels, whose FC_CN_TBLK rows stay in L1 while all positions pass.
 * ia = [N, C, inner, has_bias, channels_last], fa = [epsilon]; scratch (channels_last): C *
 * FC_CN_TILE floats per thread. */
#define FC_CN_TILE 64
#define FC_CN_TBLK 16

/* The tile's mean and inverse standard deviation per position, from its channel rows
 * (row c at xb + c * stride, np positions), summed in fc_nm_moments' order (the channels
 * past the last whole 16 serially, then 16 lanes of channels j, j + 16, ..., added lane by
 * lane), which is LayerNormalization's for every C and keeps 16 short add chains instead of
 * one of C adds. */
FC_RT_HELPER void fc_cn_stats(const float *xb, int64_t stride, int64_t C, int64_t np, double eps,
                              float m[FC_CN_TILE], float is[FC_CN_TILE])
{
    double s[FC_CN_TILE], q[FC_CN_TILE], t[FC_CN_TILE];
    const int64_t c16 = C - C % 16;
    int64_t c, p, j;
    for (p = 0; p < np; p++)
        s[p] = q[p] = 0.0;
    for (c = c16; c < C; c++)
        for (p = 0; p < np; p++)
            s[p] += xb[c * stride + p];
    for (j = 0; j < 16 && j < c16; j++) {
        for (p = 0; p < np; p++)
            t[p] = 0.0;
        for (c = j; c < c16; c += 16)
            for (p = 0; p < np; p++)
                t[p] += xb[c * stride + p];
        for (p = 0; p < np; p++)
            s[p] += t[p];
    }
    for (p = 0; p < np; p++)
        s[p] = C > 0 ? s[p] / (double)C : 0.0;
    for (c = c16; c < C; c++)
        for (p = 0; p < np; p++)
            q[p] += (xb[c * stride + p] - s[p]) * (xb[c * stride + p] - s[p]);
    for (j = 0; j < 16 && j < c16; j++) {
        for (p = 0; p < np; p++)
            t[p] = 0.0;
        for (c = j; c < c16; c += 16)
            for (p = 0; p < np; p++) {
                double d = xb[c * stride + p] - s[p];
                t[p] += d * d;
            }
        for (p = 0; p < np; p++)
            q[p] += t[p];
    }
    for (p = 0; p < np; p++) {
        m[p] = (float)s[p];
        is[p] = (float)(1.0 / sqrt((C > 0 ? q[p] / (double)C : 0.0) + eps));
    }
}

/* Normalizes the tile's channel rows (row c at xb + c * xs) into yb (row c at yb + c * ys). */
FC_RT_HELPER void fc_cn_apply(const float *xb, int64_t xs, const float *sc, const float *bi,
                              int64_t C, int64_t np, const float m[FC_CN_TILE],
                              const float is[FC_CN_TILE], float *yb, int64_t ys)
{
    int64_t c, p;
    for (c = 0; c < C; c++) {
        const float *xc = xb + c * xs;
        float *yc = yb + c * ys, a = sc[c], b = bi ? bi[c] : 0.0f;
        if (bi)
            for (p = 0; p < np; p++)
                yc[p] = (xc[p] - m[p]) * is[p] * a + b;
        else
            for (p = 0; p < np; p++)
                yc[p] = (xc[p] - m[p]) * is[p] * a;
    }
}

#ifdef FC_RT_AVX512
/* From k_vmath.c: a 16 x 16 tile transposed in registers. */
FC_RT void fc_rt_vtranspose16(__m512 r[16]);

/* The same with 16 positions per vector (lanes past np masked: read as 0, never stored):
 * the statistics in two vectors of 8 double sums each, fc_cn_stats' order, the same C expressions
 * per position as fc_cn_stats and fc_cn_apply, written as vector arithmetic so that the
 * compiler contracts them where it contracts those (clang, not GCC in ISO C): bitwise the
 * scalar path's, and LayerNormalization's, with either; then each channel row normalized
 * in a register and stored, or, channels last, 16 channels' rows transposed into 16
 * positions' runs of channels. The tile's channel rows are read three times from L1 / L2
 * and written once, where the scratch path copied, normalized and transposed them element
 * by element: 0.09 -> 0.05 ms for a ConvNeXt stage-0 norm at batch 8 (isolated). */
/* The low and high 8 of 16 floats, as doubles. */
static __inline__ __m512d fc_cn_lo(__m512 v)
{
    return _mm512_cvtps_pd(_mm512_castps512_ps256(v));
}

static __inline__ __m512d fc_cn_hi(__m512 v)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

/* Adds x (sq = 0) or (x - m)^2 (sq = 1) to *lo / *hi for the low / high 8 of 16 floats. */
static __inline__ void fc_cn16_term(__m512 v, int sq, __m512d m0, __m512d m1, __m512d *lo,
                                    __m512d *hi)
{
    if (sq) {
        __m512d d0 = fc_cn_lo(v) - m0, d1 = fc_cn_hi(v) - m1;
        *lo += d0 * d0;
        *hi += d1 * d1;
    } else {
        *lo += fc_cn_lo(v);
        *hi += fc_cn_hi(v);
    }
}

/* One moment of 16 positions' channel rows in fc_cn_stats' (fc_nm_moments') order: the
 * channels past the last whole 16 first, then 16 lanes of channels j, j + 16, ..., four
 * lanes at a time (8 independent add chains), added lane by lane. */
static __inline__ void fc_cn16_moment(const float *xb, int64_t xs, __mmask16 k, int64_t C,
                                      int sq, __m512d m0, __m512d m1, __m512d *r0,
                                      __m512d *r1)
{
    const int64_t c16 = C - C % 16;
    __m512d t[4][2];
    int64_t c, j;
    int u;
    *r0 = *r1 = _mm512_setzero_pd();
    for (c = c16; c < C; c++)
        fc_cn16_term(_mm512_maskz_loadu_ps(k, xb + c * xs), sq, m0, m1, r0, r1);
    for (j = 0; j < 16 && j < c16; j += 4) {
        for (u = 0; u < 4; u++)
            t[u][0] = t[u][1] = _mm512_setzero_pd();
        for (c = j; c < c16; c += 16)
            for (u = 0; u < 4; u++)
                fc_cn16_term(_mm512_maskz_loadu_ps(k, xb + (c + u) * xs), sq, m0, m1,
                             &t[u][0], &t[u][1]);
        for (u = 0; u < 4; u++) {
            *r0 += t[u][0];
            *r1 += t[u][1];
        }
    }
}

FC_RT_HELPER void fc_cn16(const float *xb, int64_t xs, int64_t C, int64_t np, double eps,
                          const float *sc, const float *bi, int last, float *y, int64_t ys)
{
    const __mmask16 k = (__mmask16)(np >= 16 ? 0xffff : (1u << np) - 1u);
    const __m512d n = _mm512_set1_pd((double)C), zero = _mm512_setzero_pd();
    __m512d s0, s1, q0, q1, m0, m1;
    __m512 m, is, r[16];
    int64_t c0;
    int j;
    fc_cn16_moment(xb, xs, k, C, 0, zero, zero, &s0, &s1);
    m0 = s0 / n;
    m1 = s1 / n;
    fc_cn16_moment(xb, xs, k, C, 1, m0, m1, &q0, &q1);
    m = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(m0)), _mm512_cvtpd_ps(m1), 1);
    q0 = _mm512_set1_pd(1.0) / _mm512_sqrt_pd(q0 / n + _mm512_set1_pd(eps));
    q1 = _mm512_set1_pd(1.0) / _mm512_sqrt_pd(q1 / n + _mm512_set1_pd(eps));
    is = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(q0)), _mm512_cvtpd_ps(q1), 1);
    for (c0 = 0; c0 < C; c0 += 16) {
        const int cb = C - c0 < 16 ? (int)(C - c0) : 16;
        for (j = 0; j < 16; j++) {
            r[j] = _mm512_setzero_ps();
            if (j < cb) {
                __m512 v = _mm512_maskz_loadu_ps(k, xb + (c0 + j) * xs);
                r[j] = bi ? (v - m) * is * _mm512_set1_ps(sc[c0 + j]) + _mm512_set1_ps(bi[c0 + j])
                          : (v - m) * is * _mm512_set1_ps(sc[c0 + j]);
                if (!last)
                    _mm512_mask_storeu_ps(y + (c0 + j) * ys, k, r[j]);
            }
        }
        if (last) { /* position p's channels c0 .. c0 + cb - 1 at y + p * C + c0 */
            fc_rt_vtranspose16(r);
            for (j = 0; j < np && j < 16; j++)
                _mm512_mask_storeu_ps(y + j * C + c0, (__mmask16)((1u << cb) - 1u), r[j]);
        }
    }
}
#endif

FC_RT void fc_rt_channel_norm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *sc = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bi = bt && n->ia[3] ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int64_t N = n->ia[0], C = n->ia[1], inner = n->ia[2];
    const int last = (int)n->ia[4];
    int64_t tiles = (inner + FC_CN_TILE - 1) / FC_CN_TILE, job;
    double eps = n->fa[0];
    FC_RT_OMP_FOR_IF(N * tiles > 1 && N * C * inner >= FC_RT_PAR_MIN_WORK)
    for (job = 0; job < N * tiles; job++) {
        int64_t p0 = job % tiles * FC_CN_TILE, c, c0, p;
        int64_t np = inner - p0 < FC_CN_TILE ? inner - p0 : FC_CN_TILE;
        const float *xb = x + job / tiles * C * inner + p0;
        float m[FC_CN_TILE], is[FC_CN_TILE];
#ifdef FC_RT_AVX512
        if (C > 0) {
            for (p = 0; p < np; p += 16)
                fc_cn16(xb + p, inner, C, np - p, eps, sc, bi, last,
                        last ? y + (job / tiles * inner + p0 + p) * C
                             : y + job / tiles * C * inner + p0 + p,
                        inner);
            continue;
        }
#endif
        if (last) {
            float *tb = (float *)n->scratch + FC_RT_TID() * C * FC_CN_TILE;
            float *yl = y + (job / tiles * inner + p0) * C;
            for (c = 0; c < C; c++)
                for (p = 0; p < np; p++)
                    tb[c * FC_CN_TILE + p] = xb[c * inner + p];
            fc_cn_stats(tb, FC_CN_TILE, C, np, eps, m, is);
            fc_cn_apply(tb, FC_CN_TILE, sc, bi, C, np, m, is, tb, FC_CN_TILE);
            for (c0 = 0; c0 < C; c0 += FC_CN_TBLK) {
                int64_t cb = C - c0 < FC_CN_TBLK ? C - c0 : FC_CN_TBLK;
                for (p = 0; p < np; p++)
                    for (c = 0; c < cb; c++)
                        yl[p * C + c0 + c] = tb[(c0 + c) * FC_CN_TILE + p];
            }
            continue;
        }
        fc_cn_stats(xb, inner, C, np, eps, m, is);
        fc_cn_apply(xb, inner, sc, bi, C, np, m, is, y + job / tiles * C * inner + p0, inner);
    }
}

/* GroupNormalization: X [N, C, sp..]; channels split into G groups; per (n, group) mean / var
 * over the group's channels and positions; y = xhat * scale + bias, scale / bias indexed
 * per channel (opset 21) or per group (opset 18).
 * ia: [0] N, [1] C, [2] G, [3] inner (spatial size), [4] scale/bias per group.
 * fa: [0] epsilon. */
FC_RT void fc_rt_groupnorm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *sc = (const float *)fc_rt_in(n, t, 1)->data;
    const float *bi = (const float *)fc_rt_in(n, t, 2)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int64_t N = n->ia[0], C = n->ia[1], G = n->ia[2], inner = n->ia[3], b, g, c;
    int per_group = (int)n->ia[4];
    int64_t cg = C / G;
    double eps = n->fa[0];
    for (b = 0; b < N; b++)
        for (g = 0; g < G; g++) {
            int64_t off = (b * C + g * cg) * inner;
            double mean, var, is;
            fc_nm_moments(x + off, cg * inner, &mean, &var);
            is = 1.0 / sqrt(var + eps);
            for (c = 0; c < cg; c++) {
                int64_t ch = per_group ? g : g * cg + c;
                double a = sc[ch] * is;
                fc_nm_affine(x + off + c * inner, y + off + c * inner, inner, (float)a,
                             (float)(bi[ch] - mean * a));
            }
        }
}

/* LRN across channels: y = x / (bias + alpha / size * sum of x^2 over the channel window
 * [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
 * ia: [0] N, [1] C, [2] inner, [3] size. fa: [0] alpha, [1] beta, [2] bias.
 * scratch: inner floats. */
FC_RT void fc_rt_lrn(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    float *acc = (float *)n->scratch;
    int64_t N = n->ia[0], C = n->ia[1], inner = n->ia[2], size = n->ia[3], b, c, cc, i;
    float alpha = n->fa[0], beta = n->fa[1], bias = n->fa[2];
    float scale = alpha / (float)size;
    for (b = 0; b < N; b++)
        for (c = 0; c < C; c++) {
            int64_t c0 = c - (size - 1) / 2, c1 = c + size / 2;
            const float *xc = x + (b * C + c) * inner;
            float *yc = y + (b * C + c) * inner;
            if (c0 < 0)
                c0 = 0;
            if (c1 > C - 1)
                c1 = C - 1;
            for (i = 0; i < inner; i++)
                acc[i] = 0.0f;
            for (cc = c0; cc <= c1; cc++) {
                const float *xs = x + (b * C + cc) * inner;
                for (i = 0; i < inner; i++)
                    acc[i] += xs[i] * xs[i];
            }
            if (beta == 0.75f)
                for (i = 0; i < inner; i++) {
                    float d = bias + scale * acc[i];
                    yc[i] = xc[i] / (sqrtf(d) * sqrtf(sqrtf(d)));
                }
            else
                for (i = 0; i < inner; i++)
                    yc[i] = xc[i] / powf(bias + scale * acc[i], beta);
        }
}

/* MeanVarianceNormalization: y = (x - mean) / (sqrt(var) + 1e-9), mean and var over `axes`.
 * ia: [0] rank, [1 .. 1+rank) dims, [1+rank .. 1+2*rank) 1 for a reduced axis.
 * scratch: 2 doubles per kept (non-reduced) position. */
FC_RT void fc_rt_mvn(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int rank = (int)n->ia[0], d, pass;
    const int64_t *dims = n->ia + 1, *red = n->ia + 1 + rank;
    int64_t kstr[FC_MAX_RANK], idx[FC_MAX_RANK], kept = 1, total = 1, redn = 1, i, k;
    double *mean = (double *)n->scratch, *sd;
    for (d = rank - 1; d >= 0; d--) {
        total *= dims[d];
        if (red[d]) {
            kstr[d] = 0;
            redn *= dims[d];
        } else {
            kstr[d] = kept;
            kept *= dims[d];
        }
    }
    sd = mean + kept;
    for (k = 0; k < kept; k++)
        mean[k] = sd[k] = 0.0;
    for (pass = 0; pass < 3; pass++) {
        for (d = 0; d < rank; d++)
            idx[d] = 0;
        for (i = 0, k = 0; i < total; i++) {
            if (pass == 0) {
                mean[k] += x[i];
            } else if (pass == 1) {
                double v = x[i] - mean[k];
                sd[k] += v * v;
            } else {
                y[i] = (float)((x[i] - mean[k]) / sd[k]);
            }
            for (d = rank - 1; d >= 0; d--) {
                idx[d]++;
                k += kstr[d];
                if (idx[d] < dims[d])
                    break;
                k -= kstr[d] * dims[d];
                idx[d] = 0;
            }
        }
        if (pass == 0)
            for (k = 0; k < kept; k++)
                mean[k] /= (double)redn;
        else if (pass == 1)
            for (k = 0; k < kept; k++)
                sd[k] = sqrt(sd[k] / (double)redn) + 1e-9;
    }
}

/* LpNormalization: y = x / ||x||_p along one axis (p = 1 or 2); 0 where the norm is 0.
 * ia: [0] outer, [1] axis length, [2] inner, [3] p. */
FC_RT void fc_rt_lpnorm(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    int64_t outer = n->ia[0], len = n->ia[1], inner = n->ia[2], o, i, j;
    int p = (int)n->ia[3];
    for (o = 0; o < outer; o++)
        for (j = 0; j < inner; j++) {
            const float *xs = x + o * len * inner + j;
            float *ys = y + o * len * inner + j;
            double s = 0.0;
            float nrm;
            for (i = 0; i < len; i++) {
                double v = xs[i * inner];
                s += p == 1 ? fabs(v) : v * v;
            }
            nrm = (float)(p == 1 ? s : sqrt(s));
            for (i = 0; i < len; i++) /* an all-zero vector stays zero */
                ys[i * inner] = nrm != 0.0f ? xs[i * inner] / nrm : 0.0f;
        }
}
