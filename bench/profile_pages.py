"""Where the time goes per page: each bench endpoint served in-process, with production settings,
timed by CPU and profiled, against the bench database (the one `make bench` prepared).

    DATABASE_URL=postgres://…/resettle_1m .venv/bin/python bench/profile_pages.py
    .venv/bin/python bench/profile_pages.py --people 2000 --only person,home --top 30

For every endpoint it reports the Python CPU time per request (median and p95, this process
only: the database server's own time is not in it on PostgreSQL), the wall time and the number
of queries, then with --top the functions that take the most time (cProfile over all requests
of the endpoint). Requests rotate over the same roles and sample records as `make bench`.
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import database_url  # noqa: E402


def configure(people: int) -> None:
    os.environ.setdefault("DATABASE_URL", database_url(people))
    os.environ.update(
        {
            "RESETTLE_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "RESETTLE_AUDIT_KEY": secrets.token_urlsafe(50),
            "RESETTLE_AUDIT_CHECKPOINTS": str(ROOT / "bench" / ".data" / "audit-checkpoints.jsonl"),
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "resettle.settings",
        }
    )
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"  # the bench's baselines, as its server serves them
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)
    from resettle.core.collection import tune_for_serving

    tune_for_serving()  # as the bench's server does


def signed_in_clients(roles: set[str]):
    """A test client per role, signed in and past two-factor (the bench's authenticator)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from bench.run import authenticators
    from resettle.accounts.models import User

    devices = authenticators(tuple(sorted(roles)))
    clients = {}
    for role, device in devices.items():
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.force_login(User.objects.get(username=role))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        clients[role] = client
    return clients


def token_clients(roles: set[str]):
    from django.test import Client

    from bench.run import api_tokens

    return {
        role: Client(HTTP_X_FORWARDED_PROTO="https", HTTP_AUTHORIZATION=f"Bearer {secret}")
        for role, secret in api_tokens(tuple(sorted(roles))).items()
    }


class QueryCounter:
    """Counts an endpoint's queries and, across its requests, the time each statement takes."""

    def __init__(self, timings: dict[str, list[float]]) -> None:
        self.count = 0
        self.timings = timings

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.setdefault(sql, []).append((time.perf_counter() - started) * 1000)


def print_slow_queries(key: str, timings: dict[str, list[float]], requests: int, n: int) -> None:
    """The statements that take the most database time per request, slowest first."""
    ranked = sorted(timings.items(), key=lambda item: sum(item[1]), reverse=True)[:n]
    print(f"\n=== {key}: the {n} statements taking most time, ms per request ===")
    for sql, times in ranked:
        print(f"{sum(times) / requests:8.2f} ms  x{len(times) / requests:.1f}  {sql[:400]}")


def measure(
    endpoint, clients, samples, requests: int, top: int, sort: str, dump: str = "", slow: int = 0
) -> dict:
    from django.db import connection

    paths = [
        (role, path)
        for role in endpoint.roles
        for path in endpoint.paths(samples[role])
        if role in clients
    ]
    if not paths:
        return {}
    for role, path in paths[:4]:  # warm caches and the connection
        clients[role].get(path)
    cpu, wall, queries = [], [], []
    profiler = cProfile.Profile() if top or dump else None
    timings: dict[str, list[float]] = {}
    for i in range(requests):
        role, path = paths[i % len(paths)]
        counter = QueryCounter(timings)
        with connection.execute_wrapper(counter):
            if profiler:
                profiler.enable()
            c0, w0 = time.process_time(), time.perf_counter()
            response = clients[role].get(path)
            c1, w1 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.disable()
        if response.status_code != 200:
            raise SystemExit(f"{endpoint.key}: {path} as {role} gave {response.status_code}")
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
        queries.append(counter.count)
    if profiler and dump:
        profiler.dump_stats(f"{dump}-{endpoint.key}.prof")
    if profiler and top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
        print(f"\n=== {endpoint.key}: top {top} by {sort} over {requests} requests ===")
        print(out.getvalue().split("\n\n", 2)[-1])
    if slow:
        print_slow_queries(endpoint.key, timings, requests, slow)
    return {
        "cpu_ms_p50": statistics.median(cpu),
        "cpu_ms_p95": statistics.quantiles(cpu, n=20)[-1] if len(cpu) > 1 else cpu[0],
        "wall_ms_p50": statistics.median(wall),
        "queries_p50": statistics.median(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("BENCH_PEOPLE", 2000)))
    parser.add_argument("--requests", type=int, default=60, help="requests per endpoint")
    parser.add_argument("--only", default="", help="endpoint keys, comma-separated")
    parser.add_argument("--top", type=int, default=0, help="print the top N functions")
    parser.add_argument("--sort", default="tottime", help="cProfile sort: tottime, cumulative")
    parser.add_argument(
        "--dump", default="", help="write each endpoint's profile to <DUMP>-<endpoint>.prof"
    )
    parser.add_argument(
        "--slow-queries", type=int, default=0, help="print the N statements taking most time"
    )
    args = parser.parse_args()
    configure(args.people)
    logging.getLogger("axes").setLevel(logging.WARNING)

    from bench.endpoints import ENDPOINTS
    from bench.run import samples

    only = {key for key in args.only.split(",") if key}
    endpoints = [e for e in ENDPOINTS if e.auth != "anonymous" and (not only or e.key in only)]
    session_roles = {r for e in endpoints if e.auth == "session" for r in e.roles}
    token_roles = {r for e in endpoints if e.auth == "token" for r in e.roles}
    sample = samples(session_roles | token_roles)
    sessions, tokens = signed_in_clients(session_roles), token_clients(token_roles)

    rows = []
    for endpoint in endpoints:
        clients = sessions if endpoint.auth == "session" else tokens
        result = measure(
            endpoint,
            clients,
            sample,
            args.requests,
            args.top,
            args.sort,
            args.dump,
            args.slow_queries,
        )
        if result:
            rows.append((endpoint.key, result))
    print(f"\n{'endpoint':<20} {'CPU p50':>8} {'CPU p95':>8} {'wall p50':>9} {'queries':>8}")
    for key, r in rows:
        print(
            f"{key:<20} {r['cpu_ms_p50']:>6.1f}ms {r['cpu_ms_p95']:>6.1f}ms "
            f"{r['wall_ms_p50']:>7.1f}ms {r['queries_p50']:>8.0f}"
        )


if __name__ == "__main__":
    main()
