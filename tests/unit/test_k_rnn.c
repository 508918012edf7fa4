/* test_k_rnn.c — the recurrent kernels (runtime/k_rnn.c: fc_rt_rnn, fc_rt_gru, fc_rt_lstm)
 * on small shapes against a double-precision loop written from the ONNX equations, one
 * time step and one gate at a time: RNN with sequence_lens and initial_h, GRU with
 * linear_before_reset 0 and 1, LSTM reverse with peepholes and Y_c, bidirectional RNN in the
 * batch-first layout. Parameters are packed as k_rnn.c documents them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "fc_rt.h"
#include "k_harness.h"

void fc_rt_rnn(const FcRtNode *n, FcRtTensor *t);
void fc_rt_gru(const FcRtNode *n, FcRtTensor *t);
void fc_rt_lstm(const FcRtNode *n, FcRtTensor *t);
int64_t fc_rt_rnn_scratch_floats(const int64_t *ia, int64_t G);

enum { ACT_RELU = 0, ACT_TANH = 1, ACT_SIGMOID = 2 }; /* k_rnn.c's FC_RNN_* codes */
enum { MAXT = 4, MAXB = 3, MAXI = 3, MAXH = 3, MAXG = 4, MAXD = 2 };

static float scratch_mem[1 << 14];

static unsigned rng_state = 777u;
static float rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 9) & 0xffff) / 32768.0f - 1.0f;
}

static void fill(float *p, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = 0.8f * rnd();
}

static double sig(double v)
{
    return 1.0 / (1.0 + exp(-v));
}

/* One problem: shapes, flags, operands (layout 0 unless batch_first), and the kernel's
 * outputs. */
typedef struct Case {
    int T, B, I, H, D, G, reverse, batch_first, flag;
    int lens[MAXB]; /* 0 entries: no sequence_lens input when has_lens is 0 */
    int has_lens;
    float x[MAXT * MAXB * MAXI], w[MAXD * MAXG * MAXH * MAXI], r[MAXD * MAXG * MAXH * MAXH];
    float b[MAXD * 2 * MAXG * MAXH], h0[MAXD * MAXB * MAXH], c0[MAXD * MAXB * MAXH];
    float p[MAXD * 3 * MAXH];
    float y[MAXT * MAXD * MAXB * MAXH], yh[MAXD * MAXB * MAXH], yc[MAXD * MAXB * MAXH];
} Case;

static void make_case(Case *c)
{
    fill(c->x, c->T * c->B * c->I);
    fill(c->w, c->D * c->G * c->H * c->I);
    fill(c->r, c->D * c->G * c->H * c->H);
    fill(c->b, c->D * 2 * c->G * c->H);
    fill(c->h0, c->D * c->B * c->H);
    fill(c->c0, c->D * c->B * c->H);
    fill(c->p, c->D * 3 * c->H);
}

/* x[t][b][i] whatever the layout */
static double xat(const Case *c, int t, int b, int i)
{
    return c->batch_first ? c->x[(b * c->T + t) * c->I + i] : c->x[(t * c->B + b) * c->I + i];
}

/* The pre-activation of gate g for (d, b): x_t W_g^T + h R_g^T + Wb_g + Rb_g (h may be NULL:
 * the recurrent term left out, for GRU's linear_before_reset 0 candidate). */
static double pre(const Case *c, int d, int g, int j, int t, int b, const double *h)
{
    const int G = c->G, H = c->H, I = c->I;
    double v = c->b[d * 2 * G * H + g * H + j] + c->b[d * 2 * G * H + G * H + g * H + j];
    for (int i = 0; i < I; i++)
        v += xat(c, t, b, i) * c->w[((d * G + g) * H + j) * I + i];
    for (int k = 0; h && k < H; k++)
        v += h[k] * c->r[((d * G + g) * H + j) * H + k];
    return v;
}

