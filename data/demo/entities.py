"""The demo company's fixed parts (regions, products) and its seeded customers and engineers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .facts import DEFECT_MODEL, ENGINEER_FTF

REGIONS = ("North", "East", "South", "Central", "Southwest", "Northeast")
# Share of tickets by region; East is the biggest market.
REGION_WEIGHTS = np.array([0.17, 0.25, 0.18, 0.14, 0.14, 0.12])
# Share of engineers by region: East has fewer engineers than its workload (fact 1).
ENGINEER_WEIGHTS = np.array([0.19, 0.17, 0.19, 0.15, 0.16, 0.14])
CITIES = {
    "North": ("Beijing", "Tianjin", "Shijiazhuang", "Taiyuan"),
    "East": ("Shanghai", "Hangzhou", "Nanjing", "Suzhou", "Hefei"),
    "South": ("Guangzhou", "Shenzhen", "Xiamen", "Nanning"),
    "Central": ("Wuhan", "Changsha", "Zhengzhou"),
    "Southwest": ("Chengdu", "Chongqing", "Kunming"),
    "Northeast": ("Shenyang", "Harbin", "Dalian", "Changchun"),
}
SEGMENTS = ("key account", "SMB", "consumer")
SEGMENT_SHARE_OF_CUSTOMERS = np.array([0.05, 0.25, 0.70])

PRODUCT_LINES = (
    "Air Conditioners",
    "Refrigerators",
    "Washing Machines",
    "Water Heaters",
    "Commercial HVAC",
    "Kitchen Appliances",
)
# (model, category, launched) per product line; 40 products in all.
MODELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Air Conditioners": (
        ("AC-S120", "wall-mounted split", "2021-03-01"),
        ("AC-S180", "wall-mounted split", "2022-02-15"),
        ("AC-V260", "inverter split", "2022-09-01"),
        (DEFECT_MODEL, "inverter split", "2024-03-01"),
        ("AC-M350", "multi-split", "2023-04-01"),
        ("AC-F90", "floor-standing", "2020-05-01"),
        ("AC-P220", "portable", "2023-06-01"),
        ("AC-V300", "inverter split", "2024-02-01"),
    ),
    "Refrigerators": (
        ("RF-B410", "bottom freezer", "2021-01-10"),
        ("RF-B520", "bottom freezer", "2022-08-01"),
        ("RF-D600", "side-by-side", "2022-03-01"),
        ("RF-S330", "single door", "2020-06-01"),
        ("RF-T450", "french door", "2023-09-01"),
        ("RF-C280", "chest freezer", "2021-11-01"),
        ("RF-X700", "french door", "2024-05-01"),
    ),
    "Washing Machines": (
        ("WM-F80", "front loader", "2021-04-01"),
        ("WM-F100", "front loader", "2023-03-01"),
        ("WM-T75", "top loader", "2020-07-01"),
        ("WM-D120", "washer-dryer", "2023-10-01"),
        ("WM-S90", "front loader", "2022-05-01"),
        ("WM-H110", "heat-pump dryer", "2024-01-15"),
        ("WM-C60", "compact", "2021-09-01"),
    ),
    "Water Heaters": (
        ("WH-E50", "electric storage", "2020-10-01"),
        ("WH-E80", "electric storage", "2022-10-01"),
        ("WH-G16", "gas instant", "2021-09-01"),
        ("WH-G20", "gas instant", "2023-08-01"),
        ("WH-H200", "heat pump", "2023-02-01"),
        ("WH-S60", "solar", "2020-03-01"),
    ),
    "Commercial HVAC": (
        ("CH-VRF400", "VRF system", "2021-06-01"),
        ("CH-VRF600", "VRF system", "2023-05-01"),
        ("CH-CH1200", "chiller", "2020-09-01"),
        ("CH-AHU80", "air handling unit", "2022-04-01"),
        ("CH-FCU30", "fan coil unit", "2021-02-01"),
        ("CH-RT150", "rooftop unit", "2023-11-01"),
    ),
    "Kitchen Appliances": (
        ("KA-H900", "range hood", "2021-08-01"),
        ("KA-D600", "dishwasher", "2022-06-01"),
        ("KA-O45", "built-in oven", "2022-11-01"),
        ("KA-I22", "induction hob", "2021-03-01"),
        ("KA-S300", "steriliser", "2023-07-01"),
        ("KA-W200", "water purifier", "2024-04-01"),
    ),
}

_SURNAMES = (
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Luo",
    "Gao",
    "Zheng",
    "Liang",
)
_GIVEN = (
    "Wei",
    "Fang",
    "Na",
    "Min",
    "Jing",
    "Lei",
    "Jun",
    "Yan",
    "Tao",
    "Ming",
    "Chao",
    "Xia",
    "Hua",
    "Ping",
    "Gang",
    "Hui",
    "Yu",
    "Ying",
    "Bo",
    "Qiang",
    "Lan",
    "Xin",
    "Hao",
    "Jie",
)
_COMPANY = (
    "Huaxin",
    "Jinmao",
    "Dongfang",
    "Zhongtian",
    "Baiyun",
    "Xinghe",
    "Tianrun",
    "Hengda",
    "Ruixiang",
    "Lianhua",
    "Yuanda",
    "Kaiyuan",
    "Minsheng",
    "Haitong",
    "Longxin",
)
_KEY_KINDS = (
    "Property Group",
    "Hotels",
    "Hospital",
    "Retail Chain",
    "Manufacturing",
    "Logistics Park",
    "University",
    "Office Towers",
    "Data Centers",
)
_SMB_KINDS = (
    "Dental Clinic",
    "Restaurant",
    "Bakery",
    "Fitness Studio",
    "Kindergarten",
    "Boutique Hotel",
    "Print Shop",
    "Supermarket",
    "Pharmacy",
    "Tea House",
    "Salon",
)
_INDUSTRIES = (
    "real estate",
    "hospitality",
    "healthcare",
    "retail",
    "manufacturing",
    "logistics",
    "education",
    "offices",
    "technology",
)


@dataclass(frozen=True)
class Entities:
    """Numpy views of the entities that ticket generation draws from."""

    customer_segment: np.ndarray  # index into SEGMENTS
    customer_region: np.ndarray  # index into REGIONS
    customer_city: list[str]
    customer_name: list[str]
    customer_groups: tuple[np.ndarray, np.ndarray, np.ndarray]  # order, offsets, sizes
    engineer_region: np.ndarray
    engineer_skill: np.ndarray
    engineer_groups: tuple[np.ndarray, np.ndarray, np.ndarray]
    product_line: np.ndarray  # product index -> line index
    product_model: list[str]
    product_category: list[str]
    line_products: tuple[np.ndarray, np.ndarray, np.ndarray]

    @property
    def defect_product(self) -> int:
        return self.product_model.index(DEFECT_MODEL)


def groups(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Members sorted by key, with each key's offset and size, for vectorised uniform picks."""
    order = np.argsort(keys, kind="stable")
    sizes = np.bincount(keys, minlength=n_keys)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return order, offsets, sizes


