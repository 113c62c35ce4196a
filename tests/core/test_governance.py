from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qunzhu.core.governance import (
    ICEBREAKER_FIELDS,
    TEXT_PLACEHOLDERS,
    Candidate,
    Change,
    Choice,
    Task,
    TaskKind,
    TemplateError,
    announcement,
    by_outcome,
    by_points,
    by_quota,
    by_violations,
    check_all,
    check_task,
    default_texts,
    diff,
    icebreaker,
    next_series_name,
    placeholders,
    recent_joiners,
    render,
    standing,
    tally,
    tasks_from_data,
)

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def ballots(yes: int = 0, no: int = 0, abstain: int = 0) -> list[str]:
    return ["yes"] * yes + ["no"] * no + ["abstain"] * abstain


# votes ---------------------------------------------------------------------------------


def test_tally_counts_and_says_it_in_both_languages():
    t = tally(ballots(12, 5, 1), eligible=50, quorum=0.2)
    assert (t.yes, t.no, t.abstain, t.quorum_needed) == (12, 5, 1, 10)
    assert t.turnout == pytest.approx(0.36)
    assert t.passed and t.outcome == "passed"
    assert t.text() == "赞成 12、反对 5、弃权 1；投票率 36%（法定 20%），通过。"
    assert t.text("en") == "12 yes, 5 no, 1 abstain; turnout 36% (quorum 20%): passed."
    assert t.text("zh-hant") == "贊成 12、反對 5、棄權 1；投票率 36%（法定 20%），通過。"


def test_a_tie_fails():
    t = tally(ballots(5, 5), eligible=20, quorum=0.2)
    assert t.quorum_met and not t.passed and t.outcome == "tie"
    assert "票数相同" in t.text()


def test_quorum_not_met_one_short_and_met_exactly():
    short = tally(ballots(9), eligible=50, quorum=0.2)
    assert short.outcome == "quorum_not_met" and not short.passed
    assert "需 10 票，实投 9 票" in short.text()
    exact = tally(ballots(10), eligible=50, quorum=0.2)
    assert exact.quorum_met and exact.passed


def test_quorum_is_exact_arithmetic_not_float():
    # 0.07 * 100 == 7.000000000000001 in floats; ceil of that would demand 8 ballots
    assert tally(ballots(7), eligible=100, quorum=0.07).quorum_needed == 7
    assert tally(ballots(7), eligible=100, quorum=0.07).passed


def test_abstentions_count_toward_turnout_and_quorum_not_majority():
    with_abstain = tally(ballots(yes=3, no=2, abstain=5), eligible=50, quorum=0.2)
    assert with_abstain.turnout == pytest.approx(0.2)
    assert with_abstain.quorum_met and with_abstain.passed
    without = tally(ballots(yes=3, no=2), eligible=50, quorum=0.2)
    assert without.outcome == "quorum_not_met"


def test_all_abstain_is_rejected_not_a_tie():
    t = tally(ballots(abstain=4), eligible=10, quorum=0.2)
    assert t.outcome == "rejected" and not t.passed


def test_two_thirds_majority_must_be_exceeded():
    assert tally(ballots(2, 1), eligible=3, quorum=0.5, majority=2 / 3).outcome == "rejected"
    t = tally(ballots(3, 1), eligible=4, quorum=0.5, majority=2 / 3)
    assert t.passed
    assert "赞成占 75%（需超过 67%）" in t.text()


def test_no_votes():
    t = tally([], eligible=30, quorum=0.1)
    assert t.outcome == "no_votes" and t.turnout == 0 and not t.passed
    assert t.text() == "无人投票（有投票权 30 人，法定 10%），未通过。"
    assert tally([], eligible=0, quorum=0.5).outcome == "no_votes"


def test_choice_values_and_enum_members_mix():
    t = tally([Choice.YES, "no", Choice.ABSTAIN], eligible=3, quorum=0)
    assert (t.yes, t.no, t.abstain) == (1, 1, 1)


