"""QQ Chat Exporter V5 (QCE) TXT, JSON and HTML: the three snapshots of one group chat,
detection, bad input, and Hypothesis round trips through writers in this module."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, qce
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit
from tests.ingest.fixtures import SHARED

K = MessageKind
FOLDER = SHARED / "qq" / "qq-chat-exporter"
TXT = FOLDER / "TextExporter.groupMixedMedia.snap.txt"
JSON = FOLDER / "JsonExporter.groupMixedMedia.snap.json"
HTML = FOLDER / "HtmlExporter.groupMixedMedia.snap.html"
# The snapshots were made on a machine in UTC: the JSON's epoch milliseconds and the local
# "2024-01-01 00:01:40" of the TXT/HTML agree only when those are read in UTC.
UTC_ZONE = ZoneInfo("UTC")


def _events(unit: Unit, **options: object) -> tuple[list[ChatEvent], ParseContext]:
    options.setdefault("tz", UTC_ZONE)
    ctx = ParseContext(label=unit.label, **options)  # type: ignore[arg-type]
    return list(qce.parse(unit, ctx)), ctx


def _at(minute: int, second: int) -> datetime:
    return datetime(2024, 1, 1, 0, minute, second, tzinfo=UTC)


# -- the fixtures ----------------------------------------------------------------------------

# Verified by reading the three files: 7 messages each ("时间:" lines in the TXT, objects in
# "messages" of the JSON, div.message with data-message-id m_1..m_7 in the HTML), from
# Alice (PM) x3, Bob (Eng) x2, Charlie x2, 00:01:40 to 00:05:00 on 2024-01-01; one image
# (screenshot.png), one file (trace.json), one voice message (voice_msg.silk), a reply and
# a mention of Alice.
EXPECTED = [
    ("Alice (PM)", _at(1, 40), K.TEXT, "Anyone seen the build break?"),
    ("Bob (Eng)", _at(2, 40), K.TEXT, "Looking now [[微笑]]"),
    ("Bob (Eng)", _at(2, 45), K.IMAGE, "[图片: screenshot.png]"),
    ("Charlie", _at(3, 20), K.TEXT, "@Alice sentry has the trace, sending now"),
    ("Charlie", _at(3, 30), K.FILE, "[文件: trace.json]"),
    ("Alice (PM)", _at(4, 0), K.TEXT,
     "[回复 : Anyone seen the build break?]\nthanks team, fix incoming"),
    ("Alice (PM)", _at(5, 0), K.VOICE, "[语音 7秒]"),
]


def _shape(events: list[ChatEvent]) -> list[tuple[str, datetime, MessageKind, str]]:
    return [(e.sender_name, e.timestamp, e.kind, e.text) for e in events]


@pytest.mark.parametrize("path", [TXT, JSON, HTML], ids=["txt", "json", "html"])
def test_each_snapshot(path: Path):
    events, ctx = _events(Unit.from_path(path))
    assert ctx.skipped == 0
    assert len(events) == 7
    assert len({e.sender_key for e in events}) == 3
    assert events[0].timestamp == _at(1, 40) and events[-1].timestamp == _at(5, 0)
    assert Counter(e.kind for e in events) == {K.TEXT: 4, K.IMAGE: 1, K.FILE: 1, K.VOICE: 1}
    assert {(e.group_key, e.group_name) for e in events} == {
        ("qq:QCE Testing Group", "QCE Testing Group")}
    # the reply keeps its two lines
    assert events[5].text.split("\n") == ["[回复 : Anyone seen the build break?]",
                                          "thanks team, fix incoming"]


def test_the_three_formats_give_the_same_events():
    txt, _ = _events(Unit.from_path(TXT))
    as_json, _ = _events(Unit.from_path(JSON))
    as_html, _ = _events(Unit.from_path(HTML))
    assert _shape(txt) == _shape(as_json) == _shape(as_html) == EXPECTED
    # in Shanghai time the TXT/HTML clock times are eight hours later instants
    shanghai, _ = _events(Unit.from_path(TXT), tz=ZoneInfo("Asia/Shanghai"))
    assert shanghai[0].timestamp == _at(1, 40) - timedelta(hours=8)


def test_json_ids_replies_and_mentions():
    events, _ = _events(Unit.from_path(JSON))
    assert [e.sender_key for e in events] == ["11111", "22222", "22222", "33333", "33333",
                                              "11111", "11111"]
    assert not any(e.sender_key_weak for e in events)
    assert events[3].mentions == ("11111",)  # the at element's uid u_alice -> QQ number
    assert events[5].reply_to == "m_1"
    # the snapshot test deleted the messages' "id" fields: no ids, content keys instead
    assert all(e.message_id == "" for e in events)


def test_html_message_ids_and_weak_senders():
    events, _ = _events(Unit.from_path(HTML))
    assert [e.message_id for e in events] == [f"m_{n}" for n in range(1, 8)]
    assert all(e.sender_key_weak for e in events)
    assert events[0].sender_key == "~qq:QCE Testing Group:Alice (PM)"


def test_txt_mentions_by_name():
    events, _ = _events(Unit.from_path(TXT))
    assert events[3].mentions == ("~qq:QCE Testing Group:Alice",)
    assert all(e.sender_key_weak for e in events)


def test_group_number_from_the_file_name(tmp_path: Path):
    named = tmp_path / "group_999000_20240101_120000.txt"
    named.write_bytes(TXT.read_bytes())
    events, _ = _events(Unit.from_path(named))
    assert {e.group_key for e in events} == {"999000"}
    friendly = tmp_path / "研发组(99887766).json"
    friendly.write_bytes(JSON.read_bytes())
    events, _ = _events(Unit.from_path(friendly))
    assert {(e.group_key, e.group_name) for e in events} == {("99887766", "QCE Testing Group")}


# -- detection -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [TXT, JSON, HTML], ids=["txt", "json", "html"])
def test_snapshots_are_detected_as_qce(path: Path):
    [unit] = list(detect.expand(path))
    assert detect.detect(unit).format == "qce"


def test_no_other_fixture_is_claimed_by_qce():
    for path in sorted(SHARED.iterdir()):
        if not path.is_dir():
            continue
        for unit in detect.expand(path):
            if "qq-chat-exporter" in unit.label:
                continue
            assert qce.detect(unit) is None, unit.label


# -- more than the snapshot shows ------------------------------------------------------------

def _json_message(n: int, **fields: object) -> dict[str, object]:
    message: dict[str, object] = {
        "id": f"7{n:03d}", "seq": str(n), "timestamp": 1704067200000 + n * 1000,
        "time": "", "sender": {"uid": "u_bob", "uin": "22222", "name": "Bob"},
        "type": "type_1", "content": {"text": f"m{n}", "elements": [
            {"type": "text", "data": {"text": f"m{n}"}}], "resources": [], "mentions": []},
        "recalled": False, "system": False}
    message.update(fields)
    return message


def _json_unit(messages: list[object], name: str = "export.json",
               chat: dict[str, object] | None = None) -> Unit:
    data = {"metadata": {"name": "QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter"},
            "chatInfo": chat or {"name": "测试群", "type": "group"}, "messages": messages}
    return Unit.from_bytes(json.dumps(data, ensure_ascii=False).encode(), name)


def test_json_system_recalled_and_card_messages():
    system = {"uid": "未知", "name": "系统消息"}
    messages = [
        _json_message(1),
        _json_message(2, system=True, sender=system, content={
            "text": "小红加入了群聊", "elements": [{"type": "system", "data": {"text": "x"}}]}),
        _json_message(3, system=True, sender=system, content={
            "text": "Bob撤回了一条消息", "elements": [{"type": "system", "data": {}}]}),
        _json_message(4, recalled=True),
        _json_message(5, content={"text": "[小程序]", "elements": [
            {"type": "json", "data": {"content": '{"app":"com.tencent.miniapp_01"}'}}]}),
        _json_message(6, content={"text": "[动画表情]", "elements": [
            {"type": "market_face", "data": {"name": "动画表情"}}]}),
        _json_message(7, content={"text": "[红包]", "elements": [
            {"type": "wallet", "data": {"summary": "恭喜发财"}}]}),
        _json_message(8, content={"text": "@全体成员 开会", "elements": [
            {"type": "at", "data": {"uid": "all", "uin": "0", "name": "全体成员"}},
            {"type": "text", "data": {"text": " 开会"}}]}),
        _json_message(9, sender={"uid": "u_new", "name": "小红"}),
    ]
    events, ctx = _events(_json_unit(messages, chat={"name": "测试群", "type": "group",
                                                     "peerUid": "123456789"}))
    assert ctx.skipped == 0
    assert [e.kind for e in events] == [K.TEXT, K.JOIN, K.RECALL, K.RECALL, K.MINI_PROGRAM,
                                        K.STICKER, K.RED_ENVELOPE, K.TEXT, K.TEXT]
    assert {e.group_key for e in events} == {"123456789"}
    join, recall = events[1], events[2]
    # the newcomer is known by name from a later message: the join gets that uid
    assert (join.sender_key, join.sender_name, join.sender_key_weak) == ("u_new", "小红", False)
    assert (recall.sender_key, recall.sender_name) == ("22222", "Bob")
    assert events[3].text == "m4" and events[3].sender_key == "22222"
    assert events[7].mentions == ()
    assert [e.message_id for e in events] == [f"7{n:03d}" for n in range(1, 10)]


def test_html_system_message_takes_the_time_before_it():
    page = HTML.read_text("utf-8").replace(
        '\n        <div class="message" data-message-id="m_2">',
        '\n            <div class="message system" data-message-id="s_1">\n'
        '                <div class="message-content">\n'
        '                    Dave加入了群聊\n                </div>\n            </div>\n'
        '        <div class="message" data-message-id="m_2">', 1)
    events, ctx = _events(Unit.from_bytes(page.encode(), "chat.html"))
    assert ctx.skipped == 0 and len(events) == 8
    joined = events[1]
    assert (joined.kind, joined.sender_name, joined.timestamp, joined.message_id) == (
        K.JOIN, "Dave", _at(1, 40), "s_1")


# -- bad input -------------------------------------------------------------------------------

def test_empty_files_fail():
    for name in ("a.txt", "a.json", "a.html"):
        with pytest.raises(ImportFailed, match="empty"):
            _events(Unit.from_bytes(b"", name))


def test_truncated_json_fails():
    data = JSON.read_bytes()
    with pytest.raises(ImportFailed, match="truncated JSON"):
        _events(Unit.from_bytes(data[: len(data) // 2], "cut.json"))
    with pytest.raises(ImportFailed, match="no 'messages' list"):
        _events(Unit.from_bytes(b'{"chatInfo": {}}', "shape.json"))


def test_json_record_that_is_not_a_message_is_skipped():
    events, ctx = _events(_json_unit([_json_message(1), "garbage", _json_message(3,
                                                                                 sender=None)]))
    assert len(events) == 1 and ctx.skipped == 2
    assert ctx.errors[0].startswith("export.json:2: expected a QCE message object")
    with pytest.raises(ParseError, match=r"^export\.json:2: expected"):
        _events(_json_unit([_json_message(1), "garbage"]), strict=True)


def test_txt_with_bom_and_crlf_reads_the_same():
    expected, _ = _events(Unit.from_path(TXT))
    data = b"\xef\xbb\xbf" + TXT.read_text("utf-8").replace("\n", "\r\n").encode()
    events, _ = _events(Unit.from_bytes(data, "bom.txt"))
    assert _shape(events) == _shape(expected)


def test_txt_bad_time_is_skipped_and_counted():
    text = TXT.read_text("utf-8").replace("时间: 2024-01-01 00:03:20", "时间: 2024-13-01 00:03:20")
    events, ctx = _events(Unit.from_bytes(text.encode(), "bad.txt"))
    assert len(events) == 6 and ctx.skipped == 1
    line = text.splitlines().index("时间: 2024-13-01 00:03:20") + 1
    assert ctx.errors[0].startswith(f"bad.txt:{line}: expected a valid date")
    with pytest.raises(ParseError, match=rf"^bad\.txt:{line}: expected"):
        _events(Unit.from_bytes(text.encode(), "bad.txt"), strict=True)


def test_txt_message_without_content_line_is_skipped():
    text = TXT.read_text("utf-8").replace("内容: Looking now [[微笑]]", "garbage")
    events, ctx = _events(Unit.from_bytes(text.encode(), "g.txt"))
    assert len(events) == 6 and ctx.skipped == 1
    assert "expected a '内容: ' line, got 'garbage'" in ctx.errors[0]


def test_html_bad_time_is_skipped():
    page = HTML.read_text("utf-8").replace(
        '<span class="message-time">2024-01-01 00:02:40</span>',
        '<span class="message-time">yesterday</span>')
    events, ctx = _events(Unit.from_bytes(page.encode(), "p.html"))
    assert len(events) == 6 and ctx.skipped == 1
    assert "expected a message time" in ctx.errors[0]


def test_txt_without_messages_fails():
    with pytest.raises(ImportFailed, match="no QQ Chat Exporter message"):
        _events(Unit.from_bytes("[QQChatExporter V5 / x]\n聊天名称: a\n".encode(), "n.txt"))


# -- Hypothesis ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.sampled_from([b"", b"{", b"<html>", b"[QQChatExporter V5]\n"]), st.binary(max_size=1500))
def test_arbitrary_bytes_give_events_or_import_failed(start: bytes, data: bytes):
    try:
        for event in qce.parse(Unit.from_bytes(start + data, "x"), ParseContext(label="x")):
            assert isinstance(event, ChatEvent)
    except ImportFailed:
        pass


_WORD = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                       blacklist_characters="\u0085"),
                min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join).filter(
    lambda n: n != "系统消息")
_LINE = st.lists(st.one_of(_WORD, st.sampled_from(["，", "。", "!", "&", "<b>", "…"])),
                 min_size=1, max_size=6).map(" ".join)
_TEXT = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)
_RESOURCES = {K.IMAGE: ("image", "图片", "a.png"), K.FILE: ("file", "文件", "b.pdf"),
              K.VOICE: ("audio", "语音", "c.silk"), K.VIDEO: ("video", "视频", "d.mp4")}

Message = tuple[str, str, datetime, MessageKind, str]  # name, uin, time, kind, text


@st.composite
def _messages(draw: st.DrawFn) -> list[Message]:
    people = draw(st.lists(st.tuples(_NAME, st.integers(10000, 9_999_999_999)), min_size=1,
                           max_size=4, unique_by=(lambda p: p[0], lambda p: p[1])))
    when = draw(st.datetimes(min_value=datetime(2005, 1, 1), max_value=datetime(2030, 1, 1),
                             timezones=st.just(UTC))).replace(microsecond=0)
    found: list[Message] = []
    for _ in range(draw(st.integers(1, 8))):
        name, uin = draw(st.sampled_from(people))
        kind = draw(st.sampled_from([K.TEXT, K.TEXT, *_RESOURCES]))
        text = draw(_TEXT) if kind is K.TEXT else f"[{_RESOURCES[kind][1]}: {_RESOURCES[kind][2]}]"
        when += timedelta(seconds=draw(st.integers(0, 100_000)))
        found.append((name, str(uin), when, kind, text))
    return found


def write_txt(chat: str, messages: list[Message]) -> str:
    out = ["[QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter]", "",
           "=" * 47, "           QQ聊天记录导出文件", "=" * 47, "", f"聊天名称: {chat}",
           "聊天类型: 群聊", ""]
    for index, (name, _uin, when, kind, text) in enumerate(messages):
        out += [f"{name}:", f"时间: {when:%Y-%m-%d %H:%M:%S}", f"内容: {text}"]
        if kind in _RESOURCES:
            out += ["资源: 1 个文件", f"  - {_RESOURCES[kind][0]}: {_RESOURCES[kind][2]}"]
        if index < len(messages) - 1:
            out.append("\n")
    out += ["", "=" * 47, "              导出完成", "=" * 47, f"总计导出 {len(messages)} 条消息"]
    return "\n".join(out)


def write_json(chat: str, messages: list[Message]) -> str:
    rendered = []
    for index, (name, uin, when, kind, text) in enumerate(messages):
        elements: list[dict[str, object]] = [{"type": "text", "data": {"text": text}}]
        if kind in _RESOURCES:
            elements.append({"type": _RESOURCES[kind][0],
                             "data": {"filename": _RESOURCES[kind][2]}})
        rendered.append({"id": f"id{index}", "seq": str(index),
                         "timestamp": int(when.timestamp() * 1000),
                         "time": f"{when:%Y-%m-%d %H:%M:%S}",
                         "sender": {"uid": f"u_{uin}", "uin": uin, "name": name},
                         "type": "type_1", "content": {"text": text, "elements": elements},
                         "recalled": False, "system": False})
    return json.dumps({"metadata": {"name": "QQChatExporter V5"},
                       "chatInfo": {"name": chat, "type": "group"}, "messages": rendered},
                      ensure_ascii=False, indent=2)


def write_html(chat: str, messages: list[Message]) -> str:
    tags = {K.IMAGE: '<img src="a.png" alt="a.png" class="message-image" loading="lazy">',
            K.FILE: '<a href="b.pdf" class="message-file" download="b.pdf">📎 b.pdf</a>',
            K.VOICE: '<audio src="c.mp3" controls class="message-audio">[语音: c]</audio>',
            K.VIDEO: '<span class="resource-placeholder">[视频: d.mp4]</span>'}
    parts = ['<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="UTF-8">',
             f'<meta name="description" content="{html.escape(chat)}的聊天记录导出文件">',
             "</head><body>", f'<h1 class="chat-title">{html.escape(chat)}</h1>',
             '<div class="chat-info"><div>群聊</div></div>',
             '<div class="messages-container" id="messagesContainer">']
    for index, (name, _uin, when, kind, text) in enumerate(messages):
        body = html.escape(text).replace("\n", "<br>")
        parts.append(
            f'\n        <div class="message" data-message-id="h{index}">\n'
            f'            <div class="message-header">\n'
            f'                <div class="message-avatar">\n                    {name[0]}\n'
            f'                </div>\n'
            f'                <span class="message-sender">{html.escape(name)}</span>\n'
            f'                <span class="message-time">{when:%Y-%m-%d %H:%M:%S}</span>\n'
            f'            </div>\n            <div class="message-content">\n'
            f'                \n                {body}\n                {tags.get(kind, "")}\n'
            f'            </div>\n        </div>')
    parts.append("</div></body></html>")
    return "\n".join(parts)


@settings(max_examples=60, deadline=None)
@given(_NAME, _messages(), st.sampled_from(["txt", "json", "html"]))
def test_written_exports_read_back(chat: str, messages: list[Message], layout: str):
    writer = {"txt": write_txt, "json": write_json, "html": write_html}[layout]
    unit = Unit.from_bytes(writer(chat, messages).encode(), f"export.{layout}")
    assert detect.detect(unit).format == "qce"
    events, ctx = _events(unit)
    assert ctx.skipped == 0
    assert [(e.sender_name, e.timestamp, e.kind, e.text) for e in events] == [
        (name, when, kind, text) for name, _uin, when, kind, text in messages]
    assert {e.group_name for e in events} == {chat}
    if layout == "json":
        assert [e.sender_key for e in events] == [m[1] for m in messages]
        assert [e.message_id for e in events] == [f"id{n}" for n in range(len(messages))]
