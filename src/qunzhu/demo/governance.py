"""Governance in the demo: a rulebook, gates, invites, a few joiners waiting for review
and an open vote, so that every governance page has something real to show.

Everything goes through the governance services (and so into the audit log), exactly as
an operator's clicks would.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from qunzhu.audit.log import Actor
from qunzhu.community.models import Community, Gate, MembershipStatus, Role
from qunzhu.governance import gates, rulebook, votes
from qunzhu.governance.models import Channel


def seed_governance(actor: Actor, community: Community) -> None:
    groups = list(community.groups.order_by("series_index", "pk"))
    if not groups:
        return
    first = groups[0]
    rulebook.do_adopt_rulebook(actor, community, reason="demo")
    gates.do_set_gate(actor, first, Gate.INVITATION)
    gates.do_set_gate(actor, first, Gate.APPLICATION)
    gates.do_set_gate(actor, first, Gate.RECOMMENDATION, settings={"min_standing": 40})
    if len(groups) > 1:
        gates.do_set_gate(actor, groups[1], Gate.PAID, settings={"fee_cents": 9900})
        gates.do_set_gate(actor, groups[1], Gate.TASK, settings={"tasks": [
            {"id": "book", "kind": "answer", "prompt": "最近读完的一本书，写一句读后感",
             "min_length": 10}]})
    managers = [m.person for m in first.memberships.select_related("person")
                if Role.MANAGER in m.roles or Role.CREATOR in m.roles]
    active = [m.person for m in first.memberships.filter(status=MembershipStatus.ACTIVE)
              .select_related("person")[:40]]
    inviter = managers[0] if managers else (active[0] if active else None)
    gates.do_create_invite(actor, community, group=first, inviter=inviter,
                           channel=Channel.MEMBER)
    gates.do_create_invite(actor, community, channel=Channel.OFFLINE,
                           channel_detail="书店收银台二维码", max_uses=200)
    for name, why, interests in (("林小满", "想找人一起读《百年孤独》", "文学, 拉美小说"),
                                 ("Kevin Zhou", "Looking for a reading buddy", "history")):
        gates.do_submit(actor, first, Gate.APPLICATION, name=name,
                        answers={"why": why, "interests": interests})
    # an open vote: switch on the ad rule and quiet hours
    book = rulebook.current_rulebook(community).to_data()
    for rule in book["rules"]:
        if rule["id"] in ("hard-ads", "quiet-hours"):
            rule["enabled"] = True
    started = timezone.now() - timedelta(hours=50)
    proposal = votes.do_propose_rules(
        actor, community, title="开启广告和夜间禁言规则",
        reason="上个月群里的广告和深夜刷屏越来越多，先用预览看过效果再开启。", data=book,
        author=inviter, now=started)
    voters = votes.eligible(community)
    for i, person_id in enumerate(voters[:12]):
        person = community.people.get(pk=person_id)
        votes.do_cast_vote(actor, proposal, person, "no" if i % 4 == 3 else "yes",
                           now=started + timedelta(hours=49))
