"""WhatsApp "Export chat" text files, Android and iOS, in the locales we have seen.

A message starts with a header line and continues on the following lines::

    12/9/20, 23:55 - Alice: hello                 Android, US locale (M/D/YY, 24 h)
    06.08.2016, 13:23 - Ash Ketchum: Hey guys!    Android, German-style date
    01/30/2019, 08:49 p. m. - Jahn Doe: ...       Android, Spanish 12 h clock
    [15-01-20 02:22:56] Mary: Nostrud ...         iOS, bracketed, with seconds
    [1/15/21, 3:05:07\u202fPM] Bob: ‎image omitted  iOS, recent (narrow no-break space)
    2023/5/6 下午3:05 - 名字: 内容                 Chinese locale

The layout (bracketed or " - ", the date separator) is detected once from the head of the
file and compiled into one regular expression, so that the per-line work is one match.

Day/month order is a per-file decision (a header "01/02/21" alone is ambiguous): a first date
field above 12 means day-first, a second field above 12 means month-first. When the head
(64 KiB) does not settle it, the rest of the file is scanned for a deciding date (stopping at
the first); failing that, the field that changes more often between consecutive dates is the
day; failing that, the default is month-first for "/" dates with a two-digit year or an
English AM/PM clock (the US layouts) and day-first for everything else.

Header lines without a "Name: " part are system lines; those that name who joined, left or
was added/removed become JOIN/LEAVE events with that person as the sender, a subject or number
change a RENAME by whoever made it, the rest SYSTEM. Media placeholders become their kinds;
the text is kept, minus the left-to-right marks (U+200E) iOS puts in front of placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from zoneinfo import ZoneInfo

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import (
    HEAD_BYTES,
    ImportFailed,
    ParseContext,
    Unit,
    head_text,
    text_chunks,
    text_lines,
    weak_key,
)

FORMAT = "whatsapp"

_LRM = "\u200e"
# stamps are cached per file; the cap only matters for huge files with per-second stamps
_CACHE_LIMIT = 100_000
_HALF_DAY_PM = frozenset({"下午", "中午", "晚上"})


def _header_regex(bracket: bool) -> re.Pattern[str]:
    """The header of one layout. Groups: 1 the whole stamp (cache key), 2-5 the date fields
    and their separator, 6 a Chinese half-day word, 7-9 h/m/s, 10 the A/P of AM/PM."""
    stamp = (r"((\d{1,4})([./-])(\d{1,2})\3(\d{1,4}),? "
             r"(?:(上午|下午|凌晨|早上|中午|晚上) ?)?"
             r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
             r"(?:[ \u202f\u00a0]?([AaPp])\.?[ \u202f\u00a0]?[Mm]\.?)?)")
    if bracket:
        return re.compile(r"\u200e?\[" + stamp + r"\] ")
    return re.compile(r"\u200e?" + stamp + r" [-–] ")


_HEADERS = {True: _header_regex(True), False: _header_regex(False)}
#: the same, anchored at every line start, for scanning whole chunks with finditer
_SCANNERS = {bracket: re.compile("^" + regex.pattern, re.MULTILINE)
             for bracket, regex in _HEADERS.items()}


@dataclass(frozen=True)
class _Layout:
    bracket: bool
    regex: re.Pattern[str]
    order: str  # "ymd", "dmy" or "mdy"
    example: str


# -- detection -------------------------------------------------------------------------------

def _first_lines(text: str, limit: int = 20) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[:limit]


def _match_layout(line: str) -> tuple[bool, re.Match[str]] | None:
    for bracket, regex in _HEADERS.items():
        match = regex.match(line)
        if match is not None:
            return bracket, match
    return None


def _describe(bracket: bool, match: re.Match[str]) -> str:
    a, sep, c = match.group(2), match.group(3), match.group(5)
    date = f"YYYY{sep}M{sep}D" if len(a) == 4 else f"NN{sep}NN{sep}" + "Y" * len(c)
    clock = "12 h" if match.group(10) or match.group(6) else "24 h"
    return (f"iOS '[{date} HH:MM{':SS' if match.group(9) else ''}] Name: '" if bracket
            else f"Android '{date}, HH:MM - Name: '") + f" ({clock})"


def detect(unit: Unit) -> str | None:
    """The first non-blank line must be a WhatsApp header; most of the next ones too."""
    lines = _first_lines(head_text(unit))
    if not lines:
        return None
    found = _match_layout(lines[0])
    if found is None:
        return None
    bracket, match = found
    return f"first line matches WhatsApp {_describe(bracket, match)}"


# -- day/month order -------------------------------------------------------------------------

@dataclass
class _OrderVotes:
    """What the dates seen so far say about day/month order."""

    decided: str | None = None
    first_changes: int = 0   # consecutive dates where only the first field changed
    second_changes: int = 0  # ... only the second
    previous: tuple[int, int, int] | None = None

    def see(self, a: int, b: int, c: int) -> None:
        if a > 12 >= b:
            self.decided = "dmy"
        elif b > 12 >= a:
            self.decided = "mdy"
        previous = self.previous
        if previous is not None and previous[2] == c:
            if previous[0] != a and previous[1] == b:
                self.first_changes += 1
            elif previous[1] != b and previous[0] == a:
                self.second_changes += 1
        self.previous = (a, b, c)

    def guess(self, default: str) -> str:
        if self.decided:
            return self.decided
        if self.first_changes != self.second_changes:
            return "dmy" if self.first_changes > self.second_changes else "mdy"
        return default


def _default_order(match: re.Match[str]) -> str:
    """US layouts (M/D/YY, or an English AM/PM clock with "/") are month-first."""
    english_clock = match.group(10) is not None and "." not in match.group(1)[-6:]
    if match.group(3) == "/" and (len(match.group(5)) == 2 or english_clock):
        return "mdy"
    return "dmy"


def _scan_dates(lines: Iterator[str], regex: re.Pattern[str], votes: _OrderVotes) -> None:
    for line in lines:
        match = regex.match(line)
        if match is not None:
            votes.see(int(match.group(2)), int(match.group(4)), int(match.group(5)))
            if votes.decided:
                return


def _layout(unit: Unit, ctx: ParseContext) -> _Layout:
    head = head_text(unit)
    if not head.strip():
        raise ImportFailed(unit.label, "the file is empty")
    for line in _first_lines(head, limit=50):
        found = _match_layout(line)
        if found is not None:
            break
    else:
        raise ImportFailed(unit.label, "no WhatsApp message header ('DATE, TIME - Name: ' or "
                                       "'[DATE, TIME] Name: ') in the first lines")
    bracket, first = found
    regex = _HEADERS[bracket]
    if len(first.group(2)) == 4:
        return _Layout(bracket, regex, "ymd", _describe(bracket, first))
    votes = _OrderVotes()
    _scan_dates(iter(head.splitlines()), regex, votes)
    if votes.decided is None and (unit.size is None or unit.size > HEAD_BYTES):
        # the head did not settle it: look further, stopping at the first deciding date
        scratch = ParseContext(label=ctx.label, tz=ctx.tz)
        _scan_dates((line for _n, line in text_lines(unit, scratch)), regex, votes)
    return _Layout(bracket, regex, votes.guess(_default_order(first)), _describe(bracket, first))


# -- names -------------------------------------------------------------------------------------

_CHAT_FILE = re.compile(
    r"^(?:WhatsApp[ -]Chat (?:with|mit|-|con|avec|com|met)|Chat de WhatsApp con"
    r"|Conversa do WhatsApp com|Discussion WhatsApp avec|WhatsApp 聊天 -|与)\s*(.+?)"
    r"(?:的 ?WhatsApp ?聊天(?:记录)?)?$")
_GENERIC_STEMS = frozenset({"_chat", "chat", "whatsapp", "upload"})


def _chat_name(stem: str) -> str:
    match = _CHAT_FILE.match(stem.strip())
    return match.group(1).strip() if match else stem.strip()


def _stem(name: str) -> str:
    for suffix in (".txt", ".zip"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def group_name_for(unit: Unit) -> str:
    """From the file name; for iOS's anonymous ``_chat.txt`` the zip or folder around it."""
    stem = _stem(unit.name)
    if stem.lower() not in _GENERIC_STEMS:
        return _chat_name(stem)
    container = unit.label.rsplit("!", 1)[0] if "!" in unit.label else ""
    if not container:
        path = PureWindowsPath(unit.label) if "\\" in unit.label else PurePosixPath(unit.label)
        container = path.parent.name
    else:
        container = PurePosixPath(container.replace("\\", "/")).name
    return _chat_name(_stem(container)) if container else stem


