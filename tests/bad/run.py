#!/usr/bin/env python3
"""Broken-model corpus: every model in expected.tsv must make fastc exit 1 with exactly one
line on stderr containing the expected text, leave an existing -o file untouched, create none
when there was none, and leave no temporary file behind. good_relu.onnx must compile (the corpus' control case).
External data made at run time (git keeps neither FIFOs nor links to outside files):
external_missing.onnx's 'weights.bin' as a symbolic link to a file outside the model's folder
(an escape), as a FIFO (not a regular file: must fail at once, not hang), and as a real
24-byte file beside the model (must compile).

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


def external_cases(fastc):
    """(name, ok, stderr) for the run-time external-data cases."""
    results = []
    model_src = os.path.join(HERE, 'external_missing.onnx')
    for kind, expect in (('symlink', "escapes the model's folder (through a symbolic link)"),
                         ('fifo', 'is not a regular file'), ('file', None)):
        with tempfile.TemporaryDirectory() as outside, tempfile.TemporaryDirectory() as d:
            model = os.path.join(d, 'model.onnx')
            with open(model_src, 'rb') as f, open(model, 'wb') as g:
                g.write(f.read())
            data = os.path.join(d, 'weights.bin')
            if kind == 'symlink':
                secret = os.path.join(outside, 'secret.bin')
                with open(secret, 'wb') as f:
                    f.write(bytes(24))
                os.symlink(secret, data)
            elif kind == 'fifo':
                os.mkfifo(data)
            else:
                with open(data, 'wb') as f:
                    f.write(bytes(24))
            out = os.path.join(d, 'out.c')
            try:
                p = subprocess.run([fastc, model, '-o', out], capture_output=True, text=True,
                                   timeout=30)
            except subprocess.TimeoutExpired:
                results.append(('external data as a %s' % kind, False, 'hung'))
                continue
            lines = p.stderr.strip().splitlines()
            if expect:
                ok = (p.returncode == 1 and len(lines) == 1 and expect in lines[0] and
                      not os.path.exists(out))
            else:
                ok = p.returncode == 0 and os.path.exists(out)
            results.append(('external data as a %s' % kind, ok, p.stderr.strip()))
    return results


def main():
    fastc = sys.argv[1]
    passed = failed = 0
    for name, ok, msg in external_cases(fastc):
        passed += ok
        failed += not ok
        print('%s %s: %s' % ('ok  ' if ok else 'FAIL', name, msg))
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
