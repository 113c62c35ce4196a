"""A minimal points ledger (append-only) for points-based elimination; the activities
work builds the rules that grant points on top of it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Person

from .errors import GovernanceError
from .models import PointsEntry


@transaction.atomic
def do_grant_points(actor: Actor, person: Person, amount: int, reason: str, *,
                    source: str = "manual", at: datetime | None = None) -> PointsEntry:
    if amount == 0:
        raise GovernanceError(_("A points entry needs an amount other than zero."))
    if not reason.strip():
        raise GovernanceError(_("Say what the points are for."))
    entry = PointsEntry.objects.create(community=person.community, person=person,
                                       amount=amount, reason=reason, source=source,
                                       at=at or timezone.now(), recorded_by=actor.label)
    record(actor, "points.grant", entry, community=person.community,
           object_repr=f"{person} {amount:+d}", after={"amount": amount, "source": source},
           reason=reason)
    return entry


def balance(person: Person) -> int:
    return int(person.points_entries.aggregate(n=Sum("amount"))["n"] or 0)
