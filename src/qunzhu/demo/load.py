"""Load the demo community into the database through the same path importers use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction
from django.utils import timezone

from qunzhu.audit.log import Actor, record
from qunzhu.community.actions import do_create_community, do_create_group, do_delete_community
from qunzhu.community.models import Community, Identity, Membership, Person
from qunzhu.ingest.load import ImportSummary, import_events

from .generator import DemoCommunity, generate_demo

DEMO_SLUG = "reading-club"


class DemoExists(Exception):
    """The demo community is already there and --reset was not given."""


def demo_exists() -> bool:
    return Community.objects.filter(slug=DEMO_SLUG).exists()


def load_demo(actor: Actor, *, end: date, seed: int = 2026, reset: bool = False,
              on_start: Callable[[int], None] | None = None,
              on_progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Generate the reading-club demo ending on ``end`` and store it.

    With ``reset`` an existing demo community is deleted first (audited).
    """
    existing = Community.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        if not reset:
            raise DemoExists(DEMO_SLUG)
        do_delete_community(actor, existing, reason="demo --reset")
    demo = generate_demo(end, seed=seed)
    # the generator fills the whole last day; a demo ending today must not talk in the future
    now = timezone.now()
    events = [e for e in demo.events if e.timestamp <= now]
    if on_start is not None:
        on_start(len(events))
    community = _create_community(actor, demo)
    summary = import_events(actor, community, events, source=f"demo seed={seed}",
                            on_progress=on_progress)
    _apply_profiles(actor, community, demo)
    from .governance import seed_governance

    seed_governance(actor, community)
    from .activities import seed_activities

    seed_activities(actor, community)
    return summary


def _create_community(actor: Actor, demo: DemoCommunity) -> Community:
    with transaction.atomic():
        community = do_create_community(
            actor, name=demo.name, slug=demo.slug, purpose=demo.purpose,
            interest_tags=list(demo.tags), shape="ring", management_mode="sub_groups",
            maturity="trust", time_zone="Asia/Shanghai",
            pain_point="一个人读书难坚持，读完没人交流",
            offer="每周共读一本书，每月一次线上分享会，21天阅读打卡",
            reward_carrier="打卡积分兑换新书、读书笔记模板",
            mutual_benefit="书友互相推荐好书，分享者获得曝光与反馈")
        for index, group in enumerate(demo.groups, start=1):
            do_create_group(actor, community, name=group.name, platform="wechat",
                            external_key=group.key, series_index=index, opened=group.opened,
                            series_template="{community}{n}群")
    return community


@transaction.atomic
def _apply_profiles(actor: Actor, community: Community, demo: DemoCommunity) -> None:
    """Roles, interests and skills the generator planned, in bulk; one audit entry."""
    identities = {i.external_id: i for i in Identity.objects.filter(community=community)}
    people: dict[int, Person] = {}
    memberships = {(m.person_id, m.group.external_key): m for m in
                   Membership.objects.filter(group__community=community).select_related("group")}
    changed: list[Membership] = []
    for group in demo.groups:
        for member in group.members:
            identity = identities.get(member.key)
            if identity is None:
                continue  # planned but never joined or spoke before the demo's end
            person = people.setdefault(identity.person_id, Person(pk=identity.person_id))
            person.interest_tags = list(member.interest_tags)
            person.skills = list(member.skills)
            person.needs = list(member.needs)
            membership = memberships.get((identity.person_id, group.key))
            if membership is not None and member.roles:
                membership.roles = sorted(set(member.roles))
                changed.append(membership)
    Person.objects.bulk_update(list(people.values()), ["interest_tags", "skills", "needs"])
    Membership.objects.bulk_update(changed, ["roles"])
    record(actor, "demo.profiles", community, community=community,
           after={"people": len(people), "memberships_with_roles": len(changed)})


def demo_member_code() -> tuple[str, str]:
    """A one-time portal sign-in code for the demo's most talkative member of its first
    group (so whoever ran ``qunzhu up`` can try the member portal at once)."""
    from django.db.models import Count

    from qunzhu.portal.services import do_issue_code

    community = Community.objects.get(slug=DEMO_SLUG)
    first = community.groups.order_by("series_index", "pk").first()
    person = (Person.objects.filter(memberships__group=first)
              .annotate(n=Count("identities__messages")).order_by("-n", "pk").first())
    if person is None:
        raise DemoExists(DEMO_SLUG)
    return person.display_name, do_issue_code(Actor.system("qunzhu up"), person)
