"""What a rulebook would have caught: counts per rule and one sentence for the operator.

This is the advisory preview an operator reads before turning a rule on ("这套群规在
2024-05-01 至 2024-05-31 会拦下 41 条广告（9 人）、3 次深夜刷屏…").

Episodes per kind: ``quiet_hours`` — night floods, the (group, night) pairs with at least
``flood_min`` quiet-hour messages; ``newcomer_link`` — newcomers (group, member) who
posted links; ``red_envelope_only`` — members; every other kind — findings (a flood
finding is already one burst, a size alert one crossing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from .book import Rulebook, RuleKind
from .engine import Finding
from .messages import join, say

EXAMPLES = 5


@dataclass(frozen=True)
class RuleSummary:
    """One rule's catch: findings, distinct members (sender keys), episodes (see the
    module docstring), distinct evidence messages and the first few findings."""

    rule_id: str
    kind: RuleKind
    findings: int
    members: int
    episodes: int
    evidence: int
    examples: tuple[Finding, ...]
    title: str = ""

    def fragment(self, lang: str) -> str:
        """"41 条广告（9 人）" / "41 ads (9 members)"."""
        code = f"summary.{self.kind.value}"
        if self.kind is RuleKind.QUIET_HOURS and self.episodes:
            code = "summary.quiet_hours_floods"
        return say(code, lang, findings=self.findings, members=self.members,
                   episodes=self.episodes)

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "kind": self.kind.value, "title": self.title,
                "findings": self.findings, "members": self.members,
                "episodes": self.episodes, "evidence": self.evidence,
                "examples": [f.to_dict() for f in self.examples]}


@dataclass(frozen=True)
class Summary:
    """What a rulebook caught in ``events`` messages from ``since`` to ``until``; dates in
    the sentence are local dates in ``tz`` (the community's zone) when given."""

    events: int
    since: datetime | None
    until: datetime | None
    rules: tuple[RuleSummary, ...]
    tz: tzinfo | None = None

    def _date(self, moment: datetime) -> str:
        return (moment.astimezone(self.tz) if self.tz is not None else moment).date().isoformat()

    def text(self, lang: str = "zh-hans") -> str:
        """One sentence: what the rulebook would have caught, rule by rule."""
        items = [r.fragment(lang) for r in self.rules if r.findings]
        dates: dict[str, Any] = {"events": self.events}
        period = self.since is not None and self.until is not None
        if self.since is not None and self.until is not None:
            dates |= {"since": self._date(self.since), "until": self._date(self.until)}
        if not items:
            return say("summary.nothing_period" if period else "summary.nothing", lang,
                       **dates)
        return say("summary.period" if period else "summary.all", lang,
                   items=join(items, lang), **dates)

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "rules": [r.to_dict() for r in self.rules],
                "text": {lang: self.text(lang) for lang in ("en", "zh-hans")}}


def _episodes(kind: RuleKind, findings: list[Finding]) -> int:
    if kind is RuleKind.QUIET_HOURS:
        nights = Counter((f.group_key, f.detail.get("night")) for f in findings)
        need = {(f.group_key, f.detail.get("night")): int(f.detail.get("flood_min", 5))
                for f in findings}
        return sum(1 for night, n in nights.items() if n >= need[night])
    if kind is RuleKind.NEWCOMER_LINK:
        return len({(f.group_key, f.sender_key) for f in findings})
    if kind is RuleKind.RED_ENVELOPE_ONLY:
        return len({f.sender_key for f in findings})
    return len(findings)


def summarise(findings: Iterable[Finding], *, events: int, since: datetime | None = None,
              until: datetime | None = None, rulebook: Rulebook | None = None,
              tz: tzinfo | None = None) -> Summary:
    """Count ``findings`` per rule; rules come in rulebook order (when given, with its
    titles), else in order of first finding. Rules without findings are left out. ``tz``:
    the zone whose dates the sentence names (datetimes read from a database are UTC)."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    order = list(by_rule)
    titles: dict[str, str] = {}
    if rulebook is not None:
        position = {r.id: i for i, r in enumerate(rulebook.rules)}
        order.sort(key=lambda rule_id: position.get(rule_id, len(position)))
        titles = {r.id: r.display_title(rulebook.language) for r in rulebook.rules}
    rules = []
    for rule_id in order:
        found = by_rule[rule_id]
        kind = found[0].kind
        rules.append(RuleSummary(
            rule_id=rule_id, kind=kind, findings=len(found),
            members=len({f.sender_key for f in found if f.sender_key}),
            episodes=_episodes(kind, found),
            evidence=len({(f.group_key, e) for f in found for e in f.evidence}),
            examples=tuple(found[:EXAMPLES]), title=titles.get(rule_id, "")))
    return Summary(events=events, since=since, until=until, rules=tuple(rules), tz=tz)
