#!/usr/bin/env python3
"""Stop signals against the real binary: a stop is seen within a fraction of a second even
in the middle of a 15 s wait or an op of minutes of compute, a stop in the last repetition
still marks the run interrupted (exit 130), finished cells are in the -o file as soon as
they finish (even a SIGKILL keeps them), and SIGHUP cleans up like SIGINT and SIGTERM.

Usage: test_signals.py /path/to/conc-probe
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []
# Generous for a busy 2-core machine; the waits under test last 15 s or far longer.
MAX_STOP_SECONDS = 1.5


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def start(args, tmp):
    env = dict(os.environ, TMPDIR=str(tmp))
    return subprocess.Popen([BINARY, "bench", "--quiet", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=tmp)


def wait_for(path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return path.exists() and process.poll() is None


def test_long_waits_stop_at_once(tmp):
    for args in (["--workload", "sleep", "--io-latency", "15s"],
                 ["--workload", "mixed", "--io-fraction", "0.000001"],
                 ["--workload", "net", "--io-latency", "15s", "--mode", "threads", "--workers", "2"]):
        for sig in (signal.SIGINT, signal.SIGTERM):
            process = start([*args, "--repetitions", "1", "--warmup", "0"], tmp)
            time.sleep(1.0)
            sent = time.monotonic()
            process.send_signal(sig)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
            took = time.monotonic() - sent
            label = f"{' '.join(args)} {sig.name}"
            check(took < MAX_STOP_SECONDS, f"{label}: stopped {took:.2f} s after the signal")
            check(process.returncode == 130, f"{label}: exit {process.returncode}")


def test_stop_in_last_repetition(tmp):
    # One repetition: the first cell is saved the moment it finishes, so the signal lands
    # in the last (only) repetition of the second cell.
    target = tmp / "last.json"
    process = start(["--workload", "sleep", "--io-latency", "20ms", "--mode", "single,threads", "--workers", "1",
                     "--duration", "1s", "--repetitions", "1", "--warmup", "0", "-o", str(target)], tmp)
    check(wait_for(target, process), "first cell not saved while the run went on")
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    check(process.returncode == 130, f"stop in the last repetition: exit {process.returncode}")
    document = json.loads(target.read_text())
    check(document["interrupted"] is True, "stop in the last repetition: not marked interrupted")
    check(len(document["cells"]) == 1, f"stop in the last repetition: {len(document['cells'])} cells kept")
    # A single cell with one repetition, stopped in its repetition (or its calibration).
    process = start(["--workload", "sleep", "--io-latency", "20ms", "--mode", "single", "--duration", "3s",
                     "--repetitions", "1", "--warmup", "0", "--format", "json"], tmp)
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=30)
    check(process.returncode == 130, f"one cell, one repetition: exit {process.returncode}")
    check(json.loads(stdout)["interrupted"] is True, "one cell, one repetition: not marked interrupted")


def test_sigkill_keeps_finished_cells(tmp):
    target = tmp / "killed.json"
    process = start(["--workload", "sleep", "--io-latency", "10ms", "--mode", "single,threads,gil", "--workers",
                     "1,2", "--duration", "400ms", "--repetitions", "1", "--warmup", "0", "-o", str(target)], tmp)
    check(wait_for(target, process), "no cell saved while the run went on")
    process.kill()
    process.communicate(timeout=30)
    document = json.loads(target.read_text())
    check(1 <= len(document["cells"]) < 5, f"after SIGKILL the -o file has {len(document['cells'])} cells")
    check(not list(tmp.glob(".conc-probe-*")), "temporary output file left behind")


def test_sigkill_keeps_interleaved_work(tmp):
    # Repetitions interleave, so no cell finishes before the last round: the -o file still
    # holds every cell measured so far after each round, marked interrupted.
    target = tmp / "interleaved.json"
    process = start(["--workload", "sleep", "--io-latency", "10ms", "--mode", "single,threads", "--workers", "2",
                     "--duration", "300ms", "--repetitions", "6", "--warmup", "0", "-o", str(target)], tmp)
    check(wait_for(target, process), "no round saved while the run went on")
    process.kill()
    process.communicate(timeout=30)
    document = json.loads(target.read_text())
    cells = document["cells"]
    check(document["interrupted"] is True, "a file saved mid-run must say interrupted")
    check(len(cells) == 2, f"after SIGKILL mid-run the -o file has {len(cells)} cells, expected 2")
    check(all(1 <= len(c["samples"]) < 6 for c in cells),
          f"samples kept per cell: {[len(c['samples']) for c in cells]}")
    threads = [c for c in cells if c["key"]["mode"] == "threads"]
    check(threads and threads[0]["speedup"] is not None, "the provisional threads cell has no speed-up")


def test_sighup_cleans_up(tmp):
    private = tmp / "hup"
    private.mkdir()
    process = start(["--workload", "file", "--mode", "single", "--duration", "5s", "--repetitions", "2"], private)
    time.sleep(1.5)
    process.send_signal(signal.SIGHUP)
    process.communicate(timeout=30)
    check(process.returncode == 130, f"SIGHUP: exit {process.returncode}")
    left = sorted(p.name for p in private.iterdir())
    check(left == [], f"SIGHUP left {left} in TMPDIR")


def descendants(root):
    """Pids of the processes below `root` (from /proc/PID/stat), with their command lines."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parents[int(entry.name)] = (int(stat[stat.rfind(")") + 2:].split()[1]), cmdline)
    found, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        for child, (parent, cmdline) in parents.items():
            if parent == pid and child not in found:
                found[child] = cmdline
                frontier.append(child)
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2] != "Z"


def test_forkserver_stops_at_once(tmp):
    # The server and the workers it forked are grandchildren: all must be gone with the run.
    process = start(["--workload", "sleep", "--io-latency", "15s", "--mode", "process", "--workers", "2",
                     "--start-method", "forkserver", "--repetitions", "1", "--warmup", "0"], tmp)
    deadline = time.monotonic() + 20
    below = {}
    while time.monotonic() < deadline and process.poll() is None:
        below = descendants(process.pid)
        if sum(1 for cmdline in below.values() if b"__forkserver" in cmdline) >= 3:
            break  # the server and its two workers
        time.sleep(0.05)
    check(sum(1 for cmdline in below.values() if b"__forkserver" in cmdline) >= 3,
          f"forkserver: server and workers not seen ({len(below)} processes below the run)")
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    took = time.monotonic() - sent
    check(took < MAX_STOP_SECONDS, f"forkserver SIGINT: stopped {took:.2f} s after the signal")
    check(process.returncode == 130, f"forkserver SIGINT: exit {process.returncode}")
    time.sleep(0.2)
    left = [pid for pid in below if alive(pid)]
    check(left == [], f"forkserver SIGINT left processes {left} behind")


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-signals-") as name:
        tmp = Path(name)
        for test in (test_long_waits_stop_at_once, test_stop_in_last_repetition, test_sigkill_keeps_finished_cells,
                     test_sigkill_keeps_interleaved_work, test_sighup_cleans_up,
                     test_forkserver_stops_at_once):
            started = time.monotonic()
            test(tmp)
            print(f"{test.__name__}: {time.monotonic() - started:.1f}s", file=sys.stderr)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all signal tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
