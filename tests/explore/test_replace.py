#!/usr/bin/env python3
"""Numeric test of --replace-activation (stdlib only): each replacement, compiled and run, must
compute its formula at chosen points (tolerance 2e-6 relative + absolute), on the models of
tests/passes/replace-activation. Also checks that --stats lists the pass right after
recognize-gelu with its change count, that the emitted C's header comment says the build is
lossy (and does not without the flag), and that a bad flag exits 2.
usage: test_replace.py FASTC"""
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, 'tools'))
import onnx_pb as pb  # noqa: E402

MODELS = os.path.join(TESTS, 'passes', 'replace-activation')
# Chosen points: both tails, the kinks of HardSwish / HardSigmoid at -3 and 3, and near 0.
POINTS = [-8.0, -3.5, -3.0, -2.0, -1.25, -0.5, -0.01, 0.0, 0.01, 0.25, 0.75, 1.5, 2.9, 3.0,
          4.5, 9.0]


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def hard_sigmoid(x):
    return max(0.0, min(1.0, x / 6 + 0.5))


FORMULAS = {
    'none': lambda x: 0.5 * x * (1 + math.erf(x / math.sqrt(2))),
    'gelu:tanh': lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) *
                                                    (x + 0.044715 * x ** 3))),
    'gelu:quick': lambda x: x * sigmoid(1.702 * x),
    'gelu:hardswish': lambda x: x * hard_sigmoid(x),
    'gelu:relu': lambda x: max(0.0, x),
    'sigmoid:hard': hard_sigmoid,
    'silu:hard': lambda x: x * hard_sigmoid(x),
}
EXACT = {'gelu': FORMULAS['none'], 'tanh': FORMULAS['gelu:tanh'], 'sigmoid': sigmoid,
         'silu': lambda x: x * sigmoid(x)}
CASES = [  # (model, flag, level) -- the flag's formula applies to every point
    ('gelu_to_tanh', 'none', '-O0'),
    ('gelu_to_tanh', 'gelu:tanh', '-O2'),
    ('gelu_to_quick', 'gelu:quick', '-O2'),
    ('gelu_to_quick', 'gelu:quick', '-O0'),
    ('gelu_to_hardswish', 'gelu:hardswish', '-O2'),
    ('gelu_to_relu_O1', 'gelu:relu', '-O1'),
    ('tanh_gelu_to_relu', 'gelu:relu', '-O2'),
    ('sigmoid_to_hard', 'sigmoid:hard', '-O2'),
    ('silu_to_hardswish', 'silu:hard', '-O2'),
]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL', what)


def build_and_run(fastc, work, model, flags, tag):
    c_file, prog = os.path.join(work, tag + '.c'), os.path.join(work, tag)
    p = subprocess.run([fastc, os.path.join(MODELS, model + '.onnx'), '-o', c_file] + flags,
                       capture_output=True, text=True, timeout=60)
    if p.returncode:
        return None, 'fastc: ' + p.stderr.strip()
    p = subprocess.run(['cc', '-O2', '-std=c99', c_file, '-o', prog, '-lm'], capture_output=True,
                       text=True, timeout=120)
    if p.returncode:
        return None, 'cc: ' + p.stderr.strip()[:300]
    out = os.path.join(work, tag + '_out')
    os.mkdir(out)
    p = subprocess.run([prog, '--quiet', '-d', out, os.path.join(work, 'x.pb')],
                       capture_output=True, text=True, timeout=60)
    if p.returncode:
        return None, 'run: ' + p.stderr.strip()
    return pb.read_tensor(os.path.join(out, 'output_0.pb')).values, None


def main():
    fastc = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        pb.write_tensor(os.path.join(work, 'x.pb'), pb.Tensor('x', pb.FLOAT, [1, 16], POINTS))
        for i, (model, kind, level) in enumerate(CASES):
            flags = [level] + ([] if kind == 'none' else ['--replace-activation=' + kind])
            got, err = build_and_run(fastc, work, model, flags, 'case%d' % i)
            name = '%s %s' % (model, ' '.join(flags))
            if err:
                check(False, '%s: %s' % (name, err))
                continue
            f = FORMULAS[kind]
            bad = [(x, g, f(x)) for x, g in zip(POINTS, got) if abs(g - f(x)) > 2e-6 * (1 + abs(f(x)))]
            check(not bad, '%s: (x, got, want) %s' % (name, bad[:3]))
            if kind != 'none':  # the replacement really changed the numbers
                exact = EXACT[model.split('_')[0]]
                check(any(abs(g - exact(x)) > 5e-5 for x, g in zip(POINTS, got)),
                      '%s: no point differs from the exact activation' % name)
            print('ok  ' if not bad else 'FAIL', name)

        model = os.path.join(MODELS, 'gelu_to_relu_O1.onnx')
        p = subprocess.run([fastc, model, '-O2', '--stats', '--replace-activation=gelu:relu', '-o',
                            os.path.join(work, 'lossy.c')], capture_output=True, text=True)
        passes = [line.split()[2] for line in p.stderr.splitlines() if line.startswith('fastc: pass')]
        check('replace-activation' in passes and
              passes.index('replace-activation') == passes.index('recognize-gelu') + 1,
              '--stats lists replace-activation right after recognize-gelu: %s' % passes)
        check(any('replace-activation' in line and re.search(r'\b1 changes|changes +1\b', line)
                  for line in p.stderr.splitlines()), '--stats shows 1 change')
        with open(os.path.join(work, 'lossy.c')) as f:
            check('lossy: --replace-activation=gelu:relu' in f.read(4000), 'lossy header comment')
        subprocess.run([fastc, model, '-O2', '-o', os.path.join(work, 'exact.c')], check=True)
        with open(os.path.join(work, 'exact.c')) as f:
            check('lossy' not in f.read(4000), 'no lossy note without the flag')
        p = subprocess.run([fastc, model, '--replace-activation=gelu:cubic'], capture_output=True,
                           text=True)
        check(p.returncode == 2 and "unknown --replace-activation 'gelu:cubic'" in p.stderr,
              'bad flag exits 2 with a message')
        p = subprocess.run([fastc, model, '--replace-activation=gelu:relu,gelu:tanh'],
                           capture_output=True, text=True)
        check(p.returncode == 2 and 'both gelu:relu and gelu:tanh' in p.stderr,
              'two GELU targets exit 2')
    print('%d failed checks' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
