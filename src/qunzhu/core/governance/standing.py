"""A voucher's standing for the recommendation gate (举荐制).

Under 举荐制 a member vouches for a newcomer, so the gate is only as good as the
voucher. The score adds up a few plain parts, each easy to explain to the member:

=========================  ======================================================
tenure                     up to +30, linearly over the first 180 days
activity                   up to +40, reached at 30 active days of the last 90
clean record               +30 with no active strikes; else −10 for each strike
removed invitees           −15 for each invitee who was later removed
role                       creator +50, manager +30 (the larger one if both)
=========================  ======================================================

clamped to 0..100. Every part moves one way, so the score never rises with more strikes
or removed invitees, nor falls with more tenure or activity. A member with no strikes
needs 40 by default: a new member starts at 30 and can vouch after about a month of
regular activity; a new manager starts at 60. Strikes block vouching whatever the score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .messages import join, say, sentence

TENURE_POINTS, TENURE_DAYS = 30, 180
ACTIVITY_POINTS, ACTIVITY_DAYS = 40, 30
CLEAN_POINTS, STRIKE_PENALTY = 30, 10
INVITEE_PENALTY = 15
ROLE_POINTS = {"creator": 50, "manager": 30}


@dataclass(frozen=True)
class Standing:
    """``reasons`` are codes (``standing.tenure`` …); ``detail`` holds the inputs and
    ``points`` what each reason added or took away, for :meth:`text`."""

    score: int
    can_vouch: bool
    reasons: tuple[str, ...]
    min_score: int = 40
    detail: Mapping[str, int] = field(default_factory=dict)
    points: Mapping[str, int] = field(default_factory=dict)

    def text(self, lang: str = "zh-hans") -> str:
        """"举荐信用 72/100（门槛 40）：可以举荐；入群 200 天（+30）、…"."""
        verdict = say("standing.can_vouch" if self.can_vouch else "standing.cannot_vouch", lang)
        parts = [say(code, lang, points=self.points.get(code, 0), **self.detail)
                 for code in self.reasons]
        return say("standing.score", lang, score=self.score,
                   min_score=self.min_score) + sentence([verdict, join(parts, lang)], lang)


def standing(*, tenure_days: int, active_days_90: int, active_strikes: int,
             removed_invitees: int, roles: frozenset[str] = frozenset(),
             min_score: int = 40) -> Standing:
    """The voucher's score and whether they may vouch (score ≥ ``min_score`` and no active
    strikes); see the module docstring for the parts."""
    for name, value in (("tenure_days", tenure_days), ("active_days_90", active_days_90),
                        ("active_strikes", active_strikes),
                        ("removed_invitees", removed_invitees)):
        if value < 0:
            raise ValueError(f"{name}: must be 0 or more, got {value!r}")
    if not 0 <= min_score <= 100:
        raise ValueError(f"min_score: must be between 0 and 100, got {min_score!r}")
    points = {
        "standing.tenure": TENURE_POINTS * min(tenure_days, TENURE_DAYS) // TENURE_DAYS,
        "standing.activity": (ACTIVITY_POINTS * min(active_days_90, ACTIVITY_DAYS)
                              // ACTIVITY_DAYS),
    }
    if active_strikes:
        points["standing.strikes"] = -STRIKE_PENALTY * active_strikes
    else:
        points["standing.clean"] = CLEAN_POINTS
    if removed_invitees:
        points["standing.removed_invitees"] = -INVITEE_PENALTY * removed_invitees
    role = max((r for r in roles if r in ROLE_POINTS), key=ROLE_POINTS.__getitem__,
               default=None)
    if role is not None:
        points[f"standing.{role}"] = ROLE_POINTS[role]
    score = max(0, min(100, sum(points.values())))
    detail = {"tenure_days": tenure_days, "active_days_90": active_days_90,
              "active_strikes": active_strikes, "removed_invitees": removed_invitees}
    return Standing(score=score, can_vouch=score >= min_score and active_strikes == 0,
                    reasons=tuple(points), min_score=min_score, detail=detail, points=points)
