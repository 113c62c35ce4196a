"""Fixtures every activities test uses: English messages, an operator, a group."""

from __future__ import annotations

import pytest
from django.utils import translation

from qunzhu.audit.log import Actor
from tests.governance import make_group


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


@pytest.fixture
def actor(operator):  # type: ignore[no-untyped-def]
    return Actor.operator(operator)


@pytest.fixture
def group(community, system_actor):  # type: ignore[no-untyped-def]
    return make_group(system_actor, community)
