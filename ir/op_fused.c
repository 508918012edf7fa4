/* op_fused.c — prepare for the ops only the optimizer creates (never read from ONNX files):
 * FcLinear (MatMul + bias + activation; runtime/k_linear.c), FcElementwise (runtime/k_fused_ew.c)
 * and FcChannelNorm (LayerNorm over the channel axis; runtime/k_norm.c). */
#include <string.h>
#include "ir.h"

int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);

/* FcLinear(X[..., K], W[K, N] [, B[N]]) {activation=0}: Y[..., N]. */
int fc_prep_linear(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1), *b = fc_in(g, n, 2);
    if (x->dtype != FC_DT_F32 || w->dtype != FC_DT_F32 || (b && b->dtype != FC_DT_F32))
        return fc_err(g, n, "FcLinear supports float32 only");
    if (x->rank < 1 || w->rank != 2 || x->dims[x->rank - 1] != w->dims[0])
        return fc_err(g, n, "FcLinear needs X[..., K] and W[K, N]");
    if (b && fc_value_numel(b) != w->dims[1])
        return fc_err(g, n, "FcLinear bias must hold N values");
    int64_t dims[FC_MAX_RANK], K = w->dims[0], N = w->dims[1];
    for (int i = 0; i < x->rank - 1; i++)
        dims[i] = x->dims[i];
    dims[x->rank - 1] = N;
    if (fc_set_out(g, n, 0, FC_DT_F32, x->rank, dims))
        return -1;
    int64_t M = K ? fc_value_numel(x) / K : 0, parts = g->threads > 1 ? g->threads : 1;
    int64_t *ia = fc_pack_ints(g, n, 9);
    ia[0] = M;
    ia[1] = K;
    ia[2] = N;
    ia[3] = b != NULL;
    ia[4] = fc_attr_i(n, "activation", 0);
    if (ia[4] < 0 || ia[4] > 3)
        return fc_err(g, n, "unknown FcLinear activation %lld", (long long)ia[4]);
    /* one part per thread (runtime/k_linear.c): by columns when each part keeps >= 64 */
    ia[5] = parts == 1 || N >= 64 * parts;
    if (ia[5]) {
        ia[6] = (N + parts - 1) / parts;
        ia[6] = parts == 1 ? N : (ia[6] + 15) / 16 * 16;
        ia[7] = fc_rt_sgemm_work(M, ia[6] < N ? ia[6] : N, K);
    } else {
        ia[6] = (M + parts - 1) / parts;
        ia[7] = fc_rt_sgemm_work(ia[6], N, K);
    }
    ia[8] = 0; /* W prepacked: only the C emitter sets it (codegen/emit_c.c) */
    n->scratch_bytes = 4 * ia[7] * parts;
    return 0;
}

/* FcElementwise(inputs...) {program=[op, dst, a, b, ...], immediates=[...]}: a fused chain of
 * float32 elementwise ops (see runtime/k_fused_ew.c for the encoding). The output has the
 * broadcast shape of all inputs. */
int fc_prep_fused_elementwise(FcGraph *g, FcNode *n)
{
    const int64_t *prog;
    const float *imm;
    int np = fc_attr_ints(n, "program", &prog), nimm = fc_attr_floats(n, "immediates", &imm);
    if (np < 4 || np % 4)
        return fc_err(g, n, "FcElementwise needs a program of 4-int instructions");
    int rank = 0;
    int64_t dims[FC_MAX_RANK];
    for (int i = 0; i < n->nin; i++) {
        FcValue *x = fc_in(g, n, i);
        if (!x || x->dtype != FC_DT_F32)
            return fc_err(g, n, "FcElementwise inputs must be float32");
        if (fc_broadcast_shape(g, n, rank, dims, x->rank, x->dims, &rank, dims))
            return -1;
    }
    if (fc_set_out(g, n, 0, FC_DT_F32, rank, dims))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 2 + np);
    int64_t nregs = n->nin;
    for (int i = 0; i < np; i += 4)
        nregs = prog[i + 1] + 1 > nregs ? prog[i + 1] + 1 : nregs;
    ia[0] = np / 4;
    ia[1] = nregs;
    for (int i = 0; i < np; i++)
        ia[2 + i] = prog[i];
    if (nimm > 0) {
        float *fa = fc_pack_floats(g, n, nimm);
        for (int i = 0; i < nimm; i++)
            fa[i] = imm[i];
    }
    /* one set of tile buffers per thread (runtime/k_fused_ew.c) */
    n->scratch_bytes = nregs * 256 * (int64_t)sizeof(float) * (g->threads > 1 ? g->threads : 1);
    return 0;
}

/* FcChannelNorm(X[N, C, d...], Scale, B) {epsilon, channels_last=0}: LayerNormalization over
 * axis 1 alone. Scale and B hold C values laid out to broadcast along axis 1 ([C, 1, ..] with
 * rank >= r-1), so the node reads as standard broadcasting (and exports as the LayerNorm
 * formula). channels_last=1 writes the result transposed to Y[N, d..., C] (perm
 * [0,2,..,r-1,1]), as a channels-last LayerNorm reading Transpose(X) would. */
int fc_prep_channel_norm(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (x->dtype != FC_DT_F32 || x->rank < 2)
        return fc_err(g, n, "FcChannelNorm needs a float32 X of rank >= 2");
    int64_t c = x->dims[1], inner = 1;
    for (int i = 1; i < 3; i++) {
        FcValue *p = fc_in(g, n, i);
        if (!p)
            continue;
        int ok = p->dtype == FC_DT_F32 && p->rank >= x->rank - 1 && p->rank <= x->rank;
        for (int d = 0; ok && d < p->rank; d++) {
            int axis = x->rank - p->rank + d;
            ok = p->dims[d] == (axis == 1 ? c : 1);
        }
        if (!ok)
            return fc_err(g, n, "FcChannelNorm %s must be float32 [%lld, 1, ...] (per channel)",
                          i == 1 ? "Scale" : "B", (long long)c);
    }
    int64_t last = fc_attr_i(n, "channels_last", 0), dims[FC_MAX_RANK];
    if (last != 0 && last != 1)
        return fc_err(g, n, "FcChannelNorm channels_last must be 0 or 1");
    for (int i = 0; i < x->rank; i++)
        dims[i] = !last || i == 0 ? x->dims[i] : i == x->rank - 1 ? c : x->dims[i + 1];
    for (int i = 2; i < x->rank; i++)
        inner *= x->dims[i];
    if (fc_set_out(g, n, 0, FC_DT_F32, x->rank, dims))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 5);
    ia[0] = x->dims[0];
    ia[1] = c;
    ia[2] = inner;
    ia[3] = fc_in(g, n, 2) != NULL;
    ia[4] = last;
    fc_pack_floats(g, n, 1)[0] = fc_attr_f(n, "epsilon", 1e-5f);
    return 0;
}
