"""Admission gates 引入规则: invites, the five gates, the review queue, payments, and the
onboarding package 入群规则 an approved joiner gets.

How each gate decides (``do_submit``):

- invitation 邀请制: a valid invite admits at once;
- task 任务制: automatic checks admit when every task passes; a failed check asks the
  joiner to redo it; a task an operator must judge waits in the queue;
- paid 付费制: admitted when the payments recorded cover the fee;
- application 申请制: the form waits in the queue for approve / reject / ask-for-more;
- recommendation 举荐制: a voucher whose standing is too low (or who holds active strikes)
  cannot vouch, and the application is declined with the reasons; otherwise it waits
  in the queue with the voucher's standing shown (or is admitted at once when the gate
  says ``auto_approve``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record, snapshot
from qunzhu.community.models import (
    Community,
    Gate,
    Group,
    Identity,
    Membership,
    MembershipStatus,
    Message,
    Person,
    Role,
)
from qunzhu.core.events import Action, ActionKind
from qunzhu.core.governance import (
    check_all,
    default_texts,
    icebreaker,
    render,
    standing,
    tasks_from_data,
)

from .errors import GovernanceError
from .models import (
    Admission,
    AdmissionNote,
    AdmissionStatus,
    Channel,
    GroupGate,
    Invite,
    OnboardingKit,
    Payment,
    PaymentKind,
    Strike,
)
from .outbox import Step, enqueue

#: invite codes: no 0/O, 1/l/I, easy to read aloud and type from a poster
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def public_url() -> str:
    return str(getattr(settings, "QUNZHU_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")


def invite_url(invite: Invite) -> str:
    return f"{public_url()}/join/{invite.code}/"


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# ---------------------------------------------------------------- gates and invites

@transaction.atomic
def do_set_gate(actor: Actor, group: Group, kind: str, *, enabled: bool = True,
                settings: Mapping[str, Any] | None = None) -> GroupGate:
    """Turn a gate on or off for a group, with its settings (validated)."""
    if kind not in Gate.values or not kind:
        raise GovernanceError(_("Unknown gate %(kind)s.") % {"kind": kind})
    clean = validate_gate_settings(kind, dict(settings or {}))
    gate, created = GroupGate.objects.get_or_create(group=group, kind=kind,
                                                    defaults={"enabled": enabled,
                                                              "settings": clean})
    before = None if created else {"enabled": gate.enabled, "settings": gate.settings}
    gate.enabled, gate.settings = enabled, clean
    gate.save()
    record(actor, "gate.set", gate, community=group.community, before=before,
           after={"enabled": enabled, "settings": clean})
    return gate


def validate_gate_settings(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    if kind == Gate.PAID:
        fee = data.get("fee_cents")
        if not isinstance(fee, int) or fee <= 0:
            raise GovernanceError(_("A paid gate needs a fee above zero (fee_cents)."))
        data.setdefault("currency", "CNY")
    if kind == Gate.TASK:
        try:
            tasks = tasks_from_data(list(data.get("tasks") or []))
        except ValueError as exc:
            raise GovernanceError(str(exc)) from exc
        if not tasks:
            raise GovernanceError(_("A task gate needs at least one task."))
    if kind == Gate.APPLICATION:
        form = data.get("form") or []
        for i, field in enumerate(form):
            if not isinstance(field, dict) or not field.get("id") or not field.get("label"):
                raise GovernanceError(_("form[%(i)s]: each field needs an id and a label")
                                      % {"i": i})
        if not form:
            data["form"] = default_form()
    if kind == Gate.RECOMMENDATION:
        score = data.setdefault("min_standing", 40)
        if not isinstance(score, int) or not 0 <= score <= 100:
            raise GovernanceError(_("min_standing must be a whole number from 0 to 100."))
    return data


def default_form() -> list[dict[str, Any]]:
    """The application form when a community defines none: the playbook's four questions."""
    return [
        {"id": "interests", "label": _("What are you interested in?"), "required": True},
        {"id": "skills", "label": _("What can you share with the group?"), "required": False},
        {"id": "needs", "label": _("What do you hope to find here?"), "required": False},
        {"id": "why", "label": _("Why do you want to join?"), "required": True},
    ]


