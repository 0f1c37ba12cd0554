"""A private PostgreSQL server for the tests, on 127.0.0.1, started from Debian's binaries.

It is started once per test session in a temporary folder (as the ``postgres`` system user when
the tests run as root, since initdb refuses root) and stopped at the end. Each test gets a fresh
database. Without a PostgreSQL server installed the tests that need it fail, saying what to install:
a missing server must not pass for a working backend.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

MISSING = (
    "These tests need a PostgreSQL server: install Debian's package (apt-get install postgresql), "
    "or set POSTGRES_BIN to the folder holding initdb and pg_ctl. .ci/run installs it when it is missing."
)


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: POSTGRES_BIN, else the newest Debian PostgreSQL."""
    if configured := os.environ.get("POSTGRES_BIN"):
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """One cluster in its own folder, listening on a free port of 127.0.0.1 only."""

    def __init__(self, bin_dir: Path, *, durable: bool = False) -> None:
        self.bin_dir = bin_dir
        self.durable = durable  # fsync on, as a real server; tests turn it off for speed
        self.root = Path(tempfile.mkdtemp(prefix="essay-bot-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as = "postgres" if os.geteuid() == 0 else None
        if self._as is not None:
            account = pwd.getpwnam(self._as)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._as is not None:
            command = ["runuser", "-u", self._as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.root, timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
