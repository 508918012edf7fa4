/* op_shape.c — prepare functions (attribute checks, shape inference, kernel parameter
 * packing) of the shape / data-movement ops. Kernels: runtime/k_shape.c (copies, views,
 * padding, generators of shape data) and runtime/k_shape_idx.c (indexing ops). The packed
 * `ia` layout of each op is documented beside its kernel.
 *
 * Inputs whose values decide an output shape (Reshape's shape, Slice's starts, axes, pads,
 * repeats, split sizes, Range's bounds, OneHot's depth, Compress's condition...) must be
 * compile-time constants. Attributes and inputs follow the ONNX spec at the model's opset.
 */
#include <math.h>
#include <string.h>
#include "ir.h"

/* ---- helpers ------------------------------------------------------------------------ */

static int need_dtype(FcGraph *g, FcNode *n, const FcValue *v, const char *what)
{
    if (fc_rt_dtype_size(v->dtype) == 0)
        return fc_err(g, n, "%s has dtype %s, which is not supported", what,
                      fc_dtype_name(v->dtype));
    return 0;
}

static int need_index_dtype(FcGraph *g, FcNode *n, const FcValue *v, const char *what)
{
    if (!fc_dtype_is_int(v->dtype))
        return fc_err(g, n, "input '%s' must be an integer tensor (got %s)", what,
                      fc_dtype_name(v->dtype));
    return 0;
}

static int input_present(const FcNode *n, int i)
{
    return i < n->nin && n->in[i] >= 0;
}

/* Reads the constant integer input i ("name") into buf (at most max elements).
 * Returns the element count, or -1 with an error recorded. */
static int64_t const_ints_in(FcGraph *g, FcNode *n, int i, const char *name, int64_t *buf,
                             int64_t max)
{
    FcValue *v = fc_in(g, n, i);
    int64_t cnt;
    if (!v)
        return fc_err(g, n, "input '%s' is required", name);
    if (v->kind != FC_VAL_CONST)
        return fc_err_need_const(g, n, name, v);
    if (!fc_dtype_is_int(v->dtype))
        return fc_err(g, n, "input '%s' must be an integer tensor (got %s)", name,
                      fc_dtype_name(v->dtype));
    cnt = fc_value_numel(v);
    if (cnt > max)
        return fc_err(g, n, "input '%s' has %lld elements (fastc supports at most %lld)", name,
                      (long long)cnt, (long long)max);
    fc_const_ints(g, v, buf, max);
    return cnt;
}

/* Reads an INTS attribute into buf (at most max elements); returns the count, -2 if the
 * attribute is absent, or -1 with an error recorded. */
static int attr_ints(FcGraph *g, FcNode *n, const char *name, int64_t *buf, int max)
{
    const int64_t *a;
    int cnt;
    const FcAttr *at = fc_attr(n, name);
    if (!at)
        return -2;
    cnt = fc_attr_ints(n, name, &a);
    if (cnt < 0)
        return fc_err(g, n, "attribute '%s' must be a list of ints", name);
    if (cnt > max)
        return fc_err(g, n, "attribute '%s' has %d elements (fastc supports at most %d)", name,
                      cnt, max);
    if (cnt)
        memcpy(buf, a, sizeof(int64_t) * (size_t)cnt);
    return cnt;
}

/* runtime/k_cast.c: IEEE binary16 conversions (round to nearest even), as the kernels do */
float fc_rt_half_to_float(uint16_t h);
uint16_t fc_rt_float_to_half(float f);

/* Element 0 of a constant numeric value as double (float16 included). */
static double const_scalar(const FcValue *v)
{
    if (v->dtype == FC_DT_F16)
        return fc_rt_half_to_float(((const uint16_t *)v->data)[0]);
    return fc_rt_get_f64(v->data, v->dtype, 0);
}

/* The raw bytes of value `v` converted to dtype dt, in the low bytes of an int64 slot. */
static int64_t value_bits(int32_t dt, double v)
{
    unsigned char buf[8];
    int64_t bits = 0;
    memset(buf, 0, sizeof buf);
    if (dt == FC_DT_F16) {
        uint16_t h = fc_rt_float_to_half((float)v);
        memcpy(buf, &h, 2);
    } else {
        fc_rt_set_f64(buf, dt, 0, v);
    }
    memcpy(&bits, buf, 8);
    return bits;
}

/* Errors if a constant index tensor holds an index outside [-bound, bound), where the bound
 * of element i is bounds[i % nb]. Non-constant indices are checked by nobody (the kernels
 * then read zeros / skip the write). */
static int check_const_indices(FcGraph *g, FcNode *n, const FcValue *ix, const int64_t *bounds,
                               int64_t nb)
{
    int64_t i, cnt;
    if (ix->kind != FC_VAL_CONST || nb <= 0)
        return 0;
    cnt = fc_value_numel(ix);
    for (i = 0; i < cnt; i++) {
        int64_t k = fc_rt_get_i64(ix->data, ix->dtype, i), d = bounds[i % nb];
        if (k < -d || k >= d)
            return fc_err(g, n, "index %lld is out of range for an axis of size %lld",
                          (long long)k, (long long)d);
    }
    return 0;
}

/* ---- Reshape, Flatten, Squeeze, Unsqueeze, Identity (kernel fc_rt_copy) ---------------- */

