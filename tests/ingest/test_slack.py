"""The Slack workspace export parser: real exports (folder and zip), bad files, round trips."""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qunzhu.core.events import ChatEvent, MessageKind
from qunzhu.ingest import detect, slack
from qunzhu.ingest.base import ImportFailed, ParseContext, ParseError, Tree, Unit
from tests.ingest.fixtures import SHARED

K = MessageKind
VIEWER = SHARED / "slack" / "slack-export-viewer"
SLACKDUMP = SHARED / "slack" / "slackdump-export"


def _only_unit(path: Path) -> Unit:
    units = list(detect.expand(path))
    assert len(units) == 1, [u.label for u in units]
    return units[0]


def _parse(unit: Unit, strict: bool = False, group: str | None = None) -> tuple[
        list[ChatEvent], ParseContext]:
    ctx = ParseContext(label=unit.label, strict=strict, group_name=group)
    return list(slack.parse(unit, ctx)), ctx


def _tree_unit(files: dict[str, bytes], label: str = "export") -> Unit:
    tree = Tree(label, list(files), lambda name: io.BytesIO(files[name]))
    return Unit(label=label, name=label, tree=tree)


def _json(value: object) -> bytes:
    return orjson.dumps(value)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# -- the real exports ------------------------------------------------------------------------

# Verified with Python's json module over the day files (not with this parser): 158 messages,
# enrique 6+6+2+20+9+12+10+18+19 = 102 and traveling-sailor 5+3+14+9+14+8+2+1 = 56; subtypes
# bot_message 94, none 49, channel_join 8, bot_add 3, file_share 3, file_comment 1; senders
# U0BMQB6JE U0BMS113R U0BMYT2FL U0BMM2FEH + bots B0JL6RASU B0JL6UFSL B0VJZKVHC; min ts
# 1452837318.000002, max ts 1459254786.000027; no thread_ts; 18 messages with "<@" that are
# not channel_join lines.
@pytest.mark.parametrize("path", [VIEWER / "testarchive", VIEWER / "testarchive.zip"],
                         ids=["folder", "zip"])
def test_slack_export_viewer_archive(path: Path) -> None:
    unit = _only_unit(path)
    assert detect.detect(unit).format == "slack"
    events, ctx = _parse(unit)
    assert ctx.skipped == 0
    assert len(events) == 158
    assert Counter(e.kind for e in events) == {K.TEXT: 144, K.JOIN: 8, K.FILE: 3, K.SYSTEM: 3}
    assert Counter((e.group_key, e.group_name) for e in events) == {
        ("C0JGLMMNX", "enrique"): 102, ("C0JL6CGQ2", "traveling-sailor"): 56}
    assert {e.sender_key for e in events} == {
        "U0BMQB6JE", "U0BMS113R", "U0BMYT2FL", "U0BMM2FEH",
        "B0JL6RASU", "B0JL6UFSL", "B0VJZKVHC"}
    assert not any(e.sender_key_weak for e in events)
    assert events[0].timestamp == _utc("2016-01-15T05:55:18.000002")
    assert events[-1].timestamp == _utc("2016-03-29T12:33:06.000027")
    assert min(e.timestamp for e in events) == events[0].timestamp
    assert max(e.timestamp for e in events) == events[-1].timestamp
    # each channel's events are in time order (day files sorted)
    for key in ("C0JGLMMNX", "C0JL6CGQ2"):
        stamps = [e.timestamp for e in events if e.group_key == key]
        assert stamps == sorted(stamps)
    assert all(e.message_id for e in events) and not any(e.reply_to for e in events)
    assert sum(1 for e in events if e.mentions) == 18

    names = {e.sender_key: e.sender_name for e in events}
    assert names["U0BMQB6JE"] == "Hamza Faran"        # real_name
    assert names["U0BMM2FEH"] == "heroeshannibal"
    assert names["B0JL6RASU"] == "github"             # named by its bot_add message

    join = events[1]  # enrique/2016-01-14.json, second record
    assert (join.kind, join.sender_key, join.text) == (
        K.JOIN, "U0BMYT2FL", "<@U0BMYT2FL> has joined the channel")
    assert join.message_id == "1452837318.000003" and join.mentions == ()

    first_text = events[4]
    assert first_text.text.startswith("<@U0BMYT2FL>: Created an issue for a setup.py")
    assert first_text.mentions == ("U0BMYT2FL",)

    by_id = {(e.group_key, e.message_id): e for e in events}
    # a bot post without text: its attachment's fallback line stands in
    bot = by_id[("C0JGLMMNX", "1454892394.000004")]
    assert (bot.kind, bot.sender_key) == (K.TEXT, "B0JL6RASU")
    assert bot.text.startswith("[enrique:master] <https://github.com/mesos-magellan/enrique/")
    # file_comment: the commenter is the sender; multi-line text kept as is
    comment = by_id[("C0JL6CGQ2", "1459106048.000018")]
    assert (comment.kind, comment.sender_key) == (K.TEXT, "U0BMS113R")
    assert comment.text.count("\n") == 11 and comment.text.endswith("(50.05, 19.4)\n}```")
    upload = by_id[("C0JL6CGQ2", "1459052866.000012")]
    assert (upload.kind, upload.sender_name) == (K.FILE, "Hermione Granger")
    bot_add = by_id[("C0JGLMMNX", "1452988746.000017")]
    assert (bot_add.kind, bot_add.sender_key) == (K.SYSTEM, "U0BMQB6JE")
    # Slack's HTML escaping stays in the text
    assert any(e.text.startswith("&gt;\"Essentially") for e in events)


