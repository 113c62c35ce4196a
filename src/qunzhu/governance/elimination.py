"""Elimination 淘汰规则: who would go under each of the four kinds, the removal proposal
with its evidence, approval (by an operator or a vote), removal steps, and one appeal.

Nobody is removed by a rule: a proposal lists members and why; only an approval (an
operator's, or a passed vote when the rulebook says so) turns it into outbox steps.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Membership, MembershipStatus, Message
from qunzhu.core.events import Action, ActionKind
from qunzhu.core.governance import (
    Candidate,
    Removal,
    by_outcome,
    by_points,
    by_quota,
    by_violations,
)
from qunzhu.core.rules import Rulebook

from .errors import GovernanceError
from .models import (
    AppealStatus,
    EliminationKind,
    PointsEntry,
    RemovalCandidate,
    RemovalProposal,
    RemovalStatus,
    Strike,
)
from .outbox import Step, enqueue


def candidates(group: Group, *, since: datetime, until: datetime,
               outcome_pattern: str = "",
               outcome_challenge: int | None = None) -> list[Candidate]:
    """Every active member of the group with the numbers elimination looks at."""
    memberships = list(Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
                       .select_related("person"))
    person_ids = [m.person_id for m in memberships]
    in_period = Message.objects.filter(group=group, sent_at__gte=since, sent_at__lt=until,
                                       identity__person__in=person_ids)
    messages = dict(in_period.values("identity__person").annotate(n=Count("id"))
                    .values_list("identity__person", "n"))
    days: dict[int, int] = defaultdict(int)
    zone = group.community.zone
    for person, _day in (in_period.annotate(day=TruncDate("sent_at", tzinfo=zone))
                         .values_list("identity__person", "day").distinct()):
        days[person] += 1
    last = dict(Message.objects.filter(group=group, identity__person__in=person_ids,
                                       sent_at__lt=until)
                .values("identity__person").annotate(t=Max("sent_at"))
                .values_list("identity__person", "t"))
    points = dict(PointsEntry.objects.filter(person__in=person_ids, at__gte=since,
                                             at__lt=until)
                  .values("person").annotate(n=Sum("amount")).values_list("person", "n"))
    strikes = dict(Strike.objects.filter(person__in=person_ids, revoked=False,
                                         expires__gt=until)
                   .values("person").annotate(n=Count("id")).values_list("person", "n"))
    completed: dict[int, int] = {}
    if outcome_pattern:
        try:
            pattern = re.compile(outcome_pattern)
        except re.error as exc:
            raise GovernanceError(_("The outcome pattern is not a valid expression: "
                                    "%(error)s") % {"error": exc}) from exc
        done: dict[int, set[Any]] = defaultdict(set)
        for person, sent_at, text in in_period.values_list("identity__person", "sent_at",
                                                            "text"):
            if pattern.search(text or ""):
                done[person].add(sent_at.astimezone(zone).date())
        completed = {p: len(d) for p, d in done.items()}
    if outcome_challenge:
        # the days checked in (by message, by hand, by make-up card) of that challenge
        from qunzhu.activities.models import CheckIn

        completed = dict(CheckIn.objects.filter(challenge_id=outcome_challenge,
                                                challenge__community=group.community,
                                                person__in=person_ids)
                         .values("person").annotate(n=Count("id"))
                         .values_list("person", "n"))
    return [Candidate(member_id=m.pk, name=m.person.display_name, roles=frozenset(m.roles),
                      messages=messages.get(m.person_id, 0),
                      active_days=days.get(m.person_id, 0),
                      last_active=last.get(m.person_id), joined=m.joined,
                      points=int(points.get(m.person_id) or 0),
                      strikes=strikes.get(m.person_id, 0),
                      completed=completed.get(m.person_id, 0))
            for m in memberships]


def select(kind: str, people: list[Candidate], params: dict[str, Any],
           now: datetime) -> list[Removal]:
    if kind == EliminationKind.QUOTA:
        return by_quota(people, int(params["keep"]), now=now)
    if kind == EliminationKind.VIOLATIONS:
        return by_violations(people, int(params["threshold"]))
    if kind == EliminationKind.POINTS:
        return by_points(people, bottom=params.get("bottom"), minimum=params.get("minimum"),
                         now=now)
    if kind == EliminationKind.OUTCOME:
        return by_outcome(people, int(params["required"]))
    raise GovernanceError(_("Unknown elimination %(kind)s.") % {"kind": kind})


def check_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete the parameters of an elimination run."""
    clean = dict(params)
    clean.setdefault("days", 30)
    needed = {EliminationKind.QUOTA: ["keep"], EliminationKind.VIOLATIONS: ["threshold"],
              EliminationKind.OUTCOME: ["required"],
              EliminationKind.POINTS: []}.get(EliminationKind(kind), [])
    for name in needed:
        if clean.get(name) in (None, ""):
            raise GovernanceError(_("This elimination needs %(name)s.") % {"name": name})
    for name in ("keep", "threshold", "required", "bottom", "minimum", "days", "challenge"):
        if clean.get(name) not in (None, ""):
            try:
                clean[name] = int(clean[name])
            except (TypeError, ValueError) as exc:
                raise GovernanceError(_("%(name)s must be a whole number.")
                                      % {"name": name}) from exc
            if clean[name] < 0:
                raise GovernanceError(_("%(name)s cannot be negative.") % {"name": name})
        else:
            clean.pop(name, None)
    if kind == EliminationKind.OUTCOME and not clean.get("pattern") and not clean.get(
            "challenge"):
        raise GovernanceError(_("Outcome-based elimination counts either messages matching "
                                "a pattern or the check-ins of a challenge: give one."))
    if kind == EliminationKind.POINTS and "bottom" not in clean and "minimum" not in clean:
        raise GovernanceError(_("Points-based elimination needs the lowest N (bottom) or a "
                                "minimum."))
    return clean


