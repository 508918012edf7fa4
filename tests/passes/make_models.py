#!/usr/bin/python3
"""Writes the small ONNX models the golden pass tests run on (dev-time tool; needs Debian's
python3-onnx). Each model is one case of tests/passes/<pass>/<case>.check; the .onnx files
are committed so the tests themselves never need onnx."""
import os
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def vi(name, dims, dt=T.FLOAT):
    return h.make_tensor_value_info(name, dt, dims)


def const(name, arr):
    return nh.from_array(np.asarray(arr), name)


def save(path, nodes, inputs, outputs, inits=(), opset=13):
    g = h.make_graph(nodes, 'g', inputs, outputs, initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)], producer_name='fastc-tests')
    m.ir_version = 8
    onnx.checker.check_model(m)
    full = os.path.join(HERE, path + '.onnx')
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, 'wb') as f:
        f.write(m.SerializeToString())


def w(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def div_to_mul():
    save('div-to-mul/pow2', [h.make_node('Div', ['x', 'c'], ['y'], name='div')],
         [vi('x', [2, 4])], [vi('y', [2, 4])], [const('c', np.float32(8.0))])
    save('div-to-mul/inexact', [h.make_node('Div', ['x', 'c'], ['y'], name='div')],
         [vi('x', [2, 4])], [vi('y', [2, 4])], [const('c', np.float32(3.0))])
    save('div-to-mul/runtime_divisor', [h.make_node('Div', ['x', 'z'], ['y'], name='div')],
         [vi('x', [2, 4]), vi('z', [2, 4])], [vi('y', [2, 4])])


def drop_dropout():
    save('drop-dropout/dropout', [h.make_node('Dropout', ['x'], ['d'], name='drop'),
                                  h.make_node('Relu', ['d'], ['y'], name='relu')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])
    save('drop-dropout/training_false', [h.make_node('Dropout', ['x', 'r', 't'], ['d'], name='drop'),
                                         h.make_node('Relu', ['d'], ['y'], name='relu')],
         [vi('x', [2, 4])], [vi('y', [2, 4])],
         [const('r', np.float32(0.1)), const('t', np.bool_(False))])
    save('drop-dropout/graph_output', [h.make_node('Dropout', ['x'], ['y'], name='drop')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])


def fuse_bias():
    save('fuse-bias/matmul_add', [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                                  h.make_node('Add', ['m', 'b'], ['y'], name='add')],
         [vi('x', [2, 3, 4])], [vi('y', [2, 3, 5])], [const('w', w(4, 5)), const('b', w(5))])
    save('fuse-bias/bias_first', [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                                  h.make_node('Add', ['b', 'm'], ['y'], name='add')],
         [vi('x', [3, 4])], [vi('y', [3, 5])], [const('w', w(4, 5)), const('b', w(1, 5))])
    save('fuse-bias/bias_not_last_axis', [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                                          h.make_node('Add', ['m', 'b'], ['y'], name='add')],
         [vi('x', [3, 4])], [vi('y', [3, 5])], [const('w', w(4, 5)), const('b', w(3, 1))])
    save('fuse-bias/attention_scores',
         [h.make_node('MatMul', ['q', 'k'], ['s'], name='scores'),
          h.make_node('Add', ['s', 'mask'], ['y'], name='add_mask')],
         [vi('q', [1, 2, 4, 8]), vi('k', [1, 2, 8, 4])], [vi('y', [1, 2, 4, 4])],
         [const('mask', w(1, 1, 1, 4))])
    save('fuse-bias/matmul_output_used', [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                                          h.make_node('Add', ['m', 'b'], ['y'], name='add'),
                                          h.make_node('Relu', ['m'], ['z'], name='relu')],
         [vi('x', [3, 4])], [vi('y', [3, 5]), vi('z', [3, 5])],
         [const('w', w(4, 5)), const('b', w(5))])
    save('fuse-bias/conv_add', [h.make_node('Conv', ['x', 'w'], ['c'], name='conv'),
                                h.make_node('Add', ['c', 'b'], ['y'], name='add')],
         [vi('x', [1, 2, 5, 5])], [vi('y', [1, 3, 3, 3])],
         [const('w', w(3, 2, 3, 3)), const('b', w(3, 1, 1))])


def merge_linears():
    save('merge-linears/qkv', [h.make_node('MatMul', ['x', 'wq'], ['q'], name='q'),
                               h.make_node('MatMul', ['x', 'wk'], ['k'], name='k'),
                               h.make_node('MatMul', ['x', 'wv'], ['v'], name='v')],
         [vi('x', [1, 3, 4])], [vi('q', [1, 3, 4]), vi('k', [1, 3, 4]), vi('v', [1, 3, 2])],
         [const('wq', w(4, 4)), const('wk', w(4, 4)), const('wv', w(4, 2))])
    save('merge-linears/different_inputs', [h.make_node('MatMul', ['x', 'wq'], ['q'], name='q'),
                                            h.make_node('MatMul', ['z', 'wk'], ['k'], name='k')],
         [vi('x', [3, 4]), vi('z', [3, 4])], [vi('q', [3, 4]), vi('k', [3, 4])],
         [const('wq', w(4, 4)), const('wk', w(4, 4))])
    save('merge-linears/batched_weight', [h.make_node('MatMul', ['x', 'wq'], ['q'], name='q'),
                                          h.make_node('MatMul', ['x', 'wk'], ['k'], name='k')],
         [vi('x', [2, 3, 4])], [vi('q', [2, 3, 4]), vi('k', [2, 3, 4])],
         [const('wq', w(2, 4, 4)), const('wk', w(2, 4, 4))])


def gelu_nodes(x, y, p):
    return [h.make_node('Div', [x, p + 'sqrt2'], [p + 'd'], name=p + 'div'),
            h.make_node('Erf', [p + 'd'], [p + 'e'], name=p + 'erf'),
            h.make_node('Add', [p + 'e', p + 'one'], [p + 'a'], name=p + 'add'),
            h.make_node('Mul', [x, p + 'a'], [p + 'm'], name=p + 'mul'),
            h.make_node('Mul', [p + 'm', p + 'half'], [y], name=p + 'mul_half')]


def gelu_consts(p):
    return [const(p + 'sqrt2', np.float32(1.4142135)), const(p + 'one', np.float32(1.0)),
            const(p + 'half', np.float32(0.5))]


def recognize_gelu():
    save('recognize-gelu/erf', gelu_nodes('x', 'y', ''), [vi('x', [2, 4])], [vi('y', [2, 4])],
         gelu_consts(''))
    pw = [h.make_node('Pow', ['x', 'three'], ['c'], name='cube'),
          h.make_node('Mul', ['c', 'k1'], ['ck'], name='mul_k1'),
          h.make_node('Add', ['x', 'ck'], ['inner'], name='add_inner'),
          h.make_node('Mul', ['inner', 'k2'], ['s'], name='mul_k2'),
          h.make_node('Tanh', ['s'], ['t'], name='tanh'),
          h.make_node('Add', ['t', 'one'], ['a'], name='add_one'),
          h.make_node('Mul', ['x', 'half'], ['xh'], name='mul_half'),
          h.make_node('Mul', ['xh', 'a'], ['y'], name='mul_out')]
    save('recognize-gelu/tanh', pw, [vi('x', [2, 4])], [vi('y', [2, 4])],
         [const('three', np.float32(3.0)), const('k1', np.float32(0.044715)),
          const('k2', np.float32(0.7978846)), const('one', np.float32(1.0)),
          const('half', np.float32(0.5))])
    nodes = gelu_nodes('x', 'y', '') + [h.make_node('Relu', ['e'], ['z'], name='other_reader')]
    save('recognize-gelu/inner_value_reused', nodes, [vi('x', [2, 4])],
         [vi('y', [2, 4]), vi('z', [2, 4])], gelu_consts(''))


def layernorm_nodes(axes):
    return [h.make_node('ReduceMean', ['x'], ['m'], name='mean', axes=axes),
            h.make_node('Sub', ['x', 'm'], ['d'], name='sub'),
            h.make_node('Pow', ['d', 'two'], ['p'], name='pow'),
            h.make_node('ReduceMean', ['p'], ['v'], name='var', axes=axes),
            h.make_node('Add', ['v', 'eps'], ['ve'], name='add_eps'),
            h.make_node('Sqrt', ['ve'], ['s'], name='sqrt'),
            h.make_node('Div', ['d', 's'], ['n'], name='div'),
            h.make_node('Mul', ['n', 'gamma'], ['ng'], name='mul_gamma'),
            h.make_node('Add', ['ng', 'beta'], ['y'], name='add_beta')]


def recognize_layernorm():
    consts = [const('two', np.float32(2.0)), const('eps', np.float32(1e-5)),
              const('gamma', w(4)), const('beta', w(4))]
    save('recognize-layernorm/last_axis', layernorm_nodes([-1]), [vi('x', [2, 3, 4])],
         [vi('y', [2, 3, 4])], consts)
    save('recognize-layernorm/not_trailing_axis', layernorm_nodes([1]), [vi('x', [2, 3, 4])],
         [vi('y', [2, 3, 4])], consts)


def cse():
    save('cse/duplicate', [h.make_node('Relu', ['x'], ['a'], name='r1'),
                           h.make_node('Relu', ['x'], ['b'], name='r2'),
                           h.make_node('Add', ['a', 'b'], ['y'], name='add')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])
    save('cse/different_attrs', [h.make_node('LeakyRelu', ['x'], ['a'], name='l1', alpha=0.1),
                                 h.make_node('LeakyRelu', ['x'], ['b'], name='l2', alpha=0.2),
                                 h.make_node('Add', ['a', 'b'], ['y'], name='add')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])


def fold_constants():
    save('fold-constants/transpose_weight',
         [h.make_node('Transpose', ['w'], ['wt'], name='tw', perm=[1, 0]),
          h.make_node('MatMul', ['x', 'wt'], ['y'], name='mm')],
         [vi('x', [3, 4])], [vi('y', [3, 5])], [const('w', w(5, 4))])


def fold_batchnorm():
    bn = [const('s', w(3)), const('bb', w(3)), const('mu', w(3)),
          const('var', np.abs(w(3)) + 0.5), const('cw', w(3, 2, 3, 3))]
    save('fold-batchnorm/conv_bn', [h.make_node('Conv', ['x', 'cw'], ['c'], name='conv'),
                                    h.make_node('BatchNormalization', ['c', 's', 'bb', 'mu', 'var'],
                                                ['y'], name='bn')],
         [vi('x', [1, 2, 5, 5])], [vi('y', [1, 3, 3, 3])], bn)
    save('fold-batchnorm/conv_output_used',
         [h.make_node('Conv', ['x', 'cw'], ['c'], name='conv'),
          h.make_node('BatchNormalization', ['c', 's', 'bb', 'mu', 'var'], ['y'], name='bn'),
          h.make_node('Relu', ['c'], ['z'], name='relu')],
         [vi('x', [1, 2, 5, 5])], [vi('y', [1, 3, 3, 3]), vi('z', [1, 3, 3, 3])], bn)


def dce():
    save('dce/unused_branch', [h.make_node('Relu', ['x'], ['y'], name='used'),
                               h.make_node('Neg', ['x'], ['unused'], name='dead')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])


def elementwise_fusion():
    save('elementwise-fusion/chain', [h.make_node('Add', ['x', 'b'], ['a'], name='add_bias'),
                                      h.make_node('Relu', ['a'], ['r'], name='relu'),
                                      h.make_node('Mul', ['r', 'half'], ['y'], name='scale')],
         [vi('x', [1, 3, 4, 4])], [vi('y', [1, 3, 4, 4])],
         [const('b', w(3, 1, 1)), const('half', np.float32(0.5))])
    save('elementwise-fusion/shared_value', [h.make_node('Exp', ['x'], ['e'], name='exp'),
                                             h.make_node('Neg', ['e'], ['n'], name='neg'),
                                             h.make_node('Add', ['e', 'n'], ['y'], name='add')],
         [vi('x', [2, 4])], [vi('y', [2, 4])])
    save('elementwise-fusion/linear_relu', [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                                            h.make_node('Add', ['m', 'b'], ['a'], name='bias'),
                                            h.make_node('Relu', ['a'], ['y'], name='relu')],
         [vi('x', [3, 4])], [vi('y', [3, 5])], [const('w', w(4, 5)), const('b', w(5))])
    save('elementwise-fusion/int_chain', [h.make_node('Add', ['x', 'x'], ['a'], name='add'),
                                          h.make_node('Neg', ['a'], ['y'], name='neg')],
         [vi('x', [4], T.INT64)], [vi('y', [4], T.INT64)])


def recognize_softmax():
    nodes = [h.make_node('ReduceMax', ['x'], ['m'], name='max', axes=[-1]),
             h.make_node('Sub', ['x', 'm'], ['d'], name='sub'),
             h.make_node('Exp', ['d'], ['e'], name='exp'),
             h.make_node('ReduceSum', ['e', 'ax'], ['s'], name='sum'),
             h.make_node('Div', ['e', 's'], ['y'], name='div')]
    save('recognize-softmax/stable', nodes, [vi('x', [2, 3, 5])], [vi('y', [2, 3, 5])],
         [const('ax', np.array([-1], np.int64))])
    nodes = [h.make_node('Exp', ['x'], ['e'], name='exp'),
             h.make_node('ReduceSum', ['e', 'ax'], ['s'], name='sum', keepdims=0),
             h.make_node('Unsqueeze', ['s', 'ax'], ['su'], name='unsq'),
             h.make_node('Div', ['e', 'su'], ['y'], name='div')]
    save('recognize-softmax/keepdims_0', nodes, [vi('x', [2, 5])], [vi('y', [2, 5])],
         [const('ax', np.array([1], np.int64))])


def elementwise_fusion_rank():
    save('elementwise-fusion/lower_rank_first', [h.make_node('Add', ['a', 'b'], ['s'], name='add1'),
                                                 h.make_node('Add', ['s', 'c'], ['y'], name='add2')],
         [vi('a', [1, 8]), vi('b', [2, 1, 1, 8]), vi('c', [2, 1, 1, 8])], [vi('y', [2, 1, 1, 8])])


def conv_epilogue():
    """Conv + Relu / Gelu -> FcConv {activation}; not when the Conv result has another reader
    or is a graph output."""
    conv = lambda out: h.make_node('Conv', ['x', 'w', 'b'], [out], name='conv', pads=[1, 1, 1, 1])
    inits = [const('w', w(4, 3, 3, 3)), const('b', w(4))]
    save('elementwise-fusion/conv_relu', [conv('c'), h.make_node('Relu', ['c'], ['y'], name='relu')],
         [vi('x', [2, 3, 5, 5])], [vi('y', [2, 4, 5, 5])], inits)
    gelu = [h.make_node('Div', ['c', 'sqrt2'], ['d'], name='div'),
            h.make_node('Erf', ['d'], ['e'], name='erf'),
            h.make_node('Add', ['e', 'one'], ['a'], name='add'),
            h.make_node('Mul', ['c', 'a'], ['m'], name='mul'),
            h.make_node('Mul', ['m', 'half'], ['y'], name='half')]
    save('elementwise-fusion/conv_gelu', [conv('c')] + gelu, [vi('x', [2, 3, 5, 5])],
         [vi('y', [2, 4, 5, 5])], inits + [const('sqrt2', np.float32(np.sqrt(2))),
                                           const('one', np.float32(1)),
                                           const('half', np.float32(0.5))])
    save('elementwise-fusion/conv_relu_two_readers',
         [conv('c'), h.make_node('Relu', ['c'], ['r'], name='relu'),
          h.make_node('Add', ['r', 'c'], ['y'], name='add')],
         [vi('x', [2, 3, 5, 5])], [vi('y', [2, 4, 5, 5])], inits)
    save('elementwise-fusion/conv_relu_conv_is_output',
         [conv('c'), h.make_node('Relu', ['c'], ['y'], name='relu')],
         [vi('x', [2, 3, 5, 5])], [vi('y', [2, 4, 5, 5]), vi('c', [2, 4, 5, 5])], inits)


def gemm_to_linear():
    """Gemm with constant weights -> FcLinear (transB stored transposed); not with alpha != 1,
    transA, or a C that is not a row bias."""
    def gemm(name, c_shape, **attrs):
        inits = [const('w', w(5, 4) if attrs.get('transB') else w(4, 5))]
        ins = ['x', 'w']
        if c_shape:
            inits.append(const('c', w(*c_shape)))
            ins.append('c')
        save('fuse-bias/' + name, [h.make_node('Gemm', ins, ['y'], name='gemm', **attrs)],
             [vi('x', [3, 4])], [vi('y', [3, 5])], inits)
    gemm('gemm_transB', [5], transB=1)
    gemm('gemm_no_bias', None)
    gemm('gemm_alpha', [5], alpha=2.0)
    gemm('gemm_full_c', [3, 5], transB=1)


def fold_matmul_transpose():
    """Transposes around a batched MatMul and a scalar Mul after it -> FcBatchedGemm; not
    for perms that move the innermost axis into the batch, values with other readers,
    broadcasting or non-scalar Muls, or constant 2-D weights."""
    def tr(x, y, perm, name):
        return h.make_node('Transpose', [x], [y], name=name, perm=perm)
    save('fold-matmul-transpose/attention',
         [tr('q', 'qt', [0, 2, 1, 3], 'tq'), tr('k', 'kt', [0, 2, 3, 1], 'tk'),
          h.make_node('MatMul', ['qt', 'kt'], ['s'], name='mm'),
          h.make_node('Mul', ['s', 'c'], ['m'], name='scale'),
          tr('m', 'y', [0, 2, 1, 3], 'ty')],
         [vi('q', [1, 5, 2, 3]), vi('k', [1, 5, 2, 3])], [vi('y', [1, 5, 2, 5])],
         [const('c', np.float32(0.3))])
    save('fold-matmul-transpose/scores_v',
         [h.make_node('Softmax', ['s'], ['p'], name='sm', axis=-1),
          tr('v', 'vt', [0, 2, 1, 3], 'tv'),
          h.make_node('MatMul', ['p', 'vt'], ['o'], name='mm'),
          tr('o', 'y', [0, 2, 1, 3], 'ty')],
         [vi('s', [2, 3, 4, 4]), vi('v', [2, 4, 3, 5])], [vi('y', [2, 4, 3, 5])])
    save('fold-matmul-transpose/innermost_to_batch',
         [tr('a', 'at', [0, 3, 1, 2], 'ta'),
          h.make_node('MatMul', ['at', 'b'], ['y'], name='mm')],
         [vi('a', [2, 4, 5, 3]), vi('b', [2, 3, 5, 6])], [vi('y', [2, 3, 4, 6])])
    save('fold-matmul-transpose/transpose_other_reader',
         [tr('a', 'at', [0, 2, 1, 3], 'ta'),
          h.make_node('MatMul', ['at', 'b'], ['y'], name='mm'),
          h.make_node('Relu', ['at'], ['r'], name='relu')],
         [vi('a', [1, 4, 2, 3]), vi('b', [1, 2, 3, 5])],
         [vi('y', [1, 2, 4, 5]), vi('r', [1, 2, 4, 3])])
    save('fold-matmul-transpose/mul_not_scalar',
         [h.make_node('MatMul', ['a', 'b'], ['s'], name='mm'),
          h.make_node('Mul', ['s', 'c'], ['y'], name='scale')],
         [vi('a', [2, 4, 3]), vi('b', [2, 3, 5])], [vi('y', [2, 4, 5])],
         [const('c', w(1, 1, 5))])
    save('fold-matmul-transpose/mul_broadcasts_result',
         [h.make_node('MatMul', ['a', 'b'], ['s'], name='mm'),
          h.make_node('Mul', ['s', 'c'], ['y'], name='scale')],
         [vi('a', [4, 3]), vi('b', [3, 5])], [vi('y', [2, 4, 5])],
         [const('c', w(2, 1, 1))])
    save('fold-matmul-transpose/scale_only',
         [h.make_node('MatMul', ['a', 'b'], ['s'], name='mm'),
          h.make_node('Mul', ['c', 's'], ['y'], name='scale')],
         [vi('a', [2, 4, 3]), vi('b', [3, 5])], [vi('y', [2, 4, 5])],
         [const('c', np.array([0.7], np.float32))])
    save('fold-matmul-transpose/result_last_axis_moved',
         [h.make_node('MatMul', ['a', 'b'], ['s'], name='mm'),
          tr('s', 'y', [0, 2, 1], 'ty')],
         [vi('a', [2, 4, 3]), vi('b', [2, 3, 5])], [vi('y', [2, 5, 4])])
    save('fold-matmul-transpose/result_is_output',
         [h.make_node('MatMul', ['a', 'b'], ['s'], name='mm'),
          tr('s', 'y', [1, 0, 2], 'ty')],
         [vi('a', [2, 4, 3]), vi('b', [2, 3, 5])], [vi('y', [4, 2, 5]), vi('s', [2, 4, 5])])
    save('fold-matmul-transpose/constant_weight',
         [tr('a', 'at', [1, 0, 2], 'ta'),
          h.make_node('MatMul', ['at', 'w'], ['y'], name='mm')],
         [vi('a', [4, 2, 3])], [vi('y', [2, 4, 5])], [const('w', w(3, 5))])


def fuse_residual():
    """FcLinear + Add(residual of the same shape) -> FcLinear with a 4th input; not when the
    Add broadcasts, the linear result has another reader or is a graph output."""
    def lin(nodes, inputs, outputs, name, bias=True):
        inits = [const('w', w(4, 5))] + ([const('b', w(5))] if bias else [])
        head = [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                h.make_node('Add', ['m', 'b'], ['y'], name='bias')] if bias else \
               [h.make_node('Gemm', ['x', 'w'], ['y'], name='gemm')]
        save('fuse-residual/' + name, head + nodes, inputs, outputs, inits)
    x, r = vi('x', [3, 4]), vi('r', [3, 5])
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res')], [x, r], [vi('z', [3, 5])],
        'residual')
    lin([h.make_node('Relu', ['y'], ['a'], name='relu'),
         h.make_node('Add', ['r', 'a'], ['z'], name='res')], [x, r], [vi('z', [3, 5])],
        'after_activation')
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res')], [x, r], [vi('z', [3, 5])],
        'no_bias', bias=False)
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res'),
         h.make_node('Relu', ['z'], ['o'], name='relu')], [x, r], [vi('o', [3, 5])],
        'activation_after_residual')
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res')], [x, vi('r', [1, 5])],
        [vi('z', [3, 5])], 'residual_broadcasts')
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res')], [x, vi('r', [2, 3, 5])],
        [vi('z', [2, 3, 5])], 'result_broadcasts')
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res'),
         h.make_node('Relu', ['y'], ['o'], name='relu')], [x, r],
        [vi('z', [3, 5]), vi('o', [3, 5])], 'linear_other_reader')
    lin([h.make_node('Add', ['y', 'r'], ['z'], name='res')], [x, r],
        [vi('z', [3, 5]), vi('y', [3, 5])], 'linear_is_output')


