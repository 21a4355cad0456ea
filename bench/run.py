"""The Resettle benchmark, run by `make bench`.

1. Prepares a database: the one in DATABASE_URL, or a SQLite file under bench/.data/; migrates
   it, adds the demo partnership and BENCH_PEOPLE people of scale data (reused when present).
2. Starts Resettle under gunicorn with production settings on loopback (several workers).
3. Signs in demo logins of several roles through the real sign-in and two-factor pages (the
   bench gives each an authenticator and computes its codes) and makes them API tokens.
4. Drives each endpoint from wrk, a separate process, at BENCH_CONNECTIONS concurrent users
   for BENCH_DURATION seconds (and at most BENCH_MAX_REQUESTS requests), after a warm-up.
5. Writes bench/results/<date>-<db>-<size>.json and the table in bench/README.md.

Production settings stay as they are (two-factor sign-in enforced, secure cookies, HTTPS): the
load generator presents itself as a TLS-terminating proxy would (X-Forwarded-Proto: https).
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = BENCH / "wrk" / "requests.lua"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or "bench-demo-password-2026"
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


# The database -----------------------------------------------------------------------------------


def database_url(people: int) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    data = BENCH / ".data"
    data.mkdir(exist_ok=True)
    (data / ".gitignore").write_text("*\n")
    return f"sqlite:///{data / f'bench-{people}.sqlite3'}"


def manage(*args: str, env: dict[str, str], quiet: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py)
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    if not quiet:
        for line in result.stdout.splitlines():
            if line.strip():
                print(f"    {line}", flush=True)
    return result.stdout


def prepare_database(people: int, env: dict[str, str], fresh: bool) -> None:
    url = env["DATABASE_URL"]
    if fresh and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    log("Migrating")
    manage("migrate", "--no-input", "-v0", env=env)
    setup_django(env)
    from resettle.demo.generator import demo_exists
    from resettle.demo.generator.scale import scale_data_exists

    if not demo_exists():
        log("Adding the demo partnership")
        manage("generate_demo", env=env, quiet=True)
    if not scale_data_exists():
        log(f"Generating {people:,} people of scale data")
        manage("generate_scale", "--people", str(people), env=env)
    else:
        log("Scale data already present: reusing it (BENCH_FRESH=1 to start again)")


_django_ready = False


def setup_django(env: dict[str, str]) -> None:
    global _django_ready
    if _django_ready:
        return
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "resettle.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _django_ready = True


def data_size() -> dict[str, int]:
    from resettle.contacts.models import Contact
    from resettle.people.models import Person

    return {"people": Person.objects.count(), "contacts": Contact.objects.count()}


# Sign-ins ---------------------------------------------------------------------------------------


def authenticators(usernames: tuple[str, ...]) -> dict[str, object]:
    """A confirmed authenticator (TOTP device) for each bench login, made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from resettle.accounts.models import User

    devices = {}
    for username in usernames:
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, name="Bench authenticator").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name="Bench authenticator", confirmed=True
            )
        devices[username] = device
    return devices


def totp_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def api_tokens(usernames: tuple[str, ...]) -> dict[str, str]:
    from resettle.accounts.models import User
    from resettle.api.services import api_token_create

    return {
        username: api_token_create(
            user=User.objects.get(username=username), name=f"Bench {secrets.token_hex(3)}"
        ).secret
        for username in usernames
    }


class Client:
    """Just enough HTTP for signing in: cookies, CSRF, no redirects followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        connection.close()
        return response.status, response.headers, text

    def csrf(self, page: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise SystemExit("No CSRF token on the sign-in page")
        return match.group(1)


def sign_in(port: int, username: str, device) -> dict[str, str]:
    """Sign in through the real pages: password, then the authenticator's code."""
    client = Client(port)
    status, _, page = client.request("GET", "/sign-in/")
    if status != 200:
        raise SystemExit(f"GET /sign-in/ gave {status}")
    status, _, _ = client.request(
        "POST",
        "/sign-in/",
        {"csrfmiddlewaretoken": client.csrf(page), "username": username, "password": DEMO_PASSWORD},
    )
    if status != 302:
        raise SystemExit(f"Signing in as {username} failed ({status}): check DEMO_PASSWORD")
    verify = "/account/two-factor/verify/"
    status, _, page = client.request("GET", verify)
    if status != 200:
        raise SystemExit(f"GET {verify} gave {status} for {username}")
    status, _, _ = client.request(
        "POST", verify, {"csrfmiddlewaretoken": client.csrf(page), "code": totp_code(device)}
    )
    if status != 302:
        raise SystemExit(f"Two-factor sign-in as {username} failed ({status})")
    status, _, _ = client.request("GET", "/")
    if status != 200:
        raise SystemExit(f"Signed in as {username} but the home page gave {status}")
    return client.cookies


