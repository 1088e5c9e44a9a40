"""Every offline playbook by name, and the reply for questions outside them."""

from __future__ import annotations

from ...data.catalog import Catalog
from .business_design import BUSINESS_DESIGN
from .channels import CHANNELS
from .evidence import EVIDENCE
from .gap_analysis import GAP_ANALYSIS
from .influencers import INFLUENCERS
from .key_accounts import KEY_ACCOUNTS
from .metric_change import CHANGE
from .narrative import Writer
from .peaks import PEAKS
from .playbooks import Playbook
from .product_quality import PRODUCT_QUALITY
from .ranking import BREAKDOWN, RANKING
from .remote import REMOTE
from .themes import THEMES
from .trend import TREND
from .what_changed import WHAT_CHANGED

PLAYBOOKS: dict[str, Playbook] = {
    p.name: p
    for p in (
        CHANGE,
        RANKING,
        TREND,
        BREAKDOWN,
        THEMES,
        EVIDENCE,
        PEAKS,
        INFLUENCERS,
        PRODUCT_QUALITY,
        CHANNELS,
        REMOTE,
        KEY_ACCOUNTS,
        WHAT_CHANGED,
        GAP_ANALYSIS,
        BUSINESS_DESIGN,
    )
}


def out_of_scope_text(w: Writer, catalog: Catalog) -> str:
    """What the offline analyst can answer, with examples built from this catalog."""
    metrics = [m for m in catalog.metrics.values() if m.direction != "neutral"]
    first = metrics[0].name if metrics else next(iter(catalog.metrics))
    second = metrics[1].name if len(metrics) > 1 else first
    dim, value = _example_value(catalog)
    examples = [
        w.say("oos.example1", metric=w.metric(first)),
        w.say("oos.example2", metric=w.metric(second), dim=_dim_label(w, catalog, dim)),
        w.say("oos.example3", metric=w.metric(first), value=w.label(dim, value)),
    ]
    lines = [w.say("header"), w.say("oos.lead"), w.say("oos.list")]
    lines.append("\n".join(f"- {e}" for e in examples))
    return "\n\n".join(lines) + "\n"


def _example_value(catalog: Catalog) -> tuple[str, str]:
    for name, dim in catalog.dimensions.items():
        if dim.values and dim.kind == "category" and not dim.from_time:
            return name, dim.values[0]
    return "", ""


def _dim_label(w: Writer, catalog: Catalog, dim: str) -> str:
    if dim not in catalog.dimensions:
        return "region" if w.lang == "en" else "区域"
    spec = catalog.dimensions[dim].spec
    return spec.zh if w.lang == "zh" and spec.zh else spec.en.lower()
