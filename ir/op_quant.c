/* op_quant.c — prepare functions of the quantization group: QuantizeLinear,
 * DequantizeLinear (opsets 10 to 25: per-tensor, per-axis and, from opset 21, blocked scales)
 * and DynamicQuantizeLinear (opset 11). Kernels: runtime/k_quant.c, whose file comment gives
 * the packed parameters (the scale geometry ia[0..6], QuantizeLinear's ia[7]).
 *
 * The integer types are those fastc's IR has: u8, i8, u16, i16 (and i32 for
 * DequantizeLinear's x). int4, int2, float8 and float4 models already stop at import, whose
 * error names the type; an output_dtype attribute naming one of them stops here. */
#include <string.h>
#include "ir.h"

/* Defined in runtime/k_quant.c. */
int64_t fc_rt_dequantize_scratch_bytes(int32_t scale_dt, int64_t scale_numel, int32_t y_dt,
                                       int64_t numel);

static int is_quant_type(int32_t dt)
{
    return dt == FC_DT_U8 || dt == FC_DT_I8 || dt == FC_DT_U16 || dt == FC_DT_I16;
}

static int is_scale_type(int32_t dt)
{
    return dt == FC_DT_F32 || dt == FC_DT_F16;
}

static int64_t dims_prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= d[i];
    return p;
}

/* ONNX type names in messages: they name also the types fastc lacks (int4, float8...). */
static const char *type_name(int32_t dt)
{
    const char *s = fc_onnx_dtype_name(dt);
    return s ? s : "of unknown number";
}

/* The error for a dtype the op does not take. */
static int err_dtype(FcGraph *g, const FcNode *n, const char *what, int32_t dt,
                     const char *supported)
{
    return fc_err(g, n, "unsupported %s type %s (supported: %s)", what, type_name(dt),
                  supported);
}

/* Works out where each x element's scale is (per-tensor, per-axis or blocked) from the
 * shapes of x and the scale and the axis / block_size attributes, checks the zero point's
 * shape, and packs ia[0..6] (runtime/k_quant.c). */
static int pack_geometry(FcGraph *g, FcNode *n, const FcValue *x, const FcValue *s,
                         const FcValue *zp, int64_t *ia)
{
    int64_t block = fc_attr_i(n, "block_size", 0);
    const char *sname = n->op == FC_OP_DEQUANTIZE_LINEAR ? "x_scale" : "y_scale";
    if (zp && (zp->rank != s->rank ||
               memcmp(zp->dims, s->dims, sizeof(int64_t) * (size_t)s->rank) != 0))
        return fc_err(g, n, "zero point and %s must have the same shape", sname);
    if (block < 0)
        return fc_err(g, n, "block_size must be >= 0 (got %lld)", (long long)block);
    if (fc_value_numel(s) == 1 && (s->rank <= 1 || block > 0)) { /* per-tensor */
        ia[0] = 1, ia[1] = 1, ia[2] = fc_value_numel(x), ia[3] = 1;
        ia[4] = ia[5] = ia[6] = 0;
        return 0;
    }
    int64_t axis;
    if (x->rank == 0)
        return fc_err(g, n, "%s must be a scalar for a scalar input", sname);
    if (fc_norm_axis(g, n, fc_attr_i(n, "axis", 1), x->rank, &axis))
        return -1;
    int64_t D = x->dims[axis], outer = dims_prod(x->dims, 0, (int)axis);
    int64_t inner = dims_prod(x->dims, (int)axis + 1, x->rank);
    if (block == 0) { /* per-axis */
        if (s->rank != 1 || s->dims[0] != D)
            return fc_err(g, n, "%s must be a scalar or 1-D of length %lld (axis %lld), got "
                          "rank %d", sname, (long long)D, (long long)axis, s->rank);
        if (inner == 1) /* the scale runs along each row: rows of D with one scale each */
            ia[0] = outer, ia[1] = 1, ia[2] = D, ia[3] = 1, ia[4] = 0, ia[5] = 0, ia[6] = 1;
        else
            ia[0] = outer, ia[1] = D, ia[2] = inner, ia[3] = 1, ia[4] = 0, ia[5] = 1, ia[6] = 0;
        return 0;
    }
    int64_t nb = (D + block - 1) / block;
    if (s->rank != x->rank)
        return fc_err(g, n, "blocked quantization: %s must have the input's rank %d (got %d)",
                      sname, x->rank, s->rank);
    for (int i = 0; i < x->rank; i++) {
        int64_t want = i == axis ? nb : x->dims[i];
        if (s->dims[i] != want)
            return fc_err(g, n, "blocked quantization: %s dimension %d is %lld, expected %lld "
                          "(input dimension %lld%s, block_size %lld)", sname, i,
                          (long long)s->dims[i], (long long)want, (long long)x->dims[i],
                          i == axis ? " cut into blocks" : "", (long long)block);
    }
    ia[0] = outer, ia[1] = D, ia[2] = inner, ia[3] = block;
    ia[4] = nb * inner, ia[5] = inner, ia[6] = 1;
    return 0;
}

