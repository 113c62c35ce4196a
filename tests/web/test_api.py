"""The governance JSON API: scoped per operator, managers write, services do the work."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Person

API = "/api/v1"


def call(client: Client, method: str, url: str, body: Any = None) -> Any:
    """A JSON request; ``body=None`` sends an empty body."""
    if method == "get":
        return client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return getattr(client, method)(url, data="" if body is None else json.dumps(body),
                                   content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="en")


FORM = [{"id": "books", "label": "最近读的书", "required": True},
        {"id": "why", "label": "为什么加入", "required": True}]
ANSWERS = {"books": "三体", "why": "想找人一起读书"}


def application_gate(actor: Any, group: Any) -> None:
    from qunzhu.governance.gates import do_set_gate

    do_set_gate(actor, group, "application", settings={"form": FORM})


def rulebook_data(**voting: Any) -> dict[str, Any]:
    from qunzhu.core.rules import default_rulebook

    data = default_rulebook().to_data()
    data["voting"].update({"discussion_hours": 1, "voting_hours": 72, **voting})
    return data


def open_proposal(actor: Any, community: Any, **voting: Any) -> Any:
    """A rule change whose discussion ended an hour ago: voting is open now."""
    from qunzhu.governance.rulebook import do_adopt_rulebook
    from qunzhu.governance.votes import do_propose_rules

    data = rulebook_data(**voting)
    do_adopt_rulebook(actor, community, data)
    proposed = json.loads(json.dumps(data))
    proposed["rules"][0]["enabled"] = True
    return do_propose_rules(actor, community, title="开启第一条规则", reason="试行一个月",
                            data=proposed, now=timezone.now() - timedelta(hours=2))


@pytest.fixture
def state(community, chat, system_actor):  # type: ignore[no-untyped-def]
    """Community A with one of everything: a gate, an invite, a pending application, an
    open proposal and a pending outbox step."""
    from qunzhu.governance.gates import do_create_invite, do_submit

    application_gate(system_actor, chat)
    invite = do_create_invite(system_actor, community, group=chat)
    admission = do_submit(system_actor, chat, "application", name="小李", answers=ANSWERS)
    proposal = open_proposal(system_actor, community)
    action = community.outbox.first()  # the proposal's announcement
    assert action is not None
    return {"group": chat, "invite": invite, "admission": admission, "proposal": proposal,
            "action": action, "person": Person.objects.filter(community=community).first()}


@pytest.fixture
def foreign(other_community, other_chat, system_actor):  # type: ignore[no-untyped-def]
    """The same in community B, which alice cannot see."""
    from qunzhu.governance.gates import do_approve, do_create_invite, do_submit

    group, person = other_chat
    application_gate(system_actor, group)
    invite = do_create_invite(system_actor, other_community, group=group)
    admission = do_submit(system_actor, group, "application", name="跑者二号", answers=ANSWERS)
    do_approve(system_actor, admission)
    pending = do_submit(system_actor, group, "application", name="跑者三号", answers=ANSWERS)
    proposal = open_proposal(system_actor, other_community)
    return {"group": group, "invite": invite, "admission": pending, "proposal": proposal,
            "action": other_community.outbox.first(), "person": person}


def endpoints(slug: str, objects: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Every endpoint of the API under ``slug``, reaching ``objects``, with a valid body."""
    c = f"{API}/c/{slug}"
    group, admission = objects["group"].pk, objects["admission"].pk
    number, action = objects["proposal"].number, objects["action"].pk
    code = objects["invite"].code
    return [
        ("get", f"{c}/gates", None),
        ("put", f"{c}/groups/{group}/gates/paid", {"enabled": True,
                                                   "settings": {"fee_cents": 990}}),
        ("get", f"{c}/invites", None),
        ("post", f"{c}/invites", {"group_id": group, "channel": "offline"}),
        ("post", f"{c}/invites/{code}/revoke", {"reason": "海报撤下"}),
        ("get", f"{c}/admissions?status=pending", None),
        ("post", f"{c}/admissions", {"group_id": group, "gate": "application",
                                     "name": "小周", "answers": ANSWERS}),
        ("post", f"{c}/admissions/{admission}/approve", {"reason": "ok"}),
        ("post", f"{c}/admissions/{admission}/reject", {"reason": "不合适"}),
        ("post", f"{c}/admissions/{admission}/ask", {"question": "读过哪些书?"}),
        ("post", f"{c}/admissions/{admission}/payments", {"amount_cents": 100}),
        ("get", f"{c}/proposals", None),
        ("get", f"{c}/proposals/{number}", None),
        ("post", f"{c}/proposals/{number}/votes", {"person_id": objects["person"].pk,
                                                   "choice": "yes"}),
        ("post", f"{c}/proposals/{number}/close", None),
        ("get", f"{c}/outbox?status=pending", None),
        ("post", f"{c}/outbox/{action}/done", {}),
        ("post", f"{c}/outbox/{action}/dismiss", {"note": "不发了"}),
    ]


