/* k_rnn.c — the ONNX recurrent layers RNN, GRU and LSTM (fc_rt_rnn, fc_rt_gru, fc_rt_lstm),
 * float32, all three directions, both layouts, sequence_lens, clip and every activation the
 * ONNX specification lists.
 *
 * Packed parameters (the same for the three kernels; ir/op_rnn.c packs them):
 *   ia[0] T  seq_length          ia[1] B  batch_size        ia[2] I  input_size
 *   ia[3] H  hidden_size         ia[4] D  directions (1, or 2 for bidirectional)
 *   ia[5] reverse: D == 1 and direction "reverse"
 *   ia[6] layout 0: X [T, B, I], Y [T, D, B, H], initial_h / initial_c / Y_h / Y_c [D, B, H];
 *         layout 1: X [B, T, I], Y [B, T, D, H], the states [B, D, H]
 *   ia[7] GRU: linear_before_reset; LSTM: input_forget; RNN: 0
 *   ia[8] 1 if `clip` was given
 *   ia[9 + 3d + k] activation k of direction d, FC_RNN_* below (RNN: f; GRU: f, g;
 *         LSTM: f, g, h)
 *   fa[0] the clip threshold; fa[1 + 2 (3d + k)], fa[2 + 2 (3d + k)]: alpha and beta of
 *         activation k of direction d (defaults already filled in)
 * Inputs: X, W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] (optional), sequence_lens [B] int32
 * (optional), initial_h (optional); LSTM also initial_c and P [D, 3*H] (optional); G is the
 * number of gates: 1 (RNN), 3 (GRU: z, r, h), 4 (LSTM: i, o, f, c). Outputs, each optional:
 * Y, Y_h, and for LSTM Y_c. Scratch: fc_rt_rnn_scratch_floats(ia, G) floats.
 *
 * Method, per direction: one GEMM projects every time step's input at once (X W^T over all
 * T*B rows, biases added after), so each step is left with the B-row GEMM of the previous
 * state by R^T and the elementwise gate arithmetic. R^T is packed once per direction into
 * k_gemm.c's prepacked layout (fc_rt_sgemm_prepack), so the steps' GEMMs do not pack it again
 * at every step (LSTM, 256 units, input 256, batch 8, 100 steps, -march=native: 20.0 ->
 * 10.5 ms, fastest of 30, outputs bitwise the same). Sigmoid and tanh go through k_vmath.c's
 * vectorized array functions (a step's gate values are contiguous per batch row).
 * sequence_lens: batch b runs the steps t < len_b only (the reverse direction from len_b - 1
 * down to 0); Y is zero at the other steps and Y_h / Y_c hold the state after b's last step
 * (initial_h for len_b = 0), as in the ONNX reference and ONNX Runtime. Lengths are clamped
 * to [0, T]. `clip` bounds the input of every gate activation to [-clip, clip]; LSTM's
 * h(C_t) is not clipped (ONNX Runtime's reading: C_t is a state, not a gate input).
 * LSTM input_forget couples the gates as f = 1 - i (ONNX Runtime's reading).
 * fc-deps: k_gemm.c, k_vmath.c
 */
#include "fc_rt.h"

/* From k_gemm.c and k_vmath.c (pasted before this file in generated C, linked in the
 * compiler). */
FC_RT int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT void fc_rt_sgemm_prepacked(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                 const float *Wp, float *C, int64_t ldc, float *work);
FC_RT void fc_rt_sgemm_prepack(int64_t K, int64_t N, const float *W, float *Wp);
FC_RT int64_t fc_rt_sgemm_prepacked_floats(int64_t K, int64_t N);
FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vtanhf(const float *x, float *y, int64_t n);
FC_RT void fc_rt_vsigmoidf(const float *x, float *y, int64_t n);

