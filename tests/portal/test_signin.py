"""Signing in with a one-time code: wrong, used and expired codes, the rate limit, links that
chat apps preview, sessions, signing out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from qunzhu.audit.log import Actor
from qunzhu.audit.models import AuditEntry
from qunzhu.portal import services as portal
from qunzhu.portal.models import SignInCode

pytestmark = pytest.mark.django_db


def post_code(client: Client, code: str):  # type: ignore[no-untyped-def]
    return client.post("/m/login/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")


def test_a_code_signs_in_once(client, amy):
    code = portal.do_issue_code(Actor.system("t"), amy)
    assert code not in str(list(SignInCode.objects.values_list("digest", flat=True)))
    response = post_code(client, code.lower())  # typed in lower case on a phone
    assert response.status_code == 302
    assert response["Location"] == "/m/c/books/"
    page = client.get("/m/c/books/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Hello, 小美" in page.content.decode()
    again = post_code(Client(), code)
    assert again.status_code == 400
    assert "already used" in again.content.decode()
    assert AuditEntry.objects.filter(verb="portal.signin", actor_kind="member").count() == 1


def test_expired_and_wrong_codes(client, amy):
    code = portal.do_issue_code(Actor.system("t"), amy)
    SignInCode.objects.update(expires=SignInCode.objects.get().created - timedelta(hours=1))
    assert "expired" in post_code(client, code).content.decode()
    assert "not right" in post_code(client, "ZZZZZZZZ").content.decode()


def test_too_many_wrong_codes_make_the_client_wait(client, amy):
    for _ in range(portal.MAX_FAILURES):
        assert post_code(client, "WRONG123").status_code == 400
    code = portal.do_issue_code(Actor.system("t"), amy)
    refused = post_code(client, code)
    assert refused.status_code == 400
    assert "Too many wrong codes" in refused.content.decode()
    assert SignInCode.objects.get().used is None  # the good code is not burnt


def test_a_link_preview_does_not_use_the_code(client, amy):
    code = portal.do_issue_code(Actor.system("t"), amy)
    preview = Client().get(f"/m/login/{code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert preview.status_code == 200 and code in preview.content.decode()
    assert SignInCode.objects.get().used is None
    assert post_code(client, code).status_code == 302


def test_signing_out_ends_the_members_session(member):
    assert member.get("/m/c/books/").status_code == 200
    member.post("/m/logout/")
    response = member.get("/m/c/books/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")


def test_the_form_needs_its_csrf_token(amy):
    strict = Client(enforce_csrf_checks=True)
    code = portal.do_issue_code(Actor.system("t"), amy)
    assert strict.post("/m/login/", {"code": code}).status_code == 403