WRITES = {"put", "post"}


# ---------------------------------------------------------------- scope


def test_communities_lists_only_the_operators(operator_client, community, other_community):
    response = operator_client.get(f"{API}/communities")
    assert response.status_code == 200
    assert response.json() == [{"slug": "books", "name": "读书会", "role": "manager"}]


def test_anonymous_gets_401(client, community):
    assert client.get(f"{API}/communities").status_code == 401
    assert client.get(f"{API}/c/books/gates").status_code == 401


def test_other_communitys_slug_is_404_everywhere(operator_client, state, foreign):
    before = AuditEntry.objects.count()
    for method, url, body in endpoints("runners", foreign):
        response = call(operator_client, method, url, body)
        assert response.status_code == 404, (method, url, response.content)
        assert "跑" not in response.content.decode(), url
    assert AuditEntry.objects.count() == before


def test_other_communitys_objects_through_own_slug_are_404(operator_client, state, foreign):
    before = AuditEntry.objects.count()
    # proposal numbers count per community, so "books" #1 is books' own: not included
    by_id = [(method, url, body) for method, url, body in endpoints("books", foreign)
             if method in WRITES and "/proposals/" not in url and not url.endswith(
                 ("/invites", "/admissions"))]
    assert len(by_id) == 8
    for method, url, body in by_id:
        response = call(operator_client, method, url, body)
        assert response.status_code == 404, (method, url, response.content)
    assert AuditEntry.objects.count() == before
    lists = [call(operator_client, "get", url).content.decode()
             for method, url, _ in endpoints("books", state) if method == "get"]
    assert all("跑" not in body for body in lists)


def test_foreign_references_in_a_body_are_404(operator_client, state, foreign):
    b_group, b_person = foreign["group"].pk, foreign["person"].pk
    number = state["proposal"].number
    for url, body in [
        (f"{API}/c/books/invites", {"group_id": b_group}),
        (f"{API}/c/books/invites", {"inviter_id": b_person}),
        (f"{API}/c/books/admissions", {"group_id": b_group, "gate": "application",
                                       "name": "x", "answers": ANSWERS}),
        (f"{API}/c/books/admissions", {"group_id": state["group"].pk, "gate": "invitation",
                                       "name": "x", "invite_code": foreign["invite"].code}),
        (f"{API}/c/books/proposals/{number}/votes", {"person_id": b_person, "choice": "no"}),
    ]:
        assert call(operator_client, "post", url, body).status_code == 404, (url, body)


# ---------------------------------------------------------------- roles


