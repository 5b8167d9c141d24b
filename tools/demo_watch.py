#!/usr/bin/env python3
"""Prints the demo's alerts as they change: when each alert of the rule file
turns pending, firing and resolved in the ruler (/api/v1/alerts) and when
Alertmanager (/api/v2/alerts) has it. Times are seconds since the demo
feed started, in the same "t=1m30s" form as `ruler demo`'s timeline.

  tools/demo_watch.py --ruler=URL [--alertmanager=URL] --rules=FILE \
      --start=EPOCH_SECONDS [--once-all-firing]

With --once-all-firing it exits 0 as soon as every alert of the rule file
is firing in the ruler (and present in Alertmanager when one is given), or
1 after --timeout seconds.
"""
import argparse
import json
import re
import sys
import time
import urllib.request


def stamp(seconds):
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    text = (f"{h}h" if h else "") + (f"{m}m" if h or m else "") + f"{s}s"
    return "t=" + text


def alert_names(rules_file):
    with open(rules_file, encoding="utf-8") as f:
        return [m.group(1) for m in
                re.finditer(r"^\s*-?\s*alert:\s*['\"]?([A-Za-z_][\w]*)",
                            f.read(), re.M)]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return json.load(r)
    except (OSError, ValueError):
        return None


def ruler_states(base):
    """alertname -> "firing" or "pending" (firing wins across instances)."""
    data = fetch(base + "/api/v1/alerts")
    if not isinstance(data, dict):
        return None
    states = {}
    for a in data.get("data", {}).get("alerts", []):
        name = a.get("labels", {}).get("alertname", "")
        if states.get(name) != "firing":
            states[name] = a.get("state", "")
    return states


def alertmanager_names(base):
    data = fetch(base + "/api/v2/alerts")
    if not isinstance(data, list):
        return None
    return {a.get("labels", {}).get("alertname", "") for a in data
            if a.get("status", {}).get("state") == "active"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ruler", required=True)
    p.add_argument("--alertmanager", default="")
    p.add_argument("--rules", required=True)
    p.add_argument("--start", type=float, required=True)
    p.add_argument("--poll", type=float, default=2)
    p.add_argument("--once-all-firing", action="store_true")
    p.add_argument("--timeout", type=float, default=600)
    args = p.parse_args()

    expected = alert_names(args.rules)
    ruler, am = {}, set()
    first_firing, first_in_am = {}, {}
    announced_all = False
    while True:
        now = time.time() - args.start
        states = ruler_states(args.ruler)
        if states is not None:
            for name in sorted(set(states) | set(ruler)):
                old, new = ruler.get(name), states.get(name)
                if old == new:
                    continue
                what = new if new else "resolved"
                print(f"{stamp(now)}: ruler: {name} {what}", flush=True)
                if new == "firing":
                    first_firing.setdefault(name, now)
            ruler = states
        names = alertmanager_names(args.alertmanager) if args.alertmanager \
            else None
        if names is not None:
            for name in sorted(names - am):
                print(f"{stamp(now)}: Alertmanager: {name} received",
                      flush=True)
                first_in_am.setdefault(name, now)
            am = names
        firing = all(ruler.get(n) == "firing" for n in expected)
        delivered = not args.alertmanager or all(n in am for n in expected)
        if expected and firing and delivered and not announced_all:
            announced_all = True
            print(f"{stamp(now)}: all {len(expected)} alerts of "
                  f"{args.rules} are firing"
                  + (" and in Alertmanager" if args.alertmanager else "")
                  + ": " + ", ".join(
                      f"{n} {stamp(first_firing[n])[2:]}" for n in expected),
                  flush=True)
            if args.once_all_firing:
                return 0
        if args.once_all_firing and now > args.timeout:
            missing = [n for n in expected if ruler.get(n) != "firing"]
            print(f"{stamp(now)}: not firing: {', '.join(missing)}",
                  flush=True)
            return 1
        time.sleep(args.poll)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
