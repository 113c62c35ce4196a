"""The rules engine: a stream of :class:`ChatEvent` in, :class:`Finding` values out.

One engine judges one community: events arrive through :meth:`Engine.feed`, which
returns what they triggered at once, so a bot can act on a message as it arrives and a
preview can replay months of history through the same code. Events must come in time
order within each group, and merged across groups in time order for ``hard_ad``'s copies
across groups (``heapq.merge`` of per-group streams by timestamp); every other check
looks at one group at a time. The engine keeps state (bursts in progress, warnings given
tonight, copies seen today): a run that starts mid-stream should replay the last day
first. It never raises on an event (a bad one is logged and skipped) and is
deterministic: the same events give the same findings, in rule order.

What each kind catches (parameters in :data:`qunzhu.core.rules.book.PARAMS`):

- ``quiet_hours``: every message inside the local-time window [start, end) — the
  community's time zone, converted per event, so daylight-saving days are right. A window
  that crosses midnight belongs to the night it began (01:30 on the 2nd is the night of
  the 1st).
- ``hard_ad``: a keyword (matched on folded text: Traditional, full-width and case do not
  matter; a keyword that starts with a letter or digit must start a word, so "earn money"
  is not found in "learn money" nor "click the link" in "right-click the link"); a
  mini-program card or QR pointer (``block_cards``); a link to a domain outside
  ``allowed_domains`` (``block_links``, off by default: a link alone is not an ad, see
  ``newcomer_link``); one member posting the same folded text of ``repeat_min_length``
  characters or more in ``repeat_across_groups`` groups within 24 hours (then every copy
  is a finding, the earlier ones included, and later copies as they come; copies by
  different members are not added up: many people say the same sentence).
- ``flood``: one finding per burst: ``max_messages`` from one member in one group within
  ``window_s``; the burst lasts until the member is quiet for ``window_s`` and is not
  reported again meanwhile (a mute should stop it). Likewise ``repeat_count`` copies of
  one text within ``repeat_window_s`` among the member's last 16 long texts (texts of
  ``repeat_min_length`` characters or more once trimmed; red envelopes are not texts).
- ``newcomer_link``: a link or card within ``window_minutes`` of joining. The join time
  is the JOIN event seen in the stream, unless the member had spoken in that group earlier
  in the stream (a rejoin of a known member), else ``MemberInfo.joined``.
- ``red_envelope_only``: at a red envelope, the member's speech in the last
  ``period_days`` is ``min_envelopes`` envelopes or more and nothing else. Reported once;
  again only after ``period_days`` or after the member said something.
- ``size_cap``: the group size from ``Context.group_sizes`` (a group without a known size
  is not judged), +1 per JOIN, -1 per LEAVE. Judged on the group's first event, then
  when it reaches ``noise_at`` and the capacity (``Context.capacities``, default 500);
  each alert is re-armed once the size falls below 95 % of its line.

Members whose roles meet ``exempt_roles`` are not judged (every kind but ``size_cap``).
Only speech counts (kinds outside ``NON_SPEECH_KINDS``) except for ``size_cap`` and
the join times of ``newcomer_link``.

Responses become :class:`~qunzhu.core.events.Action` values in the rule's order. DELETE
deletes every evidence message; WARN, MUTE, NOTIFY and STRIKE come once per episode, so
a member who posts five messages at 1 a.m. is warned (and struck) once that night, not
five times: the episode is the local night for ``quiet_hours`` and ten minutes per
member (:data:`ACTION_COOLDOWN_S`) for ``hard_ad`` and ``newcomer_link``; a flood burst,
an envelope finding and a size alert are episodes of their own.

Evidence ids are ``ChatEvent.message_id``, or ``ChatEvent.content_key()`` for platforms
without ids (ordinal 0: two identical messages in the same second share a key).

Speed (``bench/rules_bench.py``): the engine looks up per-member state once per event,
calls a check only when it can fire (quiet hours inside the window, newcomers within
their window, red-envelope checks on envelopes), folds each text once (short texts from
a cache), keeps flood counts in a fixed ring per member and scans text with one or two
regexes in the common "nothing here" case.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any

from ..events import NON_SPEECH_KINDS, Action, ActionKind, ChatEvent, MessageKind
from ..health.flags import LINK_MARKERS, QR_PHRASES
from ..text import fold, traditional_chars
from .book import Response, Rule, Rulebook, RulebookError, RuleKind
from .messages import say, sentence, template

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 500  #: members a group may have when Context.capacities does not say
ACTION_COOLDOWN_S = 600  #: one warning / mute / notice / strike per member per rule per 10 min
REPEAT_ACROSS_S = 86400  #: hard_ad: copies across groups count within 24 hours
REARM = 0.95  #: size_cap: an alert re-arms below 95 % of its line
SHORT_TEXT = 12  #: texts this short are folded once and remembered

_JOIN, _LEAVE = MessageKind.JOIN, MessageKind.LEAVE
_RED, _CARD, _LINK = MessageKind.RED_ENVELOPE, MessageKind.MINI_PROGRAM, MessageKind.LINK
_WORDISH = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_DOMAIN = re.compile(r"(?:https?://|www\.)([^\s/?#:，。、；！？）)\]>\"'<]+)")
Key = tuple[str, str]


# -- inputs and outputs ------------------------------------------------------------------

@dataclass(frozen=True)
class MemberInfo:
    """What the engine knows of a member in a group: roles (lower case; exempt roles are
    compared in lower case) and when they joined."""

    roles: frozenset[str] = frozenset()
    joined: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(r.lower() for r in self.roles))


@dataclass(frozen=True)
class Context:
    """The community around the events: its time zone (quiet hours are local time),
    members by ``(group_key, sender_key)``, current member counts and capacities."""

    tz: tzinfo
    members: Mapping[Key, MemberInfo] = field(default_factory=dict)
    group_sizes: Mapping[str, int] = field(default_factory=dict)
    capacities: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule caught: who, where, when, the messages (``evidence``), a reason (``code``
    and ``detail``, JSON-ready), the actions to take and whether it is a strike."""

    rule_id: str
    kind: RuleKind
    group_key: str
    sender_key: str
    sender_name: str
    at: datetime
    evidence: tuple[str, ...]
    code: str
    detail: Mapping[str, Any]
    actions: tuple[Action, ...]
    strike: bool

    def text(self, lang: str = "zh-hans") -> str:
        """One sentence in ``lang`` (en, zh-hans, zh-hant)."""
        return say(self.code, lang, **self.detail)

    @property
    def key(self) -> str:
        """A stable dedupe key (at most 60 characters): the same finding from a replay of
        the same events has the same key."""
        last = self.evidence[-1] if self.evidence else self.at.isoformat()
        raw = "\x1f".join((self.rule_id, self.group_key, self.sender_key, self.code, last))
        digest = hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=12)
        return f"{self.rule_id[:34]}:{digest.hexdigest()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the sentence in English and Simplified Chinese."""
        return {"rule_id": self.rule_id, "kind": self.kind.value, "group_key": self.group_key,
                "sender_key": self.sender_key, "sender_name": self.sender_name,
                "at": self.at.isoformat(), "evidence": list(self.evidence), "code": self.code,
                "detail": dict(self.detail), "actions": [a.to_dict() for a in self.actions],
                "strike": self.strike, "key": self.key,
                "text": {lang: self.text(lang) for lang in ("en", "zh-hans")}}


