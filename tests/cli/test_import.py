"""`qunzhu import` in a subprocess against real export files."""

from __future__ import annotations

import csv
import json
import zipfile

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


def test_every_fixture_in_the_manifest_imports_with_its_format(cli_env):
    """One run over every unit the manifest lists; -v says which format was detected."""
    rows = [r for r in _manifest() if r[0] != "irc/qtox-irc"]  # the big log has its own test
    paths = [str(SHARED / path) for path, _fmt, _unit in rows]
    result = run_cli(cli_env, "import", "-v", *paths)
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    for path, fmt, _unit in rows:
        expected = "qq-qce" if "qq-chat-exporter" in path else fmt
        line = next((ln for ln in out.splitlines() if path.split("/")[-1] in ln
                     and "—" in ln), "")
        assert f": {expected} —" in line or f" {expected} " in line, (path, line)
    assert "not a chat export" not in out


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
    assert "duplicates" in table.stdout and "import summary" in table.stdout


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
    assert "1 bad lines skipped" in lenient.stderr or "skipped" in lenient.stderr


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
