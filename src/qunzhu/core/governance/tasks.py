"""The task gate (任务制): a newcomer completes a few tasks before joining.

An ``answer`` task (a question about the community) is checked automatically: long
enough and mentioning every keyword. ``share`` and ``work`` tasks (a photo, a piece of
work) usually need a person: with ``auto=False`` their check is ``passed=None`` and waits
for an operator. Keywords are matched on :func:`qunzhu.core.text.fold` of both sides, so
an answer in Traditional Chinese or full-width letters matches a Simplified keyword.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qunzhu.core.text import fold

from .messages import join, say, sentence


class TaskKind(StrEnum):
    ANSWER = "answer"
    SHARE = "share"
    WORK = "work"


@dataclass(frozen=True)
class Task:
    id: str
    kind: TaskKind
    prompt: str
    keywords: tuple[str, ...] = ()
    min_length: int = 0
    auto: bool = True


@dataclass(frozen=True)
class Check:
    """``passed`` is None while an operator has to look. ``code`` is ``task.passed``,
    ``task.empty``, ``task.needs_review``, ``task.too_short`` or ``task.missing_keywords``;
    ``detail`` has ``length``, ``min_length`` and ``missing`` (keywords as written)."""

    task_id: str
    passed: bool | None
    code: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh-hans") -> str:
        missing = self.detail.get("missing") or []
        quoted = join((f"“{k}”" for k in missing), lang)
        clauses = [say(self.code, lang, task_id=self.task_id,
                       **{**self.detail, "missing": quoted})]
        if self.code == "task.too_short" and missing:  # both failed: say both
            clauses.append(say("task.also_missing", lang, missing=quoted))
        return sentence(clauses, lang)


def check_task(task: Task, answer: str) -> Check:
    """Check one answer. Length counts characters after stripping surrounding space."""
    text = answer.strip()
    detail: dict[str, Any] = {"length": len(text), "min_length": task.min_length,
                              "missing": []}
    if not text:
        return Check(task.id, False, "task.empty", detail)
    if not task.auto:
        return Check(task.id, None, "task.needs_review", detail)
    folded = fold(text)
    detail["missing"] = [k for k in task.keywords if fold(k.strip()) not in folded]
    if len(text) < task.min_length:
        return Check(task.id, False, "task.too_short", detail)
    if detail["missing"]:
        return Check(task.id, False, "task.missing_keywords", detail)
    return Check(task.id, True, "task.passed", detail)


def check_all(tasks: Iterable[Task], answers: Mapping[str, str]) -> list[Check]:
    """One check per task, in task order; a task without an answer fails as empty, and
    answers to tasks not in ``tasks`` are ignored (the task list may have been edited
    while the applicant was typing)."""
    return [check_task(task, answers.get(task.id, "")) for task in tasks]


_FIELDS = {"id", "kind", "prompt", "keywords", "min_length", "auto"}


def tasks_from_data(data: list[Mapping[str, Any]]) -> tuple[Task, ...]:
    """Tasks from JSON-like data (a community's settings), validated with messages that
    name the place: ``tasks[1].kind: expected one of answer, share, work, got 'x'``.
    ``auto`` defaults to True for every kind, as on :class:`Task`."""
    if not isinstance(data, list):
        raise ValueError(f"tasks: expected a list, got {type(data).__name__}")
    tasks, seen = [], set()
    for i, item in enumerate(data):
        where = f"tasks[{i}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise ValueError(f"{where}: unknown field {unknown[0]!r}; "
                             f"known: {', '.join(sorted(_FIELDS))}")
        task = _task(item, where)
        if task.id in seen:
            raise ValueError(f"{where}.id: {task.id!r} is used by an earlier task")
        seen.add(task.id)
        tasks.append(task)
    return tuple(tasks)


def _task(item: Mapping[str, Any], where: str) -> Task:
    task_id, prompt = _text(item, "id", where), _text(item, "prompt", where)
    kinds = [k.value for k in TaskKind]
    kind = item.get("kind")
    if kind not in kinds:
        raise ValueError(f"{where}.kind: expected one of {', '.join(kinds)}, got {kind!r}")
    keywords = item.get("keywords", [])
    if not isinstance(keywords, list | tuple):
        raise ValueError(f"{where}.keywords: expected a list, got {type(keywords).__name__}")
    for j, keyword in enumerate(keywords):
        if not isinstance(keyword, str) or not keyword.strip():
            raise ValueError(f"{where}.keywords[{j}]: expected a non-empty text, "
                             f"got {keyword!r}")
    min_length = item.get("min_length", 0)
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
        raise ValueError(f"{where}.min_length: expected a whole number ≥ 0, got {min_length!r}")
    auto = item.get("auto", True)
    if not isinstance(auto, bool):
        raise ValueError(f"{where}.auto: expected true or false, got {auto!r}")
    return Task(id=task_id, kind=TaskKind(kind), prompt=prompt,
                keywords=tuple(k.strip() for k in keywords), min_length=min_length, auto=auto)


def _text(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}.{name}: expected a non-empty text, got {value!r}")
    return value.strip()