@pytest.mark.parametrize("kwargs, name", [
    ({"eligible": -1, "quorum": 0.2}, "eligible"),
    ({"eligible": 10, "quorum": 1.5}, "quorum"),
    ({"eligible": 10, "quorum": math.nan}, "quorum"),
    ({"eligible": 10, "quorum": 0.2, "majority": 1.0}, "majority"),
    ({"eligible": 10, "quorum": 0.2, "majority": -0.1}, "majority"),
])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        tally([], **kwargs)


def test_more_ballots_than_members_and_unknown_choices_are_refused():
    with pytest.raises(ValueError, match="3 ballots but only 2"):
        tally(ballots(3), eligible=2, quorum=0.5)
    with pytest.raises(ValueError, match=r"choices\[1\]: expected one of yes, no, abstain"):
        tally(["yes", "maybe"], eligible=5, quorum=0.5)


@st.composite
def votes(draw, min_majority=0.0):
    yes, no, abstain = (draw(st.integers(0, 40)) for _ in range(3))
    eligible = yes + no + abstain + draw(st.integers(0, 40))
    quorum = draw(st.floats(0, 1))
    majority = draw(st.floats(min_majority, 0.99))
    return ballots(yes, no, abstain), eligible, quorum, majority


@given(votes())
def test_tally_never_passes_without_quorum(vote):
    t = tally(*vote)
    assert t.yes + t.no + t.abstain >= t.quorum_needed >= 1 or not t.passed
    assert t.passed == (t.outcome == "passed")


@given(votes(min_majority=0.5))
def test_passed_implies_more_yes_than_no(vote):
    t = tally(*vote)
    assert not t.passed or t.yes > t.no


# elimination ---------------------------------------------------------------------------


def member(member_id, active_days=0, messages=0, days_ago=0, joined_days_ago=100, **kw):
    """A member who joined 100 days and last spoke ``days_ago`` days before NOW (None:
    never), so that NOW is the latest date in the data and the grace reference."""
    return Candidate(
        member_id, f"m{member_id}", active_days=active_days, messages=messages,
        last_active=None if days_ago is None else NOW - timedelta(days=days_ago),
        joined=NOW - timedelta(days=joined_days_ago), **kw)


def group_for_quota():
    return [
        Candidate(1, "群主", roles=frozenset({"creator"}), joined=NOW - timedelta(days=400)),
        Candidate(2, "管理", roles=frozenset({"manager", "payer"})),
        member(3, active_days=20, messages=300, days_ago=0),
        member(4, active_days=2, messages=10, days_ago=30),
        member(5, active_days=2, messages=10, days_ago=5),  # same as 4, more recent
        member(6, active_days=2, messages=4, days_ago=1),
        member(7, days_ago=None),  # never spoke
        member(8, active_days=9, messages=40, days_ago=2),
        member(9, days_ago=None, joined_days_ago=2),  # newcomer, never spoke
        member(10, active_days=1, messages=1, days_ago=60),
    ]


def test_quota_removes_the_least_active_and_says_why():
    removals = by_quota(group_for_quota(), keep=5)
    # never active, then 1 day, then 2 days with fewer messages, then the older of a tie
    assert [r.member_id for r in removals] == [7, 10, 6, 4, 5]
    first = removals[0]
    assert first.code == "elimination.quota"
    assert first.detail["rank"] == 1 and first.detail["ranked"] == 7
    assert first.detail["spared"] == 1 and first.detail["grace_days"] == 7
    assert first.text() == ("群定额 5 人、现有 10 人；此人活跃 0 天、发言 0 条，在可移出的 7 人中"
                            "活跃度倒数第 1；入群不满 7 天的 1 人不参与淘汰。")
    assert "recent joiners spared (in the 7-day grace period): 1" in first.text("en")


