"""Console pages for activities: check-in challenges 打卡, 接龙, homework 作业, sharing
series 分享, and points & badges. (Campaigns have their own module.)

The same shape as the governance pages: views parse the request, check the operator's
role, call one service function and redirect; a refused request (``ActivityError``, a
kind of ``GovernanceError``) comes back as a message on the page. Dates and times typed
into a form are local to the community, as everything shown here is.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qunzhu.activities import chains, challenges, homework, points, sharing
from qunzhu.activities.errors import ActivityError
from qunzhu.activities.models import (
    Assignment,
    Chain,
    ChainEntry,
    Challenge,
    CheckIn,
    Job,
    JobStatus,
    PrivilegeKind,
    Review,
    Session,
    SessionStatus,
    SharingMode,
    SharingSeries,
    Submission,
)
from qunzhu.community.models import Community, Group, Person
from qunzhu.core.activities import chain as chain_core
from qunzhu.core.activities import points as points_core
from qunzhu.core.activities.checkin import Progress
from qunzhu.core.activities.schedule import local_moment
from qunzhu.governance.models import ActionStatus, OutboxAction, PointsEntry

from .governance import _group, _lang, _person, actor, manager_post, may_manage
from .views import enter

#: how many members a member picker lists (larger communities type the first letters)
PICK_LIMIT = 1000
#: certificate languages, each named in itself (as the language switcher does)
CERTIFICATE_LANGUAGES = {"zh-hans": "简体中文", "zh-hant": "繁體中文", "en": "English"}

ACT_LABELS: dict[str, Any] = {
    "checkin": gettext_lazy("a day checked in"),
    "checkin_complete": gettext_lazy("a challenge finished, every day"),
    "share": gettext_lazy("a sharing session given"),
    "homework": gettext_lazy("homework handed in on time"),
    "homework_featured": gettext_lazy("homework picked as excellent"),
    "chain": gettext_lazy("signing up to a 接龙"),
    "referral": gettext_lazy("a referred friend admitted"),
    "manual": gettext_lazy("granted by hand"),
    "spend": gettext_lazy("spent"),
}
METRIC_LABELS: dict[str, Any] = {
    "points": gettext_lazy("points earned"),
    "checkins": gettext_lazy("days checked in"),
    "challenges_completed": gettext_lazy("challenges finished"),
    "shares": gettext_lazy("sharing sessions given"),
    "submissions": gettext_lazy("homework handed in"),
    "featured": gettext_lazy("homework picked as excellent"),
    "referrals": gettext_lazy("friends who joined"),
}
WEEKDAYS = [gettext_lazy("Monday"), gettext_lazy("Tuesday"), gettext_lazy("Wednesday"),
            gettext_lazy("Thursday"), gettext_lazy("Friday"), gettext_lazy("Saturday"),
            gettext_lazy("Sunday")]
PERIODS = [("week", gettext_lazy("this week")), ("month", gettext_lazy("this month")),
           ("all", gettext_lazy("all time"))]
BADGE_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")


# ------------------------------------------------------------------ reading the form

def _int(value: Any, label: str, *, default: int | None = None,
         minimum: int | None = None) -> int | None:
    """A whole number typed into a form; empty gives ``default``."""
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    try:
        number = int(text)
    except ValueError as exc:
        raise ActivityError(_("%(field)s: expected a whole number, got “%(value)s”.")
                            % {"field": label, "value": text}) from exc
    if minimum is not None and number < minimum:
        raise ActivityError(_("%(field)s: at least %(min)d, not %(value)d.")
                            % {"field": label, "min": minimum, "value": number})
    return number


def _number(value: Any, label: str, default: int, minimum: int = 0) -> int:
    """Like :func:`_int` for a field that always has a value."""
    number = _int(value, label, default=default, minimum=minimum)
    return default if number is None else number


def _date(value: Any, label: str) -> date:
    try:
        day = parse_date(str(value or "").strip())
    except ValueError:
        day = None
    if day is None:
        raise ActivityError(_("%(field)s: expected a date like 2026-05-01.") % {"field": label})
    return day


def _time(value: Any, label: str) -> time | None:
    """A local wall time ("20:00"); empty is None (e.g. no reminder)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = parse_time(text)
    except ValueError:
        moment = None
    if moment is None:
        raise ActivityError(_("%(field)s: expected a time like 20:00.") % {"field": label})
    return moment


