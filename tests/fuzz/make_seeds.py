#!/usr/bin/env python3
"""Writes a fuzz target's seed corpus and dictionary (stdlib only; docs/fuzzing.md).

  make_seeds.py onnx|tensor_pb OUT_DIR [--shared DIR]

onnx: every model of tests/bad and tests/passes, the ONNX backend node-test models of the
core lists under 16 KiB and the mnist-8 layer cuts under 16 KiB, plus OUT_DIR/../onnx.dict
(op names from ir/ops.def, attribute names and values).
tensor_pb: for each input kind of fuzz_tensor_pb.c (first byte: which input and .pb/.bin) a
valid raw_data .pb, a valid typed-field .pb and a valid .bin, and 300 small input .pb files of
the node tests behind a varying first byte."""
import glob
import os
import random
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MAX_SEED = 16384

# Mirrors `inputs` in fuzz_tensor_pb.c: (dtype, dims, struct format of one element).
TENSOR_INPUTS = [(1, [1, 1, 4, 4], 'f'), (7, [2, 3], 'q'), (9, [5], 'B'), (11, [], 'd'),
                 (6, [3, 0], 'i'), (10, [3], 'H'), (2, [2, 2, 2], 'B'), (13, [2], 'Q')]
TYPED_FIELD = {1: 4, 11: 10, 7: 7, 12: 11, 13: 11}  # dtype -> field; others: int32_data (5)

ATTRS = ('axis axes perm auto_pad pads strides kernel_shape dilations group value value_float '
         'value_int value_ints value_floats then_branch else_branch keepdims to mode alpha beta '
         'transA transB epsilon ceil_mode count_include_pad coordinate_transformation_mode '
         'nearest_mode exclude_outside extrapolation_value cubic_coeff_a largest sorted '
         'exclusive reverse equation batch_dims allowzero noop_with_empty_axes '
         'select_last_index storage_order output_padding output_shape split num_outputs '
         'location offset length SAME_UPPER SAME_LOWER VALID NOTSET linear nearest cubic '
         'asymmetric align_corners half_pixel ai.onnx').split()


def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def copy_small(paths, out, prefix):
    n = 0
    for p in paths:
        if os.path.getsize(p) <= MAX_SEED:
            rel = os.path.relpath(p, os.path.dirname(os.path.dirname(p)))
            shutil.copy(p, os.path.join(out, prefix + re.sub(r'[^A-Za-z0-9_.-]', '_', rel)))
            n += 1
    return n


def onnx_seeds(out, shared):
    n = copy_small(sorted(glob.glob(os.path.join(REPO, 'tests', 'bad', '*.onnx'))), out, 'bad_')
    n += copy_small(sorted(glob.glob(os.path.join(REPO, 'tests', 'passes', '*', '*.onnx'))), out,
                    'pass_')
    names = []
    for lst in ('core-f32.txt', 'core-f32-other.txt'):
        path = os.path.join(shared, 'onnx-tests', lst)
        if os.path.exists(path):
            names += open(path).read().split()
    n += copy_small([p for p in (os.path.join(shared, 'onnx-tests', 'node', t, 'model.onnx')
                                 for t in names) if os.path.exists(p)], out, 'node_')
    n += copy_small(sorted(glob.glob(os.path.join(shared, 'real-models', 'mnist-8-layers', '*',
                                                  'model.onnx'))), out, 'layer_')
    ops = re.findall(r'^OP\(\w+,\s*"(\w+)"', open(os.path.join(REPO, 'ir', 'ops.def')).read(),
                     re.M)
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), 'onnx.dict'), 'w') as f:
        for word in sorted(set(ops)) + ATTRS:
            f.write('"%s"\n' % word)
    return n


def tensor_seeds(out, shared):
    n = 0
    for k, (dtype, dims, fmt) in enumerate(TENSOR_INPUTS):
        count = 1
        for d in dims:
            count *= d
        vals = [i % 3 for i in range(count)]
        head = (field(1, 2, b''.join(varint(d) for d in dims)) if dims else b'') + \
            field(2, 0, varint(dtype))
        raw = struct.pack('<%d%s' % (count, fmt), *vals)
        typed = TYPED_FIELD.get(dtype, 5)
        payload = raw if typed in (4, 10) else b''.join(varint(v) for v in vals)
        seeds = {'raw_%d.pb' % k: bytes([k]) + head + field(9, 2, raw),
                 'typed_%d.pb' % k: bytes([k]) + head + field(typed, 2, payload),
                 'raw_%d.bin' % k: bytes([k + len(TENSOR_INPUTS)]) + raw}
        for name, data in seeds.items():
            with open(os.path.join(out, name), 'wb') as f:
                f.write(data)
            n += 1
    files = sorted(glob.glob(os.path.join(shared, 'onnx-tests', 'node', '*', 'test_data_set_0',
                                          '*.pb')))
    files = [p for p in files if os.path.getsize(p) < 2000]
    rng = random.Random(1)
    rng.shuffle(files)
    for i, p in enumerate(files[:300]):
        with open(p, 'rb') as src, open(os.path.join(out, 'node_%d.pb' % i), 'wb') as f:
            f.write(bytes([rng.randrange(2 * len(TENSOR_INPUTS))]) + src.read())
        n += 1
    return n


def main():
    target, out = sys.argv[1], sys.argv[2]
    shared = os.path.join(os.path.dirname(REPO), 'shared')
    if '--shared' in sys.argv:
        shared = sys.argv[sys.argv.index('--shared') + 1]
    os.makedirs(out, exist_ok=True)
    n = (onnx_seeds if target == 'onnx' else tensor_seeds)(out, shared)
    print('%d seeds in %s' % (n, out))


if __name__ == '__main__':
    main()
