"""Elimination: who each of the four kinds proposes and why, approval, removal, appeal,
and removals put to the members' vote."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Membership, MembershipStatus
from qunzhu.governance import elimination as elim
from qunzhu.governance import votes
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    AppealStatus,
    OutboxAction,
    PointsEntry,
    Proposal,
    ProposalStatus,
    RemovalCandidate,
    RemovalProposal,
    RemovalStatus,
    Strike,
)
from qunzhu.governance.points import balance, do_grant_points
from qunzhu.governance.rulebook import do_adopt_rulebook

from . import (
    VOTING,
    add_member,
    base_time,
    make_group,
    membership_state,
    post,
    row_counts,
    rulebook_data,
    verbs,
)

NOW = base_time() + timedelta(hours=12)


@pytest.fixture
def m(group):  # type: ignore[no-untyped-def]
    """Members by name: 群主 creator, 管理 manager, A–D participants of 60 days, E joined
    two days ago (a recent joiner)."""
    out = {"群主": add_member(group, "群主", roles=["creator"]),
           "管理": add_member(group, "管理", roles=["manager"])}
    for name in "ABCD":
        out[name] = add_member(group, name)
    out["E"] = add_member(group, "E", joined=NOW - timedelta(days=2))
    return out


def speak_on_days(group, membership, days, text="今天读了二十页"):  # type: ignore[no-untyped-def]
    for day in range(1, days + 1):
        post(group, membership.person, text, NOW - timedelta(days=day))


def proposed(proposal: RemovalProposal | None) -> dict[str, RemovalCandidate]:
    assert proposal is not None
    return {c.person.display_name: c for c in proposal.candidates.select_related("person")}


# ---------------------------------------------------------------- the four kinds

def test_quota_keeps_n_and_protects_creator_and_manager(community, group, m, actor):
    for name, days in (("B", 1), ("C", 2), ("D", 3)):
        speak_on_days(group, m[name], days)
    before_members = membership_state()

    proposal = elim.do_propose_removal(actor, group, "quota", {"keep": 4}, now=NOW)

    candidates = proposed(proposal)
    assert list(candidates) == ["A", "B", "C"]  # 7 members, keep 4: the three least active
    assert [candidates[n].detail["rank"] for n in "ABC"] == [1, 2, 3]
    assert [candidates[n].detail["active_days"] for n in "ABC"] == [0, 1, 2]
    a = candidates["A"].detail
    assert (a["keep"], a["members"], a["spared"]) == (4, 7, 1)  # E is spared, creator kept
    assert candidates["A"].code == "elimination.quota"
    assert (proposal.status, proposal.kind, proposal.params) == (
        RemovalStatus.PENDING, "quota", {"keep": 4, "days": 30})
    assert membership_state() == before_members  # nothing removed yet
    assert not OutboxAction.objects.filter(kind="remove").exists()
    notify = OutboxAction.objects.get(key=f"removal:{proposal.pk}:notify")
    assert notify.kind == "notify_operator" and "3 members of 1群" in notify.text
    entry = AuditEntry.objects.get(verb="removal.propose")
    assert entry.after["members"] == ["A", "B", "C"]


def test_violations_count_active_strikes_only(community, group, m, actor):
    def strike(name, *, days_left=10, revoked=False):  # type: ignore[no-untyped-def]
        Strike.objects.create(community=community, person=m[name].person, rule_id="hard-ads",
                              at=NOW - timedelta(days=1),
                              expires=NOW + timedelta(days=days_left), revoked=revoked)

    for _ in range(3):
        strike("A")
        strike("管理")  # protected whatever the strikes
    strike("B")
    strike("B")
    strike("B", days_left=-1)  # expired
    strike("B", revoked=True)

    proposal = elim.do_propose_removal(actor, group, "violations", {"threshold": 3}, now=NOW)

    candidates = proposed(proposal)
    assert list(candidates) == ["A"]
    assert candidates["A"].detail == {"strikes": 3, "threshold": 3}
    assert candidates["A"].code == "elimination.violations"


def test_points_via_the_ledger(community, group, m, actor):
    for name, amount in (("A", 5), ("B", 20), ("C", 50), ("D", 1)):
        do_grant_points(actor, m[name].person, amount, "weekly quiz",
                        at=NOW - timedelta(days=5))
    do_grant_points(actor, m["D"].person, 100, "last season", at=NOW - timedelta(days=40))
    do_grant_points(actor, m["C"].person, -45, "correction", at=NOW - timedelta(days=4))
    assert balance(m["C"].person) == 5
    assert verbs(community).count("points.grant") == 6

    proposal = elim.do_propose_removal(actor, group, "points", {"minimum": 10}, now=NOW)

    candidates = proposed(proposal)
    assert sorted(candidates) == ["A", "C", "D"]  # D's 100 points are outside the 30 days
    assert candidates["D"].detail["points"] == 1
    assert candidates["C"].detail["points"] == 5
    assert {c.code for c in candidates.values()} == {"elimination.points_minimum"}
    assert "E" not in candidates  # recent joiner spared


def test_points_bottom_n(group, m, actor):
    for name, amount in (("A", 5), ("B", 20), ("C", 50), ("D", 1)):
        do_grant_points(actor, m[name].person, amount, "quiz", at=NOW - timedelta(days=5))
    proposal = elim.do_propose_removal(actor, group, "points", {"bottom": 2}, now=NOW)
    assert sorted(proposed(proposal)) == ["A", "D"]


def test_points_entries_are_checked(m, actor):
    before = row_counts()
    with pytest.raises(GovernanceError, match="other than zero"):
        do_grant_points(actor, m["A"].person, 0, "nothing")
    with pytest.raises(GovernanceError, match="Say what the points are for"):
        do_grant_points(actor, m["A"].person, 5, " ")
    assert row_counts() == before
    assert not PointsEntry.objects.exists()


def test_outcome_by_a_message_pattern(group, m, actor):
    for day in (1, 2, 3):
        post(group, m["A"].person, f"#打卡 第{day}天 读完一章", NOW - timedelta(days=day))
    for day in (1, 2):
        post(group, m["B"].person, "#打卡 跑了五公里", NOW - timedelta(days=day))
    post(group, m["B"].person, "今天休息", NOW - timedelta(days=3))
    for hour in (1, 2, 3):  # three check-ins on one day are one completed day
        post(group, m["D"].person, "#打卡", NOW - timedelta(days=2, hours=hour))
    post(group, m["C"].person, "#打卡 老早以前", NOW - timedelta(days=20))  # outside 7 days

    proposal = elim.do_propose_removal(actor, group, "outcome",
                                       {"pattern": "#打卡", "required": 3, "days": 7}, now=NOW)

    candidates = proposed(proposal)
    assert sorted(candidates) == ["B", "C", "D", "E"]  # outcome spares no newcomer
    assert {n: c.detail["completed"] for n, c in candidates.items()} == {
        "B": 2, "C": 0, "D": 1, "E": 0}
    assert candidates["B"].detail["required"] == 3
    assert candidates["B"].code == "elimination.outcome"


def test_outcome_days_are_the_community_s_local_days(group, m, actor):
    """07:00 and 09:00 in Shanghai are one local day (but two UTC dates)."""
    morning = NOW - timedelta(days=2, hours=12)  # local midnight, two days ago
    post(group, m["A"].person, "#打卡 早起", morning + timedelta(hours=7))
    post(group, m["A"].person, "#打卡 又一次", morning + timedelta(hours=9))
    for name in "BCD":
        for day in (1, 2):
            post(group, m[name].person, "#打卡", NOW - timedelta(days=day))
    proposal = elim.do_propose_removal(actor, group, "outcome",
                                       {"pattern": "#打卡", "required": 2, "days": 7}, now=NOW)
    candidates = proposed(proposal)
    assert "A" in candidates
    assert candidates["A"].detail["completed"] == 1


def test_nobody_to_remove_proposes_nothing(group, m, actor):
    before = row_counts()
    assert elim.do_propose_removal(actor, group, "quota", {"keep": 100}, now=NOW) is None
    assert row_counts() == before


@pytest.mark.parametrize("kind, params, message", [
    ("quota", {}, "needs keep"),
    ("violations", {}, "needs threshold"),
    ("outcome", {"required": 2}, "a pattern or the check-ins of a challenge"),
    ("points", {}, "bottom"),
    ("quota", {"keep": -1}, "cannot be negative"),
    ("quota", {"keep": "many"}, "whole number"),
    ("outcome", {"required": 1, "pattern": "(["}, "not a valid expression"),
    ("lottery", {"keep": 1}, "Unknown elimination"),
])
def test_elimination_parameters_are_checked(group, m, actor, kind, params, message):
    before = row_counts()
    with pytest.raises(GovernanceError, match=message):
        elim.do_propose_removal(actor, group, kind, params, now=NOW)
    assert row_counts() == before


# ---------------------------------------------------------------- decisions

@pytest.fixture
def quota(group, m, actor):  # type: ignore[no-untyped-def]
    """A pending quota proposal for A, B, C (the least active)."""
    for name, days in (("B", 1), ("C", 2), ("D", 3)):
        speak_on_days(group, m[name], days)
    return elim.do_propose_removal(actor, group, "quota", {"keep": 4}, now=NOW)


def test_approval_removes_the_included_members_and_queues_their_removal(
        community, group, m, actor, quota):
    candidates = proposed(quota)
    elim.do_exclude_candidate(actor, candidates["C"], "she is organising next week's event")
    later = NOW + timedelta(days=1)

    elim.do_decide_removal(actor, quota, approve=True, reason="monthly trim", now=later)

    quota.refresh_from_db()
    assert (quota.status, quota.decided, quota.decided_by, quota.reason) == (
        RemovalStatus.APPROVED, later, "alice", "monthly trim")
    for name in "AB":
        membership = Membership.objects.get(pk=m[name].pk)
        assert (membership.status, membership.left) == (MembershipStatus.REMOVED, later)
        assert RemovalCandidate.objects.get(pk=candidates[name].pk).removed == later
    assert Membership.objects.get(pk=m["C"].pk).status == MembershipStatus.ACTIVE
    removes = list(OutboxAction.objects.filter(kind="remove").order_by("id"))
    assert [(r.target, r.key) for r in removes] == [
        (m[n].person, f"removal:{quota.pk}:{candidates[n].pk}") for n in "AB"]
    assert all(r.group == group and r.reason for r in removes)
    assert "A" in removes[0].text and "1群" in removes[0].text
    entry = AuditEntry.objects.get(verb="removal.approve")
    assert entry.after == {"removed": ["A", "B"]}
    assert AuditEntry.objects.get(verb="removal.exclude").object_repr == "C"

    settled = row_counts()
    with pytest.raises(GovernanceError, match="already decided"):
        elim.do_decide_removal(actor, quota, approve=True, now=later)
    with pytest.raises(GovernanceError, match="already decided"):
        elim.do_exclude_candidate(actor, candidates["A"], "too late")
    assert row_counts() == settled


def test_rejection_needs_a_reason_and_removes_nobody(community, group, m, actor, quota):
    members_before = membership_state()
    before = row_counts()
    with pytest.raises(GovernanceError, match="Say why"):
        elim.do_decide_removal(actor, quota, approve=False, reason="  ", now=NOW)
    assert row_counts() == before
    elim.do_decide_removal(actor, quota, approve=False, reason="summer break", now=NOW)
    quota.refresh_from_db()
    assert (quota.status, quota.reason) == (RemovalStatus.REJECTED, "summer break")
    assert membership_state() == members_before
    assert not OutboxAction.objects.filter(kind="remove").exists()
    assert AuditEntry.objects.get(verb="removal.reject").reason == "summer break"


def test_appeal_once_and_reinstate(community, group, m, actor, quota):
    candidates = proposed(quota)
    with pytest.raises(GovernanceError, match="Only a removed member"):
        elim.do_appeal(actor, candidates["A"], "I was on holiday")
    elim.do_decide_removal(actor, quota, approve=True, reason="trim", now=NOW)
    a = RemovalCandidate.objects.get(pk=candidates["A"].pk)
    with pytest.raises(GovernanceError, match="Write what the appeal says"):
        elim.do_appeal(actor, a, " ")

    elim.do_appeal(actor, a, "I was on holiday for three weeks")
    a.refresh_from_db()
    assert (a.appeal_status, a.appeal) == (AppealStatus.PENDING, "I was on holiday for three weeks")
    before = row_counts()
    with pytest.raises(GovernanceError, match="allowed once"):
        elim.do_appeal(actor, a, "please")
    with pytest.raises(GovernanceError, match="Say why"):
        elim.do_decide_appeal(actor, a, reinstate=True, reason="")
    assert row_counts() == before

    elim.do_decide_appeal(actor, a, reinstate=True, reason="holiday confirmed")
    membership = Membership.objects.get(pk=m["A"].pk)
    assert (membership.status, membership.left) == (MembershipStatus.ACTIVE, None)
    a.refresh_from_db()
    assert (a.appeal_status, a.appeal_decided_by) == (AppealStatus.REINSTATED, "alice")
    add = OutboxAction.objects.get(key=f"appeal:{a.pk}")
    assert (add.kind, add.target, add.group) == ("add", m["A"].person, group)
    assert AuditEntry.objects.get(verb="removal.appeal_reinstate").reason == "holiday confirmed"
    with pytest.raises(GovernanceError, match="allowed once"):
        elim.do_appeal(actor, a, "again")
    with pytest.raises(GovernanceError, match="no appeal waiting"):
        elim.do_decide_appeal(actor, a, reinstate=True, reason="again")


def test_appeal_upheld_keeps_the_member_out(community, group, m, actor, quota):
    candidates = proposed(quota)
    elim.do_decide_removal(actor, quota, approve=True, reason="trim", now=NOW)
    b = RemovalCandidate.objects.get(pk=candidates["B"].pk)
    elim.do_appeal(actor, b, "let me stay")
    elim.do_decide_appeal(actor, b, reinstate=False, reason="no activity at all")
    b.refresh_from_db()
    assert b.appeal_status == AppealStatus.UPHELD
    assert Membership.objects.get(pk=m["B"].pk).status == MembershipStatus.REMOVED
    assert not OutboxAction.objects.filter(kind="add").exists()
    assert AuditEntry.objects.filter(verb="removal.appeal_uphold").count() == 1


def test_removal_proposals_of_another_group_never_touch_this_one(community, group, m, actor,
                                                                 system_actor, quota):
    other = make_group(system_actor, community, name="2群", key="g2")
    for name in ("甲", "乙"):
        add_member(other, name)
    elim.do_decide_removal(actor, quota, approve=True, reason="trim", now=NOW)
    assert set(Membership.objects.filter(group=other).values_list("status", flat=True)) == {
        MembershipStatus.ACTIVE}


def test_strike_threshold_proposal_skips_members_already_on_an_open_proposal(
        community, group, m, actor):
    from qunzhu.core.rules import Rulebook

    for _ in range(3):
        Strike.objects.create(community=community, person=m["A"].person, rule_id="flood",
                              at=NOW - timedelta(days=1), expires=NOW + timedelta(days=20))
    book = Rulebook.from_data(rulebook_data(strikes={"threshold": 3}))
    [first] = elim.propose_for_strikes(actor, community, book, NOW)
    assert list(proposed(RemovalProposal.objects.get(pk=first))) == ["A"]
    assert elim.propose_for_strikes(actor, community, book, NOW) == []
    assert RemovalProposal.objects.count() == 1


# ---------------------------------------------------------------- removal by vote

@pytest.fixture
def by_vote(community, actor, m):  # type: ignore[no-untyped-def]
    return do_adopt_rulebook(actor, community,
                             rulebook_data(voting={**VOTING, "elimination_by_vote": True}))


def test_elimination_by_vote_puts_the_removal_to_a_vote_and_a_passed_vote_removes(
        community, group, m, actor, by_vote):
    for name, days in (("B", 1), ("C", 2), ("D", 3)):
        speak_on_days(group, m[name], days)
    removal = elim.do_propose_removal(actor, group, "quota", {"keep": 6}, now=NOW)
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.VOTING
    vote = Proposal.objects.get(removal=removal)
    assert (vote.kind, vote.status) == ("removal", ProposalStatus.DISCUSSION)
    assert "A" in vote.title
    assert Membership.objects.get(pk=m["A"].pk).status == MembershipStatus.ACTIVE
    before = row_counts()
    with pytest.raises(GovernanceError, match="decided by a vote"):
        elim.do_decide_removal(actor, removal, approve=True, now=NOW)
    assert row_counts() == before

    opens = vote.voting_opens
    for membership in m.values():
        votes.do_cast_vote(actor, vote, membership.person, "yes", now=opens)
    closed = votes.do_close(actor, vote, now=opens + timedelta(hours=1))

    assert closed.status == ProposalStatus.PASSED
    removal.refresh_from_db()
    assert (removal.status, removal.decided_by) == (RemovalStatus.APPROVED,
                                                    f"proposal #{vote.number}")
    assert Membership.objects.get(pk=m["A"].pk).status == MembershipStatus.REMOVED
    assert OutboxAction.objects.filter(kind="remove", target=m["A"].person).count() == 1
    assert closed.result is None  # a removal vote makes no rulebook version


def test_withdrawn_removal_vote_rejects_the_removal(community, group, m, actor, by_vote):
    removal = elim.do_propose_removal(actor, group, "quota", {"keep": 6}, now=NOW)
    vote = Proposal.objects.get(removal=removal)
    votes.do_withdraw(actor, vote, "we talked to them instead")
    removal.refresh_from_db()
    assert (removal.status, removal.reason) == (RemovalStatus.REJECTED,
                                                "we talked to them instead")
    assert not OutboxAction.objects.filter(kind="remove").exists()


def test_failed_removal_vote_removes_nobody(community, group, m, actor, by_vote):
    removal = elim.do_propose_removal(actor, group, "quota", {"keep": 6}, now=NOW)
    vote = Proposal.objects.get(removal=removal)
    opens = vote.voting_opens
    for membership in m.values():
        votes.do_cast_vote(actor, vote, membership.person, "no", now=opens)
    votes.do_close(actor, vote, now=opens + timedelta(hours=1))
    removal.refresh_from_db()
    assert removal.status == RemovalStatus.REJECTED
    assert set(Membership.objects.filter(group=group).values_list("status", flat=True)) == {
        MembershipStatus.ACTIVE}
    assert not OutboxAction.objects.filter(kind="remove").exists()
