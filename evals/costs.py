"""Estimated cost of a run: a small price table per model name, replaceable from a file.

Prices are US dollars per million tokens (input, output), list prices as published by the
vendors when this table was written; they drift, so teams pass their own with ``--prices``.
The offline and scripted providers cost nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .cases import GoldenError

PriceTable = dict[str, tuple[float, float]]

DEFAULT_PRICES: PriceTable = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "deepseek-chat": (0.27, 1.10),
    "qwen-plus": (0.40, 1.20),
    "qwen-max": (1.60, 6.40),
}


def load_prices(path: Path) -> PriceTable:
    """A YAML or JSON mapping ``model: {input: 0.15, output: 0.60}`` (USD per 1M tokens)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GoldenError(f"Cannot read the price table {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise GoldenError(f"{path}: the price table must map model names to input/output prices.")
    table: PriceTable = {}
    for model, price in raw.items():
        if not isinstance(price, dict) or not {"input", "output"} <= set(price):
            raise GoldenError(f"{path}: {model} needs input and output prices per 1M tokens.")
        table[str(model)] = (float(price["input"]), float(price["output"]))
    return table


def price_of(table: PriceTable | None, model: str) -> tuple[float, float] | None:
    """The exact model's price, else the longest name it starts with (gpt-4o-2024-08-06)."""
    prices = DEFAULT_PRICES if table is None else table
    if model in prices:
        return prices[model]
    prefixes = [name for name in prices if model.startswith(name)]
    return prices[max(prefixes, key=len)] if prefixes else None


def estimate_cost(
    table: PriceTable | None, model: str, prompt_tokens: int, completion_tokens: int
) -> float | None:
    """Dollars for the tokens, or None when the model has no price."""
    price = price_of(table, model)
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)
