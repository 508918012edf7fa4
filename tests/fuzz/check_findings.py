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


def model(nodes, inputs, outputs, opset=13):
    """ModelProto of one graph: nodes are (op, input names, output name); inputs and outputs
    are (name, dtype, dims)."""
    graph = b''.join(field(1, 2, b''.join(field(1, 2, i.encode()) for i in ins) +
                           field(2, 2, out.encode()) + field(3, 2, out.encode()) +
                           field(4, 2, op.encode())) for op, ins, out in nodes)
    graph += (field(2, 2, b'g') + b''.join(field(11, 2, value_info(*i)) for i in inputs) +
              b''.join(field(12, 2, value_info(*o)) for o in outputs))
    return (field(1, 0, varint(8)) + field(8, 2, field(1, 2, b'') + field(2, 0, varint(opset))) +
            field(7, 2, graph))


def f32_tensor(name, dims, values):
    return (field(1, 2, b''.join(varint(d) for d in dims)) + field(2, 0, varint(F32)) +
            field(8, 2, name.encode()) + field(9, 2, struct.pack('<%df' % len(values), *values)))


# The graph inputs (name, dims, values), all float32.
INPUTS = [('s1', [], [1.5]), ('s2', [], [-2.0]), ('v3', [3], [0.0, 7.0, 1.5]),
          ('r1', [1], [-2.0]), ('m23', [2, 3], [0, 1, 2, 3, 4, 5]),
          ('q11', [1, 1], [3.0]), ('r1b', [1], [1.0]), ('m240', [2, 40], list(range(80)))]
# One node per case: (op, inputs, output dims, expected values, regression file).
CASES = [
    # Max/Min/Sum/Mean whose first two inputs are smaller than the output: the float32 loop
    # took the second for a vector and read past it (use-after-poison in the fuzzer).
    ('Max', ['s1', 's2', 'v3'], [3], [1.5, 7.0, 1.5], 'variadic_two_scalars_then_vector.onnx'),
    ('Sum', ['s1', 'r1', 'm23'], [2, 3], [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5],
     'variadic_two_scalars_then_vector.onnx'),
    ('Mean', ['q11', 'r1b', 'm240'], [2, 40], [(4.0 + i) / 3 for i in range(80)],
     'variadic_two_scalars_then_vector.onnx'),
]


def close(got, want):
    return len(got) == len(want) and all(abs(g - w) <= 1e-6 * max(1.0, abs(w))
                                         for g, w in zip(got, want))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    fastc = argv[1]
    cc = argv[2:] or shlex.split(os.environ.get('CC', 'cc'))
    failed = 0
    with tempfile.TemporaryDirectory(prefix='fc-findings-') as work:
        path = os.path.join(work, 'findings')
        outs = ['y%d' % k for k in range(len(CASES))]
        with open(path + '.onnx', 'wb') as f:
            f.write(model([(op, ins, o) for (op, ins, _, _, _), o in zip(CASES, outs)],
                          [(n, F32, d) for n, d, _ in INPUTS],
                          [(o, F32, c[2]) for c, o in zip(CASES, outs)]))
        files = []
        for n, d, v in INPUTS:
            files.append(os.path.join(work, n + '.pb'))
            with open(files[-1], 'wb') as f:
                f.write(f32_tensor(n, d, v))
        for level in ('-O0', '-O2'):
            outdir = path + level
            os.makedirs(outdir, exist_ok=True)
            try:
                subprocess.run([fastc, path + '.onnx', level, '-o', path + '.c'], check=True)
                subprocess.run(cc + ['-std=c99', '-O1', path + '.c', '-o', path, '-lm'],
                               check=True)
                subprocess.run([path, '--quiet', '-d', outdir] + files, check=True, timeout=60)
            except (subprocess.SubprocessError, OSError) as e:
                print('FAIL %s: %s' % (level, e))
                failed += len(CASES)
                continue
            for k, (op, ins, dims, want, regression) in enumerate(CASES):
                label = '%s(%s) %s (%s)' % (op, ', '.join(ins), level, regression)
                try:
                    got = pb.read_tensor(os.path.join(outdir, 'output_%d.pb' % k))
                except (OSError, pb.PbError) as e:
                    print('FAIL %s: %s' % (label, e))
                    failed += 1
                    continue
                ok = list(got.dims) == dims and close(got.values, want)
                print('%s %s%s' % ('ok  ' if ok else 'FAIL', label,
                                   '' if ok else ': got %s %s, want %s %s' %
                                   (list(got.dims), list(got.values)[:8], dims, want[:8])))
                failed += not ok
    print('%d of %d failed' % (failed, 2 * len(CASES)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
