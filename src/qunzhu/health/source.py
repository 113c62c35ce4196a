"""Read a community's messages from the database into :class:`History` arrays.

Reading a million rows through the database driver costs seconds (most of it making a
Python tuple per row), so each group's columns are kept as a **snapshot** in the
database (:class:`~qunzhu.health.models.GroupColumns`): NumPy arrays of sender identity,
time, kind, replied-to identity, text length, flags and id, plus the few mentions and
flagged texts. A snapshot is valid while the group's message count and highest id are
unchanged; otherwise it is rebuilt from the rows (one ordered scan over the
``(group, sent_at)`` index) and stored again. Identities map to people when read, so
merging two people never needs a rebuild. Senders are people: merged identities count once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import orjson
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from qunzhu.community.models import (
    Community,
    Group,
    Identity,
    IdentityName,
    Membership,
    Message,
)
from qunzhu.core.health.flags import F_LINK, link_hashes
from qunzhu.core.health.history import (
    KIND_CODE,
    KINDS,
    SILENT_KINDS,
    History,
    answered_earliest,
    with_ad_context,
)
from qunzhu.core.replies import (
    PREPARE_ROWS,
    Prepared,
    Vocabulary,
    first_answers,
    inferred_senders,
    name_index,
    prepare,
)
from qunzhu.ingest.bulk import adapt_datetime

from .models import GroupColumns

FETCH = 20_000
OWNER_ROLES = {"creator", "manager"}
#: part of the snapshot's validity: a new message kind changes every kind code, and flag
#: bits recomputed by a migration change no message count (3: contact and selling bits;
#: 4: link and site keys of the flagged texts; 6: inferred reply links)
LAYOUT = "6:" + ",".join(KINDS)


@dataclass(frozen=True)
class Loaded:
    group: Group
    history: History


@dataclass
class Raw:
    """One group's message columns in time order (identities, not people yet)."""

    identity: np.ndarray  # int64, -1 none
    ts: np.ndarray  # int64 epoch seconds
    kind: np.ndarray  # int8 KIND_CODE
    reply: np.ndarray  # int64 identity of the replied message's sender, -1 none
    length: np.ndarray  # int32
    flags: np.ndarray  # uint8
    ids: np.ndarray  # int64
    mention_rows: np.ndarray  # int64 row of each mention
    mention_ids: np.ndarray  # int64 identity mentioned
    text_rows: np.ndarray  # int64 rows of flagged texts
    text_links: np.ndarray  # int64 per flagged text: key of its first link, 0 none
    text_sites: np.ndarray  # int64 per flagged text: key of that link's site, 0 none
    texts: list[str]
    #: int64 identity of the sender each row answers as inferred from timing and names
    #: (:mod:`qunzhu.core.replies`), -1 none; float32 confidence
    inferred: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    inferred_p: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    #: int64 epoch second when someone else first answered the row (-1 never)
    answered_at: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.ts)

    def between(self, start: int | None, end: int | None) -> Raw:
        """Rows with start <= ts < end (epoch seconds)."""
        lo = 0 if start is None else int(np.searchsorted(self.ts, start, "left"))
        hi = len(self.ts) if end is None else int(np.searchsorted(self.ts, end, "left"))
        if lo == 0 and hi == len(self.ts):
            return self
        keep_m = (self.mention_rows >= lo) & (self.mention_rows < hi)
        keep_t = (self.text_rows >= lo) & (self.text_rows < hi)
        return Raw(self.identity[lo:hi], self.ts[lo:hi], self.kind[lo:hi], self.reply[lo:hi],
                   self.length[lo:hi], self.flags[lo:hi], self.ids[lo:hi],
                   self.mention_rows[keep_m] - lo, self.mention_ids[keep_m],
                   self.text_rows[keep_t] - lo, self.text_links[keep_t],
                   self.text_sites[keep_t],
                   [t for t, k in zip(self.texts, keep_t.tolist(), strict=True) if k],
                   self.inferred[lo:hi], self.inferred_p[lo:hi], self.answered_at[lo:hi])

    # -- the stored snapshot ---------------------------------------------------------------
    ARRAYS = ("identity", "ts", "kind", "reply", "length", "flags", "ids", "mention_rows",
              "mention_ids", "text_rows", "text_links", "text_sites", "inferred", "inferred_p",
              "answered_at")

    def dump(self) -> bytes:
        """The snapshot's bytes: a JSON header (name, dtype, length, offset of each array),
        then the arrays' raw bytes, so that :meth:`load` makes views, not copies."""
        joined = "\x00".join(self.texts).encode("utf-8")
        arrays = [(k, np.ascontiguousarray(getattr(self, k))) for k in self.ARRAYS]
        arrays.append(("texts", np.frombuffer(joined, np.uint8)))
        header: list[tuple[str, str, int, int]] = []
        offsets: list[int] = []
        offset = 0
        for name, array in arrays:
            header.append((name, array.dtype.str, len(array), offset))
            offsets.append(offset)
            offset += array.nbytes
        head = orjson.dumps(header)
        out = bytearray(4 + len(head) + offset)  # one buffer, each array copied once
        out[:4] = len(head).to_bytes(4, "little")
        out[4:4 + len(head)] = head
        base = 4 + len(head)
        target = np.frombuffer(out, np.uint8)
        for (_, array), start in zip(arrays, offsets, strict=True):
            target[base + start:base + start + array.nbytes] = array.view(np.uint8).ravel()
        del target
        return bytes(out) if len(out) < 1 << 20 else out  # type: ignore[return-value]

    @classmethod
    def load(cls, blob: bytes) -> Raw:
        size = int.from_bytes(blob[:4], "little")
        base = 4 + size
        arrays = {name: np.frombuffer(blob, np.dtype(dtype), count, base + offset)
                  for name, dtype, count, offset in orjson.loads(blob[4:base])}
        texts = arrays.pop("texts").tobytes().decode("utf-8")
        return cls(**arrays, texts=texts.split("\x00") if len(arrays["text_rows"]) else [])


