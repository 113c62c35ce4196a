"""Console pages for governance: gates and invites, the application queue, onboarding,
the rulebook with its advisory preview and history, findings and strikes, removal
proposals, votes and the outbox.

Views parse the request, check the operator's role, call one service function and
redirect; a refused request (``GovernanceError``) comes back as a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from qunzhu.audit.log import Actor
from qunzhu.community.access import get_community_or_404, has_role
from qunzhu.community.models import Community, Gate, Group, OperatorRole, Person
from qunzhu.core.governance import ICEBREAKER_FIELDS, diff
from qunzhu.core.rules import PARAMS, Rulebook, RuleKind
from qunzhu.governance import elimination, gates, onboarding, outbox, points, rulebook, votes
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import (
    ActionStatus,
    Admission,
    AdmissionStatus,
    Channel,
    EliminationKind,
    Finding,
    Invite,
    OutboxAction,
    Proposal,
    ProposalStatus,
    RemovalCandidate,
    RemovalProposal,
    Strike,
)

from .views import enter


def manager_post(view: Callable[..., HttpResponse | None]) -> Callable[..., HttpResponse]:
    """POST only, manager role, community entered; GovernanceError → a message."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        community = get_community_or_404(request.user, slug, OperatorRole.MANAGER)
        timezone.activate(community.zone)
        back = request.POST.get("next") or request.headers.get("Referer") or "/"
        try:
            response = view(request, community, *args, **kwargs)
        except GovernanceError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        return response or redirect(back)

    return wrapped


def answers_of(post: Any) -> dict[str, str]:
    """Form answers: fields named ``a-<id>``."""
    return {k[2:]: str(v) for k, v in post.items() if k.startswith("a-") and str(v).strip()}


def actor(request: HttpRequest) -> Actor:
    return Actor.operator(request.user)


def may_manage(request: HttpRequest, community: Community) -> bool:
    return has_role(request.user, community, OperatorRole.MANAGER)


def _group(community: Community, value: Any) -> Group:
    return get_object_or_404(Group, pk=value, community=community)


def _person(community: Community, value: Any) -> Person | None:
    if not value:
        return None
    return get_object_or_404(Person, pk=value, community=community)


def _when(value: str) -> datetime | None:
    day = parse_date(value or "")
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


# ------------------------------------------------------------ admission: gates and invites

