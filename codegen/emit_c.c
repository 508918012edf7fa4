/* emit_c.c — writes one self-contained C99 file for an inferred, memory-planned graph.
 *
 * Layout of the generated file:
 *   1. a comment with the I/O signature; runtime/fc_rt.h; the runtime/ kernel files the graph
 *      uses (and the files they declare with `fc-deps:`), pasted verbatim;
 *   2. the weights: one byte blob written as base-85 string-literal rows (compact, fast to
 *      compile; runtime/fc_weights.c);
 *   3. the activation arena (one static array, offsets from the memory planner);
 *   4. the tensor table (data pointer, dtype, shape of every run-time tensor) and one node
 *      record per kernel call (tensor indices, packed parameters, scratch);
 *   5. <prefix>_run(): copies inputs in, calls the kernels in order (If as a C if/else),
 *      copies outputs out; metadata tables; optionally main() from runtime/fc_main.c.
 * Everything is emitted in graph order from deterministic tables: the same model and flags
 * always give byte-identical C. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "emit_c.h"

/* Weights travel as base-85 rows (runtime/fc_weights.c): 3272 bytes -> 4090 characters per
 * string literal, under the 4095 characters C99 compilers must accept. */
#define BLOB_ROW 3272
#define BLOB_ROW_CHARS (BLOB_ROW / 4 * 5)

typedef struct Emitter {
    FILE *f;
    const FcGraph *g;
    const FcEmitOptions *opt;
    const char *p;        /* prefix */
    int *tidx;            /* value id -> tensor table index, -1 if unused */
    int ntensors;
    int *tvals;           /* tensor table index -> value id */
    int64_t *woff;        /* value id -> weight blob offset (constants) */
    signed char *packed;  /* value id -> 1: stored prepacked (by packer's kernel), -1: as is */
    const FcNode **packer; /* value id -> the node whose kernel layout a prepacked value has */
    int64_t wbytes;
    int nnodes;           /* node records emitted so far */
    const char **files;   /* runtime files to paste */
    int nfiles;
    int copies;           /* instances of the graph (batch split, g->batch_copies), >= 1 */
    int threads;          /* threads running the instances (g->batch_threads) */
    const char *sel;      /* "[c]" selecting instance c's tables when copies > 1, else "" */
} Emitter;

static const char *io_name(const Emitter *e, const int *ids, int i);

/* ---- runtime sources ------------------------------------------------------------------- */

static const FcEmbeddedSource *find_source(const char *name)
{
    for (const FcEmbeddedSource *s = fc_rt_embedded; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static void need_file(Emitter *e, const char *name)
{
    if (!name || !*name)
        return;
    for (int i = 0; i < e->nfiles; i++)
        if (strcmp(e->files[i], name) == 0)
            return;
    const FcEmbeddedSource *s = find_source(name);
    if (!s) {
        fprintf(stderr, "fastc: internal error: runtime file '%s' is not embedded\n", name);
        abort();
    }
    /* Dependencies first, so a file can call functions of the files it names. */
    const char *dep = strstr(s->text, "fc-deps:");
    if (dep) {
        dep += 8;
        char word[64];
        while (*dep && *dep != '*' && *dep != '\n') {
            while (*dep == ' ' || *dep == ',')
                dep++;
            int k = 0;
            while (*dep && (isalnum((unsigned char)*dep) || *dep == '_' || *dep == '.') && k < 63)
                word[k++] = *dep++;
            word[k] = 0;
            if (k)
                need_file(e, word);
            else if (*dep && *dep != '*' && *dep != '\n')
                dep++;
        }
    }
    e->files[e->nfiles++] = s->name; /* not `name`: it may be a stack buffer */
}

static void collect_files(Emitter *e, const FcBlock *b)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        need_file(e, fc_ops[n->op].file);
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                collect_files(e, n->branch[br]);
    }
}

/* Pastes a runtime file, dropping its local #include lines (fc_rt.h is already there). */
static void paste_source(FILE *f, const char *text)
{
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        if (strncmp(line, "#include \"", 10) != 0)
            fwrite(line, 1, len, f);
        line += len;
    }
}

/* ---- names and types ------------------------------------------------------------------- */

static const char *c_type(int32_t dt)
{
    switch (dt) {
    case FC_DT_F32: return "float";
    case FC_DT_F64: return "double";
    case FC_DT_I8: return "int8_t";
    case FC_DT_U8: case FC_DT_BOOL: return "uint8_t";
    case FC_DT_I16: return "int16_t";
    case FC_DT_U16: case FC_DT_F16: return "uint16_t";
    case FC_DT_I32: return "int32_t";
    case FC_DT_U32: return "uint32_t";
    case FC_DT_I64: return "int64_t";
    case FC_DT_U64: return "uint64_t";
    default: return "void";
    }
}

static const char *onnx_type_name(int32_t dt)
{
    switch (dt) {
    case FC_DT_F32: return "float32";
    case FC_DT_F64: return "float64";
    case FC_DT_F16: return "float16";
    case FC_DT_BOOL: return "bool";
    case FC_DT_I8: return "int8";
    case FC_DT_U8: return "uint8";
    case FC_DT_I16: return "int16";
    case FC_DT_U16: return "uint16";
    case FC_DT_I32: return "int32";
    case FC_DT_U32: return "uint32";
    case FC_DT_I64: return "int64";
    case FC_DT_U64: return "uint64";
    default: return "?";
    }
}

/* A C identifier for I/O `name`: non-alphanumerics become '_', a leading digit gets 'v'. */
static void c_ident(char *out, size_t len, const char *name, int index, const char *kind)
{
    size_t k = 0;
    if (!*name || isdigit((unsigned char)name[0]))
        out[k++] = 'v';
    for (const char *s = name; *s && k + 12 < len; s++)
        out[k++] = isalnum((unsigned char)*s) ? *s : '_';
    snprintf(out + k, len - k, "_%s%d", kind, index);
}

/* Strings for C comments: no "*" followed by "/" can end the comment early. */
static void comment_safe(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '*' && s[1] == '/')
            fputs("* /", f), s++;
        else if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

/* Axis d of a graph input or output as the caller sees it: a batch-split graph holds one
 * instance's slice of every run-time tensor. */
static int64_t io_dim(const Emitter *e, const FcValue *v, int d)
{
    return d == 0 && v->kind != FC_VAL_CONST ? v->dims[0] * e->copies : v->dims[d];
}

static void print_io_shape(const Emitter *e, FILE *f, const FcValue *v)
{
    fputc('[', f);
    for (int i = 0; i < v->rank; i++)
        fprintf(f, "%s%" PRId64, i ? "," : "", io_dim(e, v, i));
    fputc(']', f);
}

/* ---- tensor table ------------------------------------------------------------------------- */

static void use_value(Emitter *e, int id)
{
    if (id < 0 || e->tidx[id] >= 0)
        return;
    e->tidx[id] = e->ntensors;
    e->tvals[e->ntensors++] = id;
}

