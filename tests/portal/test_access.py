"""Every portal page: sign in first; a member sees only their own communities and data; each
form needs its CSRF token."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from qunzhu.activities import chains, challenges, homework, sharing
from qunzhu.activities.models import SharingMode
from qunzhu.audit.log import Actor
from qunzhu.governance import rulebook, votes
from tests.governance import add_member, make_group

from .conftest import sign_in

pytestmark = pytest.mark.django_db
A = Actor.system("t")


def world(community, group, person):  # type: ignore[no-untyped-def]
    """One of everything a member can open, in ``community``."""
    today = timezone.now().astimezone(community.zone).date()
    challenge = challenges.do_create_challenge(A, community, title="晨读", start=today,
                                               days=21, group=group)
    chain = chains.do_create_chain(A, community, title="周六", fields=["人数"], limit=5)
    series = sharing.do_create_series(A, community, title="分享", mode=SharingMode.ROTATION,
                                      weekday=3, at=time(20, 0), speakers=[person], plan=1)
    task = homework.do_create_assignment(A, community, title="笔记",
                                         due=timezone.now() + timedelta(days=2))
    rulebook.do_adopt_rulebook(A, community, reason="t")
    data = rulebook.current_rulebook(community).to_data()
    data["rules"][0]["enabled"] = True  # a proposal must change something
    proposal = votes.do_propose_rules(A, community, title="改规则", reason="r", data=data)
    return {"challenge": challenge.pk, "chain": chain.pk, "series": series.pk,
            "task": task.pk, "proposal": proposal.number}


def urls(slug: str, ids: dict[str, int]) -> list[str]:
    return [f"/m/c/{slug}/", f"/m/c/{slug}/checkin/{ids['challenge']}/",
            f"/m/c/{slug}/chain/{ids['chain']}/", f"/m/c/{slug}/sharing/{ids['series']}/",
            f"/m/c/{slug}/homework/{ids['task']}/", f"/m/c/{slug}/votes/",
            f"/m/c/{slug}/votes/{ids['proposal']}/", f"/m/c/{slug}/me/",
            f"/m/c/{slug}/profile/", f"/m/c/{slug}/profile/export/",
            f"/m/c/{slug}/checkin/{ids['challenge']}/certificate/",
            f"/m/c/{slug}/profile/erase/"]


def test_every_page_asks_a_stranger_to_sign_in(client, community, group, amy):
    for url in urls("books", world(community, group, amy)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/m/login/?next={url}", url


def test_a_member_of_one_community_cannot_open_another(member, community, group, amy,
                                                      other_community, system_actor):
    mine = urls("books", world(community, group, amy))
    other_group = make_group(system_actor, other_community, key="x1")
    stranger = add_member(other_group, "陌生人").person
    theirs = world(other_community, other_group, stranger)
    for url in mine:
        assert member.get(url).status_code in (200, 302), url  # erase and an unearned
        # certificate send the member back with a message
    for url in urls(other_community.slug, theirs):
        assert member.get(url).status_code == 404, url
        assert member.post(url, {"text": "x", "choice": "yes"}).status_code == 404, url
    # another community's objects through one's own slug
    for url in urls("books", theirs)[1:5]:
        assert member.get(url).status_code == 404, url


def test_pages_are_small_and_every_form_carries_csrf(member, community, group, amy):
    ids = world(community, group, amy)
    from pathlib import Path

    import qunzhu

    htmx = (Path(qunzhu.__file__).parent / "web/static/qunzhu/vendor/htmx.min.js").stat()
    for url in urls("books", ids)[:-3]:
        html = member.get(url).content
        assert len(html) + htmx.st_size < 100_000, (url, len(html))
        # nothing is fetched from another site (no CDN): every src and href is local
        assert not re.findall(rb'(?:src|href)="(?:https?:)?//', html), url
        assert html.count(b"<form") == html.count(b"csrfmiddlewaretoken"), url
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = sign_in(Client(), add_member(group, "阿博").person).cookies
    assert strict.get(f"/m/c/books/checkin/{ids['challenge']}/").status_code == 200
    assert strict.post(f"/m/c/books/checkin/{ids['challenge']}/",
                       {"text": "读了"}).status_code == 403


def test_a_member_signed_in_twice_sees_both_communities(client, community, group, amy,
                                                       other_community, system_actor):
    other = add_member(make_group(system_actor, other_community, key="x1"), "小美").person
    sign_in(client, amy)
    sign_in(client, other)
    home = client.get("/m/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert community.name in home and other_community.name in home
