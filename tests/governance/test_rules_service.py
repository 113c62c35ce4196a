"""The rulebook service: adoption, the advisory preview, enforcement, strikes, announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Group, MembershipStatus
from qunzhu.governance import gates, onboarding, rulebook
from qunzhu.governance.elimination import do_decide_removal
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    Enforcement,
    Finding,
    OutboxAction,
    RemovalCandidate,
    RemovalProposal,
    RulebookVersion,
    Strike,
)

from . import (
    add_member,
    base_time,
    make_group,
    pass_rules,
    post,
    row_counts,
    rulebook_data,
)

T0 = base_time()


@pytest.fixture
def group(community, system_actor):  # type: ignore[no-untyped-def]
    return make_group(system_actor, community, key="g1@chatroom")


@pytest.fixture
def members(group):  # type: ignore[no-untyped-def]
    """阿明 (participant), 广告哥 (participant), 老王 (manager: exempt by default)."""
    return {name: add_member(group, name, roles=roles).person for name, roles in
            (("阿明", ["participant"]), ("广告哥", ["participant"]), ("老王", ["manager"]))}


@pytest.fixture
def v1(community, actor, members):  # type: ignore[no-untyped-def]
    return rulebook.do_adopt_rulebook(actor, community, rulebook_data(), reason="start")


def enable(community, members, at=T0, **changes):  # type: ignore[no-untyped-def]
    """Enable rules the only legal way, a passed proposal; returns when it took effect."""
    _proposal, effective = pass_rules(community, rulebook_data(**changes), members.values(), at)
    return effective


# ---------------------------------------------------------------- adoption

def test_first_rulebook_is_adopted_once(community, actor, members):
    v1 = rulebook.do_adopt_rulebook(actor, community, reason="our first rules")
    assert (v1.number, v1.created_by, v1.reason) == (1, "alice", "our first rules")
    assert not any(rule["enabled"] for rule in v1.data["rules"])  # every rule starts off
    entry = AuditEntry.objects.get(verb="rulebook.adopt")
    assert (entry.after, entry.reason, entry.object_id) == (v1.data, "our first rules",
                                                            str(v1.pk))
    before = row_counts()
    with pytest.raises(GovernanceError, match="already has a rulebook"):
        rulebook.do_adopt_rulebook(actor, community, rulebook_data(enable=["hard-ads"]))
    assert row_counts() == before
    assert rulebook.current_version(community) == v1


def test_invalid_rulebook_is_refused_naming_the_place(other_community, actor):
    before = row_counts()
    bad = rulebook_data(params={"quiet-hours": {"start": "25:00"}})
    with pytest.raises(GovernanceError, match=r"rules\[0\]\.params\.start"):
        rulebook.do_adopt_rulebook(actor, other_community, bad)
    assert row_counts() == before


# ---------------------------------------------------------------- advisory preview

def test_advisory_preview_finds_ads_and_night_messages_without_writing(community, group,
                                                                       members, v1):
    post(group, members["阿明"], "大家早上好", T0 + timedelta(hours=9))
    ad = post(group, members["广告哥"], "加微信领优惠券，名额有限", T0 + timedelta(hours=10))
    night = post(group, members["阿明"], "还有人醒着吗", T0 + timedelta(days=1, hours=2))
    post(group, members["老王"], "群主福利：加微信进读者群", T0 + timedelta(hours=11))
    before = row_counts()

    preview = rulebook.advisory(community)

    assert row_counts() == before
    found = sorted((f.rule_id, f.sender_name, f.evidence) for f in preview.findings)
    assert found == [("hard-ads", "广告哥", (ad.key,)), ("quiet-hours", "阿明", (night.key,))]
    assert preview.summary.events == 4
    by_rule = {r.rule_id: r.findings for r in preview.summary.rules}
    assert by_rule["hard-ads"] == 1 and by_rule["quiet-hours"] == 1
    assert preview.group_name("g1@chatroom") == "1群"
    # only enabled rules: nothing is on yet
    assert rulebook.advisory(community, include_disabled=False).findings == []
    # a period leaves the night out
    day_one = rulebook.advisory(community, since=T0, until=T0 + timedelta(days=1))
    assert [f.rule_id for f in day_one.findings] == ["hard-ads"]
    assert row_counts() == before


# ---------------------------------------------------------------- enforcement

def test_enforce_does_nothing_while_every_rule_is_off(community, group, members, v1, actor):
    post(group, members["广告哥"], "加微信领优惠券", T0 + timedelta(hours=10))
    before = row_counts()
    result = rulebook.do_enforce(actor, community, now=T0 + timedelta(days=1))
    assert (result.findings, result.strikes, result.actions, result.messages) == (0, 0, 0, 0)
    assert row_counts() == before


def test_enforce_after_a_passed_proposal_stores_findings_strikes_and_steps_once(
        community, group, members, v1, actor):
    effective = enable(community, members, enable=["hard-ads", "quiet-hours"])
    v2 = rulebook.current_version(community)
    assert v2.number == 2 and v2.created == effective
    early = post(group, members["广告哥"], "加微信领优惠券", effective - timedelta(hours=1))
    ad = post(group, members["广告哥"], "加微信领优惠券，限时", effective + timedelta(hours=10))
    night_at = T0 + timedelta(days=2, hours=2)  # 02:00 local, after the version
    night = post(group, members["阿明"], "还有人醒着吗", night_at)

    result = rulebook.do_enforce(actor, community, now=T0 + timedelta(days=3))

    assert (result.findings, result.strikes, result.messages) == (2, 1, 2)
    assert result.proposals == []
    ad_finding = Finding.objects.get(rule_id="hard-ads")
    assert (ad_finding.person, ad_finding.group, ad_finding.version) == (
        members["广告哥"], group, v2)
    assert ad_finding.evidence == [ad.key]
    assert ad_finding.at == effective + timedelta(hours=10)
    assert early.key not in [k for f in Finding.objects.all() for k in f.evidence]
    strike = Strike.objects.get()
    assert (strike.person, strike.finding, strike.rule_id) == (members["广告哥"], ad_finding,
                                                               "hard-ads")
    assert strike.expires == ad_finding.at + timedelta(days=30)
    steps = list(OutboxAction.objects.filter(source="rule",
                                             source_ref=f"finding:{ad_finding.pk}"))
    assert sorted(s.kind for s in steps) == ["delete", "post"]
    delete = next(s for s in steps if s.kind == "delete")
    assert (delete.message_key, delete.target, delete.group) == (ad.key, members["广告哥"],
                                                                  group)
    night_finding = Finding.objects.get(rule_id="quiet-hours")
    assert night_finding.evidence == [night.key] and night_finding.person == members["阿明"]
    assert not Strike.objects.filter(finding=night_finding).exists()  # a warning, no strike
    assert [s.kind for s in OutboxAction.objects.filter(
        source_ref=f"finding:{night_finding.pk}")] == ["post"]
    entry = AuditEntry.objects.get(verb="rules.enforce")
    assert entry.after["findings"] == 2 and entry.after["strikes"] == 1
    mark = Enforcement.objects.get(group=group)
    assert mark.last_message_id == night.pk

    # running again judges nothing twice
    before = row_counts()
    again = rulebook.do_enforce(actor, community, now=T0 + timedelta(days=4))
    assert (again.findings, again.strikes, again.actions) == (0, 0, 0)
    assert row_counts() == before

    # a new message is judged on the next run, and only it
    later = post(group, members["广告哥"], "兼职日结，私聊", T0 + timedelta(days=4, hours=10))
    third = rulebook.do_enforce(actor, community, now=T0 + timedelta(days=5))
    assert (third.findings, third.messages) == (1, 1)
    assert Finding.objects.filter(rule_id="hard-ads").latest("at").evidence == [later.key]


def test_enforcement_reads_only_its_own_community(community, other_community, group, members,
                                                 v1, actor, system_actor):
    effective = enable(community, members, enable=["hard-ads"])
    other = make_group(system_actor, other_community, key="g1@chatroom")  # same platform key
    runner = add_member(other, "跑者").person
    post(other, runner, "加微信领优惠券", effective + timedelta(hours=10))
    mine = post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=10))
    result = rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))
    assert (result.findings, result.messages) == (1, 1)
    finding = Finding.objects.get()
    assert (finding.community, finding.group, finding.evidence) == (community, group,
                                                                     [mine.key])
    assert not Strike.objects.filter(community=other_community).exists()
    assert not OutboxAction.objects.filter(community=other_community).exists()
    assert not Enforcement.objects.filter(group=other).exists()


def test_enforcement_stores_every_finding_the_preview_shows(community, group, members, v1,
                                                            actor):
    """A flood of one repeated text is both a repeat and a burst (two findings with the
    same first message): both must be stored, or the burst and its steps are lost."""
    effective = enable(community, members, enable=["flood"],
                       params={"flood": {"max_messages": 5, "window_s": 60,
                                         "repeat_count": 3}})
    for i in range(6):
        post(group, members["广告哥"], "快来买买买买买", effective + timedelta(hours=1,
                                                                       seconds=5 * i))
    preview = rulebook.advisory(community, since=effective, include_disabled=False)
    assert sorted(f.code for f in preview.findings) == ["flood.burst", "flood.repeat"]
    result = rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))
    assert result.findings == len(preview.findings)
    assert sorted(Finding.objects.values_list("code", flat=True)) == ["flood.burst",
                                                                       "flood.repeat"]
    burst = Finding.objects.get(code="flood.burst")
    assert len(burst.evidence) == 5


def test_strikes_over_the_threshold_propose_a_removal_not_a_removal(community, group,
                                                                    members, v1, actor):
    effective = enable(community, members, enable=["hard-ads"], strikes={"threshold": 2})
    for hours in (1, 3):
        post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=hours))
    post(group, members["阿明"], "加微信领优惠券", effective + timedelta(hours=2))  # one strike

    result = rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))

    assert result.strikes == 3
    [pk] = result.proposals
    proposal = RemovalProposal.objects.get(pk=pk)
    assert (proposal.kind, proposal.status, proposal.created_by) == (
        "violations", "pending", "strikes")
    [candidate] = RemovalCandidate.objects.filter(proposal=proposal)
    assert candidate.person == members["广告哥"]
    assert (candidate.detail["strikes"], candidate.detail["threshold"]) == (2, 2)
    assert candidate.removed is None
    assert members["广告哥"].memberships.get().status == MembershipStatus.ACTIVE
    assert not OutboxAction.objects.filter(kind="remove").exists()
    assert OutboxAction.objects.filter(kind="notify_operator",
                                       key=f"removal:{pk}:notify").exists()
    assert AuditEntry.objects.filter(verb="removal.propose").count() == 1

    again = rulebook.do_enforce(actor, community, now=effective + timedelta(days=2))
    assert again.proposals == []
    assert RemovalProposal.objects.count() == 1


def test_a_rejected_strikes_proposal_does_not_come_back_without_new_strikes(
        community, group, members, v1, actor):
    """The operator said no; the next enforcement run with nothing new must not ask again."""
    effective = enable(community, members, enable=["hard-ads"], strikes={"threshold": 2})
    for hours in (1, 3):
        post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=hours))
    [pk] = rulebook.do_enforce(actor, community, now=effective + timedelta(days=1)).proposals
    do_decide_removal(actor, RemovalProposal.objects.get(pk=pk), approve=False,
                      reason="first time, talked to him", now=effective + timedelta(days=1))
    again = rulebook.do_enforce(actor, community, now=effective + timedelta(days=2))
    assert again.proposals == []
    assert RemovalProposal.objects.count() == 1


def test_revoked_strike_no_longer_counts(community, group, members, v1, actor):
    effective = enable(community, members, enable=["hard-ads"])
    post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=1))
    rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))
    strike = Strike.objects.get()
    moment = effective + timedelta(days=2)
    assert rulebook.active_strikes(community, moment) == {members["广告哥"].pk: 1}
    before = row_counts()
    with pytest.raises(GovernanceError, match="Say why"):
        rulebook.do_revoke_strike(actor, strike, "")
    assert row_counts() == before
    rulebook.do_revoke_strike(actor, strike, "it was a joke between friends")
    strike.refresh_from_db()
    assert (strike.revoked, strike.note) == (True, "it was a joke between friends")
    assert rulebook.active_strikes(community, moment) == {}
    assert AuditEntry.objects.get(verb="strike.revoke").reason == "it was a joke between friends"
    # an expired strike does not count either
    assert rulebook.active_strikes(community, strike.expires) == {}


def test_revoking_a_revoked_strike_is_refused(community, group, members, v1, actor):
    effective = enable(community, members, enable=["hard-ads"])
    post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=1))
    rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))
    strike = Strike.objects.get()
    rulebook.do_revoke_strike(actor, strike, "first reason")
    with pytest.raises(GovernanceError):
        rulebook.do_revoke_strike(actor, Strike.objects.get(pk=strike.pk), "second reason")
    assert Strike.objects.get(pk=strike.pk).note == "first reason"
    assert AuditEntry.objects.filter(verb="strike.revoke").count() == 1


def test_strikes_block_vouching_and_revocation_restores_it(community, group, members, v1,
                                                           actor):
    """Strikes from enforcement are what the recommendation gate reads."""
    effective = enable(community, members, enable=["hard-ads"])
    gates.do_set_gate(actor, group, "recommendation")
    post(group, members["老王"], "周末读书会改到周日", effective + timedelta(hours=1))
    ad = post(group, members["广告哥"], "加微信领优惠券", effective + timedelta(hours=2))
    rulebook.do_enforce(actor, community, now=effective + timedelta(days=1))
    assert Finding.objects.get().evidence == [ad.key]
    # 广告哥 cannot vouch while the strike counts
    declined = gates.do_submit(actor, group, "recommendation", name="朋友",
                               voucher=members["广告哥"], now=effective + timedelta(days=1))
    assert declined.status == "rejected"


# ---------------------------------------------------------------- announcement and series

def test_announcement_lists_the_enabled_rules(community, group, members, v1, actor):
    enable(community, members, enable=["quiet-hours", "hard-ads"])
    [pin] = onboarding.do_publish_announcement(actor, group)
    assert (pin.kind, pin.group, pin.source) == ("pin", group, "onboarding")
    lines = pin.text.splitlines()
    assert lines[0] == "【读书会 群公告】"  # the community's kit is Chinese
    numbered = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert len(numbered) == 2
    assert "23:00" in pin.text and "07:00" in pin.text
    assert AuditEntry.objects.filter(verb="outbox.enqueue").exists()


def test_next_group_of_the_series_copies_the_gates(community, group, members, v1, actor):
    group.series_index = 1
    group.save()
    gates.do_set_gate(actor, group, "paid", settings={"fee_cents": 500})
    new = onboarding.do_open_series_group(actor, community, platform="wechat", like=group)
    assert (new.name, new.series_index, new.split_from) == ("读书会2群", 2, group)
    assert [(g.kind, g.settings["fee_cents"]) for g in new.gates.all()] == [("paid", 500)]
    kinds = list(OutboxAction.objects.filter(group=new).order_by("id")
                 .values_list("kind", flat=True))
    assert kinds == ["notify_operator", "pin"]
    assert AuditEntry.objects.filter(verb="group.open_series").count() == 1
    assert Group.objects.filter(community=community).count() == 2


def test_versions_are_numbered_and_kept(community, members, v1):
    enable(community, members, enable=["hard-ads"])
    enable(community, members, at=T0 + timedelta(days=5), enable=["hard-ads", "flood"])
    numbers = list(RulebookVersion.objects.filter(community=community)
                   .order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    assert rulebook.current_rulebook(community).rule("flood").enabled is True


def test_a_second_run_remembers_the_night_and_warns_once(community, group, members, v1,
                                                           actor):
    """Enforcement replays the judged day first: the member warned at 23:30 is not warned
    again for 23:45 the same night, though both messages are findings."""
    effective = enable(community, members, enable=["quiet-hours"])
    night = effective.astimezone(community.zone).replace(hour=23, minute=30, second=0,
                                                        microsecond=0)
    if night <= effective:
        night += timedelta(days=1)
    post(group, members["阿明"], "还有人醒着吗", night)
    first = rulebook.do_enforce(actor, community, now=night + timedelta(minutes=1))
    assert (first.findings, first.actions) == (1, 1)
    post(group, members["阿明"], "睡不着", night + timedelta(minutes=15))
    second = rulebook.do_enforce(actor, community, now=night + timedelta(minutes=20))
    assert (second.messages, second.findings, second.actions) == (1, 1, 0)
    assert Finding.objects.filter(rule_id="quiet-hours").count() == 2
    assert OutboxAction.objects.filter(source="rule").count() == 1


def test_the_preview_sees_one_ad_copied_across_groups(community, system_actor, members,
                                                      group, v1):
    """The same long text by one member in three groups within a day is an ad, in every
    group it was posted in."""
    others = [make_group(system_actor, community, name=f"{n}群", key=f"g{n}@chatroom")
              for n in (2, 3)]
    spammer = members["广告哥"]
    for g in others:
        g.memberships.create(person=spammer, roles=["participant"])
    text = "周末读书会招募新朋友，感兴趣的朋友私聊我了解详情哦"
    for hours, g in enumerate([others[1], group, others[0]]):
        post(g, spammer, text, T0 + timedelta(hours=hours))
    preview = rulebook.advisory(community, include_disabled=True, only=["hard-ads"])
    assert len([f for f in preview.findings if f.rule_id == "hard-ads"]) == 3