def _query(percent_s: str) -> str:
    """One group's rows, ordered by time. Rare columns (replies, mentions, the folded texts
    of flagged messages) come back as -1 or '' when empty; the last column is the text,
    read for reply inference only (the snapshot keeps the inferred links, not the texts)."""
    table = "community_message"
    if connection.vendor == "sqlite":
        epoch = f"CAST(strftime('{percent_s}', m.sent_at) AS INTEGER)"
        no_mentions = "'[]'"
    else:
        # FLOOR, as SQLite's strftime('%s') truncates: a cast would round 23:59:59.6 into
        # the next day, and a report ending just after the last message would drop it
        epoch = "CAST(FLOOR(EXTRACT(EPOCH FROM m.sent_at)) AS BIGINT)"
        no_mentions = "'[]'::jsonb"
    return (f"SELECT COALESCE(m.identity_id, -1), {epoch}, m.kind,"  # noqa: S608
            f" COALESCE(CASE WHEN m.reply_to_id IS NOT NULL THEN"
            f" (SELECT r.identity_id FROM {table} r WHERE r.id = m.reply_to_id) END, -1),"
            f" CASE WHEN m.mentions <> {no_mentions} THEN m.mentions END,"
            f" length(m.text), m.flags, m.id,"
            f" CASE WHEN m.flags <> 0 AND length(m.text) >= 10"
            f" THEN COALESCE(NULLIF(m.text_folded, ''), m.text) END, m.text,"
            f" COALESCE(m.reply_to_id, -1)"
            f" FROM {table} m WHERE m.group_id = %s ORDER BY m.sent_at, m.id")


