"""Telegram Desktop JSON export (``result.json``): one chat, or a whole account's chats.

Two shapes exist. "Export chat history" writes one chat::

    {"name": "…", "type": "private_group", "id": 123, "messages": [ … ]}

"Export Telegram data" writes the whole account, with every chat under
``chats.list`` (and chats the user left under ``left_chats.list``). Each chat becomes
its own group, keyed by the chat id.

Messages carry ``date_unixtime`` (an exact instant) in exports since 2022; older ones only
have ``date``, a wall-clock time without zone, read in ``ctx.tz``. ``text`` is a string or a
list of strings and entity objects (``{"type": "link", "text": …}``); joined, they are the
message text exactly as sent. Service messages (``"type": "service"``) have an ``action``
and an ``actor``; they have no text of their own, so the event text is a short English
rendering of the action ("Alice invited Bob"), like Telegram's own HTML export shows.

Members named by ``invite_members`` / ``remove_members`` / ``create_group`` appear by name
only (the export has no ids for them). Where that name appears with exactly one id elsewhere
in the same chat (as ``from``/``from_id`` or ``actor``/``actor_id``) the id is used;
otherwise the member gets a weak, name-based key within the group.

JSON cannot be streamed with orjson, so the whole file is read and decoded at once: a
500 MB ``result.json`` needs roughly 1.5-3 GB of memory while parsing. (``ijson`` would
stream it, but the project adds no dependencies for this.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import ImportFailed, ParseContext, Unit, head_text, load_json, weak_key

FORMAT = "telegram"

_SINGLE_CHAT = re.compile(r'"messages"\s*:\s*\[')
_MESSAGE_SHAPE = re.compile(r'"date_unixtime"\s*:|"type"\s*:\s*"(?:message|service)"[^{}]*'
                            r'"date"\s*:\s*"\d{4}-\d\d-\d\dT')
_ACCOUNT = re.compile(r'"about"\s*:\s*"Here is the data you requested|'
                      r'"chats"\s*:\s*\{\s*"about"|"personal_information"\s*:\s*\{')

_MEDIA_KINDS = {
    "sticker": MessageKind.STICKER,
    "voice_message": MessageKind.VOICE,
    "video_message": MessageKind.VIDEO,  # round video notes
    "video_file": MessageKind.VIDEO,
    "animation": MessageKind.IMAGE,  # GIFs: people see them as pictures
    "audio_file": MessageKind.FILE,  # music files, not voice notes
}
#: service actions whose listed ``members`` join or leave, one event per member
_MEMBER_ACTIONS = {"invite_members": MessageKind.JOIN, "create_group": MessageKind.JOIN,
                   "remove_members": MessageKind.LEAVE}
_ACTOR_ACTIONS = {"join_group_by_link": MessageKind.JOIN,
                  "join_group_by_request": MessageKind.JOIN,
                  "edit_group_title": MessageKind.RENAME}
#: record errors turned into a skipped record (bad types or values inside a message)
_RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError)


@dataclass
class _Chat:
    key: str
    name: str
    label: str  # how error messages name the chat
    #: display name -> the one Telegram id seen with it in this chat (for members by name)
    ids_by_name: dict[str, str] = field(default_factory=dict)


def detect(unit: Unit) -> str | None:
    text = head_text(unit).lstrip()
    if not text.startswith("{"):
        return None
    if _ACCOUNT.search(text):
        return "Telegram Desktop whole-account export (result.json with 'chats')"
    if _SINGLE_CHAT.search(text) and _MESSAGE_SHAPE.search(text):
        return "Telegram Desktop chat export (result.json with 'messages' and Telegram dates)"
    return None


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    data = load_json(unit)
    chats = _chats(unit, data)
    if ctx.group_name and len(chats) > 1:
        raise ImportFailed(unit.label, f"--group names one group, but this export holds "
                                       f"{len(chats)} chats; import it without --group")
    for index, raw in enumerate(chats):
        chat = _chat(unit, ctx, raw, index, single=len(chats) == 1)
        yield from _chat_events(ctx, chat, raw["messages"])


# -- file and chat structure ------------------------------------------------------------

def _chats(unit: Unit, data: Any) -> list[dict[str, Any]]:
    """The chat objects of either export shape, checked to look like Telegram's."""
    if not isinstance(data, dict):
        raise ImportFailed(unit.label, "not a Telegram export: the JSON is not an object")
    if isinstance(data.get("messages"), list):
        chats: list[Any] = [data]
    elif isinstance(data.get("chats"), dict):
        chats = _listed(data, "chats") + _listed(data, "left_chats")
    else:
        raise ImportFailed(unit.label, "not a Telegram export: no 'messages' list and no "
                                       "'chats' section")
    for number, chat in enumerate(chats, start=1):
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise ImportFailed(unit.label, f"chat #{number} has no 'messages' list")
    _check_shape(unit, chats)
    return chats