def fold_linear_transpose():
    """FcLinear + Transpose moving its last axis (the features) to another position, the other
    axes in order -> FcLinear {out_axis}; then a residual Add folds in too. Not for other
    perms, a linear result with another reader or that is a graph output."""
    def lin(name, x, k, n, nodes, outputs, inputs=(), act=None):
        inits = [const('w', w(k, n)), const('b', w(n))]
        head = [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
                h.make_node('Add', ['m', 'b'], ['a' if act else 'y'], name='bias')]
        if act:
            head.append(h.make_node(act, ['a'], ['y'], name='act'))
        save('fold-linear-transpose/' + name, head + nodes, [x] + list(inputs), outputs, inits)
    tr = lambda perm, out='t': h.make_node('Transpose', ['y'], [out], name='tr', perm=perm)
    x4 = vi('x', [2, 3, 4, 5])
    lin('nchw_back', x4, 5, 6, [tr([0, 3, 1, 2])], [vi('t', [2, 6, 3, 4])])
    lin('relu_residual', x4, 5, 6,
        [tr([0, 3, 1, 2]), h.make_node('Add', ['r', 't'], ['z'], name='res')],
        [vi('z', [2, 6, 3, 4])], [vi('r', [2, 6, 3, 4])], act='Relu')
    lin('rank3_middle', vi('x', [2, 3, 5]), 5, 7, [tr([0, 2, 1])], [vi('t', [2, 7, 3])])
    lin('to_front', vi('x', [2, 3, 5]), 5, 4, [tr([2, 0, 1])], [vi('t', [4, 2, 3])])
    lin('other_axes_move', x4, 5, 6, [tr([0, 3, 2, 1])], [vi('t', [2, 6, 4, 3])])
    lin('last_stays', x4, 5, 6, [tr([1, 0, 2, 3])], [vi('t', [3, 2, 4, 6])])
    lin('other_reader', x4, 5, 6,
        [tr([0, 3, 1, 2]), h.make_node('Relu', ['y'], ['o'], name='relu')],
        [vi('t', [2, 6, 3, 4]), vi('o', [2, 3, 4, 6])])
    lin('linear_is_output', x4, 5, 6, [tr([0, 3, 1, 2])],
        [vi('t', [2, 6, 3, 4]), vi('y', [2, 3, 4, 6])])
    # a bias-free FcLinear (from Gemm) whose moved result gets an Add along its new last axis:
    # fuse-bias must not take that for the layer's bias
    save('fold-linear-transpose/gemm_then_add',
         [h.make_node('Gemm', ['x', 'w'], ['y'], name='gemm'), tr([1, 0]),
          h.make_node('Add', ['t', 'c'], ['z'], name='add')],
         [vi('x', [12, 5])], [vi('z', [6, 12])], [const('w', w(5, 6)), const('c', w(12))])


