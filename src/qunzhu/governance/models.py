"""Gates and invites, admissions, the rulebook and its versions, findings and strikes,
removal proposals, rule votes, the points ledger and the outbox.

State changes go through ``qunzhu.governance.services`` (one function per verb, each
audited); nothing here changes state on its own.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qunzhu.community.models import (
    PLATFORM_CHOICES,
    Community,
    Gate,
    Group,
    Identity,
    Membership,
    Person,
)


class Channel(models.TextChoices):
    """Where a joiner came from (DOMAIN.md "Channels" 拉新渠道)."""

    OWN_PLATFORM = "own_platform", _("own platform (公众号、官网)")
    PEER = "peer", _("peer (同行互推)")
    CONTENT = "content", _("content platform (知乎、抖音、B站…)")
    OFFLINE = "offline", _("offline shop (门店二维码)")
    KOL = "kol", _("KOL endorsement (KOL 推荐)")
    MEMBER = "member", _("member referral (老带新)")
    OTHER = "other", _("other")


class Invite(models.Model):
    """An invite code and link: who invites, through which channel, how long, how often."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invites")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(_("code"), max_length=32, unique=True)
    inviter = models.ForeignKey(Person, verbose_name=_("inviter"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="invites")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices,
                               default=Channel.OWN_PLATFORM)
    channel_detail = models.CharField(_("channel detail"), max_length=200, blank=True,
                                      help_text=_("e.g. the shop, the KOL or the article"))
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("uses allowed"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("used"), default=0)
    revoked = models.BooleanField(_("revoked"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("invite")
        verbose_name_plural = _("invites")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.code

    def unusable_reason(self, now: object = None) -> str:
        """Why this invite cannot be used now ("" if it can)."""
        moment = now or timezone.now()
        if self.revoked:
            return str(_("this invite was revoked"))
        if self.expires is not None and self.expires <= moment:  # type: ignore[operator]
            return str(_("this invite expired"))
        if self.max_uses is not None and self.uses >= self.max_uses:
            return str(_("this invite has been used up"))
        return ""


class GroupGate(models.Model):
    """One admission gate a group uses, with its settings (fee, tasks, form, standing)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="gates")
    kind = models.CharField(_("gate"), max_length=16,
                            choices=[c for c in Gate.choices if c[0]])
    enabled = models.BooleanField(_("enabled"), default=True)
    settings = models.JSONField(_("settings"), default=dict, blank=True)

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        constraints = [models.UniqueConstraint(fields=["group", "kind"], name="gate_unique")]

    def __str__(self) -> str:
        return f"{self.group} · {self.get_kind_display()}"


class AdmissionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    NEEDS_INFO = "needs_info", _("asked for more")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class Admission(models.Model):
    """One joiner passing one gate of one group: the application, task, payment or
    recommendation, its review and, once approved, the membership it created."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="admissions")
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="admissions")
    gate = models.CharField(_("gate"), max_length=16, choices=Gate.choices)
    status = models.CharField(_("status"), max_length=16, choices=AdmissionStatus.choices,
                              default=AdmissionStatus.PENDING)
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=16, choices=PLATFORM_CHOICES,
                                blank=True)
    external_id = models.CharField(_("platform id"), max_length=200, blank=True,
                                   help_text=_("wxid, QQ number, Telegram id… if known"))
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    checks = models.JSONField(_("automatic checks"), default=list, blank=True)
    invite = models.ForeignKey(Invite, verbose_name=_("invite"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="admissions")
    inviter = models.ForeignKey(Person, verbose_name=_("invited by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices,
                               blank=True)
    voucher = models.ForeignKey(Person, verbose_name=_("recommended by"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    standing = models.JSONField(_("recommender's standing"), null=True, blank=True)
    fee_cents = models.PositiveIntegerField(_("fee (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    person = models.ForeignKey(Person, verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="admissions")
    created = models.DateTimeField(_("submitted"), default=timezone.now)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["community", "status"], name="admission_queue")]

    def __str__(self) -> str:
        return f"{self.name} → {self.group}"


class AdmissionNote(models.Model):
    """The review trail of an admission: every check, question, answer and decision."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=200)
    verb = models.CharField(max_length=32)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("payment")
    REFUND = "refund", _("refund")


class Payment(models.Model):
    """A fee paid (or refunded) for a paid gate; entered by an operator or imported."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(_("kind"), max_length=8, choices=PaymentKind.choices,
                            default=PaymentKind.PAYMENT)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    reference = models.CharField(_("reference"), max_length=200, blank=True,
                                 help_text=_("transfer or receipt number"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    recorded_by = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents} {self.currency}"


class OnboardingKit(models.Model):
    """The texts a new member and a new group get, per community and language."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="onboarding_kits")
    language = models.CharField(_("language"), max_length=8,
                                choices=[("zh-hans", "简体中文"), ("en", "English")])
    welcome = models.TextField(_("welcome message"))
    announcement_intro = models.TextField(_("announcement introduction"), blank=True)
    icebreaker_fields = models.JSONField(_("self-introduction fields"), default=list)
    is_default = models.BooleanField(_("used for new members"), default=False)

    class Meta:
        verbose_name = _("onboarding kit")
        verbose_name_plural = _("onboarding kits")
        constraints = [models.UniqueConstraint(fields=["community", "language"],
                                               name="onboarding_unique_language")]

    def __str__(self) -> str:
        return f"{self.community} ({self.language})"


class RulebookVersion(models.Model):
    """One version of a community's rulebook (``qunzhu.core.rules.Rulebook`` as data).

    Versions are never edited: the first is adopted by an operator, every later one is
    created by a passed proposal.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="rulebook_versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("rules"))
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("rulebook version")
        verbose_name_plural = _("rulebook versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"],
                                               name="rulebook_unique_number")]

    def __str__(self) -> str:
        return f"{self.community} v{self.number}"


class Finding(models.Model):
    """What an enabled rule caught in a group's messages (live enforcement, not preview)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="findings")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="findings")
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="findings")
    sender_name = models.CharField(max_length=200, blank=True)
    rule_id = models.CharField(_("rule"), max_length=64)
    kind = models.CharField(max_length=32)
    at = models.DateTimeField(_("time"))
    code = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    evidence = models.JSONField(_("messages"), default=list)
    version = models.ForeignKey(RulebookVersion, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["community", "key"],
                                               name="finding_unique_key")]

    def __str__(self) -> str:
        return f"{self.rule_id} · {self.sender_name} · {self.at:%Y-%m-%d %H:%M}"


class Strike(models.Model):
    """A mark against a member for a finding; expires; thresholds lead to proposals."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="strikes")
    person = models.ForeignKey(Person, verbose_name=_("member"), on_delete=models.CASCADE,
                               related_name="strikes")
    finding = models.OneToOneField(Finding, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="strike")
    rule_id = models.CharField(_("rule"), max_length=64)
    at = models.DateTimeField(_("time"))
    expires = models.DateTimeField(_("expires"))
    revoked = models.BooleanField(_("revoked"), default=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("strike")
        verbose_name_plural = _("strikes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} · {self.rule_id}"


class Enforcement(models.Model):
    """How far enabled rules have read each group's messages (so nothing is judged twice)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="enforcement")
    until = models.DateTimeField()
    last_message_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.group} ≤ {self.last_message_id}"


class EliminationKind(models.TextChoices):
    QUOTA = "quota", _("headcount quota (人员定额)")
    VIOLATIONS = "violations", _("removal on violations (犯规剔除)")
    POINTS = "points", _("points-based (积分淘汰)")
    OUTCOME = "outcome", _("outcome-based (成果淘汰)")


class RemovalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    VOTING = "voting", _("put to a vote")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class RemovalProposal(models.Model):
    """Members who would go under one elimination rule, with the evidence; nobody goes
    until an operator (or a vote) approves."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="removal_proposals")
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="removal_proposals")
    kind = models.CharField(_("elimination"), max_length=16, choices=EliminationKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=RemovalStatus.choices,
                              default=RemovalStatus.PENDING)
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.CharField(max_length=200)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("removal proposal")
        verbose_name_plural = _("removal proposals")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.group}"


class AppealStatus(models.TextChoices):
    NONE = "", _("no appeal")
    PENDING = "pending", _("appeal waiting")
    UPHELD = "upheld", _("removal upheld")
    REINSTATED = "reinstated", _("reinstated")


class RemovalCandidate(models.Model):
    proposal = models.ForeignKey(RemovalProposal, on_delete=models.CASCADE,
                                 related_name="candidates")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=64)
    detail = models.JSONField(default=dict)
    included = models.BooleanField(_("included"), default=True)
    removed = models.DateTimeField(_("removed"), null=True, blank=True)
    appeal = models.TextField(_("appeal"), blank=True)
    appeal_status = models.CharField(_("appeal"), max_length=16, choices=AppealStatus.choices,
                                     blank=True, default=AppealStatus.NONE)
    appeal_decided_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "membership"],
                                               name="candidate_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.code})"


