#!/usr/bin/python3
"""Writes the RNN / GRU / LSTM models of tests/rnn/models/ and their reference data
(dev-time tool; needs Debian's python3-onnx and python3-numpy; the files are committed, so the
tests never need onnx).

The ONNX backend tests cover only forward RNN / GRU / LSTM with default activations; these
small models cover the rest of the specification: reverse and bidirectional, layout 1,
sequence_lens with several lengths (a zero one included), clip, every activation function with
its alpha / beta, GRU's linear_before_reset 0 and 1 with all inputs, LSTM's peepholes,
input_forget and Y_c, opset 7, weights as initializers and as graph inputs, a size that
takes the blocked GEMM path, and a bidirectional LSTM feeding a GRU through Transpose and
Reshape.

Python 3.11's onnx 1.12 has no onnx.reference, so the expected outputs come from the numpy
implementation below, written from the operator specification and computed in float64.
`--check DIR` first runs it on the ONNX backend tests' RNN / GRU / LSTM cases under DIR (their
reference outputs come from ONNX's own implementation) and fails on any difference.

  /usr/bin/python3 tests/rnn/make_models.py [--check ../shared/onnx-tests/node]
"""
import argparse
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
GATES = {'RNN': 1, 'GRU': 3, 'LSTM': 4}
DEFAULT_ACTS = {'RNN': ['Tanh'], 'GRU': ['Sigmoid', 'Tanh'], 'LSTM': ['Sigmoid', 'Tanh', 'Tanh']}
# name -> (values taken from activation_alpha, from activation_beta, default alpha, beta)
ACT_PARAMS = {'Relu': (0, 0, 0, 0), 'Tanh': (0, 0, 0, 0), 'Sigmoid': (0, 0, 0, 0),
              'Affine': (1, 1, 1.0, 0.0), 'LeakyRelu': (1, 0, 0.01, 0),
              'ThresholdedRelu': (1, 0, 1.0, 0), 'ScaledTanh': (1, 1, 1.0, 1.0),
              'HardSigmoid': (1, 1, 0.2, 0.5), 'Elu': (1, 0, 1.0, 0),
              'Softsign': (0, 0, 0, 0), 'Softplus': (0, 0, 0, 0)}


# ---- the reference ---------------------------------------------------------------------------

def act_fn(name, a, b):
    """The ONNX RNN specification's activation `name` with alpha a and beta b."""
    return {
        'Relu': lambda x: np.maximum(x, 0),
        'Tanh': np.tanh,
        'Sigmoid': lambda x: 1 / (1 + np.exp(-x)),
        'Affine': lambda x: a * x + b,
        'LeakyRelu': lambda x: np.where(x >= 0, x, a * x),
        'ThresholdedRelu': lambda x: np.where(x >= a, x, 0),
        'ScaledTanh': lambda x: a * np.tanh(b * x),
        'HardSigmoid': lambda x: np.clip(a * x + b, 0, 1),
        'Elu': lambda x: np.where(x >= 0, x, a * (np.exp(x) - 1)),
        'Softsign': lambda x: x / (1 + np.abs(x)),
        'Softplus': lambda x: np.logaddexp(0, x),
    }[name]


def act_params(names, values, which):
    """Each activation's alpha (which = 0) or beta (1): activation_alpha / _beta values taken
    in order by the functions that use one, or one per activation when the list has exactly
    that many (and not as many as the users); the rest keep the ONNX operators' defaults."""
    users = sum(ACT_PARAMS[n][which] for n in names)
    positional = values is not None and len(values) == len(names) != users
    out, used = [], 0
    for i, n in enumerate(names):
        v = ACT_PARAMS[n][2 + which]
        if values and positional:
            v = values[i]
        elif values and ACT_PARAMS[n][which]:
            v, used = values[used], used + 1
        out.append(v)
    return out


