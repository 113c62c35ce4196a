"""Tiers on real groups with known fates (../shared/data/groups): the high tier is reached
where a few people carry the group, and the split differs from group to group.

The reports are computed as a report computes them: the last eight weeks before a Sunday,
reply links inferred from timing and names (these logs record none).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from qunzhu.core.health.history import History
from qunzhu.core.health.members import assign_tiers, member_stats
from tests.health import ad_corpus

WEEK = 7 * 86400
pytestmark = pytest.mark.skipif(not ad_corpus.available("yocto"), reason="../shared not here")


def _sundays(h: History, every: int = 3) -> list[int]:
    offset = int(h.local[0] - h.ts[0])
    weeks = range(int(h.week[0]) + 8, int(h.week[-1]) + 1, every)
    return [(w * 7 + 4) * 86400 - offset for w in weeks]


def _busy_reports(h: History) -> list[tuple[int, np.ndarray]]:
    """(end, tiers) of the sampled Sundays whose last week had more than 20 speakers."""
    out = []
    for end in _sundays(h):
        week = h.speech & (h.ts >= end - WEEK) & (h.ts < end)
        if len(np.unique(h.sender[week])) > 20:
            out.append((end, assign_tiers(member_stats(h, end - 8 * WEEK, end))))
    return out


def _split(h: History, end: int) -> tuple[float, ...]:
    tier = assign_tiers(member_stats(h, end - 8 * WEEK, end))
    speakers = int((tier >= 0).sum())
    return tuple(round(float((tier == t).sum()) / speakers, 3) for t in range(3))


@pytest.mark.parametrize(("source", "group"), [("yocto", "#yocto"), ("qtox", "#qtox"),
                                               ("gitter", "fcc-gitter-python")])
def test_busy_weeks_have_a_high_tier(source: str, group: str) -> None:
    h = ad_corpus.community(source).histories[group]
    reports = _busy_reports(h)
    assert reports, f"{group} has weeks with more than 20 speakers"
    for end, tier in reports:
        assert (tier == 0).sum() >= 1, f"{group}, week ending {end}: nobody high-tier"
        # behaviour, not a quota: the high tier stays a small minority
        assert (tier == 0).sum() <= 0.2 * (tier >= 0).sum()


def test_without_inferred_links_nobody_was_high_tier() -> None:
    """What every report said before reply inference (the reason for it)."""
    h = ad_corpus.community("yocto").histories["#yocto"]
    blind = replace(h, inferred_to=np.full(len(h.ts), -1, np.int32),
                    answered_at=np.full(len(h.ts), -1, np.int64))
    assert all((tier == 0).sum() == 0 for _, tier in _busy_reports(blind))


def test_tier_splits_differ_between_groups() -> None:
    groups = [("yocto", "#yocto"), ("qtox", "#qtox"), ("gitter", "fcc-gitter-python"),
              ("gitter", "fcc-gitter-Seattle"), ("gitter", "fcc-gitter-Lahore")]
    splits = {}
    for source, name in groups:
        h = ad_corpus.community(source).histories[name]
        # the Sunday of the group's busiest eight weeks
        ends = _sundays(h, every=1)
        busiest = max(ends, key=lambda e: int(((h.ts >= e - 8 * WEEK) & (h.ts < e)).sum()))
        splits[name] = _split(h, busiest)
    assert len(set(splits.values())) == len(splits), splits
    high = {name: s[0] for name, s in splits.items()}
    assert all(v > 0 for v in high.values()), f"each of these groups is carried by a few: {high}"
    assert max(s[2] for s in splits.values()) - min(s[2] for s in splits.values()) >= 0.05
