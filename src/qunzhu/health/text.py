"""The terminal form of a health report (Rich), drawn from the JSON report."""

from __future__ import annotations

import math
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from qunzhu.core.health.reasons import render

from .present import names

STAGE_STYLE = {"zombie": "bold red", "decline": "yellow", "burst": "green", "launch": "cyan",
               "plateau": "white", "empty": "dim"}


def _labels() -> dict[str, Any]:
    """Headings and names in the active language: the console's own translations."""
    n = names()
    return {"group": _("Group"), "stage": _("Stage"), "risk": _("Risk"),
            "health": _("Health"), **n["element_names"], "next": _("What to do next"),
            "why": _("Why"), "tiers": _("Potential tiers against 5 / 15 / 80"),
            "shape": _("Link degree"), "noise": _("Noise"), "none": _("No noise found."),
            "top": _("Members"), "member": _("Member"), "tier": _("Tier"),
            "score": _("Score"), "messages": _("Messages"), "days": _("Active days"),
            "warning": _("warning"), "stages": n["stage_names"], "tiers_of": n["tier_names"]}


def _whole(value: float) -> str:
    """Rounded half up, as the console's ``floatformat`` and the HTML report show it (Python's
    own rounding goes to even: 22.5 would read 22 here and 23 there)."""
    return str(math.floor(value + 0.5))


def say(note: dict[str, Any], lang: str) -> str:
    return escape(render(note["code"], note.get("params") or {}, lang))


def print_report(data: dict[str, Any], console: Console, lang: str) -> None:
    with translation.override(lang):
        t = _labels()
    tiers = t["tiers_of"]
    summary = Table(title=escape(data["community"]["name"]), title_justify="left")
    for col in ("group", "stage", "risk", "health", "interest", "structure", "output",
                "operations", "replication"):
        if col in ("group", "stage"):
            summary.add_column(t[col], no_wrap=True)
        else:
            summary.add_column(t[col], justify="left" if col == "stage" else "right",
                               overflow="fold")
    for g in data["groups"]:
        stage = Text(t["stages"].get(g["stage"], g["stage"]), style=STAGE_STYLE.get(g["stage"], ""))
        risk = Text(f"{_whole(g['risk'])}" + (f" {t['warning']}" if g["warning"] else ""),
                    style="bold red" if g["warning"] else "")
        overall = "—" if g["overall"] is None else str(g["overall"])
        summary.add_row(escape(g["group"]["name"]), stage, risk, overall,
                        *("—" if e["score"] is None else str(e["score"]) for e in g["elements"]))
    console.print(summary)
    for g in data["groups"]:
        parts: list[Any] = []
        health = "—" if g["overall"] is None else g["overall"]
        head = (f"[{STAGE_STYLE.get(g['stage'], '')}]{t['stages'].get(g['stage'], g['stage'])}[/]"
                f" · {t['risk']} {_whole(g['risk'])} · {t['health']} {health}/100"
                f" · {g['period']['since'][:10]} – {g['period']['until'][:10]}")
        parts.append(head)
        for r in g["lifecycle"]["reasons"]:
            parts.append(say(r, lang))
        if g["actions"]:
            parts.append(f"\n[bold]{t['next']}[/]")
            parts.extend(f"  {i}. {say(a, lang)}" for i, a in enumerate(g["actions"][:6], 1))
        parts.append(f"\n[bold]{t['why']}[/]")
        for e in g["elements"]:
            tens = (e["score"] or 0) // 10
            bar = "█" * tens + "·" * (10 - tens)
            shown = "—" if e["score"] is None else e["score"]
            parts.append(f"  {t[e['code']]:<6} {bar} {shown:>3}  "
                         + (say(e["reasons"][0], lang) if e["reasons"] else ""))
        signals = [s for s in g["lifecycle"]["signals"] if s["value"] >= 0.3]
        for s in signals:
            parts.append(f"  ⚠ {say(s['reason'], lang)}")
        ti = g["tiers"]
        counts = ti["counts"]
        parts.append(f"\n[bold]{t['tiers']}[/]  "
                     f"{counts['high']} / {counts['middle']} / {counts['ordinary']}")
        parts.extend(f"  {say(r, lang)}" for r in ti["reasons"])
        parts.append(f"[bold]{t['shape']}[/]")
        parts.extend(f"  {say(r, lang)}" for r in g["graph"]["reasons"])
        findings = g["noise"]["findings"]
        parts.append(f"[bold]{t['noise']}[/]" + ("" if findings else f"  {t['none']}"))
        parts.extend(f"  {say(f['reason'], lang)}" for f in findings[:6])
        top = Table(box=None, pad_edge=False)
        for col in ("member", "tier", "score", "messages", "days"):
            top.add_column(t[col], justify="left" if col in ("member", "tier") else "right")
        for m in g["members"][:8]:
            top.add_row(escape(m["name"]), tiers[m["tier"]], f"{m['score']:.0f}",
                        str(m["messages"]), str(m["active_days"]))
        parts.append(f"[bold]{t['top']}[/]")
        console.print(Panel(Group(*[Text.from_markup(p) if isinstance(p, str) else p
                                    for p in parts], top),
                            title=escape(g["group"]["name"]), title_align="left"))
