"""Shared pieces of the fault drills: the binary, a PostgreSQL the drill controls, the
service process, a small HTTP client and a seeded township. Standard library only.

A drill either starts its own throwaway PostgreSQL cluster (initdb + pg_ctl from the
installed server binaries, in a temporary folder; as root the server runs as `postgres`),
so that it can stop and start it, or uses `--database-url` (any database on a server the
drill may create databases on) and creates a fresh database there.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
JWT_SECRET = "drill-secret-drill-secret-drill-secret-0123"
PASSWORD = "Drill-Passw0rd-2026"


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def common_args(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--binary",
        default=os.environ.get("LIANXIN_BIN"),
        help="the lianxin binary (default: LIANXIN_BIN, else `cargo build --release`)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DRILL_DATABASE_URL"),
        help="a PostgreSQL server to create a fresh database on (default: a cluster of the drill's own)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


def find_binary(path: str | None) -> str:
    if path:
        return str(Path(path).resolve())
    log("building the release binary (cargo build --release)")
    subprocess.run(["cargo", "build", "--release", "--bin", "lianxin"], cwd=REPO, check=True)
    return str(REPO / "target" / "release" / "lianxin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        sys.exit(f"{name} not found: install the PostgreSQL server binaries")
    return candidates[-1]


class Postgres:
    """A throwaway cluster of the drill's own, or a fresh database on a given server."""

    def __init__(self, workdir: Path, admin_url: str | None, db: str | None = None,
                 settings: str = ""):
        """`db`: the database's name (default: a fresh random one); `settings`: extra server
        options for a cluster of the drill's own (`-c name=value …`)."""
        self.workdir = workdir
        self.admin_url = admin_url
        self.own = admin_url is None
        self.as_root = os.geteuid() == 0
        self.db = db or f"drill_{uuid.uuid4().hex[:12]}"
        self.settings = settings
        if self.own:
            self.pgdata = workdir / "pgdata"
            self.port = free_port()
            self._initdb()
            self.start()
            self.server_url = f"postgres://drill@127.0.0.1:{self.port}"
        else:
            parts = urlsplit(admin_url)
            self.server_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        self._psql(f'CREATE DATABASE "{self.db}"')
        self.url = f"{self.server_url}/{self.db}"

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=check, capture_output=True, text=True)

    def _initdb(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.workdir, "postgres", "postgres")
        self._run([pg_bin("initdb"), "-D", str(self.pgdata), "-U", "drill", "-E", "UTF8",
                   "--no-locale", "--auth=trust"])

    def start(self) -> None:
        assert self.own, "the drill can only start a cluster of its own"
        self._run([pg_bin("pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.pgdata),
                   "-l", str(self.workdir / "postgres.log"), "-o",
                   f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.workdir} "
                   f"-c max_connections=200 {self.settings}"])

    def stop(self, mode: str = "fast") -> None:
        assert self.own, "the drill can only stop a cluster of its own"
        self._run([pg_bin("pg_ctl"), "stop", "-w", "-m", mode, "-D", str(self.pgdata)])

    def _pids(self) -> list[int]:
        """The postmaster of this cluster (postmaster.pid) and its children, by id."""
        postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.split("/")[2]))
        return [postmaster, *children]

    def freeze(self) -> None:
        """SIGSTOP to every process of the cluster: it hangs instead of refusing."""
        assert self.own
        self._frozen = self._pids()
        for pid in self._frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in getattr(self, "_frozen", []):
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self._frozen = []

    def _psql(self, sql: str, db: str = "postgres") -> str:
        url = f"{self.server_url}/{db}"
        out = subprocess.run([pg_bin("psql"), url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout

    def query(self, sql: str) -> str:
        return self._psql(sql, self.db)

    def close(self) -> None:
        if self.own:
            self.thaw()
            self._run([pg_bin("pg_ctl"), "stop", "-w", "-m", "immediate", "-D", str(self.pgdata)],
                      check=False)
        else:
            try:
                self._psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            except subprocess.CalledProcessError:
                pass


class Service:
    """`lianxin serve` on a port of its own, with its log in the work folder."""

    def __init__(self, binary: str, database_url: str, workdir: Path, extra_env: dict | None = None):
        self.binary = binary
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": database_url,
            "LIANXIN_JWT_SECRET": JWT_SECRET,
            "LIANXIN_BIND": f"127.0.0.1:{self.port}",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
            # The drills log in many times from one address.
            "LIANXIN_LOGIN_MAX_FAILURES_PER_IP": "100000",
        })
        self.env.update(extra_env or {})
        self.logfile = open(workdir / "service.log", "ab")
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def cli(self, *args: str, stdin: str = "") -> str:
        out = subprocess.run([self.binary, *args], env=self.env, input=stdin, text=True,
                             capture_output=True)
        if out.returncode != 0:
            raise RuntimeError(f"lianxin {' '.join(args)} failed: {out.stderr}")
        return out.stdout

    def start(self, timeout: float = 60) -> float:
        """Starts the service; returns the seconds until /healthz answered."""
        began = time.monotonic()
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env,
                                     stdout=self.logfile, stderr=self.logfile)
        self.starts += 1
        while time.monotonic() - began < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with {self.proc.returncode}; see service.log")
            status, _, _ = request("GET", self.base + "/healthz", timeout=1)
            if status == 200:
                return time.monotonic() - began
            time.sleep(0.05)
        raise RuntimeError("the service did not come up")

    def signal(self, sig: int) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def wait(self, timeout: float) -> int | None:
        assert self.proc
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            if self.wait(40) is None:
                self.kill()


