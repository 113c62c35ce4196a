"""WeChat exports: MemoTrace / WeChatMsg ("留痕") CSV and TXT, and the WeCom archive JSONL.

No WeChat export written by someone else could be found to test with; the layouts below
follow the exporters' source and documentation (``/work/shared/data/wechat/FORMAT.md``).

**MemoTrace CSV** (streamed), one file per chat, ``<chat>_utf8.csv``, UTF-8 with BOM::

    localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender
    1,5,1,0,0,1700000000,2,大家好,2023-11-15 06:13:20,小明,Ming,wxid_ming

Columns are found by name (some versions stop after ``StrContent``; extra ones are ignored).
``CreateTime`` is Unix seconds (``StrTime``, local time in ``ctx.tz``, is the fallback).
The sender is the ``Sender`` wxid (a strong key); where that column is missing, group
messages carry it as a ``wxid_…:`` first line of ``StrContent`` (the mobile database's
layout), which is taken off the text; failing both, the display name gives a weak key.
The display name is ``Remark`` (what MemoTrace shows), else ``NickName``. ``Type`` gives the
kind: 1 text, 3 image, 34 voice, 43/62 video, 47 sticker, 42 contact card and 48 location
(links), 49 app messages by ``SubType`` (or the ``<type>`` in their XML): 5/4/3 links, 6
file, 8 sticker, 33/36 mini-program, 57 quoted reply, 2000/2001 transfer and red envelope;
10000/10002 system notices (joins "邀请…加入了群聊", recalls "撤回了一条消息", renames),
read like QQ's (people named in them get the wxid seen with that name so far, else a weak
key). For app messages with XML the text is the ``<title>``. The group is a ``…@chatroom``
id where a talker column holds one, else the chat name from the file name (``ctx.group_name``
wins). ``MsgSvrID``, where a column has it, is the message id (and quoted replies point at
it); MemoTrace's ``localId`` is not used as an id, being only local to one database copy.

**MemoTrace TXT** (streamed), blocks separated by a blank line::

    2023-11-15 06:13:20 小明
    大家好

    2023-11-15 06:14:00 "小明"邀请"小红"加入了群聊

A header is ``YYYY-MM-DD HH:MM:SS Name`` (or ``Name YYYY-MM-DD HH:MM:SS``, decided per file),
then the content lines; a header with no content is a system notice. Names are
HTML/JavaScript-escaped by MemoTrace and are unescaped here. Placeholders give kinds
("[图片]", "[语音]", "[视频]", "[表情包]", "[文件]", "[链接]…", "[音乐分享]"). The chat is
named after the file; senders get weak keys.

**MemoTrace HTML** (read whole), ``<chat>.html``: the exporter fills its page template
(``app/resources/data/template.html``; its ``<title>`` gets the chat's name) and writes one
JavaScript object literal per message into the array the page renders from (all on one
line, some records end with a line break; shown wrapped here)::

    <script>
    const chatMessages = [
    { type:1, text: '大家好',is_send:0,avatar_path:'…',timestamp:1700000000,is_chatroom:1,
    displayname:'小明'},{ type:3, text: './image/a.jpg',…},
    ];

Keys are unquoted, strings single-quoted with JavaScript escapes (some fields — titles,
file names — are written unescaped, so a quote only ends a string before ``,`` ``}`` ``]``).
``timestamp`` is Unix seconds. Messages carry no wxid and no message id: the sender is the
``displayname`` (the exporting user's name for ``is_send:1``), a weak key. ``type`` gives the
kind as in the CSV: 1 text (HTML-escaped, WeChat emoji as ``<img … id="微笑"
class="emoji_img">``, turned back into ``[微笑]``), 3 image — MemoTrace writes stickers as
type 3 too, with a web address instead of ``./image/…`` (those become stickers) —, 34 voice
(the text is the transcription where there is one, else the file), 43 video, 0 system
notices, 50 calls, 49 with ``sub_type``: 57 reply (``refer_text`` quotes the replied-to
message but no id), 6 file (``file_name``), 3 music and 5 card (``title``), 2000 transfer.
Older versions also put ``{ type:0, text: '2023-11-15 06:13:20', …}`` time marks (no
``displayname``) between messages; they are not messages and are dropped. The chat is the
``<title>`` (else the file name), keyed like the CSV of the same chat (``wechat:<name>``).

**WeCom chat archive** (会话内容存档, decrypted, one JSON object per line, streamed)::

    {"msgid":"…","action":"send","from":"zhangsan","tolist":["lisi"],"roomid":"wr…",
     "msgtime":1700000000000,"msgtype":"text","text":{"content":"你好"}}

Platform ``wecom``; the group is ``roomid`` (a private chat is keyed by its two people), the
sender key is ``from``, the message id ``msgid``; ``msgtype`` gives the kind
(``revoke`` → RECALL, ``agree``/``disagree`` → SYSTEM, ``weapp`` → mini-program, …).
``switch`` records are not chat messages and are skipped.
"""

