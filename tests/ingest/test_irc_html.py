"""irclog2html's HTML pages read by the IRC parser: a year of #yocto as logs2html wrote it
(one page a day), every row kind, the date and channel of a page, bad rows, detection."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qunzhu.community.models import Group, Message
from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, irc
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Unit, weak_key
from qunzhu.ingest.load import import_events
from qunzhu.ingest.service import ImportOptions, import_paths
from tests.ingest.fixtures import SHARED

K = MessageKind
UTC = ZoneInfo("UTC")
YOCTO = SHARED / "groups" / "irc-yocto-2015"
LOGS = SHARED / "irc" / "irclog2html"

needs_yocto = pytest.mark.skipif(not YOCTO.is_dir(), reason="shared fixtures not checked out "
                                                            "(../shared/data/groups)")


def _parse(unit: Unit, tz: ZoneInfo = UTC, strict: bool = False, group: str | None = None,
           year: int | None = None) -> tuple[list[ChatEvent], ParseContext]:
    ctx = ParseContext(label=unit.label, tz=tz, strict=strict, group_name=group, year=year)
    return list(irc.parse(unit, ctx)), ctx


def _day(date: str) -> Path:
    return YOCTO / f"{date}.yocto.irc.log.html"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- a year of #yocto --------------------------------------------------------------------------

# Verified with grep on each page (every row is one line '<tr id="t…">…</tr>'):
#   grep -c '^<tr'                  rows
#   grep -c 'class="nick"'          messages      grep -c 'class="action"'      actions (/me)
#   grep -c 'class="other"'         notices ("-YoctoAutoBuilder- build #…")
#   grep -c 'class="part"'          "*** x <x!~u@host> has left #yocto"
#   grep -c 'class="nickchange"'    "*** a is now known as b"
#   grep -c 'class="servermsg"'     "*** ChanServ sets mode: +o yocti"
#   speakers: grep -o '<th class="nick"[^>]*>[^<]*' | sed 's/.*>//' | sort -u | wc -l
# Messages, actions and notices are TEXT, parts LEAVE, nick changes RENAME, modes SYSTEM.
DAYS = [
    # date, rows, messages, actions, notices, parts, nick changes, mode lines, speakers
    ("2015-01-01", 40, 33, 0, 3, 2, 2, 0, 5),
    ("2015-01-23", 150, 132, 4, 3, 2, 9, 0, 21),
    ("2015-01-24", 31, 27, 0, 0, 0, 3, 1, 7),
    ("2015-01-27", 481, 424, 14, 29, 4, 10, 0, 29),
    ("2015-11-03", 352, 318, 7, 0, 8, 19, 0, 34),
]


@needs_yocto
@pytest.mark.parametrize(("date", "rows", "said", "actions", "notices", "parts", "renames",
                          "modes", "speakers"), DAYS)
def test_yocto_days(date: str, rows: int, said: int, actions: int, notices: int, parts: int,
                    renames: int, modes: int, speakers: int) -> None:
    events, ctx = _parse(Unit.from_path(_day(date)))
    assert ctx.skipped == 0
    assert len(events) == rows
    kinds = Counter(e.kind for e in events)
    assert kinds == {k: n for k, n in ((K.TEXT, said + actions + notices), (K.LEAVE, parts),
                                       (K.RENAME, renames), (K.SYSTEM, modes)) if n}
    assert sum(1 for e in events if e.text.startswith("* ")) == actions
    assert {(e.group_key, e.group_name) for e in events} == {("irc:#yocto", "#yocto")}
    said_by = {e.sender_name for e in events
               if e.kind == K.TEXT and not e.text.startswith("* ")
               and e.sender_name not in ("YoctoAutoBuilder", "7F1ACA955", "64MADQRJX")}
    assert len(said_by) == speakers
    assert all(e.timestamp.date().isoformat() == date for e in events)


@needs_yocto
def test_yocto_first_day_in_detail() -> None:
    events, _ctx = _parse(Unit.from_path(_day("2015-01-01")))
    first = events[0]
    assert (first.kind, first.sender_name, first.timestamp) == (
        K.TEXT, "tthtlc", _utc("2015-01-01T05:24:53"))
    assert first.sender_key == weak_key("irc:#yocto", "tthtlc") and first.sender_key_weak
    # "happy new year:&nbsp;&nbsp; I did … <a href=…>http://paste…</a>": three spaces again,
    # the link as its text
    assert first.text == ('happy new year:   I did a "git pull" of yocto and got the '
                          'following:   http://paste.ubuntu.com/9653317/')
    notice = next(e for e in events if e.sender_name == "7F1ACA955")
    assert (notice.kind, notice.timestamp) == (K.TEXT, _utc("2015-01-01T14:54:17"))
    assert notice.text.startswith("build #145 of nightly-fsl-arm is complete: Failure [failed ")
    assert notice.text.endswith("Build details are at "
                                "http://autobuilder.yoctoproject.org/main/builders/"
                                "nightly-fsl-arm/builds/145")
    rename = next(e for e in events if e.kind == K.RENAME)
    assert (rename.sender_name, rename.text, rename.mentions) == (
        "paul-m", "*** paul-m is now known as karooga_", (weak_key("irc:#yocto", "karooga_"),))
    assert events[-1].timestamp == _utc("2015-01-01T22:05:52")


@needs_yocto
def test_yocto_entities_links_actions_parts_and_modes() -> None:
    jan23, _ctx = _parse(Unit.from_path(_day("2015-01-23")))
    link = next(e for e in jan23 if e.timestamp == _utc("2015-01-23T18:08:22"))
    assert (link.sender_name, link.text) == (
        "RP", "kergoth: the preceding commit: http://git.yoctoproject.org/cgit.cgi/"
              "poky-contrib/commit/?h=rpurdie/t222&id=5ec2027f1b4b7f5cc59d2cad61efa3e7ea396073")
    jan27, _ctx = _parse(Unit.from_path(_day("2015-01-27")))
    said = next(e for e in jan27 if e.timestamp == _utc("2015-01-27T10:28:53"))
    assert (said.sender_name, said.text) == (
        "jaeckel", "is there somewhere documented how DEPENDS_append_<?> works? resp. what "
                   "will be extended to <?>")
    action = next(e for e in jan27 if e.timestamp == _utc("2015-01-27T22:49:25"))
    assert (action.kind, action.sender_name, action.text) == (K.TEXT, "rburton",
                                                              "* rburton -> bed")
    nov3, _ctx = _parse(Unit.from_path(_day("2015-11-03")))
    part = next(e for e in nov3 if e.timestamp == _utc("2015-11-03T22:41:41"))
    assert (part.kind, part.sender_name, part.text) == (
        K.LEAVE, "ylouise", "*** ylouise <ylouise!~yalouise@134.134.139.78> has left #yocto")
    jan24, _ctx = _parse(Unit.from_path(_day("2015-01-24")))
    mode = next(e for e in jan24 if e.kind == K.SYSTEM)
    assert (mode.sender_key, mode.text, mode.timestamp) == (
        "", "*** ChanServ sets mode: +o yocti", _utc("2015-01-24T08:28:54"))


_NICK_CELL = re.compile(rb'^<tr id="t[^"]*"><th class="nick"[^>]*>([^<]*)</th>')
_ROW = re.compile(rb'^<tr id="t[^"]*"><(?:th class="nick"|td class="([a-z]+)")')


# Verified with grep over all 365 pages (cat *.html; 2 pages are empty files):
#   58697 rows = 48960 messages (truth.tsv: 48960) + 984 actions + 3798 notices + 1578 parts
#   + 3375 nick changes + 2 mode lines; no joins (the logger did not write them);
#   1048 distinct nicks of messages, 1055 with those who only act or send notices.
@needs_yocto
def test_yocto_whole_year_through_detect_expand() -> None:
    units = list(detect.expand(YOCTO))
    assert len(units) == 365
    events: list[ChatEvent] = []
    empty = []
    for unit in units:
        assert isinstance(unit, Unit)
        try:
            assert detect.detect(unit).format == "irc"
        except ImportFailed as failed:
            empty.append((unit.name, failed.reason))
            continue
        ctx = ParseContext(label=unit.label, tz=UTC)
        events.extend(irc.parse(unit, ctx))
        assert ctx.skipped == 0, ctx.errors
    assert empty == [("2015-02-23.yocto.irc.log.html", "the file is empty"),
                     ("2015-07-01.yocto.irc.log.html", "the file is empty")]
    assert len(events) == 58697
    assert Counter(e.kind for e in events) == {K.TEXT: 48960 + 984 + 3798, K.LEAVE: 1578,
                                              K.RENAME: 3375, K.SYSTEM: 2}
    assert {(e.group_key, e.group_name) for e in events} == {("irc:#yocto", "#yocto")}
    assert events[0].timestamp == _utc("2015-01-01T05:24:53")
    assert events[-1].timestamp == _utc("2015-12-31T13:16:48")
    stamps = [e.timestamp for e in events]
    assert stamps == sorted(stamps)
    speakers = {e.sender_name for e in events if e.kind == K.TEXT}
    assert len(speakers) == 1055
    # cross-check against the raw bytes
    nicks: set[bytes] = set()
    rows: Counter[bytes] = Counter()
    for path in YOCTO.glob("*.html"):
        for line in path.read_bytes().split(b"\n"):
            row = _ROW.match(line)
            if row is not None:
                rows[row.group(1) or b"nick"] += 1
            nick = _NICK_CELL.match(line)
            if nick is not None:
                nicks.add(nick.group(1))
    assert rows == {b"nick": 48960, b"action": 984, b"other": 3798, b"part": 1578,
                    b"nickchange": 3375, b"servermsg": 2}
    assert len(nicks) == 1048
    assert {n.decode() for n in nicks} <= speakers


@needs_yocto
def test_group_option_and_time_zone() -> None:
    events, _ctx = _parse(Unit.from_path(_day("2015-01-24")), tz=ZoneInfo("Asia/Shanghai"),
                          group="Yocto Project")
    assert {(e.group_key, e.group_name) for e in events} == {("irc:yocto project",
                                                             "Yocto Project")}
    # the first row, id "t2015-01-24T00:01:47", read as Shanghai's wall clock
    assert events[0].timestamp == datetime(2015, 1, 24, 0, 1, 47,
                                           tzinfo=ZoneInfo("Asia/Shanghai"))
    assert events[0].timestamp.astimezone(UTC) == _utc("2015-01-23T16:01:47")


# -- stored once -------------------------------------------------------------------------------

@needs_yocto
@pytest.mark.django_db
def test_daily_pages_are_one_group_and_a_reimport_adds_nothing(community, system_actor):
    days = [_day(d) for d in ("2015-01-01", "2015-01-23", "2015-01-24")]
    first = import_paths(system_actor, community, days, ImportOptions(tz=UTC))
    assert [(r.format, r.failed, r.skipped) for r in first] == [("irc", "", 0)] * 3
    assert [r.summary.added for r in first if r.summary] == [40, 150, 31]
    group = Group.objects.get(community=community)
    assert (group.name, group.external_key) == ("#yocto", "irc:#yocto")
    again = import_paths(system_actor, community, days, ImportOptions(tz=UTC))
    assert [(r.summary.added, r.summary.duplicates) for r in again if r.summary] == [
        (0, 40), (0, 150), (0, 31)]
    assert Message.objects.filter(group=group).count() == 221


# What irclog2html 4.1.0 writes for its own test log 2005-01-08-test1.log (shared
# irc/irclog2html; `irclog2html 2005-01-08-test1.log`): the rows verbatim
TEST1_ROWS = (
    '<tr id="t2005-01-08T23:33:54">'
    '<td class="join" colspan="2">*** povbot has joined #pov</td>'
    '<td><a href="2005-01-08-test1.log.html#t2005-01-08T23:33:54"'
    ' class="time">23:33</a></td></tr>',
    '<tr id="t2005-01-08T23:34:46">'
    '<th class="nick" style="background: #407a40">mgedmin</th>'
    '<td class="text" style="color: #407a40">let\'s see if irc logging works...</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:34:46"'
    ' class="time">23:34</a></td></tr>',
    '<tr id="t2005-01-08T23:46:35">'
    '<td class="join" colspan="2">*** povbot has joined #pov</td>'
    '<td><a href="2005-01-08-test1.log.html#t2005-01-08T23:46:35"'
    ' class="time">23:46</a></td></tr>',
    '<tr id="t2005-01-08T23:47:17">'
    '<th class="nick" style="background: #407a40">mgedmin</th>'
    '<td class="text" style="color: #407a40">seen mgedmin</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:47:17"'
    ' class="time">23:47</a></td></tr>',
    '<tr id="t2005-01-08T23:47:19">'
    '<th class="nick" style="background: #407a40">mgedmin</th>'
    '<td class="text" style="color: #407a40">!seen mgedmin</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:47:19"'
    ' class="time">23:47</a></td></tr>',
    '<tr id="t2005-01-08T23:47:19-2">'
    '<th class="nick" style="background: #42427e">povbot</th>'
    '<td class="text" style="color: #42427e">mgedmin: mgedmin was last seen in #pov 2'
    ' seconds ago saying: &lt;mgedmin&gt; seen mgedmin</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:47:19-2"'
    ' class="time">23:47</a></td></tr>',
    '<tr id="t2005-01-08T23:47:50">'
    '<th class="nick" style="background: #407a40">mgedmin</th>'
    '<td class="text" style="color: #407a40">!dict bot</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:47:50"'
    ' class="time">23:47</a></td></tr>',
    '<tr id="t2005-01-08T23:47:54">'
    '<th class="nick" style="background: #42427e">povbot</th>'
    '<td class="text" style="color: #42427e">mgedmin: web1913, jargon, foldoc, vera,'
    ' and wn responded: vera: BOT Beginning Of Tape; vera: BOT Broadcast Online TV;'
    ' web1913: Bot \\Bot\\, n. (Zo[&quot;o]l.) See {Bots}; vera: BOT Build, Operate and'
    ' Transfer (networke); vera: BOT Back On Topic (telecommunication-slang, Usenet,'
    ' IRC); wn: bot n : botfly larva; typically develops inside the body of a horse or'
    ' sheep or human; foldoc: bot &lt;networking, chat, (6 more messages)</td>'
    '<td class="time"><a href="2005-01-08-test1.log.html#t2005-01-08T23:47:54"'
    ' class="time">23:47</a></td></tr>',
)


def _page(rows: str, title: str = "log", nav: str = "") -> bytes:
    return (f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"\n<html>\n<head>\n'
            f'  <title>{title}</title>\n'
            f'  <meta name="generator" content="irclog2html.py 4.1.0 by Marius Gedminas" />\n'
            f'</head>\n<body>\n<h1>{title}</h1>\n{nav}<table class="irclog">\n{rows}\n'
            f'</table>\n</body>\n</html>\n').encode()


def _test1_page() -> Unit:
    return Unit.from_bytes(_page("\n".join(TEST1_ROWS), title="2005-01-08-test1.log"),
                           "2005-01-08-test1.log.html")


def test_a_page_gives_the_events_of_its_text_log() -> None:
    text, _ctx = _parse(Unit.from_path(LOGS / "2005-01-08-test1.log"))
    page, ctx = _parse(_test1_page())
    assert ctx.skipped == 0
    assert len(page) == 8 and Counter(e.kind for e in page) == {K.TEXT: 6, K.JOIN: 2}
    assert (page[0].kind, page[0].sender_name) == (K.JOIN, "povbot")
    assert page[5].text == ("mgedmin: mgedmin was last seen in #pov 2 seconds ago saying: "
                            "<mgedmin> seen mgedmin")  # id "t2005-01-08T23:47:19-2"
    assert page[5].timestamp == _utc("2005-01-08T23:47:19")
    assert page == text  # same group, senders, times and texts: the same message keys


@pytest.mark.django_db
def test_a_page_and_its_text_log_are_stored_once(community, system_actor):
    text, _ctx = _parse(Unit.from_path(LOGS / "2005-01-08-test1.log"))
    page, _ctx = _parse(_test1_page())
    assert import_events(system_actor, community, text).added == 8
    again = import_events(system_actor, community, page)
    assert (again.added, again.duplicates) == (0, 8)
    assert Group.objects.get(community=community).external_key == "irc:#pov"


# -- pages without dates in their rows, dircproxy pages ----------------------------------------

# What irclog2html 4.1.0 writes for the ZNC lines "[10:44:14] <zetok> see
# <http://example.com/a?b=c&d=e> & "this"  twice", "[10:45:00] * zetok waves" and
# "[10:46:01] *** Joins: f10 (~flo@host)": the id holds the time as the log wrote it
ZNC_ROWS = (
    '<tr id="t10:44:14"><th class="nick" style="background: #407a40">zetok</th><td class="text"'
    ' style="color: #407a40">see &lt;<a href="http://example.com/a?b=c&amp;d=e" rel="nofollow">'
    'http://example.com/a?b=c&amp;d=e</a>&gt; &amp; &quot;this&quot;&nbsp;&nbsp;twice</td>'
    '<td class="time"><a href="#qtox_20161231.log.html#t10:44:14" class="time">10:44</a></td>'
    '</tr>\n'
    '<tr id="t10:45:00"><td class="action" colspan="2">* zetok waves</td><td><a href="#qtox_'
    '20161231.log.html#t10:45:00" class="time">10:45</a></td></tr>\n'
    '<tr id="t10:46:01"><td class="servermsg" colspan="2">*** Joins: f10 (~flo@host)</td><td>'
    '<a href="#qtox_20161231.log.html#t10:46:01" class="time">10:46</a></td></tr>')


def test_times_without_dates_take_the_file_name_or_the_title() -> None:
    named, ctx = _parse(Unit.from_bytes(_page(ZNC_ROWS), "%23qtox_20161231.log.html"))
    assert ctx.skipped == 0
    assert [(e.kind, e.sender_name, e.text, e.timestamp) for e in named] == [
        (K.TEXT, "zetok", 'see <http://example.com/a?b=c&d=e> & "this"  twice',
         _utc("2016-12-31T10:44:14")),
        (K.TEXT, "zetok", "* zetok waves", _utc("2016-12-31T10:45:00")),
        (K.JOIN, "f10", "*** Joins: f10 (~flo@host)", _utc("2016-12-31T10:46:01"))]
    assert named[0].group_key == "irc:#qtox"
    titled, _ctx = _parse(Unit.from_bytes(_page(ZNC_ROWS, title="#qtox, Saturday, 2016-12-31",
                                                nav='<div class="navigation"> <a href="'
                                                    '%23qtox.2016-12-30.log.html">« Friday'
                                                    '</a> </div>\n'), "page.html"))
    assert [e.timestamp for e in titled] == [e.timestamp for e in named]
    assert titled[0].group_key == "irc:#qtox"  # from the navigation link
    with pytest.raises(ImportFailed, match="no date"):
        _parse(Unit.from_bytes(_page(ZNC_ROWS), "page.html"))


# Rows as irclog2html 4.1.0 writes them for the dircproxy test log (shared
# irc/irclog2html/2009-01-14-dircproxy.log; texts shortened, the last row made up): ids
# "t14 Jan 12:37", a repeated one "-2"; identify-msg's "+"/"-" kept in the text
DIRCPROXY_ROWS = "\n".join(
    f'<tr id="t{stamp}">{cells}<td><a href="#t{stamp}" class="time">{stamp}</a></td></tr>'
    for stamp, cells in (
        ("14 Jan 10:36", '<td class="join" colspan="2">--&gt; jsmith (n=user@68-246-114-6.'
                         'area3.spcsdns.net) joined the channel</td>'),
        ("14 Jan 12:36", '<th class="nick" style="background: #407a40">nombyte</th><td class='
                         '"text" style="color: #407a40">-hey doesn\'t anyone know a fedora app'
                         '</td>'),
        ("14 Jan 12:37", '<th class="nick" style="background: #42427e">jsmith</th><td class='
                         '"text" style="color: #42427e">+No clue...</td>'),
        ("14 Jan 12:37-2", '<th class="nick" style="background: #42427e">jsmith</th><td class='
                           '"text" style="color: #42427e">+But I don\'t claim to know</td>'),
        ("14 Jan 12:38", '<th class="nick" style="background: #42427e">jsmith</th><td class='
                         '"text" style="color: #42427e">+-1 to that</td>')))


def test_dircproxy_page() -> None:
    events, ctx = _parse(Unit.from_bytes(_page(DIRCPROXY_ROWS), "2009-01-14-dircproxy.log.html"))
    assert ctx.skipped == 0
    assert [(e.kind, e.sender_name, e.text, e.timestamp) for e in events] == [
        (K.JOIN, "jsmith", "--> jsmith (n=user@68-246-114-6.area3.spcsdns.net) joined the "
                           "channel", _utc("2009-01-14T10:36:00")),
        (K.TEXT, "nombyte", "hey doesn't anyone know a fedora app", _utc("2009-01-14T12:36")),
        (K.TEXT, "jsmith", "No clue...", _utc("2009-01-14T12:37")),
        (K.TEXT, "jsmith", "But I don't claim to know", _utc("2009-01-14T12:37")),
        (K.TEXT, "jsmith", "-1 to that", _utc("2009-01-14T12:38"))]
    with pytest.raises(ImportFailed, match="no year"):
        _parse(Unit.from_bytes(_page(DIRCPROXY_ROWS), "dircproxy.log.html"))
    dated, _ctx = _parse(Unit.from_bytes(_page(DIRCPROXY_ROWS), "dircproxy.log.html"),
                         year=2008)
    assert dated[0].timestamp == _utc("2008-01-14T10:36:00")


@pytest.mark.parametrize(("stamp", "name", "year", "when"), [
    ("2015-01-01T05:24:53-2", "page.html", None, "2015-01-01T05:24:53"),  # a repeated id
    ("05:24", "#qtox_20161231.log.html", None, "2016-12-31T05:24:00"),
    ("14-Jan-2009 12:37", "page.html", None, "2009-01-14T12:37:00"),
    ("Jan 14 12:37:05", "page.html", 2009, "2009-01-14T12:37:05"),
    ("14 Jan 12:37", "page.html", 2009, "2009-01-14T12:37:00"),
    ("14 Jan 12:37", "#chan-2010.log.html", 2009, "2010-01-14T12:37:00"),  # the name's year
])
def test_every_time_irclog2html_writes_in_an_id(stamp: str, name: str, year: int | None,
                                                when: str) -> None:
    # the time forms irclog2html's LogParser.TIME_REGEXP accepts, in the id as written
    row = (f'<tr id="t{stamp}"><td class="action" colspan="2">* zetok waves</td><td>'
           f'<a href="#t{stamp}" class="time">{stamp}</a></td></tr>')
    events, ctx = _parse(Unit.from_bytes(_page(row), name), year=year)
    assert ctx.skipped == 0
    assert [e.timestamp for e in events] == [_utc(when)]


# -- bad rows ----------------------------------------------------------------------------------

BAD_ROWS = "\n".join((
    ZNC_ROWS.split("\n")[0],
    '<tr id="t10:50:00"><th class="nick" style="background: #407a40">zetok</th><td class="t',
    '<tr><th class="nick" style="background: #42427e">nobody</th><td class="text" colspan="2"'
    ' style="color: #42427e">a line without a time</td></tr>',
    '<tr id="t10:51:00"><td class="topic" colspan="2">new topic</td><td></td></tr>',
    '<tr id="tyesterday"><td class="action" colspan="2">* zetok sleeps</td><td></td></tr>',
    '<tr id="t10:52:00"><th class="nick" style="background: #407a40"></th><td class="text">'
    'who?</td><td></td></tr>',
    ZNC_ROWS.split("\n")[1]))


def test_bad_rows_are_counted_with_their_lines() -> None:
    unit = Unit.from_bytes(_page(BAD_ROWS), "#qtox_20161231.log.html")
    events, ctx = _parse(unit)
    assert [e.timestamp.time().isoformat() for e in events] == ["10:44:14", "10:45:00"]
    assert ctx.skipped == 5
    # the page's head takes 9 lines, the first row is line 10
    assert [error.split(": expected ")[0] for error in ctx.errors] == [
        f"#qtox_20161231.log.html:{line}" for line in (11, 12, 13, 14, 15)]
    assert "a whole table row on one line" in ctx.errors[0]
    assert "a row with its time" in ctx.errors[1]
    assert "'<td class=\"action|join|part|nickchange|servermsg|other\">'" in ctx.errors[2]
    assert "a row id 't' + time" in ctx.errors[3]
    assert "a nick in the row" in ctx.errors[4]
    with pytest.raises(ParseError, match=r"^#qtox_20161231\.log\.html:11: expected a whole"):
        _parse(unit, strict=True)


def test_empty_page() -> None:
    events, ctx = _parse(Unit.from_bytes(_page(""), "#chan.2020-01-01.log.html"))
    assert events == [] and ctx.skipped == 0


def test_another_irclog2html_style_is_refused_clearly() -> None:
    # irclog2html -s xhtml: paragraphs in a div, not the table
    page = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"\n<html><head>\n'
            '<meta name="generator" content="irclog2html.py 4.1.0 by Marius Gedminas" />\n'
            '</head><body>\n<div class="irclog">\n<p id="t10:45:00" class="action"><a href='
            '"#t10:45:00" class="time">10:45</a> * zetok waves</p>\n</div></body></html>\n')
    unit = Unit.from_bytes(page.encode(), "#qtox_20161231.log.html")
    assert irc.detect(unit)
    with pytest.raises(ImportFailed, match="another style than its default table"):
        _parse(unit)


# -- detection ---------------------------------------------------------------------------------

@needs_yocto
def test_a_yocto_page_is_detected_as_irc() -> None:
    found = detect.detect(Unit.from_path(_day("2015-01-01")))
    assert found.format == "irc" and "irclog2html" in found.reason


def test_a_page_with_only_the_table_is_detected() -> None:
    page = _page(ZNC_ROWS).replace(b'<meta name="generator"', b'<meta name="author"')
    assert irc.detect(Unit.from_bytes(page, "#qtox_20161231.log.html"))


def test_other_html_is_not_taken_as_irc() -> None:
    qce = SHARED / "qq" / "qq-chat-exporter" / "HtmlExporter.groupMixedMedia.snap.html"
    assert irc.detect(Unit.from_path(qce)) is None
    assert detect.detect(Unit.from_path(qce)).format == "qce"
    # logs2html's index page of the daily pages
    index = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"\n<html>\n<head>\n'
             b'  <title>IRC logs</title>\n'
             b'  <meta name="generator" content="logs2html.py 4.1.0 by Marius Gedminas" />\n'
             b'</head>\n<body>\n<h1>IRC logs</h1>\n<ul>\n<li><a href="%23yocto.2015-01-01.log.'
             b'html">2015-01-01 (Thursday)</a></li>\n</ul>\n</body>\n</html>\n')
    assert irc.detect(Unit.from_bytes(index, "index.html")) is None
    prose = (b"<html><head><title>IRC logs</title></head><body><p>We convert our logs with "
             b"irclog2html into a &lt;table class=\"irclog\"&gt;.</p><table><tr id=\"t1\">"
             b"<th>nick</th><td>text</td></tr></table></body></html>")
    assert irc.detect(Unit.from_bytes(prose, "about.html")) is None
    # a text log that quotes the table tag is still read as a text log
    quoted = irc.detect(Unit.from_bytes(b'[10:00:00] <a> <table class="irclog">\n', "x.log"))
    assert quoted is not None and "ZNC" in quoted
