#!/usr/bin/env python3
"""Minimal ONNX protobuf reader/writer for the test runners (stdlib only).

The runners must work on a bare Debian with python3, so neither the `onnx` package nor numpy is
available. This module reads just enough of the protobuf wire format to
  * decode a TensorProto (.pb test data) into a flat Python list of values, and write one back
    (dims + data_type + name + raw_data);
  * list a ModelProto's runtime inputs (graph inputs that have no initializer), its outputs and
    their declared types, so a runner can map input_K.pb / output_K.pb to graph positions.
Field numbers follow onnx.proto. Tensor values come back row-major as float (float16/32/64,
bfloat16), int (all integer types), bool, or bytes (string).

Self-test: python3 onnx_pb.py --self-test     Dump a file: python3 onnx_pb.py FILE.pb|MODEL.onnx
"""
import math
import struct
import sys

# ---- TensorProto.DataType ------------------------------------------------------------------

FLOAT, UINT8, INT8, UINT16, INT16, INT32, INT64, STRING, BOOL = 1, 2, 3, 4, 5, 6, 7, 8, 9
FLOAT16, DOUBLE, UINT32, UINT64, COMPLEX64, COMPLEX128, BFLOAT16 = 10, 11, 12, 13, 14, 15, 16

DTYPE_NAMES = {
    0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32',
    7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32',
    13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16', 17: 'float8e4m3fn',
    18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
    23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
}

# struct format letter of each fixed-size dtype as stored in raw_data (little-endian).
# bfloat16 is read as uint16 bits and widened by _bf16_to_float.
_RAW_FORMAT = {
    FLOAT: 'f', UINT8: 'B', INT8: 'b', UINT16: 'H', INT16: 'h', INT32: 'i', INT64: 'q',
    BOOL: 'B', FLOAT16: 'e', DOUBLE: 'd', UINT32: 'I', UINT64: 'Q', BFLOAT16: 'H',
}

FLOAT_DTYPES = frozenset((FLOAT, FLOAT16, DOUBLE, BFLOAT16))
INT_DTYPES = frozenset((UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64))


class PbError(ValueError):
    """Malformed protobuf, or a tensor this module cannot decode."""


def dtype_name(dtype):
    return DTYPE_NAMES.get(dtype, 'dtype%d' % dtype)


# ---- wire format ---------------------------------------------------------------------------

