"""Check-in challenges 打卡: create, enrol, record check-ins (by hand, from messages, from
the portal), make-up cards 补卡, daily reminders and summaries, completion → points,
badges and a certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Message, Person
from qunzhu.core.activities import checkin as core
from qunzhu.core.activities.schedule import local_moment
from qunzhu.core.activities.texts import names, say
from qunzhu.core.text import fold
from qunzhu.governance.outbox import post
from qunzhu.governance.votes import members_language

from . import points, scheduler
from .errors import ActivityError
from .models import Challenge, CheckIn, Enrolment, RemovedCheckIn, Source

MAX_DAYS = 366
REFUSALS = {
    "range": gettext_noop("That day is not part of the challenge."),
    "future": gettext_noop("Only a past day can be made up; today is checked in the normal "
                           "way."),
    "done": gettext_noop("That day is already checked in."),
    "limit": gettext_noop("No make-up cards left."),
    "late": gettext_noop("That day is too long ago to make up."),
}


def _validate(title: str, days: int, makeup_limit: int) -> None:
    if not title.strip():
        raise ActivityError(_("A challenge needs a title."))
    if not 1 <= days <= MAX_DAYS:
        raise ActivityError(_("A challenge lasts 1 to %(max)d days, not %(days)d.")
                            % {"max": MAX_DAYS, "days": days})
    if makeup_limit > days:
        raise ActivityError(_("More make-up cards than days makes no sense."))


@transaction.atomic
def do_create_challenge(actor: Actor, community: Community, *, title: str, start: date,
                        days: int = 21, group: Group | None = None, prompt: str = "",
                        keyword: str = "#打卡", min_length: int = 0,
                        photo_required: bool = False, makeup_limit: int = 2,
                        makeup_window: int = 3, remind_at: time | None = time(20, 0),
                        summary_at: time | None = time(22, 30)) -> Challenge:
    _validate(title, days, makeup_limit)
    if group is not None and group.community_id != community.pk:
        raise ActivityError(_("That group belongs to another community."))
    challenge = Challenge.objects.create(
        community=community, group=group, title=title.strip(), prompt=prompt.strip(),
        start=start, days=days, keyword=keyword.strip(), min_length=min_length,
        photo_required=photo_required, makeup_limit=makeup_limit,
        makeup_window=makeup_window, remind_at=remind_at, summary_at=summary_at,
        created_by=actor.label)
    plan_jobs(challenge)
    record(actor, "challenge.create", challenge, community=community,
           after={"start": str(start), "days": days, "keyword": keyword,
                  "group": group.name if group else None})
    return challenge


def plan_jobs(challenge: Challenge) -> None:
    """A reminder and a summary for every day, at the community's local times."""
    zone = challenge.community.zone
    for n in range(1, challenge.days + 1):
        day = challenge.start + timedelta(days=n - 1)
        if challenge.remind_at:
            scheduler.plan(challenge.community, f"challenge:{challenge.pk}:remind:{n}",
                           "challenge.remind", local_moment(day, challenge.remind_at, zone),
                           {"challenge": challenge.pk, "day": n})
        if challenge.summary_at:
            scheduler.plan(challenge.community, f"challenge:{challenge.pk}:summary:{n}",
                           "challenge.summary", local_moment(day, challenge.summary_at, zone),
                           {"challenge": challenge.pk, "day": n})


@transaction.atomic
def do_cancel_challenge(actor: Actor, challenge: Challenge, reason: str) -> Challenge:
    if not reason.strip():
        raise ActivityError(_("Say why the challenge is called off."))
    challenge.cancelled = timezone.now()
    challenge.save(update_fields=["cancelled"])
    dropped = scheduler.cancel(f"challenge:{challenge.pk}:")
    record(actor, "challenge.cancel", challenge, community=challenge.community, reason=reason,
           after={"jobs_cancelled": dropped})
    return challenge