static void collect_values(Emitter *e, const FcBlock *b)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        for (int k = 0; k < n->nin; k++)
            use_value(e, n->in[k]);
        for (int br = 0; br < 2; br++)
            if (n->branch[br]) {
                collect_values(e, n->branch[br]);
                for (int k = 0; k < n->branch[br]->noutputs; k++)
                    use_value(e, n->branch[br]->outputs[k]);
            }
        for (int k = 0; k < n->nout; k++)
            use_value(e, n->out[k]);
    }
}

/* ---- weights -------------------------------------------------------------------------------- */

int64_t fc_rt_sgemm_prepacked_floats(int64_t K, int64_t N);
void fc_rt_sgemm_prepack(int64_t K, int64_t N, const float *W, float *Wp);
int fc_rt_conv_prepackable(const int64_t *ia);
int64_t fc_rt_conv_prepacked_floats(const int64_t *ia);
void fc_rt_conv_prepack(const int64_t *ia, const float *w, float *wp);

static int is_conv(const FcNode *n)
{
    return n->op == FC_OP_CONV || n->op == FC_OP_FC_CONV;
}

/* ---- what of the runtime files the graph uses ------------------------------------------
 * A kernel file's cases that a graph cannot reach are constant-false once the emitted file
 * defines the file's mask, so cc does not build them: bit b of a mask is one case. */

/* 1 << v when 0 <= v < 64, else 0 (a value no mask has a bit for) */
static uint64_t mask_bit(int64_t v)
{
    return v >= 0 && v < 64 ? UINT64_C(1) << v : 0;
}

/* The OR of node_bits over every node of b and of its If branches. */
static uint64_t graph_mask(const FcBlock *b, uint64_t (*node_bits)(const FcNode *))
{
    uint64_t m = 0;
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        m |= node_bits(n);
        for (int br = 0; br < 2; br++)
            if (n->branch[br])
                m |= graph_mask(n->branch[br], node_bits);
    }
    return m;
}

/* runtime/k_conv.c's FC_CV_MODES: the mode (ia[4]) of a Conv */
static uint64_t conv_mode_bit(const FcNode *n)
{
    return is_conv(n) && n->ia && n->nia > 4 ? mask_bit(n->ia[4]) : 0;
}

/* runtime/fc_rt.h's FC_RT_ACTS: a node's fused activation (FC_ACT_NONE for the others, and
 * always there), whose epilogues k_vmath.c and k_gemm.c build */
static uint64_t fused_act_bit(const FcNode *n)
{
    return mask_bit(fc_attr_i(n, "activation", FC_ACT_NONE)) | 1u << FC_ACT_NONE;
}

/* runtime/k_unary.c's FC_UN_OPS: the op code (ia[0]) of a unary node */
static uint64_t unary_op_bit(const FcNode *n)
{
    return !strcmp(fc_ops[n->op].kernel_name, "fc_rt_unary") && n->nia > 0 ? mask_bit(n->ia[0])
                                                                           : 0;
}

/* runtime/k_binary.c's FC_BIN_OPS: the op code (ia[0]) of a broadcasting binary or variadic
 * node */
static uint64_t binary_op_bit(const FcNode *n)
{
    const char *k = fc_ops[n->op].kernel_name;
    return (!strcmp(k, "fc_rt_binary") || !strcmp(k, "fc_rt_variadic")) && n->nia > 0
               ? mask_bit(n->ia[0])
               : 0;
}

/* Whether input k of n is a weight its kernel can take prepacked: FcLinear's W (runtime/
 * k_linear.c) and the W of a Conv that multiplies it as A panels (runtime/k_conv.c). */
static int prepack_slot(const FcNode *n, int k)
{
    if (k != 1)
        return 0;
    if (n->op == FC_OP_FC_LINEAR)
        return 1;
    return is_conv(n) && n->ia && n->nia >= 26 && fc_rt_conv_prepackable(n->ia);
}

/* Weight prepacking: a constant read only as such a weight is stored in the kernel's packed
 * layout (runtime/k_gemm.c fc_rt_sgemm_prepack, k_conv.c fc_rt_conv_prepack), so the program
 * never packs it. Several FcLinear nodes may share one (the layout depends on W alone); a
 * Conv's layout depends on the Conv, so its W must have no other reader. */
static void find_prepacked(Emitter *e, const FcBlock *b)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        for (int k = 0; k < n->nin; k++) {
            int id = n->in[k];
            if (id < 0)
                continue;
            if (!prepack_slot(n, k) || fc_val(e->g, id)->kind != FC_VAL_CONST)
                e->packed[id] = -1;
            else if (e->packed[id] == 0) {
                e->packed[id] = 1;
                e->packer[id] = n;
            } else if (e->packed[id] == 1 &&
                       (is_conv(n) || e->packer[id]->op != FC_OP_FC_LINEAR))
                e->packed[id] = -1;
        }
        for (int br = 0; br < 2; br++)
            if (n->branch[br]) {
                find_prepacked(e, n->branch[br]);
                for (int k = 0; k < n->branch[br]->noutputs; k++)
                    e->packed[n->branch[br]->outputs[k]] = -1;
            }
    }
}

static int64_t weight_bytes(const Emitter *e, int id)
{
    const FcValue *v = fc_val(e->g, id);
    if (e->packed[id] == 1 && is_conv(e->packer[id]))
        return 4 * fc_rt_conv_prepacked_floats(e->packer[id]->ia);
    if (e->packed[id] == 1)
        return 4 * fc_rt_sgemm_prepacked_floats(v->dims[0], v->dims[1]);
    /* a constant cut by a batch split holds every instance's slice */
    return (int64_t)fc_value_bytes(v) * (v->batch_sliced ? e->copies : 1);
}

/* Writes prepacked constant id's bytes (weight_bytes) to dst. */
static void prepack_weight(const Emitter *e, int id, void *dst)
{
    const FcValue *v = fc_val(e->g, id);
    if (is_conv(e->packer[id]))
        fc_rt_conv_prepack(e->packer[id]->ia, v->data, dst);
    else
        fc_rt_sgemm_prepack(v->dims[0], v->dims[1], v->data, dst);
}

/* A node's packed integer parameter i as the emitted program needs it. */
static int64_t emitted_ia(const Emitter *e, const FcNode *n, int i)
{
    if (n->op == FC_OP_FC_LINEAR && i == 8)
        return e->packed[n->in[1]] == 1; /* W prepacked (runtime/k_linear.c) */
    if (is_conv(n) && i == 25)
        return e->packed[n->in[1]] == 1; /* W prepacked (runtime/k_conv.c) */
    return n->ia[i];
}

static void layout_weights(Emitter *e)
{
    int64_t off = 0;
    int any = 0;
    for (int t = 0; t < e->ntensors; t++) {
        const FcValue *v = fc_val(e->g, e->tvals[t]);
        if (v->kind != FC_VAL_CONST)
            continue;
        e->woff[e->tvals[t]] = off;
        off += (weight_bytes(e, e->tvals[t]) + 63) / 64 * 64;
        any = 1;
    }
    /* Empty constants still need an address inside the blob. */
    e->wbytes = any && off == 0 ? 64 : off;
}