from __future__ import annotations

import csv
import html
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import (
    ImportFailed,
    LineCounter,
    ParseContext,
    Unit,
    head_text,
    read_json_bytes,
    sniff_encoding,
    text_lines,
    weak_key,
)
from .qq import Person, system_kind

FORMAT = "wechat"

_K = MessageKind
_CSV_NEEDED = frozenset({"type", "createtime", "strcontent"})
_STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
_DATE_FIRST = re.compile(rf"^({_STAMP}) (.+)$")
_NAME_FIRST = re.compile(rf"^(.+) ({_STAMP})$")
_QQ_ID_TAIL = re.compile(r"(?:\(\d{5,}\)|<[^<>\s]+>)$")
_QQ_MARKS = ("消息记录（此消息记录为文本格式", "消息对象:", "消息对象：", "QQChatExporter")
_WXID_PREFIX = re.compile(r"^([A-Za-z][\w-]{4,}(?:@[\w.]+)?):\n", re.ASCII)
_QUOTED_START = re.compile(r'^["“](.+?)["”]')
_TYPE_KINDS = {1: _K.TEXT, 3: _K.IMAGE, 34: _K.VOICE, 43: _K.VIDEO, 62: _K.VIDEO,
               47: _K.STICKER, 42: _K.LINK, 48: _K.LINK, 50: _K.SYSTEM, 10000: _K.SYSTEM,
               10002: _K.SYSTEM,
               # the mobile database's combined codes for app messages
               436207665: _K.RED_ENVELOPE, 419430449: _K.RED_ENVELOPE, 1090519089: _K.FILE,
               268445456: _K.SYSTEM, 922746929: _K.MINI_PROGRAM}
_APP_KINDS = {3: _K.LINK, 4: _K.LINK, 5: _K.LINK, 6: _K.FILE, 8: _K.STICKER, 19: _K.LINK,
              33: _K.MINI_PROGRAM, 36: _K.MINI_PROGRAM, 51: _K.LINK, 57: _K.TEXT,
              2000: _K.RED_ENVELOPE, 2001: _K.RED_ENVELOPE}
