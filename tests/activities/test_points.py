"""Points policy, ledger sums, spending, leaderboards per group and period, badges and
privileges."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qunzhu.activities import points
from qunzhu.activities.errors import ActivityError
from qunzhu.activities.models import BadgeAward, PrivilegeKind
from qunzhu.governance.models import PointsEntry
from qunzhu.governance.points import do_grant_points
from tests.governance import add_member, join, make_group

pytestmark = pytest.mark.django_db


def test_the_policy_overrides_defaults_and_refuses_bad_numbers(actor, community):
    assert points.policy(community)["share"] == 20
    points.do_set_policy(actor, community, {"share": "35"})
    assert points.policy(community)["share"] == 35
    with pytest.raises(ActivityError, match="negative"):
        points.do_set_policy(actor, community, {"share": -3})
    with pytest.raises(ActivityError, match="unknown act"):
        points.do_set_policy(actor, community, {"likes": 1})
    assert points.policy(community)["share"] == 35


def test_awards_are_granted_once_per_key_and_sum_in_the_ledger(actor, community, group):
    amy = add_member(group, "小美").person
    assert points.award(actor, amy, "share", key="s1", reason="talk") is not None
    assert points.award(actor, amy, "share", key="s1", reason="talk") is None
    points.do_set_policy(actor, community, {"chain": 0})
    assert points.award(actor, amy, "chain", key="c1", reason="接龙") is None
    do_grant_points(actor, amy, 7, "helped a newcomer")
    assert points.balance(amy) == 27
    assert PointsEntry.objects.filter(person=amy).count() == 2
    points.do_spend(actor, amy, 20, "member price")
    assert points.balance(amy) == 7
    with pytest.raises(ActivityError, match="has 7 points"):
        points.do_spend(actor, amy, 8, "too much")


def test_leaderboards_per_group_and_period(actor, community, system_actor, group):
    other = make_group(system_actor, community, name="2群", key="g2")
    amy = add_member(group, "小美").person
    bo = add_member(other, "阿博").person
    join(other, amy)
    now = timezone.now()
    do_grant_points(actor, amy, 5, "a", at=now - timedelta(days=40))
    do_grant_points(actor, amy, 3, "b", at=now - timedelta(days=1))
    do_grant_points(actor, bo, 6, "c", at=now - timedelta(days=2))
    points.do_spend(actor, bo, 6, "gift")  # spending does not lower a rank
    board = points.leaderboard(community)
    assert [(p.display_name, n) for p, n in board] == [("小美", 8), ("阿博", 6)]
    month = points.leaderboard(community, since=now - timedelta(days=30))
    assert [(p.display_name, n) for p, n in month] == [("阿博", 6), ("小美", 3)]
    first = points.leaderboard(community, group=group)
    assert [p.display_name for p, _n in first] == ["小美"]


def test_badges_follow_the_record_and_privileges_follow_badges(actor, community, group):
    amy = add_member(group, "小美").person
    points.ensure_badges(community)
    badge = points.do_save_badge(actor, community, code="rich", name="积分达人",
                                 metric="points", at_least=10)
    with pytest.raises(ActivityError, match="unknown metric"):
        points.do_save_badge(actor, community, code="x", name="x", metric="likes", at_least=1)
    privilege = points.do_save_privilege(actor, community, name="会员价",
                                         kind=PrivilegeKind.MEMBER_PRICE, badge=badge)
    with pytest.raises(ActivityError, match="who qualifies"):
        points.do_save_privilege(actor, community, name="x", kind=PrivilegeKind.OTHER)
    assert points.privileges_of(amy) == []
    do_grant_points(actor, amy, 12, "helped")
    awarded = points.evaluate_badges(actor, community)
    assert [(a.badge.code, a.person_id) for a in awarded] == [("rich", amy.pk)]
    assert points.evaluate_badges(actor, community) == []
    assert points.privileges_of(amy) == [privilege]
    assert BadgeAward.objects.filter(person=amy).count() == 1
