#!/usr/bin/env bash
# The whole test suite, on the database and channel layer the environment names
# (SQLite and in-memory by default; DATABASE_URL / REDIS_URL for PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# Two test processes by default (pytest-xdist), each with its own test database and its own
# names in Redis; TEST_WORKERS=0 runs in one process (as a debugger wants), more on a bigger
# machine (PostgreSQL's connection limit bounds it: race tests open dozens at once).
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
