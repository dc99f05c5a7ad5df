# Userdesk developer commands. The two that matter: `make run` and `make test`.
# `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# cargo install puts tauri-driver here; a fresh login shell may not have it on PATH yet.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

ifeq ($(CI),true)
# Incremental artefacts only cost time and disk on a one-off build.
export CARGO_INCREMENTAL := 0
# Plain logs: no colour codes around the test runners' summary lines.
export CARGO_TERM_COLOR := never
export NO_COLOR := 1
export RUST_BACKTRACE := 1
endif

section = @printf '\n==> %s\n' '$(1)'

UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) \
  $(wildcard ui/index.html ui/package.json ui/package-lock.json ui/*.config.* ui/tsconfig*.json)

.PHONY: help run test deps deps-run fmt fmt-check ui-deps ui-check ui-test ui-build ui lint \
  clippy deny test-rust clerk-js fuzz e2e e2e-deb bindings server ui-size deb

help:
	@echo 'make run        build and start the app (installs what is missing first)'
	@echo 'make test       everything CI runs, in order, stopping at the first failure'
	@echo
	@echo 'make deps       install missing system packages, node_modules and tauri-driver'
	@echo 'make lint       rustfmt check, svelte-check, clippy'
	@echo 'make fmt        format the Rust code'
	@echo 'make ui         svelte-check, vitest, the production UI build and its size report'
	@echo 'make deny       licences, sources and advisories of the dependencies (deny.toml)'
	@echo 'make test-rust  cargo test --workspace'
	@echo 'make clerk-js   Clerk'"'"'s own JavaScript SDK against userdesk-server (clerk-js/)'
	@echo 'make e2e        end-to-end tests of the built app (tauri-driver, Xvfb)'
	@echo 'make e2e-deb    build the .deb, install it, test its URL scheme, remove it (root/sudo)'
	@echo 'make deb        the release .deb as shipped (npx tauri build, packed with xz)'
	@echo 'make bindings   regenerate ui/src/lib/bindings.ts from the Rust types'
	@echo 'make server     run userdesk-server on a temporary data dir (DATA=dir ADDR=host:port)'

# --- the two set-up commands ------------------------------------------------------------------

test:
	@start=$$(date +%s); \
	for step in deps fmt-check ui clippy deny test-rust clerk-js fuzz e2e e2e-deb; do \
	  t=$$(date +%s); \
	  $(MAKE) $$step || { printf '\n==> make test FAILED at step %s\n' "$$step"; exit 1; }; \
	  printf '    (%s took %ss)\n' "$$step" "$$(( $$(date +%s) - t ))"; \
	done; \
	printf '\n==> make test passed in %ss\n' "$$(( $$(date +%s) - start ))"

run: deps-run ui/dist/index.html
	$(call section,cargo build)
	cargo build
	$(call section,run target/debug/userdesk)
	scripts/run.sh target/debug/userdesk

# --- steps ------------------------------------------------------------------------------------

deps:
	$(call section,dependencies)
	scripts/install-deps.sh test

deps-run:
	$(call section,dependencies)
	scripts/install-deps.sh run

fmt:
	cargo fmt --all

fmt-check:
	$(call section,cargo fmt --all --check)
	cargo fmt --all --check

ui-deps:
	@scripts/npm-ci.sh ui

ui-check: ui-deps
	$(call section,ui: npm run check (svelte-check))
	cd ui && npm run --silent check

ui-test: ui-deps
	$(call section,ui: npm test (vitest))
	cd ui && npm test --silent

ui-build: ui-deps
	$(call section,ui: npm run build)
	cd ui && npm run --silent build

# What the UI is made of and what the window loads at start, against the 115 KB gzip budget.
ui-size: ui-deps
	$(call section,ui: bundle report)
	cd ui && node scripts/bundle-report.mjs

ui: ui-check ui-test ui-build ui-size

# The app embeds ui/dist at compile time: every cargo build of it needs a current one.
ui/dist/index.html: $(UI_SOURCES)
	@$(MAKE) ui-build

clippy: ui/dist/index.html
	$(call section,cargo clippy --workspace --all-targets -- -D warnings)
	cargo clippy --workspace --all-targets -- -D warnings

# Licences, sources and banned crates of the dependency tree (deny.toml); RustSec's advisories
# too where its database is at hand (scripts/deny.sh says how).
deny:
	$(call section,cargo deny (scripts/deny.sh))
	scripts/deny.sh

lint: fmt-check ui-check clippy

test-rust: ui/dist/index.html
	$(call section,cargo test --workspace)
	cargo test --workspace

# Clerk's own JavaScript SDK (its native build, as Expo runs it) against the real server binary.
clerk-js:
	@scripts/npm-ci.sh clerk-js
	$(call section,cargo build -p userdesk-server --bin userdesk-server)
	cargo build -p userdesk-server --bin userdesk-server
	$(call section,clerk-js: npm test (node --test))
	cd clerk-js && npm test --silent

fuzz:
	$(call section,scripts/fuzz-api.sh)
	@if [ -f scripts/fuzz-api.sh ]; then bash scripts/fuzz-api.sh; \
	else echo 'scripts/fuzz-api.sh does not exist: skipped'; fi

e2e:
	$(call section,end-to-end tests (scripts/e2e.sh))
	scripts/e2e.sh

# Tauri's bundler packs with gzip and has no setting for xz, which Debian's own packages use.
deb: deps-run
	$(call section,npx tauri build --bundles deb)
	npx tauri build --bundles deb
	$(call section,scripts/repack-deb.sh (xz))
	@for deb in $${CARGO_TARGET_DIR:-target}/release/bundle/deb/*.deb; do \
	  scripts/repack-deb.sh "$$deb" && ls -l "$$deb"; done

e2e-deb:
	$(call section,the installed .deb: URL scheme and xdg-open (scripts/e2e-deb.sh))
	scripts/e2e-deb.sh

bindings: ui/dist/index.html
	$(call section,regenerate ui/src/lib/bindings.ts)
	UPDATE_BINDINGS=1 cargo test -p userdesk-app bindings

DATA ?=
ADDR ?= 127.0.0.1:0
server:
	$(call section,userdesk-server)
	@data='$(DATA)'; if [ -z "$$data" ]; then data=$$(mktemp -d /tmp/userdesk-server.XXXXXX); fi; \
	echo "data directory: $$data"; \
	cargo run --quiet -p userdesk-server -- --addr '$(ADDR)' --data "$$data"
