#!/usr/bin/env python3
"""Real-model test runner for fastc (stdlib only).

For every model under SHARED/real-models/ (each sub-model of real-models/mnist-8-layers/ too)
and SHARED/bench/models/: compile it with fastc at each requested -O level (a separate variant
each; input shapes fixed with --shape @K from test_data_set_0), build with `cc -O2`, run it on
every test_data_set_N and compare every output with the reference, by default
|got-ref| <= 1e-4 + 1e-3*|ref|. Per-model tolerance overrides and input chaining (recurrent
state fed from the previous set's output) come from tests/models/models.json, each with a reason.

  python3 tests/models/run.py [--build DIR] [--shared DIR] [-O LEVEL ...] [-j N] [PATTERN ...]

Prints per model variant, per test set, per output the max abs diff and PASS/FAIL, and last
`N passed, M failed` (N, M count model variants). Exits 1 on any failure, 2 on setup errors,
77 (meson's "skipped") when the model data is not there.
"""
import argparse
import fnmatch
import json
import os
import shutil
import sys
import tempfile
import time
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402
import runner_util as ru  # noqa: E402

CC_FLAGS = ['-O2', '-std=c99']
TIMEOUTS = {'fastc': 300, 'cc': 600, 'run': 300}  # seconds per step
DEFAULT_LEVELS = ['0', '2']


class Model:
    """A model folder: name (path relative to SHARED), model.onnx path, and its data sets as
    (input paths, reference output paths), ordered by N."""

    def __init__(self, name, path, sets):
        self.name, self.path, self.sets = name, path, sets


class Outcome:
    def __init__(self, model, level, ok, lines):
        self.model, self.level, self.ok, self.lines = model, level, ok, lines

    @property
    def label(self):
        return '%s -O%s' % (self.model.name, self.level)


class ConfigError(Exception):
    pass


# ---- discovery -------------------------------------------------------------------------------

def load_model(shared, folder):
    return Model(os.path.relpath(folder, shared), os.path.join(folder, 'model.onnx'),
                 ru.data_sets(folder))


def discover(shared):
    """Every folder holding a model.onnx one or two levels below real-models/ and bench/models/."""
    models = []
    for top in ('real-models', os.path.join('bench', 'models')):
        root = os.path.join(shared, top)
        if not os.path.isdir(root):
            continue
        for entry in sorted(os.listdir(root)):
            folder = os.path.join(root, entry)
            if os.path.exists(os.path.join(folder, 'model.onnx')):
                models.append(load_model(shared, folder))
            elif os.path.isdir(folder):
                for sub in sorted(os.listdir(folder)):
                    if os.path.exists(os.path.join(folder, sub, 'model.onnx')):
                        models.append(load_model(shared, os.path.join(folder, sub)))
    return models


def matches(model, patterns):
    """A pattern matches the whole name or its trailing path components (mnist-8 matches
    real-models/mnist-8; mnist-8-layers/* matches each layer model)."""
    return not patterns or any(fnmatch.fnmatchcase(model.name, p) or
                               fnmatch.fnmatchcase(model.name, '*/' + p) for p in patterns)


# ---- models.json -----------------------------------------------------------------------------

def load_config(path):
    """Reads and checks models.json; returns (default tolerance dict, {key: override})."""
    with open(path) as fh:
        try:
            cfg = json.load(fh)
        except ValueError as e:
            raise ConfigError('%s: %s' % (path, e))
    default = cfg.get('default', {'atol': 1e-4, 'rtol': 1e-3})
    overrides = cfg.get('models', {})
    for key, o in overrides.items():
        if not isinstance(o.get('reason'), str) or not o['reason'].strip():
            raise ConfigError("%s: entry '%s' has no reason" % (path, key))
        unknown = set(o) - {'atol', 'rtol', 'chain', 'reason'}
        if unknown:
            raise ConfigError("%s: entry '%s': unknown keys %s" % (path, key, sorted(unknown)))
        try:
            o['chain'] = {int(i): int(j) for i, j in o.get('chain', {}).items()}
        except (AttributeError, ValueError):
            raise ConfigError("%s: entry '%s': chain must map input index to output index"
                              % (path, key))
    return default, overrides


def settings_for(name, default, overrides):
    """The override for a model (exact name first, then the first matching pattern) merged
    over the default: dict with atol, rtol, chain."""
    o = overrides.get(name)
    if o is None:
        o = next((v for k, v in overrides.items() if fnmatch.fnmatchcase(name, k)), {})
    return {'atol': o.get('atol', default['atol']), 'rtol': o.get('rtol', default['rtol']),
            'chain': o.get('chain', {})}


# ---- running one model variant ---------------------------------------------------------------

def set_inputs(model, k, chain, prev_outdir):
    """Input files for data set k: the stored ones, except chained inputs of sets k>0, which
    are the previous set's program outputs. None if a chained output is not available."""
    inputs = list(model.sets[k][0])
    if k == 0:
        return inputs
    for i, j in chain.items():
        if i >= len(inputs):
            raise ValueError('models.json chains input %d; the model has %d' % (i, len(inputs)))
        path = prev_outdir and os.path.join(prev_outdir, 'output_%d.pb' % j)
        if not path or not os.path.exists(path):
            return None
        inputs[i] = path
    return inputs


