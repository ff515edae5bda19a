"""Settings for benchmark runs: the product settings plus the bare reference endpoint's URLs."""

from assembly.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
