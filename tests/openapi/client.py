#!/usr/bin/env python3
"""The served OpenAPI document as a township's IT contractor would first use it.

1. A standard validator (openapi-spec-validator) accepts `/api/v1/openapi.json`.
2. A standard generator (openapi-python-client) makes a Python client from it, without a
   warning.
3. That client, against a running server on a cluster of its own: the city's operator makes a
   township; its admin a grid, a micro-grid, a leader and two households; the leader signs in,
   lists their households and records a visit (again: 200, nothing new). The database then
   holds exactly that visit.

    tests/openapi/client.py [--binary target/debug/lianxin] [--keep]

Needs `openapi-spec-validator` and `openapi-python-client` (pip; `.ci/run` installs them) and
the PostgreSQL server binaries.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "scripts" / "drills"))
from drillkit import PASSWORD, Postgres, Service, common_args, find_binary, log, request, workdir  # noqa: E402

passed: list[str] = []
failed: list[str] = []


def check(what: str, ok: bool, detail: object = "") -> None:
    (passed if ok else failed).append(what)
    log(("ok    " if ok else "FAIL  ") + what + ("" if ok else f": {detail}"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True)


def generate(spec: Path, work: Path):
    """The generated package, imported."""
    out = work / "lianxin_client"
    gen = run("openapi-python-client", "generate", "--path", str(spec), "--output-path", str(out),
              "--meta", "none", "--config", str(HERE / "generator.yml"))
    print(gen.stdout.strip(), gen.stderr.strip(), sep="\n", flush=True)
    check("openapi-python-client generates a client", gen.returncode == 0 and out.is_dir(), gen.returncode)
    check("... without a warning", "Warning" not in gen.stdout + gen.stderr)
    sys.path.insert(0, str(work))
    return importlib.import_module("lianxin_client")


def use_the_client(base: str, pg: Postgres) -> None:
    from lianxin_client import AuthenticatedClient, Client
    from lianxin_client.api.auth import login
    from lianxin_client.api.grids import create_grid
    from lianxin_client.api.households import create_household, list_households
    from lianxin_client.api.micro_grids import assign_leader, create_micro_grid
    from lianxin_client.api.tenants import create_tenant
    from lianxin_client.api.users import create_user
    from lianxin_client.api.visits import list_visits, record_visit
    from lianxin_client.models import (AssignLeader, CreateGrid, CreateHousehold, CreateMicroGrid, GridKind,
                                       HouseholdKind, LoginRequest, NewTenant, NewTenantAdmin, NewUser, Role,
                                       VisitInput, VisitMethod)

    def signed_in(tenant: str | None, username: str) -> AuthenticatedClient:
        answer = login.sync_detailed(client=Client(base_url=base),
                                     body=LoginRequest(username=username, password=PASSWORD, tenant=tenant))
        check(f"{username} signs in", answer.status_code == 200, answer.content)
        return AuthenticatedClient(base_url=base, token=answer.parsed.access_token)

    def created(what: str, answer):
        check(what, answer.status_code == 201, answer.content)
        return answer.parsed

    operator = signed_in(None, "city")
    created("the operator makes a township", create_tenant.sync_detailed(client=operator, body=NewTenant(
        code="contract", name="承包镇",
        admin=NewTenantAdmin(username="admin", display_name="管理员", password=PASSWORD))))
    admin = signed_in("contract", "admin")
    grid = created("the admin makes a grid", create_grid.sync_detailed(
        client=admin, body=CreateGrid(name="一村", kind=GridKind.VILLAGE)))
    micro = created("... a micro-grid", create_micro_grid.sync_detailed(
        grid.id, client=admin, body=CreateMicroGrid(name="一村1组", group_name="一村1组群")))
    leader = created("... a leader", create_user.sync_detailed(client=admin, body=NewUser(
        username="leader", display_name="网格长", role=Role.LEADER, password=PASSWORD)))
    answer = assign_leader.sync_detailed(micro.id, client=admin, body=AssignLeader(user_id=leader.id))
    check("... makes them the micro-grid's leader", answer.status_code == 200, answer.content)
    homes = [created(f"... a household ({name})", create_household.sync_detailed(client=admin, body=CreateHousehold(
        micro_grid_id=micro.id, kind=HouseholdKind.VILLAGE, name=name, address=address, phone=phone)))
        for name, address, phone in [("张三", "一村1组1号", "13812345678"), ("李四", "一村1组2号", "13987654321")]]

    phone = signed_in("contract", "leader")
    listed = list_households.sync_detailed(client=phone)
    names = sorted(h.name for h in listed.parsed.items) if listed.status_code == 200 else listed.content
    check("the leader lists their households", names == ["张三", "李四"], names)

    visit_id = uuid.uuid4()
    visited_at = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(microsecond=0)
    visit = VisitInput(id=visit_id, household_id=homes[0].id, visited_at=visited_at.isoformat(),
                       method=VisitMethod.DOOR, summary="认亲，了解家庭情况", acquainted=True)
    first = record_visit.sync_detailed(client=phone, body=visit)
    check("the leader records a visit: 201", first.status_code == 201, first.content)
    again = record_visit.sync_detailed(client=phone, body=visit)
    check("... the same visit again: 200, the stored one",
          again.status_code == 200 and again.parsed.id == visit_id, again.content)
    log_ = list_visits.sync_detailed(client=phone, household_id=homes[0].id)
    check("... and it is in the household's visit log",
          log_.status_code == 200 and [v.id for v in log_.parsed.items] == [visit_id], log_.content)

    rows = pg.query("SELECT id, household_id, leader_id, extract(epoch FROM visited_at)::bigint, method, "
                    "summary, acquainted FROM visits").splitlines()
    expected = "|".join([str(visit_id), str(homes[0].id), str(leader.id), str(int(visited_at.timestamp())),
                         "door", "认亲，了解家庭情况", "t"])
    check("the database holds exactly that visit", rows == [expected], rows)


def main() -> int:
    args = common_args(__doc__).parse_args()
    binary = find_binary(args.binary)
    work = workdir("openapi", args.keep)
    pg = Postgres(work, args.database_url)
    svc = Service(binary, pg.url, work)
    try:
        svc.cli("migrate")
        svc.cli("create-platform-admin", "--username", "city", stdin=PASSWORD + "\n")
        svc.start()
        status, text, _ = request("GET", svc.base + "/api/v1/openapi.json")
        check("the service serves its OpenAPI document", status == 200, status)
        spec = work / "openapi.json"
        spec.write_text(json.dumps(text, ensure_ascii=False))
        check(f"it is OpenAPI {text.get('openapi')}", str(text.get("openapi", "")).startswith("3.1"))
        valid = run("openapi-spec-validator", str(spec))
        print(valid.stdout.strip(), valid.stderr.strip(), sep="\n", flush=True)
        check("openapi-spec-validator finds it valid", valid.returncode == 0, valid.returncode)
        generate(spec, work)
        use_the_client(svc.base, pg)
    except Exception as e:  # a crash is a failure to report, not a traceback to hunt for
        check("the run completed", False, repr(e))
        raise
    finally:
        svc.stop()
        pg.close()
    print(f"openapi client: {len(passed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
