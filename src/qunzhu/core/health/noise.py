"""Noise 噪音: hard ads, repeated texts, newcomers' links, night floods, red-envelope-only
traffic and oversized groups — each a finding with its messages as evidence.

Hard ads are :attr:`History.ads` (:mod:`.ads`): promotion with evidence, never a link or an
ad phrase alone. The findings describe; advice that removes a person needs more (strikes
under the rulebook, or the operator's review of the evidence)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .flags import F_LINK
from .history import I32, I64, K_RED, History, first_rows
from .reasons import Note, reason

QUIET_START, QUIET_END = 23, 7  #: local quiet hours 23:00–07:00
NIGHT_FLOOD = 40  #: messages in one night's quiet hours that make a flood
NEWCOMER_HOUR = 3600
OVERSIZE = 300
REPEAT_MIN = 3  #: an ad's text posted this often by 2+ accounts (or in 2+ groups) is a campaign
EVIDENCE = 20


@dataclass(frozen=True)
class Finding:
    code: str  #: ads | repeated | newcomer_links | night_flood | red_envelopes | oversize
    count: int
    senders: tuple[int, ...]  #: sender indices involved (most active first)
    evidence: tuple[int, ...]  #: message ids, first EVIDENCE
    note: Note
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Noise:
    findings: tuple[Finding, ...]
    noisy_messages: int
    share: float  #: noisy messages / speech messages

    def count(self, code: str) -> int:
        return sum(f.count for f in self.findings if f.code == code)


def spam_keys(histories: Iterable[History]) -> set[int]:
    """Text keys of ad campaigns across the community.

    The text (10+ characters) of a hard ad, posted at least REPEAT_MIN times by two or
    more accounts or in two or more groups. Plain repeated phrases (谢谢分享, 收到, 哈哈哈…)
    are how people talk, and a docs link that three members post is help, not a campaign.
    """
    keys, accounts, groups, flagged = [], [], [], []
    for g, h in enumerate(histories):
        rows = h.speech & (h.text_key != 0) & (h.length >= 10)
        keys.append(h.text_key[rows])
        sender = h.sender[rows].astype(np.int64)
        person = h.people[sender] if len(h.people) else np.full(len(sender), -1, np.int64)
        # the same person in every group where known, else an account of this group only
        accounts.append(np.where(person >= 0, person, sender + ((g + 1) << 32)))
        groups.append(np.full(int(rows.sum()), g, np.int64))
        flagged.append(h.ads[rows])
    if not keys:
        return set()
    key = np.concatenate(keys)
    uniq, n = np.unique(key, return_counts=True)
    often = uniq[n >= REPEAT_MIN]
    if len(often) == 0:
        return set()
    sel = np.isin(key, often)
    k, acc = key[sel], np.concatenate(accounts)[sel]
    grp, flag = np.concatenate(groups)[sel], np.concatenate(flagged)[sel]
    flagged_keys = np.unique(k[flag])
    per_account = np.unique(np.stack([k, acc]), axis=1)[0]
    per_group = np.unique(np.stack([k, grp]), axis=1)[0]
    ka, na = np.unique(per_account, return_counts=True)
    kg, ng = np.unique(per_group, return_counts=True)
    spread = np.union1d(ka[na >= 2], kg[ng >= 2])
    return set(np.intersect1d(spread, flagged_keys).tolist())


def _top_senders(sender: I64 | I32) -> tuple[int, ...]:
    if len(sender) == 0:
        return ()
    ids, n = np.unique(sender, return_counts=True)
    return tuple(int(i) for i in ids[np.argsort(-n, kind="stable")][:10])


def analyse_noise(h: History, spam: set[int] | frozenset[int] = frozenset()) -> Noise:
    speech = h.speech
    findings: list[Finding] = []
    ids = h.message_ids
    ads = h.ads
    repeated = ads & np.isin(h.text_key, np.fromiter(spam, np.int64, len(spam)))
    if ads.any():
        who = _top_senders(h.sender[ads])
        findings.append(Finding("ads", int(ads.sum()), who, tuple(ids[ads][:EVIDENCE].tolist()),
                                reason("noise.ads", n=int(ads.sum()),
                                       senders=len(np.unique(h.sender[ads])))))
    if repeated.any():
        keys, n = np.unique(h.text_key[repeated], return_counts=True)
        for k in keys[np.argsort(-n, kind="stable")][:5].tolist():
            rows = repeated & (h.text_key == k)
            if rows.sum() < 2:
                continue
            senders = np.unique(h.sender[rows])
            findings.append(Finding("repeated", int(rows.sum()), _top_senders(h.sender[rows]),
                                    tuple(ids[rows][:EVIDENCE].tolist()),
                                    reason("noise.repeated", n=int(rows.sum()),
                                           senders=len(senders)), {"text_key": int(k)}))
    findings.extend(_newcomer_links(h))
    findings.extend(_night_floods(h))
    red = speech & (h.kind == K_RED)
    n_speech = int(speech.sum())
    if red.sum() >= 10 and red.sum() >= 0.1 * n_speech:
        share = float(red.sum() / n_speech)
        findings.append(Finding("red_envelopes", int(red.sum()), _top_senders(h.sender[red]),
                                tuple(ids[red][:EVIDENCE].tolist()),
                                reason("noise.red_envelopes", share=share)))
    if h.members > OVERSIZE:
        findings.append(Finding("oversize", h.members, (), (),
                                reason("noise.oversize", members=h.members)))
    noisy = ads | red
    share = float(noisy.sum() / n_speech) if n_speech else 0.0
    return Noise(tuple(findings), int(noisy.sum()), share)


def _newcomer_links(h: History) -> list[Finding]:
    speech = h.speech
    rows = np.flatnonzero(speech)
    if len(rows) == 0:
        return []
    s = h.sender[rows]
    founding_end = int(h.ts[rows[0]]) + 7 * 86400
    first = first_rows(s.astype(np.int64), h.members)
    first_ts = np.where(first >= 0, h.ts[rows[np.maximum(first, 0)]], -1)
    since = np.where(h.joined >= 0, h.joined, first_ts)
    link = speech & ((h.flags & F_LINK) != 0)
    link_rows = np.flatnonzero(link)
    ls = h.sender[link_rows]
    start = since[ls]
    hit = (start >= founding_end) & (h.ts[link_rows] - start <= NEWCOMER_HOUR)
    if not hit.any():
        return []
    who = np.unique(ls[hit])
    ev = h.message_ids[link_rows[hit]][:EVIDENCE]
    return [Finding("newcomer_links", len(who), tuple(int(w) for w in who[:10]),
                    tuple(ev.tolist()), reason("noise.newcomer_links", n=len(who)))]


def _night_floods(h: History) -> list[Finding]:
    hour = (h.local % 86400) // 3600
    quiet = h.speech & ((hour >= QUIET_START) | (hour < QUIET_END))
    rows = np.flatnonzero(quiet)
    if len(rows) < NIGHT_FLOOD:
        return []
    # a night belongs to the day it starts: shift early-morning hours back by a day
    night = (h.local[rows] - QUIET_END * 3600) // 86400
    nights, inverse, n = np.unique(night, return_inverse=True, return_counts=True)
    span = int(night.max() - night.min()) + 1
    typical = float(np.median(np.concatenate([n, np.zeros(max(span - len(n), 0))])))
    limit = max(NIGHT_FLOOD, 4 * typical)  # a flood stands out from the group's usual nights
    out = []
    for k in np.argsort(-n, kind="stable")[:10].tolist():
        if n[k] < limit:
            break
        sel = rows[inverse == k]
        local = h.local[sel]
        out.append(Finding("night_flood", int(n[k]), _top_senders(h.sender[sel]),
                           tuple(h.message_ids[sel][:EVIDENCE].tolist()),
                           reason("noise.night_flood", n=int(n[k]), start=_hhmm(int(local[0])),
                                  end=_hhmm(int(local[-1]))),
                           {"night": str(np.datetime64(int(nights[k]), "D"))}))
    return out


def _hhmm(local: int) -> str:
    return str(np.datetime64(local, "s")).replace("T", " ")[:16]
