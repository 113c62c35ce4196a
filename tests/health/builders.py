"""Small hand-built histories whose right answers are known."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from qunzhu.core.events import ChatEvent, MessageKind, Platform

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, 20:00 in Shanghai


class Chat:
    """Write a group's history message by message; ``events`` for the analysis."""

    def __init__(self, group: str = "g", start: datetime = START) -> None:
        self.group = group
        self.now = start
        self.events: list[ChatEvent] = []
        self._n = 0

    def say(self, who: str, text: str = "hello there", *, reply_to: str = "",
            mentions: Iterable[str] = (), kind: MessageKind = MessageKind.TEXT,
            after: timedelta = timedelta(minutes=1)) -> str:
        self.now += after
        self._n += 1
        mid = f"m{self._n}"
        self.events.append(ChatEvent(
            Platform.TELEGRAM, self.group, self.group, who, who, self.now, kind, text, mid,
            reply_to, tuple(mentions)))
        return mid

    def join(self, who: str, after: timedelta = timedelta(minutes=1)) -> None:
        self.say(who, f"{who} joined", kind=MessageKind.JOIN, after=after)

    def at(self, when: datetime) -> Chat:
        self.now = when
        return self


def star(n: int = 12, rounds: int = 5) -> Chat:
    """One hub; everyone else talks only with the hub."""
    chat = Chat()
    for _ in range(rounds):
        for i in range(1, n):
            q = chat.say(f"m{i}", "a question for the hub about this week's book")
            chat.say("hub", "an answer", reply_to=q)
        chat.now += timedelta(hours=20)
    return chat


def ring(n: int = 12, rounds: int = 5) -> Chat:
    """Each member talks with the next one around a circle, nobody in the middle."""
    chat = Chat()
    for _ in range(rounds):
        for i in range(n):
            q = chat.say(f"m{i}", "what did you think of chapter three")
            chat.say(f"m{(i + 1) % n}", "I liked it", reply_to=q)
            chat.now += timedelta(hours=1)
        chat.now += timedelta(hours=12)
    return chat


def weekly_curve(active: list[int], group: str = "g") -> Chat:
    """Week k has ``active[k]`` distinct speakers, each posting once on the week's Tuesday."""
    chat = Chat(group)
    for week, count in enumerate(active):
        day = START + timedelta(weeks=week, days=1)
        chat.at(day)
        for i in range(count):
            chat.say(f"u{i}", "still here and reading", after=timedelta(minutes=3))
    return chat
