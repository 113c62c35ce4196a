"""What every export-format parser shares: units, the parse context, errors, text decoding.

A parser module (one per format, e.g. ``ingest/whatsapp.py``) exposes:

``FORMAT: str``
    its name on the command line (``--format whatsapp``).
``detect(unit: Unit) -> str | None``
    look at the unit (``unit.head()`` — the first 64 KiB — and ``unit.name``, or
    ``unit.tree`` for folder formats) and return a short reason ("first line matches
    WhatsApp Android 'M/D/YY, HH:MM - '") if it is this format, else ``None``. Cheap: no full
    read. Content decides, not the file extension.
``parse(unit: Unit, ctx: ParseContext) -> Iterator[ChatEvent]``
    stream the unit's events in file order. Never read the whole file into memory when the
    format allows streaming (line formats). On a line or record that cannot be understood,
    call ``ctx.bad(line, expected, got)`` and continue (it raises in strict mode). On a
    problem with the whole unit (empty, truncated JSON, not this format at all) raise
    :class:`ImportFailed`. No other exception may escape ``parse``.

No Django import here or in parsers.
"""

from __future__ import annotations

import codecs
import io
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from zoneinfo import ZoneInfo

import orjson

HEAD_BYTES = 64 * 1024
MAX_REPORTED_ERRORS = 10

#: What reading a damaged or truncated file or zip member raises on the way (a bad CRC,
#: a cut deflate stream, a vanished file); :func:`unreadable` turns it into an
#: :class:`ImportFailed` that says so.
READ_ERRORS: tuple[type[BaseException], ...] = (zipfile.BadZipFile, zlib.error, EOFError,
                                                 OSError)


class ImportFailed(Exception):
    """The whole unit cannot be imported; the message names it and says why."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(f"{label}: {reason}")
        self.label = label
        self.reason = reason

    #: what was stored before the unit failed midway (an ImportSummary), if anything
    stored: Any = None


def unreadable(label: str, error: BaseException) -> ImportFailed:
    damaged = "" if type(error) is not OSError and isinstance(error, OSError) \
        else ": the file or archive is damaged or truncated"
    return ImportFailed(label, f"cannot be read to the end ({type(error).__name__}: "
                               f"{error}){damaged}")


class ParseError(ImportFailed):
    """A bad line or record in strict mode: ``FILE:LINE: expected …, got …``."""

    def __init__(self, label: str, line: int, expected: str, got: str) -> None:
        shown = got if len(got) <= 80 else got[:77] + "..."
        Exception.__init__(self, f"{label}:{line}: expected {expected}, got {shown!r}")
        self.label = label
        self.reason = f"line {line}: expected {expected}, got {shown!r}"
        self.line = line


class Tree:
    """A folder or a zip archive seen as relative POSIX paths (for Slack-like exports)."""

    def __init__(self, label: str, names: list[str], opener: Callable[[str], IO[bytes]]) -> None:
        self.label = label
        self._names = sorted(names)
        self._opener = opener

    def names(self) -> list[str]:
        return list(self._names)

    def has(self, name: str) -> bool:
        return name in self._names

    def open(self, name: str) -> IO[bytes]:
        return self._opener(name)

    def subtree(self, prefix: str) -> Tree:
        prefix = prefix.rstrip("/") + "/"
        return Tree(f"{self.label}/{prefix.rstrip('/')}",
                    [n[len(prefix):] for n in self._names if n.startswith(prefix)],
                    lambda name: self._opener(prefix + name))

    @classmethod
    def from_folder(cls, folder: Path) -> Tree:
        names = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
        return cls(str(folder), names, lambda name: (folder / name).open("rb"))

    @classmethod
    def from_zip(cls, archive: zipfile.ZipFile, label: str) -> Tree:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        return cls(label, names, lambda name: archive.open(name))


@dataclass(frozen=True)
class Source:
    """Where a unit's bytes are, in a form another process can open again: a path, or a
    zip archive's path and a member name."""

    path: str
    member: str = ""

    def unit(self, label: str) -> Unit:
        if not self.member:
            return Unit.from_path(Path(self.path))
        archive = zipfile.ZipFile(self.path)
        member = self.member
        return Unit(label=label, name=PurePosixPath(member).name,
                    opener=lambda: archive.open(member),
                    size=archive.getinfo(member).file_size, source=self)


