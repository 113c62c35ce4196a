"""The in-process scheduler: due reminders, daily summaries and campaign phase changes.

Activities write :class:`~qunzhu.activities.models.Job` rows with a key that names the
step (``challenge:7:remind:3``), so planning twice plans once. :func:`tick` runs the jobs
that are due. Each job is claimed, run and marked done in **one transaction**: if the
process dies halfway, nothing of that job was committed and it runs again on the next
start; once it committed, it never runs again. Jobs missed while qunzhu was stopped run
at the next start, late rather than never (each outbox step shows its due time).

``qunzhu worker`` runs :func:`loop` in the foreground; ``qunzhu up`` / ``serve`` start it
in a background thread. Several workers may run against one PostgreSQL database: the
claim is a conditional UPDATE, which only one of them wins.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community

from .models import Job, JobStatus

log = logging.getLogger(__name__)

Handler = Callable[[Job, datetime], None]
HANDLERS: dict[str, Handler] = {}
#: a failing job is tried this many times in all, a few minutes apart
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
#: a step planned this little in the past still runs (the operator pressed save at 20:00)
PAST_GRACE = timedelta(minutes=5)
ACTOR = Actor.system("scheduler")


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def plan(community: Community, key: str, kind: str, due: datetime,
         payload: dict[str, Any] | None = None) -> Job | None:
    """Schedule a step once: an existing job with this key is kept as it is (a pending one
    moves to the new time). A step whose time has already passed when it is planned (a
    challenge entered after it started) is not planned at all: posting last week's
    reminders now would only confuse the group. Steps missed while qunzhu was stopped
    were planned in time, and do run."""
    if due < timezone.now() - PAST_GRACE:
        return None
    job, created = Job.objects.get_or_create(
        key=key, defaults={"community": community, "kind": kind, "due": due,
                           "payload": payload or {}})
    if not created and job.status == JobStatus.PENDING and job.due != due:
        job.due = due
        job.save(update_fields=["due"])
    return job


def cancel(prefix: str) -> int:
    """Cancel the pending jobs whose key starts with ``prefix`` (an activity called off)."""
    return Job.objects.filter(key__startswith=prefix, status=JobStatus.PENDING).update(
        status=JobStatus.CANCELLED)


def due_ids(now: datetime, limit: int = 200) -> list[int]:
    return list(Job.objects.filter(status=JobStatus.PENDING, due__lte=now)
                .order_by("due", "id").values_list("pk", flat=True)[:limit])


def run_job(pk: int, now: datetime, worker: str = "") -> Job | None:
    """Claim, run and close one job in a single transaction. None: another worker had it
    (or it is no longer pending)."""
    with transaction.atomic():
        claimed = Job.objects.filter(pk=pk, status=JobStatus.PENDING, due__lte=now).update(
            status=JobStatus.RUNNING, worker=worker[:100], attempts=F("attempts") + 1)
        if not claimed:
            return None
        job = Job.objects.select_related("community").get(pk=pk)
        func = HANDLERS.get(job.kind)
        try:
            if func is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            with transaction.atomic():
                func(job, now)
        except Exception as exc:  # noqa: BLE001 - recorded on the job and in the audit log
            log.exception("scheduled job %s (%s) failed", job.pk, job.key)
            job.error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            if job.attempts < MAX_ATTEMPTS:
                job.status, job.due = JobStatus.PENDING, now + RETRY_AFTER
            else:
                job.status = JobStatus.FAILED
                record(ACTOR, "job.failed", job, community=job.community,
                       reason=job.error, after={"key": job.key, "attempts": job.attempts})
        else:
            job.status, job.ran, job.error = JobStatus.DONE, now, ""
        job.save(update_fields=["status", "ran", "error", "due"])
        return job


def tick(now: datetime | None = None, worker: str = "") -> list[Job]:
    """Run every job that is due, oldest first; returns the jobs this call ran."""
    now = now or timezone.now()
    ran: list[Job] = []
    while ids := due_ids(now):
        batch = [job for pk in ids if (job := run_job(pk, now, worker)) is not None]
        ran.extend(batch)
        if not batch:  # everything due was claimed by another worker
            break
        if all(j.status == JobStatus.PENDING for j in batch):  # only retries left
            break
    return ran


def loop(stop: threading.Event, interval: float = 30.0, worker: str = "worker",
         on_run: Callable[[list[Job]], None] | None = None) -> None:
    """Tick until ``stop`` is set, every ``interval`` seconds (first tick at once)."""
    while not stop.is_set():
        close_old_connections()
        try:
            ran = tick(worker=worker)
            if ran and on_run:
                on_run(ran)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
            log.exception("scheduler tick failed")
        stop.wait(interval)
    close_old_connections()


def start_thread(interval: float = 30.0) -> threading.Event:
    """The embedded default: a daemon thread inside ``qunzhu up`` / ``serve``."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(stop, interval, "console"),
                              name="qunzhu-scheduler", daemon=True)
    thread.start()
    return stop