def _varint(buf, pos):
    """Decodes one base-128 varint at buf[pos]; returns (value, next_pos)."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise PbError('truncated varint')
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise PbError('varint too long')


def _signed64(v):
    return v - (1 << 64) if v >= (1 << 63) else v


def fields(buf):
    """Yields (field_number, wire_type, value) for each field of one message.

    value is an int for varint (0), fixed64 (1) and fixed32 (5) fields (the raw bits) and a
    memoryview for length-delimited (2) fields, so large blobs are skipped without copying."""
    buf = memoryview(buf)
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            value, pos = _varint(buf, pos)
        elif wt == 1:
            if pos + 8 > end:
                raise PbError('truncated fixed64')
            value = int.from_bytes(buf[pos:pos + 8], 'little')
            pos += 8
        elif wt == 2:
            n, pos = _varint(buf, pos)
            if pos + n > end:
                raise PbError('truncated length-delimited field %d' % num)
            value = buf[pos:pos + n]
            pos += n
        elif wt == 5:
            if pos + 4 > end:
                raise PbError('truncated fixed32')
            value = int.from_bytes(buf[pos:pos + 4], 'little')
            pos += 4
        else:
            raise PbError('unsupported wire type %d (field %d)' % (wt, num))
        yield num, wt, value


def _packed_varints(wt, value, out):
    """Appends a repeated varint field, packed (wire type 2) or not, to out (unsigned)."""
    if wt == 0:
        out.append(value)
        return
    pos = 0
    while pos < len(value):
        v, pos = _varint(value, pos)
        out.append(v)


def _packed_fixed(wt, value, fmt, out):
    """Appends a repeated fixed32/fixed64 field (fmt 'f' or 'd'), packed or not, to out."""
    size = struct.calcsize('<' + fmt)
    if wt == 2:
        if len(value) % size:
            raise PbError('packed field length %d not a multiple of %d' % (len(value), size))
        out.extend(struct.unpack('<%d%s' % (len(value) // size, fmt), value))
    else:
        out.append(struct.unpack('<' + fmt, value.to_bytes(size, 'little'))[0])


def _text(value):
    return bytes(value).decode('utf-8', 'replace')


# ---- TensorProto ---------------------------------------------------------------------------

class Tensor:
    """A decoded TensorProto: name, dtype (TensorProto.DataType int), dims, flat values."""

    def __init__(self, name, dtype, dims, values):
        self.name, self.dtype, self.dims, self.values = name, dtype, list(dims), values

    @property
    def size(self):
        n = 1
        for d in self.dims:
            n *= d
        return n

    def __repr__(self):
        return 'Tensor(%r, %s%s, %d values)' % (self.name, dtype_name(self.dtype), self.dims,
                                                len(self.values))


def _bf16_to_float(bits):
    return struct.unpack('<f', struct.pack('<I', (bits & 0xFFFF) << 16))[0]


def _half_from_bits(bits):
    return struct.unpack('<e', struct.pack('<H', bits & 0xFFFF))[0]


def _decode_raw(dtype, raw, count):
    fmt = _RAW_FORMAT.get(dtype)
    if fmt is None:
        raise PbError('cannot decode raw_data of dtype %s' % dtype_name(dtype))
    size = struct.calcsize('<' + fmt)
    if len(raw) != count * size:
        raise PbError('raw_data has %d bytes, expected %d for %d x %s'
                      % (len(raw), count * size, count, dtype_name(dtype)))
    values = list(struct.unpack('<%d%s' % (count, fmt), raw))
    if dtype == BOOL:
        return [v != 0 for v in values]
    if dtype == BFLOAT16:
        return [_bf16_to_float(v) for v in values]
    return values


def _decode_typed(dtype, f):
    """Values from the typed repeated fields (no raw_data), per onnx.proto's storage rules."""
    if dtype == FLOAT:
        return f['float']
    if dtype == DOUBLE:
        return f['double']
    if dtype == INT64:
        return [_signed64(v) for v in f['int64']]
    if dtype in (UINT32, UINT64):
        return f['uint64']
    if dtype == STRING:
        return f['string']
    ints = f['int32']
    if dtype in (INT32, INT16, INT8):
        # int32 varints are sign-extended to 64 bits on the wire.
        return [_signed64(v) for v in ints]
    if dtype in (UINT8, UINT16):
        return ints
    if dtype == BOOL:
        return [v != 0 for v in ints]
    if dtype == FLOAT16:
        return [_half_from_bits(v) for v in ints]
    if dtype == BFLOAT16:
        return [_bf16_to_float(v) for v in ints]
    raise PbError('cannot decode dtype %s' % dtype_name(dtype))


def decode_tensor(buf, with_values=True):
    """Decodes a serialized TensorProto. with_values=False reads only name, dtype and dims."""
    dims, name, dtype, raw, location = [], '', 0, None, 0
    f = {'float': [], 'int32': [], 'string': [], 'int64': [], 'double': [], 'uint64': []}
    for num, wt, value in fields(buf):
        if num == 1:
            _packed_varints(wt, value, dims)
        elif num == 2:
            dtype = value
        elif num == 8:
            name = _text(value)
        elif not with_values:
            continue
        elif num == 9:
            raw = bytes(value)
        elif num == 4:
            _packed_fixed(wt, value, 'f', f['float'])
        elif num == 10:
            _packed_fixed(wt, value, 'd', f['double'])
        elif num == 5:
            _packed_varints(wt, value, f['int32'])
        elif num == 7:
            _packed_varints(wt, value, f['int64'])
        elif num == 11:
            _packed_varints(wt, value, f['uint64'])
        elif num == 6:
            f['string'].append(bytes(value))
        elif num == 14:
            location = value
    dims = [_signed64(d) for d in dims]
    if not with_values:
        return Tensor(name, dtype, dims, [])
    if location == 1:
        raise PbError('tensor %r uses external data (not supported)' % name)
    count = Tensor(name, dtype, dims, []).size
    if count == 0:
        return Tensor(name, dtype, dims, [])
    values = _decode_raw(dtype, raw, count) if raw is not None else _decode_typed(dtype, f)
    if len(values) != count:
        raise PbError('tensor %r has %d values, dims %s need %d' % (name, len(values), dims, count))
    return Tensor(name, dtype, dims, values)


def read_tensor(path, with_values=True):
    with open(path, 'rb') as fh:
        return decode_tensor(fh.read(), with_values)


# ---- writer --------------------------------------------------------------------------------

def _enc_varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _enc_field(num, wt, payload):
    key = _enc_varint((num << 3) | wt)
    if wt == 2:
        return key + _enc_varint(len(payload)) + payload
    return key + payload


