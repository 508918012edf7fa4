/* tensor_pb.c — decodes an ONNX TensorProto into a constant IR value.
 *
 * ONNX stores tensor bytes in one of several places: raw_data (little-endian bytes), a typed
 * repeated field (float_data, int32_data for every type of 32 bits or less, int64_data,
 * double_data, uint64_data for uint32/uint64), or an external file next to the model. Every
 * size is checked against the dims before a byte is copied: a model is untrusted input. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tensor_pb.h"

static int check_dims(FcGraph *g, const FcNode *n, const Onnx__TensorProto *t, FcValue *v)
{
    const char *name = t->name ? t->name : "";
    if (t->n_dims > FC_MAX_RANK)
        return fc_err(g, n, "tensor '%s' has rank %zu (fastc supports up to %d)", name,
                      t->n_dims, FC_MAX_RANK);
    int64_t numel = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0)
            return fc_err(g, n, "tensor '%s' has negative dimension %lld", name,
                          (long long)t->dims[i]);
        if (t->dims[i] > 0 && numel > (INT64_C(1) << 40) / t->dims[i])
            return fc_err(g, n, "tensor '%s' is too large", name);
        numel *= t->dims[i];
        v->dims[i] = t->dims[i];
    }
    v->rank = (int32_t)t->n_dims;
    return 0;
}

/* Does relative path `loc` have a component that is exactly ".."? ("a..b" is a fine name.) */
static int has_parent_component(const char *loc)
{
    for (const char *c = loc; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
        if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
            return 1;
    return 0;
}

/* Resolves an external-data location inside model_dir. The name may not be absolute or climb
 * with "..", and what it finally names (symbolic links followed) must be a regular file inside
 * the model's folder: a link to /etc/shadow is as much an escape as "../../etc/shadow", and a
 * FIFO or device would hang or never end. */
static int external_path(FcGraph *g, const FcNode *n, const char *model_dir, const char *loc,
                         char *out, size_t outlen)
{
    if (loc[0] == '/' || has_parent_component(loc) || strchr(loc, '\\'))
        return fc_err(g, n, "external data path '%s' escapes the model's folder", loc);
    snprintf(out, outlen, "%s/%s", model_dir, loc);
    char *dir = realpath(model_dir, NULL), *file = realpath(out, NULL);
    int inside = 1, regular = 1;
    struct stat st;
    if (dir && file) {
        size_t len = strlen(dir);
        inside = strncmp(file, dir, len) == 0 && (file[len] == '/' || strcmp(dir, "/") == 0);
        regular = stat(file, &st) == 0 && S_ISREG(st.st_mode);
    }
    free(dir);
    free(file);
    if (!inside)
        return fc_err(g, n, "external data path '%s' escapes the model's folder (through a "
                      "symbolic link)", loc);
    if (!regular)
        return fc_err(g, n, "external data path '%s' is not a regular file", loc);
    return 0; /* a missing file is reported when it is opened */
}

/* Reads the tensor's bytes from its external file into a fresh v->data. */
static int read_external(FcGraph *g, const FcNode *n, const Onnx__TensorProto *t,
                         const char *model_dir, FcValue *v, size_t bytes)
{
    const char *loc = NULL;
    long long offset = 0, length = -1;
    for (size_t i = 0; i < t->n_external_data; i++) {
        const char *k = t->external_data[i]->key, *val = t->external_data[i]->value;
        if (!k || !val)
            continue;
        if (strcmp(k, "location") == 0)
            loc = val;
        else if (strcmp(k, "offset") == 0)
            offset = atoll(val);
        else if (strcmp(k, "length") == 0)
            length = atoll(val);
    }
    const char *name = t->name ? t->name : "";
    if (!loc)
        return fc_err(g, n, "tensor '%s' has external data without a location", name);
    char path[4096];
    if (external_path(g, n, model_dir, loc, path, sizeof path))
        return -1;
    if (offset < 0 || (length >= 0 && (size_t)length != bytes))
        return fc_err(g, n, "tensor '%s': external data length %lld does not match its dims "
                      "(%zu bytes)", name, length, bytes);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fc_err(g, n, "tensor '%s': cannot open external data file '%s'", name, loc);
    /* The file must hold the bytes before they are allocated: dims are untrusted (fuzz). */
    off_t size = fseeko(f, 0, SEEK_END) == 0 ? ftello(f) : -1;
    int ok = size >= 0 && (uint64_t)offset <= (uint64_t)size &&
             bytes <= (uint64_t)(size - (off_t)offset);
    if (ok) {
        v->data = fc_arena_alloc(&g->arena, bytes ? bytes : 1);
        ok = fseeko(f, (off_t)offset, SEEK_SET) == 0 && fread(v->data, 1, bytes, f) == bytes;
    }
    fclose(f);
    if (!ok)
        return fc_err(g, n, "tensor '%s': external data file '%s' is shorter than its dims "
                      "need", name, loc);
    return 0;
}

/* Copies a typed repeated field, narrowing each element to the tensor's dtype. */
static int copy_typed(FcGraph *g, const FcNode *n, const Onnx__TensorProto *t, FcValue *v,
                      int64_t numel)
{
    const char *name = t->name ? t->name : "";
    size_t count;
    int32_t dt = v->dtype;
    if (dt == FC_DT_F32)
        count = t->n_float_data;
    else if (dt == FC_DT_F64)
        count = t->n_double_data;
    else if (dt == FC_DT_I64)
        count = t->n_int64_data;
    else if (dt == FC_DT_U32 || dt == FC_DT_U64)
        count = t->n_uint64_data;
    else
        count = t->n_int32_data;
    if ((int64_t)count != numel)
        return fc_err(g, n, "tensor '%s' holds %zu values but its dims need %lld", name, count,
                      (long long)numel);
    v->data = fc_arena_alloc(&g->arena, (size_t)numel * fc_rt_dtype_size(dt) + 1);
    for (int64_t i = 0; i < numel; i++) {
        switch (dt) {
        case FC_DT_F32: ((float *)v->data)[i] = t->float_data[i]; break;
        case FC_DT_F64: ((double *)v->data)[i] = t->double_data[i]; break;
        case FC_DT_I64: ((int64_t *)v->data)[i] = t->int64_data[i]; break;
        case FC_DT_U32: ((uint32_t *)v->data)[i] = (uint32_t)t->uint64_data[i]; break;
        case FC_DT_U64: ((uint64_t *)v->data)[i] = t->uint64_data[i]; break;
        case FC_DT_F16: ((uint16_t *)v->data)[i] = (uint16_t)t->int32_data[i]; break;
        default: fc_rt_set_i64(v->data, dt, i, t->int32_data[i]); break;
        }
    }
    return 0;
}

int fc_tensor_decode(FcGraph *g, const Onnx__TensorProto *t, const char *model_dir,
                     const FcNode *n, FcValue *v)
{
    const char *name = t->name ? t->name : "";
    v->kind = FC_VAL_CONST;
    v->dtype = t->has_data_type ? t->data_type : FC_DT_UNDEF;
    if (fc_rt_dtype_size(v->dtype) == 0) {
        const char *tn = fc_onnx_dtype_name(v->dtype);
        return fc_err(g, n, "tensor '%s' has unsupported data type %d (%s)", name,
                      (int)v->dtype, tn ? tn : "unknown");
    }
    if (check_dims(g, n, t, v))
        return -1;
    int64_t numel = fc_value_numel(v);
    size_t bytes = (size_t)numel * fc_rt_dtype_size(v->dtype);
    /* Each branch checks that the data is there before allocating v->data: the dims alone
     * may ask for terabytes (fuzz). */
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return read_external(g, n, t, model_dir, v, bytes);
    if (t->has_raw_data) {
        if (t->raw_data.len != bytes)
            return fc_err(g, n, "tensor '%s' raw_data has %zu bytes but its dims need %zu", name,
                          t->raw_data.len, bytes);
        v->data = fc_arena_alloc(&g->arena, bytes ? bytes : 1);
        if (bytes)
            memcpy(v->data, t->raw_data.data, bytes);
        return 0;
    }
    return copy_typed(g, n, t, v, numel);
}
