/* fc_main.c — the main() fastc appends to a generated model (left out with --no-main).
 *
 *   ./model [-d DIR] [--bench N] [--quiet] INPUT...
 *
 * The K-th INPUT feeds the K-th model input: an ONNX TensorProto file (.pb) whose dtype and
 * shape must match exactly, or raw little-endian bytes (.bin) whose size must match. Each
 * output is written to DIR/output_K.pb (TensorProto: name, dims, data_type, raw_data), and
 * its name, shape and first values are printed. --bench N times N runs after one warm-up and
 * prints min/median/max latency. The model itself comes from macros the emitter defines:
 * FC_MODEL_NUM_INPUTS, FC_MODEL_INPUTS (FcRtIoInfo[]), ..., FC_MODEL_RUN(inputs, outputs), and
 * with fastc --weights FC_MODEL_LOAD_WEIGHTS(path) and FC_MODEL_WEIGHTS_FILE (its default).
 * Every read is bounds-checked: input files are untrusted. Built with -DFC_MAIN_CHECK_INPUTS,
 * the program also fails (exit 1) if the run wrote into one of its inputs. */
#include "fc_rt.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- a minimal protobuf reader for TensorProto ------------------------------------------- */

typedef struct FcPbTensor {
    int32_t dtype;
    int32_t rank;
    int64_t dims[FC_MAX_RANK];
    const unsigned char *raw;     /* raw_data, or NULL */
    size_t raw_len;
    const unsigned char *packed;  /* a typed field (float_data, int32_data, ...) */
    size_t packed_len;
    int packed_field;
} FcPbTensor;

/* Reads a varint; returns 0 on truncation or overlong encoding. */
static int fc_pb_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t x = 0;
    int shift = 0;
    while (*p < end && shift < 64) {
        unsigned char c = *(*p)++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 1;
        }
        shift += 7;
    }
    return 0;
}

static int fc_pb_skip(const unsigned char **p, const unsigned char *end, int wire)
{
    uint64_t v;
    switch (wire) {
    case 0: return fc_pb_varint(p, end, &v);
    case 1: if (end - *p < 8) return 0; *p += 8; return 1;
    case 5: if (end - *p < 4) return 0; *p += 4; return 1;
    case 2:
        if (!fc_pb_varint(p, end, &v) || v > (uint64_t)(end - *p))
            return 0;
        *p += v;
        return 1;
    default: return 0;
    }
}

