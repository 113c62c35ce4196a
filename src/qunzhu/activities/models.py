"""Activities (seed 002, seed 004): check-in challenges 打卡, 接龙, homework 作业, sharing
series 分享, campaigns 活动 with their phases and retrospective 复盘; points policies,
badges and privileges; and the scheduler's jobs.

State changes go through the service modules of this package (one function per verb,
each audited); nothing here changes state on its own.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunzhu.community.models import Community, Group, Message, Person
from qunzhu.core.activities.checkin import ChallengeSpec


class Source(models.TextChoices):
    """Where a check-in, entry or submission came from."""

    OPERATOR = "operator", _("recorded by an operator")
    MESSAGE = "message", _("recognised in a message")
    PORTAL = "portal", _("member portal")
    MAKEUP = "makeup", _("make-up card")
    PASTE = "paste", _("pasted list")


# ------------------------------------------------------------------ check-in challenges

class Challenge(models.Model):
    """A check-in challenge 打卡 (the 21-day kind and others)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="challenges")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="challenges",
                              help_text=_("Where check-ins are posted; empty: any group."))
    title = models.CharField(_("title"), max_length=120)
    prompt = models.TextField(_("daily prompt"), blank=True)
    start = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=21)
    keyword = models.CharField(_("keyword"), max_length=40, default="#打卡", blank=True)
    min_length = models.PositiveSmallIntegerField(_("minimum length"), default=0)
    photo_required = models.BooleanField(_("photo note required"), default=False)
    makeup_limit = models.PositiveSmallIntegerField(_("make-up cards"), default=2)
    makeup_window = models.PositiveSmallIntegerField(_("make-up window (days)"), default=3)
    remind_at = models.TimeField(_("daily reminder at"), default=time(20, 0), null=True,
                                 blank=True)
    summary_at = models.TimeField(_("daily summary at"), default=time(22, 30), null=True,
                                  blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)
    cancelled = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in challenge")
        verbose_name_plural = _("check-in challenges")
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return self.title

    def spec(self) -> ChallengeSpec:
        return ChallengeSpec(start=self.start, days=self.days, zone=self.community.zone,
                             keyword=self.keyword, min_length=self.min_length,
                             photo_required=self.photo_required,
                             makeup_limit=self.makeup_limit, makeup_window=self.makeup_window)


class Enrolment(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE,
                                  related_name="enrolments")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="enrolments")
    enrolled = models.DateTimeField(_("enrolled"), default=timezone.now)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OPERATOR)
    completed = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["enrolled", "id"]
        constraints = [models.UniqueConstraint(fields=["challenge", "person"],
                                               name="enrolment_once")]

    def __str__(self) -> str:
        return f"{self.person} → {self.challenge}"


class CheckIn(models.Model):
    """One member's check-in for one day of a challenge (at most one per day)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="checkins")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="checkins")
    day = models.PositiveSmallIntegerField(_("day"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices,
                              default=Source.OPERATOR)
    text = models.TextField(_("text"), blank=True)
    photo_note = models.CharField(_("photo note"), max_length=300, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_constraint=False)
    recorded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["day", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["challenge", "person", "day"],
                                               name="checkin_once_a_day")]

    def __str__(self) -> str:
        return f"{self.person} · {self.challenge} · {self.day}"

    @property
    def makeup(self) -> bool:
        return self.source == Source.MAKEUP


class RemovedCheckIn(models.Model):
    """A check-in an operator took back: recognition from messages must not bring it back
    with the next import (a member who checks in again later is recorded as usual)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "person", "day"],
                                               name="removed_checkin_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.challenge} · {self.day} (removed)"


# ---------------------------------------------------------------------------- 接龙


