#!/usr/bin/env python3
"""bench.py — times fastc's generated C against ONNX Runtime on the benchmark models.

Run through bench/run.sh, which first installs onnxruntime-node and builds fastc:

  bench/run.sh [--rounds R] [--target-ms MS] [--min-runs N] [--rebuild] [PATTERN ...]

For every model in SHARED/bench/models (or those matching a PATTERN):
  1. compile it: `fastc MODEL -O3 --shape @K=<dims of input_K.pb>`, then
     `cc -O3 -march=native -std=c99 model.c -o model -lm` (plus a second, OpenMP binary timed with
     2 threads when `fastc --help` offers --threads). Builds are cached in bench/work/<model>/,
     keyed by the fastc binary's hash, the model file, and the flags (--rebuild ignores the cache);
  2. check outputs: fastc's and ONNX Runtime's against the reference output_K.pb (max abs diff);
  3. time, interleaved in the same run: each round measures fastc, ORT with 1 intra-op thread
     and ORT with 2 (then the reverse order in the next round, so that a drift of the machine's
     load hits every engine alike). One measurement is the median of N timed runs after warm-up
     (`./model --bench N`; ORT's session.run N times from a long-lived node process,
     bench/ort_runner.js, one node process per thread count), with N chosen so that a
     measurement lasts about --target-ms. Reported: the median of the rounds' medians, the
     smallest single run, and the CPU time per run (getrusage / process.cpuUsage), which other
     processes on a shared machine barely disturb;
  4. measure the machine's single-core FP32 FMA peak (bench/peak_fma.c) before and after.

Prints the Markdown table and writes it, with the machine's details and the command, to
bench/RESULTS.md. A benchmark, not a test: it asserts no timing; the exit status is 0 unless
the harness itself could not run (a model fastc cannot compile is reported in its row).
"""
import argparse
import datetime
import fnmatch
import hashlib
import json
import math
import os
import platform
import re
import resource
import shlex
import statistics
import struct
import subprocess
import sys
import textwrap
import time
from multiprocessing.pool import ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, 'tests', 'tools'))
import onnx_pb as pb  # noqa: E402
import runner_util as ru  # noqa: E402

FASTC_ARGS = ['-O3']
CC_FLAGS = ['-O3', '-march=native', '-std=c99']
PEAK_CC_FLAGS = ['-O2', '-march=native', '-std=gnu99', '-ffp-contract=fast']
TIMEOUTS = {'fastc': 600, 'cc': 1800, 'run': 600}  # seconds per step
TOL = {'atol': 1e-4, 'rtol': 1e-3}  # tests/models/run.py's default, to flag a wrong output
LATENCY_RE = re.compile(r'latency over (\d+) runs: min ([\d.]+) ms, median ([\d.]+) ms, '
                        r'max ([\d.]+) ms')

# onnx_pb dtype code <-> the dtype names ort_runner.js uses.
ORT_DTYPES = {pb.FLOAT: 'float32', pb.DOUBLE: 'float64', pb.INT64: 'int64', pb.INT32: 'int32',
              pb.INT8: 'int8', pb.UINT8: 'uint8', pb.BOOL: 'bool'}
ORT_DTYPE_CODES = {v: k for k, v in ORT_DTYPES.items()}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class HarnessError(Exception):
    pass


# ---- one model ---------------------------------------------------------------------------------

class Model:
    """A benchmark model folder and everything measured on it."""

    def __init__(self, folder):
        self.name = os.path.basename(folder)
        self.folder = folder
        self.path = os.path.join(folder, 'model.onnx')
        sets = ru.data_sets(folder)
        self.inputs, self.refs = sets[0] if sets else ([], [])
        with open(os.path.join(folder, 'info.json')) as fh:
            self.info = json.load(fh)
        self.flops = self.info.get('flops')
        self.work = self.outdir = None
        self.build_error = None   # why fastc's program could not be built
        self.progs = {}           # engine name -> program path (fastc engines)
        self.env = {}             # engine name -> environment variables to run it with
        self.ort_error = None
        self.diff = {}            # 'fastc' / 'ort' -> (max abs diff, within TOL) or error text
        self.samples = {}         # engine -> [(median ms, min ms, runs)] one per round


def discover(shared, patterns):
    root = os.path.join(shared, 'bench', 'models')
    if not os.path.isdir(root):
        raise HarnessError('no benchmark models in %s (pass --shared)' % root)
    models = []
    for entry in sorted(os.listdir(root)):
        folder = os.path.join(root, entry)
        if not os.path.exists(os.path.join(folder, 'model.onnx')):
            continue
        if patterns and not any(fnmatch.fnmatchcase(entry, p) for p in patterns):
            continue
        models.append(Model(folder))
    return models


