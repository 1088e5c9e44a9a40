"""Token budgeting: count and trim what is sent to the model, without touching the network.

tiktoken downloads its encoding files on first use (and caches them in TIKTOKEN_CACHE_DIR or
the temporary folder), which fails offline. ServiceLens ships the cl100k_base BPE file itself,
gzip-compressed, in ``agent/tokenizer/`` with a NOTICE giving its origin (the URL tiktoken
registers for cl100k_base), tiktoken's MIT licence and its SHA-256. Before use the decompressed
file is checked against the hash tiktoken itself pins (``BPE_SHA256``) and the encoding is
built from its ranks with tiktoken's ``Encoding`` constructor and tiktoken's published pattern
and special tokens; ``tiktoken.get_encoding`` and ``load_tiktoken_bpe`` are never called, so
tiktoken never downloads, caches or reads a cache. A file that does not match raises
``TokenizerIntegrityError`` saying what to do; no file at all (a stripped install) means counts
fall back to an estimate (3.5 Latin characters per token, one token per CJK character), which
``servicelens doctor`` reports. Counts are for budgeting; when the endpoint reports ``usage``,
that figure is the one to record.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.errors import ServiceLensError

if TYPE_CHECKING:
    import tiktoken

# The BPE file shipped in agent/tokenizer/ (gzip-compressed; see the NOTICE beside it), and the
# SHA-256 of its decompressed contents as tiktoken pins it (tiktoken_ext/openai_public.py, MIT).
BPE_FILE = "cl100k_base.tiktoken.gz"
BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
BPE_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++"""
    r"""[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_SPECIAL_TOKENS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}
# Chat formatting overhead per message and for priming the reply, as OpenAI documents it.
_PER_MESSAGE = 3
_REPLY_PRIMING = 3
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# What is left of a tool output once it has been clipped to make room.
_CLIPPED_TOOL_TOKENS = 48
# Tokenising is linear but slow (seconds for 10 MB); a longer text is counted on this head and the
# count scaled to its length, which is all a budget needs from a result that will be clipped.
_COUNTED_CHARS = 100_000
# Clipping to n tokens reads at most this many characters per token kept.
_CHARS_PER_TOKEN_READ = 16

Message = dict[str, Any]


class TokenizerIntegrityError(ServiceLensError):
    """The bundled tokenizer file is not the one tiktoken publishes."""


@functools.lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding | None:
    path = bpe_path()
    if path is None:
        # No bundled encoding: estimating is better than downloading or failing.
        return None
    return load_encoding(path)


def bpe_path() -> Path | None:
    """The cl100k_base file shipped in this package, if the install has it."""
    path = Path(__file__).resolve().parent / "tokenizer" / BPE_FILE
    return path if path.is_file() else None


def load_encoding(path: Path, expected_sha256: str = BPE_SHA256) -> tiktoken.Encoding:
    """The cl100k_base encoding from the gzip-compressed BPE file at ``path``, whose
    decompressed contents must have the SHA-256 ``expected_sha256``. Nothing is downloaded."""
    import tiktoken

    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise _damaged(path, f"it does not decompress: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise _damaged(
            path, f"its SHA-256 is {digest[:12]}…, not the expected {expected_sha256[:12]}…"
        )
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return tiktoken.Encoding(
        name="cl100k_base", pat_str=_PATTERN, mergeable_ranks=ranks, special_tokens=_SPECIAL_TOKENS
    )


def _damaged(path: Path, why: str) -> TokenizerIntegrityError:
    return TokenizerIntegrityError(
        f"The tokenizer file {path} is not the published cl100k_base ({why}); it was altered "
        "or damaged. Reinstall ServiceLens (pip install --force-reinstall servicelens) to "
        "restore it."
    )


def using_tiktoken() -> bool:
    """True when counts come from the bundled tokenizer rather than the estimate."""
    return _encoding() is not None


def estimate_tokens(text: str) -> int:
    cjk = len(_CJK.findall(text))
    other = len(text) - cjk
    return cjk + (int(other / 3.5 + 0.999) if other else 0)


def count_tokens(text: str) -> int:
    if len(text) <= _COUNTED_CHARS:
        return _exact_count(text)
    head = text[:_COUNTED_CHARS]
    return -(-_exact_count(head) * len(text) // len(head))


def _exact_count(text: str) -> int:
    if not text:
        return 0
    enc = _encoding()
    if enc is None:
        return estimate_tokens(text)
    return len(enc.encode(text, disallowed_special=()))


def _content_text(content: Any) -> str:
    # Content may be a string, None, or a list of parts ({"type": "text", "text": ...}).
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def count_message(message: Message) -> int:
    total = _PER_MESSAGE + count_tokens(_content_text(message.get("content")))
    # Reasoning kept on a tool-call message counts where the family has it sent back.
    total += count_tokens(str(message.get("reasoning_content") or ""))
    if message.get("name"):
        total += count_tokens(str(message["name"])) + 1
    for call in message.get("tool_calls") or []:
        fn = call.get("function", {})
        total += 3 + count_tokens(str(fn.get("name", ""))) + count_tokens(fn.get("arguments", ""))
    return total


def count_messages(messages: list[Message]) -> int:
    """Tokens the messages take in a Chat Completions prompt, reply priming included."""
    return sum(count_message(m) for m in messages) + _REPLY_PRIMING


def count_tools(tools: list[dict[str, Any]] | None) -> int:
    """Tokens the tool schemas take (their JSON text; close to what endpoints charge)."""
    if not tools:
        return 0
    return count_tokens(json.dumps(tools, ensure_ascii=False, separators=(",", ":")))


def clip_text(text: str, max_tokens: int) -> str:
    """The text cut to at most ``max_tokens`` tokens, saying how much was cut."""
    total = count_tokens(text)
    if total <= max_tokens:
        return text
    marker = f" … [clipped {total} → {max_tokens} tokens]"
    if count_tokens(marker) >= max_tokens:
        # Too small a budget for the note: keep what fits and a bare ellipsis.
        marker = "…"
    keep = max(max_tokens - count_tokens(marker), 0)
    return _head(text, keep) + marker


def _head(text: str, n_tokens: int) -> str:
    # Only the beginning is kept, so only the beginning is read: enough characters for one token
    # more than is kept, so where the read stops cannot change the tokens kept.
    text = text[: (n_tokens + 1) * _CHARS_PER_TOKEN_READ]
    enc = _encoding()
    if enc is None:
        # Cut by the estimate's own ratio so the result re-estimates within budget.
        out = text
        while out and estimate_tokens(out) > n_tokens:
            out = out[: max(int(len(out) * n_tokens / estimate_tokens(out)), 0)]
        return out
    tokens = enc.encode(text, disallowed_special=())[:n_tokens]
    # A token boundary may split a multi-byte character; drop the fragment.
    return enc.decode_bytes(tokens).decode("utf-8", errors="ignore")


def trim_messages(messages: list[Message], max_tokens: int) -> list[Message]:
    """Messages that fit ``max_tokens``: system prompts and the latest user turn are kept.

    Oldest tool outputs are clipped first, then the oldest exchanges are dropped whole (an
    assistant tool-call message always goes with its tool results), then tool outputs of the
    current turn are clipped. The input list is not modified. If the kept part alone exceeds
    the budget, the result is as small as these rules allow and still over it.
    """
    units = _units([dict(m) for m in messages])
    sizes = [sum(count_message(m) for m in u) for u in units]
    tail = _tail_start(units)

    def total() -> int:
        return sum(sizes) + _REPLY_PRIMING

    for stage in (range(tail), None, range(tail, len(units))):
        if total() <= max_tokens:
            break
        if stage is None:
            for i in range(tail):
                if total() <= max_tokens:
                    break
                if not _is_system(units[i]):
                    units[i], sizes[i] = [], 0
            continue
        for i in stage:
            if total() <= max_tokens:
                break
            sizes[i] -= _clip_tool_outputs(units[i])
    return [m for u in units for m in u]


def _units(messages: list[Message]) -> list[list[Message]]:
    """Group an assistant tool-call message with the tool results that follow it."""
    units: list[list[Message]] = []
    for m in messages:
        if m.get("role") == "tool" and units and _opens_tool_calls(units[-1]):
            units[-1].append(m)
        else:
            units.append([m])
    return units


def _opens_tool_calls(unit: list[Message]) -> bool:
    return unit[0].get("role") == "assistant" and bool(unit[0].get("tool_calls"))


def _is_system(unit: list[Message]) -> bool:
    return unit[0].get("role") in ("system", "developer")


def _tail_start(units: list[list[Message]]) -> int:
    for i in range(len(units) - 1, -1, -1):
        if units[i][0].get("role") == "user":
            return i
    return len(units)


def _clip_tool_outputs(unit: list[Message]) -> int:
    """Clip every tool result in the unit; return how many tokens that saved."""
    saved = 0
    for m in unit:
        if m.get("role") != "tool":
            continue
        before = count_message(m)
        m["content"] = clip_text(_content_text(m.get("content")), _CLIPPED_TOOL_TOKENS)
        saved += before - count_message(m)
    return saved
