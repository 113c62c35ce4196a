"""The normalized chat event stream (no Django import).

Every importer and every bot adapter produces :class:`ChatEvent`; nothing downstream
knows which platform an event came from. The loader (``qunzhu.ingest.load``) turns a
stream of events into stored identities, memberships and messages.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One thing that happened in a chat group.

    ``group_key`` and ``sender_key`` are the platform's stable ids where it has them
    (Telegram ``from_id``, QQ number, wxid); otherwise a name-based key, flagged with
    ``sender_key_weak``. ``timestamp`` must be timezone-aware.
    """

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
    mentions: tuple[str, ...] = field(default_factory=tuple)
    sender_key_weak: bool = False

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None or self.timestamp.utcoffset() is None:
            raise ValueError(f"ChatEvent timestamp must be timezone-aware: {self.timestamp!r}")
        if not self.group_key:
            raise ValueError("ChatEvent needs a group_key")

    def content_key(self, ordinal: int = 0) -> str:
        """A stable key for platforms without message ids: time, sender, text, ordinal.

        ``ordinal`` tells apart identical messages (same second, sender and text) in
        one export, so that re-importing the same file adds nothing twice.
        """
        raw = "\x1f".join((self.timestamp.isoformat(), self.sender_key, self.kind.value,
                           self.text, str(ordinal)))
        return "h:" + hashlib.blake2b(raw.encode("utf-8"), digest_size=12).hexdigest()


class ActionKind(enum.StrEnum):
    POST = "post"
    DELETE = "delete"
    MUTE = "mute"
    REMOVE = "remove"
    PIN = "pin"
    NOTIFY_OPERATOR = "notify_operator"


@dataclass(frozen=True, slots=True)
class Action:
    """What a rule or an activity asks a group to do; executed by an adapter or the operator."""

    kind: ActionKind
    group_key: str
    text: str = ""
    target_sender_key: str = ""
    reason: str = ""
