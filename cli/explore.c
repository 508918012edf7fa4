/* explore.c — `fastc explore`: what each optimization buys, and what each lossy rewrite costs.
 *
 * For every variant (a set of fastc flags): compile the model with this very fastc, run as a
 * child process (/proc/self/exe: a crash, or the process-wide --replace-activation setting,
 * stays inside it); count the nodes of its --emit=ir; build the C with the system compiler;
 * run the program on every data set; compare each output with the -O0 variant's. A variant
 * whose C is byte-identical to an earlier one's is neither built nor timed again: it shares
 * that row. Latency is measured after all builds, in rounds that visit every variant in turn,
 * so the slow drifts of a shared machine spread over all of them; a variant's median is the
 * median of its round medians, its min the smallest time seen. Everything is built in one
 * temporary directory, removed before returning. Progress goes to stderr, the table to
 * stdout, and Markdown, CSV, JSON and an SVG plot to --out. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "explore.h"
#include "explore_stats.h"
#include "pass_manager.h"
#include "replace_activation.h"
#include "tensor_pb.h"

extern char **environ;

/* Set by SIGINT / SIGTERM: stop, remove the build files, exit. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

#define MAX_DATA 64
#define MAX_IO 64
#define MAX_VARIANTS 64
#define MAX_FLAGS 24
#define PATH_LEN 4096

static const char *const default_replacements[] = {
    "gelu:tanh", "gelu:quick", "gelu:hardswish", "gelu:relu", "sigmoid:hard", "silu:hard", NULL};

/* A tensor read from a .pb file, its elements widened to double. */
typedef struct Tensor {
    int32_t dtype;
    int rank;
    int64_t dims[FC_MAX_RANK];
    int64_t n;
    double *v;
} Tensor;

typedef struct Variant {
    char *name;              /* as given in --variants */
    char *flags[MAX_FLAGS];  /* fastc flags */
    int nflags;
    int built;               /* compiled, and ran on every data set */
    char error[240];         /* why not, if not */
    int nodes;
    int same_as;             /* an earlier variant with byte-identical C, or -1 */
    uint64_t hash;           /* of the C file */
    double *round_min, *round_med, *round_cpu;
    int nrounds;
    double min_ms, med_ms;   /* NAN when not timed */
    double cpu_ms;           /* CPU time per run (median over rounds), NAN when not timed */
    FcDevStats dev;
    int64_t agree, rows;     /* argmax over the last axis: rows that agree / rows */
    int64_t correct, labeled;
} Variant;

typedef struct Explore {
    const char *model, *labels_path, *out, *variants_arg;
    const char *data[MAX_DATA];
    int ndata, runs, rounds;
    double rtol, atol;
    char self[PATH_LEN + 16], tmp[PATH_LEN];
    int ninputs, noutputs;
    char *shape_flags[MAX_IO];
    Tensor base[MAX_DATA][MAX_IO]; /* the -O0 outputs */
    int64_t *labels, nlabels;
    int use_labels;
    Variant v[MAX_VARIANTS];
    int nv;
} Explore;