int fc_prep_reshape(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t shp[FC_MAX_RANK], dims[FC_MAX_RANK], cnt, known = 1, total;
    int64_t allowzero = fc_attr_i(n, "allowzero", 0);
    int i, infer = -1, haszero = 0;
    if (need_dtype(g, n, x, "input 'data'"))
        return -1;
    if (g->opset < 5) {
        int c = attr_ints(g, n, "shape", shp, FC_MAX_RANK);
        if (c == -2)
            return fc_err(g, n, "attribute 'shape' is required");
        if (c < 0)
            return -1;
        if (input_present(n, 1))
            return fc_err(g, n, "input 'shape' is not valid before opset 5");
        cnt = c;
    } else {
        cnt = const_ints_in(g, n, 1, "shape", shp, FC_MAX_RANK);
        if (cnt < 0)
            return -1;
    }
    for (i = 0; i < cnt; i++) {
        int64_t s = shp[i];
        if (s == -1) {
            if (infer >= 0)
                return fc_err(g, n, "shape has more than one -1");
            infer = i;
            dims[i] = 1;
        } else if (s < -1) {
            return fc_err(g, n, "shape[%d] = %lld is invalid", i, (long long)s);
        } else if (s == 0 && !allowzero) {
            if (i >= x->rank)
                return fc_err(g, n, "shape[%d] = 0 copies a dimension the input (rank %d) "
                              "does not have", i, x->rank);
            dims[i] = x->dims[i];
        } else {
            if (s == 0)
                haszero = 1;
            dims[i] = s;
        }
        if (i != infer) {
            if (dims[i] > 0 && known > (INT64_C(1) << 40) / dims[i]) /* no overflow (fuzz) */
                return fc_err(g, n, "shape has more than 2^40 elements");
            known *= dims[i];
        }
    }
    total = fc_value_numel(x);
    if (infer >= 0) {
        if (haszero)
            return fc_err(g, n, "shape has both -1 and 0 with allowzero=1");
        if (known == 0) {
            if (total != 0)
                return fc_err(g, n, "cannot reshape %lld elements into a zero-size shape",
                              (long long)total);
            return fc_err(g, n, "cannot infer the -1 dimension of a zero-size shape");
        }
        if (total % known != 0)
            return fc_err(g, n, "cannot reshape %lld elements: not a multiple of %lld",
                          (long long)total, (long long)known);
        dims[infer] = total / known;
    } else if (known != total) {
        return fc_err(g, n, "cannot reshape %lld elements into a shape of %lld elements",
                      (long long)total, (long long)known);
    }
    return fc_set_out(g, n, 0, x->dtype, (int32_t)cnt, dims);
}

int fc_prep_flatten(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t axis = fc_attr_i(n, "axis", 1), dims[2] = {1, 1};
    int i;
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (axis < -x->rank || axis > x->rank)
        return fc_err(g, n, "axis %lld out of range for rank %d", (long long)axis, x->rank);
    if (axis < 0)
        axis += x->rank;
    for (i = 0; i < x->rank; i++)
        dims[i < axis ? 0 : 1] *= x->dims[i];
    return fc_set_out(g, n, 0, x->dtype, 2, dims);
}

/* Axes of Squeeze / Unsqueeze: attribute before opset 13, input 1 from 13.
 * Returns the count, -2 when absent, -1 on error. */
static int64_t squeeze_axes(FcGraph *g, FcNode *n, int64_t *axes)
{
    if (g->opset >= 13) {
        if (fc_attr(n, "axes"))
            return fc_err(g, n, "attribute 'axes' is not valid from opset 13 (it is an input)");
        if (!input_present(n, 1))
            return -2;
        return const_ints_in(g, n, 1, "axes", axes, FC_MAX_RANK);
    }
    if (input_present(n, 1))
        return fc_err(g, n, "input 'axes' is not valid before opset 13");
    return attr_ints(g, n, "axes", axes, FC_MAX_RANK);
}

int fc_prep_squeeze(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t axes[FC_MAX_RANK], dims[FC_MAX_RANK], na, a;
    int drop[FC_MAX_RANK], i, r = 0;
    if (need_dtype(g, n, x, "input"))
        return -1;
    na = squeeze_axes(g, n, axes);
    if (na == -1)
        return -1;
    for (i = 0; i < x->rank; i++)
        drop[i] = (na <= 0) && x->dims[i] == 1;
    for (i = 0; i < na; i++) {
        if (fc_norm_axis(g, n, axes[i], x->rank, &a))
            return -1;
        if (drop[a])
            return fc_err(g, n, "axis %lld is repeated", (long long)axes[i]);
        if (x->dims[a] != 1)
            return fc_err(g, n, "cannot squeeze axis %lld of size %lld", (long long)axes[i],
                          (long long)x->dims[a]);
        drop[a] = 1;
    }
    for (i = 0; i < x->rank; i++)
        if (!drop[i])
            dims[r++] = x->dims[i];
    return fc_set_out(g, n, 0, x->dtype, r, dims);
}

int fc_prep_unsqueeze(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t axes[FC_MAX_RANK], dims[FC_MAX_RANK], na, a;
    int ins[FC_MAX_RANK], i, j = 0, outr;
    if (need_dtype(g, n, x, "input"))
        return -1;
    na = squeeze_axes(g, n, axes);
    if (na == -2)
        return fc_err(g, n, g->opset >= 13 ? "input 'axes' is required"
                                           : "attribute 'axes' is required");
    if (na < 0)
        return -1;
    outr = x->rank + (int)na;
    if (outr > FC_MAX_RANK)
        return fc_err(g, n, "output rank %d exceeds %d", outr, FC_MAX_RANK);
    for (i = 0; i < outr; i++)
        ins[i] = 0;
    for (i = 0; i < na; i++) {
        if (fc_norm_axis(g, n, axes[i], outr, &a))
            return -1;
        if (ins[a])
            return fc_err(g, n, "axis %lld is repeated", (long long)axes[i]);
        ins[a] = 1;
    }
    for (i = 0; i < outr; i++)
        dims[i] = ins[i] ? 1 : x->dims[j++];
    return fc_set_out(g, n, 0, x->dtype, outr, dims);
}

int fc_prep_identity(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (need_dtype(g, n, x, "input"))
        return -1;
    return fc_set_out_like(g, n, 0, x);
}

/* ---- Dropout (inference) ------------------------------------------------------------- */

int fc_prep_dropout(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *tm = fc_in(g, n, 2), *ratio = fc_in(g, n, 1);
    int32_t mdt;
    int64_t *ia;
    if (need_dtype(g, n, x, "input 'data'"))
        return -1;
    if (g->opset < 12 && n->nin > 1)
        return fc_err(g, n, "Dropout takes 1 input before opset 12");
    /* Before opset 12 the is_test / ratio attributes are ignored: the op is compiled as in
     * inference (the identity), as inference runtimes do. */
    if (tm) {
        int ratio_zero = ratio && ratio->kind == FC_VAL_CONST && fc_value_numel(ratio) >= 1 &&
                         const_scalar(ratio) == 0.0;
        /* With ratio 0 training mode is the identity too (and the mask all true). */
        if (tm->kind != FC_VAL_CONST && !ratio_zero)
            return fc_err_need_const(g, n, "training_mode", tm);
        if (tm->kind == FC_VAL_CONST && fc_value_numel(tm) >= 1 && const_scalar(tm) != 0.0) {
            double r = 0.5;
            if (ratio) {
                if (ratio->kind != FC_VAL_CONST)
                    return fc_err_need_const(g, n, "ratio", ratio);
                if (fc_value_numel(ratio) >= 1)
                    r = const_scalar(ratio);
            }
            if (r != 0.0)
                return fc_err(g, n, "training_mode=1 is not supported");
        }
    }
    mdt = g->opset >= 10 ? FC_DT_BOOL : x->dtype;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    if (n->nout > 1 && fc_set_out(g, n, 1, mdt, x->rank, x->dims))
        return -1;
    ia = fc_pack_ints(g, n, 1);
    ia[0] = value_bits(mdt, 1.0);
    return 0;
}