def conv_pool_gemm():
    """fuse-conv-pool on an im2col Conv: an odd output (no whole row pairs) keeps its MaxPool."""
    inits = [const('w', w(8, 8, 3, 3)), const('b', w(8))]
    save('fuse-conv-pool/gemm_odd_output',
         [h.make_node('Conv', ['x', 'w', 'b'], ['c'], name='conv', pads=[1, 1, 1, 1],
                      strides=[2, 2]),
          h.make_node('MaxPool', ['c'], ['y'], name='pool', kernel_shape=[2, 2],
                      strides=[2, 2])],
         [vi('x', [2, 8, 13, 13])], [vi('y', [2, 8, 3, 3])], inits)


def conv_pool():
    """2x2 stride-2 MaxPool after a Winograd Conv (3x3, unit stride, >= 8 channels, >= 16
    tiles with constant weights, >= 256 with weights fed at run time) -> FcConv {pool=1}; not
    for other pools, too few tiles, strided convs or a Conv result with another reader."""
    inits = [const('w', w(8, 8, 3, 3)), const('b', w(8))]
    conv = lambda out, **a: h.make_node('Conv', ['x', 'w', 'b'], [out], name='conv',
                                        pads=[1, 1, 1, 1], **a)
    pool = lambda inp, **a: h.make_node('MaxPool', [inp], ['y'], name='pool', **a)
    relu = h.make_node('Relu', ['c'], ['r'], name='relu')
    p2 = dict(kernel_shape=[2, 2], strides=[2, 2])
    save('fuse-conv-pool/relu_pool', [conv('c'), relu, pool('r', **p2)],
         [vi('x', [16, 8, 8, 8])], [vi('y', [16, 8, 4, 4])], inits)
    save('fuse-conv-pool/plain_pool_odd', [conv('c'), pool('c', **p2)],
         [vi('x', [16, 8, 9, 9])], [vi('y', [16, 8, 4, 4])], inits)
    save('fuse-conv-pool/few_tiles', [conv('c'), pool('c', **p2)],
         [vi('x', [1, 8, 6, 6])], [vi('y', [1, 8, 3, 3])], inits)
    save('fuse-conv-pool/one_image', [conv('c'), pool('c', **p2)],
         [vi('x', [1, 8, 8, 8])], [vi('y', [1, 8, 4, 4])], inits)
    save('fuse-conv-pool/weights_fed', [conv('c'), pool('c', **p2)],
         [vi('x', [4, 8, 8, 8]), vi('w', [8, 8, 3, 3])], [vi('y', [4, 8, 4, 4])], inits[1:])
    save('fuse-conv-pool/pool_3x3', [conv('c'), pool('c', kernel_shape=[3, 3], strides=[2, 2])],
         [vi('x', [16, 8, 8, 8])], [vi('y', [16, 8, 3, 3])], inits)
    save('fuse-conv-pool/pool_ceil', [conv('c'), pool('c', ceil_mode=1, **p2)],
         [vi('x', [16, 8, 9, 9])], [vi('y', [16, 8, 5, 5])], inits)
    save('fuse-conv-pool/pool_padded', [conv('c'), pool('c', pads=[1, 1, 1, 1], **p2)],
         [vi('x', [16, 8, 8, 8])], [vi('y', [16, 8, 5, 5])], inits)
    save('fuse-conv-pool/strided_conv', [conv('c', strides=[2, 2]), pool('c', **p2)],
         [vi('x', [64, 8, 8, 8])], [vi('y', [64, 8, 2, 2])], inits)
    save('fuse-conv-pool/conv_is_output', [conv('c'), pool('c', **p2)],
         [vi('x', [16, 8, 8, 8])], [vi('y', [16, 8, 4, 4]), vi('c', [16, 8, 8, 8])], inits)


