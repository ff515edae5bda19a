"""Two installations on one Redis: neither hears the other's live messages nor reads its cache."""

import asyncio
import contextlib
import json
import os
import subprocess
import sys

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

ROOT = settings.BASE_DIR


def settings_of_installation(database_url: str) -> dict:
    """The channel layer and cache an installation on this database would use."""
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'layer': s.CHANNEL_LAYERS['default'], "
        "'cache': s.CACHES['default'].get('KEY_PREFIX')}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "assembly.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL or "redis://127.0.0.1:6379/0",
        "DEBUG": "true",
    }
    env.pop("PLENARY_INSTANCE", None)
    env.pop("CACHE_KEY_PREFIX", None)
    script = f"import django; django.setup(); {code}"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_installations_get_their_own_names_in_redis():
    federation = settings_of_installation("postgres://postgres@127.0.0.1:5432/federation")
    wego = settings_of_installation("postgres://postgres@127.0.0.1:5432/wego")
    # A worker behind a pooler, or a command written with "localhost", is the same installation.
    through_a_pooler = settings_of_installation("postgres://postgres@localhost:6432/federation")
    assert federation["layer"]["CONFIG"]["prefix"] != wego["layer"]["CONFIG"]["prefix"]
    assert federation["cache"] != wego["cache"]
    assert federation == through_a_pooler


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: pub/sub across layers")
def test_one_installation_does_not_hear_the_other_s_assembly_1():
    federation = settings_of_installation("postgres://postgres@127.0.0.1:5432/federation")
    wego = settings_of_installation("postgres://postgres@127.0.0.1:5432/wego")

    async def scenario() -> list:
        heard_by_federation = RedisPubSubChannelLayer(**federation["layer"]["CONFIG"])
        wego_layer = RedisPubSubChannelLayer(**wego["layer"]["CONFIG"])
        projector = await heard_by_federation.new_channel()
        await heard_by_federation.group_add("assembly.1", projector)
        await wego_layer.group_send("assembly.1", {"type": "live.event", "who": "wego"})
        await heard_by_federation.group_send("assembly.1", {"type": "live.event", "who": "own"})
        received = [await asyncio.wait_for(heard_by_federation.receive(projector), 5)]
        with contextlib.suppress(TimeoutError):  # nothing more should come
            received.append(await asyncio.wait_for(heard_by_federation.receive(projector), 0.5))
        await heard_by_federation.flush()
        await wego_layer.flush()
        return received

    assert [message["who"] for message in asyncio.run(scenario())] == ["own"]
