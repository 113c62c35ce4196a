"""State changes on communities, groups, people and operator access.

One function per verb (Zulip's ``do_*`` pattern). Each runs in a transaction and writes
the audit log; views, the CLI and the admin call these and nothing else to change state.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction

from qunzhu.audit.log import Actor, record, snapshot

from .models import (
    Community,
    Group,
    Membership,
    MembershipStatus,
    Message,
    OperatorAccess,
    OperatorRole,
    Person,
)


@transaction.atomic
def do_create_community(actor: Actor, *, name: str, slug: str, **fields: Any) -> Community:
    community = Community(name=name, slug=slug, **fields)
    community.full_clean()
    community.save()
    record(actor, "community.create", community, community=community,
           after=snapshot(community))
    return community


@transaction.atomic
def do_update_community(actor: Actor, community: Community, reason: str = "",
                        **changes: Any) -> Community:
    before = snapshot(community, list(changes))
    for name, value in changes.items():
        setattr(community, name, value)
    community.full_clean()
    community.save(update_fields=list(changes))
    record(actor, "community.update", community, community=community, before=before,
           after=snapshot(community, list(changes)), reason=reason)
    return community


@transaction.atomic
def do_create_group(actor: Actor, community: Community, *, name: str, platform: str,
                    external_key: str, **fields: Any) -> Group:
    group = Group(community=community, name=name, platform=platform,
                  external_key=external_key, **fields)
    group.full_clean()
    group.save()
    record(actor, "group.create", group, community=community, after=snapshot(group))
    return group


@transaction.atomic
def do_archive_group(actor: Actor, group: Group, *, on: Any, reason: str = "") -> Group:
    before = snapshot(group, ["archived"])
    group.archived = on
    group.save(update_fields=["archived"])
    record(actor, "group.archive", group, community=group.community, before=before,
           after=snapshot(group, ["archived"]), reason=reason)
    return group


@transaction.atomic
def do_set_membership_roles(actor: Actor, membership: Membership, roles: list[str],
                            reason: str = "") -> Membership:
    before = {"roles": list(membership.roles)}
    membership.roles = sorted(set(roles))
    membership.full_clean(exclude=["person", "group", "inviter"])
    membership.save(update_fields=["roles"])
    record(actor, "membership.roles", membership, community=membership.group.community,
           before=before, after={"roles": membership.roles}, reason=reason)
    return membership


@transaction.atomic
def do_update_person(actor: Actor, person: Person, reason: str = "", **changes: Any) -> Person:
    before = snapshot(person, list(changes))
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    person.save(update_fields=list(changes))
    record(actor, "person.update", person, community=person.community, before=before,
           after=snapshot(person, list(changes)), reason=reason)
    return person


@transaction.atomic
def do_create_operator(actor: Actor, *, username: str, password: str, email: str = "",
                       superuser: bool = False) -> AbstractUser:
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"an operator named {username!r} already exists")
    if superuser:
        user = User.objects.create_superuser(username=username, email=email, password=password)
    else:
        user = User.objects.create_user(username=username, email=email, password=password,
                                        is_staff=True)
    record(actor, "operator.create", user, after={"username": username,
                                                  "superuser": superuser})
    return user  # type: ignore[no-any-return]


@transaction.atomic
def do_set_operator_password(actor: Actor, user: AbstractUser, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor, "operator.password", user, reason="password reset")


@transaction.atomic
def do_grant_access(actor: Actor, user: AbstractUser, community: Community,
                    role: str = OperatorRole.VIEWER) -> OperatorAccess:
    access, created = OperatorAccess.objects.get_or_create(
        user=user, community=community, defaults={"role": role})
    before = None if created else {"role": access.role}
    if not created and access.role != role:
        access.role = role
        access.save(update_fields=["role"])
    record(actor, "operator.grant", access, community=community, before=before,
           after={"user": user.get_username(), "role": role})
    return access


@transaction.atomic
def do_revoke_access(actor: Actor, user: AbstractUser, community: Community) -> bool:
    deleted, _ = OperatorAccess.objects.filter(user=user, community=community).delete()
    if deleted:
        record(actor, "operator.revoke", None, community=community, object_type="access",
               object_repr=user.get_username(), before={"user": user.get_username()})
    return bool(deleted)


@transaction.atomic
def do_delete_community(actor: Actor, community: Community, reason: str = "") -> None:
    """Delete a community and everything in it (groups, people, messages)."""
    before = snapshot(community)
    before["groups"] = community.groups.count()
    before["messages"] = community.groups.aggregate(
        n=models.Count("messages"))["n"]
    record(actor, "community.delete", community, community=None, before=before,
           reason=reason)
    # Messages go first in one statement per table: the ORM's cascade would null every
    # reply_to pointer row by row (minutes for a large group) before deleting them anyway.
    messages = Message.objects.filter(group__community=community)
    messages._raw_delete(messages.db)
    community.delete()


@transaction.atomic
def do_merge_people(actor: Actor, keep: Person, other: Person, reason: str = "") -> Person:
    """Merge ``other`` into ``keep``: identities and memberships move, ``other`` is deleted.

    Two memberships of the same group become one: the earliest join, the union of roles,
    and "left" only if both had left.
    """
    if keep.pk == other.pk or keep.community_id != other.community_id:
        raise ValueError("can only merge two different people of the same community")
    before = {"keep": snapshot(keep, ["id", "display_name"]),
              "other": snapshot(other, ["id", "display_name"]),
              "identities": list(other.identities.values_list("external_id", flat=True))}
    other.identities.update(person=keep)
    kept = {m.group_id: m for m in keep.memberships.all()}
    for membership in other.memberships.all():
        mine = kept.get(membership.group_id)
        if mine is None:
            membership.person = keep
            membership.save(update_fields=["person"])
            continue
        joined = [d for d in (mine.joined, membership.joined) if d is not None]
        mine.joined = min(joined) if joined else None
        mine.roles = sorted(set(mine.roles) | set(membership.roles))
        if mine.left is None or membership.left is None:
            mine.left, mine.status = None, MembershipStatus.ACTIVE
        else:
            mine.left = max(mine.left, membership.left)
        mine.inviter = mine.inviter or membership.inviter
        mine.save(update_fields=["joined", "roles", "left", "status", "inviter"])
        membership.delete()
    Membership.objects.filter(inviter=other).update(inviter=keep)
    for name in ("interest_tags", "skills", "needs"):
        merged = list(dict.fromkeys([*getattr(keep, name), *getattr(other, name)]))
        setattr(keep, name, merged)
    keep.consent_contact = keep.consent_contact and other.consent_contact
    keep.consent_introduce = keep.consent_introduce and other.consent_introduce
    keep.save()
    other.delete()
    record(actor, "person.merge", keep, community=keep.community, before=before,
           after={"person": keep.pk}, reason=reason)
    return keep
