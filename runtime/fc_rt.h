/* fc_rt.h — the runtime ABI shared by fastc's kernels, the compiler and the emitted C.
 *
 * Every kernel has the same signature, `void fc_rt_<op>(const FcRtNode *n, FcRtTensor *t)`:
 * it reads its input tensors t[n->in[i]] and writes its outputs t[n->out[i]], whose dtype,
 * rank and dims were fixed at compile time. Op-specific parameters travel in two packed
 * arrays (integers `ia`, floats `fa`) whose layout each op documents beside its kernel.
 * The same kernels run inside the compiler (constant folding, shape computation) and in the
 * emitted program, so there is exactly one implementation of each op's arithmetic.
 *
 * This file is C99 and is pasted at the top of every emitted C file. Kernels never allocate:
 * a kernel that needs temporary memory gets `n->scratch` (size decided by the op's
 * compile-time prepare step). FC_RT marks kernel entry points: `static` in the emitted file
 * (so two models can be linked together), external inside the compiler.
 */
#ifndef FC_RT_H
#define FC_RT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <math.h>

#if defined(__GNUC__) || defined(__clang__)
#define FC_MAYBE_UNUSED __attribute__((unused))
#else
#define FC_MAYBE_UNUSED
#endif

/* AVX-512 with GCC / clang: the kernels' intrinsic paths (each has a portable one too). */
#if defined(__AVX512F__) && (defined(__GNUC__) || defined(__clang__))
#define FC_RT_AVX512 1
#include <immintrin.h>
#endif

#ifndef FC_RT
#define FC_RT static FC_MAYBE_UNUSED
#endif
#define FC_RT_HELPER static FC_MAYBE_UNUSED

#define FC_MAX_RANK 8

/* Threads: kernels with independent blocks of work run them in parallel with FC_RT_OMP_FOR_IF
 * (an OpenMP `parallel for` on FC_RT_THREADS threads) when the emitted C is built with
 * -fopenmp; otherwise the pragma compiles away and FC_RT_TID() is 0. The emitted file defines
 * FC_RT_THREADS (fastc --threads=N) before this header, and the compiler sized every kernel's
 * scratch memory for that many threads: thread FC_RT_TID() uses its own slice. */
#ifndef FC_RT_THREADS
#define FC_RT_THREADS 1
#endif
#if defined(_OPENMP) && FC_RT_THREADS > 1
#include <omp.h>
#define FC_RT_TID() omp_get_thread_num()
#define FC_RT_PRAGMA(x) _Pragma(#x)
/* FC_RT_OMP_FOR_IF(cond): parallel only when cond holds, i.e. when the loop's work is large
 * enough to repay starting the threads (tens of microseconds under load): small kernels run
 * on the calling thread. */
#define FC_RT_OMP_FOR_IF(cond)                                                              \
    FC_RT_PRAGMA(omp parallel for schedule(static) num_threads(FC_RT_THREADS) if(cond))
/* The same dealing the iterations out one at a time (thread t runs t, t + N, ...): for loops
 * over equal pieces but a short last one, where contiguous shares leave one thread with a
 * whole piece more (3 pieces on 2 threads: 2 and 1). */
#define FC_RT_OMP_FOR_CYCLIC_IF(cond)                                                       \
    FC_RT_PRAGMA(omp parallel for schedule(static, 1) num_threads(FC_RT_THREADS) if(cond))
#else
#define FC_RT_TID() 0
#define FC_RT_OMP_FOR_IF(cond)
#define FC_RT_OMP_FOR_CYCLIC_IF(cond)
#endif
/* Fused multiply-add in the GEMM inner loops. GCC in ISO C mode (-std=c99) never contracts
 * a*b + c into an FMA instruction (-ffp-contract=off), which halves the multiply-add
 * throughput of the micro-kernels; FC_RT_FMA_FN (GCC: a function attribute) and
 * FC_RT_FMA_BEGIN (clang: a pragma at the start of the function body) allow it where it
 * matters. Results may differ from unfused arithmetic in the last bit. */
#if defined(__clang__)
#define FC_RT_FMA_FN
#define FC_RT_FMA_BEGIN _Pragma("clang fp contract(fast)")
#elif defined(__GNUC__)
#define FC_RT_FMA_FN __attribute__((optimize("fp-contract=fast")))
#define FC_RT_FMA_BEGIN
#else
#define FC_RT_FMA_FN
#define FC_RT_FMA_BEGIN
#endif

