#!/usr/bin/env python3
"""lianxin's benchmark suite (docs/performance.md): standard library only.

    python3 bench/bench.py writes   # 1 visit writes vs pgbench, 6 peak RSS
    python3 bench/bench.py batch    # 2 one batch of 500 vs 500 single requests
    python3 bench/bench.py scale    # 5 demo --weeks 52, 3 statistics vs SQL floor, 4 growth
    python3 bench/bench.py console  # 7 the console's 概览 page: its statistics requests, and
                                    #   the tasks' reads on the same demo
    python3 bench/bench.py townships  # 8 one township's requests: 1 vs 20 townships, one
                                      #   server and a Citus cluster (coordinator + 2 workers)
    python3 bench/bench.py all

Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432, a role that may
create databases), psql, pgbench and wrk on PATH. Builds the release binary unless
BENCH_NO_BUILD=1. Every database it makes is named lianxin_bench_* and dropped first.
"""

import argparse
import datetime as dt
import http.client
import json
import shutil
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, "target", "release", "lianxin"))
PORT = int(os.environ.get("BENCH_PORT", "18080"))
SECS = int(os.environ.get("BENCH_SECS", "20"))
CONNS = int(os.environ.get("BENCH_CONNS", "32"))
PGBENCH_CLIENTS = [int(c) for c in os.environ.get("BENCH_PGBENCH_CLIENTS", "4,8,16,32").split(",")]
SECRET = "bench-jwt-secret-that-is-long-enough-0123456789"
PASSWORD = "Bench-Pass-2026!"
MICRO_GRIDS = int(os.environ.get("BENCH_MICRO_GRIDS", "10"))
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "320"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TMP = os.environ.get("BENCH_TMP", "/tmp/lianxin-bench")
# Databases are named <prefix>_writes, _batch, _demo, _console (dropped first).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "lianxin_bench")

results = {}


def say(*parts):
    print(*parts, flush=True)


def record(key, value):
    results[key] = value
    say(f"  {key} = {value}")


# ---------------------------------------------------------------- database and server


def psql(db, sql, user=None):
    env = dict(os.environ)
    if user:
        env["PGOPTIONS"] = f"-c role={user}"
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"psql failed: {out.stderr}\n{sql[:400]}")
    return out.stdout.strip()


def fresh_db(name):
    psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql("postgres", f"CREATE DATABASE {name}")


def service_env(db, **extra):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"{PG}/{db}",
        "LIANXIN_JWT_SECRET": SECRET,
        "LIANXIN_ACCESS_TTL_SECS": "86400",
        "LIANXIN_BIND": f"127.0.0.1:{PORT}",
        # Thousands of requests from one address: the login throttle counts failures only.
    })
    env.update(extra)
    return env


def build():
    if os.environ.get("BENCH_NO_BUILD"):
        return
    say("building the release binary …")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def lianxin(db, *args, stdin=None):
    return subprocess.run([BIN, *args], env=service_env(db), input=stdin, text=True,
                          capture_output=True, check=True)


class Server:
    def __init__(self, db):
        os.makedirs(TMP, exist_ok=True)
        self.log = open(os.path.join(TMP, f"server-{db}.log"), "w")
        self.proc = subprocess.Popen([BIN, "serve"], env=service_env(db), stdout=self.log,
                                     stderr=self.log)
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited; see {self.log.name}")
            time.sleep(0.1)
        raise SystemExit("server did not become ready")

    def status(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])  # kB
        return 0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Api:
    """One keep-alive connection, like a phone's."""

    def __init__(self, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        self.token = token

    def call(self, method, path, body=None, expect=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body) if body is not None else None
        for attempt in range(2):
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                # The server closes a connection left idle (keep-alive timeout): open anew.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
                if attempt:
                    raise
        elapsed = time.perf_counter() - start
        if expect is not None and resp.status != expect:
            raise SystemExit(f"{method} {path}: {resp.status} {raw[:300]!r}")
        parsed = json.loads(raw) if raw and raw[:1] in (b"{", b"[") else None
        return resp.status, parsed, elapsed


def login(tenant, username, password=PASSWORD):
    _, body, _ = Api().call("POST", "/api/v1/auth/login",
                            {"tenant": tenant, "username": username, "password": password}, 200)
    return body["access_token"]


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 2)


def timed(api, path, runs=RUNS):
    api.call("GET", path, expect=200)  # warm-up
    return median_ms([api.call("GET", path, expect=200)[2] for _ in range(runs)])


def load_avg():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


# ---------------------------------------------------------------- the write township


