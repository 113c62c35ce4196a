"""`qunzhu rules`, `qunzhu invites` and `qunzhu outbox` against the demo, in a subprocess."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.django_db(transaction=True)


def test_rules_check_invites_and_outbox_on_the_demo(cli_env, tmp_path):
    end = date.today()
    assert run_cli(cli_env, "demo", "--end", end.isoformat()).returncode == 0

    # the advisory run previews every rule (all off in the demo) and changes nothing
    since = (end - timedelta(days=30)).isoformat()
    checked = run_cli(cli_env, "rules", "check", "reading-club", "--since", since, "--json",
                      "--lang", "en")
    assert checked.returncode == 0, checked.stderr
    data = json.loads(checked.stdout)
    rules = {r["rule_id"]: r for r in data["rules"]}
    assert rules["hard-ads"]["findings"] > 0  # the demo's groups get ads
    assert rules["quiet-hours"]["findings"] >= rules["quiet-hours"]["episodes"] > 0
    assert data["events"] > 1000
    assert "would have caught" in data["text"] and "ads" in data["text"]
    assert all(f["messages"] for f in data["findings"] if f["rule"] == "hard-ads")
    table = run_cli(cli_env, "rules", "check", "reading-club", "--since", since)
    assert table.returncode == 0 and "hard-ads" in table.stdout and "off" in table.stdout
    # enforcing does nothing while every rule is off: rules change only by a vote
    enforced = run_cli(cli_env, "rules", "enforce", "reading-club")
    assert enforced.returncode == 0 and "0 findings" in enforced.stdout

    # an invite with a QR code; a bad file name is refused before anything is created
    bad = run_cli(cli_env, "invites", "create", "reading-club", "--qr", str(tmp_path / "x.gif"))
    assert bad.returncode == 1 and "--qr" in bad.stderr and "Traceback" not in bad.stderr
    qr = tmp_path / "invite.png"
    made = run_cli(cli_env, "invites", "create", "reading-club", "--channel", "kol",
                   "--detail", "书评博主", "--uses", "50", "--qr", str(qr))
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[0]
    assert "/join/" + code in made.stdout
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    listed = run_cli(cli_env, "invites", "list", "reading-club")
    assert code in listed.stdout and "kol" in listed.stdout
    wrong = run_cli(cli_env, "invites", "create", "reading-club", "--channel", "tv")
    assert wrong.returncode == 1 and "tv" in wrong.stderr and "kol" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    # the demo's open vote put its announcement in every open group's outbox
    outbox = run_cli(cli_env, "outbox", "list", "reading-club", "--json")
    assert outbox.returncode == 0, outbox.stderr
    steps = json.loads(outbox.stdout)
    assert any(s["kind"] == "post" and "#1" in (s["reason"] or "") for s in steps)
