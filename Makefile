# The two set-up commands of the README, plus what they are made of.
#   make run   — install dependencies, build, serve with conf/veil.yaml
#   make test  — install dependencies, build, run the whole suite through ctest
SHELL := /bin/bash
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc)
CONFIG ?= conf/veil.yaml
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: deps build run test test-sanitize clean

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

# The model: MODEL=path when given, else the first GGUF in the git-ignored models/ folder, else the
# configuration's (../shared/testdata/models/stories260K.gguf), else a small demo model with random
# weights made by `veil model synth` (models/demo-synth.gguf, kept for the next run). Without
# SEV-SNP/TDX hardware the TEE provider runs in its labelled simulation mode, and the server says
# so everywhere.
DEMO_MODEL := models/demo-synth.gguf
run: build
	@model="$(MODEL)"; \
	if [ -z "$$model" ]; then model=$$(ls models/*.gguf 2>/dev/null | head -1); fi; \
	if [ -z "$$model" ] && [ ! -e ../shared/testdata/models/stories260K.gguf ]; then \
		model=$(DEMO_MODEL); \
		echo "make run: no model found — making $$model with RANDOM WEIGHTS (its text is gibberish; MODEL=path serves a real model)"; \
		mkdir -p models && $(BUILD)/veil model synth --shape 256,4,768,8,4,4096 --type Q8_0 --seed 1 --out $$model || exit 1; \
	fi; \
	sim=""; \
	if [ ! -e /dev/sev-guest ] && [ ! -e /dev/tdx_guest ] && [ ! -d /sys/kernel/config/tsm/report ]; then \
		sim="--simulate snp"; echo "make run: no SEV-SNP/TDX hardware here — attestation will be SIMULATED"; \
	fi; \
	set -x; exec $(BUILD)/veil serve --config $(CONFIG) $$sim $${model:+--model-path "$$model"}

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

# Unit tests again with AddressSanitizer + UndefinedBehaviorSanitizer; any report fails the run.
test-sanitize: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DVEIL_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j$(JOBS)
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS) --timeout 900 -LE slow

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
