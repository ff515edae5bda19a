#!/usr/bin/env bash
# The whole test suite, on the database and channel layer the environment names
# (SQLite and in-memory by default; DATABASE_URL / REDIS_URL for PostgreSQL and Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
