#!/usr/bin/env python3
"""ONNX backend conformance runner for fastc (stdlib only).

For every selected ONNX backend test: compile model.onnx with fastc (each runtime input's shape
fixed from its input_K.pb with --shape @K=...), build the C with cc, run the program on each
test data set and compare every output_K.pb it writes with the reference one
(|got-ref| <= atol + rtol*|ref|, rtol 1e-3, atol 1e-7; exact for integers and bools).

  python3 tests/conformance/run.py [--build DIR] [--shared DIR] [--list core|other|core-all|all]
                                   [-j N] [-O LEVEL] [--cc CC] [--report] [PATTERN ...]

Test sets (files in SHARED/onnx-tests): core = core-f32.txt (node tests), other =
core-f32-other.txt (SUITE/NAME lines), core-all = both (default), all = every INDEX.tsv test.
PATTERNs are fnmatch patterns on the test name (or SUITE/NAME). Prints one line per failing
test, per-op and overall totals, and last `P passed, F failed[, S skipped]`. Exits 1 if a
failing test is not listed in tests/conformance/excluded.txt (`name<TAB>reason`), 2 on setup
errors, 77 (meson's "skipped") when the test data is not there.
"""
import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402
import runner_util as ru  # noqa: E402

RTOL, ATOL = 1e-3, 1e-7
# -O0: the test graphs are small, so building the C dominates this test's time
# -DFC_MAIN_CHECK_INPUTS: the program also fails if the run wrote into an input (the emitted
# _run reads its inputs in the caller's buffers)
CC_FLAGS = ['-O0', '-std=c99', '-DFC_MAIN_CHECK_INPUTS']
TIMEOUTS = {'fastc': 120, 'cc': 300, 'run': 120}  # seconds per step
CATEGORIES = ('unsupported', 'fastc-error', 'cc-error', 'run-error', 'mismatch', 'timeout')

# Per-test tolerance overrides: test name -> (rtol, atol, reason). Every entry must say why the
# default is too strict for that test (never to hide a wrong kernel).
TOLERANCES = {
}


class Case:
    """One backend test: suite, name, target op, model path and its data sets, each a pair
    (input paths, reference output paths) in position order. sets is empty if data is missing."""

    def __init__(self, suite, name, op, model, sets):
        self.suite, self.name, self.op, self.model, self.sets = suite, name, op, model, sets

    @property
    def key(self):
        """The name used in output, excluded.txt and reports: NAME for node tests, else
        SUITE/NAME (as in core-f32-other.txt)."""
        return self.name if self.suite == 'node' else self.suite + '/' + self.name


class Result:
    def __init__(self, case, status, detail='', seconds=0.0):
        self.case, self.status, self.detail, self.seconds = case, status, detail, seconds


# ---- test discovery ------------------------------------------------------------------------

def read_index(tests_dir):
    """INDEX.tsv rows in file order as (suite, name, target_op)."""
    rows = []
    with open(os.path.join(tests_dir, 'INDEX.tsv')) as fh:
        header = fh.readline().rstrip('\n').split('\t')
        col = {name: i for i, name in enumerate(header)}
        for line in fh:
            c = line.rstrip('\n').split('\t')
            rows.append((c[col['suite']], c[col['test']], c[col['target_op']]))
    return rows


def read_list(path, default_suite):
    """A test list file: one NAME (suite default_suite) or SUITE/NAME per line."""
    out = []
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith('#'):
                suite, _, name = line.rpartition('/')
                out.append((suite or default_suite, name))
    return out


def select_tests(tests_dir, which):
    """(suite, name) pairs of the chosen test set, in list order."""
    core = os.path.join(tests_dir, 'core-f32.txt')
    other = os.path.join(tests_dir, 'core-f32-other.txt')
    if which == 'core':
        return read_list(core, 'node')
    if which == 'other':
        return read_list(other, 'node')
    if which == 'core-all':
        return read_list(core, 'node') + read_list(other, 'node')
    return [(suite, name) for suite, name, _ in read_index(tests_dir)]


