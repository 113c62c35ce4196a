"""The console's import page: upload, background job, progress and summary."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from qunzhu.community.actions import do_create_operator, do_grant_access
from qunzhu.community.models import Message
from qunzhu.ingest import jobs
from qunzhu.ingest.models import ImportJob
from tests.cli.test_import import MANIFEST_FIGURES, MANIFEST_SPANS
from tests.ingest.fixtures import SHARED

WHATSAPP = SHARED / "whatsapp" / "chat-analytics" / "4A_11M.txt"

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client, community, path, **extra):  # type: ignore[no-untyped-def]
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "format": "auto",
            "time_zone": "", "group_name": "", **extra}
    return client.post(reverse("console:import", args=[community.slug]), data)


def _wait(job: ImportJob, seconds: float = 30) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.active:
            return job
        time.sleep(0.1)
    raise AssertionError(f"import job still {job.status} after {seconds}s")


def test_upload_runs_in_the_background_and_shows_the_summary(operator_client, community):
    response = _upload(operator_client, community, WHATSAPP)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("console:import-job", args=[community.slug, job.pk])
    job = _wait(job)
    assert job.status == "done", job.error
    from qunzhu.health.models import HealthReport

    report = HealthReport.objects.get(community=community)  # refreshed by the job itself
    assert report.status == "done" and report.messages == Message.objects.count()
    assert job.results[0]["format"] == "whatsapp"
    added = job.results[0]["summary"]["added"]
    assert added == Message.objects.filter(group__community=community).count() > 0
    page = operator_client.get(response["Location"]).content.decode()
    assert "whatsapp" in page and str(added) in page
    # the same file again adds nothing
    _upload(operator_client, community, WHATSAPP)
    second = _wait(ImportJob.objects.order_by("-id").first())
    assert second.results[0]["summary"]["added"] == 0
    assert second.results[0]["summary"]["duplicates"] == added


def test_a_file_that_is_no_chat_export_is_reported(operator_client, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    operator_client.post(reverse("console:import", args=[community.slug]), {
        "file": SimpleUploadedFile("notes.txt", "购物清单：苹果、牛奶\n".encode()),
        "format": "auto"})
    job = _wait(ImportJob.objects.get())
    assert job.status == "failed"
    assert "not a chat export" in job.error
    assert Message.objects.count() == 0


def test_bad_time_zone_and_empty_file_are_form_errors(operator_client, community):
    response = operator_client.post(reverse("console:import", args=[community.slug]), {
        "file": SimpleUploadedFile("empty.txt", b""), "format": "auto",
        "time_zone": "Mars/Base"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mars/Base" in body
    assert not ImportJob.objects.exists()


def test_interrupted_job_is_marked_and_can_run_again(operator_client, community, operator):
    from qunzhu.audit.log import Actor

    with WHATSAPP.open("rb") as stream:
        job = jobs.do_create_import_job(Actor.operator(operator), community,
                                        name=WHATSAPP.name, stream=stream)
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    assert jobs.recover_interrupted() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "run it again" in job.error
    operator_client.post(reverse("console:import-retry", args=[community.slug, job.pk]))
    assert _wait(job).status == "done"


def test_viewers_and_other_communities_cannot_import(client, community, other_community,
                                                     system_actor, operator_client):
    viewer = do_create_operator(system_actor, username="v", password="pw-long-enough")
    do_grant_access(system_actor, viewer, community, "viewer")
    client.force_login(viewer)
    assert _upload(client, community, WHATSAPP).status_code == 404
    assert _upload(operator_client, other_community, WHATSAPP).status_code == 404
    assert not ImportJob.objects.exists()


def test_jobs_of_another_community_are_hidden(operator_client, other_community, system_actor):
    from qunzhu.audit.log import Actor

    with WHATSAPP.open("rb") as stream:
        job = jobs.do_create_import_job(Actor.system(), other_community, name="x.txt",
                                        stream=stream)
    url = reverse("console:import-job", args=[other_community.slug, job.pk])
    assert operator_client.get(url).status_code == 404


def _wechat_csv() -> tuple[str, bytes]:
    # no real WeChat file exists (see ../shared/data/wechat/FORMAT.md): the WeChat tests'
    # writer builds a MemoTrace CSV of a group with every message type
    from tests.ingest.test_wechat import GROUP_ROWS, write_csv

    return "读书会_utf8.csv", write_csv(GROUP_ROWS).encode("utf-8")


def _manifest_paths() -> list[str]:
    with (SHARED / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return [row["path"] for row in csv.DictReader(handle, delimiter="\t")]


def _zipped(folder: Path) -> bytes:
    """An export folder as the operator would upload it: its files zipped, paths relative
    to the folder (as in Slack's own export zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _upload_of(label: str) -> tuple[str, bytes]:
    """The file a manifest unit is uploaded as: a file itself, the zip a member lives in
    ("x.zip!_chat.txt"), or a folder zipped in memory."""
    path = SHARED / label.split("!")[0]
    if path.is_dir():
        return f"{path.name}.zip", _zipped(path)
    return path.name, path.read_bytes()


@dataclass(frozen=True)
class Expected:
    format: str
    added: int
    duplicates: int
    members: list[int]  # per group, in the summary's order
    spans: list[tuple[str, str]]  # per group: first and last, "YYYY-MM-DD HH:MM" local


# The CLI test's figures are for ONE run importing every unit into one community, so a unit
# that repeats an earlier one (4A_11M.zip after 4A_11M.txt, the unpacked testarchive after
# its zip, sample.log after 2005-01-08-test1.log) counts as duplicates there. Here every
# upload has a fresh database, so those duplicates are added: added + duplicates. Duplicates
# within one file stay duplicates: SV_5A_5M.json repeats a message id inside itself.
WITHIN_FILE_DUPLICATES = {"discord/chat-analytics/SV_5A_5M.json"}
NEEDS_A_YEAR = "irc/irclog2html/dircproxy-example.log"
LEFT_TO_THE_CLI = {"irc/qtox-irc"}  # 273 daily logs, ~64k events: tests/cli imports them


def _expected_alone(label: str) -> Expected:
    fmt, added, duplicates, members = MANIFEST_FIGURES[label]
    if label not in WITHIN_FILE_DUPLICATES:
        added, duplicates = added + duplicates, 0
    return Expected(fmt, added, duplicates, members, MANIFEST_SPANS[label])


# (label, form fields beyond the file, what the job reports)
CONSOLE_UPLOADS: list[tuple[str, dict[str, object], Expected]] = [
    *((label, {}, _expected_alone(label)) for label in MANIFEST_FIGURES),
    # no year in its stamps: given as the form's year (a Feb 29 in its first February: 2008);
    # 5,583 events by 41 nicks, the parser tests' counts
    (NEEDS_A_YEAR, {"year": 2008},
     Expected("irc", 5583, 0, [41], [("2008-01-14 10:36", "2009-02-26 23:30")])),
    # 18 rows, an invitation names two people; members are those who spoke (小明, 小红 and
    # the exporter); first and last are the parser test's stamps
    ("wechat", {}, Expected("wechat", 19, 0, [3], [("2023-11-15 06:13", "2023-11-15 06:16")])),
]


def test_the_console_cases_cover_every_manifest_unit():
    """A unit added to MANIFEST.tsv must get a console case (or a reason to have none)."""
    covered = {label.split("!")[0] for label, _f, _e in CONSOLE_UPLOADS}
    assert set(_manifest_paths()) - LEFT_TO_THE_CLI == covered - {"wechat"}


def _post(client, community, name: str, data: bytes, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("console:import", args=[community.slug]), {
        "file": SimpleUploadedFile(name, data), "format": "auto", "time_zone": "",
        "group_name": "", **extra})


@pytest.mark.parametrize(("label", "fields", "expected"), CONSOLE_UPLOADS,
                         ids=[label for label, _f, _e in CONSOLE_UPLOADS])
def test_every_manifest_unit_imports_through_the_console(operator_client, community, label,
                                                         fields, expected):
    assert community.time_zone == "Asia/Shanghai"  # the zone MANIFEST_SPANS are read in
    name, data = _wechat_csv() if label == "wechat" else _upload_of(label)
    _post(operator_client, community, name, data, **fields)
    job = _wait(ImportJob.objects.get(), seconds=120)
    assert job.status == "done", job.error
    (result,) = job.results
    shown = name + (f"!{label.split('!')[1]}" if "!" in label else "")  # a zip member's
    assert result["label"] == shown
    summary, groups = result["summary"], list(result["summary"]["groups"].values())
    assert (result["format"], summary["added"], summary["duplicates"]) == (
        expected.format, expected.added, expected.duplicates)
    assert [g["members"] for g in groups] == expected.members
    assert [(g["first"][:16].replace("T", " "), g["last"][:16].replace("T", " "))
            for g in groups] == expected.spans
    assert Message.objects.filter(group__community=community).count() == expected.added
    page = operator_client.get(reverse("console:import-job", args=[community.slug, job.pk]))
    html = page.content.decode()
    assert f"<h1>{escape(name)}</h1>" in html and f"<td>{escape(shown)}</td>" in html
    assert str(job.path) not in html
    for group, (first, last) in zip(groups, expected.spans, strict=True):
        assert f">{escape(group['name'])}</a>" in html
        assert f'<td class="num">{_grouped(group["added"])}</td>' in html
        assert f"<td>{first}</td><td>{last}</td>" in html


def _grouped(number: int) -> str:
    """A count as the page prints it (intcomma in the site language): zh-hans prints
    5583 and 1234567 ungrouped, where English shows 5,583."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(intcomma(number))


def test_a_log_without_a_year_fails_and_says_how_to_give_it(operator_client, community):
    name, data = _upload_of(NEEDS_A_YEAR)
    _post(operator_client, community, name, data)
    job = _wait(ImportJob.objects.get())
    assert job.status == "failed"
    (result,) = job.results
    assert "--year" in result["failed"]
    assert Message.objects.count() == 0
    page = operator_client.get(reverse("console:import-job", args=[community.slug, job.pk]))
    html = page.content.decode()
    # the unit's row and the job's error both carry the advice, escaped like any text
    assert f'<td colspan="7" class="error">{escape(result["failed"])}</td>' in html
    assert f'<p class="error">{escape(job.error)}</p>' in html
    assert reverse("console:import-retry", args=[community.slug, job.pk]) in html