@transaction.atomic
def do_propose_removal(actor: Actor, group: Group, kind: str, params: dict[str, Any],
                       now: datetime | None = None) -> RemovalProposal | None:
    """A removal proposal of one kind for a group (None when nobody would go)."""
    now = now or timezone.now()
    if kind not in EliminationKind.values:
        raise GovernanceError(_("Unknown elimination %(kind)s.") % {"kind": kind})
    params = check_params(kind, params)
    since = now - timedelta(days=params["days"])
    people = candidates(group, since=since, until=now,
                        outcome_pattern=str(params.get("pattern", "")),
                        outcome_challenge=int(params.get("challenge") or 0) or None)
    removals = select(kind, people, params, now)
    if not removals:
        return None
    return _store(actor, group, kind, params, removals, now)


def _store(actor: Actor, group: Group, kind: str, params: dict[str, Any],
           removals: list[Removal], now: datetime) -> RemovalProposal:
    from .rulebook import current_rulebook

    community = group.community
    proposal = RemovalProposal.objects.create(community=community, group=group, kind=kind,
                                              params=params, created=now,
                                              created_by=actor.label)
    memberships = {m.pk: m for m in Membership.objects.filter(
        pk__in=[r.member_id for r in removals])}
    for removal in removals:
        m = memberships[removal.member_id]
        RemovalCandidate.objects.create(proposal=proposal, membership=m, person_id=m.person_id,
                                        code=removal.code, detail=dict(removal.detail))
    record(actor, "removal.propose", proposal, community=community,
           after={"kind": kind, "params": params, "members": [r.name for r in removals]})
    enqueue(actor, community, [Step(Action(
        ActionKind.NOTIFY_OPERATOR, group.external_key,
        text=_("%(n)s members of %(group)s would be removed (%(kind)s); review the proposal.")
        % {"n": len(removals), "group": group.name,
           "kind": EliminationKind(kind).label}), group,
        key=f"removal:{proposal.pk}:notify")], source="elimination",
        source_ref=f"removal:{proposal.pk}")
    if current_rulebook(community).voting.elimination_by_vote:
        from .votes import open_removal_vote

        open_removal_vote(actor, proposal, now)
    return proposal


def propose_for_strikes(actor: Actor, community: Community, book: Rulebook,
                        now: datetime) -> list[int]:
    """Members at or over the strike threshold who are on no open proposal yet."""
    made = []
    for group in community.groups.filter(archived__isnull=True):
        people = candidates(group, since=now - timedelta(days=book.strikes.expire_days),
                            until=now)
        removals = by_violations(people, book.strikes.threshold)
        if not removals:
            continue
        # a member comes back on a proposal only with a strike newer than the last one
        # a proposal (open or decided) already listed them for
        person_of = dict(Membership.objects.filter(pk__in=[r.member_id for r in removals])
                         .values_list("pk", "person_id"))
        newest = dict(Strike.objects.filter(person__in=person_of.values())
                      .values("person").annotate(n=Max("id")).values_list("person", "n"))
        seen: dict[int, int] = {}
        for membership, detail in RemovalCandidate.objects.filter(
                proposal__group=group, proposal__kind=EliminationKind.VIOLATIONS,
                membership__in=person_of).values_list("membership_id", "detail"):
            seen[membership] = max(seen.get(membership, 0), int(detail.get("last_strike", 0)))
        fresh = [Removal(r.member_id, r.name, r.code,
                         {**r.detail, "last_strike": newest.get(person_of[r.member_id], 0)})
                 for r in removals
                 if newest.get(person_of[r.member_id], 0) > seen.get(r.member_id, 0)]
        if fresh:
            made.append(_store(Actor.rule("strikes"), group, EliminationKind.VIOLATIONS,
                               {"threshold": book.strikes.threshold,
                                "days": book.strikes.expire_days}, fresh, now).pk)
    return made