/* Activation codes (ia[9 ...]); ir/op_rnn.c names them. */
enum {
    FC_RNN_RELU = 0, FC_RNN_TANH = 1, FC_RNN_SIGMOID = 2, FC_RNN_AFFINE = 3,
    FC_RNN_LEAKY_RELU = 4, FC_RNN_THRESHOLDED_RELU = 5, FC_RNN_SCALED_TANH = 6,
    FC_RNN_HARD_SIGMOID = 7, FC_RNN_ELU = 8, FC_RNN_SOFTSIGN = 9, FC_RNN_SOFTPLUS = 10
};

enum { FC_RNN_KIND_RNN = 1, FC_RNN_KIND_GRU = 3, FC_RNN_KIND_LSTM = 4 }; /* = gate count */

typedef struct FcRnnAct {
    int code;
    float alpha, beta;
} FcRnnAct;

/* One call's shapes, operands and scratch buffers. */
typedef struct FcRnn {
    int64_t T, B, I, H, D, G;
    int reverse, layout, flag, clip;
    float clipv;
    const float *x, *w, *r, *bias, *h0, *c0, *p;
    const int32_t *lens;
    float *y, *yh, *yc;
    float *xw;   /* [T*B rows][G*H]: X W^T + biases, rows in X's order */
    float *hr;   /* [B][G*H]: a step's gate pre-activations */
    float *h, *c; /* [B][H]: the state */
    float *tmp;  /* [B][H]: GRU r (.) h, LSTM the new cell state */
    float *bsum; /* [G*H]: the biases added to every row of xw */
    float *rt;   /* [H][G*H]: R_d^T row-major, the packer's input */
    float *rp[2]; /* R_d^T packed: columns [0, G*H), or for GRU with linear_before_reset 0
                   * the z, r columns [0, 2H) and the h columns [2H, 3H) apart */
    float *work; /* the GEMMs' work memory */
} FcRnn;

/* Whether the recurrent GEMM is split in two (GRU, linear_before_reset 0: r (.) H is
 * multiplied by R_h only after r is known). */
FC_RT_HELPER int fc_rnn_split_r(int64_t G, int64_t flag)
{
    return G == FC_RNN_KIND_GRU && !flag;
}

/* Floats of R_d^T packed (both parts when split). */
FC_RT_HELPER int64_t fc_rnn_packed_floats(int64_t G, int64_t H, int64_t flag)
{
    if (fc_rnn_split_r(G, flag))
        return fc_rt_sgemm_prepacked_floats(H, 2 * H) + fc_rt_sgemm_prepacked_floats(H, H);
    return fc_rt_sgemm_prepacked_floats(H, G * H);
}

/* Scratch floats of one call: xw, hr, h, c, tmp, bsum, R^T unpacked and packed, and the
 * larger GEMM's work. */
FC_RT int64_t fc_rt_rnn_scratch_floats(const int64_t *ia, int64_t G)
{
    const int64_t T = ia[0], B = ia[1], I = ia[2], H = ia[3];
    int64_t wx = fc_rt_sgemm_work(T * B, G * H, I), wh = fc_rt_sgemm_work(B, G * H, H);
    return T * B * G * H + B * G * H + 3 * B * H + G * H + H * G * H +
           fc_rnn_packed_floats(G, H, ia[7]) + (wx > wh ? wx : wh);
}

/* ---- activations ------------------------------------------------------------------------ */

/* x[i] = max(-c, min(c, x[i])) */
FC_RT_HELPER void fc_rnn_clip(float *x, int64_t n, float c)
{
    int64_t i;
    for (i = 0; i < n; i++)
        x[i] = x[i] < -c ? -c : x[i] > c ? c : x[i];
}

/* Elu through the vectorized exp, a block at a time (x is overwritten). */
FC_RT_HELPER void fc_rnn_elu(float *x, int64_t n, float alpha)
{
    float e[64];
    int64_t i, j;
    for (i = 0; i < n; i += 64) {
        int64_t m = n - i < 64 ? n - i : 64;
        fc_rt_vexpf(x + i, e, m);
        for (j = 0; j < m; j++)
            x[i + j] = x[i + j] >= 0.0f ? x[i + j] : alpha * (e[j] - 1.0f);
    }
}