/* Work (multiply-adds or elements) below which a kernel stays on one thread. */
#define FC_RT_PAR_MIN_WORK 65536

/* Rows of a strip of a GEMM A panel (k_gemm.c's FC_SG_MR_LCM): a multiple of every ISA's
 * micro-kernel height, so panels the compiler packs suit any target; kernels that split a
 * panel's rows between threads cut at multiples of it. */
#define FC_RT_A_STRIP 24

/* Element types use the ONNX TensorProto.DataType numbers. */
enum {
    FC_DT_UNDEF = 0,
    FC_DT_F32 = 1,
    FC_DT_U8 = 2,
    FC_DT_I8 = 3,
    FC_DT_U16 = 4,
    FC_DT_I16 = 5,
    FC_DT_I32 = 6,
    FC_DT_I64 = 7,
    FC_DT_STRING = 8,
    FC_DT_BOOL = 9,
    FC_DT_F16 = 10,
    FC_DT_F64 = 11,
    FC_DT_U32 = 12,
    FC_DT_U64 = 13
};

/* Activation epilogues of the fused GEMM kernels (FcLinear, FcConv {activation=...}). */
enum { FC_ACT_NONE = 0, FC_ACT_RELU = 1, FC_ACT_GELU_ERF = 2, FC_ACT_GELU_TANH = 3 };
/* The activations a program's fused kernels apply, bit a for FC_ACT a: the C emitter defines
 * it to those its graph's nodes name (their `activation` attribute), so the epilogues test it
 * first and cc builds no GELU for a graph without one; elsewhere every activation is there. */
#ifndef FC_RT_ACTS
#define FC_RT_ACTS 0xf
#endif
#define FC_RT_HAS_ACT(a) ((FC_RT_ACTS >> (a)) & 1)

typedef struct FcRtTensor {
    void *data;
    int32_t dtype;
    int32_t rank;
    int64_t dims[FC_MAX_RANK];
} FcRtTensor;

typedef struct FcRtNode {
    int32_t nin, nout;
    const int32_t *in;  /* tensor-table indices; -1 marks an absent optional input */
    const int32_t *out;
    int32_t nia, nfa;
    const int64_t *ia;  /* packed integer parameters, layout per op */
    const float *fa;    /* packed float parameters, layout per op */
    void *scratch;      /* temporary memory, size chosen at compile time */
} FcRtNode;

typedef void (*FcRtKernel)(const FcRtNode *n, FcRtTensor *t);

FC_RT_HELPER int64_t fc_rt_numel(const FcRtTensor *x)
{
    int64_t n = 1;
    int32_t i;
    for (i = 0; i < x->rank; i++)
        n *= x->dims[i];
    return n;
}

FC_RT_HELPER size_t fc_rt_dtype_size(int32_t dt)
{
    switch (dt) {
    case FC_DT_F32: case FC_DT_I32: case FC_DT_U32: return 4;
    case FC_DT_U8: case FC_DT_I8: case FC_DT_BOOL: return 1;
    case FC_DT_U16: case FC_DT_I16: case FC_DT_F16: return 2;
    case FC_DT_I64: case FC_DT_F64: case FC_DT_U64: return 8;
    default: return 0;
    }
}

/* The input / output tensors of a node; fc_rt_opt_in returns NULL for an absent input. */
FC_RT_HELPER FcRtTensor *fc_rt_in(const FcRtNode *n, FcRtTensor *t, int i)
{
    return &t[n->in[i]];
}

FC_RT_HELPER FcRtTensor *fc_rt_opt_in(const FcRtNode *n, FcRtTensor *t, int i)
{
    return (i < n->nin && n->in[i] >= 0) ? &t[n->in[i]] : NULL;
}

FC_RT_HELPER FcRtTensor *fc_rt_out(const FcRtNode *n, FcRtTensor *t, int i)
{
    return &t[n->out[i]];
}

/* Row-major strides of `x`, in elements. */
FC_RT_HELPER void fc_rt_strides(const FcRtTensor *x, int64_t *strides)
{
    int64_t s = 1;
    int32_t i;
    for (i = x->rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= x->dims[i];
    }
}

/* Strides of `x` when numpy-broadcast to the `rank`-dimensional shape `dims`
 * (right-aligned; a broadcast axis gets stride 0). */
