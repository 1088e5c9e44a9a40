"""Values written as two-letter codes ("CA", "NY", "TX"), named by the code in capitals or, for
the codes of the United States' states, by the state's name ("California", "加州").

A code is matched only as written in capitals, as a word of its own: in lower case "in", "or",
"me" and "ok" are ordinary words (and states). The names of the states are world knowledge, not
any dataset's; they are used only for a dimension whose values are mostly state codes.
"""

from __future__ import annotations

import re

from .slots import Slots, is_code, normal_text

_STATES = {
    "AL": ("alabama", "阿拉巴马"),
    "AK": ("alaska", "阿拉斯加"),
    "AZ": ("arizona", "亚利桑那"),
    "AR": ("arkansas", "阿肯色"),
    "CA": ("california", "加州", "加利福尼亚"),
    "CO": ("colorado", "科罗拉多"),
    "CT": ("connecticut", "康涅狄格"),
    "DE": ("delaware", "特拉华"),
    "DC": ("district of columbia", "washington dc", "华盛顿特区"),
    "FL": ("florida", "佛罗里达"),
    "GA": ("georgia", "佐治亚"),
    "HI": ("hawaii", "夏威夷"),
    "ID": ("idaho", "爱达荷"),
    "IL": ("illinois", "伊利诺伊"),
    "IN": ("indiana", "印第安纳"),
    "IA": ("iowa", "艾奥瓦"),
    "KS": ("kansas", "堪萨斯"),
    "KY": ("kentucky", "肯塔基"),
    "LA": ("louisiana", "路易斯安那"),
    "ME": ("maine", "缅因"),
    "MD": ("maryland", "马里兰"),
    "MA": ("massachusetts", "马萨诸塞"),
    "MI": ("michigan", "密歇根"),
    "MN": ("minnesota", "明尼苏达"),
    "MS": ("mississippi", "密西西比"),
    "MO": ("missouri", "密苏里"),
    "MT": ("montana", "蒙大拿"),
    "NE": ("nebraska", "内布拉斯加"),
    "NV": ("nevada", "内华达"),
    "NH": ("new hampshire", "新罕布什尔"),
    "NJ": ("new jersey", "新泽西"),
    "NM": ("new mexico", "新墨西哥"),
    "NY": ("new york", "纽约"),
    "NC": ("north carolina", "北卡"),
    "ND": ("north dakota", "北达科他"),
    "OH": ("ohio", "俄亥俄"),
    "OK": ("oklahoma", "俄克拉何马"),
    "OR": ("oregon", "俄勒冈"),
    "PA": ("pennsylvania", "宾夕法尼亚"),
    "RI": ("rhode island", "罗德岛"),
    "SC": ("south carolina", "南卡"),
    "SD": ("south dakota", "南达科他"),
    "TN": ("tennessee", "田纳西"),
    "TX": ("texas", "得克萨斯", "德州", "德克萨斯"),
    "UT": ("utah", "犹他"),
    "VT": ("vermont", "佛蒙特"),
    "VA": ("virginia", "弗吉尼亚"),
    "WA": ("washington state", "华盛顿州"),
    "WV": ("west virginia", "西弗吉尼亚"),
    "WI": ("wisconsin", "威斯康星"),
    "WY": ("wyoming", "怀俄明"),
    "PR": ("puerto rico", "波多黎各"),
}


def _names(name: str, text: str) -> bool:
    if name.isascii():
        return re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text) is not None
    return name in text


_CODE = re.compile(r"(?<![A-Za-z])([A-Z]{2})(?![A-Za-z])")


def codes_said(question: str, slots: Slots, values: dict[str, list[str]]) -> None:
    """Values of a dimension written as two-letter codes that the question names: one is a
    filter, several are compared side by side (or added up, as other values are)."""
    for dim, found in values.items():
        codes = {v for v in found if is_code(v)}
        if len(codes) < 2 or dim in slots.filters or dim in slots.compared:
            continue
        said = [m.group(1) for m in _CODE.finditer(question) if m.group(1) in codes]
        if len(codes & set(_STATES)) >= max(10, len(codes) // 2):
            low, text = question.lower(), normal_text(question)
            for code, names in _STATES.items():
                if code in codes and any(_names(n, low) for n in names):
                    said.append(code)
                    # Where the name is said, for the words around it ("Puerto Rico included").
                    at = [(text.find(n), n) for n in names if n.isascii() and n in text]
                    if at:
                        start, name = max(at, key=lambda a: len(a[1]))
                        slots.said[f"{dim}={code}"] = (start, start + len(name))
        said = list(dict.fromkeys(said))
        if len(said) == 1:
            slots.filters[dim] = said[0]
        elif len(said) > 1:
            slots.compared[dim] = said
        if said and dim not in slots.dimensions:
            slots.dimensions.append(dim)