def enrol(actor: Actor, challenge: Challenge, person: Person,
          source: str = Source.OPERATOR) -> Enrolment:
    """Enrol a member (once; enrolling again returns the existing enrolment)."""
    if person.community_id != challenge.community_id:
        raise ActivityError(_("That member belongs to another community."))
    enrolment, created = Enrolment.objects.get_or_create(
        challenge=challenge, person=person, defaults={"source": source})
    if created:
        record(actor, "challenge.enrol", enrolment, community=challenge.community,
               object_repr=f"{person} → {challenge}", after={"source": source})
    return enrolment


@transaction.atomic
def do_enrol(actor: Actor, challenge: Challenge, person: Person,
             source: str = Source.OPERATOR) -> Enrolment:
    if challenge.cancelled:
        raise ActivityError(_("This challenge was called off."))
    if timezone.localdate(timezone.now(), challenge.community.zone) > challenge.spec().end:
        raise ActivityError(_("This challenge is over."))
    return enrol(actor, challenge, person, source)


def _checkin(actor: Actor, challenge: Challenge, person: Person, day: int, *, at: datetime,
             source: str, text: str = "", photo_note: str = "",
             message: Message | None = None) -> CheckIn:
    enrolment = enrol(actor, challenge, person, Source.MESSAGE if source == Source.MESSAGE
                      else source if source != Source.MAKEUP else Source.OPERATOR)
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(challenge=challenge, person=person, day=day, at=at,
                                         source=source, text=text[:4000],
                                         photo_note=photo_note[:300], message=message,
                                         recorded_by=actor.label)
    except IntegrityError as exc:
        raise ActivityError(_("%(name)s already checked in on day %(day)d.")
                            % {"name": person.display_name, "day": day}) from exc
    record(actor, "checkin.makeup" if source == Source.MAKEUP else "checkin.record", row,
           community=challenge.community, object_repr=f"{person} · {challenge} · {day}",
           after={"day": day, "source": source})
    points.award(actor, person, "checkin", key=f"checkin:{challenge.pk}:{person.pk}:{day}",
                 reason=f"{challenge.title} · {day}", at=at)
    _maybe_complete(actor, challenge, enrolment, at)
    return row


def _maybe_complete(actor: Actor, challenge: Challenge, enrolment: Enrolment,
                    at: datetime) -> None:
    if enrolment.completed:
        return
    done = CheckIn.objects.filter(challenge=challenge, person=enrolment.person).count()
    if done < challenge.days:
        return
    enrolment.completed = at
    enrolment.save(update_fields=["completed"])
    record(actor, "challenge.complete", enrolment, community=challenge.community,
           object_repr=f"{enrolment.person} ✓ {challenge}", after={"days": done})
    points.award(actor, enrolment.person, "checkin_complete",
                 key=f"challenge:{challenge.pk}:complete:{enrolment.person_id}",
                 reason=challenge.title, at=at)
    points.evaluate_badges(actor, challenge.community, [enrolment.person_id])


@transaction.atomic
def do_record_checkin(actor: Actor, challenge: Challenge, person: Person, *,
                      at: datetime | None = None, text: str = "", photo_note: str = "",
                      source: str = Source.OPERATOR) -> CheckIn:
    """Today's check-in (by the clock in the community's zone). Operators are trusted:
    their record needs no keyword; a member's check-in from the portal must pass the
    challenge's rules (length, photo note)."""
    if challenge.cancelled:
        raise ActivityError(_("This challenge was called off."))
    at = at or timezone.now()
    spec = challenge.spec()
    day = spec.day_of(at)
    if day is None:
        raise ActivityError(_("%(when)s is outside the challenge (%(start)s to %(end)s).")
                            % {"when": at.astimezone(spec.zone).date(), "start": spec.start,
                               "end": spec.end})
    if source == Source.PORTAL:
        verdict = core.judge(replace(spec, keyword=""), text,
                             has_photo=bool(photo_note.strip()))
        if not verdict.counts:
            raise ActivityError(_refusal(verdict.missing, spec))
    return _checkin(actor, challenge, person, day, at=at, source=source, text=text,
                    photo_note=photo_note)


def _refusal(missing: str, spec: core.ChallengeSpec) -> str:
    if missing == "length":
        return _("A check-in needs at least %(n)d characters.") % {"n": spec.min_length}
    if missing == "photo":
        return _("This challenge asks for a photo note with each check-in.")
    return _("A check-in must contain %(keyword)s.") % {"keyword": spec.keyword}


