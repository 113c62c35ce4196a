"""The rulebook 群规: which rules a community runs, their parameters, strikes and voting.

A :class:`Rulebook` is plain data (``to_data`` / ``from_data`` is its JSON form, stored
as a rulebook version) and is validated when it is built: every error names the place
and the problem, "rules[2].params.start: expected a time HH:MM, got '25:00'", so the
console can show it beside the field and a hand-edited JSON file fails loudly.

Parameters are normalized on the way in: every parameter a kind declares in
:data:`PARAMS` is present, with its Python type (``words`` and ``roles`` become tuples,
times become zero-padded ``HH:MM``). Strings from a web form ("10", "true", one word per
line) are accepted for numbers, booleans and word lists.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from ..health.flags import AD_PHRASES
from .messages import LANGUAGES, language, say

RULEBOOK_VERSION = 1  #: the version of the data format written by :meth:`Rulebook.to_data`


class RulebookError(ValueError):
    """A rulebook that cannot be used; the message names the place and the problem."""


class RuleKind(StrEnum):
    QUIET_HOURS = "quiet_hours"
    HARD_AD = "hard_ad"
    FLOOD = "flood"
    NEWCOMER_LINK = "newcomer_link"
    RED_ENVELOPE_ONLY = "red_envelope_only"
    SIZE_CAP = "size_cap"


class Response(StrEnum):
    WARN = "warn"  #: post a warning in the group (Action POST)
    DELETE = "delete"  #: delete the offending messages (Action DELETE)
    MUTE = "mute"  #: mute the member for ``mute_minutes`` (Action MUTE)
    STRIKE = "strike"  #: record a strike (Finding.strike; no Action)
    NOTIFY = "notify"  #: tell the operator (Action NOTIFY_OPERATOR)


PARAM_TYPES = ("int", "float", "time", "words", "bool", "roles", "text")


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind; the console builds its form from these.

    ``minimum``/``maximum`` bound numbers; ``off`` is a number outside them that is still
    allowed and switches the check off (``repeat_count=0``); ``placeholders`` are the
    ``{names}`` a text may use.
    """

    name: str
    type: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    off: int | None = None
    placeholders: tuple[str, ...] = ()


_EXEMPT = Param("exempt_roles", "roles", ("creator", "manager"))
#: the warning posted for WARN; empty = the standard sentence in the rulebook's language
_WARNING = Param("warning", "text", "", placeholders=("name", "rule"))
_MUTE = Param("mute_minutes", "int", 10, 1, 43200)

PARAMS: dict[RuleKind, tuple[Param, ...]] = {
    RuleKind.QUIET_HOURS: (
        Param("start", "time", "23:00"),
        Param("end", "time", "07:00"),
        # a night with this many quiet-hour messages in one group is a "night flood"
        Param("flood_min", "int", 5, 1, 100000),
        _EXEMPT, _WARNING, _MUTE,
    ),
    RuleKind.HARD_AD: (
        Param("keywords", "words", AD_PHRASES),
        Param("allowed_domains", "words", ()),
        Param("block_links", "bool", False),
        Param("block_cards", "bool", True),
        Param("repeat_across_groups", "int", 3, 2, 1000, off=0),
        Param("repeat_min_length", "int", 20, 1, 10000),
        _EXEMPT, _WARNING, _MUTE,
    ),
    RuleKind.FLOOD: (
        Param("max_messages", "int", 10, 2, 10000),
        Param("window_s", "int", 60, 1, 86400),
        Param("repeat_count", "int", 3, 2, 1000, off=0),
        Param("repeat_window_s", "int", 600, 1, 86400),
        # shorter texts ("okay", "收到", "哈哈哈") are how people answer, not flooding
        Param("repeat_min_length", "int", 6, 1, 10000),
        _MUTE, _EXEMPT, _WARNING,
    ),
    RuleKind.NEWCOMER_LINK: (
        Param("window_minutes", "int", 60, 1, 525600),
        Param("allowed_domains", "words", ()),
        _EXEMPT, _WARNING, _MUTE,
    ),
    RuleKind.RED_ENVELOPE_ONLY: (
        Param("min_envelopes", "int", 3, 1, 100000),
        Param("period_days", "int", 30, 1, 3650),
        _EXEMPT, _WARNING, _MUTE,
    ),
    RuleKind.SIZE_CAP: (
        Param("noise_at", "int", 300, 2, 1000000),
        Param("split_at_capacity", "bool", True),
    ),
}

