"""WeChat exports: MemoTrace CSV and TXT, and the WeCom archive JSONL.

No WeChat export file written by the real tools could be found (see SOURCES.md and
/work/shared/data/wechat/FORMAT.md), so every file here is written by the writers in this
module, following FORMAT.md and the exporters' source: MemoTrace writes its CSV with
Python's ``csv.writer`` (``\\r\\n`` rows) to ``<chat>_utf8.csv`` in ``utf-8-sig``, its TXT as
``f"{str_time} {name}\\n{content}\\n\\n"`` (system notices: ``f"{str_time} {content}\\n\\n"``) with
names passed through ``html.escape`` and a JavaScript escape.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind, Platform
from qunzhu.ingest import detect, wechat
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit
from tests.ingest.fixtures import SHARED

K = MessageKind
SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = ["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
           "StrContent", "StrTime", "Remark", "NickName", "Sender"]
T0 = 1_700_000_000  # 2023-11-15 06:13:20 in Shanghai


def _events(unit: Unit, **options: object) -> tuple[list[ChatEvent], ParseContext]:
    ctx = ParseContext(label=unit.label, **options)  # type: ignore[arg-type]
    return list(wechat.parse(unit, ctx)), ctx


# -- writers ---------------------------------------------------------------------------------

def write_csv(rows: list[list[object]], columns: list[str] = COLUMNS, bom: bool = True,
              newline: str = "\r\n") -> str:
    """A MemoTrace CSV: csv.writer defaults (minimal quoting, CRLF rows)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def row(local_id: int, msg_type: int, content: str, *, sub: int = 0, me: int = 0,
        offset: int = 0, remark: str = "", nick: str = "", sender: str = "") -> list[object]:
    stamp = T0 + offset
    shown = datetime.fromtimestamp(stamp, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return [local_id, 7, msg_type, sub, me, stamp, 2, content, shown, remark, nick, sender]


def appmsg(title: str, sub: int, extra: str = "") -> str:
    return (f'<?xml version="1.0"?>\n<msg><appmsg appid="" sdkver="0"><title>'
            f"{html.escape(title)}</title><des></des><type>{sub}</type>{extra}"
            f"</appmsg></msg>")


def ming(local_id: int, msg_type: int, content: str, **kw: object) -> list[object]:
    return row(local_id, msg_type, content, remark="小明", nick="Ming", sender="wxid_ming",
               **kw)  # type: ignore[arg-type]


def hong(local_id: int, msg_type: int, content: str, **kw: object) -> list[object]:
    return row(local_id, msg_type, content, remark="小红", nick="Hong", sender="wxid_hong",
               **kw)  # type: ignore[arg-type]


REVOKE_10002 = ('<sysmsg type="revokemsg"><revokemsg><session>123@chatroom</session>'
                "<msgid>1</msgid><newmsgid>9</newmsgid><replacemsg><![CDATA["
                '"小红" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>')
GROUP_ROWS = [
    ming(1, 1, "大家好", offset=0),
    hong(2, 1, '第一行, "引号"\n第二行', offset=10),
    ming(3, 3, "", offset=20),
    hong(4, 34, "", offset=30),
    ming(5, 43, "", offset=40),
    hong(6, 47, '<msg><emoji fromusername="wxid_hong" type="2" md5="x"/></msg>', offset=50),
    ming(7, 49, appmsg("读书清单.xlsx", 6), sub=6, offset=60),
    hong(8, 49, appmsg("一篇好文章", 5), sub=5, offset=70),
    ming(9, 49, appmsg("读书打卡", 33), sub=33, offset=80),
    hong(10, 49, appmsg("同意", 57, "<refermsg><svrid>8812</svrid></refermsg>"), sub=57,
         offset=90),
    ming(11, 49, appmsg("微信红包", 2001), sub=2001, offset=100),
    row(12, 10000, '"小明"邀请"小刚、小强"加入了群聊', offset=110),
    row(13, 10000, '"小红" 撤回了一条消息', offset=120),
    row(14, 10000, '"小明"修改群名为“读书会2”', offset=130),
    row(15, 1, "收到", me=1, remark="我", nick="Me", sender="wxid_me", offset=140),
    row(16, 10000, '<![CDATA[你撤回了一条消息 <a href="weixin://revoke_edit_click">重新编辑</a>]]>',
        offset=150),
    row(17, 10002, REVOKE_10002, offset=160),
    row(18, 10000, '"小红"与群里其他人都不是微信朋友关系，请注意隐私安全', offset=170),
]


def _csv_unit(text: str, name: str = "读书会_utf8.csv", encoding: str = "utf-8") -> Unit:
    return Unit.from_bytes(text.encode(encoding), name)


# -- MemoTrace CSV ---------------------------------------------------------------------------

def test_group_csv():
    events, ctx = _events(_csv_unit(write_csv(GROUP_ROWS)))
    assert ctx.skipped == 0
    # 18 rows, the invitation names two people: 19 events
    assert len(events) == 19
    assert [e.kind for e in events] == [
        K.TEXT, K.TEXT, K.IMAGE, K.VOICE, K.VIDEO, K.STICKER, K.FILE, K.LINK,
        K.MINI_PROGRAM, K.TEXT, K.RED_ENVELOPE, K.JOIN, K.JOIN, K.RECALL, K.RENAME, K.TEXT,
        K.RECALL, K.RECALL, K.SYSTEM]
    assert {(e.group_key, e.group_name, e.platform) for e in events} == {
        ("wechat:读书会", "读书会", Platform.WECHAT)}
    assert events[0].timestamp == datetime(2023, 11, 15, 6, 13, 20, tzinfo=SHANGHAI)
    assert events[-1].timestamp == datetime(2023, 11, 15, 6, 16, 10, tzinfo=SHANGHAI)
    assert (events[0].sender_key, events[0].sender_name) == ("wxid_ming", "小明")
    assert events[1].text == '第一行, "引号"\n第二行'
    assert events[6].text == "读书清单.xlsx" and events[9].text == "同意"
    assert events[9].reply_to == ""  # MemoTrace's CSV has no MsgSvrID to point at
    assert [(e.sender_name, e.sender_key_weak) for e in events[11:13]] == [
        ("小刚", True), ("小强", True)]
    assert (events[13].sender_key, events[14].sender_key) == ("wxid_hong", "wxid_ming")
    assert events[15].sender_key == "wxid_me"
    assert (events[16].sender_key, events[16].text) == ("wxid_me", "你撤回了一条消息")
    assert (events[17].sender_key, events[17].text) == ("wxid_hong", '"小红" 撤回了一条消息')
    assert events[18].sender_key == ""
    assert all(e.message_id == "" for e in events)
    assert len({e.sender_key for e in events if e.sender_key}) == 5


def test_csv_with_server_ids_links_replies():
    rows = [[*r, 5000 + int(str(r[0]))] for r in GROUP_ROWS[:10]]
    rows[0][-1] = 8812
    events, _ = _events(_csv_unit(write_csv(rows, [*COLUMNS, "MsgSvrID"])))
    assert events[0].message_id == "8812"
    assert events[9].reply_to == "8812"


def test_short_csv_with_wxid_prefix_and_chatroom_talker():
    columns = COLUMNS[:8]
    rows = [[1, "123@chatroom", 1, 0, 0, T0, 2, "wxid_abc:\n你好"],
            [2, "123@chatroom", 1, 0, 0, T0 + 1, 2, "zhang_san9:\n第二条\n两行"],
            [3, "123@chatroom", 1, 0, 1, T0 + 2, 2, "我自己发的"]]
    events, ctx = _events(_csv_unit(write_csv(rows, columns)))
    assert ctx.skipped == 0
    assert [(e.group_key, e.sender_key, e.text) for e in events[:2]] == [
        ("123@chatroom", "wxid_abc", "你好"), ("123@chatroom", "zhang_san9", "第二条\n两行")]
    # the exporter's own message (IsSender 1) in a file without sender columns
    assert (events[2].sender_name, events[2].sender_key_weak) == ("我", True)


def test_short_private_csv_without_sender_columns():
    rows = [[1, 5, 1, 0, 0, T0, 2, "在吗"], [2, 5, 1, 0, 1, T0 + 1, 2, "在"]]
    events, _ = _events(_csv_unit(write_csv(rows, COLUMNS[:8]), name="老王_utf8.csv"))
    assert [(e.sender_name, e.text) for e in events] == [("老王", "在吗"), ("我", "在")]


def test_csv_encodings_bom_and_line_ends_give_the_same_events():
    expected, _ = _events(_csv_unit(write_csv(GROUP_ROWS)))
    for text, encoding in ((write_csv(GROUP_ROWS, bom=False, newline="\n"), "utf-8"),
                           (write_csv(GROUP_ROWS, bom=False), "gb18030")):
        got, ctx = _events(_csv_unit(text, encoding=encoding))
        assert got == expected and ctx.skipped == 0


def test_group_option_names_the_chat():
    events, _ = _events(_csv_unit(write_csv(GROUP_ROWS[:2])), group_name="书友")
    assert {(e.group_key, e.group_name) for e in events} == {("wechat:书友", "书友")}


# -- MemoTrace TXT ---------------------------------------------------------------------------

TXT = """2023-11-15 06:13:20 小明
大家好

2023-11-15 06:14:00 "小明"邀请"小红"加入了群聊

2023-11-15 06:15:00 小红
[图片]

2023-11-15 06:16:00 Tom &amp; Jerry
第一行

第三行

2023-11-15 06:17:00 小明
同意
引用:小红:[图片]

2023-11-15 06:18:00 小红
[表情包]

"""


def test_memotrace_txt():
    events, ctx = _events(Unit.from_bytes(TXT.encode(), "读书会.txt"))
    assert ctx.skipped == 0
    assert [(e.sender_name, e.kind, e.text) for e in events] == [
        ("小明", K.TEXT, "大家好"),
        ("小红", K.JOIN, '"小明"邀请"小红"加入了群聊'),
        ("小红", K.IMAGE, "[图片]"),
        ("Tom & Jerry", K.TEXT, "第一行\n\n第三行"),
        ("小明", K.TEXT, "同意\n引用:小红:[图片]"),
        ("小红", K.STICKER, "[表情包]")]
    assert events[0].timestamp == datetime(2023, 11, 15, 6, 13, 20, tzinfo=SHANGHAI)
    assert events[-1].timestamp == datetime(2023, 11, 15, 6, 18, tzinfo=SHANGHAI)
    assert all(e.sender_key_weak and e.group_key == "wechat:读书会" for e in events)
    # the join and the later messages of 小红 share one (weak) key
    assert len({e.sender_key for e in events}) == 3


def test_memotrace_txt_name_first_and_crlf():
    lines = []
    for line in TXT.splitlines():
        if line[:4].isdigit() and line[4] == "-":
            lines.append(f"{line[20:]} {line[:19]}")
        else:
            lines.append(line)
    flipped = "\r\n".join(lines) + "\r\n"
    expected, _ = _events(Unit.from_bytes(TXT.encode(), "读书会.txt"))
    got, ctx = _events(Unit.from_bytes(flipped.encode("utf-8-sig"), "读书会.txt"))
    assert ctx.skipped == 0 and got == expected


def test_txt_garbage_before_the_first_header():
    events, ctx = _events(Unit.from_bytes(("垃圾\n\n" + TXT).encode(), "t.txt"),)
    assert len(events) == 6 and ctx.skipped == 1
    assert ctx.errors == ["t.txt:1: expected a MemoTrace header 'YYYY-MM-DD HH:MM:SS Name', "
                          "got '垃圾'"]


# -- WeCom archive ---------------------------------------------------------------------------

def _wecom(msgid: str, sender: str, offset: int, msgtype: str, body: object = None,
           room: str = "wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAAA", action: str = "send",
           to: tuple[str, ...] = ("lisi", "wangwu")) -> str:
    record: dict[str, object] = {"msgid": msgid, "action": action, "from": sender,
                                 "tolist": list(to), "roomid": room,
                                 "msgtime": (T0 + offset) * 1000, "msgtype": msgtype}
    if body is not None:
        record[msgtype] = body
    return json.dumps(record, ensure_ascii=False)


WECOM = "\n".join([
    _wecom("m1", "zhangsan", 0, "text", {"content": "大家好\n新年快乐"}),
    _wecom("m2", "lisi", 10, "image", {"md5sum": "x", "filesize": 1}),
    _wecom("m3", "lisi", 20, "revoke", {"pre_msgid": "m2"}, action="recall"),
    json.dumps({"msgid": "m4", "action": "switch", "time": T0 * 1000, "user": "zhangsan"}),
    _wecom("m5", "zhangsan", 30, "file", {"filename": "方案.pdf"}, room="", to=("lisi",)),
    _wecom("m6", "wangwu", 40, "weapp", {"title": "打卡", "displayname": "x"}),
    _wecom("m7", "wangwu", 50, "agree", {"userid": "wangwu"}),
    _wecom("m8", "lisi", 60, "emotion", {"type": 1}),
    _wecom("m9", "lisi", 70, "link", {"title": "文章", "link_url": "https://x"}),
]) + "\n"


def test_wecom_archive():
    events, ctx = _events(Unit.from_bytes(WECOM.encode(), "archive.jsonl"))
    assert ctx.skipped == 0
    # nine lines, one "switch" record that is not a message
    assert [(e.message_id, e.kind, e.text) for e in events] == [
        ("m1", K.TEXT, "大家好\n新年快乐"), ("m2", K.IMAGE, ""), ("m3", K.RECALL, ""),
        ("m5", K.FILE, "方案.pdf"), ("m6", K.MINI_PROGRAM, "打卡"), ("m7", K.SYSTEM, ""),
        ("m8", K.STICKER, ""), ("m9", K.LINK, "文章")]
    assert {e.platform for e in events} == {Platform.WECOM}
    assert Counter(e.group_key for e in events) == {"wrOgQhDgAAcwMTB7YmDkbeBsgT_AAAAA": 7,
                                                    "wecom-private:lisi|zhangsan": 1}
    assert events[0].timestamp == datetime(2023, 11, 15, 6, 13, 20, tzinfo=SHANGHAI)
    assert [e.sender_key for e in events[:3]] == ["zhangsan", "lisi", "lisi"]


def test_wecom_bad_line_is_counted():
    text = WECOM.replace(_wecom("m6", "wangwu", 40, "weapp", {"title": "打卡",
                                                              "displayname": "x"}),
                         '{"msgid": "broken", ')
    events, ctx = _events(Unit.from_bytes(text.encode(), "a.jsonl"))
    assert len(events) == 7 and ctx.skipped == 1
    assert ctx.errors[0].startswith("a.jsonl:6: expected a WeCom archive JSON object")


# -- detection -------------------------------------------------------------------------------

def test_written_files_are_detected_as_wechat():
    for unit in (_csv_unit(write_csv(GROUP_ROWS)),
                 _csv_unit(write_csv(GROUP_ROWS, COLUMNS[:8], bom=False)),
                 Unit.from_bytes(TXT.encode(), "a.txt"),
                 Unit.from_bytes(WECOM.encode(), "a.jsonl")):
        assert detect.detect(unit).format == "wechat", unit.label


def test_no_fixture_is_claimed_by_wechat():
    for path in sorted(SHARED.iterdir()):
        if not path.is_dir():
            continue
        for unit in detect.expand(path):
            assert wechat.detect(unit) is None, unit.label


def test_qq_message_manager_without_numbers_is_not_wechat_txt():
    text = ("消息记录（此消息记录为文本格式，不支持重新导入）\n\n" + "=" * 64 + "\n消息对象:老王\n"
            + "=" * 64 + "\n\n" + TXT)
    unit = Unit.from_bytes(text.encode(), "qq.txt")
    assert wechat.detect(unit) is None
    assert detect.detect(unit).format == "qq"


# -- bad input -------------------------------------------------------------------------------

def test_empty_file_fails():
    for name in ("a_utf8.csv", "a.txt", "a.jsonl"):
        with pytest.raises(ImportFailed, match="empty"):
            _events(Unit.from_bytes(b"", name))


def test_garbage_row_is_skipped_with_its_line_number():
    clean = write_csv(GROUP_ROWS)
    at = clean.index("\r\n5,") + 2
    text = clean[:at] + "this is not a row\r\n" + clean[at:]
    events, ctx = _events(_csv_unit(text, name="g_utf8.csv"))
    assert len(events) == 19 and ctx.skipped == 1
    # line 1 is the header and row 2 spans two lines, so the 5th row starts on line 7
    assert text[:at].count("\n") + 1 == 7
    assert ctx.errors == ["g_utf8.csv:7: expected a CSV row with 12 fields, "
                          "got 'this is not a row'"]
    with pytest.raises(ParseError, match=r"^g_utf8\.csv:7: expected a CSV row"):
        _events(_csv_unit(text, name="g_utf8.csv"), strict=True)


def test_row_with_bad_numbers_is_skipped():
    rows = [GROUP_ROWS[0], [2, 7, "text?", 0, 0, T0, 2, "x", "", "", "", "wxid_a"],
            [3, 7, 1, 0, 0, "yesterday", 2, "x", "", "", "", "wxid_a"], GROUP_ROWS[1]]
    events, ctx = _events(_csv_unit(write_csv(rows), name="n_utf8.csv"))
    assert len(events) == 2 and ctx.skipped == 2
    assert ctx.errors[0].startswith("n_utf8.csv:3: expected a MemoTrace row")


def test_csv_without_header_columns_fails():
    with pytest.raises(ImportFailed):
        _events(_csv_unit("localId,Type,CreateTime\n1,1,2\n"))


# -- Hypothesis ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.sampled_from([b"", "\ufefflocalId,TalkerId,Type,SubType,IsSender,CreateTime,Status,"
                             "StrContent\r\n".encode(), b'{"msgid":"1"}\n',
                        b"2023-01-01 10:00:00 A\nhi\n\n"]), st.binary(max_size=1500))
