"""The member portal's services: one-time sign-in codes with a rate limit, profiles, a
member's own data export and erasure request (and the operator's erasure), personal
invite links. Everything a member does is audited with the member as the actor.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.audit.models import ActorKind
from qunzhu.community.models import MembershipStatus, Person
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import Channel, Invite

from .models import ErasureRequest, ErasureStatus, FailedSignIn, SignInCode

#: no 0/O, 1/I/L: codes are read aloud and typed on phones
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_HOURS = 72
#: failed sign-ins allowed per client address in WINDOW before it must wait
MAX_FAILURES = 8
WINDOW = timedelta(minutes=15)
LIST_LIMIT = 20


class PortalError(GovernanceError):
    """A refused member request; the message says why (shown on the page)."""


def members() -> QuerySet[Person]:
    """People who may use the portal: an active member of a group that is still open."""
    return Person.objects.filter(memberships__status=MembershipStatus.ACTIVE,
                                 memberships__group__archived__isnull=True).distinct()


def member_actor(person: Person) -> Actor:
    return Actor(ActorKind.MEMBER, f"member {person.pk} {person.display_name}"[:200])


def _digest(code: str) -> str:
    clean = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(clean.encode()).hexdigest()


@transaction.atomic
def do_issue_code(actor: Actor, person: Person, hours: int = CODE_HOURS) -> str:
    """A new one-time code for ``person``, returned once (only its hash is stored)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    SignInCode.objects.create(person=person, digest=_digest(code), created_by=actor.label,
                              expires=timezone.now() + timedelta(hours=hours))
    record(actor, "portal.code", person, community=person.community,
           after={"expires_hours": hours})
    return code


def wait_left(client: str, now: datetime | None = None) -> timedelta | None:
    """How long ``client`` must wait before trying again (None: it may try now)."""
    now = now or timezone.now()
    failures = list(FailedSignIn.objects.filter(client=client, at__gt=now - WINDOW)
                    .order_by("at").values_list("at", flat=True))
    if len(failures) < MAX_FAILURES:
        return None
    return failures[-MAX_FAILURES] + WINDOW - now


def sign_in(code: str, client: str, now: datetime | None = None) -> Person:
    """The person a valid, unused, unexpired code stands for; the code is used up.
    Too many wrong codes from one address in 15 minutes make it wait.

    Not one transaction on purpose: a wrong code must leave its mark for the rate limit
    even though the request fails."""
    now = now or timezone.now()
    wait = wait_left(client, now)
    if wait is not None:
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise PortalError(_("Too many wrong codes. Please wait %(n)d minutes and try again.")
                          % {"n": minutes})
    found = (SignInCode.objects.select_related("person__community")
             .filter(digest=_digest(code)).first())
    problem = ""
    if found is None:
        problem = _("That code is not right. Check it and try again.")
    elif found.used is not None:
        problem = _("This code was already used. Ask the group's managers for a new one.")
    elif found.expires <= now:
        problem = _("This code has expired. Ask the group's managers for a new one.")
    # used up atomically: two phones racing with one code cannot both get in
    elif not SignInCode.objects.filter(pk=found.pk, used__isnull=True).update(used=now):
        problem = _("This code was already used. Ask the group's managers for a new one.")
    if problem or found is None:
        FailedSignIn.objects.create(client=client[:64], at=now)
        raise PortalError(problem)
    person = found.person
    if not members().filter(pk=person.pk).exists():
        raise PortalError(_("You are not in any of this community's groups at the moment; "
                            "ask the managers."))
    record(member_actor(person), "portal.signin", person, community=person.community)
    return person


def _tags(value: str) -> list[str]:
    parts = value.replace("，", ",").replace("、", ",").split(",")
    return [p.strip()[:40] for p in parts if p.strip()][:LIST_LIMIT]


@transaction.atomic
def do_update_profile(person: Person, *, display_name: str, interests: str, skills: str,
                      needs: str, consent_introduce: bool, consent_contact: bool) -> Person:
    """A member's own profile (used for matching later): names and comma lists."""
    if not display_name.strip():
        raise PortalError(_("Your name cannot be empty."))
    fields = ("display_name", "interest_tags", "skills", "needs", "consent_introduce",
              "consent_contact")
    before = {name: getattr(person, name) for name in fields}
    person.display_name = display_name.strip()[:200]
    person.interest_tags, person.skills = _tags(interests), _tags(skills)
    person.needs = _tags(needs)
    person.consent_introduce, person.consent_contact = consent_introduce, consent_contact
    person.save()
    # the log says what changed, not the member's words (they may ask for erasure later)
    changed = [name for name in fields if getattr(person, name) != before[name]]
    record(member_actor(person), "portal.profile", person, community=person.community,
           after={"changed": changed})
    return person


