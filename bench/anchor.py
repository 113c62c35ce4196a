"""Anchor: the open-source report generator chat-analytics on the same WhatsApp export.

chat-analytics (npm ``chat-analytics``, AGPL, https://github.com/mlomb/chat-analytics) turns a
chat export into one self-contained HTML report. It is not a dependency of qunzhu: it is a
reference point for what a well-known tool costs on the same file, so it is installed on demand
with npm into the benchmark cache (``QUNZHU_BENCH_CACHE``, default ``<tempdir>/qunzhu-bench``)
under ``chat-analytics/``, once, and pinned to one version so figures stay comparable.

Usage::

    .venv/bin/python bench/anchor.py [--messages N] [--out report.html]

Needs Node and npm on PATH. From another bench script::

    from anchor import run_chat_analytics
    seconds, peak_bytes = run_chat_analytics(export, out)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:
    from import_bench import CACHE, generate, tree_rss
except ImportError:  # imported from outside bench/ (e.g. the repo root): find the sibling
    sys.path.append(str(Path(__file__).resolve().parent))
    from import_bench import CACHE, generate, tree_rss

VERSION = "1.1.2"
PREFIX = CACHE / "chat-analytics"
# V8's default old-space limit follows the machine's RAM (4144 MB here, less on small
# machines). 1M messages need more than 384 MB of heap and run within 768 MB; pinning 4096 MB
# keeps the run, and V8's garbage-collection pressure, the same on any machine.
NODE_HEAP_MB = 4096
MIN_REPORT_BYTES = 100_000


@dataclass(frozen=True)
class AnchorRun:
    """One chat-analytics run: wall seconds, peak RSS of its process tree, messages counted."""

    seconds: float
    peak_bytes: int
    messages: int
    report_bytes: int


def installed_version(prefix: Path = PREFIX) -> str | None:
    """The chat-analytics version installed under prefix, or None when there is none."""
    manifest = prefix / "node_modules" / "chat-analytics" / "package.json"
    cli = prefix / "node_modules" / ".bin" / "chat-analytics"
    if not (manifest.is_file() and cli.exists()):
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


def install(prefix: Path = PREFIX) -> Path:
    """Install the pinned chat-analytics under prefix unless it is already there; return its
    CLI. npm is run only when needed, so benchmarks work offline after the first time."""
    cli = prefix / "node_modules" / ".bin" / "chat-analytics"
    if installed_version(prefix) == VERSION:
        return cli
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js (>= 18) to run the anchor")
    prefix.mkdir(parents=True, exist_ok=True)
    print(f"installing chat-analytics@{VERSION} into {prefix} …", file=sys.stderr, flush=True)
    subprocess.run([npm, "install", "--prefix", str(prefix), f"chat-analytics@{VERSION}",
                    "--no-audit", "--no-fund"], check=True, stdout=sys.stderr)
    if installed_version(prefix) != VERSION:
        raise RuntimeError(f"npm did not install chat-analytics@{VERSION} under {prefix}")
    return cli


def glob_escape(path: Path) -> str:
    """The CLI takes its inputs as fast-glob patterns: escape glob syntax so that a path with
    brackets or parentheses names exactly that file (POSIX rules, as fast-glob's escape)."""
    return re.sub(r"([()*?\[\]{|}!+@])", r"\\\1", str(path))


def node_env() -> dict[str, str]:
    """The environment with the pinned heap limit, unless the caller set their own."""
    options = os.environ.get("NODE_OPTIONS", "")
    if "--max-old-space-size" not in options:
        options = f"{options} --max-old-space-size={NODE_HEAP_MB}".strip()
    return {**os.environ, "NODE_OPTIONS": options}


def reported_messages(log: str) -> int:
    """Messages in the report, from the CLI's closing summary (" [*] N messages")."""
    found = re.search(r"\[\*\] (\d+) messages", log)
    return int(found.group(1)) if found else 0


def check_report(out: Path, log: str) -> int:
    """Fail unless the run left a real report: an HTML file of some size that holds messages
    (an exit code of 0 alone does not prove the export was understood)."""
    if not out.is_file() or out.stat().st_size < MIN_REPORT_BYTES:
        raise RuntimeError(f"chat-analytics wrote no report of ≥ 100 kB to {out}:\n{log[-2000:]}")
    with out.open("rb") as f:
        head = f.read(64).lower()
    if not head.startswith(b"<!doctype html"):
        raise RuntimeError(f"{out} is not an HTML report (starts {head[:20]!r})")
    messages = reported_messages(log)
    if messages == 0:
        raise RuntimeError(f"chat-analytics found no messages in the export:\n{log[-2000:]}")
    return messages


def analyse(export: Path, out: Path) -> AnchorRun:
    """Run chat-analytics on a WhatsApp export and check its report.

    Peak RSS is the larger of the polled resident memory of the whole process tree (as the
    import benchmark measures qunzhu) and the kernel's exact ru_maxrss of the node process,
    which catches a spike between two polls."""
    cli = install()
    out = out.resolve()
    cmd = [str(cli), "-p", "whatsapp", "-i", glob_escape(export.resolve()), "-o", str(out)]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=node_env(), stdout=log, stderr=subprocess.STDOUT)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, tree_rss(proc.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"chat-analytics exited with {proc.returncode}:\n{text[-2000:]}")
    messages = check_report(out, text)
    peak_kb = max(peak_kb, usage.ru_maxrss)  # kB on Linux
    return AnchorRun(seconds, peak_kb * 1024, messages, out.stat().st_size)


def run_chat_analytics(export: Path, out: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes of the whole process tree) of chat-analytics turning
    export into the HTML report out; raises RuntimeError if it fails or the report is empty."""
    run = analyse(export, out)
    return run.seconds, run.peak_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="keep the report here (default: discarded)")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    export = CACHE / f"whatsapp-{args.messages}.txt"  # the same file import_bench.py uses
    if not export.exists():
        print(f"generating {export} …", flush=True)
        generate(export, args.messages)
    install()
    print(f"chat-analytics {installed_version()} on {args.messages:,} messages "
          f"({export.stat().st_size / 1e6:.0f} MB), node heap limit {node_env()['NODE_OPTIONS']}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="qunzhu-bench-anchor-") as tmp:
        out = args.out or Path(tmp) / "report.html"
        run = analyse(export, out)
    print(f"  {run.seconds:.1f} s, peak {run.peak_bytes / 2**20:.0f} MB, "
          f"{run.messages:,} messages in the report ({args.messages / run.seconds:,.0f} msg/s), "
          f"report {run.report_bytes / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
