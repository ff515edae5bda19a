# Plenary: `make demo` serves the WeGO assembly; `make test` runs the whole suite.
.PHONY: demo test logins lint format vendor bench

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

logins:
	DEBUG=true .venv/bin/python manage.py demo_logins

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

vendor:
	bash scripts/vendor.sh