def export(person: Person) -> dict[str, Any]:
    """Everything qunzhu keeps about one person, as JSON-ready data (their right to it)."""
    from qunzhu.activities.models import BadgeAward, ChainEntry, CheckIn, Submission
    from qunzhu.community.models import Message
    from qunzhu.governance.models import Admission, Ballot, PointsEntry, Strike

    def rows(query: Any, *fields: str) -> list[dict[str, Any]]:
        return [{k: (v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in row.items()} for row in query.values(*fields)]

    return {
        "exported": timezone.now().isoformat(),
        "community": person.community.name,
        "person": {"display_name": person.display_name, "interests": person.interest_tags,
                   "skills": person.skills, "needs": person.needs,
                   "consent_introduce": person.consent_introduce,
                   "consent_contact": person.consent_contact},
        "identities": rows(person.identities.all(), "platform", "external_id",
                           "display_name"),
        "memberships": rows(person.memberships.all(), "group__name", "joined", "left",
                            "roles", "status"),
        "messages": rows(Message.objects.filter(identity__person=person).order_by("sent_at"),
                         "group__name", "sent_at", "kind", "text"),
        "admissions": rows(Admission.objects.filter(person=person), "group__name", "gate",
                           "status", "created", "answers", "contact"),
        "checkins": rows(CheckIn.objects.filter(person=person), "challenge__title", "day",
                         "at", "source", "text"),
        "chain_entries": rows(ChainEntry.objects.filter(person=person), "chain__title",
                              "name", "values", "at"),
        "submissions": rows(Submission.objects.filter(person=person), "assignment__title",
                            "text", "link", "submitted", "review", "feedback", "featured"),
        "points": rows(PointsEntry.objects.filter(person=person), "amount", "reason", "at"),
        "badges": rows(BadgeAward.objects.filter(person=person), "badge__name", "at"),
        "votes": rows(Ballot.objects.filter(person=person), "proposal__title", "choice",
                      "cast"),
        "strikes": rows(Strike.objects.filter(person=person), "rule_id", "at", "expires",
                        "revoked"),
    }


@transaction.atomic
def do_request_erasure(person: Person, reason: str) -> ErasureRequest:
    if ErasureRequest.objects.filter(person=person, status=ErasureStatus.OPEN).exists():
        raise PortalError(_("Your request is already with the managers."))
    request = ErasureRequest.objects.create(community=person.community, person=person,
                                            name=person.display_name, reason=reason.strip())
    record(member_actor(person), "portal.erasure_request", request,
           community=person.community, reason=reason)
    # the operator hears of it where every pending step waits: the outbox
    from qunzhu.core.events import Action, ActionKind
    from qunzhu.governance.outbox import Step, enqueue

    enqueue(member_actor(person), person.community, [Step(
        Action(ActionKind.NOTIFY_OPERATOR, "", text=_(
            "%(name)s asks for everything about them to be erased. Open their member page "
            "to do it.") % {"name": person.display_name}, reason=reason.strip()),
        person=person, key=f"erasure:{request.pk}")], source="portal",
        source_ref=str(request.pk))
    return request


@transaction.atomic
def do_erase(actor: Actor, request: ErasureRequest, note: str = "") -> ErasureRequest:
    """Carry out an erasure request: the person and everything hanging off them (identities,
    messages, check-ins, ballots, points…) are deleted. The audit log keeps that it
    happened, not what was erased."""
    if request.status != ErasureStatus.OPEN:
        raise PortalError(_("This request was already handled."))
    person = request.person
    if person is not None:
        _forget(person)
        _scrub_audit(person)
        person.delete()
        request.person = None
    request.status, request.handled, request.handled_by = (ErasureStatus.DONE, timezone.now(),
                                                           actor.label)
    request.note, request.name, request.reason = note.strip(), "", ""
    request.save()
    record(actor, "person.erase", request, community=request.community, reason=note,
           object_repr=f"erasure request {request.pk}")
    return request


def _forget(person: Person) -> None:
    """Rows that only point at the person loosely (kept for others' sake) and copy their
    name: delete what is theirs, blank the name where the row belongs to someone else."""
    from qunzhu.activities.models import ChainEntry
    from qunzhu.governance.models import Admission, Finding, OutboxAction

    Admission.objects.filter(person=person).delete()
    ChainEntry.objects.filter(person=person).delete()
    Finding.objects.filter(person=person).update(sender_name="")
    # steps about them quote their name in the text: the text goes too
    OutboxAction.objects.filter(target=person).update(target_name="", target_key="",
                                                      text="—")


def _scrub_audit(person: Person) -> None:
    """The audit log keeps that things happened, not who they were about: entries by the
    member or about them lose names, values and reasons."""
    from qunzhu.audit.models import AuditEntry

    by_them = Q(actor_label__startswith=f"member {person.pk} ")
    about_them = Q(object_type="community.person", object_id=str(person.pk))
    if len(person.display_name) >= 2:  # operators' entries name them in the summary line
        about_them |= Q(object_repr__contains=person.display_name)
    entries = AuditEntry.objects.filter(community=person.community)
    entries.filter(by_them | about_them).update(object_repr="(erased)", before=None,
                                                after=None, reason="")
    entries.filter(by_them).update(actor_label="member (erased)")


def invite_of(person: Person) -> Invite | None:
    """The member's personal invite (attributes friends to them), if they have one."""
    return (Invite.objects.filter(community=person.community, inviter=person,
                                  channel=Channel.MEMBER, revoked=False)
            .order_by("-created").first())


def do_personal_invite(person: Person) -> Invite:
    """The member's own invite link, created once."""
    from qunzhu.governance.gates import do_create_invite

    existing = invite_of(person)
    if existing is not None and not existing.unusable_reason():
        return existing
    return do_create_invite(member_actor(person), person.community, inviter=person,
                            channel=Channel.MEMBER)