FC_RT_HELPER void fc_rt_bcast_strides(const FcRtTensor *x, int32_t rank, const int64_t *dims,
                                      int64_t *strides)
{
    int64_t own[FC_MAX_RANK];
    int32_t i, off = rank - x->rank;
    fc_rt_strides(x, own);
    for (i = 0; i < rank; i++) {
        int32_t j = i - off;
        strides[i] = (j < 0 || x->dims[j] == 1 || dims[i] == 1) ? 0 : own[j];
    }
}

/* Reads element `i` of a tensor of any numeric dtype as double / int64. */
FC_RT_HELPER double fc_rt_get_f64(const void *data, int32_t dt, int64_t i)
{
    switch (dt) {
    case FC_DT_F32: return ((const float *)data)[i];
    case FC_DT_F64: return ((const double *)data)[i];
    case FC_DT_I8: return ((const int8_t *)data)[i];
    case FC_DT_U8: case FC_DT_BOOL: return ((const uint8_t *)data)[i];
    case FC_DT_I16: return ((const int16_t *)data)[i];
    case FC_DT_U16: return ((const uint16_t *)data)[i];
    case FC_DT_I32: return ((const int32_t *)data)[i];
    case FC_DT_U32: return ((const uint32_t *)data)[i];
    case FC_DT_I64: return (double)((const int64_t *)data)[i];
    case FC_DT_U64: return (double)((const uint64_t *)data)[i];
    default: return 0.0;
    }
}

FC_RT_HELPER int64_t fc_rt_get_i64(const void *data, int32_t dt, int64_t i)
{
    switch (dt) {
    case FC_DT_I64: return ((const int64_t *)data)[i];
    case FC_DT_U64: return (int64_t)((const uint64_t *)data)[i];
    case FC_DT_I32: return ((const int32_t *)data)[i];
    case FC_DT_U32: return ((const uint32_t *)data)[i];
    case FC_DT_I16: return ((const int16_t *)data)[i];
    case FC_DT_U16: return ((const uint16_t *)data)[i];
    case FC_DT_I8: return ((const int8_t *)data)[i];
    case FC_DT_U8: case FC_DT_BOOL: return ((const uint8_t *)data)[i];
    case FC_DT_F32: return (int64_t)((const float *)data)[i];
    case FC_DT_F64: return (int64_t)((const double *)data)[i];
    default: return 0;
    }
}

/* Writes element `i` of a tensor of any numeric dtype (C conversion semantics). */
FC_RT_HELPER void fc_rt_set_f64(void *data, int32_t dt, int64_t i, double v)
{
    switch (dt) {
    case FC_DT_F32: ((float *)data)[i] = (float)v; break;
    case FC_DT_F64: ((double *)data)[i] = v; break;
    case FC_DT_I8: ((int8_t *)data)[i] = (int8_t)v; break;
    case FC_DT_U8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case FC_DT_BOOL: ((uint8_t *)data)[i] = (uint8_t)(v != 0.0); break;
    case FC_DT_I16: ((int16_t *)data)[i] = (int16_t)v; break;
    case FC_DT_U16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case FC_DT_I32: ((int32_t *)data)[i] = (int32_t)v; break;
    case FC_DT_U32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    case FC_DT_I64: ((int64_t *)data)[i] = (int64_t)v; break;
    case FC_DT_U64: ((uint64_t *)data)[i] = (uint64_t)v; break;
    default: break;
    }
}

FC_RT_HELPER void fc_rt_set_i64(void *data, int32_t dt, int64_t i, int64_t v)
{
    switch (dt) {
    case FC_DT_I64: ((int64_t *)data)[i] = v; break;
    case FC_DT_U64: ((uint64_t *)data)[i] = (uint64_t)v; break;
    case FC_DT_I32: ((int32_t *)data)[i] = (int32_t)v; break;
    case FC_DT_U32: ((uint32_t *)data)[i] = (uint32_t)v; break;
    case FC_DT_I16: ((int16_t *)data)[i] = (int16_t)v; break;
    case FC_DT_U16: ((uint16_t *)data)[i] = (uint16_t)v; break;
    case FC_DT_I8: ((int8_t *)data)[i] = (int8_t)v; break;
    case FC_DT_U8: ((uint8_t *)data)[i] = (uint8_t)v; break;
    case FC_DT_BOOL: ((uint8_t *)data)[i] = (uint8_t)(v != 0); break;
    case FC_DT_F32: ((float *)data)[i] = (float)v; break;
    case FC_DT_F64: ((double *)data)[i] = (double)v; break;
    default: break;
    }
}

#endif /* FC_RT_H */
