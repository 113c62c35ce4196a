"""Template context for every console page: the communities this operator may switch to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from qunzhu.community.access import communities_for


def console(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    match = request.resolver_match
    return {
        "nav_communities": communities_for(request.user).only("name", "slug"),
        "current_slug": match.kwargs.get("slug") if match else None,
    }
