"""DiscordChatExporter JSON and CSV: the fixtures, CSV files in the exporter's layout,
bad input, Hypothesis."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, discord
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit
from tests.ingest.fixtures import SHARED

SH = ZoneInfo("Asia/Shanghai")
K = MessageKind
DC = SHARED / "discord" / "chat-analytics"


def parse_path(path: Path) -> list[ChatEvent]:
    (unit,) = list(detect.expand(path))
    return list(discord.parse(unit, ParseContext(label=unit.label, tz=SH)))


def parse_bytes(data: bytes, name: str, **ctx: object) -> list[ChatEvent]:
    return list(discord.parse(Unit.from_bytes(data, name),
                              ParseContext(label=name, tz=SH, **ctx)))  # type: ignore[arg-type]


def ms(text: str) -> datetime:
    return datetime.fromisoformat(text)


# Figures read off the files with json.load: messages[], their author ids, types, timestamps.
FIGURES = {
    # 2 Default messages and a Call; authors 111… and 444… (nickname "Someones nickname")
    "DM_2A_2M.json": dict(events=3, senders={"111111111111111111", "444444444444444444"},
                          first=ms("2019-01-04T17:52:39.762+00:00"),
                          last=ms("2020-07-17T17:03:14.366+00:00"),
                          kinds={"text": 2, "system": 1}, group="Someones name"),
    # ChannelNameChange, ChannelIconChange, Call and 3 Default messages (one a reply)
    "GC_3A_5M.json": dict(events=6, senders={"111111111111111111", "222222222222222222",
                                             "333333333333333333"},
                          first=ms("2023-01-17T19:33:07.489+00:00"),
                          last=ms("2023-03-03T14:47:59.187+00:00"),
                          kinds={"rename": 1, "system": 2, "text": 3}, group="a group chat"),
    # 5 records, the first twice with the same id (the loader stores it once); one with
    # attachments and stickers
    "SV_5A_5M.json": dict(events=5, senders={"111111111111111111", "555555555555555555"},
                          first=ms("2018-05-20T16:09:44.209+00:00"),
                          last=ms("2018-05-20T16:09:51.118+00:00"),
                          kinds={"text": 4, "image": 1}, group="DefleMask / #general-chiptune"),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_fixture_figures(name: str) -> None:
    want = FIGURES[name]
    events = parse_path(DC / name)
    assert len(events) == want["events"]
    assert {e.sender_key for e in events} == want["senders"]
    assert (min(e.timestamp for e in events), max(e.timestamp for e in events)) == \
        (want["first"], want["last"])
    assert dict(Counter(e.kind.value for e in events)) == want["kinds"]
    assert {e.group_name for e in events} == {want["group"]}
    assert all(e.message_id for e in events) and not any(e.sender_key_weak for e in events)
    (unit,) = list(detect.expand(DC / name))
    assert detect.detect(unit).format == "discord"


def test_nickname_reply_and_duplicate_id() -> None:
    group_chat = {e.message_id: e for e in parse_path(DC / "GC_3A_5M.json")}
    assert group_chat["1064990824305274930"].sender_name == "theplant"  # nickname over name
    assert group_chat["530805779645595660"].reply_to == "1064990824305274930"
    server = parse_path(DC / "SV_5A_5M.json")
    assert len({e.message_id for e in server}) == 4


def write_csv(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(discord.CSV_HEADER.split(","))
    for author_id, author, date, content, attachments in rows:
        writer.writerow([author_id, author, date, content, attachments, ""])
    return out.getvalue().encode("utf-8-sig")


CSV_NAME = "读书会 - 闲聊 - general [987654321].csv"


def test_csv_export_with_multi_line_content_system_rows_and_old_dates() -> None:
    data = write_csv([
        ("1", "ann", "2024-03-01T20:00:00.123+08:00", "大家好\n第二行", ""),
        ("2", "ben", "2024-03-01T20:01:00+08:00", "", "https://cdn.example/a/photo.png"),
        ("2", "ben", "12-Sep-20 06:02 PM", "Joined the server.", ""),
        ("3", "cleo", "2024-03-01T20:03:00+08:00", "Started a call that lasted 5 minutes.", ""),
    ])
    events = parse_bytes(data, CSV_NAME)
    assert [(e.sender_key, e.kind, e.text) for e in events] == [
        ("1", K.TEXT, "大家好\n第二行"), ("2", K.IMAGE, ""),
        ("2", K.JOIN, "Joined the server."), ("3", K.SYSTEM,
                                              "Started a call that lasted 5 minutes.")]
    assert events[0].timestamp == datetime(2024, 3, 1, 20, 0, 0, 123000, tzinfo=SH)
    assert events[2].timestamp == datetime(2020, 9, 12, 18, 2, tzinfo=SH)
    assert {e.group_key for e in events} == {"987654321"}
    assert detect.detect(Unit.from_bytes(data, CSV_NAME)).format == "discord"


def test_csv_bad_row_is_counted_and_strict_stops() -> None:
    data = write_csv([("1", "ann", "2024-03-01T20:00:00+08:00", "ok", ""),
                      ("1", "ann", "not a date", "?", ""),
                      ("1", "ann", "2024-03-01T20:02:00+08:00", "on", "")])
    ctx = ParseContext(label="x.csv", tz=SH)
    events = list(discord.parse(Unit.from_bytes(data, "x.csv"), ctx))
    assert [e.text for e in events] == ["ok", "on"] and ctx.skipped == 1
    with pytest.raises(ParseError, match=r"^x\.csv:3: expected"):
        parse_bytes(data, "x.csv", strict=True)


def test_bad_json_gives_clear_errors() -> None:
    raw = (DC / "GC_3A_5M.json").read_bytes()
    for data, message in [(b"", "empty"), (raw[: len(raw) // 2], "JSON"),
                          (b'{"guild": {}, "channel": {}, "messages": 3}', "messages")]:
        with pytest.raises(ImportFailed, match=message):
            parse_bytes(data, "d.json")


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_events_or_a_clean_error(data: bytes) -> None:
    for name in ("d.json", "d.csv"):
        with contextlib.suppress(ImportFailed):
            parse_bytes(data, name)
        with contextlib.suppress(ImportFailed):
            parse_bytes(b'{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [' + data,
                        name)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["ann", "李雷", "zoë"]),
                          # a lone CR inside a CSV field reads as a line break (universal
                          # newlines), so generated texts leave it out
                          # (and no lone surrogates: an export file is valid UTF-8)
                          st.text(st.characters(exclude_characters="\r",
                                                exclude_categories=["Cs"]),
                                  min_size=1, max_size=40)), min_size=1, max_size=10),
       st.booleans())
def test_written_exports_round_trip(rows: list[tuple[int, str, str]], as_csv: bool) -> None:
    ids = {"ann": "11", "李雷": "22", "zoë": "33"}
    start = datetime(2024, 1, 1, tzinfo=UTC)
    expected, ts = [], start
    for step, name, text in rows:
        ts += timedelta(milliseconds=step)
        expected.append((ts, ids[name], name, text))
    if as_csv:
        data = write_csv([(i, n, t.isoformat(), x, "") for t, i, n, x in expected])
        events = parse_bytes(data, CSV_NAME)
        # a text that reads like one of the exporter's system notices is taken as one
        expected = [row for row in expected if not any(
            p.fullmatch(row[3]) for p, _k in discord._CSV_SYSTEM)]
        events = [e for e in events if e.kind is K.TEXT]
    else:
        export = {"guild": {"id": "1", "name": "G"}, "channel": {"id": "2", "name": "c"},
                  "messages": [{"id": str(k), "type": "Default", "timestamp": t.isoformat(),
                                "content": x, "author": {"id": i, "name": n}}
                               for k, (t, i, n, x) in enumerate(expected)]}
        events = parse_bytes(json.dumps(export).encode(), "d.json")
    assert [(e.timestamp, e.sender_key, e.sender_name, e.text) for e in events] == expected