# ---- building ----------------------------------------------------------------------------------

def file_hash(path):
    h = hashlib.sha256()
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def fastc_variants(fastc):
    """[(engine, extra fastc args, extra cc flags, env)] to build: the 1-thread program, and a
    2-thread OpenMP one when this fastc has a --threads option."""
    help_text = subprocess.run([fastc, '--help'], capture_output=True, text=True).stdout
    variants = [('fastc', [], [], {})]
    if '--threads' in help_text:
        variants.append(('fastc-2t', ['--threads', '2'], ['-fopenmp'], {'OMP_NUM_THREADS': '2'}))
    return variants


def build_model(m, cfg, fastc_hash, cc_version):
    """Builds every fastc variant of m in its work dir (reusing a cached build whose key
    matches). Sets m.progs, or m.build_error."""
    m.work = os.path.join(cfg.work, m.name)
    os.makedirs(m.work, exist_ok=True)
    shape = ru.shape_args(m.inputs)
    for engine, fargs, cflags, env in cfg.variants:
        fastc_args = FASTC_ARGS + shape + fargs
        cc = cfg.cc + CC_FLAGS + cflags
        st = os.stat(m.path)
        key = json.dumps([fastc_hash, m.path, st.st_size, st.st_mtime_ns, fastc_args, cc,
                          cc_version])
        prog = os.path.join(m.work, engine)
        key_file = prog + '.key'
        if not cfg.rebuild and os.path.exists(prog) and os.path.exists(key_file):
            with open(key_file) as fh:
                if fh.read() == key:
                    m.progs[engine], m.env[engine] = prog, env
                    log('  %-22s %-8s cached build' % (m.name, engine))
                    continue
        for stale in (prog, key_file):
            if os.path.exists(stale):
                os.remove(stale)
        start = time.time()
        try:
            failure = ru.build(m.path, m.work, cfg.fastc, fastc_args, cc, TIMEOUTS)
        except ru.StepTimeout as e:
            failure = ('timeout', str(e))
        c_file = os.path.join(m.work, 'model.c')
        if os.path.exists(c_file):
            os.remove(c_file)  # up to 130 MB of embedded weights; fastc regenerates it
        if failure:
            m.build_error = '%s: %s' % failure
            log('  %-22s %-8s BUILD FAILED %s' % (m.name, engine, m.build_error))
            return
        os.replace(os.path.join(m.work, 'prog'), prog)
        with open(key_file, 'w') as fh:
            fh.write(key)
        m.progs[engine], m.env[engine] = prog, env
        log('  %-22s %-8s built in %.0f s' % (m.name, engine, time.time() - start))


# ---- timing fastc ------------------------------------------------------------------------------

def children_cpu_s():
    """CPU time (user + system) of all waited-for child processes so far, in seconds."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_fastc(m, engine, runs):
    """One `prog --quiet --bench RUNS` process; returns (median ms, min ms, CPU seconds the
    whole process used)."""
    env = dict(os.environ, **m.env[engine])
    cmd = [m.progs[engine], '--quiet', '-d', m.outdir, '--bench', str(runs)] + m.inputs
    cpu0 = children_cpu_s()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUTS['run'], env=env)
    cpu = children_cpu_s() - cpu0
    match = LATENCY_RE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise HarnessError('%s: %s failed (%s): %s' % (
            m.name, engine, ru.exit_text(proc.returncode),
            ru.first_line(proc.stderr) or ru.first_line(proc.stdout)))
    return float(match.group(3)), float(match.group(2)), cpu


def fastc_timer(m, engine):
    """measure(runs) -> (median ms, min ms, CPU ms per run) for a fastc program, and the
    fastest of 3 runs in ms (to choose N from; this first process also writes the outputs that
    are checked). The generated program times wall-clock only, so the CPU time per run is the
    process's CPU time minus that of a `--bench 1` process (loading, the output run, the warm-up
    run and one timed run: the same fixed work), over the RUNS - 1 extra runs."""
    _, fastest, _ = run_fastc(m, engine, 3)
    fixed = statistics.median(run_fastc(m, engine, 1)[2] for _ in range(3))

    def measure(runs):
        med, mn, cpu = run_fastc(m, engine, runs)
        return med, mn, max(0.0, cpu - fixed) * 1e3 / (runs - 1)
    return measure, fastest


# ---- timing ONNX Runtime -----------------------------------------------------------------------

class Ort:
    """A long-lived node process running bench/ort_runner.js (one per ORT thread count)."""

    def __init__(self, node):
        self.proc = subprocess.Popen([node, os.path.join(HERE, 'ort_runner.js')], cwd=HERE,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def call(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + '\n')
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise HarnessError('ort_runner.js exited (status %s)' % self.proc.wait())
        reply = json.loads(line)
        if not reply.pop('ok'):
            raise HarnessError(reply['error'])
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def ort_inputs(m, model_info):
    """Writes each input_K.pb as raw little-endian bytes next to the build; returns the input
    descriptions ort_runner.js's load command takes."""
    names = [vi.name for vi in model_info.runtime_inputs]
    descs = []
    for k, path in enumerate(m.inputs):
        t = pb.read_tensor(path)
        if t.dtype not in ORT_DTYPES:
            raise HarnessError('input %d: dtype %s not handled' % (k, pb.dtype_name(t.dtype)))
        fmt = pb._RAW_FORMAT[t.dtype]
        values = [1 if v else 0 for v in t.values] if t.dtype == pb.BOOL else t.values
        raw = os.path.join(m.work, 'ort_input_%d.bin' % k)
        with open(raw, 'wb') as fh:
            fh.write(struct.pack('<%d%s' % (len(values), fmt), *values))
        descs.append({'name': names[k], 'dtype': ORT_DTYPES[t.dtype], 'dims': t.dims,
                      'file': raw})
    return descs