static int fc_pb_parse_tensor(const unsigned char *buf, size_t len, FcPbTensor *t)
{
    const unsigned char *p = buf, *end = buf + len;
    memset(t, 0, sizeof(*t));
    while (p < end) {
        uint64_t key, v;
        if (!fc_pb_varint(&p, end, &key))
            return 0;
        int field = (int)(key >> 3), wire = (int)(key & 7);
        if (field == 1 && wire == 0) {          /* dims, unpacked */
            if (!fc_pb_varint(&p, end, &v) || t->rank >= FC_MAX_RANK)
                return 0;
            t->dims[t->rank++] = (int64_t)v;
        } else if (field == 1 && wire == 2) {   /* dims, packed */
            const unsigned char *q;
            if (!fc_pb_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return 0;
            q = p;
            p += v;
            while (q < p) {
                if (!fc_pb_varint(&q, p, &v) || t->rank >= FC_MAX_RANK)
                    return 0;
                t->dims[t->rank++] = (int64_t)v;
            }
        } else if (field == 2 && wire == 0) {
            if (!fc_pb_varint(&p, end, &v))
                return 0;
            t->dtype = (int32_t)v;
        } else if (wire == 2 && (field == 9 || field == 4 || field == 5 || field == 7 ||
                                 field == 10 || field == 11)) {
            if (!fc_pb_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return 0;
            if (field == 9) {
                t->raw = p;
                t->raw_len = (size_t)v;
            } else {
                t->packed = p;
                t->packed_len = (size_t)v;
                t->packed_field = field;
            }
            p += v;
        } else if (!fc_pb_skip(&p, end, wire)) {
            return 0;
        }
    }
    return 1;
}

/* Decodes a packed typed field into dst (numel elements of dtype); 0 if the count differs. */
static int fc_pb_unpack(const FcPbTensor *t, void *dst, int64_t numel)
{
    const unsigned char *p = t->packed, *end = t->packed + t->packed_len;
    int64_t i = 0;
    /* The one field ONNX keeps each dtype's values in: values in another field (float bits
     * read as int32, an int64_data for float16, ...) would give wrong numbers, or none. */
    int field = t->dtype == FC_DT_F32 ? 4 : t->dtype == FC_DT_F64 ? 10 :
                t->dtype == FC_DT_I64 ? 7 : t->dtype == FC_DT_U32 || t->dtype == FC_DT_U64 ? 11 : 5;
    if (t->packed_field != field)
        return 0;
    if (field == 4 || field == 10) {  /* float_data / double_data */
        if (t->packed_len != (size_t)numel * fc_rt_dtype_size(t->dtype))
            return 0;
        memcpy(dst, p, t->packed_len);
        return 1;
    }
    for (; p < end; i++) {
        uint64_t v;
        if (!fc_pb_varint(&p, end, &v) || i >= numel)
            return 0;
        if (t->dtype == FC_DT_F16) /* int32_data holds float16 bit patterns */
            ((uint16_t *)dst)[i] = (uint16_t)v;
        else
            fc_rt_set_i64(dst, t->dtype, i, (int64_t)v);
    }
    return i == numel;
}

/* ---- files -------------------------------------------------------------------------------- */

static unsigned char *fc_main_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (unsigned char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int fc_main_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int64_t fc_main_numel(const FcRtIoInfo *io)
{
    int64_t n = 1;
    int i;
    for (i = 0; i < io->rank; i++)
        n *= io->dims[i];
    return n;
}

static void fc_main_print_shape(FILE *f, int rank, const int64_t *dims)
{
    int i;
    fputc('[', f);
    for (i = 0; i < rank; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)dims[i]);
    fputc(']', f);
}

/* Decodes the `len` bytes of input file `path` (raw bytes if it ends in .bin, else a
 * TensorProto) into a fresh buffer for input `io`; prints a one-line error and returns NULL
 * on any mismatch. Never reads outside file[0, len). */
static void *fc_main_decode_input(const char *path, const unsigned char *file, size_t len,
                                  const FcRtIoInfo *io)
{
    size_t bytes = (size_t)fc_main_numel(io) * fc_rt_dtype_size(io->dtype);
    void *dst = malloc(bytes + 1);
    FcPbTensor t;
    int i;
    if (!dst) {
        fprintf(stderr, "%s: out of memory for input '%s'\n", path, io->name);
        return NULL;
    }
    if (fc_main_ends_with(path, ".bin")) {
        if (len != bytes) {
            fprintf(stderr, "%s: input '%s' needs %lu bytes, the file has %lu\n", path, io->name,
                    (unsigned long)bytes, (unsigned long)len);
            goto fail;
        }
        memcpy(dst, file, bytes);
        return dst;
    }
    if (!fc_pb_parse_tensor(file, len, &t)) {
        fprintf(stderr, "%s: not a valid TensorProto file\n", path);
        goto fail;
    }
    if (t.dtype != io->dtype) {
        fprintf(stderr, "%s: input '%s' has data type %d, the model needs %d\n", path, io->name,
                (int)t.dtype, (int)io->dtype);
        goto fail;
    }
    for (i = 0; i < io->rank && t.rank == io->rank; i++)
        if (t.dims[i] != io->dims[i])
            break;
    if (t.rank != io->rank || i != io->rank) {
        fprintf(stderr, "%s: input '%s' has shape ", path, io->name);
        fc_main_print_shape(stderr, t.rank, t.dims);
        fprintf(stderr, ", the model needs ");
        fc_main_print_shape(stderr, io->rank, io->dims);
        fprintf(stderr, "\n");
        goto fail;
    }
    if (t.raw) {
        if (t.raw_len != bytes) {
            fprintf(stderr, "%s: input '%s' raw_data has %lu bytes, needs %lu\n", path, io->name,
                    (unsigned long)t.raw_len, (unsigned long)bytes);
            goto fail;
        }
        memcpy(dst, t.raw, bytes);
    } else if (!t.packed ? bytes != 0 : !fc_pb_unpack(&t, dst, fc_main_numel(io))) {
        fprintf(stderr, "%s: input '%s' does not hold %lld values\n", path, io->name,
                (long long)fc_main_numel(io));
        goto fail;
    }
    return dst;
fail:
    free(dst);
    return NULL;
}

static void *fc_main_load_input(const char *path, const FcRtIoInfo *io)
{
    size_t len = 0;
    unsigned char *file = fc_main_read_file(path, &len);
    void *dst;
    if (!file) {
        fprintf(stderr, "%s: cannot read input file\n", path);
        return NULL;
    }
    dst = fc_main_decode_input(path, file, len, io);
    free(file);
    return dst;
}

/* The reader above is all tests/fuzz/fuzz_tensor_pb.c needs (it defines FC_MAIN_READER_ONLY
 * and includes this file); the rest is the program, which needs the model's macros. */
#ifndef FC_MAIN_READER_ONLY

static void fc_pb_put_varint(FILE *f, uint64_t v)
{
    while (v >= 0x80) {
        fputc((int)(v & 0x7f) | 0x80, f);
        v >>= 7;
    }
    fputc((int)v, f);
}

static int fc_main_write_output(const char *path, const FcRtIoInfo *io, const void *data)
{
    size_t bytes = (size_t)fc_main_numel(io) * fc_rt_dtype_size(io->dtype);
    FILE *f = fopen(path, "wb");
    int i;
    if (!f)
        return 0;
    for (i = 0; i < io->rank; i++) {
        fc_pb_put_varint(f, (1 << 3) | 0);
        fc_pb_put_varint(f, (uint64_t)io->dims[i]);
    }
    fc_pb_put_varint(f, (2 << 3) | 0);
    fc_pb_put_varint(f, (uint64_t)io->dtype);
    fc_pb_put_varint(f, (8 << 3) | 2);
    fc_pb_put_varint(f, strlen(io->name));
    fputs(io->name, f);
    fc_pb_put_varint(f, (9 << 3) | 2);
    fc_pb_put_varint(f, bytes);
    fwrite(data, 1, bytes, f);
    return fclose(f) == 0;
}

static void fc_main_summary(const FcRtIoInfo *io, const void *data)
{
    int64_t i, n = fc_main_numel(io);
    printf("%s: ", io->name);
    fc_main_print_shape(stdout, io->rank, io->dims);
    printf(" =");
    for (i = 0; i < n && i < 8; i++) {
        if (fc_rt_dtype_size(io->dtype) && (io->dtype == FC_DT_F32 || io->dtype == FC_DT_F64))
            printf(" %.6g", fc_rt_get_f64(data, io->dtype, i));
        else
            printf(" %lld", (long long)fc_rt_get_i64(data, io->dtype, i));
    }
    printf("%s\n", n > 8 ? " ..." : "");
}

/* ---- timing ----------------------------------------------------------------------------- */

static double fc_main_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int fc_main_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#ifdef FC_MODEL_NUM_NODES
static int fc_main_cmp_node(const void *a, const void *b)
{
    double x = FC_MODEL_NODE_MS[*(const int *)a], y = FC_MODEL_NODE_MS[*(const int *)b];
    return x > y ? -1 : x < y;
}

/* fastc --profile: the kernel calls that took the most time over the timed runs, then the
 * time per op type. Small nodes are left out of the first list but counted in the second. */
static void fc_main_print_profile(int runs, double total_ms)
{
    int *order = (int *)malloc(sizeof(int) * (size_t)(FC_MODEL_NUM_NODES + 1));
    const char *op[64];
    double op_ms[64], sum = 0, cum = 0;
    int i, j, nops = 0, calls[64];
    if (!order)
        return;
    for (i = 0; i < FC_MODEL_NUM_NODES; i++) {
        order[i] = i;
        sum += FC_MODEL_NODE_MS[i];
    }
    qsort(order, (size_t)FC_MODEL_NUM_NODES, sizeof(int), fc_main_cmp_node);
    printf("profile over %d runs: kernels %.3f ms of %.3f ms per run\n", runs, sum / runs,
           total_ms / runs);
    printf("  %4s %10s %6s %6s  %-22s %s\n", "node", "ms/run", "%", "cum%", "op", "name");
    for (i = 0; i < FC_MODEL_NUM_NODES && i < 40; i++) {
        int k = order[i];
        cum += FC_MODEL_NODE_MS[k];
        printf("  %4d %10.4f %6.2f %6.2f  %-22s %s\n", k, FC_MODEL_NODE_MS[k] / runs,
               100 * FC_MODEL_NODE_MS[k] / (sum > 0 ? sum : 1), 100 * cum / (sum > 0 ? sum : 1),
               FC_MODEL_NODE_INFO[k][0], FC_MODEL_NODE_INFO[k][1]);
    }
    free(order);
    for (i = 0; i < FC_MODEL_NUM_NODES; i++) {
        for (j = 0; j < nops && strcmp(op[j], FC_MODEL_NODE_INFO[i][0]) != 0; j++)
            ;
        if (j == nops && nops == 64)
            continue;
        if (j == nops) {
            op[nops] = FC_MODEL_NODE_INFO[i][0];
            op_ms[nops] = 0;
            calls[nops++] = 0;
        }
        op_ms[j] += FC_MODEL_NODE_MS[i];
        calls[j]++;
    }
    printf("  by op: %-22s %5s %10s %6s\n", "op", "nodes", "ms/run", "%");
    for (i = 0; i < nops; i++) { /* nops is small: selection sort by time */
        int best = i;
        for (j = i + 1; j < nops; j++)
            if (op_ms[j] > op_ms[best])
                best = j;
        printf("         %-22s %5d %10.4f %6.2f\n", op[best], calls[best], op_ms[best] / runs,
               100 * op_ms[best] / (sum > 0 ? sum : 1));
        op[best] = op[i], op_ms[best] = op_ms[i], calls[best] = calls[i];
    }
}
#endif

static void fc_main_bench(int runs, const void *const *in, void *const *out)
{
    double *ms = (double *)malloc(sizeof(double) * (size_t)runs), total = 0;
    int i;
    if (!ms)
        return;
    FC_MODEL_RUN(in, out); /* warm-up */
#ifdef FC_MODEL_NUM_NODES
    memset(FC_MODEL_NODE_MS, 0, sizeof(double) * (size_t)FC_MODEL_NUM_NODES);
#endif
    for (i = 0; i < runs; i++) {
        double t0 = fc_main_now_ms();
        FC_MODEL_RUN(in, out);
        ms[i] = fc_main_now_ms() - t0;
        total += ms[i];
    }
    qsort(ms, (size_t)runs, sizeof(double), fc_main_cmp_double);
    printf("latency over %d runs: min %.3f ms, median %.3f ms, max %.3f ms\n", runs, ms[0],
           ms[runs / 2], ms[runs - 1]);
#ifdef FC_MODEL_NUM_NODES
    fc_main_print_profile(runs, total);
#else
    (void)total;
#endif
    free(ms);
}

static int fc_main_usage(const char *prog)
{
#ifdef FC_MODEL_LOAD_WEIGHTS
    fprintf(stderr, "usage: %s [-d DIR] [--bench N] [--quiet] [--weights FILE] INPUT...\n"
            "  --weights FILE: the weights file fastc --weights wrote (default: %s, or that\n"
            "  name beside this program)\n", prog, FC_MODEL_WEIGHTS_FILE);
#endif
    fprintf(stderr, "usage: %s [-d DIR] [--bench N] [--quiet] INPUT...\n"
            "  %d inputs, each an ONNX TensorProto .pb file or raw .bin bytes, in order:\n",
            prog, FC_MODEL_NUM_INPUTS);
    {
        int i;
        for (i = 0; i < FC_MODEL_NUM_INPUTS; i++) {
            fprintf(stderr, "    %d: %s dtype %d ", i, FC_MODEL_INPUTS[i].name,
                    (int)FC_MODEL_INPUTS[i].dtype);
            fc_main_print_shape(stderr, FC_MODEL_INPUTS[i].rank, FC_MODEL_INPUTS[i].dims);
            fprintf(stderr, "\n");
        }
    }
    return 2;
}

#ifdef FC_MODEL_LOAD_WEIGHTS
/* Loads the weights from `path`, or when none was given from FC_MODEL_WEIGHTS_FILE as
 * written at compile time, then from that file name in the program's own directory. */
static int fc_main_load_weights(const char *prog, const char *path)
{
    static const char *const why[] = {"", "cannot read", "is not this model's weights file",
                                      "out of memory loading"};
    char beside[4096];
    const char *base = strrchr(FC_MODEL_WEIGHTS_FILE, '/'), *dir_end = strrchr(prog, '/');
    int rc;
    if (path)
        rc = FC_MODEL_LOAD_WEIGHTS(path);
    else if ((rc = FC_MODEL_LOAD_WEIGHTS(path = FC_MODEL_WEIGHTS_FILE)) == 1 && dir_end) {
        sprintf(beside, "%.*s/%.2000s", (int)(dir_end - prog < 2000 ? dir_end - prog : 2000),
                prog, base ? base + 1 : FC_MODEL_WEIGHTS_FILE);
        if ((rc = FC_MODEL_LOAD_WEIGHTS(beside)) != 1)
            path = beside;
    }
    if (rc != 0)
        fprintf(stderr, "%s: %s %s (give the file fastc --weights wrote with --weights FILE)\n",
                prog, why[rc >= 1 && rc <= 3 ? rc : 1], path);
    return rc == 0;
}
#endif

#ifdef FC_MAIN_CHECK_INPUTS
/* Built with -DFC_MAIN_CHECK_INPUTS (the conformance runner does): one run, then a check that
 * it left every input as it was. _run reads the inputs where the caller keeps them, so a
 * kernel that wrote one would change the caller's data. */
static int fc_main_run_checking_inputs(const char *prog, void *const *in, void *const *out)
{
    void *saved[256] = {0};
    int i, ok = 1;
    for (i = 0; ok && i < FC_MODEL_NUM_INPUTS; i++) {
        size_t bytes = (size_t)fc_main_numel(&FC_MODEL_INPUTS[i]) *
                       fc_rt_dtype_size(FC_MODEL_INPUTS[i].dtype);
        ok = (saved[i] = malloc(bytes + 1)) != NULL;
        if (ok)
            memcpy(saved[i], in[i], bytes);
    }
    if (ok && FC_MODEL_RUN((const void *const *)in, out) != 0) {
        fprintf(stderr, "%s: the model failed\n", prog);
        ok = 0;
    }
    for (i = 0; ok && i < FC_MODEL_NUM_INPUTS; i++)
        if (memcmp(saved[i], in[i], (size_t)fc_main_numel(&FC_MODEL_INPUTS[i]) *
                                        fc_rt_dtype_size(FC_MODEL_INPUTS[i].dtype)) != 0) {
            fprintf(stderr, "%s: the run wrote into input %d\n", prog, i);
            ok = 0;
        }
    for (i = 0; i < FC_MODEL_NUM_INPUTS; i++)
        free(saved[i]);
    return ok;
}
#endif

int main(int argc, char **argv)
{
    const char *dir = ".", *files[256];
#ifdef FC_MODEL_LOAD_WEIGHTS
    const char *weights = NULL;
#endif
    int nfiles = 0, bench = 0, quiet = 0, i, rc = 0, ok = 1;
    void *in[256] = {0}, *out[256] = {0};
    char path[4096];
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
            bench = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
#ifdef FC_MODEL_LOAD_WEIGHTS
        else if (strcmp(argv[i], "--weights") == 0 && i + 1 < argc)
            weights = argv[++i];
#endif
        else if (argv[i][0] == '-' && argv[i][1])
            return fc_main_usage(argv[0]);
        else if (nfiles < 256)
            files[nfiles++] = argv[i];
    }
    if (nfiles != FC_MODEL_NUM_INPUTS || FC_MODEL_NUM_INPUTS > 256 || FC_MODEL_NUM_OUTPUTS > 256) {
        fprintf(stderr, "%s: expected %d input files, got %d\n", argv[0], FC_MODEL_NUM_INPUTS,
                nfiles);
        return fc_main_usage(argv[0]);
    }
    /* Failures go on to the frees at the end: a bad third input must not leak the first two
     * (LeakSanitizer in tests/fuzz/run_sanitized.sh). */
#ifdef FC_MODEL_LOAD_WEIGHTS
    ok = fc_main_load_weights(argv[0], weights);
#endif
    for (i = 0; ok && i < FC_MODEL_NUM_INPUTS; i++)
        ok = (in[i] = fc_main_load_input(files[i], &FC_MODEL_INPUTS[i])) != NULL;
    for (i = 0; ok && i < FC_MODEL_NUM_OUTPUTS; i++) {
        size_t bytes = (size_t)fc_main_numel(&FC_MODEL_OUTPUTS[i]) *
                       fc_rt_dtype_size(FC_MODEL_OUTPUTS[i].dtype);
        if (!(out[i] = malloc(bytes + 1))) {
            fprintf(stderr, "%s: out of memory\n", argv[0]);
            ok = 0;
        }
    }
#ifdef FC_MAIN_CHECK_INPUTS
    ok = ok && fc_main_run_checking_inputs(argv[0], in, out);
#else
    if (ok && FC_MODEL_RUN((const void *const *)in, out) != 0) {
        fprintf(stderr, "%s: the model failed\n", argv[0]);
        ok = 0;
    }
#endif
    for (i = 0; ok && i < FC_MODEL_NUM_OUTPUTS; i++) {
        sprintf(path, "%.4000s/output_%d.pb", dir, i);
        if (!fc_main_write_output(path, &FC_MODEL_OUTPUTS[i], out[i])) {
            fprintf(stderr, "%s: cannot write %s\n", argv[0], path);
            rc = 1;
        }
        if (!quiet)
            fc_main_summary(&FC_MODEL_OUTPUTS[i], out[i]);
    }
    if (ok && bench > 0)
        fc_main_bench(bench, (const void *const *)in, out);
    for (i = 0; i < FC_MODEL_NUM_INPUTS; i++)
        free(in[i]);
    for (i = 0; i < FC_MODEL_NUM_OUTPUTS; i++)
        free(out[i]);
    return ok ? rc : 1;
}
#endif /* FC_MAIN_READER_ONLY */
