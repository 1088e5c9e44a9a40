"""Slot values for VOC templates: model numbers, error codes, dates relative to the text's own
timestamp, counts and names, each written the way a customer in that language would write it."""

from __future__ import annotations

from datetime import timedelta

from .voc_phrases import SlotFunc, Slots, choose

_ZH_DIGITS = "零一二三四五六七八九十"
_ZH_WEEKDAYS = "一二三四五六日"
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
_EN_COUNTS = ("once", "twice", "three times", "four times", "five times", "six times")
_CODES = ("E1", "E4", "E4", "E5", "E6", "F1", "F1", "F3", "P4", "P8", "H6", "EC", "U4", "E9")

# Product kinds are recognised from the category or product line, whatever spelling the
# generator uses, so that a fridge complaint does not talk about an air conditioner.
_KIND_WORDS = (
    ("generic", ("kitchen", "hood", "dishwash", "oven", "stove", "cooktop", "厨房")),
    ("chiller", ("chiller", "commercial", "冷水机", "商用", "vrf", "多联机", "rooftop")),
    ("ac", ("air", "a/c", "hvac", "空调", "conditioner", "split")),
    ("heater", ("water heater", "热水器", "boiler", "壁挂炉", "heat pump", "热泵")),
    ("fridge", ("fridge", "refriger", "冰箱", "freezer", "冷柜")),
    ("washer", ("wash", "洗衣", "dryer", "烘干")),
    ("purifier", ("purif", "净化", "净水", "filter")),
)


def product_kind(category: str | None, product_line: str | None) -> str:
    text = f"{category or ''} {product_line or ''}".lower()
    for kind, words in _KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return "generic"


def _zh_num(n: int) -> str:
    if n <= 10:
        return _ZH_DIGITS[n] if n != 2 else "两"
    return f"十{_ZH_DIGITS[n - 10]}" if n < 20 else str(n)


def _model(s: Slots) -> str:
    model = s.ctx.product_model
    if not model:
        return s.pick_word("product", product_kind(s.ctx.category, s.ctx.product_line))
    roll = s.rng.random()
    if roll < 0.75:
        return str(model)
    if roll < 0.85:
        return str(model).lower()
    return str(model).replace("-", "" if roll < 0.93 else " ")


def _product(s: Slots) -> str:
    return s.pick_word("product", product_kind(s.ctx.category, s.ctx.product_line))


def _past(s: Slots, low: int, high: int) -> tuple[int, int, int]:
    day = s.ctx.created_at - timedelta(days=s.rng.randint(low, high))
    return day.month, day.day, day.weekday()


def _date(s: Slots) -> str:
    month, day, weekday = _past(s, 1, 12)
    pick = s.rng.randrange(6)
    if s.bank.lang == "zh":
        forms = ("昨天", "前天", f"上周{_ZH_WEEKDAYS[weekday]}", f"{month}月{day}号",
                 f"{day}号", f"{month}.{day}")  # fmt: skip
    else:
        forms = ("yesterday", "the day before yesterday", f"last {_EN_WEEKDAYS[weekday]}",
                 f"{_EN_MONTHS[month - 1]} {day}", f"the {_en_ord(day)}",
                 f"{month}/{day}")  # fmt: skip
    return forms[pick]


_PLACES_ZH = {
    "Shanghai": "上海", "Beijing": "北京", "Guangzhou": "广州", "Shenzhen": "深圳",
    "Hangzhou": "杭州", "Nanjing": "南京", "Suzhou": "苏州", "Chengdu": "成都", "Wuhan": "武汉",
    "Xi'an": "西安", "Xian": "西安", "Chongqing": "重庆", "Tianjin": "天津", "Shenyang": "沈阳",
    "Qingdao": "青岛", "Xiamen": "厦门", "Changsha": "长沙", "Zhengzhou": "郑州", "Jinan": "济南",
    "Hefei": "合肥", "Fuzhou": "福州", "Kunming": "昆明", "Harbin": "哈尔滨", "Dalian": "大连",
    "Ningbo": "宁波", "Dongguan": "东莞", "Foshan": "佛山", "Wuxi": "无锡", "Changchun": "长春",
    "Urumqi": "乌鲁木齐", "Lanzhou": "兰州", "Nanning": "南宁", "Guiyang": "贵阳",
    "Taiyuan": "太原", "Shijiazhuang": "石家庄", "Nanchang": "南昌",
    "East": "华东", "North": "华北", "South": "华南", "Central": "华中", "Southwest": "西南",
    "Northwest": "西北", "Northeast": "东北", "West": "西部",
}  # fmt: skip
_PLACES_EN = {zh: en for en, zh in _PLACES_ZH.items()}


