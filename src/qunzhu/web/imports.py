"""Console pages for importing exports and confirming person merges."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qunzhu.audit.log import Actor
from qunzhu.community.access import get_community_or_404, has_role
from qunzhu.community.actions import do_merge_people
from qunzhu.community.merges import merge_suggestions
from qunzhu.community.models import OperatorRole, Person
from qunzhu.ingest import jobs
from qunzhu.ingest.models import ImportJob

from .forms import ImportForm, MergeForm
from .views import enter


@login_required
def import_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    may_import = has_role(request.user, community, OperatorRole.MANAGER)
    form = ImportForm()
    if request.method == "POST":
        if not may_import:
            raise Http404("No such page")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            job = jobs.do_create_import_job(
                Actor.operator(request.user), community, name=data["file"].name,
                stream=data["file"], format=data["format"], time_zone=data["time_zone"],
                group_name=data["group_name"], strict=data["strict"], year=data["year"])
            jobs.start(job)
            return redirect("console:import-job", slug=slug, job_id=job.pk)
    recent = ImportJob.objects.filter(community=community)[:20]
    return render(request, "console/import.html", {
        "community": community, "form": form, "jobs": recent, "may_import": may_import})


@login_required
def import_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    community = enter(request, slug)
    job = get_object_or_404(ImportJob, pk=job_id, community=community)
    template = "console/_import_job.html" if request.headers.get("HX-Request") \
        else "console/import_job.html"
    return render(request, template, {"community": community, "job": job})


@login_required
@require_POST
def import_retry(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    community = get_community_or_404(request.user, slug, OperatorRole.MANAGER)
    job = get_object_or_404(ImportJob, pk=job_id, community=community)
    if not job.active:
        jobs.start(jobs.do_retry_import_job(Actor.operator(request.user), job))
    return redirect("console:import-job", slug=slug, job_id=job.pk)


@login_required
def merges(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    suggestions = merge_suggestions(community)
    people = Person.objects.filter(
        pk__in={pid for s in suggestions for pid in s.person_ids}).prefetch_related(
        "identities", "memberships__group")
    return render(request, "console/merges.html", {
        "community": community, "suggestions": suggestions,
        "people": {p.pk: p for p in people},
        "may_merge": has_role(request.user, community, OperatorRole.MANAGER)})


@login_required
@require_POST
def merge_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    community = get_community_or_404(request.user, slug, OperatorRole.MANAGER)
    form = MergeForm(request.POST)
    if not form.is_valid():
        raise Http404("No such people")
    keep = get_object_or_404(Person, pk=form.cleaned_data["keep"], community=community)
    other = get_object_or_404(Person, pk=form.cleaned_data["other"], community=community)
    if keep.pk == other.pk:
        raise Http404("No such people")
    do_merge_people(Actor.operator(request.user), keep, other,
                    reason="confirmed in the console")
    messages.success(request, _("Merged %(other)s into %(keep)s.") % {
        "other": other.display_name, "keep": keep.display_name})
    return redirect("console:merges", slug=slug)