def read_ort_output(o):
    code = ORT_DTYPE_CODES.get(o['dtype'])
    if code is None:
        raise HarnessError('output %s: dtype %s not handled' % (o['name'], o['dtype']))
    fmt = pb._RAW_FORMAT[code]
    with open(o['file'], 'rb') as fh:
        raw = fh.read()
    values = list(struct.unpack('<%d%s' % (len(raw) // struct.calcsize(fmt), fmt), raw))
    return pb.Tensor(o['name'], code, o['dims'], values)


def max_diff(tensors, refs):
    """(largest max abs diff over the outputs, all within TOL) vs the reference .pb files."""
    worst, ok = 0.0, True
    if len(tensors) != len(refs):
        return 'got %d outputs, expected %d' % (len(tensors), len(refs))
    for got, ref_path in zip(tensors, refs):
        c = pb.compare(got, pb.read_tensor(ref_path), TOL['rtol'], TOL['atol'])
        worst, ok = max(worst, c.max_abs), ok and c.ok
    return worst, ok


# ---- the measurement loop ----------------------------------------------------------------------

def runs_for(ms_per_run, cfg):
    """Timed runs per measurement: about cfg.target_ms long at ms_per_run (the fastest of a
    few runs: on a loaded machine measurements are longer), within [min_runs, max_runs]."""
    n = int(math.ceil(cfg.target_ms / max(ms_per_run, 1e-3)))
    return max(cfg.min_runs, min(cfg.max_runs, n))


def measure_model(m, orts, cfg):
    """Checks outputs and times every engine of m, interleaved over cfg.rounds rounds. orts
    maps an ORT intra-op thread count to its Ort process."""
    engines = []  # (engine name, measure(runs) -> (median, min, CPU ms per run), runs)
    if m.progs:
        m.outdir = os.path.join(m.work, 'out')
        os.makedirs(m.outdir, exist_ok=True)
        for name in os.listdir(m.outdir):
            os.remove(os.path.join(m.outdir, name))
        try:
            for engine in m.progs:
                measure, ms = fastc_timer(m, engine)
                engines.append([engine, measure, runs_for(ms, cfg)])
                got = [ru.read_output(m.outdir, k) for k in range(len(m.refs))]
                bad = [g[1] for g in got if isinstance(g, tuple)]
                diff = bad[0] if bad else max_diff(got, m.refs)
                old = m.diff.get('fastc')
                if old is None or isinstance(diff, str) or (
                        not isinstance(old, str) and diff[0] > old[0]):
                    m.diff['fastc'] = diff  # the worst of the fastc variants
        except HarnessError as e:
            m.build_error, engines = str(e), []
            log('  %s: %s' % (m.name, e))
    try:
        inputs = ort_inputs(m, pb.read_model(m.path))
        for t, ort in orts.items():
            ort.call(cmd='load', model=m.path, threads=[t], inputs=inputs)
            if 'ort' not in m.diff:
                outs = ort.call(cmd='outputs', threads=t, dir=m.work)['outputs']
                m.diff['ort'] = max_diff([read_ort_output(o) for o in outs], m.refs)

            def ort_time(n, t=t, ort=ort):
                r = ort.call(cmd='time', threads=t, runs=n, warmup=2)
                return r['ms'][len(r['ms']) // 2], r['ms'][0], r['cpu_ms']
            engines.append(['ort-%dt' % t, ort_time, runs_for(ort_time(3)[1], cfg)])
    except HarnessError as e:
        m.ort_error = str(e)
        engines = [x for x in engines if not x[0].startswith('ort')]
        log('  %s: ONNX Runtime failed: %s' % (m.name, e))
    # each fastc variant next to the ONNX Runtime run at its thread count, so that a round's
    # fastc/ORT pair is measured seconds apart (this machine's speed drifts over seconds)
    engines.sort(key=lambda e: (engine_threads(e[0]), e[0].startswith('ort')))
    for r in range(cfg.rounds):
        order = engines if r % 2 == 0 else engines[::-1]
        for engine, fn, runs in order:
            m.samples.setdefault(engine, []).append(fn(runs) + (runs,))
    for ort in orts.values():
        try:
            ort.call(cmd='unload')
        except HarnessError:
            pass  # already reported as m.ort_error
    log('  %-22s %s' % (m.name, '  '.join(
        '%s %.3f ms (cpu %.3f, x%d)' % (e, summary(m, e)[0], summary(m, e)[2], s[0][3])
        for e, s in m.samples.items())))


def engine_threads(engine):
    """The thread count in an engine's name: fastc 1, fastc-2t 2, ort-1t 1."""
    match = re.search(r'-(\d+)t$', engine)
    return int(match.group(1)) if match else 1


def paired_ratio(m, engine, peer):
    """The median over rounds of engine's round median over peer's in the same round (the
    two measured back to back), or None."""
    a, b = m.samples.get(engine), m.samples.get(peer)
    if not a or not b:
        return None
    return statistics.median(x[0] / y[0] for x, y in zip(a, b) if y[0] > 0)


def summary(m, engine):
    """(median of the rounds' medians, smallest single run, median of the rounds' CPU time
    per run) in ms, or None."""
    s = m.samples.get(engine)
    if not s:
        return None
    return (statistics.median(x[0] for x in s), min(x[1] for x in s),
            statistics.median(x[2] for x in s))


# ---- peak and machine --------------------------------------------------------------------------

def measure_peak(cfg):
    exe = os.path.join(cfg.work, 'peak_fma')
    src = os.path.join(HERE, 'peak_fma.c')
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.run(cfg.cc + PEAK_CC_FLAGS + [src, '-o', exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    match = re.search(r'peak: ([\d.]+) GFLOP/s \((\d+)-byte', out)
    if not match:
        raise HarnessError('peak_fma printed no peak: %r' % out)
    return float(match.group(1)), int(match.group(2))


def measure_sgemm(cfg):
    """runtime/k_gemm.c alone (bench/sgemm.c): [(product, GFLOP/s)]."""
    exe = os.path.join(cfg.work, 'sgemm')
    src = os.path.join(HERE, 'sgemm.c')
    deps = [src] + [os.path.join(REPO, "runtime", f) for f in ("k_gemm.c", "fc_rt.h")]
    if not os.path.exists(exe) or os.path.getmtime(exe) < max(map(os.path.getmtime, deps)):
        subprocess.run(cfg.cc + CC_FLAGS + ['-I', os.path.join(REPO, 'runtime'), src, '-o', exe,
                                            '-lm'], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    rows = re.findall(r'^sgemm (.+): ([\d.]+) GFLOP/s$', out, re.M)
    if not rows:
        raise HarnessError('sgemm printed nothing: %r' % out)
    return [(name, float(g)) for name, g in rows]


def sgemm_table(rows, peak):
    lines = ['| SGEMM M x N x K (runtime/k_gemm.c, 1 thread) | GFLOP/s | % of peak |',
             '|---|---:|---:|']
    for name, g in rows:
        lines.append('| %s | %.1f | %.1f%% |' % (name, g, 100 * g / peak))
    return '\n'.join(lines)


def command_line(cmd):
    """The first line a command prints (its version, say), or 'not found'."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return ru.first_line(out.stdout or out.stderr)
    except OSError:
        return 'not found'


def cpu_description():
    """'MODEL (family F, model M; FLAGS), N logical cores' from /proc/cpuinfo."""
    info = {}
    try:
        with open('/proc/cpuinfo') as fh:
            for line in fh:
                key, _, value = line.partition(':')
                info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    flags = set(info.get('flags', '').split())
    simd = [f for f in ('avx2', 'fma', 'avx512f', 'avx512_bf16') if f in flags]
    return '%s (family %s, model %s; %s), %d logical cores' % (
        info.get('model name', platform.processor() or 'unknown'), info.get('cpu family', '?'),
        info.get('model', '?'), ' '.join(simd) or 'no AVX2/FMA', os.cpu_count() or 0)


def git_commit():
    """HEAD of the fastc repo, and whether the work tree differs from it (read-only git)."""
    rev = command_line(['git', '-C', REPO, 'rev-parse', '--short=12', 'HEAD'])
    dirty = subprocess.run(['git', '--no-optional-locks', '-C', REPO, 'status', '--porcelain',
                            '--untracked-files=no'], capture_output=True, text=True).stdout
    return rev + (' + uncommitted changes' if dirty.strip() else '')


# ---- report ------------------------------------------------------------------------------------

def fmt_ms(v):
    if v is None:
        return 'n/a'
    return '%.3f' % v if v < 10 else '%.1f' % v if v < 1000 else '%.0f' % v


def fmt_diff(d):
    if d is None:
        return 'n/a'
    if isinstance(d, str):
        return 'FAIL: ' + d
    return '%.2g%s' % (d[0], '' if d[1] else ' (FAIL)')


def table(models, cfg, peak):
    """The results as a Markdown table, one row per model and a geometric-mean row."""
    two = any(v[0] == 'fastc-2t' for v in cfg.variants)
    head = ['model', 'GFLOP', 'fastc median ms', 'fastc min ms', 'fastc CPU ms']
    head += ['fastc-2t median ms', 'fastc 1t/2t'] if two else []
    head += ['ORT-1t median ms', 'ORT-1t min ms', 'ORT-1t CPU ms', 'ORT-2t median ms',
             'fastc/ORT-1t median', 'fastc/ORT-1t paired', 'fastc/ORT-1t CPU',
             'fastc GFLOP/s', '% of peak',
             'max abs diff fastc', 'max abs diff ORT']
    rows, ratios = [], {'median': [], 'paired': [], 'cpu': []}
    for m in models:
        f, o1, o2 = summary(m, 'fastc'), summary(m, 'ort-1t'), summary(m, 'ort-2t')
        row = [m.name, '%.3g' % (m.flops / 1e9) if m.flops else '?']
        if m.build_error:
            row += ['fastc failed: ' + m.build_error.replace('|', '/'), '', '']
        else:
            row += [fmt_ms(f and f[0]), fmt_ms(f and f[1]), fmt_ms(f and f[2])]
        if two:
            f2 = summary(m, 'fastc-2t')
            row += [fmt_ms(f2 and f2[0])]
            row += ['%.2f' % (f[0] / f2[0]) if f and f2 and f2[0] > 0 else 'n/a']
        row += [fmt_ms(o1 and o1[0]), fmt_ms(o1 and o1[1]), fmt_ms(o1 and o1[2]),
                fmt_ms(o2 and o2[0])]
        for key, i in (('median', 0), ('paired', None), ('cpu', 2)):
            r = paired_ratio(m, 'fastc', 'ort-1t') if i is None else (
                f[i] / o1[i] if f and o1 and f[i] > 0 and o1[i] > 0 else None)
            if r:
                ratios[key].append(r)
                row.append('%.2f' % r)
            else:
                row.append('n/a')
        if f and m.flops and f[2] > 0:
            gflops = m.flops / (f[2] * 1e6)
            row += ['%.1f' % gflops, '%.1f%%' % (100 * gflops / peak)]
        else:
            row += ['n/a', 'n/a']
        row += [fmt_diff(m.diff.get('fastc')),
                'ORT failed: ' + m.ort_error if m.ort_error else fmt_diff(m.diff.get('ort'))]
        rows.append(row)
    if ratios['median']:
        row = ['**geometric mean**'] + [''] * (len(head) - 1)
        for key, col in (('median', 'fastc/ORT-1t median'), ('paired', 'fastc/ORT-1t paired'),
                         ('cpu', 'fastc/ORT-1t CPU')):
            xs = ratios[key]
            if xs:
                row[head.index(col)] = '**%.2f**' % math.exp(sum(map(math.log, xs)) / len(xs))
        rows.append(row)
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '|'.join('---' if i == 0 else '---:' for i in range(len(head))) + '|']
    lines += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(lines) + '\n\n' + targets(models, two)


def batch_of(m):
    """The first input's leading dimension (the batch), 1 when unknown."""
    ins = m.info.get('inputs') or [{}]
    shape = ins[0].get('shape') or [1]
    return shape[0] if isinstance(shape[0], int) else 1


def targets(models, two):
    """Issue #6's targets, model by model, from this run's medians: fastc at 1 thread at most
    0.8x ORT-1t on every model, and at 2 threads at least 1.8x faster than at 1 thread on the
    batched ones."""
    lines = ['**Targets** (issue #6; this run\'s medians):', '']
    met = total = 0
    for m in models:
        f, o1 = summary(m, 'fastc'), summary(m, 'ort-1t')
        f2 = summary(m, 'fastc-2t') if two else None
        checks = []
        if f and o1 and o1[0] > 0:
            r = f[0] / o1[0]
            checks.append(('fastc/ORT-1t %.2f %s 0.8' % (r, '<=' if r <= 0.8 else '>'),
                           r <= 0.8))
        else:
            checks.append(('fastc/ORT-1t not measured', False))
        if batch_of(m) > 1:
            if f and f2 and f2[0] > 0:
                sp = f[0] / f2[0]
                checks.append(('1t/2t %.2f %s 1.8' % (sp, '>=' if sp >= 1.8 else '<'),
                               sp >= 1.8))
            else:
                checks.append(('1t/2t not measured', False))
        total += len(checks)
        met += sum(ok for _, ok in checks)
        lines.append('- %s: %s' % (m.name, '; '.join(
            '%s (%s)' % (t, 'met' if ok else 'NOT met') for t, ok in checks)))
    lines += ['', '%d of %d targets met in this run.' % (met, total)]
    return '\n'.join(lines)


def write_samples(models, cfg):
    """Every round's (median ms, min ms, CPU ms per run, runs) per model and engine, in the
    order measured, to work/samples.json (for a second look at a noisy run)."""
    data = {m.name: {e: [dict(zip(('median_ms', 'min_ms', 'cpu_ms', 'runs'), x)) for x in s]
                     for e, s in m.samples.items()} for m in models}
    with open(os.path.join(cfg.work, 'samples.json'), 'w') as f:
        json.dump(data, f, indent=1)


def write_results(path, tbl, machine, cfg, argv):
    cmd = 'bench/run.sh' + ''.join(' ' + shlex.quote(a) for a in argv)
    variants = ' '.join(v[0] for v in cfg.variants)
    threads_note = ('fastc-2t is its OpenMP build run with 2 threads.'
                    if 'fastc-2t' in variants else
                    'this fastc has no --threads option yet, so there is no fastc-2t column.')
    text = f"""# fastc vs ONNX Runtime — benchmark results

Written by `bench/run.sh` (the Benchmark section of README.md says more). Reproduce with:

    {cmd}

{tbl}

Times are per inference, in milliseconds. *median*: the median over {cfg.rounds} interleaved
rounds of each round's median of N wall-clock runs (N per engine and model, so that one
measurement lasts about {cfg.target_ms:g} ms, and at least {cfg.min_runs}); *min*: the fastest
single run seen; *CPU*: the CPU time (user + system) the process spent per run, the median
over the rounds. fastc/ORT-1t below 1 means fastc is faster; *paired*: the median over the
rounds of fastc's round median over ORT-1t's in the same round (the two are measured back to
back, so a slow spell of the machine that lasts seconds falls on both of a pair: the steadier
estimate on a noisy machine; the targets below still use the ratio of the medians, as issue #6
asks). *fastc 1t/2t* is fastc's median
at 1 thread over its median at 2 threads (the speedup from the second thread). *GFLOP* counts Conv/MatMul/Gemm
only (2 FLOP per multiply-add; each model's info.json); *fastc GFLOP/s* is that over fastc's CPU
time per run, and *% of peak* compares it with this machine's single-core FP32 FMA peak
measured in the same run ({cfg.peak_text}). *max abs diff*: each engine's outputs (ORT: the
1-thread session's) against the reference output_K.pb from torch; (FAIL) marks a difference beyond tests/models'
tolerance 1e-4 + 1e-3*|ref|.

## How it was measured

- fastc: `fastc MODEL -O3 --shape @K=<dims of input_K.pb>`, then
  `{' '.join(cfg.cc + CC_FLAGS)} model.c -o model -lm`; timed by the generated program's
  `--bench N` (one run that writes the outputs, one warm-up run, then N runs, each timed with
  CLOCK_MONOTONIC). Its CPU time per run is the process's CPU time (getrusage) minus that of a
  `--bench 1` process, which does the same fixed work (loading, output run, warm-up, one run),
  over the N - 1 extra runs. The single-threaded program is compared with ORT on 1 thread;
  {threads_note}
- ONNX Runtime {cfg.versions['ort']} (npm onnxruntime-node, Node.js {cfg.versions['node']}):
  CPU execution provider, graphOptimizationLevel 'all', interOpNumThreads 1, sequential
  execution, intraOpNumThreads 1 (ORT-1t) and 2 (ORT-2t). One long-lived node process per
  thread count (bench/ort_runner.js) holds the session; a measurement is two warm-up runs,
  then N calls of `session.run`, each timed with process.hrtime, and the process's CPU time
  over the N calls (process.cpuUsage). ORT's times therefore include the Node binding's
  per-call cost (output tensor creation, a promise, and for CPU time Node's own threads),
  which matters only for the sub-millisecond models.
- Interleaved: every round times fastc, ORT-1t, fastc-2t and ORT-2t one after the other on
  the same inputs (in reverse order every other round), so a change in the machine's load
  falls on all engines alike. Every round's numbers are in bench/work/samples.json.
- Peak: bench/peak_fma.c, 12 independent FMA chains on 16-, 32- and 64-byte vector-extension
  types built with `{' '.join(cfg.cc + PEAK_CC_FLAGS)}`, best of many 1 ms samples, 2 FLOP per
  lane and FMA; measured before and after the models.
- SGEMM: bench/sgemm.c times runtime/k_gemm.c by itself (built with the flags above plus
  `-I runtime`), best of repeated products over 0.3 s each: square products, then the shapes
  of bert_mini's and the batched MLP's layers, B packed at every call (as for a run-time
  operand) and prepacked once (as fastc stores FcLinear weights); % of the peak above.

## Machine

{machine}

**Noise.** This machine is shared with other running jobs (1-minute load average
{cfg.load_text}, on {os.cpu_count()} cores), so wall-clock times are noisy and inflated
whenever another process held the core; ORT-2t in particular rarely gets both cores. The
*min* column is no cure: a run shorter than the scheduler's time slice sometimes runs
uninterrupted, a longer one never does, so minimums favour the faster engine. The *CPU*
columns, the time the process actually ran, do not count the time other processes held the
core; they still move by some 10-30% from one run of the harness to the next (shared caches
and memory bandwidth, a busy sibling of the virtual CPU on the host), but for single-threaded
runs of a millisecond or more **fastc/ORT-1t CPU is the ratio to trust** here, and GFLOP/s
and % of peak use it. On an idle machine CPU time and wall-clock time agree. The benchmark is
not a test and asserts no timing.
"""
    with open(path, 'w') as fh:
        fh.write(reflow(text))


def reflow(text, width=96):
    """Refills the prose paragraphs and '- ' items of a Markdown text to width columns,
    leaving headings, tables and indented code alone."""
    out = []
    for block in text.strip('\n').split('\n\n'):
        if block.startswith(('#', '|', '    ')):
            out.append(block)
            continue
        items, cur = [], []
        for line in block.split('\n'):
            if line.startswith('- ') and cur:
                items.append(cur)
                cur = []
            cur.append(line.strip())
        items.append(cur)
        out.append('\n'.join(
            textwrap.fill(' '.join(item), width, subsequent_indent='  ' if item[0].startswith('- ')
                          else '', break_on_hyphens=False, break_long_words=False)
            for item in items))
    return '\n\n'.join(out) + '\n'


# ---- main --------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('patterns', nargs='*', metavar='PATTERN',
                    help='only models whose name matches (fnmatch)')
    ap.add_argument('--build', default=os.path.join(REPO, 'build'),
                    help='meson build dir holding fastc (default: %(default)s)')
    ap.add_argument('--fastc', default=os.environ.get('FASTC'),
                    help='fastc executable (default: $FASTC, else BUILD/fastc)')
    ap.add_argument('--shared', default=os.path.join(os.path.dirname(REPO), 'shared'),
                    help='shared data dir holding bench/models (default: %(default)s)')
    ap.add_argument('--cc', default='cc', help='C compiler (default: %(default)s)')
    ap.add_argument('--node', default='node', help='node executable (default: %(default)s)')
    ap.add_argument('--rounds', type=int, default=7, help='interleaved rounds (default: 7)')
    ap.add_argument('--target-ms', type=float, default=300,
                    help='length of one measurement (default: %(default)s ms)')
    ap.add_argument('--min-runs', type=int, default=7,
                    help='fewest timed runs in one measurement (default: %(default)s)')
    ap.add_argument('--max-runs', type=int, default=5000,
                    help='most timed runs in one measurement (default: %(default)s)')
    ap.add_argument('-j', '--jobs', type=int, default=min(2, os.cpu_count() or 1),
                    help='models compiled in parallel (default: %(default)s)')
    ap.add_argument('--rebuild', action='store_true', help='ignore cached builds')
    ap.add_argument('--work', default=os.path.join(HERE, 'work'),
                    help='build and output dir (default: %(default)s)')
    ap.add_argument('--results', default=os.path.join(HERE, 'RESULTS.md'),
                    help='Markdown report to write (default: %(default)s; "-" for none)')
    cfg = ap.parse_args(argv)
    cfg.fastc = os.path.abspath(cfg.fastc or os.path.join(cfg.build, 'fastc'))
    cfg.cc = shlex.split(cfg.cc)
    cfg.work = os.path.abspath(cfg.work)
    cfg.rounds = max(1, cfg.rounds)
    cfg.min_runs = max(2, cfg.min_runs)
    cfg.ort_threads = [1, 2]
    return cfg


def main(argv):
    cfg = parse_args(argv)
    start = time.time()
    load_start = os.getloadavg()[0]
    if not os.access(cfg.fastc, os.X_OK):
        raise HarnessError('fastc not found at %s (run bench/run.sh, or pass --build/--fastc)'
                           % cfg.fastc)
    models = discover(cfg.shared, cfg.patterns)
    if not models:
        raise HarnessError('no model matches %s' % ' '.join(cfg.patterns))
    os.makedirs(cfg.work, exist_ok=True)
    cfg.variants = fastc_variants(cfg.fastc)

    log('peak: measuring the single-core FP32 FMA peak')
    peaks = [measure_peak(cfg)]
    log('peak: %.1f GFLOP/s (%d-byte vectors)' % peaks[0])
    log('sgemm: timing runtime/k_gemm.c alone (bench/sgemm.c)')
    sgemm = measure_sgemm(cfg)

    log('build: %d models with fastc %s, %s (%d in parallel)' % (
        len(models), ' '.join(FASTC_ARGS), ' '.join(cfg.cc + CC_FLAGS), cfg.jobs))
    fastc_hash = file_hash(cfg.fastc)
    cc_version = command_line(cfg.cc + ['--version'])
    with ThreadPool(max(1, cfg.jobs)) as pool:
        pool.map(lambda m: build_model(m, cfg, fastc_hash, cc_version), models)

    orts = {t: Ort(cfg.node) for t in cfg.ort_threads}
    try:
        cfg.versions = orts[cfg.ort_threads[0]].call(cmd='version')
        log('time: %d interleaved rounds per model; ONNX Runtime %s' % (cfg.rounds,
                                                                        cfg.versions['ort']))
        for m in models:
            try:
                measure_model(m, orts, cfg)
            except HarnessError as e:  # a program that failed in a later round
                m.build_error, m.samples = str(e), {}
                log('  %s: %s' % (m.name, e))
    finally:
        for ort in orts.values():
            ort.close()

    peaks.append(measure_peak(cfg))
    log('peak: %.1f GFLOP/s (%d-byte vectors)' % peaks[1])
    peak = max(p[0] for p in peaks)
    cfg.peak_text = '%.1f GFLOP/s before the models, %.1f after, with %d-byte vectors' % (
        peaks[0][0], peaks[1][0], max(peaks)[1])
    cfg.load_text = '%.1f at the start, %.1f at the end' % (load_start, os.getloadavg()[0])

    write_samples(models, cfg)
    tbl = table(models, cfg, peak) + '\n\n' + sgemm_table(sgemm, peak)
    machine = '\n'.join([
        '- date: %s' % datetime.datetime.now(datetime.timezone.utc).strftime(
            '%Y-%m-%d %H:%M UTC'),
        '- CPU: %s' % cpu_description(),
        '- OS: %s %s' % (platform.system(), platform.release()),
        '- C compiler: %s' % cc_version,
        '- fastc: %s, commit %s' % (command_line([cfg.fastc, '--version']), git_commit()),
        '- ONNX Runtime: %s (npm onnxruntime-node), Node.js %s' % (cfg.versions['ort'],
                                                                  cfg.versions['node']),
        '- single-core FP32 FMA peak: %s' % cfg.peak_text,
        '- load average (1 min): %s' % cfg.load_text,
        '- harness run time: %.0f s' % (time.time() - start),
    ])
    print(tbl)
    print()
    print(machine)
    if cfg.results != '-':
        write_results(cfg.results, tbl, machine, cfg, argv)
        log('wrote %s' % cfg.results)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except HarnessError as e:
        print('bench: %s' % e, file=sys.stderr)
        sys.exit(2)