@contextmanager
def _small_cache(cursor: Any) -> Iterator[None]:
    """A one-pass scan gains nothing from SQLite's large page cache (64 MB, for imports);
    shrink it meanwhile so a report over a big group does not hold it all in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = cursor.fetchone()[0]
    cursor.execute("PRAGMA cache_size = -4096")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def read_rows(group: Group) -> Raw:
    """The group's columns from its message rows (the slow path; see the module docstring)."""
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "identity", "ts", "kind", "reply", "length", "flags", "ids")}
    mention_rows: list[int] = []
    mention_ids: list[int] = []
    text_rows: list[int] = []
    texts: list[str] = []
    reading = _Texts(_identity_names(group))
    reply_ids: list[np.ndarray] = []
    links: list[tuple[int, int]] = []
    n = 0
    with connection.cursor() as cursor, _small_cache(cursor):
        cursor.execute(_query("%%s"), [group.pk])
        while rows := cursor.fetchmany(FETCH):
            identity, ts, kind, reply, mentions, length, flags, ids, flagged, text, parent = zip(
                *rows, strict=True)
            reply_ids.append(np.array(parent, np.int64))
            parts["identity"].append(np.array(identity, np.int64))
            parts["ts"].append(np.array(ts, np.int64))
            names, inverse = np.unique(np.array(kind, dtype=str), return_inverse=True)
            codes = np.array([KIND_CODE.get(str(k), 0) for k in names], np.int8)
            parts["kind"].append(codes[inverse])
            reading.add(text, parts["identity"][-1], parts["kind"][-1])
            parts["reply"].append(np.array(reply, np.int64))
            parts["length"].append(np.array([x or 0 for x in length], np.int32))
            parts["flags"].append(np.array(flags, np.uint8))
            parts["ids"].append(np.array(ids, np.int64))
            for i, raw in enumerate(mentions):
                if raw:
                    value = orjson.loads(raw) if isinstance(raw, (str, bytes)) else raw
                    for identity_id in value or ():
                        mention_rows.append(n + i)
                        mention_ids.append(int(identity_id))
            for i, text in enumerate(flagged):
                if text:
                    text_rows.append(n + i)
                    texts.append(text)
                    # hashed once here, so that a report never parses the links again
                    links.append(link_hashes(text) if flags[i] & F_LINK else (0, 0))
            n += len(rows)

    def joined(name: str, dtype: type) -> np.ndarray:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype)

    senders = joined("identity", np.int64)
    kinds = joined("kind", np.int8)
    stamps = joined("ts", np.int64)
    inferred, inferred_p, answered_at = inferred_senders(
        stamps, senders, reading.done(), {}, _speech(senders, kinds))
    answered_at = answered_earliest(answered_at, _recorded_answers(
        joined("ids", np.int64), np.concatenate(reply_ids) if reply_ids else
        np.zeros(0, np.int64), senders, stamps))
    return Raw(senders, joined("ts", np.int64), kinds,
               joined("reply", np.int64), joined("length", np.int32),
               joined("flags", np.uint8), joined("ids", np.int64),
               np.array(mention_rows, np.int64), np.array(mention_ids, np.int64),
               np.array(text_rows, np.int64),
               np.array([k for k, _ in links], np.int64).reshape(-1),
               np.array([k for _, k in links], np.int64).reshape(-1), texts,
               inferred.astype(np.int64), inferred_p, answered_at)


def _recorded_answers(ids: np.ndarray, parent_ids: np.ndarray, senders: np.ndarray,
                      stamps: np.ndarray) -> np.ndarray:
    """Per row, when someone else first answered it with a reply the export recorded."""
    child = np.flatnonzero(parent_ids >= 0)
    if len(child) == 0:
        return np.full(len(ids), -1, np.int64)
    order = np.argsort(ids, kind="stable")
    pos = np.minimum(np.searchsorted(ids[order], parent_ids[child]), len(ids) - 1)
    parent = order[pos]
    ok = (ids[parent] == parent_ids[child]) & (senders[parent] != senders[child])
    return first_answers(parent[ok], stamps[child[ok]], len(ids))


def _speech(identity: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Rows that are something a member said (as :attr:`History.speech`)."""
    return np.asarray((identity >= 0) & ~np.isin(kind, SILENT_KINDS), bool)


class _Texts:
    """The texts of a group's rows, read for reply inference as the rows stream by, a
    piece of PREPARE_ROWS at a time: the texts themselves are not kept."""

    def __init__(self, names: dict[int, list[str]]) -> None:
        self.names = name_index(names)
        self.vocabulary = Vocabulary(self.names)
        self.texts: list[str] = []
        self.senders: list[np.ndarray] = []
        self.parts: list[Prepared] = []

    def add(self, texts: Sequence[str | None], identity: np.ndarray, kind: np.ndarray) -> None:
        self.texts.extend(t or "" for t in texts)
        self.senders.append(np.where(_speech(identity, kind), identity, -1))
        if len(self.texts) >= PREPARE_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.texts:
            self.parts.append(prepare(self.texts, np.concatenate(self.senders), self.names,
                                      self.vocabulary))
        self.texts, self.senders = [], []

    def done(self) -> Prepared:
        self._flush()
        return Prepared.join(self.parts) if self.parts else prepare([], np.zeros(0, np.int64),
                                                                     self.names)


def _identity_names(group: Group) -> dict[int, list[str]]:
    """Every name each member of the group went by (display names, nicknames, the IRC nick
    or user name that is its platform id): what others write to address them."""
    people = Membership.objects.filter(group=group).values("person_id")
    out: dict[int, list[str]] = {}
    for pk, display, external in Identity.objects.filter(person__in=people).values_list(
            "pk", "display_name", "external_id"):
        out.setdefault(pk, []).extend(n for n in (display, external) if n)
    for pk, name in IdentityName.objects.filter(identity__person__in=people).values_list(
            "identity_id", "name"):
        out.setdefault(pk, []).append(name)
    return out


def group_columns(group: Group, count: int, last_id: int) -> Raw:
    """The group's columns: from its snapshot if still valid, else rebuilt and stored."""
    snap = GroupColumns.objects.filter(group=group).first()
    if (snap is not None and snap.messages == count and snap.last_id == last_id
            and snap.layout == LAYOUT):
        data = snap.data
        return Raw.load(data if isinstance(data, bytes) else bytes(data))
    raw = read_rows(group)
    data = raw.dump()
    table = GroupColumns._meta.db_table
    # one upsert that hands the buffer to the driver as it is (the ORM would copy 40 MB
    # of a million-message group twice more)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (group_id, messages, last_id, layout, built, data)"  # noqa: S608
            f" VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (group_id) DO UPDATE SET"
            f" messages = excluded.messages, last_id = excluded.last_id,"
            f" layout = excluded.layout, built = excluded.built, data = excluded.data",
            [group.pk, len(raw), int(raw.ids.max()) if len(raw) else 0, LAYOUT,
             adapt_datetime(timezone.now()), memoryview(data)])  # type: ignore[list-item]
    del data
    return raw


