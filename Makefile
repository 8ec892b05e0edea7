# Cairn: the front door. `make run` starts the server with the web app on SQLite;
# `make test` runs every test (Rust on SQLite and PostgreSQL, web unit tests, browser e2e).
# Each target installs what it needs, so both work on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BACKEND   := backend
FRONTEND  := frontend
E2E       := e2e
SERVER    := $(BACKEND)/target/debug/cairn-server
CARGO     := cargo
PG_URL    ?= postgres://postgres@127.0.0.1:5432
export CARGO_TERM_COLOR ?= never

.PHONY: deps-smtp deps-oidc bench bench-agent-idle help run dev test test-rust test-web test-e2e lint openapi openapi-check client client-check \
        frontend server agent deps-node deps-browser deps-restic clean

help:
	@echo "make run      build the web app and the server, start it on http://127.0.0.1:8080 (SQLite in ./data)"
	@echo "make test     every test: Rust (SQLite + PostgreSQL), web unit tests, Playwright e2e, lint, contract checks"
	@echo "make dev      server + Vite dev server with hot reload on http://127.0.0.1:5173"
	@echo "make openapi  regenerate openapi/cairn.json and the web app's API types"
	@echo "make lint     clippy, rustfmt, eslint, tsc"
	@echo "make bench    performance figures (docs/performance.md): 10,000 simulated agents on one server, log ingestion"

# ---- installs ---------------------------------------------------------------------------

# npm ci only when the lock file changed since the last install.
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $@

$(E2E)/node_modules/.installed: $(E2E)/package-lock.json
	cd $(E2E) && npm ci --no-audit --no-fund
	touch $@

deps-node: $(FRONTEND)/node_modules/.installed

# A real OpenID provider (npm oidc-provider) for the sign-in tests.
OIDC_IDP := $(BACKEND)/crates/testkit/oidc-provider
$(OIDC_IDP)/node_modules/.installed: $(OIDC_IDP)/package-lock.json
	cd $(OIDC_IDP) && npm ci --no-audit --no-fund
	touch $@

deps-oidc: $(OIDC_IDP)/node_modules/.installed

# Debian's Chromium drives the e2e test (a browser download cannot work here).
deps-browser: $(E2E)/node_modules/.installed
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation; }

# Real restic for the wrapper's, the agent's and the e2e tests (no fake restic anywhere).
deps-restic:
	@command -v restic >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq restic; }

# A real SMTP server for the email notification tests (Debian's aiosmtpd, run by
# /usr/bin/python3), and openssl, which checks webhook signatures independently.
deps-smtp:
	@/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && command -v openssl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd openssl; }

# ---- build ------------------------------------------------------------------------------

frontend: deps-node
	cd $(FRONTEND) && npm run build

# The server embeds frontend/dist at compile time, so the web app is built first.
server: frontend
	cd $(BACKEND) && $(CARGO) build -p cairn-server

# The e2e run drives the real agent, so it is built from the same tree as the server; its
# recorded API answers are checked against openapi/cairn.json by cairn-contract.
agent:
	cd $(BACKEND) && $(CARGO) build -p cairn-agent -p cairn-contract

run: server
	@echo
	@echo "  Cairn is starting on http://127.0.0.1:8080 (data in ./data)."
	@echo "  First run: open http://127.0.0.1:8080 and enter the one-time setup token printed"
	@echo "  below (also in data/setup-token) to create the first admin. Later: sign in there."
	@echo
	./$(SERVER) serve

dev: server
	@echo "API on :8080, web app with hot reload on http://127.0.0.1:5173"
	trap 'kill 0' EXIT; ./$(SERVER) serve & cd $(FRONTEND) && npm run dev -- --host 127.0.0.1

# ---- contract ---------------------------------------------------------------------------

openapi:
	cd $(BACKEND) && $(CARGO) run -q -p cairn-server -- openapi -o ../openapi/cairn.json
	$(MAKE) client

client: deps-node
	cd $(FRONTEND) && npm run gen:api

# Fails when the committed spec or the generated web types lag behind the code.
openapi-check: frontend
	cd $(BACKEND) && $(CARGO) run -q -p cairn-server -- openapi -o /tmp/cairn-openapi.$$$$.json && \
	  if ! diff -q /tmp/cairn-openapi.$$$$.json ../openapi/cairn.json >/dev/null; then \
	    echo "openapi/cairn.json is stale: run 'make openapi' and commit it"; rm -f /tmp/cairn-openapi.$$$$.json; exit 1; fi; \
	  rm -f /tmp/cairn-openapi.$$$$.json

