"""One Chinese word segmenter for the process (jieba), loaded on first use and kept quiet.

jieba logs its dictionary loading at INFO on every process start, and building a tokenizer
costs about a second; every part that splits Chinese text into words shares this one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_lock = threading.Lock()
_tokenizer: Any = None


def segmenter() -> Any:
    """The shared ``jieba.Tokenizer`` (initialised once, thread-safe to create)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer
