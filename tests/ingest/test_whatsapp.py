"""WhatsApp "Export chat" text files: every fixture, layouts, bad input, Hypothesis."""

from __future__ import annotations

import contextlib
import zipfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, whatsapp
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit
from tests.ingest.fixtures import SHARED

SH = ZoneInfo("Asia/Shanghai")
K = MessageKind
WA = SHARED / "whatsapp"


def parse_path(path: Path, **ctx: object) -> tuple[list[ChatEvent], ParseContext]:
    (unit,) = list(detect.expand(path))
    context = ParseContext(label=unit.label, tz=SH, **ctx)  # type: ignore[arg-type]
    return list(whatsapp.parse(unit, context)), context


def parse_bytes(data: bytes, name: str = "chat.txt", **ctx: object) -> list[ChatEvent]:
    return list(whatsapp.parse(Unit.from_bytes(data, name),
                               ParseContext(label=name, tz=SH, **ctx)))  # type: ignore[arg-type]


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SH)


# Each figure was read off the file: headers counted by eye (and `grep -c` of the header
# pattern), system lines are those without "Name: ", senders are the distinct names before
# ": " (the chat-miner files: John Doe, Jahn Doe, John-John Doe, "+12 345 578" who created
# the group, "John Doe 🤓" and "🤓"). first/last are the earliest and latest stamps.
CHAT_MINER = dict(events=9, senders=6, first=at(2019, 1, 1, 11, 25), last=at(2021, 12, 30, 22, 1),
                  kinds={"text": 6, "system": 3})
