#!/usr/bin/env python3
"""Broken-model corpus: every model in expected.tsv must make fastc exit 1 with exactly one
line on stderr containing the expected text, leave an existing -o file untouched, create none
when there was none, and leave no temporary file behind. good_relu.onnx must compile (the corpus' control case).

usage: run.py FASTC"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SENTINEL = b'/* an existing file that a failed compile must not clobber */\n'


def check(fastc, model, expect, workdir, existing):
    """One fastc run; existing: whether out.c is there (with SENTINEL) before it."""
    out = os.path.join(workdir, 'out.c')
    if existing:
        with open(out, 'wb') as f:
            f.write(SENTINEL)
    p = subprocess.run([fastc, os.path.join(HERE, model), '-o', out], capture_output=True,
                       text=True, timeout=60)
    lines = p.stderr.strip().splitlines()
    problems = []
    if p.returncode != 1:
        problems.append('exit status %d, expected 1' % p.returncode)
    if len(lines) != 1:
        problems.append('%d stderr lines, expected 1' % len(lines))
    if expect not in p.stderr:
        problems.append('message lacks %r' % expect)
    if existing:
        with open(out, 'rb') as f:
            if f.read() != SENTINEL:
                problems.append('-o file was modified')
    if sorted(os.listdir(workdir)) != (['out.c'] if existing else []):
        problems.append('%s files behind: %s' % ('left' if existing else 'created',
                                                 os.listdir(workdir)))
    return problems, p.stderr.strip()


def main():
    fastc = sys.argv[1]
    passed = failed = 0
    with open(os.path.join(HERE, 'expected.tsv')) as f:
        cases = [l.rstrip('\n').split('\t', 1) for l in f if l.strip() and not l.startswith('#')]
    for model, expect in cases:
        problems = []
        for existing in (True, False):
            with tempfile.TemporaryDirectory() as d:
                more, msg = check(fastc, model, expect, d, existing)
            problems += [p + ('' if existing else ' (no -o file before)') for p in more]
        if problems:
            failed += 1
            print('FAIL %s: %s\n     got: %s' % (model, '; '.join(problems), msg))
        else:
            passed += 1
            print('ok   %s: %s' % (model, msg))
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([fastc, os.path.join(HERE, 'good_relu.onnx'), '-o',
                            os.path.join(d, 'ok.c')], capture_output=True, text=True)
        if p.returncode == 0 and os.path.exists(os.path.join(d, 'ok.c')):
            passed += 1
            print('ok   good_relu.onnx compiles')
        else:
            failed += 1
            print('FAIL good_relu.onnx: %s' % p.stderr.strip())
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
