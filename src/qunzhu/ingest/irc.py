"""IRC channel logs: plain text as common loggers and clients write it, and irclog2html's
HTML pages of such logs (at the end).

One line is one event. The layout is detected once per file from its first lines::

    2005-01-08T23:34:46  <mgedmin> let's see if irc logging works...    supybot / Limnoria
    [10:44:14] <zetok> sounds like a problem with sqlite                 ZNC (date: file name)
    [2016-06-01 10:44:14] <zetok> sounds like …                          ZNC, dated stamps
    [14 Jan 12:37] <jsmith!n=jsmith@72.21.36.138> +No clue...            dircproxy (year: name)
    12:34 <@nick> text                                                   irssi
    2020-01-08 12:34:56\tnick\ttext                                      WeeChat

After the stamp (WeeChat aside, which has columns) the same small grammar serves them all::

    <nick> text                     TEXT (irssi's mode prefix "<@nick>"/"< nick>" is dropped)
    * nick waves                    TEXT, kept as "* nick waves" (an action, /me)
    -nick- text                     TEXT (a notice; the text without "-nick-")
    *** Joins: nick (ident@host)    JOIN (ZNC); also "nick has joined #chan" (supybot,
                                    irssi "-!- nick [host] has joined", dircproxy "--> nick
                                    (host) joined the channel")
    *** Parts: / *** Quits:         LEAVE; also "has left", "has quit", "was kicked", "<-- nick"
    *** nick is now known as new    RENAME by the old nick; the new nick's key is its mention
    *** nick sets mode: +o x        SYSTEM without sender (mode and topic changes, every other
                                    "***"/"-!-"/"---" line)

Log noise — "Log opened/closed", "Day changed" (irssi; they set the date), dircproxy's
"*** You connected/disconnected", "-!- Irssi: …", ZNC playback markers — is skipped without
counting as bad. WeeChat's "-->"/"<--" columns are joins/leaves, "--" nick changes or SYSTEM,
" *" actions; "=!=" client errors are skipped. The text of JOIN/LEAVE/RENAME/SYSTEM events is
the line after the stamp, unchanged ("*** Joins: f10 (~flo@host)"; WeeChat: the text column).

Dates: in the line (supybot, WeeChat, dated ZNC stamps), from irssi's "--- Log opened" /
"--- Day changed" lines, or from the file name (``#qtox_20161231.log.txt``,
``2009-01-14-dircproxy.log``). dircproxy writes "14 Jan" without a year: the year comes from
the file name or, where it has none, the import's ``--year``, and goes up when the month
goes back (December to January); a dircproxy log with neither cannot be dated and is
refused. All IRC times are
local: they are read in ``ctx.tz`` (an ISO stamp with an offset keeps it). When the end of
summer time repeats an hour, a stamp that goes back within that hour is read as its second run.

dircproxy on freenode prefixes other people's lines with "+"/"-" (identify-msg: identified
with NickServ or not). When most of the first 40 messages carry it, it is removed from
senders whose lines have carried it; the log owner's own lines never carry it (its "-ENOTIME"
stays whole).

The group is the channel: ``--group``, else a "#name" in the file name
(``#qtox_20161231.log.txt`` → "#qtox", ``#pov.2005-01-08.log``, WeeChat's
``irc.libera.#chan.weechatlog``) or a parent folder named "#…" (ZNC's
``#chan/2016-12-31.log``), else the first channel a join line names in the head, else the file
name without date and extension. Its key is ``irc:`` plus that name in lower case, so the daily
files of one channel are one group. IRC has no user ids: senders are weak keys of the nick
within the group.

Lines are decoded one by one: UTF-8, else cp1252 (the "hybrid" encoding of old clients, where
latin-1 would turn "š" into a control character).

irclog2html HTML pages (its default "xhtmltable" style; logs2html writes one page a day) are
recognised by the generator tag or ``<table class="irclog">`` and read row by row (it writes
one row a line)::

    <tr id="t2015-01-01T05:24:53"><th class="nick" …>nick</th><td class="text" …>text</td>…
    <tr id="t2015-01-01T19:03:43"><td class="nickchange" colspan="2">*** a is now known as b…

A "nick" row is a message. The other rows (``action``, ``join``, ``part``, ``nickchange``,
``servermsg``, ``other``) hold the log line after its stamp, which the grammar above reads;
an ``other`` line it cannot place is a SYSTEM event. Cell text is the log's own: links become
their text, "&nbsp;&nbsp;" two spaces, entities characters. The time is the row id ("t" and
the log's stamp: ISO, "HH:MM[:SS]" dated by the file name or the title, dircproxy's
"14 Jan 12:37" with the year of the file name, the title or ``--year``; a "-2" that
irclog2html appends to repeated ids is dropped). The channel comes as for text logs, with
the page's navigation links as file names too ("%23yocto.2014-12-31.log.html" → "#yocto"),
so the daily pages of a channel are one group, the one its text logs give; so are the events
(same keys: importing both stores each message once). A row that is not on one line, has no
time or an unknown cell is a bad line. dircproxy's identify-msg "+"/"-" is removed as in the
text log, told by nick (the page has no hosts).
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple
from urllib.parse import unquote

from qunzhu.core.events import ChatEvent, MessageKind, Platform

from .base import HEAD_BYTES, ImportFailed, ParseContext, Unit, head_text, text_lines, weak_key

FORMAT = "irc"

_FALLBACK = "cp1252"
_SAMPLE_LINES = 40
_K = MessageKind
_MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                       "sep", "oct", "nov", "dec"), start=1)}

# -- line layouts (the stamp) ------------------------------------------------------------------

_WEECHAT = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\t([^\t]*)\t(.*)$")
_ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,]\d+)?"
                  r"(Z|[+-]\d\d:?\d\d)?[ \t]+(.*)$")
_DIRCPROXY = re.compile(r"^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d\d):(\d\d)(?::(\d\d))?\] (.*)$")
_BRACKET = re.compile(r"^\[(?:(\d{4})-(\d\d)-(\d\d)[ T])?(\d\d):(\d\d)(?::(\d\d))?\] (.*)$")
_IRSSI = re.compile(r"^(\d\d):(\d\d)(?::(\d\d))? (.*)$")
_IRSSI_DATE = re.compile(r"^--- (?:Log opened|Log closed|Day changed) (?:[A-Za-z]{3} )?"
                         r"([A-Za-z]{3}) (\d{1,2})(?: \d\d:\d\d(?::\d\d)?)? (\d{4})$")

_EXAMPLES = {
    "weechat": "WeeChat 'YYYY-MM-DD HH:MM:SS<TAB>nick<TAB>text'",
    "iso": "supybot/Limnoria 'YYYY-MM-DDTHH:MM:SS  <nick> text'",
    "dircproxy": "dircproxy '[DD Mon HH:MM] <nick!user@host> text'",
    "bracket": "ZNC '[HH:MM:SS] <nick> text'",
    "irssi": "irssi 'HH:MM <nick> text'",
}

# -- the event grammar after the stamp ---------------------------------------------------------

_MSG = re.compile(r"^<[ @+%~&]?([^\s<>!]+)(?:!([^\s<>]*))?> ?(.*)$")
_MARKED = re.compile(r"^(\*\*\*|-!-|-->|<--|---) (.*)$")
_ACTION = re.compile(r"^ ?\* ([^\s*]\S*)(?: .*)?$")
_NOTICE = re.compile(r"^-([^\s!\-(:][^\s!(:]*?)(?:[!(:]\S*)?- (.*)$")
_NOISE = re.compile(r"^(?:Log (?:opened|closed)\b|Day changed\b|You (?:connected|disconnected)"
                    r"|Irssi: |Buffer Playback\.\.\.|Playback Complete\.)")
_ZNC_EVENT = re.compile(r"^(Joins|Parts|Quits): (\S+)")
_HAS_KICKED = re.compile(r"^\S+ has kicked (\S+)")
_WAS_KICKED = re.compile(r"^(\S+) (?:was|has been) kicked\b")
_RENAMED = re.compile(r"^(\S+) is now known as (\S+)$")
_HOST = r"(?:[<(\[][^<>()\[\]]*[>)\]] )?"
_JOINED = re.compile(r"^(\S+) " + _HOST + r"(?:has )?joined\b")
_LEFT = re.compile(r"^(\S+) " + _HOST + r"(?:has )?(?:left|quit|parted)\b")
_CHANNEL_IN_TEXT = re.compile(r"\b(?:has joined|has left|Now talking on) ([#&][^\s,\]]+)")
_MODE_CHARS = "@+%~&!"

# -- names and dates from the file name -------------------------------------------------------

_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_EXTENSIONS = (".txt", ".log", ".weechatlog", ".irclog", ".html", ".htm")
_TRAILING_DATE = re.compile(r"[._-]?\d{4}-?\d\d(?:-?\d\d)?$")
_LEADING_DATE = re.compile(r"^\d{4}-?\d\d-?\d\d[._-]?")


class _Line(NamedTuple):
    """What one line says: kind, who, the event text, and for a rename the new nick."""

    kind: MessageKind
    nick: str
    text: str
    new_nick: str = ""


_SKIP = _Line(_K.SYSTEM, "", "")  # log noise: compared by identity


class _Bad(Exception):
    """A line that cannot be read; the message says what was expected."""


@dataclass
class _Chat:
    key: str
    name: str

    def __post_init__(self) -> None:
        self.keys: dict[str, str] = {}

    def sender(self, nick: str) -> str:
        key = self.keys.get(nick)
        if key is None:
            key = self.keys[nick] = weak_key(self.key, nick)
        return key

    def event(self, ts: datetime, line: _Line) -> ChatEvent:
        nick = line.nick
        mentions = (self.sender(line.new_nick),) if line.new_nick else ()
        return ChatEvent(Platform.IRC, self.key, self.name, self.sender(nick) if nick else "",
                         nick, ts, line.kind, line.text, mentions=mentions,
                         sender_key_weak=bool(nick))


# -- grammar -----------------------------------------------------------------------------------

def _classify(rest: str) -> _Line | None:
    """The event of a line's part after the stamp; None when it is no IRC line."""
    match = _MSG.match(rest)
    if match is not None:
        return _Line(_K.TEXT, match.group(1), match.group(3))
    match = _MARKED.match(rest)
    if match is not None:
        return _marked(match.group(1), match.group(2), rest)
    match = _ACTION.match(rest)
    if match is not None:
        return _Line(_K.TEXT, match.group(1), rest.lstrip(" "))
    match = _NOTICE.match(rest)
    if match is not None:
        return _Line(_K.TEXT, match.group(1), match.group(2))
    return None


