"""QQ's own "消息管理器" (message manager) text export, ``.txt``.

The desktop client writes a short preamble, then one section per chat, then per message a
header line and the message's lines, a blank line after each message::

    消息记录（此消息记录为文本格式，不支持重新导入）

    ================================================================
    消息分组:我的群聊
    ================================================================
    消息对象:读书会
    ================================================================

    2019-09-23 20:43:38 小明(87200175)
    大家好
    第二行

    2019-09-23 8:43:38 PM 阿花<someone@example.com>
    [图片]

    2019-09-23 20:45:01 系统消息(10000)
    小红(12345678) 加入本群。

"消息对象" is the chat (one file may hold many: "export all" writes one section each, and
each becomes its own group, keyed by that name since the file has no group numbers). Older
files and hand-made ones have no section lines at all; the chat is then named after the file
(or ``--group``). The header's hour may have one digit, and some clients write a 12-hour
clock with AM/PM. The sender is the QQ number in parentheses at the end of the header, or
the e-mail address in angle brackets for accounts known by one: that is the (strong) sender
key. A header without either (private chats of some versions) is accepted only after a
blank line, in a section that has no numbered headers, and gets a weak, name-based key.

Files are often GBK/GB18030 with CRLF line ends; :func:`text_lines` sniffs the encoding.
The message text is kept as written, minus the blank lines that end it. Placeholders that
stand alone become their kinds ("[图片]" an image, "[表情]" a sticker, "[文件]…" a file, …).
Lines by "系统消息(10000)" that say someone joined, left, or was renamed become JOIN, LEAVE
and RENAME events with that person as sender (one per person when several are named);
"…撤回了一条消息" is a RECALL by whoever recalled. Other system lines are SYSTEM events.

The helpers for Chinese QQ system sentences (:func:`system_kind`) are shared with the QQ Chat
Exporter parser (``qce``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import ParseContext, Unit, head_text, text_lines, weak_key

FORMAT = "qq"

_K = MessageKind
#: "YYYY-MM-DD H:MM:SS[ AM|PM] rest"; groups: 1-6 date and time, 7 AM/PM, 8 the sender part
_HEADER = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})"
                     r"(?: ?([AaPp][Mm]))? (.*)$")
#: the sender part ends in "(QQ number)" or "<e-mail or other account>"
_SENDER_ID = re.compile(r"^(.*)(?:\((\d{5,})\)|<([^<>\s]+)>)$", re.DOTALL)
_DATE_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}")
_SEPARATOR = re.compile(r"^=+$")
_PREAMBLE = "消息记录（此消息记录为文本格式"
_SECTION = re.compile(r"^(消息分组|消息对象)[:：](.*)$")
_SYSTEM_IDS = frozenset({"10000"})
_SYSTEM_NAMES = frozenset({"系统消息"})
_YOU = frozenset({"", "你", "您", "我"})

# -- message kinds from placeholder text -----------------------------------------------------

#: placeholders that make a message of their kind when the text starts with them
_PREFIX_KINDS: tuple[tuple[str, MessageKind], ...] = (
    ("[文件]", _K.FILE), ("[语音]", _K.VOICE), ("[视频]", _K.VIDEO), ("[短视频]", _K.VIDEO),
    ("[QQ红包]", _K.RED_ENVELOPE), ("[红包]", _K.RED_ENVELOPE), ("[小程序]", _K.MINI_PROGRAM),
    ("[分享]", _K.LINK), ("[链接]", _K.LINK), ("[音乐]", _K.LINK), ("[位置]", _K.LINK),
    ("[名片]", _K.LINK), ("[闪照]", _K.IMAGE), ("[动画表情]", _K.STICKER),
)
#: placeholders that make a message of their kind when nothing else is in it
_ONLY_KINDS = {"[图片]": _K.IMAGE, "[表情]": _K.STICKER, "[动画表情]": _K.STICKER,
               "[闪照]": _K.IMAGE}
_PLACEHOLDER_RUN = re.compile(r"^(?:\s*(?:\[图片\]|\[表情\]|\[动画表情\]|\[闪照\]))+\s*$")


def text_kind(text: str) -> MessageKind:
    """The kind of a message from QQ's placeholder text ("[图片]", "[文件]name", …)."""
    bare = text.strip()
    if not bare.startswith("["):
        return _K.TEXT
    for prefix, kind in _PREFIX_KINDS:
        if bare.startswith(prefix):
            return kind
    if _PLACEHOLDER_RUN.match(bare):
        # a picture among stickers is still a picture message
        return _K.IMAGE if ("[图片]" in bare or "[闪照]" in bare) else _K.STICKER
    return _ONLY_KINDS.get(bare, _K.TEXT)


# -- system sentences ------------------------------------------------------------------------

