"""How early, and how wrongly, the zombie warning fires: lead time and false alarms.

Imports the demo community and every import unit of ../shared/data/MANIFEST.tsv into a
temporary database, runs `qunzhu report --group NAME --format json` for each group (so
that its weeks end at its own last message), and scores each group's weekly warning
series against its own zombie onsets (docs/health.md, "Zombie warning"):

* an onset is the first week of a zombie spell; the warning **leads** it when a warning
  run (warning weeks with gaps of at most one week) starts within the eight weeks before
  it and lasts into the two weeks before the onset; lead = onset − run start, in days;
* a **false alarm** is a warning run with no onset within eight weeks of its start;
* groups with fewer than eight weeks of history, or fewer than five active members in
  their busiest weeks (test fixtures with a handful of messages over years), are listed
  apart: a zombie line of one or two people says nothing.

Usage: .venv/bin/python bench/warning_eval.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HORIZON = 8  # weeks
MIN_PEAK = 5  # a group whose busiest weeks had fewer active members never had a life to lose


#: what a user who knows the log would give its import: the dircproxy log's lines have no
#: year (its "29 Feb" falls in 2008), the #qtox channel logged British time
UNIT_OPTIONS = {"irc/irclog2html/dircproxy-example.log": ("--year", "2008"),
                "irc/qtox-irc": ("--tz", "Europe/London")}


def qunzhu(env: dict[str, str], *args: str, must: bool = True) -> str | None:
    done = subprocess.run([sys.executable, "-m", "qunzhu.cli", *args], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        if not must:
            return None
        raise SystemExit(f"qunzhu {' '.join(args[:3])} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def runs(warning: list[bool]) -> list[tuple[int, int]]:
    """Maximal warning runs as (first, last) week, joining gaps of one week."""
    out: list[tuple[int, int]] = []
    for k, on in enumerate(warning):
        if not on:
            continue
        if out and k - out[-1][1] <= 2:
            out[-1] = (out[-1][0], k)
        else:
            out.append((k, k))
    return out


def score(stages: list[str], warning: list[bool]) -> dict[str, object]:
    onsets = [k for k, s in enumerate(stages)
              if s == "zombie" and (k == 0 or stages[k - 1] != "zombie")]
    alarms = runs(warning)
    leads, missed = [], 0
    for o in onsets:
        before = [(a, b) for a, b in alarms if o - HORIZON <= a < o and b >= o - 2]
        if before:
            leads.append(7 * (o - before[0][0]))
        else:
            missed += 1
    false = sum(1 for a, _ in alarms if not any(a <= o <= a + HORIZON for o in onsets))
    return {"onsets": len(onsets), "leads": leads, "missed": missed, "alarms": len(alarms),
            "false": false, "alarm_weeks": sum(warning)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    data = args.shared / "data"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QUNZHU_DATA": tmp}
        env.pop("DATABASE_URL", None)
        qunzhu(env, "demo", "--end", "2026-11-30")
        with (data / "MANIFEST.tsv").open(encoding="utf-8") as f:
            units = [row["path"] for row in csv.DictReader(f, delimiter="\t")]
        refused = [unit for unit in units
                   if qunzhu(env, "import", str(data / unit), "--no-report",
                             *UNIT_OPTIONS.get(unit, ()), must=False) is None]
        reports = []
        for slug in ("reading-club", "imported"):
            whole = json.loads(qunzhu(env, "report", slug, "--format", "json") or "{}")
            # each group on its own: its weeks end at its own last message, not at the
            # community's (the logs come from different years)
            names = sorted({g["group"]["name"] for g in whole["groups"]})
            groups = [json.loads(qunzhu(env, "report", slug, "--group", name, "--format",
                                        "json") or "{}")["groups"][0] for name in names]
            reports.append({"community": whole["community"], "groups": groups})
    print("| source | group | weeks | stage now | zombie onsets | warned ahead (days) | "
          "missed | warning runs | false alarms |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = {"onsets": 0, "missed": 0, "alarms": 0, "false": 0, "leads": []}
    short = []
    for report in reports:
        for g in report["groups"]:
            life = g["lifecycle"]
            weeks = len(life["weeks"])
            name = g["group"]["name"][:40]
            if weeks < HORIZON or (life["peak"] or 0) < MIN_PEAK:
                short.append(f"{name} ({weeks} weeks, peak {life['peak'] or 0:.0f} active)")
                continue
            s = score(life["stages"], life["warning"])
            for key in ("onsets", "missed", "alarms", "false"):
                totals[key] += s[key]  # type: ignore[operator]
            totals["leads"] += s["leads"]  # type: ignore[operator]
            leads = ", ".join(str(x) for x in s["leads"]) or "—"  # type: ignore[attr-defined]
            print(f"| {report['community']['slug']} | {name} | {weeks} | {g['stage']} | "
                  f"{s['onsets']} | {leads} | {s['missed']} | {s['alarms']} | {s['false']} |")
    leads = totals["leads"]
    print(f"\nzombie onsets {totals['onsets']}, warned ahead {len(leads)} "  # type: ignore[arg-type]
          f"(lead {min(leads, default=0)}–{max(leads, default=0)} days), missed "  # type: ignore[type-var]
          f"{totals['missed']}; warning runs {totals['alarms']}, false alarms {totals['false']}.")
    if refused:
        print(f"not importable (see the importer's message): {', '.join(refused)}")
    print(f"too short or too small to judge: {len(short)} groups — " + "; ".join(short))


if __name__ == "__main__":
    main()
