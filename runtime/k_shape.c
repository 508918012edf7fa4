/* k_shape.c — kernels of the shape / data-movement ops whose work is a (possibly strided)
 * copy of element bytes: Reshape/Flatten/Squeeze/Unsqueeze/Identity (fc_rt_copy), Dropout
 * (inference), Transpose, Concat, Split, Slice, Expand, Tile, Pad, Shape, Size,
 * ConstantOfShape, DepthToSpace, SpaceToDepth.
 *
 * They work for every dtype by moving element bytes (size fc_rt_dtype_size). Dtype-dependent
 * constants (pad value, mask "1", fill value) are converted by the op's prepare function and
 * packed as the element's raw bytes in an int64 slot of `ia` (little-endian, first bytes).
 * Contiguous inner runs are copied with memcpy.
 */
#include "fc_rt.h"

/* Largest rank of a strided view (Tile views a rank-r tensor as 2r axes). */
#define FC_SHAPE_VMAX (2 * FC_MAX_RANK)

/* Copies n elements of es bytes: d[i] = s[i * st] (st in elements, may be 0 or negative). */
FC_RT_HELPER void fc_shape_run(unsigned char *d, const unsigned char *s, int64_t n, int64_t st,
                               int64_t es)
{
    int64_t i;
    if (st == 1) {
        memcpy(d, s, (size_t)(n * es));
        return;
    }
    switch (es) {
    case 1:
        for (i = 0; i < n; i++)
            d[i] = s[i * st];
        break;
    case 2:
        for (i = 0; i < n; i++)
            memcpy(d + 2 * i, s + 2 * i * st, 2);
        break;
    case 4:
        for (i = 0; i < n; i++)
            memcpy(d + 4 * i, s + 4 * i * st, 4);
        break;
    case 8:
        for (i = 0; i < n; i++)
            memcpy(d + 8 * i, s + 8 * i * st, 8);
        break;
    default:
        for (i = 0; i < n; i++)
            memcpy(d + es * i, s + es * i * st, (size_t)es);
        break;
    }
}

/* Rows [row0, row1) of a normalized view (fc_shape_view_copy): row `row` is the run of n
 * elements (source stride step) at the source offset of the row's index over the outer
 * axes d[0..r-2] (strides s), written to dst's row `row`. */
FC_RT_HELPER void fc_shape_copy_rows(unsigned char *dp, const unsigned char *sp, int64_t es,
                                     int r, const int64_t *d, const int64_t *s, int64_t off,
                                     int64_t row0, int64_t row1)
{
    int64_t idx[FC_SHAPE_VMAX], n = d[r - 1], step = s[r - 1], so = off, q = row0, row;
    int i;
    for (i = r - 2; i >= 0; i--) {
        idx[i] = q % d[i];
        q /= d[i];
        so += idx[i] * s[i];
    }
    dp += row0 * n * es;
    for (row = row0; row < row1; row++) {
        fc_shape_run(dp, sp + so * es, n, step, es);
        dp += n * es;
        for (i = r - 2; i >= 0; i--) {
            so += s[i];
            if (++idx[i] < d[i])
                break;
            so -= s[i] * d[i];
            idx[i] = 0;
        }
    }
}

/* Gathers a strided view of `src` into the contiguous row-major `dst`:
 * dst[i_0, ..., i_{rank-1}] = src[off + sum_k i_k * st[k]] (offsets/strides in elements,
 * strides may be 0 or negative). Adjacent axes that are contiguous in both are merged and
 * size-1 axes dropped first; the innermost run is a memcpy when its stride is 1. A large
 * view is copied in up to 64 row ranges on FC_RT_THREADS (Transpose, Slice, Expand, ...:
 * otherwise serial work between parallel kernels).
 * (A cache-blocked variant for transpositions measured no faster than this on x86-64.) */
FC_RT_HELPER void fc_shape_view_copy(void *dst, const void *src, int64_t es, int rank,
                                     const int64_t *dims, const int64_t *st, int64_t off)
{
    int64_t d[FC_SHAPE_VMAX], s[FC_SHAPE_VMAX];
    int r = 0, i;
    int64_t rows = 1, parts, part;
    unsigned char *dp = (unsigned char *)dst;
    const unsigned char *sp = (const unsigned char *)src;
    for (i = 0; i < rank; i++) {
        if (dims[i] == 0)
            return;
        if (dims[i] == 1)
            continue;
        if (r > 0 && s[r - 1] == st[i] * dims[i]) {
            d[r - 1] *= dims[i];
            s[r - 1] = st[i];
        } else {
            d[r] = dims[i];
            s[r] = st[i];
            r++;
        }
    }
    if (r == 0) {
        memcpy(dp, sp + off * es, (size_t)es);
        return;
    }
    for (i = 0; i < r - 1; i++)
        rows *= d[i];
    parts = rows < 64 ? rows : 64;
    FC_RT_OMP_FOR_IF(parts > 1 && rows * d[r - 1] * es >= 4 * FC_RT_PAR_MIN_WORK)
    for (part = 0; part < parts; part++)
        fc_shape_copy_rows(dp, sp, es, r, d, s, off, rows * part / parts,
                           rows * (part + 1) / parts);
}