# -- message kinds ---------------------------------------------------------------------------

_K = MessageKind
# "<Media omitted>" does not say which medium; photos are by far the most common
_EXACT_KINDS: dict[str, MessageKind] = {
    "<Media omitted>": _K.IMAGE, "<media omitted>": _K.IMAGE,
    "<Medien ausgeschlossen>": _K.IMAGE, "<Medien weggelassen>": _K.IMAGE,
    "<Multimedia omitido>": _K.IMAGE, "<Multimedia omitidos>": _K.IMAGE,
    "<省略影音内容>": _K.IMAGE, "<省略影音內容>": _K.IMAGE,
    "image omitted": _K.IMAGE, "imagen omitida": _K.IMAGE, "Bild weggelassen": _K.IMAGE,
    "GIF omitted": _K.IMAGE, "GIF omitido": _K.IMAGE, "GIF weggelassen": _K.IMAGE,
    "video omitted": _K.VIDEO, "video omitido": _K.VIDEO, "Video weggelassen": _K.VIDEO,
    "audio omitted": _K.VOICE, "audio omitido": _K.VOICE, "Audio weggelassen": _K.VOICE,
    "sticker omitted": _K.STICKER, "sticker omitido": _K.STICKER,
    "Sticker weggelassen": _K.STICKER,
    "document omitted": _K.FILE, "documento omitido": _K.FILE,
    "Dokument weggelassen": _K.FILE, "Contact card omitted": _K.FILE,
    "This message was deleted": _K.RECALL, "This message was deleted.": _K.RECALL,
    "You deleted this message": _K.RECALL, "You deleted this message.": _K.RECALL,
    "Se eliminó este mensaje.": _K.RECALL, "Se eliminó este mensaje": _K.RECALL,
    "Eliminaste este mensaje.": _K.RECALL, "Eliminaste este mensaje": _K.RECALL,
    "Diese Nachricht wurde gelöscht.": _K.RECALL, "Diese Nachricht wurde gelöscht": _K.RECALL,
    "Du hast diese Nachricht gelöscht.": _K.RECALL, "此消息已删除": _K.RECALL,
    "你删除了此消息": _K.RECALL,
}
# a cheap gate before the slower checks below
_MEDIA_TAILS = (")", ">", "omitted", "omitido", "omitida", "weggelassen")
_ATTACHED = re.compile(r"^<attached: (.+)>$|^(.+) \((?:file attached|Datei angehängt"
                       r"|archivo adjunto|arquivo anexado|fichier joint)\)$")
