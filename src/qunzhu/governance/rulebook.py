"""The rulebook: versions, the advisory preview over imported history, and enforcement.

A community adopts its first rulebook directly (there is nothing to vote on yet); every
later version comes from a passed proposal (``qunzhu.governance.votes``). Enforcement runs
the enabled rules over messages stored since the current version took effect, each
message once; findings become strikes and outbox steps, and members over the strike
threshold land on a removal proposal — never removed silently.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import (
    Community,
    Group,
    Identity,
    Membership,
    MembershipStatus,
    Message,
)
from qunzhu.core.events import ChatEvent, MessageKind, Platform
from qunzhu.core.rules import (
    Context,
    Engine,
    MemberInfo,
    Rulebook,
    RulebookError,
    Summary,
    default_rulebook,
    summarise,
)
from qunzhu.core.rules import Finding as CoreFinding

from .errors import GovernanceError
from .models import Enforcement, Finding, RulebookVersion, Strike
from .outbox import Step, enqueue

FETCH = 5_000
#: how much already-judged history enforcement replays so the engine remembers it
REPLAY = timedelta(hours=24)


def current_version(community: Community) -> RulebookVersion | None:
    return community.rulebook_versions.order_by("-number").first()


def current_rulebook(community: Community) -> Rulebook:
    """The rulebook in force (qunzhu's default, every rule off, before one is adopted)."""
    version = current_version(community)
    return Rulebook.from_data(version.data) if version else default_rulebook()


def parse(data: Any) -> Rulebook:
    try:
        return Rulebook.from_data(data)
    except RulebookError as exc:
        raise GovernanceError(str(exc)) from exc


@transaction.atomic
def do_adopt_rulebook(actor: Actor, community: Community, data: dict[str, Any] | None = None,
                      reason: str = "") -> RulebookVersion:
    """The first rulebook of a community; later changes only through a passed vote."""
    if community.rulebook_versions.exists():
        raise GovernanceError(_("This community already has a rulebook; rules change only "
                                "through a proposal that passes a vote."))
    book = parse(data) if data is not None else default_rulebook()
    version = RulebookVersion.objects.create(community=community, number=1,
                                             data=book.to_data(), created_by=actor.label,
                                             reason=reason)
    record(actor, "rulebook.adopt", version, community=community, after=version.data,
           reason=reason)
    return version


def create_version(actor: Actor, community: Community, book: Rulebook, reason: str,
                   now: datetime) -> RulebookVersion:
    """The next version (called by a passed proposal, inside its transaction)."""
    last = current_version(community)
    version = RulebookVersion.objects.create(
        community=community, number=(last.number + 1) if last else 1, data=book.to_data(),
        created=now, created_by=actor.label, reason=reason)
    record(actor, "rulebook.version", version, community=community,
           before=last.data if last else None, after=version.data, reason=reason)
    return version


# ---------------------------------------------------------------- reading history

@dataclass
class Source:
    """The messages of some groups as ChatEvents, with the rules' context."""

    context: Context
    groups: dict[str, Group]
    identities: dict[int, tuple[str, str, int]]  # id -> (external id, name, person)


def rule_context(community: Community, groups: Sequence[Group]) -> Source:
    group_ids = [g.pk for g in groups]
    identities = {pk: (ext, name, person) for pk, ext, name, person in
                  Identity.objects.filter(community=community)
                  .values_list("pk", "external_id", "display_name", "person_id")}
    by_person: dict[int, list[str]] = defaultdict(list)
    for ext, _name, person in identities.values():
        by_person[person].append(ext)
    keys = {g.pk: g.external_key for g in groups}
    members: dict[tuple[str, str], MemberInfo] = {}
    sizes: dict[str, int] = defaultdict(int)
    for group_id, person, roles, joined, status in (
            Membership.objects.filter(group_id__in=group_ids)
            .values_list("group_id", "person_id", "roles", "joined", "status")):
        info = MemberInfo(roles=frozenset(roles or ()), joined=joined)
        for ext in by_person.get(person, ()):
            members[(keys[group_id], ext)] = info
        if status == MembershipStatus.ACTIVE:
            sizes[keys[group_id]] += 1
    context = Context(tz=community.zone, members=members, group_sizes=dict(sizes),
                      capacities={g.external_key: g.capacity for g in groups})
    return Source(context, {g.external_key: g for g in groups}, identities)


def chat_events(source: Source, groups: Sequence[Group], *, since: datetime | None = None,
                until: datetime | None = None) -> Iterator[tuple[int, ChatEvent]]:
    """(message id, event) of all the groups merged in time order (the engine sees one
    community's stream, so an ad copied across groups is seen as such), read in chunks."""
    streams = [_group_events(source, group, since, until) for group in groups]
    for _at, pk, event in heapq.merge(*streams, key=lambda row: (row[0], row[1])):
        yield pk, event


def _group_events(source: Source, group: Group, since: datetime | None,
                  until: datetime | None) -> Iterator[tuple[datetime, int, ChatEvent]]:
    query = Message.objects.filter(group=group)
    if since is not None:
        query = query.filter(sent_at__gte=since)
    if until is not None:
        query = query.filter(sent_at__lt=until)
    platform = Platform(group.platform)
    rows = query.order_by("sent_at", "id").values_list(
        "pk", "identity_id", "sent_at", "kind", "text", "key", "reply_to_key", "mentions")
    for pk, identity, sent_at, kind, text, key, reply, mentions in rows.iterator(FETCH):
        ext, name, _person = source.identities.get(identity, ("", "", 0))
        yield sent_at, pk, ChatEvent(platform, group.external_key, group.name, ext, name,
                                     sent_at, MessageKind(kind), text or "", key, reply or "",
                                     tuple(mentions or ()))


# ---------------------------------------------------------------- advisory preview

@dataclass
class Preview:
    summary: Summary
    findings: list[CoreFinding]
    book: Rulebook
    groups: dict[str, Group]
    seconds: float

    def group_name(self, key: str) -> str:
        group = self.groups.get(key)
        return group.name if group else key


def advisory(community: Community, book: Rulebook | None = None, *,
             since: datetime | None = None, until: datetime | None = None,
             include_disabled: bool = True, only: Sequence[str] | None = None,
             groups: Sequence[Group] | None = None) -> Preview:
    """What ``book`` (default: the rulebook in force) would have caught in the stored
    history, without changing anything. ``include_disabled`` previews rules that are
    still off, which is the point: see what a rule does before turning it on."""
    import time

    started = time.perf_counter()
    book = book or current_rulebook(community)
    chosen = list(groups) if groups is not None else list(
        community.groups.filter(archived__isnull=True))
    source = rule_context(community, chosen)
    engine = Engine(book, source.context, enabled_only=not include_disabled, only=only)
    findings: list[CoreFinding] = []
    count, first, last = 0, None, None
    for _pk, event in chat_events(source, chosen, since=since, until=until):
        count += 1
        first = first or event.timestamp
        last = event.timestamp
        findings.extend(engine.feed(event))
    findings.extend(engine.finish())
    summary = summarise(findings, events=count, since=since or first, until=until or last,
                        rulebook=book, tz=community.zone)
    return Preview(summary, findings, book, source.groups, time.perf_counter() - started)


# ---------------------------------------------------------------- enforcement

@dataclass
class Enforced:
    findings: int = 0
    strikes: int = 0
    actions: int = 0
    messages: int = 0
    proposals: list[int] | None = None


def finding_key(group: Group, finding: CoreFinding) -> str:
    anchor = finding.evidence[0] if finding.evidence else finding.at.isoformat()
    return f"{finding.rule_id}:{finding.code}:{group.pk}:{anchor}"[:200]


@transaction.atomic
def do_enforce(actor: Actor, community: Community, now: datetime | None = None) -> Enforced:
    """Run the enabled rules over messages stored since the rulebook version in force
    took effect and not judged before; store findings, strikes and outbox steps."""
    now = now or timezone.now()
    version = current_version(community)
    result = Enforced(proposals=[])
    if version is None:
        return result
    book = Rulebook.from_data(version.data)
    if not any(rule.enabled for rule in book.rules):
        return result
    groups = list(community.groups.filter(archived__isnull=True))
    source = rule_context(community, groups)
    marks = {e.group_id: e.last_message_id for e in
             Enforcement.objects.filter(group__in=groups)}
    new = Message.objects.filter(group__in=groups, sent_at__gte=version.created)
    for group_id, last in marks.items():
        new = new.exclude(group_id=group_id, pk__lte=last)
    first_new = new.order_by("sent_at").values_list("sent_at", flat=True).first()
    if first_new is None:
        return result
    # the engine keeps state (tonight's warning, a burst, copies across groups): replay the
    # day before the first new message without storing anything, then judge the new ones
    engine = Engine(book, source.context, enabled_only=True)
    replay_from = max(version.created, first_new - REPLAY)
    last_id: dict[int, int] = {}
    core: list[tuple[Group, CoreFinding]] = []
    for pk, event in chat_events(source, groups, since=replay_from):
        group = source.groups[event.group_key]
        caught = engine.feed(event)
        if pk <= marks.get(group.pk, 0):
            continue  # judged before: only rebuilds the engine's memory
        result.messages += 1
        last_id[group.pk] = max(last_id.get(group.pk, 0), pk)
        core.extend((group, f) for f in caught)
    core.extend((source.groups[f.group_key], f) for f in engine.finish())
    persons = {ext: person for ext, _n, person in source.identities.values()}
    identities = {ext: pk for pk, (ext, _n, _p) in source.identities.items()}
    for group, found in core:
        key = finding_key(group, found)
        row, created = Finding.objects.get_or_create(community=community, key=key, defaults={
            "group": group, "identity_id": identities.get(found.sender_key),
            "person_id": persons.get(found.sender_key), "sender_name": found.sender_name,
            "rule_id": found.rule_id, "kind": str(found.kind), "at": found.at,
            "code": found.code, "detail": dict(found.detail), "evidence": list(found.evidence),
            "version": version})
        if not created:
            continue
        result.findings += 1
        if found.strike and row.person_id is not None:
            Strike.objects.create(community=community, person_id=row.person_id, finding=row,
                                  rule_id=found.rule_id, at=found.at,
                                  expires=found.at + timedelta(days=book.strikes.expire_days))
            result.strikes += 1
        steps = [Step(a, group, key=f"finding:{row.pk}:{i}")
                 for i, a in enumerate(found.actions)]
        result.actions += len(enqueue(Actor.rule(found.rule_id), community, steps,
                                      source="rule", source_ref=f"finding:{row.pk}"))
    for group in groups:
        if group.pk in last_id:
            Enforcement.objects.update_or_create(group=group, defaults={
                "until": now, "last_message_id": last_id[group.pk]})
    if result.findings:
        record(actor, "rules.enforce", version, community=community,
               after={"findings": result.findings, "strikes": result.strikes,
                      "actions": result.actions, "messages": result.messages})
    from .elimination import propose_for_strikes

    result.proposals = propose_for_strikes(actor, community, book, now)
    return result


def active_strikes(community: Community, now: datetime | None = None) -> dict[int, int]:
    """person id → strikes that count now."""
    now = now or timezone.now()
    return dict(Strike.objects.filter(community=community, revoked=False, expires__gt=now)
                .values("person").annotate(n=Count("id")).values_list("person", "n"))


@transaction.atomic
def do_revoke_strike(actor: Actor, strike: Strike, reason: str) -> Strike:
    strike = Strike.objects.select_for_update().get(pk=strike.pk)
    if strike.revoked:
        raise GovernanceError(_("This strike was already withdrawn."))
    if not reason.strip():
        raise GovernanceError(_("Say why the strike is withdrawn; the reason is kept."))
    strike.revoked, strike.note = True, reason
    strike.save(update_fields=["revoked", "note"])
    record(actor, "strike.revoke", strike, community=strike.community, reason=reason,
           object_repr=f"{strike.person} · {strike.rule_id}")
    return strike


def open_groups(community: Community) -> list[Group]:
    return list(community.groups.filter(Q(archived__isnull=True)))
