"""The IRC log parser: real logs (irclog2html test logs, 273 daily #qtox ZNC logs), every
layout it reads (written and read back), bad input."""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, irc
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit, weak_key
from tests.ingest.fixtures import SHARED

K = MessageKind
UTC = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
LOGS = SHARED / "irc" / "irclog2html"
QTOX = SHARED / "irc" / "qtox-irc"


def _parse(unit: Unit, tz: ZoneInfo = UTC, strict: bool = False,
           group: str | None = None, year: int | None = None
           ) -> tuple[list[ChatEvent], ParseContext]:
    ctx = ParseContext(label=unit.label, tz=tz, strict=strict, group_name=group, year=year)
    return list(irc.parse(unit, ctx)), ctx


def _file(path: Path, name: str | None = None) -> Unit:
    """A fixture, optionally under another file name (dates and channels come from names)."""
    return Unit(label=str(path), name=name or path.name, opener=lambda: path.open("rb"),
                size=path.stat().st_size)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _senders(events: list[ChatEvent]) -> set[str]:
    return {e.sender_key for e in events if e.sender_key}


# -- the irclog2html test logs -----------------------------------------------------------------

# Verified with grep on each file: "  <" lines are messages, "  * " actions, "has joined" /
# "has quit" / "now known as" the *** lines; every line is one event (no noise lines).
#   test1: 8 lines = 6 messages + 2 joins (povbot twice); nicks mgedmin, povbot
#   test2: 57 lines = 48 messages + 2 actions + 3 joins + 3 quits + 1 nick change;
#          nicks Aiste, mgedmin, ryzaja, ryzaja_
#   sample: 10 lines = 7 messages + 2 joins + 1 nick change (mgedmin -> mg_away)
#   hybrid-charset: 2 lines = 1 message (cp1252 byte 0x9a) + 1 action (UTF-8)
#   2009-01-14-dircproxy: 25 lines = 9 messages + 4 "-->" joins + 12 "*** You ..." (skipped)
#   2009-01-15-dircproxy: 225 lines = 216 messages + 5 actions + 4 "*** You ..." (skipped)
# first/last: the stamps of the first/last counted lines (head/tail of the file).
IRCLOG2HTML = [
    ("2005-01-08-test1.log", 8, {K.TEXT: 6, K.JOIN: 2}, 2,
     "2005-01-08T23:33:54", "2005-01-08T23:47:54", "irc:#pov"),
    ("2005-01-09-test2.log", 57, {K.TEXT: 50, K.JOIN: 3, K.LEAVE: 3, K.RENAME: 1}, 4,
     "2005-01-09T02:05:04", "2005-01-09T09:17:35", "irc:#pov"),
    ("sample.log", 10, {K.TEXT: 7, K.JOIN: 2, K.RENAME: 1}, 2,
     "2005-01-08T23:33:54", "2005-01-08T23:49:00", "irc:#pov"),
    ("2011-01-16-hybrid-charset.log", 2, {K.TEXT: 2}, 2,
     "2011-01-15T20:32:39", "2011-01-15T20:38:43", "irc:hybrid-charset"),
    ("2009-01-14-dircproxy.log", 13, {K.TEXT: 9, K.JOIN: 4}, 4,
     "2009-01-14T10:36:00", "2009-01-14T23:35:00", "irc:dircproxy"),
    ("2009-01-15-dircproxy.log", 221, {K.TEXT: 221}, 7,
     "2009-01-15T08:42:00", "2009-01-15T20:39:00", "irc:dircproxy"),
]


@pytest.mark.parametrize(("name", "count", "kinds", "senders", "first", "last", "group"),
                         IRCLOG2HTML, ids=[row[0] for row in IRCLOG2HTML])
def test_irclog2html_logs(name: str, count: int, kinds: dict[MessageKind, int], senders: int,
                          first: str, last: str, group: str) -> None:
    unit = Unit.from_path(LOGS / name)
    assert detect.detect(unit).format == "irc"
    events, ctx = _parse(unit)
    assert ctx.skipped == 0
    assert len(events) == count
    assert Counter(e.kind for e in events) == kinds
    assert len(_senders(events)) == senders
    assert (events[0].timestamp, events[-1].timestamp) == (_utc(first), _utc(last))
    assert {e.group_key for e in events} == {group}
    assert all(e.sender_key_weak and e.sender_key == weak_key(group, e.sender_name)
               for e in events)


