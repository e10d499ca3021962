#!/usr/bin/env python3
"""Crash drill: no visit is lost or stored twice when the server dies mid-request.

Seeds a small township through the API, then several client threads (the leaders' phones)
send visits with ids they made themselves (UUID v7), one by one (POST /visits) and in
batches (POST /visits/batch), while the server is killed with SIGKILL several times and
restarted. A client resends every visit, unchanged, until it gets a 2xx for it. Afterwards
the database must hold exactly the visits sent, with the content sent:

    sent N, stored N, lost 0, duplicated 0

    scripts/drills/crash.py [--binary target/release/lianxin] [--visits 3000] [--kills 5]
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from drillkit import Postgres, Service, Township, common_args, find_binary, log, request, workdir  # noqa: E402

METHODS = ["door", "phone", "group", "other"]


def uuid7() -> str:
    """A UUID v7, as a phone makes one offline: 48 bits of milliseconds, then random bits."""
    ms = int(time.time() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


class Phone(threading.Thread):
    """One leader's phone: makes `count` visits and uploads each until the server takes it."""

    def __init__(self, base: str, leader: dict, count: int, batch: int, seed: int, pace: float = 0.0):
        super().__init__(daemon=True)
        self.base = base + "/api/v1"
        self.leader = leader
        self.rng = random.Random(seed)
        self.queue = [self.make_visit() for _ in range(count)]
        self.batch = batch
        self.pace = pace
        self.sent: dict[str, dict] = {v["id"]: v for v in self.queue}
        self.retries = 0
        self.errors: list[str] = []

    def make_visit(self) -> dict:
        when = datetime.now(timezone.utc) - timedelta(minutes=self.rng.randint(10, 60 * 24 * 20))
        visit_id = uuid7()
        return {"id": visit_id, "household_id": self.rng.choice(self.leader["households"]),
                "visited_at": when.isoformat(timespec="seconds"), "method": self.rng.choice(METHODS),
                "summary": f"演练走访 {visit_id}", "acquainted": self.rng.random() < 0.1,
                "joined_group": self.rng.random() < 0.05}

    def upload(self, visits: list[dict]) -> list[dict]:
        """Sends once; returns the visits still not taken."""
        token = self.leader["token"]
        if len(visits) == 1:
            status, body, _ = request("POST", self.base + "/visits", token, visits[0], timeout=30)
            if status in (200, 201):
                return []
            if status not in (0, 503):
                self.errors.append(f"POST /visits answered {status}: {body}")
            return visits
        status, body, _ = request("POST", self.base + "/visits/batch", token, {"visits": visits}, timeout=60)
        if status != 200:
            if status not in (0, 503):
                self.errors.append(f"POST /visits/batch answered {status}: {body}")
            return visits
        left = []
        for visit, result in zip(visits, body["results"]):
            if result["status"] not in (200, 201):
                if result["status"] != 503:
                    self.errors.append(f"batch item answered {result}")
                left.append(visit)
        return left

    def run(self) -> None:
        while self.queue:
            size = 1 if self.rng.random() < 0.5 else self.rng.randint(2, self.batch)
            chunk, self.queue = self.queue[:size], self.queue[size:]
            while chunk:
                chunk = self.upload(chunk)
                if chunk:
                    self.retries += 1
                    time.sleep(0.05 + self.rng.random() * 0.1)
            # A phone syncs now and then, not in a tight loop; the pacing also spreads the
            # uploads over the kills.
            time.sleep(self.pace * self.rng.random() * 2)


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--visits", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--batch", type=int, default=10, help="largest batch a phone sends")
    parser.add_argument("--pace", type=float, default=0.02, help="mean pause between a phone's uploads (s)")
    args = parser.parse_args()
    binary = find_binary(args.binary)
    work = workdir("crash", args.keep)
    pg = Postgres(work, args.database_url)
    svc = Service(binary, pg.url, work)
    try:
        svc.cli("migrate")
        svc.start()
        town = Township(svc, micro_grids=args.threads, households_per_micro_grid=8)
        log(f"township seeded: {len(town.leaders)} leaders, {len(town.households)} households")
        per_phone = args.visits // args.threads
        phones = [Phone(svc.base, leader, per_phone + (1 if i < args.visits % args.threads else 0),
                        args.batch, seed=i, pace=args.pace) for i, leader in enumerate(town.leaders)]
        began = time.monotonic()
        for phone in phones:
            phone.start()
        kills, restart_times = 0, []
        while kills < args.kills and any(p.is_alive() for p in phones):
            time.sleep(random.uniform(0.4, 1.2))
            svc.kill()
            kills += 1
            time.sleep(random.uniform(0.1, 0.5))
            restart_times.append(svc.start())
            log(f"SIGKILL {kills}: restarted in {restart_times[-1] * 1000:.0f} ms")
        for phone in phones:
            phone.join()
        elapsed = time.monotonic() - began
        sent = {vid: v for p in phones for vid, v in p.sent.items()}
        rows = pg.query("SELECT id, summary, leader_id, household_id FROM visits").splitlines()
        stored_ids = [row.split("|")[0] for row in rows]
        stored = set(stored_ids)
        lost = set(sent) - stored
        extra = stored - set(sent)
        duplicated = len(stored_ids) - len(stored)
        by_id = {row.split("|")[0]: row.split("|") for row in rows}
        leader_of = {vid: leader["id"] for leader, p in zip(town.leaders, phones) for vid in p.sent}
        altered = [vid for vid in set(sent) & stored
                   if by_id[vid][1] != sent[vid]["summary"] or by_id[vid][3] != sent[vid]["household_id"]
                   or by_id[vid][2] != leader_of[vid]]
        errors = [e for p in phones for e in p.errors]
        log(f"{kills} SIGKILLs in {elapsed:.1f} s; {sum(p.retries for p in phones)} uploads retried; "
            f"restarts took {', '.join(f'{t * 1000:.0f}' for t in restart_times)} ms")
        print(f"sent {len(sent)}, stored {len(stored_ids)}, lost {len(lost)}, duplicated {duplicated}"
              + (f", unexpected {len(extra)}" if extra else "")
              + (f", altered {len(altered)}" if altered else ""), flush=True)
        for e in errors[:10]:
            log("unexpected answer:", e)
        ok = (not lost and not extra and duplicated == 0 and not altered and not errors
              and kills == args.kills and len(stored_ids) == len(sent))
        if kills < args.kills:
            log(f"only {kills} kills happened before the phones were done: raise --visits")
    finally:
        svc.stop()
        pg.close()
    log("crash drill " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
