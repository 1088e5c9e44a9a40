"""Every offline playbook by name, and the reply for questions outside them."""

from __future__ import annotations

from ...data.catalog import Catalog
from .business_design import BUSINESS_DESIGN
from .catalog_choice import default_dimension, reaches
from .channels import CHANNELS
from .conditions import CONDITION_SPLIT
from .evidence import EVIDENCE
from .gap_analysis import GAP_ANALYSIS
from .group_filter import GROUP_FILTER
from .influencers import INFLUENCERS
from .item_ranking import ITEM_RANKING
from .key_accounts import KEY_ACCOUNTS
from .label_depth import LABEL_DEPTH
from .mentions import MENTIONS
from .metric_change import CHANGE
from .narrative import Writer
from .peaks import PEAKS
from .playbooks import Playbook
from .proactive import CUSTOMERS_AT_RISK, EARLY_WARNINGS
from .product_quality import PRODUCT_QUALITY
from .ranking import BREAKDOWN, RANKING
from .remote import REMOTE
from .shares import SHARE
from .strategy import STRATEGY
from .themes import THEMES
from .trend import TREND
from .understand import Intent
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
        STRATEGY,
        MENTIONS,
        SHARE,
        LABEL_DEPTH,
        GROUP_FILTER,
        CONDITION_SPLIT,
        ITEM_RANKING,
        EARLY_WARNINGS,
        CUSTOMERS_AT_RISK,
    )
}


def out_of_scope_text(w: Writer, catalog: Catalog) -> str:
    """What the offline analyst can answer, with examples built from this catalog."""
    lines = [w.say("header"), w.say("oos.lead"), w.say("oos.list")]
    lines.append("\n".join(f"- {e}" for e in _examples(w, catalog)))
    return "\n\n".join(lines) + "\n"


def _examples(w: Writer, catalog: Catalog) -> list[str]:
    """Two or three example questions built from this catalog's metrics and dimensions."""
    metrics = [m for m in catalog.metrics.values() if m.direction != "neutral"]
    metrics = metrics or list(catalog.metrics.values())
    first = metrics[0].name
    split = default_dimension(catalog)
    # The split example needs a metric that can be split by that dimension.
    home = catalog.dimensions[split].sources if split in catalog.dimensions else {}
    fits = [m.name for m in metrics if m.table in home]
    fits = fits or [m.name for m in metrics if reaches(catalog, m.name, split)] or [first]
    second = next((m for m in fits if m != first), fits[0])
    dim, value = _example_value(catalog)
    neutral = catalog.metrics[second].direction == "neutral"
    examples = [
        w.say("oos.example1", metric=w.metric(first)),
        w.say(
            "oos.example2_neutral" if neutral else "oos.example2",
            metric=w.metric(second),
            dim=_dim_label(w, catalog, split),
        ),
    ]
    if value and reaches(catalog, first, dim):
        examples.append(w.say("oos.example3", metric=w.metric(first), value=w.label(dim, value)))
    return examples


def unavailable_text(w: Writer, catalog: Catalog, intent: Intent) -> str:
    """Insufficient data: what the question needs is not in the data; what the data holds."""
    metrics = [w.metric(m) for m in list(catalog.metrics)[:6]]
    sep = ", " if w.lang == "en" else "、"
    lines = [
        w.say("header"),
        w.say("unavailable.lead", subject=intent.missing or "", metrics=sep.join(metrics)),
        w.say("oos.list"),
        "\n".join(f"- {e}" for e in _examples(w, catalog)),
    ]
    return "\n\n".join(lines) + "\n"


def _example_value(catalog: Catalog) -> tuple[str, str]:
    for name, dim in catalog.dimensions.items():
        voc_column = name in ("source", "lang", "sentiment", "urgency", "theme")
        if dim.kind != "category" or dim.from_time or voc_column:
            continue
        # A value with digits ("Group 7") would read as a figure the answer cannot cite.
        plain = next((v for v in dim.values or [] if not any(ch.isdigit() for ch in v)), None)
        if plain is not None:
            return name, plain
    return "", ""


def _dim_label(w: Writer, catalog: Catalog, dim: str) -> str:
    spec = catalog.dimensions[dim].spec
    return spec.zh if w.lang == "zh" and spec.zh else spec.en.lower()
