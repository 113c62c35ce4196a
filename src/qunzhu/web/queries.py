"""Read-side queries behind the console pages (no state changes here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from qunzhu.community.models import Community, Group, Membership, Message
from qunzhu.core.events import NON_SPEECH_KINDS
from qunzhu.core.text import fold

SPEECH = ~Q(kind__in=[k.value for k in NON_SPEECH_KINDS])


@dataclass
class GroupRow:
    group: Group
    messages: int
    active_7d: int
    members: int
    last_message: datetime | None


def group_overview(community: Community, now: datetime | None = None) -> list[GroupRow]:
    """Every group with its message count, active senders in the last 7 days, last message."""
    now = now or timezone.now()
    groups = list(community.groups.all())
    totals = {row["group"]: row for row in Message.objects.filter(group__community=community)
              .values("group").annotate(n=Count("id"), last=Max("sent_at"))}
    active = dict(Message.objects.filter(group__community=community,
                                         sent_at__gte=now - timedelta(days=7))
                  .filter(SPEECH).values("group")
                  .annotate(n=Count("identity", distinct=True)).values_list("group", "n"))
    members = dict(Membership.objects.filter(group__community=community, left__isnull=True)
                   .values("group").annotate(n=Count("id")).values_list("group", "n"))
    return [GroupRow(group=g, messages=totals.get(g.pk, {}).get("n", 0),
                     active_7d=active.get(g.pk, 0), members=members.get(g.pk, 0),
                     last_message=totals.get(g.pk, {}).get("last"))
            for g in groups]


def group_messages(group: Group, query: str = "") -> QuerySet[Message]:
    """The group's timeline, newest first, optionally filtered by a folded text search."""
    messages = (Message.objects.filter(group=group)
                .select_related("identity", "reply_to__identity")
                .order_by("-sent_at", "-id"))
    if query.strip():
        for term in fold(query).split():
            # text_folded is empty where folding changes nothing (see core.text.stored_fold)
            messages = messages.filter(Q(text_folded__contains=term)
                                       | Q(text_folded="", text__contains=term))
    return messages


def group_members(group: Group) -> QuerySet[Membership]:
    return (Membership.objects.filter(group=group).select_related("person")
            .annotate(message_count=Count("person__identities__messages",
                                          filter=Q(person__identities__messages__group=group)))
            .order_by("-message_count", "person__display_name"))
