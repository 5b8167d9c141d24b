#!/usr/bin/env python3
"""Checks prometheus_cases.txt against the real promtool (Prometheus 2.42).

Every case without `since prom3` becomes an alerting rule named A with one
annotation `t` holding the case's template; its labels and value come from an
input series `c_<id>{labels}` evaluated as `c_<id> * 1` (which drops
__name__). `promtool check rules` reports the templates that do not parse
(compared with `parse_error`), `promtool test rules` with an empty
exp_alerts list prints every alert's annotations (compared with `want`).

  oracle.py [--print] [CASES]

--print shows promtool's value for every case (to write a new case's `want`).
Exit status 1 when any case disagrees with promtool.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def go_unquote(s):
    """Decodes a Go double-quoted string (the escapes strconv.Quote emits)."""
    assert s[0] == '"' and s[-1] == '"', s
    body = s[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out += c.encode('utf-8')
            i += 1
            continue
        e = body[i + 1]
        simple = {'a': 7, 'b': 8, 'f': 12, 'n': 10, 'r': 13, 't': 9, 'v': 11,
                  '\\': 92, '"': 34, "'": 39}
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == 'x':
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        elif e in 'uU':
            n = 4 if e == 'u' else 8
            out += chr(int(body[i + 2:i + 2 + n], 16)).encode('utf-8')
            i += 2 + n
        elif e in '01234567':
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
        else:
            raise ValueError('bad escape in ' + s)
    return out.decode('utf-8', errors='surrogateescape')


def parse_cases(path):
    series, cases = [], []
    cur = None
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, _, rest = line.partition(' ')
            if key == 'series':
                series.append(rest)
            elif key == 'case':
                cur = {'id': rest, 'labels': '{}', 'value': '1', 'line': lineno}
                cases.append(cur)
            elif key in ('labels', 'value', 'since'):
                cur[key] = rest
            elif key in ('tmpl', 'want', 'parse_error'):
                cur[key] = go_unquote(rest)
            else:
                raise ValueError('%s:%d: unknown key %r' % (path, lineno, key))
    return series, cases


def series_name(case):
    return 'c_' + re.sub(r'[^a-zA-Z0-9_]', '_', case['id'])


def write_rules(path, cases):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('groups:\n- name: g\n  rules:\n')
        for c in cases:
            f.write('  - alert: A\n')
            f.write('    expr: %s * 1\n' % series_name(c))
            f.write('    labels: {case: %s}\n' % json.dumps(c['id']))
            f.write('    annotations: {t: %s}\n' % json.dumps(c['tmpl']))


def main():
    args = sys.argv[1:]
    show = '--print' in args
    args = [a for a in args if a != '--print']
    path = args[0] if args else os.path.join(HERE, 'prometheus_cases.txt')
    series, cases = parse_cases(path)
    cases = [c for c in cases if c.get('since') != 'prom3']
    tmp = tempfile.mkdtemp(prefix='template-oracle-')
    rules = os.path.join(tmp, 'rules.yml')

    # 1. Parse errors, as `ruler check rules` must report them.
    write_rules(rules, cases)
    out = subprocess.run(['promtool', 'check', 'rules', rules],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    parse_errors = {}
    for m in re.finditer(r'rule (\d+), "A": annotation "t": (.*)', out):
        parse_errors[cases[int(m.group(1)) - 1]['id']] = m.group(2)

    # 2. Expansion of the templates that parse.
    runnable = [c for c in cases if c['id'] not in parse_errors]
    write_rules(rules, runnable)
    test = os.path.join(tmp, 'test.yml')
    with open(test, 'w', encoding='utf-8') as f:
        f.write('rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n')
        f.write('- interval: 1m\n  input_series:\n')
        for s in series:
            name, value = s.rsplit(' ', 1)
            f.write('  - series: %s\n    values: %s\n' %
                    (json.dumps(name), json.dumps(value)))
        for c in runnable:
            f.write('  - series: %s\n    values: %s\n' % (
                json.dumps(series_name(c) + c['labels']), json.dumps(c['value'])))
        f.write('  alert_rule_test:\n  - eval_time: 0s\n    alertname: A\n'
                '    exp_alerts: []\n')
    out = subprocess.run(['promtool', 'test', 'rules', test], cwd=tmp,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    got = {}
    for m in re.finditer(r'case="((?:[^"\\]|\\.)*)".*\n\s*Annotations:\{t=("(?:[^"\\]|\\.)*")\}', out):
        got[go_unquote('"' + m.group(1) + '"')] = go_unquote(m.group(2))

    bad = 0
    for c in cases:
        cid = c['id']
        if cid in parse_errors:
            actual, kind = parse_errors[cid], 'parse_error'
        elif cid in got:
            actual, kind = got[cid], 'want'
        else:
            print('%s: case %s: no result from promtool' % (path, cid))
            bad += 1
            continue
        expected = c.get(kind)
        if show:
            print('case %s\n%s %s' % (cid, kind, json.dumps(actual, ensure_ascii=False)))
        if expected != actual:
            bad += 1
            print('%s:%d: case %s: promtool %s %s, table has %s %s' % (
                path, c['line'], cid, kind, json.dumps(actual, ensure_ascii=False),
                'parse_error' if 'parse_error' in c else 'want',
                json.dumps(c.get('parse_error', c.get('want')), ensure_ascii=False)))
    print('%d cases checked against promtool, %d disagree' % (len(cases), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