#: responses a new rule of each kind gets (the playbook's defaults)
DEFAULT_RESPONSES: dict[RuleKind, tuple[Response, ...]] = {
    RuleKind.QUIET_HOURS: (Response.WARN,),
    RuleKind.HARD_AD: (Response.DELETE, Response.WARN, Response.STRIKE),
    RuleKind.FLOOD: (Response.MUTE, Response.WARN, Response.STRIKE),
    RuleKind.NEWCOMER_LINK: (Response.DELETE, Response.NOTIFY),
    RuleKind.RED_ENVELOPE_ONLY: (Response.NOTIFY,),
    RuleKind.SIZE_CAP: (Response.NOTIFY,),
}

#: responses that make sense per kind (a group-size alert has nobody to warn or mute)
ALLOWED_RESPONSES: dict[RuleKind, frozenset[Response]] = {
    kind: frozenset(Response) for kind in RuleKind
} | {RuleKind.SIZE_CAP: frozenset({Response.NOTIFY})}

DEFAULT_IDS: dict[RuleKind, str] = {
    RuleKind.QUIET_HOURS: "quiet-hours", RuleKind.HARD_AD: "hard-ads", RuleKind.FLOOD: "flood",
    RuleKind.NEWCOMER_LINK: "newcomer-links", RuleKind.RED_ENVELOPE_ONLY: "red-envelope-only",
    RuleKind.SIZE_CAP: "size-cap",
}

_PARAM_INDEX: dict[RuleKind, dict[str, Param]] = {
    kind: {p.name: p for p in params} for kind, params in PARAMS.items()
}
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_INT = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0", ""})
_RULE_KEYS = ("id", "kind", "enabled", "title", "params", "responses", "groups", "overrides")
_OVERRIDE_KEYS = ("enabled", "params", "responses")


# -- values ------------------------------------------------------------------------------

def _fail(where: str, problem: str) -> RulebookError:
    return RulebookError(f"{where}: {problem}")


def _number_range(param: Param, whole: bool) -> str:
    """ "a whole number from 2 to 1000 (or 0 for off)" """
    text = "a whole number" if whole else "a number"
    if param.minimum is not None and param.maximum is not None:
        text += f" from {param.minimum:g} to {param.maximum:g}"
    elif param.minimum is not None:
        text += f" of at least {param.minimum:g}"
    if param.off is not None:
        text += f" (or {param.off} for off)"
    return text


def _as_int(value: Any, param: Param, where: str) -> int:
    result: int | None = None
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str) and _INT.fullmatch(value.strip()):
        result = int(value.strip())
    if result is None:
        raise _fail(where, f"expected {_number_range(param, True)}, got {value!r}")
    if result == param.off:
        return result
    if (param.minimum is not None and result < param.minimum) or \
            (param.maximum is not None and result > param.maximum):
        raise _fail(where, f"expected {_number_range(param, True)}, got {value!r}")
    return result


def _as_float(value: Any, param: Param, where: str) -> float:
    result: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            result = None
    if result is None or not math.isfinite(result) or \
            (param.minimum is not None and result < param.minimum) or \
            (param.maximum is not None and result > param.maximum):
        raise _fail(where, f"expected {_number_range(param, False)}, got {value!r}")
    return result


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _fail(where, f"expected true or false, got {value!r}")


def _as_time(value: Any, where: str) -> str:
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise _fail(where, f"expected a time HH:MM, got {value!r}")
    return f"{int(match[1]):02d}:{match[2]}"


def _as_words(value: Any, where: str, *, lower: bool = False) -> tuple[str, ...]:
    """A list of strings, or one string with one word per line (a textarea)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        raise _fail(where, f"expected a list of words, got {value!r}")
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _fail(f"{where}[{i}]", f"expected a word, got {item!r}")
        word = item.strip().lower() if lower else item.strip()
        if word and word not in out:
            out.append(word)
    return tuple(out)


def _as_text(value: Any, param: Param, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected a text, got {value!r}")
    if param.placeholders:
        allowed = " and ".join("{" + p + "}" for p in param.placeholders)
        problem = f"expected a text whose only placeholders are {allowed}, got {value!r}"
        try:
            fields = [(f, spec, conversion) for _, f, spec, conversion
                      in string.Formatter().parse(value) if f is not None]
        except ValueError:  # a lone { or }
            raise _fail(where, problem) from None
        if any(f not in param.placeholders or spec or conversion
               for f, spec, conversion in fields):
            raise _fail(where, problem)
    return value


def normalize_value(param: Param, value: Any, where: str) -> Any:
    """``value`` of ``param`` in its Python type; raises :class:`RulebookError`."""
    if param.type == "int":
        return _as_int(value, param, where)
    if param.type == "float":
        return _as_float(value, param, where)
    if param.type == "bool":
        return _as_bool(value, where)
    if param.type == "time":
        return _as_time(value, where)
    if param.type in ("words", "roles"):
        return _as_words(value, where, lower=param.type == "roles")
    return _as_text(value, param, where)


def _params(kind: RuleKind, raw: Any, where: str, *, partial: bool = False) -> dict[str, Any]:
    """Every declared parameter of ``kind`` typed, defaults filled in (``partial``: only the
    given ones, for group overrides)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise _fail(where, f"expected a mapping of parameters, got {raw!r}")
    index = _PARAM_INDEX[kind]
    for name in raw:
        if name not in index:
            known = ", ".join(index)
            raise _fail(f"{where}.{name}", f"unknown parameter for {kind.value} (known: {known})")
    out: dict[str, Any] = {}
    for param in PARAMS[kind]:
        if param.name in raw:
            out[param.name] = normalize_value(param, raw[param.name], f"{where}.{param.name}")
        elif not partial:
            out[param.name] = normalize_value(param, param.default, f"{where}.{param.name}")
    if not partial and kind is RuleKind.QUIET_HOURS and out["start"] == out["end"]:
        raise _fail(f"{where}.end", f"must differ from start ({out['start']}): an empty "
                    "window catches nothing")
    return out