_SYSTEM_TYPES = frozenset({10000, 10002, 268445456})
_XML_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_XML_TYPE = re.compile(r"<appmsg\b.*?<type>\s*(\d+)\s*</type>", re.DOTALL)
_XML_REFER = re.compile(r"<refermsg>.*?<svrid>\s*(\d+)\s*</svrid>", re.DOTALL)
_XML_REPLACE = re.compile(r"<replacemsg>(.*?)</replacemsg>", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_TAG = re.compile(r"<[^<>]+>")
_REEDIT = re.compile(r'\s*<a href="weixin://revoke_edit_click">.*?</a>', re.DOTALL)
_TXT_KINDS = (("[图片]", _K.IMAGE), ("[语音]", _K.VOICE), ("[视频]", _K.VIDEO),
              ("[表情包]", _K.STICKER), ("[表情]", _K.STICKER), ("[文件]", _K.FILE),
              ("[链接]", _K.LINK), ("[音乐分享]", _K.LINK), ("[小程序]", _K.MINI_PROGRAM),
              ("[红包]", _K.RED_ENVELOPE), ("[转账]", _K.RED_ENVELOPE), ("[位置]", _K.LINK),
              ("[名片]", _K.LINK))
_YOU = ("你", "您")
_ME = "我"


# -- detection -------------------------------------------------------------------------------

def _csv_columns(first_line: str) -> list[str]:
    return [c.strip().strip('"').lower() for c in first_line.split(",")]


def _is_csv_header(first_line: str) -> bool:
    columns = set(_csv_columns(first_line))
    return columns >= _CSV_NEEDED and ("localid" in columns or "issender" in columns)


def _wecom_record(line: str) -> dict[str, Any] | None:
    if not line.lstrip().startswith("{"):
        return None
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(record, dict) and "msgid" in record and (
            "msgtime" in record or "action" in record):
        return record
    return None


def detect(unit: Unit) -> str | None:
    text = head_text(unit)
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    if not lines:
        return None
    if _is_csv_header(lines[0]):
        return "CSV header of MemoTrace/WeChatMsg (localId,TalkerId,Type,…,StrContent)"
    if _wecom_record(lines[0]) is not None:
        return "JSON lines with WeCom archive fields (msgid, msgtime, msgtype)"
    if _is_memotrace_html(text):
        return "MemoTrace HTML page: 'const chatMessages = [' with { type:…, text:'…' } records"
    if any(mark in text[:3000] for mark in _QQ_MARKS):
        return None
    if _txt_layout(text.splitlines()[:200]) is not None:
        return "MemoTrace TXT: 'YYYY-MM-DD HH:MM:SS Name' headers, blank-line separated blocks"
    return None


def _header(line: str, date_first: bool) -> tuple[str, str] | None:
    """(stamp, name) of a TXT header line in the given layout."""
    if date_first:
        match = _DATE_FIRST.match(line)
        return (match.group(1), match.group(2)) if match else None
    match = _NAME_FIRST.match(line)
    return (match.group(2), match.group(1)) if match else None


def _txt_layout(lines: list[str]) -> bool | None:
    """True (date first) / False (name first) when the head looks like a MemoTrace TXT:
    the first line is a header, a block of content follows, and after a blank line the
    next block starts with a header too. None otherwise."""
    body = [line.rstrip("\r") for line in lines]
    while body and not body[0].strip():
        body.pop(0)
    if len(body) < 3:
        return None
    for date_first in (True, False):
        first = _header(body[0], date_first)
        if first is None:
            continue
        if date_first and (first[1].startswith(("- ", "– ", "<", "[", "*")) or
                           _QQ_ID_TAIL.search(first[1])):
            return None  # WhatsApp " - ", IRC "<nick>", QQ "name(12345)"
        blank = next((n for n, line in enumerate(body) if n and not line.strip()), None)
        if blank is None:
            return None
        following = next((line for line in body[blank:] if line.strip()), None)
        if following is None or _header(following, date_first) is not None:
            return date_first  # (a file of one message has no following header)
        return None
    return None


# -- shared: the chat and its people ---------------------------------------------------------

@dataclass
class _Chat:
    key: str
    name: str
    platform: Platform = Platform.WECHAT
    weak_keys: dict[str, str] = field(default_factory=dict)
    #: display name -> wxids seen with it; the exporting user's wxid and name
    wxids: dict[str, set[str]] = field(default_factory=dict)
    self_key: str = ""
    self_name: str = ""

    def weak(self, name: str) -> str:
        key = self.weak_keys.get(name)
        if key is None:
            key = self.weak_keys[name] = weak_key(self.key, name)
        return key

    def seen(self, key: str, *names: str) -> None:
        for name in names:
            if name:
                self.wxids.setdefault(name, set()).add(key)

    def person(self, person: Person) -> tuple[str, str, bool]:
        known = self.wxids.get(person.name, set())
        if len(known) == 1:
            return next(iter(known)), person.name, False
        return self.weak(person.name), person.name, True

    def event(self, sender: tuple[str, str, bool], when: datetime, kind: MessageKind,
              text: str, message_id: str = "", reply_to: str = "") -> ChatEvent:
        return ChatEvent(self.platform, self.key, self.name, sender[0], sender[1], when, kind,
                         text, message_id, reply_to, sender_key_weak=sender[2])


def _chat_name(unit: Unit) -> str:
    stem = PurePosixPath(unit.name.replace("\\", "/")).name
    for suffix in (".csv", ".txt", ".jsonl", ".json", ".html", ".htm"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem[:-5] if stem.endswith("_utf8") else stem


def _system_events(chat: _Chat, text: str, when: datetime, message_id: str,
                   speaker: tuple[str, str, bool] | None) -> Iterator[ChatEvent]:
    """A system notice: joins/leaves per person, recalls/renames by their actor."""
    kind, people, actor = system_kind(text)
    if "红包" in text and kind is _K.SYSTEM:
        kind = _K.RED_ENVELOPE
        quoted = _QUOTED_START.match(text)
        actor = Person(quoted.group(1)) if quoted else None
    if people:
        for number, person in enumerate(people):
            ident = f"{message_id}#{number}" if number and message_id else message_id
            yield chat.event(chat.person(person), when, kind, text, ident)
        return
    if actor is not None:
        sender = chat.person(actor)
    elif text.startswith(_YOU) and chat.self_key:
        sender = (chat.self_key, chat.self_name or chat.self_key, False)
    else:
        sender = speaker or ("", "", False)
    yield chat.event(sender, when, kind, text, message_id)


def _clean_notice(text: str) -> str:
    """System notice text without MemoTrace's CDATA and link markup."""
    replaced = _XML_REPLACE.search(text)
    if replaced is not None:
        text = replaced.group(1)
    if "<" not in text:
        return text
    text = _REEDIT.sub("", _CDATA.sub(lambda m: m.group(1), text))
    return html.unescape(_TAG.sub("", text)).strip()


# -- parse -----------------------------------------------------------------------------------

def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    text = head_text(unit)
    if not unit.head().strip():
        raise ImportFailed(unit.label, "the file is empty")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _is_csv_header(first):
        yield from _csv_events(unit, ctx)
    elif first.lstrip().startswith("{"):
        yield from _wecom_events(unit, ctx)
    elif first.lstrip().lower().startswith(("<!doctype html", "<html")) or \
            _HTML_ARRAY.search(text):
        yield from _html_events(unit, ctx)
    else:
        yield from _txt_events(unit, ctx)


# -- CSV -------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int
    values: dict[str, str]

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def number(self, name: str, default: int | None = None) -> int:
        raw = self.get(name).strip()
        if not raw:
            if default is None:
                raise ValueError(f"no {name}")
            return default
        return int(float(raw)) if "." in raw else int(raw)


def _csv_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    counter = LineCounter(text_lines(unit, ctx))
    reader = csv.reader(counter.feed())
    header = _csv_header(unit, reader)
    chat: _Chat | None = None
    has_ids = "msgsvrid" in header
    needed = max(header.index(c) for c in _CSV_NEEDED)
    while True:
        start = counter.number + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            ctx.bad(start, "a CSV row", str(error))
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) <= needed:
            ctx.bad(start, f"a CSV row with {len(header)} fields", ",".join(fields))
            continue
        row = _Row(start, dict(zip(header, fields, strict=False)))
        if chat is None:
            chat = _csv_chat(unit, ctx, row)
        try:
            events = list(_csv_row(chat, row, ctx.tz, has_ids))
        except (ValueError, OverflowError, OSError) as error:
            ctx.bad(start, f"a MemoTrace row with numeric Type, CreateTime, a sender ({error})",
                    ",".join(fields))
            continue
        yield from events


def _csv_header(unit: Unit, reader: Iterator[list[str]]) -> list[str]:
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                header = [c.strip().lower() for c in fields]
                if set(header) >= _CSV_NEEDED:
                    return header
                break
    except csv.Error as error:
        raise ImportFailed(unit.label, f"broken CSV header: {error}") from None
    raise ImportFailed(unit.label, "no MemoTrace CSV header (Type, CreateTime, StrContent)")


def _csv_chat(unit: Unit, ctx: ParseContext, row: _Row) -> _Chat:
    if ctx.group_name:
        return _Chat("wechat:" + ctx.group_name, ctx.group_name)
    name = _chat_name(unit)
    for column in ("strtalker", "talker", "talkerid", "chatroom", "roomid"):
        value = row.get(column).strip()
        if value.endswith("@chatroom"):
            return _Chat(value, name)
    return _Chat("wechat:" + name, name)


def _csv_time(row: _Row, tz: ZoneInfo) -> datetime:
    raw = row.get("createtime").strip()
    if raw:
        seconds = float(raw)
        if seconds > 100_000_000_000:
            seconds /= 1000  # milliseconds
        return datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    return datetime.strptime(row.get("strtime").strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


def _csv_row(chat: _Chat, row: _Row, tz: ZoneInfo, has_ids: bool) -> Iterator[ChatEvent]:
    msg_type = row.number("type")
    sub_type = row.number("subtype", 0)
    is_self = row.number("issender", 0) == 1
    when = _csv_time(row, tz)
    content = row.get("strcontent")
    wxid = row.get("sender").strip()
    prefix = _WXID_PREFIX.match(content)
    if prefix is not None and (prefix.group(1) == wxid or (
            not wxid and (prefix.group(1).startswith("wxid_") or chat.key.endswith("@chatroom")
                          ))):
        wxid = prefix.group(1)
        content = content[prefix.end():]
    sender = _csv_sender(chat, row, wxid, is_self)
    message_id = row.get("msgsvrid").strip() if has_ids else ""
    if message_id in ("0", ""):
        message_id = ""
    if msg_type in _SYSTEM_TYPES:
        yield from _system_events(chat, _clean_notice(content), when, message_id, sender)
        return
    if sender is None:
        sender = _implied_sender(chat, row, is_self)
    kind, text, reply_to = _app_message(msg_type, sub_type, content)
    yield chat.event(sender, when, kind, text, message_id, reply_to if has_ids else "")


def _csv_sender(chat: _Chat, row: _Row, wxid: str,
                is_self: bool) -> tuple[str, str, bool] | None:
    """The sender the row names (by wxid, else by display name), or None."""
    name = row.get("remark") or row.get("nickname")
    if wxid:
        chat.seen(wxid, row.get("remark"), row.get("nickname"))
        if is_self:
            chat.self_key, chat.self_name = wxid, name or wxid
        return wxid, name or wxid, False
    if name:
        return chat.weak(name), name, True
    return None


def _implied_sender(chat: _Chat, row: _Row, is_self: bool) -> tuple[str, str, bool]:
    """For files without sender columns (short CSVs): the exporting user for IsSender 1,
    and in a private chat the other person, who is the chat's name."""
    if "sender" in row.values or "nickname" in row.values or "remark" in row.values:
        raise ValueError("no Sender, NickName or Remark")
    if is_self:
        if chat.self_key:
            return chat.self_key, chat.self_name, False
        return chat.weak(_ME), _ME, True
    if chat.key.endswith("@chatroom"):
        raise ValueError("a group message without sender")
    return chat.weak(chat.name), chat.name, True


def _app_message(msg_type: int, sub_type: int, content: str) -> tuple[MessageKind, str, str]:
    """(kind, text, replied-to id) of a row that is not a system notice."""
    if msg_type != 49:
        return _TYPE_KINDS.get(msg_type, _K.TEXT), content, ""
    xml_type = _XML_TYPE.search(content)
    if not sub_type and xml_type is not None:
        sub_type = int(xml_type.group(1))
    kind = _APP_KINDS.get(sub_type, _K.LINK)
    title = _XML_TITLE.search(content)
    text = html.unescape(_CDATA.sub(lambda m: m.group(1), title.group(1))) if title else content
    refer = _XML_REFER.search(content) if sub_type == 57 else None
    return kind, text, refer.group(1) if refer else ""


# -- TXT -------------------------------------------------------------------------------------

_JS_ESCAPE = re.compile(r"\\(.)")
_JS_CODES = {"n": "\n", "r": "\r", "t": "\t"}


def _unescape_name(name: str) -> str:
    """MemoTrace writes names through ``html.escape`` and a JavaScript escape."""
    if "\\" in name:
        name = _JS_ESCAPE.sub(lambda m: _JS_CODES.get(m.group(1), m.group(1)), name)
    return html.unescape(name) if "&" in name else name


@dataclass
class _Block:
    line: int
    stamp: str
    name: str
    lines: list[str] = field(default_factory=list)


def _txt_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    name = ctx.group_name or _chat_name(unit)
    chat = _Chat("wechat:" + name, name)
    head = head_text(unit).splitlines()[:200]
    date_first = _txt_layout(head)
    if date_first is None:  # not a clean head: the first line that is a header decides
        first = next((line for line in head if _DATE_FIRST.match(line)
                      or _NAME_FIRST.match(line)), "")
        date_first = not first or _DATE_FIRST.match(first) is not None
    block: _Block | None = None
    found = False
    previous = ""
    skipping = False
    for number, line in text_lines(unit, ctx):
        header = _header(line, date_first) if not previous.strip() else None
        previous = line
        if header is None:
            if block is not None:
                block.lines.append(line)
            elif line.strip() and not skipping:
                ctx.bad(number, "a MemoTrace header 'YYYY-MM-DD HH:MM:SS Name'", line)
                skipping = True
            continue
        if block is not None:
            yield from _txt_block(chat, block, ctx)
            block = None
        try:
            datetime.strptime(header[0], "%Y-%m-%d %H:%M:%S")
        except ValueError:
            ctx.bad(number, "a valid date and time in a MemoTrace header", line)
            skipping = True
            continue
        skipping, found = False, True
        block = _Block(number, header[0], header[1])
    if block is not None:
        yield from _txt_block(chat, block, ctx)
    if not found:
        raise ImportFailed(unit.label, "not a WeChat export: no CSV header, no WeCom record "
                                       "and no 'YYYY-MM-DD HH:MM:SS Name' line")


def _txt_block(chat: _Chat, block: _Block, ctx: ParseContext) -> Iterator[ChatEvent]:
    when = datetime.strptime(block.stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ctx.tz)
    lines = block.lines
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        yield from _system_events(chat, _clean_notice(block.name), when, "", None)
        return
    name = _unescape_name(block.name)
    text = "\n".join(lines)
    bare = text.strip()
    kind = next((k for p, k in _TXT_KINDS if bare.startswith(p)), _K.TEXT)
    if kind is _K.TEXT and system_kind(text)[0] is _K.RECALL:
        kind = _K.RECALL
    yield chat.event((chat.weak(name), name, True), when, kind, text)


# -- HTML ------------------------------------------------------------------------------------

_HTML_ARRAY = re.compile(r"\bconst\s+chatMessages\s*=\s*\[")
#: the exporter's record shape right after the array's start (or an empty array)
_HTML_SHAPE = re.compile(r"\bconst\s+chatMessages\s*=\s*\[\s*(?:\]|\{\s*type\s*:\s*\d+\s*,"
                         r"(?:\s*sub_type\s*:\s*\d+\s*,)?\s*text\s*:)")
_HTML_PAGE_MARKS = ('id="chat-container"', "/*注意看这是分割线*/")
_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_HTML_PLACEHOLDER_TITLE = "出错了"  # the template's own title, replaced on export
_JS_SPACE = re.compile(r"(?:\s+|/\*.*?\*/)*", re.DOTALL)
_JS_KEY = re.compile(r"[A-Za-z_$][\w$]*")
_JS_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_JS_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": None,
                             "None": None, "True": True, "False": False}
_JS_STRING_RUN = {"'": re.compile(r"[^'\\]+"), '"': re.compile(r'[^"\\]+')}
_JS_STRING_END = re.compile(r"\s*(?:[,}\]]|$)")
_JS_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v",
                      "0": "\0", "\n": ""}
