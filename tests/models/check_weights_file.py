#!/usr/bin/env python3
"""fastc --weights FILE (docs/usage.md): the weights go to a file the program loads at start.

For real and bench models (conv, prepacked FcLinear weights, external data): the program
built from the C with --weights must write exactly the bytes the self-contained program
writes, and match the reference outputs; the C carries no weight text. The loader's
failures: a missing file, a file of another compile (same model at -O0), a truncated file,
each exit 1 with one line naming the file; the default path, and the program's own folder
when run from elsewhere; a --no-main library whose _run returns 2 until
<prefix>_load_weights succeeds; the header declares the loader.

usage: check_weights_file.py FASTC"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared'))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
sys.path.insert(0, os.path.join(HERE, '..', 'fuzz'))
import onnx_pb  # noqa: E402
import make_big_external  # noqa: E402

CC = os.environ.get('CC', 'cc')
CFLAGS = ['-O1', '-std=c99', '-Wall', '-Wextra', '-pedantic', '-Werror']
MODELS = ['real-models/mnist-8', 'real-models/ultraface-RFB-320',
          'bench/models/mlp_gelu_b64', 'bench/models/cifar_gelu_b1']
RESULTS = []


def case(name, ok, detail=''):
    RESULTS.append(ok)
    print('%s %s%s' % ('ok  ' if ok else 'FAIL', name, '' if ok else ': ' + str(detail)[:600]))


def run(args, cwd=None):
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=600)


def build(fastc, model, work, name, extra):
    c = os.path.join(work, name + '.c')
    p = run([fastc, model, '-O2', '-o', c] + extra)
    if p.returncode != 0:
        return None, p.stderr
    q = run([CC] + CFLAGS + [c, '-o', os.path.join(work, name), '-lm'])
    return (os.path.join(work, name) if q.returncode == 0 else None), q.stderr


def outputs(folder, count):
    return [open(os.path.join(folder, 'output_%d.pb' % k), 'rb').read() for k in range(count)]


def check_model(fastc, model_dir, inputs, refs, work):
    name = os.path.basename(model_dir)
    model = os.path.join(model_dir, 'model.onnx')
    weights = os.path.join(work, name + '.weights')
    plain, err = build(fastc, model, work, name + '_plain', [])
    split, err2 = build(fastc, model, work, name + '_split', ['--weights', weights])
    if not plain or not split:
        case('%s builds with and without --weights' % name, False, err + err2)
        return
    src = open(os.path.join(work, name + '_split.c')).read()
    case('%s: no weight text in the C' % name, 'weight_text' not in src and
         'load_weights' in src, 'weight_text' in src)
    got = {}
    for kind, exe in (('plain', plain), ('split', split)):
        out = os.path.join(work, name + '_' + kind + '_out')
        os.makedirs(out, exist_ok=True)
        p = run([exe, '-d', out, '--quiet'] + inputs)
        got[kind] = outputs(out, len(refs)) if p.returncode == 0 else None
        if p.returncode != 0:
            case('%s %s runs' % (name, kind), False, p.stderr)
            return
    case('%s: same output bytes with --weights' % name, got['plain'] == got['split'])
    worst = [onnx_pb.compare(onnx_pb.decode_tensor(g), onnx_pb.read_tensor(r), 1e-3, 1e-4)
             for g, r in zip(got['split'], refs)]
    case('%s: matches the reference' % name, all(c.ok for c in worst),
         [c.detail for c in worst if not c.ok])


def check_loader_errors(fastc, work):
    model_dir = os.path.join(SHARED, 'real-models', 'mnist-8')
    model = os.path.join(model_dir, 'model.onnx')
    data = os.path.join(model_dir, 'test_data_set_0', 'input_0.pb')
    weights = os.path.join(work, 'mnist.weights')
    exe, err = build(fastc, model, work, 'mnist', ['--weights', weights])
    if not exe:
        case('mnist-8 builds with --weights', False, err)
        return
    out = os.path.join(work, 'mnist_out')
    os.makedirs(out, exist_ok=True)

    def expect_fail(what, path, text):
        p = run([exe, '--weights', path, '-d', out, '--quiet', data])
        lines = p.stderr.strip().splitlines()
        case('loader: %s' % what, p.returncode == 1 and len(lines) == 1 and text in lines[0] and
             path in lines[0], '%d %s' % (p.returncode, p.stderr))

    expect_fail('missing file', os.path.join(work, 'no-such.weights'), 'cannot read')
    other = os.path.join(work, 'other.weights')
    run([fastc, model, '-O0', '-o', os.path.join(work, 'other.c'), '--weights', other])
    expect_fail('the weights of another compile', other, "not this model's weights file")
    short = os.path.join(work, 'short.weights')
    with open(weights, 'rb') as f, open(short, 'wb') as g:
        g.write(f.read()[:-100])
    expect_fail('a truncated file', short, "not this model's weights file")
    p = run([exe, '-d', out, '--quiet', data])
    case('loader: the path given to fastc by default', p.returncode == 0, p.stderr)
    # From another folder, with the weights moved next to the program under their own name.
    away = os.path.join(work, 'away')
    os.makedirs(os.path.join(away, 'bin'), exist_ok=True)
    shutil.copy(exe, os.path.join(away, 'bin', 'mnist'))
    shutil.copy(weights, os.path.join(away, 'bin', 'mnist.weights'))
    p = run([os.path.join('bin', 'mnist'), '-d', out, '--quiet', data], cwd=away)
    q = run([os.path.join(away, 'bin', 'mnist'), '-d', out, '--quiet', data], cwd=away + '/..')
    case('loader: the file beside the program', p.returncode == 0 or q.returncode == 0,
         p.stderr + q.stderr)


LIBRARY_DRIVER = r'''
#include <stdio.h>
#include "m.h"
int main(int argc, char **argv)
{
    static float x[1 * 1 * 28 * 28], y[10];
    int before, load_bad, load, after;
    (void)argc;
    before = m_run(x, y);
    load_bad = m_load_weights("no-such-file");
    load = m_load_weights(argv[1]);
    after = m_run(x, y);
    printf("%d %d %d %d\n", before, load_bad, load, after);
    return 0;
}
'''


def check_library(fastc, work):
    model = os.path.join(SHARED, 'real-models', 'mnist-8', 'model.onnx')
    c, h, w = (os.path.join(work, n) for n in ('m.c', 'm.h', 'm.weights'))
    p = run([fastc, model, '-o', c, '--header', h, '--no-main', '--prefix', 'm', '--weights', w])
    hdr = open(h).read() if p.returncode == 0 else ''
    case('--no-main --header declares <prefix>_load_weights',
         'int m_load_weights(const char *path);' in hdr, p.stderr)
    driver = os.path.join(work, 'driver.c')
    with open(driver, 'w') as f:
        f.write(LIBRARY_DRIVER)
    exe = os.path.join(work, 'driver')
    q = run([CC] + CFLAGS + ['-I', work, driver, c, '-o', exe, '-lm'])
    r = run([exe, w]) if q.returncode == 0 else q
    case('library: _run returns 2 before the weights load, 0 after; a bad path gives 1',
         r.returncode == 0 and r.stdout.split() == ['2', '1', '0', '0'], r.stdout + r.stderr)


def check_external_data(fastc, work):
    big = os.path.join(work, 'big')
    make_big_external.main(['make_big_external.py', big, '300', '200'])
    check_model(fastc, big, [os.path.join(big, 'input_0.pb')], [os.path.join(big, 'output_0.pb')],
                work)


def main():
    fastc = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        if not os.path.isdir(os.path.join(SHARED, 'real-models')):
            print('skip: no %s (the shared models); only the external-data case runs' % SHARED)
            check_external_data(fastc, work)
            print('%d passed, %d failed' % (RESULTS.count(True), RESULTS.count(False)))
            return 0 if all(RESULTS) else 1
        for rel in MODELS:
            d = os.path.join(SHARED, rel)
            data = os.path.join(d, 'test_data_set_0')
            n_in = len([f for f in os.listdir(data) if f.startswith('input_')])
            n_out = len([f for f in os.listdir(data) if f.startswith('output_')])
            check_model(fastc, d, [os.path.join(data, 'input_%d.pb' % k) for k in range(n_in)],
                        [os.path.join(data, 'output_%d.pb' % k) for k in range(n_out)], work)
        check_external_data(fastc, work)
        check_loader_errors(fastc, work)
        check_library(fastc, work)
    print('%d passed, %d failed' % (RESULTS.count(True), RESULTS.count(False)))
    return 0 if all(RESULTS) else 1


if __name__ == '__main__':
    sys.exit(main())
