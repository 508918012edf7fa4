#!/usr/bin/env python3
"""End-to-end test of `fastc explore` on tests/explore/tiny_mlp (stdlib only): the table is
printed, its numbers are sane (the -O0 reference deviates by 0 and scores top-1 1, exact
passes stay within rounding, GELU -> ReLU deviates visibly, identical C is recognized), a
failing variant is reported in its row without stopping the others, the Markdown, CSV, JSON
and SVG files are written, no build file is left behind, and usage errors exit 2.
usage: test_explore.py FASTC"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
MLP = os.path.join(HERE, 'tiny_mlp')
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('FAIL', what)


def main():
    fastc = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as work:
        tmp, out = os.path.join(work, 'tmp'), os.path.join(work, 'out')
        os.mkdir(tmp)
        cmd = [fastc, 'explore', os.path.join(MLP, 'model.onnx'),
               '--data', os.path.join(MLP, 'test_data_set_0'),
               '--data', os.path.join(MLP, 'test_data_set_1'),
               '--labels', os.path.join(MLP, 'labels.pb'), '--runs', '4', '--rounds', '2',
               '--out', out, '--variants', 'O2,cse,gelu:relu,gelu:tanh,O2+--bogus,silu:hard']
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=500,
                           env=dict(os.environ, TMPDIR=tmp))
        print(p.stderr)
        print(p.stdout)
        check(p.returncode == 0, 'exit status %d' % p.returncode)
        check('| variant | flags | nodes | median ms |' in p.stdout, 'table header on stdout')
        check('explore: [1/7] O0' in p.stderr, 'progress on stderr, with the O0 reference first')
        check(os.listdir(tmp) == [], 'build files cleaned up: %s' % os.listdir(tmp))
        for ext in ('md', 'csv', 'json', 'svg'):
            check(os.path.getsize(os.path.join(out, 'explore.' + ext)) > 100, 'explore.' + ext)
        with open(os.path.join(out, 'explore.json')) as f:
            rep = json.load(f)
        rows = {v['variant']: v for v in rep['variants']}
        check(list(rows) == ['O0', 'O2', 'cse', 'gelu:relu', 'gelu:tanh', 'O2+--bogus',
                             'silu:hard'], 'variants in order: %s' % list(rows))
        o0, o2, relu, tanh = rows['O0'], rows['O2'], rows['gelu:relu'], rows['gelu:tanh']
        check(o0['flags'] == ['-O0'] and o0['note'] == 'reference', 'O0 is the reference')
        check(o0['max_abs_diff'] == 0 and o0['rmse'] == 0 and o0['argmax_agree_pct'] == 100,
              'O0 deviates by nothing')
        check(o0['top1'] == 1 and o0['speedup'] == 1, 'O0 top-1 1 (labels are its classes)')
        check(o0['nodes'] == 9 and o2['nodes'] < o0['nodes'], 'node counts 9 and fewer at -O2')
        for v in (o0, o2, relu, tanh):
            check(v['median_ms'] > 0 and v['min_ms'] <= v['median_ms'] and v['cpu_ms'] >= 0,
                  'latency of ' + v['variant'])
        check(0 <= o2['max_abs_diff'] < 1e-4 and o2['pct_over_tol'] == 0, 'O2 only rounds')
        check(rows['cse']['note'] == 'same C as O0' and rows['cse']['rmse'] == 0,
              'cse alone changes nothing: same C as O0')
        check(relu['max_abs_diff'] > 0.05 and relu['pct_over_tol'] > 50, 'GELU -> ReLU deviates')
        check(0 < tanh['max_abs_diff'] < 0.01, 'tanh-GELU stays close to GELU')
        check(relu['rmse'] >= relu['mean_abs_diff'] and tanh['rmse'] >= tanh['mean_abs_diff'],
              'RMSE >= mean |diff|')
        check(0 <= relu['top1'] <= 1 and 0 <= relu['argmax_agree_pct'] <= 100, 'fractions')
        check('--replace-activation=silu:hard' in rows['silu:hard']['flags'] and
              rows['silu:hard']['nodes'] is not None, 'silu:hard built')
        bogus = rows['O2+--bogus']
        check(bogus['median_ms'] is None and "unknown option '--bogus'" in bogus['note'],
              'a failing variant keeps its row with the error')
        with open(os.path.join(out, 'explore.csv')) as f:
            table = list(csv.DictReader(f))
        check(len(table) == 7 and table[3]['variant'] == 'gelu:relu' and
              abs(float(table[3]['rmse']) - relu['rmse']) < 1e-9, 'CSV rows match the JSON')
        svg = ET.parse(os.path.join(out, 'explore.svg')).getroot()
        circles = [e for e in svg.iter() if e.tag.endswith('circle')]
        check(len(circles) == 5, 'one point per distinct built variant (%d)' % len(circles))
        with open(os.path.join(out, 'explore.md')) as f:
            check('| gelu:relu |' in f.read(), 'Markdown table')
        for bad, why in ((['explore', os.path.join(MLP, 'model.onnx')], 'no --data'),
                         (['explore', os.path.join(MLP, 'model.onnx'), '--data', MLP,
                           '--variants', 'O2+nonsense'], 'unknown variant item'),
                         (['explore', os.path.join(MLP, 'model.onnx'), '--data', MLP,
                           '--variants', 'gelu:cubic'], 'unknown replacement')):
            p = subprocess.run([fastc] + bad, capture_output=True, text=True, timeout=60)
            check(p.returncode == 2 and p.stderr, 'usage error exits 2: ' + why)
    print('%d failed checks' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
