#!/usr/bin/env python3
"""Counts individual test cases of a `bazel test` run.

Reads the run's build-event file (JSON lines) for the test targets and each
one's overall status, and each target's test.xml for its test cases. A target
that did not build or left no test.xml counts as one failed case, and a run
that failed before configuring targets (a BUILD file that does not load)
counts as one failed case, so nothing broken can vanish from the total.
Prints failing cases, then one line `N passed, M failed`.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET


def read_events(bep_path):
    """Returns (test target labels, their statuses)."""
    targets, statuses = [], {}
    if not os.path.exists(bep_path):
        return targets, statuses
    with open(bep_path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            ident = event.get("id", {})
            if "targetConfigured" in ident:
                kind = event.get("configured", {}).get("targetKind", "")
                if kind.endswith("_test rule"):
                    targets.append(ident["targetConfigured"]["label"])
            elif "testSummary" in ident:
                label = ident["testSummary"]["label"]
                statuses[label] = event.get("testSummary", {}).get(
                    "overallStatus", "FAILED")
            elif "targetCompleted" in ident:
                label = ident["targetCompleted"]["label"]
                completed = event.get("completed", {})
                if not completed.get("success", False) or event.get("aborted"):
                    statuses.setdefault(label, "FAILED_TO_BUILD")
    return sorted(set(targets)), statuses


def xml_cases(xml_path):
    """Returns (passed, failed names) for one test.xml."""
    with open(xml_path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    # gtest copies test parameters (such as a parser input holding control
    # bytes) into the XML verbatim; drop characters XML cannot carry.
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#x?[0-9a-fA-F]*;?", "", text)
    root = ET.fromstring(text)
    passed, failed = 0, []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(case.get("classname", "") + "." + case.get("name", ""))
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            continue
        else:
            passed += 1
    return passed, failed


def main():
    bep_path, testlogs, exit_code = sys.argv[1], sys.argv[2], int(sys.argv[3])
    targets, statuses = read_events(bep_path)
    total_passed, failures = 0, []
    # 0: all passed, 3: some tests failed (counted below), 4: no tests.
    if exit_code not in (0, 3) and not any(
            s not in ("PASSED", "FLAKY") for s in statuses.values()):
        failures.append(f"bazel exited with code {exit_code} (see log above)")
    for label in targets:
        status = statuses.get(label, "NO_STATUS")
        rel = label.lstrip("/").replace(":", "/")
        xml_path = os.path.join(testlogs, rel, "test.xml")
        if status in ("PASSED", "FLAKY", "FAILED") and os.path.exists(xml_path):
            passed, failed = xml_cases(xml_path)
            if status != "FAILED" or failed:
                total_passed += passed
                failures += [f"{label}: {name}" for name in failed]
                continue
        failures.append(f"{label}: {status}")
    for failure in failures:
        print(f"FAILED {failure}")
    print(f"{total_passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
