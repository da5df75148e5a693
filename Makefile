# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over meson: every target installs what is missing first.

BUILD ?= build
ASAN  ?= build-asan
DEMO_ARGS ?=

.PHONY: all deps build asan demo test bench clean

all: build

deps:
	@tools/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	ninja -C $(BUILD)

asan: deps
	@[ -f $(ASAN)/build.ninja ] || meson setup $(ASAN) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(ASAN)

demo: build
	tools/demo.sh --build $(BUILD) $(DEMO_ARGS)

test: build asan
	tools/run-tests.sh $(BUILD) $(ASAN)

# The standard benchmark set, median of 5 runs (under 2 minutes).
# Hugepages make the figures real: dpdk-hugepages.py -p 2M --setup 3G
bench: build
	$(BUILD)/bench/spillway-bench --runs $(or $(RUNS),5) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN)
