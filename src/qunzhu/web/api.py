"""The JSON API for governance (django-ninja), mounted at ``/api/v1/``.

Same rules as the console: an operator signs in with the Django session (CSRF applies to
every unsafe method), sees only the communities they have access to — any other slug, or
another community's object reached through their own slug, is a 404, so slugs and ids
cannot be probed — and needs the manager role to change anything (a viewer gets a 403).
State changes go only through the ``do_*`` services of :mod:`qunzhu.governance`, which
audit them; a request they refuse (:class:`GovernanceError`) is a 400 with its sentence.
"""

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from qunzhu.audit.log import Actor
from qunzhu.community.access import communities_for, get_community_or_404, has_role, role_in
from qunzhu.community.models import Community, Gate, Group, OperatorRole, Person
from qunzhu.core.governance import Choice, diff
from qunzhu.governance import gates, outbox, votes
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    ActionStatus,
    Admission,
    AdmissionStatus,
    Channel,
    GroupGate,
    Invite,
    OutboxAction,
    PaymentKind,
    Proposal,
)

api = NinjaAPI(title="qunzhu API", version="1", urls_namespace="api",
               auth=django_auth,
               description="Gates, invites, admissions, rule votes and the outbox of the "
                           "communities you operate. Signed in with the console's session.")

M = TypeVar("M", bound=Model)


# ---------------------------------------------------------------- errors and access

class ErrorOut(Schema):
    detail: str


#: documented error answers of every community endpoint (a 422 is ninja's own shape)
READ_ERRORS: dict[int, type[Schema]] = {404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@api.exception_handler(GovernanceError)
def governance_error(request: HttpRequest, exc: GovernanceError) -> HttpResponse:
    """A refused request is the client's to fix: 400 with the service's own sentence."""
    return api.create_response(request, {"detail": str(exc)}, status=400)


def community_of(request: HttpRequest, slug: str, *, write: bool = False) -> Community:
    """The community of the URL: 404 when the operator has no access (never 403, so
    slugs cannot be probed); 403 when they may look but ``write`` needs a manager."""
    community = get_community_or_404(request.user, slug)
    if write and not has_role(request.user, community, OperatorRole.MANAGER):
        raise HttpError(403, _("Changing %(community)s needs the manager role; yours is "
                               "%(role)s.") % {"community": community.name,
                                              "role": role_in(request.user, community)})
    timezone.activate(community.zone)
    return community


def one(queryset: QuerySet[M], what: str, **lookup: Any) -> M:
    """The row of ``queryset`` (already scoped to the community) or a 404."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise HttpError(404, _("No such %(what)s here.") % {"what": what})
    return found


def actor(request: HttpRequest) -> Actor:
    return Actor.operator(request.user)


def aware(moment: datetime | None, community: Community) -> datetime | None:
    """A time sent without an offset is read in the community's time zone."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, community.zone)


# ---------------------------------------------------------------- communities

class CommunityOut(Schema):
    slug: str
    name: str
    role: str


@api.get("/communities", response=list[CommunityOut], tags=["communities"])
def list_communities(request: HttpRequest) -> list[CommunityOut]:
    """The communities you operate, with your role in each."""
    return [CommunityOut(slug=c.slug, name=c.name, role=role_in(request.user, c) or "")
            for c in communities_for(request.user).order_by("name", "slug")]


# ---------------------------------------------------------------- gates

class GateOut(Schema):
    kind: str
    enabled: bool
    settings: dict[str, Any]


class GroupGatesOut(Schema):
    id: int
    name: str
    platform: str
    archived: bool
    gates: list[GateOut]

    @staticmethod
    def resolve_archived(obj: Group) -> bool:
        return obj.archived is not None

    @staticmethod
    def resolve_gates(obj: Group) -> list[GroupGate]:
        return sorted(obj.gates.all(), key=lambda g: g.kind)


class GateIn(Schema):
    enabled: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)


@api.get("/c/{slug}/gates", response={200: list[GroupGatesOut], **READ_ERRORS},
         tags=["gates"])