_JS_NEXT_RECORD = re.compile(r"\}\s*,\s*\{\s*type\s*:")
_HTML_RESUME = re.compile(r"\{\s*type\s*:|\](?=\s*(?:;|<|$))")
_HTML_TIME_MARK = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?")
_EMOJI_IMG = re.compile(r'<img src="[^"<>]*" id="([^"<>]*)" class="emoji_img">')
_HTML_STICKER_HOSTS = ("bing.com",)  # the exporter's "image not found" address is on Bing


def _is_memotrace_html(text: str) -> bool:
    if _HTML_ARRAY.search(text) is None:
        return False
    return any(mark in text for mark in _HTML_PAGE_MARKS) or _HTML_SHAPE.search(text) is not None


class _JsError(ValueError):
    """A record that is not a JavaScript object literal of the exporter's kind."""


class _JsReader:
    """Reads the object literals MemoTrace writes: unquoted keys, quoted strings, numbers,
    true/false/null; trailing commas allowed."""

    def __init__(self, text: str) -> None:
        self.text = text

    def space(self, pos: int) -> int:
        match = _JS_SPACE.match(self.text, pos)
        return match.end() if match else pos

    def obj(self, pos: int) -> tuple[dict[str, Any], int]:
        text = self.text
        if not text.startswith("{", pos):
            raise _JsError("'{'")
        pos = self.space(pos + 1)
        found: dict[str, Any] = {}
        while True:
            if text.startswith("}", pos):
                return found, pos + 1
            if pos < len(text) and text[pos] in "'\"":
                key, pos = self.string(pos)
            else:
                match = _JS_KEY.match(text, pos)
                if match is None:
                    raise _JsError("a key")
                key, pos = match.group(), match.end()
            pos = self.space(pos)
            if not text.startswith(":", pos):
                raise _JsError("':'")
            found[key], pos = self.value(self.space(pos + 1))
            pos = self.space(pos)
            if text.startswith(",", pos):
                pos = self.space(pos + 1)
            elif not text.startswith("}", pos):
                raise _JsError("',' or '}'")

    def value(self, pos: int) -> tuple[Any, int]:
        text = self.text
        if pos < len(text) and text[pos] in "'\"":
            return self.string(pos)
        number = _JS_NUMBER.match(text, pos)
        if number is not None:
            raw = number.group()
            return (float(raw) if any(c in raw for c in ".eE") else int(raw)), number.end()
        word = _JS_KEY.match(text, pos)
        if word is not None and word.group() in _JS_WORDS:
            return _JS_WORDS[word.group()], word.end()
        raise _JsError("a string, number or true/false/null")

    def string(self, pos: int) -> tuple[str, int]:
        """A quoted string. A quote not followed by ``,`` ``}`` or ``]`` is taken as part of
        the text (MemoTrace leaves titles and file names unescaped)."""
        text = self.text
        quote = text[pos]
        run = _JS_STRING_RUN[quote]
        parts: list[str] = []
        start = pos = pos + 1
        tolerated = False
        while True:
            match = run.match(text, pos)
            if match is not None:
                parts.append(match.group())
                pos = match.end()
            if pos >= len(text):
                raise _JsError("the string's closing quote")
            if text[pos] == quote:
                if _JS_STRING_END.match(text, pos + 1):
                    if tolerated and _JS_NEXT_RECORD.search(text, start, pos):
                        raise _JsError("the string's closing quote before the next record")
                    return "".join(parts), pos + 1
                parts.append(quote)
                tolerated = True
                pos += 1
                continue
            escaped, pos = self.escape(pos + 1)
            parts.append(escaped)

    def escape(self, pos: int) -> tuple[str, int]:
        text = self.text
        if pos >= len(text):
            raise _JsError("an escape")
        char = text[pos]
        if char in _JS_SIMPLE_ESCAPES:
            return _JS_SIMPLE_ESCAPES[char], pos + 1
        width = {"x": 2, "u": 4}.get(char)
        if width is not None:
            if char == "u" and text.startswith("{", pos + 1):
                end = text.find("}", pos + 2)
                digits = text[pos + 2:end] if end > 0 else ""
                after = end + 1
            else:
                digits = text[pos + 1:pos + 1 + width]
                after = pos + 1 + width
            if digits and len(digits) <= 6 and all(c in "0123456789abcdefABCDEF"
                                                   for c in digits):
                code = int(digits, 16)
                if code <= 0x10FFFF:
                    return chr(code), after
            return char, pos + 1
        return char, pos + 1


