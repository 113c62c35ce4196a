"""The demo community: deterministic, well-formed, and each group's story shows in the data."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core.events import NON_SPEECH_KINDS, ChatEvent, MessageKind
from qunzhu.demo.generator import DemoCommunity, DemoGroup, generate_demo

END = date(2026, 3, 31)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def demo() -> DemoCommunity:
    return generate_demo(END)


# --------------------------------------------------------------------------- helpers


def group(demo: DemoCommunity, story: str) -> tuple[DemoGroup, list[ChatEvent]]:
    [g] = [g for g in demo.groups if g.story == story]
    return g, [e for e in demo.events if e.group_key == g.key]


def speech(events: list[ChatEvent]) -> list[ChatEvent]:
    return [e for e in events if e.kind not in NON_SPEECH_KINDS]


def week_of(g: DemoGroup, e: ChatEvent) -> int:
    """1-based week of the group's life."""
    return (e.timestamp.astimezone(TZ).date() - g.opened).days // 7 + 1


def weekly_speakers(g: DemoGroup, events: list[ChatEvent]) -> dict[int, int]:
    senders: dict[int, set[str]] = defaultdict(set)
    for e in speech(events):
        senders[week_of(g, e)].add(e.sender_key)
    return {week: len(keys) for week, keys in senders.items()}


def replies_received(events: list[ChatEvent]) -> Counter[str]:
    author = {e.message_id: e.sender_key for e in events}
    return Counter(author[e.reply_to] for e in events if e.reply_to)


def joins(events: list[ChatEvent]) -> dict[str, datetime]:
    return {e.sender_key: e.timestamp for e in events if e.kind is MessageKind.JOIN}


# --------------------------------------------------------------------------- shape


def test_same_seed_same_events_other_seed_other_events(demo: DemoCommunity) -> None:
    assert generate_demo(END) == demo
    assert generate_demo(END, seed=7).events != demo.events


def test_about_fifty_thousand_events_over_six_months(demo: DemoCommunity) -> None:
    assert 45_000 <= len(demo.events) <= 55_000
    first = min(e.timestamp for e in demo.events).astimezone(TZ).date()
    assert first == END - timedelta(days=180)


def test_timestamps_aware_sorted_and_not_after_end(demo: DemoCommunity) -> None:
    limit = datetime.combine(END + timedelta(days=1), time(), TZ)
    stamps = [e.timestamp for e in demo.events]
    assert all(ts.utcoffset() == timedelta(hours=8) for ts in stamps)
    assert all(ts < limit for ts in stamps)
    assert stamps == sorted(stamps)


def test_message_ids_unique_and_replies_point_back_in_same_group(
        demo: DemoCommunity) -> None:
    for g in demo.groups:
        events = [e for e in demo.events if e.group_key == g.key]
        position = {e.message_id: n for n, e in enumerate(events)}
        assert len(position) == len(events), g.name
        for n, e in enumerate(events):
            if e.reply_to:
                assert position[e.reply_to] < n, e


def test_mentions_are_members_named_in_the_text(demo: DemoCommunity) -> None:
    names = {(g.key, m.key): m.name for g in demo.groups for m in g.members}
    mentioned = [e for e in demo.events if e.mentions]
    assert mentioned
    for e in mentioned:
        for key in e.mentions:
            assert f"@{names[(e.group_key, key)]} " in e.text


def test_members_speak_only_while_in_the_group(demo: DemoCommunity) -> None:
    joined: dict[tuple[str, str], datetime] = {}
    left: dict[tuple[str, str], datetime] = {}
    for e in demo.events:
        if e.kind is MessageKind.JOIN:
            joined[(e.group_key, e.sender_key)] = e.timestamp
        elif e.kind is MessageKind.LEAVE:
            left[(e.group_key, e.sender_key)] = e.timestamp
    assert joined and left
    for e in speech(list(demo.events)):
        who = (e.group_key, e.sender_key)
        assert who not in joined or joined[who] <= e.timestamp, e
        assert who not in left or e.timestamp <= left[who], e


def test_some_people_belong_to_two_groups_with_one_key(demo: DemoCommunity) -> None:
    groups_of = Counter(m.key for g in demo.groups for m in g.members)
    assert sum(1 for n in groups_of.values() if n >= 2) >= 5
    assert all(m.key.startswith("wxid_") and len(m.key) == 15
               for g in demo.groups for m in g.members)


# --------------------------------------------------------------------------- stories


def test_healthy_ring_has_many_centres_not_one_hub(demo: DemoCommunity) -> None:
    _, events = group(demo, "healthy_ring")
    said = speech(events)
    counts = sorted(Counter(e.sender_key for e in said).values(), reverse=True)
    top = max(1, round(len(counts) * 0.05))
    assert sum(counts[:top]) / len(said) < 0.60
    well_answered = [k for k, n in replies_received(events).items() if n >= 30]
    assert len(well_answered) >= 6