static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("explore: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* Prints "fastc explore: <message>" and returns `code` (the caller's error return). */
static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fastc explore: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

static void usage(FILE *f)
{
    fputs("usage: fastc explore MODEL.onnx --data DIR [--data DIR ...] [options]\n"
          "\n"
          "Builds variants of MODEL, runs each on the inputs of every DIR (input_K.pb, as in an\n"
          "ONNX test_data_set folder; their shapes fix the model's), and prints one table:\n"
          "nodes, latency (median, min, CPU time), speedup and the deviation of the outputs from\n"
          "-O0 (max/mean/std of |diff|, RMSE, % of elements over the tolerance, argmax agreement\n"
          "over the last axis, top-1 accuracy with --labels). Progress goes to stderr.\n"
          "\n"
          "  --data DIR        a test data set (repeatable; latency is timed on the first)\n"
          "  --labels FILE.pb  true class per row of output 0 (int64), rows of all data sets in\n"
          "                    order: adds top-1 accuracy\n"
          "  --runs N          timed runs per variant (default 20; 0: no timing)\n"
          "  --rounds N        split the runs into N rounds over all variants (default 3)\n"
          "  --out DIR         write explore.md, .csv, .json and .svg there (default explore-out)\n"
          "  --variants LIST   comma-separated variants (default: 'default'); each is items\n"
          "                    joined by '+': a level O0..O3, pass names (run alone, at -O0\n"
          "                    unless a level is given), replacements like gelu:relu (at -O2\n"
          "                    unless a level is given), or a fastc flag starting with '-'.\n"
          "                    'default' = O0, O2, every pass alone, every replacement.\n"
          "                    e.g. --variants O0,O2,O3,gelu:tanh,O3+gelu:relu+sigmoid:hard\n"
          "  --rtol X, --atol X  tolerance for '% > tol': |diff| > atol + rtol*|ref|\n"
          "                    (default 1e-3, 1e-5)\n"
          "\n"
          "The C is built with $CC (default cc) -O3 -march=native -std=c99.\n",
          f);
}

/* ---- processes and files ------------------------------------------------------------------ */

/* Runs argv (argv[0] searched in PATH) with stdout and stderr sent to files; returns its exit
 * status, or -1 if it could not start or died of a signal. */
static int run_cmd(char *const *argv, const char *out_path, const char *err_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
        if (interrupted)
            kill(pid, SIGTERM);
    }
    return WIFEXITED(status) && !interrupted ? WEXITSTATUS(status) : -1;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, got;
    char *s = malloc(cap);
    while ((got = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[len] = 0;
    return s;
}

/* The first line of a log (a failed command's message), for the table; `what` (the command)
 * prefixes it unless the message names it already. */
static void first_line(const char *log_path, const char *what, char *buf, size_t len)
{
    char *s = read_text(log_path);
    if (s && s[0]) {
        s[strcspn(s, "\n")] = 0;
        int named = strncmp(s, what, strlen(what)) == 0 && s[strlen(what)] == ':';
        snprintf(buf, len, "%s%s%s", named ? "" : what, named ? "" : ": ", s);
    } else {
        snprintf(buf, len, "%s failed", what);
    }
    free(s);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static uint64_t hash_file(const char *path)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    FILE *f = fopen(path, "rb");
    unsigned char buf[1 << 16];
    size_t got;
    if (!f)
        return 0;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < got; i++)
            h = (h ^ buf[i]) * 1099511628211ull;
    fclose(f);
    return h;
}

/* Nodes in an IR dump: every line that defines results ("%N:type ... = Op(...)"). */
static int count_ir_nodes(const char *path)
{
    char *s = read_text(path);
    int n = 0;
    if (!s)
        return -1;
    for (char *line = s; *line;) {
        char *p = line + strspn(line, " ");
        n += *p == '%';
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        line = nl + 1;
    }
    free(s);
    return n;
}

/* A private copy of the fastc executable: a rebuild of fastc during a long run does not change
 * the compiler that builds the remaining variants. */
static int copy_executable(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
    char buf[1 << 16];
    size_t got;
    int ok = out != NULL;
    while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, got, out) == got;
    ok = ok && !ferror(in);
    if (in)
        fclose(in);
    if (out)
        ok = fclose(out) == 0 && ok;
    return ok && chmod(dst, 0755) == 0 ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static int make_dirs(const char *path)
{
    char buf[PATH_LEN];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* ---- tensors -------------------------------------------------------------------------------- */

static void tensor_free(Tensor *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Reads an ONNX TensorProto file with the frontend's decoder. */
static int load_tensor(const char *path, Tensor *t, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read '%s'", path);
        return -1;
    }
    fseeko(f, 0, SEEK_END);
    long long len = ftello(f);
    fseeko(f, 0, SEEK_SET);
    uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
    int ok = len >= 0 && fread(buf, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    Onnx__TensorProto *p = ok ? onnx__tensor_proto__unpack(NULL, (size_t)len, buf) : NULL;
    free(buf);
    if (!p) {
        snprintf(err, errlen, "'%s' is not an ONNX TensorProto", path);
        return -1;
    }
    FcGraph *g = fc_graph_new(path);
    int id = fc_value_new(g, path);
    FcValue *v = fc_val(g, id);
    int rc = fc_tensor_decode(g, p, ".", NULL, v);
    onnx__tensor_proto__free_unpacked(p, NULL);
    if (!rc && !(fc_dtype_is_float(v->dtype) && v->dtype != FC_DT_F16) &&
        !fc_dtype_is_int(v->dtype) && v->dtype != FC_DT_BOOL)
        rc = fc_err(g, NULL, "unsupported dtype %s", fc_dtype_name(v->dtype));
    if (rc) {
        snprintf(err, errlen, "%s", g->err);
        fc_graph_free(g);
        return -1;
    }
    memset(t, 0, sizeof *t);
    t->dtype = v->dtype;
    t->rank = v->rank;
    memcpy(t->dims, v->dims, sizeof t->dims);
    t->n = fc_value_numel(v);
    t->v = malloc(sizeof(double) * (size_t)(t->n ? t->n : 1));
    for (int64_t i = 0; i < t->n; i++)
        t->v[i] = fc_rt_get_f64(v->data, v->dtype, i);
    fc_graph_free(g);
    return 0;
}

static int same_shape(const Tensor *a, const Tensor *b)
{
    return a->rank == b->rank && memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank) == 0;
}

/* ---- variants ------------------------------------------------------------------------------- */

static void add_flag(Variant *v, const char *fmt, const char *arg)
{
    char buf[600];
    snprintf(buf, sizeof buf, fmt, arg);
    if (v->nflags < MAX_FLAGS)
        v->flags[v->nflags++] = strdup(buf);
}

/* Parses one variant: items joined by '+' (see usage). */
static int add_variant(Explore *e, const char *spec)
{
    if (e->nv == MAX_VARIANTS) {
        return fail(-1, "more than %d variants", MAX_VARIANTS);
    }
    Variant *v = &e->v[e->nv];
    memset(v, 0, sizeof *v);
    v->same_as = -1;
    v->nodes = -1;
    v->name = strdup(spec);
    char *copy = strdup(spec), *save = NULL, passes[512] = "", level[4] = "";
    char *repl[8], *raw[8];
    int nrepl = 0, nraw = 0, rc = 0;
    for (char *tok = strtok_r(copy, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
        char msg[200];
        if (tok[0] == 'O' && tok[1] >= '0' && tok[1] <= '3' && !tok[2]) {
            snprintf(level, sizeof level, "%s", tok);
        } else if (tok[0] == '-' && nraw < 8) {
            raw[nraw++] = tok;
        } else if (strchr(tok, ':') && nrepl < 8) {
            rc = fc_replace_activation_add(tok, msg, sizeof msg);
            fc_replace_activation_reset();
            if (rc) {
                rc = fail(-1, "variant '%s': %s", spec, msg);
                break;
            }
            repl[nrepl++] = tok;
        } else if (fc_pass_find(tok) && fc_pass_find(tok)->levels) {
            snprintf(passes + strlen(passes), sizeof passes - strlen(passes), "%s%s",
                     passes[0] ? "," : "", tok);
        } else {
            rc = fail(-1, "variant '%s': unknown item '%s' (want a level O0..O3, a pass name, a "
                      "replacement like gelu:relu, or a fastc flag)", spec, tok);
            break;
        }
    }
    if (!rc) {
        add_flag(v, "-%s", level[0] ? level : passes[0] ? "O0" : "O2");
        if (passes[0])
            add_flag(v, "--passes=%s", passes);
        for (int i = 0; i < nrepl; i++)
            add_flag(v, "--replace-activation=%s", repl[i]);
        for (int i = 0; i < nraw; i++)
            add_flag(v, "%s", raw[i]);
        e->nv++;
    }
    free(copy);
    return rc;
}

static int add_default_variants(Explore *e)
{
    int rc = add_variant(e, "O0") || add_variant(e, "O2");
    for (int i = 0; !rc && fc_pass_at(i); i++)
        if (fc_pass_at(i)->levels)
            rc = add_variant(e, fc_pass_at(i)->name);
    for (int i = 0; !rc && default_replacements[i]; i++)
        rc = add_variant(e, default_replacements[i]);
    return rc;
}

static int parse_variants(Explore *e, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save))
        rc = strcmp(tok, "default") == 0 ? add_default_variants(e) : add_variant(e, tok);
    free(copy);
    if (rc)
        return -1;
    /* The reference is the plain -O0 build, always variant 0. */
    int base = -1;
    for (int i = 0; i < e->nv && base < 0; i++)
        if (e->v[i].nflags == 1 && strcmp(e->v[i].flags[0], "-O0") == 0)
            base = i;
    if (base < 0) {
        if (add_variant(e, "O0"))
            return -1;
        base = e->nv - 1;
    }
    Variant b = e->v[base];
    memmove(&e->v[1], &e->v[0], sizeof(Variant) * (size_t)base);
    e->v[0] = b;
    return 0;
}

static void join_flags(const Variant *v, char *buf, size_t len)
{
    buf[0] = 0;
    for (int i = 0; i < v->nflags; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", v->flags[i]);
}

/* ---- arguments and inputs ------------------------------------------------------------------- */

static const char *arg_value(int argc, char **argv, int *i, const char *flag)
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

static int parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && !*end && *out >= 0 ? 0 : -1;
}

static int parse_args(Explore *e, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        double num;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if ((val = arg_value(argc, argv, &i, "--data"))) {
            if (e->ndata == MAX_DATA)
                return fail(2, "more than %d --data", MAX_DATA);
            e->data[e->ndata++] = val;
        } else if ((val = arg_value(argc, argv, &i, "--labels"))) {
            e->labels_path = val;
        } else if ((val = arg_value(argc, argv, &i, "--out"))) {
            e->out = val;
        } else if ((val = arg_value(argc, argv, &i, "--variants"))) {
            e->variants_arg = val;
        } else if ((val = arg_value(argc, argv, &i, "--runs")) ||
                   (val = arg_value(argc, argv, &i, "--rounds"))) {
            if (parse_number(val, &num) || num != floor(num) || num > 1e6)
                return fail(2, "bad count '%s' for %s", val, a);
            *(strncmp(a, "--runs", 6) == 0 ? &e->runs : &e->rounds) = (int)num;
        } else if ((val = arg_value(argc, argv, &i, "--rtol")) ||
                   (val = arg_value(argc, argv, &i, "--atol"))) {
            if (parse_number(val, &num))
                return fail(2, "bad tolerance '%s'", val);
            *(strncmp(a, "--rtol", 6) == 0 ? &e->rtol : &e->atol) = num;
        } else if (a[0] == '-') {
            return fail(2, "unknown option '%s' (see fastc explore --help)", a);
        } else if (!e->model) {
            e->model = a;
        } else {
            return fail(2, "more than one model given '%s'", a);
        }
    }
    if (!e->model || !e->ndata) {
        usage(stderr);
        return 2;
    }
    if (e->rounds < 1)
        e->rounds = 1;
    return parse_variants(e, e->variants_arg ? e->variants_arg : "default") ? 2 : 0;
}

