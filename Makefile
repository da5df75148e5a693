# SPDX-License-Identifier: BSD-3-Clause
# A thin wrapper over meson: the lists of sources, tests, suites and fuzz
# targets live in the meson.build files, and nothing here repeats them.
# `make demo` and `make test` install what is missing first (the two
# commands the README starts with); `make build` never runs apt.

BUILD ?= build
ASAN  ?= build-asan
TSAN  ?= build-tsan
FUZZ  ?= build-fuzz
DEMO_ARGS ?=
FUZZ_SECONDS ?= 300

.PHONY: all deps build asan tsan fuzz-build demo test bench fuzz install \
	clean setup-build setup-asan setup-tsan setup-fuzz

all: build

deps:
	@tools/install-deps.sh

# Configure a build directory once; the targets below build in it.
setup-build:
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)

setup-asan:
	@[ -f $(ASAN)/build.ninja ] || meson setup $(ASAN) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
		-Db_lto=false

# ThreadSanitizer for the multi-threaded suites (suite "tsan"), clang.
setup-tsan:
	@[ -f $(TSAN)/build.ninja ] || CC=clang meson setup $(TSAN) \
		-Dbuildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false \
		-Db_lto=false

# libFuzzer targets (suite "fuzz"), with ASan+UBSan, clang.
setup-fuzz:
	@[ -f $(FUZZ)/build.ninja ] || CC=clang meson setup $(FUZZ) -Dfuzz=true \
		-Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
		-Db_lundef=false -Db_lto=false

build: setup-build
	meson compile -C $(BUILD)

asan: setup-asan
	meson compile -C $(ASAN)

tsan: setup-tsan
	meson compile -C $(TSAN)

fuzz-build: setup-fuzz
	meson compile -C $(FUZZ)

demo: deps build
	tools/demo.sh --build $(BUILD) $(DEMO_ARGS)

# The runner builds each stage itself, so a build that fails is reported
# as that stage's failure in its last line (and the exit status).
test: deps setup-build setup-asan setup-tsan setup-fuzz
	tools/run-tests.sh $(BUILD) $(ASAN) $(TSAN) $(FUZZ)

# Each fuzz target for FUZZ_SECONDS (default 300).
fuzz: fuzz-build
	SW_TEST_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C $(FUZZ) \
		--suite fuzz --print-errorlogs

# The standard benchmark set, median of 5 runs (under 2 minutes).
# Hugepages make the figures real: dpdk-hugepages.py -p 2M --setup 3G
bench: build
	$(BUILD)/bench/spillway-bench --runs $(or $(RUNS),5) $(BENCH_ARGS)

# spillway, spillway-setup, the systemd unit and example configs, under
# meson's prefix (default /usr/local).
install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(TSAN) $(FUZZ)