/* ---- Transpose ------------------------------------------------------------------------- */

int fc_prep_transpose(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t perm[FC_MAX_RANK], dims[FC_MAX_RANK], *ia;
    int seen[FC_MAX_RANK], i, np;
    if (need_dtype(g, n, x, "input"))
        return -1;
    np = attr_ints(g, n, "perm", perm, FC_MAX_RANK);
    if (np == -1)
        return -1;
    if (np == -2) {
        np = x->rank;
        for (i = 0; i < np; i++)
            perm[i] = np - 1 - i;
    }
    if (np != x->rank)
        return fc_err(g, n, "perm has %d entries for an input of rank %d", np, x->rank);
    for (i = 0; i < np; i++)
        seen[i] = 0;
    for (i = 0; i < np; i++) {
        if (perm[i] < 0 || perm[i] >= np || seen[perm[i]])
            return fc_err(g, n, "perm is not a permutation of 0..%d", np - 1);
        seen[perm[i]] = 1;
        dims[i] = x->dims[perm[i]];
    }
    if (fc_set_out(g, n, 0, x->dtype, x->rank, dims))
        return -1;
    ia = fc_pack_ints(g, n, np);
    for (i = 0; i < np; i++)
        ia[i] = perm[i];
    return 0;
}

/* ---- Concat, Split --------------------------------------------------------------------- */

