"""Governance console pages: tenant isolation, roles, the rule editor's preview and
proposal, the outbox's done button, and the public invite page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qunzhu.audit.log import Actor
from qunzhu.community.actions import do_create_operator, do_grant_access
from qunzhu.community.models import Gate, Membership
from qunzhu.governance import gates, rulebook
from qunzhu.governance.models import (
    Admission,
    Invite,
    OutboxAction,
    Proposal,
    RulebookVersion,
)
from tests.governance import add_member, post, row_counts

SYSTEM = Actor.system("test")


@pytest.fixture
def world(community, other_community, chat, other_chat):  # type: ignore[no-untyped-def]
    """A's group with a rulebook, a gate, an invite and an application; the same in B."""
    objects = {}
    for c, group in ((community, chat), (other_community, other_chat[0])):
        rulebook.do_adopt_rulebook(SYSTEM, c)
        gates.do_set_gate(SYSTEM, group, Gate.APPLICATION)
        gates.do_set_gate(SYSTEM, group, Gate.INVITATION)
        invite = gates.do_create_invite(SYSTEM, c, group=group)
        admission = gates.do_submit(SYSTEM, group, Gate.APPLICATION, name="申请人",
                                    answers={"interests": "读书", "why": "想加入"})
        objects[c.slug] = (group, invite, admission)
    return objects


def test_other_communities_governance_is_404(operator_client, community, other_community,
                                             world):
    group, invite, admission = world[other_community.slug]
    b, a = other_community.slug, community.slug
    reads = [reverse(name, args=[b]) for name in (
        "console:admission", "console:onboarding", "console:rules", "console:findings",
        "console:proposals", "console:removals", "console:outbox")]
    reads += [reverse("console:admission-detail", args=[b, admission.pk]),
              reverse("console:admission-detail", args=[a, admission.pk]),  # B's via A
              reverse("console:invite-qr", args=[a, invite.code])]
    for url in reads:
        assert operator_client.get(url).status_code == 404, url
    before = row_counts()
    writes = [(reverse("console:admission-decide", args=[a, admission.pk]),
               {"verb": "approve"}),
              (reverse("console:invite-revoke", args=[a, invite.code]), {}),
              (reverse("console:gate-set", args=[a, group.pk]), {"kind": "paid"}),
              (reverse("console:rules-adopt", args=[b]), {})]
    for url, data in writes:
        assert operator_client.post(url, data).status_code == 404, url
    assert row_counts() == before
    admission.refresh_from_db()
    assert admission.status == "pending"


def test_a_viewer_reads_but_cannot_change(client, community, world):
    viewer = do_create_operator(SYSTEM, username="vera", password="pw-long-enough-1")
    do_grant_access(SYSTEM, viewer, community, "viewer")
    client.force_login(viewer)
    group, invite, admission = world[community.slug]
    page = client.get(reverse("console:admission", args=[community.slug]))
    assert page.status_code == 200 and "申请人" in page.content.decode()
    assert 'name="verb" value="approve"' not in client.get(
        reverse("console:admission-detail", args=[community.slug, admission.pk])
    ).content.decode()
    before = row_counts()
    response = client.post(reverse("console:admission-decide",
                                   args=[community.slug, admission.pk]), {"verb": "approve"})
    assert response.status_code == 404
    assert row_counts() == before


