#!/usr/bin/env python3
"""The emitted C: deterministic, and warning-free under strict flags (stdlib only).

For each model (tests/bad/good_relu.onnx, every model of tests/passes/, and when
../shared/real-models is there mnist-8, its layer cut 0 (no kernel call at -O2) and silero-vad
with its If) at -O0 and -O2: fastc runs twice and must write byte-identical C, and the C must
compile with `-Wall -Wextra -Werror -std=c99 -pedantic -O1` under every compiler of gcc and
clang that is installed (for the tests/passes models, only their -O2 C: time).

usage: check_emitted_c.py FASTC [--shared DIR]"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402

STRICT = ['-Wall', '-Wextra', '-Werror', '-std=c99', '-pedantic', '-O1', '-c', '-o', os.devnull]
REAL = ['mnist-8', 'mnist-8-layers/0_Parameter193_reshape1', 'silero-vad-op18-ifless']


def models(shared):
    """(label, model path, fastc shape args)."""
    out = [('good_relu', os.path.join(REPO, 'tests', 'bad', 'good_relu.onnx'), [])]
    for m in sorted(glob.glob(os.path.join(REPO, 'tests', 'passes', '*', '*.onnx'))):
        out.append(('passes/' + os.path.relpath(m, os.path.join(REPO, 'tests', 'passes')), m, []))
    for name in REAL:
        d = os.path.join(shared, 'real-models', name)
        if not os.path.exists(os.path.join(d, 'model.onnx')):
            continue
        inputs = sorted(glob.glob(os.path.join(d, 'test_data_set_0', 'input_*.pb')),
                        key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0]))
        args = []
        for k, path in enumerate(inputs):
            dims = pb.read_tensor(path, with_values=False).dims
            args += ['--shape', '@%d=%s' % (k, ','.join(str(x) for x in dims))]
        out.append((name, os.path.join(d, 'model.onnx'), args))
    return out


def main():
    fastc = sys.argv[1]
    shared = os.path.join(os.path.dirname(REPO), 'shared')
    if '--shared' in sys.argv:
        shared = sys.argv[sys.argv.index('--shared') + 1]
    compilers = [c for c in ('gcc', 'clang') if shutil.which(c)]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work:
        for label, model, args in models(shared):
            for level in ('-O0', '-O2'):
                problems = []
                texts = []
                for run in range(2):
                    out = os.path.join(work, 'model%d.c' % run)
                    p = subprocess.run([fastc, model, level, '-o', out] + args,
                                       capture_output=True, text=True, timeout=300)
                    if p.returncode != 0:
                        problems.append('fastc failed: %s' % p.stderr.strip())
                        break
                    with open(out, 'rb') as f:
                        texts.append(f.read())
                if len(texts) == 2 and texts[0] != texts[1]:
                    problems.append('two runs wrote different C')
                strict = len(texts) == 2 and not (label.startswith('passes/') and level == '-O0')
                for cc in compilers if strict else []:
                    p = subprocess.run([cc] + STRICT + [os.path.join(work, 'model0.c')],
                                       capture_output=True, text=True, timeout=600)
                    if p.returncode != 0:
                        first = [l for l in p.stderr.splitlines() if 'error' in l][:1]
                        problems.append('%s: %s' % (cc, first[0] if first else p.stderr[:200]))
                if problems:
                    failed += 1
                    print('FAIL %s %s: %s' % (label, level, '; '.join(problems)))
                else:
                    passed += 1
                    print('ok   %s %s (identical%s)' % (
                        label, level, '; clean under ' + ', '.join(compilers) if strict else ''))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
