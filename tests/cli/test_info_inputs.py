#!/usr/bin/env python3
"""CLI test of `conc-probe info` on hostile and odd inputs: a named pipe in the sysroot (must
not hang), bytes that are not UTF-8 in files and in the sysroot path (valid JSON, printable
table), empty --sysroot and --get values (usage errors), and `none` for a null that means
none (no quota, no limit).

Usage: test_info_inputs.py /path/to/conc-probe
"""
import json
import os
import subprocess
import sys
import tempfile

BINARY = os.fsencode(sys.argv[1] if len(sys.argv) > 1 else "conc-probe")
FAILURES = []


def run(*args, timeout=30):
    try:
        return subprocess.run([BINARY, *args], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message)


def write(root, relative, content):
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


def usage_error(result, label):
    check(result is not None, f"{label}: timed out")
    if result is None:
        return
    check(result.returncode == 2, f"{label}: exit {result.returncode}, expected 2")
    check(result.stdout == b"", f"{label}: stdout not empty: {result.stdout[:200]!r}")
    lines = result.stderr.decode(errors="replace").splitlines()
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: "), f"{label}: stderr {lines!r}")


def test_named_pipe(tmp):
    root = os.path.join(tmp, "fifo")
    write(root, "sys/devices/system/cpu/online", b"0-1\n")
    write(root, "proc/placeholder", b"")
    os.mkfifo(os.path.join(root, "proc", "cpuinfo"))
    os.mkfifo(os.path.join(root, "sys/devices/system/cpu/present"))
    result = run("info", "--sysroot", root, "--format", "json", timeout=20)
    check(result is not None, "named pipe in the sysroot: info hangs")
    if result is not None:
        check(result.returncode == 0, f"named pipe: exit {result.returncode}: {result.stderr!r}")
        document = json.loads(result.stdout)
        check(document["cpu"]["online"] == "0-1", f"named pipe: online {document['cpu']['online']!r}")


def test_not_utf8(tmp):
    root = os.path.join(os.fsencode(tmp), b"latin\xe9-\xff")
    write(root, b"etc/os-release", b'PRETTY_NAME="Caf\xe9 Linux \x1b[31m"\nID=caf\xe9\n')
    write(root, b"sys/devices/system/cpu/online", b"0\n")
    result = run("info", "--sysroot", root, "--format", "json")
    check(result is not None and result.returncode == 0,
          f"not UTF-8: json exit {result and result.returncode}: {result and result.stderr!r}")
    if result is None or result.returncode != 0:
        return
    try:
        document = json.loads(result.stdout.decode("utf-8"))  # strict: valid UTF-8 JSON
    except (UnicodeDecodeError, ValueError) as error:
        check(False, f"not UTF-8: output is not valid JSON: {error}")
        return
    check(document["os"]["distribution"].startswith("Caf"), f"distribution {document['os']['distribution']!r}")
    table = run("info", "--sysroot", root)
    check(table is not None and table.returncode == 0, "not UTF-8: table failed")
    if table is not None:
        text = table.stdout.decode("utf-8", errors="strict")
        check("\x1b" not in text, "table: escape character written to the terminal")
        check("Caf\\xe9" in text, "table: the Latin-1 byte is not shown as \\xe9")


def test_empty_values():
    usage_error(run("info", "--sysroot", ""), "--sysroot ''")
    usage_error(run("info", "--get", ""), "--get ''")
    usage_error(run("info", "--sysroot", "", "--get", "cpu.usable"), "--sysroot '' --get")


def test_none_for_no_limit(tmp):
    root = os.path.join(tmp, "nolimit")
    write(root, "sys/devices/system/cpu/online", b"0-3\n")
    write(root, "proc/self/cgroup", b"0::/job\n")
    write(root, "proc/self/mountinfo", b"40 25 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
    write(root, "sys/fs/cgroup/cgroup.controllers", b"cpu memory\n")
    write(root, "sys/fs/cgroup/job/cpu.max", b"max 100000\n")
    write(root, "sys/fs/cgroup/job/memory.max", b"max\n")
    for key in ("cpu.cgroup_quota", "cgroup.memory_limit_bytes", "memory.cgroup_limit_bytes"):
        result = run("info", "--sysroot", root, "--get", key)
        check(result is not None and result.stdout == b"none\n", f"--get {key}: {result and result.stdout!r}")
    result = run("info", "--sysroot", root, "--get", "identity.model_name")
    check(result is not None and result.stdout == b"unknown\n", f"--get identity.model_name: {result and result.stdout!r}")


def test_long_list(tmp):
    root = os.path.join(tmp, "long")
    write(root, "sys/devices/system/cpu/online", b"0-65536," * 8192 + b"0\n")
    result = run("info", "--sysroot", root, "--get", "cpu.online_count", timeout=60)
    check(result is not None and result.returncode == 0 and result.stdout == b"65537\n",
          f"64 KB online list: {result and (result.returncode, result.stdout[:80], result.stderr[:200])!r}")


def test_get_cpu_matches_report(tmp):
    """`--get cpu.…` reads only the CPU lists and cgroup: it must agree with the full report."""
    root = os.path.join(tmp, "confined")
    write(root, "sys/devices/system/cpu/online", b"0-7\n")
    write(root, "sys/devices/system/cpu/present", b"0-7\n")
    write(root, "proc/self/status", b"Name:\tx\nCpus_allowed_list:\t0-5\n")
    write(root, "proc/self/cgroup", b"0::/job\n")
    write(root, "proc/self/mountinfo", b"40 25 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n")
    write(root, "sys/fs/cgroup/cgroup.controllers", b"cpuset cpu\n")
    write(root, "sys/fs/cgroup/job/cpu.max", b"250000 100000\n")
    write(root, "sys/fs/cgroup/job/cpuset.cpus.effective", b"1-4\n")
    for args in ([], ["--sysroot", root]):
        full = run("info", "--format", "json", *args)
        check(full is not None and full.returncode == 0, f"info {args}: failed")
        if full is None or full.returncode != 0:
            continue
        cpu = json.loads(full.stdout)["cpu"]
        for key, value in cpu.items():
            if isinstance(value, dict):
                continue
            got = run("info", "--get", f"cpu.{key}", *args)
            want = "none" if value is None and key.startswith("cgroup_") else (
                "unknown" if value is None else value if isinstance(value, str) else json.dumps(value))
            check(got is not None and got.stdout.decode().strip() == want,
                  f"--get cpu.{key} {args}: {got and got.stdout!r} vs {want!r}")
    usable = run("info", "--get", "cpu.usable", "--sysroot", root)
    check(usable is not None and usable.stdout == b"3\n", f"confined usable: {usable and usable.stdout!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_named_pipe(tmp)
        test_not_utf8(tmp)
        test_empty_values()
        test_none_for_no_limit(tmp)
        test_long_list(tmp)
        test_get_cpu_matches_report(tmp)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
