from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ people|get_item:pid }}``: look a key up in a dict."""
    return mapping.get(key)


@register.filter
def say(note: dict[str, Any] | None) -> str:
    """A reason or action of the JSON health report, in the active language."""
    from django.utils.translation import get_language

    from qunzhu.core.health.reasons import CATALOGUE, render

    if not note:
        return ""
    code = note.get("code", "")
    if code in CATALOGUE:
        return render(code, note.get("params") or {}, get_language() or "zh-hans")
    text = note.get("text")
    return text.get("en", "") if isinstance(text, dict) else str(text or "")


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """0.153 → "15%"."""
    if value is None:
        return "—"
    return f"{100 * float(value):.{int(digits)}f}%"


@register.filter
def share_of(value: float | None) -> float:
    """0.153 → 15.3 (for widths and bars)."""
    return round(100 * float(value or 0), 1)


@register.filter
def health_json(group: dict[str, Any], n: int) -> str:
    """The data block health.js reads for group ``n``."""
    from django.utils.html import json_script

    return json_script(group, f"health-data-{n}")


@register.filter
def money(cents: int | None, currency: str = "CNY") -> str:
    from qunzhu.governance.gates import money as format_money

    return format_money(int(cents or 0), currency or "CNY")


@register.filter
def call_text(item: Any, lang: str = "zh-hans") -> str:
    """``{{ finding|call_text:lang }}``: a core value's sentence in the page's language."""
    return str(item.text(lang))


@register.filter
def group_of(preview: Any, key: str) -> str:
    return str(preview.group_name(key))


@register.filter
def finding_text(finding: Any, lang: str = "zh-hans") -> str:
    """A stored finding's sentence, from its code and detail, in the page's language."""
    from qunzhu.core.rules.messages import say

    try:
        return say(finding.code, lang, **finding.detail)
    except (KeyError, IndexError, ValueError):
        return f"{finding.code} {finding.detail}"


@register.filter
def as_json(value: Any) -> str:
    """A rulebook value as written in the rulebook (true, ["a", "b"], 23:00)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    import orjson

    return orjson.dumps(value).decode()
