#!/usr/bin/env bash
# One command for the demo: install, migrate, load the WeGO assembly, print logins, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-true}
export PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}
unset DATABASE_URL REDIS_URL  # the demo is the embedded layout: SQLite, in-memory layer
py=.venv/bin/python
$py manage.py migrate --no-input -v0
$py manage.py collectstatic --no-input -v0
$py manage.py load_demo
$py manage.py demo_logins
echo "Serving on $SITE_URL (Ctrl+C stops)."
exec .venv/bin/uvicorn assembly.asgi:application --host 127.0.0.1 --port "$PORT" \
  --backlog 2048 --log-level warning --no-access-log
