"""The normalized chat event stream (no Django import).

Every importer and every bot adapter produces :class:`ChatEvent`; nothing downstream
knows which platform an event came from. The loader (``qunzhu.ingest.load``) turns a
stream of events into stored identities, memberships and messages.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple


class Platform(enum.StrEnum):
    WECHAT = "wechat"
    WECOM = "wecom"
    QQ = "qq"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    DISCORD = "discord"
    SLACK = "slack"
    IRC = "irc"
    MATRIX = "matrix"
    OTHER = "other"


class MessageKind(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    FILE = "file"
    LINK = "link"
    VOICE = "voice"
    VIDEO = "video"
    STICKER = "sticker"
    RED_ENVELOPE = "red_envelope"  # 红包
    MINI_PROGRAM = "mini_program"  # 小程序 / QR card
    SYSTEM = "system"
    JOIN = "join"
    LEAVE = "leave"
    RECALL = "recall"  # 撤回
    RENAME = "rename"


#: kinds that are not something a member said (no sender activity is counted for them)
NON_SPEECH_KINDS = frozenset({MessageKind.SYSTEM, MessageKind.JOIN, MessageKind.LEAVE,
                              MessageKind.RECALL, MessageKind.RENAME})


class _ChatEventFields(NamedTuple):
    platform: Platform
    group_key: str
    group_name: str
    sender_key: str
    sender_name: str
    timestamp: datetime
    kind: MessageKind = MessageKind.TEXT
    text: str = ""
    message_id: str = ""
    reply_to: str = ""
    mentions: tuple[str, ...] = ()
    sender_key_weak: bool = False


class ChatEvent(_ChatEventFields):
    """One thing that happened in a chat group. Immutable (``event._replace(text=…)`` makes
    a changed copy).

    A named tuple rather than a frozen dataclass: an import creates millions of these, and
    a frozen dataclass's ``__init__`` costs six times as much.

    ``group_key`` and ``sender_key`` are the platform's stable ids where it has them
    (Telegram ``from_id``, QQ number, wxid); otherwise a name-based key, flagged with
    ``sender_key_weak``. ``timestamp`` must be timezone-aware.
    """

    __slots__ = ()

    def __new__(cls, platform: Platform, group_key: str, group_name: str, sender_key: str,
                sender_name: str, timestamp: datetime, kind: MessageKind = MessageKind.TEXT,
                text: str = "", message_id: str = "", reply_to: str = "",
                mentions: tuple[str, ...] = (), sender_key_weak: bool = False) -> ChatEvent:
        if timestamp.tzinfo is None:
            raise ValueError(f"ChatEvent timestamp must be timezone-aware: {timestamp!r}")
        if not group_key:
            raise ValueError("ChatEvent needs a group_key")
        return super().__new__(cls, platform, group_key, group_name, sender_key, sender_name,
                               timestamp, kind, text, message_id, reply_to, mentions,
                               sender_key_weak)

    def content_key(self, ordinal: int = 0) -> str:
        """A stable key for platforms without message ids: time, sender, text, ordinal.

        ``ordinal`` tells apart identical messages (same second, sender and text) in
        one export, so that re-importing the same file adds nothing twice.
        """
        return content_key(int(self.timestamp.timestamp()), self.sender_key, self.kind,
                           self.text, ordinal)


def content_key(epoch: int, sender_key: str, kind: str, text: str, ordinal: int) -> str:
    """``t<epoch hex>:<hash>``: keys of one chat sort by time, so the unique index on
    (group, key) grows at its end instead of at random places (much faster inserts)."""
    raw = f"{epoch}\x1f{sender_key}\x1f{kind}\x1f{text}\x1f{ordinal}"
    digest = hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"t{epoch:x}:{digest}"


class ActionKind(enum.StrEnum):
    POST = "post"
    DELETE = "delete"
    MUTE = "mute"
    REMOVE = "remove"
    PIN = "pin"
    ADD = "add"  # bring a member (back) into the group, or send them its join link
    NOTIFY_OPERATOR = "notify_operator"


@dataclass(frozen=True, slots=True)
class Action:
    """What a rule or an activity asks a group to do; executed by an adapter or the operator.

    ``text`` is what to post (POST) or tell the operator (NOTIFY_OPERATOR), ready to paste;
    ``message_id`` the message to delete (DELETE), ``duration_s`` how long to mute (MUTE);
    ``target_name`` the member's display name, so a person can find them in the chat.
    """

    kind: ActionKind
    group_key: str
    text: str = ""
    target_sender_key: str = ""
    reason: str = ""
    message_id: str = ""
    duration_s: int = 0
    target_name: str = ""

    def to_dict(self) -> dict[str, str | int]:
        """JSON-ready, ``kind`` as its string value."""
        return {"kind": self.kind.value, "group_key": self.group_key, "text": self.text,
                "target_sender_key": self.target_sender_key, "reason": self.reason,
                "message_id": self.message_id, "duration_s": self.duration_s,
                "target_name": self.target_name}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Action:
        """The inverse of :meth:`to_dict`; missing fields take their defaults, unknown keys
        are ignored (stored actions outlive the code that wrote them)."""
        return cls(kind=ActionKind(d["kind"]), group_key=str(d["group_key"]),
                   text=str(d.get("text", "")),
                   target_sender_key=str(d.get("target_sender_key", "")),
                   reason=str(d.get("reason", "")), message_id=str(d.get("message_id", "")),
                   duration_s=int(d.get("duration_s", 0)),
                   target_name=str(d.get("target_name", "")))
