"""Console pages for campaigns 活动 (seed 002): plan one from a library template, edit the
plan, add steps, watch the live monitor against the group's normal, close it with a
retrospective 复盘, and keep the scripts that worked.

Views parse the request, check the operator's role, call one service function and
redirect; a refused request (``ActivityError``, a ``GovernanceError``) comes back as a
message on the page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _

from qunzhu.activities import campaigns as service
from qunzhu.activities.models import Campaign, CampaignStep, Phase, Script, StepKind
from qunzhu.community.models import Community
from qunzhu.core.activities import library
from qunzhu.governance.errors import GovernanceError

from .governance import _group, _lang, actor, manager_post, may_manage
from .views import enter

#: the phases a step may belong to, in the order they run
STEP_PHASES = (Phase.WARMUP, Phase.IGNITION, Phase.MONITORING)


def _templates(lang: str) -> list[dict[str, Any]]:
    """The library as the create form shows it: name, purpose and how long each phase is."""
    return [{"key": t.key, "name": library.text(t.name, lang),
             "purpose": library.text(t.purpose, lang), "warmup": t.warmup_days,
             "ignition": t.ignition_days, "monitoring": t.monitoring_days,
             "days": t.warmup_days + t.ignition_days + t.monitoring_days}
            for t in library.TEMPLATES.values()]


@login_required
def campaigns_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    return render(request, "campaigns/list.html", {
        "community": community,
        "campaigns": Campaign.objects.filter(community=community).prefetch_related("groups"),
        "templates": _templates(_lang(request)),
        "groups": community.groups.filter(archived__isnull=True),
        "scripts": Script.objects.filter(community=community).select_related("campaign"),
        "today": timezone.localdate() + timedelta(days=1), "tab": "campaigns",
        "may_manage": may_manage(request, community)})


@manager_post
def campaign_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    start = parse_date(post.get("start", ""))
    if start is None:
        raise GovernanceError(_("Give the day warm-up starts, e.g. 2026-06-01."))
    groups = [_group(community, value) for value in post.getlist("groups") if value]
    made = service.do_create_campaign(
        actor(request), community, template=post.get("template", ""), start=start,
        title=post.get("title", ""), groups=groups or None, place=post.get("place", ""),
        at=post.get("at") or "20:00")
    messages.success(request, _("Campaign %(title)s planned with %(n)d steps.")
                     % {"title": made.title, "n": made.steps.count()})
    return redirect("console:campaign", slug=community.slug, pk=made.pk)


# ------------------------------------------------------------------------ detail page

def _timeline(campaign: Campaign, now: datetime) -> list[dict[str, Any]]:
    """Each phase with its first and last local day; ``current`` marks the one running."""
    zone = campaign.community.zone
    bounds = [(Phase.WARMUP, campaign.warmup, campaign.ignition),
              (Phase.IGNITION, campaign.ignition, campaign.monitoring),
              (Phase.MONITORING, campaign.monitoring, campaign.end)]
    closed = campaign.phase == Phase.DONE
    rows = [{"phase": str(phase), "label": phase.label, "first": start.astimezone(zone).date(),
             "last": (end.astimezone(zone) - timedelta(seconds=1)).date(),
             "current": not closed and start <= now < end}
            for phase, start, end in bounds]
    rows.append({"phase": str(Phase.DONE), "label": Phase.DONE.label,
                 "first": campaign.end.astimezone(zone).date(), "last": None,
                 "current": closed or now >= campaign.end})
    return rows


_WHEN = ("start", "end", "at", "until")


def _revive(value: Any) -> Any:
    """The stored retrospective keeps times as ISO text; the page shows them as times."""
    if isinstance(value, dict):
        return {k: (_when(v) if k in _WHEN else _revive(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


def _when(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _labelled(fig: dict[str, Any]) -> dict[str, Any]:
    """Phase rows get their translated names (the figures carry only the code)."""
    labels = dict(Phase.choices)
    for row in fig.get("phases", []):
        row["label"] = labels.get(row["phase"], row["phase"])
    return fig


@login_required
def campaign_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    campaign = get_object_or_404(Campaign.objects.prefetch_related("groups"), pk=pk,
                                 community=community)
    now = timezone.now()
    closed = campaign.phase == Phase.DONE and campaign.retro is not None
    return render(request, "campaigns/detail.html", {
        "community": community, "campaign": campaign, "now": now, "closed": closed,
        "timeline": _timeline(campaign, now),
        "steps": campaign.steps.all(),
        "monitor": None if closed else _labelled(service.figures(campaign, now)),
        "retro": _labelled(_revive(campaign.retro)) if closed else None,
        "staff_lines": "\n".join(f"{s.get('role', '')}: {s.get('duty', '')}"
                                 for s in campaign.staff),
        "measure_lines": "\n".join(f"{m['metric']} {m['target']:g} {m.get('label', '')}"
                                   .strip() for m in campaign.measures),
        "metrics": library.METRICS, "step_phases": [(str(p), p.label) for p in STEP_PHASES],
        "step_kinds": StepKind.choices,
        "scripts": campaign.scripts.all(), "tomorrow": timezone.localdate() + timedelta(days=1),
        "tab": "campaigns", "may_manage": may_manage(request, community)})


def _staff(text: str) -> list[dict[str, str]]:
    """"role: duty" lines (a full-width colon works too) → the plan's staff list."""
    staff = []
    for line in text.splitlines():
        line = line.strip().replace("：", ":", 1)
        if not line:
            continue
        role, _sep, duty = line.partition(":")
        if not role.strip():
            raise GovernanceError(_("Each staff line is “role: duty”: %(line)s") % {"line": line})
        staff.append({"role": role.strip(), "duty": duty.strip()})
    return staff