# -- helpers -----------------------------------------------------------------------------

def _mid(event: ChatEvent) -> str:
    return event.message_id or event.content_key()


def _name(event: ChatEvent) -> str:
    return event.sender_name or event.sender_key


def _excerpt(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def _phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of literal phrases, longest first (None for no phrase).

    Word boundaries are checked by :func:`_search` in Python: a lookbehind in every
    alternative makes the regex twenty times slower.
    """
    unique = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    return re.compile("|".join(re.escape(p) for p in unique)) if unique else None


def _search(regex: re.Pattern[str], text: str) -> str | None:
    """The first phrase of ``regex`` in ``text`` whose start is not inside a word."""
    match = regex.search(text)
    while match is not None:
        start, found = match.start(), match.group()
        if start == 0 or found[0] not in _WORDISH or text[start - 1] not in _WORDISH:
            return found
        match = regex.search(text, start + 1)
    return None


class _Prefilter:
    """Whether a folded text may contain one of the phrases: the fast common "no".

    Phrases that start with an ASCII character and the others go into separate regexes,
    and pure-ASCII texts skip the second one: one alternation of all phrases scans an
    English message three times slower (its first-character set is larger).
    """

    __slots__ = ("ascii", "other")

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = [p for p in phrases if p]
        self.ascii = _phrases(p for p in phrases if p[0].isascii())
        self.other = _phrases(p for p in phrases if not p[0].isascii())

    def search(self, text: str) -> bool:
        if self.ascii is not None and self.ascii.search(text) is not None:
            return True
        return self.other is not None and not text.isascii() and \
            self.other.search(text) is not None


def _domains(folded: str) -> list[str]:
    out = []
    for match in _DOMAIN.finditer(folded):
        domain = match.group(1).strip(".")
        out.append(domain[4:] if domain.startswith("www.") else domain)
    return out


def _allowed(domain: str, allowed: tuple[str, ...]) -> bool:
    return any(domain == a or domain.endswith("." + a) for a in allowed)


def _clean_domains(words: Iterable[str]) -> tuple[str, ...]:
    out = []
    for word in words:
        word = fold(word).strip().removeprefix("https://").removeprefix("http://")
        word = word.removeprefix("www.").split("/")[0].strip(".")
        if word:
            out.append(word)
    return tuple(out)


_HHMM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]
#: what qunzhu.core.text.fold turns into ASCII (full-width letters, digits, space)
_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")


@lru_cache(maxsize=1)
def _traditional() -> Callable[[str], re.Match[str] | None]:
    """Search for a character OpenCC's t2s would change (the set fold() converts)."""
    return re.compile("[" + "".join(sorted(traditional_chars())) + "]").search


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


# -- checks ------------------------------------------------------------------------------

class _Member:
    """What the engine keeps of one member in one group, shared by the checks: the roles,
    the join time (a JOIN in the stream, else ``MemberInfo.joined``), whether they have
    spoken in the stream, and when they last said something that was not a red envelope.
    Looked up once per event, so checks with nothing to do for an event are not called."""

    __slots__ = ("joined", "last_other", "roles", "spoke", "until")

    def __init__(self, info: MemberInfo | None, newcomer_window: float) -> None:
        self.roles: frozenset[str] = info.roles if info is not None else frozenset()
        joined = info.joined if info is not None else None
        self.joined: float | None = None
        self.until = -math.inf  #: newcomer checks run until then (join + longest window)
        if joined is not None:
            self.join(joined.timestamp(), newcomer_window)
        self.spoke = False
        self.last_other: float | None = None

    def join(self, t: float, newcomer_window: float) -> None:
        self.joined = t
        self.until = t + newcomer_window if newcomer_window else -math.inf


class _Config:
    """One rule as it applies in one group, with everything a check needs precomputed."""

    def __init__(self, rule: Rule, lang: str) -> None:
        self.rule = rule
        self.params = rule.params
        self.exempt: frozenset[str] = frozenset(rule.params.get("exempt_roles", ()))
        self.responses = rule.responses
        self.strike = Response.STRIKE in rule.responses
        self.title = rule.display_title(lang)
        custom = rule.params.get("warning", "")
        self.warning: str = custom or template("warning", lang)
        self.mute_s = int(rule.params.get("mute_minutes", 0)) * 60


class _Check:
    """Base of the per-kind checks. One instance per rule (its state spans the groups);
    one :class:`_Config` per group where the rule applies.

    ``calls`` says which speech events reach :meth:`speech`: "speech" (all), "quiet"
    (those inside the config's local-time window), "envelope" (red envelopes only) or
    "newcomer" (members with a join time within the plan's longest newcomer window). The
    engine checks these cheap conditions itself: a call per rule and message is a good
    part of the cost of judging a message.
    """

    calls = "speech"
    wants_membership = False
    wants_start = False
    needs_fold = False

    def __init__(self, engine: Engine, rule: Rule) -> None:
        self.engine = engine
        self.rule_id = rule.id
        self.kind = rule.kind
        self.lang = engine.rulebook.language

    def config(self, rule: Rule) -> _Config:
        return _Config(rule, self.lang)

    def speech(self, cfg: Any, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        """A member said something."""

    def membership(self, cfg: Any, ev: ChatEvent, t: float, out: list[Finding]) -> None:
        """A JOIN or LEAVE event."""

    def start(self, cfg: Any, ev: ChatEvent, out: list[Finding]) -> None:
        """The group's first event."""

    def emit(self, cfg: _Config, ev: ChatEvent, code: str, detail: dict[str, Any],
             evidence: Iterable[ChatEvent], first: bool, out: list[Finding],
             *, group_level: bool = False) -> None:
        """Append the finding with its actions (see the module docstring)."""
        lang = self.lang
        detail["group"] = ev.group_name or ev.group_key
        reason = sentence(code, lang, detail)
        evidence = tuple(evidence)
        g = ev.group_key
        sender = "" if group_level else ev.sender_key
        name = "" if group_level else ev.sender_name
        actions: list[Action] = []
        for response in cfg.responses:
            if response is Response.DELETE and not group_level:
                actions.extend([Action(ActionKind.DELETE, e.group_key, reason=reason,
                                       target_sender_key=e.sender_key, message_id=_mid(e),
                                       target_name=e.sender_name) for e in evidence])
            elif not first:
                continue
            elif response is Response.WARN and not group_level:
                text = cfg.warning.format(name=name or sender, rule=cfg.title)
                actions.append(Action(ActionKind.POST, g, text=text, target_sender_key=sender,
                                      reason=reason, target_name=name))
            elif response is Response.MUTE and not group_level:
                actions.append(Action(ActionKind.MUTE, g, target_sender_key=sender,
                                      reason=reason, duration_s=cfg.mute_s, target_name=name))
            elif response is Response.NOTIFY:
                text = reason if group_level else say("notify", lang, group=detail["group"],
                                                      sentence=reason)
                actions.append(Action(ActionKind.NOTIFY_OPERATOR, g, text=text,
                                      target_sender_key=sender, reason=reason,
                                      target_name=name))
        ids = tuple([e.message_id or e.content_key() for e in evidence]) \
            if len(evidence) != 1 else (_mid(evidence[0]),)
        out.append(Finding(self.rule_id, self.kind, g, sender, name, ev.timestamp, ids, code,
                           detail, tuple(actions), first and cfg.strike and not group_level))


class _QuietConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        self.start_text, self.end_text = rule.params["start"], rule.params["end"]
        self.start = _minutes(self.start_text)
        self.end = _minutes(self.end_text)
        self.crosses = self.start > self.end
        self.flood_min = int(rule.params["flood_min"])
        #: 1 for each minute of the day inside the window; the last entry is the minute of
        #: a time the zone cannot express (never inside)
        self.inside = bytes(
            (m >= self.start or m < self.end) if self.crosses else self.start <= m < self.end
            for m in range(1440)) + b"\0"


class _QuietHours(_Check):
    calls = "quiet"  # the engine calls it only inside the window (most messages are not)

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.last_night: dict[Key, int] = {}
        self.nights: dict[int, str] = {}  # date ordinal → ISO date
        self.cache = engine.local_cache

    def config(self, rule: Rule) -> _QuietConfig:
        return _QuietConfig(rule, self.lang)

    def speech(self, cfg: _QuietConfig, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        local = self.cache.get(int(t // 60))
        if local is None:
            local = self.engine.local(t)
        minute, day = local
        if not cfg.inside[minute]:
            return
        night = day - 1 if cfg.crosses and minute < cfg.end else day
        if member.roles and not cfg.exempt.isdisjoint(member.roles):
            return
        first = self.last_night.get(key) != night
        self.last_night[key] = night
        iso = self.nights.get(night)
        if iso is None:
            iso = self.nights[night] = date.fromordinal(max(night, 1)).isoformat()
        detail = {"name": ev.sender_name or ev.sender_key, "start": cfg.start_text,
                  "end": cfg.end_text, "local": _HHMM[minute], "night": iso,
                  "flood_min": cfg.flood_min}
        self.emit(cfg, ev, "quiet_hours.message", detail, (ev,), first, out)


class _AdConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        p = rule.params
        keywords = [fold(k) for k in p["keywords"]]
        self.keywords = _phrases(keywords)
        self.block_cards = bool(p["block_cards"])
        self.block_links = bool(p["block_links"])
        self.qr = _phrases(QR_PHRASES) if self.block_cards else None
        maybe = _Prefilter(keywords + (list(QR_PHRASES) if self.block_cards else []))
        self.maybe_ascii, self.maybe_other = maybe.ascii, maybe.other
        #: kinds that are looked at whatever their text (cards, links)
        self.special_kinds = frozenset({_CARD} if self.block_cards else set()) | \
            frozenset({_LINK} if self.block_links else set())
        self.special = bool(self.special_kinds)
        self.allowed = _clean_domains(p["allowed_domains"])
        self.repeat_n = int(p["repeat_across_groups"])
        self.repeat_min = int(p["repeat_min_length"])
        self.repeat_from = self.repeat_min if self.repeat_n else math.inf


#: one copy of a long text: (time, event, already reported as an ad)
_Post = tuple[float, ChatEvent, bool]


class _HardAd(_Check):
    needs_fold = True

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.copies: dict[tuple[str, str], list[_Post]] = {}
        self.campaigns: dict[tuple[str, str], list[Any]] = {}  # [last seen, groups]
        self.sweep_at = -math.inf
        self.acted: dict[Key, float] = {}

    def config(self, rule: Rule) -> _AdConfig:
        return _AdConfig(rule, self.lang)

    def first(self, key: Key, t: float) -> bool:
        last = self.acted.get(key)
        if last is not None and 0 <= t - last < ACTION_COOLDOWN_S:
            return False
        self.acted[key] = t
        return True

    def hit(self, cfg: _AdConfig, kind: str, folded: str) -> tuple[str, dict[str, Any]] | None:
        if cfg.block_cards and kind == _CARD:
            return "hard_ad.card", {}
        found = _search(cfg.keywords, folded) if cfg.keywords is not None else None
        if found is not None:
            return "hard_ad.keyword", {"keyword": found}
        found = _search(cfg.qr, folded) if cfg.qr is not None else None
        if found is not None:
            return "hard_ad.qr", {"keyword": found}
        if cfg.block_links and (kind == _LINK or "http" in folded or "www." in folded):
            domains = _domains(folded)
            bad = [d for d in domains if not _allowed(d, cfg.allowed)]
            if bad or (kind == _LINK and not domains):
                return "hard_ad.link", {"domain": bad[0] if bad else "?"}
        return None

    def speech(self, cfg: _AdConfig, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        if member.roles and not cfg.exempt.isdisjoint(member.roles):
            return
        # the common case: one or two regex scans say "no ad here"
        hit = None
        if folded:
            ascii_phrases, other = cfg.maybe_ascii, cfg.maybe_other
            if (ascii_phrases is not None and ascii_phrases.search(folded) is not None) or \
                    (other is not None and not folded.isascii()
                     and other.search(folded) is not None):
                hit = self.hit(cfg, ev.kind, folded)
        if hit is None and cfg.special and (ev[6] in cfg.special_kinds or (
                cfg.block_links and ("http" in folded or "www." in folded))):
            hit = self.hit(cfg, ev[6], folded)
        if hit is not None:
            code, detail = hit
            detail["name"] = _name(ev)
            self.emit(cfg, ev, code, detail, (ev,), self.first(key, t), out)
        if len(folded) >= cfg.repeat_from:
            text = folded.strip()
            if len(text) >= cfg.repeat_min:
                self.repeat(cfg, ev, t, text, hit is not None, out)

    def repeat(self, cfg: _AdConfig, ev: ChatEvent, t: float, text: str, reported: bool,
               out: list[Finding]) -> None:
        """One member posting the same long text in ``repeat_n`` groups within 24 hours:
        every copy is a finding, the earlier ones included, and so is each later copy
        while the member keeps posting it (less than 24 hours apart).

        Copies by different members are not counted together: a sentence many people say
        ("does anyone have the slides?") is not a campaign. Copies are compared across
        groups, so the groups' events must come merged in time order.
        """
        key = (text, ev[3])
        if t >= self.sweep_at:  # forget texts not seen for 24 h, every 6 h of stream time
            cutoff = t - REPEAT_ACROSS_S
            self.copies = {k: v for k, v in self.copies.items() if v[-1][0] > cutoff}
            self.campaigns = {k: v for k, v in self.campaigns.items() if v[0] > cutoff}
            self.sweep_at = t + REPEAT_ACROSS_S / 4
        campaigns = self.campaigns
        if campaigns:
            campaign = campaigns.get(key)
            if campaign is not None and abs(t - campaign[0]) < REPEAT_ACROSS_S:
                campaign[0] = t
                campaign[1].add(ev[1])
                if not reported:
                    self.report(ev, t, len(campaign[1]), out)
                return
        posts = self.copies.get(key)
        if posts is None:  # the common case: a text not seen from this member in 24 h
            self.copies[key] = [(t, ev, reported)]
            return
        # copies more than 24 h apart do not count (either way: groups fed one after the
        # other would otherwise mix months)
        posts[:] = [p for p in posts if abs(t - p[0]) < REPEAT_ACROSS_S]
        posts.append((t, ev, reported))
        if len(posts) < cfg.repeat_n:
            return
        groups = {p[1][1] for p in posts}
        if len(groups) < cfg.repeat_n:
            return
        del self.copies[key]
        campaigns[key] = [t, groups]
        for when, event, done in posts:
            if not done:
                self.report(event, when, len(groups), out)

    def report(self, ev: ChatEvent, t: float, groups: int, out: list[Finding]) -> None:
        cfg = self.engine.plan(ev.group_key).configs.get(self.rule_id)
        if not isinstance(cfg, _AdConfig):  # the rule does not apply in that group
            return
        detail = {"name": _name(ev), "groups": groups, "excerpt": _excerpt(ev.text)}
        self.emit(cfg, ev, "hard_ad.repeat", detail, (ev,),
                  self.first((ev.group_key, ev.sender_key), t), out)


class _FloodConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        p = rule.params
        self.max = int(p["max_messages"])
        self.window = float(p["window_s"])
        self.repeat_n = int(p["repeat_count"])
        self.repeat_window = float(p["repeat_window_s"])
        self.repeat_min = int(p["repeat_min_length"])
        #: repeats are looked for among the member's last ``recall`` long texts
        self.recall = max(16, 4 * self.repeat_n)
        self.repeat_from = self.repeat_min if self.repeat_n else math.inf


class _FloodState:
    """One member in one group: a ring of their last ``max`` messages (a burst is the
    ring spanning less than the window: no allocation per message), the burst in
    progress, and their last long texts with the events that carried them."""

    __slots__ = ("absorbed", "burst_until", "events", "pos", "text_events", "texts", "times")

    def __init__(self, cfg: _FloodConfig) -> None:
        self.times = [-math.inf] * cfg.max
        self.events: list[ChatEvent | None] = [None] * cfg.max
        self.pos = 0
        self.burst_until = -math.inf  #: a burst in progress lasts until then
        self.texts: deque[str] = deque(maxlen=cfg.recall)
        self.text_events: deque[ChatEvent] = deque(maxlen=cfg.recall)
        self.absorbed: dict[str, float] = {}  # reported texts → when last seen


class _Flood(_Check):
    needs_fold = True

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.states: dict[Key, _FloodState] = {}

    def config(self, rule: Rule) -> _FloodConfig:
        return _FloodConfig(rule, self.lang)

    def speech(self, cfg: _FloodConfig, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        if member.roles and not cfg.exempt.isdisjoint(member.roles):
            return
        st = self.states.get(key)
        if st is None:
            st = self.states[key] = _FloodState(cfg)
        if t < st.burst_until:  # the burst goes on until a whole window of quiet
            st.burst_until = t + cfg.window
        else:
            times, pos = st.times, st.pos
            times[pos] = t
            st.events[pos] = ev
            pos += 1
            if pos == cfg.max:
                pos = 0
            st.pos = pos
            if t - times[pos] < cfg.window:  # the oldest of the last `max` is recent
                self.burst(cfg, st, ev, t, out)
        if len(folded) >= cfg.repeat_from and ev[6] != _RED:
            text = folded.strip()
            if len(text) >= cfg.repeat_min:
                if text in st.texts or st.absorbed:
                    self.repeat(cfg, st, ev, t, text, out)
                else:  # the common case: a text this member has not posted lately
                    st.texts.append(text)
                    st.text_events.append(ev)

    def burst(self, cfg: _FloodConfig, st: _FloodState, ev: ChatEvent, t: float,
              out: list[Finding]) -> None:
        pos = st.pos
        evidence = [e for e in st.events[pos:] + st.events[:pos] if e is not None]
        st.times[:] = [-math.inf] * cfg.max
        st.events[:] = [None] * cfg.max
        st.burst_until = t + cfg.window
        detail = {"name": _name(ev), "n": len(evidence), "seconds": int(cfg.window)}
        self.emit(cfg, ev, "flood.burst", detail, evidence, True, out)

    def repeat(self, cfg: _FloodConfig, st: _FloodState, ev: ChatEvent, t: float,
               text: str, out: list[Finding]) -> None:
        """``repeat_n`` copies of ``text`` within the window among the member's last
        ``recall`` long texts (a member who says 16 other things in between is flooding
        anyway); then the run is not reported again until a gap of a whole window."""
        window = cfg.repeat_window
        if st.absorbed:
            seen = st.absorbed.get(text)
            if seen is not None:
                if t - seen < window:  # the reported run goes on
                    st.absorbed[text] = t
                    return
                del st.absorbed[text]
        before = st.texts.count(text)
        st.texts.append(text)
        st.text_events.append(ev)
        if before + 1 < cfg.repeat_n:
            return
        evidence = [e for x, e in zip(st.texts, st.text_events, strict=True)
                    if x == text and t - e.timestamp.timestamp() < window]
        if len(evidence) < cfg.repeat_n:
            return
        st.absorbed = {k: v for k, v in st.absorbed.items() if t - v < window}
        st.absorbed[text] = t
        detail = {"name": _name(ev), "n": len(evidence),
                  "minutes": max(1, math.ceil(window / 60)), "excerpt": _excerpt(ev.text)}
        self.emit(cfg, ev, "flood.repeat", detail, evidence, True, out)


class _NewcomerConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        self.window_minutes = int(rule.params["window_minutes"])
        self.window = self.window_minutes * 60.0
        self.allowed = _clean_domains(rule.params["allowed_domains"])
        self.markers = _Prefilter(list(LINK_MARKERS) + list(QR_PHRASES))
        self.qr = _phrases(QR_PHRASES)


class _NewcomerLink(_Check):
    calls = "newcomer"
    needs_fold = True

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.acted: dict[Key, float] = {}

    def config(self, rule: Rule) -> _NewcomerConfig:
        return _NewcomerConfig(rule, self.lang)

    def speech(self, cfg: _NewcomerConfig, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        joined = member.joined
        if joined is None or not 0 <= t - joined <= cfg.window:
            return
        if member.roles and not cfg.exempt.isdisjoint(member.roles):
            return
        code = self.link_or_card(cfg, ev.kind, folded)
        if code is None:
            return
        detail = {"name": _name(ev), "minutes": int((t - joined) // 60),
                  "window": cfg.window_minutes}
        last = self.acted.get(key)
        first = last is None or not 0 <= t - last < ACTION_COOLDOWN_S
        if first:
            self.acted[key] = t
        self.emit(cfg, ev, code, detail, (ev,), first, out)

    @staticmethod
    def link_or_card(cfg: _NewcomerConfig, kind: str, folded: str) -> str | None:
        if kind == _CARD:
            return "newcomer_link.card"
        if not folded or not cfg.markers.search(folded):
            return "newcomer_link.link" if kind == _LINK else None
        domains = _domains(folded)
        if any(not _allowed(d, cfg.allowed) for d in domains) or \
                (kind == _LINK and not domains):
            return "newcomer_link.link"
        if cfg.qr is not None and _search(cfg.qr, folded) is not None:
            return "newcomer_link.card"
        return None


class _EnvelopeConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        self.min = int(rule.params["min_envelopes"])
        self.days = int(rule.params["period_days"])
        self.period = self.days * 86400.0


class _RedEnvelopeOnly(_Check):
    calls = "envelope"

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.envelopes: dict[Key, deque[tuple[float, ChatEvent]]] = {}
        self.fired: dict[Key, float] = {}

    def config(self, rule: Rule) -> _EnvelopeConfig:
        return _EnvelopeConfig(rule, self.lang)

    def speech(self, cfg: _EnvelopeConfig, ev: ChatEvent, key: Key, t: float, folded: str,
               member: _Member, out: list[Finding]) -> None:
        if member.roles and not cfg.exempt.isdisjoint(member.roles):
            return
        envelopes = self.envelopes.get(key)
        if envelopes is None:
            envelopes = self.envelopes[key] = deque()
        envelopes.append((t, ev))
        cutoff = t - cfg.period
        while envelopes[0][0] <= cutoff:
            envelopes.popleft()
        other = member.last_other
        if other is not None and other > cutoff:
            return
        fired = self.fired.get(key)
        if fired is not None and (other is None or other < fired) and 0 <= t - fired < cfg.period:
            return  # reported, and the member has said nothing since
        if len(envelopes) < cfg.min:
            return
        self.fired[key] = t
        detail = {"name": _name(ev), "n": len(envelopes), "days": cfg.days}
        self.emit(cfg, ev, "red_envelope_only.only", detail, [e for _, e in envelopes],
                  True, out)


class _SizeConfig(_Config):
    def __init__(self, rule: Rule, lang: str) -> None:
        super().__init__(rule, lang)
        self.noise_at = int(rule.params["noise_at"])
        self.split = bool(rule.params["split_at_capacity"])


class _SizeCap(_Check):
    calls = ""
    wants_membership = True
    wants_start = True

    def __init__(self, engine: Engine, rule: Rule) -> None:
        super().__init__(engine, rule)
        self.size: dict[str, int] = {}
        self.armed: dict[str, list[bool]] = {}  # [noise, capacity]

    def config(self, rule: Rule) -> _SizeConfig:
        return _SizeConfig(rule, self.lang)

    def start(self, cfg: _SizeConfig, ev: ChatEvent, out: list[Finding]) -> None:
        size = self.engine.context.group_sizes.get(ev.group_key)
        if not isinstance(size, int) or isinstance(size, bool):
            return
        self.size[ev.group_key] = max(0, size)
        self.armed[ev.group_key] = [True, True]
        self.judge(cfg, ev, (), out)

    def membership(self, cfg: _SizeConfig, ev: ChatEvent, t: float,
                   out: list[Finding]) -> None:
        g = ev.group_key
        size = self.size.get(g)
        if size is None:
            return
        if ev.kind == _JOIN:
            self.size[g] = size + 1
            self.judge(cfg, ev, (ev,), out)
        else:
            self.size[g] = size = max(0, size - 1)
            armed = self.armed[g]
            armed[0] = armed[0] or size < cfg.noise_at * REARM
            armed[1] = armed[1] or size < self.capacity(g) * REARM

    def capacity(self, g: str) -> int:
        capacity = self.engine.context.capacities.get(g, DEFAULT_CAPACITY)
        return capacity if isinstance(capacity, int) else DEFAULT_CAPACITY

    def judge(self, cfg: _SizeConfig, ev: ChatEvent, evidence: tuple[ChatEvent, ...],
              out: list[Finding]) -> None:
        g = ev.group_key
        size, armed, capacity = self.size[g], self.armed[g], self.capacity(g)
        if cfg.split and armed[1] and size >= capacity:
            armed[0] = armed[1] = False
            detail: dict[str, Any] = {"members": size, "capacity": capacity}
            self.emit(cfg, ev, "size_cap.capacity", detail, evidence, True, out,
                      group_level=True)
        elif armed[0] and size >= cfg.noise_at:
            armed[0] = False
            detail = {"members": size, "noise_at": cfg.noise_at}
            self.emit(cfg, ev, "size_cap.noise", detail, evidence, True, out, group_level=True)


_CHECKS: dict[RuleKind, type[_Check]] = {
    RuleKind.QUIET_HOURS: _QuietHours, RuleKind.HARD_AD: _HardAd, RuleKind.FLOOD: _Flood,
    RuleKind.NEWCOMER_LINK: _NewcomerLink, RuleKind.RED_ENVELOPE_ONLY: _RedEnvelopeOnly,
    RuleKind.SIZE_CAP: _SizeCap,
}

SpeechFn = Callable[[Any, ChatEvent, Key, float, str, _Member, list[Finding]], None]
MembershipFn = Callable[[Any, ChatEvent, float, list[Finding]], None]
StartFn = Callable[[Any, ChatEvent, list[Finding]], None]


class _Plan:
    """The checks that run in one group, as bound methods with their configs."""

    __slots__ = ("configs", "envelope", "fold", "membership", "newcomer", "newcomer_window",
                 "order", "quiet", "speech", "start", "started")

    def __init__(self, entries: list[tuple[_Check, _Config]]) -> None:
        self.configs = {c.rule_id: cfg for c, cfg in entries}
        self.order = {c.rule_id: i for i, (c, _) in enumerate(entries)}

        def calls(what: str) -> tuple[tuple[SpeechFn, _Config], ...]:
            return tuple((c.speech, cfg) for c, cfg in entries if c.calls == what)

        self.speech = calls("speech")
        self.quiet: tuple[tuple[SpeechFn, _QuietConfig], ...] = tuple(
            (c.speech, cfg) for c, cfg in entries
            if c.calls == "quiet" and isinstance(cfg, _QuietConfig))
        self.envelope = calls("envelope")
        self.newcomer = calls("newcomer")
        self.newcomer_window = max((float(cfg.params["window_minutes"]) * 60
                                    for c, cfg in entries if c.calls == "newcomer"), default=0)
        self.membership: tuple[tuple[MembershipFn, _Config], ...] = tuple(
            (c.membership, cfg) for c, cfg in entries if c.wants_membership)
        self.start: tuple[tuple[StartFn, _Config], ...] = tuple(
            (c.start, cfg) for c, cfg in entries if c.wants_start)
        self.fold = any(c.needs_fold for c, _ in entries)
        self.started = False


# -- the engine --------------------------------------------------------------------------

class Engine:
    """Judge a stream of events with a rulebook (see the module docstring).

    ``enabled_only=False`` evaluates disabled rules too (the advisory preview of a rule
    before it is turned on); ``only`` restricts to these rule ids (an unknown id raises
    :class:`RulebookError`). ``errors`` counts events that could not be judged.
    """

    def __init__(self, rulebook: Rulebook, context: Context, *, enabled_only: bool = True,
                 only: Iterable[str] | None = None) -> None:
        self.rulebook = rulebook
        self.context = context
        self.enabled_only = enabled_only
        rules: list[Rule] = list(rulebook.rules)
        if only is not None:
            wanted = set(only)
            for rule_id in sorted(wanted - {r.id for r in rules}):
                raise RulebookError(f"only: unknown rule id {rule_id!r}")
            rules = [r for r in rules if r.id in wanted]
        self.rules = tuple(rules)
        self.local_cache: dict[int, tuple[int, int]] = {}
        self.checks = {r.id: _CHECKS[r.kind](self, r) for r in self.rules}
        self.errors = 0
        self._plans: dict[str, _Plan] = {}
        self._configs: dict[tuple[str, str], _Config] = {}
        self._members: dict[Key, _Member] = {}
        self._folded: dict[str, str] = {}  # short texts repeat ("收到", "哈哈"): fold once
        self._wide = _WIDE.search
        self._traditional = _traditional()

    def plan(self, group_key: str) -> _Plan:
        plan = self._plans.get(group_key)
        if plan is None:
            entries = []
            for rule in self.rules:
                effective = rule.for_group(group_key, include_disabled=not self.enabled_only)
                if effective is None:
                    continue
                # groups without an override share one config (compiled once)
                cache_key = (rule.id, group_key if group_key in rule.overrides else "")
                cfg = self._configs.get(cache_key)
                if cfg is None:
                    cfg = self._configs[cache_key] = self.checks[rule.id].config(effective)
                entries.append((self.checks[rule.id], cfg))
            plan = self._plans[group_key] = _Plan(entries)
        return plan

    def member(self, key: Key) -> _Member:
        member = self._members.get(key)
        if member is None:
            member = self._members[key] = _Member(self.context.members.get(key),
                                                  self.plan(key[0]).newcomer_window)
        return member

    def fold(self, text: str) -> str:
        """``qunzhu.core.text.fold(text)``, faster: short texts are remembered, and a text
        without full-width or Traditional characters is only case-folded."""
        if len(text) <= SHORT_TEXT:
            folded = self._folded.get(text)
            if folded is None:
                if len(self._folded) >= 100_000:
                    self._folded.clear()
                folded = self._folded[text] = fold(text)
            return folded
        if text.isascii() or (self._wide(text) is None and self._traditional(text) is None):
            return text.casefold()
        return fold(text)

    def local(self, t: float) -> tuple[int, int]:
        """(minute of the day, date ordinal) in the community's time zone, cached per
        minute (every zone in use today is offset by whole minutes); (1440, 0) for a time
        the zone cannot express."""
        minute = int(t // 60)
        cache = self.local_cache
        value = cache.get(minute)
        if value is None:
            try:
                moment = datetime.fromtimestamp(minute * 60, self.context.tz)
                value = (moment.hour * 60 + moment.minute, moment.toordinal())
            except (OverflowError, OSError, ValueError):
                value = (1440, 0)
            if len(cache) >= 500_000:
                cache.clear()
            cache[minute] = value
        return value

    def feed(self, event: ChatEvent) -> list[Finding]:
        """The findings ``event`` triggers (possibly about earlier events: copies of a
        text across groups). Never raises."""
        try:
            return self._feed(event)
        except Exception:
            self.errors += 1
            log.exception("rules: could not judge an event; skipped")
            return []

    def _feed(self, ev: ChatEvent) -> list[Finding]:
        g = ev[1]
        out: list[Finding] = []
        plan = self._plans.get(g) or self.plan(g)
        if not plan.started:  # the group's first event
            plan.started = True
            for start, cfg in plan.start:
                start(cfg, ev, out)
        kind = ev[6]
        if kind in NON_SPEECH_KINDS:
            if kind in (_JOIN, _LEAVE):
                t = ev[5].timestamp()
                if kind == _JOIN:
                    member = self.member((g, ev[3]))
                    if not member.spoke:
                        member.join(t, plan.newcomer_window)
                for membership, cfg in plan.membership:
                    membership(cfg, ev, t, out)
            return out
        t = ev[5].timestamp()
        key = (g, ev[3])
        member = self._members.get(key) or self.member(key)
        text = ev[7]
        if not text or not plan.fold:
            folded = ""
        elif len(text) > SHORT_TEXT and (text.isascii() or (
                self._wide(text) is None and self._traditional(text) is None)):
            folded = text.casefold()  # what fold() does to most long texts, without calls
        else:
            folded = self._folded.get(text) or self.fold(text)
        if plan.quiet:
            minute = (self.local_cache.get(int(t // 60)) or self.local(t))[0]
            for quiet, qcfg in plan.quiet:
                if qcfg.inside[minute]:
                    quiet(qcfg, ev, key, t, folded, member, out)
        for speech, cfg in plan.speech:
            speech(cfg, ev, key, t, folded, member, out)
        if kind == _RED:
            for speech, cfg in plan.envelope:
                speech(cfg, ev, key, t, folded, member, out)
        else:
            member.last_other = t
        if t <= member.until:
            for speech, cfg in plan.newcomer:
                speech(cfg, ev, key, t, folded, member, out)
        member.spoke = True
        if out and len(out) > 1:  # in rule order (quiet hours were judged first)
            out.sort(key=lambda f: plan.order.get(f.rule_id, 0))
        return out

    def finish(self) -> list[Finding]:
        """End-of-stream findings: none today (every kind reports as events arrive); call
        it anyway, so a kind that needs it later does not change the callers."""
        return []


def run(rulebook: Rulebook, events: Iterable[ChatEvent], context: Context, *,
        enabled_only: bool = True, only: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of ``events`` (an advisory preview when ``enabled_only=False``)."""
    engine = Engine(rulebook, context, enabled_only=enabled_only, only=only)
    out: list[Finding] = []
    judge = engine._feed  # what feed() does, without a call per event
    for event in events:
        try:
            found = judge(event)
        except Exception:
            engine.errors += 1
            log.exception("rules: could not judge an event; skipped")
            continue
        if found:
            out.extend(found)
    out.extend(engine.finish())
    return out