def test_quota_counts_protected_and_newcomers_toward_the_headcount():
    # 3 of them are protected or new; keep 3 → every other member goes
    removals = by_quota(group_for_quota(), keep=3)
    assert {r.member_id for r in removals} == {3, 4, 5, 6, 7, 8, 10}
    assert by_quota(group_for_quota(), keep=0)[-1].member_id == 3
    assert by_quota(group_for_quota(), keep=10) == []


def test_quota_grace_is_relative_to_the_data_not_the_clock():
    group = group_for_quota()
    assert [c.member_id for c in recent_joiners(group)] == [9]
    later = NOW + timedelta(days=30)
    assert recent_joiners(group, now=later) == []
    assert 9 in {r.member_id for r in by_quota(group, keep=5, now=later)}
    assert 9 in {r.member_id for r in by_quota(group, keep=5, grace_days=0)}


def test_violations_remove_at_the_threshold_most_strikes_first():
    group = [member(1, strikes=2), member(2, strikes=3), member(3, strikes=5),
             Candidate(4, "管理", roles=frozenset({"manager"}), strikes=9),
             member(5, strikes=3, joined_days_ago=0)]  # newcomers are not spared here
    removals = by_violations(group, threshold=3)
    assert [r.member_id for r in removals] == [3, 2, 5]
    assert removals[0].text() == "累计违规 5 次，达到剔除线 3 次。"
    assert removals[0].text("en") == "Strikes: 5, at or above the removal line of 3."


def test_points_bottom_keeps_everyone_tied_at_the_cut_off():
    group = [member(i, points=p) for i, p in enumerate([7, 5, 1, 5, 2], start=1)]
    removals = by_points(group, bottom=3)
    # the 3rd lowest is one of two members with 5 points: both stay, only 2 go
    assert [(r.member_id, r.detail["points"]) for r in removals] == [(3, 1), (5, 2)]
    assert removals[1].text() == ("积分 2，在参与排名的 5 人中排倒数第 2；末位淘汰 3 人"
                                  "（与分界线同分者保留）。")
    assert len(by_points(group, bottom=4)) == 4
    assert by_points(group, bottom=0) == []


def test_points_minimum_and_both_rules():
    group = [member(i, points=p) for i, p in enumerate([7, 5, 1, 5, 2], start=1)]
    group.append(member(6, points=0, joined_days_ago=1))  # spared newcomer
    group.append(Candidate(7, "群主", roles=frozenset({"creator"}), points=-5))
    below = by_points(group, minimum=5)
    assert [r.member_id for r in below] == [3, 5]
    assert below[0].text() == "积分 1，低于最低积分 5；入群不满 7 天的 1 人不参与淘汰。"
    both = by_points(group, bottom=1, minimum=2)
    assert [(r.member_id, r.code) for r in both] == [(3, "elimination.points_minimum")]
    with pytest.raises(ValueError, match="bottom, minimum"):
        by_points(group)


def test_tied_members_share_a_rank():
    group = [member(1, points=3), member(2, points=3), member(3, points=9)]
    removals = by_points(group, minimum=4)
    assert [r.detail["rank"] for r in removals] == [1, 1]


def test_outcome_removes_who_did_not_deliver():
    group = [member(1, completed=3), member(2, completed=0), member(3, completed=2),
             Candidate(4, "管理", roles=frozenset({"manager"}))]
    removals = by_outcome(group, required=3)
    assert [r.member_id for r in removals] == [2, 3]
    assert removals[1].text() == "完成成果 2 项，要求至少 3 项。"
    assert by_outcome(group, required=0) == []


def test_a_member_given_twice_is_refused():
    with pytest.raises(ValueError, match="member 1 appears twice"):
        by_violations([member(1), member(1)], threshold=1)


candidates = st.lists(
    st.builds(
        Candidate,
        member_id=st.integers(0, 10_000), name=st.just("x"),
        roles=st.frozensets(st.sampled_from(["creator", "manager", "payer", "pioneer"]),
                            max_size=2),
        messages=st.integers(0, 50), active_days=st.integers(0, 30),
        last_active=st.none() | st.integers(0, 60).map(lambda d: NOW - timedelta(days=d)),
        joined=st.none() | st.integers(0, 60).map(lambda d: NOW - timedelta(days=d)),
        points=st.integers(-5, 20), strikes=st.integers(0, 5), completed=st.integers(0, 5)),
    max_size=40, unique_by=lambda c: c.member_id)


