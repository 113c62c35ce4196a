"""Campaign figures: what the live monitor and the retrospective show, on hand-built
message lists whose answers are worked out in the comments."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from qunzhu.core.activities.campaign import (
    Msg,
    Phases,
    measure_results,
    participants,
    phase_figures,
    top_posts,
    totals,
)
from qunzhu.core.activities.library import get

H = timedelta(hours=1)
D = timedelta(days=1)
WARMUP = datetime(2026, 6, 10, tzinfo=UTC)
PHASES = Phases(warmup=WARMUP, ignition=WARMUP + 2 * D, monitoring=WARMUP + 3 * D,
                end=WARMUP + 5 * D)

_ids = itertools.count(1)


def msg(at: datetime, sender: int, kind: str = "text", reply_to: int | None = None,
        id: int | None = None) -> Msg:
    return Msg(id=next(_ids) if id is None else id, at=at, sender=sender, kind=kind,
               reply_to=reply_to, length=10, group=1)


def campaign_messages() -> list[Msg]:
    """Baseline (4 days): senders 1 and 2 say one thing each a day → 8 messages, 2 a day.
    Warm-up (2 days): 6 messages from 1, 2, 3 plus a join and a system line.
    Ignition (1 day): 10 messages from 1–5, two joins, one leave, one recall.
    Monitoring (2 days): 4 messages from 1 and 6.
    Outside: one message before the baseline, one at the end (excluded: half-open)."""
    out = []
    for day in range(4):
        start = WARMUP - (4 - day) * D
        out += [msg(start + 9 * H, 1), msg(start + 10 * H, 2)]
    out += [msg(WARMUP + 1 * H, s) for s in (1, 2, 3)]
    out += [msg(WARMUP + D + 1 * H, s) for s in (1, 2, 3)]
    out += [msg(WARMUP + 2 * H, 7, "join"), msg(WARMUP + 3 * H, 0, "system")]
    ign = PHASES.ignition
    out += [msg(ign, 1)]  # exactly at the boundary: ignition's
    out += [msg(ign + (i + 1) * H, 1 + i % 5) for i in range(9)]
    out += [msg(ign + 2 * H, 8, "join"), msg(ign + 3 * H, 9, "join"),
            msg(ign + 4 * H, 4, "leave"), msg(ign + 5 * H, 2, "recall")]
    mon = PHASES.monitoring
    out += [msg(mon + 1 * H, 1), msg(mon + 2 * H, 6), msg(mon + D + 1 * H, 1),
            msg(mon + D + 2 * H, 6, "red_envelope")]
    out += [msg(WARMUP - 5 * D, 1), msg(PHASES.end, 1)]
    random.Random(7).shuffle(out)  # order must not matter
    return out


def test_phase_counts_against_the_baseline():
    warmup, ignition, monitoring = phase_figures(campaign_messages(), PHASES, baseline_days=4)
    base = warmup.baseline
    assert (base.messages, base.days, base.per_day, base.participants) == (8, 4.0, 2.0, 2)
    assert base.participants_per_day == 2.0

    assert (warmup.phase, warmup.messages, warmup.days, warmup.per_day) == (
        "warmup", 6, 2.0, 3.0)
    assert (warmup.participants, warmup.joins, warmup.leaves) == (3, 1, 0)
    assert warmup.lift == 1.5 and warmup.participant_lift == 1.5
    assert not warmup.partial and warmup.started

    assert (ignition.messages, ignition.participants, ignition.joins, ignition.leaves) == (
        10, 5, 2, 1)
    assert ignition.per_day == 10.0 and ignition.lift == 5.0
    assert ignition.participants_per_day == 5.0 and ignition.participant_lift == 2.5

    # the red envelope is something a member did: it counts
    assert (monitoring.messages, monitoring.participants, monitoring.per_day) == (4, 2, 2.0)
    assert monitoring.lift == 1.0 and monitoring.participants_per_day == 2.0
    assert monitoring.end == PHASES.end


def test_a_campaign_under_way_has_a_partial_phase():
    now = PHASES.ignition + 12 * H  # ignition messages at 0h … 9h are in, all of them
    for figures in (phase_figures(campaign_messages(), PHASES, 4, now=now),
                    phase_figures(campaign_messages(),
                                  Phases(WARMUP, PHASES.ignition, PHASES.monitoring, now), 4)):
        warmup, ignition, monitoring = figures
        assert not warmup.partial and warmup.messages == 6
        assert ignition.partial and ignition.end == now and ignition.days == 0.5
        assert ignition.messages == 10 and ignition.per_day == 20.0 and ignition.lift == 10.0
        # half a day says nothing about people per day
        assert ignition.participants == 5 and ignition.participants_per_day is None
        assert ignition.participant_lift is None
        assert not monitoring.started and not monitoring.partial
        assert (monitoring.messages, monitoring.days, monitoring.per_day) == (0, 0.0, None)
        assert monitoring.lift is None


def test_before_the_campaign_only_the_baseline_counts():
    now = WARMUP - 2 * D  # two of the four baseline days have passed
    figures = phase_figures(campaign_messages(), PHASES, 4, now=now)
    assert all(not f.started and f.per_day is None for f in figures)
    base = figures[0].baseline
    assert (base.messages, base.days, base.per_day) == (4, 2.0, 2.0)


def test_a_silent_group_has_no_lift():
    quiet = [m for m in campaign_messages() if m.at >= WARMUP]
    warmup = phase_figures(quiet, PHASES, baseline_days=4)[0]
    assert warmup.baseline.per_day == 0.0 and warmup.baseline.participants_per_day == 0.0
    assert warmup.per_day == 3.0 and warmup.lift is None and warmup.participant_lift is None


def test_phases_must_be_aware_and_in_order():
    with pytest.raises(ValueError, match="timezone-aware"):
        Phases(datetime(2026, 6, 1), PHASES.ignition, PHASES.monitoring, PHASES.end)
    with pytest.raises(ValueError, match="order"):
        Phases(PHASES.ignition, PHASES.warmup, PHASES.monitoring, PHASES.end)
    with pytest.raises(ValueError, match="baseline_days"):
        phase_figures([], PHASES, baseline_days=0)


def test_top_posts_rank_by_replies_then_repliers():
    t = PHASES.ignition
    msgs = [
        msg(t + 1 * H, 1, id=100),             # A: three replies from three people
        msg(t + 2 * H, 2, id=200),             # B: three replies from two people
        msg(t + 3 * H, 3, id=300),             # C: only its author answers
        msg(t - 10 * D, 4, id=400),            # D: popular, but before the window
        msg(t + 4 * H, 5, id=500),             # E: one reply, after the window closes
        msg(t + 5 * H, 6, "join", id=600),
    ]
    replies = [(100, 2), (100, 3), (100, 4), (200, 1), (200, 3), (200, 3), (300, 3),
               (300, 3), (400, 1), (400, 2), (400, 3), (400, 5), (600, 1)]
    msgs += [msg(t + 6 * H + i * H, s, reply_to=r) for i, (r, s) in enumerate(replies)]
    msgs.append(msg(t + 3 * D, 7, reply_to=500))
    msgs.append(msg(t + 7 * H, 8, "system", reply_to=100))  # not speech: not a reply

    top = top_posts(msgs, t, t + D)
    assert [(p.msg.id, p.replies, p.repliers) for p in top] == [
        (100, 3, 3), (200, 3, 2), (500, 1, 1)]
    assert [p.msg.id for p in top_posts(msgs, t, t + D, n=1)] == [100]
    assert top_posts(msgs, t, t + D, n=0) == []
    # a tie in replies and repliers goes to the earlier post
    tie = [msg(t, 1, id=1), msg(t + H, 2, id=2), msg(t + 2 * H, 3, reply_to=2),
           msg(t + 3 * H, 3, reply_to=1)]
    assert [p.msg.id for p in top_posts(tie, t, t + D)] == [1, 2]


def test_participants_most_first():
    t = PHASES.monitoring
    msgs = [msg(t, 5), msg(t + H, 3), msg(t + 2 * H, 5), msg(t + 3 * H, 9), msg(t, 2, "join"),
            msg(t + 4 * H, 3), msg(t + 5 * H, 5), msg(t - H, 1), msg(t + 6 * H, 4, "leave")]
    assert list(participants(msgs, t, t + D).items()) == [(5, 3), (3, 2), (9, 1)]


def test_totals_feed_the_measures():
    got = totals(campaign_messages(), WARMUP, PHASES.end)
    assert got == {"messages": 20, "participants": 6, "joins": 3}


def test_measures_met_not_met_and_unknown():
    measures = get("welcome_week").measures  # joins 30, participants 40, submissions 20
    results = measure_results(measures, {"joins": 45, "participants": 30})
    assert [(r.metric, r.target, r.actual, r.met) for r in results] == [
        ("joins", 30, 45, True), ("participants", 40, 30, False),
        ("submissions", 20, None, None)]
    assert results[0].ratio == 1.5 and results[1].ratio == 0.75 and results[2].ratio is None
    exactly = measure_results(measures[:1], {"joins": 30})[0]
    assert exactly.met is True and exactly.ratio == 1.0