char fc_rt_weight_char(unsigned d); /* runtime/fc_weights.c: the text's alphabet */

/* One row of weight text (runtime/fc_weights.c's base-85 code): one literal per line. */
static void emit_blob_row(FILE *f, const unsigned char *b)
{
    fputc('"', f);
    for (int c = 0; c < BLOB_ROW; c += 4) {
        uint32_t v = (uint32_t)b[c] << 24 | (uint32_t)b[c + 1] << 16 | (uint32_t)b[c + 2] << 8 |
                     b[c + 3];
        char digits[5];
        for (int k = 4; k >= 0; k--) {
            digits[k] = fc_rt_weight_char(v % 85u);
            v /= 85u;
        }
        fwrite(digits, 1, 5, f);
    }
    fputc('"', f);
}

/* The bytes of constant tensor t as the blob stores them (prepacked ones in their kernel's layout), in `buf`
 * when they must be computed (buf holds weight_bytes). */
static const void *weight_image(const Emitter *e, int t, void *buf)
{
    const FcValue *v = fc_val(e->g, e->tvals[t]);
    if (e->packed[e->tvals[t]] != 1)
        return v->data;
    prepack_weight(e, e->tvals[t], buf);
    return buf;
}

/* FNV-1a over the blob's bytes, folded with its size: tells one compile's weights from
 * another's when the program loads them. */
