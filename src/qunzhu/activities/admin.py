"""Activities in the Django admin: check-in challenges, 接龙, homework, sharing series,
campaigns, badges and privileges, and the scheduler's jobs, each scoped to the operator's
communities (see ScopedAdmin). Person, group and parent fields are raw ids, so change pages
never load every member of a community into a select box.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import URLField

from qunzhu.community.admin import ScopedAdmin

from . import models

# ------------------------------------------------------------------ check-in challenges


@admin.register(models.Challenge)
class ChallengeAdmin(ScopedAdmin):
    list_display = ["title", "community", "group", "start", "days", "keyword", "cancelled"]
    list_filter = ["photo_required", ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "start", "cancelled"]
    search_fields = ["title", "prompt", "keyword", "created_by"]
    list_select_related = ["community", "group"]
    raw_id_fields = ["group"]


@admin.register(models.Enrolment)
class EnrolmentAdmin(ScopedAdmin):
    community_path = "challenge__community"
    list_display = ["person", "challenge", "enrolled", "source", "completed"]
    list_filter = ["source", ("challenge__community", admin.RelatedOnlyFieldListFilter),
                   ("challenge", admin.RelatedOnlyFieldListFilter), "enrolled", "completed"]
    search_fields = ["person__display_name", "challenge__title"]
    list_select_related = ["person", "challenge"]
    raw_id_fields = ["challenge", "person"]


@admin.register(models.CheckIn)
class CheckInAdmin(ScopedAdmin):
    community_path = "challenge__community"
    list_display = ["person", "challenge", "day", "at", "source"]
    list_filter = ["source", ("challenge__community", admin.RelatedOnlyFieldListFilter),
                   ("challenge", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["person__display_name", "text", "photo_note", "challenge__title"]
    list_select_related = ["person", "challenge"]
    raw_id_fields = ["challenge", "person", "message"]
    show_full_result_count = False  # one row per member per day


@admin.register(models.RemovedCheckIn)
class RemovedCheckInAdmin(ScopedAdmin):
    community_path = "challenge__community"
    list_display = ["person", "challenge", "day", "at", "reason"]
    list_filter = [("challenge__community", admin.RelatedOnlyFieldListFilter),
                   ("challenge", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["person__display_name", "reason", "challenge__title"]
    list_select_related = ["person", "challenge"]
    raw_id_fields = ["challenge", "person"]


# ---------------------------------------------------------------------------- 接龙


@admin.register(models.Chain)
class ChainAdmin(ScopedAdmin):
    list_display = ["title", "community", "group", "limit", "created", "closed"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "created", "closed"]
    search_fields = ["title", "note", "created_by"]
    list_select_related = ["community", "group"]
    raw_id_fields = ["group"]


@admin.register(models.ChainEntry)
class ChainEntryAdmin(ScopedAdmin):
    community_path = "chain__community"
    list_display = ["chain", "position", "name", "person", "source", "at"]
    list_filter = ["source", ("chain__community", admin.RelatedOnlyFieldListFilter),
                   ("chain", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["name", "person__display_name", "chain__title"]
    list_select_related = ["chain", "person"]
    raw_id_fields = ["chain", "person"]


# ---------------------------------------------------------------------------- homework


@admin.register(models.Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["title", "community", "group", "due", "created"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "due", "created"]
    search_fields = ["title", "brief", "created_by"]
    list_select_related = ["community", "group"]
    raw_id_fields = ["group"]


@admin.register(models.Submission)
class SubmissionAdmin(ScopedAdmin):
    community_path = "assignment__community"
    list_display = ["person", "assignment", "submitted", "late", "review", "featured"]
    list_filter = ["review", "late", "featured", "source",
                   ("assignment__community", admin.RelatedOnlyFieldListFilter),
                   ("assignment", admin.RelatedOnlyFieldListFilter), "submitted"]
    search_fields = ["person__display_name", "text", "link", "feedback", "reviewed_by",
                     "assignment__title"]
    list_select_related = ["person", "assignment"]
    raw_id_fields = ["assignment", "person"]
    # a link typed without a scheme is taken as https (Django 6's default, stated now)
    formfield_overrides = {URLField: {"assume_scheme": "https"}}


# ---------------------------------------------------------------------- sharing sessions


@admin.register(models.SharingSeries)
class SharingSeriesAdmin(ScopedAdmin):
    list_display = ["title", "community", "mode", "weekday", "at", "place", "leader", "ended"]
    list_filter = ["mode", "weekday", ("community", admin.RelatedOnlyFieldListFilter),
                   "created", "ended"]
    search_fields = ["title", "place", "leader__display_name", "created_by"]
    list_select_related = ["community", "leader"]
    raw_id_fields = ["group", "leader", "speakers"]


@admin.register(models.Session)
class SessionAdmin(ScopedAdmin):
    community_path = "series__community"
    list_display = ["series", "at", "speaker", "guest", "topic", "status", "attendees"]
    list_filter = ["status", ("series__community", admin.RelatedOnlyFieldListFilter),
                   ("series", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["topic", "guest", "summary", "speaker__display_name", "series__title"]
    list_select_related = ["series", "speaker"]
    raw_id_fields = ["series", "speaker"]


@admin.register(models.Absence)
class AbsenceAdmin(ScopedAdmin):
    community_path = "session__series__community"
    list_display = ["person", "session", "reason", "at"]
    list_filter = [("session__series__community", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["person__display_name", "reason", "session__topic"]
    list_select_related = ["person", "session__series"]
    raw_id_fields = ["session", "person"]


# -------------------------------------------------------------------------- campaigns


@admin.register(models.Campaign)
class CampaignAdmin(ScopedAdmin):
    list_display = ["title", "community", "template", "phase", "warmup", "ignition", "end"]
    list_filter = ["phase", "template", ("community", admin.RelatedOnlyFieldListFilter),
                   "warmup", "end"]
    search_fields = ["title", "purpose", "format", "materials", "notes", "created_by"]
    list_select_related = ["community"]
    raw_id_fields = ["groups", "challenge"]


@admin.register(models.CampaignStep)
class CampaignStepAdmin(ScopedAdmin):
    community_path = "campaign__community"
    list_display = ["campaign", "phase", "kind", "at", "queued"]
    list_filter = ["phase", "kind", ("campaign__community", admin.RelatedOnlyFieldListFilter),
                   ("campaign", admin.RelatedOnlyFieldListFilter), "at", "queued"]
    search_fields = ["text", "campaign__title"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign"]


@admin.register(models.Script)
class ScriptAdmin(ScopedAdmin):
    list_display = ["title", "community", "phase", "campaign", "created"]
    list_filter = ["phase", ("community", admin.RelatedOnlyFieldListFilter), "created"]
    search_fields = ["title", "text", "campaign__title"]
    list_select_related = ["community", "campaign"]
    raw_id_fields = ["campaign"]


# ------------------------------------------------------------- points, badges, privileges


@admin.register(models.PointsPolicy)
class PointsPolicyAdmin(ScopedAdmin):
    list_display = ["community", "updated"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter), "updated"]
    search_fields = ["community__name", "community__slug"]
    list_select_related = ["community"]


@admin.register(models.Badge)
class BadgeAdmin(ScopedAdmin):
    list_display = ["name", "community", "code", "metric", "at_least", "active"]
    list_filter = ["active", "metric", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "description"]
    list_select_related = ["community"]


@admin.register(models.BadgeAward)
class BadgeAwardAdmin(ScopedAdmin):
    community_path = "badge__community"
    list_display = ["badge", "person", "at", "reason"]
    list_filter = [("badge__community", admin.RelatedOnlyFieldListFilter),
                   ("badge", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["person__display_name", "badge__name", "reason"]
    list_select_related = ["badge", "person"]
    raw_id_fields = ["badge", "person"]


@admin.register(models.Privilege)
class PrivilegeAdmin(ScopedAdmin):
    list_display = ["name", "community", "kind", "badge", "min_points", "active"]
    list_filter = ["kind", "active", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "badge__name"]
    list_select_related = ["community", "badge"]
    raw_id_fields = ["badge"]


# ---------------------------------------------------------------------------- scheduler


@admin.register(models.Job)
class JobAdmin(ScopedAdmin):
    list_display = ["kind", "community", "due", "status", "attempts", "ran", "worker"]
    list_filter = ["status", "kind", ("community", admin.RelatedOnlyFieldListFilter), "due",
                   "ran"]
    search_fields = ["key", "kind", "worker", "error"]
    list_select_related = ["community"]
    show_full_result_count = False  # reminders and summaries pile up over the months