def test_arbitrary_bytes_give_events_or_import_failed(start: bytes, data: bytes):
    with contextlib.suppress(ImportFailed):
        for event in wechat.parse(Unit.from_bytes(start + data, "x"), ParseContext(label="x")):
            assert isinstance(event, ChatEvent)


_WORD = st.text(alphabet=st.characters(whitelist_categories=("L", "N"),
                                       blacklist_characters="\u0085"),
                min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_LINE = st.lists(st.one_of(_WORD, st.sampled_from(["，", "。", ",", '"', "&", "<", "'", "\\"])),
                 min_size=1, max_size=6).map(" ".join)
_TEXT = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)
#: kind -> (Type, SubType) in the CSV, and the TXT placeholder
_CSV_KINDS = {K.TEXT: (1, 0), K.IMAGE: (3, 0), K.VOICE: (34, 0), K.VIDEO: (43, 0),
              K.STICKER: (47, 0), K.FILE: (49, 6), K.LINK: (49, 5), K.MINI_PROGRAM: (49, 33)}
_TXT_KINDS = {K.IMAGE: "[图片]", K.VOICE: "[语音]", K.VIDEO: "[视频]", K.STICKER: "[表情包]",
              K.FILE: "[文件]"}

Message = tuple[str, str, datetime, MessageKind, str]  # name, wxid, time, kind, text


