"""``qunzhu worker``, ``qunzhu checkin``, ``qunzhu campaign`` and ``qunzhu jobs``:
activities from the terminal, and the scheduler in the foreground."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from qunzhu.cli_governance import LANGS, Slug, _community

checkin_app = typer.Typer(help="Check-in challenges (打卡): create, record, leaderboard.",
                          no_args_is_help=True)
campaign_app = typer.Typer(help="Campaigns: templates, plans, live monitor, retrospective.",
                           no_args_is_help=True)


def _challenge(community: Any, number: int) -> Any:
    from qunzhu.cli import _fail

    found = community.challenges.filter(pk=number).first()
    if found is None:
        raise _fail(f"no challenge {number} in {community.slug}; see `qunzhu checkin list "
                    f"{community.slug}`")
    return found


def _person(community: Any, who: str) -> Any:
    """A member by id or by exact display name (refused when the name is ambiguous)."""
    from qunzhu.cli import _fail

    people = community.people.all()
    found = list(people.filter(pk=int(who))) if who.isdigit() else list(
        people.filter(display_name=who)[:2])
    if len(found) != 1:
        raise _fail(f"no single member {who!r} in {community.slug}" if not found else
                    f"several members are called {who!r}; use the person id")
    return found[0]


def _refused(exc: Exception) -> typer.Exit:
    from qunzhu.cli import _fail

    return _fail(str(exc))


def worker(interval: Annotated[float, typer.Option(
        help="Seconds between looks at the schedule.", min=0.05)] = 30.0,
           once: Annotated[bool, typer.Option(
               "--once", help="Run what is due now, then exit.")] = False) -> None:
    """Run scheduled reminders, summaries and phase changes (the console does this too;
    use the worker when the console runs elsewhere or not at all)."""
    from qunzhu.cli import _setup_django, err, out

    _setup_django()
    from qunzhu.activities import scheduler

    def report(jobs: list[Any]) -> None:
        for job in jobs:
            out.print(f"{job.due:%Y-%m-%d %H:%M} {job.kind} {escape(job.key)} → {job.status}",
                      highlight=False)

    if once:
        report(scheduler.tick(worker="cli"))
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    err.print(f"qunzhu worker: looking at the schedule every {interval:g} s (Ctrl+C to stop)")
    scheduler.loop(stop, interval, "worker", report)
    err.print("worker stopped")


def jobs(community: Slug, pending: Annotated[bool, typer.Option(
        "--pending", help="Only jobs still waiting.")] = False,
         limit: int = 30) -> None:
    """The scheduled jobs of a community, next first."""
    from qunzhu.cli import out

    target = _community(community)
    from qunzhu.activities.models import Job, JobStatus

    rows = Job.objects.filter(community=target).order_by("due")
    if pending:
        rows = rows.filter(status=JobStatus.PENDING)
    table = Table("due", "kind", "key", "status", "error")
    for job in rows[:limit]:
        table.add_row(f"{job.due.astimezone(target.zone):%Y-%m-%d %H:%M}", job.kind, job.key,
                      job.status, escape(job.error[:60]))
    out.print(table)


# ------------------------------------------------------------------------ check-ins

@checkin_app.command("list")
def checkin_list(community: Slug) -> None:
    """Challenges with their dates and today's numbers."""
    from django.utils import timezone

    from qunzhu.cli import out

    target = _community(community)
    table = Table("id", "title", "group", "first day", "days", "today", "enrolled",
                  "checked in today")
    today = timezone.now().astimezone(target.zone).date()
    for c in target.challenges.select_related("group"):
        n = c.spec().day_index(today)
        table.add_row(str(c.pk), escape(c.title), escape(c.group.name if c.group else "*"),
                      str(c.start), str(c.days),
                      "cancelled" if c.cancelled else (str(n) if 1 <= n <= c.days else "-"),
                      str(c.enrolments.count()), str(c.checkins.filter(day=n).count()))
    out.print(table)