class Reader:
    """A community's groups read once, then cut to any period: the report reads one period,
    a replay (:func:`qunzhu.health.service.replay`) many, from the same columns."""

    def __init__(self, community: Community, groups: Sequence[Group] | None = None) -> None:
        self.community = community
        # every group is read: ads pushed across groups are evidence even in a report of one
        self.every = list(community.groups.order_by("pk"))
        self.chosen = list(groups) if groups is not None else self.every
        chosen = {g.pk for g in self.chosen}
        self.every = [g for g in self.every if g.pk in chosen] + [
            g for g in self.every if g.pk not in chosen]
        self.person_of: dict[int, int] = dict(
            Identity.objects.filter(community=community).values_list("pk", "person_id"))
        self.names: dict[int, str] = dict(community.people.values_list("pk", "display_name"))
        self.memberships: dict[int, list[tuple[int, list[str], datetime | None]]] = {}
        for group_id, person_id, roles, joined in Membership.objects.filter(
                group__in=self.every).values_list("group_id", "person_id", "roles", "joined"):
            self.memberships.setdefault(group_id, []).append((person_id, roles or [], joined))
        stats = {row["group_id"]: (row["n"], row["last"]) for row in
                 Message.objects.filter(group__in=self.every).order_by().values("group_id")
                 .annotate(n=Count("id"), last=Max("id"))}
        self.raws: dict[int, Raw] = {}
        self.first_seen: dict[int, dict[int, int]] = {}
        for group in self.every:
            count, last = stats.get(group.pk, (0, 0))
            raw = group_columns(group, count, last)
            self.raws[group.pk] = raw
            self.first_seen[group.pk] = _first_seen(raw, self.person_of)
        self.learning = learning_groups(community)

    def histories(self, since: datetime | None = None, until: datetime | None = None
                  ) -> list[Loaded]:
        """The chosen groups' histories within the period (see :meth:`read`)."""
        return self.read(since, until)[:len(self.chosen)]

    def read(self, since: datetime | None = None, until: datetime | None = None
             ) -> list[Loaded]:
        """Every group's history within the period, the chosen groups first. The roster is
        what was known at its end: a member who joined, or first spoke, only later is not
        counted (a report of last spring does not list this winter's newcomers as lurkers)."""
        start = int(since.timestamp()) if since is not None else None
        end = int(until.timestamp()) if until is not None else None
        text_keys: dict[str, int] = {}
        out = []
        for group in self.every:
            members = self.memberships.get(group.pk, [])
            if end is not None:
                first = self.first_seen[group.pk]
                members = [(person, roles, joined) for person, roles, joined in members
                           if (joined is None or joined.timestamp() < end)
                           and first.get(person, end - 1) < end]
            raw = self.raws[group.pk].between(start, end)
            out.append(Loaded(group, _history(group, raw, self.person_of, self.names,
                                              members, text_keys, self.community)))
        # links pushed across groups and the topic sites are the community's evidence
        judged = with_ad_context({str(i): x.history for i, x in enumerate(out)})
        return [Loaded(x.group, replace(judged[str(i)], learning=self.learning(x.group.pk)))
                for i, x in enumerate(out)]


def learning_groups(community: Community) -> Callable[[int], bool]:
    """Which groups learn together: those that run (or whose community runs for every
    group) a check-in challenge or homework. Seed 001's size line is for them."""
    from qunzhu.activities.models import Assignment, Challenge

    ids: set[int | None] = set()
    for model in (Challenge, Assignment):
        ids.update(model.objects.filter(community=community).values_list("group_id", flat=True))
    return lambda group_id: None in ids or group_id in ids