@st.composite
def _messages(draw: st.DrawFn, kinds: list[MessageKind]) -> list[Message]:
    people = draw(st.lists(st.tuples(_NAME, st.from_regex(r"wxid_[a-z0-9]{6,14}",
                                                          fullmatch=True)),
                           min_size=1, max_size=4, unique_by=(lambda p: p[0], lambda p: p[1])))
    when = draw(st.datetimes(min_value=datetime(2012, 1, 1), max_value=datetime(2030, 1, 1),
                             timezones=st.just(UTC))).replace(microsecond=0)
    found: list[Message] = []
    for _ in range(draw(st.integers(1, 8))):
        name, wxid = draw(st.sampled_from(people))
        kind = draw(st.sampled_from(kinds))
        when += timedelta(seconds=draw(st.integers(0, 100_000)))
        found.append((name, wxid, when, kind, draw(_TEXT)))
    return found


def csv_rows(messages: list[Message]) -> list[list[object]]:
    rows: list[list[object]] = []
    for index, (name, wxid, when, kind, text) in enumerate(messages):
        msg_type, sub = _CSV_KINDS[kind]
        content = appmsg(text, sub) if msg_type == 49 else (text if kind is K.TEXT else "")
        rows.append([index, 9, msg_type, sub, 0, int(when.timestamp()), 2, content,
                     f"{when.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}", name, "nick", wxid])
    return rows


