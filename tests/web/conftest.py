from __future__ import annotations

import pytest

from qunzhu.community.models import Group, Person
from qunzhu.ingest.load import import_events
from tests.conftest import make_event


@pytest.fixture
def chat(community, system_actor):  # type: ignore[no-untyped-def]
    """A small imported group: 120 messages by three people, one of them renamed."""
    events = [make_event(n, sender=f"wxid_{n % 3}", name=["阿明", "小红", "老王"][n % 3],
                         text="今天读完了《三体》" if n == 7 else None)
              for n in range(120)]
    events.append(make_event(200, sender="wxid_2", name="王老师", text="改个名字"))
    import_events(system_actor, community, events)
    group = Group.objects.get(community=community)
    return group


@pytest.fixture
def other_chat(other_community, system_actor):  # type: ignore[no-untyped-def]
    events = [make_event(n, group="run@chatroom", group_name="跑步1群", sender="wxid_run",
                         name="跑者", text="今天跑了10公里") for n in range(5)]
    import_events(system_actor, other_community, events)
    group = Group.objects.get(community=other_community)
    return group, Person.objects.get(community=other_community)