_EXTENSION_KINDS: dict[str, MessageKind] = {
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "heic", "bmp"), _K.IMAGE),
    **dict.fromkeys(("opus", "ogg", "m4a", "mp3", "aac", "amr", "wav"), _K.VOICE),
    **dict.fromkeys(("mp4", "3gp", "mov", "avi", "mkv"), _K.VIDEO),
    "webp": _K.STICKER,
}
_E2E_NOTICES = ("Messages and calls are end-to-end encrypted",
                "Messages you send to this group are now secured",
                "Messages to this group are now secured",
                "Los mensajes y las llamadas están cifrados de extremo a extremo",
                "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
                "消息和通话已进行端到端加密")


def _media_kind(text: str) -> MessageKind:
    """The kind of a placeholder that is not one of the exact strings."""
    if text.endswith(("document omitted", "documento omitido", "Dokument weggelassen")):
        return _K.FILE
    match = _ATTACHED.match(text)
    if match is None:
        return _K.TEXT
    filename = (match.group(1) or match.group(2)).strip(_LRM)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _EXTENSION_KINDS.get(extension, _K.FILE)


def _text_kind(text: str) -> MessageKind:
    kind = _EXACT_KINDS.get(text)
    if kind is not None:
        return kind
    return _media_kind(text) if text.endswith(_MEDIA_TAILS) else _K.TEXT


