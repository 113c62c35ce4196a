"""Turn a stream of ChatEvents into stored groups, identities, memberships and messages.

The one path into the message store: importers, the demo generator and (later) bots all
call :func:`import_events` (or :func:`import_records` with records prepared elsewhere, see
``worker.py``). It works in batches, each in its own transaction, and is idempotent: a
message is known by its platform id, or by a stable content key, so running the same
stream twice — or a stream cut short and run again — stores each message once.

The work that needs no database (timestamps, keys, folding: :mod:`.prepare`) is done next
to the parser, in a second thread here; the loader looks up identities, keeps first/last
seen as (epoch, stamp) pairs, and inserts rows.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
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
from qunzhu.core.events import NON_SPEECH_KINDS, ChatEvent
from qunzhu.core.health.flags import message_flags

from . import bulk
from .base import READ_ERRORS, ImportFailed, unreadable
from .prepare import Preparer, Record, batches, stamp_datetime

BATCH_SIZE = 5000
#: identities' first/last seen and names are written every this many batches, and at the end
IDENTITY_FLUSH_BATCHES = 20
#: batches parsed ahead while the database writes (parsing runs in a second thread)
PREFETCH_BATCHES = 3
MESSAGE_FIELDS = ["group", "identity", "sent_at", "kind", "text", "text_folded", "key",
                  "reply_to_key", "mentions", "flags"]


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
    span: list[Any] = field(default_factory=lambda: [None, None])  # (epoch, stamp) pairs


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
_NON_SPEECH = frozenset(kind.value for kind in NON_SPEECH_KINDS)
_LEAVE = "leave"
Pair = tuple[float, Any]  # (epoch, stamp): compared by the epoch, stored as the stamp


def prepared_in_thread(events: Iterable[ChatEvent], size: int, sqlite: bool
                       ) -> Iterator[list[Record]]:
    """Record batches made by a second thread, so that parsing and preparing (Python,
    holding the GIL) overlap the database's work (SQLite and psycopg release the GIL
    while they write). Errors of the parser (ImportFailed, ParseError) reach the caller at
    the batch where they happened."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=PREFETCH_BATCHES)
    stop = threading.Event()
    preparer = Preparer(sqlite)

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
            for batch in batches(events, size):
                if not put(preparer.records(batch)):
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
    """What the records say about one account: names used, first/last seen."""

    __slots__ = ("first", "last", "last_name", "name", "names", "weak")

    def __init__(self, name: str, weak: bool, pair: Pair) -> None:
        self.name = self.last_name = name
        self.weak = weak
        self.first = self.last = pair
        self.names: dict[str, list[Pair]] = {}


def _later(stored: datetime | None, pair: Pair) -> bool:
    return stored is None or pair[0] > stored.timestamp()


def _earlier(stored: datetime | None, pair: Pair) -> bool:
    return stored is None or pair[0] < stored.timestamp()


