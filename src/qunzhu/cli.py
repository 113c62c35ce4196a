"""The ``qunzhu`` command: set up, load the demo, serve the console, manage operators."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

app = typer.Typer(help="群主 qunzhu — run your chat communities by the playbook.",
                  no_args_is_help=True, add_completion=False,
                  context_settings={"help_option_names": ["-h", "--help"]})
operator_app = typer.Typer(help="Create operators and reset their passwords.",
                           no_args_is_help=True)
app.add_typer(operator_app, name="operator")
people_app = typer.Typer(help="People across platforms: merge suggestions and merges.",
                         no_args_is_help=True)
app.add_typer(people_app, name="people")

from qunzhu.cli_governance import invites_app, outbox_app, rules_app  # noqa: E402

app.add_typer(rules_app, name="rules")
app.add_typer(invites_app, name="invites")
app.add_typer(outbox_app, name="outbox")

from qunzhu.cli_activities import campaign_app, checkin_app, jobs, worker  # noqa: E402

app.add_typer(checkin_app, name="checkin")
app.add_typer(campaign_app, name="campaign")
app.command()(worker)
app.command()(jobs)

out = Console()
err = Console(stderr=True)

DEFAULT_OPERATOR = "operator"


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qunzhu.settings")
    import django

    django.setup()


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


def _migrate(verbose: bool = False) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err)


def _load_demo(reset: bool, seed: int, end: date) -> None:
    from qunzhu.audit.log import Actor
    from qunzhu.demo.load import load_demo

    with _progress() as progress:
        task = progress.add_task("demo", total=None, rate="")
        started = datetime.now()

        def advance(n: int) -> None:
            progress.advance(task, n)
            done = progress.tasks[0].completed
            seconds = max((datetime.now() - started).total_seconds(), 1e-6)
            progress.update(task, rate=f"{done / seconds:,.0f} msg/s")

        summary = load_demo(Actor.system("qunzhu demo"), end=end, seed=seed, reset=reset,
                            on_start=lambda n: progress.update(task, total=n),
                            on_progress=advance)
    from qunzhu.community.models import Community
    from qunzhu.demo.load import DEMO_SLUG
    from qunzhu.health.service import do_refresh

    with err.status("computing the health report …"):
        do_refresh(Actor.system("qunzhu demo"), Community.objects.get(slug=DEMO_SLUG),
                   reason="demo")
    table = Table(title="书香读书会 (reading-club)")
    for column in ("group", "messages", "members", "first", "last"):
        table.add_column(column)
    for group in summary.groups.values():
        table.add_row(group.name, f"{group.added:,}", f"{len(group.senders):,}",
                      f"{group.first:%Y-%m-%d}" if group.first else "-",
                      f"{group.last:%Y-%m-%d}" if group.last else "-")
    out.print(table)


def _ensure_first_operator() -> tuple[str, str | None]:
    """Create the first operator if there is none; returns (name, new password or None)."""
    from django.contrib.auth import get_user_model

    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_create_operator

    User = get_user_model()
    if User.objects.exists():
        first = User.objects.filter(is_superuser=True).order_by("pk").first()
        return (first.get_username() if first else DEFAULT_OPERATOR), None
    password = secrets.token_urlsafe(12)
    do_create_operator(Actor.system("qunzhu up"), username=DEFAULT_OPERATOR, password=password,
                       superuser=True)
    return DEFAULT_OPERATOR, password


def _serve(host: str, port: int, threads: int, scheduler: bool = True) -> None:
    from waitress import serve as waitress_serve

    from qunzhu.activities.scheduler import start_thread
    from qunzhu.health.service import recover_interrupted as recover_reports
    from qunzhu.ingest.jobs import recover_interrupted
    from qunzhu.wsgi import application

    if interrupted := recover_interrupted():
        err.print(f"{interrupted} console import(s) were cut short by the last stop; "
                  "run them again from the import page")
    recover_reports()
    if scheduler:
        start_thread()
        out.print("scheduler: reminders and campaign steps run from this process "
                  "(--no-scheduler when a `qunzhu worker` does it)")

    out.print(f"[bold green]qunzhu console:[/] http://{host}:{port}/  (Ctrl+C to stop)")
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="qunzhu",
                       _quiet=True)
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)]
SchedulerOpt = Annotated[bool, typer.Option(
    help="Run scheduled reminders and campaign steps in this process.")]


def _parse_date(value: str | None, option: str = "--end") -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{option}: expected a date like 2026-11-26, got {value!r}") from exc


@app.command()
def up(host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
       demo: Annotated[bool, typer.Option(help="Load the demo community if empty.")] = True,
       serve: Annotated[bool, typer.Option(help="Start the console when ready.")] = True,
       threads: int = 8, scheduler: SchedulerOpt = True) -> None:
    """Set up everything and start: migrate, demo data if empty, first operator, console."""
    _setup_django()
    from django.conf import settings

    from qunzhu.community.models import Community

    out.print(f"data folder: {settings.DATA_DIR}")
    _migrate()
    if demo and not Community.objects.exists():
        out.print("loading the demo community 书香读书会 …")
        _load_demo(reset=False, seed=2026, end=date.today())
        from qunzhu.demo.load import demo_member_code

        member, code = demo_member_code()
        out.print(f"[bold]demo member[/] {escape(member)}: sign in on the member portal "
                  f"http://{host}:{port}/m/login/ with the code [cyan]{code}[/] "
                  "(valid 72 hours, once)")
    name, password = _ensure_first_operator()
    if password:
        out.print(f"[bold]operator created[/]  name: [cyan]{name}[/]  password: [cyan]{password}"
                  "[/]\n(shown once; reset with: qunzhu operator password "
                  f"{name})")
    else:
        out.print(f"operator: [cyan]{name}[/] (existing; reset the password with "
                  f"`qunzhu operator password {name}`)")
    if serve:
        _serve(host, port, threads, scheduler)


@app.command()
def demo(reset: Annotated[bool, typer.Option(help="Delete and rebuild the demo.")] = False,
         seed: Annotated[int, typer.Option(help="Random seed of the generator.")] = 2026,
         end: Annotated[str | None, typer.Option(
             help="Last day of the demo history (default: today).")] = None) -> None:
    """Load the demo reading community (书香读书会): four groups, six months, ~50k messages."""
    end_date = _parse_date(end)
    _setup_django()
    from qunzhu.demo.load import DEMO_SLUG, DemoExists

    _migrate()
    try:
        _load_demo(reset=reset, seed=seed, end=end_date)
    except DemoExists as exc:
        raise _fail(f"the demo community '{DEMO_SLUG}' already exists; "
                    "use `qunzhu demo --reset` to rebuild it") from exc


@app.command()
def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000, threads: int = 8,
          scheduler: SchedulerOpt = True) -> None:
    """Start the web console (the database must be set up: see `qunzhu up`)."""
    _setup_django()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise _fail("the database is not set up or out of date; run `qunzhu up` or "
                    "`qunzhu manage migrate` first")
    _serve(host, port, threads, scheduler)


@operator_app.command("create")
def operator_create(
        name: Annotated[str, typer.Argument(help="Login name of the new operator.")],
        community: Annotated[list[str] | None, typer.Option(
            "--community", "-c", help="Community slug to grant (repeatable).")] = None,
        role: Annotated[str, typer.Option(help="owner, manager or viewer.")] = "manager",
        password: Annotated[str | None, typer.Option(
            help="Password (default: generate one and print it).")] = None,
        superuser: Annotated[bool, typer.Option(
            help="Site administrator: sees every community.")] = False) -> None:
    """Create an operator and grant access to communities."""
    _setup_django()
    from django.contrib.auth.password_validation import ValidationError, validate_password
    from django.db import transaction

    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_create_operator, do_grant_access
    from qunzhu.community.models import Community, OperatorRole

    _migrate()
    if role not in OperatorRole.values:
        raise _fail(f"--role: expected one of {', '.join(OperatorRole.values)}, got {role!r}")
    slugs = community or []
    found = {c.slug: c for c in Community.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise _fail(f"no community with slug {', '.join(missing)}; existing: "
                    + (", ".join(Community.objects.values_list("slug", flat=True)) or "none"))
    new_password = password or secrets.token_urlsafe(12)
    try:
        validate_password(new_password)
    except ValidationError as exc:
        raise _fail("password: " + " ".join(exc.messages)) from exc
    actor = Actor.system("qunzhu operator create")
    try:
        with transaction.atomic():
            user = do_create_operator(actor, username=name, password=new_password,
                                      superuser=superuser)
            for slug in slugs:
                do_grant_access(actor, user, found[slug], role)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"operator [cyan]{name}[/] created"
              + (f", {role} of {', '.join(slugs)}" if slugs else ""))
    if not password:
        out.print(f"password: [cyan]{new_password}[/]")


@operator_app.command("password")
def operator_password(name: Annotated[str, typer.Argument(help="Login name.")],
                      password: Annotated[str | None, typer.Option(
                          help="New password (default: generate one).")] = None) -> None:
    """Set a new password for an operator and print it."""
    _setup_django()
    from django.contrib.auth import get_user_model

    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_set_operator_password

    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise _fail(f"no operator named {name!r}")
    new_password = password or secrets.token_urlsafe(12)
    do_set_operator_password(Actor.system("qunzhu operator password"), user, new_password)
    out.print(f"new password for [cyan]{name}[/]: [cyan]{new_password}[/]")


IMPORT_COMMUNITY = "imported"


def _import_community(slug: str | None) -> Any:
    """The community to import into; ``imported`` is created on first use."""
    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_create_community
    from qunzhu.community.models import Community

    wanted = slug or IMPORT_COMMUNITY
    community = Community.objects.filter(slug=wanted).first()
    if community is not None:
        return community
    if slug is not None:
        existing = ", ".join(Community.objects.values_list("slug", flat=True)) or "none"
        raise _fail(f"no community with slug {slug!r} (existing: {existing}); "
                    "leave out --community to import into 'imported'")
    err.print(f"creating community [cyan]{wanted}[/] for imports")
    return do_create_community(Actor.system("qunzhu import"), name="导入的聊天", slug=wanted)


def _print_import_results(results: list[Any], verbose: bool) -> None:
    table = Table(title="import summary")
    for column, justify in (("file", "left"), ("format", "left"), ("group", "left"),
                            ("added", "right"), ("dupes", "right"),
                            ("members", "right"), ("from", "left"), ("to", "left"),
                            ("bad lines", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for result in results:
        if result.failed and result.summary is None:
            table.add_row(escape(Path(result.label).name), result.format or "-",
                          "[red]not imported[/] (see below)", "-", "-", "-", "-", "-", "-")
            continue
        assert result.summary is not None
        groups = list(result.summary.groups.values()) or [None]
        for n, group in enumerate(groups):
            table.add_row(
                escape(Path(result.label).name) if n == 0 else "",
                result.format if n == 0 else "",
                escape(group.name) if group else "(no messages)",
                f"{group.added:,}" if group else "0",
                f"{group.duplicates:,}" if group else "0",
                f"{len(group.senders):,}" if group else "0",
                f"{group.first:%Y-%m-%d}" if group and group.first else "-",
                f"{group.last:%Y-%m-%d}" if group and group.last else "-",
                f"{result.skipped:,}" if n == 0 else "")
    out.print(table)
    for result in results:
        if result.failed:
            # a strict-mode stop already reads FILE:LINE: expected …, got …
            where = "" if result.failed.startswith(result.label + ":") \
                else f"{escape(result.label)}: "
            what = "not imported" if result.summary is None else "stopped midway"
            err.print(f"[red]{what}[/] {where}{escape(result.failed)}", soft_wrap=True)
        elif verbose and result.encoding:
            err.print(f"{escape(result.label)}: read as {escape(result.encoding)}",
                      soft_wrap=True)
        for error in result.errors[:5 if not verbose else None]:
            err.print(f"[yellow]bad line[/] {escape(error)}", soft_wrap=True)
        if result.skipped > len(result.errors[:5]) and not verbose:
            err.print(f"… {result.skipped} bad lines skipped in {escape(result.label)} in all "
                      "(use --strict to stop at the first)", soft_wrap=True)


@app.command("import")
def import_(
        paths: Annotated[list[Path], typer.Argument(
            help="Export files, folders or zip archives.", show_default=False)],
        community: Annotated[str | None, typer.Option(
            "--community", "-c", help="Community slug (default: 'imported').")] = None,
        group: Annotated[str | None, typer.Option(
            help="Group name to use instead of the one in the export.")] = None,
        format: Annotated[str, typer.Option(
            "--format", "-f", help="auto, or one of: whatsapp, telegram, discord, slack, "
            "qq, qce, wechat, irc.")] = "auto",
        tz: Annotated[str | None, typer.Option(
            help="Time zone of exports that write local times (default: the "
            "community's).")] = None,
        strict: Annotated[bool, typer.Option(
            help="Stop at the first bad line and keep nothing of that file.")] = False,
        year: Annotated[int | None, typer.Option(
            min=1970, max=2100, show_default=False,
            help="Year of the first line, for logs whose stamps have none "
            "(dircproxy '[14 Jan 12:37]').")] = None,
        verbose: Annotated[bool, typer.Option(
            "--verbose", "-v", help="Say which format was detected and why.")] = False,
        as_json: Annotated[bool, typer.Option(
            "--json", help="Print the summary as JSON (for scripts).")] = False,
        report: Annotated[bool, typer.Option(
            help="Update the community's health report afterwards.")] = True,
) -> None:
    """Import chat history from export files (format detected from content)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zone = None
    if tz:
        try:
            zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise _fail(f"--tz: {tz!r} is not a time zone (e.g. Asia/Shanghai)") from exc
    _setup_django()
    from qunzhu.audit.log import Actor
    from qunzhu.ingest.detect import parsers
    from qunzhu.ingest.service import ImportOptions, import_paths

    if format != "auto" and format not in parsers():
        raise _fail(f"--format: expected auto or one of {', '.join(sorted(parsers()))}, "
                    f"got {format!r}")
    _migrate()
    target = _import_community(community)
    options = ImportOptions(format=format, tz=zone, strict=strict, group_name=group,
                            year=year)
    started = datetime.now()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed:,.0f} messages"), TextColumn("{task.fields[rate]}"),
                  TimeElapsedColumn(), console=err) as progress:
        task = progress.add_task("import", total=None, rate="")

        def on_unit(detected: Any) -> None:
            progress.update(task, description=escape(Path(detected.unit.label).name[:40]))
            if verbose:
                progress.console.print(f"{escape(detected.unit.label)}: "
                                       f"[cyan]{detected.format}[/] — {escape(detected.reason)}")

        def on_progress(n: int) -> None:
            progress.advance(task, n)
            seconds = max((datetime.now() - started).total_seconds(), 1e-6)
            progress.update(task, rate=f"{progress.tasks[0].completed / seconds:,.0f} msg/s")

        results = import_paths(Actor.system("qunzhu import"), target, paths, options,
                               on_unit=on_unit, on_progress=on_progress)
    if as_json:
        import orjson

        sys.stdout.write(orjson.dumps([r.as_dict() for r in results],
                                      option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.print(f"into community [cyan]{target.slug}[/] ({target.name})")
        _print_import_results(results, verbose)
    every_unit_failed = bool(results) and all(r.failed for r in results)
    added = any(r.summary is not None and r.summary.added for r in results)
    if report and added:
        import gc

        from qunzhu.health.service import do_refresh

        del results
        gc.collect()  # the import's batches are garbage now; the report needs the room
        with err.status("updating the health report …"):
            stored = do_refresh(Actor.system("qunzhu import"), target, reason="import")
        if stored.error:
            err.print(f"[yellow]health report failed:[/] {escape(stored.error)}")
        else:
            err.print(f"health report updated ({stored.seconds:.1f} s): "
                      f"qunzhu report {target.slug}")
    if added:
        from qunzhu.governance.rulebook import do_enforce

        done = do_enforce(Actor.system("qunzhu import"), target)
        if done.findings:
            err.print(f"rules: {done.findings} findings, {done.strikes} strikes, "
                      f"{done.actions} outbox steps (qunzhu outbox list {target.slug})")
        from qunzhu.activities.challenges import recognise

        found = recognise(Actor.system("qunzhu import"), target)
        if found["recorded"]:
            err.print(f"check-ins: {found['recorded']} recognised in the new messages "
                      f"(qunzhu checkin list {target.slug})")
    if every_unit_failed:
        raise typer.Exit(1)


LANGS = ("zh-hans", "zh-hant", "en")


def _parse_weights(value: str | None) -> dict[str, float] | None:
    from qunzhu.core.health import ELEMENT_WEIGHTS

    if not value:
        return None
    weights = dict(ELEMENT_WEIGHTS)
    for part in value.split(","):
        name, _, number = part.partition("=")
        name = name.strip()
        if name not in weights:
            raise _fail(f"--weights: unknown element {name!r}; expected "
                        f"{', '.join(weights)} (e.g. output=2,interest=1)")
        try:
            weights[name] = float(number)
        except ValueError as exc:
            raise _fail(f"--weights: {part!r}: expected NAME=NUMBER") from exc
        if weights[name] < 0:
            raise _fail(f"--weights: {part!r}: weights cannot be negative")
    return weights


@app.command()
def report(
        community: Annotated[str, typer.Argument(help="Community slug.")],
        group: Annotated[list[str] | None, typer.Option(
            "--group", "-g", help="Only this group (by name; repeat for several).")] = None,
        since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
        until: Annotated[str | None, typer.Option(
            help="Last day, YYYY-MM-DD (default: the last message).")] = None,
        format: Annotated[str, typer.Option(
            "--format", "-f", help="text, json or html.")] = "text",
        out_file: Annotated[Path | None, typer.Option(
            "--out", "-o", help="Write to this file (html: default COMMUNITY-health.html).")
        ] = None,
        lang: Annotated[str, typer.Option(help="zh-hans, zh-hant or en.")] = "zh-hans",
        weights: Annotated[str | None, typer.Option(
            help="Element weights of the health score, e.g. output=2,replication=0.5.")] = None,
        replay: Annotated[str | None, typer.Option(
            help="daily, weekly or monthly: one row per day, Sunday or month end from "
                 "--since to --until, as the report of that day showed it (csv, json, text)."
        )] = None,
) -> None:
    """Group health by the playbook: stage, zombie risk, tiers, shape, five scores, actions."""
    if replay is not None:
        if replay not in ("daily", "weekly", "monthly"):
            raise _fail(f"--replay: expected daily, weekly or monthly, got {replay!r}")
        if format not in ("text", "json", "csv"):
            raise _fail(f"--format: a replay is text, json or csv, got {format!r}")
    elif format not in ("text", "json", "html"):
        raise _fail(f"--format: expected text, json or html, got {format!r}")
    if lang not in LANGS:
        raise _fail(f"--lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    element_weights = _parse_weights(weights)
    _setup_django()
    from zoneinfo import ZoneInfo

    from qunzhu.community.models import Community
    from qunzhu.health.service import compute

    _migrate()
    target = Community.objects.filter(slug=community).first()
    if target is None:
        known = ", ".join(Community.objects.values_list("slug", flat=True)) or "none yet"
        raise _fail(f"no community {community!r} (communities: {known})")
    chosen = None
    if group:
        by_name = {g.name: g for g in target.groups.all()}
        missing = [name for name in group if name not in by_name]
        if missing:
            raise _fail(f"--group: no group {', '.join(map(repr, missing))} in {target.slug} "
                        f"(groups: {', '.join(sorted(by_name)) or 'none'})")
        chosen = [by_name[name] for name in group]
    zone = ZoneInfo(target.time_zone)
    start = None
    if since:
        start = datetime.combine(_parse_date(since, "--since"), datetime.min.time(), zone)
    end = None
    if until:
        end = (datetime.combine(_parse_date(until, "--until"), datetime.min.time(), zone)
               + timedelta(days=1))
    if start and end and start >= end:
        raise _fail("--since must be before --until")
    if replay is not None:
        _replay(target, chosen, since, until, replay, format, out_file, lang,
                element_weights)
        return
    with err.status("reading messages …") as status:
        computed = compute(target, chosen, start, end, element_weights,
                           progress=lambda stage: status.update(
                               {"read": "reading messages …", "analyse": "analysing …"}[stage]))
        data = computed.as_dict(lang)
    timing = " · ".join(f"{k} {v:.2f} s" for k, v in computed.timings.items())
    err.print(f"{len(data['groups'])} group(s), {computed.messages:,} messages · {timing}")
    if format == "json":
        import orjson

        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
        if out_file:
            _write(out_file, text)
        else:
            sys.stdout.write(text)
    elif format == "html":
        from qunzhu.health.present import render_html

        path = out_file or Path(f"{target.slug}-health.html")
        _write(path, render_html(data, lang))
        out.print(f"wrote {escape(str(path))}")
    else:
        from qunzhu.health.text import print_report

        if out_file:
            file_console = Console(record=True, width=120, file=open(os.devnull, "w"))  # noqa: SIM115
            print_report(data, file_console, lang)
            _write(out_file, file_console.export_text())
        else:
            print_report(data, out, lang)


REPLAY_COLUMNS = ("day", "group", "stage", "risk", "warning", "overall", "active", "reason")


def _replay(target: Any, chosen: list[Any] | None, since: str | None, until: str | None,
            every: str, format: str, out_file: Path | None, lang: str,
            weights: dict[str, float] | None) -> None:
    """``report --replay``: one row per cut-off day and group (docs/health.md, "Replay")."""
    import csv
    import io

    from qunzhu.health.service import replay

    first = _parse_date(since, "--since") if since else None
    last = _parse_date(until, "--until") if until else None
    with err.status("replaying …") as status:
        rows = replay(target, chosen, first, last, every, lang, weights,
                      progress=lambda k, n: status.update(f"replaying: day {k} of {n} …"))
    if not rows:
        raise _fail("nothing to replay: no messages up to --until, or --since is after the "
                    "last message")
    err.print(f"{len(rows)} row(s)")
    if format == "json":
        import orjson

        text = orjson.dumps([r.as_dict() for r in rows], option=orjson.OPT_INDENT_2).decode()
        text += "\n"
    elif format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REPLAY_COLUMNS)
        for r in rows:
            writer.writerow([r.day, r.group, r.stage, f"{r.risk:.1f}",
                             "1" if r.warning else "0", r.overall, r.active, r.reason["text"]])
        text = buffer.getvalue()
    else:
        table = Table(*REPLAY_COLUMNS, box=None)
        for r in rows:
            table.add_row(r.day, escape(r.group), r.stage, f"{r.risk:.1f}",
                          "⚠" if r.warning else "", str(r.overall), str(r.active),
                          escape(r.reason["text"]))
        if out_file:
            file_console = Console(record=True, width=160, file=open(os.devnull, "w"))  # noqa: SIM115
            file_console.print(table)
            _write(out_file, file_console.export_text())
        else:
            out.print(table)
        return
    if out_file:
        _write(out_file, text)
    else:
        sys.stdout.write(text)


def _write(path: Path, text: str) -> None:
    """Write via a temporary file and rename: a failed write leaves no half file behind."""
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from exc


@people_app.command("suggest")
def people_suggest(community: Annotated[str, typer.Argument(help="Community slug.")]) -> None:
    """List people who are probably the same human (same folded name)."""
    _setup_django()
    from qunzhu.community.merges import merge_suggestions
    from qunzhu.community.models import Community

    target = Community.objects.filter(slug=community).first()
    if target is None:
        raise _fail(f"no community with slug {community!r}")
    suggestions = merge_suggestions(target)
    if not suggestions:
        out.print("no merge suggestions")
        return
    table = Table(title=f"merge suggestions in {target.slug}")
    table.add_column("keep")
    table.add_column("merge")
    table.add_column("why")
    for s in suggestions:
        table.add_row(str(s.person_ids[0]), " ".join(map(str, s.person_ids[1:])), s.reason)
    out.print(table)
    out.print("confirm one with: qunzhu people merge KEEP OTHER")


@people_app.command("merge")
def people_merge(keep: Annotated[int, typer.Argument(help="Person id to keep.")],
                 other: Annotated[int, typer.Argument(help="Person id merged into it.")],
                 reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")]
                 = "confirmed on the command line") -> None:
    """Merge person OTHER into person KEEP (identities and memberships move)."""
    _setup_django()
    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_merge_people
    from qunzhu.community.models import Person

    found = {p.pk: p for p in Person.objects.filter(pk__in=[keep, other])}
    missing = [str(pk) for pk in (keep, other) if pk not in found]
    if missing:
        raise _fail(f"no person with id {', '.join(missing)}")
    try:
        person = do_merge_people(Actor.system("qunzhu people merge"), found[keep],
                                 found[other], reason=reason)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    names = ", ".join(person.identities.values_list("display_name", flat=True))
    out.print(f"merged: person {person.pk} now has the accounts {names}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                               "help_option_names": []})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `qunzhu manage migrate`."""
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qunzhu manage", *ctx.args])


def main(argv: list[str] | None = None) -> Any:
    try:
        return app(args=argv)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except CliError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(1)
    except Exception as exc:
        from django.db.utils import OperationalError

        if isinstance(exc, OperationalError):
            err.print(f"[bold red]error:[/] cannot use the database: {exc}")
            sys.exit(1)
        raise


if __name__ == "__main__":
    main()
