#!/usr/bin/env python3
"""Size limits (stdlib only; docs/fuzzing.md): fastc on a 40,000-node Relu/Add chain, listed in
order and reversed, and on a 40,000-node chain where every step is computed twice (the
common-subexpression pass's worst case), a 40,000-node Softmax chain (no node works in place,
so the memory planner places 40,000 intervals) and a 40,000-node graph with 20,000 values alive
at once, at -O0 and -O2, must succeed within a CPU-time budget, and -O2 may cost at most a few
times -O0 (a quadratic pass took 30x -O0 on these graphs); an 80,000-node Softmax chain must also take
less than 2.5x the CPU of the 40,000-node one (the memory planner was quadratic: 3.5x); If nodes nested 30 deep must compile, and 10,000 deep must be refused
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

CPU_BUDGET = 60.0  # seconds per fastc run; 40,000 nodes take ~0.3 s on one 2020s core


def o2_linear(cpu_o0, cpu_o2):
    """-O2 runs a dozen linear passes over the graph -O0 imports and emits: a bounded factor."""
    return cpu_o2 <= 8 * cpu_o0 + 1.0


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
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    failed = passed = 0

    def report(ok, what):
        nonlocal failed, passed
        passed += ok
        failed += not ok
        print('%s %s' % ('ok  ' if ok else 'FAIL', what))

    with tempfile.TemporaryDirectory() as work:
        shapes = (('chain', make_chain.chain(n)), ('chain (reversed)', make_chain.chain(n, True)),
                  ('twins chain', make_chain.twins(n)),
                  ('Softmax chain', make_chain.softmax_chain(n)), ('wide graph', make_chain.wide(n)))
        for what, data in shapes:
            model = os.path.join(work, 'chain.onnx')
            with open(model, 'wb') as f:
                f.write(data)
            cpu_at = {}
            for level in ('-O0', '-O2'):
                p, cpu_at[level] = run(fastc, model, [level], work)
                report(p.returncode == 0 and cpu_at[level] < CPU_BUDGET,
                       '%d-node %s %s: exit %d, %.2f s CPU%s' % (
                           n, what, level, p.returncode, cpu_at[level],
                           (': ' + p.stderr.strip()) if p.returncode else ''))
            report(o2_linear(cpu_at['-O0'], cpu_at['-O2']),
                   '%d-node %s: -O2 %.2f s CPU within 8x -O0 (%.2f s) + 1 s' % (
                       n, what, cpu_at['-O2'], cpu_at['-O0']))
        cpu_of = {}
        for count in (n, 2 * n):
            model = os.path.join(work, 'chain.onnx')
            with open(model, 'wb') as f:
                f.write(make_chain.softmax_chain(count))
            p, cpu_of[count] = run(fastc, model, ['-O0'], work)
        report(cpu_of[2 * n] < 2.5 * cpu_of[n] + 0.2,
               'Softmax chain: %d nodes %.2f s CPU, %d nodes %.2f s (linear: about 2x)' % (
                   n, cpu_of[n], 2 * n, cpu_of[2 * n]))
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