class _Loader:
    """Caches of what is already stored, so each batch costs a few bulk queries."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.groups: dict[tuple[str, str], Group] = {}
        self.identities: dict[tuple[str, str], Identity] = {}
        self.ids: dict[tuple[str, str], tuple[int, int]] = {}  # -> (identity, person)
        self.memberships: dict[tuple[int, int], Membership] = {}
        self.summary = ImportSummary()
        self.pending: dict[tuple[str, str], _SenderStats] = {}
        self._batches_since_flush = 0

    # -- groups --------------------------------------------------------------
    def group_for(self, rec: Record) -> Group:
        cache_key = (rec[0], rec[1])
        group = self.groups.get(cache_key)
        if group is None:
            opened = stamp_datetime(rec[7]).astimezone(self.community.zone).date()
            group, _created = Group.objects.get_or_create(
                community=self.community, platform=rec[0], external_key=rec[1],
                defaults={"name": rec[2] or rec[1], "opened": opened})
            self.groups[cache_key] = group
            self.summary.groups.setdefault(group.pk, GroupSummary(group.name))
        return group

    def groups_of(self, batch: list[Record]) -> list[int]:
        """The group id of each record (runs of one group are the rule)."""
        out: list[int] = []
        last: tuple[str, str] | None = None
        group_id = -1
        for rec in batch:
            key = (rec[0], rec[1])
            if key != last:
                group_id, last = self.group_for(rec).pk, key
            out.append(group_id)
        return out

    # -- identities ----------------------------------------------------------
    def sender_stats(self, batch: list[Record]) -> dict[tuple[str, str], _SenderStats]:
        """Account activity of the batch, added to what earlier batches saw and not yet
        written (identities are updated every few batches, see :meth:`flush_identities`)."""
        stats = self.pending
        for rec in batch:
            sender = rec[3]
            if not sender:
                continue
            key = (rec[0], sender)
            pair = (rec[6], rec[7])
            name = rec[4]
            entry = stats.get(key)
            if entry is None:
                entry = stats[key] = _SenderStats(name, rec[5], pair)
            elif pair < entry.first:
                entry.first = pair
            elif pair >= entry.last:
                entry.last = pair
                if name:
                    entry.last_name = name
            if name:
                span = entry.names.get(name)
                if span is None:
                    entry.names[name] = [pair, pair]
                elif pair < span[0]:
                    span[0] = pair
                elif pair > span[1]:
                    span[1] = pair
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
                    self._know((platform, identity.external_id), identity)
        missing = [(key, stats[key]) for key in wanted if key not in self.identities]
        if not missing:
            return
        people = Person.objects.bulk_create(
            [Person(community=self.community, display_name=st.name or key[1])
             for key, st in missing])
        identities = Identity.objects.bulk_create([
            Identity(community=self.community, person=person, platform=key[0],
                     external_id=key[1], display_name=st.name or key[1], weak=st.weak,
                     first_seen=stamp_datetime(st.first[1]),
                     last_seen=stamp_datetime(st.first[1]))
            for (key, st), person in zip(missing, people, strict=True)])
        for (key, _st), identity in zip(missing, identities, strict=True):
            self._know(key, identity)

    def _know(self, key: tuple[str, str], identity: Identity) -> None:
        self.identities[key] = identity
        self.ids[key] = (identity.pk, identity.person_id)

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
        names: dict[tuple[int, str], list[Pair]] = {}
        for key, entry in stats.items():
            identity = self.identities[key]
            if _earlier(identity.first_seen, entry.first):
                identity.first_seen = stamp_datetime(entry.first[1])
                changed[identity.pk] = identity
            if identity.last_seen is None or entry.last[0] >= identity.last_seen.timestamp():
                identity.last_seen = stamp_datetime(entry.last[1])
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

    def _store_names(self, names: dict[tuple[int, str], list[Pair]]) -> None:
        identity_ids = {identity_id for identity_id, _name in names}
        existing = {(n.identity_id, n.name): n for n in IdentityName.objects.filter(
            identity_id__in=identity_ids)}
        new, updated = [], []
        for (identity_id, name), (first, last) in names.items():
            row = existing.get((identity_id, name))
            if row is None:
                new.append(IdentityName(identity_id=identity_id, name=name,
                                        first_seen=stamp_datetime(first[1]),
                                        last_seen=stamp_datetime(last[1])))
                continue
            widened = False
            if _earlier(row.first_seen, first):
                row.first_seen, widened = stamp_datetime(first[1]), True
            if _later(row.last_seen, last):
                row.last_seen, widened = stamp_datetime(last[1]), True
            if widened:
                updated.append(row)
        IdentityName.objects.bulk_create(new)
        bulk.update(IdentityName, ["first_seen", "last_seen"],
                    [(bulk.adapt_datetime(n.first_seen), bulk.adapt_datetime(n.last_seen), n.pk)
                     for n in updated])

    # -- memberships ---------------------------------------------------------
    def update_memberships(self, spans: dict[tuple[int, int], list[Any]]) -> None:
        """``spans``: (person, group) -> [first seen, last leave, last other event] as
        (epoch, stamp) pairs (None where there was none)."""
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
                    person_id=key[0], group_id=key[1], joined=stamp_datetime(first[1]))
                new.append(membership)
            before = (membership.joined, membership.left)
            if _earlier(membership.joined, first):
                membership.joined = stamp_datetime(first[1])
            if last_leave is not None and (last_other is None or last_leave >= last_other):
                if _later(membership.left, last_leave):
                    membership.left = stamp_datetime(last_leave[1])
                    membership.status = MembershipStatus.LEFT
            elif membership.left is not None and last_other is not None \
                    and last_other[0] > membership.left.timestamp():
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
    def rows(self, batch: list[Record], groups: list[int]
             ) -> tuple[dict[int, list[tuple[Any, ...]]], dict[tuple[int, int], list[Any]]]:
        """Message rows per group, and membership spans, in one pass over the batch."""
        by_group: dict[int, list[tuple[Any, ...]]] = {}
        spans: dict[tuple[int, int], list[Any]] = {}
        ids, summaries = self.ids, self.summary.groups
        non_speech = _NON_SPEECH
        no_mentions = bulk.adapt_json([])
        group_id, rows = -1, []
        span_of_group: list[Any] = [None, None]
        senders: set[int] = set()
        for (platform, _gk, _gn, sender, _sn, _weak, epoch, stamp, kind, text, folded, key,
             reply_to, mentions), gid in zip(batch, groups, strict=True):
            if gid != group_id:
                group_id = gid
                rows = by_group.setdefault(group_id, [])
                summary = summaries[group_id]
                span_of_group, senders = summary.span, summary.senders
            pair = (epoch, stamp)
            if span_of_group[0] is None or pair < span_of_group[0]:
                span_of_group[0] = pair
            if span_of_group[1] is None or pair > span_of_group[1]:
                span_of_group[1] = pair
            found = ids.get((platform, sender)) if sender else None
            stored_mentions = no_mentions
            if mentions:
                stored_mentions = bulk.adapt_json(
                    [m[0] for k in mentions if (m := ids.get((platform, k))) is not None])
            flags = message_flags(folded or text, kind)
            if found is None:
                rows.append((group_id, None, stamp, kind, text, folded, key, reply_to,
                             stored_mentions, flags))
                continue
            rows.append((group_id, found[0], stamp, kind, text, folded, key, reply_to,
                         stored_mentions, flags))
            if kind not in non_speech:
                senders.add(found[0])
            span_key = (found[1], group_id)
            span = spans.get(span_key)
            if span is None:
                span = spans[span_key] = [pair, None, None]
            elif pair < span[0]:
                span[0] = pair
            slot = 1 if kind == _LEAVE else 2
            if span[slot] is None or pair >= span[slot]:
                span[slot] = pair
        return by_group, spans

    def store_messages(self, by_group: dict[int, list[tuple[Any, ...]]]) -> None:
        for group_id, rows in by_group.items():
            added = bulk.insert(Message, MESSAGE_FIELDS, rows, conflict=["group", "key"])
            summary = self.summary.groups[group_id]
            summary.added += added
            summary.duplicates += len(rows) - added

    def load_batch(self, batch: list[Record]) -> None:
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

    def finish(self) -> None:
        """Last identity flush, reply links, and the summary's date ranges as datetimes
        in the community's zone."""
        self.flush_identities()
        self.link_replies()
        zone = self.community.zone
        for summary in self.summary.groups.values():
            first, last = summary.span
            summary.first = stamp_datetime(first[1]).astimezone(zone) if first else None
            summary.last = stamp_datetime(last[1]).astimezone(zone) if last else None

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