# Sample records ---------------------------------------------------------------------------------


def samples(roles: set[str]):
    from bench.endpoints import SAMPLES_PER_ROLE, Sample
    from resettle.access import policy
    from resettle.accounts.models import Membership
    from resettle.people.models import Identifier

    result = {}
    for role in sorted(roles):
        actor = Membership.objects.select_related("organisation", "user").get(user__username=role)
        visible = policy.people_visible_to(actor)
        people = list(
            visible.order_by("id").values("id", "family_name", "date_of_birth")[
                : SAMPLES_PER_ROLE * 3
            ]
        )[::3] or list(visible.values("id", "family_name", "date_of_birth")[:SAMPLES_PER_ROLE])
        ids = [p["id"] for p in people]
        identifiers = list(
            Identifier.objects.filter(person_id__in=ids)
            .exclude(scheme="ni_number")
            .order_by("value")
            .values_list("value", flat=True)[:SAMPLES_PER_ROLE]
        )
        sessions = policy.sessions_visible_to(actor).order_by("-starts_at")
        result[role] = Sample(
            session_ids=[
                str(pk) for pk in sessions.values_list("pk", flat=True)[:SAMPLES_PER_ROLE]
            ],
            person_ids=[str(pk) for pk in ids],
            family_names=sorted({p["family_name"] for p in people}),
            dates_of_birth=[p["date_of_birth"].isoformat() for p in people if p["date_of_birth"]],
            identifiers=identifiers,
        )
    return result


# The server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env(base: dict[str, str], port: int) -> dict[str, str]:
    env = dict(base)
    env.update(
        {
            "RESETTLE_ENV": "production",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
            "RESETTLE_AUDIT_KEY": env.get("BENCH_AUDIT_KEY") or secrets.token_urlsafe(50),
            "RESETTLE_AUDIT_CHECKPOINTS": str(BENCH / ".data" / "audit-checkpoints.jsonl"),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{port}",
            "DEBUG": "0",
        }
    )
    return env


