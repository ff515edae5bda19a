"""Plenary settings: every value comes from the environment, with embedded defaults."""

import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from assembly.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEMO_SECRET_KEY = "plenary-demo-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or (_DEMO_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
        "(or DEBUG=true for the demo, which uses a built-in key)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ninja",
    "mailer",
    "assembly",
    "registration",
    "sessions.apps.AgendaConfig",
    "voting",
    "badges",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "assembly.middleware.RefuseNulInAddress",
    "assembly.middleware.ApiMethodNotAllowed",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "assembly.middleware.SessionUserMiddleware",  # Django's, the user read by fixed SQL
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "assembly.middleware.OneThreadPerRequest",  # last: see its docstring
]

ROOT_URLCONF = "assembly.urls"
ASGI_APPLICATION = "assembly.asgi.application"
WSGI_APPLICATION = "assembly.wsgi.application"

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
                "django.template.context_processors.i18n",
                "assembly.context_processors.plenary",
            ],
        },
    },
]

# Database: SQLite file in the project by default, anything dj-database-url reads otherwise.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so concurrent desks queue instead of failing with "database is locked"
    # when a read transaction upgrades to a write; within the process they queue
    # on a lock (assembly/sqlite/base.py), between processes on the busy timeout.
    _database["ENGINE"] = "assembly.sqlite"
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every sync view runs on a fresh thread: persistent per-thread
    # connections exhaust the server, psycopg's pool does not.
    _database["CONN_MAX_AGE"] = 0
    # Server-side binding lets psycopg prepare a statement a connection has run twice, and
    # PostgreSQL then reuses its plan: planning had cost a ballot more CPU than executing its
    # five statements (pg_stat_statements). DATABASE_PREPARE=false for a pooler that cannot
    # keep prepared statements (PgBouncer in transaction mode before 1.21).
    _prepare = env_bool("DATABASE_PREPARE", True)
    _database["OPTIONS"] = {
        "server_side_binding": _prepare,
        "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 2) if _prepare else None,
        "pool": {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 20),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        },
    }
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One installation's names in a Redis it may share with another: its channels, groups,
# cache keys and live-state keys. Redis pub/sub ignores the database number, and two
# installations both have an assembly 1, so without it one's projector showed the other's
# quorum. Every process of one installation shares its secret key and its database's name,
# however it reaches the database (a pooler's port, "localhost" or "127.0.0.1"); two
# installations never share both.
INSTANCE = (
    env_str("PLENARY_INSTANCE")
    or hashlib.sha256(f"{SECRET_KEY}|{_database['NAME']}".encode()).hexdigest()[:10]
)

# Channels: in-memory layer for one process, Redis pub/sub layer when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # The pub/sub layer delivered every message of a burst where the list-based
    # layer dropped a fifth of them (shared measurements in the README).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"plenary-{INSTANCE}"},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "assembly.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", f"plenary-{INSTANCE}"),
        }
    }
    # Sessions read from the shared cache (one query less a request); never from a
    # per-process cache, where a session ended on one worker would live on in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "assembly.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live state (turnout, quorum) goes out at most once per window per group.
LIVE_COALESCE_SECONDS = env_float("LIVE_COALESCE_SECONDS", 0.25)
# On PostgreSQL, ballots' and scans' audit entries are linked into the chain by a background
# thread after commit (voting/audit.py); off, the committing thread links them itself. The
# test suite turns it off where a test's own transaction never commits.
AUDIT_LINK_IN_BACKGROUND = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
LOGIN_URL = "login"
# An old tab posting after its session changed: plain words and a way back, not a bare 403.
CSRF_FAILURE_VIEW = "assembly.views.csrf_failure"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Delegate magic links (django-sesame): single use, expiring, scoped to login.
SESAME_MAX_AGE = env_int("MAGIC_LINK_MAX_AGE", 60 * 60 * 24)
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "token"  # noqa: S105
MAGIC_LINK_RATE = env_str("MAGIC_LINK_RATE", "5/h")
# A venue's wifi is one address for the whole hall: allow its morning of link requests.
MAGIC_LINK_NETWORK_RATE = env_str("MAGIC_LINK_NETWORK_RATE", "300/h")
REGISTRATION_NETWORK_RATE = env_str("REGISTRATION_NETWORK_RATE", "120/h")  # public form posts

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")

# Every message waits in the database (django-mailer's queue) until a server's sender thread
# has handed it to EMAIL_BACKEND (assembly.mail): none is lost to a mail server that is down or
# an app server that stops. A failed one is tried again every 5 minutes, 24 times at most.
EMAIL_BACKEND = "assembly.mail.QueueBackend"
MAILER_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILER_EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 24)
# A mail server that takes the connection and never answers must not stall the queue.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
MAILER_USE_FILE_LOCK = False  # row locks instead (assembly.mail), across machines too
MAILER_EMAIL_LOG_MESSAGE_DATA = False  # a sent login link is not kept in the log
MAILER_ERROR_HANDLER = "assembly.mail.mailer_error_handler"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Plenary <plenary@localhost>")

# Absolute links in emails and QR codes.
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

# Security: strict by default outside DEBUG.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint and fontTools narrate every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- registration and badges ---
# An import's approved delegates get their badges rendered after its commit in a background
# thread, a few at a time (the tests render them inline).
BADGES_IN_BACKGROUND = True
# A confirmed import longer than one part is written in a background thread, its progress on
# the import's page (the tests write it in the request).
IMPORTS_IN_BACKGROUND = True

# --- agenda ---
# Rendered VEVENTs and whole feeds are cached by revision (0 turns caching off), in their own
# cache: the default in-memory cache keeps 300 entries, fewer than one assembly's feeds.
AGENDA_FEED_CACHE_SECONDS = env_int("AGENDA_FEED_CACHE_SECONDS", 3600)
CACHES["agenda-feeds"] = (
    {**CACHES["default"], "KEY_PREFIX": f"{CACHES['default']['KEY_PREFIX']}-agenda"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "agenda-feeds",
        "OPTIONS": {"MAX_ENTRIES": env_int("AGENDA_FEED_CACHE_ENTRIES", 10_000)},
    }
)

# --- badges ---
# Ed25519 key that signs badge QR tokens: base64 of the 32-byte seed, or a PEM
# private key. No production default; DEBUG derives a demo key from SECRET_KEY.
BADGE_SIGNING_KEY = env_str("BADGE_SIGNING_KEY", "")
# Roster a desk downloads for offline answers: seconds between background refreshes.
BADGE_ROSTER_REFRESH_SECONDS = env_int("BADGE_ROSTER_REFRESH_SECONDS", 60)
# Badges per step of a batch: one WeasyPrint document each, progress saved after each.
BADGE_BATCH_CHUNK = env_int("BADGE_BATCH_CHUNK", 100)
# Worker processes that render parts of a large badge PDF side by side (1: in-process only).
BADGE_PDF_WORKERS = env_int("BADGE_PDF_WORKERS", 2)
# WeasyPrint logs each rendering step (and its own stylesheets at import) at INFO.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
# pikepdf (merging a batch's parts) announces its C++ log bridge at INFO in each process.
LOGGING["loggers"]["pikepdf"] = {"level": "WARNING"}

# --- voting ---
# Online delegates may mark themselves present (else only the secretariat confirms them).
VOTING_SELF_ONLINE_CHECKIN = env_bool("VOTING_SELF_ONLINE_CHECKIN", True)
# Projector links (display-only, signed) stay valid this many hours unless rotated.
VOTING_PROJECTOR_LINK_HOURS = env_float("VOTING_PROJECTOR_LINK_HOURS", 24.0)