def list_gates(request: HttpRequest, slug: str) -> QuerySet[Group]:
    """Every group of the community with the admission gates it has (on or off)."""
    community = community_of(request, slug)
    return community.groups.prefetch_related("gates").order_by("series_index", "name", "pk")


@api.put("/c/{slug}/groups/{group_id}/gates/{kind}",
         response={200: GateOut, **WRITE_ERRORS}, tags=["gates"])
def set_gate(request: HttpRequest, slug: str, group_id: int, kind: str,
             payload: GateIn) -> GroupGate:
    """Turn a gate on or off for a group, with its settings (checked by the service)."""
    community = community_of(request, slug, write=True)
    group = one(community.groups.all(), "group", pk=group_id)
    return gates.do_set_gate(actor(request), group, kind, enabled=payload.enabled,
                             settings=payload.settings)


# ---------------------------------------------------------------- invites

class InviteOut(Schema):
    code: str
    url: str
    group_id: int | None
    inviter_id: int | None
    channel: str
    channel_detail: str
    expires: datetime | None
    max_uses: int | None
    uses: int
    revoked: bool
    usable: bool
    created: datetime
    created_by: str

    @staticmethod
    def resolve_url(obj: Invite) -> str:
        return gates.invite_url(obj)

    @staticmethod
    def resolve_usable(obj: Invite) -> bool:
        return not obj.unusable_reason()


class InviteIn(Schema):
    group_id: int | None = None
    inviter_id: int | None = None
    channel: Channel = Channel.OWN_PLATFORM
    channel_detail: str = Field("", max_length=200)
    expires: datetime | None = None
    max_uses: int | None = None


class ReasonIn(Schema):
    reason: str = ""


@api.get("/c/{slug}/invites", response={200: list[InviteOut], **READ_ERRORS},
         tags=["invites"])
@paginate(LimitOffsetPagination)
def list_invites(request: HttpRequest, slug: str) -> QuerySet[Invite]:
    """Invite codes, newest first."""
    return community_of(request, slug).invites.all()


@api.post("/c/{slug}/invites", response={201: InviteOut, **WRITE_ERRORS}, tags=["invites"])
def create_invite(request: HttpRequest, slug: str, payload: InviteIn) -> Status[Invite]:
    """A new invite code and link, for one group or any group of the community."""
    community = community_of(request, slug, write=True)
    group = (one(community.groups.all(), "group", pk=payload.group_id)
             if payload.group_id is not None else None)
    inviter = (one(community.people.all(), "person", pk=payload.inviter_id)
               if payload.inviter_id is not None else None)
    invite = gates.do_create_invite(actor(request), community, group=group, inviter=inviter,
                                    channel=payload.channel,
                                    channel_detail=payload.channel_detail,
                                    expires=aware(payload.expires, community),
                                    max_uses=payload.max_uses)
    return Status(201, invite)


@api.post("/c/{slug}/invites/{code}/revoke", response={200: InviteOut, **WRITE_ERRORS},
          tags=["invites"])
def revoke_invite(request: HttpRequest, slug: str, code: str,
                  payload: ReasonIn | None = None) -> Invite:
    """Stop an invite from admitting anyone (admissions it already made stay)."""
    community = community_of(request, slug, write=True)
    invite = one(community.invites.all(), "invite", code=code)
    return gates.do_revoke_invite(actor(request), invite, payload.reason if payload else "")


# ---------------------------------------------------------------- admissions

class NoteOut(Schema):
    at: datetime
    actor: str
    verb: str
    text: str


class PaymentOut(Schema):
    kind: str
    amount_cents: int
    currency: str
    reference: str
    at: datetime
    recorded_by: str