def start_server(env: dict[str, str], port: int, workers: int, log_path: Path):
    command = [
        str(GUNICORN),
        "bench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    output = open(log_path, "a")  # noqa: SIM115 (the server's for its lifetime)
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start: see {log_path}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer within 60s: see {log_path}")


def stop_server(server) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# The load ---------------------------------------------------------------------------------------


def drain(port: int, limit: float = 180.0) -> None:
    """Wait until the server has finished what the last run left queued (wrk stops sending,
    but requests already taken keep the workers busy): hello must answer quickly again."""
    deadline = time.time() + limit
    while time.time() < deadline:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=limit)
            connection.request("GET", "/bench/hello/", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()
        except OSError:
            time.sleep(1)
            continue
        if time.perf_counter() - started < 0.1:
            return
        time.sleep(0.5)


def resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(urlparse(path).path, urlconf="bench.urls")
    except Resolver404:
        return False
    return True


def request_lines(endpoint, sessions, tokens, sample_for) -> list[str]:
    lines = []
    base = "X-Forwarded-Proto: https"
    if endpoint.auth == "anonymous":
        return [f"GET\t{path}\t{base}" for path in endpoint.paths(None)]
    for role in endpoint.roles:
        if endpoint.auth == "session":
            cookie = "; ".join(f"{k}={v}" for k, v in sessions[role].items())
            headers = f"{base}|Cookie: {cookie}"
        else:
            headers = f"{base}|Authorization: Bearer {tokens[role]}|Accept: application/json"
        for path in endpoint.paths(sample_for[role]):
            lines.append(f"GET\t{path}\t{headers}")
    # Interleave roles so every connection sees all of them.
    by_role = len(endpoint.roles)
    return [
        lines[i] for start in range(by_role) for i in range(start, len(lines), by_role)
    ] or lines


def run_wrk(port: int, lines: list[str], *, seconds: float, connections: int, threads: int,
            max_requests: int) -> dict:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        request_file = handle.name
    per_thread = max(1, max_requests // threads) if max_requests else 0
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=30s",
        "--script",
        str(LUA),
        f"http://{HOST}:{port}",
        "--",
        request_file,
        str(per_thread),
    ]
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        os.unlink(request_file)
    match = re.search(r"^BENCH_JSON (.*)$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk gave no result:\n{output}")
    return json.loads(match.group(1))


def summarise(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    errors = (
        raw["errors_connect"]
        + raw["errors_read"]
        + raw["errors_write"]
        + raw["errors_timeout"]
        + raw["not_200"]
    )
    return {
        "requests": raw["responses"],
        "seconds": round(seconds, 2),
        "throughput_rps": round(raw["responses"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        "non_200": raw["not_200"],
    }


# Results ----------------------------------------------------------------------------------------

TABLE_START = "<!-- results:start -->"
TABLE_END = "<!-- results:end -->"


def render_table(result: dict) -> str:
    db = result["database"]
    size = result["data"]
    lines = [
        f"#### {result['date']} — {db}, {size['people']:,} people / {size['contacts']:,} "
        f"contacts, {result['server']['workers']} gunicorn workers, "
        f"{result['load']['connections']} concurrent users, {result['machine']['cores']} cores",
        "",
        "| endpoint | roles | p50 ms | p95 ms | p99 ms | req/s | x hello | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for row in result["endpoints"]:
        if row["status"] != "measured":
            lines.append(
                f"| {row['label']} | {', '.join(row['roles'])} | {row['status']} ||||| "
                f"{row.get('errors', '')} |"
            )
            continue
        lines.append(
            f"| {row['label']} | {', '.join(row['roles']) or 'anonymous'} | {row['p50_ms']} | "
            f"{row['p95_ms']} | {row['p99_ms']} | {row['throughput_rps']} | "
            f"{row['ratio_to_hello']:.3f} | {row['errors']} |"
        )
    return "\n".join(lines)


def update_readme() -> None:
    """The README's table: the latest result for each database and size."""
    readme = BENCH / "README.md"
    text = readme.read_text()
    latest: dict[tuple[str, int], tuple[str, dict]] = {}
    for path in sorted(RESULTS.glob("*.json")):
        result = json.loads(path.read_text())
        if "requested_people" not in result:  # another bench's result (reports, linkage)
            continue
        key = (result["database"], result["requested_people"])
        latest[key] = (path.name, result)
    blocks = [
        render_table(result) + f"\n\n(`results/{name}`)"
        for (_, _), (name, result) in sorted(latest.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    body = "\n\n".join(blocks) or "No results yet: run `make bench`."
    start, end = text.index(TABLE_START), text.index(TABLE_END)
    readme.write_text(text[: start + len(TABLE_START)] + "\n" + body + "\n" + text[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", 2000)))
    parser.add_argument(
        "--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 10))
    )
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 2)))
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 10))
    )
    parser.add_argument(
        "--max-requests", type=int, default=int(os.environ.get("BENCH_MAX_REQUESTS", 200000))
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""))
    parser.add_argument("--fresh", action="store_true", default=bool(os.environ.get("BENCH_FRESH")))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk).")
    if not GUNICORN.exists():
        raise SystemExit("gunicorn is not installed: `make bench` installs the bench extra.")

    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(args.people),
            "RESETTLE_ENV": "development",
            "DEMO_PASSWORD": DEMO_PASSWORD,
        }
    )
    prepare_database(args.people, env, args.fresh)
    from django.db import connection

    from bench.endpoints import ENDPOINTS, SESSION_ROLES

    vendor = connection.vendor
    size = data_size()
    log(f"Data: {size['people']:,} people, {size['contacts']:,} contacts ({vendor})")
    log("Collecting static files")
    port = free_port()
    server_env = production_env(env, port)
    manage("collectstatic", "--no-input", "-v0", env=server_env)

    devices = authenticators(SESSION_ROLES)
    # Every role an API endpoint is measured for gets a token (the sessions list: a trust's).
    token_roles = tuple(sorted({r for e in ENDPOINTS if e.auth == "token" for r in e.roles}))
    tokens = api_tokens(token_roles)
    sample_for = samples(set(SESSION_ROLES) | set(token_roles))
    connection.close()

    log_path = BENCH / ".data" / "gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)
    log(f"Starting gunicorn ({args.workers} workers) on {HOST}:{port}")
    server = start_server(server_env, port, args.workers, log_path)
    rows = []
    try:
        sessions = {role: sign_in(port, role, devices[role]) for role in SESSION_ROLES}
        log(f"Signed in: {', '.join(SESSION_ROLES)}; API tokens: {', '.join(token_roles)}")
        only = {k for k in args.only.split(",") if k}
        for endpoint in ENDPOINTS:
            row = {
                "key": endpoint.key,
                "label": endpoint.label,
                "auth": endpoint.auth,
                "roles": list(endpoint.roles),
            }
            rows.append(row)
            if only and endpoint.key not in only and endpoint.key != "hello":
                row["status"] = "skipped"
                continue
            if not resolves(endpoint.probe):
                row["status"] = "not built"
                log(f"{endpoint.label}: not built ({endpoint.probe} does not resolve)")
                continue
            lines = request_lines(endpoint, sessions, tokens, sample_for)
            if not lines:
                row["status"] = "no sample data"
                continue
            threads = min(2, args.connections)
            drain(port)
            if args.warmup:
                run_wrk(port, lines, seconds=args.warmup, connections=args.connections,
                        threads=threads, max_requests=0)  # fmt: skip
            drain(port)
            raw = run_wrk(port, lines, seconds=args.duration, connections=args.connections,
                          threads=threads, max_requests=args.max_requests)  # fmt: skip
            if raw["responses"] == 0:
                # Slower than the run itself: wrk would report nothing, so say so.
                row["status"] = f"no response within {args.duration:g}s"
                row["errors"] = args.connections
                log(f"{endpoint.label}: {row['status']}")
                continue
            row.update(summarise(raw))
            row["status"] = "measured"
            # wrk runs out its time even when every thread has stopped at the cap, so a capped
            # run's throughput is a lower bound.
            row["capped"] = bool(args.max_requests) and raw["responses"] >= args.max_requests
            row["distinct_requests"] = len(lines)
            log(
                f"{endpoint.label}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"p99 {row['p99_ms']} ms, {row['throughput_rps']} req/s, {row['errors']} errors"
            )
    finally:
        stop_server(server)
    hello = next((r for r in rows if r["key"] == "hello" and r["status"] == "measured"), None)
    for row in rows:
        if row["status"] == "measured" and hello:
            row["ratio_to_hello"] = round(row["throughput_rps"] / hello["throughput_rps"], 4)

    today = datetime.now(UTC)
    result = {
        "date": today.strftime("%Y-%m-%d %H:%M UTC"),
        "database": vendor,
        "requested_people": args.people,
        "data": size,
        "server": {"software": "gunicorn (sync workers)", "workers": args.workers},
        "load": {
            "generator": "wrk (bench/wrk/requests.lua)",
            "connections": args.connections,
            "seconds_per_endpoint": args.duration,
            "warmup_seconds": args.warmup,
            "max_requests_per_endpoint": args.max_requests,
        },
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "endpoints": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"{today:%Y-%m-%d}-{'postgresql' if vendor == 'postgresql' else 'sqlite'}-{args.people}"
    path = RESULTS / f"{name}.json"
    if only and path.exists():
        # A subset run keeps the day's figures for the endpoints it skipped.
        earlier = {r["key"]: r for r in json.loads(path.read_text())["endpoints"]}
        result["endpoints"] = [
            earlier.get(r["key"], r) if r["status"] == "skipped" else r for r in rows
        ]
    path.write_text(json.dumps(result, indent=2) + "\n")
    update_readme()
    print()
    print(render_table(result))
    print(f"\nWritten to {path.relative_to(ROOT)} and bench/README.md")


if __name__ == "__main__":
    main()