class Chain(models.Model):
    """A sign-up chain 接龙: first N names, with the columns the organiser asks for."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="chains")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="chains")
    title = models.CharField(_("title"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    fields = models.JSONField(_("columns"), default=list, blank=True)
    limit = models.PositiveIntegerField(_("limit (first N)"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up chain (接龙)")
        verbose_name_plural = _("sign-up chains (接龙)")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class ChainEntry(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=120)
    values = models.JSONField(default=list, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="chain_entries")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OPERATOR)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["chain", "name"], name="chain_name_once"),
                       models.UniqueConstraint(fields=["chain", "position"],
                                               name="chain_position_once")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


# ---------------------------------------------------------------------------- homework

class Assignment(models.Model):
    """Homework 作业: a task with a deadline; submissions are reviewed, the best featured."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="assignments")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="assignments")
    title = models.CharField(_("title"), max_length=120)
    brief = models.TextField(_("what to do"), blank=True)
    due = models.DateTimeField(_("deadline"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("homework")
        verbose_name_plural = _("homework")
        ordering = ["-due", "-id"]

    def __str__(self) -> str:
        return self.title


class Review(models.TextChoices):
    WAITING = "waiting", _("waiting for review")
    PASSED = "passed", _("passed")
    REDO = "redo", _("asked to redo")


class Submission(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE,
                                   related_name="submissions")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="submissions")
    text = models.TextField(_("work"), blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    submitted = models.DateTimeField(_("submitted"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OPERATOR)
    review = models.CharField(_("review"), max_length=16, choices=Review.choices,
                              default=Review.WAITING)
    feedback = models.TextField(_("feedback"), blank=True)
    reviewed = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=200, blank=True)
    featured = models.BooleanField(_("excellent work"), default=False)

    class Meta:
        ordering = ["submitted", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "person"],
                                               name="submission_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.assignment}"


# ---------------------------------------------------------------------- sharing sessions

class SharingMode(models.TextChoices):
    LEADER = "leader", _("leader-led (领袖主导)")
    GUEST = "guest", _("guest drop-in (嘉宾空降)")
    ROTATION = "rotation", _("rotation (轮换上台)")
    SUMMARY = "summary", _("experience summary (经验总结)")


class SharingSeries(models.Model):
    """Sharing sessions at a fixed time and place (seed 004: habits need fixed time, place
    and thing)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="sharing_series")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="sharing_series")
    title = models.CharField(_("title"), max_length=120)
    mode = models.CharField(_("mode"), max_length=16, choices=SharingMode.choices,
                            default=SharingMode.ROTATION)
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=3)  # 0 = Monday
    at = models.TimeField(_("time"), default=time(20, 0))
    place = models.CharField(_("place"), max_length=120, blank=True)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=60)
    remind_before = models.PositiveSmallIntegerField(_("reminder (minutes before)"),
                                                     default=60)
    leader = models.ForeignKey(Person, verbose_name=_("leader"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    speakers = models.ManyToManyField(Person, verbose_name=_("speakers in rotation"),
                                      blank=True, related_name="sharing_series")
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)
    ended = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("sharing series")
        verbose_name_plural = _("sharing series")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


class Session(models.Model):
    series = models.ForeignKey(SharingSeries, on_delete=models.CASCADE,
                               related_name="sessions")
    at = models.DateTimeField(_("time"))
    speaker = models.ForeignKey(Person, verbose_name=_("speaker"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sessions_given")
    guest = models.CharField(_("guest"), max_length=120, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)
    summary = models.TextField(_("summary"), blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)

    class Meta:
        verbose_name = _("sharing session")
        verbose_name_plural = _("sharing sessions")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["series", "at"],
                                               name="session_once_at")]

    def __str__(self) -> str:
        return f"{self.series} {self.at:%Y-%m-%d}"


class Absence(models.Model):
    """A speaker in the rotation who cannot take a session, and why; they keep their place."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="absences")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"],
                                               name="absence_once")]

    def __str__(self) -> str:
        return f"{self.person}: {self.reason}"


# -------------------------------------------------------------------------- campaigns

class Phase(models.TextChoices):
    PLANNING = "planning", _("planning")
    WARMUP = "warmup", _("warm-up (预热)")
    IGNITION = "ignition", _("ignition (引爆)")
    MONITORING = "monitoring", _("monitoring (监控)")
    DONE = "done", pgettext_lazy("campaign phase", "finished")


