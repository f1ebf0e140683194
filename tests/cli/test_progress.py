#!/usr/bin/env python3
"""The bench progress line, on a real terminal (a pty as stderr) and in a pipe.

On a terminal: one line redrawn in place (carriage return, erase), never wider than the
terminal, with the share of the run done (never falling), the time left, and each cell
named exactly as the table names it; cleared at the end and after Ctrl-C. TERM=dumb and
--color never draw it without escapes. In a pipe, stderr gets nothing; stdout's JSON is
the same document either way.

Usage: test_progress.py /path/to/conc-probe
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []
RUN = ["bench", "--workload", "sleep", "--mode", "single,threads,gil", "--workers", "2",
       "--io-latency", "1ms", "--duration", "40ms", "--repetitions", "2", "--warmup", "1"]
SEP = " \u00b7 "


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run_on_pty(args, columns=100, env_extra=None, interrupt_after=None, resize_after=None):
    """Runs the binary with stderr on a pty of `columns` columns; returns (code, stdout,
    the bytes the terminal got). `resize_after` (frames, columns): resize the terminal then."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = dict(os.environ)
    env.update({"TERM": "xterm", **(env_extra or {})})
    env.pop("COLUMNS", None)
    process = subprocess.Popen([BINARY, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=slave, env=env)
    os.close(slave)
    got = b""
    out_chunks = []
    sent = False
    deadline = time.monotonic() + 120
    streams = [master, process.stdout.fileno()]
    while streams and time.monotonic() < deadline:
        ready, _, _ = select.select(streams, [], [], 0.1)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other side closed
                data = b""
            if not data:
                streams.remove(fd)
            elif fd == master:
                got += data
            else:
                out_chunks.append(data)
        if resize_after and got.count(b"\r") >= resize_after[0]:
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, resize_after[1], 0, 0))
            resize_after = None
        if interrupt_after and not sent and got.count(b"\r") >= interrupt_after:
            process.send_signal(signal.SIGINT)
            sent = True
    process.wait(timeout=60)
    os.close(master)
    return process.returncode, b"".join(out_chunks), got


def frames_of(got, escapes=True):
    """The texts the line showed, in order (without the erase sequence and padding)."""
    text = got.decode("utf-8")
    frames = []
    for part in text.split("\r"):
        if escapes:
            part = part.replace("\x1b[K", "")
        part = part.rstrip(" ")
        if part:
            frames.append(part)
    return frames


def table_labels(table):
    """(workload, mode label) of every row of the bench table."""
    labels = set()
    for line in table.splitlines():
        m = re.match(r"^(\S+)\s+(single|threads\u00d7\d+|gil\u00d7\d+ @\S+|process\u00d7\d+)\s", line)
        if m:
            labels.add(f"{m.group(1)} {m.group(2)}")
    return labels


def test_terminal():
    code, stdout, got = run_on_pty([*RUN, "--format", "table"])
    check(code == 0, f"terminal run: exit {code}")
    check(b"\n" not in got, f"progress is not one line: {got[:300]!r}")
    frames = frames_of(got)
    check(len(frames) >= 9, f"only {len(frames)} progress frames: {frames!r}")
    check(got.endswith(b"\r\x1b[K"), f"the line is not cleared at the end: {got[-40:]!r}")
    percents = [int(f.split("%")[0]) for f in frames if re.match(r"^\d+%", f)]
    check(len(percents) == len(frames), f"a frame without the share done: {frames!r}")
    check(percents == sorted(percents), f"the share done fell: {percents}")
    check(percents and percents[-1] >= 60, f"the last frame says {percents[-1:]}% done")
    check(all(re.match(r"^\d+% \u00b7 \d+:\d\d left", f) for f in frames), f"no time left: {frames!r}")
    labels = table_labels(stdout.decode())
    check(len(labels) == 3, f"table rows not found: {stdout.decode()!r}")
    shown = set()
    for f in frames:
        parts = f.split(SEP)
        if parts[-1].startswith(("rep ", "warm-up ")):
            shown.add(parts[-2])
    check(shown == labels, f"progress names cells {sorted(shown)}, the table {sorted(labels)}")
    check(any("calibrating sleep" in f for f in frames), "no calibration step shown")


