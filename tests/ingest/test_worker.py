"""Big files are parsed and prepared in a worker process: same records, same errors."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from qunzhu.ingest import whatsapp
from qunzhu.ingest.base import ImportFailed, ParseContext, Source, Unit
from qunzhu.ingest.prepare import Preparer, batches
from qunzhu.ingest.worker import prepared_in_worker

SH = ZoneInfo("Asia/Shanghai")


def _export(path: Path, messages: int, bad_line_at: int | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(messages):
            if n == bad_line_at:
                out.write("13/45/21, 10:00 - X: no such date\n")
            minute = n // 3
            out.write(f"1/{2 + minute // 1440}/21, {minute // 60 % 24:02d}:{minute % 60:02d} - "
                      f"成员{n % 37}: 消息 {n}\n第二行 {n % 5}\n")
    return path


def test_worker_gives_the_records_of_an_in_process_parse(tmp_path: Path) -> None:
    path = _export(tmp_path / "WhatsApp Chat with 大群.txt", 30_000)
    ctx = ParseContext(label=str(path), tz=SH)
    remote = list(chain.from_iterable(
        prepared_in_worker(Source(str(path)), "whatsapp", ctx, sqlite=True, batch_size=4000)))
    local_ctx = ParseContext(label=str(path), tz=SH)
    preparer = Preparer(sqlite=True)
    local = list(chain.from_iterable(
        preparer.records(batch)
        for batch in batches(whatsapp.parse(Unit.from_path(path), local_ctx), 4000)))
    assert len(remote) == 30_000
    assert remote == local
    assert (ctx.encoding, ctx.skipped) == (local_ctx.encoding, 0)


def test_worker_reports_bad_lines_and_strict_errors_as_in_process(tmp_path: Path) -> None:
    path = _export(tmp_path / "chat.txt", 2_000, bad_line_at=1_500)
    ctx = ParseContext(label=str(path), tz=SH)
    count = sum(len(b) for b in prepared_in_worker(Source(str(path)), "whatsapp", ctx,
                                                    sqlite=False, batch_size=500))
    assert count == 2_000 and ctx.skipped == 1
    assert ctx.errors == [f"{path}:3001: expected a valid date (MDY order), got "
                          "'13/45/21, 10:00 - X: no such date'"]
    strict = ParseContext(label=str(path), tz=SH, strict=True)
    with pytest.raises(ImportFailed) as failure:
        list(prepared_in_worker(Source(str(path)), "whatsapp", strict, sqlite=True,
                                batch_size=500))
    assert str(failure.value) == ctx.errors[0]


def test_worker_reports_a_missing_file(tmp_path: Path) -> None:
    ctx = ParseContext(label="gone.txt", tz=SH)
    with pytest.raises(ImportFailed, match="cannot be read to the end .FileNotFoundError"):
        list(prepared_in_worker(Source(str(tmp_path / "gone.txt")), "whatsapp", ctx,
                                sqlite=True, batch_size=500))