@dataclass
class Unit:
    """One importable thing: a file (or zip member), or a whole export folder (``tree``).

    ``label`` is what error messages and summaries call it: a path, or ``archive.zip!member``.
    """

    label: str
    name: str
    opener: Callable[[], IO[bytes]] | None = None
    tree: Tree | None = None
    size: int | None = None
    source: Source | None = None  # set when another process can open it too
    _head: bytes | None = field(default=None, repr=False)

    def open(self) -> IO[bytes]:
        if self.opener is None:
            raise ImportFailed(self.label, "is a folder export, not a single file")
        return self.opener()

    def head(self) -> bytes:
        """The first 64 KiB (empty for a tree)."""
        if self._head is None:
            if self.opener is None:
                self._head = b""
            else:
                try:
                    with self.open() as stream:
                        self._head = stream.read(HEAD_BYTES)
                except READ_ERRORS as error:
                    raise ImportFailed(self.label, f"cannot be read ({type(error).__name__}: "
                                                   f"{error}): a damaged file or archive?"
                                       ) from None
        return self._head

    @classmethod
    def from_path(cls, path: Path) -> Unit:
        return cls(label=str(path), name=path.name, opener=lambda: path.open("rb"),
                   size=path.stat().st_size, source=Source(str(path)))

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "upload") -> Unit:
        """For tests and uploads held in memory."""
        return cls(label=name, name=PurePosixPath(name).name,
                   opener=lambda: io.BytesIO(data), size=len(data))


@dataclass
class ParseContext:
    """Options for one parse and the record of what was skipped."""

    label: str
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    strict: bool = False
    group_name: str | None = None
    year: int | None = None          # the first year of logs whose stamps have none
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    encoding: str = ""

    def bad(self, line: int, expected: str, got: str) -> None:
        """A line or record that cannot be understood: stop (strict) or count and go on."""
        error = ParseError(self.label, line, expected, got)
        if self.strict:
            raise error
        self.skipped += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(str(error))


# -- decoding ----------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


class _Undecodable(threading.local):
    """How many byte runs the ``qunzhu-mark`` error handler replaced in this thread."""

    count = 0


_undecodable = _Undecodable()


def _mark(error: UnicodeError) -> tuple[str, int]:
    """Like ``errors="replace"``, and counted, so that the lines holding a U+FFFD that
    stands for unreadable bytes are reported (a file that switches encoding midway)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    _undecodable.count += 1
    return "\ufffd", error.end


codecs.register_error("qunzhu-mark", _mark)


def _report_undecodable(ctx: ParseContext, number: int, line: str, encoding: str) -> None:
    ctx.bad(number, f"text in {encoding} (the file's encoding; unreadable bytes kept as "
                    "\ufffd)", line)


def sniff_encoding(head: bytes, candidates: tuple[str, ...] = ("utf-8", "gb18030")) -> str:
    """The encoding of a text file from its first bytes: BOM, else the first candidate that
    decodes the sample cleanly (a multi-byte character cut at the sample's end is allowed)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    for name in candidates:
        decoder = codecs.getincrementaldecoder(name)()
        try:
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return name
    return "latin-1"


def head_text(unit: Unit, candidates: tuple[str, ...] = ("utf-8", "gb18030")) -> str:
    """The decoded first 64 KiB, for ``detect``; never raises."""
    head = unit.head()
    return head.decode(sniff_encoding(head, candidates), errors="replace").lstrip("\ufeff")


def text_lines(unit: Unit, ctx: ParseContext,
               candidates: tuple[str, ...] = ("utf-8", "gb18030"),
               per_line_fallback: str | None = None) -> Iterator[tuple[int, str]]:
    """Stream ``(line number, line)`` of a text unit without line endings (LF, CRLF or CR).

    The encoding is sniffed from the head (BOM, UTF-8, then GB18030 for QQ exports).
    With ``per_line_fallback`` (e.g. ``"latin-1"`` for IRC logs that mix encodings) each
    line is decoded on its own: UTF-8 if valid, else the fallback. Records the encoding in
    ``ctx.encoding``. An empty file raises :class:`ImportFailed`.
    """
    head = unit.head()
    if not head.strip():
        raise ImportFailed(unit.label, "the file is empty")
    if per_line_fallback is not None and not head.startswith(codecs.BOM_UTF16_LE) \
            and not head.startswith(codecs.BOM_UTF16_BE):
        ctx.encoding = f"utf-8 (lines in {per_line_fallback} where not)"
        with unit.open() as raw:
            for number, raw_line in enumerate(raw, start=1):
                data = raw_line.rstrip(b"\r\n")
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode(per_line_fallback, errors="replace")
                if number == 1:
                    text = text.lstrip("\ufeff")
                yield number, text
        return
    encoding = sniff_encoding(head, candidates)
    ctx.encoding = encoding
    before = _undecodable.count
    with unit.open() as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="qunzhu-mark", newline=None)
        for number, line in enumerate(stream, start=1):
            # the wrapper decodes ahead of the lines: once it met bytes it could not read,
            # every line with a replacement character is reported (the message is kept)
            if _undecodable.count != before and "\ufffd" in line:
                _report_undecodable(ctx, number, line.rstrip("\n"), encoding)
            yield number, line.rstrip("\n")