static uint64_t fingerprint(uint64_t h, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

static void put_u64le(unsigned char *b, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
}

/* The weights file: header, then every constant at its blob offset, tensor by tensor (the
 * offsets grow in table order), so no copy of the whole blob is made (models over 2 GB). */
static int write_weight_file(Emitter *e, uint64_t *id)
{
    static const unsigned char zeros[64];
    unsigned char head[64] = "FASTCWT1";
    uint64_t h = 14695981039346656037u;
    int64_t at = 0;
    FILE *f = e->f;
    put_u64le(head + 8, (uint64_t)e->wbytes);
    fwrite(head, 1, sizeof head, f); /* fingerprint filled in below */
    for (int t = 0; t < e->ntensors && !ferror(f); t++) {
        const FcValue *v = fc_val(e->g, e->tvals[t]);
        int64_t n = v->kind == FC_VAL_CONST ? weight_bytes(e, e->tvals[t]) : 0;
        if (n == 0)
            continue;
        void *buf = e->packed[e->tvals[t]] == 1 ? malloc((size_t)n) : NULL;
        if (e->packed[e->tvals[t]] == 1 && !buf)
            return -1;
        for (; at < e->woff[e->tvals[t]]; at++) {
            fputc(0, f);
            h = fingerprint(h, zeros, 1);
        }
        const void *bytes = weight_image(e, t, buf);
        fwrite(bytes, 1, (size_t)n, f);
        h = fingerprint(h, bytes, (size_t)n);
        at += n;
        free(buf);
    }
    for (; at < e->wbytes; at++) {
        fputc(0, f);
        h = fingerprint(h, zeros, 1);
    }
    h = (h ^ (uint64_t)e->wbytes) * 1099511628211u;
    put_u64le(head + 16, h);
    if (fseek(f, 16, SEEK_SET) != 0 || fwrite(head + 16, 1, 8, f) != 8)
        return -1;
    *id = h;
    return ferror(f) ? -1 : 0;
}

/* --weights: the C carries no weights, only where each constant sits in the file, and a
 * loader that checks the file's header against this compile's size and fingerprint. */
static void emit_weight_loader(Emitter *e)
{
    FILE *f = e->f;
    const char *p = e->p;
    unsigned char head[24] = "FASTCWT1";
    int n = 0;
    fprintf(f, "\n/* Weights and constants: %" PRId64 " bytes (little-endian, 64-byte aligned) in "
            "the file\n * fastc --weights wrote, read by %s_load_weights(). */\n", e->wbytes, p);
    fputs("#include <stdio.h>\n#include <stdlib.h>\n", f);
    fprintf(f, "static unsigned char *%s_weights, *%s_weights_raw;\n", p, p);
    fprintf(f, "static const int64_t %s_weight_at[][3] = { /* tensor, offset, bytes between "
            "instances */\n", p);
    for (int t = 0; t < e->ntensors; t++)
        if (fc_val(e->g, e->tvals[t])->kind == FC_VAL_CONST) {
            fprintf(f, "    {%d, %" PRId64 ", %zu},\n", t, e->woff[e->tvals[t]],
                    fc_val(e->g, e->tvals[t])->batch_sliced ?
                    fc_value_bytes(fc_val(e->g, e->tvals[t])) : (size_t)0);
            n++;
        }
    if (!n)
        fputs("    {-1, 0}\n", f);
    fputs("};\n", f);
    fprintf(f, "\n/* Reads the weights file; returns 0, 1 if it cannot be read, 2 if it is not "
            "this\n * compile's (size or fingerprint differ), 3 if out of memory. Call once "
            "before %s_run. */\nint %s_load_weights(const char *path)\n{\n"
            "    static const unsigned char want[24] = {", p, p);
    put_u64le(head + 8, (uint64_t)e->wbytes);
    put_u64le(head + 16, e->opt->weights_id);
    for (int k = 0; k < 24; k++)
        fprintf(f, "%s%u", k ? ", " : "", head[k]);
    fputs("};\n"
          "    unsigned char head[64], *raw = NULL, *w;\n"
          "    size_t k;\n", f);
    if (e->copies > 1)
        fputs("    int c;\n", f);
    fputs("    FILE *f = fopen(path, \"rb\");\n"
          "    int rc = 0;\n"
          "    if (!f)\n"
          "        return 1;\n"
          "    if (fread(head, 1, 64, f) != 64 || memcmp(head, want, 24) != 0)\n"
          "        rc = 2;\n", f);
    fprintf(f, "    else if (!(raw = (unsigned char *)malloc((size_t)%" PRId64 " + 64)))\n"
            "        rc = 3;\n"
            "    /* 64-byte aligned, as the kernels' vector loads of packed weights expect */\n"
            "    else if (fread(w = raw + (64 - (size_t)((uintptr_t)raw %% 64)) %% 64, 1,\n"
            "                   (size_t)%" PRId64 ", f) != (size_t)%" PRId64 ")\n"
            "        rc = 2;\n", e->wbytes, e->wbytes, e->wbytes);
    fprintf(f, "    else {\n"
            "        for (k = 0; k < sizeof %s_weight_at / sizeof %s_weight_at[0]; k++)\n"
            "            if (%s_weight_at[k][0] >= 0)\n", p, p, p);
    /* every instance's table points at the one copy of the weights (a batch-sliced constant:
     * at that instance's slice) */
    if (e->copies > 1)
        fprintf(f, "                for (c = 0; c < %d; c++)\n                    %s_t[c]"
                "[%s_weight_at[k][0]].data =\n                        w + %s_weight_at[k][1] + "
                "c * %s_weight_at[k][2];\n", e->copies, p, p, p, p);
    else
        fprintf(f, "                %s_t[%s_weight_at[k][0]].data = w + %s_weight_at[k][1];\n",
                p, p, p);
    fprintf(f, "        free(%s_weights_raw);\n"
            "        %s_weights_raw = raw;\n"
            "        %s_weights = w;\n"
            "        raw = NULL;\n"
            "    }\n"
            "    free(raw);\n"
            "    fclose(f);\n"
            "    return rc;\n}\n", p, p, p);
}

static void emit_weights(Emitter *e)
{
    if (e->wbytes == 0)
        return;
    if (e->opt->weights_file)
        return; /* the loader follows the tensor table it fills in */
    int64_t rows = (e->wbytes + BLOB_ROW - 1) / BLOB_ROW;
    unsigned char *blob = calloc((size_t)(rows * BLOB_ROW), 1);
    for (int t = 0; t < e->ntensors; t++) {
        const FcValue *v = fc_val(e->g, e->tvals[t]);
        if (v->kind == FC_VAL_CONST && e->packed[e->tvals[t]] == 1)
            prepack_weight(e, e->tvals[t], blob + e->woff[e->tvals[t]]);
        else if (v->kind == FC_VAL_CONST && fc_value_bytes(v))
            memcpy(blob + e->woff[e->tvals[t]], v->data, (size_t)weight_bytes(e, e->tvals[t]));
    }
    FILE *f = e->f;
    fprintf(f, "\n/* Weights and constants: %" PRId64 " bytes (little-endian, 64-byte aligned), as "
            "base-85\n * text decoded into %s_weights at the first run. */\n", e->wbytes, e->p);
    fprintf(f, "static uint64_t %s_weights[%" PRId64 "];\nstatic int %s_weights_ready;\n", e->p,
            (rows * BLOB_ROW + 7) / 8, e->p);
    /* An array of pointers to the row literals, not a 2-D char array: GCC initializes a
     * char[rows][chars] array from literals with much more time and memory (bert_mini's
     * 59 MB of text: 10 s and 545 MB against 2.3 s and 431 MB). */
    fprintf(f, "static const char *const %s_weight_text[%" PRId64 "] = {\n", e->p, rows);
    for (int64_t r = 0; r < rows; r++) {
        emit_blob_row(f, blob + r * BLOB_ROW);
        fputs(r + 1 < rows ? ",\n" : "\n", f);
    }
    fputs("};\n", f);
    free(blob);
}

/* ---- tables -------------------------------------------------------------------------------- */

/* The arena word at byte offset `off` of instance c (as a C expression). */
static void emit_arena_ref(Emitter *e, int c, int64_t off)
{
    if (e->copies > 1)
        fprintf(e->f, "&%s_arena[%d][%" PRId64 "]", e->p, c, off / 8);
    else
        fprintf(e->f, "&%s_arena[%" PRId64 "]", e->p, off / 8);
}

static void emit_tensor_rows(Emitter *e, int c)
{
    FILE *f = e->f;
    for (int t = 0; t < e->ntensors; t++) {
        int id = e->tvals[t];
        const FcValue *v = fc_val(e->g, id);
        if (v->kind == FC_VAL_CONST && e->opt->weights_file) {
            fputs("    {0, ", f); /* set by <prefix>_load_weights */
        } else if (v->kind == FC_VAL_CONST && v->batch_sliced) { /* instance c's rows */
            int64_t off = e->woff[id] + c * (int64_t)fc_value_bytes(v);
            fprintf(f, "    {(void *)((unsigned char *)%s_weights + %" PRId64 "), ", e->p, off);
        } else if (v->kind == FC_VAL_CONST) {
            int64_t off = e->woff[id];
            fprintf(f, "    {(void *)&%s_weights[%" PRId64 "], ", e->p, off / 8);
        } else if (v->offset < 0) {
            fputs("    {0, ", f); /* a graph input or caller_out output: _run points it at
                                   * the caller's buffer */
        } else {
            fputs("    {(void *)", f);
            emit_arena_ref(e, c, v->offset);
            fputs(", ", f);
        }
        fprintf(f, "%d, %d, {", v->dtype, v->rank);
        for (int d = 0; d < v->rank; d++)
            fprintf(f, "%s%" PRId64, d ? ", " : "", v->dims[d]);
        fputs(v->rank ? "}}, /* " : "0}}, /* ", f);
        comment_safe(f, v->name);
        fputs(" */\n", f);
    }
    if (!e->ntensors)
        fputs("    {0, 0, 0, {0}}\n", f);
}

/* Whether a tensor row or a kernel's scratch points into the arena: not when the graph's
 * outputs are its inputs or constants (inputs stay in the caller's buffers), and then the
 * arena is left out, as an unused static array is a warning. Zero-byte values do point
 * into it (an empty arena). */
static int arena_referenced(const Emitter *e)
{
    if (e->g->arena_bytes > 0)
        return 1;
    for (int t = 0; t < e->ntensors; t++) {
        const FcValue *v = fc_val(e->g, e->tvals[t]);
        if (v->kind != FC_VAL_CONST && v->offset >= 0)
            return 1;
    }
    return 0;
}

/* With a batch split, instance c has its own arena and its own tensor table (the same
 * constants, its own activations): T[c][...]. */
static void emit_tensor_table(Emitter *e)
{
    FILE *f = e->f;
    int64_t words = e->g->arena_bytes / 8 + 1;
    const int arena = arena_referenced(e);
    if (!arena)
        fprintf(f, "\n/* Activations: none (the inputs are read where the caller keeps them). */\n");
    else
        fprintf(f, "\n/* Activations: one arena, offsets planned by liveness. */\n");
    if (e->copies > 1) {
        if (arena)
            fprintf(f, "static uint64_t %s_arena[%d][%" PRId64 "]; /* one per instance */\n",
                    e->p, e->copies, words);
        fprintf(f, "\nstatic FcRtTensor %s_t[%d][%d] = {\n", e->p, e->copies,
                e->ntensors ? e->ntensors : 1);
        for (int c = 0; c < e->copies; c++) {
            fprintf(f, "  { /* instance %d */\n", c);
            emit_tensor_rows(e, c);
            fputs(c + 1 < e->copies ? "  },\n" : "  }\n", f);
        }
    } else {
        if (arena)
            fprintf(f, "static uint64_t %s_arena[%" PRId64 "];\n", e->p, words);
        fprintf(f, "\nstatic FcRtTensor %s_t[%d] = {\n", e->p, e->ntensors ? e->ntensors : 1);
        emit_tensor_rows(e, 0);
    }
    fputs("};\n", f);
}

static void emit_i64(FILE *f, int64_t x)
{
    if (x == INT64_MIN)
        fputs("(-INT64_C(9223372036854775807) - 1)", f);
    else
        fprintf(f, "INT64_C(%" PRId64 ")", x);
}

static void emit_float(FILE *f, float x)
{
    if (isnan(x))
        fputs("NAN", f);
    else if (isinf(x))
        fputs(x > 0 ? "INFINITY" : "-INFINITY", f);
    else {
        char buf[48];
        snprintf(buf, sizeof buf, "%.9g", (double)x);
        /* "1" needs a fraction before the suffix: 1f is no C literal, 1.0f is. */
        fprintf(f, "%s%sf", buf, strpbrk(buf, ".e") ? "" : ".0");
    }
}

static void emit_node_arrays(Emitter *e, const FcNode *n, int k)
{
    FILE *f = e->f;
    fprintf(f, "static const int32_t %s_n%d_io[] = {", e->p, k);
    for (int i = 0; i < n->nin + n->nout; i++) {
        int id = i < n->nin ? n->in[i] : n->out[i - n->nin];
        fprintf(f, "%s%d", i ? ", " : "", id < 0 ? -1 : e->tidx[id]);
    }
    fputs(n->nin + n->nout ? "};\n" : "0};\n", f);
    if (n->nia) {
        fprintf(f, "static const int64_t %s_n%d_ia[] = {", e->p, k);
        for (int i = 0; i < n->nia; i++) {
            fputs(i ? ", " : "", f);
            emit_i64(f, emitted_ia(e, n, i));
        }
        fputs("};\n", f);
    }
    if (n->nfa) {
        fprintf(f, "static const float %s_n%d_fa[] = {", e->p, k);
        for (int i = 0; i < n->nfa; i++) {
            fputs(i ? ", " : "", f);
            emit_float(f, n->fa[i]);
        }
        fputs("};\n", f);
    }
}

static void emit_node_record(Emitter *e, const FcNode *n, int k, int c)
{
    FILE *f = e->f;
    fprintf(f, "    {%d, %d, %s_n%d_io, %s_n%d_io + %d, %d, %d, ", n->nin, n->nout, e->p, k, e->p,
            k, n->nin, n->nia, n->nfa);
    if (n->nia)
        fprintf(f, "%s_n%d_ia, ", e->p, k);
    else
        fputs("0, ", f);
    if (n->nfa)
        fprintf(f, "%s_n%d_fa, ", e->p, k);
    else
        fputs("0, ", f);
    if (n->scratch_bytes > 0) {
        emit_arena_ref(e, c, n->scratch_offset);
        fputs("}, /* ", f);
    } else
        fputs("0}, /* ", f);
    fprintf(f, "%s ", fc_ops[n->op].name);
    comment_safe(f, n->name);
    fputs(" */\n", f);
}

/* Node records are numbered in emission order over all blocks (depth first). */
static void emit_block_arrays(Emitter *e, const FcBlock *b, int *k)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        if (n->op == FC_OP_IF) {
            emit_block_arrays(e, n->branch[0], k);
            emit_block_arrays(e, n->branch[1], k);
            continue;
        }
        emit_node_arrays(e, n, (*k)++);
    }
}