NOT_SENT = "not sent"
NO_ANSWER = "no answer"


def request(method: str, url: str, token: str | None = None, body: object = None,
            timeout: float = 30) -> tuple[int, object, float]:
    """One request on a new connection: (status, parsed JSON or text, seconds).
    A refused or broken connection is status 0, with a text that starts with `NOT_SENT`
    when the request never left (the server was down) or `NO_ANSWER` when it was sent
    whole and no answer came (the server died or hung up while it had the request)."""
    parts = urlsplit(url)
    began = time.monotonic()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Connection": "close"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    stage = NOT_SENT
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=data, headers=headers)
        stage = NO_ANSWER
        resp = conn.getresponse()
        raw = resp.read()
        status = resp.status
    except (OSError, http.client.HTTPException) as e:
        return 0, f"{stage}: {type(e).__name__}: {e}", time.monotonic() - began
    finally:
        conn.close()
    try:
        parsed: object = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, parsed, time.monotonic() - began


def expect(status: int, got: tuple[int, object, float], what: str) -> object:
    if got[0] != status:
        raise RuntimeError(f"{what}: expected {status}, got {got[0]} {got[1]}")
    return got[1]


def login(base: str, tenant: str | None, username: str) -> str:
    body = {"tenant": tenant, "username": username, "password": PASSWORD}
    return expect(200, request("POST", base + "/api/v1/auth/login", body=body), "login")["access_token"]


class Township:
    """A small township made through the API: platform admin (command line), tenant and its
    admin, one grid, micro-grids with a leader each, and households."""

    def __init__(self, svc: Service, code: str = "drill", micro_grids: int = 2,
                 households_per_micro_grid: int = 10):
        base = svc.base
        api = base + "/api/v1"
        svc.cli("create-platform-admin", "--username", "city", stdin=PASSWORD + "\n")
        platform = login(base, None, "city")
        expect(201, request("POST", api + "/tenants", platform, {
            "code": code, "name": "演练镇", "timezone": "Asia/Shanghai", "visit_interval_days": 7,
            "admin": {"username": "admin", "display_name": "管理员", "password": PASSWORD},
        }), "create tenant")
        self.code = code
        self.admin = login(base, code, "admin")
        grid = expect(201, request("POST", api + "/grids", self.admin,
                                   {"name": "一村", "kind": "village"}), "create grid")
        self.grid_id = grid["id"]
        self.leaders: list[dict] = []
        self.households: list[str] = []
        for m in range(micro_grids):
            micro = expect(201, request("POST", f"{api}/grids/{self.grid_id}/micro-grids", self.admin,
                                        {"name": f"第{m + 1}微网格"}), "create micro-grid")
            username = f"leader{m + 1}"
            user = expect(201, request("POST", api + "/users", self.admin, {
                "username": username, "display_name": f"网格长{m + 1}", "role": "leader",
                "password": PASSWORD}), "create leader")
            expect(200, request("PUT", f"{api}/micro-grids/{micro['id']}/leader", self.admin,
                                {"user_id": user["id"]}), "assign leader")
            homes = []
            for h in range(households_per_micro_grid):
                home = expect(201, request("POST", api + "/households", self.admin, {
                    "micro_grid_id": micro["id"], "kind": "village", "name": f"户{m + 1}-{h + 1}",
                    "address": f"一村{m + 1}组{h + 1}号", "members": 3}), "create household")
                homes.append(home["id"])
            self.households.extend(homes)
            self.leaders.append({"id": user["id"], "username": username, "micro_grid_id": micro["id"],
                                 "households": homes, "token": login(base, code, username)})


def workdir(name: str, keep: bool) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"lianxin-{name}-"))
    os.chmod(path, 0o755)
    if not keep:
        import atexit
        atexit.register(shutil.rmtree, path, True)
    return path
