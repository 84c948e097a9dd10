# The two commands of the README: `make run` and `make test`. Each sets up what is missing.
.PHONY: setup build run test bench clean

EXAMPLE ?= websocket_chat

setup:
	scripts/setup

build: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $$(nproc)

# Builds only the library and the example, so the first run does not wait for the test suites.
run: setup
	cmake --preset release >/dev/null
	cmake --build --preset release -j $$(nproc) --target $(EXAMPLE)
	build/release/$(EXAMPLE)

test: setup
	scripts/test

bench: setup
	scripts/setup --bench
	bench/run
	bench/run_ws

clean:
	rm -rf build