# Verified with Python's json module: 2 + 11 + 1 + 2 = 16 messages in B75B4C7/*.json; one
# channel_join, one tombstone (deleted thread parent), one message with a gdoc file and one
# with an image/jpeg file; 4 replies (thread_ts != ts), all in 2025-01-11.json; senders
# UOF82F39AE (10 messages), UOB5F987BF17 (4), UO1D8E698D (1), UO0EC43A4792 (a bot user, 1).
def test_slackdump_export() -> None:
    unit = _only_unit(SLACKDUMP)
    assert "dms.json" in (slack.detect(unit) or "")
    events, ctx = _parse(unit)
    assert ctx.skipped == 0
    assert len(events) == 16
    assert Counter(e.kind for e in events) == {K.TEXT: 12, K.JOIN: 1, K.RECALL: 1, K.FILE: 1,
                                              K.IMAGE: 1}
    assert {(e.group_key, e.group_name) for e in events} == {("CO69735E8A", "B75B4C7")}
    assert Counter(e.sender_key for e in events) == {
        "UOF82F39AE": 10, "UOB5F987BF17": 4, "UO1D8E698D": 1, "UO0EC43A4792": 1}
    assert events[0].timestamp == _utc("2025-01-10T03:08:34.897649")
    assert events[-1].timestamp == _utc("2025-01-24T10:59:02.919259")
    replies = [e for e in events if e.reply_to]
    assert [(e.message_id, e.reply_to) for e in replies] == [
        ("1736554746.482349", "1736478630.905399"), ("1736554783.040199", "1736478630.905399"),
        ("1736554819.539739", "1736554801.872639"), ("1736554838.911679", "1736554828.343759")]
    parent = next(e for e in events if e.message_id == "1736478630.905399")
    assert parent.reply_to == ""  # thread_ts == ts: the thread's first message
    tombstone = next(e for e in events if e.kind == K.RECALL)
    assert tombstone.sender_key == "UO1D8E698D"
    names = {e.sender_key: e.sender_name for e in events}
    assert names["UOF82F39AE"] == "kPVTqHcBWssWFAU"   # real_name
    assert names["UO0EC43A4792"] == "RLEA"            # "RLEA " trimmed
    image = next(e for e in events if e.kind == K.IMAGE)
    assert image.text == "zYgi8k4UZoOBsdzOLnUbwSR cBEKTKNLGqjCx WNKZyDWkzdKKh 2VVY1m"  # title


# -- detection ---------------------------------------------------------------------------------

