"""Per-member behaviour counts, tiers 势能 (high / middle / ordinary) and output 输出.

Tiers come from behaviour thresholds, never from rank quantiles (DOMAIN.md "Structure"):
ranking the top 5% "high" would make every group show exactly 5/15/80. The thresholds
are per 28 days and scale with the period's length ``f = days / 28``; "group days" are
the days on which anyone spoke:

* **high** 高势能 — either a pillar of a busy group: opens at least ``4f`` threads that
  others answer, is answered or mentioned at least ``8f`` times and at least three times
  as often as the average speaker, and speaks on at least 30% of the days; or the one who
  carries a quieter group: draws at least 10% of all the answers and mentions in the
  group (and at least 4), opened at least 2 answered threads, and speaks on at least 30%
  of the group days (3 or more);
* **middle** 中势能 — not high, answers others or opens answered threads at least as often
  as the average speaker and at least ``min(6f, max(3, 2% of the group's messages))``
  times, and speaks on at least ``max(3, 15% of the group days)`` days;
* **ordinary** 普通 — everyone else who said something. Members who said nothing are
  lurkers: counted apart, never in the split (the playbook's 5/15/80 is among participants).

The rules compare with the group itself because fixed counts fail both ways: in a group
that speaks a few times a week they never come true although one or two people plainly
carry it, and in a lively group where everyone talks a lot everyone passes them
(bench/tiers_eval.py; docs/health.md "Tiers on real groups").

Answers are the history's reply links (:attr:`History.links`): replies the export
recorded count 1 each, replies inferred from timing and names
(:mod:`qunzhu.core.replies`) count their confidence. A thread is a message that answers
nobody and that someone else answered within a day. A history with no links at all (no
texts to infer from) falls back to timing: another member speaking within five minutes
is an answer, a message after 30 minutes' silence answered within 15 a thread.

A message is **substantive** (output) when it has 30+ characters, is a file or a link, or
answers someone with 15+ characters — and is not an ad, a QR card or a bot's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activity import next_other
from .flags import F_BOT, F_LINK
from .graph import inferred_note
from .history import F64, I64, K_FILE, K_LINK, History, distinct_per
from .reasons import Note, action, reason

THREAD_GAP = 30 * 60
THREAD_DAY = 24 * 3600  #: an answer within this time makes a message an answered thread
THREAD_ANSWER = 15 * 60
WEAK_ANSWER = 5 * 60
PILLAR_TIMES = 3.0  #: a pillar is answered this many times as often as the average speaker
CARRIER_SHARE = 0.10  #: share of the group's answers and mentions that one carrier draws
MIDDLE_SHARE = 0.02  #: share of the group's messages in answers that makes a quiet middle
TARGET = (0.05, 0.15, 0.80)
BALANCED = 0.2  #: a split within this total-variation distance of 5/15/80 is "close"
TIERS = ("high", "middle", "ordinary")
#: contribution score weights (per act)
SCORE_WEIGHTS: dict[str, float] = {"messages": 1, "received": 2, "threads": 3, "mentioned": 2,
                                   "active_days": 1, "output": 2}


@dataclass(frozen=True)
class MemberStats:
    """Counts per sender index (arrays of length ``members``)."""

    messages: I64
    received: F64  #: replies from others (inferred ones weighted by confidence)
    mentioned: I64  #: mentions by others
    threads: I64  #: conversations opened that someone else answered
    answers: F64  #: replies / mentions to others (or quick follow-ups without reply data)
    active_days: I64
    output: I64  #: substantive messages
    first_ts: I64
    last_ts: I64
    days: int  #: length of the period in days
    group_days: int = 0  #: days in the period on which anyone spoke

    @property
    def score(self) -> F64:
        w = SCORE_WEIGHTS
        return np.asarray(w["messages"] * self.messages + w["received"] * self.received
                + w["threads"] * self.threads + w["mentioned"] * self.mentioned
                + w["active_days"] * self.active_days + w["output"] * self.output, np.float64)


def substantive(h: History) -> np.ndarray:
    """Boolean per row: a speech message with output value (see module docstring)."""
    noisy = h.ads | ((h.flags & F_BOT) != 0)
    to, weight = h.links
    addressed = (to >= 0) & (weight >= 0.5)
    long_enough = (h.length >= 30) | (addressed & (h.length >= 15))
    media = (h.kind == K_FILE) | (h.kind == K_LINK) | ((h.flags & F_LINK) != 0)
    return np.asarray(h.speech & ~noisy & (long_enough | media), bool)


def member_stats(h: History, start: int | None = None, end: int | None = None) -> MemberStats:
    """Counts over rows with ``start <= ts < end`` (all rows by default)."""
    m = h.members
    keep = h.speech.copy()
    if start is not None:
        keep &= h.ts >= start
    if end is not None:
        keep &= h.ts < end
    s = h.sender[keep].astype(np.int64)
    ts = h.ts[keep]
    reply = h.links[0][keep]
    weight = h.links[1][keep]

    def count(idx: I64, weights: np.ndarray | None = None) -> I64:
        return np.bincount(idx, weights=weights, minlength=m)[:m].astype(np.int64)

    def weigh(idx: I64, weights: F64) -> F64:
        return np.asarray(np.bincount(idx, weights=weights, minlength=m)[:m], np.float64)

    messages = count(s)
    to_other = reply >= 0
    received = weigh(reply[to_other], weight[to_other])
    owner_row = np.repeat(np.arange(len(h.ts)), np.diff(h.mention_ptr))
    kept = keep[owner_row]
    target = h.mention_to[kept].astype(np.int64)
    owner = h.sender[owner_row[kept]].astype(np.int64)
    mentioned = count(target[target != owner])
    mentions_out = count(owner[target != owner])
    explicit = float(weight.sum()) + int((target != owner).sum()) >= 0.01 * max(len(s), 1)
    answered_at = h.answered_at[keep]
    if (h.answered_at >= 0).any():
        # a message that answers nobody (it opens a conversation) and that someone else
        # answered within a day
        opened = (reply < 0) & (answered_at >= 0) & (answered_at <= ts + THREAD_DAY)
    else:  # nothing known about who answers whom: silence, then someone else soon
        wait = next_other(h.sender[keep], ts)
        gaps = np.diff(ts, prepend=(ts[0] - THREAD_GAP - 1) if len(ts) else 0)
        opened = (gaps > THREAD_GAP) & (wait <= THREAD_ANSWER)
    threads = count(s[opened])
    if explicit:
        answers = weigh(s[to_other], weight[to_other]) + mentions_out
    else:
        prev_other = np.zeros(len(s), bool)
        if len(s) > 1:
            prev_other[1:] = (s[1:] != s[:-1]) & (np.diff(ts) <= WEAK_ANSWER)
        answers = count(s[prev_other]).astype(np.float64)
    day = h.day[keep]
    if len(day):
        d0 = int(day.min())
        days_by_member = distinct_per(s, day - d0, m)  # distinct days per member
        active_days = np.asarray(days_by_member, np.int64)
    else:
        active_days = np.zeros(m, np.int64)
    output = count(s[substantive(h)[keep]])
    first_ts = np.full(m, -1, np.int64)
    last_ts = np.full(m, -1, np.int64)
    if len(s):
        last_ts[s] = ts  # later rows overwrite earlier ones: the last time
        first_ts[s[::-1]] = ts[::-1]
    span = 1
    if len(ts):
        lo = start if start is not None else int(ts[0])
        hi = end if end is not None else int(ts[-1]) + 1
        span = max(1, int(np.ceil((hi - lo) / 86400)))
    return MemberStats(messages, received, mentioned, threads, answers, active_days, output,
                       first_ts, last_ts, span, len(np.unique(day)))


def assign_tiers(stats: MemberStats) -> np.ndarray:
    """Tier per member: 0 high, 1 middle, 2 ordinary, -1 lurker (said nothing)."""
    f = max(stats.days / 28, 0.25)
    got = stats.received + stats.mentioned
    speakers = stats.messages > 0
    usual_got = float(got[speakers].mean()) if speakers.any() else 0.0
    pillar = ((stats.threads >= 4 * f) & (got >= max(8 * f, PILLAR_TIMES * usual_got))
              & (stats.active_days >= 0.3 * stats.days))
    carrier = ((got >= CARRIER_SHARE * max(float(got.sum()), 1.0)) & (got >= 4)
               & (stats.threads >= 2) & (stats.active_days >= max(3, 0.3 * stats.group_days)))
    high = pillar | carrier
    acts = stats.answers + stats.threads
    usual_acts = float(acts[speakers].mean()) if speakers.any() else 0.0
    need = max(min(6 * f, max(3.0, MIDDLE_SHARE * float(stats.messages.sum()))), usual_acts)
    middle = (~high & (acts >= need)
              & (stats.active_days >= max(3, 0.15 * stats.group_days)))
    tier = np.where(high, 0, np.where(middle, 1, 2))
    return np.where(stats.messages > 0, tier, -1)


@dataclass(frozen=True)
class Movement:
    month: str  #: YYYY-MM, compared with the month before
    up: int
    down: int
    same: int
    new: int  #: spoke this month, not the month before
    gone: int  #: spoke the month before, not this month


@dataclass(frozen=True)
class Tiers:
    counts: tuple[int, int, int]  #: high, middle, ordinary
    shares: tuple[float, float, float]
    lurkers: int
    distance: float  #: total variation distance to 5/15/80 (0 = exact, 1 = disjoint)
    diagnosis: str  #: balanced | contact_exchange | no_role_models | no_middle | flood | too_few
    tier: tuple[int, ...]  #: per member
    score: tuple[float, ...]  #: per member
    gap: float  #: 势能差: mean score of high (or middle) members over the ordinary mean
    movement: tuple[Movement, ...]
    notes: tuple[Note, ...]
    actions: tuple[Note, ...]


def analyse_tiers(h: History, stats: MemberStats, monthly: bool = True,
                  period: History | None = None) -> Tiers:
    """The split of ``stats`` (``period``: the rows it counts, for saying how much of who
    answers whom is inferred; the whole history by default)."""
    tier = assign_tiers(stats)
    counts = tuple(int((tier == t).sum()) for t in range(3))
    speakers = sum(counts)
    shares = tuple(c / speakers if speakers else 0.0 for c in counts)
    distance = 0.5 * sum(abs(a - b) for a, b in zip(shares, TARGET, strict=True))
    diagnosis = _diagnose(counts, shares, speakers, distance)
    score = stats.score
    ordinary = score[tier == 2]
    upper = score[tier == 0] if counts[0] else score[tier == 1]
    gap = float(upper.mean() / max(ordinary.mean(), 1e-9)) if len(upper) and len(ordinary) else 0.0
    notes = [reason("tiers.split", high=shares[0], middle=shares[1], ordinary=shares[2])]
    if diagnosis == "too_few":
        notes = [reason("tiers.too_few", n=speakers)]
    elif diagnosis == "skewed":
        notes.append(reason("tiers.skewed", distance=distance))
    elif diagnosis != "balanced":
        notes.append(reason(f"tiers.{diagnosis}"))
    inferred = inferred_note(period if period is not None else h)
    if inferred is not None:  # "answered" stands on inferred links: say so beside the split
        notes.append(inferred)
    actions = {"no_role_models": [action("do.role_models")], "no_middle": [action("do.middle")],
               "flood": [action("do.role_models"), action("do.checkin")],
               "contact_exchange": [action("do.sharing")]}.get(diagnosis, [])
    return Tiers(counts, shares, int((tier == -1).sum()), round(distance, 4), diagnosis,  # type: ignore[arg-type]
                 tuple(int(t) for t in tier), tuple(score.round(1).tolist()), round(gap, 2),
                 _movement(h) if monthly else (), tuple(notes), tuple(actions))


def _diagnose(counts: tuple[int, ...], shares: tuple[float, ...], speakers: int,
              distance: float) -> str:
    if speakers < 10:
        return "too_few"
    high, middle, _ = shares
    if high >= 0.4:
        return "contact_exchange"
    if high + middle < 0.05:
        return "flood"
    if counts[0] == 0 or (middle >= 0.5 and high < 0.05):
        return "no_role_models"
    if counts[1] == 0:
        return "no_middle"
    return "balanced" if distance <= BALANCED else "skewed"


def month_bounds(h: History) -> list[tuple[str, int, int]]:
    """(YYYY-MM, start, end) in UTC seconds for each local calendar month of the history."""
    if len(h.ts) == 0:
        return []
    offset = int(h.local[0] - h.ts[0])
    first = np.datetime64(int(h.local[0]), "s").astype("datetime64[M]")
    last = np.datetime64(int(h.local[-1]), "s").astype("datetime64[M]")
    out = []
    month = first
    while month <= last:
        start = int(month.astype("datetime64[s]").astype(np.int64)) - offset
        end = int((month + 1).astype("datetime64[s]").astype(np.int64)) - offset
        out.append((str(month), start, end))
        month = month + 1
    return out


def _movement(h: History) -> tuple[Movement, ...]:
    months = month_bounds(h)[-7:]
    tiers = [assign_tiers(member_stats(h, a, b)) for _, a, b in months]
    out = []
    for (label, _, _), before, now in zip(months[1:], tiers, tiers[1:], strict=False):
        both = (before >= 0) & (now >= 0)
        out.append(Movement(label, int((both & (now < before)).sum()),
                            int((both & (now > before)).sum()), int((both & (now == before)).sum()),
                            int(((before < 0) & (now >= 0)).sum()),
                            int(((before >= 0) & (now < 0)).sum())))
    return tuple(out)


@dataclass(frozen=True)
class Output:
    substantive: int
    share: float
    gini: float
    leader: int  #: sender index of the top contributor, -1 if none
    leader_share: float
    contributors: int
    spread: str  #: wide | narrow | one
    notes: tuple[Note, ...]


def gini(values: F64) -> float:
    """Gini coefficient of non-negative values (0 equal, →1 one holds everything)."""
    v = np.sort(np.asarray(values, float))
    n = len(v)
    if n == 0 or v.sum() == 0:
        return 0.0
    cum = np.cumsum(v)
    return float((n + 1 - 2 * (cum / cum[-1]).sum()) / n)


def analyse_output(h: History, stats: MemberStats) -> Output:
    total = int(stats.messages.sum())
    out = stats.output
    sub = int(out.sum())
    speakers = out[stats.messages > 0]
    g = gini(speakers.astype(float))
    leader = int(out.argmax()) if sub else -1
    leader_share = float(out.max() / sub) if sub else 0.0
    spread = "one" if leader_share >= 0.5 else ("wide" if g < 0.6 else "narrow")
    share = sub / total if total else 0.0
    notes = (reason("output.share", share=share),
             reason("output.spread", spread=spread, gini=g, leader=leader_share))
    return Output(sub, round(share, 4), round(g, 4), leader, round(leader_share, 4),
                  int((out > 0).sum()), spread, notes)