def check_outputs(outdir, refs, tol, lines, k):
    """Compares each output of set k with its reference; appends one line per output."""
    ok = True
    for j, ref_path in enumerate(refs):
        ref = pb.read_tensor(ref_path)
        got = ru.read_output(outdir, j)
        if isinstance(got, tuple):
            lines.append('  set %d output %d: FAIL %s' % (k, j, got[1]))
            ok = False
            continue
        c = pb.compare(got, ref, tol['rtol'], tol['atol'])
        shape = '[%s]' % ','.join(str(d) for d in ref.dims)
        lines.append('  set %d output %d %-14s max abs diff %-9.3g (%.2g of tol) %s%s'
                     % (k, j, shape, c.max_abs, c.ratio, 'PASS' if c.ok else 'FAIL',
                        '' if c.ok else ': ' + c.worst))
        ok = ok and c.ok
    return ok


def run_sets(model, work, tol, lines):
    """Runs the built program on every data set in order; returns True if all outputs match."""
    ok, prev = True, None
    for k, (_, refs) in enumerate(model.sets):
        inputs = set_inputs(model, k, tol['chain'], prev)
        if inputs is None:
            lines.append('  set %d: FAIL chained input unavailable (set %d failed)' % (k, k - 1))
            ok, prev = False, None
            continue
        outdir = os.path.join(work, 'out%d' % k)
        start = time.time()
        failure = ru.run_program(work, outdir, inputs, TIMEOUTS['run'])
        if failure:
            lines.append('  set %d: FAIL %s: %s' % (k, failure[0], failure[1]))
            ok, prev = False, None
            continue
        lines.append('  set %d ran in %.2f s' % (k, time.time() - start))
        set_ok = check_outputs(outdir, refs, tol, lines, k)
        ok = ok and set_ok
        prev = outdir
    return ok


def run_variant(model, level, cfg):
    tol = settings_for(model.name, cfg.default, cfg.overrides)
    lines = ['%s -O%s (tolerance %g + %g*|ref|%s)' % (
        model.name, level, tol['atol'], tol['rtol'],
        ', chained %s' % tol['chain'] if tol['chain'] else '')]
    if not model.sets:
        lines.append('  FAIL no test_data_set_0')
        return Outcome(model, level, False, lines)
    work = tempfile.mkdtemp(prefix='fc-model-')
    ok = False
    try:
        start = time.time()
        args = ['-O' + level] + ru.shape_args(model.sets[0][0])
        failure = ru.build(model.path, work, cfg.fastc, args,
                           ru.cc_command(cfg.cc, CC_FLAGS), TIMEOUTS)
        if failure:
            lines.append('  FAIL %s: %s' % failure)
        else:
            lines.append('  built in %.1f s (fastc + cc %s)' % (time.time() - start,
                                                                ' '.join(CC_FLAGS)))
            ok = run_sets(model, work, tol, lines)
    except ru.StepTimeout as e:
        lines.append('  FAIL timeout: %s' % e)
    except Exception as e:  # a broken data file or a runner bug fails this variant only
        lines.append('  FAIL runner: %s: %s' % (type(e).__name__, e))
    finally:
        if not ok and cfg.keep:
            ru.keep_workdir(work, cfg.keep, '%s-O%s' % (model.name, level))
        shutil.rmtree(work, ignore_errors=True)
    lines.append('  => %s' % ('PASS' if ok else 'FAIL'))
    return Outcome(model, level, ok, lines)


# ---- main ------------------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ru.add_common_args(ap, 'model variants')
    ap.add_argument('-O', dest='levels', action='append',
                    help='fastc -O level; repeat or comma-separate for several variants '
                         '(default: 0 and 2)')
    ap.add_argument('--config', default=os.path.join(HERE, 'models.json'),
                    help='tolerance and chaining settings (default: %(default)s)')
    ap.add_argument('patterns', nargs='*', metavar='PATTERN',
                    help='fnmatch pattern on the model name (e.g. real-models/mnist-8, '
                         'mnist-8-layers/*, *_b1)')
    cfg = ap.parse_args(argv)
    ru.finish_common_args(cfg)
    cfg.levels = [lv for arg in (cfg.levels or DEFAULT_LEVELS) for lv in arg.split(',') if lv]
    return cfg


def main(argv):
    cfg = parse_args(argv)
    try:
        cfg.default, cfg.overrides = load_config(cfg.config)
    except (OSError, ConfigError) as e:
        print('bad config: %s' % e)
        return 2
    models = discover(cfg.shared)
    if not models:
        print('no models under %s: skipping' % cfg.shared)
        return 77
    return ru.run_with_fastc(cfg, run_all, models)


def run_all(cfg, models):
    """Runs every selected model variant, printing each as it ends; returns the exit code."""
    models = [m for m in models if matches(m, cfg.patterns)]
    if not models:
        print('no model matches %s' % ' '.join(cfg.patterns))
        return 2
    # Biggest models first, so the slow compiles overlap with the many small ones.
    jobs = sorted(((m, lv) for m in models for lv in cfg.levels),
                  key=lambda job: -os.path.getsize(job[0].path))
    start = time.time()
    outcomes = []
    with ThreadPool(cfg.j) as pool:
        for o in pool.imap_unordered(lambda job: run_variant(job[0], job[1], cfg), jobs):
            print('\n'.join(o.lines), flush=True)
            outcomes.append(o)
    failed = sorted(o.label for o in outcomes if not o.ok)
    if failed:
        print('\nFailed (%d):\n  %s' % (len(failed), '\n  '.join(failed)))
    print('Time %.0f s with -j %d' % (time.time() - start, cfg.j))
    print('%d passed, %d failed' % (len(outcomes) - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