/* log(1 + e^x) without overflow for large x (no vectorized log exists: libm per element). */
FC_RT_HELPER void fc_rnn_softplus(float *x, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        x[i] = x[i] > 0.0f ? x[i] + log1pf(expf(-x[i])) : log1pf(expf(x[i]));
}

/* x[i] = alpha x[i] + beta */
FC_RT_HELPER void fc_rnn_affine(float *x, int64_t n, float alpha, float beta)
{
    int64_t i;
    for (i = 0; i < n; i++)
        x[i] = alpha * x[i] + beta;
}

/* Applies activation a to x[0..n) in place (the formulas of the ONNX RNN specification). */
FC_RT_HELPER void fc_rnn_activate(const FcRnnAct *a, float *x, int64_t n)
{
    int64_t i;
    switch (a->code) {
    case FC_RNN_TANH: fc_rt_vtanhf(x, x, n); break;
    case FC_RNN_SIGMOID: fc_rt_vsigmoidf(x, x, n); break;
    case FC_RNN_AFFINE: fc_rnn_affine(x, n, a->alpha, a->beta); break;
    case FC_RNN_SCALED_TANH:
        fc_rnn_affine(x, n, a->beta, 0.0f);
        fc_rt_vtanhf(x, x, n);
        fc_rnn_affine(x, n, a->alpha, 0.0f);
        break;
    case FC_RNN_ELU: fc_rnn_elu(x, n, a->alpha); break;
    case FC_RNN_SOFTPLUS: fc_rnn_softplus(x, n); break;
    default:
        for (i = 0; i < n; i++) {
            float v = x[i];
            switch (a->code) {
            case FC_RNN_RELU: v = v > 0.0f ? v : 0.0f; break;
            case FC_RNN_LEAKY_RELU: v = v >= 0.0f ? v : a->alpha * v; break;
            case FC_RNN_THRESHOLDED_RELU: v = v >= a->alpha ? v : 0.0f; break;
            case FC_RNN_HARD_SIGMOID:
                v = a->alpha * v + a->beta;
                v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
                break;
            case FC_RNN_SOFTSIGN: v = v / (1.0f + fabsf(v)); break;
            default: break;
            }
            x[i] = v;
        }
        break;
    }
}

/* Activation k of direction d. */
FC_RT_HELPER FcRnnAct fc_rnn_act(const FcRtNode *n, int64_t d, int k)
{
    FcRnnAct a;
    a.code = (int)n->ia[9 + 3 * d + k];
    a.alpha = n->fa[1 + 2 * (3 * d + k)];
    a.beta = n->fa[2 + 2 * (3 * d + k)];
    return a;
}

/* Clip (if given), then activation k of direction d, on a gate's len pre-activations. */
FC_RT_HELPER void fc_rnn_gate(const FcRnn *s, const FcRtNode *n, int64_t d, int k, float *x,
                              int64_t len)
{
    FcRnnAct a = fc_rnn_act(n, d, k);
    if (s->clip)
        fc_rnn_clip(x, len, s->clipv);
    fc_rnn_activate(&a, x, len);
}

/* ---- layout ------------------------------------------------------------------------------- */

/* Row of X (and of xw) holding step t of batch b. */
FC_RT_HELPER int64_t fc_rnn_xrow(const FcRnn *s, int64_t t, int64_t b)
{
    return s->layout ? b * s->T + t : t * s->B + b;
}

/* Offset of direction d, batch b in initial_h / initial_c / Y_h / Y_c. */
FC_RT_HELPER int64_t fc_rnn_state_at(const FcRnn *s, int64_t d, int64_t b)
{
    return (s->layout ? b * s->D + d : d * s->B + b) * s->H;
}