def test_supybot_details() -> None:
    events, _ctx = _parse(Unit.from_path(LOGS / "2005-01-09-test2.log"))
    assert events[0].group_name == "#PoV"  # the first channel a join line names
    quit_ = events[16]
    assert (quit_.kind, quit_.sender_name, quit_.text) == (K.LEAVE, "ryzaja",
                                                            "*** ryzaja has quit IRC")
    action = events[24]
    assert (action.kind, action.sender_name, action.text) == (
        K.TEXT, "mgedmin", "* mgedmin tried https://www.ivija.com/temporary-location-for-zope3/")
    # two spaces after the nick: the leading space is part of the message
    assert events[36].text == ' ip fridge.pov.lt returns Object "fridge.pov.lt" is unknown, ' \
                              'try "ip help"'
    assert "pasižiūrėk į http://fridge.pov.lt/irclogs/" in events[51].text  # UTF-8 line
    rename = events[54]
    assert (rename.kind, rename.sender_name, rename.text, rename.mentions) == (
        K.RENAME, "ryzaja_", "*** ryzaja_ is now known as ryzaja",
        (weak_key("irc:#pov", "ryzaja"),))
    assert rename.timestamp == _utc("2005-01-09T09:14:04")


def test_mixed_encodings_are_decoded_line_by_line() -> None:
    events, ctx = _parse(Unit.from_path(LOGS / "2011-01-16-hybrid-charset.log"))
    assert ctx.encoding == "utf-8 (lines in cp1252 where not)"
    assert events[0].text == "aišku :)"  # the byte 0x9a, cp1252 "š"
    assert events[1].text.startswith("* mgedmin naudoja Ubuntu lietuviškai")
    events, _ctx = _parse(Unit.from_path(LOGS / "sample.log"))
    assert events[1].text == "let's see if irc logging works... ąčę"
    assert events[2].text == "š"  # the line with the invalid UTF-8 byte


def test_dircproxy_marks_and_nicks() -> None:
    events, _ctx = _parse(Unit.from_path(LOGS / "2009-01-15-dircproxy.log"))
    # "<jsmith-away!n=jsmith@72.21.36.138> +": identify-msg mark only, the message is empty
    assert (events[0].sender_name, events[0].text) == ("jsmith-away", "")
    assert events[1].text == "* jsmith-away wanders away..."
    assert (events[3].sender_name, events[3].text) == ("jsmith", "It's snowing!")
    assert events[0].timestamp == _utc("2009-01-15T08:42:00")


# dircproxy-example.log: no date in its name and "[14 Jan 10:36]" stamps. Verified with grep:
# 7543 lines = 5177 "<nick!…>" messages + 249 "* " actions + 153 "---" mode/topic lines + 4
# "-->" joins + 1960 "*** You connected/disconnected"; 41 distinct nicks in messages (all of
# the action nicks among them). Months run Jan..Dec, Jan, Feb, and "[29 Feb 13:13]" in the
# first February: a leap year, so the log starts in 2008 (Paul Frields, "stickster", became
# Fedora Project Leader in February 2008, as the log discusses).
def test_dircproxy_without_a_year_is_refused() -> None:
    unit = Unit.from_path(LOGS / "dircproxy-example.log")
    assert detect.detect(unit).format == "irc"
    with pytest.raises(ImportFailed, match="no year"):
        _parse(unit)


def test_the_year_option_dates_a_dircproxy_log_without_a_year_in_its_name() -> None:
    events, _ = _parse(_file(LOGS / "dircproxy-example.log"), year=2008)
    assert (events[0].timestamp, events[-1].timestamp.year) == (_utc("2008-01-14T10:36:00"), 2009)
    # a file that names its year keeps it: one --year for a folder of several years must
    # not re-date them all
    events, _ = _parse(_file(LOGS / "2009-01-14-dircproxy.log"), year=2012)
    assert events[0].timestamp.year == 2009