def gates_of(group: Group) -> dict[str, GroupGate]:
    return {g.kind: g for g in group.gates.filter(enabled=True)}


@transaction.atomic
def do_create_invite(actor: Actor, community: Community, *, group: Group | None = None,
                     inviter: Person | None = None, channel: str = Channel.OWN_PLATFORM,
                     channel_detail: str = "", expires: datetime | None = None,
                     max_uses: int | None = None) -> Invite:
    if group is not None and group.community_id != community.pk:
        raise GovernanceError(_("That group belongs to another community."))
    if inviter is not None and inviter.community_id != community.pk:
        raise GovernanceError(_("That inviter belongs to another community."))
    if channel not in Channel.values:
        raise GovernanceError(_("Unknown channel %(channel)s; use one of %(all)s.")
                              % {"channel": channel, "all": ", ".join(Channel.values)})
    if max_uses is not None and max_uses < 1:
        raise GovernanceError(_("An invite must allow at least one use."))
    if expires is not None and timezone.is_naive(expires):
        expires = timezone.make_aware(expires, community.zone)
    if expires is not None and expires <= timezone.now():
        raise GovernanceError(_("The expiry date is already past."))
    if inviter is not None and channel == Channel.OWN_PLATFORM:
        channel = Channel.MEMBER
    code = new_code()
    while Invite.objects.filter(code=code).exists():
        code = new_code()
    invite = Invite.objects.create(community=community, group=group, code=code,
                                   inviter=inviter, channel=channel,
                                   channel_detail=channel_detail, expires=expires,
                                   max_uses=max_uses, created_by=actor.label)
    record(actor, "invite.create", invite, community=community, after=snapshot(invite))
    return invite


@transaction.atomic
def do_revoke_invite(actor: Actor, invite: Invite, reason: str = "") -> Invite:
    invite = Invite.objects.select_for_update().get(pk=invite.pk)
    if invite.revoked:
        raise GovernanceError(_("Invite %(code)s was already revoked.") % {"code": invite.code})
    invite.revoked = True
    invite.save(update_fields=["revoked"])
    record(actor, "invite.revoke", invite, community=invite.community, reason=reason)
    return invite


def qr_code(invite: Invite, kind: str = "png", scale: int = 8) -> bytes:
    """The invite link as a printable QR code (PNG or SVG)."""
    import io

    import segno

    if kind not in ("png", "svg"):
        raise GovernanceError(_("A QR code is a png or an svg."))
    buffer = io.BytesIO()
    segno.make(invite_url(invite), error="m").save(buffer, kind=kind, scale=scale, border=4)
    return buffer.getvalue()


# ---------------------------------------------------------------- admissions

def _note(admission: Admission, actor: Actor, verb: str, text: str = "") -> None:
    AdmissionNote.objects.create(admission=admission, actor=actor.label, verb=verb, text=text)


