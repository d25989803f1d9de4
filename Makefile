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

.PHONY: all deps build demo test clean

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

clean:
	rm -rf $(BUILD)
