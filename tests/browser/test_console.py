"""The console in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("QUNZHU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture
def console(cli_env: dict[str, str]) -> Iterator[tuple[str, str]]:
    """A running console with the demo community; yields (base URL, password)."""
    demo = run_cli(cli_env, "demo", "--end", date.today().isoformat())
    assert demo.returncode == 0, demo.stderr
    created = run_cli(cli_env, "operator", "create", "amy", "-c", "reading-club",
                      "--role", "owner", "--password", "browser-test-pw")
    assert created.returncode == 0, created.stderr
    with serving(cli_env) as base:
        yield base, "browser-test-pw"


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`qunzhu serve` on a free port of this machine, until the block ends; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "serve", "--port", str(port)],
                              env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login/").close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def page():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_operator_logs_in_sees_demo_opens_group_and_switches_language(console, page):
    base, password = console
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + "/")
    page.fill("#id_username", "amy")
    page.fill("#id_password", password)
    page.click("button.primary")
    groups = page.locator("[data-testid=groups] tbody tr")
    assert groups.count() == 4
    text = page.locator("[data-testid=groups]").inner_text()
    for n in range(1, 5):
        assert f"书香读书会{n}群" in text
    assert page.locator("h2").first.inner_text().startswith("群")
    page.screenshot(path=str(ARTIFACTS / "console-overview.png"), full_page=True)

    page.click("[data-testid=groups] >> text=书香读书会1群")
    timeline = page.locator("[data-testid=timeline] li")
    assert timeline.count() == 50
    page.fill("#q", "三体")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=timeline] li .text')]"
        ".every(e => e.textContent.includes('三体'))")
    assert page.locator("[data-testid=timeline] li").count() > 0
    page.screenshot(path=str(ARTIFACTS / "console-group.png"), full_page=False)

    page.click("button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("label[for=q]").inner_text() == "Search messages"
    page.click("button[value=zh-hant]")
    page.wait_for_load_state()
    assert page.locator("label[for=q]").inner_text() == "搜尋訊息"
    page.screenshot(path=str(ARTIFACTS / "console-group-zh-hant.png"))



def _login(page, base: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/")
    page.fill("#id_username", "amy")
    page.fill("#id_password", password)
    page.click("button.primary")


def test_operator_sees_group_health_with_charts(console, page):
    base, password = console
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base, password)
    rows = page.locator("[data-testid=health-row]")
    assert rows.count() == 4
    first = rows.first.inner_text()
    assert "书香读书会2群" in first and "僵尸群" in first, "the dying group is listed first"
    assert "归档" in first  # its first action
    page.screenshot(path=str(ARTIFACTS / "health-overview.png"), full_page=True)

    # sorting by the health score puts the lowest first
    page.click("[data-testid=health-table] th:nth-child(4)")
    scores = [int(x) for x in page.locator(
        "[data-testid=health-row] td:nth-child(4)").all_inner_texts()]
    assert scores == sorted(scores)

    page.click("[data-testid=health-table] >> text=书香读书会2群")
    page.wait_for_selector("[data-charts-ready]")
    assert page.locator("[data-testid=stage]").inner_text() == "僵尸群"
    actions = page.locator("[data-testid=actions] li").all_inner_texts()
    assert actions[0].startswith("归档此群")
    radar = page.locator("[data-chart=radar] canvas")
    assert radar.count() == 1, "the five-element radar is drawn on the first tab"

    page.click("[data-tab=activity]")
    page.wait_for_selector("[data-chart=activity] canvas")
    page.wait_for_selector("[data-chart=heatmap] canvas")
    assert page.locator("[data-testid=unanswered] li").count() > 0
    page.screenshot(path=str(ARTIFACTS / "health-group-zombie.png"), full_page=True)

    page.click("[data-tab=signals]")
    signals = page.locator("[data-testid=signals]").inner_text()
    assert "群主和管理员已经" in signals

    # the healthy ring: its network, and the member filter
    page.goto(base + "/")
    page.click("[data-testid=health-table] >> text=书香读书会1群")
    page.wait_for_selector("[data-charts-ready]")
    page.click("[data-tab=network]")
    page.wait_for_selector("[data-chart=graph] canvas")
    assert "环形" in page.locator("[data-testid=graph-reasons]").inner_text()
    page.click("[data-tab=tiers]")
    table = page.locator("[data-testid=member-table] tbody tr")
    total = table.count()
    assert total > 10
    name = page.locator("[data-testid=member-table] tbody tr td").first.inner_text()
    page.fill("[data-testid=member-filter]", name)
    visible = page.locator("[data-testid=member-table] tbody tr:not([hidden])")
    assert 1 <= visible.count() < total
    page.fill("[data-testid=member-filter]", "")
    page.click("[data-tab=network]")
    page.wait_for_timeout(1500)  # let the force layout settle for the screenshot
    page.screenshot(path=str(ARTIFACTS / "health-group-ring.png"), full_page=True)
    assert errors == []


def test_operator_uploads_an_export_and_watches_it_import(console, page):
    """The import page in a real browser: upload, the job page polls itself (HTMX) until
    the summary shows, and the new group is one click away."""
    from tests.ingest.fixtures import SHARED

    base, password = console
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + "/")
    page.fill("#id_username", "amy")
    page.fill("#id_password", password)
    page.click("button.primary")
    page.click("nav >> text=导入聊天记录")
    page.set_input_files("input[type=file]",
                         str(SHARED / "telegram" / "chat-analytics" / "DM_2A_7M.json"))
    page.click("button.primary")
    page.wait_for_selector("[data-testid=job][data-status=done]", timeout=30_000)
    summary = page.locator("[data-testid=summary]").inner_text()
    assert "telegram" in summary and "DM_2A_7M.json" in summary and "8" in summary
    assert "2019-07-05 16:55" in summary  # the export's local time, in the community zone
    page.screenshot(path=str(ARTIFACTS / "console-import-done.png"), full_page=True)
    page.click("[data-testid=summary] >> text=Bob")
    assert page.locator("[data-testid=timeline] li").count() == 8