def write_township(db):
    """A township of HOUSEHOLDS households in MICRO_GRIDS micro-grids, one leader each,
    built through the API; households by SQL with ids md5('bench-hh-N') so pgbench can
    address them. Returns (tenant_id, admin_id, [(leader token, [household ids])])."""
    fresh_db(db)
    lianxin(db, "migrate")
    lianxin(db, "create-platform-admin", "--username", "operator", stdin=PASSWORD)
    server = Server(db)
    try:
        op = Api(login(None, "operator"))
        _, tenant, _ = op.call("POST", "/api/v1/tenants", {
            "code": "bench", "name": "基准镇", "timezone": "Asia/Shanghai",
            "visit_interval_days": 7,
            "admin": {"username": "admin", "display_name": "管理员", "password": PASSWORD}}, 201)
        admin = Api(login("bench", "admin"))
        _, me, _ = admin.call("GET", "/api/v1/me", expect=200)
        _, grid, _ = admin.call("POST", "/api/v1/grids", {"name": "一网格", "kind": "village"}, 201)
        micro_grids = []
        for k in range(MICRO_GRIDS):
            _, mg, _ = admin.call("POST", f"/api/v1/grids/{grid['id']}/micro-grids",
                                  {"name": f"微网格{k + 1}"}, 201)
            _, user, _ = admin.call("POST", "/api/v1/users", {
                "username": f"leader{k + 1}", "display_name": f"网格长{k + 1}",
                "role": "leader", "password": PASSWORD}, 201)
            admin.call("PUT", f"/api/v1/micro-grids/{mg['id']}/leader", {"user_id": user["id"]}, 200)
            micro_grids.append(mg["id"])
        mg_array = "ARRAY[" + ",".join(f"'{m}'" for m in micro_grids) + "]::uuid[]"
        psql(db, f"""
            INSERT INTO households (tenant_id, id, micro_grid_id, kind, name, address, members)
            SELECT '{tenant['id']}', md5('bench-hh-' || n)::uuid,
                   ({mg_array})[(n - 1) % {MICRO_GRIDS} + 1], 'village', '户主' || n,
                   '新埭村' || n || '号', 3
            FROM generate_series(1, {HOUSEHOLDS}) n;
            ANALYZE;""")
        leaders = []
        for k in range(MICRO_GRIDS):
            ids = [str(uuid.UUID(hex=_md5(f"bench-hh-{n}")))
                   for n in range(1, HOUSEHOLDS + 1) if (n - 1) % MICRO_GRIDS == k]
            leaders.append((login("bench", f"leader{k + 1}"), ids))
        return tenant["id"], me["id"], leaders
    finally:
        server.stop()


def _md5(text):
    import hashlib
    return hashlib.md5(text.encode()).hexdigest()


# ---------------------------------------------------------------- 1 and 6: visit writes


def api_statement_script(path):
    """The API's own SQL for one visit as a pgbench script: the tenant setting, the session
    check and the recording statement (RECORD_ONE) in one pipeline, as `POST /visits` sends
    them (Caller::db_pipelined), as a tenant admin records (no leader scope) so that any
    household will do."""
    src = open(os.path.join(ROOT, "src", "visits", "queries.rs")).read()
    one = re.search(r'const RECORD_ONE: &str = concat!\(\s*r#"(.*?)"#', src, re.S).group(1)
    # record_rest! is a concat! of raw strings and the scope rule (auth/scope.rs, scope_sql!).
    body = re.search(r'macro_rules! record_rest \{\s*\(\) => \{\s*concat!\((.*?)\n\s*\)\n\s*\};',
                     src, re.S).group(1)

    def scope_sql(m, leader, grid):
        return (f"({leader}::uuid IS NULL OR {m}.leader_id = {leader}::uuid) AND "
                f"({grid}::uuid IS NULL OR {m}.grid_id = {grid}::uuid)")
    parts = re.findall(r'r#"(.*?)"#|scope_sql!\("([^"]+)", "([^"]+)", "([^"]+)"\)', body, re.S)
    rest = "".join(text or scope_sql(m, leader, grid) for text, m, leader, grid in parts)
    sql = one + rest
    v7 = ("(lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')"
          " || '7' || substr(md5(random()::text), 1, 19))::uuid")
    values = {
        "id": v7, "audit_id": v7, "household": "md5('bench-hh-' || :n)::uuid",
        "one_visited_at": "(now() - interval '1 hour')", "method": "'door'",
        "summary": "'bench visit'", "one_acquainted": "false", "one_joined_group": "false",
        "tenant": ":tenant::uuid", "recorder": ":admin::uuid", "leader_scope": "NULL::uuid",
        "grid_scope": "NULL::uuid", "ip": "'127.0.0.1'", "token_version": "0",
        "action": "'visit.create'", "task_id": "NULL::uuid",
    }
    sql = re.sub(r"\$([a-z_]+)", lambda m: values[m.group(1)], sql)
    session = open(os.path.join(ROOT, "src", "auth", "caller.rs")).read()
    check = re.search(r'"(SELECT token_version FROM users .*?)";', session, re.S).group(1)
    check = re.sub(r'\\\s*', '', check)
    check = check.replace("$tenant", ":tenant::uuid").replace("$user", ":admin::uuid")
    # One line per statement for pgbench: SQL comments go first, or they would swallow the rest.
    body = " ".join(re.sub(r"--.*$", "", line).strip() for line in sql.strip().splitlines())
    with open(path, "w") as f:
        f.write("\\set n random(1, :households)\n\\startpipeline\n")
        f.write("SELECT set_config('app.tenant_id', :tenant, false);\n")
        f.write(check.strip() + ";\n")
        f.write(body + ";\n\\endpipeline\n")


