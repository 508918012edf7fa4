#!/usr/bin/env python3
"""Threaded emitted code (fastc --threads=N): for a sample of real and benchmark models, compile
with --threads=2 at -O3, build with `cc -O1 -fopenmp -Wall -Wextra -Werror -std=c99 -pedantic`,
run on the model's test data and compare every output with the reference (abs 1e-4 + rel 1e-3,
as tests/models). Then require the outputs to be bitwise equal to the same model built without
-fopenmp (one thread): the kernels split work into independent blocks, so the thread count
must not change a single bit. Batched models whose batch divides by 2 take the batch split
(two instances of the graph, one per thread; passes/batch_split.c); two of them are also run
with --no-batch-split so the kernels' own splitting stays covered on large batches.
models/winograd_channels (made by make_models.py here) is a batch-1 3x3 Conv whose one block
of Winograd tiles the two threads split by output channels; it must also equal a --threads=1
compile bit for bit.

  python3 tests/threads/run.py FASTC [SHARED]

Exits 1 on any failure, 77 (meson's "skipped") when the model data is not there."""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402
import runner_util as ru  # noqa: E402

# Conv (GEMM blocks across images, depthwise planes, FcConv epilogues), FcLinear split by
# columns and by rows, batched MatMul (attention), FcElementwise tiles, MaxPool, LayerNorm.
MODELS = [('bench/models/digits_cnn_b450', []), ('bench/models/mlp_gelu_b64', []),
          ('bench/models/digits_cnn_b450', ['--no-batch-split']),
          ('bench/models/mlp_gelu_b64', ['--no-batch-split']),
          ('bench/models/convnext_tiny_ish_b1', []), ('bench/models/convnext_tiny_ish_b8', []),
          ('bench/models/bert_mini_qa_b1', []),
          ('real-models/mnist-8', []),
          ('./models/winograd_channels', [])]
# Models (next to this file: './') that must also equal a --threads=1 compile bit for bit: the
# kernels split them differently with 2 threads than with 1 (Winograd's output channels).
AGAINST_ONE_THREAD_COMPILE = {'./models/winograd_channels'}
FLAGS = ['-O1', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic']
TIMEOUTS = {'fastc': 300, 'cc': 600, 'run': 300}


def model_folder(shared, name):
    return os.path.join(HERE, name) if name.startswith('./') else os.path.join(shared, name)


def check_model(fastc, shared, name, extra, work):
    folder = model_folder(shared, name)
    inputs, refs = ru.data_sets(folder)[0]
    args = ['-O3', '--threads=2'] + extra + ru.shape_args(inputs)
    builds = [('2 threads', ['cc', '-fopenmp'], args), ('1 thread', ['cc'], args)]
    if name in AGAINST_ONE_THREAD_COMPILE:
        builds.append(('--threads=1', ['cc'], ['-O3'] + extra + ru.shape_args(inputs)))
    outs = {}
    for label, cc, fargs in builds:
        wdir = os.path.join(work, label.replace(' ', '_').replace('-', '').replace('=', ''))
        os.makedirs(wdir)
        err = (ru.build(os.path.join(folder, 'model.onnx'), wdir, fastc, fargs,
                        ru.cc_command(cc, FLAGS), TIMEOUTS) or
               ru.run_program(wdir, os.path.join(wdir, 'out'), inputs, TIMEOUTS['run']))
        if err:
            return '%s: %s' % (label, err[1])
        outs[label] = [ru.read_output(os.path.join(wdir, 'out'), k) for k in range(len(refs))]
    for k, ref_path in enumerate(refs):
        got, one = outs['2 threads'][k], outs['1 thread'][k]
        if isinstance(got, tuple) or isinstance(one, tuple):
            return 'output %d: %s' % (k, (got if isinstance(got, tuple) else one)[1])
        c = pb.compare(got, pb.read_tensor(ref_path), 1e-3, 1e-4)
        if not c.ok:
            return 'output %d vs reference: %s' % (k, c.detail or 'max abs diff %g' % c.max_abs)
        if got.values != one.values:
            return 'output %d differs between 2 threads and 1 thread' % k
        if '--threads=1' in outs and got.values != outs['--threads=1'][k].values:
            return 'output %d differs between --threads=2 and a --threads=1 compile' % k
    return None


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    fastc = os.path.abspath(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, '..', 'shared')
    if not all(os.path.isdir(model_folder(shared, m)) for m, _ in MODELS):
        print('skipped: model data not found under %s' % shared)
        return 77
    failed = 0
    for name, extra in MODELS:
        work = tempfile.mkdtemp(prefix='fastc-threads-')
        try:
            err = check_model(fastc, shared, name, extra, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        label = ' '.join([name] + extra)
        print('%s %s%s' % ('FAIL' if err else 'ok  ', label, ': ' + err if err else ''))
        failed += err is not None
    print('%d passed, %d failed' % (len(MODELS) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
