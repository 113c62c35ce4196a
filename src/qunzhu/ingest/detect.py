"""Find what to import under a path and which format each unit is.

A path may be a file, a folder or a zip archive. A folder or zip that is itself an export
(Slack) becomes one unit; otherwise every file inside becomes a unit of its own. The format
is detected from content, never from the file extension.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .base import ImportFailed, Source, Tree, Unit

#: parser modules, most specific first (detection stops at the first that says yes)
PARSER_MODULES = ("slack", "telegram", "discord", "qce", "wechat", "qq", "whatsapp", "irc")

#: files that are never chat logs inside an export folder or zip (media, metadata)
SKIP_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".mp4", ".mov",
                           ".opus", ".ogg", ".mp3", ".m4a", ".aac", ".amr", ".pdf", ".vcf",
                           ".webm", ".3gp", ".zip", ".db", ".sqlite", ".exe", ".dll"})


def parsers() -> dict[str, ModuleType]:
    """``{FORMAT: module}`` of the parser modules that exist."""
    found: dict[str, ModuleType] = {}
    for name in PARSER_MODULES:
        try:
            module = importlib.import_module(f"qunzhu.ingest.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"qunzhu.ingest.{name}":
                raise
            continue
        found[module.FORMAT] = module
    return found


@dataclass(frozen=True)
class Detected:
    unit: Unit
    format: str
    reason: str


def detect(unit: Unit, wanted: str = "auto") -> Detected:
    """The format of ``unit``: the one asked for, or the first parser that recognises it."""
    available = parsers()
    if wanted != "auto":
        if wanted not in available:
            raise ImportFailed(unit.label, f"unknown format {wanted!r}; known: "
                               + ", ".join(sorted(available)))
        if unit.tree is not None and not available[wanted].detect(unit):
            raise ImportFailed(unit.label, f"is a folder or zip export, and --format {wanted} "
                                           "reads single files: give the file itself")
        return Detected(unit, wanted, "given with --format")
    if unit.tree is None and not unit.head().strip():
        raise ImportFailed(unit.label, "the file is empty")
    if unit.tree is None and unit.head().startswith(b"PK\x03\x04"):
        # a readable zip was opened as an archive already (expand): this one has no table
        # of contents at its end
        raise ImportFailed(unit.label, "a damaged or truncated zip archive (its table of "
                                       "contents is missing): download or copy it again")
    for fmt, module in available.items():
        reason = module.detect(unit)
        if reason:
            return Detected(unit, fmt, reason)
    raise ImportFailed(unit.label, "not a chat export qunzhu knows (tried: "
                       + ", ".join(available) + "); use --format to force one")


def _is_export_tree(tree: Tree) -> bool:
    """Whether a folder or zip is one export as a whole (e.g. a Slack workspace)."""
    probe = Unit(label=tree.label, name=Path(tree.label).name, tree=tree)
    return any(module.detect(probe) for module in parsers().values())


def _member(tree: Tree, name: str, separator: str, archive: zipfile.ZipFile) -> Unit:
    return Unit(label=f"{tree.label}{separator}{name}", name=Path(name).name,
                opener=lambda: tree.open(name), size=archive.getinfo(name).file_size,
                source=Source(tree.label, name))


def _units_of_zip(tree: Tree, archive: zipfile.ZipFile) -> Iterator[Unit]:
    if _is_export_tree(tree):
        yield Unit(label=tree.label, name=Path(tree.label).name, tree=tree)
        return
    for name in tree.names():
        path = Path(name)
        if path.suffix.lower() in SKIP_SUFFIXES or path.suffix.lower() == ".md" \
                or path.name.startswith("."):
            continue
        yield _member(tree, name, "!", archive)


def _units_of_folder(folder: Path) -> Iterator[Unit | ImportFailed]:
    """A folder that is an export is one unit; otherwise its files are units, its zips
    and sub-folders are expanded the same way (a folder of exports, e.g. a Slack export
    folder beside other chats, is found as one unit). A child that cannot be opened is
    yielded as its error, and the others still come."""
    tree = Tree.from_folder(folder)
    if _is_export_tree(tree):
        yield Unit(label=tree.label, name=folder.name, tree=tree)
        return
    for child in sorted(folder.iterdir()):
        suffix = child.suffix.lower()
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _units_of_folder(child)
        elif suffix == ".zip" or suffix not in SKIP_SUFFIXES and suffix != ".md":
            try:
                yield from expand(child)
            except ImportFailed as exc:
                yield exc


def expand(path: Path) -> Iterator[Unit | ImportFailed]:
    """The units under ``path`` (a folder's unreadable children as their errors); a missing
    or unreadable ``path`` raises :class:`ImportFailed`."""
    if not path.exists():
        raise ImportFailed(str(path), "no such file or folder")
    if path.is_dir():
        yield from _units_of_folder(path)
    elif zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFailed(str(path), f"not a readable zip archive ({exc})") from exc
        yield from _units_of_zip(Tree.from_zip(archive, str(path)), archive)
    else:
        try:
            yield Unit.from_path(path)
        except OSError as exc:  # e.g. a broken link
            raise ImportFailed(str(path), f"cannot be read ({exc.strerror or exc})") from exc
