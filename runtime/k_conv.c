/* k_conv.c — Conv and ConvTranspose (float32, 1-D/2-D/3-D).
 * fc-deps: k_gemm.c, k_vmath.c
 *
 * Spatial geometry is canonicalized to 3-D by prepare (a 2-D op has depth 1, a 1-D op depth
 * and height 1), so every loop here is written once. A convolution group is one GEMM:
 *   Conv:          Y_g[Cout_g x P] = W_g[Cout_g x Cin_g*K] * col[Cin_g*K x P]
 *   ConvTranspose: col[Cout_g*K x Q] = W_g^T[Cout_g*K x Cin_g] * X_g[Cin_g x Q], then col2im
 * where col is built (im2col) or scattered (col2im) in scratch memory, a block of output (P)
 * or input (Q) positions at a time so the column buffer stays cache-sized. A 1x1 stride-1
 * unpadded Conv multiplies X directly; a Conv whose groups have one input channel each
 * (depthwise) runs a direct loop instead of GEMMs with K = kernel size.
 *
 * Geometry block `geo` (18 int64, inside ia): [0..2] input dims D,H,W; [3..5] output dims;
 * [6..8] kernel; [9..11] strides; [12..14] dilations; [15..17] leading pads. For Conv, input /
 * output are X / Y; for ConvTranspose, "input" is X and "output" is Y too, an input position
 * i mapping to output position i*stride + k*dilation - pad.
 */
#include "fc_rt.h"

FC_RT void fc_rt_sgemm(int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                       int transA, const float *B, int64_t ldb, int transB, float beta, float *C,
                       int64_t ldc, float *work);
FC_RT int64_t fc_rt_sgemm_nr(void);
FC_RT int64_t fc_rt_sgemm_a_panel_floats(int64_t M, int64_t K);
FC_RT void fc_rt_sgemm_pack_a_panel(int64_t M, int64_t K, const float *A, int64_t lda, float *dst);
FC_RT int64_t fc_rt_sgemm_a_at(int64_t K, int64_t m, int64_t k);
FC_RT void fc_rt_sgemm_panels(int64_t M, int64_t N, int64_t K, const float *pa, const float *pb,
                              float *C, int64_t ldc);
FC_RT void fc_rt_vact(float *y, int64_t n, int act);
FC_RT void fc_rt_vact_biased(const float *x, const float *b, int64_t bs, float *y, int64_t n,
                             int act);
FC_RT int64_t fc_rt_sgemm_work(int64_t M, int64_t N, int64_t K);
FC_RT int64_t fc_rt_sgemm_prepacked_floats(int64_t K, int64_t N);
FC_RT void fc_rt_sgemm_prepacked(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                 const float *Wp, float *C, int64_t ldc, float *work);

/* The Conv modes (ia[4], see fc_rt_conv) this file carries code for: bit m for mode m. The C
 * emitter defines FC_CV_MODES to the modes its graph's Convs use, so fc_rt_conv's branches
 * for the others are constant-false and the compiler drops their kernels (Winograd,
 * depthwise, few-positions: most of this file) instead of optimizing them for nothing --
 * about half the -O2 build time of a small model. Everywhere else every mode is there. */
#ifndef FC_CV_MODES
#define FC_CV_MODES 0x1ff
#endif
#define FC_CV_HAS_MODE(m) ((FC_CV_MODES >> (m)) & 1)
#define FC_CV_HAS_WINOGRAD (FC_CV_HAS_MODE(3) || FC_CV_HAS_MODE(4) || FC_CV_HAS_MODE(7) || \
                            FC_CV_HAS_MODE(8))

#if defined(__GNUC__) || defined(__clang__)
#define FC_CV_RESTRICT __restrict__
#define FC_CV_INLINE static __inline__ __attribute__((always_inline)) FC_MAYBE_UNUSED
#else
#define FC_CV_RESTRICT
#define FC_CV_INLINE static FC_MAYBE_UNUSED
#endif

/* y[0..n) += a * x[0..n); fixed 16-wide chunks so GCC vectorizes it at -O2 as well. */
FC_RT_HELPER void fc_cv_axpy(int64_t n, float a, const float *FC_CV_RESTRICT x,
                             float *FC_CV_RESTRICT y)
{
    /* the chunked part's end as a value of its own: with a tail loop "for (; i < n; ...)"
     * after "i + 16 <= n", GCC (12, constant n after inlining) can warn of a bogus
     * overflowing iteration (-Waggressive-loop-optimizations) in the emitted C */
    const int64_t n16 = n - n % 16;
    int64_t i;
    int u;
    for (i = 0; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            y[i + u] += a * x[i + u];
    for (i = n16; i < n; i++)
        y[i] += a * x[i];
}

/* Range [*lo, *hi) of o in [0, on) with 0 <= o*s + off < in. */
FC_RT_HELPER void fc_cv_range(int64_t off, int64_t s, int64_t in, int64_t on, int64_t *lo,
                              int64_t *hi)
{
    int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t h = in - 1 - off < 0 ? 0 : (in - 1 - off) / s + 1;
    if (h > on)
        h = on;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/* ---- Padded planes --------------------------------------------------------------------
 * Both Conv paths read an input channel plane through a view whose taps never leave it: the
 * plane itself when nothing is padded, else a copy in scratch with the padding written out as
 * zeros, so no tap loop tests bounds. Along each axis the copy spans what the output windows
 * cover, E = (O-1)*s + (K-1)*d + 1 (fc_cv_extent), with the input at offset pad; input past
 * E is never read and not copied. */

typedef struct FcCvView {
    int64_t rs, ps; /* row stride, depth-slice stride */
} FcCvView;

FC_RT_HELPER void fc_cv_extent(const int64_t *geo, int64_t e[3])
{
    int a;
    for (a = 0; a < 3; a++)
        e[a] = (geo[3 + a] - 1) * geo[9 + a] + (geo[6 + a] - 1) * geo[12 + a] + 1;
}

FC_RT_HELPER int fc_cv_has_pads(const int64_t *geo)
{
    return geo[15] != 0 || geo[16] != 0 || geo[17] != 0;
}

/* ---- Short copies ----------------------------------------------------------------------
 * The rows of a padded copy are short on small feature maps (8 + 2 floats on an 8x8 plane).
 * A memcpy or a zeroing loop of run-time length is a libc call there (GCC turns such loops
 * into memcpy/memset calls), which costs more than the few floats it moves. These move
 * fixed-size chunks the compiler keeps inline, the last chunk overlapping the one before;
 * rows of FC_CV_LONG_ROW floats or more still go to memcpy. */
#define FC_CV_LONG_ROW 64

/* d[0..n) = s[0..n) (not overlapping). Inlined: it is called once per row or run, with few
 * floats to move. */
FC_CV_INLINE void fc_cv_copy_row(float *FC_CV_RESTRICT d, const float *FC_CV_RESTRICT s,
                                 int64_t n)
{
    int64_t i;
    int u;
    if (n >= FC_CV_LONG_ROW) {
        memcpy(d, s, (size_t)n * sizeof(float));
    } else if (n >= 16) {
        for (i = 0; i + 16 < n; i += 16)
            for (u = 0; u < 16; u++)
                d[i + u] = s[i + u];
        for (u = 0; u < 16; u++)
            d[n - 16 + u] = s[n - 16 + u];
    } else if (n >= 8) {
        for (u = 0; u < 8; u++)
            d[u] = s[u];
        for (u = 0; u < 8; u++)
            d[n - 8 + u] = s[n - 8 + u];
    } else if (n >= 4) {
        for (u = 0; u < 4; u++)
            d[u] = s[u];
        for (u = 0; u < 4; u++)
            d[n - 4 + u] = s[n - 4 + u];
    } else if (n >= 2) {
        d[0] = s[0];
        d[1] = s[1];
        d[n - 1] = s[n - 1];
    } else if (n == 1) {
        d[0] = s[0];
    }
}

/* d[0..n) = 0. */
FC_RT_HELPER void fc_cv_zero_row(float *d, int64_t n)
{
    int64_t i;
    int u;
    if (n >= FC_CV_LONG_ROW) {
        memset(d, 0, (size_t)n * sizeof(float));
    } else if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8)
            for (u = 0; u < 8; u++)
                d[i + u] = 0.0f;
        for (u = 0; u < 8; u++)
            d[n - 8 + u] = 0.0f;
    } else if (n >= 4) {
        for (u = 0; u < 4; u++)
            d[u] = 0.0f;
        for (u = 0; u < 4; u++)
            d[n - 4 + u] = 0.0f;
    } else if (n >= 2) {
        d[0] = 0.0f;
        d[1] = 0.0f;
        d[n - 1] = 0.0f;
    } else if (n == 1) {
        d[0] = 0.0f;
    }
}

/* Where the input lies in a padded row: columns [*lead, *lead + *n) of the EW hold input
 * columns [0, *n), the rest are padding. */
FC_RT_HELPER void fc_cv_pad_cols(const int64_t *geo, const int64_t e[3], int64_t *lead,
                                 int64_t *n)
{
    const int64_t IW = geo[2], EW = e[2];
    *lead = geo[17] < EW ? geo[17] : EW;
    *n = IW < EW - *lead ? IW : EW - *lead;
}

/* Padded rows r0, r0 + 1, ... as input rows: depth *id, height *ih (outside the input in
 * the padding); fc_cv_pad_next steps to the next row. */
FC_RT_HELPER void fc_cv_pad_row_at(const int64_t *geo, const int64_t e[3], int64_t r0,
                                   int64_t *id, int64_t *ih)
{
    *id = r0 / e[1] - geo[15];
    *ih = r0 % e[1] - geo[16];
}

FC_RT_HELPER void fc_cv_pad_next(const int64_t *geo, const int64_t e[3], int64_t *id,
                                 int64_t *ih)
{
    if (++*ih == e[1] - geo[16]) {
        *ih = -geo[16];
        ++*id;
    }
}

/* Writes the padding zeros of rows [r0, r1) of plane x's padded copy (row r at
 * dst + (r - r0) * EW; row r is depth r / EH, height r % EH), and nothing else: they stay
 * when fc_cv_pad_values refills the rows with the next plane (every plane of the Conv has
 * the same padding). */
FC_RT_HELPER void fc_cv_pad_zeros(const int64_t *geo, const int64_t e[3], int64_t r0,
                                  int64_t r1, float *dst)
{
    const int64_t ID = geo[0], IH = geo[1], EW = e[2];
    int64_t r, lead, n, id, ih;
    fc_cv_pad_cols(geo, e, &lead, &n);
    fc_cv_pad_row_at(geo, e, r0, &id, &ih);
    for (r = r0; r < r1; r++, dst += EW) {
        if (id >= 0 && id < ID && ih >= 0 && ih < IH) {
            fc_cv_zero_row(dst, lead);
            fc_cv_zero_row(dst + lead + n, EW - lead - n);
        } else {
            fc_cv_zero_row(dst, EW);
        }
        fc_cv_pad_next(geo, e, &id, &ih);
    }
}

/* Writes the input values of rows [r0, r1) of plane x's padded copy (placed as in
 * fc_cv_pad_zeros), and nothing else. */
FC_RT_HELPER void fc_cv_pad_values(const float *x, const int64_t *geo, const int64_t e[3],
                                   int64_t r0, int64_t r1, float *dst)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], EW = e[2];
    int64_t r, lead, n, id, ih;
    fc_cv_pad_cols(geo, e, &lead, &n);
    fc_cv_pad_row_at(geo, e, r0, &id, &ih);
    for (r = r0; r < r1; r++, dst += EW) {
        if (id >= 0 && id < ID && ih >= 0 && ih < IH)
            fc_cv_copy_row(dst + lead, x + (id * IH + ih) * IW, n);
        fc_cv_pad_next(geo, e, &id, &ih);
    }
}

/* Writes rows [r0, r1) of plane x's padded copy, zeros and values, to dst as above. */
FC_RT_HELPER void fc_cv_pad_span(const float *x, const int64_t *geo, const int64_t e[3],
                                 int64_t r0, int64_t r1, float *dst)
{
    fc_cv_pad_zeros(geo, e, r0, r1, dst);
    fc_cv_pad_values(x, geo, e, r0, r1, dst);
}

/* Writes rows [r0, r1) of plane x's padded copy xp (row r at xp + r * EW). */
FC_RT_HELPER void fc_cv_pad_rows(const float *x, const int64_t *geo, const int64_t e[3],
                                 int64_t r0, int64_t r1, float *xp)
{
    fc_cv_pad_span(x, geo, e, r0, r1, xp + r0 * e[2]);
}

/* How the Conv reads its input planes: the planes themselves when nothing is padded, else
 * padded copies (fc_cv_view_rows); the same strides for every plane. */
FC_RT_HELPER FcCvView fc_cv_view_of(const int64_t *geo)
{
    FcCvView v;
    int64_t e[3];
    if (!fc_cv_has_pads(geo)) {
        v.rs = geo[2];
        v.ps = geo[1] * geo[2];
    } else {
        fc_cv_extent(geo, e);
        v.rs = e[2];
        v.ps = e[1] * e[2];
    }
    return v;
}

/* The base of plane x's view for output positions [p, p+len): x itself when unpadded, else
 * xp, after writing the input values of the rows of the padded copy those windows touch
 * (the padding zeros of xp are written once per block: fc_cv_pack_block). */
FC_RT_HELPER const float *fc_cv_view_rows(const float *x, const int64_t *geo, int64_t p,
                                          int64_t len, float *xp)
{
    const int64_t OH = geo[4], OW = geo[5], KD = geo[6], KH = geo[7];
    const int64_t sd = geo[9], sh = geo[10], dd = geo[12], dh = geo[13];
    int64_t e[3], first, last;
    if (!fc_cv_has_pads(geo))
        return x;
    fc_cv_extent(geo, e);
    /* rows are numbered depth-major, so the windows' rows lie between the first position's
     * top row and the last position's bottom row */
    first = p / OW / OH * sd * e[1] + p / OW % OH * sh;
    last = ((p + len - 1) / OW / OH * sd + (KD - 1) * dd) * e[1] + (p + len - 1) / OW % OH * sh +
           (KH - 1) * dh;
    fc_cv_pad_values(x, geo, e, first, last + 1, xp + first * e[2]);
    return xp;
}

/* ---- im2col into the GEMM's B panel ---------------------------------------------------- */

/* The columns of one Conv GEMM block: global column j is output position j % osz of image
 * j / osz, so a block of a small feature map spans several images and the GEMM stays wide.
 * The block's im2col matrix (krows x ncols) is written straight into the B panel layout of
 * runtime/k_gemm.c: column q of row r at pb[((q / nr) * krows + r) * nr + q % nr]. */
typedef struct FcCvBlock {
    const float *x;     /* the input, all images */
    const int64_t *geo;
    int64_t cin, c0, cin_g, krows; /* input channels: all, group's first, per group; rows */
    int64_t isz, osz, j0, cnt, ncols, nr; /* plane sizes; first column, columns (padded to
                                           * nr), panel strip width */
    int pointwise;      /* 1x1, stride 1, no padding: a row is a copy of the input plane */
} FcCvBlock;

/* A write position in one panel row: strip and lane of the next column. */
typedef struct FcCvCursor {
    int64_t strip, lane;
} FcCvCursor;

FC_RT_HELPER FcCvCursor fc_cv_cursor(int64_t q, int64_t nr)
{
    FcCvCursor c;
    c.strip = q / nr;
    c.lane = q % nr;
    return c;
}

/* Appends n values src[0], src[sw], ... to panel row `prow` (pb + r*nr) at cursor *c. */
FC_RT_HELPER void fc_cv_put_run(const float *src, int64_t sw, int64_t n, const FcCvBlock *bk,
                                float *prow, FcCvCursor *c)
{
    const int64_t nr = bk->nr;
    while (n > 0) {
        int64_t k = nr - c->lane < n ? nr - c->lane : n, j;
        float *d = prow + c->strip * bk->krows * nr + c->lane;
        if (sw == 1)
            for (j = 0; j < k; j++)
                d[j] = src[j];
        else
            for (j = 0; j < k; j++)
                d[j] = src[j * sw];
        src += k * sw;
        n -= k;
        c->lane += k;
        if (c->lane == nr) {
            c->lane = 0;
            c->strip++;
        }
    }
}

