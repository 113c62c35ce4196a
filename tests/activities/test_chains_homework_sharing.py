"""接龙, homework and sharing series through the services."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from qunzhu.activities import chains, homework, points, scheduler, sharing
from qunzhu.activities.errors import ActivityError
from qunzhu.activities.models import (
    ChainEntry,
    Job,
    Review,
    Session,
    SessionStatus,
    SharingMode,
)
from qunzhu.core.activities import chain as core_chain
from qunzhu.governance.models import OutboxAction
from tests.governance import add_member, verbs

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------ 接龙

def test_a_chain_takes_names_back_from_pasted_text(actor, community, group):
    zhang = add_member(group, "张三").person
    chain = chains.do_create_chain(actor, community, title="周六线下读书会", fields=["人数"],
                                   limit=2, group=group)
    chains.do_add_entries(actor, chain, [core_chain.Entry("张三", ("2",))])
    text = chains.text(chain)
    assert "1. 张三 2" in text
    pasted = text + "2. 李四 1\n3. 王五 3\n"
    merged = chains.do_paste(actor, chain, pasted)
    assert [e.name for e in merged.added] == ["李四"]
    assert [e.name for e in merged.over_limit] == ["王五"]
    assert list(ChainEntry.objects.values_list("position", "name", "values")) == [
        (1, "张三", ["2"]), (2, "李四", ["1"])]
    assert ChainEntry.objects.get(name="张三").person == zhang
    with pytest.raises(ActivityError, match="not a 接龙"):
        chains.do_paste(actor, chain, "周六见！")
    chains.do_remove_entry(actor, ChainEntry.objects.get(name="张三"), "cannot come")
    assert list(ChainEntry.objects.values_list("position", "name")) == [(1, "李四")]
    chains.do_close_chain(actor, chain)
    with pytest.raises(ActivityError, match="closed"):
        chains.do_paste(actor, chain, pasted)
    assert {"chain.create", "chain.add", "chain.remove", "chain.close"} <= set(verbs(community))


def test_chain_columns_cannot_hold_spaces(actor, community):
    with pytest.raises(ActivityError, match="spaces"):
        chains.do_create_chain(actor, community, title="x", fields=["人 数"])


# -------------------------------------------------------------------------- homework

def test_homework_submit_review_feature_and_points(actor, community, group):
    due = timezone.now() + timedelta(days=3)
    task = homework.do_create_assignment(actor, community, title="读书笔记", due=due,
                                         group=group, brief="写500字")
    assert Job.objects.filter(key=f"homework:{task.pk}:remind").exists()
    amy = add_member(group, "小美").person
    bo = add_member(group, "阿博").person
    mine = homework.do_submit(actor, task, amy, text="我的笔记……")
    with pytest.raises(ActivityError, match="already handed"):
        homework.do_submit(actor, task, amy, text="again")
    late = homework.do_submit(actor, task, bo, link="https://example.org/n",
                              at=due + timedelta(hours=1))
    assert late.late and not mine.late
    with pytest.raises(ActivityError, match="what to improve"):
        homework.do_review(actor, late, verdict=Review.REDO)
    homework.do_review(actor, late, verdict=Review.REDO, feedback="多写一点")
    homework.do_submit(actor, task, bo, text="重写了", at=due + timedelta(hours=2))
    with pytest.raises(ActivityError, match="passed"):
        homework.do_review(actor, mine, verdict=Review.REDO, feedback="x", featured=True)
    homework.do_review(actor, mine, verdict=Review.PASSED, featured=True)
    policy = points.policy(community)
    assert points.balance(amy) == policy["homework"] + policy["homework_featured"]
    assert points.balance(bo) == 0  # late work earns no points
    homework.do_announce_featured(actor, task)
    post = OutboxAction.objects.get(source="homework")
    assert "小美" in post.text and "读书笔记" in post.text


# --------------------------------------------------------------------------- sharing

def _series(actor, community, group, people, **kw):  # type: ignore[no-untyped-def]
    return sharing.do_create_series(actor, community, title="周四分享", group=group,
                                    mode=SharingMode.ROTATION, weekday=3, at=time(20, 0),
                                    place="腾讯会议", speakers=people, **kw)


def test_a_rotation_plans_fair_speakers_and_keeps_absentees_places(actor, community, group):
    people = [add_member(group, n).person for n in ("甲", "乙", "丙")]
    series = _series(actor, community, group, people)
    sessions = list(series.sessions.order_by("at"))
    assert len(sessions) == 4
    assert [s.at.astimezone(community.zone).strftime("%a %H:%M") for s in sessions] == \
        ["Thu 20:00"] * 4
    assert [s.speaker.display_name for s in sessions] == ["甲", "乙", "丙", "甲"]
    sharing.do_mark_absent(actor, sessions[0], people[0], "出差")
    names = [s.speaker.display_name for s in series.sessions.order_by("at")]
    assert names == ["乙", "甲", "丙", "乙"]
    first = series.sessions.order_by("at").first()
    assert first is not None
    with pytest.raises(ActivityError, match="Who spoke|turn decides"):
        sharing.do_set_session(actor, first, speaker=people[2])
    sharing.do_set_session(actor, first, topic="如何读一本书")
    sharing.do_record_session(actor, first, held=True, summary="三个要点……", attendees=12)
    assert points.balance(people[1]) == points.policy(community)["share"]
    assert not Job.objects.filter(key__startswith=f"session:{first.pk}:",
                                  status="pending").exists()
    assert series.sessions.filter(status=SessionStatus.PLANNED).count() == 4
    with pytest.raises(ActivityError, match="already recorded"):
        sharing.do_record_session(actor, first, held=True)


def test_sharing_announcement_and_reminder_reach_the_outbox(actor, community, group):
    leader = add_member(group, "老师").person
    series = sharing.do_create_series(actor, community, title="领读", group=group,
                                      mode=SharingMode.LEADER, weekday=1, at=time(21, 0),
                                      place="群语音", leader=leader, plan=1)
    session = series.sessions.get()
    sharing.do_set_session(actor, session, topic="《红楼梦》第一回")
    scheduler.tick(session.at - timedelta(minutes=59))
    texts = list(OutboxAction.objects.filter(source="sharing").order_by("id")
                 .values_list("text", flat=True))
    assert len(texts) == 2
    assert "老师" in texts[0] and "群语音" in texts[0] and "红楼梦" in texts[0]
    assert "60分钟后开始" in texts[1]


def test_a_series_needs_what_its_mode_needs(actor, community, group):
    with pytest.raises(ActivityError, match="leader"):
        sharing.do_create_series(actor, community, title="x", mode=SharingMode.LEADER,
                                 weekday=1, at=time(20, 0))
    with pytest.raises(ActivityError, match="take turns"):
        sharing.do_create_series(actor, community, title="x", mode=SharingMode.ROTATION,
                                 weekday=1, at=time(20, 0))
    guest = sharing.do_create_series(actor, community, title="嘉宾", mode=SharingMode.GUEST,
                                     weekday=5, at=time(19, 30), plan=1)
    session = guest.sessions.get()
    with pytest.raises(ActivityError, match="Who spoke"):
        sharing.do_record_session(actor, session, held=True)
    sharing.do_set_session(actor, session, guest="王老师（出版社编辑）")
    sharing.do_record_session(actor, session, held=True, summary="讲了出版流程")
    assert Session.objects.get(pk=session.pk).status == SessionStatus.HELD


def test_a_session_less_than_a_day_away_is_announced_at_once(actor, community, group):
    leader = add_member(group, "老师").person
    soon = timezone.now().astimezone(community.zone) + timedelta(hours=3)
    series = sharing.do_create_series(actor, community, title="临时", group=group,
                                      mode=SharingMode.LEADER, weekday=soon.weekday(),
                                      at=soon.time().replace(second=0, microsecond=0),
                                      leader=leader, plan=1)
    session = series.sessions.get()
    assert session.at - timezone.now() < timedelta(hours=3)
    announce = Job.objects.get(key=f"session:{session.pk}:announce")
    assert announce.due <= timezone.now()
    scheduler.tick()
    assert OutboxAction.objects.filter(source="sharing").count() == 1


def test_a_homework_link_must_be_a_web_address(actor, community, group):
    task = homework.do_create_assignment(actor, community, title="笔记",
                                         due=timezone.now() + timedelta(days=1))
    amy = add_member(group, "小美").person
    with pytest.raises(ActivityError, match="http"):
        homework.do_submit(actor, task, amy, link="javascript:alert(1)")


def test_joining_a_chain_credits_the_joiner_not_a_namesake(actor, community, group):
    from qunzhu.activities.chains import do_join_chain

    zhang = add_member(group, "张三").person
    impostor = add_member(group, "李四").person
    impostor.display_name = "张 三"  # renamed to look like 张三
    impostor.save()
    points.do_set_policy(actor, community, {"chain": 1})
    chain = chains.do_create_chain(actor, community, title="周六", fields=[])
    entry = do_join_chain(actor, chain, impostor, [])
    assert entry.person == impostor
    assert (points.balance(impostor), points.balance(zhang)) == (1, 0)
