# The two set-up commands of the README: `make demo` and `make test`.
# Both provision libtorch (scripts/setup-libtorch.sh, idempotent) first.
CARGO ?= cargo
SACX := target/release/sacx

.PHONY: setup demo test build clean-venv

setup:
	@./scripts/setup-libtorch.sh

build: setup
	$(CARGO) build --release -p sacx-cli

## The main job on the bundled corpus: 3 seeds, the whole pipeline, the report.
DEMO_OUT ?= sacx-out
demo: build
	$(SACX) doctor
	$(SACX) run --seeds 3 --threads 2 --out $(DEMO_OUT)

## The whole test suite (unit, integration, doc tests, Python reference checks).
test: setup
	$(CARGO) test --workspace

clean-venv:
	rm -rf .venv