client-check: deps-node
	cp $(FRONTEND)/src/api/schema.d.ts /tmp/cairn-schema.$$$$.d.ts && \
	  (cd $(FRONTEND) && npm run -s gen:api >/dev/null) && \
	  if ! diff -q /tmp/cairn-schema.$$$$.d.ts $(FRONTEND)/src/api/schema.d.ts >/dev/null; then \
	    echo "frontend/src/api/schema.d.ts is stale: run 'make client' and commit it"; exit 1; fi

# ---- tests ------------------------------------------------------------------------------

test: lint openapi-check client-check test-web test-rust test-e2e
	@echo "make test: all suites passed"

# Rust tests on SQLite always, and on PostgreSQL when one answers on 127.0.0.1:5432:
# a fresh database per run, and inside it one per test, which the test kit drops when the
# test ends; the sweep after the run drops whatever a killed test left. With CI set and no
# PostgreSQL, the PostgreSQL variants fail instead of being skipped.
test-rust: frontend deps-restic deps-smtp deps-oidc
	@set -e; cd $(BACKEND); \
	runner="$(CARGO) nextest run --workspace --no-fail-fast"; \
	command -v cargo-nextest >/dev/null || runner="$(CARGO) test --workspace --no-fail-fast"; \
	if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  db="cairn_test_$$(date +%s)_$$$$"; \
	  psql -q "$(PG_URL)/postgres" -c "CREATE DATABASE $$db" >/dev/null; \
	  echo "PostgreSQL found: Rust tests also run on $(PG_URL)/$$db"; \
	  rc=0; CAIRN_TEST_DATABASE_URL="$(PG_URL)/$$db" $$runner || rc=$$?; \
	  left=$$(psql -tA "$(PG_URL)/postgres" -c "SELECT datname FROM pg_database WHERE datname LIKE 'cairn_t\_%'"); \
	  [ -z "$$left" ] || echo "Dropping $$(echo $$left | wc -w) test database(s) the tests left behind"; \
	  for d in $$left $$db; do \
	    psql -q "$(PG_URL)/postgres" -c "DROP DATABASE IF EXISTS \"$$d\"" >/dev/null || true; done; \
	  exit $$rc; \
	elif [ -n "$$CI" ] && [ "$$CI" != false ] && [ "$$CI" != 0 ]; then \
	  echo "No PostgreSQL on 127.0.0.1:5432 and CI is set: the PostgreSQL variants will fail"; $$runner; \
	else \
	  echo "No PostgreSQL on 127.0.0.1:5432: Rust tests run on SQLite only"; $$runner; \
	fi

test-web: deps-node
	cd $(FRONTEND) && npm test

test-e2e: server agent deps-browser deps-restic deps-smtp deps-oidc
	rm -rf $(E2E)/artifacts
	cd $(E2E) && CAIRN_SERVER_BIN=$(CURDIR)/$(SERVER) npm test
	$(BACKEND)/target/debug/cairn-contract check openapi/cairn.json $(E2E)/artifacts/api-responses.ndjson

lint: frontend
	cd $(BACKEND) && $(CARGO) fmt --all --check
	cd $(BACKEND) && $(CARGO) clippy --workspace --all-targets -q -- -D warnings
	cd $(FRONTEND) && npm run lint && npm run typecheck

# ---- benchmarks (print figures; not part of make test) -----------------------------------

BENCH_AGENTS ?= 10000

bench: frontend deps-smtp
	cd $(BACKEND) && $(CARGO) build --release -q -p cairn-server -p cairn-agent -p cairn-bench
	ulimit -n 65536 2>/dev/null || ulimit -n $$(ulimit -Hn); \
	  cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server ./target/release/cairn-bench --agents $(BENCH_AGENTS)
	cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server ./target/release/cairn-bench ingest
	cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server ./target/release/cairn-bench lists
	cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server ./target/release/cairn-bench retention
	cd $(BACKEND) && ./target/release/cairn-bench catalog
	cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server CAIRN_AGENT_BIN=target/release/cairn-agent ./target/release/cairn-bench restore
	cd $(BACKEND) && CAIRN_SERVER_BIN=target/release/cairn-server ./target/release/cairn-bench alerts
	cd $(BACKEND) && ./target/release/cairn-bench sweep

# P6 takes ten minutes of wall time: the real agent idling against the real server.
bench-agent-idle: frontend
	cd $(BACKEND) && $(CARGO) build --release -q -p cairn-server -p cairn-agent -p cairn-bench
	cd $(BACKEND) && ./target/release/cairn-bench agent-idle --secs 600

clean:
	rm -rf $(BACKEND)/target $(FRONTEND)/dist $(FRONTEND)/node_modules $(E2E)/node_modules $(E2E)/artifacts
