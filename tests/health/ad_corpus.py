"""The hand-labelled hard-ad corpus: real group logs of the development set and the demo,
each read into histories the way a report sees them (every group of a community together,
so that links pushed across groups, new accounts and topic sites count as evidence).

``fixtures/ad_labels.tsv`` holds one labelled message a line: where it is (source, group,
time, sender), its text, ``ad`` or ``not-ad``, and why. Sources:

* ``gitter``: the 18 freeCodeCamp Gitter rooms (../shared/data/groups/gitter), one
  community; ``from_id`` is numbered per room, so accounts are keyed by their Gitter
  user name (a GitHub login: the same person in every room);
* ``yocto``: #yocto, 2015 (../shared/data/groups/irc-yocto-2015, irclog2html pages, read
  here by :func:`irclog2html_events` until the importer reads them);
* ``qtox``: #qtox (../shared/data/irc/qtox-irc, ZNC logs in British time);
* ``demo``: the demo community ending on DEMO_END (src/qunzhu/demo).

Used by tests/health/test_ads.py and bench/ads_eval.py.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from qunzhu.core.events import ChatEvent, MessageKind, Platform
from qunzhu.core.health.history import History, from_events
from qunzhu.demo.generator import generate_demo
from qunzhu.ingest import irc, telegram
from qunzhu.ingest.base import ParseContext, Unit
from tests.ingest.fixtures import SHARED

LABELS = Path(__file__).resolve().parent / "fixtures" / "ad_labels.tsv"
SOURCES = ("gitter", "yocto", "qtox", "demo")
DEMO_END = date(2026, 11, 30)
COLUMNS = ("source", "group", "sent_at", "sender", "text", "label", "note")


@dataclass(frozen=True)
class Community:
    """One source read as one community: its histories and, row for row, their events."""

    histories: dict[str, History]  # by group name
    events: dict[str, list[ChatEvent]]  # by group name, in the history's row order

    @cached_property
    def _rows(self) -> dict[tuple[str, str, str, str], int]:
        out: dict[tuple[str, str, str, str], int] = {}
        for group, events in self.events.items():
            for i, e in enumerate(events):
                out.setdefault((group, stamp(e), e.sender_name, e.text), i)
        return out

    def find(self, group: str, sent_at: str, sender: str, text: str) -> int:
        """The row of a labelled message in its group's history."""
        row = self._rows.get((group, sent_at, sender, text))
        if row is None:
            raise LookupError(f"{group} {sent_at} <{sender}> {text[:60]!r} is not in the log")
        return row


@dataclass(frozen=True)
class Label:
    source: str
    group: str
    sent_at: str
    sender: str
    text: str
    ad: bool
    note: str


def stamp(event: ChatEvent) -> str:
    return event.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def available(source: str) -> bool:
    return source == "demo" or (SHARED / "groups" / "README.md").exists()


@cache
def community(source: str) -> Community:
    events, owners = _read(source)
    histories = from_events(events, owners=owners)
    ordered: dict[str, list[ChatEvent]] = {}
    for e in events:
        ordered.setdefault(e.group_key, []).append(e)
    by_name = {}
    rows = {}
    for key, h in histories.items():
        group = ordered[key]
        group.sort(key=lambda e: e.timestamp.timestamp())  # as from_events orders them
        by_name[group[0].group_name] = h
        rows[group[0].group_name] = group
    return Community(by_name, rows)


def _read(source: str) -> tuple[list[ChatEvent], list[str]]:
    if source == "demo":
        demo = generate_demo(DEMO_END)
        owners = [m.key for g in demo.groups for m in g.members
                  if {"creator", "manager"} & set(m.roles)]
        return list(demo.events), owners
    if source == "gitter":
        out = []
        for path in sorted((SHARED / "groups" / "gitter").glob("*.json")):
            unit = Unit.from_path(path)
            for e in telegram.parse(unit, ParseContext(label=unit.label, tz=ZoneInfo("UTC"))):
                # from_id is numbered per room; the user name is the same person everywhere
                out.append(e._replace(sender_key=f"gitter:{e.sender_name}")
                           if e.sender_key else e)
        return out, []
    if source == "yocto":
        pages = sorted((SHARED / "groups" / "irc-yocto-2015").glob("*.html"))
        return [e for page in pages for e in irclog2html_events(page, "#yocto")], []
    if source == "qtox":
        out = []
        for path in sorted((SHARED / "irc" / "qtox-irc").rglob("*.txt")):
            unit = Unit.from_path(path)
            out.extend(irc.parse(unit, ParseContext(label=unit.label,
                                                    tz=ZoneInfo("Europe/London"))))
        return out, []
    raise ValueError(source)


_ROW = re.compile(r'<tr id="t([0-9T:-]+)"><th class="nick"[^>]*>(.*?)</th>'
                  r'<td class="(text|action)"[^>]*>(.*?)</td>', re.S)
_TAG = re.compile(r"<[^>]+>")


def irclog2html_events(page: Path, channel: str) -> Iterator[ChatEvent]:
    """The spoken lines of one irclog2html page (its row ids are UTC-less local stamps,
    read as UTC: the labels only need them to be consistent)."""
    for m in _ROW.finditer(page.read_text("utf-8", "replace")):
        when = datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC)
        nick = html.unescape(_TAG.sub("", m.group(2)))
        text = html.unescape(_TAG.sub("", m.group(4)))
        if m.group(3) == "action":
            text = f"* {nick} {text}"
        yield ChatEvent(Platform.IRC, f"irc:{channel}", channel, nick, nick, when,
                        MessageKind.TEXT, text)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r") \
        .replace("\n", "\\n")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m.group(1),
                                                                          m.group(1)), text)


@cache
def labels() -> tuple[Label, ...]:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple(Label(r["source"], r["group"], r["sent_at"], r["sender"],
                           unescape(r["text"]), {"ad": True, "not-ad": False}[r["label"]],
                           r["note"]) for r in rows)


def judged(source: str) -> list[tuple[Label, bool]]:
    """Each labelled message of ``source`` and whether the detector calls it a hard ad,
    judged in its group's whole history within its whole community."""
    com = community(source)
    return [(label, bool(com.histories[label.group].ads[com.find(
        label.group, label.sent_at, label.sender, label.text)]))
        for label in labels() if label.source == source]
