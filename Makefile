# breachflow: the documented entry points. `make test` is what CI runs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
INFRA     := infra
NODE_BIN  := $(INFRA)/node_modules/.bin
STAMP     := $(INFRA)/node_modules/.installed
TAGS      := integration,browser

.PHONY: help deps chromium build test test-unit vet lint validate-asl demo bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## install the local emulators from infra/package-lock.json (npm ci), when the lock file's content changed
	@command -v node >/dev/null || { echo "node not found: install Node.js 20 or newer" >&2; exit 1; }
	@want=$$(cat $(INFRA)/package-lock.json $(INFRA)/package.json | sha256sum | cut -c1-64); \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	  (cd $(INFRA) && npm ci --no-audit --no-fund --loglevel=error) && echo "$$want" > $(STAMP); \
	fi

chromium: ## install what the browser and README tests use, if absent: Debian's chromium, a CJK font, awscli
	@need=""; \
	if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then need="chromium"; fi; \
	if ! fc-list :lang=ko 2>/dev/null | grep -q .; then need="$$need fonts-noto-cjk"; fi; \
	if [ ! -x /usr/bin/aws ]; then need="$$need awscli"; fi; \
	if [ -n "$$need" ]; then \
	  echo "installing (Debian):$$need"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; fi; \
	fi

build: ## static arm64 bootstrap per Lambda in bin/<function>/, and bin/breachflow for this machine
	@for f in $(FUNCTIONS); do \
	  echo "build functions/$$f"; \
	  GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o bin/$$f/bootstrap ./functions/$$f; \
	done
	$(GO) build -o bin/breachflow ./cmd/breachflow

vet: ## go vet over every build tag
	$(GO) vet -tags $(TAGS) ./...

lint: vet ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

validate-asl: deps ## asl-validator on every state machine
	@for f in statemachine/*.asl.json; do \
	  node $(NODE_BIN)/asl-validator --json-path "$$f" >/dev/null || { echo "invalid ASL: $$f" >&2; node $(NODE_BIN)/asl-validator --json-path "$$f"; exit 1; }; \
	  echo "asl-validator: $$f ok"; \
	done

test-unit: ## unit tests only (no emulators)
	$(GO) test ./...

test: deps chromium lint validate-asl ## everything CI runs: vet, unit, integration (real emulators), browser, ASL and template checks
	$(GO) test -tags $(TAGS) -count=1 -timeout 20m ./...
	@pgrep -f '[n]ode .*(dynalite|aws-ses-v2-local)' >/dev/null && { echo "emulator processes left behind" >&2; exit 1; } || true

demo: deps ## the whole Kakao Pay-style run, locally, no AWS account
	$(GO) run ./cmd/breachflow demo

SCOPE_USERS ?= 100000,1000000

bench: deps ## benchmarks and scale harnesses, ~30 min (see README for what each reports)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@echo "== local engine vs aws-local-stepfunctions 3.0.0 (same definitions, same run)"
	$(GO) run ./bench/sfncompare -infra $(INFRA)
	@echo "== send pipeline vs raw SES emulator rate, pacing accuracy, RSS at 100k and 1M people"
	$(GO) run ./bench/send -people 3000 -rate 200
	@echo "== SMS pipeline vs raw local SMS endpoint rate, SMS pacing accuracy"
	$(GO) run ./bench/sms -people 3000 -rate 100
	@echo "== scoping vs raw dynalite scan rate, RSS at $(SCOPE_USERS) users (SCOPE_USERS=... to change)"
	$(GO) run ./bench/scope -users $(SCOPE_USERS)

clean:
	rm -rf bin out .breachflow
