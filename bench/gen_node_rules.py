#!/usr/bin/env python3
"""Writes one Prometheus rule file of node-exporter rules over the series of
bench/data/node_series (the metric names and labels //bench:remote_write_load
sends), for bench/run_rules_vs_prometheus.

    bench/gen_node_rules.py [--groups=20] [--recording=400] [--quiet=500]
                            [--firing=100] OUT.yml

Default: 1,000 rules in 20 groups of 50 (each group 20 recording rules,
25 alerts that never fire, 5 that always fire), deterministic.

The rules are the kube-prometheus / node-mixin kind: rate()s of counters
summed without device or by instance, cluster or region, memory and
filesystem ratios, one-to-one and group_left matches, predict_linear,
absent(), topk, quantile-free and histogram-free. Each template is
instantiated over scopes (the whole fleet, `job="node-exporter"`, or one of
the 5 regions) and windows (5m, 1m, 2m) and, for alerts, warning/critical
thresholds. Every rule carries a `rule_scope` label so that no two rules
write the same series.

Thresholds are chosen from the value model of bench/data/node_series.cc:
the quiet alerts' thresholds are far outside what the data reaches (CPU
busy ~0.3 of a core vs 0.9; MemAvailable/MemTotal >= 0.14 vs 0.1;
filesystem avail >= 18% vs 10%; error counters constant 0 ...); the firing
alerts compare aggregates per cluster, cluster and mountpoint or region
with thresholds every value crosses, so each produces 1-12 alerts.
"""

import argparse
import sys

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2",
           "eu-central-1"]
# (scope name, extra matchers appended inside every selector's braces)
SCOPES = [("fleet", 'job="node-exporter"')] + [
    (r, 'job="node-exporter",region="%s"' % r) for r in REGIONS]
WINDOWS = ["5m", "1m", "2m"]


def sel(matchers, scope):
    """`{matchers,scope}` with either part possibly empty."""
    parts = [p for p in (matchers, scope) if p]
    return "{" + ",".join(parts) + "}"


