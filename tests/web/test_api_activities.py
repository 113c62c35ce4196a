"""The activities JSON API: scoped per operator, managers write, services do the work."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qunzhu.activities import challenges, points
from qunzhu.activities.models import CheckIn
from qunzhu.audit.log import Actor
from tests.governance import add_member, make_group

API = "/api/v1"
pytestmark = pytest.mark.django_db


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world(community, system_actor):  # type: ignore[no-untyped-def]
    group = make_group(system_actor, community)
    amy = add_member(group, "小美").person
    today = timezone.now().astimezone(community.zone).date()
    challenge = challenges.do_create_challenge(system_actor, community, title="晨读",
                                               start=today - timedelta(days=2), days=21,
                                               group=group)
    return group, amy, challenge


def test_a_manager_records_checkins_and_reads_the_board(operator_client, community, world):
    _group, amy, challenge = world
    url = f"{API}/c/books/challenges/{challenge.pk}"
    listed = operator_client.get(f"{API}/c/books/challenges").json()
    assert [(c["title"], c["today"], c["days"]) for c in listed] == [("晨读", 3, 21)]
    made = post(operator_client, f"{url}/checkins", {"person_id": amy.pk, "text": "读了10页"})
    assert made.status_code == 201, made.content
    assert made.json() == {"day": 3, "source": "operator", "days": 1, "streak": 1}
    again = post(operator_client, f"{url}/checkins", {"person_id": amy.pk})
    assert again.status_code == 400 and "already checked in on day 3" in again.json()["detail"]
    makeup = post(operator_client, f"{url}/checkins", {"person_id": amy.pk, "makeup_day": 2})
    assert makeup.json()["streak"] == 2
    board = operator_client.get(f"{url}/board").json()
    assert board == [{"person_id": amy.pk, "name": "小美", "days": 2, "streak": 2,
                      "longest": 2, "makeups_left": 1, "completed": False}]
    leaders = operator_client.get(f"{API}/c/books/points/leaderboard").json()
    assert leaders == [{"person_id": amy.pk, "name": "小美",
                        "points": 2 * points.policy(community)["checkin"]}]


def test_a_viewer_reads_but_cannot_write(client, community, world, system_actor):
    from qunzhu.community.actions import do_create_operator, do_grant_access

    _group, amy, challenge = world
    viewer = do_create_operator(system_actor, username="val", password="s3cret-pass-word")
    do_grant_access(system_actor, viewer, community, "viewer")
    client.force_login(viewer)
    url = f"{API}/c/books/challenges/{challenge.pk}"
    assert client.get(f"{url}/board").status_code == 200
    refused = post(client, f"{url}/checkins", {"person_id": amy.pk})
    assert refused.status_code == 403
    assert not CheckIn.objects.exists()


def test_another_communitys_objects_are_not_found(operator_client, other_community,
                                                  community, world):
    _group, amy, challenge = world
    foreign = challenges.do_create_challenge(Actor.system("t"), other_community, title="x",
                                             start=timezone.now().date(), days=3)
    assert operator_client.get(f"{API}/c/books/challenges/{foreign.pk}/board"
                               ).status_code == 404
    assert operator_client.get(f"{API}/c/{other_community.slug}/challenges").status_code == 404
    stranger = post(operator_client, f"{API}/c/books/challenges/{challenge.pk}/checkins",
                    {"person_id": 999999})
    assert stranger.status_code == 404


def test_campaign_figures_through_the_api(operator_client, community, world):
    from qunzhu.activities.campaigns import do_create_campaign

    group, _amy, _c = world
    today = timezone.now().astimezone(community.zone).date()
    campaign = do_create_campaign(Actor.system("t"), community, template="meetup",
                                  start=today - timedelta(days=1), groups=[group])
    listed = operator_client.get(f"{API}/c/books/campaigns").json()
    assert [(c["id"], c["phase"], c["groups"]) for c in listed] == [
        (campaign.pk, "warmup", [group.name])]
    figures = operator_client.get(f"{API}/c/books/campaigns/{campaign.pk}/figures").json()
    assert [p["phase"] for p in figures["phases"]] == ["warmup", "ignition", "monitoring"]
    assert {m["metric"] for m in figures["measures"]} == {m["metric"]
                                                          for m in campaign.measures}
