"""Load test: many signed-in users at once against a running Resettle, for minutes.

`make bench` measures one endpoint at a time under production settings; this drives a mix of
pages and API calls, as a working day does, from N concurrent users (threads, each signed in
with its own session) for D minutes against a server that is already running: by default the
demo from `make run` on http://127.0.0.1:8000.

Each user signs in through the real sign-in page as a demo login (round-robin over --roles),
then, until the time is up, picks a request at random by weight (home, today, people search, a
person page, referrals received and sent, the API's people list and person detail), sends it,
and pauses for a think time. Person pages and API details use records the role was shown
itself; searches use family names from the API. Routes a role may not use (its first request
answers other than 200) are left out for that role and listed.

It prints requests, errors by status and p50/p95/p99 latency per route and the throughput,
and exits 1 on any error: a status other than 200 (a 5xx, a redirect to sign-in), a request
that failed, or "database is locked" in any answer. `bench/README.md` documents it.

Demo sign-ins skip two-factor sign-in only in development (`make run`): under production
settings every role but the analyst's must use it, and this says so and stops.
"""

import argparse
import ipaddress
import json
import os
import random
import re
import secrets
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
# The demo logins whose work is case-level (the manager and analyst see counts, not people).
DEFAULT_ROLES = ("caseworker", "probation", "mentor", "coordinator", "housing", "family")
# Roles that get an API token (made on the API tokens page, revoked at the end).
DEFAULT_TOKEN_ROLES = ("caseworker", "probation")
# How often each request is picked, relative to the others.
WEIGHTS = {
    "home": 10,
    "today": 15,
    "people_search": 20,
    "person": 25,
    "referrals_received": 5,
    "referrals_sent": 5,
    "api_people": 10,
    "api_person": 10,
}
API_ROUTES = {"api_people", "api_person"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON_LINK = re.compile(r'href="/people/([0-9a-f-]{36})/"')
LOCKED = "database is locked"
TIMEOUT = 60


class SetupError(Exception):
    """The load cannot start: the message says why and what to do."""


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Signing in -------------------------------------------------------------------------------------


def csrf_token(page: str, where: str) -> str:
    match = CSRF.search(page)
    if not match:
        raise SetupError(f"No CSRF token on {where}")
    return match.group(1)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    """A session signed in through the sign-in page, as a browser would."""
    session = requests.Session()
    page = session.get(f"{base}/sign-in/", timeout=TIMEOUT)
    if page.status_code != 200:
        raise SetupError(f"GET /sign-in/ answered {page.status_code}: is Resettle at {base}?")
    answer = session.post(
        f"{base}/sign-in/",
        data={
            "csrfmiddlewaretoken": csrf_token(page.text, "/sign-in/"),
            "username": username,
            "password": password,
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302:
        raise SetupError(
            f"Signing in as {username} answered {answer.status_code}: check the demo password "
            "(--password, DEMO_PASSWORD or .demo-password) and that the account is not locked "
            "out (manage.py axes_reset_username)."
        )
    home = session.get(f"{base}/", allow_redirects=False, timeout=TIMEOUT)
    if home.status_code == 302 and "two-factor" in home.headers.get("Location", ""):
        raise SetupError(
            f"{username} must use two-factor sign-in on this server (production settings, or "
            "not the demo): run against `make run`, or choose other --roles."
        )
    if home.status_code != 200:
        raise SetupError(f"Signed in as {username} but the home page answered {home.status_code}")
    return session


def create_token(base: str, session: requests.Session, name: str) -> str:
    """An API token made on the API tokens page, expiring in 30 days (revoked at the end)."""
    form = session.get(f"{base}/account/api-tokens/new/", timeout=TIMEOUT)
    answer = session.post(
        f"{base}/account/api-tokens/new/",
        data={
            "csrfmiddlewaretoken": csrf_token(form.text, "the new API token page"),
            "name": name,
            "expires_in": "30",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    match = re.search(r'id="api-token-secret"[^>]*value="([^"]+)"', answer.text)
    if answer.status_code != 200 or not match:
        raise SetupError(f"Making an API token answered {answer.status_code}")
    return match.group(1)


def revoke_token(base: str, session: requests.Session, name: str) -> bool:
    listing = session.get(f"{base}/account/api-tokens/", timeout=TIMEOUT).text
    match = re.search(
        r'href="(/account/api-tokens/[0-9a-f-]{36}/revoke/)">Revoke'
        rf'<span class="govuk-visually-hidden"> {re.escape(name)}</span>',
        listing,
    )
    if not match:
        return False
    page = session.get(base + match.group(1), timeout=TIMEOUT)
    answer = session.post(
        base + match.group(1),
        data={"csrfmiddlewaretoken": csrf_token(page.text, "the revoke page")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return answer.status_code in (200, 302)


# What each role asks for ------------------------------------------------------------------------


@dataclass
class Role:
    username: str
    token: str | None = None
    token_name: str = ""
    person_ids: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)


def path_for(route: str, role: Role, names: list[str], rng: random.Random) -> str:
    if route == "home":
        return "/"
    if route == "today":
        return "/today/"
    if route == "people_search":
        return "/people/?" + urlencode({"q": rng.choice(names)})
    if route == "person":
        return f"/people/{rng.choice(role.person_ids)}/"
    if route == "referrals_received":
        return "/referrals/received/"
    if route == "referrals_sent":
        return "/referrals/sent/"
    if route == "api_people":
        return f"/api/v1/people?page={rng.randint(1, 3)}"
    if route == "api_person":
        return f"/api/v1/people/{rng.choice(role.person_ids)}"
    raise ValueError(route)


def api_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def prepare_role(base: str, role: Role, password: str, names: set[str]) -> None:
    """Sign in once as the role to find records it may see and routes it may use."""
    session = sign_in(base, role.username, password)
    ids: set[str] = set()
    for path in ("/", "/today/", "/caseload/", "/referrals/received/", "/referrals/sent/"):
        answer = session.get(base + path, allow_redirects=False, timeout=TIMEOUT)
        if answer.status_code == 200:
            ids.update(PERSON_LINK.findall(answer.text))
    if role.token is not None:
        people = requests.get(
            f"{base}/api/v1/people?page_size=50", headers=api_headers(role.token), timeout=TIMEOUT
        )
        if people.status_code == 200:
            for person in people.json().get("results", []):
                ids.add(str(person["id"]))
                names.add(person["family_name"])
    role.person_ids = sorted(ids)
    rng = random.Random(0)
    search_names = sorted(names) or ["a"]
    for route in WEIGHTS:
        if route in API_ROUTES and role.token is None:
            continue
        if route in {"person", "api_person"} and not role.person_ids:
            role.refused[route] = 0
            continue
        path = path_for(route, role, search_names, rng)
        if route in API_ROUTES:
            assert role.token is not None
            answer = requests.get(base + path, headers=api_headers(role.token), timeout=TIMEOUT)
        else:
            answer = session.get(base + path, allow_redirects=False, timeout=TIMEOUT)
        if answer.status_code == 200:
            role.routes.append(route)
        else:
            role.refused[route] = answer.status_code


# The load ---------------------------------------------------------------------------------------


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    locked: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    requests: int = 0

    def add(self, route: str, status: str, seconds: float, locked: bool) -> None:
        with self.lock:
            self.requests += 1
            self.latencies[route].append(seconds)
            self.statuses[route][status] += 1
            if locked:
                self.locked[route] += 1
            if status != "200" or locked:
                self.errors[route] += 1
            if (status != "200" or locked) and len(self.examples) < 10:
                # Only the route and status: a path can hold a searched name.
                note = " (database is locked)" if locked else ""
                self.examples.append(f"{route}: {status}{note}")


def user_loop(
    number: int,
    base: str,
    role: Role,
    password: str,
    names: list[str],
    args: argparse.Namespace,
    start: threading.Barrier,
    times: dict[str, float],
    results: Results,
    failures: list[str],
) -> None:
    rng = random.Random(args.seed * 100_003 + number)
    try:
        session = sign_in(base, role.username, password)
    except (SetupError, requests.RequestException) as exc:
        failures.append(f"user {number} ({role.username}): {exc}")
        start.abort()
        return
    api = requests.Session()
    if role.token:
        api.headers.update(api_headers(role.token))
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return
    weights = [WEIGHTS[route] for route in role.routes]
    # Users start spread over the first think time, not all in the same instant.
    time.sleep(rng.uniform(0, args.think))
    while time.monotonic() < times["end"] and results.requests < args.max_requests:
        route = rng.choices(role.routes, weights)[0]
        path = path_for(route, role, names, rng)
        client = api if route in API_ROUTES else session
        began = time.perf_counter()
        try:
            answer = client.get(base + path, allow_redirects=False, timeout=TIMEOUT)
            body = answer.text
            status = str(answer.status_code)
        except requests.RequestException as exc:
            body, status = "", type(exc).__name__
        results.add(route, status, time.perf_counter() - began, LOCKED in body)
        if args.think:
            time.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values, in milliseconds."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


def summary(results: Results, seconds: float) -> dict:
    routes = {}
    for route in [r for r in WEIGHTS if r in results.latencies]:
        ordered = sorted(results.latencies[route])
        routes[route] = {
            "requests": len(ordered),
            # Answers other than 200, failed requests and answers saying the database was locked.
            "errors": results.errors[route],
            "statuses": dict(results.statuses[route]),
            "database_locked": results.locked[route],
            "p50_ms": round(percentile(ordered, 0.50), 1),
            "p95_ms": round(percentile(ordered, 0.95), 1),
            "p99_ms": round(percentile(ordered, 0.99), 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "throughput_rps": round(len(ordered) / seconds, 2) if seconds else 0.0,
        }
    everything = sorted(x for values in results.latencies.values() for x in values)
    statuses: Counter[str] = Counter()
    for counter in results.statuses.values():
        statuses.update(counter)
    return {
        "seconds": round(seconds, 1),
        "requests": results.requests,
        "errors": sum(row["errors"] for row in routes.values()),
        "statuses": dict(sorted(statuses.items())),
        "database_locked": sum(results.locked.values()),
        "throughput_rps": round(results.requests / seconds, 2) if seconds else 0.0,
        "p50_ms": round(percentile(everything, 0.50), 1),
        "p95_ms": round(percentile(everything, 0.95), 1),
        "p99_ms": round(percentile(everything, 0.99), 1),
        "routes": routes,
    }


def print_report(report: dict) -> None:
    header = f"{'route':<20}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
    print()
    print(header + f"{'p99 ms':>9}{'req/s':>8}  statuses")
    for route, row in report["routes"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(row["statuses"].items()))
        print(
            f"{route:<20}{row['requests']:>10}{row['errors']:>8}{row['p50_ms']:>9}"
            f"{row['p95_ms']:>9}{row['p99_ms']:>9}{row['throughput_rps']:>8}  {statuses}"
        )
    print(
        f"{'all':<20}{report['requests']:>10}{report['errors']:>8}{report['p50_ms']:>9}"
        f"{report['p95_ms']:>9}{report['p99_ms']:>9}{report['throughput_rps']:>8}"
    )
    statuses = ", ".join(f"{s}: {n}" for s, n in report["statuses"].items())
    print(f"\nStatuses: {statuses}. 'database is locked': {report['database_locked']}.")
    print(
        f"{report['requests']} requests in {report['seconds']} s: "
        f"{report['throughput_rps']} requests a second."
    )


# Running it -------------------------------------------------------------------------------------


def demo_password(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    stored = ROOT / ".demo-password"
    if stored.exists():
        return stored.read_text(encoding="utf-8").strip()
    raise SetupError(
        "No demo password: pass --password, set DEMO_PASSWORD, or run `make run` once (it keeps "
        "the password in .demo-password)."
    )


def is_loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running Resettle")
    parser.add_argument("--users", type=int, default=50, help="concurrent signed-in users")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the load runs")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a user pauses between requests (0: none, as fast as answered)",
    )
    parser.add_argument("--roles", default=",".join(DEFAULT_ROLES), help="demo logins to use")
    parser.add_argument(
        "--token-roles",
        default=",".join(DEFAULT_TOKEN_ROLES),
        help="those of --roles that also call the API",
    )
    parser.add_argument("--password", help="the demo password (default: DEMO_PASSWORD)")
    parser.add_argument("--max-requests", type=int, default=5_000_000, help="stop after these")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a server not on this machine (never point a load test at production)",
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.minutes <= 0 or args.think < 0:
        parser.error("--users must be at least 1, --minutes above 0, --think 0 or more")
    if not is_loopback(args.url) and not args.allow_remote:
        parser.error(f"{args.url} is not on this machine: pass --allow-remote if you mean it")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = args.url.rstrip("/")
    usernames = [name.strip() for name in args.roles.split(",") if name.strip()]
    token_users = {name.strip() for name in args.token_roles.split(",") if name.strip()}
    roles = {name: Role(name) for name in usernames}
    scouts: dict[str, requests.Session] = {}
    names: set[str] = set()
    try:
        password = demo_password(args.password)
        log(f"Preparing {len(roles)} roles against {base}")
        for name in sorted(token_users & set(roles)):
            scouts[name] = sign_in(base, name, password)
            roles[name].token_name = f"Load test {secrets.token_hex(3)}"
            roles[name].token = create_token(base, scouts[name], roles[name].token_name)
        # Roles with a token first: their API lists give the family names everyone searches for.
        for role in sorted(roles.values(), key=lambda r: r.token is None):
            prepare_role(base, role, password, names)
            refused = ", ".join(f"{r} ({s or 'no records'})" for r, s in role.refused.items())
            log(
                f"  {role.username}: {len(role.person_ids)} people; routes "
                f"{', '.join(role.routes)}" + (f"; left out {refused}" if refused else "")
            )
    except (SetupError, requests.RequestException) as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 2

    usable = [role for role in roles.values() if role.routes]
    if not usable:
        print("load.py: no role may use any route", file=sys.stderr)
        return 2
    search_names = sorted(names) or ["a"]
    results = Results()
    failures: list[str] = []
    seconds = args.minutes * 60
    times = {"began": 0.0, "end": 0.0}

    def go() -> None:
        # Run by the barrier before it lets anyone through, so every user sees the end time.
        times["began"] = time.monotonic()
        times["end"] = times["began"] + seconds

    start = threading.Barrier(args.users + 1, action=go)
    threads = [
        threading.Thread(
            target=user_loop,
            args=(
                n,
                base,
                usable[n % len(usable)],
                password,
                search_names,
                args,
                start,
                times,
                results,
                failures,
            ),
            name=f"user-{n}",
            daemon=True,
        )
        for n in range(args.users)
    ]
    log(f"Signing in {args.users} users")
    for thread in threads:
        thread.start()
    try:
        start.wait(timeout=max(120, args.users * 5))
    except threading.BrokenBarrierError:
        print("load.py: signing in failed:\n  " + "\n  ".join(failures[:10]), file=sys.stderr)
        return 2
    log(f"{args.users} users signed in; running for {args.minutes:g} min (think {args.think:g} s)")
    for thread in threads:
        thread.join(timeout=max(0.0, times["end"] - time.monotonic()) + TIMEOUT + 5)
    elapsed = time.monotonic() - times["began"]
    for name, session in scouts.items():
        try:
            if not revoke_token(base, session, roles[name].token_name):
                log(f"Could not revoke {roles[name].token_name!r} for {name}: revoke it by hand")
        except requests.RequestException:
            log(f"Could not revoke {roles[name].token_name!r} for {name}: revoke it by hand")

    report = summary(results, elapsed)
    report.update(
        {
            "url": base,
            "users": args.users,
            "minutes": args.minutes,
            "think_seconds": args.think,
            "roles": {r.username: r.routes for r in usable},
        }
    )
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"Written to {args.json}")
    if report["errors"]:
        print(f"\n{report['errors']} errors, for example:", file=sys.stderr)
        for example in results.examples:
            print(f"  {example}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
