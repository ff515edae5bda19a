#!/usr/bin/env bash
# Create .venv if missing and install the pinned environment (requirements.lock).
# Reinstalls only when pyproject.toml or requirements.lock changed since last time.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Plenary needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Install it (Debian: apt-get install python3 python3-venv) or set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..."
  "$python" -m venv .venv || {
    echo "Could not create a virtual environment. On Debian: apt-get install python3-venv" >&2
    exit 1
  }
fi
stamp=.venv/.plenary-installed
digest=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
  echo "Installing Python packages from requirements.lock (log: .venv/install.log) ..."
  if ! {
    .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
      .venv/bin/python -m pip install --disable-pip-version-check -c requirements.lock -e ".[dev]"
  } > .venv/install.log 2>&1; then
    tail -n 25 .venv/install.log >&2
    echo "Installing the Python packages failed; the whole log is in .venv/install.log" >&2
    exit 1
  fi
  echo "$digest" > "$stamp"
fi
# WeasyPrint needs Pango from the system: say which package, not a traceback.
if ! .venv/bin/python -c 'import weasyprint' >/dev/null 2>&1; then
  echo "WeasyPrint cannot load Pango. On Debian/Ubuntu install it with:" >&2
  echo "    apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" >&2
  echo "and, for names in Hangul, Arabic and Cyrillic (and emoji) on badges: apt-get install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji" >&2
  exit 1
fi