def test_dircproxy_example_with_the_year_in_its_name() -> None:
    events, ctx = _parse(_file(LOGS / "dircproxy-example.log", "2008-dircproxy-example.log"))
    assert ctx.skipped == 0
    assert len(events) == 5583
    assert Counter(e.kind for e in events) == {K.TEXT: 5426, K.SYSTEM: 153, K.JOIN: 4}
    assert len(_senders(events)) == 41
    assert events[0].timestamp == _utc("2008-01-14T10:36:00")
    assert events[-1].timestamp == _utc("2009-02-26T23:30:00")
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)  # the year goes up from December to January
    leap = [e for e in events if (e.timestamp.month, e.timestamp.day) == (2, 29)]
    assert leap[0].text.startswith("hey guys thought I would check out the IRC channel")
    # the log owner's own lines carry no identify-msg mark: kept whole
    assert [e.text for e in events if "ENOTIME" in e.text] == [
        "-ENOTIME", "-ENOTIME is an error code, like in C. Error, have no time."]
    system = next(e for e in events if e.kind == K.SYSTEM)
    assert (system.sender_key, system.text) == ("",
                                                "--- irc.freenode.net changed mode: +o ChanServ ")


# -- the #qtox ZNC logs ------------------------------------------------------------------------

_ZNC_MESSAGE = re.compile(rb"^\[\d\d:\d\d:\d\d\] <([^>]+)> ")


# Verified with grep over all 273 files (cat */*/* > all; 63829 lines):
#   grep -c '^\[..:..:..\] <'             35584 messages ("<nick> text"): the README's ~35.6k
#   grep -c '^\[..:..:..\] \* '             338 actions
#   grep -cE '^\[..:..:..\] -[^ ]+- '      1403 notices (1374 from -qtox-git-spam-)
#   grep -c '\*\*\* Joins:'               13097 joins
#   grep -cE '\*\*\* (Parts|Quits):'      13034 leaves
#   grep -c 'is now known as'               309 nick changes
#   "sets mode:" 56 + "changes topic to" 8 = 64 SYSTEM lines; all counts add up to 63829.
#   Distinct nicks of "<nick>" lines: 258 (the README's 258 speakers); with the nicks that
#   only act or send notices 276; with everybody who joins, leaves or renames 677.
#   First line: [02:06:03] in #qtox_20160601, last: [23:28:57] in #qtox_20170228.
#   The stamps are British local time: #qtox_20161030 goes from [01:41:17] back to [01:04:20]
#   when summer time ended (the hour 01:00-02:00 ran twice that night).
def test_qtox_folder_through_detect_expand() -> None:
    units = list(detect.expand(QTOX))
    assert len(units) == 273
    assert all(detect.detect(unit).format == "irc" for unit in units)
    events: list[ChatEvent] = []
    skipped = 0
    for unit in units:
        ctx = ParseContext(label=unit.label, tz=LONDON)
        events.extend(irc.parse(unit, ctx))
        skipped += ctx.skipped
    assert skipped == 0
    assert len(events) == 63829
    assert Counter(e.kind for e in events) == {K.TEXT: 35584 + 338 + 1403, K.JOIN: 13097,
                                              K.LEAVE: 13034, K.RENAME: 309, K.SYSTEM: 64}
    assert {(e.group_key, e.group_name) for e in events} == {("irc:#qtox", "#qtox")}
    speakers = {e.sender_name for e in events if e.kind == K.TEXT}
    assert len(speakers) == 276
    assert len(_senders(events)) == 677
    assert events[0].timestamp == _utc("2016-06-01T01:06:03")  # 02:06:03 BST
    assert events[-1].timestamp == _utc("2017-02-28T23:28:57")  # GMT
    # (aware datetimes of one zone compare by wall time: compare the instants)
    stamps = [e.timestamp.timestamp() for e in events]
    assert stamps == sorted(stamps)  # with the repeated hour read as such
    # cross-check the "<nick>" messages against the raw bytes
    nicks: set[bytes] = set()
    total = 0
    for path in QTOX.rglob("*.log.txt"):
        for raw in path.read_bytes().split(b"\n"):
            match = _ZNC_MESSAGE.match(raw)
            if match:
                total += 1
                nicks.add(match.group(1))
    assert (total, len(nicks)) == (35584, 258)
    assert {n.decode() for n in nicks} <= speakers


