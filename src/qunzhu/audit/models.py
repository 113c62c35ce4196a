"""The audit log: every state change made by a person, a rule or the system."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    OPERATOR = "operator", _("operator")
    MEMBER = "member", _("member")
    RULE = "rule", _("rule")
    SYSTEM = "system", _("system")


class AuditEntry(models.Model):
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("operator"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_label = models.CharField(_("actor"), max_length=200)
    # SET_NULL: the log outlives a deleted community (its deletion is itself an entry)
    community = models.ForeignKey("community.Community", verbose_name=_("community"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="audit_entries")
    verb = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.object_repr}"