# Recording rules: (name, expression); `S(m)` is a selector's braces with
# the scope added, `W` the window. Names with `rateW` get the window.
RECORDING = [
    ("instance:node_num_cpu:sum",
     'count without (cpu, mode) (node_cpu_seconds_total{S:mode="idle"})'),
    ("instance:node_cpu_utilisation:rateW",
     '1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{S:mode=~"idle|iowait|steal"}[W])))'),
    ("instance:node_cpu_busy:rateW",
     'sum by (instance) (rate(node_cpu_seconds_total{S:mode!="idle"}[W]))'),
    ("cluster:node_cpu_utilisation:ratio_rateW",
     'sum by (cluster) (rate(node_cpu_seconds_total{S:mode!="idle"}[W])) / on (cluster) count by (cluster) (node_cpu_seconds_total{S:mode="idle"})'),
    ("cluster_mode:node_cpu_seconds:rateW",
     'sum by (cluster, mode) (rate(node_cpu_seconds_total{S:}[W]))'),
    ("job:node_memory_MemAvailable_bytes:avg",
     'avg by (job) (node_memory_MemAvailable_bytes{S:})'),
    ("instance:node_memory_utilisation:ratio",
     '1 - (node_memory_MemAvailable_bytes{S:} / node_memory_MemTotal_bytes{S:})'),
    ("instance:node_memory_used_bytes:sum",
     'node_memory_MemTotal_bytes{S:} - node_memory_MemFree_bytes{S:} - node_memory_Buffers_bytes{S:} - node_memory_Cached_bytes{S:}'),
    ("cluster:node_memory_used:ratio",
     'sum by (cluster) (node_memory_MemTotal_bytes{S:} - node_memory_MemAvailable_bytes{S:}) / sum by (cluster) (node_memory_MemTotal_bytes{S:})'),
    ("instance:node_load1_per_cpu:ratio",
     'node_load1{S:} / on (instance) group_left () count by (instance) (node_cpu_seconds_total{S:mode="idle"})'),
    ("instance:node_vmstat_pgmajfault:rateW",
     'rate(node_vmstat_pgmajfault{S:}[W])'),
    ("instance:node_vmstat_pgfault:rateW",
     'rate(node_vmstat_pgfault{S:}[W])'),
    ("instance_device:node_disk_io_time_seconds:rateW",
     'rate(node_disk_io_time_seconds_total{S:device=~"nvme.+"}[W])'),
    ("instance_device:node_disk_io_time_weighted_seconds:rateW",
     'rate(node_disk_read_time_seconds_total{S:}[W]) + rate(node_disk_write_time_seconds_total{S:}[W])'),
    ("instance:node_disk_read_bytes:rateW",
     'sum without (device) (rate(node_disk_read_bytes_total{S:}[W]))'),
    ("instance:node_disk_written_bytes:rateW",
     'sum without (device) (rate(node_disk_written_bytes_total{S:}[W]))'),
    ("instance:node_disk_iops:rateW",
     'sum by (instance) (rate(node_disk_reads_completed_total{S:}[W]) + rate(node_disk_writes_completed_total{S:}[W]))'),
    ("instance:node_network_receive_bytes_excluding_lo:rateW",
     'sum without (device) (rate(node_network_receive_bytes_total{S:device!="lo"}[W]))'),
    ("instance:node_network_transmit_bytes_excluding_lo:rateW",
     'sum without (device) (rate(node_network_transmit_bytes_total{S:device!="lo"}[W]))'),
    ("instance:node_network_receive_drop_excluding_lo:rateW",
     'sum without (device) (rate(node_network_receive_drop_total{S:device!="lo"}[W]))'),
    ("instance:node_network_transmit_drop_excluding_lo:rateW",
     'sum without (device) (rate(node_network_transmit_drop_total{S:device!="lo"}[W]))'),
    ("instance:node_network_packets:rateW",
     'sum by (instance) (rate(node_network_receive_packets_total{S:}[W]) + rate(node_network_transmit_packets_total{S:}[W]))'),
    ("instance_mountpoint:node_filesystem_usage:ratio",
     '1 - node_filesystem_avail_bytes{S:} / node_filesystem_size_bytes{S:}'),
    ("cluster_mountpoint:node_filesystem_avail_bytes:sum",
     'sum by (cluster, mountpoint) (node_filesystem_avail_bytes{S:})'),
    ("instance:node_filesystem_files_used:max_ratio",
     'max without (device, mountpoint) (1 - node_filesystem_files_free{S:} / node_filesystem_files{S:})'),
    ("region:node_network_receive_bytes:rateW",
     'sum by (region) (rate(node_network_receive_bytes_total{S:}[W]))'),
    ("instance:node_context_switches:rateW",
     'rate(node_context_switches_total{S:}[W])'),
    ("instance:node_intr:rateW",
     'rate(node_intr_total{S:}[W])'),
    ("instance:node_forks:rateW",
     'rate(node_forks_total{S:}[W])'),
    ("cluster:node_load5:avg",
     'avg by (cluster) (node_load5{S:})'),
    ("cluster:node_load15:stddev",
     'stddev by (cluster) (node_load15{S:})'),
    ("cluster:node_procs_running:sum",
     'sum by (cluster) (node_procs_running{S:})'),
    ("instance:node_tcp_retrans:ratio_rateW",
     'rate(node_netstat_Tcp_RetransSegs{S:}[W]) / rate(node_netstat_Tcp_ActiveOpens{S:}[W])'),
    ("job:scrape_duration_seconds:max",
     'max by (job) (scrape_duration_seconds{S:})'),
    ("collector:node_scrape_collector_duration_seconds:avg",
     'avg by (collector) (node_scrape_collector_duration_seconds{S:})'),
    ("cluster:up:ratio",
     'sum by (cluster) (up{S:}) / count by (cluster) (up{S:})'),
    ("instance:node_time_skew:seconds",
     'abs(node_time_seconds{S:} - timestamp(node_time_seconds{S:}))'),
    ("instance:node_filefd:ratio",
     'node_filefd_allocated{S:} / node_filefd_maximum{S:}'),
    ("instance:node_memory_swap_io_pages:rateW",
     'rate(node_vmstat_pswpin{S:}[W]) + rate(node_vmstat_pswpout{S:}[W])'),
    ("cluster:node_network_transmit_bytes:top3_rateW",
     'topk by (cluster) (3, rate(node_network_transmit_bytes_total{S:device="eth0"}[W]))'),
]

