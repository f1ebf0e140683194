"""A private PostgreSQL cluster for the tests: initdb into a temporary directory, a server
listening only on a unix socket in that directory, stopped and removed on exit.

As root (CI) the server runs as the `postgres` user, which PostgreSQL requires; the
directory is then owned by it.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote


def binaries():
    """The directory of initdb and pg_ctl, or None where PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PgCluster:
    """`with PgCluster() as cluster:` starts the server; cluster.url is its libpq URI."""

    def __init__(self):
        self.bin = binaries()
        self.root = None
        self.url = None

    def _as_owner(self, argv):
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120)

    def __enter__(self):
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed")
        self.root = Path(tempfile.mkdtemp(prefix="conc-probe-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        data, socket_dir = self.root / "data", self.root
        done = self._as_owner([str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "conc",
                               "-E", "UTF8", "--no-sync"])
        if done.returncode != 0:
            self._remove()
            raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
        options = f"-k {socket_dir} -c listen_addresses='' -F"
        done = self._as_owner([str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                               str(self.root / "server.log"), "-w", "-t", "60", "start"])
        if done.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace") if (self.root / "server.log").exists() else ""
            self._remove()
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log[-500:]}")
        self.url = f"postgresql:///postgres?host={quote(str(socket_dir), safe='')}&user=conc"
        return self

    def tables(self):
        """The names of the tables in the public schema (through psql)."""
        psql = self.bin / "psql"
        done = subprocess.run([str(psql), self.url, "-At", "-c",
                               "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return [line for line in done.stdout.splitlines() if line]

    def __exit__(self, *exc):
        if self.root is not None:
            self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                            "-w", "stop"])
            self._remove()

    def _remove(self):
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