def _first_seen(raw: Raw, person_of: dict[int, int]) -> dict[int, int]:
    """Epoch second of each person's first row in the group (speech or not)."""
    rows = np.flatnonzero(raw.identity >= 0)
    if len(rows) == 0:
        return {}
    ident = raw.identity[rows]
    top = int(ident.max()) + 1
    first = np.full(top, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(first, ident, raw.ts[rows])
    out: dict[int, int] = {}
    for identity_id in np.flatnonzero(first < np.iinfo(np.int64).max).tolist():
        person = person_of.get(identity_id)
        if person is not None:
            out[person] = min(out.get(person, int(first[identity_id])), int(first[identity_id]))
    return out


def load_histories(community: Community, groups: Sequence[Group] | None = None,
                   since: datetime | None = None, until: datetime | None = None
                   ) -> list[Loaded]:
    """Histories of ``groups`` (default: every group of the community) within the period."""
    return Reader(community, groups).histories(since, until)


def _history(group: Group, raw: Raw, person_of: dict[int, int], names: dict[int, str],
             members: Iterable[tuple[int, list[str], datetime | None]],
             text_keys: dict[str, int], community: Community) -> History:
    n = len(raw)
    # people → compact sender indices; the roster (members who may be silent) first
    index: dict[int, int] = {}
    people: list[int] = []

    def sender_of(person: int) -> int:
        found = index.get(person)
        if found is None:
            found = index[person] = len(people)
            people.append(person)
        return found

    owners: set[int] = set()
    join_times: dict[int, int] = {}
    for person, roles, when in members:
        s = sender_of(person)
        if OWNER_ROLES & set(roles):
            owners.add(s)
        if when is not None:
            join_times[s] = int(when.timestamp())

    def sender_index(ident: np.ndarray) -> np.ndarray:
        """Identity ids → sender indices (-1 for none), creating indices only for people
        who appear, in order of first appearance. Linear: identity ids are small integers,
        so a lookup table replaces sorting."""
        if len(ident) == 0:
            return np.zeros(0, np.int32)
        top = int(ident.max()) + 1
        if top <= 0:
            return np.full(len(ident), -1, np.int32)
        rows = np.flatnonzero(ident >= 0)
        first = np.full(top, len(ident), np.int64)
        np.minimum.at(first, ident[rows], rows)
        present = np.flatnonzero(first < len(ident))
        table = np.full(top, -1, np.int32)
        for identity_id in present[np.argsort(first[present], kind="stable")].tolist():
            person = person_of.get(identity_id)
            if person is not None:
                table[identity_id] = sender_of(person)
        return np.where(ident >= 0, table[np.maximum(ident, 0)], -1).astype(np.int32)

    sender = sender_index(raw.identity)
    reply = np.full(n, -1, np.int32)
    replied = np.flatnonzero(raw.reply >= 0)
    if len(replied):
        reply[replied] = sender_index(raw.reply[replied])
    inferred_to = np.full(n, -1, np.int32)
    guessed = np.flatnonzero(raw.inferred >= 0)
    if len(guessed):
        inferred_to[guessed] = sender_index(raw.inferred[guessed])
    mentioned = sender_index(raw.mention_ids)
    ok = mentioned >= 0
    counts = np.bincount(raw.mention_rows[ok], minlength=n)[:n] if n else np.zeros(0, np.int64)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    order = np.argsort(raw.mention_rows[ok], kind="stable")
    text_key = np.zeros(n, np.int64)
    for row, text in zip(raw.text_rows.tolist(), raw.texts, strict=True):
        text_key[row] = text_keys.setdefault(text, len(text_keys) + 1)
    link = np.zeros(n, np.int64)
    site = np.zeros(n, np.int64)
    link[raw.text_rows] = raw.text_links
    site[raw.text_rows] = raw.text_sites
    join_at = np.full(len(people), -1, np.int64)
    for s, stamp in join_times.items():
        join_at[s] = stamp
    return History(
        group=group.name, names=tuple(names.get(p, str(p)) for p in people),
        ts=raw.ts, sender=sender, kind=raw.kind.astype(np.int8), reply_to=reply,
        length=raw.length.astype(np.int32), flags=raw.flags.astype(np.uint8),
        text_key=text_key, mention_ptr=ptr, mention_to=mentioned[ok][order].astype(np.int32),
        message_ids=raw.ids, zone=community.time_zone, owners=frozenset(owners),
        joined=join_at, people=np.array(people, np.int64), capacity=group.capacity,
        active_size=group.active_size, link=link, site=site, inferred_to=inferred_to,
        inferred_p=raw.inferred_p.astype(np.float32), answered_at=raw.answered_at)