# -- system lines ----------------------------------------------------------------------------

_YOU = frozenset({"You", "you", "Tú", "tú", "Du", "du", "你", "您"})
_NAME_LIST = re.compile(r", | and | y | und | e |、|和")
# (pattern, kind); group "who" = the people it happened to, "actor" = who did it
_SYSTEM_RULES: list[tuple[re.Pattern[str], MessageKind]] = [
    (re.compile(p), k) for p, k in (
        (r"(?P<who>.+?) joined using this group's invite link\.?$", _K.JOIN),
        (r"(?P<who>.+?) joined(?: from the community)?\.?$", _K.JOIN),
        (r"(?P<actor>.+?) added (?P<who>.+?)\.?$", _K.JOIN),
        (r"(?P<who>.+?) (?:was|were) added\.?$", _K.JOIN),
        (r"(?P<who>.+?) left\.?$", _K.LEAVE),
        (r"(?P<actor>.+?) removed (?P<who>.+?)\.?$", _K.LEAVE),
        (r"(?P<who>.+?) (?:was|were) removed\.?$", _K.LEAVE),
        (r"(?P<actor>.+?) changed the subject (?:from .* )?to .*$", _K.RENAME),
        (r"(?P<actor>.+?) changed to .+$", _K.RENAME),
        (r"(?P<actor>.+?) (?:created group|changed this group's icon|deleted this group's icon"
         r"|changed the group description|changed the settings|changed their phone number)",
         _K.SYSTEM),
        (r"(?P<actor>.+?)'s security code changed", _K.SYSTEM),
        (r"(?P<who>.+?) se unió(?: usando el enlace de invitación de este grupo)?\.?$", _K.JOIN),
        (r"(?P<actor>.+?) añadió a (?P<who>.+?)\.?$", _K.JOIN),
        (r"(?P<who>.+?) salió(?: del grupo)?\.?$", _K.LEAVE),
        (r"(?P<actor>.+?) eliminó a (?P<who>.+?)\.?$", _K.LEAVE),
        (r"(?P<actor>.+?) cambió el asunto .*$", _K.RENAME),
        (r"(?P<actor>.+?) creó (?:el )?grupo ", _K.SYSTEM),
        (r"(?P<who>.+?) (?:ist|bist) (?:über den Einladungslink dieser Gruppe )?beigetreten\.?$",
         _K.JOIN),
        (r"(?P<who>.+?) hat die Gruppe verlassen\.?$", _K.LEAVE),
        (r"(?P<actor>.+?) hat den Betreff .*geändert\.?$", _K.RENAME),
        (r"(?P<actor>.+?) hat die Gruppe .* erstellt\.?$", _K.SYSTEM),
        (r"(?P<actor>.+?) (?:hat|hast) (?P<who>.+?) hinzugefügt\.?$", _K.JOIN),
        (r"(?P<actor>.+?) (?:hat|hast) (?P<who>.+?) entfernt\.?$", _K.LEAVE),
        (r"(?P<who>.+?) ?(?:已)?(?:通过.*邀请链接)?加入了?(?:群聊|群组|此群组)?$", _K.JOIN),
        (r"(?P<actor>.+?) ?(?:已)?(?:邀请|添加)了? ?(?P<who>.+?) ?(?:加入了?群聊)?$", _K.JOIN),
        (r"(?P<who>.+?) ?(?:已)?(?:退出|离开)了?(?:群聊|群组|此群组)?$", _K.LEAVE),
        (r"(?P<actor>.+?) ?(?:已)?(?:将|把) ?(?P<who>.+?) ?移出了?(?:群聊|群组)?$", _K.LEAVE),
        (r"(?P<actor>.+?) ?(?:已)?(?:将|把)?(?:群组?)?(?:主题|群名称?|群组名称)"
         r"(?:更改|修改)为", _K.RENAME),
        (r"(?P<actor>.+?) ?(?:已)?(?:创建|建立)了?(?:群组|群聊|群)", _K.SYSTEM),
    )
]


