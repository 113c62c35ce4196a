"""Import jobs in the Django admin, scoped to the operator's communities (see ScopedAdmin)."""

from __future__ import annotations

from django.contrib import admin

from qunzhu.community.admin import ScopedAdmin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    """Uploads and their progress; the worker owns ``status``, so most fields are shown only."""

    list_display = ["original_name", "community", "status", "format", "group_name", "progress",
                    "created", "finished"]
    list_filter = ["status", "format", "strict", ("community", admin.RelatedOnlyFieldListFilter),
                   "created", "finished"]
    search_fields = ["original_name", "group_name", "error", "created_by__username"]
    list_select_related = ["community"]
    readonly_fields = ["created", "started", "finished", "progress", "results", "error"]
    exclude = ["path"]  # where the upload sits on the server is none of the page's business
    date_hierarchy = "created"
