"""Activities in the demo: a 21-day check-in under way (its check-ins recognised from the
demo's own "#打卡" messages), a 接龙, homework, a rotating sharing series with its past
sessions, a finished meet-up campaign with its retrospective and a welcome week under way.

Everything goes through the activities services (and so into the audit log).
"""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from qunzhu.activities import campaigns, chains, challenges, homework, points, sharing
from qunzhu.activities.models import PrivilegeKind, Review, SharingMode
from qunzhu.audit.log import Actor
from qunzhu.community.models import Community, MembershipStatus
from qunzhu.core.activities.chain import Entry
from qunzhu.core.activities.schedule import local_moment


def seed_activities(actor: Actor, community: Community) -> None:
    groups = list(community.groups.order_by("series_index", "pk"))
    if not groups:
        return
    first = groups[0]
    zone = community.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    badges = {b.code: b for b in points.ensure_badges(community)}
    points.do_save_privilege(actor, community, name="新书会员价", kind=PrivilegeKind.MEMBER_PRICE,
                             description="合作书店新书 8 折", min_points=50)
    points.do_save_privilege(actor, community, name="精读营免费试听",
                             kind=PrivilegeKind.FREE_TRIAL, description="下一期精读营免费试听一周",
                             badge=badges["sharer"])
    active = [m.person for m in first.memberships.filter(status=MembershipStatus.ACTIVE)
              .select_related("person").order_by("joined", "pk")[:60]]

    challenge = challenges.do_create_challenge(
        actor, community, title="21天共读打卡", start=today - timedelta(days=13), days=21,
        group=first, prompt="今天读了哪本书、几页？写一句你的收获。", keyword="#打卡")
    challenges.recognise(actor, community)
    del challenge

    chain = chains.do_create_chain(actor, community, title="周六线下读书会（图书馆三楼）",
                                   fields=["人数"], limit=12, group=first,
                                   note="周六下午两点，带上你最近在读的书")
    chains.do_add_entries(actor, chain, [Entry(p.display_name, (str(1 + i % 2),))
                                         for i, p in enumerate(active[:7])])

    task = homework.do_create_assignment(
        actor, community, title="《活着》读书笔记", group=first,
        due=local_moment(today + timedelta(days=3), time(22, 0), zone),
        brief="不少于300字：福贵的哪一段经历最打动你？为什么？")
    for i, person in enumerate(active[3:8]):
        work = homework.do_submit(actor, task, person, text=f"读书笔记（{person.display_name}）"
                                  "：福贵卖地那一段，让我想起……",
                                  at=now - timedelta(hours=30 - i * 5))
        if i < 3:
            homework.do_review(actor, work, verdict=Review.PASSED, featured=i == 0,
                               feedback="写得真诚，结构清楚。")

    speakers = active[:6]
    if len(speakers) >= 3:
        series = sharing.do_create_series(
            actor, community, title="周四共读分享会", mode=SharingMode.ROTATION, weekday=3,
            at=time(20, 0), place="腾讯会议 123-456-789", group=first, speakers=speakers)
        topics = ["如何一个月读完一本大部头", "我的读书笔记方法", "《百年孤独》人物关系图"]
        last = today - timedelta(days=(today.weekday() - 3) % 7 or 7)
        for weeks, topic in zip((3, 2, 1), topics, strict=True):
            day = last - timedelta(days=7 * (weeks - 1))
            at = local_moment(day, time(20, 0), zone)
            if at < now:
                sharing.do_log_session(actor, series, at=at, speaker=speakers[3 - weeks],
                                       topic=topic, summary=f"「{topic}」的三个要点……",
                                       attendees=14 + weeks)

    meetup = campaigns.do_create_campaign(actor, community, template="meetup",
                                          start=today - timedelta(days=40), groups=[first],
                                          title="十月线下读书会", place="市图书馆三楼")
    campaigns.do_close(actor, meetup, "到场人数超出预期，签到表要提前打印；预热第二天的"
                       "书单海报回复最多，下次继续用。", now=now)
    campaigns.do_create_campaign(actor, community, template="welcome_week",
                                 start=today - timedelta(days=2), groups=groups[:2])
    points.evaluate_badges(actor, community)
