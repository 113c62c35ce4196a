"""Suggest which people are probably the same human (no Django import).

Imports create one person per account. The same human often appears under several
accounts — another platform, another group exported by name only, a Traditional-Chinese
spelling of the same nickname. We suggest merges; an operator confirms each one. Nothing
is ever merged silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .text import normalise_name

#: names this short match too many strangers ("A", "王") to suggest anything
MIN_NAME_LENGTH = 2


@dataclass(frozen=True)
class Account:
    """One identity as the suggester sees it."""

    identity_id: int
    person_id: int
    platform: str
    external_id: str
    name: str
    weak: bool


@dataclass(frozen=True)
class MergeSuggestion:
    """People that share a normalised name; ``person_ids[0]`` is the one to keep."""

    key: str
    person_ids: tuple[int, ...]
    names: tuple[str, ...]
    reason: str


def suggest_merges(accounts: list[Account]) -> list[MergeSuggestion]:
    """Groups of two or more people whose account names fold to the same key.

    The person to keep is the one with a strong (platform id) account if any, then the
    lowest id, so a confirmed merge keeps the better-identified record.
    """
    by_key: dict[str, dict[int, list[Account]]] = defaultdict(lambda: defaultdict(list))
    for account in accounts:
        key = normalise_name(account.name)
        if len(key) >= MIN_NAME_LENGTH:
            by_key[key][account.person_id].append(account)
    suggestions = []
    for key, people in sorted(by_key.items()):
        if len(people) < 2:
            continue
        order = sorted(people, key=lambda pid: (all(a.weak for a in people[pid]), pid))
        names = tuple(sorted({a.name for accs in people.values() for a in accs}))
        platforms = sorted({a.platform for accs in people.values() for a in accs})
        reason = (f"same name after folding (Traditional→Simplified, full-width, case, "
                  f"symbols): {' / '.join(names)} on {', '.join(platforms)}")
        suggestions.append(MergeSuggestion(key, tuple(order), names, reason))
    return suggestions