/* Runs of a GEMM block: a stretch of output positions of one image cut into pieces that
 * each lie in one output row and one panel strip, so for every tap a piece is one copy of
 * consecutive input values (stride sw) into consecutive panel lanes. The cutting is the same
 * for every tap and input channel: it is done once and replayed for all krows rows. */
#define FC_CV_RUNS 64
typedef struct FcCvRuns {
    int64_t n;
    int64_t dst[FC_CV_RUNS]; /* panel offset of the piece's first column in row 0 */
    int64_t src[FC_CV_RUNS]; /* view offset of its first input value for tap (0, 0, 0) */
    int64_t len[FC_CV_RUNS];
} FcCvRuns;

/* Cuts output positions [p, p+len) of one image, starting at block column q, into at most
 * FC_CV_RUNS pieces; returns how many positions they cover. */
FC_RT_HELPER int64_t fc_cv_cut_runs(const FcCvBlock *bk, const FcCvView *v, int64_t p,
                                    int64_t len, int64_t q, FcCvRuns *rn)
{
    const int64_t *geo = bk->geo;
    const int64_t OH = geo[4], OW = geo[5], sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t nr = bk->nr;
    int64_t ow = p % OW, oh = p / OW % OH, od = p / OW / OH, done = 0;
    int64_t strip = q / nr, lane = q % nr;
    rn->n = 0;
    while (done < len && rn->n < FC_CV_RUNS) {
        int64_t k = OW - ow < len - done ? OW - ow : len - done;
        if (nr - lane < k)
            k = nr - lane;
        rn->dst[rn->n] = strip * bk->krows * nr + lane;
        rn->src[rn->n] = od * sd * v->ps + oh * sh * v->rs + ow * sw;
        rn->len[rn->n++] = k;
        done += k;
        if ((lane += k) == nr) {
            lane = 0;
            strip++;
        }
        if ((ow += k) == OW) {
            ow = 0;
            if (++oh == OH) {
                oh = 0;
                od++;
            }
        }
    }
    return done;
}

/* The panel rows of kernel columns 0 .. SW - 1 (nr floats apart) for a piece of n positions
 * whose kernel is as wide as its stride (SW, a literal): row kw takes s[j * SW + kw], one
 * pass over the input span (a deinterleave, which GCC vectorizes with permutes) instead of
 * SW strided passes: ConvNeXt's 2x2 stride-2 downsampling packs ~3x faster. */
FC_CV_INLINE void fc_cv_split_run(float *FC_CV_RESTRICT d, const float *FC_CV_RESTRICT s,
                                  int64_t n, int64_t nr, const int SW)
{
    int64_t j;
    int kw;
    for (j = 0; j < n; j++)
        for (kw = 0; kw < SW; kw++)
            d[kw * nr + j] = s[j * SW + kw];
}

/* Panel rows r0.. (one per kernel tap, rows nr floats apart) of the positions in rn, read
 * through base pointer xv of view v. */
FC_RT_HELPER void fc_cv_pack_runs(const FcCvRuns *rn, const FcCvView *v, const float *xv,
                                  const FcCvBlock *bk, int64_t r0, float *pb)
{
    const int64_t *geo = bk->geo;
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    int64_t kd, kh, kw, i, j;
    float *prow = pb + r0 * bk->nr;
    if (KW == sw && dw == 1 && (sw == 2 || sw == 4)) { /* patches side by side along w */
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++, prow += KW * bk->nr) {
                const float *tap = xv + kd * dd * v->ps + kh * dh * v->rs;
                for (i = 0; i < rn->n; i++) {
                    if (sw == 2)
                        fc_cv_split_run(prow + rn->dst[i], tap + rn->src[i], rn->len[i],
                                        bk->nr, 2);
                    else
                        fc_cv_split_run(prow + rn->dst[i], tap + rn->src[i], rn->len[i],
                                        bk->nr, 4);
                }
            }
        return;
    }
    for (kd = 0; kd < KD; kd++)
        for (kh = 0; kh < KH; kh++)
            for (kw = 0; kw < KW; kw++, prow += bk->nr) {
                const float *tap = xv + kd * dd * v->ps + kh * dh * v->rs + kw * dw;
                for (i = 0; i < rn->n; i++) {
                    const float *s = tap + rn->src[i];
                    float *d = prow + rn->dst[i];
                    const int64_t n = rn->len[i];
                    if (sw == 1)
                        fc_cv_copy_row(d, s, n);
                    else
                        for (j = 0; j < n; j++)
                            d[j] = s[j * sw];
                }
            }
}

/* Columns of a GEMM over `cnt` live columns in a panel `width` wide worth computing: up to
 * the next multiple of 16 (the half-width micro-kernel's, runtime/k_gemm.c), within the
 * panel. */
FC_RT_HELPER int64_t fc_cv_live_cols(int64_t cnt, int64_t width)
{
    int64_t live = (cnt + 15) / 16 * 16;
    return live < width ? live : width;
}

/* Packs the block's im2col matrix (columns past cnt zero) into the B panel pb; xp is room
 * for one padded input plane, its padding zeros written here once for all the planes the
 * block copies into it. */
FC_RT_HELPER void fc_cv_pack_block(const FcCvBlock *bk, float *xp, float *pb)
{
    const int64_t *geo = bk->geo;
    const int64_t ksz = geo[6] * geo[7] * geo[8], nr = bk->nr;
    const FcCvView v = fc_cv_view_of(geo);
    int64_t q = 0, j = bk->j0, c, r, l, e[3];
    if (fc_cv_has_pads(geo)) {
        fc_cv_extent(geo, e);
        fc_cv_pad_zeros(geo, e, 0, e[0] * e[1], xp);
    }
    while (q < bk->cnt) {
        int64_t b = j / bk->osz, p = j % bk->osz;
        int64_t len = bk->osz - p < bk->cnt - q ? bk->osz - p : bk->cnt - q;
        if (bk->pointwise) {
            for (c = 0; c < bk->cin_g; c++) {
                FcCvCursor cur = fc_cv_cursor(q, nr);
                fc_cv_put_run(bk->x + (b * bk->cin + bk->c0 + c) * bk->isz + p, 1, len, bk,
                              pb + c * nr, &cur);
            }
        } else {
            int64_t done = 0;
            while (done < len) {
                FcCvRuns rn;
                int64_t part = fc_cv_cut_runs(bk, &v, p + done, len - done, q + done, &rn);
                for (c = 0; c < bk->cin_g; c++) {
                    const float *xc = bk->x + (b * bk->cin + bk->c0 + c) * bk->isz;
                    fc_cv_pack_runs(&rn, &v, fc_cv_view_rows(xc, geo, p + done, part, xp), bk,
                                    c * ksz, pb);
                }
                done += part;
            }
        }
        q += len;
        j += len;
    }
    /* the last strip's unused lanes */
    if (bk->cnt % nr != 0) {
        float *last = pb + (bk->ncols / nr - 1) * bk->krows * nr;
        for (r = 0; r < bk->krows; r++)
            for (l = bk->cnt % nr; l < nr; l++)
                last[r * nr + l] = 0.0f;
    }
}

/* Adds col[r][q] (r over c, kd, kh, kw; q over input positions p0..p0+np) into y (cout
 * channels of output): the transpose of fc_cv_im2col_row. */
FC_RT_HELPER void fc_cv_col2im(const float *col, const int64_t *geo, int64_t cout, int64_t p0,
                               int64_t np, float *y)
{
    const int64_t IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t pd = geo[15], ph = geo[16], pw = geo[17];
    int64_t c, kd, kh, kw;
    const float *src = col;
    for (c = 0; c < cout; c++)
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++)
                for (kw = 0; kw < KW; kw++) {
                    int64_t iw = p0 % IW, ih = (p0 / IW) % IH, id = p0 / IW / IH;
                    int64_t q = 0;
                    while (q < np) {
                        int64_t seg = IW - iw < np - q ? IW - iw : np - q;
                        int64_t od = id * sd + kd * dd - pd, oh = ih * sh + kh * dh - ph;
                        if (od >= 0 && od < OD && oh >= 0 && oh < OH) {
                            float *yr = y + ((c * OD + od) * OH + oh) * OW;
                            const float *s = src + q;
                            /* output column ow = (iw + j)*sw + kw*dw - pw for j in [0, seg) */
                            int64_t off = iw * sw + kw * dw - pw, lo, hi, j;
                            fc_cv_range(off, sw, OW, seg, &lo, &hi);
                            if (sw == 1)
                                fc_cv_axpy(hi - lo, 1.0f, s + lo, yr + off + lo);
                            else
                                for (j = lo; j < hi; j++)
                                    yr[j * sw + off] += s[j];
                        }
                        q += seg;
                        iw += seg;
                        if (iw == IW) {
                            iw = 0;
                            if (++ih == IH) {
                                ih = 0;
                                id++;
                            }
                        }
                    }
                    src += np;
                }
}

/* ---- Depthwise: direct loops over a padded plane ---------------------------------------
 * One output plane from one input channel: the channel is copied once into a zero-padded
 * plane xp (fc_cv_pad_rows), so every tap is a branch-free multiply-add over whole rows. Taps
 * are summed in (kd, kh, kw) order onto the bias, in 16-wide chunks the compiler keeps in
 * vector registers across a kernel row. */

/* Floats of the chunk slack past the padded plane and past z. */
#define FC_CV_DW_SLACK 16

/* Unit H and W strides: output (oh, ow) of depth od is z[oh*EW + ow] where z[i] sums
 * w[tap] * xp[tap offset + i] over the taps, one contiguous loop over all rows of the plane
 * (the EW - OW columns between rows are computed and dropped), which keeps the loops long
 * on narrow planes. z has OH*EW + FC_CV_DW_SLACK floats; xp has FC_CV_DW_SLACK zeros past
 * the plane for the last chunk. */
FC_RT_FMA_FN FC_RT_HELPER void fc_cv_dw_unit_stride(const float *FC_CV_RESTRICT xp,
                                                    const float *w, const int64_t *geo,
                                                    const int64_t e[3], float bias,
                                                    float *FC_CV_RESTRICT z, float *y)
{
    FC_RT_FMA_BEGIN
    const int64_t OD = geo[3], OH = geo[4], OW = geo[5], KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t EH = e[1], EW = e[2], len = (OH - 1) * EW + OW;
    int64_t od, oh, kd, kh, kw, i;
    int u;
    for (od = 0; od < OD; od++) {
        /* every chunk, also the last one's columns past len (computed and dropped) */
        for (i = 0; i < (len + 15) / 16 * 16; i++)
            z[i] = bias;
        for (kd = 0; kd < KD; kd++)
            for (kh = 0; kh < KH; kh++) {
                const float *xr = xp + ((od * sd + kd * dd) * EH + kh * dh) * EW;
                const float *wr = w + (kd * KH + kh) * KW;
                for (i = 0; i < len; i += 16) {
                    float acc[16];
                    for (u = 0; u < 16; u++)
                        acc[u] = z[i + u];
                    for (kw = 0; kw < KW; kw++) {
                        const float wv = wr[kw], *s = xr + i + kw * dw;
                        for (u = 0; u < 16; u++)
                            acc[u] += wv * s[u];
                    }
                    for (u = 0; u < 16; u++)
                        z[i + u] = acc[u];
                }
            }
        for (oh = 0; oh < OH; oh++)
            memcpy(y + (od * OH + oh) * OW, z + oh * EW, (size_t)OW * sizeof(float));
    }
}

/* Any strides: one output row at a time, one tap at a time across the row. */
FC_RT_FMA_FN FC_RT_HELPER void fc_cv_dw_strided(const float *FC_CV_RESTRICT xp, const float *w,
                                                const int64_t *geo, const int64_t e[3],
                                                float bias, float *FC_CV_RESTRICT y)
{
    FC_RT_FMA_BEGIN
    const int64_t OD = geo[3], OH = geo[4], OW = geo[5], KD = geo[6], KH = geo[7], KW = geo[8];
    const int64_t sd = geo[9], sh = geo[10], sw = geo[11];
    const int64_t dd = geo[12], dh = geo[13], dw = geo[14];
    const int64_t EH = e[1], EW = e[2];
    int64_t od, oh, ow, kd, kh, kw;
    for (od = 0; od < OD; od++)
        for (oh = 0; oh < OH; oh++) {
            float *yr = y + (od * OH + oh) * OW;
            for (ow = 0; ow < OW; ow++)
                yr[ow] = bias;
            for (kd = 0; kd < KD; kd++)
                for (kh = 0; kh < KH; kh++)
                    for (kw = 0; kw < KW; kw++) {
                        const float wv = w[(kd * KH + kh) * KW + kw];
                        const float *xr =
                            xp + ((od * sd + kd * dd) * EH + oh * sh + kh * dh) * EW + kw * dw;
                        for (ow = 0; ow < OW; ow++)
                            yr[ow] += wv * xr[ow * sw];
                    }
        }
}

/* ---- Depthwise: output rows in registers (2-D, unit stride) ---------------------------
 * The common depthwise case, a 2-D Conv with unit strides, keeps a block of output chunks
 * in vector registers across all taps and stores them straight into y, with no padded
 * columns: the plane is copied with only its zero rows above and below (a row stride of
 * IW), and a tap's columns that fall outside the input are zeroed in the loaded vector with
 * a lane mask instead. A chunk is one vector of FC_CV_VW outputs: a stretch of one output row
 * when OW >= FC_CV_VW (the last one of a row overlapping the one before when FC_CV_VW does not
 * divide OW), else FC_CV_VW / OW whole rows (then IW equals OW, so the rows are consecutive
 * in the copy too). A block is up to FC_CV_DWR_NB chunks with the same columns, one below
 * the other: they share each tap's mask and weight. Every output still sums the bias and
 * then the taps in (kh, kw) order, a masked lane adding w * 0 as a padded zero did, so the
 * results are the same bits as the padded-plane loops'; a masked-out infinity or NaN is
 * zeroed, as padding is. The vectors are the target's own width (GCC lowers wider ones
 * lane by lane, compares included); without GCC / clang vectors (FC_CV_SCALAR) every plane
 * takes the flat loop below, whose plain loops the compiler vectorizes. */

#if defined(FC_CV_SCALAR)
#define FC_CV_VW 16
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__AVX512F__)
#define FC_CV_VW 16
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__AVX__)
#define FC_CV_VW 8
#elif (defined(__GNUC__) || defined(__clang__)) && (defined(__SSE2__) || defined(__ARM_NEON))
#define FC_CV_VW 4
#else
#define FC_CV_VW 16
#define FC_CV_SCALAR 1 /* no row blocks */
#endif
#if !defined(FC_CV_SCALAR)
typedef float fc_cv_vf __attribute__((vector_size(FC_CV_VW * 4)));
typedef int32_t fc_cv_vi __attribute__((vector_size(FC_CV_VW * 4)));
#endif
/* Full unrolling of the loops over a block's chunks, so the accumulators are registers
 * (clang 14 keeps them in memory under "GCC unroll"). */
#if defined(__clang__)
#define FC_CV_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__) && __GNUC__ >= 8
#define FC_CV_UNROLL _Pragma("GCC unroll 16")
#else
#define FC_CV_UNROLL
#endif
/* Chunks per block: 8 accumulators, a quarter of AVX-512's 32 vector registers and half of
 * AVX2's or SSE's 16 (still faster there than 4 chunks). */
#define FC_CV_DWR_NB 8

/* Whether the plane takes the row-block loops: 2-D, unit strides, and rows as wide as the
 * input's (chunks of whole rows) or of 16 outputs or more. A plane of a few such rows (a 1-D
 * Conv) stays with the flat loop over the padded plane: its blocks would be one chunk each. */
