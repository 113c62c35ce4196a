"""Elimination rules (淘汰规则): who would leave a group under each of the playbook's four.

人员定额 headcount quota, 犯规剔除 removal on violations, 积分淘汰 points, 成果淘汰
outcome. These functions only propose: they return :class:`Removal` values, each with the
numbers behind it, and the operator (or a vote) decides.

Common ground for all four:

- creators and managers (:data:`PROTECTED_ROLES`) are never proposed;
- the result has each member at most once and comes in a fixed order (the most clearly
  removable first, then ``member_id``), so the same input gives the same list;
- a ``member_id`` given twice is a caller's mistake and raises ``ValueError``;
- quota and points spare recent joiners — whoever joined less than ``grace_days`` (7)
  days before ``now`` — since a newcomer has had no time to be active or earn points.
  ``now`` defaults to the latest ``last_active`` or ``joined`` among the candidates, so
  the result depends on the data only, never on the clock. Spared joiners still count
  toward the quota, and every removal's ``detail`` says how many were spared.
  Violations and outcome do not spare anyone: a spammer who joined an hour ago goes, and
  an outcome requirement is counted by the caller over a period the member was in.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .messages import say, sentence

PROTECTED_ROLES = frozenset({"creator", "manager"})
GRACE_DAYS = 7


@dataclass(frozen=True)
class Candidate:
    """A member as the elimination rules see them; counts are over the caller's period."""

    member_id: int
    name: str
    roles: frozenset[str] = frozenset()
    messages: int = 0
    active_days: int = 0
    last_active: datetime | None = None
    joined: datetime | None = None
    points: int = 0
    strikes: int = 0
    completed: int = 0

    @property
    def protected(self) -> bool:
        return not PROTECTED_ROLES.isdisjoint(self.roles)


@dataclass(frozen=True)
class Removal:
    """A proposed removal: ``code`` is ``elimination.<rule>``, ``detail`` its numbers
    (JSON-ready: ints, strings, ``None``)."""

    member_id: int
    name: str
    code: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh-hans") -> str:
        """Why this member would go, one sentence with the numbers."""
        clauses = [say(self.code, lang, **self.detail)]
        if self.detail.get("spared"):
            clauses.append(say("elimination.spared", lang, **self.detail))
        return sentence(clauses, lang)


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    out, seen = [], set()
    for c in candidates:
        if c.member_id in seen:
            raise ValueError(f"candidates: member {c.member_id} appears twice")
        seen.add(c.member_id)
        out.append(c)
    return out


def _reference_time(candidates: Sequence[Candidate]) -> datetime | None:
    times = [t for c in candidates for t in (c.last_active, c.joined) if t is not None]
    return max(times, default=None)


def recent_joiners(candidates: Iterable[Candidate], *, grace_days: int = GRACE_DAYS,
                   now: datetime | None = None) -> list[Candidate]:
    """Members who joined less than ``grace_days`` before ``now``: spared by quota and
    points. Members without a join date are not recent (nothing says they are)."""
    if grace_days < 0:
        raise ValueError(f"grace_days: must be 0 or more, got {grace_days!r}")
    pool = _unique(candidates)
    now = now if now is not None else _reference_time(pool)
    if now is None or grace_days == 0:
        return []
    window = timedelta(days=grace_days)
    return [c for c in pool if c.joined is not None and now - c.joined < window]


def _split(candidates: Iterable[Candidate], grace_days: int,
           now: datetime | None) -> tuple[list[Candidate], list[Candidate], int]:
    """(all candidates, those who may go, how many recent joiners were spared)."""
    pool = _unique(candidates)
    recent = {c.member_id for c in recent_joiners(pool, grace_days=grace_days, now=now)}
    removable = [c for c in pool if not c.protected and c.member_id not in recent]
    spared = sum(1 for c in pool if not c.protected and c.member_id in recent)
    return pool, removable, spared


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _activity(c: Candidate) -> tuple[int, int, tuple[int, ...] | tuple[int, datetime], int]:
    # never active sorts before any date: least active first
    last: tuple[int, ...] | tuple[int, datetime] = (0,) if c.last_active is None else (
        1, c.last_active)
    return (c.active_days, c.messages, last, c.member_id)