@transaction.atomic
def do_submit(actor: Actor, group: Group, gate: str, *, name: str, answers: Mapping[str, str]
              | None = None, invite: Invite | None = None, voucher: Person | None = None,
              platform: str = "", external_id: str = "", contact: str = "",
              now: datetime | None = None) -> Admission:
    """A joiner asks to enter ``group`` through ``gate``; the gate decides what happens."""
    now = now or timezone.now()
    community = group.community
    name = name.strip()
    if not name:
        raise GovernanceError(_("A joiner needs a name."))
    if gate not in Gate.values or not gate:
        raise GovernanceError(_("Unknown gate %(kind)s.") % {"kind": gate})
    enabled = gates_of(group)
    if gate not in enabled:
        raise GovernanceError(_("%(group)s does not admit through the %(gate)s gate.")
                              % {"group": group.name, "gate": Gate(gate).label})
    settings_ = enabled[gate].settings
    answers = {k: str(v).strip() for k, v in (answers or {}).items()}
    admission = Admission(community=community, group=group, gate=gate, name=name,
                          platform=platform or group.platform, external_id=external_id,
                          contact=contact, answers=answers, created=now)
    if invite is not None:
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        why = invite.unusable_reason(now)
        if invite.community_id != community.pk or (invite.group_id not in (None, group.pk)):
            why = _("this invite is for another group")
        if why:
            raise GovernanceError(_("Invite %(code)s cannot be used: %(why)s.")
                                  % {"code": invite.code, "why": why})
        invite.uses += 1
        invite.save(update_fields=["uses"])
        admission.invite, admission.inviter = invite, invite.inviter
        admission.channel = invite.channel
    if gate == Gate.INVITATION and invite is None:
        raise GovernanceError(_("The invitation gate needs a valid invite code."))
    if gate == Gate.APPLICATION:
        missing = [f["label"] for f in settings_.get("form") or default_form()
                   if f.get("required") and not answers.get(f["id"])]
        if missing:
            raise GovernanceError(_("Please answer: %(fields)s.")
                                  % {"fields": "; ".join(missing)})
    if gate == Gate.PAID:
        admission.fee_cents = int(settings_["fee_cents"])
        admission.currency = settings_.get("currency", "CNY")
    if gate == Gate.RECOMMENDATION:
        if voucher is None or voucher.community_id != community.pk:
            raise GovernanceError(_("A recommendation needs a member of this community "
                                    "who vouches."))
        admission.voucher = voucher
        admission.inviter = admission.inviter or voucher
        admission.standing = standing_of(voucher, now, int(settings_.get("min_standing", 40)))
    admission.save()
    record(actor, "admission.submit", admission, community=community,
           after={"gate": gate, "name": name, "group": group.name,
                  "invite": invite.code if invite else None})
    _note(admission, actor, "submit")

    if gate == Gate.INVITATION:
        return _approve(Actor.rule("gate:invitation"), admission, now,
                        _("a valid invite (%(code)s)") % {"code": invite.code if invite else ""})
    if gate == Gate.TASK:
        return _run_task_checks(admission, settings_, now)
    if gate == Gate.RECOMMENDATION:
        st = admission.standing or {}
        if not st.get("can_vouch"):
            return _decline(Actor.rule("gate:recommendation"), admission, now,
                            _("the recommender cannot vouch now: %(why)s")
                            % {"why": st.get("text", "")})
        if settings_.get("auto_approve"):
            return _approve(Actor.rule("gate:recommendation"), admission, now,
                            _("recommended by %(name)s") % {"name": voucher.display_name
                                                            if voucher else ""})
    return admission


def _run_task_checks(admission: Admission, settings_: Mapping[str, Any],
                     now: datetime) -> Admission:
    tasks = tasks_from_data(list(settings_.get("tasks") or []))
    checks = check_all(tasks, admission.answers)
    admission.checks = [{"task": c.task_id, "passed": c.passed, "code": c.code,
                         "text": c.text("en"), "text_zh": c.text("zh-hans")} for c in checks]
    admission.save(update_fields=["checks"])
    rule = Actor.rule("gate:task")
    failed = [c for c in checks if c.passed is False]
    if failed:
        admission.status = AdmissionStatus.NEEDS_INFO
        admission.save(update_fields=["status"])
        _note(admission, rule, "ask", "; ".join(c.text() for c in failed))
        record(rule, "admission.ask", admission, community=admission.community,
               reason="; ".join(c.text("en") for c in failed))
        return admission
    if all(c.passed for c in checks):
        return _approve(rule, admission, now, _("every task passed its automatic check"))
    return admission  # some task needs an operator's judgement


