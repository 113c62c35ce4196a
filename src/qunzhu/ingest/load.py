"""Turn a stream of ChatEvents into stored groups, identities, memberships and messages.

The one path into the message store: importers, the demo generator and (later) bots all
call :func:`import_events`. It works in batches, each in its own transaction, and is
idempotent: a message is known by its platform id, or by a stable content key, so running
the same stream twice — or a stream cut short and run again — stores each message once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

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
from qunzhu.core.events import (
    NON_SPEECH_KINDS,
    ChatEvent,
    MessageKind,
    Platform,
    content_key,
)
from qunzhu.core.text import stored_fold

from . import bulk

BATCH_SIZE = 5000
#: identities' first/last seen and names are written every this many batches, and at the end
IDENTITY_FLUSH_BATCHES = 20
#: batches parsed ahead while the database writes (parsing runs in a second thread)
PREFETCH_BATCHES = 3
MESSAGE_FIELDS = ["group", "identity", "sent_at", "kind", "text", "text_folded", "key",
                  "reply_to_key", "mentions"]


@dataclass
class GroupSummary:
    """What one import did to one group. ``first``/``last`` span the events read for it
    (the export's date range), ``senders`` the identities that said something."""

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
_END = object()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CLOCK: dict[int, str] = {}  # seconds of the day -> " HH:MM:SS"
_KIND_VALUES: dict[MessageKind, str] = {k: k.value for k in MessageKind}
_PLATFORM_VALUES: dict[Platform, str] = {p: p.value for p in Platform}


def _batches(events: Iterable[ChatEvent], size: int) -> Iterator[list[ChatEvent]]:
    iterator = iter(events)
    while batch := list(islice(iterator, size)):
        yield batch


def _prefetched(events: Iterable[ChatEvent], size: int) -> Iterator[list[ChatEvent]]:
    """Batches read by a second thread, so that parsing (Python, holding the GIL) overlaps
    the database's work (SQLite and psycopg release the GIL while they write). Errors of the
    parser (ImportFailed, ParseError) reach the caller at the batch where they happened."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=PREFETCH_BATCHES)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in _batches(events, size):
                if not put(batch):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            put(exc)

    thread = threading.Thread(target=produce, name="import-parse", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


class _SenderStats:
    """What one batch says about one account: names used, first/last seen."""

    __slots__ = ("event", "first", "last", "last_name", "names")

    def __init__(self, event: ChatEvent, ts: datetime) -> None:
        self.event = event
        self.first = self.last = ts
        self.last_name = event.sender_name
        self.names: dict[str, list[datetime]] = {}


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
        self._last_epoch: float | None = None
        self._days: dict[int, str] = {}
        self._sqlite = connection.vendor == "sqlite"
        self.pending: dict[tuple[str, str], _SenderStats] = {}
        self._batches_since_flush = 0

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

    def groups_of(self, batch: list[ChatEvent]) -> list[int]:
        """The group id of each event (runs of one group are the rule)."""
        out: list[int] = []
        last: tuple[str, str] | None = None
        group_id = -1
        for event in batch:
            key = (event.platform, event.group_key)
            if key != last:
                group_id, last = self.group_for(event).pk, key
            out.append(group_id)
        return out

    def stamp(self, epoch: float, ts: datetime) -> Any:
        """The database value of a timestamp. SQLite: the UTC text Django writes
        ("2024-05-06 07:08:09[.123456]"), put together from cached day and time-of-day
        strings: several times cheaper than astimezone + isoformat."""
        if not self._sqlite:
            return ts
        whole = int(epoch // 1)
        day, second = divmod(whole, 86400)
        date = self._days.get(day)
        if date is None:
            date = self._days[day] = (_EPOCH + timedelta(days=day)).date().isoformat()
        clock = _CLOCK.get(second)
        if clock is None:
            hour, rest = divmod(second, 3600)
            clock = _CLOCK[second] = f" {hour:02d}:{rest // 60:02d}:{rest % 60:02d}"
        if epoch != whole and ts.microsecond:
            # the datetime's own microseconds: the float's fraction may round to a neighbour
            return f"{date}{clock}.{ts.microsecond:06d}"
        return date + clock

    # -- identities ----------------------------------------------------------
    def sender_stats(self, batch: list[ChatEvent]) -> dict[tuple[str, str], _SenderStats]:
        """Account activity of the batch, added to what earlier batches saw and not yet
        written (identities are updated every few batches, see :meth:`flush_identities`)."""
        stats = self.pending
        for event in batch:
            if not event.sender_key:
                continue
            key = (event.platform.value, event.sender_key)
            ts = event.timestamp
            entry = stats.get(key)
            if entry is None:
                entry = stats[key] = _SenderStats(event, ts)
            elif ts < entry.first:
                entry.first = ts
            elif ts >= entry.last:
                entry.last = ts
                if event.sender_name:
                    entry.last_name = event.sender_name
            name = event.sender_name
            if name:
                span = entry.names.get(name)
                if span is None:
                    entry.names[name] = [ts, ts]
                elif ts < span[0]:
                    span[0] = ts
                elif ts > span[1]:
                    span[1] = ts
        return stats

    def ensure_identities(self, stats: dict[tuple[str, str], _SenderStats]) -> None:
        wanted = [key for key in stats if key not in self.identities]
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
        missing = [(key, stats[key]) for key in wanted if key not in self.identities]
        if not missing:
            return
        people = Person.objects.bulk_create(
            [Person(community=self.community,
                    display_name=st.event.sender_name or st.event.sender_key)
             for _key, st in missing])
        identities = Identity.objects.bulk_create([
            Identity(community=self.community, person=person, platform=key[0],
                     external_id=key[1], display_name=st.event.sender_name or key[1],
                     weak=st.event.sender_key_weak, first_seen=st.first, last_seen=st.first)
            for (key, st), person in zip(missing, people, strict=True)])
        for (key, _st), identity in zip(missing, identities, strict=True):
            self.identities[key] = identity

    def flush_identities(self) -> None:
        """Write what the batches since the last flush saw of each account. Deferred
        because every batch touches most active accounts: writing them once per batch
        cost more than the messages. The values only ever widen (earliest first seen,
        latest last seen and name), so a crash between flushes leaves them behind by at
        most a few batches, and a re-run of the import brings them up to date."""
        if self.pending:
            self.update_identities(self.pending)
            self.pending = {}
        self._batches_since_flush = 0

    def update_identities(self, stats: dict[tuple[str, str], _SenderStats]) -> None:
        """Track first/last seen, the current display name and every name used."""
        changed: dict[int, Identity] = {}
        renamed: dict[int, tuple[str, str]] = {}  # person id -> (old name, new name)
        names: dict[tuple[int, str], list[datetime]] = {}
        for key, entry in stats.items():
            identity = self.identities[key]
            if identity.first_seen is None or entry.first < identity.first_seen:
                identity.first_seen = entry.first
                changed[identity.pk] = identity
            if identity.last_seen is None or entry.last >= identity.last_seen:
                identity.last_seen = entry.last
                new_name = entry.last_name
                if new_name and identity.display_name != new_name:
                    renamed[identity.person_id] = (identity.display_name, new_name)
                    identity.display_name = new_name
                changed[identity.pk] = identity
            for name, span in entry.names.items():
                names[(identity.pk, name)] = span
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
    def update_memberships(self, spans: dict[tuple[int, int], list[Any]]) -> None:
        """``spans``: (person, group) -> [first seen, last leave, last other event]."""
        unknown = [k for k in spans if k not in self.memberships]
        if unknown:
            for m in Membership.objects.filter(
                    group_id__in={g for _p, g in unknown},
                    person_id__in={p for p, _g in unknown}):
                self.memberships[(m.person_id, m.group_id)] = m
        new, touched = [], []
        for key, (first, last_leave, last_other) in spans.items():
            membership = self.memberships.get(key)
            if membership is None:
                membership = self.memberships[key] = Membership(
                    person_id=key[0], group_id=key[1], joined=first)
                new.append(membership)
            before = (membership.joined, membership.left)
            if membership.joined is None or first < membership.joined:
                membership.joined = first
            if last_leave is not None and (last_other is None or last_leave >= last_other):
                if membership.left is None or last_leave > membership.left:
                    membership.left = last_leave
                    membership.status = MembershipStatus.LEFT
            elif membership.left is not None and last_other is not None \
                    and last_other > membership.left:
                # spoke or rejoined after leaving: a member again
                membership.left = None
                membership.status = MembershipStatus.ACTIVE
            if membership.pk is not None and (membership.joined, membership.left) != before:
                touched.append(membership)
        Membership.objects.bulk_create(new)
        bulk.update(Membership, ["joined", "left", "status"],
                    [(bulk.adapt_datetime(m.joined), bulk.adapt_datetime(m.left), m.status, m.pk)
                     for m in touched])

    # -- messages ------------------------------------------------------------
    def rows(self, batch: list[ChatEvent], groups: list[int]
             ) -> tuple[dict[int, list[tuple[Any, ...]]], dict[tuple[int, int], list[Any]]]:
        """Message rows per group, and membership spans, in one pass over the batch.

        The hot loop of every import: locals only, a timestamp converted once for a run of
        events that share it (parsers hand out one datetime object per distinct stamp)."""
        by_group: dict[int, list[tuple[Any, ...]]] = {}
        spans: dict[tuple[int, int], list[Any]] = {}
        ids = {key: (identity.pk, identity.person_id)
               for key, identity in self.identities.items()}
        same, summaries = self._same_second, self.summary.groups
        fold, stamp, leave, kinds = stored_fold, self.stamp, MessageKind.LEAVE, _KIND_VALUES
        non_speech, platforms = NON_SPEECH_KINDS, _PLATFORM_VALUES
        no_mentions = bulk.adapt_json([])
        group_id, rows, summary = -1, [], GroupSummary("")
        last_ts: datetime | None = None
        epoch, second, value = 0.0, 0, None
        for event, gid in zip(batch, groups, strict=True):
            if gid != group_id:
                group_id = gid
                rows = by_group.setdefault(group_id, [])
                summary = summaries[group_id]
            ts = event.timestamp
            if ts is not last_ts:
                last_ts = ts
                epoch = ts.timestamp()
                value = stamp(epoch, ts)
                second = int(epoch)
                if summary.first is None or ts < summary.first:
                    summary.first = ts
                if summary.last is None or ts > summary.last:
                    summary.last = ts
            sender = event.sender_key
            platform = platforms[event.platform]
            found = ids.get((platform, sender)) if sender else None
            kind = kinds[event.kind]
            text = event.text
            key = event.message_id
            if not key:
                if epoch != self._last_epoch:
                    same.clear()
                    self._last_epoch = epoch
                base = (event.group_key, sender, kind, text)
                ordinal = same.get(base, 0)
                same[base] = ordinal + 1
                key = content_key(second, sender, kind, text, ordinal)
            mentions = no_mentions
            if event.mentions:
                mentions = bulk.adapt_json(
                    [m[0] for k in event.mentions if (m := ids.get((platform, k))) is not None])
            if found is None:
                rows.append((group_id, None, value, kind, text, fold(text), key,
                             event.reply_to, mentions))
                continue
            rows.append((group_id, found[0], value, kind, text, fold(text), key,
                         event.reply_to, mentions))
            if kind not in non_speech:
                summary.senders.add(found[0])
            span_key = (found[1], group_id)
            span = spans.get(span_key)
            if span is None:
                span = spans[span_key] = [ts, None, None]
            elif ts < span[0]:
                span[0] = ts
            slot = 1 if kind == leave else 2
            if span[slot] is None or ts >= span[slot]:
                span[slot] = ts
        return by_group, spans

    def store_messages(self, by_group: dict[int, list[tuple[Any, ...]]]) -> None:
        for group_id, rows in by_group.items():
            added = bulk.insert(Message, MESSAGE_FIELDS, rows, conflict=["group", "key"])
            summary = self.summary.groups[group_id]
            summary.added += added
            summary.duplicates += len(rows) - added

    def load_batch(self, batch: list[ChatEvent]) -> None:
        with transaction.atomic():
            groups = self.groups_of(batch)
            stats = self.sender_stats(batch)
            self.ensure_identities(stats)
            self._batches_since_flush += 1
            if self._batches_since_flush >= IDENTITY_FLUSH_BATCHES:
                self.flush_identities()
            by_group, spans = self.rows(batch, groups)
            self.update_memberships(spans)
            self.store_messages(by_group)
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
    for batch in _prefetched(events, batch_size):
        loader.load_batch(batch)
        if on_progress is not None:
            on_progress(len(batch))
    with transaction.atomic():
        loader.flush_identities()
        loader.link_replies()
        record(actor, "messages.import", None, community=community, object_type="import",
               object_repr=source or "events", after=loader.summary.as_dict())
    return loader.summary
