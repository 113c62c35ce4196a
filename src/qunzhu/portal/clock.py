"""The portal's clock: the real time, shifted by ``QUNZHU_CLOCK_SHIFT_DAYS`` days.

A shift exists for demonstrations and end-to-end tests ("check in on three days" in a real
browser against a real server); production leaves it unset. Only what a member does through
the portal reads this clock; the console, the scheduler and imports keep the real time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone


def now() -> datetime:
    return timezone.now() + timedelta(days=float(getattr(settings, "CLOCK_SHIFT_DAYS", 0)))
