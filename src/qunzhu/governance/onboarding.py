"""Onboarding 入群规则 for groups: series naming and the announcement 群公告 built from the
rulebook (the joiner's welcome and self-introduction live in ``gates.onboarding_steps``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record, snapshot
from qunzhu.community.models import Community, Group
from qunzhu.core.events import Action, ActionKind
from qunzhu.core.governance import announcement, next_series_name, render
from qunzhu.core.rules import Rule, RuleKind

from .errors import GovernanceError
from .gates import kit, sample_values
from .outbox import Step, enqueue
from .rulebook import current_rulebook


def _words(values: Any, limit: int = 4) -> str:
    items = list(values or ())
    return "、".join(items[:limit]) + ("…" if len(items) > limit else "")


def rule_line(rule: Rule) -> str:
    """One line a member understands, in the active language."""
    p = rule.params
    if rule.kind == RuleKind.QUIET_HOURS:
        return _("No messages from %(start)s to %(end)s.") % {"start": p.get("start"),
                                                               "end": p.get("end")}
    if rule.kind == RuleKind.HARD_AD:
        return _("No ads: no promotion, QR codes or mini-program cards (e.g. %(words)s).") % {
            "words": _words(p.get("keywords"), 3)}
    if rule.kind == RuleKind.FLOOD:
        return _("No flooding: at most %(n)s messages a minute, no repeated texts.") % {
            "n": p.get("max_messages")}
    if rule.kind == RuleKind.NEWCOMER_LINK:
        return _("New members post no links in their first %(n)s minutes.") % {
            "n": p.get("window_minutes")}
    if rule.kind == RuleKind.RED_ENVELOPE_ONLY:
        return _("Talk, not just red envelopes: members who only send red envelopes are "
                 "asked to join in.")
    if rule.kind == RuleKind.SIZE_CAP:
        return _("Above %(n)s members the group splits into a new group of the series.") % {
            "n": p.get("noise_at")}
    return rule.title


def announcement_text(community: Community, group: Group | None = None,
                      language: str | None = None) -> str:
    k = kit(community, language)
    with translation.override(k.language):
        book = current_rulebook(community)
        rules = [(r.title or r.id, rule_line(r)) for r in book.rules if r.enabled]
        intro = render(k.announcement_intro, sample_values(community, group))
        return announcement(rules, community=community.name, lang=k.language, intro=intro)


@transaction.atomic
def do_publish_announcement(actor: Actor, group: Group) -> list[Any]:
    """Queue the group announcement (pin it), built from the rulebook in force."""
    import hashlib

    text = announcement_text(group.community, group)
    digest = hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
    steps = [Step(Action(ActionKind.PIN, group.external_key, text=text,
                         reason=_("group announcement (群公告) from the rulebook")), group,
                  key=f"group:{group.pk}:announce:{digest}")]
    return enqueue(actor, group.community, steps, source="onboarding",
                   source_ref=f"group:{group.pk}")


def next_name(community: Community, template: str | None = None) -> tuple[int, str]:
    groups = list(community.groups.all())
    template = template or (groups[0].series_template if groups else "{community}{n}群")
    used = [g.series_index for g in groups if g.series_index]
    return next_series_name(template, community.name, used)


@transaction.atomic
def do_open_series_group(actor: Actor, community: Community, *, platform: str,
                         template: str | None = None, like: Group | None = None) -> Group:
    """Plan the next group of the series: its name, its settings (copied from ``like``),
    and the steps to create it and pin its announcement."""
    from qunzhu.core.governance import TemplateError

    try:
        n, name = next_name(community, template or (like.series_template if like else None))
    except TemplateError as exc:
        raise GovernanceError(str(exc)) from exc
    group = Group(community=community, platform=platform, external_key=f"planned-{n}",
                  name=name, series_template=template or (like.series_template if like
                                                          else "{community}{n}群"),
                  series_index=n, capacity=like.capacity if like else 500,
                  active_size=like.active_size if like else 40, split_from=like)
    group.full_clean()
    group.save()
    for gate in (like.gates.all() if like else []):
        group.gates.create(kind=gate.kind, enabled=gate.enabled, settings=gate.settings)
    record(actor, "group.open_series", group, community=community, after=snapshot(group))
    enqueue(actor, community, [Step(Action(
        ActionKind.NOTIFY_OPERATOR, group.external_key,
        text=_("Create the %(platform)s group “%(name)s” and add the managers.")
        % {"platform": group.get_platform_display(), "name": name},
        reason=_("next group of the series")), group, key=f"group:{group.pk}:create")],
        source="onboarding", source_ref=f"group:{group.pk}")
    do_publish_announcement(actor, group)
    return group
