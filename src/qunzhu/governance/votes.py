"""Changing the rules 社群暴政 guard: proposals, a discussion period, a vote with a quorum
and a majority, the result published, and a passed rule change as the next version.

One rule-change proposal is open at a time per community, so a passed proposal always
applies to the version it was written against (no merging of two edits).
Ballots are secret unless the rulebook says ``open_ballot``: the audit log records that a
member voted, not how.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, MembershipStatus, Person
from qunzhu.core.events import Action, ActionKind
from qunzhu.core.governance import Choice, diff, tally

from .errors import GovernanceError
from .models import (
    Ballot,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RemovalProposal,
    RemovalStatus,
)
from .outbox import Step, enqueue
from .rulebook import create_version, current_rulebook, current_version, parse

OPEN = (ProposalStatus.DISCUSSION, ProposalStatus.VOTING)


def eligible(community: Community) -> list[int]:
    """Person ids who may vote: members of an open group of the community."""
    return sorted(set(Person.objects.filter(
        community=community, memberships__status=MembershipStatus.ACTIVE,
        memberships__group__archived__isnull=True).values_list("pk", flat=True)))


def members_language(community: Community) -> str:
    """The language the community's members read (its onboarding kit's)."""
    from .gates import kit

    return kit(community).language


def phase(proposal: Proposal, now: datetime | None = None) -> str:
    """The status as the clock sees it (a discussion turns into a vote by itself)."""
    now = now or timezone.now()
    if proposal.status == ProposalStatus.DISCUSSION and now >= proposal.voting_opens:
        return ProposalStatus.VOTING
    return proposal.status


def _announce(actor: Actor, proposal: Proposal, text: str, key: str) -> None:
    groups = list(proposal.community.groups.filter(archived__isnull=True))
    if proposal.removal is not None:
        groups = [proposal.removal.group]
    enqueue(actor, proposal.community, [
        Step(Action(ActionKind.POST, g.external_key, text=text,
                    reason=_("proposal #%(n)s") % {"n": proposal.number}), g,
             key=f"proposal:{proposal.pk}:{key}:{g.pk}") for g in groups],
        source="vote", source_ref=f"proposal:{proposal.pk}")


def _when(moment: datetime, community: Community | None = None) -> str:
    zone = community.zone if community is not None else None
    return date_format(timezone.localtime(moment, zone), "Y-m-d H:i")


def _create(actor: Actor, community: Community, *, kind: str, title: str, reason: str,
            data: dict[str, Any] | None, author: Person | None, now: datetime,
            removal: RemovalProposal | None = None) -> Proposal:
    policy = current_rulebook(community).voting
    last = community.proposals.order_by("-number").first()
    discussion = timedelta(hours=policy.discussion_hours)
    opens = now + discussion
    proposal = Proposal.objects.create(
        community=community, number=(last.number + 1) if last else 1, kind=kind,
        title=title, reason=reason, author=author,
        author_label=author.display_name if author else actor.label,
        base=current_version(community), data=data, removal=removal,
        status=ProposalStatus.DISCUSSION if discussion else ProposalStatus.VOTING,
        created=now, voting_opens=opens,
        voting_closes=opens + timedelta(hours=policy.voting_hours), quorum=policy.quorum,
        majority=policy.majority, open_ballot=policy.open_ballot)
    record(actor, "proposal.create", proposal, community=community, reason=reason,
           after={"kind": kind, "title": title, "opens": proposal.voting_opens.isoformat(),
                  "closes": proposal.voting_closes.isoformat(), "quorum": policy.quorum,
                  "majority": policy.majority})
    with translation.override(members_language(community)):
        text = _(
            "Proposal #%(n)s: %(title)s\nWhy: %(reason)s\nDiscussion until %(opens)s; vote "
            "from %(opens)s to %(closes)s. It passes with a turnout of at least %(quorum)s%% "
            "and more than %(majority)s%% of the yes/no votes.") % {
            "n": proposal.number, "title": title, "reason": reason,
            "opens": _when(proposal.voting_opens, community),
            "closes": _when(proposal.voting_closes, community),
            "quorum": round(policy.quorum * 100), "majority": round(policy.majority * 100)}
    _announce(actor, proposal, text, "open")
    return proposal


@transaction.atomic
def do_propose_rules(actor: Actor, community: Community, *, title: str, reason: str,
                     data: dict[str, Any], author: Person | None = None,
                     now: datetime | None = None) -> Proposal:
    """Propose a new rulebook (the whole of it; the console shows the diff)."""
    now = now or timezone.now()
    if not title.strip() or not reason.strip():
        raise GovernanceError(_("A proposal needs a title and a reason."))
    if author is not None and author.community_id != community.pk:
        raise GovernanceError(_("The author belongs to another community."))
    base = current_version(community)
    if base is None:
        raise GovernanceError(_("Adopt a first rulebook before proposing changes to it."))
    book = parse(data)
    if not diff(base.data, book.to_data()):
        raise GovernanceError(_("The proposal changes nothing in the rulebook."))
    if community.proposals.filter(kind=ProposalKind.RULES, status__in=OPEN).exists():
        raise GovernanceError(_("Another rule change is open; it must close first, so that "
                                "each vote is on the rules as they are."))
    return _create(actor, community, kind=ProposalKind.RULES, title=title.strip(),
                   reason=reason.strip(), data=book.to_data(), author=author, now=now)


def open_removal_vote(actor: Actor, removal: RemovalProposal, now: datetime) -> Proposal:
    """Put a removal proposal to the members' vote (rulebook ``elimination_by_vote``)."""
    removal.status = RemovalStatus.VOTING
    removal.save(update_fields=["status"])
    names = ", ".join(c.person.display_name for c in removal.candidates.select_related("person"))
    return _create(actor, removal.community, kind=ProposalKind.REMOVAL,
                   title=(_("Remove from %(group)s: %(names)s")
                          % {"group": removal.group.name, "names": names})[:200],
                   reason=removal.get_kind_display(), data=None, author=None, now=now,
                   removal=removal)


