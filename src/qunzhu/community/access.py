"""Who may see what: every console view, admin list and API call goes through here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from .models import Community, OperatorAccess, OperatorRole

ROLE_RANK = {OperatorRole.VIEWER: 0, OperatorRole.MANAGER: 1, OperatorRole.OWNER: 2}

User = AbstractBaseUser | AnonymousUser


def communities_for(user: User) -> QuerySet[Community]:
    """The communities this operator may see (all of them for a superuser)."""
    if not user.is_authenticated:
        return Community.objects.none()
    if getattr(user, "is_superuser", False):
        return Community.objects.all()
    return Community.objects.filter(operator_access__user=user)


def role_in(user: User, community: Community) -> str | None:
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return OperatorRole.OWNER
    access = OperatorAccess.objects.filter(user=user, community=community).first()
    return access.role if access else None


def has_role(user: User, community: Community, minimum: str = OperatorRole.VIEWER) -> bool:
    role = role_in(user, community)
    return role is not None and ROLE_RANK[OperatorRole(role)] >= ROLE_RANK[OperatorRole(minimum)]


def get_community_or_404(user: User, slug: str,
                         minimum: str = OperatorRole.VIEWER) -> Community:
    """The community named by ``slug`` if this operator may see it; 404 otherwise.

    A 404 rather than a 403, so that an operator cannot probe which slugs exist.
    """
    community = communities_for(user).filter(slug=slug).first()
    if community is None or not has_role(user, community, minimum):
        raise Http404("No such community")
    return community


def scope(queryset: QuerySet[Any], user: User, path: str = "community") -> QuerySet[Any]:
    """Filter any queryset to the rows of communities this operator may see.

    ``path`` is the lookup from the model to its community, e.g. ``"group__community"``.
    """
    if getattr(user, "is_superuser", False) and user.is_authenticated:
        return queryset
    return queryset.filter(**{f"{path}__in": communities_for(user)})