/* Input K of data set d. */
static void input_path(const Explore *e, int d, int k, char *buf, size_t len)
{
    snprintf(buf, len, "%s/input_%d.pb", e->data[d], k);
}

/* Counts the inputs of the first data set; every data set must have inputs of the same
 * shapes (the model is compiled once per variant). Builds the --shape flags. */
static int scan_inputs(Explore *e)
{
    char path[PATH_LEN], err[1100];
    for (int k = 0; k < MAX_IO; k++) {
        input_path(e, 0, k, path, sizeof path);
        if (!exists(path))
            break;
        e->ninputs = k + 1;
    }
    if (!e->ninputs) {
        return fail(-1, "no input_0.pb in '%s'", e->data[0]);
    }
    for (int k = 0; k < e->ninputs; k++) {
        Tensor first;
        input_path(e, 0, k, path, sizeof path);
        if (load_tensor(path, &first, err, sizeof err))
            return fail(-1, "%s", err);
        for (int d = 1; d < e->ndata; d++) {
            Tensor t;
            input_path(e, d, k, path, sizeof path);
            if (load_tensor(path, &t, err, sizeof err))
                return fail(-1, "%s", err);
            int same = same_shape(&first, &t);
            tensor_free(&t);
            if (!same)
                return fail(-1, "'%s' has another shape than in '%s'", path, e->data[0]);
        }
        char flag[600];
        int n = snprintf(flag, sizeof flag, "--shape=@%d=", k);
        for (int i = 0; i < first.rank; i++)
            n += snprintf(flag + n, sizeof flag - (size_t)n, "%s%lld", i ? "," : "",
                          (long long)first.dims[i]);
        e->shape_flags[k] = strdup(flag);
        tensor_free(&first);
    }
    return 0;
}

static int load_labels(Explore *e)
{
    Tensor t;
    char err[1100];
    if (!e->labels_path)
        return 0;
    if (load_tensor(e->labels_path, &t, err, sizeof err))
        return fail(-1, "%s", err);
    if (!fc_dtype_is_int(t.dtype)) {
        tensor_free(&t);
        return fail(-1, "labels '%s' are not integers", e->labels_path);
    }
    e->nlabels = t.n;
    e->labels = malloc(sizeof(int64_t) * (size_t)(t.n ? t.n : 1));
    for (int64_t i = 0; i < t.n; i++)
        e->labels[i] = (int64_t)t.v[i];
    tensor_free(&t);
    e->use_labels = 1;
    return 0;
}