def _marked(marker: str, body: str, text: str) -> _Line:
    """A "***", "-!-", "-->", "<--" or "---" line: join, leave, rename, noise or SYSTEM."""
    if _NOISE.match(body):
        return _SKIP
    match = _ZNC_EVENT.match(body)
    if match is not None:
        return _Line(_K.JOIN if match.group(1) == "Joins" else _K.LEAVE, match.group(2), text)
    return _membership(body, text) or _arrow(marker, body, text) or _Line(_K.SYSTEM, "", text)


def _membership(body: str, text: str) -> _Line | None:
    """Kicks, nick changes, joins and leaves in the words most loggers use."""
    match = _HAS_KICKED.match(body) or _WAS_KICKED.match(body)
    if match is not None:
        return _Line(_K.LEAVE, match.group(1), text)
    match = _RENAMED.match(body)
    if match is not None:
        return _Line(_K.RENAME, match.group(1), text, match.group(2))
    match = _JOINED.match(body)
    if match is not None:
        return _Line(_K.JOIN, match.group(1), text)
    match = _LEFT.match(body)
    if match is not None:
        return _Line(_K.LEAVE, match.group(1), text)
    return None


def _arrow(marker: str, body: str, text: str) -> _Line | None:
    """dircproxy's and WeeChat's "-->"/"<--": whoever comes first joined or left."""
    words = body.split(None, 1)
    if marker in ("-->", "<--") and words:
        return _Line(_K.JOIN if marker == "-->" else _K.LEAVE, words[0], text)
    return None