def _measures(text: str) -> list[dict[str, Any]]:
    """"metric target label" lines → the plan's measures (the service checks the metric
    and the number)."""
    measures = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if not parts:
            continue
        if len(parts) < 2:
            raise GovernanceError(_("Each measure line is “metric target label”: %(line)s")
                                  % {"line": line.strip()})
        measures.append({"metric": parts[0], "target": parts[1],
                         "label": parts[2].strip() if len(parts) > 2 else ""})
    return measures


@manager_post
def campaign_plan(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, community=community)
    post = request.POST
    fields: dict[str, Any] = {name: post.get(name, "").strip()
                              for name in ("title", "purpose", "format", "materials", "risks",
                                           "budget") if name in post}
    if "staff" in post:
        fields["staff"] = _staff(post["staff"])
    if "measures" in post:
        fields["measures"] = _measures(post["measures"])
    service.do_update_plan(actor(request), campaign, **fields)
    messages.success(request, _("Plan saved."))
    return redirect("console:campaign", slug=community.slug, pk=pk)


def _moment(day: str, at: str) -> datetime:
    """A local date and HH:MM in the community's zone (made current by ``manager_post``)."""
    when_day: date | None = parse_date(day or "")
    when_time = parse_time(at or "")
    if when_day is None or when_time is None:
        raise GovernanceError(_("Give the step's day and time, e.g. 2026-06-01 and 20:00."))
    return timezone.make_aware(datetime.combine(when_day, when_time))


@manager_post
def campaign_step(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, community=community)
    post = request.POST
    service.do_add_step(actor(request), campaign, phase=post.get("phase", ""),
                        at=_moment(post.get("day", ""), post.get("at", "")),
                        kind=post.get("kind", ""), text=post.get("text", ""))
    messages.success(request, _("Step added; it goes to the outbox at its time."))
    return redirect("console:campaign", slug=community.slug, pk=pk)


@manager_post
def campaign_close(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk, community=community)
    service.do_close(actor(request), campaign, request.POST.get("notes", ""))
    messages.success(request, _("Campaign closed; the retrospective is kept below."))
    return redirect("console:campaign", slug=community.slug, pk=pk)


@manager_post
def campaign_script(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    """Keep a step's text (or a text typed in) as a script for the next campaign."""
    campaign = get_object_or_404(Campaign, pk=pk, community=community)
    post = request.POST
    text, phase = post.get("text", ""), post.get("phase", "")
    if post.get("step"):
        step = get_object_or_404(CampaignStep, pk=post["step"], campaign=campaign)
        text, phase = text or step.text, step.phase
    script = service.do_save_script(actor(request), campaign, title=post.get("title", ""),
                                    text=text, phase=phase)
    messages.success(request, _("Script %(title)s saved for next time.")
                     % {"title": script.title})
    return redirect("console:campaign", slug=community.slug, pk=pk)
