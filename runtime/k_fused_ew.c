/* k_fused_ew.c — FcElementwise: a chain (or tree) of float32 elementwise ops evaluated in one
 * pass over memory. The optimizer's elementwise-fusion pass compiles the ops into a small
 * register program; this kernel runs it over tiles of FC_EW_TILE output elements, so every
 * intermediate stays in L1-resident tile buffers instead of making a round trip to memory.
 * Inputs with the output's shape are read in place; broadcast inputs (a per-channel bias...)
 * are gathered into a tile buffer first.
 *
 * ia: [ninstr, nregs, then per instruction: op, dst, a, b]
 *   registers 0..nin-1 hold the inputs; an operand < 0 is the immediate fa[-operand - 1].
 * scratch: nregs * FC_EW_TILE floats.
 * exp, sigmoid, tanh, erf and GELU run on k_vmath.c's vectorizable functions.
 * fc-deps: k_vmath.c */
#include "fc_rt.h"

FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_verff(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vtanhf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vsigmoidf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vgeluf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vgelu_tanhf(const float *x, float *y, int64_t n);

#define FC_EW_TILE 256
#define FC_EW_MAX_REGS 40

enum {
    FC_EW_NEG, FC_EW_ABS, FC_EW_EXP, FC_EW_LOG, FC_EW_SQRT, FC_EW_RECIP, FC_EW_RELU,
    FC_EW_SIGMOID, FC_EW_TANH, FC_EW_ERF, FC_EW_GELU, FC_EW_GELU_TANH, FC_EW_LEAKY,
    FC_EW_HARDSIGMOID, FC_EW_HARDSWISH, FC_EW_ADD, FC_EW_SUB, FC_EW_MUL, FC_EW_DIV, FC_EW_MAX,
    FC_EW_MIN, FC_EW_POW
};

/* One unary instruction over a tile; p0/p1 are its immediate parameters (alpha, beta). */
FC_RT_HELPER void fc_ew_unary(int op, int64_t n, const float *a, float *d, float p0, float p1)
{
    int64_t i;
    switch (op) {
    case FC_EW_NEG: for (i = 0; i < n; i++) d[i] = -a[i]; break;
    case FC_EW_ABS: for (i = 0; i < n; i++) d[i] = fabsf(a[i]); break;
    case FC_EW_EXP: fc_rt_vexpf(a, d, n); break;
    case FC_EW_LOG: for (i = 0; i < n; i++) d[i] = logf(a[i]); break;
    case FC_EW_SQRT: for (i = 0; i < n; i++) d[i] = sqrtf(a[i]); break;
    case FC_EW_RECIP: for (i = 0; i < n; i++) d[i] = 1.0f / a[i]; break;
    case FC_EW_RELU: for (i = 0; i < n; i++) d[i] = a[i] > 0.0f ? a[i] : 0.0f; break;
    case FC_EW_SIGMOID: fc_rt_vsigmoidf(a, d, n); break;
    case FC_EW_TANH: fc_rt_vtanhf(a, d, n); break;
    case FC_EW_ERF: fc_rt_verff(a, d, n); break;
    case FC_EW_GELU: fc_rt_vgeluf(a, d, n); break;
    case FC_EW_GELU_TANH: fc_rt_vgelu_tanhf(a, d, n); break;
    case FC_EW_LEAKY: for (i = 0; i < n; i++) d[i] = a[i] >= 0.0f ? a[i] : a[i] * p0; break;
    case FC_EW_HARDSIGMOID:
        for (i = 0; i < n; i++) {
            float v = p0 * a[i] + p1;
            d[i] = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
        }
        break;
    case FC_EW_HARDSWISH:
        for (i = 0; i < n; i++) {
            float v = a[i] / 6.0f + 0.5f;
            d[i] = a[i] * (v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v);
        }
        break;
    default: break;
    }
}

#define FC_EW_BINARY_LOOP(EXPR)                                                             \
    do {                                                                                    \
        if (!a) { float x = ia_; for (i = 0; i < n; i++) { float y = b[i]; d[i] = (EXPR); } } \
        else if (!b) { float y = ib_; for (i = 0; i < n; i++) { float x = a[i]; d[i] = (EXPR); } } \
        else { for (i = 0; i < n; i++) { float x = a[i], y = b[i]; d[i] = (EXPR); } }        \
    } while (0)

/* One binary instruction; a NULL operand is the immediate ia_ (for a) or ib_ (for b). */
FC_RT_HELPER void fc_ew_binary(int op, int64_t n, const float *a, float ia_, const float *b,
                               float ib_, float *d)
{
    int64_t i;
    switch (op) {
    case FC_EW_ADD: FC_EW_BINARY_LOOP(x + y); break;
    case FC_EW_SUB: FC_EW_BINARY_LOOP(x - y); break;
    case FC_EW_MUL: FC_EW_BINARY_LOOP(x * y); break;
    case FC_EW_DIV: FC_EW_BINARY_LOOP(x / y); break;
    case FC_EW_MAX: FC_EW_BINARY_LOOP(x != x ? x : y != y ? y : (x > y ? x : y)); break;
    case FC_EW_MIN: FC_EW_BINARY_LOOP(x != x ? x : y != y ? y : (x < y ? x : y)); break;
    case FC_EW_POW: FC_EW_BINARY_LOOP(powf(x, y)); break;
    default: break;
    }
}

/* Gathers elements [i0, i0+n) of input x broadcast to the output shape into dst. */
FC_RT_HELPER void fc_ew_gather(const FcRtTensor *x, const FcRtTensor *y, int64_t i0, int64_t n,
                               float *dst)
{
    int64_t st[FC_MAX_RANK], idx[FC_MAX_RANK], off = 0, rem = i0, i;
    int32_t r = y->rank, k;
    const float *src = (const float *)x->data;
    fc_rt_bcast_strides(x, r, y->dims, st);
    for (k = r - 1; k >= 0; k--) {
        idx[k] = y->dims[k] ? rem % y->dims[k] : 0;
        rem = y->dims[k] ? rem / y->dims[k] : 0;
        off += idx[k] * st[k];
    }
    for (i = 0; i < n; i++) {
        dst[i] = src[off];
        for (k = r - 1; k >= 0; k--) { /* odometer step */
            off += st[k];
            if (++idx[k] < y->dims[k])
                break;
            off -= st[k] * idx[k];
            idx[k] = 0;
        }
    }
}

/* Runs the program over output elements [i0, i0 + len) with tile buffers `scratch`. */
FC_RT_HELPER void fc_ew_tile(const FcRtNode *n, FcRtTensor *t, const int *same, int64_t i0,
                             int64_t len, float *scratch)
{
    const FcRtTensor *y = fc_rt_out(n, t, 0);
    float *out = (float *)y->data;
    const float *reg[FC_EW_MAX_REGS];
    int64_t ninstr = n->ia[0], j;
    int k;
    for (k = 0; k < n->nin; k++) {
        const FcRtTensor *x = fc_rt_in(n, t, k);
        if (same[k]) {
            reg[k] = (const float *)x->data + i0;
        } else {
            fc_ew_gather(x, y, i0, len, scratch + (int64_t)k * FC_EW_TILE);
            reg[k] = scratch + (int64_t)k * FC_EW_TILE;
        }
    }
    for (j = 0; j < ninstr; j++) {
        const int64_t *in = n->ia + 2 + 4 * j;
        int op = (int)in[0];
        int64_t dst = in[1], a = in[2], b = in[3];
        /* The last instruction writes the output tile directly. */
        float *d = j == ninstr - 1 ? out + i0 : scratch + dst * FC_EW_TILE;
        if (op < FC_EW_ADD) {
            float p0 = b < 0 ? n->fa[-b - 1] : 0.0f;
            float p1 = b < 0 && -b < n->nfa ? n->fa[-b] : 0.0f;
            fc_ew_unary(op, len, reg[a], d, p0, p1);
        } else {
            fc_ew_binary(op, len, a < 0 ? NULL : reg[a], a < 0 ? n->fa[-a - 1] : 0.0f,
                         b < 0 ? NULL : reg[b], b < 0 ? n->fa[-b - 1] : 0.0f, d);
        }
        reg[dst] = d;
    }
}

/* Tiles are independent: they run on FC_RT_THREADS threads, each with its own slice of
 * scratch (nregs tile buffers). */
FC_RT void fc_rt_fused_elementwise(const FcRtNode *n, FcRtTensor *t)
{
    int64_t total = fc_rt_numel(fc_rt_out(n, t, 0)), tile, ntiles;
    int64_t slice = n->ia[1] * FC_EW_TILE;
    int same[FC_EW_MAX_REGS];
    int k;
    for (k = 0; k < n->nin; k++)
        same[k] = fc_rt_numel(fc_rt_in(n, t, k)) == total;
    ntiles = (total + FC_EW_TILE - 1) / FC_EW_TILE;
    FC_RT_OMP_FOR_IF(total >= FC_RT_PAR_MIN_WORK)
    for (tile = 0; tile < ntiles; tile++) {
        int64_t i0 = tile * FC_EW_TILE;
        fc_ew_tile(n, t, same, i0, total - i0 < FC_EW_TILE ? total - i0 : FC_EW_TILE,
                   (float *)n->scratch + FC_RT_TID() * slice);
    }
}
