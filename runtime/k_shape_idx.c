/* k_shape_idx.c — kernels of the indexing / generator ops of the shape group: Gather,
 * GatherElements, GatherND, ScatterElements (and the old Scatter), ScatterND, Range, Trilu,
 * OneHot, EyeLike, Compress, ReverseSequence.
 *
 * Data moves as element bytes (any dtype); only the Scatter reductions and Range do
 * arithmetic (all numeric dtypes, float16 through float32). Index tensors may be any integer
 * dtype; a negative index counts from the end. An index still out of range after that (which
 * the ONNX spec makes an error) reads zeros / writes nothing, never outside a buffer.
 * fc-deps: k_cast.c
 */
#include "fc_rt.h"

/* From k_cast.c: IEEE binary16 conversions (round to nearest even). */
FC_RT float fc_rt_half_to_float(uint16_t h);
FC_RT uint16_t fc_rt_float_to_half(float f);

/* Element i of an index tensor as int64 (fast paths for int64 / int32). */
FC_RT_HELPER int64_t fc_idx_get(const void *p, int32_t dt, int64_t i)
{
    if (dt == FC_DT_I64)
        return ((const int64_t *)p)[i];
    if (dt == FC_DT_I32)
        return ((const int32_t *)p)[i];
    return fc_rt_get_i64(p, dt, i);
}

/* Normalizes index k against an axis of size d: returns k in [0, d) or -1. */
FC_RT_HELPER int64_t fc_idx_norm(int64_t k, int64_t d)
{
    if (k < 0)
        k += d;
    return (k >= 0 && k < d) ? k : -1;
}

/* Copies `bytes` bytes (fixed-size fast paths for single elements). */
FC_RT_HELPER void fc_idx_copy(unsigned char *d, const unsigned char *s, int64_t bytes)
{
    switch (bytes) {
    case 1: *d = *s; break;
    case 2: memcpy(d, s, 2); break;
    case 4: memcpy(d, s, 4); break;
    case 8: memcpy(d, s, 8); break;
    default: memcpy(d, s, (size_t)bytes); break;
    }
}

#define FC_IDX_RED_F(T)                                                                       \
    do {                                                                                      \
        T *a_ = (T *)y + yi;                                                                  \
        T b_ = ((const T *)u)[ui];                                                            \
        switch (red) {                                                                        \
        case 1: *a_ = *a_ + b_; break;                                                        \
        case 2: *a_ = *a_ * b_; break;                                                        \
        case 3: if (b_ > *a_ || b_ != b_) *a_ = b_; break;                                   \
        default: if (b_ < *a_ || b_ != b_) *a_ = b_; break;                                  \
        }                                                                                     \
    } while (0)

/* Integer add / mul wrap around (done in the unsigned type U, at least as wide as int). */
#define FC_IDX_RED_I(T, U)                                                                    \
    do {                                                                                      \
        T *a_ = (T *)y + yi;                                                                  \
        T b_ = ((const T *)u)[ui];                                                            \
        switch (red) {                                                                        \
        case 1: *a_ = (T)((U)*a_ + (U)b_); break;                                             \
        case 2: *a_ = (T)((U)*a_ * (U)b_); break;                                             \
        case 3: if (b_ > *a_) *a_ = b_; break;                                                \
        default: if (b_ < *a_) *a_ = b_; break;                                               \
        }                                                                                     \
    } while (0)

/* y[yi] = reduce(y[yi], u[ui]) for one element; red: 0 none (assign), 1 add, 2 mul, 3 max,
 * 4 min. Bool: add / max are OR, mul / min are AND. */
