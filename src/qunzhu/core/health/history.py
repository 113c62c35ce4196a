"""One group's history as parallel NumPy arrays: the only input of the health measures.

Every measure in :mod:`qunzhu.core.health` reads a :class:`History` and nothing else, so
the same code runs on the database (``qunzhu.health.source``), on a demo community and on
a parsed export file without storing it. Arrays, not objects: a million messages are a few
arrays of machine integers, and every measure is a handful of vectorised passes over them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.core.replies import first_answers, inferred_senders
from qunzhu.core.text import fold

from .flags import F_BOT, F_LINK, link_hashes, message_flags

if TYPE_CHECKING:
    from .ads import AdContext

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]

#: kind codes, in the order of :class:`MessageKind` (``KIND_CODE[MessageKind.TEXT] == 0``)
KINDS: tuple[MessageKind, ...] = tuple(MessageKind)
KIND_CODE: dict[str, int] = {k.value: i for i, k in enumerate(KINDS)}
K_TEXT = KIND_CODE["text"]
K_FILE = KIND_CODE["file"]
K_LINK = KIND_CODE["link"]
K_RED = KIND_CODE["red_envelope"]
K_MINI = KIND_CODE["mini_program"]
K_JOIN = KIND_CODE["join"]
#: kinds that are not something a member said
SILENT_KINDS = np.array([KIND_CODE[k] for k in ("system", "join", "leave", "recall", "rename")],
                        dtype=np.int8)



@dataclass(frozen=True, eq=False)
class History:
    """A group's messages sorted by time, and who its members are.

    Senders are small integers indexing ``names``; a member who never spoke still has an
    index (``names`` is the roster), so lurkers count. ``reply_to`` and ``mentions`` point
    at sender indices (whom a message answers or names), never at message rows.
    """

    group: str
    names: tuple[str, ...]
    ts: I64  #: UTC epoch seconds, ascending
    sender: I32  #: index into names; -1 for messages without a sender (system lines)
    kind: I8  #: code into KINDS
    reply_to: I32  #: sender index of the message this one replies to, -1 if none
    length: I32  #: characters of text
    flags: U8  #: F_* bits
    text_key: I64  #: equal non-zero keys ⇔ equal folded text (across the community's groups)
    mention_ptr: I64  #: mentions of message i are mention_to[mention_ptr[i]:mention_ptr[i+1]]
    mention_to: I32
    message_ids: I64  #: database ids (or positions) for evidence
    zone: str = "Asia/Shanghai"
    owners: frozenset[int] = frozenset()  #: creator / manager sender indices
    joined: I64 = field(default_factory=lambda: np.zeros(0, np.int64))  #: per sender, -1 unknown
    bots: frozenset[int] = frozenset()
    #: per sender, one id for the same person in every group of the community (-1 unknown)
    people: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    capacity: int = 500
    active_size: int = 40
    #: per row, keys of the first web link and of its site (0 none: :func:`.flags.link_hashes`);
    #: only for flagged texts of 10+ characters, as the database keeps them
    link: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    site: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    #: what the community's other groups show about ads; None: this group alone
    ad_context: AdContext | None = None
    #: a learning group (check-ins, homework): seed 001's size line applies to it
    learning: bool = False
    #: per row, the sender index of the message it answers as :mod:`qunzhu.core.replies`
    #: inferred it (-1: none, or not inferred), and how sure that is (0–1); rows with an
    #: explicit ``reply_to`` keep theirs
    inferred_to: I32 = field(default_factory=lambda: np.zeros(0, np.int32))
    inferred_p: F32 = field(default_factory=lambda: np.zeros(0, np.float32))
    #: per row, when someone else first answered it (a recorded reply, or an inferred one
    #: at least SURE), UTC seconds; -1 never, or not known
    answered_at: I64 = field(default_factory=lambda: np.zeros(0, np.int64))

    def __post_init__(self) -> None:
        n = len(self.ts)
        for name in ("sender", "kind", "reply_to", "length", "flags", "text_key", "message_ids"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"History.{name} has {len(getattr(self, name))} rows, ts {n}")
        if len(self.mention_ptr) != n + 1:
            raise ValueError("History.mention_ptr must have one more row than ts")
        if n and np.any(np.diff(self.ts) < 0):
            raise ValueError("History.ts must be ascending")
        for name in ("joined", "people"):
            if len(getattr(self, name)) != len(self.names):
                object.__setattr__(self, name, np.full(len(self.names), -1, np.int64))
        for name in ("link", "site"):
            if len(getattr(self, name)) != n:
                object.__setattr__(self, name, np.zeros(n, np.int64))
        if len(self.inferred_to) != n or len(self.inferred_p) != n:
            object.__setattr__(self, "inferred_to", np.full(n, -1, np.int32))
            object.__setattr__(self, "inferred_p", np.zeros(n, np.float32))
        if len(self.answered_at) != n:
            object.__setattr__(self, "answered_at", np.full(n, -1, np.int64))

    def __len__(self) -> int:
        return len(self.ts)

    @property
    def members(self) -> int:
        return len(self.names)

    @cached_property
    def speech(self) -> Bools:
        """Rows that are something a member said (not a join line, not a system notice)."""
        return (self.sender >= 0) & ~np.isin(self.kind, SILENT_KINDS)

    @cached_property
    def links(self) -> tuple[I64, F64]:
        """Whom each row answers, as ``(sender index, weight)``: a reply the export recorded
        weighs 1 and wins; otherwise an inferred one weighs its confidence; -1 and 0 for
        none (also for rows that are not speech, and for answering oneself)."""
        explicit = self.reply_to >= 0
        to = np.where(explicit, self.reply_to, self.inferred_to).astype(np.int64)
        weight = np.where(explicit, 1.0, self.inferred_p.astype(np.float64))
        ok = self.speech & (to >= 0) & (to != self.sender)
        return np.where(ok, to, -1), np.where(ok, weight, 0.0)

    @cached_property
    def inferred_links(self) -> tuple[int, float]:
        """How many of :attr:`links` are inferred, and their mean confidence."""
        inferred = (self.links[0] >= 0) & (self.reply_to < 0)
        count = int(inferred.sum())
        return count, (float(self.links[1][inferred].mean()) if count else 0.0)

    @cached_property
    def ads(self) -> Bools:
        """Rows that are hard ads 硬广: promotion with evidence (:mod:`.ads`), not every
        link or ad phrase."""
        from .ads import hard_ads

        return hard_ads(self, self.ad_context)

    @cached_property
    def noisy(self) -> Bools:
        """Rows that are hard ads, a bot's, or a red envelope with nothing said."""
        return np.asarray(self.ads | ((self.flags & F_BOT) != 0) | (self.kind == K_RED), bool)

    @cached_property
    def local(self) -> I64:
        """Seconds since the epoch on the group's wall clock (UTC plus the zone's offset)."""
        return self.ts + utc_offsets(self.ts, self.zone)

    @cached_property
    def day(self) -> I64:
        """Local calendar day number (days since 1970-01-01)."""
        return self.local // 86400

    @cached_property
    def week(self) -> I64:
        """Local ISO week number counted from the Monday before 1970-01-01."""
        return (self.day + 3) // 7

    def slice(self, start: int | None = None, end: int | None = None) -> History:
        """The rows with ``start <= ts < end`` (same roster), for a --since/--until report."""
        lo = 0 if start is None else int(np.searchsorted(self.ts, start, "left"))
        hi = len(self.ts) if end is None else int(np.searchsorted(self.ts, end, "left"))
        ptr = self.mention_ptr[lo:hi + 1]
        return History(
            self.group, self.names, self.ts[lo:hi], self.sender[lo:hi], self.kind[lo:hi],
            self.reply_to[lo:hi], self.length[lo:hi], self.flags[lo:hi], self.text_key[lo:hi],
            ptr - ptr[0], self.mention_to[ptr[0]:ptr[-1]], self.message_ids[lo:hi],
            self.zone, self.owners, self.joined, self.bots, self.people, self.capacity,
            self.active_size, self.link[lo:hi], self.site[lo:hi], self.ad_context, self.learning,
            self.inferred_to[lo:hi], self.inferred_p[lo:hi],
            # an answer after the end is not known at the end
            np.where((end is not None) & (self.answered_at[lo:hi] >= (end or 0)), -1,
                     self.answered_at[lo:hi]))


