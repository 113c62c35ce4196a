"""What a member does in the portal, and what the operator then sees in the console."""

from __future__ import annotations

from datetime import time, timedelta

import orjson
import pytest
from django.utils import timezone

from qunzhu.activities import chains, challenges, homework, points, sharing
from qunzhu.activities.models import (
    ChainEntry,
    CheckIn,
    Review,
    SharingMode,
    Source,
    Submission,
)
from qunzhu.audit.log import Actor
from qunzhu.community.models import Message, Person
from qunzhu.governance import rulebook, votes
from qunzhu.governance.models import Ballot, Channel, Invite
from qunzhu.portal.models import ErasureRequest
from tests.governance import post

pytestmark = pytest.mark.django_db
A = Actor.system("t")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_check_in_make_up_and_the_operator_sees_it(member, operator_client, community,
                                                   group, amy):
    today = timezone.now().astimezone(community.zone).date()
    challenge = challenges.do_create_challenge(A, community, title="晨读",
                                               start=today - timedelta(days=1), days=21,
                                               group=group, min_length=4)
    url = f"/m/c/books/checkin/{challenge.pk}/"
    short = member.post(url, {"text": "读了"}, follow=True, **EN)
    assert "at least 4 characters" in text(short)
    done = member.post(url, {"text": "读了《活着》二十页"}, follow=True, **EN)
    assert "Checked in" in text(done) and "Done for today" in text(done)
    made = member.post(url, {"makeup": "1", "text": "昨天读了"}, follow=True, **EN)
    assert 'data-testid="streak">2<' in text(made)
    assert list(CheckIn.objects.values_list("day", "source")) == [
        (1, Source.MAKEUP), (2, Source.PORTAL)]
    early = member.get(f"{url}certificate/", follow=True, **EN)
    assert "has not completed" in text(early)
    board = operator_client.get(f"/c/books/activities/checkins/{challenge.pk}/", **EN)
    assert "小美" in text(board) and "2/21" in text(board)


def test_join_a_chain_volunteer_and_hand_in_homework(member, community, group, amy, bo):
    chain = chains.do_create_chain(A, community, title="周六见", fields=["人数"], limit=2)
    url = f"/m/c/books/chain/{chain.pk}/"
    assert "Add me" in text(member.get(url, **EN))
    member.post(url, {"f0": "2"})
    assert chain.entries.get().person == amy
    assert "already on this" in text(member.post(url, {"f0": "1"}, follow=True, **EN))
    series = sharing.do_create_series(A, community, title="分享", mode=SharingMode.ROTATION,
                                      weekday=3, at=time(20, 0), speakers=[bo], plan=2)
    member.post(f"/m/c/books/sharing/{series.pk}/")
    assert [s.speaker for s in series.sessions.order_by("at")] == [amy, bo] or \
        [s.speaker for s in series.sessions.order_by("at")] == [bo, amy]
    assert series.speakers.filter(pk=amy.pk).exists()
    task = homework.do_create_assignment(A, community, title="笔记",
                                         due=timezone.now() + timedelta(days=1))
    hurl = f"/m/c/books/homework/{task.pk}/"
    assert "needs the work itself" in text(member.post(hurl, {"text": ""}, follow=True, **EN))
    member.post(hurl, {"text": "我的笔记"})
    mine = Submission.objects.get(person=amy)
    assert mine.source == Source.PORTAL
    homework.do_review(A, mine, verdict=Review.REDO, feedback="多写一点")
    page = text(member.get(hurl, **EN))
    assert "多写一点" in page and "Hand in again" in page
    member.post(hurl, {"text": "重写的笔记"})
    assert Submission.objects.get(person=amy).text == "重写的笔记"


def test_a_secret_vote(member, operator_client, community, group, amy, bo):
    rulebook.do_adopt_rulebook(A, community, reason="t")
    data = rulebook.current_rulebook(community).to_data()
    data["rules"][0]["enabled"] = True  # a proposal must change something
    started = timezone.now() - timedelta(days=3)  # discussion over, voting open
    proposal = votes.do_propose_rules(A, community, title="改规则", reason="试试",
                                      data=data, now=started)
    url = f"/m/c/books/votes/{proposal.number}/"
    assert "Secret ballot" in text(member.get(url, **EN))
    member.post(url, {"choice": "no"})
    member.post(url, {"choice": "yes"})  # changed while open
    assert list(Ballot.objects.values_list("person", "choice")) == [(amy.pk, "yes")]
    assert "Your vote: yes" in text(member.get(url, **EN))
    from django.test import Client

    from .conftest import sign_in

    other = sign_in(Client(), bo)
    assert 'data-testid="my-vote"' not in text(other.get(url, **EN))  # not 小美's ballot
    console = text(operator_client.get(f"/c/books/votes/{proposal.number}/", **EN))
    assert "小美: " not in console


