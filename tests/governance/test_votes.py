"""Rule votes: discussion, one ballot per member, deadline, quorum, majority, the result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qunzhu.audit.log import Actor
from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Membership, MembershipStatus
from qunzhu.governance import votes
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    Ballot,
    OutboxAction,
    Proposal,
    ProposalStatus,
    RulebookVersion,
)
from qunzhu.governance.rulebook import current_rulebook, current_version, do_adopt_rulebook

from . import (
    VOTING,
    add_member,
    base_time,
    make_group,
    pass_rules,
    row_counts,
    rulebook_data,
    verbs,
)

T0 = base_time()
OPENS = T0 + timedelta(hours=24)
CLOSES = OPENS + timedelta(hours=48)
NAMES = ["阿明", "小红", "老王", "小李", "小张"]


@pytest.fixture
def people(group):  # type: ignore[no-untyped-def]
    return [add_member(group, name).person for name in NAMES]


@pytest.fixture
def adopted(community, actor, people):  # type: ignore[no-untyped-def]
    return do_adopt_rulebook(actor, community, rulebook_data(), reason="first rules")


def propose(community, actor, title="Quiet nights", *, enable=("quiet-hours",), **kw):
    return votes.do_propose_rules(actor, community, title=title, reason="people sleep",
                                  data=rulebook_data(enable=enable), now=kw.pop("now", T0),
                                  **kw)


def vote(proposal, person, choice, at=OPENS + timedelta(hours=1)):
    return votes.do_cast_vote(Actor.system("vote bot"), proposal, person, choice, now=at)


def test_proposal_is_discussed_before_voting_opens(community, actor, adopted, people):
    proposal = propose(community, actor)
    assert proposal.status == ProposalStatus.DISCUSSION
    assert (proposal.voting_opens, proposal.voting_closes) == (OPENS, CLOSES)
    assert (proposal.quorum, proposal.majority, proposal.base) == (0.4, 0.5, adopted)
    assert verbs(community)[-2:] == ["proposal.create", "outbox.enqueue"]
    [announcement] = OutboxAction.objects.filter(source="vote")
    assert announcement.kind == "post"
    # in the members' language (the onboarding kit's: Simplified Chinese by default)
    assert "提案 #1：Quiet nights" in announcement.text
    assert f"{CLOSES.astimezone(community.zone):%Y-%m-%d %H:%M}" in announcement.text

    before = row_counts()
    with pytest.raises(GovernanceError, match="still in discussion"):
        vote(proposal, people[0], "yes", at=OPENS - timedelta(minutes=1))
    assert row_counts() == before
    assert votes.phase(proposal, OPENS - timedelta(minutes=1)) == ProposalStatus.DISCUSSION
    assert votes.phase(proposal, OPENS) == ProposalStatus.VOTING

    vote(proposal, people[0], "yes", at=OPENS)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.VOTING


def test_one_ballot_per_member_and_a_changed_vote_counts_once(community, actor, adopted,
                                                              people):
    proposal = propose(community, actor)
    vote(proposal, people[0], "yes")
    vote(proposal, people[0], "no", at=OPENS + timedelta(hours=2))
    vote(proposal, people[1], "no")
    assert Ballot.objects.filter(proposal=proposal).count() == 2
    ballot = Ballot.objects.get(proposal=proposal, person=people[0])
    assert (ballot.choice, ballot.cast, ballot.changed) == (
        "no", OPENS + timedelta(hours=1), OPENS + timedelta(hours=2))
    assert [v for v in verbs(community) if v.startswith("vote.")] == [
        "vote.cast", "vote.change", "vote.cast"]

    closed = votes.do_close(actor, proposal, now=CLOSES)
    assert (closed.tally["yes"], closed.tally["no"], closed.tally["eligible"]) == (0, 2, 5)
    assert closed.status == ProposalStatus.FAILED


def test_vote_after_the_deadline_is_refused(community, actor, adopted, people):
    proposal = propose(community, actor)
    before = row_counts()
    with pytest.raises(GovernanceError, match="closed"):
        vote(proposal, people[0], "yes", at=CLOSES)
    assert row_counts() == before


def test_non_members_cannot_vote(community, other_community, actor, adopted, people, group,
                                 system_actor):
    proposal = propose(community, actor)
    stranger = add_member(make_group(system_actor, other_community, key="run"), "外人").person
    gone = people[4]
    Membership.objects.filter(person=gone).update(status=MembershipStatus.LEFT)
    archived = make_group(system_actor, community, name="旧群", key="old")
    archived.archived = T0.date()
    archived.save()
    ghost = add_member(archived, "旧人").person
    before = row_counts()
    for person in (stranger, gone, ghost):
        with pytest.raises(GovernanceError, match="not a member who may vote"):
            vote(proposal, person, "yes")
    with pytest.raises(GovernanceError, match="yes, no or abstain"):
        vote(proposal, people[0], "maybe")
    assert row_counts() == before
    assert votes.eligible(community) == sorted(p.pk for p in people[:4])


def test_close_before_the_deadline_only_when_everyone_voted(community, actor, adopted,
                                                            people):
    proposal = propose(community, actor)
    for person in people[:4]:
        vote(proposal, person, "yes")
    before = row_counts()
    with pytest.raises(GovernanceError, match="runs until"):
        votes.do_close(actor, proposal, now=OPENS + timedelta(hours=2))
    assert row_counts() == before
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.VOTING

    vote(proposal, people[4], "no")
    closed = votes.do_close(actor, proposal, now=OPENS + timedelta(hours=3))
    assert closed.status == ProposalStatus.PASSED
    assert closed.closed == OPENS + timedelta(hours=3)
    with pytest.raises(GovernanceError, match="already closed"):
        votes.do_close(actor, proposal, now=CLOSES)


def test_a_tie_fails(community, actor, adopted, people, group):
    proposal = propose(community, actor)
    for person, choice in zip(people, ["yes", "yes", "no", "no", "abstain"], strict=True):
        vote(proposal, person, choice)
    closed = votes.do_close(actor, proposal, now=CLOSES)
    assert closed.status == ProposalStatus.FAILED
    assert closed.tally["outcome"] == "tie"
    assert closed.result is None
    assert current_version(community) == adopted
    result = OutboxAction.objects.get(key=f"proposal:{proposal.pk}:result:{group.pk}")
    assert "未通过" in result.text and "赞成与反对票数相同" in result.text


def test_quorum_not_met_fails_even_if_all_votes_are_yes(community, actor, adopted, people):
    proposal = propose(community, actor)
    vote(proposal, people[0], "yes")  # 1 of 5; 40 % needs 2
    closed = votes.do_close(actor, proposal, now=CLOSES)
    assert closed.status == ProposalStatus.FAILED
    assert (closed.tally["quorum_met"], closed.tally["quorum_needed"]) == (False, 2)
    assert closed.tally["outcome"] == "quorum_not_met"
    assert RulebookVersion.objects.filter(community=community).count() == 1


def test_passed_rule_proposal_is_the_next_version_and_announced(community, actor, adopted,
                                                                people, group):
    proposal = propose(community, actor)
    for person in people[:3]:
        vote(proposal, person, "yes")
    vote(proposal, people[3], "no")
    closed = votes.do_close(actor, proposal, now=CLOSES + timedelta(minutes=5))

    assert closed.status == ProposalStatus.PASSED
    v2 = current_version(community)
    assert closed.result == v2
    assert (v2.number, v2.created, v2.created_by, v2.reason) == (
        2, CLOSES + timedelta(minutes=5), "proposal #1", "Quiet nights")
    assert v2.data == proposal.data
    assert current_rulebook(community).rule("quiet-hours").enabled is True
    assert adopted.data["rules"][0]["enabled"] is False  # versions are never edited
    assert verbs(community)[-3:] == ["rulebook.version", "proposal.close", "outbox.enqueue"]
    version_entry = AuditEntry.objects.get(verb="rulebook.version")
    assert version_entry.before == adopted.data and version_entry.after == v2.data
    result = OutboxAction.objects.get(key=f"proposal:{proposal.pk}:result:{group.pk}")
    assert result.kind == "post"
    assert "已通过" in result.text and "第 2 版" in result.text


def test_only_one_open_rule_proposal_at_a_time(community, actor, adopted, people):
    first = propose(community, actor)
    before = row_counts()
    with pytest.raises(GovernanceError, match="Another rule change is open"):
        propose(community, actor, "No ads", enable=("hard-ads",))
    assert row_counts() == before

    with pytest.raises(GovernanceError, match="Say why"):
        votes.do_withdraw(actor, first, " ")
    votes.do_withdraw(actor, first, "rewriting it")
    assert Proposal.objects.get(pk=first.pk).status == ProposalStatus.WITHDRAWN
    with pytest.raises(GovernanceError, match="closed"):
        vote(first, people[0], "yes")
    second = propose(community, actor, "No ads", enable=("hard-ads",))
    assert second.number == 2


def test_proposal_is_checked(community, other_community, actor, people, system_actor):
    with pytest.raises(GovernanceError, match="Adopt a first rulebook"):
        propose(community, actor)
    do_adopt_rulebook(actor, community, rulebook_data())
    stranger = add_member(make_group(system_actor, other_community, key="run"), "外人").person
    before = row_counts()
    with pytest.raises(GovernanceError, match="changes nothing"):
        propose(community, actor, enable=())
    with pytest.raises(GovernanceError, match="title and a reason"):
        propose(community, actor, "  ")
    with pytest.raises(GovernanceError, match="another community"):
        propose(community, actor, author=stranger)
    with pytest.raises(GovernanceError, match="start"):
        votes.do_propose_rules(actor, community, title="t", reason="r", now=T0,
                               data=rulebook_data(params={"quiet-hours": {"start": "25:00"}}))
    assert row_counts() == before


def test_secret_ballot_audit_does_not_say_how_a_member_voted(community, actor, adopted,
                                                             people):
    proposal = propose(community, actor)
    vote(proposal, people[0], "no")
    vote(proposal, people[0], "abstain", at=OPENS + timedelta(hours=3))
    for entry in AuditEntry.objects.filter(verb__startswith="vote."):
        assert entry.after == {"person": people[0].pk}
        text = f"{entry.after} {entry.before} {entry.reason} {entry.object_repr}"
        assert "no" not in text.split() and "abstain" not in text


def test_open_ballot_audit_records_the_choice(community, actor, people):
    do_adopt_rulebook(actor, community, rulebook_data(voting={**VOTING, "open_ballot": True}))
    proposal = propose(community, actor)
    assert proposal.open_ballot is True
    vote(proposal, people[0], "no")
    entry = AuditEntry.objects.get(verb="vote.cast")
    assert entry.after == {"person": people[0].pk, "choice": "no"}


def test_helper_passes_a_proposal(community, adopted, people):
    """The helper other test files use to enable rules the only legal way."""
    proposal, closed_at = pass_rules(community, rulebook_data(enable=["hard-ads"]), people, T0)
    assert proposal.status == ProposalStatus.PASSED
    assert current_version(community).created == closed_at
    assert current_rulebook(community).rule("hard-ads").enabled is True
