from __future__ import annotations

from django.urls import reverse

from qunzhu.community.models import Identity


def test_person_page_shows_identities_names_and_messages(operator_client, community, chat):
    identity = Identity.objects.get(external_id="wxid_2")
    url = reverse("console:person", args=[community.slug, identity.person_id])
    response = operator_client.get(url)
    body = response.content.decode()
    assert "王老师" in body and "老王" in body  # both names used
    assert "wxid_2" in body
    assert chat.name in body
    assert len(response.context["recent"]) == 41