@transaction.atomic
def do_use_makeup(actor: Actor, challenge: Challenge, person: Person, day: int, *,
                  text: str = "", now: datetime | None = None) -> CheckIn:
    """A make-up card 补卡 for a missed past day (limited per member and in time)."""
    now = now or timezone.now()
    spec = challenge.spec()
    state = progress_of(challenge, person, now)
    refusal = core.makeup_refusal(spec, state, day)
    if refusal:
        raise ActivityError(_(REFUSALS[refusal]))
    return _checkin(actor, challenge, person, day, at=now, source=Source.MAKEUP, text=text)


@transaction.atomic
def do_remove_checkin(actor: Actor, checkin: CheckIn, reason: str) -> None:
    """Take back a check-in recorded by mistake; its points are reversed."""
    if not reason.strip():
        raise ActivityError(_("Say why the check-in is removed."))
    challenge, person, day = checkin.challenge, checkin.person, checkin.day
    from_chat = checkin.source == Source.MESSAGE
    checkin.delete()
    if from_chat:  # the next import must not recognise the same message again
        RemovedCheckIn.objects.update_or_create(challenge=challenge, person=person, day=day,
                                                defaults={"reason": reason[:200]})
    if Enrolment.objects.filter(challenge=challenge, person=person,
                                completed__isnull=False).update(completed=None):
        points.revoke(actor, person, f"challenge:{challenge.pk}:complete:{person.pk}",
                      reason)
    points.revoke(actor, person, f"checkin:{challenge.pk}:{person.pk}:{day}", reason)
    record(actor, "checkin.remove", challenge, community=challenge.community,
           object_repr=f"{person} · {challenge} · {day}", reason=reason, before={"day": day})


def progress_of(challenge: Challenge, person: Person, now: datetime | None = None
                ) -> core.Progress:
    rows = list(CheckIn.objects.filter(challenge=challenge, person=person)
                .values_list("day", "source"))
    today = (now or timezone.now()).astimezone(challenge.community.zone).date()
    return core.progress(challenge.spec(), [d for d, _s in rows], today,
                         [d for d, s in rows if s == Source.MAKEUP])


@dataclass(frozen=True)
class Row:
    person: Person
    progress: core.Progress
    completed: datetime | None


def board(challenge: Challenge, now: datetime | None = None) -> list[Row]:
    """Every enrolled member with their progress, leaders first."""
    today = (now or timezone.now()).astimezone(challenge.community.zone).date()
    enrolments = list(challenge.enrolments.select_related("person"))
    days: dict[int, list[tuple[int, str]]] = {e.person_id: [] for e in enrolments}
    for person, day, source in challenge.checkins.values_list("person", "day", "source"):
        days.setdefault(person, []).append((day, source))
    spec = challenge.spec()
    states = {e.person_id: core.progress(spec, [d for d, _s in days[e.person_id]], today,
                                         [d for d, s in days[e.person_id]
                                          if s == Source.MAKEUP])
              for e in enrolments}
    by_id = {e.person_id: e for e in enrolments}
    return [Row(by_id[p].person, state, by_id[p].completed)
            for p, state in core.leaderboard(states)]


