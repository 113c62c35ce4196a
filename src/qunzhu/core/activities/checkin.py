"""Check-in challenges 打卡, pure (no Django): which day a moment falls on, whether a
message counts, streaks and make-up cards 补卡.

Days are local days in the community's zone: a check-in at 23:30 in Shanghai belongs to
that evening's day even though it is 15:30 UTC. Day 1 is the challenge's start date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from qunzhu.core.text import fold

#: message kinds that carry a photo (a "photo note" check-in is a picture plus words)
PHOTO_KINDS = frozenset({"image", "video"})

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
#: "第3天", "第三天", "第 12 天", "day 3", "D3", "Day3"
_DAY_RE = re.compile(r"第\s*([0-9]{1,3}|[零〇一二两三四五六七八九十百]{1,4})\s*[天日]"
                     r"|\bd(?:ay)?\s*([0-9]{1,3})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ChallengeSpec:
    """What a challenge is: when, how long, and what counts as a check-in."""

    start: date
    days: int
    zone: ZoneInfo
    keyword: str = "#打卡"
    min_length: int = 0
    photo_required: bool = False
    makeup_limit: int = 2
    #: a missed day can be made up this many days later at most (0 = any earlier day)
    makeup_window: int = 3

    @property
    def end(self) -> date:
        """The last day of the challenge."""
        return self.start + timedelta(days=self.days - 1)

    def day_date(self, n: int) -> date:
        return self.start + timedelta(days=n - 1)

    def day_of(self, moment: datetime) -> int | None:
        """The challenge day (1-based) of an aware moment, or None outside the challenge."""
        n = self.day_index(moment.astimezone(self.zone).date())
        return n if 1 <= n <= self.days else None

    def day_index(self, day: date) -> int:
        """Day number of a local date, unbounded (0 = the day before the start)."""
        return (day - self.start).days + 1


def search_word(keyword: str) -> str:
    """The part of a keyword to look for in stored text: "#打卡" → "打卡", because members
    type the hash half-width or full-width (＃) and only :func:`judge` folds both."""
    return keyword.strip().lstrip("#＃").strip() or keyword.strip()


def chinese_number(text: str) -> int | None:
    """十二 → 12, 二十一 → 21, 一百 → 100 (the numbers people write in 第X天)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def claimed_day(text: str) -> int | None:
    """The day a member wrote in their check-in ("#打卡 第3天" → 3), if any."""
    match = _DAY_RE.search(text)
    if not match:
        return None
    return chinese_number(match.group(1) or match.group(2))


@dataclass(frozen=True, slots=True)
class Verdict:
    counts: bool
    #: why not: "keyword", "length", "photo" (empty when it counts)
    missing: str = ""
    claimed_day: int | None = None


def judge(spec: ChallengeSpec, text: str, *, kind: str = "text",
          has_photo: bool = False) -> Verdict:
    """Does this message count as a check-in? The keyword is matched folded (繁/简,
    full-width, case), the length is counted without the keyword itself."""
    folded = fold(unicodedata.normalize("NFKC", text or ""))
    keyword = fold(unicodedata.normalize("NFKC", spec.keyword.strip()))
    if keyword and keyword not in folded:
        return Verdict(False, "keyword")
    body = folded.replace(keyword, "") if keyword else folded
    body = _DAY_RE.sub("", body).strip()
    if len(body) < spec.min_length:
        return Verdict(False, "length", claimed_day(text or ""))
    if spec.photo_required and not (has_photo or kind in PHOTO_KINDS):
        return Verdict(False, "photo", claimed_day(text or ""))
    return Verdict(True, "", claimed_day(text or ""))


@dataclass(frozen=True, slots=True)
class Progress:
    """One member's standing in a challenge on a given day."""

    days: int
    today: int  # challenge day of "now" (may be < 1 before the start or > days after)
    done: frozenset[int]
    makeups: frozenset[int]
    makeup_limit: int
    current_streak: int
    longest_streak: int

    @property
    def count(self) -> int:
        return len(self.done)

    @property
    def missed(self) -> list[int]:
        """Past days of the challenge with no check-in (today is not missed yet)."""
        last_past = min(self.today - 1, self.days)
        return [n for n in range(1, last_past + 1) if n not in self.done]

    @property
    def makeups_left(self) -> int:
        return max(0, self.makeup_limit - len(self.makeups))

    @property
    def completed(self) -> bool:
        return self.count >= self.days

    @property
    def rate(self) -> float:
        """Share of the days so far that are checked in."""
        elapsed = max(0, min(self.today, self.days))
        return self.count / elapsed if elapsed else 0.0


def progress(spec: ChallengeSpec, days: Iterable[int], today: date,
             makeups: Iterable[int] = ()) -> Progress:
    """Streaks over the checked days (make-up days count; they exist to save a streak).

    The current streak runs back from today, or from yesterday while today is still open:
    a member who checked in yesterday has not broken anything at 9 a.m.
    """
    done = frozenset(n for n in days if 1 <= n <= spec.days)
    made = frozenset(n for n in makeups if n in done)
    t = spec.day_index(today)
    longest = run = 0
    for n in range(1, spec.days + 1):
        run = run + 1 if n in done else 0
        longest = max(longest, run)
    anchor = min(t, spec.days)
    if anchor not in done:
        anchor -= 1
    current = 0
    while anchor >= 1 and anchor in done:
        current += 1
        anchor -= 1
    return Progress(days=spec.days, today=t, done=done, makeups=made,
                    makeup_limit=spec.makeup_limit, current_streak=current,
                    longest_streak=longest)


def makeup_refusal(spec: ChallengeSpec, state: Progress, day: int) -> str:
    """Why a make-up card for ``day`` is refused ("" when it may be used):
    "range", "future" (today and later are checked in normally), "done", "limit", "late"."""
    if not 1 <= day <= spec.days:
        return "range"
    if day >= state.today:
        return "future"
    if day in state.done:
        return "done"
    if state.makeups_left <= 0:
        return "limit"
    if spec.makeup_window and state.today - day > spec.makeup_window:
        return "late"
    return ""


def leaderboard(states: dict[int, Progress]) -> list[tuple[int, Progress]]:
    """Members by days checked in, then current streak, then longest streak; ties keep
    the caller's order (e.g. enrolment order), so the board is stable."""
    return sorted(states.items(), key=lambda kv: (-kv[1].count, -kv[1].current_streak,
                                                  -kv[1].longest_streak))
