/* k_resize.c — the Resize / Upsample kernel (fc_rt_resize).
 *
 * Resize maps every output coordinate x of an axis to an input coordinate x_ori (the
 * "coordinate transformation"), then combines input samples near x_ori with per-tap weights
 * (nearest: one tap; linear: tent filter; cubic: Keys filter with coefficient A; with
 * antialias the filter is stretched by 1/scale when downscaling). Linear and cubic are
 * separable: one 1-D pass per resized axis, from the last axis to the first (the same order
 * of summation as the ONNX reference), with double intermediates in scratch. Nearest is a
 * gather of element bytes, so it works for every dtype.
 *
 * Per-axis tables (input index and weight of every tap of every output coordinate) are built
 * in scratch at run time from the packed parameters, which stay small.
 *
 * Parameter layout (written by fc_prep_resize in ir/op_resize.c):
 *   ia[0] mode: 0 nearest, 1 linear, 2 cubic
 *   ia[1] coordinate transformation (FC_RESIZE_CT_*)
 *   ia[2] nearest rounding (FC_RESIZE_NR_*)
 *   ia[3] exclude_outside (0/1)
 *   ia[4] antialias (0/1; only meaningful for linear/cubic)
 *   ia[5] rank r
 *   ia[6 + 3*d + 0] axis d is resized (0: the axis is an exact identity and is skipped)
 *   ia[6 + 3*d + 1] taps of axis d (1 for nearest)
 *   ia[6 + 3*d + 2] scale of axis d: the bits of an IEEE-754 double
 *   fa[0] cubic_coeff_a, fa[1] extrapolation_value,
 *   fa[2 + 2*d], fa[3 + 2*d]: roi start / end of axis d (tf_crop_and_resize only)
 * Scratch (int64 / double entries, in this order):
 *   nearest: for every axis d, out_d int64 (input offset of each output coordinate, -1 =
 *            extrapolate);
 *   linear / cubic: for every resized axis d (first to last), out_d*taps_d int64 indices,
 *            out_d*taps_d double weights and out_d int64 extrapolation flags; then the
 *            intermediates: with k resized axes, a first resized axis f and B = the largest
 *            prod(d >= f) (d < a ? in_d : out_d) over the resized axes a after f, one buffer
 *            of B doubles if k == 2 and two if k > 2.
 */
#include "fc_rt.h"

enum {
    FC_RESIZE_CT_HALF_PIXEL = 0,
    FC_RESIZE_CT_ASYMMETRIC = 1,
    FC_RESIZE_CT_PYTORCH_HALF_PIXEL = 2,
    FC_RESIZE_CT_TF_HALF_PIXEL_FOR_NEAREST = 3,
    FC_RESIZE_CT_ALIGN_CORNERS = 4,
    FC_RESIZE_CT_TF_CROP_AND_RESIZE = 5,
    FC_RESIZE_CT_HALF_PIXEL_SYMMETRIC = 6
};

enum {
    FC_RESIZE_NR_ROUND_PREFER_FLOOR = 0,
    FC_RESIZE_NR_ROUND_PREFER_CEIL = 1,
    FC_RESIZE_NR_FLOOR = 2,
    FC_RESIZE_NR_CEIL = 3,
    FC_RESIZE_NR_SIMPLE = 4 /* Upsample / Resize-10: floor when upscaling, ceil when downscaling */
};

