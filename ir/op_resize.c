/* op_resize.c — prepare functions of Resize / Upsample (fc_prep_resize, kernel fc_rt_resize in
 * runtime/k_resize.c) and Einsum (fc_prep_einsum, kernel fc_rt_einsum in runtime/k_einsum.c).
 * The packed parameter layouts are documented beside the kernels. */
#include <math.h>
#include <string.h>
#include "ir.h"

/* Must match the enums of runtime/k_resize.c. */
enum { RZ_NEAREST = 0, RZ_LINEAR = 1, RZ_CUBIC = 2 };
enum {
    RZ_CT_HALF_PIXEL = 0, RZ_CT_ASYMMETRIC = 1, RZ_CT_PYTORCH_HALF_PIXEL = 2,
    RZ_CT_TF_HALF_PIXEL_FOR_NEAREST = 3, RZ_CT_ALIGN_CORNERS = 4, RZ_CT_TF_CROP_AND_RESIZE = 5,
    RZ_CT_HALF_PIXEL_SYMMETRIC = 6
};
enum { RZ_NR_ROUND_PREFER_FLOOR = 0, RZ_NR_ROUND_PREFER_CEIL = 1, RZ_NR_FLOOR = 2,
       RZ_NR_CEIL = 3, RZ_NR_SIMPLE = 4 };

/* Largest filter footprint (taps per output coordinate) accepted for antialiasing. */
#define RZ_MAX_TAPS 4096

/* Reads a constant float tensor (scales / roi) as doubles; an absent or empty input gives 0.
 * Returns -1 (with fc_err) if it is not a compile-time constant or not float. */
static int64_t const_floats(FcGraph *g, FcNode *n, int i, const char *name, double *buf,
                            int64_t max)
{
    const FcValue *v = fc_in(g, n, i);
    if (!v)
        return 0;
    if (v->rank >= 0 && fc_value_numel(v) == 0)
        return 0;
    if (v->dtype != FC_DT_F32 && v->dtype != FC_DT_F64)
        return fc_err(g, n, "input '%s' must be float, not %s", name, fc_dtype_name(v->dtype));
    if (v->kind != FC_VAL_CONST)
        return fc_err_need_const(g, n, name, v);
    int64_t cnt = fc_value_numel(v);
    if (cnt > max)
        return fc_err(g, n, "input '%s' has %lld elements (expected at most %lld)", name,
                      (long long)cnt, (long long)max);
    fc_const_doubles(g, v, buf, max);
    return cnt;
}

/* Whether an axis with out == in and scale 1 maps every coordinate onto itself. */
static int axis_is_identity(int ct, int64_t in, int64_t out, double scale, double rs, double re)
{
    if (in != out || scale != 1.0)
        return 0;
    switch (ct) {
    case RZ_CT_TF_HALF_PIXEL_FOR_NEAREST:
        return 0;
    case RZ_CT_TF_CROP_AND_RESIZE:
        return (rs == 0.0 && re == 1.0) || in == 1;
    default:
        return 1;
    }
}

