"""Portal speed on the demo: p50 / p95 server time of each member page under a bounded load.

Loads the demo into a fresh data folder, picks the demo's most active member of the first
group, issues them a sign-in code, starts ``qunzhu serve`` on a free port and signs in over
HTTP. Then ``--workers`` threads (default 2: as many clients as this machine has cores,
the load generator sharing them with the server) fetch the member's pages round-robin for
``--seconds`` (default 20) against localhost. Server time is read from the
``Server-Timing`` header (Django's own time, no network); wall time per request is
printed beside it. Target from the portal issue: p95 server time < 100 ms.

Usage::

    .venv/bin/python bench/portal_bench.py [--workers 2] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETUP = """
import django
django.setup()
from django.db.models import Count
from qunzhu.audit.log import Actor
from qunzhu.community.models import Community, Person
from qunzhu.portal.services import do_issue_code
c = Community.objects.get(slug="reading-club")
g = c.groups.order_by("series_index", "pk").first()
p = (Person.objects.filter(memberships__group=g).annotate(n=Count("identities__messages"))
     .order_by("-n").first())
print(do_issue_code(Actor.system("bench"), p))
print(c.challenges.first().pk, c.chains.first().pk, c.sharing_series.first().pk,
      c.assignments.first().pk, c.proposals.first().number)
"""


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True,
                          text=True, check=True)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    env = {**os.environ, "QUNZHU_DATA": tempfile.mkdtemp(prefix="qunzhu-portal-bench-"),
           "DJANGO_SETTINGS_MODULE": "qunzhu.settings"}
    env.pop("DATABASE_URL", None)
    print("loading the demo …", flush=True)
    run(env, "-m", "qunzhu.cli", "demo", "--end", date.today().isoformat())
    code, ids = run(env, "-c", SETUP).split("\n")[:2]
    challenge, chain, series, task, proposal = ids.split()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "qunzhu.cli", "serve", "--port",
                               str(port), "--no-scheduler"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/m/login/").close()
                break
            except OSError:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(base + "/m/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, "no CSRF token on the sign-in page"
        body = urllib.parse.urlencode({"code": code.strip(),
                                       "csrfmiddlewaretoken": token.group(1)}).encode()
        opener.open(urllib.request.Request(base + "/m/login/", data=body,
                                           headers={"Referer": base + "/m/login/"}))
        slug = "/m/c/reading-club"
        pages = [f"{slug}/", f"{slug}/checkin/{challenge}/", f"{slug}/chain/{chain}/",
                 f"{slug}/sharing/{series}/", f"{slug}/homework/{task}/", f"{slug}/votes/",
                 f"{slug}/votes/{proposal}/", f"{slug}/me/", f"{slug}/profile/"]
        server_ms: dict[str, list[float]] = {p: [] for p in pages}
        wall_ms: dict[str, list[float]] = {p: [] for p in pages}
        sizes: dict[str, int] = {}
        stop = time.monotonic() + args.seconds
        lock = threading.Lock()

        def worker(offset: int) -> None:
            i = offset
            while time.monotonic() < stop:
                path = pages[i % len(pages)]
                i += 1
                start = time.perf_counter()
                with opener.open(base + path) as response:
                    body = response.read()
                    timing = response.headers.get("Server-Timing", "")
                wall = (time.perf_counter() - start) * 1000
                match = re.search(r"dur=([0-9.]+)", timing)
                with lock:
                    wall_ms[path].append(wall)
                    if match:
                        server_ms[path].append(float(match.group(1)))
                    sizes[path] = len(body)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(10)

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]

    print(f"{args.workers} workers × {args.seconds:g} s on {os.cpu_count()} cores, load "
          f"average {os.getloadavg()[0]:.2f}")
    print(f"{'page':42} {'n':>5} {'server p50':>11} {'server p95':>11} {'wall p95':>9} "
          f"{'bytes':>7}")
    every: list[float] = []
    for path in pages:
        s = server_ms[path]
        every.extend(s)
        print(f"{path:42} {len(s):5} {pct(s, 50):9.1f}ms {pct(s, 95):9.1f}ms "
              f"{pct(wall_ms[path], 95):7.1f}ms {sizes.get(path, 0):7}")
    print(f"{'all pages':42} {len(every):5} {pct(every, 50):9.1f}ms {pct(every, 95):9.1f}ms "
          f"(target p95 < 100 ms)")


if __name__ == "__main__":
    main()