def _listed(data: dict[str, Any], section: str) -> list[Any]:
    block = data.get(section)
    found = block.get("list") if isinstance(block, dict) else None
    return found if isinstance(found, list) else []


def _check_shape(unit: Unit, chats: list[dict[str, Any]]) -> None:
    """Refuse other JSON chat formats (Discord, QQ…) instead of skipping every record."""
    for chat in chats:
        for message in chat["messages"][:1]:
            if not isinstance(message, dict) or message.get("type") == "unsupported":
                continue
            if message.get("type") in ("message", "service") and (
                    "date" in message or "date_unixtime" in message):
                return
            raise ImportFailed(unit.label, "not a Telegram export: messages have no Telegram "
                                           "'type' and 'date'")


def _chat(unit: Unit, ctx: ParseContext, raw: dict[str, Any], index: int,
          single: bool) -> _Chat:
    name = _str(raw.get("name"))
    chat_id = raw.get("id")
    if ctx.group_name:
        key, name = "telegram:" + ctx.group_name, ctx.group_name
    elif isinstance(chat_id, int | str) and not isinstance(chat_id, bool) and str(chat_id):
        key = str(chat_id)
    elif name:
        key = "telegram:" + name
    else:
        # no id and no name (hand-made files): the file name is all there is
        name = PurePosixPath(unit.name).stem
        key = f"telegram:{unit.name}" + ("" if single else f"#{index + 1}")
    chat = _Chat(key=key, name=name or key, label=name or f"chat #{index + 1}")
    chat.ids_by_name = _ids_by_name(raw["messages"])
    return chat


def _ids_by_name(messages: list[Any]) -> dict[str, str]:
    """Names that go with exactly one id in this chat."""
    seen: dict[str, set[str]] = {}
    for message in messages:
        if not isinstance(message, dict):
            continue
        for name_key, id_key in (("from", "from_id"), ("actor", "actor_id")):
            name, ident = _str(message.get(name_key)), _peer_id(message.get(id_key))
            if name and ident:
                seen.setdefault(name, set()).add(ident)
    return {name: next(iter(ids)) for name, ids in seen.items() if len(ids) == 1}


# -- messages ---------------------------------------------------------------------------

def _chat_events(ctx: ParseContext, chat: _Chat, messages: list[Any]) -> Iterator[ChatEvent]:
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            ctx.bad(number, f"a message object (chat {chat.label!r}, message #{number})",
                    repr(message))
            continue
        if message.get("type") == "unsupported":
            continue  # Telegram could not render it; the export keeps only its id
        try:
            events = _events(ctx.tz, chat, message)
        except _RECORD_ERRORS as error:
            ctx.bad(number, f"a Telegram message with a valid date (chat {chat.label!r}, "
                            f"message #{number}; {type(error).__name__}: {error})",
                    _shown(message))
            continue
        yield from events


def _events(tz: ZoneInfo, chat: _Chat, message: dict[str, Any]) -> list[ChatEvent]:
    when = _when(message, tz)
    if message.get("type") == "service":
        return _service_events(chat, message, when)
    if message.get("type") != "message":
        raise ValueError(f"unknown message type {message.get('type')!r}")
    sender, name, weak = _person(chat, _str(message.get("from")), message.get("from_id"))
    return [ChatEvent(
        platform=Platform.TELEGRAM, group_key=chat.key, group_name=chat.name,
        sender_key=sender, sender_name=name, timestamp=when, kind=_kind(message),
        text=_plain(message.get("text")), message_id=_id(message.get("id")),
        reply_to=_reply_to(message), mentions=_mentions(message), sender_key_weak=weak)]


def _when(message: dict[str, Any], tz: ZoneInfo) -> datetime:
    unix = message.get("date_unixtime")
    if unix not in (None, ""):
        if isinstance(unix, bool) or not isinstance(unix, int | str):
            raise TypeError(f"date_unixtime is {unix!r}")
        return datetime.fromtimestamp(int(unix), UTC)
    date = message["date"]
    if not isinstance(date, str):
        raise TypeError(f"date is {date!r}")
    parsed = datetime.fromisoformat(date)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _kind(message: dict[str, Any]) -> MessageKind:
    media = message.get("media_type")
    if isinstance(media, str) and media in _MEDIA_KINDS:
        return _MEDIA_KINDS[media]
    if "photo" in message:
        return MessageKind.IMAGE
    if "file" in message:
        mime = _str(message.get("mime_type"))
        if mime.startswith("image/"):
            return MessageKind.IMAGE
        return MessageKind.VIDEO if mime.startswith("video/") else MessageKind.FILE
    return MessageKind.TEXT