/* ---- build, run, compare -------------------------------------------------------------------- */

/* A path in the temporary directory: e->tmp/<fmt...>. */
static void tmp_path(const Explore *e, char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(buf, len, "%s/", e->tmp);
    va_start(ap, fmt);
    vsnprintf(buf + n, len - (size_t)n, fmt, ap);
    va_end(ap);
}

/* fastc MODEL --shape... FLAGS [extra] -o OUT */
static int run_fastc(const Explore *e, const Variant *v, const char *extra, const char *out,
                     const char *log)
{
    char *argv[MAX_IO + MAX_FLAGS + 8];
    int n = 0;
    argv[n++] = (char *)e->self;
    argv[n++] = (char *)e->model;
    for (int k = 0; k < e->ninputs; k++)
        argv[n++] = e->shape_flags[k];
    for (int i = 0; i < v->nflags; i++)
        argv[n++] = v->flags[i];
    if (extra)
        argv[n++] = (char *)extra;
    argv[n++] = "-o";
    argv[n++] = (char *)out;
    argv[n] = NULL;
    return run_cmd(argv, "/dev/null", log);
}

static int run_cc(const char *c_path, const char *bin, const char *log)
{
    const char *cc_env = getenv("CC");
    char *cc = strdup(cc_env && *cc_env ? cc_env : "cc"), *save = NULL, *argv[40];
    int n = 0;
    for (char *tok = strtok_r(cc, " ", &save); tok && n < 30; tok = strtok_r(NULL, " ", &save))
        argv[n++] = tok;
    const char *rest[] = {"-O3", "-march=native", "-std=c99", c_path, "-o", bin, "-lm", NULL};
    for (int i = 0; rest[i]; i++)
        argv[n++] = (char *)rest[i];
    argv[n] = NULL;
    int rc = run_cmd(argv, "/dev/null", log);
    free(cc);
    return rc;
}

/* bin -d DIR [--bench N] --quiet INPUTS of data set d; -d keeps the outputs the program writes
 * in DIR. bench = 0: no timing. */
static int run_program(const Explore *e, const char *bin, int d, const char *dir, int bench,
                       const char *out, const char *log)
{
    char *argv[MAX_IO + 8], paths[MAX_IO][PATH_LEN], count[32];
    int n = 0;
    snprintf(count, sizeof count, "%d", bench);
    argv[n++] = (char *)bin;
    argv[n++] = "-d";
    argv[n++] = (char *)dir;
    if (bench > 0) {
        argv[n++] = "--bench";
        argv[n++] = count;
    }
    argv[n++] = "--quiet";
    for (int k = 0; k < e->ninputs; k++) {
        input_path(e, d, k, paths[k], sizeof paths[k]);
        argv[n++] = paths[k];
    }
    argv[n] = NULL;
    return run_cmd(argv, out, log);
}

/* Compares output k of data set d (t) with the reference; adds to v's statistics. */
static void compare_output(Explore *e, Variant *v, int d, int k, const Tensor *t, int64_t *label_row)
{
    const Tensor *ref = &e->base[d][k];
    fc_dev_add(&v->dev, ref->v, t->v, t->n, e->rtol, e->atol);
    int64_t cols = t->rank ? t->dims[t->rank - 1] : 0;
    if (!fc_dtype_is_float(t->dtype) || cols < 2)
        return;
    int64_t rows = t->n / cols;
    v->agree += fc_argmax_agree(ref->v, t->v, rows, cols);
    v->rows += rows;
    if (k == 0 && e->use_labels) {
        if (*label_row + rows <= e->nlabels) /* else check_labels drops the accuracy */
            v->correct += fc_top1_correct(t->v, e->labels + *label_row, rows, cols);
        v->labeled += rows;
        *label_row += rows;
    }
}

/* Reads the outputs of variant i on data set d from dir; variant 0 keeps them as reference. */
static int collect_outputs(Explore *e, int i, int d, const char *dir, int64_t *label_row)
{
    Variant *v = &e->v[i];
    char path[PATH_LEN + 32], err[1100];
    if (i == 0 && d == 0) {
        for (e->noutputs = 0; e->noutputs < MAX_IO; e->noutputs++) {
            snprintf(path, sizeof path, "%s/output_%d.pb", dir, e->noutputs);
            if (!exists(path))
                break;
        }
    }
    for (int k = 0; k < e->noutputs; k++) {
        Tensor t;
        snprintf(path, sizeof path, "%s/output_%d.pb", dir, k);
        if (load_tensor(path, &t, err, sizeof err)) {
            snprintf(v->error, sizeof v->error, "%.200s", err);
            return -1;
        }
        if (i == 0)
            e->base[d][k] = t;
        if (!same_shape(&e->base[d][k], &t)) {
            snprintf(v->error, sizeof v->error, "output %d has another shape than at -O0", k);
            tensor_free(&t);
            return -1;
        }
        compare_output(e, v, d, k, &t, label_row);
        if (i != 0)
            tensor_free(&t);
    }
    return 0;
}

/* Labels must cover output 0's rows over all data sets; checked once, on the reference. */
static void check_labels(Explore *e)
{
    if (!e->use_labels || e->v[0].labeled == e->nlabels)
        return;
    note("warning: %lld labels for %lld rows of output 0: no accuracy\n", (long long)e->nlabels,
         (long long)e->v[0].labeled);
    e->use_labels = 0;
}

