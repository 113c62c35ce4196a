"""When things happen, pure (no Django): a local wall-clock time on a local day in a
community's zone, turned into an aware UTC moment the scheduler can store.

Habits need a fixed time, place and thing (seed 004): a series meets "every Thursday at
20:00 Beijing time", and that stays 20:00 local even in zones that change their clocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``zone``, as UTC. A wall time skipped by a clock change
    (02:30 on a spring-forward night) resolves to the moment just after the gap."""
    naive = datetime.combine(day, at.replace(tzinfo=None))
    moment = naive.replace(tzinfo=zone)
    back = moment.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:  # did not exist: move past the gap
        moment = back
    return moment.astimezone(UTC)


def weekly(first: date, weekday: int, at: time, zone: ZoneInfo) -> Iterator[datetime]:
    """Every ``weekday`` (0 = Monday) from ``first`` on, at local ``at``, endlessly."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while True:
        yield local_moment(day, at, zone)
        day += timedelta(days=7)


def every_day(first: date, days: int, at: time, zone: ZoneInfo) -> list[datetime]:
    """Local ``at`` on each of ``days`` days from ``first`` (a challenge's reminders)."""
    return [local_moment(first + timedelta(days=i), at, zone) for i in range(days)]


def parse_hhmm(value: str) -> time:
    """"20:00" → time(20, 0); ValueError naming the value otherwise."""
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"expected a time like 20:00, got {value!r}") from exc