def _responses(kind: RuleKind, raw: Any, where: str) -> tuple[Response, ...]:
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable):
        raise _fail(where, f"expected a list of responses, got {raw!r}")
    out: list[Response] = []
    for i, item in enumerate(raw):
        try:
            response = Response(item)
        except ValueError:
            known = ", ".join(r.value for r in Response)
            raise _fail(f"{where}[{i}]", f"unknown response {item!r} (known: {known})") from None
        if response not in ALLOWED_RESPONSES[kind]:
            raise _fail(f"{where}[{i}]", f"{response.value} does not apply to {kind.value}")
        if response not in out:
            out.append(response)
    return tuple(out)


def _kind(raw: Any, where: str) -> RuleKind:
    try:
        return RuleKind(raw)
    except ValueError:
        known = ", ".join(k.value for k in RuleKind)
        raise _fail(where, f"unknown kind {raw!r} (known: {known})") from None


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        raise _fail(where, f"expected a list of group keys, got {raw!r}")
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not item:
            raise _fail(f"{where}[{i}]", f"expected a group key, got {item!r}")
    return tuple(dict.fromkeys(raw))


def _overrides(kind: RuleKind, raw: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, Mapping):
        raise _fail(where, f"expected a mapping of group key to settings, got {raw!r}")
    out: dict[str, dict[str, Any]] = {}
    for group, settings in raw.items():
        here = f"{where}.{group}"
        if not isinstance(group, str) or not group:
            raise _fail(where, f"expected a group key, got {group!r}")
        if not isinstance(settings, Mapping):
            raise _fail(here, f"expected a mapping with enabled / params, got {settings!r}")
        for key in settings:
            if key not in _OVERRIDE_KEYS:
                raise _fail(f"{here}.{key}", "unknown key (known: enabled, params, responses)")
        entry: dict[str, Any] = {}
        if "enabled" in settings:
            entry["enabled"] = _as_bool(settings["enabled"], f"{here}.enabled")
        if "params" in settings:
            entry["params"] = _params(kind, settings["params"], f"{here}.params", partial=True)
        if "responses" in settings:
            entry["responses"] = _responses(kind, settings["responses"], f"{here}.responses")
        out[group] = entry
    return out


def _json(value: Any) -> Any:
    """Tuples → lists, recursively (the JSON form)."""
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _json(v) for k, v in value.items()}
    return value


