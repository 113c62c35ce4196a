"""Activities in a real browser: an operator creates a 21-day check-in challenge, a member
checks in on three days in a row, and the leaderboard shows the days and the streak
(Debian's chromium via Playwright)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_console import ARTIFACTS, console, page  # noqa: F401,F811 (fixtures)
from tests.browser.test_governance import login
from tests.conftest import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: the demo community's zone: the challenge's days are its local days
ZONE = ZoneInfo("Asia/Shanghai")

#: records check-ins through the service, as the chat import would, on earlier days
EARLIER_DAYS = """
from datetime import time
from qunzhu.activities import challenges
from qunzhu.activities.models import Challenge
from qunzhu.audit.log import Actor
from qunzhu.community.models import Person
from qunzhu.core.activities.schedule import local_moment

challenge = Challenge.objects.get(pk={challenge})
person = Person.objects.get(pk={person})
spec = challenge.spec()
for day in (1, 2):
    challenges.do_record_checkin(Actor.system("browser test"), challenge, person,
                                 at=local_moment(spec.day_date(day), time(7, 30), spec.zone),
                                 text="#打卡 第%d天" % day)
"""


def test_operator_runs_a_check_in_challenge(console, page, cli_env):  # noqa: F811
    base, password = console
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, base, password)

    # Activities → the check-ins tab; a new 21-day challenge that began two days ago
    page.click("nav.sections a[href$='/activities/']")
    assert page.locator("[data-testid=activity-tabs] a.current").count() == 1
    form = page.locator("[data-testid=challenge-form]")
    started = datetime.now(ZONE).date() - timedelta(days=2)
    form.locator("input[name=title]").fill("21天晨读打卡")
    form.locator("input[name=start]").fill(started.isoformat())
    assert form.locator("input[name=days]").input_value() == "21"
    form.locator("textarea[name=prompt]").fill("每天读10页，分享一句话")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=challenge-title]").inner_text() == "21天晨读打卡"
    assert "3" in page.locator("[data-testid=challenge-today]").inner_text()
    challenge = page.url.rstrip("/").rsplit("/", 1)[-1]

    # a member: days 1 and 2 as recorded from the chat, today by the operator's form
    checkin = page.locator("[data-testid=checkin-form]")
    option = checkin.locator("select[name=person] option").nth(1)
    person, name = option.get_attribute("value"), option.inner_text().strip()
    done = run_cli(cli_env, "manage", "shell", "-c",
                   EARLIER_DAYS.format(challenge=int(challenge), person=int(person)))
    assert done.returncode == 0, done.stderr
    checkin.locator("select[name=person]").select_option(person)
    checkin.locator("input[name=text]").fill("#打卡 今天读了《百年孤独》第三章")
    checkin.locator("button[type=submit]").click()
    assert name in page.locator(".flash").inner_text()

    # the leaderboard: three days of 21, a streak of three, three ticks in the strip
    row = page.locator("[data-testid=board-row]", has_text=name)
    assert row.locator("[data-testid=days]").inner_text() == "3/21"
    assert row.locator("[data-testid=streak]").inner_text() == "3"
    assert row.locator("[data-testid=strip] .mark.done").count() == 3
    assert row.locator("[data-testid=strip] .mark.open").count() == 18
    page.screenshot(path=str(ARTIFACTS / "activities-challenge.png"), full_page=True)

    # the list shows it running on day 3 with one member checked in today
    page.click("[data-testid=activity-tabs] a.current")
    listing = page.locator("[data-testid=challenges] tr", has_text="21天晨读打卡")
    assert listing.locator("td.num").last.inner_text() == "1"