/* Fills `count` elements of es bytes at dst with the element `val` (doubling memcpy). */
FC_RT_HELPER void fc_shape_fill(void *dst, const void *val, int64_t es, int64_t count)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *v = (const unsigned char *)val;
    int64_t done, total = count * es, i, zero = 1;
    if (count <= 0)
        return;
    for (i = 0; i < es; i++)
        if (v[i])
            zero = 0;
    if (zero) {
        memset(d, 0, (size_t)total);
        return;
    }
    memcpy(d, v, (size_t)es);
    done = es;
    while (done < total) {
        int64_t c = done < total - done ? done : total - done;
        memcpy(d + done, d, (size_t)c);
        done += c;
    }
}

/* Reshape, Flatten, Squeeze, Unsqueeze, Identity: the output is the input's bytes.
 * No parameters. */
FC_RT void fc_rt_copy(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    size_t bytes = (size_t)fc_rt_numel(y) * fc_rt_dtype_size(y->dtype);
    if (y->data != x->data && bytes)
        memmove(y->data, x->data, bytes);
}

/* Dropout in inference mode: output 0 = input; the optional mask (output 1) is all ones.
 * ia = [mask_one]: the raw bytes of the value 1 in the mask's dtype (bool from opset 10;
 * before that the mask had the input's dtype). */
FC_RT void fc_rt_dropout(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    size_t bytes = (size_t)fc_rt_numel(y) * fc_rt_dtype_size(y->dtype);
    if (y->data != x->data && bytes)
        memmove(y->data, x->data, bytes);
    if (n->nout > 1 && n->out[1] >= 0) {
        FcRtTensor *m = fc_rt_out(n, t, 1);
        fc_shape_fill(m->data, &n->ia[0], (int64_t)fc_rt_dtype_size(m->dtype), fc_rt_numel(m));
    }
}

/* Transpose: y[i_0..i_{r-1}] = x[j] with j[perm[k]] = i_k.  ia = [perm[0], ..., perm[r-1]]. */
FC_RT void fc_rt_transpose(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t xs[FC_MAX_RANK], st[FC_MAX_RANK];
    int32_t i;
    fc_rt_strides(x, xs);
    for (i = 0; i < y->rank; i++)
        st[i] = xs[n->ia[i]];
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), y->rank, y->dims,
                       st, 0);
}

/* Concat along ia[0] (normalized axis).  ia = [axis]. */
FC_RT void fc_rt_concat(const FcRtNode *n, FcRtTensor *t)
{
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], es = (int64_t)fc_rt_dtype_size(y->dtype);
    int64_t outer = 1, inner = es, ychunk, off = 0, o;
    int32_t i, k;
    unsigned char *yd = (unsigned char *)y->data;
    for (i = 0; i < axis; i++)
        outer *= y->dims[i];
    for (i = (int32_t)axis + 1; i < y->rank; i++)
        inner *= y->dims[i];
    ychunk = y->dims[axis] * inner;
    for (k = 0; k < n->nin; k++) {
        const FcRtTensor *x = fc_rt_in(n, t, k);
        const unsigned char *xd = (const unsigned char *)x->data;
        int64_t xchunk = x->dims[axis] * inner;
        if (xchunk == 0)
            continue;
        for (o = 0; o < outer; o++)
            memcpy(yd + o * ychunk + off, xd + o * xchunk, (size_t)xchunk);
        off += xchunk;
    }
}

/* Split along an axis into consecutive chunks.
 * ia = [axis, nout, size_0, ..., size_{nout-1}] (sizes along the axis; absent outputs are
 * skipped). */
