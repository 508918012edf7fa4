/* fastc.c — the command-line driver: parse flags, load, infer, optimize, plan, emit.
 *
 * The only place that chooses exit codes: 0 on success, 1 on a user error (one line on
 * stderr naming file, node and op), 2 on a usage error. Output files are written to a
 * temporary name and renamed into place only on success, so a failed run never leaves a
 * partial file and never clobbers an existing one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "emit_c.h"
#include "explore.h"
#include "memory_plan.h"
#include "onnx_export.h"
#include "onnx_import.h"
#include "pass_manager.h"
#include "print.h"
#include "stats.h"
#include "replace_activation.h"
#include "batch_split.h"

#define MAX_OVERRIDES 64

typedef struct Options {
    const char *model, *out, *header, *prefix, *emit, *weights;
    int level, with_main, list_passes, threads, profile, no_batch_split;
    FcShapeOverride shapes[MAX_OVERRIDES];
    int nshapes;
    FcDimOverride dims[MAX_OVERRIDES];
    int ndims;
    FcConstInput consts[MAX_OVERRIDES];
    int nconsts;
    FcPassOptions passes;
} Options;

static void usage(FILE *f)
{
    fputs("usage: fastc MODEL.onnx [options]\n"
          "       fastc explore MODEL.onnx --data DIR [options]   (fastc explore --help)\n"
          "\n"
          "Compiles an ONNX model into one standalone C99 file (needs only libm).\n"
          "\n"
          "Output:\n"
          "  -o FILE              write the result to FILE (default: stdout)\n"
          "  --emit=c|ir|dot|onnx C source (default), the IR text form (docs/ir.md), Graphviz, or\n"
          "                       the optimized graph as an ONNX model (fused ops as standard ops)\n"
          "  --header FILE        also write a header declaring <prefix>_run and the I/O metadata\n"
          "  --prefix NAME        C identifier prefix (default: model)\n"
          "  --no-main            leave out main() (link the model into your program)\n"
          "  --weights FILE       put the weights in FILE instead of the C (models of hundreds\n"
          "                       of MB or over 2 GB); the program loads it at start\n"
          "                       (<prefix>_load_weights; main() takes --weights PATH)\n"
          "  --profile            time every kernel call: the program's --bench N then also\n"
          "                       prints the slowest nodes and the time per op type\n"
          "  --threads=N          run kernels on N threads when the C is built with -fopenmp\n"
          "                       (Conv, GEMMs, batched MatMul, fused elementwise, pools,\n"
          "                       LayerNorm, Transpose and other strided copies, binary\n"
          "                       elementwise ops; results are bitwise the same for any N;\n"
          "                       without -fopenmp the pragmas compile away). When every op\n"
          "                       is independent along the batch axis and the batch divides\n"
          "                       by N, the C instead runs copies of the graph on the N\n"
          "                       threads, each on a slice of the batch with its own memory\n"
          "                       (batch split): one per thread, or up to 4 per thread dealt\n"
          "                       out as the threads finish when the weights fit in 1 MiB\n"
          "  --no-batch-split     with --threads=N, always split within the kernels\n"
          "\n"
          "Shapes (fastc compiles for static shapes):\n"
          "  --shape NAME=d0,d1,...  fix the shape of graph input NAME (or @K: the K-th input)\n"
          "  --dim PARAM=N        give symbolic dimension PARAM the value N\n"
          "  --const-input NAME=FILE.pb  fix input NAME (or @K) to the tensor in FILE at compile\n"
          "                       time (e.g. a shape fed as an input); _run then returns 1 if\n"
          "                       called with a different value\n"
          "\n"
          "Optimization:\n"
          "  -O0 | -O1 | -O2 | -O3   optimization level (default -O2); see --list-passes\n"
          "  --passes=a,b,c       run exactly these passes, in this order\n"
          "  --disable-pass=NAME  leave NAME out of the level's pipeline (repeatable)\n"
          "  --list-passes        print every pass, what it does and the levels that run it\n"
          "  --dump-before=PASS|all, --dump-after=PASS|all\n"
          "                       write the IR before/after passes as DIR/NN-<pass>.ir\n"
          "  --dump-dir=DIR       where dumps go (default: .)\n"
          "  --stats              print per-pass statistics on stderr\n"
          "\n"
          "Lossy (changes the results; the C file's header says so):\n"
          "  --replace-activation=gelu:tanh|gelu:quick|gelu:hardswish|gelu:relu|sigmoid:hard|silu:hard\n"
          "                       swap activations for cheaper ones (repeatable): GELU -> tanh-GELU,\n"
          "                       x*sigmoid(1.702x), HardSwish or ReLU; Sigmoid -> HardSigmoid(1/6,\n"
          "                       0.5); x*sigmoid(x) -> HardSwish. Adds pass replace-activation to\n"
          "                       the pipeline right after recognize-gelu\n"
          "\n"
          "  -h, --help           this help\n"
          "  --version            print the version\n"
          "\n"
          "The generated program: ./model [-d DIR] [--bench N] [--quiet] INPUT...\n"
          "reads each input from an ONNX TensorProto .pb (or raw .bin) file, writes DIR/output_K.pb\n"
          "and prints the outputs; --bench N prints min/median/max latency over N runs.\n",
          f);
}

static int parse_dims(const char *s, int64_t *dims, int *rank)
{
    *rank = 0;
    if (!*s)
        return 0; /* a scalar */
    while (*s) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s || v < 0 || *rank >= FC_MAX_RANK)
            return -1;
        dims[(*rank)++] = v;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return 0;
}

