"""A community with one group and two members who can sign in to the portal."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from qunzhu.audit.log import Actor
from qunzhu.portal import services as portal
from tests.governance import add_member, make_group


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def group(community, system_actor):  # type: ignore[no-untyped-def]
    return make_group(system_actor, community)


@pytest.fixture
def amy(group):  # type: ignore[no-untyped-def]
    return add_member(group, "小美").person


@pytest.fixture
def bo(group):  # type: ignore[no-untyped-def]
    return add_member(group, "阿博").person


def sign_in(client: Client, person) -> Client:  # type: ignore[no-untyped-def]
    code = portal.do_issue_code(Actor.system("test"), person)
    response = client.post("/m/login/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def member(client, amy):  # type: ignore[no-untyped-def]
    """A browser signed in as 小美."""
    return sign_in(client, amy)
