"""Check-in challenges through the services: planning, recording, make-up cards,
completion with points and a badge, recognition from chat messages, daily steps."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from pypdf import PdfReader

from qunzhu.activities import challenges, points, scheduler
from qunzhu.activities.errors import ActivityError
from qunzhu.activities.models import BadgeAward, CheckIn, Enrolment, Job, JobStatus, Source
from qunzhu.governance.models import OutboxAction, PointsEntry
from tests.governance import SHANGHAI, add_member, base_time, post, verbs

pytestmark = pytest.mark.django_db


def make(actor, community, group, days=3, **kw):  # type: ignore[no-untyped-def]
    start = base_time().date()
    return challenges.do_create_challenge(actor, community, title="晨读", start=start,
                                          days=days, group=group, prompt="读10页",
                                          **kw)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Local time on challenge day ``day`` (day 1 = base_time's date)."""
    return base_time() + timedelta(days=day - 1, hours=hour, minutes=minute)


def test_a_challenge_plans_a_reminder_and_a_summary_each_day(actor, community, group):
    challenge = make(actor, community, group, days=21)
    jobs = Job.objects.filter(key__startswith=f"challenge:{challenge.pk}:")
    assert jobs.count() == 42
    first = jobs.get(key=f"challenge:{challenge.pk}:remind:1")
    assert first.due.astimezone(SHANGHAI) == at(1, 20)
    assert jobs.get(key=f"challenge:{challenge.pk}:summary:21").due.astimezone(SHANGHAI) \
        == at(21, 22, 30)
    challenges.plan_jobs(challenge)  # planning again plans nothing new
    assert jobs.count() == 42
    assert "challenge.create" in verbs(community)


def test_bad_challenges_are_refused(actor, community, group):
    with pytest.raises(ActivityError, match="1 to 366 days"):
        make(actor, community, group, days=0)
    with pytest.raises(ActivityError, match="title"):
        challenges.do_create_challenge(actor, community, title=" ", start=at(1).date())


def test_streak_points_completion_badge_and_certificate(actor, community, group):
    challenge = make(actor, community, group)
    amy = add_member(group, "小美").person
    challenges.do_record_checkin(actor, challenge, amy, at=at(1, 23, 30))  # 15:30 UTC
    assert CheckIn.objects.get(person=amy).day == 1
    with pytest.raises(ActivityError, match="already checked in on day 1"):
        challenges.do_record_checkin(actor, challenge, amy, at=at(1, 23, 45))
    with pytest.raises(ActivityError, match="outside the challenge"):
        challenges.do_record_checkin(actor, challenge, amy, at=at(4, 8))
    # day 2 missed; on day 3 a make-up card saves it
    challenges.do_record_checkin(actor, challenge, amy, at=at(3, 7))
    state = challenges.progress_of(challenge, amy, at(3, 12))
    assert (state.count, state.current_streak, state.missed) == (2, 1, [2])
    with pytest.raises(ActivityError, match="past day"):
        challenges.do_use_makeup(actor, challenge, amy, 3, now=at(3, 12))
    assert not BadgeAward.objects.filter(person=amy).exists()
    challenges.do_use_makeup(actor, challenge, amy, 2, text="补卡", now=at(3, 12))
    state = challenges.progress_of(challenge, amy, at(3, 12))
    assert (state.count, state.current_streak, state.makeups_left) == (3, 3, 1)
    enrolment = Enrolment.objects.get(person=amy)
    assert enrolment.completed == at(3, 12)
    policy = points.policy(community)
    assert points.balance(amy) == 3 * policy["checkin"] + policy["checkin_complete"]
    assert BadgeAward.objects.filter(person=amy, badge__code="finisher").exists()
    pdf = challenges.certificate(challenge, amy, "zh-hans")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(pdf))
                   .pages)
    assert "小美" in text


def test_a_certificate_needs_a_completed_challenge(actor, community, group):
    challenge = make(actor, community, group)
    bo = add_member(group, "阿博").person
    challenges.do_record_checkin(actor, challenge, bo, at=at(1))
    with pytest.raises(ActivityError, match="not completed"):
        challenges.certificate(challenge, bo, "en")


def test_make_up_cards_are_limited(actor, community, group):
    challenge = make(actor, community, group, days=10, makeup_limit=1, makeup_window=0)
    bo = add_member(group, "阿博").person
    challenges.do_use_makeup(actor, challenge, bo, 1, now=at(5))
    with pytest.raises(ActivityError, match="No make-up cards left"):
        challenges.do_use_makeup(actor, challenge, bo, 2, now=at(5))


def test_removing_a_checkin_reverses_its_points(actor, community, group):
    challenge = make(actor, community, group)
    bo = add_member(group, "阿博").person
    row = challenges.do_record_checkin(actor, challenge, bo, at=at(1))
    assert points.balance(bo) > 0
    challenges.do_remove_checkin(actor, row, "wrong person")
    assert points.balance(bo) == 0
    assert PointsEntry.objects.filter(person=bo).count() == 2  # the ledger keeps both


