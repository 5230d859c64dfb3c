# AgentLens Operator — `make help` lists every target.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CONFIGURATION ?= Release
SOLUTION := AgentLens.Operator.sln
RESULTS := TestResults
AGENTS_DIR := hack/agents

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: build
build: ## Build the operator and the tests (warnings are errors).
	dotnet build $(SOLUTION) -c $(CONFIGURATION) -nologo

.PHONY: fmt
fmt: ## Format the code in place.
	dotnet format $(SOLUTION)

.PHONY: fmt-check
fmt-check: ## Fail when the code is not formatted.
	dotnet format $(SOLUTION) --verify-no-changes

.PHONY: test
test: tools controlplane agents fmt-check build ## Run every test (unit + integration against a real API server); installs what it needs.
	rm -rf $(RESULTS)
	KUBEBUILDER_ASSETS="$$(hack/controlplane-assets.sh)" AGENTLENS_CONTROLPLANE_FAULTS="$(CURDIR)/$(RESULTS)" dotnet test $(SOLUTION) -c $(CONFIGURATION) --no-build -nologo \
	  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory $(RESULTS) || true
	@# The tests stop their control plane; this sweeps up after a run that was killed outright.
	@hack/controlplane.sh sweep "$${TMPDIR:-/tmp}"
	hack/test-summary.sh $(RESULTS)

.PHONY: run
run: agents ## Run the operator against the current kubeconfig, or a local control plane (with sample agents) when there is none.
	hack/run.sh

##@ Benchmarks (figures, not tests)

.PHONY: bench-crawl
bench-crawl: ## Crawl 1,000 loopback agents at the default concurrency and at 1; prints both and their ratio.
	dotnet run --project hack/bench/Bench.csproj -c Release -- crawl 1000

.PHONY: bench
bench: controlplane ## 2,000 Services in 200 namespaces, the operator as its own process: floors, first/steady cycle x floor, phases, API requests, RSS, concurrency curve, speedup.
	dotnet build Operator/Operator.csproj -c Release -nologo -v q
	dotnet run --project hack/bench/Bench.csproj -c Release -- catalog 2000

.PHONY: bench-events
bench-events: controlplane ## 2,000 agents with --events: 1, 20, 200 Services annotated and 1 deleted, each timed from the write to its entry (p50/p99/max); then the timer alone.
	dotnet build Operator/Operator.csproj -c Release -nologo -v q
	dotnet run --project hack/bench/Bench.csproj -c Release -- events 2000

.PHONY: bench-scale
bench-scale: controlplane ## 10,000 Services in 500 namespaces (20 agents per port, by path): floors, steady cycle x floor, API requests per steady cycle, peak RSS.
	dotnet build Operator/Operator.csproj -c Release -nologo -v q
	dotnet run --project hack/bench/Bench.csproj -c Release -- scale 10000

.PHONY: bench-watch
bench-watch: controlplane ## 1,000 SSE watchers on 2,000 entries, then 1,000 AgentType watchers through kube-apiserver: probe p99 during the burst, time until all have a change, memory per watcher.
	dotnet build Operator/Operator.csproj -c Release -nologo -v q
	dotnet run --project hack/bench/Bench.csproj -c Release -- watch 1000

.PHONY: bench-registry
bench-registry: ## An IDE paging through the MCP Registry API: 10,000 servers at limit 100, p50/p99 per page against the floor (the same bytes pre-rendered); goal p99 <= 20 ms.
	dotnet run --project hack/bench/Bench.csproj -c Release -- registry 10000

.PHONY: bench-federation
bench-federation: ## A hub over 3 members x 2,000 entries (loopback member servers): first full sync x the floor of listing each member once, member change -> hub watcher p50/p99 (goal p99 <= 2 s), hub heap per 1,000 federated entries.
	dotnet run --project hack/bench/Bench.csproj -c Release -- federation 3 2000

.PHONY: bench-search
bench-search: ## Search: nDCG@5/MRR@10/recall@10 ours vs substring on hack/bench/search, p50/p99 at 10,000 entries in process and over HTTP vs a floor, index bytes per entry, change -> searchable.
	dotnet run --project hack/bench/Bench.csproj -c Release -- search 10000

.PHONY: bench-soak
bench-soak: controlplane ## 100 one-second cycles with hostile agents in the mix: every cycle's result, each agent's fate, operator RSS cycle 10 vs 100.
	dotnet build Operator/Operator.csproj -c Release -nologo -v q
	dotnet run --project hack/bench/Bench.csproj -c Release -- soak 100

##@ Dependencies

.PHONY: controlplane
controlplane: ## Provision etcd, kube-apiserver, kubectl and helm (cached; honours KUBEBUILDER_ASSETS) and print their folder.
	hack/controlplane-assets.sh

.PHONY: tools
tools: ## Install the Debian packages the tests use for real (prometheus/promtool, curl, openssl, chromium and chromium-driver).
	hack/ensure-tools.sh

.PHONY: agents
agents: tools ## Install the real A2A and MCP agent servers the tests run (npm).
	@if [[ ! -f $(AGENTS_DIR)/node_modules/.installed || $(AGENTS_DIR)/package-lock.json -nt $(AGENTS_DIR)/node_modules/.installed ]]; then \
	  (cd $(AGENTS_DIR) && npm ci --no-audit --no-fund --loglevel=error) && touch $(AGENTS_DIR)/node_modules/.installed; fi

.PHONY: clean
clean: ## Remove build output and test results (the control-plane cache stays).
	dotnet clean $(SOLUTION) -nologo -v q
	rm -rf $(RESULTS) Operator/bin Operator/obj Operator.Tests/bin Operator.Tests/obj