class AdmissionOut(Schema):
    id: int
    group_id: int
    group_name: str
    gate: str
    status: str
    name: str
    platform: str
    external_id: str
    contact: str
    answers: dict[str, Any]
    checks: list[dict[str, Any]]
    invite_code: str | None
    inviter_id: int | None
    channel: str
    voucher_id: int | None
    standing: dict[str, Any] | None
    fee_cents: int
    paid_cents: int
    currency: str
    person_id: int | None
    created: datetime
    decided: datetime | None
    decided_by: str
    notes: list[NoteOut]
    payments: list[PaymentOut]

    @staticmethod
    def resolve_group_name(obj: Admission) -> str:
        return obj.group.name

    @staticmethod
    def resolve_invite_code(obj: Admission) -> str | None:
        return obj.invite.code if obj.invite is not None else None

    @staticmethod
    def resolve_paid_cents(obj: Admission) -> int:
        # from the prefetched rows, as ``gates.paid_cents`` counts them: payments − refunds
        return sum(p.amount_cents if p.kind == PaymentKind.PAYMENT else -p.amount_cents
                   for p in obj.payments.all())

    @staticmethod
    def resolve_notes(obj: Admission) -> list[Any]:
        return list(obj.notes.all())

    @staticmethod
    def resolve_payments(obj: Admission) -> list[Any]:
        return list(obj.payments.all())


class AdmissionIn(Schema):
    group_id: int
    gate: Gate
    name: str = Field(..., max_length=200)
    answers: dict[str, str] = Field(default_factory=dict)
    invite_code: str | None = None
    voucher_id: int | None = None
    external_id: str = Field("", max_length=200)
    contact: str = Field("", max_length=200)


class RejectIn(Schema):
    reason: str


class AskIn(Schema):
    question: str


class PaymentIn(Schema):
    amount_cents: int
    reference: str = Field("", max_length=200)
    kind: PaymentKind = PaymentKind.PAYMENT


def admissions(community: Community) -> QuerySet[Admission]:
    return (community.admissions.select_related("group", "invite")
            .prefetch_related("notes", "payments"))


def admission_of(request: HttpRequest, slug: str, admission_id: int) -> Admission:
    community = community_of(request, slug, write=True)
    return one(admissions(community), "application", pk=admission_id)


def reloaded(admission: Admission) -> Admission:
    """The admission as stored now, with what the response shows."""
    return admissions(admission.community).get(pk=admission.pk)


@api.get("/c/{slug}/admissions", response={200: list[AdmissionOut], **READ_ERRORS},
         tags=["admissions"])
@paginate(LimitOffsetPagination)
def list_admissions(request: HttpRequest, slug: str,
                    status: AdmissionStatus | None = None) -> QuerySet[Admission]:
    """Applications, newest first; ``status=pending`` is the review queue."""
    query = admissions(community_of(request, slug))
    return query.filter(status=status) if status else query


@api.post("/c/{slug}/admissions", response={201: AdmissionOut, **WRITE_ERRORS},
          tags=["admissions"])
def submit_admission(request: HttpRequest, slug: str,
                     payload: AdmissionIn) -> Status[Admission]:
    """Enter an application on a joiner's behalf; the gate decides what happens next."""
    community = community_of(request, slug, write=True)
    group = one(community.groups.all(), "group", pk=payload.group_id)
    invite = (one(community.invites.all(), "invite", code=payload.invite_code)
              if payload.invite_code else None)
    voucher = (one(community.people.all(), "person", pk=payload.voucher_id)
               if payload.voucher_id is not None else None)
    admission = gates.do_submit(actor(request), group, payload.gate, name=payload.name,
                                answers=payload.answers, invite=invite, voucher=voucher,
                                external_id=payload.external_id, contact=payload.contact)
    return Status(201, reloaded(admission))


@api.post("/c/{slug}/admissions/{admission_id}/approve",
          response={200: AdmissionOut, **WRITE_ERRORS}, tags=["admissions"])
def approve_admission(request: HttpRequest, slug: str, admission_id: int,
                      payload: ReasonIn | None = None) -> Admission:
    """Admit the joiner: membership, then the onboarding steps in the outbox."""
    admission = admission_of(request, slug, admission_id)
    return reloaded(gates.do_approve(actor(request), admission,
                                     payload.reason if payload else ""))


@api.post("/c/{slug}/admissions/{admission_id}/reject",
          response={200: AdmissionOut, **WRITE_ERRORS}, tags=["admissions"])
def reject_admission(request: HttpRequest, slug: str, admission_id: int,
                     payload: RejectIn) -> Admission:
    """Decline, with the reason (kept on the application and in the audit log)."""
    admission = admission_of(request, slug, admission_id)
    return reloaded(gates.do_reject(actor(request), admission, payload.reason))