/* Offset of step t, direction d, batch b in Y. */
FC_RT_HELPER int64_t fc_rnn_y_at(const FcRnn *s, int64_t t, int64_t d, int64_t b)
{
    return (s->layout ? (b * s->T + t) * s->D + d : (t * s->D + d) * s->B + b) * s->H;
}

/* Whether step t of batch b is inside b's sequence. */
FC_RT_HELPER int fc_rnn_valid(const FcRnn *s, int64_t t, int64_t b)
{
    return s->lens ? t < (int64_t)s->lens[b] : 1;
}

/* ---- one direction ------------------------------------------------------------------------ */

/* xw = X W_d^T + the biases of direction d that do not depend on the state. GRU with
 * linear_before_reset keeps Rb_h out: it is added inside r (.) (h R_h^T + Rb_h). */
FC_RT_HELPER void fc_rnn_project_inputs(FcRnn *s, int64_t d)
{
    const int64_t GH = s->G * s->H, rows = s->T * s->B;
    int64_t i, j;
    fc_rt_sgemm(rows, GH, s->I, 1.0f, s->x, s->I, 0, s->w + d * GH * s->I, s->I, 1, 0.0f,
                s->xw, GH, s->work);
    if (!s->bias)
        return;
    for (j = 0; j < GH; j++) {
        const float *wb = s->bias + d * 2 * GH, *rb = wb + GH;
        int rb_later = s->G == FC_RNN_KIND_GRU && s->flag && j >= 2 * s->H;
        s->bsum[j] = wb[j] + (rb_later ? 0.0f : rb[j]);
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < GH; j++)
            s->xw[i * GH + j] += s->bsum[j];
}

/* h (and c) = direction d's initial state, or zeros. */
FC_RT_HELPER void fc_rnn_init_state(FcRnn *s, int64_t d)
{
    int64_t b;
    for (b = 0; b < s->B; b++) {
        float *h = s->h + b * s->H, *c = s->c + b * s->H;
        const int64_t at = fc_rnn_state_at(s, d, b);
        if (s->h0)
            memcpy(h, s->h0 + at, (size_t)s->H * sizeof(float));
        else
            memset(h, 0, (size_t)s->H * sizeof(float));
        if (s->c0)
            memcpy(c, s->c0 + at, (size_t)s->H * sizeof(float));
        else
            memset(c, 0, (size_t)s->H * sizeof(float));
    }
}

/* rp[part] = R_d^T's columns [col0, col0 + ncols), packed. */
FC_RT_HELPER void fc_rnn_pack_part(FcRnn *s, int64_t d, int part, int64_t col0, int64_t ncols)
{
    const float *r = s->r + (d * s->G * s->H + col0) * s->H;
    int64_t j, k;
    for (j = 0; j < ncols; j++)
        for (k = 0; k < s->H; k++)
            s->rt[k * ncols + j] = r[j * s->H + k];
    fc_rt_sgemm_prepack(s->H, ncols, s->rt, s->rp[part]);
}

/* Packs direction d's R^T for the steps' GEMMs. */
FC_RT_HELPER void fc_rnn_pack_r(FcRnn *s, int64_t d)
{
    if (fc_rnn_split_r(s->G, s->flag)) {
        fc_rnn_pack_part(s, d, 0, 0, 2 * s->H);
        fc_rnn_pack_part(s, d, 1, 2 * s->H, s->H);
    } else {
        fc_rnn_pack_part(s, d, 0, 0, s->G * s->H);
    }
}

/* hr[:, col0 .. col0 + ncols) = a[B][H] R_d[col0 .. col0 + ncols)^T, from packed part `part`
 * (which holds exactly those columns). */
FC_RT_HELPER void fc_rnn_recur(FcRnn *s, const float *a, int part, int64_t col0, int64_t ncols)
{
    fc_rt_sgemm_prepacked(s->B, ncols, s->H, a, s->H, s->rp[part], s->hr + col0, s->G * s->H,
                          s->work);
}

