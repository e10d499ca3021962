#!/usr/bin/env python3
"""Citus drill: the service on a coordinator and two workers, townships on different workers.

Starts three PostgreSQL servers from the installed binaries with the Citus extension (a
coordinator and two workers, each on a port and in a folder of its own; as root they run as
`postgres`), adds the workers, runs `lianxin migrate` against the coordinator and serves from it.
Then, in order:

1. placement: every tenant-owned table distributed by tenant_id and colocated, `tenants` a
   reference table, policies in force on the workers (a worker-side query as the service's
   role without the tenant setting sees no rows; with it, that township's rows only);
2. the demo township (新埭镇) and a second township are on different workers, and each one's
   statistics (summary and breakdowns, read through the API) equal what a single plain
   PostgreSQL server answers for the same rows;
3. the second township's shards move to the other worker (citus_move_shard_placement, a
   logical move: force_logical) while its leaders' phones keep recording visits, and back
   (auto): sent N, stored N, lost 0, duplicated 0;
4. the worker holding the demo township stops: its requests answer 503 within the database
   timeout (plus a margin), never 500, the other township keeps working; once the worker is
   back the same service process answers 200 again.

5. with `--tests`: the API test suite (`cargo test --test api`) on the same cluster, every test
   on a database of its own distributed over both workers (tests/api/citus.rs).

    scripts/drills/citus.py [--binary target/debug/lianxin] [--weeks 2] [--visits 600]
                            [--tests [FILTER]] [--test-threads 6] [--suite-only]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash import Phone  # noqa: E402
from drillkit import (REPO, Postgres, Service, Township, common_args, expect, find_binary,  # noqa: E402
                      log, login, pg_bin, request, workdir)

DB = "lianxin"
DB_TIMEOUT_MS = 2000
MARGIN_S = 0.5
RECOVERY_LIMIT_S = 15.0
# Room for the test suite: every database in use runs a Citus maintenance daemon (a background
# worker) on every node, and each test's server and its coordinator keep connections open.
# Logical shard moves decode the source worker's WAL.
NODE_SETTINGS = ("-c shared_preload_libraries=citus -c wal_level=logical -c max_worker_processes=64 "
                 "-c max_connections=400")
TENANT_TABLES = ["grids", "users", "micro_grids", "leader_assignments", "households",
                 "household_moves", "visits", "visit_days", "issues", "issue_events", "audit_log",
                 "departments", "calendar_days", "tag_intervals", "tasks", "task_households"]
# Copied to the plain server in this order (foreign keys).
COPY_ORDER = ["tenants", "grids", "departments", "calendar_days", "users", "micro_grids",
              "leader_assignments", "households", "household_moves", "tasks", "task_households",
              "visits", "visit_days", "issues",
              "issue_events", "audit_log", "tag_intervals"]


class Cluster:
    """A coordinator and two workers, database `lianxin` with Citus on each."""

    def __init__(self, work: Path):
        self.coordinator = Postgres(work / "coordinator", None, db=DB, settings=NODE_SETTINGS)
        self.workers = [Postgres(work / f"worker{i}", None, db=DB, settings=NODE_SETTINGS)
                        for i in (1, 2)]
        for node in self.nodes:
            node.query("CREATE EXTENSION citus")
        self.coordinator.query(f"SELECT citus_set_coordinator_host('127.0.0.1', {self.coordinator.port})")
        for worker in self.workers:
            self.coordinator.query(f"SELECT citus_add_node('127.0.0.1', {worker.port})")

    @property
    def nodes(self) -> list[Postgres]:
        return [self.coordinator, *self.workers]

    def worker_of(self, tenant_id: str) -> Postgres:
        """The worker holding the township's shard of `grids` (all its tables colocate)."""
        port = int(self.coordinator.query(
            "SELECT nodeport FROM citus_shards WHERE shardid = "
            f"get_shard_id_for_distribution_column('grids', '{tenant_id}')").strip())
        return next(w for w in self.workers if w.port == port)

    def move(self, tenant_id: str, to: Postgres, mode: str) -> float:
        """Moves the township's colocated shards to `to`; returns the seconds it took."""
        source = self.worker_of(tenant_id)
        began = time.monotonic()
        self.coordinator.query(
            "SET statement_timeout = '120s'; SELECT citus_move_shard_placement("
            f"get_shard_id_for_distribution_column('grids', '{tenant_id}'), "
            f"'127.0.0.1', {source.port}, '127.0.0.1', {to.port}, shard_transfer_mode => '{mode}')")
        return time.monotonic() - began

    def close(self) -> None:
        for node in self.nodes:
            node.close()