def test_qtox_line_kinds() -> None:
    path = QTOX / "2016" / "06" / "#qtox_20160601.log.txt"
    events, _ctx = _parse(Unit.from_path(path), tz=SHANGHAI)
    first = events[0]
    assert (first.kind, first.sender_name, first.text) == (
        K.LEAVE, "f10", "*** Quits: f10 (~flo@ ) (Ping timeout: 240 seconds)")
    assert first.timestamp == datetime(2016, 6, 1, 2, 6, 3, tzinfo=SHANGHAI)  # ctx.tz
    assert events[2].kind == K.JOIN and events[2].sender_name == "Rowen_Stipe"
    part = next(e for e in events if e.text.startswith("*** Parts:"))
    assert (part.kind, part.sender_name) == (K.LEAVE, "tdmps")
    message = next(e for e in events if e.sender_name == "zetok" and e.kind == K.TEXT)
    assert message.text == "linuxmodder: sounds like a problem with sqlite / sqlcipher / qtsql"
    # a latin-1/cp1252 byte in an otherwise UTF-8 file
    # (0x99: "™" in cp1252, a control character in latin-1)
    assert any(e.text == "Not Dead™" for e in events)


def test_the_hour_that_runs_twice() -> None:
    path = QTOX / "2016" / "10" / "#qtox_20161030.log.txt"
    events, _ctx = _parse(Unit.from_path(path), tz=LONDON)
    assert [(e.text[:20], e.timestamp.fold, e.timestamp.astimezone(UTC).time().isoformat())
            for e in events[2:5]] == [
        ("zetok: I added the a", 0, "00:41:17"),   # [01:41:17] BST
        ("*** Joins: kchz (~ds", 1, "01:04:20"),   # [01:04:20] GMT, the second 01:04
        ("*** Quits: kchz (~ds", 1, "01:27:21")]
    assert events[12].timestamp.astimezone(UTC).time().isoformat() == "02:06:38"  # GMT
    stamps = [e.timestamp.timestamp() for e in events]
    assert stamps == sorted(stamps)


def test_qtox_notices_topics_and_empty_messages() -> None:
    # the only "<nick> " line without text (grep '^\[..:..:..\] <[^>]*> $': [15:18:38] <ick>)
    found: list[ChatEvent] = []
    for path in sorted(QTOX.rglob("*.log.txt")):
        events, _ctx = _parse(Unit.from_path(path))
        found.extend(e for e in events if (e.kind == K.TEXT and e.text == "")
                     or e.sender_name == "qtox-git-spam" or "changes topic to" in e.text)
    assert [(e.sender_name, e.timestamp.time().isoformat()) for e in found
            if e.kind == K.TEXT and e.text == ""] == [("ick", "15:18:38")]
    assert sum(1 for e in found if e.sender_name == "qtox-git-spam") == 1374
    notice = next(e for e in found if e.sender_name == "qtox-git-spam")
    assert notice.text.startswith("[qTox] ")  # the text without "-qtox-git-spam-"
    topics = [e for e in found if "changes topic to" in e.text]
    assert len(topics) == 8 and all(e.kind == K.SYSTEM and not e.sender_key for e in topics)


# -- detection ---------------------------------------------------------------------------------

def _other_formats() -> list[Unit]:
    units: list[Unit] = []
    for folder in ("whatsapp", "qq", "telegram", "discord", "wechat"):
        units.extend(detect.expand(SHARED / folder))
    return units


def test_detection_claims_no_other_format() -> None:
    others = _other_formats()
    assert len(others) > 15
    for unit in others:
        assert irc.detect(unit) is None, unit.label


def test_detection_ignores_trees_and_prose() -> None:
    tree = next(detect.expand(SHARED / "slack" / "slackdump-export"))
    assert irc.detect(tree) is None
    prose = b"Meeting notes\n12:30 lunch\n[10:00] standup\n2020-01-01 new year\n"
    assert irc.detect(Unit.from_bytes(prose, "notes.txt")) is None
    whatsapp = b"[15-01-20 02:22:56] Mary: hi\n[15-01-20 02:23:10] Bob: <3\n"
    assert irc.detect(Unit.from_bytes(whatsapp, "_chat.txt")) is None
    qq = "2024-01-01 12:00:00 张三(12345)\n你好\n\n".encode()
    assert irc.detect(Unit.from_bytes(qq, "qq.txt")) is None


def test_a_file_forced_as_irc_that_is_not() -> None:
    unit = Unit.from_path(SHARED / "whatsapp" / "whatstk" / "lorem.txt")
    with pytest.raises(ImportFailed, match="not an IRC log"):
        _parse(unit)


# -- bad input ---------------------------------------------------------------------------------

