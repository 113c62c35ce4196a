"""The member portal (``/m/``): the mobile pages a member opens from the group chat.

A member signs in with a one-time code an operator passed on (no password, no SMS); the
session remembers the people they signed in as, one per community, and every page is
scoped to them: another community's page is a 404, another member's data is never shown.
Pages work without JavaScript (plain forms); htmx, when it loads, only makes them snappier.
Views stay thin: they find the member, call one service, and redirect with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

import orjson
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qunzhu.activities import chains, challenges, homework, points, sharing
from qunzhu.activities.models import (
    Assignment,
    BadgeAward,
    Chain,
    Challenge,
    Review,
    SessionStatus,
    SharingSeries,
    Source,
    Submission,
)
from qunzhu.community.models import Person
from qunzhu.core.governance import diff
from qunzhu.governance import gates, votes
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import Ballot, Proposal, ProposalStatus, RulebookVersion
from qunzhu.portal import clock
from qunzhu.portal import services as portal

SESSION_KEY = "portal_people"


# ------------------------------------------------------------------ who is signed in

def people_of(request: HttpRequest) -> list[Person]:
    """The people this browser signed in as who are still members (someone removed from
    every group loses the portal with it)."""
    ids = [int(i) for i in request.session.get(SESSION_KEY, [])]
    return list(portal.members().filter(pk__in=ids).select_related("community")
                .order_by("community__name"))


def member_page(view: Callable[..., HttpResponse | None]) -> Callable[..., HttpResponse]:
    """The signed-in member of the URL's community, or: sign in first (nobody signed in),
    or 404 (signed in, but not in this community — slugs cannot be probed). A refused
    POST comes back as a message on the page it came from."""

    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        people = people_of(request)
        if not people:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        person = next((p for p in people if p.community.slug == slug), None)
        if person is None:
            raise Http404("not a member here")
        timezone.activate(person.community.zone)
        if request.method == "POST":
            try:
                response = view(request, person, *args, **kwargs)
            except GovernanceError as exc:
                messages.error(request, str(exc))
                response = None
            return response or redirect(request.path)
        return view(request, person, *args, **kwargs) or redirect(request.path)

    return wrapped


def page(request: HttpRequest, template: str, person: Person | None = None, *,
         status: int = 200, **context: Any) -> HttpResponse:
    return render(request, f"portal/{template}", {
        "me": person, "community": person.community if person else None, **context},
        status=status)


# ------------------------------------------------------------------ sign in / out

def home(request: HttpRequest) -> HttpResponse:
    people = people_of(request)
    if not people:
        return redirect("portal:login")
    if len(people) == 1:
        return redirect("portal:community", slug=people[0].community.slug)
    return page(request, "home.html", people=people)


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def login(request: HttpRequest, code: str = "") -> HttpResponse:
    """GET: the form (a one-time link fills the code in; link previews in chat apps must
    not use it up, so signing in is always a POST)."""
    if request.method == "POST":
        try:
            person = portal.sign_in(request.POST.get("code", ""), _client(request))
        except GovernanceError as exc:
            return page(request, "login.html", code=request.POST.get("code", ""),
                        error=str(exc), status=400)
        # one person per community in a session: a second sign-in there replaces the first
        others = set(Person.objects.filter(pk__in=request.session.get(SESSION_KEY, []))
                     .exclude(community=person.community).values_list("pk", flat=True))
        ids = [i for i in request.session.get(SESSION_KEY, []) if i in others]
        request.session.cycle_key()
        request.session[SESSION_KEY] = [*ids, person.pk]
        request.session.set_expiry(timedelta(days=90))
        target = request.POST.get("next") or ""
        if not target.startswith(f"/m/c/{person.community.slug}/"):
            target = reverse("portal:community", kwargs={"slug": person.community.slug})
        return redirect(target)
    return page(request, "login.html", code=code, next=request.GET.get("next", ""))


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("You are signed out."))
    return redirect("portal:login")


# ------------------------------------------------------------------ the community

def _open_challenges(person: Person) -> list[tuple[Challenge, Any]]:
    today = clock.now().astimezone(person.community.zone).date()
    found = []
    for c in person.community.challenges.filter(cancelled__isnull=True, start__lte=today
                                                + timedelta(days=14)):
        if c.spec().end >= today:
            found.append((c, challenges.progress_of(c, person, clock.now())))
    return found


@member_page
def community(request: HttpRequest, me: Person) -> HttpResponse:
    c = me.community
    now = clock.now()
    return page(
        request, "community.html", me,
        challenges=_open_challenges(me),
        chains=c.chains.filter(closed__isnull=True)[:5],
        series=c.sharing_series.filter(ended__isnull=True)[:5],
        assignments=c.assignments.filter(due__gte=now - timedelta(days=7))[:5],
        proposals=[p for p in c.proposals.order_by("-created")[:10]
                   if votes.phase(p, now) in (ProposalStatus.DISCUSSION, ProposalStatus.VOTING)],
        balance=points.balance(me))


@member_page
def challenge(request: HttpRequest, me: Person, pk: int) -> HttpResponse | None:
    item = get_object_or_404(Challenge, pk=pk, community=me.community)
    actor = portal.member_actor(me)
    if request.method == "POST":
        if request.POST.get("makeup"):
            day = request.POST["makeup"]
            if not day.isdigit():
                raise portal.PortalError(_("Choose the day to make up."))
            challenges.do_use_makeup(actor, item, me, int(day),
                                     text=request.POST.get("text", ""), now=clock.now())
        else:
            challenges.do_record_checkin(actor, item, me, at=clock.now(),
                                         text=request.POST.get("text", ""),
                                         photo_note=request.POST.get("photo_note", ""),
                                         source=Source.PORTAL)
        messages.success(request, _("Checked in. Keep going!"))
        return None
    state = challenges.progress_of(item, me, clock.now())
    board = challenges.board(item, clock.now())[:10]
    strip = [(n, "✓" if n in state.done and n not in state.makeups else
              "补" if n in state.makeups else "·") for n in range(1, item.days + 1)]
    return page(request, "challenge.html", me, item=item, state=state, board=board,
                end=item.spec().end,
                strip=strip, today=state.today, checked_today=state.today in state.done,
                open_today=1 <= state.today <= item.days,
                completed=item.enrolments.filter(person=me, completed__isnull=False).exists())


@member_page
def certificate(request: HttpRequest, me: Person, pk: int) -> HttpResponse:
    item = get_object_or_404(Challenge, pk=pk, community=me.community)
    try:
        pdf = challenges.certificate(item, me, get_language() or "zh-hans")
    except GovernanceError as exc:
        messages.error(request, str(exc))
        return redirect("portal:challenge", slug=me.community.slug, pk=item.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{item.pk}.pdf"'
    return response


@member_page
def chain(request: HttpRequest, me: Person, pk: int) -> HttpResponse | None:
    item = get_object_or_404(Chain, pk=pk, community=me.community)
    if request.method == "POST":
        chains.do_join_chain(portal.member_actor(me), item, me,
                             [request.POST.get(f"f{i}", "") for i in range(len(item.fields))])
        messages.success(request, _("You are on the list."))
        return None
    entries = list(item.entries.all())
    return page(request, "chain.html", me, item=item, entries=entries,
                mine=any(e.person_id == me.pk for e in entries),
                full=item.limit is not None and len(entries) >= item.limit,
                fields=list(enumerate(item.fields)))


@member_page
def series(request: HttpRequest, me: Person, pk: int) -> HttpResponse | None:
    item = get_object_or_404(SharingSeries, pk=pk, community=me.community)
    if request.method == "POST":
        sharing.do_volunteer(portal.member_actor(me), item, me)
        messages.success(request, _("Thank you! You are in the rotation."))
        return None
    now = timezone.now()
    return page(request, "series.html", me, item=item,
                upcoming=item.sessions.filter(at__gte=now, status=SessionStatus.PLANNED)
                .select_related("speaker")[:4],
                past=item.sessions.filter(status=SessionStatus.HELD).select_related(
                    "speaker").order_by("-at")[:5],
                in_rotation=item.speakers.filter(pk=me.pk).exists(),
                rotating=item.mode in sharing.ROTATING)


@member_page
def assignment(request: HttpRequest, me: Person, pk: int) -> HttpResponse | None:
    item = get_object_or_404(Assignment, pk=pk, community=me.community)
    if request.method == "POST":
        homework.do_submit(portal.member_actor(me), item, me,
                           text=request.POST.get("text", ""),
                           link=request.POST.get("link", ""), at=clock.now(),
                           source=Source.PORTAL)
        messages.success(request, _("Handed in. The organisers will review it."))
        return None
    mine = Submission.objects.filter(assignment=item, person=me).first()
    return page(request, "assignment.html", me, item=item, mine=mine,
                may_submit=mine is None or mine.review == Review.REDO,
                featured=item.submissions.filter(featured=True).select_related("person"))


# ------------------------------------------------------------------ votes and rules

@member_page
def proposals(request: HttpRequest, me: Person) -> HttpResponse:
    now = timezone.now()
    rows = [(p, ProposalStatus(votes.phase(p, now)).label)
            for p in me.community.proposals.order_by("-created")[:30]]
    versions = list(RulebookVersion.objects.filter(community=me.community)
                    .order_by("-number")[:10])
    history = []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        history.append((newer, diff(older.data if older else {}, newer.data)))
    return page(request, "proposals.html", me, rows=rows, history=history)


@member_page
def proposal(request: HttpRequest, me: Person, number: int) -> HttpResponse | None:
    item = get_object_or_404(Proposal, community=me.community, number=number)
    if request.method == "POST":
        if me.pk not in votes.eligible(me.community):
            raise portal.PortalError(_("Only members of an open group may vote."))
        votes.do_cast_vote(portal.member_actor(me), item, me, request.POST.get("choice", ""))
        messages.success(request, _("Your vote is recorded. You can change it while the "
                                    "vote is open."))
        return None
    phase = votes.phase(item, timezone.now())
    base = item.base.data if item.base else {}
    return page(request, "proposal.html", me, item=item, phase=phase,
                changes=diff(base, item.data) if item.data is not None else [],
                mine=Ballot.objects.filter(proposal=item, person=me).first(),
                voting=phase == ProposalStatus.VOTING,
                result=item.tally if item.closed else None)


# ------------------------------------------------------------------ me

@member_page
def me_page(request: HttpRequest, me: Person) -> HttpResponse | None:
    if request.method == "POST":
        portal.do_personal_invite(me)
        return None
    invite = portal.invite_of(me)
    return page(request, "me.html", me, balance=points.balance(me),
                entries=me.points_entries.all()[:20],
                badges=BadgeAward.objects.filter(person=me).select_related("badge"),
                privileges=points.privileges_of(me),
                invite=invite, invite_url=gates.invite_url(invite) if invite else "",
                referred=me.community.admissions.filter(
                    Q(inviter=me) & Q(status="approved")).count())


@member_page
def profile(request: HttpRequest, me: Person) -> HttpResponse | None:
    if request.method == "POST":
        post = request.POST
        portal.do_update_profile(me, display_name=post.get("display_name", ""),
                                 interests=post.get("interests", ""),
                                 skills=post.get("skills", ""), needs=post.get("needs", ""),
                                 consent_introduce=bool(post.get("consent_introduce")),
                                 consent_contact=bool(post.get("consent_contact")))
        messages.success(request, _("Profile saved."))
        return None
    return page(request, "profile.html", me,
                erasure=me.erasure_requests.filter(status="open").first())


@member_page
def export(request: HttpRequest, me: Person) -> HttpResponse:
    data = orjson.dumps(portal.export(me), option=orjson.OPT_INDENT_2)
    response = HttpResponse(data, content_type="application/json")
    response["Content-Disposition"] = (f'attachment; filename="qunzhu-{me.community.slug}-'
                                       f'{me.pk}.json"')
    return response


@member_page
def erase(request: HttpRequest, me: Person) -> HttpResponse | None:
    if request.method != "POST":
        return redirect("portal:profile", slug=me.community.slug)
    portal.do_request_erasure(me, request.POST.get("reason", ""))
    messages.success(request, _("Your request is with the managers; they will erase your "
                                "data and confirm."))
    return redirect("portal:profile", slug=me.community.slug)
