#!/usr/bin/env python3
"""Command-line tests: every fastc flag does what --help says, and bad usage exits 2 with a
one-line message. Uses the small models of tests/bad/ and tests/passes/.

usage: run.py FASTC"""
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RELU = os.path.join(HERE, '..', 'bad', 'good_relu.onnx')
SYMBOLIC = os.path.join(HERE, '..', 'bad', 'symbolic_dim.onnx')
GELU = os.path.join(HERE, '..', 'passes', 'recognize-gelu', 'erf.onnx')
RESHAPE_INPUT = os.path.join(HERE, '..', '..', '..', 'shared', 'onnx-tests', 'node',
                             'test_reshape_reordered_all_dims')
MNIST = os.path.join(HERE, '..', '..', '..', 'shared', 'real-models', 'mnist-8')
LSTM_Y_H_ONLY = os.path.join(HERE, '..', '..', '..', 'shared', 'onnx-tests', 'node',
                             'test_lstm_defaults')
FASTC = None
RESULTS = []


def fastc(*args, cwd=None):
    return subprocess.run([FASTC] + list(args), capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def case(name, ok, detail=''):
    RESULTS.append(ok)
    print('%s %s%s' % ('ok  ' if ok else 'FAIL', name, '' if ok else ': ' + detail))


def test_help_version():
    p = fastc('--help')
    case('--help prints usage, exit 0', p.returncode == 0 and 'usage: fastc' in p.stdout and
         '--replace-activation' in p.stdout and '--threads' in p.stdout and
         '--weights FILE' in p.stdout and '--profile' in p.stdout and
         '--no-batch-split' in p.stdout, p.stdout[:200])
    p = fastc('--version')
    case('--version', p.returncode == 0 and p.stdout.startswith('fastc '), p.stdout)


def test_usage_errors():
    for args, text in ((['--frobnicate'], "unknown option '--frobnicate'"),
                       ([RELU, '--threads=0'], 'bad --threads'),
                       ([RELU, '--prefix=9bad'], '--prefix must be a C identifier'),
                       ([RELU, '--passes=no-such-pass'], "unknown pass 'no-such-pass'"),
                       ([RELU, '--emit=pdf'], 'unknown --emit kind'),
                       ([RELU, '--emit=ir', '--weights', 'w.bin'], '--weights goes with --emit=c'),
                       ([RELU, '--weights=-'], '--weights needs a file name'),
                       ([RELU, '--shape', 'x=2,a'], 'bad --shape'),
                       ([RELU, '--dim', 'batch'], 'bad --dim')):
        p = fastc(*args)
        case('usage error %s' % ' '.join(args[-1:]), p.returncode == 2 and text in p.stderr and
             len(p.stderr.strip().splitlines()) == 1, '%d %s' % (p.returncode, p.stderr))


def test_outputs(tmp):
    c = os.path.join(tmp, 'm.c')
    p = fastc(RELU, '-o', c, '--prefix', 'net', '--no-main', '--header', os.path.join(tmp, 'm.h'))
    src = open(c).read() if p.returncode == 0 else ''
    hdr = open(os.path.join(tmp, 'm.h')).read() if p.returncode == 0 else ''
    case('--prefix/--no-main', 'int net_run(const float *x_in0, float *y_out0)' in src and
         'int main(' not in src, p.stderr)
    case('--header', 'int net_run(const float *x_in0, float *y_out0);' in hdr and
         'extern const FcRtIoInfo net_inputs[];' in hdr, hdr[:200])
    p = fastc(RELU, '--threads=3', '-o', c)
    case('--threads', p.returncode == 0 and '#define FC_RT_THREADS 3' in open(c).read(), p.stderr)
    p = fastc(RELU, '--emit=dot')
    case('--emit=dot', p.returncode == 0 and p.stdout.startswith('digraph fastc {') and
         'Relu' in p.stdout, p.stdout[:100])
    p = fastc(RELU, '--emit=ir')
    case('--emit=ir', p.returncode == 0 and '= Relu(%0)' in p.stdout, p.stdout)
    if os.path.isdir(LSTM_Y_H_ONLY):
        # outputs by position: Y absent, Y_h kept (it must not read as Y)
        p = fastc(os.path.join(LSTM_Y_H_ONLY, 'model.onnx'), '-O0', '--emit=ir')
        case('--emit=ir: an absent result before a present one is "none"',
             p.returncode == 0 and 'none, %3:f32[1,3,3] = LSTM(%0, %1, %2)' in p.stdout,
             p.stdout + p.stderr)
    onnx_out = os.path.join(tmp, 'o.onnx')
    p = fastc(GELU, '-O2', '--emit=onnx', '-o', onnx_out)
    q = fastc(onnx_out, '--emit=ir', '-O0')
    case('--emit=onnx re-imports', p.returncode == 0 and q.returncode == 0 and
         'Erf(' in q.stdout, p.stderr + q.stderr)
    a = fastc(RELU, '-O2')
    b = fastc(RELU, '-O2')
    case('byte-identical C for the same model and flags', a.stdout == b.stdout and a.stdout != '')


def test_profile(tmp):
    """--profile: the program's --bench prints every kernel call's share (summing to 100 %) and
    the time per op type; the outputs stay those of the plain build; no table without it."""
    inp = os.path.join(MNIST, 'test_data_set_0', 'input_0.pb')
    runs = {}
    for flag in ('--profile', None):
        c = os.path.join(tmp, 'prof.c')
        exe = os.path.join(tmp, 'prof' if flag else 'plain')
        p = fastc(os.path.join(MNIST, 'model.onnx'), '-O0', '-o', c, *([flag] if flag else []))
        q = subprocess.run(['cc', '-O1', '-std=c99', '-Wall', '-Wextra', '-pedantic', '-Werror',
                            c, '-o', exe, '-lm'], capture_output=True, text=True)
        if p.returncode or q.returncode:
            case('--profile builds %s' % flag, False, p.stderr + q.stderr)
            return
        runs[flag] = subprocess.run([exe, '-d', tmp, '--bench', '3', inp], capture_output=True,
                                    text=True, timeout=120).stdout
    out = runs['--profile']
    rows = [l.split() for l in out.splitlines() if l.startswith('  ') and
            l.split()[0].isdigit()]
    ops = [l.split() for l in out.split('by op:')[-1].splitlines()[1:] if l.strip()]
    share = sum(float(r[2]) for r in rows)
    case('--profile: a row per kernel call, shares sum to 100', 'profile over 3 runs' in out and
         len(rows) >= 10 and abs(share - 100) < 0.5 and any(r[4] == 'Conv' for r in rows) and
         abs(float(rows[-1][3]) - 100) < 0.5, out)
    case('--profile: time per op type', len(ops) >= 3 and
         sum(int(o[1]) for o in ops) == len(rows) and ops[0][0] == 'Conv', out)
    plain = runs[None]
    case('no profile without --profile; same outputs', 'profile over' not in plain and
         plain.split('latency')[0] == out.split('latency')[0], plain)


def test_masks(tmp):
    """The emitted file tells runtime/k_conv.c which Conv modes its graph runs (FC_CV_MODES),
    the kernels which fused activations it applies (FC_RT_ACTS), runtime/k_binary.c and
    k_unary.c which binary and unary ops it runs (FC_BIN_OPS, FC_UN_OPS), and cc then builds
    no code for the others: mnist-8's two 5x5 Convs are im2col GEMMs (mode 0) with a ReLU, so
    its object has no Winograd, depthwise or few-positions function and no GELU. (That each
    mode, activation and op still computes what it should is the conformance and model
    tests' job.)"""
    c, obj = os.path.join(tmp, 'modes.c'), os.path.join(tmp, 'modes.o')
    p = fastc(os.path.join(MNIST, 'model.onnx'), '-O2', '-o', c)
    src = open(c).read() if p.returncode == 0 else ''
    case('FC_CV_MODES is the graph\'s Conv modes',
         '#define FC_CV_MODES 0x1 /* the Conv modes this graph runs */' in src, p.stderr)
    case('FC_RT_ACTS is the graph\'s fused activations (none, ReLU)',
         '#define FC_RT_ACTS 0x3 /* the fused activations this graph applies */' in src)
    q = subprocess.run(['cc', '-O2', '-std=c99', '-c', c, '-o', obj], capture_output=True,
                       text=True)
    syms = subprocess.run(['nm', obj], capture_output=True, text=True).stdout.split()
    unused = [s for s in syms if s.startswith(('fc_wg_', 'fc_cv_dw', 'fc_cv_few'))]
    case('no code for the Conv modes the graph does not run',
         q.returncode == 0 and 'fc_rt_conv' in ' '.join(syms) and not unused,
         q.stderr + ' '.join(unused))
    # the GELU epilogues are inlined into the activation functions: compare code sizes
    case('no code for the activations the graph does not apply',
         smaller_with(src, '#define FC_RT_ACTS 0x3', os.path.join(tmp, 'acts')))
    # the erf GELU formula unfused (-O0): Div, Add, Mul (codes 4, 1, 3 of runtime/k_binary.c)
    c = os.path.join(tmp, 'bin.c')
    p = fastc(GELU, '-O0', '-o', c)
    src = open(c).read() if p.returncode == 0 else ''
    line = '#define FC_BIN_OPS 0x1au /* the binary ops this graph runs */'
    case('FC_BIN_OPS is the graph\'s binary ops', line in src, p.stderr)
    case('no code for the binary ops the graph does not run',
         smaller_with(src, line, os.path.join(tmp, 'bin')))
    # ... and one unary op, Erf (code 22 of runtime/k_unary.c)
    line = '#define FC_UN_OPS 0x400000ull /* the unary ops this graph runs */'
    case('FC_UN_OPS is the graph\'s unary ops', line in src, p.stderr)
    case('no code for the unary ops the graph does not run',
         smaller_with(src, line, os.path.join(tmp, 'un')))


def smaller_with(src, line, base):
    """Whether C source src builds (cc -O2) to an object at least 4 KB smaller than the same
    source without its `line` (a define that leaves code out)."""
    sizes = []
    for name, text in (('with', src), ('without', src.replace(line, '', 1))):
        with open(base + name + '.c', 'w') as out:
            out.write(text)
        r = subprocess.run(['cc', '-O2', '-std=c99', '-c', base + name + '.c', '-o',
                            base + name + '.o'], capture_output=True, text=True)
        sizes.append(os.path.getsize(base + name + '.o') if r.returncode == 0 else 0)
    return line in src and 0 < sizes[0] < sizes[1] - 4000

def test_shapes(tmp):
    p = fastc(SYMBOLIC, '--dim', 'batch=4', '--emit=ir')
    case('--dim', p.returncode == 0 and 'input %0:f32[4,3]' in p.stdout, p.stderr)
    p = fastc(SYMBOLIC, '--shape', 'x=6,3', '--emit=ir')
    case('--shape NAME', p.returncode == 0 and 'input %0:f32[6,3]' in p.stdout, p.stderr)
    p = fastc(SYMBOLIC, '--shape', '@0=5,3', '--emit=ir')
    case('--shape @K', p.returncode == 0 and 'input %0:f32[5,3]' in p.stdout, p.stderr)
    if os.path.isdir(RESHAPE_INPUT):
        shape_pb = os.path.join(RESHAPE_INPUT, 'test_data_set_0', 'input_1.pb')
        model = os.path.join(RESHAPE_INPUT, 'model.onnx')
        p = fastc(model, '--emit=ir')
        case('shape input needs --const-input', p.returncode == 1 and
             "must be a compile-time constant (value 'shape'" in p.stderr, p.stderr)
        c, exe = os.path.join(tmp, 'r.c'), os.path.join(tmp, 'r')
        p = fastc(model, '--const-input', 'shape=' + shape_pb, '-o', c)
        subprocess.run(['cc', '-std=c99', c, '-o', exe, '-lm'], check=True)
        data = os.path.join(RESHAPE_INPUT, 'test_data_set_0', 'input_0.pb')
        ok = subprocess.run([exe, '--quiet', '-d', tmp, data, shape_pb], capture_output=True)
        bad = subprocess.run([exe, '--quiet', '-d', tmp, data, data], capture_output=True,
                             text=True)
        case('--const-input: runs with the fixed value, rejects another', ok.returncode == 0 and
             bad.returncode != 0, bad.stderr)


def test_passes(tmp):
    p = fastc('--list-passes')
    case('--list-passes', p.returncode == 0 and 'fuse-bias' in p.stdout and 'O1,O2,O3' in
         p.stdout, p.stdout[:200])
    d = os.path.join(tmp, 'dumps')  # not there yet: --dump-dir creates it
    p = fastc(GELU, '-O2', '--dump-after=all', '--dump-before=recognize-gelu', '--dump-dir', d)
    files = sorted(os.path.basename(f) for f in glob.glob(os.path.join(d, '*.ir')))
    case('--dump-after=all/--dump-before', p.returncode == 0 and
         '01-fold-constants.ir' in files and any(f.endswith('before-recognize-gelu.ir')
                                                  for f in files), str(files))
    gelu_dump = [f for f in files if f.endswith('-recognize-gelu.ir') and 'before' not in f]
    text = open(os.path.join(d, gelu_dump[0])).read() if gelu_dump else ''
    case('dump header and content', text.startswith('// -----// IR Dump After recognize-gelu')
         and 'Gelu(' in text, text[:100])
    p = fastc(GELU, '-O2', '--dump-after=all', '--dump-dir', os.path.join(tmp, 'no', 'such'))
    case('--dump-dir whose parent is missing', p.returncode == 1 and
         "cannot create dump directory" in p.stderr and len(p.stderr.splitlines()) == 1,
         p.stderr)
    p = fastc(GELU, '-O2', '--disable-pass=recognize-gelu', '--emit=ir')
    case('--disable-pass', p.returncode == 0 and 'Gelu(' not in p.stdout, p.stdout)
    p = fastc(GELU, '--passes=recognize-gelu', '--emit=ir')
    case('--passes', p.returncode == 0 and 'Gelu(' in p.stdout, p.stderr)
    p = fastc(GELU, '-O2', '--stats', '-o', os.path.join(tmp, 's.c'))
    case('--stats', p.returncode == 0 and 'pass recognize-gelu' in p.stderr and 'MMACs' in
         p.stderr and 'activation arena' in p.stderr, p.stderr[:300])
    p = fastc(GELU, '-O0', '--emit=ir')
    case('-O0 keeps the graph', p.returncode == 0 and 'Erf(' in p.stdout, p.stdout)


def main():
    global FASTC
    FASTC = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        test_help_version()
        test_usage_errors()
        test_outputs(tmp)
        test_profile(tmp)
        test_masks(tmp)
        test_shapes(tmp)
        test_passes(tmp)
    passed = sum(RESULTS)
    print('%d passed, %d failed' % (passed, len(RESULTS) - passed))
    return 0 if all(RESULTS) else 1


if __name__ == '__main__':
    sys.exit(main())
