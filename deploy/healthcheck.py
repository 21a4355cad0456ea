"""The container's health check: GET /healthz from inside, as the proxy would send it.

Production settings refuse a Host not in ALLOWED_HOSTS and redirect plain HTTP to HTTPS, so
the check names the first allowed host and says the proxy terminated TLS. Exits 0 when the
answer is 200 "ok", 1 otherwise (the reason on standard error).
"""

import http.client
import os
import sys

PATH = "/healthz"


def host() -> str:
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        entry = entry.strip().lstrip(".")
        if entry and entry != "*":
            return entry
    return "localhost"


def main() -> int:
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request("GET", PATH, headers={"Host": host(), "X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        body = response.read(100)
    except OSError as exc:
        print(f"{PATH}: {exc}", file=sys.stderr)
        return 1
    if response.status != 200 or body != b"ok":
        print(f"{PATH}: {response.status} {body[:100]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
