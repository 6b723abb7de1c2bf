# kycd — `make help` lists the targets. The README's two commands are `make run` and `make test`.
SHELL := /bin/bash
TAGS = $$(bash scripts/setup/tags.sh)
GO_TEST_FLAGS ?= -count=1 -timeout 15m
# Tesseract's OpenMP threads, as the service runs them (cmd/kycd re-executes itself with this): the
# suite runs its packages in parallel on two cores, and unlimited, libgomp's threads wait on each other
# across the oversubscribed cores — a document read that takes seconds then takes minutes.
export OMP_THREAD_LIMIT ?= 1
# staticcheck at the version scripts/setup/staticcheck.sh pins (installed into bin/ on first use).
STATICCHECK = $$(bash scripts/setup/staticcheck.sh)

.PHONY: help run setup build test test-go test-short vet fmt generate toolsnaps bench compose-config clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

run: setup ## install what is missing, build, and serve on the embedded SQLite default
	bin/kycd serve

setup: ## install the service's dependencies (idempotent) and build bin/kycd
	bash scripts/setup.sh

build: ## build bin/kycd with every engine this machine supports
	go build -tags "$(TAGS)" -o bin/kycd ./cmd/kycd

test: ## run the whole test suite: installs what it needs, then Go tests on PostgreSQL and SQLite plus the e2e clients
	bash scripts/setup.sh --test
	go vet -tags "$(TAGS)" ./...
	$(STATICCHECK) -tags "$(TAGS)" ./...
	go test -tags "$(TAGS)" $(GO_TEST_FLAGS) ./...

test-go: ## only the Go tests, without installing anything
	go test -tags "$(TAGS)" $(GO_TEST_FLAGS) ./...

vet: ## go vet, staticcheck and gofmt check
	go vet -tags "$(TAGS)" ./...
	$(STATICCHECK) -tags "$(TAGS)" ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

fmt: ## gofmt every file
	gofmt -w $$(git ls-files '*.go')

generate: ## regenerate the README's tool table from the tool registry
	go generate ./tools

toolsnaps: ## rewrite tools/testdata/toolsnaps after a deliberate change to a tool's contract (review the diff)
	go test ./tools -run "TestToolSnapshots|TestToolByteBudget" -update-toolsnaps

bench: ## run the Go benchmarks (see docs/BENCHMARKS.md for the measurement programs)
	go test -tags "$(TAGS)" -run '^$$' -bench . -benchtime 2s ./...

compose-config: ## validate docker-compose.yml (needs the docker compose plugin)
	docker compose config --quiet

clean: ## remove build output (not ./data)
	rm -rf bin
