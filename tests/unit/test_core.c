/* test_core.c — unit tests of the compiler core: importer, verifier, printer, memory planner
 * and emitter, on the small models of tests/bad/ and hand-built graphs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "emit_c.h"
#include "memory_plan.h"
#include "onnx_import.h"
#include "print.h"
#include "verify.h"

#define DATA(name) FC_TEST_DATA "/" name

static FcGraph *load(const char *path, const FcImportOptions *opt, char *err)
{
    return fc_onnx_load(path, opt, err, 1024);
}

static char *print_to_string(const FcGraph *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fc_print_graph(f, g);
    fclose(f);
    return buf;
}

static void test_import_relu(void **state)
{
    (void)state;
    char err[1024];
    FcGraph *g = load(DATA("good_relu.onnx"), NULL, err);
    assert_non_null(g);
    assert_int_equal(g->opset, 13);
    assert_int_equal(g->ninputs, 1);
    assert_int_equal(g->noutputs, 1);
    FcValue *x = fc_val(g, g->inputs[0]);
    assert_string_equal(x->name, "x");
    assert_int_equal(x->dtype, FC_DT_F32);
    assert_int_equal(x->rank, 2);
    assert_int_equal(x->dims[0], 2);
    assert_int_equal(x->dims[1], 3);
    assert_int_equal(g->top.nnodes, 1);
    assert_int_equal(g->top.nodes[0]->op, FC_OP_RELU);
    assert_string_equal(g->top.nodes[0]->name, "relu1");
    fc_graph_free(g);
}

static void test_import_symbolic_dim_needs_value(void **state)
{
    (void)state;
    char err[1024];
    assert_null(load(DATA("symbolic_dim.onnx"), NULL, err));
    assert_non_null(strstr(err, "symbolic dimension 'batch'"));

    FcDimOverride d = {"batch", 5};
    FcImportOptions o = {NULL, 0, &d, 1, NULL, 0};
    FcGraph *g = load(DATA("symbolic_dim.onnx"), &o, err);
    assert_non_null(g);
    assert_int_equal(fc_val(g, g->inputs[0])->dims[0], 5);
    fc_graph_free(g);

    FcShapeOverride s = {"@0", 2, {7, 3}};
    FcImportOptions o2 = {&s, 1, NULL, 0, NULL, 0};
    g = load(DATA("symbolic_dim.onnx"), &o2, err);
    assert_non_null(g);
    assert_int_equal(fc_val(g, g->inputs[0])->dims[0], 7);
    fc_graph_free(g);
}

static void test_import_missing_file(void **state)
{
    (void)state;
    char err[1024];
    assert_null(load(DATA("no_such_model.onnx"), NULL, err));
    assert_non_null(strstr(err, "no_such_model.onnx: cannot read the file"));
}

/* x -> Relu -> Neg -> y, built by hand. */
static FcGraph *chain_graph(void)
{
    FcGraph *g = fc_graph_new("chain");
    g->opset = 13;
    int x = fc_value_new(g, "x"), a = fc_value_new(g, "a"), y = fc_value_new(g, "y");
    FcValue *vx = fc_val(g, x);
    vx->kind = FC_VAL_INPUT;
    vx->dtype = FC_DT_F32;
    vx->rank = 1;
    vx->dims[0] = 4;
    g->inputs = fc_arena_alloc(&g->arena, sizeof(int));
    g->inputs[0] = x;
    g->ninputs = 1;
    FcNode *n1 = fc_node_new(g, FC_OP_RELU, "r", 1, 1);
    n1->in[0] = x;
    n1->out[0] = a;
    FcNode *n2 = fc_node_new(g, FC_OP_NEG, "n", 1, 1);
    n2->in[0] = a;
    n2->out[0] = y;
    fc_block_append(g, &g->top, n1);
    fc_block_append(g, &g->top, n2);
    g->outputs = fc_arena_alloc(&g->arena, sizeof(int));
    g->outputs[0] = y;
    g->noutputs = 1;
    fc_val(g, y)->is_output = 1;
    return g;
}

