#!/usr/bin/env python3
"""compare_pb.py GOT.pb REF.pb [--atol A] [--rtol R]: compares two ONNX TensorProto files and
prints the max abs diff; exit 1 if any element is out of tolerance (default abs 1e-4 +
rel 1e-3), as the model tests do. Stdlib only."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_pb as pb  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('got')
    ap.add_argument('ref')
    ap.add_argument('--atol', type=float, default=1e-4)
    ap.add_argument('--rtol', type=float, default=1e-3)
    a = ap.parse_args()
    got, ref = pb.read_tensor(a.got), pb.read_tensor(a.ref)
    c = pb.compare(got, ref, a.rtol, a.atol)
    print('%s vs reference %s: max abs diff %.3g -> %s%s' % (
        os.path.basename(a.got), os.path.basename(a.ref), c.max_abs,
        'MATCH' if c.ok else 'MISMATCH', '' if c.ok else ' (%s)' % c.detail))
    return 0 if c.ok else 1


if __name__ == '__main__':
    sys.exit(main())
