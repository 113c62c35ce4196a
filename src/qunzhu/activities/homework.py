"""Homework 作业: assignments with deadlines, submissions, review and feedback, excellent
works featured (and announced)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Person
from qunzhu.core.activities.texts import names, say
from qunzhu.governance.outbox import post
from qunzhu.governance.votes import members_language

from . import points, scheduler
from .errors import ActivityError
from .models import Assignment, Review, Source, Submission

#: the reminder to hand in goes out this long before the deadline
REMIND_BEFORE = timedelta(hours=24)


@transaction.atomic
def do_create_assignment(actor: Actor, community: Community, *, title: str, due: datetime,
                         brief: str = "", group: Group | None = None) -> Assignment:
    if not title.strip():
        raise ActivityError(_("Homework needs a title."))
    assignment = Assignment.objects.create(community=community, group=group,
                                           title=title.strip(), brief=brief.strip(), due=due,
                                           created_by=actor.label)
    if due - REMIND_BEFORE > timezone.now():
        scheduler.plan(community, f"homework:{assignment.pk}:remind", "homework.remind",
                       due - REMIND_BEFORE, {"assignment": assignment.pk})
    record(actor, "homework.create", assignment, community=community,
           after={"due": due.isoformat()})
    return assignment


@transaction.atomic
def do_submit(actor: Actor, assignment: Assignment, person: Person, *, text: str = "",
              link: str = "", at: datetime | None = None,
              source: str = Source.OPERATOR) -> Submission:
    """Hand in (once; after "redo" the member hands in again over the same row)."""
    if person.community_id != assignment.community_id:
        raise ActivityError(_("That member belongs to another community."))
    if not text.strip() and not link.strip():
        raise ActivityError(_("A submission needs the work itself or a link to it."))
    if link.strip() and not link.strip().lower().startswith(("http://", "https://")):
        raise ActivityError(_("A link must start with http:// or https://."))
    at = at or timezone.now()
    existing = Submission.objects.filter(assignment=assignment, person=person).first()
    if existing is not None and existing.review != Review.REDO:
        raise ActivityError(_("%(name)s already handed this in.")
                            % {"name": person.display_name})
    late = at > assignment.due
    try:
        submission, _created = Submission.objects.update_or_create(
            assignment=assignment, person=person,
            defaults={"text": text.strip(), "link": link.strip(), "submitted": at, "late": late,
                      "source": source, "review": Review.WAITING, "feedback": ""})
    except IntegrityError as exc:  # pragma: no cover - two hand-ins at once
        raise ActivityError(_("%(name)s already handed this in.")
                            % {"name": person.display_name}) from exc
    record(actor, "homework.submit", submission, community=assignment.community,
           after={"late": late, "source": source})
    if not late:
        points.award(actor, person, "homework", key=f"homework:{assignment.pk}:{person.pk}",
                     reason=assignment.title, at=at)
    points.evaluate_badges(actor, assignment.community, [person.pk])
    return submission


@transaction.atomic
def do_review(actor: Actor, submission: Submission, *, verdict: str, feedback: str = "",
              featured: bool = False) -> Submission:
    if verdict not in (Review.PASSED, Review.REDO):
        raise ActivityError(_("A review passes the work or asks for a redo."))
    if verdict == Review.REDO and not feedback.strip():
        raise ActivityError(_("Say what to improve when asking for a redo."))
    if featured and verdict != Review.PASSED:
        raise ActivityError(_("Only work that passed can be featured."))
    before = {"review": submission.review, "featured": submission.featured}
    submission.review, submission.feedback = verdict, feedback.strip()
    submission.featured = featured
    submission.reviewed, submission.reviewed_by = timezone.now(), actor.label
    submission.save()
    record(actor, "homework.review", submission, community=submission.assignment.community,
           before=before, after={"review": verdict, "featured": featured})
    person = submission.person
    if featured:
        points.award(actor, person, "homework_featured",
                     key=f"homework:{submission.assignment_id}:{person.pk}:featured",
                     reason=submission.assignment.title)
    points.evaluate_badges(actor, submission.assignment.community, [person.pk])
    return submission


def do_announce_featured(actor: Actor, assignment: Assignment) -> None:
    """Post the excellent works to the group (through the outbox)."""
    featured = [s.person.display_name for s in
                assignment.submissions.filter(featured=True).select_related("person")]
    if not featured:
        raise ActivityError(_("No work is featured yet."))
    lang = members_language(assignment.community)
    text = say("homework.featured", lang, title=assignment.title, names=names(featured, lang))
    post(actor, assignment.community, assignment.group, text, reason=assignment.title,
         source="homework", source_ref=str(assignment.pk))


@scheduler.handler("homework.remind")
def _remind(job: object, now: datetime) -> None:
    payload = job.payload  # type: ignore[attr-defined]
    assignment = Assignment.objects.select_related("community", "group").get(
        pk=payload["assignment"])
    lang = members_language(assignment.community)
    due = assignment.due.astimezone(assignment.community.zone)
    text = say("homework.remind", lang, title=assignment.title, due=f"{due:%m-%d %H:%M}")
    post(scheduler.ACTOR, assignment.community, assignment.group, text,
         reason=assignment.title, source="homework", source_ref=str(assignment.pk),
         key=job.key)  # type: ignore[attr-defined]
