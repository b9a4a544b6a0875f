# capsule: a Gemini and Gopher server for one archive of posts.
# `make run` serves content/ on localhost; `make check` builds and runs every test.

CC      ?= cc
PKGS     = libtls libuv libssl libcrypto libxml-2.0 libcurl libseccomp json-c
DEBS     = build-essential pkg-config libtls-dev libuv1-dev libssl-dev openssl \
           libxml2-dev libcurl4-openssl-dev libseccomp-dev libjson-c-dev \
           curl lynx socat libxml2-utils python3 molly-brown gophernicus \
           w3m tmux amfora bombadillo gopher sacc haproxy systemd man-db \
           logrotate \
           wordpress mariadb-server apache2 libapache2-mod-php php-gd php-mysql
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

# Fuzzing: libFuzzer (clang) for `make fuzz`; `make check` replays the
# saved corpora with $(CC) under ASan+UBSan through tests/fuzz/replay.c.
FUZZERS  = url post search gemini gopher config proxy tls html xmlrepair
FUZZCC  ?= clang
FUZZ_DEBS = clang
FUZZ_SECONDS ?= 60
FUZZ_LIBOBJS = $(patsubst capsule/%.c,build/fuzz/obj/%.o,$(LIBSRCS))
REPLAY_OBJS  = $(FUZZERS:%=build/asan/replay/%_fuzz.o)

# make install [PREFIX=/usr/local] [DESTDIR=staging]: the binary, the
# manual pages, an example config, the systemd units and the logrotate
# snippet (dist/).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/capsule
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(PREFIX)/lib/systemd/system
LOGROTATEDIR ?= $(SYSCONFDIR)/logrotate.d

.PHONY: all deps run check bench clean unit asan fuzz install uninstall

# The builds inside check, run, bench and fuzz use both cores unless the
# caller chose a -j of its own (JOBS=-j1 for one at a time).
JOBS    ?= $(if $(filter -j%,$(MAKEFLAGS)),,-j2)

all: capsule/capsule

# Objects per variant under build/, each with its dependency file (-MMD -MP),
# so a one-file change recompiles one object per variant and relinks.
# The plain objects serve capsule/capsule, the unit tests and searchbench;
# ASan+UBSan and the fuzz build (clang) each have their own.  Flags are not
# tracked: after changing CFLAGS or CC, `make clean`.
DEPFLAGS = -MMD -MP
OBJS      = $(SRCS:capsule/%.c=build/obj/%.o)
LIBOBJS   = $(LIBSRCS:capsule/%.c=build/obj/%.o)
UNITOBJS  = $(UNITSRCS:tests/unit/%.c=build/unit/%.o)
ASAN_OBJS    = $(SRCS:capsule/%.c=build/asan/obj/%.o)
ASAN_LIBOBJS = $(LIBSRCS:capsule/%.c=build/asan/obj/%.o)
ASAN_UNITOBJS = $(UNITSRCS:tests/unit/%.c=build/asan/unit/%.o)

build/obj/%.o: capsule/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Icapsule -c -o $@ $<

build/asan/obj/%.o: capsule/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) $(DEPFLAGS) -c -o $@ $<

build/asan/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) $(DEPFLAGS) -Icapsule -c -o $@ $<

capsule/capsule: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(LIBS)

