"""The evidence ledger: every tool result gets an id the answer can cite.

Ids: ``Q<n>`` query results, ``V:<voc_id>`` customer-voice records, ``T<n>`` filled templates,
``C<n>`` charts. The ledger keeps the full result; the model only sees a compact view. It is a
pydantic model so that it travels in the checkpointed graph state.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

EvidenceKind = Literal["query", "voc", "template", "chart"]
_PREFIX: dict[str, str] = {"query": "Q", "template": "T", "chart": "C"}


class Evidence(BaseModel):
    id: str
    kind: EvidenceKind
    tool: str
    # Query results: the SQL that ran and every row it returned (up to the row cap).
    sql: str | None = None
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    truncated: bool = False
    # VOC records: the (redacted) text exactly as stored.
    text: str | None = None
    # Anything else worth showing with a citation: source, date, region, period, params.
    meta: dict[str, Any] = Field(default_factory=dict)

    def values(self) -> list[Any]:
        """Every scalar this evidence holds, for number checks."""
        out: list[Any] = [v for row in self.rows for v in row]
        out.extend(v for v in self.meta.values() if isinstance(v, int | float))
        return out


class Ledger(BaseModel):
    items: dict[str, Evidence] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)

    def next_id(self, kind: EvidenceKind) -> str:
        prefix = _PREFIX[kind]
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}{n}"

    def add(self, kind: EvidenceKind, tool: str, **fields: Any) -> Evidence:
        """Register a query, template or chart result under a fresh id."""
        ev = Evidence(id=self.next_id(kind), kind=kind, tool=tool, **fields)
        self.items[ev.id] = ev
        return ev

    def add_voc(self, voc_id: str, text: str, tool: str, **meta: Any) -> Evidence:
        """Register a VOC record; the same record cited twice keeps one id."""
        ev_id = f"V:{voc_id}"
        if ev_id not in self.items:
            self.items[ev_id] = Evidence(id=ev_id, kind="voc", tool=tool, text=text, meta=meta)
        return self.items[ev_id]

    def get(self, ev_id: str) -> Evidence | None:
        return self.items.get(ev_id)

    def __contains__(self, ev_id: object) -> bool:
        return ev_id in self.items

    def __len__(self) -> int:
        return len(self.items)