FC_RT_HELPER int fc_cv_dw_rows_ok(const int64_t *geo)
{
    const int64_t OH = geo[4], OW = geo[5];
    return geo[0] == 1 && geo[3] == 1 && geo[6] == 1 && geo[10] == 1 && geo[11] == 1 &&
           ((OW < 16 && geo[2] == OW) || (OW >= 16 && OH >= 4));
}

/* Layout of the row-block copy: *front floats of slack (the leftmost tap of column 0 reads
 * pw floats before the plane), EH rows of IW floats (ph zero rows, the input rows, zero
 * rows), then slack for the columns past the last row that the last chunk's taps read;
 * returns the total, a multiple of 16. */
FC_RT_HELPER int64_t fc_cv_dw_rows_layout(const int64_t *geo, int64_t *front)
{
    const int64_t EH = geo[4] + (geo[7] - 1) * geo[13];
    *front = (geo[17] + 15) / 16 * 16;
    return (*front + EH * geo[2] + 16 + (geo[8] - 1) * geo[14] + 15) / 16 * 16;
}

/* Copies plane x into s (fc_cv_dw_rows_layout) and returns where its padded row 0 starts. */
FC_RT_HELPER float *fc_cv_dw_rows_fill(const float *x, const int64_t *geo, float *s)
{
    const int64_t IH = geo[1], IW = geo[2], ph = geo[16];
    const int64_t EH = geo[4] + (geo[7] - 1) * geo[13];
    int64_t front, total = fc_cv_dw_rows_layout(geo, &front);
    int64_t top = ph < EH ? ph : EH, rows = IH < EH - top ? IH : EH - top;
    float *xb = s + front;
    const int64_t n = rows * IW, n16 = n - n % 16;
    int64_t i;
    int u;
    fc_cv_zero_row(s, front + top * IW);
    /* inline 16-float chunks: a small plane (64 floats) is not worth a memcpy call */
    for (i = 0; i < n16; i += 16)
        for (u = 0; u < 16; u++)
            xb[top * IW + i + u] = x[i + u];
    fc_cv_copy_row(xb + top * IW + n16, x + n16, n - n16);
    fc_cv_zero_row(xb + (top + rows) * IW, total - front - (top + rows) * IW);
    return xb;
}

#if !defined(FC_CV_SCALAR)
/* Taps (kh, kw0..kw1) of a block (fc_cv_dw_rows_block): row window xr, weights wr; with
 * `masked` (a literal) the lanes whose input column (output column colv - pw + kw*dw) is
 * outside [0, IW) read 0. */
FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dw_rows_taps(fc_cv_vf *acc, int nb, int masked,
                                                  const float *xr, int64_t cs, const float *wr,
                                                  int64_t kw0, int64_t kw1, fc_cv_vi colv,
                                                  const int64_t *geo)
{
    FC_RT_FMA_BEGIN
    const int64_t dw = geo[14];
    const fc_cv_vi zero = {0}, iw = zero + (int32_t)geo[2];
    int64_t kw;
    int b;
    for (kw = kw0; kw < kw1; kw++) {
        const float wv = wr[kw];
        /* two signed compares (AVX2 has no unsigned one: GCC does that lane by lane) */
        const fc_cv_vi c = colv + (int32_t)(kw * dw - geo[17]);
        const fc_cv_vi m = (c >= zero) & (c < iw);
        FC_CV_UNROLL
        for (b = 0; b < nb; b++) {
            fc_cv_vf v;
            memcpy(&v, xr + b * cs + kw * dw, sizeof v);
            if (masked)
                v = (fc_cv_vf)((fc_cv_vi)v & m);
            acc[b] += wv * v;
        }
    }
}

/* One block: nb chunks (a literal, so the accumulators stay in registers), chunk b's tap
 * (0, 0) window starting at xs + b * cs and its outputs at y + b * ys, of which only those
 * before yend are stored; col holds the chunk lanes' output columns. The kernel columns
 * [lo, hi) read inside the input for every lane and skip the mask. */
FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dw_rows_block(const float *FC_CV_RESTRICT xs, int64_t cs,
                                                   const float *w, const int64_t *geo,
                                                   const int32_t *col, int64_t lo,
                                                   int64_t hi, float bias, int nb,
                                                   float *FC_CV_RESTRICT y, int64_t ys,
                                                   const float *yend)
{
    const int64_t IW = geo[2], KH = geo[7], KW = geo[8], dh = geo[13];
    fc_cv_vf acc[FC_CV_DWR_NB];
    fc_cv_vi colv;
    int64_t kh;
    int b;
    memcpy(&colv, col, sizeof colv);
    FC_CV_UNROLL
    for (b = 0; b < nb; b++)
        acc[b] = (fc_cv_vf){0} + bias;
    for (kh = 0; kh < KH; kh++) {
        const float *xr = xs + kh * dh * IW, *wr = w + kh * KW;
        /* three loops, not a test per tap: clang merges the two arms' additions after the
         * test, then cannot fuse them with the products into FMAs (another bit pattern) */
        fc_cv_dw_rows_taps(acc, nb, 1, xr, cs, wr, 0, lo, colv, geo);
        fc_cv_dw_rows_taps(acc, nb, 0, xr, cs, wr, lo, hi, colv, geo);
        fc_cv_dw_rows_taps(acc, nb, 1, xr, cs, wr, hi, KW, colv, geo);
    }
    FC_CV_UNROLL
    for (b = 0; b < nb; b++) {
        float *yb = y + b * ys;
        if (yend - yb >= FC_CV_VW) {
            memcpy(yb, &acc[b], sizeof acc[b]);
        } else {
            float out[FC_CV_VW];
            int64_t u;
            memcpy(out, &acc[b], sizeof out);
            for (u = 0; u < yend - yb; u++)
                yb[u] = out[u];
        }
    }
}

/* The nc chunks of one column stretch in blocks of nb (a literal); the last block moves back
 * to end at chunk nc, recomputing some chunks (the same values) rather than running short. */
FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dw_rows_col(const float *xs, int64_t cs, const float *w,
                                                 const int64_t *geo, const int32_t *col,
                                                 float bias, int nb, int64_t nc, float *y,
                                                 int64_t ys, const float *yend)
{
    const int64_t IW = geo[2], KW = geo[8], dw = geo[14], pw = geo[17];
    int64_t j, j0, lo, hi, cmin = col[0], cmax = col[0];
    int u;
    for (u = 1; u < FC_CV_VW; u++) {
        cmin = col[u] < cmin ? col[u] : cmin;
        cmax = col[u] > cmax ? col[u] : cmax;
    }
    /* kernel columns whose input columns cmin - pw + kw*dw .. cmax - pw + kw*dw are all in
     * [0, IW): kw*dw in [pw - cmin, IW - 1 - cmax + pw] */
    lo = pw - cmin <= 0 ? 0 : (pw - cmin + dw - 1) / dw;
    hi = IW - 1 - cmax + pw < 0 ? 0 : (IW - 1 - cmax + pw) / dw + 1;
    lo = lo < KW ? lo : KW;
    hi = hi < lo ? lo : hi < KW ? hi : KW;
    for (j = 0; j < nc; j += nb) {
        j0 = j + nb <= nc ? j : nc - nb;
        fc_cv_dw_rows_block(xs + j0 * cs, cs, w, geo, col, lo, hi, bias, nb, y + j0 * ys, ys,
                            yend);
    }
}

/* The block sizes as separate functions: inlined into one, GCC spilled accumulators. */
#if defined(__GNUC__) || defined(__clang__)
#define FC_CV_NOINLINE __attribute__((noinline))
#else
#define FC_CV_NOINLINE
#endif
#define FC_CV_DW_ROWS_NB(nb)                                                                \
    FC_RT_FMA_FN FC_CV_NOINLINE FC_RT_HELPER void fc_cv_dw_rows_col##nb(                    \
        const float *xs, int64_t cs, const float *w, const int64_t *geo, const int32_t *col, \
        float bias, int64_t nc, float *y, int64_t ys, const float *yend)                    \
    {                                                                                       \
        fc_cv_dw_rows_col(xs, cs, w, geo, col, bias, nb, nc, y, ys, yend);                  \
    }
FC_CV_DW_ROWS_NB(1)
FC_CV_DW_ROWS_NB(2)
FC_CV_DW_ROWS_NB(4)
FC_CV_DW_ROWS_NB(8)

/* y = bias + conv(plane xb (fc_cv_dw_rows_fill), w), before the activation. */
FC_RT_FMA_FN FC_RT_HELPER void fc_cv_dw_rows(const float *xb, const float *w,
                                             const int64_t *geo, float bias, float *y)
{
    const int64_t IW = geo[2], OH = geo[4], OW = geo[5], pw = geo[17];
    /* rows per chunk; a chunk's start moves by cs floats in the copy, ys in y */
    const int64_t rpc = OW >= FC_CV_VW ? 1 : FC_CV_VW / OW, nc = (OH + rpc - 1) / rpc;
    const int64_t cs = rpc * IW, ys = rpc * OW;
    const float *yend = y + OH * OW;
    int64_t c0 = 0;
    int32_t col[FC_CV_VW], c;
    int u;
    for (;;) {
        const float *xs = xb + c0 - pw;
        float *yc = y + c0;
        for (u = 0, c = 0; u < FC_CV_VW; u++) {
            /* c0 + u, or u % OW (without a division per lane) */
            col[u] = OW >= FC_CV_VW ? (int32_t)c0 + u : c;
            if (++c == OW)
                c = 0;
        }
        if (nc >= 8)
            fc_cv_dw_rows_col8(xs, cs, w, geo, col, bias, nc, yc, ys, yend);
        else if (nc >= 4)
            fc_cv_dw_rows_col4(xs, cs, w, geo, col, bias, nc, yc, ys, yend);
        else if (nc >= 2)
            fc_cv_dw_rows_col2(xs, cs, w, geo, col, bias, nc, yc, ys, yend);
        else
            fc_cv_dw_rows_col1(xs, cs, w, geo, col, bias, nc, yc, ys, yend);
        if (c0 + FC_CV_VW >= OW)
            break;
        /* the next FC_CV_VW columns, or the row's last FC_CV_VW */
        c0 = c0 + 2 * FC_CV_VW <= OW ? c0 + FC_CV_VW : OW - FC_CV_VW;
    }
}

#endif /* !FC_CV_SCALAR */

/* ---- Depthwise: rows of at most 16 in registers, taps by lane shifts (AVX-512) ----------
 * A plane at most 16 wide (ConvNeXt's 7x7 on 16x16 and 8x8 maps, MobileNet's 3x3 / 5x5 on
 * small maps) keeps each output row in one vector: 16 lanes, or 8 (a 256-bit vector, twice
 * the FMAs per cycle of a half-empty 512-bit one on Zen 4) for rows of at most 8. Each input
 * row is loaded once (masked: the lanes left of column 0 and right of the input are zeros,
 * as padding) into two vectors starting at column -pw, and its KW tap windows are lane shifts
 * of that pair (valignd, one shuffle each), multiplied into every output row of a band of
 * 8 or 16 rows that reads it. The row-block loop instead loads every tap's window from
 * memory, most of them misaligned across two cache lines, and masks them: 16x16 planes took
 * 0.245 ms per ConvNeXt layer at batch 8, now 0.14. Input rows outside the plane are zero
 * vectors. Each output sums the bias, then the taps in (kh, kw) order (input rows
 * ascending), padded ones as w * 0: the same bits as the row-block and padded-plane loops
 * (tests/unit/test_k_nn.c). */
#if defined(FC_RT_AVX512) && defined(__AVX512VL__) && !defined(FC_CV_SCALAR)
#define FC_CV_DWL 1

/* Whether the plane takes the lane-shift loop: 2-D, unit strides and dilations, input and
 * output rows of at most 16, the windows' shifts inside two vectors (pw < 16); fc_cv_dwl
 * takes KW 3, 5 and 7 and at least 8 output rows (a band). */
FC_RT_HELPER int fc_cv_dwl_ok(const int64_t *geo)
{
    return geo[0] == 1 && geo[3] == 1 && geo[6] == 1 && geo[10] == 1 && geo[11] == 1 &&
           geo[13] == 1 && geo[14] == 1 && geo[2] <= 16 && geo[5] <= 16 && geo[17] < 16 &&
           geo[4] >= 8 && (geo[8] == 3 || geo[8] == 5 || geo[8] == 7);
}

/* The vector operations of one width, as fc_cv_dwl<NL>_<op>: NL lanes of type V, lane masks
 * of type M. win(lo, hi, k): lanes k .. k + NL - 1 of the pair (k a literal). */
#define FC_CV_DWL_OPS(NL, V, M, SFX)                                                        \
    FC_CV_INLINE V fc_cv_dwl##NL##_zero(void) { return _mm##SFX##_setzero_ps(); }           \
    FC_CV_INLINE V fc_cv_dwl##NL##_set1(float v) { return _mm##SFX##_set1_ps(v); }          \
    FC_CV_INLINE V fc_cv_dwl##NL##_load(M m, const float *p)                                \
    {                                                                                       \
        return _mm##SFX##_maskz_loadu_ps(m, p);                                             \
    }                                                                                       \
    FC_CV_INLINE void fc_cv_dwl##NL##_store(float *p, M m, V v)                             \
    {                                                                                       \
        _mm##SFX##_mask_storeu_ps(p, m, v);                                                 \
    }                                                                                       \
    /* c + a * b as C arithmetic on the vectors, so the compiler fuses it exactly where it   \
     * fuses the other depthwise loops' (FC_RT_FMA_FN: at -O2 and up, not at -O0 / -O1), and \
     * the loops stay bitwise equal at every level */                                       \
    FC_RT_FMA_FN FC_CV_INLINE V fc_cv_dwl##NL##_fma(V a, float b, V c)                      \
    {                                                                                       \
        FC_RT_FMA_BEGIN                                                                     \
        return c + a * _mm##SFX##_set1_ps(b);                                               \
    }
FC_CV_DWL_OPS(16, __m512, __mmask16, 512)
FC_CV_DWL_OPS(8, __m256, __mmask8, 256)
#define fc_cv_dwl16_win(lo, hi, k)                                                          \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi), _mm512_castps_si512(lo), \
                                            (k)))
#define fc_cv_dwl8_win(lo, hi, k)                                                           \
    _mm256_castsi256_ps(_mm256_alignr_epi32(_mm256_castps_si256(hi), _mm256_castps_si256(lo), \
                                            (k)))

/* For one width: the band (output rows o0 .. o0 + R - 1, all inside the planes) of P planes
 * (R, P, KW literals: P = 2 interleaves two planes' independent chains of multiply-adds,
 * which a band of 8 rows alone leaves too few of to hide the FMA latency), the bands of a
 * plane pair (the last band moved back to end at row OH, recomputing some rows: the same
 * values), and the pair for KW = 3, 5, 7. */
#define FC_CV_DWL_SET(NL, k)                                                                \
    do {                                                                                    \
        if (KW > (k)) /* literal shift counts: the intrinsic takes an immediate, -O0 too */ \
            win[k] = fc_cv_dwl##NL##_win(lo, hi, k);                                        \
    } while (0)
