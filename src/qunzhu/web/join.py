"""The page an invite link or QR code opens: the community, its rules, and the gate.

Public (no operator login), in the member portal's mobile layout.
A community-wide invite works like a 活码: it always points at the first open group of
the series that still has room, so a full group never turns a joiner away.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation

from qunzhu.audit.log import Actor
from qunzhu.audit.models import ActorKind
from qunzhu.community.models import Gate, Group, MembershipStatus
from qunzhu.governance import gates, onboarding
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import Invite

from .governance import answers_of

#: the order gates are offered in, easiest first
ORDER = [Gate.INVITATION, Gate.APPLICATION, Gate.TASK, Gate.RECOMMENDATION, Gate.PAID]


def target_group(invite: Invite) -> Group | None:
    if invite.group is not None:
        return invite.group if invite.group.archived is None else None
    groups = (invite.community.groups.filter(archived__isnull=True, gates__enabled=True)
              .annotate(n=Count("memberships", filter=Q(
                  memberships__status=MembershipStatus.ACTIVE)))
              .order_by("series_index", "pk").distinct())
    return next((g for g in groups if g.n < g.capacity), None)


def join_page(request: HttpRequest, code: str) -> HttpResponse:
    invite = (Invite.objects.select_related("community", "group", "inviter")
              .filter(code=code).first())
    if invite is None:
        raise Http404("No such invite")
    community = invite.community
    timezone.activate(community.zone)
    problem = invite.unusable_reason()
    group = target_group(invite)
    offered: list[dict[str, Any]] = []
    if group is not None:
        enabled = gates.gates_of(group)
        for kind in ORDER:
            gate = enabled.get(kind)
            if gate is None or (kind == Gate.RECOMMENDATION and invite.inviter is None):
                continue
            offered.append({"kind": kind, "label": Gate(kind).label,
                            "form": gate.settings.get("form") or (
                                gates.default_form() if kind == Gate.APPLICATION else []),
                            "tasks": gate.settings.get("tasks") or [],
                            "fee": gates.money(gate.settings.get("fee_cents", 0),
                                               gate.settings.get("currency", "CNY"))})
    done = None
    error = ""
    if request.method == "POST" and not problem and group is not None:
        chosen = str(request.POST.get("gate", ""))
        name = str(request.POST.get("name", ""))
        answers = answers_of(request.POST)
        try:
            done = gates.do_submit(Actor(ActorKind.MEMBER, f"joiner {name}"[:200]), group,
                                   chosen, name=name, answers=answers, invite=invite,
                                   voucher=invite.inviter if chosen == Gate.RECOMMENDATION
                                   else None, contact=request.POST.get("contact", ""))
        except GovernanceError as exc:
            error = str(exc)
    kit = gates.kit(community)
    with translation.override(kit.language):
        rules = onboarding.announcement_text(community, group)
    return render(request, "portal/join.html", {
        "invite": invite, "community": community, "group": group, "problem": problem,
        "offered": offered, "done": done, "error": error, "rules": rules,
        "login_url": request.build_absolute_uri(reverse("portal:login")),
        "full": group is None and not problem}, status=410 if problem else 200)
