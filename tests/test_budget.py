"""Token budgeting works without the network and trims without splitting tool-call pairs."""

from __future__ import annotations

import gzip
import hashlib
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from servicelens.agent import budget


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise OSError("network is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    # An empty tiktoken cache proves the encoding comes from the bundled file, not a download.
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    budget._encoding.cache_clear()
    yield
    budget._encoding.cache_clear()


def test_counts_with_the_bundled_encoding_offline(no_network: None, tmp_path: Path) -> None:
    assert budget.using_tiktoken()
    # tiktoken's and OpenAI's documented values for cl100k_base.
    assert budget.count_tokens("hello world") == 2
    assert budget.count_tokens("tiktoken is great!") == 6
    encoding = budget._encoding()
    assert encoding is not None
    assert encoding.encode("tiktoken is great!") == [83, 1609, 5963, 374, 2294, 0]
    assert budget.count_tokens("上个月华东区的首次解决率是多少？") > 5
    # The file came from the package, not from tiktoken's download cache (never created).
    assert (
        budget.bpe_path() == Path(budget.__file__).resolve().parent / "tokenizer" / budget.BPE_FILE
    )
    assert not (tmp_path / "tiktoken-cache").exists()


def test_estimate_when_the_encoding_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "bpe_path", lambda: None)
    budget._encoding.cache_clear()
    try:
        assert not budget.using_tiktoken()
        assert budget.count_tokens("abcdefg") == 2  # 7 Latin characters / 3.5
        assert budget.count_tokens("上个月") == 3  # one token per CJK character
        assert len(budget.clip_text("word " * 200, 20)) < 100
    finally:
        budget._encoding.cache_clear()


def test_clip_text_fits_and_says_so() -> None:
    text = "row, " * 500
    clipped = budget.clip_text(text, 40)
    assert budget.count_tokens(clipped) <= 40
    assert "clipped" in clipped
    assert budget.clip_text("short", 40) == "short"


def _tool_exchange(call_id: str, payload: str) -> list[dict[str, Any]]:
    call = {"id": call_id, "type": "function", "function": {"name": "run_sql", "arguments": "{}"}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": payload},
    ]


def _conversation() -> list[dict[str, Any]]:
    big = "East,0.63,12034\n" * 300
    return [
        {"role": "system", "content": "You are ServiceLens."},
        {"role": "user", "content": "FCR last quarter?"},
        *_tool_exchange("a", big),
        {"role": "assistant", "content": "FCR was 63% [Q1]."},
        {"role": "user", "content": "And the West?"},
        *_tool_exchange("b", big),
    ]


def _pairs_intact(messages: list[dict[str, Any]]) -> bool:
    calls = {c["id"] for m in messages for c in m.get("tool_calls") or []}
    answers = {m["tool_call_id"] for m in messages if m["role"] == "tool"}
    return calls == answers


def test_trim_within_budget_is_a_copy() -> None:
    messages = _conversation()
    assert budget.trim_messages(messages, 100_000) == messages


def test_trim_clips_oldest_tool_output_first() -> None:
    messages = _conversation()
    total = budget.count_messages(messages)
    trimmed = budget.trim_messages(messages, total - 1000)
    assert budget.count_messages(trimmed) <= total - 1000
    assert "clipped" in trimmed[3]["content"]
    assert trimmed[-1]["content"] == messages[-1]["content"]  # the current turn is untouched
    assert _pairs_intact(trimmed)
    assert messages[3]["content"].count("East") == 300  # the input was not modified


def test_trim_drops_old_exchanges_whole_and_keeps_system_and_latest_user() -> None:
    trimmed = budget.trim_messages(_conversation(), 200)
    roles = [m["role"] for m in trimmed]
    assert roles[0] == "system"
    assert {"role": "user", "content": "And the West?"} in trimmed
    assert "FCR last quarter?" not in [m.get("content") for m in trimmed]
    assert _pairs_intact(trimmed)
    assert budget.count_messages(trimmed) <= 200


def test_count_messages_includes_tool_calls() -> None:
    with_call = _tool_exchange("a", "x")[:1]
    assert budget.count_messages(with_call) > budget.count_messages([{"role": "assistant"}])


def test_counting_a_huge_text_reads_a_bounded_head() -> None:
    # Tokenising a 10 MB tool result took seconds per count and stalled the answer; a long
    # text is counted on its head and scaled, and clipping one is as quick.
    huge = "ab" * 5_000_000
    started = time.perf_counter()
    estimate = budget.count_tokens(huge)
    clipped = budget.clip_text(huge, 100)
    assert time.perf_counter() - started < 1.5
    assert 4_000_000 < estimate < 6_000_000  # the exact count is 5,000,000
    assert budget.count_tokens(clipped) <= 100 and "clipped" in clipped


def test_the_bundled_file_is_checked_against_its_pinned_hash(tmp_path: Path) -> None:
    path = budget.bpe_path()
    assert path is not None
    assert budget.load_encoding(path).encode("hello world") == [15339, 1917]
    # One rank changed, then compressed again: a well-formed file that is not the published one.
    lines = gzip.decompress(path.read_bytes()).splitlines()
    token, _ = lines[1000].split()
    lines[1000] = token + b" 7"
    tampered = tmp_path / budget.BPE_FILE
    tampered.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    with pytest.raises(budget.TokenizerIntegrityError, match=r"not the published cl100k_base"):
        budget.load_encoding(tampered)
    # Bytes changed inside the compressed file: refused, not a zlib traceback.
    data = bytearray(path.read_bytes())
    data[5000:5004] = b"AAAA"
    tampered.write_bytes(bytes(data))
    with pytest.raises(budget.TokenizerIntegrityError, match=r"Reinstall ServiceLens"):
        budget.load_encoding(tampered)


def test_an_altered_bundled_file_fails_the_doctor_check_not_the_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from servicelens.agent.doctor import tokenizer_check

    tampered = tmp_path / budget.BPE_FILE
    tampered.write_bytes(gzip.compress(b"aGVsbG8= 0\n"))
    monkeypatch.setattr(budget, "bpe_path", lambda: tampered)
    budget._encoding.cache_clear()
    try:
        check = tokenizer_check()
        assert check.status == "fail"
        assert "not the published cl100k_base" in check.detail
        with pytest.raises(budget.TokenizerIntegrityError):
            budget.count_tokens("hello")
    finally:
        budget._encoding.cache_clear()


def test_the_notice_names_the_source_licence_and_hash() -> None:
    notice = (Path(budget.__file__).resolve().parent / "tokenizer" / "NOTICE").read_text("utf-8")
    assert budget.BPE_URL in notice
    assert budget.BPE_SHA256 in notice
    assert "MIT License" in notice
    path = budget.bpe_path()
    assert path is not None
    assert hashlib.sha256(path.read_bytes()).hexdigest() in notice