def standing_of(person: Person, now: datetime, min_score: int = 40) -> dict[str, Any]:
    """The voucher's standing (``qunzhu.core.governance.standing``) from the database."""
    memberships = list(person.memberships.all())
    joined = [m.joined for m in memberships if m.joined is not None]
    tenure = (now - min(joined)).days if joined else 0
    days = (Message.objects.filter(identity__person=person,
                                   sent_at__gte=now - timedelta(days=90), sent_at__lte=now)
            .dates("sent_at", "day").count())
    strikes = Strike.objects.filter(person=person, revoked=False, expires__gt=now).count()
    removed = Membership.objects.filter(inviter=person,
                                        status=MembershipStatus.REMOVED).count()
    roles: set[str] = set()
    for m in memberships:
        roles.update(m.roles)
    result = standing(tenure_days=max(tenure, 0), active_days_90=days, active_strikes=strikes,
                      removed_invitees=removed, roles=frozenset(roles), min_score=min_score)
    return {"score": result.score, "can_vouch": result.can_vouch,
            "reasons": list(result.reasons), "text": result.text("zh-hans"),
            "text_en": result.text("en"), "tenure_days": tenure, "active_days_90": days,
            "active_strikes": strikes, "removed_invitees": removed}


def _reviewable(admission: Admission) -> None:
    if admission.status not in (AdmissionStatus.PENDING, AdmissionStatus.NEEDS_INFO):
        raise GovernanceError(_("This application was already %(status)s.")
                              % {"status": admission.get_status_display()})


@transaction.atomic
def do_approve(actor: Actor, admission: Admission, reason: str = "",
               now: datetime | None = None) -> Admission:
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    _reviewable(admission)
    if admission.gate == Gate.PAID and paid_cents(admission) < admission.fee_cents:
        raise GovernanceError(_("The fee is not paid yet (%(paid)s of %(fee)s).") % {
            "paid": money(paid_cents(admission), admission.currency),
            "fee": money(admission.fee_cents, admission.currency)})
    return _approve(actor, admission, now or timezone.now(), reason)


def _approve(actor: Actor, admission: Admission, now: datetime, reason: str) -> Admission:
    """Admit: the person, their membership (gate, inviter, channel) and the onboarding."""
    community, group = admission.community, admission.group
    person = None
    if admission.external_id:
        identity = Identity.objects.filter(community=community, platform=admission.platform,
                                           external_id=admission.external_id).first()
        if identity is not None:
            person = identity.person
    if person is None:
        person = Person.objects.create(community=community, display_name=admission.name)
        if admission.external_id:
            Identity.objects.create(community=community, person=person,
                                    platform=admission.platform,
                                    external_id=admission.external_id,
                                    display_name=admission.name, first_seen=now)
    answers = admission.answers
    for field in ("interests", "skills", "needs"):
        if answers.get(field) and not getattr(person, "interest_tags" if field == "interests"
                                              else field):
            values = [v.strip() for v in answers[field].replace("，", ",").split(",")
                      if v.strip()]
            setattr(person, "interest_tags" if field == "interests" else field, values)
    person.save()
    roles = [Role.PARTICIPANT.value] + ([Role.PAYER.value] if admission.gate == Gate.PAID
                                        else [])
    membership, created = Membership.objects.get_or_create(
        person=person, group=group,
        defaults={"joined": now, "roles": roles, "gate": admission.gate,
                  "inviter": admission.inviter, "channel": admission.channel})
    if not created:
        membership.status, membership.left = MembershipStatus.ACTIVE, None
        membership.gate, membership.channel = admission.gate, admission.channel
        membership.inviter = membership.inviter or admission.inviter
        membership.roles = sorted(set(membership.roles) | set(roles))
        membership.joined = membership.joined or now
        membership.save()
    admission.status, admission.person = AdmissionStatus.APPROVED, person
    admission.decided, admission.decided_by = now, actor.label
    admission.save(update_fields=["status", "person", "decided", "decided_by"])
    _note(admission, actor, "approve", reason)
    record(actor, "admission.approve", admission, community=community, reason=reason,
           after={"person": person.pk, "membership": membership.pk, "gate": admission.gate,
                  "inviter": admission.inviter_id, "channel": admission.channel})
    enqueue(actor, community, onboarding_steps(admission, person), source="onboarding",
            source_ref=f"admission:{admission.pk}")
    return admission