build/test_unit: $(LIBOBJS) $(UNITOBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(LIBOBJS) $(UNITOBJS) $(LIBS)

build/asan/capsule: $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $(ASAN_OBJS) $(LIBS)

build/asan/test_unit: $(ASAN_LIBOBJS) $(ASAN_UNITOBJS)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ $(ASAN_LIBOBJS) $(ASAN_UNITOBJS) $(LIBS)

build/bench/searchbench.o: tests/bench/searchbench.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Icapsule -c -o $@ $<

build/bench/searchbench: $(LIBOBJS) build/bench/searchbench.o
	$(CC) $(ALL_CFLAGS) -o $@ $(LIBOBJS) build/bench/searchbench.o $(LIBS)

# An object built before its .d existed (older Makefiles kept objects
# here without one) is built again rather than trusted.
build/fuzz/obj/%.o: capsule/%.c build/fuzz/obj/%.d
	@mkdir -p $(@D)
	$(FUZZCC) $(ALL_CFLAGS) -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=undefined $(DEPFLAGS) -c -o $@ $<

build/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $(FUZZ_LIBOBJS)
	$(FUZZCC) $(ALL_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Icapsule $(DEPFLAGS) \
		-o $@ $< $(FUZZ_LIBOBJS) $(LIBS)

build/asan/replay/%.o: tests/fuzz/%.c build/asan/replay/%.d
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -Icapsule $(DEPFLAGS) \
		$(if $(filter %_fuzz,$*),-DLLVMFuzzerTestOneInput=fuzz_$(*:%_fuzz=%)) \
		-c -o $@ $<

# Named, not a pattern: a missing .d must count as made anew (a pattern
# would make it an intermediate file, which make skips).
$(FUZZ_LIBOBJS:.o=.d) $(REPLAY_OBJS:.o=.d) build/asan/replay/replay.d: ;

build/asan/fuzz_replay: build/asan/replay/replay.o $(REPLAY_OBJS) $(ASAN_LIBOBJS)
	$(CC) $(ALL_CFLAGS) -O1 $(SAN) -o $@ build/asan/replay/replay.o \
		$(REPLAY_OBJS) $(ASAN_LIBOBJS) $(LIBS)

# Each harness for FUZZ_SECONDS; new inputs go to build/fuzz/corpus/NAME,
# crashes to build/fuzz/crash-NAME-*. FUZZERS="gemini proxy" picks some.
# html also starts from the import's fixtures: whole blogs, so longer.
fuzz:
	@$(MAKE) --no-print-directory deps EXTRA_DEBS="$(FUZZ_DEBS)"
	@$(MAKE) --no-print-directory $(JOBS) $(FUZZERS:%=build/fuzz/%_fuzz)
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$f; \
		case $$f in html) more="-max_len=100000 tests/fixtures" ;; \
		*) more= ;; esac; \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		build/fuzz/$${f}_fuzz -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=build/fuzz/crash-$$f- \
			build/fuzz/corpus/$$f tests/fuzz/corpus/$$f $$more || exit 1; \
	done

build/gemget: tests/gemget.c
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ tests/gemget.c $(LIBS)

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
	@$(MAKE) --no-print-directory $(JOBS) capsule/capsule
	./capsule/capsule serve --foreground --content content --cert-dir certs \
		--hostname localhost --listen $(HOST) \
		--gemini-port $(GEMINI_PORT) --gopher-port $(GOPHER_PORT) --access-log -

check: deps
	@$(MAKE) --no-print-directory $(JOBS) capsule/capsule build/test_unit build/asan/capsule build/asan/test_unit build/gemget build/asan/fuzz_replay
	@tests/run.sh

bench:
	@$(MAKE) --no-print-directory deps EXTRA_DEBS="$(BENCH_DEBS)"
	@$(MAKE) --no-print-directory $(JOBS) capsule/capsule
	@tests/bench/run.sh
	@tests/bench/sandbox_cost.sh
	@python3 tests/bench/scale.py --sizes $(BENCH_SIZES)

install: capsule/capsule
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/capsule \
		$(DESTDIR)$(LOGROTATEDIR)
	install -m 755 capsule/capsule $(DESTDIR)$(BINDIR)/capsule
	install -m 644 capsule/capsule.8 $(DESTDIR)$(MANDIR)/man8/capsule.8
	install -m 644 capsule/capsule.conf.5 $(DESTDIR)$(MANDIR)/man5/capsule.conf.5
	install -m 644 dist/capsule.conf $(DESTDIR)$(DOCDIR)/capsule.conf.example
	@# An operator's settings are never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/capsule/capsule.conf ] || \
		install -m 644 dist/capsule.conf $(DESTDIR)$(SYSCONFDIR)/capsule/capsule.conf
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/capsule.service.in >$(DESTDIR)$(UNITDIR)/capsule.service
	chmod 644 $(DESTDIR)$(UNITDIR)/capsule.service
	install -m 644 dist/capsule.socket $(DESTDIR)$(UNITDIR)/capsule.socket
	install -m 644 dist/capsule.logrotate $(DESTDIR)$(LOGROTATEDIR)/capsule

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/capsule $(DESTDIR)$(MANDIR)/man8/capsule.8 \
		$(DESTDIR)$(MANDIR)/man5/capsule.conf.5 \
		$(DESTDIR)$(DOCDIR)/capsule.conf.example \
		$(DESTDIR)$(UNITDIR)/capsule.service $(DESTDIR)$(UNITDIR)/capsule.socket \
		$(DESTDIR)$(LOGROTATEDIR)/capsule

clean:
	rm -rf build capsule/capsule

# The dependency files written by the compiler, for whichever objects exist.
-include $(wildcard build/obj/*.d build/unit/*.d build/asan/obj/*.d \
	build/asan/unit/*.d build/asan/replay/*.d build/fuzz/obj/*.d \
	build/fuzz/*.d build/bench/*.d build/*.d)