def _system_people(text: str) -> tuple[MessageKind, list[str]]:
    """The kind of a system line and the people to attribute it to (maybe none)."""
    for pattern, kind in _SYSTEM_RULES:
        match = pattern.match(text)
        if match is None:
            continue
        groups = match.groupdict()
        actor = groups.get("actor")
        who = groups.get("who")
        if who is not None:
            people = [n.strip() for n in _NAME_LIST.split(who) if n.strip() not in _YOU]
            if people:
                return kind, people
            kind = _K.SYSTEM  # it happened to the exporter, whose name the file does not give
        if actor is not None and actor not in _YOU:
            return kind, [actor.strip()]
        return _K.SYSTEM, []
    return _K.SYSTEM, []


# -- parsing ---------------------------------------------------------------------------------

@dataclass
class _Chat:
    """Per-file constants and caches used by the hot loop."""

    group_key: str
    group_name: str
    tz: ZoneInfo
    order: str

    def __post_init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.dates: dict[tuple[str, str, str], tuple[int, int, int]] = {}

    def key(self, name: str) -> str:
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = weak_key(self.group_key, name)
        return key

    def timestamp(self, match: re.Match[str]) -> datetime:
        """The stamp of a header (slow path: the caller caches by the stamp text)."""
        parts: tuple[str, str, str] = (match.group(2), match.group(4), match.group(5))
        date = self.dates.get(parts)
        if date is None:
            date = self.dates[parts] = self._date(*parts)
        hour = int(match.group(7))
        ampm, half = match.group(10), match.group(6)
        if ampm is not None or half is not None:
            if hour > 12:
                raise ValueError(f"hour {hour} with an AM/PM marker")
            hour = hour % 12 + (12 if ampm in ("P", "p") or half in _HALF_DAY_PM else 0)
        second = match.group(9)
        return datetime(date[0], date[1], date[2], hour, int(match.group(8)),
                        int(second) if second else 0, tzinfo=self.tz)

    def _date(self, a: str, b: str, c: str) -> tuple[int, int, int]:
        if self.order == "ymd":
            year, month, day = int(a), int(b), int(c)
        elif self.order == "dmy":
            day, month, year = int(a), int(b), int(c)
        else:
            month, day, year = int(a), int(b), int(c)
        if year < 100:
            year += 2000  # WhatsApp exists since 2009
        datetime(year, month, day)  # raises ValueError on a date that does not exist
        return year, month, day

    def event(self, ts: datetime, name: str, kind: MessageKind, text: str) -> ChatEvent:
        return ChatEvent(Platform.WHATSAPP, self.group_key, self.group_name,
                         self.key(name) if name else "", name, ts, kind, text,
                         sender_key_weak=bool(name))


def _system_events(chat: _Chat, ts: datetime, text: str) -> Iterator[ChatEvent]:
    kind, people = _system_people(text)
    if not people:
        yield chat.event(ts, "", _K.SYSTEM, text)
    for person in people:
        yield chat.event(ts, person, kind, text)


def _special(chat: _Chat, ts: datetime, name: str, text: str) -> list[ChatEvent]:
    """A line marked by iOS's U+200E or an encryption notice: media, recall, or system line
    (iOS writes system lines as if the chat itself had said them)."""
    bare = text.lstrip(_LRM)
    kind = _text_kind(bare)
    if kind is not _K.TEXT:
        return [chat.event(ts, name, kind, bare)]
    if bare.startswith(_E2E_NOTICES):
        return [chat.event(ts, "", _K.SYSTEM, bare)]
    if text.startswith(_LRM):
        return list(_system_events(chat, ts, bare))
    return [chat.event(ts, name, _K.TEXT, text)]


