#!/usr/bin/env python3
"""Self-test of tests/models/run.py: a pass that breaks a model must fail the model test, also
when the runner checks variants with identical C files only once.

Runs run.py on real-models/mnist-8 (-O0, -O2, and fuse-bias and cse alone at -O2 and -O3) with
a stand-in fastc that runs the real one and, for --passes=fuse-bias, zeroes the first bytes of
every weight row of the C it wrote (the model then computes with wrong weights, as a broken
pass would make it). Requires: exit status 1; exactly the two fuse-bias variants failed (they
share one C file: one build, two failures); the -O0, -O2 and cse variants passed, cse as
identical to -O0 (cse changes nothing on mnist-8); the summary counts add up.

usage: selftest.py FASTC      (exits 77, skipped, without ../shared/real-models/mnist-8)
"""
import os
import re
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), 'shared')
BROKEN = '--passes=fuse-bias'

WRAPPER = r'''#!%(python)s
# fastc stand-in for tests/models/selftest.py: the real fastc, with wrong weights for %(broken)s.
import re, subprocess, sys
args = sys.argv[1:]
rc = subprocess.call([%(fastc)r] + args)
if rc == 0 and %(broken)r in args and '-o' in args:
    path = args[args.index('-o') + 1]
    with open(path) as fh:
        text = fh.read()
    # weight rows: runtime/fc_weights.c's base-85 characters; "!!!!!" is four zero bytes
    text, n = re.subn(r'^"[!#->@-\[\]-x]{10}(?=[!#->@-\[\]-x]{10,}",?$)', '"' + '!' * 10, text,
                      flags=re.M)
    if n == 0:
        sys.exit('selftest wrapper: no weight rows found in ' + path)
    with open(path, 'w') as fh:
        fh.write(text)
sys.exit(rc)
'''


def main(argv):
    if len(argv) != 1:
        print(__doc__)
        return 2
    if not os.path.isdir(os.path.join(SHARED, 'real-models', 'mnist-8')):
        print('no %s/real-models/mnist-8: skipping' % SHARED)
        return 77
    problems = []
    with tempfile.TemporaryDirectory(prefix='fc-models-selftest-') as tmp:
        wrapper = os.path.join(tmp, 'fastc')
        with open(wrapper, 'w') as fh:
            fh.write(WRAPPER % {'python': sys.executable, 'broken': BROKEN,
                                'fastc': os.path.abspath(argv[0])})
        os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
        cmd = [sys.executable, os.path.join(HERE, 'run.py'), '--fastc', wrapper,
               '--shared', SHARED, '-j', '2', '-O0,2', '--pass-alone=fuse-bias,cse',
               '--pass-levels=2,3', 'real-models/mnist-8']
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, timeout=600)
    out = proc.stdout
    print(out)
    if proc.returncode != 1:
        problems.append('run.py exited %d, want 1' % proc.returncode)
    failed = re.search(r'^Failed \(\d+\):\n((?:  .*\n)*)', out, re.M)
    failed = sorted(ln.strip() for ln in failed.group(1).splitlines()) if failed else []
    want = sorted('real-models/mnist-8 ' + v for v in ('--passes=fuse-bias',
                                                       '-O3 --passes=fuse-bias'))
    if failed != want:
        problems.append('failed variants %s, want %s' % (failed, want))
    if not re.search(r'^real-models/mnist-8 --passes=fuse-bias \(.*\n(?:  .*\n)*?'
                     r'  same C file, so the same result: -O3 --passes=fuse-bias\n  => FAIL',
                     out, re.M):
        problems.append('the fuse-bias variants were not reported as one failing build')
    if not re.search(r'^real-models/mnist-8 -O0 \(.*\n(?:  .*\n)*?'
                     r'  same C file, so the same result: --passes=cse -O3 --passes=cse\n'
                     r'  => PASS', out, re.M):
        problems.append('-O0 did not pass with the cse variants as identical to it')
    if not re.search(r'^4 passed, 2 failed \(3 built and run, 3 identical to a built '
                     r'variant\)$', out, re.M):
        problems.append('summary line is not "4 passed, 2 failed (3 built and run, 3 '
                        'identical ...)"')
    for p in problems:
        print('SELFTEST FAIL: %s' % p)
    print('selftest: %s' % ('FAIL' if problems else 'PASS'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