@dataclass
class _Record:
    line: int
    fields: dict[str, Any]
    source: str


def _html_records(unit: Unit, ctx: ParseContext, text: str) -> list[_Record]:
    """The message objects of the ``chatMessages`` array, with their line numbers; bad
    ones go to ``ctx.bad``. A missing or unclosed array fails the unit."""
    start = _HTML_ARRAY.search(text)
    if start is None:
        raise ImportFailed(unit.label, "not a MemoTrace HTML export: no 'const chatMessages = ['")
    newlines = [match.start() for match in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect_right(newlines, pos - 1) + 1

    reader = _JsReader(text)
    records: list[_Record] = []
    pos = start.end()
    while True:
        pos = reader.space(pos)
        while text.startswith(",", pos):
            pos = reader.space(pos + 1)
        if pos >= len(text):
            break
        if text[pos] == "]":
            return records
        try:
            fields, end = reader.obj(pos)
        except _JsError as error:
            resume = _HTML_RESUME.search(text, pos + 1)
            stop = resume.start() if resume else min(len(text), pos + 200)
            ctx.bad(line_of(pos), f"a MemoTrace message {{ type:…, text:'…', … }} ({error})",
                    text[pos:stop].strip())
            if resume is None:
                break
            pos = resume.start()
            continue
        records.append(_Record(line_of(pos), fields, text[pos:end]))
        pos = end
    raise ImportFailed(unit.label, "the chatMessages array ends before its closing ']' "
                                   "(truncated file?)")


def _html_chat(unit: Unit, ctx: ParseContext, text: str) -> _Chat:
    if ctx.group_name:
        return _Chat("wechat:" + ctx.group_name, ctx.group_name)
    title = _HTML_TITLE.search(text[:text.find("chatMessages")])
    name = html.unescape(title.group(1)).strip() if title else ""
    if not name or name == _HTML_PLACEHOLDER_TITLE:
        name = _chat_name(unit)
    return _Chat("wechat:" + name, name)


def _html_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    data = read_json_bytes(unit)
    ctx.encoding = sniff_encoding(unit.head())
    text = data.decode(ctx.encoding, errors="replace").lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    records = _html_records(unit, ctx, text)
    chat = _html_chat(unit, ctx, text)
    for record in records:
        try:
            events = list(_html_record(chat, record.fields, ctx.tz))
        except (ValueError, TypeError, OverflowError, OSError) as error:
            ctx.bad(record.line, f"a MemoTrace message with numeric type and timestamp ({error})",
                    record.source)
            continue
        yield from events


def _html_text(raw: Any) -> str:
    """A field MemoTrace wrote through ``escape_js_and_html`` (the JavaScript escapes are
    already undone): emoji images back to ``[name]``, then the HTML escapes."""
    text = _str(raw)
    if "emoji_img" in text:
        text = _EMOJI_IMG.sub(lambda m: f"[{m.group(1).replace(' ', '')}]", text)
    return html.unescape(text) if "&" in text else text


def _integer(value: Any, name: str, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} is not a number")
    return int(value)


def _html_record(chat: _Chat, fields: dict[str, Any], tz: ZoneInfo) -> Iterator[ChatEvent]:
    msg_type = _integer(fields.get("type"), "type")
    raw_text = _str(fields.get("text"))
    if msg_type == 0 and "displayname" not in fields and _HTML_TIME_MARK.fullmatch(raw_text):
        return  # an older version's time mark between messages
    stamp = fields.get("timestamp")
    if isinstance(stamp, str) and stamp.strip().lstrip("-").isdigit():
        stamp = int(stamp)
    seconds = float(_integer(stamp, "timestamp") if not isinstance(stamp, float) else stamp)
    if seconds > 100_000_000_000:
        seconds /= 1000  # milliseconds
    when = datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    if msg_type in (0, *_SYSTEM_TYPES):
        yield from _system_events(chat, _clean_notice(_html_text(raw_text)), when, "", None)
        return
    is_self = _integer(fields.get("is_send"), "is_send", 0) == 1
    name = _html_text(fields.get("displayname")).strip()
    if not name:
        name = _ME if is_self or fields.get("is_chatroom") else chat.name
    sender = (chat.weak(name), name, True)
    kind, body = _html_kind(msg_type, fields, raw_text)
    yield chat.event(sender, when, kind, body)


def _html_kind(msg_type: int, fields: dict[str, Any], raw_text: str) -> tuple[MessageKind, str]:
    if msg_type == 49:
        sub_type = _integer(fields.get("sub_type"), "sub_type", 0)
        kind = _APP_KINDS.get(sub_type, _K.LINK)
        if sub_type == 57:
            return kind, _html_text(raw_text)
        title = next((_str(fields.get(key)) for key in ("title", "file_name")
                      if _str(fields.get(key)) not in ("", "None")), "")
        return kind, title or raw_text
    kind = _TYPE_KINDS.get(msg_type, _K.TEXT)
    if msg_type == 1:
        return kind, _html_text(raw_text)
    if msg_type == 3 and raw_text.startswith(("http://", "https://")) and not any(
            host in raw_text for host in _HTML_STICKER_HOSTS):
        return _K.STICKER, raw_text
    if msg_type == 34:
        spoken = _html_text(fields.get("voice_to_text"))
        if spoken and spoken != "None":
            return kind, spoken
    return kind, raw_text


# -- WeCom archive ---------------------------------------------------------------------------

_WECOM_KINDS = {"text": _K.TEXT, "markdown": _K.TEXT, "mixed": _K.TEXT, "chatrecord": _K.TEXT,
                "image": _K.IMAGE, "voice": _K.VOICE, "video": _K.VIDEO,
                "emotion": _K.STICKER, "file": _K.FILE, "link": _K.LINK, "card": _K.LINK,
                "location": _K.LINK, "news": _K.LINK, "docmsg": _K.LINK,
                "weapp": _K.MINI_PROGRAM, "redpacket": _K.RED_ENVELOPE,
                "external_redpacket": _K.RED_ENVELOPE, "revoke": _K.RECALL,
                "agree": _K.SYSTEM, "disagree": _K.SYSTEM, "meeting": _K.SYSTEM,
                "calendar": _K.SYSTEM, "voiptext": _K.SYSTEM, "meeting_voice_call": _K.SYSTEM}
#: where each message type keeps its text: (object, field)
_WECOM_TEXT = {"text": ("text", "content"), "markdown": ("info", "content"),
               "file": ("file", "filename"), "link": ("link", "title"),
               "weapp": ("weapp", "title"), "location": ("location", "title"),
               "chatrecord": ("chatrecord", "title"), "redpacket": ("redpacket", "wish"),
               "external_redpacket": ("redpacket", "wish"), "card": ("card", "corpname"),
               "docmsg": ("doc", "title"), "meeting": ("meeting", "topic"),
               "calendar": ("calendar", "title")}


def _wecom_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    chats: dict[str, _Chat] = {}
    for number, line in text_lines(unit, ctx):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or "msgid" not in record:
            ctx.bad(number, "a WeCom archive JSON object with msgid", line)
            continue
        if record.get("action") == "switch":
            continue
        try:
            event = _wecom_event(record, chats, ctx)
        except (KeyError, TypeError, ValueError, OverflowError, OSError) as error:
            ctx.bad(number, f"a WeCom message with from, msgtime and msgtype ({error})", line)
            continue
        yield event


def _wecom_event(record: dict[str, Any], chats: dict[str, _Chat],
                 ctx: ParseContext) -> ChatEvent:
    sender = record["from"]
    stamp = record["msgtime"]
    msgtype = record.get("msgtype") or ("revoke" if record.get("action") == "recall" else "")
    if not isinstance(sender, str) or not sender or not isinstance(msgtype, str):
        raise ValueError("no sender or message type")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise TypeError("msgtime is not a number")
    when = datetime.fromtimestamp(stamp / 1000 if stamp > 100_000_000_000 else stamp,
                                  UTC).astimezone(ctx.tz)
    chat = _wecom_chat(record, sender, chats, ctx)
    kind = _WECOM_KINDS.get(msgtype, _K.TEXT)
    return chat.event((sender, sender, False), when, kind, _wecom_text(record, msgtype),
                      _str(record.get("msgid")))


def _wecom_chat(record: dict[str, Any], sender: str, chats: dict[str, _Chat],
                ctx: ParseContext) -> _Chat:
    room = _str(record.get("roomid"))
    if ctx.group_name:
        key, name = "wecom:" + ctx.group_name, ctx.group_name
    elif room:
        key, name = room, room
    else:
        people = sorted({sender, *(p for p in record.get("tolist") or [] if isinstance(p, str))})
        key, name = "wecom-private:" + "|".join(people), " & ".join(people)
    chat = chats.get(key)
    if chat is None:
        chat = chats[key] = _Chat(key, name, Platform.WECOM)
    return chat


def _wecom_text(record: dict[str, Any], msgtype: str) -> str:
    if msgtype == "mixed":
        mixed = record.get("mixed")
        items = mixed.get("item") if isinstance(mixed, dict) else None
        parts: list[str] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("type") == "text":
                content = item.get("content")
                try:
                    inner = orjson.loads(content) if isinstance(content, str) else None
                except orjson.JSONDecodeError:
                    inner = None
                parts.append(_str(inner.get("content")) if isinstance(inner, dict)
                             else _str(content))
        return "".join(parts)
    where = _WECOM_TEXT.get(msgtype)
    if where is None:
        return ""
    holder = record.get(where[0])
    return _str(holder.get(where[1])) if isinstance(holder, dict) else ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
