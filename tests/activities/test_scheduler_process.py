"""The scheduler in a real `qunzhu worker` process against a real database: killed with
SIGKILL halfway through a backlog and started again, every job has run exactly once — no
step skipped, none posted twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import REPO, run_cli

SETUP = """
import django, datetime
django.setup()
from qunzhu.audit.log import Actor
from qunzhu.community.actions import do_create_community, do_create_group
from qunzhu.activities.challenges import do_create_challenge
a = Actor.system("test")
c = do_create_community(a, name="Backlog", slug="backlog")
g = do_create_group(a, c, name="1群", platform="wechat", external_key="g1")
start = datetime.date.today() + datetime.timedelta(days=2)
for i in range(6):
    do_create_challenge(a, c, title=f"c{i}", start=start, days=100, group=g, summary_at=None)
# a backlog: every reminder fell due while no worker ran
from django.db.models import F
from qunzhu.activities.models import Job
Job.objects.update(due=F("due") - datetime.timedelta(days=200))
"""


def _query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Read the worker's database directly (the test must not hold Django's connection)."""
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return list(conn.execute(sql).fetchall())
    path = Path(env["QUNZHU_DATA"]) / "qunzhu.sqlite3"
    with sqlite3.connect(path, timeout=30) as conn:
        return list(conn.execute(sql).fetchall())


def _done(env: dict[str, str]) -> int:
    return int(_query(env, "SELECT count(*) FROM activities_job WHERE status = 'done'")[0][0])


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "worker", *args], env=env,
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def test_worker_killed_midway_runs_every_job_exactly_once(cli_env):
    assert run_cli(cli_env, "manage", "migrate", "-v0").returncode == 0
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=REPO, capture_output=True,
                           text=True, env={**cli_env,
                                           "DJANGO_SETTINGS_MODULE": "qunzhu.settings"})
    assert setup.returncode == 0, setup.stderr
    total = int(_query(cli_env, "SELECT count(*) FROM activities_job")[0][0])
    assert total == 600

    worker = _worker(cli_env, "--interval", "0.2")
    deadline = time.monotonic() + 120
    while _done(cli_env) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(30)
    halfway = _done(cli_env)
    assert 20 <= halfway < total, "the worker must be killed with jobs still to run"

    again = _worker(cli_env, "--interval", "0.2")
    deadline = time.monotonic() + 300
    while _done(cli_env) < total and time.monotonic() < deadline:
        time.sleep(0.2)
    again.send_signal(signal.SIGTERM)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert "worker stopped" in err

    assert _done(cli_env) == total
    posted = _query(cli_env, "SELECT key, count(*) FROM governance_outboxaction "
                             "WHERE source = 'challenge' GROUP BY key")
    assert len(posted) == total
    assert {n for _key, n in posted} == {1}
    jobs = {k for (k,) in _query(cli_env, "SELECT key FROM activities_job")}
    assert {k for k, _n in posted} == jobs
    # and a third start finds nothing left to do
    once = run_cli(cli_env, "worker", "--once")
    assert once.returncode == 0 and once.stdout.strip() == ""
    assert int(_query(cli_env, "SELECT count(*) FROM governance_outboxaction")[0][0]) == total
