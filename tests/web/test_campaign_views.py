"""Campaign console pages: planning from a template, the phase timeline and live monitor,
plan edits, steps, scripts, closing with a retrospective, roles and tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from qunzhu.activities import campaigns
from qunzhu.activities.models import Campaign, Script
from qunzhu.audit.log import Actor
from qunzhu.community.actions import do_create_operator, do_grant_access
from tests.governance import SHANGHAI, add_member, make_group, post

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def manager(operator_client):  # type: ignore[no-untyped-def]
    operator_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return operator_client


@pytest.fixture
def viewer(client, community):  # type: ignore[no-untyped-def]
    user = do_create_operator(SYSTEM, username="vera", password="pw-long-enough-1")
    do_grant_access(SYSTEM, user, community, "viewer")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def group(community):  # type: ignore[no-untyped-def]
    return make_group(SYSTEM, community, name="读书1群")


def today() -> date:
    return timezone.now().astimezone(SHANGHAI).date()


def page(pk: int, slug: str = "books") -> str:
    return reverse("console:campaign", args=[slug, pk])


@pytest.fixture
def running(community, group):  # type: ignore[no-untyped-def]
    """A meet-up whose warm-up began two days ago, with a quiet baseline and a busy
    warm-up in its group."""
    amy = add_member(group, "小美").person
    bo = add_member(group, "阿博").person
    campaign = campaigns.do_create_campaign(SYSTEM, community, template="meetup",
                                            start=today() - timedelta(days=2),
                                            title="春季见面会", groups=[group], place="茶馆")
    post(group, amy, "平时的一句话", campaign.warmup - timedelta(days=10))
    post(group, bo, "平时的另一句", campaign.warmup - timedelta(days=20))
    for i in range(6):
        post(group, amy if i % 2 else bo, f"报名 {i}", campaign.warmup + timedelta(hours=12 + i))
    return campaign


def test_create_from_the_meetup_template(manager, community, group):
    url = reverse("console:campaigns", args=["books"])
    start = today() + timedelta(days=3)
    response = manager.post(reverse("console:campaign-create", args=["books"]), {
        "template": "meetup", "start": start.isoformat(), "title": "夏日见面会",
        "groups": [group.pk], "place": "街角咖啡", "at": "19:30", "next": url}, follow=True)
    assert response.status_code == 200
    campaign = Campaign.objects.get(community=community)
    assert campaign.title == "夏日见面会"
    assert list(campaign.groups.all()) == [group]
    assert campaign.steps.count() == 7
    assert "街角咖啡" in campaign.steps.first().text  # type: ignore[union-attr]
    html = response.content.decode()
    assert 'data-testid="timeline"' in html and "夏日见面会" in html
    assert start.isoformat() in html
    listing = manager.get(url).content.decode()
    assert "夏日见面会" in listing and "Offline meet-up" in listing


def test_create_refuses_a_missing_start(manager, community):
    url = reverse("console:campaigns", args=["books"])
    response = manager.post(reverse("console:campaign-create", args=["books"]),
                            {"template": "meetup", "start": "", "next": url}, follow=True)
    assert "Give the day warm-up starts" in response.content.decode()
    assert not Campaign.objects.exists()


def test_detail_shows_phases_and_the_monitor(manager, running):
    response = manager.get(page(running.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="current-phase"' in html
    current = [t for t in response.context["timeline"] if t["current"]]
    assert [t["phase"] for t in current] == ["warmup"]
    assert "warm-up (预热)" in html and "ignition (引爆)" in html
    warmup = response.context["monitor"]["phases"][0]
    assert warmup["phase"] == "warmup" and warmup["messages"] == 6
    assert warmup["lift"] is not None and warmup["lift"] > 1
    assert 'data-testid="monitor"' in html and "×" in html
    assert "小美" in html and "阿博" in html  # top participants
    assert "no data" in html or "✗" in html  # the meet-up's measures are judged


def test_plan_edit_saves_and_rejects_an_unknown_metric(manager, running):
    url = reverse("console:campaign-plan", args=["books", running.pk])
    ok = manager.post(url, {"title": "春季见面会", "staff": "主持人: 开场\n接待：签到",
                            "measures": "participants 5 speakers", "next": page(running.pk)},
                      follow=True)
    assert "Plan saved." in ok.content.decode()
    running.refresh_from_db()
    assert running.staff == [{"role": "主持人", "duty": "开场"}, {"role": "接待", "duty": "签到"}]
    assert running.measures == [{"metric": "participants", "target": 5.0, "label": "speakers"}]
    bad = manager.post(url, {"measures": "likes 10 hearts", "next": page(running.pk)},
                       follow=True)
    assert "Unknown measure likes" in bad.content.decode()
    running.refresh_from_db()
    assert running.measures[0]["metric"] == "participants"


def test_add_a_step_and_save_it_as_a_script(manager, running):
    day = (today() + timedelta(days=1)).isoformat()
    response = manager.post(reverse("console:campaign-step", args=["books", running.pk]), {
        "day": day, "at": "21:15", "phase": "warmup", "kind": "remind",
        "text": "别忘了接龙", "next": page(running.pk)}, follow=True)
    assert "Step added" in response.content.decode()
    step = running.steps.get(text="别忘了接龙")
    assert step.at.astimezone(SHANGHAI).strftime("%H:%M") == "21:15"
    manager.post(reverse("console:campaign-script", args=["books", running.pk]),
                 {"step": step.pk, "title": "接龙提醒", "next": page(running.pk)})
    script = Script.objects.get()
    assert (script.title, script.text, script.phase) == ("接龙提醒", "别忘了接龙", "warmup")
    listing = manager.get(reverse("console:campaigns", args=["books"])).content.decode()
    assert "接龙提醒" in listing and "别忘了接龙" in listing


def test_close_needs_notes_then_shows_the_retrospective(manager, running):
    url = reverse("console:campaign-close", args=["books", running.pk])
    refused = manager.post(url, {"notes": "  ", "next": page(running.pk)}, follow=True)
    assert "Write what went well" in refused.content.decode()
    running.refresh_from_db()
    assert running.retro is None
    done = manager.post(url, {"notes": "报名很踊跃，下次早点发行前须知", "next": page(running.pk)},
                        follow=True)
    html = done.content.decode()
    assert 'data-testid="retrospective"' in html and "报名很踊跃" in html
    assert 'data-testid="close-form"' not in html and 'data-testid="monitor"' not in html
    assert done.context["retro"]["phases"][0]["messages"] == 6


def test_a_viewer_sees_no_forms(viewer, running):
    for url in (reverse("console:campaigns", args=["books"]), page(running.pk)):
        response = viewer.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for form in ("campaign-form", "plan-form", "step-form", "close-form", "script-form"):
            assert f'data-testid="{form}"' not in html
    assert viewer.post(reverse("console:campaign-close", args=["books", running.pk]),
                       {"notes": "x"}).status_code == 404


def test_another_communitys_operator_gets_404(client, other_community, running):
    user = do_create_operator(SYSTEM, username="bob", password="pw-long-enough-2")
    do_grant_access(SYSTEM, user, other_community, "manager")
    client.force_login(user)
    assert client.get(page(running.pk)).status_code == 404
    assert client.get(page(running.pk, "runners")).status_code == 404
    assert client.post(reverse("console:campaign-close", args=["runners", running.pk]),
                       {"notes": "x"}).status_code == 404
    running.refresh_from_db()
    assert running.retro is None