ZNC_DAY = (b"[10:00:00] *** Joins: alice (~a@host)\n"
           b"[10:00:05] <alice> hello\n"
           b"[10:01:00] <bob> hi alice\n")


def test_empty_file() -> None:
    with pytest.raises(ImportFailed, match="empty"):
        _parse(Unit.from_bytes(b"", "#chan_20200101.log"))
    with pytest.raises(ImportFailed, match="empty"):
        _parse(Unit.from_bytes(b"\n\n", "#chan_20200101.log"))


def test_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + ZNC_DAY.replace(b"\n", b"\r\n")
    unit = Unit.from_bytes(data, "#chan_20200101.log")
    assert irc.detect(unit)
    events, ctx = _parse(unit)
    assert ctx.skipped == 0
    assert [(e.kind, e.sender_name, e.text) for e in events] == [
        (K.JOIN, "alice", "*** Joins: alice (~a@host)"), (K.TEXT, "alice", "hello"),
        (K.TEXT, "bob", "hi alice")]
    assert events[2].timestamp == datetime(2020, 1, 1, 10, 1, tzinfo=UTC)


def test_utf16_file() -> None:
    unit = Unit.from_bytes(ZNC_DAY.decode().encode("utf-16"), "#chan_20200101.log")
    assert irc.detect(unit)
    events, _ctx = _parse(unit)
    assert [e.text for e in events][1:] == ["hello", "hi alice"]


def test_garbage_line_in_the_middle() -> None:
    data = ZNC_DAY + b"this is not an IRC line\n[10:02:00] <alice> bye\n"
    unit = Unit.from_bytes(data, "#chan_20200101.log")
    events, ctx = _parse(unit)
    assert len(events) == 4 and ctx.skipped == 1
    assert ctx.errors[0].startswith("#chan_20200101.log:4: expected a line in ZNC")
    with pytest.raises(ParseError, match=r"^#chan_20200101\.log:4: expected a line in ZNC"):
        _parse(unit, strict=True)
    # a stamped line with something unknown after the stamp, and an impossible time
    data = ZNC_DAY + b"[10:02:00] ?? what\n[25:00:00] <alice> late\n"
    events, ctx = _parse(Unit.from_bytes(data, "#chan_20200101.log"))
    assert len(events) == 3 and ctx.skipped == 2
    assert "expected a '<nick> text'" in ctx.errors[0]
    assert "expected a valid date and time" in ctx.errors[1]


def test_znc_without_a_date_is_refused() -> None:
    with pytest.raises(ImportFailed, match="no date"):
        _parse(Unit.from_bytes(ZNC_DAY, "#chan.log"))
    # dated stamps need no date in the name
    dated = b"[2020-01-01 10:00:05] <alice> hello\n"
    events, _ctx = _parse(Unit.from_bytes(dated, "#chan.log"))
    assert events[0].timestamp == datetime(2020, 1, 1, 10, 0, 5, tzinfo=UTC)


def test_log_noise_is_skipped_without_counting() -> None:
    data = (b"[10:00:00] *** Buffer Playback...\n[10:00:01] <alice> hi\n"
            b"[10:00:02] *** Playback Complete.\n")
    events, ctx = _parse(Unit.from_bytes(data, "#chan_20200101.log"))
    assert [e.text for e in events] == ["hi"] and ctx.skipped == 0


# -- irssi and WeeChat -------------------------------------------------------------------------

IRSSI = """\
--- Log opened Sat Jan 08 23:30:00 2005
23:30 -!- alice [~a@example.org] has joined #pov
23:31 <@alice> hello
23:31 < bob> hi
23:32  * alice waves
23:40 -!- mode/#pov [+o bob] by alice
23:41 -!- Irssi: #pov: Total of 2 nicks [1 ops, 0 halfops, 0 voices, 1 normal]
23:45 -!- alice is now known as alice_
--- Day changed Sun Jan 09 2005
00:10 -!- bob was kicked from #pov by alice_ [bye]
00:11 -!- alice_ [~a@example.org] has quit [Quit: zzz]
00:12 -!- carol [~c@example.org] has left #pov [later]
--- Log closed Sun Jan 09 00:13:00 2005
"""