static int build_variant(Explore *e, int i)
{
    Variant *v = &e->v[i];
    char c_path[PATH_LEN], ir_path[PATH_LEN], bin[PATH_LEN], log[PATH_LEN], dir[PATH_LEN];
    tmp_path(e, c_path, sizeof c_path, "v%d.c", i);
    tmp_path(e, ir_path, sizeof ir_path, "v%d.ir", i);
    tmp_path(e, bin, sizeof bin, "v%d", i);
    tmp_path(e, log, sizeof log, "v%d.log", i);
    note("[%d/%d] %s: fastc", i + 1, e->nv, v->name);
    if (run_fastc(e, v, NULL, c_path, log) != 0) {
        first_line(log, "fastc", v->error, sizeof v->error);
        return fputs(" failed\n", stderr), -1;
    }
    v->nodes = run_fastc(e, v, "--emit=ir", ir_path, log) == 0 ? count_ir_nodes(ir_path) : -1;
    remove(ir_path);
    v->hash = hash_file(c_path);
    for (int j = 0; j < i; j++) {
        if (e->v[j].built && e->v[j].same_as < 0 && e->v[j].hash == v->hash) {
            v->same_as = j;
            remove(c_path);
            fprintf(stderr, " (%d nodes): same C as %s\n", v->nodes, e->v[j].name);
            return 0;
        }
    }
    fprintf(stderr, " (%d nodes), cc", v->nodes);
    int rc = run_cc(c_path, bin, log);
    remove(c_path);
    if (rc != 0) {
        first_line(log, "cc", v->error, sizeof v->error);
        return fputs(" failed\n", stderr), -1;
    }
    fputs(", run", stderr);
    int64_t label_row = 0;
    for (int d = 0; d < e->ndata; d++) {
        tmp_path(e, dir, sizeof dir, "v%d_out%d", i, d);
        if (mkdir(dir, 0755) || run_program(e, bin, d, dir, 0, "/dev/null", log) != 0) {
            first_line(log, "run", v->error, sizeof v->error);
            return fputs(" failed\n", stderr), -1;
        }
        if (collect_outputs(e, i, d, dir, &label_row))
            return fputs(" failed\n", stderr), -1;
    }
    if (i == 0)
        check_labels(e);
    fprintf(stderr, ": max |diff| %.3g\n", v->dev.max);
    v->built = 1;
    return 0;
}

/* CPU seconds (user + system) of the children waited for so far. */
static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
           1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* One round of timing: every distinct built variant, in order. Besides the program's own
 * wall-clock figures, the CPU time per run: a plain run (load, one inference) and the --bench
 * run (load, one inference, a warm-up, `runs` timed) differ by runs + 1 inferences. Other jobs
 * on a shared machine stretch wall-clock time far more than CPU time. */
static void time_round(Explore *e, int round, int runs)
{
    char bin[PATH_LEN], log[PATH_LEN], out[PATH_LEN], dir[PATH_LEN];
    tmp_path(e, log, sizeof log, "bench.log");
    tmp_path(e, out, sizeof out, "bench.txt");
    tmp_path(e, dir, sizeof dir, "bench");
    mkdir(dir, 0755);
    note("timing round %d/%d (%d runs each):", round + 1, e->rounds, runs);
    for (int i = 0; i < e->nv && !interrupted; i++) {
        Variant *v = &e->v[i];
        if (!v->built || v->same_as >= 0)
            continue;
        tmp_path(e, bin, sizeof bin, "v%d", i);
        double lo, mid, c0 = children_cpu_s();
        int plain = run_program(e, bin, 0, dir, 0, "/dev/null", log);
        double c1 = children_cpu_s();
        char *text = !plain && run_program(e, bin, 0, dir, runs, out, log) == 0 ? read_text(out)
                                                                                 : NULL;
        double c2 = children_cpu_s();
        if (text && fc_parse_bench(text, &lo, &mid) == 0) {
            v->round_min[v->nrounds] = lo;
            v->round_cpu[v->nrounds] = fmax(0.0, (c2 - c1) - (c1 - c0)) * 1e3 / (runs + 1);
            v->round_med[v->nrounds++] = mid;
            fprintf(stderr, " %s %.3f", v->name, mid);
        }
        free(text);
    }
    fputs(" ms\n", stderr);
}

static void summarize_times(Explore *e)
{
    for (int i = 0; i < e->nv; i++) {
        Variant *v = &e->v[i];
        v->min_ms = v->med_ms = v->cpu_ms = NAN;
        if (!v->nrounds)
            continue;
        v->cpu_ms = fc_median(v->round_cpu, v->nrounds);
        v->min_ms = v->round_min[0];
        for (int r = 1; r < v->nrounds; r++)
            v->min_ms = fmin(v->min_ms, v->round_min[r]);
        v->med_ms = fc_median(v->round_med, v->nrounds);
    }
    /* Variants with identical C share their twin's row. */
    for (int i = 0; i < e->nv; i++) {
        Variant *v = &e->v[i], *t = v->same_as >= 0 ? &e->v[v->same_as] : NULL;
        if (!t)
            continue;
        v->built = 1;
        v->min_ms = t->min_ms;
        v->med_ms = t->med_ms;
        v->cpu_ms = t->cpu_ms;
        v->dev = t->dev;
        v->agree = t->agree;
        v->rows = t->rows;
        v->correct = t->correct;
        v->labeled = t->labeled;
    }
}

/* ---- reports -------------------------------------------------------------------------------- */

enum { COL_NAME, COL_FLAGS, COL_NODES, COL_MED, COL_MIN, COL_CPU, COL_SPEEDUP, COL_MAX, COL_RMSE,
       COL_MEAN, COL_STD, COL_OVER, COL_ARGMAX, COL_TOP1, COL_NOTE, NCOLS };

static const char *const col_title[NCOLS] = {
    "variant", "flags", "nodes", "median ms", "min ms", "cpu ms", "speedup", "max abs diff",
    "RMSE", "mean abs diff", "std abs diff", "% > tol", "argmax agree %", "top-1", "note"};
static const char *const col_key[NCOLS] = {
    "variant", "flags", "nodes", "median_ms", "min_ms", "cpu_ms", "speedup", "max_abs_diff", "rmse",
    "mean_abs_diff", "std_abs_diff", "pct_over_tol", "argmax_agree_pct", "top1", "note"};

