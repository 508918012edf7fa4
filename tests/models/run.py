#!/usr/bin/env python3
"""Real-model test runner for fastc (stdlib only).

For every model under SHARED/real-models/ (each sub-model of real-models/mnist-8-layers/ too)
and SHARED/bench/models/: compile it with fastc in each requested variant -- an -O level, or
one pass alone (`--passes=NAME`: that pass only, on the unoptimized graph) -- with the input
shapes fixed by --shape @K from test_data_set_0, build the C, run it on every test_data_set_N
and compare every output with the reference, by default |got-ref| <= 1e-4 + 1e-3*|ref|.
Per-model tolerance overrides and input chaining (recurrent state fed from the previous set's
output) come from tests/models/models.json, each with a reason.

Variants of one model whose C files are byte-identical (a pass that does not fire leaves the
graph, hence the C, as it was; -O3 often equals -O2) are built and run once: the first of them
(-O levels in the order given, then the passes) is checked and the others are reported as
having its C file and share its result. --no-dedupe builds and runs every variant.
-O levels are built with `cc -O2`, pass-alone variants with `cc -O0` (half the compile time on
the 60 MB bert_mini C, less on small models; what is under test there is the pass, not cc).

  python3 tests/models/run.py [--build DIR] [--shared DIR] [-O LEVEL ...] [--pass-alone all|P,..]
                              [--pass-levels L,..] [--no-dedupe] [-j N] [PATTERN ...]

Prints per model which variants share a C file; per built variant, per test set, per output
the max abs diff and PASS/FAIL; last `N passed, M failed (B built and run, I identical to a
built variant)` (N, M count model variants). Exits 1 on any failure, 2 on setup errors,
77 (meson's "skipped") when the model data is not there.
"""
import argparse
import fnmatch
import hashlib
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

CC_FLAGS = ['-O2', '-std=c99']       # -O level variants
PASS_CC_FLAGS = ['-O0', '-std=c99']  # pass-alone variants
TIMEOUTS = {'fastc': 300, 'cc': 600, 'run': 300}  # seconds per step
DEFAULT_LEVELS = ['0', '2']
# Passes --pass-alone=all leaves out, and why. Every other pass of `fastc --list-passes` is
# lossless and must give the reference outputs on its own.
LOSSY_PASSES = {
    'replace-activation': 'lossy by design (opt-in activation swaps change the outputs); '
                          'tests/explore checks each swap against its formula',
}


class Model:
    """A model folder: name (path relative to SHARED), model.onnx path, and its data sets as
    (input paths, reference output paths), ordered by N."""

    def __init__(self, name, path, sets):
        self.name, self.path, self.sets = name, path, sets


class Variant:
    """One way to compile a model: its name as printed ('-O2', '--passes=cse'), the fastc
    flags and the C compiler flags."""

    def __init__(self, name, flags, cc_flags):
        self.name, self.flags, self.cc_flags = name, flags, cc_flags


def level_variant(level):
    return Variant('-O' + level, ['-O' + level], CC_FLAGS)


def pass_variant(name, level):
    """--passes=NAME at -O level (2, fastc's default, is left implicit): only div-to-mul reads
    the level today (inexact reciprocals at -O3), but a pass alone is checked at each level
    asked for."""
    flags = (['-O' + level] if level != '2' else []) + ['--passes=' + name]
    return Variant(' '.join(flags), flags, PASS_CC_FLAGS)


class Outcome:
    """The result of one model variant; same_as is the variant whose C file it has and whose
    check it shares (None if it was built and run itself)."""

    def __init__(self, model, variant, ok, lines, same_as=None):
        self.model, self.variant, self.ok, self.lines = model, variant, ok, lines
        self.same_as = same_as

    @property
    def label(self):
        return '%s %s' % (self.model.name, self.variant.name)


class Group:
    """The variants of one model that produced the same C file (the first one is checked),
    the folder holding that file as model.c, and fastc's time for the first."""

    def __init__(self, model, variant, work, seconds):
        self.model, self.variants, self.work, self.seconds = model, [variant], work, seconds


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


def header(model, variant, tol):
    return '%s %s (tolerance %g + %g*|ref|%s)' % (
        model.name, variant.name, tol['atol'], tol['rtol'],
        ', chained %s' % tol['chain'] if tol['chain'] else '')