static void emit_block_records(Emitter *e, const FcBlock *b, int *k, int c)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        if (n->op == FC_OP_IF) {
            emit_block_records(e, n->branch[0], k, c);
            emit_block_records(e, n->branch[1], k, c);
            continue;
        }
        emit_node_record(e, n, (*k)++, c);
    }
}

/* ---- run function ---------------------------------------------------------------------------- */

static void emit_c_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fprintf(f, isalnum((unsigned char)*s) || strchr("_./:-+ ()[],", *s) ? "%c" : "\\%03o",
                (unsigned char)*s);
    fputc('"', f);
}

static void emit_profile_names(Emitter *e, const FcBlock *b, int *k)
{
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        if (n->op == FC_OP_IF) {
            emit_profile_names(e, n->branch[0], k);
            emit_profile_names(e, n->branch[1], k);
            continue;
        }
        fprintf(e->f, "    {\"%s\", ", fc_ops[n->op].name);
        emit_c_string(e->f, n->name ? n->name : "");
        fprintf(e->f, "}, /* %d */\n", (*k)++);
    }
}

/* --profile: the wall time of every kernel call, summed over runs, and what each call is.
 * Not static: a program linking the model (--no-main) can read and reset them. */
static void emit_profile_tables(Emitter *e)
{
    FILE *f = e->f;
    int n = e->nnodes ? e->nnodes : 1, k = 0;
    fprintf(f, "\n/* --profile: milliseconds spent in each kernel call, summed over runs. */\n"
               "#include <time.h>\n"
               "const int %s_num_nodes = %d;\n"
               "double %s_node_ms[%d];\n"
               "const char *const %s_node_info[%d][2] = { /* op, ONNX node name */\n",
            e->p, e->nnodes, e->p, n, e->p, n);
    emit_profile_names(e, &e->g->top, &k);
    if (!e->nnodes)
        fputs("    {\"\", \"\"}\n", f);
    fprintf(f, "};\n\nstatic double %s_clock_ms(void)\n{\n    struct timespec ts;\n"
               "    clock_gettime(CLOCK_MONOTONIC, &ts);\n"
               "    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;\n}\n", e->p);
    if (e->copies > 1) /* the batch split's instances: which thread runs this one */
        fprintf(f, "\n#ifdef _OPENMP\n#include <omp.h>\n#endif\n"
                   "static int %s_thread(void)\n{\n#ifdef _OPENMP\n"
                   "    return omp_get_thread_num();\n#else\n    return 0;\n#endif\n}\n",
                e->p);
}

static void indent(FILE *f, int depth)
{
    fprintf(f, "%*s", 4 * depth, "");
}

static void emit_copy(Emitter *e, int dst, int src, int depth)
{
    const FcValue *v = fc_val(e->g, dst);
    indent(e->f, depth);
    fprintf(e->f, "memcpy(%s_t[%d].data, %s_t[%d].data, %zu);\n", e->p, e->tidx[dst], e->p,
            e->tidx[src], fc_value_bytes(v));
}

/* With --profile each call adds its wall time to <prefix>_node_ms[k]. */
static void emit_kernel_call(Emitter *e, const FcNode *n, int k, int depth)
{
    FILE *f = e->f;
    indent(f, depth);
    if (e->opt->profile)
        fprintf(f, "{\n%*sdouble t0 = %s_clock_ms();\n%*s", 4 * depth + 4, "", e->p,
                4 * depth + 4, "");
    fprintf(f, "%s(&%s_nodes%s[%d], %s_t%s);\n", fc_ops[n->op].kernel_name, e->p, e->sel, k,
            e->p, e->sel);
    if (e->opt->profile) {
        /* with a batch split, the instances thread 0 runs stand for the run (no shared
         * counters) */
        char on0[64];
        snprintf(on0, sizeof on0, "if (%s_thread() == 0) ", e->p);
        fprintf(f, "%*s%s%s_node_ms[%d] += %s_clock_ms() - t0;\n", 4 * depth + 4, "",
                e->copies > 1 ? on0 : "", e->p, k, e->p);
        indent(f, depth);
        fputs("}\n", f);
    }
}