static int col_shown(const Explore *e, int c)
{
    return c != COL_TOP1 || e->use_labels;
}

/* The value of a numeric column (NAN: not available). */
static double col_number(const Explore *e, const Variant *v, int c)
{
    if (!v->built && c != COL_NODES)
        return NAN;
    switch (c) {
    case COL_NODES: return v->nodes >= 0 ? v->nodes : NAN;
    case COL_MED: return v->med_ms;
    case COL_MIN: return v->min_ms;
    case COL_CPU: return v->cpu_ms;
    case COL_SPEEDUP: return e->v[0].med_ms / v->med_ms;
    case COL_MAX: return v->dev.max;
    case COL_RMSE: return fc_dev_rmse(&v->dev);
    case COL_MEAN: return fc_dev_mean_abs(&v->dev);
    case COL_STD: return fc_dev_std_abs(&v->dev);
    case COL_OVER: return fc_dev_pct_over(&v->dev);
    case COL_ARGMAX: return v->rows ? 100.0 * (double)v->agree / (double)v->rows : NAN;
    case COL_TOP1: return v->labeled ? (double)v->correct / (double)v->labeled : NAN;
    default: return NAN;
    }
}

/* A cell as text: `exact` for CSV (full precision), else rounded for reading. */
static void cell(const Explore *e, const Variant *v, int c, int exact, char *buf, size_t len)
{
    if (c == COL_NAME) {
        snprintf(buf, len, "%s", v->name);
        return;
    }
    if (c == COL_FLAGS) {
        join_flags(v, buf, len);
        return;
    }
    if (c == COL_NOTE) {
        if (v->error[0])
            snprintf(buf, len, "%s", v->error);
        else if (v->same_as >= 0)
            snprintf(buf, len, "same C as %s", e->v[v->same_as].name);
        else
            snprintf(buf, len, "%s", v == &e->v[0] ? "reference" : "");
        return;
    }
    double x = col_number(e, v, c);
    if (isnan(x))
        snprintf(buf, len, "%s", exact ? "" : "-");
    else if (exact)
        snprintf(buf, len, "%.9g", x);
    else if (c == COL_NODES)
        snprintf(buf, len, "%d", (int)x);
    else if (c == COL_MED || c == COL_MIN || c == COL_CPU)
        snprintf(buf, len, "%.3f", x);
    else if (c == COL_SPEEDUP)
        snprintf(buf, len, "%.2fx", x);
    else if (c == COL_OVER || c == COL_ARGMAX)
        snprintf(buf, len, "%.2f", x);
    else if (c == COL_TOP1)
        snprintf(buf, len, "%.4f", x);
    else
        snprintf(buf, len, x == 0 ? "0" : "%.3g", x);
}

static void write_markdown(const Explore *e, FILE *f)
{
    char buf[700];
    for (int c = 0; c < NCOLS; c++)
        if (col_shown(e, c))
            fprintf(f, "| %s ", col_title[c]);
    fputs("|\n", f);
    for (int c = 0; c < NCOLS; c++)
        if (col_shown(e, c))
            fputs(c <= COL_FLAGS || c == COL_NOTE ? "|---" : "|---:", f);
    fputs("|\n", f);
    for (int i = 0; i < e->nv; i++) {
        for (int c = 0; c < NCOLS; c++) {
            if (!col_shown(e, c))
                continue;
            cell(e, &e->v[i], c, 0, buf, sizeof buf);
            for (char *p = buf; *p; p++)
                if (*p == '|')
                    *p = '/';
            fprintf(f, "| %s%s%s ", c == COL_FLAGS && buf[0] ? "`" : "", buf,
                    c == COL_FLAGS && buf[0] ? "`" : "");
        }
        fputs("|\n", f);
    }
}