def test_irssi_log() -> None:
    unit = Unit.from_bytes(IRSSI.encode(), "pov.log")
    assert "irssi" in (irc.detect(unit) or "")
    events, ctx = _parse(unit, tz=SHANGHAI)
    assert ctx.skipped == 0
    assert [(e.kind, e.sender_name, e.text) for e in events] == [
        (K.JOIN, "alice", "-!- alice [~a@example.org] has joined #pov"),
        (K.TEXT, "alice", "hello"),
        (K.TEXT, "bob", "hi"),
        (K.TEXT, "alice", "* alice waves"),
        (K.SYSTEM, "", "-!- mode/#pov [+o bob] by alice"),
        (K.RENAME, "alice", "-!- alice is now known as alice_"),
        (K.LEAVE, "bob", "-!- bob was kicked from #pov by alice_ [bye]"),
        (K.LEAVE, "alice_", "-!- alice_ [~a@example.org] has quit [Quit: zzz]"),
        (K.LEAVE, "carol", "-!- carol [~c@example.org] has left #pov [later]"),
    ]
    assert events[0].group_key == "irc:#pov"  # from the join line
    assert events[0].timestamp == datetime(2005, 1, 8, 23, 30, tzinfo=SHANGHAI)
    assert events[-1].timestamp == datetime(2005, 1, 9, 0, 12, tzinfo=SHANGHAI)


def test_irssi_without_a_date_line() -> None:
    data = b"23:31 <alice> hello\n23:32 <bob> hi\n"
    events, ctx = _parse(Unit.from_bytes(data, "pov.log"))
    assert events == [] and ctx.skipped == 2
    events, ctx = _parse(Unit.from_bytes(data, "#pov.2005-01-08.log"))
    assert len(events) == 2 and ctx.skipped == 0
    assert events[0].timestamp == datetime(2005, 1, 8, 23, 31, tzinfo=UTC)


WEECHAT = """\
2020-01-08 12:00:00\t-->\talice (~a@example.org) has joined #weechat
2020-01-08 12:00:05\t@alice\thello\tworld
2020-01-08 12:00:06\t *\talice waves
2020-01-08 12:00:07\t--\talice is now known as alice_
2020-01-08 12:00:08\t--\tMode #weechat [+o bob] by alice_
2020-01-08 12:00:09\t<--\talice_ has kicked bob (bye)
2020-01-08 12:00:10\t<--\talice_ (~a@example.org) has quit (Quit: zzz)
2020-01-08 12:00:11\t=!=\tirc: command "foo" not found
2020-01-08 12:00:12\tbob\t
"""


def test_weechat_log() -> None:
    unit = Unit.from_bytes(WEECHAT.encode(), "irc.libera.#weechat.weechatlog")
    assert "WeeChat" in (irc.detect(unit) or "")
    events, ctx = _parse(unit)
    assert ctx.skipped == 0
    assert [(e.kind, e.sender_name, e.text) for e in events] == [
        (K.JOIN, "alice", "alice (~a@example.org) has joined #weechat"),
        (K.TEXT, "alice", "hello\tworld"),
        (K.TEXT, "alice", "* alice waves"),
        (K.RENAME, "alice", "alice is now known as alice_"),
        (K.SYSTEM, "", "Mode #weechat [+o bob] by alice_"),
        (K.LEAVE, "bob", "alice_ has kicked bob (bye)"),
        (K.LEAVE, "alice_", "alice_ (~a@example.org) has quit (Quit: zzz)"),
        (K.TEXT, "bob", ""),
    ]
    assert {(e.group_key, e.group_name) for e in events} == {("irc:#weechat", "#weechat")}
    assert events[3].mentions == (weak_key("irc:#weechat", "alice_"),)


# -- groups --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "name", "group"), [
    ("/logs/#qtox_20161231.log.txt", "#qtox_20161231.log.txt", ("irc:#qtox", "#qtox")),
    ("/logs/net_#Chan.Dev_20161231.log", "net_#Chan.Dev_20161231.log",
     ("irc:#chan.dev", "#Chan.Dev")),
    ("/znc/libera/#rust/2016-12-31.log", "2016-12-31.log", ("irc:#rust", "#rust")),
    ("logs.zip!#c++.2016-12-31.log", "#c++.2016-12-31.log", ("irc:#c++", "#c++")),
    ("/logs/2016-12-31-meeting.log", "2016-12-31-meeting.log", ("irc:meeting", "meeting")),
])
def test_group_from_names(label: str, name: str, group: tuple[str, str]) -> None:
    unit = Unit(label=label, name=name, opener=lambda: io.BytesIO(ZNC_DAY))
    events, _ctx = _parse(unit)
    assert {(e.group_key, e.group_name) for e in events} == {group}


