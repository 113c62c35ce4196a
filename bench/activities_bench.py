"""Activities' hot paths: judging check-in messages, the scheduler's tick, and a campaign's
figures.

1. ``judge``: N messages (default 200,000; a third carry "#打卡" in its half-width,
   full-width or Traditional forms, some too short) judged against a 21-day challenge —
   what ``recognise`` does per message after every import.
2. ``scheduler.tick``: J jobs (default 2,000 challenge reminders, all due) run in a fresh
   SQLite database (a temporary data folder): claim, post to the outbox, mark done, each
   in its own transaction — what ``qunzhu worker`` does after a long stop.
3. ``phase_figures`` + ``top_posts`` over M messages (default 100,000) of one campaign.

Usage::

    .venv/bin/python bench/activities_bench.py [--messages N] [--jobs J] [--figures M]

No anchor: no other tool we could run here does these (the issue names none).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from qunzhu.core.activities import campaign, checkin  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")


def bench_judge(n: int) -> None:
    rng = random.Random(7)
    spec = checkin.ChallengeSpec(start=date(2026, 12, 1), days=21, zone=SHANGHAI,
                                 min_length=4)
    texts = []
    for i in range(n):
        r = rng.random()
        if r < 0.12:
            texts.append(f"#打卡 第{i % 21 + 1}天 今天读了《活着》{rng.randint(5, 60)}页")
        elif r < 0.22:
            texts.append(f"＃打卡 第{i % 21 + 1}天 讀了兩章，很感動")
        elif r < 0.33:
            texts.append("#打卡 第3天")
        else:
            texts.append(rng.choice(["哈哈哈", "明天见", "这本书推荐给大家 https://b.example",
                                     "有人读过《百年孤独》吗？", "👍"]))
    start = time.perf_counter()
    counted = sum(checkin.judge(spec, t).counts for t in texts)
    seconds = time.perf_counter() - start
    print(f"judge: {n:,} messages in {seconds:.2f} s = {n / seconds:,.0f} messages/s "
          f"({counted:,} count as check-ins)")


def bench_tick(jobs: int) -> None:
    folder = tempfile.mkdtemp(prefix="qunzhu-bench-")
    os.environ["QUNZHU_DATA"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qunzhu.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import F

    from qunzhu.activities import challenges, scheduler
    from qunzhu.activities.models import Job
    from qunzhu.audit.log import Actor
    from qunzhu.community.actions import do_create_community, do_create_group

    call_command("migrate", verbosity=0)
    actor = Actor.system("bench")
    community = do_create_community(actor, name="Bench", slug="bench")
    group = do_create_group(actor, community, name="1群", platform="wechat",
                            external_key="g1")
    per = 100
    for i in range(max(1, jobs // per)):
        challenges.do_create_challenge(actor, community, title=f"c{i}",
                                       start=date.today() + timedelta(days=2), days=per,
                                       group=group, summary_at=None)
    Job.objects.update(due=F("due") - timedelta(days=400))
    total = Job.objects.count()
    start = time.perf_counter()
    ran = scheduler.tick()
    seconds = time.perf_counter() - start
    print(f"scheduler.tick: {len(ran):,} of {total:,} due jobs in {seconds:.2f} s = "
          f"{len(ran) / seconds:,.0f} jobs/s (SQLite, each job its own transaction)")


def bench_figures(m: int) -> None:
    rng = random.Random(11)
    warmup = datetime(2026, 11, 1, tzinfo=UTC)
    phases = campaign.Phases(warmup, warmup + timedelta(days=7), warmup + timedelta(days=8),
                             warmup + timedelta(days=11))
    base = warmup - timedelta(days=28)
    span = (phases.end - base).total_seconds()
    msgs = [campaign.Msg(id=i, at=base + timedelta(seconds=rng.random() * span),
                         sender=rng.randint(1, 400), kind="join" if rng.random() < 0.01
                         else "text", reply_to=rng.randint(0, i) if i and rng.random() < 0.3
                         else None, length=rng.randint(1, 80), group=1) for i in range(m)]
    start = time.perf_counter()
    figures = campaign.phase_figures(msgs, phases)
    top = campaign.top_posts(msgs, phases.warmup, phases.end)
    seconds = time.perf_counter() - start
    print(f"campaign figures: {m:,} messages in {seconds:.2f} s = {m / seconds:,.0f} "
          f"messages/s ({sum(f.messages for f in figures):,} in the campaign, top post "
          f"{top[0].replies if top else 0} replies)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=2_000)
    parser.add_argument("--figures", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    bench_judge(args.messages)
    bench_figures(args.figures)
    bench_tick(args.jobs)


if __name__ == "__main__":
    main()