DENSE_CELLS = 50_000_000  #: bucket × member tables up to this size are counted densely


def pair_counts(bucket: I64, sender: I64, buckets: int, members: int) -> npt.NDArray[np.int64]:
    """Messages per (bucket, sender) as a dense ``buckets × members`` table.

    Linear in the number of rows (a bincount), where sorting pairs would be n log n; only
    for tables of at most DENSE_CELLS cells (callers fall back to sorting beyond).
    """
    flat = np.bincount(bucket * members + sender, minlength=buckets * members)
    return flat[:buckets * members].reshape(buckets, members)


def distinct_per(bucket: I64, sender: I64, buckets: int) -> I64:
    """Number of distinct senders in each bucket 0..buckets-1."""
    if len(bucket) == 0:
        return np.zeros(buckets, np.int64)
    members = int(sender.max()) + 1
    if buckets * members <= DENSE_CELLS:
        seen = np.zeros(buckets * members, bool)
        seen[bucket * members + sender] = True
        return np.asarray(seen.reshape(buckets, members).sum(axis=1), np.int64)
    pairs = np.unique(bucket * members + sender)
    return np.bincount(pairs // members, minlength=buckets)[:buckets].astype(np.int64)


def first_rows(sender: I64, members: int) -> I64:
    """Index of each sender's first row (rows are in time order); -1 for none."""
    first = np.full(members, len(sender), np.int64)
    np.minimum.at(first, sender, np.arange(len(sender), dtype=np.int64))
    return np.asarray(np.where(first == len(sender), -1, first), np.int64)


def utc_offsets(ts: I64, zone: str) -> I64:
    """The zone's UTC offset in seconds at each timestamp (DST aware, one lookup per hour)."""
    if len(ts) == 0:
        return np.zeros(0, np.int64)
    tz = ZoneInfo(zone)
    hour = ts // 3600  # ascending, so distinct hours are where it changes: no sort needed
    starts = np.flatnonzero(np.diff(hour, prepend=hour[0] - 1))
    hours = hour[starts]
    inverse = np.cumsum(np.diff(hour, prepend=hour[0]) != 0)
    table = np.fromiter(
        (int((datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(tz).utcoffset()
              or timedelta()).total_seconds()) for h in hours),
        np.int64, len(hours))
    return np.asarray(table[inverse], np.int64)


def local_date(day: int) -> str:
    """ISO date of a local day number."""
    return (datetime(1970, 1, 1) + timedelta(days=int(day))).date().isoformat()


def week_start(week: int) -> str:
    """ISO date of the Monday that starts a week number of :attr:`History.week`."""
    return local_date(int(week) * 7 - 3)


def from_events(events: Iterable[ChatEvent], zone: str = "Asia/Shanghai",
                roster: Sequence[str] = (), owners: Sequence[str] = (),
                bots: Sequence[str] = (), joined: dict[str, datetime] | None = None,
                text_keys: dict[str, int] | None = None) -> dict[str, History]:
    """Histories per group key from chat events (tests, the demo, files not yet imported).

    ``roster`` lists sender keys of members who may never have spoken (in every group);
    ``text_keys`` is shared between calls so that equal texts in different groups get the
    same key, as the database source does.
    """
    keys = text_keys if text_keys is not None else {}
    people: dict[str, int] = {}
    by_group: dict[str, list[ChatEvent]] = {}
    for event in events:
        by_group.setdefault(event.group_key, []).append(event)
    out: dict[str, History] = {}
    for group, rows in by_group.items():
        rows.sort(key=lambda e: e.timestamp.timestamp())  # UTC: wall times repeat in autumn
        out[group] = _history(group, rows, zone, roster, owners, bots, joined or {}, keys, people)
    return with_ad_context(out)


def with_ad_context(histories: dict[str, History]) -> dict[str, History]:
    """The histories, each knowing what all of them show about ads (pushed links, topic
    sites: :func:`.ads.ad_context`)."""
    from .ads import ad_context

    context = ad_context(list(histories.values()))
    return {k: replace(h, ad_context=context) for k, h in histories.items()}


def _history(group: str, rows: list[ChatEvent], zone: str, roster: Sequence[str],
             owners: Sequence[str], bots: Sequence[str], joined: dict[str, datetime],
             keys: dict[str, int], people: dict[str, int]) -> History:
    index: dict[str, int] = {}
    names: list[str] = []

    def member(key: str, name: str) -> int:
        found = index.get(key)
        if found is None:
            found = index[key] = len(names)
            names.append(name or key)
        return found

    for key in roster:
        member(key, key)
    by_id: dict[str, int] = {}
    row_of: dict[str, int] = {}
    parent_rows: list[tuple[int, int]] = []  # (child, parent) of recorded replies
    n = len(rows)
    sender = np.full(n, -1, np.int32)
    reply_to = np.full(n, -1, np.int32)
    ptr = np.zeros(n + 1, np.int64)
    mention_to: list[int] = []
    first_join: dict[int, int] = {}
    for i, e in enumerate(rows):
        s = member(e.sender_key, e.sender_name) if e.sender_key else -1
        sender[i] = s
        if e.message_id:
            by_id[e.message_id] = s
            row_of[e.message_id] = i
        if e.reply_to:
            reply_to[i] = by_id.get(e.reply_to, -1)
            if e.reply_to in row_of:
                parent_rows.append((i, row_of[e.reply_to]))
        mention_to.extend(member(m, m) for m in e.mentions)
        ptr[i + 1] = len(mention_to)
        if e.kind == MessageKind.JOIN and s >= 0:
            first_join.setdefault(s, int(e.timestamp.timestamp()))
    folded = [fold(e.text) for e in rows]
    text_key = np.fromiter((keys.setdefault(t, len(keys) + 1) if len(e.text) >= 6 else 0
                            for t, e in zip(folded, rows, strict=True)), np.int64, n)
    flags = np.fromiter((message_flags(f, e.kind) for f, e in zip(folded, rows, strict=True)),
                        np.uint8, n)
    link = np.zeros(n, np.int64)
    site = np.zeros(n, np.int64)
    for i in np.flatnonzero(flags & F_LINK).tolist():
        if len(rows[i].text) >= 10:  # the database source keeps flagged texts of 10+
            link[i], site[i] = link_hashes(folded[i])
    keys_of: dict[int, list[str]] = {}
    for key, i in index.items():
        keys_of.setdefault(i, [names[i]]).append(key)
    kinds = np.fromiter((KIND_CODE[e.kind] for e in rows), np.int8, n)
    stamps = np.fromiter((int(e.timestamp.timestamp()) for e in rows), np.int64, n)
    inferred_to, inferred_p, answered_at = inferred_senders(
        stamps, sender, [e.text for e in rows], keys_of,
        (sender >= 0) & ~np.isin(kinds, SILENT_KINDS))
    recorded = [(c, p) for c, p in parent_rows if sender[c] != sender[p]]
    if recorded:
        child, parent = (np.array(x, np.int64) for x in zip(*recorded, strict=True))
        answered_at = answered_earliest(answered_at, first_answers(parent, stamps[child], n))
    bot_ids = {index[b] for b in bots if b in index}
    if bot_ids:
        flags[np.isin(sender, list(bot_ids))] |= F_BOT
    join_at = np.full(len(names), -1, np.int64)
    for key, when in joined.items():
        if key in index:
            join_at[index[key]] = int(when.timestamp())
    for s, first in first_join.items():
        if join_at[s] < 0:
            join_at[s] = first
    return History(
        group=group, names=tuple(names),
        ts=stamps,
        sender=sender, kind=kinds, reply_to=reply_to,
        length=np.fromiter((len(e.text) for e in rows), np.int32, n), flags=flags,
        text_key=text_key, mention_ptr=ptr, mention_to=np.array(mention_to, np.int32),
        message_ids=np.arange(n, dtype=np.int64), zone=zone,
        owners=frozenset(index[o] for o in owners if o in index), joined=join_at,
        bots=frozenset(bot_ids),
        people=np.fromiter((people.setdefault(k, len(people)) for k in index), np.int64,
                           len(index)), link=link, site=site, inferred_to=inferred_to,
        inferred_p=inferred_p, answered_at=answered_at)


def answered_earliest(a: I64, b: I64) -> I64:
    """Row by row, the earlier of two first-answer times (-1: never)."""
    big = np.iinfo(np.int64).max
    out = np.minimum(np.where(a < 0, big, a), np.where(b < 0, big, b))
    return np.where(out == big, -1, out)
