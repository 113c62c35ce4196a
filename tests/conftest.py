"""Shared fixtures: communities, operators, events, and isolated environments for the CLI."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core.events import ChatEvent, MessageKind, Platform

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parent.parent


def make_event(
    n: int,
    *,
    sender: str = "wxid_a",
    name: str = "阿明",
    group: str = "g1@chatroom",
    group_name: str = "测试群",
    kind: MessageKind = MessageKind.TEXT,
    text: str | None = None,
    start: datetime | None = None,
    message_id: str | None = None,
    reply_to: str = "",
    mentions: tuple[str, ...] = (),
) -> ChatEvent:
    start = start or datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)
    return ChatEvent(
        platform=Platform.WECHAT,
        group_key=group,
        group_name=group_name,
        sender_key=sender,
        sender_name=name,
        timestamp=start + timedelta(minutes=n),
        kind=kind,
        text=f"第{n}条消息" if text is None else text,
        message_id=f"m{n}" if message_id is None else message_id,
        reply_to=reply_to,
        mentions=mentions,
    )


@pytest.fixture
def system_actor():  # type: ignore[no-untyped-def]
    from qunzhu.audit.log import Actor

    return Actor.system("test")


@pytest.fixture
def community(db, system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.community.actions import do_create_community

    return do_create_community(system_actor, name="读书会", slug="books")


@pytest.fixture
def other_community(db, system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.community.actions import do_create_community

    return do_create_community(system_actor, name="跑步群", slug="runners")


@pytest.fixture
def operator(db, community, system_actor):  # type: ignore[no-untyped-def]
    from qunzhu.community.actions import do_create_operator, do_grant_access

    user = do_create_operator(system_actor, username="alice", password="s3cret-pass-word")
    do_grant_access(system_actor, user, community, "manager")
    return user


@pytest.fixture
def operator_client(client, operator):  # type: ignore[no-untyped-def]
    client.force_login(operator)
    return client


@contextmanager
def cli_environment(folder: Path) -> Iterator[dict[str, str]]:
    """Environment for running `qunzhu` in a subprocess against its own fresh database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["QUNZHU_DATA"] = str(folder / "data")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = os.environ.get("DATABASE_URL")
    dbname = None
    if url:
        import psycopg

        dbname = f"qunzhu_cli_{secrets.token_hex(4)}"
        parts = urlsplit(url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{dbname}"))
    try:
        yield env
    finally:
        if url and dbname:
            import psycopg

            with psycopg.connect(
                urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with cli_environment(tmp_path) as env:
        yield env


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qunzhu.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
