"""Points, badges and privileges: the community's points policy, automatic grants for
real participation (each granted once, by key), spending, leaderboards per group and
period, badges evaluated from members' records, and privileges as data.

The ledger is ``governance.PointsEntry`` (append-only): points-based elimination reads it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, MembershipStatus, Person
from qunzhu.core.activities import points as core
from qunzhu.governance.models import Admission, AdmissionStatus, PointsEntry
from qunzhu.governance.points import balance as balance  # one ledger, one sum

from .errors import ActivityError
from .models import (
    Badge,
    BadgeAward,
    CheckIn,
    Enrolment,
    PointsPolicy,
    Privilege,
    PrivilegeKind,
    Review,
    Session,
    SessionStatus,
    Submission,
)

#: names of the default badges, translated when a community's badges are first created
BADGE_NAMES = {
    "finisher": (gettext_noop("Challenge finisher"),
                 gettext_noop("Finished a check-in challenge, every day.")),
    "sharer": (gettext_noop("Speaker"), gettext_noop("Gave a sharing session.")),
    "top_sharer": (gettext_noop("Top sharer"), gettext_noop("Gave three sharing sessions.")),
    "diligent": (gettext_noop("Diligent learner"), gettext_noop("Handed in five homeworks.")),
    "excellent": (gettext_noop("Excellent work"), gettext_noop("Homework picked as excellent.")),
    "connector": (gettext_noop("Connector"), gettext_noop("Brought three friends who joined.")),
}


def policy(community: Community) -> dict[str, int]:
    """Points per act: the community's policy over the defaults."""
    stored = PointsPolicy.objects.filter(community=community).values_list("amounts",
                                                                          flat=True).first()
    return {act: core.amount(stored or {}, act) for act in core.DEFAULT_POINTS}


@transaction.atomic
def do_set_policy(actor: Actor, community: Community, amounts: dict[str, Any]) -> PointsPolicy:
    try:
        clean = core.check_policy(amounts)
    except ValueError as exc:
        raise ActivityError(str(exc)) from exc
    before = policy(community)
    row, _created = PointsPolicy.objects.update_or_create(
        community=community, defaults={"amounts": clean, "updated": timezone.now()})
    record(actor, "points.policy", row, community=community, object_repr=community.name,
           before=before, after=policy(community))
    return row


def _grants(community: Community, key: str) -> tuple[str | None, int]:
    """The grant under ``key`` that still stands (None: none, or every one was undone),
    and how many grants there were. A grant undone and earned again (a check-in removed,
    then recorded once more) is ``key:r1``, ``key:r2`` …; undoing one writes ``…:undo``."""
    keys = set(PointsEntry.objects.filter(community=community).filter(
        Q(key=key) | Q(key__startswith=f"{key}:")).values_list("key", flat=True))
    grants = sorted((k for k in keys if not k.endswith(":undo")),
                    key=lambda k: (len(k), k))
    live = next((k for k in reversed(grants) if f"{k}:undo" not in keys), None)
    return live, len(grants)


def award(actor: Actor, person: Person, act: str, *, key: str, reason: str,
          at: datetime | None = None) -> PointsEntry | None:
    """Grant the points ``act`` earns under the community's policy, once per ``key``
    (again only after the earlier grant was undone). Nothing is written when the act earns
    no points or is already granted."""
    amount = policy(person.community)[act]
    if amount == 0:
        return None
    live, earlier = _grants(person.community, key)
    if live is not None:
        return None
    grant_key = key if earlier == 0 else f"{key}:r{earlier}"
    entry = PointsEntry.objects.create(community=person.community, person=person,
                                       amount=amount, reason=reason[:200], source=act,
                                       at=at or timezone.now(), recorded_by=actor.label,
                                       key=grant_key)
    record(actor, "points.grant", entry, community=person.community,
           object_repr=f"{person} {amount:+d}", after={"amount": amount, "source": act,
                                                       "key": grant_key}, reason=reason)
    return entry