def test_points_badges_and_the_personal_invite(member, community, amy):
    from qunzhu.governance.points import do_grant_points

    do_grant_points(A, amy, 15, "helped a newcomer")
    points.ensure_badges(community)
    page = text(member.get("/m/c/books/me/", **EN))
    assert 'data-testid="points">15<' in page and "helped a newcomer" in page
    member.post("/m/c/books/me/")
    invite = Invite.objects.get()
    assert (invite.inviter, invite.channel) == (amy, Channel.MEMBER)
    assert invite.code in text(member.get("/m/c/books/me/", **EN))
    member.post("/m/c/books/me/")
    assert Invite.objects.count() == 1


def test_profile_export_and_erasure(member, operator_client, community, group, amy, bo):
    member.post("/m/c/books/profile/", {"display_name": "小美", "interests": "文学，历史",
                                        "skills": "", "needs": "读书搭子",
                                        "consent_introduce": "on"})
    amy.refresh_from_db()
    assert (amy.interest_tags, amy.needs, amy.consent_introduce) == (
        ["文学", "历史"], ["读书搭子"], True)
    now = timezone.now()
    post(group, amy, "我的消息", now)
    post(group, bo, "别人的消息", now)
    data = orjson.loads(member.get("/m/c/books/profile/export/").content)
    assert [m["text"] for m in data["messages"]] == ["我的消息"]
    assert data["person"]["interests"] == ["文学", "历史"]
    from qunzhu.activities.chains import do_create_chain, do_join_chain

    do_join_chain(A, do_create_chain(A, community, title="周六", fields=[]), amy, [])
    member.post("/m/c/books/profile/erase/", {"reason": "不再使用"}, **EN)
    wish = ErasureRequest.objects.get()
    outbox = text(operator_client.get("/c/books/outbox/", **EN))
    assert "asks for everything about them to be erased" in outbox
    person_page = text(operator_client.get(f"/c/books/p/{amy.pk}/", **EN))
    assert "erased" in person_page and "不再使用" in person_page
    operator_client.post(f"/c/books/people/erasures/{wish.pk}/erase/", {"note": "done"})
    assert not Person.objects.filter(pk=amy.pk).exists()
    assert not ChainEntry.objects.filter(name="小美").exists()
    assert list(Message.objects.values_list("text", flat=True)) == ["别人的消息"]
    assert member.get("/m/c/books/").status_code == 302  # gone: back to signing in


def test_the_operator_makes_a_sign_in_code(operator_client, community, amy):
    response = operator_client.post(f"/c/books/p/{amy.pk}/portal-code/", follow=True, **EN)
    page = text(response)
    assert "Sign-in code for 小美" in page and "/m/login/" in page


def test_a_second_sign_in_in_one_community_replaces_the_first(member, community, amy, bo):
    from .conftest import sign_in

    sign_in(member, bo)
    assert "Hello, 阿博" in text(member.get("/m/c/books/", **EN))


def test_a_removed_member_loses_the_portal(member, client, community, amy):
    from qunzhu.community.models import Membership, MembershipStatus

    Membership.objects.filter(person=amy).update(status=MembershipStatus.REMOVED)
    assert member.get("/m/c/books/").status_code == 302  # back to signing in
    from qunzhu.portal import services as portal

    code = portal.do_issue_code(A, amy)
    refused = client.post("/m/login/", {"code": code}, **EN)
    assert refused.status_code == 400 and "not in any of this community" in text(refused)


def test_a_bad_make_up_day_is_a_message_not_an_error(member, community, group):
    today = timezone.now().astimezone(community.zone).date()
    challenge = challenges.do_create_challenge(A, community, title="晨读", start=today,
                                               days=3, group=group)
    page = member.post(f"/m/c/books/checkin/{challenge.pk}/", {"makeup": "abc"},
                       follow=True, **EN)
    assert page.status_code == 200 and "Choose the day" in text(page)


def test_erasure_leaves_no_name_in_the_audit_log(member, operator_client, community, amy):
    from qunzhu.audit.models import AuditEntry
    from qunzhu.portal import services as portal

    member.post("/m/c/books/profile/", {"display_name": "小美", "interests": "私人爱好"})
    wish = portal.do_request_erasure(amy, "隐私")
    portal.do_erase(A, wish)
    dump = str(list(AuditEntry.objects.values_list("actor_label", "object_repr", "before",
                                                    "after", "reason")))
    assert "小美" not in dump and "私人爱好" not in dump
    wish.refresh_from_db()
    assert (wish.name, wish.reason, wish.status) == ("", "", "done")