def encode_tensor(t):
    """Serializes a Tensor as a TensorProto: dims (packed), data_type, name, raw_data."""
    fmt = _RAW_FORMAT.get(t.dtype)
    if fmt is None or t.dtype == BFLOAT16:
        raise PbError('cannot encode dtype %s' % dtype_name(t.dtype))
    if len(t.values) != t.size:
        raise PbError('tensor %r: %d values for dims %s' % (t.name, len(t.values), t.dims))
    values = [1 if v else 0 for v in t.values] if t.dtype == BOOL else t.values
    out = b''
    if t.dims:
        out += _enc_field(1, 2, b''.join(_enc_varint(d) for d in t.dims))
    out += _enc_field(2, 0, _enc_varint(t.dtype))
    if t.name:
        out += _enc_field(8, 2, t.name.encode('utf-8'))
    out += _enc_field(9, 2, struct.pack('<%d%s' % (len(values), fmt), *values))
    return out


def write_tensor(path, t):
    with open(path, 'wb') as fh:
        fh.write(encode_tensor(t))


# ---- ModelProto ----------------------------------------------------------------------------

class ValueInfo:
    """A graph input/output. kind is 'tensor', 'sequence', 'map', 'optional', 'sparse_tensor'
    or 'unknown'; for tensors, elem_type is the dtype (0 if absent) and shape is None (no shape
    given) or a list of ints (dim_value) / strings (dim_param) / None (neither)."""

    def __init__(self, name, kind='unknown', elem_type=0, shape=None):
        self.name, self.kind, self.elem_type, self.shape = name, kind, elem_type, shape

    def __repr__(self):
        if self.kind != 'tensor':
            return '%s:%s' % (self.name, self.kind)
        return '%s:%s%s' % (self.name, dtype_name(self.elem_type), self.shape)


_TYPE_KINDS = {1: 'tensor', 4: 'sequence', 5: 'map', 8: 'sparse_tensor', 9: 'optional'}


def _decode_shape(buf):
    shape = []
    for num, _, dim in fields(buf):
        if num != 1:
            continue
        d = None
        for dn, _, dv in fields(dim):
            if dn == 1:
                d = _signed64(dv)
            elif dn == 2:
                d = _text(dv)
        shape.append(d)
    return shape


def _decode_value_info(buf):
    vi = ValueInfo('')
    for num, _, value in fields(buf):
        if num == 1:
            vi.name = _text(value)
        elif num == 2:
            for tn, _, tv in fields(value):
                if tn not in _TYPE_KINDS:
                    continue
                vi.kind = _TYPE_KINDS[tn]
                if tn == 1:
                    for en, _, ev in fields(tv):
                        if en == 1:
                            vi.elem_type = ev
                        elif en == 2:
                            vi.shape = _decode_shape(ev)
    return vi


class Model:
    """The parts of a ModelProto the runners need."""

    def __init__(self):
        self.ir_version = 0
        self.opsets = {}          # domain ('' = ai.onnx) -> version
        self.inputs = []          # every graph input (ValueInfo), in order
        self.outputs = []         # graph outputs (ValueInfo), in order
        self.initializers = set()  # names of initializers and sparse initializers
        self.op_types = []        # op_type of every top-level node, in order

    @property
    def runtime_inputs(self):
        """Graph inputs fed at run time: those without an initializer (IR < 4 models list the
        weights as inputs too)."""
        return [vi for vi in self.inputs if vi.name not in self.initializers]


def _decode_graph(buf, m):
    for num, _, value in fields(buf):
        if num == 1:
            for nn, _, nv in fields(value):
                if nn == 4:
                    m.op_types.append(_text(nv))
        elif num == 5:
            m.initializers.add(decode_tensor(value, with_values=False).name)
        elif num == 15:
            for sn, _, sv in fields(value):
                if sn == 1:  # SparseTensorProto.values carries the name
                    m.initializers.add(decode_tensor(sv, with_values=False).name)
        elif num == 11:
            m.inputs.append(_decode_value_info(value))
        elif num == 12:
            m.outputs.append(_decode_value_info(value))


def decode_model(buf):
    m = Model()
    for num, _, value in fields(buf):
        if num == 1:
            m.ir_version = value
        elif num == 8:
            domain, version = '', 0
            for on, _, ov in fields(value):
                if on == 1:
                    domain = _text(ov)
                elif on == 2:
                    version = _signed64(ov)
            m.opsets[domain] = version
        elif num == 7:
            _decode_graph(value, m)
    return m


def read_model(path):
    with open(path, 'rb') as fh:
        return decode_model(fh.read())


# ---- comparison ----------------------------------------------------------------------------