FC_RT_HELPER double fc_resize_bits_to_f64(int64_t bits)
{
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Input coordinate of output coordinate x. Sets *outside for tf_crop_and_resize samples that
 * fall outside the input (they take the extrapolation value). */
FC_RT_HELPER double fc_resize_coord(int64_t ct, double x, double scale, int64_t in, int64_t out,
                                    double roi_s, double roi_e, int *outside)
{
    double ow = scale * (double)in; /* the un-floored output length */
    double xo;
    *outside = 0;
    switch (ct) {
    case FC_RESIZE_CT_ASYMMETRIC:
        return x / scale;
    case FC_RESIZE_CT_PYTORCH_HALF_PIXEL:
        return out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case FC_RESIZE_CT_TF_HALF_PIXEL_FOR_NEAREST:
        return (x + 0.5) / scale;
    case FC_RESIZE_CT_ALIGN_CORNERS:
        return ow == 1.0 ? 0.0 : x * (double)(in - 1) / (ow - 1.0);
    case FC_RESIZE_CT_TF_CROP_AND_RESIZE:
        if (ow == 1.0)
            xo = (roi_e - roi_s) * (double)(in - 1) / 2.0;
        else
            xo = x * (roi_e - roi_s) * (double)(in - 1) / (ow - 1.0);
        xo += roi_s * (double)(in - 1);
        if (xo < 0.0 || xo > (double)(in - 1))
            *outside = 1;
        return xo;
    case FC_RESIZE_CT_HALF_PIXEL_SYMMETRIC: {
        double adjustment = (double)out / ow;
        double center = (double)in / 2.0;
        double offset = center * (1.0 - adjustment);
        return offset + (x + 0.5) / scale - 0.5;
    }
    default: /* half_pixel */
        return (x + 0.5) / scale - 0.5;
    }
}

/* Linear (tent) or cubic (Keys, coefficient a) filter at distance t >= 0. */
FC_RT_HELPER double fc_resize_filter(int64_t mode, double t, double a)
{
    if (mode == 1)
        return t < 1.0 ? 1.0 - t : 0.0;
    if (t <= 1.0)
        return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    if (t < 2.0)
        return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a;
    return 0.0;
}

FC_RT_HELPER int64_t fc_resize_clamp(int64_t i, int64_t n)
{
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

/* Nearest table of one axis: tab[x] = input index * stride, or -1 for an extrapolated x. */
FC_RT_HELPER void fc_resize_nearest_table(const FcRtNode *n, int d, int64_t in, int64_t out,
                                          int64_t stride, int64_t *tab)
{
    const int64_t *ia = n->ia;
    int64_t ct = ia[1], nr = ia[2], x;
    double scale = fc_resize_bits_to_f64(ia[6 + 3 * d + 2]);
    double rs = n->fa[2 + 2 * d], re = n->fa[3 + 2 * d];
    for (x = 0; x < out; x++) {
        int outside;
        double xo = fc_resize_coord(ct, (double)x, scale, in, out, rs, re, &outside);
        double fl = floor(xo), r = xo - fl;
        int64_t i;
        if (outside) {
            tab[x] = -1;
            continue;
        }
        if (r == 0.0) {
            i = (int64_t)fl;
        } else {
            switch (nr) {
            case FC_RESIZE_NR_ROUND_PREFER_CEIL: i = (int64_t)fl + (r >= 0.5); break;
            case FC_RESIZE_NR_FLOOR: i = (int64_t)fl; break;
            case FC_RESIZE_NR_CEIL: i = (int64_t)fl + 1; break;
            case FC_RESIZE_NR_SIMPLE: i = (int64_t)fl + (scale < 1.0); break;
            default: i = (int64_t)fl + (r > 0.5); break;
            }
        }
        tab[x] = fc_resize_clamp(i, in) * stride;
    }
}

/* Linear / cubic table of one axis: for output x, taps k < nt: input index idx[x*nt+k]
 * (clamped to the axis) with weight w[x*nt+k]; ext[x] = 1 for an extrapolated x. */
FC_RT_HELPER void fc_resize_interp_table(const FcRtNode *n, int d, int64_t in, int64_t out,
                                         int64_t *idx, double *w, int64_t *ext)
{
    const int64_t *ia = n->ia;
    int64_t mode = ia[0], ct = ia[1], excl = ia[3], aa = ia[4];
    int64_t nt = ia[6 + 3 * d + 1], start = 1 - nt / 2, x, k;
    double scale = fc_resize_bits_to_f64(ia[6 + 3 * d + 2]);
    double sc = (aa && scale < 1.0) ? scale : 1.0;
    double a = n->fa[0], rs = n->fa[2 + 2 * d], re = n->fa[3 + 2 * d];
    for (x = 0; x < out; x++) {
        int outside;
        double xo = fc_resize_coord(ct, (double)x, scale, in, out, rs, re, &outside);
        double fl = floor(xo), r, sum = 0.0;
        int64_t base;
        int64_t *ix = idx + x * nt;
        double *wx = w + x * nt;
        ext[x] = outside;
        if (outside) {
            for (k = 0; k < nt; k++) {
                ix[k] = 0;
                wx[k] = 0.0;
            }
            continue;
        }
        /* ratio in (0, 1]: an exact input position takes the sample on its left as base */
        if (xo == fl) {
            base = (int64_t)fl - 1;
            r = 1.0;
        } else {
            base = (int64_t)fl;
            r = xo - fl;
        }
        for (k = 0; k < nt; k++) {
            int64_t i = start + k, j = base + i;
            double c = fc_resize_filter(mode, fabs(((double)i - r) * sc), a);
            if (excl && (j < 0 || j >= in))
                c = 0.0;
            ix[k] = fc_resize_clamp(j, in);
            wx[k] = c;
            sum += c;
        }
        if ((aa || excl) && sum != 0.0)
            for (k = 0; k < nt; k++)
                wx[k] /= sum;
    }
}

/* Stores v into element j of an integer / float tensor: float types directly, integers
 * truncated toward zero and saturated to the type's range (NaN gives 0). */
FC_RT_HELPER void fc_resize_store(void *data, int32_t dt, int64_t j, double v)
{
    double lo, hi;
    switch (dt) {
    case FC_DT_F32: ((float *)data)[j] = (float)v; return;
    case FC_DT_F64: ((double *)data)[j] = v; return;
    case FC_DT_I8: lo = -128.0; hi = 127.0; break;
    case FC_DT_U8: lo = 0.0; hi = 255.0; break;
    case FC_DT_I16: lo = -32768.0; hi = 32767.0; break;
    case FC_DT_U16: lo = 0.0; hi = 65535.0; break;
    case FC_DT_I32: lo = -2147483648.0; hi = 2147483647.0; break;
    case FC_DT_U32: lo = 0.0; hi = 4294967295.0; break;
    case FC_DT_I64: lo = -9223372036854775808.0; hi = 9223372036854774784.0; break;
    case FC_DT_U64: lo = 0.0; hi = 18446744073709549568.0; break;
    case FC_DT_BOOL: ((uint8_t *)data)[j] = (uint8_t)(v != 0.0); return;
    default: return;
    }
    if (v != v)
        v = 0.0;
    v = v < lo ? lo : (v > hi ? hi : v);
    fc_rt_set_f64(data, dt, j, v < 0.0 ? ceil(v) : floor(v));
}

#define FC_RESIZE_LD_F32(j) ((double)sf[j])
#define FC_RESIZE_LD_F64(j) (sd[j])
#define FC_RESIZE_LD_ANY(j) fc_rt_get_f64(src, sdt, j)
#define FC_RESIZE_ST_F32(j, v) (df[j] = (float)(v))
#define FC_RESIZE_ST_F64(j, v) (dd[j] = (v))
#define FC_RESIZE_ST_ANY(j, v) fc_resize_store(dst, ddt, j, v)

#define FC_RESIZE_PASS_LOOP(LD, ST)                                                          \
    for (o = 0; o < outer; o++) {                                                            \
        for (x = 0; x < out; x++) {                                                          \
            int64_t db = (o * out + x) * inner, sb = o * in * inner;                         \
            const int64_t *ix = idx + x * nt;                                                \
            const double *wx = w + x * nt;                                                   \
            if (ext[x]) {                                                                    \
                for (i = 0; i < inner; i++)                                                  \
                    ST(db + i, extrap);                                                      \
            } else if (nt == 1) {                                                            \
                int64_t b0 = sb + ix[0] * inner;                                             \
                double w0 = wx[0];                                                           \
                for (i = 0; i < inner; i++)                                                  \
                    ST(db + i, w0 * LD(b0 + i));                                             \
            } else if (nt == 2) {                                                            \
                int64_t b0 = sb + ix[0] * inner, b1 = sb + ix[1] * inner;                    \
                double w0 = wx[0], w1 = wx[1];                                               \
                for (i = 0; i < inner; i++)                                                  \
                    ST(db + i, w0 * LD(b0 + i) + w1 * LD(b1 + i));                           \
            } else if (nt == 4) {                                                            \
                int64_t b0 = sb + ix[0] * inner, b1 = sb + ix[1] * inner;                    \
                int64_t b2 = sb + ix[2] * inner, b3 = sb + ix[3] * inner;                    \
                double w0 = wx[0], w1 = wx[1], w2 = wx[2], w3 = wx[3];                       \
                for (i = 0; i < inner; i++)                                                  \
                    ST(db + i, w0 * LD(b0 + i) + w1 * LD(b1 + i) + w2 * LD(b2 + i) +         \
                                   w3 * LD(b3 + i));                                         \
            } else {                                                                         \
                for (i = 0; i < inner; i++) {                                                \
                    double acc = 0.0;                                                        \
                    for (k = 0; k < nt; k++)                                                 \
                        acc += wx[k] * LD(sb + ix[k] * inner + i);                           \
                    ST(db + i, acc);                                                         \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
    }

/* One separable pass: the [outer, in, inner] block src becomes the [outer, out, inner]
 * block dst along the middle axis. */
FC_RT_HELPER void fc_resize_pass(const void *src, int32_t sdt, void *dst, int32_t ddt,
                                 int64_t outer, int64_t in, int64_t out, int64_t inner,
                                 const int64_t *idx, const double *w, const int64_t *ext,
                                 int64_t nt, double extrap)
{
    const float *sf = (const float *)src;
    const double *sd = (const double *)src;
    float *df = (float *)dst;
    double *dd = (double *)dst;
    int64_t o, x, i, k;
    if (sdt == FC_DT_F32 && ddt == FC_DT_F64) {
        FC_RESIZE_PASS_LOOP(FC_RESIZE_LD_F32, FC_RESIZE_ST_F64)
    } else if (sdt == FC_DT_F64 && ddt == FC_DT_F64) {
        FC_RESIZE_PASS_LOOP(FC_RESIZE_LD_F64, FC_RESIZE_ST_F64)
    } else if (sdt == FC_DT_F64 && ddt == FC_DT_F32) {
        FC_RESIZE_PASS_LOOP(FC_RESIZE_LD_F64, FC_RESIZE_ST_F32)
    } else if (sdt == FC_DT_F32 && ddt == FC_DT_F32) {
        FC_RESIZE_PASS_LOOP(FC_RESIZE_LD_F32, FC_RESIZE_ST_F32)
    } else {
        FC_RESIZE_PASS_LOOP(FC_RESIZE_LD_ANY, FC_RESIZE_ST_ANY)
    }
}

/* Copies one element of es bytes. */
FC_RT_HELPER void fc_resize_copy_elem(unsigned char *d, const unsigned char *s, int64_t es)
{
    switch (es) {
    case 1: *d = *s; break;
    case 2: memcpy(d, s, 2); break;
    case 4: memcpy(d, s, 4); break;
    case 8: memcpy(d, s, 8); break;
    default: memcpy(d, s, (size_t)es); break;
    }
}

/* Gathers one output row of nx elements: d[x] = s[t[x]] (t in elements; -1 = fill). */
FC_RT_HELPER void fc_resize_gather_row(unsigned char *d, const unsigned char *s,
                                       const int64_t *t, int64_t nx, int64_t es,
                                       const unsigned char *fill)
{
    int64_t x;
    switch (es) {
    case 1:
        for (x = 0; x < nx; x++)
            d[x] = t[x] < 0 ? fill[0] : s[t[x]];
        break;
    case 4:
        for (x = 0; x < nx; x++)
            memcpy(d + 4 * x, t[x] < 0 ? fill : s + 4 * t[x], 4);
        break;
    case 8:
        for (x = 0; x < nx; x++)
            memcpy(d + 8 * x, t[x] < 0 ? fill : s + 8 * t[x], 8);
        break;
    default:
        for (x = 0; x < nx; x++)
            fc_resize_copy_elem(d + es * x, t[x] < 0 ? fill : s + es * t[x], es);
        break;
    }
}

FC_RT_HELPER void fc_resize_nearest(const FcRtNode *n, const FcRtTensor *X, FcRtTensor *Y)
{
    int32_t r = (int32_t)n->ia[5], d;
    int64_t es = (int64_t)fc_rt_dtype_size(X->dtype);
    int64_t st[FC_MAX_RANK], cnt[FC_MAX_RANK];
    int64_t *tab[FC_MAX_RANK];
    int64_t *p = (int64_t *)n->scratch;
    int64_t total = fc_rt_numel(Y), nx, e, x, prev = -2;
    unsigned char fill[8];
    const unsigned char *src = (const unsigned char *)X->data;
    unsigned char *dst = (unsigned char *)Y->data;
    memset(fill, 0, sizeof fill);
    fc_rt_set_f64(fill, X->dtype, 0, (double)n->fa[1]);
    if (total == 0)
        return;
    if (r == 0) {
        fc_resize_copy_elem(dst, src, es);
        return;
    }
    fc_rt_strides(X, st);
    for (d = 0; d < r; d++) {
        tab[d] = p;
        fc_resize_nearest_table(n, d, X->dims[d], Y->dims[d], st[d], p);
        p += Y->dims[d];
        cnt[d] = 0;
    }
    nx = Y->dims[r - 1];
    for (e = 0; e < total; e += nx) {
        /* input offset of the outer index (axes 0..r-2); -1 once any of them extrapolates */
        int64_t off = 0;
        unsigned char *o = dst + e * es;
        for (d = 0; d < r - 1; d++) {
            if (tab[d][cnt[d]] < 0 || off < 0)
                off = -1;
            else
                off += tab[d][cnt[d]];
        }
        if (off == prev) {
            /* same input row as the previous output row (upsampling): copy that row */
            memcpy(o, o - nx * es, (size_t)(nx * es));
        } else if (off < 0) {
            for (x = 0; x < nx; x++)
                fc_resize_copy_elem(o + x * es, fill, es);
        } else {
            fc_resize_gather_row(o, src + off * es, tab[r - 1], nx, es, fill);
        }
        prev = off;
        for (d = r - 2; d >= 0; d--) {
            if (++cnt[d] < Y->dims[d])
                break;
            cnt[d] = 0;
        }
    }
}

FC_RT void fc_rt_resize(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *X = fc_rt_in(n, t, 0);
    FcRtTensor *Y = fc_rt_out(n, t, 0);
    const int64_t *ia = n->ia;
    int32_t r = (int32_t)ia[5], d, k, j;
    int act[FC_MAX_RANK];
    int64_t *idx[FC_MAX_RANK], *ext[FC_MAX_RANK];
    double *w[FC_MAX_RANK];
    int64_t slice_in, slice_out, nslices, s, bufn = 0;
    double *buf[2];
    unsigned char *p = (unsigned char *)n->scratch;
    size_t es_in = fc_rt_dtype_size(X->dtype), es_out = fc_rt_dtype_size(Y->dtype);
    double extrap = (double)n->fa[1];

    if (fc_rt_numel(Y) == 0)
        return;
    if (ia[0] == 0) {
        fc_resize_nearest(n, X, Y);
        return;
    }
    /* the resized axes, first to last */
    k = 0;
    for (d = 0; d < r; d++)
        if (ia[6 + 3 * d])
            act[k++] = d;
    if (k == 0) {
        memcpy(Y->data, X->data, (size_t)fc_rt_numel(X) * es_in);
        return;
    }
    for (j = 0; j < k; j++) {
        int64_t out = Y->dims[act[j]], nt = ia[6 + 3 * act[j] + 1];
        idx[j] = (int64_t *)p;
        p += (size_t)(out * nt) * sizeof(int64_t);
        w[j] = (double *)p;
        p += (size_t)(out * nt) * sizeof(double);
        ext[j] = (int64_t *)p;
        p += (size_t)out * sizeof(int64_t);
        fc_resize_interp_table(n, act[j], X->dims[act[j]], out, idx[j], w[j], ext[j]);
    }
    /* Axes before the first resized one are untouched: work slice by slice over them, so the
     * intermediates only hold one slice. */
    nslices = 1;
    for (d = 0; d < act[0]; d++)
        nslices *= X->dims[d];
    slice_in = fc_rt_numel(X) / (nslices ? nslices : 1);
    slice_out = fc_rt_numel(Y) / nslices;
    for (j = 1; j < k; j++) {
        int64_t sz = 1;
        for (d = act[0]; d < r; d++)
            sz *= d < act[j] ? X->dims[d] : Y->dims[d];
        if (sz > bufn)
            bufn = sz;
    }
    buf[0] = (double *)p;
    buf[1] = buf[0] + (k > 2 ? bufn : 0);
    for (s = 0; s < nslices; s++) {
        const void *src = (const unsigned char *)X->data + (size_t)(s * slice_in) * es_in;
        int32_t sdt = X->dtype;
        int cur = 0;
        for (j = k - 1; j >= 0; j--) {
            int32_t a = act[j];
            int64_t outer = 1, inner = 1;
            void *dst;
            int32_t ddt;
            for (d = act[0]; d < a; d++)
                outer *= X->dims[d];
            for (d = a + 1; d < r; d++)
                inner *= Y->dims[d];
            if (j == 0) {
                dst = (unsigned char *)Y->data + (size_t)(s * slice_out) * es_out;
                ddt = Y->dtype;
            } else {
                dst = buf[cur];
                ddt = FC_DT_F64;
            }
            fc_resize_pass(src, sdt, dst, ddt, outer, X->dims[a], Y->dims[a], inner, idx[j],
                           w[j], ext[j], ia[6 + 3 * a + 1], extrap);
            src = dst;
            sdt = ddt;
            cur ^= 1;
        }
    }
}