def test_group_option() -> None:
    events, _ctx = _parse(Unit.from_bytes(ZNC_DAY, "#chan_20200101.log"), group="技术群")
    assert {(e.group_key, e.group_name) for e in events} == {("irc:技术群", "技术群")}


# -- Hypothesis: arbitrary bytes ----------------------------------------------------------------

_PREFIXES = [b"", b"[10:00:00] ", b"2020-01-01T10:00:00  ", b"[01 Jan 10:00] ", b"10:00 ",
             b"2020-01-01 10:00:00\t", b"--- Day changed Sat Jan 08 2005\n"]


@settings(max_examples=60, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), body=st.binary(max_size=300),
       name=st.sampled_from(["x.log", "#c_20200101.log", "2020-dircproxy.log"]),
       strict=st.booleans())
def test_arbitrary_bytes_never_crash(prefix: bytes, body: bytes, name: str,
                                     strict: bool) -> None:
    """Bytes after a plausible stamp (so that detection passes now and then)."""
    with contextlib.suppress(ImportFailed):
        _parse(Unit.from_bytes(prefix + body, name), strict=strict)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.sampled_from([
    b"[10:00:00] <a> x", b"[99:99:99] <a> x", b"2020-13-45T10:00:00  <a> x",
    b"2020-01-01T10:00:00+99:99  <a> x", b"[31 Feb 10:00] <a!b@c> +x", b"[01 Foo 10:00] <a> x",
    b"--- Day changed Sat Feb 30 2005", b"--- Day changed Sat Jan 08 0000", b"25:61 <a> x",
    b"2020-01-01 10:00:00\t\t", b"\xff\xfe\x00", b"[10:00:00] *** ", b"[10:00:00] -->",
    b"[10:00:00] * ", b"[10:00:00] --- x is now known as", b"[01 Dec 10:00] <a> x",
    b"[01 Jan 10:00] <a> x", b"9999-12-31T23:59:59  <a> x"]), max_size=12))
def test_arbitrary_known_pieces_never_crash(lines: list[bytes]) -> None:
    for name in ("#c_20200101.log", "9999-dircproxy.log"):
        with contextlib.suppress(ImportFailed):
            _parse(Unit.from_bytes(b"\n".join(lines), name))


# -- Hypothesis: writers for every layout, read back ---------------------------------------------

_NICK_FIRST = st.characters(categories=["L"]) | st.sampled_from("_[]`^{}|\\张伟")
_NICK_REST = st.characters(categories=["L", "Nd"]) | st.sampled_from("_-[]`^{}|\\李娜")
_nicks = st.builds(lambda first, rest: first + rest, _NICK_FIRST,
                   st.text(_NICK_REST, max_size=9))
_line_texts = st.text(st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from(
    "你好 *<>-:[]"), max_size=30)
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")
_KINDS = ["text", "text", "text", "action", "join", "leave", "rename"]

# (layout, file name, whether stamps have seconds, longest span in days)
LAYOUTS = {
    "iso": ("#测试.log", True, 400),
    "znc": ("#测试_{date:%Y%m%d}.log", True, 0),
    "dircproxy": ("{date:%Y}-#测试.log", False, 300),
    "irssi": ("#测试.log", False, 400),
    "weechat": ("irc.libera.#测试.weechatlog", True, 400),
}