#define FC_CV_DWL_FUNCS(NL, V, M)                                                           \
    FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dwl##NL##_band(const FcCvDwl *d, int64_t o0,       \
                                                       M mlo, M mhi, M mout, const int KW,  \
                                                       const int R, const int P)            \
    {                                                                                       \
        const int64_t *geo = d->geo;                                                        \
        const int64_t IH = geo[1], IW = geo[2], OW = geo[5], KH = geo[7], ph = geo[16];     \
        const int64_t pw = geo[17];                                                         \
        V acc[2][16], win[7];                                                               \
        int64_t rr;                                                                         \
        int a, kw, p;                                                                       \
        FC_CV_UNROLL                                                                        \
        for (p = 0; p < P; p++) {                                                           \
            FC_CV_UNROLL                                                                    \
            for (a = 0; a < R; a++)                                                         \
                acc[p][a] = fc_cv_dwl##NL##_set1(d->bias[p]);                               \
        }                                                                                   \
        for (rr = 0; rr < R + KH - 1; rr++) {                                               \
            /* input row r; output row o0 + a reads it as tap row rr - a */                 \
            const int64_t r = o0 - ph + rr;                                                 \
            FC_CV_UNROLL                                                                    \
            for (p = 0; p < P; p++) {                                                       \
                const float *w = d->w[p];                                                   \
                V lo = fc_cv_dwl##NL##_zero(), hi = lo;                                     \
                if (r >= 0 && r < IH) { /* columns -pw .., NL - pw ..; masked: unread */    \
                    lo = fc_cv_dwl##NL##_load(mlo, d->x[p] + r * IW - pw);                  \
                    hi = fc_cv_dwl##NL##_load(mhi, d->x[p] + r * IW + NL - pw);             \
                }                                                                           \
                win[0] = lo;                                                                \
                FC_CV_DWL_SET(NL, 1);                                                       \
                FC_CV_DWL_SET(NL, 2);                                                       \
                FC_CV_DWL_SET(NL, 3);                                                       \
                FC_CV_DWL_SET(NL, 4);                                                       \
                FC_CV_DWL_SET(NL, 5);                                                       \
                FC_CV_DWL_SET(NL, 6);                                                       \
                FC_CV_UNROLL                                                                \
                for (a = 0; a < R; a++) {                                                   \
                    const int64_t kh = rr - a;                                              \
                    if (kh >= 0 && kh < KH) {                                               \
                        FC_CV_UNROLL                                                        \
                        for (kw = 0; kw < KW; kw++)                                         \
                            acc[p][a] =                                                     \
                                fc_cv_dwl##NL##_fma(win[kw], w[kh * KW + kw], acc[p][a]);   \
                    }                                                                       \
                }                                                                           \
            }                                                                               \
        }                                                                                   \
        FC_CV_UNROLL                                                                        \
        for (p = 0; p < P; p++) {                                                           \
            FC_CV_UNROLL                                                                    \
            for (a = 0; a < R; a++)                                                         \
                fc_cv_dwl##NL##_store(d->y[p] + (o0 + a) * OW, mout, acc[p][a]);            \
        }                                                                                   \
    }                                                                                       \
    FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dwl##NL##_pair_kw(const FcCvDwl *d, M mlo, M mhi,  \
                                                          M mout, const int KW, const int R, \
                                                          const int P)                      \
    {                                                                                       \
        const int64_t OH = d->geo[4];                                                       \
        int64_t o0;                                                                         \
        int p;                                                                              \
        for (p = 0; p < 2; p += P) {                                                        \
            FcCvDwl one = *d;                                                               \
            one.x[0] = d->x[p];                                                             \
            one.w[0] = d->w[p];                                                             \
            one.bias[0] = d->bias[p];                                                       \
            one.y[0] = d->y[p];                                                             \
            for (o0 = 0; o0 < OH; o0 += R)                                                  \
                fc_cv_dwl##NL##_band(P == 2 ? d : &one, o0 + R <= OH ? o0 : OH - R, mlo,    \
                                     mhi, mout, KW, R, P);                                  \
        }                                                                                   \
    }                                                                                       \
    /* the lanes of the input's columns in the pair from column -pw, and the output lanes */ \
    FC_CV_INLINE void fc_cv_dwl##NL##_masks(const int64_t *geo, M *mlo, M *mhi, M *mout)    \
    {                                                                                       \
        const int64_t IW = geo[2], pw = geo[17];                                            \
        int64_t j;                                                                          \
        *mlo = *mhi = 0;                                                                    \
        *mout = (M)((1u << geo[5]) - 1u);                                                   \
        for (j = 0; j < NL; j++) {                                                          \
            if (j - pw >= 0 && j - pw < IW)                                                 \
                *mlo = (M)(*mlo | (1u << j));                                               \
            if (j + NL - pw < IW)                                                           \
                *mhi = (M)(*mhi | (1u << j));                                               \
        }                                                                                   \
    }
/* The pair for one width, band height and planes per band (literals), any KW of 3, 5, 7 */
#define FC_CV_DWL_PAIR(NL, M, R, P)                                                         \
    FC_RT_FMA_FN FC_CV_NOINLINE FC_RT_HELPER void fc_cv_dwl##NL##_##R##_##P(const FcCvDwl *d) \
    {                                                                                       \
        const int64_t KW = d->geo[8];                                                       \
        M mlo, mhi, mout;                                                                   \
        fc_cv_dwl##NL##_masks(d->geo, &mlo, &mhi, &mout);                                   \
        if (KW == 7)                                                                        \
            fc_cv_dwl##NL##_pair_kw(d, mlo, mhi, mout, 7, R, P);                            \
        else if (KW == 5)                                                                   \
            fc_cv_dwl##NL##_pair_kw(d, mlo, mhi, mout, 5, R, P);                            \
        else                                                                                \
            fc_cv_dwl##NL##_pair_kw(d, mlo, mhi, mout, 3, R, P);                            \
    }

/* Two planes (the same one twice for an odd last plane): inputs, filters, biases, outputs */
typedef struct FcCvDwl {
    const int64_t *geo;
    const float *x[2], *w[2];
    float bias[2];
    float *y[2];
} FcCvDwl;

FC_CV_DWL_FUNCS(16, __m512, __mmask16)
FC_CV_DWL_FUNCS(8, __m256, __mmask8)
FC_CV_DWL_PAIR(16, __mmask16, 16, 1)
FC_CV_DWL_PAIR(16, __mmask16, 8, 2)
FC_CV_DWL_PAIR(8, __mmask8, 8, 2)

/* y = bias + conv(plane x, w) for both planes of d (fc_cv_dwl_ok geometry): 8 lanes for rows
 * of at most 8 (pw < 8), else 16; bands of 16 rows one plane at a time where the plane has
 * 16 rows or more (16 chains of multiply-adds), else of 8 rows over both planes. */
FC_RT_HELPER void fc_cv_dwl(const FcCvDwl *d)
{
    const int64_t *geo = d->geo;
    if (geo[2] <= 8 && geo[5] <= 8 && geo[17] < 8)
        fc_cv_dwl8_8_2(d);
    else if (geo[4] >= 16)
        fc_cv_dwl16_16_1(d);
    else
        fc_cv_dwl16_8_2(d);
}
#endif /* FC_CV_DWL */

/* Floats of one thread's depthwise scratch: padded plane and z, each with slack, 16-aligned. */
FC_RT_HELPER int64_t fc_cv_dw_floats(const int64_t *geo, int64_t *zoff)
{
    int64_t e[3], plane, flat, rows, front;
    fc_cv_extent(geo, e);
    plane = (e[0] * e[1] * e[2] + FC_CV_DW_SLACK + 15) / 16 * 16;
    *zoff = plane;
    flat = plane + (geo[4] * e[2] + FC_CV_DW_SLACK + 15) / 16 * 16;
    if (!fc_cv_dw_rows_ok(geo))
        return flat;
    /* room for either loop: the program may be built without vector extensions */
    rows = fc_cv_dw_rows_layout(geo, &front);
    return rows > flat ? rows : flat;
}

/* Output plane y = bias + conv(input plane x, filter w), then the activation; scratch holds
 * fc_cv_dw_floats(geo) floats. */
FC_RT_HELPER void fc_cv_dw_plane(const float *x, const float *w, const int64_t *geo, float bias,
                                 int act, float *scratch, float *y)
{
    int64_t e[3], zoff, ep, i;
#if !defined(FC_CV_SCALAR)
    if (fc_cv_dw_rows_ok(geo)) {
        fc_cv_dw_rows(fc_cv_dw_rows_fill(x, geo, scratch), w, geo, bias, y);
        fc_rt_vact(y, geo[4] * geo[5], act);
        return;
    }
#endif
    fc_cv_dw_floats(geo, &zoff);
    fc_cv_extent(geo, e);
    ep = e[0] * e[1] * e[2];
    fc_cv_pad_rows(x, geo, e, 0, e[0] * e[1], scratch);
    for (i = ep; i < ep + FC_CV_DW_SLACK; i++)
        scratch[i] = 0.0f;
    if (geo[10] == 1 && geo[11] == 1)
        fc_cv_dw_unit_stride(scratch, w, geo, e, bias, scratch + zoff, y);
    else
        fc_cv_dw_strided(scratch, w, geo, e, bias, y);
    fc_rt_vact(y, geo[3] * geo[4] * geo[5], act);
}

/* p rounded up to a 64-byte boundary (scratch holds the slack). */
FC_RT_HELPER float *fc_cv_align64(float *p)
{
    uintptr_t a = (uintptr_t)p;
    return (float *)(void *)(p + ((64 - (a & 63)) & 63) / sizeof(float));
}

/* ---- Depthwise on small planes: one multiply-add per input value -------------------------
 * Mode 5: a depthwise Conv whose output plane fits one 16-float vector (osz <= 16; ConvNeXt's
 * 7x7 on 4x4 and 2x2 planes) is a matrix product per channel, y[p] = bias + sum_q x[q] T[q][p]
 * with T[q][p] the weight of the tap joining input position q to output position p (0 where
 * none does). So the plane costs isz vector multiply-adds, where the direct loop computes all
 * 49 taps over a padded plane mostly made of padding (a 2x2 plane padded to 8x8). T, isz x 16
 * floats per output channel, is built once per call for all images, or stored by the compiler
 * when W is constant (fc_rt_conv_prepack). For each p the nonzero terms come in the direct
 * loop's tap order, so the sums are the same; a plane holding an infinity or NaN takes the
 * direct loop (T's zeros would turn it into NaNs outside its window). */

/* T of one output channel: t[q * 16 + p], isz x 16 floats. */
FC_RT_HELPER void fc_cv_dw_toeplitz(const float *w, const int64_t *geo, float *t)
{
    const int64_t ID = geo[0], IH = geo[1], IW = geo[2], OD = geo[3], OH = geo[4], OW = geo[5];
    const int64_t KD = geo[6], KH = geo[7], KW = geo[8];
    int64_t od, oh, ow, kd, kh, kw, i;
    for (i = 0; i < ID * IH * IW * 16; i++)
        t[i] = 0.0f;
    for (od = 0; od < OD; od++)
        for (oh = 0; oh < OH; oh++)
            for (ow = 0; ow < OW; ow++)
                for (kd = 0; kd < KD; kd++)
                    for (kh = 0; kh < KH; kh++)
                        for (kw = 0; kw < KW; kw++) {
                            int64_t id = od * geo[9] + kd * geo[12] - geo[15];
                            int64_t ih = oh * geo[10] + kh * geo[13] - geo[16];
                            int64_t iw = ow * geo[11] + kw * geo[14] - geo[17];
                            if (id >= 0 && id < ID && ih >= 0 && ih < IH && iw >= 0 && iw < IW)
                                t[((id * IH + ih) * IW + iw) * 16 + (od * OH + oh) * OW + ow] +=
                                    w[(kd * KH + kh) * KW + kw];
                        }
}

/* Whether the plane holds only finite values. */
FC_RT_HELPER int fc_cv_all_finite(const float *x, int64_t n)
{
    int64_t i;
    int bad = 0;
    for (i = 0; i < n; i++)
        bad |= !(x[i] - x[i] == 0.0f);
    return !bad;
}

/* Planes [0, np) of one channel (plane p at x + p * xs, its output at y + p * ys):
 * y[0..osz) = bias + x[0..isz) x t (fc_cv_dw_toeplitz), then the activation. Each plane is one
 * chain of multiply-adds in q order; np (a literal where inlined) planes run side by side so
 * their chains hide each other's FMA latency. With GCC / clang the 16 outputs are explicit
 * vectors: left to itself GCC vectorized the loop over q, with permutes (4x slower). */
#if !defined(FC_CV_SCALAR)
#define FC_CV_DWS_NV (16 / FC_CV_VW)
FC_RT_FMA_FN FC_CV_INLINE void fc_cv_dw_small_run(const float *FC_CV_RESTRICT x, int64_t xs,
                                                  const float *FC_CV_RESTRICT t, int64_t isz,
                                                  int64_t osz, float bias, int act,
                                                  float *FC_CV_RESTRICT y, int64_t ys,
                                                  const int np)
{
    FC_RT_FMA_BEGIN
    fc_cv_vf acc[4][FC_CV_DWS_NV];
    int64_t q, u;
    int p, j;
    FC_CV_UNROLL
    for (p = 0; p < np; p++)
        FC_CV_UNROLL
        for (j = 0; j < FC_CV_DWS_NV; j++)
            acc[p][j] = (fc_cv_vf){0} + bias;
    for (q = 0; q < isz; q++) {
        fc_cv_vf tv[FC_CV_DWS_NV];
        FC_CV_UNROLL
        for (j = 0; j < FC_CV_DWS_NV; j++)
            memcpy(&tv[j], t + q * 16 + j * FC_CV_VW, sizeof tv[j]);
        FC_CV_UNROLL
        for (p = 0; p < np; p++) {
            const float xv = x[p * xs + q];
            FC_CV_UNROLL
            for (j = 0; j < FC_CV_DWS_NV; j++)
                acc[p][j] += xv * tv[j];
        }
    }
    for (p = 0; p < np; p++) {
        float out[16], *yp = y + p * ys;
        memcpy(out, acc[p], sizeof out);
        for (u = 0; u < osz; u++)
            yp[u] = out[u];
        fc_rt_vact(yp, osz, act);
    }
}
#define FC_CV_DW_SMALL_NP(np)                                                                \
    FC_RT_FMA_FN FC_CV_NOINLINE FC_RT_HELPER void fc_cv_dw_small_run##np(                    \
        const float *x, int64_t xs, const float *t, int64_t isz, int64_t osz, float bias,     \
        int act, float *y, int64_t ys)                                                      \
    {                                                                                       \
        fc_cv_dw_small_run(x, xs, t, isz, osz, bias, act, y, ys, np);                       \
    }
FC_CV_DW_SMALL_NP(1)
FC_CV_DW_SMALL_NP(4)
#else
FC_RT_FMA_FN FC_RT_HELPER void fc_cv_dw_small_run1(const float *FC_CV_RESTRICT x, int64_t xs,
                                                   const float *FC_CV_RESTRICT t, int64_t isz,
                                                   int64_t osz, float bias, int act,
                                                   float *FC_CV_RESTRICT y, int64_t ys)
{
    FC_RT_FMA_BEGIN
    float acc[16];
    int64_t q;
    int u;
    (void)xs;
    (void)ys;
    for (u = 0; u < 16; u++)
        acc[u] = bias;
    for (q = 0; q < isz; q++) {
        const float xv = x[q], *tq = t + q * 16;
        for (u = 0; u < 16; u++)
            acc[u] += xv * tq[u];
    }
    for (u = 0; u < osz; u++)
        y[u] = acc[u];
    fc_rt_vact(y, osz, act);
}
#endif

/* Floats of all channels' T, a multiple of 16. */
FC_RT_HELPER int64_t fc_cv_dw_small_floats(int64_t cout, int64_t isz)
{
    return cout * isz * 16;
}

