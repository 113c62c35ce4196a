"""The member portal's state in the Django admin, shown only and scoped to the operator's
communities (see ScopedAdmin): codes are issued, sign-ins counted and erasures carried out by
the portal services, which write the audit log. A code is handed out once and only its hash
is stored; the hash stays out of the admin too (an 8-character code is cheap to recover
from an unsalted hash).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from qunzhu.community.admin import RecordAdmin

from . import models


@admin.register(models.SignInCode)
class SignInCodeAdmin(RecordAdmin):
    community_path = "person__community"
    list_display = ["person", "created", "expires", "used", "created_by"]
    list_filter = [("person__community", admin.RelatedOnlyFieldListFilter),
                   ("used", admin.EmptyFieldListFilter), "created", "expires"]
    search_fields = ["person__display_name", "created_by"]
    list_select_related = ["person"]
    exclude = ["digest"]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Django lets a list be filtered by any of the model's own fields from the URL;
        ``?digest__startswith=`` would let an operator guess the hash of a member's code
        one character at a time."""
        if lookup.split("__")[0] == "digest":
            return False
        return bool(super().lookup_allowed(lookup, value, request))


@admin.register(models.FailedSignIn)
class FailedSignInAdmin(RecordAdmin):
    """A wrong code by client address belongs to no community (the code matched nobody),
    so only superusers see these rows; for anyone else the list is hidden and empty."""

    list_display = ["client", "at"]
    list_filter = ["at"]
    search_fields = ["client"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


@admin.register(models.ErasureRequest)
class ErasureRequestAdmin(RecordAdmin):
    """A member's request is a record of what they asked and what was done: it is carried
    out (or declined) in the console, which erases the data and writes the audit log."""

    list_display = ["name", "community", "status", "requested", "handled", "handled_by"]
    list_filter = ["status", ("community", admin.RelatedOnlyFieldListFilter), "requested",
                   "handled"]
    search_fields = ["name", "reason", "note", "handled_by", "person__display_name"]
    list_select_related = ["community"]