@settings(max_examples=60, deadline=None)
@given(_NAME, _messages(list(_CSV_KINDS)), st.booleans())
def test_written_csv_reads_back(chat: str, messages: list[Message], bom: bool):
    text = write_csv(csv_rows(messages), bom=bom)
    unit = _csv_unit(text, name=f"{chat}_utf8.csv")
    assert detect.detect(unit).format == "wechat"
    events, ctx = _events(unit)
    assert ctx.skipped == 0
    assert [(e.sender_name, e.sender_key, e.timestamp, e.kind, e.text) for e in events] == [
        (name, wxid, when, kind, text if kind in (K.TEXT, K.FILE, K.LINK, K.MINI_PROGRAM)
         else "") for name, wxid, when, kind, text in messages]
    assert {e.group_name for e in events} == {chat}


def _js_escape(name: str) -> str:
    """What MemoTrace's escape_js_and_html does to names."""
    escaped = html.escape(name, quote=False)
    return (escaped.replace("\\", "\\\\").replace("'", r"\'").replace('"', r"\"")
            .replace("\n", r"\n").replace("\r", r"\r").replace("\t", r"\t"))


def write_txt(messages: list[Message]) -> str:
    out = []
    for name, _wxid, when, kind, text in messages:
        shown = text if kind is K.TEXT else _TXT_KINDS[kind]
        out.append(f"{when.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S} {_js_escape(name)}\n"
                   f"{shown}\n\n")
    return "".join(out)