/* Mode 5 over all images: channel by channel, so a channel's T stays in L1 for every image. */
FC_RT_HELPER void fc_cv_dw_small(const float *x, const float *w, const float *bias, float *y,
                                 const int64_t *ia, float *scratch)
{
    const int64_t *geo = ia + 7;
    const int64_t N = ia[0], Cin = ia[1], Cout = ia[2], cout_g = Cout / ia[3];
    const int64_t ksz = geo[6] * geo[7] * geo[8];
    const int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    const int act = (int)ia[6];
    /* prepacked: every channel's T, then W as it was (for the direct loop's planes) */
    const float *wd = ia[25] ? w + Cout * isz * 16 : w;
    float *tall = ia[25] ? (float *)w : fc_cv_align64(scratch);
    float *planes = fc_cv_align64(scratch) + fc_cv_dw_small_floats(Cout, isz);
    int64_t dwf, zoff, oc;
    dwf = fc_cv_dw_floats(geo, &zoff);
    if (!ia[25])
        for (oc = 0; oc < Cout; oc++)
            fc_cv_dw_toeplitz(w + oc * ksz, geo, tall + oc * isz * 16);
    FC_RT_OMP_FOR_IF(N * Cout * isz * 16 >= 4 * FC_RT_PAR_MIN_WORK)
    for (oc = 0; oc < Cout; oc++) {
        const float *t = tall + oc * isz * 16;
        float bv = bias ? bias[oc] : 0.0f;
        const int64_t xs = Cin * isz, ys = Cout * osz; /* image to image */
        const float *xc0 = x + (oc / cout_g) * isz;
        float *yc0 = y + oc * osz;
        int64_t b = 0;
#if !defined(FC_CV_SCALAR)
        /* four images at a time while all four planes are finite */
        for (; b + 4 <= N && fc_cv_all_finite(xc0 + b * xs, isz) &&
               fc_cv_all_finite(xc0 + (b + 1) * xs, isz) &&
               fc_cv_all_finite(xc0 + (b + 2) * xs, isz) &&
               fc_cv_all_finite(xc0 + (b + 3) * xs, isz);
             b += 4)
            fc_cv_dw_small_run4(xc0 + b * xs, xs, t, isz, osz, bv, act, yc0 + b * ys, ys);
#endif
        for (; b < N; b++) {
            const float *xc = xc0 + b * xs;
            float *yc = yc0 + b * ys;
            if (fc_cv_all_finite(xc, isz))
                fc_cv_dw_small_run1(xc, xs, t, isz, osz, bv, act, yc, ys);
            else
                fc_cv_dw_plane(xc, wd + oc * ksz, geo, bv, act, planes + FC_RT_TID() * dwf, yc);
        }
    }
}

/* Sets `count` floats of every channel plane of y[c] to bias[c] (or 0). */
FC_RT_HELPER void fc_cv_fill_bias(float *y, const float *bias, int64_t channels, int64_t count)
{
    int64_t c, i;
    for (c = 0; c < channels; c++) {
        float b = bias ? bias[c] : 0.0f;
        float *p = y + c * count;
        for (i = 0; i < count; i++)
            p[i] = b;
    }
}

/* ---- Winograd F(2x2, 3x3) and F(4x4, 3x3) --------------------------------------------------
 * A 2-D 3x3 stride-1 undilated Conv computes each m x m output tile (m = 2 or 4) from an
 * a x a input tile d (a = m + 2) as
 *   Y = A^T [ U (.) V ] A,   U = G g G^T (the filter, per output/input channel pair),
 *                            V = B^T d B (the input tile, per input channel),
 * summed over input channels. F(2x2, 3x3) (modes 3, 4) uses the Lavin-Gray matrices
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1];
 * F(4x4, 3x3) (modes 7, 8) the ones interpolating at 0, +-1, +-2 and infinity:
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0;
 *          0 4 0 -5 0 1],
 *   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
 * The sum over input channels of element xi of U (.) V is one GEMM per xi (a^2 of them):
 *   M_xi[Cout_g x tiles] = U_xi[Cout_g x Cin_g] * V_xi[Cin_g x tiles],
 * a^2 multiplies per tile and channel pair against im2col's 9 m^2: 2.25x fewer for F(2x2),
 * 4x for F(4x4), whose transforms cost more per tile but less per output. Tiles are the GEMM
 * columns, numbered over all images (tile t of image b is column b*T + t), a block of them at
 * a time; the input transform writes V_xi straight into the B panels and the output
 * transform adds the bias and applies the activation. Vector work runs across 16 tiles.
 * Rounding: F(2x2)'s transforms add and subtract at most 4 values with weights 1 and 1/2, so
 * its results differ from im2col's by a few ulps of the partial sums; F(4x4)'s weights (up
 * to 8 and 1/24) cost about 3 more bits (unit test: within 1e-5 of the exact sums, like
 * im2col's, on sums of up to 630 products of values in [-1, 1]). */

#define FC_WG_LANES 16
#define FC_WG_MAX_BLOCK 512
#define FC_WG_MAX_NX 36 /* transform points of F(4x4, 3x3): 6 x 6 */

/* The output tile side m of Conv mode `mode`: 2 for F(2x2, 3x3) (modes 3, and 4 with the
 * pooling epilogue), 4 for F(4x4, 3x3) (7, and 8 pooled), 0 for the other modes. */
FC_RT_HELPER int fc_wg_tile(int64_t mode)
{
    return mode == 3 || mode == 4 ? 2 : mode == 7 || mode == 8 ? 4 : 0;
}

/* Transform points (GEMMs) of tile side m: (m + 2)^2. */
FC_RT_HELPER int fc_wg_points(int m)
{
    return (m + 2) * (m + 2);
}

/* Tiles per block: prepare's choice (ia[5]), at most FC_WG_MAX_BLOCK. */
FC_RT_HELPER int64_t fc_wg_block_tiles(int64_t nb)
{
    return nb < 1 ? 1 : nb > FC_WG_MAX_BLOCK ? FC_WG_MAX_BLOCK : nb;
}

/* Tiles across (tw) and down (th) an OH x OW output plane. */
FC_RT_HELPER void fc_wg_plane_tiles(const int64_t *geo, int m, int64_t *tw, int64_t *th)
{
    *tw = (geo[5] + m - 1) / m;
    *th = (geo[4] + m - 1) / m;
}

/* F(4x4, 3x3)'s G times one filter column or row (g0, g1, g2): six values s apart, in
 * double so the stored U rounds once. */
FC_RT_HELPER void fc_wg4_filter_1d(double g0, double g1, double g2, double *o, int s)
{
    o[0] = g0 / 4;
    o[s] = -(g0 + g1 + g2) / 6;
    o[2 * s] = -(g0 - g1 + g2) / 6;
    o[3 * s] = g0 / 24 + g1 / 12 + g2 / 6;
    o[4 * s] = g0 / 24 - g1 / 12 + g2 / 6;
    o[5 * s] = g2;
}

/* U = G g G^T for one 3x3 filter g and tile side m; u[xi * ustride] for xi = a*i + j. */
FC_RT_HELPER void fc_wg_filter(const float *g, int m, float *u, int64_t ustride)
{
    int c, i, j;
    if (m == 4) {
        double t[6][3], r[6];
        for (c = 0; c < 3; c++)
            fc_wg4_filter_1d(g[c], g[3 + c], g[6 + c], &t[0][c], 3);
        for (i = 0; i < 6; i++) {
            fc_wg4_filter_1d(t[i][0], t[i][1], t[i][2], r, 1);
            for (j = 0; j < 6; j++)
                u[(6 * i + j) * ustride] = (float)r[j];
        }
        return;
    }
    {
        float gg[4][3];
        for (c = 0; c < 3; c++) {
            gg[0][c] = g[c];
            gg[1][c] = 0.5f * (g[c] + g[3 + c] + g[6 + c]);
            gg[2][c] = 0.5f * (g[c] - g[3 + c] + g[6 + c]);
            gg[3][c] = g[6 + c];
        }
        for (i = 0; i < 4; i++) {
            u[(4 * i + 0) * ustride] = gg[i][0];
            u[(4 * i + 1) * ustride] = 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]);
            u[(4 * i + 2) * ustride] = 0.5f * (gg[i][0] - gg[i][1] + gg[i][2]);
            u[(4 * i + 3) * ustride] = gg[i][2];
        }
    }
}

/* The a^2 A panels (one per xi) of group g's transformed filters; ut is a^2*Cout_g*Cin_g
 * floats of room for U before packing. */
FC_RT_HELPER void fc_wg_pack_filters(const float *w, int m, int64_t cout_g, int64_t cin_g,
                                     float *ut, float *apan, int64_t apf)
{
    const int64_t plane = cout_g * cin_g, nx = fc_wg_points(m);
    int64_t oc, xi;
    /* 64 filters at a time into row[xi][i], then nx contiguous runs into U (scattering each
     * filter's nx values over U's nx planes would touch nx pages per filter); output channels
     * and then the nx panels are independent: both loops run on the threads */
    FC_RT_OMP_FOR_IF(plane * nx >= FC_RT_PAR_MIN_WORK)
    for (oc = 0; oc < cout_g; oc++) {
        float row[FC_WG_MAX_NX][64];
        int64_t ic, i, x;
        for (ic = 0; ic < cin_g; ic += 64) {
            const int64_t n = cin_g - ic < 64 ? cin_g - ic : 64;
            for (i = 0; i < n; i++)
                fc_wg_filter(w + (oc * cin_g + ic + i) * 9, m, &row[0][i], 64);
            for (x = 0; x < nx; x++)
                memcpy(ut + x * plane + oc * cin_g + ic, row[x], (size_t)n * sizeof(float));
        }
    }
    FC_RT_OMP_FOR_IF(plane * nx >= FC_RT_PAR_MIN_WORK)
    for (xi = 0; xi < nx; xi++)
        fc_rt_sgemm_pack_a_panel(cout_g, cin_g, ut + xi * plane, cin_g, apan + xi * apf);
}

/* Where the 16 tiles of a lane group write: tile u's top-left output in output channel 0
 * at y + at[u], and how many of its rows and columns lie inside the plane (none for columns
 * past the block's last tile). With `pool` (a 2x2 stride-2 MaxPool epilogue, floor mode) the
 * tile's m/2 x m/2 windows are pooled outputs: at[u] indexes the pooled plane and rows, cols
 * count the whole windows (a window cut by the plane's odd last row or column has none). */
typedef struct FcWgTiles {
    int64_t at[FC_WG_LANES];
    int rows[FC_WG_LANES], cols[FC_WG_LANES];
} FcWgTiles;

FC_RT_HELPER int fc_wg_clamp(int64_t v, int m)
{
    return v < 0 ? 0 : v > m ? m : (int)v;
}

FC_RT_HELPER void fc_wg_locate(const int64_t *geo, int m, int64_t cout, int pool, int64_t j0,
                               int64_t count, FcWgTiles *tl)
{
    const int64_t OH = geo[4], OW = geo[5];
    int64_t tw, th, per;
    int u;
    fc_wg_plane_tiles(geo, m, &tw, &th);
    per = tw * th;
    for (u = 0; u < FC_WG_LANES; u++) {
        const int64_t j = j0 + u, t = j % per, oh = m * (t / tw), ow = m * (t % tw);
        if (pool) {
            tl->at[u] = (j / per * cout * (OH / 2) + oh / 2) * (OW / 2) + ow / 2;
            tl->rows[u] = fc_wg_clamp(OH / 2 - oh / 2, m / 2);
            tl->cols[u] = fc_wg_clamp(OW / 2 - ow / 2, m / 2);
        } else {
            tl->at[u] = (j / per * cout * OH + oh) * OW + ow;
            tl->rows[u] = fc_wg_clamp(OH - oh, m);
            tl->cols[u] = fc_wg_clamp(OW - ow, m);
        }
        if (u >= count)
            tl->rows[u] = tl->cols[u] = 0;
    }
}

/* Tiles of one block's image slot k (image j0 / T + k): the padded rows [*r0, *r1) they
 * read (padded row r is input row r - pad). */
FC_RT_HELPER void fc_wg_slot_rows(const int64_t *geo, int m, int64_t j0, int64_t cnt,
                                  int64_t k, int64_t *r0, int64_t *r1)
{
    int64_t tw, th, per, first, lo, hi;
    fc_wg_plane_tiles(geo, m, &tw, &th);
    per = tw * th;
    first = (j0 / per + k) * per;
    lo = first < j0 ? j0 - first : 0;
    hi = first + per > j0 + cnt ? j0 + cnt - first : per;
    *r0 = m * (lo / tw);
    *r1 = m * ((hi - 1) / tw) + m + 2;
}

/* Padded plane geometry of the Winograd tiles: m*tiles + 2 rows and columns, so every
 * input tile lies inside; e as fc_cv_extent's. */
FC_RT_HELPER void fc_wg_extent(const int64_t *geo, int m, int64_t e[3])
{
    int64_t tw, th;
    fc_wg_plane_tiles(geo, m, &tw, &th);
    e[0] = 1;
    e[1] = m * th + 2;
    e[2] = m * tw + 2;
}

/* Images a block of nb tiles touches at most, and floats of their padded rows. */
FC_RT_HELPER int64_t fc_wg_pad_floats(const int64_t *geo, int m, int64_t n, int64_t nb)
{
    int64_t tw, th, per, e[3], imgs, rows;
    fc_wg_plane_tiles(geo, m, &tw, &th);
    per = tw * th;
    imgs = (nb + 2 * per - 2) / per;
    rows = m * ((nb + tw - 1) / tw + 1) + m + 2;
    fc_wg_extent(geo, m, e);
    imgs = imgs < n ? imgs : n;
    rows = rows < e[1] ? rows : e[1];
    return (imgs * rows * e[2] + 15) / 16 * 16;
}

/* Copies the padded rows the block's tiles read of input channel ch, image slot after slot,
 * to xp; off[j] (j < cnt) is then tile j0 + j's top-left offset in xp. With off (the
 * block's first channel) the padding zeros are written too; without, xp holds an earlier
 * channel of the same block (same rows, same padding) and only the values are replaced. */
FC_CV_INLINE void fc_wg_pad_block(const float *x, const int64_t *geo, int m, int64_t cin,
                                  int64_t ch, int64_t j0, int64_t cnt, float *xp, int32_t *off)
{
    const int64_t isz = geo[1] * geo[2];
    int64_t tw, th, per, b0, nimg, e[3], k, r0, r1, base = 0, j;
    fc_wg_plane_tiles(geo, m, &tw, &th);
    per = tw * th;
    b0 = j0 / per;
    nimg = (j0 + cnt - 1) / per - b0 + 1;
    fc_wg_extent(geo, m, e);
    for (k = 0; k < nimg; k++) {
        fc_wg_slot_rows(geo, m, j0, cnt, k, &r0, &r1);
        if (off)
            fc_cv_pad_zeros(geo, e, r0, r1, xp + base);
        fc_cv_pad_values(x + ((b0 + k) * cin + ch) * isz, geo, e, r0, r1, xp + base);
        for (j = (b0 + k) * per > j0 ? (b0 + k) * per : j0;
             off && j < (b0 + k + 1) * per && j < j0 + cnt; j++)
            off[j - j0] =
                (int32_t)(base + (m * ((j % per) / tw) - r0) * e[2] + m * (j % per % tw));
        base += (r1 - r0) * e[2];
    }
}

/* d[pos][u]: the a x a input tiles (pos = a*row + column) at xp + off[u] (rows ew apart) of
 * the lane group's first `count` tiles, zero past them. The offsets are 32-bit (the padded
 * rows of a block, fc_wg_pad_floats, stay far below 2^31 floats for planes narrower than
 * ~10^8 columns): with 64-bit ones GCC built 8-lane gathers, with these it loads and
 * transposes, digits_cnn_b450 ~2 % faster. Inlined with a constant a. */
FC_CV_INLINE void fc_wg_gather(const float *xp, const int32_t *off, int64_t ew, int64_t count,
                               const int a, float d[FC_WG_MAX_NX][FC_WG_LANES])
{
    int u, r, c;
    if (count >= FC_WG_LANES) {
        /* lanes innermost: one vector gather per tile element where the ISA has them */
        for (r = 0; r < a; r++)
            for (c = 0; c < a; c++)
                for (u = 0; u < FC_WG_LANES; u++)
                    d[a * r + c][u] = xp[off[u] + r * ew + c];
        return;
    }
    for (u = 0; u < FC_WG_LANES; u++) {
        const float *p = xp + (u < count ? off[u] : 0);
        for (r = 0; r < a; r++)
            for (c = 0; c < a; c++)
                d[a * r + c][u] = u < count ? p[r * ew + c] : 0.0f;
    }
}

