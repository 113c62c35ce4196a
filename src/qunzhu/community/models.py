"""Communities, their groups, the people in them and what they said.

A Person is one human inside one community; an Identity is one account of that person on
one platform. Identities and persons are scoped to a community so that two operators who
import the same chat never share (or leak) rows.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qunzhu.core.events import MessageKind, Platform


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("%(value)s is not a known time zone (e.g. Asia/Shanghai)."),
                              params={"value": value}) from exc


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


PLATFORM_CHOICES = [
    (Platform.WECHAT.value, _("WeChat")),
    (Platform.WECOM.value, _("WeCom")),
    (Platform.QQ.value, "QQ"),
    (Platform.TELEGRAM.value, "Telegram"),
    (Platform.WHATSAPP.value, "WhatsApp"),
    (Platform.DISCORD.value, "Discord"),
    (Platform.SLACK.value, "Slack"),
    (Platform.IRC.value, "IRC"),
    (Platform.MATRIX.value, "Matrix"),
    (Platform.OTHER.value, _("other")),
]

KIND_CHOICES = [
    (MessageKind.TEXT.value, pgettext_lazy("message kind", "text")),
    (MessageKind.IMAGE.value, pgettext_lazy("message kind", "image")),
    (MessageKind.FILE.value, pgettext_lazy("message kind", "file")),
    (MessageKind.LINK.value, pgettext_lazy("message kind", "link")),
    (MessageKind.VOICE.value, pgettext_lazy("message kind", "voice")),
    (MessageKind.VIDEO.value, pgettext_lazy("message kind", "video")),
    (MessageKind.STICKER.value, pgettext_lazy("message kind", "sticker")),
    (MessageKind.RED_ENVELOPE.value, pgettext_lazy("message kind", "red envelope")),
    (MessageKind.MINI_PROGRAM.value, pgettext_lazy("message kind", "mini program")),
    (MessageKind.SYSTEM.value, pgettext_lazy("message kind", "system")),
    (MessageKind.JOIN.value, pgettext_lazy("message kind", "joined")),
    (MessageKind.LEAVE.value, pgettext_lazy("message kind", "left")),
    (MessageKind.RECALL.value, pgettext_lazy("message kind", "recalled")),
    (MessageKind.RENAME.value, pgettext_lazy("message kind", "renamed")),
]


class Purpose(models.TextChoices):
    SELL_PRODUCTS = "sell_products", _("sell products")
    PROVIDE_SERVICE = "provide_service", _("provide a service")
    BUILD_NETWORK = "build_network", _("build a network")
    SHARED_INTEREST = "shared_interest", _("shared interest")
    BUILD_BRAND = "build_brand", _("build a brand")
    BUILD_INFLUENCE = "build_influence", _("build influence")


class Shape(models.TextChoices):
    PYRAMID = "pyramid", _("pyramid (金字塔)")
    RING = "ring", _("ring (环形)")


class ManagementMode(models.TextChoices):
    CENTRALISED = "centralised", _("centralised (集中管理)")
    SUB_GROUPS = "sub_groups", _("sub-groups (分群管理)")
    SELF_GOVERNING = "self_governing", _("self-governing (自治管理)")
    NONE = "none", _("none (不管理)")


class Maturity(models.TextChoices):
    INITIALISATION = "initialisation", _("initialisation")
    TRUST = "trust", _("trust and value established")
    DECENTRALISATION = "decentralisation", _("decentralisation")
    SELF_GROWTH = "self_growth", _("self-growth")


class Role(models.TextChoices):
    """Member roles from the playbook (seed 000); a member may hold several."""

    CREATOR = "creator", _("creator (创建者)")
    MANAGER = "manager", _("manager (管理者)")
    PARTICIPANT = "participant", _("participant (参与者)")
    PIONEER = "pioneer", _("pioneer (开拓者)")
    DIFFERENTIATOR = "differentiator", _("differentiator (分化者)")
    COLLABORATOR = "collaborator", _("collaborator (合作者)")
    PAYER = "payer", _("payer (付费者)")


class Gate(models.TextChoices):
    UNKNOWN = "", _("unknown")
    INVITATION = "invitation", _("invitation (邀请制)")
    TASK = "task", _("task (任务制)")
    PAID = "paid", _("paid (付费制)")
    APPLICATION = "application", _("application (申请制)")
    RECOMMENDATION = "recommendation", _("recommendation (举荐制)")


class Community(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True,
                            help_text=_("Used in URLs and on the command line."))
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices,
                               default=Purpose.SHARED_INTEREST)
    # value proposition (价值主张): a pain point, concrete, with a reward carrier, mutual benefit
    pain_point = models.TextField(_("pain point it solves"), blank=True)
    offer = models.TextField(_("concrete offer"), blank=True)
    reward_carrier = models.TextField(_("reward carrier"), blank=True)
    mutual_benefit = models.TextField(_("mutual benefit"), blank=True)
    interest_tags = models.JSONField(_("interest tags"), default=list, blank=True)
    shape = models.CharField(_("shape"), max_length=16, choices=Shape.choices,
                             default=Shape.PYRAMID)
    management_mode = models.CharField(_("management mode"), max_length=16,
                                       choices=ManagementMode.choices,
                                       default=ManagementMode.CENTRALISED)
    maturity = models.CharField(_("maturity node"), max_length=20, choices=Maturity.choices,
                                default=Maturity.INITIALISATION)
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone,
                                 validators=[validate_time_zone])
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Group(models.Model):
    community = models.ForeignKey(Community, verbose_name=_("community"),
                                  on_delete=models.CASCADE, related_name="groups")
    platform = models.CharField(_("platform"), max_length=16,
                                choices=PLATFORM_CHOICES,
                                default=Platform.WECHAT.value)
    external_key = models.CharField(_("platform key"), max_length=200,
                                    help_text=_("The chat's id on its platform."))
    name = models.CharField(_("name"), max_length=200)
    series_template = models.CharField(_("series naming template"), max_length=100,
                                       default="{community}{n}群", blank=True)
    series_index = models.PositiveIntegerField(_("series number"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=500)
    active_size = models.PositiveIntegerField(_("recommended active size"), default=40)
    opened = models.DateField(_("opened"), null=True, blank=True)
    archived = models.DateField(_("archived"), null=True, blank=True)
    split_from = models.ForeignKey("self", verbose_name=_("split from"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="splits")

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["community", "series_index", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "platform", "external_key"],
                                    name="group_unique_platform_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """One human across platforms, within one community."""

    community = models.ForeignKey(Community, verbose_name=_("community"),
                                  on_delete=models.CASCADE, related_name="people")
    display_name = models.CharField(_("display name"), max_length=200)
    interest_tags = models.JSONField(_("interests"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    needs = models.JSONField(_("needs"), default=list, blank=True)
    consent_contact = models.BooleanField(_("may be contacted"), default=False)
    consent_introduce = models.BooleanField(_("may be introduced to other members"),
                                            default=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class Identity(models.Model):
    """One account on one platform. ``weak`` keys come from a display name, not an id."""

    community = models.ForeignKey(Community, verbose_name=_("community"),
                                  on_delete=models.CASCADE, related_name="identities")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="identities")
    platform = models.CharField(_("platform"), max_length=16,
                                choices=PLATFORM_CHOICES)
    external_id = models.CharField(_("platform id"), max_length=200)
    display_name = models.CharField(_("display name"), max_length=200)
    weak = models.BooleanField(_("name-based key"), default=False,
                               help_text=_("The export had no stable id; keyed by name."))
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "platform", "external_id"],
                                    name="identity_unique_platform_id"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.platform})"


class IdentityName(models.Model):
    """A display name an identity has used, with when it was first and last seen."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=200)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("name used")
        verbose_name_plural = _("names used")
        ordering = ["first_seen"]
        constraints = [
            models.UniqueConstraint(fields=["identity", "name"], name="identityname_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("member")
    LEFT = "left", _("left")
    REMOVED = "removed", _("removed")


class Membership(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="memberships")
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="memberships")
    joined = models.DateTimeField(_("joined"), null=True, blank=True)
    left = models.DateTimeField(_("left"), null=True, blank=True)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    gate = models.CharField(_("gate used"), max_length=16, choices=Gate.choices, blank=True,
                            default=Gate.UNKNOWN)
    inviter = models.ForeignKey(Person, verbose_name=_("invited by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(_("channel"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MembershipStatus.choices,
                              default=MembershipStatus.ACTIVE)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "group"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.group}"

    def clean(self) -> None:
        unknown = set(self.roles) - set(Role.values)
        if unknown:
            raise ValidationError({"roles": _("Unknown roles: %(roles)s") % {
                "roles": ", ".join(sorted(unknown))}})


class Message(models.Model):
    # group has no index of its own: the (group, key) and (group, sent_at) indexes lead with it
    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE,
                              related_name="messages", db_index=False)
    identity = models.ForeignKey(Identity, verbose_name=_("sender"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="messages")
    sent_at = models.DateTimeField(_("time"))
    kind = models.CharField(_("kind"), max_length=16,
                            choices=KIND_CHOICES,
                            default=MessageKind.TEXT.value)
    text = models.TextField(_("text"), blank=True)
    # lower-cased / folded form for search; the original text is never changed
    text_folded = models.TextField(blank=True)
    key = models.CharField(_("message key"), max_length=100,
                           help_text=_("Platform message id, or a stable content key."))
    reply_to_key = models.CharField(max_length=100, blank=True)
    # A soft pointer (no database constraint, no index): resolved from reply_to_key after an
    # import, and a database-level check would make deleting a large group quadratic.
    reply_to = models.ForeignKey("self", verbose_name=_("reply to"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="replies",
                                 db_index=False, db_constraint=False)
    mentions = models.JSONField(_("mentions"), default=list, blank=True)
    # link / ad phrase / QR card / contact id / selling bits (qunzhu.core.health.flags), set
    # when the message is stored
    flags = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "key"], name="message_unique_key"),
        ]
        indexes = [models.Index(fields=["group", "sent_at"], name="message_group_time")]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.text[:40]}"


class OperatorRole(models.TextChoices):
    OWNER = "owner", _("owner")
    MANAGER = "manager", _("manager")
    VIEWER = "viewer", _("viewer")


class OperatorAccess(models.Model):
    """Which communities an operator (a Django user) may see, and in which role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="community_access")
    community = models.ForeignKey(Community, on_delete=models.CASCADE,
                                  related_name="operator_access")
    role = models.CharField(_("role"), max_length=16, choices=OperatorRole.choices,
                            default=OperatorRole.VIEWER)

    class Meta:
        verbose_name = _("operator access")
        verbose_name_plural = _("operator access")
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="operator_access_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.community} ({self.role})"