static int add_shape(Options *o, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    if (!eq || eq == arg || o->nshapes >= MAX_OVERRIDES)
        return -1;
    FcShapeOverride *s = &o->shapes[o->nshapes++];
    s->name = strndup(arg, (size_t)(eq - arg));
    return parse_dims(eq + 1, s->dims, &s->rank);
}

static int add_const_input(Options *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1] || o->nconsts >= MAX_OVERRIDES)
        return -1;
    o->consts[o->nconsts].name = strndup(arg, (size_t)(eq - arg));
    o->consts[o->nconsts++].file = eq + 1;
    return 0;
}

static int add_dim(Options *o, const char *arg)
{
    const char *eq = strrchr(arg, '=');
    char *end;
    if (!eq || eq == arg || o->ndims >= MAX_OVERRIDES)
        return -1;
    FcDimOverride *d = &o->dims[o->ndims++];
    d->name = strndup(arg, (size_t)(eq - arg));
    d->value = strtoll(eq + 1, &end, 10);
    return (*end || end == eq + 1 || d->value < 0) ? -1 : 0;
}

/* Accepts "--flag=value" and "--flag value". */
static const char *flag_value(const char *flag, int argc, char **argv, int *i)
{
    size_t n = strlen(flag);
    if (strncmp(argv[*i], flag, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "fastc: %s '%s' (see fastc --help)\n", msg, arg);
    return 2;
}

static int is_c_identifier(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static int parse_args(Options *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--version") == 0) {
            printf("fastc " FC_VERSION "\n");
            exit(0);
        } else if (a[0] == '-' && a[1] == 'O' && a[2] >= '0' && a[2] <= '3' && !a[3]) {
            o->level = a[2] - '0';
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            o->out = argv[++i];
        } else if ((v = flag_value("--emit", argc, argv, &i))) {
            if (strcmp(v, "c") && strcmp(v, "ir") && strcmp(v, "dot") && strcmp(v, "onnx"))
                return bad_usage("unknown --emit kind", v);
            o->emit = v;
        } else if ((v = flag_value("--header", argc, argv, &i))) {
            o->header = v;
        } else if ((v = flag_value("--weights", argc, argv, &i))) {
            o->weights = v;
        } else if ((v = flag_value("--prefix", argc, argv, &i))) {
            o->prefix = v;
        } else if ((v = flag_value("--threads", argc, argv, &i))) {
            char *end;
            long t = strtol(v, &end, 10);
            if (*end || t < 1 || t > 1024)
                return bad_usage("bad --threads (want N >= 1)", v);
            o->threads = (int)t;
        } else if (strcmp(a, "--no-main") == 0) {
            o->with_main = 0;
        } else if (strcmp(a, "--profile") == 0) {
            o->profile = 1;
        } else if (strcmp(a, "--no-batch-split") == 0) {
            o->no_batch_split = 1;
        } else if ((v = flag_value("--shape", argc, argv, &i))) {
            if (add_shape(o, v))
                return bad_usage("bad --shape (want NAME=d0,d1,...)", v);
        } else if ((v = flag_value("--const-input", argc, argv, &i))) {
            if (add_const_input(o, v))
                return bad_usage("bad --const-input (want NAME=FILE.pb)", v);
        } else if ((v = flag_value("--dim", argc, argv, &i))) {
            if (add_dim(o, v))
                return bad_usage("bad --dim (want PARAM=N)", v);
        } else if ((v = flag_value("--replace-activation", argc, argv, &i))) {
            char msg[160];
            if (fc_replace_activation_add(v, msg, sizeof msg)) {
                fprintf(stderr, "fastc: %s\n", msg);
                return 2;
            }
        } else if (fc_pass_parse_flag(&o->passes, argc, argv, &i)) {
            if (o->passes.error[0])
                return bad_usage(o->passes.error, a);
        } else if (strcmp(a, "--list-passes") == 0) {
            o->list_passes = 1;
        } else if (a[0] == '-' && a[1]) {
            return bad_usage("unknown option", a);
        } else if (!o->model) {
            o->model = a;
        } else {
            return bad_usage("more than one model given", a);
        }
    }
    /* The lossy pass joins the pipeline only when asked for: in passes.def order at -Ok, at
     * the end of a --passes list that does not place it itself. */
    if (fc_replace_activation_active()) {
        FcPassOptions *p = &o->passes;
        int listed = 0;
        for (int k = 0; k < p->nonly; k++)
            listed |= strcmp(p->only[k], "replace-activation") == 0;
        if (p->explicit_list && !listed && p->nonly < FC_MAX_PASS_ARGS)
            p->only[p->nonly++] = "replace-activation";
        p->enabled[p->nenabled++] = "replace-activation";
    }
    if (o->weights && strcmp(o->emit, "c") != 0)
        return bad_usage("--weights goes with --emit=c", o->emit);
    if (o->weights && (strcmp(o->weights, "-") == 0 || !*o->weights))
        return bad_usage("--weights needs a file name", o->weights);
    if (o->prefix && !is_c_identifier(o->prefix))
        return bad_usage("--prefix must be a C identifier", o->prefix);
    return 0;
}