def test_detection_is_specific() -> None:
    assert slack.detect(Unit.from_path(VIEWER / "testarchive" / "channels.json")) is None
    assert slack.detect(Unit.from_path(SHARED / "whatsapp" / "whatstk" / "lorem.txt")) is None
    qtox_tree = Unit(label="qtox", name="qtox",
                     tree=Tree.from_folder(SHARED / "irc" / "qtox-irc"))
    assert slack.detect(qtox_tree) is None
    # metadata without any day file, or day files without metadata: not an export
    assert slack.detect(_tree_unit({"channels.json": b"[]", "users.json": b"[]"})) is None
    assert slack.detect(_tree_unit({"general/2020-01-01.json": b"[]"})) is None
    for path in (SHARED / "telegram", SHARED / "discord", SHARED / "whatsapp"):
        for unit in detect.expand(path):
            assert slack.detect(unit) is None, unit.label


def test_a_single_file_is_refused() -> None:
    unit = Unit.from_bytes(b"[]", "channels.json")
    with pytest.raises(ImportFailed, match="not a single file"):
        list(slack.parse(unit, ParseContext(label="x")))


def test_export_inside_one_top_folder_of_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "workspace.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((VIEWER / "testarchive").rglob("*.json")):
            name = path.relative_to(VIEWER / "testarchive").as_posix()
            out.write(path, f"My Workspace Slack export/{name}")
    unit = _only_unit(archive)
    assert detect.detect(unit).format == "slack"
    events, _ctx = _parse(unit)
    assert len(events) == 158


# -- bad input ---------------------------------------------------------------------------------

def _export(day: bytes, users: bytes | None = b"[]") -> dict[str, bytes]:
    files = {"channels.json": _json([{"id": "C1", "name": "general"}]),
             "general/2020-01-01.json": _json([
                 {"type": "message", "user": "U1", "text": "hi", "ts": "1577836800.000100"}]),
             "general/2020-01-02.json": day}
    if users is not None:
        files["users.json"] = users
    return files


def test_truncated_day_file_is_a_bad_record_and_strict_stops() -> None:
    files = _export(b'[{"type": "message", "user": "U1", "te')
    events, ctx = _parse(_tree_unit(files))
    assert [e.text for e in events] == ["hi"]
    assert ctx.skipped == 1
    assert ctx.errors[0].startswith(
        "export:1: expected a JSON list of Slack messages in general/2020-01-02.json")
    with pytest.raises(ParseError, match=r"^export:1: expected a JSON list of Slack messages "
                                         r"in general/2020-01-02\.json, got 'invalid JSON"):
        _parse(_tree_unit(files), strict=True)


@pytest.mark.parametrize("day", [b"", b"   \n", b'{"not": "a list"}', b"null"])
def test_empty_or_wrong_shape_day_file(day: bytes) -> None:
    events, ctx = _parse(_tree_unit(_export(day)))
    assert len(events) == 1 and ctx.skipped == 1


def test_bad_messages_are_skipped_with_their_position() -> None:
    day = _json([{"type": "message", "user": "U1", "text": "no ts"}, "junk",
                 {"type": "message", "user": "U1", "text": "bad ts", "ts": "yesterday"},
                 {"type": "message", "user": "U1", "text": "ok", "ts": 1577923200}])
    events, ctx = _parse(_tree_unit(_export(day)))
    assert [e.text for e in events] == ["hi", "ok"]
    assert events[1].timestamp == datetime(2020, 1, 2, tzinfo=UTC)
    assert ctx.skipped == 3
    assert ctx.errors[0].startswith("export:1: expected a Slack message with a valid ts in "
                                    "general/2020-01-02.json (message #1; KeyError")
    assert ctx.errors[1].startswith("export:2: expected a Slack message object")


def test_bom_and_crlf_in_json_files() -> None:
    day = b"\xef\xbb\xbf[\r\n" + _json({"type": "message", "user": "U1", "text": "a\r\nb",
                                        "ts": "1577923200.5"}) + b"\r\n]\r\n"
    users = b"\xef\xbb\xbf" + _json([{"id": "U1", "name": "alice"}])
    events, ctx = _parse(_tree_unit(_export(day, users)))
    assert ctx.skipped == 0
    assert [(e.sender_name, e.text) for e in events] == [("alice", "hi"), ("alice", "a\r\nb")]
    assert events[1].timestamp == datetime(2020, 1, 2, 0, 0, 0, 500000, tzinfo=UTC)