class ProposalKind(models.TextChoices):
    RULES = "rules", _("rule change")
    REMOVAL = "removal", _("removal")


class ProposalStatus(models.TextChoices):
    DISCUSSION = "discussion", _("in discussion")
    VOTING = "voting", _("voting")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("not passed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Proposal(models.Model):
    """A proposed change (to the rulebook, or a removal put to a vote): discussed, voted
    by members with a quorum and a majority, published, and applied only if passed."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices,
                            default=ProposalKind.RULES)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"))
    author = models.ForeignKey(Person, verbose_name=_("proposed by"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=200)
    base = models.ForeignKey(RulebookVersion, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    data = models.JSONField(_("proposed rules"), null=True, blank=True)
    removal = models.OneToOneField(RemovalProposal, null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="vote")
    status = models.CharField(_("status"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.DISCUSSION)
    created = models.DateTimeField(_("proposed"), default=timezone.now)
    voting_opens = models.DateTimeField(_("voting opens"))
    voting_closes = models.DateTimeField(_("voting closes"))
    quorum = models.FloatField(_("quorum"))
    majority = models.FloatField(_("majority"))
    open_ballot = models.BooleanField(_("open ballot"), default=False)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)
    tally = models.JSONField(_("result"), null=True, blank=True)
    result = models.ForeignKey(RulebookVersion, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["community", "number"],
                                               name="proposal_unique_number")]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class Ballot(models.Model):
    """One member's vote on a proposal; changeable until the vote closes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ballots")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(max_length=8, choices=[("yes", _("yes")), ("no", _("no")),
                                                     ("abstain", _("abstain"))])
    cast = models.DateTimeField(default=timezone.now)
    changed = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "person"],
                                               name="ballot_one_per_member")]

    def __str__(self) -> str:
        return f"{self.proposal} · {self.person}"