_NAME_WITH_MARKS = st.tuples(_NAME, st.sampled_from(["", " & 1", "'s", ' "q"', "\\x"])).map(
    "".join)


@settings(max_examples=60, deadline=None)
@given(_messages([K.TEXT, K.TEXT, *_TXT_KINDS]), st.lists(_NAME_WITH_MARKS, min_size=4,
                                                         max_size=4, unique=True))
def test_written_txt_reads_back(messages: list[Message], names: list[str]):
    # give some senders names with characters MemoTrace escapes
    renames = dict(zip(sorted({m[0] for m in messages}), names, strict=False))
    messages = [(renames[n], w, t, k, x) for n, w, t, k, x in messages]
    unit = Unit.from_bytes(write_txt(messages).encode(), "群聊.txt")
    assert detect.detect(unit).format == "wechat"
    events, ctx = _events(unit)
    assert ctx.skipped == 0
    assert [(e.sender_name, e.timestamp, e.kind, e.text) for e in events] == [
        (name, when, kind, text if kind is K.TEXT else _TXT_KINDS[kind])
        for name, _w, when, kind, text in messages]


_WECOM_KINDS = {K.TEXT: "text", K.FILE: "file", K.LINK: "link", K.MINI_PROGRAM: "weapp",
                K.IMAGE: "image", K.STICKER: "emotion"}
_WECOM_BODIES = {"text": "content", "file": "filename", "link": "title", "weapp": "title"}


@settings(max_examples=60, deadline=None)
@given(_messages(list(_WECOM_KINDS)))
def test_written_wecom_archive_reads_back(messages: list[Message]):
    lines = []
    for index, (_name, wxid, when, kind, text) in enumerate(messages):
        msgtype = _WECOM_KINDS[kind]
        field_name = _WECOM_BODIES.get(msgtype)
        lines.append(json.dumps({
            "msgid": f"id{index}", "action": "send", "from": wxid, "tolist": ["a"],
            "roomid": "wrROOM", "msgtime": int(when.timestamp() * 1000), "msgtype": msgtype,
            msgtype: {field_name: text} if field_name else {"md5sum": "x"}},
            ensure_ascii=False))
    events, ctx = _events(Unit.from_bytes("\n".join(lines).encode(), "a.jsonl"))
    assert ctx.skipped == 0
    assert [(e.sender_key, e.timestamp, e.kind, e.text, e.message_id) for e in events] == [
        (wxid, when, kind, text if kind in (K.TEXT, K.FILE, K.LINK, K.MINI_PROGRAM) else "",
         f"id{index}") for index, (_n, wxid, when, kind, text) in enumerate(messages)]


# -- MemoTrace HTML --------------------------------------------------------------------------
# No real MemoTrace HTML export is available either. The writers below follow the layout of
# WeChatMsg's exporter (LC044/WeChatMsg, app/util/exporter/exporter_html.py at commits
# b907ecc5739a1d0c3d167553b614c09075c7ab09 and 05063c62a07c6f32a301d38886bccaa3df4f20e0;
# the older app/DataBase/exporter_html.py at 119b08202495c3669b4c0f4237051bed18666a3b for the
# time marks) and of the template it fills (app/resources/data/template.html at
# 346edaa42ab29e7186c911a99260bfbc264a8387): the template is cut at its
# "/*注意看这是分割线*/" line inside "const chatMessages = [", "<title>出错了</title>" becomes
# the chat's name, and each message is written as one JavaScript object literal followed by
# "," (cards, transfers and calls by ",\n"), texts and names through escape_js_and_html.

