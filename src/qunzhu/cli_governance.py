"""``qunzhu rules``, ``qunzhu invites`` and ``qunzhu outbox``: governance from the terminal."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

rules_app = typer.Typer(help="Preview the rulebook over imported history; enforce it.",
                        no_args_is_help=True)
invites_app = typer.Typer(help="Invite codes, links and QR codes.", no_args_is_help=True)
outbox_app = typer.Typer(help="The chat-side steps waiting for an operator.",
                         no_args_is_help=True)

LANGS = ("zh-hans", "zh-hant", "en")
Slug = Annotated[str, typer.Argument(help="Community slug.")]


def _community(slug: str) -> Any:
    from qunzhu.cli import _fail, _setup_django

    _setup_django()
    from qunzhu.community.models import Community

    found = Community.objects.filter(slug=slug).first()
    if found is None:
        raise _fail(f"no community with slug {slug!r}")
    return found


def _day(value: str | None, option: str, zone: Any, end: bool = False) -> datetime | None:
    from qunzhu.cli import _parse_date

    if not value:
        return None
    day = _parse_date(value, option)
    moment = datetime.combine(day, time.min, tzinfo=zone)
    return moment + timedelta(days=1) if end else moment


@rules_app.command("check")
def rules_check(
        community: Slug,
        since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
        until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
        enabled_only: Annotated[bool, typer.Option(
            "--enabled-only", help="Only the rules switched on (default: every rule).")] = False,
        rule: Annotated[list[str] | None, typer.Option(
            "--rule", "-r", help="Only this rule id (repeat for several).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
        examples: Annotated[int, typer.Option(help="Example findings per rule.")] = 3,
        lang: Annotated[str, typer.Option(help="zh-hans, zh-hant or en.")] = "zh-hans",
) -> None:
    """Advisory run: what the rulebook would have caught in the stored history."""
    from qunzhu.cli import _fail, err, out

    if lang not in LANGS:
        raise _fail(f"--lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    target = _community(community)
    from qunzhu.governance.rulebook import advisory

    start = _day(since, "--since", target.zone)
    end = _day(until, "--until", target.zone, end=True)
    if start and end and start >= end:
        raise _fail("--since must be before --until")
    with err.status("reading messages and applying the rules …"):
        preview = advisory(target, since=start, until=end, include_disabled=not enabled_only,
                           only=rule or None)
    summary = preview.summary
    if as_json:
        data = summary.to_dict()
        data["text"] = summary.text(lang)
        data["seconds"] = round(preview.seconds, 3)
        data["findings"] = [{"rule": f.rule_id, "group": preview.group_name(f.group_key),
                             "sender": f.sender_name, "at": f.at.isoformat(),
                             "messages": list(f.evidence), "text": f.text(lang)}
                            for f in preview.findings]
        out.print_json(orjson.dumps(data, default=str).decode())
        return
    book = preview.book
    out.print(summary.text(lang))
    table = Table()
    for column in ("rule", "on", "findings", "members", "episodes"):
        table.add_column(column, justify="left" if column in ("rule", "on") else "right")
    for r in summary.rules:
        this = book.rule(r.rule_id)
        table.add_row(r.rule_id, "on" if this and this.enabled else "off", str(r.findings),
                      str(r.members), str(r.episodes))
    out.print(table)
    for r in summary.rules:
        for f in r.examples[:examples]:
            out.print(f"[bold]{r.rule_id}[/] {f.at.astimezone(target.zone):%Y-%m-%d %H:%M} "
                      f"{escape(preview.group_name(f.group_key))} · {escape(f.text(lang))}",
                      highlight=False)
    err.print(f"{summary.events} messages in {preview.seconds:.1f} s; nothing was changed")


@rules_app.command("enforce")
def rules_enforce(community: Slug) -> None:
    """Apply the rules switched on to messages not judged yet: findings, strikes, outbox."""
    target = _community(community)
    from qunzhu.audit.log import Actor
    from qunzhu.cli import out
    from qunzhu.governance.rulebook import do_enforce

    done = do_enforce(Actor.system("qunzhu rules enforce"), target)
    out.print(f"{done.messages} new messages: {done.findings} findings, {done.strikes} "
              f"strikes, {done.actions} outbox steps, {len(done.proposals or [])} removal "
              "proposals")


@invites_app.command("create")
def invites_create(
        community: Slug,
        group: Annotated[str | None, typer.Option(
            "--group", "-g", help="Group name (default: the next open group, a 活码).")] = None,
        inviter: Annotated[int | None, typer.Option(help="Person id of the inviter.")] = None,
        channel: Annotated[str, typer.Option(
            help="own_platform, peer, content, offline, kol, member or other.")] = "own_platform",
        detail: Annotated[str, typer.Option(help="e.g. the shop or the KOL.")] = "",
        uses: Annotated[int | None, typer.Option(help="How many times it may be used.")] = None,
        expires: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
        qr: Annotated[Path | None, typer.Option(
            help="Write the QR code here (.png or .svg).")] = None,
) -> None:
    """Create an invite code and print its link (and write its QR code)."""
    from qunzhu.cli import _fail, _write_bytes, out

    if qr is not None and qr.suffix.lower() not in (".png", ".svg"):
        raise _fail(f"--qr: expected a .png or .svg file name, got {str(qr)!r}")
    target = _community(community)
    from qunzhu.audit.log import Actor
    from qunzhu.governance.errors import GovernanceError
    from qunzhu.governance.gates import do_create_invite, invite_url, qr_code

    chosen = None
    if group:
        chosen = target.groups.filter(name=group).first()
        if chosen is None:
            raise _fail(f"--group: no group named {group!r} in {target.slug}")
    person = None
    if inviter is not None:
        person = target.people.filter(pk=inviter).first()
        if person is None:
            raise _fail(f"--inviter: no person {inviter} in {target.slug}")
    try:
        invite = do_create_invite(Actor.system("qunzhu invites create"), target, group=chosen,
                                  inviter=person, channel=channel, channel_detail=detail,
                                  expires=_day(expires, "--expires", target.zone, end=True),
                                  max_uses=uses)
    except GovernanceError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"{invite.code}  {invite_url(invite)}")
    if qr is not None:
        _write_bytes(qr, qr_code(invite, qr.suffix.lower().lstrip(".")))
        out.print(f"QR code written to {qr}")


@invites_app.command("list")
def invites_list(community: Slug) -> None:
    """Every invite with its group, inviter, channel and uses."""
    target = _community(community)
    from qunzhu.cli import out
    from qunzhu.governance.gates import invite_url

    table = Table()
    for column in ("code", "group", "inviter", "channel", "used", "expires", "link"):
        table.add_column(column)
    for i in target.invites.select_related("group", "inviter"):
        table.add_row(i.code, i.group.name if i.group else "(next open group)",
                      i.inviter.display_name if i.inviter else "", i.channel,
                      f"{i.uses}/{i.max_uses}" if i.max_uses else str(i.uses),
                      "revoked" if i.revoked else (f"{i.expires:%Y-%m-%d}" if i.expires else ""),
                      invite_url(i))
    out.print(table)


@outbox_app.command("list")
def outbox_list(community: Slug, as_json: Annotated[bool, typer.Option(
        "--json", help="JSON instead of text.")] = False) -> None:
    """The steps waiting to be done in the chat groups."""
    target = _community(community)
    from qunzhu.cli import out
    from qunzhu.governance.models import ActionStatus

    items = list(target.outbox.filter(status=ActionStatus.PENDING).select_related("group"))
    if as_json:
        out.print_json(orjson.dumps([{
            "id": a.pk, "kind": a.kind, "group": a.group.name if a.group else None,
            "target": a.target_name, "text": a.text, "reason": a.reason, "source": a.source,
            "message": a.message_key, "duration_s": a.duration_s} for a in items]).decode())
        return
    if not items:
        out.print("the outbox is empty")
    for a in items:
        out.print(f"[bold]#{a.pk} {a.kind}[/] {escape(a.group.name if a.group else '')} "
                  f"{escape(a.target_name)} — {escape(a.reason)}")
        if a.text:
            out.print(escape(a.text), highlight=False)
