#!/usr/bin/env python3
"""Fits the table behind runtime/k_vmath.c's AVX-512 GELU (fc_vm_gelu_tab).

Phi(-a), the standard normal's upper tail, on 0 <= a < (N - 1/2) w with w = LIMIT / (N - 1/2):
interval i is centred on i w and holds a degree-D polynomial in t = a - i w, the interpolant at
D + 1 Chebyshev nodes of [-w/2, w/2] (within a small factor of the minimax polynomial),
computed in 40-digit arithmetic and rounded to float. Prints the C table, coefficient of t^k
in row k. Needs mpmath (Debian: python3-mpmath); not used by the build or the tests, which
check the table's error bounds against libm instead.

usage: tools/fit_gelu_table.py [N=16] [D=5] [LIMIT=6]
"""
import sys

import mpmath as mp


def main():
    mp.mp.dps = 40
    n_int = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    deg = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    limit = mp.mpf(sys.argv[3]) if len(sys.argv) > 3 else mp.mpf(6)
    w = limit / (n_int - mp.mpf(0.5))
    h = w / 2
    coef = [[0] * n_int for _ in range(deg + 1)]
    for i in range(n_int):
        nodes = [h * mp.cos(mp.pi * (2 * k + 1) / (2 * (deg + 1))) for k in range(deg + 1)]
        a = mp.matrix(deg + 1, deg + 1)
        b = mp.matrix(deg + 1, 1)
        for r, t in enumerate(nodes):
            for j in range(deg + 1):
                a[r, j] = t ** j
            b[r] = mp.erfc((i * w + t) / mp.sqrt(2)) / 2
        x = mp.lu_solve(a, b)
        for j in range(deg + 1):
            coef[j][i] = x[j]
    print("/* w = %.9g, cut at %.9g */" % (float(w), float(limit)))
    print("static const float fc_vm_gelu_tab[%d][%d] = {" % (deg + 1, n_int))
    for row in coef:
        vals = ["%.9ef" % (float(v) if abs(v) > 1e-30 else 0.0) for v in row]
        print("    {")
        for k in range(0, n_int, 4):
            print("     " + ", ".join(vals[k:k + 4]) + ",")
        print("    },")
    print("};")


if __name__ == "__main__":
    main()