/* v = B^T d B of F(2x2, 3x3) for 16 tiles at once; v[xi][u]. */
FC_CV_INLINE void fc_wg2_input_transform(float d[FC_WG_MAX_NX][FC_WG_LANES],
                                         float v[FC_WG_MAX_NX][FC_WG_LANES])
{
    float t[16][FC_WG_LANES];
    int c, i, u;
    for (c = 0; c < 4; c++)
        for (u = 0; u < FC_WG_LANES; u++) {
            t[c][u] = d[c][u] - d[8 + c][u];
            t[4 + c][u] = d[4 + c][u] + d[8 + c][u];
            t[8 + c][u] = d[8 + c][u] - d[4 + c][u];
            t[12 + c][u] = d[4 + c][u] - d[12 + c][u];
        }
    for (i = 0; i < 4; i++)
        for (u = 0; u < FC_WG_LANES; u++) {
            v[4 * i][u] = t[4 * i][u] - t[4 * i + 2][u];
            v[4 * i + 1][u] = t[4 * i + 1][u] + t[4 * i + 2][u];
            v[4 * i + 2][u] = t[4 * i + 2][u] - t[4 * i + 1][u];
            v[4 * i + 3][u] = t[4 * i + 1][u] - t[4 * i + 3][u];
        }
}

/* F(4x4, 3x3)'s B^T applied to six vectors s[0], s[k], ..., s[5k] of 16 lanes, into o[0],
 * o[k], ... (the same stride): shared terms first, 12 adds / multiply-adds a lane. */
FC_CV_INLINE void fc_wg4_input_1d(float s[][FC_WG_LANES], int k, float o[][FC_WG_LANES])
{
    int u;
    for (u = 0; u < FC_WG_LANES; u++) {
        const float d0 = s[0][u], d1 = s[k][u], d2 = s[2 * k][u], d3 = s[3 * k][u];
        const float d4 = s[4 * k][u], d5 = s[5 * k][u];
        const float p = d4 - 4.0f * d2, q = d3 - 4.0f * d1, r = d4 - d2, w = 2.0f * (d3 - d1);
        o[0][u] = 4.0f * d0 - 5.0f * d2 + d4;
        o[k][u] = p + q;
        o[2 * k][u] = p - q;
        o[3 * k][u] = r + w;
        o[4 * k][u] = r - w;
        o[5 * k][u] = 4.0f * d1 - 5.0f * d3 + d5;
    }
}

/* v = B^T d B of F(4x4, 3x3) for 16 tiles at once: down the six columns, then along the
 * six rows. */
FC_CV_INLINE void fc_wg4_input_transform(float d[FC_WG_MAX_NX][FC_WG_LANES],
                                         float v[FC_WG_MAX_NX][FC_WG_LANES])
{
    float t[36][FC_WG_LANES];
    int i;
    for (i = 0; i < 6; i++)
        fc_wg4_input_1d(&d[i], 6, &t[i]);
    for (i = 0; i < 6; i++)
        fc_wg4_input_1d(&t[6 * i], 1, &v[6 * i]);
}

/* Stores 16 values at block column q of panel row r (rows nr floats apart within a strip). */
FC_RT_HELPER void fc_wg_put_lanes(const float *src, int64_t q, int64_t r, int64_t krows,
                                  int64_t nr, float *pb)
{
    int64_t done = 0, u;
    if (nr % FC_WG_LANES == 0) {
        /* q is a multiple of 16: the lanes lie in one strip (a fixed-size copy: no rep movs) */
        float *dst = pb + (q / nr * krows + r) * nr + q % nr;
        for (u = 0; u < FC_WG_LANES; u++)
            dst[u] = src[u];
        return;
    }
    while (done < FC_WG_LANES) {
        int64_t lane = (q + done) % nr, k = nr - lane;
        float *dst = pb + ((q + done) / nr * krows + r) * nr + lane;
        if (k > FC_WG_LANES - done)
            k = FC_WG_LANES - done;
        for (u = 0; u < k; u++)
            dst[u] = src[done + u];
        done += k;
    }
}

/* Output tiles Y = A^T M A + bias of F(2x2, 3x3) for 16 tiles; M_xi of tile u is
 * m[xi * ms + u] (the C blocks, read in place), y[2*dy + dx][u]. */
FC_CV_INLINE void fc_wg2_output_transform(const float *m, int64_t ms, float bias,
                                          float y[16][FC_WG_LANES])
{
    float s[8][FC_WG_LANES];
    int j, u;
    for (j = 0; j < 4; j++)
        for (u = 0; u < FC_WG_LANES; u++) {
            s[j][u] = m[j * ms + u] + m[(4 + j) * ms + u] + m[(8 + j) * ms + u];
            s[4 + j][u] = m[(4 + j) * ms + u] - m[(8 + j) * ms + u] - m[(12 + j) * ms + u];
        }
    for (j = 0; j < 2; j++)
        for (u = 0; u < FC_WG_LANES; u++) {
            y[2 * j][u] = s[4 * j][u] + s[4 * j + 1][u] + s[4 * j + 2][u] + bias;
            y[2 * j + 1][u] = s[4 * j + 1][u] - s[4 * j + 2][u] - s[4 * j + 3][u] + bias;
        }
}

/* F(4x4, 3x3)'s A^T applied to six lane vectors at src + k*ms (k = 0..5) into four at
 * o[0], o[os], o[2 os], o[3 os], plus `add`. */
FC_CV_INLINE void fc_wg4_output_1d(const float *src, int64_t ms, float add, float *o,
                                   int64_t os)
{
    int u;
    for (u = 0; u < FC_WG_LANES; u++) {
        const float a = src[ms + u] + src[2 * ms + u], b = src[ms + u] - src[2 * ms + u];
        const float c = src[3 * ms + u] + src[4 * ms + u], d = src[3 * ms + u] - src[4 * ms + u];
        o[u] = src[u] + a + c + add;
        o[os + u] = b + 2.0f * d + add;
        o[2 * os + u] = a + 4.0f * c + add;
        o[3 * os + u] = b + 8.0f * d + src[5 * ms + u] + add;
    }
}

/* Output tiles Y = A^T M A + bias of F(4x4, 3x3) for 16 tiles (m, ms as above), y[4*dy +
 * dx][u]: down the six columns into s[row][col], then along s's four rows. */
FC_CV_INLINE void fc_wg4_output_transform(const float *m, int64_t ms, float bias,
                                          float y[16][FC_WG_LANES])
{
    float s[24][FC_WG_LANES];
    int i;
    for (i = 0; i < 6; i++)
        fc_wg4_output_1d(m + i * ms, 6 * ms, 0.0f, s[i], 6 * FC_WG_LANES);
    for (i = 0; i < 4; i++)
        fc_wg4_output_1d(s[6 * i], FC_WG_LANES, bias, y[4 * i], FC_WG_LANES);
}

/* Writes the live outputs (those inside the OH x OW plane) of output channel oc's m x m
 * tiles y[m*dy + dx][u]. */
FC_CV_INLINE void fc_wg_scatter(float y[16][FC_WG_LANES], const FcWgTiles *tl, const int m,
                                const int64_t *geo, int64_t oc, float *out)
{
    const int64_t OW = geo[5];
    float *yc = out + oc * geo[4] * OW;
    int u, r, c;
    for (u = 0; u < FC_WG_LANES; u++) {
        float *o = yc + tl->at[u];
        if (tl->rows[u] == m && tl->cols[u] == m) {
            for (r = 0; r < m; r++)
                for (c = 0; c < m; c++)
                    o[r * OW + c] = y[m * r + c][u];
            continue;
        }
        for (r = 0; r < tl->rows[u]; r++)
            for (c = 0; c < tl->cols[u]; c++)
                o[r * OW + c] = y[m * r + c][u];
    }
}

/* The 2x2 max of each whole window of the m x m tiles into the pooled plane of output
 * channel oc, the window's values compared in MaxPool's tap order (k_pool.c: row by row, a
 * later value wins only when greater), so the result is the unfused Conv + MaxPool's bit for
 * bit. */
FC_CV_INLINE void fc_wg_scatter_pooled(float y[16][FC_WG_LANES], const FcWgTiles *tl,
                                       const int m, const int64_t *geo, int64_t oc, float *out)
{
    const int64_t PW = geo[5] / 2;
    const int h = m / 2;
    float *yc = out + oc * (geo[4] / 2) * PW, p[4][FC_WG_LANES];
    int u, r, c;
    for (r = 0; r < h; r++)
        for (c = 0; c < h; c++)
            for (u = 0; u < FC_WG_LANES; u++) {
                const float *w0 = y[2 * m * r + 2 * c], *w1 = y[2 * m * r + m + 2 * c];
                float v = w0[FC_WG_LANES + u] > w0[u] ? w0[FC_WG_LANES + u] : w0[u];
                v = w1[u] > v ? w1[u] : v;
                p[h * r + c][u] = w1[FC_WG_LANES + u] > v ? w1[FC_WG_LANES + u] : v;
            }
    for (u = 0; u < FC_WG_LANES; u++) {
        float *o = yc + tl->at[u];
        if (tl->rows[u] == h && tl->cols[u] == h) { /* all windows whole: unrolled */
            for (r = 0; r < h; r++)
                for (c = 0; c < h; c++)
                    o[r * PW + c] = p[h * r + c][u];
            continue;
        }
        for (r = 0; r < tl->rows[u]; r++)
            for (c = 0; c < tl->cols[u]; c++)
                o[r * PW + c] = p[h * r + c][u];
    }
}

/* Floats of one thread's Winograd slice: nx B panels (cin_g x nb), nx C blocks of one panel
 * strip (Cout_g x 32) and the padded input rows of one channel. */
FC_RT_HELPER int64_t fc_wg_thread_floats(const int64_t *geo, int m, int64_t n, int64_t cin_g,
                                         int64_t cout_g, int64_t nb)
{
    int64_t cols = (nb + 31) / 32 * 32, nx = fc_wg_points(m);
    return (nx * (cin_g * cols + fc_rt_sgemm_a_panel_floats(cout_g, 1) * 32) + 15) / 16 * 16 +
           fc_wg_pad_floats(geo, m, n, nb);
}

/* Floats of the transformed filters' A panels (nx per group) and the room to build them. */
FC_RT_HELPER int64_t fc_wg_shared_floats(int m, int64_t groups, int64_t cout_g, int64_t cin_g)
{
    const int64_t nx = fc_wg_points(m);
    return (groups * nx * fc_rt_sgemm_a_panel_floats(cout_g, cin_g) + 15) / 16 * 16 +
           (nx * cout_g * cin_g + 15) / 16 * 16;
}

/* What one Winograd block works on: the input and geometry, group gg's channels and
 * transformed filters (nx A panels apf floats apart), the epilogue, and the block's tiles
 * [j0, j0 + cnt). */
typedef struct FcWgBlock {
    const float *x, *apan, *bias;
    const int64_t *geo;
    int64_t cin, cout, gg, cin_g, cout_g, apf, j0, cnt;
    int64_t c0, c1; /* the output channels (of the group) this block computes */
    int act, pool;
} FcWgBlock;

/* The input transform of the block for tile side m (a constant once inlined): each input
 * channel's padded rows, then per 16 tiles gather, B^T d B, and the nx values into the nx
 * B panels (pbf floats apart). */
FC_CV_INLINE void fc_wg_block_inputs(const FcWgBlock *bk, const int m, int64_t ncols,
                                     int64_t pbf, float *pb, float *xp)
{
    const int a = m + 2, nx = a * a;
    const int64_t nr = fc_rt_sgemm_nr(), ew = m * ((bk->geo[5] + m - 1) / m) + 2;
    float d[FC_WG_MAX_NX][FC_WG_LANES], v[FC_WG_MAX_NX][FC_WG_LANES];
    int32_t off[FC_WG_MAX_BLOCK];
    int64_t q, ic, xi;
    for (ic = 0; ic < bk->cin_g; ic++) {
        fc_wg_pad_block(bk->x, bk->geo, m, bk->cin, bk->gg * bk->cin_g + ic, bk->j0, bk->cnt,
                        xp, ic == 0 ? off : NULL);
        for (q = 0; q < ncols; q += FC_WG_LANES) {
            fc_wg_gather(xp, off + (q < bk->cnt ? q : 0), ew, bk->cnt - q, a, d);
            if (m == 4)
                fc_wg4_input_transform(d, v);
            else
                fc_wg2_input_transform(d, v);
            for (xi = 0; xi < nx; xi++)
                fc_wg_put_lanes(v[xi], q, ic, bk->cin_g, nr, pb + xi * pbf);
        }
    }
}

/* The output transform of 16 tiles from block column q (of a strip starting at q0, C blocks
 * cbf floats apart, unit columns wide) into y, for every output channel of the group. */
FC_CV_INLINE void fc_wg_block_outputs(const FcWgBlock *bk, const int m, const float *cb,
                                      int64_t cbf, int64_t unit, int64_t q0, int64_t q, float *y)
{
    float out[16][FC_WG_LANES];
    FcWgTiles tl;
    int64_t oc;
    fc_wg_locate(bk->geo, m, bk->cout, bk->pool, bk->j0 + q, bk->cnt - q, &tl);
    for (oc = bk->c0; oc < bk->c1; oc++) {
        const int64_t o = bk->gg * bk->cout_g + oc;
        const float *mq = cb + oc * unit + q - q0, bias = bk->bias ? bk->bias[o] : 0.0f;
        if (m == 4)
            fc_wg4_output_transform(mq, cbf, bias, out);
        else
            fc_wg2_output_transform(mq, cbf, bias, out);
        fc_rt_vact(&out[0][0], m * m * FC_WG_LANES, bk->act);
        if (bk->pool)
            fc_wg_scatter_pooled(out, &tl, m, bk->geo, o, y);
        else
            fc_wg_scatter(out, &tl, m, bk->geo, o, y);
    }
}

/* One block: input transform into the nx B panels, then per panel strip the nx GEMMs and
 * the strip's output transform into y. */
FC_CV_INLINE void fc_wg_block_m(const FcWgBlock *bk, const int m, float *slice, float *y)
{
    const int nx = (m + 2) * (m + 2);
    const int64_t nr = fc_rt_sgemm_nr(), unit = nr > FC_WG_LANES ? nr : FC_WG_LANES;
    const int64_t ncols = (bk->cnt + unit - 1) / unit * unit, pbf = bk->cin_g * ncols;
    const int64_t cbf = fc_rt_sgemm_a_panel_floats(bk->cout_g, 1) * unit;
    float *pb = slice, *cb = slice + nx * pbf, *xp = cb + nx * cbf;
    int64_t q, q0, xi;
    fc_wg_block_inputs(bk, m, ncols, pbf, pb, xp);
    /* a panel strip (unit columns) at a time: its nx GEMMs, then its output transform while
     * the nx C blocks (nx x Cout_g x unit) are still in cache */
    for (q0 = 0; q0 < bk->cnt; q0 += unit) {
        /* a last strip of at most 16 live tiles takes the half-width micro-kernel */
        const int64_t live = fc_cv_live_cols(bk->cnt - q0, unit);
        for (xi = 0; xi < nx; xi++) /* rows c0 .. c1 - 1: c0 starts a 24-row panel strip */
            fc_rt_sgemm_panels(bk->c1 - bk->c0, live, bk->cin_g,
                               bk->apan + xi * bk->apf + bk->c0 * bk->cin_g,
                               pb + xi * pbf + q0 * bk->cin_g, cb + xi * cbf + bk->c0 * unit,
                               unit);
        for (q = q0; q < q0 + unit && q < bk->cnt; q += FC_WG_LANES)
            fc_wg_block_outputs(bk, m, cb, cbf, unit, q0, q, y);
    }
}

