"""The outbox: every chat-side step a decision needs, waiting for an operator or a bot.

Rules, gates, onboarding, votes and eliminations all end here as
:class:`~qunzhu.core.events.Action` values; this is the single interface between
decisions and platforms. Until a bot adapter executes them, the operator copies the text,
acts on the member, and presses "done".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Identity, Person
from qunzhu.core.events import Action, ActionKind

from .errors import GovernanceError
from .models import ActionStatus, OutboxAction


@dataclass(frozen=True)
class Step:
    """An Action with the rows it concerns already resolved (a group, a person)."""

    action: Action
    group: Group | None = None
    person: Person | None = None
    key: str = ""


def enqueue(actor: Actor, community: Community, steps: Iterable[Step | Action], *,
            source: str, source_ref: str = "") -> list[OutboxAction]:
    """Queue the steps (each at most once per dedupe key); one audit entry per call.

    Called from inside other services' transactions, so a decision and its chat-side steps
    are stored together or not at all.
    """
    groups = {g.external_key: g for g in community.groups.all()}
    created: list[OutboxAction] = []
    for item in steps:
        step = item if isinstance(item, Step) else Step(item)
        action = step.action
        group = step.group or groups.get(action.group_key)
        person = step.person
        if person is None and action.target_sender_key:
            identity = (Identity.objects.filter(community=community,
                                                external_id=action.target_sender_key)
                        .select_related("person").first())
            person = identity.person if identity else None
        if step.key and OutboxAction.objects.filter(community=community,
                                                    key=step.key).exists():
            continue
        created.append(OutboxAction.objects.create(
            community=community, group=group, kind=str(action.kind), text=action.text,
            target=person, target_name=action.target_name or (person.display_name
                                                              if person else ""),
            target_key=action.target_sender_key, message_key=action.message_id,
            duration_s=action.duration_s, reason=action.reason, source=source,
            source_ref=source_ref, key=step.key))
    if created:
        record(actor, "outbox.enqueue", None, community=community, object_type="outbox",
               object_repr=f"{len(created)} × {source}",
               after={"ids": [a.pk for a in created], "source": source, "ref": source_ref})
    return created


def post(actor: Actor, community: Community, group: Group | None, text: str, *,
         reason: str, source: str, source_ref: str = "", key: str = "") -> list[OutboxAction]:
    """Queue one post into ``group`` (None: the operator picks where): the common case of
    reminders, summaries and announcements."""
    action = Action(ActionKind.POST, group.external_key if group else "", text=text,
                    reason=reason)
    return enqueue(actor, community, [Step(action, group=group, key=key)], source=source,
                   source_ref=source_ref)


@transaction.atomic
def do_finish_action(actor: Actor, action: OutboxAction, *, status: str = ActionStatus.DONE,
                     note: str = "") -> OutboxAction:
    """Mark a step done (it happened in the chat) or dismissed (it will not)."""
    action = OutboxAction.objects.select_for_update().get(pk=action.pk)
    if status not in (ActionStatus.DONE, ActionStatus.DISMISSED):
        raise GovernanceError(_("An outbox step can only be marked done or dismissed."))
    if action.status != ActionStatus.PENDING:
        raise GovernanceError(_("This step was already marked %(status)s.")
                              % {"status": action.get_status_display()})
    action.status, action.done, action.done_by = status, timezone.now(), actor.label
    action.save(update_fields=["status", "done", "done_by"])
    record(actor, f"outbox.{status}", action, community=action.community,
           object_repr=f"{action.kind}: {action.text[:80]}", reason=note,
           after={"status": status})
    return action
