#!/usr/bin/env python3
"""The emitted C: deterministic, and warning-free under strict flags (stdlib only).

For each model (tests/bad/good_relu.onnx, every model of tests/passes/, and when
../shared/real-models is there mnist-8, its layer cut 0 (no kernel call at -O2) and silero-vad
with its If) at -O0 and -O2: fastc runs twice and must write byte-identical C, and the C must
compile with `-Wall -Wextra -Werror -std=c99 -pedantic -O1` under every compiler of gcc and
clang that is installed (for the tests/passes models, only their -O2 C: time).

The "loops" models (built here, one node each) feed constant row lengths of 768, 128, 49 and
784 to the kernels whose loops run in vector chunks then a tail (LayerNormalization, Softmax,
the global pools, ReduceMean, a matrix-vector MatMul): their C must also compile warning-free
at -O2 and at -O3 -march=native, where GCC 12 once warned of a bogus overflowing loop iteration
(-Waggressive-loop-optimizations, enabled by default) once inlining made the lengths
constant.

usage: check_emitted_c.py FASTC [--shared DIR]"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402

STRICT = ['-Wall', '-Wextra', '-Werror', '-std=c99', '-pedantic', '-O1', '-c', '-o', os.devnull]
# extra optimization levels the "loops" model's C must also compile warning-free at
LOOPS_LEVELS = [['-O2'], ['-O3', '-march=native']]
REAL = ['mnist-8', 'mnist-8-layers/0_Parameter193_reshape1', 'silero-vad-op18-ifless']


def _field(num, payload):
    """A length-delimited protobuf field (payload bytes or str)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return pb._enc_field(num, 2, payload)


def _value_info(name, dims):
    shape = b''.join(_field(1, pb._enc_field(1, 0, pb._enc_varint(d))) for d in dims)
    tensor_type = pb._enc_field(1, 0, pb._enc_varint(pb.FLOAT)) + _field(2, shape)
    return _field(1, name) + _field(2, _field(1, tensor_type))


def _node(op, inputs, outputs, name):
    return (b''.join(_field(1, i) for i in inputs) + b''.join(_field(2, o) for o in outputs) +
            _field(3, name) + _field(4, op))


# The "loops" models: one node each (GCC inlines and specializes a lone kernel call), with
# constant row lengths of 768, 128, 49 and 784. (op, inputs [(name, dims)], constants
# [(name, dims, value)], output dims)
LOOPS = [('LayerNormalization', [('x', [4, 768])], [('g', [768], 1.0), ('b', [768], 0.0)],
          [4, 768]),
         ('Softmax', [('x', [4, 128])], [], [4, 128]),
         ('GlobalAveragePool', [('x', [2, 8, 7, 7])], [], [2, 8, 1, 1]),
         ('GlobalMaxPool', [('x', [2, 8, 7, 7])], [], [2, 8, 1, 1]),
         ('ReduceMean', [('x', [4, 768])], [], [1, 1]),
         ('MatMul', [('x', [1, 784])], [('W', [784, 10], 0.5)], [1, 10])]


def loops_model(path, op, ins, consts, out_dims):
    """Writes a one-node opset-17 model: op(inputs..., constants...) -> y."""
    inits = []
    for name, dims, value in consts:
        n = 1
        for d in dims:
            n *= d
        inits.append(pb.encode_tensor(pb.Tensor(name, pb.FLOAT, dims, [value] * n)))
    node = _node(op, [n for n, _ in ins] + [c[0] for c in consts], ['y'], op.lower())
    graph = (_field(1, node) + _field(2, 'loops') + b''.join(_field(5, t) for t in inits) +
             b''.join(_field(11, _value_info(n, d)) for n, d in ins) +
             _field(12, _value_info('y', out_dims)))
    opset = _field(1, '') + pb._enc_field(2, 0, pb._enc_varint(17))
    with open(path, 'wb') as fh:
        fh.write(pb._enc_field(1, 0, pb._enc_varint(8)) + _field(8, opset) + _field(7, graph))


def models(shared, work):
    """(label, model path, fastc shape args)."""
    out = [('good_relu', os.path.join(REPO, 'tests', 'bad', 'good_relu.onnx'), [])]
    for op, ins, consts, out_dims in LOOPS:
        path = os.path.join(work, 'loops_%s.onnx' % op)
        loops_model(path, op, ins, consts, out_dims)
        out.append(('loops/' + op, path, []))
    for m in sorted(glob.glob(os.path.join(REPO, 'tests', 'passes', '*', '*.onnx'))):
        out.append(('passes/' + os.path.relpath(m, os.path.join(REPO, 'tests', 'passes')), m, []))
    for name in REAL:
        d = os.path.join(shared, 'real-models', name)
        if not os.path.exists(os.path.join(d, 'model.onnx')):
            continue
        inputs = sorted(glob.glob(os.path.join(d, 'test_data_set_0', 'input_*.pb')),
                        key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
        args = []
        for k, path in enumerate(inputs):
            dims = pb.read_tensor(path, with_values=False).dims
            args += ['--shape', '@%d=%s' % (k, ','.join(str(x) for x in dims))]
        out.append((name, os.path.join(d, 'model.onnx'), args))
    return out


def check_one(fastc, compilers, work, job):
    """One model at one -O level (its own folder under work): (ok, report line)."""
    k, label, model, args, level = job
    folder = os.path.join(work, 'job%d' % k)
    os.makedirs(folder)
    problems = []
    texts = []
    for run in range(2):
        out = os.path.join(folder, 'model%d.c' % run)
        p = subprocess.run([fastc, model, level, '-o', out] + args,
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            problems.append('fastc failed: %s' % p.stderr.strip())
            break
        with open(out, 'rb') as f:
            texts.append(f.read())
    if len(texts) == 2 and texts[0] != texts[1]:
        problems.append('two runs wrote different C')
    strict = len(texts) == 2 and not (label.startswith('passes/') and level == '-O0')
    extra = LOOPS_LEVELS if label.startswith('loops/') else []
    for cc in compilers if strict else []:
        for opt in [[]] + extra:
            p = subprocess.run([cc] + STRICT + opt + [os.path.join(folder, 'model0.c')],
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                first = [l for l in p.stderr.splitlines() if 'error' in l][:1]
                problems.append('%s %s: %s' % (cc, ' '.join(opt) or '-O1',
                                               first[0] if first else p.stderr[:200]))
    if problems:
        return False, 'FAIL %s %s: %s' % (label, level, '; '.join(problems))
    return True, 'ok   %s %s (identical%s)' % (
        label, level, '; clean under ' + ', '.join(compilers) if strict else '')


def main():
    fastc = sys.argv[1]
    shared = os.path.join(os.path.dirname(REPO), 'shared')
    if '--shared' in sys.argv:
        shared = sys.argv[sys.argv.index('--shared') + 1]
    compilers = [c for c in ('gcc', 'clang') if shutil.which(c)]
    with tempfile.TemporaryDirectory() as work:
        jobs = [(k, label, model, args, level) for k, (label, model, args, level) in enumerate(
            (label, model, args, level) for label, model, args in models(shared, work)
            for level in ('-O0', '-O2'))]
        # the compilers run one per core (meson runs this test alone: is_parallel false)
        with ThreadPool(os.cpu_count() or 1) as pool:
            results = pool.map(lambda job: check_one(fastc, compilers, work, job), jobs)
    for _, line in results:
        print(line)
    passed = sum(1 for ok, _ in results if ok)
    failed = len(results) - passed
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