HTML_HEAD = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n    <meta charset="UTF-8">\n'
             "    <style>\n.page { display: flex; }\n</style>\n    <title>{title}</title>\n"
             '</head>\n<body>\n<div class="page">\n    <div class="main-body">\n'
             '        <div class="title-bar"><p id="title">{title}</p></div>\n'
             '        <div class="container">\n            <div class="content" '
             'id="chat-container" onscroll="checkScroll()">\n            </div>\n'
             "        </div>\n    </div>\n</div>\n<script>\nconst chatMessages = [\n")
HTML_TAIL = ("\n];\n\n</script>\n<script>\nconst chatContainer = document.getElementById("
             "'chat-container');\nconst itemsPerPage = 100;\nfunction renderPage(page) {\n"
             "    for (let i = 0; i < chatMessages.length; i++) {}\n}\n</script>\n</body>\n"
             "</html>\n")
EMOJI_IMG = ('<img src="https://res.wx.qq.com/t/wx_fed/we-emoji/res/v1.2.8/assets/Expression/'
             'Expression_{n}@2x.png" id="{name}" class="emoji_img">')


def write_html(title: str, records: list[str]) -> str:
    return (HTML_HEAD.replace("{title}", title) + "".join(records)
            + HTML_TAIL)


def html_msg(msg_type: int, text: str, stamp: int, name: str, *, me: int = 0,
             room: int = 1, extra: str = "", sub: int | None = None) -> str:
    """One record as the exporter writes it (``text`` and ``name`` already escaped)."""
    sub_part = f"sub_type:{sub}," if sub is not None else ""
    return (f"{{ type:{msg_type}, {sub_part}text: '{text}',is_send:{me},avatar_path:'./avatar/"
            f"a.png',timestamp:{stamp},is_chatroom:{room},displayname:'{name}'{extra}}},")


GROUP_HTML_RECORDS = [
    # old versions' time mark, not a message
    f"{{ type:0, text: '2023-11-15 06:13:20',is_send:0,avatar_path:'',timestamp:{T0}}},",
    html_msg(1, _js_escape("大家好\n第二行 <b>&'\"") + EMOJI_IMG.format(n=23, name="白 眼"),
             T0, "小明"),
    html_msg(3, "./image/6b1f.jpg", T0 + 60, "小红"),
    html_msg(3, "http://mmbiz.qpic.cn/mmemoticon/ajNVdqHZ/0", T0 + 61, "小红"),
    html_msg(34, "./voice/1.mp3", T0 + 62, "小明", extra=",voice_to_text:'语音转文字'"),
    html_msg(34, "./voice/2.mp3", T0 + 63, "小明", extra=",voice_to_text:'None'"),
    html_msg(43, "./video/v.mp4", T0 + 64, "我", me=1),
    html_msg(1, "视频丢失", T0 + 65, "我", me=1),
    "{ type:0, text: '" + _js_escape('"小明"邀请"小红"加入了群聊') + "',is_send:0,avatar_path:''"
    f",timestamp:{T0 + 120},is_chatroom:1,displayname:''}},",
    "{ type:0, text: '" + _js_escape('"小红" 撤回了一条消息') + "',is_send:0,avatar_path:''"
    f",timestamp:{T0 + 121},is_chatroom:1,displayname:''}},",
    f"{{ type:49, text: './file/报告.pdf',is_send:0,avatar_path:'a',timestamp:{T0 + 180},"
    "is_chatroom:1,displayname:'小明',icon_path: './icon/pdf.png',sub_type:6,file_name: "
    "'报告.pdf',file_size: '1.2MB',app_name: ''},",
    html_msg(49, "", T0 + 181, "小红", sub=3,
             extra=",link_url:'http://m',title:'晴天',artist:'周杰伦', website_name:'QQ音乐'"),
    # a card: title written unescaped, with a quote inside; the record ends with a newline
    f"{{ type:49,sub_type:5, text:'',is_send:0,avatar_path:'a',url:'http://x/?a=1',"
    f"timestamp:{T0 + 182},is_chatroom:1,displayname:'小红',title:'It's a card',"
    "description:'d',thumbnail:'',app_logo:'',app_name:'公众号'},\n",
    f"{{ type:49,sub_type:2000,text:'发起转账',is_send:1,avatar_path:'a',timestamp:{T0 + 183}"
    ",is_chatroom:1,displayname:'我',paysubtype:1,pay_memo:'',feedesc:'¥1.00',},\n",
    html_msg(49, _js_escape("同意 [强]"), T0 + 184, "小明", sub=57,
             extra=",refer_text: '小红：It&#x27;s a card'"),
    f"{{ type:50, text:'通话时长 00:10',call_type:0,avatar_path:'a',timestamp:{T0 + 185},"
    "is_chatroom:1,displayname:'小红',},\n",
]


def _html_unit(text: str, name: str = "读书会.html", encoding: str = "utf-8") -> Unit:
    return Unit.from_bytes(text.encode(encoding), name)


