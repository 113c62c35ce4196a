"""Points and badges, pure (no Django): how many points each act earns, and which badges
a member's record earns. The ledger itself (append-only) is stored by the Django layer.

Rewards attach to real participation only — check-ins, sharing, homework, referrals that
actually join — never to reposting (DOMAIN.md, "Lines we do not cross").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: acts that earn points, with the default amount per act
DEFAULT_POINTS: dict[str, int] = {
    "checkin": 2,            # one day checked in
    "checkin_complete": 20,  # a challenge finished (every day)
    "share": 20,             # a sharing session given
    "homework": 5,           # homework submitted on time
    "homework_featured": 10,  # homework picked as excellent
    "chain": 0,              # signing up to a 接龙
    "referral": 10,          # a referred friend admitted
}

#: what a badge may be earned by (the stat names :func:`earned` reads)
METRICS = ("points", "checkins", "challenges_completed", "shares", "submissions",
           "featured", "referrals")


def amount(policy: Mapping[str, int], act: str) -> int:
    """Points for one ``act`` under a community's policy (the default where it is silent)."""
    if act not in DEFAULT_POINTS:
        raise KeyError(f"unknown act {act!r}; known: {', '.join(DEFAULT_POINTS)}")
    return int(policy.get(act, DEFAULT_POINTS[act]))


def check_policy(policy: Mapping[str, object]) -> dict[str, int]:
    """A policy from a form or JSON: known acts, whole non-negative numbers."""
    clean: dict[str, int] = {}
    for act, value in policy.items():
        if act not in DEFAULT_POINTS:
            raise ValueError(f"unknown act {act!r}; known: {', '.join(DEFAULT_POINTS)}")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"{act}: expected a whole number, got {value!r}")
        try:
            number = int(value)
        except ValueError as exc:
            raise ValueError(f"{act}: expected a whole number, got {value!r}") from exc
        if number < 0:
            raise ValueError(f"{act}: points cannot be negative ({number})")
        clean[act] = number
    return clean


@dataclass(frozen=True, slots=True)
class BadgeRule:
    code: str
    metric: str
    at_least: int

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"badge {self.code}: unknown metric {self.metric!r}; "
                             f"known: {', '.join(METRICS)}")
        if self.at_least < 1:
            raise ValueError(f"badge {self.code}: the threshold must be at least 1")


#: badges every community starts with (names are translated by the Django layer)
DEFAULT_BADGES = (
    BadgeRule("finisher", "challenges_completed", 1),   # 21天毕业 / challenge finisher
    BadgeRule("sharer", "shares", 1),                  # 分享者 / speaker
    BadgeRule("top_sharer", "shares", 3),              # 分享达人 / top sharer
    BadgeRule("diligent", "submissions", 5),           # 勤奋学员 / diligent learner
    BadgeRule("excellent", "featured", 1),             # 优秀作业 / excellent work
    BadgeRule("connector", "referrals", 3),            # 拉新达人 / connector
)


def earned(rules: Iterable[BadgeRule], stats: Mapping[str, int | float]) -> list[str]:
    """Codes of the badges a member's stats earn, in the rules' order."""
    return [rule.code for rule in rules if stats.get(rule.metric, 0) >= rule.at_least]


def spendable(balance: int, cost: int) -> bool:
    """A spend never takes a member below zero."""
    return 0 < cost <= balance