@checkin_app.command("create")
def checkin_create(
        community: Slug,
        title: Annotated[str, typer.Option(help="e.g. 21天晨读打卡")],
        start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
        days: Annotated[int, typer.Option(help="How many days.")] = 21,
        group: Annotated[str | None, typer.Option(help="Group name (default: any).")] = None,
        prompt: Annotated[str, typer.Option(help="The daily prompt.")] = "",
        keyword: Annotated[str, typer.Option(help="What a check-in message contains.")] = "#打卡",
        min_length: Annotated[int, typer.Option(help="Characters besides the keyword.")] = 0,
        makeups: Annotated[int, typer.Option(help="Make-up cards per member.")] = 2,
        remind: Annotated[str, typer.Option(help="Daily reminder, HH:MM local.")] = "20:00",
        summary: Annotated[str, typer.Option(help="Daily summary, HH:MM local.")] = "22:30",
) -> None:
    """Create a challenge; its reminders and summaries are scheduled at once."""
    from qunzhu.cli import _fail, _parse_date, out

    target = _community(community)
    from qunzhu.activities.challenges import do_create_challenge
    from qunzhu.activities.errors import ActivityError
    from qunzhu.audit.log import Actor
    from qunzhu.core.activities.schedule import parse_hhmm

    target_group = None
    if group:
        target_group = target.groups.filter(name=group).first()
        if target_group is None:
            raise _fail(f"no group {group!r} in {community}")
    try:
        times = [parse_hhmm(remind), parse_hhmm(summary)]
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        made = do_create_challenge(Actor.system("qunzhu checkin"), target, title=title,
                                   start=_parse_date(start, "--start"), days=days,
                                   group=target_group, prompt=prompt, keyword=keyword,
                                   min_length=min_length, makeup_limit=makeups,
                                   remind_at=times[0], summary_at=times[1])
    except ActivityError as exc:
        raise _refused(exc) from exc
    out.print(f"challenge {made.pk} created: {escape(made.title)}, {made.start} → "
              f"{made.spec().end}; {made.days * 2} reminders and summaries scheduled")


@checkin_app.command("record")
def checkin_record(
        community: Slug,
        challenge: Annotated[int, typer.Argument(help="Challenge id.")],
        member: Annotated[str, typer.Argument(help="Person id or exact display name.")],
        text: Annotated[str, typer.Option(help="What the member did.")] = "",
        makeup: Annotated[int | None, typer.Option(
            help="Use a make-up card for this past day instead.")] = None,
) -> None:
    """Record today's check-in for a member (or a make-up card for a past day)."""
    from qunzhu.cli import out

    target = _community(community)
    from qunzhu.activities import challenges
    from qunzhu.activities.errors import ActivityError
    from qunzhu.audit.log import Actor

    found, person = _challenge(target, challenge), _person(target, member)
    actor = Actor.system("qunzhu checkin")
    try:
        row = (challenges.do_use_makeup(actor, found, person, makeup, text=text)
               if makeup is not None else
               challenges.do_record_checkin(actor, found, person, text=text))
    except ActivityError as exc:
        raise _refused(exc) from exc
    state = challenges.progress_of(found, person)
    out.print(f"{escape(person.display_name)}: day {row.day} checked in; "
              f"{state.count}/{found.days} days, streak {state.current_streak}")


