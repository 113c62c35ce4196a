"""Console views of group health: read the stored report; only a page asked for another
period (``?since=&until=``) computes, for its one group."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from qunzhu.audit.log import Actor
from qunzhu.community.access import has_role
from qunzhu.community.models import Community, Group, OperatorRole
from qunzhu.health import present, service

from .views import enter


def _state(community: Community) -> dict[str, Any]:
    report = service.latest(community)
    return {"health": report, "health_pending": service.pending(community),
            "health_groups": report.data["groups"] if report and report.data else []}


@login_required
def health_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The overview's health block (HTMX polls it while a refresh runs)."""
    community = enter(request, slug)
    return render(request, "console/_health_overview.html", {
        "community": community, **_state(community), **present.names(),
        "may_refresh": has_role(request.user, community, OperatorRole.MANAGER)})


@login_required
@require_POST
def health_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    if not has_role(request.user, community, OperatorRole.MANAGER):
        raise Http404("No such page")
    service.request_refresh(Actor.operator(request.user), community, reason="console")
    if request.headers.get("HX-Request"):
        return health_status(request, slug)
    return redirect("console:overview", slug=slug)


def _period(request: HttpRequest, community: Community
            ) -> tuple[datetime | None, datetime | None, str]:
    """``?since=&until=`` as the CLI reads ``--since``/``--until``: whole local days, the
    period running to the end of its last day. Returns (start, end, error)."""
    zone = ZoneInfo(community.time_zone)
    out: list[datetime | None] = []
    for name in ("since", "until"):
        value = request.GET.get(name, "").strip()
        if not value:
            out.append(None)
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None, None, gettext("Dates are written YYYY-MM-DD.")
        if name == "until":
            day += timedelta(days=1)
        out.append(datetime.combine(day, datetime.min.time(), zone))
    start, end = out
    if start and end and start >= end:
        return None, None, gettext("The first day must come before the last.")
    return start, end, ""


@login_required
def group_health(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    community = enter(request, slug)
    group = get_object_or_404(Group, pk=group_id, community=community)
    state = _state(community)
    data = next((g for g in state["health_groups"] if g["group"].get("id") == group.pk), None)
    start, end, error = _period(request, community)
    if (start or end) and not error:  # another period: this group, computed now (one read)
        data = service.compute(community, [group], start, end).as_dict()["groups"][0]
    return render(request, "console/group_health.html", {
        "community": community, "group": group, "tab": "health", "g": data, "n": 0,
        "report": state["health"], "health_pending": state["health_pending"],
        "chart_labels": present.chart_labels(), **present.names(),
        "period_error": error, "custom_period": bool(start or end) and not error,
        "may_refresh": has_role(request.user, community, OperatorRole.MANAGER)})
