"""What a rule proposal changes: a structural diff of two JSON-like values.

A rulebook is a list of rules with ids, so lists whose items are all objects with a
unique ``"id"`` are matched by id: editing one rule's keywords reads
``rules[hard-ads].params.keywords``, not "item 3 changed" because a rule was inserted
above it. Other lists are compared by index. Changes come out in a fixed order (object
keys and ids sorted, indices ascending), whatever the insertion order of the inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    """``op`` is "added" (``before`` is None), "removed" (``after`` is None) or "changed".

    When the items of an id-matched list keep their ids but change order, the change is
    reported on the list itself with ``before`` and ``after`` the lists of ids.
    """

    path: str
    before: Any
    after: Any
    op: str


def diff(old: Any, new: Any) -> list[Change]:
    return list(_diff(old, new, ""))


_PLAIN_KEY = re.compile(r"[^.\[\]\"\s]+")


def _key_path(prefix: str, key: Any) -> str:
    text = str(key)
    if _PLAIN_KEY.fullmatch(text):
        return f"{prefix}.{text}" if prefix else text
    return f"{prefix}[{json.dumps(text, ensure_ascii=False)}]"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):  # JSON true is not 1
        return type(a) is type(b) and a == b
    return bool(a == b) or (a != a and b != b)  # NaN equals itself here


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _diff(old: Any, new: Any, path: str) -> Iterator[Change]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        yield from _diff_mappings(old, new, path)
    elif _is_list(old) and _is_list(new):
        if _ids(old) is not None and _ids(new) is not None:
            yield from _diff_by_id(old, new, path)
        else:
            yield from _diff_by_index(old, new, path)
    elif not _same(old, new):
        yield Change(path, old, new, "changed")


def _diff_mappings(old: Mapping[Any, Any], new: Mapping[Any, Any],
                   path: str) -> Iterator[Change]:
    for key in sorted(set(old) | set(new), key=str):
        sub = _key_path(path, key)
        if key not in new:
            yield Change(sub, old[key], None, "removed")
        elif key not in old:
            yield Change(sub, None, new[key], "added")
        else:
            yield from _diff(old[key], new[key], sub)


def _diff_by_index(old: Sequence[Any], new: Sequence[Any], path: str) -> Iterator[Change]:
    for i in range(max(len(old), len(new))):
        sub = f"{path}[{i}]"
        if i >= len(new):
            yield Change(sub, old[i], None, "removed")
        elif i >= len(old):
            yield Change(sub, None, new[i], "added")
        else:
            yield from _diff(old[i], new[i], sub)


def _ids(items: Sequence[Any]) -> list[Any] | None:
    """The items' ids when every item is an object with a distinct, plain "id"."""
    if not all(isinstance(item, Mapping) and "id" in item for item in items):
        return None
    ids = [item["id"] for item in items]
    if not all(isinstance(i, str | int) and not isinstance(i, bool) for i in ids):
        return None
    return ids if len(set(ids)) == len(ids) else None


def _diff_by_id(old: Sequence[Any], new: Sequence[Any], path: str) -> Iterator[Change]:
    old_by_id = {item["id"]: item for item in old}
    new_by_id = {item["id"]: item for item in new}
    common_old = [i for i in old_by_id if i in new_by_id]
    common_new = [i for i in new_by_id if i in old_by_id]
    if common_old != common_new:
        yield Change(path, common_old, common_new, "changed")
    for key in sorted(old_by_id.keys() | new_by_id.keys(), key=str):
        sub = f"{path}[{key}]"
        if key not in new_by_id:
            yield Change(sub, old_by_id[key], None, "removed")
        elif key not in old_by_id:
            yield Change(sub, None, new_by_id[key], "added")
        else:
            yield from _diff(old_by_id[key], new_by_id[key], sub)
