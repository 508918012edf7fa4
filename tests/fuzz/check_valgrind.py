#!/usr/bin/env python3
"""valgrind memcheck on the programs fastc emits for the real models (stdlib only).

For each selected model of SHARED/real-models (the layer cuts of mnist-8-layers too) and each
-O level: fastc MODEL -O<level> --shape @K=... (shapes from test_data_set_0), cc -O2 -g -std=c99,
then run the program on every test_data_set_N (its stored inputs) under
`valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99`
(also with --bench 2, so that the second run of the weights' lazy decoding and of the arena is
covered). Any memcheck error, any leak (definite, indirect, possible or still reachable) or a
non-zero exit fails the model. The test's default is a small sample; --all is every real model
(docs/fuzzing.md has the result of the full run).

  check_valgrind.py FASTC [--shared DIR] [-O 0,2] [-j N] [--all] [PATTERN ...]

Exits 77 (meson's "skipped") when valgrind or the model data is missing.
"""
import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import runner_util as ru  # noqa: E402

DEFAULT = ['real-models/mnist-8', 'real-models/silero-vad-op18-ifless']
VALGRIND = ['valgrind', '--tool=memcheck', '--leak-check=full', '--show-leak-kinds=all',
            '--errors-for-leak-kinds=all', '--error-exitcode=99', '--track-origins=yes',
            '--quiet']
TIMEOUTS = {'fastc': 300, 'cc': 600, 'run': 600}


def models(shared):
    """(name, folder) of every model under SHARED/real-models, one or two levels down."""
    root = os.path.join(shared, 'real-models')
    out = []
    for entry in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        folder = os.path.join(root, entry)
        if os.path.exists(os.path.join(folder, 'model.onnx')):
            out.append(('real-models/' + entry, folder))
        elif os.path.isdir(folder):
            for sub in sorted(os.listdir(folder)):
                if os.path.exists(os.path.join(folder, sub, 'model.onnx')):
                    out.append(('real-models/%s/%s' % (entry, sub), os.path.join(folder, sub)))
    return out


def check(fastc, name, folder, level):
    """Builds one variant and runs it under memcheck; returns (ok, lines)."""
    lines = ['%s -O%s' % (name, level)]
    sets = ru.data_sets(folder)
    if not sets:
        return False, lines + ['  FAIL no test_data_set_0']
    work = tempfile.mkdtemp(prefix='fc-vg-')
    try:
        failure = ru.build(os.path.join(folder, 'model.onnx'), work, fastc,
                           ['-O' + level] + ru.shape_args(sets[0][0]),
                           ['cc', '-O2', '-g', '-std=c99'], TIMEOUTS)
        if failure:
            return False, lines + ['  FAIL %s: %s' % failure]
        ok = True
        os.makedirs(os.path.join(work, 'out'))
        runs = [(k, inputs, []) for k, (inputs, _) in enumerate(sets)]
        runs.append((0, sets[0][0], ['--bench', '2']))
        for k, inputs, extra in runs:
            start = time.time()
            rc, out, err = ru.run_step(VALGRIND + [os.path.join(work, 'prog'), '--quiet'] +
                                       extra + ['-d', os.path.join(work, 'out')] + inputs,
                                       work, TIMEOUTS['run'])
            what = 'set %d%s' % (k, ' ' + ' '.join(extra) if extra else '')
            if rc != 0:
                ok = False
                lines.append('  FAIL %s: %s' % (what, ru.exit_text(rc)))
                lines += ['    ' + ln for ln in err.splitlines()[:60]]
            else:
                lines.append('  %s: clean (%.1f s)' % (what, time.time() - start))
        return ok, lines
    except ru.StepTimeout as e:
        return False, lines + ['  FAIL timeout: %s' % e]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('fastc')
    ap.add_argument('--shared', default=os.path.join(os.path.dirname(REPO), 'shared'))
    ap.add_argument('-O', dest='levels', default='2', help='comma-separated (default: 2)')
    ap.add_argument('-j', type=int, default=2)
    ap.add_argument('--all', action='store_true', help='every real model')
    ap.add_argument('patterns', nargs='*')
    cfg = ap.parse_args(argv)
    cfg.fastc = os.path.abspath(cfg.fastc)
    if not shutil.which('valgrind'):
        print('valgrind not found (Debian: apt-get install valgrind; tools/setup.sh installs '
              'it): skipping')
        return 77
    found = models(cfg.shared)
    if not found:
        print('no models under %s/real-models: skipping' % cfg.shared)
        return 77
    patterns = [] if cfg.all else (cfg.patterns or DEFAULT)
    chosen = [(n, f) for n, f in found
              if not patterns or any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    if not chosen:
        print('no model matches %s' % ' '.join(patterns))
        return 2
    jobs = [(n, f, lv) for n, f in chosen for lv in cfg.levels.split(',') if lv]
    start = time.time()
    failed = []
    with ThreadPool(max(1, cfg.j)) as pool:
        for (n, f, lv), (ok, lines) in zip(jobs, pool.imap(lambda j: check(cfg.fastc, *j),
                                                           jobs)):
            print('\n'.join(lines), flush=True)
            if not ok:
                failed.append('%s -O%s' % (n, lv))
    print('Time %.0f s; %d of %d variants memcheck-clean%s' % (
        time.time() - start, len(jobs) - len(failed), len(jobs),
        '' if not failed else '; failed: ' + ', '.join(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
