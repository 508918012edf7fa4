"""Process helpers shared by tests/conformance/run.py and tests/models/run.py (stdlib only).

Both runners do the same three steps per model: fastc MODEL -> model.c, cc model.c -> prog,
prog -d OUTDIR INPUT... -> OUTDIR/output_K.pb. These helpers run those steps with timeouts
and turn failures into (category, one-line detail) pairs:
  unsupported   fastc rejected the model with a message containing "unsupported"
  fastc-error   any other fastc failure (error exit, crash, no output file)
  cc-error      the generated C did not compile
  run-error     the program crashed, exited non-zero or wrote no/bad output
Timeouts raise StepTimeout (category "timeout").
"""
import os
import shlex
import shutil
import signal
import subprocess
import tempfile

import onnx_pb as pb

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class StepTimeout(Exception):
    pass


def run_step(cmd, cwd, timeout):
    """Runs cmd in its own process group; returns (returncode, stdout, stderr). On timeout the
    whole group (e.g. cc and cc1) is killed and StepTimeout raised."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise StepTimeout('%s timed out after %d s' % (os.path.basename(cmd[0]), timeout))
    return proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def first_line(text, prefer=None):
    """First non-empty line of text; the first one containing `prefer` if there is one."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if prefer:
        for ln in lines:
            if prefer in ln:
                return ln
    return lines[0] if lines else ''


def exit_text(rc):
    if rc < 0:
        try:
            return 'killed by %s' % signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return 'exit status %d' % rc


def shape_args(inputs):
    """fastc arguments --shape @K=d0,d1,... fixing each runtime input's shape to the dims
    stored in its .pb file (K-th file = K-th runtime input)."""
    args = []
    for k, path in enumerate(inputs):
        dims = pb.read_tensor(path, with_values=False).dims
        args += ['--shape', '@%d=%s' % (k, ','.join(str(d) for d in dims))]
    return args


def cc_command(cc, flags):
    """The C compiler argv: cc's program, the runner's flags, then cc's own arguments, so that
    e.g. --cc 'cc -O0' or --cc 'gcc -fsanitize=address' override or add to the defaults."""
    return cc[:1] + flags + cc[1:]


def build(model, work, fastc, fastc_args, cc_cmd, timeouts):
    """`fastc MODEL -o model.c FASTC_ARGS...`, then `CC_CMD... model.c -o prog -lm`, in work.
    timeouts maps 'fastc' and 'cc' to seconds. Returns None on success, else
    (category, detail)."""
    try:
        rc, out, err = run_step([fastc, model, '-o', 'model.c'] + fastc_args, work,
                                timeouts['fastc'])
    except OSError as e:  # e.g. fastc being relinked right now
        return 'fastc-error', 'cannot run fastc: %s' % e
    if rc != 0 or not os.path.exists(os.path.join(work, 'model.c')):
        msg = (first_line(err) or first_line(out)).replace(model + ': ', '')
        if rc < 0 or not msg:
            return 'fastc-error', 'fastc %s%s' % (exit_text(rc), ': ' + msg if msg else '')
        return ('unsupported' if 'unsupported' in msg.lower() else 'fastc-error'), msg
    try:
        rc, out, err = run_step(cc_cmd + ['model.c', '-o', 'prog', '-lm'], work, timeouts['cc'])
    except OSError as e:
        return 'cc-error', 'cannot run %s: %s' % (cc_cmd[0], e)
    if rc != 0:
        return 'cc-error', first_line(err, prefer='error') or exit_text(rc)
    return None


def run_program(work, outdir, inputs, timeout):
    """Runs work/prog --quiet -d outdir INPUT... (--quiet: no printing of the outputs);
    returns None or ('run-error', detail)."""
    os.makedirs(outdir, exist_ok=True)
    rc, out, err = run_step([os.path.join(work, 'prog'), '--quiet', '-d', outdir] + list(inputs),
                            work, timeout)
    if rc != 0:
        msg = first_line(err) or first_line(out)
        return 'run-error', exit_text(rc) + (': ' + msg if msg else '')
    return None


