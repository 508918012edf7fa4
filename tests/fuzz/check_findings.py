#!/usr/bin/env python3
"""Fuzz findings that are also wrong answers, checked numerically (stdlib only).

A fuzz crasher kept in tests/fuzz/regressions/ shows an over-read only under ASan; this test
builds small models reproducing each finding, compiles them with fastc (-O0 and -O2) and cc,
runs them on fixed inputs and compares every output with values computed here, so that the
fix is checked in any build. Each case says which regression file it goes with.

usage: check_findings.py FASTC [CC...]      (CC defaults to $CC or cc)"""
import os
import shlex
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402

F32, BOOL = 1, 9


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


def value_info(name, dtype, dims):
    shape = b''.join(field(1, 2, field(1, 0, varint(d))) for d in dims)
    tensor_type = field(1, 0, varint(dtype)) + field(2, 2, shape)
    return field(1, 2, name.encode()) + field(2, 2, field(1, 2, tensor_type))


def model(op, inputs, output, opset=13):
    """ModelProto: output = op(inputs...); inputs and output are (name, dtype, dims)."""
    node = (b''.join(field(1, 2, n.encode()) for n, _, _ in inputs) +
            field(2, 2, output[0].encode()) + field(3, 2, b'n') + field(4, 2, op.encode()))
    graph = (field(1, 2, node) + field(2, 2, b'g') +
             b''.join(field(11, 2, value_info(*i)) for i in inputs) +
             field(12, 2, value_info(*output)))
    return (field(1, 0, varint(8)) + field(8, 2, field(1, 2, b'') + field(2, 0, varint(opset))) +
            field(7, 2, graph))


def f32_tensor(name, dims, values):
    return (field(1, 2, b''.join(varint(d) for d in dims)) + field(2, 0, varint(F32)) +
            field(8, 2, name.encode()) + field(9, 2, struct.pack('<%df' % len(values), *values)))


# (name, regression file, op, inputs as (name, dims, values), output dims, expected values)
CASES = [
    # Max/Min/Sum/Mean whose first two inputs are smaller than the output: the float32 loop
    # took the second scalar for a vector and read past it (use-after-poison in the fuzzer).
    ('max_scalars_then_vector', 'variadic_two_scalars_then_vector.onnx', 'Max',
     [('a', [], [1.5]), ('b', [], [-2.0]), ('c', [3], [0.0, 7.0, 1.5])], [3],
     [1.5, 7.0, 1.5]),
    ('sum_scalars_then_vector', 'variadic_two_scalars_then_vector.onnx', 'Sum',
     [('a', [], [1.5]), ('b', [1], [-2.0]), ('c', [2, 3], [0, 1, 2, 3, 4, 5])], [2, 3],
     [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5]),
    ('mean_rows_then_matrix', 'variadic_two_scalars_then_vector.onnx', 'Mean',
     [('a', [1, 1], [3.0]), ('b', [1], [1.0]), ('c', [2, 40], [float(i) for i in range(80)])],
     [2, 40], [(4.0 + i) / 3 for i in range(80)]),
]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    fastc = argv[1]
    cc = argv[2:] or shlex.split(os.environ.get('CC', 'cc'))
    failed = 0
    with tempfile.TemporaryDirectory(prefix='fc-findings-') as work:
        for name, regression, op, inputs, out_dims, want in CASES:
            path = os.path.join(work, name)
            with open(path + '.onnx', 'wb') as f:
                f.write(model(op, [(n, F32, d) for n, d, _ in inputs], ('y', F32, out_dims)))
            files = []
            for n, d, v in inputs:
                files.append(os.path.join(work, '%s_%s.pb' % (name, n)))
                with open(files[-1], 'wb') as f:
                    f.write(f32_tensor(n, d, v))
            for level in ('-O0', '-O2'):
                label = '%s %s (%s)' % (name, level, regression)
                outdir = path + level
                os.makedirs(outdir, exist_ok=True)
                try:
                    subprocess.run([fastc, path + '.onnx', level, '-o', path + '.c'], check=True)
                    subprocess.run(cc + ['-std=c99', '-O1', path + '.c', '-o', path, '-lm'],
                                   check=True)
                    subprocess.run([path, '--quiet', '-d', outdir] + files, check=True,
                                   timeout=60)
                    got = pb.read_tensor(os.path.join(outdir, 'output_0.pb'))
                except (subprocess.SubprocessError, OSError, pb.PbError) as e:
                    print('FAIL %s: %s' % (label, e))
                    failed += 1
                    continue
                ok = list(got.dims) == out_dims and len(got.values) == len(want) and all(
                    abs(g - w) <= 1e-6 * max(1.0, abs(w)) for g, w in zip(got.values, want))
                print('%s %s%s' % ('ok  ' if ok else 'FAIL', label,
                                   '' if ok else ': got %s %s, want %s %s' %
                                   (list(got.dims), list(got.values)[:8], out_dims, want[:8])))
                failed += not ok
    print('%d of %d failed' % (failed, 2 * len(CASES)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
