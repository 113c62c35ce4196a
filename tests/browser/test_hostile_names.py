"""Member names are written by anyone in a group: in a real browser, names full of HTML and
script never run, in the console's health page or in the offline HTML report.

Every node and edge of the interaction graph is hovered (ECharts' ``showTip``, what a mouse
over it does); the test fails on any dialog, any script that ran, any element the names
injected, and if a tooltip does not show the name as the text it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_console import page, serving  # noqa: F401 - page: the fixture
from tests.conftest import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<img src=x onerror=\"window.__xss=1;alert(1)\">",
    "<script>window.__xss=2;alert(2)</script>",
    "\"><svg onload=\"window.__xss=3;alert(3)\">",
    "<iframe srcdoc=\"<script>parent.__xss=4</script>\"></iframe>",
    "<a href=\"javascript:alert(5)\">click</a>",
    "Zoë <b>bold</b> & \"quotes\"",
]
#: elements that a name could inject
INJECTED = ("img[src=x], svg[onload], iframe, a[href^=javascript], [data-chart] script, "
            "[data-chart] b")


def _export(path: Path) -> None:
    """A Telegram export: six members with hostile names and two plain ones talk for six
    weeks, answering one another, so that every name is a node of the interaction graph."""
    people = [(f"user{i}", name) for i, name in enumerate(PAYLOADS)] + [
        ("user90", "Ann"), ("user91", "Bo")]
    start = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)
    messages: list[dict[str, Any]] = []
    for day in range(42):
        for k, (pid, name) in enumerate(people):
            when = start + timedelta(days=day, minutes=7 * k)
            msg: dict[str, Any] = {
                "id": len(messages) + 1, "type": "message",
                "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(when.timestamp())), "from": name, "from_id": pid,
                "text": f"day {day}: what do you think about chapter {day % 9}?"}
            if messages and k:
                msg["reply_to_message_id"] = messages[-1]["id"]
            messages.append(msg)
    path.write_text(json.dumps({"name": "hostile names", "type": "private_supergroup",
                                "id": 4242, "messages": messages}), encoding="utf-8")


@pytest.fixture
def hostile(cli_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A running console over the hostile export; yields (base URL, offline report)."""
    export = tmp_path / "result.json"
    _export(export)
    done = run_cli(cli_env, "import", str(export))
    assert done.returncode == 0, done.stderr
    made = run_cli(cli_env, "operator", "create", "amy", "-c", "imported", "--role", "owner",
                   "--password", "browser-test-pw")
    assert made.returncode == 0, made.stderr
    report = tmp_path / "report.html"
    written = run_cli(cli_env, "report", "imported", "-f", "html", "-o", str(report))
    assert written.returncode == 0, written.stderr
    with serving(cli_env) as base:
        yield base, report


def _hover_the_graph(page: Any) -> list[str]:  # noqa: F811
    """Show the tooltip of every node and edge; the tooltips' texts."""
    page.click("[data-tab=network]")
    page.wait_for_selector("[data-chart=graph][data-drawn] canvas")
    counts = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=graph]'));
        const series = chart.getOption().series[0];
        return [series.data.length, series.links.length];
    }""")
    assert counts[0] >= len(PAYLOADS) and counts[1] > 0, counts
    texts = []
    for kind, n in (("node", counts[0]), ("edge", counts[1])):
        for i in range(n):
            texts.append(page.evaluate("""([i, kind]) => {
                const el = document.querySelector('[data-chart=graph]');
                const chart = echarts.getInstanceByDom(el);
                chart.dispatchAction(Object.assign({type: 'showTip', seriesIndex: 0,
                                                    dataIndex: i},
                                                   kind === 'edge' ? {dataType: 'edge'} : {}));
                return new Promise(done => setTimeout(() => {
                    const tips = [...el.querySelectorAll('div')].filter(
                        d => d.style.position === 'absolute' && d.textContent);
                    done(tips.map(d => d.textContent).join(' | '));
                }, 30));
            }""", [i, kind]))
    return texts


def _check(page: Any, dialogs: list[str], texts: list[str]) -> None:  # noqa: F811
    assert dialogs == []
    assert page.evaluate("() => window.__xss === undefined")
    assert page.locator(INJECTED).count() == 0
    shown = " ".join(texts)
    for name in PAYLOADS:
        assert name in shown, f"the tooltip shows {name!r} as text"


def test_hostile_names_stay_text_in_the_console_and_the_offline_report(hostile, page):  # noqa: F811
    base, report = hostile
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "/")
    page.fill("#id_username", "amy")
    page.fill("#id_password", "browser-test-pw")
    page.click("button.primary")
    page.click("[data-testid=health-table] >> text=hostile names")
    page.wait_for_selector("[data-charts-ready]")
    _check(page, dialogs, _hover_the_graph(page))

    page.goto(report.as_uri())
    page.wait_for_selector("[data-charts-ready]")
    _check(page, dialogs, _hover_the_graph(page))