def test_checkins_are_recognised_from_messages_once(actor, community, group):
    make(actor, community, group, min_length=4)
    amy = add_member(group, "小美").person
    bo = add_member(group, "阿博").person
    post(group, amy, "#打卡 第1天 今天读了《活着》前两章", at(1, 21))
    post(group, amy, "＃打卡 第1天 again same day, ignored", at(1, 22))
    post(group, bo, "#打卡 第1天", at(1, 21))  # too short: no content
    post(group, bo, "#打卡 第2天 读完了第三章，很感动", at(2, 23, 50))
    post(group, bo, "#打卡 第4天 after the end", at(4, 8))
    post(group, amy, "我明天打卡", at(2, 8))
    found = challenges.recognise(actor, community)
    assert found["recorded"] == 2
    assert found["refused"] == 1
    days = sorted(CheckIn.objects.values_list("person__display_name", "day", "source"))
    assert days == [("小美", 1, Source.MESSAGE), ("阿博", 2, Source.MESSAGE)]
    assert challenges.recognise(actor, community)["recorded"] == 0


def test_the_scheduler_posts_reminders_and_summaries_once(actor, community, group):
    challenge = make(actor, community, group, days=2)
    amy = add_member(group, "小美").person
    challenges.do_enrol(actor, challenge, add_member(group, "阿博").person)
    challenges.do_record_checkin(actor, challenge, amy, at=at(1, 10))
    assert scheduler.tick(at(1, 19, 59)) == []
    ran = scheduler.tick(at(1, 22, 31))
    assert [j.kind for j in ran] == ["challenge.remind", "challenge.summary"]
    steps = list(OutboxAction.objects.filter(source="challenge").order_by("id"))
    assert len(steps) == 2
    # the members read Chinese (the community's onboarding language)
    assert "第1/2天打卡提醒" in steps[0].text and "读10页" in steps[0].text
    assert "1/2 人已打卡" in steps[1].text and "阿博" in steps[1].text.split("还没打卡")[1]
    assert scheduler.tick(at(1, 23)) == []
    assert OutboxAction.objects.filter(source="challenge").count() == 2
    # missed while stopped: both of day 2 run late, the last summary names the finishers
    ran = scheduler.tick(at(3, 9))
    assert len(ran) == 2
    assert Job.objects.filter(status=JobStatus.DONE).count() == 4
    final = OutboxAction.objects.filter(source="challenge").order_by("-id").first()
    assert final is not None and "2天打卡结束" in final.text


def test_a_cancelled_challenge_drops_its_pending_jobs(actor, community, group):
    challenge = make(actor, community, group)
    challenges.do_cancel_challenge(actor, challenge, "host is ill")
    assert not Job.objects.filter(status=JobStatus.PENDING).exists()
    with pytest.raises(ActivityError, match="called off"):
        challenges.do_record_checkin(actor, challenge, add_member(group, "x").person,
                                     at=at(1))


def test_reminder_times_follow_the_community_zone(actor, community, group):
    community.time_zone = "America/New_York"
    community.save()
    challenge = challenges.do_create_challenge(
        actor, community, title="DST", start=datetime(2027, 3, 13).date(), days=3,
        remind_at=time(8, 0), summary_at=None)
    dues = [j.due for j in Job.objects.filter(key__startswith=f"challenge:{challenge.pk}")
            .order_by("due")]
    # clocks go forward on 14 March 2027: 08:00 local is 13:00 UTC, then 12:00 UTC
    assert [d.hour for d in dues] == [13, 12, 12]


def test_check_ins_feed_outcome_based_elimination(actor, community, group):
    from qunzhu.governance.elimination import do_propose_removal

    challenge = make(actor, community, group, days=3)
    keen = add_member(group, "小美").person
    idle = add_member(group, "阿博").person
    for day in (1, 2):
        challenges.do_record_checkin(actor, challenge, keen, at=at(day))
    challenges.do_record_checkin(actor, challenge, idle, at=at(1))
    proposal = do_propose_removal(actor, group, "outcome",
                                  {"required": 2, "challenge": challenge.pk}, now=at(4))
    assert proposal is not None
    assert [c.membership.person for c in proposal.candidates.all()] == [idle]


def test_a_removed_check_in_stays_removed_and_can_be_earned_again(actor, community, group):
    challenge = make(actor, community, group, days=2)
    amy = add_member(group, "小美").person
    post(group, amy, "#打卡 第1天 读了两章", at(1, 21))
    post(group, amy, "#打卡 第2天 读了三章", at(2, 21))
    assert challenges.recognise(actor, community)["recorded"] == 2
    assert Enrolment.objects.get(person=amy).completed is not None
    full = points.balance(amy)
    row = CheckIn.objects.get(person=amy, day=1)
    challenges.do_remove_checkin(actor, row, "posted for someone else")
    assert Enrolment.objects.get(person=amy).completed is None
    # the day and the finish are both taken back; day 2 stands
    assert points.balance(amy) == points.policy(community)["checkin"]
    assert challenges.recognise(actor, community)["recorded"] == 0  # the next import
    assert not CheckIn.objects.filter(person=amy, day=1).exists()
    challenges.do_use_makeup(actor, challenge, amy, 1, now=at(2, 23))
    assert points.balance(amy) == full  # earned again, finish included


def test_a_job_is_not_claimed_before_it_is_due(actor, community, group):
    challenge = make(actor, community, group, days=2)
    job = Job.objects.get(key=f"challenge:{challenge.pk}:remind:1")
    assert scheduler.run_job(job.pk, job.due - timedelta(minutes=1)) is None
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING
    assert scheduler.run_job(job.pk, job.due) is not None