def _en_ord(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _since(s: Slots) -> str:
    month, _day, _weekday = _past(s, 25, 150)
    if s.bank.lang == "zh":
        return choose(
            s.rng, (f"{month}月份", f"{month}月", f"{_zh_num(month)}月份", f"{month}月初")
        )
    name = _EN_MONTHS[month - 1]
    return choose(s.rng, (name, name, f"early {name}", f"mid-{name}", f"the end of {name}"))


def _nth(s: Slots) -> str:
    n = choose(s.rng, (2, 3, 3, 3, 4, 5))
    if s.bank.lang == "zh":
        return choose(s.rng, (f"第{_zh_num(n)}次", f"第{n}次", f"第{_zh_num(n)}回"))
    return choose(s.rng, (_EN_ORDINALS[n - 1], _en_ord(n)))


def _times(s: Slots) -> str:
    n = choose(s.rng, (2, 2, 3, 3, 4, 5))
    if s.bank.lang == "zh":
        return choose(s.rng, (f"{_zh_num(n)}次", f"{n}次", f"{_zh_num(n)}回", "好几次", "N次"))
    return choose(s.rng, (_EN_COUNTS[n - 1], f"{n} times", "several times", "like 5 times"))


def _days(s: Slots) -> str:
    n = choose(s.rng, (2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 14, 20))
    if s.bank.lang == "zh":
        return choose(s.rng, (f"{n}天", f"{_zh_num(n)}天", "一个多星期", "快两周", "半个月"))
    return choose(s.rng, (f"{n} days", f"{n} days", "over a week", "almost two weeks", "a week"))


def _hours(s: Slots) -> str:
    if s.bank.lang == "zh":
        return choose(
            s.rng, ("40分钟", "一个多小时", "两个小时", "半小时", "快一个小时", "20多分钟")
        )
    return choose(s.rng, ("45 minutes", "over an hour", "two hours", "half an hour", "40 min"))


def _engineer(s: Slots) -> str:
    surname = s.pick_word("surnames")
    if s.bank.lang == "zh":
        return surname + choose(s.rng, ("师傅", "师傅", "师傅", "工", "工程师"))
    return choose(s.rng, (surname, f"Mr {surname}", "the tech", "your technician", "the engineer"))


def _price(s: Slots) -> str:
    amount = choose(s.rng, (80, 150, 180, 200, 260, 300, 380, 450, 600, 880, 1200, 3200))
    if s.bank.lang == "zh":
        return choose(s.rng, (f"{amount}元", f"{amount}块", f"¥{amount}", f"{amount}块钱"))
    return choose(s.rng, (f"¥{amount}", f"{amount} RMB", f"{amount} yuan", f"${amount // 7 + 1}"))


def _time(s: Slots) -> str:
    hour, minute = s.ctx.created_at.hour, s.ctx.created_at.minute
    if s.bank.lang == "zh":
        part = "上午" if hour < 12 else ("下午" if hour < 18 else "晚上")
        h12 = hour if hour <= 12 else hour - 12
        return choose(
            s.rng, (f"{part}{h12}点", f"{part}{_zh_num(h12)}点多", f"{hour}:{minute:02d}")
        )
    suffix = "am" if hour < 12 else "pm"
    h12 = hour if hour <= 12 else hour - 12
    return choose(s.rng, (f"{h12}{suffix}", f"around {h12}:{minute:02d}", f"{hour}:{minute:02d}"))


def _weekday(s: Slots) -> str:
    wd = s.ctx.created_at.weekday()
    if s.bank.lang == "zh":
        return choose(s.rng, ("周", "星期", "礼拜")) + _ZH_WEEKDAYS[wd]
    return _EN_WEEKDAYS[wd]


def _city(s: Slots) -> str:
    place = s.ctx.city or s.ctx.region
    if not place:
        return s.pick_word("fallback_city")
    # A Chinese customer writes 上海 even if the CRM stores "Shanghai", and the reverse.
    return _PLACES_ZH.get(place, place) if s.bank.lang == "zh" else _PLACES_EN.get(place, place)


def _name(s: Slots) -> str:
    return str(s.ctx.customer_name or s.pick_word("surnames") + s.pick_word("given_names"))


def _ticket(s: Slots) -> str:
    return str(s.ctx.ticket_id or "")


SLOT_FUNCS: dict[str, SlotFunc] = {
    "model": _model,
    "product": _product,
    "code": lambda s: choose(s.rng, _CODES),
    "date": _date,
    "since": _since,
    "nth": _nth,
    "times": _times,
    "days": _days,
    "hours": _hours,
    "engineer": _engineer,
    "price": _price,
    "time": _time,
    "weekday": _weekday,
    "city": _city,
    "name": _name,
    "ticket": _ticket,
    "surname": lambda s: s.pick_word("surnames"),
    "brand": lambda s: s.pick_word("brand"),
    "handle": lambda s: s.pick_word("handle"),
    "agent": lambda s: s.pick_word("agent_names"),
    "agent_id": lambda s: str(s.rng.randint(1001, 9899)),
}
