"""Writing the audit log. Service functions call :func:`record`; nothing else writes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from .models import ActorKind, AuditEntry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from qunzhu.community.models import Community


@dataclass(frozen=True)
class Actor:
    """Who did it: an operator (a user), a member, a rule, or the system itself."""

    kind: ActorKind
    label: str
    user: Any = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, label)

    @classmethod
    def operator(cls, user: AbstractBaseUser | AnonymousUser) -> Actor:
        return cls(ActorKind.OPERATOR, user.get_username(), user)

    @classmethod
    def rule(cls, label: str) -> Actor:
        return cls(ActorKind.RULE, label)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-ready copy of a model's concrete field values, for before/after."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(obj)
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        data[field.attname if field.is_relation else field.name] = value
    return data


def record(actor: Actor, verb: str, obj: models.Model | None = None, *,
           community: Community | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, reason: str = "",
           object_type: str = "", object_repr: str = "") -> AuditEntry:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return AuditEntry.objects.create(
        actor_kind=actor.kind,
        actor_user=user,
        actor_label=actor.label[:200],
        community=community,
        verb=verb,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        before=before,
        after=after,
        reason=reason,
    )
