"""`qunzhu import` in a subprocess against real export files."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, datetime

import pytest

from tests.conftest import run_cli
from tests.ingest.fixtures import SHARED

pytestmark = pytest.mark.django_db(transaction=True)


def _manifest() -> list[tuple[str, str, str]]:
    with (SHARED / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return [(row["path"], row["format"], row["unit"])
                for row in csv.DictReader(handle, delimiter="\t")]


def _count(env, sql_expr: str) -> str:  # type: ignore[no-untyped-def]
    result = run_cli(env, "manage", "shell", "-v", "0", "-c", sql_expr)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# What one `qunzhu import` of every manifest unit (in manifest order, qtox-irc aside) stores:
# label -> (format, added, duplicates, members per group). Event counts are the parser tests'
# (verified against the files there); duplicates are the same chat imported twice in the
# run (the WhatsApp share zip after its .txt, the unpacked Slack export after its zip,
# Discord's repeated message id, irclog2html's sample.log which repeats test1.log).
MANIFEST_FIGURES = {
    "whatsapp/chat-miner/test_[mmddyy]_24hrs.txt": ("whatsapp", 9, 0, [5]),
    "whatsapp/chat-miner/test_ddmmyy_24hrs.txt": ("whatsapp", 9, 0, [5]),
    "whatsapp/chat-miner/test_mmddyy_24hrs.txt": ("whatsapp", 9, 0, [5]),
    "whatsapp/chat-miner/test_mmddyyyy_12hrs.txt": ("whatsapp", 9, 0, [5]),
    "whatsapp/chat-miner/test_yyyymmdd_24hrs.txt": ("whatsapp", 9, 0, [5]),
    "whatsapp/chat-analytics/2A_5M.txt": ("whatsapp", 5, 0, [2]),
    "whatsapp/chat-analytics/4A_11M.txt": ("whatsapp", 14, 0, [5]),
    "whatsapp/chat-analytics/4A_11M.zip!_chat.txt": ("whatsapp", 0, 14, [5]),
    "whatsapp/whatstk/pokemon.txt": ("whatsapp", 20, 0, [8]),
    "whatsapp/whatstk/lorem.txt": ("whatsapp", 500, 0, [4]),
    "telegram/chat-analytics/DM_2A_7M.json": ("telegram", 8, 0, [2]),
    "telegram/chat-miner/test_single_export.json": ("telegram", 2, 0, [2]),
    "telegram/chat-miner/test_batch_export.json": ("telegram", 2, 0, [2]),
    "discord/chat-analytics/DM_2A_2M.json": ("discord", 3, 0, [2]),
    "discord/chat-analytics/GC_3A_5M.json": ("discord", 6, 0, [3]),
    "discord/chat-analytics/SV_5A_5M.json": ("discord", 4, 1, [2]),
    "slack/slack-export-viewer/testarchive.zip": ("slack", 158, 0, [6, 4]),
    "slack/slack-export-viewer/testarchive": ("slack", 0, 158, [6, 4]),
    "slack/slackdump-export": ("slack", 16, 0, [3]),
    "qq/qq-chat-exporter/TextExporter.groupMixedMedia.snap.txt": ("qce", 7, 0, [3]),
    "qq/qq-chat-exporter/JsonExporter.groupMixedMedia.snap.json": ("qce", 7, 0, [3]),
    "qq/qq-chat-exporter/HtmlExporter.groupMixedMedia.snap.html": ("qce", 7, 0, [3]),
    "qq/qq-chat-history/file.txt": ("qq", 2, 0, [2]),
    "irc/irclog2html/2005-01-08-test1.log": ("irc", 8, 0, [2]),
    "irc/irclog2html/2005-01-09-test2.log": ("irc", 57, 0, [4]),
    "irc/irclog2html/2009-01-14-dircproxy.log": ("irc", 13, 0, [3]),
    "irc/irclog2html/2009-01-15-dircproxy.log": ("irc", 221, 0, [7]),
    "irc/irclog2html/2011-01-16-hybrid-charset.log": ("irc", 2, 0, [2]),
    "irc/irclog2html/sample.log": ("irc", 3, 7, [2]),
}


# Each group's first and last message, local time of the community (Asia/Shanghai) to the
# minute; exports with an offset or epoch keep their instant (Telegram's date_unixtime, the
# QQ Chat Exporter JSON's epoch seconds), local ones are read in the community's zone. The
# parser tests check the same stamps against the files.
MANIFEST_SPANS = {
    "whatsapp/chat-miner/test_[mmddyy]_24hrs.txt": [("2019-01-01 11:25", "2021-12-30 22:01")],
    "whatsapp/chat-miner/test_ddmmyy_24hrs.txt": [("2019-01-01 11:25", "2021-12-30 22:01")],
    "whatsapp/chat-miner/test_mmddyy_24hrs.txt": [("2019-01-01 11:25", "2021-12-30 22:01")],
    "whatsapp/chat-miner/test_mmddyyyy_12hrs.txt": [("2019-01-01 11:25", "2021-12-30 22:01")],
    "whatsapp/chat-miner/test_yyyymmdd_24hrs.txt": [("2019-01-01 11:25", "2021-12-30 22:01")],
    "whatsapp/chat-analytics/2A_5M.txt": [("2021-01-01 12:00", "2021-01-01 12:03")],
    "whatsapp/chat-analytics/4A_11M.txt": [("2020-12-09 23:16", "2020-12-09 23:56")],
    "whatsapp/chat-analytics/4A_11M.zip!_chat.txt": [("2020-12-09 23:16", "2020-12-09 23:56")],
    "whatsapp/whatstk/pokemon.txt": [("2016-04-15 15:04", "2016-10-31 12:23")],
    "whatsapp/whatstk/lorem.txt": [("2020-01-15 02:22", "2020-05-11 22:32")],
    "telegram/chat-analytics/DM_2A_7M.json": [("2019-07-05 16:55", "2023-08-11 10:11")],
    "telegram/chat-miner/test_single_export.json": [("2018-12-05 18:39", "2018-12-05 18:49")],
    "telegram/chat-miner/test_batch_export.json": [("2018-12-05 18:39", "2018-12-05 18:49")],
    "discord/chat-analytics/DM_2A_2M.json": [("2019-01-05 01:52", "2020-07-18 01:03")],
    "discord/chat-analytics/GC_3A_5M.json": [("2023-01-18 03:33", "2023-03-03 22:47")],
    "discord/chat-analytics/SV_5A_5M.json": [("2018-05-21 00:09", "2018-05-21 00:09")],
    "slack/slack-export-viewer/testarchive.zip": [
        ("2016-01-15 13:55", "2016-03-29 14:44"),
        ("2016-01-17 08:00", "2016-03-29 20:33"),
    ],
    "slack/slack-export-viewer/testarchive": [
        ("2016-01-15 13:55", "2016-03-29 14:44"),
        ("2016-01-17 08:00", "2016-03-29 20:33"),
    ],
    "slack/slackdump-export": [("2025-01-10 11:08", "2025-01-24 18:59")],
    "qq/qq-chat-exporter/TextExporter.groupMixedMedia.snap.txt": [
        ("2024-01-01 00:01", "2024-01-01 00:05"),
    ],
    "qq/qq-chat-exporter/JsonExporter.groupMixedMedia.snap.json": [
        ("2024-01-01 08:01", "2024-01-01 08:05"),
    ],
    "qq/qq-chat-exporter/HtmlExporter.groupMixedMedia.snap.html": [
        ("2024-01-01 00:01", "2024-01-01 00:05"),
    ],
    "qq/qq-chat-history/file.txt": [("1883-03-07 11:22", "1883-03-07 12:34")],
    "irc/irclog2html/2005-01-08-test1.log": [("2005-01-08 23:33", "2005-01-08 23:47")],
    "irc/irclog2html/2005-01-09-test2.log": [("2005-01-09 02:05", "2005-01-09 09:17")],
    "irc/irclog2html/2009-01-14-dircproxy.log": [("2009-01-14 10:36", "2009-01-14 23:35")],
    "irc/irclog2html/2009-01-15-dircproxy.log": [("2009-01-15 08:42", "2009-01-15 20:39")],
    "irc/irclog2html/2011-01-16-hybrid-charset.log": [("2011-01-15 20:32", "2011-01-15 20:38")],
    "irc/irclog2html/sample.log": [("2005-01-08 23:33", "2005-01-08 23:49")],
}

def test_every_fixture_in_the_manifest_imports_with_its_figures(cli_env, tmp_path):
    rows = [r for r in _manifest() if r[0] != "irc/qtox-irc"]  # the big log has its own test
    result = run_cli(cli_env, "import", "--json", *[str(SHARED / path) for path, *_ in rows])
    assert result.returncode == 0, result.stderr
    got, spans = {}, {}
    for unit in json.loads(result.stdout):
        label = unit["label"][len(str(SHARED)) + 1:]
        summary = unit["summary"]
        got[label] = unit["failed"] or (
            unit["format"], summary["added"], summary["duplicates"],
            [g["members"] for g in summary["groups"].values()])
        if not unit["failed"]:
            spans[label] = [(g["first"][:16].replace("T", " "), g["last"][:16].replace("T", " "))
                            for g in summary["groups"].values()]
    # a dircproxy log with no year anywhere is refused with advice, not given a guessed year
    refused = got.pop("irc/irclog2html/dircproxy-example.log")
    assert "no year" in refused and "--year 2009" in refused and "file name" in refused
    assert got == MANIFEST_FIGURES
    assert spans == MANIFEST_SPANS
    # given the year as the advice says, it imports: 5,583 events over 13 months (a Feb 29
    # in its first February → 2008)
    example = SHARED / "irc/irclog2html/dircproxy-example.log"
    again = run_cli(cli_env, "import", "--json", "--year", "2008", str(example))
    (unit,) = json.loads(again.stdout)
    assert (unit["summary"]["added"], unit["skipped"]) == (5583, 0)
    (group,) = unit["summary"]["groups"].values()
    assert (group["first"][:10], group["last"][:10]) == ("2008-01-14", "2009-02-26")
    # or with the year in its file name; the same lines, so nothing is added twice
    renamed = tmp_path / "2008-01-14-dircproxy-example.log"
    renamed.write_bytes(example.read_bytes())
    (unit,) = json.loads(run_cli(cli_env, "import", "--json", str(renamed)).stdout)
    assert (unit["summary"]["added"], unit["summary"]["duplicates"]) == (0, 5583)
    bad = run_cli(cli_env, "import", "--year", "208", str(example))
    assert bad.returncode != 0 and "--year" in bad.stderr


def test_verbose_says_which_format_was_detected_and_why(cli_env):
    paths = [SHARED / "whatsapp/chat-miner/test_[mmddyy]_24hrs.txt",
             SHARED / "slack/slackdump-export", SHARED / "qq/qq-chat-history/file.txt"]
    result = run_cli(cli_env, "import", "-v", *map(str, paths))
    assert result.returncode == 0, result.stderr
    out = " ".join((result.stdout + result.stderr).split())
    assert "test_[mmddyy]_24hrs.txt: whatsapp — first line matches WhatsApp iOS" in out
    assert "slackdump-export: slack —" in out and "file.txt: qq —" in out


def test_qtox_irc_folder_is_one_channel(cli_env):
    """273 daily ZNC logs: one group, every <nick> line a message (the README's 35.6k)."""
    result = run_cli(cli_env, "import", "--json", "--tz", "Europe/London",
                     str(SHARED / "irc" / "qtox-irc"))
    assert result.returncode == 0, result.stderr
    units = json.loads(result.stdout)
    assert len(units) == 273 and not any(u["failed"] for u in units)
    assert sum(u["summary"]["added"] for u in units) == 63_829  # incl. joins, parts, renames
    groups = [g for u in units for g in u["summary"]["groups"].values()]
    assert len({g["name"] for g in groups}) == 1
    # the parser tests' first and last line, read in British time: 02:06:03 BST, 23:28:57 GMT
    first = min(datetime.fromisoformat(g["first"]) for g in groups)
    last = max(datetime.fromisoformat(g["last"]) for g in groups)
    assert (first, last) == (datetime(2016, 6, 1, 1, 6, 3, tzinfo=UTC),
                             datetime(2017, 2, 28, 23, 28, 57, tzinfo=UTC))
    texts = _count(cli_env, "from qunzhu.community.models import Message as M;"
                   "print(M.objects.filter(kind='text').count())")
    assert texts == "37325"  # 35,584 <nick> lines + 338 actions + 1,403 notices


def test_reimport_adds_nothing_and_says_so(cli_env):
    path = str(SHARED / "whatsapp" / "chat-analytics" / "4A_11M.txt")
    first = run_cli(cli_env, "import", "--json", path)
    assert first.returncode == 0, first.stderr
    added = json.loads(first.stdout)[0]["summary"]["added"]
    assert added > 0
    second = run_cli(cli_env, "import", "--json", path)
    summary = json.loads(second.stdout)[0]["summary"]
    assert (summary["added"], summary["duplicates"]) == (0, added)
    assert _count(cli_env, "from qunzhu.community.models import Message as M;"
                  "print(M.objects.count())") == str(added)
    table = run_cli(cli_env, "import", path)
    assert "dupes" in table.stdout and "import summary" in table.stdout


def test_zip_and_txt_of_the_same_chat_store_it_once(cli_env):
    txt = str(SHARED / "whatsapp" / "chat-analytics" / "4A_11M.txt")
    zipped = str(SHARED / "whatsapp" / "chat-analytics" / "4A_11M.zip")
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
    group = "同一个群"
    assert run_cli(cli_env, "import", "--group", group, txt).returncode == 0
    after_txt = _count(cli_env, "from qunzhu.community.models import Message as M;"
                       "print(M.objects.count())")
    result = run_cli(cli_env, "import", "--group", group, zipped)
    assert result.returncode == 0, result.stderr
    assert _count(cli_env, "from qunzhu.community.models import Message as M;"
                  "print(M.objects.count())") == after_txt, names


def test_bad_input_messages(cli_env, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    notes = tmp_path / "notes.txt"
    notes.write_text("购物清单：苹果、牛奶\n", encoding="utf-8")
    truncated = tmp_path / "result.json"
    text = (SHARED / "telegram" / "chat-analytics" / "DM_2A_7M.json").read_text()
    truncated.write_text(text[: len(text) // 2])
    result = run_cli(cli_env, "import", str(empty), str(notes), str(truncated),
                     str(tmp_path / "missing.txt"))
    assert result.returncode == 1  # nothing at all could be imported
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert "empty" in out
    assert "not a chat export" in out
    assert "no such file" in out
    assert "JSON" in out or "json" in out


def test_strict_stops_at_the_first_bad_line_and_keeps_nothing(cli_env, tmp_path):
    good = (SHARED / "whatsapp" / "chat-analytics" / "4A_11M.txt").read_text(encoding="utf-8")
    lines = good.splitlines()
    lines.insert(5, "12/99/20, 25:61 - Broken: this date cannot be")
    bad = tmp_path / "WhatsApp Chat with Broken.txt"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    strict = run_cli(cli_env, "import", "--strict", "--format", "whatsapp", str(bad))
    assert strict.returncode == 1
    assert f"{bad}:6: expected" in (strict.stdout + strict.stderr).replace("\n", "")
    assert _count(cli_env, "from qunzhu.community.models import Message as M;"
                  "print(M.objects.count())") == "0"
    lenient = run_cli(cli_env, "import", "--format", "whatsapp", str(bad))
    assert lenient.returncode == 0
    assert f"bad line {bad}:6: expected" in lenient.stderr.replace("\n", "")


def test_unknown_format_and_zone_are_refused(cli_env):
    path = str(SHARED / "whatsapp" / "whatstk" / "lorem.txt")
    bad_format = run_cli(cli_env, "import", "--format", "myspace", path)
    assert bad_format.returncode == 1 and "--format" in bad_format.stderr
    bad_zone = run_cli(cli_env, "import", "--tz", "Mars/Base", path)
    assert bad_zone.returncode == 1 and "--tz" in bad_zone.stderr
    unknown_community = run_cli(cli_env, "import", "-c", "nope", path)
    assert unknown_community.returncode == 1 and "nope" in unknown_community.stderr


def test_people_suggest_and_merge(cli_env):
    slack = str(SHARED / "slack" / "slack-export-viewer" / "testarchive")
    assert run_cli(cli_env, "import", slack).returncode == 0
    suggest = run_cli(cli_env, "people", "suggest", "imported")
    assert suggest.returncode == 0
    merged = run_cli(cli_env, "people", "merge", "999998", "999999")
    assert merged.returncode == 1 and "no person with id" in merged.stderr
    ids = json.loads(_count(cli_env, "import json; from qunzhu.community.models import Person;"
                            "print(json.dumps(list(Person.objects.values_list('pk', flat=True)"
                            "[:2])))"))
    ok = run_cli(cli_env, "people", "merge", str(ids[0]), str(ids[1]))
    assert ok.returncode == 0, ok.stderr
    assert "merged" in ok.stdout


def _write_big_whatsapp(path, messages: int) -> None:  # type: ignore[no-untyped-def]
    import random
    from datetime import datetime, timedelta

    rng = random.Random(3)
    names = [f"成员{n}" for n in range(40)] + [f"Member {n}" for n in range(40)]
    ts = datetime(2024, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as out:
        for n in range(messages):
            ts += timedelta(seconds=rng.choice((0, 30, 60, 90)))
            who = names[n % 7 * 11 % len(names)] if n % 3 else rng.choice(names)
            body = rng.choice(["早上好", "hello", "第一行\n第二行", "ok", "收到"])
            out.write(f"{ts.month}/{ts.day}/{ts:%y}, {ts:%H:%M} - {who}: {body}\n")


def _stored_count(env) -> int:  # type: ignore[no-untyped-def]
    """Messages stored so far, read straight from the database while an import runs."""
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute("SELECT count(*) FROM community_message").fetchone()
    else:
        import sqlite3
        from pathlib import Path

        db = Path(env["QUNZHU_DATA"]) / "qunzhu.sqlite3"
        if not db.exists():
            return 0
        with sqlite3.connect(db, timeout=10) as conn:
            try:
                row = conn.execute("SELECT count(*) FROM community_message").fetchone()
            except sqlite3.OperationalError:  # not migrated yet
                return 0
    return int(row[0])


SNAPSHOT = (
    "import json; from qunzhu.community.models import Identity, IdentityName, Membership, "
    "Message; print(json.dumps({"
    "'messages': sorted(Message.objects.values_list('key', flat=True)),"
    "'identities': sorted([i.external_id, i.display_name, i.first_seen.isoformat(),"
    " i.last_seen.isoformat()] for i in Identity.objects.all()),"
    "'names': sorted([n.identity.external_id, n.name, n.first_seen.isoformat(),"
    " n.last_seen.isoformat()] for n in IdentityName.objects.select_related('identity')),"
    "'memberships': sorted([m.person.display_name, m.joined.isoformat(), m.status]"
    " for m in Membership.objects.select_related('person'))}))"
)


def test_import_killed_midway_and_run_again_equals_one_clean_import(cli_env, tmp_path):
    """SIGKILL a real `qunzhu import` after some batches were committed, run it again, and
    compare every stored row with a clean import of the same file into a fresh database.
    The file is big enough (> 4 MB) to be parsed in a worker process, which must stop by
    itself when the import it works for is killed."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.conftest import REPO

    export = tmp_path / "WhatsApp Chat with 大群.txt"
    _write_big_whatsapp(export, 160_000)
    from qunzhu.ingest.worker import WORKER_MIN_BYTES

    assert export.stat().st_size > WORKER_MIN_BYTES
    assert run_cli(cli_env, "manage", "migrate", "-v", "0").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "import", str(export)],
                            env=cli_env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        stored = _stored_count(cli_env)
        if stored >= 10_000:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
            workers = [int(pid) for pid in children.read_text().split()]
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    assert workers, "the big file was not parsed in a worker process"
    for _ in range(100):  # the orphaned worker notices and stops
        if not any(Path(f"/proc/{pid}").exists() and "zombie" not in
                   Path(f"/proc/{pid}/status").read_text() for pid in workers):
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"worker {workers} still running after its import was killed")
    partial = _stored_count(cli_env)
    assert 0 < partial < 160_000 and partial % 5000 == 0  # whole batches, no half batch
    again = run_cli(cli_env, "import", "--json", str(export))
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)[0]["summary"]
    assert (summary["added"], summary["duplicates"]) == (160_000 - partial, partial)

    clean_env = dict(cli_env, QUNZHU_DATA=str(tmp_path / "clean"))
    if "DATABASE_URL" in cli_env:  # a second database on the same server
        import psycopg

        clean_env["DATABASE_URL"] = cli_env["DATABASE_URL"] + "_clean"
        admin = cli_env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{clean_env["DATABASE_URL"].rsplit("/", 1)[1]}"')
    try:
        assert run_cli(clean_env, "import", str(export)).returncode == 0
        resumed = json.loads(_count(cli_env, SNAPSHOT))
        clean = json.loads(_count(clean_env, SNAPSHOT))
    finally:
        if "DATABASE_URL" in cli_env:
            with psycopg.connect(admin, autocommit=True) as conn:
                name = clean_env["DATABASE_URL"].rsplit("/", 1)[1]
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert len(resumed["messages"]) == 160_000
    assert resumed == clean