def read_output(outdir, k):
    """The program's output_K.pb as a Tensor, or ('run-error', detail)."""
    path = os.path.join(outdir, 'output_%d.pb' % k)
    if not os.path.exists(path):
        return 'run-error', 'output_%d.pb not written' % k
    try:
        return pb.read_tensor(path)
    except pb.PbError as e:
        return 'run-error', 'output_%d.pb unreadable: %s' % (k, e)


# ---- test data layout ------------------------------------------------------------------------

def check_outputs(outdir, refs, rtol, atol):
    """None if output K in outdir matches the reference .pb refs[K] for every K (within
    |got - ref| <= atol + rtol |ref|), else the first mismatch, said in one line."""
    for k, ref_path in enumerate(refs):
        got = read_output(outdir, k)
        if isinstance(got, tuple):
            return got[1]
        c = pb.compare(got, pb.read_tensor(ref_path), rtol, atol)
        if not c.ok:
            return 'output %d: %s' % (k, c.detail or 'max abs diff %g' % c.max_abs)
    return None


def numbered(folder, prefix):
    """Paths of folder/PREFIX<K>.pb for K = 0, 1, ... (stops at the first gap)."""
    out = []
    while os.path.exists(os.path.join(folder, '%s%d.pb' % (prefix, len(out)))):
        out.append(os.path.join(folder, '%s%d.pb' % (prefix, len(out))))
    return out


def data_sets(folder):
    """[(input paths, output paths)] of folder/test_data_set_0, _1, ... in order."""
    sets = []
    while os.path.isdir(os.path.join(folder, 'test_data_set_%d' % len(sets))):
        d = os.path.join(folder, 'test_data_set_%d' % len(sets))
        sets.append((numbered(d, 'input_'), numbered(d, 'output_')))
    return sets


def keep_workdir(work, keep_dir, name):
    """Copies a failed test's work dir to keep_dir/name (for --keep)."""
    dst = os.path.join(keep_dir, name.replace('/', '__'))
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(work, dst)


# ---- command line ----------------------------------------------------------------------------

def add_common_args(ap, what):
    """Options both runners take; `what` names the unit -j parallelizes and --keep keeps."""
    ap.add_argument('--build', default=os.path.join(REPO, 'build'),
                    help='meson build dir holding fastc (default: %(default)s)')
    ap.add_argument('--fastc', help='fastc executable (default: BUILD/fastc)')
    ap.add_argument('--shared', default=os.path.join(os.path.dirname(REPO), 'shared'),
                    help='shared test data dir (default: %(default)s)')
    ap.add_argument('-j', type=int, default=os.cpu_count() or 1,
                    help='%s run in parallel (default: CPU count)' % what)
    ap.add_argument('--cc', default='cc', help='C compiler command; flags given here come '
                    'after (and override) the runner\'s own (default: cc)')
    ap.add_argument('--keep', help='copy the work dirs of failing %s into this dir' % what)


def finish_common_args(cfg):
    """Resolves the common options in place (fastc path, cc argv, --keep dir)."""
    cfg.fastc = os.path.abspath(cfg.fastc or os.path.join(cfg.build, 'fastc'))
    cfg.cc = shlex.split(cfg.cc)
    cfg.j = max(1, cfg.j)
    if cfg.keep:
        cfg.keep = os.path.abspath(cfg.keep)
        os.makedirs(cfg.keep, exist_ok=True)


def run_with_fastc(cfg, run, *args):
    """Returns run(cfg, *args) with cfg.fastc pointing at a private copy of fastc, so that a
    rebuild of the build dir during a long run (ninja relinking fastc) cannot fail the tests
    still to come (fastc carries its runtime sources inside, so the copy is complete).
    Prints an error and returns 2 if there is no fastc to run."""
    if not os.access(cfg.fastc, os.X_OK):
        print('fastc not found at %s (build it, or pass --build/--fastc)' % cfg.fastc)
        return 2
    with tempfile.TemporaryDirectory(prefix='fc-fastc-') as tmp:
        cfg.fastc = shutil.copy2(cfg.fastc, os.path.join(tmp, 'fastc'))
        return run(cfg, *args)