def test_memotrace_html_group():
    events, ctx = _events(_html_unit(write_html("读书会", GROUP_HTML_RECORDS)))
    assert ctx.skipped == 0
    # 16 records written: one time mark dropped, the rest one event each
    assert len(events) == 15
    assert Counter(e.kind for e in events) == {
        K.TEXT: 3, K.IMAGE: 1, K.STICKER: 1, K.VOICE: 2, K.VIDEO: 1, K.JOIN: 1, K.RECALL: 1,
        K.FILE: 1, K.LINK: 2, K.RED_ENVELOPE: 1, K.SYSTEM: 1}
    first = events[0]
    assert first.text == "大家好\n第二行 <b>&'\"[白眼]"
    assert (first.sender_name, first.sender_key, first.sender_key_weak) == (
        "小明", "~wechat:读书会:小明", True)
    assert first.timestamp == datetime(2023, 11, 15, 6, 13, 20, tzinfo=SHANGHAI)
    assert events[-1].timestamp == datetime(2023, 11, 15, 6, 16, 25, tzinfo=SHANGHAI)
    assert {e.group_key for e in events} == {"wechat:读书会"}
    assert {e.group_name for e in events} == {"读书会"}
    assert {e.platform for e in events} == {Platform.WECHAT}
    assert {e.sender_name for e in events} == {"小明", "小红", "我"}
    by_text = {e.text: e for e in events}
    assert by_text["./image/6b1f.jpg"].kind is K.IMAGE
    assert by_text["http://mmbiz.qpic.cn/mmemoticon/ajNVdqHZ/0"].kind is K.STICKER
    assert by_text["语音转文字"].kind is K.VOICE and by_text["./voice/2.mp3"].kind is K.VOICE
    join = by_text['"小明"邀请"小红"加入了群聊']
    assert (join.kind, join.sender_name) == (K.JOIN, "小红")
    recall = by_text['"小红" 撤回了一条消息']
    assert (recall.kind, recall.sender_name) == (K.RECALL, "小红")
    assert by_text["报告.pdf"].kind is K.FILE
    assert by_text["晴天"].kind is K.LINK
    assert by_text["It's a card"].kind is K.LINK
    assert by_text["发起转账"].kind is K.RED_ENVELOPE
    assert (by_text["同意 [强]"].kind, by_text["同意 [强]"].reply_to) == (K.TEXT, "")
    assert by_text["通话时长 00:10"].kind is K.SYSTEM
    assert all(e.message_id == "" for e in events)


def test_html_group_naming_matches_the_csv_of_the_same_chat():
    html_events, _ = _events(_html_unit(write_html("读书会", GROUP_HTML_RECORDS[1:3]),
                                        name="whatever.html"))
    csv_events, _ = _events(_csv_unit(write_csv(GROUP_ROWS)))
    assert {e.group_key for e in html_events} == {e.group_key for e in csv_events} == {
        "wechat:读书会"}
    # the template's own title left in place: the file name names the chat
    events, _ = _events(_html_unit(write_html("出错了", GROUP_HTML_RECORDS[1:3]),
                                   name="老同学 & 朋友.html"))
    assert {e.group_name for e in events} == {"老同学 & 朋友"}
    events, _ = _events(_html_unit(write_html("读书会", GROUP_HTML_RECORDS[1:3])),
                        group_name="另一个群")
    assert {(e.group_key, e.group_name) for e in events} == {("wechat:另一个群", "另一个群")}


def test_html_private_chat_and_empty_display_name():
    records = [html_msg(1, "在吗", T0, "", room=0), html_msg(1, "在", T0 + 5, "", me=1, room=0)]
    events, _ = _events(_html_unit(write_html("老王", records), name="老王.html"))
    assert [(e.sender_name, e.text) for e in events] == [("老王", "在吗"), ("我", "在")]


def test_html_bom_and_crlf_give_the_same_events():
    text = write_html("读书会", GROUP_HTML_RECORDS)
    plain, _ = _events(_html_unit(text))
    with_bom, _ = _events(_html_unit("\ufeff" + text.replace("\n", "\r\n")))
    assert plain == with_bom


def test_written_html_is_detected_as_wechat():
    unit = _html_unit(write_html("读书会", GROUP_HTML_RECORDS))
    assert detect.detect(unit).format == "wechat"
    assert detect.detect(_html_unit(write_html("空", []))).format == "wechat"


def test_other_html_is_not_memotrace():
    qce = next(detect.expand(SHARED / "qq" / "qq-chat-exporter"
                             / "HtmlExporter.groupMixedMedia.snap.html"))
    assert wechat.detect(qce) is None
    assert detect.detect(qce).format == "qce"
    page = ("<!DOCTYPE html><html><head><title>demo</title></head><body><script>\n"
            "const chatMessages = [\n  { id: 1, from: 'Ann', text: 'hi' },\n];\n"
            "</script></body></html>")
    assert wechat.detect(Unit.from_bytes(page.encode(), "demo.html")) is None


def test_html_empty_array_gives_no_events():
    events, ctx = _events(_html_unit(write_html("空", [])))
    assert events == [] and ctx.skipped == 0


def test_html_without_array_or_truncated_fails():
    with pytest.raises(ImportFailed, match="empty"):
        _events(Unit.from_bytes(b"", "a.html"))
    with pytest.raises(ImportFailed, match="no 'const chatMessages"):
        _events(Unit.from_bytes(b"<!DOCTYPE html>\n<html><title>x</title></html>", "a.html"))
    text = write_html("读书会", GROUP_HTML_RECORDS)
    cut = text.index("It's a card")
    for end in (cut, text.index("\n];")):
        with pytest.raises(ImportFailed, match="truncated"):
            _events(_html_unit(text[:end]))


