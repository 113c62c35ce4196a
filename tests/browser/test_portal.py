"""The member portal on a phone-sized Chromium (390×844): from an invite link through the
application gate to a signed-in member who checks in on three days (the server's clock
moved a day at a time), votes and sees their points — and the operator sees every step."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import REPO, run_cli

from .test_console import ARTIFACTS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}

SETUP = """
from datetime import date
from qunzhu.activities.challenges import do_create_challenge
from qunzhu.audit.log import Actor
from qunzhu.community.models import Community
c = Community.objects.get(slug="reading-club")
g = c.groups.order_by("series_index", "pk").first()
made = do_create_challenge(Actor.system("test"), c, title="三天早起", start=date.fromisoformat(
    "{start}"), days=3, group=g, min_length=2)
print(made.pk)
"""


class Server:
    """``qunzhu serve`` that can be restarted with the clock moved on."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, shift_days: int = 0) -> None:
        self.stop()
        env = {**self.env, "QUNZHU_CLOCK_SHIFT_DAYS": str(shift_days)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qunzhu.cli", "serve", "--port", str(self.port),
             "--no-scheduler"], env=env, cwd=REPO)
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/m/login/").close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def server(cli_env: dict[str, str]) -> Iterator[Server]:
    up = run_cli(cli_env, "up", "--no-serve")  # loads the demo, prints a member's code
    assert up.returncode == 0, up.stderr
    demo_code = re.search(r"with the code ([2-9A-Z]{8})", up.stdout)
    assert demo_code, up.stdout
    created = run_cli(cli_env, "operator", "create", "amy", "-c", "reading-club",
                      "--role", "owner", "--password", "browser-test-pw")
    assert created.returncode == 0, created.stderr
    running = Server(cli_env)
    running.demo_code = demo_code.group(1)  # type: ignore[attr-defined]
    running.start()
    yield running
    running.stop()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (scripts/test.sh does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM,
                                      args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"portal-{name}.png"), full_page=True)


def test_invite_to_checked_in_voting_member(server, browser, cli_env):
    base = server.base
    operator = browser.new_context(viewport={"width": 1280, "height": 900},
                                   locale="zh-CN").new_page()
    operator.goto(base + "/login/")
    operator.fill("#id_username", "amy")
    operator.fill("#id_password", "browser-test-pw")
    operator.click("button.primary")
    operator.goto(base + "/c/reading-club/admission/")
    link = operator.locator("[data-testid=invites] tbody tr").filter(
        has_text="书香读书会1群").locator("a").first.get_attribute("href")
    assert link and "/join/" in link

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                has_touch=True).new_page()
    # 1. the invite: purpose, rules, the application gate
    phone.goto(base + link[link.index("/join/"):])
    assert phone.locator("h1").inner_text() == "书香读书会"
    shot(phone, "join")
    form = phone.locator("[data-testid=gate-application]")
    form.locator("input[name=name]").fill("晨读的猫")
    form.locator("input[name=a-interests]").fill("散文")
    form.locator("input[name=a-why]").fill("想每天早起读书")
    form.locator("button[type=submit]").click()
    expect(phone.locator("[data-testid=result]")).to_contain_text("等待")

    # 2. the operator approves, and makes her a sign-in code
    operator.goto(base + "/c/reading-club/admission/")
    operator.locator("[data-testid=queue] a", has_text="晨读的猫").click()
    operator.fill("[data-testid=decide] textarea[name=text]", "欢迎")
    operator.click("[data-testid=decide] button[value=approve]")
    operator.locator("a", has_text="成员页").click()
    assert operator.locator("h1").inner_text() == "晨读的猫"
    operator.click("[data-testid=portal] button")
    message = operator.locator("ul.flash li").first.inner_text()
    code = re.search(r"[:：]\s*([2-9A-Z]{8})", message)
    assert code, message

    # 3. she signs in with the code
    phone.goto(base + "/m/login/")
    shot(phone, "login")
    phone.fill("#code", code.group(1))
    phone.click("button.primary")
    expect(phone.locator("h1")).to_contain_text("晨读的猫")

    # 4. three days of check-ins; the server's clock moves on a day at a time
    start = date.today().isoformat()
    out = run_cli(cli_env, "manage", "shell", "-c", SETUP.replace("{start}", start))
    assert out.returncode == 0, out.stderr
    challenge = out.stdout.split()[-1]
    assert challenge.isdigit(), out.stdout
    url = f"{base}/m/c/reading-club/checkin/{challenge}/"
    for day in range(3):
        if day:
            server.start(shift_days=day)
        phone.goto(url)
        phone.fill("#text", f"第{day + 1}天：读了十页")
        phone.click("form button.primary")
        expect(phone.locator("[data-testid=days]")).to_have_text(str(day + 1))
        expect(phone.locator("[data-testid=streak]")).to_have_text(str(day + 1))
    shot(phone, "checkin")
    expect(phone.locator("[data-testid=certificate]")).to_have_count(1)

    # 5. she votes on the open proposal (secret ballot)
    phone.goto(base + "/m/c/reading-club/votes/")
    shot(phone, "votes")
    phone.locator("a", has_text="#").first.click()
    phone.click("button[value=yes]")
    expect(phone.locator("[data-testid=my-vote]")).to_have_count(1)
    shot(phone, "vote")

    # the demo's 接龙, sharing series and homework, from her home page
    for name, label, check in (("chain", "周六线下读书会", "button.primary"),
                               ("sharing", "周四共读分享会", "button.primary"),
                               ("homework", "《活着》读书笔记", "#text")):
        phone.goto(base + "/m/c/reading-club/")
        phone.locator("a", has_text=label).click()
        expect(phone.locator(check)).to_have_count(1)
        shot(phone, name)
    phone.goto(base + "/m/c/reading-club/")
    phone.locator("a", has_text="周六线下读书会").click()
    phone.click("button.primary")
    expect(phone.locator("[data-testid=entries]")).to_contain_text("晨读的猫")

    # 6. points: three check-ins and the finish
    phone.goto(base + "/m/c/reading-club/me/")
    assert int(phone.locator("[data-testid=points]").inner_text()) >= 3 * 2 + 20
    shot(phone, "me")
    phone.goto(base + "/m/c/reading-club/profile/")
    shot(phone, "profile")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "nothing overflows a 390 px screen"

    # 7. and the operator sees it all
    operator.goto(f"{base}/c/reading-club/activities/checkins/{challenge}/")
    row = operator.locator("tr", has_text="晨读的猫")
    assert "3/3" in row.inner_text()
    operator.goto(base + "/c/reading-club/points/board/?period=all")
    assert "晨读的猫" in operator.locator("body").inner_text()

    # the code `qunzhu up` printed for a demo member works too
    demo = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    demo.goto(base + "/m/login/")
    demo.fill("#code", server.demo_code)
    demo.click("button.primary")
    expect(demo.locator("[data-testid=balance]")).to_have_count(1)
    shot(demo, "home")
