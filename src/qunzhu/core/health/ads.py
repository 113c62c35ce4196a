"""Hard ads 硬广: promotion, told apart from ordinary links and phrases by evidence.

A link or an ad phrase alone proves nothing: in a help channel members post the docs, a
paste of their error and "DM me if you need help" all day. A message is a hard ad when

* it sells by itself (``F_PROMO``: a price or a 淘口令 beside a link, a contact id or 私聊;
  a money phrase such as 兼职, 优惠券, 助力 beside a link or a contact id), or it is a
  mini-program card;
* it offers a contact id (``F_CONTACT``: 加微信 abc123, a phone number, "add me on Skype")
  and its account is *suspect*, or its account *spreads* it: posts the same text in two
  or more groups;
* it has a weaker sign — an ad phrase, a QR code, a link to a site that is not one of the
  community's topics — and its account is suspect and the same text or link is *pushed*:
  posted by suspect accounts in two or more groups, or REPEAT_MIN times by two or more;
* it links off-topic and its account spreads it, or its account is one-note and posts
  that site again and again (a member who shares a different article now and then
  promotes no site; two members who paste the same library link in two groups push
  nothing).

An account is *suspect* at a message when it is *new* (within its first hour in the group,
after the group's founding week, when everyone is new) or *one-note* (ONE_NOTE or more
messages with a sign and at most one ordinary message for four of them). The community's
*topic sites* are those that TOPIC_POSTERS established members (ESTABLISHED ordinary
messages in their group) have posted: the docs, repositories and pastebins of a tech
channel, the 公众号 articles and 豆瓣 reviews of a reading club. Owners (creators, managers)
and bots post no hard ads here: an owner's announcement is the group's own business, and a
bot's lines are noise of another kind.

What only the whole community shows (spread and pushed texts, topic sites) is an
:class:`AdContext`, computed once over all groups by the readers and handed to every
:class:`History`; the rest is the group's own. No text is read here: the flag bits stored
at import, the text and link keys and the site keys are enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .flags import F_AD, F_BOT, F_CONTACT, F_LINK, F_PROMO, F_QR
from .history import I64, K_MINI, Bools, History

FOUNDING = 7 * 86400  #: a group's first week, when everyone is new
NEWCOMER_HOUR = 3600
ONE_NOTE = 3  #: messages with a sign that make an account posting little else one-note
ESTABLISHED = 3  #: ordinary messages that make an account established in its group
TOPIC_POSTERS = 3  #: established posters that make a site one of the community's topics
REPEAT_MIN = 3  #: posts by two or more suspect accounts that make a text or link pushed
ANY_SIGN = F_LINK | F_AD | F_QR | F_CONTACT | F_PROMO


@dataclass(frozen=True)
class AdContext:
    """Evidence that only the whole community shows (keys of :class:`History`)."""

    spread: frozenset[int] = frozenset()  #: text keys one account posted in 2+ groups
    pushed: frozenset[int] = frozenset()  #: … posted by suspect accounts (module doc)
    topics: frozenset[int] = frozenset()  #: site keys of the community's topics


@dataclass(frozen=True)
class _Accounts:
    """One group's rows and accounts as evidence."""

    signs: Bools  #: per row: something said with a sign (link, phrase, contact, card…)
    eligible: Bools  #: per row: a sign not from an owner (bots have no signs)
    suspect: Bools  #: per row: eligible, and its account new or one-note
    established: Bools  #: per sender
    one_note: Bools  #: per sender


def _accounts(h: History) -> _Accounts:
    speech = h.speech & ((h.flags & F_BOT) == 0)
    signs = speech & (((h.flags & ANY_SIGN) != 0) | (h.kind == K_MINI))
    sender = np.maximum(h.sender, 0)
    n_signs = np.bincount(sender[signs], minlength=h.members)[:h.members]
    ordinary = np.bincount(sender[speech & ~signs], minlength=h.members)[:h.members]
    one_note = (n_signs >= ONE_NOTE) & (ordinary * 4 <= n_signs)
    eligible = signs
    if h.owners:
        eligible = signs & ~np.isin(h.sender, np.fromiter(h.owners, np.int32, len(h.owners)))
    suspect = eligible & (_new(h, eligible) | one_note[sender])
    return _Accounts(signs, eligible, suspect, ordinary >= ESTABLISHED, one_note)


def _new(h: History, rows_of_interest: Bools) -> Bools:
    """Rows within their sender's first hour in the group (joined, else first spoke),
    after the group's founding week."""
    out = np.zeros(len(h), bool)
    speech = np.flatnonzero(h.speech)
    rows = np.flatnonzero(rows_of_interest)
    if len(rows) == 0:
        return out
    first = np.full(h.members, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, h.sender[speech], h.ts[speech])
    since = np.where(h.joined >= 0, h.joined, first)
    age = h.ts[rows] - since[h.sender[rows]]
    founding_end = int(h.ts[speech[0]]) + FOUNDING
    out[rows] = (h.ts[rows] >= founding_end) & (age >= 0) & (age <= NEWCOMER_HOUR)
    return out