def _member(community: Community, value: Any) -> Person:
    person = _person(community, value)
    if person is None:
        raise ActivityError(_("Choose a member."))
    return person


def _optional_group(community: Community, value: Any) -> Group | None:
    return _group(community, value) if value else None


def _people(community: Community) -> QuerySet[Person]:
    return community.people.order_by("display_name")[:PICK_LIMIT]


def _groups(community: Community) -> QuerySet[Group]:
    return community.groups.filter(archived__isnull=True).order_by("name")


def _page(request: HttpRequest, community: Community, template: str, tab: str,
          **context: Any) -> HttpResponse:
    """Render an activities page with what every one of them shows."""
    return render(request, template, {
        "community": community, "tab": tab, "may_manage": may_manage(request, community),
        **context})


# ------------------------------------------------------------ check-in challenges

def _today(community: Community) -> date:
    return timezone.now().astimezone(community.zone).date()


@login_required
def checkins_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    today = _today(community)
    rows = []
    for challenge in (community.challenges.select_related("group", "community")
                      .annotate(enrolled=Count("enrolments"))[:100]):
        spec = challenge.spec()
        day = spec.day_index(today)
        running = 1 <= day <= challenge.days
        rows.append({"challenge": challenge, "day": day, "end": spec.end, "running": running,
                     "today": challenge.checkins.filter(day=day).count() if running else None})
    return _page(request, community, "activities/checkins.html", "checkins", rows=rows,
                 groups=_groups(community), today=today)


@manager_post
def challenge_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    made = challenges.do_create_challenge(
        actor(request), community, title=post.get("title", ""),
        start=_date(post.get("start"), _("first day")),
        days=_number(post.get("days"), _("days"), 21, 1),
        group=_optional_group(community, post.get("group")),
        prompt=post.get("prompt", ""), keyword=post.get("keyword", ""),
        min_length=_number(post.get("min_length"), _("minimum length"), 0),
        photo_required=bool(post.get("photo_required")),
        makeup_limit=_number(post.get("makeup_limit"), _("make-up cards"), 2),
        makeup_window=_number(post.get("makeup_window"), _("make-up window (days)"), 3),
        remind_at=_time(post.get("remind_at"), _("daily reminder at")),
        summary_at=_time(post.get("summary_at"), _("daily summary at")))
    messages.success(request, _("Challenge “%(title)s” created; its daily reminders and "
                                "summaries are planned.") % {"title": made.title})
    return redirect("console:challenge", slug=community.slug, pk=made.pk)


def _strip(progress: Progress) -> list[tuple[int, str, str]]:
    """The day-by-day marks of one member: ✓ checked in, 补 make-up card, · not (yet)."""
    marks = []
    for n in range(1, progress.days + 1):
        if n in progress.makeups:
            marks.append((n, "补", "makeup"))
        elif n in progress.done:
            marks.append((n, "✓", "done"))
        else:
            marks.append((n, "·", "missed" if n < progress.today else "open"))
    return marks


def _challenge(community: Community, pk: int) -> Challenge:
    return get_object_or_404(Challenge.objects.select_related("community", "group"), pk=pk,
                             community=community)


@login_required
def challenge_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    challenge = _challenge(community, pk)
    now = timezone.now()
    spec = challenge.spec()
    day = spec.day_index(now.astimezone(community.zone).date())
    rows = challenges.board(challenge, now)
    jobs = Job.objects.filter(key__startswith=f"challenge:{challenge.pk}:",
                              status=JobStatus.PENDING)
    steps = OutboxAction.objects.filter(community=community, source="challenge",
                                        source_ref=str(challenge.pk))
    running = 1 <= day <= challenge.days
    return _page(request, community, "activities/challenge.html", "checkins",
                 challenge=challenge, day=day, end=spec.end, running=running,
                 board=[{"row": row, "strip": _strip(row.progress)} for row in rows],
                 today_count=challenge.checkins.filter(day=day).count() if running else 0,
                 jobs_pending=jobs.count(),
                 next_reminder=jobs.filter(kind="challenge.remind").order_by("due").first(),
                 next_summary=jobs.filter(kind="challenge.summary").order_by("due").first(),
                 steps=steps.count(),
                 steps_pending=steps.filter(status=ActionStatus.PENDING).count(),
                 people=_people(community), enrolled=[row.person for row in rows],
                 certificate_languages=CERTIFICATE_LANGUAGES.items(),
                 open=not challenge.cancelled and day <= spec.days)