/* Ht for one (d, b) from h (and c for LSTM), in place */
static void ref_step(const Case *c, int d, int t, int b, double *h, double *cs)
{
    const int H = c->H, G = c->G;
    double nh[MAXH], nc[MAXH];
    for (int j = 0; j < H; j++) {
        if (G == 1) {
            nh[j] = tanh(pre(c, d, 0, j, t, b, h));
        } else if (G == 3) { /* z, r, h */
            double z = sig(pre(c, d, 0, j, t, b, h)), cand;
            double rh[MAXH], hb = c->b[d * 6 * H + 5 * H + j];
            if (c->flag) { /* r (.) (h R_h^T + Rb_h) */
                double hr = hb;
                for (int k = 0; k < H; k++)
                    hr += h[k] * c->r[((d * 3 + 2) * H + j) * H + k];
                cand = pre(c, d, 2, j, t, b, NULL) - hb + sig(pre(c, d, 1, j, t, b, h)) * hr;
            } else { /* (r (.) h) R_h^T */
                for (int k = 0; k < H; k++)
                    rh[k] = sig(pre(c, d, 1, k, t, b, h)) * h[k];
                cand = pre(c, d, 2, j, t, b, rh);
            }
            nh[j] = (1.0 - z) * tanh(cand) + z * h[j];
        } else { /* i, o, f, c; peepholes P = [i, o, f] */
            const float *p = c->p + d * 3 * H;
            double ig = sig(pre(c, d, 0, j, t, b, h) + p[j] * cs[j]);
            double fg = sig(pre(c, d, 2, j, t, b, h) + p[2 * H + j] * cs[j]);
            double cg = tanh(pre(c, d, 3, j, t, b, h));
            nc[j] = fg * cs[j] + ig * cg;
            nh[j] = sig(pre(c, d, 1, j, t, b, h) + p[H + j] * nc[j]) * tanh(nc[j]);
        }
    }
    for (int j = 0; j < H; j++) {
        h[j] = nh[j];
        if (G == 4)
            cs[j] = nc[j];
    }
}

static int valid(const Case *c, int t, int b)
{
    return !c->has_lens || t < c->lens[b];
}

/* Runs the reference and compares the kernel's Y, Y_h (and Y_c) with it. */
static void check(const Case *c)
{
    const int T = c->T, B = c->B, H = c->H, D = c->D;
    for (int d = 0; d < D; d++)
        for (int b = 0; b < B; b++) {
            double h[MAXH], cs[MAXH];
            const int back = c->reverse || d == 1;
            const int st = c->batch_first ? (b * D + d) * H : (d * B + b) * H;
            for (int j = 0; j < H; j++) {
                h[j] = c->h0[st + j];
                cs[j] = c->c0[st + j];
            }
            for (int s = 0; s < T; s++) {
                const int t = back ? T - 1 - s : s;
                const int yo = c->batch_first ? ((b * T + t) * D + d) * H
                                              : ((t * D + d) * B + b) * H;
                if (valid(c, t, b))
                    ref_step(c, d, t, b, h, cs);
                for (int j = 0; j < H; j++) {
                    double want = valid(c, t, b) ? h[j] : 0.0;
                    if (fabs(c->y[yo + j] - want) > 2e-6 * (1.0 + fabs(want)))
                        fail_msg("Y[t=%d d=%d b=%d j=%d] = %.9g, expected %.9g", t, d, b, j,
                                 (double)c->y[yo + j], want);
                }
            }
            for (int j = 0; j < H; j++) {
                if (fabs(c->yh[st + j] - h[j]) > 2e-6 * (1.0 + fabs(h[j])))
                    fail_msg("Y_h[d=%d b=%d j=%d] = %.9g, expected %.9g", d, b, j,
                             (double)c->yh[st + j], h[j]);
                if (c->G == 4 && fabs(c->yc[st + j] - cs[j]) > 2e-6 * (1.0 + fabs(cs[j])))
                    fail_msg("Y_c[d=%d b=%d j=%d] = %.9g, expected %.9g", d, b, j,
                             (double)c->yc[st + j], cs[j]);
            }
        }
}