def ad_context(histories: Sequence[History]) -> AdContext:
    """Spread and pushed text and link keys, and topic sites, over a community's groups."""
    spread: list[tuple[I64, I64, I64]] = []
    pushed: list[tuple[I64, I64, I64]] = []
    sites: list[tuple[I64, I64]] = []
    for g, h in enumerate(histories):
        acc = _accounts(h)
        s = np.arange(h.members, dtype=np.int64)
        # the same person in every group where known, else an account of this group only
        ids = np.where(h.people >= 0, h.people, s + ((g + 1) << 32))
        for rows, out, keys in ((acc.eligible, spread, ("text",)),
                                (acc.suspect, pushed, ("text", "link"))):
            at = np.flatnonzero(rows)
            who = ids[h.sender[at]]
            for name in keys:
                key = (np.where(h.length[at] >= 10, h.text_key[at], 0) if name == "text"
                       else h.link[at])
                some = key != 0
                out.append((key[some].astype(np.int64), who[some],
                            np.full(int(some.sum()), g, np.int64)))
        at = np.flatnonzero(acc.signs & (h.site != 0))
        at = at[acc.established[h.sender[at]]]
        sites.append((h.site[at].astype(np.int64), ids[h.sender[at]]))
    return AdContext(_spread(spread), _pushed(pushed), _topics(sites))


def _columns(parts: list[tuple[I64, I64, I64]]) -> tuple[I64, I64, I64]:
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    key, acc, grp = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return key, acc, grp


def _spread(parts: list[tuple[I64, I64, I64]]) -> frozenset[int]:
    """Keys that one account posted in two or more groups."""
    key, acc, grp = _columns(parts)
    if len(key) == 0:
        return frozenset()
    # (key, account) pairs with two or more groups: a dense id per pair, then count groups
    pair = _dense(_pair(_dense(key), acc)[0])
    codes, width = _pair(pair, grp)
    wide = np.flatnonzero(np.bincount(np.unique(codes) // width) >= 2)
    return frozenset(np.unique(key[np.isin(pair, wide)]).tolist())


def _pushed(parts: list[tuple[I64, I64, I64]]) -> frozenset[int]:
    """Keys posted in two or more groups, or REPEAT_MIN times by two or more accounts."""
    key, acc, grp = _columns(parts)
    if len(key) == 0:
        return frozenset()
    uniq, posts = np.unique(key, return_counts=True)
    out = np.union1d(_distinct(key, grp, 2),
                     np.intersect1d(_distinct(key, acc, 2), uniq[posts >= REPEAT_MIN]))
    return frozenset(out.tolist())


def _distinct(key: I64, other: I64, least: int) -> I64:
    """Keys that come with at least ``least`` distinct values of ``other``."""
    keys, code = np.unique(key, return_inverse=True)
    codes, width = _pair(np.ravel(code), other)
    n = np.bincount(np.unique(codes) // width, minlength=len(keys))
    return np.asarray(keys[n >= least], np.int64)


def _dense(values: I64) -> I64:
    """0, 1, 2… in the order of the distinct values."""
    return np.asarray(np.ravel(np.unique(values, return_inverse=True)[1]), np.int64)


def _pair(a: I64, b: I64) -> tuple[I64, int]:
    """One integer per (a, b) pair, ``a * width + dense(b)``, and the width (``a`` small
    non-negative integers: a pair code over 2**63 would need 3e9 distinct of each)."""
    other = _dense(b)
    width = int(other.max()) + 1
    return np.asarray(a.astype(np.int64) * width + other, np.int64), width


def _topics(parts: list[tuple[I64, I64]]) -> frozenset[int]:
    site = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    if len(site) == 0:
        return frozenset()
    return frozenset(_distinct(site, np.concatenate([p[1] for p in parts]),
                               TOPIC_POSTERS).tolist())


def hard_ads(h: History, context: AdContext | None = None) -> Bools:
    """Rows of ``h`` that are hard ads (see the module docstring)."""
    ctx = context if context is not None else ad_context([h])
    acc = _accounts(h)
    flags = h.flags
    strong = ((flags & F_PROMO) != 0) | (h.kind == K_MINI)
    contact = (flags & F_CONTACT) != 0
    off_topic = ((flags & F_LINK) != 0) & ~_in(h.site, ctx.topics)
    weak = ((flags & (F_AD | F_QR)) != 0) | off_topic
    text = np.where(h.length >= 10, h.text_key, 0)
    spread = _in(text, ctx.spread)
    pushed = _in(h.link, ctx.pushed) | _in(text, ctx.pushed)
    one_site = acc.one_note[np.maximum(h.sender, 0)] & _site_again(h, acc.signs)
    return np.asarray(acc.eligible & (
        strong | (contact & (acc.suspect | spread)) | (weak & pushed & acc.suspect)
        | (off_topic & (spread | one_site))), bool)


def _in(keys: np.ndarray, chosen: frozenset[int]) -> Bools:
    if not chosen:
        return np.zeros(len(keys), bool)
    return np.asarray((keys != 0) & np.isin(keys, np.fromiter(chosen, np.int64, len(chosen))),
                      bool)


def _site_again(h: History, signs: Bools) -> Bools:
    """Rows whose sender posts their site more than once in the group."""
    out = np.zeros(len(h), bool)
    rows = np.flatnonzero(signs & (h.site != 0))
    if len(rows) == 0:
        return out
    pair, _ = _pair(h.sender[rows].astype(np.int64), h.site[rows].astype(np.int64))
    _, inverse, n = np.unique(pair, return_inverse=True, return_counts=True)
    out[rows] = n[np.ravel(inverse)] >= 2
    return out


__all__ = ["AdContext", "ad_context", "hard_ads"]
