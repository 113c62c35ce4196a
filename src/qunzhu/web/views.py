"""Console views: parse the request, check access, read, render. No state changes here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from qunzhu.community.access import communities_for, get_community_or_404, has_role
from qunzhu.community.models import Community, Group, Message, OperatorRole, Person
from qunzhu.health import present, service

from . import queries

PAGE_SIZE = 50


def enter(request: HttpRequest, slug: str) -> Community:
    """The community of this URL, if the operator may see it; its zone becomes current."""
    community = get_community_or_404(request.user, slug)
    timezone.activate(community.zone)
    request.session["community"] = community.slug
    return community


@login_required
def home(request: HttpRequest) -> HttpResponse:
    communities = communities_for(request.user)
    remembered = request.session.get("community")
    if remembered and communities.filter(slug=remembered).exists():
        return redirect("console:overview", slug=remembered)
    first = communities.first()
    if first is not None:
        return redirect("console:overview", slug=first.slug)
    return render(request, "console/no_community.html")


@login_required
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    rows = queries.group_overview(community)
    report = service.latest(community)
    return render(request, "console/overview.html", {
        "community": community, "rows": rows,
        "total_messages": sum(r.messages for r in rows),
        "health": report, "health_pending": service.pending(community),
        "health_groups": report.data["groups"] if report and report.data else [],
        "may_refresh": has_role(request.user, community, OperatorRole.MANAGER),
        **present.names(),
    })


@login_required
def group_timeline(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    community = enter(request, slug)
    group = get_object_or_404(Group, pk=group_id, community=community)
    query = request.GET.get("q", "")
    page = Paginator(queries.group_messages(group, query), PAGE_SIZE).get_page(
        request.GET.get("page"))
    context = {"community": community, "group": group, "page": page, "q": query,
               "tab": "messages"}
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "timeline":
        return render(request, "console/_timeline.html", context)
    return render(request, "console/group.html", context)


@login_required
def group_member_list(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    community = enter(request, slug)
    group = get_object_or_404(Group, pk=group_id, community=community)
    page = Paginator(queries.group_members(group), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/group_members.html", {
        "community": community, "group": group, "page": page, "tab": "members"})


@login_required
def person_detail(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    community = enter(request, slug)
    person = get_object_or_404(Person, pk=person_id, community=community)
    identities = person.identities.prefetch_related("names")
    memberships = person.memberships.select_related("group").order_by("joined")
    recent = (Message.objects.filter(identity__person=person).select_related("group")
              .order_by("-sent_at")[:PAGE_SIZE])
    return render(request, "console/person.html", {
        "community": community, "person": person, "identities": identities,
        "memberships": memberships, "recent": recent,
        "may_manage": has_role(request.user, community, OperatorRole.MANAGER),
        "erasures": person.erasure_requests.filter(status="open")})
