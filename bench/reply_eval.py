"""Reply inference measured on people's judgement: link precision, recall and F1.

    python bench/reply_eval.py [DIR]

DIR (default: the development split of the Ubuntu IRC reply corpus in
``../shared/data/replies/dev``) holds ``NAME.raw.txt`` + ``NAME.annotation.txt`` pairs:
the raw channel log and one ``PARENT CHILD -`` line per link that annotators drew (rows
counted from 0; a row linked to itself opens a conversation; rows before the first
annotated one are context). Every annotated row is predicted; a prediction is one parent
(or itself); precision = right links / predicted links, recall = right links / annotated
links, over all files together — the graph measure of Kummerfeld et al. (ACL 2019).

Printed beside qunzhu's model, computed by this script on the same rows:
* **previous** — each message answers the one before it;
* **named, else previous** — the member named at the start of the line (his or her last
  message), else the message before;
and the figures the paper reports for its own models (quoted, not recomputed).
The last line is ``link P R F1: 0.xxx 0.xxx 0.xxx`` for qunzhu's model.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from qunzhu.core import replies  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "replies" / "dev"

_SPEECH = re.compile(
    r"^\[(\d\d):(\d\d)\] (?:<([^>]*)>|\* (\S+)|\((\S+?)/\S*\)|-(\S+?):\S*-) ?(.*)$")
_JOIN = re.compile(r"^=== (\S+) \[.*has joined")
_RENAME = re.compile(r"^=== (\S+) is now known as (\S+)")

#: Kummerfeld et al. 2019, "A Large-Scale Corpus for Conversation Disentanglement", ACL,
#: section 5, on the Ubuntu IRC test split (graph evaluation: link precision / recall / F1, in
#: per cent). The paper reports no development-split table; its code release quotes one run
#: of the feedforward model on dev at 74.2 / 71.2 / 72.6.
PAPER = (
    ("Previous (paper, test)", 35.7, 34.4, 35.0),
    ("Linear (paper, test)", 64.7, 62.3, 63.5),
    ("Feedforward (paper, test)", 73.7, 71.0, 72.3),
    ("FF x10 vote (paper, test)", 74.9, 72.2, 73.5),
)


@dataclass
class Log:
    """One raw file: per row the time (seconds), the sender (-1 for system lines), the
    text; the member names of the file; and the annotated links."""

    name: str
    ts: np.ndarray
    sender: np.ndarray
    texts: list[str]
    names: dict[str, int]
    links: dict[int, set[int]]  #: child row → parent rows (itself: opens a conversation)


def read_log(raw: Path, annotation: Path) -> Log:
    ids: dict[str, int] = {}
    ts: list[int] = []
    sender: list[int] = []
    texts: list[str] = []
    day = 0
    last = 0

    def member(nick: str) -> int:
        return ids.setdefault(nick, len(ids))

    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _SPEECH.match(line)
        if m:
            minute = int(m.group(1)) * 60 + int(m.group(2))
            if minute * 60 + day < last - 12 * 3600:
                day += 86400
            last = minute * 60 + day
            nick = next(g for g in m.group(3, 4, 5, 6) if g is not None)
            ts.append(last)
            sender.append(member(nick))
            texts.append(m.group(7))
            continue
        for pattern in (_JOIN, _RENAME):
            found = pattern.match(line)
            if found:
                for nick in found.groups():
                    member(nick)
        ts.append(last)
        sender.append(-1)
        texts.append("")
    links: dict[int, set[int]] = {}
    for line in annotation.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            links.setdefault(int(parts[1]), set()).add(int(parts[0]))
    names = replies.name_index({i: (nick,) for nick, i in ids.items()})
    return Log(raw.name.removesuffix(".raw.txt"), np.array(ts, np.int64),
               np.array(sender, np.int64), texts, names, links)


def logs(folder: Path) -> Iterator[Log]:
    pairs = sorted(folder.glob("*.raw.txt"))
    if not pairs:
        raise SystemExit(f"{folder}: no NAME.raw.txt files")
    for raw in pairs:
        annotation = raw.with_name(raw.name.removesuffix(".raw.txt") + ".annotation.txt")
        if not annotation.exists():
            raise SystemExit(f"{raw}: no {annotation.name} beside it")
        yield read_log(raw, annotation)


def score(predicted: dict[int, int], gold: dict[int, set[int]]) -> tuple[int, int, int]:
    """(right, predicted, annotated) link counts over the annotated rows."""
    right = sum(1 for child, parent in predicted.items() if parent in gold.get(child, ()))
    return right, len(predicted), sum(len(v) for v in gold.values())


def qtox_rows(copies: int) -> tuple[np.ndarray, np.ndarray, list[str], dict[str, int]] | None:
    """The #qtox log (../shared/data/irc/qtox-irc) read by qunzhu's IRC importer, repeated
    ``copies`` times one after the other: a big group with real texts and names."""
    from zoneinfo import ZoneInfo

    from qunzhu.ingest import irc
    from qunzhu.ingest.base import ParseContext, Unit

    folder = ROOT.parent / "shared" / "data" / "irc" / "qtox-irc"
    if not folder.exists():
        return None
    events = []
    for path in sorted(folder.rglob("*.txt")):
        unit = Unit.from_path(path)
        events.extend(irc.parse(unit, ParseContext(label=unit.label,
                                                   tz=ZoneInfo("Europe/London"))))
    events.sort(key=lambda e: e.timestamp)
    ids: dict[str, int] = {}
    sender = [ids.setdefault(e.sender_key, len(ids)) if e.sender_key and e.kind.value == "text"
              else -1 for e in events]
    stamps = np.array([int(e.timestamp.timestamp()) for e in events], np.int64)
    span = int(stamps[-1] - stamps[0]) + 1
    names = replies.name_index({i: (key,) for key, i in ids.items()})
    return (np.concatenate([stamps + k * span for k in range(copies)]),
            np.array(sender * copies, np.int64), [e.text for e in events] * copies, names)


def previous_rule(log: Log) -> dict[int, int]:
    return {c: (c if log.sender[c] < 0 or c == 0 else c - 1) for c in log.links}


def named_rule(log: Log) -> dict[int, int]:
    prepared = replies.prepare(log.texts, log.sender, log.names)
    out = {}
    for c in log.links:
        if log.sender[c] < 0 or c == 0:
            out[c] = c
            continue
        target = int(prepared.addressee[c])
        parent = c - 1
        if target >= 0:
            back = np.flatnonzero(log.sender[:c] == target)
            if len(back):
                parent = int(back[-1])
        out[c] = parent
    return out


def model_rule(log: Log) -> dict[int, int]:
    links = replies.infer(log.ts, log.sender, log.texts, log.names)
    return {c: (c if links.parent[c] < 0 else int(links.parent[c])) for c in log.links}


def prf(right: int, predicted: int, annotated: int) -> tuple[float, float, float]:
    p = right / predicted if predicted else 0.0
    r = right / annotated if annotated else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str]) -> None:
    folder = Path(argv[0]) if argv else DEFAULT
    data = list(logs(folder))
    rows = sum(len(x.ts) for x in data)
    print(f"{folder}: {len(data)} logs, {rows} rows, "
          f"{sum(len(x.links) for x in data)} annotated messages")
    rules = (("previous message", previous_rule), ("named, else previous", named_rule),
             ("qunzhu model", model_rule))
    results = {}
    for label, rule in rules:
        total = np.zeros(3, np.int64)
        for log in data:
            total += np.array(score(rule(log), log.links))
        results[label] = prf(*total.tolist())
    print(f"{'':28} {'P':>6} {'R':>6} {'F1':>6}")
    for label, (p, r, f) in results.items():
        print(f"{label:28} {p:6.3f} {r:6.3f} {f:6.3f}")
    for label, p, r, f in PAPER:
        print(f"{label:28} {p / 100:6.3f} {r / 100:6.3f} {f / 100:6.3f}")
    start = time.perf_counter()
    for log in data:
        replies.infer(log.ts, log.sender, log.texts, log.names)
    took = time.perf_counter() - start
    print(f"speed: {rows / took:,.0f} messages/s ({len(data)} logs of {rows // len(data)} "
          f"rows, one call each, one core)")
    big = qtox_rows(copies=6)
    if big is not None:
        ts, sender, texts, names = big
        start = time.perf_counter()
        replies.infer(ts, sender, texts, names)
        took = time.perf_counter() - start
        print(f"speed: {len(ts) / took:,.0f} messages/s (#qtox, nine months six times over: "
              f"{len(ts):,} rows in one group, {took:.1f} s, one core)")
    p, r, f = results["qunzhu model"]
    print(f"link P R F1: {p:.3f} {r:.3f} {f:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
