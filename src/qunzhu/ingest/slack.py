"""Slack workspace exports: a zip archive or its unpacked folder (Slack's own export, Slackdump).

The export is a tree of JSON files::

    users.json                     [{"id": "U0BMQB6JE", "name": "hamza", "real_name": …,
                                     "profile": {"display_name": …, "bot_id": …}}, …]
    channels.json                  public channels  [{"id": "C0JGLMMNX", "name": "enrique", …}]
    groups.json                    private channels (same shape)
    mpims.json                     group DMs        [{"id": "G…", "name": "mpdm-a--b-1",
                                                      "members": ["U…", …]}]
    dms.json                       direct messages  [{"id": "D…", "members": ["U…", "U…"]}]
    enrique/2016-01-14.json        one file per channel and day: a list of messages
    D0123ABCD/2016-01-14.json      (DMs are foldered by id, the others by name)

A message::

    {"type": "message", "user": "U0BMQB6JE", "text": "<@U0BMYT2FL>: see this",
     "ts": "1452837352.000006", "thread_ts": "1452837318.000002", "subtype": …, "files": […]}

Each channel, private channel, group DM and DM is one group, keyed by its Slack id (folders
that no metadata file lists are keyed ``slack:<folder>``); a DM is named after its members.
Folders and their day files are read in sorted order, so each channel's events come in time
order. A zip whose export sits in one top-level folder is read from inside that folder.

Senders are user ids (``U…``/``W…``; for ``file_comment`` the commenter), named from
``users.json`` (``real_name``, else ``profile.display_name``, else ``name``), else from the
message's own ``user_profile`` or ``username``, else the id. Bot posts without a user are
keyed by the bot's user when ``users.json`` lists one with that ``profile.bot_id``, else by
the ``bot_id``; their name is ``username``, ``bot_profile.name``, the name a ``bot_add``
message gave the integration, or the id.

``ts`` is the message id and its time (epoch seconds, UTC); a reply in a thread
(``thread_ts`` other than its own ``ts``) points at the thread's first message. ``<@U…>`` in
the text of a message are its mentions. The text is kept exactly as Slack stored it
(``&lt;``-escaped, ``<url|label>`` markup); only a message without text gets one: its
attachments' ``fallback`` lines (bot posts, link unfurls) or its files' titles.

Kinds: ``channel_join``/``group_join`` JOIN, ``channel_leave``/``group_leave`` LEAVE,
``channel_name``/``group_name`` RENAME, topic/purpose/archive/pin/integration notices SYSTEM,
``tombstone``/``message_deleted`` RECALL, messages with files IMAGE/VIDEO/VOICE/FILE by the
first file's mimetype; everything else (plain messages, ``bot_message``, ``me_message``,
``thread_broadcast``, ``file_comment``, subtypes we do not know) TEXT.

A day file that is not a JSON list, or a message without a usable ``ts``, is a bad record
(``ctx.bad``; the line number is 1 for a file, the message's position for a message). So is an
unreadable ``users.json``/``channels.json``: the import goes on with ids for names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from qunzhu.core.events import NON_SPEECH_KINDS, ChatEvent, MessageKind, Platform

from .base import ImportFailed, ParseContext, Tree, Unit

FORMAT = "slack"

_METADATA = ("channels.json", "groups.json", "mpims.json", "dms.json")
_DAY_FILE = re.compile(r"^([^/]+)/(\d{4}-\d{2}-\d{2})\.json$")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_BOT_ADDED = re.compile(r"/services/(B[A-Z0-9]+)\|([^>]+)>")
_IGNORED_FOLDERS = ("__MACOSX", ".")

_K = MessageKind
_SUBTYPE_KINDS: dict[str, MessageKind] = {
    "channel_join": _K.JOIN, "group_join": _K.JOIN,
    "channel_leave": _K.LEAVE, "group_leave": _K.LEAVE,
    "channel_name": _K.RENAME, "group_name": _K.RENAME,
    "tombstone": _K.RECALL, "message_deleted": _K.RECALL,
    **dict.fromkeys((
        "channel_topic", "channel_purpose", "group_topic", "group_purpose",
        "channel_archive", "channel_unarchive", "group_archive", "group_unarchive",
        "channel_convert_to_private", "channel_convert_to_public", "pinned_item",
        "unpinned_item", "bot_add", "bot_remove", "bot_enable", "bot_disable",
        "reminder_add", "reminder_delete", "sh_room_created", "huddle_thread",
        "channel_canvas_updated", "message_changed", "joiner_notification",
        "channel_posting_permissions", "app_conversation_join"), _K.SYSTEM),
}
#: record errors turned into a skipped record (bad types or values inside a message)
_RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError)


@dataclass
class _Channel:
    folder: str
    key: str
    name: str
    days: list[str] = field(default_factory=list)  # tree names of its day files, sorted


@dataclass
class _People:
    """What users.json says: names by user id, and the user of each bot id."""

    names: dict[str, str] = field(default_factory=dict)
    bot_users: dict[str, str] = field(default_factory=dict)
    bot_names: dict[str, str] = field(default_factory=dict)  # from bot_add messages

    def name(self, user: str, message: dict[str, Any]) -> str:
        known = self.names.get(user)
        if known:
            return known
        profile = message.get("user_profile")
        if isinstance(profile, dict):
            found = _first_name(profile, ("real_name", "display_name", "name"))
            if found:
                self.names[user] = found
                return found
        return _str(message.get("username")).strip() or user


# -- detection ---------------------------------------------------------------------------

def _root(tree: Tree) -> str:
    """"" or "folder/" when the whole export sits in one top-level folder of the zip (and
    nothing else is there: a folder holding several exports is not one export)."""
    if any(tree.has(name) for name in _METADATA):
        return ""
    tops = {name.split("/", 1)[0] if "/" in name else "" for name in tree.names()
            if not name.startswith(_IGNORED_FOLDERS)}
    if len(tops) == 1:
        top = tops.pop()
        if top and any(tree.has(f"{top}/{name}") for name in _METADATA):
            return top + "/"
    return ""


def _day_files(tree: Tree, root: str) -> list[tuple[str, str]]:
    """(folder, tree name) of every day file, sorted by folder, then day."""
    found = []
    for name in tree.names():
        if not name.startswith(root):
            continue
        match = _DAY_FILE.match(name[len(root):])
        if match and not match.group(1).startswith(_IGNORED_FOLDERS):
            found.append((match.group(1), name))
    return sorted(found)


def detect(unit: Unit) -> str | None:
    """A tree with Slack's channel metadata files and per-channel day files."""
    tree = unit.tree
    if tree is None:
        return None
    root = _root(tree)
    listed = [name for name in _METADATA if tree.has(root + name)]
    if not listed:
        return None
    days = _day_files(tree, root)
    if not days:
        return None
    folders = len({folder for folder, _name in days})
    return (f"Slack workspace export ({', '.join(listed)}"
            f"{', users.json' if tree.has(root + 'users.json') else ''}; "
            f"{folders} channel folder(s) of YYYY-MM-DD.json day files)")