int fc_prep_resize(FcGraph *g, FcNode *n)
{
    const FcValue *X = fc_in(g, n, 0);
    const int upsample = n->op == FC_OP_UPSAMPLE;
    const int legacy = upsample || g->opset < 11; /* Upsample and Resize-10 */
    const int r = X->rank;
    int64_t axes[FC_MAX_RANK];
    int naxes = r;
    double scales[FC_MAX_RANK], roi[2 * FC_MAX_RANK];
    int64_t sizes[FC_MAX_RANK];
    int64_t nscales = 0, nsizes = 0, nroi = 0;
    int64_t out[FC_MAX_RANK], taps[FC_MAX_RANK];
    double sc[FC_MAX_RANK], rs[FC_MAX_RANK], re[FC_MAX_RANK];
    int d, j;

    /* ---- attributes ---- */
    const char *ms = fc_attr_s(n, "mode", "nearest");
    int mode;
    if (strcmp(ms, "nearest") == 0)
        mode = RZ_NEAREST;
    else if (strcmp(ms, "linear") == 0 || (upsample && strcmp(ms, "bilinear") == 0))
        mode = RZ_LINEAR;
    else if (strcmp(ms, "cubic") == 0 && !legacy)
        mode = RZ_CUBIC;
    else
        return fc_err(g, n, "unsupported mode '%s'", ms);

    int ct = RZ_CT_ASYMMETRIC, nr = RZ_NR_SIMPLE;
    if (!legacy) {
        const char *cs = fc_attr_s(n, "coordinate_transformation_mode", "half_pixel");
        if (strcmp(cs, "half_pixel") == 0)
            ct = RZ_CT_HALF_PIXEL;
        else if (strcmp(cs, "asymmetric") == 0)
            ct = RZ_CT_ASYMMETRIC;
        else if (strcmp(cs, "pytorch_half_pixel") == 0)
            ct = RZ_CT_PYTORCH_HALF_PIXEL;
        else if (strcmp(cs, "tf_half_pixel_for_nearest") == 0)
            ct = RZ_CT_TF_HALF_PIXEL_FOR_NEAREST;
        else if (strcmp(cs, "align_corners") == 0)
            ct = RZ_CT_ALIGN_CORNERS;
        else if (strcmp(cs, "tf_crop_and_resize") == 0)
            ct = RZ_CT_TF_CROP_AND_RESIZE;
        else if (strcmp(cs, "half_pixel_symmetric") == 0 && g->opset >= 19)
            ct = RZ_CT_HALF_PIXEL_SYMMETRIC;
        else
            return fc_err(g, n, "unsupported coordinate_transformation_mode '%s'", cs);
        const char *ns = fc_attr_s(n, "nearest_mode", "round_prefer_floor");
        if (strcmp(ns, "round_prefer_floor") == 0)
            nr = RZ_NR_ROUND_PREFER_FLOOR;
        else if (strcmp(ns, "round_prefer_ceil") == 0)
            nr = RZ_NR_ROUND_PREFER_CEIL;
        else if (strcmp(ns, "floor") == 0)
            nr = RZ_NR_FLOOR;
        else if (strcmp(ns, "ceil") == 0)
            nr = RZ_NR_CEIL;
        else
            return fc_err(g, n, "unsupported nearest_mode '%s'", ns);
    }
    float cubic_a = fc_attr_f(n, "cubic_coeff_a", -0.75f);
    int64_t exclude = fc_attr_i(n, "exclude_outside", 0);
    float extrap = fc_attr_f(n, "extrapolation_value", 0.0f);
    int64_t antialias = fc_attr_i(n, "antialias", 0);
    const char *ks = fc_attr_s(n, "keep_aspect_ratio_policy", "stretch");
    if (exclude != 0 && exclude != 1)
        return fc_err(g, n, "exclude_outside must be 0 or 1, not %lld", (long long)exclude);
    if (antialias != 0 && antialias != 1)
        return fc_err(g, n, "antialias must be 0 or 1, not %lld", (long long)antialias);
    if (antialias && g->opset < 18)
        return fc_err(g, n, "attribute 'antialias' needs opset 18 (model has %lld)",
                      (long long)g->opset);
    if (mode == RZ_NEAREST)
        antialias = 0; /* the antialiasing filter only applies to linear and cubic */
    int policy = 0; /* 0 stretch, 1 not_larger, 2 not_smaller */
    if (strcmp(ks, "stretch") == 0)
        policy = 0;
    else if (strcmp(ks, "not_larger") == 0 && g->opset >= 18)
        policy = 1;
    else if (strcmp(ks, "not_smaller") == 0 && g->opset >= 18)
        policy = 2;
    else
        return fc_err(g, n, "unsupported keep_aspect_ratio_policy '%s'", ks);

    const int64_t *ax;
    int nax = fc_attr_ints(n, "axes", &ax);
    if (nax >= 0) {
        if (g->opset < 18)
            return fc_err(g, n, "attribute 'axes' needs opset 18 (model has %lld)",
                          (long long)g->opset);
        if (nax > r)
            return fc_err(g, n, "axes has %d entries for rank %d", nax, r);
        for (j = 0; j < nax; j++) {
            if (fc_norm_axis(g, n, ax[j], r, &axes[j]) < 0)
                return -1;
            for (d = 0; d < j; d++)
                if (axes[d] == axes[j])
                    return fc_err(g, n, "axis %lld appears twice in axes", (long long)axes[j]);
        }
        naxes = nax;
    } else {
        for (d = 0; d < r; d++)
            axes[d] = d;
    }

    /* ---- dtype ---- */
    if (fc_rt_dtype_size(X->dtype) == 0)
        return fc_err(g, n, "unsupported input dtype %s", fc_dtype_name(X->dtype));
    if (mode != RZ_NEAREST && !(X->dtype == FC_DT_F32 || X->dtype == FC_DT_F64 ||
                                fc_dtype_is_int(X->dtype)))
        return fc_err(g, n, "mode '%s' does not support dtype %s", ms, fc_dtype_name(X->dtype));
    if (ct == RZ_CT_TF_CROP_AND_RESIZE && X->dtype == FC_DT_F16)
        return fc_err(g, n, "tf_crop_and_resize does not support dtype f16");

    /* ---- scales / sizes / roi ---- */
    if (upsample && g->opset < 9) {
        const float *fs;
        int ns = fc_attr_floats(n, "scales", &fs);
        if (ns < 0)
            return fc_err(g, n, "missing attribute 'scales'");
        if (n->nin > 1)
            return fc_err(g, n, "Upsample before opset 9 takes one input, not %d", n->nin);
        if (ns != r)
            return fc_err(g, n, "scales has %d entries for rank %d", ns, r);
        for (d = 0; d < ns; d++)
            scales[d] = fs[d];
        nscales = ns;
    } else if (legacy) {
        if (!fc_in(g, n, 1))
            return fc_err(g, n, "missing input 'scales'");
        nscales = const_floats(g, n, 1, "scales", scales, FC_MAX_RANK);
        if (nscales < 0)
            return -1;
        if (nscales != r)
            return fc_err(g, n, "scales has %lld entries for rank %d", (long long)nscales, r);
        if (n->nin > 2)
            return fc_err(g, n, "takes at most 2 inputs at opset %lld", (long long)g->opset);
    } else {
        nscales = const_floats(g, n, 2, "scales", scales, FC_MAX_RANK);
        if (nscales < 0)
            return -1;
        const FcValue *sv = fc_in(g, n, 3);
        if (sv && !(sv->rank >= 0 && fc_value_numel(sv) == 0)) {
            if (sv->dtype != FC_DT_I64)
                return fc_err(g, n, "input 'sizes' must be i64, not %s", fc_dtype_name(sv->dtype));
            if (sv->kind != FC_VAL_CONST)
                return fc_err_need_const(g, n, "sizes", sv);
            nsizes = fc_value_numel(sv);
            if (nsizes > FC_MAX_RANK)
                return fc_err(g, n, "sizes has %lld entries for rank %d", (long long)nsizes, r);
            fc_const_ints(g, sv, sizes, FC_MAX_RANK);
        }
        if (nscales && nsizes)
            return fc_err(g, n, "only one of 'scales' and 'sizes' may be given");
        if (!nscales && !nsizes)
            return fc_err(g, n, "one of 'scales' and 'sizes' must be given");
        if ((nscales && nscales != naxes) || (nsizes && nsizes != naxes))
            return fc_err(g, n, "%s has %lld entries, expected %d", nscales ? "scales" : "sizes",
                          (long long)(nscales ? nscales : nsizes), naxes);
        if (ct == RZ_CT_TF_CROP_AND_RESIZE) {
            nroi = const_floats(g, n, 1, "roi", roi, 2 * FC_MAX_RANK);
            if (nroi < 0)
                return -1;
            if (nroi != 2 * naxes)
                return fc_err(g, n, "tf_crop_and_resize needs input 'roi' with %d values, got %lld",
                              2 * naxes, (long long)nroi);
        }
    }

    /* ---- per-axis scale, output size, roi (over all r axes) ---- */
    for (d = 0; d < r; d++) {
        sc[d] = 1.0;
        out[d] = X->dims[d];
        rs[d] = 0.0;
        re[d] = 1.0;
    }
    for (j = 0; j < naxes; j++) {
        d = (int)axes[j];
        if (nroi) {
            rs[d] = roi[j];
            re[d] = roi[naxes + j];
        }
        if (nscales) {
            if (!(scales[j] > 0.0) || isinf(scales[j]))
                return fc_err(g, n, "scale %g of axis %d must be positive", scales[j], d);
            sc[d] = scales[j];
            out[d] = (int64_t)floor(scales[j] * (double)X->dims[d]);
        } else {
            if (sizes[j] < 0)
                return fc_err(g, n, "size %lld of axis %d is negative", (long long)sizes[j], d);
            if (X->dims[d] == 0) {
                if (sizes[j] != 0)
                    return fc_err(g, n, "cannot resize the empty axis %d to %lld", d,
                                  (long long)sizes[j]);
                continue;
            }
            sc[d] = (double)sizes[j] / (double)X->dims[d];
            out[d] = sizes[j];
        }
    }
    if (nsizes && policy != 0) {
        double s = policy == 1 ? INFINITY : 0.0;
        for (j = 0; j < naxes; j++) {
            d = (int)axes[j];
            if (X->dims[d] == 0)
                continue;
            if (policy == 1 ? sc[d] < s : sc[d] > s)
                s = sc[d];
        }
        if (isinf(s) || s == 0.0)
            return fc_err(g, n, "keep_aspect_ratio_policy needs a non-empty resized axis");
        for (j = 0; j < naxes; j++) {
            d = (int)axes[j];
            sc[d] = s;
            out[d] = (int64_t)(s * (double)X->dims[d] + 0.5);
        }
    }
    for (d = 0; d < r; d++)
        if (out[d] > 0 && X->dims[d] == 0)
            return fc_err(g, n, "cannot resize the empty axis %d", d);
    if (fc_set_out(g, n, 0, X->dtype, r, out) < 0)
        return -1;

    /* ---- kernel parameters ---- */
    int64_t scratch = 0, active = 0, first = -1, bufn = 0;
    for (d = 0; d < r; d++) {
        if (mode == RZ_NEAREST) {
            taps[d] = 1;
        } else {
            double s = antialias && sc[d] < 1.0 ? sc[d] : 1.0;
            double support = mode == RZ_LINEAR ? 1.0 : 2.0;
            double st = floor(-support / s) + 1.0;
            if (2.0 - 2.0 * st > RZ_MAX_TAPS)
                return fc_err(g, n, "antialiasing filter of axis %d too wide (scale %g)", d,
                              sc[d]);
            taps[d] = (int64_t)(2.0 - 2.0 * st);
        }
    }
    int64_t *ia = fc_pack_ints(g, n, 6 + 3 * r);
    float *fa = fc_pack_floats(g, n, 2 + 2 * r);
    ia[0] = mode;
    ia[1] = ct;
    ia[2] = nr;
    ia[3] = exclude;
    ia[4] = antialias;
    ia[5] = r;
    fa[0] = cubic_a;
    fa[1] = extrap;
    for (d = 0; d < r; d++) {
        int act = !axis_is_identity(ct, X->dims[d], out[d], sc[d], rs[d], re[d]);
        ia[6 + 3 * d] = act;
        ia[6 + 3 * d + 1] = taps[d];
        memcpy(&ia[6 + 3 * d + 2], &sc[d], sizeof(double));
        fa[2 + 2 * d] = (float)rs[d];
        fa[3 + 2 * d] = (float)re[d];
        if (mode == RZ_NEAREST) {
            scratch += out[d] * 8;
        } else if (act) {
            scratch += out[d] * (16 * taps[d] + 8);
            if (first < 0) {
                first = d;
            } else {
                int64_t sz = 1;
                for (j = (int)first; j < r; j++)
                    sz *= j < d ? X->dims[j] : out[j];
                if (sz > bufn)
                    bufn = sz;
            }
            active++;
        }
    }
    if (active >= 2)
        scratch += 8 * bufn * (active > 2 ? 2 : 1);
    n->scratch_bytes = scratch;
    return 0;
}