def test_healthy_ring_quotes_and_mentions_in_realistic_measure(demo: DemoCommunity) -> None:
    _, events = group(demo, "healthy_ring")
    said = speech(events)
    assert 0.15 <= sum(1 for e in said if e.reply_to) / len(said) <= 0.25
    assert 0.02 <= sum(1 for e in said if e.mentions) / len(said) <= 0.10


def test_healthy_ring_is_busier_at_weekends_and_in_the_evening(demo: DemoCommunity) -> None:
    _, events = group(demo, "healthy_ring")
    per_day = Counter(e.timestamp.date() for e in speech(events))
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    weekday = [n for d, n in per_day.items() if d.weekday() < 5]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday)
    hours = Counter(e.timestamp.hour for e in speech(events))
    assert sum(hours[h] for h in range(20, 23)) > 3 * sum(hours[h] for h in range(1, 7))


def test_zombie_bursts_early_then_dies(demo: DemoCommunity) -> None:
    g, events = group(demo, "zombie")
    weekly = weekly_speakers(g, events)
    peak_week = max(weekly, key=lambda w: weekly[w])
    assert 1 <= peak_week <= 3
    late = [n for w, n in weekly.items() if w >= 13]
    assert late and max(late) < 0.10 * weekly[peak_week]
    assert max(late) <= 5


def test_zombie_owner_falls_silent_after_week_six(demo: DemoCommunity) -> None:
    g, events = group(demo, "zombie")
    [owner] = [m.key for m in g.members if "creator" in m.roles]
    owner_weeks = {week_of(g, e) for e in speech(events) if e.sender_key == owner}
    assert owner_weeks and max(owner_weeks) <= 6


def test_zombie_newcomers_in_the_decline_get_no_answer(demo: DemoCommunity) -> None:
    g, events = group(demo, "zombie")
    decline_start = datetime.combine(g.opened + timedelta(weeks=7), time(), TZ)
    late_joiners = {k for k, ts in joins(events).items() if ts >= decline_start}
    firsts: dict[str, ChatEvent] = {}
    for e in speech(events):
        if e.sender_key in late_joiners:
            firsts.setdefault(e.sender_key, e)
    assert len(firsts) >= 3
    answered = {e.reply_to for e in events if e.reply_to}
    mentioned = {k for e in events for k in e.mentions}
    assert not any(e.message_id in answered for e in firsts.values())
    assert not late_joiners & mentioned


def test_ad_flood_is_a_third_hard_ads(demo: DemoCommunity) -> None:
    g, events = group(demo, "ad_flood")
    ads = [e for e in events if e.kind in (MessageKind.LINK, MessageKind.MINI_PROGRAM)]
    assert 0.20 <= len(ads) / len(events) <= 0.40
    assert len(g.members) > 300
    senders_per_text = defaultdict(set)
    for e in ads:
        senders_per_text[e.text].add(e.sender_key)
    assert max(len(s) for s in senders_per_text.values()) >= 3


def test_ad_flood_has_night_floods(demo: DemoCommunity) -> None:
    _, events = group(demo, "ad_flood")
    nights = Counter(e.timestamp.date() for e in speech(events) if e.timestamp.hour < 5)
    assert sum(1 for n in nights.values() if n >= 20) >= 5


def test_ad_flood_joiners_post_links_within_the_hour(demo: DemoCommunity) -> None:
    _, events = group(demo, "ad_flood")
    joined = joins(events)
    quick = {e.sender_key for e in events
             if e.kind in (MessageKind.LINK, MessageKind.MINI_PROGRAM)
             and e.sender_key in joined
             and timedelta(0) <= e.timestamp - joined[e.sender_key] <= timedelta(hours=1)}
    assert len(quick) >= 10


def test_new_group_is_two_weeks_old_and_growing(demo: DemoCommunity) -> None:
    g, events = group(demo, "new")
    assert events[0].timestamp.date() >= END - timedelta(days=14)
    assert g.opened == END - timedelta(days=14)
    joined = joins(events)
    first_week = sum(1 for ts in joined.values() if ts.date() < g.opened + timedelta(days=7))
    assert len(joined) - first_week > first_week - 30  # the founders' batch aside, it grows
    per_day = Counter(e.timestamp.date() for e in speech(events))
    assert per_day[END] > 2 * per_day[g.opened + timedelta(days=1)]


def test_new_members_introduce_themselves_within_a_day(demo: DemoCommunity) -> None:
    _, events = group(demo, "new")
    joined = joins(events)
    first_words: dict[str, datetime] = {}
    for e in speech(events):
        first_words.setdefault(e.sender_key, e.timestamp)
    prompt = [k for k, ts in joined.items()
              if k in first_words and first_words[k] - ts <= timedelta(days=1)]
    assert len(prompt) >= 0.6 * len(joined)


def test_joins_and_leaves_are_recorded(demo: DemoCommunity) -> None:
    kinds = Counter(e.kind for e in demo.events)
    assert kinds[MessageKind.JOIN] > 500
    assert kinds[MessageKind.LEAVE] > 50
    assert {MessageKind.IMAGE, MessageKind.STICKER, MessageKind.VOICE, MessageKind.FILE,
            MessageKind.RED_ENVELOPE} <= set(kinds)