# Alerts that never fire: (alertname, expression with T for the threshold,
# (warning threshold, critical threshold), for).
QUIET = [
    ("HostHighCpuLoad",
     'sum by (instance) (rate(node_cpu_seconds_total{S:mode!="idle"}[W])) / on (instance) count by (instance) (node_cpu_seconds_total{S:mode="idle"}) > T',
     ("0.9", "0.95"), "5m"),
    ("HostOutOfMemory",
     'node_memory_MemAvailable_bytes{S:} / node_memory_MemTotal_bytes{S:} * 100 < T',
     ("10", "5"), "2m"),
    ("HostOutOfDiskSpace",
     '(node_filesystem_avail_bytes{S:} / node_filesystem_size_bytes{S:} * 100 < T) and on (instance, device, mountpoint) node_filesystem_readonly{S:} == 0',
     ("10", "5"), "2m"),
    ("HostDiskWillFillIn24Hours",
     'predict_linear(node_filesystem_avail_bytes{S:}[W], 86400) < T',
     ("0", "-1e9"), "5m"),
    ("HostOutOfInodes",
     'node_filesystem_files_free{S:} / node_filesystem_files{S:} * 100 < T',
     ("10", "5"), "2m"),
    ("HostUnusualNetworkThroughputIn",
     'sum by (instance) (rate(node_network_receive_bytes_total{S:}[W])) / 1024 / 1024 > T',
     ("100", "500"), "5m"),
    ("HostUnusualNetworkThroughputOut",
     'sum by (instance) (rate(node_network_transmit_bytes_total{S:}[W])) / 1024 / 1024 > T',
     ("100", "500"), "5m"),
    ("HostUnusualDiskReadRate",
     'sum by (instance) (rate(node_disk_read_bytes_total{S:}[W])) / 1024 / 1024 > T',
     ("500", "1000"), "5m"),
    ("HostUnusualDiskWriteLatency",
     'rate(node_disk_write_time_seconds_total{S:}[W]) / rate(node_disk_writes_completed_total{S:}[W]) > T',
     ("0.1", "0.5"), "2m"),
    ("HostHighLoad",
     'node_load5{S:} / on (instance) group_left () count by (instance) (node_cpu_seconds_total{S:mode="idle"}) > T',
     ("2", "4"), "10m"),
    ("HostContextSwitching",
     'rate(node_context_switches_total{S:}[W]) / on (instance) group_left () count by (instance) (node_cpu_seconds_total{S:mode="idle"}) > T',
     ("100000", "500000"), "5m"),
    ("HostSwapIn",
     'rate(node_vmstat_pswpin{S:}[W]) > T', ("0", "100"), "2m"),
    ("HostOomKillDetected",
     'increase(node_vmstat_oom_kill{S:}[W]) > T', ("0", "5"), "0m"),
    ("HostNetworkReceiveErrors",
     'rate(node_network_receive_errs_total{S:}[W]) / rate(node_network_receive_packets_total{S:}[W]) > T',
     ("0.01", "0.05"), "2m"),
    ("HostNetworkTransmitErrors",
     'rate(node_network_transmit_errs_total{S:}[W]) / rate(node_network_transmit_packets_total{S:}[W]) > T',
     ("0.01", "0.05"), "2m"),
    ("HostClockSkew",
     '(node_timex_offset_seconds{S:} > T and deriv(node_timex_offset_seconds{S:}[W]) >= 0) or (node_timex_offset_seconds{S:} < -T and deriv(node_timex_offset_seconds{S:}[W]) <= 0)',
     ("0.05", "0.5"), "10m"),
    ("HostClockNotSynchronising",
     'min_over_time(node_timex_sync_status{S:}[W]) < T', ("1", "0.5"), "2m"),
    ("HostFilesystemReadOnly",
     'node_filesystem_readonly{S:} > T', ("0", "0.5"), "0m"),
    ("HostFilesystemDeviceError",
     'node_filesystem_device_error{S:} > T', ("0", "0.5"), "0m"),
    ("NodeExporterDown",
     'up{S:} < T', ("1", "0.5"), "1m"),
    ("NodeExporterAbsent",
     'absent(up{S:}) * T', ("1", "2"), "5m"),
    ("HostHighFileDescriptors",
     'node_filefd_allocated{S:} / node_filefd_maximum{S:} * 100 > T',
     ("80", "90"), "5m"),
    ("NodeCollectorFailed",
     'node_scrape_collector_success{S:} < T', ("1", "0.5"), "5m"),
    ("NodeCollectorSlow",
     'node_scrape_collector_duration_seconds{S:} > T', ("1", "5"), "5m"),
    ("ScrapeSlow",
     'scrape_duration_seconds{S:} > T', ("10", "30"), "5m"),
    ("HostMemoryUnderPressure",
     'rate(node_vmstat_pgmajfault{S:}[W]) > T', ("1000", "5000"), "2m"),
    ("HostCpuStealNoisyNeighbor",
     'avg by (instance) (rate(node_cpu_seconds_total{S:mode="steal"}[W])) * 100 > T',
     ("10", "25"), "5m"),
    ("HostCpuHighIowait",
     'avg by (instance) (rate(node_cpu_seconds_total{S:mode="iowait"}[W])) * 100 > T',
     ("10", "25"), "5m"),
    ("HostTcpRetransmits",
     'rate(node_netstat_Tcp_RetransSegs{S:}[W]) / rate(node_netstat_Tcp_ActiveOpens{S:}[W]) > T',
     ("0.5", "1"), "5m"),
    ("HostDiskIOSaturated",
     'rate(node_disk_io_time_seconds_total{S:}[W]) > T', ("0.9", "0.99"), "10m"),
    ("HostProcsBlocked",
     'node_procs_blocked{S:} > T', ("50", "200"), "5m"),
    ("HostEntropyLow",
     'node_entropy_available_bits{S:} < T', ("100", "50"), "5m"),
    ("ClusterNodesDown",
     'count by (cluster) (up{S:} == 0) / count by (cluster) (up{S:}) > T',
     ("0.1", "0.3"), "5m"),
    ("HostNetworkInterfaceSaturated",
     'rate(node_network_transmit_bytes_total{S:device="eth0"}[W]) > T',
     ("1.25e9", "2.5e9"), "5m"),
]

