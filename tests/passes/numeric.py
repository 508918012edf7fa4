#!/usr/bin/env python3
"""Numeric check of every pass on the golden-test models: for each tests/passes/<pass>/*.onnx,
feed seeded random inputs, run the program compiled at -O0 and with the case's own pass list
(its .check RUN line, unless it is a lossy --replace-activation) and at -O2 and -O3, and require equal outputs within abs 1e-5 +
rel 1e-4 (passes are lossless; only rounding may differ).

usage: numeric.py FASTC"""
import glob
import os
import random
import subprocess
import sys
import tempfile
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
import onnx_pb as pb  # noqa: E402
from run import parse  # noqa: E402


def make_inputs(model, work):
    rnd = random.Random(1234)
    paths = []
    for k, vi in enumerate(model.runtime_inputs):
        dims = [d if isinstance(d, int) else 1 for d in (vi.shape or [])]
        n = 1
        for d in dims:
            n *= d
        if vi.elem_type in pb.FLOAT_DTYPES:
            vals = [rnd.uniform(-3, 3) for _ in range(n)]
        elif vi.elem_type == pb.BOOL:
            vals = [rnd.random() < 0.5 for _ in range(n)]
        else:
            vals = [rnd.randint(-5, 5) for _ in range(n)]
        path = os.path.join(work, 'input_%d.pb' % k)
        pb.write_tensor(path, pb.Tensor(vi.name, vi.elem_type, dims, vals))
        paths.append(path)
    return paths


def run_variant(fastc, model_path, flags, inputs, work, tag, built):
    """Compiles the case with fastc FLAGS, builds and runs it; `built` maps the text of C
    files already built and run for this case to their outputs: a variant whose C is
    byte-identical to one of them (a pass that changes nothing; -O3 == -O2) is that program,
    so it is not built again (cc is most of this test's time)."""
    d = os.path.join(work, tag)
    os.makedirs(d)
    c, exe = os.path.join(d, 'm.c'), os.path.join(d, 'm')
    subprocess.run([fastc, model_path, '-o', c] + flags, check=True, capture_output=True)
    with open(c, 'rb') as f:
        text = f.read()
    if text in built:
        return built[text]
    # -O0: these graphs are tiny, so building dominates; the numerics do not depend on it
    subprocess.run(['cc', '-O0', '-std=c99', c, '-o', exe, '-lm'], check=True, capture_output=True)
    subprocess.run([exe, '--quiet', '-d', d] + inputs, check=True, capture_output=True)
    outs = sorted(glob.glob(os.path.join(d, 'output_*.pb')))
    built[text] = [pb.read_tensor(o) for o in outs]
    return built[text]


def check_case(fastc, check):
    """Returns (name, problems) for one golden case."""
    name = os.path.relpath(check, HERE)[:-len('.check')]
    model_path = check[:-len('.check')] + '.onnx'
    run, _ = parse(check)
    model = pb.read_model(model_path)
    problems = []
    with tempfile.TemporaryDirectory() as work:
        try:
            inputs = make_inputs(model, work)
            built = {}
            ref = run_variant(fastc, model_path, ['-O0'], inputs, work, 'O0', built)
            variants = [('O2', ['-O2']), ('O3', ['-O3'])]
            # Lossy rewrites (--replace-activation) are checked against their formulas by
            # tests/explore; here only the lossless pass lists must agree with -O0.
            if not any(f.startswith('--replace-activation') for f in run or []):
                variants.insert(0, ('run', run or []))
            for tag, flags in variants:
                got = run_variant(fastc, model_path, flags, inputs, work, tag, built)
                for k, (g, r) in enumerate(zip(got, ref)):
                    c = pb.compare(g, r, 1e-4, 1e-5)
                    if not c.ok:
                        problems.append('%s output %d: %s' % (tag, k, c.detail))
        except subprocess.CalledProcessError as e:
            problems = ['%s failed: %s' % (' '.join(e.cmd[:2]), e.stderr.decode()[:200])]
    return name, problems


def main():
    fastc = sys.argv[1]
    passed = failed = 0
    checks = sorted(glob.glob(os.path.join(HERE, '*', '*.check')))
    with ThreadPool(os.cpu_count() or 2) as pool:
        results = pool.map(lambda c: check_case(fastc, c), checks)
    for name, problems in results:
        if problems:
            failed += 1
            print('FAIL %s: %s' % (name, '; '.join(problems)))
        else:
            passed += 1
            print('ok   %s' % name)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