def channels_first():
    """Transpose to channels-last -> LayerNorm / linears / per-channel elementwise -> inverse
    Transpose (ConvNeXt's block and stem) becomes channels-first; the must-not-fire cases."""
    to_last, to_first = [0, 2, 3, 1], [0, 3, 1, 2]

    def tr(src, dst, perm, name):
        return h.make_node('Transpose', [src], [dst], name=name, perm=perm)

    def ln(src, dst, axis=-1):
        return h.make_node('LayerNormalization', [src, 'g', 'b'], [dst], name='ln', axis=axis,
                           epsilon=1e-6)
    ln_consts = [const('g', w(4)), const('b', w(4))]
    x, y = [vi('x', [2, 4, 3, 5])], [vi('y', [2, 4, 3, 5])]
    block = ([tr('x', 't', to_last, 'to_last'), ln('t', 'n'),
          h.make_node('MatMul', ['n', 'w1'], ['m1'], name='pw1'),
          h.make_node('Add', ['m1', 'b1'], ['a1'], name='pw1_bias'),
          h.make_node('Relu', ['a1'], ['r'], name='relu'),
          h.make_node('MatMul', ['r', 'w2'], ['m2'], name='pw2'),
          h.make_node('Add', ['m2', 'b2'], ['a2'], name='pw2_bias'),
          h.make_node('Mul', ['gamma', 'a2'], ['s'], name='layer_scale'),
          tr('s', 'u', to_first, 'to_first'),
          h.make_node('Add', ['x', 'u'], ['y'], name='residual')],
             x, y, ln_consts + [const('w1', w(4, 8)), const('b1', w(8)), const('w2', w(8, 4)),
                                const('b2', w(4)), const('gamma', w(4))])
    save('channels-first/block', *block, opset=17)
    save('channels-first/block_no_linears', *block, opset=17)
    save('channels-first/stem', [tr('x', 't', to_last, 'to_last'), ln('t', 'n', axis=3),
                                 tr('n', 'y', to_first, 'to_first')], x, y, ln_consts, opset=17)
    save('channels-first/rank3', [tr('x', 't', [0, 2, 1], 'to_last'), ln('t', 'n'),
                                  h.make_node('Sub', ['n', 'c'], ['d'], name='sub'),
                                  tr('d', 'y', [0, 2, 1], 'to_first')],
         [vi('x', [2, 4, 6])], [vi('y', [2, 4, 6])],
         ln_consts + [const('c', w(1, 1, 4))], opset=17)
    save('channels-first/wrong_perm', [tr('x', 't', [0, 3, 2, 1], 'to_last'), ln('t', 'n'),
                                       tr('n', 'y', [0, 3, 2, 1], 'to_first')],
         [vi('x', [2, 4, 3, 4])], [vi('y', [2, 4, 3, 4])], ln_consts, opset=17)
    save('channels-first/ln_other_axis',
         [tr('x', 't', to_last, 'to_last'),
          h.make_node('LayerNormalization', ['t', 'g2', 'b2'], ['n'], name='ln', axis=2),
          tr('n', 'y', to_first, 'to_first')],
         x, y, [const('g2', w(5, 4)), const('b2', w(5, 4))], opset=17)
    save('channels-first/two_readers', [tr('x', 't', to_last, 'to_last'), ln('t', 'n'),
                                        tr('n', 'y', to_first, 'to_first'),
                                        h.make_node('Relu', ['n'], ['z'], name='relu')],
         x, y + [vi('z', [2, 3, 5, 4])], ln_consts, opset=17)
    save('channels-first/inner_output', [tr('x', 't', to_last, 'to_last'), ln('t', 'n'),
                                         tr('n', 'y', to_first, 'to_first')],
         x, y + [vi('n', [2, 3, 5, 4])], ln_consts, opset=17)
    save('channels-first/const_other_axis',
         [tr('x', 't', to_last, 'to_last'), ln('t', 'n'),
          h.make_node('Mul', ['n', 'c'], ['s'], name='mul'), tr('s', 'y', to_first, 'to_first')],
         x, y, ln_consts + [const('c', w(5, 1))], opset=17)
    save('channels-first/no_inverse', [tr('x', 't', to_last, 'to_last'), ln('t', 'y')],
         x, [vi('y', [2, 3, 5, 4])], ln_consts, opset=17)
    save('channels-first/transpose_two_readers',
         [tr('x', 't', to_last, 'to_last'), ln('t', 'n'), tr('n', 'y', to_first, 'to_first'),
          h.make_node('Relu', ['t'], ['z'], name='relu')],
         x, y + [vi('z', [2, 3, 5, 4])], ln_consts, opset=17)