def recognise(actor: Actor, community: Community, *, since: datetime | None = None
              ) -> dict[str, int]:
    """Check-ins posted in the chat: messages in a running challenge's group (or any
    group) that carry its keyword and pass its rules. Idempotent: a day already checked
    in is left alone, so running it after every import is safe."""
    found = {"checked": 0, "recorded": 0, "refused": 0}
    for challenge in community.challenges.filter(cancelled__isnull=True).exclude(keyword=""):
        spec = challenge.spec()
        start = local_moment(spec.start, time.min, spec.zone)
        end = local_moment(spec.end + timedelta(days=1), time.min, spec.zone)
        messages = Message.objects.filter(
            group__community=community, sent_at__gte=max(start, since) if since else start,
            sent_at__lt=end, identity__person__isnull=False).filter(
            Q(text_folded__contains=fold(core.search_word(challenge.keyword)))
            | Q(text_folded="", text__contains=core.search_word(challenge.keyword))
        ).select_related("identity__person")
        if challenge.group_id:
            messages = messages.filter(group_id=challenge.group_id)
        have = set(challenge.checkins.values_list("person", "day"))
        have |= set(RemovedCheckIn.objects.filter(challenge=challenge)
                    .values_list("person", "day"))
        for message in messages.order_by("sent_at", "id").iterator(chunk_size=500):
            found["checked"] += 1
            person = message.identity.person  # type: ignore[union-attr]
            day = spec.day_of(message.sent_at)
            if person is None or day is None or (person.pk, day) in have:
                continue
            verdict = core.judge(spec, message.text, kind=message.kind)
            if not verdict.counts:
                found["refused"] += verdict.missing != "keyword"  # "我明天打卡" is no try
                continue
            try:
                with transaction.atomic():
                    _checkin(actor, challenge, person, day, at=message.sent_at,
                             source=Source.MESSAGE, text=message.text, message=message)
            except ActivityError:  # checked in meanwhile (the portal): nothing to add
                have.add((person.pk, day))
                continue
            have.add((person.pk, day))
            found["recorded"] += 1
    return found


# ----------------------------------------------------------------------- scheduled jobs

@scheduler.handler("challenge.remind")
def _remind(job: Any, now: datetime) -> None:
    challenge = Challenge.objects.select_related("community", "group").get(
        pk=job.payload["challenge"])
    if challenge.cancelled:
        return
    lang = members_language(challenge.community)
    day = int(job.payload["day"])
    text = say("checkin.remind", lang, title=challenge.title, day=day, days=challenge.days,
               prompt=challenge.prompt, keyword=challenge.keyword or "#打卡")
    _post(challenge, text, job.key)


@scheduler.handler("challenge.summary")
def _summary(job: Any, now: datetime) -> None:
    challenge = Challenge.objects.select_related("community", "group").get(
        pk=job.payload["challenge"])
    if challenge.cancelled:
        return
    lang = members_language(challenge.community)
    day = int(job.payload["day"])
    day_end = local_moment(challenge.start + timedelta(days=day - 1), time(23, 59),
                           challenge.community.zone)
    rows = board(challenge, day_end)
    today = {p for p in challenge.checkins.filter(day=day).values_list("person", flat=True)}
    leaders = [f"{r.person.display_name}({r.progress.current_streak})" for r in
               sorted(rows, key=lambda r: -r.progress.current_streak)[:5]
               if r.progress.current_streak]
    missing = [r.person.display_name for r in rows if r.person.pk not in today]
    text = say("checkin.summary", lang, title=challenge.title, day=day, done=len(today),
               enrolled=len(rows), leaders=names(leaders, lang, 5),
               missing=names(missing, lang))
    if day == challenge.days:
        finished = [r.person.display_name for r in rows if r.progress.completed]
        text += "\n\n" + say("checkin.final", lang, title=challenge.title, days=challenge.days,
                             finished=len(finished), names=names(finished, lang))
    _post(challenge, text, job.key)


def _post(challenge: Challenge, text: str, key: str) -> None:
    group = challenge.group or challenge.community.groups.filter(
        archived__isnull=True).order_by("pk").first()
    post(scheduler.ACTOR, challenge.community, group, text, reason=challenge.title,
         source="challenge", source_ref=str(challenge.pk), key=key)


def certificate(challenge: Challenge, person: Person, lang: str) -> bytes:
    """The completion certificate (PDF) of a member who checked in every day."""
    from .certificate import certificate_pdf

    enrolment = Enrolment.objects.filter(challenge=challenge, person=person).first()
    if enrolment is None or enrolment.completed is None:
        raise ActivityError(_("%(name)s has not completed this challenge.")
                            % {"name": person.display_name})
    spec = challenge.spec()
    issued = enrolment.completed.astimezone(spec.zone).date()
    return certificate_pdf(community=challenge.community.name, title=challenge.title,
                           name=person.display_name, days_done=challenge.days,
                           days_total=challenge.days, start=spec.start, end=spec.end,
                           issued=issued, serial=f"QZ-{challenge.pk}-{person.pk}", lang=lang)