def cell(op, x, h, c, W, R, Bv, P, fns, clip, flag):
    """One step for all batch rows: the new (h, c)."""
    H = R.shape[1]
    cl = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    G = GATES[op]
    Wb, Rb = Bv[:G * H], Bv[G * H:]
    if op == 'RNN':
        return fns[0](cl(x @ W.T + h @ R.T + Wb + Rb)), c
    if op == 'GRU':
        w, r, wb, rb = np.split(W, 3), np.split(R, 3), np.split(Wb, 3), np.split(Rb, 3)
        z = fns[0](cl(x @ w[0].T + h @ r[0].T + wb[0] + rb[0]))
        rr = fns[0](cl(x @ w[1].T + h @ r[1].T + wb[1] + rb[1]))
        if flag:
            hh = fns[1](cl(x @ w[2].T + rr * (h @ r[2].T + rb[2]) + wb[2]))
        else:
            hh = fns[1](cl(x @ w[2].T + (rr * h) @ r[2].T + rb[2] + wb[2]))
        return (1 - z) * hh + z * h, c
    w, r, wb, rb = np.split(W, 4), np.split(R, 4), np.split(Wb, 4), np.split(Rb, 4)
    p = np.split(P, 3)  # i, o, f
    i = fns[0](cl(x @ w[0].T + h @ r[0].T + p[0] * c + wb[0] + rb[0]))
    f = 1 - i if flag else fns[0](cl(x @ w[2].T + h @ r[2].T + p[2] * c + wb[2] + rb[2]))
    cc = fns[1](cl(x @ w[3].T + h @ r[3].T + wb[3] + rb[3]))
    cn = f * c + i * cc
    o = fns[0](cl(x @ w[1].T + h @ r[1].T + p[1] * cn + wb[1] + rb[1]))
    return o * fns[2](cn), cn


def run_direction(op, X, W, R, Bv, P, h0, c0, lens, fns, clip, flag, backwards):
    """Y [T, B, H] and the final h, c of one direction; batch b runs its steps t < lens[b]."""
    T = X.shape[0]
    h, c = h0.copy(), c0.copy()
    Y = np.zeros((T, X.shape[1], R.shape[1]))
    for t in (reversed(range(T)) if backwards else range(T)):
        hn, cn = cell(op, X[t], h, c, W, R, Bv, P, fns, clip, flag)
        valid = (t < lens)[:, None]
        h, c = np.where(valid, hn, h), np.where(valid, cn, c)
        Y[t] = np.where(valid, h, 0)
    return Y, h, c


def reference(op, attrs, ins):
    """The outputs (Y, Y_h[, Y_c]) of `op` with attribute dict attrs on inputs ins (a list
    in ONNX order, None for absent ones), in float64."""
    X, W, R = (np.asarray(v, np.float64) for v in ins[:3])
    opt = lambda i: None if len(ins) <= i or ins[i] is None else np.asarray(ins[i], np.float64)
    layout = attrs.get('layout', 0)
    direction = attrs.get('direction', 'forward')
    D, H, G = W.shape[0], R.shape[2], GATES[op]
    if layout:
        X = X.transpose(1, 0, 2)
    T, B = X.shape[:2]
    state = lambda v: None if v is None else (v.transpose(1, 0, 2) if layout else v)
    h0 = state(opt(5))
    c0 = state(opt(6)) if op == 'LSTM' else None
    Bv, P = opt(3), opt(7) if op == 'LSTM' else None
    lens = np.full(B, T) if opt(4) is None else np.asarray(ins[4])
    names = attrs.get('activations', DEFAULT_ACTS[op] * D)
    alphas = act_params(names, attrs.get('activation_alpha'), 0)
    betas = act_params(names, attrs.get('activation_beta'), 1)
    fns = [act_fn(n, a, b) for n, a, b in zip(names, alphas, betas)]
    k = len(DEFAULT_ACTS[op])
    Ys, Hs, Cs = [], [], []
    for d in range(D):
        y, h, c = run_direction(
            op, X, W[d], R[d], np.zeros(2 * G * H) if Bv is None else Bv[d],
            np.zeros(3 * H) if P is None else P[d],
            np.zeros((B, H)) if h0 is None else h0[d], np.zeros((B, H)) if c0 is None else c0[d],
            lens, fns[d * k:(d + 1) * k], attrs.get('clip'), attrs.get(
                'linear_before_reset' if op == 'GRU' else 'input_forget', 0),
            direction == 'reverse' or d == 1)
        Ys.append(y), Hs.append(h), Cs.append(c)
    Y, Yh, Yc = np.stack(Ys, 1), np.stack(Hs), np.stack(Cs)
    if layout:
        Y, Yh, Yc = Y.transpose(2, 0, 1, 3), Yh.transpose(1, 0, 2), Yc.transpose(1, 0, 2)
    return [Y, Yh, Yc] if op == 'LSTM' else [Y, Yh]


