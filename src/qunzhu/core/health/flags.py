"""Flag bits of one message, computed from its folded text when it is stored.

The importer stores them with the message (``Message.flags``) so that a health report
over a million messages reads small integers instead of scanning every text again.
Phrases are matched on folded text (Traditional → Simplified, full-width → ASCII, lower
case), so 加ＶＸ and 加vx are the same.

The bits are evidence, not verdicts: a link or an ad phrase alone is how people talk in a
help channel ("DM me if you need help", a link to the docs). Whether a message is a hard
ad is decided in :mod:`.ads`, from these bits and what the account and the community did.
"""

from __future__ import annotations

import hashlib
import re

F_LINK = 1  #: contains a web link
F_AD = 2  #: contains an ad phrase (加微信, 兼职, 砍一刀, dm me…): weak evidence alone
F_QR = 4  #: a QR code / mini-program card, or text that points at one
F_BOT = 8  #: sent by a bot account (set by the reader, not stored)
F_CONTACT = 16  #: offers a WeChat / QQ / Skype… id or a phone number (加微信 abc123, V：abc123)
F_PROMO = 32  #: sells: a price or a 淘口令, or a money phrase with a link or a contact id

LINK_MARKERS: tuple[str, ...] = ("http://", "https://", "www.")
#: phrases of hard ads in Chinese group chats, and their English counterparts
AD_PHRASES: tuple[str, ...] = (
    "加微信", "加v", "加薇", "vx:", "vx：", "v信", "wx:", "wx：", "加我好友",
    "兼职", "日结", "刷单", "返利", "返现", "招代理", "代理加盟", "优惠券", "领券", "低价",
    "特价", "秒杀", "免费领", "点击领取", "点击链接", "进群领", "淘口令", "复制这段",
    "助力", "砍一刀", "稳赚", "高收益", "收益看得见", "贷款", "办证", "代开发票",
    "whatsapp me", "dm me", "click the link", "free gift", "airdrop", "promo code",
    "discount code", "earn money", "investment opportunity",
)
QR_PHRASES: tuple[str, ...] = ("二维码", "扫码", "扫一扫", "小程序", "qr code")
#: ad phrases that ask someone to get in touch or to click, rather than offer money or
#: goods: with a link they are still a member's offer of help or an event notice
CONTACT_PHRASES: tuple[str, ...] = (
    "加微信", "加v", "加薇", "vx:", "vx：", "v信", "wx:", "wx：", "加我好友",
    "whatsapp me", "dm me", "click the link", "点击链接",
)
#: the rest offer money, goods or a claim: with a link or a contact id they sell
MONEY_PHRASES: tuple[str, ...] = tuple(p for p in AD_PHRASES if p not in CONTACT_PHRASES)

_APPS = r"(?:skype|whatsapp|telegram|wechat|kik|snapchat|discord)"
_ID = r"[a-z][-_a-z0-9]{5,19}(?![-_a-z0-9])"  # a WeChat id: 6–20, starts with a letter
_QQ = r"[1-9]\d{4,10}(?!\d)"
_MOBILE = r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)"
#: a contact handle offered in the text (links removed first: ids inside URLs are not)
_CONTACT = re.compile(
    rf"(?:微信|薇信|威信|v信|weixin|wechat)号?\s*[:：]?\s*(?:{_ID}|{_QQ}|{_MOBILE})"
    rf"|(?<![a-z0-9])(?:vx|wx)\s*[:：\s]\s*(?:{_ID}|{_QQ})"
    rf"|加\s*(?:v|q|我)\s*[:：]?\s*(?:{_ID}|{_QQ})"
    rf"|(?<![a-z0-9])v：\s*{_ID}"
    rf"|(?:qq|扣扣)(?:号|群)?\s*[:：]?\s*{_QQ}"
    rf"|(?:电话|手机|热线|致电|联系|whatsapp|phone)[^0-9a-z]{{0,6}}{_MOBILE}"
    rf"|(?:whatsapp|telegram)(?: me)?[^0-9a-z]{{0,4}}\+\d[\d\s-]{{7,16}}\d"
    rf"|(?:add|message|contact|ping) (?:me|my)\b[^.\n]{{0,24}}?\b{_APPS}\b"
    rf"|{_APPS}(?: ?id)? ?[:：] ?@?[a-z][-_.a-z0-9]{{3,}}")
#: a Chinese mobile number in a Chinese message counts without a word before it
_CN_MOBILE = re.compile(_MOBILE)
_CJK = re.compile("[\u3400-\u9fff]")
#: 淘口令: a shop code between currency signs, or the instruction that comes with one
_TAOKOULING = re.compile(r"[¥￥€₤₳¢₴₰₵][a-z0-9]{8,14}[¥￥€₤₳¢₴₰₵]"
                         r"|复制这[段条]|打开[^\s，,]{0,4}(?:淘宝|手淘|拼多多)")