@manager_post
def challenge_enrol(request: HttpRequest, community: Community, pk: int) -> None:
    challenge = _challenge(community, pk)
    person = _member(community, request.POST.get("person"))
    challenges.do_enrol(actor(request), challenge, person)
    messages.success(request, _("%(name)s takes part in %(title)s.")
                     % {"name": person.display_name, "title": challenge.title})


@manager_post
def challenge_checkin(request: HttpRequest, community: Community, pk: int) -> None:
    challenge = _challenge(community, pk)
    person = _member(community, request.POST.get("person"))
    row = challenges.do_record_checkin(actor(request), challenge, person,
                                       text=request.POST.get("text", ""))
    messages.success(request, _("%(name)s checked in for day %(day)d.")
                     % {"name": person.display_name, "day": row.day})


@manager_post
def challenge_makeup(request: HttpRequest, community: Community, pk: int) -> None:
    challenge = _challenge(community, pk)
    person = _member(community, request.POST.get("person"))
    day = _number(request.POST.get("day"), _("day"), 0)
    challenges.do_use_makeup(actor(request), challenge, person, day,
                             text=request.POST.get("text", ""))
    messages.success(request, _("Make-up card used: %(name)s, day %(day)d.")
                     % {"name": person.display_name, "day": day})


@manager_post
def challenge_uncheck(request: HttpRequest, community: Community, pk: int) -> None:
    challenge = _challenge(community, pk)
    person = _member(community, request.POST.get("person"))
    day = _number(request.POST.get("day"), _("day"), 0)
    checkin = CheckIn.objects.filter(challenge=challenge, person=person, day=day).first()
    if checkin is None:
        raise ActivityError(_("%(name)s has no check-in on day %(day)d.")
                            % {"name": person.display_name, "day": day})
    challenges.do_remove_checkin(actor(request), checkin, request.POST.get("reason", ""))
    messages.success(request, _("Check-in of %(name)s on day %(day)d removed; its points are "
                                "taken back.") % {"name": person.display_name, "day": day})


@manager_post
def challenge_cancel(request: HttpRequest, community: Community, pk: int) -> None:
    challenge = _challenge(community, pk)
    challenges.do_cancel_challenge(actor(request), challenge, request.POST.get("reason", ""))
    messages.success(request, _("%(title)s is called off; its reminders will not be sent.")
                     % {"title": challenge.title})


@manager_post
def checkins_recognise(request: HttpRequest, community: Community) -> None:
    found = challenges.recognise(actor(request), community)
    messages.success(request, _("%(checked)d messages with a check-in keyword read: "
                                "%(recorded)d check-ins recorded, %(refused)d did not count.")
                     % found)


@login_required
def challenge_certificate(request: HttpRequest, slug: str, pk: int,
                          person_id: int) -> HttpResponse:
    """The completion certificate as a PDF download; a member who did not complete gets
    the reason on the challenge page instead."""
    community = enter(request, slug)
    challenge = _challenge(community, pk)
    person = get_object_or_404(Person, pk=person_id, community=community)
    lang = request.GET.get("lang", "")
    if lang not in CERTIFICATE_LANGUAGES:
        lang = _lang(request)
    try:
        pdf = challenges.certificate(challenge, person, lang)
    except ActivityError as exc:
        messages.error(request, str(exc))
        return redirect("console:challenge", slug=slug, pk=challenge.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="certificate-{challenge.pk}-'
                                       f'{person.pk}-{lang}.pdf"')
    return response


# ---------------------------------------------------------------------------- 接龙

@login_required
def chains_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    rows = community.chains.select_related("group").annotate(n=Count("entries"))[:100]
    return _page(request, community, "activities/chains.html", "chains", chains=rows,
                 groups=_groups(community))


@manager_post
def chain_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    made = chains.do_create_chain(
        actor(request), community, title=post.get("title", ""),
        fields=post.get("fields", "").replace("，", " ").replace(",", " ").split(),
        limit=_int(post.get("limit"), _("limit (first N)")), note=post.get("note", ""),
        group=_optional_group(community, post.get("group")))
    messages.success(request, _("接龙 “%(title)s” created: copy its text into the group.")
                     % {"title": made.title})
    return redirect("console:chain", slug=community.slug, pk=made.pk)


