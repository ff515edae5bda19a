"""Test settings: the real settings with test-only defaults the environment may override."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("SITE_URL", "http://testserver")
# Badge tokens: a fixed Ed25519 seed for tests only (base64 of 32 bytes).
os.environ.setdefault("BADGE_SIGNING_KEY", "dGVzdHMtb25seS1iYWRnZS1zZWVkLTAxMjM0NTY3ODk=")
# Each test worker (pytest-xdist) is an installation of its own: the workers share one Redis,
# and each has its own test database with its own assembly 1. A worker inherits its parent's
# environment, so it names itself anew; a server a test starts as a subprocess keeps its
# worker's name, and so stays in its test's installation.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["PLENARY_INSTANCE"] = (
    os.environ["PLENARY_INSTANCE"]
    if os.environ.get("PLENARY_TEST_WORKER") == _worker
    else f"test-{_worker}-{os.getpid()}"
)
os.environ["PLENARY_TEST_WORKER"] = _worker

from assembly.settings import *  # noqa: E402, F403 (the environment above comes first)
from assembly.settings import CACHES, DATABASES, REDIS_URL  # noqa: E402

# Fast hashing: tests create many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
BADGES_IN_BACKGROUND = False  # a test's transaction never commits for another thread
IMPORTS_IN_BACKGROUND = False
# One folder per test worker: badge files are named by delegate id.
MEDIA_ROOT = os.environ.get(
    "TEST_MEDIA_ROOT", os.path.join(tempfile.gettempdir(), f"plenary-test-media-{_worker}")
)

if REDIS_URL:
    # Several suites may share one Redis: keep this run's cache keys apart.
    CACHES["default"]["KEY_PREFIX"] = f"plenary-test-{os.getpid()}"

if DATABASES["default"]["ENGINE"] == "assembly.sqlite":
    # pytest-django names per-worker test databases by the stock engine name; the test
    # databases live in memory, where assembly.sqlite leaves SQLite alone anyway (its
    # writers' lock has its own tests on files).
    DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
    # The in-memory test database shares one cache between the threads' connections, where a
    # reader locks the tables it reads and a writer meeting that lock fails at once ("database
    # table is locked"): the live-state reader thread reading turnout while a test casts the
    # next ballot. Files in WAL mode, as served, never block a writer on a reader; readers that
    # take no table locks come closest.
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA read_uncommitted=1;"

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Small pool per test process: threads in race tests borrow from it.
    DATABASES["default"]["OPTIONS"]["pool"].update({"min_size": 1, "max_size": 60})
