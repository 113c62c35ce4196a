"""QQ Chat Exporter V5 ("QCE", github.com/shuakami/qq-chat-exporter): TXT, JSON and HTML.

QCE reads chats through NapCat and writes one chat per file in several formats; the three
handled here carry the same messages with different detail.

TXT (streamed)::

    [QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter]
    ...
    聊天名称: QCE Testing Group
    聊天类型: 群聊
    ...

    Alice (PM):
    时间: 2024-01-01 00:04:00
    内容: [回复 : Anyone seen the build break?]
    thanks team, fix incoming
    资源: 1 个文件
      - image: screenshot.png
    提及: Alice
    回复: 01-01 00:01 - Anyone seen the build break?

    ===============================================
                  导出完成

A message starts with a "Name:" line directly followed by "时间: YYYY-MM-DD HH:MM:SS" (local
time, read in ``ctx.tz``); "内容: " starts its text, which runs on over the next lines up to
the optional trailing "资源:" list, "提及:" (mentioned names) and "回复:" lines. The file has
names only, so senders get weak, name-based keys.

JSON (read whole): ``{"metadata", "chatInfo": {name, type, peerUid?…}, "statistics",
"messages": [{id, seq, timestamp (ms), time, sender: {uid, uin, name, nickname, groupCard},
type, content: {text, elements: [{type, data}], resources, mentions}, recalled, system}]}``.
The sender key is the QQ number (``uin``) where given, else the NT ``uid``; mentions are keyed
the same way (a uid is turned into the QQ number when the file shows both for someone);
``reply`` elements give ``reply_to``. The kind comes from the elements: image (or a
``subType: sticker`` image, a sticker), market_face, file, video, audio, wallet (red envelope),
json cards (mini-programs for ``com.tencent.miniapp``, else links), location, system.

HTML (QCE's classic "HTML" export, read whole and parsed with :mod:`html.parser`): each
``<div class="message" data-message-id="…">`` has ``span.message-sender``,
``span.message-time`` and ``div.message-content`` (text with ``<br>`` for line breaks, an
optional ``div.reply-content`` quote and resource tags after the text: ``img.message-image``,
``video``, ``audio``, ``a.message-file``, ``span.resource-placeholder``). The message id is
kept; names only, so weak sender keys. System messages (``div.message.system``) have neither
sender nor time in the HTML: they get the time of the message before them (or after, at the
very start).

System messages ("X加入了群聊", "X撤回了一条消息", …) become JOIN/LEAVE/RECALL/RENAME events
as in the ``qq`` parser; a message marked ``recalled`` (JSON) is a RECALL by its sender that
keeps its text. The group is the QQ group number where the file tells it (JSON
``chatInfo.peerUid``, or QCE's file names ``group_<number>_<date>_<time>.ext`` and
``Name(<number>).ext``), else the chat name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import (
    ImportFailed,
    ParseContext,
    Unit,
    head_text,
    load_json,
    sniff_encoding,
    text_lines,
    weak_key,
)
from .qq import Person, system_kind, text_kind

FORMAT = "qce"

_K = MessageKind
_TXT_MARKS = ("[QQChatExporter", "QQ聊天记录导出文件")
_JSON_MARK = re.compile(r'"name"\s*:\s*"QQChatExporter')
_JSON_SHAPE = re.compile(r'"chatInfo"\s*:\s*\{')
_JSON_MESSAGES = re.compile(r'"messages"\s*:\s*\[')
_HTML_MARKS = ("聊天记录导出文件", "QQ聊天记录导出工具")
_TIME_LINE = re.compile(r"^时间: (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$")
_RESOURCE_COUNT = re.compile(r"^资源: (\d+) 个文件$")
_RESOURCE_ITEM = re.compile(r"^  - ([^:]*): ?(.*)$")
_NUMBER_LINE = re.compile(r"^\[\d+\]$")
_RULE = re.compile(r"^=+$")
_TYPES_ONLY = re.compile(r"^\[([a-z_]+)(?:、[a-z_]+)*消息\]$")
_FILE_NAME = re.compile(r"^(?P<kind>group|friend|private|temp)_(?:.*_)?(?P<id>\d{5,}|u_[\w-]+)"
                        r"_\d{8}_\d{6}(?:_\d+)?$")
_FRIENDLY = re.compile(r"^(?P<name>.*)\((?P<id>\d{5,})\)$")
_SYSTEM_SENDER = "系统消息"
_UNKNOWN_UIDS = frozenset({"", "未知", "unknown", "0"})
_RESOURCE_KINDS = {"image": _K.IMAGE, "video": _K.VIDEO, "audio": _K.VOICE, "file": _K.FILE,
                   "sticker": _K.STICKER}
_PLACEHOLDER_KINDS = (("[图片", _K.IMAGE), ("[视频", _K.VIDEO), ("[语音", _K.VOICE),
                      ("[文件", _K.FILE))
#: element types that decide a message's kind, in the order they win
_ELEMENT_KINDS = {"image": _K.IMAGE, "market_face": _K.STICKER, "file": _K.FILE,
                  "video": _K.VIDEO, "audio": _K.VOICE, "wallet": _K.RED_ENVELOPE,
                  "location": _K.LINK, "json": _K.LINK, "system": _K.SYSTEM,
                  "av_record": _K.SYSTEM}
_RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError)


# -- detection -------------------------------------------------------------------------------

def detect(unit: Unit) -> str | None:
    text = head_text(unit)
    start = text.lstrip()[:64].lower()
    if start.startswith("{"):
        if _JSON_MESSAGES.search(text) and (_JSON_MARK.search(text[:4000])
                                            or _JSON_SHAPE.search(text)):
            return "JSON with QQ Chat Exporter's 'chatInfo' and 'messages'"
        return None
    if start.startswith(("<!doctype html", "<html")):
        if any(mark in text for mark in _HTML_MARKS) and 'class="messages-container"' in text \
                and "data-message-id=" in text:
            return "HTML with QQ Chat Exporter's messages-container and data-message-id"
        return None
    head = text[:3000]
    if head.lstrip().startswith(_TXT_MARKS[0]) or (_TXT_MARKS[1] in head and "聊天名称:" in head):
        return "text starting with QQ Chat Exporter's '[QQChatExporter V5' header"
    return None


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    head = unit.head()
    if not head.strip():
        raise ImportFailed(unit.label, "the file is empty")
    start = head.decode(sniff_encoding(head), errors="replace").lstrip("\ufeff \t\r\n")
    if start.startswith("{"):
        yield from _json_events(unit, ctx)
    elif start[:1] == "<":
        yield from _html_events(unit, ctx)
    else:
        yield from _txt_events(unit, ctx)


# -- the chat --------------------------------------------------------------------------------

@dataclass
class _Chat:
    key: str
    name: str
    #: weak keys by name, and the strong key seen with each display name (JSON)
    keys: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    uins: dict[str, str] = field(default_factory=dict)  # uid -> QQ number

    def weak(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = weak_key(self.key, name)
        return key

    def person(self, person: Person) -> tuple[str, str, bool]:
        """(key, name, weak) of someone named in a system sentence."""
        if person.account:
            return self.uins.get(person.account, person.account), person.name, False
        known = self.by_name.get(person.name)
        if known:
            return known, person.name, False
        return self.weak(person.name), person.name, True

    def event(self, sender: tuple[str, str, bool], when: datetime, kind: MessageKind,
              text: str, message_id: str = "", reply_to: str = "",
              mentions: tuple[str, ...] = ()) -> ChatEvent:
        return ChatEvent(Platform.QQ, self.key, self.name, sender[0], sender[1], when, kind,
                         text, message_id, reply_to, mentions, sender_key_weak=sender[2])


def _chat(unit: Unit, ctx: ParseContext, name: str, group: bool | None,
          peer: str = "") -> _Chat:
    if ctx.group_name:
        return _Chat("qq:" + ctx.group_name, ctx.group_name)
    stem = PurePosixPath(unit.name.replace("\\", "/")).stem
    from_file = _FILE_NAME.match(stem)
    friendly = _FRIENDLY.match(stem)
    if not peer and from_file is not None:
        peer = from_file.group("id")
        if group is None:
            group = from_file.group("kind") == "group"
    elif not peer and friendly is not None:
        peer = friendly.group("id")
        name = name or friendly.group("name")
    name = name or stem
    if peer and group is not None:
        return _Chat(peer if group else "qq-private:" + peer, name)
    return _Chat("qq:" + name, name)


def _system_events(chat: _Chat, text: str, when: datetime,
                   sender: tuple[str, str, bool] | None, message_id: str = "",
                   ) -> Iterator[ChatEvent]:
    """A system message: joins/leaves per person, recalls/renames by their actor."""
    kind, people, actor = system_kind(text)
    if people:
        for number, person in enumerate(people):
            ident = message_id if number == 0 or not message_id else f"{message_id}#{number}"
            yield chat.event(chat.person(person), when, kind, text, ident)
        return
    if actor is not None:
        yield chat.event(chat.person(actor), when, kind, text, message_id)
        return
    yield chat.event(sender or ("", "", False), when, kind, text, message_id)


def _local(tz: ZoneInfo, parts: tuple[str | Any, ...]) -> datetime:
    year, month, day, hour, minute, second = (int(p) for p in parts)
    return datetime(year, month, day, hour, minute, second, tzinfo=tz)


# -- TXT -------------------------------------------------------------------------------------

@dataclass
class _TxtMessage:
    line: int
    sender: str
    when: datetime | None
    lines: list[tuple[int, str]] = field(default_factory=list)


def _txt_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    name, group = "", None
    chat: _Chat | None = None
    current: _TxtMessage | None = None
    previous = ""
    finished = False  # after the footer: the rest is read but not looked at
    for number, line in text_lines(unit, ctx):
        if finished:
            continue
        time_line = _TIME_LINE.match(line)
        if time_line is not None and previous.endswith(":"):
            if chat is None:
                chat = _chat(unit, ctx, name, group)
            if current is not None:
                current.lines.pop()  # the sender line belongs to the new message
                if current.lines and _NUMBER_LINE.match(current.lines[-1][1]):
                    current.lines.pop()
                yield from _txt_message(chat, current, ctx)
            try:
                when: datetime | None = _local(ctx.tz, time_line.groups())
            except ValueError:
                when = None
            current = _TxtMessage(number - 1, previous[:-1], when)
        elif current is not None:
            if line.strip() == "导出完成" and current.lines and _RULE.match(current.lines[-1][1]):
                current.lines.pop()
                finished = True
                continue
            current.lines.append((number, line))
        elif line.startswith("聊天名称: "):
            name = line[len("聊天名称: "):].strip()
        elif line.startswith("聊天类型: "):
            kind = line[len("聊天类型: "):].strip()
            group = True if kind == "群聊" else (False if kind in ("私聊", "临时会话") else None)
        previous = line
    if current is not None and chat is not None:
        yield from _txt_message(chat, current, ctx)
    elif chat is None:
        raise ImportFailed(unit.label, "no QQ Chat Exporter message ('Name:' followed by "
                                       "'时间: YYYY-MM-DD HH:MM:SS') in the file")


def _txt_message(chat: _Chat, message: _TxtMessage, ctx: ParseContext) -> Iterator[ChatEvent]:
    lines = message.lines
    while lines and not lines[-1][1].strip():
        lines.pop()
    if message.when is None:
        ctx.bad(message.line + 1, "a valid date 'YYYY-MM-DD HH:MM:SS' after '时间: '",
                lines[0][1] if lines else "")
        return
    if lines and lines[0][1].startswith("类型: "):
        lines.pop(0)
    if not lines or not lines[0][1].startswith("内容: "):
        ctx.bad(lines[0][0] if lines else message.line + 2, "a '内容: ' line",
                lines[0][1] if lines else "")
        return
    texts = [line for _n, line in lines]
    texts[0] = texts[0][len("内容: "):]
    replied = bool(len(texts) > 1 and texts[-1].startswith("回复: "))
    if replied:
        texts.pop()
    mentioned: list[str] = []
    if len(texts) > 1 and texts[-1].startswith("提及: "):
        mentioned = [n for n in texts.pop()[len("提及: "):].split(", ") if n]
    resources = _txt_resources(texts)
    text = "\n".join(texts)
    if message.sender == _SYSTEM_SENDER:
        yield from _system_events(chat, text, message.when, None)
        return
    sender = (chat.weak(message.sender), message.sender, True)
    kind = _txt_kind(text, resources)
    if kind is _K.TEXT and system_kind(text)[0] is _K.RECALL:
        kind = _K.RECALL
    mentions = tuple(chat.weak(n) for n in mentioned)
    yield chat.event(sender, message.when, kind, text, mentions=mentions)


def _txt_resources(texts: list[str]) -> list[str]:
    """Takes the trailing "资源: N 个文件" list off ``texts``; the resource types."""
    end = len(texts)
    start = end
    while start > 1 and _RESOURCE_ITEM.match(texts[start - 1]):
        start -= 1
    count = _RESOURCE_COUNT.match(texts[start - 1]) if start > 1 else None
    if count is None or int(count.group(1)) != end - start:
        return []
    types = [_RESOURCE_ITEM.match(t).group(1) for t in texts[start:]]  # type: ignore[union-attr]
    del texts[start - 1:]
    return types


def _txt_kind(text: str, resources: list[str]) -> MessageKind:
    for kind in resources:
        if kind in _RESOURCE_KINDS:
            return _RESOURCE_KINDS[kind]
    bare = text.strip()
    if bare == "[表情消息]":
        return _K.STICKER
    if bare == "[系统消息]":
        return _K.SYSTEM
    only = _TYPES_ONLY.match(bare)
    if only is not None:
        return _RESOURCE_KINDS.get(only.group(1), _K.TEXT)
    return _placeholder_kind(bare)


def _placeholder_kind(bare: str) -> MessageKind:
    for prefix, kind in _PLACEHOLDER_KINDS:
        if bare.startswith(prefix) and bare.endswith("]") and "\n" not in bare:
            return kind
    return text_kind(bare)


# -- JSON ------------------------------------------------------------------------------------

def _json_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    data = load_json(unit)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ImportFailed(unit.label, "not a QQ Chat Exporter JSON export: no 'messages' list")
    info = data.get("chatInfo")
    info = info if isinstance(info, dict) else {}
    kind = _str(info.get("type"))
    group = True if kind == "group" else (False if kind in ("private", "temp") else None)
    peer = _str(info.get("peerUid")) if group else (_str(info.get("peerUin"))
                                                    or _str(info.get("peerUid")))
    chat = _chat(unit, ctx, _str(info.get("name")), group, peer)
    messages: list[Any] = data["messages"]
    _learn_people(chat, messages)
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            ctx.bad(number, f"a QCE message object (message #{number})",
                    orjson.dumps(message).decode())
            continue
        try:
            events = list(_json_message(chat, message, ctx.tz))
        except _RECORD_ERRORS as error:
            ctx.bad(number, f"a QCE message with sender and timestamp (message #{number}; "
                            f"{error})", orjson.dumps(message).decode(errors="replace"))
            continue
        yield from events


def _learn_people(chat: _Chat, messages: list[Any]) -> None:
    """uid -> QQ number, and display name -> key where a name belongs to one person only."""
    names: dict[str, set[str]] = {}
    for message in messages:
        sender = message.get("sender") if isinstance(message, dict) else None
        if not isinstance(sender, dict):
            continue
        uid, uin = _str(sender.get("uid")), _uin(sender.get("uin"))
        if uid not in _UNKNOWN_UIDS and uin:
            chat.uins[uid] = uin
        key = uin or ("" if uid in _UNKNOWN_UIDS else uid)
        if key:
            for field_name in ("name", "groupCard", "nickname"):
                shown = _str(sender.get(field_name))
                if shown:
                    names.setdefault(shown, set()).add(key)
    chat.by_name = {name: next(iter(keys)) for name, keys in names.items() if len(keys) == 1}


def _json_message(chat: _Chat, message: dict[str, Any], tz: ZoneInfo) -> Iterator[ChatEvent]:
    when = _json_time(message, tz)
    content = message.get("content")
    content = content if isinstance(content, dict) else {}
    text = _str(content.get("text"))
    elements = [e for e in _list(content.get("elements")) if isinstance(e, dict)]
    message_id = _id(message.get("id"))
    system = message.get("system") is True or any(
        e.get("type") in ("system", "av_record") for e in elements)
    raw_sender = message.get("sender")
    sender = _json_sender(chat, raw_sender) if system is False or raw_sender else None
    if system:
        yield from _system_events(chat, text, when, sender, message_id)
        return
    if sender is None:
        raise ValueError("no sender")
    kind = _K.RECALL if message.get("recalled") is True else _element_kind(elements, text)
    if kind is _K.TEXT and system_kind(text)[0] is _K.RECALL:
        kind = _K.RECALL
    yield chat.event(sender, when, kind, text, message_id, _reply_to(elements),
                     _mentions(chat, elements, content))


def _json_time(message: dict[str, Any], tz: ZoneInfo) -> datetime:
    stamp = message.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
        seconds = stamp / 1000 if stamp > 100_000_000_000 else stamp
        return datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    raw = message.get("time")
    if not isinstance(raw, str):
        raise ValueError("no timestamp")
    parsed = datetime.fromisoformat(raw.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _json_sender(chat: _Chat, raw: Any) -> tuple[str, str, bool] | None:
    """(key, name, weak) of the sender; None for QCE's anonymous system sender."""
    if not isinstance(raw, dict):
        raise TypeError("sender is not an object")
    uid, uin = _str(raw.get("uid")), _uin(raw.get("uin"))
    name = next((_str(raw.get(f)) for f in ("name", "groupCard", "nickname", "remark")
                 if _str(raw.get(f))), "")
    if uin:
        return uin, name or uin, False
    if uid not in _UNKNOWN_UIDS:
        return uid, name or uid, False
    if not name or name == _SYSTEM_SENDER:
        return None
    return chat.weak(name), name, True


