#!/usr/bin/python3
"""Writes the small model of tests/threads/run.py that the shared data lacks (dev-time tool;
needs Debian's python3-onnx and numpy; seeded; the files are committed, the test never needs
onnx):

  models/winograd_channels: Conv 3x3 (pads 1) + Relu, 48 -> 48 channels on one 20x24 image:
  Winograd's 30 tiles are one block, so with --threads=2 the two threads split the block's
  output channels (runtime/k_conv.c fc_wg_channel_parts); the reference output is a float64
  numpy convolution."""
import os
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

HERE = os.path.dirname(os.path.abspath(__file__))


def conv3x3_relu(x, w, b):
    n, c, hh, ww = x.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n, w.shape[0], hh, ww))
    for i in range(3):
        for j in range(3):
            y += np.einsum('nchw,oc->nohw', xp[:, :, i:i + hh, j:j + ww], w[:, :, i, j])
    return np.maximum(y + b[None, :, None, None], 0.0).astype(np.float32)


def main():
    rng = np.random.default_rng(11)
    c, hh, ww = 48, 20, 24
    x = rng.standard_normal((1, c, hh, ww)).astype(np.float32)
    w = (rng.standard_normal((c, c, 3, 3)) * 0.05).astype(np.float32)
    b = (rng.standard_normal(c) * 0.1).astype(np.float32)
    g = h.make_graph([h.make_node('Conv', ['x', 'w', 'b'], ['c'], name='conv', pads=[1, 1, 1, 1],
                                  kernel_shape=[3, 3]),
                      h.make_node('Relu', ['c'], ['y'], name='relu')],
                     'winograd_channels', [h.make_tensor_value_info('x', T.FLOAT, x.shape)],
                     [h.make_tensor_value_info('y', T.FLOAT, x.shape)],
                     [nh.from_array(w, 'w'), nh.from_array(b, 'b')])
    m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)], producer_name='fastc-tests')
    m.ir_version = 8
    onnx.checker.check_model(m)
    out = os.path.join(HERE, 'models', 'winograd_channels')
    os.makedirs(os.path.join(out, 'test_data_set_0'), exist_ok=True)
    onnx.save(m, os.path.join(out, 'model.onnx'))
    for name, arr in (('input_0.pb', nh.from_array(x, 'x')),
                      ('output_0.pb', nh.from_array(conv3x3_relu(x, w, b), 'y'))):
        with open(os.path.join(out, 'test_data_set_0', name), 'wb') as f:
            f.write(arr.SerializeToString())


if __name__ == '__main__':
    main()
