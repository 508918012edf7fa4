#!/usr/bin/env python3
"""Conv weights prepacked at compile time (codegen/emit_c.c, runtime/k_conv.c
fc_rt_conv_prepack): each tests/models/prepack/NAME.onnx has its Conv weights as initializers
(constants: the C stores them as A panels or transformed Winograd panels, and Winograd runs
from 16 tiles), NAME_fed.onnx the same graph with them as graph inputs (packed per call,
Winograd only from 256 tiles), fed from NAME_fed/<weight>.pb (tests/passes/make_models.py
writes all three). Both are built at -O3, run on the same seeded random x and must agree within
abs 5e-5 + rel 1e-4 (the paths differ only in rounding: Winograd against im2col; F(4x4, 3x3)
rounds to ~1e-5 of the sum of the terms' magnitudes, here up to 2e-5 on outputs near 0).
shared_weight reads one weight in two Convs of different modes, which must not be packed for
either. Both builds also compile warning-clean under -std=c99 -pedantic.

  python3 tests/models/check_prepacked.py FASTC"""
import glob
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
import onnx_pb as pb  # noqa: E402

CC = ['cc', '-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic']


def write_x(model, work):
    """A seeded random x (the models' one runtime input) as work/x.pb."""
    rnd = random.Random(7)
    vi = model.runtime_inputs[0]
    t = pb.Tensor(vi.name, pb.FLOAT, vi.shape, [])
    t.values = [rnd.uniform(-1.0, 1.0) for _ in range(t.size)]
    path = os.path.join(work, 'x.pb')
    pb.write_tensor(path, t)
    return path


def build_and_run(fastc, path, args, inputs, work, label):
    """Outputs (Tensors) of the program built from `fastc path args`, run on `inputs`."""
    d = os.path.join(work, label)
    os.makedirs(d)
    src, prog = os.path.join(d, 'model.c'), os.path.join(d, 'prog')
    for cmd in ([fastc, path, '-O3', '-o', src] + args, CC + [src, '-o', prog, '-lm'],
                [prog, '--quiet', '-d', d] + inputs):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError('%s: %s' % (' '.join(cmd[:2]), (r.stderr or r.stdout)[:400]))
    outs = []
    k = 0
    while os.path.exists(os.path.join(d, 'output_%d.pb' % k)):
        outs.append(pb.read_tensor(os.path.join(d, 'output_%d.pb' % k)))
        k += 1
    return outs


def check(fastc, path, work):
    model = pb.read_model(path)
    fed_path = path[:-len('.onnx')] + '_fed.onnx'
    fed_model = pb.read_model(fed_path)
    x = write_x(model, work)
    weights = [os.path.join(fed_path[:-len('.onnx')], vi.name + '.pb')
               for vi in fed_model.runtime_inputs[1:]]
    if len(model.runtime_inputs) != 1 or not weights:
        return 'expected x alone as input, weights in the _fed model'
    packed = build_and_run(fastc, path, [], [x], work, 'const')
    fed = build_and_run(fastc, fed_path, [], [x] + weights, work, 'fed')
    if len(fed) != len(model.outputs) or len(packed) != len(fed):
        return 'outputs: %d fed, %d with constant weights, %d in the model' % (
            len(fed), len(packed), len(model.outputs))
    for k, (a, b) in enumerate(zip(packed, fed)):
        c = pb.compare(a, b, 1e-4, 5e-5)
        if not c.ok:
            return 'output %d (%s): %s' % (k, model.outputs[k].name, c.worst)
    return None


def main():
    fastc = os.path.abspath(sys.argv[1])
    models = sorted(p for p in glob.glob(os.path.join(HERE, 'prepack', '*.onnx'))
                    if not p.endswith('_fed.onnx'))
    if not models:
        print('no models in tests/models/prepack')
        return 1
    bad = 0
    for path in models:
        name = os.path.basename(path)
        with tempfile.TemporaryDirectory() as work:
            try:
                err = check(fastc, path, work)
            except (RuntimeError, subprocess.TimeoutExpired, pb.PbError) as e:
                err = str(e)
        print('%s %s%s' % ('ok  ' if not err else 'FAIL', name, ': ' + err if err else ''))
        bad += err is not None
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