/* ---- QuantizeLinear --------------------------------------------------------------------- */

/* The dtype x / scale is rounded to: the `precision` attribute, else numpy's promotion of the
 * two (as the ONNX reference computes it). -1 after an error. */
static int32_t quotient_dtype(FcGraph *g, FcNode *n, int32_t xdt, int32_t sdt)
{
    int64_t p = fc_attr_i(n, "precision", 0);
    if (p == FC_DT_F32 || p == FC_DT_F16)
        return (int32_t)p;
    if (p != 0)
        return fc_err(g, n, "unsupported precision %s (supported: float, float16)",
                      type_name((int32_t)p));
    if (xdt == FC_DT_I32 || xdt == FC_DT_F64)
        return FC_DT_F64;
    return xdt == FC_DT_F16 && sdt == FC_DT_F16 ? FC_DT_F16 : FC_DT_F32;
}

int fc_prep_quantize_linear(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *s = fc_in(g, n, 1), *zp = fc_in(g, n, 2);
    int64_t odt = fc_attr_i(n, "output_dtype", 0);
    if (x->dtype != FC_DT_F32 && x->dtype != FC_DT_F16 && x->dtype != FC_DT_I32)
        return err_dtype(g, n, "input", x->dtype, "float, float16, int32");
    if (!is_scale_type(s->dtype))
        return err_dtype(g, n, "y_scale", s->dtype, "float, float16");
    if (zp && odt != 0 && odt != zp->dtype)
        return fc_err(g, n, "output_dtype %s differs from the zero point's type %s",
                      type_name((int32_t)odt), type_name(zp->dtype));
    int32_t ydt = zp ? zp->dtype : odt ? (int32_t)odt : FC_DT_U8;
    if (!is_quant_type(ydt))
        return err_dtype(g, n, "output", ydt, "uint8, int8, uint16, int16");
    int32_t qdt = quotient_dtype(g, n, x->dtype, s->dtype);
    if (qdt < 0)
        return -1;
    int64_t *ia = fc_pack_ints(g, n, 8);
    if (pack_geometry(g, n, x, s, zp, ia))
        return -1;
    ia[7] = qdt;
    n->scratch_bytes = 0;
    return fc_set_out(g, n, 0, ydt, x->rank, x->dims);
}

/* ---- DequantizeLinear ------------------------------------------------------------------- */

int fc_prep_dequantize_linear(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0), *s = fc_in(g, n, 1), *zp = fc_in(g, n, 2);
    if (!is_quant_type(x->dtype) && x->dtype != FC_DT_I32)
        return err_dtype(g, n, "input", x->dtype, "uint8, int8, uint16, int16, int32");
    if (!is_scale_type(s->dtype))
        return err_dtype(g, n, "x_scale", s->dtype, "float, float16");
    if (zp && zp->dtype != x->dtype)
        return fc_err(g, n, "zero point type %s differs from the input's %s",
                      type_name(zp->dtype), type_name(x->dtype));
    int32_t ydt = (int32_t)fc_attr_i(n, "output_dtype", 0);
    if (ydt == 0)
        ydt = s->dtype;
    if (!is_scale_type(ydt))
        return err_dtype(g, n, "output", ydt, "float, float16");
    if (zp && x->dtype == FC_DT_I32 && zp->kind == FC_VAL_CONST) {
        for (int64_t i = 0; i < fc_value_numel(zp); i++)
            if (((const int32_t *)zp->data)[i] != 0)
                return fc_err(g, n, "an int32 input needs a zero point of 0 (element %lld is "
                              "%d)", (long long)i, (int)((const int32_t *)zp->data)[i]);
    }
    int64_t *ia = fc_pack_ints(g, n, 7);
    if (pack_geometry(g, n, x, s, zp, ia))
        return -1;
    n->scratch_bytes = fc_rt_dequantize_scratch_bytes(s->dtype, fc_value_numel(s), ydt,
                                                      fc_value_numel(x));
    return fc_set_out(g, n, 0, ydt, x->rank, x->dims);
}

/* ---- DynamicQuantizeLinear -------------------------------------------------------------- */

int fc_prep_dynamic_quantize_linear(FcGraph *g, FcNode *n)
{
    FcValue *x = fc_in(g, n, 0);
    if (x->dtype != FC_DT_F32)
        return err_dtype(g, n, "input", x->dtype, "float");
    const int64_t scalar[1] = {1};
    n->scratch_bytes = 0;
    if (fc_set_out(g, n, 0, FC_DT_U8, x->rank, x->dims) ||
        fc_set_out(g, n, 1, FC_DT_F32, 0, scalar) || fc_set_out(g, n, 2, FC_DT_U8, 0, scalar))
        return -1;
    return 0;
}
