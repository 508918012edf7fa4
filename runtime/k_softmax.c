/* k_softmax.c — Softmax, LogSoftmax and Hardmax (one kernel, fc_rt_softmax).
 *
 * Packed parameters of fc_rt_softmax:
 *   ia[0] = 0 Softmax, 1 LogSoftmax, 2 Hardmax
 *   ia[1] = outer  (product of the dims before the normalized part)
 *   ia[2] = R      (elements normalized together: the axis' size from opset 13, the
 *                   product of the dims from `axis` on before opset 13)
 *   ia[3] = inner  (product of the dims after the axis from opset 13; 1 before)
 * Input 0 and output 0: f32 or f64, same shape.
 * Scratch: inner * (sizeof(element) + 8) bytes when inner > 1, else 0.
 *
 * Numerically stable: the max is subtracted before exp. Sums are accumulated in double.
 * Hardmax puts 1 at the first maximum (NaN counts as the maximum, like numpy's argmax).
 * inner == 1 (the normalized elements are contiguous) runs straight along each row; otherwise
 * the R rows of `inner` elements are combined element-wise, keeping contiguous inner loops.
 * float32 Softmax takes its exponentials from k_vmath.c's vectorizable fc_rt_vexpf (writing
 * x - max into the output, then exponentiating it in place).
 * fc-deps: k_vmath.c
 */
#include "fc_rt.h"

FC_RT void fc_rt_vexpf(const float *x, float *y, int64_t n);

/* In-place exponential of n doubles (the f64 twin of fc_rt_vexpf for FC_SMX_DEFINE). */
FC_RT_HELPER void fc_smx_vexp_f64(const double *x, double *y, int64_t n)
{
    int64_t i;
    for (i = 0; i < n; i++)
        y[i] = exp(x[i]);
}