# ---- checking the reference against ONNX's own test data -------------------------------------

def node_attrs(node):
    return {a.name: (helper.get_attribute_value(a) if a.type != onnx.AttributeProto.STRINGS
                     else [s.decode() for s in a.strings]) for a in node.attribute}


def check_backend_tests(folder):
    """Runs reference() on every RNN / GRU / LSTM backend test under folder; returns the
    number of mismatches."""
    bad = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name, 'model.onnx')
        if not os.path.exists(path):
            continue
        m = onnx.load(path)
        nodes = [n for n in m.graph.node if n.op_type in GATES]
        if len(nodes) != 1 or len(m.graph.node) != 1:
            continue
        node = nodes[0]
        data = os.path.join(folder, name, 'test_data_set_0')
        feed = {vi.name: numpy_helper.to_array(load_tensor(os.path.join(data, 'input_%d.pb' % k)))
                for k, vi in enumerate(m.graph.input)}
        ins = [feed[i] if i else None for i in node.input]
        outs = reference(node.op_type, node_attrs(node), ins)
        for k, vi in enumerate(m.graph.output):
            want = numpy_helper.to_array(load_tensor(os.path.join(data, 'output_%d.pb' % k)))
            got = outs[list(node.output).index(vi.name)]
            ok = np.allclose(got, want, rtol=1e-5, atol=1e-6)
            bad += not ok
            print('%s %s %s' % ('ok  ' if ok else 'FAIL', name, vi.name))
    return bad


def load_tensor(path):
    t = TensorProto()
    with open(path, 'rb') as f:
        t.ParseFromString(f.read())
    return t


# ---- the models --------------------------------------------------------------------------------

def rand(rng, shape, scale=1.0):
    return (rng.uniform(-1, 1, shape) * scale).astype(np.float32)


def case(rng, op, T, B, I, H, attrs=None, inputs=('B',), outputs=('Y', 'Y_h'), lens=None,
         weights_as_inputs=False, opset=14):
    """A one-node model: its ONNX pieces and the reference outputs. inputs lists the optional
    inputs given (B, sequence_lens, initial_h, initial_c, P); lens the sequence lengths."""
    attrs = dict(attrs or {})
    D = 2 if attrs.get('direction') == 'bidirectional' else 1
    G, layout = GATES[op], attrs.get('layout', 0)
    state = [B, D, H] if layout else [D, B, H]
    shapes = {'X': [B, T, I] if layout else [T, B, I], 'W': [D, G * H, I], 'R': [D, G * H, H],
              'B': [D, 2 * G * H], 'sequence_lens': [B], 'initial_h': state,
              'initial_c': state, 'P': [D, 3 * H]}
    order = ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'][
        :8 if op == 'LSTM' else 6]
    values = {'X': rand(rng, shapes['X']), 'W': rand(rng, shapes['W'], 0.6),
              'R': rand(rng, shapes['R'], 0.6), 'B': rand(rng, shapes['B'], 0.4),
              'sequence_lens': np.array(lens if lens is not None else [T] * B, np.int32),
              'initial_h': rand(rng, state, 0.5), 'initial_c': rand(rng, state, 0.5),
              'P': rand(rng, shapes['P'], 0.5)}
    given = [n for n in order if n in ('X', 'W', 'R') or n in inputs]
    last = max(order.index(n) for n in given)
    node_in = [n if n in given else '' for n in order[:last + 1]]
    out_names = ['Y', 'Y_h', 'Y_c'][:3 if op == 'LSTM' else 2]
    node_out = [n if n in outputs else '' for n in out_names]
    while node_out and not node_out[-1]:
        node_out.pop()
    node = helper.make_node(op, node_in, node_out, name=op.lower() + '1',
                            hidden_size=H, **attrs)
    ref = reference(op, attrs, [values[n] if n in given else None for n in order])
    runtime = [n for n in given if n == 'X' or weights_as_inputs or n in
               ('sequence_lens', 'initial_h', 'initial_c')]
    inits = [numpy_helper.from_array(values[n], n) for n in given if n not in runtime]
    g_in = [helper.make_tensor_value_info(
        n, TensorProto.INT32 if n == 'sequence_lens' else TensorProto.FLOAT, shapes[n])
        for n in runtime]
    g_out, out_data = [], []
    for k, n in enumerate(out_names):
        if n in node_out:
            v = ref[k].astype(np.float32)
            g_out.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, list(v.shape)))
            out_data.append(v)
    graph = helper.make_graph([node], op.lower(), g_in, g_out, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='fastc-tests')
    onnx.checker.check_model(model)
    return model, [values[n] for n in runtime], runtime, out_data, [o.name for o in g_out]