FC_RT_HELPER void fc_idx_reduce(void *y, int64_t yi, const void *u, int64_t ui, int32_t dt,
                                int64_t red, int64_t es)
{
    if (red == 0) {
        fc_idx_copy((unsigned char *)y + yi * es, (const unsigned char *)u + ui * es, es);
        return;
    }
    switch (dt) {
    case FC_DT_F32: FC_IDX_RED_F(float); break;
    case FC_DT_F64: FC_IDX_RED_F(double); break;
    case FC_DT_I8: FC_IDX_RED_I(int8_t, uint32_t); break;
    case FC_DT_U8: FC_IDX_RED_I(uint8_t, uint32_t); break;
    case FC_DT_I16: FC_IDX_RED_I(int16_t, uint32_t); break;
    case FC_DT_U16: FC_IDX_RED_I(uint16_t, uint32_t); break;
    case FC_DT_I32: FC_IDX_RED_I(int32_t, uint32_t); break;
    case FC_DT_U32: FC_IDX_RED_I(uint32_t, uint32_t); break;
    case FC_DT_I64: FC_IDX_RED_I(int64_t, uint64_t); break;
    case FC_DT_U64: FC_IDX_RED_I(uint64_t, uint64_t); break;
    case FC_DT_BOOL: {
        uint8_t *a = (uint8_t *)y + yi;
        uint8_t b = ((const uint8_t *)u)[ui] != 0;
        *a = (red == 1 || red == 3) ? (uint8_t)((*a != 0) | b) : (uint8_t)((*a != 0) & b);
        break;
    }
    case FC_DT_F16: {
        uint16_t *a = (uint16_t *)y + yi;
        float fa = fc_rt_half_to_float(*a), fb = fc_rt_half_to_float(((const uint16_t *)u)[ui]);
        switch (red) {
        case 1: fa = fa + fb; break;
        case 2: fa = fa * fb; break;
        case 3: if (fb > fa || fb != fb) fa = fb; break;
        default: if (fb < fa || fb != fb) fa = fb; break;
        }
        *a = fc_rt_float_to_half(fa);
        break;
    }
    default:
        break;
    }
}

/* Gather along ia[0]: y[o, j..., i] = x[o, idx[j...], i].  ia = [axis]. */
FC_RT void fc_rt_gather(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *ix = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], es = (int64_t)fc_rt_dtype_size(x->dtype);
    int64_t outer = 1, chunk = es, d = x->dims[axis], ni = fc_rt_numel(ix), o, j;
    int32_t i;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    for (i = 0; i < axis; i++)
        outer *= x->dims[i];
    for (i = (int32_t)axis + 1; i < x->rank; i++)
        chunk *= x->dims[i];
    for (o = 0; o < outer; o++) {
        const unsigned char *xo = xd + o * d * chunk;
        for (j = 0; j < ni; j++, yd += chunk) {
            int64_t k = fc_idx_norm(fc_idx_get(ix->data, ix->dtype, j), d);
            if (k < 0)
                memset(yd, 0, (size_t)chunk);
            else
                fc_idx_copy(yd, xo + k * chunk, chunk);
        }
    }
}

/* GatherElements: y[p] = x[p with coordinate `axis` replaced by idx[p]] (y has idx's shape).
 * ia = [axis]. */
FC_RT void fc_rt_gather_elements(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *ix = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], es = (int64_t)fc_rt_dtype_size(x->dtype);
    int64_t xs[FC_MAX_RANK], c[FC_MAX_RANK], total = fc_rt_numel(ix), p, base = 0;
    int32_t r = ix->rank, i;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    fc_rt_strides(x, xs);
    for (i = 0; i < r; i++)
        c[i] = 0;
    for (p = 0; p < total; p++, yd += es) {
        int64_t k = fc_idx_norm(fc_idx_get(ix->data, ix->dtype, p), x->dims[axis]);
        if (k < 0)
            memset(yd, 0, (size_t)es);
        else
            fc_idx_copy(yd, xd + (base + k * xs[axis]) * es, es);
        for (i = r - 1; i >= 0; i--) {
            if (i != axis)
                base += xs[i];
            if (++c[i] < ix->dims[i])
                break;
            if (i != axis)
                base -= xs[i] * ix->dims[i];
            c[i] = 0;
        }
    }
}

/* GatherND: for each batch b (the first batch_dims axes) and each index tuple m of length
 * k = idx.dims[-1], y[b, m, ...] = x[b, tuple, ...] (a slice of the remaining axes).
 * ia = [batch_dims]. */
