"""Campaigns 活动 (seed 002): plan from a template, run in three phases — warm-up 预热,
ignition 引爆, monitoring 监控 — with scheduled posts and phase changes, watch a live
monitor against the group's normal, and close with a retrospective 复盘 computed from
the data plus the operator's notes; good scripts are kept for next time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Message
from qunzhu.core.activities import campaign as core
from qunzhu.core.activities import library
from qunzhu.core.activities.texts import phase_name, say
from qunzhu.core.events import Action, ActionKind
from qunzhu.core.governance import TemplateError
from qunzhu.governance.models import Admission, AdmissionStatus, Payment, PaymentKind
from qunzhu.governance.outbox import Step, enqueue
from qunzhu.governance.votes import members_language

from . import challenges, scheduler
from .errors import ActivityError
from .models import Campaign, CampaignStep, ChainEntry, CheckIn, Phase, Script, StepKind, Submission

PHASE_ORDER = (Phase.WARMUP, Phase.IGNITION, Phase.MONITORING, Phase.DONE)
#: fields of the plan an operator edits (the dates move with ``do_reschedule``)
PLAN_FIELDS = ("title", "purpose", "format", "materials", "risks", "budget", "staff",
               "measures")


def _plain(value: Any) -> Any:
    """Dataclasses, datetimes and tuples → JSON-ready values (for the stored retro)."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@transaction.atomic
def do_create_campaign(actor: Actor, community: Community, *, template: str, start: date,
                       title: str | None = None, groups: list[Group] | None = None,
                       place: str = "", at: str = "20:00",
                       lang: str | None = None) -> Campaign:
    """A campaign planned from a library template, warm-up starting on ``start`` (a local
    date): phases, steps (each scheduled), measures; a check-in challenge when the
    template has one."""
    try:
        plan = library.get(template)
    except KeyError as exc:
        raise ActivityError(str(exc.args[0]) if exc.args else str(exc)) from exc
    lang = lang or members_language(community)
    groups = groups if groups is not None else list(
        community.groups.filter(archived__isnull=True))
    if any(g.community_id != community.pk for g in groups):
        raise ActivityError(_("That group belongs to another community."))
    name = (title or "").strip() or library.text(plan.name, lang)
    zone = community.zone
    dates = library.phase_dates(plan, start)
    warmup, ignition, monitoring, end = dates.bounds(zone)
    try:
        steps = library.plan_steps(plan, start, zone, lang, campaign=name,
                                   group=groups[0].name if groups else "",
                                   time=at, place=place or say("online", lang))
    except (TemplateError, ValueError) as exc:
        raise ActivityError(str(exc)) from exc
    campaign = Campaign.objects.create(
        community=community, title=name, template=plan.key,
        purpose=library.text(plan.purpose, lang), format=library.text(plan.format, lang),
        materials="\n".join(library.text(m, lang) for m in plan.materials),
        risks="\n".join(f"{library.text(r.risk, lang)} → {library.text(r.mitigation, lang)}"
                        for r in plan.risks),
        staff=[{"role": library.text(d.role, lang), "duty": library.text(d.duty, lang)}
               for d in plan.duties],
        budget=library.text(plan.budget, lang)[:200],
        measures=[{"metric": m.metric, "target": m.target, "label": library.text(m.label, lang)}
                  for m in plan.measures],
        warmup=warmup, ignition=ignition, monitoring=monitoring, end=end,
        created_by=actor.label)
    campaign.groups.set(groups)
    campaign.phase = phase_at(campaign, timezone.now())
    campaign.save(update_fields=["phase"])
    for step in steps:
        _add_step(campaign, step.phase, step.at, step.kind, step.text)
    _plan_phases(campaign)
    if plan.challenge_days:
        campaign.challenge = challenges.do_create_challenge(
            actor, community, title=name, start=dates.ignition, days=plan.challenge_days,
            group=groups[0] if len(groups) == 1 else None)
        campaign.save(update_fields=["challenge"])
    record(actor, "campaign.create", campaign, community=community,
           after={"template": plan.key, "start": str(start), "steps": len(steps),
                  "groups": [g.name for g in groups]})
    return campaign


def phase_at(campaign: Campaign, now: datetime) -> str:
    """The phase the calendar says the campaign is in (its jobs move it along)."""
    if now >= campaign.end:
        return str(Phase.DONE)
    for phase, start in ((Phase.MONITORING, campaign.monitoring),
                         (Phase.IGNITION, campaign.ignition), (Phase.WARMUP, campaign.warmup)):
        if now >= start:
            return str(phase)
    return str(Phase.PLANNING)


def _add_step(campaign: Campaign, phase: str, at: datetime, kind: str, text: str
              ) -> CampaignStep:
    step = CampaignStep.objects.create(campaign=campaign, phase=phase, at=at, kind=kind,
                                       text=text)
    scheduler.plan(campaign.community, f"campaign:{campaign.pk}:step:{step.pk}",
                   "campaign.step", at, {"step": step.pk})
    return step