class PointsEntry(models.Model):
    """The points ledger: append-only; a correction is another entry."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="points_entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="points_entries")
    amount = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=32, default="manual")
    at = models.DateTimeField(_("time"), default=timezone.now)
    recorded_by = models.CharField(max_length=200)
    #: names the act an automatic grant is for (a check-in, a session), so it is granted once
    key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["community", "person", "at"], name="points_person")]
        constraints = [models.UniqueConstraint(fields=["community", "key"],
                                               condition=~models.Q(key=""),
                                               name="points_unique_key")]

    def __str__(self) -> str:
        return f"{self.person} {self.amount:+d} {self.reason}"


class ActionStatus(models.TextChoices):
    PENDING = "pending", _("to do")
    DONE = "done", _("done")
    DISMISSED = "dismissed", _("dismissed")


class OutboxAction(models.Model):
    """One chat-side step (``qunzhu.core.events.Action``) waiting for an operator or a bot:
    the exact text to paste, the member to act on, and a "done" button."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="outbox")
    group = models.ForeignKey(Group, verbose_name=_("group"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(_("do"), max_length=16)
    text = models.TextField(_("text"), blank=True)
    target = models.ForeignKey(Person, verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    target_name = models.CharField(max_length=200, blank=True)
    target_key = models.CharField(max_length=200, blank=True)
    message_key = models.CharField(max_length=100, blank=True)
    duration_s = models.PositiveIntegerField(default=0)
    reason = models.TextField(_("why"), blank=True)
    source = models.CharField(_("from"), max_length=32)
    source_ref = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices,
                              default=ActionStatus.PENDING)
    created = models.DateTimeField(_("created"), default=timezone.now)
    done = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.CharField(max_length=200, blank=True)
    key = models.CharField(max_length=200, blank=True,
                           help_text="dedupe key: the same step is queued once")

    class Meta:
        verbose_name = _("outbox action")
        verbose_name_plural = _("outbox")
        ordering = ["status", "created", "id"]
        indexes = [models.Index(fields=["community", "status"], name="outbox_status")]
        constraints = [models.UniqueConstraint(fields=["community", "key"],
                                               condition=~models.Q(key=""),
                                               name="outbox_unique_key")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:60]}"