# -- structure ---------------------------------------------------------------------------

def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    tree = unit.tree
    if tree is None:
        raise ImportFailed(unit.label, "not a Slack export: Slack exports are a zip archive "
                                       "or a folder, not a single file")
    root = _root(tree)
    days = _day_files(tree, root)
    if not days:
        raise ImportFailed(unit.label, "not a Slack export: no <channel>/YYYY-MM-DD.json "
                                       "day files")
    people = _people(tree, root, ctx)
    channels = _channels(tree, root, ctx, people, days)
    if ctx.group_name:
        if len(channels) > 1:
            raise ImportFailed(unit.label, f"--group names one group, but this export holds "
                                           f"{len(channels)} channels; import it without "
                                           f"--group")
        for channel in channels:
            channel.key, channel.name = "slack:" + ctx.group_name, ctx.group_name
    for channel in channels:
        for name in channel.days:
            messages = _day(tree, name, root, ctx)
            yield from _day_events(ctx, channel, people, messages, name[len(root):])


def _load(tree: Tree, name: str) -> Any:
    """A JSON file of the tree; ValueError (with the reason) when it cannot be read."""
    try:
        with tree.open(name) as stream:
            data = stream.read()
    except (OSError, KeyError, RuntimeError) as error:  # zip members: bad CRC, encrypted
        raise ValueError(f"cannot read it ({error})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise ValueError("the file is empty")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise ValueError(f"invalid JSON at line {error.lineno}, column {error.colno}: "
                         f"{error.msg}") from None


