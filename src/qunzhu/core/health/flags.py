"""Flag bits of one message, computed from its folded text when it is stored.

The importer stores them with the message (``Message.flags``) so that a health report
over a million messages reads small integers instead of scanning every text again.
Phrases are matched on folded text (Traditional → Simplified, full-width → ASCII, lower
case), so 加ＶＸ and 加vx are the same.
"""

from __future__ import annotations

import re

F_LINK = 1  #: contains a web link
F_AD = 2  #: contains a hard-ad phrase (加微信, 兼职, 砍一刀…)
F_QR = 4  #: a QR code / mini-program card, or text that points at one
F_BOT = 8  #: sent by a bot account (set by the reader, not stored)

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


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in phrases))


_ANY = _alternation(LINK_MARKERS + AD_PHRASES + QR_PHRASES)
_LINK = _alternation(LINK_MARKERS)
_AD = _alternation(AD_PHRASES)
_QR = _alternation(QR_PHRASES)


def message_flags(folded: str, kind: str = "text") -> int:
    """F_LINK | F_AD | F_QR bits of a message whose folded text is ``folded``."""
    flags = F_LINK if kind == "link" else (F_QR if kind == "mini_program" else 0)
    if not folded or _ANY.search(folded) is None:  # one search for the common case
        return flags
    if _LINK.search(folded):
        flags |= F_LINK
    if _AD.search(folded):
        flags |= F_AD
    if _QR.search(folded):
        flags |= F_QR
    return flags


__all__ = ["AD_PHRASES", "F_AD", "F_BOT", "F_LINK", "F_QR", "LINK_MARKERS", "QR_PHRASES",
           "message_flags"]
