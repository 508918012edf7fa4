#!/usr/bin/env python3
"""The emitted main() against malformed input files (stdlib only).

Compiles tests/bad/good_relu.onnx (input x: float32 [2,3]) with fastc, builds it with cc, and
runs it on well-formed inputs (.pb with raw_data, .pb with packed float_data, raw .bin: exit 0,
correct output_0.pb) and on inputs whose dtype, shape, size or encoding is wrong: each must
exit 1 with exactly one stderr line naming the problem, and write no output. Also float16
inputs (int32_data bit patterns, raw_data) through an Identity, and a two-input Add whose
second input is bad (with CC='cc -fsanitize=address', LeakSanitizer checks the first one is
freed).

usage: check_main_inputs.py FASTC [CC...]      (CC defaults to $CC or cc)"""
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

X = [-1.5, 2.0, -0.0, 3.25, -4.0, 5.5]


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


def tensor(dims=(2, 3), dtype=1, raw=None, floats=None, packed_dims=True):
    """A TensorProto; raw=None and floats=None gives the six X values as raw_data."""
    out = b''
    if packed_dims and dims:
        out += field(1, 2, b''.join(varint(d) for d in dims))
    elif dims:
        out += b''.join(field(1, 0, varint(d)) for d in dims)
    out += field(2, 0, varint(dtype)) + field(8, 2, b'x')
    if floats is not None:
        out += field(4, 2, struct.pack('<%df' % len(floats), *floats))
    elif raw is not False:
        out += field(9, 2, struct.pack('<6f', *X) if raw is None else raw)
    return out


def one_node_model(op, inputs, dtype, dims):
    """ModelProto (opset 13): y = op(inputs...), every input and y of dtype and dims."""
    def value_info(name):
        shape = b''.join(field(1, 2, field(1, 0, varint(d))) for d in dims)
        tensor_type = field(1, 0, varint(dtype)) + field(2, 2, shape)
        return field(1, 2, name.encode()) + field(2, 2, field(1, 2, tensor_type))
    node = b''.join(field(1, 2, i.encode()) for i in inputs) + field(2, 2, b'y') + \
        field(3, 2, b'n') + field(4, 2, op.encode())
    graph = (field(1, 2, node) + field(2, 2, b'g') +
             b''.join(field(11, 2, value_info(i)) for i in inputs) + field(12, 2, value_info('y')))
    opset = field(1, 2, b'') + field(2, 0, varint(13))
    return field(1, 0, varint(8)) + field(8, 2, opset) + field(7, 2, graph)


def build(fastc, cc, work, name, model):
    path = os.path.join(work, name)
    with open(path + '.onnx', 'wb') as f:
        f.write(model)
    subprocess.run([fastc, path + '.onnx', '-o', path + '.c'], check=True)
    subprocess.run(cc + ['-std=c99', '-O1', path + '.c', '-o', path, '-lm'], check=True)
    return path


GOOD = tensor()
# (file name, bytes, text the one stderr line must contain); bytes None: the file is absent.
BAD = [
    ('shape.pb', tensor(dims=(3, 2)), "input 'x' has shape [3,2], the model needs [2,3]"),
    ('rank.pb', tensor(dims=(6,)), "input 'x' has shape [6], the model needs [2,3]"),
    ('scalar.pb', tensor(dims=()), "input 'x' has shape [], the model needs [2,3]"),
    ('dtype.pb', tensor(dtype=11, raw=struct.pack('<6d', *X)),
     "input 'x' has data type 11, the model needs 1"),
    ('no_dtype.pb', field(1, 2, varint(2) + varint(3)) + field(9, 2, b'\0' * 24),
     "input 'x' has data type 0, the model needs 1"),
    ('raw_short.pb', tensor(raw=b'\0' * 20), "input 'x' raw_data has 20 bytes, needs 24"),
    ('raw_long.pb', tensor(raw=b'\0' * 28), "input 'x' raw_data has 28 bytes, needs 24"),
    ('floats_short.pb', tensor(floats=X[:5]), "input 'x' does not hold 6 values"),
    ('int32_data_for_float.pb', tensor(raw=False) + field(5, 2, b''.join(varint(i) for i in
                                                                       range(6))),
     "input 'x' does not hold 6 values"),
    ('no_data.pb', tensor(raw=False), "input 'x' does not hold 6 values"),
    ('truncated.pb', GOOD[:-7], 'not a valid TensorProto file'),
    ('huge_length.pb', tensor(raw=False) + b'\x4a\xff\xff\xff\xff\xff\xff\xff\xff\x7f',
     'not a valid TensorProto file'),
    ('overlong_varint.pb', b'\x10' + b'\xff' * 11 + b'\x01', 'not a valid TensorProto file'),
    ('group.pb', GOOD + b'\x1b', 'not a valid TensorProto file'),
    ('rank9.pb', tensor(dims=(1,) * 9), 'not a valid TensorProto file'),
    ('garbage.pb', b'\xff\xff\xff\xff this is not a tensor', 'not a valid TensorProto file'),
    ('short.bin', b'\0' * 23, "input 'x' needs 24 bytes, the file has 23"),
    ('long.bin', b'\0' * 25, "input 'x' needs 24 bytes, the file has 25"),
    ('empty.bin', b'', "input 'x' needs 24 bytes, the file has 0"),
    ('absent.pb', None, 'cannot read input file'),
]


