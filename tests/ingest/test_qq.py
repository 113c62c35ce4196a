"""QQ message manager (消息管理器) text exports: the shared fixture, a realistic sample written
here (the only real-format excerpts found were inline in other projects' code, see
SOURCES.md), encodings, bad lines, and Hypothesis."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, qq
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit
from tests.ingest.fixtures import SHARED

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURE = SHARED / "qq" / "qq-chat-history" / "file.txt"
K = MessageKind

# A message manager export in the layout QQ writes: preamble, "===" framed section lines,
# two chats ("export all"), system lines, a 12-hour clock, an e-mail account, placeholders.
SAMPLE = """消息记录（此消息记录为文本格式，不支持重新导入）

================================================================
消息分组:我的群聊
================================================================
消息对象:读书会
================================================================

2019-09-23 20:43:38 小明(87200175)
大家好
今天读什么？

2019-09-23 20:44:01 阿花<flower@example.com>
[图片]

2019-09-23 8:45:10 PM 小明(87200175)
第一段

第三段

2019-09-23 20:46:00 系统消息(10000)
小红(12345678) 加入本群。

2019-09-23 20:47:00 系统消息(10000)
小明(87200175) 邀请 老王(55555555)、老李(66666666) 加入了本群。

2019-09-23 20:48:00 小红(12345678)
[表情][表情]

2019-09-23 20:49:00 小红(12345678)
小红撤回了一条消息

2019-09-23 20:50:00 系统消息(10000)
老王(55555555) 退出了本群。

2019-09-23 20:51:00 小明(87200175)
[文件]读书清单.xlsx

================================================================
消息分组:我的群聊
================================================================
消息对象:跑步群
================================================================

2019-09-24 07:00:00 阿花<flower@example.com>
早上好