@given(candidates, st.integers(0, 50))
def test_quota_keeps_enough_and_never_removes_the_protected(group, keep):
    removals = by_quota(group, keep)
    gone = [r.member_id for r in removals]
    assert len(set(gone)) == len(gone)
    assert len(group) - len(gone) >= min(keep, len(group))
    protected = {c.member_id for c in group if c.roles & {"creator", "manager"}}
    assert not protected & set(gone)
    assert removals == by_quota(list(reversed(group)), keep)


@given(candidates, st.integers(0, 10), st.integers(-5, 20), st.integers(1, 5))
def test_no_rule_removes_the_protected_or_anyone_twice(group, bottom, minimum, threshold):
    protected = {c.member_id for c in group if c.roles & {"creator", "manager"}}
    for removals in (by_points(group, bottom=bottom, minimum=minimum),
                     by_violations(group, threshold), by_outcome(group, threshold)):
        gone = [r.member_id for r in removals]
        assert len(set(gone)) == len(gone) and not protected & set(gone)


# standing ------------------------------------------------------------------------------


def test_a_new_member_cannot_vouch_until_a_month_of_activity():
    new = standing(tenure_days=3, active_days_90=1, active_strikes=0, removed_invitees=0)
    assert new.score == 31 and not new.can_vouch
    settled = standing(tenure_days=35, active_days_90=12, active_strikes=0, removed_invitees=0)
    assert settled.score == 51 and settled.can_vouch
    assert settled.text() == ("举荐信用 51/100（门槛 40）：可以举荐；入群 35 天（+5）、"
                              "近 90 天活跃 12 天（+16）、无未消除的违规（+30）。")


def test_strikes_and_removed_invitees_count_against():
    veteran = dict(tenure_days=400, active_days_90=60, removed_invitees=0)
    assert standing(active_strikes=0, **veteran).score == 100
    struck = standing(active_strikes=1, **veteran)
    assert struck.score == 60 and not struck.can_vouch  # high score, but a strike blocks
    assert "standing.strikes" in struck.reasons
    careless = standing(tenure_days=400, active_days_90=60, active_strikes=0,
                        removed_invitees=3)
    assert careless.score == 55 and "邀请的人中有 3 人后来被移出（-45）" in careless.text()


def test_managers_and_creators_start_high():
    manager = standing(tenure_days=0, active_days_90=0, active_strikes=0, removed_invitees=0,
                       roles=frozenset({"manager"}))
    creator = standing(tenure_days=0, active_days_90=0, active_strikes=0, removed_invitees=0,
                       roles=frozenset({"manager", "creator"}))
    assert (manager.score, creator.score) == (60, 80)
    assert manager.can_vouch and creator.reasons[-1] == "standing.creator"


def test_standing_validates():
    with pytest.raises(ValueError, match="^active_days_90:"):
        standing(tenure_days=1, active_days_90=-1, active_strikes=0, removed_invitees=0)
    # a 90-day window can touch 91 calendar dates: counted, not refused
    assert standing(tenure_days=1, active_days_90=91, active_strikes=0,
                    removed_invitees=0).can_vouch
    with pytest.raises(ValueError, match="^removed_invitees:"):
        standing(tenure_days=1, active_days_90=1, active_strikes=0, removed_invitees=-1)


standing_inputs = st.fixed_dictionaries({
    "tenure_days": st.integers(0, 1000), "active_days_90": st.integers(0, 89),
    "active_strikes": st.integers(0, 5), "removed_invitees": st.integers(0, 5),
    "roles": st.frozensets(st.sampled_from(["creator", "manager", "payer"]))})


@given(standing_inputs, st.sampled_from(["tenure_days", "active_days_90"]),
       st.sampled_from(["active_strikes", "removed_invitees"]))
