#!/usr/bin/env python3
"""passes_table.py — the measured table of docs/passes.md: for each benchmark model, the node
count and latency at -O0, at -O2, and with each -O2 pass alone (--passes=NAME on top of the
-O0 graph). Built with cc -O3 -march=native; latency is CPU time per run of the program's
`--bench N` (start-up subtracted), each variant measured 3 times interleaved, median taken.
CPU time, because the machine may be shared with other jobs. Not a test.

usage: bench/passes_table.py [--fastc build/fastc] [--shared ../shared] [MODEL ...]"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'tools'))
import runner_util as ru  # noqa: E402

PASSES = ['fold-constants', 'drop-dropout', 'cse', 'dce', 'fold-batchnorm', 'recognize-gelu',
          'recognize-layernorm', 'div-to-mul', 'fuse-bias', 'merge-linears', 'elementwise-fusion']
DEFAULT_MODELS = ['mlp_gelu_b64', 'cifar_gelu_b64', 'digits_cnn_b450', 'convnext_tiny_ish_b1',
                  'bert_mini_qa_b1']


def variants():
    yield '-O0', ['-O0']
    yield '-O2', ['-O2']
    for p in PASSES:
        yield p, ['--passes=' + p]


def build(fastc, model, inputs, flags, work):
    args = flags + ru.shape_args(inputs)
    ir = subprocess.run([fastc, model, '--emit=ir'] + args, capture_output=True, text=True,
                        check=True).stdout
    nodes = sum(1 for line in ir.splitlines() if ' = ' in line and not line.startswith(
        ('const', ' ')) and not line.lstrip().startswith('const'))
    c, exe = os.path.join(work, 'm.c'), os.path.join(work, 'm')
    subprocess.run([fastc, model, '-o', c] + args, check=True, capture_output=True)
    subprocess.run(['cc', '-O3', '-march=native', '-std=c99', c, '-o', exe, '-lm'], check=True,
                   capture_output=True)
    return nodes, exe


def cpu_ms(exe, inputs, work, runs):
    """CPU time of one `exe --bench runs` process, in ms (the machine may be shared: CPU time
    is what other jobs barely disturb, wall time is not)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([exe, '--quiet', '-d', work, '--bench', str(runs)] + inputs,
                   capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return 1e3 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def latency(exe, inputs, work, runs):
    """CPU ms per run: (runs + warm-up) minus a 1-run process (start-up, weight decoding)."""
    return (cpu_ms(exe, inputs, work, runs) - cpu_ms(exe, inputs, work, 1)) / (runs - 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fastc', default=os.path.join(ROOT, 'build', 'fastc'))
    ap.add_argument('--shared', default=os.path.join(ROOT, '..', 'shared'))
    ap.add_argument('models', nargs='*', default=DEFAULT_MODELS)
    a = ap.parse_args()
    print('| model | variant | nodes | CPU ms/run | vs -O0 |')
    print('|---|---|---:|---:|---:|')
    for name in a.models:
        folder = os.path.join(a.shared, 'bench', 'models', name)
        model = os.path.join(folder, 'model.onnx')
        inputs = ru.numbered(os.path.join(folder, 'test_data_set_0'), 'input_')
        builds = []
        with tempfile.TemporaryDirectory() as tmp:
            for tag, flags in variants():
                work = os.path.join(tmp, tag)
                os.makedirs(work)
                nodes, exe = build(a.fastc, model, inputs, flags, work)
                builds.append((tag, nodes, exe, work))
            once = latency(builds[0][2], inputs, builds[0][3], 3)
            runs = max(5, min(200, int(300 / max(once, 0.01))))
            samples = {tag: [] for tag, _, _, _ in builds}
            for _ in range(3):
                for tag, _, exe, work in builds:
                    samples[tag].append(latency(exe, inputs, work, runs))
        base = statistics.median(samples['-O0'])
        for tag, nodes, _, _ in builds:
            ms = statistics.median(samples[tag])
            print('| %s | %s | %d | %.3f | %.2fx |' % (name, tag, nodes, ms, base / ms))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