/* fc_wg_block_m compiled once per tile side, each with its transforms inlined. */
FC_RT_HELPER void fc_wg_block(const FcWgBlock *bk, int m, float *slice, float *y)
{
    if (m == 4)
        fc_wg_block_m(bk, 4, slice, y);
    else
        fc_wg_block_m(bk, 2, slice, y);
}

/* Output channel parts of a Winograd conv: with fewer tile blocks than threads (a small map
 * at batch 1: 16 tiles are one block) the threads split each block's output channels instead,
 * each part whole 24-row strips of the filters' A panels (so the GEMMs run the same
 * micro-kernel calls, the same bits, as unsplit), every part repeating the block's input
 * transform. Measured on 2 threads: 256 channels on a 16x16 map ~1.9x; splitting the
 * channels of 2 uneven blocks too (36 tiles: 32 + 4) was 1.2-1.3x slower than not. */
FC_RT_HELPER int64_t fc_wg_channel_parts(int64_t nblocks, int64_t cout_g)
{
    int64_t parts = FC_RT_THREADS;
    if (FC_RT_THREADS <= 1 || nblocks >= FC_RT_THREADS)
        return 1;
    if (parts > cout_g / FC_RT_A_STRIP)
        parts = cout_g / FC_RT_A_STRIP;
    return parts > 1 ? parts : 1;
}

/* Channel k of cout_g where part k of `parts` starts (part `parts` ends at cout_g): the even
 * cut rounded to a multiple of 24. */
FC_RT_HELPER int64_t fc_wg_channel_cut(int64_t k, int64_t parts, int64_t cout_g)
{
    int64_t c = (2 * k * cout_g + parts * FC_RT_A_STRIP) / (2 * parts * FC_RT_A_STRIP) *
                FC_RT_A_STRIP;
    return k >= parts || c > cout_g ? cout_g : c;
}

/* Conv by Winograd: ia as fc_rt_conv's (modes 3, 4, 7, 8), scratch fc_rt_conv_scratch. */
FC_RT_HELPER void fc_wg_conv(const float *x, const float *w, const float *bias, float *y,
                             const int64_t *ia, float *scratch)
{
    const int64_t *geo = ia + 7;
    const int m = fc_wg_tile(ia[4]), nx = fc_wg_points(m);
    const int64_t N = ia[0], Cin = ia[1], Cout = ia[2], G = ia[3], nb = fc_wg_block_tiles(ia[5]);
    const int64_t cin_g = Cin / G, cout_g = Cout / G;
    const int64_t tiles = N * ((geo[4] + m - 1) / m) * ((geo[5] + m - 1) / m);
    const int64_t apf = fc_rt_sgemm_a_panel_floats(cout_g, cin_g);
    const int64_t nblocks = (tiles + nb - 1) / nb;
    const int64_t slice = fc_wg_thread_floats(geo, m, N, cin_g, cout_g, nb);
    float *room = fc_cv_align64(scratch), *apan = room;
    float *ut = room + (G * nx * apf + 15) / 16 * 16;
    float *slices = room + fc_wg_shared_floats(m, G, cout_g, cin_g);
    const int par = tiles * Cout * cin_g >= FC_RT_PAR_MIN_WORK; /* worth threads at all */
    const int64_t parts = par ? fc_wg_channel_parts(nblocks, cout_g) : 1;
    int64_t g, job;
    if (ia[25])
        apan = (float *)w; /* the compiler stored the nx panels per group (fc_rt_conv_prepack) */
    else
        for (g = 0; g < G; g++)
            fc_wg_pack_filters(w + g * cout_g * cin_g * 9, m, cout_g, cin_g, ut,
                               apan + g * nx * apf, apf);
    /* cyclic: the blocks are equal but the last, which contiguous shares give to the thread
     * with the larger share (7 blocks on 2 threads: 3 + the short one and 3, not 4 and 2 +
     * the short one; 196 tiles, fastest of 7 runs: 0.59 -> 0.53 ms) */
    FC_RT_OMP_FOR_CYCLIC_IF(nblocks * parts > 1 && par)
    for (job = 0; job < nblocks * parts; job++) {
        const int64_t blk = job / parts, part = job % parts;
        FcWgBlock bk;
        int64_t gg;
        bk.c0 = fc_wg_channel_cut(part, parts, cout_g);
        bk.c1 = fc_wg_channel_cut(part + 1, parts, cout_g);
        if (bk.c0 >= bk.c1)
            continue;
        bk.x = x;
        bk.geo = geo;
        bk.bias = bias;
        bk.cin = Cin;
        bk.cout = Cout;
        bk.cin_g = cin_g;
        bk.cout_g = cout_g;
        bk.apf = apf;
        bk.act = (int)ia[6];
        bk.pool = ia[4] == 4 || ia[4] == 8;
        bk.j0 = blk * nb;
        bk.cnt = tiles - bk.j0 < nb ? tiles - bk.j0 : nb;
        for (gg = 0; gg < G; gg++) {
            bk.gg = gg;
            bk.apan = apan + gg * nx * apf;
            fc_wg_block(&bk, m, slices + FC_RT_TID() * slice, y);
        }
    }
}

/* ---- Few output positions (mode 6) -------------------------------------------------------
 * A Conv with a handful of output positions in all (a downsampling layer near the end of a
 * network at batch 1: ConvNeXt's 2x2 stride-2 conv on a 4x4 plane has 4) multiplies the other
 * way round, Y^T[P x Cout] = col^T[P x Cin*K] * W^T[Cin*K x Cout]: the P positions are the
 * rows of one micro-kernel strip and Cout is the wide side, where W as A with P columns
 * would compute whole 32-column tiles for 4 useful ones. W^T is a prepacked GEMM B operand
 * (runtime/k_gemm.c's layout; packed by the compiler when W is constant, else per call). */

/* Floats of W^T in the prepacked B layout. */
FC_RT_HELPER int64_t fc_cv_few_wt_floats(int64_t cout, int64_t krows)
{
    return fc_rt_sgemm_prepacked_floats(krows, cout);
}

/* W [Cout, Cin*K] -> W^T prepacked (fc_rt_sgemm_prepack's layout: 16-column strips of the
 * K x Cout matrix, one zero strip more). */
FC_RT_HELPER void fc_cv_few_pack_wt(const float *w, int64_t cout, int64_t krows, float *wp)
{
    int64_t s, k, j;
    for (s = 0; s < (cout + 15) / 16 * 16 + 16; s += 16)
        for (k = 0; k < krows; k++)
            for (j = 0; j < 16; j++)
                *wp++ = s + j < cout ? w[(s + j) * krows + k] : 0.0f;
}

/* Row p of col^T: output position p's Cin*K input values (zero where a tap falls outside). */
FC_RT_HELPER void fc_cv_few_row(const float *x, const int64_t *geo, int64_t cin, int64_t p,
                                float *row)
{
    const int64_t osz = geo[3] * geo[4] * geo[5], isz = geo[0] * geo[1] * geo[2];
    const int64_t b = p / osz, o = p % osz;
    const int64_t op[3] = {o / geo[5] / geo[4], o / geo[5] % geo[4], o % geo[5]};
    int64_t ic, kd, kh, kw;
    for (ic = 0; ic < cin; ic++) {
        const float *xc = x + (b * cin + ic) * isz;
        for (kd = 0; kd < geo[6]; kd++)
            for (kh = 0; kh < geo[7]; kh++)
                for (kw = 0; kw < geo[8]; kw++) {
                    const int64_t id = op[0] * geo[9] + kd * geo[12] - geo[15];
                    const int64_t ih = op[1] * geo[10] + kh * geo[13] - geo[16];
                    const int64_t iw = op[2] * geo[11] + kw * geo[14] - geo[17];
                    *row++ = id >= 0 && id < geo[0] && ih >= 0 && ih < geo[1] && iw >= 0 &&
                                     iw < geo[2]
                                 ? xc[(id * geo[1] + ih) * geo[2] + iw]
                                 : 0.0f;
                }
    }
}

/* Columns of Y^T each thread computes: Cout in parts of whole 16-column strips (the
 * prepacked layout's), one per thread when each keeps >= 64. */
FC_RT_HELPER int64_t fc_cv_few_part(int64_t cout, int64_t threads)
{
    int64_t parts = threads > 1 && cout >= 64 * threads ? threads : 1;
    return ((cout + parts - 1) / parts + 15) / 16 * 16;
}

/* Floats of mode 6's scratch: col^T, the product, the GEMM's work per thread, room to pack
 * W^T. */
FC_RT_HELPER int64_t fc_cv_few_floats(const int64_t *ia, int64_t threads)
{
    const int64_t *geo = ia + 7;
    const int64_t P = ia[0] * geo[3] * geo[4] * geo[5], krows = ia[1] * geo[6] * geo[7] * geo[8];
    const int64_t part = fc_cv_few_part(ia[2], threads);
    return (P * krows + 15) / 16 * 16 + (P * ia[2] + 15) / 16 * 16 +
           threads * ((fc_rt_sgemm_work(P, part, krows) + 15) / 16 * 16) +
           fc_cv_few_wt_floats(ia[2], krows) + 16;
}

FC_RT_HELPER void fc_cv_few(const float *x, const float *w, const float *bias, float *y,
                            const int64_t *ia, float *scratch)
{
    const int64_t *geo = ia + 7;
    const int64_t N = ia[0], Cin = ia[1], Cout = ia[2], osz = geo[3] * geo[4] * geo[5];
    const int64_t P = N * osz, krows = Cin * geo[6] * geo[7] * geo[8];
    const int64_t part = fc_cv_few_part(Cout, FC_RT_THREADS), nparts = (Cout + part - 1) / part;
    const int64_t wslice = (fc_rt_sgemm_work(P, part, krows) + 15) / 16 * 16;
    float *colt = fc_cv_align64(scratch), *c = colt + (P * krows + 15) / 16 * 16;
    float *work = c + (P * Cout + 15) / 16 * 16, *wt = work + FC_RT_THREADS * wslice;
    int64_t p, oc, j;
    for (p = 0; p < P; p++)
        fc_cv_few_row(x, geo, Cin, p, colt + p * krows);
    if (ia[25])
        wt = (float *)w; /* the compiler stored W^T prepacked */
    else
        fc_cv_few_pack_wt(w, Cout, krows, wt);
    /* the weights are the bulk of the traffic: each thread streams its own columns' */
    FC_RT_OMP_FOR_IF(nparts > 1)
    for (j = 0; j < nparts; j++) {
        const int64_t j0 = j * part, cols = Cout - j0 < part ? Cout - j0 : part;
        fc_rt_sgemm_prepacked(P, cols, krows, colt, krows, wt + j0 * krows, c + j0, Cout,
                              work + FC_RT_TID() * wslice);
    }
    for (p = 0; p < P; p++) {
        float *row = c + p * Cout;
        if (bias)
            for (oc = 0; oc < Cout; oc++)
                row[oc] += bias[oc];
        fc_rt_vact(row, Cout, (int)ia[6]);
        for (oc = 0; oc < Cout; oc++) /* Y[b, oc, o] */
            y[(p / osz * Cout + oc) * osz + p % osz] = row[oc];
    }
}

/* ---- Scratch ---------------------------------------------------------------------------- */

/* A block's columns rounded up to 32 (a multiple of every ISA's NR): the panel width. */
FC_RT_HELPER int64_t fc_cv_block_cols(int64_t nb)
{
    return (nb + 31) / 32 * 32;
}

/* Floats one thread's slice of the Conv GEMM scratch holds: a B panel (krows x nb), a C
 * block (Cout_g rows, MR-padded, x nb) and, when the input is padded, one padded input
 * plane; a multiple of 16. */
FC_RT_HELPER int64_t fc_cv_thread_floats(const int64_t *geo, int64_t cout_g, int64_t krows,
                                         int64_t nb)
{
    int64_t f, e[3];
    nb = fc_cv_block_cols(nb);
    f = krows * nb + fc_rt_sgemm_a_panel_floats(cout_g, 1) * nb;
    if (fc_cv_has_pads(geo)) {
        fc_cv_extent(geo, e);
        f += e[0] * e[1] * e[2];
    }
    return (f + 15) / 16 * 16;
}

/* Floats of the weights' A panels (all groups), a multiple of 16. */
FC_RT_HELPER int64_t fc_cv_apanel_floats(int64_t groups, int64_t cout_g, int64_t krows)
{
    return (groups * fc_rt_sgemm_a_panel_floats(cout_g, krows) + 15) / 16 * 16;
}

/* Scratch floats fc_rt_conv needs on `threads` threads, from its packed ia (below): the
 * depthwise path a padded plane per thread, the GEMM paths the packed weights and a slice
 * per thread; none when there is nothing to compute. */
FC_RT int64_t fc_rt_conv_scratch(const int64_t *ia, int64_t threads)
{
    const int64_t *geo = ia + 7;
    const int64_t G = ia[3], cout_g = ia[2] / G, krows = ia[1] / G * geo[6] * geo[7] * geo[8];
    const int64_t total = ia[0] * geo[3] * geo[4] * geo[5];
    int64_t zoff;
    if (ia[4] == 2)
        return 16 + threads * fc_cv_dw_floats(geo, &zoff);
    if (ia[4] == 5)
        return 16 + fc_cv_dw_small_floats(ia[2], geo[0] * geo[1] * geo[2]) +
               threads * fc_cv_dw_floats(geo, &zoff);
    if (krows == 0 || total == 0)
        return 0;
    if (ia[4] == 6)
        return fc_cv_few_floats(ia, threads);
    if (fc_wg_tile(ia[4]))
        return 16 + fc_wg_shared_floats(fc_wg_tile(ia[4]), G, cout_g, ia[1] / G) +
               threads * fc_wg_thread_floats(geo, fc_wg_tile(ia[4]), ia[0], ia[1] / G, cout_g,
                                             fc_wg_block_tiles(ia[5]));
    return 16 + fc_cv_apanel_floats(G, cout_g, krows) +
           threads * fc_cv_thread_floats(geo, cout_g, krows, ia[5]);
}

/* ---- Weights packed at compile time -------------------------------------------------------
 * A constant W read only by one GEMM-mode Conv is stored by the compiler in the layout the
 * kernel multiplies with (ia[25] = 1): per group, im2col modes 0 and 1 the A panel of W_g
 * (Cout_g x Cin_g*K), Winograd modes 3, 4, 7, 8 the nx A panels of U_xi = (G g G^T)_xi
 * (Cout_g x Cin_g each), small-plane depthwise mode 5 every channel's T then W itself, mode 6
 * W^T as a prepacked GEMM B operand.
 * A panels do not depend on the ISA (runtime/k_gemm.c), so neither
 * does this; the values are the ones the per-call packing computes, bit for bit. */

/* Whether fc_rt_conv would multiply a packed W (modes 0, 1, 3..8 with work to do). */
FC_RT int fc_rt_conv_prepackable(const int64_t *ia)
{
    const int64_t *geo = ia + 7;
    return ia[4] != 2 && ia[1] / ia[3] * geo[6] * geo[7] * geo[8] > 0 && ia[2] > 0 &&
           ia[0] * geo[3] * geo[4] * geo[5] > 0 && geo[0] * geo[1] * geo[2] > 0;
}

/* Floats of the prepacked W. */
FC_RT int64_t fc_rt_conv_prepacked_floats(const int64_t *ia)
{
    const int64_t *geo = ia + 7;
    const int64_t G = ia[3], cin_g = ia[1] / G, cout_g = ia[2] / G;
    if (fc_wg_tile(ia[4]))
        return G * fc_wg_points(fc_wg_tile(ia[4])) * fc_rt_sgemm_a_panel_floats(cout_g, cin_g);
    if (ia[4] == 5)
        return fc_cv_dw_small_floats(ia[2], geo[0] * geo[1] * geo[2]) +
               ia[2] * geo[6] * geo[7] * geo[8];
    if (ia[4] == 6)
        return fc_cv_few_wt_floats(ia[2], ia[1] * geo[6] * geo[7] * geo[8]);
    return G * fc_rt_sgemm_a_panel_floats(cout_g, cin_g * geo[6] * geo[7] * geo[8]);
}

