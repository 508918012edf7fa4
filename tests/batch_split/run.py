#!/usr/bin/env python3
"""Batch split (fastc --threads=N, passes/batch_split.c) on the small models next to this file.

Graphs whose ops are all independent along the batch (CNN with a Reshape naming the batch,
attention with both MatMul operands batched, an embedding Gather, a Reshape folding batch rows
together, constants with a row per batch row, which each instance reads its slice of, Slice /
Pad / Resize / Tile / Expand / CumSum / TopK off the batch axis) must be split — `--stats` says so, the C has one arena per instance — and compute
what the same compile with --no-batch-split computes (abs 1e-5 + rel 1e-4), with -fopenmp
(instances on 2 threads), without it (one after the other), with --weights (every instance
points at the loaded weights) and with --profile. Graphs with one op mixing the batch's rows
must not be split, and --stats must name that node and the reason; so must a batch that does
not divide by N, and a weight-bound MLP whose instances would get fewer rows than the GEMM's
row strip (at twice the batch it is split).

  python3 tests/batch_split/run.py FASTC"""
import os
import random
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
import onnx_pb as pb  # noqa: E402

FLAGS = ['-O1', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic']
# model -> its inputs: (file name, C format, element count, value maker)
SPLIT = {
    'cnn': [('x.bin', 'f', 4 * 3 * 8 * 8, lambda r: r.uniform(-1, 1))],
    'attention': [('x.bin', 'f', 4 * 2 * 6 * 8, lambda r: r.uniform(-1, 1))],
    'embedding': [('ids.bin', 'q', 6 * 5, lambda r: r.randrange(20))],
    'fold_rows': [('x.bin', 'f', 4 * 6, lambda r: r.uniform(-3, 3))],
    'const_per_row': [('x.bin', 'f', 4 * 3, lambda r: r.uniform(-1, 1))],
    'positions': [('ids.bin', 'q', 4 * 5, lambda r: r.randrange(30))],
    'reshuffles': [('x.bin', 'f', 4 * 3 * 4 * 4, lambda r: r.uniform(-1, 1))],
    'rows': [('x.bin', 'f', 4 * 6, lambda r: r.uniform(-1, 1))],
    'enough_rows': [('x.bin', 'f', 16 * 64, lambda r: r.uniform(-1, 1))],
}
NOT_SPLIT = {
    'reduce_batch': "node 'batch_mean' (ReduceMean): it reduces over the batch axis",
    'softmax_batch': "node 'softmax' (Softmax): it works along the batch axis",
    'transpose_batch': "node 'swap' (Transpose): it moves the batch axis",
    'concat_batch': "node 'stack' (Concat): it concatenates along the batch axis",
    'gemm_trans_a': "node 'fc' (Gemm): transA puts the batch on the reduced axis",
    'const_also_weight': "node 'mm' (MatMul): a parameter input depends on the batch",
    'pool_indices': "node 'pool' (MaxPool): its Indices count across the batch",
    'slice_batch': "node 'rows_1_3' (Slice): it moves data along the batch axis",
    'pad_batch': "node 'pad_rows' (Pad): it moves data along the batch axis",
    'tile_batch': "node 'tile_rows' (Tile): it moves data along the batch axis",
    'cumsum_batch': "node 'running' (CumSum): it works along the batch axis",
    'topk_batch': "node 'best' (TopK): it works along the batch axis",
    'odd_batch': "an input's axis 0 does not divide by the thread count",
    'few_rows': "node 'fc1' (MatMul): fewer than 8 rows per instance against a constant weight "
                "(most of the multiply-adds)",
}
RESULTS = []


def case(name, ok, detail=''):
    RESULTS.append(ok)
    print('%s %s%s' % ('ok  ' if ok else 'FAIL', name, '' if ok else ': ' + detail[:600]))


def fastc(fc, model, work, *args):
    c = os.path.join(work, 'model.c')
    p = subprocess.run([fc, os.path.join(HERE, model + '.onnx'), '-O3', '--stats', '-o', c] +
                       list(args), capture_output=True, text=True, timeout=120, cwd=work)
    split = [ln for ln in p.stderr.splitlines() if 'batch split' in ln]
    return p.returncode, (split[0] if split else p.stderr.strip()), \
        open(c).read() if p.returncode == 0 else ''


def build_and_run(work, cc, inputs, extra=()):
    """cc model.c -> prog, run it on the inputs; the outputs (Tensor list) or an error text."""
    q = subprocess.run(cc + FLAGS + ['model.c', '-o', 'prog', '-lm'], capture_output=True,
                       text=True, cwd=work, timeout=300)
    if q.returncode:
        return q.stderr
    out = os.path.join(work, 'out')
    os.makedirs(out, exist_ok=True)
    r = subprocess.run(['./prog', '--quiet', '-d', out] + list(extra) + inputs,
                       capture_output=True, text=True, cwd=work, timeout=120)
    if r.returncode:
        return 'program: exit %d %s' % (r.returncode, r.stderr)
    outs, k = [], 0
    while os.path.exists(os.path.join(out, 'output_%d.pb' % k)):
        outs.append(pb.read_tensor(os.path.join(out, 'output_%d.pb' % k)))
        k += 1
    return outs


def write_inputs(tmp, spec):
    rng = random.Random(11)
    paths = []
    for name, fmt, count, make in spec:
        path = os.path.join(tmp, name)
        with open(path, 'wb') as f:
            f.write(struct.pack('<%d%s' % (count, fmt), *[make(rng) for _ in range(count)]))
        paths.append(path)
    return paths


def same(got, want):
    if isinstance(got, str) or isinstance(want, str):
        return False, got if isinstance(got, str) else want
    if len(got) != len(want) or not got:
        return False, '%d outputs vs %d' % (len(got), len(want))
    for k, (a, b) in enumerate(zip(got, want)):
        c = pb.compare(a, b, 1e-4, 1e-5)
        if not c.ok:
            return False, 'output %d: %s' % (k, c.detail or 'max abs diff %g' % c.max_abs)
    return True, ''


def check_split(fc, tmp, model, spec):
    inputs = write_inputs(tmp, spec)
    runs, heads = {}, {}
    variants = {'unsplit': (['--threads=2', '--no-batch-split'], ['cc', '-fopenmp'], ()),
                'split, 2 threads': (['--threads=2'], ['cc', '-fopenmp'], ()),
                'split, no OpenMP': (['--threads=2'], ['cc'], ()),
                'split, --weights': (['--threads=2', '--weights', 'w.bin'], ['cc', '-fopenmp'],
                                     ('--weights', 'w.bin')),
                'split, --profile': (['--threads=2', '--profile'], ['cc', '-fopenmp'], ())}
    for label, (args, cc, extra) in variants.items():
        work = os.path.join(tmp, model + '-' + label.replace(' ', '_').replace(',', ''))
        os.makedirs(work)
        rc, said, src = fastc(fc, model, work, *args)
        heads[label] = src.split('*/')[0]  # the I/O signature comment: the caller's shapes
        # the split _run loops over the instances (a graph whose values all live in the
        # caller's buffers has no arena to declare one per instance)
        instances = re.search(r'num_threads\(2\)\n#endif\n    for \(c = 0; c < \d+; c\+\+\)',
                              src) is not None
        if label == 'unsplit':
            case('%s: --no-batch-split keeps kernel threads' % model, rc == 0 and
                 'FC_RT_THREADS 2' in src and not instances, said)
        elif label == 'split, 2 threads':
            case('%s: split into instances on 2 threads' % model, rc == 0 and
                 re.search(r'batch split: \d+ copies of the graph on 2 threads', said) and
                 instances and '#define FC_RT_THREADS 2' not in src, said)
        runs[label] = build_and_run(work, cc, inputs, extra) if rc == 0 else said
    case('%s: the split C documents the full batch' % model,
         heads['split, 2 threads'] == heads['unsplit'] != '', heads['split, 2 threads'])
    for label, got in runs.items():
        if label != 'unsplit':
            ok, why = same(got, runs['unsplit'])
            case('%s: %s computes what the unsplit program does' % (model, label), ok, why)


def check_bert_batch2(fc, tmp, shared):
    """bert_mini_qa (Gather embeddings, attention, LayerNorm, position ids that fold to a
    constant spanning the batch) compiled at batch 2 splits; both halves of the output equal
    the batch-1 reference (abs 1e-4 + rel 1e-3, as tests/models)."""
    folder = os.path.join(shared, 'bench', 'models', 'bert_mini_qa_b1')
    if not os.path.isdir(folder):
        print('skipped bert_mini_qa_b1 at batch 2: %s not found' % folder)
        return
    work = os.path.join(tmp, 'bert2')
    os.makedirs(work)
    data = os.path.join(folder, 'test_data_set_0')
    ids = pb.read_tensor(os.path.join(data, 'input_0.pb'))
    with open(os.path.join(work, 'ids.bin'), 'wb') as f:
        f.write(struct.pack('<%dq' % (2 * len(ids.values)), *(list(ids.values) * 2)))
    c = os.path.join(work, 'model.c')
    p = subprocess.run([fc, os.path.join(folder, 'model.onnx'), '-O3', '--threads=2', '--stats',
                        '--shape', '@0=2,%d' % ids.dims[1], '-o', c], capture_output=True,
                       text=True, timeout=300)
    case('bert_mini_qa at batch 2: split', p.returncode == 0 and
         'batch split: 2 copies of the graph on 2 threads' in p.stderr, p.stderr[-300:])
    outs = build_and_run(work, ['cc', '-fopenmp'], [os.path.join(work, 'ids.bin')]) \
        if p.returncode == 0 else p.stderr
    for k in range(2):
        ref = pb.read_tensor(os.path.join(data, 'output_%d.pb' % k))
        got = outs[k] if not isinstance(outs, str) and k < len(outs) else None
        n = len(ref.values)
        ok = got is not None and len(got.values) == 2 * n and all(
            abs(a - b) <= 1e-4 + 1e-3 * abs(b)
            for h in range(2) for a, b in zip(got.values[h * n:(h + 1) * n], ref.values))
        case('bert_mini_qa at batch 2: both halves of output %d match the reference' % k, ok,
             outs if isinstance(outs, str) else '')


def check_instances_per_thread(fc, tmp, shared):
    """Small weights (they stay in cache from one instance to the next): several instances per
    thread, dealt out dynamically (cifar_gelu_b64: 8 of 8 images on 2 threads), and the
    outputs still match the reference; weights over 1 MiB (mlp_gelu_b64, 2.7 MB): one
    instance per thread, statically; a small model whose instances would get too few rows
    (enough_rows: 16 rows) also keeps one per thread."""
    models = os.path.join(shared, 'bench', 'models')
    if not os.path.isdir(models):
        print('skipped instances per thread: %s not found' % models)
        return
    for name, copies, schedule in (('cifar_gelu_b64', 8, 'dynamic, 1'),
                                   ('mlp_gelu_b64', 2, 'static')):
        folder = os.path.join(models, name)
        work = os.path.join(tmp, 'per-thread-' + name)
        os.makedirs(work)
        c = os.path.join(work, 'model.c')
        p = subprocess.run([fc, os.path.join(folder, 'model.onnx'), '-O3', '--threads=2',
                            '--stats', '-o', c], capture_output=True, text=True, timeout=300)
        src = open(c).read() if p.returncode == 0 else ''
        case('%s: %d instances on 2 threads, schedule(%s)' % (name, copies, schedule),
             'batch split: %d copies of the graph on 2 threads' % copies in p.stderr and
             '#pragma omp parallel for schedule(%s) num_threads(2)' % schedule in src,
             p.stderr[-300:])
        data = os.path.join(folder, 'test_data_set_0')
        outs = build_and_run(work, ['cc', '-fopenmp'], [os.path.join(data, 'input_0.pb')]) \
            if p.returncode == 0 else p.stderr
        ref = pb.read_tensor(os.path.join(data, 'output_0.pb'))
        ok = not isinstance(outs, str) and len(outs) == 1 and \
            pb.compare(outs[0], ref, 1e-3, 1e-4).ok
        case('%s: the instances compute the reference outputs' % name, ok,
             outs if isinstance(outs, str) else '')
    rc, said, src = fastc(fc, 'enough_rows', tmp, '--threads=2')
    case('enough_rows: 2 instances (4 per thread would get 2 rows each)',
         'batch split: 2 copies of the graph on 2 threads' in said, said)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    fc = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        for model, spec in SPLIT.items():
            check_split(fc, tmp, model, spec)
        for model, reason in NOT_SPLIT.items():
            rc, said, src = fastc(fc, model, tmp, '--threads=2')
            case('%s: not split (%s)' % (model, reason), rc == 0 and
                 'batch split: not done (%s)' % reason in said and 'FC_RT_THREADS 2' in src,
                 said)
        check_bert_batch2(fc, tmp, os.path.join(HERE, '..', '..', '..', 'shared'))
        check_instances_per_thread(fc, tmp, os.path.join(HERE, '..', '..', '..', 'shared'))
        rc, said, src = fastc(fc, 'cnn', tmp, '--threads=3')
        case('cnn, batch 4 on 3 threads: not split', rc == 0 and 'not done (an input' in said and
             'FC_RT_THREADS 3' in src, said)
    passed = sum(RESULTS)
    print('%d passed, %d failed' % (passed, len(RESULTS) - passed))
    return 0 if all(RESULTS) else 1


if __name__ == '__main__':
    sys.exit(main())
