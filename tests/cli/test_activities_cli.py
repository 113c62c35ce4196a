"""`qunzhu checkin`, `qunzhu campaign`, `qunzhu jobs` and `qunzhu worker` on the demo, in a
subprocess: the demo's check-ins are recognised from its own "#打卡" messages and its
finished meet-up campaign has a retrospective whose figures match the stored messages."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import run_cli

COUNT = """
from qunzhu.activities.models import Campaign
from qunzhu.community.models import Message
from qunzhu.core.events import NON_SPEECH_KINDS
c = Campaign.objects.get(title="十月线下读书会")
print(Message.objects.filter(group__in=c.groups.all(), sent_at__gte=c.warmup,
      sent_at__lt=c.ignition).exclude(kind__in=[str(k) for k in NON_SPEECH_KINDS]).count())
"""


def test_checkins_and_campaigns_on_the_demo(cli_env, tmp_path):
    cli_env = {**cli_env, "COLUMNS": "200"}  # tables wide enough not to cut titles
    assert run_cli(cli_env, "demo", "--end", date.today().isoformat()).returncode == 0
    listed = run_cli(cli_env, "checkin", "list", "reading-club")
    assert listed.returncode == 0 and "21天共读打卡" in listed.stdout
    board = json.loads(run_cli(cli_env, "checkin", "board", "reading-club", "1",
                               "--json").stdout)
    assert board, "the demo's #打卡 messages are recognised as check-ins"
    assert board == sorted(board, key=lambda r: (-r["days"], -r["streak"], -r["longest"]))
    assert all(0 <= r["streak"] <= r["longest"] <= r["days"] <= 14 for r in board)
    again = run_cli(cli_env, "checkin", "recognise", "reading-club")
    assert again.returncode == 0 and " 0 new check-ins" in again.stdout

    member = str(board[0]["person"])
    refused = run_cli(cli_env, "checkin", "certificate", "reading-club", "1", member,
                      "-o", str(tmp_path / "c.pdf"))
    assert refused.returncode == 1 and "尚未完成" in refused.stderr  # the CLI speaks Chinese
    assert not (tmp_path / "c.pdf").exists()
    recorded = run_cli(cli_env, "checkin", "record", "reading-club", "1", member, "--makeup",
                       "99")
    assert recorded.returncode == 1 and "不在挑战" in recorded.stderr

    templates = run_cli(cli_env, "campaign", "templates", "--lang", "en")
    assert "red_envelope_rain" in templates.stdout and "meetup" in templates.stdout
    campaigns = run_cli(cli_env, "campaign", "list", "reading-club")
    assert "十月线下读书会" in campaigns.stdout and "新人欢迎周" in campaigns.stdout
    retro = json.loads(run_cli(cli_env, "campaign", "retro", "reading-club", "1",
                               "--json").stdout)
    warmup = next(p for p in retro["phases"] if p["phase"] == "warmup")
    counted = run_cli(cli_env, "manage", "shell", "-c", COUNT)
    assert warmup["messages"] == int(counted.stdout.split()[-1]) > 0
    assert warmup["lift"] == warmup["per_day"] / warmup["baseline_per_day"]
    assert retro["participant_count"] >= len(retro["participants"]) > 0
    assert all(m["met"] == (m["actual"] >= m["target"]) for m in retro["measures"]
               if m["actual"] is not None)
    bad = run_cli(cli_env, "campaign", "create", "reading-club", "--template", "nope",
                  "--start", "2026-12-01")
    assert bad.returncode == 1 and "meetup" in bad.stderr  # the known keys are listed

    jobs = run_cli(cli_env, "jobs", "reading-club", "--pending")
    assert jobs.returncode == 0 and "challenge.remind" in jobs.stdout
    once = run_cli(cli_env, "worker", "--once")
    assert once.returncode == 0
