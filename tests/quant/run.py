#!/usr/bin/env python3
"""QDQ models (tests/quant/models, written by make_models.py): QuantizeLinear ->
DequantizeLinear around Conv / MatMul with int8 per-axis and blocked weights, int32 biases and
a DynamicQuantizeLinear, compiled at -O0 (gcc) and -O2 (gcc; gcc and clang with
-march=native), built with `-O2 -std=c99 -Wall -Wextra -Werror -pedantic`; every output must
match the reference (|got-ref| <= 1e-5 + 1e-4*|ref| for floats, integers exactly). At -O2 the
DequantizeLinear of every weight initializer must be folded into a float constant at compile
time (fastc --emit=ir: no DequantizeLinear reads a constant).

  python3 tests/quant/run.py FASTC

Exits 1 on any failure."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import runner_util as ru  # noqa: E402

MODELS = ['qdq_conv', 'qdq_matmul']
FLAGS = ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic']
TIMEOUTS = {'fastc': 120, 'cc': 300, 'run': 60}
RTOL, ATOL = 1e-4, 1e-5


def variants():
    """(fastc level, C compiler command) pairs: -O0 once, -O2 on the baseline ISA and with
    -march=native (the AVX-512 / AVX2 paths), gcc and clang (those present)."""
    want = [('-O0', ['gcc']), ('-O2', ['gcc']), ('-O2', ['gcc', '-march=native']),
            ('-O2', ['clang', '-march=native'])]
    return [(level, cc) for level, cc in want if shutil.which(cc[0])]


def check_build(fastc, folder, level, cc, work):
    inputs, refs = ru.data_sets(folder)[0]
    err = (ru.build(os.path.join(folder, 'model.onnx'), work, fastc, [level],
                    ru.cc_command(cc, FLAGS), TIMEOUTS) or
           ru.run_program(work, os.path.join(work, 'out'), inputs, TIMEOUTS['run']))
    if err:
        return err[1]
    return ru.check_outputs(os.path.join(work, 'out'), refs, RTOL, ATOL)


def check_folded(fastc, folder):
    """None if no DequantizeLinear reads a constant in the -O2 IR, else the offending line."""
    ir = subprocess.run([fastc, os.path.join(folder, 'model.onnx'), '-O2', '--emit=ir'],
                        capture_output=True, text=True, timeout=TIMEOUTS['fastc'])
    if ir.returncode != 0:
        return 'fastc --emit=ir failed: %s' % ir.stderr.strip()
    for line in ir.stdout.splitlines():
        if re.search(r'= DequantizeLinear\(@', line):
            return 'weight DequantizeLinear not folded: %s' % line.strip()
    return None


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    fastc = os.path.abspath(sys.argv[1])
    failed = total = 0
    for name in MODELS:
        folder = os.path.join(HERE, 'models', name)
        checks = [('folded at -O2', lambda: check_folded(fastc, folder))]
        for level, cc in variants():
            checks.append(('%s %s' % (level, ' '.join(cc)),
                           lambda level=level, cc=cc: run_in_tmp(fastc, folder, level, cc)))
        for label, check in checks:
            err = check()
            total += 1
            failed += err is not None
            print('%s %s %s%s' % ('FAIL' if err else 'ok  ', name, label,
                                  ': ' + err if err else ''))
    print('%d passed, %d failed' % (total - failed, failed))
    return 1 if failed else 0


def run_in_tmp(fastc, folder, level, cc):
    work = tempfile.mkdtemp(prefix='fastc-quant-')
    try:
        return check_build(fastc, folder, level, cc, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