/* x[0..n) += y[0..n) */
FC_RT_HELPER void fc_rnn_add(float *x, const float *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        x[i] += y[i];
}

/* RNN: H_t = f(x W^T + H_{t-1} R^T + Wb + Rb) */
FC_RT_HELPER void fc_rnn_step_rnn(FcRnn *s, const FcRtNode *n, int64_t d, int64_t t)
{
    int64_t b;
    fc_rnn_recur(s, s->h, 0, 0, s->H);
    for (b = 0; b < s->B; b++) {
        float *a = s->hr + b * s->H;
        fc_rnn_add(a, s->xw + fc_rnn_xrow(s, t, b) * s->H, s->H);
        fc_rnn_gate(s, n, d, 0, a, s->H);
        if (fc_rnn_valid(s, t, b))
            memcpy(s->h + b * s->H, a, (size_t)s->H * sizeof(float));
    }
}

/* GRU, gates z, r, h (hr row: [z | r | h]):
 *   z = f(..), r = f(..), then
 *   h~ = g(x W_h^T + (r (.) H_{t-1}) R_h^T + Wb_h + Rb_h)        linear_before_reset = 0
 *   h~ = g(x W_h^T + r (.) (H_{t-1} R_h^T + Rb_h) + Wb_h)         linear_before_reset = 1
 *   H_t = (1 - z) (.) h~ + z (.) H_{t-1} */
FC_RT_HELPER void fc_rnn_step_gru(FcRnn *s, const FcRtNode *n, int64_t d, int64_t t)
{
    const int64_t H = s->H, GH = 3 * H;
    const float *rbh = s->bias ? s->bias + d * 2 * GH + GH + 2 * H : NULL;
    int64_t b, j;
    fc_rnn_recur(s, s->h, 0, 0, s->flag ? GH : 2 * H);
    for (b = 0; b < s->B; b++) {
        float *a = s->hr + b * GH;
        fc_rnn_add(a, s->xw + fc_rnn_xrow(s, t, b) * GH, 2 * H);
        fc_rnn_gate(s, n, d, 0, a, 2 * H); /* z and r: the same f */
        if (!s->flag)
            for (j = 0; j < H; j++)
                s->tmp[b * H + j] = a[H + j] * s->h[b * H + j];
    }
    if (!s->flag)
        fc_rnn_recur(s, s->tmp, 1, 2 * H, H);
    for (b = 0; b < s->B; b++) {
        float *a = s->hr + b * GH, *hb = s->h + b * H, *hh = a + 2 * H;
        const float *xh = s->xw + fc_rnn_xrow(s, t, b) * GH + 2 * H;
        for (j = 0; j < H; j++)
            hh[j] = s->flag ? xh[j] + a[H + j] * (hh[j] + (rbh ? rbh[j] : 0.0f)) : xh[j] + hh[j];
        fc_rnn_gate(s, n, d, 1, hh, H);
        if (fc_rnn_valid(s, t, b))
            for (j = 0; j < H; j++)
                hb[j] = (1.0f - a[j]) * hh[j] + a[j] * hb[j];
    }
}

/* x[j] += p[j] * c[j] (a peephole), when P is given */
FC_RT_HELPER void fc_rnn_peephole(float *x, const float *p, const float *c, int64_t n)
{
    int64_t j;
    if (!p)
        return;
    for (j = 0; j < n; j++)
        x[j] += p[j] * c[j];
}

/* LSTM, hr row [i | o | f | c]:
 *   i = f(.. + P_i (.) C_{t-1}), f = f(.. + P_f (.) C_{t-1}) (or 1 - i with input_forget),
 *   c~ = g(..), C_t = f (.) C_{t-1} + i (.) c~, o = f(.. + P_o (.) C_t), H_t = o (.) h(C_t) */
