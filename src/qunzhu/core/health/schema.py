"""The JSON form of a health report: stable, versioned, documented in docs/health.md.

``SCHEMA`` changes its number whenever a field changes meaning or goes away; new fields
may appear without a change. Members appear by display name and sender index (``id``);
times are ISO 8601 in the group's zone; every reason and action carries its code, its
parameters and its sentence (in one language, or in en and zh-hans when none is asked).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from . import GroupHealth
from .reasons import Note

SCHEMA = "qunzhu.health/1"
TIER_NAMES = {0: "high", 1: "middle", 2: "ordinary", -1: "lurker"}
MEMBER_ROWS = 100


def iso(ts: int, zone: str) -> str:
    return datetime.fromtimestamp(ts, UTC).astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), 4)


def notes(items: tuple[Note, ...] | list[Note], lang: str | None) -> list[dict[str, Any]]:
    return [n.to_dict(lang) for n in items]


def group_dict(gh: GroupHealth, lang: str | None = None, extra: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    h, a, life, t, g = gh.history, gh.activity, gh.lifecycle, gh.tiers, gh.graph
    zone = h.zone
    names = h.names

    def who(i: int) -> dict[str, Any]:
        return {"id": int(i), "name": names[int(i)]}

    stats = gh.stats
    score = np.array(t.score)
    ranked = np.argsort(-score, kind="stable")
    order = [int(i) for i in ranked if stats.messages[i] > 0][:MEMBER_ROWS]
    node_of = {n.sender: n for n in g.top_nodes}
    members = []
    for i in order:
        node = node_of.get(i)
        members.append({
            **who(i), "tier": TIER_NAMES[t.tier[i]], "score": t.score[i],
            "messages": int(stats.messages[i]), "active_days": int(stats.active_days[i]),
            "threads": int(stats.threads[i]),
            # whole numbers, as in version 1; inferred replies count their confidence
            "replies_received": round(float(stats.received[i])),
            "mentions_received": int(stats.mentioned[i]),
            "answers": round(float(stats.answers[i])),
            "output": int(stats.output[i]),
            "pagerank": node.pagerank if node else None,
            "betweenness": node.betweenness if node else None,
            "last_seen": iso(int(stats.last_ts[i]), zone) if stats.last_ts[i] >= 0 else None,
        })
    out: dict[str, Any] = {
        "group": {"key": h.group, "members": h.members, "active_size": h.active_size,
                  "capacity": h.capacity, "zone": zone, **(extra or {})},
        "period": {"since": iso(gh.since, zone), "until": iso(gh.until, zone)},
        "overall": gh.overall,
        "stage": life.stage,
        "risk": life.current_risk,
        "warning": life.warned,
        "weeks_to_zombie": _num(life.weeks_to_zombie),
        "top_reason": gh.top_reason.to_dict(lang),
        "actions": notes(gh.actions, lang),
        "elements": [{"code": e.code, "score": e.score,
                      "parts": {k: None if v is None else _num(min(max(v, 0.0), 1.0))
                                for k, v in e.parts.items()},
                      "reasons": notes(e.notes, lang), "actions": notes(e.actions, lang)}
                     for e in gh.elements],
        "lifecycle": {
            "weeks": list(life.weeks), "active": list(life.active),
            "smoothed": list(life.smoothed), "zombie_line": list(life.threshold),
            "stages": list(life.stages), "risk": list(life.risk), "warning": list(life.warning),
            "peak": _num(life.peak), "zombie_since": life.zombie_since,
            "signals": [{"code": s.code, "value": s.value, "weight": s.weight,
                         "reason": s.note.to_dict(lang)} for s in life.signals],
            "reasons": notes(life.notes, lang),
        },
        "activity": {
            "messages": a.messages, "speakers": a.speakers, "silent_members": a.silent_members,
            "days": list(a.days), "messages_per_day": list(a.messages_per_day),
            "active_per_day": list(a.active_per_day),
            "weeks": list(a.weeks), "messages_per_week": list(a.messages_per_week),
            "active_per_week": list(a.active_per_week), "new_per_week": list(a.new_per_week),
            "returning_per_week": list(a.returning_per_week),
            "median_first_reply_seconds": _num(a.median_first_reply_s),
            "newcomers": a.newcomers,
            "unanswered_newcomers": [{**who(n.sender), "time": iso(n.first_ts, zone),
                                      "message_id": n.message_id} for n in a.unanswered],
            "retention": [{"week": c.week, "size": c.size,
                           "after_weeks": {str(k): _num(v) for k, v in
                                           zip((1, 2, 4, 8), c.retained, strict=True)}}
                          for c in a.cohorts],
            "heatmap": [list(r) for r in a.heatmap],
        },
        "tiers": {
            "counts": dict(zip(("high", "middle", "ordinary"), t.counts, strict=True)),
            "shares": dict(zip(("high", "middle", "ordinary"), (_num(x) for x in t.shares),
                               strict=True)),
            "target": {"high": 0.05, "middle": 0.15, "ordinary": 0.80},
            "lurkers": t.lurkers,
            "lurker_members": [who(i) for i in np.flatnonzero(np.array(t.tier) == -1)[:20]],
            "distance": t.distance, "diagnosis": t.diagnosis,
            "potential_difference": t.gap,
            "movement": [m.__dict__ for m in t.movement],
            "reasons": notes(t.notes, lang),
        },
        "graph": {
            "nodes": g.nodes, "edges": g.edges, "density": g.density,
            "average_degree": g.average_degree, "clustering": g.transitivity,
            "centralization": g.centralization, "top_share": g.top_share, "shape": g.shape,
            "communities": g.communities, "modularity": g.modularity,
            "centres": [who(i) for i in g.centres], "brokers": [who(i) for i in g.brokers],
            "bridges": [who(i) for i in g.bridges], "isolates": [who(i) for i in g.isolates],
            "top_nodes": [{**who(n.sender), "degree": n.degree, "strength": n.strength,
                           "pagerank": n.pagerank, "eigenvector": n.eigenvector,
                           "betweenness": n.betweenness, "clustering": n.clustering,
                           "community": n.community, "tier": TIER_NAMES[t.tier[n.sender]]}
                          for n in g.top_nodes],
            "top_edges": [[a_, b_, w] for a_, b_, w in g.top_edges],
            "reasons": notes(g.notes, lang),
        },
        "output": {"substantive": gh.output.substantive, "share": gh.output.share,
                   "gini": gh.output.gini, "spread": gh.output.spread,
                   "leader": who(gh.output.leader) if gh.output.leader >= 0 else None,
                   "leader_share": gh.output.leader_share,
                   "contributors": gh.output.contributors,
                   "reasons": notes(gh.output.notes, lang)},
        "noise": {"share": _num(gh.noise.share), "messages": gh.noise.noisy_messages,
                  "findings": [{"code": f.code, "count": f.count,
                                "members": [who(i) for i in f.senders if i >= 0],
                                "evidence": list(f.evidence), "reason": f.note.to_dict(lang),
                                **{k: v for k, v in f.extra.items() if k != "text_key"}}
                               for f in gh.noise.findings]},
        "members": members,
    }
    return out


def report_dict(groups: list[tuple[GroupHealth, dict[str, Any]]], community: dict[str, Any],
                lang: str | None = None, generated: datetime | None = None) -> dict[str, Any]:
    """The whole report: every group (attention first) with its ``extra`` group fields."""
    when = generated or datetime.now(UTC)
    return {"schema": SCHEMA, "generated": when.isoformat(timespec="seconds"),
            "language": lang, "community": community,
            "groups": [group_dict(gh, lang, extra) for gh, extra in groups]}
