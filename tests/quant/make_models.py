#!/usr/bin/python3
"""Writes the QDQ models of tests/quant/models (dev-time tool; Debian's python3-onnx + numpy).

Each model is quantized the way onnxruntime's QDQ format does it: activations go through
QuantizeLinear -> DequantizeLinear pairs, weights are int8 initializers read through a per-axis
DequantizeLinear, Conv biases int32 with scale x_scale * w_scale. fastc folds the weights' DQ
at compile time and runs the rest in float32. The reference outputs are computed here with
numpy, following the ONNX definitions (python3-onnx 1.12 has no onnx.reference):

  qdq_conv    x [1,3,8,8] -Q u8-> DQ -> Conv(DQ(W int8 [4,3,3,3], axis 0), DQ(bias int32)) -> Relu
              -Q u8-> DQ                                                    (opset 13)
  qdq_matmul  x [2,16] -Q i8-> DQ -> MatMul(DQ(W int8 [16,8], per-axis axis 1)) -> Add(bias)
              -Q i8-> DQ -> MatMul(DQ(W2 int8 [8,6], blocked along axis 0, block 3: the last
              block short)) -> outputs y and DynamicQuantizeLinear(y)        (opset 21)

The .onnx and test_data_set_0 files are committed, so the test never needs onnx or numpy."""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def quantize(x, scale, zp, dtype, axis=None, block=None):
    s, z = expand(scale, x.shape, axis, block), expand(zp, x.shape, axis, block)
    info = np.iinfo(dtype)
    q = np.rint(x.astype(np.float32) / s) + z.astype(np.float32)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q, scale, zp=None, axis=None, block=None):
    s = expand(scale, q.shape, axis, block)
    z = expand(zp, q.shape, axis, block) if zp is not None else np.float32(0)
    return ((q.astype(np.float32) - np.asarray(z, np.float32)) * s).astype(np.float32)


def expand(v, shape, axis, block):
    """A per-tensor, per-axis or blocked scale / zero point broadcast to shape."""
    v = np.asarray(v)
    if v.ndim == 0:
        return v
    if block:
        return np.repeat(v, block, axis=axis).take(range(shape[axis]), axis=axis)
    dims = [1] * len(shape)
    dims[axis] = v.size
    return v.reshape(dims)


def dynamic_quantize(x):
    hi, lo = np.float32(max(0, x.max())), np.float32(min(0, x.min()))
    scale = np.float32(1) if hi == lo else (hi - lo) / np.float32(255)
    zp = np.rint(max(0, min(255, np.float32(0) - lo / scale)))
    y = np.clip(np.rint(x / scale) + zp, 0, 255).astype(np.uint8)
    return y, np.array(scale, np.float32), np.array(zp, np.uint8)


def conv2d(x, w, b):
    n, c, h, wd = x.shape
    k = w.shape[2]
    out = np.zeros((n, w.shape[0], h - k + 1, wd - k + 1), np.float64)
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, :, i:i + k, j:j + k].astype(np.float64)
            out[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), ([1, 2, 3], [1, 2, 3]))
    return (out + b.reshape(1, -1, 1, 1)).astype(np.float32)


def init(name, arr):
    return numpy_helper.from_array(arr, name)


