"""The campaign template library: what an operator gets when they start a campaign from
one of the shipped templates — every text rendered, every post at the right local time."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core.activities.library import (
    METRICS,
    PLACEHOLDERS,
    TEMPLATES,
    Pair,
    Step,
    date_text,
    get,
    phase_dates,
    placeholders_used,
    plan_steps,
    render_step,
    text,
)
from qunzhu.core.governance.templates import TemplateError

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
VALUES = {"group": "读书会2群", "time": "19:30", "place": "静安区某咖啡馆二楼"}
LANGS = ("zh-hans", "zh-hant", "en")


def test_the_six_templates_are_shipped():
    assert list(TEMPLATES) == ["checkin21", "sharing_series", "red_envelope_rain",
                               "welcome_week", "product_launch", "meetup"]


@pytest.mark.parametrize("key", list(TEMPLATES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_step_renders_with_no_placeholder_left(key, lang):
    template = get(key)
    values = {k: v for k, v in VALUES.items() if k in placeholders_used(template)}
    steps = plan_steps(template, date(2026, 6, 1), SHANGHAI, lang, **values)
    assert len(steps) == len(template.steps) >= 5
    for step in steps:
        assert step.text.strip()
        assert "{" not in step.text and "}" not in step.text, step.text
        own_words = step.text.replace("#打卡", "")
        for value in values.values():
            own_words = own_words.replace(value, "")
        # Chinese texts are Chinese; English ones quote the #打卡 keyword and nothing more
        assert bool(re.search(r"[\u4e00-\u9fff]", own_words)) == (lang != "en"), step.text


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_every_plan_field_is_filled_in_both_languages(key):
    t = get(key)
    pairs = [t.name, t.purpose, t.format, t.budget, *t.materials,
             *(p for r in t.risks for p in (r.risk, r.mitigation)),
             *(p for d in t.duties for p in (d.role, d.duty)), *(m.label for m in t.measures)]
    assert t.materials and t.risks and t.duties and t.measures
    for pair in pairs:
        assert pair.zh.strip() and pair.en.strip()
        assert "{" not in pair.zh + pair.en  # only step texts are rendered
    assert {m.metric for m in t.measures} <= set(METRICS)
    assert all(m.target > 0 for m in t.measures)


@pytest.mark.parametrize("key", list(TEMPLATES))
@pytest.mark.parametrize("zone", [SHANGHAI, LOS_ANGELES, NEW_YORK])
def test_steps_come_in_time_order_and_inside_their_phases(key, zone):
    template = get(key)
    values = {k: v for k, v in VALUES.items() if k in placeholders_used(template)}
    # a start that puts a clock change inside the American plans
    start = date(2026, 3, 3)
    steps = plan_steps(template, start, zone, "en", **values)
    times = [s.at for s in steps]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert all(s.at.utcoffset() == UTC.utcoffset(None) for s in steps)
    dates = phase_dates(template, start)
    for s in steps:
        local_day = s.at.astimezone(zone).date()
        nxt = {"warmup": dates.ignition, "ignition": dates.monitoring,
               "monitoring": dates.end}[s.phase]
        assert dates.start_of(s.phase) <= local_day < nxt
    assert [s.phase for s in steps][0] == "warmup"
    assert {s.phase for s in steps} == {"warmup", "ignition", "monitoring"}


def test_times_are_local_in_the_zone_and_stored_in_utc():
    # Shanghai is UTC+8 all year: 08:00 on the first check-in day is midnight UTC
    steps = plan_steps(get("checkin21"), date(2026, 5, 30), SHANGHAI, "zh-hans")
    first = steps[0]
    assert first.phase == "warmup" and first.at == datetime(2026, 5, 30, 12, 0, tzinfo=UTC)
    day1 = next(s for s in steps if s.phase == "ignition")
    assert day1.at == datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
    assert "6月2日（周二）" in steps[1].text  # the rules name the start day


def test_an_evening_post_in_los_angeles_falls_on_the_next_utc_day_and_month():
    steps = plan_steps(get("meetup"), date(2026, 6, 30), LOS_ANGELES, "en", **VALUES)
    first = steps[0]
    assert first.at.astimezone(LOS_ANGELES).replace(tzinfo=None) == datetime(2026, 6, 30, 20)
    assert first.at == datetime(2026, 7, 1, 3, 0, tzinfo=UTC)  # PDT is UTC-7
    # {date} is the meet-up day: the first day of ignition, a week later
    assert first.text.startswith(
        "[Offline meet-up] Tuesday 7 July at 19:30, at 静安区某咖啡馆二楼.")


def test_a_clock_change_keeps_the_local_time_and_moves_utc():
    # New York springs forward on 8 March 2026: 20:00 is 01:00 UTC before, 00:00 after
    steps = plan_steps(get("red_envelope_rain"), date(2026, 3, 7), NEW_YORK, "en",
                       time="20:00")
    assert steps[0].at == datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
    assert steps[1].at == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    assert {s.at.astimezone(NEW_YORK).hour for s in steps[:2]} == {20}


def test_phases_follow_one_another():
    t = get("checkin21")
    d = phase_dates(t, date(2026, 6, 1))
    assert (d.warmup, d.ignition, d.monitoring, d.end) == (
        date(2026, 6, 1), date(2026, 6, 4), date(2026, 6, 7), date(2026, 6, 27))
    assert d.bounds(SHANGHAI)[1] == datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
    assert (d.end - d.warmup).days == t.total_days


def test_the_21_day_challenge_fits_and_the_day_21_post_falls_on_day_21():
    t = get("checkin21")
    assert t.challenge_days == 21
    assert all(x.challenge_days is None for x in TEMPLATES.values() if x.key != "checkin21")
    d = phase_dates(t, date(2026, 6, 1))
    steps = plan_steps(t, date(2026, 6, 1), SHANGHAI, "zh-hans")
    day21 = next(s for s in steps if "【第21天】" in s.text)
    assert (day21.at.astimezone(SHANGHAI).date() - d.ignition).days + 1 == 21
    day7 = next(s for s in steps if "第一周小结" in s.text)
    assert (day7.at.astimezone(SHANGHAI).date() - d.ignition).days + 1 == 7


def test_defaults_and_given_values():
    steps = plan_steps(get("checkin21"), date(2026, 6, 1), SHANGHAI, "zh-hans",
                       campaign="早起21天")
    assert steps[0].text.startswith("【预告】早起21天要开始了：6月4日（周四）起连续21天")
    hant = plan_steps(get("checkin21"), date(2026, 6, 1), SHANGHAI, "zh-hant")
    assert hant[0].text.startswith("【預告】21天打卡要開始了：6月4日（週四）起")


def test_a_missing_value_is_named():
    with pytest.raises(ValueError, match=r"\{place\}"):
        plan_steps(get("meetup"), date(2026, 6, 1), SHANGHAI, "zh-hans", time="19:30")
    assert placeholders_used(get("meetup")) == ["campaign", "date", "time", "place"]
    assert placeholders_used(get("welcome_week")) == ["group", "date"]


def test_render_step_refuses_unknown_placeholders():
    assert render_step("{campaign}在{place}", campaign="见面会", place="茶馆") == "见面会在茶馆"
    with pytest.raises(ValueError, match=r"unknown placeholder \{price\}") as caught:
        render_step("【{campaign}】只要{price}元", campaign="x", price="9")
    assert isinstance(caught.value, TemplateError) and caught.value.placeholder == "price"
    with pytest.raises(ValueError, match=r"\{price\}"):
        render_step("【{campaign}】只要{price}元", campaign="x")
    with pytest.raises(ValueError, match=r"no value for \{group\}"):
        render_step("欢迎来到{group}")
    with pytest.raises(ValueError, match="not a placeholder"):
        render_step("{campaign.__class__}", campaign="x")


def test_text_picks_the_language():
    pair = Pair("群里见", "See you in the group")
    assert text(pair, "zh-hans") == text(pair, "zh") == text(pair, "zh_CN") == "群里见"
    assert text(pair, "zh-hant") == text(pair, "zh-TW") != "群里见"
    assert text(pair, "en") == text(pair, "en-GB") == text(pair, "fr") == "See you in the group"
    assert date_text(date(2026, 6, 7), "zh-hans") == "6月7日（周日）"
    assert date_text(date(2026, 6, 7), "en") == "Sunday 7 June"


def test_get_names_the_templates_there_are():
    assert get("meetup").name.zh == "线下见面会"
    with pytest.raises(KeyError) as caught:
        get("flash_sale")
    message = str(caught.value)
    assert "'flash_sale'" in message
    assert all(key in message for key in TEMPLATES)


def test_a_malformed_template_is_refused_when_made():
    t = get("meetup")
    late = Step("warmup", 9, "20:00", "post", Pair("{campaign}", "{campaign}"))
    with pytest.raises(ValueError, match="outside the phase"):
        replace(t, steps=(*t.steps, late))
    with pytest.raises(ValueError, match="time order"):
        replace(t, steps=tuple(reversed(t.steps)))
    with pytest.raises(ValueError, match=r"\{price\}"):
        Step("warmup", 0, "20:00", "post", Pair("{price}", "{price}"))
    with pytest.raises(ValueError, match="zh text uses"):
        Step("warmup", 0, "20:00", "post", Pair("{place}见", "See you"))
    with pytest.raises(ValueError, match="20:00"):
        Step("warmup", 0, "8pm", "post", Pair("见", "See you"))
    with pytest.raises(ValueError, match="20:00"):
        Step("warmup", 0, "24:30", "post", Pair("见", "See you"))


def test_the_scripts_stay_inside_our_lines():
    for t in TEMPLATES.values():
        for s in t.steps:
            # no rewards for reposting, no sock puppets (DOMAIN.md, "Lines we do not cross")
            for word in ("朋友圈", "转发", "马甲", "小号", "Moments", "repost"):
                assert word not in s.text.zh + s.text.en, (t.key, word)
    rain = get("red_envelope_rain")
    assert "亲手" in rain.steps[0].text.zh and "by hand" in rain.steps[0].text.en
    assert "不经手任何钱" in rain.budget.zh and "never creates, sends or handles money" in (
        rain.budget.en)


def test_placeholders_are_the_documented_five():
    assert PLACEHOLDERS == ("campaign", "group", "date", "time", "place")
    used = {p for t in TEMPLATES.values() for p in placeholders_used(t)}
    assert used == set(PLACEHOLDERS)
