/* op_fused.c — prepare for the ops only the optimizer creates (never read from ONNX files):
 * FcLinear (MatMul + bias + activation + residual), FcBatchedGemm (a batched MatMul with
 * transposed operands and result), FcChannelNorm (LayerNorm over the channel axis).
 * Kernels: runtime/k_linear.c, runtime/k_gemm.c, runtime/k_norm.c. */
#include <string.h>
#include "ir.h"

int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
int64_t fc_rt_linear_moved_work(int64_t rows, int64_t N, int64_t K);

/* FcLinear(X[..., K], W[K, N] [, B[N] [, R[..., N]]]) {activation=0, out_axis=rank-1}:
 * Y[..., N] = act(X @ W + B) + R, R (the residual) of Y's shape. With out_axis = a < rank - 1
 * the N axis of Y is axis a (the others keep their order): Transpose(act(X @ W + B)) + R
 * (passes/fold_linear_transpose.c); runtime/k_linear.c writes each block of rows there. */
int fc_prep_linear(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *w = fc_in(g, n, 1), *b = fc_in(g, n, 2), *r = fc_in(g, n, 3);
    if (x->dtype != FC_DT_F32 || w->dtype != FC_DT_F32 || (b && b->dtype != FC_DT_F32))
        return fc_err(g, n, "FcLinear supports float32 only");
    if (x->rank < 1 || w->rank != 2 || x->dims[x->rank - 1] != w->dims[0])
        return fc_err(g, n, "FcLinear needs X[..., K] and W[K, N]");
    if (b && fc_value_numel(b) != w->dims[1])
        return fc_err(g, n, "FcLinear bias must hold N values");
    int64_t dims[FC_MAX_RANK], K = w->dims[0], N = w->dims[1], inner = 1;
    int64_t axis = fc_attr_i(n, "out_axis", x->rank - 1);
    if (axis < 0 || axis >= x->rank)
        return fc_err(g, n, "FcLinear out_axis %lld is not an axis of the output",
                      (long long)axis);
    for (int i = 0, k = 0; i < x->rank; i++)
        dims[i] = i == axis ? N : x->dims[k++];
    for (int i = (int)axis + 1; i < x->rank; i++)
        inner *= dims[i];
    if (r && (r->dtype != FC_DT_F32 || r->rank != x->rank ||
              memcmp(r->dims, dims, sizeof(int64_t) * (size_t)x->rank) != 0))
        return fc_err(g, n, "FcLinear residual must be float32 of the output's shape");
    if (fc_set_out(g, n, 0, FC_DT_F32, x->rank, dims))
        return -1;
    int64_t M = K ? fc_value_numel(x) / K : 0, parts = g->threads > 1 ? g->threads : 1;
    int64_t *ia = fc_pack_ints(g, n, 11);
    ia[0] = M;
    ia[1] = K;
    ia[2] = N;
    ia[3] = b != NULL;
    ia[4] = fc_attr_i(n, "activation", 0);
    if (ia[4] < 0 || ia[4] > 3)
        return fc_err(g, n, "unknown FcLinear activation %lld", (long long)ia[4]);
    /* one part per thread (runtime/k_linear.c): by rows when each part keeps >= 256 rows
     * (then the thread that wrote a block of rows is the one the next row-wise op reads it
     * with, instead of half of every row coming from the other core's cache), else by
     * columns when each part keeps >= 64 */
    ia[5] = axis == x->rank - 1 && (parts == 1 || (M < 256 * parts && N >= 64 * parts));
    ia[9] = axis != x->rank - 1;
    ia[10] = inner;
    if (ia[9]) {
        /* rows in blocks: each GEMM block goes through a buffer into the moved layout */
        ia[6] = (M + parts - 1) / parts;
        ia[7] = fc_rt_linear_moved_work(ia[6] < M ? ia[6] : M, N, K);
    } else if (ia[5]) {
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

/* An FcBatchedGemm perm attribute of rank r (identity when absent); -1 if not a permutation. */
static int bgemm_perm(FcGraph *g, FcNode *n, const char *name, int r, int64_t *perm)
{
    const int64_t *v;
    int cnt = fc_attr_ints(n, name, &v), seen[FC_MAX_RANK] = {0};
    if (cnt < 0) {
        for (int i = 0; i < r; i++)
            perm[i] = i;
        return 0;
    }
    if (cnt != r)
        return fc_err(g, n, "%s has %d entries for rank %d", name, cnt, r);
    for (int i = 0; i < r; i++) {
        if (v[i] < 0 || v[i] >= r || seen[v[i]])
            return fc_err(g, n, "%s is not a permutation", name);
        seen[v[i]] = 1;
        perm[i] = v[i];
    }
    return 0;
}

/* Operand x read as Transpose(x, perm): its dims and per-axis strides in floats, and
 * whether the matrix is transposed in memory (its contiguous axis is the rows, axis r-2). */
static int bgemm_view(FcGraph *g, FcNode *n, const FcValue *x, const char *pname,
                      int64_t *dims, int64_t *str, int *trans)
{
    int64_t perm[FC_MAX_RANK], st[FC_MAX_RANK], s = 1;
    int r = x->rank;
    if (x->dtype != FC_DT_F32 || r < 2)
        return fc_err(g, n, "FcBatchedGemm needs float32 operands of rank >= 2");
    if (bgemm_perm(g, n, pname, r, perm))
        return -1;
    for (int i = r - 1; i >= 0; i--) {
        st[i] = s;
        s *= x->dims[i];
    }
    for (int i = 0; i < r; i++) {
        dims[i] = x->dims[perm[i]];
        str[i] = st[perm[i]];
    }
    if (perm[r - 1] != r - 1 && perm[r - 2] != r - 1)
        return fc_err(g, n, "%s must keep the innermost axis in the last two", pname);
    *trans = perm[r - 1] != r - 1;
    return 0;
}

/* FcBatchedGemm(A, B) {permA, permB, permY, alpha=1}:
 *   Y = Transpose(alpha * (Transpose(A, permA) @ Transpose(B, permB)), permY)
 * with MatMul's batch broadcasting (operands of rank >= 2). The transposes are strided
 * reads and writes of the GEMM (runtime/k_gemm.c), so each perm must keep the operand's
 * innermost axis among its two matrix axes, and permY must keep the last axis last. */
int fc_prep_batched_gemm(FcGraph *g, FcNode *n)
{
    const FcValue *a = fc_in(g, n, 0), *b = fc_in(g, n, 1);
    int64_t da[FC_MAX_RANK], sa[FC_MAX_RANK], db[FC_MAX_RANK], sb[FC_MAX_RANK];
    int64_t z[FC_MAX_RANK], bdims[FC_MAX_RANK], astr[FC_MAX_RANK], bstr[FC_MAX_RANK];
    int64_t perm[FC_MAX_RANK], dims[FC_MAX_RANK], yst[FC_MAX_RANK], zst[FC_MAX_RANK], s = 1;
    int ta, tb;
    if (bgemm_view(g, n, a, "permA", da, sa, &ta) || bgemm_view(g, n, b, "permB", db, sb, &tb))
        return -1;
    int ra = a->rank, rb = b->rank, nb = (ra > rb ? ra : rb) - 2, rz = nb + 2;
    int64_t M = da[ra - 2], K = da[ra - 1], N = db[rb - 1];
    if (db[rb - 2] != K)
        return fc_err(g, n, "inner dimensions differ (%lld vs %lld)", (long long)K,
                      (long long)db[rb - 2]);
    for (int i = 0; i < nb; i++) {
        int ja = i - (rz - ra), jb = i - (rz - rb);
        int64_t x = ja >= 0 ? da[ja] : 1, y = jb >= 0 ? db[jb] : 1;
        if (x != y && x != 1 && y != 1)
            return fc_err(g, n, "batch dimensions do not broadcast (%lld vs %lld)",
                          (long long)x, (long long)y);
        bdims[i] = x == 1 ? y : x;
        astr[i] = x == 1 ? 0 : sa[ja];
        bstr[i] = y == 1 ? 0 : sb[jb];
        z[i] = bdims[i];
    }
    z[nb] = M;
    z[nb + 1] = N;
    if (bgemm_perm(g, n, "permY", rz, perm))
        return -1;
    if (perm[rz - 1] != rz - 1)
        return fc_err(g, n, "permY must keep the last axis last");
    for (int i = 0; i < rz; i++)
        dims[i] = z[perm[i]];
    for (int i = rz - 1; i >= 0; i--) {
        yst[i] = s;
        s *= dims[i];
    }
    for (int i = 0; i < rz; i++)
        zst[perm[i]] = yst[i]; /* stride of Z's axis perm[i], stored at position i */
    if (fc_set_out(g, n, 0, FC_DT_F32, rz, dims))
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 9 + 4 * nb);
    ia[0] = M;
    ia[1] = N;
    ia[2] = K;
    ia[3] = nb;
    ia[4] = ta;
    ia[5] = ta ? sa[ra - 1] : sa[ra - 2];
    ia[6] = tb;
    ia[7] = tb ? sb[rb - 1] : sb[rb - 2];
    ia[8] = zst[rz - 2];
    for (int i = 0; i < nb; i++) {
        ia[9 + i] = bdims[i];
        ia[9 + nb + i] = astr[i];
        ia[9 + 2 * nb + i] = bstr[i];
        ia[9 + 3 * nb + i] = zst[i];
    }
    fc_pack_floats(g, n, 1)[0] = fc_attr_f(n, "alpha", 1.0f);
    /* batches run in parallel: one work area per thread (runtime/k_gemm.c) */
    n->scratch_bytes = 4 * fc_rt_sgemm_work(M, N, K) * (g->threads > 1 ? g->threads : 1);
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
    /* channels_last: each thread's copy of a tile (runtime/k_norm.c FC_CN_TILE positions) */
    n->scratch_bytes = last ? 4 * c * 64 * (g->threads > 1 ? g->threads : 1) : 0;
    return 0;
}
