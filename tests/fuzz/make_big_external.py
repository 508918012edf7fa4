#!/usr/bin/env python3
"""Writes a model over 2 GB whose weights live in external data (docs/fuzzing.md, Limits).

  make_big_external.py DIR [N] [M]

DIR/model.onnx: y = MatMul(x, W) + b with x float32 [1, N], W float32 [N, M] in DIR/weights.bin
(external data, N*M*4 bytes; the defaults N = M = 23,200 give 2.15 GB, more than 2^31 bytes in
one tensor), b float32 [M] in the same file after W (offset past 2 GB). W[i, j] = 1 if i == j
else 0 and b[j] = j, written sparsely (the file is mostly a hole), so y[0, j] = x[0, j] + j for
j < N. Also DIR/input_0.pb (x[0, i] = i / 8) and DIR/output_0.pb (the expected y).
"""
import os
import struct
import sys


def varint(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def value_info(name, dims):
    shape = b''.join(field(1, 2, field(1, 0, varint(d))) for d in dims)
    return field(1, 2, name.encode()) + field(2, 2, field(1, 2, field(1, 0, varint(1)) +
                                                        field(2, 2, shape)))


def external(name, dims, offset, length):
    entry = lambda k, v: field(13, 2, field(1, 2, k.encode()) + field(2, 2, v.encode()))
    return (field(1, 2, b''.join(varint(d) for d in dims)) + field(2, 0, varint(1)) +
            field(8, 2, name.encode()) + entry('location', 'weights.bin') +
            entry('offset', str(offset)) + entry('length', str(length)) +
            field(14, 0, varint(1)))  # data_location = EXTERNAL


def f32_tensor(name, dims, values):
    return (field(1, 2, b''.join(varint(d) for d in dims)) + field(2, 0, varint(1)) +
            field(8, 2, name.encode()) + field(9, 2, struct.pack('<%df' % len(values), *values)))


def main(argv):
    out = argv[1]
    n = int(argv[2]) if len(argv) > 2 else 23200
    m = int(argv[3]) if len(argv) > 3 else n
    os.makedirs(out, exist_ok=True)
    wbytes, bbytes = n * m * 4, m * 4
    with open(os.path.join(out, 'weights.bin'), 'wb') as f:
        f.truncate(wbytes + bbytes)
        one = struct.pack('<f', 1.0)
        for i in range(min(n, m)):
            f.seek((i * m + i) * 4)
            f.write(one)
        f.seek(wbytes)
        f.write(struct.pack('<%df' % m, *[float(j) for j in range(m)]))
    nodes = (field(1, 2, field(1, 2, b'x') + field(1, 2, b'W') + field(2, 2, b'xw') +
                   field(3, 2, b'mm') + field(4, 2, b'MatMul')) +
             field(1, 2, field(1, 2, b'xw') + field(1, 2, b'b') + field(2, 2, b'y') +
                   field(3, 2, b'add') + field(4, 2, b'Add')))
    graph = (nodes + field(2, 2, b'big') +
             field(5, 2, external('W', [n, m], 0, wbytes)) +
             field(5, 2, external('b', [m], wbytes, bbytes)) +
             field(11, 2, value_info('x', [1, n])) + field(12, 2, value_info('y', [1, m])))
    model = (field(1, 0, varint(8)) + field(8, 2, field(1, 2, b'') + field(2, 0, varint(13))) +
             field(7, 2, graph))
    with open(os.path.join(out, 'model.onnx'), 'wb') as f:
        f.write(model)
    x = [i / 8.0 for i in range(n)]
    y = [(x[j] if j < n else 0.0) + j for j in range(m)]
    with open(os.path.join(out, 'input_0.pb'), 'wb') as f:
        f.write(f32_tensor('x', [1, n], x))
    with open(os.path.join(out, 'output_0.pb'), 'wb') as f:
        f.write(f32_tensor('y', [1, m], y))
    print('%s: W %d x %d float32 = %.2f GB external, b at offset %d' % (
        out, n, m, wbytes / 1e9, wbytes))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
