/* tensor_pb.h — decoding ONNX TensorProto payloads (raw, typed fields, external data). */
#ifndef FC_TENSOR_PB_H
#define FC_TENSOR_PB_H

#include "ir.h"
#include "onnx.pb-c.h"

/* Fills constant value v (dtype, dims, data) from t. `model_dir` resolves external data;
 * external paths must stay inside it. `what` names the tensor in messages. */
int fc_tensor_decode(FcGraph *g, const Onnx__TensorProto *t, const char *model_dir,
                     const FcNode *n, FcValue *v);

#endif