@pytest.fixture
def viewer_client(community, system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.community.actions import do_create_operator, do_grant_access

    user = do_create_operator(system_actor, username="victor", password="s3cret-pass-word")
    do_grant_access(system_actor, user, community, "viewer")
    client = Client()
    client.force_login(user)
    return client


def test_viewer_reads_but_cannot_write(viewer_client, state):
    from qunzhu.governance.models import Admission, Ballot, GroupGate, Invite, OutboxAction

    def snapshot() -> tuple[Any, ...]:
        return (AuditEntry.objects.count(), Invite.objects.count(),
                list(Invite.objects.values_list("revoked", flat=True)),
                list(Admission.objects.values_list("status", flat=True)),
                Admission.objects.count(), Ballot.objects.count(),
                list(OutboxAction.objects.values_list("status", flat=True)),
                list(GroupGate.objects.values_list("kind", "enabled")),
                state["proposal"].__class__.objects.get(pk=state["proposal"].pk).status)

    before = snapshot()
    for method, url, body in endpoints("books", state):
        response = call(viewer_client, method, url, body)
        if method in WRITES:
            assert response.status_code == 403, (method, url, response.content)
            assert "manager" in response.json()["detail"]
        else:
            assert response.status_code == 200, (url, response.content)
    assert snapshot() == before
    assert viewer_client.get(f"{API}/communities").json()[0]["role"] == "viewer"


def test_session_auth_enforces_csrf(operator, state):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    url = f"{API}/c/books/invites"
    assert client.get(url).status_code == 200
    response = call(client, "post", url, {"channel": "offline"})
    assert response.status_code == 403
    assert state["group"].community.invites.count() == 1


# ---------------------------------------------------------------- flows


def test_gates_and_invites(operator_client, chat, settings):
    settings.QUNZHU_PUBLIC_URL = "https://qun.example.org/"
    url = f"{API}/c/books/groups/{chat.pk}/gates/recommendation"
    response = call(operator_client, "put", url, {"settings": {"min_standing": 60}})
    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "recommendation", "enabled": True,
                               "settings": {"min_standing": 60}}
    groups = operator_client.get(f"{API}/c/books/gates").json()
    assert groups[0]["id"] == chat.pk
    assert groups[0]["gates"] == [response.json()]

    response = call(operator_client, "post", f"{API}/c/books/invites",
                    {"group_id": chat.pk, "channel": "kol", "channel_detail": "B站 up 主",
                     "expires": "2099-01-01T12:00:00", "max_uses": 5})
    assert response.status_code == 201, response.content
    invite = response.json()
    assert invite["url"] == f"https://qun.example.org/join/{invite['code']}/"
    assert invite["expires"].startswith("2099-01-01T")  # read in the community's zone
    assert invite["channel"] == "kol" and invite["usable"] is True
    response = call(operator_client, "post", f"{API}/c/books/invites/{invite['code']}/revoke")
    assert response.status_code == 200
    assert response.json()["revoked"] is True and response.json()["usable"] is False
    listed = operator_client.get(f"{API}/c/books/invites").json()
    assert listed["count"] == 1 and listed["items"][0]["code"] == invite["code"]


def test_application_flow(operator_client, chat, system_actor):
    application_gate(system_actor, chat)
    c = f"{API}/c/books"
    response = call(operator_client, "post", f"{c}/admissions",
                    {"group_id": chat.pk, "gate": "application", "name": "小李",
                     "answers": ANSWERS, "external_id": "wxid_new", "contact": "li@example.org"})
    assert response.status_code == 201, response.content
    submitted = response.json()
    assert submitted["status"] == "pending"
    assert submitted["notes"][0]["verb"] == "submit"

    queue = operator_client.get(f"{c}/admissions?status=pending").json()
    assert [a["id"] for a in queue["items"]] == [submitted["id"]]
    assert queue["items"][0]["answers"] == ANSWERS

    response = call(operator_client, "post", f"{c}/admissions/{submitted['id']}/approve",
                    {"reason": "答得认真"})
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["status"] == "approved" and approved["decided_by"] == "alice"
    person = Person.objects.get(pk=approved["person_id"])
    assert person.display_name == "小李"
    assert operator_client.get(f"{c}/admissions?status=pending").json()["count"] == 0

    steps = operator_client.get(f"{c}/outbox?status=pending").json()["items"]
    onboarding = [s for s in steps if s["source_ref"] == f"admission:{submitted['id']}"]
    assert [s["kind"] for s in onboarding] == ["add", "post", "post"]
    assert all(s["target_id"] == person.pk and s["group_name"] == chat.name
               for s in onboarding)

    first = onboarding[0]["id"]
    response = call(operator_client, "post", f"{c}/outbox/{first}/done")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done" and response.json()["done_by"] == "alice"
    pending = operator_client.get(f"{c}/outbox?status=pending").json()["items"]
    assert first not in [s["id"] for s in pending]
    assert AuditEntry.objects.filter(verb="outbox.done", actor_label="alice").count() == 1


def test_paid_gate_payment_admits(operator_client, chat, system_actor):
    from qunzhu.governance.gates import do_set_gate

    do_set_gate(system_actor, chat, "paid", settings={"fee_cents": 990})
    c = f"{API}/c/books/admissions"
    admission = call(operator_client, "post", c, {"group_id": chat.pk, "gate": "paid",
                                                  "name": "付费者"}).json()
    assert admission["fee_cents"] == 990 and admission["status"] == "pending"
    response = call(operator_client, "post", f"{c}/{admission['id']}/payments",
                    {"amount_cents": 990, "reference": "WX123"})
    assert response.status_code == 201, response.content
    paid = response.json()
    assert paid["paid_cents"] == 990 and paid["status"] == "approved"
    assert paid["payments"][0]["reference"] == "WX123"


