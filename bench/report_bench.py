"""Health report speed: end to end from the database, per stage, and the whole user path.

1. For each size (default 250k, 500k and 1M messages from 500 members in one WhatsApp
   group; --big adds 10M) the generated export is imported once (not timed here), then a
   fresh process reads the database and computes the report, twice: "cold" rebuilds the
   group's column snapshot from the message rows first (as after an import), "warm"
   reads the stored snapshot (every later report). It prints the seconds of every stage
   (read, each measure, JSON, HTML) so that growth with size is visible.
2. The path a user walks on the 1M file — `qunzhu import FILE` (which also refreshes the
   cached report) then `qunzhu report --format html` — against
   `chat-analytics -p whatsapp -i FILE -o report.html`, wall time and peak memory of the
   whole process tree side by side.

Usage: .venv/bin/python bench/report_bench.py [--sizes 250000,500000,1000000] [--big]
       [--skip-anchor]
Files are cached in $QUNZHU_BENCH_CACHE (default: <tempdir>/qunzhu-bench).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import CACHE, generate, tree_rss  # noqa: E402

STAGES = r"""
import json, os, sys, time
t0 = time.perf_counter()
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qunzhu.settings")
django.setup()
from qunzhu.community.models import Community
from qunzhu.health.present import render_html
from qunzhu.health.service import compute
t1 = time.perf_counter()
community = Community.objects.get(slug="imported")
computed = compute(community)
t2 = time.perf_counter()
data = computed.as_dict("zh-hans")
t3 = time.perf_counter()
html = render_html(data, "zh-hans")
t4 = time.perf_counter()
print(json.dumps({"startup": t1 - t0, "read": computed.timings["read"],
                  **{k: v for k, v in computed.stages.items()},
                  "analyse": computed.timings["analyse"], "json": t3 - t2, "html": t4 - t3,
                  "report": t4 - t1, "messages": computed.messages,
                  "html_bytes": len(html.encode())}))
"""


def watch(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str, str]:
    """(seconds, peak MB of the process tree, stdout, stderr) of one command."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … failed:\n{stderr[-3000:]}")
    return seconds, peak / 1024, stdout, stderr


def qunzhu(*args: str) -> list[str]:
    return [sys.executable, "-m", "qunzhu.cli", *args]


def export_of(messages: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"whatsapp-{messages}.txt"
    if not path.exists():
        print(f"· generating {path.name}", file=sys.stderr)
        generate(path, messages)
    return path


def database_of(messages: int) -> dict[str, str]:
    """Environment of a data folder holding the imported export (made once, cached)."""
    folder = CACHE / f"report-db-{messages}"
    env = {**os.environ, "QUNZHU_DATA": str(folder)}
    env.pop("DATABASE_URL", None)
    if not (folder / "imported.ok").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"· importing {messages:,} messages once", file=sys.stderr)
        watch(qunzhu("import", str(export_of(messages)), "--no-report"), env)
        (folder / "imported.ok").touch()
    return env


def stages(sizes: list[int]) -> None:
    print("\n## End to end from the database (fresh process; seconds)\n")
    rows = []
    for n in sizes:
        env = database_of(n)
        for state in ("cold", "warm"):  # cold: the column snapshot is (re)built first
            if state == "cold":
                subprocess.run(qunzhu("manage", "shell", "-v0", "-c",
                                      "from qunzhu.health.models import GroupColumns;"
                                      "GroupColumns.objects.all().delete()"),
                               env=env, check=True)
            seconds, peak, stdout, _ = watch([sys.executable, "-c", STAGES], env)
            figures = json.loads(stdout.strip().splitlines()[-1])
            figures["peak_mb"] = peak
            figures["state"] = state
            rows.append((n, figures))
    keys = ["read", "activity", "lifecycle", "tiers", "graph", "output", "noise", "score",
            "json", "html", "report"]
    print("| messages | snapshot | " + " | ".join(keys) + " | peak MB | µs/message |")
    print("|" + "---|" * (len(keys) + 4))
    for n, f in rows:
        cells = " | ".join(f"{f.get(k, 0):.2f}" for k in keys)
        print(f"| {n:,} | {f['state']} | {cells} | {f['peak_mb']:.0f} | "
              f"{1e6 * f['report'] / n:.2f} |")
    for state in ("cold", "warm"):
        same = [(n, f) for n, f in rows if f["state"] == state]
        if len(same) > 1:
            (n0, f0), (n1, f1) = same[0], same[-1]
            print(f"\n{state}: {n1 / n0:.0f}× the messages took "
                  f"{f1['report'] / f0['report']:.1f}× the time (linear: the same factor).")


def path(messages: int, skip_anchor: bool) -> None:
    export = export_of(messages)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QUNZHU_DATA": str(Path(tmp) / "data")}
        env.pop("DATABASE_URL", None)
        subprocess.run(qunzhu("manage", "migrate", "-v0"), env=env, check=True)
        t_import, m_import, _, _ = watch(qunzhu("import", str(export)), env)
        out = Path(tmp) / "report.html"
        t_report, m_report, _, _ = watch(
            qunzhu("report", "imported", "--format", "html", "--out", str(out)), env)
        size = out.stat().st_size
    ours = t_import + t_report
    ours_mb = max(m_import, m_report)
    print(f"\n## The user's path on {messages:,} WhatsApp messages\n")
    print("| step | seconds | peak MB |")
    print("|---|---|---|")
    print(f"| qunzhu import (and report refresh) | {t_import:.1f} | {m_import:.0f} |")
    print(f"| qunzhu report --format html ({size / 1e6:.1f} MB) | {t_report:.1f} | "
          f"{m_report:.0f} |")
    print(f"| **qunzhu, whole path** | **{ours:.1f}** | **{ours_mb:.0f}** |")
    if skip_anchor:
        return
    from anchor import analyse

    with tempfile.TemporaryDirectory() as tmp:
        run = analyse(export, Path(tmp) / "report.html")
    print(f"| chat-analytics -p whatsapp (anchor, {run.report_bytes / 1e6:.1f} MB) | "
          f"{run.seconds:.1f} | {run.peak_bytes / 2**20:.0f} |")
    print(f"\nqunzhu is {run.seconds / ours:.1f}× faster than chat-analytics "
          f"(target ≥ 6×) and peaks at {ours_mb:.0f} MB (target ≤ 500 MB; "
          f"chat-analytics {run.peak_bytes / 2**20:.0f} MB).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250000,500000,1000000")
    parser.add_argument("--big", action="store_true", help="also 10M messages (slow import)")
    parser.add_argument("--skip-anchor", action="store_true")
    parser.add_argument("--skip-path", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.big:
        sizes.append(10_000_000)
    print(f"# qunzhu report benchmark · {time.strftime('%Y-%m-%d')} · "
          f"{os.cpu_count()} cores · Python {sys.version.split()[0]}")
    stages(sizes)
    if not args.skip_path:
        path(1_000_000, args.skip_anchor)


if __name__ == "__main__":
    main()
