"""Service functions change state and write the audit log; constraints hold."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from qunzhu.audit.models import AuditEntry
from qunzhu.community import actions
from qunzhu.community.models import Community, Group, Identity, Membership, Message, Person


def test_create_community_is_audited(db, system_actor):
    community = actions.do_create_community(system_actor, name="读书会", slug="books",
                                            interest_tags=["阅读"], time_zone="Europe/Berlin")
    entry = AuditEntry.objects.get(verb="community.create")
    assert entry.community == community
    assert entry.actor_kind == "system"
    assert entry.after["slug"] == "books"
    assert community.zone.key == "Europe/Berlin"


def test_default_time_zone_is_shanghai(community):
    assert community.time_zone == "Asia/Shanghai"


def test_unknown_time_zone_is_rejected_and_nothing_written(db, system_actor):
    with pytest.raises(ValidationError) as info:
        actions.do_create_community(system_actor, name="x", slug="x", time_zone="Mars/Base")
    assert "time_zone" in info.value.message_dict
    assert not Community.objects.exists()
    assert not AuditEntry.objects.exists()


def test_duplicate_slug_is_rejected(community, system_actor):
    with pytest.raises(ValidationError):
        actions.do_create_community(system_actor, name="again", slug=community.slug)


def test_update_records_before_and_after(community, system_actor):
    actions.do_update_community(system_actor, community, reason="more people joined",
                                shape="ring", maturity="trust")
    entry = AuditEntry.objects.get(verb="community.update")
    assert entry.before == {"shape": "pyramid", "maturity": "initialisation"}
    assert entry.after == {"shape": "ring", "maturity": "trust"}
    assert entry.reason == "more people joined"


def test_group_key_unique_per_community_and_platform(community, other_community, system_actor):
    actions.do_create_group(system_actor, community, name="1群", platform="wechat",
                            external_key="k1")
    # the same platform key in another community is another group
    actions.do_create_group(system_actor, other_community, name="1群", platform="wechat",
                            external_key="k1")
    with pytest.raises(ValidationError):
        actions.do_create_group(system_actor, community, name="dup", platform="wechat",
                                external_key="k1")
    assert Group.objects.count() == 2
    assert AuditEntry.objects.filter(verb="group.create").count() == 2


def test_group_defaults_follow_the_playbook(community, system_actor):
    group = actions.do_create_group(system_actor, community, name="1群", platform="qq",
                                    external_key="123")
    assert group.capacity == 500
    assert group.active_size == 40
    assert group.series_template == "{community}{n}群"


def test_membership_roles_validated_and_audited(community, system_actor):
    group = actions.do_create_group(system_actor, community, name="1群", platform="wechat",
                                    external_key="k")
    person = Person.objects.create(community=community, display_name="小李")
    membership = Membership.objects.create(person=person, group=group)
    actions.do_set_membership_roles(system_actor, membership, ["manager", "pioneer"])
    membership.refresh_from_db()
    assert membership.roles == ["manager", "pioneer"]
    with pytest.raises(ValidationError):
        actions.do_set_membership_roles(system_actor, membership, ["emperor"])
    entry = AuditEntry.objects.get(verb="membership.roles")
    assert entry.after == {"roles": ["manager", "pioneer"]}


def test_message_key_unique_per_group(community, system_actor):
    group = actions.do_create_group(system_actor, community, name="1群", platform="wechat",
                                    external_key="k")
    Message.objects.create(group=group, sent_at="2026-01-01T00:00:00+08:00", key="m1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(group=group, sent_at="2026-01-01T00:00:00+08:00", key="m1")


def test_identity_unique_per_community(community, system_actor):
    person = Person.objects.create(community=community, display_name="a")
    Identity.objects.create(community=community, person=person, platform="qq", external_id="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Identity.objects.create(community=community, person=person, platform="qq",
                                external_id="1")


def test_operator_create_grant_revoke(community, system_actor):
    user = actions.do_create_operator(system_actor, username="bob", password="pw-long-enough")
    assert user.is_staff and not user.is_superuser
    actions.do_grant_access(system_actor, user, community, "viewer")
    actions.do_grant_access(system_actor, user, community, "owner")
    assert user.community_access.get().role == "owner"
    grants = AuditEntry.objects.filter(verb="operator.grant").order_by("id")
    assert [g.after["role"] for g in grants] == ["viewer", "owner"]
    assert grants[1].before == {"role": "viewer"}
    assert actions.do_revoke_access(system_actor, user, community)
    assert not user.community_access.exists()
    with pytest.raises(ValueError):
        actions.do_create_operator(system_actor, username="bob", password="x")


def test_delete_community_keeps_its_audit_trail(community, system_actor):
    actions.do_create_group(system_actor, community, name="1群", platform="wechat",
                            external_key="k")
    actions.do_delete_community(system_actor, community, reason="closing down")
    assert not Community.objects.exists()
    assert not Group.objects.exists()
    entry = AuditEntry.objects.get(verb="community.delete")
    assert entry.before["groups"] == 1
    assert entry.reason == "closing down"
    # earlier entries survive, detached from the deleted community
    assert AuditEntry.objects.filter(verb="group.create", community__isnull=True).exists()