def _metadata_list(tree: Tree, root: str, name: str, ctx: ParseContext) -> list[Any]:
    if not tree.has(root + name):
        return []
    try:
        data = _load(tree, root + name)
    except ValueError as error:
        ctx.bad(1, f"a JSON list in {name}", str(error))
        return []
    if not isinstance(data, list):
        ctx.bad(1, f"a JSON list in {name}", type(data).__name__)
        return []
    return data


def _people(tree: Tree, root: str, ctx: ParseContext) -> _People:
    people = _People()
    for user in _metadata_list(tree, root, "users.json", ctx):
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        raw_profile = user.get("profile")
        profile: dict[str, Any] = raw_profile if isinstance(raw_profile, dict) else {}
        name = (_str(user.get("real_name")).strip()
                or _first_name(profile, ("real_name", "display_name"))
                or _str(user.get("name")).strip())
        if name:
            people.names[user["id"]] = name
        bot_id = _str(profile.get("bot_id"))
        if bot_id:
            people.bot_users[bot_id] = user["id"]
    return people


def _channels(tree: Tree, root: str, ctx: ParseContext, people: _People,
              days: list[tuple[str, str]]) -> list[_Channel]:
    """One channel per folder with day files, with its id and name from the metadata."""
    meta: dict[str, dict[str, Any]] = {}
    for name in _METADATA:
        for entry in _metadata_list(tree, root, name, ctx):
            if not isinstance(entry, dict):
                continue
            entry = {**entry, "_dm": name == "dms.json", "_mpim": name == "mpims.json"}
            for folder_key in ("id", "name"):
                folder = entry.get(folder_key)
                if isinstance(folder, str) and folder and folder not in meta:
                    meta[folder] = entry
    channels: dict[str, _Channel] = {}
    for folder, name in days:
        channel = channels.get(folder)
        if channel is None:
            channel = channels[folder] = _channel(folder, meta.get(folder), people)
        channel.days.append(name)
    return list(channels.values())


def _channel(folder: str, entry: dict[str, Any] | None, people: _People) -> _Channel:
    if entry is None:
        return _Channel(folder, "slack:" + folder, folder)
    key = _str(entry.get("id")) or "slack:" + folder
    name = _str(entry.get("name"))
    if entry["_dm"] or entry["_mpim"] or not name:
        members = entry.get("members")
        if isinstance(members, list):
            names = [people.names.get(m, m) for m in members if isinstance(m, str)]
            name = ", ".join(names) or name
    return _Channel(folder, key, name or folder)


def _day(tree: Tree, name: str, root: str, ctx: ParseContext) -> list[Any]:
    shown = name[len(root):]
    try:
        data = _load(tree, name)
    except ValueError as error:
        ctx.bad(1, f"a JSON list of Slack messages in {shown}", str(error))
        return []
    if not isinstance(data, list):
        ctx.bad(1, f"a JSON list of Slack messages in {shown}", type(data).__name__)
        return []
    return data


# -- messages ----------------------------------------------------------------------------

def _day_events(ctx: ParseContext, channel: _Channel, people: _People, messages: list[Any],
                shown: str) -> Iterator[ChatEvent]:
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            ctx.bad(number, f"a Slack message object in {shown} (message #{number})",
                    repr(message))
            continue
        try:
            event = _event(channel, people, message)
        except _RECORD_ERRORS as error:
            ctx.bad(number, f"a Slack message with a valid ts in {shown} (message #{number}; "
                            f"{type(error).__name__}: {error})", _shown(message))
            continue
        yield event