def run(prog, args, work):
    outdir = os.path.join(work, 'out')
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.remove(os.path.join(outdir, f))
    p = subprocess.run([prog, '--quiet', '-d', outdir] + args, capture_output=True, text=True,
                       timeout=60)
    return p, os.listdir(outdir)


def main():
    fastc = sys.argv[1]
    cc = sys.argv[2:] or shlex.split(os.environ.get('CC', 'cc'))
    failed = passed = 0
    with tempfile.TemporaryDirectory() as work:
        src, prog = os.path.join(work, 'model.c'), os.path.join(work, 'model')
        subprocess.run([fastc, os.path.join(REPO, 'tests', 'bad', 'good_relu.onnx'), '-o', src],
                       check=True)
        subprocess.run(cc + ['-std=c99', '-O1', src, '-o', prog, '-lm'], check=True)

        def good(name, data):
            nonlocal failed, passed
            path = os.path.join(work, name)
            with open(path, 'wb') as f:
                f.write(data)
            p, outs = run(prog, [path], work)
            problem = None
            if p.returncode != 0 or p.stderr:
                problem = 'exit %d: %s' % (p.returncode, p.stderr.strip())
            else:
                got = pb.read_tensor(os.path.join(work, 'out', 'output_0.pb'))
                want = [max(v, 0.0) for v in X]
                if got.dims != [2, 3] or got.dtype != 1 or got.values != want:
                    problem = 'wrong output %r %r' % (got, got.values)
            if problem:
                failed += 1
                print('FAIL %s: %s' % (name, problem))
            else:
                passed += 1
                print('ok   %s' % name)

        good('good.pb', GOOD)
        good('good_unpacked_dims.pb', tensor(packed_dims=False))
        good('good_float_data.pb', tensor(floats=X))
        good('good.bin', struct.pack('<6f', *X))
        good('good_unknown_fields.pb', field(15, 2, b'ignored') + GOOD + field(13, 0, varint(5)))

        for name, data, expect in BAD:
            path = os.path.join(work, name)
            if data is not None:
                with open(path, 'wb') as f:
                    f.write(data)
            p, outs = run(prog, [path], work)
            lines = p.stderr.strip().splitlines()
            problems = []
            if p.returncode != 1:
                problems.append('exit status %d, expected 1' % p.returncode)
            if len(lines) != 1 or expect not in p.stderr:
                problems.append('stderr %r lacks %r' % (p.stderr.strip(), expect))
            if outs:
                problems.append('wrote %s' % outs)
            if problems:
                failed += 1
                print('FAIL %s: %s' % (name, '; '.join(problems)))
            else:
                passed += 1
                print('ok   %s: %s' % (name, lines[0]))

        # float16 values travel as bit patterns in int32_data (or raw_data): Identity on f16.
        hprog = build(fastc, cc, work, 'half', one_node_model('Identity', ['x'], 10, [3]))
        bits = [0x3C00, 0xC000, 0x7BFF]  # 1.0, -2.0, 65504.0
        for name, data in (('half_int32_data.pb', field(1, 2, varint(3)) + field(2, 0, varint(10))
                            + field(5, 2, b''.join(varint(b) for b in bits))),
                           ('half_raw.pb', field(1, 2, varint(3)) + field(2, 0, varint(10)) +
                            field(9, 2, struct.pack('<3H', *bits)))):
            path = os.path.join(work, name)
            with open(path, 'wb') as f:
                f.write(data)
            p, outs = run(hprog, [path], work)
            got = None
            if p.returncode == 0:
                with open(os.path.join(work, 'out', 'output_0.pb'), 'rb') as f:
                    got = f.read()
            if got is not None and got.endswith(struct.pack('<3H', *bits)):
                passed += 1
                print('ok   %s' % name)
            else:
                failed += 1
                print('FAIL %s: exit %d %s' % (name, p.returncode, p.stderr.strip()))

        # A bad second input: one line, exit 1, and (built with ASan) the first one not leaked.
        add = build(fastc, cc, work, 'add', one_node_model('Add', ['x', 'z'], 1, [2, 3]))
        good, bad = os.path.join(work, 'good.pb'), os.path.join(work, 'shape.pb')
        p, outs = run(add, [good, bad], work)
        if p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and not outs:
            passed += 1
            print('ok   second input bad: %s' % p.stderr.strip())
        else:
            failed += 1
            print('FAIL second input bad: exit %d: %s' % (p.returncode, p.stderr.strip()))

        p, _ = run(prog, [], work)  # wrong input count: usage, exit 2
        if p.returncode == 2 and 'expected 1 input files, got 0' in p.stderr:
            passed += 1
            print('ok   no inputs: usage')
        else:
            failed += 1
            print('FAIL no inputs: exit %d: %s' % (p.returncode, p.stderr.strip()))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
