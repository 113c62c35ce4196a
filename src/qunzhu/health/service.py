"""Health reports: compute from the database, cache, refresh in the background.

``compute`` is a read: it loads the histories and runs the pure core. ``do_refresh`` and
``request_refresh`` are the state changes (a stored report, an audit entry each).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Message
from qunzhu.core.health import GroupHealth, analyse_community
from qunzhu.core.health.schema import report_dict
from qunzhu.ingest.models import JobStatus

from .models import HealthReport
from .source import Reader

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


@dataclass
class Computed:
    community: Community
    groups: list[tuple[GroupHealth, Group]]
    timings: dict[str, float] = field(default_factory=dict)  #: read, analyse (seconds)
    stages: dict[str, float] = field(default_factory=dict)  #: analyse, per measure

    @property
    def messages(self) -> int:
        return sum(len(gh.history) for gh, _ in self.groups)

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        c = self.community
        return report_dict(
            [(gh, group_fields(g)) for gh, g in self.groups],
            {"slug": c.slug, "name": c.name, "purpose": c.purpose, "zone": c.time_zone},
            lang)


def group_fields(group: Group) -> dict[str, Any]:
    return {"id": group.pk, "name": group.name, "platform": group.platform}


def horizon(community: Community) -> datetime | None:
    """Just after the community's last message: where a report without ``until`` ends.

    One end for every group of the community, whether the report covers all of them or
    one: a group that fell silent while the others went on is judged by that silence."""
    last = None
    for group in community.groups.all():
        when = (Message.objects.filter(group=group).order_by("-sent_at")
                .values_list("sent_at", flat=True).first())
        if when is not None and (last is None or when > last):
            last = when
    return last + timedelta(seconds=1) if last is not None else None


def compute(community: Community, groups: Sequence[Group] | None = None,
            since: datetime | None = None, until: datetime | None = None,
            weights: dict[str, float] | None = None,
            progress: Progress | None = None, reader: Reader | None = None) -> Computed:
    """Every measure of the community's groups (or of ``groups``) within the period.

    The period ends at ``until`` (exclusive) or, without it, just after the community's
    last message; silent days at its end count as silent days."""
    say = progress or (lambda _stage: None)
    t0 = time.perf_counter()
    say("read")
    if until is None:
        until = horizon(community)
    reader = reader or Reader(community, groups)
    every = reader.read(since, until)
    loaded = every[:len(reader.chosen)]
    t1 = time.perf_counter()
    say("analyse")
    end = int(until.timestamp()) - 1 if until is not None else None
    stages: dict[str, float] = {}
    healths = analyse_community([item.history for item in loaded], end, weights, stages,
                                evidence=[item.history for item in every])
    t2 = time.perf_counter()
    by_history = {id(item.history): item.group for item in loaded}
    return Computed(community, [(gh, by_history[id(gh.history)]) for gh in healths],
                    {"read": t1 - t0, "analyse": t2 - t1}, stages)


@dataclass(frozen=True)
class ReplayRow:
    """One group's verdict as the report of one day showed it."""

    day: str  #: the cut-off: the report's last day (its ``--until``)
    group: str
    group_id: int
    stage: str
    risk: float
    warning: bool
    overall: int | None
    active: int  #: active members in the last week
    reason: dict[str, Any]  #: the top reason, as in the report's ``top_reason``

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "group": self.group, "group_id": self.group_id,
                "stage": self.stage, "risk": self.risk, "warning": self.warning,
                "overall": self.overall, "active": self.active, "reason": self.reason}


def cutoffs(first: date, last: date, every: str = "weekly") -> list[date]:
    """The replay's report days from ``first`` to ``last``: every Sunday (weekly), every
    day (daily) or the last day of every month (monthly); ``last`` always ends the list."""
    if first > last:
        return []
    days: list[date] = []
    day = first
    while day <= last:
        if (every == "daily" or (every == "weekly" and day.weekday() == 6)
                or (every == "monthly" and (day + timedelta(days=1)).day == 1)):
            days.append(day)
        day += timedelta(days=1)
    if not days or days[-1] != last:
        days.append(last)
    return days