def make_case(tests_dir, suite, name, op):
    """Locates a test's files. The light suite is flat: light/NAME.onnx, NAME_input_K.pb,
    NAME_output_K.pb; every other suite has SUITE/NAME/model.onnx + test_data_set_N/."""
    if suite == 'light':
        folder = os.path.join(tests_dir, 'light')
        model = os.path.join(folder, name + '.onnx')
        sets = [(ru.numbered(folder, name + '_input_'), ru.numbered(folder, name + '_output_'))]
    else:
        folder = os.path.join(tests_dir, suite, name)
        model = os.path.join(folder, 'model.onnx')
        sets = ru.data_sets(folder)
    if not os.path.exists(model) or not sets or not sets[0][1]:
        sets = []
    return Case(suite, name, op, model, sets)


def matches(case, patterns):
    return not patterns or any(fnmatch.fnmatchcase(case.name, p) or
                               fnmatch.fnmatchcase(case.key, p) for p in patterns)


def read_excluded(path):
    """excluded.txt: `name<TAB>reason` lines (name as printed: NAME or SUITE/NAME)."""
    out = {}
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                if line.strip() and not line.startswith('#'):
                    name, _, reason = line.rstrip('\n').partition('\t')
                    out[name.strip()] = reason.strip() or '(no reason given)'
    return out


# ---- running one test ----------------------------------------------------------------------

def non_tensor_io(model):
    """A message if a runtime input or output is not a plain tensor (sequence, optional, ...):
    the runner can only feed and read TensorProto files."""
    for what, vis in (('input', model.runtime_inputs), ('output', model.outputs)):
        for vi in vis:
            if vi.kind != 'tensor':
                return ("graph %s '%s' has %s type (the runner handles tensors only)"
                        % (what, vi.name, vi.kind))
    return None


CONST_NEEDED = re.compile(r"must be a compile-time constant \(value '([^']*)'")


def compile_case(case, cfg, work):
    """fastc + cc into work/prog. Returns None, or (category, detail) on failure.

    fastc compiles for static shapes, so an input that decides a shape (a Reshape's shape, a
    Resize's scales...) must be known at compile time. The backend tests feed such tensors as
    graph inputs; when fastc names one, it is fixed with --const-input from the test data
    (the program then checks it is fed that same value) and the compile is retried."""
    model = pb.read_model(case.model)
    why = non_tensor_io(model)
    if why:
        return 'unsupported', why
    names = [vi.name for vi in model.runtime_inputs]
    args = cfg.opt + ru.shape_args(case.sets[0][0])
    for _ in range(len(names) + 1):
        failure = ru.build(case.model, work, cfg.fastc, args,
                           ru.cc_command(cfg.cc, CC_FLAGS), TIMEOUTS)
        m = CONST_NEEDED.search(failure[1]) if failure else None
        if not m or m.group(1) not in names:
            return failure
        k = names.index(m.group(1))
        args += ['--const-input', '%s=%s' % (m.group(1), case.sets[0][0][k])]
    return failure


def check_set(case, k, work, tol):
    """Runs the program on data set k and compares its outputs. Returns None or a failure."""
    inputs, outputs = case.sets[k]
    outdir = os.path.join(work, 'out%d' % k)
    failure = ru.run_program(work, outdir, inputs, TIMEOUTS['run'])
    if failure:
        return failure
    for j, ref_path in enumerate(outputs):
        try:
            ref = pb.read_tensor(ref_path)
        except pb.PbError as e:
            return 'unsupported', 'reference output_%d.pb: %s (unsupported by the runner)' % (j, e)
        got = ru.read_output(outdir, j)
        if isinstance(got, tuple):
            return got
        c = pb.compare(got, ref, *tol)
        if not c.ok:
            where = 'output %d' % j if len(case.sets) == 1 else 'set %d output %d' % (k, j)
            return 'mismatch', '%s: %s' % (where, c.detail)
    return None


def run_case(case, cfg):
    if not case.sets:
        return Result(case, 'skip', 'test data not found')
    start = time.time()
    work = tempfile.mkdtemp(prefix='fc-conf-')
    failure = None
    try:
        tol = TOLERANCES.get(case.key, (RTOL, ATOL))[:2]
        failure = compile_case(case, cfg, work)
        for k in range(len(case.sets)):
            if failure:
                break
            failure = check_set(case, k, work, tol)
    except ru.StepTimeout as e:
        failure = 'timeout', str(e)
    except Exception as e:  # a broken data file or a runner bug fails this test only
        failure = 'run-error', 'runner: %s: %s' % (type(e).__name__, e)
    finally:
        if failure and cfg.keep:
            ru.keep_workdir(work, cfg.keep, case.key)
        shutil.rmtree(work, ignore_errors=True)
    status, detail = failure or ('pass', '')
    return Result(case, status, detail, time.time() - start)