@checkin_app.command("board")
def checkin_board(community: Slug,
                  challenge: Annotated[int, typer.Argument(help="Challenge id.")],
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The leaderboard: days checked in, streaks, make-up cards left."""
    from qunzhu.cli import out

    target = _community(community)
    from qunzhu.activities.challenges import board

    rows = board(_challenge(target, challenge))
    if as_json:
        out.print_json(orjson.dumps([
            {"person": r.person.pk, "name": r.person.display_name, "days": r.progress.count,
             "streak": r.progress.current_streak, "longest": r.progress.longest_streak,
             "makeups_left": r.progress.makeups_left, "completed": r.progress.completed}
            for r in rows]).decode())
        return
    table = Table("#", "member", "days", "streak", "longest", "make-ups left", "done")
    for i, r in enumerate(rows, 1):
        p = r.progress
        table.add_row(str(i), escape(r.person.display_name), f"{p.count}/{p.days}",
                      str(p.current_streak), str(p.longest_streak), str(p.makeups_left),
                      "✓" if p.completed else "")
    out.print(table)


@checkin_app.command("recognise")
def checkin_recognise(community: Slug) -> None:
    """Record check-ins posted in the chat (messages with the keyword) that are not yet."""
    from qunzhu.cli import out

    target = _community(community)
    from qunzhu.activities.challenges import recognise
    from qunzhu.audit.log import Actor

    found = recognise(Actor.system("qunzhu checkin"), target)
    out.print(f"{found['checked']} messages with a keyword: {found['recorded']} new check-ins, "
              f"{found['refused']} not counted (too short or no photo)")


@checkin_app.command("certificate")
def checkin_certificate(
        community: Slug,
        challenge: Annotated[int, typer.Argument(help="Challenge id.")],
        member: Annotated[str, typer.Argument(help="Person id or exact display name.")],
        output: Annotated[Path, typer.Option("--output", "-o", help="PDF file to write.")],
        lang: Annotated[str, typer.Option(help="zh-hans, zh-hant or en.")] = "zh-hans",
) -> None:
    """Write a member's completion certificate (PDF)."""
    from qunzhu.cli import _fail, _write_bytes, out

    if lang not in LANGS:
        raise _fail(f"--lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    target = _community(community)
    from qunzhu.activities.challenges import certificate
    from qunzhu.activities.errors import ActivityError

    try:
        pdf = certificate(_challenge(target, challenge), _person(target, member), lang)
    except ActivityError as exc:
        raise _refused(exc) from exc
    _write_bytes(output, pdf)
    out.print(f"certificate written to {output}")


# ------------------------------------------------------------------------ campaigns

@campaign_app.command("templates")
def campaign_templates(lang: Annotated[str, typer.Option(help="zh-hans or en.")] = "zh-hans"
                       ) -> None:
    """The campaign templates shipped with qunzhu."""
    from qunzhu.cli import out
    from qunzhu.core.activities import library

    table = Table("key", "name", "days", "steps", "purpose")
    for key, t in library.TEMPLATES.items():
        days = t.warmup_days + t.ignition_days + t.monitoring_days
        table.add_row(key, library.text(t.name, lang), str(days), str(len(t.steps)),
                      escape(library.text(t.purpose, lang)[:60]))
    out.print(table)


@campaign_app.command("create")
def campaign_create(
        community: Slug,
        template: Annotated[str, typer.Option(help="Template key (qunzhu campaign templates).")],
        start: Annotated[str, typer.Option(help="First day of the warm-up, YYYY-MM-DD.")],
        title: Annotated[str | None, typer.Option(help="Default: the template's name.")] = None,
        group: Annotated[list[str] | None, typer.Option(
            "--group", "-g", help="Target group name (repeat; default: every open group).")
        ] = None,
) -> None:
    """Plan a campaign from a template: phases, scheduled posts, measures."""
    from qunzhu.cli import _fail, _parse_date, out

    target = _community(community)
    from qunzhu.activities.campaigns import do_create_campaign
    from qunzhu.activities.errors import ActivityError
    from qunzhu.audit.log import Actor

    groups = list(target.groups.filter(archived__isnull=True))
    if group:
        groups = [g for g in groups if g.name in group]
        missing = set(group) - {g.name for g in groups}
        if missing:
            raise _fail(f"no open group named {', '.join(sorted(missing))} in {community}")
    try:
        made = do_create_campaign(Actor.system("qunzhu campaign"), target, template=template,
                                  start=_parse_date(start, "--start"), title=title,
                                  groups=groups)
    except ActivityError as exc:
        raise _refused(exc) from exc
    zone = target.zone
    out.print(f"campaign {made.pk} planned: {escape(made.title)}\n"
              f"  warm-up {made.warmup.astimezone(zone):%Y-%m-%d}, ignition "
              f"{made.ignition.astimezone(zone):%Y-%m-%d}, monitoring "
              f"{made.monitoring.astimezone(zone):%Y-%m-%d}, ends "
              f"{made.end.astimezone(zone):%Y-%m-%d}; {made.steps.count()} scheduled posts")


@campaign_app.command("list")
def campaign_list(community: Slug) -> None:
    """Campaigns with their phase."""
    from qunzhu.cli import out

    target = _community(community)
    table = Table("id", "title", "phase", "warm-up", "ends", "groups")
    for c in target.campaigns.prefetch_related("groups"):
        table.add_row(str(c.pk), escape(c.title), c.get_phase_display(),
                      f"{c.warmup.astimezone(target.zone):%Y-%m-%d}",
                      f"{c.end.astimezone(target.zone):%Y-%m-%d}",
                      escape(", ".join(g.name for g in c.groups.all())))
    out.print(table)


@campaign_app.command("retro")
def campaign_retro(community: Slug,
                   campaign: Annotated[int, typer.Argument(help="Campaign id.")],
                   as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The retrospective's figures (the live monitor while the campaign runs)."""
    from qunzhu.cli import _fail, out

    target = _community(community)
    from qunzhu.activities.campaigns import figures

    found = target.campaigns.filter(pk=campaign).first()
    if found is None:
        raise _fail(f"no campaign {campaign} in {community}")
    data = figures(found)
    if as_json:
        out.print_json(orjson.dumps(data, default=str).decode())
        return
    table = Table("phase", "messages", "per day", "normal per day", "lift", "participants",
                  "joins")
    for p in data["phases"]:
        lift = f"{p['lift']:.1f}×" if p["lift"] is not None else "-"
        per_day = f"{p['per_day']:.1f}" if p["per_day"] is not None else "-"
        table.add_row(p["phase"], str(p["messages"]), per_day,
                      f"{p['baseline_per_day']:.1f}", lift, str(p["participants"]),
                      str(p["joins"]))
    out.print(table)
    for m in data["measures"]:
        mark = {True: "✓", False: "✗", None: "?"}[m["met"]]
        actual = "no data" if m["actual"] is None else f"{m['actual']:g}"
        out.print(f"{mark} {escape(m['label'])}: {actual} / {m['target']:g}", highlight=False)


