"""Governance in a real browser: the application queue, a joiner through an invite link,
the outbox, a recorded vote and the rules preview (Debian's chromium via Playwright)."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_console import ARTIFACTS, console, page  # noqa: F401,F811 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base: str, password: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(base + "/login/")
    page.fill("#id_username", "amy")
    page.fill("#id_password", password)
    page.click("button.primary")


def test_application_queue_joiner_outbox_and_vote(console, page):  # noqa: F811
    base, password = console
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, base, password)

    # the demo left two applications waiting; approve one with a reason
    page.click("nav.sections >> text=门槛与申请")
    queue = page.locator("[data-testid=queue]")
    assert "林小满" in queue.inner_text()
    page.screenshot(path=str(ARTIFACTS / "governance-admission.png"), full_page=True)
    queue.locator("a", has_text="林小满").click()
    assert "想找人一起读《百年孤独》" in page.locator("[data-testid=answers]").inner_text()
    page.fill("[data-testid=decide] textarea[name=text]", "回答认真，欢迎")
    page.click("[data-testid=decide] button[value=approve]")
    assert page.locator("[data-testid=status]").inner_text() == "已通过"
    assert "回答认真，欢迎" in page.locator("[data-testid=notes]").inner_text()

    # her onboarding steps wait in the outbox; one is marked done in place
    page.click("nav.sections >> text=待办")
    steps = page.locator("[data-testid=action]", has_text="林小满")
    assert steps.count() == 3
    texts = page.locator("[data-testid=outbox]").inner_text()
    assert "欢迎" in texts and "自我介绍" in texts
    page.screenshot(path=str(ARTIFACTS / "governance-outbox.png"), full_page=True)
    steps.first.locator("button[value=done]").click()
    page.wait_for_timeout(500)  # htmx swaps the step in place
    page.reload()
    assert page.locator("[data-testid=action]", has_text="林小满").count() == 2

    # a stranger opens the member's invite link and applies
    page.click("nav.sections >> text=门槛与申请")
    link = page.locator("[data-testid=invites] tbody tr").filter(
        has_text="书香读书会1群").locator("a").first.get_attribute("href")
    assert link and "/join/" in link
    stranger = page.context.browser.new_context(locale="zh-CN").new_page()
    stranger.goto(base + link[link.index("/join/"):])
    form = stranger.locator("[data-testid=gate-application]")
    form.locator("input[name=name]").fill("周末读者")
    form.locator("input[name=a-interests]").fill("推理小说")
    form.locator("input[name=a-why]").fill("周末想有人一起聊书")
    form.locator("button[type=submit]").click()
    assert "等待" in stranger.locator("[data-testid=result]").inner_text()
    stranger.screenshot(path=str(ARTIFACTS / "governance-join.png"), full_page=True)
    page.reload()
    assert "周末读者" in page.locator("[data-testid=queue]").inner_text()

    # the open vote: record a member's ballot; closing early is refused with the deadline
    page.click("nav.sections >> text=投票")
    page.locator("[data-testid=proposals] a").first.click()
    def abstained() -> int:
        text = page.locator("[data-testid=tally]").inner_text()
        return int(re.search(r"弃权\s*(\d+)", text).group(1))

    before = abstained()
    options = page.locator("[data-testid=vote-form] select[name=person] option")
    page.select_option("[data-testid=vote-form] select[name=person]",
                       options.nth(options.count() - 1).get_attribute("value"))
    page.check("[data-testid=vote-form] input[value=abstain]")
    page.click("[data-testid=vote-form] button[type=submit]")
    assert "已记录" in page.locator(".flash").inner_text()
    assert abstained() == before + 1
    page.screenshot(path=str(ARTIFACTS / "governance-vote.png"), full_page=True)
    page.click("text=结束并计票")
    assert "投票截止" in page.locator(".flash").inner_text()

    # the rules page previews what the proposed rules would have caught
    page.click("nav.sections >> text=群规")
    page.check("[data-testid=rule-hard-ads] summary input[type=checkbox]")
    page.click("button[value=preview]")
    preview = page.locator("[data-testid=preview]")
    assert re.search(r"\d", preview.locator("[data-testid=preview-hard-ads]").inner_text())
    page.screenshot(path=str(ARTIFACTS / "governance-rules.png"), full_page=True)