def by_quota(candidates: Iterable[Candidate], keep: int, *, grace_days: int = GRACE_DAYS,
             now: datetime | None = None) -> list[Removal]:
    """人员定额: the group keeps ``keep`` members; the least active go.

    Activity is active days, then messages, then the older last activity (never active
    is oldest), then ``member_id``. Protected members and spared recent joiners stay and
    count toward ``keep``, so more than ``keep`` may remain when they alone exceed it.
    Least active first.
    """
    if keep < 0:
        raise ValueError(f"keep: must be 0 or more, got {keep!r}")
    pool, removable, spared = _split(candidates, grace_days, now)
    ranked = sorted(removable, key=_activity)
    excess = min(max(0, len(pool) - keep), len(ranked))
    return [Removal(c.member_id, c.name, "elimination.quota", {
        "keep": keep, "members": len(pool), "rank": i + 1, "ranked": len(ranked),
        "active_days": c.active_days, "messages": c.messages,
        "last_active": _iso(c.last_active), "spared": spared, "grace_days": grace_days,
    }) for i, c in enumerate(ranked[:excess])]


def _proposals(candidates: Iterable[Candidate], goes: Callable[[Candidate], bool],
               order: Callable[[Candidate], tuple[int, int]], code: str,
               detail: Callable[[Candidate], dict[str, Any]]) -> list[Removal]:
    chosen = [c for c in _unique(candidates) if not c.protected and goes(c)]
    return [Removal(c.member_id, c.name, code, detail(c)) for c in sorted(chosen, key=order)]


def by_violations(candidates: Iterable[Candidate], threshold: int) -> list[Removal]:
    """犯规剔除: everyone with at least ``threshold`` strikes; most strikes first."""
    if threshold < 1:
        raise ValueError(f"threshold: must be 1 or more, got {threshold!r}")
    return _proposals(candidates, lambda c: c.strikes >= threshold,
                      lambda c: (-c.strikes, c.member_id), "elimination.violations",
                      lambda c: {"strikes": c.strikes, "threshold": threshold})


def by_outcome(candidates: Iterable[Candidate], required: int) -> list[Removal]:
    """成果淘汰: everyone who completed fewer than ``required`` tasks; fewest first."""
    if required < 0:
        raise ValueError(f"required: must be 0 or more, got {required!r}")
    return _proposals(candidates, lambda c: c.completed < required,
                      lambda c: (c.completed, c.member_id), "elimination.outcome",
                      lambda c: {"completed": c.completed, "required": required})


def by_points(candidates: Iterable[Candidate], *, bottom: int | None = None,
              minimum: int | None = None, grace_days: int = GRACE_DAYS,
              now: datetime | None = None) -> list[Removal]:
    """积分淘汰: the ``bottom`` lowest-scoring members, and/or everyone below ``minimum``.

    Give ``bottom``, ``minimum`` or both (then a member goes if either rule says so).
    Ranking is among the members who may go (not protected, not spared). Ties at the
    cut-off are all kept: with points 1, 2, 5, 5, 7 and ``bottom=3`` only 1 and 2 go,
    because removing one of the two members with 5 points would be arbitrary — so fewer
    than ``bottom`` may go. Lowest points first; a member below ``minimum`` is reported
    under ``elimination.points_minimum``, the plainer reason.
    """
    if bottom is None and minimum is None:
        raise ValueError("bottom, minimum: give at least one of them")
    if bottom is not None and bottom < 0:
        raise ValueError(f"bottom: must be 0 or more, got {bottom!r}")
    _pool, removable, spared = _split(candidates, grace_days, now)
    ranked = sorted(removable, key=lambda c: (c.points, c.member_id))
    cut = _bottom_cut(ranked, bottom)
    points = [c.points for c in ranked]
    out = []
    for c in ranked:
        rank = 1 + bisect_left(points, c.points)  # tied members share a rank
        common = {"points": c.points, "rank": rank, "ranked": len(ranked), "bottom": bottom,
                  "minimum": minimum, "spared": spared, "grace_days": grace_days}
        if minimum is not None and c.points < minimum:
            out.append(Removal(c.member_id, c.name, "elimination.points_minimum", common))
        elif cut is not None and c.points < cut:
            out.append(Removal(c.member_id, c.name, "elimination.points_bottom", common))
    return out


def _bottom_cut(ranked: Sequence[Candidate], bottom: int | None) -> float | None:
    """Points below which the bottom rule removes: the points of the first member kept,
    so that everyone tied with them is kept too."""
    if bottom is None:
        return None
    if bottom >= len(ranked):
        return float("inf")
    return ranked[bottom].points
