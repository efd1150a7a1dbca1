# The two set-up commands of the README: `make demo` and `make test`.
# Both provision libtorch (scripts/setup-libtorch.sh, idempotent) first.
CARGO ?= cargo
SACX := target/release/sacx

.PHONY: setup demo test build clean-venv

setup:
	@./scripts/setup-libtorch.sh

build: setup
	$(CARGO) build --release -p sacx-cli

## The main job on the bundled corpus.
demo: build
	$(SACX) doctor

## The whole test suite (unit, integration, doc tests, Python reference checks).
test: setup
	$(CARGO) test --workspace

clean-venv:
	rm -rf .venv
