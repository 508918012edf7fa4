#!/usr/bin/python3
"""Writes the small ONNX models of the replace-activation golden cases (dev-time tool; needs
Debian's python3-onnx). The .onnx files are committed, so the tests never need onnx.
tests/explore/test_replace.py runs the same models numerically."""
import os
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

HERE = os.path.dirname(os.path.abspath(__file__))


def vi(name, dims):
    return h.make_tensor_value_info(name, T.FLOAT, dims)


def const(name, value):
    return nh.from_array(np.asarray(value, dtype=np.float32), name)


def save(names, nodes, inputs, outputs, inits=(), opset=13, check=True):
    """Writes the model once per case name (a case is one <name>.onnx + <name>.check)."""
    g = h.make_graph(nodes, 'g', inputs, outputs, initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)], producer_name='fastc-tests')
    m.ir_version = 8
    if check:  # this onnx (1.12) knows opsets up to 17: a Gelu node (opset 20) skips the checker
        onnx.checker.check_model(m)
    for name in names.split():
        with open(os.path.join(HERE, name + '.onnx'), 'wb') as f:
            f.write(m.SerializeToString())


# x * (1 + erf(x / sqrt2)) * 0.5, as torch exports GELU.
save('gelu_to_tanh gelu_to_quick gelu_to_hardswish gelu_to_relu_O1 not_without_flag', [h.make_node('Div', ['x', 'sqrt2'], ['d'], name='div'),
                  h.make_node('Erf', ['d'], ['e'], name='erf'),
                  h.make_node('Add', ['e', 'one'], ['a'], name='add'),
                  h.make_node('Mul', ['x', 'a'], ['m'], name='mul'),
                  h.make_node('Mul', ['m', 'half'], ['y'], name='gelu')],
     [vi('x', [1, 16])], [vi('y', [1, 16])],
     [const('sqrt2', 1.4142135), const('one', 1.0), const('half', 0.5)])
# A Gelu node of opset 20, tanh form.
save('tanh_gelu_to_tanh tanh_gelu_to_relu', [h.make_node('Gelu', ['x'], ['y'], name='gelu', approximate='tanh')],
     [vi('x', [1, 16])], [vi('y', [1, 16])], opset=20, check=False)
save('sigmoid_to_hard', [h.make_node('Sigmoid', ['x'], ['y'], name='sigmoid')],
     [vi('x', [1, 16])], [vi('y', [1, 16])])
save('silu_to_hardswish', [h.make_node('Sigmoid', ['x'], ['s'], name='sigmoid'),
              h.make_node('Mul', ['s', 'x'], ['y'], name='silu')],
     [vi('x', [1, 16])], [vi('y', [1, 16])])
# The Sigmoid has a second reader: it stays, the Mul still becomes HardSwish.
save('silu_shared', [h.make_node('Sigmoid', ['x'], ['s'], name='sigmoid'),
                     h.make_node('Mul', ['x', 's'], ['y'], name='silu'),
                     h.make_node('Neg', ['s'], ['z'], name='neg')],
     [vi('x', [1, 16])], [vi('y', [1, 16]), vi('z', [1, 16])])
# y * Sigmoid(x) is a gate, not SiLU: must not fire.
save('gate_not_silu', [h.make_node('Sigmoid', ['x'], ['s'], name='sigmoid'),
                       h.make_node('Mul', ['w', 's'], ['y'], name='gate')],
     [vi('x', [1, 16]), vi('w', [1, 16])], [vi('y', [1, 16])])
# GELU, Sigmoid and SiLU in one model, for the combined flags.
save('mixed', [h.make_node('Div', ['x', 'sqrt2'], ['d'], name='div'),
               h.make_node('Erf', ['d'], ['e'], name='erf'),
               h.make_node('Add', ['e', 'one'], ['a'], name='add'),
               h.make_node('Mul', ['x', 'a'], ['m'], name='mul'),
               h.make_node('Mul', ['m', 'half'], ['g'], name='gelu'),
               h.make_node('Sigmoid', ['g'], ['s'], name='sigmoid'),
               h.make_node('Sigmoid', ['s'], ['t'], name='sigmoid2'),
               h.make_node('Mul', ['s', 't'], ['y'], name='silu')],
     [vi('x', [1, 16])], [vi('y', [1, 16])],
     [const('sqrt2', 1.4142135), const('one', 1.0), const('half', 0.5)])