def _chain(community: Community, pk: int) -> Chain:
    return get_object_or_404(Chain.objects.select_related("community", "group"), pk=pk,
                             community=community)


@login_required
def chain_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    chain = _chain(community, pk)
    entries = list(chain.entries.select_related("person"))
    return _page(request, community, "activities/chain.html", "chains", chain=chain,
                 text=chains.text(chain), entries=entries,
                 full=bool(chain.limit and len(entries) >= chain.limit))


def _report_merge(request: HttpRequest, merged: chain_core.Merge) -> None:
    messages.success(request, _("%(added)d added, %(over)d over the limit, %(repeated)d "
                                "already there.") % {
        "added": len(merged.added), "over": len(merged.over_limit),
        "repeated": len(merged.repeated)})
    if merged.over_limit:
        messages.warning(request, _("Not added, the 接龙 is full: %(names)s")
                         % {"names": "、".join(e.name for e in merged.over_limit)})


@manager_post
def chain_paste(request: HttpRequest, community: Community, pk: int) -> None:
    chain = _chain(community, pk)
    _report_merge(request, chains.do_paste(actor(request), chain,
                                           request.POST.get("pasted", "")))


@manager_post
def chain_add(request: HttpRequest, community: Community, pk: int) -> None:
    chain = _chain(community, pk)
    name = request.POST.get("name", "").strip()
    if not name:
        raise ActivityError(_("Type the name to add."))
    values = tuple(request.POST.get(f"v-{i}", "").strip() for i in range(len(chain.fields)))
    _report_merge(request, chains.do_add_entries(actor(request), chain,
                                                 [chain_core.Entry(name, values)]))


@manager_post
def chain_remove(request: HttpRequest, community: Community, pk: int) -> None:
    chain = _chain(community, pk)
    entry = get_object_or_404(ChainEntry, pk=request.POST.get("entry") or 0, chain=chain)
    reason = request.POST.get("reason", "")
    if not reason.strip():
        raise ActivityError(_("Say why the name is taken off the 接龙."))
    chains.do_remove_entry(actor(request), entry, reason)
    messages.success(request, _("%(name)s taken off the 接龙.") % {"name": entry.name})


@manager_post
def chain_close(request: HttpRequest, community: Community, pk: int) -> None:
    chain = chains.do_close_chain(actor(request), _chain(community, pk))
    messages.success(request, _("接龙 “%(title)s” closed.") % {"title": chain.title})


# ---------------------------------------------------------------------------- homework

@login_required
def homework_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    rows = (community.assignments.select_related("group")
            .annotate(n=Count("submissions"),
                      waiting=Count("submissions",
                                    filter=Q(submissions__review=Review.WAITING)))[:100])
    return _page(request, community, "activities/homework.html", "homework",
                 assignments=rows, groups=_groups(community), now=timezone.now(),
                 default_due=_today(community) + timedelta(days=7))


@manager_post
def assignment_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    day = _date(post.get("due_date"), _("deadline"))
    at = _time(post.get("due_time"), _("deadline")) or time(23, 59)
    made = homework.do_create_assignment(
        actor(request), community, title=post.get("title", ""),
        due=local_moment(day, at, community.zone), brief=post.get("brief", ""),
        group=_optional_group(community, post.get("group")))
    messages.success(request, _("Homework “%(title)s” created.") % {"title": made.title})
    return redirect("console:assignment", slug=community.slug, pk=made.pk)


def _assignment(community: Community, pk: int) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("community", "group"), pk=pk,
                             community=community)


@login_required
def assignment_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    assignment = _assignment(community, pk)
    submissions = list(assignment.submissions.select_related("person"))
    return _page(request, community, "activities/assignment.html", "homework",
                 assignment=assignment, submissions=submissions, people=_people(community),
                 featured=sum(1 for s in submissions if s.featured), reviews=Review,
                 now=timezone.now())


@manager_post
def assignment_submit(request: HttpRequest, community: Community, pk: int) -> None:
    assignment = _assignment(community, pk)
    person = _member(community, request.POST.get("person"))
    made = homework.do_submit(actor(request), assignment, person,
                              text=request.POST.get("text", ""),
                              link=request.POST.get("link", ""))
    messages.success(request, (_("%(name)s handed in (late).") if made.late
                               else _("%(name)s handed in.")) % {"name": person.display_name})


