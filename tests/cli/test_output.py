#!/usr/bin/env python3
"""The output path of every subcommand, under faults: a full disk or a closed stdout is an
error (exit 1), a reader that closes the pipe ends the run quietly, `-o` replaces a link's
target and never the link, an `-o` that cannot be written is refused before any work, and
flag values that are empty or carry control characters are refused with a printable message.

Usage: test_output.py /path/to/conc-probe
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BINARY = os.path.abspath(sys.argv[1])
FAILURES = []
TINY = ["--workload", "count", "--mode", "single", "--duration", "20ms", "--repetitions", "1",
        "--warmup", "0", "--quiet"]


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, **kwargs):
    if "stdout" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run([BINARY, *args], text=True, timeout=120, **kwargs)


def one_error_line(result, code, words, label):
    lines = result.stderr.splitlines()
    check(result.returncode == code, f"{label}: exit {result.returncode}, expected {code} ({result.stderr!r})")
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: ") and words in lines[0],
          f"{label}: stderr {result.stderr!r} is not one error line with {words!r}")


def test_stdout_errors():
    with open("/dev/full", "w") as full:
        for args in (["bench", *TINY, "--format", "json"], ["info"], ["info", "--format", "json"], ["list"],
                     ["--help"]):
            result = run(args, stdout=full, stderr=subprocess.PIPE)
            one_error_line(result, 1, "cannot write to stdout", f"{' '.join(args)} >/dev/full")
    for args in (["info"], ["list"], ["bench", *TINY]):
        result = run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(),
                     preexec_fn=lambda: os.close(1))
        one_error_line(result, 1, "cannot write to stdout", f"{' '.join(args)} >&-")


def test_saved_run_commands_check_stdout(tmp):
    # show, report and compare render a saved run: their writes are checked like bench's.
    saved = tmp / "run.json"
    made = run(["bench", *TINY, "-o", str(saved), "--quiet"])
    check(made.returncode == 0 and saved.is_file(), f"bench -o run.json: {made.stderr!r}")
    with open("/dev/full", "w") as full:
        for args in (["show", str(saved)], ["show", str(saved), "-f", "json"],
                     ["show", str(saved), "-f", "csv"], ["report", str(saved)],
                     ["compare", str(saved), str(saved)]):
            result = run(args, stdout=full, stderr=subprocess.PIPE)
            one_error_line(result, 1, "cannot write to stdout", f"{' '.join(args[:1])} >/dev/full")
    result = run(["show", str(saved), "-f", "xml"])
    one_error_line(result, 2, "table, json, markdown or csv", "show -f xml")
    check(result.stdout == "", "show -f xml: nothing on stdout")


def test_closed_pipe_is_quiet():
    # A reader that stops after one line: the writer must end without a message.
    for args in (["info", "--format", "json"], ["bench", *TINY, "--format", "json"]):
        writer = subprocess.Popen([BINARY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        writer.stdout.close()  # closed before anything is read: every write fails with EPIPE
        _, stderr = writer.communicate(timeout=120)
        check(stderr == b"", f"{' '.join(args)} | (closed): stderr {stderr!r}")
        check(writer.returncode in (-13, 141), f"{' '.join(args)} | (closed): exit {writer.returncode}")


def test_links_stay_links(tmp):
    target = tmp / "real.json"
    link = tmp / "link.json"
    link.symlink_to("real.json")
    result = run(["bench", *TINY, "-o", str(link)])
    check(result.returncode == 0, f"-o through a link: exit {result.returncode} {result.stderr!r}")
    check(link.is_symlink(), "-o replaced the symbolic link with a file")
    check(target.is_file() and target.read_text().startswith("{"), "-o did not write the link's target")
    dangling = tmp / "dangling.json"
    dangling.symlink_to("sub/new.json")
    (tmp / "sub").mkdir()
    result = run(["bench", *TINY, "-o", str(dangling)])
    check(result.returncode == 0 and dangling.is_symlink() and (tmp / "sub" / "new.json").is_file(),
          f"-o through a dangling link: {result.returncode} {result.stderr!r}")
    # /dev/stdout is a link to the process's descriptor: with stdout a pipe it cannot be
    # renamed over, and must be left alone.
    before = os.lstat("/dev/stdout")
    result = run(["bench", *TINY, "-o", "/dev/stdout"])
    after = os.lstat("/dev/stdout")
    check(stat.S_ISLNK(after.st_mode) and after.st_ino == before.st_ino, "-o /dev/stdout replaced /dev/stdout")
    check(result.returncode == 2 and result.stdout == "", f"-o /dev/stdout to a pipe: {result.returncode}")
    # With stdout a regular file, the report reaches that file and /dev/stdout stays a link.
    with open(tmp / "stdout.json", "w") as out:
        result = run(["bench", *TINY, "-o", "/dev/stdout"], stdout=out, stderr=subprocess.PIPE)
    after = os.lstat("/dev/stdout")
    check(stat.S_ISLNK(after.st_mode) and after.st_ino == before.st_ino, "-o /dev/stdout replaced /dev/stdout")
    check(result.returncode == 0 and (tmp / "stdout.json").read_text().startswith("{"),
          f"-o /dev/stdout to a file: {result.returncode} {result.stderr!r}")
    for leftover in tmp.rglob(".conc-probe-*"):
        check(False, f"temporary file left: {leftover}")


def test_unwritable_refused_up_front(tmp):
    started = time.monotonic()
    slow = ["bench", "--workload", "count", "--mode", "single", "--duration", "2s", "--repetitions", "3"]
    result = run([*slow, "-o", str(tmp / "missing" / "r.json")])
    one_error_line(result, 2, "cannot write", "-o in a missing directory")
    immutable = tmp / "immutable.json"
    immutable.write_text("old\n")
    if subprocess.run(["chattr", "+i", str(immutable)], capture_output=True).returncode == 0:
        try:
            result = run([*slow, "-o", str(immutable)])
            one_error_line(result, 2, "immutable", "-o an immutable file")
            check(immutable.read_text() == "old\n", "immutable file changed")
        finally:
            subprocess.run(["chattr", "-i", str(immutable)], check=True)
    else:
        print("skip: chattr +i not supported here", file=sys.stderr)
    if os.geteuid() == 0:
        sticky = tmp / "sticky"
        sticky.mkdir()
        os.chmod(sticky, 0o1777)
        owned = sticky / "root.json"
        owned.write_text("root's\n")
        os.chmod(owned, 0o666)

        def as_nobody():
            os.setgid(65534)
            os.setuid(65534)

        os.chmod(tmp, 0o755)
        os.chmod(tmp.parent, 0o755)
        result = run([*slow, "-o", str(owned)], preexec_fn=as_nobody, cwd="/")
        one_error_line(result, 2, "another user", "-o another user's file in a sticky directory")
        check(owned.read_text() == "root's\n", "another user's file changed")
    check(time.monotonic() - started < 20, "refusals took the time of a run")
    long_name = tmp / ("n" * 250 + ".json")  # 255 bytes: the longest legal name
    result = run(["bench", *TINY, "-o", str(long_name)])
    check(result.returncode == 0 and long_name.is_file(), f"255-byte -o name: {result.returncode} {result.stderr!r}")


def test_flag_values(tmp):
    for args, words in (
            (["bench", "-o", ""], "--output"), (["bench", "--format", ""], "--format"),
            (["bench", "--cpus", ""], "--cpus"), (["bench", "--baseline", ""], "--baseline"),
            (["bench", "--trace", ""], "--trace"), (["info", "--format", ""], "--format"),
            (["compare", "a", "b", "--format", ""], "--format"),
            (["bench", "--threshold", "abc"], "--threshold"), (["bench", "--threshold", "5%"], "--baseline"),
            (["bench", "-o", str(tmp / "same.json"), "--trace", str(tmp / "." / "same.json")], "same file"),
            (["bench", "--mode", "thr\neads\x1b[2J"], "thr\\neads\\x1b[2J")):
        result = run(args, cwd=tmp)
        one_error_line(result, 2, words, repr(args))
        check(result.stdout == "", f"{args!r}: stdout not empty")
        check("\x1b" not in result.stderr, f"{args!r}: raw ESC in the message")
    check(not (tmp / "same.json").exists(), "-o X --trace X wrote X")


def main():
    with tempfile.TemporaryDirectory(prefix="conc-probe-output-") as name:
        tmp = Path(name)
        for test in (test_stdout_errors, test_closed_pipe_is_quiet):
            test()
        for test in (test_links_stay_links, test_unwritable_refused_up_front, test_flag_values,
                     test_saved_run_commands_check_stdout):
            sub = tmp / test.__name__
            sub.mkdir()
            test(sub)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("all output tests passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