def pgbench(db, script, clients, tenant, admin, role=None):
    env = dict(os.environ)
    if role:
        env["PGOPTIONS"] = f"-c role={role}"
    out = subprocess.run(
        ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "2", "-T", str(SECS // 2),
         "-D", f"tenant={tenant}", "-D", f"admin={admin}", "-D", f"households={HOUSEHOLDS}",
         "-f", script, f"{PG}/{db}"], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed: {out.stderr}{out.stdout}")
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))
    lat = float(re.search(r"latency average = ([\d.]+) ms", out.stdout).group(1))
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    return tps, lat, int(failed.group(1)) if failed else 0


def writes():
    db = f"{DB_PREFIX}_writes"
    build()
    say(f"== 1/6 visit writes ({HOUSEHOLDS} households, {MICRO_GRIDS} leaders); load {load_avg()}")
    tenant, admin, leaders = write_township(db)
    os.makedirs(TMP, exist_ok=True)
    targets = os.path.join(TMP, "targets.txt")
    with open(targets, "w") as f:
        for token, ids in leaders:
            for h in ids:
                f.write(f"{token} {h}\n")
    psql(db, "CHECKPOINT")
    server = Server(db)
    try:
        rss_idle = server.status("VmRSS")
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNS}", f"-d{SECS}s", "--timeout", "5s", "-s",
             os.path.join(HERE, "visit.lua"), f"http://127.0.0.1:{PORT}", "--", targets],
            capture_output=True, text=True, check=True)
        peak = server.status("VmHWM")
        metrics = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        metrics.request("GET", "/metrics")
        exposition = metrics.getresponse().read().decode()
    finally:
        server.stop()
    group = {m.group(1): float(m.group(2)) for m in
             re.finditer(r"^lianxin_visit_group_size_(sum|count) (\S+)$", exposition, re.M)}
    line = re.search(r"^WRK (.*)$", out.stdout, re.M).group(1)
    w = {k: int(v) for k, v in (kv.split("=") for kv in line.split())}
    errors = sum(v for k, v in w.items() if k.startswith("errors_"))
    api_rate = w["requests"] / (w["duration_us"] / 1e6)
    stored = int(psql(db, "SELECT count(*) FROM visits"))
    record("api_visits_per_s", round(api_rate, 1))
    record("api_p50_ms", round(w["p50_us"] / 1000, 2))
    record("api_p99_ms", round(w["p99_us"] / 1000, 2))
    record("api_errors", errors)
    record("api_requests", w["requests"])
    # Every request sent a fresh id: each must have stored one row (no replays, no losses).
    record("api_rows_stored", stored)
    record("server_rss_idle_mb", round(rss_idle / 1024, 1))
    record("server_peak_rss_mb", round(peak / 1024, 1))
    # Group commit: how many single visits shared a statement and a commit, on average.
    if group.get("count"):
        record("api_visits_per_commit", round(group["sum"] / group["count"], 2))

    if os.environ.get("BENCH_SKIP_PGBENCH"):
        return
    scripts = {
        "insert": os.path.join(HERE, "pgbench", "insert.sql"),
        "insert_update": os.path.join(HERE, "pgbench", "insert_update.sql"),
        "api_sql": os.path.join(TMP, "api_statement.sql"),
    }
    api_statement_script(scripts["api_sql"])
    best = {}
    for name, script in scripts.items():
        role = "lianxin_app" if name == "api_sql" else None
        for clients in PGBENCH_CLIENTS:
            tps, lat, failed = pgbench(db, script, clients, tenant, admin, role)
            say(f"  pgbench {name:14} clients={clients:3} tps={tps:9.1f} latency={lat:6.2f} ms failed={failed}")
            if tps > best.get(name, (0,))[0]:
                best[name] = (tps, clients)
    for name, (tps, clients) in best.items():
        record(f"pgbench_{name}_best_tps", f"{tps:.1f} (clients={clients})")
        record(f"ratio_api_over_pgbench_{name}", round(api_rate / tps, 3))
    say(f"  load after: {load_avg()}")


