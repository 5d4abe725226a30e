"""Settings for every environment, read once from the environment (12-factor).

With no variables set, roils runs on the embedded default: two SQLite files under var/ and
Celery tasks executed in-process after commit, so the quick start needs no server.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))  # the embedded databases and the local key
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=True)
# A key that was ever published (an old default, the example file's) would let anyone forge a signed cookie.
_PUBLISHED_KEYS = {
    "insecure-dev-key-do-not-use-in-production",
    "change-me-to-a-random-string-of-at-least-fifty-characters-000000",
}


def _key_from_file(path: Path) -> str:
    """The secret key kept in `path`, made once (random, readable by its owner only) if the file does not exist."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        import secrets

        key = secrets.token_urlsafe(64)
        try:
            with open(path, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as handle:
                handle.write(key + "\n")
        except FileExistsError:  # another process made it first: use theirs
            return path.read_text().strip()
        return key


# SECRET_KEY, else the file SECRET_KEY_FILE names (made once: `make run` keeps var/secret_key); with DEBUG on and
# neither set, var/secret_key. Never a published key.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    _key_file = env.str("SECRET_KEY_FILE", default="") or (str(VAR_DIR / "secret_key") if DEBUG else "")
    SECRET_KEY = _key_from_file(Path(_key_file)) if _key_file else ""
if not SECRET_KEY or SECRET_KEY in _PUBLISHED_KEYS or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "Set SECRET_KEY (or SECRET_KEY_FILE) to a random string of at least 50 characters that was never published."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's own form templates (layouts, error lists), found by FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "practices",
    "events",
    "review",
    "reporting",
    "analytics",
]

MIDDLEWARE = [
    "foundation.proxy.ForwardedForMiddleware",  # first: the client's address, behind a proxy, for everything below
    "django.middleware.security.SecurityMiddleware",
    "foundation.headers.PermissionsPolicyMiddleware",  # on every response, static files included
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "practices.sessions.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "practices.twofactor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "roils.urls"
WSGI_APPLICATION = "roils.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roils.context_processors.site",
            ],
        },
    },
    {
        # Second, so that a page's name is looked up among the Django templates first. Form widgets, the field
        # template of crispy-forms' FIELD_HELPER and the review form's pickers (foundation/jinja.py,
        # foundation/renderers.py): foundation/jinja2 first (it overrides some of Django's widget templates), then each
        # app's jinja2 folder (django.forms ships its widget templates there).
        "NAME": "jinja2",
        "BACKEND": "foundation.jinja.Jinja2",
        "DIRS": [BASE_DIR / "foundation" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "foundation.jinja.environment",
            # Functions the Jinja2 templates call (foundation.jinja.environment imports them by name).
            "globals": {
                "picker": "review.templatetags.review_tags.picker",
                "near_miss_risk_definitions": "review.templatetags.review_tags.near_miss_risk_definitions",
            },
        },
    },
]