/* Packs W [Cout, Cin/G, k..] into wp (fc_rt_conv_prepacked_floats). */
FC_RT void fc_rt_conv_prepack(const int64_t *ia, const float *w, float *wp)
{
    const int64_t *geo = ia + 7;
    const int64_t G = ia[3], cin_g = ia[1] / G, cout_g = ia[2] / G;
    const int64_t krows = cin_g * geo[6] * geo[7] * geo[8];
    int64_t g, oc, ic, xi;
    if (ia[4] == 5) { /* every channel's T, then W */
        const int64_t isz = geo[0] * geo[1] * geo[2], ksz = geo[6] * geo[7] * geo[8];
        for (oc = 0; oc < ia[2]; oc++)
            fc_cv_dw_toeplitz(w + oc * ksz, geo, wp + oc * isz * 16);
        memcpy(wp + fc_cv_dw_small_floats(ia[2], isz), w, sizeof(float) * (size_t)(ia[2] * ksz));
        return;
    }
    if (ia[4] == 6) {
        fc_cv_few_pack_wt(w, ia[2], krows, wp);
        return;
    }
    if (!fc_wg_tile(ia[4])) {
        const int64_t apf = fc_rt_sgemm_a_panel_floats(cout_g, krows);
        for (g = 0; g < G; g++)
            fc_rt_sgemm_pack_a_panel(cout_g, krows, w + g * cout_g * krows, krows, wp + g * apf);
        return;
    }
    {
        const int64_t apf = fc_rt_sgemm_a_panel_floats(cout_g, cin_g);
        const int m = fc_wg_tile(ia[4]), nx = fc_wg_points(m);
        float u[FC_WG_MAX_NX];
        for (xi = 0; xi < G * nx * apf; xi++)
            wp[xi] = 0.0f; /* the strips' rows past Cout_g */
        for (g = 0; g < G; g++)
            for (oc = 0; oc < cout_g; oc++)
                for (ic = 0; ic < cin_g; ic++) {
                    fc_wg_filter(w + ((g * cout_g + oc) * cin_g + ic) * 9, m, u, 1);
                    for (xi = 0; xi < nx; xi++)
                        wp[(g * nx + xi) * apf + fc_rt_sgemm_a_at(cin_g, oc, ic)] = u[xi];
                }
    }
}

/* Writes C block rows (one per output channel of the group, columns as in FcCvBlock) to
 * their images' output planes, adding the bias and applying the activation while the values
 * are in cache. */
FC_RT_HELPER void fc_cv_store_block(const float *cb, const FcCvBlock *bk, int64_t cout,
                                    int64_t oc0, int64_t cout_g, const float *bias, int act,
                                    float *y)
{
    int64_t oc;
    for (oc = 0; oc < cout_g; oc++) {
        const float *src = cb + oc * bk->ncols;
        float bv = bias ? bias[oc0 + oc] : 0.0f;
        int64_t q = 0, j = bk->j0;
        while (q < bk->cnt) {
            int64_t b = j / bk->osz, p = j % bk->osz;
            int64_t len = bk->osz - p < bk->cnt - q ? bk->osz - p : bk->cnt - q;
            fc_rt_vact_biased(src + q, &bv, 0, y + (b * cout + oc0 + oc) * bk->osz + p, len,
                              act);
            q += len;
            j += len;
        }
    }
}

/* The pooled store (FcConv {pool=1} in GEMM modes, ia[26]): the block's columns are whole
 * pairs of output rows (prepare makes the block a multiple of 2 * OW and OH is even). Each
 * channel's row of the C block gets the bias and the activation in place (one long vector
 * pass), then each pair of rows reduces to one pooled row: the 2x2 windows' values compared
 * in MaxPool's tap order (k_pool.c: row by row, a later value wins only when greater), bit
 * for bit Conv, activation, MaxPool unfused. */
FC_RT_HELPER void fc_cv_store_block_pooled(float *cb, const FcCvBlock *bk, int64_t cout,
                                           int64_t oc0, int64_t cout_g, const float *bias,
                                           int act, float *y)
{
    const int64_t OW = bk->geo[5], pw = OW / 2, posz = bk->osz / 4;
    int64_t oc, q, i;
    for (oc = 0; oc < cout_g; oc++) {
        float *src = cb + oc * bk->ncols, bv = bias ? bias[oc0 + oc] : 0.0f;
        fc_rt_vact_biased(src, &bv, 0, src, bk->cnt, act);
        for (q = 0; q < bk->cnt; q += 2 * OW) { /* one pair of output rows */
            int64_t j = bk->j0 + q, b = j / bk->osz, p = j % bk->osz;
            float *dst = y + (b * cout + oc0 + oc) * posz + p / OW / 2 * pw;
            const float *r0 = src + q, *r1 = src + q + OW;
            for (i = 0; i < pw; i++) {
                float m = r0[2 * i], v = r0[2 * i + 1];
                m = v > m ? v : m;
                v = r1[2 * i];
                m = v > m ? v : m;
                v = r1[2 * i + 1];
                dst[i] = v > m ? v : m;
            }
        }
    }
}

/* Conv (float32); also FcConv, a Conv with an activation epilogue. Inputs X [N, Cin, sp..],
 * W [Cout, Cin/group, k..], optional B [Cout].
 * ia: [0] N, [1] Cin, [2] Cout, [3] group,
 *     [4] mode: 0 im2col + GEMM, 1 pointwise (1x1, stride 1, no pads: the columns are X's
 *         rows), 2 direct (one input channel per group: depthwise), 3 Winograd F(2x2, 3x3)
 *         (2-D, 3x3, stride 1, dilation 1), 4 Winograd with a 2x2 stride-2 MaxPool epilogue
 *         (FcConv {pool=1}: Y is the pooled [N, Cout, OH/2, OW/2]; geo keeps the Conv's
 *         output dims), 5 depthwise on planes of at most 16 outputs (one product by a
 *         Toeplitz matrix per channel), 6 a few output positions in all, group 1
 *         (Y^T = col^T W^T: the positions are the GEMM's rows), 7 Winograd F(4x4, 3x3)
 *         (as 3), 8 F(4x4, 3x3) with the MaxPool epilogue (as 4),
 *     [5] GEMM block: columns per block (columns run over all images' output positions, or
 *         for Winograd their m x m output tiles; prepare picks a multiple of 16),
 *     [6] activation (FC_ACT_*),
 *     [7..25) geometry block (see top of file),
 *     [25] W prepacked: the emitted file stores W as fc_rt_conv_prepack made it (modes 0, 1,
 *          3..8; only the C emitter sets it), so no run packs or transforms the weights,
 *     [26] (optional) modes 0, 1: FcConv {pool=1}, a 2x2 stride-2 MaxPool in the block
 *          epilogue (2-D, even output; Y is the pooled [N, Cout, OH/2, OW/2]).
 * scratch: fc_rt_conv_scratch(ia, threads) floats. Modes 0, 1: room for the weights packed
 * once per call (unused when prepacked), then one slice per thread (B panel, C block, padded
 * input plane); mode 2: a padded plane per thread; mode 5: every channel's T (unused when
 * prepacked), then a padded plane per thread; Winograd modes 3, 4, 7, 8: room for the nx
 * (16 or 36) transformed filter panels per group, then per thread nx B panels and nx C
 * blocks.
 * Blocks of columns, and depthwise planes, are independent: they run on FC_RT_THREADS. */
FC_RT void fc_rt_conv(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t *geo = n->ia + 7;
    const int64_t N = n->ia[0], Cin = n->ia[1], Cout = n->ia[2], G = n->ia[3], nb = n->ia[5];
    const int mode = (int)n->ia[4], act = (int)n->ia[6];
    const int pool = n->nia > 26 && n->ia[26] != 0; /* GEMM modes' 2x2 MaxPool epilogue */
    const int64_t Cin_g = Cin / G, Cout_g = Cout / G;
    const int64_t ksz = geo[6] * geo[7] * geo[8];
    const int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    const int64_t krows = Cin_g * ksz, total = N * osz;
    int64_t i, g, blk, nblocks, zoff;
    float *apan, *slices;
    int64_t apf, slice;
    if (FC_CV_HAS_MODE(2) && mode == 2) {
        float *planes = fc_cv_align64((float *)n->scratch);
        const int64_t dwf = fc_cv_dw_floats(geo, &zoff);
#ifdef FC_CV_DWL
        if (fc_cv_dwl_ok(geo)) { /* planes in pairs, the last one twice when odd */
            const int64_t pairs = (N * Cout + 1) / 2;
            FC_RT_OMP_FOR_IF(N * Cout * osz * ksz >= 4 * FC_RT_PAR_MIN_WORK)
            for (i = 0; i < pairs; i++) {
                FcCvDwl d;
                int p;
                d.geo = geo;
                for (p = 0; p < 2; p++) {
                    int64_t q = 2 * i + p < N * Cout ? 2 * i + p : 2 * i;
                    int64_t b = q / Cout, oc = q % Cout;
                    d.x[p] = x + (b * Cin + oc / Cout_g) * isz;
                    d.w[p] = w + oc * ksz;
                    d.bias[p] = bias ? bias[oc] : 0.0f;
                    d.y[p] = y + q * osz;
                }
                fc_cv_dwl(&d);
                fc_rt_vact(d.y[0], osz, act);
                if (d.y[1] != d.y[0])
                    fc_rt_vact(d.y[1], osz, act);
            }
            return;
        }
#endif
        FC_RT_OMP_FOR_IF(N * Cout * osz * ksz >= 4 * FC_RT_PAR_MIN_WORK)
        for (i = 0; i < N * Cout; i++) {
            int64_t b = i / Cout, oc = i % Cout;
            fc_cv_dw_plane(x + (b * Cin + oc / Cout_g) * isz, w + oc * ksz, geo,
                           bias ? bias[oc] : 0.0f, act, planes + FC_RT_TID() * dwf,
                           y + i * osz);
        }
        return;
    }
    if (krows == 0 || total == 0) {
        /* an empty kernel: no taps, the output is the bias (or 0) and there is no scratch
         * (n->scratch is NULL; fuzz, UBSan) */
        for (i = 0; i < N; i++) {
            fc_cv_fill_bias(y + i * Cout * osz, bias, Cout, osz);
            fc_rt_vact(y + i * Cout * osz, Cout * osz, act);
        }
        return;
    }
    if (FC_CV_HAS_WINOGRAD && fc_wg_tile(mode)) {
        fc_wg_conv(x, w, bias, y, n->ia, (float *)n->scratch);
        return;
    }
    if (FC_CV_HAS_MODE(5) && mode == 5) {
        fc_cv_dw_small(x, w, bias, y, n->ia, (float *)n->scratch);
        return;
    }
    if (FC_CV_HAS_MODE(6) && mode == 6) {
        fc_cv_few(x, w, bias, y, n->ia, (float *)n->scratch);
        return;
    }
    if (!FC_CV_HAS_MODE(0) && !FC_CV_HAS_MODE(1))
        return; /* not reached: FC_CV_MODES has every mode the file's Convs use */
    apf = fc_rt_sgemm_a_panel_floats(Cout_g, krows);
    apan = fc_cv_align64((float *)n->scratch);
    slices = apan + fc_cv_apanel_floats(G, Cout_g, krows);
    slice = fc_cv_thread_floats(geo, Cout_g, krows, nb);
    if (n->ia[25])
        apan = (float *)w; /* the compiler stored the weights as A panels */
    else
        for (g = 0; g < G; g++)
            fc_rt_sgemm_pack_a_panel(Cout_g, krows, w + g * Cout_g * krows, krows, apan + g * apf);
    nblocks = (total + nb - 1) / nb;
    FC_RT_OMP_FOR_IF(nblocks > 1 && total * Cout * krows >= 4 * FC_RT_PAR_MIN_WORK)
    for (blk = 0; blk < nblocks; blk++) {
        float *pb = slices + FC_RT_TID() * slice;
        float *cb = pb + krows * fc_cv_block_cols(nb);
        float *xp = cb + fc_rt_sgemm_a_panel_floats(Cout_g, 1) * fc_cv_block_cols(nb);
        FcCvBlock bk;
        int64_t gg;
        bk.x = x;
        bk.geo = geo;
        bk.cin = Cin;
        bk.cin_g = Cin_g;
        bk.krows = krows;
        bk.isz = isz;
        bk.osz = osz;
        bk.j0 = blk * nb;
        bk.cnt = total - bk.j0 < nb ? total - bk.j0 : nb;
        bk.nr = fc_rt_sgemm_nr();
        bk.ncols = (bk.cnt + bk.nr - 1) / bk.nr * bk.nr;
        bk.pointwise = mode == 1;
        for (gg = 0; gg < G; gg++) {
            bk.c0 = gg * Cin_g;
            fc_cv_pack_block(&bk, xp, pb);
            /* columns past the block's last 16 are padding: not computed */
            fc_rt_sgemm_panels(Cout_g, fc_cv_live_cols(bk.cnt, bk.ncols), krows, apan + gg * apf,
                               pb, cb, bk.ncols);
            if (pool)
                fc_cv_store_block_pooled(cb, &bk, Cout, gg * Cout_g, Cout_g, bias, act, y);
            else
                fc_cv_store_block(cb, &bk, Cout, gg * Cout_g, Cout_g, bias, act, y);
        }
    }
}

/* ConvTranspose (float32). inputs X [N, Cin, sp..], W [Cin, Cout/group, k..], optional B [Cout].
 * ia: [0] N, [1] Cin, [2] Cout, [3] group, [4] block (input positions per GEMM), [5] unused,
 *     [6..24) geometry block (input = X spatial dims, output = Y spatial dims).
 * scratch: Cout_g*K*block floats of column buffer, then fc_rt_sgemm_work(Cout_g*K, block,
 * Cin_g) floats. */
FC_RT void fc_rt_conv_transpose(const FcRtNode *n, FcRtTensor *t)
{
    const float *x = (const float *)fc_rt_in(n, t, 0)->data;
    const float *w = (const float *)fc_rt_in(n, t, 1)->data;
    const FcRtTensor *bt = fc_rt_opt_in(n, t, 2);
    const float *bias = bt ? (const float *)bt->data : NULL;
    float *y = (float *)fc_rt_out(n, t, 0)->data;
    const int64_t *geo = n->ia + 6;
    int64_t N = n->ia[0], Cin = n->ia[1], Cout = n->ia[2], G = n->ia[3], block = n->ia[4];
    int64_t Cin_g = Cin / G, Cout_g = Cout / G;
    int64_t ksz = geo[6] * geo[7] * geo[8];
    int64_t isz = geo[0] * geo[1] * geo[2], osz = geo[3] * geo[4] * geo[5];
    int64_t mrows = Cout_g * ksz;
    float *col = (float *)n->scratch;
    int64_t b, g, p0;
    for (b = 0; b < N; b++) {
        const float *xb = x + b * Cin * isz;
        float *yb = y + b * Cout * osz;
        fc_cv_fill_bias(yb, bias, Cout, osz);
        for (g = 0; g < G; g++) {
            const float *xg = xb + g * Cin_g * isz;
            const float *wg = w + g * Cin_g * mrows;
            float *yg = yb + g * Cout_g * osz;
            /* mrows == 0 (an empty kernel or no output channels): nothing to add to the bias,
             * and no scratch to point into (col is NULL; fuzz, UBSan) */
            for (p0 = 0; mrows > 0 && p0 < isz; p0 += block) {
                int64_t np = isz - p0 < block ? isz - p0 : block;
                fc_rt_sgemm(mrows, np, Cin_g, 1.0f, wg, mrows, 1, xg + p0, isz, 0, 0.0f, col, np,
                            col + mrows * block);
                fc_cv_col2im(col, geo, Cout_g, p0, np, yg);
            }
        }
    }
}
