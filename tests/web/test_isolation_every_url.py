"""Tenant isolation over every address the project serves, so a new view cannot forget it.

The root URLconf is walked pattern by pattern. Every pattern with a ``slug`` (the console's
``c/<slug>/`` pages, the member portal's and the JSON API's) is requested, with every
method, by someone who is an owner of community A in the console *and* a signed-in member
of A in the portal, in two ways:

* with B's slug, its other parts filled with the ids of real rows of B;
* with A's own slug and B's rows (B's object reached through A's address).

Each answer must be a 403, 404 or 405 that shows nothing of B, and none of B's rows may
change (every table that leads to a community is compared, the audit log included). The
control: B's own owner and member get past the 404 on the same addresses, so a refusal
means scoping, not a wrong address.

A pattern without a ``slug`` must be in :data:`REVIEWED`, with the reason it needs no
scoping; a new one fails :func:`test_every_address_is_probed_or_reviewed` until someone
looks at it. An id in an address that :data:`ROW_OF_SEGMENT` cannot fill with a row of B
fails :func:`test_every_id_in_an_address_is_a_row_of_b` (the probe would try ``1``, which
proves little).

B's world is built once for the module inside a transaction that is rolled back at the
end; each test runs in a savepoint inside it, like Django's ``setUpTestData``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from qunzhu.audit.log import Actor
from qunzhu.audit.models import AuditEntry
from qunzhu.community.models import Community, Gate

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")
#: in every name of B's rows and in none of A's: an answer containing it shows B
B_MARK = "跑"
METHODS = ("get", "post", "put", "patch", "delete")
ALLOWED = (403, 404, 405)


# ---------------------------------------------------------------- the patterns

@dataclass(frozen=True)
class Route:
    """One URL pattern with its full route (prefixes of the includes joined)."""

    name: str
    route: str
    converters: tuple[str, ...]  # the keyword names, in the order they appear

    @property
    def scoped(self) -> bool:
        return "slug" in self.converters

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k for k in self.converters if k != "slug")

    @property
    def api(self) -> bool:
        return self.name.startswith("api:")


_PART = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def _walk(resolver: URLResolver, prefix: str = "", spaces: tuple[str, ...] = ()
          ) -> Iterator[Route]:
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = (*spaces, item.namespace) if item.namespace else spaces
            yield from _walk(item, prefix + str(item.pattern), inner)
        elif isinstance(item, URLPattern):
            route = prefix + str(item.pattern)
            name = ":".join((*spaces, item.name or f"<unnamed {route}>"))
            yield Route(name, route, tuple(m["name"] for m in _PART.finditer(route)))


def all_routes() -> list[Route]:
    """Every pattern of the project's root URLconf (the admin's included)."""
    return list(_walk(get_resolver()))


#: Patterns without a community slug, each reviewed: why it needs no tenant scoping (or
#: where that scoping is tested). ``True`` marks pages that show the visitor's *own*
#: communities; they are fetched here too and must not mention B.
REVIEWED: dict[str, tuple[str, bool]] = {
    "admin:*": ("Django admin: ModelAdmin querysets are scoped per operator in "
                "community/admin.py; tested in tests/web/test_isolation.py", False),
    "login": ("the operators' sign-in form; shows no community data", False),
    "logout": ("ends the visitor's own session", False),
    "set_language": ("stores the chosen language in the visitor's session", False),
    "javascript-catalog": ("the translation catalogue for scripts; no data", False),
    "api:api-root": ("ninja's root of the API; no data", False),
    "api:openapi-json": ("the API's schema; describes endpoints, holds no data", False),
    "api:openapi-view": ("the API's documentation page; no data", False),
    "api:list_communities": ("the communities the operator has access to "
                             "(communities_for)", True),
    "console:home": ("redirects to a community the operator may see", True),
    "console:join": ("the public invite page: anyone holding an invite code may see the "
                     "invite's community and apply, by design", False),
    "portal:home": ("the signed-in member's own communities", True),
    "portal:login": ("the members' sign-in form (one-time codes)", False),
    "portal:login-link": ("the sign-in form with a code filled in; signing in is a POST "
                          "of the code, which names its one member", False),
    "portal:logout": ("ends the member's own portal session", False),
}


def reviewed(name: str) -> tuple[str, bool] | None:
    space = name.split(":", 1)[0]
    return REVIEWED.get(name) or (REVIEWED.get(f"{space}:*") if ":" in name else None)


ROUTES = all_routes()
SCOPED = [r for r in ROUTES if r.scoped]
WITH_IDS = [r for r in SCOPED if r.ids]
OWN = [r for r in ROUTES if not r.scoped and (reviewed(r.name) or ("", False))[1]]


def _id(route: Route) -> str:
    return route.name


# ---------------------------------------------------------------- B's world

#: the literal part of the address just before an id names the row it takes
ROW_OF_SEGMENT: dict[str, str] = {
    "g": "group", "groups": "group",
    "p": "person", "certificate": "person",
    "erasures": "erasure", "import": "job",
    "admission": "admission", "admissions": "admission",
    "invites": "invite", "strikes": "strike",
    "votes": "proposal", "proposals": "proposal",
    "removals": "removal",
    "checkins": "challenge", "checkin": "challenge", "challenges": "challenge",
    "chains": "chain", "chain": "chain",
    "homework": "assignment", "review": "submission",
    "sharing": "series", "sessions": "session",
    "outbox": "action", "campaigns": "campaign",
    "gates": "gate",
}


def row_for(route: Route, kwarg: str) -> str | None:
    """Which of B's rows fills ``kwarg`` of ``route`` (None: not known here)."""
    parts = route.route.strip("/").split("/")
    for before, part in zip(parts, parts[1:], strict=False):
        match = _PART.fullmatch(part)
        if match and match["name"] == kwarg:
            return ROW_OF_SEGMENT.get(before)
    return None


