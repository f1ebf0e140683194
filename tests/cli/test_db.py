#!/usr/bin/env python3
"""CLI tests of the `db` workload: SQLite in the private directory (single, threads, every
process start method and async give one checksum, nothing is left behind, Ctrl-C stops a
run within the bound), and PostgreSQL through --db-url against a private cluster
(tests/cli/pg_cluster.py). A build without SQLite or libpq says so in one line (exit 2).

Usage: test_db.py /path/to/conc-probe
Exit 77 where PostgreSQL is not installed (after the SQLite checks).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pg_cluster  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
EXPECT_SQLITE = os.environ.get("CONC_PROBE_EXPECT_SQLITE", "1") not in ("0", "FALSE", "false")
EXPECT_POSTGRES = os.environ.get("CONC_PROBE_EXPECT_POSTGRES", "1") not in ("0", "FALSE", "false")
SHORT = ["--workload", "db", "--duration", "50ms", "--repetitions", "2", "--warmup", "0",
         "--workers", "2", "--format", "json", "--quiet"]
# Generous for a busy 2-core machine (the stop itself is seen within 100 ms).
MAX_STOP_SECONDS = 1.5
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def private_env(tmp):
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp)
    return env


def run(args, tmp, timeout=300):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout,
                          env=private_env(tmp))


def usage_error(args, words, label):
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args, tmp)
        check(result.returncode == 2, f"{label}: exit {result.returncode}: {result.stderr}")
        check(result.stdout == "", f"{label}: stdout {result.stdout!r}")
        lines = result.stderr.splitlines()
        check(len(lines) == 1 and lines[0].startswith("conc-probe: error: ") and words in lines[0],
              f"{label}: stderr {result.stderr!r}")


def checksums_agree(args, label, tmp, modes):
    """Runs `bench SHORT args`; every cell succeeds and all give one checksum."""
    result = run(["bench", *SHORT, *args], tmp)
    check(result.returncode == 0, f"{label}: exit {result.returncode}: {result.stderr}")
    if result.returncode != 0:
        return
    cells = json.loads(result.stdout)["cells"]
    check(sorted({c["key"]["mode"] for c in cells}) == sorted(modes), f"{label}: modes of {cells}")
    sums = set()
    for cell in cells:
        name = f"{label} {cell['key']['mode']}/{cell['key']['workers']}"
        check(not cell["failed"], f"{name} failed: {cell['error']}")
        check(cell["checksum_ok"], f"{name}: checksum mismatch")
        sums.update(s["checksum"] for s in cell["samples"])
    check(len(sums) == 1, f"{label}: checksums {sums}")


def test_sqlite():
    with tempfile.TemporaryDirectory() as tmp:
        checksums_agree(["--mode", "single,threads,process,async"], "sqlite", tmp,
                        ["single", "threads", "process", "async"])
        checksums_agree(["--mode", "single,gil,process", "--start-method", "spawn"], "sqlite spawn",
                        tmp, ["single", "gil", "process"])
        check(list(Path(tmp).iterdir()) == [], "sqlite: temporary files left behind")


def test_sqlite_interrupt():
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("threads", "process"):
            process = subprocess.Popen(
                [BINARY, "bench", "--workload", "db", "--mode", mode, "--workers", "2", "--duration", "5s",
                 "--repetitions", "1", "--warmup", "0", "--format", "json", "--quiet"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=private_env(tmp))
            time.sleep(2.0)  # calibrated and measuring: the workers write rows
            sent = time.monotonic()
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
            took = time.monotonic() - sent
            check(took < MAX_STOP_SECONDS, f"sqlite {mode}: stopped {took:.2f} s after SIGINT")
            check(process.returncode == 130, f"sqlite {mode} SIGINT: exit {process.returncode}")
            check(list(Path(tmp).iterdir()) == [], f"sqlite {mode} SIGINT: temporary files left behind")


def test_bad_url():
    usage_error(["bench", "--workload", "db", "--db-url", "mysql://localhost/x"], "postgresql://",
                "a URL of another database")


def test_postgres():
    with pg_cluster.PgCluster() as cluster, tempfile.TemporaryDirectory() as tmp:
        checksums_agree(["--mode", "single,threads,process", "--db-url", cluster.url], "postgresql", tmp,
                        ["single", "threads", "process"])
        check(cluster.tables() == [], f"postgresql: tables left behind: {cluster.tables()}")
        # A server that is not there: the cells fail with libpq's reason, the run ends.
        missing = cluster.url.replace("host=", "host=%2Fnonexistent")
        result = run(["bench", *SHORT, "--mode", "single", "--db-url", missing], tmp)
        check(result.returncode == 1, f"postgresql missing server: exit {result.returncode}")
        if result.returncode == 1:
            cell = json.loads(result.stdout)["cells"][0]
            check(cell["failed"] and "cannot connect" in (cell["error"] or ""),
                  f"postgresql missing server: {cell['error']}")
            # libpq's reason spans lines (a tab-indented hint); the cell's error is one line.
            check("\n" not in (cell["error"] or "") and "\t" not in (cell["error"] or ""),
                  f"postgresql missing server: error not on one line: {cell['error']!r}")


def main():
    if not EXPECT_SQLITE:
        usage_error(["bench", "--workload", "db"], "not built in", "db without SQLite")
    else:
        test_sqlite()
        test_sqlite_interrupt()
    test_bad_url()
    if not EXPECT_POSTGRES:
        usage_error(["bench", "--workload", "db", "--db-url", "postgresql://localhost/x"], "not built in",
                    "--db-url without libpq")
    elif pg_cluster.binaries() is None:
        print("skip: PostgreSQL is not installed (initdb not found)", file=sys.stderr)
        return 1 if FAILURES else 77
    else:
        test_postgres()
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