FC_RT_HELPER void fc_rnn_step_lstm(FcRnn *s, const FcRtNode *n, int64_t d, int64_t t)
{
    const int64_t H = s->H, GH = 4 * H;
    const float *p = s->p ? s->p + d * 3 * H : NULL;
    const FcRnnAct hact = fc_rnn_act(n, d, 2);
    int64_t b, j;
    fc_rnn_recur(s, s->h, 0, 0, GH);
    for (b = 0; b < s->B; b++) {
        float *a = s->hr + b * GH, *ig = a, *og = a + H, *fg = a + 2 * H, *cg = a + 3 * H;
        float *cprev = s->c + b * H, *cnew = s->tmp + b * H;
        fc_rnn_add(a, s->xw + fc_rnn_xrow(s, t, b) * GH, GH);
        fc_rnn_peephole(ig, p, cprev, H);
        fc_rnn_gate(s, n, d, 0, ig, H);
        if (s->flag) {
            for (j = 0; j < H; j++)
                fg[j] = 1.0f - ig[j];
        } else {
            fc_rnn_peephole(fg, p ? p + 2 * H : NULL, cprev, H);
            fc_rnn_gate(s, n, d, 0, fg, H);
        }
        fc_rnn_gate(s, n, d, 1, cg, H);
        for (j = 0; j < H; j++)
            cnew[j] = fg[j] * cprev[j] + ig[j] * cg[j];
        fc_rnn_peephole(og, p ? p + H : NULL, cnew, H);
        fc_rnn_gate(s, n, d, 0, og, H);
        /* h(C_t) into the c~ slot, which is spent; C_t itself is not clipped */
        memcpy(cg, cnew, (size_t)H * sizeof(float));
        fc_rnn_activate(&hact, cg, H);
        if (fc_rnn_valid(s, t, b)) {
            for (j = 0; j < H; j++)
                s->h[b * H + j] = og[j] * cg[j];
            memcpy(cprev, cnew, (size_t)H * sizeof(float));
        }
    }
}

/* Y at step t for direction d: the new state where the step is valid, zeros elsewhere. */
FC_RT_HELPER void fc_rnn_write_y(const FcRnn *s, int64_t d, int64_t t)
{
    int64_t b;
    if (!s->y)
        return;
    for (b = 0; b < s->B; b++) {
        float *y = s->y + fc_rnn_y_at(s, t, d, b);
        if (fc_rnn_valid(s, t, b))
            memcpy(y, s->h + b * s->H, (size_t)s->H * sizeof(float));
        else
            memset(y, 0, (size_t)s->H * sizeof(float));
    }
}

/* Y_h and Y_c of direction d: the state after each batch's last step. */
FC_RT_HELPER void fc_rnn_write_final(const FcRnn *s, int64_t d)
{
    int64_t b;
    for (b = 0; b < s->B; b++) {
        const int64_t at = fc_rnn_state_at(s, d, b);
        if (s->yh)
            memcpy(s->yh + at, s->h + b * s->H, (size_t)s->H * sizeof(float));
        if (s->yc)
            memcpy(s->yc + at, s->c + b * s->H, (size_t)s->H * sizeof(float));
    }
}

/* Runs direction d over the sequence (backwards for the reverse direction). */
FC_RT_HELPER void fc_rnn_direction(FcRnn *s, const FcRtNode *n, int64_t d)
{
    const int backwards = s->reverse || d == 1;
    int64_t k;
    fc_rnn_project_inputs(s, d);
    fc_rnn_pack_r(s, d);
    fc_rnn_init_state(s, d);
    for (k = 0; k < s->T; k++) {
        const int64_t t = backwards ? s->T - 1 - k : k;
        if (s->G == FC_RNN_KIND_RNN)
            fc_rnn_step_rnn(s, n, d, t);
        else if (s->G == FC_RNN_KIND_GRU)
            fc_rnn_step_gru(s, n, d, t);
        else
            fc_rnn_step_lstm(s, n, d, t);
        fc_rnn_write_y(s, d, t);
    }
    fc_rnn_write_final(s, d);
}