@dataclass
class World:
    a: Community
    b: Community
    operator: Any  # owner of A only
    member: Any  # a person of A, signs in to the portal
    insiders: tuple[Any, Any]  # B's owner and a member of B: the control
    values: dict[str, str]  # row kind -> its value in an address (pk, code, number)
    form: dict[str, Any]  # a console form naming B's rows in every field a view reads
    json: dict[str, Any]  # the same for the API: every field its bodies require
    queries: list[tuple[str, str, tuple[Any, ...]]] = field(default_factory=list)


def _build() -> World:
    from qunzhu.activities import campaigns, chains, challenges, homework, points, sharing
    from qunzhu.activities.models import SharingMode
    from qunzhu.community.actions import do_create_community, do_create_operator
    from qunzhu.community.actions import do_grant_access as grant
    from qunzhu.governance import elimination, gates, rulebook, votes
    from qunzhu.governance.models import OutboxAction, Strike
    from qunzhu.governance.points import do_grant_points
    from qunzhu.ingest import jobs
    from qunzhu.portal import services as portal
    from tests.governance import add_member, base_time, make_group, post, rulebook_data

    a = do_create_community(SYSTEM, name="读书会", slug="books")
    b = do_create_community(SYSTEM, name="跑步群", slug="runners")
    operator = do_create_operator(SYSTEM, username="alice", password="s3cret-pass-word")
    grant(SYSTEM, operator, a, "owner")
    owner_b = do_create_operator(SYSTEM, username="bob", password="s3cret-pass-word")
    grant(SYSTEM, owner_b, b, "owner")
    member = add_member(make_group(SYSTEM, a, name="读书1群", key="books1"), "小美").person

    group = make_group(SYSTEM, b, name="跑步1群", key="run1")
    amy, bo, cy = (add_member(group, name).person for name in ("跑者甲", "跑者乙", "跑者丙"))
    now = timezone.now()
    rulebook.do_adopt_rulebook(SYSTEM, b, rulebook_data(enable=["hard-ads"]))
    post(group, amy, "今天跑了10公里", now - timedelta(days=1))
    post(group, bo, "加微信领优惠券，限时", now + timedelta(hours=1))
    rulebook.do_enforce(SYSTEM, b, now=now + timedelta(hours=2))
    proposal = votes.do_propose_rules(
        SYSTEM, b, title="跑步规则", reason="试行",
        data=rulebook_data(enable=["hard-ads", "quiet-hours"]), now=now - timedelta(hours=25))
    removal = elimination.do_propose_removal(SYSTEM, group, "quota", {"keep": 1})
    assert removal is not None
    gates.do_set_gate(SYSTEM, group, Gate.APPLICATION)
    invite = gates.do_create_invite(SYSTEM, b, group=group)
    admission = gates.do_submit(SYSTEM, group, Gate.APPLICATION, name="跑步申请人",
                                answers={"interests": "跑步", "why": "想加入"})
    job = jobs.do_create_import_job(SYSTEM, b, name="跑步.txt", stream=BytesIO(b"x"))
    erasure = portal.do_request_erasure(cy, "跑步隐私")
    today = now.astimezone(b.zone).date()
    challenge = challenges.do_create_challenge(SYSTEM, b, title="晨跑21天", start=today,
                                               group=group)
    challenges.do_record_checkin(SYSTEM, challenge, amy, text="#打卡 跑了5公里")
    challenges.do_enrol(SYSTEM, challenge, bo)
    chain = chains.do_create_chain(SYSTEM, b, title="周六跑", fields=["人数"], limit=5,
                                   group=group)
    entry = chains.do_join_chain(SYSTEM, chain, amy, ["1"])
    assignment = homework.do_create_assignment(SYSTEM, b, title="跑后感", due=base_time(7),
                                               group=group)
    submission = homework.do_submit(SYSTEM, assignment, amy, text="跑完了")
    series = sharing.do_create_series(SYSTEM, b, title="跑步分享", mode=SharingMode.ROTATION,
                                      weekday=3, at=time(20, 0), group=group,
                                      speakers=[amy, bo])
    campaign = campaigns.do_create_campaign(SYSTEM, b, template="meetup",
                                            start=today + timedelta(days=3),
                                            title="跑步见面会", groups=[group], place="公园")
    do_grant_points(SYSTEM, amy, 10, "跑步")
    badge = points.do_save_badge(SYSTEM, b, code="runner", name="跑步达人", metric="points",
                                 at_least=5)
    action = OutboxAction.objects.filter(community=b).order_by("pk").first()
    strike = Strike.objects.filter(community=b).first()
    session = series.sessions.order_by("pk").first()
    step = campaign.steps.order_by("pk").first()
    assert action and strike and session and step, "B's world lacks a row"

    values = {
        "group": group.pk, "person": amy.pk, "erasure": erasure.pk, "job": job.pk,
        "admission": admission.pk, "invite": invite.code, "strike": strike.pk,
        "proposal": proposal.number, "removal": removal.pk, "challenge": challenge.pk,
        "chain": chain.pk, "assignment": assignment.pk, "submission": submission.pk,
        "series": series.pk, "session": session.pk, "action": action.pk,
        "campaign": campaign.pk, "gate": Gate.APPLICATION,
    }
    people = [amy.pk, bo.pk]
    form = {
        "person": amy.pk, "people": people, "persons": people, "keep": amy.pk,
        "other": bo.pk, "speaker": bo.pk, "target": bo.pk, "group": group.pk,
        "groups": [group.pk], "entry": entry.pk, "candidate": removal.candidates.first().pk,
        "step": step.pk, "badge": badge.pk, "submission": submission.pk,
        "session": session.pk, "challenge": challenge.pk, "invite": invite.code,
        "code": invite.code, "verb": "approve", "status": "done", "choice": "yes",
        "kind": Gate.PAID, "approve": "1", "title": "probe", "text": "probe",
        "reason": "probe", "note": "probe", "name": "probe", "cost": 1, "amount": 1,
        "start": today.isoformat(), "template": "meetup", "next": "/",
    }
    # pydantic ignores fields a schema lacks; a missing one is a 422 before the view runs
    api = {
        "group_id": group.pk, "person_id": amy.pk, "voucher_id": bo.pk,
        "invite_code": invite.code, "gate": Gate.APPLICATION, "name": "probe",
        "answers": {"why": "probe"}, "reason": "probe", "question": "probe",
        "amount_cents": 100, "choice": "yes", "enabled": True, "settings": {},
        "note": "probe", "text": "probe",
    }
    return World(a, b, operator, member, (owner_b, amy),
                 {k: str(v) for k, v in values.items()}, form, api)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """Both communities, built once; rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build()
        built.queries = snapshot_queries(built.b)
        yield built
        transaction.set_rollback(True)


def signed_in(operator: Any, member: Any) -> Client:
    """A browser signed in as ``operator`` in the console and ``member`` in the portal."""
    from qunzhu.portal import services as portal

    client = Client()
    client.force_login(operator)
    code = portal.do_issue_code(SYSTEM, member)
    assert client.post("/m/login/", {"code": code}).status_code == 302
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(scope="module")
def visitor(world: World) -> Client:
    """Owner of A in the console and A's member 小美 in the portal, in one browser (signed
    in once, inside the module's transaction: its sessions outlive each test's rollback)."""
    return signed_in(world.operator, world.member)


@pytest.fixture(scope="module")
def insider(world: World) -> Client:
    """B's owner and B's member 跑者甲: the control that B's addresses are real."""
    return signed_in(*world.insiders)