def revoke(actor: Actor, person: Person, key: str, reason: str) -> PointsEntry | None:
    """Undo an automatic grant by a correcting entry (the ledger is append-only)."""
    live, _count = _grants(person.community, key)
    if live is None:
        return None
    granted = PointsEntry.objects.get(community=person.community, key=live)
    entry = PointsEntry.objects.create(community=person.community, person=person,
                                       amount=-granted.amount, reason=reason[:200],
                                       source=granted.source, recorded_by=actor.label,
                                       key=f"{live}:undo")
    record(actor, "points.revoke", entry, community=person.community,
           object_repr=f"{person} {-granted.amount:+d}", reason=reason)
    return entry


@transaction.atomic
def do_spend(actor: Actor, person: Person, cost: int, reason: str) -> PointsEntry:
    """A member spends points (a privilege, a prize); never below zero."""
    have = balance(Person.objects.select_for_update().get(pk=person.pk))
    if not core.spendable(have, cost):
        raise ActivityError(_("%(name)s has %(have)d points; spending %(cost)d is not possible.")
                            % {"name": person.display_name, "have": have, "cost": cost})
    if not reason.strip():
        raise ActivityError(_("Say what the points are spent on."))
    entry = PointsEntry.objects.create(community=person.community, person=person,
                                       amount=-cost, reason=reason[:200], source="spend",
                                       recorded_by=actor.label)
    record(actor, "points.spend", entry, community=person.community,
           object_repr=f"{person} {-cost:+d}", reason=reason)
    return entry


@dataclass(frozen=True)
class Standing:
    person: Person
    points: int
    badges: list[str]


def leaderboard(community: Community, *, group: Group | None = None,
                since: datetime | None = None, until: datetime | None = None,
                limit: int = 20) -> list[tuple[Person, int]]:
    """Members by points earned in the period (spending does not lower a rank)."""
    entries = PointsEntry.objects.filter(community=community, amount__gt=0)
    if group is not None:
        entries = entries.filter(person__memberships__group=group,
                                 person__memberships__status=MembershipStatus.ACTIVE)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    rows = list(entries.values("person").annotate(n=Sum("amount")).order_by("-n", "person")
                .values_list("person", "n")[:limit])
    people = Person.objects.in_bulk([p for p, _n in rows])
    return [(people[p], int(n)) for p, n in rows]


# --------------------------------------------------------------------------- badges

def ensure_badges(community: Community) -> list[Badge]:
    """The default badges, created once per community."""
    for rule in core.DEFAULT_BADGES:
        name, description = BADGE_NAMES[rule.code]
        Badge.objects.get_or_create(community=community, code=rule.code, defaults={
            "name": _(name), "description": _(description), "metric": rule.metric,
            "at_least": rule.at_least})
    return list(community.badges.all())