def import_records(actor: Actor, community: Community, batches: Iterable[list[Record]], *,
                   source: str = "", on_progress: ProgressCallback | None = None
                   ) -> ImportSummary:
    """Store prepared record batches in ``community``; returns what was added per group.

    Each batch commits on its own, so a crash loses at most the batch in flight and a
    re-run adds only what is missing. The audit log gets one entry per import. When the
    source fails midway (a damaged archive member, a strict-mode stop is checked before),
    what was stored is finished and audited like a whole import, and the
    :class:`ImportFailed` carries its summary in ``stored``.
    """
    loader = _Loader(community)
    try:
        for batch in batches:
            loader.load_batch(batch)
            if on_progress is not None:
                on_progress(len(batch))
    except READ_ERRORS + (ImportFailed,) as exc:
        failed = exc if isinstance(exc, ImportFailed) else unreadable(source, exc)
        if loader.summary.events:
            _finish(actor, community, loader, f"{source} (stopped midway)")
            failed.stored = loader.summary
        if failed is exc:
            raise
        raise failed from exc
    _finish(actor, community, loader, source)
    return loader.summary


def _finish(actor: Actor, community: Community, loader: _Loader, source: str) -> None:
    with transaction.atomic():
        loader.finish()
        record(actor, "messages.import", None, community=community, object_type="import",
               object_repr=source or "events", after=loader.summary.as_dict())


def import_events(actor: Actor, community: Community, events: Iterable[ChatEvent], *,
                  source: str = "", batch_size: int = BATCH_SIZE,
                  on_progress: ProgressCallback | None = None) -> ImportSummary:
    """Store a stream of events in ``community`` (parsed and prepared in a second thread
    while the database writes); see :func:`import_records`."""
    batches = prepared_in_thread(events, batch_size, sqlite=connection.vendor == "sqlite")
    return import_records(actor, community, batches, source=source, on_progress=on_progress)