# Alerts that always fire: (alertname, expression, for). Each aggregates
# per cluster, cluster and label, or region, so a scope gives 1-12 alerts.
FIRING = [
    ("ClusterCpuBusy",
     'sum by (cluster) (rate(node_cpu_seconds_total{S:mode!="idle"}[W])) > 0',
     "0s"),
    ("ClusterMemoryAvailable",
     'avg by (cluster) (node_memory_MemAvailable_bytes{S:}) > 1e9', "20s"),
    ("ClusterLoad",
     'max by (cluster) (node_load1{S:}) > 0.01', "0s"),
    ("RegionNetworkTraffic",
     'sum by (region) (rate(node_network_receive_bytes_total{S:}[W])) > 1000',
     "20s"),
    ("ClusterFilesystemAvailable",
     'min by (cluster, mountpoint) (node_filesystem_avail_bytes{S:}) > 1e6',
     "0s"),
    ("ClusterDiskWrites",
     'sum by (cluster, device) (rate(node_disk_written_bytes_total{S:}[W])) > 0',
     "20s"),
    ("ClusterNodesUp",
     'count by (cluster) (up{S:} == 1) > 1', "0s"),
    ("RegionContextSwitches",
     'sum by (region) (rate(node_context_switches_total{S:}[W])) > 10', "20s"),
    ("ClusterForks",
     'avg by (cluster) (rate(node_forks_total{S:}[W])) > 0.1', "0s"),
    ("ClusterTcpEstablished",
     'sum by (cluster) (node_netstat_Tcp_CurrEstab{S:}) > 10', "20s"),
]