def check_placement(cluster: Cluster, demo_id: str, other_id: str) -> list[str]:
    problems = []
    kinds = dict(line.split("|") for line in cluster.coordinator.query(
        "SELECT table_name, citus_table_type || ':' || distribution_column || ':' || colocation_id "
        "FROM citus_tables").splitlines())
    if not kinds.get("tenants", "").startswith("reference"):
        problems.append(f"tenants is not a reference table: {kinds.get('tenants')}")
    colocations = set()
    for table in TENANT_TABLES:
        kind = kinds.get(table, "")
        parts = kind.split(":")
        if parts[:2] != ["distributed", "tenant_id"]:
            problems.append(f"{table} is not distributed by tenant_id: {kind or 'local'}")
        else:
            colocations.add(parts[2])
    if len(colocations) > 1:
        problems.append(f"tenant-owned tables in {len(colocations)} colocation groups")
    fks = int(cluster.coordinator.query(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY "
        f"(ARRAY{TENANT_TABLES})").strip())
    log(f"placement: tenants reference, {len(TENANT_TABLES)} tables distributed by tenant_id in one "
        f"colocation group, {fks} foreign keys kept")
    # The second wall on a worker: the service's role, asking the worker itself.
    worker = cluster.worker_of(demo_id)
    count = "SELECT count(*) FROM households"
    as_app = f"SET ROLE lianxin_app; {count}"
    without = worker.query(as_app).strip().splitlines()[-1]
    scoped = worker.query(f"SET ROLE lianxin_app; SET app.tenant_id = '{demo_id}'; {count}")
    scoped = scoped.strip().splitlines()[-1]
    mine = cluster.coordinator.query(f"{count} WHERE tenant_id = '{demo_id}'").strip()
    others = worker.query(f"SET ROLE lianxin_app; SET app.tenant_id = '{demo_id}'; "
                          f"SELECT count(*) FROM households WHERE tenant_id <> '{demo_id}'")
    others = others.strip().splitlines()[-1]
    log(f"worker-side query as lianxin_app: without the tenant setting {without} households, "
        f"with it {scoped} (the township has {mine}), other townships' rows {others}")
    if without != "0" or scoped != mine or others != "0" or mine == "0":
        problems.append("row-level security does not hold on the worker")
    forced = worker.query(
        "SELECT count(*) FROM pg_class c WHERE c.relname ~ '^(households|visits|users)_[0-9]+$' "
        "AND NOT (c.relrowsecurity AND c.relforcerowsecurity)").strip()
    if forced != "0":
        problems.append(f"{forced} shards on the worker without forced row-level security")
    return problems


STATS = ["/stats/summary?from={f}&to={t}", "/stats/breakdown?by=grid&from={f}&to={t}",
         "/stats/breakdown?by=micro_grid&from={f}&to={t}", "/stats/breakdown?by=week&from={f}&to={t}",
         "/stats/breakdown?by=leader&from={f}&to={t}"]


def statistics(base: str, token: str) -> dict:
    today = time.strftime("%Y-%m-%d")
    since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 120 * 86400))
    answers = {}
    for path in STATS:
        path = path.format(f=since, t=today)
        answers[path] = expect(200, request("GET", base + "/api/v1" + path, token), path)
    return answers


def copy_to_plain(cluster: Cluster, plain: Postgres) -> None:
    """The same rows on a plain server (every table read through the coordinator)."""
    coordinator = f"postgres://drill@127.0.0.1:{cluster.coordinator.port}/{DB}"
    for table in ["platform_admins", *COPY_ORDER]:
        dump = subprocess.run([pg_bin("psql"), coordinator, "-XAtq", "-c", f"COPY {table} TO STDOUT"],
                              check=True, capture_output=True)
        subprocess.run([pg_bin("psql"), plain.url, "-XAtq", "-c", f"COPY {table} FROM STDIN"],
                       input=dump.stdout, check=True, capture_output=True)