/* The data of optional input i (out = 0) or output i (out = 1), or NULL when absent. */
FC_RT_HELPER void *fc_rnn_opt(const FcRtNode *n, FcRtTensor *t, int i, int out)
{
    const FcRtTensor *v;
    if (out)
        return i < n->nout && n->out[i] >= 0 ? fc_rt_out(n, t, i)->data : NULL;
    v = fc_rt_opt_in(n, t, i);
    return v ? v->data : NULL;
}

/* Fills the call's record: shapes from ia, operands from t, buffers carved from scratch. */
FC_RT_HELPER void fc_rnn_setup(FcRnn *s, const FcRtNode *n, FcRtTensor *t, int64_t G)
{
    float *m = (float *)n->scratch;
    s->T = n->ia[0];
    s->B = n->ia[1];
    s->I = n->ia[2];
    s->H = n->ia[3];
    s->D = n->ia[4];
    s->G = G;
    s->reverse = n->ia[5] != 0;
    s->layout = n->ia[6] != 0;
    s->flag = n->ia[7] != 0;
    s->clip = n->ia[8] != 0;
    s->clipv = n->fa[0];
    s->x = (const float *)fc_rt_in(n, t, 0)->data;
    s->w = (const float *)fc_rt_in(n, t, 1)->data;
    s->r = (const float *)fc_rt_in(n, t, 2)->data;
    s->bias = (const float *)fc_rnn_opt(n, t, 3, 0);
    s->lens = (const int32_t *)fc_rnn_opt(n, t, 4, 0);
    s->h0 = (const float *)fc_rnn_opt(n, t, 5, 0);
    s->c0 = G == FC_RNN_KIND_LSTM ? (const float *)fc_rnn_opt(n, t, 6, 0) : NULL;
    s->p = G == FC_RNN_KIND_LSTM ? (const float *)fc_rnn_opt(n, t, 7, 0) : NULL;
    s->y = (float *)fc_rnn_opt(n, t, 0, 1);
    s->yh = (float *)fc_rnn_opt(n, t, 1, 1);
    s->yc = G == FC_RNN_KIND_LSTM ? (float *)fc_rnn_opt(n, t, 2, 1) : NULL;
    s->xw = m;
    s->hr = s->xw + s->T * s->B * G * s->H;
    s->h = s->hr + s->B * G * s->H;
    s->c = s->h + s->B * s->H;
    s->tmp = s->c + s->B * s->H;
    s->bsum = s->tmp + s->B * s->H;
    s->rt = s->bsum + G * s->H;
    s->rp[0] = s->rt + s->H * G * s->H;
    s->rp[1] = s->rp[0] + fc_rt_sgemm_prepacked_floats(s->H, 2 * s->H); /* split only */
    s->work = s->rp[0] + fc_rnn_packed_floats(G, s->H, s->flag);
}

/* sequence_lens needs no clamping pass: fc_rnn_valid's t < len already treats a negative
 * length as no step and one above T as all steps. */
FC_RT_HELPER void fc_rnn_run(const FcRtNode *n, FcRtTensor *t, int64_t G)
{
    FcRnn s;
    int64_t d;
    fc_rnn_setup(&s, n, t, G);
    for (d = 0; d < s.D; d++)
        fc_rnn_direction(&s, n, d);
}

FC_RT void fc_rt_rnn(const FcRtNode *n, FcRtTensor *t)
{
    fc_rnn_run(n, t, FC_RNN_KIND_RNN);
}

FC_RT void fc_rt_gru(const FcRtNode *n, FcRtTensor *t)
{
    fc_rnn_run(n, t, FC_RNN_KIND_GRU);
}

FC_RT void fc_rt_lstm(const FcRtNode *n, FcRtTensor *t)
{
    fc_rnn_run(n, t, FC_RNN_KIND_LSTM);
}