@transaction.atomic
def do_reject(actor: Actor, admission: Admission, reason: str,
              now: datetime | None = None) -> Admission:
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    _reviewable(admission)
    if not reason.strip():
        raise GovernanceError(_("Say why the application is declined; the reason is kept."))
    return _decline(actor, admission, now or timezone.now(), reason)


def _decline(actor: Actor, admission: Admission, now: datetime, reason: str) -> Admission:
    admission.status = AdmissionStatus.REJECTED
    admission.decided, admission.decided_by = now, actor.label
    admission.save(update_fields=["status", "decided", "decided_by"])
    _note(admission, actor, "reject", reason)
    record(actor, "admission.reject", admission, community=admission.community, reason=reason)
    return admission


@transaction.atomic
def do_ask(actor: Actor, admission: Admission, question: str) -> Admission:
    """Ask the joiner for more; the application waits for their answer."""
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    _reviewable(admission)
    if not question.strip():
        raise GovernanceError(_("Write the question to ask."))
    admission.status = AdmissionStatus.NEEDS_INFO
    admission.save(update_fields=["status"])
    _note(admission, actor, "ask", question)
    record(actor, "admission.ask", admission, community=admission.community, reason=question)
    return admission


@transaction.atomic
def do_answer(actor: Actor, admission: Admission, answers: Mapping[str, str],
              now: datetime | None = None) -> Admission:
    """The joiner answers (more): the application returns to the queue (tasks re-checked)."""
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    if admission.status != AdmissionStatus.NEEDS_INFO:
        raise GovernanceError(_("This application is not waiting for an answer."))
    admission.answers = {**admission.answers, **{k: str(v).strip() for k, v in answers.items()}}
    admission.status = AdmissionStatus.PENDING
    admission.save(update_fields=["answers", "status"])
    _note(admission, actor, "answer", "; ".join(f"{k}: {v}" for k, v in answers.items()))
    record(actor, "admission.answer", admission, community=admission.community,
           after={"answers": dict(answers)})
    if admission.gate == Gate.TASK:
        gate = admission.group.gates.filter(kind=Gate.TASK).first()
        return _run_task_checks(admission, gate.settings if gate else {},
                                now or timezone.now())
    return admission


def paid_cents(admission: Admission) -> int:
    sums = {row["kind"]: row["total"] for row in
            admission.payments.values("kind").annotate(total=Sum("amount_cents"))}
    return int(sums.get(PaymentKind.PAYMENT, 0)) - int(sums.get(PaymentKind.REFUND, 0))


def money(cents: int, currency: str) -> str:
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}.get(currency, currency + " ")
    return f"{symbol}{cents / 100:.2f}"


@transaction.atomic
def do_record_payment(actor: Actor, admission: Admission, *, amount_cents: int,
                      reference: str = "", kind: str = PaymentKind.PAYMENT,
                      now: datetime | None = None) -> Payment:
    """Record a payment (or refund) for a paid gate; a covered fee admits the joiner."""
    admission = Admission.objects.select_for_update().get(pk=admission.pk)
    now = now or timezone.now()
    if admission.gate != Gate.PAID:
        raise GovernanceError(_("Only a paid-gate application takes payments."))
    if kind not in PaymentKind.values:
        raise GovernanceError(_("A payment is a payment or a refund."))
    if amount_cents <= 0:
        raise GovernanceError(_("An amount must be above zero."))
    if kind == PaymentKind.REFUND and amount_cents > paid_cents(admission):
        raise GovernanceError(_("A refund cannot exceed what was paid (%(paid)s).")
                              % {"paid": money(paid_cents(admission), admission.currency)})
    if kind == PaymentKind.PAYMENT and admission.status == AdmissionStatus.REJECTED:
        raise GovernanceError(_("This application was declined; record a refund instead."))
    payment = Payment.objects.create(admission=admission, kind=kind, amount_cents=amount_cents,
                                     currency=admission.currency, reference=reference, at=now,
                                     recorded_by=actor.label)
    _note(admission, actor, kind, f"{money(amount_cents, admission.currency)} {reference}")
    record(actor, f"payment.{kind}", payment, community=admission.community,
           object_repr=f"{admission.name} {money(amount_cents, admission.currency)}",
           after={"amount_cents": amount_cents, "reference": reference})
    if (kind == PaymentKind.PAYMENT and admission.status in (AdmissionStatus.PENDING,
                                                             AdmissionStatus.NEEDS_INFO)
            and paid_cents(admission) >= admission.fee_cents):
        _approve(Actor.rule("gate:paid"), admission, now,
                 _("fee paid (%(paid)s)") % {"paid": money(paid_cents(admission),
                                                          admission.currency)})
    return payment


