# Tradeflow: `make start` to try it, `make test` to check everything. `make help` lists the rest.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.PHONY: help install build lint format test warm-tools test-unit test-ship start up down seed logs infra-up infra-down infra-status observability-up observability-down k8s bench bench-gateway clean distclean

help: ## List the targets with one line each
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-14s %s\n", $$1, $$2 }'

# npm ci only when the lockfile changed since the last install.
node_modules/.package-lock.json: package-lock.json package.json services/*/package.json
	@scripts/check-prereqs.sh
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## Install dependencies (npm ci) when the lockfile changed

build: install ## Type-check and compile every package (tsc -b)
	npx tsc -b

lint: install ## Lint (typescript-eslint), type-check the tests (tsc -b leaves them out) and check formatting (Prettier)
	npx eslint .
	@for project in services/*/test tests tests/load tests/load/test scripts/bench scripts/bench/pipeline; do \
	  if [ -f "$$project/tsconfig.json" ]; then echo "npx tsc -p $$project --noEmit"; npx tsc -p "$$project" --noEmit; fi; \
	done
	npx prettier --check .

format: install ## Rewrite files with Prettier
	npx prettier --write .

test: warm-tools build lint ## Run every suite; starts real Kafka and DynamoDB Local when needed
	@scripts/ensure-chromium.sh
	npx jest

# Helm/Jaeger/tool builds in the background while tsc and eslint run (scripts/warm-tools.sh).
warm-tools:
	@scripts/warm-tools.sh

test-unit: install ## Run only the suites that need nothing running
	npx jest --selectProjects unit

test-ship: install ## Run only the shipping checks: Dockerfile bundles, docker compose, chart, manifests, pins (tests/ship)
	npx jest tests/ship

start: build ## Run everything in one process with demo data (memory bus, DynamoDB Local inside); Ctrl-C stops it
	@scripts/shape/start.sh

up: build ## Start the distributed shape: Kafka, DynamoDB Local, one process per service (logs in .run/logs)
	@scripts/shape/up.sh

down: ## Stop what `make up` started: the services, then the infra it started; safe to run twice
	@scripts/shape/down.sh

seed: build ## Load the demo reference data into the running distributed shape (Kafka + DynamoDB Local)
	@scripts/shape/seed.sh

logs: ## Follow the logs of `make up` and `make start` (.run/logs)
	@scripts/shape/logs.sh

infra-up: install ## Start Kafka (KRaft) and DynamoDB Local on loopback; safe to run twice
	scripts/infra/up.sh

infra-down: ## Stop the local Kafka and DynamoDB Local; safe to run twice
	scripts/infra/down.sh

infra-status: ## Show whether the local Kafka and DynamoDB Local are running
	scripts/infra/status.sh

observability-up: ## Start Jaeger (built once from the Go module proxy) and Prometheus on loopback; docs/observability.md
	scripts/infra/jaeger.sh start
	scripts/infra/prometheus.sh start

observability-down: ## Stop the local Jaeger and Prometheus; safe to run twice
	scripts/infra/prometheus.sh stop
	scripts/infra/jaeger.sh stop

bench: build ## Measure the pipeline: raw DynamoDB/Kafka ceilings, end-to-end max, latency at 25/50/75% (<= 6 min); docs/benchmarks.md
	@scripts/bench/pipeline.sh

bench-gateway: build ## Load one endpoint directly, through the gateway and through nginx (< 3 min); records docs/benchmarks.md
	node -r ./tests/support/register-ts.cjs scripts/bench/gateway.ts

k8s: ## Regenerate the plain Kubernetes manifests (k8s/manifests) from the Helm chart (k8s/values.yaml)
	scripts/ship/k8s-generate.sh

clean: ## Stop local infra and remove build output and logs (keeps the download cache)
	-scripts/shape/down.sh
	-scripts/infra/down.sh
	-scripts/infra/prometheus.sh stop
	-scripts/infra/jaeger.sh stop
	rm -rf services/*/dist .run coverage

distclean: clean ## Also remove node_modules and the download cache (.cache)
	rm -rf node_modules .cache
