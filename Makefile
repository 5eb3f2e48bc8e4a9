# mtx-toolkit — run `make help` for the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Maven command (with flags, if any) for every target, the scripts' too: `make MVN="mvn -o" test`.
MVN ?= mvn
export MVN
# The repository, wherever make is run from (make -f path/to/Makefile).
# Through the shell, not $(dir …): make splits a path with spaces into words.
ROOT := $(shell CDPATH= cd "$$(dirname "$(strip $(MAKEFILE_LIST))")" && pwd -P)

.PHONY: help build test fuzz mutation mediamtx dev logs down ps bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' "$(ROOT)/Makefile" | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## compile and package every module (skips tests); launchers land in */target/dist/bin
	cd "$(ROOT)" && $(MVN) -q package -DskipTests

test: ## run all tests and the 80% coverage gate (provisions MediaMTX first)
	@"$(ROOT)/build/test.sh"

fuzz: ## fuzz the hook payload parsing (45 s) and the signed-hook header checks (30 s) with Jazzer
	cd "$(ROOT)" && JAZZER_FUZZ=1 $(MVN) -q -pl mtx-core test -Dtest=HookPayloadFuzzTest -Djacoco.skip=true
	cd "$(ROOT)" && JAZZER_FUZZ=1 $(MVN) -q -pl mtx-core test -Dtest=HookSignatureFuzzTest -Djacoco.skip=true

mutation: ## mutation-test core, hook and orchestrator with PIT (~12 min); reports in */target/pit-reports
	cd "$(ROOT)" && $(MVN) -q install -DskipTests -Djacoco.skip=true
	cd "$(ROOT)" && $(MVN) -B -pl mtx-core,mtx-hook-cli,mtx-orchestrator test-compile org.pitest:pitest-maven:mutationCoverage \
	  -Djacoco.skip=true

mediamtx: ## find or build the pinned MediaMTX; prints the binary's path last
	@"$(ROOT)/deploy/mediamtx/install.sh"

dev: ## start the stack (MediaMTX + orchestrator): Docker Compose, or local processes without an engine
	@"$(ROOT)/deploy/local/stack.sh" dev

logs: ## follow all services' logs, labelled
	@"$(ROOT)/deploy/local/stack.sh" logs

down: ## stop the stack
	@"$(ROOT)/deploy/local/stack.sh" down

ps: ## list the stack's services
	@"$(ROOT)/deploy/local/stack.sh" ps

bench: build ## run the benchmarks (not part of make test); writes docs/benchmarks.md
	@"$(ROOT)/bench/run.sh"

clean: ## remove build output
	cd "$(ROOT)" && $(MVN) -q clean
