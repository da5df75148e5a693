# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over meson: every target installs what is missing first.

BUILD ?= build
ASAN  ?= build-asan
TSAN  ?= build-tsan
FUZZ  ?= build-fuzz
DEMO_ARGS ?=
FUZZ_SECONDS ?= 300

.PHONY: all deps build asan tsan fuzz-build demo test bench fuzz clean \
	setup-build setup-asan setup-tsan setup-fuzz

all: build

deps:
	@tools/install-deps.sh

# Configure a build directory once; the targets below build in it.
setup-build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)

setup-asan: deps
	@[ -f $(ASAN)/build.ninja ] || meson setup $(ASAN) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
		-Db_lto=false

# ThreadSanitizer for the multi-threaded suites only (clang).
setup-tsan: deps
	@[ -f $(TSAN)/build.ninja ] || CC=clang meson setup $(TSAN) \
		-Dbuildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false \
		-Db_lto=false

# libFuzzer targets, with ASan+UBSan (clang).
setup-fuzz: deps
	@[ -f $(FUZZ)/build.ninja ] || CC=clang meson setup $(FUZZ) -Dfuzz=true \
		-Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
		-Db_lundef=false -Db_lto=false

build: setup-build
	ninja -C $(BUILD)

asan: setup-asan
	ninja -C $(ASAN)

tsan: setup-tsan
	ninja -C $(TSAN) tests/test_flowtable tests/test_acl

fuzz-build: setup-fuzz
	ninja -C $(FUZZ) tests/fuzz/fuzz_parse tests/fuzz/fuzz_config \
		tests/fuzz/fuzz_cli tests/fuzz/fuzz_path

demo: build
	tools/demo.sh --build $(BUILD) $(DEMO_ARGS)

# The runner builds each stage itself, so a build that fails is reported
# as that stage's failure in its last line (and the exit status).
test: setup-build setup-asan setup-tsan setup-fuzz
	tools/run-tests.sh $(BUILD) $(ASAN) $(TSAN) $(FUZZ)

# Each fuzz target for FUZZ_SECONDS (default 300).
fuzz: fuzz-build
	tools/run-fuzz.sh $(FUZZ) $(FUZZ_SECONDS)

# The standard benchmark set, median of 5 runs (under 2 minutes).
# Hugepages make the figures real: dpdk-hugepages.py -p 2M --setup 3G
bench: build
	$(BUILD)/bench/spillway-bench --runs $(or $(RUNS),5) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ)