_END = r"[。.！!]?"
_SYSTEM_RULES: list[tuple[re.Pattern[str], MessageKind]] = [
    (re.compile(p + _END + "$"), k) for p, k in (
        (r"(?P<actor>.+?) ?邀请 ?(?P<who>.+?) ?加入了?(?:本群|群聊|该群)", _K.JOIN),
        (r"(?P<who>.+?) ?通过.*(?:扫描|分享|二维码|链接).*加入了?(?:本群|群聊|该群)", _K.JOIN),
        (r"(?:欢迎)?(?P<who>.+?) ?(?:已)?加入了?(?:本群|群聊|该群)", _K.JOIN),
        (r"(?P<actor>.+?) ?(?:已)?(?:将|把) ?(?P<who>.+?) ?(?:移出|踢出)了?(?:本群|群聊|该群)",
         _K.LEAVE),
        (r"(?P<who>.+?) ?(?:已)?被.*?(?:移出|踢出)了?(?:本群|群聊|该群)", _K.LEAVE),
        (r"(?P<who>.+?) ?(?:已)?(?:退出|离开)了?(?:本群|群聊|该群)", _K.LEAVE),
        (r"(?P<actor>.*?) ?撤回了(?:成员.{0,40}?的(?:一条|\d+条)?|一条|\d+条)消息"
         r"(?:[（(].*[）)])?", _K.RECALL),
        (r"(?P<actor>.+?) ?(?:已)?(?:将|把)?(?:群名称?|群聊名称|群组名称)(?:修改|更改|改)为.*",
         _K.RENAME),
        (r"(?P<actor>.+?) ?(?:修改|更改)了?(?:群名称?|群聊名称)(?:为.*)?", _K.RENAME),
    )
]
_NAME_LIST = re.compile(r"、|，|, ")
_NAMED = re.compile(r"^(.*?)\s*(?:\((\d{5,})\)|<([^<>\s]+)>)$", re.DOTALL)
_QUOTES = "\"'“”‘’「」"


@dataclass(frozen=True)
class Person:
    """Someone named in a system sentence: a display name and, when given, an account."""

    name: str
    account: str = ""


def _person(raw: str) -> Person:
    bare = raw.strip().strip(_QUOTES).strip()
    match = _NAMED.match(bare)
    if match is not None:
        return Person(match.group(1).strip().strip(_QUOTES), match.group(2) or match.group(3))
    return Person(bare)


def system_kind(text: str) -> tuple[MessageKind, list[Person], Person | None]:
    """What a Chinese QQ system sentence says: its kind, the people it happened to (for joins
    and leaves) and the actor (who recalled or renamed). ``(SYSTEM, [], None)`` otherwise.

    "你"/"您" (the exporting user, whom the file does not name) gives no person: a JOIN/LEAVE
    of only that person becomes SYSTEM, a RECALL or RENAME keeps its kind without actor.
    """
    bare = text.strip()
    for pattern, kind in _SYSTEM_RULES:
        match = pattern.match(bare)
        if match is None:
            continue
        groups = match.groupdict()
        if kind in (_K.JOIN, _K.LEAVE):
            people = [_person(n) for n in _NAME_LIST.split(groups["who"])]
            people = [p for p in people if p.name not in _YOU or p.account]
            if not people:
                return _K.SYSTEM, [], None
            return kind, people, None
        actor = _person(groups.get("actor") or "")
        return kind, [], (None if actor.name in _YOU and not actor.account else actor)
    return _K.SYSTEM, [], None


# -- detection -------------------------------------------------------------------------------

def _sender_match(rest: str) -> re.Match[str] | None:
    return _SENDER_ID.match(rest)


def detect(unit: Unit) -> str | None:
    """QQ's preamble or section lines; else a first dated line that is a QQ header with a
    QQ number or account, followed by a message line (not another dated line)."""
    text = head_text(unit)
    lines = text.splitlines()[:400]
    if any(line.startswith(_PREAMBLE) for line in lines[:5]):
        return "starts with QQ's '消息记录（此消息记录为文本格式，不支持重新导入）'"
    if "QQChatExporter" in text[:2000] or "QQ聊天记录导出" in text[:2000]:
        return None  # QQ Chat Exporter's layout, not the message manager's
    for index, line in enumerate(lines):
        section = _SECTION.match(line)
        if section and section.group(1) == "消息对象" and index and \
                _SEPARATOR.match(lines[index - 1].strip()):
            return "has QQ message manager section lines ('消息对象:')"
        if not _DATE_START.match(line):
            continue
        header = _HEADER.match(line)
        if header is None or _sender_match(header.group(8)) is None:
            return None
        following = next((n for n in lines[index + 1:index + 4] if n.strip()), "")
        if following and not _DATE_START.match(following):
            return "first dated line is a QQ header 'YYYY-MM-DD H:MM:SS name(QQ number)'"
        return None
    return None


