/* fuzz_onnx.c — libFuzzer target: arbitrary bytes through the whole compiler.
 *
 * The bytes are a ModelProto; they go through fc_onnx_load_buffer, fc_infer, fc_verify, the -O2
 * pipeline (which verifies after every pass), the memory planner and the C emitter (to
 * /dev/null). Any of these may reject the model with an error; none may crash, leak, hang or
 * touch memory it does not own (ASan/UBSan), and a model that imports and infers must
 * verify: a verifier failure there is a fastc bug, so it aborts.
 * The model "lives" in a folder that does not exist, so external data never opens a file.
 * Built by -Dfuzz=true (libFuzzer) and, with tests/fuzz/replay.c, by every build to replay
 * tests/fuzz/regressions/onnx/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "emit_c.h"
#include "memory_plan.h"
#include "onnx_import.h"
#include "pass_manager.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void internal_error(const FcGraph *g, const char *stage)
{
    fprintf(stderr, "fuzz_onnx: %s: %s\n", stage, g->err);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    FcGraph *g = fc_onnx_load_buffer(data, size, "/nonexistent-fastc-fuzz/model.onnx", NULL, err,
                                     sizeof err);
    if (!g)
        return 0;
    FcPassOptions po;
    memset(&po, 0, sizeof po);
    po.level = g->opt_level = 2;
    if (fc_infer(g) == 0) {
        if (fc_verify(g))
            internal_error(g, "verify after infer");
        if (fc_run_passes(g, &po) != 0) {
            if (strstr(g->err, "verifier:"))
                internal_error(g, "passes");
        } else if (fc_plan_memory(g) == 0) {
            FcEmitOptions eo = {"model", "model.onnx", 1, NULL};
            FILE *f = fopen("/dev/null", "w");
            if (!f)
                abort();
            fc_emit_c(f, g, &eo);
            fclose(f);
        }
    }
    fc_graph_free(g);
    return 0;
}
