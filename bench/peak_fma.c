/* peak_fma.c — this machine's single-core FP32 FMA peak, for bench/run.sh.
 *
 *   cc -O2 -march=native -ffp-contract=fast bench/peak_fma.c -o peak_fma && ./peak_fma [MS]
 *
 * Runs CHAINS independent multiply-add chains acc = acc * m + c on GCC/Clang vector-extension
 * types of 16, 32 and 64 bytes (whichever the target has registers for is what the compiler
 * emits; -ffp-contract=fast turns each a*b+c into one FMA instruction). Enough independent
 * chains hide the FMA latency, so the loop runs at the FMA units' throughput. Each width is
 * timed in many 1 ms samples (best one kept, so a sample that lost the core to another
 * process does not count) and the program prints one line per width and a last line
 *   peak: X GFLOP/s (W-byte vectors)
 * counting 2 FLOP per FMA lane. m and c keep every chain near its fixed point 1.0, so no
 * overflow, underflow or denormal slows the loop down. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* >= FMA latency (4-5 cycles) x FMA pipes (2), with margin; and with m and c at most 14, so
 * that AVX2's 16 vector registers hold every chain (16 chains spilled two of them to the stack
 * and the store-to-load round trip halved the measured peak on a Zen 3). */
#define CHAINS 12

typedef float v4f __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One kernel per vector type: the chains are separate variables so that they live in
 * registers; `volatile` inputs and the summed result stop the compiler from folding the loop. */
#define FMA_KERNEL(NAME, VT)                                                              \
    static float NAME(long iters, float mv, float cv)                                      \
    {                                                                                      \
        VT m = (VT){0} + mv, c = (VT){0} + cv, s;                                          \
        VT a0 = m, a1 = m + c, a2 = m - c, a3 = m + 2 * c, a4 = m - 2 * c, a5 = m + 3 * c;  \
        VT a6 = m - 3 * c, a7 = m + 4 * c, a8 = m - 4 * c, a9 = m + 5 * c;                 \
        VT a10 = m - 5 * c, a11 = m + 6 * c;                                               \
        long i;                                                                            \
        for (i = 0; i < iters; i++) {                                                      \
            a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;            \
            a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;            \
            a8 = a8 * m + c; a9 = a9 * m + c; a10 = a10 * m + c; a11 = a11 * m + c;        \
        }                                                                                  \
        s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                  \
        {                                                                                  \
            float r = 0;                                                                   \
            unsigned k;                                                                    \
            for (k = 0; k < sizeof(VT) / sizeof(float); k++)                               \
                r += s[k];                                                                 \
            return r;                                                                      \
        }                                                                                  \
    }

FMA_KERNEL(fma_v4, v4f)
FMA_KERNEL(fma_v8, v8f)
FMA_KERNEL(fma_v16, v16f)

static volatile float g_m = 0.9999999f, g_c = 1e-7f;
static volatile float g_sink;

/* Best GFLOP/s of `samples` timed calls of fn, each about sample_s seconds long. */
static double measure(float (*fn)(long, float, float), int lanes, int samples, double sample_s)
{
    long iters = 1000;
    double best = 0, t;
    int i;
    /* Calibrate: grow iters until one call takes at least sample_s. */
    for (;;) {
        t = now_s();
        g_sink = fn(iters, g_m, g_c);
        t = now_s() - t;
        if (t >= sample_s)
            break;
        iters = t > sample_s / 64 ? (long)((double)iters * sample_s / t * 1.05) : iters * 8;
    }
    for (i = 0; i < samples; i++) {
        double gflops;
        t = now_s();
        g_sink = fn(iters, g_m, g_c);
        t = now_s() - t;
        gflops = 2.0 * CHAINS * lanes * (double)iters / t * 1e-9;
        if (gflops > best)
            best = gflops;
    }
    return best;
}

int main(int argc, char **argv)
{
    double ms = argc > 1 ? atof(argv[1]) : 500; /* time budget per width, ms */
    const double sample_s = 0.001; /* short: likelier to run without losing the core */
    int samples = (int)(ms / 1e3 / sample_s);
    double g4, g8, g16, best;
    int width;
    if (samples < 20)
        samples = 20;
    g4 = measure(fma_v4, 4, samples, sample_s);
    g8 = measure(fma_v8, 8, samples, sample_s);
    g16 = measure(fma_v16, 16, samples, sample_s);
    printf("16-byte vectors: %.1f GFLOP/s\n", g4);
    printf("32-byte vectors: %.1f GFLOP/s\n", g8);
    printf("64-byte vectors: %.1f GFLOP/s\n", g16);
    best = g4, width = 16;
    if (g8 > best)
        best = g8, width = 32;
    if (g16 > best)
        best = g16, width = 64;
    printf("peak: %.1f GFLOP/s (%d-byte vectors)\n", best, width);
    return 0;
}
