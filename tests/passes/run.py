#!/usr/bin/env python3
"""Golden pass tests: for each tests/passes/<pass>/<case>.check, run
`fastc <case>.onnx <RUN flags> --emit=ir` and match the printed IR against the CHECK lines.

A .check file holds:
    // RUN: --passes=div-to-mul        flags given to fastc (one RUN line)
    /// Check that ...                 what the case is about (documentation)
    // CHECK: text                     a later line contains text
    // CHECK-NEXT: text                the very next line contains text
    // CHECK-NOT: text                 no line between the previous and the next match
                                        (or the end) contains text
usage: run.py FASTC [CASE-GLOB]"""
import fnmatch
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse(path):
    run, checks = None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            for kind in ('CHECK-NEXT', 'CHECK-NOT', 'CHECK'):
                tag = '// %s: ' % kind
                if line.startswith(tag):
                    checks.append((kind, line[len(tag):]))
                    break
            else:
                if line.startswith('// RUN: '):
                    run = line[len('// RUN: '):].split()
    return run, checks


def match(lines, checks):
    """Returns None if the IR satisfies the checks, else a description of the first miss."""
    pos, pending_not = 0, []
    for kind, text in checks:
        if kind == 'CHECK-NOT':
            pending_not.append(text)
            continue
        if kind == 'CHECK-NEXT':
            found = pos if pos < len(lines) and text in lines[pos] else None
        else:
            found = next((i for i in range(pos, len(lines)) if text in lines[i]), None)
        if found is None:
            return '%s: %r not found after line %d' % (kind, text, pos)
        for bad in pending_not:
            for i in range(pos, found):
                if bad in lines[i]:
                    return 'CHECK-NOT: %r found on line %d: %s' % (bad, i + 1, lines[i])
        pending_not, pos = [], found + 1
    for bad in pending_not:
        for i in range(pos, len(lines)):
            if bad in lines[i]:
                return 'CHECK-NOT: %r found on line %d: %s' % (bad, i + 1, lines[i])
    return None


def main():
    fastc = sys.argv[1]
    pattern = sys.argv[2] if len(sys.argv) > 2 else '*'
    passed = failed = 0
    for check in sorted(glob.glob(os.path.join(HERE, '*', '*.check'))):
        name = os.path.relpath(check, HERE)[:-len('.check')]
        if not fnmatch.fnmatch(name, pattern):
            continue
        run, checks = parse(check)
        model = check[:-len('.check')] + '.onnx'
        p = subprocess.run([fastc, model] + (run or []) + ['--emit=ir'], capture_output=True,
                           text=True, timeout=60)
        problem = ('fastc failed: ' + p.stderr.strip()) if p.returncode else (
            'no RUN line' if run is None else (
                'no CHECK lines' if not checks else match(p.stdout.splitlines(), checks)))
        if problem:
            failed += 1
            print('FAIL %s: %s\n---- IR ----\n%s' % (name, problem, p.stdout))
        else:
            passed += 1
            print('ok   %s' % name)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
