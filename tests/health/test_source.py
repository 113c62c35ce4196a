"""Reading histories from the database (SQLite and PostgreSQL) gives the same analysis
as the events it stored; the report is cached, audited, and shown in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qunzhu.audit.models import AuditEntry
from qunzhu.core.events import MessageKind
from qunzhu.core.health import analyse_community, from_events
from qunzhu.health.models import HealthReport
from qunzhu.health.service import compute, do_refresh, latest, request_refresh
from qunzhu.ingest.load import import_events
from qunzhu.ingest.models import JobStatus

from .builders import START, Chat, ring, weekly_curve


def _store(actor, community, *chats):  # type: ignore[no-untyped-def]
    events = [e for c in chats for e in c.events]
    import_events(actor, community, events)
    return events


def _mixed() -> Chat:
    chat = ring(n=10, rounds=6)
    chat.say("spam", "兼职日结，加微信 abc123 http://t.cn/x", after=timedelta(hours=2))
    chat.say("m1", "@m2 see this", mentions=("m2",))
    chat.say("m3", "红包", kind=MessageKind.RED_ENVELOPE)
    return chat


@pytest.mark.django_db(transaction=True)
def test_database_history_matches_the_events(community, system_actor) -> None:  # type: ignore[no-untyped-def]
    a = _mixed()
    b = weekly_curve([20] * 4 + [12, 7, 4, 2, 1], group="curve")
    events = _store(system_actor, community, a, b)
    expected = {g.history.group: g for g in analyse_community(list(from_events(events).values()))}
    computed = compute(community)
    assert computed.messages == sum(len(g.history) for g in expected.values())
    for gh, group in computed.groups:
        want = expected[group.external_key]
        assert gh.history.group == group.name
        assert gh.lifecycle.stages == want.lifecycle.stages
        assert gh.lifecycle.risk == pytest.approx(want.lifecycle.risk)
        assert gh.tiers.counts == want.tiers.counts
        assert [e.score for e in gh.elements] == [e.score for e in want.elements]
        assert (gh.graph.shape, gh.graph.edges) == (want.graph.shape, want.graph.edges)
        assert gh.noise.count("ads") == want.noise.count("ads")
    ring_group = next(gh for gh, g in computed.groups if g.external_key == "g")
    assert ring_group.noise.count("ads") == 1  # the flags stored at import found the ad


@pytest.mark.django_db(transaction=True)
def test_since_and_until_cut_the_period(community, system_actor) -> None:  # type: ignore[no-untyped-def]
    _store(system_actor, community, weekly_curve([5] * 8))
    full = compute(community).groups[0][0]
    part = compute(community, since=START + timedelta(weeks=2),
                   until=START + timedelta(weeks=5)).groups[0][0]
    assert full.activity.messages == 40
    assert part.activity.messages == 15
    assert len(part.lifecycle.weeks) == 3


@pytest.mark.django_db(transaction=True)
def test_refresh_stores_one_report_and_audits_it(community, system_actor) -> None:  # type: ignore[no-untyped-def]
    _store(system_actor, community, _mixed())
    first = do_refresh(system_actor, community, reason="test")
    second = do_refresh(system_actor, community, reason="again")
    assert second.status == JobStatus.DONE and second.data is not None
    assert second.data["schema"] == "qunzhu.health/1"
    assert not HealthReport.objects.filter(pk=first.pk).exists(), "older reports are dropped"
    assert latest(community) == second
    verbs = list(AuditEntry.objects.filter(community=community, verb__startswith="health.")
                 .values_list("verb", flat=True))
    assert verbs.count("health.refresh") == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_refresh_is_recorded_not_raised(community, system_actor, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _store(system_actor, community, _mixed())
    good = do_refresh(system_actor, community)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("disk on fire")

    monkeypatch.setattr("qunzhu.health.service.compute", broken)
    failed = do_refresh(system_actor, community)
    assert failed.status == JobStatus.FAILED and "disk on fire" in failed.error
    assert latest(community) == good, "the last good report stays visible"


@pytest.mark.django_db
def test_the_console_shows_cached_health_and_only_managers_refresh(  # type: ignore[no-untyped-def]
        operator_client, community, system_actor, django_capture_on_commit_callbacks, client):
    overview = operator_client.get(f"/c/{community.slug}/")
    assert b"health-table" not in overview.content
    _store(system_actor, community, _mixed())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = operator_client.post(f"/c/{community.slug}/health/refresh/")
    assert response.status_code == 302 and len(callbacks) == 1  # a background thread, later
    queued = HealthReport.objects.get(community=community)
    assert queued.status == JobStatus.QUEUED
    page = operator_client.get(f"/c/{community.slug}/").content.decode()
    assert 'data-testid="health-pending"' in page
    do_refresh(system_actor, community, report=queued)
    page = operator_client.get(f"/c/{community.slug}/").content.decode()
    assert 'data-testid="health-table"' in page and "测试" not in page
    group = community.groups.get(external_key="g")
    health = operator_client.get(f"/c/{community.slug}/g/{group.pk}/health/").content.decode()
    assert 'id="health-data-0"' in health and 'data-testid="stage"' in health
    # a viewer sees the report but may not recompute it
    from qunzhu.community.actions import do_create_operator, do_grant_access

    viewer = do_create_operator(system_actor, username="val", password="another-pass-1")
    do_grant_access(system_actor, viewer, community, "viewer")
    client.force_login(viewer)
    assert client.get(f"/c/{community.slug}/g/{group.pk}/health/").status_code == 200
    assert client.post(f"/c/{community.slug}/health/refresh/").status_code == 404
    assert HealthReport.objects.filter(community=community).count() == 1


@pytest.mark.django_db
def test_another_communitys_health_is_not_visible(operator_client, other_community) -> None:  # type: ignore[no-untyped-def]
    assert operator_client.get(f"/c/{other_community.slug}/health/").status_code == 404
    assert operator_client.post(f"/c/{other_community.slug}/health/refresh/").status_code == 404


@pytest.mark.django_db
def test_a_queued_refresh_is_reused(  # type: ignore[no-untyped-def]
        community, system_actor, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        a = request_refresh(system_actor, community, reason="import 1")
        b = request_refresh(system_actor, community, reason="import 2")
    assert a.pk == b.pk


@pytest.mark.django_db(transaction=True)
def test_stored_replies_win_and_the_rest_are_inferred(community, system_actor) -> None:  # type: ignore[no-untyped-def]
    """Read back from the database: a reply the export recorded keeps its target (weight 1)
    although the text names someone else; a line without one gets an inferred reply."""
    from qunzhu.health.source import load_histories

    chat = Chat()
    question = chat.say("alice", "who has read the new book already?")
    chat.say("carol", "not yet, next week maybe", after=timedelta(seconds=20))
    chat.say("bob", "carol: you will love it", reply_to=question, after=timedelta(seconds=20))
    chat.say("carol", "bob: I hope so", after=timedelta(seconds=20))
    _store(system_actor, community, chat)
    (loaded,) = load_histories(community)
    h = loaded.history
    to, weight = h.links
    name = {i: n for i, n in enumerate(h.names)}
    assert (name[int(to[2])], weight[2]) == ("alice", 1.0)
    assert name[int(to[3])] == "bob" and 0 < weight[3] < 1
    assert h.answered_at[0] == int(chat.events[2].timestamp.timestamp())