def pick(
    rng: np.random.Generator, grouping: tuple[np.ndarray, ...], keys: np.ndarray
) -> np.ndarray:
    """One uniformly chosen member of each key's group."""
    order, offsets, sizes = grouping
    slot = offsets[keys] + (rng.random(len(keys)) * sizes[keys]).astype(np.int64)
    return order[slot]


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    first = rng.integers(0, len(_SURNAMES), n)
    given = rng.integers(0, len(_GIVEN), (n, 2))
    double = rng.random(n) < 0.45
    return [
        f"{_SURNAMES[f]} {_GIVEN[g[0]]}{_GIVEN[g[1]].lower() if d else ''}"
        for f, g, d in zip(first.tolist(), given.tolist(), double.tolist(), strict=True)
    ]


def _company_names(
    rng: np.random.Generator, n: int, kinds: tuple[str, ...], cities: list[str]
) -> list[str]:
    a = rng.integers(0, len(_COMPANY), n).tolist()
    b = rng.integers(0, len(kinds), n).tolist()
    return [f"{_COMPANY[i]} {kinds[j]} ({c})" for i, j, c in zip(a, b, cities, strict=True)]


def _customer_keys(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    segment = rng.choice(3, n, p=SEGMENT_SHARE_OF_CUSTOMERS)
    region = rng.choice(6, n, p=REGION_WEIGHTS)
    # Every (segment, region) pair gets at least one customer so tickets can always find one.
    segment[:18], region[:18] = np.repeat(np.arange(3), 6), np.tile(np.arange(6), 3)
    return segment, region


CustomerColumns = tuple[np.ndarray, np.ndarray, list[str], list[str]]


def customers(rng: np.random.Generator, n: int) -> tuple[pa.Table, CustomerColumns]:
    segment, region = _customer_keys(rng, n)
    city_pick = rng.random(n)
    city = [
        CITIES[REGIONS[r]][int(u * len(CITIES[REGIONS[r]]))]
        for r, u in zip(region.tolist(), city_pick.tolist(), strict=True)
    ]
    names = person_names(rng, n)
    key, smb = segment == 0, segment == 1
    for mask, kinds in ((key, _KEY_KINDS), (smb, _SMB_KINDS)):
        idx = np.flatnonzero(mask)
        made = _company_names(rng, len(idx), kinds, [city[i] for i in idx])
        for i, name in zip(idx.tolist(), made, strict=True):
            names[i] = name
    industry = np.where(
        segment == 2, "household", np.array(_INDUSTRIES)[rng.integers(0, len(_INDUSTRIES), n)]
    )
    u = rng.random(n)
    tier = np.select(
        [key & (u < 0.6), key, smb & (u < 0.2), smb, u < 0.15],
        ["platinum", "gold", "gold", "silver", "silver"],
        "standard",
    )
    since_years = np.where(key, 12, np.where(smb, 9, 8))
    since = np.datetime64("2024-10-31") - (rng.random(n) * since_years * 365).astype(
        "timedelta64[D]"
    )
    table = pa.table(
        {
            "n": np.arange(1, n + 1),
            "name": names,
            "segment": np.array(SEGMENTS)[segment],
            "industry": industry,
            "region": np.array(REGIONS)[region],
            "city": city,
            "tier": tier,
            "since": since,
        }
    )
    return table, (segment, region, city, names)


def _largest_remainder(n: int, weights: np.ndarray) -> np.ndarray:
    raw = n * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(counts - raw)[: n - counts.sum()]] += 1
    return counts


