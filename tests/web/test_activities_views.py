"""Activities console pages: check-in challenges, 接龙, homework, sharing, points & badges.
Each page for a manager and a viewer, the main forms end to end, refusals shown as
messages, and tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qunzhu.activities import chains, challenges, homework, points, sharing
from qunzhu.activities.models import Challenge, Session, SharingMode
from qunzhu.audit.log import Actor
from qunzhu.community.actions import do_create_operator, do_grant_access
from tests.governance import SHANGHAI, add_member, base_time, make_group, row_counts

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def manager(operator_client):  # type: ignore[no-untyped-def]
    operator_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return operator_client


@pytest.fixture
def viewer(client, community):  # type: ignore[no-untyped-def]
    user = do_create_operator(SYSTEM, username="vera", password="pw-long-enough-1")
    do_grant_access(SYSTEM, user, community, "viewer")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


@pytest.fixture
def world(community):  # type: ignore[no-untyped-def]
    """One of each activity in the community, with two members taking part."""
    group = make_group(SYSTEM, community, name="读书1群")
    amy = add_member(group, "小美").person
    bo = add_member(group, "阿博").person
    challenge = challenges.do_create_challenge(SYSTEM, community, title="晨读21天",
                                               start=today(), group=group)
    challenges.do_record_checkin(SYSTEM, challenge, amy, text="#打卡 读了10页")
    challenges.do_enrol(SYSTEM, challenge, bo)
    chain = chains.do_create_chain(SYSTEM, community, title="周六读书会", fields=["人数"],
                                   limit=2, group=group)
    assignment = homework.do_create_assignment(SYSTEM, community, title="读后感",
                                               due=base_time(7), group=group)
    homework.do_submit(SYSTEM, assignment, amy, text="很好的一本书")
    series = sharing.do_create_series(SYSTEM, community, title="周四分享",
                                      mode=SharingMode.ROTATION, weekday=3,
                                      at=base_time().time(), group=group,
                                      speakers=[amy, bo])
    return {"group": group, "amy": amy, "bo": bo, "challenge": challenge, "chain": chain,
            "assignment": assignment, "series": series}


def pages(slug: str, world: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {
        "activities": reverse("console:activities", args=[slug]),
        "challenge": reverse("console:challenge", args=[slug, world["challenge"].pk]),
        "chains": reverse("console:chains", args=[slug]),
        "chain": reverse("console:chain", args=[slug, world["chain"].pk]),
        "homework": reverse("console:homework", args=[slug]),
        "assignment": reverse("console:assignment", args=[slug, world["assignment"].pk]),
        "sharing": reverse("console:sharing", args=[slug]),
        "series": reverse("console:sharing-series", args=[slug, world["series"].pk]),
        "points": reverse("console:points", args=[slug]),
    }


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def send(client, url: str, data: dict, page: str):  # type: ignore[no-untyped-def,type-arg]
    """Post a form as the page does (it names itself as the page to come back to)."""
    return client.post(url, {**data, "next": page}, follow=True)


def forms_of(html: str, slug: str) -> int:
    """Forms that change activities or points (the language and logout forms aside)."""
    return (html.count(f'action="/c/{slug}/activities/')
            + html.count(f'action="/c/{slug}/points/'))


EXPECTED = {"activities": "晨读21天", "challenge": "小美", "chains": "周六读书会",
            "chain": "#接龙", "homework": "读后感", "assignment": "很好的一本书",
            "sharing": "周四分享", "series": "阿博", "points": "小美"}


def test_every_page_renders_for_a_manager_with_its_forms(manager, community, world):
    for name, url in pages(community.slug, world).items():
        response = manager.get(url)
        html = body(response)
        assert response.status_code == 200, name
        assert EXPECTED[name] in html, name
        assert forms_of(html, community.slug) > 0, name
    nav = body(manager.get(reverse("console:activities", args=[community.slug])))
    assert f'href="/c/{community.slug}/activities/campaigns/"' in nav
    assert f'href="/c/{community.slug}/points/board/"' in nav


def test_a_viewer_sees_every_page_but_no_form(viewer, community, world):
    for name, url in pages(community.slug, world).items():
        response = viewer.get(url)
        html = body(response)
        assert response.status_code == 200, name
        assert EXPECTED[name] in html, name
        assert forms_of(html, community.slug) == 0, name
    before = row_counts()
    url = reverse("console:challenge-checkin", args=[community.slug, world["challenge"].pk])
    assert viewer.post(url, {"person": world["bo"].pk}).status_code == 404
    assert row_counts() == before


def test_a_manager_of_another_community_gets_404(client, community, other_community, world):
    stranger = do_create_operator(SYSTEM, username="otto", password="pw-long-enough-2")
    do_grant_access(SYSTEM, stranger, other_community, "manager")
    client.force_login(stranger)
    for name, url in pages(community.slug, world).items():
        assert client.get(url).status_code == 404, name
    # the ids of this community's rows through the other community's address
    for name, url in pages(other_community.slug, world).items():
        if name not in ("activities", "chains", "homework", "sharing", "points"):
            assert client.get(url).status_code == 404, name
    before = row_counts()
    slug, pk = community.slug, world["challenge"].pk
    for url, data in [
            (reverse("console:challenge-checkin", args=[slug, pk]), {"person": world["bo"].pk}),
            (reverse("console:challenge-checkin", args=[other_community.slug, pk]),
             {"person": world["bo"].pk}),
            (reverse("console:challenge-create", args=[slug]),
             {"title": "x", "start": today().isoformat()}),
            (reverse("console:points-spend", args=[slug]),
             {"person": world["amy"].pk, "cost": 1, "reason": "x"})]:
        assert client.post(url, data).status_code == 404, url
    assert row_counts() == before
    assert Challenge.objects.filter(community=other_community).count() == 0


def test_creating_a_challenge_in_the_console(manager, community):
    group = make_group(SYSTEM, community, name="晨跑群")
    response = manager.post(reverse("console:challenge-create", args=[community.slug]), {
        "title": "早起打卡", "group": group.pk, "start": today().isoformat(), "days": "21",
        "prompt": "6点前起床", "keyword": "#早起", "min_length": "0", "makeup_limit": "2",
        "makeup_window": "3", "remind_at": "07:30", "summary_at": "22:00"}, follow=True)
    html = body(response)
    challenge = Challenge.objects.get(community=community)
    assert (challenge.title, challenge.keyword, challenge.days) == ("早起打卡", "#早起", 21)
    assert challenge.remind_at.strftime("%H:%M") == "07:30"
    assert response.redirect_chain[-1][0].endswith(f"/activities/checkins/{challenge.pk}/")
    assert "Challenge “早起打卡” created" in html
    assert "Today is day 1 of 21." in html
    assert "07:30" in html  # the next reminder, local time
    listing = body(manager.get(reverse("console:activities", args=[community.slug])))
    assert "早起打卡" in listing and "day 1 of 21" in listing and "晨跑群" in listing
    bad = manager.post(reverse("console:challenge-create", args=[community.slug]), {
        "title": "太长", "start": today().isoformat(), "days": "400"}, follow=True)
    assert "A challenge lasts 1 to 366 days, not 400." in body(bad)
    assert Challenge.objects.filter(community=community).count() == 1


def test_a_checkin_recorded_in_the_console_shows_on_the_board(manager, community, world):
    challenge, bo = world["challenge"], world["bo"]
    url = reverse("console:challenge-checkin", args=[community.slug, challenge.pk])
    page = reverse("console:challenge", args=[community.slug, challenge.pk])
    html = body(send(manager, url, {"person": bo.pk, "text": "读完第一章"}, page))
    assert "阿博 checked in for day 1." in html
    board = html[html.index('data-testid="board"'):]
    row = board[board.index("阿博"):]
    row = row[:row.index("</tr>")]
    assert "1/21" in row and '<td class="num" data-testid="streak">1</td>' in row
    assert '<span class="mark done"' in row
    again = body(send(manager, url, {"person": bo.pk}, page))
    assert "阿博 already checked in on day 1." in again


def test_certificate_for_a_member_who_completed_and_not_for_one_who_did_not(
        manager, community, world):
    start = base_time()
    challenge = challenges.do_create_challenge(SYSTEM, community, title="两天挑战",
                                               start=start.date(), days=2)
    amy, bo = world["amy"], world["bo"]
    for day in (0, 1):
        challenges.do_record_checkin(SYSTEM, challenge, amy,
                                     at=start + timedelta(days=day, hours=9))
    challenges.do_record_checkin(SYSTEM, challenge, bo, at=start + timedelta(hours=9))
    page = body(manager.get(reverse("console:challenge", args=[community.slug, challenge.pk])))
    url = reverse("console:challenge-certificate", args=[community.slug, challenge.pk, amy.pk])
    assert f'href="{url}?lang=zh-hans"' in page
    response = manager.get(url + "?lang=zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    refused = manager.get(reverse("console:challenge-certificate",
                                  args=[community.slug, challenge.pk, bo.pk]) + "?lang=en")
    assert refused.status_code == 302
    assert refused["Location"] == reverse("console:challenge", args=[community.slug,
                                                                     challenge.pk])
    assert "阿博 has not completed this challenge." in body(manager.get(refused["Location"]))


def test_pasting_a_chain_adds_names_and_reports_those_over_the_limit(manager, community,
                                                                     world):
    chain = world["chain"]
    page = reverse("console:chain", args=[community.slug, chain.pk])
    pasted = "#接龙\n周六读书会\n限2人\n\n例 姓名 人数\n\n1. 小美 2\n2. 阿博 1\n3. 老王 1\n"
    paste = reverse("console:chain-paste", args=[community.slug, chain.pk])
    response = send(manager, paste, {"pasted": pasted}, page)
    html = body(response)
    assert "2 added, 1 over the limit, 0 already there." in html
    assert "Not added, the 接龙 is full: 老王" in html
    entries = html[html.index('data-testid="entries"'):]
    assert "小美" in entries and "阿博" in entries and "老王" not in entries
    text = html[html.index('data-testid="chain-text-body"'):]
    assert "1. 小美 2" in text and "2. 阿博 1" in text
    again = body(send(manager, paste, {"pasted": "1. 小美 2"}, page))
    assert "0 added, 0 over the limit, 1 already there." in again
    bad = body(send(manager, paste, {"pasted": "hello"}, page))
    assert "This is not a 接龙" in bad


def test_asking_for_a_redo_without_feedback_is_refused_on_the_page(manager, community,
                                                                   world):
    assignment = world["assignment"]
    submission = assignment.submissions.get()
    url = reverse("console:submission-review",
                  args=[community.slug, assignment.pk, submission.pk])
    page = reverse("console:assignment", args=[community.slug, assignment.pk])
    html = body(send(manager, url, {"verdict": "redo", "feedback": " "}, page))
    assert "Say what to improve when asking for a redo." in html
    submission.refresh_from_db()
    assert submission.review == "waiting"
    html = body(send(manager, url, {"verdict": "passed", "featured": "1",
                                    "feedback": "写得真好"}, page))
    assert "Review of 小美 saved: passed." in html and "写得真好" in html
    announced = body(send(manager, reverse("console:assignment-announce",
                                           args=[community.slug, assignment.pk]), {}, page))
    assert "The announcement of the excellent works is in the outbox." in announced


def test_an_absence_in_a_rotation_moves_the_turn_to_the_next_speaker(manager, community,
                                                                     world):
    series, amy, bo = world["series"], world["amy"], world["bo"]
    first = Session.objects.filter(series=series).order_by("at").first()
    assert first.speaker == amy
    url = reverse("console:session-absent", args=[community.slug, series.pk, first.pk])
    page = reverse("console:sharing-series", args=[community.slug, series.pk])
    html = body(send(manager, url, {"person": amy.pk, "reason": "出差"}, page))
    assert "小美 skips this session and keeps their place; the speaker is now 阿博." in html
    first.refresh_from_db()
    assert first.speaker == bo
    planned = html[html.index('data-testid="planned"'):]
    session = planned[planned.index(f'id="session-{first.pk}"'):]
    assert 'data-testid="speaker">阿博<' in session
    assert "小美 cannot speak: 出差" in session
    # in a rotation the speaker is not set by hand
    refused = body(send(manager, reverse("console:session-set",
                                         args=[community.slug, series.pk, first.pk]),
                        {"topic": "读书方法", "speaker": amy.pk}, page))
    assert "In a rotation the turn decides the speaker" in refused


def test_the_points_policy_refuses_a_negative_number(manager, community, world):
    url = reverse("console:points-policy", args=[community.slug])
    page = reverse("console:points", args=[community.slug])
    before = points.policy(community)
    data = {f"p-{act}": str(n) for act, n in before.items()}
    html = body(send(manager, url, {**data, "p-checkin": "-1"}, page))
    assert "a day checked in: at least 0, not -1." in html
    assert points.policy(community) == before
    html = body(send(manager, url, {**data, "p-checkin": "5"}, page))
    assert "Points policy saved." in html
    assert points.policy(community)["checkin"] == 5
    assert 'name="p-checkin" value="5"' in html


def test_leaderboard_by_period_and_group_badges_privileges_and_spending(manager, community,
                                                                         world):
    amy = world["amy"]
    slug = community.slug
    board = reverse("console:points", args=[slug])
    html = body(manager.get(board + f"?period=week&group={world['group'].pk}"))
    leaders = html[html.index('data-testid="leaderboard"'):html.index('data-testid="policy"')]
    assert "小美" in leaders and "阿博" not in leaders
    manager.post(reverse("console:badge-save", args=[slug]), {
        "code": "early-bird", "name": "早起鸟", "metric": "checkins", "at_least": "1"})
    manager.post(reverse("console:privilege-save", args=[slug]), {
        "name": "会员价", "kind": "member_price", "badge": community.badges.get(
            code="early-bird").pk, "description": "课程八折"})
    manager.post(reverse("console:points-grant", args=[slug]), {
        "person": amy.pk, "amount": "10", "reason": "帮忙整理书单", "next": board})
    html = body(send(manager, reverse("console:points-spend", args=[slug]), {
        "person": amy.pk, "cost": "5", "reason": "换书签"}, board))
    assert "小美 spent 5 points." in html
    badges = html[html.index('data-testid="badges"'):html.index('data-testid="privileges"')]
    assert "早起鸟" in badges and "days checked in ≥ 1" in badges
    assert "会员价" in html and "课程八折" in html
    ledger = html[html.index('data-testid="ledger"'):]
    assert "帮忙整理书单" in ledger and "换书签" in ledger and "-5" in ledger
    refused = body(send(manager, reverse("console:points-spend", args=[slug]), {
        "person": amy.pk, "cost": "999", "reason": "太多"}, board))
    assert "spending 999 is not possible" in refused


def test_an_outcome_elimination_can_count_a_challenges_check_ins(operator_client, community,
                                                                   system_actor):
    from datetime import timedelta

    from django.utils import timezone

    from qunzhu.activities import challenges
    from qunzhu.governance.models import RemovalProposal
    from tests.governance import add_member, make_group

    group = make_group(system_actor, community)
    keen, idle = add_member(group, "小美").person, add_member(group, "阿博").person
    today = timezone.now().astimezone(community.zone).date()
    challenge = challenges.do_create_challenge(system_actor, community, title="晨读",
                                               start=today - timedelta(days=1), days=21)
    challenges.do_use_makeup(system_actor, challenge, keen, 1)
    challenges.do_record_checkin(system_actor, challenge, keen)
    challenges.do_enrol(system_actor, challenge, idle)
    page = operator_client.get("/c/books/removals/", HTTP_ACCEPT_LANGUAGE="en")
    assert "or the check-ins of" in page.content.decode() and "晨读" in page.content.decode()
    made = operator_client.post("/c/books/removals/new/", {
        "group": group.pk, "kind": "outcome", "required": "2", "pattern": "#打卡",
        "challenge": challenge.pk}, follow=True)
    assert made.status_code == 200
    proposal = RemovalProposal.objects.get()
    assert [c.person for c in proposal.candidates.all()] == [idle]