def test_narrow_terminal():
    code, _, got = run_on_pty([*RUN, "--format", "json"], columns=40)
    check(code == 0, f"narrow run: exit {code}")
    frames = frames_of(got)
    widest = max(len(f) for f in frames) if frames else 0
    check(frames and widest <= 39, f"a frame wider than 39 columns on a 40-column terminal: {widest}")


def test_resized_terminal():
    code, _, got = run_on_pty([*RUN, "--format", "json"], columns=120, resize_after=(4, 40))
    check(code == 0, f"resized run: exit {code}")
    frames = frames_of(got)
    wide = max(len(f) for f in frames[:3]) if frames else 0
    # A frame being drawn while the size changed may still be wide; later ones are not.
    late = frames[8:]
    check(wide > 40 and late and max(len(f) for f in late) <= 39,
          f"frames do not follow the resize: first {wide}, later {[len(f) for f in late]}")


def test_no_escapes():
    for label, args, env in (("TERM=dumb", [], {"TERM": "dumb"}), ("--color never", ["--color", "never"], {})):
        code, stdout, got = run_on_pty([*RUN, "--format", "json", *args], env_extra=env)
        check(code == 0, f"{label}: exit {code}")
        check(b"\x1b" not in got, f"{label}: escape codes on the terminal: {got[:200]!r}")
        frames = frames_of(got, escapes=False)
        check(len(frames) >= 9, f"{label}: {len(frames)} frames")
        check(re.search(rb"\r +\r$", got) is not None, f"{label}: not cleared with spaces: {got[-40:]!r}")
        check(json.loads(stdout)["cells"], f"{label}: no JSON on stdout")


def test_pipe_and_json():
    result = subprocess.run([BINARY, *RUN, "--format", "json"], capture_output=True)
    check(result.returncode == 0, f"pipe run: exit {result.returncode}")
    check(result.stderr == b"", f"stderr in a pipe is not empty: {result.stderr[:200]!r}")
    piped = json.loads(result.stdout)
    code, stdout, _ = run_on_pty([*RUN, "--format", "json"])
    on_terminal = json.loads(stdout)
    check(code == 0 and b"\x1b" not in stdout and b"\r" not in stdout, "JSON on stdout touched by progress")
    check(list(piped) == list(on_terminal), "JSON keys differ with progress on a terminal")
    check([c["key"] for c in piped["cells"]] == [c["key"] for c in on_terminal["cells"]],
          "JSON cells differ with progress on a terminal")
    code, _, got = run_on_pty([*RUN, "--format", "json", "--quiet"])
    check(code == 0 and got == b"", f"--quiet on a terminal still drew: {got[:100]!r}")


def test_interrupt_clears():
    args = ["bench", "--workload", "sleep", "--mode", "single,threads", "--workers", "2",
            "--io-latency", "1ms", "--duration", "300ms", "--repetitions", "20", "--format", "json"]
    code, stdout, got = run_on_pty(args, interrupt_after=3)
    check(code == 130, f"Ctrl-C: exit {code}")
    check(got.endswith(b"\r\x1b[K"), f"Ctrl-C: the line is not cleared: {got[-60:]!r}")
    check(json.loads(stdout)["interrupted"] is True, "Ctrl-C: the report is not marked interrupted")


def main():
    test_terminal()
    test_narrow_terminal()
    test_resized_terminal()
    test_no_escapes()
    test_pipe_and_json()
    test_interrupt_clears()
    print(f"progress: {'ok' if not FAILURES else f'{len(FAILURES)} failed'}")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