CHUNK_CHARS = 1 << 20


def text_chunks(unit: Unit, ctx: ParseContext,
                candidates: tuple[str, ...] = ("utf-8", "gb18030")) -> Iterator[str]:
    """Stream a text unit as pieces of about a million characters that each end with a
    line end ("\n"; CRLF and CR are turned into it), for parsers that scan many lines with
    one ``finditer``. Decoding as :func:`text_lines`; an empty file raises
    :class:`ImportFailed`."""
    head = unit.head()
    if not head.strip():
        raise ImportFailed(unit.label, "the file is empty")
    encoding = sniff_encoding(head, candidates)
    ctx.encoding = encoding
    before = _undecodable.count
    lines_before = 0  # lines in the pieces already yielded, to name the bad ones
    with unit.open() as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="qunzhu-mark", newline=None)
        rest = ""
        while chunk := stream.read(CHUNK_CHARS):
            chunk = rest + chunk
            cut = chunk.rfind("\n") + 1
            rest = chunk[cut:]
            if cut:
                piece = chunk[:cut]
                if _undecodable.count != before and "\ufffd" in piece:
                    _report_piece(ctx, piece, lines_before, encoding)
                lines_before += piece.count("\n")
                yield piece
        if rest:
            if _undecodable.count != before and "\ufffd" in rest:
                _report_piece(ctx, rest, lines_before, encoding)
            yield rest + "\n"


def _report_piece(ctx: ParseContext, piece: str, lines_before: int, encoding: str) -> None:
    for offset, line in enumerate(piece.split("\n"), start=1):
        if "\ufffd" in line:
            _report_undecodable(ctx, lines_before + offset, line, encoding)


def read_json_bytes(unit: Unit) -> bytes:
    """The whole unit for JSON formats, with a clear error for an empty file."""
    with unit.open() as stream:
        data = stream.read()
    if not data.strip():
        raise ImportFailed(unit.label, "the file is empty")
    for bom, _name in _BOMS[:1]:
        if data.startswith(bom):
            data = data[len(bom):]
    return data


def load_json(unit: Unit) -> Any:
    """A whole JSON unit, decoded; empty or invalid JSON raises :class:`ImportFailed` with
    the line and column where it breaks."""
    try:
        return orjson.loads(read_json_bytes(unit))
    except orjson.JSONDecodeError as error:
        raise ImportFailed(unit.label, f"invalid or truncated JSON at line {error.lineno}, "
                                       f"column {error.colno}: {error.msg}") from None


class LineCounter:
    """Feeds a ``csv.reader`` whole lines and remembers the number of the last line read,
    so that bad rows (which may span lines inside quotes) are reported where they start."""

    def __init__(self, lines: Iterable[tuple[int, str]], number: int = 0) -> None:
        self._lines = lines
        self.number = number

    def feed(self) -> Iterator[str]:
        for number, line in self._lines:
            self.number = number
            yield line + "\n"


def weak_key(group_key: str, name: str) -> str:
    """A sender key for formats without user ids: the display name within its group."""
    return f"~{group_key}:{name}"