def _plain(text: Any) -> str:
    """The message text: a string, or the concatenated parts of a rich-text list."""
    if isinstance(text, str):
        return text
    if not isinstance(text, list):
        return ""
    return "".join(part if isinstance(part, str)
                   else _str(part.get("text")) if isinstance(part, dict) else ""
                   for part in text)


def _mentions(message: dict[str, Any]) -> tuple[str, ...]:
    """Users mentioned by id (``mention_name`` entities: people without a username)."""
    entities: Any = message.get("text_entities")
    if not isinstance(entities, list):
        text = message.get("text")
        entities = text if isinstance(text, list) else []
    found: list[str] = []
    for entity in entities:
        if isinstance(entity, dict) and entity.get("type") == "mention_name":
            ident = _peer_id(entity.get("user_id"))
            if ident and ident not in found:
                found.append(ident)
    return tuple(found)


def _reply_to(message: dict[str, Any]) -> str:
    # a reply_to_peer_id means the replied message is in another chat: no link here
    if "reply_to_peer_id" in message:
        return ""
    return _id(message.get("reply_to_message_id"))


# -- service messages -------------------------------------------------------------------

def _service_events(chat: _Chat, message: dict[str, Any], when: datetime) -> list[ChatEvent]:
    action = _str(message.get("action"))
    actor = _str(message.get("actor"))
    actor_key, actor, actor_weak = _person(chat, actor, message.get("actor_id"))
    base = _id(message.get("id"))
    events: list[ChatEvent] = []
    if action == "create_group":
        events.append(_service(chat, when, base, (actor_key, actor, actor_weak),
                               MessageKind.SYSTEM, _describe(message, actor, "")))
    if action in _MEMBER_ACTIONS:
        members = message.get("members")
        for member in members if isinstance(members, list) else []:
            person = _person(chat, _str(member), None)
            text = _describe(message, actor, person[1])
            number = len(events)
            events.append(_service(chat, when, f"{base}:{number}" if number and base else base,
                                   person, _MEMBER_ACTIONS[action], text))
    if not events:
        kind = _ACTOR_ACTIONS.get(action, MessageKind.SYSTEM)
        events.append(_service(chat, when, base, (actor_key, actor, actor_weak), kind,
                               _describe(message, actor, "")))
    return events


def _service(chat: _Chat, when: datetime, message_id: str, person: tuple[str, str, bool],
             kind: MessageKind, text: str) -> ChatEvent:
    return ChatEvent(platform=Platform.TELEGRAM, group_key=chat.key, group_name=chat.name,
                     sender_key=person[0], sender_name=person[1], timestamp=when, kind=kind,
                     text=text, message_id=message_id, sender_key_weak=person[2])


def _describe(message: dict[str, Any], actor: str, member: str) -> str:
    """The export's own text if any, else what Telegram's HTML export would say."""
    own = _plain(message.get("text"))
    if own:
        return own
    action, title = _str(message.get("action")), _str(message.get("title"))
    who = actor or "Someone"
    if action == "invite_members":
        return f"{who} invited {member}"
    if action == "remove_members":
        return f"{member} left the group" if member == actor else f"{who} removed {member}"
    if action == "create_group":
        return f"{member} joined" if member else f"{who} created group «{title}»"
    sentences = {"join_group_by_link": f"{who} joined the group via invite link",
                 "join_group_by_request": f"{who} was accepted into the group",
                 "edit_group_title": f"{who} changed group name to «{title}»",
                 "pin_message": f"{who} pinned a message"}
    return sentences.get(action, f"{who}: {action or 'service message'}")


# -- small helpers ----------------------------------------------------------------------

def _person(chat: _Chat, name: str, raw_id: Any) -> tuple[str, str, bool]:
    """(sender_key, sender_name, weak) for a name and an optional Telegram id."""
    ident = _peer_id(raw_id) or chat.ids_by_name.get(name, "")
    if ident:
        return ident, name, False
    if name:
        return weak_key(chat.key, name), name, True
    return "", "", False


def _peer_id(raw: Any) -> str:
    """``from_id``/``user_id`` as "user123"/"channel456"; old exports wrote bare numbers."""
    if isinstance(raw, bool) or raw is None:
        return ""
    if isinstance(raw, int):
        return f"user{raw}"
    return raw if isinstance(raw, str) else ""


def _id(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return ""
    return str(raw)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _shown(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode("utf-8", errors="replace")