def emit_c(model, variant, cfg, path):
    """`fastc MODEL -o PATH` with the variant's flags and the data's shapes; returns None or
    (category, detail)."""
    cmd = ([cfg.fastc, model.path, '-o', path] + variant.flags +
           ru.shape_args(model.sets[0][0]))
    try:
        rc, out, err = ru.run_step(cmd, os.path.dirname(path), TIMEOUTS['fastc'])
    except OSError as e:  # e.g. fastc being relinked right now
        return 'fastc-error', 'cannot run fastc: %s' % e
    if rc != 0 or not os.path.exists(path) or os.path.getsize(path) == 0:
        msg = (ru.first_line(err) or ru.first_line(out)).replace(model.path + ': ', '')
        return 'fastc-error', 'fastc %s%s' % (ru.exit_text(rc), ': ' + msg if msg else '')
    return None


def file_digest(path):
    h = hashlib.sha256()
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def plan_model(model, variants, cfg):
    """Emits the C of every variant of model. Returns (groups, outcomes): one Group per
    distinct C file (with --no-dedupe, per variant), each file kept as GROUP.work/model.c;
    an Outcome for each variant fastc failed on."""
    tol = settings_for(model.name, cfg.default, cfg.overrides)
    if not model.sets:
        return [], [Outcome(model, v, False, [header(model, v, tol), '  FAIL no test_data_set_0',
                                              '  => FAIL']) for v in variants]
    root = tempfile.mkdtemp(prefix='fc-model-')
    groups, failed, by_digest = [], [], {}
    for v in variants:
        path = os.path.join(root, 'candidate.c')
        start = time.time()
        try:
            failure = emit_c(model, v, cfg, path)
        except ru.StepTimeout as e:
            failure = ('timeout', str(e))
        except Exception as e:  # a broken data file or a runner bug fails this variant only
            failure = ('runner', '%s: %s' % (type(e).__name__, e))
        if failure:
            failed.append(Outcome(model, v, False, [header(model, v, tol),
                                                    '  FAIL %s: %s' % failure, '  => FAIL']))
            if os.path.exists(path):
                os.remove(path)
            continue
        digest = file_digest(path) if cfg.dedupe else len(groups)
        if digest in by_digest:
            by_digest[digest].variants.append(v)
            os.remove(path)
            continue
        work = os.path.join(root, 'v%d' % len(groups))
        os.mkdir(work)
        os.rename(path, os.path.join(work, 'model.c'))
        g = by_digest[digest] = Group(model, v, work, time.time() - start)
        groups.append(g)
    if not groups:
        shutil.rmtree(root, ignore_errors=True)
    return groups, failed


def check_group(group, cfg):
    """Builds and runs the first variant of a group; returns one Outcome per variant."""
    model, v = group.model, group.variants[0]
    tol = settings_for(model.name, cfg.default, cfg.overrides)
    lines = [header(model, v, tol)]
    ok = False
    try:
        start = time.time()
        cc_cmd = ru.cc_command(cfg.cc, v.cc_flags)
        rc, _, err = ru.run_step(cc_cmd + ['model.c', '-o', 'prog', '-lm'], group.work,
                                 TIMEOUTS['cc'])
        if rc != 0:
            lines.append('  FAIL cc-error: %s' % (ru.first_line(err, prefer='error') or
                                                  ru.exit_text(rc)))
        else:
            lines.append('  built in %.1f s (fastc %.1f s, cc %s %.1f s)' % (
                group.seconds + time.time() - start, group.seconds, ' '.join(v.cc_flags),
                time.time() - start))
            ok = run_sets(model, group.work, tol, lines)
    except ru.StepTimeout as e:
        lines.append('  FAIL timeout: %s' % e)
    except Exception as e:  # a broken data file or a runner bug fails this variant only
        lines.append('  FAIL runner: %s: %s' % (type(e).__name__, e))
    finally:
        if not ok and cfg.keep:
            ru.keep_workdir(group.work, cfg.keep, '%s%s' % (model.name, v.name))
        shutil.rmtree(group.work, ignore_errors=True)
    others = group.variants[1:]
    if others:
        lines.append('  same C file, so the same result: %s'
                     % ' '.join(o.name for o in others))
    lines.append('  => %s%s' % ('PASS' if ok else 'FAIL',
                                ' (%d variants)' % len(group.variants) if others else ''))
    return ([Outcome(model, v, ok, lines)] +
            [Outcome(model, o, ok, [], same_as=v) for o in others])


def lossless_passes(fastc):
    """Every pass of `fastc --list-passes` except LOSSY_PASSES, in pipeline order."""
    rc, out, err = ru.run_step([fastc, '--list-passes'], None, TIMEOUTS['fastc'])
    names = [ln.split()[0] for ln in out.splitlines() if ln.strip()]
    if rc != 0 or not names:
        raise ConfigError('fastc --list-passes failed: %s' % (ru.first_line(err) or
                                                            ru.exit_text(rc)))
    return names