static void emit_block_calls(Emitter *e, const FcBlock *b, int *k, int depth)
{
    FILE *f = e->f;
    for (int i = 0; i < b->nnodes; i++) {
        const FcNode *n = b->nodes[i];
        if (n->op != FC_OP_IF) {
            emit_kernel_call(e, n, (*k)++, depth);
            continue;
        }
        int c = e->tidx[n->in[0]];
        indent(f, depth);
        fprintf(f, "if (fc_rt_get_i64(%s_t[%d].data, %s_t[%d].dtype, 0) != 0) { /* If ", e->p, c,
                e->p, c);
        comment_safe(f, n->name);
        fputs(" */\n", f);
        for (int br = 0; br < 2; br++) {
            emit_block_calls(e, n->branch[br], k, depth + 1);
            for (int o = 0; o < n->nout; o++)
                if (n->out[o] >= 0)
                    emit_copy(e, n->out[o], n->branch[br]->outputs[o], depth + 1);
            indent(f, depth);
            fputs(br ? "}\n" : "} else {\n", f);
        }
    }
}

static void emit_signature(Emitter *e, FILE *f)
{
    char id[256];
    fprintf(f, "int %s_run(", e->p);
    for (int i = 0; i < e->g->ninputs; i++) {
        const FcValue *v = fc_val(e->g, e->g->inputs[i]);
        c_ident(id, sizeof id, v->name, i, "in");
        fprintf(f, "%sconst %s *%s", i ? ", " : "", c_type(v->dtype), id);
    }
    for (int i = 0; i < e->g->noutputs; i++) {
        const FcValue *v = fc_val(e->g, e->g->outputs[i]);
        c_ident(id, sizeof id, io_name(e, e->g->outputs, i), i, "out");
        fprintf(f, "%s%s *%s", i || e->g->ninputs ? ", " : "", c_type(v->dtype), id);
    }
    if (!e->g->ninputs && !e->g->noutputs)
        fputs("void", f);
    fputc(')', f);
}

/* Decodes the embedded weights on the first call; checks that the weights file is loaded. */
static void emit_weights_ready(Emitter *e)
{
    FILE *f = e->f;
    if (e->wbytes && e->opt->weights_file) {
        fprintf(f, "    if (!%s_weights)\n        return 2; /* %s_load_weights not called */\n",
                e->p, e->p);
    } else if (e->wbytes) {
        int64_t rows = (e->wbytes + BLOB_ROW - 1) / BLOB_ROW;
        fprintf(f, "    if (!%s_weights_ready) {\n        int64_t r;\n"
                "        for (r = 0; r < %" PRId64 "; r++)\n"
                "            fc_rt_weight_decode(%s_weight_text[r], %d,\n"
                "                             (unsigned char *)%s_weights + r * %d);\n"
                "        %s_weights_ready = 1;\n    }\n",
                e->p, rows, e->p, BLOB_ROW_CHARS, e->p, BLOB_ROW, e->p);
    }
}

/* Inputs fixed by --const-input: _run returns 1 when called with another value. */
static void emit_const_input_checks(Emitter *e)
{
    char id[256];
    for (int i = 0; i < e->g->ninputs; i++) {
        const FcValue *v = fc_val(e->g, e->g->inputs[i]);
        if (e->tidx[e->g->inputs[i]] < 0 || v->kind != FC_VAL_CONST)
            continue;
        c_ident(id, sizeof id, v->name, i, "in");
        fprintf(e->f, "    if (memcmp(%s_t%s[%d].data, %s, %zu) != 0)\n        return 1;\n", e->p,
                e->copies > 1 ? "[0]" : "", e->tidx[e->g->inputs[i]], id, fc_value_bytes(v));
    }
}

/* One side of emit_io_pointers: the inputs (out = 0) or the outputs (out = 1); for outputs,
 * point = 1 sets the caller_out ones' table rows, point = 0 copies the others out. */
static void emit_io_copies(Emitter *e, int out, int point, int depth)
{
    char id[256];
    const int *ids = out ? e->g->outputs : e->g->inputs;
    int n = out ? e->g->noutputs : e->g->ninputs;
    for (int i = 0; i < n; i++) {
        const FcValue *v = fc_val(e->g, ids[i]);
        if (!out && (e->tidx[ids[i]] < 0 || v->kind == FC_VAL_CONST))
            continue; /* an input no node reads, or one fixed by --const-input */
        if (out && v->caller_out != point)
            continue;
        c_ident(id, sizeof id, out ? io_name(e, ids, i) : v->name, i, out ? "out" : "in");
        size_t bytes = fc_value_bytes(v);
        char buf[300];
        if (e->copies > 1)
            snprintf(buf, sizeof buf, "(%schar *)%s + (size_t)c * %zu", out ? "" : "const ", id,
                     bytes);
        else
            snprintf(buf, sizeof buf, "%s", id);
        indent(e->f, depth);
        if (out && !point)
            fprintf(e->f, "memcpy(%s, %s_t%s[%d].data, %zu);\n", buf, e->p, e->sel,
                    e->tidx[ids[i]], bytes);
        else
            fprintf(e->f, "%s_t%s[%d].data = (void *)(%s);\n", e->p, e->sel, e->tidx[ids[i]],
                    buf);
    }
}

/* Points the tensor table at the run-time inputs where the caller keeps them (out = 0: the
 * kernels only read them, so there is no copy in) and at the caller's buffers of the outputs
 * the kernels write there (caller_out), or copies the other outputs out (out = 1); with a
 * batch split, instance c's slice: the bytes [c * size, (c + 1) * size) of the caller's
 * buffer. */
static void emit_io_pointers(Emitter *e, int out, int depth)
{
    if (!out)
        emit_io_copies(e, 1, 1, depth);
    emit_io_copies(e, out, 0, depth);
}

static void emit_run(Emitter *e)
{
    FILE *f = e->f;
    int k = 0;
    fputs("\n/* Runs the model once. Not reentrant: all state lives in static storage. The inputs\n"
          " * are read where the caller keeps them and most outputs written straight into the\n"
          " * caller's buffers: an output buffer must not overlap an input's. */\n", f);
    emit_signature(e, f);
    fputs("\n{\n", f);
    if (e->copies > 1)
        fputs("    int c;\n", f);
    emit_weights_ready(e);
    emit_const_input_checks(e);
    if (e->copies == 1) {
        emit_io_pointers(e, 0, 1);
        emit_block_calls(e, &e->g->top, &k, 1);
        emit_io_pointers(e, 1, 1);
        fputs("    return 0;\n}\n", f);
        return;
    }
    /* Batch split: instance c runs the whole graph on slice c of the batch with its own
     * arena, one instance per thread, or several per thread dealt out one at a time as the
     * threads finish (a thread on a slower core takes fewer); without -fopenmp the instances
     * run one after the other. */
    fprintf(f, "#ifdef _OPENMP\n#pragma omp parallel for schedule(%s) num_threads(%d)\n"
               "#endif\n    for (c = 0; c < %d; c++) {\n",
            e->copies > e->threads ? "dynamic, 1" : "static", e->threads, e->copies);
    emit_io_pointers(e, 0, 2);
    emit_block_calls(e, &e->g->top, &k, 2);
    emit_io_pointers(e, 1, 2);
    fputs("    }\n    return 0;\n}\n", f);
}

