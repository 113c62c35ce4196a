"""Fair rotation 轮换上台 for sharing sessions, pure (no Django).

Everyone eligible takes a turn before anyone takes two. A member who is away for a
session is skipped with a reason and keeps their place: they speak at the next session
they can attend, ahead of anyone who already had their turn in this round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Turn:
    """A past slot: who was on, in session order."""

    person: int
    held: bool = True  # False: scheduled but did not speak (it does not count as a turn)


def turns_taken(eligible: Sequence[int], history: Iterable[Turn]) -> dict[int, int]:
    counts = dict.fromkeys(eligible, 0)
    for turn in history:
        if turn.held and turn.person in counts:
            counts[turn.person] += 1
    return counts


def next_speakers(eligible: Sequence[int], history: Sequence[Turn], n: int = 1,
                  absent: Mapping[int, str] | None = None) -> list[int]:
    """The next ``n`` speakers: fewest turns first; among equals, who spoke longest ago
    (never is longest), then the order of ``eligible`` (e.g. sign-up order).

    ``absent`` maps people away for these sessions to the reason; they are skipped this
    time and lose nothing. Returns fewer than ``n`` when too few people can speak.
    """
    absent = absent or {}
    counts = turns_taken(eligible, history)
    last: dict[int, int] = {}
    for index, turn in enumerate(history):
        if turn.held:
            last[turn.person] = index
    order = {person: i for i, person in enumerate(eligible)}
    picked: list[int] = []
    for _ in range(n):
        candidates = [p for p in eligible if p not in absent]
        if not candidates:
            break
        best = min(candidates, key=lambda p: (counts[p], last.get(p, -1), order[p]))
        picked.append(best)
        counts[best] += 1
        last[best] = len(history) + len(picked)
    return picked
