# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over meson: every target installs what is missing first.

BUILD ?= build
ASAN  ?= build-asan
DEMO_ARGS ?=

.PHONY: all deps build asan demo test clean

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

clean:
	rm -rf $(BUILD) $(ASAN)
