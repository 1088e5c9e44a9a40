"""English for common Chinese words of customer service, so that a question in Chinese can name
categories an export writes in English ("设备卡死、没反应" for Unresponsive/Freezing Device, "退货"
for Return, "让用户重启设备" for Request device restart).

The bundled embedder reads both languages, but short Chinese words resemble short English
category names only loosely (退货 is as close to Refund as to Return); a word list settles the
common ones. It holds the words of support work in general (devices, orders, payments,
accounts, what agents ask customers to do), not the names of any one export. Latin words in a
question (iOS, DM) are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS: dict[str, str] = {
    # what customers write about
    "退款": "refund", "退钱": "refund", "退费": "refund", "退货": "return", "退回": "return",
    "换货": "replacement", "更换": "replacement", "换新": "replacement", "补发": "replacement",
    "包装": "packaging", "外包装": "packaging", "快递": "delivery", "配送": "delivery",
    "送货": "delivery", "派送": "delivery", "物流": "delivery", "送达": "delivery",
    "到货": "delivery", "发货": "shipping", "运费": "shipping", "司机": "driver",
    "快递员": "courier driver", "送货员": "courier driver", "订单": "order",
    "取消": "cancellation cancel", "退订": "cancellation cancel unsubscribe",
    "联邦": "federal", "私人": "private", "私营": "private", "个人": "personal",
    "储蓄": "savings", "存款": "savings deposit", "支票": "checking check", "信用卡": "credit card",
    "贷款": "loan", "房贷": "mortgage", "车贷": "vehicle loan", "学生贷款": "student loan",
    "账户": "account", "账号": "account", "帐户": "account", "帐号": "account",
    "密码": "password", "登录": "login", "登陆": "login", "重新登录": "logout login",
    "退出登录": "logout", "登出": "logout", "注销": "logout", "用户名": "username",
    "邮箱": "email", "邮件": "email", "邮箱地址": "email address", "地址": "address",
    "电池": "battery", "续航": "battery", "耗电": "battery", "充电": "charging",
    "卡死": "freezing frozen", "死机": "freezing frozen", "卡住": "freezing frozen",
    "卡顿": "freezing slow", "没反应": "unresponsive", "没有反应": "unresponsive",
    "无响应": "unresponsive", "不响应": "unresponsive", "黑屏": "screen", "屏幕": "screen",
    "设备": "device", "手机": "phone", "电话": "phone", "平板": "ipad tablet",
    "苹果": "apple", "电脑": "computer mac", "电视": "tv", "手表": "watch", "耳机": "headphones",
    "更新": "update", "升级": "update upgrade", "系统": "os system", "软件": "software app",
    "应用": "app", "程序": "app", "版本": "version", "型号": "model", "国家": "country",
    "会员": "membership premium", "高级会员": "premium", "订阅": "subscription",
    "学生": "student", "家庭": "family", "歌曲": "song", "歌": "song", "歌手": "artist",
    "艺人": "artist", "歌单": "playlist", "播放列表": "playlist", "广告": "advertisement ads",
    "账单": "billing", "扣费": "billing payment", "收费": "billing charge", "付款": "payment",
    "支付": "payment pay", "扣款": "billing payment", "发票": "invoice", "价格": "price",
    "优惠": "discount", "优惠券": "coupon", "积分": "points", "云": "cloud",
    "照片": "photo", "音乐": "music", "视频": "video", "游戏": "game", "网络": "network",
    "无线": "wifi", "蓝牙": "bluetooth", "信号": "signal", "故障": "fault issue",
    "质量": "quality", "损坏": "damaged", "破损": "damaged", "丢失": "lost", "延迟": "delay",
    "晚到": "late delay", "迟到": "late delay",
    # how urgent a ticket is (priority and severity levels)
    "紧急": "critical urgent emergency", "特急": "critical urgent", "加急": "urgent",
    "严重": "severe major critical", "重大": "major", "轻微": "minor",
    # how customers speak of the service
    "客服": "support service agent", "服务": "service", "支持": "support",
    "差": "bad poor", "糟糕": "bad poor", "不好": "bad poor", "差评": "bad negative",
    "表扬": "praise", "称赞": "praise", "夸": "praise", "夸奖": "praise", "赞扬": "praise",
    "感谢": "thanks praise", "好评": "praise positive", "投诉": "complaint", "抱怨": "complaint",
    # what agents do
    "要求": "request", "请求": "request", "让": "request", "请": "request", "询问": "request ask",
    "索要": "request", "提供": "provide", "给出": "provide", "附上": "provide include",
    "链接": "url link", "网址": "url link", "私信": "dm direct message",
    "重启": "restart", "重新启动": "restart", "道歉": "apologize apology", "致歉": "apologize",
    "调查": "investigate", "排查": "investigate", "核实": "investigate", "问题": "issue problem",
    "转给": "refer", "转交": "refer", "转到": "refer", "转接": "refer", "专门": "specialist",
    "专业": "specialist", "专家": "specialist", "团队": "team", "小组": "team",
    "处理组": "assignment group", "分派组": "assignment group", "指派组": "assignment group",
    "支持组": "assignment group support group", "处理人": "assigned to", "负责人": "assigned to",
    "打电话": "call phone", "来电": "call phone", "致电": "call phone", "聊天": "chat",
    "在线聊天": "chat", "个人信息": "personal details", "隐私": "personal details",
    "发送": "send", "不要": "not", "具体": "exact", "描述": "description",
    "报错": "error message", "错误": "error", "提示": "message", "信息": "message details",
    "进一步": "further", "帮助": "help", "帮忙": "help", "日期": "date", "时间": "time",
    "送达日期": "delivery date",
    "优先级": "priority", "确认": "confirmation confirmed confirm", "复核": "review confirmation",
}  # fmt: skip
_LONGEST = max(len(w) for w in _WORDS)
# English words of one thing (or one action) that exports and managers use for each other
# ("car loan" for Vehicle loan, "include a link" for Provide URL).
_SAME_THING = {
    "car": "vehicle", "cars": "vehicle", "auto": "vehicle", "automobile": "vehicle",
    "telephone": "phone", "e-mail": "email", "cellphone": "phone",
    "ad": "advertisement", "ads": "advertisement", "advert": "advertisement",
    "adverts": "advertisement", "advertising": "advertisement", "advertisements": "advertisement",
    "acct": "account", "accts": "account", "info": "information", "msg": "message",
    "msgs": "message", "pkg": "package",
    "link": "url", "links": "url", "hyperlink": "url", "website": "url", "weblink": "url",
    # what agents do, as action columns name it ("include a link" for Provide URL)
    "include": "provide", "includes": "provide", "included": "provide",
    "including": "provide", "attach": "provide", "attached": "provide", "attaches": "provide",
}  # fmt: skip


def same_thing(word: str) -> str:
    """The word exports most often use for the thing an English ``word`` names (itself when
    none is known)."""
    return _SAME_THING.get(word, word)


_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9'’]*")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Glossed:
    """One word of a question in English: where it was said, and its English words."""

    start: int
    end: int
    words: tuple[str, ...]


def gloss(text: str) -> list[Glossed]:
    """The words of ``text`` the list knows, in English, in the order said (longest Chinese
    words first), with the Latin words the text itself holds; other words are left out."""
    out: list[Glossed] = []
    i = 0
    while i < len(text):
        latin = _LATIN.match(text, i)
        if latin:
            out.append(Glossed(i, latin.end(), (latin.group(0).lower(),)))
            i = latin.end()
            continue
        if not _CJK.match(text, i):
            i += 1
            continue
        word = next(
            (text[i : i + n] for n in range(_LONGEST, 0, -1) if text[i : i + n] in _WORDS), ""
        )
        if word:
            out.append(Glossed(i, i + len(word), tuple(_WORDS[word].split())))
            i += len(word)
        else:
            i += 1
    return out


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))
