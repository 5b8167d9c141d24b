#!/usr/bin/env python3
"""Writes one Prometheus rule file of N rules for
bench/run_check_rules_vs_promtool (`ruler check rules` vs `promtool check
rules`).

    bench/gen_check_rules.py [--rules=5000] [--group-size=50] OUT.yml

Deterministic. A realistic mix in groups of 50: per group 20 recording
rules (rates, ratios, quantiles of histograms, aggregations over several
label sets) and 30 alerts with `for`, labels and annotation templates
($labels, $value with humanize, printf, if/else). Every rule is valid for
Prometheus 2.42 and unique (no duplicate-rule lint in either tool), and the
lint finds nothing to report, so both tools do their full checking and
neither prints much.
"""

import argparse
import sys

SERVICES = ["api", "web", "worker", "db", "cache", "queue", "auth", "search",
            "billing", "deploy"]
WINDOWS = ["5m", "10m", "15m", "30m", "1h"]

RECORDING = [
    ("job:{m}_requests:rate{w}",
     'sum by (job, instance) (rate({m}_requests_total{{service="{s}"}}[{w}]))'),
    ("job:{m}_errors:ratio_rate{w}",
     'sum by (job) (rate({m}_errors_total{{service="{s}", code=~"5.."}}[{w}]))\n'
     '  /\n'
     'sum by (job) (rate({m}_requests_total{{service="{s}"}}[{w}]))'),
    ("job:{m}_latency_seconds:p99_{w}",
     'histogram_quantile(0.99, sum by (job, le) '
     '(rate({m}_request_duration_seconds_bucket{{service="{s}"}}[{w}])))'),
    ("job:{m}_latency_seconds:mean{w}",
     'sum by (job) (rate({m}_request_duration_seconds_sum{{service="{s}"}}[{w}]))\n'
     '  /\n'
     'sum by (job) (rate({m}_request_duration_seconds_count{{service="{s}"}}[{w}]))'),
    ("instance:{m}_memory:ratio",
     '1 - {m}_memory_available_bytes{{service="{s}"}} / '
     'on (instance) group_left () {m}_memory_total_bytes{{service="{s}"}}'),
]

ALERTS = [
    ("{M}HighErrorRate",
     '(\n  sum by (job) (rate({m}_errors_total{{service="{s}"}}[{w}]))\n'
     '    /\n  sum by (job) (rate({m}_requests_total{{service="{s}"}}[{w}]))\n'
     ') > {t}',
     '{{{{ $labels.job }}}} fails {{{{ $value | humanizePercentage }}}} of requests'),
    ("{M}HighLatency",
     'histogram_quantile(0.95, sum by (job, le) '
     '(rate({m}_request_duration_seconds_bucket{{service="{s}"}}[{w}]))) > {t}',
     'p95 latency of {{{{ $labels.job }}}} is {{{{ $value | humanizeDuration }}}}'),
    ("{M}InstanceDown",
     'up{{job="{s}"}} == 0',
     '{{{{ $labels.instance }}}} of {{{{ $labels.job }}}} is down'),
    ("{M}MemoryPressure",
     '{m}_memory_available_bytes{{service="{s}"}} / '
     '{m}_memory_total_bytes{{service="{s}"}} < {t}',
     '{{{{ $labels.instance }}}}: {{{{ printf "%.1f" $value }}}} free'),
    ("{M}Missing",
     'absent(up{{job="{s}"}})',
     '{{{{ if $value }}}}no {s} targets{{{{ else }}}}?{{{{ end }}}}'),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", type=int, default=5000)
    ap.add_argument("--group-size", type=int, default=50)
    ap.add_argument("out")
    a = ap.parse_args()
    out = ["groups:"]
    n = 0
    g = 0
    while n < a.rules:
        out.append(f"  - name: bench-{g:04d}")
        out.append("    interval: 1m")
        out.append("    rules:")
        for i in range(min(a.group_size, a.rules - n)):
            k = n + i
            svc = SERVICES[k % len(SERVICES)]
            m = f"svc{g:04d}"
            w = WINDOWS[(k // 3) % len(WINDOWS)]
            if i % 5 < 2:
                name, expr = RECORDING[k % len(RECORDING)]
                out.append(f"      - record: {name.format(m=m, w=w)}")
                out.append("        expr: |")
                for line in expr.format(m=m, s=svc, w=w).split("\n"):
                    out.append(f"          {line}")
                out.append("        labels:")
                out.append(f"          rule_id: r{k}")
            else:
                name, expr, summary = ALERTS[k % len(ALERTS)]
                t = f"0.{(k % 9) + 1}"
                out.append(f"      - alert: {name.format(M=m.capitalize())}")
                out.append("        expr: |")
                for line in expr.format(m=m, s=svc, w=w, t=t).split("\n"):
                    out.append(f"          {line}")
                out.append("        for: 5m")
                out.append("        labels:")
                out.append(f"          severity: {'page' if k % 7 == 0 else 'ticket'}")
                out.append(f"          rule_id: a{k}")
                out.append("        annotations:")
                summary_text = summary.format(s=svc).replace('"', '\\"')
                out.append(f'          summary: "{summary_text}"')
                out.append(f'          runbook_url: "https://runbooks.example/{m}/{k}"')
        n += min(a.group_size, a.rules - n)
        g += 1
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
