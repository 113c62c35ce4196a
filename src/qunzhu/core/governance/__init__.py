"""Community governance, pure (no Django): votes, elimination, vouching, task gates,
operator texts and rule diffs — the playbook's rules (seed 000, seed 004) as arithmetic.

Results carry codes and plain parameters; ``text(lang)`` turns them into one sentence
in English, Simplified or Traditional Chinese. The Django layer stores, audits and sends.
"""

from __future__ import annotations

from .diff import Change, diff
from .elimination import (
    GRACE_DAYS,
    PROTECTED_ROLES,
    Candidate,
    Removal,
    by_outcome,
    by_points,
    by_quota,
    by_violations,
    recent_joiners,
)
from .messages import LANGUAGES
from .standing import Standing, standing
from .tasks import Check, Task, TaskKind, check_all, check_task, tasks_from_data
from .templates import (
    ICEBREAKER_FIELDS,
    TEXT_PLACEHOLDERS,
    TemplateError,
    announcement,
    default_texts,
    icebreaker,
    next_series_name,
    placeholders,
    render,
)
from .votes import Choice, Tally, tally

__all__ = [
    "GRACE_DAYS", "ICEBREAKER_FIELDS", "LANGUAGES", "PROTECTED_ROLES", "TEXT_PLACEHOLDERS",
    "Candidate", "Change", "Check", "Choice", "Removal", "Standing", "Tally", "Task",
    "TaskKind", "TemplateError", "announcement", "by_outcome", "by_points", "by_quota",
    "by_violations", "check_all", "check_task", "default_texts", "diff", "icebreaker",
    "next_series_name", "placeholders", "recent_joiners", "render", "standing", "tally",
    "tasks_from_data",
]