def _split_sender(rest: str) -> tuple[str, str] | None:
    """``Name: text`` -> (name, text); None for a system line."""
    colon = rest.find(": ")
    if colon < 0:
        if rest.endswith(":") and rest.count(":") == 1:
            return rest[:-1], ""  # the text starts on the next line
        return None
    name = rest[:colon]
    if ('"' in name or "“" in name) and _system_people(rest)[1]:
        return None  # a quoted subject with a colon in it: 'X changed the subject to "a: b"'
    return name, rest[colon + 2:]


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    layout = _layout(unit, ctx)
    name = ctx.group_name or group_name_for(unit)
    chat = _Chat("whatsapp:" + name, name, ctx.tz, layout.order)
    yield from _parse_lines(unit, ctx, layout, chat)


def _parse_lines(unit: Unit, ctx: ParseContext, layout: _Layout,
                 chat: _Chat) -> Iterator[ChatEvent]:
    # The hot loop. Headers are found by one finditer over a chunk of many lines (no
    # per-line Python work); the text between two headers is the first one's message.
    # Stamps are cached by their text; a message is held back until the next header shows
    # where it ends. Line numbers are counted only when a line is reported.
    finditer = _SCANNERS[layout.bracket].finditer
    stamps: dict[str, datetime] = {}
    get_stamp = stamps.get
    event, text_kind, e2e = chat.event, _text_kind, _E2E_NOTICES
    pending: ChatEvent | None = None  # the message being read
    more: list[str] = []              # its continuation lines, each ending with "\n"
    skipping = False                  # continuation lines of a skipped bad header
    started = False
    lines_before = 0                  # lines in the chunks before this one
    for chunk in text_chunks(unit, ctx):
        pos = 0
        for match in finditer(chunk):
            start = match.start()
            if start > pos:  # lines that are not headers
                if pending is not None:
                    more.append(chunk[pos:start])
                elif not skipping:
                    skipping = _report_stray(ctx, chunk, pos, start, lines_before, started)
            started = True
            if pending is not None:
                yield _with_lines(pending, more) if more else pending
                pending = None
                more = []
            end = chunk.find("\n", match.end())
            pos = end + 1
            stamp = match.group(1)
            ts = get_stamp(stamp)
            if ts is None:
                try:
                    ts = chat.timestamp(match)
                except ValueError:
                    ctx.bad(lines_before + chunk.count("\n", 0, start) + 1,
                            f"a valid date ({layout.order.upper()} order)", chunk[start:end])
                    skipping = True
                    continue
                if len(stamps) >= _CACHE_LIMIT:
                    stamps.clear()
                stamps[stamp] = ts
            skipping = False
            rest = chunk[match.end():end]
            sender = _split_sender(rest)
            if sender is None:
                *earlier, pending = _system_events(chat, ts, rest.lstrip(_LRM))
                yield from earlier
                continue
            who, text = sender
            if text.startswith(_LRM) or text.startswith(e2e):
                *earlier, pending = _special(chat, ts, who, text)
                yield from earlier
                continue
            pending = event(ts, who, text_kind(text), text)
        if pos < len(chunk):
            if pending is not None:
                more.append(chunk[pos:])
            elif not skipping:
                skipping = _report_stray(ctx, chunk, pos, len(chunk), lines_before, started)
        lines_before += chunk.count("\n")
    if pending is not None:
        yield _with_lines(pending, more) if more else pending


def _report_stray(ctx: ParseContext, chunk: str, start: int, end: int, lines_before: int,
                  started: bool) -> bool:
    """Lines outside any message (before the first header): the first one that is not
    blank is reported; returns whether the lines after it are being skipped."""
    offset = start
    for line in chunk[start:end].split("\n"):
        if line.strip() or (started and offset < end):
            ctx.bad(lines_before + chunk.count("\n", 0, offset) + 1,
                    "a WhatsApp message header", line)
            return True
        offset += len(line) + 1
    return False


def _with_lines(event: ChatEvent, more: list[str]) -> ChatEvent:
    """A message with its continuation lines; trailing blank lines are the file's, not its."""
    return event._replace(text=(event.text + "\n" + "".join(more)).rstrip("\n"))