@api.post("/c/{slug}/admissions/{admission_id}/ask",
          response={200: AdmissionOut, **WRITE_ERRORS}, tags=["admissions"])
def ask_admission(request: HttpRequest, slug: str, admission_id: int,
                  payload: AskIn) -> Admission:
    """Ask the joiner for more; the application waits for their answer."""
    admission = admission_of(request, slug, admission_id)
    return reloaded(gates.do_ask(actor(request), admission, payload.question))


@api.post("/c/{slug}/admissions/{admission_id}/payments",
          response={201: AdmissionOut, **WRITE_ERRORS}, tags=["admissions"])
def record_payment(request: HttpRequest, slug: str, admission_id: int,
                   payload: PaymentIn) -> Status[Admission]:
    """Record a payment or refund for a paid gate; a covered fee admits the joiner."""
    admission = admission_of(request, slug, admission_id)
    gates.do_record_payment(actor(request), admission, amount_cents=payload.amount_cents,
                            reference=payload.reference, kind=payload.kind)
    return Status(201, reloaded(admission))


# ---------------------------------------------------------------- proposals and votes

class ProposalOut(Schema):
    number: int
    kind: str
    title: str
    reason: str
    status: str
    author_id: int | None
    author_label: str
    created: datetime
    voting_opens: datetime
    voting_closes: datetime
    quorum: float
    majority: float
    open_ballot: bool
    closed: datetime | None
    base_version: int | None
    result_version: int | None

    @staticmethod
    def resolve_status(obj: Proposal) -> str:
        return str(votes.phase(obj))  # a discussion turns into a vote by the clock

    @staticmethod
    def resolve_base_version(obj: Proposal) -> int | None:
        return obj.base.number if obj.base is not None else None

    @staticmethod
    def resolve_result_version(obj: Proposal) -> int | None:
        return obj.result.number if obj.result is not None else None


class BallotCountOut(Schema):
    cast: int
    eligible: int


class VoteOut(Schema):
    person_id: int
    person_name: str
    choice: str
    changed: datetime


class ChangeOut(Schema):
    path: str
    op: str
    before: Any
    after: Any


class ProposalDetailOut(ProposalOut):
    """A proposal with what it changes and how the vote stands."""

    removal_id: int | None
    changes: list[ChangeOut]
    tally: dict[str, Any] | None = Field(None, description="the result, once closed")
    ballots: BallotCountOut | None = Field(
        None, description="how many have voted, while the vote is open")
    votes: list[VoteOut] | None = Field(
        None, description="who voted what: only when the rulebook says open_ballot")

    @staticmethod
    def resolve_changes(obj: Proposal) -> list[Any]:
        if obj.base is None or obj.data is None:
            return []
        return diff(obj.base.data, obj.data)

    @staticmethod
    def resolve_tally(obj: Proposal) -> dict[str, Any] | None:
        return obj.tally if obj.status not in votes.OPEN else None

    @staticmethod
    def resolve_ballots(obj: Proposal) -> BallotCountOut | None:
        if obj.status not in votes.OPEN:
            return None
        return BallotCountOut(cast=obj.ballots.count(),
                              eligible=len(votes.eligible(obj.community)))

    @staticmethod
    def resolve_votes(obj: Proposal) -> list[VoteOut] | None:
        if not obj.open_ballot:
            return None  # a secret ballot: the choices are counted, never shown
        return [VoteOut(person_id=b.person_id, person_name=b.person.display_name,
                        choice=b.choice, changed=b.changed)
                for b in obj.ballots.select_related("person").order_by("person__display_name",
                                                                       "pk")]


class VoteIn(Schema):
    person_id: int
    choice: Choice


class BallotOut(Schema):
    proposal: int
    person_id: int
    choice: str
    cast: datetime
    changed: datetime

    @staticmethod
    def resolve_proposal(obj: Any) -> int:
        return int(obj.proposal.number)


def proposals(community: Community) -> QuerySet[Proposal]:
    return community.proposals.select_related("base", "result", "community")


def proposal_of(request: HttpRequest, slug: str, number: int, *,
                write: bool = False) -> Proposal:
    community = community_of(request, slug, write=write)
    return one(proposals(community), "proposal", number=number)


