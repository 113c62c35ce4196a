from __future__ import annotations

from django.urls import reverse

from qunzhu.community.actions import do_create_operator, do_grant_access
from qunzhu.community.models import Identity, Person
from qunzhu.ingest.load import import_events
from tests.conftest import make_event


def _same_name_twice(community, system_actor):  # type: ignore[no-untyped-def]
    import_events(system_actor, community, [
        make_event(0, sender="wxid_1", name="讀書老王", group="a@chatroom"),
        make_event(1, sender="wxid_2", name="读书老王", group="b@chatroom")])
    return [Identity.objects.get(external_id=k).person for k in ("wxid_1", "wxid_2")]


def test_merge_page_lists_suggestion_and_merges_on_confirm(operator_client, community,
                                                           system_actor):
    a, b = _same_name_twice(community, system_actor)
    url = reverse("console:merges", args=[community.slug])
    body = operator_client.get(url).content.decode()
    assert "读书老王" in body and "讀書老王" in body
    response = operator_client.post(reverse("console:merge-confirm", args=[community.slug]),
                                    {"keep": a.pk, "other": b.pk}, follow=True)
    assert response.status_code == 200
    assert not Person.objects.filter(pk=b.pk).exists()
    assert "没有建议" in response.content.decode()


def test_viewer_cannot_merge(client, community, system_actor):
    a, b = _same_name_twice(community, system_actor)
    viewer = do_create_operator(system_actor, username="v", password="pw-long-enough")
    do_grant_access(system_actor, viewer, community, "viewer")
    client.force_login(viewer)
    page = client.get(reverse("console:merges", args=[community.slug])).content.decode()
    assert "data-testid=\"suggestion\"" in page  # sees the suggestion
    assert 'name="keep"' not in page  # but no merge button
    response = client.post(reverse("console:merge-confirm", args=[community.slug]),
                           {"keep": a.pk, "other": b.pk})
    assert response.status_code == 404
    assert Person.objects.filter(pk=b.pk).exists()


def test_people_of_another_community_cannot_be_merged_through_mine(
        operator_client, community, other_community, system_actor):
    a = Person.objects.create(community=community, display_name="a")
    foreign = Person.objects.create(community=other_community, display_name="a")
    response = operator_client.post(reverse("console:merge-confirm", args=[community.slug]),
                                    {"keep": a.pk, "other": foreign.pk})
    assert response.status_code == 404
    assert Person.objects.filter(pk=foreign.pk).exists()
    assert operator_client.get(reverse("console:merges", args=[other_community.slug])) \
        .status_code == 404
