"""The console in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
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
    assert run_cli(cli_env, "demo", "--end", date.today().isoformat()).returncode == 0
    created = run_cli(cli_env, "operator", "create", "amy", "-c", "reading-club",
                      "--role", "owner", "--password", "browser-test-pw")
    assert created.returncode == 0, created.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "serve", "--port", str(port)],
                              env=cli_env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login/").close()
            break
        except OSError:
            time.sleep(0.1)
    yield base, "browser-test-pw"
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

    page.click("text=书香读书会1群")
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
