"""The JSON API for activities and points, mounted with the governance API at
``/api/v1/``: same session, same scoping (another community's objects are a 404), managers
write, the services of :mod:`qunzhu.activities` do the work and audit it."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from qunzhu.activities import campaigns, challenges, points
from qunzhu.activities.models import Campaign, Challenge

from .api import READ_ERRORS, WRITE_ERRORS, actor, aware, community_of, one

router = Router(tags=["activities"])


class ChallengeOut(Schema):
    id: int
    title: str
    group: str | None
    start: date
    end: date
    days: int
    today: int | None
    enrolled: int
    cancelled: bool


def _challenge_out(c: Challenge, today: date) -> ChallengeOut:
    spec = c.spec()
    n = spec.day_index(today)
    return ChallengeOut(id=c.pk, title=c.title, group=c.group.name if c.group else None,
                        start=c.start, end=spec.end, days=c.days,
                        today=n if 1 <= n <= c.days else None,
                        enrolled=c.enrolments.count(), cancelled=c.cancelled is not None)


@router.get("/c/{slug}/challenges", response={200: list[ChallengeOut], **READ_ERRORS})
def list_challenges(request: HttpRequest, slug: str) -> list[ChallengeOut]:
    """Check-in challenges, newest first, with today's day number."""
    community = community_of(request, slug)
    today = timezone.now().astimezone(community.zone).date()
    return [_challenge_out(c, today) for c in community.challenges.select_related("group")]


class BoardRow(Schema):
    person_id: int
    name: str
    days: int
    streak: int
    longest: int
    makeups_left: int
    completed: bool


@router.get("/c/{slug}/challenges/{challenge_id}/board",
            response={200: list[BoardRow], **READ_ERRORS})
def challenge_board(request: HttpRequest, slug: str, challenge_id: int) -> list[BoardRow]:
    """The leaderboard: days checked in, current and longest streak, make-up cards left."""
    community = community_of(request, slug)
    challenge = one(community.challenges.all(), "challenge", pk=challenge_id)
    return [BoardRow(person_id=r.person.pk, name=r.person.display_name,
                     days=r.progress.count, streak=r.progress.current_streak,
                     longest=r.progress.longest_streak,
                     makeups_left=r.progress.makeups_left, completed=r.progress.completed)
            for r in challenges.board(challenge)]


class CheckInIn(Schema):
    person_id: int
    text: str = ""
    makeup_day: int | None = None


class CheckInOut(Schema):
    day: int
    source: str
    days: int
    streak: int


@router.post("/c/{slug}/challenges/{challenge_id}/checkins",
             response={201: CheckInOut, **WRITE_ERRORS})
def record_checkin(request: HttpRequest, slug: str, challenge_id: int,
                   payload: CheckInIn) -> Status[CheckInOut]:
    """Record today's check-in for a member, or a make-up card for ``makeup_day``."""
    community = community_of(request, slug, write=True)
    challenge = one(community.challenges.all(), "challenge", pk=challenge_id)
    person = one(community.people.all(), "member", pk=payload.person_id)
    if payload.makeup_day is not None:
        row = challenges.do_use_makeup(actor(request), challenge, person, payload.makeup_day,
                                       text=payload.text)
    else:
        row = challenges.do_record_checkin(actor(request), challenge, person,
                                           text=payload.text)
    state = challenges.progress_of(challenge, person)
    return Status(201, CheckInOut(day=row.day, source=row.source, days=state.count,
                                  streak=state.current_streak))


class CampaignOut(Schema):
    id: int
    title: str
    template: str
    phase: str
    warmup: datetime
    ignition: datetime
    monitoring: datetime
    end: datetime
    groups: list[str]

    @staticmethod
    def resolve_groups(obj: Campaign) -> list[str]:
        return [g.name for g in obj.groups.all()]


@router.get("/c/{slug}/campaigns", response={200: list[CampaignOut], **READ_ERRORS})
def list_campaigns(request: HttpRequest, slug: str) -> Any:
    """Campaigns, newest first, with their phase."""
    return community_of(request, slug).campaigns.prefetch_related("groups")


@router.get("/c/{slug}/campaigns/{campaign_id}/figures",
            response={200: dict[str, Any], **READ_ERRORS})
def campaign_figures(request: HttpRequest, slug: str, campaign_id: int) -> dict[str, Any]:
    """The live monitor (or, once closed, the stored retrospective): per phase against the
    group's normal, top posts, participants and each success measure."""
    community = community_of(request, slug)
    campaign = one(community.campaigns.all(), "campaign", pk=campaign_id)
    if campaign.retro:
        return {**campaign.retro, "notes": campaign.notes}
    return campaigns._plain(campaigns.figures(campaign))  # type: ignore[no-any-return]


class LeaderOut(Schema):
    person_id: int
    name: str
    points: int


@router.get("/c/{slug}/points/leaderboard", response={200: list[LeaderOut], **READ_ERRORS})
def points_leaderboard(request: HttpRequest, slug: str, group_id: int | None = None,
                       since: datetime | None = None, until: datetime | None = None,
                       limit: int = 20) -> list[LeaderOut]:
    """Members by points earned in the period (times without an offset are read in the
    community's zone), optionally within one group."""
    community = community_of(request, slug)
    group = one(community.groups.all(), "group", pk=group_id) if group_id else None
    board = points.leaderboard(community, group=group, since=aware(since, community),
                               until=aware(until, community), limit=min(max(limit, 1), 200))
    return [LeaderOut(person_id=p.pk, name=p.display_name, points=n) for p, n in board]