def _plan_phases(campaign: Campaign) -> None:
    for phase, at in ((Phase.WARMUP, campaign.warmup), (Phase.IGNITION, campaign.ignition),
                      (Phase.MONITORING, campaign.monitoring), (Phase.DONE, campaign.end)):
        scheduler.plan(campaign.community, f"campaign:{campaign.pk}:phase:{phase}",
                       "campaign.phase", at, {"campaign": campaign.pk, "phase": str(phase)})


@transaction.atomic
def do_update_plan(actor: Actor, campaign: Campaign, **fields: Any) -> Campaign:
    """Edit the plan (purpose, format, materials, risks, staff, budget, measures)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ActivityError(_("Unknown plan fields: %(names)s") % {"names": ", ".join(unknown)})
    for measure in fields.get("measures") or []:
        if measure.get("metric") not in library.METRICS:
            raise ActivityError(_("Unknown measure %(metric)s; use one of %(known)s.")
                                % {"metric": measure.get("metric"),
                                   "known": ", ".join(library.METRICS)})
        try:
            measure["target"] = float(measure["target"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ActivityError(_("Each measure needs a target number.")) from exc
    if "title" in fields and not str(fields["title"]).strip():
        raise ActivityError(_("A campaign needs a title."))
    before = {name: getattr(campaign, name) for name in fields}
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()
    record(actor, "campaign.plan", campaign, community=campaign.community,
           before=_plain(before), after=_plain(fields))
    return campaign


@transaction.atomic
def do_add_step(actor: Actor, campaign: Campaign, *, phase: str, at: datetime, kind: str,
                text: str) -> CampaignStep:
    if phase not in (Phase.WARMUP, Phase.IGNITION, Phase.MONITORING):
        raise ActivityError(_("A step belongs to warm-up, ignition or monitoring."))
    if kind not in StepKind.values:
        raise ActivityError(_("A step is a post or a reminder."))
    if not text.strip():
        raise ActivityError(_("A step needs its text."))
    if campaign.phase == Phase.DONE:
        raise ActivityError(_("This campaign is finished."))
    if at <= timezone.now():
        raise ActivityError(_("A new step must be in the future."))
    step = _add_step(campaign, phase, at, kind, text.strip())
    record(actor, "campaign.step", campaign, community=campaign.community,
           after={"phase": phase, "at": at.isoformat(), "kind": kind})
    return step


# --------------------------------------------------------------------------- figures

def _messages(campaign: Campaign, since: datetime, until: datetime) -> list[Any]:
    rows = Message.objects.filter(group__in=campaign.groups.all(), sent_at__gte=since,
                                  sent_at__lt=until).values_list(
        "pk", "sent_at", "identity__person", "identity", "kind", "reply_to", "text", "group")
    # a sender not linked to a person yet counts by identity (negative: no clash with ids)
    return [core.Msg(id=pk, at=at, sender=person or -(identity or 0), kind=kind,
                     reply_to=reply, length=len(text or ""), group=group)
            for pk, at, person, identity, kind, reply, text, group
            in rows.iterator(chunk_size=5000)]


def figures(campaign: Campaign, now: datetime | None = None) -> dict[str, Any]:
    """The live monitor while the campaign runs and the retrospective once it ended: per
    phase against the 28 days before warm-up, the posts that drew replies, who took part,
    joins and conversions where known, and each success measure."""
    now = now or timezone.now()
    until = min(now, campaign.end)
    baseline = campaign.warmup - timedelta(days=core.BASELINE_DAYS)
    msgs = _messages(campaign, baseline, until)
    phases = core.Phases(campaign.warmup, campaign.ignition, campaign.monitoring,
                         campaign.end)
    per_phase = core.phase_figures(msgs, phases, now=until)
    names = dict(campaign.community.people.values_list("pk", "display_name"))
    texts = {}
    top = core.top_posts(msgs, campaign.warmup, until, n=5)
    if top:
        texts = dict(Message.objects.filter(pk__in=[t.msg.id for t in top])
                     .values_list("pk", "text"))
    who = core.participants(msgs, campaign.warmup, until)
    window = {"at__gte": campaign.warmup, "at__lt": until}
    admitted = Admission.objects.filter(group__in=campaign.groups.all(),
                                        status=AdmissionStatus.APPROVED,
                                        decided__gte=campaign.warmup, decided__lt=until).count()
    paid = Payment.objects.filter(admission__group__in=campaign.groups.all(),
                                  kind=PaymentKind.PAYMENT, **window).count()
    checkins = (CheckIn.objects.filter(challenge=campaign.challenge).count()
                if campaign.challenge_id else None)
    submissions = Submission.objects.filter(
        assignment__community=campaign.community, submitted__gte=campaign.warmup,
        submitted__lt=until).count()
    signups = ChainEntry.objects.filter(
        chain__community=campaign.community, at__gte=campaign.warmup, at__lt=until).filter(
        Q(chain__group__in=campaign.groups.all()) | Q(chain__group__isnull=True)).count()
    speech = sum(p.messages for p in per_phase)
    joins = sum(p.joins for p in per_phase)
    known: dict[str, float | None] = {
        "messages": speech, "participants": len(who), "joins": max(joins, admitted),
        "checkins": checkins, "submissions": submissions, "signups": signups,
        "conversions": paid or None}
    actual = {k: float(v) for k, v in known.items() if v is not None}
    plan = [_Measure(m["metric"], float(m["target"])) for m in campaign.measures]
    judged = core.measure_results(plan, actual)
    return {
        "until": until, "finished": now >= campaign.end,
        "phases": [_phase_row(p) for p in per_phase],
        "top_posts": [{"id": t.msg.id, "sender": names.get(t.msg.sender, "?"),
                       "at": t.msg.at, "replies": t.replies, "repliers": t.repliers,
                       "text": (texts.get(t.msg.id) or "")[:120]} for t in top],
        "participants": [{"name": names.get(p, "?"), "messages": n}
                         for p, n in list(who.items())[:20]],
        "participant_count": len(who), "admitted": admitted, "conversions": paid,
        "checkins": checkins, "submissions": submissions, "signups": signups,
        "measures": [{**_plain(r), "label": m.get("label") or m["metric"]}
                     for r, m in zip(judged, campaign.measures, strict=True)],
    }


@dataclass(frozen=True)
class _Measure:
    metric: str
    target: float


def _phase_row(p: core.PhaseFigures) -> dict[str, Any]:
    """One phase as the monitor shows it (and the retrospective stores it)."""
    return {"phase": p.phase, "start": p.start, "end": p.end, "days": round(p.days, 2),
            "partial": p.partial, "started": p.started, "messages": p.messages,
            "per_day": p.per_day, "participants": p.participants,
            "participants_per_day": p.participants_per_day, "joins": p.joins,
            "leaves": p.leaves, "baseline_per_day": p.baseline.per_day,
            "baseline_participants_per_day": p.baseline.participants_per_day,
            "lift": p.lift, "participant_lift": p.participant_lift}


@transaction.atomic
def do_close(actor: Actor, campaign: Campaign, notes: str,
             now: datetime | None = None) -> Campaign:
    """The retrospective 复盘: the figures are frozen with the operator's notes."""
    if not notes.strip():
        raise ActivityError(_("Write what went well and what to change: the retrospective "
                              "keeps it for next time."))
    now = now or timezone.now()
    campaign.retro = _plain(figures(campaign, now))
    campaign.notes, campaign.phase = notes.strip(), Phase.DONE
    campaign.save(update_fields=["retro", "notes", "phase"])
    scheduler.cancel(f"campaign:{campaign.pk}:")
    record(actor, "campaign.close", campaign, community=campaign.community,
           after={"measures": campaign.retro["measures"]})
    return campaign


