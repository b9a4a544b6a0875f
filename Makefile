# capsule: a Gemini and Gopher server for one archive of posts.
# `make run` serves content/ on localhost; `make check` builds and runs every test.

CC      ?= cc
PKGS     = libtls libuv libssl libcrypto
DEBS     = build-essential pkg-config libtls-dev libuv1-dev libssl-dev openssl \
           curl lynx socat libxml2-utils python3 molly-brown gophernicus \
           w3m tmux amfora bombadillo gopher sacc
BENCH_DEBS = linux-perf
CSTD     = -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread
LIBS     = $(PKG_LIBS) -pthread

SRCS     = $(wildcard capsule/*.c)
LIBSRCS  = $(filter-out capsule/main.c,$(SRCS))
HDRS     = $(wildcard capsule/*.h)
UNITSRCS = $(wildcard tests/unit/*.c)

SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

HOST    ?= 127.0.0.1
GEMINI_PORT ?= 1965
GOPHER_PORT ?= 7070
BENCH_SIZES ?= 1000,10000,100000

.PHONY: all deps run check bench clean unit asan

all: capsule/capsule

capsule/capsule: $(SRCS) $(HDRS)
	$(CC) $(ALL_CFLAGS) -o $@ $(SRCS) $(LIBS)

build/test_unit: $(LIBSRCS) $(UNITSRCS) $(HDRS) tests/unit/test.h
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -Icapsule -o $@ $(LIBSRCS) $(UNITSRCS) $(LIBS)

build/asan/capsule: $(SRCS) $(HDRS)
	@mkdir -p build/asan
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $(SRCS) $(LIBS)

build/asan/test_unit: $(LIBSRCS) $(UNITSRCS) $(HDRS) tests/unit/test.h
	@mkdir -p build/asan
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -Icapsule -o $@ $(LIBSRCS) $(UNITSRCS) $(LIBS)

build/gemget: tests/gemget.c
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -o $@ tests/gemget.c $(LIBS)

# Installs what building and testing need: as root with apt-get, otherwise
# it prints the one command to run and stops.
deps:
	@missing=""; for p in $(DEBS) $(EXTRA_DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing || exit 1; \
		else \
			echo "missing packages:$$missing"; \
			echo "run: sudo apt-get install -y$$missing"; exit 1; \
		fi; \
	fi

run: deps
	@$(MAKE) --no-print-directory capsule/capsule
	./capsule/capsule serve --foreground --content content --cert-dir certs \
		--hostname localhost --listen $(HOST) \
		--gemini-port $(GEMINI_PORT) --gopher-port $(GOPHER_PORT) --access-log -

check: deps
	@$(MAKE) --no-print-directory capsule/capsule build/test_unit build/asan/capsule build/asan/test_unit build/gemget
	@tests/run.sh

bench:
	@$(MAKE) --no-print-directory deps EXTRA_DEBS="$(BENCH_DEBS)"
	@$(MAKE) --no-print-directory capsule/capsule
	@tests/bench/run.sh
	@python3 tests/bench/scale.py --sizes $(BENCH_SIZES)

clean:
	rm -rf build capsule/capsule
