"""Turn a stream of ChatEvents into stored groups, identities, memberships and messages.

The one path into the message store: importers, the demo generator and (later) bots all
call :func:`import_events`. It works in batches, each in its own transaction, and is
idempotent: a message is known by its platform id, or by a stable content key, so running
the same stream twice — or a stream cut short and run again — stores each message once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db import connection, transaction

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import (
    Community,
    Group,
    Identity,
    IdentityName,
    Membership,
    MembershipStatus,
    Message,
    Person,
)
from qunzhu.core.events import NON_SPEECH_KINDS, ChatEvent, MessageKind
from qunzhu.core.text import fold

from . import bulk

BATCH_SIZE = 5000
MESSAGE_FIELDS = ["group", "identity", "sent_at", "kind", "text", "text_folded", "key",
                  "reply_to_key", "mentions"]


@dataclass
class GroupSummary:
    """What one import did to one group."""

    name: str
    added: int = 0
    duplicates: int = 0
    senders: set[int] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def see(self, ts: datetime) -> None:
        if self.first is None or ts < self.first:
            self.first = ts
        if self.last is None or ts > self.last:
            self.last = ts


@dataclass
class ImportSummary:
    groups: dict[int, GroupSummary] = field(default_factory=dict)
    events: int = 0

    @property
    def added(self) -> int:
        return sum(g.added for g in self.groups.values())

    @property
    def duplicates(self) -> int:
        return sum(g.duplicates for g in self.groups.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "events": self.events,
            "added": self.added,
            "duplicates": self.duplicates,
            "groups": {
                str(gid): {"name": g.name, "added": g.added, "duplicates": g.duplicates,
                           "members": len(g.senders),
                           "first": g.first.isoformat() if g.first else None,
                           "last": g.last.isoformat() if g.last else None}
                for gid, g in self.groups.items()
            },
        }


ProgressCallback = Callable[[int], None]


def _batches(events: Iterable[ChatEvent], size: int) -> Iterator[list[ChatEvent]]:
    iterator = iter(events)
    while batch := list(islice(iterator, size)):
        yield batch


class _Loader:
    """Caches of what is already stored, so each batch costs a few bulk queries."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.groups: dict[tuple[str, str], Group] = {}
        self.identities: dict[tuple[str, str], Identity] = {}
        self.memberships: dict[tuple[int, int], Membership] = {}
        self.summary = ImportSummary()
        # identical (time, sender, kind, text) messages in one export get ordinals 0, 1, …
        self._same_second: dict[tuple[str, str, str, str], int] = {}
        self._last_ts: datetime | None = None

    # -- groups --------------------------------------------------------------
    def group_for(self, event: ChatEvent) -> Group:
        cache_key = (event.platform.value, event.group_key)
        group = self.groups.get(cache_key)
        if group is None:
            group, _created = Group.objects.get_or_create(
                community=self.community, platform=event.platform.value,
                external_key=event.group_key,
                defaults={"name": event.group_name or event.group_key,
                          "opened": event.timestamp.date()})
            self.groups[cache_key] = group
            self.summary.groups.setdefault(group.pk, GroupSummary(group.name))
        return group

    # -- identities ----------------------------------------------------------
    def ensure_identities(self, batch: list[ChatEvent]) -> None:
        wanted: dict[tuple[str, str], ChatEvent] = {}
        for event in batch:
            key = (event.platform.value, event.sender_key)
            if event.sender_key and key not in self.identities and key not in wanted:
                wanted[key] = event
        if not wanted:
            return
        by_platform: dict[str, list[str]] = {}
        for platform, external_id in wanted:
            by_platform.setdefault(platform, []).append(external_id)
        for platform, ids in by_platform.items():
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start:chunk_start + 500]
                for identity in Identity.objects.filter(
                        community=self.community, platform=platform, external_id__in=chunk):
                    self.identities[(platform, identity.external_id)] = identity
        missing = [(key, ev) for key, ev in wanted.items() if key not in self.identities]
        if not missing:
            return
        people = Person.objects.bulk_create(
            [Person(community=self.community, display_name=ev.sender_name or ev.sender_key)
             for _key, ev in missing])
        identities = Identity.objects.bulk_create([
            Identity(community=self.community, person=person, platform=key[0],
                     external_id=key[1], display_name=ev.sender_name or ev.sender_key,
                     weak=ev.sender_key_weak, first_seen=ev.timestamp, last_seen=ev.timestamp)
            for (key, ev), person in zip(missing, people, strict=True)])
        for (key, _ev), identity in zip(missing, identities, strict=True):
            self.identities[key] = identity

    def update_identities(self, batch: list[ChatEvent]) -> None:
        """Track first/last seen, the current display name and every name used."""
        changed: dict[int, Identity] = {}
        renamed: dict[int, tuple[str, str]] = {}  # person id -> (old name, new name)
        names: dict[tuple[int, str], list[datetime]] = {}
        for event in batch:
            if not event.sender_key:
                continue
            identity = self.identities[(event.platform.value, event.sender_key)]
            ts = event.timestamp
            if identity.first_seen is None or ts < identity.first_seen:
                identity.first_seen = ts
                changed[identity.pk] = identity
            if identity.last_seen is None or ts >= identity.last_seen:
                identity.last_seen = ts
                if event.sender_name and identity.display_name != event.sender_name:
                    old = renamed.get(identity.person_id, (identity.display_name, ""))[0]
                    renamed[identity.person_id] = (old, event.sender_name)
                    identity.display_name = event.sender_name
                changed[identity.pk] = identity
            if event.sender_name:
                span = names.setdefault((identity.pk, event.sender_name), [ts, ts])
                span[0] = min(span[0], ts)
                span[1] = max(span[1], ts)
        bulk.update(Identity, ["first_seen", "last_seen", "display_name"],
                    [(bulk.adapt_datetime(i.first_seen), bulk.adapt_datetime(i.last_seen),
                      i.display_name, i.pk) for i in changed.values()])
        for person_id, (old, new) in renamed.items():
            # a person named after their account follows its renames; a name an operator
            # gave (or a merge chose) differs from the old account name and is kept
            Person.objects.filter(pk=person_id, display_name=old).update(display_name=new)
        if names:
            self._store_names(names)

    def _store_names(self, names: dict[tuple[int, str], list[datetime]]) -> None:
        identity_ids = {identity_id for identity_id, _name in names}
        existing = {(n.identity_id, n.name): n for n in IdentityName.objects.filter(
            identity_id__in=identity_ids)}
        new, updated = [], []
        for (identity_id, name), (first, last) in names.items():
            row = existing.get((identity_id, name))
            if row is None:
                new.append(IdentityName(identity_id=identity_id, name=name,
                                        first_seen=first, last_seen=last))
            elif first < row.first_seen or last > row.last_seen:
                row.first_seen = min(row.first_seen, first)
                row.last_seen = max(row.last_seen, last)
                updated.append(row)
        IdentityName.objects.bulk_create(new)
        bulk.update(IdentityName, ["first_seen", "last_seen"],
                    [(bulk.adapt_datetime(n.first_seen), bulk.adapt_datetime(n.last_seen), n.pk)
                     for n in updated])

    # -- memberships ---------------------------------------------------------
    def update_memberships(self, batch: list[ChatEvent], groups: list[Group]) -> None:
        touched: dict[tuple[int, int], Membership] = {}
        new: dict[tuple[int, int], Membership] = {}
        wanted = {(self.identities[(e.platform.value, e.sender_key)].person_id, g.pk)
                  for e, g in zip(batch, groups, strict=True) if e.sender_key}
        unknown = [k for k in wanted if k not in self.memberships]
        if unknown:
            for m in Membership.objects.filter(
                    group_id__in={g for _p, g in unknown},
                    person_id__in={p for p, _g in unknown}):
                self.memberships[(m.person_id, m.group_id)] = m
        for event, group in zip(batch, groups, strict=True):
            if not event.sender_key:
                continue
            person_id = self.identities[(event.platform.value, event.sender_key)].person_id
            key = (person_id, group.pk)
            membership = self.memberships.get(key)
            if membership is None:
                membership = Membership(person_id=person_id, group_id=group.pk,
                                        joined=event.timestamp)
                self.memberships[key] = new[key] = membership
            elif key not in new:
                touched[key] = membership
            self._apply_membership_event(membership, event)
        Membership.objects.bulk_create(list(new.values()))
        bulk.update(Membership, ["joined", "left", "status"],
                    [(bulk.adapt_datetime(m.joined), bulk.adapt_datetime(m.left), m.status, m.pk)
                     for m in touched.values()])

    @staticmethod
    def _apply_membership_event(membership: Membership, event: ChatEvent) -> None:
        ts = event.timestamp
        if membership.joined is None or ts < membership.joined:
            membership.joined = ts
        if event.kind == MessageKind.LEAVE:
            if membership.left is None or ts > membership.left:
                membership.left = ts
                membership.status = MembershipStatus.LEFT
        elif membership.left is not None and ts > membership.left:
            # spoke or rejoined after leaving: a member again
            membership.left = None
            membership.status = MembershipStatus.ACTIVE

    # -- messages ------------------------------------------------------------
    def message_key(self, event: ChatEvent) -> str:
        if event.message_id:
            return event.message_id
        if event.timestamp != self._last_ts:
            self._same_second.clear()
            self._last_ts = event.timestamp
        base = (event.group_key, event.sender_key, event.kind.value, event.text)
        ordinal = self._same_second.get(base, 0)
        self._same_second[base] = ordinal + 1
        return event.content_key(ordinal)

    def store_messages(self, batch: list[ChatEvent], groups: list[Group]) -> None:
        keyed: dict[tuple[int, str], tuple[ChatEvent, Group]] = {}
        for event, group in zip(batch, groups, strict=True):
            summary = self.summary.groups[group.pk]
            group_key = (group.pk, self.message_key(event))
            if group_key in keyed:
                summary.duplicates += 1
                continue
            keyed[group_key] = (event, group)
        existing: set[tuple[int, str]] = set()
        by_group: dict[int, list[str]] = {}
        for group_id, message_key in keyed:
            by_group.setdefault(group_id, []).append(message_key)
        for group_id, keys in by_group.items():
            for start in range(0, len(keys), 900):
                existing.update((group_id, k) for k in Message.objects.filter(
                    group_id=group_id, key__in=keys[start:start + 900]
                ).values_list("key", flat=True))
        rows = []
        for (group_id, message_key), (event, _group) in keyed.items():
            summary = self.summary.groups[group_id]
            if (group_id, message_key) in existing:
                summary.duplicates += 1
                continue
            identity = self.identities.get((event.platform.value, event.sender_key))
            rows.append(self._message_row(event, group_id, identity, message_key))
            summary.added += 1
            summary.see(event.timestamp)
            if identity is not None and event.kind not in NON_SPEECH_KINDS:
                summary.senders.add(identity.pk)
        bulk.insert(Message, MESSAGE_FIELDS, rows, conflict=["group", "key"])

    def _message_row(self, event: ChatEvent, group_id: int, identity: Identity | None,
                     key: str) -> tuple[object, ...]:
        mentions = [m.pk for k in event.mentions
                    if (m := self.identities.get((event.platform.value, k))) is not None]
        return (group_id, identity.pk if identity else None,
                bulk.adapt_datetime(event.timestamp), event.kind.value, event.text,
                fold(event.text), key, event.reply_to, bulk.adapt_json(mentions))

    def load_batch(self, batch: list[ChatEvent]) -> None:
        with transaction.atomic():
            groups = [self.group_for(e) for e in batch]
            self.ensure_identities(batch)
            self.update_identities(batch)
            self.update_memberships(batch, groups)
            self.store_messages(batch, groups)
        self.summary.events += len(batch)

    def link_replies(self) -> None:
        """Point reply_to at the stored message once both ends are in the database."""
        table = Message._meta.db_table
        with connection.cursor() as cursor:
            for group in self.groups.values():
                cursor.execute(
                    f"UPDATE {table} SET reply_to_id = (SELECT r.id FROM {table} r"  # noqa: S608
                    f" WHERE r.group_id = {table}.group_id AND r.key = {table}.reply_to_key)"
                    f" WHERE group_id = %s AND reply_to_key <> '' AND reply_to_id IS NULL",
                    [group.pk])


def import_events(actor: Actor, community: Community, events: Iterable[ChatEvent], *,
                  source: str = "", batch_size: int = BATCH_SIZE,
                  on_progress: ProgressCallback | None = None) -> ImportSummary:
    """Store a stream of events in ``community``; returns what was added per group.

    Each batch commits on its own, so a crash loses at most the batch in flight and a
    re-run adds only what is missing. The audit log gets one entry per import.
    """
    loader = _Loader(community)
    for batch in _batches(events, batch_size):
        loader.load_batch(batch)
        if on_progress is not None:
            on_progress(len(batch))
    with transaction.atomic():
        loader.link_replies()
        record(actor, "messages.import", None, community=community, object_type="import",
               object_repr=source or "events", after=loader.summary.as_dict())
    return loader.summary
