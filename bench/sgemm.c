/* sgemm.c — the runtime's SGEMM (runtime/k_gemm.c, one thread) on large square products and
 * on the shapes of the bench models' biggest layers, for bench/run.sh:
 *
 *   cc -O3 -march=native -std=c99 -Iruntime bench/sgemm.c -o sgemm -lm && ./sgemm
 *
 * Each shape runs fc_rt_sgemm (C = A x B, both row-major, B packed at every call as in a Conv
 * or MatMul with a run-time operand) and, for the FcLinear shapes, fc_rt_sgemm_prepacked with
 * B packed once beforehand as fastc does at compile time. Best of many repetitions (so a
 * repetition that lost the core does not count); one line per product:
 *   sgemm MxNxK [prepacked]: X GFLOP/s
 * counting 2 FLOP per multiply-add. Not a test: it asserts nothing about speed. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "fc_rt.h"
#include "k_gemm.c"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *filled(int64_t n, int seed)
{
    float *p = (float *)malloc(sizeof(float) * (size_t)n);
    int64_t i;
    for (i = 0; p && i < n; i++)
        p[i] = (float)((i * 7 + seed) % 13) * 0.05f - 0.3f;
    return p;
}

/* Best time of repeated products lasting about `budget` seconds in all. */
static double best_time(int64_t M, int64_t N, int64_t K, int prepacked, double budget)
{
    float *A = filled(M * K, 1), *B = filled(K * N, 2), *C = filled(M * N, 3);
    float *W = filled(fc_rt_sgemm_work(M, N, K) + 64, 4);
    float *Bp = filled(fc_rt_sgemm_prepacked_floats(K, N), 5);
    double best = 1e30, start = now_s();
    int r;
    if (!A || !B || !C || !W || !Bp) {
        fprintf(stderr, "sgemm: out of memory\n");
        exit(1);
    }
    fc_rt_sgemm_prepack(K, N, B, Bp);
    for (r = 0; r < 3 || now_s() - start < budget; r++) {
        double t = now_s();
        if (prepacked)
            fc_rt_sgemm_prepacked(M, N, K, A, K, Bp, C, N, W);
        else
            fc_rt_sgemm(M, N, K, 1.0f, A, K, 0, B, N, 0, 0.0f, C, N, W);
        t = now_s() - t;
        if (t < best)
            best = t;
    }
    free(A);
    free(B);
    free(C);
    free(W);
    free(Bp);
    return best;
}

int main(void)
{
    /* square products, then bert_mini's FFN and merged QKV at 128 tokens, and the batched
     * MLP's hidden layer */
    static const int64_t shapes[][4] = {{256, 256, 256, 0},  {512, 512, 512, 0},
                                        {1024, 1024, 1024, 0}, {128, 1024, 256, 1},
                                        {128, 256, 1024, 1},   {128, 768, 256, 1},
                                        {64, 512, 512, 1}};
    size_t s;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        int p;
        for (p = 0; p <= (int)shapes[s][3]; p++) {
            double t = best_time(M, N, K, p, 0.3);
            printf("sgemm %lldx%lldx%lld%s: %.1f GFLOP/s\n", (long long)M, (long long)N,
                   (long long)K, p ? " prepacked" : "", 2.0 * (double)(M * N * K) / t * 1e-9);
        }
    }
    return 0;
}