#: a price: ¥99, 99元, 原价…现价, 券后, 立减…
_PRICE = re.compile(r"[¥￥]\s?\d+(?:\.\d+)?|\d+(?:\.\d+)?\s?(?:元|块钱)(?![宇素])"
                    r"|原价|现价|券后|到手价|秒杀价|限时价|立减|包邮|团购价")
_PRIVATE = re.compile(r"私聊|私信|加我")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef<>\"'）)\]]+")


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in phrases))


#: every marker that some bit needs (a price counts only beside a link, a contact id, an
#: ad phrase or 私聊, which have markers of their own): one search tells apart most
#: messages, which have nothing here
_ANY = re.compile("|".join(
    [re.escape(p) for p in LINK_MARKERS + AD_PHRASES + QR_PHRASES + (
        "微信", "薇信", "威信", "weixin", "wechat", "vx", "wx", "加v", "加 v", "加q", "加 q",
        "加我", "v：", "qq", "扣扣", "电话", "手机", "热线", "致电", "联系", "whatsapp", "phone",
        "telegram", "skype", "kik", "snapchat", "discord", "私聊", "私信", "¥", "￥", "€", "₤",
        "₳", "¢", "₴", "₰", "₵", "复制这", "淘宝", "手淘", "拼多多")]
    + [r"(?<!\d)1[3-9]\d{9}"]))
_LINK = _alternation(LINK_MARKERS)
_AD = _alternation(AD_PHRASES)
_MONEY = _alternation(MONEY_PHRASES)
_QR = _alternation(QR_PHRASES)


def message_flags(folded: str, kind: str = "text") -> int:
    """The F_* bits (not F_BOT) of a message whose folded text is ``folded``."""
    flags = F_LINK if kind == "link" else (F_QR if kind == "mini_program" else 0)
    if not folded or _ANY.search(folded) is None:  # one search for the common case
        return flags
    bare = folded
    if _LINK.search(folded):
        flags |= F_LINK
        bare = _URL.sub(" ", folded)
    if _AD.search(folded):
        flags |= F_AD
    if _QR.search(folded):
        flags |= F_QR
    if _CONTACT.search(bare) or (_CJK.search(bare) and _CN_MOBILE.search(bare)):
        flags |= F_CONTACT
    reach = flags & (F_LINK | F_CONTACT)
    if (_TAOKOULING.search(bare)
            or (reach and _MONEY.search(bare))
            or ((reach or flags & F_AD or _PRIVATE.search(bare)) and _PRICE.search(bare))):
        flags |= F_PROMO
    return flags


def link_of(folded: str) -> tuple[str, str]:
    """The first web link of a folded text, without scheme and ``www.``, and its site
    (the registrable domain: ``docs.python.org/3/x`` → ``python.org``); empty if none."""
    match = _URL.search(folded)
    if match is None:
        return "", ""
    url = match.group(0).rstrip(".,;:!?。，；：！？")
    url = url.split("://", 1)[-1]
    url = url.removeprefix("www.")
    host = url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    labels = host.split(".")
    # example.com.cn, example.co.uk, someone.github.io: the site has three labels
    two = ".".join(labels[-2:])
    keep = 3 if len(labels) >= 3 and (two in _HOSTING or (
        len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL)) else 2
    return url.rstrip("/"), ".".join(labels[-keep:])


def link_hashes(folded: str) -> tuple[int, int]:
    """Keys of a folded text's first link and of its site (0, 0 without one): 64-bit
    hashes, the same in every process (a stored snapshot keeps them) and with bit 62 set,
    so that they never equal a text key (small counters)."""
    url, site = link_of(folded)
    if not url:
        return 0, 0
    return _hash("link " + url), _hash("site " + site) if site else 0


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 2 | 1 << 62


_SECOND_LEVEL = frozenset(("com", "net", "org", "gov", "edu", "co", "ac", "or", "ne", "go"))
#: where anyone gets a site of their own: someone.github.io is not github.io
_HOSTING = frozenset(("github.io", "gitee.io", "herokuapp.com", "wordpress.com",
                      "blogspot.com", "netlify.app", "vercel.app", "pythonanywhere.com",
                      "tumblr.com", "appspot.com", "weebly.com", "wixsite.com",
                      "myshopify.com"))


__all__ = ["AD_PHRASES", "CONTACT_PHRASES", "F_AD", "F_BOT", "F_CONTACT", "F_LINK", "F_PROMO",
           "F_QR", "LINK_MARKERS", "MONEY_PHRASES", "QR_PHRASES", "link_hashes", "link_of",
           "message_flags"]