@login_required
def admission(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    groups = list(community.groups.filter(archived__isnull=True).prefetch_related("gates"))
    queue = (Admission.objects.filter(community=community, status__in=[
        AdmissionStatus.PENDING, AdmissionStatus.NEEDS_INFO]).select_related("group", "voucher")
        .order_by("created"))
    decided = (Admission.objects.filter(community=community)
               .exclude(status__in=[AdmissionStatus.PENDING, AdmissionStatus.NEEDS_INFO])
               .select_related("group", "inviter")[:20])
    invites = list(Invite.objects.filter(community=community)
                   .select_related("group", "inviter")[:50])
    for invite in invites:
        invite.url = gates.invite_url(invite)  # type: ignore[attr-defined]
    return render(request, "governance/admission.html", {
        "community": community, "groups": groups, "queue": queue, "decided": decided,
        "invites": invites, "channels": Channel.choices,
        "gate_kinds": [c for c in Gate.choices if c[0]],
        "people": community.people.order_by("display_name")[:500],
        "may_manage": may_manage(request, community), "now": timezone.now(),
    })


@manager_post
def gate_set(request: HttpRequest, community: Community, group_id: int) -> None:
    group = _group(community, group_id)
    kind = request.POST.get("kind", "")
    settings: dict[str, Any] = {}
    if kind == Gate.PAID:
        try:
            settings = {"fee_cents": round(float(request.POST.get("fee") or 0) * 100),
                        "currency": request.POST.get("currency") or "CNY"}
        except ValueError as exc:
            raise GovernanceError(_("The fee must be a number, e.g. 99 or 99.50.")) from exc
    elif kind == Gate.TASK:
        prompts = [p.strip() for p in request.POST.get("tasks", "").splitlines() if p.strip()]
        keywords = [k.strip() for k in request.POST.get("keywords", "").split(",") if k.strip()]
        settings = {"tasks": [{"id": f"t{i + 1}", "kind": "answer", "prompt": p,
                               "keywords": keywords if i == 0 else [],
                               "min_length": int(request.POST.get("min_length") or 0)}
                              for i, p in enumerate(prompts)]}
    elif kind == Gate.APPLICATION:
        labels = [p.strip() for p in request.POST.get("form", "").splitlines() if p.strip()]
        settings = {"form": [{"id": f"q{i + 1}", "label": label.rstrip("*").strip(),
                              "required": label.endswith("*")}
                             for i, label in enumerate(labels)]}
    elif kind == Gate.RECOMMENDATION:
        settings = {"min_standing": int(request.POST.get("min_standing") or 40),
                    "auto_approve": bool(request.POST.get("auto_approve"))}
    gates.do_set_gate(actor(request), group, kind, enabled=bool(request.POST.get("enabled")),
                      settings=settings)
    messages.success(request, _("Gates of %(group)s saved.") % {"group": group.name})


@manager_post
def invite_create(request: HttpRequest, community: Community) -> None:
    post = request.POST
    uses = post.get("max_uses")
    invite = gates.do_create_invite(
        actor(request), community,
        group=_group(community, post["group"]) if post.get("group") else None,
        inviter=_person(community, post.get("inviter")),
        channel=post.get("channel") or Channel.OWN_PLATFORM,
        channel_detail=post.get("channel_detail", ""),
        expires=_when(post.get("expires", "")), max_uses=int(uses) if uses else None)
    messages.success(request, _("Invite %(code)s created: %(url)s")
                     % {"code": invite.code, "url": gates.invite_url(invite)})


@manager_post
def invite_revoke(request: HttpRequest, community: Community, code: str) -> None:
    invite = get_object_or_404(Invite, code=code, community=community)
    gates.do_revoke_invite(actor(request), invite, request.POST.get("reason", ""))
    messages.success(request, _("Invite %(code)s revoked.") % {"code": code})


@login_required
def invite_qr(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    community = enter(request, slug)
    invite = get_object_or_404(Invite, code=code, community=community)
    kind = "svg" if request.GET.get("format") == "svg" else "png"
    response = HttpResponse(gates.qr_code(invite, kind),
                            content_type="image/svg+xml" if kind == "svg" else "image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="invite-{code}.{kind}"'
    return response


@manager_post
def admission_record(request: HttpRequest, community: Community) -> HttpResponse:
    """An operator enters a joiner who applied outside qunzhu (by chat, by phone)."""
    post = request.POST
    group = _group(community, post.get("group"))
    invite = None
    if post.get("invite"):
        invite = Invite.objects.filter(community=community, code=post["invite"].strip()).first()
        if invite is None:
            raise GovernanceError(_("No invite with the code %(code)s.")
                                  % {"code": post["invite"]})
    answers = answers_of(post)
    made = gates.do_submit(actor(request), group, post.get("gate", ""), name=post.get("name", ""),
                           answers=answers, invite=invite,
                           voucher=_person(community, post.get("voucher")),
                           external_id=post.get("external_id", "").strip(),
                           contact=post.get("contact", ""))
    messages.success(request, _("%(name)s: %(status)s.") % {
        "name": made.name, "status": made.get_status_display()})
    return redirect("console:admission-detail", slug=community.slug, pk=made.pk)


@login_required
def admission_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    item = get_object_or_404(Admission.objects.select_related("group", "invite", "voucher",
                                                              "inviter", "person"),
                             pk=pk, community=community)
    gate = item.group.gates.filter(kind=item.gate).first()
    labels = {f["id"]: f["label"] for f in (gate.settings.get("form") or []
                                            if gate else [])}
    labels.update({t["id"]: t["prompt"] for t in (gate.settings.get("tasks") or []
                                                  if gate else [])})
    return render(request, "governance/admission_detail.html", {
        "community": community, "item": item, "notes": item.notes.all(),
        "payments": item.payments.all(), "paid": gates.paid_cents(item),
        "answers": [(labels.get(k, k), v) for k, v in item.answers.items()],
        "money": gates.money, "may_manage": may_manage(request, community),
        "open": item.status in (AdmissionStatus.PENDING, AdmissionStatus.NEEDS_INFO)})


@manager_post
def admission_decide(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    item = get_object_or_404(Admission, pk=pk, community=community)
    verb, text = request.POST.get("verb"), request.POST.get("text", "")
    who = actor(request)
    if verb == "approve":
        gates.do_approve(who, item, text)
    elif verb == "reject":
        gates.do_reject(who, item, text)
    elif verb == "ask":
        gates.do_ask(who, item, text)
    elif verb == "answer":
        gates.do_answer(who, item, {"reply": text})
    elif verb in ("payment", "refund"):
        try:
            cents = round(float(request.POST.get("amount") or 0) * 100)
        except ValueError as exc:
            raise GovernanceError(_("The amount must be a number.")) from exc
        gates.do_record_payment(who, item, amount_cents=cents, reference=text, kind=verb)
    else:
        raise Http404("no such verb")
    item.refresh_from_db()
    messages.success(request, _("%(name)s: %(status)s.") % {
        "name": item.name, "status": item.get_status_display()})
    return redirect("console:admission-detail", slug=community.slug, pk=pk)


# ------------------------------------------------------------ onboarding

@login_required
def onboarding_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    language = request.GET.get("lang") or None
    kit = gates.kit(community, language)
    groups = list(community.groups.filter(archived__isnull=True))
    try:
        next_name = onboarding.next_name(community)[1]
    except GovernanceError:
        next_name = ""
    from qunzhu.core.governance import icebreaker
    from qunzhu.core.governance import render as render_text

    return render(request, "governance/onboarding.html", {
        "community": community, "kit": kit, "groups": groups, "next_name": next_name,
        "announcement": onboarding.announcement_text(community, None, kit.language),
        "welcome_sample": render_text(kit.welcome, gates.sample_values(community)),
        "icebreaker": icebreaker(kit.icebreaker_fields, kit.language),
        "fields": [(k, v[1] if kit.language.startswith("zh") else v[0])
                   for k, v in ICEBREAKER_FIELDS.items()],
        "platforms": Group._meta.get_field("platform").choices,
        "may_manage": may_manage(request, community)})


@manager_post
def onboarding_save(request: HttpRequest, community: Community) -> HttpResponse:
    kit = gates.kit(community, request.POST.get("language") or None)
    gates.do_update_kit(actor(request), kit, welcome=request.POST.get("welcome", ""),
                        announcement_intro=request.POST.get("announcement_intro", ""),
                        icebreaker_fields=request.POST.getlist("fields"),
                        is_default=bool(request.POST.get("is_default")))
    messages.success(request, _("Onboarding texts saved."))
    return redirect(f"/c/{community.slug}/onboarding/?lang={kit.language}")


@manager_post
def announcement_publish(request: HttpRequest, community: Community) -> None:
    group = _group(community, request.POST.get("group"))
    onboarding.do_publish_announcement(actor(request), group)
    messages.success(request, _("The announcement for %(group)s is in the outbox.")
                     % {"group": group.name})


@manager_post
def series_open(request: HttpRequest, community: Community) -> HttpResponse:
    like = _group(community, request.POST["like"]) if request.POST.get("like") else None
    group = onboarding.do_open_series_group(actor(request), community,
                                            platform=request.POST.get("platform") or "wechat",
                                            like=like)
    messages.success(request, _("%(group)s planned; its steps are in the outbox.")
                     % {"group": group.name})
    return redirect("console:outbox", slug=community.slug)


# ------------------------------------------------------------ rulebook

def rule_rows(book: Rulebook) -> list[dict[str, Any]]:
    """Each rule with its parameters as form fields (the editor is built from PARAMS)."""
    rows = []
    for rule in book.rules:
        fields = []
        for param in PARAMS[RuleKind(rule.kind)]:
            value = rule.params.get(param.name, param.default)
            if param.type in ("words", "roles"):
                shown = "\n".join(str(v) for v in value or [])
            elif param.type == "bool":
                shown = "1" if value else ""
            else:
                shown = "" if value is None else str(value)
            fields.append({"name": param.name, "type": param.type, "value": shown,
                           "label": PARAM_LABELS.get(param.name, param.name),
                           "min": param.minimum, "max": param.maximum})
        rows.append({"rule": rule, "fields": fields, "line": onboarding.rule_line(rule),
                     "kind_label": KIND_LABELS.get(str(rule.kind), str(rule.kind))})
    return rows


def book_from_post(base: Rulebook, post: Any) -> dict[str, Any]:
    """The rulebook data an editor form describes (validated later by the core)."""
    data = base.to_data()
    for rule in data["rules"]:
        prefix = f"r-{rule['id']}-"
        rule["enabled"] = bool(post.get(prefix + "enabled"))
        for param in PARAMS[RuleKind(rule["kind"])]:
            raw = post.get(prefix + param.name)
            if param.type == "bool":
                rule["params"][param.name] = bool(raw)
            elif raw is None:
                continue
            elif param.type in ("words", "roles"):
                rule["params"][param.name] = [w.strip() for w in raw.replace("，", ",")
                                              .replace(",", "\n").splitlines() if w.strip()]
            elif param.type == "int":
                rule["params"][param.name] = _number(raw, int, rule["id"], param.name)
            elif param.type == "float":
                rule["params"][param.name] = _number(raw, float, rule["id"], param.name)
            else:
                rule["params"][param.name] = raw.strip()
    voting = data.setdefault("voting", {})
    for name, cast in (("discussion_hours", int), ("voting_hours", int), ("quorum", float),
                       ("majority", float)):
        if post.get(f"v-{name}") not in (None, ""):
            voting[name] = _number(post[f"v-{name}"], cast, "voting", name)
    if post.get("v-present"):
        voting["elimination_by_vote"] = bool(post.get("v-elimination_by_vote"))
        voting["open_ballot"] = bool(post.get("v-open_ballot"))
    strikes = data.setdefault("strikes", {})
    for name in ("expire_days", "threshold"):
        if post.get(f"s-{name}") not in (None, ""):
            strikes[name] = _number(post[f"s-{name}"], int, "strikes", name)
    return data


def _number(raw: str, cast: type, where: str, name: str) -> Any:
    try:
        return cast(raw.strip())
    except ValueError as exc:
        raise GovernanceError(_("%(where)s · %(name)s: expected a number, got “%(raw)s”.")
                              % {"where": where, "name": name, "raw": raw}) from exc


@login_required
def rules_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    version = rulebook.current_version(community)
    book = rulebook.current_rulebook(community)
    proposed, preview, error, changes = None, None, "", []
    days = int(request.POST.get("days") or request.GET.get("days") or 30)
    if request.method == "POST":
        if not may_manage(request, community):
            raise Http404("No such page")
        try:
            proposed = rulebook.parse(book_from_post(book, request.POST))
            changes = diff(book.to_data(), proposed.to_data())
            if request.POST.get("action") == "propose":
                proposal = votes.do_propose_rules(
                    actor(request), community, title=request.POST.get("title", ""),
                    reason=request.POST.get("reason", ""), data=proposed.to_data(),
                    author=_person(community, request.POST.get("author")))
                messages.success(request, _("Proposal #%(n)s is open for discussion.")
                                 % {"n": proposal.number})
                return redirect("console:proposal", slug=slug, number=proposal.number)
        except GovernanceError as exc:
            error = str(exc)
    shown = proposed or book
    if request.method == "POST" or request.GET.get("preview"):
        last = (community.groups.aggregate(t=_max_sent())["t"])
        until = last + timedelta(seconds=1) if last else timezone.now()
        preview = rulebook.advisory(community, shown, since=until - timedelta(days=days),
                                    until=until, include_disabled=request.method != "POST")
    versions = list(community.rulebook_versions.all()[:30])
    history = [(v, diff(older.data, v.data) if older else [])
               for v, older in zip(versions, versions[1:] + [None], strict=True)]
    return render(request, "governance/rules.html", {
        "community": community, "version": version, "book": shown, "rows": rule_rows(shown),
        "changes": changes, "preview": preview, "error": error, "days": days,
        "history": history, "may_manage": may_manage(request, community),
        "open_proposal": community.proposals.filter(status__in=votes.OPEN).first(),
        "members": Person.objects.filter(pk__in=votes.eligible(community))
        .order_by("display_name")[:1000] if may_manage(request, community) else [],
        "lang": _lang(request)})


def _max_sent() -> Any:
    from django.db.models import Max

    return Max("messages__sent_at")


def _lang(request: HttpRequest) -> str:
    code = getattr(request, "LANGUAGE_CODE", "zh-hans")
    return "en" if code.startswith("en") else ("zh-hant" if code == "zh-hant" else "zh-hans")


@manager_post
def rules_adopt(request: HttpRequest, community: Community) -> None:
    rulebook.do_adopt_rulebook(actor(request), community, reason=_("adopted in the console"))
    messages.success(request, _("Rulebook version 1 adopted; every rule starts switched off."))


@manager_post
def rules_enforce(request: HttpRequest, community: Community) -> None:
    done = rulebook.do_enforce(actor(request), community)
    messages.success(request, _("%(findings)s findings, %(strikes)s strikes, %(actions)s "
                                "outbox steps from %(messages)s new messages.") % {
        "findings": done.findings, "strikes": done.strikes, "actions": done.actions,
        "messages": done.messages})


@login_required
def findings_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    now = timezone.now()
    findings = Finding.objects.filter(community=community).select_related("group", "person")
    strikes = (Strike.objects.filter(community=community).select_related("person")
               .annotate(active=Q(revoked=False) & Q(expires__gt=now)))
    counts = (Strike.objects.filter(community=community, revoked=False, expires__gt=now)
              .values("person__display_name", "person").annotate(n=Count("id"))
              .order_by("-n")[:30])
    return render(request, "governance/findings.html", {
        "community": community, "findings": findings[:200], "strikes": strikes[:200],
        "counts": counts, "now": now, "may_manage": may_manage(request, community),
        "book": rulebook.current_rulebook(community), "lang": _lang(request)})


@manager_post
def strike_revoke(request: HttpRequest, community: Community, pk: int) -> None:
    strike = get_object_or_404(Strike, pk=pk, community=community)
    rulebook.do_revoke_strike(actor(request), strike, request.POST.get("reason", ""))
    messages.success(request, _("Strike withdrawn."))


# ------------------------------------------------------------ votes

@login_required
def proposals_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    items = list(community.proposals.annotate(ballots_n=Count("ballots")))
    now = timezone.now()
    return render(request, "governance/proposals.html", {
        "community": community, "proposals": [(p, votes.phase(p, now)) for p in items]})


@login_required
def proposal_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    community = enter(request, slug)
    proposal = get_object_or_404(Proposal, community=community, number=number)
    now = timezone.now()
    base = proposal.base.data if proposal.base else {}
    ballots = list(proposal.ballots.select_related("person").order_by("person__display_name"))
    counts = {c: sum(1 for b in ballots if b.choice == c) for c in ("yes", "no", "abstain")}
    voters = Person.objects.filter(pk__in=votes.eligible(community)).order_by("display_name")
    return render(request, "governance/proposal.html", {
        "community": community, "proposal": proposal, "phase": votes.phase(proposal, now),
        "changes": diff(base, proposal.data) if proposal.data is not None else [],
        "ballots": ballots if proposal.open_ballot else [], "counts": counts,
        "cast": len(ballots), "eligible": voters.count(), "voters": voters[:1000],
        "now": now, "may_manage": may_manage(request, community),
        "statuses": ProposalStatus})


@manager_post
def proposal_vote(request: HttpRequest, community: Community, number: int) -> None:
    proposal = get_object_or_404(Proposal, community=community, number=number)
    person = _person(community, request.POST.get("person"))
    if person is None:
        raise GovernanceError(_("Choose the member whose vote you record."))
    votes.do_cast_vote(actor(request), proposal, person, request.POST.get("choice", ""))
    messages.success(request, _("Vote of %(name)s recorded.") % {"name": person.display_name})


@manager_post
def proposal_close(request: HttpRequest, community: Community, number: int) -> None:
    proposal = get_object_or_404(Proposal, community=community, number=number)
    if request.POST.get("withdraw"):
        votes.do_withdraw(actor(request), proposal, request.POST.get("reason", ""))
        messages.success(request, _("Proposal withdrawn."))
        return
    closed = votes.do_close(actor(request), proposal)
    messages.success(request, (closed.tally or {}).get("text" if _lang(request) != "en"
                                                        else "text_en", ""))


# ------------------------------------------------------------ elimination

@login_required
def removals_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    proposals = (RemovalProposal.objects.filter(community=community).select_related("group")
                 .annotate(n=Count("candidates")))[:50]
    return render(request, "governance/removals.html", {
        "community": community, "proposals": proposals, "kinds": EliminationKind.choices,
        "challenges": community.challenges.filter(cancelled__isnull=True)[:20],
        "groups": community.groups.filter(archived__isnull=True),
        "may_manage": may_manage(request, community)})


@manager_post
def removal_create(request: HttpRequest, community: Community) -> HttpResponse:
    post = request.POST
    group = _group(community, post.get("group"))
    params = {k: post.get(k) for k in ("keep", "threshold", "bottom", "minimum", "required",
                                       "pattern", "days", "challenge") if post.get(k)}
    if params.get("challenge"):
        params.pop("pattern", None)  # a challenge's check-ins, not messages, are counted
    made = elimination.do_propose_removal(actor(request), group, post.get("kind", ""), params)
    if made is None:
        messages.info(request, _("Nobody in %(group)s would go under this rule.")
                      % {"group": group.name})
        return redirect("console:removals", slug=community.slug)
    return redirect("console:removal", slug=community.slug, pk=made.pk)


@login_required
def removal_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = enter(request, slug)
    proposal = get_object_or_404(RemovalProposal.objects.select_related("group"), pk=pk,
                                 community=community)
    from qunzhu.core.governance import Removal

    lang = _lang(request)
    rows = [(c, Removal(c.membership_id, c.person.display_name, c.code, c.detail).text(lang))
            for c in proposal.candidates.select_related("person")]
    return render(request, "governance/removal.html", {
        "community": community, "proposal": proposal, "rows": rows,
        "vote": getattr(proposal, "vote", None), "may_manage": may_manage(request, community)})


@manager_post
def removal_decide(request: HttpRequest, community: Community, pk: int) -> None:
    proposal = get_object_or_404(RemovalProposal, pk=pk, community=community)
    post, who = request.POST, actor(request)
    if post.get("candidate"):
        candidate = get_object_or_404(RemovalCandidate, pk=post["candidate"], proposal=proposal)
        verb = post.get("verb")
        if verb in ("exclude", "include"):
            elimination.do_exclude_candidate(who, candidate, post.get("reason", ""),
                                             include=verb == "include")
        elif verb == "appeal":
            elimination.do_appeal(who, candidate, post.get("reason", ""))
        elif verb in ("reinstate", "uphold"):
            elimination.do_decide_appeal(who, candidate, reinstate=verb == "reinstate",
                                         reason=post.get("reason", ""))
        else:
            raise Http404("no such verb")
        messages.success(request, _("Saved."))
        return
    approve = post.get("verb") == "approve"
    elimination.do_decide_removal(who, proposal, approve=approve,
                                  reason=post.get("reason", ""))
    messages.success(request, _("Removal approved; the steps are in the outbox.") if approve
                     else _("Removal proposal rejected."))


@manager_post
def points_grant(request: HttpRequest, community: Community) -> None:
    person = _person(community, request.POST.get("person"))
    if person is None:
        raise GovernanceError(_("Choose a member."))
    try:
        amount = int(request.POST.get("amount") or 0)
    except ValueError as exc:
        raise GovernanceError(_("Points are a whole number.")) from exc
    points.do_grant_points(actor(request), person, amount, request.POST.get("reason", ""))
    messages.success(request, _("%(n)+d points for %(name)s.")
                     % {"n": amount, "name": person.display_name})


# ------------------------------------------------------------ outbox

@login_required
def outbox_page(request: HttpRequest, slug: str) -> HttpResponse:
    community = enter(request, slug)
    status = request.GET.get("status") or ActionStatus.PENDING
    actions = (OutboxAction.objects.filter(community=community, status=status)
               .select_related("group", "target").order_by("group__name", "created", "id"))
    counts = dict(OutboxAction.objects.filter(community=community).values("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    return render(request, "governance/outbox.html", {
        "community": community, "actions": actions[:300], "status": status,
        "statuses": [(v, label, counts.get(v, 0)) for v, label in ActionStatus.choices],
        "action_labels": ACTION_LABELS, "source_labels": SOURCE_LABELS,
        "may_manage": may_manage(request, community)})


@manager_post
def outbox_finish(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    item = get_object_or_404(OutboxAction, pk=pk, community=community)
    outbox.do_finish_action(actor(request), item, status=request.POST.get("status", "done"),
                            note=request.POST.get("note", ""))
    if request.headers.get("HX-Request"):
        item.refresh_from_db()
        return render(request, "governance/_action.html", {
            "a": item, "may_manage": True, "community": community,
            "action_labels": ACTION_LABELS, "source_labels": SOURCE_LABELS})
    return redirect(request.POST.get("next") or f"/c/{community.slug}/outbox/")


ACTION_LABELS: dict[str, Any] = {
    "post": gettext_lazy("post"), "pin": gettext_lazy("pin as announcement"),
    "delete": gettext_lazy("delete message"), "mute": gettext_lazy("mute"),
    "remove": gettext_lazy("remove from group"), "add": gettext_lazy("add to group"),
    "notify_operator": gettext_lazy("for you"),
}
SOURCE_LABELS: dict[str, Any] = {
    "rule": pgettext_lazy("outbox source", "rule"),
    "onboarding": pgettext_lazy("outbox source", "onboarding"),
    "vote": pgettext_lazy("outbox source", "vote"),
    "elimination": pgettext_lazy("outbox source", "elimination"),
}

KIND_LABELS: dict[str, Any] = {
    "quiet_hours": gettext_lazy("quiet hours (禁言时间)"),
    "hard_ad": gettext_lazy("hard ads (硬广)"),
    "flood": gettext_lazy("flooding (刷屏)"),
    "newcomer_link": gettext_lazy("links from new members"),
    "red_envelope_only": gettext_lazy("red envelopes only"),
    "size_cap": gettext_lazy("group size"),
}
PARAM_LABELS: dict[str, Any] = {
    "start": gettext_lazy("from (local time)"),
    "end": gettext_lazy("until (local time)"),
    "flood_min": gettext_lazy("messages in one night that make a night flood"),
    "exempt_roles": gettext_lazy("roles exempt (one per line)"),
    "warning": gettext_lazy("warning text ({name}, {rule}; empty: the standard sentence)"),
    "mute_minutes": gettext_lazy("mute for (minutes)"),
    "keywords": gettext_lazy("ad keywords (one per line; Traditional and full-width match too)"),
    "allowed_domains": gettext_lazy("allowed web sites (one per line)"),
    "block_links": gettext_lazy("every link counts as an ad"),
    "block_cards": gettext_lazy("mini-program and QR cards count as ads"),
    "repeat_across_groups": gettext_lazy("the same text in this many groups is an ad (0: off)"),
    "repeat_min_length": gettext_lazy("shortest text counted as repeated"),
    "max_messages": gettext_lazy("at most this many messages"),
    "window_s": gettext_lazy("within (seconds)"),
    "repeat_count": gettext_lazy("the same text this many times is flooding (0: off)"),
    "repeat_window_s": gettext_lazy("within (seconds) for repeats"),
    "window_minutes": gettext_lazy("minutes after joining"),
    "min_envelopes": gettext_lazy("red envelopes"),
    "period_days": gettext_lazy("within (days)"),
    "noise_at": gettext_lazy("members above which every message is noise"),
    "split_at_capacity": gettext_lazy("suggest a split when the group is full"),
}
