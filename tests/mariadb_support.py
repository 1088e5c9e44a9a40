"""A throwaway MariaDB server for tests: ``mariadb-install-db`` in a temporary directory, the
server on a free loopback port and a socket in that directory, stopped and removed at the end.

As root the server runs as an unprivileged user (``mysql`` when it exists, else ``nobody``).
The administrator connects over the socket with no password (the data directory is private to
the test); tests create their own users. ``start`` raises ``ServerUnavailable`` with the reason
when there are no binaries or the server will not start; tests turn that into a skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


class ServerUnavailable(Exception):
    """MariaDB cannot be run here; the message says why."""


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MariaDbServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="servicelens-mariadb-"))
        self.port = _free_port()
        self.socket = str(self.root / "mysqld.sock")
        self._proc: subprocess.Popen[bytes] | None = None
        self._user = ""

    def url(self, user: str, password: str, database: str) -> str:
        return f"mariadb://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        server, install = _binary("mariadbd"), _binary("mariadb-install-db")
        if not server or not install:
            raise ServerUnavailable("no MariaDB binaries (mariadbd, mariadb-install-db) here")
        try:
            import pymysql  # noqa: F401
        except ImportError:
            raise ServerUnavailable("the PyMySQL driver is not installed") from None
        data = self.root / "data"
        data.mkdir()
        if os.geteuid() == 0:
            self._user = next((u for u in ("mysql", "nobody") if _has_user(u)), "")
            if not self._user:
                raise ServerUnavailable("running as root and no unprivileged user for MariaDB")
            entry = pwd.getpwnam(self._user)
            for path in (self.root, data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        user = [f"--user={self._user}"] if self._user else []
        done = subprocess.run(
            [install, "--no-defaults", f"--datadir={data}", "--skip-test-db",
             "--auth-root-authentication-method=normal", *user],
            capture_output=True, text=True, timeout=180, cwd=self.root,
        )  # fmt: skip
        if done.returncode != 0:
            raise ServerUnavailable(f"mariadb-install-db failed: {done.stderr[-600:]}")
        log = open(self.root / "server.log", "wb")  # noqa: SIM115 - kept open for the server
        self._proc = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", "--skip-name-resolve",
             f"--pid-file={self.root / 'mysqld.pid'}", "--innodb-buffer-pool-size=32M",
             "--innodb-log-file-size=8M", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0",
             *user],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.root,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = (self.root / "server.log").read_text(errors="replace")[-600:]
                raise ServerUnavailable(f"mariadbd exited: {tail}")
            try:
                self.admin().close()
                return
            except Exception:
                time.sleep(0.2)
        self.stop()
        raise ServerUnavailable("mariadbd did not accept connections within 60 s")

    def admin(self, database: str | None = None) -> Any:
        """A connection as the server's root user over the private socket (autocommit)."""
        import pymysql

        return pymysql.connect(
            unix_socket=self.socket, user="root", password="", database=database,
            autocommit=True, charset="utf8mb4",
        )  # fmt: skip

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
            self._proc = None
        shutil.rmtree(self.root, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