@api.get("/c/{slug}/proposals", response={200: list[ProposalOut], **READ_ERRORS},
         tags=["proposals"])
@paginate(LimitOffsetPagination)
def list_proposals(request: HttpRequest, slug: str) -> QuerySet[Proposal]:
    """Rule changes and removal votes, newest first."""
    return proposals(community_of(request, slug))


@api.get("/c/{slug}/proposals/{number}", response={200: ProposalDetailOut, **READ_ERRORS},
         tags=["proposals"])
def get_proposal(request: HttpRequest, slug: str, number: int) -> Proposal:
    """One proposal: the changes, the ballot count while open, the tally once closed."""
    return proposal_of(request, slug, number)


@api.post("/c/{slug}/proposals/{number}/votes", response={200: BallotOut, **WRITE_ERRORS},
          tags=["proposals"])
def cast_vote(request: HttpRequest, slug: str, number: int, payload: VoteIn) -> Any:
    """Record a member's vote (a second vote by the same member replaces the first)."""
    proposal = proposal_of(request, slug, number, write=True)
    person = one(Person.objects.filter(community=proposal.community), "person",
                 pk=payload.person_id)
    return votes.do_cast_vote(actor(request), proposal, person, payload.choice)


@api.post("/c/{slug}/proposals/{number}/close",
          response={200: ProposalDetailOut, **WRITE_ERRORS}, tags=["proposals"])
def close_proposal(request: HttpRequest, slug: str, number: int) -> Proposal:
    """Count the votes (after the deadline, or once every member has voted)."""
    proposal = proposal_of(request, slug, number, write=True)
    closed = votes.do_close(actor(request), proposal)
    return proposals(proposal.community).get(pk=closed.pk)


# ---------------------------------------------------------------- outbox

class OutboxOut(Schema):
    id: int
    group_id: int | None
    group_name: str | None
    kind: str
    text: str
    target_id: int | None
    target_name: str
    target_key: str
    message_key: str
    duration_s: int
    reason: str
    source: str
    source_ref: str
    status: str
    created: datetime
    done: datetime | None
    done_by: str

    @staticmethod
    def resolve_group_name(obj: OutboxAction) -> str | None:
        return obj.group.name if obj.group is not None else None


class FinishIn(Schema):
    note: str = ""


@api.get("/c/{slug}/outbox", response={200: list[OutboxOut], **READ_ERRORS},
         tags=["outbox"])
@paginate(LimitOffsetPagination)
def list_outbox(request: HttpRequest, slug: str,
                status: ActionStatus | None = None) -> QuerySet[OutboxAction]:
    """Chat-side steps waiting for an operator or a bot (``status=pending``), oldest first."""
    query = community_of(request, slug).outbox.select_related("group")
    return query.filter(status=status) if status else query


def finish(request: HttpRequest, slug: str, action_id: int, status: str,
           payload: FinishIn | None) -> OutboxAction:
    community = community_of(request, slug, write=True)
    action = one(community.outbox.select_related("group"), "outbox step", pk=action_id)
    return outbox.do_finish_action(actor(request), action, status=status,
                                   note=payload.note if payload else "")


@api.post("/c/{slug}/outbox/{action_id}/done", response={200: OutboxOut, **WRITE_ERRORS},
          tags=["outbox"])
def outbox_done(request: HttpRequest, slug: str, action_id: int,
                payload: FinishIn | None = None) -> OutboxAction:
    """The step happened in the chat."""
    return finish(request, slug, action_id, ActionStatus.DONE, payload)


@api.post("/c/{slug}/outbox/{action_id}/dismiss", response={200: OutboxOut, **WRITE_ERRORS},
          tags=["outbox"])
def outbox_dismiss(request: HttpRequest, slug: str, action_id: int,
                   payload: FinishIn | None = None) -> OutboxAction:
    """The step will not happen (say why in ``note``)."""
    return finish(request, slug, action_id, ActionStatus.DISMISSED, payload)


# ---------------------------------------------------------------- activities

from .api_activities import router as activities_router  # noqa: E402

api.add_router("", activities_router)
