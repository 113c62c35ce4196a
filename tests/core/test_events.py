"""ChatEvent: immutable, validated, with stable time-ordered content keys."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from qunzhu.core.events import ChatEvent, MessageKind, Platform

SH = ZoneInfo("Asia/Shanghai")


def event(minute: int = 0, text: str = "你好") -> ChatEvent:
    return ChatEvent(Platform.WECHAT, "g@chatroom", "读书会", "wxid_a", "小明",
                     datetime(2024, 3, 1, 20, minute, tzinfo=SH), text=text)


def test_events_are_immutable_and_copy_with_replace() -> None:
    original = event()
    with pytest.raises(AttributeError):
        original.text = "改了"  # type: ignore[misc]
    changed = original._replace(text="改了")
    assert (original.text, changed.text) == ("你好", "改了")
    assert changed.kind is MessageKind.TEXT and changed.mentions == ()
    assert pickle.loads(pickle.dumps(original)) == original


def test_events_need_an_aware_time_and_a_group() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ChatEvent(Platform.QQ, "g", "g", "1", "a", datetime(2024, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="group_key"):
        ChatEvent(Platform.QQ, "", "g", "1", "a", datetime(2024, 1, 1, tzinfo=SH))


def test_content_keys_are_stable_distinct_and_sort_by_time() -> None:
    first, later = event(0), event(5)
    assert first.content_key() == event(0).content_key()  # same message, same key
    assert first.content_key(0) != first.content_key(1)  # identical messages kept apart
    assert first.content_key() != event(0, text="你好!").content_key()
    # the same instant written in another zone is the same message
    utc = first._replace(timestamp=first.timestamp.astimezone(ZoneInfo("UTC")))
    assert utc.content_key() == first.content_key()
    assert first.content_key() < later.content_key()
    assert event(0)._replace(timestamp=first.timestamp + timedelta(days=400)).content_key() \
        > later.content_key()
