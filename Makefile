# The README's two commands: `make demo` and `make test`.  Both install the
# Debian packages the build needs when they are missing, then configure
# (CMake + Ninja into build/), build and run.
BUILD ?= build
JOBS ?= 2
DEBS = build-essential cmake ninja-build pkg-config libgsl-dev libhdf5-dev \
       libyaml-dev libcmocka-dev librandom123-dev zlib1g-dev \
       python3-numpy python3-h5py python3-xarray python3-h5netcdf
# Only for the tests (browser check of the report, pandas example, man page):
# `make test` installs them too, `make demo` does not.
TEST_DEBS = chromium python3-pandas man-db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo test clean test-asan fuzz bench

all: build

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja: CMakeLists.txt tests/CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/ipsim run scenarios/thai_binh_2025.yaml -n 10000 -j $(JOBS) -o $(BUILD)/thai_binh_2025.h5

test: DEBS += $(TEST_DEBS)
test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

# The benchmark (docs/performance.md): built as for `make test`, then
# bench/ipsim-bench on bench/province40.yaml, BENCH_PATHS paths per run and
# BENCH_REPS measured rounds (each: every thread count, then the floor); BENCH_MEMORY=A,B adds peak
# memory at --store summary for A and B paths; BENCH_ARGS passes more options.
BENCH_PATHS ?= 2000
BENCH_REPS ?= 5
BENCH_ARGS ?=
bench: build
	./$(BUILD)/bench/ipsim-bench bench/province40.yaml -n $(BENCH_PATHS) -r $(BENCH_REPS) \
	  $(if $(BENCH_MEMORY),--memory $(BENCH_MEMORY)) $(BENCH_ARGS)

# The whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# into build-asan/ (options and suppressions: tests/asan/).
ASAN_BUILD ?= build-asan
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
test-asan: DEBS += $(TEST_DEBS)
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_C_FLAGS="$(SAN)" -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=OFF \
	  -DCMAKE_EXE_LINKER_FLAGS="$(SAN)" -DCMAKE_SHARED_LINKER_FLAGS="$(SAN)"
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	. tests/asan/env.sh && cd $(ASAN_BUILD) && ctest -j $(JOBS) --output-on-failure

# libFuzzer on the scenario reader (clang, ASan + UBSan) into build-fuzz/, for
# FUZZ_SECONDS from the seed corpus; fails if it finds anything.
FUZZ_SECONDS ?= 300
fuzz: DEBS += clang libclang-rt-14-dev libomp-14-dev
fuzz: deps
	cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang
	cmake --build build-fuzz -j $(JOBS)
	tests/fuzz/run.sh $(CURDIR) $(CURDIR)/build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