/* ---- Einsum --------------------------------------------------------------------------- */

#define ES_MAX_LABELS 64
#define ES_ELL 1000 /* label codes >= ES_ELL are broadcast ("...") axes: ES_ELL + k */

/* Parses one term ("ab...c") into label codes: letters keep their character code, the
 * ellipsis is one entry -1. Returns the entry count or -1 (with fc_err). */
static int parse_term(FcGraph *g, FcNode *n, const char *s, size_t len, int *lab, int *has_ell)
{
    int cnt = 0;
    *has_ell = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ' ')
            continue;
        if (c == '.') {
            if (i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.' || *has_ell)
                return fc_err(g, n, "malformed ellipsis in equation");
            *has_ell = 1;
            i += 2;
            if (cnt >= ES_MAX_LABELS)
                return fc_err(g, n, "too many labels in equation");
            lab[cnt++] = -1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return fc_err(g, n, "unexpected character '%c' in equation", c);
        if (cnt >= ES_MAX_LABELS)
            return fc_err(g, n, "too many labels in equation");
        lab[cnt++] = (unsigned char)c;
    }
    return cnt;
}

int fc_prep_einsum(FcGraph *g, FcNode *n)
{
    const char *eq = fc_attr_s(n, "equation", NULL);
    const int m = n->nin;
    if (!eq)
        return fc_err(g, n, "missing attribute 'equation'");
    const FcValue *x0 = fc_in(g, n, 0);
    for (int i = 0; i < m; i++) {
        const FcValue *x = fc_in(g, n, i);
        if (!x)
            return fc_err(g, n, "input %d is absent", i);
        if (x->dtype != x0->dtype)
            return fc_err(g, n, "inputs have different dtypes (%s, %s)", fc_dtype_name(x0->dtype),
                          fc_dtype_name(x->dtype));
    }
    int32_t dt = x0->dtype;
    if (!(dt == FC_DT_F32 || dt == FC_DT_F64 || fc_dtype_is_int(dt)))
        return fc_err(g, n, "unsupported dtype %s", fc_dtype_name(dt));

    const char *arrow = strstr(eq, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - eq) : strlen(eq);
    if (arrow && strstr(arrow + 2, "->"))
        return fc_err(g, n, "equation has more than one '->'");

    /* ---- inputs: map every axis of every input to a label code ---- */
    int (*axis_lab)[FC_MAX_RANK] = fc_arena_alloc(&g->arena, sizeof(int[FC_MAX_RANK]) *
                                                              (size_t)m);
    int ell_rank = 0, any_ell = 0;
    int count[128] = {0};
    int64_t lsize[128];
    for (int c = 0; c < 128; c++)
        lsize[c] = -1;
    int64_t esize[FC_MAX_RANK];
    for (int k = 0; k < FC_MAX_RANK; k++)
        esize[k] = -1;
    const char *p = eq;
    int term = 0;
    int *ell_n = fc_arena_alloc(&g->arena, sizeof(int) * (size_t)m);
    while (1) {
        const char *comma = memchr(p, ',', lhs_len - (size_t)(p - eq));
        size_t len = comma ? (size_t)(comma - p) : lhs_len - (size_t)(p - eq);
        int lab[ES_MAX_LABELS], has_ell;
        if (term >= m)
            return fc_err(g, n, "equation has more terms than the %d inputs", m);
        int cnt = parse_term(g, n, p, len, lab, &has_ell);
        if (cnt < 0)
            return -1;
        const FcValue *x = fc_in(g, n, term);
        int nlab = cnt - has_ell;
        if (has_ell ? nlab > x->rank : nlab != x->rank)
            return fc_err(g, n, "term %d of the equation has %d labels for an input of rank %d",
                          term, nlab, x->rank);
        int en = has_ell ? x->rank - nlab : 0;
        ell_n[term] = en;
        any_ell |= has_ell;
        if (en > ell_rank)
            ell_rank = en;
        int ax = 0;
        for (int k = 0; k < cnt; k++) {
            if (lab[k] < 0) {
                for (int e = 0; e < en; e++)
                    axis_lab[term][ax++] = -1 - e; /* patched below, once ell_rank is known */
            } else {
                axis_lab[term][ax++] = lab[k];
                count[lab[k]]++;
            }
        }
        term++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (term != m)
        return fc_err(g, n, "equation has %d terms for %d inputs", term, m);
    /* broadcast axes are right-aligned: the e-th of an input's en ones is global ell_rank-en+e */
    for (int i = 0; i < m; i++)
        for (int a = 0; a < fc_in(g, n, i)->rank; a++)
            if (axis_lab[i][a] < 0)
                axis_lab[i][a] = ES_ELL + ell_rank - ell_n[i] + (-1 - axis_lab[i][a]);

    /* ---- sizes of every label; repeated labels within one input must agree ---- */
    for (int i = 0; i < m; i++) {
        const FcValue *x = fc_in(g, n, i);
        for (int a = 0; a < x->rank; a++) {
            int l = axis_lab[i][a];
            int64_t *slot = l >= ES_ELL ? &esize[l - ES_ELL] : &lsize[l];
            int64_t dsz = x->dims[a];
            for (int b = 0; b < a; b++)
                if (axis_lab[i][b] == l && x->dims[b] != dsz)
                    return fc_err(g, n, "label '%c' of input %d has sizes %lld and %lld",
                                  l < ES_ELL ? l : '.', i, (long long)x->dims[b],
                                  (long long)dsz);
            if (*slot < 0 || *slot == 1)
                *slot = dsz;
            else if (dsz != 1 && dsz != *slot)
                return fc_err(g, n, "%s%c has sizes %lld and %lld that do not broadcast",
                              l < ES_ELL ? "label " : "", l < ES_ELL ? l : '.',
                              (long long)*slot, (long long)dsz);
        }
    }

    /* ---- output labels ---- */
    int olab[ES_MAX_LABELS + FC_MAX_RANK];
    int nout = 0;
    if (arrow) {
        int lab[ES_MAX_LABELS], has_ell;
        const char *o = arrow + 2;
        int cnt = parse_term(g, n, o, strlen(o), lab, &has_ell);
        if (cnt < 0)
            return -1;
        if (ell_rank > 0 && !has_ell)
            return fc_err(g, n, "the output must keep the '...' axes (summing them is not "
                                "supported)");
        for (int k = 0; k < cnt; k++) {
            if (lab[k] < 0) {
                for (int e = 0; e < ell_rank; e++)
                    olab[nout++] = ES_ELL + e;
                continue;
            }
            if (!count[lab[k]])
                return fc_err(g, n, "output label '%c' is not in any input", lab[k]);
            for (int q = 0; q < nout; q++)
                if (olab[q] == lab[k])
                    return fc_err(g, n, "output label '%c' appears twice", lab[k]);
            olab[nout++] = lab[k];
        }
    } else {
        if (any_ell)
            for (int e = 0; e < ell_rank; e++)
                olab[nout++] = ES_ELL + e;
        for (int c = 0; c < 128; c++)
            if (count[c] == 1)
                olab[nout++] = c;
    }
    if (nout > FC_MAX_RANK)
        return fc_err(g, n, "output rank %d exceeds %d", nout, FC_MAX_RANK);

    /* ---- iteration labels: the output's, then the summed ones ---- */
    int it[ES_MAX_LABELS + FC_MAX_RANK];
    int L = 0;
    for (int q = 0; q < nout; q++)
        it[L++] = olab[q];
    for (int c = 0; c < 128; c++) {
        if (!count[c])
            continue;
        int in_out = 0;
        for (int q = 0; q < nout; q++)
            in_out |= olab[q] == c;
        if (!in_out) {
            if (L >= ES_MAX_LABELS)
                return fc_err(g, n, "too many labels in equation");
            it[L++] = c;
        }
    }
    int64_t odims[FC_MAX_RANK];
    for (int q = 0; q < nout; q++)
        odims[q] = olab[q] >= ES_ELL ? esize[olab[q] - ES_ELL] : lsize[olab[q]];
    if (fc_set_out(g, n, 0, dt, nout, odims) < 0)
        return -1;

    int64_t *ia = fc_pack_ints(g, n, 3 + L + m * L);
    ia[0] = m;
    ia[1] = L;
    ia[2] = nout;
    for (int l = 0; l < L; l++)
        ia[3 + l] = it[l] >= ES_ELL ? esize[it[l] - ES_ELL] : lsize[it[l]];
    for (int i = 0; i < m; i++) {
        const FcValue *x = fc_in(g, n, i);
        int64_t st = 1;
        for (int a = x->rank - 1; a >= 0; a--) {
            if (x->dims[a] != 1)
                for (int l = 0; l < L; l++)
                    if (it[l] == axis_lab[i][a])
                        ia[3 + L + i * L + l] += st;
            st *= x->dims[a];
        }
    }
    n->scratch_bytes = 16 * (int64_t)m;
    return 0;
}