2019-09-24 07:01:00 系统消息(10000)
某人撤回了一条消息
"""


def _events(unit: Unit, **options: object) -> tuple[list[ChatEvent], ParseContext]:
    ctx = ParseContext(label=unit.label, **options)  # type: ignore[arg-type]
    return list(qq.parse(unit, ctx)), ctx


def _sample_unit(text: str = SAMPLE, encoding: str = "utf-8", newline: str = "\n",
                 name: str = "全部消息记录.txt") -> Unit:
    return Unit.from_bytes(text.replace("\n", newline).encode(encoding), name)


# -- the shared fixture ----------------------------------------------------------------------

def test_fixture_file_txt():
    # Verified by reading the file (9 lines): a fake "===" preamble, then two headers
    # "1883-03-07 11:22:33 A(123123)" / "1883-03-07 12:34:56 B(456456)" with one line each.
    events, ctx = _events(Unit.from_path(FIXTURE))
    assert len(events) == 2 and ctx.skipped == 0
    assert [e.sender_key for e in events] == ["123123", "456456"]
    assert len({e.sender_key for e in events}) == 2
    assert [e.sender_name for e in events] == ["A", "B"]
    assert [e.text for e in events] == ["A", "B"]
    assert events[0].timestamp == datetime(1883, 3, 7, 11, 22, 33, tzinfo=SHANGHAI)
    assert events[-1].timestamp == datetime(1883, 3, 7, 12, 34, 56, tzinfo=SHANGHAI)
    assert Counter(e.kind for e in events) == {K.TEXT: 2}
    assert all(not e.sender_key_weak and e.group_key == "qq:file" for e in events)
    assert events[0].group_name == "file"


def test_fixture_in_gb18030_and_crlf_parses_the_same(tmp_path: Path):
    original, _ = _events(Unit.from_path(FIXTURE))
    copy = tmp_path / "file.txt"
    copy.write_bytes(FIXTURE.read_text("utf-8").replace("\n", "\r\n").encode("gb18030"))
    again, ctx = _events(Unit.from_path(copy))
    assert again == original
    assert ctx.encoding == "gb18030"


def test_group_option_names_the_chat():
    events, _ = _events(Unit.from_path(FIXTURE), group_name="老友群")
    assert {(e.group_key, e.group_name) for e in events} == {("qq:老友群", "老友群")}


# -- detection -------------------------------------------------------------------------------

def test_fixture_is_detected_as_qq():
    [unit] = list(detect.expand(FIXTURE))
    assert detect.detect(unit).format == "qq"


def test_sample_is_detected_as_qq_and_other_formats_are_not():
    assert detect.detect(_sample_unit()).format == "qq"
    assert detect.detect(_sample_unit(encoding="gb18030")).format == "qq"
    qce_txt = SHARED / "qq" / "qq-chat-exporter" / "TextExporter.groupMixedMedia.snap.txt"
    assert qq.detect(Unit.from_path(qce_txt)) is None
    for other in (SHARED / "whatsapp" / "whatstk" / "lorem.txt",
                  SHARED / "irc" / "irclog2html" / "2005-01-09-test2.log",
                  SHARED / "irc" / "irclog2html" / "dircproxy-example.log",
                  SHARED / "telegram" / "chat-analytics" / "DM_2A_7M.json"):
        assert qq.detect(Unit.from_path(other)) is None, other


def test_manifest_qq_units_are_detected_as_qq_or_qce():
    # MANIFEST.tsv names the platform ("qq") for both QQ layouts; the QQ Chat Exporter
    # files have their own parser, "qce"
    rows = [line.split("\t") for line in (SHARED / "MANIFEST.tsv").read_text("utf-8")
            .splitlines()[1:] if line.strip()]
    qq_rows = [r for r in rows if r[1] == "qq"]
    assert len(qq_rows) == 4
    for path, _format, *_rest in qq_rows:
        for unit in detect.expand(SHARED / path):
            want = "qce" if "qq-chat-exporter" in path else "qq"
            assert detect.detect(unit).format == want, path


def test_no_other_fixture_is_claimed_by_qq():
    for path in sorted(SHARED.iterdir()):
        if not path.is_dir():
            continue
        for unit in detect.expand(path):
            if unit.label.endswith("qq-chat-history/file.txt"):
                continue
            assert qq.detect(unit) is None, unit.label


# -- the realistic sample --------------------------------------------------------------------

def test_sample_sections_become_groups():
    events, ctx = _events(_sample_unit())
    assert ctx.skipped == 0
    # counted by hand: 读书会 has 9 headers, the invitation names two people (two events),
    # so 10 events; 跑步群 has 2 headers
    assert Counter(e.group_name for e in events) == {"读书会": 10, "跑步群": 2}
    assert {e.group_key for e in events} == {"qq:读书会", "qq:跑步群"}
    kinds = Counter(e.kind for e in events if e.group_name == "读书会")
    assert kinds == {K.TEXT: 2, K.IMAGE: 1, K.JOIN: 3, K.STICKER: 1, K.RECALL: 1,
                     K.LEAVE: 1, K.FILE: 1}


def test_sample_messages_in_detail():
    events, _ = _events(_sample_unit())
    first, image, paragraphs, joined, invited_1, invited_2 = events[:6]
    assert first.text == "大家好\n今天读什么？" and first.sender_key == "87200175"
    assert first.timestamp == datetime(2019, 9, 23, 20, 43, 38, tzinfo=SHANGHAI)
    assert (image.sender_key, image.sender_name, image.kind) == (
        "flower@example.com", "阿花", K.IMAGE)
    # 12-hour clock, and a blank line inside a message is kept (the one after it is not)
    assert paragraphs.timestamp == datetime(2019, 9, 23, 20, 45, 10, tzinfo=SHANGHAI)
    assert paragraphs.text == "第一段\n\n第三段"
    assert (joined.kind, joined.sender_key, joined.sender_name) == (K.JOIN, "12345678", "小红")
    assert [(e.kind, e.sender_key) for e in (invited_1, invited_2)] == [
        (K.JOIN, "55555555"), (K.JOIN, "66666666")]
    recall = events[7]
    assert (recall.kind, recall.sender_key, recall.text) == (K.RECALL, "12345678",
                                                             "小红撤回了一条消息")
    leave = events[8]
    assert (leave.kind, leave.sender_key) == (K.LEAVE, "55555555")
    assert events[9].text == "[文件]读书清单.xlsx" and events[9].kind is K.FILE
    # a system recall that names no account: a weak key for the name
    last = events[-1]
    assert (last.kind, last.sender_name, last.sender_key_weak) == (K.RECALL, "某人", True)
    assert all(not e.sender_key_weak for e in events[:-1])


def test_encodings_and_line_ends_give_the_same_events(tmp_path: Path):
    expected, _ = _events(_sample_unit())
    for encoding, newline in (("gb18030", "\r\n"), ("gbk", "\n"), ("utf-8-sig", "\r\n"),
                              ("utf-16", "\r\n")):
        path = tmp_path / f"export-{encoding}.txt"
        path.write_bytes(SAMPLE.replace("\n", newline).encode(encoding))
        got, ctx = _events(Unit.from_path(path))
        assert [_plain(e) for e in got] == [_plain(e) for e in expected], encoding
        assert ctx.skipped == 0


def _plain(event: ChatEvent) -> tuple[object, ...]:
    return (event.sender_key, event.sender_name, event.timestamp, event.kind, event.text,
            event.group_name)


def test_headers_without_number_in_a_private_chat():
    text = ("消息记录（此消息记录为文本格式，不支持重新导入）\n\n"
            "================================================================\n"
            "消息分组:我的好友\n"
            "================================================================\n"
            "消息对象:老王\n"
            "================================================================\n\n"
            "2020-01-01 10:00:00 老王\n在吗\n2020-01-01 10:00:01 这行不是标题\n\n"
            "2020-01-01 10:01:00 我\n在\n")
    events, ctx = _events(_sample_unit(text))
    assert ctx.skipped == 0
    assert [(e.sender_name, e.text) for e in events] == [
        ("老王", "在吗\n2020-01-01 10:00:01 这行不是标题"), ("我", "在")]
    assert all(e.sender_key_weak for e in events)


# -- bad input -------------------------------------------------------------------------------

def test_empty_file_fails():
    with pytest.raises(ImportFailed, match="empty"):
        _events(Unit.from_bytes(b"", "empty.txt"))
    with pytest.raises(ImportFailed, match="empty"):
        _events(Unit.from_bytes(b"\r\n  \n", "blank.txt"))


BAD = SAMPLE.replace("2019-09-23 20:48:00 小红(12345678)", "2019-02-30 20:48:00 小红(12345678)")


def test_a_header_with_an_impossible_date_is_skipped_and_counted():
    events, ctx = _events(_sample_unit(BAD, name="bad.txt"))
    good, _ = _events(_sample_unit())
    assert ctx.skipped == 1
    assert len(events) == len(good) - 1  # the "[表情][表情]" message went with its header
    assert K.STICKER not in {e.kind for e in events}
    line = BAD.splitlines().index("2019-02-30 20:48:00 小红(12345678)") + 1
    assert ctx.errors == [f"bad.txt:{line}: expected a valid date and time in a QQ message "
                          f"header, got '2019-02-30 20:48:00 小红(12345678)'"]


def test_strict_mode_stops_at_the_bad_line():
    with pytest.raises(ParseError, match=r"^bad\.txt:\d+: expected a valid date"):
        _events(_sample_unit(BAD, name="bad.txt"), strict=True)


def test_garbage_between_a_section_header_and_its_first_message():
    text = SAMPLE.replace("消息对象:跑步群\n================================================="
                          "===============\n",
                          "消息对象:跑步群\n================================================="
                          "===============\n\x00\x01 garbage\n")
    events, ctx = _events(_sample_unit(text, name="g.txt"))
    assert ctx.skipped == 1 and "expected a QQ message header" in ctx.errors[0]
    assert len(events) == 12


# -- Hypothesis ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_events_or_import_failed(data: bytes):
    try:
        for event in qq.parse(Unit.from_bytes(data, "x.txt"), ParseContext(label="x.txt")):
            assert isinstance(event, ChatEvent)
    except ImportFailed:
        pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_after_a_valid_header(data: bytes):
    head = b"2020-01-01 10:00:00 A(12345)\nhello\n\n"
    with contextlib.suppress(ImportFailed):
        list(qq.parse(Unit.from_bytes(head + data, "y.txt"), ParseContext(label="y.txt")))


_WORD = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                       blacklist_characters="\u0085"),
                min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join).filter(
    lambda n: n not in ("系统消息", "你", "您", "我"))
_LINE = st.lists(st.one_of(_WORD, st.sampled_from(["，", "。", "！", "?", "…"])),
                 min_size=1, max_size=6).map(" ".join)
_TEXT = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)
_KIND_TEXTS = {K.IMAGE: "[图片]", K.STICKER: "[表情]", K.FILE: "[文件]笔记.pdf",
               K.VOICE: "[语音]", K.RED_ENVELOPE: "[QQ红包]恭喜发财"}


@st.composite
def _messages(draw: st.DrawFn) -> list[tuple[str, str, datetime, MessageKind, str]]:
    count = draw(st.integers(min_value=1, max_value=8))
    start = draw(st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2030, 1, 1)))
    # (10000 is QQ's "系统消息" account, whose lines are system notices)
    people = draw(st.lists(st.tuples(_NAME, st.integers(10001, 9_999_999_999)), min_size=1,
                           max_size=4, unique_by=lambda p: p[1]))
    found = []
    when = start.replace(microsecond=0, tzinfo=SHANGHAI)
    for _ in range(count):
        name, number = draw(st.sampled_from(people))
        kind = draw(st.sampled_from([K.TEXT, K.TEXT, K.TEXT, *_KIND_TEXTS]))
        text = draw(_TEXT) if kind is K.TEXT else _KIND_TEXTS[kind]
        when += timedelta(seconds=draw(st.integers(0, 100_000)))
        found.append((name, str(number), when, kind, text))
    return found


def write_qq(chat: str, messages: list[tuple[str, str, datetime, MessageKind, str]]) -> str:
    """Renders messages in the message manager's layout (the test's own writer)."""
    rule = "=" * 64
    out = ["消息记录（此消息记录为文本格式，不支持重新导入）", "", rule, "消息分组:我的群聊", rule,
           f"消息对象:{chat}", rule, ""]
    for name, number, when, _kind, text in messages:
        clock = f"{when.hour}:{when.minute:02d}:{when.second:02d}"
        out += [f"{when:%Y-%m-%d} {clock} {name}({number})", *text.split("\n"), ""]
    return "\n".join(out) + "\n"


@settings(max_examples=60, deadline=None)
@given(_NAME, _messages(), st.sampled_from(["utf-8", "gb18030"]), st.booleans())
def test_written_exports_read_back(chat: str, messages: list[tuple[str, str, datetime,
                                                                    MessageKind, str]],
                                   encoding: str, crlf: bool):
    text = write_qq(chat, messages)
    data = text.replace("\n", "\r\n" if crlf else "\n").encode(encoding)
    events, ctx = _events(Unit.from_bytes(data, "export.txt"))
    assert ctx.skipped == 0
    assert [(e.sender_name, e.sender_key, e.timestamp, e.kind, e.text) for e in events] == \
        messages
    assert {e.group_name for e in events} == {chat}