static void test_infer_and_print(void **state)
{
    (void)state;
    FcGraph *g = chain_graph();
    assert_int_equal(fc_infer(g), 0);
    char *text = print_to_string(g);
    assert_string_equal(text, "// fastc IR, ai.onnx opset 13\n"
                              "input %0:f32[4]  # x\n"
                              "%1:f32[4] = Relu(%0)  # r\n"
                              "%2:f32[4] = Neg(%1)  # n\n"
                              "output %2  # y\n");
    free(text);
    assert_int_equal(fc_verify(g), 0);
    fc_graph_free(g);
}

static void test_verify_use_before_def(void **state)
{
    (void)state;
    FcGraph *g = chain_graph();
    assert_int_equal(fc_infer(g), 0);
    FcNode *t = g->top.nodes[0];
    g->top.nodes[0] = g->top.nodes[1];
    g->top.nodes[1] = t;
    assert_int_equal(fc_verify(g), -1);
    assert_non_null(strstr(g->err, "node 'n' (Neg): verifier: input 0 ('a') is used before it is "
                               "defined"));
    fc_graph_free(g);
}

static void test_memory_plan_reuses_dead_buffers(void **state)
{
    (void)state;
    /* x -> Relu -> Neg -> Relu -> Neg. */
    FcGraph *g = chain_graph();
    int c = fc_value_new(g, "c"), d = fc_value_new(g, "d");
    FcNode *n3 = fc_node_new(g, FC_OP_RELU, "r2", 1, 1);
    n3->in[0] = g->outputs[0];
    n3->out[0] = c;
    FcNode *n4 = fc_node_new(g, FC_OP_NEG, "n2", 1, 1);
    n4->in[0] = c;
    n4->out[0] = d;
    fc_block_append(g, &g->top, n3);
    fc_block_append(g, &g->top, n4);
    fc_val(g, g->outputs[0])->is_output = 0;
    g->outputs[0] = d;
    assert_int_equal(fc_infer(g), 0);
    assert_int_equal(fc_plan_memory(g), 0);
    /* Each elementwise node's input dies at that node, so every result is written in place
     * over its input -- except over the graph input, which stays in the caller's buffer (no
     * arena bytes): one 64-byte slot serves the rest of the chain. The graph output is
     * written into the caller's buffer too (caller_out: no arena bytes, no copy out). */
    assert_int_equal(fc_val(g, g->inputs[0])->offset, -1);
    int64_t x = fc_val(g, 1)->offset;
    assert_true(x >= 0);
    assert_int_equal(fc_val(g, 2)->offset, x);
    assert_int_equal(fc_val(g, c)->offset, x);
    assert_true(fc_val(g, d)->caller_out);
    assert_int_equal(fc_val(g, d)->offset, -1);
    assert_int_equal(g->arena_bytes, FC_ARENA_ALIGN);
    fc_graph_free(g);
}

/* Outputs the kernels cannot write into the caller's buffer stay in the arena and are copied
 * out: one listed twice (two buffers to fill), a graph input passed through, and an output
 * whose value a later node reads keeps its bytes (no in-place result over it). */
static void test_memory_plan_caller_outputs(void **state)
{
    (void)state;
    FcGraph *g = chain_graph(); /* x -> Relu -> a -> Neg -> y */
    int y = g->outputs[0];
    int *outs = fc_arena_alloc(&g->arena, 3 * sizeof(int));
    outs[0] = y;
    outs[1] = y;
    outs[2] = g->inputs[0];
    g->outputs = outs;
    g->noutputs = 3;
    fc_val(g, g->inputs[0])->is_output = 1;
    assert_int_equal(fc_infer(g), 0);
    assert_int_equal(fc_plan_memory(g), 0);
    assert_false(fc_val(g, y)->caller_out);
    assert_true(fc_val(g, y)->offset >= 0);
    assert_false(fc_val(g, g->inputs[0])->caller_out);
    fc_graph_free(g);

    g = chain_graph(); /* outputs a (read by Neg next) and y */
    int a = 1, *two = fc_arena_alloc(&g->arena, 2 * sizeof(int));
    two[0] = a;
    two[1] = g->outputs[0];
    g->outputs = two;
    g->noutputs = 2;
    fc_val(g, a)->is_output = 1;
    assert_int_equal(fc_infer(g), 0);
    assert_int_equal(fc_plan_memory(g), 0);
    assert_true(fc_val(g, a)->caller_out && fc_val(g, two[1])->caller_out);
    assert_int_equal(fc_val(g, a)->offset, -1);
    assert_int_equal(fc_val(g, two[1])->offset, -1);
    fc_graph_free(g);
}

