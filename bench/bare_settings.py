"""Product settings plus a bare one-row-insert endpoint: the benchmark's reference only."""

from assembly.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
