"""Lifecycle 生命周期 and the zombie warning 僵尸群预警.

Weeks here are calendar weeks, Monday to Sunday in the group's zone, up to the last Sunday
on or before the report's end (``until``): the verdict is weekly, so a report on a
Wednesday shows the verdict of the week that ended on Sunday, and reports of two days of
the same week agree. Each window is labelled by its Monday.

Definitions (docs/health.md explains them with examples):

* **active** — members who said something in the week (joins and system lines excluded);
  **smoothed** — the mean of this week and the three before.
* **peak** — the highest smoothed value so far; the **zombie line** is
  ``max(10% of peak, min(3, half the peak))``: ten per cent of the peak, but never fewer
  than three people unless the group never had six.
* **zombie 僵尸群** — two consecutive weeks whose active count is below the zombie line;
  the group stays zombie until two consecutive weeks are at or above it again.
* **stage** — launch for the first four weeks; otherwise burst when the three-week mean
  grew at least 10% a week over the last four (at or above half the peak), decline when it
  fell at least 8% a week or sits below half the peak while not growing, plateau between.
* **risk** — 0–100, points per signal (:data:`RISK_WEIGHTS`), clipped; the **warning**
  comes on at :data:`WARN_ON` and goes off after two weeks below :data:`WARN_OFF`, and
  stays on through the zombie stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .activity import Activity
from .history import (
    DENSE_CELLS,
    F64,
    I64,
    History,
    distinct_per,
    local_date,
    pair_counts,
    utc_offsets,
)
from .reasons import Note, reason

WEEK = 7 * 86400
LAUNCH_WEEKS = 4
#: risk points per signal at full strength (docs/health.md, "Risk"): the four that ranked
#: weeks best on real groups with known fates carry 25 each (``near`` runs from -1, far above
#: the zombie line, to 1, below it); the playbook's extras add up to 10 (ads) and 20 (newcomers
#: unanswered, only where the export records replies or mentions; owner silent, only where
#: the owner is known). The sum is clipped to 0..100.
RISK_WEIGHTS: dict[str, float] = {
    "near": 25.0, "fall": 25.0, "trend": 25.0, "concentration": 25.0,
    "noise": 10.0, "unanswered": 20.0, "owner_silent": 20.0,
}
WARN_ON = 35.0  #: the warning comes on when the risk reaches this
WARN_OFF = 20.0  #: ... and goes off only after two weeks in a row below this (hysteresis)
ETA_HORIZON = 26.0  #: a trend that needs more weeks than this to reach the line is no forecast
TRAIL = 4  #: weeks of the trailing mean that levels and the peak are measured on
FALL_FROM, FALL_TO = 0.7, 0.1  #: the fall signal runs from 70 % of the peak to 10 %
#: a fall counts only when larger than this many standard deviations of weekly counts
#: that only wobble (Poisson: variance = mean)
WARN_NOISE_SD = 2.0
OVERDISPERSED = 3.0  #: divisor of the variance of a four-week mean (Poisson would be 4)


@dataclass(frozen=True)
class Signal:
    code: str
    value: float  #: 0..1 (``near``: -1..1)
    weight: float
    note: Note


@dataclass(frozen=True)
class Lifecycle:
    weeks: tuple[str, ...]  #: first day of each seven-day window
    active: tuple[int, ...]
    smoothed: tuple[float, ...]
    threshold: tuple[float, ...]  #: the zombie line per window
    stages: tuple[str, ...]
    risk: tuple[float, ...]
    warning: tuple[bool, ...]
    stage: str
    peak: float
    zombie_since: str | None
    current_risk: float
    signals: tuple[Signal, ...]
    weeks_to_zombie: float | None
    notes: tuple[Note, ...] = field(default=())

    @property
    def warned(self) -> bool:
        return bool(self.warning and self.warning[-1])


def windows(h: History, until: int) -> tuple[I64, int]:
    """Window index of every row (0 = oldest) and the number of windows."""
    if len(h.ts) == 0:
        return np.zeros(0, np.int64), 0
    back = (until - h.ts) // WEEK  # 0 for the last window
    count = int(back.max()) + 1 if len(back) else 0
    return count - 1 - back, count


def week_end(h: History, until: int) -> tuple[int, int]:
    """(UTC, local) epoch second of the end of the last Sunday on or before ``until``'s
    local day, in the group's zone; ``until`` itself while the group has no whole week."""
    local = until + int(utc_offsets(np.array([until], np.int64), h.zone)[0])
    day = local // 86400
    sunday = day - (day + 3 + 1) % 7  # (day + 3) % 7 is the weekday, Monday = 0
    end_local = (sunday + 1) * 86400 - 1
    end = end_local - int(utc_offsets(np.array([end_local], np.int64), h.zone)[0])
    speech = h.speech
    if not speech.any() or end < int(h.ts[speech][0]):
        return until, local
    return end, end_local


