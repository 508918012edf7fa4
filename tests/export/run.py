#!/usr/bin/env python3
"""--emit=onnx round trip: each model is optimized at -O2 and written back as ONNX (fused ops
as standard ops), then that exported model is compiled again at -O0 and run on the model's
test_data_set_0; every output must match the reference (abs 1e-4 + rel 1e-3). This checks
that the export means what the optimized IR means, using nothing but fastc.

usage: run.py FASTC [SHARED]"""
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tools'))
import onnx_pb as pb  # noqa: E402
import runner_util as ru  # noqa: E402

MODELS = ['real-models/mnist-8', 'real-models/silero-vad-op18-ifless',
          'bench/models/cifar_gelu_b1', 'bench/models/mlp_gelu_b1',
          'bench/models/convnext_tiny_ish_b1', 'bench/models/digits_cnn_b1',
          'bench/models/bert_mini_qa_b1']
TIMEOUTS = {'fastc': 300, 'cc': 600, 'run': 120}


def check(fastc, folder, work):
    inputs = ru.numbered(os.path.join(folder, 'test_data_set_0'), 'input_')
    refs = ru.numbered(os.path.join(folder, 'test_data_set_0'), 'output_')
    exported = os.path.join(work, 'exported.onnx')
    rc, _, err = ru.run_step([fastc, os.path.join(folder, 'model.onnx'), '-O2', '--emit=onnx',
                              '-o', exported] + ru.shape_args(inputs), work, TIMEOUTS['fastc'])
    if rc:
        return 'export failed: ' + err.strip()
    failure = ru.build(exported, work, fastc, ['-O0'], ['cc', '-O1', '-std=c99'], TIMEOUTS)
    failure = failure or ru.run_program(work, os.path.join(work, 'out'), inputs, TIMEOUTS['run'])
    if failure:
        return '%s: %s' % failure
    for k, ref in enumerate(refs):
        got = ru.read_output(os.path.join(work, 'out'), k)
        if isinstance(got, tuple):
            return '%s: %s' % got
        c = pb.compare(got, pb.read_tensor(ref), 1e-3, 1e-4)
        if not c.ok:
            return 'output %d: %s' % (k, c.detail)
    return None


def main():
    fastc = os.path.abspath(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '..', '..', '..', 'shared')
    if not os.path.isdir(shared):
        print('shared test data not found at %s' % shared)
        return 77
    passed = failed = 0
    for m in MODELS:
        with tempfile.TemporaryDirectory() as work:
            problem = check(fastc, os.path.join(shared, m), work)
        if problem:
            failed += 1
            print('FAIL %s: %s' % (m, problem))
        else:
            passed += 1
            print('ok   %s: exported at -O2, recompiled, matches the reference' % m)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
