"""Health reports and cached message columns in the Django admin, scoped to the operator's
communities (see ScopedAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from qunzhu.community.admin import ScopedAdmin

from .models import GroupColumns, HealthReport


@admin.register(HealthReport)
class HealthReportAdmin(ScopedAdmin):
    list_display = ["community", "status", "reason", "messages", "seconds", "created",
                    "finished"]
    list_filter = ["status", ("community", admin.RelatedOnlyFieldListFilter), "created"]
    search_fields = ["reason", "error", "community__name"]
    list_select_related = ["community"]
    readonly_fields = ["created", "started", "finished", "seconds", "messages", "data", "error"]
    date_hierarchy = "created"


@admin.register(GroupColumns)
class GroupColumnsAdmin(ScopedAdmin):
    """Derived data (rebuilt from the messages), so nobody edits it here; the binary
    ``data`` column is never shown: it is large and meaningless as text."""

    community_path = "group__community"
    list_display = ["group", "messages", "last_id", "layout", "built"]
    list_filter = [("group__community", admin.RelatedOnlyFieldListFilter), "built"]
    search_fields = ["group__name", "layout"]
    list_select_related = ["group"]
    exclude = ["data"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["group", "messages", "last_id", "layout", "built"]