def compare_statistics(cluster: Cluster, svc: Service, binary: str, work: Path, towns: dict) -> list[str]:
    plain = Postgres(work / "plain", None)
    single = Service(binary, plain.url, work / "plain")
    problems = []
    try:
        single.cli("migrate")
        copy_to_plain(cluster, plain)
        single.start()
        for name, token in towns.items():
            on_citus = statistics(svc.base, token)
            on_single = statistics(single.base, token)
            same = sum(on_citus[p] == on_single[p] for p in on_citus)
            summary = next(iter(on_citus.values()))
            log(f"{name}: {same} of {len(on_citus)} statistics equal on Citus and on one server "
                f"({summary['visits']} visits, {summary['households']} households in the summary)")
            if same != len(on_citus):
                for p in on_citus:
                    if on_citus[p] != on_single[p]:
                        problems.append(f"{name} {p}: Citus {json.dumps(on_citus[p])[:300]} "
                                        f"vs one server {json.dumps(on_single[p])[:300]}")
    finally:
        single.stop()
        plain.close()
    return problems


def move_under_load(cluster: Cluster, svc: Service, town: Township, other_id: str, args) -> list[str]:
    source = cluster.worker_of(other_id)
    target = next(w for w in cluster.workers if w is not source)
    per_phone = args.visits // len(town.leaders)
    phones = [Phone(svc.base, leader, per_phone, 5, seed=i, pace=0.05)
              for i, leader in enumerate(town.leaders)]
    for phone in phones:
        phone.start()
    time.sleep(1.0)
    # A logical move: the shards are copied, then the writes made meanwhile replayed through
    # a subscription on the target worker (which needs the migration's event trigger under
    # row-level security, docs/scaling.md); writes wait only for the last of them.
    mode = "force_logical"
    stored = (f"SELECT count(*) FROM visits WHERE tenant_id = '{other_id}' "
              "AND summary LIKE '演练走访 %'")
    before = int(cluster.coordinator.query(stored))
    moved_in = cluster.move(other_id, target, mode)
    during = int(cluster.coordinator.query(stored)) - before
    sending = sum(p.is_alive() for p in phones)
    for phone in phones:
        phone.join()
    problems = []
    if moved_in is None or cluster.worker_of(other_id) is not target:
        problems.append("the township's shards did not move")
    if during == 0 or sending == 0:
        problems.append(f"the phones were not writing through the move ({during} visits stored "
                        f"during it, {sending} phones still sending at its end)")
    # Back again (the default mode, auto, picks a logical move too: every table has a primary
    # key), so that the two townships are on different workers for the outage.
    back_in = cluster.move(other_id, source, "auto")
    sent = {vid: v for p in phones for vid, v in p.sent.items()}
    rows = cluster.coordinator.query(
        f"SELECT id, summary FROM visits WHERE tenant_id = '{other_id}' AND summary LIKE '演练走访 %'"
    ).splitlines()
    stored_ids = [row.split("|")[0] for row in rows]
    stored = set(stored_ids)
    lost, extra = set(sent) - stored, stored - set(sent)
    duplicated = len(stored_ids) - len(stored)
    altered = [r for r in rows if r.split("|")[0] in sent and r.split("|")[1] != sent[r.split("|")[0]]["summary"]]
    errors = [e for p in phones for e in p.errors]
    log(f"shards moved to worker port {target.port} with {mode} in {moved_in or 0:.1f} s while phones "
        f"recorded visits ({during} stored during the move, {sending} of {len(phones)} phones still "
        f"sending at its end, {sum(p.retries for p in phones)} uploads retried); back with auto in "
        f"{back_in:.1f} s")
    print(f"sent {len(sent)}, stored {len(stored_ids)}, lost {len(lost)}, duplicated {duplicated}"
          + (f", unexpected {len(extra)}" if extra else "") + (f", altered {len(altered)}" if altered else ""),
          flush=True)
    if lost or extra or duplicated or altered:
        problems.append("visits lost, stored twice or altered during the move")
    problems += [f"unexpected answer during the move: {e}" for e in errors[:5]]
    return problems


