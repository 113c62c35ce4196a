"""DiscordChatExporter exports of one channel: JSON, and CSV.

JSON: ``{"guild": {…}, "channel": {…}, "messages": [ … ]}``; every message has its
snowflake ``id``, a ``type`` ("Default", "Reply", "RecipientAdd", "GuildMemberJoin", …),
a ``timestamp`` with offset, ``content``, an ``author`` {id, name, nickname, isBot},
``attachments``, ``stickers``, ``mentions`` and a ``reference`` for replies. The group is
the channel (its id); for servers it is named "guild / #channel". The whole file is read
and decoded at once (orjson cannot stream), so memory grows with the export.

CSV: the header ``AuthorID,Author,Date,Content,Attachments,Reactions`` and one quoted row
per message, streamed. The rows carry no channel and no message ids; the channel comes from
the file name DiscordChatExporter gives by default, "Guild - Category - Channel [id].csv".
``Date`` is ISO 8601 with an offset in recent versions (the instant is kept) or a local
wall-clock time such as "12-Sep-20 06:02 PM" in older ones (read in ``ctx.tz``). System
notifications are recognised by the fixed English text the exporter writes for them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from qunzhu.core.events import NON_SPEECH_KINDS, ChatEvent, MessageKind, Platform

from .base import (
    ImportFailed,
    LineCounter,
    ParseContext,
    Unit,
    head_text,
    load_json,
    text_lines,
)

FORMAT = "discord"
CSV_HEADER = "AuthorID,Author,Date,Content,Attachments,Reactions"

_JSON_HEAD = re.compile(r'\A\s*\{\s*"guild"\s*:\s*\{')
_CHANNEL_KEY = re.compile(r'"channel"\s*:\s*\{')
_FILE_NAME = re.compile(r"^(?P<title>.*?)\s*\[(?P<id>\d+)\](?: \[part \d+\])?$")

#: Discord message types (DiscordChatExporter writes the enum name, or the number when
#: it has no name for it) that are something a member said
_SPEECH_TYPES = {"Default", "Reply", "ChatInputCommand", "ContextMenuCommand",
                 "ThreadStarterMessage", "0", "19", "20", "21", "23"}
_MEMBERSHIP_TYPES = {"RecipientAdd": MessageKind.JOIN, "1": MessageKind.JOIN,
                     "GuildMemberJoin": MessageKind.JOIN, "7": MessageKind.JOIN,
                     "RecipientRemove": MessageKind.LEAVE, "2": MessageKind.LEAVE,
                     "ChannelNameChange": MessageKind.RENAME, "4": MessageKind.RENAME}
_IMAGE_EXT = {"png", "jpg", "jpeg", "gif", "webp", "bmp", "heic", "avif", "svg"}
_VIDEO_EXT = {"mp4", "mov", "webm", "mkv", "avi", "m4v"}
_AUDIO_EXT = {"ogg", "mp3", "m4a", "wav", "opus", "flac", "aac"}
#: the fallback texts DiscordChatExporter writes in CSV for system notifications
_CSV_SYSTEM = (
    (re.compile(r"Joined the server\."), MessageKind.JOIN),
    (re.compile(r"Left the group\."), MessageKind.LEAVE),
    (re.compile(r"Changed the channel name(?:\.|: .*)", re.DOTALL), MessageKind.RENAME),
    (re.compile(r"(?:Added .+ to|Removed .+ from) the group\.|Added a recipient\.|"
                r"Removed a recipient\.|Changed the channel icon\.|Pinned a message\.|"
                r"Started a thread\.|Started a call that lasted \d+ minutes?\.",
                re.DOTALL), MessageKind.SYSTEM),
)
_CSV_DATES = ("%d-%b-%y %I:%M %p", "%d-%b-%y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M",
              "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


@dataclass(frozen=True)
class _Group:
    key: str
    name: str
    channel_id: str


def detect(unit: Unit) -> str | None:
    text = head_text(unit)
    if _JSON_HEAD.match(text) and _CHANNEL_KEY.search(text):
        return "JSON object opening with DiscordChatExporter's 'guild' and 'channel' keys"
    if _is_csv_header(text.split("\n", 1)[0]):
        return f"CSV header '{CSV_HEADER}' (DiscordChatExporter)"
    return None


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    text = head_text(unit)
    if not text.strip():
        raise ImportFailed(unit.label, "the file is empty")
    if text.lstrip().startswith("{"):
        yield from _json_events(unit, ctx)
    elif _is_csv_header(text.split("\n", 1)[0]):
        yield from _csv_events(unit, ctx)
    else:
        raise ImportFailed(unit.label, "not a DiscordChatExporter export: neither its JSON "
                                       f"nor its CSV header '{CSV_HEADER}'")


# -- JSON -------------------------------------------------------------------------------

def _json_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    data = load_json(unit)
    if not (isinstance(data, dict) and isinstance(data.get("guild"), dict)
            and isinstance(data.get("channel"), dict) and isinstance(data.get("messages"), list)):
        raise ImportFailed(unit.label, "not a DiscordChatExporter JSON export: it needs "
                                       "'guild', 'channel' and a 'messages' list")
    group = _json_group(data["guild"], data["channel"], ctx)
    for number, message in enumerate(data["messages"], start=1):
        try:
            event = _json_event(message, group, ctx.tz)
        except _RECORD_ERRORS as error:
            ctx.bad(number, f"a DiscordChatExporter message (message #{number}; "
                            f"{type(error).__name__}: {error})", _shown(message))
            continue
        yield event


def _json_group(guild: dict[str, Any], channel: dict[str, Any], ctx: ParseContext) -> _Group:
    channel_id, channel_name = _str(channel.get("id")), _str(channel.get("name"))
    private = _str(guild.get("id")) == "0" or _str(channel.get("type")).startswith("Direct")
    name = channel_name if private else f"{_str(guild.get('name'))} / #{channel_name}"
    if ctx.group_name:
        return _Group("discord:" + ctx.group_name, ctx.group_name, channel_id)
    return _Group(channel_id or "discord:" + name, name or channel_id, channel_id)


def _json_event(message: Any, group: _Group, tz: ZoneInfo) -> ChatEvent:
    if not isinstance(message, dict):
        raise TypeError("the message is not an object")
    kind_name = _str(message.get("type")) or "Default"
    kind = _json_kind(message, kind_name)
    author = _user(message["author"])
    subject = author
    if kind in (MessageKind.JOIN, MessageKind.LEAVE) and kind_name in _ADDED_OR_REMOVED:
        # "Added X to the group": the member who joins is the mentioned one, not the adder
        mentioned = [_user(user) for user in _list(message.get("mentions"))]
        subject = mentioned[0] if mentioned else author
    return ChatEvent(
        platform=Platform.DISCORD, group_key=group.key, group_name=group.name,
        sender_key=subject[0], sender_name=subject[1],
        timestamp=_instant(message["timestamp"], tz), kind=kind,
        text=_str(message.get("content")), message_id=_str(message["id"]),
        reply_to=_json_reply(message, group),
        mentions=() if kind in NON_SPEECH_KINDS else _mention_ids(message))


_ADDED_OR_REMOVED = {"RecipientAdd", "RecipientRemove", "1", "2"}


def _json_kind(message: dict[str, Any], kind_name: str) -> MessageKind:
    if kind_name in _MEMBERSHIP_TYPES:
        return _MEMBERSHIP_TYPES[kind_name]
    if kind_name not in _SPEECH_TYPES:
        return MessageKind.SYSTEM  # calls, pins, boosts, thread notices…
    files = [_str(item.get("fileName")) or _str(item.get("url"))
             for item in _list(message.get("attachments")) if isinstance(item, dict)]
    if files:
        return _file_kind(files[0])
    return MessageKind.STICKER if _list(message.get("stickers")) else MessageKind.TEXT


def _user(author: Any) -> tuple[str, str]:
    """(id, display name): the server nickname where there is one, else the user name."""
    if not isinstance(author, dict):
        raise TypeError("author is not an object")
    ident = _str(author["id"])
    if not ident:
        raise ValueError("author without id")
    return ident, _str(author.get("nickname")) or _str(author.get("name"))


def _json_reply(message: dict[str, Any], group: _Group) -> str:
    reference = message.get("reference")
    if not isinstance(reference, dict):
        return ""
    channel = _str(reference.get("channelId"))
    if channel and group.channel_id and channel != group.channel_id:
        return ""  # a reply to a message in another channel
    return _str(reference.get("messageId"))


def _mention_ids(message: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for user in _list(message.get("mentions")):
        ident = _str(user.get("id")) if isinstance(user, dict) else ""
        if ident and ident not in found:
            found.append(ident)
    return tuple(found)


def _instant(raw: Any, tz: ZoneInfo) -> datetime:
    if not isinstance(raw, str):
        raise TypeError(f"timestamp is {raw!r}")
    parsed = datetime.fromisoformat(raw)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


# -- CSV --------------------------------------------------------------------------------

def _csv_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    group = _csv_group(unit, ctx)
    lines = text_lines(unit, ctx)
    next(lines)  # the header, checked by the caller
    counter = LineCounter(lines, number=1)
    reader = csv.reader(counter.feed())
    while True:
        start = counter.number + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFailed(unit.label, f"line {start}: broken CSV: {error}") from None
        event = _csv_event(row, group, ctx, start)
        if event is not None:
            yield event


def _csv_group(unit: Unit, ctx: ParseContext) -> _Group:
    if ctx.group_name:
        return _Group("discord:" + ctx.group_name, ctx.group_name, "")
    stem = PurePosixPath(unit.name).stem
    match = _FILE_NAME.match(stem)
    title = match.group("title") if match else stem
    parts = title.split(" - ")
    if len(parts) == 3:  # "Guild - Category - Channel"
        title = parts[2] if parts[0] == "Direct Messages" else f"{parts[0]} / #{parts[2]}"
    if match:
        return _Group(match.group("id"), title, match.group("id"))
    return _Group("discord:" + title, title, "")


def _csv_event(row: list[str], group: _Group, ctx: ParseContext,
               line: int) -> ChatEvent | None:
    if len(row) < 4 or not row[0].strip():
        ctx.bad(line, f"a CSV row {CSV_HEADER}", ",".join(row))
        return None
    author_id, author, date, content = row[0].strip(), row[1], row[2].strip(), row[3]
    when = _csv_date(date, ctx.tz)
    if when is None:
        ctx.bad(line, "a date like 2020-09-12T18:02:23.11+02:00 or 12-Sep-20 06:02 PM",
                ",".join(row))
        return None
    attachments = row[4].strip() if len(row) > 4 else ""
    kind = _csv_kind(content, attachments)
    return ChatEvent(platform=Platform.DISCORD, group_key=group.key, group_name=group.name,
                     sender_key=author_id, sender_name=author, timestamp=when, kind=kind,
                     text=content)


def _csv_date(raw: str, tz: ZoneInfo) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = None
    for pattern in () if parsed else _CSV_DATES:
        try:
            parsed = datetime.strptime(raw, pattern)
            break
        except ValueError:
            continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _csv_kind(content: str, attachments: str) -> MessageKind:
    if attachments:
        return _file_kind(attachments.split(",", 1)[0])
    for pattern, kind in _CSV_SYSTEM:
        if pattern.fullmatch(content):
            return kind
    return MessageKind.TEXT


# -- shared helpers ---------------------------------------------------------------------

def _is_csv_header(line: str) -> bool:
    return line.lstrip("\ufeff").strip().replace('"', "") == CSV_HEADER


def _file_kind(name: str) -> MessageKind:
    extension = name.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
    if extension in _IMAGE_EXT:
        return MessageKind.IMAGE
    if extension in _VIDEO_EXT:
        return MessageKind.VIDEO
    return MessageKind.VOICE if extension in _AUDIO_EXT else MessageKind.FILE


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value) if isinstance(value, str | int) else ""


def _shown(message: Any) -> str:
    try:
        return orjson.dumps(message).decode("utf-8", errors="replace")
    except TypeError:
        return repr(message)