# --- Databases -------------------------------------------------------------------------------
# Two databases: the practice side ("default") and the PSO aggregate store ("pso"), which only
# the reporting app touches (see roils.routers). A persistent connection per worker thread,
# checked before reuse: a new PostgreSQL connection per request makes a page about ten times slower.
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=600)
_SQLITE_OPTIONS = {
    # Concurrent writers would otherwise see "database is locked" (see toolchain notes).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _database(var: str, sqlite_name: str) -> dict:
    url = env.str(var, default="") or f"sqlite:///{VAR_DIR / sqlite_name}"
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**_SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = 0
    else:
        config["CONN_MAX_AGE"] = CONN_MAX_AGE
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": _database("DATABASE_URL", "roils.sqlite3"),
    "pso": _database("PSO_DATABASE_URL", "pso.sqlite3"),
}
DATABASE_ROUTERS = ["roils.routers.PSOStoreRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
EMBEDDED = DATABASES["default"]["ENGINE"].endswith("sqlite3")


# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "practices.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # lockout after repeated failures, checked first
    "practices.backends.UserAccessBackend",  # ModelBackend; get_user reads the tenants in the same query
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors get nothing


# Two-factor (TOTP) for full-access, PSO staff and PSO analyst accounts (practices.twofactor).
ROILS_ENFORCE_2FA = env.bool("ROILS_ENFORCE_2FA", default=True)
OTP_TOTP_ISSUER = "roils"

# Lockout after repeated failed sign-ins (django-axes): per username and address pair.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# The read API (reporting/api): PSO tokens only (never the session), scopes per endpoint, a rate per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["reporting.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["reporting.api.auth.HasTokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["reporting.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only: no request bodies
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
ROILS_API_TOKEN_RATE = env.str("ROILS_API_TOKEN_RATE", default="600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "roils PSO read API",
    "DESCRIPTION": "Read-only access to one PSO's de-identified records and dashboard rollups, by PSO API token. "
    "Record fields are those of docs/pso-data-dictionary.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# Rate limits (django-ratelimit) answer 429 through this view.
RATELIMIT_VIEW = "practices.views.account.rate_limited"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# The counters live in the cache: while Redis is unreachable they are not enforced (django-ratelimit would
# otherwise refuse every sign-in and report); django-axes' lockout, in the database, still holds.
RATELIMIT_FAIL_OPEN = True

# A strict Content-Security-Policy: no inline script or style, nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Sessions and security --------------------------------------------------------------------
# An unfinished report (server copy and browser copy) is deleted this long after its last change: a
# narrative someone walked away from should not sit on the server, or on a shared console, for ever.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)  # idle timeout
# The timeout counts from the last request (refreshed at most once a minute by IdleTimeoutMiddleware).
# Sessions live in the database only: a sign-out, in any process, is seen by every process on its next request
# (a per-process or Redis copy could outlive it), for one primary-key read per request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Flash messages ride in the session too, so a signed-in page sets no cookie but the session's and CSRF's.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production hardening is switched on by the environment, never by a separate settings file.
SECURE = env.bool("SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies that append to X-Forwarded-For stand in front (foundation.proxy); 0 trusts no such header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)


# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/New_York")
# English only (no message catalogues ship): without the translation machinery every label and help
# text is a plain string, which is measurably cheaper on every page. Dates and numbers stay localised.
USE_I18N = False
USE_TZ = True
# One date format on every page ("2 Dec 2026"): roils/formats/en/formats.py, read by Django's date filter.
FORMAT_MODULE_PATH = ["roils.formats"]


# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Event attachments go through Django's storage API: files under MEDIA_ROOT by default; an S3-compatible backend
# (django-storages) is a matter of configuring STORAGES["default"]. They are never served as static media: only
# analytics' scoped, access-logged download view reads them (no MEDIA_URL route exists).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": env.str("DEFAULT_FILE_STORAGE_BACKEND",
                                   default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "foundation.storage.StaticFilesStorage"  # whitenoise's compressed manifest, URLs kept in memory
    },
}

# Widget templates are Jinja2 (foundation/jinja2 and Django's own); form layouts, labels and errors are Django
# templates found through TEMPLATES (foundation/renderers.py says why).
FORM_RENDERER = "foundation.renderers.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Email -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="roils <no-reply@roils.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# --- Cache and Celery ------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The default cache holds rate-limit counters (django-ratelimit), shared by the processes through Redis when
# there is one. Nothing that decides who may see what is cached: sessions, users and tenants come from the database.
if REDIS_URL:
    CACHES = {
        "default": {
            # A Redis outage is a cache miss, not a 500 (see foundation.cache).
            "BACKEND": "foundation.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None  # tasks report through the database rows they change, not results
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # embedded default: run in-process (after commit)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down: the outbox sweeper delivers later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {}  # filled in roils.celery, every schedule in one place


# --- Logging: never log patient data; event narratives are not logged either ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"()": "foundation.logformat.WithheldMessageFormatter",
                             "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

ROILS_VERSION = "0.1.0"

# Key for the pseudonymous event/practice/facility keys sent to the PSO. Changing it would make
# re-reported events look new to the PSO, so production sets it once and keeps it.
PSO_KEY_SECRET = env("PSO_KEY_SECRET", default="")
