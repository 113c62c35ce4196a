"""The console's import page: upload, background job, progress and summary."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qunzhu.community.actions import do_create_operator, do_grant_access
from qunzhu.community.models import Message
from qunzhu.ingest import jobs
from qunzhu.ingest.models import ImportJob
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


# one export of every format, uploaded through the console: (name or path, format, added)
CONSOLE_UPLOADS = [
    (SHARED / "telegram/chat-analytics/DM_2A_7M.json", "telegram", 8),
    (SHARED / "discord/chat-analytics/GC_3A_5M.json", "discord", 6),
    (SHARED / "slack/slack-export-viewer/testarchive.zip", "slack", 158),
    (SHARED / "qq/qq-chat-history/file.txt", "qq", 2),
    (SHARED / "qq/qq-chat-exporter/JsonExporter.groupMixedMedia.snap.json", "qce", 7),
    (SHARED / "irc/irclog2html/2005-01-09-test2.log", "irc", 57),
    (SHARED / "whatsapp/whatstk/lorem.txt", "whatsapp", 500),
    ("wechat", "wechat", 19),  # 18 rows; an invitation names two people
]


@pytest.mark.parametrize(("source", "fmt", "added"), CONSOLE_UPLOADS,
                         ids=[fmt for _s, fmt, _a in CONSOLE_UPLOADS])
def test_every_format_imports_through_the_console(operator_client, community, source, fmt,
                                                  added):
    if source == "wechat":
        name, data = _wechat_csv()
    else:
        name, data = source.name, source.read_bytes()
    operator_client.post(reverse("console:import", args=[community.slug]), {
        "file": SimpleUploadedFile(name, data), "format": "auto", "time_zone": "",
        "group_name": ""})
    job = _wait(ImportJob.objects.get())
    assert job.status == "done", job.error
    (result,) = job.results
    assert (result["format"], result["summary"]["added"]) == (fmt, added)
    assert Message.objects.filter(group__community=community).count() == added
    page = operator_client.get(reverse("console:import-job", args=[community.slug, job.pk]))
    html = page.content.decode()
    assert f"<td>{name}</td>" in html and str(ImportJob.objects.get().path) not in html
    for group in result["summary"]["groups"].values():
        assert f">{group['name']}</a>" in html
        assert f'<td class="num">{group["added"]:,}</td>' in html
