#!/usr/bin/env python3
"""CLI test of `conc-probe info`: real output validated against docs/schema/info.schema.json,
live and for every dumped machine in tests/data/machines, plus table, --get and bad flags.

Usage: test_info.py /path/to/conc-probe
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("CONC_PROBE_TEST_DATA", HERE.parent / "data"))
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", HERE.parent.parent / "docs"))
BINARY = sys.argv[1] if len(sys.argv) > 1 else "conc-probe"
FAILURES = []


def run(*args, env=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60, env=env)


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def validator():
    schema = json.loads((DOCS / "schema" / "info.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_json(validate, args, label):
    result = run("info", "--format", "json", *args)
    check(result.returncode == 0, f"{label}: exit {result.returncode}: {result.stderr}")
    check(result.stderr == "", f"{label}: stderr not empty: {result.stderr!r}")
    document = json.loads(result.stdout)
    errors = sorted(validate.iter_errors(document), key=lambda e: list(e.path))
    for error in errors[:5]:
        check(False, f"{label}: schema: {list(error.path)}: {error.message}")
    check(next(iter(document)) == "schema_version", f"{label}: schema_version is not the first key")
    return document


def test_live(validate):
    document = check_json(validate, [], "live")
    cpu = document["cpu"]
    check(isinstance(cpu["usable"], int) and cpu["usable"] >= 1, f"live: usable {cpu['usable']}")
    check(cpu["usable"] <= len(os.sched_getaffinity(0)), "live: usable above the affinity mask")
    check(cpu["affinity_count"] == len(os.sched_getaffinity(0)), "live: affinity differs from os.sched_getaffinity")
    check(document["python"]["cpu_count"] == os.cpu_count(), "live: python.cpu_count differs from os.cpu_count()")
    check(document["live"] is True, "live: live flag")
    get = run("info", "--get", "cpu.usable")
    check(get.returncode == 0 and get.stdout == f"{cpu['usable']}\n", f"--get cpu.usable: {get.stdout!r}")
    # Identical through a pipe whatever the terminal: compare two runs' layout.
    again = json.loads(run("info", "--format", "json").stdout)
    check(list(again) == list(document), "live: key order differs between runs")


# Parts of the dumps no probe reads (frequency scaling, idle states, vendor tuning, PCI):
# skipping them halves the extraction time on a busy machine.
SKIPPED = ["cpufreq", "cpuidle", "vulnerabilities", "bus_dcvs", "qcom_lpm", "pci"]


def extract(archive, target):
    excludes = [f"--exclude=*/{name}/*" for name in SKIPPED]
    subprocess.run(["tar", "xzf", str(archive), "-C", str(target), *excludes], check=True, timeout=300)


def test_machines(validate):
    machines = sorted(p for p in (DATA / "machines").iterdir() if (p / "root.tar.gz").exists())
    check(len(machines) >= 10, f"only {len(machines)} machines found in {DATA}")
    with tempfile.TemporaryDirectory() as tmp:
        for machine in machines:
            extract(machine / "root.tar.gz", tmp)
            root = Path(tmp) / machine.name
            truth = json.loads((machine / "truth.json").read_text())
            document = check_json(validate, ["--sysroot", str(root)], machine.name)
            cpu = document["cpu"]
            check(document["live"] is False, f"{machine.name}: live flag")
            check(cpu["online_count"] == truth["online_count"],
                  f"{machine.name}: online {cpu['online_count']} != {truth['online_count']}")
            check(cpu["usable"] == truth["online_count"], f"{machine.name}: usable {cpu['usable']}")
            # Facts of the machine running the test never leak into a replay.
            check(cpu["affinity"] is None or (root / "proc/self/status").exists(), f"{machine.name}: affinity leaked")
            check(document["os"]["kernel_release"] is None, f"{machine.name}: kernel release leaked")
            check(document["identity"]["page_size"] is None, f"{machine.name}: page size leaked")
            check(document["cgroup"]["version"] is None, f"{machine.name}: cgroup leaked")


def test_table():
    result = run("info", env={**os.environ, "NO_COLOR": "1"})
    check(result.returncode == 0, f"table: exit {result.returncode}")
    for heading in ("CPU count", "Topology", "Identity", "Memory", "What Python would say"):
        check(f"\n{heading}\n" in "\n" + result.stdout, f"table: no '{heading}' group")
    check("ceil" in result.stdout, "table: rounding rule not stated")
    check("\033" not in result.stdout, "table: colour in a pipe")


def test_bad_usage():
    cases = [
        ["info", "--format", "yaml"],
        ["info", "--format", "jsn"],
        ["info", "--get", "cpu.usabel"],
        ["info", "--get", "nothing.here"],
        ["info", "--sysroot", "/nonexistent/conc-probe-root"],
        ["info", "--sysroot", "/etc/hostname"],
        ["info", "--bogus"],
        ["info", "extra"],
        ["info", "--format"],
    ]
    for args in cases:
        result = run(*args)
        label = " ".join(args)
        check(result.returncode == 2, f"{label}: exit {result.returncode}")
        check(result.stdout == "", f"{label}: stdout {result.stdout!r}")
        lines = result.stderr.splitlines()
        check(len(lines) == 1 and lines[0].startswith("conc-probe: error: "), f"{label}: stderr {result.stderr!r}")
    hint = run("info", "--get", "cpu.usabel").stderr
    check("did you mean 'cpu.usable'" in hint, f"--get suggestion missing: {hint!r}")


def main():
    validate = validator()
    test_live(validate)
    test_machines(validate)
    test_table()
    test_bad_usage()
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("test_info: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