def analyse_lifecycle(h: History, activity: Activity, until: int) -> Lifecycle:
    until, until_local = week_end(h, until)
    speech = h.speech & (h.ts <= until)
    win, n = windows(h, until)
    if n == 0 or not speech.any():
        return _empty()
    first = int(win[speech].min())
    w = win[speech] - first
    n -= first
    s = h.sender[speech].astype(np.int64)
    active = distinct_per(w, s, n).astype(np.float64)
    smooth = _rolling(active, TRAIL) / np.minimum(np.arange(1, n + 1), TRAIL)
    peak = np.maximum.accumulate(smooth)
    threshold = np.maximum(0.1 * peak, np.minimum(3.0, 0.5 * peak))
    zombie = _zombie_states(active, threshold)
    growth = _slopes(np.log1p(smooth), 4)
    # stages follow a shorter mean (three weeks), so that a fall shows within two weeks
    short = np.convolve(active, np.ones(3) / 3)[:n]
    short[:2] = np.cumsum(active[:2])[:n][:2] / np.arange(1, min(n, 2) + 1)
    turn = _slopes(np.log1p(short), 4)
    stages = []
    for k in range(n):
        if zombie[k]:
            stages.append("zombie")
        elif k < LAUNCH_WEEKS:
            stages.append("launch")
        elif turn[k] >= math.log(1.10) and smooth[k] >= 0.5 * peak[k]:
            stages.append("burst")  # growing back from far below the peak is no burst yet
        elif turn[k] <= -math.log(1.08) or (smooth[k] < 0.5 * peak[k] and turn[k] <= 0):
            stages.append("decline")
        else:
            stages.append("plateau")
    signals_by_week = _signals(h, speech, w, n, s, activity, smooth, peak, growth, until)
    risk = np.zeros(n)
    for code, values in signals_by_week.items():
        risk += RISK_WEIGHTS[code] * values
    risk = np.clip(risk, 0.0, 100.0)
    eta = np.full(n, np.inf)
    # the forecast follows the last four weeks (``growth``): a fall shows there first
    falling = growth < -1e-9
    ratio = np.log(np.maximum(threshold, 0.5) / np.maximum(smooth, 0.5))
    eta[falling] = np.maximum(ratio[falling] / growth[falling], 0)
    warning = _hysteresis(risk, zombie)
    labels = tuple(local_date((until_local - (n - k) * WEEK) // 86400 + 1) for k in range(n))
    since = None
    if zombie[-1]:
        k = n - 1
        while k > 0 and zombie[k - 1]:
            k -= 1
        since = labels[k]
    last = n - 1
    signals = tuple(_signal_note(code, float(values[last]), h, activity, smooth, peak,
                                 growth, until, speech, w, s, n)
                    for code, values in signals_by_week.items())
    eta_now = (float(eta[last]) if math.isfinite(eta[last]) and not zombie[last]
               and eta[last] <= ETA_HORIZON else None)
    notes: tuple[Note, ...] = (_stage_note(stages[last], n, turn[last], smooth[last],
                                           peak[last], threshold[last], since),)
    if eta_now is not None:
        notes += (reason("risk.eta", weeks=max(eta_now, 1.0)),)
    return Lifecycle(
        weeks=labels, active=tuple(int(a) for a in active),
        smoothed=tuple(smooth.round(2).tolist()),
        threshold=tuple(threshold.round(2).tolist()), stages=tuple(stages),
        risk=tuple(risk.round(1).tolist()), warning=tuple(bool(x) for x in warning),
        stage=stages[last], peak=float(peak[last]), zombie_since=since,
        current_risk=float(round(risk[last], 1)), signals=signals, weeks_to_zombie=eta_now,
        notes=notes)


def _hysteresis(risk: F64, zombie: np.ndarray) -> np.ndarray:
    """The warning: on from the week the risk reaches WARN_ON, off only after two weeks in
    a row below WARN_OFF; always on in the zombie stage, else never in the launch weeks. A
    risk that wobbles around one line would switch a warning on and off every week."""
    out = np.zeros(len(risk), bool)
    on, calm = False, 0
    for k in range(len(risk)):
        if zombie[k] or risk[k] >= WARN_ON:
            on, calm = True, 0
        elif on and risk[k] < WARN_OFF:
            calm += 1
            if calm >= 2:
                on, calm = False, 0
        else:
            calm = 0
        if k < LAUNCH_WEEKS and not zombie[k]:
            on, calm = False, 0
        out[k] = on
    return out


def _beyond_noise(smooth: F64, span: int = 4) -> np.ndarray:
    """Whether the smoothed curve fell more over the last ``span`` weeks than chance would
    move it. In a group of a few speakers a week, 6 → 4 is a wobble, not a trend; in a
    group of hundreds, 300 → 200 is not. Both levels are means of four weeks; were the counts
    Poisson, their difference would have variance (before + now) / 4. Real weekly counts vary
    more (people come in bursts), so the variance is taken as (before + now) / 3 (on the
    development set the Poisson value raised 4 more false-alarm weeks)."""
    before = np.concatenate([np.full(span, smooth[0] if len(smooth) else 0.0), smooth])[
        :len(smooth)]
    fall = before - smooth
    return np.asarray(fall > WARN_NOISE_SD * np.sqrt((before + smooth) / OVERDISPERSED))


def _zombie_states(active: F64, threshold: F64) -> np.ndarray:
    below = active < threshold
    out = np.zeros(len(active), bool)
    state = False
    for k in range(1, len(active)):
        if not state and below[k] and below[k - 1]:
            state = True
            out[k - 1] = True
        elif state and not below[k] and not below[k - 1]:
            state = False
            out[k - 1] = False
        out[k] = state
    return out


def _slopes(y: F64, span: int) -> F64:
    """Least-squares slope of y over the trailing ``span`` points at each index."""
    n = len(y)
    out = np.zeros(n)
    for k in range(1, n):
        lo = max(0, k - span + 1)
        seg = y[lo:k + 1]
        x = np.arange(len(seg), dtype=float)
        x -= x.mean()
        out[k] = float((x * (seg - seg.mean())).sum() / (x * x).sum())
    return out


def _clip(x: F64) -> F64:
    return np.clip(x, 0.0, 1.0)


def _signals(h: History, speech: np.ndarray, w: I64, n: int, s: I64, activity: Activity,
             smooth: F64, peak: F64, slope: F64, until: int) -> dict[str, F64]:
    """Each risk signal, scaled 0..1, for every window (using only data up to that window)."""
    out: dict[str, F64] = {}
    level = smooth / np.maximum(peak, 1e-9)
    out["fall"] = _clip((FALL_FROM - level) / (FALL_FROM - FALL_TO))
    # a fall of 20 % a week is full strength; a wobble of small counts is no trend
    out["trend"] = np.where(_beyond_noise(smooth), _clip(-slope / math.log(1.25)), 0.0)
    # near the zombie line, on a log scale: 0 on the line, 1 at a third of it (e ≈ 2.7×
    # below), -1 at 2.7× above it; a quarter person keeps an empty week finite
    threshold = np.maximum(0.1 * peak, np.minimum(3.0, 0.5 * peak))
    out["near"] = np.clip(-np.log((smooth + 0.25) / np.maximum(threshold, 0.5)), -1.0, 1.0)
    # concentration: top-3 share in the last two windows against the eight before
    now = _top3_share(w, s, n, 2, 0)
    before = _top3_share(w, s, n, 8, 2)
    out["concentration"] = _clip((now - before) / 0.3)
    # noise: ads, QR cards, bots and bare red envelopes in the last two windows
    noisy = h.noisy[speech]
    total2 = _rolling(np.bincount(w, minlength=n).astype(float), 2)
    noisy2 = _rolling(np.bincount(w, weights=noisy.astype(float), minlength=n)
                      .astype(np.float64), 2)
    out["noise"] = _clip((noisy2 / np.maximum(total2, 1) - 0.05) / 0.3)
    # newcomers in the last four windows left without an answer
    nts = np.array(activity.newcomer_ts, np.int64)
    ok = np.array(activity.newcomer_answered, bool)
    if len(nts):
        nw = _window_of(nts, until, n)
        keep = nw >= 0
        come = _rolling(np.bincount(nw[keep], minlength=n).astype(float), 4)
        lost = _rolling(np.bincount(nw[keep], weights=(~ok[keep]).astype(float), minlength=n)
                        .astype(np.float64), 4)
        out["unanswered"] = np.where(come >= 2, lost / np.maximum(come, 1), 0.0)
        if not activity.replies_recorded:  # ten minutes of someone else talking is no answer
            out["unanswered"] = np.zeros(n)
    else:
        out["unanswered"] = np.zeros(n)
    out["owner_silent"] = _owner_silence(h, speech, w, n, until)
    return out


def owners_of(h: History, speech: np.ndarray | None = None) -> list[int]:
    """The owner and managers, where the export or the operator named them."""
    return sorted(h.owners)


def likely_owner(h: History) -> int | None:
    """Without roles: the top speaker of the group's first four weeks — a guess shown as
    "likely", never used to judge (founders hand over; bots and eager members talk most)."""
    speech = h.speech
    ts, s = h.ts[speech], h.sender[speech]
    if h.owners or len(ts) == 0:
        return None
    early = s[ts < ts[0] + 4 * WEEK]
    return int(np.bincount(early).argmax())


def _owner_silence(h: History, speech: np.ndarray, w: I64, n: int, until: int) -> F64:
    """1 when the owners have been silent for 21+ days (after having spoken), ramping from 7."""
    owners = owners_of(h, speech)
    out = np.zeros(n)
    if not owners:
        return out
    mask = np.isin(h.sender[speech], owners)
    times = h.ts[speech][mask]
    if len(times) == 0:
        return out
    ends = until - (n - 1 - np.arange(n)) * WEEK
    idx = np.searchsorted(times, ends, "right") - 1
    spoke = idx >= 0
    silent_days = np.where(spoke, (ends - times[np.maximum(idx, 0)]) / 86400, 0)
    out = np.clip((silent_days - 7) / 14, 0, 1)
    return np.where(spoke, out, 0.0)


def _window_of(ts: I64, until: int, n: int) -> I64:
    back = (until - ts) // WEEK
    return np.where((back >= 0) & (back < n), n - 1 - back, -1)


def _rolling(x: F64, span: int) -> F64:
    c = np.cumsum(np.concatenate(([0.0], x)))
    k = np.arange(len(x))
    return np.asarray(c[k + 1] - c[np.maximum(k + 1 - span, 0)], np.float64)


def _top3_share(w: I64, s: I64, n: int, span: int, lag: int) -> F64:
    """Top-3 speakers' share of messages in windows [k-lag-span+1, k-lag], per k."""
    top = int(s.max()) + 1 if len(s) else 1
    out = np.zeros(n)
    if len(w) == 0:
        return out
    if n * top <= DENSE_CELLS:  # per-window counts as a table; windows summed by cumsum
        table = np.cumsum(pair_counts(w, s, n, top), axis=0)
        for k in range(n):
            hi = k - lag
            if hi < 0:
                continue
            lo = hi - span + 1
            row = table[hi] - (table[lo - 1] if lo >= 1 else 0)
            total = row.sum()
            if total:
                out[k] = np.partition(row, -3)[-3:].sum() / total if top >= 3 else 1.0
        return out
    pairs, counts = np.unique(w * top + s, return_counts=True)
    pw, ps = pairs // top, pairs % top
    per_window: list[dict[int, int]] = [{} for _ in range(n)]
    for a, b, c in zip(pw.tolist(), ps.tolist(), counts.tolist(), strict=True):
        per_window[a][b] = c
    for k in range(n):
        hi = k - lag
        lo = hi - span + 1
        if hi < 0:
            continue
        merged: dict[int, int] = {}
        for j in range(max(lo, 0), hi + 1):
            for b, c in per_window[j].items():
                merged[b] = merged.get(b, 0) + c
        total = sum(merged.values())
        if total:
            out[k] = sum(sorted(merged.values(), reverse=True)[:3]) / total
    return out


def _signal_note(code: str, value: float, h: History, activity: Activity, smooth: F64,
                 peak: F64, slope: F64, until: int, speech: np.ndarray, w: I64, s: I64,
                 n: int) -> Signal:
    weight = RISK_WEIGHTS[code]
    if code == "fall":
        note = reason("risk.fall", active=float(smooth[-1]), peak=float(peak[-1]),
                      share=float(smooth[-1] / max(peak[-1], 1e-9)))
    elif code == "trend":
        note = reason("risk.trend", fall=1 - math.exp(min(slope[-1], 0)))
    elif code == "near":
        threshold = max(0.1 * peak[-1], min(3.0, 0.5 * peak[-1]))
        note = reason("risk.near", active=float(smooth[-1]), threshold=threshold,
                      ratio=float(smooth[-1] / max(threshold, 1e-9)))
    elif code == "concentration":
        note = reason("risk.concentration", now=float(_top3_share(w, s, n, 2, 0)[-1]),
                      before=float(_top3_share(w, s, n, 8, 2)[-1]))
    elif code == "noise":
        recent = speech & (h.ts > until - 2 * WEEK)
        noisy = h.noisy & recent
        note = reason("risk.noise", share=float(noisy.sum() / max(recent.sum(), 1)))
    elif code == "unanswered":
        nts = np.array(activity.newcomer_ts, np.int64)
        ok = np.array(activity.newcomer_answered, bool)
        recent = nts > until - 4 * WEEK
        note = reason("risk.unanswered", unanswered=int((recent & ~ok).sum()),
                      newcomers=int(recent.sum()))
    else:
        owners = owners_of(h)
        times = h.ts[speech][np.isin(h.sender[speech], owners)]
        if not owners:
            note = reason("risk.owner_unknown")
        else:
            days = int((until - times[-1]) // 86400) if len(times) else 0
            note = reason("risk.owner_silent", days=days)
    return Signal(code, round(value, 3), weight, note)


def _stage_note(stage: str, n: int, growth: float, smooth: float, peak: float,
                threshold: float, since: str | None) -> Note:
    if stage == "zombie":
        return reason("stage.zombie", since=since, threshold=threshold, peak=peak)
    if stage == "launch":
        return reason("stage.launch", weeks=n)
    if stage == "burst":
        return reason("stage.burst", growth=math.exp(growth) - 1)
    share = smooth / peak if peak else 0.0
    if stage == "decline":
        return reason("stage.decline", active=smooth, share=share, peak=peak)
    return reason("stage.plateau", active=smooth, share=share)


def _empty() -> Lifecycle:
    return Lifecycle((), (), (), (), (), (), (), "empty", 0.0, None, 0.0, (), None,
                     (reason("stage.empty"),))
