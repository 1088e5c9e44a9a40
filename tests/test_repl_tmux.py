"""``servicelens chat`` driven in tmux the way a person would: type, watch, Ctrl-C, quit.

The chat runs as its own process in a detached tmux session on a private socket, with the real
``openai`` provider talking to a fake OpenAI-compatible endpoint that this test serves on
loopback. The test reads the screen with ``capture-pane``, as a person reads the terminal.
Needs the ``tmux`` binary (``apt-get install -y tmux``); without it the test is skipped.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from repl_support import EAST_MONTHLY, QUESTION, SLA_BY_REGION, sla_answer

from servicelens.agent.testing_endpoint import FakeOpenAIEndpoint, FakeReply

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt-get install -y tmux)"
)
DEADLINE_S = 90.0
SLOW_REPLY_S = 60.0


class Screen:
    """One tmux session on a private socket, so no user's tmux server is ever touched."""

    def __init__(self, socket: str, name: str = "chat") -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        line = shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *command])
        # The shell reports the exit status on the screen once the command ends.
        line += '; echo "exit status $?"'
        self.tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "50", line)
        # Keep the pane after the process ends so its exit status can be read.
        self.tmux("set-option", "-t", self.name, "remain-on-exit", "on")

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)
        self.tmux("send-keys", "-t", self.name, "Enter")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def text(self) -> str:
        # -J joins wrapped lines; -S - includes everything scrolled off the top.
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.name)

    def count(self, pattern: str) -> int:
        return len(re.findall(pattern, self.text(), re.MULTILINE))

    def wait_for(self, pattern: str, times: int = 1, timeout: float = DEADLINE_S) -> str:
        """The screen once ``pattern`` (a regex over lines) shows up ``times`` times."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if len(re.findall(pattern, screen, re.MULTILINE)) >= times:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} did not appear in {timeout:.0f} s; screen:\n{screen}")

    def then(self, text: str, pattern: str) -> str:
        """Type ``text`` and Enter; the screen once ``pattern`` shows up once more than before."""
        before = self.count(pattern)
        self.type(text)
        return self.wait_for(pattern, before + 1)

    def pane(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, fmt).strip()

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def screen() -> Iterator[Screen]:
    s = Screen(f"servicelens-test-{os.getpid()}")
    try:
        yield s
    finally:
        s.kill()


def _script() -> list[object]:
    return [
        FakeReply.tool("query_metric", SLA_BY_REGION),
        FakeReply.say("ok"),
        lambda request: FakeReply.say(sla_answer(request["messages"])),
        # The follow-up is slow to write: the person presses Ctrl-C while waiting.
        FakeReply.tool("query_metric", EAST_MONTHLY),
        FakeReply.say("ok"),
        FakeReply.slow(SLOW_REPLY_S, "LATE DRAFT"),
    ]


def test_chat_in_tmux(screen: Screen, demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)  # the chat writes checkpoints, history and exports
    with FakeOpenAIEndpoint(_script(), model="fake-model") as endpoint:
        env = {
            "OPENAI_BASE_URL": endpoint.base_url,
            "OPENAI_API_KEY": "test-key",
            "SERVICELENS_MODEL": "fake-model",
            "TERM": "xterm-256color",
        }
        chat = [sys.executable, "-c", "from servicelens.cli import main; main()", "chat"]
        screen.start([*chat, "--home", str(home), "--provider", "openai"], env)
        prompt = r"^›\s*$"
        screen.wait_for(prompt)

        shown = screen.then(QUESTION, r"^Sources: \[Q1\]")
        assert "▸ query_metric sla_attainment by region, 2026-Q3 vs 2026-Q2 … 6 rows (Q1)" in shown
        assert "· Period: 2026-Q3 (2026-07-01 – 2026-09-30)" in shown
        assert "SLA attainment fell most in East: 63.1 in 2026-Q3 against 72.3" in shown
        assert re.search(r"Northeast\s+78\.8\s+71\.8", shown)  # the Markdown table, rendered
        screen.wait_for(prompt)

        # Wait for the evidence rows themselves: the header line is printed first.
        shown = screen.then("/sources", r"East\s+63\.1\s+72\.3\s+-9\.1")
        assert re.search(r"^\[Q1\] sla_attainment by region", shown, re.MULTILINE)

        shown = screen.then("/sql", r"tickets.opened_at < '2026-10-01'")
        assert "100.0 * AVG(CAST(tickets.sla_met AS DOUBLE))" in shown

        shown = screen.then("/chart", r"^PNG saved: ")
        assert "SLA attainment (%) by region, 2026-Q3 vs 2026-Q2 [Q1]" in shown
        png = Path(re.findall(r"^PNG saved: (\S+)", shown, re.MULTILINE)[-1])
        assert png.parent == home.resolve() / "exports" and png.read_bytes()[:4] == b"\x89PNG"

        screen.then("And for the East only, by month?", r"▸ query_metric ticket_count by month")
        screen.wait_for(r"writing$")
        screen.keys("C-c")
        shown = screen.wait_for(r"^Cancelled\. The answer was discarded")
        assert "LATE DRAFT" not in shown and screen.pane("#{pane_dead}") == "0"

        # The session goes on: the prompt is back and answers commands.
        screen.then("/model", r"^model fake-model \(provider openai\)")

        screen.type("/quit")
        deadline = time.monotonic() + 30
        while screen.pane("#{pane_dead}") != "1" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert screen.pane("#{pane_dead}") == "1"
        assert re.search(r"^exit status 0$", screen.text(), re.MULTILINE)
    assert QUESTION in (home / "history.txt").read_text(encoding="utf-8")
