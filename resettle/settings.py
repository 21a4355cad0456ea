"""Resettle settings, read from the environment.

Production defaults are safe (no debug, secure cookies, HSTS, CSP). `make run` sets
RESETTLE_ENV=development for local use; tests use RESETTLE_ENV=test.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


ENVIRONMENT = env_str("RESETTLE_ENV", "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured("RESETTLE_ENV must be production, development or test.")
LOCAL = ENVIRONMENT in {"development", "test"}

# Off unless asked for, in the demo too: a user following a link to a record they may not see
# gets the service's own "Page not found", not Django's debug page listing every address.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-key-do-not-use-in-production" if LOCAL else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if LOCAL else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django_guid",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",  # its Swagger UI templates and static files, served locally (no CDN)
    "resettle.core",
    "resettle.operations",
    "resettle.accounts",
    "resettle.people",
    "resettle.access",
    "resettle.notifications",
    "resettle.partnerships",
    "resettle.consent",
    "resettle.audit",
    "resettle.suitability",
    "resettle.directory",
    "resettle.openreferral",
    "resettle.referrals",
    "resettle.custody",
    "resettle.cases",
    "resettle.mentoring",
    "resettle.contacts",
    "resettle.appointments",
    "resettle.plans",
    "resettle.registers",
    "resettle.evaluation",
    "resettle.offending",
    "resettle.dataprotection",
    "resettle.outcomes",
    "resettle.reports",
    "resettle.linkage",
    "resettle.today",
    "resettle.api",
    "resettle.demo",
    "resettle.web",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (X-Request-ID, made when not sent).
    "django_guid.middleware.guid_middleware",
    "resettle.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "resettle.core.middleware.PrivateResponsesMiddleware",
    # Every page needs a signed-in user unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "resettle.accounts.security.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session idle too long, saying why (it needs the messages above).
    "resettle.accounts.security.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "resettle.accounts.middleware.ActingOrganisationMiddleware",
    # After the OTPMiddleware: sends whoever must use two-factor sign-in to set it up or verify.
    "resettle.accounts.security.middleware.MFARequiredMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username is refused before its password is even checked.
    "resettle.accounts.security.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "resettle.urls"
WSGI_APPLICATION = "resettle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "resettle" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resettle.web.context_processors.resettle",
                "resettle.notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'resettle.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept between requests as PostgreSQL's are: a new one each request cost 1.5-2.5 ms of CPU
    # (Django's SQL functions registered, the pragmas run) and started with a cold page cache;
    # at 1M the signed-in pages served 2-2.5 times fewer requests a second that way.
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Pages read a few rows each. Starting parallel workers for one of their queries took
    # longer (~30 ms) than the query, and under load no core is free to run them.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather=0"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Locally, WhiteNoise serves the built frontend straight from frontend/dist, DEBUG or not.
WHITENOISE_USE_FINDERS = LOCAL
WHITENOISE_AUTOREFRESH = LOCAL

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if ENVIRONMENT == "test":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Sessions and cookies: secure outside local development.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# IdleTimeoutMiddleware signs a session out after SESSION_IDLE_SECONDS without a request. The
# session itself lives a working day longer, only so the sign-in page can then say why.
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + 8 * 60 * 60
# However busy, a session ends this long after signing in (IdleTimeoutMiddleware).
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 10 * 60 * 60)
# The idle-timeout middleware writes the last activity at most every 30 seconds, and each write
# moves the age above on; saving on every request too would make every page view a write.
SESSION_SAVE_EVERY_REQUEST = False
# Django's database sessions, read by a prepared query (resettle/accounts/sessions.py).
SESSION_ENGINE = "resettle.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not LOCAL
CSRF_COOKIE_SECURE = not LOCAL
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The audit trail takes the client's address from X-Forwarded-For only when told to: behind a
# proxy of yours that sets it. Otherwise anyone could write any address there.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)
# The audit trail's HMAC key (resettle/audit/chain.py). It must never be stored in the database:
# whoever can write the database but does not hold this key cannot forge or re-chain events.
AUDIT_KEY = env_str(
    "RESETTLE_AUDIT_KEY", "insecure-local-audit-key-do-not-use-in-production" if LOCAL else None
)
if not LOCAL and (len(AUDIT_KEY) < 32 or AUDIT_KEY == SECRET_KEY):
    raise ImproperlyConfigured(
        "RESETTLE_AUDIT_KEY must be at least 32 characters and differ from SECRET_KEY."
    )
# Independent hash chains the trail is split over, so audited reads do not queue on one lock.
AUDIT_CHAINS = env_int("RESETTLE_AUDIT_CHAINS", 16)
if not 1 <= AUDIT_CHAINS <= 1024:
    raise ImproperlyConfigured("RESETTLE_AUDIT_CHAINS must be between 1 and 1024.")
# Signed checkpoints of each chain's latest hash, appended as JSON lines to a file outside the
# database (resettle/audit/checkpoints.py): after every RESETTLE_AUDIT_CHECKPOINT_EVERY events
# of a chain (0: never), on `manage.py audit_checkpoint` and after each passing `verify_audit`.
AUDIT_CHECKPOINT_PATH = Path(
    env_str(
        "RESETTLE_AUDIT_CHECKPOINTS",
        str(BASE_DIR / "audit-checkpoints.jsonl") if LOCAL else None,
    )
)
AUDIT_CHECKPOINT_EVERY = env_int(
    "RESETTLE_AUDIT_CHECKPOINT_EVERY", 0 if ENVIRONMENT == "test" else 1000
)
SECURE_HSTS_SECONDS = 0 if LOCAL else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL
# Asking browsers to preload HTTPS for the whole domain binds every subdomain for years: the
# operator's choice for their domain, so off unless asked for (check --deploy is told below).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Demo accounts may skip MFA only outside production (DESIGN §7).
DEMO_MODE = env_bool("RESETTLE_DEMO", LOCAL)

# Two-factor sign-in (TOTP) for every role that sees case-level data. Always on in production;
# off by default in the test environment, whose tests sign in with force_login (which skips it)
# and turn it on where they test it.
MFA_ENFORCED = ENVIRONMENT == "production" or env_bool("MFA_ENFORCED", ENVIRONMENT != "test")
OTP_TOTP_ISSUER = "Resettle"

# Lockout after repeated failed sign-ins (django-axes), per username whatever the address: an
# attacker cannot dodge it by changing address. An address is stopped too, but only after many
# failures across usernames (SIGN_IN_ADDRESS_FAILURE_LIMIT), so a few typos in one office behind
# a shared address lock nobody else out. Admins unlock with
# `manage.py axes_reset_username <username>`.
AXES_FAILURE_LIMIT = 5
# django-axes' default, named so the locked-out page can read it.
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns when the address is not a lockout parameter; locking by username alone is the choice
# above, and adding the address beside it would only silence the warning.
SILENCED_SYSTEM_CHECKS = ["axes.W006", *([] if SECURE_HSTS_PRELOAD else ["security.W021"])]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not push the end of the lock back: otherwise anyone could keep a
# known username locked for ever by trying it every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every failure is logged (username, address, time), so an address trying many usernames is
# stopped too (accounts/security/lockout.py), however few tries each username gets.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 30)
# Failures from every address together within the cool-off that mean a spray from many addresses;
# then an address stops after SIGN_IN_FAILURES_UNDER_ATTACK failures of its own.
SIGN_IN_OVERALL_FAILURE_LIMIT = env_int("SIGN_IN_OVERALL_FAILURE_LIMIT", 300)
SIGN_IN_FAILURES_UNDER_ATTACK = env_int("SIGN_IN_FAILURES_UNDER_ATTACK", 3)
AXES_LOCKOUT_CALLABLE = "resettle.accounts.security.lockout.locked_out"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if LOCAL
    else "django.core.mail.backends.smtp.EmailBackend",
)
# The SMTP server invitations and alerts go through (a relay or a provider's submission port).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL (465), not both."
    )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Resettle <resettle@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logs go to standard error, one JSON object a line in production (LOG_FORMAT=json) with the
# request id on every line; plain text locally. Nothing logs personal data: the request log
# names the route pattern, never the path or query string.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if LOCAL else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {"correlation_id": "request_id", "levelname": "level"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # One line a request is for operators; locally it would drown the runserver's own.
    "loggers": {
        "resettle.request": {"level": env_str("REQUEST_LOG_LEVEL", "WARNING" if LOCAL else "INFO")},
        # It says at INFO, for every request, that it made an id.
        "django_guid": {"level": "WARNING"},
    },
}
# Where `manage.py backup` writes (outside the database, ideally on other storage).
BACKUP_DIR = Path(env_str("RESETTLE_BACKUP_DIR", str(BASE_DIR / "backups")))
# /readyz reports the service not ready when no task worker has been seen for this long.
WORKER_STALE_SECONDS = env_int("RESETTLE_WORKER_STALE_SECONDS", 120)
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    # An id sent by a proxy is kept only when it is a UUID; anything else is replaced.
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
}
