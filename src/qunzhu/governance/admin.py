"""Governance in the Django admin: gates, invites, admissions, rulebooks, findings,
strikes, removals, votes, the points ledger and the outbox, each scoped to the operator's
communities (see ScopedAdmin). Person and group fields are raw ids, so change pages never
load every member of a community into a select box.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from qunzhu.community.admin import RecordAdmin, ScopedAdmin

from . import models


@admin.register(models.Invite)
class InviteAdmin(ScopedAdmin):
    list_display = ["code", "community", "group", "inviter", "channel", "uses", "max_uses",
                    "expires", "revoked", "created"]
    list_filter = ["channel", "revoked", ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "expires", "created"]
    search_fields = ["code", "channel_detail", "inviter__display_name", "created_by"]
    list_select_related = ["community", "group", "inviter"]
    raw_id_fields = ["group", "inviter"]


@admin.register(models.GroupGate)
class GroupGateAdmin(ScopedAdmin):
    community_path = "group__community"
    list_display = ["group", "kind", "enabled"]
    list_filter = ["kind", "enabled", ("group__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["group__name"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]


class ShownInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows shown under their parent, read-only: inline edits would bypass the audited
    ``save_model``, so changes are made on the row's own admin page (or by the services)."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # the parent page is already scoped to the operator's communities
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class AdmissionNoteInline(ShownInline):
    model = models.AdmissionNote
    fields = ["at", "actor", "verb", "text"]


@admin.register(models.Admission)
class AdmissionAdmin(ScopedAdmin):
    list_display = ["name", "group", "gate", "status", "channel", "created", "decided"]
    list_filter = ["status", "gate", "channel", "platform",
                   ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "created", "decided"]
    search_fields = ["name", "external_id", "contact", "decided_by", "person__display_name",
                     "inviter__display_name", "voucher__display_name", "invite__code"]
    list_select_related = ["group"]
    raw_id_fields = ["group", "invite", "inviter", "voucher", "person"]
    inlines = [AdmissionNoteInline]


@admin.register(models.AdmissionNote)
class AdmissionNoteAdmin(RecordAdmin):
    community_path = "admission__community"
    list_display = ["at", "admission", "actor", "verb", "text"]
    list_filter = ["verb", ("admission__community", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["text", "actor", "admission__name"]
    list_select_related = ["admission__group"]


@admin.register(models.Payment)
class PaymentAdmin(ScopedAdmin):
    community_path = "admission__community"
    list_display = ["at", "admission", "kind", "amount_cents", "currency", "reference",
                    "recorded_by"]
    list_filter = ["kind", "currency", ("admission__community", admin.RelatedOnlyFieldListFilter),
                   "at"]
    search_fields = ["reference", "recorded_by", "admission__name"]
    list_select_related = ["admission__group"]
    raw_id_fields = ["admission"]


@admin.register(models.OnboardingKit)
class OnboardingKitAdmin(ScopedAdmin):
    list_display = ["community", "language", "is_default"]
    list_filter = ["language", "is_default", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["welcome", "announcement_intro", "community__name"]
    list_select_related = ["community"]


@admin.register(models.RulebookVersion)
class RulebookVersionAdmin(RecordAdmin):
    """Versions are never edited: a new one comes from an adoption or a passed proposal."""

    list_display = ["community", "number", "created", "created_by", "reason"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter), "created"]
    search_fields = ["reason", "created_by", "community__name"]
    list_select_related = ["community"]


@admin.register(models.Finding)
class FindingAdmin(ScopedAdmin):
    list_display = ["at", "rule_id", "kind", "code", "sender_name", "group", "person"]
    list_filter = ["rule_id", "kind", "code", ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["sender_name", "rule_id", "person__display_name", "key"]
    list_select_related = ["group", "person"]
    raw_id_fields = ["group", "identity", "person", "version"]
    date_hierarchy = "at"
    show_full_result_count = False  # findings grow with the messages


@admin.register(models.Strike)
class StrikeAdmin(ScopedAdmin):
    list_display = ["person", "rule_id", "at", "expires", "revoked"]
    list_filter = ["revoked", "rule_id", ("community", admin.RelatedOnlyFieldListFilter), "at",
                   "expires"]
    search_fields = ["person__display_name", "rule_id", "note"]
    list_select_related = ["person"]
    raw_id_fields = ["person", "finding"]


@admin.register(models.Enforcement)
class EnforcementAdmin(RecordAdmin):
    """How far the rules have read each group: moving it by hand would judge messages twice
    or skip them, so it is shown only."""

    community_path = "group__community"
    list_display = ["group", "until", "last_message_id"]
    list_filter = [("group__community", admin.RelatedOnlyFieldListFilter), "until"]
    search_fields = ["group__name"]
    list_select_related = ["group"]


class RemovalCandidateInline(ShownInline):
    model = models.RemovalCandidate
    fields = ["person", "code", "included", "removed", "appeal_status"]


@admin.register(models.RemovalProposal)
class RemovalProposalAdmin(ScopedAdmin):
    list_display = ["group", "kind", "status", "created", "created_by", "decided", "decided_by"]
    list_filter = ["kind", "status", ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "created", "decided"]
    search_fields = ["reason", "created_by", "decided_by", "group__name"]
    list_select_related = ["group"]
    raw_id_fields = ["group"]
    inlines = [RemovalCandidateInline]


@admin.register(models.RemovalCandidate)
class RemovalCandidateAdmin(ScopedAdmin):
    community_path = "proposal__community"
    list_display = ["person", "proposal", "code", "included", "removed", "appeal_status"]
    list_filter = ["included", "appeal_status", "code",
                   ("proposal__community", admin.RelatedOnlyFieldListFilter), "removed"]
    search_fields = ["person__display_name", "code", "appeal", "appeal_decided_by"]
    list_select_related = ["person", "proposal__group"]
    raw_id_fields = ["proposal", "membership", "person"]


@admin.register(models.Proposal)
class ProposalAdmin(ScopedAdmin):
    list_display = ["number", "title", "community", "kind", "status", "voting_opens",
                    "voting_closes", "open_ballot"]
    list_filter = ["kind", "status", "open_ballot", ("community", admin.RelatedOnlyFieldListFilter),
                   "created", "voting_closes"]
    search_fields = ["title", "reason", "author_label", "author__display_name"]
    list_select_related = ["community"]
    raw_id_fields = ["author", "base", "removal", "result"]


@admin.register(models.Ballot)
class BallotAdmin(RecordAdmin):
    """A member's vote is theirs: changed only by the member (or for them) through the
    voting service while the vote is open, never edited afterwards."""

    community_path = "proposal__community"
    list_display = ["proposal", "person", "choice", "cast", "changed", "recorded_by"]
    list_filter = ["choice", ("proposal__community", admin.RelatedOnlyFieldListFilter),
                   ("proposal", admin.RelatedOnlyFieldListFilter), "cast"]
    search_fields = ["person__display_name", "proposal__title", "recorded_by"]
    list_select_related = ["proposal", "person"]


@admin.register(models.PointsEntry)
class PointsEntryAdmin(RecordAdmin):
    """The ledger is append-only (a correction is another entry), so it is shown only."""

    list_display = ["at", "person", "amount", "reason", "source", "recorded_by"]
    list_filter = ["source", ("community", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["person__display_name", "reason", "recorded_by", "key"]
    list_select_related = ["person"]
    date_hierarchy = "at"
    show_full_result_count = False  # every check-in and session adds a line


@admin.register(models.OutboxAction)
class OutboxActionAdmin(ScopedAdmin):
    list_display = ["created", "kind", "status", "group", "target_name", "source", "done",
                    "done_by"]
    list_filter = ["status", "kind", "source", ("community", admin.RelatedOnlyFieldListFilter),
                   ("group", admin.RelatedOnlyFieldListFilter), "created", "done"]
    search_fields = ["text", "target_name", "target__display_name", "reason", "done_by", "key"]
    list_select_related = ["group"]
    raw_id_fields = ["group", "target"]
