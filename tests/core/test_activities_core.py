"""The pure activity arithmetic: challenge days across zones, streaks and make-up cards,
what counts as a check-in, 接龙 text round-trips, fair rotation, schedules, points."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.activities import chain, checkin, points, rotation, schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def spec(**kw):  # type: ignore[no-untyped-def]
    return checkin.ChallengeSpec(**{"start": date(2026, 12, 1), "days": 21, "zone": SHANGHAI,
                                    **kw})


# ------------------------------------------------------------------------- check-ins

def test_days_are_local_days_of_the_community_zone():
    s = spec()
    assert s.end == date(2026, 12, 21)
    # 23:30 in Shanghai on 1 December is 15:30 UTC: day 1, not day 2 and not day 0
    assert s.day_of(datetime(2026, 12, 1, 15, 30, tzinfo=UTC)) == 1
    # 00:10 in Shanghai on 2 December is still 1 December in UTC
    assert s.day_of(datetime(2026, 12, 1, 16, 10, tzinfo=UTC)) == 2
    assert s.day_of(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) is None
    assert s.day_of(datetime(2026, 12, 21, 15, 59, tzinfo=UTC)) == 21
    assert s.day_of(datetime(2026, 12, 21, 16, 0, tzinfo=UTC)) is None


def test_days_across_a_clock_change():
    s = checkin.ChallengeSpec(start=date(2027, 3, 13), days=3, zone=NEW_YORK)
    # 23:30 local on 14 March (after clocks went forward) is 03:30 UTC on the 15th
    assert s.day_of(datetime(2027, 3, 15, 3, 30, tzinfo=UTC)) == 2
    assert s.day_of(datetime(2027, 3, 15, 4, 0, tzinfo=UTC)) == 3


@pytest.mark.parametrize(("text", "day"), [
    ("#打卡 第3天 读完", 3), ("#打卡第十二天", 12), ("#打卡 第二十一天", 21),
    ("#checkin Day 7 done", 7), ("#打卡 D5", 5), ("#打卡 今天读了书", None),
])
def test_the_day_a_member_wrote(text, day):  # type: ignore[no-untyped-def]
    assert checkin.claimed_day(text) == day


def test_what_counts_as_a_checkin():
    s = spec(min_length=4)
    assert checkin.judge(s, "#打卡 第1天 读了两章活着").counts
    assert checkin.judge(s, "＃打卡 第1天 讀了兩章活著").counts  # full-width, Traditional
    assert checkin.judge(s, "今天读了两章").missing == "keyword"
    assert checkin.judge(s, "#打卡 第1天 好").missing == "length"
    photo = spec(photo_required=True)
    assert checkin.judge(photo, "#打卡 跑步5公里").missing == "photo"
    assert checkin.judge(photo, "#打卡 跑步5公里", kind="image").counts
    assert checkin.judge(photo, "#打卡 跑步5公里", has_photo=True).counts


def test_streaks_run_back_from_today_or_yesterday():
    s = spec(days=10)
    today = date(2026, 12, 6)  # day 6
    p = checkin.progress(s, [1, 2, 4, 5], today)
    assert (p.count, p.current_streak, p.longest_streak) == (4, 2, 2)
    assert p.missed == [3]
    assert checkin.progress(s, [1, 2, 4, 5, 6], today).current_streak == 3
    # a gap yesterday breaks it, today not yet checked in
    assert checkin.progress(s, [1, 2, 3, 4], today).current_streak == 0
    assert checkin.progress(s, range(1, 11), date(2027, 1, 1)).current_streak == 10


def test_make_up_rules():
    s = spec(days=10, makeup_limit=1, makeup_window=2)
    p = checkin.progress(s, [1, 2, 4], date(2026, 12, 5))  # today is day 5
    assert checkin.makeup_refusal(s, p, 3) == ""
    assert checkin.makeup_refusal(s, p, 5) == "future"
    assert checkin.makeup_refusal(s, p, 4) == "done"
    assert checkin.makeup_refusal(s, p, 11) == "range"
    late = checkin.progress(s, [], date(2026, 12, 9))
    assert checkin.makeup_refusal(s, late, 3) == "late"
    used = checkin.progress(s, [1, 2, 3], date(2026, 12, 5), makeups=[3])
    assert checkin.makeup_refusal(s, used, 4) == "limit"


@given(st.sets(st.integers(1, 30)), st.integers(0, 40))
def test_streaks_never_exceed_the_days_done(days, offset):  # type: ignore[no-untyped-def]
    s = spec(days=30)
    p = checkin.progress(s, days, date(2026, 12, 1).fromordinal(
        date(2026, 12, 1).toordinal() + offset))
    assert 0 <= p.current_streak <= p.longest_streak <= p.count == len(days)


def test_leaderboard_order():
    s = spec(days=5)
    today = date(2026, 12, 5)
    states = {1: checkin.progress(s, [1, 2], today), 2: checkin.progress(s, [3, 4, 5], today),
              3: checkin.progress(s, [1, 2, 3], today)}
    assert [p for p, _ in checkin.leaderboard(states)] == [2, 3, 1]


# ------------------------------------------------------------------------------ 接龙

def test_render_and_parse_the_familiar_text():
    c = chain.Chain(title="周六线下读书会", fields=("人数",), note="地点：图书馆三楼", limit=3,
                    entries=(chain.Entry("张三", ("2",)), chain.Entry("李四", ("1",))))
    text = chain.render(c)
    assert text.splitlines()[:4] == ["#接龙", "周六线下读书会", "地点：图书馆三楼", "限3人"]
    assert "1. 张三 2" in text and "2. 李四 1" in text
    back = chain.parse(text)
    assert back == c


def test_parse_what_members_paste():
    pasted = ("#接龍\r\n周六读书会\r\n\r\n例 姓名 人数 备注\r\n\r\n"
              "1、张三 2 带孩子 一起\r\n2. 李四\r\n3．王五 1\r\n谢谢大家")
    c = chain.parse(pasted)
    assert c.fields == ("人数", "备注")
    assert [e.name for e in c.entries] == ["张三", "李四", "王五"]
    assert c.entries[0].values == ("2", "带孩子 一起")
    with pytest.raises(chain.ChainError, match="expected a 接龙"):
        chain.parse("大家好，周六见")


def test_merge_keeps_first_n_and_reports_the_rest():
    have = [chain.Entry("张三")]
    pasted = [chain.Entry("张三"), chain.Entry("李四"), chain.Entry("王五"), chain.Entry("赵六")]
    m = chain.merge(have, pasted, limit=3)
    assert [e.name for e in m.added] == ["李四", "王五"]
    assert [e.name for e in m.over_limit] == ["赵六"]
    assert [e.name for e in m.repeated] == ["张三"]


_word = st.text(st.characters(whitelist_categories=("Lo", "Ll", "Lu", "Nd")), min_size=1,
                max_size=6)


@settings(max_examples=200)
@given(title=_word, fields=st.lists(_word, max_size=3),
       entries=st.lists(st.tuples(_word, st.lists(_word, max_size=3)), max_size=8,
                        unique_by=lambda e: e[0]),
       limit=st.none() | st.integers(1, 50))
def test_chain_text_round_trips(title, fields, entries, limit):  # type: ignore[no-untyped-def]
    if title.isdigit() or title.startswith(("例", "限")):
        title = "标题" + title
    clean = [chain.Entry(name, tuple(values[:len(fields)])) for name, values in entries
             if not name.startswith(("例",))]
    c = chain.Chain(title=title, fields=tuple(fields), limit=limit, entries=tuple(clean))
    text = chain.render(c)
    assert chain.render(chain.parse(text)) == text
    assert chain.parse(text).entries == c.entries


# -------------------------------------------------------------------------- rotation

def test_rotation_goes_round_before_anyone_speaks_twice():
    assert rotation.next_speakers([1, 2, 3], [], 5) == [1, 2, 3, 1, 2]
    history = [rotation.Turn(2), rotation.Turn(1)]
    assert rotation.next_speakers([1, 2, 3], history, 3) == [3, 2, 1]


def test_an_absent_member_keeps_their_place():
    # 2 is away for the next session: 3 speaks, and 2 comes right after
    assert rotation.next_speakers([1, 2, 3], [rotation.Turn(1)], 1, {2: "出差"}) == [3]
    history = [rotation.Turn(1), rotation.Turn(3)]
    assert rotation.next_speakers([1, 2, 3], history, 1) == [2]
    # a session that did not happen is not a turn
    assert rotation.next_speakers([1, 2], [rotation.Turn(1, held=False)], 1) == [1]


@settings(max_examples=300)
@given(pool=st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True),
       sessions=st.lists(st.sets(st.integers(1, 40), max_size=4), min_size=1, max_size=40))
def test_rotation_is_fair(pool, sessions):  # type: ignore[no-untyped-def]
    """Whenever someone takes a (k+1)-th turn, everyone who could speak then has ≥ k."""
    history: list[rotation.Turn] = []
    for away in sessions:
        absent = {p: "away" for p in away}
        picked = rotation.next_speakers(pool, history, 1, absent)
        present = [p for p in pool if p not in absent]
        if not present:
            assert picked == []
            continue
        (speaker,) = picked
        counts = rotation.turns_taken(pool, history)
        assert speaker in present
        assert all(counts[p] >= counts[speaker] for p in present)
        history.append(rotation.Turn(speaker))


# ------------------------------------------------------------------ schedule, points

def test_weekly_at_a_fixed_local_time():
    moments = schedule.weekly(date(2026, 12, 1), 3, time(20, 0), SHANGHAI)  # Thursdays
    first, second = next(moments), next(moments)
    assert first == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert (second - first).days == 7
    ny = schedule.weekly(date(2027, 3, 1), 3, time(20, 0), NEW_YORK)
    hours = [next(ny).hour for _ in range(3)]
    assert hours == [1, 1, 0]  # 20:00 EST = 01:00 UTC; after 14 March 20:00 EDT = 00:00 UTC


def test_a_skipped_wall_time_moves_past_the_gap():
    moment = schedule.local_moment(date(2027, 3, 14), time(2, 30), NEW_YORK)
    assert moment.astimezone(NEW_YORK).hour == 3


def test_parse_hhmm_names_the_bad_value():
    assert schedule.parse_hhmm("08:05") == time(8, 5)
    with pytest.raises(ValueError, match="'8pm'"):
        schedule.parse_hhmm("8pm")


def test_points_policy_and_badges():
    assert points.amount({"share": 30}, "share") == 30
    assert points.amount({}, "checkin") == points.DEFAULT_POINTS["checkin"]
    with pytest.raises(ValueError, match="unknown act 'repost'"):
        points.check_policy({"repost": 5})
    with pytest.raises(ValueError, match="cannot be negative"):
        points.check_policy({"share": "-1"})
    assert points.check_policy({"share": "15"}) == {"share": 15}
    rules = points.DEFAULT_BADGES
    assert points.earned(rules, {"shares": 3, "challenges_completed": 1}) == [
        "finisher", "sharer", "top_sharer"]
    assert not points.spendable(10, 11) and points.spendable(10, 10)