def stacked(rng):
    """The pattern PyTorch exports for a 2-layer bidirectional LSTM feeding a GRU: LSTM Y
    [T, 2, B, H] -> Transpose -> Reshape [T, B, 2H] -> GRU, the intermediates in fastc's arena
    and the LSTM's Y_h / Y_c absent."""
    T, B, I, H, H2 = 4, 2, 3, 5, 4
    x = rand(rng, [T, B, I])
    w1, r1 = rand(rng, [2, 4 * H, I], 0.6), rand(rng, [2, 4 * H, H], 0.6)
    b1 = rand(rng, [2, 8 * H], 0.4)
    w2, r2 = rand(rng, [1, 3 * H2, 2 * H], 0.6), rand(rng, [1, 3 * H2, H2], 0.6)
    y1 = reference('LSTM', {'direction': 'bidirectional'}, [x, w1, r1, b1])[0]
    x2 = y1.astype(np.float32).transpose(0, 2, 1, 3).reshape(T, B, 2 * H)
    y2, yh2 = reference('GRU', {'linear_before_reset': 1}, [x2, w2, r2])
    nodes = [helper.make_node('LSTM', ['X', 'W1', 'R1', 'B1'], ['Y1'], name='lstm1',
                              hidden_size=H, direction='bidirectional'),
             helper.make_node('Transpose', ['Y1'], ['Yt'], name='t1', perm=[0, 2, 1, 3]),
             helper.make_node('Reshape', ['Yt', 'shape'], ['X2'], name='reshape1'),
             helper.make_node('GRU', ['X2', 'W2', 'R2'], ['Y', 'Y_h'], name='gru1',
                              hidden_size=H2, linear_before_reset=1)]
    inits = [numpy_helper.from_array(v, n) for v, n in (
        (w1, 'W1'), (r1, 'R1'), (b1, 'B1'), (w2, 'W2'), (r2, 'R2'),
        (np.array([T, B, 2 * H], np.int64), 'shape'))]
    outs = [y2.astype(np.float32), yh2.astype(np.float32)]
    graph = helper.make_graph(
        nodes, 'stacked', [helper.make_tensor_value_info('X', TensorProto.FLOAT, [T, B, I])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(v.shape))
         for n, v in zip(('Y', 'Y_h'), outs)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 14)],
                              producer_name='fastc-tests')
    onnx.checker.check_model(model)
    return model, [x], ['X'], outs, ['Y', 'Y_h']


