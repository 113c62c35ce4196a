"""Console imports run in a background thread, never inside the request.

The embedded default has no broker: a job is a row plus a thread in the web process. The
row carries status, progress and results, so any page (or a restarted server) can show
them; a job cut short by a restart is marked failed and can be run again — imports are
idempotent, so a re-run stores only what is missing.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community

from .models import ImportJob, JobStatus
from .service import ImportOptions, import_paths

PROGRESS_EVERY_SECONDS = 0.5

log = logging.getLogger(__name__)


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


@transaction.atomic
def do_create_import_job(actor: Actor, community: Community, *, name: str, stream: IO[bytes],
                         format: str = "auto", time_zone: str = "", group_name: str = "",
                         strict: bool = False, year: int | None = None) -> ImportJob:
    """Store the uploaded file and queue its import (start it with :func:`start`)."""
    folder = upload_folder() / uuid.uuid4().hex
    folder.mkdir(parents=True)
    safe_name = Path(name).name or "upload"
    target = folder / safe_name
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)
    job = ImportJob.objects.create(
        community=community, created_by=actor.user, path=str(target),
        original_name=safe_name, format=format, time_zone=time_zone,
        group_name=group_name, strict=strict, year=year)
    record(actor, "import.queue", job, community=community,
           after={"file": safe_name, "format": format, "strict": strict, "year": year})
    return job


def do_retry_import_job(actor: Actor, job: ImportJob) -> ImportJob:
    job.status, job.error, job.results, job.progress = JobStatus.QUEUED, "", [], 0
    job.started = job.finished = None
    job.save()
    record(actor, "import.retry", job, community=job.community)
    return job


def run(job_id: int) -> ImportJob:
    """Run one job to the end in this thread; never raises (the job records the error)."""
    job = ImportJob.objects.select_related("community", "created_by").get(pk=job_id)
    job.status, job.started = JobStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started"])
    actor = (Actor.operator(job.created_by) if job.created_by
             else Actor.system("console import"))
    last = time.monotonic()
    read = 0

    def progress(n: int) -> None:
        nonlocal last, read
        read += n
        if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
            ImportJob.objects.filter(pk=job_id).update(progress=read)
            last = time.monotonic()

    options = ImportOptions(format=job.format or "auto",
                            tz=ZoneInfo(job.time_zone) if job.time_zone else None,
                            strict=job.strict, group_name=job.group_name or None,
                            year=job.year)
    try:
        results = import_paths(actor, job.community, [Path(job.path)], options,
                               on_progress=progress)
    except Exception as exc:  # noqa: BLE001 - a job must end in a recorded state
        job.status, job.error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        job.results = [_shown(r.as_dict(), Path(job.path).parent) for r in results]
        failed = [r for r in results if r.failed]
        job.status = JobStatus.FAILED if failed and len(failed) == len(results) \
            else JobStatus.DONE
        job.error = "; ".join(f"{r['label']}: {r['failed']}" for r in job.results
                              if r["failed"])
    stored = any(r["summary"] and r["summary"]["added"] for r in job.results)
    if job.status == JobStatus.DONE or stored:
        # in this (background) thread, before the job shows as done: the pages that open
        # next read the new report, and no thread outlives the job (a unit that stopped
        # midway stored messages too)
        from qunzhu.health.service import do_refresh

        do_refresh(actor, job.community, reason=f"import {job.pk}")
        _enforce(actor, job)
    job.progress, job.finished = read, timezone.now()
    job.save(update_fields=["status", "error", "results", "progress", "finished"])
    return job


def _enforce(actor: Actor, job: ImportJob) -> None:
    """The rules switched on judge the new messages (findings, strikes, outbox steps), and
    check-ins posted in the chat are recorded."""
    from qunzhu.activities.challenges import recognise
    from qunzhu.governance.rulebook import do_enforce

    try:
        do_enforce(actor, job.community)
    except Exception:  # noqa: BLE001 - the import itself succeeded; say so in the log
        log.exception("rules after import %s failed", job.pk)
    try:
        recognise(actor, job.community)
    except Exception:  # noqa: BLE001 - as above
        log.exception("check-ins after import %s failed", job.pk)


def _shown(result: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A result as the operator sees it: the uploaded file's name, not the server path
    it was stored under."""
    prefix = str(folder) + "/"

    def strip(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(prefix, "")
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return {key: strip(value) if key in ("label", "failed", "errors") else value
            for key, value in result.items()}


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


def start(job: ImportJob) -> threading.Thread:
    """Run the job in a background thread of this process, after the request commits."""
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,),
                              name=f"import-{job.pk}", daemon=True)
    transaction.on_commit(thread.start)
    return thread


def recover_interrupted() -> int:
    """Mark jobs that were running when the server stopped; returns how many."""
    return ImportJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, finished=timezone.now(),
        error="interrupted when the server stopped; run it again (nothing is stored twice)")
