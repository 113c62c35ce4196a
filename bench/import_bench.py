"""Import speed: qunzhu against whatstk, chat-miner and a regex + SQLite floor.

Generates a realistic WhatsApp Android export (default 1,000,000 messages, 500 senders,
Chinese and English, multi-line messages, media placeholders, system lines), then runs,
each in its own process so that peak memory is measured per contender:

* ``qunzhu``     ``qunzhu import FILE`` into a fresh SQLite data folder: detect, parse, fold
                 for search, resolve identities and memberships, store (the whole import);
* ``whatstk``    ``whatstk.df_from_whatsapp`` (parsing into a DataFrame only);
* ``chat-miner`` ``chatminer.chatparsers.WhatsAppParser`` (parsing into a DataFrame only);
* ``floor``      one compiled regex over the lines and one-transaction SQLite insert of
                 (time, sender, text): the least any importer that stores messages must do.

Usage::

    .venv/bin/pip install -e '.[bench]'     # whatstk and chat-miner
    .venv/bin/python bench/import_bench.py [--messages N] [--only qunzhu,floor]

Prints one table (messages/s, seconds, peak RSS, qunzhu's ratio to each). Targets from the
import issue: qunzhu ≥ 3× both libraries, ≥ 50 % of the floor, peak RSS ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("QUNZHU_BENCH_CACHE", Path(tempfile.gettempdir()) / "qunzhu-bench"))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
FIRST = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Iris", "Jack",
         "Kai", "Lena", "Max", "Nora", "Oscar", "Paula", "Quinn", "Rosa", "Sam", "Tom"]
LAST = ["Schmidt", "Garcia", "Smith", "Müller", "Rossi", "Dubois", "Kim", "Tanaka", "Silva"]
ZH = ["今天的分享太有收获了", "明天晚上八点开会，大家记得准时参加",
      "这个问题我也遇到过，可以试试重启",
      "收到", "谢谢群主！", "有没有人一起报名周末的线下活动？", "打卡第3天 #21天阅读", "哈哈哈哈",
      "链接发一下 https://example.com/article/123", "我觉得可以先从小范围试点开始", "👍👍",
      "早上好☀️", "同意楼上的看法", "这本书推荐给大家：《原则》"]
EN = ["good morning everyone", "see you at the meetup on Saturday", "thanks for sharing!",
      "does anyone have the slides from yesterday?", "+1", "I'll post the summary tonight",
      "great question, let me check", "lol", "welcome to the group 🎉", "done ✅"]


def generate(path: Path, messages: int, senders: int = 500, seed: int = 7) -> None:
    """Write a WhatsApp Android export ("M/D/YY, HH:MM - Name: text")."""
    rng = random.Random(seed)
    names: list[str] = []
    while len(names) < senders:
        if rng.random() < 0.6:
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in names:
            names.append(name)
    weights = [1 / (i + 1) ** 0.9 for i in range(senders)]  # a few talk a lot
    ts = datetime(2023, 1, 1, 8, 0)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as out:
        written = 0
        while written < messages:
            ts += timedelta(seconds=rng.choice((5, 20, 40, 60, 60, 120, 300)))
            stamp = f"{ts.month}/{ts.day}/{ts.year % 100:02d}, {ts:%H:%M} - "
            sender = rng.choices(names, weights)[0]
            roll = rng.random()
            if roll < 0.002:
                out.write(f"{stamp}{sender} joined using this group's invite link\n")
            elif roll < 0.03:
                out.write(f"{stamp}{sender}: <Media omitted>\n")
            else:
                pool = ZH if rng.random() < 0.6 else EN
                lines = [rng.choice(pool) for _ in range(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 3)))]
                out.write(f"{stamp}{sender}: " + "\n".join(lines) + "\n")
            written += 1
    tmp.rename(path)


QUNZHU = """
import sys, time
from qunzhu.cli import main
t = time.perf_counter()
try:
    # parse and store only: the health report that an import refreshes afterwards is
    # timed by bench/report_bench.py (the user's whole path)
    main(["import", sys.argv[1], "--json", "--no-report"])
except SystemExit as exc:
    if exc.code:
        raise
print("SECONDS", time.perf_counter() - t, file=sys.stderr)
"""

WHATSTK = """
import sys, time
from whatstk import df_from_whatsapp
t = time.perf_counter()
df = df_from_whatsapp(sys.argv[1], hformat="%m/%d/%y, %H:%M - %name:", max_size=None)
print("SECONDS", time.perf_counter() - t, file=sys.stderr)
print("COUNT", len(df), file=sys.stderr)
"""

CHATMINER = """
import sys, time, logging
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser
t = time.perf_counter()
p = WhatsAppParser(sys.argv[1])
p.parse_file()
df = p.parsed_messages.get_df()
print("SECONDS", time.perf_counter() - t, file=sys.stderr)
print("COUNT", len(df), file=sys.stderr)
"""

FLOOR = """
import re, sqlite3, sys, time
t = time.perf_counter()
header = re.compile(r"(\\d{1,2})/(\\d{1,2})/(\\d{2}), (\\d{2}):(\\d{2}) - ([^:]+): ")
db = sqlite3.connect(sys.argv[2])
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, sent_at TEXT, sender TEXT, text TEXT)")
def rows():
    cur = None
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            m = header.match(line)
            if m:
                if cur:
                    yield cur
                mo, d, y, hh, mm, sender = m.groups()
                cur = [f"20{y}-{int(mo):02d}-{int(d):02d} {hh}:{mm}", sender, line[m.end():-1]]
            elif cur:
                cur[2] += "\\n" + line[:-1]
    if cur:
        yield cur