@st.composite
def _chat(draw: st.DrawFn, layout: str) -> tuple[Unit, list[tuple[object, ...]]]:
    """A log written in ``layout`` and the events it should read back as (kind, sender
    name, text, time, mentions). A multi-line text is one IRC message per line."""
    pattern, seconds, span = LAYOUTS[layout]
    start = draw(st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1))).replace(
        microsecond=0, tzinfo=SHANGHAI)
    if not seconds:
        start = start.replace(second=0)
    limit = span * 86400 if span else 86399 - (start.hour * 3600 + start.minute * 60
                                               + start.second)
    offsets = sorted(draw(st.lists(st.integers(0, max(limit, 0)), min_size=1, max_size=12)))
    lines: list[str] = []
    expected: list[tuple[object, ...]] = []
    key = "irc:#测试"
    day = None
    if layout == "irssi":
        lines.append(f"--- Log opened {start:%a %b %d %H:%M:%S %Y}")
        day = start.date()
    for offset in offsets:
        ts = start + timedelta(seconds=offset - (0 if seconds else offset % 60))
        if layout == "irssi" and ts.date() != day:
            lines.append(f"--- Day changed {ts:%a %b %d %Y}")
            day = ts.date()
        kind = draw(st.sampled_from(_KINDS))
        nick = draw(_nicks)
        if kind == "text":
            texts = draw(st.lists(_line_texts, min_size=1, max_size=3))
            for text in texts:
                lines.append(_stamp(layout, ts) + _message(layout, nick, text))
                expected.append((K.TEXT, nick, text, ts, ()))
            continue
        text = draw(_line_texts)
        new = draw(_nicks)
        line, event_text = _event(layout, kind, nick, text, new)
        lines.append(_stamp(layout, ts) + line)
        event_kind = {"action": K.TEXT, "join": K.JOIN, "leave": K.LEAVE,
                      "rename": K.RENAME}[kind]
        mentions = (weak_key(key, new),) if kind == "rename" else ()
        expected.append((event_kind, nick, event_text, ts, mentions))
    name = pattern.format(date=expected[0][3] if expected else start)  # the first line's
    data = "".join(line + "\n" for line in lines).encode()
    return Unit.from_bytes(data, name), expected


def _stamp(layout: str, ts: datetime) -> str:
    if layout == "iso":
        return f"{ts:%Y-%m-%dT%H:%M:%S}  "
    if layout == "znc":
        return f"[{ts:%H:%M:%S}] "
    if layout == "dircproxy":
        return f"[{ts:%d} {_MONTH_NAMES[ts.month - 1]} {ts:%H:%M}] "
    if layout == "irssi":
        return f"{ts:%H:%M} "
    return f"{ts:%Y-%m-%d %H:%M:%S}\t"


def _message(layout: str, nick: str, text: str) -> str:
    if layout == "dircproxy":
        return f"<{nick}!~u@host.example> +{text}"
    if layout == "weechat":
        return f"{nick}\t{text}"
    if layout == "irssi":
        return f"<@{nick}> {text}"
    return f"<{nick}> {text}"


def _event(layout: str, kind: str, nick: str, text: str, new: str) -> tuple[str, str]:
    """(the line after the stamp, the event text it should give)."""
    if layout == "weechat":
        column, words = {
            "action": (" *", f"{nick} {text}"),
            "join": ("-->", f"{nick} (~u@host) has joined #测试"),
            "leave": ("<--", f"{nick} (~u@host) has quit ({text})"),
            "rename": ("--", f"{nick} is now known as {new}"),
        }[kind]
        return f"{column}\t{words}", ("* " + words if kind == "action" else words)
    line = {
        "iso": {"join": f"*** {nick} has joined #测试", "leave": f"*** {nick} has quit IRC",
                "rename": f"*** {nick} is now known as {new}"},
        "znc": {"join": f"*** Joins: {nick} (~u@host)",
                "leave": f"*** Quits: {nick} (~u@ ) ({text})",
                "rename": f"*** {nick} is now known as {new}"},
        "dircproxy": {"join": f"--> {nick} (~u@host) joined the channel",
                      "leave": f"<-- {nick} (~u@host) left the channel",
                      "rename": f"--- {nick} is now known as {new}"},
        "irssi": {"join": f"-!- {nick} [~u@host] has joined #测试",
                  "leave": f"-!- {nick} [~u@host] has left #测试 [{text}]",
                  "rename": f"-!- {nick} is now known as {new}"},
    }[layout].get(kind, f"* {nick} {text}")
    if kind == "action" and layout == "irssi":
        return " " + line, line
    return line, line


def _read_back(unit: Unit, expected: list[tuple[object, ...]]) -> None:
    assert irc.detect(unit), unit.name
    events, ctx = _parse(unit, tz=SHANGHAI)
    assert ctx.errors == []
    assert [(e.kind, e.sender_name, e.text, e.timestamp, e.mentions) for e in events] \
        == expected
    assert {e.group_key for e in events} == {"irc:#测试"}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_written_logs_read_back(layout: str) -> None:
    @settings(max_examples=60, deadline=None)
    @given(_chat(layout))
    def check(chat: tuple[Unit, list[tuple[object, ...]]]) -> None:
        _read_back(*chat)

    check()
