"""Telegram Desktop JSON exports: the fixtures, a group with service messages, replies and
renames, whole-account exports, bad input, Hypothesis."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, telegram
from qunzhu.ingest.base import ImportFailed, ParseContext, Unit
from tests.ingest.fixtures import SHARED

SH = ZoneInfo("Asia/Shanghai")
K = MessageKind
TG = SHARED / "telegram"


def parse_path(path: Path) -> list[ChatEvent]:
    (unit,) = list(detect.expand(path))
    return list(telegram.parse(unit, ParseContext(label=unit.label, tz=SH)))


def parse_json(data: object, **ctx: object) -> list[ChatEvent]:
    raw = json.dumps(data, ensure_ascii=False).encode()
    return list(telegram.parse(Unit.from_bytes(raw, "result.json"),
                               ParseContext(label="result.json", tz=SH,
                                            **ctx)))  # type: ignore[arg-type]


def test_direct_chat_fixture() -> None:
    # DM_2A_7M.json: 8 records (read with json.load): a "joined_telegram" service message,
    # 4 texts (one a link entity plus " 👀"), 2 photos, a phone-call service message; Bob
    # and Alice by from_id. Records with only "date" are local wall-clock times (read in
    # the import's zone); those with date_unixtime are exact.
    events = parse_path(TG / "chat-analytics" / "DM_2A_7M.json")
    assert len(events) == 8
    assert Counter(e.kind.value for e in events) == {"text": 4, "image": 2, "system": 2}
    assert {e.sender_key for e in events} == {"user700000000", "user300000000"}
    assert not any(e.sender_key_weak for e in events)
    assert events[0].timestamp == datetime(2019, 7, 5, 16, 55, 32, tzinfo=SH)
    assert events[-1].timestamp == datetime(2023, 8, 11, 2, 11, 2, tzinfo=UTC)
    assert events[1].text == "https://google.com 👀"
    assert [e.message_id for e in events][:3] == ["2675", "3644", "3645"]
    assert {e.group_key for e in events} == {"700000000"}


def test_minimal_single_and_account_exports_give_the_same_messages() -> None:
    # chat-miner's files: two messages, no ids, the second a bold + link entity list
    single = parse_path(TG / "chat-miner" / "test_single_export.json")
    batch = parse_path(TG / "chat-miner" / "test_batch_export.json")
    assert [(e.sender_name, e.text, e.timestamp) for e in single] == \
        [(e.sender_name, e.text, e.timestamp) for e in batch] == [
            ("Author 1", "Minimal Message", datetime.fromtimestamp(1544006350, UTC)),
            ("Author 2", "Link:https://telegram.org/", datetime.fromtimestamp(1544006964, UTC))]
    assert all(e.sender_key_weak for e in single + batch)  # no from_id in these files
    assert {e.group_name for e in batch} == {"Chatname"}


@pytest.mark.parametrize("name", ["chat-analytics/DM_2A_7M.json",
                                  "chat-miner/test_single_export.json",
                                  "chat-miner/test_batch_export.json"])
def test_fixture_is_detected_as_telegram(name: str) -> None:
    (unit,) = list(detect.expand(TG / name))
    assert detect.detect(unit).format == "telegram"


GROUP = {
    "name": "读书会 2群", "type": "private_supergroup", "id": 1500000001,
    "messages": [
        {"id": 1, "type": "service", "date": "2024-03-01T20:00:00",
         "date_unixtime": "1709294400", "actor": "Ann", "actor_id": "user1",
         "action": "create_group", "title": "读书会 2群", "members": ["Ann", "Ben"]},
        {"id": 2, "type": "message", "date_unixtime": "1709294460", "from": "Ann",
         "from_id": "user1", "text": "欢迎 Ben"},
        {"id": 3, "type": "message", "date_unixtime": "1709294520", "from": "Ben",
         "from_id": "user2", "reply_to_message_id": 2,
         "text": [{"type": "mention_name", "text": "Ann", "user_id": 1}, " 谢谢！"]},
        {"id": 4, "type": "message", "date_unixtime": "1709294580", "from": "Benjamin",
         "from_id": "user2", "text": "改了个名字", "edited": "2024-03-01T20:04:00"},
        {"id": 5, "type": "message", "date_unixtime": "1709294640", "from": "Ann",
         "from_id": "user1", "media_type": "sticker", "file": "stickers/x.webp",
         "sticker_emoji": "👍", "text": ""},
        {"id": 6, "type": "service", "date_unixtime": "1709294700", "actor": "Ann",
         "actor_id": "user1", "action": "invite_members", "members": ["Cleo", "Dan"]},
        {"id": 7, "type": "service", "date_unixtime": "1709294760", "actor": "Dan",
         "actor_id": "user4", "action": "remove_members", "members": ["Dan"]},
        {"id": 8, "type": "service", "date_unixtime": "1709294820", "actor": "Ann",
         "actor_id": "user1", "action": "edit_group_title", "title": "读书会"},
        {"id": 9, "type": "unsupported"},
    ],
}


def test_group_with_service_messages_replies_mentions_and_renames() -> None:
    events = parse_json(GROUP)
    kinds = [(e.message_id, e.kind, e.sender_name) for e in events]
    assert kinds == [
        ("1", K.SYSTEM, "Ann"), ("1:1", K.JOIN, "Ann"), ("1:2", K.JOIN, "Ben"),
        ("2", K.TEXT, "Ann"), ("3", K.TEXT, "Ben"), ("4", K.TEXT, "Benjamin"),
        ("5", K.STICKER, "Ann"), ("6", K.JOIN, "Cleo"), ("6:1", K.JOIN, "Dan"),
        ("7", K.LEAVE, "Dan"), ("8", K.RENAME, "Ann")]
    by_id = {e.message_id: e for e in events}
    assert by_id["3"].reply_to == "2" and by_id["3"].mentions == ("user1",)
    assert by_id["3"].text == "Ann 谢谢！"
    # the rename keeps the id: one account, two names
    assert by_id["3"].sender_key == by_id["4"].sender_key == "user2"
    # members named only in a service message get the id they have elsewhere in the chat
    assert by_id["1:2"].sender_key == "user2" and not by_id["1:2"].sender_key_weak
    assert by_id["6"].sender_key_weak and by_id["6"].sender_name == "Cleo"
    assert by_id["7"].sender_key == "user4"
    assert by_id["8"].text == "Ann changed group name to «读书会»"
    assert {e.group_key for e in events} == {"1500000001"}


def test_account_export_gives_one_group_per_chat() -> None:
    account = {"about": "Here is the data you requested.",
               "chats": {"about": "…", "list": [
                   {**GROUP, "id": 11, "name": "A"},
                   {"name": "B", "type": "personal_chat", "id": 12, "messages": [
                       {"id": 1, "type": "message", "date_unixtime": "1700000000",
                        "from": "Zed", "from_id": "user9", "text": "hi"}]}]},
               "left_chats": {"list": [
                   {"name": "C", "type": "private_group", "id": 13, "messages": [
                       {"id": 1, "type": "message", "date_unixtime": "1600000000",
                        "from": "Yan", "from_id": "user8", "text": "bye"}]}]}}
    events = parse_json(account)
    assert Counter(e.group_key for e in events) == {"11": 11, "12": 1, "13": 1}
    assert {e.group_name for e in events} == {"A", "B", "C"}


def test_bad_input_gives_clear_errors() -> None:
    raw = json.dumps(GROUP).encode()
    for data, message in [(b"", "empty"), (raw[: len(raw) // 2], "JSON"),
                          (b'{"messages": 5}', "Telegram")]:
        with pytest.raises(ImportFailed, match=message):
            list(telegram.parse(Unit.from_bytes(data, "r.json"), ParseContext(label="r.json")))


def test_a_bad_record_is_skipped_and_counted() -> None:
    broken = {**GROUP, "messages": [*GROUP["messages"][:3],  # type: ignore[misc]
                                    {"id": 99, "type": "message", "date_unixtime": "never",
                                     "from": "X", "text": "?"}]}
    ctx = ParseContext(label="r.json", tz=SH)
    events = list(telegram.parse(Unit.from_bytes(json.dumps(broken).encode(), "r.json"), ctx))
    assert len(events) == 5 and ctx.skipped == 1 and "r.json:" in ctx.errors[0]
    with pytest.raises(ImportFailed, match=r"^result\.json:4: expected a Telegram message"):
        parse_json(broken, strict=True)


def test_other_json_is_not_telegram() -> None:
    for path in [SHARED / "discord/chat-analytics/DM_2A_2M.json",
                 SHARED / "qq/qq-chat-exporter/JsonExporter.groupMixedMedia.snap.json"]:
        assert telegram.detect(Unit.from_path(path)) is None


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_events_or_a_clean_error(data: bytes) -> None:
    with contextlib.suppress(ImportFailed):
        list(telegram.parse(Unit.from_bytes(data, "r.json"), ParseContext(label="r.json")))


JSONISH = st.recursive(st.none() | st.booleans() | st.integers()
                       | st.text(st.characters(exclude_categories=["Cs"]), max_size=5),
                       lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.sampled_from(
                           ["id", "type", "date", "date_unixtime", "from", "from_id", "text",
                            "action", "members", "actor", "reply_to_message_id", "file",
                            "media_type", "text_entities", "photo"]), inner, max_size=5),
                       max_leaves=10)


@settings(max_examples=80, deadline=None)
@given(st.lists(JSONISH, max_size=4))
def test_arbitrary_records_give_events_or_a_clean_error(records: list[object]) -> None:
    with contextlib.suppress(ImportFailed):
        parse_json({"name": "x", "id": 1, "messages": records})


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["Ann", "李雷", "Zoë"]),
                          st.text(st.characters(exclude_categories=["Cs"]), min_size=1,
                                  max_size=30)), min_size=1, max_size=10))
def test_written_exports_round_trip(rows: list[tuple[int, str, str]]) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ids = {"Ann": "user1", "李雷": "user2", "Zoë": "user3"}
    messages, ts = [], start
    for n, (step, name, text) in enumerate(rows, start=1):
        ts += timedelta(seconds=step)
        messages.append({"id": n, "type": "message", "date_unixtime": str(int(ts.timestamp())),
                         "from": name, "from_id": ids[name], "text": text})
    events = parse_json({"name": "g", "type": "private_group", "id": 5, "messages": messages})
    assert [(e.timestamp, e.sender_key, e.sender_name, e.text, e.message_id) for e in events] \
        == [(datetime.fromtimestamp(int(m["date_unixtime"]), UTC), m["from_id"], m["from"],
             m["text"], str(m["id"])) for m in messages]
