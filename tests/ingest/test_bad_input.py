"""Damaged and wrong input through the import service, against the real database: each case
ends in one clear message naming the file (and the line where there is one), never a
traceback, and stores nothing it should not."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qunzhu.community.models import Group, Message
from qunzhu.ingest.service import ImportOptions, import_paths
from qunzhu.ingest.worker import WORKER_MIN_BYTES
from tests.ingest.fixtures import SHARED

WHATSAPP = SHARED / "whatsapp" / "chat-analytics" / "4A_11M.txt"
QQ = SHARED / "qq" / "qq-chat-history" / "file.txt"

pytestmark = pytest.mark.django_db


def _import(community, system_actor, *paths: Path, **options):  # type: ignore[no-untyped-def]
    return import_paths(system_actor, community, list(paths), ImportOptions(**options))


def _damaged_member(tmp_path: Path) -> Path:
    """4A_11M.txt zipped, with one byte of its compressed data flipped (a bad download)."""
    archive = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(WHATSAPP, "WhatsApp Chat with Friends.txt")
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as check:
        info = check.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    return archive


def test_a_damaged_zip_member_is_reported_not_raised(community, system_actor, tmp_path):
    archive = _damaged_member(tmp_path)
    (result,) = _import(community, system_actor, archive)
    assert result.label.endswith("WhatsApp Chat.zip!WhatsApp Chat with Friends.txt")
    assert "damaged" in result.failed and "Error" in result.failed


def test_a_truncated_zip_is_named_as_such(community, system_actor, tmp_path):
    archive = _damaged_member(tmp_path)
    cut = tmp_path / "cut.zip"
    data = archive.read_bytes()
    cut.write_bytes(data[:len(data) // 2])  # the table of contents is at the end
    (result,) = _import(community, system_actor, cut)
    assert "damaged or truncated zip archive" in result.failed
    assert not Message.objects.exists()


@pytest.mark.parametrize("content", [b"", b"   \r\n\n\t \n"])
def test_an_empty_or_blank_file_is_empty(community, system_actor, tmp_path, content):
    path = tmp_path / "chat.txt"
    path.write_bytes(content)
    (result,) = _import(community, system_actor, path)
    assert result.failed == "the file is empty"


def test_a_folder_or_zip_without_any_chat_says_so(community, system_actor, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "IMG_0001.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (folder / ".DS_Store").write_bytes(b"\0")
    archive = tmp_path / "media.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("IMG_0002.jpg", b"\xff\xd8\xff\xe0")
    empty = tmp_path / "empty"
    empty.mkdir()
    results = _import(community, system_actor, folder, archive, empty)
    assert [r.failed for r in results] == ["no chat export in it (only pictures, media or "
                                           "hidden files, or nothing at all)"] * 3
    assert [r.label for r in results] == [str(folder), str(archive), str(empty)]


def test_a_forced_format_that_finds_no_message_fails(community, system_actor, tmp_path):
    notes = tmp_path / "shopping.txt"
    notes.write_text("milk\neggs\n两斤苹果\n", encoding="utf-8")
    (result,) = _import(community, system_actor, notes, format="qq")
    assert result.failed == "no messages found in it as a qq export"
    (whatsapp,) = _import(community, system_actor, notes, format="whatsapp")
    assert whatsapp.failed.startswith("no WhatsApp message header")
    assert not Group.objects.filter(community=community).exists()


def test_a_forced_single_file_format_on_a_folder_export(community, system_actor):
    (result,) = _import(community, system_actor, SHARED / "slack" / "slackdump-export",
                        format="whatsapp")
    assert result.failed == ("is a folder or zip export, and --format whatsapp reads single "
                             "files: give the file itself")


def _mixed_encoding_qq(tmp_path: Path) -> Path:
    """A QQ export whose first 64 KiB are UTF-8 and whose last message was written in GBK
    (two exports pasted together): the sniffed encoding cannot read that message."""
    good = QQ.read_bytes()
    filler = b"".join(
        f"2013-05-10 21:{n // 60 % 60:02d}:{n % 60:02d} 小明(10001)\n填充消息 {n}\n\n".encode()
        for n in range(2_500))
    tail = "2013-05-11 08:00:00 小红(10002)\n这一条是GBK编码的消息\n\n".encode("gbk")
    path = tmp_path / "mixed.txt"
    path.write_bytes(good.rstrip(b"\r\n") + b"\r\n\r\n" + filler + tail)
    return path


def test_bytes_the_encoding_cannot_read_are_reported_with_their_line(community,
                                                                     system_actor, tmp_path):
    path = _mixed_encoding_qq(tmp_path)
    (result,) = _import(community, system_actor, path)
    assert not result.failed and result.encoding == "utf-8" and result.skipped >= 1
    assert all("expected text in utf-8" in e and "\ufffd" in e for e in result.errors)
    numbers = [int(e[len(str(path)) + 1:].split(":")[0]) for e in result.errors]
    written = path.read_bytes().split(b"\n")
    assert [written[n - 1].decode("gbk") for n in numbers] == [
        "2013-05-11 08:00:00 小红(10002)", "这一条是GBK编码的消息"]
    line = numbers[0]
    # the message is kept (with replacement characters), not silently dropped
    assert Message.objects.filter(text__contains="\ufffd").count() == 1
    strict = _import(community, system_actor, path, strict=True, group_name="strict copy")
    assert strict[0].failed.startswith(f"{path}:{line}: expected text in utf-8")
    assert not Group.objects.filter(name="strict copy").exists()


def test_a_big_file_with_unreadable_bytes_reports_them_from_the_worker(community,
                                                                       system_actor, tmp_path):
    start = datetime(2021, 1, 2)
    lines = [f"{t.month}/{t.day}/{t:%y, %H:%M} - 成员{n % 37}: 消息 {n}"
             for n, t in ((n, start + timedelta(minutes=n)) for n in range(130_000))]
    data = ("\n".join(lines[:50_000]) + "\n").encode() \
        + lines[50_000].encode("gbk") + b"\xff\n" + ("\n".join(lines[50_001:]) + "\n").encode()
    assert len(data) > WORKER_MIN_BYTES  # parsed in the worker process
    path = tmp_path / "WhatsApp Chat with 大群.txt"
    path.write_bytes(data)
    (result,) = _import(community, system_actor, path)
    assert result.summary is not None and result.summary.added == 130_000
    assert result.skipped == 1
    assert result.errors[0].startswith(f"{path}:50001: expected text in utf-8")


def test_a_broken_zip_in_a_folder_does_not_hide_the_other_files(community, system_actor,
                                                                tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    whole = _damaged_member(tmp_path).read_bytes()
    (folder / "a-broken.zip").write_bytes(whole[:len(whole) // 2])
    (folder / "b-chat.txt").write_bytes(WHATSAPP.read_bytes())
    (folder / "c-gone.txt").symlink_to(tmp_path / "nowhere.txt")
    results = _import(community, system_actor, folder)
    by_name = {Path(r.label).name: r for r in results}
    assert "damaged or truncated zip" in by_name["a-broken.zip"].failed
    assert by_name["c-gone.txt"].failed == "no such file or folder"  # a broken link
    assert not by_name["b-chat.txt"].failed and by_name["b-chat.txt"].summary.added == 14


def test_an_empty_export_is_imported_as_empty(community, system_actor, tmp_path):
    """A quiet channel exported with DiscordChatExporter has no messages: not an error."""
    source = json.loads((SHARED / "discord/chat-analytics/GC_3A_5M.json").read_text("utf-8"))
    source["messages"], source["messageCount"] = [], 0
    path = tmp_path / "quiet.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    (result,) = _import(community, system_actor, path)
    assert (result.format, result.failed, result.summary.events) == ("discord", "", 0)


def test_an_archive_damaged_late_keeps_what_came_before_and_says_so(community, system_actor,
                                                                    tmp_path):
    start = datetime(2021, 1, 2)
    text = "".join(f"{t.month}/{t.day}/{t:%y, %H:%M} - 成员{n % 37}: 消息 {n} {n * 7919}\n"
                   for n, t in ((n, start + timedelta(minutes=n)) for n in range(60_000)))
    archive = tmp_path / "WhatsApp Chat.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("WhatsApp Chat with 大群.txt", text)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as check:
        info = check.infolist()[0]
    start_of_data = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start_of_data + info.compress_size - 200] ^= 0xFF  # near the end of the member
    archive.write_bytes(bytes(data))
    (result,) = _import(community, system_actor, archive)
    assert result.failed.startswith("stopped after ")
    assert result.summary is not None and 0 < result.summary.added < 60_000
    assert Message.objects.count() == result.summary.added
    # the stored part is whole: importing the undamaged file adds exactly the rest
    good = tmp_path / "WhatsApp Chat with 大群.txt"
    good.write_text(text, encoding="utf-8")
    (again,) = _import(community, system_actor, good)
    assert again.summary.added + result.summary.added == 60_000
    assert again.summary.duplicates == result.summary.added