@transaction.atomic
def do_exclude_candidate(actor: Actor, candidate: RemovalCandidate, reason: str,
                         include: bool = False) -> RemovalCandidate:
    """Take a member off (or back onto) a proposal before it is decided."""
    candidate = RemovalCandidate.objects.select_for_update().select_related(
        "proposal", "person").get(pk=candidate.pk)
    if candidate.proposal.status != RemovalStatus.PENDING:
        raise GovernanceError(_("The proposal was already decided or put to a vote."))
    candidate.included = include
    candidate.save(update_fields=["included"])
    record(actor, "removal.include" if include else "removal.exclude", candidate.proposal,
           community=candidate.proposal.community, reason=reason,
           object_repr=candidate.person.display_name)
    return candidate


@transaction.atomic
def do_decide_removal(actor: Actor, proposal: RemovalProposal, *, approve: bool,
                      reason: str = "", now: datetime | None = None,
                      by_vote: bool = False) -> RemovalProposal:
    """Approve (remove the included members, queue the removal steps) or reject."""
    proposal = RemovalProposal.objects.select_for_update().get(pk=proposal.pk)
    now = now or timezone.now()
    allowed = {RemovalStatus.VOTING} if by_vote else {RemovalStatus.PENDING}
    if proposal.status not in allowed:
        raise GovernanceError(
            _("This proposal is decided by a vote.") if proposal.status == RemovalStatus.VOTING
            else _("This proposal was already decided."))
    if not approve and not reason.strip() and not by_vote:
        raise GovernanceError(_("Say why the proposal is rejected; the reason is kept."))
    proposal.status = RemovalStatus.APPROVED if approve else RemovalStatus.REJECTED
    proposal.decided, proposal.decided_by, proposal.reason = now, actor.label, reason
    proposal.save(update_fields=["status", "decided", "decided_by", "reason"])
    removed = []
    if approve:
        group = proposal.group
        for candidate in proposal.candidates.filter(included=True).select_related(
                "membership", "person"):
            membership = candidate.membership
            membership.status, membership.left = MembershipStatus.REMOVED, now
            membership.save(update_fields=["status", "left"])
            candidate.removed = now
            candidate.save(update_fields=["removed"])
            removed.append(candidate.person.display_name)
            why = Removal(candidate.membership_id, candidate.person.display_name,
                          candidate.code, candidate.detail).text()
            enqueue(actor, proposal.community, [Step(Action(
                ActionKind.REMOVE, group.external_key,
                text=_("Remove %(name)s from %(group)s.") % {
                    "name": candidate.person.display_name, "group": group.name},
                target_name=candidate.person.display_name, reason=why), group,
                candidate.person, key=f"removal:{proposal.pk}:{candidate.pk}")],
                source="elimination", source_ref=f"removal:{proposal.pk}")
    record(actor, "removal.approve" if approve else "removal.reject", proposal,
           community=proposal.community, reason=reason, after={"removed": removed})
    return proposal


@transaction.atomic
def do_appeal(actor: Actor, candidate: RemovalCandidate, text: str) -> RemovalCandidate:
    """A removed member appeals, once."""
    candidate = RemovalCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.removed is None:
        raise GovernanceError(_("Only a removed member can appeal."))
    if candidate.appeal_status != AppealStatus.NONE:
        raise GovernanceError(_("%(name)s has already appealed this removal; an appeal is "
                                "allowed once.") % {"name": candidate.person.display_name})
    if not text.strip():
        raise GovernanceError(_("Write what the appeal says."))
    candidate.appeal, candidate.appeal_status = text, AppealStatus.PENDING
    candidate.save(update_fields=["appeal", "appeal_status"])
    record(actor, "removal.appeal", candidate.proposal, community=candidate.proposal.community,
           object_repr=candidate.person.display_name, reason=text)
    return candidate


@transaction.atomic
def do_decide_appeal(actor: Actor, candidate: RemovalCandidate, *, reinstate: bool,
                     reason: str) -> RemovalCandidate:
    candidate = RemovalCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.appeal_status != AppealStatus.PENDING:
        raise GovernanceError(_("There is no appeal waiting."))
    if not reason.strip():
        raise GovernanceError(_("Say why; the reason is kept and shown to the member."))
    candidate.appeal_status = AppealStatus.REINSTATED if reinstate else AppealStatus.UPHELD
    candidate.appeal_decided_by = actor.label
    candidate.save(update_fields=["appeal_status", "appeal_decided_by"])
    community, group = candidate.proposal.community, candidate.proposal.group
    if reinstate:
        membership = candidate.membership
        membership.status, membership.left = MembershipStatus.ACTIVE, None
        membership.save(update_fields=["status", "left"])
        enqueue(actor, community, [Step(Action(
            ActionKind.ADD, group.external_key,
            text=_("Add %(name)s back to %(group)s: the appeal was granted.")
            % {"name": candidate.person.display_name, "group": group.name},
            target_name=candidate.person.display_name, reason=reason), group,
            candidate.person, key=f"appeal:{candidate.pk}")], source="elimination",
            source_ref=f"removal:{candidate.proposal_id}")
    record(actor, "removal.appeal_reinstate" if reinstate else "removal.appeal_uphold",
           candidate.proposal, community=community, reason=reason,
           object_repr=candidate.person.display_name)
    return candidate
