/* k_argmax.c — ArgMax / ArgMin (one kernel, fc_rt_argminmax).
 *
 * Packed parameters of fc_rt_argminmax:
 *   ia[0] = 0 for ArgMax, 1 for ArgMin
 *   ia[1] = outer  (product of the dims before the axis)
 *   ia[2] = R      (the axis' size, >= 1)
 *   ia[3] = inner  (product of the dims after the axis)
 *   ia[4] = select_last_index (0: first index of the extreme value, 1: last)
 * Input 0: data (f32, f64, i8, u8, i16, u16, i32, u32, i64, u64); output 0: int64 indices,
 * outer x inner elements (keepdims only changes the shape).
 * Scratch: inner * sizeof(element) bytes when inner > 1 (the running extremes), else 0.
 * NaN counts as the extreme value for both ops (like numpy's argmax / argmin).
 */
#include "fc_rt.h"

#define FC_ARG_NAN_F_(v) ((v) != (v))
#define FC_ARG_NAN_I_(v) 0

/* Better(v, b): v replaces the current extreme b. */
#define FC_ARG_MAX_FIRST_(v, b, ISNAN) (!ISNAN(b) && ((v) > (b) || ISNAN(v)))
#define FC_ARG_MAX_LAST_(v, b, ISNAN) (ISNAN(b) ? ISNAN(v) : ((v) >= (b) || ISNAN(v)))
#define FC_ARG_MIN_FIRST_(v, b, ISNAN) (!ISNAN(b) && ((v) < (b) || ISNAN(v)))
#define FC_ARG_MIN_LAST_(v, b, ISNAN) (ISNAN(b) ? ISNAN(v) : ((v) <= (b) || ISNAN(v)))

/* One outer block: the slice x[R][inner] into y[inner]. */
#define FC_ARG_BLOCK_(T, BETTER, ISNAN)                                                     \
    do {                                                                                    \
        if (inner == 1) {                                                                   \
            T b = xb[0];                                                                    \
            int64_t bi = 0;                                                                 \
            for (r = 1; r < R; r++)                                                         \
                if (BETTER(xb[r], b, ISNAN)) {                                              \
                    b = xb[r];                                                              \
                    bi = r;                                                                 \
                }                                                                           \
            yb[0] = bi;                                                                     \
        } else {                                                                            \
            for (i = 0; i < inner; i++) {                                                   \
                best[i] = xb[i];                                                            \
                yb[i] = 0;                                                                  \
            }                                                                               \
            for (r = 1; r < R; r++) {                                                       \
                const T *p = xb + r * inner;                                                \
                for (i = 0; i < inner; i++)                                                 \
                    if (BETTER(p[i], best[i], ISNAN)) {                                     \
                        best[i] = p[i];                                                     \
                        yb[i] = r;                                                          \
                    }                                                                       \
            }                                                                               \
        }                                                                                   \
    } while (0)

/* ArgMax / ArgMin of one floating-point row (inner == 1) in two vectorizable passes instead
 * of a compare-and-branch per element: the extreme value over 16 lanes (a NaN never wins a
 * comparison there; a flag lane records that one was seen), then the first (last: from the
 * end) index holding it -- or holding a NaN, when there is one: NaN is the extreme. Equal
 * to the serial loop's answer (equal values, +0 and -0 included, keep the first or last). */
#define FC_ARG_ROW_FLOAT_DEFINE(SFX, T)                                                     \
    FC_RT_HELPER int64_t fc_arg_row_##SFX(const T *x, int64_t R, int is_min, int last)      \
    {                                                                                       \
        T m[16], t;                                                                         \
        int nan[16], any = 0, u;                                                            \
        const int64_t n16 = R - R % 16;                                                     \
        int64_t i;                                                                          \
        for (u = 0; u < 16; u++) {                                                          \
            m[u] = x[0];                                                                    \
            nan[u] = 0;                                                                     \
        }                                                                                   \
        for (i = 0; i < n16; i += 16)                                                       \
            for (u = 0; u < 16; u++) {                                                      \
                const T v = x[i + u];                                                       \
                m[u] = is_min ? (v < m[u] ? v : m[u]) : (v > m[u] ? v : m[u]);              \
                nan[u] |= v != v;                                                           \
            }                                                                               \
        for (u = 0; n16 + u < R; u++) {                                                     \
            const T v = x[n16 + u];                                                         \
            m[u] = is_min ? (v < m[u] ? v : m[u]) : (v > m[u] ? v : m[u]);                  \
            nan[u] |= v != v;                                                               \
        }                                                                                   \
        t = m[0];                                                                           \
        for (u = 0; u < 16; u++) {                                                          \
            t = is_min ? (m[u] < t ? m[u] : t) : (m[u] > t ? m[u] : t);                     \
            any |= nan[u];                                                                  \
        }                                                                                   \
        if (any || t != t) { /* the first / last NaN */                                     \
            if (last) {                                                                     \
                for (i = R - 1; i > 0 && x[i] == x[i]; i--)                                 \
                    ;                                                                       \
            } else {                                                                        \
                for (i = 0; i < R - 1 && x[i] == x[i]; i++)                                 \
                    ;                                                                       \
            }                                                                               \
            return i;                                                                       \
        }                                                                                   \
        if (last) {                                                                         \
            for (i = R; i >= 16; i -= 16) {                                                 \
                int hit = 0;                                                                \
                for (u = 1; u <= 16; u++)                                                   \
                    hit |= x[i - u] == t;                                                   \
                if (hit)                                                                    \
                    break;                                                                  \
            }                                                                               \
            for (i = i - 1; i > 0 && x[i] != t; i--)                                        \
                ;                                                                           \
            return i;                                                                       \
        }                                                                                   \
        for (i = 0; i < n16; i += 16) {                                                     \
            int hit = 0;                                                                    \
            for (u = 0; u < 16; u++)                                                        \
                hit |= x[i + u] == t;                                                       \
            if (hit)                                                                        \
                break;                                                                      \
        }                                                                                   \
        for (; i < R - 1 && x[i] != t; i++)                                                 \
            ;                                                                               \
        return i;                                                                           \
    }