FC_RT void fc_rt_split(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    int64_t axis = n->ia[0], nout = n->ia[1], es = (int64_t)fc_rt_dtype_size(x->dtype);
    int64_t outer = 1, inner = es, xchunk, off = 0, o, k;
    int32_t i;
    const unsigned char *xd = (const unsigned char *)x->data;
    for (i = 0; i < axis; i++)
        outer *= x->dims[i];
    for (i = (int32_t)axis + 1; i < x->rank; i++)
        inner *= x->dims[i];
    xchunk = x->dims[axis] * inner;
    for (k = 0; k < nout; k++) {
        int64_t ychunk = n->ia[2 + k] * inner;
        if (k < n->nout && n->out[k] >= 0 && ychunk > 0) {
            unsigned char *yd = (unsigned char *)fc_rt_out(n, t, (int)k)->data;
            for (o = 0; o < outer; o++)
                memcpy(yd + o * ychunk, xd + o * xchunk + off, (size_t)ychunk);
        }
        off += ychunk;
    }
}

/* Slice: y[i] = x[start + i * step] per axis (starts already clamped; the output dims give
 * the counts).  ia = [rank, start_0..start_{r-1}, step_0..step_{r-1}]. */
FC_RT void fc_rt_slice(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t xs[FC_MAX_RANK], st[FC_MAX_RANK], off = 0, r = n->ia[0];
    int32_t i;
    fc_rt_strides(x, xs);
    for (i = 0; i < r; i++) {
        off += n->ia[1 + i] * xs[i];
        st[i] = n->ia[1 + r + i] * xs[i];
    }
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), (int)r, y->dims,
                       st, off);
}

/* Expand: numpy (bidirectional) broadcast of x to the output shape. No parameters. */
FC_RT void fc_rt_expand(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t st[FC_MAX_RANK];
    fc_rt_bcast_strides(x, y->rank, y->dims, st);
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), y->rank, y->dims,
                       st, 0);
}

/* Tile: y dims = x dims * repeats; the output is viewed as [rep_0, d_0, rep_1, d_1, ...]
 * with stride 0 on the repeat axes. No parameters (repeats = y dim / x dim). */
FC_RT void fc_rt_tile(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t xs[FC_MAX_RANK], vd[FC_SHAPE_VMAX], vs[FC_SHAPE_VMAX];
    int32_t i;
    if (fc_rt_numel(y) == 0)
        return;
    fc_rt_strides(x, xs);
    for (i = 0; i < x->rank; i++) {
        vd[2 * i] = y->dims[i] / x->dims[i];
        vs[2 * i] = 0;
        vd[2 * i + 1] = x->dims[i];
        vs[2 * i + 1] = xs[i];
    }
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), 2 * x->rank, vd,
                       vs, 0);
}

/* Maps an output coordinate relative to the (cropped) source start to a source index in
 * [0, d), or -1 for "use the constant". mode: 0 constant, 1 reflect, 2 edge, 3 wrap. */
FC_RT_HELPER int64_t fc_shape_pad_map(int64_t c, int64_t d, int64_t mode)
{
    int64_t p, m;
    if (c >= 0 && c < d)
        return c;
    if (mode == 0 || d <= 0)
        return -1;
    if (mode == 2)
        return c < 0 ? 0 : d - 1;
    if (mode == 3) {
        m = c % d;
        return m < 0 ? m + d : m;
    }
    if (d == 1)
        return 0;
    p = 2 * (d - 1);
    m = c % p;
    if (m < 0)
        m += p;
    return m >= d ? p - m : m;
}

/* Pad. Negative pads were turned into crops by prepare: per axis the source is the sub-range
 * [crop, crop + dsub) of x and the output is `before` elements of padding, that sub-range,
 * then padding (output dims give the total).
 * ia = [mode (0 constant, 1 reflect, 2 edge, 3 wrap), value_input (index of the
 *       constant_value input or -1), value_bits (raw bytes of the pad constant),
 *       then per axis k < rank: before_k, crop_k, dsub_k]. */
