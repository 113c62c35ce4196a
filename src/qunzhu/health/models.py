from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qunzhu.community.models import Community
from qunzhu.ingest.models import JobStatus


class HealthReport(models.Model):
    """A computed health report of a community, cached so pages never recompute in a
    request; its status runs queued → running → done / failed, like an import job's.

    ``data`` is the JSON report (qunzhu.core.health.schema, reasons in en and zh-hans).
    """

    community = models.ForeignKey(Community, verbose_name=_("community"),
                                  on_delete=models.CASCADE, related_name="health_reports")
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    created = models.DateTimeField(_("requested"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    messages = models.PositiveIntegerField(_("messages"), default=0)
    data = models.JSONField(_("report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("health report")
        verbose_name_plural = _("health reports")
        ordering = ["-created"]
        indexes = [models.Index(fields=["community", "status", "-created"],
                                name="healthreport_latest")]

    def __str__(self) -> str:
        return f"{self.community} {self.created:%Y-%m-%d %H:%M} {self.status}"


class GroupColumns(models.Model):
    """A group's message columns as NumPy arrays (qunzhu.health.source): derived data,
    rebuilt whenever the group's message count or highest message id changes."""

    group = models.OneToOneField("community.Group", on_delete=models.CASCADE,
                                 related_name="+", primary_key=True)
    messages = models.PositiveIntegerField()
    last_id = models.BigIntegerField()
    layout = models.CharField(max_length=300)
    built = models.DateTimeField(auto_now=True)
    data = models.BinaryField()

    class Meta:
        verbose_name = _("message columns")
        verbose_name_plural = _("message columns")

    def __str__(self) -> str:
        return f"{self.group_id}: {self.messages} messages"
