#!/usr/bin/env python3
"""Size limits (stdlib only; docs/fuzzing.md): fastc on a 20,000-node Relu/Add chain, listed in
order and reversed, at -O0 and -O2, must succeed within a CPU-time budget (quadratic work
shows up as minutes); If nodes nested 30 deep must compile, and 10,000 deep must be refused
with one clear line (it used to overflow the stack inside protobuf-c).

usage: check_limits.py FASTC [N]"""
import os
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_chain  # noqa: E402

CPU_BUDGET = 60.0  # seconds per fastc run; 20,000 nodes take ~1 s at -O2 on one 2020s core


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(fastc, model, args, work):
    before = cpu_of_children()
    p = subprocess.run([fastc, model, '-o', os.path.join(work, 'out.c')] + args,
                       capture_output=True, text=True, timeout=1800)
    return p, cpu_of_children() - before


def main():
    fastc = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    failed = passed = 0

    def report(ok, what):
        nonlocal failed, passed
        passed += ok
        failed += not ok
        print('%s %s' % ('ok  ' if ok else 'FAIL', what))

    with tempfile.TemporaryDirectory() as work:
        for reverse in (False, True):
            model = os.path.join(work, 'chain.onnx')
            with open(model, 'wb') as f:
                f.write(make_chain.chain(n, reverse))
            for level in ('-O0', '-O2'):
                p, cpu = run(fastc, model, [level], work)
                report(p.returncode == 0 and cpu < CPU_BUDGET,
                       '%d-node chain%s %s: exit %d, %.2f s CPU%s' % (
                           n, ' (reversed)' if reverse else '', level, p.returncode, cpu,
                           (': ' + p.stderr.strip()) if p.returncode else ''))
        for depth, good in ((30, True), (10000, False)):
            model = os.path.join(work, 'nested.onnx')
            with open(model, 'wb') as f:
                f.write(make_chain.nested_if(depth))
            p, cpu = run(fastc, model, [], work)
            lines = p.stderr.strip().splitlines()
            if good:
                ok = p.returncode == 0
            else:
                ok = p.returncode == 1 and len(lines) == 1 and 'nests messages' in lines[0]
            report(ok, 'If nested %d deep: exit %d %s' % (depth, p.returncode,
                                                         lines[0] if lines else ''))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
