"""Import jobs: an uploaded export imported in the background, with progress and results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    community = models.ForeignKey("community.Community", verbose_name=_("community"),
                                  on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices,
                              default=JobStatus.QUEUED)
    path = models.CharField(_("stored file"), max_length=500)
    original_name = models.CharField(_("file"), max_length=255)
    format = models.CharField(_("format"), max_length=32, default="auto")
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    group_name = models.CharField(_("group name"), max_length=200, blank=True)
    strict = models.BooleanField(_("strict"), default=False)
    year = models.PositiveSmallIntegerField(_("year of the first line"), null=True, blank=True)
    progress = models.PositiveIntegerField(_("messages read"), default=0)
    results = models.JSONField(_("results"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)