/* Writes via a temporary file in the same directory, renamed into place on success. */
typedef int (*WriteFn)(FILE *f, const FcGraph *g, const void *ctx);

static int write_output(const char *path, WriteFn fn, const FcGraph *g, const void *ctx)
{
    if (!path || strcmp(path, "-") == 0)
        return fn(stdout, g, ctx) || fflush(stdout) ? -1 : 0;
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "fastc: cannot write '%s': %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int rc = fn(f, g, ctx);
    rc |= fclose(f) != 0;
    if (!rc && rename(tmp, path) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "fastc: cannot write '%s'\n", path);
        remove(tmp);
    }
    free(tmp);
    return rc ? -1 : 0;
}

static int write_c(FILE *f, const FcGraph *g, const void *ctx)
{
    return fc_emit_c(f, g, ctx);
}

/* ctx: the FcEmitOptions whose weights_id the C file then needs */
static int write_weights(FILE *f, const FcGraph *g, const void *ctx)
{
    FcEmitOptions *eo = (FcEmitOptions *)(void *)(uintptr_t)ctx;
    return fc_emit_weights(f, g, eo, &eo->weights_id);
}

static int write_header(FILE *f, const FcGraph *g, const void *ctx)
{
    return fc_emit_header(f, g, ctx);
}