def test_manager_approves_from_the_console_and_the_outbox_shows_the_steps(
        operator_client, community, world):
    group, invite, admission = world[community.slug]
    url = reverse("console:admission-decide", args=[community.slug, admission.pk])
    operator_client.post(url, {"verb": "approve", "text": "欢迎"})
    admission.refresh_from_db()
    assert admission.status == "approved"
    assert Membership.objects.get(person=admission.person).gate == "application"
    outbox = operator_client.get(reverse("console:outbox", args=[community.slug])).content
    assert outbox.decode().count("申请人") >= 3
    step = OutboxAction.objects.filter(community=community, source="onboarding").first()
    partial = operator_client.post(
        reverse("console:outbox-finish", args=[community.slug, step.pk]),
        {"status": "done"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    step.refresh_from_db()
    assert step.status == "done" and step.done_by == "alice"
    again = operator_client.post(
        reverse("console:outbox-finish", args=[community.slug, step.pk]),
        {"status": "dismissed"}, follow=True)
    assert "此事项已标记为" in again.content.decode()
    step.refresh_from_db()
    assert step.status == "done"


def test_rule_editor_previews_without_writing_and_proposes_a_vote(operator_client,
                                                                  community, chat, world):
    person = Membership.objects.filter(group=chat).first().person
    now = timezone.now()
    for minutes in range(3):
        post(chat, person, "兼职日结，加微信详聊", now - timedelta(minutes=minutes))
    url = reverse("console:rules", args=[community.slug])
    before = row_counts()
    page = operator_client.post(url, {"r-hard-ads-enabled": "1", "action": "preview",
                                      "days": "7"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="preview-hard-ads"' in body and "兼职" in body
    assert "rules[hard-ads].enabled" in body  # the change against the version in force
    assert row_counts() == before
    bad = operator_client.post(url, {"r-flood-enabled": "1", "r-flood-max_messages": "lots",
                                     "action": "preview"})
    assert "max_messages" in bad.content.decode() and "lots" in bad.content.decode()
    response = operator_client.post(url, {"r-hard-ads-enabled": "1", "action": "propose",
                                          "title": "开启广告规则", "reason": "广告太多",
                                          "author": str(person.pk)})
    proposal = Proposal.objects.get(community=community)
    assert response.status_code == 302 and proposal.author == person
    assert any(r["id"] == "hard-ads" and r["enabled"] for r in proposal.data["rules"])
    page = operator_client.get(reverse("console:proposal",
                                       args=[community.slug, proposal.number]))
    assert page.status_code == 200
    assert "rules[hard-ads].enabled" in page.content.decode()
    assert "false → <strong>true</strong>" in page.content.decode()
    # the rulebook itself did not change: that takes a passed vote
    assert RulebookVersion.objects.filter(community=community).count() == 1
    assert not rulebook.current_rulebook(community).rule("hard-ads").enabled


def test_invite_page_admits_through_the_invitation_gate_and_refuses_dead_invites(
        client, community, chat, world):
    group, invite, admission = world[community.slug]
    page = client.get(f"/join/{invite.code}/")
    assert page.status_code == 200 and community.name in page.content.decode()
    response = client.post(f"/join/{invite.code}/", {"gate": "invitation", "name": "新朋友"})
    assert response.status_code == 200
    joined = Admission.objects.get(name="新朋友")
    assert joined.status == "approved" and joined.invite == invite
    Invite.objects.filter(pk=invite.pk).update(expires=timezone.now() - timedelta(days=1))
    dead = client.get(f"/join/{invite.code}/")
    assert dead.status_code == 410
    assert client.get("/join/nosuchcode/").status_code == 404
    missing = client.post(f"/join/{world[community.slug][1].code}/",
                          {"gate": "application", "name": "x"})
    assert missing.status_code == 410  # the invite is dead: nothing is submitted
    assert not Admission.objects.filter(name="x").exists()


def test_recommendation_is_offered_only_with_an_inviter(client, community, chat, world):
    gates.do_set_gate(SYSTEM, chat, Gate.RECOMMENDATION)
    member = add_member(chat, "老会员", roles=("manager",))
    plain = gates.do_create_invite(SYSTEM, community, group=chat)
    personal = gates.do_create_invite(SYSTEM, community, group=chat, inviter=member.person)
    assert 'data-testid="gate-recommendation"' not in client.get(
        f"/join/{plain.code}/").content.decode()
    body = client.get(f"/join/{personal.code}/").content.decode()
    assert 'data-testid="gate-recommendation"' in body and "老会员" in body