#define FC_SMX_DEFINE(SFX, T, EXP, VEXP)                                                        \
    /* One contiguous row p[0..R) into q[0..R). */                                          \
    FC_RT_HELPER void fc_smx_row_##SFX(int op, const T *p, T *q, int64_t R)                 \
    {                                                                                       \
        int64_t i, bi = 0;                                                                  \
        T m = p[0];                                                                         \
        double s = 0.0;                                                                     \
        if (op == 2) {                                                                      \
            for (i = 1; i < R; i++)                                                         \
                if (m == m && (p[i] > m || p[i] != p[i])) {                                 \
                    m = p[i];                                                               \
                    bi = i;                                                                 \
                }                                                                           \
            for (i = 0; i < R; i++)                                                         \
                q[i] = 0;                                                                   \
            q[bi] = 1;                                                                      \
            return;                                                                         \
        }                                                                                   \
        {                                                                                   \
            /* 8 independent lanes: a vectorizable max */                                   \
            T ml[8];                                                                        \
            int j;                                                                          \
            for (j = 0; j < 8; j++)                                                         \
                ml[j] = m;                                                                  \
            for (i = 0; i < R - R % 8; i += 8)                                              \
                for (j = 0; j < 8; j++)                                                     \
                    ml[j] = p[i + j] > ml[j] ? p[i + j] : ml[j];                            \
            for (i = R - R % 8; i < R; i++) /* a bound of its own: see k_norm.c */          \
                m = p[i] > m ? p[i] : m;                                                    \
            for (j = 0; j < 8; j++)                                                         \
                m = ml[j] > m ? ml[j] : m;                                                  \
        }                                                                                   \
        if (op == 0) {                                                                      \
            T inv;                                                                          \
            for (i = 0; i < R; i++)                                                         \
                q[i] = p[i] - m;                                                            \
            VEXP(q, q, R);                                                                  \
            {                                                                               \
                /* 16 independent double lanes: a vectorizable sum, not a latency chain */  \
                double sl[16];                                                              \
                int j;                                                                      \
                for (j = 0; j < 16; j++)                                                    \
                    sl[j] = 0.0;                                                            \
                for (i = 0; i < R - R % 16; i += 16)                                        \
                    for (j = 0; j < 16; j++)                                                \
                        sl[j] += q[i + j];                                                  \
                for (i = R - R % 16; i < R; i++)                                            \
                    s += q[i];                                                              \
                for (j = 0; j < 16; j++)                                                    \
                    s += sl[j];                                                             \
            }                                                                               \
            inv = (T)(1.0 / s);                                                             \
            for (i = 0; i < R; i++)                                                         \
                q[i] *= inv;                                                                \
        } else {                                                                            \
            T ls;                                                                           \
            for (i = 0; i < R; i++)                                                         \
                s += EXP(p[i] - m);                                                         \
            ls = (T)log(s);                                                                 \
            for (i = 0; i < R; i++)                                                         \
                q[i] = (p[i] - m) - ls;                                                     \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* One outer block x[R][inner] into y[R][inner]; mx (T) and acc (double) are scratch. */\
    FC_RT_HELPER void fc_smx_cols_##SFX(int op, const T *x, T *y, int64_t R, int64_t inner, \
                                        T *mx, double *acc)                                 \
    {                                                                                       \
        int64_t r, i;                                                                       \
        for (i = 0; i < inner; i++) {                                                       \
            mx[i] = x[i];                                                                   \
            acc[i] = 0.0;                                                                   \
        }                                                                                   \
        if (op == 2) {                                                                      \
            /* acc holds the index of the running maximum */                                \
            for (r = 1; r < R; r++) {                                                       \
                const T *p = x + r * inner;                                                 \
                for (i = 0; i < inner; i++)                                                 \
                    if (mx[i] == mx[i] && (p[i] > mx[i] || p[i] != p[i])) {                 \
                        mx[i] = p[i];                                                       \
                        acc[i] = (double)r;                                                 \
                    }                                                                       \
            }                                                                               \
            for (r = 0; r < R; r++) {                                                       \
                T *q = y + r * inner;                                                       \
                for (i = 0; i < inner; i++)                                                 \
                    q[i] = acc[i] == (double)r ? (T)1 : (T)0;                               \
            }                                                                               \
            return;                                                                         \
        }                                                                                   \
        for (r = 1; r < R; r++) {                                                           \
            const T *p = x + r * inner;                                                     \
            for (i = 0; i < inner; i++)                                                     \
                mx[i] = p[i] > mx[i] ? p[i] : mx[i];                                        \
        }                                                                                   \
        for (r = 0; r < R; r++) {                                                           \
            const T *p = x + r * inner;                                                     \
            T *q = y + r * inner;                                                           \
            if (op == 0) {                                                                  \
                for (i = 0; i < inner; i++)                                                 \
                    q[i] = p[i] - mx[i];                                                    \
                VEXP(q, q, inner);                                                          \
                for (i = 0; i < inner; i++)                                                 \
                    acc[i] += q[i];                                                         \
            } else {                                                                        \
                for (i = 0; i < inner; i++)                                                 \
                    acc[i] += EXP(p[i] - mx[i]);                                            \
            }                                                                               \
        }                                                                                   \
        if (op == 0) {                                                                      \
            for (i = 0; i < inner; i++)                                                     \
                acc[i] = 1.0 / acc[i];                                                      \
            for (r = 0; r < R; r++) {                                                       \
                T *q = y + r * inner;                                                       \
                for (i = 0; i < inner; i++)                                                 \
                    q[i] = (T)(q[i] * acc[i]);                                              \
            }                                                                               \
        } else {                                                                            \
            for (i = 0; i < inner; i++)                                                     \
                acc[i] = log(acc[i]);                                                       \
            for (r = 0; r < R; r++) {                                                       \
                const T *p = x + r * inner;                                                 \
                T *q = y + r * inner;                                                       \
                for (i = 0; i < inner; i++)                                                 \
                    q[i] = (p[i] - mx[i]) - (T)acc[i];                                      \
            }                                                                               \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    FC_RT_HELPER void fc_smx_run_##SFX(int op, const T *x, T *y, int64_t outer, int64_t R,  \
                                       int64_t inner, void *scratch)                        \
    {                                                                                       \
        int64_t o;                                                                          \
        if (R <= 0 || inner <= 0)                                                           \
            return;                                                                         \
        if (inner == 1) {                                                                   \
            for (o = 0; o < outer; o++)                                                     \
                fc_smx_row_##SFX(op, x + o * R, y + o * R, R);                              \
        } else {                                                                            \
            double *acc = (double *)scratch;                                                \
            T *mx = (T *)(void *)(acc + inner);                                             \
            for (o = 0; o < outer; o++)                                                     \
                fc_smx_cols_##SFX(op, x + o * R * inner, y + o * R * inner, R, inner, mx,   \
                                  acc);                                                     \
        }                                                                                   \
    }

FC_SMX_DEFINE(f32, float, expf, fc_rt_vexpf)
FC_SMX_DEFINE(f64, double, exp, fc_smx_vexp_f64)

FC_RT void fc_rt_softmax(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int op = (int)n->ia[0];
    if (x->dtype == FC_DT_F32)
        fc_smx_run_f32(op, (const float *)x->data, (float *)y->data, n->ia[1], n->ia[2],
                       n->ia[3], n->scratch);
    else if (x->dtype == FC_DT_F64)
        fc_smx_run_f64(op, (const double *)x->data, (double *)y->data, n->ia[1], n->ia[2],
                       n->ia[3], n->scratch);
}
