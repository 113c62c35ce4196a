"""Campaign figures 活动数据: the numbers behind the live monitor 监控 and the
retrospective 复盘 (seed 002), pure (no Django).

A campaign runs warm-up 预热 → ignition 引爆 → monitoring 监控. Whether it worked is a
comparison, not a count: 300 messages in ignition means little until the group's normal
day is known. So every phase is set against a :class:`Baseline`, the same group's
``baseline_days`` (28) days before warm-up, and ``lift`` says how many times its normal
rate the phase ran at.

Conventions, so the monitor and the retrospective agree to the message:

- windows are half-open, ``[start, end)``; boundaries are aware datetimes;
- a "message" is speech: every kind except join, leave, system, recall and rename
  (:data:`qunzhu.core.events.NON_SPEECH_KINDS`); a red envelope counts, it is something
  a member did in the group. Joins and leaves are counted on their own;
- days are 24-hour slots counted from a window's start (phase boundaries are local
  midnights, so the slots are the community's local days);
- the ``msgs`` given are the campaign's scope: pass one group's messages, or several
  groups' for a campaign run across them (figures are then for the groups together);
- for a campaign under way, pass ``now`` (or ``end=now``): a phase it cuts short is
  ``partial`` and its rates are per elapsed day;
- ties are broken by fixed keys, so the same input gives the same output.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from qunzhu.core.events import NON_SPEECH_KINDS

BASELINE_DAYS = 28

_DAY = timedelta(days=1)
_NOT_SPEECH = frozenset(str(kind) for kind in NON_SPEECH_KINDS)


@dataclass(frozen=True, slots=True)
class Msg:
    """One message as the figures see it; ``at`` is aware, ``reply_to`` another ``id``."""

    id: int
    at: datetime
    sender: int
    kind: str
    reply_to: int | None
    length: int
    group: int

    @property
    def speech(self) -> bool:
        return self.kind not in _NOT_SPEECH


@dataclass(frozen=True, slots=True)
class Phases:
    """Where each phase starts, and ``end``: where counting stops (the planned end, or now
    for a campaign under way — it may fall inside any phase, or before warm-up)."""

    warmup: datetime
    ignition: datetime
    monitoring: datetime
    end: datetime

    def __post_init__(self) -> None:
        for name in ("warmup", "ignition", "monitoring", "end"):
            if getattr(self, name).tzinfo is None:
                raise ValueError(f"phases: {name} must be timezone-aware")
        if not self.warmup <= self.ignition <= self.monitoring:
            raise ValueError("phases: warm-up, ignition and monitoring must start in that order")

    def planned(self) -> list[tuple[str, datetime, datetime]]:
        """(phase, start, planned end) for the three phases."""
        return [("warmup", self.warmup, self.ignition),
                ("ignition", self.ignition, self.monitoring),
                ("monitoring", self.monitoring, max(self.monitoring, self.end))]


@dataclass(frozen=True, slots=True)
class Baseline:
    """The group's normal before the campaign: ``days`` days before warm-up."""

    start: datetime
    end: datetime
    days: float
    messages: int
    participants: int
    per_day: float
    participants_per_day: float | None


@dataclass(frozen=True, slots=True)
class PhaseFigures:
    """One phase, counted over ``[start, end)``; ``end`` is where counting stopped, and
    ``partial`` says the phase has begun but counting stopped before its planned end.

    ``per_day`` is per elapsed day (``None`` before the phase begins);
    ``participants_per_day`` is the mean of distinct speakers per whole day (``None``
    until one whole day has passed: distinct people do not scale with a fraction of a day
    the way messages roughly do). ``lift`` and ``participant_lift`` divide by the baseline
    (``None`` when the baseline is 0 or the phase figure is unknown).
    """

    phase: str
    start: datetime
    end: datetime
    days: float
    partial: bool
    messages: int
    per_day: float | None
    participants: int
    participants_per_day: float | None
    joins: int
    leaves: int
    baseline: Baseline
    lift: float | None
    participant_lift: float | None

    @property
    def started(self) -> bool:
        return self.end > self.start


@dataclass(slots=True)
class _Tally:
    """Running counts for one window during the single pass."""

    start: datetime
    messages: int = 0
    joins: int = 0
    leaves: int = 0
    senders: set[int] = field(default_factory=set)
    daily: dict[int, set[int]] = field(default_factory=dict)

    def add(self, msg: Msg) -> None:
        kind = msg.kind
        if kind == "join":
            self.joins += 1
        elif kind == "leave":
            self.leaves += 1
        if kind in _NOT_SPEECH:
            return
        self.messages += 1
        self.senders.add(msg.sender)
        slot = (msg.at - self.start) // _DAY
        day = self.daily.get(slot)
        if day is None:
            self.daily[slot] = {msg.sender}
        else:
            day.add(msg.sender)

    def per_whole_day(self, days: float) -> float | None:
        whole = int(days)
        if whole < 1:
            return None
        return sum(len(s) for slot, s in self.daily.items() if slot < whole) / whole


def _days(start: datetime, end: datetime) -> float:
    return max((end - start) / _DAY, 0.0)