# ---- main ------------------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ru.add_common_args(ap, 'model variants')
    ap.add_argument('-O', dest='levels', action='append',
                    help='fastc -O level; repeat or comma-separate for several variants '
                         '(default: 0 and 2)')
    ap.add_argument('--pass-alone', action='append', metavar='all|PASS,...',
                    help='also a variant per pass run alone (fastc --passes=PASS); "all" is '
                         'every pass but the lossy %s' % ', '.join(sorted(LOSSY_PASSES)))
    ap.add_argument('--pass-levels', default='2', metavar='L,...',
                    help='-O levels of the pass-alone variants (default: %(default)s)')
    ap.add_argument('--no-dedupe', dest='dedupe', action='store_false',
                    help='build and run every variant, also those whose C file is identical '
                         'to another variant\'s')
    ap.add_argument('--config', default=os.path.join(HERE, 'models.json'),
                    help='tolerance and chaining settings (default: %(default)s)')
    ap.add_argument('patterns', nargs='*', metavar='PATTERN',
                    help='fnmatch pattern on the model name (e.g. real-models/mnist-8, '
                         'mnist-8-layers/*, *_b1)')
    cfg = ap.parse_args(argv)
    ru.finish_common_args(cfg)
    cfg.levels = [lv for arg in (cfg.levels or DEFAULT_LEVELS) for lv in arg.split(',') if lv]
    cfg.pass_alone = [p for arg in (cfg.pass_alone or []) for p in arg.split(',') if p]
    cfg.pass_levels = [lv for lv in cfg.pass_levels.split(',') if lv]
    bad = [lv for lv in cfg.levels + cfg.pass_levels if lv not in ('0', '1', '2', '3')]
    if bad:
        ap.error('bad -O level %s (want 0..3)' % bad[0])
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


def make_variants(cfg):
    """The -O levels in the order given, then the pass-alone variants (per pass level, in
    pipeline order)."""
    variants = [level_variant(lv) for lv in cfg.levels]
    if not cfg.pass_alone:
        return variants
    known = lossless_passes(cfg.fastc)
    wanted = []
    for p in cfg.pass_alone:
        if p == 'all':
            wanted += [k for k in known if k not in LOSSY_PASSES]
        elif p in LOSSY_PASSES:
            raise ConfigError('pass %s is not checked against the reference: %s'
                              % (p, LOSSY_PASSES[p]))
        elif p not in known:
            raise ConfigError('unknown pass %s (fastc --list-passes: %s)' % (p, ' '.join(known)))
        else:
            wanted.append(p)
    return variants + [pass_variant(p, lv) for lv in cfg.pass_levels
                       for p in dict.fromkeys(wanted)]


def run_all(cfg, models):
    """Runs every selected model variant, printing each as it ends; returns the exit code."""
    models = [m for m in models if matches(m, cfg.patterns)]
    if not models:
        print('no model matches %s' % ' '.join(cfg.patterns))
        return 2
    try:
        variants = make_variants(cfg)
    except (OSError, ConfigError, ru.StepTimeout) as e:
        print('bad arguments: %s' % e)
        return 2
    start = time.time()
    outcomes, groups = [], []
    with ThreadPool(cfg.j) as pool:
        # 1. Every variant's C, biggest models first; variants with equal C files grouped.
        for model_groups, failed in pool.imap_unordered(
                lambda m: plan_model(m, variants, cfg),
                sorted(models, key=lambda m: -os.path.getsize(m.path))):
            for o in failed:
                print('\n'.join(o.lines), flush=True)
            outcomes += failed
            groups += model_groups
            if model_groups:
                m = model_groups[0].model
                print('%s: %d variants, %d distinct C files: %s' % (
                    m.name, sum(len(g.variants) for g in model_groups), len(model_groups),
                    ' | '.join(' = '.join(v.name for v in g.variants) for g in model_groups)),
                    flush=True)
        # 2. Build and run the first variant of each group, biggest C files first, so the
        # slow compiles overlap with the many small ones.
        groups.sort(key=lambda g: -os.path.getsize(os.path.join(g.work, 'model.c')))
        for group_outcomes in pool.imap_unordered(lambda g: check_group(g, cfg), groups):
            print('\n'.join(group_outcomes[0].lines), flush=True)
            outcomes += group_outcomes
    for g in groups:
        shutil.rmtree(os.path.dirname(g.work), ignore_errors=True)
    failed = sorted(o.label for o in outcomes if not o.ok)
    if failed:
        print('\nFailed (%d):\n  %s' % (len(failed), '\n  '.join(failed)))
    print('Time %.0f s with -j %d' % (time.time() - start, cfg.j))
    same = sum(1 for o in outcomes if o.same_as)
    print('%d passed, %d failed (%d built and run, %d identical to a built variant)'
          % (len(outcomes) - len(failed), len(failed), len(outcomes) - same, same))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
