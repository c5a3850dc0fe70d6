# elohimd — build, run and test. `make help` lists the targets.
SWIFT ?= swift
PYTHON ?= python3

.PHONY: help deps build release run test test-swift test-e2e verify-units bench openrpc completions

help:
	@echo "make run      install dependencies, build release, run elohimd in the foreground (built-in defaults)"
	@echo "make test     install dependencies, build, run every test (Swift, end-to-end, systemd units)"
	@echo "make bench    run the benchmarks (Benchmarks/elohim-bench all)"
	@echo "make openrpc  regenerate Protocol/elohim.openrpc.json from the daemon"
	@echo "make completions  regenerate contrib/completions from the CLI"

deps:
	scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	.build/release/elohimd

test: build
	$(SWIFT) test
	$(PYTHON) -m pytest -q Tests/e2e
	systemd/verify.sh "$(CURDIR)/.build/debug/elohimd"

bench: deps
	Benchmarks/elohim-bench all

openrpc: build
	.build/debug/elohimd --print-openrpc > Protocol/elohim.openrpc.json

completions: build
	for shell in bash zsh fish; do \
	  case $$shell in bash) f=elohim.bash;; zsh) f=_elohim;; fish) f=elohim.fish;; esac; \
	  .build/debug/elohim --generate-completion-script $$shell > contrib/completions/$$f; \
	done
