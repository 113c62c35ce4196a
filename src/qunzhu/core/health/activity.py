"""Activity 活跃度: how much is said, by how many, who is new, who comes back, who is answered."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qunzhu.core.replies import SURE

from .history import (
    I64,
    History,
    distinct_per,
    first_rows,
    local_date,
    utc_offsets,
    week_start,
)

THREAD_GAP = 30 * 60  #: a message after this much silence opens a thread
ANSWER_WINDOW = 24 * 3600  #: a newcomer counts as answered within this time
WEAK_ANSWER = 10 * 60  #: without reply data, another member writing this soon counts as an answer
FOUNDING_DAYS = 7  #: senders of the group's first week are founders, not newcomers
SILENT_DAYS = 30


@dataclass(frozen=True)
class Newcomer:
    sender: int
    name: str
    first_ts: int
    message_id: int


@dataclass(frozen=True)
class Cohort:
    week: str
    size: int
    retained: tuple[float, ...]  #: share active 1, 2, 4 and 8 weeks later (nan: not yet)


RETENTION_OFFSETS = (1, 2, 4, 8)


@dataclass(frozen=True)
class Activity:
    days: tuple[str, ...]
    messages_per_day: tuple[int, ...]
    active_per_day: tuple[int, ...]
    weeks: tuple[str, ...]
    messages_per_week: tuple[int, ...]
    active_per_week: tuple[int, ...]
    new_per_week: tuple[int, ...]
    returning_per_week: tuple[int, ...]
    messages: int
    speakers: int
    members: int
    silent_members: int  #: known members who said nothing in the last 30 days
    median_first_reply_s: float | None
    newcomers: int
    unanswered: tuple[Newcomer, ...]
    cohorts: tuple[Cohort, ...]
    heatmap: tuple[tuple[int, ...], ...]  #: [weekday Monday=0][hour] messages
    newcomer_ts: tuple[int, ...]  #: first-message time of every newcomer
    newcomer_answered: tuple[bool, ...]
    active_day_share: float  #: share of days in the period with any message
    #: whether the export records answers: replies and mentions (else inferred or guessed)
    replies_recorded: bool = False
    #: reply links inferred from timing and names, and their mean confidence (0: none)
    inferred_links: int = 0
    inferred_confidence: float = 0.0

    @property
    def answered_share(self) -> float:
        return 1.0 - len(self.unanswered) / self.newcomers if self.newcomers else 1.0


def next_other(s: npt.NDArray[np.int32], ts: I64) -> I64:
    """For each row (time-ordered senders ``s`` and times ``ts``), seconds until another
    sender speaks (2**40 if nobody does)."""
    n = len(s)
    if n == 0:
        return np.zeros(0, np.int64)
    change = np.flatnonzero(s[1:] != s[:-1]) + 1  # first row of each later run
    run_id = np.zeros(n, np.int64)
    run_id[change] = 1
    run_id = np.cumsum(run_id)
    nxt = np.append(ts[change], 1 << 40)  # start time of the next run, per run
    return np.asarray(nxt[run_id] - ts, np.int64)


def addressed(h: History, inferred: bool = True) -> tuple[I64, I64]:
    """(target sender, time) of every reply or mention from someone else, sorted; with
    ``inferred``, replies inferred with confidence SURE or more count too."""
    speech = h.speech
    to, weight = h.links
    if not inferred:
        to = np.where(h.reply_to >= 0, to, -1)
    rows = np.flatnonzero((to >= 0) & (weight >= SURE))
    targets = [to[rows]]
    times = [h.ts[rows]]
    counts = np.diff(h.mention_ptr)
    if len(h.mention_to):
        owner = np.repeat(np.arange(len(h.ts)), counts)
        keep = speech[owner] & (h.mention_to != h.sender[owner])
        targets.append(h.mention_to[keep].astype(np.int64))
        times.append(h.ts[owner[keep]])
    target = np.concatenate(targets)
    when = np.concatenate(times)
    order = np.lexsort((when, target))
    return target[order], when[order]


def analyse_activity(h: History, until: int | None = None) -> Activity:
    speech = h.speech
    ts = h.ts[speech]
    sender = h.sender[speech].astype(np.int64)
    day = h.day[speech]
    week = h.week[speech]
    end = until if until is not None else (int(h.ts[-1]) if len(h.ts) else 0)
    if len(ts) == 0:
        return _empty(h)
    # the period runs to its end: days and weeks after the last message count, as silence
    last_local = end + int(utc_offsets(np.array([end], np.int64), h.zone)[0])
    d0, d1 = int(day.min()), max(int(day.max()), last_local // 86400)
    w0, w1 = int(week.min()), max(int(week.max()), (last_local // 86400 + 3) // 7)
    nd, nw = d1 - d0 + 1, w1 - w0 + 1
    dd, ww = day - d0, week - w0
    per_day = np.bincount(dd, minlength=nd)
    act_day = distinct_per(dd, sender, nd)
    per_week = np.bincount(ww, minlength=nw)
    act_week = distinct_per(ww, sender, nw)
    first_week = np.full(h.members, -1, np.int64)
    firsts = first_rows(sender, h.members)
    uniq = np.flatnonzero(firsts >= 0)
    first_row = np.sort(firsts[uniq])  # each speaker's first speech row, in time order
    first_week[uniq] = ww[firsts[uniq]]
    new_week = np.bincount(ww[first_row], minlength=nw)
    returning = act_week - new_week
    last_ts = np.full(h.members, -1, np.int64)
    np.maximum.at(last_ts, sender, ts)
    silent = int(np.sum(last_ts < end - SILENT_DAYS * 86400))

    gaps = np.diff(ts, prepend=ts[0] - THREAD_GAP - 1)
    wait = next_other(h.sender[speech], ts)
    target, when = addressed(h)
    # replies known or inferred: wait for the answer; else for anyone else to speak
    known = len(target) >= 0.01 * len(ts)
    wait_answer = _first_answer(target, when, sender, ts) if known else wait
    openers = (gaps > THREAD_GAP) & (wait_answer <= ANSWER_WINDOW)
    median_reply = float(np.median(wait_answer[openers])) if openers.any() else None

    founding_end = int(ts[0]) + FOUNDING_DAYS * 86400
    # a first message that is an ad or a QR card is a spammer arriving, not a newcomer to
    # welcome (the noise findings list them)
    spam = h.ads[speech]
    newcomer_rows = first_row[(ts[first_row] >= founding_end) & ~spam[first_row]]
    answered = _answered(h, newcomer_rows, ts, sender, wait)
    ids = h.message_ids[speech]
    unanswered = tuple(Newcomer(int(sender[r]), h.names[int(sender[r])], int(ts[r]), int(ids[r]))
                       for r, ok in zip(newcomer_rows.tolist(), answered, strict=True) if not ok)
    cohorts = _cohorts(ww, sender, first_week, nw, w0)
    local = h.local[speech]
    weekday = (day + 3) % 7
    hour = (local % 86400) // 3600
    heat = np.bincount(weekday * 24 + hour, minlength=168).reshape(7, 24)
    return Activity(
        days=tuple(local_date(d) for d in range(d0, d1 + 1)),
        messages_per_day=tuple(per_day.tolist()), active_per_day=tuple(act_day.tolist()),
        weeks=tuple(week_start(w) for w in range(w0, w1 + 1)),
        messages_per_week=tuple(per_week.tolist()), active_per_week=tuple(act_week.tolist()),
        new_per_week=tuple(new_week.tolist()), returning_per_week=tuple(returning.tolist()),
        messages=len(ts), speakers=len(uniq), members=h.members, silent_members=silent,
        median_first_reply_s=median_reply, newcomers=len(newcomer_rows),
        unanswered=unanswered, cohorts=cohorts,
        heatmap=tuple(tuple(r) for r in heat.tolist()),
        newcomer_ts=tuple(ts[newcomer_rows].tolist()), newcomer_answered=answered,
        active_day_share=float(np.count_nonzero(per_day)) / nd,
        replies_recorded=replies_recorded(h), inferred_links=h.inferred_links[0],
        inferred_confidence=round(h.inferred_links[1], 3))


def replies_recorded(h: History) -> bool:
    """Whether the export records who answers whom: replies or mentions on at least 1 % of
    what was said (Telegram, Discord, Slack, QQ JSON do; plain-text exports don't).
    Inferred replies do not count here: the warning's "newcomers unanswered" signal was
    measured on recorded answers only (docs/health.md)."""
    target, _ = addressed(h, inferred=False)
    return len(target) >= 0.01 * max(int(h.speech.sum()), 1)


def _first_answer(target: I64, when: I64, sender: I64, ts: I64) -> I64:
    """Per row, seconds until someone else first answers its sender after it (2**40 if
    nobody does); ``target``/``when`` from :func:`addressed`, sorted by target and time."""
    key = target * (1 << 40) + when
    k = np.searchsorted(key, sender * (1 << 40) + ts, "right")
    found = k < len(key)
    k = np.minimum(k, max(len(key) - 1, 0))
    ok = found & (target[k] == sender) if len(key) else np.zeros(len(ts), bool)
    return np.where(ok, when[k] - ts, 1 << 40).astype(np.int64)


def _answered(h: History, rows: I64, ts: I64, sender: I64, wait: I64) -> tuple[bool, ...]:
    """Whether each newcomer's first message got an answer within 24 hours.

    An answer is a reply to or a mention of the newcomer by someone else (a reply inferred
    from timing and names counts when it is at least SURE); in a history with (almost) no
    links at all, another member speaking within ten minutes counts instead.
    """
    if len(rows) == 0:
        return ()
    target, when = addressed(h)
    explicit = len(target) >= 0.01 * len(ts)
    out: list[bool] = []
    for r in rows.tolist():
        s, t = int(sender[r]), int(ts[r])
        if explicit:
            lo = np.searchsorted(target, s, "left")
            hi = np.searchsorted(target, s, "right")
            k = lo + np.searchsorted(when[lo:hi], t, "left")
            answered = k < hi and when[k] <= t + ANSWER_WINDOW
        else:
            answered = bool(wait[r] <= WEAK_ANSWER)
        out.append(bool(answered))
    return tuple(out)


def _cohorts(ww: I64, sender: I64, first_week: I64, nw: int, w0: int) -> tuple[Cohort, ...]:
    out: list[Cohort] = []
    lo = max(0, nw - 12)
    recent = ww >= lo  # only the last twelve weeks' cohorts are shown
    m = int(sender.max()) + 1
    pairs = np.unique(ww[recent] * m + sender[recent])
    active_sets: dict[int, set[int]] = {}
    for w, s in zip((pairs // m).tolist(), (pairs % m).tolist(), strict=True):
        active_sets.setdefault(w, set()).add(s)
    for w in range(lo, nw):
        members = np.flatnonzero(first_week == w)
        if len(members) == 0:
            continue
        cohort = set(members.tolist())
        kept = tuple(len(cohort & active_sets.get(w + k, set())) / len(cohort)
                     if w + k < nw else float("nan") for k in RETENTION_OFFSETS)
        out.append(Cohort(week_start(w + w0), len(cohort), kept))
    return tuple(out)


def _empty(h: History) -> Activity:
    return Activity((), (), (), (), (), (), (), (), 0, 0, h.members, h.members, None, 0, (), (),
                    tuple((0,) * 24 for _ in range(7)), (), (), 0.0)