def replay(community: Community, groups: Sequence[Group] | None = None,
           since: date | None = None, until: date | None = None, every: str = "weekly",
           lang: str | None = None, weights: dict[str, float] | None = None,
           progress: Callable[[int, int], None] | None = None) -> list[ReplayRow]:
    """What the report said on each cut-off day: the stage, risk, warning and top reason
    that ``qunzhu report --until DAY`` gives for that day, computed the same way (one
    :func:`compute` per day, each seeing only the messages and members known by then)."""
    zone = ZoneInfo(community.time_zone)
    end = horizon(community)
    reader = Reader(community, groups)
    firsts = [int(raw.ts[0]) for raw in reader.raws.values() if len(raw)]
    if end is None or not firsts:
        return []
    start_day = since or datetime.fromtimestamp(min(firsts), zone).date()
    last_day = until or (end - timedelta(seconds=1)).astimezone(zone).date()
    days = cutoffs(start_day, last_day, every)
    rows: list[ReplayRow] = []
    for k, day in enumerate(days):
        stop = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
        computed = compute(community, groups, None, stop, weights, reader=reader)
        for gh, group in sorted(computed.groups, key=lambda item: item[1].pk):
            active = gh.lifecycle.active[-1] if gh.lifecycle.active else 0
            rows.append(ReplayRow(day.isoformat(), group.name, group.pk, gh.lifecycle.stage,
                                  gh.lifecycle.current_risk, gh.lifecycle.warned, gh.overall,
                                  int(active), gh.top_reason.to_dict(lang)))
        if progress is not None:
            progress(k + 1, len(days))
    return rows


def latest(community: Community) -> HealthReport | None:
    return (HealthReport.objects.filter(community=community, status=JobStatus.DONE)
            .order_by("-created").first())


def pending(community: Community) -> HealthReport | None:
    return (HealthReport.objects.filter(
        community=community, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("-created").first())


def do_refresh(actor: Actor, community: Community, *, reason: str = "",
               report: HealthReport | None = None) -> HealthReport:
    """Compute and store the community's report; older stored reports are removed."""
    report = report or HealthReport.objects.create(community=community, reason=reason[:200])
    report.status, report.started = JobStatus.RUNNING, timezone.now()
    report.save(update_fields=["status", "started"])
    t0 = time.perf_counter()
    try:
        computed = compute(community)
        data = computed.as_dict()
    except Exception as exc:  # noqa: BLE001 - the stored report records the failure
        report.status, report.error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
        report.finished = timezone.now()
        report.save(update_fields=["status", "error", "finished"])
        record(actor, "health.failed", report, community=community, reason=report.error[:500])
        return report
    with transaction.atomic():
        report.status, report.data = JobStatus.DONE, data
        report.messages, report.seconds = computed.messages, time.perf_counter() - t0
        report.finished = timezone.now()
        report.save(update_fields=["status", "data", "messages", "seconds", "finished"])
        HealthReport.objects.filter(community=community, created__lt=report.created).exclude(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).delete()
        record(actor, "health.refresh", report, community=community, reason=reason,
               after={"groups": len(data["groups"]), "messages": report.messages,
                      "seconds": round(report.seconds, 2)})
    return report


def request_refresh(actor: Actor, community: Community, *, reason: str = "") -> HealthReport:
    """Queue a refresh that runs in a background thread once the current transaction commits.

    A refresh already queued or running is reused: an import of many files asks once.
    """
    existing = pending(community)
    if existing is not None and existing.status == JobStatus.QUEUED:
        return existing
    report = HealthReport.objects.create(community=community, reason=reason[:200])
    record(actor, "health.request", report, community=community, reason=reason)
    thread = threading.Thread(target=_run, args=(actor, report.pk), daemon=True,
                              name=f"health-{report.pk}")
    transaction.on_commit(thread.start)
    return report


_lock = threading.Lock()  # one report at a time per process: they compete for two cores


def _run(actor: Actor, report_id: int) -> None:
    close_old_connections()
    try:
        with _lock:
            report = (HealthReport.objects.select_related("community")
                      .filter(pk=report_id).first())
            if report is not None:  # gone if its community was deleted meanwhile
                do_refresh(actor, report.community, reason=report.reason, report=report)
    except DatabaseError:  # the community (and its report) went away mid-run
        log.warning("health report %s was not stored", report_id, exc_info=True)
    finally:
        connection.close()


def recover_interrupted() -> int:
    """Reports queued or running when the server stopped: marked failed (refresh again)."""
    return HealthReport.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, finished=timezone.now(),
        error="interrupted when the server stopped")