static void write_csv(const Explore *e, FILE *f)
{
    char buf[700];
    for (int c = 0, first = 1; c < NCOLS; c++)
        if (col_shown(e, c))
            fprintf(f, "%s%s", first ? "" : ",", col_key[c]), first = 0;
    fputc('\n', f);
    for (int i = 0; i < e->nv; i++) {
        for (int c = 0, first = 1; c < NCOLS; c++) {
            if (!col_shown(e, c))
                continue;
            cell(e, &e->v[i], c, 1, buf, sizeof buf);
            int quote = strpbrk(buf, ",\"\n") != NULL;
            fputs(first ? "" : ",", f);
            first = 0;
            if (!quote) {
                fputs(buf, f);
                continue;
            }
            fputc('"', f);
            for (char *p = buf; *p; p++) {
                if (*p == '"')
                    fputc('"', f);
                fputc(*p, f);
            }
            fputc('"', f);
        }
        fputc('\n', f);
    }
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

static void write_json(const Explore *e, FILE *f)
{
    char buf[700];
    fputs("{\n  \"model\": ", f);
    json_string(f, e->model);
    fputs(",\n  \"data\": [", f);
    for (int d = 0; d < e->ndata; d++) {
        fputs(d ? ", " : "", f);
        json_string(f, e->data[d]);
    }
    fputs("],\n  \"labels\": ", f);
    if (e->labels_path)
        json_string(f, e->labels_path);
    else
        fputs("null", f);
    fprintf(f, ",\n  \"runs\": %d,\n  \"rounds\": %d,\n  \"rtol\": %.9g,\n  \"atol\": %.9g,\n"
            "  \"reference\": \"O0\",\n  \"variants\": [\n", e->runs, e->rounds, e->rtol, e->atol);
    for (int i = 0; i < e->nv; i++) {
        const Variant *v = &e->v[i];
        fputs("    {", f);
        for (int c = 0; c < NCOLS; c++) {
            if (!col_shown(e, c))
                continue;
            fprintf(f, "%s\"%s\": ", c ? ", " : "", col_key[c]);
            if (c == COL_FLAGS) {
                fputc('[', f);
                for (int k = 0; k < v->nflags; k++) {
                    fputs(k ? ", " : "", f);
                    json_string(f, v->flags[k]);
                }
                fputc(']', f);
            } else if (c == COL_NAME || c == COL_NOTE) {
                cell(e, v, c, 1, buf, sizeof buf);
                json_string(f, buf);
            } else {
                double x = col_number(e, v, c);
                if (isfinite(x))
                    fprintf(f, "%.9g", x);
                else
                    fputs("null", f); /* not measured, or infinite (a NaN against a number) */
            }
        }
        fprintf(f, "}%s\n", i + 1 < e->nv ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

/* ---- the plot ------------------------------------------------------------------------------- */

#define SVG_W 820
#define SVG_H 500
#define PL 90  /* plot area: left, right, top, bottom */
#define PR 640
#define PT 50
#define PB 440

static double nice_step(double range)
{
    double raw = range / 5, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return mag * (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10);
}

static void svg_text(FILE *f, double x, double y, const char *anchor, int size, const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">", x, y, anchor,
            size);
    for (; *s; s++) {
        if (*s == '<' || *s == '>' || *s == '&')
            fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : "&amp;", f);
        else
            fputc(*s, f);
    }
    fputs("</text>\n", f);
}

/* Label box of point p at spot (dx, dy): left of the point when dx < 0. */
static void label_box(const double *p, const double *spot, double w, double *box)
{
    double x = p[0] + spot[0], y = p[1] + spot[1];
    box[0] = spot[0] < 0 ? x - w : x;
    box[1] = y - 9;
    box[2] = spot[0] < 0 ? x : x + w;
    box[3] = y + 2;
}

static int overlaps(const double *a, const double *b)
{
    return a[2] > b[0] && a[0] < b[2] && a[3] > b[1] && a[1] < b[3];
}

/* Writes point k's label at the first of a few spots beside it that overlaps neither a point
 * nor an earlier label (boxes[0..k) holds theirs), else at the first spot. */
static void place_label(FILE *f, double (*pts)[2], int np, double (*boxes)[4], int k,
                        const char *text)
{
    static const double spots[][2] = {{7, -5}, {7, 12}, {-7, -5}, {-7, 12}, {7, -17}, {7, 24},
                                      {-7, -17}, {-7, 24}, {7, -29}, {7, 36}};
    const int nspots = (int)(sizeof spots / sizeof spots[0]);
    double w = 5.6 * (double)strlen(text);
    int best = 0;
    for (int s = 0; s < nspots; s++) {
        int free = 1;
        label_box(pts[k], spots[s], w, boxes[k]);
        for (int j = 0; j < np && free; j++) {
            double dot[4] = {pts[j][0] - 4, pts[j][1] - 4, pts[j][0] + 4, pts[j][1] + 4};
            free = !overlaps(dot, boxes[k]);
        }
        for (int j = 0; j < k && free; j++)
            free = !overlaps(boxes[j], boxes[k]);
        if (free) {
            best = s;
            break;
        }
    }
    label_box(pts[k], spots[best], w, boxes[k]);
    svg_text(f, spots[best][0] < 0 ? boxes[k][2] : boxes[k][0], boxes[k][3] - 2,
             spots[best][0] < 0 ? "end" : "start", 10, text);
}

/* The model's file name with its folder ("digits_cnn/model.onnx"), for the plot's title. */
static const char *short_name(const char *path)
{
    const char *p = path + strlen(path);
    int slashes = 0;
    while (p > path && !(p[-1] == '/' && ++slashes == 2))
        p--;
    return p;
}

/* Latency (x) against top-1 accuracy (with labels) or RMSE vs -O0 (log scale; exact results
 * on their own line at the bottom). */
static void write_svg(const Explore *e, FILE *f)
{
    int acc = e->use_labels;
    double xmax = 0, ylo = INFINITY, yhi = -INFINITY;
    for (int i = 0; i < e->nv; i++) {
        const Variant *v = &e->v[i];
        double y = col_number(e, v, acc ? COL_TOP1 : COL_RMSE);
        if (!v->built || v->same_as >= 0 || isnan(v->med_ms) || isnan(y) || isinf(y))
            continue;
        xmax = fmax(xmax, v->med_ms);
        if (acc || y > 0) {
            ylo = fmin(ylo, acc ? y : log10(y));
            yhi = fmax(yhi, acc ? y : log10(y));
        }
    }
    if (!(yhi >= ylo)) /* no point with a positive deviation */
        ylo = -7, yhi = -1;
    if (acc) {
        double pad = fmax(0.005, (yhi - ylo) * 0.1);
        ylo = fmax(0, ylo - pad), yhi += pad;
    } else {
        ylo = floor(ylo), yhi = ceil(yhi);
        if (yhi - ylo < 1)
            yhi = ylo + 1;
    }
    double xstep = nice_step(xmax > 0 ? xmax * 1.1 : 1), xhi = ceil((xmax * 1.1) / xstep) * xstep;
    if (xhi <= 0)
        xhi = xstep;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            SVG_W, SVG_H);
    char title[700];
    snprintf(title, sizeof title, "%s: latency vs %s", short_name(e->model),
             acc ? "top-1 accuracy" : "RMSE of the outputs vs -O0");
    svg_text(f, (PL + PR) / 2.0, 25, "middle", 14, title);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>\n",
            PL, PT, PR - PL, PB - PT);
    char label[64];
    for (double x = 0; x <= xhi + xstep / 2; x += xstep) {
        double px = PL + (PR - PL) * x / xhi;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px, PT,
                px, PB);
        snprintf(label, sizeof label, "%g", x);
        svg_text(f, px, PB + 18, "middle", 11, label);
    }
    svg_text(f, (PL + PR) / 2.0, PB + 40, "middle", 12, "median latency (ms)");
    /* y: accuracy linear; RMSE one grid line per decade, plus the exact line below. */
    double ystep = acc ? nice_step(yhi - ylo) : 1, ybottom = acc ? ylo : ylo - 0.5;
    for (double y = acc ? ceil(ylo / ystep) * ystep : ylo; y <= yhi + ystep / 1000; y += ystep) {
        double py = PB - (PB - PT) * (y - ybottom) / (yhi - ybottom);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", PL, py,
                PR, py);
        snprintf(label, sizeof label, acc ? "%.3f" : "1e%.0f", y);
        svg_text(f, PL - 6, py + 4, "end", 11, label);
    }
    if (!acc)
        svg_text(f, PL - 6, PB - 4, "end", 11, "0 (exact)");
    fprintf(f, "<text transform=\"translate(22,%d) rotate(-90)\" text-anchor=\"middle\" "
            "font-size=\"12\">%s</text>\n", (PT + PB) / 2, acc ? "top-1 accuracy" : "RMSE vs -O0");
    double pts[MAX_VARIANTS][2], boxes[MAX_VARIANTS][4];
    int idx[MAX_VARIANTS], np = 0;
    for (int i = 0; i < e->nv; i++) {
        const Variant *v = &e->v[i];
        double y = col_number(e, v, acc ? COL_TOP1 : COL_RMSE);
        if (!v->built || v->same_as >= 0 || isnan(v->med_ms) || isnan(y) || isinf(y))
            continue;
        double yy = acc ? y : y > 0 ? log10(y) : ybottom + 0.12;
        pts[np][0] = PL + (PR - PL) * v->med_ms / xhi;
        pts[np][1] = PB - (PB - PT) * (yy - ybottom) / (yhi - ybottom);
        idx[np++] = i;
    }
    for (int k = 0; k < np; k++) {
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", pts[k][0],
                pts[k][1], idx[k] == 0 ? "black" : "#c03");
        place_label(f, pts, np, boxes, k, e->v[idx[k]].name);
    }
    /* A legend listing the variants that share another's point. */
    int ly = PT + 10;
    svg_text(f, PR + 15, ly, "start", 11, "same C as:");
    for (int i = 0; i < e->nv; i++) {
        const Variant *v = &e->v[i];
        if (v->same_as < 0 || ly > PB)
            continue;
        ly += 15;
        snprintf(title, sizeof title, "%s = %s", v->name, e->v[v->same_as].name);
        svg_text(f, PR + 15, ly, "start", 10, title);
    }
    fputs("</svg>\n", f);
}

