/* k_topk.c — TopK (fc_rt_topk).
 *
 * Packed parameters of fc_rt_topk:
 *   ia[0] = outer  (product of the dims before the axis)
 *   ia[1] = R      (the axis' size)
 *   ia[2] = inner  (product of the dims after the axis)
 *   ia[3] = k      (0 <= k <= R)
 *   ia[4] = largest (1: the k largest, 0: the k smallest)
 * Input 0: data (f32, f64, i8, u8, i16, u16, i32, u32, i64, u64). Output 0: the k values
 * (same dtype), output 1: their int64 indices along the axis; both [outer][k][inner].
 * Scratch: k * 8 bytes (a heap of indices) + R * sizeof(element) when inner > 1 (the strided
 * slice is gathered into a contiguous row first).
 *
 * Order: always sorted (largest: descending, smallest: ascending); equal values keep the
 * lower index first; NaN ranks above every number (first when largest, last when smallest),
 * as in the ONNX reference. Selection keeps a heap of the k best seen so far (its root is
 * the worst of them), so a slice costs O(R log k); the heap is then sorted in place.
 */
#include "fc_rt.h"

#define FC_TOPK_NAN_F_(v) ((v) != (v))
#define FC_TOPK_NAN_I_(v) 0

#define FC_TOPK_DEFINE(SFX, T, ISNAN)                                                       \
    /* a ranks before b in the output order (a, b: indices into row v). */                  \
    FC_RT_HELPER int fc_topk_before_##SFX(const T *v, int64_t a, int64_t b, int largest)    \
    {                                                                                       \
        T va = v[a], vb = v[b];                                                             \
        int na = ISNAN(va), nb = ISNAN(vb);                                                 \
        if (na || nb) {                                                                     \
            if (na && nb)                                                                   \
                return a < b;                                                               \
            return largest ? na : nb;                                                       \
        }                                                                                   \
        if (va == vb)                                                                       \
            return a < b;                                                                   \
        return largest ? va > vb : va < vb;                                                 \
    }                                                                                       \
                                                                                            \
    /* Restores the heap below position i (root = the element that ranks last). */         \
    FC_RT_HELPER void fc_topk_sift_##SFX(const T *v, int64_t *h, int64_t n, int64_t i,      \
                                         int largest)                                       \
    {                                                                                       \
        for (;;) {                                                                          \
            int64_t l = 2 * i + 1, w = i, tmp;                                              \
            if (l < n && fc_topk_before_##SFX(v, h[w], h[l], largest))                      \
                w = l;                                                                      \
            if (l + 1 < n && fc_topk_before_##SFX(v, h[w], h[l + 1], largest))              \
                w = l + 1;                                                                  \
            if (w == i)                                                                     \
                return;                                                                     \
            tmp = h[i];                                                                     \
            h[i] = h[w];                                                                    \
            h[w] = tmp;                                                                     \
            i = w;                                                                          \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* Leaves the k best indices of row v[0..R) in h[0..k), best first. */                  \
    FC_RT_HELPER void fc_topk_select_##SFX(const T *v, int64_t R, int64_t k, int64_t *h,    \
                                           int largest)                                     \
    {                                                                                       \
        int64_t i, n;                                                                       \
        for (i = 0; i < k; i++)                                                             \
            h[i] = i;                                                                       \
        for (i = k / 2 - 1; i >= 0; i--)                                                    \
            fc_topk_sift_##SFX(v, h, k, i, largest);                                        \
        for (i = k; i < R; i++) {                                                           \
            /* most elements lose to the root at once: a plain comparison with its value    \
             * (a tie loses too: the later index ranks after); NaNs take the full test */   \
            const T c = v[i], root = v[h[0]];                                               \
            if (!ISNAN(c) && !ISNAN(root) && (largest ? !(c > root) : !(c < root)))         \
                continue;                                                                   \
            if (fc_topk_before_##SFX(v, i, h[0], largest)) {                                \
                h[0] = i;                                                                   \
                fc_topk_sift_##SFX(v, h, k, 0, largest);                                    \
            }                                                                               \
        }                                                                                   \
        for (n = k - 1; n > 0; n--) {                                                       \
            int64_t tmp = h[0];                                                             \
            h[0] = h[n];                                                                    \
            h[n] = tmp;                                                                     \
            fc_topk_sift_##SFX(v, h, n, 0, largest);                                        \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    FC_RT_HELPER void fc_topk_run_##SFX(const T *x, T *yv, int64_t *yi, int64_t outer,      \
                                        int64_t R, int64_t inner, int64_t k, int largest,   \
                                        void *scratch)                                      \
    {                                                                                       \
        int64_t *h = (int64_t *)scratch;                                                    \
        T *row = (T *)(void *)(h + k);                                                      \
        int64_t o, i, r, j;                                                                 \
        if (k <= 0)                                                                         \
            return;                                                                         \
        for (o = 0; o < outer; o++) {                                                       \
            for (i = 0; i < inner; i++) {                                                   \
                const T *xb = x + o * R * inner + i;                                        \
                const T *v = xb;                                                            \
                int64_t ob = o * k * inner + i;                                             \
                if (inner > 1) {                                                            \
                    for (r = 0; r < R; r++)                                                 \
                        row[r] = xb[r * inner];                                             \
                    v = row;                                                                \
                }                                                                           \
                fc_topk_select_##SFX(v, R, k, h, largest);                                  \
                for (j = 0; j < k; j++) {                                                   \
                    yv[ob + j * inner] = v[h[j]];                                           \
                    yi[ob + j * inner] = h[j];                                              \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
    }

FC_TOPK_DEFINE(f32, float, FC_TOPK_NAN_F_)
FC_TOPK_DEFINE(f64, double, FC_TOPK_NAN_F_)
FC_TOPK_DEFINE(i8, int8_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(u8, uint8_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(i16, int16_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(u16, uint16_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(i32, int32_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(u32, uint32_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(i64, int64_t, FC_TOPK_NAN_I_)
FC_TOPK_DEFINE(u64, uint64_t, FC_TOPK_NAN_I_)

FC_RT void fc_rt_topk(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    void *yv = fc_rt_out(n, t, 0)->data;
    int64_t *yi = (int64_t *)fc_rt_out(n, t, 1)->data;
    int64_t outer = n->ia[0], R = n->ia[1], inner = n->ia[2], k = n->ia[3];
    int largest = n->ia[4] != 0;
#define FC_TOPK_CASE_(DT, SFX, T)                                                           \
    case DT:                                                                                \
        fc_topk_run_##SFX((const T *)x->data, (T *)yv, yi, outer, R, inner, k, largest,     \
                          n->scratch);                                                      \
        break;
    switch (x->dtype) {
    FC_TOPK_CASE_(FC_DT_F32, f32, float)
    FC_TOPK_CASE_(FC_DT_F64, f64, double)
    FC_TOPK_CASE_(FC_DT_I8, i8, int8_t)
    FC_TOPK_CASE_(FC_DT_U8, u8, uint8_t)
    FC_TOPK_CASE_(FC_DT_I16, i16, int16_t)
    FC_TOPK_CASE_(FC_DT_U16, u16, uint16_t)
    FC_TOPK_CASE_(FC_DT_I32, i32, int32_t)
    FC_TOPK_CASE_(FC_DT_U32, u32, uint32_t)
    FC_TOPK_CASE_(FC_DT_I64, i64, int64_t)
    FC_TOPK_CASE_(FC_DT_U64, u64, uint64_t)
    default: break;
    }
#undef FC_TOPK_CASE_
}