def test_ask_and_reject(operator_client, state):
    url = f"{API}/c/books/admissions/{state['admission'].pk}"
    asked = call(operator_client, "post", f"{url}/ask", {"question": "最近在读什么?"}).json()
    assert asked["status"] == "needs_info"
    assert asked["notes"][-1] == {**asked["notes"][-1], "verb": "ask", "text": "最近在读什么?"}
    rejected = call(operator_client, "post", f"{url}/reject", {"reason": "没有回复"}).json()
    assert rejected["status"] == "rejected"


def test_vote_through_the_api(operator_client, community, chat, system_actor):
    from qunzhu.governance.models import Proposal

    proposal = open_proposal(system_actor, community)
    people = list(Person.objects.filter(community=community).order_by("pk"))
    assert len(people) == 3
    c = f"{API}/c/books/proposals"
    detail = operator_client.get(f"{c}/{proposal.number}").json()
    assert detail["status"] == "voting"
    assert detail["ballots"] == {"cast": 0, "eligible": 3}
    assert detail["changes"][0]["path"].endswith(".enabled")
    assert detail["tally"] is None

    for person, choice in [(people[0], "yes"), (people[1], "no"), (people[1], "yes")]:
        response = call(operator_client, "post", f"{c}/{proposal.number}/votes",
                        {"person_id": person.pk, "choice": choice})
        assert response.status_code == 200, response.content
    assert response.json()["choice"] == "yes"
    detail = operator_client.get(f"{c}/{proposal.number}").json()
    assert detail["ballots"] == {"cast": 2, "eligible": 3}
    assert detail["votes"] is None  # a secret ballot

    early = call(operator_client, "post", f"{c}/{proposal.number}/close")
    assert early.status_code == 400  # one member has not voted and time is not up
    Proposal.objects.filter(pk=proposal.pk).update(
        voting_closes=timezone.now() - timedelta(minutes=1))
    response = call(operator_client, "post", f"{c}/{proposal.number}/close")
    assert response.status_code == 200, response.content
    closed = response.json()
    assert closed["status"] == "passed" and closed["result_version"] == 2
    assert closed["ballots"] is None
    assert closed["tally"]["yes"] == 2 and closed["tally"]["no"] == 0
    assert closed["tally"]["eligible"] == 3 and closed["tally"]["outcome"] == "passed"
    assert operator_client.get(c).json()["items"][0]["status"] == "passed"


def test_open_ballot_shows_choices(operator_client, community, chat, system_actor):
    proposal = open_proposal(system_actor, community, open_ballot=True)
    person = Person.objects.filter(community=community).first()
    url = f"{API}/c/books/proposals/{proposal.number}"
    call(operator_client, "post", f"{url}/votes", {"person_id": person.pk, "choice": "no"})
    votes = operator_client.get(url).json()["votes"]
    assert [(v["person_id"], v["choice"]) for v in votes] == [(person.pk, "no")]


# ---------------------------------------------------------------- errors and docs


def test_governance_error_is_400_with_its_message(operator_client, state):
    url = f"{API}/c/books/admissions/{state['admission'].pk}/reject"
    response = call(operator_client, "post", url, {"reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"detail": "Say why the application is declined; the reason "
                                         "is kept."}
    response = call(operator_client, "put",
                    f"{API}/c/books/groups/{state['group'].pk}/gates/paid", {"settings": {}})
    assert response.status_code == 400
    assert "fee_cents" in response.json()["detail"]


def test_validation_errors_keep_ninjas_422(operator_client, state):
    response = call(operator_client, "post",
                    f"{API}/c/books/proposals/{state['proposal'].number}/votes",
                    {"person_id": state["person"].pk, "choice": "maybe"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "choice"


def test_openapi_lists_the_paths_and_docs_render(operator_client):
    response = operator_client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in ["/communities", "/c/{slug}/gates",
                 "/c/{slug}/groups/{group_id}/gates/{kind}", "/c/{slug}/invites",
                 "/c/{slug}/invites/{code}/revoke", "/c/{slug}/admissions",
                 "/c/{slug}/admissions/{admission_id}/approve",
                 "/c/{slug}/admissions/{admission_id}/reject",
                 "/c/{slug}/admissions/{admission_id}/ask",
                 "/c/{slug}/admissions/{admission_id}/payments", "/c/{slug}/proposals",
                 "/c/{slug}/proposals/{number}", "/c/{slug}/proposals/{number}/votes",
                 "/c/{slug}/proposals/{number}/close", "/c/{slug}/outbox",
                 "/c/{slug}/outbox/{action_id}/done",
                 "/c/{slug}/outbox/{action_id}/dismiss"]:
        assert f"{API}{path}" in paths, path
    docs = operator_client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