def phone_sync(svc: Service, town: Township) -> list[str]:
    """A phone's read side on Citus: a full sync, a visit, then `since=cursor` must bring that
    household (its cursor is a transaction id: it must hold across coordinator and worker)."""
    api = svc.base + "/api/v1"
    leader = town.leaders[0]
    first = expect(200, request("GET", api + "/sync/households", leader["token"]), "full sync")
    household = leader["households"][-1]
    expect(201, request("POST", api + "/visits", leader["token"], {
        "household_id": household, "visited_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60)),
        "method": "phone", "summary": "同步演练"}), "record a visit")
    since = urllib.parse.quote(first["cursor"])
    later = expect(200, request("GET", f"{api}/sync/households?since={since}", leader["token"]), "sync since")
    changed = {h["id"] for h in later["households"]}
    log(f"phone sync: full {len(first['households'])} households, then since its cursor "
        f"{len(changed)} changed (full={later['full']}), the visited household "
        f"{'among them' if household in changed else 'MISSING'}")
    return [] if household in changed else ["a household with a new visit is missing from the sync"]


def worker_outage(cluster: Cluster, svc: Service, demo: str, demo_token: str, other: str,
                  other_token: str) -> list[str]:
    worker = cluster.worker_of(demo)
    api = svc.base + "/api/v1"
    path = "/households?per_page=5"
    problems = []
    expect(200, request("GET", api + path, demo_token), "before the outage")
    worker.stop("fast")
    began = time.monotonic()
    statuses, slowest = [], 0.0
    while time.monotonic() - began < 5:
        status, body, seconds = request("GET", api + path, demo_token)
        statuses.append(status)
        slowest = max(slowest, seconds)
        if status not in (503,):
            problems.append(f"with its worker down the township's request answered {status}: {body}")
            break
        time.sleep(0.1)
    limit = DB_TIMEOUT_MS / 1000 + MARGIN_S
    if slowest > limit:
        problems.append(f"a 503 took {slowest:.2f} s (limit {limit:.1f} s)")
    elsewhere = request("GET", api + path, other_token)[0]
    log(f"worker port {worker.port} stopped: {len(statuses)} requests answered "
        f"{sorted(set(statuses))} in at most {slowest * 1000:.0f} ms; the township on the other "
        f"worker answered {elsewhere}")
    if elsewhere != 200:
        problems.append(f"the township on the other worker answered {elsewhere}")
    worker.start()
    back = time.monotonic()
    while time.monotonic() - back < RECOVERY_LIMIT_S:
        if request("GET", api + path, demo_token)[0] == 200:
            break
        time.sleep(0.1)
    else:
        problems.append(f"no 200 within {RECOVERY_LIMIT_S:.0f} s of the worker's return")
    log(f"worker back: 200 again after {time.monotonic() - back:.1f} s (same service process)")
    return problems


def api_suite(cluster: Cluster, name_filter: str, threads: int) -> list[str]:
    """`cargo test --test api` with every test's database on this cluster (tests/api/citus.rs)."""
    nodes = ";".join(f"{node.server_url}/postgres" for node in cluster.nodes)
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "DATABASE_URL")}
    env["LIANXIN_TEST_CITUS"] = nodes
    command = ["cargo", "test", "--test", "api", "--", "--test-threads", str(threads)]
    if name_filter:
        command.append(name_filter)
    # The suite's databases are thrown away: without fsync, every test's CREATE and DROP
    # DATABASE on each node (a checkpoint each) stops waiting for the disk.
    for node in cluster.nodes:
        node.query("ALTER SYSTEM SET fsync = off")
        node.query("SELECT pg_reload_conf()")
    log(f"API test suite on the cluster: {' '.join(command)}")
    began = time.monotonic()
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    results, failed = [], []
    assert proc.stdout
    for line in proc.stdout:
        print(line, end="", flush=True)
        if line.startswith("test result:"):
            results.append(line.strip())
        if line.startswith("test ") and line.rstrip().endswith("FAILED"):
            failed.append(line.split()[1])
    code = proc.wait()
    log(f"API test suite on Citus: {results[-1] if results else 'no result'} "
        f"in {time.monotonic() - began:.0f} s ({threads} test threads)")
    problems = [f"API test failed on Citus: {name}" for name in failed]
    if code != 0 and not failed:
        problems.append(f"cargo test exited with {code}")
    return problems