def engineers(rng: np.random.Generator, n: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    region = np.repeat(np.arange(6), _largest_remainder(n, ENGINEER_WEIGHTS))
    # Skills spread evenly from the worst to the best engineer, skewed towards the good end so
    # the typical engineer fixes ~80% first time (facts 4 and 9).
    low, high = ENGINEER_FTF
    skill = rng.permutation(low + (high - low) * np.linspace(0, 1, n) ** 0.5)
    level = np.select([skill > 0.84, skill > 0.72], ["senior", "intermediate"], "junior")
    years = np.select([skill > 0.84, skill > 0.72], [9.0, 5.0], 2.0) * (0.5 + rng.random(n))
    hired = np.datetime64("2024-10-01") - (years * 365).astype("timedelta64[D]")
    table = pa.table(
        {
            "n": np.arange(1, n + 1),
            "name": person_names(rng, n),
            "region": np.array(REGIONS)[region],
            "level": level,
            "hired": hired,
        }
    )
    return table, region, skill


def products() -> tuple[pa.Table, np.ndarray, list[str], list[str]]:
    rows = [
        (line_idx, model, cat, launched)
        for line_idx, line in enumerate(PRODUCT_LINES)
        for model, cat, launched in MODELS[line]
    ]
    line = np.array([r[0] for r in rows])
    models, cats = [r[1] for r in rows], [r[2] for r in rows]
    table = pa.table(
        {
            "n": np.arange(1, len(rows) + 1),
            "product_line": np.array(PRODUCT_LINES)[line],
            "model": models,
            "category": cats,
            "launched": np.array([r[3] for r in rows], dtype="datetime64[D]"),
        }
    )
    return table, line, models, cats


def build_entities(
    rng: np.random.Generator, n_customers: int, n_engineers: int
) -> tuple[Entities, dict[str, pa.Table]]:
    cust_table, cust = customers(rng, n_customers)
    eng_table, eng_region, skill = engineers(rng, n_engineers)
    prod_table, line, models, cats = products()
    seg, reg, city, names = cust
    ents = Entities(
        customer_segment=seg,
        customer_region=reg,
        customer_city=city,
        customer_name=names,
        customer_groups=groups(seg * 6 + reg, 18),
        engineer_region=eng_region,
        engineer_skill=skill,
        engineer_groups=groups(eng_region, 6),
        product_line=line,
        product_model=models,
        product_category=cats,
        line_products=groups(line, 6),
    )
    return ents, {"customers": cust_table, "engineers": eng_table, "products": prod_table}
