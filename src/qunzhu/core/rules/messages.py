"""Sentences of the rules engine, en and zh-Hans (zh-Hant converted with OpenCC).

Findings carry a code and JSON-ready parameters, never finished sentences, so a stored
finding can be shown in whatever language its reader uses — the scheme of
:mod:`qunzhu.core.health.reasons`. Templates are converted to Traditional before they are
filled in, so names, keywords and texts quoted from a chat stay exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ..text import language as _language
from ..text import to_traditional

LANGUAGES = ("en", "zh-hans", "zh-hant")

# code → (English, Simplified Chinese); parameters are formatted with str.format.
CATALOGUE: dict[str, tuple[str, str]] = {
    # findings
    "quiet_hours.message": ("{name} posted at {local}, during quiet hours ({start}–{end}).",
                            "{name} 在休息时段（{start}–{end}）的 {local} 发言。"),
    "hard_ad.keyword": ("{name} posted a hard ad: it contains “{keyword}”.",
                        "{name} 发了硬广：含有“{keyword}”。"),
    "hard_ad.qr": ("{name} posted a QR code or mini-program pointer (“{keyword}”).",
                   "{name} 发了二维码或小程序引流（“{keyword}”）。"),
    "hard_ad.card": ("{name} posted a mini-program or QR card.",
                     "{name} 发了小程序或二维码卡片。"),
    "hard_ad.link": ("{name} posted a link to {domain}, which is not on the allowed list.",
                     "{name} 发了不在白名单内的链接：{domain}。"),
    "hard_ad.repeat": ("{name} posted a text that appeared in {groups} groups within 24 "
                       "hours: “{excerpt}”.",
                       "{name} 发的同一段文字 24 小时内出现在 {groups} 个群：“{excerpt}”。"),
    "flood.burst": ("{name} posted {n} messages within {seconds} {secs}.",
                    "{name} 在 {seconds} 秒内连发 {n} 条消息。"),
    "flood.repeat": ("{name} posted the same text {n} times within {minutes} {mins}: "
                     "“{excerpt}”.",
                     "{name} 在 {minutes} 分钟内把同一段话发了 {n} 次：“{excerpt}”。"),
    "newcomer_link.link": ("{name} posted a link {minutes} {mins} after joining "
                           "(newcomers wait {window} {window_mins}).",
                           "{name} 入群 {minutes} 分钟就发了链接"
                           "（新人 {window} 分钟内不发链接）。"),
    "newcomer_link.card": ("{name} posted a mini-program or QR card {minutes} {mins} after "
                           "joining (newcomers wait {window} {window_mins}).",
                           "{name} 入群 {minutes} 分钟就发了小程序或二维码"
                           "（新人 {window} 分钟内不发）。"),
    "red_envelope_only.only": ("In the last {days} {days_word} {name} sent {n} red {envelopes} and "
                               "said nothing else.",
                               "近 {days} 天 {name} 只发了 {n} 个红包，没有说过话。"),
    "size_cap.noise": ("{group} has {members} members (alert line {noise_at}): every "
                       "message now disturbs many people. Consider quiet hours or sub-groups.",
                       "{group} 已有 {members} 人（提醒线 {noise_at} 人）：每条消息都会打扰很多人，"
                       "考虑设禁言时段或分群。"),
    "size_cap.capacity": ("{group} has {members} members and reached its capacity of "
                          "{capacity}: split it and start a new group.",
                          "{group} 已有 {members} 人，达到上限 {capacity} 人：建议拆分，开新群。"),
    # the operator's notice and the default warning posted in the group
    "notify": ("[{group}] {sentence}", "【{group}】{sentence}"),
    "warning": ("@{name} please follow the group rule: {rule}.", "@{name} 请遵守群规：{rule}。"),
    # default rule titles
    "title.quiet_hours": ("Quiet hours", "休息时段不发言"),
    "title.hard_ad": ("No hard ads", "禁止硬广"),
    "title.flood": ("No flooding", "禁止刷屏"),
    "title.newcomer_link": ("Newcomers: no links right after joining", "新人入群后不要马上发链接"),
    "title.red_envelope_only": ("Don't just send red envelopes", "不要只发红包不交流"),
    "title.size_cap": ("Group size limit", "群规模上限"),
    # summary
    "summary.period": ("Over {events:,} messages from {since} to {until}, this rulebook "
                       "would have caught {items}.",
                       "这套群规在 {since} 至 {until} 的 {events:,} 条消息中会拦下 {items}。"),
    "summary.all": ("Over {events:,} messages, this rulebook would have caught {items}.",
                    "这套群规在这 {events:,} 条消息中会拦下 {items}。"),
    "summary.nothing_period": ("Over {events:,} messages from {since} to {until}, this "
                               "rulebook would have caught nothing.",
                               "这套群规在 {since} 至 {until} 的 {events:,} 条消息中"
                               "不会拦下任何消息。"),
    "summary.nothing": ("Over {events:,} messages, this rulebook would have caught nothing.",
                        "这套群规在这 {events:,} 条消息中不会拦下任何消息。"),
    "summary.hard_ad": ("{findings:,} {ads} ({members:,} {people})",
                        "{findings:,} 条广告（{members:,} 人）"),
    "summary.quiet_hours": ("{findings:,} {msgs} in quiet hours ({members:,} {people})",
                            "{findings:,} 条休息时段消息（{members:,} 人）"),
    "summary.quiet_hours_floods": ("{episodes:,} night {night_floods} ({findings:,} {msgs} "
                                   "in quiet hours, {members:,} {people})",
                                   "{episodes:,} 次深夜刷屏（共 {findings:,} 条休息时段消息，"
                                   "{members:,} 人）"),
    "summary.flood": ("{findings:,} {floods} ({members:,} {people})",
                      "{findings:,} 次刷屏（{members:,} 人）"),
    "summary.newcomer_link": ("{findings:,} {links} from {members:,} {newcomers}",
                              "{members:,} 位新人入群即发链接（{findings:,} 条）"),
    "summary.red_envelope_only": ("{members:,} {people} who only send red envelopes",
                                  "{members:,} 位只发红包不说话的成员"),
    "summary.size_cap": ("{findings:,} group-size {alerts}", "{findings:,} 次群规模提醒"),
}

#: English nouns whose form depends on a count (the key names the count it follows)
_PLURALS: dict[str, tuple[str, str, str]] = {
    "ads": ("findings", "ad", "ads"), "msgs": ("findings", "message", "messages"),
    "people": ("members", "member", "members"), "floods": ("findings", "flood", "floods"),
    "links": ("findings", "link", "links"), "newcomers": ("members", "newcomer", "newcomers"),
    "alerts": ("findings", "alert", "alerts"), "secs": ("seconds", "second", "seconds"),
    "mins": ("minutes", "minute", "minutes"), "window_mins": ("window", "minute", "minutes"),
    "days_word": ("days", "day", "days"), "envelopes": ("n", "envelope", "envelopes"),
    "night_floods": ("episodes", "flood", "floods"),
}


@lru_cache(maxsize=64)
def language(lang: str) -> str:
    """``lang`` reduced to one of :data:`LANGUAGES` (:func:`qunzhu.core.text.language`,
    cached: the engine asks for every finding)."""
    return _language(lang)


@lru_cache(maxsize=1024)
def template(code: str, lang: str) -> str:
    """The unfilled template of ``code`` in ``lang``."""
    en, zh = CATALOGUE[code]
    lang = language(lang)
    if lang == "en":
        return en
    return to_traditional(zh) if lang == "zh-hant" else zh


def say(code: str, lang: str, **params: Any) -> str:
    """The sentence for ``code`` in ``lang``; English plurals follow their counts."""
    return sentence(code, lang, params)


_COMPILED: dict[tuple[str, str], tuple[str, tuple[tuple[str, str, str, str], ...]]] = {}


def sentence(code: str, lang: str, params: dict[str, Any]) -> str:
    """:func:`say` with the parameters as a dict (the engine's hot path: no copies when
    no plural is involved)."""
    compiled = _COMPILED.get((code, lang))
    if compiled is None:
        plurals = tuple((w, *_PLURALS[w]) for w in _PLURALS if "{" + w + "}" in CATALOGUE[code][0])
        compiled = _COMPILED[(code, lang)] = (template(code, lang),
                                              plurals if language(lang) == "en" else ())
    text, plurals = compiled
    if plurals:
        params = dict(params)
        for word, count, one, many in plurals:
            params[word] = one if params.get(count) == 1 else many
    return text.format_map(params)


def join(items: Iterable[str], lang: str) -> str:
    """A list in running text: 甲、乙和丙 / a, b and c."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    if language(lang) == "en":
        return ", ".join(items[:-1]) + " and " + items[-1]
    return "、".join(items)