# -- rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One rule: a kind, its parameters and what to do when it fires.

    ``groups`` limits it to some groups (empty: every group). ``overrides`` change it in
    one group: ``{"enabled": bool, "params": {...}, "responses": [...]}``, each optional;
    an override that sets ``enabled`` true also extends the rule to a group outside
    ``groups``. Values are normalized when the rule is built (see the module docstring).
    Do not mutate ``params``; build a new rule (``dataclasses.replace``).
    """

    id: str
    kind: RuleKind
    enabled: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)
    responses: tuple[Response, ...] = ()
    title: str = ""
    groups: tuple[str, ...] = ()
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"rule {self.id!r}"
        kind = _kind(self.kind, f"{where}.kind")
        object.__setattr__(self, "kind", kind)
        _check_id(self.id, f"{where}.id")
        object.__setattr__(self, "enabled", _as_bool(self.enabled, f"{where}.enabled"))
        object.__setattr__(self, "params", _params(kind, self.params, f"{where}.params"))
        object.__setattr__(self, "responses",
                           _responses(kind, self.responses, f"{where}.responses"))
        if not isinstance(self.title, str):
            raise _fail(f"{where}.title", f"expected a text, got {self.title!r}")
        object.__setattr__(self, "groups", _strings(self.groups, f"{where}.groups"))
        object.__setattr__(self, "overrides",
                           _overrides(kind, self.overrides, f"{where}.overrides"))

    def __hash__(self) -> int:  # params are a dict; equal rules share id and kind
        return hash((self.id, self.kind))

    def for_group(self, group_key: str, *, include_disabled: bool = False) -> Rule | None:
        """The effective rule in ``group_key``: overrides applied, ``overrides`` emptied.

        ``None`` when the rule does not apply there, or is disabled there (unless
        ``include_disabled``, for an advisory preview of a rule not yet turned on).
        """
        override = self.overrides.get(group_key)
        applies = (not self.groups or group_key in self.groups
                   or (override is not None and override.get("enabled") is True))
        if not applies:
            return None
        enabled = bool(override.get("enabled", self.enabled)) if override else self.enabled
        if not enabled and not include_disabled:
            return None
        if override is None:
            return self
        params = {**self.params, **override.get("params", {})}
        responses = override.get("responses", self.responses)
        return replace(self, enabled=enabled, params=params, responses=responses, overrides={})

    def display_title(self, lang: str) -> str:
        """The operator's title, else the kind's standard title in ``lang``."""
        return self.title or say(f"title.{self.kind.value}", lang)

    def to_data(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "enabled": self.enabled,
                "title": self.title, "params": _json(dict(self.params)),
                "responses": [r.value for r in self.responses], "groups": list(self.groups),
                "overrides": _json({g: dict(o) for g, o in self.overrides.items()})}

    @classmethod
    def from_data(cls, data: Any, where: str = "rule") -> Rule:
        """A rule from its JSON form; missing ``responses`` get the kind's defaults."""
        if not isinstance(data, Mapping):
            raise _fail(where, f"expected a mapping, got {data!r}")
        for key in data:
            if key not in _RULE_KEYS:
                raise _fail(f"{where}.{key}", "unknown key (known: " + ", ".join(_RULE_KEYS)
                            + ")")
        if "id" not in data:
            raise _fail(f"{where}.id", "missing")
        if "kind" not in data:
            raise _fail(f"{where}.kind", "missing")
        _check_id(data["id"], f"{where}.id")
        kind = _kind(data["kind"], f"{where}.kind")
        title = data.get("title", "")
        if not isinstance(title, str):
            raise _fail(f"{where}.title", f"expected a text, got {title!r}")
        return cls(
            id=data["id"], kind=kind,
            enabled=_as_bool(data.get("enabled", False), f"{where}.enabled"),
            params=_params(kind, data.get("params"), f"{where}.params"),
            responses=_responses(kind, data.get("responses", DEFAULT_RESPONSES[kind]),
                                 f"{where}.responses"),
            title=title,
            groups=_strings(data.get("groups", ()), f"{where}.groups"),
            overrides=_overrides(kind, data.get("overrides", {}), f"{where}.overrides"))


def _check_id(value: Any, where: str) -> None:
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > 64:
        raise _fail(where, f"expected a non-empty id of at most 64 characters without "
                    f"surrounding spaces, got {value!r}")


# -- policies ----------------------------------------------------------------------------

_STRIKE_PARAMS = (Param("expire_days", "int", 30, 1, 3650), Param("threshold", "int", 3, 1, 100))
_VOTING_PARAMS = (Param("discussion_hours", "int", 48, 0, 8760),
                  Param("voting_hours", "int", 72, 1, 8760),
                  Param("quorum", "float", 0.2, 0, 1),
                  Param("majority", "float", 0.5, 0.5, 0.99),
                  Param("elimination_by_vote", "bool", False),
                  Param("open_ballot", "bool", False))


def _policy_values(params: tuple[Param, ...], values: Mapping[str, Any],
                   where: str) -> dict[str, Any]:
    for key in values:
        if key not in {p.name for p in params}:
            raise _fail(f"{where}.{key}", "unknown key (known: "
                        + ", ".join(p.name for p in params) + ")")
    return {p.name: normalize_value(p, values.get(p.name, p.default), f"{where}.{p.name}")
            for p in params}


@dataclass(frozen=True)
class StrikePolicy:
    """A strike expires after ``expire_days``; ``threshold`` active strikes lead to a
    removal proposal (犯规剔除)."""

    expire_days: int = 30
    threshold: int = 3

    def __post_init__(self) -> None:
        values = _policy_values(_STRIKE_PARAMS, vars(self), "strikes")
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def to_data(self) -> dict[str, Any]:
        return {"expire_days": self.expire_days, "threshold": self.threshold}