# ---- output ----------------------------------------------------------------------------------

def print_failures(results, excluded):
    for r in results:
        if r.status in ('pass', 'skip'):
            continue
        note = '  (excluded: %s)' % excluded[r.case.key] if r.case.key in excluded else ''
        print('FAIL %-60s [%s] %s%s' % (r.case.key, r.status, r.detail, note))


def print_totals(results):
    per_op = defaultdict(Counter)
    for r in results:
        per_op[r.case.op][r.status] += 1
    failing = sorted(op for op, c in per_op.items() if sum(c.values()) != c['pass'] + c['skip'])
    if failing:
        print('\nOps with failures (passed/total, failures by category):')
        for op in failing:
            c = per_op[op]
            cats = ', '.join('%s %d' % (k, c[k]) for k in CATEGORIES if c[k])
            print('  %-28s %4d/%-4d %s' % (op, c['pass'], sum(c.values()) - c['skip'], cats))
    passing = sorted(op for op in per_op if op not in failing)
    if passing:
        print('\nOps fully passing (%d):' % len(passing))
        line = ' '
        for op in passing:
            item = ' %s %d' % (op, per_op[op]['pass'])
            if len(line) + len(item) > 100:
                print(line)
                line = ' '
            line += item
        print(line)
    cats = Counter(r.status for r in results)
    if any(cats[k] for k in CATEGORIES):
        print('\nFailures by category: ' +
              ', '.join('%s %d' % (k, cats[k]) for k in CATEGORIES if cats[k]))
    per_suite = defaultdict(Counter)
    for r in results:
        per_suite[r.case.suite][r.status] += 1
    print('Per suite: ' + ', '.join('%s %d/%d' % (s, c['pass'], sum(c.values()))
                                    for s, c in sorted(per_suite.items())))


def summary_line(results):
    cats = Counter(r.status for r in results)
    line = '%d passed, %d failed' % (cats['pass'], len(results) - cats['pass'] - cats['skip'])
    return line + (', %d skipped' % cats['skip'] if cats['skip'] else '')


# ---- report (docs/conformance.md + .tsv) ---------------------------------------------------

def _cell(text):
    return text.replace('|', '\\|').replace('\n', ' ')


def git_commit():
    try:
        out = subprocess.run(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or 'unknown'
    except (OSError, subprocess.SubprocessError):
        return 'unknown'


def write_report(results, excluded, cfg, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'conformance.tsv'), 'w') as fh:
        fh.write('test\tsuite\top\tstatus\tdetail\n')
        for r in results:
            fh.write('\t'.join((r.case.name, r.case.suite, r.case.op, r.status,
                                r.detail.replace('\t', ' ').replace('\n', ' '))) + '\n')
    per_op = defaultdict(list)
    for r in results:
        per_op[r.case.op].append(r)
    lines = ['# fastc ONNX backend conformance', '',
             'Generated by `python3 tests/conformance/run.py --list %s --report%s` at commit %s '
             '(fastc %s, `%s`); tolerance |got-ref| <= %g + %g*|ref| for floats, exact '
             'otherwise.' % (cfg.list, ''.join(' ' + p for p in cfg.patterns), git_commit(),
                             ' '.join(cfg.opt) or 'default -O',
                             ' '.join(ru.cc_command(cfg.cc, CC_FLAGS)), ATOL, RTOL),
             '', '**%s**' % summary_line(results), '',
             '| suite | passed | total |', '|---|---:|---:|']
    per_suite = defaultdict(Counter)
    for r in results:
        per_suite[r.case.suite][r.status] += 1
    for s, c in sorted(per_suite.items()):
        lines.append('| %s | %d | %d |' % (s, c['pass'], sum(c.values())))
    lines += ['', '## Per target op', '', '| op | passed | total |', '|---|---:|---:|']
    for op in sorted(per_op):
        rs = per_op[op]
        lines.append('| %s | %d | %d |' % (_cell(op), sum(r.status == 'pass' for r in rs),
                                           len(rs)))
    failing = [r for r in results if r.status != 'pass']
    lines += ['', '## Failing, unsupported and skipped tests (%d)' % len(failing), '']
    if failing:
        lines += ['| test | op | status | reason |', '|---|---|---|---|']
        for r in failing:
            ex = ' (excluded: %s)' % excluded[r.case.key] if r.case.key in excluded else ''
            lines.append('| %s | %s | %s | %s%s |' % (_cell(r.case.key), _cell(r.case.op),
                                                      r.status, _cell(r.detail), _cell(ex)))
    with open(os.path.join(out_dir, 'conformance.md'), 'w') as fh:
        fh.write('\n'.join(lines) + '\n')