def drill(cluster: Cluster, svc: Service, binary: str, work: Path, args) -> list[str]:
    """Steps 1-4 of the docstring on the cluster's database `lianxin`."""
    problems: list[str] = []
    svc.cli("migrate")
    log("migrated")
    seeded = time.monotonic()
    print(svc.cli("demo", "--weeks", str(args.weeks)).splitlines()[0], flush=True)
    log(f"demo township seeded through the coordinator in {time.monotonic() - seeded:.1f} s")
    svc.start()
    town = Township(svc, code="drill", micro_grids=4, households_per_micro_grid=10)
    ids = dict(line.split("|") for line in cluster.coordinator.query(
        "SELECT code, id FROM tenants").splitlines())
    demo_id, other_id = ids["xindai"], ids["drill"]
    if cluster.worker_of(demo_id) is cluster.worker_of(other_id):
        other_worker = next(w for w in cluster.workers if w is not cluster.worker_of(demo_id))
        cluster.move(other_id, other_worker, "block_writes")
    log(f"demo township on worker port {cluster.worker_of(demo_id).port}, second township on "
        f"{cluster.worker_of(other_id).port}")
    problems += check_placement(cluster, demo_id, other_id)
    # A few visits and an issue in the second township, so its figures are not all zero.
    leader = town.leaders[0]
    for household in leader["households"][:5]:
        expect(201, request("POST", svc.base + "/api/v1/visits", leader["token"], {
            "household_id": household, "visited_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)),
            "method": "door", "summary": "走访"}), "record a visit")
    supervisor = login(svc.base, "xindai", "admin")
    problems += compare_statistics(cluster, svc, binary, work, {"新埭镇 (demo)": supervisor,
                                                                "second township": town.admin})
    problems += move_under_load(cluster, svc, town, other_id, args)
    problems += phone_sync(svc, town)
    problems += worker_outage(cluster, svc, demo_id, supervisor, other_id, town.admin)
    return problems


def main() -> int:
    parser = common_args(__doc__)
    parser.add_argument("--weeks", type=int, default=2, help="weeks of demo history")
    parser.add_argument("--visits", type=int, default=600, help="visits recorded during the move")
    parser.add_argument("--tests", nargs="?", const="", metavar="FILTER",
                        help="then run the API test suite on the cluster (only tests whose name has FILTER)")
    parser.add_argument("--test-threads", type=int, default=6, help="tests run at once (--tests)")
    parser.add_argument("--suite-only", action="store_true", help="with --tests: skip steps 1-4")
    args = parser.parse_args()
    suite_only = args.suite_only and args.tests is not None
    binary = args.binary or "" if suite_only else find_binary(args.binary)
    work = workdir("citus", args.keep)
    began = time.monotonic()
    cluster = Cluster(work)
    url = f"postgres://drill@127.0.0.1:{cluster.coordinator.port}/{DB}"
    svc = Service(binary, url, work, {"LIANXIN_DB_TIMEOUT_MS": str(DB_TIMEOUT_MS),
                                     "LIANXIN_DEMO_PASSWORD": "Drill-Passw0rd-2026"})
    problems: list[str] = []
    try:
        log(f"cluster up: coordinator {cluster.coordinator.port}, workers "
            f"{', '.join(str(w.port) for w in cluster.workers)}")
        if not suite_only:
            problems += drill(cluster, svc, binary, work, args)
        if args.tests is not None:
            problems += api_suite(cluster, args.tests, args.test_threads)
    finally:
        svc.stop()
        cluster.close()
    for problem in problems:
        log("FAILED:", problem)
    log(f"citus drill {'passed' if not problems else 'FAILED'} in {time.monotonic() - began:.0f} s")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
