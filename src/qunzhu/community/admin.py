"""Django admin for every model: searchable, filterable, scoped to the operator's communities.

Operators who are not superusers may browse (view) rows of their own communities only.
Edits by superusers go through ``save_model``/``delete_model``, which write the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from qunzhu.audit.log import Actor, record, snapshot

from . import models
from .access import communities_for, scope


class ScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows of communities the operator may see; changes only by superusers, audited."""

    community_path = "community"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(super().get_queryset(request), request.user, self.community_path)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if request.user.is_superuser:
            return True
        return request.user.is_staff and communities_for(request.user).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def _community_of(self, obj: Model) -> models.Community | None:
        target: Any = obj
        for part in self.community_path.split("__"):
            target = getattr(target, part, None)
        return target if isinstance(target, models.Community) else None

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        record(
            Actor.operator(request.user),
            f"admin.{'change' if change else 'add'}",
            obj,
            community=self._community_of(obj),
            before=before,
            after=snapshot(obj),
            reason="edited in the admin",
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record(
            Actor.operator(request.user),
            "admin.delete",
            obj,
            community=self._community_of(obj),
            before=snapshot(obj),
            reason="deleted in the admin",
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The list's "delete selected" action: one audit entry per row, as one by one."""
        for obj in queryset:
            self.delete_model(request, obj)


class RecordAdmin(ScopedAdmin):
    """A record that must not change after the fact (a ledger line, a cast vote, a review
    trail, a rulebook version): visible like any other row, but nobody adds, edits or
    deletes it here; corrections go through the services, which keep the history."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(models.Community)
class CommunityAdmin(ScopedAdmin):
    community_path = "pk"
    list_display = [
        "name",
        "slug",
        "purpose",
        "shape",
        "management_mode",
        "maturity",
        "time_zone",
        "created",
    ]
    list_filter = ["purpose", "shape", "management_mode", "maturity"]
    search_fields = ["name", "slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return communities_for(request.user)

    def _community_of(self, obj: Model) -> models.Community | None:
        return obj if isinstance(obj, models.Community) else None


@admin.register(models.Group)
class GroupAdmin(ScopedAdmin):
    list_display = ["name", "community", "platform", "opened", "archived", "capacity"]
    list_filter = ["platform", ("community", admin.RelatedOnlyFieldListFilter), "archived"]
    search_fields = ["name", "external_key"]
    raw_id_fields = ["split_from"]


class IdentityInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.Identity
    extra = 0
    fields = ["platform", "external_id", "display_name", "weak", "first_seen", "last_seen"]
    readonly_fields = fields


@admin.register(models.Person)
class PersonAdmin(ScopedAdmin):
    list_display = ["display_name", "community", "consent_contact", "consent_introduce", "created"]
    list_filter = [
        ("community", admin.RelatedOnlyFieldListFilter),
        "consent_contact",
        "consent_introduce",
    ]
    search_fields = ["display_name", "identities__external_id", "identities__display_name"]
    inlines = [IdentityInline]


class IdentityNameInline(admin.TabularInline):  # type: ignore[type-arg]
    """Names an identity has used: history, read only (inline edits would skip the audit)."""

    model = models.IdentityName
    extra = 0
    fields = ["name", "first_seen", "last_seen"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(models.Identity)
class IdentityAdmin(ScopedAdmin):
    list_display = [
        "display_name",
        "platform",
        "external_id",
        "weak",
        "person",
        "first_seen",
        "last_seen",
    ]
    list_filter = ["platform", "weak", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["display_name", "external_id", "names__name"]
    raw_id_fields = ["person"]
    inlines = [IdentityNameInline]


@admin.register(models.IdentityName)
class IdentityNameAdmin(ScopedAdmin):
    community_path = "identity__community"
    list_display = ["name", "identity", "first_seen", "last_seen"]
    list_filter = [
        "identity__platform",
        ("identity__community", admin.RelatedOnlyFieldListFilter),
        "last_seen",
    ]
    search_fields = ["name", "identity__external_id"]
    raw_id_fields = ["identity"]


@admin.register(models.Membership)
class MembershipAdmin(ScopedAdmin):
    community_path = "group__community"
    list_display = ["person", "group", "status", "joined", "left", "gate", "channel"]
    list_filter = [
        "status",
        "gate",
        ("group__community", admin.RelatedOnlyFieldListFilter),
        ("group", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["person__display_name", "group__name", "channel"]
    raw_id_fields = ["person", "inviter", "group"]


@admin.register(models.Message)
class MessageAdmin(ScopedAdmin):
    community_path = "group__community"
    list_display = ["sent_at", "group", "identity", "kind", "short_text"]
    list_filter = [
        "kind",
        ("group__community", admin.RelatedOnlyFieldListFilter),
        ("group", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text_folded", "key"]
    raw_id_fields = ["group", "identity", "reply_to"]
    date_hierarchy = "sent_at"
    list_select_related = ["group", "identity"]
    show_full_result_count = False  # a COUNT(*) over millions of rows per page is wasted work

    @admin.display(description="text")
    def short_text(self, obj: models.Message) -> str:
        return obj.text[:80]


@admin.register(models.OperatorAccess)
class OperatorAccessAdmin(ScopedAdmin):
    list_display = ["user", "community", "role"]
    list_filter = ["role", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "community__name"]