# -- parsing ---------------------------------------------------------------------------------

@dataclass
class _Section:
    """The chat being read."""

    key: str
    name: str
    numbered: bool = False  # a header with a QQ number or account was seen
    keys: dict[str, str] = field(default_factory=dict)

    def weak(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = weak_key(self.key, name)
        return key


@dataclass
class _Pending:
    """A message whose lines are still being read."""

    section: _Section
    timestamp: datetime
    name: str
    account: str
    lines: list[str] = field(default_factory=list)


def group_name_for(unit: Unit) -> str:
    stem = PurePosixPath(unit.name.replace("\\", "/")).name
    return stem[:-4] if stem.lower().endswith(".txt") else stem


def _section(name: str) -> _Section:
    return _Section("qq:" + name, name)


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    default = ctx.group_name or group_name_for(unit)
    section = _section(default)
    pending: _Pending | None = None
    started = False       # a message header was seen (lines before it are preamble)
    in_header = False     # between a section's lines and its first message
    skipping = False      # the lines of a header that was bad
    previous = ""
    for number, line in text_lines(unit, ctx):
        prev, previous = previous, line
        marker = _SECTION.match(line)
        if marker is not None and _SEPARATOR.match(prev.strip()):
            if pending is not None:
                yield from _finish(pending, drop_separators=True)
                pending = None
            if marker.group(1) == "消息对象":
                name = marker.group(2).strip() or default
                section = _section(name)
            in_header, skipping = True, False
            continue
        match = _HEADER.match(line) if line[:1].isdigit() else None
        sender: re.Match[str] | None = None
        if match is not None:
            sender = _sender_match(match.group(8))
            if sender is None and not _unnumbered_header(match, prev, section):
                match = None
        if match is None:
            if pending is not None:
                pending.lines.append(line)
            elif (in_header and started and not skipping and line.strip()
                  and not _SEPARATOR.match(line.strip())):
                ctx.bad(number, "a QQ message header 'YYYY-MM-DD H:MM:SS name(QQ number)'", line)
                skipping = True
            continue
        if pending is not None:
            yield from _finish(pending)
            pending = None
        started = True
        try:
            when = _timestamp(match, ctx)
        except ValueError:
            ctx.bad(number, "a valid date and time in a QQ message header", line)
            skipping, in_header = True, True
            continue
        skipping = in_header = False
        if sender is not None:
            section.numbered = True
            name, account = sender.group(1), sender.group(2) or sender.group(3)
        else:
            name, account = match.group(8), ""
        pending = _Pending(section, when, name, account)
    if pending is not None:
        yield from _finish(pending)


def _unnumbered_header(match: re.Match[str], prev: str, section: _Section) -> bool:
    """A header without QQ number: only after a blank line, in sections without numbers."""
    return not (section.numbered or prev.strip() or not match.group(8).strip())


def _timestamp(match: re.Match[str], ctx: ParseContext) -> datetime:
    year, month, day, hour, minute, second = (int(g) for g in match.group(1, 2, 3, 4, 5, 6))
    half = match.group(7)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {half}")
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    return datetime(year, month, day, hour, minute, second, tzinfo=ctx.tz)


def _finish(pending: _Pending, drop_separators: bool = False) -> Iterator[ChatEvent]:
    lines = pending.lines
    while lines and (not lines[-1].strip() or (drop_separators and
                                               _SEPARATOR.match(lines[-1].strip()))):
        lines.pop()
    text = "\n".join(lines)
    section = pending.section
    is_system = pending.account in _SYSTEM_IDS or pending.name in _SYSTEM_NAMES
    if is_system:
        yield from _system_events(pending, text)
        return
    sender_key, weak = _key(section, pending.name, pending.account)
    kind = text_kind(text)
    if kind is _K.TEXT:
        said, _people, _actor = system_kind(text)
        if said is _K.RECALL:
            kind = _K.RECALL  # "撤回了一条消息" under the recaller's own header
    yield ChatEvent(Platform.QQ, section.key, section.name, sender_key, pending.name,
                    pending.timestamp, kind, text, sender_key_weak=weak)


def _key(section: _Section, name: str, account: str) -> tuple[str, bool]:
    if account:
        return account, False
    return section.weak(name), True


def _system_events(pending: _Pending, text: str) -> Iterator[ChatEvent]:
    section = pending.section
    kind, people, actor = system_kind(text)
    targets = people or ([actor] if actor is not None else [])
    if not targets:
        yield ChatEvent(Platform.QQ, section.key, section.name, "", "", pending.timestamp,
                        kind, text)
        return
    for person in targets:
        key, weak = _key(section, person.name, person.account)
        yield ChatEvent(Platform.QQ, section.key, section.name, key, person.name or key,
                        pending.timestamp, kind, text, sender_key_weak=weak)
