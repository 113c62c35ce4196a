from __future__ import annotations

import pytest

from qunzhu.audit.models import AuditEntry
from qunzhu.community.actions import do_merge_people
from qunzhu.community.merges import merge_suggestions
from qunzhu.community.models import Identity, Membership, Person
from qunzhu.core.events import ChatEvent, Platform
from qunzhu.ingest.load import import_events
from tests.conftest import make_event


@pytest.fixture
def two_accounts(community, system_actor):  # type: ignore[no-untyped-def]
    events = [make_event(0, sender="wxid_wang", name="读书老王", group="a@chatroom"),
              make_event(1, sender="wxid_hong", name="小红", group="a@chatroom"),
              make_event(2, sender="wxid_hong", name="小红", group="b@chatroom")]
    tg = ChatEvent(platform=Platform.TELEGRAM, group_key="-100", group_name="TG",
                   sender_key="user7", sender_name="讀書老王", timestamp=events[0].timestamp,
                   text="hi", message_id="1")
    import_events(system_actor, community, [*events, tg])
    return (Identity.objects.get(external_id="wxid_wang").person,
            Identity.objects.get(external_id="user7").person)


def test_suggestion_found_across_platforms(community, two_accounts):
    suggestions = merge_suggestions(community)
    assert [set(s.person_ids) for s in suggestions] == [{p.pk for p in two_accounts}]


def test_merge_moves_identities_and_memberships_and_is_audited(community, two_accounts,
                                                               system_actor):
    keep, other = two_accounts
    do_merge_people(system_actor, keep, other, reason="same person")
    assert not Person.objects.filter(pk=other.pk).exists()
    assert set(keep.identities.values_list("platform", flat=True)) == {"wechat", "telegram"}
    assert Membership.objects.filter(person=keep).count() == 2
    entry = AuditEntry.objects.get(verb="person.merge")
    assert entry.reason == "same person"
    assert entry.before["identities"] == ["user7"]
    assert merge_suggestions(community) == []


def test_merging_two_members_of_one_group_keeps_one_membership(community, system_actor):
    events = [make_event(0, sender="wxid_1", name="甲"), make_event(5, sender="wxid_2", name="乙")]
    import_events(system_actor, community, events)
    a = Identity.objects.get(external_id="wxid_1").person
    b = Identity.objects.get(external_id="wxid_2").person
    do_merge_people(system_actor, a, b)
    membership = Membership.objects.get(person=a)
    assert membership.joined == events[0].timestamp
    assert Membership.objects.count() == 1


def test_people_of_two_communities_cannot_be_merged(community, other_community, system_actor):
    a = Person.objects.create(community=community, display_name="a")
    b = Person.objects.create(community=other_community, display_name="a")
    with pytest.raises(ValueError):
        do_merge_people(system_actor, a, b)