def _element_kind(elements: list[dict[str, Any]], text: str) -> MessageKind:
    for element in elements:
        kind = _ELEMENT_KINDS.get(_str(element.get("type")))
        if kind is None:
            continue
        data = element.get("data")
        data = data if isinstance(data, dict) else {}
        if kind is _K.IMAGE and data.get("subType") == "sticker":
            return _K.STICKER
        if element.get("type") == "json" and "miniapp" in (
                _str(data.get("content")) + _str(data.get("appName"))).lower():
            return _K.MINI_PROGRAM
        return kind
    return _K.TEXT if elements else _placeholder_kind(text.strip())


def _reply_to(elements: list[dict[str, Any]]) -> str:
    for element in elements:
        if element.get("type") != "reply":
            continue
        data = element.get("data")
        if isinstance(data, dict):
            for name in ("referencedMessageId", "messageId", "sourceMsgId", "replyMsgId"):
                found = _id(data.get(name))
                if found:
                    return found
    return ""


def _mentions(chat: _Chat, elements: list[dict[str, Any]],
              content: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    people = [e.get("data") for e in elements if e.get("type") == "at"]
    people += _list(content.get("mentions"))
    for person in people:
        if not isinstance(person, dict):
            continue
        uid, uin = _str(person.get("uid")), _uin(person.get("uin"))
        if uid == "all" or person.get("type") == "all":
            continue
        key = uin or chat.uins.get(uid) or ("" if uid in _UNKNOWN_UIDS else uid)
        if key and key not in found:
            found.append(key)
    return tuple(found)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    return str(value)


def _uin(value: Any) -> str:
    found = _id(value).strip()
    return found if found.isdigit() and found.strip("0") else ""


# -- HTML ------------------------------------------------------------------------------------

_SKIPPED_CLASSES = frozenset({"reply-content", "resource-placeholder", "message-file",
                              "message-audio-fallback", "message-sender-title"})
_SKIPPED_TAGS = frozenset({"script", "style", "video", "audio", "template"})
_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "source", "track", "wbr"})