def fill(expr, scope, window):
    out = []
    i = 0
    while True:
        j = expr.find("{S:", i)
        if j < 0:
            out.append(expr[i:])
            break
        k = expr.index("}", j)
        out.append(expr[i:j])
        out.append(sel(expr[j + 3:k], scope))
        i = k + 1
    return "".join(out).replace("[W]", "[%s]" % window)


def q(s):
    """A YAML single-quoted scalar."""
    return "'" + s.replace("'", "''") + "'"


def variants(templates, windowed, extra):
    """Yields (template, scope_name, scope, window, extra) round-robin over
    the templates so that a prefix of the list is an even mix."""
    combos = []
    for e in extra:
        for sname, scope in SCOPES:
            for w in WINDOWS:
                combos.append((sname, scope, w, e))
    seen = set()
    for sname, scope, w, e in combos:
        for t in templates:
            uses_w = windowed(t)
            key = (t[0], sname, w if uses_w else None, e)
            if key in seen:
                continue
            seen.add(key)
            yield t, sname, scope, w, e


def take(gen, n, what):
    out = []
    for item in gen:
        if len(out) == n:
            break
        out.append(item)
    if len(out) < n:
        sys.exit("gen_node_rules: only %d %s rules available" % (len(out), what))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--recording", type=int, default=400)
    ap.add_argument("--quiet", type=int, default=500)
    ap.add_argument("--firing", type=int, default=100)
    ap.add_argument("out")
    a = ap.parse_args()

    rec = take(variants(RECORDING, lambda t: "[W]" in t[1], [None]),
               a.recording, "recording")
    quiet = take(variants(QUIET, lambda t: "[W]" in t[1],
                          ["warning", "critical"]), a.quiet, "quiet")
    firing = take(variants(FIRING, lambda t: "[W]" in t[1], [None]),
                  a.firing, "firing")

    lines = ["# Generated by bench/gen_node_rules.py: %d recording rules, "
             "%d alerts that never fire, %d that always fire, %d groups."
             % (len(rec), len(quiet), len(firing), a.groups), "groups:"]
    groups = [[] for _ in range(a.groups)]
    for kind, items in (("rec", rec), ("quiet", quiet), ("firing", firing)):
        for i, item in enumerate(items):
            groups[i % a.groups].append((kind, item))
    for g, rules in enumerate(groups):
        lines.append("  - name: node-rules-%02d" % g)
        lines.append("    rules:")
        for kind, (t, sname, scope, w, e) in rules:
            if kind == "rec":
                name = t[0].replace("rateW", "rate" + w)
                lines.append("      - record: %s" % name)
                lines.append("        expr: %s" % q(fill(t[1], scope, w)))
                lines.append("        labels:")
                lines.append("          rule_scope: %s" % sname)
            elif kind == "quiet":
                alert, expr, (warn, crit), for_ = t
                threshold = warn if e == "warning" else crit
                lines.append("      - alert: %s" % alert)
                expr = expr.replace(" T", " " + threshold)
                expr = expr.replace("-T", "-" + threshold)
                lines.append("        expr: %s" % q(fill(expr, scope, w)))
                lines.append("        for: %s" % for_)
                lines.append("        labels:")
                lines.append("          severity: %s" % e)
                lines.append("          rule_scope: %s" % sname)
                if "[W]" in expr:
                    lines.append("          window: %s" % w)
                lines.append("        annotations:")
                lines.append("          summary: %s" % q(
                    "%s on {{ $labels.instance }}" % alert))
                lines.append("          description: %s" % q(
                    "Value {{ $value | humanize }} crossed %s "
                    "(scope %s, {{ $labels.cluster }})" % (threshold, sname)))
            else:
                alert, expr, for_ = t
                lines.append("      - alert: %s" % alert)
                lines.append("        expr: %s" % q(fill(expr, scope, w)))
                lines.append("        for: %s" % for_)
                lines.append("        labels:")
                lines.append("          severity: info")
                lines.append("          rule_scope: %s" % sname)
                if "[W]" in expr:
                    lines.append("          window: %s" % w)
                lines.append("        annotations:")
                lines.append("          summary: %s" % q(
                    "%s: {{ $value | humanize }} in "
                    "{{ with $labels.cluster }}{{ . }}{{ else }}"
                    "{{ $labels.region }}{{ end }}" % alert))
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
