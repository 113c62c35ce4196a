"""Precision and recall of the hard-ad detector on the hand-labelled messages.

The labels (tests/health/fixtures/ad_labels.tsv, read by tests/health/ad_corpus.py) are
messages of the development set (../shared/data: 18 freeCodeCamp Gitter rooms, #yocto
2015, #qtox) and of the demo community: every message the old detector flagged in the
development set, a sample of those it flagged in the demo (up to 14 of each ad text), those
the new detector flags, a random sample of newcomers' links that neither flags (40 from
Gitter, 40 from #yocto, 30 from #qtox: where missed promotion would hide), and 15 members'
article links in the demo. Each is judged in its real context: its group's whole history,
all groups of its community read together. The rules were written while reading these
same logs, so the figures are in-sample: expect less on groups never looked at.

Prints, per source and in total, for the old detector (any ad phrase, QR phrase or
mini-program card; or a flagged text posted 3+ times by 2+ accounts or in 2+ groups) and
the new one (qunzhu.core.health.ads): labelled messages, labelled ads, flagged, flagged
ads, precision and recall. Recall is over the labelled ads, which were drawn mostly from
what some detector flagged: it says what the new rules give up against the old ones,
not how many ads exist.

Usage: .venv/bin/python bench/ads_eval.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.health import ad_corpus  # noqa: E402

from qunzhu.core.health.flags import F_AD, F_LINK, F_QR  # noqa: E402
from qunzhu.core.health.history import K_MINI, History  # noqa: E402


def old_ads(histories: dict[str, History]) -> dict[str, np.ndarray]:
    """The detector before hard ads needed evidence, over a community's groups."""
    keys, accounts, groups, flagged = [], [], [], []
    for g, h in enumerate(histories.values()):
        rows = h.speech & (h.text_key != 0) & (h.length >= 10)
        keys.append(h.text_key[rows])
        sender = h.sender[rows].astype(np.int64)
        person = h.people[sender]
        accounts.append(np.where(person >= 0, person, sender + ((g + 1) << 32)))
        groups.append(np.full(int(rows.sum()), g, np.int64))
        flagged.append(((h.flags[rows] & (F_LINK | F_AD | F_QR)) != 0) | (h.kind[rows] == K_MINI))
    key, acc = np.concatenate(keys), np.concatenate(accounts)
    grp, flag = np.concatenate(groups), np.concatenate(flagged)
    uniq, n = np.unique(key, return_counts=True)
    sel = np.isin(key, uniq[n >= 3])
    key, acc, grp, flag = key[sel], acc[sel], grp[sel], flag[sel]
    spread = []
    for other in (acc, grp):
        pairs = np.unique(np.stack([key, other]), axis=1)[0]
        k, m = np.unique(pairs, return_counts=True)
        spread.append(k[m >= 2])
    spam = np.intersect1d(np.union1d(*spread), np.unique(key[flag]))
    return {name: h.speech & ((((h.flags & (F_AD | F_QR)) != 0) | (h.kind == K_MINI))
                              | np.isin(h.text_key, spam))
            for name, h in histories.items()}


def row(name: str, truth: list[bool], said: list[bool]) -> str:
    ads = sum(truth)
    flagged = sum(said)
    hits = sum(t and s for t, s in zip(truth, said, strict=True))
    precision = f"{hits / flagged:.3f}" if flagged else "  -  "
    recall = f"{hits / ads:.3f}" if ads else "  -  "
    return f"{name:<16}{len(truth):>8}{ads:>6}{flagged:>9}{hits:>6}{precision:>11}{recall:>8}"


def main() -> None:
    head = (f"{'':<16}{'labelled':>8}{'ads':>6}{'flagged':>9}{'hits':>6}{'precision':>11}"
            f"{'recall':>8}")
    totals: dict[str, tuple[list[bool], list[bool]]] = {"old": ([], []), "new": ([], [])}
    lines = {"old": [], "new": []}
    for source in ad_corpus.SOURCES:
        if not ad_corpus.available(source):
            print(f"{source}: ../shared/data is not here; skipped", file=sys.stderr)
            continue
        start = time.perf_counter()
        com = ad_corpus.community(source)
        old = old_ads(com.histories)
        truth, said_new, said_old = [], [], []
        for label in ad_corpus.labels():
            if label.source != source:
                continue
            i = com.find(label.group, label.sent_at, label.sender, label.text)
            truth.append(label.ad)
            said_new.append(bool(com.histories[label.group].ads[i]))
            said_old.append(bool(old[label.group][i]))
        for which, said in (("old", said_old), ("new", said_new)):
            lines[which].append(row(source, truth, said))
            totals[which][0].extend(truth)
            totals[which][1].extend(said)
        print(f"{source}: read and judged in {time.perf_counter() - start:.1f} s",
              file=sys.stderr)
    for which, title in (("old", "old detector (phrase, QR or card; repeats)"),
                         ("new", "new detector (qunzhu.core.health.ads)")):
        print(f"\n{title}\n{head}")
        print("\n".join(lines[which]))
        print(row("total", *totals[which]))


if __name__ == "__main__":
    main()