int fc_prep_concat(FcGraph *g, FcNode *n)
{
    FcValue *x0 = fc_in(g, n, 0);
    int64_t axis, dims[FC_MAX_RANK];
    int i, k;
    if (!fc_attr(n, "axis") && g->opset >= 4)
        return fc_err(g, n, "attribute 'axis' is required");
    axis = fc_attr_i(n, "axis", 1);
    if (!x0)
        return fc_err(g, n, "input 0 is missing");
    if (need_dtype(g, n, x0, "input 0"))
        return -1;
    if (x0->rank == 0)
        return fc_err(g, n, "cannot concatenate scalars");
    if (fc_norm_axis(g, n, axis, x0->rank, &axis))
        return -1;
    for (i = 0; i < x0->rank; i++)
        dims[i] = x0->dims[i];
    for (k = 1; k < n->nin; k++) {
        FcValue *x = fc_in(g, n, k);
        if (!x)
            return fc_err(g, n, "input %d is missing", k);
        if (x->dtype != x0->dtype)
            return fc_err(g, n, "input %d has dtype %s, input 0 has %s", k,
                          fc_dtype_name(x->dtype), fc_dtype_name(x0->dtype));
        if (x->rank != x0->rank)
            return fc_err(g, n, "input %d has rank %d, input 0 has rank %d", k, x->rank,
                          x0->rank);
        for (i = 0; i < x0->rank; i++) {
            if (i == axis)
                dims[i] += x->dims[i];
            else if (x->dims[i] != x0->dims[i])
                return fc_err(g, n, "input %d has dimension %lld on axis %d, input 0 has %lld",
                              k, (long long)x->dims[i], i, (long long)x0->dims[i]);
        }
    }
    if (fc_set_out(g, n, 0, x0->dtype, x0->rank, dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = axis;
    return 0;
}

int fc_prep_split(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t axis = fc_attr_i(n, "axis", 0), d, sum = 0, *sizes, *ia, cnt = -1;
    int64_t dims[FC_MAX_RANK];
    int nout = n->nout, k, i;
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (x->rank == 0)
        return fc_err(g, n, "cannot split a scalar");
    if (fc_norm_axis(g, n, axis, x->rank, &axis))
        return -1;
    d = x->dims[axis];
    sizes = fc_arena_alloc(&g->arena, sizeof(int64_t) * (size_t)nout);
    if (input_present(n, 1)) {
        /* Split-1 and Split-13+ take the sizes as an input; 2..12 as an attribute. */
        FcValue *sv = fc_in(g, n, 1);
        if (g->opset >= 2 && g->opset < 13)
            return fc_err(g, n, "input 'split' is not valid at opset %lld (it is an attribute)",
                          (long long)g->opset);
        if (fc_value_numel(sv) != nout && sv->kind == FC_VAL_CONST)
            return fc_err(g, n, "'split' has %lld sizes for %d outputs",
                          (long long)fc_value_numel(sv), nout);
        cnt = const_ints_in(g, n, 1, "split", sizes, nout);
        if (cnt < 0)
            return -1;
    } else if (fc_attr(n, "split")) {
        const int64_t *a;
        int c = fc_attr_ints(n, "split", &a);
        if (c < 0)
            return fc_err(g, n, "attribute 'split' must be a list of ints");
        if (c != nout)
            return fc_err(g, n, "'split' has %d sizes for %d outputs", c, nout);
        for (k = 0; k < c; k++)
            sizes[k] = a[k];
        cnt = c;
    }
    if (cnt >= 0) {
        if (fc_attr(n, "num_outputs"))
            return fc_err(g, n, "'split' and 'num_outputs' are both given");
        for (k = 0; k < nout; k++) {
            if (sizes[k] < 0)
                return fc_err(g, n, "split size %lld is negative", (long long)sizes[k]);
            sum += sizes[k];
        }
        if (sum != d)
            return fc_err(g, n, "split sizes add up to %lld, the axis has %lld", (long long)sum,
                          (long long)d);
    } else if (fc_attr(n, "num_outputs")) {
        int64_t num = fc_attr_i(n, "num_outputs", 0), chunk;
        if (num != nout)
            return fc_err(g, n, "num_outputs is %lld but the node has %d outputs",
                          (long long)num, nout);
        chunk = (d + num - 1) / num;
        if (chunk * (num - 1) > d)
            return fc_err(g, n, "an axis of %lld cannot be split into %lld chunks of %lld",
                          (long long)d, (long long)num, (long long)chunk);
        for (k = 0; k < nout; k++)
            sizes[k] = k < nout - 1 ? chunk : d - chunk * (num - 1);
    } else {
        if (d % nout != 0)
            return fc_err(g, n, "an axis of %lld does not split evenly into %d outputs",
                          (long long)d, nout);
        for (k = 0; k < nout; k++)
            sizes[k] = d / nout;
    }
    for (i = 0; i < x->rank; i++)
        dims[i] = x->dims[i];
    ia = fc_pack_ints(g, n, 2 + nout);
    ia[0] = axis;
    ia[1] = nout;
    for (k = 0; k < nout; k++) {
        dims[axis] = sizes[k];
        ia[2 + k] = sizes[k];
        if (fc_set_out(g, n, k, x->dtype, x->rank, dims))
            return -1;
    }
    return 0;
}

/* ---- Slice ------------------------------------------------------------------------------- */

int fc_prep_slice(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t st[FC_MAX_RANK], en[FC_MAX_RANK], ax[FC_MAX_RANK], sp[FC_MAX_RANK];
    int64_t start[FC_MAX_RANK], step[FC_MAX_RANK], dims[FC_MAX_RANK], ns, ne, na = -2, nsp = -2;
    int64_t *ia;
    int seen[FC_MAX_RANK], i, r = x->rank;
    if (need_dtype(g, n, x, "input 'data'"))
        return -1;
    if (g->opset < 10) {
        if (n->nin > 1)
            return fc_err(g, n, "Slice takes 1 input before opset 10");
        ns = attr_ints(g, n, "starts", st, FC_MAX_RANK);
        if (ns == -2)
            return fc_err(g, n, "attribute 'starts' is required");
        ne = attr_ints(g, n, "ends", en, FC_MAX_RANK);
        if (ne == -2)
            return fc_err(g, n, "attribute 'ends' is required");
        if (ns < 0 || ne < 0)
            return -1;
        na = attr_ints(g, n, "axes", ax, FC_MAX_RANK);
        if (na == -1)
            return -1;
    } else {
        if (!input_present(n, 1) || !input_present(n, 2))
            return fc_err(g, n, "inputs 'starts' and 'ends' are required");
        ns = const_ints_in(g, n, 1, "starts", st, FC_MAX_RANK);
        if (ns < 0)
            return -1;
        ne = const_ints_in(g, n, 2, "ends", en, FC_MAX_RANK);
        if (ne < 0)
            return -1;
        if (input_present(n, 3) && (na = const_ints_in(g, n, 3, "axes", ax, FC_MAX_RANK)) < 0)
            return -1;
        if (input_present(n, 4) && (nsp = const_ints_in(g, n, 4, "steps", sp, FC_MAX_RANK)) < 0)
            return -1;
    }
    if (ns != ne)
        return fc_err(g, n, "starts has %lld entries, ends has %lld", (long long)ns,
                      (long long)ne);
    if (na >= 0 && na != ns)
        return fc_err(g, n, "axes has %lld entries, starts has %lld", (long long)na,
                      (long long)ns);
    if (nsp >= 0 && nsp != ns)
        return fc_err(g, n, "steps has %lld entries, starts has %lld", (long long)nsp,
                      (long long)ns);
    if (na < 0 && ns > r)
        return fc_err(g, n, "starts has %lld entries for an input of rank %d", (long long)ns, r);
    for (i = 0; i < r; i++) {
        seen[i] = 0;
        start[i] = 0;
        step[i] = 1;
        dims[i] = x->dims[i];
    }
    for (i = 0; i < ns; i++) {
        int64_t a = i, s = st[i], e = en[i], p = nsp >= 0 ? sp[i] : 1, d, len;
        if (na >= 0 && fc_norm_axis(g, n, ax[i], r, &a))
            return -1;
        if (seen[a])
            return fc_err(g, n, "axis %lld is repeated", (long long)a);
        seen[a] = 1;
        if (p == 0)
            return fc_err(g, n, "step must not be 0");
        d = x->dims[a];
        if (s < 0)
            s += d;
        if (e < 0)
            e += d;
        if (p > 0) {
            s = s < 0 ? 0 : (s > d ? d : s);
            e = e < 0 ? 0 : (e > d ? d : e);
            len = e > s ? (e - s - 1) / p + 1 : 0;
        } else {
            s = s < 0 ? 0 : (s > d - 1 ? d - 1 : s);
            e = e < -1 ? -1 : (e > d - 1 ? d - 1 : e);
            len = s > e ? (s - e - 1) / (-p) + 1 : 0;
        }
        if (d == 0 || len == 0) {
            len = 0;
            s = 0;
        }
        start[a] = s;
        step[a] = p;
        dims[a] = len;
    }
    if (fc_set_out(g, n, 0, x->dtype, r, dims))
        return -1;
    ia = fc_pack_ints(g, n, 1 + 2 * r);
    ia[0] = r;
    for (i = 0; i < r; i++) {
        ia[1 + i] = start[i];
        ia[1 + r + i] = step[i];
    }
    return 0;
}

/* ---- Gather, GatherElements, GatherND ------------------------------------------------ */

int fc_prep_gather(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *ix = fc_in(g, n, 1);
    int64_t axis = fc_attr_i(n, "axis", 0), dims[FC_MAX_RANK];
    int i, r = 0;
    if (need_dtype(g, n, x, "input 'data'") || need_index_dtype(g, n, ix, "indices"))
        return -1;
    if (x->rank == 0)
        return fc_err(g, n, "input 'data' must have rank >= 1");
    if (fc_norm_axis(g, n, axis, x->rank, &axis))
        return -1;
    if (x->rank - 1 + ix->rank > FC_MAX_RANK)
        return fc_err(g, n, "output rank %d exceeds %d", x->rank - 1 + ix->rank, FC_MAX_RANK);
    if (check_const_indices(g, n, ix, &x->dims[axis], 1))
        return -1;
    for (i = 0; i < axis; i++)
        dims[r++] = x->dims[i];
    for (i = 0; i < ix->rank; i++)
        dims[r++] = ix->dims[i];
    for (i = (int)axis + 1; i < x->rank; i++)
        dims[r++] = x->dims[i];
    if (fc_set_out(g, n, 0, x->dtype, r, dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = axis;
    return 0;
}

int fc_prep_gather_elements(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *ix = fc_in(g, n, 1);
    int64_t axis = fc_attr_i(n, "axis", 0);
    int i;
    if (need_dtype(g, n, x, "input 'data'") || need_index_dtype(g, n, ix, "indices"))
        return -1;
    if (x->rank == 0)
        return fc_err(g, n, "input 'data' must have rank >= 1");
    if (ix->rank != x->rank)
        return fc_err(g, n, "indices have rank %d, data has rank %d", ix->rank, x->rank);
    if (fc_norm_axis(g, n, axis, x->rank, &axis))
        return -1;
    for (i = 0; i < x->rank; i++)
        if (i != axis && ix->dims[i] > x->dims[i])
            return fc_err(g, n, "indices dimension %d (%lld) exceeds data's (%lld)", i,
                          (long long)ix->dims[i], (long long)x->dims[i]);
    if (check_const_indices(g, n, ix, &x->dims[axis], 1))
        return -1;
    if (fc_set_out(g, n, 0, x->dtype, ix->rank, ix->dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = axis;
    return 0;
}

int fc_prep_gather_nd(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *ix = fc_in(g, n, 1);
    int64_t b = fc_attr_i(n, "batch_dims", 0), k, dims[FC_MAX_RANK];
    int i, r = 0;
    if (need_dtype(g, n, x, "input 'data'") || need_index_dtype(g, n, ix, "indices"))
        return -1;
    if (x->rank < 1 || ix->rank < 1)
        return fc_err(g, n, "data and indices must have rank >= 1");
    if (b < 0 || b >= x->rank || b >= ix->rank)
        return fc_err(g, n, "batch_dims %lld is out of range", (long long)b);
    k = ix->dims[ix->rank - 1];
    if (k < 1 || k > x->rank - b)
        return fc_err(g, n, "indices' last dimension %lld must be in [1, %lld]", (long long)k,
                      (long long)(x->rank - b));
    for (i = 0; i < b; i++)
        if (ix->dims[i] != x->dims[i])
            return fc_err(g, n, "batch dimension %d differs (data %lld, indices %lld)", i,
                          (long long)x->dims[i], (long long)ix->dims[i]);
    if (check_const_indices(g, n, ix, &x->dims[b], k))
        return -1;
    for (i = 0; i < ix->rank - 1; i++)
        dims[r++] = ix->dims[i];
    for (i = (int)(b + k); i < x->rank; i++) {
        if (r >= FC_MAX_RANK)
            return fc_err(g, n, "output rank exceeds %d", FC_MAX_RANK);
        dims[r++] = x->dims[i];
    }
    if (fc_set_out(g, n, 0, x->dtype, r, dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = b;
    return 0;
}

/* ---- ScatterElements / Scatter, ScatterND -------------------------------------------- */

static int reduction_code(FcGraph *g, FcNode *n, int64_t *code)
{
    const char *s = fc_attr_s(n, "reduction", "none");
    if (strcmp(s, "none") == 0)
        *code = 0;
    else if (strcmp(s, "add") == 0)
        *code = 1;
    else if (strcmp(s, "mul") == 0)
        *code = 2;
    else if (strcmp(s, "max") == 0)
        *code = 3;
    else if (strcmp(s, "min") == 0)
        *code = 4;
    else
        return fc_err(g, n, "unsupported reduction '%s'", s);
    return 0;
}

int fc_prep_scatter_elements(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *ix = fc_in(g, n, 1), *u = fc_in(g, n, 2);
    int64_t axis = fc_attr_i(n, "axis", 0), red = 0, *ia;
    int i;
    if (need_dtype(g, n, x, "input 'data'") || need_index_dtype(g, n, ix, "indices"))
        return -1;
    if (n->op == FC_OP_SCATTER_ELEMENTS && reduction_code(g, n, &red))
        return -1;
    if (u->dtype != x->dtype)
        return fc_err(g, n, "updates have dtype %s, data has %s", fc_dtype_name(u->dtype),
                      fc_dtype_name(x->dtype));
    if (x->rank == 0)
        return fc_err(g, n, "input 'data' must have rank >= 1");
    if (ix->rank != x->rank || u->rank != x->rank)
        return fc_err(g, n, "data, indices and updates must have the same rank");
    if (fc_norm_axis(g, n, axis, x->rank, &axis))
        return -1;
    for (i = 0; i < x->rank; i++) {
        if (u->dims[i] != ix->dims[i])
            return fc_err(g, n, "updates and indices shapes differ on axis %d", i);
        if (i != axis && ix->dims[i] > x->dims[i])
            return fc_err(g, n, "indices dimension %d (%lld) exceeds data's (%lld)", i,
                          (long long)ix->dims[i], (long long)x->dims[i]);
    }
    if (check_const_indices(g, n, ix, &x->dims[axis], 1))
        return -1;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 2);
    ia[0] = axis;
    ia[1] = red;
    return 0;
}

int fc_prep_scatter_nd(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *ix = fc_in(g, n, 1), *u = fc_in(g, n, 2);
    int64_t red = 0, k;
    int i, j = 0;
    if (need_dtype(g, n, x, "input 'data'") || need_index_dtype(g, n, ix, "indices"))
        return -1;
    if (reduction_code(g, n, &red))
        return -1;
    if (u->dtype != x->dtype)
        return fc_err(g, n, "updates have dtype %s, data has %s", fc_dtype_name(u->dtype),
                      fc_dtype_name(x->dtype));
    if (x->rank < 1 || ix->rank < 1)
        return fc_err(g, n, "data and indices must have rank >= 1");
    k = ix->dims[ix->rank - 1];
    if (k < 1 || k > x->rank)
        return fc_err(g, n, "indices' last dimension %lld must be in [1, %d]", (long long)k,
                      x->rank);
    if (u->rank != ix->rank - 1 + x->rank - k)
        return fc_err(g, n, "updates have rank %d, expected %lld", u->rank,
                      (long long)(ix->rank - 1 + x->rank - k));
    for (i = 0; i < ix->rank - 1; i++, j++)
        if (u->dims[j] != ix->dims[i])
            return fc_err(g, n, "updates dimension %d (%lld) differs from indices' (%lld)", j,
                          (long long)u->dims[j], (long long)ix->dims[i]);
    for (i = (int)k; i < x->rank; i++, j++)
        if (u->dims[j] != x->dims[i])
            return fc_err(g, n, "updates dimension %d (%lld) differs from data's (%lld)", j,
                          (long long)u->dims[j], (long long)x->dims[i]);
    if (check_const_indices(g, n, ix, x->dims, k))
        return -1;
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    fc_pack_ints(g, n, 1)[0] = red;
    return 0;
}

/* ---- Expand, Tile ------------------------------------------------------------------------ */

int fc_prep_expand(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t shp[FC_MAX_RANK], dims[FC_MAX_RANK], cnt;
    int r, i;
    if (need_dtype(g, n, x, "input"))
        return -1;
    cnt = const_ints_in(g, n, 1, "shape", shp, FC_MAX_RANK);
    if (cnt < 0)
        return -1;
    for (i = 0; i < cnt; i++)
        if (shp[i] < 0)
            return fc_err(g, n, "shape[%d] = %lld is negative", i, (long long)shp[i]);
    if (fc_broadcast_shape(g, n, x->rank, x->dims, (int)cnt, shp, &r, dims))
        return -1;
    return fc_set_out(g, n, 0, x->dtype, r, dims);
}

int fc_prep_tile(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t rep[FC_MAX_RANK], dims[FC_MAX_RANK], cnt;
    int i;
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (g->opset < 6) {
        /* Tile-1: a scalar count of tiles along one axis. */
        int64_t tiles, axis;
        if (!input_present(n, 2))
            return fc_err(g, n, "inputs 'tiles' and 'axis' are required before opset 6");
        cnt = const_ints_in(g, n, 1, "tiles", &tiles, 1);
        if (cnt < 0)
            return -1;
        if (cnt != 1)
            return fc_err(g, n, "input 'tiles' must be a scalar");
        cnt = const_ints_in(g, n, 2, "axis", &axis, 1);
        if (cnt < 0)
            return -1;
        if (cnt != 1)
            return fc_err(g, n, "input 'axis' must be a scalar");
        if (fc_norm_axis(g, n, axis, x->rank, &axis))
            return -1;
        for (i = 0; i < x->rank; i++)
            rep[i] = i == axis ? tiles : 1;
        cnt = x->rank;
    } else {
        if (input_present(n, 2))
            return fc_err(g, n, "Tile takes 2 inputs from opset 6");
        cnt = const_ints_in(g, n, 1, "repeats", rep, FC_MAX_RANK);
        if (cnt < 0)
            return -1;
    }
    if (cnt != x->rank)
        return fc_err(g, n, "repeats has %lld entries for an input of rank %d", (long long)cnt,
                      x->rank);
    for (i = 0; i < x->rank; i++) {
        if (rep[i] < 0)
            return fc_err(g, n, "repeats[%d] = %lld is negative", i, (long long)rep[i]);
        dims[i] = x->dims[i] * rep[i];
    }
    return fc_set_out(g, n, 0, x->dtype, x->rank, dims);
}

/* ---- Pad ------------------------------------------------------------------------------- */

int fc_prep_pad(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    const char *ms = fc_attr_s(n, "mode", "constant");
    int64_t pads[2 * FC_MAX_RANK], ax[FC_MAX_RANK], pb[FC_MAX_RANK], pe[FC_MAX_RANK];
    int64_t dims[FC_MAX_RANK], np, na = -2, mode, cslot = -1, bits = 0, *ia;
    int r = x->rank, i, seen[FC_MAX_RANK];
    if (need_dtype(g, n, x, "input 'data'"))
        return -1;
    if (strcmp(ms, "constant") == 0)
        mode = 0;
    else if (strcmp(ms, "reflect") == 0)
        mode = 1;
    else if (strcmp(ms, "edge") == 0)
        mode = 2;
    else if (strcmp(ms, "wrap") == 0)
        mode = 3;
    else
        return fc_err(g, n, "unsupported mode '%s'", ms);
    if (g->opset < 11) {
        const char *pname = g->opset < 2 ? "paddings" : "pads";
        if (n->nin > 1)
            return fc_err(g, n, "Pad takes 1 input before opset 11");
        np = attr_ints(g, n, pname, pads, 2 * FC_MAX_RANK);
        if (np == -2)
            return fc_err(g, n, "attribute '%s' is required", pname);
        if (np < 0)
            return -1;
        bits = value_bits(x->dtype, fc_attr_f(n, "value", 0.0f));
    } else {
        FcValue *cv = fc_in(g, n, 2);
        np = const_ints_in(g, n, 1, "pads", pads, 2 * FC_MAX_RANK);
        if (np < 0)
            return -1;
        if (cv) {
            if (cv->dtype != x->dtype)
                return fc_err(g, n, "constant_value has dtype %s, data has %s",
                              fc_dtype_name(cv->dtype), fc_dtype_name(x->dtype));
            if (fc_value_numel(cv) != 1)
                return fc_err(g, n, "constant_value must have one element");
            cslot = 2;
        }
        if (input_present(n, 3)) {
            if (g->opset < 18)
                return fc_err(g, n, "input 'axes' is not valid before opset 18");
            na = const_ints_in(g, n, 3, "axes", ax, FC_MAX_RANK);
            if (na < 0)
                return -1;
        }
    }
    if (na < 0) {
        na = r;
        for (i = 0; i < r; i++)
            ax[i] = i;
    }
    if (np != 2 * na)
        return fc_err(g, n, "pads has %lld entries, expected %lld", (long long)np,
                      (long long)(2 * na));
    for (i = 0; i < r; i++) {
        seen[i] = 0;
        pb[i] = pe[i] = 0;
    }
    for (i = 0; i < na; i++) {
        int64_t a;
        if (fc_norm_axis(g, n, ax[i], r, &a))
            return -1;
        if (seen[a])
            return fc_err(g, n, "axis %lld is repeated", (long long)ax[i]);
        seen[a] = 1;
        pb[a] = pads[i];
        pe[a] = pads[na + i];
    }
    ia = fc_pack_ints(g, n, 3 + 3 * r);
    ia[0] = mode;
    ia[1] = cslot;
    ia[2] = bits;
    for (i = 0; i < r; i++) {
        int64_t d = x->dims[i], cb = pb[i] < 0 ? -pb[i] : 0, ce = pe[i] < 0 ? -pe[i] : 0;
        int64_t dsub = d - cb - ce;
        if (dsub < 0)
            return fc_err(g, n, "pads remove more than the %lld elements of axis %d",
                          (long long)d, i);
        dims[i] = d + pb[i] + pe[i];
        if (mode != 0 && dsub == 0 && dims[i] > 0)
            return fc_err(g, n, "cannot pad an empty axis in '%s' mode", ms);
        ia[3 + 3 * i] = pb[i] > 0 ? pb[i] : 0;
        ia[3 + 3 * i + 1] = cb;
        ia[3 + 3 * i + 2] = dsub;
    }
    return fc_set_out(g, n, 0, x->dtype, r, dims);
}

/* ---- Shape, Size ------------------------------------------------------------------------ */

int fc_prep_shape(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t r = x->rank, s = fc_attr_i(n, "start", 0), e = fc_attr_i(n, "end", r), cnt;
    if (x->rank < 0)
        return fc_err(g, n, "input has an unknown shape");
    if (s < 0)
        s += r;
    if (e < 0)
        e += r;
    s = s < 0 ? 0 : (s > r ? r : s);
    e = e < 0 ? 0 : (e > r ? r : e);
    cnt = e > s ? e - s : 0;
    if (fc_set_out(g, n, 0, FC_DT_I64, 1, &cnt))
        return -1;
    fc_pack_ints(g, n, 1)[0] = s;
    return 0;
}

int fc_prep_size(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (x->rank < 0)
        return fc_err(g, n, "input has an unknown shape");
    return fc_set_out(g, n, 0, FC_DT_I64, 0, NULL);
}

/* ---- ConstantOfShape, Range, EyeLike ------------------------------------------------- */

int fc_prep_constant_of_shape(FcGraph *g, FcNode *n)
{
    const FcAttr *a = fc_attr(n, "value");
    int64_t shp[FC_MAX_RANK], cnt, bits = 0;
    int32_t dt = FC_DT_F32;
    int i;
    cnt = const_ints_in(g, n, 0, "input", shp, FC_MAX_RANK);
    if (cnt < 0)
        return -1;
    for (i = 0; i < cnt; i++)
        if (shp[i] < 0)
            return fc_err(g, n, "shape[%d] = %lld is negative", i, (long long)shp[i]);
    if (a) {
        FcValue *v;
        if (a->type != FC_ATTR_TENSOR || a->tensor < 0)
            return fc_err(g, n, "attribute 'value' must be a tensor");
        v = fc_val(g, a->tensor);
        if (fc_value_numel(v) != 1)
            return fc_err(g, n, "attribute 'value' must have exactly one element");
        if (need_dtype(g, n, v, "attribute 'value'"))
            return -1;
        dt = v->dtype;
        memcpy(&bits, v->data, fc_rt_dtype_size(dt));
    }
    if (fc_set_out(g, n, 0, dt, (int32_t)cnt, shp))
        return -1;
    fc_pack_ints(g, n, 1)[0] = bits;
    return 0;
}

int fc_prep_range(FcGraph *g, FcNode *n)
{
    static const char *names[3] = {"start", "limit", "delta"};
    FcValue *v[3];
    int64_t cnt;
    int i;
    for (i = 0; i < 3; i++) {
        v[i] = fc_in(g, n, i);
        if (v[i]->kind != FC_VAL_CONST)
            return fc_err_need_const(g, n, names[i], v[i]);
        if (fc_value_numel(v[i]) != 1)
            return fc_err(g, n, "input '%s' must be a scalar", names[i]);
        if (v[i]->dtype != v[0]->dtype)
            return fc_err(g, n, "inputs have different dtypes (%s, %s)",
                          fc_dtype_name(v[0]->dtype), fc_dtype_name(v[i]->dtype));
    }
    if (fc_dtype_is_float(v[0]->dtype)) {
        double s = const_scalar(v[0]), l = const_scalar(v[1]), d = const_scalar(v[2]), c;
        if (d == 0.0)
            return fc_err(g, n, "delta must not be 0");
        c = ceil((l - s) / d);
        if (!(c < 1e15))
            return fc_err(g, n, "the range has too many elements");
        cnt = c > 0 ? (int64_t)c : 0;
    } else if (fc_dtype_is_int(v[0]->dtype)) {
        int64_t s = fc_rt_get_i64(v[0]->data, v[0]->dtype, 0);
        int64_t l = fc_rt_get_i64(v[1]->data, v[1]->dtype, 0);
        int64_t d = fc_rt_get_i64(v[2]->data, v[2]->dtype, 0);
        if (d == 0)
            return fc_err(g, n, "delta must not be 0");
        if (d > 0)
            cnt = l > s ? (int64_t)(((uint64_t)l - (uint64_t)s - 1) / (uint64_t)d) + 1 : 0;
        else
            cnt = s > l ? (int64_t)(((uint64_t)s - (uint64_t)l - 1) / (uint64_t)(-d)) + 1 : 0;
    } else {
        return fc_err(g, n, "dtype %s is not supported", fc_dtype_name(v[0]->dtype));
    }
    return fc_set_out(g, n, 0, v[0]->dtype, 1, &cnt);
}

int fc_prep_eye_like(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t dt = fc_attr_i(n, "dtype", x->dtype), *ia;
    if (x->rank != 2)
        return fc_err(g, n, "input must be 2-D (got rank %d)", x->rank);
    if (fc_rt_dtype_size((int32_t)dt) == 0)
        return fc_err(g, n, "dtype %s is not supported", fc_dtype_name((int32_t)dt));
    if (fc_set_out(g, n, 0, (int32_t)dt, 2, x->dims))
        return -1;
    ia = fc_pack_ints(g, n, 2);
    ia[0] = fc_attr_i(n, "k", 0);
    ia[1] = value_bits((int32_t)dt, 1.0);
    return 0;
}

/* ---- DepthToSpace, SpaceToDepth ------------------------------------------------------- */

int fc_prep_depth_to_space(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t b = fc_attr_i(n, "blocksize", 0), dims[4], *ia, mode;
    const char *ms = fc_attr_s(n, "mode", "DCR");
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (!fc_attr(n, "blocksize"))
        return fc_err(g, n, "attribute 'blocksize' is required");
    if (b <= 0)
        return fc_err(g, n, "blocksize %lld must be positive", (long long)b);
    if (x->rank != 4)
        return fc_err(g, n, "input must be 4-D NCHW (got rank %d)", x->rank);
    if (strcmp(ms, "DCR") == 0)
        mode = 0;
    else if (strcmp(ms, "CRD") == 0)
        mode = 1;
    else
        return fc_err(g, n, "unsupported mode '%s'", ms);
    if (x->dims[1] % (b * b) != 0)
        return fc_err(g, n, "channels (%lld) are not a multiple of blocksize^2 (%lld)",
                      (long long)x->dims[1], (long long)(b * b));
    dims[0] = x->dims[0];
    dims[1] = x->dims[1] / (b * b);
    dims[2] = x->dims[2] * b;
    dims[3] = x->dims[3] * b;
    if (fc_set_out(g, n, 0, x->dtype, 4, dims))
        return -1;
    ia = fc_pack_ints(g, n, 2);
    ia[0] = b;
    ia[1] = mode;
    return 0;
}

int fc_prep_space_to_depth(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    int64_t b = fc_attr_i(n, "blocksize", 0), dims[4];
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (!fc_attr(n, "blocksize"))
        return fc_err(g, n, "attribute 'blocksize' is required");
    if (b <= 0)
        return fc_err(g, n, "blocksize %lld must be positive", (long long)b);
    if (x->rank != 4)
        return fc_err(g, n, "input must be 4-D NCHW (got rank %d)", x->rank);
    if (x->dims[2] % b != 0 || x->dims[3] % b != 0)
        return fc_err(g, n, "height and width (%lld, %lld) are not multiples of blocksize %lld",
                      (long long)x->dims[2], (long long)x->dims[3], (long long)b);
    dims[0] = x->dims[0];
    dims[1] = x->dims[1] * b * b;
    dims[2] = x->dims[2] / b;
    dims[3] = x->dims[3] / b;
    if (fc_set_out(g, n, 0, x->dtype, 4, dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = b;
    return 0;
}

/* ---- Trilu, OneHot --------------------------------------------------------------------- */

int fc_prep_trilu(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *k = fc_in(g, n, 1);
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (x->rank < 2)
        return fc_err(g, n, "input must have rank >= 2 (got %d)", x->rank);
    if (k) {
        if (need_index_dtype(g, n, k, "k"))
            return -1;
        if (fc_value_numel(k) != 1)
            return fc_err(g, n, "input 'k' must be a scalar");
    }
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    fc_pack_ints(g, n, 1)[0] = fc_attr_i(n, "upper", 1) != 0;
    return 0;
}

int fc_prep_one_hot(FcGraph *g, FcNode *n)
{
    FcValue *ix = fc_in(g, n, 0), *dv = fc_in(g, n, 1), *vals = fc_in(g, n, 2);
    int64_t axis = fc_attr_i(n, "axis", -1), depth, dims[FC_MAX_RANK], *ia;
    double dd;
    int i, j = 0, r = ix->rank + 1;
    if (!fc_dtype_is_int(ix->dtype) && !fc_dtype_is_float(ix->dtype))
        return fc_err(g, n, "indices have dtype %s, which is not supported",
                      fc_dtype_name(ix->dtype));
    if (need_dtype(g, n, vals, "input 'values'"))
        return -1;
    if (dv->kind != FC_VAL_CONST)
        return fc_err_need_const(g, n, "depth", dv);
    if (fc_value_numel(dv) != 1 || fc_rt_dtype_size(dv->dtype) == 0 || dv->dtype == FC_DT_BOOL)
        return fc_err(g, n, "input 'depth' must be a numeric scalar");
    if (fc_value_numel(vals) != 2)
        return fc_err(g, n, "input 'values' must have 2 elements (off, on)");
    dd = const_scalar(dv);
    if (!(dd >= 1.0 && dd < 1e12))
        return fc_err(g, n, "depth %g is invalid", dd);
    depth = (int64_t)dd;
    if (r > FC_MAX_RANK)
        return fc_err(g, n, "output rank %d exceeds %d", r, FC_MAX_RANK);
    if (fc_norm_axis(g, n, axis, r, &axis))
        return -1;
    for (i = 0; i < r; i++)
        dims[i] = i == axis ? depth : ix->dims[j++];
    if (fc_set_out(g, n, 0, vals->dtype, r, dims))
        return -1;
    ia = fc_pack_ints(g, n, 3);
    ia[0] = axis;
    ia[1] = depth;
    ia[2] = g->opset >= 11; /* OneHot-9 treats negative indices as out of range */
    return 0;
}

/* ---- Compress, ReverseSequence -------------------------------------------------------- */

int fc_prep_compress(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *c = fc_in(g, n, 1);
    int64_t axis = -1, d, nc, cnt = 0, i, dims[FC_MAX_RANK];
    int r, k;
    if (need_dtype(g, n, x, "input"))
        return -1;
    if (c->kind != FC_VAL_CONST)
        return fc_err_need_const(g, n, "condition", c);
    if (c->dtype != FC_DT_BOOL && !fc_dtype_is_int(c->dtype))
        return fc_err(g, n, "condition has dtype %s (expected bool)", fc_dtype_name(c->dtype));
    if (c->rank != 1)
        return fc_err(g, n, "condition must be 1-D (got rank %d)", c->rank);
    if (fc_attr(n, "axis")) {
        if (fc_norm_axis(g, n, fc_attr_i(n, "axis", 0), x->rank, &axis))
            return -1;
        d = x->dims[axis];
    } else {
        d = fc_value_numel(x);
    }
    nc = fc_value_numel(c);
    for (i = 0; i < nc; i++) {
        if (fc_rt_get_i64(c->data, c->dtype, i) == 0)
            continue;
        if (i >= d)
            return fc_err(g, n, "condition selects index %lld beyond the axis length %lld",
                          (long long)i, (long long)d);
        cnt++;
    }
    if (axis < 0) {
        r = 1;
        dims[0] = cnt;
    } else {
        r = x->rank;
        for (k = 0; k < r; k++)
            dims[k] = k == axis ? cnt : x->dims[k];
    }
    if (fc_set_out(g, n, 0, x->dtype, r, dims))
        return -1;
    fc_pack_ints(g, n, 1)[0] = axis;
    return 0;
}

int fc_prep_reverse_sequence(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *sl = fc_in(g, n, 1);
    int64_t ta = fc_attr_i(n, "time_axis", 0), ba = fc_attr_i(n, "batch_axis", 1), *ia;
    if (need_dtype(g, n, x, "input") || need_index_dtype(g, n, sl, "sequence_lens"))
        return -1;
    if (x->rank < 2)
        return fc_err(g, n, "input must have rank >= 2 (got %d)", x->rank);
    if (!((ta == 0 && ba == 1) || (ta == 1 && ba == 0)))
        return fc_err(g, n, "time_axis and batch_axis must be 0 and 1 (got %lld, %lld)",
                      (long long)ta, (long long)ba);
    if (sl->rank != 1 || sl->dims[0] != x->dims[ba])
        return fc_err(g, n, "sequence_lens must be 1-D of length %lld", (long long)x->dims[ba]);
    if (fc_set_out_like(g, n, 0, x))
        return -1;
    ia = fc_pack_ints(g, n, 2);
    ia[0] = ta;
    ia[1] = ba;
    return 0;
}
