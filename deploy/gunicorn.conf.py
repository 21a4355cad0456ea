"""gunicorn's settings for Resettle, shared by the container (deploy/Containerfile) and the
systemd unit (deploy/systemd/resettle-web.service); each gives the address to listen on.

gunicorn also reads FORWARDED_ALLOW_IPS itself: the addresses whose X-Forwarded-Proto it
believes (Django reads the header through SECURE_PROXY_SSL_HEADER either way).
"""

import os


def _cores() -> int:
    # The cores this process may run on, which a container's cpuset limits; cpu_count() does not.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# Sync workers, as `make bench` measures: pages wait on the database, not the CPU, so a few more
# workers than cores keep the cores busy. Each holds one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * _cores() + 1, 9))
worker_class = "sync"
# Imports, exports and report builds run in the task worker: a page that takes a minute is stuck.
timeout = 60
graceful_timeout = 30
# The proxy keeps connections open to us.
keepalive = 5
# A worker is replaced after this many requests (staggered), so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# No access log: it would write each path and query string, and so the names, dates of birth and
# identifiers typed into a search. Resettle logs each request itself, naming only the route.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Headers with underscores could smuggle a value past a proxy that sets the dashed form.
header_map = "drop"
