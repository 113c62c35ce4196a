"""Every qunzhu model is in the Django admin with search and filters; every list, search
and change page renders for a superuser; and an operator of one community sees no rows of
another in them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.core import checks
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from qunzhu.audit.log import Actor
from qunzhu.community.models import Community, Gate, Group, Person


def _qunzhu_models() -> list[type[Model]]:
    return [model for config in apps.get_app_configs() if config.name.startswith("qunzhu.")
            for model in config.get_models()]


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _fill(actor: Actor, community: Community, group: Group, person: Person) -> None:
    """Rows in every table of ``community``: through the services where one makes them,
    with the ORM for what only the rule engine makes (findings, strikes, its cursor)."""
    from qunzhu.activities import campaigns, challenges, homework, sharing
    from qunzhu.activities import points as activity_points
    from qunzhu.activities.models import Assignment, Campaign, Challenge, Session, Source
    from qunzhu.demo.activities import seed_activities
    from qunzhu.demo.governance import seed_governance
    from qunzhu.governance import elimination, gates, points
    from qunzhu.governance.models import Enforcement, Finding, RulebookVersion, Strike
    from qunzhu.health.service import do_refresh
    from qunzhu.ingest.jobs import do_create_import_job
    from qunzhu.portal import services as portal

    seed_governance(actor, community)
    seed_activities(actor, community)
    kit = gates.kit(community)
    gates.do_update_kit(actor, kit, welcome=kit.welcome, announcement_intro=kit.announcement_intro,
                        icebreaker_fields=list(kit.icebreaker_fields))
    gates.do_set_gate(actor, group, Gate.PAID, settings={"fee_cents": 100})
    admission = gates.do_submit(actor, group, Gate.PAID, name="付款人")
    gates.do_record_payment(actor, admission, amount_cents=100, reference="r1")
    points.do_grant_points(actor, person, 5, "helped")
    elimination.do_propose_removal(actor, group, "quota", {"days": 30, "keep": 1})
    now = timezone.now()
    finding = Finding.objects.create(
        community=community, group=group, person=person, sender_name=person.display_name,
        rule_id="hard-ads", kind="ad", at=now, code="link", key=f"test-{group.pk}",
        version=RulebookVersion.objects.filter(community=community).first())
    Strike.objects.create(community=community, person=person, finding=finding,
                          rule_id="hard-ads", at=now, expires=now + timedelta(days=30))
    Enforcement.objects.create(group=group, until=now)

    challenge = Challenge.objects.get(community=community)
    challenges.do_enrol(actor, challenge, person)
    recognised = challenges.do_record_checkin(actor, challenge, person, text="#打卡 读了十页",
                                              source=Source.MESSAGE)
    challenges.do_remove_checkin(actor, recognised, "not a check-in")
    challenges.do_record_checkin(actor, challenge, person)
    homework.do_submit(actor, Assignment.objects.get(community=community), person, text="笔记")
    campaign = Campaign.objects.filter(community=community).first()
    assert campaign is not None
    campaigns.do_save_script(actor, campaign, title="开场白", text="大家好")
    activity_points.do_set_policy(actor, community, {})
    session = Session.objects.filter(series__community=community, status="planned").first()
    if session is not None:  # a rotation needs three speakers
        sharing.do_mark_absent(actor, session, session.series.speakers.all()[0], "出差")

    portal.do_issue_code(actor, person)
    portal.do_request_erasure(person, "moving on")
    with pytest.raises(portal.PortalError):
        portal.sign_in("WRONG-CODE", "203.0.113.9")
    do_refresh(actor, community)
    do_create_import_job(actor, community, name="chat.txt", stream=io.BytesIO(b"hello"))


@pytest.fixture
def superuser_client(db, client, system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.community.actions import do_create_operator

    root = do_create_operator(system_actor, username="root", password="pw-long-enough",
                              superuser=True)
    client.force_login(root)
    return client


def test_every_model_is_registered_with_search_and_filters():  # type: ignore[no-untyped-def]
    models = _qunzhu_models()
    assert len(models) > 40
    missing = [m._meta.label for m in models if m not in admin.site._registry]
    assert missing == []
    bare = [m._meta.label for m in models
            if not admin.site._registry[m].search_fields or not admin.site._registry[m].list_filter]
    assert bare == []


def test_admin_configuration_passes_django_checks():  # type: ignore[no-untyped-def]
    problems = [str(m) for m in checks.run_checks(tags=[checks.Tags.admin]) if m.is_serious()]
    assert problems == []


def test_superuser_lists_searches_and_pages_render(superuser_client, operator, community,
                                                   chat, system_actor):  # type: ignore[no-untyped-def]
    _fill(system_actor, community, chat, Person.objects.filter(community=community).first())
    failures, empty = [], []
    for model in _qunzhu_models():
        for query in ("", "?q=x"):
            response = superuser_client.get(_url(model, "changelist") + query)
            if response.status_code != 200:
                failures.append((model._meta.label, query, response.status_code))
        row = model._default_manager.first()
        if row is None:
            empty.append(model._meta.label)
            continue
        response = superuser_client.get(_url(model, "change", row.pk))
        if response.status_code != 200:
            failures.append((model._meta.label, "change", response.status_code))
        response = superuser_client.get(_url(model, "add"))
        if response.status_code not in (200, 403):  # 403: a record nobody adds by hand
            failures.append((model._meta.label, "add", response.status_code))
    assert failures == []
    assert empty == []  # every page above was rendered with a row to show


def test_signin_code_hash_stays_out_of_the_admin(superuser_client, community, chat,
                                                 system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.portal.models import SignInCode
    from qunzhu.portal.services import do_issue_code

    do_issue_code(system_actor, Person.objects.filter(community=community).first())
    code = SignInCode.objects.get()
    for url in (_url(SignInCode, "changelist"), _url(SignInCode, "change", code.pk)):
        response = superuser_client.get(url)
        assert response.status_code == 200
        assert code.digest not in response.content.decode()
    response = superuser_client.post(_url(SignInCode, "change", code.pk), {"used": ""})
    assert response.status_code == 403
    # nor can the list be filtered by it from the address, which would let anyone guess
    # the hash one character at a time by the number of rows shown
    for prefix in (code.digest[:1], "not-a-prefix"):
        guess = superuser_client.get(_url(SignInCode, "changelist")
                                     + f"?digest__startswith={prefix}")
        assert guess.status_code in (302, 400)


#: models of the new admins with their way to the community, stated here independently of
#: the admin classes: one per kind of path (direct, through a parent, through two parents)
REPRESENTATIVE = {
    "governance.admission": "community",
    "governance.admissionnote": "admission__community",
    "governance.ballot": "proposal__community",
    "governance.removalcandidate": "proposal__community",
    "activities.job": "community",
    "activities.checkin": "challenge__community",
    "activities.campaignstep": "campaign__community",
    "activities.chainentry": "chain__community",
    "health.groupcolumns": "group__community",
    "portal.signincode": "person__community",
}


def test_operator_sees_no_rows_of_another_community(operator_client, community,
                                                    other_community, chat, other_chat,
                                                    system_actor):  # type: ignore[no-untyped-def]
    _fill(system_actor, community, chat, Person.objects.filter(community=community).first())
    _fill(system_actor, other_community, *other_chat)
    for label, path in REPRESENTATIVE.items():
        model = apps.get_model(label)
        ours = set(model._default_manager.filter(**{path: community})
                   .values_list("pk", flat=True))
        theirs = set(model._default_manager.filter(**{path: other_community})
                     .values_list("pk", flat=True))
        assert ours and theirs, label
        response = operator_client.get(_url(model, "changelist"))
        assert response.status_code == 200, label
        shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
        assert shown == ours, label
        foreign = operator_client.get(_url(model, "change", next(iter(theirs))))
        assert foreign.status_code in (302, 404), label


def test_no_list_or_filter_names_another_community(operator_client, community,
                                                   other_community, chat, other_chat,
                                                   system_actor):  # type: ignore[no-untyped-def]
    """B's community, group and member are all called 跑…; no list, filter or search of
    A's operator may show that character."""
    from qunzhu.portal.models import FailedSignIn

    _fill(system_actor, other_community, *other_chat)
    for model in _qunzhu_models():
        for query in ("", "?q=1"):
            response = operator_client.get(_url(model, "changelist") + query)
            if model is FailedSignIn:  # belongs to no community: superusers only
                assert response.status_code == 403
                continue
            assert response.status_code == 200, model._meta.label
            assert "跑" not in response.content.decode(), model._meta.label


def test_bulk_delete_in_the_admin_is_audited_row_by_row(superuser_client, community,
                                                        chat):  # type: ignore[no-untyped-def]
    from qunzhu.audit.models import AuditEntry

    other = Group.objects.create(community=community, platform=chat.platform,
                                 external_key="spare", name="备用群")
    response = superuser_client.post(_url(Group, "changelist"), {
        "action": "delete_selected", "_selected_action": [str(other.pk)], "post": "yes"})
    assert response.status_code == 302
    assert not Group.objects.filter(pk=other.pk).exists()
    entry = AuditEntry.objects.get(verb="admin.delete")
    assert entry.before["name"] == "备用群" and entry.community_id == community.pk