def test_missing_or_broken_users_json_uses_ids() -> None:
    events, ctx = _parse(_tree_unit(_export(b"[]", users=None)))
    assert (events[0].sender_key, events[0].sender_name, ctx.skipped) == ("U1", "U1", 0)
    events, ctx = _parse(_tree_unit(_export(b"[]", users=b"[{")))
    assert (events[0].sender_name, ctx.skipped) == ("U1", 1)
    assert "users.json" in ctx.errors[0]


def test_no_day_files_is_refused() -> None:
    with pytest.raises(ImportFailed, match="no <channel>/YYYY-MM-DD.json"):
        _parse(_tree_unit({"channels.json": b"[]", "users.json": b"[]"}))


def test_group_option() -> None:
    events, _ctx = _parse(_tree_unit(_export(b"[]")), group="团队")
    assert (events[0].group_key, events[0].group_name) == ("slack:团队", "团队")
    with pytest.raises(ImportFailed, match="holds 2 channels"):
        _parse(_only_unit(VIEWER / "testarchive"), group="x")


def test_dms_private_channels_and_unlisted_folders() -> None:
    message = _json([{"type": "message", "user": "U1", "text": "hey", "ts": "1577836800.1"}])
    files = {
        "users.json": _json([{"id": "U1", "name": "a", "profile": {"display_name": "阿明"}},
                             {"id": "U2", "name": "b", "real_name": "Bob"}]),
        "channels.json": b"[]",
        "groups.json": _json([{"id": "G1", "name": "secret"}]),
        "dms.json": _json([{"id": "D1", "members": ["U1", "U2"]}]),
        "mpims.json": _json([{"id": "G2", "name": "mpdm-a--b-1", "members": ["U2", "U1"]}]),
        "D1/2020-01-01.json": message, "secret/2020-01-01.json": message,
        "mpdm-a--b-1/2020-01-01.json": message, "orphan/2020-01-01.json": message,
    }
    events, ctx = _parse(_tree_unit(files))
    assert ctx.skipped == 0
    assert [(e.group_key, e.group_name) for e in events] == [
        ("D1", "阿明, Bob"), ("G2", "Bob, 阿明"), ("slack:orphan", "orphan"), ("G1", "secret")]
    assert events[0].sender_name == "阿明"


def test_subtypes_and_bots() -> None:
    day = _json([
        {"type": "message", "subtype": "channel_leave", "user": "U1", "ts": "1.000001",
         "text": "<@U1> has left the channel"},
        {"type": "message", "subtype": "channel_topic", "user": "U1", "ts": "2",
         "text": "set the channel topic: x"},
        {"type": "message", "subtype": "channel_name", "user": "U1", "ts": "3",
         "text": "renamed the channel from \"a\" to \"b\""},
        {"type": "message", "subtype": "bot_message", "bot_id": "B9", "username": "CI",
         "ts": "4", "text": "build <@U1> passed"},
        {"type": "message", "subtype": "bot_message", "bot_id": "B8", "ts": "5", "text": "x"},
        {"type": "message", "user": "U1", "ts": "6", "text": "",
         "files": [{"mimetype": "video/mp4", "name": "clip.mp4"}]},
        {"type": "message", "user": "U1", "ts": "7", "thread_ts": "6",
         "text": "see <@U2|bob> and <@U2>"},
    ])
    users = _json([{"id": "U1", "name": "a"}, {"id": "U7", "name": "deploybot",
                                                "profile": {"bot_id": "B8"}}])
    events, _ctx = _parse(_tree_unit(_export(day, users)))
    events = events[1:]
    assert [e.kind for e in events] == [K.LEAVE, K.SYSTEM, K.RENAME, K.TEXT, K.TEXT, K.VIDEO,
                                        K.TEXT]
    assert [(e.sender_key, e.sender_name) for e in events[3:5]] == [("B9", "CI"),
                                                                    ("U7", "deploybot")]
    assert events[3].mentions == ("U1",) and events[0].mentions == ()
    assert events[5].text == "clip.mp4"
    assert (events[6].reply_to, events[6].mentions) == ("6", ("U2",))


# -- Hypothesis ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.binary(max_size=400), users=st.binary(max_size=200),
       channels=st.binary(max_size=200), strict=st.booleans())