# ---------------------------------------------------------------- 2: batch


def batch():
    db = f"{DB_PREFIX}_batch"
    build()
    say(f"== 2 batch of 500 vs 500 single requests; load {load_avg()}")
    _, _, leaders = write_township(db)
    token, households = leaders[0]
    server = Server(db)
    try:
        api = Api(token)
        at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()

        def visit(i):
            return {"id": str(_uuid7()), "household_id": households[i % len(households)],
                    "visited_at": at, "method": "door", "summary": f"第{i}次走访"}

        api.call("POST", "/api/v1/visits", visit(0), 201)  # warm the connection and plan
        singles = []
        for _ in range(3):
            start = time.perf_counter()
            for i in range(500):
                api.call("POST", "/api/v1/visits", visit(i), 201)
            singles.append(time.perf_counter() - start)
        batches = []
        for _ in range(3):
            body = {"visits": [visit(i) for i in range(500)]}
            _, answer, elapsed = api.call("POST", "/api/v1/visits/batch", body, 200)
            assert all(r["status"] == 201 for r in answer["results"]), answer["results"][:3]
            batches.append(elapsed)
    finally:
        server.stop()
    record("single_500_ms", median_ms(singles))
    record("batch_500_ms", median_ms(batches))
    record("ratio_single_over_batch", round(statistics.median(singles) / statistics.median(batches), 1))


