"""Tiers 势能 on real groups: is the high tier reached where a few people carry the group,
and does the split differ from group to group?

    python bench/tiers_eval.py [--old]

Reads the development groups (``../shared/data/groups``: 18 freeCodeCamp Gitter rooms,
#yocto 2015, #qtox) as a report sees them and, every Sunday, computes the tiers exactly as
the report does (the last eight weeks: :func:`qunzhu.core.health.member_stats` and
:func:`~qunzhu.core.health.members.assign_tiers`). ``--old`` drops the inferred reply
links (as every report was before reply inference; the rules stay today's).

Per group it prints: weekly reports judged (10+ speakers in the eight weeks), how many of
those with more than 20 active speakers in their last week had a high tier, the median
split (high / middle / ordinary among speakers), the median share of messages written by
the top 5 % of speakers, and the shape of the reply network (pyramid or ring, most common
over the monthly reports).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.health import ad_corpus  # noqa: E402

from qunzhu.core.health.graph import analyse_graph  # noqa: E402
from qunzhu.core.health.history import History  # noqa: E402
from qunzhu.core.health.members import assign_tiers, member_stats  # noqa: E402

WINDOW = 56 * 86400
BUSY = 20  #: active speakers in a week from which a few people surely carry the group


def sundays(h: History) -> list[int]:
    """UTC end of every local Sunday from eight weeks after the first message."""
    if len(h.ts) == 0:
        return []
    first_week = int(h.week[0])
    last_week = int(h.week[-1])
    offset = int(h.local[0] - h.ts[0])
    return [(w * 7 - 3 + 7) * 86400 - offset for w in range(first_week + 8, last_week + 1)]


def top_share(messages: np.ndarray) -> float:
    """Share of the messages written by the top 5 % of speakers (at least one)."""
    spoken = np.sort(messages[messages > 0])[::-1]
    if len(spoken) == 0:
        return 0.0
    k = max(1, int(np.ceil(0.05 * len(spoken))))
    return float(spoken[:k].sum() / spoken.sum())


def judge(name: str, h: History) -> dict[str, object]:
    splits: list[tuple[float, float, float]] = []
    shares: list[float] = []
    busy = busy_high = 0
    shapes: Counter[str] = Counter()
    for k, end in enumerate(sundays(h)):
        stats = member_stats(h, end - WINDOW, end)
        tier = assign_tiers(stats)
        speakers = int((tier >= 0).sum())
        if speakers < 10:
            continue
        counts = [int((tier == t).sum()) for t in range(3)]
        splits.append(tuple(c / speakers for c in counts))  # type: ignore[arg-type]
        shares.append(top_share(stats.messages))
        week = h.speech & (h.ts >= end - 7 * 86400) & (h.ts < end)
        if len(np.unique(h.sender[week])) > BUSY:
            busy += 1
            busy_high += counts[0] > 0
        if k % 4 == 0:
            shapes[analyse_graph(h.slice(end - WINDOW, end)).shape] += 1
    median = tuple(statistics.median(s[i] for s in splits) for i in range(3)) if splits else None
    return {"group": name, "reports": len(splits), "busy": busy, "busy_high": busy_high,
            "split": median, "top5": statistics.median(shares) if shares else None,
            "shape": shapes.most_common(1)[0][0] if shapes else "—",
            "high_any": sum(s[0] > 0 for s in splits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", action="store_true", help="without inferred reply links")
    args = parser.parse_args()
    rows = []
    for source in ("gitter", "yocto", "qtox"):
        start = time.perf_counter()
        for name, h in sorted(ad_corpus.community(source).histories.items()):
            if args.old:
                h = replace(h, inferred_to=np.full(len(h.ts), -1, np.int32),
                            answered_at=np.full(len(h.ts), -1, np.int64))
            rows.append(judge(name.removeprefix("fcc-gitter-"), h))
        print(f"{source}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print(f"{'group':<26}{'reports':>8}{'high>0':>8}{'busy':>6}{'busy high':>10}"
          f"{'median split h/m/o':>22}{'top 5%':>8}  shape")
    for r in rows:
        split = r["split"]
        text = "—" if split is None else "/".join(f"{x:.0%}" for x in split)  # type: ignore[union-attr]
        top = "—" if r["top5"] is None else f"{r['top5']:.0%}"
        print(f"{r['group']:<26}{r['reports']:>8}{r['high_any']:>8}{r['busy']:>6}"
              f"{r['busy_high']:>10}{text:>22}{top:>8}  {r['shape']}")
    reports = sum(int(r["reports"]) for r in rows)  # type: ignore[call-overload]
    high = sum(int(r["high_any"]) for r in rows)  # type: ignore[call-overload]
    busy = sum(int(r["busy"]) for r in rows)  # type: ignore[call-overload]
    busy_high = sum(int(r["busy_high"]) for r in rows)  # type: ignore[call-overload]
    print(f"weekly reports with a high tier: {high}/{reports}; "
          f"busy weeks (>{BUSY} speakers) with a high tier: {busy_high}/{busy}")


if __name__ == "__main__":
    main()
