/* fuzz_onnx.c — libFuzzer target: arbitrary bytes through the whole compiler, and every kernel.
 *
 * The bytes are a ModelProto; they go through fc_onnx_load_buffer, fc_infer, fc_verify, the -O2
 * pipeline (which verifies after every pass), the memory planner and the C emitter (to
 * /dev/null). Any of these may reject the model with an error; none may crash, leak, hang or
 * touch memory it does not own (ASan/UBSan), and a model that imports and infers must
 * verify: a verifier failure there is a fastc bug, so it aborts.
 * Then the model is loaded once more with its inputs turned into constants and float folding
 * on, so that inference runs every node's runtime kernel at compile time (run_kernels): a
 * kernel that overruns a tensor for some shape or attribute its prepare function accepted is
 * caught too (the arena poisons what it has not handed out under ASan, ir/graph.c).
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

static FcGraph *load(const uint8_t *data, size_t size)
{
    char err[1024];
    return fc_onnx_load_buffer(data, size, "/nonexistent-fastc-fuzz/model.onnx", NULL, err,
                               sizeof err);
}

/* Inputs become constants holding -2, -1, 0, 1, 2, -2, ... (small: valid as indices of most
 * small axes, and negative ones too). Models whose inputs exceed 64 KiB are skipped: a 760 KB
 * input to a ConvTranspose with a 25k-float kernel is 5e9 multiply-adds (libFuzzer timeout). */
static void run_kernels(const uint8_t *data, size_t size)
{
    FcGraph *g = load(data, size);
    if (!g)
        return;
    size_t total = 0;
    for (int i = 0; i < g->ninputs; i++)
        total += fc_value_bytes(fc_val(g, g->inputs[i]));
    if (total <= (64u << 10)) {
        for (int i = 0; i < g->ninputs; i++) {
            FcValue *v = fc_val(g, g->inputs[i]);
            if (v->kind == FC_VAL_CONST)
                continue; /* already fixed */
            v->kind = FC_VAL_CONST;
            v->data = fc_arena_alloc(&g->arena, fc_value_bytes(v) + 1);
            for (int64_t k = 0; k < fc_value_numel(v); k++)
                fc_rt_set_i64(v->data, v->dtype, k, k % 5 - 2);
        }
        g->fold_floats = 1;
        fc_infer(g);
    }
    fc_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FcGraph *g = load(data, size);
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
            FcEmitOptions eo = {"model", "model.onnx", 1, NULL, 0, NULL, 0, 0};
            FILE *f = fopen("/dev/null", "w");
            if (!f)
                abort();
            fc_emit_c(f, g, &eo);
            fclose(f);
        }
    }
    fc_graph_free(g);
    run_kernels(data, size);
    return 0;
}