# ---- main ----------------------------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ru.add_common_args(ap, 'tests')
    ap.add_argument('--list', default='core-all', choices=('core', 'other', 'core-all', 'all'),
                    help='test set (default: %(default)s)')
    ap.add_argument('-O', dest='level', help="fastc optimization level (default: fastc's)")
    ap.add_argument('--threads', type=int, help='fastc --threads=N (build with --cc "cc '
                    '-fopenmp" to run the threads; batched tests then take the batch split)')
    ap.add_argument('--report', action='store_true',
                    help='write conformance.md and conformance.tsv to --report-dir')
    ap.add_argument('--report-dir', default=os.path.join(REPO, 'docs'))
    ap.add_argument('-v', '--verbose', action='store_true', help='print each result as it ends')
    ap.add_argument('patterns', nargs='*', metavar='PATTERN',
                    help='fnmatch pattern on the test name or SUITE/NAME')
    cfg = ap.parse_args(argv)
    ru.finish_common_args(cfg)
    cfg.opt = ['-O' + cfg.level] if cfg.level is not None else []
    if cfg.threads:
        cfg.opt.append('--threads=%d' % cfg.threads)
    return cfg


def main(argv):
    cfg = parse_args(argv)
    tests_dir = os.path.join(cfg.shared, 'onnx-tests')
    if not os.path.exists(os.path.join(tests_dir, 'INDEX.tsv')):
        print('no ONNX test data at %s: skipping' % tests_dir)
        return 77
    return ru.run_with_fastc(cfg, run_all, tests_dir)


def run_all(cfg, tests_dir):
    """Runs the selected tests, prints failures and totals; returns the exit code."""
    ops = {(s, n): op for s, n, op in read_index(tests_dir)}
    cases = [make_case(tests_dir, s, n, ops.get((s, n), '?'))
             for s, n in select_tests(tests_dir, cfg.list)]
    cases = [c for c in cases if matches(c, cfg.patterns)]
    if not cases:
        print('no test matches %s' % ' '.join(cfg.patterns))
        return 2
    excluded = read_excluded(os.path.join(HERE, 'excluded.txt'))
    # Biggest models first, so the slow ones do not end up alone at the tail.
    cases.sort(key=lambda c: -os.path.getsize(c.model) if c.sets else 0)
    start = time.time()
    results = []
    with ThreadPool(cfg.j) as pool:
        for r in pool.imap_unordered(lambda c: run_case(c, cfg), cases):
            results.append(r)
            if cfg.verbose:
                print('%-11s %-60s %5.1fs %s' % (r.status, r.case.key, r.seconds, r.detail),
                      flush=True)
    results.sort(key=lambda r: (r.case.suite != 'node', r.case.key))
    print_failures(results, excluded)
    print_totals(results)
    if cfg.report:
        write_report(results, excluded, cfg, cfg.report_dir)
        print('Report written to %s/conformance.{md,tsv}' % cfg.report_dir)
    failed = [r for r in results if r.status not in ('pass', 'skip')]
    unexpected = [r for r in failed if r.case.key not in excluded]
    fixed = sorted(r.case.key for r in results if r.status == 'pass' and r.case.key in excluded)
    if fixed:
        print('Excluded but passing now (remove from excluded.txt): ' + ', '.join(fixed))
    print('Time %.0f s with -j %d; %d failure(s) not in excluded.txt'
          % (time.time() - start, cfg.j, len(unexpected)))
    print(summary_line(results))
    return 1 if unexpected else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
