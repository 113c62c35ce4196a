"""Counting a rule vote (规则投票): rules change by a members' vote, not by whim (seed 004).

The caller collects one ballot per member (a changed vote replaces the earlier one before
it gets here); this module only does the arithmetic, exactly: quorum and majority are
compared as fractions, so 0.3 × 10 needs 3 ballots, not 4.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .messages import say


class Choice(StrEnum):
    """A ballot: 赞成 / 反对 / 弃权."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Tally:
    """The result of a vote.

    ``outcome`` is "passed", "quorum_not_met", "tie" (yes == no > 0 and not passed),
    "rejected" or "no_votes". Abstentions count toward turnout and quorum but not toward
    the majority: a member who abstains was there.
    """

    yes: int
    no: int
    abstain: int
    eligible: int
    turnout: float
    quorum_needed: int
    quorum_met: bool
    passed: bool
    outcome: str
    quorum: float = 0.0
    majority: float = 0.5

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def text(self, lang: str = "zh-hans") -> str:
        """One sentence: "赞成 12、反对 5、弃权 1；投票率 36%（法定 20%），通过。"."""
        if self.outcome == "no_votes":
            return say("vote.no_votes", lang, eligible=self.eligible, quorum=self.quorum)
        text = say("vote.counts", lang, yes=self.yes, no=self.no, abstain=self.abstain,
                   turnout=self.turnout, quorum=self.quorum)
        if self.majority != 0.5 and self.yes + self.no:
            text += say("vote.share", lang, share=self.yes / (self.yes + self.no),
                        majority=self.majority)
        return text + say(f"vote.{self.outcome}", lang, cast=self.cast,
                          needed=self.quorum_needed)


def _fraction(value: float) -> Fraction:
    # 2/3 given as a float becomes exactly 2/3; 0.3 exactly 3/10
    return Fraction(value).limit_denominator(1_000_000)


def _choices(choices: Iterable[Choice | str]) -> list[Choice]:
    out = []
    for i, choice in enumerate(choices):
        try:
            out.append(Choice(choice))
        except ValueError:
            allowed = ", ".join(c.value for c in Choice)
            raise ValueError(f"choices[{i}]: expected one of {allowed}, got {choice!r}") from None
    return out


def tally(choices: Iterable[Choice | str], eligible: int, quorum: float,
          majority: float = 0.5) -> Tally:
    """Count ballots.

    ``eligible`` members may vote; at least ``ceil(quorum × eligible)`` ballots (and at
    least one) must be cast, abstentions included; the vote passes when, on top of that,
    yes / (yes + no) is strictly more than ``majority`` — 0.5 is a simple majority, so a
    tie fails; with 2/3, 2 yes to 1 no is exactly 2/3 and fails, 3 to 1 passes.
    """
    if eligible < 0:
        raise ValueError(f"eligible: must be 0 or more, got {eligible!r}")
    if not 0 <= quorum <= 1:
        raise ValueError(f"quorum: must be between 0 and 1, got {quorum!r}")
    if not 0 <= majority < 1:
        raise ValueError(f"majority: must be at least 0 and below 1, got {majority!r}")
    ballots = _choices(choices)
    yes, no = ballots.count(Choice.YES), ballots.count(Choice.NO)
    abstain = ballots.count(Choice.ABSTAIN)
    cast = yes + no + abstain
    if cast > eligible:
        raise ValueError(f"choices: {cast} ballots but only {eligible} eligible members")
    needed = max(1, math.ceil(_fraction(quorum) * eligible))
    quorum_met = cast >= needed
    passed = quorum_met and yes + no > 0 and Fraction(yes, yes + no) > _fraction(majority)
    if cast == 0:
        outcome = "no_votes"
    elif not quorum_met:
        outcome = "quorum_not_met"
    elif passed:
        outcome = "passed"
    elif yes == no > 0:
        outcome = "tie"
    else:
        outcome = "rejected"
    return Tally(yes=yes, no=no, abstain=abstain, eligible=eligible,
                 turnout=cast / eligible if eligible else 0.0, quorum_needed=needed,
                 quorum_met=quorum_met, passed=passed, outcome=outcome, quorum=quorum,
                 majority=majority)