def test_standing_is_monotonic(inputs, good, bad):
    score = standing(**inputs).score
    assert 0 <= score <= 100
    assert standing(**{**inputs, good: inputs[good] + 1}).score >= score
    assert standing(**{**inputs, bad: inputs[bad] + 1}).score <= score
    assert standing(**{**inputs, "roles": inputs["roles"] | {"manager"}}).score >= score


# tasks ---------------------------------------------------------------------------------

WHY = Task("why", TaskKind.ANSWER, "你为什么想加入读书会？", keywords=("读书", "AI"), min_length=8)


def test_keywords_match_across_traditional_and_full_width():
    check = check_task(WHY, "  我想多讀書，也想聊聊ＡＩ寫作的書  ")
    assert check.passed is True and check.code == "task.passed"
    traditional_keyword = Task("t", TaskKind.ANSWER, "?", keywords=("讀書會",))
    assert check_task(traditional_keyword, "我在读书会认识了很多人").passed


def test_short_answer_and_missing_keywords_are_named():
    short = check_task(WHY, "  读书  ")
    assert short.passed is False and short.detail["length"] == 2
    assert short.text() == "任务 why：回答 2 字，至少需要 8 字；也没有提到“AI”。"
    missing = check_task(WHY, "我想认识更多爱看书的朋友")
    assert missing.code == "task.missing_keywords" and missing.detail["missing"] == ["读书", "AI"]
    assert missing.text("en") == "Task why: the answer does not mention “读书”, “AI”."


def test_manual_tasks_wait_for_an_operator_but_empty_answers_fail():
    share = Task("photo", TaskKind.SHARE, "晒一张你最近读的书", auto=False)
    assert check_task(share, "https://example.org/book.jpg").passed is None
    assert check_task(share, "   ").passed is False
    checks = check_all([WHY, share], {"photo": "图", "other": "ignored"})
    assert [(c.task_id, c.passed, c.code) for c in checks] == [
        ("why", False, "task.empty"), ("photo", None, "task.needs_review")]


def test_tasks_from_data_validates_with_the_place_named():
    tasks = tasks_from_data([
        {"id": "why", "kind": "answer", "prompt": "为什么加入？", "keywords": ["读书"],
         "min_length": 10},
        {"id": "photo", "kind": "share", "prompt": "晒书", "auto": False}])
    assert tasks[0].keywords == ("读书",) and tasks[1] == Task(
        "photo", TaskKind.SHARE, "晒书", auto=False)
    with pytest.raises(ValueError) as error:
        tasks_from_data([{"id": "a", "kind": "answer", "prompt": "p"},
                         {"id": "b", "kind": "x", "prompt": "p"}])
    assert str(error.value) == "tasks[1].kind: expected one of answer, share, work, got 'x'"
    for bad, where in [([{"id": "a", "kind": "answer", "prompt": "p"}] * 2, r"tasks\[1\]\.id"),
                       ([{"id": "a", "kind": "work", "prompt": ""}], r"tasks\[0\]\.prompt"),
                       ([{"id": "a", "kind": "answer", "prompt": "p", "keywords": "读书"}],
                        r"tasks\[0\]\.keywords"),
                       ([{"id": "a", "kind": "answer", "prompt": "p", "min_length": True}],
                        r"tasks\[0\]\.min_length"),
                       ([{"id": "a", "kind": "answer", "prompt": "p", "minlength": 3}],
                        r"tasks\[0\]: unknown field 'minlength'")]:
        with pytest.raises(ValueError, match=f"^{where}"):
            tasks_from_data(bad)


# templates -----------------------------------------------------------------------------


def test_render_fills_names_and_keeps_doubled_braces():
    assert render("欢迎 @{name} 加入{group}！{{群规}}", {"name": "小王", "group": "读书会3群"}) == (
        "欢迎 @小王 加入读书会3群！{群规}")
    assert render("{昵称}好", {"昵称": "小王"}) == "小王好"