# ---------------------------------------------------------------- onboarding

def kit(community: Community, language: str | None = None) -> OnboardingKit:
    """The community's onboarding texts in ``language`` (default: its default kit); until
    an operator saves them, qunzhu's defaults (an unsaved kit: reading changes nothing)."""
    query = community.onboarding_kits.all()
    found = (query.filter(language=language) if language else
             query.order_by("-is_default", "language")).first()
    if found is not None:
        return found
    lang = language or "zh-hans"
    texts = default_texts(lang)
    return OnboardingKit(
        community=community, language=lang, welcome=texts["welcome"],
        announcement_intro=texts["announcement_intro"],
        icebreaker_fields=["name", "city", "work", "interests", "why_joined"],
        is_default=not query.exclude(language=lang).exists())


@transaction.atomic
def do_update_kit(actor: Actor, kit_: OnboardingKit, *, welcome: str, announcement_intro: str,
                  icebreaker_fields: list[str], is_default: bool | None = None) -> OnboardingKit:
    from qunzhu.core.governance import ICEBREAKER_FIELDS, TemplateError

    values = sample_values(kit_.community)
    try:
        render(welcome, values)
        render(announcement_intro, values)
    except TemplateError as exc:
        raise GovernanceError(str(exc)) from exc
    unknown = [f for f in icebreaker_fields if f not in ICEBREAKER_FIELDS]
    if unknown:
        raise GovernanceError(_("Unknown self-introduction fields: %(fields)s")
                              % {"fields": ", ".join(unknown)})
    before = snapshot(kit_, ["welcome", "announcement_intro", "icebreaker_fields"])
    kit_.welcome, kit_.announcement_intro = welcome, announcement_intro
    kit_.icebreaker_fields = icebreaker_fields
    if is_default:
        kit_.community.onboarding_kits.exclude(pk=kit_.pk).update(is_default=False)
        kit_.is_default = True
    kit_.save()
    record(actor, "onboarding.update", kit_, community=kit_.community, before=before,
           after=snapshot(kit_, ["welcome", "announcement_intro", "icebreaker_fields"]))
    return kit_


def sample_values(community: Community, group: Group | None = None,
                  name: str = "") -> dict[str, str]:
    return {"name": name or _("new member"), "group": group.name if group else community.name,
            "community": community.name}


def onboarding_steps(admission: Admission, person: Person) -> list[Step]:
    """Bring the member in, welcome them, hand them the self-introduction template."""
    group, k = admission.group, kit(admission.community)
    values = sample_values(admission.community, group, person.display_name)
    ref = f"admission:{admission.pk}"
    add = Action(ActionKind.ADD, group.external_key, text=_(
        "Add %(name)s to %(group)s (or send them the group's join link).")
        % {"name": person.display_name, "group": group.name},
        target_name=person.display_name, reason=_("approved through the %(gate)s gate")
        % {"gate": Gate(admission.gate).label})
    welcome = Action(ActionKind.POST, group.external_key, text=render(k.welcome, values),
                     target_name=person.display_name, reason=_("welcome message"))
    intro = Action(ActionKind.POST, group.external_key,
                   text=icebreaker(k.icebreaker_fields, k.language),
                   target_name=person.display_name,
                   reason=_("self-introduction template (破冰)"))
    return [Step(add, group, person, f"{ref}:add"), Step(welcome, group, person,
                                                          f"{ref}:welcome"),
            Step(intro, group, person, f"{ref}:intro")]
