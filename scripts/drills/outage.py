#!/usr/bin/env python3
"""Database outage drill: under a light load, stop PostgreSQL, then start it again.

While the database is down every request must fail fast with 503 (none slower than the
configured LIANXIN_DB_TIMEOUT_MS plus a margin, none a 500) and /readyz must answer 503; a
request must have been sent and answered during the outage, or the drill fails too.
Once PostgreSQL is back, the same service process (no restart) must answer 200 again
within seconds. Prints the figures; exits non-zero when a rule is broken.

    scripts/drills/outage.py [--binary target/release/lianxin] [--threads 4] [--down 8]
"""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drillkit import (PASSWORD, Postgres, Service, Township, common_args, find_binary, log,  # noqa: E402
                      request, workdir)

DB_TIMEOUT_MS = 2000
MARGIN_S = 0.5
RECOVERY_LIMIT_S = 10.0


class Load:
    """Threads that each loop over a read, a scoped read and two writes (a user, a visit),
    recording every answer."""

    def __init__(self, base: str, token: str, households: list[str], threads: int):
        self.base = base + "/api/v1"
        self.token = token
        self.households = households
        self.records: list[tuple[float, int, float, str]] = []  # (ended, status, seconds, what)
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self) -> None:
        while self.running:
            for what, method, path, body in (
                ("me", "GET", "/me", None),
                ("users", "GET", "/users?per_page=5", None),
                ("create user", "POST", "/users", {
                    "username": f"u{uuid.uuid4().hex[:10]}", "display_name": "演练",
                    "role": "leader", "password": PASSWORD}),
                ("record visit", "POST", "/visits", {
                    "id": str(uuid.uuid4()), "household_id": random.choice(self.households),
                    "visited_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60)),
                    "method": "door", "summary": "演练走访"}),
            ):
                status, _, seconds = request(method, self.base + path, self.token, body, timeout=30)
                with self.lock:
                    self.records.append((time.monotonic(), status, seconds, what))
                time.sleep(0.02)

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        for t in self.threads:
            t.join()

    def between(self, start: float, end: float) -> list[tuple[float, int, float, str]]:
        with self.lock:
            return [r for r in self.records if start <= r[0] < end]



def outage(pg: Postgres, svc: Service, load: Load, mode: str, args) -> list[str]:
    """One outage: `stop` (pg_ctl stop -m fast, later start) or `freeze` (SIGSTOP to every
    PostgreSQL process, later SIGCONT: the database hangs instead of refusing, as behind a
    network partition)."""
    failures: list[str] = []
    time.sleep(3)
    t_stop = time.monotonic()
    log(f"PostgreSQL: {mode}")
    pg.stop("fast") if mode == "stop" else pg.freeze()
    t_down = time.monotonic()
    time.sleep(1)
    ready = [request("GET", svc.base + "/readyz", timeout=30) for _ in range(3)]
    time.sleep(max(0.0, args.down - (time.monotonic() - t_down)))
    log("PostgreSQL: " + ("start" if mode == "stop" else "thaw"))
    t_start = time.monotonic()
    pg.start() if mode == "stop" else pg.thaw()
    t_up = time.monotonic()
    while time.monotonic() - t_up < 30:
        ok = [r for r in load.between(t_up, time.monotonic()) if r[1] in (200, 201)]
        if len(ok) >= args.threads * 3:
            break
        time.sleep(0.05)
    time.sleep(2)
    t_end = time.monotonic()

    before = load.between(t_stop - 2, t_stop)
    # Answers while PostgreSQL was out, of requests sent after it went.
    during = [r for r in load.between(t_down, t_start) if r[0] - r[2] > t_down]
    after = load.between(t_start, t_end)
    first_ok = min((r[0] for r in after if r[1] in (200, 201)), default=None)
    last_bad = max((r[0] for r in after if r[1] not in (200, 201)), default=None)
    ready_after = request("GET", svc.base + "/readyz", timeout=30)
    slowest = max((r[2] for r in during), default=0.0)
    recovery = (first_ok - t_up) if first_ok else None
    settle = (last_bad - t_up) if last_bad else 0.0
    went = (t_down - t_stop) * 1000
    back = (t_up - t_start) * 1000
    log(f"[{mode}] before: {len(before)} requests in 2 s ({summary(before)}); "
        f"PostgreSQL went in {went:.0f} ms, came back in {back:.0f} ms")
    log(f"[{mode}] during: {len(during)} requests ({summary(during)}), slowest answer "
        f"{slowest * 1000:.0f} ms (db timeout {DB_TIMEOUT_MS} ms); readyz "
        + ", ".join(f"{s} in {t * 1000:.0f} ms" for s, _, t in ready))
    log(f"[{mode}] after: {len(after)} requests ({summary(after)}); first success "
        f"{'never' if recovery is None else f'{recovery * 1000:.0f} ms'} after PostgreSQL was back, "
        f"last failure {settle * 1000:.0f} ms after (negative: before it was back); "
        f"readyz {ready_after[0]}")

    if any(r[1] not in (200, 201) for r in before):
        failures.append("requests failed before the outage")
    # Without answers during the outage the rules below hold for nothing. (Frozen, each
    # request waits out the db timeout, so a few answers are all there are.)
    if not during:
        failures.append("no request was sent and answered during the outage: nothing shows "
                        "that requests fail fast")
    wrong = [r for r in during if r[1] != 503]
    if wrong:
        failures.append(f"{len(wrong)} answers during the outage were not 503: {summary(wrong)} "
                        f"({sorted(set(r[3] for r in wrong))})")
    if slowest > DB_TIMEOUT_MS / 1000 + MARGIN_S:
        failures.append(f"slowest answer {slowest:.2f} s exceeds the db timeout")
    if any(s != 503 for s, _, _ in ready):
        failures.append("readyz did not say 503 during the outage")
    if recovery is None or settle > RECOVERY_LIMIT_S:
        failures.append("the service did not recover by itself")
    if ready_after[0] != 200:
        failures.append("readyz did not say 200 after the outage")
    return [f"[{mode}] {f}" for f in failures]


def summary(records: list) -> str:
    counts: dict[int, int] = {}
    for r in records:
        counts[r[1]] = counts.get(r[1], 0) + 1
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--down", type=float, default=8.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--mode", choices=["stop", "freeze", "both"], default="both")
    args = parser.parse_args()
    if args.database_url:
        sys.exit("the outage drill stops PostgreSQL, so it runs a cluster of its own (no --database-url)")
    binary = find_binary(args.binary)
    work = workdir("outage", args.keep)
    pg = Postgres(work, None)
    svc = Service(binary, pg.url, work, {"LIANXIN_DB_TIMEOUT_MS": str(DB_TIMEOUT_MS)})
    failures: list[str] = []
    try:
        svc.cli("migrate")
        svc.start()
        town = Township(svc, "outage", micro_grids=2, households_per_micro_grid=5)

        with Load(svc.base, town.admin, town.households, args.threads) as load:
            for mode in (["stop", "freeze"] if args.mode == "both" else [args.mode]):
                failures += outage(pg, svc, load, mode, args)
                time.sleep(1)
        other = [r for r in load.records if r[1] >= 500 and r[1] != 503]
        if other:
            failures.append(f"{len(other)} answers were a 5xx other than 503: {summary(other)} "
                            f"({sorted(set(r[3] for r in other))}); see service.log")
    finally:
        svc.stop()
        pg.close()
    for f in failures:
        log("FAILED:", f)
    log("outage drill " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