/* A value read by two nodes is not overwritten by the first: Add(a, a) reads a twice, and
 * Neg's result must not land on a while Add still needs it. */
static void test_memory_plan_keeps_shared_inputs(void **state)
{
    (void)state;
    FcGraph *g = chain_graph(); /* x -> Relu -> a -> Neg -> y */
    int s = fc_value_new(g, "s");
    FcNode *add = fc_node_new(g, FC_OP_ADD, "add", 2, 1);
    add->in[0] = 1; /* a */
    add->in[1] = g->outputs[0];
    add->out[0] = s;
    fc_block_append(g, &g->top, add);
    fc_val(g, g->outputs[0])->is_output = 0;
    g->outputs[0] = s;
    assert_int_equal(fc_infer(g), 0);
    assert_int_equal(fc_plan_memory(g), 0);
    /* a is alive until Add, so Neg (which reads a) cannot write over it. */
    assert_true(fc_val(g, 2)->offset != fc_val(g, 1)->offset);
    fc_graph_free(g);
}

static void test_emit_contains_run(void **state)
{
    (void)state;
    FcGraph *g = chain_graph();
    assert_int_equal(fc_infer(g), 0);
    assert_int_equal(fc_plan_memory(g), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FcEmitOptions eo = {"net", "chain", 0, NULL, 0, NULL, 0, 0};
    assert_int_equal(fc_emit_c(f, g, &eo), 0);
    fclose(f);
    assert_non_null(strstr(buf, "int net_run(const float *x_in0, float *y_out0)"));
    assert_non_null(strstr(buf, "fc_rt_unary(&net_nodes[0], net_t);"));
    /* the output is written where the caller keeps it: no copy out */
    assert_non_null(strstr(buf, "net_t[2].data = (void *)(y_out0);"));
    assert_null(strstr(buf, "memcpy(y_out0"));
    assert_null(strstr(buf, "int main("));
    free(buf);
    fc_graph_free(g);
}

void fc_rt_weight_decode(const char *text, int64_t nchars, unsigned char *out);
char fc_rt_weight_char(unsigned d);

/* The weight text code: every digit maps to a distinct printable character that is safe in a
 * C string (no quote, backslash or '?'), and decoding inverts the emitter's encoding of
 * 4-byte groups, extremes included. */
static void test_weight_text_decodes(void **state)
{
    (void)state;
    int seen[128] = {0};
    for (unsigned d = 0; d < 85; d++) {
        char c = fc_rt_weight_char(d);
        assert_true(c > ' ' && c < 127 && c != '"' && c != '\\' && c != '?');
        assert_int_equal(seen[(int)c]++, 0);
    }
    const unsigned char bytes[12] = {0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'f', 'a', 's', 't'};
    char text[16];
    for (int g = 0; g < 3; g++) { /* encode as codegen/emit_c.c does */
        uint32_t v = (uint32_t)bytes[4 * g] << 24 | (uint32_t)bytes[4 * g + 1] << 16 |
                     (uint32_t)bytes[4 * g + 2] << 8 | bytes[4 * g + 3];
        for (int k = 4; k >= 0; k--, v /= 85u)
            text[5 * g + k] = fc_rt_weight_char(v % 85u);
    }
    assert_memory_equal(text, "!!!!!", 5);
    unsigned char out[12] = {0};
    fc_rt_weight_decode(text, 15, out);
    assert_memory_equal(out, bytes, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_relu),
        cmocka_unit_test(test_import_symbolic_dim_needs_value),
        cmocka_unit_test(test_import_missing_file),
        cmocka_unit_test(test_infer_and_print),
        cmocka_unit_test(test_verify_use_before_def),
        cmocka_unit_test(test_memory_plan_reuses_dead_buffers),
        cmocka_unit_test(test_memory_plan_caller_outputs),
        cmocka_unit_test(test_memory_plan_keeps_shared_inputs),
        cmocka_unit_test(test_emit_contains_run),
        cmocka_unit_test(test_weight_text_decodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
