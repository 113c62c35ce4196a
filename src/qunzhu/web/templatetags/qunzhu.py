from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ people|get_item:pid }}``: look a key up in a dict."""
    return mapping.get(key)
