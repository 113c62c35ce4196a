"""The rules engine 群规引擎 (pure Python, no Django).

A :class:`Rulebook` (quiet hours, hard ads, flooding, newcomers' links, red-envelope-only
members, group size) judges a stream of :class:`~qunzhu.core.events.ChatEvent` through an
:class:`Engine`; each :class:`Finding` names the member, the messages, a reason in en /
zh-Hans / zh-Hant and the :class:`~qunzhu.core.events.Action` values to take. The same
engine runs live (one event at a time) and as an advisory preview over history
(``run(..., enabled_only=False)`` then :func:`summarise`).
"""

from __future__ import annotations

from .book import (
    ALLOWED_RESPONSES,
    DEFAULT_IDS,
    DEFAULT_RESPONSES,
    PARAM_TYPES,
    PARAMS,
    Param,
    Response,
    Rule,
    Rulebook,
    RulebookError,
    RuleKind,
    StrikePolicy,
    VotingPolicy,
    default_rulebook,
    normalize_value,
)
from .engine import (
    ACTION_COOLDOWN_S,
    DEFAULT_CAPACITY,
    Context,
    Engine,
    Finding,
    MemberInfo,
    run,
)
from .messages import LANGUAGES
from .summary import RuleSummary, Summary, summarise

__all__ = [
    "ACTION_COOLDOWN_S", "ALLOWED_RESPONSES", "DEFAULT_CAPACITY", "DEFAULT_IDS",
    "DEFAULT_RESPONSES", "LANGUAGES", "PARAMS", "PARAM_TYPES", "Context", "Engine", "Finding",
    "MemberInfo", "Param", "Response", "Rule", "RuleKind", "RuleSummary", "Rulebook",
    "RulebookError", "StrikePolicy", "Summary", "VotingPolicy", "default_rulebook",
    "normalize_value", "run", "summarise",
]
