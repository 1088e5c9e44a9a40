"""A throwaway PostgreSQL cluster for tests: ``initdb`` in a temporary directory, the server on a
free loopback port, password logins over TCP, stopped and removed at the end.

``initdb`` refuses to run as root, so as root the server's commands run as an unprivileged user
(``postgres`` when it exists, else ``nobody``) through ``runuser``. ``start`` raises
``ClusterUnavailable`` with the reason when there are no binaries or the server will not start;
tests turn that into a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SUPERUSER = "postgres"


class ClusterUnavailable(Exception):
    """PostgreSQL cannot be run here; the message says why."""


def find_bin_dir() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``: on PATH, else the newest Debian-style install."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major, reverse=True)
    return Path(installed[0]).parent if installed else None


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="servicelens-pg-"))
        self.port = _free_port()
        self.password = secrets.token_urlsafe(12)
        self._bin: Path | None = None
        self._as_user: list[str] = []
        self._started = False

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str = "") -> str:
        secret = password or self.password
        return f"postgresql://{user}:{secret}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._bin = find_bin_dir()
        if self._bin is None:
            raise ClusterUnavailable("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
        if os.geteuid() == 0:
            self._run_as_unprivileged_user()
        (self.root / "pw").write_text(self.password + "\n", encoding="utf-8")
        self._chown(self.root / "pw")
        self._run(
            "initdb", "-D", str(self.root / "data"), "-U", SUPERUSER, "--pwfile",
            str(self.root / "pw"), "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
            "-w", "-t", "60", "-o", options, "start",
        )  # fmt: skip
        self._started = True

    def stop(self) -> None:
        if self._started:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def _run_as_unprivileged_user(self) -> None:
        for name in (SUPERUSER, "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            self._as_user = ["runuser", "-u", name, "--"]
            self._uid, self._gid = entry.pw_uid, entry.pw_gid
            self._chown(self.root)
            return
        raise ClusterUnavailable("running as root and no unprivileged user to run PostgreSQL as")

    def _chown(self, path: Path) -> None:
        if self._as_user:
            os.chown(path, self._uid, self._gid)

    def _run(self, tool: str, *args: str) -> None:
        assert self._bin is not None
        cmd = [*self._as_user, str(self._bin / tool), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
            raise ClusterUnavailable(f"{tool} failed: {(done.stderr or done.stdout)[-600:]}{tail}")


@contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    """A started cluster, stopped and removed afterwards; ``ClusterUnavailable`` (after cleaning
    up) when it cannot start."""
    pg = PostgresCluster()
    try:
        pg.start()
    except ClusterUnavailable:
        pg.stop()
        raise
    try:
        yield pg
    finally:
        pg.stop()


@contextmanager
def cluster_or_skip() -> Iterator[PostgresCluster]:
    """``running_cluster`` for a test: a clear skip when PostgreSQL cannot run here."""
    try:
        with running_cluster() as pg:
            yield pg
    except ClusterUnavailable as exc:
        pytest.skip(f"PostgreSQL is not available: {exc}")
