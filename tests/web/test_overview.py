from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from qunzhu.community.models import Message
from tests.conftest import make_event


def test_overview_lists_groups_with_counts(operator_client, community, chat):
    response = operator_client.get(reverse("console:overview", args=[community.slug]))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.group == chat)
    assert row.messages == 121
    assert row.members == 3
    body = response.content.decode()
    assert chat.name in body and "121" in body


def test_active_in_last_7_days_counts_recent_speakers_only(operator_client, community, chat,
                                                           system_actor):
    from qunzhu.ingest.load import import_events

    recent = timezone.now() - timedelta(days=2)
    import_events(system_actor, community, [
        make_event(0, sender="wxid_0", name="阿明", start=recent, message_id="r1"),
        make_event(1, sender="wxid_9", name="新人", start=recent, message_id="r2"),
    ])
    rows = operator_client.get(reverse("console:overview", args=[community.slug])).context["rows"]
    assert rows[0].active_7d == 2
    assert rows[0].last_message == Message.objects.latest("sent_at").sent_at


def test_home_redirects_to_the_operators_community(operator_client, community):
    response = operator_client.get(reverse("console:home"))
    assert response["Location"] == reverse("console:overview", args=[community.slug])
