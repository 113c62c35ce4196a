"""Sharing sessions 分享: a series at a fixed weekday, time and place, in one of four
modes — leader-led, guest drop-in, rotation, experience summary. Rotation is fair (see
``qunzhu.core.activities.rotation``): speakers are re-derived for every planned session
whenever something changes, so an absence moves the queue, never skips a person.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import islice
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Person
from qunzhu.core.activities.rotation import Turn, next_speakers
from qunzhu.core.activities.schedule import weekly
from qunzhu.core.activities.texts import say
from qunzhu.governance.outbox import post
from qunzhu.governance.votes import members_language

from . import points, scheduler
from .errors import ActivityError
from .models import Absence, Session, SessionStatus, SharingMode, SharingSeries

#: the announcement goes out this long before a session
ANNOUNCE_BEFORE = timedelta(days=1)
ROTATING = (SharingMode.ROTATION, SharingMode.SUMMARY)


@transaction.atomic
def do_create_series(actor: Actor, community: Community, *, title: str, mode: str,
                     weekday: int, at: time, place: str = "", minutes: int = 60,
                     remind_before: int = 60, group: Group | None = None,
                     leader: Person | None = None, speakers: list[Person] | None = None,
                     plan: int = 4) -> SharingSeries:
    if not title.strip():
        raise ActivityError(_("A sharing series needs a title."))
    if mode not in SharingMode.values:
        raise ActivityError(_("Unknown sharing mode %(mode)s.") % {"mode": mode})
    if not 0 <= weekday <= 6:
        raise ActivityError(_("The weekday is 0 (Monday) to 6 (Sunday)."))
    if mode == SharingMode.LEADER and leader is None:
        raise ActivityError(_("A leader-led series needs its leader."))
    if mode in ROTATING and not speakers:
        raise ActivityError(_("A rotation needs the members who take turns."))
    series = SharingSeries.objects.create(
        community=community, group=group, title=title.strip(), mode=mode, weekday=weekday,
        at=at, place=place.strip(), minutes=minutes, remind_before=remind_before,
        leader=leader, created_by=actor.label)
    if speakers:
        series.speakers.set(speakers)
    record(actor, "sharing.create", series, community=community,
           after={"mode": mode, "weekday": weekday, "at": at.strftime("%H:%M"),
                  "place": place, "speakers": [p.pk for p in speakers or []]})
    plan_sessions(series, plan)
    return series


def eligible(series: SharingSeries) -> list[int]:
    """Rotation speakers in the order they were added (the tie-break of fairness)."""
    through = series.speakers.through
    return list(through.objects.filter(sharingseries=series).order_by("id")
                .values_list("person_id", flat=True))


def plan_sessions(series: SharingSeries, count: int = 4, now: datetime | None = None
                  ) -> list[Session]:
    """Make sure the next ``count`` sessions exist (with their announcement and reminder)."""
    now = now or timezone.now()
    zone = series.community.zone
    made: list[Session] = []
    planned = 0
    for moment in islice(weekly(now.astimezone(zone).date(), series.weekday, series.at, zone),
                         count + 60):
        if planned >= count:
            break
        if moment <= now:
            continue
        session, created = Session.objects.get_or_create(series=series, at=moment)
        if session.status != SessionStatus.PLANNED:
            continue  # held early or called off: it does not count
        planned += 1
        if created:
            if series.mode == SharingMode.LEADER:
                session.speaker = series.leader
                session.save(update_fields=["speaker"])
            _plan_jobs(session)
            made.append(session)
    assign_rotation(series)
    return made


def _plan_jobs(session: Session) -> None:
    community = session.series.community
    # a session less than a day away is announced at once rather than not at all
    scheduler.plan(community, f"session:{session.pk}:announce", "sharing.announce",
                   max(session.at - ANNOUNCE_BEFORE, timezone.now()), {"session": session.pk})
    if session.series.remind_before:
        scheduler.plan(community, f"session:{session.pk}:remind", "sharing.remind",
                       session.at - timedelta(minutes=session.series.remind_before),
                       {"session": session.pk})


def assign_rotation(series: SharingSeries) -> None:
    """Give every planned session of a rotation its fair speaker, in session order."""
    if series.mode not in ROTATING:
        return
    pool = eligible(series)
    history = [Turn(s.speaker_id) for s in series.sessions.filter(
        status=SessionStatus.HELD, speaker__isnull=False).order_by("at")
        if s.speaker_id is not None]
    for session in series.sessions.filter(status=SessionStatus.PLANNED).order_by("at"):
        away = dict(session.absences.values_list("person_id", "reason"))
        picked = next_speakers(pool, history, 1, away)
        speaker = picked[0] if picked else None
        if session.speaker_id != speaker:
            Session.objects.filter(pk=session.pk).update(speaker=speaker)
        if speaker is not None:
            history.append(Turn(speaker))


@transaction.atomic
def do_mark_absent(actor: Actor, session: Session, person: Person, reason: str) -> Session:
    """A member cannot take this session: skipped with the reason, keeps their place."""
    if not reason.strip():
        raise ActivityError(_("Say why the member cannot take this session."))
    if session.status != SessionStatus.PLANNED:
        raise ActivityError(_("This session is no longer planned."))
    Absence.objects.update_or_create(session=session, person=person,
                                     defaults={"reason": reason.strip()})
    record(actor, "sharing.absent", session, community=session.series.community,
           object_repr=f"{person} · {session}", reason=reason)
    if session.series.mode in ROTATING:
        assign_rotation(session.series)
    elif session.speaker_id == person.pk:
        Session.objects.filter(pk=session.pk).update(speaker=None)
    session.refresh_from_db()
    return session


@transaction.atomic
def do_set_session(actor: Actor, session: Session, *, topic: str | None = None,
                   guest: str | None = None, speaker: Person | None = None) -> Session:
    """Topic, guest name, or (outside a rotation) the speaker of a planned session."""
    before = {"topic": session.topic, "guest": session.guest, "speaker": session.speaker_id}
    if topic is not None:
        session.topic = topic.strip()
    if guest is not None:
        session.guest = guest.strip()
    if speaker is not None:
        if session.series.mode in ROTATING:
            raise ActivityError(_("In a rotation the turn decides the speaker; mark the "
                                  "planned speaker absent to move the turn on."))
        session.speaker = speaker
    session.save()
    record(actor, "sharing.update", session, community=session.series.community,
           before=before, after={"topic": session.topic, "guest": session.guest,
                                 "speaker": session.speaker_id})
    return session


@transaction.atomic
def do_record_session(actor: Actor, session: Session, *, held: bool, summary: str = "",
                      attendees: int | None = None) -> Session:
    """After the session: held (with its summary kept) or cancelled. A held session is a
    turn taken and earns the speaker the sharing points."""
    if session.status != SessionStatus.PLANNED:
        raise ActivityError(_("This session was already recorded."))
    if held and session.speaker is None and not session.guest:
        raise ActivityError(_("Who spoke? Set the speaker or the guest first."))
    session.status = SessionStatus.HELD if held else SessionStatus.CANCELLED
    session.summary, session.attendees = summary.strip(), attendees
    session.save()
    scheduler.cancel(f"session:{session.pk}:")
    record(actor, "sharing.held" if held else "sharing.cancelled", session,
           community=session.series.community, after={"attendees": attendees})
    if held and session.speaker is not None:
        points.award(actor, session.speaker, "share", key=f"session:{session.pk}:share",
                     reason=f"{session.series.title} · {session.topic}", at=session.at)
        points.evaluate_badges(actor, session.series.community, [session.speaker.pk])
    assign_rotation(session.series)
    plan_sessions(session.series, 4)
    return session


def _speaker(session: Session, lang: str) -> str:
    if session.speaker is not None:
        return session.speaker.display_name
    return session.guest or say("tbd", lang)


def _post(job: Any, kind: str) -> None:
    session = Session.objects.select_related("series__community", "series__group",
                                             "speaker").get(pk=job.payload["session"])
    if session.status != SessionStatus.PLANNED:
        return
    series = session.series
    lang = members_language(series.community)
    when = session.at.astimezone(series.community.zone)
    text = say(kind, lang, series=series.title, when=f"{when:%m-%d %H:%M}",
               place=series.place or say("online", lang), speaker=_speaker(session, lang),
               topic=session.topic or say("tbd", lang), minutes=series.remind_before)
    post(scheduler.ACTOR, series.community, series.group, text, reason=series.title,
         source="sharing", source_ref=str(series.pk), key=job.key)


@scheduler.handler("sharing.announce")
def _announce(job: Any, now: datetime) -> None:
    _post(job, "sharing.announce")


@scheduler.handler("sharing.remind")
def _remind(job: Any, now: datetime) -> None:
    _post(job, "sharing.remind")


@transaction.atomic
def do_log_session(actor: Actor, series: SharingSeries, *, at: datetime,
                   speaker: Person | None = None, guest: str = "", topic: str = "",
                   summary: str = "", attendees: int | None = None) -> Session:
    """Record a session that already happened outside the plan (before qunzhu, or an
    extra one): it counts as the speaker's turn and earns the sharing points."""
    if at > timezone.now():
        raise ActivityError(_("Only a past session can be logged; plan future ones."))
    if speaker is None and not guest.strip():
        raise ActivityError(_("Who spoke? Set the speaker or the guest first."))
    session, created = Session.objects.get_or_create(
        series=series, at=at, defaults={"speaker": speaker, "guest": guest.strip(),
                                        "topic": topic.strip(), "summary": summary.strip(),
                                        "attendees": attendees,
                                        "status": SessionStatus.HELD})
    if not created:
        raise ActivityError(_("A session at that time is already recorded."))
    record(actor, "sharing.logged", session, community=series.community,
           after={"speaker": speaker.pk if speaker else None, "topic": topic})
    if speaker is not None:
        points.award(actor, speaker, "share", key=f"session:{session.pk}:share",
                     reason=f"{series.title} · {topic}", at=at)
        points.evaluate_badges(actor, series.community, [speaker.pk])
    assign_rotation(series)
    return session


@transaction.atomic
def do_volunteer(actor: Actor, series: SharingSeries, person: Person) -> SharingSeries:
    """A member signs up to speak: they join the rotation (and wait for their fair turn)."""
    if person.community_id != series.community_id:
        raise ActivityError(_("That member belongs to another community."))
    if series.mode not in ROTATING:
        raise ActivityError(_("This series has no rotation to sign up for; talk to the "
                              "organiser."))
    if series.ended:
        raise ActivityError(_("This series has ended."))
    if series.speakers.filter(pk=person.pk).exists():
        raise ActivityError(_("You are already in the rotation."))
    series.speakers.add(person)
    record(actor, "sharing.volunteer", series, community=series.community,
           object_repr=f"{person} → {series}")
    assign_rotation(series)
    return series