class Comparison:
    """Result of compare(): ok, max_abs (largest |got-ref|, inf if a NaN/inf is misplaced, 0
    for exact types that match), ratio (largest |got-ref| / allowed difference: how much of
    the tolerance is used; 0 or inf for exact types), bad (number of elements out of
    tolerance), worst (what differs: dtype, shape, or count and worst element) and detail
    (max abs diff + worst)."""

    def __init__(self, ok, max_abs, bad, worst, ratio=None):
        self.ok, self.max_abs, self.bad, self.worst = ok, max_abs, bad, worst
        self.ratio = ratio if ratio is not None else (0.0 if ok else math.inf)
        self.detail = 'max abs diff %.3g%s' % (max_abs, '; ' + worst if worst else '')


def unravel(flat, dims):
    """Flat row-major index -> '[i,j,...]' text."""
    idx = []
    for d in reversed(dims):
        idx.append(flat % d if d else 0)
        flat = flat // d if d else 0
    return '[' + ','.join(str(i) for i in reversed(idx)) + ']'


def _float_diffs(got, ref, rtol, atol):
    """Returns (max_abs, max_ratio, bad) for float values: ratio = abs_diff / allowed; bad
    lists (flat_index, abs_diff, ratio) of the elements out of tolerance (ratio > 1; inf for
    a misplaced NaN/inf)."""
    isfinite, isnan, inf = math.isfinite, math.isnan, math.inf
    max_abs, max_ratio, bad = 0.0, 0.0, []
    for i, (g, r) in enumerate(zip(got, ref)):
        if isfinite(r) and isfinite(g):
            d = abs(g - r)
            if d > max_abs:
                max_abs = d
            allowed = atol + rtol * abs(r)
            ratio = d / allowed if allowed else (inf if d else 0.0)
            if ratio > max_ratio:
                max_ratio = ratio
            if d > allowed:
                bad.append((i, d, ratio))
        elif not ((isnan(r) and isnan(g)) or g == r):
            max_abs = max_ratio = inf
            bad.append((i, inf, inf))
    return max_abs, max_ratio, bad


def _show(v):
    return '%.7g' % v if isinstance(v, float) else repr(v)


def compare(got, ref, rtol, atol):
    """Compares a produced tensor with a reference one.

    Floats (float16/32/64, bfloat16): |got-ref| <= atol + rtol*|ref|, NaN matches NaN, an
    infinity must be matched exactly. Integers, bools and strings must be equal. dtype and
    dims must match."""
    if got.dtype != ref.dtype or got.dims != ref.dims:
        what = ('dtype %s, expected %s' % (dtype_name(got.dtype), dtype_name(ref.dtype))
                if got.dtype != ref.dtype else 'shape %s, expected %s' % (got.dims, ref.dims))
        c = Comparison(False, math.inf, ref.size, what)
        c.detail = what
        return c
    if ref.dtype in FLOAT_DTYPES:
        max_abs, ratio, bad = _float_diffs(got.values, ref.values, rtol, atol)
    else:
        bad = [(i, abs(g - r) if ref.dtype in INT_DTYPES else math.inf, 0)
               for i, (g, r) in enumerate(zip(got.values, ref.values)) if g != r]
        max_abs = max((b[1] for b in bad), default=0)
        ratio = math.inf if bad else 0.0
    if not bad:
        return Comparison(True, max_abs, 0, '', ratio)
    i = max(bad, key=lambda b: (b[2], b[1]))[0]
    worst = ('%d of %d values differ, worst at %s: got %s, expected %s'
             % (len(bad), ref.size, unravel(i, ref.dims), _show(got.values[i]),
                _show(ref.values[i])))
    return Comparison(False, max_abs, len(bad), worst, ratio)


# ---- self-test and dump --------------------------------------------------------------------

