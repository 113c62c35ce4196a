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
from datetime import datetime
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group
from qunzhu.core.health import GroupHealth, analyse_community
from qunzhu.core.health.schema import report_dict
from qunzhu.ingest.models import JobStatus

from .models import HealthReport
from .source import load_histories

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


def compute(community: Community, groups: Sequence[Group] | None = None,
            since: datetime | None = None, until: datetime | None = None,
            weights: dict[str, float] | None = None,
            progress: Progress | None = None) -> Computed:
    """Every measure of the community's groups (or of ``groups``) within the period."""
    say = progress or (lambda _stage: None)
    t0 = time.perf_counter()
    say("read")
    loaded = load_histories(community, groups, since, until)
    t1 = time.perf_counter()
    say("analyse")
    end = int(until.timestamp()) - 1 if until is not None else None
    stages: dict[str, float] = {}
    healths = analyse_community([item.history for item in loaded], end, weights, stages)
    t2 = time.perf_counter()
    by_history = {id(item.history): item.group for item in loaded}
    return Computed(community, [(gh, by_history[id(gh.history)]) for gh in healths],
                    {"read": t1 - t0, "analyse": t2 - t1}, stages)


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
