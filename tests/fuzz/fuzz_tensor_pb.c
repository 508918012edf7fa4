/* fuzz_tensor_pb.c — libFuzzer target: the emitted program's input reader.
 *
 * runtime/fc_main.c is the main() pasted into every generated program; its TensorProto reader
 * parses untrusted files. This target includes the reader part (FC_MAIN_READER_ONLY) and
 * feeds it bytes as the contents of an input file for one of a few model inputs: the first
 * byte picks the input's dtype/shape and whether the file is a .pb or a raw .bin. The reader
 * must either reject the file (one line on stderr) or return a buffer of exactly the input's
 * size; ASan checks it never reads outside the file. Replayed on
 * tests/fuzz/regressions/tensor_pb/ by every build (tests/fuzz/replay.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "fc_rt.h"

/* What the emitter defines before pasting fc_main.c. */
typedef struct FcRtIoInfo {
    const char *name;
    int32_t dtype;
    int32_t rank;
    int64_t dims[8];
} FcRtIoInfo;

/* The reader's one-line errors go to a sink: they are expected, and millions of them would
 * bury libFuzzer's own report. */
static FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (!sink && !(sink = fopen("/dev/null", "w")))
        abort();
    return sink;
}
#undef stderr
#define stderr fuzz_sink()

#define FC_MAIN_READER_ONLY
#include "fc_main.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const FcRtIoInfo inputs[] = {
    {"image", FC_DT_F32, 4, {1, 1, 4, 4}},
    {"ids", FC_DT_I64, 2, {2, 3}},
    {"mask", FC_DT_BOOL, 1, {5}},
    {"scalar", FC_DT_F64, 0, {0}},
    {"empty", FC_DT_I32, 2, {3, 0}},
    {"half", FC_DT_F16, 1, {3}},
    {"bytes", FC_DT_U8, 3, {2, 2, 2}},
    {"wide", FC_DT_U64, 1, {2}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = sizeof inputs / sizeof inputs[0];
    if (size < 1)
        return 0;
    const FcRtIoInfo *io = &inputs[data[0] % n];
    const char *path = data[0] / n % 2 ? "input.bin" : "input.pb";
    /* A private copy of exactly size-1 bytes, so ASan sees any read past the file's end. */
    size_t len = size - 1;
    unsigned char *file = malloc(len ? len : 1);
    if (!file)
        abort();
    memcpy(file, data + 1, len);
    void *dst = fc_main_decode_input(path, file, len, io);
    if (dst) {
        /* Touch every byte: the buffer must hold the whole input (ASan/MSan see short ones). */
        size_t bytes = (size_t)fc_main_numel(io) * fc_rt_dtype_size(io->dtype), i;
        unsigned sum = 0;
        for (i = 0; i < bytes; i++)
            sum += ((unsigned char *)dst)[i];
        if (sum == 0xFFFFFFFFu)
            fputc(0, stderr);
    }
    free(dst);
    free(file);
    (void)fc_main_load_input;
    return 0;
}
