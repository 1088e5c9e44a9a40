"""A Chroma server for tests: ``chroma run`` on a free loopback port, stopped at the end.

``chroma_server`` raises ``ChromaUnavailable`` when the command is not installed, which tests
turn into a skip.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ChromaUnavailable(Exception):
    """``chroma run`` cannot be started here; the message says why."""


@contextmanager
def chroma_server(root: Path) -> Iterator[str]:
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        raise ChromaUnavailable("the `chroma` command is not installed in this environment")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    log_path = root / "chroma.log"
    cmd = [str(exe), "run", "--path", str(root / "chroma-data"), "--host", "127.0.0.1"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen([*cmd, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(url, proc, log_path)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def _wait(url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text()[-600:]
                raise ChromaUnavailable(f"chroma run did not start: {tail}") from None
            time.sleep(0.3)