def _uuid7():
    ms = int(time.time() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | ((rand >> 64) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


# ---------------------------------------------------------------- 5, 3, 4: at scale


def sql_floor(db, tenant, start, end, runs=RUNS):
    """psql's \\timing of the plain count over the range, median of `runs` (after a warm-up)."""
    query = (f"SELECT count(*), count(DISTINCT household_id) FROM visits "
             f"WHERE tenant_id = '{tenant}' AND visited_at >= '{start}' AND visited_at < '{end}';")
    script = "\\timing on\n" + query * (runs + 1)
    out = subprocess.run(["psql", f"{PG}/{db}", "-X", "-q", "-A", "-t"], input=script,
                         capture_output=True, text=True, check=True).stdout
    times = [float(t) for t in re.findall(r"Time: ([\d.]+) ms", out)][1:]
    return round(statistics.median(times), 2)


def scale():
    db = f"{DB_PREFIX}_demo"
    build()
    weeks = int(os.environ.get("BENCH_WEEKS", "52"))
    say(f"== 5 seeding: demo --weeks {weeks}; load {load_avg()}")
    fresh_db(db)
    lianxin(db, "migrate")
    start = time.perf_counter()
    lianxin(db, "demo", "--weeks", str(weeks))
    seed_secs = time.perf_counter() - start
    rows = int(psql(db, """SELECT (SELECT count(*) FROM visits) + (SELECT count(*) FROM households)
        + (SELECT count(*) FROM issues) + (SELECT count(*) FROM issue_events)
        + (SELECT count(*) FROM users) + (SELECT count(*) FROM micro_grids)
        + (SELECT count(*) FROM grids) + (SELECT count(*) FROM leader_assignments)
        + (SELECT count(*) FROM audit_log)"""))
    visits = int(psql(db, "SELECT count(*) FROM visits"))
    record("demo_seconds", round(seed_secs, 1))
    record("demo_rows", rows)
    record("demo_visits", visits)
    record("demo_rows_per_s", round(rows / seed_secs))
    psql(db, "VACUUM ANALYZE")

    tenant = psql(db, "SELECT id FROM tenants WHERE code = 'xindai'")
    zone = psql(db, f"SELECT timezone FROM tenants WHERE id = '{tenant}'")
    today = dt.date.fromisoformat(psql(db, f"SELECT (now() AT TIME ZONE '{zone}')::date"))
    password = os.environ.get("LIANXIN_DEMO_PASSWORD") or demo_password()
    server = Server(db)
    try:
        say(f"== 3 statistics at scale; load {load_avg()}")
        admin = Api(login("xindai", "admin", password))
        for label, days in (("30d", 30), ("year", 365)):
            first = today - dt.timedelta(days=days - 1)
            lo = psql(db, f"SELECT ('{first}'::timestamp AT TIME ZONE '{zone}')")
            hi = psql(db, f"SELECT ('{today + dt.timedelta(days=1)}'::timestamp AT TIME ZONE '{zone}')")
            floor = sql_floor(db, tenant, lo, hi)
            record(f"sql_floor_{label}_ms", floor)
            q = f"from={first}&to={today}"
            for name, path in (("summary", f"/api/v1/stats/summary?{q}"),
                               ("micro_grid", f"/api/v1/stats/breakdown?by=micro_grid&{q}"),
                               ("grid", f"/api/v1/stats/breakdown?by=grid&{q}"),
                               ("leader", f"/api/v1/stats/breakdown?by=leader&{q}"),
                               ("week", f"/api/v1/stats/breakdown?by=week&{q}")):
                ms = timed(admin, path)
                record(f"stats_{name}_{label}_ms", ms)
                record(f"ratio_stats_{name}_{label}_over_floor", round(ms / floor, 2))

        say(f"== 4 growth: 1 year vs 5 years of history; load {load_avg()}")
        leader_name, household = psql(db, f"""
            SELECT u.username, h.id FROM households h
            JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
            JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.leader_id
            WHERE h.tenant_id = '{tenant}'
            ORDER BY (SELECT count(*) FROM visits v WHERE v.tenant_id = h.tenant_id
                      AND v.household_id = h.id) DESC, h.id LIMIT 1""").split("|")
        leader = Api(login("xindai", leader_name, password))
        due = "/api/v1/households?due=true"
        dossier = f"/api/v1/households/{household}"
        before = {"due": timed(leader, due, RUNS * 7), "dossier": timed(leader, dossier, RUNS * 7)}
        record("due_list_1y_ms", before["due"])
        record("dossier_1y_ms", before["dossier"])
        start = time.perf_counter()
        grow(db)
        record("grow_4y_seconds", round(time.perf_counter() - start, 1))
        record("visits_after_growth", int(psql(db, "SELECT count(*) FROM visits")))
        after = {"due": timed(leader, due, RUNS * 7), "dossier": timed(leader, dossier, RUNS * 7)}
        record("due_list_5y_ms", after["due"])
        record("dossier_5y_ms", after["dossier"])
        record("ratio_due_list_5y_over_1y", round(after["due"] / before["due"], 2))
        record("ratio_dossier_5y_over_1y", round(after["dossier"] / before["dossier"], 2))
        first = today - dt.timedelta(days=364)
        q = f"from={first}&to={today}"
        record("stats_summary_year_at_5y_ms", timed(admin, f"/api/v1/stats/summary?{q}"))
        record("stats_micro_grid_year_at_5y_ms",
               timed(admin, f"/api/v1/stats/breakdown?by=micro_grid&{q}"))
    finally:
        server.stop()


def seed_demo(db, weeks):
    """A fresh database with the demo township and `weeks` of history; seconds it took."""
    fresh_db(db)
    lianxin(db, "migrate")
    start = time.perf_counter()
    lianxin(db, "demo", "--weeks", str(weeks))
    secs = time.perf_counter() - start
    psql(db, "VACUUM ANALYZE")
    return secs


def page_load(token, paths):
    """The requests a page makes at sign-in, sent at once on their own connections as a
    browser does; wall time until the last answer (seconds) and each request's time."""
    import threading
    times = {}

    def one(path):
        times[path] = Api(token).call("GET", path, expect=200)[2]

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, times


def console():
    """7: the console's 概览 (statistics) page on the demo township with BENCH_WEEKS of
    history: sign-in, then the page's requests for a year by week (summary, weekly rows,
    micro-grid rows for the 10 lowest coverages) at once; then every statistics request the
    page can make, alone, for a year and for 30 days (median and worst of BENCH_RUNS after a
    warm-up)."""
    db = f"{DB_PREFIX}_console"
    build()
    weeks = int(os.environ.get("BENCH_WEEKS", "52"))
    say(f"== 7 console: demo --weeks {weeks}; load {load_avg()}")
    if os.environ.get("BENCH_KEEP_DB"):
        say("   (BENCH_KEEP_DB: the database of the previous run, not seeded again)")
    else:
        record("console_demo_seconds", round(seed_demo(db, weeks), 1))
    record("console_demo_visits", int(psql(db, "SELECT count(*) FROM visits")))
    record("console_demo_households", int(psql(db, "SELECT count(*) FROM households")))
    zone = psql(db, "SELECT timezone FROM tenants WHERE code = 'xindai'")
    today = dt.date.fromisoformat(psql(db, f"SELECT (now() AT TIME ZONE '{zone}')::date"))
    password = os.environ.get("LIANXIN_DEMO_PASSWORD") or demo_password()
    server = Server(db)
    try:
        say(f"== 7 the 概览 page, a year by week; load {load_avg()}")
        year = f"from={today - dt.timedelta(days=364)}&to={today}"
        page = [f"/api/v1/stats/summary?{year}",
                f"/api/v1/stats/breakdown?by=week&{year}",
                f"/api/v1/stats/breakdown?by=micro_grid&{year}"]
        walls, signins, slowest = [], [], []
        for run in range(RUNS + 1):
            start = time.perf_counter()
            token = login("xindai", "admin", password)
            signin = time.perf_counter() - start
            wall, each = page_load(token, page)
            if run:  # the first is the warm-up
                walls.append(wall)
                signins.append(signin)
                slowest.append(max(each.values()))
        record("console_signin_ms", median_ms(signins))
        record("console_page_year_by_week_ms", median_ms(walls))
        record("console_page_year_by_week_worst_ms", round(max(walls) * 1000, 2))
        say(f"== 7 each statistics request alone; load {load_avg()}")
        admin = Api(login("xindai", "admin", password))
        for label, days in (("30d", 30), ("year", 365)):
            q = f"from={today - dt.timedelta(days=days - 1)}&to={today}"
            for name, path in (("summary", f"/api/v1/stats/summary?{q}"),
                               ("week", f"/api/v1/stats/breakdown?by=week&{q}"),
                               ("grid", f"/api/v1/stats/breakdown?by=grid&{q}"),
                               ("micro_grid", f"/api/v1/stats/breakdown?by=micro_grid&{q}"),
                               ("leader", f"/api/v1/stats/breakdown?by=leader&{q}")):
                admin.call("GET", path, expect=200)  # warm-up
                cpu = cpu_ms(server, db)
                samples = [admin.call("GET", path, expect=200)[2] for _ in range(RUNS)]
                cpu = cpu_ms(server, db) - cpu
                record(f"console_{name}_{label}_ms", median_ms(samples))
                record(f"console_{name}_{label}_worst_ms", round(max(samples) * 1000, 2))
                record(f"console_{name}_{label}_cpu_ms", round(cpu / RUNS, 1))
        tasks_sent_down(server, db, admin, password)
    finally:
        server.stop()


def tasks_sent_down(server, db, admin, password):
    """The tasks' reads on the same demo: the admin's list, the weekly round of the township's
    lone elderly with its progress per micro-grid, its households left, and a leader's list
    (what the phone reads at each sync)."""
    say(f"== 7 tasks sent down (任务); load {load_avg()}")
    tasks = admin.call("GET", "/api/v1/tasks", expect=200)[1]["items"]
    weekly = next(t for t in tasks if t["repeat"] == "weekly")
    record("tasks_weekly_households", weekly["households"])
    leader = Api(login("xindai", "leader001", password))
    for name, api, path in (
            ("list", admin, "/api/v1/tasks"),
            ("show", admin, f"/api/v1/tasks/{weekly['id']}"),
            ("left", admin, f"/api/v1/tasks/{weekly['id']}/households?done=false&per_page=200"),
            ("leader_list", leader, "/api/v1/tasks?closed=false")):
        api.call("GET", path, expect=200)  # warm-up
        cpu = cpu_ms(server, db)
        samples = [api.call("GET", path, expect=200)[2] for _ in range(RUNS)]
        cpu = cpu_ms(server, db) - cpu
        record(f"tasks_{name}_ms", median_ms(samples))
        record(f"tasks_{name}_cpu_ms", round(cpu / RUNS, 1))


def cpu_ms(server, db, split=False):
    """CPU time (user + system, ms) spent so far by the service and by the database's backends
    serving it: what a request costs whatever else the machine is doing, and what decides how
    the page's requests sent at once share the cores."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [server.proc.pid] + [int(p) for p in psql(
        db, f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}' "
            "AND pid <> pg_backend_pid()").split()]
    parts = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parts.append(int(fields[11]) + int(fields[12]))  # utime, stime
        except OSError:
            parts.append(0)
    if split:
        return parts[0] * 1000 / tick, sum(parts[1:]) * 1000 / tick
    return sum(parts) * 1000 / tick


def demo_password():
    src = open(os.path.join(ROOT, "src", "demo", "mod.rs")).read()
    found = re.search(r'DEFAULT_PASSWORD: &str = "([^"]+)"', src)
    if not found:
        raise SystemExit("set LIANXIN_DEMO_PASSWORD to the demo's password")
    return found.group(1)


def grow(db):
    """Four more years of the same work before the first: every visit and issue copied 1–4
    years (52 weeks each) back, with new time-ordered ids."""
    psql(db, """
        INSERT INTO visits (tenant_id, id, household_id, micro_grid_id, leader_id, visited_at,
                            method, summary, acquainted, joined_group, created_at)
        SELECT v.tenant_id,
               (lpad(to_hex((extract(epoch FROM v.visited_at - k * interval '364 days') * 1000)::bigint), 12, '0')
                || '7' || substr(md5(v.id::text || k), 1, 19))::uuid,
               v.household_id, v.micro_grid_id, v.leader_id, v.visited_at - k * interval '364 days',
               v.method, v.summary, false, false, v.created_at - k * interval '364 days'
        FROM visits v CROSS JOIN generate_series(1, 4) k;
        INSERT INTO issues (tenant_id, id, household_id, micro_grid_id, category, description,
                            status, raised_by, raised_at, resolved_at, resolution, satisfied)
        SELECT i.tenant_id, md5(i.id::text || k)::uuid, i.household_id, i.micro_grid_id,
               i.category, i.description, 'resolved', i.raised_by,
               i.raised_at - k * interval '364 days',
               coalesce(i.resolved_at, i.raised_at + interval '3 days') - k * interval '364 days',
               coalesce(i.resolution, '已解决'), true
        FROM issues i CROSS JOIN generate_series(1, 4) k;
        -- Copied by SQL, past the recording statement: the statistics' rollup made anew.
        SELECT visit_days_rebuild(id) FROM tenants;""")
    psql(db, "VACUUM ANALYZE")


# ---------------------------------------------------------------- 8 townships side by side

TOWNSHIPS = int(os.environ.get("BENCH_TOWNSHIPS", "20"))
TOWNSHIP_WEEKS = int(os.environ.get("BENCH_TOWNSHIP_WEEKS", "2"))
# Copied in this order (foreign keys): every key holds tenant_id, so a township is cloned by
# copying its rows with another tenant_id.
CLONED = ["grids", "users", "micro_grids", "leader_assignments", "households", "household_moves",
          "visits", "visit_days", "issues", "issue_events", "audit_log"]


def clone_townships(db, count):
    """`count` copies of the demo township (codes xindai1…), rows identical but the tenant."""
    psql(db, f"""
        DO $$
        DECLARE
            source uuid := (SELECT id FROM tenants WHERE code = 'xindai');
            copy uuid;
            t text;
            cols text;
            vals text;
        BEGIN
            FOR n IN 1..{count} LOOP
                copy := gen_random_uuid();
                INSERT INTO tenants (id, code, name, timezone, visit_interval_days)
                SELECT copy, 'xindai' || n, name || n, timezone, visit_interval_days
                FROM tenants WHERE id = source;
                FOREACH t IN ARRAY ARRAY{CLONED} LOOP
                    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
                           string_agg(CASE WHEN column_name = 'tenant_id' THEN quote_literal(copy) || '::uuid'
                                           ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
                    INTO cols, vals
                    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = t;
                    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I WHERE tenant_id = %L',
                                   t, cols, vals, t, source);
                END LOOP;
            END LOOP;
        END
        $$""")
    psql(db, "VACUUM ANALYZE")


def township_costs(db, label, password):
    """Median ms of one township's requests: a visit write (its leader), the due list (the
    same leader), a year's summary (its admin)."""
    zone = psql(db, "SELECT timezone FROM tenants WHERE code = 'xindai'")
    today = dt.date.fromisoformat(psql(db, f"SELECT (now() AT TIME ZONE '{zone}')::date"))
    leader_name, household = psql(db, """
        SELECT u.username, h.id FROM households h
        JOIN micro_grids m ON m.tenant_id = h.tenant_id AND m.id = h.micro_grid_id
        JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.leader_id
        JOIN tenants t ON t.id = h.tenant_id AND t.code = 'xindai'
        ORDER BY h.id LIMIT 1""").split("|")
    server = Server(db)
    try:
        leader = Api(login("xindai", leader_name, password))
        admin = Api(login("xindai", "admin", password))
        runs = RUNS * 7

        def write():
            when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
            body = {"id": str(_uuid7()), "household_id": household, "visited_at": when.isoformat(),
                    "method": "door", "summary": "走访"}
            return leader.call("POST", "/api/v1/visits", body, 201)[2]

        write()
        record(f"{label}_visit_write_ms", median_ms([write() for _ in range(runs)]))
        record(f"{label}_due_list_ms", timed(leader, "/api/v1/households?due=true", runs))
        first = today - dt.timedelta(days=364)
        record(f"{label}_year_summary_ms",
               timed(admin, f"/api/v1/stats/summary?from={first}&to={today}", runs))
    finally:
        server.stop()


def township_sizes(db, label, size_fn):
    tables = ", ".join(f"'{t}'" for t in ["tenants", *CLONED])
    total = int(psql(db, f"SELECT sum({size_fn}(c)) FROM unnest(ARRAY[{tables}]::regclass[]) c"))
    visits = int(psql(db, "SELECT count(*) FROM visits"))
    towns = int(psql(db, "SELECT count(*) FROM tenants"))
    record(f"{label}_bytes_per_township", total // towns)
    record(f"{label}_visits_per_township", visits // towns)
    record(f"{label}_bytes_per_visit_all_tables", round(total / visits))


def townships_on(db, label, password, size_fn):
    lianxin(db, "migrate")
    lianxin(db, "demo", "--weeks", str(TOWNSHIP_WEEKS))
    psql(db, "VACUUM ANALYZE")
    township_costs(db, f"{label}_1", password)
    start = time.perf_counter()
    clone_townships(db, TOWNSHIPS - 1)
    record(f"{label}_clone_{TOWNSHIPS - 1}_seconds", round(time.perf_counter() - start, 1))
    township_costs(db, f"{label}_{TOWNSHIPS}", password)
    for what in ("visit_write", "due_list", "year_summary"):
        record(f"ratio_{label}_{what}_{TOWNSHIPS}_over_1",
               round(results[f"{label}_{TOWNSHIPS}_{what}_ms"] / results[f"{label}_1_{what}_ms"], 2))
    township_sizes(db, label, size_fn)


def townships():
    global PG
    build()
    password = os.environ.get("LIANXIN_DEMO_PASSWORD") or demo_password()
    say(f"== 8 one township among 1 and {TOWNSHIPS}, demo --weeks {TOWNSHIP_WEEKS}: one server; "
        f"load {load_avg()}")
    # Both on servers of the drills' kind (scripts/drills/drillkit.py, citus.py): the same
    # initdb and settings, so that the only difference is Citus.
    sys.path.insert(0, os.path.join(ROOT, "scripts", "drills"))
    from citus import Cluster, DB  # noqa: E402
    from drillkit import Postgres, workdir  # noqa: E402
    single_pg = PG
    plain = Postgres(workdir("bench-plain", False), None, db=DB)
    try:
        PG = f"postgres://drill@127.0.0.1:{plain.port}"
        townships_on(DB, "single", password, "pg_total_relation_size")
    finally:
        PG = single_pg
        plain.close()
    if os.environ.get("BENCH_CITUS", "1") == "0":
        return
    say(f"== 8 the same on Citus (coordinator + 2 workers on this machine); load {load_avg()}")
    cluster = Cluster(workdir("bench-citus", False))
    try:
        PG = f"postgres://drill@127.0.0.1:{cluster.coordinator.port}"
        townships_on(DB, "citus", password, "citus_total_relation_size")
        for what in ("visit_write", "due_list", "year_summary"):
            record(f"ratio_citus_over_single_{what}_{TOWNSHIPS}",
                   round(results[f"citus_{TOWNSHIPS}_{what}_ms"] / results[f"single_{TOWNSHIPS}_{what}_ms"], 2))
    finally:
        PG = single_pg
        cluster.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["writes", "batch", "scale", "console", "townships", "all"])
    args = parser.parse_args()
    needed = ["psql"] + (["wrk", "pgbench"] if args.what in ("writes", "all") else [])
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        sys.exit(f"bench: {', '.join(missing)} not on PATH; on Debian: "
                 "apt-get install -y wrk postgresql-client postgresql-contrib")
    say(f"machine: {os.cpu_count()} cores, load {load_avg()}, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    if args.what in ("writes", "all"):
        writes()
    if args.what in ("batch", "all"):
        batch()
    if args.what in ("scale", "all"):
        scale()
    if args.what in ("console", "all"):
        console()
    if args.what in ("townships", "all"):
        townships()
    os.makedirs(TMP, exist_ok=True)
    with open(os.path.join(TMP, f"results-{args.what}.json"), "w") as f:
        json.dump(results, f, indent=1)
    say(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
