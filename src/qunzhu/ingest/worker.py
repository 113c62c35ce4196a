"""Parse and prepare a big export in a worker process, beside the process that stores it.

Python runs one thread at a time, so on a machine with two or more cores a large import is
fastest split in two processes: the worker parses the file and prepares records
(:mod:`.prepare`), the importing process looks up identities and writes to the database.
Records travel in batches through a bounded queue, so memory stays flat.

The worker is started with the ``spawn`` method (a fresh interpreter, safe to start from a
threaded web server) and imports no Django. It opens the unit again from its
:class:`~.base.Source` (a path, or a zip and a member name). A parse error comes back as the same
``ImportFailed``/``ParseError`` message; a worker that dies is reported, and one that loses
its parent (the import was killed) stops by itself.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from typing import Any

from .base import READ_ERRORS, ImportFailed, ParseContext, Source, unreadable
from .prepare import Preparer, Record, batches

#: units at least this big are parsed in a worker process (smaller ones in a thread: the
#: worker's start-up, about half a second, would cost more than it saves)
WORKER_MIN_BYTES = 4 * 1024 * 1024
QUEUE_BATCHES = 4
_POLL_SECONDS = 0.5


class RemoteImportFailed(ImportFailed):
    """An ImportFailed raised in the worker, with its message as it was."""

    def __init__(self, label: str, message: str, reason: str) -> None:
        Exception.__init__(self, message)
        self.label = label
        self.reason = reason


def _put(channel: Any, item: object, parent: int) -> bool:
    """Put unless the importing process is gone; returns whether it was put."""
    while True:
        try:
            channel.put(item, timeout=_POLL_SECONDS)
            return True
        except queue.Full:
            if os.getppid() != parent:
                # the importing process is gone: exit without waiting for the queue's
                # feeder thread, which would wait forever on a pipe nobody reads
                channel.cancel_join_thread()
                return False


def _work(source: Source, fmt: str, label: str, ctx_options: dict[str, Any], sqlite: bool,
          batch_size: int, channel: Any, parent: int) -> None:
    """The worker's main: parse, prepare, send; then the parse context's counts."""
    try:
        from .detect import parsers

        module = parsers()[fmt]
        ctx = ParseContext(label=label, **ctx_options)
        preparer = Preparer(sqlite)
        for batch in batches(module.parse(source.unit(label), ctx), batch_size):
            if not _put(channel, ("batch", preparer.records(batch)), parent):
                return
        _put(channel, ("end", ctx.skipped, ctx.errors, ctx.encoding), parent)
    except ImportFailed as exc:
        _put(channel, ("failed", exc.label, str(exc), exc.reason), parent)
    except READ_ERRORS as exc:
        failed = unreadable(label, exc)
        _put(channel, ("failed", failed.label, str(failed), failed.reason), parent)
    except BaseException:  # noqa: BLE001 - reported to the importing process
        _put(channel, ("crash", traceback.format_exc()), parent)


def prepared_in_worker(source: Source, fmt: str, ctx: ParseContext, *, sqlite: bool,
                       batch_size: int) -> Iterator[list[Record]]:
    """Record batches from a worker process; on the end, ``ctx`` gets the worker's skipped
    lines, errors and encoding. Closing the generator early stops the worker."""
    spawn = multiprocessing.get_context("spawn")
    channel = spawn.Queue(maxsize=QUEUE_BATCHES)
    options = {"tz": ctx.tz, "strict": ctx.strict, "group_name": ctx.group_name,
               "year": ctx.year}
    process = spawn.Process(target=_work, name="qunzhu-import-worker", daemon=True,
                            args=(source, fmt, ctx.label, options, sqlite, batch_size,
                                  channel, os.getpid()))
    process.start()
    try:
        while True:
            try:
                item = channel.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    raise ImportFailed(ctx.label, "the parsing process stopped unexpectedly "
                                       f"(exit code {process.exitcode})") from None
                continue
            tag = item[0]
            if tag == "batch":
                yield item[1]
            elif tag == "end":
                ctx.skipped, ctx.errors, ctx.encoding = item[1], item[2], item[3]
                return
            elif tag == "failed":
                raise RemoteImportFailed(item[1], item[2], item[3])
            else:
                raise RuntimeError(f"the parsing process failed:\n{item[1]}")
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        channel.close()
        channel.join_thread()