def stats(community: Community, people: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Every metric badges can be earned by, per person."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(core.METRICS, 0))

    def add(metric: str, rows: Any) -> None:
        for person, n in rows:
            if people is None or person in people:
                out[person][metric] = int(n or 0)

    add("points", PointsEntry.objects.filter(community=community, amount__gt=0)
        .values("person").annotate(n=Sum("amount")).values_list("person", "n"))
    add("checkins", CheckIn.objects.filter(challenge__community=community)
        .values("person").annotate(n=Count("id")).values_list("person", "n"))
    add("challenges_completed", Enrolment.objects.filter(
        challenge__community=community, completed__isnull=False)
        .values("person").annotate(n=Count("id")).values_list("person", "n"))
    add("shares", Session.objects.filter(series__community=community,
                                         status=SessionStatus.HELD, speaker__isnull=False)
        .values("speaker").annotate(n=Count("id")).values_list("speaker", "n"))
    add("submissions", Submission.objects.filter(assignment__community=community)
        .exclude(review=Review.REDO)
        .values("person").annotate(n=Count("id")).values_list("person", "n"))
    add("featured", Submission.objects.filter(assignment__community=community, featured=True)
        .values("person").annotate(n=Count("id")).values_list("person", "n"))
    add("referrals", Admission.objects.filter(community=community,
                                              status=AdmissionStatus.APPROVED,
                                              inviter__isnull=False)
        .values("inviter").annotate(n=Count("id")).values_list("inviter", "n"))
    return dict(out)


def evaluate_badges(actor: Actor, community: Community,
                    people: list[int] | None = None) -> list[BadgeAward]:
    """Award every badge whose criteria a member now meets (badges are never taken back
    automatically: an operator may, with a reason)."""
    badges = [b for b in ensure_badges(community) if b.active]
    rules = []
    for badge in badges:
        try:
            rules.append((badge, core.BadgeRule(badge.code, badge.metric, badge.at_least)))
        except ValueError:
            continue
    have = set(BadgeAward.objects.filter(badge__community=community)
               .values_list("badge_id", "person_id"))
    awarded: list[BadgeAward] = []
    for person_id, record_ in stats(community, people).items():
        for badge, rule in rules:
            if (badge.pk, person_id) in have or not core.earned([rule], record_):
                continue
            awarded.append(BadgeAward.objects.create(
                badge=badge, person_id=person_id,
                reason=f"{badge.metric} {record_[badge.metric]} ≥ {badge.at_least}"))
    if awarded:
        record(actor, "badges.award", None, community=community, object_type="badge",
               object_repr=f"{len(awarded)} badges",
               after={"awards": [[a.badge.code, a.person_id] for a in awarded]})
    return awarded


@transaction.atomic
def do_save_badge(actor: Actor, community: Community, *, code: str, name: str, metric: str,
                  at_least: int, description: str = "") -> Badge:
    try:
        core.BadgeRule(code, metric, at_least)
    except ValueError as exc:
        raise ActivityError(str(exc)) from exc
    if not name.strip():
        raise ActivityError(_("A badge needs a name."))
    badge, created = Badge.objects.update_or_create(
        community=community, code=code,
        defaults={"name": name.strip(), "metric": metric, "at_least": at_least,
                  "description": description.strip(), "active": True})
    record(actor, "badge.create" if created else "badge.update", badge, community=community,
           after={"metric": metric, "at_least": at_least})
    evaluate_badges(actor, community)
    return badge


@transaction.atomic
def do_save_privilege(actor: Actor, community: Community, *, name: str, kind: str,
                      description: str = "", badge: Badge | None = None,
                      min_points: int | None = None) -> Privilege:
    if not name.strip():
        raise ActivityError(_("A privilege needs a name."))
    if kind not in PrivilegeKind.values:
        raise ActivityError(_("Unknown kind of privilege %(kind)s.") % {"kind": kind})
    if badge is None and not min_points:
        raise ActivityError(_("Say who qualifies: a badge, a number of points, or both."))
    privilege = Privilege.objects.create(community=community, name=name.strip(), kind=kind,
                                         description=description.strip(), badge=badge,
                                         min_points=min_points or None)
    record(actor, "privilege.create", privilege, community=community,
           after={"kind": kind, "badge": badge.code if badge else None,
                  "min_points": min_points})
    return privilege


def privileges_of(person: Person) -> list[Privilege]:
    """The privileges a member qualifies for now."""
    points = balance(person)
    badges = set(BadgeAward.objects.filter(person=person).values_list("badge_id", flat=True))
    return [p for p in Privilege.objects.filter(community=person.community, active=True)
            if (p.badge_id is None or p.badge_id in badges)
            and (not p.min_points or points >= p.min_points)]


def standings(community: Community, people: list[Person]) -> list[Standing]:
    ids = [p.pk for p in people]
    points = dict(PointsEntry.objects.filter(person__in=ids).values("person")
                  .annotate(n=Sum("amount")).values_list("person", "n"))
    badges: dict[int, list[str]] = defaultdict(list)
    for person, name in (BadgeAward.objects.filter(person__in=ids)
                         .values_list("person", "badge__name")):
        badges[person].append(name)
    return [Standing(p, int(points.get(p.pk) or 0), badges[p.pk]) for p in people]

