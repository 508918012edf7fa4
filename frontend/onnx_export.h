/* onnx_export.h — writing the (optimized) IR as an ONNX model: fastc --emit=onnx. */
#ifndef FC_ONNX_EXPORT_H
#define FC_ONNX_EXPORT_H
#include <stdio.h>
#include "ir.h"
/* Writes g as a serialized ModelProto; fastc-only ops become standard ONNX ops. */
int fc_onnx_export(FcGraph *g, FILE *f);
#endif