@manager_post
def submission_review(request: HttpRequest, community: Community, pk: int,
                      submission_id: int) -> None:
    assignment = _assignment(community, pk)
    submission = get_object_or_404(Submission.objects.select_related("person", "assignment"),
                                   pk=submission_id, assignment=assignment)
    done = homework.do_review(actor(request), submission,
                              verdict=request.POST.get("verdict", ""),
                              feedback=request.POST.get("feedback", ""),
                              featured=bool(request.POST.get("featured")))
    messages.success(request, _("Review of %(name)s saved: %(review)s.")
                     % {"name": done.person.display_name, "review": done.get_review_display()})


@manager_post
def assignment_announce(request: HttpRequest, community: Community, pk: int) -> None:
    homework.do_announce_featured(actor(request), _assignment(community, pk))
    messages.success(request, _("The announcement of the excellent works is in the outbox."))


# ---------------------------------------------------------------------------- sharing

@login_required
def sharing_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    now = timezone.now()
    rows = (community.sharing_series.select_related("group", "leader")
            .annotate(held=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD)))
            [:100])
    upcoming = {s.series_id: s for s in Session.objects.filter(
        series__community=community, status=SessionStatus.PLANNED, at__gt=now)
        .select_related("speaker").order_by("-at")}  # the earliest is kept per series
    return _page(request, community, "activities/sharing.html", "sharing",
                 series=[(s, upcoming.get(s.pk)) for s in rows], groups=_groups(community),
                 people=_people(community), modes=SharingMode.choices,
                 weekdays=list(enumerate(WEEKDAYS)))


@manager_post
def sharing_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    speakers = [_member(community, pk) for pk in post.getlist("speakers") if pk]
    made = sharing.do_create_series(
        actor(request), community, title=post.get("title", ""),
        mode=post.get("mode", ""), weekday=_number(post.get("weekday"), _("weekday"), 3),
        at=_time(post.get("at"), _("time")) or time(20, 0), place=post.get("place", ""),
        minutes=_number(post.get("minutes"), _("length (minutes)"), 60, 1),
        remind_before=_number(post.get("remind_before"), _("reminder (minutes before)"), 60),
        group=_optional_group(community, post.get("group")),
        leader=_person(community, post.get("leader")), speakers=speakers)
    messages.success(request, _("Sharing series “%(title)s” created; the next sessions are "
                                "planned.") % {"title": made.title})
    return redirect("console:sharing-series", slug=community.slug, pk=made.pk)


def _series(community: Community, pk: int) -> SharingSeries:
    return get_object_or_404(SharingSeries.objects.select_related("community", "group",
                                                                  "leader"),
                             pk=pk, community=community)


@login_required
def series_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    series = _series(community, pk)
    sessions = series.sessions.select_related("speaker").prefetch_related("absences__person")
    order = sharing.eligible(series)
    people = Person.objects.in_bulk(order)
    return _page(request, community, "activities/series.html", "sharing", series=series,
                 planned=sessions.filter(status=SessionStatus.PLANNED).order_by("at"),
                 past=sessions.exclude(status=SessionStatus.PLANNED).order_by("-at")[:50],
                 speakers=[people[p] for p in order if p in people],
                 rotating=series.mode in sharing.ROTATING, people=_people(community),
                 weekday=WEEKDAYS[series.weekday], now=timezone.now())


def _session(community: Community, series_pk: int, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("series__community", "speaker"),
                             pk=pk, series__pk=series_pk, series__community=community)


@manager_post
def session_set(request: HttpRequest, community: Community, pk: int, session_id: int) -> None:
    session = _session(community, pk, session_id)
    sharing.do_set_session(actor(request), session, topic=request.POST.get("topic"),
                           guest=request.POST.get("guest"),
                           speaker=_person(community, request.POST.get("speaker")))
    messages.success(request, _("Session of %(when)s saved.")
                     % {"when": timezone.localtime(session.at).strftime("%Y-%m-%d %H:%M")})


@manager_post
def session_absent(request: HttpRequest, community: Community, pk: int,
                   session_id: int) -> None:
    session = _session(community, pk, session_id)
    person = _member(community, request.POST.get("person"))
    moved = sharing.do_mark_absent(actor(request), session, person,
                                   request.POST.get("reason", ""))
    speaker = moved.speaker.display_name if moved.speaker else _("nobody yet")
    messages.success(request, _("%(name)s skips this session and keeps their place; the "
                                "speaker is now %(speaker)s.")
                     % {"name": person.display_name, "speaker": speaker})


