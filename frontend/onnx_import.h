/* onnx_import.h — ONNX ModelProto → fastc IR. The only part of fastc that knows protobuf. */
#ifndef FC_ONNX_IMPORT_H
#define FC_ONNX_IMPORT_H

#include "ir.h"

/* A user-fixed shape for a graph input: `name` is the input's name, or "@K" for the K-th
 * runtime input (by position). */
typedef struct FcShapeOverride {
    const char *name;
    int rank;
    int64_t dims[FC_MAX_RANK];
} FcShapeOverride;

/* A value for a symbolic dimension parameter (dim_param). */
typedef struct FcDimOverride {
    const char *name;
    int64_t value;
} FcDimOverride;

/* A graph input whose value is fixed at compile time (read from a TensorProto file): the
 * generated code is specialized for it, and <prefix>_run returns 1 if called with another
 * value. Used for inputs that decide shapes (a Reshape's shape fed as an input, ...). */
typedef struct FcConstInput {
    const char *name; /* input name or "@K" */
    const char *file;
} FcConstInput;

typedef struct FcImportOptions {
    const FcShapeOverride *shapes;
    int nshapes;
    const FcDimOverride *dims;
    int ndims;
    const FcConstInput *consts;
    int nconsts;
} FcImportOptions;

/* Highest ai.onnx opset fastc accepts. */
#define FC_MAX_OPSET 28

/* Loads `path` into a new graph. On failure returns NULL and writes one line to err. */
FcGraph *fc_onnx_load(const char *path, const FcImportOptions *opt, char *err, size_t errlen);
/* The same from the `len` bytes at `data` (the fuzz target's entry point). `path` names the
 * model in messages and locates its external data (which must stay in path's folder). */
FcGraph *fc_onnx_load_buffer(const void *data, size_t len, const char *path,
                             const FcImportOptions *opt, char *err, size_t errlen);

#endif
