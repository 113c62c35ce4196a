"""The loader stores events once, tracks names and memberships, and audits each import."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Group, Identity, IdentityName, Membership, Message, Person
from qunzhu.core.events import ChatEvent, MessageKind, Platform
from qunzhu.ingest.load import import_events
from tests.conftest import make_event


def test_events_become_groups_identities_memberships_messages(community, system_actor):
    events = [make_event(0), make_event(1, sender="wxid_b", name="小红"),
              make_event(2, reply_to="m1", mentions=("wxid_b",), text="@小红 同意")]
    summary = import_events(system_actor, community, events, source="unit")
    assert summary.added == 3 and summary.duplicates == 0
    group = Group.objects.get(community=community)
    assert group.name == "测试群"
    assert Identity.objects.filter(community=community).count() == 2
    assert Person.objects.filter(community=community).count() == 2
    assert Membership.objects.filter(group=group).count() == 2
    reply = Message.objects.get(key="m2")
    assert reply.reply_to == Message.objects.get(key="m1")
    assert reply.mentions == [Identity.objects.get(external_id="wxid_b").pk]
    entry = AuditEntry.objects.get(verb="messages.import")
    assert entry.object_repr == "unit" and entry.after["added"] == 3


def test_reimport_adds_nothing(community, system_actor):
    events = [make_event(n, sender=f"wxid_{n % 3}") for n in range(20)]
    import_events(system_actor, community, events)
    again = import_events(system_actor, community, events, batch_size=7)
    assert again.added == 0 and again.duplicates == 20
    assert Message.objects.count() == 20


def test_overlapping_exports_store_each_message_once(community, system_actor):
    first = [make_event(n) for n in range(0, 60)]
    second = [make_event(n) for n in range(40, 100)]
    import_events(system_actor, community, first)
    summary = import_events(system_actor, community, second)
    assert summary.added == 40 and summary.duplicates == 20
    assert Message.objects.count() == 100


def test_without_platform_ids_identical_messages_are_kept_apart(community, system_actor):
    # two "+1" in the same second from the same sender are two messages, not one
    same = [make_event(0, text="+1", message_id=""), make_event(0, text="+1", message_id="")]
    summary = import_events(system_actor, community, same)
    assert summary.added == 2
    assert import_events(system_actor, community, same).added == 0
    assert Message.objects.count() == 2


def test_interrupted_import_rerun_gives_one_clean_import(community, system_actor):
    events = [make_event(n, sender=f"wxid_{n % 5}") for n in range(50)]

    def crash_after_two_batches(events):  # type: ignore[no-untyped-def]
        for n, event in enumerate(events):
            if n == 25:
                raise RuntimeError("killed")
            yield event

    with pytest.raises(RuntimeError):
        import_events(system_actor, community, crash_after_two_batches(events), batch_size=10)
    assert Message.objects.count() == 20  # two whole batches, nothing of the third
    import_events(system_actor, community, events, batch_size=10)
    assert Message.objects.count() == 50
    assert Identity.objects.count() == 5
    assert Membership.objects.count() == 5


def test_rename_keeps_one_identity_and_both_names(community, system_actor):
    events = [make_event(0, name="老王"), make_event(5, name="王老师")]
    import_events(system_actor, community, events)
    identity = Identity.objects.get()
    assert identity.display_name == "王老师"
    assert list(IdentityName.objects.filter(identity=identity).values_list("name", flat=True)) \
        == ["老王", "王老师"]


def test_join_and_leave_update_membership(community, system_actor):
    events = [make_event(0, kind=MessageKind.JOIN, text="阿明加入了群聊"),
              make_event(10, text="大家好"),
              make_event(20, kind=MessageKind.LEAVE, text="阿明退出了群聊")]
    import_events(system_actor, community, events)
    membership = Membership.objects.get()
    assert membership.joined == events[0].timestamp
    assert membership.left == events[2].timestamp
    assert membership.status == "left"


def test_same_chat_in_two_communities_stays_apart(community, other_community, system_actor):
    events = [make_event(n) for n in range(5)]
    import_events(system_actor, community, events)
    import_events(system_actor, other_community, events)
    assert Message.objects.count() == 10
    assert Identity.objects.filter(community=other_community).count() == 1


def test_timestamps_keep_their_instant(community, system_actor):
    berlin = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    event = ChatEvent(platform=Platform.TELEGRAM, group_key="-100", group_name="tg",
                      sender_key="user1", sender_name="Anna", timestamp=berlin, text="hi",
                      message_id="1")
    import_events(system_actor, community, [event])
    assert Message.objects.get().sent_at == berlin


def test_naive_timestamp_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        ChatEvent(platform=Platform.QQ, group_key="g", group_name="g", sender_key="1",
                  sender_name="a", timestamp=datetime(2026, 1, 1))  # noqa: DTZ001
