"""The five-element score 五要素: common interest, structure, output, operations,
replication — each 0–100 from the other measures, with its reasons and next actions.

Each element is a weighted mean of parts scaled to 0..1 (the weights below; docs/health.md
has the table). The overall health is the mean of the five weighted by
``ELEMENT_WEIGHTS`` (equal by default), which a caller may override.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activity import Activity
from .graph import Graph
from .history import History
from .lifecycle import Lifecycle, likely_owner, owners_of
from .members import MemberStats, Output, Tiers
from .noise import Noise
from .reasons import Note, action, reason

ELEMENTS = ("interest", "structure", "output", "operations", "replication")
ELEMENT_WEIGHTS: dict[str, float] = {e: 1.0 for e in ELEMENTS}
PARTS: dict[str, dict[str, float]] = {
    "interest": {"returning": 0.5, "clean": 0.5},
    "structure": {"tiers": 0.5, "shape": 0.25, "managers": 0.25},
    "output": {"share": 0.5, "spread": 0.3, "contributors": 0.2},
    "operations": {"answered": 0.4, "reply_speed": 0.3, "rhythm": 0.3},
    "replication": {"size": 0.5, "seeds": 0.5},
}
SHAPE_SCORE = {"ring": 1.0, "pyramid": 0.7, "sparse": 0.2}
RECENT = 28 * 86400
RECENT_WEEKS = 8  #: interest and operations describe the last eight weeks
WELCOME_DAYS = 28  #: newcomers still worth a late welcome
MIN_ADS = 10  #: fewer ads than this do not call for a rule vote


SPLIT_FALL = 0.7  #: messages per active member below 70 % of the eight weeks before
SPLIT_UNANSWERED = 0.5  #: half the recent newcomers unanswered
SPLIT_DRIFT = 0.4  #: modularity of the reply graph from which topics drift apart


@dataclass(frozen=True)
class Element:
    code: str
    score: int | None  #: None: not enough data for any of its parts
    parts: dict[str, float | None]  #: None: not enough data for this part
    notes: tuple[Note, ...]
    actions: tuple[Note, ...]


def _mix(element: str, parts: dict[str, float | None]) -> int | None:
    """Weighted mean of the parts that have data; a part without data is left out, not
    scored 50 — and an element with no data at all has no score."""
    weights = PARTS[element]
    known = {k: v for k, v in parts.items() if v is not None}
    total = sum(weights[k] for k in known)
    if total <= 0:
        return None
    value = sum(weights[k] * min(max(v, 0.0), 1.0) for k, v in known.items()) / total
    return round(100 * value)


def _missing(parts: dict[str, float | None]) -> tuple[Note, ...]:
    gaps = [k for k, v in parts.items() if v is None]
    return (reason("score.no_data", parts=gaps),) if gaps else ()


def five_elements(h: History, until: int, activity: Activity, life: Lifecycle,
                  stats: MemberStats, tiers: Tiers, graph: Graph, output: Output,
                  noise: Noise) -> tuple[Element, ...]:
    speech = h.speech
    if not speech.any():  # nobody said anything in this period: nothing to score
        return tuple(Element(code, None, {k: None for k in PARTS[code]},
                             (reason("score.no_data", parts=list(PARTS[code])),), ())
                     for code in ELEMENTS)
    s = h.sender[speech]
    ts = h.ts[speech]
    recent = ts > until - RECENT_WEEKS * 7 * 86400
    rs = s[recent]
    per_week = np.unique(h.week[speech][recent] * (h.members + 1) + rs) % (h.members + 1)
    spoke_weeks = np.bincount(per_week, minlength=h.members)
    returning = float((spoke_weeks >= 2).sum() / max((spoke_weeks >= 1).sum(), 1))
    noisy = h.noisy[speech]
    noise_share = float(noisy[recent].mean()) if recent.any() else 0.0

    interest_parts = {"returning": returning / 0.6, "clean": 1 - noise_share / 0.2}
    interest_actions = []
    ads = noise.count("ads")
    if ads >= MIN_ADS:
        interest_actions.append(action("do.rule_vote", ads=ads))
        spammers = {x for f in noise.findings if f.code in ("ads", "repeated") for x in f.senders}
        interest_actions.append(action("do.clean_ads", n=len(spammers)))
    if any(f.code == "night_flood" for f in noise.findings):
        interest_actions.append(action("do.quiet_hours"))
    interest = Element("interest", _mix("interest", dict(interest_parts)),
                       dict(interest_parts),
                       (reason("score.interest", returning=returning, noise=noise_share),),
                       tuple(interest_actions))

    owners = owners_of(h)
    if not owners:
        managers = "unknown"
    else:
        lately = ts > until - 14 * 86400
        managers = "active" if np.isin(s[lately], owners).any() else "silent"
    structure_parts: dict[str, float | None] = {
        "tiers": None if tiers.diagnosis == "too_few" else 1 - tiers.distance,
        "shape": SHAPE_SCORE[graph.shape],
        "managers": {"active": 1.0, "silent": 0.0, "unknown": None}[managers]}
    structure_actions = list(tiers.actions) + list(graph.actions)
    if managers == "silent":
        structure_actions.insert(0, action("do.owner_back"))
    owner_notes: tuple[Note, ...] = ()
    guess = likely_owner(h)
    if guess is not None:
        owner_notes = (reason("score.owner_likely", name=h.names[guess]),)
    structure = Element("structure", _mix("structure", structure_parts), structure_parts,
                        (reason("score.structure", distance=tiers.distance, shape=graph.shape,
                                managers=managers),) + owner_notes + tiers.notes + graph.notes
                        + _missing(structure_parts), tuple(structure_actions))

    output_parts = {"share": output.share / 0.3, "spread": 1 - output.gini,
                    "contributors": output.contributors / 10}
    output_el = Element("output", _mix("output", dict(output_parts)), dict(output_parts),
                        (reason("score.output", share=output.share,
                                contributors=output.contributors, gini=output.gini),)
                        + output.notes,
                        (action("do.sharing"),) if output.spread != "wide" else ())

    recent_days = activity.messages_per_day[-28:]
    rhythm = sum(1 for x in recent_days if x) / max(len(recent_days), 1)
    median = activity.median_first_reply_s
    speed: float | None = None
    if median is not None:
        speed = 1 - (math.log(max(median, 300)) - math.log(300)) / (math.log(7200) - math.log(300))
    nts = np.array(activity.newcomer_ts, np.int64)
    late = nts > until - RECENT_WEEKS * 7 * 86400
    answered = (float(np.mean(np.array(activity.newcomer_answered)[late])) if late.any()
                else None)
    ops_parts: dict[str, float | None] = {"answered": answered, "reply_speed": speed,
                                          "rhythm": rhythm}
    ops_actions = []
    # welcoming someone months later helps nobody: only the last four weeks' newcomers
    waiting = [n for n in activity.unanswered if n.first_ts > until - WELCOME_DAYS * 86400]
    if waiting:
        ops_actions.append(action("do.welcome", n=len(waiting)))
        if activity.answered_share < 0.5:
            ops_actions.append(action("do.onboarding"))
    if life.stage in ("decline", "zombie") or rhythm < 0.5:
        ops_actions.append(action("do.checkin"))
        ops_actions.append(action("do.activity"))
    if life.stage == "zombie":
        ops_actions.append(action("do.archive"))
    reply_text = "—" if median is None else _duration(median)
    operations = Element("operations", _mix("operations", ops_parts), ops_parts,
                         (reason("score.operations", answered=answered, reply=reply_text,
                                 days=rhythm) if answered is not None else
                          reason("score.operations_no_newcomers", reply=reply_text,
                                 days=rhythm),) + life.notes
                         + _missing(ops_parts), tuple(ops_actions))

    active_recent = int(np.unique(s[ts > until - RECENT]).size)
    seeds = tiers.counts[0]
    symptoms = split_symptoms(h, until, activity, graph) if active_recent > h.active_size else []
    # one sign alone can be a season (December) or a crowd of one-off askers: two are strain
    oversized = active_recent > h.active_size and (h.learning or len(symptoms) >= 2)
    size_ok = 1.0 if not oversized else max(0.0, 2 - active_recent / h.active_size)
    rep_parts: dict[str, float | None] = {"size": size_ok, "seeds": seeds / 3}
    rep_actions = []
    rep_notes: tuple[Note, ...] = ()
    if oversized and h.learning:  # seed 001: a learning group works with about 40
        rep_actions.append(action("do.split", active=active_recent, size=h.active_size))
    elif oversized:  # seed 000: a group that works is not split for its size alone
        rep_actions.append(action("do.split_symptoms", active=active_recent,
                                  symptoms=symptoms))
    elif active_recent > h.active_size:
        rep_notes = (reason("score.big_but_working", active=active_recent,
                            size=h.active_size),)
    replication = Element("replication", _mix("replication", rep_parts), rep_parts,
                          (reason("score.replication", active=active_recent, size=h.active_size,
                                  seeds=seeds),) + rep_notes, tuple(rep_actions))
    return (interest, structure, output_el, operations, replication)


def split_symptoms(h: History, until: int, activity: Activity, graph: Graph) -> list[str]:
    """Why a group that is not a learning group has outgrown itself, if it has: newcomers go
    unanswered, each member says ever less, or the reply graph falls apart into topics
    (codes of reasons.SYMPTOM_WORDS)."""
    out = []
    nts = np.array(activity.newcomer_ts, np.int64)
    ok = np.array(activity.newcomer_answered, bool)
    recent = nts > until - RECENT
    if activity.replies_recorded and recent.sum() >= 5 and (~ok[recent]).mean() >= SPLIT_UNANSWERED:
        out.append("unanswered")
    speech = h.speech
    ts, s = h.ts[speech], h.sender[speech]
    now = ts > until - RECENT
    before = (ts > until - 3 * RECENT) & ~now
    if now.any() and before.any():
        rate_now = now.sum() / np.unique(s[now]).size
        rate_before = before.sum() / np.unique(s[before]).size
        if rate_now < SPLIT_FALL * rate_before:
            out.append("quieter")
    # a few clusters that talk among themselves; dozens mean one-off visitors, not topics
    if 2 <= graph.communities <= 6 and graph.modularity >= SPLIT_DRIFT:
        out.append("topics")
    return out


def overall(elements: tuple[Element, ...], weights: dict[str, float] | None = None
            ) -> int | None:
    """Weighted mean of the elements that have a score; None when none has."""
    w = weights or ELEMENT_WEIGHTS
    scored = [e for e in elements if e.score is not None]
    total = sum(w.get(e.code, 0.0) for e in scored)
    if not scored:
        return None
    if total <= 0:
        return 0
    return round(sum(w.get(e.code, 0.0) * (e.score or 0) for e in scored) / total)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