with db:
    db.executemany("INSERT INTO m (sent_at, sender, text) VALUES (?, ?, ?)", rows())
n = db.execute("SELECT count(*) FROM m").fetchone()[0]
print("SECONDS", time.perf_counter() - t, file=sys.stderr)
print("COUNT", n, file=sys.stderr)
"""

# the floor again, but storing into qunzhu's own message table (its indexes: the unique
# (group, key) that makes imports idempotent, (group, time), identity; AUTOINCREMENT ids; the
# JSON check): what the schema alone costs, with no identity, key or folding work
FLOOR_SCHEMA = """
import os, re, sqlite3, sys, time
t = time.perf_counter()
header = re.compile(r"(\\d{1,2})/(\\d{1,2})/(\\d{2}), (\\d{2}):(\\d{2}) - ([^:]+): ")
db = sqlite3.connect(os.path.join(os.environ["QUNZHU_DATA"], "qunzhu.sqlite3"))
db.execute("PRAGMA journal_mode=WAL")
def rows():
    cur = None
    n = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            m = header.match(line)
            if m:
                if cur:
                    yield cur
                n += 1
                mo, d, y, hh, mm, sender = m.groups()
                cur = [f"20{y}-{int(mo):02d}-{int(d):02d} {hh}:{mm}:00", "text",
                       line[m.end():-1], "", f"t{n:x}", "", "[]"]
            elif cur:
                cur[2] += "\\n" + line[:-1]
    if cur:
        yield cur
with db:
    db.executemany("INSERT INTO community_message (group_id, sent_at, kind, text, text_folded,"
                   " key, reply_to_key, mentions) VALUES (1, ?, ?, ?, ?, ?, ?, ?)", rows())
n = db.execute("SELECT count(*) FROM community_message").fetchone()[0]
print("SECONDS", time.perf_counter() - t, file=sys.stderr)
print("COUNT", n, file=sys.stderr)
"""

CONTENDERS = {"qunzhu": QUNZHU, "whatstk": WHATSTK, "chat-miner": CHATMINER, "floor": FLOOR,
              "floor+schema": FLOOR_SCHEMA}


def tree_rss(pid: int) -> int:
    """Resident memory (kB) of a process and its descendants (qunzhu's parsing worker)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_rss(int(child))
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return total


def run(name: str, code: str, export: Path, workdir: Path) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB of the process and its children together, stderr) of one
    contender in its own process."""
    env = {**os.environ, "QUNZHU_DATA": str(workdir / "data")}
    if name in ("qunzhu", "floor+schema"):  # migrate first: the import is timed, not that
        subprocess.run([sys.executable, "-m", "qunzhu.cli", "manage", "migrate", "-v0"],
                       env=env, check=True)
    proc = subprocess.Popen([sys.executable, "-c", code, str(export), str(workdir / "floor.db")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.05)
    reader.join()
    err = "".join(chunks)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{err[-2000:]}")
    seconds = float(err.split("SECONDS", 1)[1].split()[0])
    return seconds, peak / 1024, err


def stored_count(workdir: Path) -> int:
    import sqlite3
    with sqlite3.connect(workdir / "data" / "qunzhu.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM community_message").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--only", default=",".join(CONTENDERS))
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    export = CACHE / f"whatsapp-{args.messages}.txt"
    if not export.exists():
        print(f"generating {export} …", flush=True)
        generate(export, args.messages)
    size_mb = export.stat().st_size / 1e6
    print(f"export: {args.messages:,} messages, {size_mb:.0f} MB, 500 senders "
          f"({datetime.now():%Y-%m-%d}, Python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    rows = {}
    for name in args.only.split(","):
        workdir = Path(tempfile.mkdtemp(prefix=f"qunzhu-bench-{name}-"))
        try:
            seconds, rss, err = run(name, CONTENDERS[name], export, workdir)
            count = stored_count(workdir) if name == "qunzhu" else \
                int(err.split("COUNT", 1)[1].split()[0])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        rows[name] = (count, seconds, count / seconds, rss)
        print(f"  {name:<12} {count:>10,} msgs {seconds:8.1f} s {count / seconds:>10,.0f} msg/s"
              f" {rss:7.0f} MB", flush=True)
    if "qunzhu" in rows:
        q = rows["qunzhu"][2]
        print("\nqunzhu against each (messages/s ratio; target ≥ 3× libraries, ≥ 0.5× floor):")
        for name, (_c, _s, rate, _r) in rows.items():
            if name != "qunzhu":
                print(f"  vs {name:<12} {q / rate:5.2f}×")
        print(f"  peak RSS {rows['qunzhu'][3]:.0f} MB, importer and parsing worker together"
              " (target ≤ 500 MB)")


if __name__ == "__main__":
    main()
