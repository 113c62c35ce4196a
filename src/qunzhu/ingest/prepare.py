"""The per-message work of an import that needs no database (no Django import here).

A :class:`Preparer` turns parsed :class:`ChatEvent` batches into :data:`Record` tuples: the
database value of the timestamp, the message key (platform id, or a content key with its
ordinal among identical messages), the search-folded text. It runs next to the parser —
in a thread, or in a worker process for big files (``ingest/worker.py``) — so that the
process that writes to the database only looks up identities and inserts rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from qunzhu.core.events import ChatEvent, MessageKind, Platform, content_key
from qunzhu.core.text import stored_fold

#: (platform, group_key, group_name, sender_key, sender_name, weak, epoch, stamp, kind,
#:  text, folded, key, reply_to, mentions); ``stamp`` is the timestamp as the database
#:  stores it (SQLite: UTC text; PostgreSQL: an aware datetime)
Record = tuple[str, str, str, str, str, bool, float, Any, str, str, str, str, str,
               tuple[str, ...]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CLOCK: dict[int, str] = {}  # seconds of the day -> " HH:MM:SS"
_KIND_VALUES: dict[MessageKind, str] = {k: k.value for k in MessageKind}
_PLATFORM_VALUES: dict[Platform, str] = {p: p.value for p in Platform}
# identical (time, sender, kind, text) messages in one stream get ordinals 0, 1, …
OrdinalKey = tuple[str, str, str, str]


def batches(events: Iterable[ChatEvent], size: int) -> Iterator[list[ChatEvent]]:
    """The events in lists of ``size`` (the last may be shorter)."""
    iterator = iter(events)
    while batch := list(islice(iterator, size)):
        yield batch


def stamp_datetime(stamp: Any) -> datetime:
    """A record's stamp back as an aware datetime."""
    if isinstance(stamp, datetime):
        return stamp
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


class Preparer:
    """Per-stream state: caches, and the ordinals of identical messages."""

    def __init__(self, sqlite: bool) -> None:
        self.sqlite = sqlite
        self._days: dict[int, str] = {}
        self._same: dict[OrdinalKey, int] = {}
        self._last_epoch: float | None = None

    def stamp(self, epoch: float, ts: datetime) -> Any:
        """SQLite: the UTC text Django writes ("2024-05-06 07:08:09[.123456]"), put
        together from cached day and time-of-day strings (several times cheaper than
        astimezone + isoformat). PostgreSQL: the instant in UTC."""
        if not self.sqlite:
            return ts.astimezone(UTC)
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

    def records(self, batch: list[ChatEvent]) -> list[Record]:
        """The hot loop of every import: locals only; a timestamp is converted once for a
        run of events that share it (parsers hand out one datetime per distinct stamp)."""
        out: list[Record] = []
        append, same, fold, stamp = out.append, self._same, stored_fold, self.stamp
        kinds, platforms = _KIND_VALUES, _PLATFORM_VALUES
        last_ts: datetime | None = None
        epoch, second, value = 0.0, 0, None
        for event in batch:
            ts = event.timestamp
            if ts is not last_ts:
                last_ts = ts
                epoch = ts.timestamp()
                value = stamp(epoch, ts)
                second = int(epoch)
            kind = kinds[event.kind]
            sender = event.sender_key
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
            append((platforms[event.platform], event.group_key, event.group_name, sender,
                    event.sender_name, event.sender_key_weak, epoch, value, kind, text,
                    fold(text), key, event.reply_to, event.mentions))
        return out