FIGURES = {
    "chat-miner/test_[mmddyy]_24hrs.txt": CHAT_MINER,
    "chat-miner/test_ddmmyy_24hrs.txt": CHAT_MINER,
    "chat-miner/test_mmddyy_24hrs.txt": CHAT_MINER,
    "chat-miner/test_mmddyyyy_12hrs.txt": CHAT_MINER,
    "chat-miner/test_yyyymmdd_24hrs.txt": CHAT_MINER,
    # 5 headers, the 4th a "<media omitted>" placeholder, the 5th out of order (12:02)
    "chat-analytics/2A_5M.txt": dict(events=5, senders=2, first=at(2021, 1, 1, 12, 0),
                                     last=at(2021, 1, 1, 12, 3),
                                     kinds={"text": 4, "image": 1}),
    # encryption notice, "Alice created group", "Alice added you", 11 messages of
    # Alice, Bob, Eve, Mallory, Trent; the group was created at 23:16, before the notice
    "chat-analytics/4A_11M.txt": dict(events=14, senders=5, first=at(2020, 12, 9, 23, 16),
                                      last=at(2020, 12, 9, 23, 56),
                                      kinds={"system": 3, "text": 11}),
    "chat-analytics/4A_11M.zip": dict(events=14, senders=5, first=at(2020, 12, 9, 23, 16),
                                      last=at(2020, 12, 9, 23, 56),
                                      kinds={"system": 3, "text": 11}),
    # two encryption notices, 18 messages from 8 people, DD.MM.YYYY dates
    "whatstk/pokemon.txt": dict(events=20, senders=8, first=at(2016, 4, 15, 15, 4),
                                last=at(2016, 10, 31, 12, 23), kinds={"system": 2, "text": 18}),
    # 500 bracketed headers (grep -c '^\['), 4 senders (sed + sort | uniq -c: 145, 124, 118,
    # 113), in time order
    "whatstk/lorem.txt": dict(events=500, senders=4, first=at(2020, 1, 15, 2, 22, 56),
                              last=at(2020, 5, 11, 22, 32, 48), kinds={"text": 500}),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_fixture_figures(name: str) -> None:
    want = FIGURES[name]
    events, ctx = parse_path(WA / name)
    assert len(events) == want["events"]
    assert len({e.sender_key for e in events if e.sender_key}) == want["senders"]
    stamps = [e.timestamp for e in events]
    assert (min(stamps), max(stamps)) == (want["first"], want["last"])
    assert dict(Counter(e.kind.value for e in events)) == want["kinds"]
    assert ctx.skipped == 0
    assert all(e.sender_key_weak for e in events if e.sender_key)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_fixture_is_detected_as_whatsapp(name: str) -> None:
    for unit in detect.expand(WA / name):
        assert detect.detect(unit).format == "whatsapp"


def test_multi_line_message_and_odd_senders() -> None:
    events, _ = parse_path(WA / "chat-miner" / "test_mmddyyyy_12hrs.txt")
    texts = {(e.sender_name, e.text) for e in events}
    assert ("Jahn Doe", "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.") \
        in texts
    # a colon inside the text stays in the text; an emoji-only name is a name
    assert ("John-John Doe", "Lorem ipsum : dolor sit amet.") in texts
    assert ("🤓", "Lorem ipsum 🤓") in texts
    # Spanish 12-hour clock: "00:08 a. m." is just after midnight, "03:55 p. m." afternoon
    assert at(2020, 6, 20, 0, 8) in {e.timestamp for e in events}
    assert at(2020, 6, 10, 15, 55) in {e.timestamp for e in events}


def test_all_date_orders_give_the_same_events() -> None:
    runs = [[(e.timestamp, e.sender_name, e.kind, e.text) for e in parse_path(path)[0]]
            for path in sorted((WA / "chat-miner").glob("*.txt"))]
    assert all(run == runs[0] for run in runs)


def test_zip_and_txt_are_the_same_chat() -> None:
    txt, _ = parse_path(WA / "chat-analytics" / "4A_11M.txt")
    zipped, _ = parse_path(WA / "chat-analytics" / "4A_11M.zip")
    assert [e.content_key() for e in txt] == [e.content_key() for e in zipped]
    assert {e.group_key for e in txt} == {e.group_key for e in zipped} == {"whatsapp:4A_11M"}


def test_system_lines_name_who_joined_and_left() -> None:
    data = ("5/6/23, 10:00 - Anna created group \"读书会\"\n"
            "5/6/23, 10:01 - Anna added Ben and 李雷\n"
            "5/6/23, 10:02 - Ben left\n"
            "5/6/23, 10:03 - 李雷: 大家好\n").encode()
    events = parse_bytes(data)
    assert [(e.kind, e.sender_name) for e in events] == [
        (K.SYSTEM, "Anna"), (K.JOIN, "Ben"), (K.JOIN, "李雷"), (K.LEAVE, "Ben"),
        (K.TEXT, "李雷")]


@pytest.mark.parametrize(("lines", "expected"), [
    (["Anna hat die Gruppe \"Lesekreis\" erstellt", "Anna hat Ben hinzugefügt",
      "Ben hat die Gruppe verlassen", "Anna: <Medien ausgeschlossen>"],
     [(K.SYSTEM, "Anna"), (K.JOIN, "Ben"), (K.LEAVE, "Ben"), (K.IMAGE, "Anna")]),
    (["Ana creó el grupo \"Lectura\"", "Ana añadió a Beto", "Beto salió del grupo",
      "Ana: <Multimedia omitido>", "Beto: Se eliminó este mensaje."],
     [(K.SYSTEM, "Ana"), (K.JOIN, "Beto"), (K.LEAVE, "Beto"), (K.IMAGE, "Ana"),
      (K.RECALL, "Beto")]),
    (["王芳创建了群组“读书会”", "王芳添加了李雷", "李雷退出了群聊", "王芳: <省略影音内容>",
      "王芳: 此消息已删除"],
     [(K.SYSTEM, "王芳"), (K.JOIN, "李雷"), (K.LEAVE, "李雷"), (K.IMAGE, "王芳"),
      (K.RECALL, "王芳")]),
], ids=["de", "es", "zh"])
def test_system_lines_and_placeholders_in_other_languages(
        lines: list[str], expected: list[tuple[MessageKind, str]]) -> None:
    data = "".join(f"5/6/23, 10:{n:02d} - {line}\n" for n, line in enumerate(lines)).encode()
    assert [(e.kind, e.sender_name) for e in parse_bytes(data)] == expected


def test_ios_layout_with_media_placeholders_and_narrow_spaces() -> None:
    data = ("[1/15/21, 3:05:07\u202fPM] Bob: \u200eimage omitted\n"
            "[1/15/21, 3:06:00\u202fPM] Bob: \u200edocument omitted\n"
            "[1/15/21, 3:07:00\u202fPM] Ann: hi\n").encode()
    events = parse_bytes(data)
    assert [(e.kind, e.timestamp.hour) for e in events] == [
        (K.IMAGE, 15), (K.FILE, 15), (K.TEXT, 15)]
    assert events[0].text == "image omitted"


def test_chinese_locale_with_half_day_words() -> None:
    events = parse_bytes("2023/5/6 下午3:05 - 王芳: 你好\n2023/5/6 上午9:00 - 王芳: 早\n"
                         .encode())
    assert [e.timestamp for e in events] == [at(2023, 5, 6, 15, 5), at(2023, 5, 6, 9, 0)]


def test_crlf_bom_and_gb18030_read_like_utf8() -> None:
    text = "1/2/21, 10:00 - 小明: 第一行\n第二行\n1/2/21, 10:01 - 小红: 好\n"
    plain = parse_bytes(text.encode())
    for variant in (b"\xef\xbb\xbf" + text.encode(), text.replace("\n", "\r\n").encode(),
                    text.encode("gb18030")):
        assert [(e.sender_name, e.text) for e in parse_bytes(variant)] == \
            [(e.sender_name, e.text) for e in plain]
    assert plain[0].text == "第一行\n第二行"


def test_a_bad_line_is_counted_and_strict_mode_stops_there() -> None:
    data = "1/2/21, 10:00 - A: ok\n13/45/21, 10:01 - B: no such date\n1/2/21, 10:02 - A: on\n"
    ctx = ParseContext(label="chat.txt", tz=SH)
    events = list(whatsapp.parse(Unit.from_bytes(data.encode(), "chat.txt"), ctx))
    assert [e.text for e in events] == ["ok", "on"]
    assert ctx.skipped == 1 and ctx.errors[0].startswith("chat.txt:2: expected a valid date")
    with pytest.raises(ParseError, match=r"^chat\.txt:2: expected a valid date"):
        parse_bytes(data.encode(), strict=True)


def test_a_file_of_another_kind_is_refused() -> None:
    with pytest.raises(ImportFailed, match="empty"):
        parse_bytes(b"")
    assert whatsapp.detect(Unit.from_bytes("购物清单：苹果\n牛奶\n".encode())) is None
    assert whatsapp.detect(Unit.from_path(SHARED / "irc/irclog2html/2005-01-08-test1.log")) \
        is None


def test_zip_with_media_imports_only_the_chat(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat with 读书会.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("_chat.txt", "[1/2/21, 10:00:00] A: hi\n")
        z.writestr("IMG-0001.jpg", b"\xff\xd8\xff")
    units = list(detect.expand(archive))
    assert [u.name for u in units] == ["_chat.txt"]
    (event,) = list(whatsapp.parse(units[0], ParseContext(label="x", tz=SH)))
    assert event.group_name == "读书会"


# -- Hypothesis ---------------------------------------------------------------------------

@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_events_or_a_clean_error(data: bytes) -> None:
    with contextlib.suppress(ImportFailed):
        parse_bytes(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_valid_header(data: bytes) -> None:
    with contextlib.suppress(ImportFailed):
        parse_bytes(b"1/2/21, 10:00 - A: hi\n" + data)


NAMES = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12) \
    .map(str.strip).filter(bool)
LINE = st.text(st.characters(categories=["L", "N", "P", "Zs", "So"], exclude_characters="\u200e"),
               min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def chats(draw: st.DrawFn) -> list[tuple[datetime, str, str]]:
    start = datetime(2021, 3, 13, 0, 0, tzinfo=SH)  # day 13: the order is never in doubt
    messages, ts = [], start
    for _ in range(draw(st.integers(1, 12))):
        ts += timedelta(minutes=draw(st.integers(0, 3000)))
        lines = draw(st.lists(LINE, min_size=1, max_size=3))
        messages.append((ts, draw(NAMES), "\n".join(lines)))
    return messages


def write(messages: list[tuple[datetime, str, str]], layout: str) -> bytes:
    out = []
    for ts, name, text in messages:
        if layout == "android-us":
            stamp = f"{ts.month}/{ts.day}/{ts:%y}, {ts:%H:%M} - "
        elif layout == "android-de":
            stamp = f"{ts:%d.%m.%Y}, {ts:%H:%M} - "
        elif layout == "ios":
            hour = ts.hour % 12 or 12
            stamp = f"[{ts.day}/{ts.month}/{ts:%y}, {hour}:{ts:%M:%S}\u202f{ts:%p}] "
        else:  # 12-hour US Android
            stamp = f"{ts.month}/{ts.day}/{ts:%Y}, {ts.hour % 12 or 12}:{ts:%M} {ts:%p} - "
        out.append(f"{stamp}{name}: {text}\n")
    return "".join(out).encode()


@settings(max_examples=60, deadline=None)
@given(chats(), st.sampled_from(["android-us", "android-de", "ios", "android-12h"]))
def test_written_exports_round_trip(messages: list[tuple[datetime, str, str]],
                                    layout: str) -> None:
    events = parse_bytes(write(messages, layout))
    assert [(e.timestamp, e.sender_name, e.text) for e in events] == messages


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_chunk_boundaries_change_nothing(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """The parser scans the file in chunks; messages and bad-line numbers must not depend
    on where a chunk ends (here: inside headers, bodies and multi-byte characters)."""
    from qunzhu.ingest import base

    data = ("stray line\n1/2/21, 10:00 - 小明: 第一行\n第二行\n\n13/45/21, 10:01 - B: bad\n"
            "more of bad\n1/2/21, 10:02 - 小红: 好\n").encode()
    ctx = ParseContext(label="c.txt", tz=SH)
    whole = [(e.sender_name, e.text) for e in whatsapp.parse(Unit.from_bytes(data, "c.txt"),
                                                             ctx)]
    monkeypatch.setattr(base, "CHUNK_CHARS", chunk)
    small = ParseContext(label="c.txt", tz=SH)
    pieces = [(e.sender_name, e.text)
              for e in whatsapp.parse(Unit.from_bytes(data, "c.txt"), small)]
    assert pieces == whole == [("小明", "第一行\n第二行"), ("小红", "好")]
    assert small.errors == ctx.errors and [e.split(":")[1] for e in ctx.errors] == ["1", "5"]
    lorem = WA / "whatstk" / "lorem.txt"
    assert [e.text for e in parse_path(lorem)[0]] == \
        [e.text for e in whatsapp.parse(Unit.from_path(lorem), ParseContext(label="l"))]
