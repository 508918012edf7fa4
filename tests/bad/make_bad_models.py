#!/usr/bin/python3
"""Writes the broken-model corpus in tests/bad/ (dev-time tool; needs Debian's python3-onnx).

Each case is a small model that is wrong in exactly one way; tests/bad/expected.tsv lists the
message fastc must print for it. The .onnx files are committed, so tests never need onnx."""
import os
import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, model, check=False):
    if check:
        onnx.checker.check_model(model)
    with open(os.path.join(HERE, name + '.onnx'), 'wb') as f:
        f.write(model.SerializeToString())


def vi(name, dims, dt=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dt, dims)


def model(nodes, inputs, outputs, inits=(), opset=13, domain_opsets=()):
    g = helper.make_graph(nodes, 'g', inputs, outputs, initializer=list(inits))
    ops = [helper.make_opsetid('', opset)] + [helper.make_opsetid(d, v) for d, v in domain_opsets]
    return helper.make_model(g, opset_imports=ops, producer_name='fastc-tests')


def relu_model():
    return model([helper.make_node('Relu', ['x'], ['y'], name='relu1')], [vi('x', [2, 3])],
                 [vi('y', [2, 3])])


def main():
    good = relu_model()
    save('good_relu', good, check=True)
    data = good.SerializeToString()
    with open(os.path.join(HERE, 'truncated.onnx'), 'wb') as f:
        f.write(data[:len(data) // 2])
    with open(os.path.join(HERE, 'not_protobuf.onnx'), 'wb') as f:
        f.write(b'\xff\xff\xff\xff this is not a protobuf message \x00\x01')
    save('empty_graph', model([], [], []))
    w = numpy_helper.from_array(np.ones((2, 3), np.float32), 'w')
    w.raw_data = w.raw_data[:-4]
    save('raw_data_size', model([helper.make_node('Add', ['x', 'w'], ['y'], name='add1')],
                                [vi('x', [2, 3])], [vi('y', [2, 3])], [w]))
    neg = helper.make_tensor('w', TensorProto.FLOAT, [2, 3], [0.0] * 6)
    neg.dims[0] = -2
    save('negative_dims', model([helper.make_node('Add', ['x', 'w'], ['y'], name='add1')],
                                [vi('x', [2, 3])], [vi('y', [2, 3])], [neg]))
    huge = helper.make_tensor('w', TensorProto.FLOAT, [2, 3], [0.0] * 6)
    huge.dims[:] = [1 << 40, 1 << 40]
    save('huge_dims', model([helper.make_node('Add', ['x', 'w'], ['y'], name='add1')],
                            [vi('x', [2, 3])], [vi('y', [2, 3])], [huge]))
    save('cycle', model([helper.make_node('Add', ['x', 'b'], ['a'], name='n1'),
                         helper.make_node('Relu', ['a'], ['b'], name='n2')],
                        [vi('x', [2, 3])], [vi('a', [2, 3])]))
    save('undefined_input', model([helper.make_node('Add', ['x', 'nowhere'], ['y'], name='add1')],
                                  [vi('x', [2, 3])], [vi('y', [2, 3])]))
    save('duplicate_output', model([helper.make_node('Relu', ['x'], ['y'], name='n1'),
                                    helper.make_node('Neg', ['x'], ['y'], name='n2')],
                                   [vi('x', [2, 3])], [vi('y', [2, 3])]))
    save('unknown_op', model([helper.make_node('FrobnicateTensor', ['x'], ['y'], name='frob1')],
                             [vi('x', [2, 3])], [vi('y', [2, 3])]))
    save('unknown_domain', model([helper.make_node('Relu', ['x'], ['y'], name='relu1',
                                                   domain='com.example')],
                                 [vi('x', [2, 3])], [vi('y', [2, 3])],
                                 domain_opsets=[('com.example', 1)]))
    save('missing_attribute', model([helper.make_node('Cast', ['x'], ['y'], name='cast1')],
                                     [vi('x', [2, 3])], [vi('y', [2, 3])]))
    save('wrong_attribute_type', model([helper.make_node('Transpose', ['x'], ['y'], name='t1',
                                                         perm=1.5)],
                                       [vi('x', [2, 3])], [vi('y', [3, 2])]))
    save('opset_too_new', model([helper.make_node('Relu', ['x'], ['y'], name='relu1')],
                                [vi('x', [2, 3])], [vi('y', [2, 3])], opset=99))
    save('bad_auto_pad', model([helper.make_node('Conv', ['x', 'w'], ['y'], name='conv1',
                                                 auto_pad='FOO')],
                               [vi('x', [1, 1, 4, 4])], [vi('y', [1, 1, 4, 4])],
                               [numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), 'w')]))
    for case, loc in (('external_missing', 'weights.bin'), ('external_escape', '../../etc/passwd')):
        ext = helper.make_tensor('w', TensorProto.FLOAT, [2, 3], [0.0] * 6)
        ext.ClearField('float_data')
        ext.data_location = TensorProto.EXTERNAL
        for k, v in (('location', loc), ('offset', '0'), ('length', '24')):
            e = ext.external_data.add()
            e.key, e.value = k, v
        save(case, model([helper.make_node('Add', ['x', 'w'], ['y'], name='add1')],
                         [vi('x', [2, 3])], [vi('y', [2, 3])], [ext]))
    then_g = helper.make_graph([helper.make_node('Relu', ['x'], ['t'], name='tr')], 'then', [],
                               [vi('t', [2, 3])])
    else_g = helper.make_graph([helper.make_node('ReduceSum', ['x'], ['e'], name='er',
                                                 keepdims=0)], 'else', [], [vi('e', [])])
    save('if_mismatch', model([helper.make_node('If', ['c'], ['y'], name='if1',
                                                then_branch=then_g, else_branch=else_g)],
                              [vi('c', [], TensorProto.BOOL), vi('x', [2, 3])], [vi('y', None)]))
    shp = numpy_helper.from_array(np.array([4, 4], np.int64), 'shape')
    save('shape_contradicts_data', model([helper.make_node('Reshape', ['x', 'shape'], ['y'],
                                                           name='reshape1')],
                                         [vi('x', [2, 3])], [vi('y', [4, 4])], [shp]))
    save('symbolic_dim', model([helper.make_node('Relu', ['x'], ['y'], name='relu1')],
                               [vi('x', ['batch', 3])], [vi('y', ['batch', 3])]))
    save('broadcast_mismatch', model([helper.make_node('Add', ['x', 'z'], ['y'], name='add1')],
                                     [vi('x', [2, 3]), vi('z', [4])], [vi('y', [2, 3])]))

    # Hostile-input cases found by fuzzing (tests/fuzz, docs/fuzzing.md).
    def relu_graph():
        return helper.make_graph([helper.make_node('Relu', ['x'], ['t'], name='r')], 'g', [],
                                 [vi('t', [2, 3])])
    deep = relu_graph()
    for d in range(40):  # protobuf-c would recurse until the stack overflows
        deep = helper.make_graph([helper.make_node('If', ['c'], ['t'], name='if%d' % d,
                                                   then_branch=deep, else_branch=relu_graph())],
                                 'g%d' % d, [], [vi('t', [2, 3])])
    save('nested_too_deep', model(list(deep.node), [vi('c', [], TensorProto.BOOL),
                                                    vi('x', [2, 3])], [vi('t', [2, 3])]))
    save('empty_required_input', model([helper.make_node('Resize', ['', '', 'scales'], ['y'],
                                                         name='resize1')],
                                       [vi('x', [1, 1, 2, 2])], [vi('y', [1, 1, 4, 4])],
                                       [numpy_helper.from_array(np.array([1, 1, 2, 2],
                                                                         np.float32), 'scales')]))
    save('empty_variadic_input', model([helper.make_node('Concat', ['x', ''], ['y'],
                                                         name='concat1', axis=0)],
                                       [vi('x', [2, 3])], [vi('y', [2, 3])]))
    nodata = helper.make_tensor('w', TensorProto.FLOAT, [2, 3], [0.0] * 6)
    nodata.ClearField('float_data')
    nodata.dims[:] = [1 << 19, 1 << 19]  # 1 TiB announced, no bytes given
    nodata.raw_data = b''
    save('huge_dims_no_data', model([helper.make_node('Add', ['x', 'w'], ['y'], name='add1')],
                                    [vi('x', [2, 3])], [vi('y', [2, 3])], [nodata]))
    big = numpy_helper.from_array(np.array([1 << 30, 1 << 30, 1 << 30], np.int64), 'shape')
    save('reshape_overflow', model([helper.make_node('Reshape', ['x', 'shape'], ['y'],
                                                     name='reshape1')],
                                   [vi('x', [2, 3])], [vi('y', None)], [big]))

    quant_cases()
    rnn_cases()


