"""Builders shared by the governance tests: groups, members, messages, row counts.

Plain functions, not fixtures, so each test file says which world it builds. Times are
simulated through the services' ``now=`` parameters and start from :func:`base_time`, a
local midnight some days *ahead* of the real clock: a few services compare with the real
clock (an invite's expiry when it is created, the first rulebook's date), and those checks
must agree with the simulated time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Model
from django.utils import timezone

from qunzhu.audit.log import Actor
from qunzhu.audit.models import AuditEntry
from qunzhu.community.actions import do_create_group
from qunzhu.community.models import Community, Group, Identity, Membership, Message, Person
from qunzhu.core.text import fold
from qunzhu.governance import models as gov

SHANGHAI = ZoneInfo("Asia/Shanghai")
_keys = itertools.count(1)


def base_time(days_ahead: int = 30) -> datetime:
    """Midnight in Shanghai ``days_ahead`` days from today (the simulated "day 0")."""
    today = timezone.now().astimezone(SHANGHAI).date() + timedelta(days=days_ahead)
    return datetime(today.year, today.month, today.day, tzinfo=SHANGHAI)


def make_group(actor: Actor, community: Community, name: str = "1群", key: str = "g1",
               platform: str = "wechat") -> Group:
    return do_create_group(actor, community, name=name, platform=platform, external_key=key)


def add_member(group: Group, name: str, *, roles: Iterable[str] = ("participant",),
               joined: datetime | None = None, external_id: str = "") -> Membership:
    """A person with one identity on the group's platform and an active membership."""
    person = Person.objects.create(community=group.community, display_name=name)
    Identity.objects.create(community=group.community, person=person, platform=group.platform,
                            external_id=external_id or f"id-{group.community_id}-{name}",
                            display_name=name)
    return Membership.objects.create(person=person, group=group, roles=list(roles),
                                     joined=joined or base_time() - timedelta(days=60))


def join(group: Group, person: Person, *, roles: Iterable[str] = ("participant",),
         joined: datetime | None = None) -> Membership:
    """An existing person also becomes a member of ``group``."""
    return Membership.objects.create(person=person, group=group, roles=list(roles),
                                     joined=joined or base_time() - timedelta(days=60))


def post(group: Group, person: Person, text: str, at: datetime,
         kind: str = "text") -> Message:
    """A stored message of ``person`` (their first identity) in ``group`` at ``at``."""
    identity = person.identities.order_by("pk").first()
    return Message.objects.create(group=group, identity=identity, sent_at=at, kind=kind,
                                  text=text, text_folded=fold(text), key=f"t{next(_keys)}")


def verbs(community: Community | None = None) -> list[str]:
    """The audit verbs written so far (oldest first)."""
    query = AuditEntry.objects.all()
    if community is not None:
        query = query.filter(community=community)
    return list(query.order_by("id").values_list("verb", flat=True))


TRACKED: tuple[type[Model], ...] = (
    AuditEntry, Person, Identity, Membership, Message, gov.Invite, gov.GroupGate,
    gov.Admission, gov.AdmissionNote, gov.Payment, gov.OnboardingKit, gov.RulebookVersion,
    gov.Finding, gov.Strike, gov.Enforcement, gov.RemovalProposal, gov.RemovalCandidate,
    gov.Proposal, gov.Ballot, gov.PointsEntry, gov.OutboxAction,
)


def row_counts() -> dict[str, int]:
    """How many rows each table holds: equal before and after means nothing was written."""
    return {model.__name__: model.objects.count() for model in TRACKED}


def membership_state() -> list[tuple[int, str]]:
    return list(Membership.objects.order_by("pk").values_list("pk", "status"))


#: a quick voting policy for tests: one day of discussion, two of voting, 40 % quorum
VOTING = {"discussion_hours": 24, "voting_hours": 48, "quorum": 0.4, "majority": 0.5}


def rulebook_data(*, enable: Iterable[str] = (), voting: dict[str, object] | None = None,
                  strikes: dict[str, object] | None = None,
                  params: dict[str, dict[str, object]] | None = None) -> dict[str, object]:
    """qunzhu's default rulebook as data, with some rules enabled and policies changed."""
    from qunzhu.core.rules import default_rulebook

    data = default_rulebook().to_data()
    on = set(enable)
    for rule in data["rules"]:
        rule["enabled"] = rule["id"] in on
        rule["params"].update((params or {}).get(rule["id"], {}))
    data["voting"].update(VOTING if voting is None else voting)
    data["strikes"].update(strikes or {})
    return data


def pass_rules(community: Community, data: dict[str, object], voters: Iterable[Person],
               at: datetime, title: str = "turn rules on") -> tuple[gov.Proposal, datetime]:
    """Propose ``data`` at ``at``, every voter says yes once voting opens, and the vote
    closes early (everyone voted). Returns the proposal and the closing time, which is
    when the new rulebook version takes effect. Needs a rulebook adopted with
    :data:`VOTING`."""
    from qunzhu.governance.votes import do_cast_vote, do_close, do_propose_rules

    actor = Actor.system("test")
    proposal = do_propose_rules(actor, community, title=title, reason="tests", data=data,
                                now=at)
    opens = proposal.voting_opens
    for person in voters:
        do_cast_vote(actor, proposal, person, "yes", now=opens + timedelta(minutes=10))
    closed_at = opens + timedelta(minutes=20)
    return do_close(actor, proposal, now=closed_at), closed_at