def _weechat(prefix: str, text: str) -> _Line:
    column = prefix.strip()
    if column in ("-->", "<--"):
        return _membership(text, text) or _arrow(column, text, text) or _Line(_K.SYSTEM, "",
                                                                              text)
    if column == "--":
        return _membership(text, text) or _Line(_K.SYSTEM, "", text)
    if column == "*":
        words = text.split(None, 1)
        return _Line(_K.TEXT, words[0], "* " + text) if words else _Line(_K.SYSTEM, "", text)
    if column == "=!=":
        return _SKIP
    nick = column.lstrip(_MODE_CHARS)
    if not nick or any(c.isspace() for c in nick):
        return _Line(_K.SYSTEM, "", text)
    return _Line(_K.TEXT, nick, text)


# -- detection ---------------------------------------------------------------------------------

def _decode(raw: bytes) -> str:
    """One line as ``text_lines`` decodes it: UTF-8, else the fallback."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode(_FALLBACK, errors="replace")


def _layout_of(line: str) -> str | None:
    """The layout a single line is written in, if it is a well-formed IRC log line."""
    if _WEECHAT.match(line):
        return "weechat"
    for name, regex in (("iso", _ISO), ("dircproxy", _DIRCPROXY), ("bracket", _BRACKET),
                        ("irssi", _IRSSI)):
        match = regex.match(line)
        if match is not None and _classify(match.group(regex.groups)) is not None:
            if name == "dircproxy" and match.group(2).lower() not in _MONTHS:
                continue
            return name
    if _IRSSI_DATE.match(line):
        return "irssi"
    return None


def _detect_layout(lines: list[str]) -> str | None:
    """The layout of the first line, if at least 4 in 5 of the sample lines share it."""
    if not lines:
        return None
    layout = _layout_of(lines[0])
    if layout is None:
        return None
    same = sum(1 for line in lines if _layout_of(line) == layout)
    return layout if same * 5 >= len(lines) * 4 else None


def _head_lines(unit: Unit) -> list[str]:
    """The first non-blank lines (only "\n" ends a line, as in ``text_lines``)."""
    head = unit.head()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        lines = head_text(unit).split("\n")
    else:
        lines = [_decode(raw) for raw in head.removeprefix(codecs.BOM_UTF8).split(b"\n")]
    if len(head) >= HEAD_BYTES and lines:
        lines = lines[:-1]  # cut at the 64 KiB boundary
    stripped = (line.rstrip("\r") for line in lines)
    return [line for line in stripped if line.strip()][:_SAMPLE_LINES]


def detect(unit: Unit) -> str | None:
    if unit.tree is not None:
        return None
    if _is_irclog2html(unit.head()):
        return "an HTML page written by irclog2html (its generator tag or table.irclog)"
    layout = _detect_layout(_head_lines(unit))
    if layout is None:
        return None
    return f"first lines are an IRC log in {_EXAMPLES[layout]} layout"


# -- the group ---------------------------------------------------------------------------------

def _strip_name(name: str) -> str:
    """The file name without its log extensions ("#qtox_20161231.log.txt" -> "#qtox_20161231")."""
    stem = name
    changed = True
    while changed:
        changed = False
        for extension in _EXTENSIONS:
            if stem.lower().endswith(extension):
                stem = stem[: -len(extension)]
                changed = True
    return stem


def _channel_in_name(name: str) -> str:
    if "#" not in name:
        return ""
    channel = _TRAILING_DATE.sub("", _strip_name(name[name.index("#"):])).rstrip("._-")
    return channel if len(channel) > 1 else ""


def _channel_in_folder(label: str) -> str:
    parts = [p for p in re.split(r"[/\\!]", label) if p]
    return parts[-2] if len(parts) >= 2 and parts[-2].startswith("#") else ""


def _chat(unit: Unit, ctx: ParseContext, lines: Iterable[str], name: str = "",
          links: Iterable[str] = ()) -> _Chat:
    """The channel: ``--group``, a "#name" in the file ``name`` (default: the unit's), a
    parent folder or the ``links`` (other days' file names), a channel in a join line, else
    the file name without dates and extensions."""
    if ctx.group_name:
        return _Chat("irc:" + ctx.group_name.lower(), ctx.group_name)
    name = name or unit.name
    channel = _channel_in_name(name) or _channel_in_folder(unit.label) \
        or next((found for link in links if (found := _channel_in_name(link))), "")
    if not channel:
        for line in lines:
            match = _CHANNEL_IN_TEXT.search(line)
            if match is not None:
                channel = match.group(1)
                break
    if not channel:
        stem = _strip_name(name)
        channel = _LEADING_DATE.sub("", _TRAILING_DATE.sub("", stem)).strip("._- ") or stem
    return _Chat("irc:" + channel.lower(), channel)


# -- dates -------------------------------------------------------------------------------------

@dataclass
class _Clock:
    """Turns the stamps of one file into aware datetimes."""

    tz: tzinfo
    name_date: tuple[int, int, int] | None
    year: int | None = None          # dircproxy: the current year
    month: int = 0                   # dircproxy: the last month seen (for the year change)
    day: tuple[int, int, int] | None = None  # irssi: the date of the last "Day changed"
    last: datetime | None = None     # the last wall-clock time (naive)
    repeating: bool = False          # inside the second run of an hour that happens twice

    def at(self, date: tuple[int, int, int], h: str, m: str, s: str | None) -> datetime:
        """A local wall-clock time. In the hour that the end of summer time repeats, a time
        earlier than the one before it is the second run of that hour (``fold=1``)."""
        naive = datetime(date[0], date[1], date[2], int(h), int(m), int(s) if s else 0)
        ts = naive.replace(tzinfo=self.tz)
        if ts.utcoffset() != ts.replace(fold=1).utcoffset():
            if self.repeating or (self.last is not None and naive < self.last):
                ts = ts.replace(fold=1)
                self.repeating = True
        else:
            self.repeating = False
        self.last = naive
        return ts

    def dircproxy(self, day: str, month_name: str) -> tuple[int, int, int]:
        month = _MONTHS.get(month_name.lower())
        if month is None or self.year is None:
            raise _Bad("a dircproxy stamp '[DD Mon HH:MM]' with an English month")
        if month < self.month:
            self.year += 1
        self.month = month
        return self.year, month, int(day)


def _offset(raw: str | None, default: tzinfo) -> tzinfo:
    if not raw:
        return default
    if raw == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# -- parsing -----------------------------------------------------------------------------------

def _name_date(name: str) -> tuple[int, int, int] | None:
    match = _NAME_DATE.search(name)
    if match is None:
        return None
    date = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    try:
        datetime(*date)
    except ValueError:
        return None
    return date


def parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    if not unit.head().strip():
        raise ImportFailed(unit.label, "the file is empty")
    if _is_irclog2html(unit.head()):
        yield from _html_events(unit, ctx)
        return
    lines = _head_lines(unit)
    layout = _detect_layout(lines)
    if layout is None:
        raise ImportFailed(unit.label, "not an IRC log: the first lines are not in a known "
                                       "layout (" + "; ".join(_EXAMPLES.values()) + ")")
    clock = _Clock(ctx.tz, _name_date(unit.name))
    if layout == "dircproxy":
        # a year in the file name belongs to that file; --year is for files without one
        # (one --year given to a folder of several years must not re-date them all)
        named = _NAME_YEAR.search(unit.name)
        clock.year = int(named.group(1)) if named is not None else ctx.year
        if clock.year is None:
            raise ImportFailed(unit.label, "dircproxy logs have no year in their stamps "
                                           "('[14 Jan 12:37]'): give the year of the first line "
                                           "(--year 2009, or the import page's year field) or "
                                           "put it in the file name, e.g. "
                                           "2009-01-14-channel.log")
    if layout == "bracket" and clock.name_date is None:
        first = _BRACKET.match(lines[0])
        if first is not None and first.group(1) is None:
            raise ImportFailed(unit.label, "ZNC-style '[HH:MM:SS]' stamps have no date and "
                                           "the file name has none either (e.g. "
                                           "#chan_20161231.log)")
    chat = _chat(unit, ctx, lines)
    owners = _Owners(enabled=layout == "dircproxy" and _identify_msg(unit, ctx))
    reader = _READERS[layout]
    for number, line in text_lines(unit, ctx, per_line_fallback=_FALLBACK):
        if not line.strip():
            continue
        try:
            read = reader(line, clock, owners)
        except _Bad as bad:
            ctx.bad(number, str(bad), line)
            continue
        except (ValueError, OverflowError):
            ctx.bad(number, f"a valid date and time ({_EXAMPLES[layout]})", line)
            continue
        if read is not None and read[1] is not _SKIP:
            yield chat.event(*read)


_Read = tuple[datetime, _Line] | None


def _rest(rest: str, layout: str) -> _Line:
    found = _classify(rest)
    if found is None:
        raise _Bad(f"a '<nick> text', '* nick action' or '*** event' line ({_EXAMPLES[layout]})")
    return found


def _read_weechat(line: str, clock: _Clock, _owners: _Owners) -> _Read:
    match = _WEECHAT.match(line)
    if match is None:
        raise _Bad(f"a line in {_EXAMPLES['weechat']} layout")
    y, mo, d, h, mi, s, prefix, text = match.groups()
    return clock.at((int(y), int(mo), int(d)), h, mi, s), _weechat(prefix, text)


def _read_iso(line: str, clock: _Clock, _owners: _Owners) -> _Read:
    match = _ISO.match(line)
    if match is None:
        raise _Bad(f"a line in {_EXAMPLES['iso']} layout")
    y, mo, d, h, mi, s, offset, rest = match.groups()
    found = _rest(rest, "iso")
    date = (int(y), int(mo), int(d))
    if offset is None:
        return clock.at(date, h, mi, s), found
    return datetime(*date, int(h), int(mi), int(s), tzinfo=_offset(offset, clock.tz)), found


def _read_bracket(line: str, clock: _Clock, _owners: _Owners) -> _Read:
    match = _BRACKET.match(line)
    if match is None:
        raise _Bad(f"a line in {_EXAMPLES['bracket']} layout")
    y, mo, d, h, mi, s, rest = match.groups()
    found = _rest(rest, "bracket")
    if y is not None:
        date = (int(y), int(mo), int(d))
    elif clock.name_date is not None:
        date = clock.name_date
    else:
        raise _Bad("a '[YYYY-MM-DD HH:MM:SS]' stamp (the file name has no date)")
    return clock.at(date, h, mi, s), found


def _read_dircproxy(line: str, clock: _Clock, owners: _Owners) -> _Read:
    match = _DIRCPROXY.match(line)
    if match is None:
        raise _Bad(f"a line in {_EXAMPLES['dircproxy']} layout")
    day, month, h, mi, s, rest = match.groups()
    found = _rest(rest, "dircproxy")
    date = clock.dircproxy(day, month)
    if found.kind is _K.TEXT and owners.enabled:
        message = _MSG.match(rest)
        if message is not None:
            found = found._replace(text=owners.text(message.group(2) or found.nick,
                                                    found.text))
    return clock.at(date, h, mi, s), found


def _read_irssi(line: str, clock: _Clock, _owners: _Owners) -> _Read:
    match = _IRSSI.match(line)
    if match is None:
        dated = _IRSSI_DATE.match(line)
        if dated is None:
            raise _Bad(f"a line in {_EXAMPLES['irssi']} layout or '--- Day changed …'")
        month = _MONTHS.get(dated.group(1).lower())
        if month is None:
            raise _Bad("an English month in '--- Day changed'")
        day = (int(dated.group(3)), month, int(dated.group(2)))
        datetime(*day)  # ValueError for a date that does not exist
        clock.day = day
        return None
    h, mi, s, rest = match.groups()
    found = _rest(rest, "irssi")
    date = clock.day or clock.name_date
    if date is None:
        raise _Bad("a '--- Log opened' or '--- Day changed' line before the first message")
    return clock.at(date, h, mi, s), found


@dataclass
class _Owners:
    """dircproxy's identify-msg "+"/"-": whose lines carry it (everyone but the log owner)."""

    enabled: bool
    plain: dict[str, int] = field(default_factory=dict)   # host -> lines without the mark
    marked: dict[str, int] = field(default_factory=dict)  # host -> lines with it

    def text(self, who: str, text: str) -> str:
        host = who.rsplit("@", 1)[-1]
        if text[:1] in ("+", "-") and self.plain.get(host, 0) <= self.marked.get(host, 0):
            self.marked[host] = self.marked.get(host, 0) + 1
            return text[1:]
        self.plain[host] = self.plain.get(host, 0) + 1
        return text


def _identify_msg(unit: Unit, ctx: ParseContext) -> bool:
    """Whether most of the first messages start with identify-msg's "+" or "-" (reading on
    past the head when it has no messages, e.g. only joins)."""
    texts: list[str] = []
    scratch = ParseContext(label=ctx.label, tz=ctx.tz)
    for _number, line in text_lines(unit, scratch, per_line_fallback=_FALLBACK):
        match = _DIRCPROXY.match(line)
        message = _MSG.match(match.group(6)) if match else None
        if message is not None:
            texts.append(message.group(3))
            if len(texts) >= _SAMPLE_LINES:
                break
    return bool(texts) and sum(1 for t in texts if t[:1] in ("+", "-")) * 2 > len(texts)


_READERS = {"weechat": _read_weechat, "iso": _read_iso, "bracket": _read_bracket,
            "dircproxy": _read_dircproxy, "irssi": _read_irssi}


# -- irclog2html HTML pages --------------------------------------------------------------------

_HTML_START = (b"<!doctype html", b"<html", b"<?xml")
_HTML_GENERATOR = re.compile(rb'<meta\s+name="generator"\s+content="irclog2html', re.I)
_HTML_TABLE = '<table class="irclog">'
_HTML_ROW = re.compile(r'^\s*<tr(?: id="([^"]*)")?>(.*)</tr>\s*$')
_HTML_SAID = re.compile(r'^<th class="nick"[^>]*>(.*?)</th><td class="text"[^>]*>(.*?)</td>')
_HTML_EVENT = re.compile(r'^<td class="([a-z]+)" colspan="[23]">(.*?)</td>')
#: irclog2html's row classes besides "nick": how it sorted the log's lines (we read the text)
_HTML_CLASSES = frozenset({"action", "join", "part", "nickchange", "servermsg", "other"})
#: the row id: "t" and the log line's time as written, then "-2", "-3" … for repeated ones
_HTML_STAMP = re.compile(r"^t(?:(\d{4})-(\d\d)-(\d\d)T|(\d\d)-([A-Za-z]{3})-(\d{4}) "
                         r"|([A-Za-z]{3}) (\d\d) |(\d\d) ([A-Za-z]{3}) )?"
                         r"(\d\d):(\d\d)(?::(\d\d))?(?:-\d+)?$")
_HTML_TITLE = re.compile(r"<title>([^<]*)</title>")
_HTML_PAGE_LINK = re.compile(r'<a href="([^":#?]+)"')
_TAG = re.compile(r"<[^>]*>")
_HTML_EXAMPLE = ("irclog2html's rows '<tr id=\"t2015-01-01T05:24:53\"><th class=\"nick\">"
                 "nick</th><td class=\"text\">text</td>…</tr>'")


class _Undated(_Bad):
    """A row whose time needs a date or year that the page does not give: the whole page
    cannot be dated."""


def _is_irclog2html(head: bytes) -> bool:
    """An HTML page with irclog2html's generator tag or its log table."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()[:16].lower()
    return start.startswith(_HTML_START) and (
        _HTML_GENERATOR.search(head) is not None or _HTML_TABLE.encode() in head)


def _plain(cell: str) -> str:
    """A cell's text as the log line had it: irclog2html's links (``<a href>`` around a URL)
    dropped for their text, its "&nbsp;&nbsp;" (two spaces) and other escapes undone."""
    if "<" in cell:
        cell = _TAG.sub("", cell)
    if "&" in cell:
        cell = html.unescape(cell.replace("&nbsp;", " "))
    return cell


#: a table row: its id (None without one), its event, and whether it is a "nick" row
_HtmlRow = tuple[str | None, _Line, bool]


def _html_row(line: str) -> _HtmlRow | None:
    """The row id and the event of a table row; None for any other line of the page.

    A "nick" row is a message; the other rows hold the log line after its time, which the
    grammar of the text logs reads (an action, a join, "*** nick is now known as …"); what
    it cannot place is a SYSTEM event, as irclog2html kept the line too ("other")."""
    if not line.lstrip().startswith("<tr"):
        return None
    match = _HTML_ROW.match(line)
    if match is None:
        raise _Bad(f"a whole table row on one line, as irclog2html writes it ({_HTML_EXAMPLE})")
    stamp, cells = match.groups()
    said = _HTML_SAID.match(cells)
    if said is not None:
        nick = _plain(said.group(1))
        nick = nick[1:] if nick[:1] in " @+%~&" else nick  # a mode prefix, as in "<@nick>"
        if not nick or any(c.isspace() for c in nick):
            raise _Bad("a nick in the row's '<th class=\"nick\">'")
        return stamp, _Line(_K.TEXT, nick, _plain(said.group(2))), True
    event = _HTML_EVENT.match(cells)
    if event is None or event.group(1) not in _HTML_CLASSES:
        raise _Bad("a '<th class=\"nick\">' message or a '<td class=\"action|join|part|"
                   "nickchange|servermsg|other\">' event")
    text = _plain(event.group(2))
    return stamp, _classify(text) or _Line(_K.SYSTEM, "", text), False


def _html_time(stamp: str | None, clock: _Clock) -> datetime:
    """A row's time from its id; rows without a date take the page's (see ``_html_events``)."""
    if stamp is None:
        raise _Bad("a row with its time ('<tr id=\"t…\">'; irclog2html leaves it out only "
                   "for log lines without one)")
    match = _HTML_STAMP.match(stamp)
    if match is None:
        raise _Bad("a row id 't' + time ('t2015-01-01T05:24:53', 't05:24', 't14 Jan 12:37')")
    y, mo, d, day, month, year, month_first, day_second, day_first, month_second, h, mi, s = \
        match.groups()
    if y is not None:
        date = (int(y), int(mo), int(d))
    elif year is not None:
        number = _MONTHS.get(month.lower())
        if number is None:
            raise _Bad("an English month in the row id ('t14-Jan-2009 12:37')")
        date = (int(year), number, int(day))
    elif month_first is not None or month_second is not None:
        if clock.year is None:
            raise _Undated("the rows' times have no year ('t14 Jan 12:37', from a dircproxy "
                           "log) and neither have the file name and the title: give the year "
                           "of the first row (--year 2009, or the import page's year field)")
        date = clock.dircproxy(day_second or day_first, month_first or month_second)
    elif clock.name_date is not None:
        date = clock.name_date
    else:
        raise _Undated("the rows' times have no date ('t10:44:14') and neither have the file "
                       "name and the title (e.g. #chan.2016-12-31.log.html)")
    return clock.at(date, h, mi, s)


@dataclass
class _HtmlPage:
    """What the head of a page tells: its channel, its date, and identify-msg marks."""

    chat: _Chat
    clock: _Clock
    owners: _Owners


def _html_page(unit: Unit, ctx: ParseContext) -> _HtmlPage:
    """The page's channel and date from its first 64 KiB: the title holds the day
    (logs2html: "Thursday, 2015-01-01"; irclog2html alone: the log's file name) and the
    navigation links the other days' file names ("%23yocto.2014-12-31.log.html")."""
    head = head_text(unit)
    if _HTML_TABLE not in head:
        raise ImportFailed(unit.label, "an irclog2html page in another style than its default "
                                       "table (xhtmltable): only that style is read; convert "
                                       "the log again without -s, or import the text log")
    top = head.split(_HTML_TABLE, 1)[0]
    title = _HTML_TITLE.search(top)
    name = unquote(unit.name)
    clock = _Clock(ctx.tz, _name_date(name) or (_name_date(title.group(1)) if title else None))
    named = _NAME_YEAR.search(name)
    clock.year = int(named.group(1)) if named else (
        clock.name_date[0] if clock.name_date else ctx.year)
    rows: list[_HtmlRow] = []
    for line in head.split("\n")[:-1]:  # the last line may be cut at the 64 KiB boundary
        try:
            row = _html_row(line)
        except _Bad:
            continue
        if row is not None:
            rows.append(row)
    links = [unquote(link) for link in _HTML_PAGE_LINK.findall(top)]
    chat = _chat(unit, ctx, (row[1].text for row in rows), name=name, links=links)
    return _HtmlPage(chat, clock, _Owners(enabled=_html_identify_msg(rows)))


def _html_identify_msg(rows: list[_HtmlRow]) -> bool:
    """Whether the page comes from a dircproxy log ("t14 Jan 12:37") whose messages mostly
    start with identify-msg's "+"/"-" (irclog2html keeps them unless run with --dircproxy).
    Without hosts in the page, whose lines carry the mark is told by nick."""
    stamp = next((row[0] for row in rows if row[0]), "")
    match = _HTML_STAMP.match(stamp)
    if match is None or match.group(9) is None:
        return False
    texts = [row[1].text for row in rows if row[2]][:_SAMPLE_LINES]
    return bool(texts) and sum(1 for t in texts if t[:1] in ("+", "-")) * 2 > len(texts)


def _html_events(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]:
    page = _html_page(unit, ctx)
    for number, line in text_lines(unit, ctx, per_line_fallback=_FALLBACK):
        try:
            row = _html_row(line)
            if row is None:
                continue
            stamp, found, said = row
            ts = _html_time(stamp, page.clock)
        except _Undated as undated:
            raise ImportFailed(unit.label, str(undated)) from None
        except _Bad as bad:
            ctx.bad(number, str(bad), line)
            continue
        except (ValueError, OverflowError):
            ctx.bad(number, "a valid date and time in the row id ('t2015-01-01T05:24:53')",
                    line)
            continue
        if said and page.owners.enabled:
            found = found._replace(text=page.owners.text(found.nick, found.text))
        if found is not _SKIP:
            yield page.chat.event(ts, found)