def test_unknown_placeholder_names_itself_and_the_choices():
    with pytest.raises(TemplateError) as error:
        render("欢迎 {nmae}", {"community": "读书会", "name": "小王"})
    assert str(error.value) == "unknown placeholder {nmae}; use one of {community}, {name}"
    assert error.value.placeholder == "nmae" and error.value.position == 3


@pytest.mark.parametrize("template, message, position", [
    ("欢迎 {name", "unclosed '{' at character 4", 3),
    ("欢迎 name}", "unmatched '}' at character 8", 7),
    ("{a{name}", "unclosed '{' at character 1", 0),
    ("{name.__class__}", "{name.__class__} at character 1 is not a placeholder", 0),
    ("{name[0]}", "{name[0]} at character 1 is not a placeholder", 0),
    ("{name:>10}", "{name:>10} at character 1 is not a placeholder", 0),
    ("{0}", "{0} at character 1 is not a placeholder", 0),
    ("{}", "{} at character 1 is not a placeholder", 0),
])
def test_malformed_templates_say_where(template, message, position):
    with pytest.raises(TemplateError, match="^" + message.replace("[", r"\[").replace(
            "{", r"\{").replace(".", r"\.")) as error:
        placeholders(template)
    assert error.value.position == position


def test_placeholders_in_order_of_first_use():
    assert placeholders("{b}{a}{{c}}{b}") == ["b", "a"]


literal_text = st.text(st.characters(blacklist_characters="{}"), max_size=8)
names = st.sampled_from(["name", "group", "community", "n", "昵称"])


@given(st.lists(st.tuples(literal_text, names)), literal_text,
       st.dictionaries(names, st.text(max_size=5)))
def test_render_of_placeholders_round_trips(pieces, tail, given_values):
    template = "".join(text + "{" + name + "}" for text, name in pieces) + tail
    used = placeholders(template)
    assert used == list(dict.fromkeys(name for _, name in pieces))
    values = {name: given_values.get(name, f"<{name}>") for name in used}
    expected = "".join(text + values[name] for text, name in pieces) + tail
    assert render(template, values) == expected


@given(st.text())
def test_escaped_text_renders_to_itself(text):
    assert render(text.replace("{", "{{").replace("}", "}}"), {}) == text


def test_series_names_never_reuse_a_number():
    assert next_series_name("{community}{n}群", "读书会", [1, 2, 5]) == (6, "读书会6群")
    assert next_series_name("{community}{n}群", "读书会", []) == (1, "读书会1群")
    assert next_series_name("{community} {nn}", "Book Club", {3}) == (4, "Book Club 04")
    with pytest.raises(TemplateError, match=r"\{n\} or \{nn\}"):
        next_series_name("{community}群", "读书会", [1])
    with pytest.raises(TemplateError, match=r"unknown placeholder \{city\}"):
        next_series_name("{city}{n}群", "读书会", [1])


def test_announcement_numbers_the_rules_and_says_they_change_by_vote():
    rules = [("禁止硬广", "不发商业广告，违者移出"), ("禁言时间", "23:00–07:00 请勿发言"),
             ("每周分享", "")]
    # the intro is finished text: braces in it are not placeholders any more
    text = announcement(rules, community="读书会", intro="欢迎来到读书会{自律}。")
    assert text.splitlines() == [
        "【读书会 群公告】", "欢迎来到读书会{自律}。", "群规（由成员投票决定）：",
        "1. 禁止硬广：不发商业广告，违者移出", "2. 禁言时间：23:00–07:00 请勿发言", "3. 每周分享",
        "群规只能通过成员投票修改：任何人都可以提出修改，由全群投票决定。"]
    english = announcement([("No hard ads", "no commercial posts")], community="Books",
                           lang="en")
    assert "1. No hard ads: no commercial posts" in english
    assert "change only by a members' vote" in english
    assert "（暂无群规）" in announcement([], community="读书会")


