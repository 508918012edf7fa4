#!/usr/bin/env python3
"""RNN / GRU / LSTM beyond the ONNX backend tests: every model of tests/rnn/models (made by
make_models.py, reference outputs from its float64 numpy implementation of the specification)
compiled by fastc at -O0 and -O2, built with `cc -O1 -std=c99 -Wall -Wextra -Werror -pedantic`
(and the -O2 C once more with -march=native, where the GEMMs take their vector tiles) and run
on its test data; every output must be within 1e-5 + 1e-5 |ref| of the reference.

  python3 tests/rnn/run.py FASTC

Stdlib only. Prints one line per model and level, then `P passed, F failed`; exits 1 on any
failure."""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import runner_util as ru  # noqa: E402

RTOL, ATOL = 1e-5, 1e-5
# (fastc level, extra cc flags)
VARIANTS = [('-O0', []), ('-O2', []), ('-O2', ['-march=native'])]
FLAGS = ['-O1', '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic']
TIMEOUTS = {'fastc': 60, 'cc': 120, 'run': 60}


def check(fastc, folder, level, cc_extra, work):
    """None if the model's outputs match its reference in this variant, else the reason."""
    inputs, refs = ru.data_sets(folder)[0]
    err = (ru.build(os.path.join(folder, 'model.onnx'), work, fastc,
                    [level] + ru.shape_args(inputs), ru.cc_command(['cc'], FLAGS + cc_extra),
                    TIMEOUTS) or
           ru.run_program(work, os.path.join(work, 'out'), inputs, TIMEOUTS['run']))
    if err:
        return '%s: %s' % err
    return ru.check_outputs(os.path.join(work, 'out'), refs, RTOL, ATOL)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    fastc = os.path.abspath(sys.argv[1])
    models = os.path.join(HERE, 'models')
    passed = failed = 0
    for name in sorted(os.listdir(models)):
        for level, cc_extra in VARIANTS:
            work = tempfile.mkdtemp(prefix='fastc-rnn-')
            try:
                err = check(fastc, os.path.join(models, name), level, cc_extra, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print('%s %s %s%s' % ('FAIL' if err else 'ok  ', name, ' '.join([level] + cc_extra),
                                  ': ' + err if err else ''))
            failed += err is not None
            passed += err is None
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