def _self_test():
    """Round-trips hand-built messages through the encoder and decoder; raises on failure."""
    cases = [
        Tensor('x', FLOAT, [2, 3], [0.0, -1.5, 2.25, float('inf'), 2.0 ** -120, 3.0]),
        Tensor('i', INT64, [3], [-1, 0, 1 << 40]),
        Tensor('b', BOOL, [2, 1], [True, False]),
        Tensor('h', FLOAT16, [2], [0.5, -65504.0]),
        Tensor('u', UINT8, [], [255]),
        Tensor('e', INT32, [0, 4], []),
    ]
    for t in cases:
        back = decode_tensor(encode_tensor(t))
        assert (back.name, back.dtype, back.dims, back.values) == \
            (t.name, t.dtype, t.dims, t.values), (t, back)
    # Typed (non-raw) fields: unpacked dims, packed negative int32s, one unpacked float.
    msg = (_enc_field(1, 0, _enc_varint(2)) + _enc_field(2, 0, _enc_varint(INT32))
           + _enc_field(5, 2, _enc_varint(-7) + _enc_varint(9)))
    assert decode_tensor(msg).values == [-7, 9]
    msg = (_enc_field(2, 0, _enc_varint(FLOAT)) + _enc_field(4, 5, struct.pack('<f', 1.5)))
    t = decode_tensor(msg)
    assert (t.dims, t.values) == ([], [1.5]), t
    msg = (_enc_field(1, 0, _enc_varint(2)) + _enc_field(2, 0, _enc_varint(FLOAT16))
           + _enc_field(5, 2, _enc_varint(0x3C00) + _enc_varint(0xC000)))
    assert decode_tensor(msg).values == [1.0, -2.0]
    msg = (_enc_field(1, 0, _enc_varint(1)) + _enc_field(2, 0, _enc_varint(BFLOAT16))
           + _enc_field(9, 2, struct.pack('<H', 0x3FC0)))
    assert decode_tensor(msg).values == [1.5]
    # A model with one weight listed among the inputs and a symbolic dimension.
    dim = _enc_field(1, 2, _enc_field(2, 2, b'N')) + _enc_field(1, 2, _enc_field(1, 0, b'\x04'))
    ttype = _enc_field(1, 2, _enc_field(1, 0, b'\x01') + _enc_field(2, 2, dim))
    vi_x = _enc_field(1, 2, b'x') + _enc_field(2, 2, ttype)
    vi_w = _enc_field(1, 2, b'w') + _enc_field(2, 2, ttype)
    node = _enc_field(4, 2, b'Relu')
    weight = encode_tensor(Tensor('w', FLOAT, [1], [2.0]))
    graph = (_enc_field(1, 2, node) + _enc_field(5, 2, weight) + _enc_field(11, 2, vi_x)
             + _enc_field(11, 2, vi_w) + _enc_field(12, 2, vi_x))
    opset = _enc_field(2, 0, _enc_varint(13))
    m = decode_model(_enc_field(1, 0, b'\x07') + _enc_field(8, 2, opset) + _enc_field(7, 2, graph))
    assert [v.name for v in m.runtime_inputs] == ['x'], m.inputs
    assert m.inputs[0].shape == ['N', 4] and m.inputs[0].elem_type == FLOAT
    assert (m.ir_version, m.opsets, m.op_types) == (7, {'': 13}, ['Relu'])
    _self_test_compare()
    print('onnx_pb self-test passed')


def _self_test_compare():
    nan, inf = float('nan'), float('inf')
    ref = Tensor('y', FLOAT, [2, 2], [1.0, nan, -inf, 1000.0])
    c = compare(Tensor('y', FLOAT, [2, 2], [1.0, nan, -inf, 1000.5]), ref, 1e-3, 0)
    assert c.ok and c.ratio == 0.5, c.ratio
    c = compare(Tensor('y', FLOAT, [2, 2], [1.0, nan, -inf, 1001.5]), ref, 1e-3, 0)
    assert not c.ok and c.bad == 1 and c.max_abs == 1.5 and '[1,1]' in c.detail, c.detail
    assert c.ratio == 1.5, c.ratio
    for wrong in ([1.0, 0.0, -inf, 1000.0], [1.0, nan, 5.0, 1000.0], [1.0, nan, inf, 1000.0]):
        c = compare(Tensor('y', FLOAT, [2, 2], wrong), ref, 1e-3, 1e-7)
        assert not c.ok and c.max_abs == inf, (wrong, c.detail)
    assert not compare(Tensor('y', FLOAT, [4], ref.values), ref, 1, 1).ok
    assert not compare(Tensor('y', DOUBLE, [2, 2], ref.values), ref, 1, 1).ok
    ints = Tensor('i', INT64, [3], [1, 2, 3])
    assert compare(Tensor('i', INT64, [3], [1, 2, 3]), ints, 0, 0).ok
    c = compare(Tensor('i', INT64, [3], [1, 2, 5]), ints, 1, 1)
    assert not c.ok and c.max_abs == 2 and c.bad == 1, c.detail


def _dump(path):
    with open(path, 'rb') as fh:
        data = fh.read()
    if path.endswith('.onnx'):
        m = decode_model(data)
        print('ir_version %d, opsets %s, %d nodes' % (m.ir_version, m.opsets, len(m.op_types)))
        print('runtime inputs:', m.runtime_inputs)
        print('outputs:', m.outputs)
    else:
        t = decode_tensor(data)
        print(t, t.values[:16])


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        _self_test()
    elif len(sys.argv) == 2:
        _dump(sys.argv[1])
    else:
        sys.exit(__doc__)