/* ---- metadata and main ----------------------------------------------------------------------- */

static const char *io_name(const Emitter *e, const int *ids, int i)
{
    if (ids == e->g->outputs && e->g->output_names)
        return e->g->output_names[i];
    return fc_val(e->g, ids[i])->name;
}

static void emit_io_info(Emitter *e, const char *what, const int *ids, int n)
{
    FILE *f = e->f;
    fprintf(f, "const FcRtIoInfo %s_%s[%d] = {\n", e->p, what, n ? n : 1);
    for (int i = 0; i < n; i++) {
        const FcValue *v = fc_val(e->g, ids[i]);
        fputs("    {\"", f);
        for (const char *s = io_name(e, ids, i); *s; s++)
            fprintf(f, isalnum((unsigned char)*s) || strchr("_./:-", *s) ? "%c" : "\\%03o",
                    (unsigned char)*s);
        fprintf(f, "\", %d, %d, {", v->dtype, v->rank);
        for (int d = 0; d < v->rank; d++)
            fprintf(f, "%s%" PRId64, d ? ", " : "", io_dim(e, v, d));
        fputs(v->rank ? "}},\n" : "0}},\n", f);
    }
    if (!n)
        fputs("    {\"\", 0, 0, {0}}\n", f);
    fputs("};\n", f);
}

static void emit_io_struct(FILE *f)
{
    fputs("#ifndef FC_RT_IO_INFO\n#define FC_RT_IO_INFO\n"
          "typedef struct FcRtIoInfo {\n    const char *name;\n    int32_t dtype; /* ONNX "
          "TensorProto.DataType */\n    int32_t rank;\n    int64_t dims[8];\n} FcRtIoInfo;\n"
          "#endif\n", f);
}

static void emit_metadata(Emitter *e)
{
    FILE *f = e->f;
    fputs("\n/* I/O metadata, also in the header fastc --header writes. */\n", f);
    emit_io_struct(f);
    fprintf(f, "const int %s_num_inputs = %d;\nconst int %s_num_outputs = %d;\n", e->p,
            e->g->ninputs, e->p, e->g->noutputs);
    emit_io_info(e, "inputs", e->g->inputs, e->g->ninputs);
    emit_io_info(e, "outputs", e->g->outputs, e->g->noutputs);
    /* Pointer-array entry point: what main() and generic callers use. */
    fprintf(f, "\nint %s_run_ptrs(const void *const *inputs, void *const *outputs)\n{\n", e->p);
    fprintf(f, "    (void)inputs;\n    (void)outputs;\n    return %s_run(", e->p);
    for (int i = 0; i < e->g->ninputs; i++)
        fprintf(f, "%s(const %s *)inputs[%d]", i ? ", " : "",
                c_type(fc_val(e->g, e->g->inputs[i])->dtype), i);
    for (int i = 0; i < e->g->noutputs; i++)
        fprintf(f, "%s(%s *)outputs[%d]", i || e->g->ninputs ? ", " : "",
                c_type(fc_val(e->g, e->g->outputs[i])->dtype), i);
    fputs(");\n}\n", f);
}

static void emit_main(Emitter *e)
{
    const FcEmbeddedSource *m = find_source("fc_main.c");
    FILE *f = e->f;
    fprintf(f, "\n/* ---- main(): runtime/fc_main.c ---- */\n");
    fprintf(f, "#define FC_MODEL_NUM_INPUTS %s_num_inputs\n", e->p);
    fprintf(f, "#define FC_MODEL_NUM_OUTPUTS %s_num_outputs\n", e->p);
    fprintf(f, "#define FC_MODEL_INPUTS %s_inputs\n", e->p);
    fprintf(f, "#define FC_MODEL_OUTPUTS %s_outputs\n", e->p);
    fprintf(f, "#define FC_MODEL_RUN %s_run_ptrs\n", e->p);
    if (e->opt->profile) {
        fprintf(f, "#define FC_MODEL_NUM_NODES %s_num_nodes\n", e->p);
        fprintf(f, "#define FC_MODEL_NODE_MS %s_node_ms\n", e->p);
        fprintf(f, "#define FC_MODEL_NODE_INFO %s_node_info\n", e->p);
    }
    if (e->opt->weights_file && e->wbytes) {
        fprintf(f, "#define FC_MODEL_LOAD_WEIGHTS %s_load_weights\n", e->p);
        fputs("#define FC_MODEL_WEIGHTS_FILE \"", f);
        for (const char *s = e->opt->weights_file; *s; s++)
            fprintf(f, isalnum((unsigned char)*s) || strchr("_./:-", *s) ? "%c" : "\\%03o",
                    (unsigned char)*s);
        fputs("\"\n", f);
    }
    paste_source(f, m->text);
}

static void emit_header_comment(Emitter *e, FILE *f)
{
    fputs("/* Generated by fastc " FC_VERSION " from ", f);
    comment_safe(f, e->opt->model_name ? e->opt->model_name : e->g->path);
    fprintf(f, " (ai.onnx opset %" PRId64 "). Do not edit.\n *\n", e->g->opset);
    if (e->g->notes) {
        fputs(" * ", f);
        comment_safe(f, e->g->notes);
        fputs("\n *\n", f);
    }
    for (int io = 0; io < 2; io++) {
        const int *ids = io ? e->g->outputs : e->g->inputs;
        int n = io ? e->g->noutputs : e->g->ninputs;
        fprintf(f, " * %s:\n", io ? "Outputs" : "Inputs");
        for (int i = 0; i < n; i++) {
            const FcValue *v = fc_val(e->g, ids[i]);
            fprintf(f, " *   %d: ", i);
            comment_safe(f, io_name(e, ids, i));
            fprintf(f, " %s", onnx_type_name(v->dtype));
            print_io_shape(e, f, v);
            fputc('\n', f);
        }
    }
    fputs(" *\n * ", f);
    emit_signature(e, f);
    fputs(";\n * Returns 0, or 1 if an input fixed with --const-input gets another value", f);
    if (e->opt->weights_file && e->wbytes) {
        fputs(", or 2 if\n * the weights are not loaded: call first\n *   int ", f);
        fprintf(f, "%s_load_weights(const char *path);\n * with the file fastc --weights wrote (", e->p);
        comment_safe(f, e->opt->weights_file);
        fputs(");\n * it returns 0, 1 if the file cannot be read, 2 if it belongs to another "
              "compile, 3 if out\n * of memory", f);
    }
    fputs(".\n * Little-endian targets only (the weights are stored as bytes).\n */\n", f);
}

