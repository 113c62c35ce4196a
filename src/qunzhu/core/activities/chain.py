"""接龙 — the sign-up chain, pure (no Django): rendered as the numbered text people paste
into the group, and parsed back from what they paste.

The familiar shape (WeChat's own 接龙 and the hand-written kind)::

    #接龙
    周六线下读书会
    地点：图书馆三楼

    例 姓名 人数

    1. 张三 2
    2. 李四 1

Each member copies the whole text, adds a line and sends it; so every message in the group
is the full list so far. :func:`parse` reads any such message and :func:`merge` adds the
names not yet on the chain, in order, up to the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

HEADER = "#接龙"
_HEADERS = ("#接龙", "#接龍", "＃接龙", "＃接龍", "#chain")
_ENTRY_RE = re.compile(r"^\s*(\d{1,4})\s*[.、．:：)）]\s*(.*?)\s*$")
_EXAMPLE_RE = re.compile(r"^\s*(例|例子|格式|e\.g\.|example)\s*[:：]?\s*(.*)$", re.IGNORECASE)
_LIMIT_RE = re.compile(r"^\s*(?:限\s*(\d+)\s*[人位名]|limit\s*[:：]?\s*(\d+))\s*$",
                       re.IGNORECASE)


class ChainError(ValueError):
    """Pasted text that is not a 接龙; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    values: tuple[str, ...] = ()

    def line(self) -> str:
        return " ".join((self.name, *[v for v in self.values if v]))


@dataclass(frozen=True, slots=True)
class Chain:
    title: str
    fields: tuple[str, ...] = ()  # columns after the name, e.g. ("人数",)
    note: str = ""
    limit: int | None = None
    entries: tuple[Entry, ...] = ()
    #: numbered lines in pasted text that were skipped, with why (line number, reason)
    skipped: tuple[tuple[int, str], ...] = field(default=())


def render(chain: Chain, *, name_label: str = "姓名") -> str:
    """The text to paste into the group."""
    lines = [HEADER, chain.title.strip()]
    if chain.note.strip():
        lines.extend(chain.note.strip().splitlines())
    if chain.limit:
        lines.append(f"限{chain.limit}人")
    lines.append("")
    lines.append("例 " + " ".join((name_label, *chain.fields)))
    lines.append("")
    lines.extend(f"{i}. {entry.line()}" for i, entry in enumerate(chain.entries, 1))
    return "\n".join(lines).rstrip() + "\n"


def split_entry(body: str, fields: Sequence[str]) -> Entry:
    """"张三 2 周六上午" → name 张三, values by field; extra words join the last field."""
    parts = body.split()
    if not parts:
        raise ChainError("empty entry")
    name, rest = parts[0], parts[1:]
    if fields and len(rest) > len(fields):
        rest = [*rest[:len(fields) - 1], " ".join(rest[len(fields) - 1:])]
    elif not fields and rest:
        rest = [" ".join(rest)]
    return Entry(name, tuple(rest))


def parse(text: str) -> Chain:
    """Read a pasted 接龙. Raises :class:`ChainError` when the text has neither the #接龙
    header nor any numbered line."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    for i, line in enumerate(lines):
        if line.strip():
            start = i
            break
    has_header = lines[start].strip().lower() in _HEADERS if lines else False
    body = lines[start + 1:] if has_header else lines[start:]
    title, note, fields, limit = "", [], (), None
    entries: list[Entry] = []
    skipped: list[tuple[int, str]] = []
    numbered = False
    offset = start + (2 if has_header else 1)
    for number, raw in enumerate(body, offset):
        line = raw.strip()
        if not line:
            continue
        entry = _ENTRY_RE.match(line)
        if entry:
            numbered = True
            try:
                entries.append(split_entry(entry.group(2), fields))
            except ChainError:
                skipped.append((number, "empty"))
            continue
        if numbered:  # text after the list: a member's comment, not part of it
            continue
        example = _EXAMPLE_RE.match(line)
        if example:
            words = example.group(2).split()
            fields = tuple(words[1:]) if words else ()
            continue
        cap = _LIMIT_RE.match(line)
        if cap:
            limit = int(cap.group(1) or cap.group(2))
            continue
        if not title:
            title = line
        else:
            note.append(line)
    if not has_header and not numbered:
        raise ChainError("expected a 接龙: a '#接龙' first line or numbered lines like "
                         "'1. 张三'")
    return Chain(title=title, fields=fields, note="\n".join(note), limit=limit,
                 entries=tuple(entries), skipped=tuple(skipped))


@dataclass(frozen=True, slots=True)
class Merge:
    added: tuple[Entry, ...]
    #: names that came after the chain was full (first N only)
    over_limit: tuple[Entry, ...]
    #: names already on the chain (their first line wins)
    repeated: tuple[Entry, ...]


def merge(current: Iterable[Entry], pasted: Iterable[Entry], limit: int | None) -> Merge:
    """Entries of a pasted chain that are new, in their pasted order, up to ``limit``."""
    have = {e.name for e in current}
    count = len(have)
    added: list[Entry] = []
    over: list[Entry] = []
    repeated: list[Entry] = []
    for entry in pasted:
        if entry.name in have:
            repeated.append(entry)
            continue
        have.add(entry.name)
        if limit is not None and count >= limit:
            over.append(entry)
            continue
        added.append(entry)
        count += 1
    return Merge(tuple(added), tuple(over), tuple(repeated))
