/* k_reduce.c — the Reduce* kernels: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd,
 * ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare (one kernel, fc_rt_reduce).
 *
 * Packed parameters of fc_rt_reduce:
 *   ia[0] = reduction code, FC_RED_SUM ... FC_RED_SUMSQ (enum below)
 *   ia[1] = bit mask of the reduced input axes (bit a set: axis a is reduced). 0 reduces
 *           nothing (noop_with_empty_axes): only the per-element part applies (x*x, |x|...).
 * Input 0 is the data, output 0 the result, same dtype; keepdims only changes the output's
 * shape, which the kernel never needs (the output is the kept axes in input order).
 * Scratch: fc_rt_reduce_scratch_bytes(x, code, mask) bytes (0 for last-axis reductions).
 *
 * Dtypes: f32, f64 (accumulated in double), i8, u8, i16, u16, i32, i64, u32, u64
 * (accumulated in 64-bit integers; L2/LogSum/LogSumExp/Mean of integers truncate like a
 * numpy astype), bool (Max/Min only).
 * Empty reductions give the identity: 0 (Sum, L1, L2, SumSquare), 1 (Prod), -inf or the
 * type's minimum (Max), +inf or the type's maximum (Min), -inf (LogSum, LogSumExp),
 * NaN for a float Mean (0/0) and 0 for an integer one. Max/Min propagate NaN.
 *
 * Iteration: size-1 axes are dropped and neighbouring axes that are both reduced or both
 * kept are merged, so the input is [d0][d1]...[dm-1] with alternating kinds. If only the
 * last merged axis is reduced (the common last-axis case) every output is one contiguous
 * row, reduced straight into the output. Otherwise outputs are accumulated in scratch while
 * the input is read row by row (a row = the last merged axis): a reduced last axis folds
 * each row into one accumulator, a kept one adds the row element-wise into a contiguous
 * run of accumulators. The output position of each row is advanced incrementally.
 */
#include "fc_rt.h"

enum {
    FC_RED_SUM = 0,
    FC_RED_MEAN = 1,
    FC_RED_MAX = 2,
    FC_RED_MIN = 3,
    FC_RED_PROD = 4,
    FC_RED_L1 = 5,
    FC_RED_L2 = 6,
    FC_RED_LOGSUM = 7,
    FC_RED_LOGSUMEXP = 8,
    FC_RED_SUMSQ = 9
};

/* What is accumulated: a sum of x, |x| or x*x, a product, a max or a min. */
enum { FC_REDK_SUM, FC_REDK_ABS, FC_REDK_SQ, FC_REDK_PROD, FC_REDK_MAX, FC_REDK_MIN };

typedef struct FcRedGeom {
    int m;                    /* merged axes */
    int64_t d[FC_MAX_RANK];   /* their sizes */
    int red[FC_MAX_RANK];     /* 1 = reduced */
    int64_t ost[FC_MAX_RANK]; /* output stride of each merged axis (0 if reduced) */
    int64_t nout, nred;       /* output elements; input elements per output */
    int64_t len, rows;        /* input = rows x len */
    int empty;                /* the input has no elements */
    int direct;               /* only the last merged axis is reduced */
} FcRedGeom;

FC_RT_HELPER void fc_red_geom(const FcRtTensor *x, int64_t mask, FcRedGeom *g)
{
    int32_t a;
    int i;
    int64_t s;
    g->m = 0;
    g->nout = 1;
    g->nred = 1;
    g->empty = 0;
    for (a = 0; a < x->rank; a++) {
        int r = (int)((mask >> a) & 1);
        int64_t d = x->dims[a];
        if (r)
            g->nred *= d;
        else
            g->nout *= d;
        if (d == 0)
            g->empty = 1;
        if (d == 1)
            continue;
        if (g->m > 0 && g->red[g->m - 1] == r) {
            g->d[g->m - 1] *= d;
        } else {
            g->d[g->m] = d;
            g->red[g->m] = r;
            g->m++;
        }
    }
    if (g->m == 0) {
        g->m = 1;
        g->d[0] = 1;
        g->red[0] = 0;
    }
    s = 1;
    for (i = g->m - 1; i >= 0; i--) {
        if (g->red[i]) {
            g->ost[i] = 0;
        } else {
            g->ost[i] = s;
            s *= g->d[i];
        }
    }
    g->len = g->d[g->m - 1];
    g->rows = 1;
    for (i = 0; i < g->m - 1; i++)
        g->rows *= g->d[i];
    g->direct = g->red[g->m - 1] && (g->m == 1 || (g->m == 2 && !g->red[0]));
}