def _event(channel: _Channel, people: _People, message: dict[str, Any]) -> ChatEvent:
    ts = message["ts"]
    when = _when(ts)
    message_id = ts if isinstance(ts, str) else _shown(ts)
    subtype = _str(message.get("subtype"))
    kind = _SUBTYPE_KINDS.get(subtype) or (
        _K.TEXT if subtype == "file_comment" else _file_kind(message))
    text = _str(message.get("text"))
    if subtype == "bot_add":
        _learn_bot(people, message, text)
    if not text:
        text = _fallback_text(message)
    sender, name = _sender(people, message)
    thread = message.get("thread_ts")
    reply_to = thread if isinstance(thread, str) and thread and thread != message_id else ""
    mentions: tuple[str, ...] = ()
    if kind not in NON_SPEECH_KINDS:
        mentions = tuple(dict.fromkeys(_MENTION.findall(text)))
    return ChatEvent(platform=Platform.SLACK, group_key=channel.key, group_name=channel.name,
                     sender_key=sender, sender_name=name, timestamp=when, kind=kind,
                     text=text, message_id=message_id, reply_to=reply_to, mentions=mentions)


def _when(ts: Any) -> datetime:
    """``"1452837318.000002"`` (or a number) -> an aware UTC datetime, to the microsecond."""
    if isinstance(ts, bool) or not isinstance(ts, str | int | float):
        raise TypeError(f"ts is {ts!r}")
    raw = ts if isinstance(ts, str) else repr(ts)
    seconds, _dot, fraction = raw.strip().partition(".")
    if not seconds.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"ts {ts!r} is not epoch seconds")
    micro = int((fraction + "000000")[:6])
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=micro)


def _file_kind(message: dict[str, Any]) -> MessageKind:
    files = message.get("files")
    first = files[0] if isinstance(files, list) and files else message.get("file")
    if not isinstance(first, dict):
        return _K.FILE if message.get("subtype") == "file_share" else _K.TEXT
    mime = _str(first.get("mimetype"))
    if mime.startswith("image/"):
        return _K.IMAGE
    if mime.startswith("video/"):
        return _K.VIDEO
    if mime.startswith("audio/"):
        return _K.VOICE
    return _K.FILE


def _fallback_text(message: dict[str, Any]) -> str:
    """For a message without text: its attachments' fallback lines, else its files' titles."""
    lines: list[str] = []
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if isinstance(attachment, dict):
            line = _first_name(attachment, ("fallback", "text", "pretext", "title"))
            if line:
                lines.append(line)
    if lines:
        return "\n".join(lines)
    files = message.get("files")
    files = files if isinstance(files, list) else [message.get("file")]
    for item in files:
        if isinstance(item, dict):
            title = _first_name(item, ("title", "name"))
            if title:
                lines.append(title)
    return "\n".join(lines)


def _sender(people: _People, message: dict[str, Any]) -> tuple[str, str]:
    user = _str(message.get("user"))
    comment = message.get("comment")
    if not user and isinstance(comment, dict):  # file_comment: the commenter
        user = _str(comment.get("user"))
    if user:
        return user, people.name(user, message)
    bot = _str(message.get("bot_id"))
    if not bot:
        return "", _str(message.get("username")).strip()
    profile = message.get("bot_profile")
    name = (_str(message.get("username")).strip()
            or (_str(profile.get("name")).strip() if isinstance(profile, dict) else "")
            or people.bot_names.get(bot, ""))
    user = people.bot_users.get(bot, "")
    if user:
        return user, name or people.names.get(user, user)
    return bot, name or bot


def _learn_bot(people: _People, message: dict[str, Any], text: str) -> None:
    """``bot_add``: "added an integration to this channel: <https://…/services/B…|github>"."""
    match = _BOT_ADDED.search(text)
    bot = _str(message.get("bot_id"))
    if match is not None and match.group(1) == (bot or match.group(1)):
        people.bot_names.setdefault(match.group(1), match.group(2).strip())


# -- small helpers -----------------------------------------------------------------------

def _first_name(mapping: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = _str(mapping.get(key)).strip()
        if value:
            return value
    return ""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _shown(value: Any) -> str:
    try:
        return orjson.dumps(value).decode("utf-8", errors="replace")
    except TypeError:
        return repr(value)
