#!/usr/bin/python3
"""Writes the small ONNX models of the batch-split tests (dev-time tool; needs Debian's
python3-onnx; seeded). Each is one case of tests/batch_split/run.py: graphs whose ops are all
independent along the batch (fastc --threads=2 must split them and compute what the unsplit
program computes) and graphs with one op that mixes the batch's rows (it must not split them,
and must say which node stops it). The .onnx files are committed: the tests never need onnx."""
import os
import sys
import numpy as np
import onnx
from onnx import TensorProto as T, helper as h

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'passes'))
from make_models import vi, const  # noqa: E402  (the golden pass tests' helpers)

rng = np.random.default_rng(7)


def w(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = h.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)], producer_name='fastc-tests')
    m.ir_version = 8
    onnx.checker.check_model(m)
    with open(os.path.join(HERE, name + '.onnx'), 'wb') as f:
        f.write(m.SerializeToString())


def n(op, ins, outs, name, **attrs):
    return h.make_node(op, ins, outs, name=name, **attrs)


def separable():
    # CNN: Conv, BatchNorm, ReLU, MaxPool, a Reshape spelling the batch out (4 -> 2 per
    # instance), Gemm with a row-broadcast bias, Softmax over the classes.
    save('cnn', [n('Conv', ['x', 'cw', 'cb'], ['c'], 'conv', pads=[1, 1, 1, 1]),
                 n('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['bn'], 'bn'),
                 n('Relu', ['bn'], ['r'], 'relu'),
                 n('MaxPool', ['r'], ['p'], 'pool', kernel_shape=[2, 2], strides=[2, 2]),
                 n('Reshape', ['p', 'shape'], ['f'], 'flatten'),
                 n('Gemm', ['f', 'gw', 'gb'], ['g'], 'fc', transB=1),
                 n('Softmax', ['g'], ['y'], 'softmax', axis=1)],
         [vi('x', [4, 3, 8, 8])], [vi('y', [4, 10])],
         [const('cw', w(6, 3, 3, 3)), const('cb', w(6)), const('s', w(6)),
          const('b', w(6)), const('m', w(6)), const('v', np.abs(w(6)) + 0.5),
          const('shape', np.array([4, 96], np.int64)), const('gw', w(10, 96)),
          const('gb', w(1, 10))])
    # Attention-like: both operands of a batched MatMul carry the batch; LayerNorm over the
    # features; a per-feature constant broadcast; a residual Add.
    save('attention', [n('MatMul', ['x', 'wq'], ['q'], 'q'),
                       n('Transpose', ['x'], ['xt'], 'kt', perm=[0, 1, 3, 2]),
                       n('MatMul', ['q', 'xt'], ['s'], 'scores'),
                       n('Softmax', ['s'], ['a'], 'softmax', axis=-1),
                       n('MatMul', ['a', 'x'], ['o'], 'context'),
                       n('Add', ['o', 'x'], ['res'], 'residual'),
                       n('LayerNormalization', ['res', 'g', 'b'], ['ln'], 'ln', axis=-1),
                       n('Mul', ['ln', 'scale'], ['y'], 'scale')],
         [vi('x', [4, 2, 6, 8])], [vi('y', [4, 2, 6, 8])],
         [const('wq', w(8, 8)), const('g', w(8)), const('b', w(8)), const('scale', w(1, 1, 1, 8))],
         opset=17)
    # Token ids pick rows of a table (Gather axis 0 on a constant), ReduceMean over the
    # sequence, two outputs.
    save('embedding', [n('Gather', ['table', 'ids'], ['e'], 'embed', axis=0),
                       n('ReduceMean', ['e'], ['pooled'], 'pool', axes=[1], keepdims=0),
                       n('Tanh', ['pooled'], ['y'], 'tanh'),
                       n('Concat', ['e', 'e'], ['z'], 'concat', axis=2)],
         [vi('ids', [6, 5], T.INT64)], [vi('y', [6, 16]), vi('z', [6, 5, 32])],
         [const('table', w(20, 16))])
    # A constant with a row per batch row (each instance reads its rows), and BERT's
    # position embeddings as exported: position ids spanning the batch, folded to a constant
    # by fastc, picking rows of a table, added to the token embeddings.
    save('const_per_row', [n('Add', ['x', 'c'], ['y'], 'add')],
         [vi('x', [4, 3])], [vi('y', [4, 3])], [const('c', w(4, 3))])
    save('positions', [n('Gather', ['words', 'ids'], ['we'], 'word_embed', axis=0),
                       n('Gather', ['pos', 'pos_ids'], ['pe'], 'pos_embed', axis=0),
                       n('Add', ['we', 'pe'], ['e'], 'add'),
                       n('LayerNormalization', ['e', 'g', 'b'], ['y'], 'ln', axis=-1)],
         [vi('ids', [4, 5], T.INT64)], [vi('y', [4, 5, 8])],
         [const('words', w(30, 8)), const('pos', w(5, 8)),
          const('pos_ids', np.tile(np.arange(5, dtype=np.int64), (4, 1))),
          const('g', w(8)), const('b', w(8))], opset=17)
    # Ops that move data along other axes than the batch: Slice of channels, Pad, Resize,
    # Tile, Expand of a per-row vector, CumSum and TopK along features.
    save('reshuffles', [n('Slice', ['x', 'st', 'en', 'ax'], ['s'], 'slice'),
                        n('Pad', ['s', 'pads'], ['p'], 'pad'),
                        n('Resize', ['p', '', 'scales'], ['r'], 'resize', mode='nearest'),
                        n('Tile', ['r', 'reps'], ['y'], 'tile')],
         [vi('x', [4, 3, 4, 4])], [vi('y', [4, 4, 12, 12])],
         [const('st', np.array([1], np.int64)), const('en', np.array([3], np.int64)),
          const('ax', np.array([1], np.int64)),
          const('pads', np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
          const('scales', np.array([1, 1, 2, 2], np.float32)),
          const('reps', np.array([1, 2, 1, 1], np.int64))])
    save('rows', [n('Expand', ['x', 'shape'], ['e'], 'expand'),
                  n('CumSum', ['e', 'axis'], ['c'], 'cumsum'),
                  n('TopK', ['c', 'k'], ['v', 'i'], 'topk', axis=-1)],
         [vi('x', [4, 1, 6])], [vi('v', [4, 3, 2]), vi('i', [4, 3, 2], T.INT64)],
         [const('shape', np.array([4, 3, 6], np.int64)), const('axis', np.array(2, np.int64)),
          const('k', np.array([2], np.int64))])
    # A Reshape that folds pairs of batch rows into one row ([4, 6] -> [2, 12]): slice t of
    # the input is still slice t of the output, so Softmax over the 12 values stays within it.
    save('fold_rows', [n('Reshape', ['x', 'shape'], ['r'], 'pairs'),
                       n('Softmax', ['r'], ['y'], 'softmax', axis=1)],
         [vi('x', [4, 6])], [vi('y', [2, 12])],
         [const('shape', np.array([2, 12], np.int64))])


def mixing():
    # each graph has one op that mixes batch rows; the value is the reason fastc gives
    save('reduce_batch', [n('ReduceMean', ['x'], ['m'], 'batch_mean', axes=[0], keepdims=1),
                          n('Sub', ['x', 'm'], ['y'], 'center')],
         [vi('x', [4, 3])], [vi('y', [4, 3])])
    save('softmax_batch', [n('Softmax', ['x'], ['y'], 'softmax', axis=0)],
         [vi('x', [4, 3])], [vi('y', [4, 3])])
    save('transpose_batch', [n('Transpose', ['x'], ['t'], 'swap', perm=[1, 0]),
                             n('Relu', ['t'], ['y'], 'relu')],
         [vi('x', [4, 6])], [vi('y', [6, 4])])
    save('concat_batch', [n('Concat', ['x', 'x'], ['y'], 'stack', axis=0)],
         [vi('x', [4, 3])], [vi('y', [8, 3])])
    save('gemm_trans_a', [n('Gemm', ['x', 'wt'], ['y'], 'fc', transA=1)],
         [vi('x', [4, 3])], [vi('y', [3, 5])], [const('wt', w(4, 5))])
    # a constant spanning the batch, read as a weight too: it cannot be both cut and whole
    save('const_also_weight', [n('Add', ['x', 'c'], ['a'], 'add'),
                               n('MatMul', ['a', 'c'], ['y'], 'mm')],
         [vi('x', [4, 4])], [vi('y', [4, 4])], [const('c', w(4, 4))])
    save('pool_indices', [n('MaxPool', ['x'], ['y', 'i'], 'pool', kernel_shape=[2, 2])],
         [vi('x', [4, 2, 4, 4])], [vi('y', [4, 2, 3, 3]), vi('i', [4, 2, 3, 3], T.INT64)])
    save('slice_batch', [n('Slice', ['x', 'st', 'en', 'ax'], ['y'], 'rows_1_3')],
         [vi('x', [4, 3])], [vi('y', [2, 3])],
         [const('st', np.array([1], np.int64)), const('en', np.array([3], np.int64)),
          const('ax', np.array([0], np.int64))])
    save('pad_batch', [n('Pad', ['x', 'pads'], ['y'], 'pad_rows')],
         [vi('x', [4, 3])], [vi('y', [6, 3])],
         [const('pads', np.array([1, 0, 1, 0], np.int64))])
    save('tile_batch', [n('Tile', ['x', 'reps'], ['y'], 'tile_rows')],
         [vi('x', [4, 3])], [vi('y', [8, 3])], [const('reps', np.array([2, 1], np.int64))])
    save('cumsum_batch', [n('CumSum', ['x', 'axis'], ['y'], 'running')],
         [vi('x', [4, 3])], [vi('y', [4, 3])], [const('axis', np.array(0, np.int64))])
    save('topk_batch', [n('TopK', ['x', 'k'], ['v', 'i'], 'best', axis=0)],
         [vi('x', [4, 3])], [vi('v', [2, 3]), vi('i', [2, 3], T.INT64)],
         [const('k', np.array([2], np.int64))])
    save('odd_batch', [n('Relu', ['x'], ['y'], 'relu')], [vi('x', [3, 5])], [vi('y', [3, 5])])


def row_counts():
    # A weight-bound MLP: at 8 rows, 2 instances would get 4 rows each, less than the GEMM's
    # row strip, each streaming all the weights (not split); at 16 rows, 8 each (split).
    wa, wb = const('wa', w(64, 64)), const('wb', w(64, 16))
    for name, rows in (('few_rows', 8), ('enough_rows', 16)):
        save(name, [n('MatMul', ['x', 'wa'], ['a'], 'fc1'), n('Relu', ['a'], ['r'], 'relu'),
                    n('MatMul', ['r', 'wb'], ['y'], 'fc2')],
             [vi('x', [rows, 64])], [vi('y', [rows, 16])], [wa, wb])


if __name__ == '__main__':
    separable()
    mixing()
    row_counts()