def save(name, graph, opset, inputs, outputs):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='fastc-tests')
    model.ir_version = 7 if opset <= 13 else 10
    if opset <= 17:  # the newest opset python3-onnx 1.12's checker knows
        onnx.checker.check_model(model)
    folder = os.path.join(HERE, 'models', name)
    os.makedirs(os.path.join(folder, 'test_data_set_0'), exist_ok=True)
    with open(os.path.join(folder, 'model.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    for kind, values, infos in (('input', inputs, graph.input), ('output', outputs, graph.output)):
        for k, (v, info) in enumerate(zip(values, infos)):
            t = numpy_helper.from_array(v, info.name)
            with open(os.path.join(folder, 'test_data_set_0', '%s_%d.pb' % (kind, k)), 'wb') as f:
                f.write(t.SerializeToString())


def qdq_conv(rng):
    x = rng.uniform(-1, 1.5, (1, 3, 8, 8)).astype(np.float32)
    xs, xz = np.float32(0.01), np.uint8(100)
    w = rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)
    ws = rng.uniform(0.002, 0.006, 4).astype(np.float32)
    bq = rng.integers(-3000, 3000, 4).astype(np.int32)
    bs = (xs * ws).astype(np.float32)
    ys, yz = np.float32(0.03), np.uint8(5)
    nodes = [
        helper.make_node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq'], name='q_in'),
        helper.make_node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd'], name='dq_in'),
        helper.make_node('DequantizeLinear', ['w', 'ws'], ['wd'], name='dq_w', axis=0),
        helper.make_node('DequantizeLinear', ['b', 'bs'], ['bd'], name='dq_b', axis=0),
        helper.make_node('Conv', ['xd', 'wd', 'bd'], ['c'], name='conv'),
        helper.make_node('Relu', ['c'], ['r'], name='relu'),
        helper.make_node('QuantizeLinear', ['r', 'ys', 'yz'], ['rq'], name='q_out'),
        helper.make_node('DequantizeLinear', ['rq', 'ys', 'yz'], ['y'], name='dq_out')]
    graph = helper.make_graph(
        nodes, 'qdq_conv', [helper.make_tensor_value_info('x', TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, (1, 4, 6, 6))],
        initializer=[init('xs', xs), init('xz', xz), init('w', w), init('ws', ws),
                     init('b', bq), init('bs', bs), init('ys', ys), init('yz', yz)])
    xd = dequantize(quantize(x, xs, xz, np.uint8), xs, xz)
    c = conv2d(xd, dequantize(w, ws, None, axis=0), dequantize(bq, bs, None, axis=0))
    y = dequantize(quantize(np.maximum(c, 0), ys, yz, np.uint8), ys, yz)
    save('qdq_conv', graph, 13, [x], [y])


def qdq_matmul(rng):
    x = rng.uniform(-2, 2, (2, 16)).astype(np.float32)
    xs, xz = np.float32(0.02), np.int8(-3)
    w = rng.integers(-127, 128, (16, 8)).astype(np.int8)
    ws = rng.uniform(0.005, 0.02, 8).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, 8).astype(np.float32)
    hs, hz = np.float32(0.04), np.int8(2)
    w2 = rng.integers(-127, 128, (8, 6)).astype(np.int8)
    w2s = rng.uniform(0.005, 0.02, (3, 6)).astype(np.float32)
    w2z = rng.integers(-4, 5, (3, 6)).astype(np.int8)
    nodes = [
        helper.make_node('QuantizeLinear', ['x', 'xs', 'xz'], ['xq'], name='q_in'),
        helper.make_node('DequantizeLinear', ['xq', 'xs', 'xz'], ['xd'], name='dq_in'),
        helper.make_node('DequantizeLinear', ['w', 'ws'], ['wd'], name='dq_w', axis=1),
        helper.make_node('MatMul', ['xd', 'wd'], ['m'], name='matmul'),
        helper.make_node('Add', ['m', 'bias'], ['h'], name='add'),
        helper.make_node('QuantizeLinear', ['h', 'hs', 'hz'], ['hq'], name='q_h'),
        helper.make_node('DequantizeLinear', ['hq', 'hs', 'hz'], ['hd'], name='dq_h'),
        helper.make_node('DequantizeLinear', ['w2', 'w2s', 'w2z'], ['w2d'], name='dq_w2',
                         axis=0, block_size=3),
        helper.make_node('MatMul', ['hd', 'w2d'], ['y'], name='matmul2'),
        helper.make_node('DynamicQuantizeLinear', ['y'], ['yq', 'yq_scale', 'yq_zp'],
                         name='dynq')]
    graph = helper.make_graph(
        nodes, 'qdq_matmul', [helper.make_tensor_value_info('x', TensorProto.FLOAT, x.shape)],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, (2, 6)),
         helper.make_tensor_value_info('yq', TensorProto.UINT8, (2, 6)),
         helper.make_tensor_value_info('yq_scale', TensorProto.FLOAT, ()),
         helper.make_tensor_value_info('yq_zp', TensorProto.UINT8, ())],
        initializer=[init('xs', xs), init('xz', xz), init('w', w), init('ws', ws),
                     init('bias', bias), init('hs', hs), init('hz', hz), init('w2', w2),
                     init('w2s', w2s), init('w2z', w2z)])
    xd = dequantize(quantize(x, xs, xz, np.int8), xs, xz)
    h = (xd.astype(np.float64) @ dequantize(w, ws, None, axis=1).astype(np.float64))
    h = h.astype(np.float32) + bias
    hd = dequantize(quantize(h, hs, hz, np.int8), hs, hz)
    w2d = dequantize(w2, w2s, w2z, axis=0, block=3)
    y = (hd.astype(np.float64) @ w2d.astype(np.float64)).astype(np.float32)
    save('qdq_matmul', graph, 21, [x], [y, *dynamic_quantize(y)])


def main():
    rng = np.random.default_rng(2024)
    qdq_conv(rng)
    qdq_matmul(rng)


if __name__ == '__main__':
    main()
