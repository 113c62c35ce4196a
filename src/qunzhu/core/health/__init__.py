"""Group health by the playbook (pure: NumPy and igraph, no Django).

``analyse_group(history)`` → :class:`GroupHealth`: activity, lifecycle and zombie risk,
potential tiers, link degree and shape, output, noise and the five-element score, each
with reasons and next actions. ``analyse_community`` does every group and the checks that
need them all (texts repeated across groups). ``to_dict`` is the stable JSON form.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from .activity import Activity, analyse_activity
from .graph import Graph, analyse_graph
from .history import History, from_events
from .lifecycle import Lifecycle, analyse_lifecycle
from .members import MemberStats, Output, Tiers, analyse_output, analyse_tiers, member_stats
from .noise import Noise, analyse_noise, spam_keys
from .reasons import Note, reason
from .score import ELEMENT_WEIGHTS, ELEMENTS, Element, five_elements, overall

__all__ = ["ELEMENTS", "ELEMENT_WEIGHTS", "GroupHealth", "History", "analyse_community",
           "analyse_group", "from_events"]

#: which actions come first when a group has many
ACTION_ORDER = ("do.archive", "do.welcome", "do.owner_back", "do.clean_ads", "do.rule_vote",
                "do.split", "do.activity", "do.checkin", "do.onboarding", "do.role_models",
                "do.middle", "do.sharing", "do.quiet_hours", "do.protect_centres")


NOISY = 0.2  #: a noise share from which cleaning comes first


@dataclass(frozen=True)
class GroupHealth:
    history: History
    since: int
    until: int
    activity: Activity
    lifecycle: Lifecycle
    stats: MemberStats
    tiers: Tiers
    graph: Graph
    output: Output
    noise: Noise
    elements: tuple[Element, ...]
    overall: int | None  #: None: no element had data
    actions: tuple[Note, ...]

    @property
    def attention(self) -> tuple[int, float, int]:
        """Sort key: warned and risky groups first, then the least healthy."""
        return (0 if self.lifecycle.warned or self.lifecycle.stage == "zombie" else 1,
                -self.lifecycle.current_risk, 101 if self.overall is None else self.overall)

    @property
    def top_reason(self) -> Note:
        """The one sentence a list of groups shows: while warned (and not yet a zombie), the
        strongest warning signal if it is worth 10 risk points; otherwise the stage and why."""
        life = self.lifecycle
        if life.warned and life.stage != "zombie" and life.signals:
            strongest = max(life.signals, key=lambda s: s.value * s.weight)
            if strongest.value * strongest.weight >= 10:  # a signal worth 10+ risk points
                return strongest.note
        return life.notes[0] if life.notes else reason("stage.empty")


class _Clock:
    """Adds the time of each stage to ``timings`` (for bench/report_bench.py)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def analyse_group(h: History, until: int | None = None, spam: set[int] | None = None,
                  weights: dict[str, float] | None = None,
                  timings: dict[str, float] | None = None) -> GroupHealth:
    """Every measure of one group over its whole history up to ``until`` (UTC seconds)."""
    clock = _Clock(timings)
    end = until if until is not None else (int(h.ts[-1]) if len(h.ts) else 0)
    start = int(h.ts[0]) if len(h.ts) else end
    activity = analyse_activity(h, end)
    clock.lap("activity")
    life = analyse_lifecycle(h, activity, end)
    clock.lap("lifecycle")
    recent = max(start, end - 56 * 86400)  # tiers and the graph describe the last eight weeks
    stats = member_stats(h, recent, end + 1)
    window = h.slice(recent, end + 1)
    tiers = analyse_tiers(h, stats, period=window)
    clock.lap("tiers")
    graph = analyse_graph(window)
    clock.lap("graph")
    output = analyse_output(h, member_stats(h))
    clock.lap("output")
    noise = analyse_noise(h, spam if spam is not None else spam_keys([h]))
    clock.lap("noise")
    elements = five_elements(h, end, activity, life, stats, tiers, graph, output, noise)
    clock.lap("score")
    seen: dict[str, Note] = {}
    for e in elements:
        for a in e.actions:
            seen.setdefault(a.code, a)
    order = list(ACTION_ORDER)
    if noise.share >= NOISY:  # a flooded group is cleaned before anything else
        for code in ("do.rule_vote", "do.clean_ads"):
            order.remove(code)
            order.insert(1, code)
    actions = tuple(sorted(seen.values(), key=lambda a: order.index(a.code)
                           if a.code in order else len(order)))
    return GroupHealth(h, start, end, activity, life, stats, tiers, graph, output, noise,
                       elements, overall(elements, weights), actions)


def analyse_community(histories: Sequence[History], until: int | None = None,
                      weights: dict[str, float] | None = None,
                      timings: dict[str, float] | None = None,
                      evidence: Sequence[History] | None = None) -> list[GroupHealth]:
    """Every group, the groups needing attention first. ``evidence`` (default: the same
    histories) are all the community's groups, whose texts repeated across groups count
    even when only some groups are reported."""
    clock = _Clock(timings)
    spam = spam_keys(evidence if evidence is not None else histories)
    clock.lap("noise")
    if until is None:
        ends = [int(h.ts[-1]) for h in histories if len(h.ts)]
        until = max(ends) if ends else 0
    out = [analyse_group(h, until, spam, weights, timings) for h in histories]
    out.sort(key=lambda g: g.attention)
    return out