/* Scratch the kernel needs for input x (dims as at run time), reduction `code`, axes `mask`. */
FC_RT int64_t fc_rt_reduce_scratch_bytes(const FcRtTensor *x, int64_t code, int64_t mask)
{
    FcRedGeom g;
    fc_red_geom(x, mask, &g);
    if (g.empty || g.direct)
        return 0;
    return g.nout * 8 * (code == FC_RED_LOGSUMEXP ? 2 : 1);
}

FC_RT_HELPER int fc_red_kind(int code)
{
    switch (code) {
    case FC_RED_MAX: case FC_RED_LOGSUMEXP: return FC_REDK_MAX;
    case FC_RED_MIN: return FC_REDK_MIN;
    case FC_RED_PROD: return FC_REDK_PROD;
    case FC_RED_L1: return FC_REDK_ABS;
    case FC_RED_L2: case FC_RED_SUMSQ: return FC_REDK_SQ;
    default: return FC_REDK_SUM;
    }
}

/* The shift LogSumExp subtracts before exp: the max, or 0 when it is not finite. */
FC_RT_HELPER double fc_red_shift(double m)
{
    return isfinite(m) ? m : 0.0;
}

/* double -> int64 without undefined behaviour (NaN -> 0, saturating). */
FC_RT_HELPER int64_t fc_red_d2i(double v)
{
    if (v != v)
        return 0;
    if (v >= 9223372036854775807.0)
        return INT64_MAX;
    if (v <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

/* Moves the output base `*ob` of row-index odometer `idx` to the next row. */
FC_RT_HELPER void fc_red_next_row(const FcRedGeom *g, int64_t *idx, int64_t *ob)
{
    int j;
    for (j = g->m - 2; j >= 0; j--) {
        *ob += g->ost[j];
        if (++idx[j] < g->d[j])
            return;
        *ob -= g->ost[j] * g->d[j];
        idx[j] = 0;
    }
}

#define FC_RED_ID_(v) (v)
#define FC_RED_SQ_(v) ((v) * (v))
#define FC_RED_FABS_(v) fabs(v)
#define FC_RED_SABS_(v) ((v) < 0 ? -(v) : (v))
#define FC_RED_FMAX_(v, m) ((v) > (m) || (v) != (v) ? (v) : (m))
#define FC_RED_FMIN_(v, m) ((v) < (m) || (v) != (v) ? (v) : (m))
#define FC_RED_IMAX_(v, m) ((v) > (m) ? (v) : (m))
#define FC_RED_IMIN_(v, m) ((v) < (m) ? (v) : (m))

/* Row reductions keep 8 independent lanes (no reassociation needed to vectorize them). */
#define FC_RED_LANES 8

/* Sum of F((A)p[i]) over a contiguous row. */
#define FC_RED_SUMROW_(A, F)                                                                \
    do {                                                                                    \
        A s_[FC_RED_LANES], t_ = 0;                                                         \
        const int64_t n_ = len - len % FC_RED_LANES; /* a bound of its own: k_norm.c */     \
        int64_t i_;                                                                         \
        int j_;                                                                             \
        for (j_ = 0; j_ < FC_RED_LANES; j_++)                                               \
            s_[j_] = 0;                                                                     \
        for (i_ = 0; i_ < n_; i_ += FC_RED_LANES)                                           \
            for (j_ = 0; j_ < FC_RED_LANES; j_++)                                           \
                s_[j_] += F((A)p[i_ + j_]);                                                 \
        for (i_ = n_; i_ < len; i_++)                                                       \
            t_ += F((A)p[i_]);                                                              \
        return t_ + ((s_[0] + s_[1]) + (s_[2] + s_[3])) +                                  \
               ((s_[4] + s_[5]) + (s_[6] + s_[7]));                                         \
    } while (0)

/* m = SEL(v, m) folded over a contiguous row, starting from INIT; SEL(v, m) is v or m. */
#define FC_RED_SELROW_(A, SEL, INIT)                                                        \
    do {                                                                                    \
        A m_[FC_RED_LANES], r_ = (A)(INIT);                                                 \
        const int64_t n_ = len - len % FC_RED_LANES; /* a bound of its own: k_norm.c */     \
        int64_t i_;                                                                         \
        int j_;                                                                             \
        for (j_ = 0; j_ < FC_RED_LANES; j_++)                                               \
            m_[j_] = r_;                                                                    \
        for (i_ = 0; i_ < n_; i_ += FC_RED_LANES)                                           \
            for (j_ = 0; j_ < FC_RED_LANES; j_++) {                                         \
                A v_ = (A)p[i_ + j_];                                                       \
                m_[j_] = SEL(v_, m_[j_]);                                                   \
            }                                                                               \
        for (i_ = n_; i_ < len; i_++) {                                                     \
            A v_ = (A)p[i_];                                                                \
            r_ = SEL(v_, r_);                                                               \
        }                                                                                   \
        for (j_ = 0; j_ < FC_RED_LANES; j_++)                                               \
            r_ = SEL(m_[j_], r_);                                                           \
        return r_;                                                                          \
    } while (0)

/* Defines the reduction of one element type T accumulated in A.
 * MAXSEL(v, m) / MINSEL(v, m): the new running max / min (NaN wins); ABS(v): |v|;
 * IDMIN / IDMAX: identities of Max / Min; FROMA(a): A -> T; FROMD(v): double -> T;
 * ISFLT: 1 for floating types. */
#define FC_RED_DEFINE(SFX, T, A, ISFLT, MAXSEL, MINSEL, ABS, IDMIN, IDMAX, FROMA, FROMD)   \
    FC_RT_HELPER A fc_red_id_##SFX(int kind)                                                \
    {                                                                                       \
        switch (kind) {                                                                     \
        case FC_REDK_PROD: return (A)1;                                                     \
        case FC_REDK_MAX: return (A)(IDMIN);                                                \
        case FC_REDK_MIN: return (A)(IDMAX);                                                \
        default: return (A)0;                                                               \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* Reduces the contiguous row p[0..len) (kind as in FC_REDK_*). */                     \
    FC_RT_HELPER A fc_red_row_##SFX(int kind, const T *p, int64_t len)                      \
    {                                                                                       \
        int64_t i;                                                                          \
        A m;                                                                                \
        switch (kind) {                                                                     \
        case FC_REDK_ABS: FC_RED_SUMROW_(A, ABS);                                           \
        case FC_REDK_SQ: FC_RED_SUMROW_(A, FC_RED_SQ_);                                     \
        case FC_REDK_PROD:                                                                  \
            m = (A)1;                                                                       \
            for (i = 0; i < len; i++)                                                       \
                m *= (A)p[i];                                                               \
            return m;                                                                       \
        case FC_REDK_MAX: FC_RED_SELROW_(A, MAXSEL, IDMIN);                                 \
        case FC_REDK_MIN: FC_RED_SELROW_(A, MINSEL, IDMAX);                                 \
        default: FC_RED_SUMROW_(A, FC_RED_ID_);                                             \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* Folds the row reduction v into accumulator *a. */                                    \
    FC_RT_HELPER void fc_red_fold_##SFX(int kind, A *a, A v)                                \
    {                                                                                       \
        switch (kind) {                                                                     \
        case FC_REDK_PROD: *a *= v; break;                                                  \
        case FC_REDK_MAX: *a = MAXSEL(v, *a); break;                                        \
        case FC_REDK_MIN: *a = MINSEL(v, *a); break;                                        \
        default: *a += v; break;                                                            \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* Accumulates the row p[0..len) element-wise into a[0..len). */                        \
    FC_RT_HELPER void fc_red_cols_##SFX(int kind, const T *p, A *a, int64_t len)            \
    {                                                                                       \
        int64_t i;                                                                          \
        switch (kind) {                                                                     \
        case FC_REDK_ABS:                                                                   \
            for (i = 0; i < len; i++)                                                       \
                a[i] += ABS((A)p[i]);                                                       \
            break;                                                                          \
        case FC_REDK_SQ:                                                                    \
            for (i = 0; i < len; i++)                                                       \
                a[i] += (A)p[i] * (A)p[i];                                                  \
            break;                                                                          \
        case FC_REDK_PROD:                                                                  \
            for (i = 0; i < len; i++)                                                       \
                a[i] *= (A)p[i];                                                            \
            break;                                                                          \
        case FC_REDK_MAX:                                                                   \
            for (i = 0; i < len; i++) {                                                     \
                A v = (A)p[i];                                                              \
                a[i] = MAXSEL(v, a[i]);                                                     \
            }                                                                               \
            break;                                                                          \
        case FC_REDK_MIN:                                                                   \
            for (i = 0; i < len; i++) {                                                     \
                A v = (A)p[i];                                                              \
                a[i] = MINSEL(v, a[i]);                                                     \
            }                                                                               \
            break;                                                                          \
        default:                                                                            \
            for (i = 0; i < len; i++)                                                       \
                a[i] += (A)p[i];                                                            \
            break;                                                                          \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    /* Sum of exp(p[i] - shift) over a contiguous row (LogSumExp). */                      \
    FC_RT_HELPER double fc_red_rowexp_##SFX(const T *p, int64_t len, double shift)          \
    {                                                                                       \
        double s = 0.0;                                                                     \
        int64_t i;                                                                          \
        for (i = 0; i < len; i++)                                                           \
            s += exp((double)p[i] - shift);                                                 \
        return s;                                                                           \
    }                                                                                       \
                                                                                            \
    /* The final value from accumulator a (and e = sum of exp for LogSumExp). */            \
    FC_RT_HELPER T fc_red_fin_##SFX(int code, A a, double e, int64_t cnt)                   \
    {                                                                                       \
        switch (code) {                                                                     \
        case FC_RED_MEAN:                                                                   \
            if (ISFLT)                                                                      \
                return FROMD((double)a / (double)cnt);                                      \
            return cnt ? FROMA(a / (A)cnt) : FROMA((A)0);                                   \
        case FC_RED_L2: return FROMD(sqrt((double)a));                                      \
        case FC_RED_LOGSUM: return FROMD(log((double)a));                                   \
        case FC_RED_LOGSUMEXP: return FROMD(log(e) + fc_red_shift((double)a));              \
        default: return FROMA(a);                                                           \
        }                                                                                   \
    }                                                                                       \
                                                                                            \
    FC_RT_HELPER void fc_red_run_##SFX(int code, const FcRedGeom *g, const T *x, T *y,      \
                                       void *scratch)                                       \
    {                                                                                       \
        int kind = fc_red_kind(code);                                                       \
        int64_t o, r, i, len = g->len;                                                      \
        int64_t idx[FC_MAX_RANK] = {0}, ob = 0;                                             \
        A *acc;                                                                             \
        double *acc2;                                                                       \
        if (g->empty) {                                                                     \
            T v = fc_red_fin_##SFX(code, fc_red_id_##SFX(kind), 0.0, g->nred);              \
            for (o = 0; o < g->nout; o++)                                                   \
                y[o] = v;                                                                   \
            return;                                                                         \
        }                                                                                   \
        if (g->direct) {                                                                    \
            for (r = 0; r < g->rows; r++) {                                                 \
                const T *p = x + r * len;                                                   \
                A a = fc_red_row_##SFX(kind, p, len);                                       \
                double e = 0.0;                                                             \
                if (code == FC_RED_LOGSUMEXP)                                               \
                    e = fc_red_rowexp_##SFX(p, len, fc_red_shift((double)a));               \
                y[r] = fc_red_fin_##SFX(code, a, e, g->nred);                               \
            }                                                                               \
            return;                                                                         \
        }                                                                                   \
        acc = (A *)scratch;                                                                 \
        acc2 = (double *)(void *)(acc + g->nout);                                           \
        {                                                                                   \
            A id = fc_red_id_##SFX(kind);                                                   \
            for (o = 0; o < g->nout; o++)                                                   \
                acc[o] = id;                                                                \
        }                                                                                   \
        for (r = 0; r < g->rows; r++) {                                                     \
            const T *p = x + r * len;                                                       \
            if (g->red[g->m - 1])                                                           \
                fc_red_fold_##SFX(kind, &acc[ob], fc_red_row_##SFX(kind, p, len));          \
            else                                                                            \
                fc_red_cols_##SFX(kind, p, acc + ob, len);                                  \
            fc_red_next_row(g, idx, &ob);                                                   \
        }                                                                                   \
        if (code == FC_RED_LOGSUMEXP) {                                                     \
            for (o = 0; o < g->nout; o++)                                                   \
                acc2[o] = 0.0;                                                              \
            for (r = 0; r < g->rows; r++) {                                                 \
                const T *p = x + r * len;                                                   \
                if (g->red[g->m - 1]) {                                                     \
                    acc2[ob] += fc_red_rowexp_##SFX(p, len, fc_red_shift((double)acc[ob])); \
                } else {                                                                    \
                    for (i = 0; i < len; i++)                                               \
                        acc2[ob + i] +=                                                     \
                            exp((double)p[i] - fc_red_shift((double)acc[ob + i]));          \
                }                                                                           \
                fc_red_next_row(g, idx, &ob);                                               \
            }                                                                               \
        }                                                                                   \
        for (o = 0; o < g->nout; o++)                                                       \
            y[o] = fc_red_fin_##SFX(code, acc[o], code == FC_RED_LOGSUMEXP ? acc2[o] : 0.0, \
                                    g->nred);                                               \
    }

#define FC_RED_TOF_(a) ((float)(a))
#define FC_RED_TOD_(a) ((double)(a))
#define FC_RED_TOB_(a) ((uint8_t)((a) != 0))

FC_RED_DEFINE(f32, float, double, 1, FC_RED_FMAX_, FC_RED_FMIN_, FC_RED_FABS_, -INFINITY, INFINITY,
              FC_RED_TOF_, FC_RED_TOF_)
FC_RED_DEFINE(f64, double, double, 1, FC_RED_FMAX_, FC_RED_FMIN_, FC_RED_FABS_, -INFINITY, INFINITY,
              FC_RED_TOD_, FC_RED_TOD_)
#define FC_RED_INT_(SFX, T, A, ABS, MN, MX)                                                 \
    FC_RED_DEFINE(SFX, T, A, 0, FC_RED_IMAX_, FC_RED_IMIN_, ABS, MN, MX, (T), (T)fc_red_d2i)
FC_RED_INT_(i8, int8_t, int64_t, FC_RED_SABS_, INT8_MIN, INT8_MAX)
FC_RED_INT_(u8, uint8_t, uint64_t, FC_RED_ID_, 0, UINT8_MAX)
FC_RED_INT_(i16, int16_t, int64_t, FC_RED_SABS_, INT16_MIN, INT16_MAX)
FC_RED_INT_(u16, uint16_t, uint64_t, FC_RED_ID_, 0, UINT16_MAX)
FC_RED_INT_(i32, int32_t, int64_t, FC_RED_SABS_, INT32_MIN, INT32_MAX)
FC_RED_INT_(u32, uint32_t, uint64_t, FC_RED_ID_, 0, UINT32_MAX)
FC_RED_INT_(i64, int64_t, int64_t, FC_RED_SABS_, INT64_MIN, INT64_MAX)
FC_RED_INT_(u64, uint64_t, uint64_t, FC_RED_ID_, 0, UINT64_MAX)
FC_RED_DEFINE(b8, uint8_t, int64_t, 0, FC_RED_IMAX_, FC_RED_IMIN_, FC_RED_ID_, 0, 1, FC_RED_TOB_,
              FC_RED_TOB_)

FC_RT void fc_rt_reduce(const FcRtNode *n, FcRtTensor *t)
{
    const FcRtTensor *x = fc_rt_in(n, t, 0);
    FcRtTensor *y = fc_rt_out(n, t, 0);
    int code = (int)n->ia[0];
    FcRedGeom g;
    fc_red_geom(x, n->ia[1], &g);
#define FC_RED_CASE_(DT, SFX, T)                                                            \
    case DT:                                                                                \
        fc_red_run_##SFX(code, &g, (const T *)x->data, (T *)y->data, n->scratch);           \
        break;
    switch (x->dtype) {
    FC_RED_CASE_(FC_DT_F32, f32, float)
    FC_RED_CASE_(FC_DT_F64, f64, double)
    FC_RED_CASE_(FC_DT_I8, i8, int8_t)
    FC_RED_CASE_(FC_DT_U8, u8, uint8_t)
    FC_RED_CASE_(FC_DT_I16, i16, int16_t)
    FC_RED_CASE_(FC_DT_U16, u16, uint16_t)
    FC_RED_CASE_(FC_DT_I32, i32, int32_t)
    FC_RED_CASE_(FC_DT_U32, u32, uint32_t)
    FC_RED_CASE_(FC_DT_I64, i64, int64_t)
    FC_RED_CASE_(FC_DT_U64, u64, uint64_t)
    FC_RED_CASE_(FC_DT_BOOL, b8, uint8_t)
    default: break;
    }
#undef FC_RED_CASE_
}