def test_html_bad_record_is_skipped_with_its_line_number():
    records = [*GROUP_HTML_RECORDS[:13], "{ type:1, text: 'x' is_send:0 oops},",
               *GROUP_HTML_RECORDS[13:]]
    text = write_html("读书会", records)
    at = text.index("{ type:1, text: 'x' is_send")
    # the head takes 21 lines; the records up to the card are all on line 22, the card ends
    # with a line break, so the broken record starts line 23
    assert text[:at].count("\n") + 1 == 23
    events, ctx = _events(_html_unit(text, name="b.html"))
    assert len(events) == 15 and ctx.skipped == 1
    assert ctx.errors[0].startswith("b.html:23: expected a MemoTrace message")
    with pytest.raises(ParseError, match=r"^b\.html:23: expected a MemoTrace message"):
        _events(_html_unit(text, name="b.html"), strict=True)
    # a well-formed object without a numeric timestamp is a bad record too
    records = [*GROUP_HTML_RECORDS[1:3], html_msg(1, "x", T0, "A").replace(
        f"timestamp:{T0}", "timestamp:'yesterday'")]
    events, ctx = _events(_html_unit(write_html("读书会", records), name="c.html"))
    assert len(events) == 2 and ctx.skipped == 1
    assert ctx.errors[0].startswith("c.html:22: expected a MemoTrace message with numeric")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([b"", b"<!DOCTYPE html>\n", HTML_HEAD.replace("{title}", "x").encode(),
                        (HTML_HEAD.replace("{title}", "x") + GROUP_HTML_RECORDS[1]).encode()]),
       st.binary(max_size=1500))
def test_arbitrary_bytes_after_html_give_events_or_import_failed(start: bytes, data: bytes):
    with contextlib.suppress(ImportFailed):
        for event in wechat.parse(Unit.from_bytes(start + data, "x.html"),
                                  ParseContext(label="x")):
            assert isinstance(event, ChatEvent)


_HTML_KINDS = [K.TEXT, K.TEXT, K.IMAGE, K.STICKER, K.VOICE, K.VIDEO, K.FILE, K.LINK]


def html_records(messages: list[Message], titles: list[str]) -> list[str]:
    """Records for generated messages; file names and card titles are written unescaped by
    MemoTrace, so they come from ``titles`` (letters and digits only)."""
    out = []
    for index, (name, _wxid, when, kind, text) in enumerate(messages):
        stamp, shown = int(when.timestamp()), _js_escape(name)
        title = titles[index % len(titles)]
        if kind is K.TEXT:
            out.append(html_msg(1, _js_escape(text), stamp, shown))
        elif kind is K.IMAGE:
            out.append(html_msg(3, f"./image/{index}.jpg", stamp, shown))
        elif kind is K.STICKER:
            out.append(html_msg(3, f"http://mmbiz.qpic.cn/mmemoticon/{index}/0", stamp, shown))
        elif kind is K.VOICE:
            out.append(html_msg(34, f"./voice/{index}.mp3", stamp, shown,
                                extra=f",voice_to_text:'{_js_escape(text)}'"))
        elif kind is K.VIDEO:
            out.append(html_msg(43, f"./video/{index}.mp4", stamp, shown))
        elif kind is K.FILE:
            out.append(html_msg(49, f"./file/{title}", stamp, shown, sub=6,
                                extra=f",file_name: '{title}',file_size: '1KB'"))
        else:
            out.append(html_msg(49, "", stamp, shown, sub=5,
                                extra=f",url:'http://x',title:'{title}',description:''") + "\n")
    return out


def _html_expected(index: int, kind: MessageKind, text: str, titles: list[str]) -> str:
    return {K.TEXT: text, K.VOICE: text, K.IMAGE: f"./image/{index}.jpg",
            K.STICKER: f"http://mmbiz.qpic.cn/mmemoticon/{index}/0",
            K.VIDEO: f"./video/{index}.mp4"}.get(kind, titles[index % len(titles)])


@settings(max_examples=60, deadline=None)
@given(_NAME, _messages(_HTML_KINDS), st.lists(_NAME_WITH_MARKS, min_size=4, max_size=4,
                                               unique=True),
       st.lists(_NAME, min_size=1, max_size=3))
def test_written_html_reads_back(chat: str, messages: list[Message], names: list[str],
                                 titles: list[str]):
    renames = dict(zip(sorted({m[0] for m in messages}), names, strict=False))
    messages = [(renames[n], w, t, k, x) for n, w, t, k, x in messages]
    unit = _html_unit(write_html(chat, html_records(messages, titles)), name="x.html")
    assert detect.detect(unit).format == "wechat"
    events, ctx = _events(unit)
    assert ctx.skipped == 0
    assert [(e.sender_name, e.timestamp, e.kind, e.text) for e in events] == [
        (name, when, kind, _html_expected(index, kind, text, titles))
        for index, (name, _w, when, kind, text) in enumerate(messages)]
    assert {e.group_name for e in events} == {chat}
    assert {e.group_key for e in events} == {f"wechat:{chat}"}