def fold_channel_scale():
    """Linear / Conv (no activation) * per-output-channel constant -> scaled weights; not with
    an activation, a second reader, or a scale varying along another axis."""
    lin = [h.make_node('MatMul', ['x', 'w'], ['m'], name='mm'),
           h.make_node('Add', ['m', 'b'], ['l'], name='bias'),
           h.make_node('Mul', ['g', 'l'], ['y'], name='scale')]
    lin_consts = [const('w', w(4, 5)), const('b', w(5)), const('g', w(5))]
    save('fold-channel-scale/linear', lin, [vi('x', [2, 3, 4])], [vi('y', [2, 3, 5])],
         lin_consts)
    save('fold-channel-scale/linear_two_readers',
         lin + [h.make_node('Relu', ['l'], ['z'], name='relu')], [vi('x', [2, 3, 4])],
         [vi('y', [2, 3, 5]), vi('z', [2, 3, 5])], lin_consts)
    save('fold-channel-scale/linear_other_axis', lin, [vi('x', [2, 3, 4])],
         [vi('y', [2, 3, 5])], lin_consts[:2] + [const('g', w(3, 1))])
    save('fold-channel-scale/linear_relu',
         lin[:2] + [h.make_node('Relu', ['l'], ['r'], name='relu'),
                    h.make_node('Mul', ['r', 'g'], ['y'], name='scale')],
         [vi('x', [2, 3, 4])], [vi('y', [2, 3, 5])], lin_consts)
    save('fold-channel-scale/conv',
         [h.make_node('Conv', ['x', 'cw', 'cb'], ['c'], name='conv'),
          h.make_node('Mul', ['c', 'g'], ['y'], name='scale')],
         [vi('x', [1, 2, 4, 4])], [vi('y', [1, 3, 4, 4])],
         [const('cw', w(3, 2, 1, 1)), const('cb', w(3)), const('g', w(3, 1, 1))])
    save('fold-channel-scale/conv_last_axis',
         [h.make_node('Conv', ['x', 'cw', 'cb'], ['c'], name='conv'),
          h.make_node('Mul', ['c', 'g'], ['y'], name='scale')],
         [vi('x', [1, 2, 3, 3])], [vi('y', [1, 3, 3, 3])],
         [const('cw', w(3, 2, 1, 1)), const('cb', w(3)), const('g', w(3))])


