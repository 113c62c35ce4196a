"""How far the zombie warning can be trusted, measured on real groups with known fates.

The development set is ``../shared/data/groups/`` (its README.md says how the labels were
made): 18 freeCodeCamp Gitter rooms, a year of #yocto and nine months of #qtox, each
labelled ``dying`` (with ``zombie_from``, the Monday after which the group never came
back), ``declining`` or ``healthy`` in ``truth.tsv``.

Each group is imported into a data folder of its own, then replayed with
``qunzhu report SLUG --replay weekly --format json``: one row per Sunday, exactly what
``qunzhu report SLUG --until SUNDAY`` says on that day, from what was known by then. The
same rows give the one-line rule the warning must beat: the trailing four-week mean of
weekly active members below 30 % of its peak so far.

For each method (qunzhu's ``warning``, the rule):

* **lead** (dying groups): days from the first Sunday of the warning run that is on the
  day before ``zombie_from`` to ``zombie_from``; a warning that comes only later, or never,
  leads by 0 days;
* **false-alarm weeks**: Sundays with the warning on in healthy groups, and in declining
  ones (alive at the end of the archive, far below their peak);
* **flapping weeks**: Sundays on which the warning changed from the week before;
* **precision / recall** of "becomes a zombie within 12 weeks", over every Sunday before
  ``zombie_from`` (dying groups) or on record (the others): positive when ``zombie_from``
  falls within the next 84 days;
* **AUC** of the risk score (for the rule: 1 − trailing mean / peak) on the same Sundays.

Usage: .venv/bin/python bench/insight_eval.py [--shared ../shared] [--only NAME,...]
       [--old]  (score "warning or stage zombie", as the console sorted before 2026-12)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HORIZON_DAYS = 84  #: "becomes a zombie within 12 weeks"
RULE_SHARE = 0.3  #: the one-line rule: trailing 4-week active below 30 % of the peak
#: what a user who knows the log gives its import
OPTIONS = {"irc-yocto-2015/": ("--tz", "UTC"), "../irc/qtox-irc/": ("--tz", "Europe/London")}


@dataclass
class Group:
    path: str
    kind: str
    zombie_from: date | None
    days: list[date]
    warning: list[bool]
    risk: list[float]
    rule: list[bool]
    rule_score: list[float]
    error: str = ""


def qunzhu(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "qunzhu.cli", *args], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"qunzhu {' '.join(args[:2])}: {done.stderr.strip()[-500:]}")
    return done.stdout


def replay_unit(data: Path, row: dict[str, str], old: bool, keep: Path | None
                ) -> Group:
    path = row["file"]
    zombie_from = date.fromisoformat(row["zombie_from"]) if row["zombie_from"] != "-" else None
    group = Group(path, row["kind"], zombie_from, [], [], [], [], [])
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep / Path(path.rstrip("/")).name if keep else Path(tmp)
        env = {**os.environ, "QUNZHU_DATA": str(folder), "QUNZHU_TIME_ZONE": "UTC"}
        env.pop("DATABASE_URL", None)
        try:
            if not (folder / "qunzhu.sqlite3").exists():
                qunzhu(env, "import", str(data / "groups" / path), "--no-report",
                       *OPTIONS.get(path, ()))
            rows = json.loads(qunzhu(env, "report", "imported", "--replay", "weekly",
                                     "--format", "json", "--lang", "en"))
        except RuntimeError as exc:
            group.error = str(exc)
            return group
    rows = [r for r in rows if date.fromisoformat(r["day"]).weekday() == 6]
    trailing: list[float] = []
    peak = 0.0
    for k, r in enumerate(rows):
        group.days.append(date.fromisoformat(r["day"]))
        group.warning.append(bool(r["warning"]) or (old and r["stage"] == "zombie"))
        group.risk.append(float(r["risk"]))
        window = [x["active"] for x in rows[max(0, k - 3):k + 1]]
        trailing.append(sum(window) / len(window))
        peak = max(peak, trailing[-1])
        group.rule.append(peak > 0 and trailing[-1] < RULE_SHARE * peak)
        group.rule_score.append(1 - trailing[-1] / peak if peak else 0.0)
    return group


def lead(g: Group, warning: list[bool]) -> int | None:
    """Days of warning before ``zombie_from`` (0: late or never); None for other groups."""
    if g.zombie_from is None:
        return None
    before = [k for k, d in enumerate(g.days) if d < g.zombie_from]
    if not before or not warning[before[-1]]:
        return 0
    k = before[-1]
    while k > 0 and warning[k - 1]:
        k -= 1
    return (g.zombie_from - g.days[k]).days


def flaps(warning: list[bool]) -> int:
    return sum(1 for a, b in zip(warning, warning[1:], strict=False) if a != b)


def judged(g: Group) -> list[tuple[int, bool]]:
    """(Sunday index, becomes a zombie within 12 weeks) for the Sundays that are judged."""
    out = []
    for k, d in enumerate(g.days):
        if g.zombie_from is None:
            out.append((k, False))
        elif d < g.zombie_from:
            out.append((k, (g.zombie_from - d).days <= HORIZON_DAYS))
    return out


def auc(scored: list[tuple[float, bool]]) -> float:
    """Probability that a positive Sunday scores above a negative one (ties count half)."""
    pos = sorted(s for s, y in scored if y)
    neg = sorted(s for s, y in scored if not y)
    if not pos or not neg:
        return float("nan")
    import bisect

    total = 0.0
    for s in pos:
        lo = bisect.bisect_left(neg, s)
        hi = bisect.bisect_right(neg, s)
        total += lo + 0.5 * (hi - lo)
    return total / (len(pos) * len(neg))


def summary(groups: list[Group], method: str) -> dict[str, Any]:
    leads, false_h, false_d, flapped = [], 0, 0, 0
    tp = fp = fn = 0
    scored: list[tuple[float, bool]] = []
    for g in groups:
        warning = g.warning if method == "qunzhu" else g.rule
        score = g.risk if method == "qunzhu" else g.rule_score
        value = lead(g, warning)
        if value is not None:
            leads.append(value)
        if g.kind == "healthy":
            false_h += sum(warning)
        elif g.kind == "declining":
            false_d += sum(warning)
        flapped += flaps(warning)
        for k, y in judged(g):
            tp += warning[k] and y
            fp += warning[k] and not y
            fn += (not warning[k]) and y
            scored.append((score[k], y))
    return {"dying": len(leads), "warned14": sum(x >= 14 for x in leads),
            "warned28": sum(x >= 28 for x in leads),
            "median_lead": statistics.median(leads) if leads else 0,
            "false_healthy": false_h, "false_declining": false_d, "flapping": flapped,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"), "auc": auc(scored)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--only", help="comma-separated parts of file names to keep")
    parser.add_argument("--old", action="store_true",
                        help='score "warning or stage zombie" instead of the warning')
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path,
                        help="keep each group's data folder here and reuse it next time")
    args = parser.parse_args()
    data = args.shared / "data"
    with (data / "groups" / "truth.tsv").open(encoding="utf-8") as f:
        units = list(csv.DictReader(f, delimiter="\t"))
    if args.only:
        wanted = args.only.split(",")
        units = [u for u in units if any(w in u["file"] for w in wanted)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        groups = list(pool.map(lambda u: replay_unit(data, u, args.old, args.keep), units))
    seconds = time.perf_counter() - t0
    failed = [g for g in groups if g.error]
    groups = [g for g in groups if not g.error and g.days]
    print("| group | fate | zombie_from | Sundays | lead qunzhu / rule (d) | "
          "warning weeks qunzhu / rule | flaps qunzhu / rule |")
    print("|---|---|---|---:|---:|---:|---:|")
    for g in groups:
        name = Path(g.path.rstrip("/")).name.replace("fcc-gitter-", "").replace(".json", "")
        lq, lr = lead(g, g.warning), lead(g, g.rule)
        print(f"| {name} | {g.kind} | {g.zombie_from or '—'} | {len(g.days)} | "
              f"{'—' if lq is None else lq} / {'—' if lr is None else lr} | "
              f"{sum(g.warning)} / {sum(g.rule)} | {flaps(g.warning)} / {flaps(g.rule)} |")
    print()
    print("| method | dying warned ≥ 14 d | ≥ 28 d | median lead (d) | false-alarm weeks: "
          "healthy | declining | flapping weeks | precision 12 w | recall 12 w | AUC |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for method, label in (("qunzhu", "qunzhu warning" + (" or zombie" if args.old else "")),
                          ("rule", "rule: 4-week active < 30 % of peak")):
        s = summary(groups, method)
        print(f"| {label} | {s['warned14']}/{s['dying']} | {s['warned28']}/{s['dying']} | "
              f"{s['median_lead']:.0f} | {s['false_healthy']} | {s['false_declining']} | "
              f"{s['flapping']} | {s['precision']:.2f} | {s['recall']:.2f} | {s['auc']:.3f} |")
    print(f"\n{len(groups)} groups, {sum(len(g.days) for g in groups)} Sundays replayed in "
          f"{seconds:.0f} s")
    for g in failed:
        print(f"not replayed: {g.path}: {g.error}")


if __name__ == "__main__":
    main()