@dataclass
class _HtmlMessage:
    line: int
    message_id: str
    system: bool
    sender: list[str] = field(default_factory=list)
    time: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    kinds: list[MessageKind] = field(default_factory=list)
    replied: bool = False


class _QceHtml(HTMLParser):
    """Collects the chat title and type and the messages of a QCE HTML export."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.info: list[str] = []
        self.messages: list[_HtmlMessage] = []
        self._stack: list[tuple[str, str]] = []  # (tag, role)
        self._placeholder: list[str] | None = None

    def _role(self) -> str:
        for _tag, role in reversed(self._stack):
            if role:
                return role
        return ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        current = self.messages[-1] if self.messages else None
        inside = self._role()
        if tag == "br":
            if inside == "content" and current is not None:
                current.text.append("\n")
            return
        if inside == "content" and current is not None:
            self._resource(current, tag, classes)
        if tag in _VOID_TAGS:
            return
        role = ""
        if inside == "skip":
            role = ""
        elif tag in _SKIPPED_TAGS or classes & _SKIPPED_CLASSES:
            role = "skip"
            if "resource-placeholder" in classes:
                self._placeholder = []
        elif tag == "div" and "message" in classes and "data-message-id" in found:
            self.messages.append(_HtmlMessage(self.getpos()[0], found["data-message-id"] or "",
                                              "system" in classes))
            role = "message"
        elif current is not None and inside in ("message", "content", ""):
            role = self._message_role(tag, classes, inside)
        if tag == "h1" and "chat-title" in classes:
            role = "title"
        elif tag == "div" and "chat-info" in classes:
            role = "info"
        self._stack.append((tag, role))

    @staticmethod
    def _message_role(tag: str, classes: set[str], inside: str) -> str:
        if inside != "message":
            return ""
        if "message-sender" in classes:
            return "sender"
        if "message-time" in classes:
            return "time"
        if "message-content" in classes:
            return "content"
        return ""

    def _resource(self, current: _HtmlMessage, tag: str, classes: set[str]) -> None:
        if tag == "div" and "reply-content" in classes:
            current.replied = True
        elif tag == "img":
            current.kinds.append(_K.IMAGE)
        elif tag == "video":
            current.kinds.append(_K.VIDEO)
        elif tag == "audio" or "message-audio-fallback" in classes:
            current.kinds.append(_K.VOICE)
        elif tag == "a" and "message-file" in classes:
            current.kinds.append(_K.FILE)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                closed = self._stack[index:]
                del self._stack[index:]
                if self._placeholder is not None and not any(r == "skip" for _t, r in
                                                             self._stack):
                    self._end_placeholder()
                if any(role == "message" for _t, role in closed):
                    self._placeholder = None
                return

    def _end_placeholder(self) -> None:
        shown = "".join(self._placeholder or []).strip()
        self._placeholder = None
        if self.messages:
            kind = next((k for p, k in _PLACEHOLDER_KINDS if shown.startswith(p)), None)
            if kind is not None:
                self.messages[-1].kinds.append(kind)

    def handle_data(self, data: str) -> None:
        role = self._role()
        if role == "skip":
            if self._placeholder is not None:
                self._placeholder.append(data)
            return
        if role == "title":
            self.title.append(data)
        elif role == "info":
            self.info.append(data)
        elif self.messages and role in ("sender", "time", "content"):
            getattr(self.messages[-1], "text" if role == "content" else role).append(data)


def _html_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    with unit.open() as stream:
        raw = stream.read()
    encoding = sniff_encoding(raw[:65536])
    ctx.encoding = encoding
    page = _QceHtml()
    try:
        page.feed(raw.decode(encoding, errors="replace"))
        page.close()
    except Exception as error:  # html.parser may assert on broken markup
        raise ImportFailed(unit.label, f"unreadable HTML: {error}") from None
    if not page.messages:
        raise ImportFailed(unit.label, "no QQ Chat Exporter messages (div.message with "
                                       "data-message-id) in the HTML")
    info = " ".join(p.strip() for p in page.info if p.strip())
    group = True if info.startswith("群聊") else (False if info.startswith("私聊") else None)
    chat = _chat(unit, ctx, "".join(page.title).strip(), group)
    times = _html_times(page.messages, ctx)
    for message, when in zip(page.messages, times, strict=True):
        if when is not None:
            yield from _html_message(chat, message, when)


def _html_times(messages: list[_HtmlMessage], ctx: ParseContext) -> list[datetime | None]:
    """Each message's time (None: skipped); system messages, which have no time in the
    HTML, take the time of the message before them (at the start: after them)."""
    times: list[datetime | None] = []
    untimed: list[int] = []
    for index, message in enumerate(messages):
        shown = "".join(message.time).strip()
        if message.system and not shown:
            times.append(None)
            untimed.append(index)
            continue
        try:
            times.append(datetime.strptime(shown, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ctx.tz))
        except ValueError:
            ctx.bad(message.line, "a message time 'YYYY-MM-DD HH:MM:SS'", shown)
            times.append(None)
    for index in untimed:
        before = next((t for t in reversed(times[:index]) if t is not None), None)
        times[index] = before or next((t for t in times[index:] if t is not None), None)
        if times[index] is None:
            ctx.bad(messages[index].line, "a timed message before or after this system "
                                          "message", "".join(messages[index].text).strip())
    return times


def _html_message(chat: _Chat, message: _HtmlMessage, when: datetime) -> Iterator[ChatEvent]:
    text = "".join(message.text).strip()
    if message.system:
        yield from _system_events(chat, text, when, None, message.message_id)
        return
    name = "".join(message.sender).strip()
    if name == _SYSTEM_SENDER:
        yield from _system_events(chat, text, when, None, message.message_id)
        return
    kind = message.kinds[0] if message.kinds else _placeholder_kind(text)
    if kind is _K.TEXT and system_kind(text)[0] is _K.RECALL:
        kind = _K.RECALL
    yield chat.event((chat.weak(name), name, True), when, kind, text, message.message_id)