class Campaign(models.Model):
    """A campaign 活动 (seed 002): planned, run in three phases, then reviewed."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(_("title"), max_length=120)
    template = models.CharField(_("template"), max_length=40, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    format = models.TextField(_("format"), blank=True)
    groups = models.ManyToManyField(Group, verbose_name=_("target groups"), blank=True,
                                    related_name="campaigns")
    materials = models.TextField(_("materials"), blank=True)
    risks = models.TextField(_("risk forecast"), blank=True)
    staff = models.JSONField(_("staff and duties"), default=list, blank=True)
    budget = models.CharField(_("budget"), max_length=200, blank=True)
    measures = models.JSONField(_("success measures"), default=list, blank=True)
    warmup = models.DateTimeField(_("warm-up starts"))
    ignition = models.DateTimeField(_("ignition starts"))
    monitoring = models.DateTimeField(_("monitoring starts"))
    end = models.DateTimeField(_("ends"))
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices,
                             default=Phase.PLANNING)
    challenge = models.ForeignKey(Challenge, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="campaigns")
    notes = models.TextField(_("retrospective notes"), blank=True)
    retro = models.JSONField(_("retrospective figures"), null=True, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-warmup", "-id"]

    def __str__(self) -> str:
        return self.title


class StepKind(models.TextChoices):
    POST = "post", _("post")
    REMIND = "remind", _("reminder")


class CampaignStep(models.Model):
    """A scheduled post or reminder of a campaign; at its time it goes to the outbox."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices,
                            default=StepKind.POST)
    text = models.TextField(_("text"))
    queued = models.DateTimeField(_("sent to the outbox"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.phase} {self.at:%Y-%m-%d %H:%M}"


class Script(models.Model):
    """A good script kept from a retrospective for next time (seed 002)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="scripts")
    title = models.CharField(_("title"), max_length=120)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, blank=True)
    text = models.TextField(_("text"))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="scripts")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("saved script")
        verbose_name_plural = _("saved scripts")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


# ------------------------------------------------------------- points, badges, privileges

class PointsPolicy(models.Model):
    """How many points each act earns in a community (missing acts use the defaults)."""

    community = models.OneToOneField(Community, on_delete=models.CASCADE,
                                     related_name="points_policy")
    amounts = models.JSONField(default=dict, blank=True)
    updated = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.community}"


class Badge(models.Model):
    """A badge or title earned automatically when a member's record reaches the threshold."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="badges")
    code = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    metric = models.CharField(_("earned by"), max_length=32)
    at_least = models.PositiveIntegerField(_("at least"), default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["metric", "at_least", "id"]
        constraints = [models.UniqueConstraint(fields=["community", "code"],
                                               name="badge_code_once")]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="badges")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["badge", "person"],
                                               name="badge_award_once")]

    def __str__(self) -> str:
        return f"{self.badge} · {self.person}"


class PrivilegeKind(models.TextChoices):
    MEMBER_PRICE = "member_price", _("member price")
    FREE_TRIAL = "free_trial", _("free trial")
    OTHER = "other", _("other")


class Privilege(models.Model):
    """A privilege as data (seed 002 "special status"): who qualifies, what they get."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="privileges")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=PrivilegeKind.choices,
                            default=PrivilegeKind.OTHER)
    description = models.CharField(_("what the member gets"), max_length=200, blank=True)
    badge = models.ForeignKey(Badge, verbose_name=_("badge needed"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="privileges")
    min_points = models.PositiveIntegerField(_("points needed"), null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------- scheduler

class JobStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class Job(models.Model):
    """One scheduled step (a reminder, a summary, a phase change). Its ``key`` names the
    step, so scheduling it again changes nothing; running it and recording that it ran
    happen in one transaction, so it runs exactly once even across a restart."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="jobs")
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    due = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=16, choices=JobStatus.choices,
                              default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    ran = models.DateTimeField(_("ran"), null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["status", "due"], name="job_due")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due:%Y-%m-%d %H:%M}"