static int write_onnx(FILE *f, const FcGraph *g, const void *ctx)
{
    (void)ctx;
    return fc_onnx_export((FcGraph *)g, f);
}

static int write_dot(FILE *f, const FcGraph *g, const void *ctx)
{
    (void)ctx;
    fc_print_dot(f, g);
    return ferror(f) ? -1 : 0;
}

static int write_ir(FILE *f, const FcGraph *g, const void *ctx)
{
    (void)ctx;
    fc_print_graph(f, g);
    return ferror(f) ? -1 : 0;
}

/* --threads=N for C: copies of the graph on the threads when the batch allows it. */
static int split_batch(FcGraph *g, const Options *o)
{
    if (o->threads <= 1 || o->no_batch_split || strcmp(o->emit, "c") != 0)
        return 0;
    char why[512];
    int64_t batch = g->ninputs ? fc_val(g, g->inputs[0])->dims[0] : 0;
    if (fc_batch_split(g, o->threads, why, sizeof why)) {
        if (o->passes.stats)
            fprintf(stderr, "fastc: batch split: %d copies of the graph on %d threads, each on "
                    "%lld of the %lld rows of axis 0\n", g->batch_copies, g->batch_threads,
                    (long long)(g->ninputs ? fc_val(g, g->inputs[0])->dims[0] : 0),
                    (long long)batch);
    } else if (o->passes.stats) {
        fprintf(stderr, "fastc: batch split: not done (%s); kernels split their own loops\n",
                why);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "explore") == 0)
        return fc_explore_main(argc - 1, argv + 1);
    Options o = {0};
    o.level = 2;
    o.with_main = 1;
    o.emit = "c";
    int rc = parse_args(&o, argc, argv);
    if (rc)
        return rc;
    if (o.list_passes) {
        fc_pass_list(stdout);
        return 0;
    }
    if (!o.model) {
        usage(stderr);
        return 2;
    }
    char err[1024];
    FcImportOptions io = {o.shapes, o.nshapes, o.dims, o.ndims, o.consts, o.nconsts};
    FcGraph *g = fc_onnx_load(o.model, &io, err, sizeof err);
    if (!g) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    g->opt_level = o.level;
    g->threads = o.threads > 1 ? o.threads : 1;
    o.passes.level = o.level;
    if (fc_infer(g) || fc_run_passes(g, &o.passes) || split_batch(g, &o) ||
        fc_plan_memory(g)) {
        fprintf(stderr, "%s\n", g->err);
        fc_graph_free(g);
        return 1;
    }
    if (o.passes.stats) {
        FcGraphStats st;
        fc_graph_stats(g, &st);
        fprintf(stderr, "fastc: final: %d nodes, %.2f MMACs, weights %.1f KiB, activation arena "
                "%.1f KiB (planned; peak live %.1f KiB)\n", st.nodes, st.macs / 1e6,
                st.weight_bytes / 1024.0, g->arena_bytes / 1024.0, st.peak_bytes / 1024.0);
    }
    FcEmitOptions eo = {o.prefix ? o.prefix : "model", o.model, o.with_main, o.header,
                        o.threads, o.weights, 0, o.profile};
    if (strcmp(o.emit, "ir") == 0)
        rc = write_output(o.out, write_ir, g, NULL);
    else if (strcmp(o.emit, "dot") == 0)
        rc = write_output(o.out, write_dot, g, NULL);
    else if (strcmp(o.emit, "onnx") == 0)
        rc = write_output(o.out, write_onnx, g, NULL);
    else if (o.weights && (rc = write_output(o.weights, write_weights, g, &eo)) == 0) {
        /* the C names this weights file's fingerprint: both or neither */
        if ((rc = write_output(o.out, write_c, g, &eo)) != 0)
            remove(o.weights);
    } else if (!o.weights)
        rc = write_output(o.out, write_c, g, &eo);
    if (!rc && o.header)
        rc = write_output(o.header, write_header, g, &eo);
    fc_graph_free(g);
    return rc ? 1 : 0;
}