FC_RT void fc_rt_gather_nd(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *ix = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t bd = n->ia[0], es = (int64_t)fc_rt_dtype_size(x->dtype);
    int64_t k = ix->dims[ix->rank - 1], xs[FC_MAX_RANK];
    int64_t nb = 1, m = 1, slice = 1, block, b, j, q, ti = 0;
    int32_t i;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    fc_rt_strides(x, xs);
    for (i = 0; i < bd; i++)
        nb *= x->dims[i];
    for (i = (int32_t)bd; i < ix->rank - 1; i++)
        m *= ix->dims[i];
    for (i = (int32_t)(bd + k); i < x->rank; i++)
        slice *= x->dims[i];
    block = bd > 0 ? xs[bd - 1] : fc_rt_numel(x);
    slice *= es;
    for (b = 0; b < nb; b++) {
        for (j = 0; j < m; j++, yd += slice) {
            int64_t off = b * block, ok = 1;
            for (q = 0; q < k; q++, ti++) {
                int64_t v = fc_idx_norm(fc_idx_get(ix->data, ix->dtype, ti), x->dims[bd + q]);
                if (v < 0)
                    ok = 0;
                else
                    off += v * xs[bd + q];
            }
            if (ok)
                fc_idx_copy(yd, xd + off * es, slice);
            else
                memset(yd, 0, (size_t)slice);
        }
    }
}

/* ScatterElements / Scatter: y = data, then for each position p of idx,
 * y[p with coordinate axis = idx[p]] = reduce(that, updates[p]).
 * ia = [axis, reduction (0 none, 1 add, 2 mul, 3 max, 4 min)]. */
FC_RT void fc_rt_scatter_elements(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *ix = fc_rt_in(n, t, 1), *u = fc_rt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], red = n->ia[1], es = (int64_t)fc_rt_dtype_size(y->dtype);
    int64_t ys[FC_MAX_RANK], c[FC_MAX_RANK], total = fc_rt_numel(ix), p, base = 0;
    int32_t r = ix->rank, i;
    if (y->data != x->data)
        memcpy(y->data, x->data, (size_t)(fc_rt_numel(y) * es));
    fc_rt_strides(y, ys);
    for (i = 0; i < r; i++)
        c[i] = 0;
    for (p = 0; p < total; p++) {
        int64_t k = fc_idx_norm(fc_idx_get(ix->data, ix->dtype, p), y->dims[axis]);
        if (k >= 0)
            fc_idx_reduce(y->data, base + k * ys[axis], u->data, p, y->dtype, red, es);
        for (i = r - 1; i >= 0; i--) {
            if (i != axis)
                base += ys[i];
            if (++c[i] < ix->dims[i])
                break;
            if (i != axis)
                base -= ys[i] * ix->dims[i];
            c[i] = 0;
        }
    }
}

/* ScatterND: y = data, then for each index tuple m (length k = idx.dims[-1]) the slice
 * y[tuple, ...] = reduce(that, updates[m, ...]).  ia = [reduction (as ScatterElements)]. */
FC_RT void fc_rt_scatter_nd(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *ix = fc_rt_in(n, t, 1), *u = fc_rt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t red = n->ia[0], es = (int64_t)fc_rt_dtype_size(y->dtype);
    int64_t k = ix->dims[ix->rank - 1], ys[FC_MAX_RANK], m = 1, slice = 1, j, q, e, ti = 0;
    int32_t i;
    if (y->data != x->data)
        memcpy(y->data, x->data, (size_t)(fc_rt_numel(y) * es));
    fc_rt_strides(y, ys);
    for (i = 0; i < ix->rank - 1; i++)
        m *= ix->dims[i];
    for (i = (int32_t)k; i < y->rank; i++)
        slice *= y->dims[i];
    for (j = 0; j < m; j++) {
        int64_t off = 0, ok = 1;
        for (q = 0; q < k; q++, ti++) {
            int64_t v = fc_idx_norm(fc_idx_get(ix->data, ix->dtype, ti), y->dims[q]);
            if (v < 0)
                ok = 0;
            else
                off += v * ys[q];
        }
        if (!ok)
            continue;
        if (red == 0) {
            memcpy((unsigned char *)y->data + off * es,
                   (const unsigned char *)u->data + j * slice * es, (size_t)(slice * es));
        } else {
            for (e = 0; e < slice; e++)
                fc_idx_reduce(y->data, off + e, u->data, j * slice + e, y->dtype, red, es);
        }
    }
}

