/* k_einsum.c — the Einsum kernel (fc_rt_einsum): a generic strided sum of products.
 *
 * fc_prep_einsum (ir/op_resize.c) parses the equation into an iteration space of L labels:
 * first the output's axes in output order (explicit labels and the broadcast "..." axes),
 * then the summed labels. Every input gets one element stride per label: the sum of the
 * strides of its axes carrying that label (so a repeated label walks a diagonal), 0 for a
 * label it does not have or an axis of size 1 that broadcasts. The output is contiguous and
 * walked in row-major order over its labels; for each output element the kernel sums, over
 * every combination of the summed labels, the product of one element of every input.
 *
 * Floats accumulate in double; integers in 64-bit two's complement (wrapping like the
 * narrower C types do), then are converted to the output type.
 *
 * Parameter layout:
 *   ia[0] number of inputs m, ia[1] number of labels L, ia[2] output rank (labels 0..ia[2]-1)
 *   ia[3 + l]            size of label l (l < L)
 *   ia[3 + L + i*L + l]  element stride of input i along label l
 * Scratch: 2*m int64 (running element offsets of every input).
 */
#include "fc_rt.h"

/* Advances the odometer over labels [lo, hi) (last fastest) and the offsets of all m inputs.
 * Returns 0 when it wrapped around to all zeros. */
FC_RT_HELPER int fc_einsum_step(int64_t *cnt, const int64_t *size, const int64_t *st,
                                int64_t L, int64_t lo, int64_t hi, int64_t m, int64_t *off)
{
    int64_t l, i;
    for (l = hi - 1; l >= lo; l--) {
        for (i = 0; i < m; i++)
            off[i] += st[i * L + l];
        if (++cnt[l] < size[l])
            return 1;
        for (i = 0; i < m; i++)
            off[i] -= st[i * L + l] * size[l];
        cnt[l] = 0;
    }
    return 0;
}

/* Sum over q < nq of the product over inputs i of element off[i] + q * st[i*L + l]. */
FC_RT_HELPER double fc_einsum_run_f(const FcRtNode *n, const FcRtTensor *t, int32_t dt,
                                    int64_t m, const int64_t *off, const int64_t *st, int64_t L,
                                    int64_t l, int64_t nq)
{
    double acc = 0.0;
    int64_t q, i;
    if (dt == FC_DT_F32 && m == 2) {
        /* dot product of two strided float vectors, four partial sums */
        const float *a = (const float *)t[n->in[0]].data + off[0];
        const float *b = (const float *)t[n->in[1]].data + off[1];
        int64_t sa = st[l], sb = st[L + l];
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        for (q = 0; q < nq - nq % 4; q += 4) {
            a0 += (double)a[q * sa] * (double)b[q * sb];
            a1 += (double)a[(q + 1) * sa] * (double)b[(q + 1) * sb];
            a2 += (double)a[(q + 2) * sa] * (double)b[(q + 2) * sb];
            a3 += (double)a[(q + 3) * sa] * (double)b[(q + 3) * sb];
        }
        for (q = nq - nq % 4; q < nq; q++)
            a0 += (double)a[q * sa] * (double)b[q * sb];
        return (a0 + a1) + (a2 + a3);
    }
    if (dt == FC_DT_F64 && m == 2) {
        const double *a = (const double *)t[n->in[0]].data + off[0];
        const double *b = (const double *)t[n->in[1]].data + off[1];
        int64_t sa = st[l], sb = st[L + l];
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        for (q = 0; q < nq - nq % 4; q += 4) {
            a0 += a[q * sa] * b[q * sb];
            a1 += a[(q + 1) * sa] * b[(q + 1) * sb];
            a2 += a[(q + 2) * sa] * b[(q + 2) * sb];
            a3 += a[(q + 3) * sa] * b[(q + 3) * sb];
        }
        for (q = nq - nq % 4; q < nq; q++)
            a0 += a[q * sa] * b[q * sb];
        return (a0 + a1) + (a2 + a3);
    }
    for (q = 0; q < nq; q++) {
        double p = 1.0;
        if (dt == FC_DT_F32)
            for (i = 0; i < m; i++)
                p *= (double)((const float *)t[n->in[i]].data)[off[i] + q * st[i * L + l]];
        else
            for (i = 0; i < m; i++)
                p *= ((const double *)t[n->in[i]].data)[off[i] + q * st[i * L + l]];
        acc += p;
    }
    return acc;
}

FC_RT_HELPER uint64_t fc_einsum_run_i(const FcRtNode *n, const FcRtTensor *t, int32_t dt,
                                      int64_t m, const int64_t *off, const int64_t *st,
                                      int64_t L, int64_t l, int64_t nq)
{
    uint64_t acc = 0;
    int64_t q, i;
    for (q = 0; q < nq; q++) {
        uint64_t p = 1;
        for (i = 0; i < m; i++)
            p *= (uint64_t)fc_rt_get_i64(t[n->in[i]].data, dt, off[i] + q * st[i * L + l]);
        acc += p;
    }
    return acc;
}

FC_RT void fc_rt_einsum(const FcRtNode *n, FcRtTensor *t)
{
    const int64_t *ia = n->ia;
    int64_t m = ia[0], L = ia[1], nout = ia[2], i, l, e, s;
    const int64_t *size = ia + 3, *st = ia + 3 + L;
    int64_t *base = (int64_t *)n->scratch, *off = base + m;
    int64_t cnt[64], zero = 0;
    int64_t out_numel = 1, outer_sum = 1, nq = 1, lq;
    FcRtTensor *Y = fc_rt_out(n, t, 0);
    int32_t dt = Y->dtype;
    int isf = dt == FC_DT_F32 || dt == FC_DT_F64;

    for (l = 0; l < L; l++) {
        cnt[l] = 0;
        if (l < nout)
            out_numel *= size[l];
    }
    /* the last summed label is the innermost loop; the other summed labels run an odometer */
    if (L > nout) {
        lq = L - 1;
        nq = size[lq];
        for (l = nout; l < lq; l++)
            outer_sum *= size[l];
    } else {
        lq = 0;
        nq = 1;
        st = &zero; /* one product per output element: no stride is read */
        L = 0;
    }
    for (i = 0; i < m; i++)
        base[i] = 0;
    for (e = 0; e < out_numel; e++) {
        double facc = 0.0;
        uint64_t iacc = 0;
        for (i = 0; i < m; i++)
            off[i] = base[i];
        for (s = 0; s < outer_sum; s++) {
            if (isf)
                facc += fc_einsum_run_f(n, t, dt, m, off, st, L, lq, nq);
            else
                iacc += fc_einsum_run_i(n, t, dt, m, off, st, L, lq, nq);
            if (L > nout)
                fc_einsum_step(cnt, size, st, L, nout, lq, m, off);
        }
        if (isf)
            fc_rt_set_f64(Y->data, dt, e, facc);
        else
            fc_rt_set_i64(Y->data, dt, e, (int64_t)iacc);
        if (nout > 0)
            fc_einsum_step(cnt, size, ia + 3 + ia[1], ia[1], 0, nout, m, base);
    }
}
