"""What kind of answer a question asks for: quotes, themes, a trend, a ranking, a breakdown, a
share, a change, a document, or one value.

Read from the question's function words (``prompts/offline_shapes.yaml``), never from catalog
words. Several shapes can be present ("the trend of complaints, with examples"); they come back
in order of precedence, and the understanding step decides what they mean together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ...prompts import load_yaml

Shape = Literal[
    "document", "quotes", "themes", "trend", "ranking", "breakdown", "share", "change"
]  # fmt: skip
ORDER: tuple[Shape, ...] = (
    "document", "quotes", "themes", "trend", "ranking", "breakdown", "share", "change"
)  # fmt: skip


@dataclass(frozen=True)
class ShapeReading:
    shapes: tuple[Shape, ...] = ()
    # A ranking asked from both ends ("best and worst", "前几名和后几名").
    both_ends: bool = False

    def has(self, shape: Shape) -> bool:
        return shape in self.shapes

    @property
    def first(self) -> Shape | None:
        return self.shapes[0] if self.shapes else None


@cache
def _patterns() -> tuple[dict[Shape, list[re.Pattern[str]]], list[re.Pattern[str]]]:
    data = load_yaml("offline_shapes.yaml")
    shapes = {s: [re.compile(p, re.IGNORECASE) for p in data["shapes"][s]] for s in ORDER}
    both = [re.compile(p, re.IGNORECASE) for p in data["both_ends"]]
    return shapes, both


def read_shape(question: str) -> ShapeReading:
    shapes, both = _patterns()
    found = tuple(s for s in ORDER if any(p.search(question) for p in shapes[s]))
    return ShapeReading(found, any(p.search(question) for p in both))