/* Range: y[i] = start + i * delta (count = output length, fixed by prepare).
 * Float types compute in double; integers in wrapping int64. No parameters. */
FC_RT void fc_rt_range(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *s = fc_rt_in(n, t, 0), *d = fc_rt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t cnt = y->dims[0], i;
    if (y->dtype == FC_DT_F32 || y->dtype == FC_DT_F64 || y->dtype == FC_DT_F16) {
        double st, dl;
        if (s->dtype == FC_DT_F16) {
            st = fc_rt_half_to_float(((const uint16_t *)s->data)[0]);
            dl = fc_rt_half_to_float(((const uint16_t *)d->data)[0]);
        } else {
            st = fc_rt_get_f64(s->data, s->dtype, 0);
            dl = fc_rt_get_f64(d->data, d->dtype, 0);
        }
        for (i = 0; i < cnt; i++) {
            double v = st + (double)i * dl;
            if (y->dtype == FC_DT_F16)
                ((uint16_t *)y->data)[i] = fc_rt_float_to_half((float)v);
            else
                fc_rt_set_f64(y->data, y->dtype, i, v);
        }
    } else {
        uint64_t st = (uint64_t)fc_rt_get_i64(s->data, s->dtype, 0);
        uint64_t dl = (uint64_t)fc_rt_get_i64(d->data, d->dtype, 0);
        for (i = 0; i < cnt; i++)
            fc_rt_set_i64(y->data, y->dtype, i, (int64_t)(st + (uint64_t)i * dl));
    }
}

/* Trilu on the last two axes (M x N matrices): keeps x[i][j] where j - i >= k (upper) or
 * j - i <= k (lower), zeroes the rest. k comes from input 1 at run time (0 if absent).
 * ia = [upper]. */
FC_RT void fc_rt_trilu(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *kt = fc_rt_opt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t es = (int64_t)fc_rt_dtype_size(y->dtype), M = x->dims[x->rank - 2];
    int64_t N = x->dims[x->rank - 1], nm, mi, i, k = 0;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    if (kt && fc_rt_numel(kt) >= 1)
        k = fc_rt_get_i64(kt->data, kt->dtype, 0);
    if (M == 0 || N == 0)
        return;
    nm = fc_rt_numel(x) / (M * N);
    if (k > N)
        k = N + 1;
    if (k < -M)
        k = -M - 1;
    for (mi = 0; mi < nm; mi++) {
        for (i = 0; i < M; i++, xd += N * es, yd += N * es) {
            int64_t lo, hi;
            if (n->ia[0]) {
                lo = i + k;
                hi = N;
            } else {
                lo = 0;
                hi = i + k + 1;
            }
            if (lo < 0)
                lo = 0;
            if (hi > N)
                hi = N;
            if (hi < lo)
                hi = lo;
            if (lo > N)
                lo = hi = N;
            if (hi > lo && yd != xd)
                memcpy(yd + lo * es, xd + lo * es, (size_t)((hi - lo) * es));
            memset(yd, 0, (size_t)(lo * es));
            memset(yd + hi * es, 0, (size_t)((N - hi) * es));
        }
    }
}

/* OneHot: y has idx's shape with an axis of length depth inserted at `axis`;
 * y[.., d, ..] = values[1] if normalized idx == d else values[0] (an index outside
 * [-depth, depth), or negative when negatives are not allowed, gives all values[0]).
 * ia = [axis (normalized against y's rank), depth, allow_negative (opset >= 11)]. */