FC_RT void fc_rt_pad(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    const FcRtTensor *cv = n->ia[1] >= 0 ? fc_rt_opt_in(n, t, (int)n->ia[1]) : NULL;
    int64_t mode = n->ia[0], es = (int64_t)fc_rt_dtype_size(y->dtype);
    int64_t xs[FC_MAX_RANK], idx[FC_MAX_RANK], rows = 1, row, w, lo, hi, pb, cb, ds, j;
    int32_t r = y->rank, i;
    unsigned char cval[8];
    unsigned char *yd = (unsigned char *)y->data;
    const unsigned char *xd = (const unsigned char *)x->data;
    memset(cval, 0, sizeof cval);
    if (cv && fc_rt_numel(cv) >= 1)
        memcpy(cval, cv->data, (size_t)es);
    else
        memcpy(cval, &n->ia[2], (size_t)es);
    if (fc_rt_numel(y) == 0)
        return;
    if (r == 0) {
        memcpy(yd, xd, (size_t)es);
        return;
    }
    fc_rt_strides(x, xs);
    for (i = 0; i < r - 1; i++) {
        rows *= y->dims[i];
        idx[i] = 0;
    }
    w = y->dims[r - 1];
    pb = n->ia[3 + 3 * (r - 1)];
    cb = n->ia[3 + 3 * (r - 1) + 1];
    ds = n->ia[3 + 3 * (r - 1) + 2];
    lo = pb < w ? pb : w;
    hi = pb + ds < w ? pb + ds : w;
    for (row = 0; row < rows; row++, yd += w * es) {
        int64_t so = 0, inside = 1;
        for (i = 0; i < r - 1; i++) {
            int64_t c = fc_shape_pad_map(idx[i] - n->ia[3 + 3 * i], n->ia[3 + 3 * i + 2], mode);
            if (c < 0) {
                inside = 0;
                break;
            }
            so += (c + n->ia[3 + 3 * i + 1]) * xs[i];
        }
        if (!inside) {
            fc_shape_fill(yd, cval, es, w);
        } else {
            const unsigned char *src = xd + (so + cb) * es;
            if (hi > lo)
                memcpy(yd + lo * es, src + (lo - pb) * es, (size_t)((hi - lo) * es));
            for (j = 0; j < lo; j++) {
                int64_t c = fc_shape_pad_map(j - pb, ds, mode);
                memcpy(yd + j * es, c < 0 ? cval : src + c * es, (size_t)es);
            }
            for (j = hi > lo ? hi : lo; j < w; j++) {
                int64_t c = fc_shape_pad_map(j - pb, ds, mode);
                memcpy(yd + j * es, c < 0 ? cval : src + c * es, (size_t)es);
            }
        }
        for (i = r - 2; i >= 0; i--) {
            if (++idx[i] < y->dims[i])
                break;
            idx[i] = 0;
        }
    }
}

/* Shape: y[i] = dims[start + i] of the input (never reads the input's data).
 * ia = [start]; the output length is the count. Output int64. */
FC_RT void fc_rt_shape(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t i, cnt = y->rank ? y->dims[0] : 0;
    for (i = 0; i < cnt; i++)
        ((int64_t *)y->data)[i] = x->dims[n->ia[0] + i];
}

/* Size: y = number of elements of the input (int64 scalar). No parameters. */
FC_RT void fc_rt_size(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    ((int64_t *)y->data)[0] = fc_rt_numel(x);
}

/* ConstantOfShape: every element = the value.  ia = [value_bits] (raw bytes in y's dtype). */
FC_RT void fc_rt_constant_of_shape(const FcRtNode *n, FcRtTensor *t)
{
    FcRtTensor *y = fc_rt_out(n, t, 0);
    fc_shape_fill(y->data, &n->ia[0], (int64_t)fc_rt_dtype_size(y->dtype), fc_rt_numel(y));
}

/* DepthToSpace on NCHW: y[n, c, h*b + i, w*b + j] = x[n, ch, h, w] with
 * ch = (i*b + j)*C' + c (DCR) or c*b*b + i*b + j (CRD), C' = C / b^2.
 * ia = [blocksize, mode (0 DCR, 1 CRD)]. */
FC_RT void fc_rt_depth_to_space(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t b = n->ia[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], Co = C / (b * b);
    int64_t vd[6], vs[6];
    vd[0] = x->dims[0];
    vd[1] = Co;
    vd[2] = H;
    vd[3] = b;
    vd[4] = W;
    vd[5] = b;
    vs[0] = C * H * W;
    vs[2] = W;
    vs[4] = 1;
    if (n->ia[1] == 0) {
        vs[1] = H * W;
        vs[3] = b * Co * H * W;
        vs[5] = Co * H * W;
    } else {
        vs[1] = b * b * H * W;
        vs[3] = b * H * W;
        vs[5] = H * W;
    }
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), 6, vd, vs, 0);
}

/* SpaceToDepth on NCHW: y[n, (i*b + j)*C + c, h, w] = x[n, c, h*b + i, w*b + j].
 * ia = [blocksize]. */
FC_RT void fc_rt_space_to_depth(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t b = n->ia[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    int64_t vd[6], vs[6];
    vd[0] = x->dims[0];
    vd[1] = b;
    vd[2] = b;
    vd[3] = C;
    vd[4] = H / b;
    vd[5] = W / b;
    vs[0] = C * H * W;
    vs[1] = W;
    vs[2] = 1;
    vs[3] = H * W;
    vs[4] = b * W;
    vs[5] = b;
    fc_shape_view_copy(y->data, x->data, (int64_t)fc_rt_dtype_size(y->dtype), 6, vd, vs, 0);
}