@manager_post
def session_record(request: HttpRequest, community: Community, pk: int,
                   session_id: int) -> None:
    session = _session(community, pk, session_id)
    held = request.POST.get("held") == "1"
    sharing.do_record_session(actor(request), session, held=held,
                              summary=request.POST.get("summary", ""),
                              attendees=_int(request.POST.get("attendees"), _("attendees"),
                                             minimum=0))
    messages.success(request, _("Session recorded as held.") if held
                     else _("Session recorded as cancelled."))


# ------------------------------------------------------------------ points and badges

def period_start(period: str, now: datetime, community: Community) -> datetime | None:
    """The start of this week (Monday) or this month in the community's zone; None for
    all time."""
    today = now.astimezone(community.zone).date()
    if period == "week":
        first = today - timedelta(days=today.weekday())
    elif period == "month":
        first = today.replace(day=1)
    else:
        return None
    return local_moment(first, time.min, community.zone)


@login_required
def points_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    period = request.GET.get("period") or "month"
    group = _optional_group(community, request.GET.get("group"))
    rows = points.leaderboard(community, group=group,
                              since=period_start(period, timezone.now(), community), limit=50)
    standing = {s.person.pk: s for s in points.standings(community, [p for p, _n in rows])}
    policy = points.policy(community)
    return _page(
        request, community, "activities/points.html", "points",
        board=[(person, n, standing[person.pk]) for person, n in rows],
        period=period, periods=PERIODS, group=group, groups=_groups(community),
        policy=[(act, ACT_LABELS.get(act, act), n) for act, n in policy.items()],
        badges=community.badges.annotate(holders=Count("awards")),
        metrics=[(m, METRIC_LABELS.get(m, m)) for m in points_core.METRICS],
        metric_labels=METRIC_LABELS, act_labels=ACT_LABELS,
        privileges=community.privileges.select_related("badge"),
        kinds=PrivilegeKind.choices,
        ledger=PointsEntry.objects.filter(community=community).select_related("person")[:50],
        people=_people(community))


@manager_post
def points_policy(request: HttpRequest, community: Community) -> None:
    amounts = {act: _number(request.POST.get(f"p-{act}"), str(ACT_LABELS.get(act, act)),
                            n, 0)
               for act, n in points.policy(community).items()}
    points.do_set_policy(actor(request), community, amounts)
    messages.success(request, _("Points policy saved."))


@manager_post
def badge_save(request: HttpRequest, community: Community) -> None:
    code = request.POST.get("code", "").strip()
    if not BADGE_CODE.fullmatch(code):
        raise ActivityError(_("A badge code is up to 40 latin letters, digits, - or _ "
                              "(e.g. early-bird)."))
    badge = points.do_save_badge(
        actor(request), community, code=code, name=request.POST.get("name", ""),
        metric=request.POST.get("metric", ""),
        at_least=_number(request.POST.get("at_least"), _("at least"), 1, 1),
        description=request.POST.get("description", ""))
    messages.success(request, _("Badge “%(name)s” saved; members who already qualify have "
                                "it now.") % {"name": badge.name})


@manager_post
def privilege_save(request: HttpRequest, community: Community) -> None:
    badge = (get_object_or_404(community.badges, pk=request.POST["badge"])
             if request.POST.get("badge") else None)
    made = points.do_save_privilege(
        actor(request), community, name=request.POST.get("name", ""),
        kind=request.POST.get("kind") or PrivilegeKind.OTHER,
        description=request.POST.get("description", ""), badge=badge,
        min_points=_int(request.POST.get("min_points"), _("points needed"), minimum=0))
    messages.success(request, _("Privilege “%(name)s” saved.") % {"name": made.name})


@manager_post
def points_spend(request: HttpRequest, community: Community) -> None:
    person = _member(community, request.POST.get("person"))
    cost = _number(request.POST.get("cost"), _("points"), 0)
    points.do_spend(actor(request), person, cost, request.POST.get("reason", ""))
    messages.success(request, _("%(name)s spent %(n)d points.")
                     % {"name": person.display_name, "n": cost})