def test_icebreaker_template():
    assert icebreaker(["name", "city", "interests"]) == "【自我介绍】\n昵称：\n城市：\n兴趣爱好："
    assert icebreaker(["name", "needs"], "en") == (
        "[Self-introduction]\nName:\nWhat I am looking for:")
    assert len(icebreaker(list(ICEBREAKER_FIELDS)).splitlines()) == 9
    with pytest.raises(ValueError, match="unknown field 'age'"):
        icebreaker(["name", "age"])


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_default_texts_render_with_their_placeholders(lang):
    texts = default_texts(lang)
    assert set(texts) == set(TEXT_PLACEHOLDERS)
    for key, text in texts.items():
        assert set(placeholders(text)) <= set(TEXT_PLACEHOLDERS[key])
        render(text, {name: "x" for name in TEXT_PLACEHOLDERS[key]})
    if lang == "zh-hans":
        assert render(texts["welcome"], {"name": "小王", "group": "读书会3群", "community": ""}
                      ).startswith("欢迎 @小王 加入读书会3群！")


# diff ----------------------------------------------------------------------------------

RULEBOOK = {"version": 3, "rules": [
    {"id": "hard-ads", "enabled": True, "params": {"keywords": ["加微信", "代购"]}},
    {"id": "quiet-hours", "enabled": True, "params": {"start": "23:00", "end": "07:00"}}]}


def test_rules_are_matched_by_id():
    new = {"version": 4, "rules": [
        {"id": "welcome", "enabled": True, "params": {}},
        {"id": "hard-ads", "enabled": True, "params": {"keywords": ["加微信", "代购", "私聊"]}}]}
    assert diff(RULEBOOK, new) == [
        Change("rules[hard-ads].params.keywords[2]", None, "私聊", "added"),
        Change("rules[quiet-hours]", RULEBOOK["rules"][1], None, "removed"),
        Change("rules[welcome]", None, new["rules"][0], "added"),
        Change("version", 3, 4, "changed"),
    ]


def test_reordering_rules_is_a_change_of_the_list():
    new = {**RULEBOOK, "rules": RULEBOOK["rules"][::-1]}
    assert diff(RULEBOOK, new) == [
        Change("rules", ["hard-ads", "quiet-hours"], ["quiet-hours", "hard-ads"], "changed")]


def test_diff_tells_true_from_one_and_types_apart():
    assert diff({"a": True}, {"a": 1}) == [Change("a", True, 1, "changed")]
    assert diff({"a": [1]}, {"a": {"0": 1}}) == [Change("a", [1], {"0": 1}, "changed")]
    assert diff({"a b": 1}, {"a b": 2})[0].path == '["a b"]'
    assert diff(1, 2) == [Change("", 1, 2, "changed")]


scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(
    st.characters(blacklist_characters="~"), max_size=3)
keys = st.sampled_from(["a", "b", "params", "keywords", "start"])
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    keys, inner, max_size=4), max_leaves=20)


@given(json_values)
def test_diff_of_a_value_with_itself_is_empty(value):
    assert diff(value, value) == []


def leaves(value, path=()):
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from leaves(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from leaves(sub, (*path, i))
    else:
        yield path, value


def replaced(value, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def path_text(path):
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@given(json_values, st.data())
def test_diff_finds_every_changed_leaf(value, data):
    all_leaves = list(leaves(value))
    chosen = data.draw(st.sets(st.sampled_from(range(len(all_leaves))) if all_leaves
                               else st.nothing()))
    new = value
    expected = set()
    for i in chosen:
        path, before = all_leaves[i]
        new = replaced(new, path, f"~{i}")
        expected.add((path_text(path), repr(before), f"~{i}", "changed"))
    changes = diff(value, new)
    assert {(c.path, repr(c.before), c.after, c.op) for c in changes} == expected
    assert diff(reversed_keys(value), reversed_keys(new)) == changes


def reversed_keys(value):
    """The same value with every object's keys inserted in reverse order."""
    if isinstance(value, dict):
        return {k: reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(v) for v in value]
    return value
