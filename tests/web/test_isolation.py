"""An operator of community A sees nothing of community B: every view, every admin list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qunzhu.community.models import Identity, Membership, Message


def _foreign_urls(community, other_community, chat, other_chat):  # type: ignore[no-untyped-def]
    group, person = other_chat
    return [
        reverse("console:overview", args=[other_community.slug]),
        reverse("console:group", args=[other_community.slug, group.pk]),
        reverse("console:group-members", args=[other_community.slug, group.pk]),
        reverse("console:person", args=[other_community.slug, person.pk]),
        # B's objects reached through A's URL
        reverse("console:group", args=[community.slug, group.pk]),
        reverse("console:group-members", args=[community.slug, group.pk]),
        reverse("console:person", args=[community.slug, person.pk]),
    ]


def test_every_console_view_hides_other_communities(operator_client, community,
                                                     other_community, chat, other_chat):
    for url in _foreign_urls(community, other_community, chat, other_chat):
        response = operator_client.get(url)
        assert response.status_code == 404, url
        assert "跑" not in response.content.decode(), url


def test_switcher_lists_only_own_communities(operator_client, community, other_community,
                                             chat):
    body = operator_client.get(reverse("console:overview", args=[community.slug])) \
        .content.decode()
    assert community.name in body
    assert other_community.name not in body


def test_superuser_sees_both(client, community, other_community, other_chat, system_actor):
    from qunzhu.community.actions import do_create_operator

    admin = do_create_operator(system_actor, username="root", password="pw-long-enough",
                               superuser=True)
    client.force_login(admin)
    assert client.get(reverse("console:overview", args=[other_community.slug])) \
        .status_code == 200


ADMIN_MODELS = ["community", "group", "person", "identity", "identityname", "membership",
                "message", "operatoraccess"]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_lists_are_scoped(operator_client, community, other_community, chat,
                                other_chat, model):
    response = operator_client.get(reverse(f"admin:community_{model}_changelist"))
    assert response.status_code == 200
    assert "跑" not in response.content.decode()
    assert response.context["cl"].result_count > 0


def test_admin_detail_of_foreign_rows_is_hidden(operator_client, other_chat):
    group, person = other_chat
    foreign = [("group", group.pk), ("person", person.pk),
               ("identity", Identity.objects.get(person=person).pk),
               ("membership", Membership.objects.get(person=person).pk),
               ("message", Message.objects.filter(group=group).first().pk)]
    for model, pk in foreign:
        response = operator_client.get(reverse(f"admin:community_{model}_change", args=[pk]))
        # the admin redirects to its index with "does not exist" for rows outside the queryset
        assert response.status_code in (302, 404), model


def test_operators_cannot_edit_in_admin(operator_client, chat):
    response = operator_client.post(reverse("admin:community_group_change", args=[chat.pk]),
                                    {"name": "hacked"})
    chat.refresh_from_db()
    assert chat.name != "hacked"
    assert response.status_code in (302, 403)


def test_audit_log_is_scoped(operator_client, community, other_community, chat, other_chat):
    response = operator_client.get(reverse("admin:audit_auditentry_changelist"))
    entries = list(response.context["cl"].result_list)
    assert entries
    assert all(e.community_id == community.pk for e in entries)