@transaction.atomic
def do_save_script(actor: Actor, campaign: Campaign, *, title: str, text: str,
                   phase: str = "") -> Script:
    """Keep a script that worked, for the next campaign."""
    if not title.strip() or not text.strip():
        raise ActivityError(_("A saved script needs a title and its text."))
    script = Script.objects.create(community=campaign.community, title=title.strip(),
                                   text=text.strip(), phase=phase, campaign=campaign)
    record(actor, "campaign.script", script, community=campaign.community)
    return script


# ----------------------------------------------------------------------- scheduled jobs

@scheduler.handler("campaign.step")
def _step(job: Any, now: datetime) -> None:
    step = CampaignStep.objects.select_related("campaign__community").get(
        pk=job.payload["step"])
    campaign = step.campaign
    if campaign.phase == Phase.DONE and campaign.notes:
        return
    steps = [Step(Action(ActionKind.POST, g.external_key, text=step.text,
                         reason=f"{campaign.title} · {step.get_phase_display()}"),
                  group=g, key=f"{job.key}:{g.pk}") for g in campaign.groups.all()]
    enqueue(scheduler.ACTOR, campaign.community, steps, source="campaign",
            source_ref=str(campaign.pk))
    step.queued = now
    step.save(update_fields=["queued"])


@scheduler.handler("campaign.phase")
def _phase(job: Any, now: datetime) -> None:
    campaign = Campaign.objects.select_related("community").get(pk=job.payload["campaign"])
    phase = job.payload["phase"]
    if campaign.phase == Phase.DONE or PHASE_ORDER.index(phase) <= (
            PHASE_ORDER.index(campaign.phase) if campaign.phase in PHASE_ORDER else -1):
        return
    before = campaign.phase
    campaign.phase = phase
    campaign.save(update_fields=["phase"])
    record(scheduler.ACTOR, "campaign.phase", campaign, community=campaign.community,
           before={"phase": before}, after={"phase": phase})
    lang = members_language(campaign.community)
    text = say("campaign.phase", lang, title=campaign.title, phase=phase_name(phase, lang),
               start=f"{now.astimezone(campaign.community.zone):%Y-%m-%d %H:%M}")
    enqueue(scheduler.ACTOR, campaign.community,
            [Step(Action(ActionKind.NOTIFY_OPERATOR, "", text=text, reason=campaign.title),
                  key=job.key)], source="campaign", source_ref=str(campaign.pk))
