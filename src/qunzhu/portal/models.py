"""The member portal's own state: one-time sign-in codes, failed sign-in attempts (for the
rate limit) and members' requests to erase their data.

A member's session holds the ids of the people they signed in as (one per community);
nothing else about members lives here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunzhu.community.models import Community, Person


class SignInCode(models.Model):
    """A one-time code (or link) an operator passes on to a member. Only its hash is kept."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="signin_codes")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.created:%Y-%m-%d %H:%M}"


class FailedSignIn(models.Model):
    """A wrong code, by client address: the rate limit counts these."""

    client = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="failed_signin_client")]

    def __str__(self) -> str:
        return f"{self.client} {self.at:%Y-%m-%d %H:%M}"


class ErasureStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("erased")
    DECLINED = "declined", _("declined")


class ErasureRequest(models.Model):
    """A member asks for everything about them to be erased (PIPL, GDPR); an operator
    carries it out from the console. The name is copied so the request outlives the person."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="erasure_requests")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="erasure_requests")
    name = models.CharField(_("name"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    requested = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=ErasureStatus.choices,
                              default=ErasureStatus.OPEN)
    handled = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"