def quant_cases():
    """QuantizeLinear / DequantizeLinear models wrong in one way each (ir/op_quant.c)."""
    u8 = TensorProto.UINT8
    scale3 = numpy_helper.from_array(np.array([0.5, 0.25], np.float32).reshape(1, 2), 's')
    # blocked: x [1, 6] with block_size 2 needs a scale [1, 3]
    save('quant_block_size', model([helper.make_node('DequantizeLinear', ['x', 's'], ['y'],
                                                     name='dq1', axis=1, block_size=2)],
                                   [vi('x', [1, 6], u8)], [vi('y', [1, 6])], [scale3], opset=21))
    s1 = numpy_helper.from_array(np.array(0.5, np.float32), 's')
    zp_i8 = numpy_helper.from_array(np.array(3, np.int8), 'zp')
    save('quant_zero_point_type', model([helper.make_node('DequantizeLinear', ['x', 's', 'zp'],
                                                          ['y'], name='dq1')],
                                        [vi('x', [2, 3], u8)], [vi('y', [2, 3])], [s1, zp_i8]))
    s2 = numpy_helper.from_array(np.array([0.5, 0.25], np.float32), 's')
    save('quant_axis', model([helper.make_node('QuantizeLinear', ['x', 's'], ['y'], name='q1',
                                               axis=5)],
                             [vi('x', [2, 2])], [vi('y', [2, 2], u8)], [s2]))
    # int4 (ONNX type 22) is not a type fastc computes with: at import, and as output_dtype
    save('quant_int4_input', model([helper.make_node('DequantizeLinear', ['x', 's'], ['y'],
                                                     name='dq1')],
                                   [vi('x', [4], 22)], [vi('y', [4])], [s1], opset=21))
    save('quant_int4_output', model([helper.make_node('QuantizeLinear', ['x', 's'], ['y'],
                                                      name='q1', output_dtype=22)],
                                    [vi('x', [4])], [vi('y', [4], 22)], [s1], opset=21))


def rnn_cases():
    """Recurrent layers (ir/op_rnn.c): attributes that contradict the weights or the spec."""
    def rnn_case(op, gates, hidden, attrs, w_rows=None):
        w = numpy_helper.from_array(np.ones((1, w_rows or gates * hidden, 2), np.float32), 'w')
        r = numpy_helper.from_array(np.ones((1, gates * hidden, hidden), np.float32), 'r')
        return model([helper.make_node(op, ['x', 'w', 'r'], ['', 'h'], name=op.lower() + '1',
                                       hidden_size=hidden, **attrs)],
                     [vi('x', [3, 1, 2])], [vi('h', [1, 1, hidden])], [w, r], opset=14)
    save('rnn_bad_direction', rnn_case('RNN', 1, 4, {'direction': 'sideways'}))
    save('lstm_hidden_mismatch', rnn_case('LSTM', 4, 3, {}, w_rows=20))
    save('gru_bad_activation', rnn_case('GRU', 3, 4, {'activations': ['Sigmoid', 'Swish']}))
    save('gru_activation_count', rnn_case('GRU', 3, 4, {'activations': ['Tanh']}))


if __name__ == '__main__':
    main()
