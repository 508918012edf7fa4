#!/usr/bin/env python3
"""Writes a deep-chain ONNX model for the size limits check (stdlib only; docs/fuzzing.md).

  make_chain.py OUT.onnx [N] [--reverse | --nested-if | --twins | --softmax | --wide]

N nodes (default 20000) alternate Relu and Add: v1 = Relu(x), v2 = Add(v1, x), v3 = Relu(v2), ...
on a float32 [1,16] input x; the output is the last value. --reverse lists the nodes in
reverse order (ONNX wants them sorted; fastc sorts them), the importer's worst case.
--twins computes every step twice: a = Relu(v), b = Relu(v), v' = Add(a, b) (N nodes, a
third of them duplicates that common-subexpression elimination removes: its worst case).
--softmax chains N Softmax nodes (no result can take its input's bytes, so the memory planner
places N intervals). --wide computes N/2 Relu/Neg of x, all alive at once, then adds them up
pairwise (the memory planner's worst case).
--nested-if instead nests N If nodes, each in the then-branch of the one above (the else
branches are a single Relu), on a bool input c: the recursion depth test."""
import sys


def varint(v):
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def msg(num, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def num(num_, v):
    return varint(num_ << 3) + varint(v)


def value_info(name, dims):
    shape = b''.join(msg(1, num(1, d)) for d in dims)
    tensor_type = num(1, 1) + msg(2, shape)
    return msg(1, name) + msg(2, msg(1, tensor_type))


def node(op, inputs, output, name):
    return b''.join(msg(1, i) for i in inputs) + msg(2, output) + msg(3, name) + msg(4, op)


def chain(n, reverse=False):
    nodes = []
    for i in range(n):
        prev = 'x' if i == 0 else 'v%d' % i
        if i % 2 == 0:
            nodes.append(node('Relu', [prev], 'v%d' % (i + 1), 'relu%d' % i))
        else:
            nodes.append(node('Add', [prev, 'x'], 'v%d' % (i + 1), 'add%d' % i))
    if reverse:
        nodes.reverse()
    graph = (b''.join(msg(1, nd) for nd in nodes) + msg(2, 'chain') +
             msg(11, value_info('x', [1, 16])) + msg(12, value_info('v%d' % n, [1, 16])))
    return num(1, 8) + msg(8, msg(1, '') + num(2, 13)) + msg(7, graph)


def graph_attr(name, graph):
    return msg(1, name) + num(20, 5) + msg(6, graph)  # AttributeProto: name, type GRAPH, g


def twins(n):
    nodes, prev, i = [], 'x', 0
    while len(nodes) + 3 <= n:
        a, b, v = 'a%d' % i, 'b%d' % i, 'v%d' % (i + 1)
        nodes += [node('Relu', [prev], a, 'relu_a%d' % i), node('Relu', [prev], b, 'relu_b%d' % i),
                  node('Add', [a, b], v, 'add%d' % i)]
        prev, i = v, i + 1
    graph = (b''.join(msg(1, nd) for nd in nodes) + msg(2, 'twins') +
             msg(11, value_info('x', [1, 16])) + msg(12, value_info(prev, [1, 16])))
    return num(1, 8) + msg(8, msg(1, '') + num(2, 13)) + msg(7, graph)


def model(name, nodes, out):
    graph = (b''.join(msg(1, nd) for nd in nodes) + msg(2, name) +
             msg(11, value_info('x', [1, 16])) + msg(12, value_info(out, [1, 16])))
    return num(1, 8) + msg(8, msg(1, '') + num(2, 13)) + msg(7, graph)


def softmax_chain(n):
    nodes = [node('Softmax', ['x' if i == 0 else 'v%d' % i], 'v%d' % (i + 1), 'softmax%d' % i)
             for i in range(n)]
    return model('softmax_chain', nodes, 'v%d' % n)


def wide(n):
    leaves = n // 2 + 1
    nodes = [node('Neg' if i % 2 else 'Relu', ['x'], 'r%d' % i, 'leaf%d' % i)
             for i in range(leaves)]
    vals, k = ['r%d' % i for i in range(leaves)], 0
    while len(vals) > 1:
        pairs = []
        for j in range(0, len(vals) - 1, 2):
            nodes.append(node('Add', [vals[j], vals[j + 1]], 's%d' % k, 'add%d' % k))
            pairs.append('s%d' % k)
            k += 1
        vals = pairs + vals[len(vals) - len(vals) % 2:]
    return model('wide', nodes, vals[0])


def nested_if(depth):
    def relu_graph(out):
        return msg(1, node('Relu', ['x'], out, 'relu_' + out)) + msg(2, 'g') + \
            msg(12, value_info(out, [1, 16]))

    graph = relu_graph('t%d' % depth)
    for d in range(depth - 1, -1, -1):
        if_node = (msg(1, 'c') + msg(2, 't%d' % d) + msg(3, 'if%d' % d) + msg(4, 'If') +
                   msg(5, graph_attr('then_branch', graph)) +
                   msg(5, graph_attr('else_branch', relu_graph('e%d' % d))))
        graph = msg(1, if_node) + msg(2, 'g%d' % d) + msg(12, value_info('t%d' % d, [1, 16]))
    bool_scalar = msg(1, 'c') + msg(2, msg(1, num(1, 9) + msg(2, b'')))
    graph += msg(11, bool_scalar) + msg(11, value_info('x', [1, 16]))
    return num(1, 8) + msg(8, msg(1, '') + num(2, 13)) + msg(7, graph)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    n = int(args[1]) if len(args) > 1 else 20000
    with open(args[0], 'wb') as f:
        if '--nested-if' in sys.argv:
            f.write(nested_if(n))
        elif '--softmax' in sys.argv:
            f.write(softmax_chain(n))
        elif '--wide' in sys.argv:
            f.write(wide(n))
        elif '--twins' in sys.argv:
            f.write(twins(n))
        else:
            f.write(chain(n, '--reverse' in sys.argv))


if __name__ == '__main__':
    main()