# ---------------------------------------------------------------- B's rows

def _path_to_community() -> dict[type[models.Model], str]:
    """For each model that leads to a community through foreign keys, the lookup that
    filters its rows to one community (``community__pk``, ``challenge__community__pk``…)."""
    paths: dict[type[models.Model], str] = {Community: "pk"}
    grown = True
    while grown:
        grown = False
        for model in apps.get_models(include_auto_created=True):
            if model in paths:
                continue
            for column in model._meta.concrete_fields:
                target = column.related_model if column.many_to_one else None
                if target in paths and target is not model:
                    paths[model] = f"{column.name}__{paths[target]}"
                    grown = True
                    break
    return paths


B_TABLES = _path_to_community()


def snapshot_queries(community: Community) -> list[tuple[str, str, tuple[Any, ...]]]:
    """The SQL reading every row of every table that leads to ``community``, all columns,
    by pk: compiled once, so that a snapshot before and after each request stays cheap."""
    queries = []
    for model, path in B_TABLES.items():
        columns = [f.attname for f in model._meta.concrete_fields]
        query = (model.objects.filter(**{path: community.pk}).order_by("pk")
                 .values_list(*columns).query)
        sql, params = query.sql_with_params()
        queries.append((model._meta.label, sql, params))
    return queries


def rows_of(world: World) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with connection.cursor() as cursor:
        for label, sql, params in world.queries:
            cursor.execute(sql, params)
            found[label] = cursor.fetchall()
    return found


def changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# ---------------------------------------------------------------- probing

def address(route: Route, slug: str, world: World) -> str:
    def fill(match: re.Match[str]) -> str:
        if match["name"] == "slug":
            return slug
        row = row_for(route, match["name"])
        if row is not None:
            return world.values[row]
        return "1" if match["conv"] == "int" else "x"

    return "/" + _PART.sub(fill, route.route)


def requests(route: Route, world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """(label, method, arguments) of the requests to send: every method; a console or
    portal form is POSTed twice, with every field naming B's rows and with none (a field
    a view does not expect can stop it before it would reach B's row, hiding a missing
    scope). The API gets JSON naming B's rows."""
    as_json = {"data": json.dumps(world.json), "content_type": "application/json"}
    if route.api:
        return [(m.upper(), m, {} if m == "get" else as_json) for m in METHODS]
    return [("GET", "get", {}), ("POST", "post", {"data": world.form}),
            ("POST (empty form)", "post", {"data": {}}),
            *((m.upper(), m, as_json) for m in METHODS if m not in ("get", "post"))]


def probe(client: Client, route: Route, slug: str, world: World) -> None:
    """Every method on the address: refused, nothing of B shown, nothing of B changed."""
    url = address(route, slug, world)
    for label, method, arguments in requests(route, world):
        before = rows_of(world)
        audit = AuditEntry.objects.filter(community=world.b).count()
        response = getattr(client, method)(url, **arguments)
        assert response.status_code != 422, (
            f"{route.name}: {label} {url} is a 422, refused before the view ran "
            f"(so its scoping was not tested): add the fields it requires to the API body "
            f"in _build(). {response.content[:300]!r}")
        assert response.status_code in ALLOWED, (
            f"{route.name}: {label} {url} answered {response.status_code}, "
            f"not one of {ALLOWED}: community B is reachable")
        content = b"".join(response) if response.streaming else response.content
        assert B_MARK not in content.decode(errors="replace"), (
            f"{route.name}: {label} {url} shows B's data")
        assert AuditEntry.objects.filter(community=world.b).count() == audit, (
            f"{route.name}: {label} {url} wrote to B's audit log")
        diff = changed(before, rows_of(world))
        assert not diff, f"{route.name}: {label} {url} changed B's rows in {diff}"


@pytest.mark.parametrize("route", SCOPED, ids=_id)
def test_b_slug_is_refused(visitor: Client, world: World, route: Route) -> None:
    probe(visitor, route, world.b.slug, world)


@pytest.mark.parametrize("route", WITH_IDS, ids=_id)
def test_b_rows_through_a_slug_are_refused(visitor: Client, world: World,
                                           route: Route) -> None:
    probe(visitor, route, world.a.slug, world)


@pytest.mark.parametrize("route", SCOPED, ids=_id)
def test_b_addresses_are_real_for_b(insider: Client, world: World, route: Route) -> None:
    """The control: B's own owner and member get past the 404 on every address the probe
    uses, so the refusals above come from scoping, not from a wrong address or id."""
    url = address(route, world.b.slug, world)
    answers = []
    for label, method, arguments in requests(route, world):
        answers.append(f"{label} {getattr(insider, method)(url, **arguments).status_code}")
        if not answers[-1].endswith((" 404", " 405")):
            return
    pytest.fail(f"{route.name}: {url} is refused to B itself ({', '.join(answers)})")


@pytest.mark.parametrize("route", OWN, ids=_id)
def test_own_pages_do_not_mention_b(visitor: Client, world: World, route: Route) -> None:
    before = rows_of(world)
    response = visitor.get(address(route, world.a.slug, world), follow=True)
    assert response.status_code == 200, route.name
    assert B_MARK not in response.content.decode(), f"{route.name} shows B"
    assert not changed(before, rows_of(world))


# ---------------------------------------------------------------- nothing left out

def test_every_address_is_probed_or_reviewed() -> None:
    unreviewed = [f"{r.name} (/{r.route})" for r in ROUTES
                  if not r.scoped and reviewed(r.name) is None]
    assert not unreviewed, (
        "URL patterns without a community slug, not probed for tenant isolation: "
        + ", ".join(unreviewed) + ". Scope them under c/<slug>/ or add them to REVIEWED "
        "in this file with the reason they need no scoping.")
    names = {r.name for r in ROUTES} | {f"{r.name.split(':', 1)[0]}:*" for r in ROUTES}
    stale = sorted(set(REVIEWED) - names)
    assert not stale, f"REVIEWED names patterns that no longer exist: {stale}"


def test_every_id_in_an_address_is_a_row_of_b() -> None:
    unmapped = [f"{r.name}: <{k}> in /{r.route}" for r in WITH_IDS for k in r.ids
                if row_for(r, k) is None]
    assert not unmapped, (
        "Ids the isolation probe cannot fill with a row of community B (it tries 1, "
        "which proves little): " + "; ".join(unmapped) + ". Add the segment before the "
        "id to ROW_OF_SEGMENT and the row to B's world in this file.")


def test_b_world_has_every_kind_of_row(world: World) -> None:
    assert set(ROW_OF_SEGMENT.values()) <= set(world.values)
    assert SCOPED and WITH_IDS
