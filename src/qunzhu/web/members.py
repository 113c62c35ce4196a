"""Console pages about one member's portal access: issue a one-time sign-in code (shown
once, for the operator to pass on in the chat), and carry out a member's erasure request."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from qunzhu.community.models import Community, Person
from qunzhu.portal import services as portal
from qunzhu.portal.models import ErasureRequest

from .governance import actor, manager_post


@manager_post
def signin_code(request: HttpRequest, community: Community, person_id: int) -> None:
    person = get_object_or_404(Person, pk=person_id, community=community)
    code = portal.do_issue_code(actor(request), person)
    link = request.build_absolute_uri(reverse("portal:login-link", kwargs={"code": code}))
    messages.success(request, _("Sign-in code for %(name)s: %(code)s (valid %(hours)d hours, "
                                "once). Link: %(link)s — shown only now; pass it on in the "
                                "chat.") % {"name": person.display_name, "code": code,
                                            "hours": portal.CODE_HOURS, "link": link})


@manager_post
def erase(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    wish = get_object_or_404(ErasureRequest, pk=pk, community=community)
    portal.do_erase(actor(request), wish, request.POST.get("note", ""))
    messages.success(request, _("Everything about %(name)s was erased.") % {"name": wish.name})
    return redirect("console:overview", slug=community.slug)