def _ratio(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def phase_figures(msgs: Iterable[Msg], phases: Phases, baseline_days: int = BASELINE_DAYS,
                  *, now: datetime | None = None) -> list[PhaseFigures]:
    """Warm-up, ignition and monitoring figures, each against the baseline, in one pass
    over ``msgs`` (any order).

    Counting stops at ``phases.end`` or ``now``, whichever is earlier; a phase that
    stop cuts short is ``partial``, one not yet begun has ``days == 0``. A group younger
    than ``baseline_days`` has a thin baseline: pass the days it has existed instead.
    """
    if baseline_days < 1:
        raise ValueError(f"baseline_days: must be 1 or more, got {baseline_days}")
    stop = phases.end if now is None else min(phases.end, now)
    base_start = phases.warmup - baseline_days * _DAY
    starts = [base_start, phases.warmup, phases.ignition, phases.monitoring]
    tallies = [_Tally(start) for start in starts]
    for msg in msgs:
        if base_start <= msg.at < stop:
            # the last window whose start is at or before the message (equal starts: the
            # later phase, as the earlier one is empty)
            tallies[bisect_right(starts, msg.at) - 1].add(msg)
    baseline = _baseline(tallies[0], min(phases.warmup, stop))
    return [_figures(name, start, planned_end, stop, tally, baseline)
            for (name, start, planned_end), tally in zip(phases.planned(), tallies[1:],
                                                         strict=True)]


def _baseline(tally: _Tally, end: datetime) -> Baseline:
    end = max(end, tally.start)
    days = _days(tally.start, end)
    return Baseline(start=tally.start, end=end, days=days, messages=tally.messages,
                    participants=len(tally.senders),
                    per_day=tally.messages / days if days else 0.0,
                    participants_per_day=tally.per_whole_day(days))


def _figures(name: str, start: datetime, planned_end: datetime, stop: datetime,
             tally: _Tally, baseline: Baseline) -> PhaseFigures:
    end = max(start, min(planned_end, stop))
    days = _days(start, end)
    per_day = tally.messages / days if days else None
    per_person_day = tally.per_whole_day(days)
    return PhaseFigures(
        phase=name, start=start, end=end, days=days, partial=start < end < planned_end,
        messages=tally.messages, per_day=per_day, participants=len(tally.senders),
        participants_per_day=per_person_day, joins=tally.joins, leaves=tally.leaves,
        baseline=baseline, lift=_ratio(per_day, baseline.per_day),
        participant_lift=_ratio(per_person_day, baseline.participants_per_day))


@dataclass(frozen=True, slots=True)
class TopPost:
    """A post and what it drew: replies from other members, and how many people replied."""

    msg: Msg
    replies: int
    repliers: int


def top_posts(msgs: Sequence[Msg], start: datetime, end: datetime, n: int = 5) -> list[TopPost]:
    """The ``n`` posts of ``[start, end)`` that drew the most replies — the scripts worth
    keeping for next time (复盘).

    A reply is a speech message whose ``reply_to`` is the post, from anyone but its
    author (talking to yourself draws no one), wherever it falls in ``msgs``: a post on
    the window's last evening keeps the replies of the next morning. Posts without a reply
    are left out. Order: replies, then repliers, descending; then time and id.
    """
    if n < 0:
        raise ValueError(f"n: must be 0 or more, got {n}")
    posts = {m.id: m for m in msgs if start <= m.at < end and m.speech}
    replies: Counter[int] = Counter()
    repliers: dict[int, set[int]] = {}
    for m in msgs:
        post = posts.get(m.reply_to) if m.reply_to is not None else None
        if post is not None and m.sender != post.sender and m.speech:
            replies[post.id] += 1
            repliers.setdefault(post.id, set()).add(m.sender)
    ranked = sorted(replies, key=lambda i: (-replies[i], -len(repliers[i]), posts[i].at, i))
    return [TopPost(posts[i], replies[i], len(repliers[i])) for i in ranked[:n]]


def participants(msgs: Iterable[Msg], start: datetime, end: datetime) -> dict[int, int]:
    """Sender → messages in ``[start, end)``, most first (ties: lower sender id first)."""
    counts = Counter(m.sender for m in msgs if start <= m.at < end and m.speech)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def totals(msgs: Iterable[Msg], start: datetime, end: datetime) -> dict[str, float]:
    """The chat's own measures over ``[start, end)`` — ``messages``, ``participants``
    (distinct speakers) and ``joins`` — ready for :func:`measure_results`; check-ins,
    submissions and conversions come from their own records."""
    messages, joins, senders = 0, 0, set()
    for m in msgs:
        if start <= m.at < end:
            if m.kind == "join":
                joins += 1
            elif m.speech:
                messages += 1
                senders.add(m.sender)
    return {"messages": messages, "participants": len(senders), "joins": joins}


class MeasureLike(Protocol):
    """What :func:`measure_results` reads of a measure (the library's ``Measure`` fits)."""

    @property
    def metric(self) -> str: ...

    @property
    def target(self) -> float: ...


@dataclass(frozen=True, slots=True)
class MeasureResult:
    """A measure judged: ``met`` and ``actual`` are ``None`` when the figure is unknown;
    ``ratio`` is actual / target (1.0 = exactly met)."""

    metric: str
    target: float
    actual: float | None
    met: bool | None
    ratio: float | None


def measure_results(measures: Iterable[MeasureLike],
                    actual: Mapping[str, float]) -> list[MeasureResult]:
    """Each measure against ``actual`` (metric → value), in the measures' order. A metric
    missing from ``actual`` is unknown, not failed: the retrospective says "no data"
    rather than blame a campaign for a figure nobody recorded."""
    results = []
    for m in measures:
        value = actual.get(m.metric)
        if value is None:
            results.append(MeasureResult(m.metric, m.target, None, None, None))
        else:
            results.append(MeasureResult(m.metric, m.target, value, value >= m.target,
                                         value / m.target if m.target > 0 else None))
    return results