FC_ARG_ROW_FLOAT_DEFINE(f32, float)
FC_ARG_ROW_FLOAT_DEFINE(f64, double)

#define FC_ARG_DEFINE(SFX, T, ISNAN)                                                        \
    FC_RT_HELPER void fc_arg_run_##SFX(int mode, const T *x, int64_t *y, int64_t outer,     \
                                       int64_t R, int64_t inner, T *best)                   \
    {                                                                                       \
        int64_t o, r, i;                                                                    \
        for (o = 0; o < outer; o++) {                                                       \
            const T *xb = x + o * R * inner;                                                \
            int64_t *yb = y + o * inner;                                                    \
            switch (mode) {                                                                 \
            case 0: FC_ARG_BLOCK_(T, FC_ARG_MAX_FIRST_, ISNAN); break;                      \
            case 1: FC_ARG_BLOCK_(T, FC_ARG_MAX_LAST_, ISNAN); break;                       \
            case 2: FC_ARG_BLOCK_(T, FC_ARG_MIN_FIRST_, ISNAN); break;                      \
            default: FC_ARG_BLOCK_(T, FC_ARG_MIN_LAST_, ISNAN); break;                      \
            }                                                                               \
        }                                                                                   \
    }

FC_ARG_DEFINE(f32, float, FC_ARG_NAN_F_)
FC_ARG_DEFINE(f64, double, FC_ARG_NAN_F_)
FC_ARG_DEFINE(i8, int8_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(u8, uint8_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(i16, int16_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(u16, uint16_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(i32, int32_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(u32, uint32_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(i64, int64_t, FC_ARG_NAN_I_)
FC_ARG_DEFINE(u64, uint64_t, FC_ARG_NAN_I_)

FC_RT void fc_rt_argminmax(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    int64_t *y = (int64_t *)fc_rt_out(n, t, 0)->data;
    int mode = (int)(n->ia[0] * 2 + (n->ia[4] ? 1 : 0));
    int64_t outer = n->ia[1], R = n->ia[2], inner = n->ia[3], o;
    if (R <= 0)
        return;
    if (inner == 1 && (x->dtype == FC_DT_F32 || x->dtype == FC_DT_F64)) {
        for (o = 0; o < outer; o++)
            y[o] = x->dtype == FC_DT_F32
                       ? fc_arg_row_f32((const float *)x->data + o * R, R, n->ia[0] != 0,
                                        n->ia[4] != 0)
                       : fc_arg_row_f64((const double *)x->data + o * R, R, n->ia[0] != 0,
                                        n->ia[4] != 0);
        return;
    }
#define FC_ARG_CASE_(DT, SFX, T)                                                            \
    case DT:                                                                                \
        fc_arg_run_##SFX(mode, (const T *)x->data, y, outer, R, inner, (T *)n->scratch);    \
        break;
    switch (x->dtype) {
    FC_ARG_CASE_(FC_DT_F32, f32, float)
    FC_ARG_CASE_(FC_DT_F64, f64, double)
    FC_ARG_CASE_(FC_DT_I8, i8, int8_t)
    FC_ARG_CASE_(FC_DT_U8, u8, uint8_t)
    FC_ARG_CASE_(FC_DT_I16, i16, int16_t)
    FC_ARG_CASE_(FC_DT_U16, u16, uint16_t)
    FC_ARG_CASE_(FC_DT_I32, i32, int32_t)
    FC_ARG_CASE_(FC_DT_U32, u32, uint32_t)
    FC_ARG_CASE_(FC_DT_I64, i64, int64_t)
    FC_ARG_CASE_(FC_DT_U64, u64, uint64_t)
    default: break;
    }
#undef FC_ARG_CASE_
}
