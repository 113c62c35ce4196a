"""The `qunzhu` command in a subprocess, against its own data folder and database."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("command", [[], ["up"], ["demo"], ["serve"], ["operator", "create"],
                                     ["operator", "password"]])
def test_help_for_every_command(cli_env, command):
    result = run_cli(cli_env, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout


def test_up_without_serving_creates_database_and_first_operator(cli_env):
    first = run_cli(cli_env, "up", "--no-serve", "--no-demo")
    assert first.returncode == 0, first.stderr
    assert "operator created" in first.stdout
    assert "password:" in first.stdout
    second = run_cli(cli_env, "up", "--no-serve", "--no-demo")
    assert second.returncode == 0, second.stderr
    assert "existing" in second.stdout and "password:" not in second.stdout


def test_bad_input_gives_a_clear_error_not_a_traceback(cli_env):
    run_cli(cli_env, "up", "--no-serve", "--no-demo")
    unknown = run_cli(cli_env, "operator", "create", "bob", "--community", "nope")
    assert unknown.returncode == 1
    assert "no community with slug nope" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    bad_role = run_cli(cli_env, "operator", "create", "bob", "--role", "king")
    assert bad_role.returncode == 1 and "--role" in bad_role.stderr
    bad_date = run_cli(cli_env, "demo", "--end", "yesterday")
    assert bad_date.returncode == 1 and "expected a date" in bad_date.stderr
    no_user = run_cli(cli_env, "operator", "password", "ghost")
    assert no_user.returncode == 1 and "no operator named 'ghost'" in no_user.stderr


def test_serve_refuses_an_unset_database(cli_env):
    result = run_cli(cli_env, "serve", "--port", "1")
    assert result.returncode == 1
    assert "qunzhu up" in result.stderr


def test_demo_loads_refuses_twice_and_resets(cli_env):
    loaded = run_cli(cli_env, "demo", "--end", "2026-06-30")
    assert loaded.returncode == 0, loaded.stderr
    for name in ("书香读书会1群", "书香读书会2群", "书香读书会3群", "书香读书会4群"):
        assert name in loaded.stdout
    again = run_cli(cli_env, "demo", "--end", "2026-06-30")
    assert again.returncode == 1 and "--reset" in again.stderr
    reset = run_cli(cli_env, "demo", "--reset", "--end", "2026-06-30")
    assert reset.returncode == 0, reset.stderr
    count = run_cli(cli_env, "manage", "shell", "-v", "0", "-c",
                    "from qunzhu.community.models import Message, Community;"
                    "print(Community.objects.count(), Message.objects.count())")
    communities, messages = map(int, count.stdout.split())
    assert communities == 1
    assert 45_000 <= messages <= 55_000


def test_operator_create_grants_a_community(cli_env):
    run_cli(cli_env, "demo", "--end", "2026-06-30")
    created = run_cli(cli_env, "operator", "create", "bob", "-c", "reading-club",
                      "--role", "viewer")
    assert created.returncode == 0, created.stderr
    assert "password:" in created.stdout
    check = run_cli(cli_env, "manage", "shell", "-v", "0", "-c",
                    "from qunzhu.community.models import OperatorAccess as A;"
                    "a = A.objects.get(user__username='bob'); print(a.community.slug, a.role)")
    assert check.stdout.split() == ["reading-club", "viewer"]
    duplicate = run_cli(cli_env, "operator", "create", "bob")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_http(cli_env):
    run_cli(cli_env, "up", "--no-serve", "--no-demo")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "serve", "--port", str(port)],
                              env=cli_env, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert "登录" in body
        with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/static/qunzhu/vendor/htmx.min.js") as response:
            assert b"htmx" in response.read(200)
    finally:
        server.terminate()
        server.wait(timeout=10)