FC_RT void fc_rt_one_hot(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *ix = fc_rt_in(n, t, 0), *v = fc_rt_in(n, t, 2);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], depth = n->ia[1], es = (int64_t)fc_rt_dtype_size(y->dtype);
    int64_t outer = 1, inner = 1, o, j;
    int32_t i;
    const unsigned char *vd = (const unsigned char *)v->data;
    unsigned char *yd = (unsigned char *)y->data;
    for (i = 0; i < axis; i++)
        outer *= ix->dims[i];
    for (i = (int32_t)axis; i < ix->rank; i++)
        inner *= ix->dims[i];
    for (j = 0; j < outer * depth * inner; j++)
        fc_idx_copy(yd + j * es, vd, es);
    for (o = 0; o < outer; o++) {
        for (j = 0; j < inner; j++) {
            int64_t k;
            if (ix->dtype == FC_DT_F32 || ix->dtype == FC_DT_F64)
                k = (int64_t)fc_rt_get_f64(ix->data, ix->dtype, o * inner + j);
            else if (ix->dtype == FC_DT_F16)
                k = (int64_t)fc_rt_half_to_float(((const uint16_t *)ix->data)[o * inner + j]);
            else
                k = fc_idx_get(ix->data, ix->dtype, o * inner + j);
            k = (k < 0 && !n->ia[2]) ? -1 : fc_idx_norm(k, depth);
            if (k >= 0)
                fc_idx_copy(yd + ((o * depth + k) * inner + j) * es, vd + es, es);
        }
    }
}

/* EyeLike: 2-D output, zeros except y[i][i + k] = one.  ia = [k, one_bits (raw bytes of 1 in
 * y's dtype)]. */
FC_RT void fc_rt_eye_like(const FcRtNode *n, FcRtTensor *t)
{
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t es = (int64_t)fc_rt_dtype_size(y->dtype), R = y->dims[0], C = y->dims[1];
    int64_t k = n->ia[0], i;
    unsigned char *yd = (unsigned char *)y->data;
    memset(yd, 0, (size_t)(R * C * es));
    for (i = 0; i < R; i++) {
        int64_t j = i + k;
        if (j >= 0 && j < C)
            memcpy(yd + (i * C + j) * es, &n->ia[1], (size_t)es);
    }
}

/* Compress: keeps the slices along `axis` whose condition is true (or, with axis -1, the
 * elements of the flattened input). The condition (input 1) is read at run time; prepare
 * checked that it is constant and sized the output.  ia = [axis or -1]. */
FC_RT void fc_rt_compress(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *c = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t axis = n->ia[0], es = (int64_t)fc_rt_dtype_size(x->dtype), nc = fc_rt_numel(c);
    int64_t outer = 1, inner = es, d, o, j;
    int32_t i;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    if (axis < 0) {
        d = fc_rt_numel(x);
    } else {
        d = x->dims[axis];
        for (i = 0; i < axis; i++)
            outer *= x->dims[i];
        for (i = (int32_t)axis + 1; i < x->rank; i++)
            inner *= x->dims[i];
    }
    if (nc > d)
        nc = d;
    for (o = 0; o < outer; o++)
        for (j = 0; j < nc; j++)
            if (fc_rt_get_i64(c->data, c->dtype, j) != 0) {
                fc_idx_copy(yd, xd + (o * d + j) * inner, inner);
                yd += inner;
            }
}

/* ReverseSequence: for each batch b, the first seq_lens[b] steps along the time axis are
 * reversed, the rest copied. Time and batch are axes 0 and 1 (either order).
 * ia = [time_axis, batch_axis]. */
FC_RT void fc_rt_reverse_sequence(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0), *sl = fc_rt_in(n, t, 1);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t ta = n->ia[0], es = (int64_t)fc_rt_dtype_size(x->dtype);
    int64_t T = x->dims[ta], B = x->dims[n->ia[1]], inner = es, b, s;
    int32_t i;
    const unsigned char *xd = (const unsigned char *)x->data;
    unsigned char *yd = (unsigned char *)y->data;
    for (i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    for (b = 0; b < B; b++) {
        int64_t len = fc_rt_get_i64(sl->data, sl->dtype, b);
        if (len < 0)
            len = 0;
        if (len > T)
            len = T;
        for (s = 0; s < T; s++) {
            int64_t src = s < len ? len - 1 - s : s;
            int64_t yo = ta == 0 ? s * B + b : b * T + s;
            int64_t xo = ta == 0 ? src * B + b : b * T + src;
            fc_idx_copy(yd + yo * inner, xd + xo * inner, inner);
        }
    }
}