def test_arbitrary_bytes_never_crash(day: bytes, users: bytes, channels: bytes,
                                     strict: bool) -> None:
    files = {"users.json": users, "channels.json": channels, "c/2020-01-01.json": day}
    with contextlib.suppress(ImportFailed):
        _parse(_tree_unit(files), strict=strict)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["ts", "user", "text", "subtype", "files", "thread_ts",
                                       "bot_id", "username", "attachments", "comment",
                                       "mimetype", "members", "id", "name", "profile"]),
                      children, max_size=5), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(day=st.lists(_json_values, max_size=5), users=_json_values, channels=_json_values)
def test_arbitrary_json_shapes_never_crash(day: list[object], users: object,
                                           channels: object) -> None:
    files = {"users.json": _json(users), "channels.json": _json(channels),
             "c/2020-01-01.json": _json(day)}
    with contextlib.suppress(ImportFailed):
        _parse(_tree_unit(files))


_names = st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]).filter(
    lambda c: c != " ") | st.sampled_from("张伟李娜王芳 "), min_size=1, max_size=8)
_texts = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
                  min_size=1, max_size=3).map("\n".join).filter(bool)


@st.composite
def _workspace(draw: st.DrawFn) -> tuple[dict[str, bytes], list[tuple[object, ...]]]:
    """A rendered export and the events it should parse to (group, sender, name, kind,
    text, time, reply_to, mentions)."""
    people = draw(st.lists(_names.map(str.strip).filter(bool), min_size=1, max_size=4,
                           unique=True))
    users = [{"id": f"U{n}", "name": f"user{n}", "real_name": name}
             for n, name in enumerate(people)]
    channels = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
                             min_size=1, max_size=3, unique=True))
    files = {"users.json": _json(users),
             "channels.json": _json([{"id": f"C{n}", "name": c} for n, c in
                                     enumerate(channels)])}
    expected: list[tuple[object, ...]] = []
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for number, channel in sorted(enumerate(channels), key=lambda item: item[1]):
        offsets = sorted(draw(st.lists(st.integers(0, 10 * 86400 * 10**6), min_size=1,
                                       max_size=6, unique=True)))
        days: dict[str, list[dict[str, object]]] = {}
        first_ts = ""
        for offset in offsets:
            when = base + timedelta(microseconds=offset)
            ts = f"{int(when.timestamp())}.{when.microsecond:06d}"
            who = draw(st.integers(0, len(people) - 1))
            kind = draw(st.sampled_from([K.TEXT, K.TEXT, K.JOIN, K.LEAVE, K.IMAGE]))
            text = draw(_texts)
            mention = draw(st.integers(-1, len(people) - 1))
            message: dict[str, object] = {"type": "message", "user": f"U{who}", "ts": ts}
            if kind == K.JOIN:
                message["subtype"] = "channel_join"
            elif kind == K.LEAVE:
                message["subtype"] = "channel_leave"
            elif kind == K.IMAGE:
                message["files"] = [{"mimetype": "image/png", "name": "x.png"}]
            if mention >= 0 and kind in (K.TEXT, K.IMAGE):
                text += f" <@U{mention}>"
            message["text"] = text
            reply_to = ""
            if first_ts and kind == K.TEXT and draw(st.booleans()):
                message["thread_ts"] = reply_to = first_ts
            first_ts = first_ts or ts
            days.setdefault(f"{when:%Y-%m-%d}", []).append(message)
            mentions = (f"U{mention}",) if mention >= 0 and kind in (K.TEXT, K.IMAGE) else ()
            expected.append((f"C{number}", f"U{who}", people[who], kind, text, when, reply_to,
                             mentions))
        for day, messages in days.items():
            files[f"{channel}/{day}.json"] = _json(messages)
    return files, expected


@settings(max_examples=60, deadline=None)
@given(_workspace())
def test_written_exports_parse_back(workspace: tuple[dict[str, bytes],
                                                     list[tuple[object, ...]]]) -> None:
    files, expected = workspace
    events, ctx = _parse(_tree_unit(files))
    assert ctx.skipped == 0
    assert [(e.group_key, e.sender_key, e.sender_name, e.kind, e.text, e.timestamp, e.reply_to,
             e.mentions) for e in events] == expected