@transaction.atomic
def do_cast_vote(actor: Actor, proposal: Proposal, person: Person, choice: str,
                 now: datetime | None = None) -> Ballot:
    """Record one member's vote (or change it) while the vote is open."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if choice not in {c.value for c in Choice}:
        raise GovernanceError(_("A vote is yes, no or abstain."))
    current = phase(proposal, now)
    if current == ProposalStatus.DISCUSSION:
        raise GovernanceError(_("Voting opens at %(when)s; the proposal is still in "
                                "discussion.")
                              % {"when": _when(proposal.voting_opens, proposal.community)})
    if current != ProposalStatus.VOTING or now >= proposal.voting_closes:
        raise GovernanceError(_("Voting on proposal #%(n)s is closed.")
                              % {"n": proposal.number})
    if person.pk not in set(eligible(proposal.community)):
        raise GovernanceError(_("%(name)s is not a member who may vote here.")
                              % {"name": person.display_name})
    if proposal.status == ProposalStatus.DISCUSSION:
        proposal.status = ProposalStatus.VOTING
        proposal.save(update_fields=["status"])
    ballot, created = Ballot.objects.get_or_create(
        proposal=proposal, person=person,
        defaults={"choice": choice, "cast": now, "changed": now, "recorded_by": actor.label})
    if not created:
        ballot.choice, ballot.changed, ballot.recorded_by = choice, now, actor.label
        ballot.save(update_fields=["choice", "changed", "recorded_by"])
    shown = {"choice": choice} if proposal.open_ballot else {}
    record(actor, "vote.cast" if created else "vote.change", proposal,
           community=proposal.community, object_repr=f"#{proposal.number} {person}",
           after={"person": person.pk, **shown})
    return ballot


@transaction.atomic
def do_close(actor: Actor, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Count the votes once voting has ended; apply a passed proposal; publish the result."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status not in OPEN:
        raise GovernanceError(_("Proposal #%(n)s is already closed.") % {"n": proposal.number})
    voters = eligible(proposal.community)
    choices = list(proposal.ballots.values_list("choice", flat=True))
    if now < proposal.voting_closes and len(choices) < len(voters):
        raise GovernanceError(_("Voting on proposal #%(n)s runs until %(when)s.")
                              % {"n": proposal.number,
                                 "when": _when(proposal.voting_closes, proposal.community)})
    result = tally([Choice(c) for c in choices], eligible=max(len(voters), len(choices)),
                   quorum=proposal.quorum, majority=proposal.majority)
    proposal.status = ProposalStatus.PASSED if result.passed else ProposalStatus.FAILED
    proposal.closed = now
    proposal.tally = {"yes": result.yes, "no": result.no, "abstain": result.abstain,
                      "eligible": result.eligible, "turnout": result.turnout,
                      "quorum_needed": result.quorum_needed, "quorum_met": result.quorum_met,
                      "outcome": result.outcome, "text": result.text("zh-hans"),
                      "text_en": result.text("en")}
    if result.passed and proposal.kind == ProposalKind.RULES and proposal.data is not None:
        proposal.result = create_version(Actor.rule(f"proposal #{proposal.number}"),
                                         proposal.community, parse(proposal.data),
                                         proposal.title, now)
    proposal.save(update_fields=["status", "closed", "tally", "result"])
    record(actor, "proposal.close", proposal, community=proposal.community,
           after=proposal.tally)
    if proposal.removal is not None:
        from .elimination import do_decide_removal

        do_decide_removal(Actor.rule(f"proposal #{proposal.number}"), proposal.removal,
                          approve=result.passed, reason=result.text("en"), now=now,
                          by_vote=True)
    lang = members_language(proposal.community)
    with translation.override(lang):
        verdict = _("passed") if result.passed else _("did not pass")
        extra = (_(" The rulebook is now version %(v)s.") % {"v": proposal.result.number}
                 if proposal.result else "")
        text = (_("Proposal #%(n)s %(title)s %(verdict)s. %(tally)s%(extra)s")
                % {"n": proposal.number, "title": proposal.title, "verdict": verdict,
                   "tally": result.text(lang), "extra": extra})
    _announce(actor, proposal, text, "result")
    return proposal


@transaction.atomic
def do_withdraw(actor: Actor, proposal: Proposal, reason: str) -> Proposal:
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status not in OPEN:
        raise GovernanceError(_("Proposal #%(n)s is already closed.") % {"n": proposal.number})
    if not reason.strip():
        raise GovernanceError(_("Say why the proposal is withdrawn."))
    proposal.status, proposal.closed = ProposalStatus.WITHDRAWN, timezone.now()
    proposal.save(update_fields=["status", "closed"])
    if proposal.removal is not None:
        proposal.removal.status = RemovalStatus.REJECTED
        proposal.removal.reason = reason
        proposal.removal.save(update_fields=["status", "reason"])
    record(actor, "proposal.withdraw", proposal, community=proposal.community, reason=reason)
    return proposal


def groups_of(community: Community) -> list[Group]:
    return list(community.groups.filter(archived__isnull=True))