/* The tensor table, the runtime files and the weight layout: what every output derives from. */
static void emitter_init(Emitter *e, FILE *f, const FcGraph *g, const FcEmitOptions *opt)
{
    memset(e, 0, sizeof *e);
    e->f = f;
    e->g = g;
    e->opt = opt;
    e->p = opt->prefix ? opt->prefix : "model";
    e->copies = g->batch_copies > 1 ? g->batch_copies : 1;
    e->threads = e->copies > 1 && g->batch_threads > 1 ? g->batch_threads : e->copies;
    e->sel = e->copies > 1 ? "[c]" : "";
    e->tidx = malloc(sizeof(int) * (size_t)(g->nvals + 1));
    e->tvals = malloc(sizeof(int) * (size_t)(g->nvals + 1));
    e->woff = calloc((size_t)g->nvals + 1, sizeof(int64_t));
    e->packed = calloc((size_t)g->nvals + 1, 1);
    e->packer = calloc((size_t)g->nvals + 1, sizeof *e->packer);
    e->files = calloc(FC_OP_COUNT + 64, sizeof(char *));
    for (int i = 0; i < g->nvals; i++)
        e->tidx[i] = -1;
    for (int i = 0; i < g->ninputs; i++)
        use_value(e, g->inputs[i]);
    collect_values(e, &g->top);
    for (int i = 0; i < g->noutputs; i++)
        use_value(e, g->outputs[i]);
    collect_files(e, &g->top);
    find_prepacked(e, &g->top);
    for (int i = 0; i < g->noutputs; i++)
        e->packed[g->outputs[i]] = -1; /* an output constant is copied out as it is */
    for (int i = 0; i < g->ninputs; i++)
        e->packed[g->inputs[i]] = -1; /* _run compares an input fixed by --const-input
                                       * with the value as it is */
    layout_weights(e);
}

static void emitter_free(Emitter *e)
{
    free(e->tidx);
    free(e->tvals);
    free(e->woff);
    free(e->packed);
    free(e->packer);
    free(e->files);
}

int fc_emit_c(FILE *f, const FcGraph *g, const FcEmitOptions *opt)
{
    Emitter e;
    emitter_init(&e, f, g, opt);

    emit_header_comment(&e, f);
    if (opt->with_main || opt->profile)
        fputs("#define _POSIX_C_SOURCE 199309L /* clock_gettime for --bench, --profile */\n", f);
    /* Kernels parallelize with OpenMP pragmas (fc_rt.h's FC_RT_OMP_FOR) on FC_RT_THREADS
     * threads; without -fopenmp they compile away. Scratch memory was sized per thread. */
    if (g->threads > 1)
        fprintf(f, "#define FC_RT_THREADS %d\n", g->threads);
    fprintf(f, "#define FC_RT_ACTS 0x%" PRIx64 " /* the fused activations this graph applies */\n",
            graph_mask(&g->top, fused_act_bit));
    paste_source(f, find_source("fc_rt.h")->text);
    if (e.wbytes && !opt->weights_file)
        e.files[e.nfiles++] = "fc_weights.c";
    for (int i = 0; i < e.nfiles; i++) {
        fprintf(f, "\n/* ---- runtime/%s ---- */\n", e.files[i]);
        if (!strcmp(e.files[i], "k_binary.c"))
            fprintf(f, "#define FC_BIN_OPS 0x%" PRIx64 "u /* the binary ops this graph runs */\n",
                    graph_mask(&g->top, binary_op_bit));
        if (!strcmp(e.files[i], "k_unary.c"))
            fprintf(f, "#define FC_UN_OPS 0x%" PRIx64 "ull /* the unary ops this graph runs */\n",
                    graph_mask(&g->top, unary_op_bit));
        if (!strcmp(e.files[i], "k_conv.c"))
            fprintf(f, "#define FC_CV_MODES 0x%" PRIx64 " /* the Conv modes this graph runs */\n",
                    graph_mask(&g->top, conv_mode_bit));
        paste_source(f, find_source(e.files[i])->text);
    }
    emit_weights(&e);
    emit_tensor_table(&e);
    if (e.wbytes && opt->weights_file)
        emit_weight_loader(&e);
    fputs("\n/* One record per kernel call, in execution order. */\n", f);
    int k = 0;
    emit_block_arrays(&e, &g->top, &k);
    e.nnodes = k;
    /* A graph without kernel calls (all folded or copies) gets no node table: an unused
     * static array fails -Werror=unused-variable. */
    if (k && e.copies > 1) {
        fprintf(f, "static FcRtNode %s_nodes[%d][%d] = {\n", e.p, e.copies, k);
        for (int c = 0; c < e.copies; c++) {
            fprintf(f, "  { /* instance %d */\n", c);
            k = 0;
            emit_block_records(&e, &g->top, &k, c);
            fputs(c + 1 < e.copies ? "  },\n" : "  }\n", f);
        }
        fputs("};\n", f);
    } else if (k) {
        fprintf(f, "static FcRtNode %s_nodes[%d] = {\n", e.p, k);
        k = 0;
        emit_block_records(&e, &g->top, &k, 0);
        fputs("};\n", f);
    }
    if (opt->profile)
        emit_profile_tables(&e);
    emit_run(&e);
    emit_metadata(&e);
    if (opt->with_main)
        emit_main(&e);
    emitter_free(&e);
    return ferror(f) ? -1 : 0;
}

int fc_emit_weights(FILE *f, const FcGraph *g, const FcEmitOptions *opt, uint64_t *id)
{
    Emitter e;
    emitter_init(&e, f, g, opt);
    int rc = write_weight_file(&e, id);
    emitter_free(&e);
    return rc;
}

int fc_emit_header(FILE *f, const FcGraph *g, const FcEmitOptions *opt)
{
    Emitter e;
    emitter_init(&e, f, g, opt);
    char guard[256];
    snprintf(guard, sizeof guard, "%s_FASTC_H", e.p);
    for (char *s = guard; *s; s++)
        *s = (char)toupper((unsigned char)*s);
    emit_header_comment(&e, f);
    fprintf(f, "#ifndef %s\n#define %s\n#include <stdint.h>\n", guard, guard);
    emit_io_struct(f);
    emit_signature(&e, f);
    fprintf(f, ";\nint %s_run_ptrs(const void *const *inputs, void *const *outputs);\n", e.p);
    if (opt->weights_file && e.wbytes)
        fprintf(f, "int %s_load_weights(const char *path);\n", e.p);
    if (opt->profile)
        fprintf(f, "extern const int %s_num_nodes;\nextern double %s_node_ms[];\n"
                   "extern const char *const %s_node_info[][2];\n", e.p, e.p, e.p);
    fprintf(f, "extern const int %s_num_inputs;\nextern const int %s_num_outputs;\n", e.p, e.p);
    fprintf(f, "extern const FcRtIoInfo %s_inputs[];\nextern const FcRtIoInfo %s_outputs[];\n",
            e.p, e.p);
    fprintf(f, "#endif\n");
    emitter_free(&e);
    return ferror(f) ? -1 : 0;
}
