"""Import export files into a community: detect, parse, load, summarise.

Used by ``qunzhu import`` and by the console's background import jobs. Each unit (file,
zip member or export folder) is imported on its own: one that fails is reported and the
others go on. In strict mode a unit is parsed once in full before anything is stored, so
the first bad line stops it with nothing of that unit kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection

from qunzhu.audit.log import Actor
from qunzhu.community.models import Community
from qunzhu.core.events import ChatEvent

from .base import READ_ERRORS, ImportFailed, ParseContext, Unit, unreadable
from .detect import Detected, detect, expand, parsers
from .load import BATCH_SIZE, ImportSummary, import_events, import_records
from .worker import WORKER_MIN_BYTES, prepared_in_worker


@dataclass
class UnitResult:
    """What happened to one unit: its format, what was stored, what was skipped."""

    label: str
    format: str = ""
    reason: str = ""
    encoding: str = ""
    summary: ImportSummary | None = None
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    failed: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "format": self.format, "reason": self.reason,
                "encoding": self.encoding, "skipped": self.skipped, "errors": self.errors,
                "failed": self.failed,
                "summary": self.summary.as_dict() if self.summary else None}


@dataclass
class ImportOptions:
    format: str = "auto"
    tz: ZoneInfo | None = None
    strict: bool = False
    group_name: str | None = None
    year: int | None = None


UnitCallback = Callable[[Detected], None]
ProgressCallback = Callable[[int], None]


def units(paths: Iterable[Path]) -> Iterator[Unit | ImportFailed]:
    """Every unit under the paths; a path that cannot be read becomes its error."""
    for path in paths:
        found = False
        try:
            for unit in expand(path):
                found = True
                yield unit  # or a folder child's error
        except ImportFailed as exc:
            yield exc
            continue
        except READ_ERRORS as exc:
            yield ImportFailed(str(path), f"cannot be read ({type(exc).__name__}: {exc})")
            continue
        if not found:
            yield ImportFailed(str(path), "no chat export in it (only pictures, media or "
                                          "hidden files, or nothing at all)")


def import_unit(actor: Actor, community: Community, unit: Unit, options: ImportOptions, *,
                on_unit: UnitCallback | None = None,
                on_progress: ProgressCallback | None = None) -> UnitResult:
    result = UnitResult(label=unit.label)
    try:
        detected = detect(unit, options.format)
    except ImportFailed as exc:
        result.failed = exc.reason
        return result
    result.format, result.reason = detected.format, detected.reason
    if on_unit is not None:
        on_unit(detected)
    module = parsers()[detected.format]

    def context() -> ParseContext:
        return ParseContext(label=unit.label, tz=options.tz or community.zone,
                            strict=options.strict, group_name=options.group_name,
                            year=options.year)

    try:
        if options.strict:
            # validate the whole unit first: nothing is stored unless every line is good
            check = context()
            for _event in module.parse(unit, check):
                pass
        ctx = context()
        if unit.source is not None and (unit.size or 0) >= WORKER_MIN_BYTES:
            # big file: parse and prepare in a worker process, store here
            batches = prepared_in_worker(unit.source, detected.format, ctx,
                                         sqlite=connection.vendor == "sqlite",
                                         batch_size=BATCH_SIZE)
            result.summary = import_records(actor, community, batches, source=unit.label,
                                            on_progress=on_progress)
        else:
            events: Iterator[ChatEvent] = module.parse(unit, ctx)
            result.summary = import_events(actor, community, events, source=unit.label,
                                           on_progress=on_progress)
    except ImportFailed as exc:
        result.failed = str(exc) if options.strict else exc.reason
        if exc.stored is not None:
            # what came before the failure is stored (and re-importing adds the rest)
            result.summary = exc.stored
            result.failed = (f"stopped after {exc.stored.events:,} messages, which are "
                             f"stored: {result.failed}")
            result.encoding, result.skipped, result.errors = ctx.encoding, ctx.skipped, \
                ctx.errors
        return result
    except READ_ERRORS as exc:
        result.failed = unreadable(unit.label, exc).reason
        return result
    result.encoding, result.skipped, result.errors = ctx.encoding, ctx.skipped, ctx.errors
    if not result.summary.events and (options.format != "auto" or ctx.skipped):
        # a recognised export may well be empty (a quiet channel); a forced format that
        # finds nothing, or only lines it cannot read, is the wrong format
        result.failed = (f"no messages found in it as a {detected.format} export"
                         + (f" ({ctx.skipped} lines not understood)" if ctx.skipped else ""))
    return result


def import_paths(actor: Actor, community: Community, paths: Iterable[Path],
                 options: ImportOptions, *, on_unit: UnitCallback | None = None,
                 on_progress: ProgressCallback | None = None) -> list[UnitResult]:
    results = []
    for unit in units(paths):
        if isinstance(unit, ImportFailed):
            results.append(UnitResult(label=unit.label, failed=unit.reason))
            continue
        results.append(import_unit(actor, community, unit, options, on_unit=on_unit,
                                   on_progress=on_progress))
    return results
