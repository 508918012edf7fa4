/* k_cumsum.c — CumSum (fc_rt_cumsum).
 *
 * Packed parameters of fc_rt_cumsum:
 *   ia[0] = outer  (product of the dims before the axis)
 *   ia[1] = R      (the axis' size)
 *   ia[2] = inner  (product of the dims after the axis)
 *   ia[3] = exclusive (1: element j sums the elements strictly before j)
 *   ia[4] = reverse   (1: sum from the end of the axis)
 * Input 0 and output 0: same dtype (f32, f64, i32, i64, u32, u64) and shape.
 * No scratch. Sums run in the element type (like numpy's cumsum); each step adds a whole
 * contiguous run of `inner` elements, so every loop is contiguous.
 */
#include "fc_rt.h"

#define FC_CUMSUM_DEFINE(SFX, T)                                                            \
    FC_RT_HELPER void fc_cumsum_run_##SFX(const T *x, T *y, int64_t outer, int64_t R,       \
                                          int64_t inner, int exclusive, int reverse)        \
    {                                                                                       \
        int64_t o, j, i, step = reverse ? -inner : inner;                                   \
        if (R <= 0)                                                                         \
            return;                                                                         \
        for (o = 0; o < outer; o++) {                                                       \
            const T *xp = x + o * R * inner + (reverse ? (R - 1) * inner : 0);              \
            T *yp = y + o * R * inner + (reverse ? (R - 1) * inner : 0);                    \
            for (i = 0; i < inner; i++)                                                     \
                yp[i] = exclusive ? (T)0 : xp[i];                                           \
            for (j = 1; j < R; j++) {                                                       \
                const T *xs = exclusive ? xp : xp + step;                                   \
                T *yq = yp + step;                                                          \
                for (i = 0; i < inner; i++)                                                 \
                    yq[i] = (T)(yp[i] + xs[i]);                                             \
                xp += step;                                                                 \
                yp = yq;                                                                    \
            }                                                                               \
        }                                                                                   \
    }

FC_CUMSUM_DEFINE(f32, float)
FC_CUMSUM_DEFINE(f64, double)
FC_CUMSUM_DEFINE(i32, int32_t)
FC_CUMSUM_DEFINE(u32, uint32_t)
FC_CUMSUM_DEFINE(i64, int64_t)
FC_CUMSUM_DEFINE(u64, uint64_t)

FC_RT void fc_rt_cumsum(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int64_t outer = n->ia[0], R = n->ia[1], inner = n->ia[2];
    int exclusive = n->ia[3] != 0, reverse = n->ia[4] != 0;
#define FC_CUMSUM_CASE_(DT, SFX, T)                                                         \
    case DT:                                                                                \
        fc_cumsum_run_##SFX((const T *)x->data, (T *)y->data, outer, R, inner, exclusive,   \
                            reverse);                                                       \
        break;
    switch (x->dtype) {
    FC_CUMSUM_CASE_(FC_DT_F32, f32, float)
    FC_CUMSUM_CASE_(FC_DT_F64, f64, double)
    FC_CUMSUM_CASE_(FC_DT_I32, i32, int32_t)
    FC_CUMSUM_CASE_(FC_DT_U32, u32, uint32_t)
    FC_CUMSUM_CASE_(FC_DT_I64, i64, int64_t)
    FC_CUMSUM_CASE_(FC_DT_U64, u64, uint64_t)
    default: break;
    }
#undef FC_CUMSUM_CASE_
}