/* Packs ia / fa, lays out the tensor table and runs kernel k on case c. */
static void run_case(Case *c, FcRtKernel k)
{
    const int D = c->D, G = c->G, T = c->T, B = c->B, I = c->I, H = c->H;
    int64_t ia[9 + 3 * MAXD] = {T, B, I, H, D, c->reverse, c->batch_first, c->flag, 0};
    float fa[1 + 6 * MAXD] = {0};
    int32_t lens[MAXB];
    const int64_t xd[3] = {c->batch_first ? B : T, c->batch_first ? T : B, I};
    const int64_t wd[3] = {D, G * H, I}, rd[3] = {D, G * H, H}, bd[2] = {D, 2 * G * H};
    const int64_t ld[1] = {B}, pd[2] = {D, 3 * H};
    const int64_t sd[3] = {c->batch_first ? B : D, c->batch_first ? D : B, H};
    const int64_t yd[4] = {c->batch_first ? B : T, c->batch_first ? T : D,
                           c->batch_first ? D : B, H};
    FcRtTensor t[11];
    int32_t in[8], out[3];
    FcRtNode n;
    for (int d = 0; d < D; d++) /* f, g, h: the default activations of each op */
        for (int a = 0; a < 3; a++)
            ia[9 + 3 * d + a] = (G == 1 || a > 0) ? ACT_TANH : ACT_SIGMOID;
    for (int b = 0; b < B; b++)
        lens[b] = c->lens[b];
    t[0] = k_tensor(c->x, FC_DT_F32, 3, xd);
    t[1] = k_tensor(c->w, FC_DT_F32, 3, wd);
    t[2] = k_tensor(c->r, FC_DT_F32, 3, rd);
    t[3] = k_tensor(c->b, FC_DT_F32, 2, bd);
    t[4] = k_tensor(lens, FC_DT_I32, 1, ld);
    t[5] = k_tensor(c->h0, FC_DT_F32, 3, sd);
    t[6] = k_tensor(c->c0, FC_DT_F32, 3, sd);
    t[7] = k_tensor(c->p, FC_DT_F32, 2, pd);
    t[8] = k_tensor(c->y, FC_DT_F32, 4, yd);
    t[9] = k_tensor(c->yh, FC_DT_F32, 3, sd);
    t[10] = k_tensor(c->yc, FC_DT_F32, 3, sd);
    for (int i = 0; i < 8; i++)
        in[i] = i;
    if (!c->has_lens)
        in[4] = -1;
    out[0] = 8, out[1] = 9, out[2] = 10;
    memset(&n, 0, sizeof n);
    n.nin = G == 4 ? 8 : 6;
    n.nout = G == 4 ? 3 : 2;
    n.in = in;
    n.out = out;
    n.ia = ia;
    n.nia = 9 + 3 * D;
    n.fa = fa;
    n.nfa = 1 + 6 * D;
    assert_true(fc_rt_rnn_scratch_floats(ia, G) <= (int64_t)(sizeof scratch_mem / 4));
    memset(scratch_mem, 0x7f, sizeof scratch_mem);
    n.scratch = scratch_mem;
    k(&n, t);
    check(c);
}

static void test_rnn_seq_lens_initial_h(void **state)
{
    static Case c = {.T = 4, .B = 3, .I = 2, .H = 3, .D = 1, .G = 1, .has_lens = 1,
                     .lens = {4, 1, 0}};
    (void)state;
    make_case(&c);
    run_case(&c, fc_rt_rnn);
}

static void test_rnn_bidirectional_batch_first(void **state)
{
    static Case c = {.T = 3, .B = 2, .I = 3, .H = 2, .D = 2, .G = 1, .batch_first = 1};
    (void)state;
    make_case(&c);
    run_case(&c, fc_rt_rnn);
}

static void test_gru_both_resets(void **state)
{
    static Case c = {.T = 3, .B = 2, .I = 3, .H = 3, .D = 1, .G = 3, .has_lens = 1,
                     .lens = {3, 2}};
    (void)state;
    for (int lbr = 0; lbr < 2; lbr++) {
        c.flag = lbr;
        make_case(&c);
        run_case(&c, fc_rt_gru);
    }
}

static void test_lstm_reverse_peepholes(void **state)
{
    static Case c = {.T = 4, .B = 2, .I = 3, .H = 2, .D = 1, .G = 4, .reverse = 1};
    (void)state;
    make_case(&c);
    run_case(&c, fc_rt_lstm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rnn_seq_lens_initial_h),
        cmocka_unit_test(test_rnn_bidirectional_batch_first),
        cmocka_unit_test(test_gru_both_resets),
        cmocka_unit_test(test_lstm_reverse_peepholes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