typedef void (*Writer)(const Explore *e, FILE *f);

static int write_report(const Explore *e, const char *name, Writer w)
{
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/%s", e->out, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(-1, "cannot write '%s'", path);
    w(e, f);
    return fclose(f) ? -1 : 0;
}

static void write_md_file(const Explore *e, FILE *f)
{
    fprintf(f, "# fastc explore: %s\n\n", e->model);
    fputs("Data:", f);
    for (int d = 0; d < e->ndata; d++)
        fprintf(f, " `%s`", e->data[d]);
    fprintf(f, "; shapes:");
    for (int k = 0; k < e->ninputs; k++)
        fprintf(f, " `%s`", e->shape_flags[k] + strlen("--shape="));
    fprintf(f, ". Latency: %d rounds of %d runs (median of round medians, min of all).\n",
            e->rounds, e->runs ? (e->runs + e->rounds - 1) / e->rounds : 0);
    fprintf(f, "Deviation: outputs vs the -O0 build; %% > tol counts |diff| > %g + %g*|ref|.%s\n\n",
            e->atol, e->rtol, e->use_labels ? " top-1: accuracy against the labels." : "");
    write_markdown(e, f);
}

/* ---- driver --------------------------------------------------------------------------------- */

static int explore(Explore *e)
{
    if (scan_inputs(e) || load_labels(e))
        return 1;
    if (make_dirs(e->out))
        return fail(1, "cannot create '%s'", e->out);
    const char *tmpdir = getenv("TMPDIR");
    snprintf(e->tmp, sizeof e->tmp, "%s/fastc-explore-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(e->tmp))
        return fail(1, "cannot create a temporary directory");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: waitpid returns, the child gets SIGTERM */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int rc = 0;
    snprintf(e->self, sizeof e->self, "%s/fastc", e->tmp);
    if (copy_executable("/proc/self/exe", e->self)) {
        rc = fail(1, "cannot copy the fastc executable");
    }
    for (int i = 0; !rc && i < e->nv && !interrupted; i++) {
        e->v[i].round_min = calloc((size_t)e->rounds, sizeof(double));
        e->v[i].round_med = calloc((size_t)e->rounds, sizeof(double));
        e->v[i].round_cpu = calloc((size_t)e->rounds, sizeof(double));
        if (build_variant(e, i) && i == 0 && !interrupted) {
            rc = fail(1, "the -O0 reference failed: %s", e->v[0].error);
            break;
        }
    }
    int per_round = (e->runs + e->rounds - 1) / e->rounds;
    for (int r = 0; !rc && per_round > 0 && r < e->rounds && !interrupted; r++)
        time_round(e, r, per_round);
    nftw(e->tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (interrupted) {
        fprintf(stderr, "\nfastc explore: interrupted; build files removed\n");
        return 128 + interrupted;
    }
    if (rc)
        return rc;
    summarize_times(e);
    write_markdown(e, stdout);
    if (write_report(e, "explore.md", write_md_file) || write_report(e, "explore.csv", write_csv) ||
        write_report(e, "explore.json", write_json) || write_report(e, "explore.svg", write_svg))
        return 1;
    note("wrote %s/explore.{md,csv,json,svg}\n", e->out);
    return 0;
}

int fc_explore_main(int argc, char **argv)
{
    static Explore e; /* large (reference outputs per data set); one per process */
    e.out = "explore-out";
    e.runs = 20;
    e.rounds = 3;
    e.rtol = 1e-3;
    e.atol = 1e-5;
    int rc = parse_args(&e, argc, argv);
    return rc ? rc : explore(&e);
}