def save(name, built):
    model, in_data, in_names, out_data, out_names = built
    folder = os.path.join(HERE, 'models', name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, 'test_data_set_0'))
    with open(os.path.join(folder, 'model.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    for prefix, data, names in (('input', in_data, in_names), ('output', out_data, out_names)):
        for k, (v, n) in enumerate(zip(data, names)):
            with open(os.path.join(folder, 'test_data_set_0', '%s_%d.pb' % (prefix, k)),
                      'wb') as f:
                f.write(numpy_helper.from_array(v, n).SerializeToString())


def make_all():
    rng = np.random.default_rng(20261207)
    all_in = ('B', 'sequence_lens', 'initial_h', 'initial_c', 'P')
    cases = {
        # RNN: reverse with Relu and clip, all inputs, lengths 3, 1, 2 of 3
        'rnn_reverse_relu_clip': case(rng, 'RNN', 3, 3, 4, 5,
                                      {'direction': 'reverse', 'activations': ['Relu'],
                                       'clip': 0.7}, all_in, lens=[3, 1, 2]),
        # RNN: bidirectional, batch first, LeakyRelu / ThresholdedRelu with alphas
        'rnn_bidir_layout1_alphas': case(
            rng, 'RNN', 4, 2, 3, 4, {'direction': 'bidirectional', 'layout': 1,
                                     'activations': ['LeakyRelu', 'ThresholdedRelu'],
                                     'activation_alpha': [0.2, 0.1]},
            all_in, lens=[4, 2], weights_as_inputs=True),
        # RNN: opset 7 (no layout), default Tanh, only Y
        'rnn_opset7_y_only': case(rng, 'RNN', 3, 2, 3, 3, {}, ('B',), outputs=('Y',),
                                  opset=7),
        # GRU: bidirectional, linear_before_reset 0, every input, a zero length
        'gru_bidir_lbr0_all_inputs': case(
            rng, 'GRU', 4, 3, 3, 4, {'direction': 'bidirectional', 'linear_before_reset': 0},
            all_in, lens=[4, 0, 2]),
        # GRU: reverse, linear_before_reset 1, clip, batch first, HardSigmoid / Softsign
        'gru_reverse_lbr1_clip_layout1': case(
            rng, 'GRU', 3, 2, 4, 3, {'direction': 'reverse', 'linear_before_reset': 1,
                                     'clip': 1.2, 'layout': 1,
                                     'activations': ['HardSigmoid', 'Softsign'],
                                     'activation_alpha': [0.3], 'activation_beta': [0.45]},
            ('B', 'sequence_lens', 'initial_h'), lens=[2, 3], weights_as_inputs=True),
        # GRU: forward, linear_before_reset 1, ScaledTanh / Affine (alpha and beta each)
        'gru_scaledtanh_affine': case(
            rng, 'GRU', 3, 2, 3, 4, {'linear_before_reset': 1,
                                     'activations': ['ScaledTanh', 'Affine'],
                                     'activation_alpha': [0.9, 0.8],
                                     'activation_beta': [1.3, 0.1]}, ('B', 'initial_h')),
        # LSTM: bidirectional with peepholes, every input and output, lengths 3, 1, 2 of 3
        'lstm_bidir_peepholes_all': case(
            rng, 'LSTM', 3, 3, 4, 3, {'direction': 'bidirectional'}, all_in,
            outputs=('Y', 'Y_h', 'Y_c'), lens=[3, 1, 2]),
        # LSTM: reverse, input_forget, clip, batch first, Elu / Softplus, Y_c alone
        'lstm_reverse_input_forget_layout1': case(
            rng, 'LSTM', 4, 2, 3, 3, {'direction': 'reverse', 'input_forget': 1, 'clip': 0.9,
                                      'layout': 1, 'activations': ['Sigmoid', 'Elu', 'Softplus'],
                                      'activation_alpha': [0.6]},
            ('B', 'sequence_lens', 'initial_h', 'initial_c', 'P'), outputs=('Y_c',),
            lens=[1, 4], weights_as_inputs=True),
        # LSTM: one alpha per activation (the positional reading), beta for Affine alone
        'lstm_positional_alpha': case(
            rng, 'LSTM', 2, 2, 3, 3, {'activations': ['Sigmoid', 'Elu', 'Affine'],
                                      'activation_alpha': [9.0, 0.5, 0.7],
                                      'activation_beta': [0.2]}, ('B',),
            outputs=('Y_h', 'Y_c')),
        # LSTM: large enough for the blocked GEMM paths (both GEMMs with M > 1 and N > 1)
        'lstm_bigger': case(rng, 'LSTM', 6, 4, 24, 20, {}, ('B', 'initial_h', 'initial_c'),
                            outputs=('Y', 'Y_h', 'Y_c')),
        'stacked_bidir_lstm_gru': stacked(rng),
    }
    for name, built in cases.items():
        save(name, built)
        print('wrote models/%s' % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--check', help='ONNX backend node tests folder to check the reference on')
    cfg = ap.parse_args()
    if cfg.check:
        bad = check_backend_tests(cfg.check)
        if bad:
            print('the numpy reference disagrees with ONNX on %d output(s)' % bad)
            return 1
    make_all()
    return 0


if __name__ == '__main__':
    sys.exit(main())
