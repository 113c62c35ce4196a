"""What templates need around the JSON report: translated names, chart labels, and the
self-contained HTML file (styles, ECharts and the chart script inlined: it opens offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


def names() -> dict[str, dict[str, str]]:
    return {
        "stage_names": {"launch": _("launch"), "burst": _("burst"), "plateau": _("plateau"),
                        "decline": _("decline"), "zombie": _("zombie"), "empty": _("empty")},
        "element_names": {"interest": _("common interest"), "structure": _("structure"),
                          "output": _("output"), "operations": _("operations"),
                          "replication": _("replication")},
        "tier_names": {"high": _("high"), "middle": _("middle"), "ordinary": _("ordinary"),
                       "lurker": _("lurker")},
        "signal_names": {"fall": _("fallen from the peak"),
                         "trend": _("falling active members"),
                         "near": _("near the zombie line"),
                         "concentration": _("talk on fewer people"),
                         "noise": _("ads, red envelopes, bots"),
                         "unanswered": _("newcomers unanswered"),
                         "owner_silent": _("owner silent")},
    }


def chart_labels() -> dict[str, Any]:
    n = names()
    return {
        "stages": n["stage_names"], "elements": n["element_names"], "tiers": n["tier_names"],
        "active": _("active members"), "smoothed": _("smoothed"),
        "zombie_line": _("zombie line"), "risk": _("risk"), "target": _("5/15/80"),
        "actual": _("this group"), "circle": _("circle"), "degree": _("degree"),
        "betweenness": _("betweenness"), "messages": _("messages"), "score": _("score"),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }


def context(data: dict[str, Any]) -> dict[str, Any]:
    return {"report": data, "chart_labels": chart_labels(), **names()}


def _asset(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(
            f"static file {path} is missing: run scripts/setup.sh to install the console's "
            "front-end assets")
    return Path(str(found)).read_text(encoding="utf-8")


def render_html(data: dict[str, Any], lang: str) -> str:
    """One offline HTML file of the report, in ``lang``."""
    with translation.override(lang):
        return render_to_string("health/report.html", {
            **context(data), "lang": lang,
            "css": _asset("qunzhu/console.css"), "echarts": _asset("qunzhu/vendor/echarts.min.js"),
            "script": _asset("qunzhu/health.js"),
        })