def save_prepack_pair(name, nodes, x, weights, outputs, inits=()):
    """prepack/NAME.onnx with `weights` (name -> array) as initializers, NAME_fed.onnx with
    them as graph inputs after x, and their values as NAME_fed/<weight>.pb."""
    wvis = [vi(k, list(a.shape)) for k, a in weights.items()]
    save('../models/prepack/' + name, nodes, [x], outputs,
         list(inits) + [const(k, a) for k, a in weights.items()])
    save('../models/prepack/%s_fed' % name, nodes, [x] + wvis, outputs, inits)
    folder = os.path.join(HERE, '..', 'models', 'prepack', name + '_fed')
    os.makedirs(folder, exist_ok=True)
    for k, a in weights.items():
        with open(os.path.join(folder, k + '.pb'), 'wb') as f:
            f.write(const(k, a).SerializeToString())


def prepack_models():
    """For tests/models/check_prepacked.py (not golden tests): Convs whose weights are
    initializers (fastc stores them prepacked) and the same graph with the weights fed at run
    time. Every Conv mode: Winograd F(4x4, 3x3) (12x12 planes, with and without the pooling
    epilogue) and F(2x2, 3x3) (6x6), im2col (strided,
    grouped, 5x5), pointwise, depthwise on a small plane (a Toeplitz matrix per channel), few output
    positions (W^T as a GEMM B operand); and one weight read by two Convs of different modes
    (which must stay unpacked)."""
    x = vi('x', [2, 8, 12, 12])
    save_prepack_pair('modes', [
        h.make_node('Conv', ['x', 'w1', 'b1'], ['y1'], name='winograd', pads=[1, 1, 1, 1]),
        h.make_node('Conv', ['x', 'w2'], ['c2'], name='winograd_pool', pads=[1, 1, 1, 1]),
        h.make_node('Relu', ['c2'], ['r2'], name='relu'),
        h.make_node('MaxPool', ['r2'], ['y2'], name='pool', kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node('Conv', ['x', 'w3', 'b3'], ['y3'], name='grouped_strided', group=2,
                    strides=[2, 2], pads=[1, 0, 1, 2]),
        h.make_node('Conv', ['x', 'w4'], ['y4'], name='pointwise'),
        h.make_node('Conv', ['x', 'w5', 'b5'], ['y5'], name='im2col_5x5', pads=[2, 2, 2, 2]),
        h.make_node('Conv', ['y2', 'w6', 'b6'], ['y6'], name='depthwise_small_plane',
                    group=8),
        h.make_node('Conv', ['y2', 'w7', 'b7'], ['y7'], name='few_positions', strides=[3, 3]),
        h.make_node('Conv', ['y2', 'w8'], ['y8'], name='winograd_2x2', pads=[1, 1, 1, 1])],
        x, {'w1': w(30, 8, 3, 3), 'w2': w(8, 8, 3, 3), 'w3': w(6, 4, 3, 3), 'w4': w(5, 8, 1, 1),
            'w5': w(26, 8, 5, 5), 'w6': w(16, 1, 3, 3), 'w7': w(40, 8, 3, 3),
            'w8': w(12, 8, 3, 3)},
        [vi('y1', [2, 30, 12, 12]), vi('y2', [2, 8, 6, 6]), vi('y3', [2, 6, 6, 7]),
         vi('y4', [2, 5, 12, 12]), vi('y5', [2, 26, 12, 12]), vi('y6', [2, 16, 4, 4]),
         vi('y7', [2, 40, 2, 2]), vi('y8', [2, 12, 6, 6])],
        [const('b1', w(30)), const('b3', w(6)), const('b5', w(26)), const('b6', w(16)),
         const('b7', w(40))])
    save_prepack_pair('shared_weight', [
        h.make_node('Conv', ['x', 'w'], ['y1'], name='winograd', pads=[1, 1, 1, 1]),
        h.make_node('Conv', ['x', 'w'], ['y2'], name='strided', strides=[2, 2],
                    pads=[1, 1, 1, 1])],
        x, {'w': w(8, 8, 3, 3)}, [vi('y1', [2, 8, 12, 12]), vi('y2', [2, 8, 6, 6])])

if __name__ == '__main__':
    for f in (div_to_mul, drop_dropout, fuse_bias, merge_linears, recognize_gelu,
              recognize_layernorm, cse, fold_constants, fold_batchnorm, dce, elementwise_fusion,
              recognize_softmax, elementwise_fusion_rank, conv_epilogue,
              gemm_to_linear, fold_matmul_transpose,
              fuse_residual, fold_linear_transpose, conv_pool, conv_pool_gemm, channels_first, fold_channel_scale, prepack_models):
        f()
