#!/usr/bin/env python3
"""Database outage drill: under a light load, stop PostgreSQL, then start it again.

While the database is down every request must fail fast with 503 (none slower than the
configured LIANXIN_DB_TIMEOUT_MS plus a margin, none a 500) and /readyz must answer 503.
Once PostgreSQL is back, the same service process (no restart) must answer 200 again
within seconds. Prints the figures; exits non-zero when a rule is broken.

    scripts/drills/outage.py [--binary target/release/lianxin] [--threads 4] [--down 8]
"""

from __future__ import annotations

import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drillkit import (PASSWORD, Postgres, Service, common_args, expect, find_binary, log,  # noqa: E402
                      login, request, workdir)

DB_TIMEOUT_MS = 2000
MARGIN_S = 0.5
RECOVERY_LIMIT_S = 10.0


class Load:
    """Threads that each loop over a read, a scoped read and a write, recording every answer."""

    def __init__(self, base: str, token: str, threads: int):
        self.base = base + "/api/v1"
        self.token = token
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


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--down", type=float, default=8.0, help="seconds PostgreSQL stays down")
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
        svc.cli("create-platform-admin", "--username", "city", stdin=PASSWORD + "\n")
        platform = login(svc.base, None, "city")
        expect(201, request("POST", svc.base + "/api/v1/tenants", platform, {
            "code": "outage", "name": "演练镇", "admin": {
                "username": "admin", "display_name": "管理员", "password": PASSWORD}}), "tenant")
        token = login(svc.base, "outage", "admin")

        with Load(svc.base, token, args.threads) as load:
            time.sleep(3)
            t_stop = time.monotonic()
            log("stopping PostgreSQL")
            pg.stop("fast")
            t_down = time.monotonic()
            time.sleep(1)
            ready = [request("GET", svc.base + "/readyz", timeout=30) for _ in range(3)]
            time.sleep(max(0.0, args.down - (time.monotonic() - t_down)))
            log("starting PostgreSQL")
            t_start = time.monotonic()
            pg.start()
            t_up = time.monotonic()
            recovered_at = None
            while time.monotonic() - t_up < 30:
                ok = [r for r in load.between(t_up, time.monotonic()) if r[1] in (200, 201)]
                if len(ok) >= args.threads * 3:
                    break
                time.sleep(0.05)
            time.sleep(2)
            t_end = time.monotonic()

        before = load.between(0, t_stop)
        during = load.between(t_down + 0.2, t_start)
        after = load.between(t_start, t_end)
        first_ok = min((r[0] for r in after if r[1] in (200, 201)), default=None)
        last_bad = max((r[0] for r in after if r[1] not in (200, 201)), default=None)
        recovered_at = first_ok
        ready_after = request("GET", svc.base + "/readyz", timeout=30)

        def summary(records: list) -> str:
            counts: dict[int, int] = {}
            for r in records:
                counts[r[1]] = counts.get(r[1], 0) + 1
            return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))

        slowest = max((r[2] for r in during), default=0.0)
        log(f"before the outage: {len(before)} requests ({summary(before)})")
        log(f"during the outage: {len(during)} requests ({summary(during)}), "
            f"slowest answer {slowest * 1000:.0f} ms (db timeout {DB_TIMEOUT_MS} ms)")
        log("readyz during the outage: " + ", ".join(f"{s} in {t * 1000:.0f} ms" for s, _, t in ready))
        recovery = (recovered_at - t_up) if recovered_at else None
        settle = (last_bad - t_up) if last_bad else 0.0
        log(f"PostgreSQL took {(t_up - t_start) * 1000:.0f} ms to start (pg_ctl start -w)")
        log(f"after the restart: {len(after)} requests ({summary(after)}); first success "
            f"{'never' if recovery is None else f'{recovery * 1000:.0f} ms'} after PostgreSQL was up, "
            f"last failure {settle * 1000:.0f} ms after (negative: before pg_ctl returned); "
            f"readyz {ready_after[0]}")

        if any(r[1] not in (200, 201) for r in before):
            failures.append("requests failed before the outage")
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
