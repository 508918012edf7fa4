#!/usr/bin/python3
"""Writes tests/explore/tiny_mlp: a small GELU + SiLU classifier (decomposed GELU as torch
exports it), two test data sets of 8 rows and labels.pb (dev-time tool; needs Debian's
python3-onnx and numpy; the files are committed). The labels are the exact model's own
classes, so the -O0 build scores top-1 accuracy 1."""
import math
import os
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tiny_mlp')
rng = np.random.default_rng(7)
w1 = rng.standard_normal((16, 32)).astype(np.float32) * 0.5
b1 = rng.standard_normal(32).astype(np.float32) * 0.1
w2 = rng.standard_normal((32, 6)).astype(np.float32) * 0.5
b2 = rng.standard_normal(6).astype(np.float32) * 0.1


def c(name, v):
    return nh.from_array(np.asarray(v, dtype=np.float32), name)


nodes = [h.make_node('Gemm', ['x', 'w1', 'b1'], ['h'], name='fc1'),
         h.make_node('Div', ['h', 'sqrt2'], ['d'], name='div'),
         h.make_node('Erf', ['d'], ['e'], name='erf'),
         h.make_node('Add', ['e', 'one'], ['a'], name='add'),
         h.make_node('Mul', ['h', 'a'], ['m'], name='mul'),
         h.make_node('Mul', ['m', 'half'], ['g'], name='gelu'),
         h.make_node('Sigmoid', ['g'], ['s'], name='sigmoid'),
         h.make_node('Mul', ['g', 's'], ['u'], name='silu'),
         h.make_node('Gemm', ['u', 'w2', 'b2'], ['y'], name='fc2')]
graph = h.make_graph(nodes, 'tiny_mlp', [h.make_tensor_value_info('x', T.FLOAT, [8, 16])],
                     [h.make_tensor_value_info('y', T.FLOAT, [8, 6])],
                     [c('w1', w1), c('b1', b1), c('w2', w2), c('b2', b2), c('sqrt2', 1.4142135),
                      c('one', 1.0), c('half', 0.5)])
model = h.make_model(graph, opset_imports=[h.make_opsetid('', 13)], producer_name='fastc-tests')
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(HERE, exist_ok=True)
onnx.save(model, os.path.join(HERE, 'model.onnx'))


def reference(x):
    hh = x.astype(np.float64) @ w1 + b1
    g = 0.5 * hh * (1 + np.vectorize(math.erf)(hh / math.sqrt(2)))
    u = g / (1 + np.exp(-g))
    return u @ w2 + b2


labels = []
for k in range(2):
    x = rng.standard_normal((8, 16)).astype(np.float32) * 1.5
    d = os.path.join(HERE, 'test_data_set_%d' % k)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'input_0.pb'), 'wb') as f:
        f.write(nh.from_array(x, 'x').SerializeToString())
    labels += list(np.argmax(reference(x), axis=1))
with open(os.path.join(HERE, 'labels.pb'), 'wb') as f:
    f.write(nh.from_array(np.asarray(labels, dtype=np.int64), 'labels').SerializeToString())
