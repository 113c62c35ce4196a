"""`qunzhu report` in a subprocess on the demo community: text, JSON and offline HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import cli_environment, run_cli
from tests.ingest.fixtures import SHARED


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):  # type: ignore[no-untyped-def]
    with cli_environment(tmp_path_factory.mktemp("report")) as env:
        result = run_cli(env, "demo", "--end", "2026-11-20")
        assert result.returncode == 0, result.stderr
        yield env


def test_json_report_is_stable_and_matches_the_stories(demo_env) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(demo_env, "report", "reading-club", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "qunzhu.health/1"
    groups = {g["group"]["name"]: g for g in data["groups"]}
    assert len(groups) == 4
    assert data["groups"][0]["group"]["name"] == "书香读书会2群", "the zombie group comes first"
    zombie = groups["书香读书会2群"]
    assert zombie["stage"] == "zombie" and zombie["lifecycle"]["zombie_since"]
    assert zombie["actions"][0]["code"] == "do.archive"
    assert zombie["actions"][0]["text"].startswith("归档")  # --lang zh-hans is the default
    assert groups["书香读书会4群"]["stage"] == "launch"
    assert groups["书香读书会1群"]["graph"]["shape"] == "ring"
    for g in data["groups"]:
        assert [e["code"] for e in g["elements"]] == ["interest", "structure", "output",
                                                      "operations", "replication"]
        assert all(0 <= e["score"] <= 100 for e in g["elements"])
        assert 0 <= g["risk"] <= 100
        assert len(g["activity"]["heatmap"]) == 7
    assert "messages" in result.stderr and "read" in result.stderr  # timings go to stderr


def test_text_report_in_english_and_chinese(demo_env) -> None:  # type: ignore[no-untyped-def]
    en = run_cli(demo_env, "report", "reading-club", "--lang", "en", "--group", "书香读书会2群")
    assert en.returncode == 0, en.stderr
    assert "zombie" in en.stdout and "What to do next" in en.stdout
    assert "Archive the group" in en.stdout
    assert "书香读书会1群" not in en.stdout, "--group limits the report"
    zh = run_cli(demo_env, "report", "reading-club", "--lang", "zh-hant")
    assert zh.returncode == 0, zh.stderr
    assert "殭屍" in zh.stdout or "僵屍" in zh.stdout


def test_html_report_is_one_offline_file(demo_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "health.html"
    result = run_cli(demo_env, "report", "reading-club", "-f", "html", "-o", str(out),
                     "--lang", "zh-hans")
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html), "nothing loads from outside"
    assert "echarts" in html and 'id="health-labels"' in html
    assert html.count('data-testid="health-group"') == 4
    assert "僵尸群" in html and "下一步" in html
    assert not list(tmp_path.glob("*.part"))
    headers = _table_headers(html)
    assert len(headers) > 50, "the overview and every group's tables are there"
    unexplained = sorted({text for text, title in headers if not title})
    assert unexplained == [], "every column and row heading explains itself on hover"


class _Headers(HTMLParser):
    """Collects (text, title) of every <th>: a heading without a hover text fails the test."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "th":
            self._open, self._title = [], (dict(attrs).get("title") or "").strip()

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._open is not None:
            self.found.append(("".join(self._open).strip(), self._title))
            self._open = None


def _table_headers(html: str) -> list[tuple[str, str]]:
    parser = _Headers()
    parser.feed(html)
    return parser.found


def test_since_until_and_weights(demo_env) -> None:  # type: ignore[no-untyped-def]
    base = run_cli(demo_env, "report", "reading-club", "-f", "json")
    late = run_cli(demo_env, "report", "reading-club", "-f", "json", "--since", "2026-10-01",
                   "--until", "2026-10-31", "--weights", "output=0,replication=0")
    assert late.returncode == 0, late.stderr
    data = json.loads(late.stdout)
    for g in data["groups"]:
        if g["activity"]["days"]:
            assert g["activity"]["days"][0] >= "2026-10-01"
            assert g["activity"]["days"][-1] <= "2026-10-31"
        scores = {e["code"]: e["score"] for e in g["elements"]}
        known = [scores[k] for k in ("interest", "structure", "operations")
                 if scores[k] is not None]
        if not known:  # nothing said in the period (the new group opened in November)
            assert g["overall"] is None and g["stage"] == "empty"
            continue
        assert abs(g["overall"] - round(sum(known) / len(known))) <= 1
    assert json.loads(base.stdout)["groups"] != data["groups"]


@pytest.mark.parametrize(("args", "message"), [
    (["report", "nope"], "no community 'nope' (communities: reading-club)"),
    (["report", "reading-club", "--group", "X群"], "--group: no group 'X群'"),
    (["report", "reading-club", "--format", "pdf"], "--format: expected text, json or html"),
    (["report", "reading-club", "--weights", "fun=2"], "--weights: unknown element 'fun'"),
    (["report", "reading-club", "--weights", "output=lots"], "expected NAME=NUMBER"),
    (["report", "reading-club", "--since", "2026-13-01"], "2026-13-01"),
    (["report", "reading-club", "--since", "2026-10-02", "--until", "2026-10-01"],
     "--since must be before --until"),
    (["report", "reading-club", "--lang", "fr"], "--lang: expected one of"),
])
def test_bad_arguments_are_named(demo_env, args, message) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(demo_env, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_report_on_a_log_without_reply_links_says_they_are_inferred(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A real IRC log records no replies: the report says whose answers it inferred, and
    how sure, in the reader's language."""
    with cli_environment(tmp_path) as env:
        log = SHARED / "irc/irclog2html/dircproxy-example.log"
        done = run_cli(env, "import", "--year", "2008", str(log))
        assert done.returncode == 0, done.stderr
        en = run_cli(env, "report", "imported", "--lang", "en")
        assert en.returncode == 0, en.stderr
        said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", en.stdout).split())  # no panel borders
        found = re.search(r"All (\d+) reply links are inferred from timing and names \(the "
                          r"export records none\); mean confidence (\d+)%", said)
        assert found, said[-2000:]
        assert int(found.group(1)) > 100 and 30 <= int(found.group(2)) <= 95
        zh = run_cli(env, "report", "imported", "--lang", "zh-hans", "-f", "json")
        data = json.loads(zh.stdout)
        (group,) = data["groups"]
        codes = [r["code"] for r in group["graph"]["reasons"]]
        assert "graph.inferred_all" in codes
        text = next(r["text"] for r in group["graph"]["reasons"]
                    if r["code"] == "graph.inferred_all")
        assert "根据时间和称呼推断" in text
        assert "graph.inferred_all" in [r["code"] for r in group["tiers"]["reasons"]]
