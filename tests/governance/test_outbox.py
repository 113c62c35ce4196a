"""The outbox: chat-side steps queued once per dedupe key, finished (done / dismissed) once."""

from __future__ import annotations

import pytest

from qunzhu.audit.log import Actor
from qunzhu.audit.models import AuditEntry
from qunzhu.core.events import Action, ActionKind
from qunzhu.governance.errors import GovernanceError
from qunzhu.governance.models import ActionStatus, OutboxAction
from qunzhu.governance.outbox import Step, do_finish_action, enqueue

from . import add_member, make_group, row_counts


@pytest.fixture
def group(community, system_actor):  # type: ignore[no-untyped-def]
    return make_group(system_actor, community, key="g1@chatroom")


def post(text: str, group_key: str = "g1@chatroom", sender: str = "") -> Action:
    return Action(ActionKind.POST, group_key, text=text, target_sender_key=sender,
                  reason="test")


def test_enqueue_stores_each_step_resolves_group_and_member_and_audits_once(
        community, group, system_actor):
    member = add_member(group, "阿明", external_id="wxid_a").person
    rows = enqueue(system_actor, community, [
        post("hello"),
        Action(ActionKind.MUTE, "g1@chatroom", target_sender_key="wxid_a", duration_s=600,
               reason="flooding", message_id="m9"),
    ], source="rule", source_ref="finding:1")
    assert len(rows) == 2
    hello, mute = OutboxAction.objects.order_by("id")
    assert (hello.kind, hello.text, hello.group, hello.status) == (
        "post", "hello", group, ActionStatus.PENDING)
    assert (mute.kind, mute.target, mute.target_name, mute.duration_s, mute.message_key) == (
        "mute", member, "阿明", 600, "m9")
    entry = AuditEntry.objects.get(verb="outbox.enqueue")
    assert entry.community == community
    assert entry.after == {"ids": [hello.pk, mute.pk], "source": "rule", "ref": "finding:1"}


def test_same_dedupe_key_is_queued_once(community, group, system_actor):
    step = Step(post("welcome"), group, key="admission:1:welcome")
    assert len(enqueue(system_actor, community, [step], source="onboarding")) == 1
    before = row_counts()
    assert enqueue(system_actor, community, [step], source="onboarding") == []
    assert row_counts() == before  # no row and no audit entry for a call that adds nothing
    # a finished step still holds its key: finishing it does not let it be queued again
    do_finish_action(system_actor, OutboxAction.objects.get())
    assert enqueue(system_actor, community, [step], source="onboarding") == []
    assert OutboxAction.objects.count() == 1


def test_steps_without_a_key_are_not_deduplicated(community, group, system_actor):
    enqueue(system_actor, community, [post("pin this")], source="onboarding")
    enqueue(system_actor, community, [post("pin this")], source="onboarding")
    assert OutboxAction.objects.filter(text="pin this").count() == 2


def test_dedupe_keys_are_per_community(community, other_community, group, system_actor):
    other = make_group(system_actor, other_community, key="run@chatroom")
    enqueue(system_actor, community, [Step(post("a"), group, key="k")], source="x")
    enqueue(system_actor, other_community,
            [Step(post("b", "run@chatroom"), other, key="k")], source="x")
    assert OutboxAction.objects.filter(key="k").count() == 2


def test_enqueue_never_resolves_rows_of_another_community(community, other_community,
                                                          group, system_actor):
    other = make_group(system_actor, other_community, key="run@chatroom")
    add_member(other, "跑者", external_id="wxid_runner")
    enqueue(system_actor, community, [post("hi", "run@chatroom", sender="wxid_runner")],
            source="rule")
    row = OutboxAction.objects.get()
    assert row.community == community
    assert row.group is None
    assert row.target is None
    assert row.target_key == "wxid_runner"


def test_done_once(community, group, operator):
    actor = Actor.operator(operator)
    [row] = enqueue(actor, community, [post("hello")], source="onboarding")
    do_finish_action(actor, row, note="posted it")
    row.refresh_from_db()
    assert (row.status, row.done_by) == (ActionStatus.DONE, "alice")
    assert row.done is not None
    entry = AuditEntry.objects.get(verb="outbox.done")
    assert (entry.reason, entry.after, entry.object_id) == (
        "posted it", {"status": "done"}, str(row.pk))
    before = row_counts()
    for status in (ActionStatus.DONE, ActionStatus.DISMISSED):
        with pytest.raises(GovernanceError, match="already marked done"):
            do_finish_action(actor, row, status=status)
    assert row_counts() == before
    assert OutboxAction.objects.get(pk=row.pk).status == ActionStatus.DONE


def test_dismissed_once(community, group, system_actor):
    [row] = enqueue(system_actor, community, [post("hello")], source="rule")
    do_finish_action(system_actor, row, status=ActionStatus.DISMISSED, note="not needed")
    assert OutboxAction.objects.get(pk=row.pk).status == ActionStatus.DISMISSED
    assert AuditEntry.objects.filter(verb="outbox.dismissed").count() == 1
    with pytest.raises(GovernanceError, match="already marked dismissed"):
        do_finish_action(system_actor, row, status=ActionStatus.DISMISSED)


def test_finish_needs_done_or_dismissed(community, group, system_actor):
    [row] = enqueue(system_actor, community, [post("hello")], source="rule")
    before = row_counts()
    with pytest.raises(GovernanceError, match="done or dismissed"):
        do_finish_action(system_actor, row, status=ActionStatus.PENDING)
    assert row_counts() == before
    assert OutboxAction.objects.get(pk=row.pk).status == ActionStatus.PENDING


def test_two_operators_finishing_the_same_step_count_once(community, group, system_actor):
    """Two browser tabs hold the same pending step; the second press must be refused,
    not overwrite the first one's decision."""
    [row] = enqueue(system_actor, community, [post("hello")], source="rule")
    first, second = OutboxAction.objects.get(pk=row.pk), OutboxAction.objects.get(pk=row.pk)
    do_finish_action(Actor.system("tab 1"), first)
    with pytest.raises(GovernanceError):
        do_finish_action(Actor.system("tab 2"), second, status=ActionStatus.DISMISSED)
    row.refresh_from_db()
    assert (row.status, row.done_by) == (ActionStatus.DONE, "tab 1")
    assert AuditEntry.objects.filter(verb__startswith="outbox.d").count() == 1