@dataclass(frozen=True)
class VotingPolicy:
    """How rule changes are decided (seed 004: discussed, then voted; simple majority).

    ``quorum``: the share of eligible members who must cast a ballot (0..1);
    ``majority``: yes / (yes + no) must be strictly more than this (0.5 = simple majority,
    at most 0.99); ``elimination_by_vote``: removals are voted too; ``open_ballot``:
    members see who voted how.
    """

    discussion_hours: int = 48
    voting_hours: int = 72
    quorum: float = 0.2
    majority: float = 0.5
    elimination_by_vote: bool = False
    open_ballot: bool = False

    def __post_init__(self) -> None:
        values = _policy_values(_VOTING_PARAMS, vars(self), "voting")
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def to_data(self) -> dict[str, Any]:
        return {p.name: getattr(self, p.name) for p in _VOTING_PARAMS}


# -- the rulebook ------------------------------------------------------------------------

@dataclass(frozen=True)
class Rulebook:
    """A community's rules, strike policy, voting policy and language (of the warnings
    and notices the rules produce)."""

    rules: tuple[Rule, ...]
    strikes: StrikePolicy = StrikePolicy()
    voting: VotingPolicy = VotingPolicy()
    language: str = "zh-hans"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        seen: dict[str, int] = {}
        for i, rule in enumerate(self.rules):
            if not isinstance(rule, Rule):
                raise _fail(f"rules[{i}]", f"expected a Rule, got {rule!r}")
            if rule.id in seen:
                raise _fail(f"rules[{i}].id", f"duplicate id {rule.id!r} "
                            f"(also rules[{seen[rule.id]}])")
            seen[rule.id] = i
        lang = self.language.lower().replace("_", "-") if isinstance(self.language, str) else ""
        if lang not in LANGUAGES and not lang.startswith(("zh-", "en-")) and lang not in ("zh",):
            raise _fail("language", f"expected one of {', '.join(LANGUAGES)}, "
                        f"got {self.language!r}")
        object.__setattr__(self, "language", language(self.language))

    def __hash__(self) -> int:
        return hash(tuple(r.id for r in self.rules))

    def rule(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    def to_data(self) -> dict[str, Any]:
        """JSON-ready; ``Rulebook.from_data(book.to_data()) == book``."""
        return {"version": RULEBOOK_VERSION, "language": self.language,
                "strikes": self.strikes.to_data(), "voting": self.voting.to_data(),
                "rules": [r.to_data() for r in self.rules]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rulebook:
        """Validate and build; raises :class:`RulebookError` naming the place."""
        if not isinstance(data, Mapping):
            raise _fail("rulebook", f"expected a mapping, got {data!r}")
        known = ("version", "language", "strikes", "voting", "rules")
        for key in data:
            if key not in known:
                raise _fail(str(key), "unknown key (known: " + ", ".join(known) + ")")
        version = data.get("version", RULEBOOK_VERSION)
        if version != RULEBOOK_VERSION:
            raise _fail("version", f"expected {RULEBOOK_VERSION}, got {version!r}")
        rules = data.get("rules", [])
        if not isinstance(rules, (list, tuple)):
            raise _fail("rules", f"expected a list of rules, got {rules!r}")
        built = tuple(Rule.from_data(r, f"rules[{i}]") for i, r in enumerate(rules))
        strikes = data.get("strikes", {})
        voting = data.get("voting", {})
        if not isinstance(strikes, Mapping):
            raise _fail("strikes", f"expected a mapping, got {strikes!r}")
        if not isinstance(voting, Mapping):
            raise _fail("voting", f"expected a mapping, got {voting!r}")
        return cls(rules=built,
                   strikes=StrikePolicy(**_policy_values(_STRIKE_PARAMS, strikes, "strikes")),
                   voting=VotingPolicy(**_policy_values(_VOTING_PARAMS, voting, "voting")),
                   language=data.get("language", "zh-hans"))


def default_rulebook(language: str = "zh-hans") -> Rulebook:
    """One rule of each kind with the playbook's defaults, all disabled: an operator turns
    each on after an advisory preview of what it would have caught."""
    rules = tuple(Rule(id=DEFAULT_IDS[kind], kind=kind, enabled=False,
                       responses=DEFAULT_RESPONSES[kind],
                       title=say(f"title.{kind.value}", language))
                  for kind in RuleKind)
    return Rulebook(rules=rules, language=language)
