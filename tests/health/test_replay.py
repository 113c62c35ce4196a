"""Issue 15 on real groups with known fates (../shared/data/groups): the replay equals the
report of each day, the period runs to its end, the warning stays on through the zombie
stage, no owner is made up, and a healthy help channel is not told to split.

Each test failed before its fix (noted per test).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from qunzhu.audit.log import Actor
from qunzhu.community.actions import do_create_community, do_create_operator, do_grant_access
from qunzhu.community.models import Community
from qunzhu.core.health.schema import group_dict
from qunzhu.health.present import names
from qunzhu.health.service import compute, do_refresh, replay
from qunzhu.ingest.service import ImportOptions, import_paths
from tests.conftest import cli_environment, run_cli
from tests.ingest.fixtures import SHARED

GROUPS = SHARED / "groups"
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not (GROUPS / "truth.tsv").exists(),
                                 reason="../shared/data/groups not checked out")]
UTC = ZoneInfo("UTC")
ROTTERDAM = "gitter/fcc-gitter-Rotterdam.json"  # dying; zombie_from 2015-10-26 (truth.tsv)


def _community(*units: str, slug: str = "dev", tz: str = "UTC") -> Community:
    actor = Actor.system("test_replay")
    community = do_create_community(actor, name=slug, slug=slug, time_zone=tz)
    for unit in units:
        results = import_paths(actor, community, [GROUPS / unit], ImportOptions(tz=UTC))
        # two of #yocto's 365 daily pages are empty files, reported as such
        assert results and not [r for r in results if r.failed
                                and r.failed != "the file is empty"]
    return community


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)


def test_replay_rows_equal_the_report_of_each_day() -> None:
    community = _community(ROTTERDAM)
    rows = replay(community, every="weekly", lang="en")
    assert len(rows) >= 30
    assert all(date.fromisoformat(r.day).weekday() == 6 for r in rows[:-1])
    for row in rows[::7] + rows[-1:]:
        computed = compute(community, until=_day_end(date.fromisoformat(row.day)))
        (gh, _group), = computed.groups
        report = group_dict(gh, "en")
        assert (row.stage, row.risk, row.warning, row.overall) == (
            report["stage"], report["risk"], report["warning"], report["overall"]), row.day
        assert row.reason == report["top_reason"]


def test_the_warning_stays_on_through_the_zombie_stage() -> None:
    # before: the warning was switched off in zombie weeks, so a dead group never showed one
    rows = replay(_community(ROTTERDAM))
    zombie = [r for r in rows if r.stage == "zombie"]
    assert zombie and all(r.warning for r in zombie)
    onset = date.fromisoformat(zombie[0].day)
    warned = [r for r in rows if r.warning]
    assert date.fromisoformat(warned[0].day) <= onset
    assert date.fromisoformat(warned[0].day) < date(2015, 10, 26), "ahead of zombie_from"


def test_the_period_runs_to_its_end_with_its_silent_days() -> None:
    # Rotterdam's last message before its long silence is in October 2015; a report until
    # 2015-12-31 covers weeks where nobody spoke. Before: the days stopped at the last message
    # and "activity on 100 % of days" was scored.
    community = _community(ROTTERDAM)
    until = date(2015, 12, 31)
    (gh, _), = compute(community, until=_day_end(until)).groups
    assert gh.activity.days[-1] == until.isoformat()
    assert gh.activity.messages_per_day[-28:] == (0,) * 28
    operations = next(e for e in gh.elements if e.code == "operations")
    assert operations.parts["rhythm"] == 0.0
    assert gh.lifecycle.weeks[-1] > "2015-12-20"


def test_console_and_cli_judge_a_group_as_of_the_same_day() -> None:
    # two groups that ended at different times: the stored report (console) and a report of
    # one group (CLI --group) both judge the older group as of the community's last message.
    # Before: the CLI ended that group's period at its own last message.
    community = _community(ROTTERDAM, "gitter/fcc-gitter-YouTube.json")
    stored = do_refresh(Actor.system("test_replay"), community, reason="test")
    by_name = {g["group"]["name"]: g for g in stored.data["groups"]}
    rotterdam = community.groups.get(name__icontains="Rotterdam")
    (gh, _), = compute(community, [rotterdam]).groups
    console = by_name[rotterdam.name]
    assert (console["stage"], console["risk"]) == (gh.lifecycle.stage, gh.lifecycle.current_risk)
    assert console["period"]["until"][:10] == "2016-09-17"  # YouTube's last message


def test_no_owner_is_made_up_where_the_export_names_none() -> None:
    # before: the top speaker of the first four weeks was taken as the owner, and "owner
    # silent 300 days" weighed on healthy weeks; a missing manager part scored 50
    community = _community("gitter/fcc-gitter-python.json")
    (gh, _), = compute(community).groups
    owner = next(s for s in gh.lifecycle.signals if s.code == "owner_silent")
    assert owner.value == 0 and owner.note.code == "risk.owner_unknown"
    structure = next(e for e in gh.elements if e.code == "structure")
    assert structure.parts["managers"] is None
    codes = [n.code for n in structure.notes]
    assert "score.owner_likely" in codes and "score.no_data" in codes
    likely = next(n for n in structure.notes if n.code == "score.owner_likely")
    assert "likely" in likely.text("en")


def test_a_busy_healthy_help_channel_is_not_told_to_split() -> None:
    # #yocto: a median of 64 speakers a week all year. Before: "split the group: N > 40"
    community = _community("irc-yocto-2015")
    (gh, _), = compute(community).groups
    active = next(e for e in gh.elements if e.code == "replication").notes[0].params["active"]
    assert active > 40
    assert not [a for a in gh.actions if a.code in ("do.split", "do.split_symptoms")]
    assert not gh.lifecycle.warned and gh.lifecycle.stage != "zombie"


def test_cli_replay_prints_csv_and_json(tmp_path: Any) -> None:
    with cli_environment(tmp_path) as env:
        env["QUNZHU_TIME_ZONE"] = "UTC"
        done = run_cli(env, "import", str(GROUPS / ROTTERDAM), "--no-report")
        assert done.returncode == 0, done.stderr
        csv_out = run_cli(env, "report", "imported", "--replay", "weekly", "--format", "csv",
                          "--since", "2015-09-01", "--until", "2015-11-30", "--lang", "en")
        assert csv_out.returncode == 0, csv_out.stderr
        lines = csv_out.stdout.strip().splitlines()
        assert lines[0] == "day,group,stage,risk,warning,overall,active,reason"
        days = [line.split(",")[0] for line in lines[1:]]
        assert days[0] == "2015-09-06" and days[-1] == "2015-11-30"
        as_json = run_cli(env, "report", "imported", "--replay", "weekly", "--format", "json",
                          "--until", "2015-11-30")
        rows = json.loads(as_json.stdout)
        same_day = [r for r in rows if r["day"] == "2015-10-25"]
        until = run_cli(env, "report", "imported", "--until", "2015-10-25", "--format", "json")
        (group,) = json.loads(until.stdout)["groups"]
        assert same_day[0]["stage"] == group["stage"] and same_day[0]["risk"] == group["risk"]
        bad = run_cli(env, "report", "imported", "--replay", "hourly")
        assert bad.returncode == 1 and "--replay" in bad.stderr
        late = run_cli(env, "report", "imported", "--replay", "weekly", "--since", "2017-01-01")
        assert late.returncode == 1 and "nothing to replay" in late.stderr


def test_the_console_period_control_means_what_since_and_until_mean(client: Any) -> None:
    community = _community(ROTTERDAM)
    actor = Actor.system("test_replay")
    user = do_create_operator(actor, username="reader", password="s3cret-pass-word")
    do_grant_access(actor, user, community)
    client.force_login(user)
    group = community.groups.get()
    url = reverse("console:group-health", args=[community.slug, group.pk])
    page = client.get(url, {"until": "2015-09-20"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    (gh, _), = compute(community, until=_day_end(date(2015, 9, 20))).groups
    assert "History 2015-07-23 – 2015-09-20" in html
    with translation.override("en"):
        stage = names()["stage_names"][gh.lifecycle.stage]
    assert f'<strong data-testid="stage">{stage}</strong>' in html
    assert "Whole history" in html
    bad = client.get(url, {"since": "2015-13-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_a_group_climbing_back_from_silence_far_below_its_peak_is_no_burst() -> None:
    # Seattle's room, December 2015: silent for weeks, then 6 and 9 speakers, still under half
    # of its peak of 12.75 a week. Before: "burst 爆发期", the stage of a group taking off.
    community = _community("gitter/fcc-gitter-Seattle.json")
    (gh, _), = compute(community, until=_day_end(date(2015, 12, 6))).groups
    life = gh.lifecycle
    assert life.active[-4:] == (0, 0, 6, 9), "growing from nothing"
    assert life.smoothed[-1] < 0.5 * life.peak
    assert life.stage != "burst"


def test_daily_reports_of_one_week_agree_and_one_group_sees_the_others() -> None:
    # New York time, two rooms. Before: windows ended at each report's end, so the warning of
    # the YouTube room came and went from one day to the next (on at risk 35.5 on a Monday,
    # off the Tuesday); a report of one group lost the other groups' evidence.
    community = _community(ROTTERDAM, "gitter/fcc-gitter-YouTube.json", slug="ny",
                           tz="America/New_York")
    youtube = community.groups.get(name__icontains="YouTube")
    daily = [r for r in replay(community, since=date(2016, 5, 1), until=date(2016, 6, 30),
                               every="daily") if r.group_id == youtube.pk]
    by_week: dict[date, set[tuple[str, float, bool]]] = {}
    for r in daily:
        day = date.fromisoformat(r.day)
        sunday = day - timedelta(days=(day.weekday() + 1) % 7)
        by_week.setdefault(sunday, set()).add((r.stage, r.risk, r.warning))
    assert len(by_week) >= 8 and all(len(v) == 1 for v in by_week.values()), by_week
    alone = replay(community, [youtube], since=date(2016, 5, 1), until=date(2016, 6, 30),
                   every="daily")
    assert [(r.day, r.stage, r.risk, r.warning, r.overall) for r in alone] == [
        (r.day, r.stage, r.risk, r.warning, r.overall) for r in daily]
    assert replay(community, since=date(2017, 1, 1)) == []
