#!/usr/bin/env python3
"""Checks prometheus_cases.txt against the real promtool (Prometheus 2.42).

Every case without `since prom3` becomes an alerting rule named A with one
annotation `t` holding the case's template; its labels and value come from an
input series `c_<id>{labels}` evaluated as `c_<id> * 1` (which drops
__name__). `promtool check rules` reports the templates that do not parse
(compared with `parse_error`), `promtool test rules` with an empty
exp_alerts list prints every alert's annotations (compared with `want`).

Cases marked `server` need what promtool 2.42 cannot set (external labels,
an external URL): they run in a real `prometheus` on a loopback port, with
the file's server_external_labels and server_external_url, as rules over
label_replace(vector(value), ...); their annotations are read from
/api/v1/alerts.

  oracle.py [--print] [CASES]

--print shows promtool's value for every case (to write a new case's `want`).
Exit status 1 when any case disagrees with promtool.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

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
    series, cases, settings = [], [], {}
    cur = None
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, _, rest = line.partition(' ')
            if key == 'series':
                series.append(rest)
            elif key.startswith('server_'):
                settings[key] = rest
            elif key == 'case':
                cur = {'id': rest, 'labels': '{}', 'value': '1', 'line': lineno}
                cases.append(cur)
            elif key in ('labels', 'value', 'since'):
                cur[key] = rest
            elif key == 'server':
                cur['server'] = True
            elif key in ('tmpl', 'want', 'parse_error'):
                cur[key] = go_unquote(rest)
            else:
                raise ValueError('%s:%d: unknown key %r' % (path, lineno, key))
    return series, cases, settings


def label_pairs(labels):
    return re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_server(cases, settings, tmp):
    """Expands the `server` cases in a real Prometheus; returns {id: text}."""
    if not cases:
        return {}
    d = os.path.join(tmp, 'server')
    os.makedirs(d)
    with open(os.path.join(d, 'prometheus.yml'), 'w') as f:
        f.write('global:\n  evaluation_interval: 1s\n  external_labels:\n')
        for k, v in label_pairs(settings['server_external_labels']):
            f.write('    %s: %s\n' % (k, json.dumps(go_unquote('"%s"' % v))))
        f.write('rule_files: [rules.yml]\n')
    with open(os.path.join(d, 'rules.yml'), 'w', encoding='utf-8') as f:
        f.write('groups:\n- name: g\n  interval: 1s\n  rules:\n')
        for c in cases:
            expr = 'vector(%s)' % c['value']
            for k, v in label_pairs(c['labels']):
                expr = 'label_replace(%s, "%s", "%s", "", "")' % (expr, k, v)
            f.write('  - alert: A\n')
            f.write('    expr: %s\n' % json.dumps(expr))
            f.write('    labels: {case: %s}\n' % json.dumps(c['id']))
            f.write('    annotations: {t: %s}\n' % json.dumps(c['tmpl']))
    port = free_port()
    url = settings['server_external_url']
    log = open(os.path.join(d, 'log.txt'), 'w')
    proc = subprocess.Popen(
        ['prometheus', '--config.file=prometheus.yml',
         '--web.listen-address=127.0.0.1:%d' % port,
         '--storage.tsdb.path=data', '--web.external-url=' + url],
        cwd=d, stdout=log, stderr=subprocess.STDOUT)
    prefix = re.sub(r'^[a-z]+://[^/]*', '', url)
    got = {}
    try:
        deadline = time.time() + 30
        while time.time() < deadline and len(got) < len(cases):
            time.sleep(0.5)
            try:
                body = urllib.request.urlopen(
                    'http://127.0.0.1:%d%s/api/v1/alerts' % (port, prefix),
                    timeout=2).read()
            except OSError:
                continue
            for a in json.loads(body)['data']['alerts']:
                got[a['labels']['case']] = a['annotations']['t']
    finally:
        proc.terminate()  # by its own handle, never by name
        proc.wait(timeout=30)
    return got


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
    series, cases, settings = parse_cases(path)
    cases = [c for c in cases if c.get('since') != 'prom3']
    tmp = tempfile.mkdtemp(prefix='template-oracle-')
    rules = os.path.join(tmp, 'rules.yml')
    server_cases = [c for c in cases if c.get('server')]
    cases = [c for c in cases if not c.get('server')]

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

    got_server = run_server(server_cases, settings, tmp)
    for c in server_cases:
        if c['id'] in got_server:
            got[c['id']] = got_server[c['id']]
    cases += server_cases
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
