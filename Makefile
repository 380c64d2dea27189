# slipway - git-push-to-deploy for a Docker host.
#
#   make            build/slipway
#   make test       unit tests, then end-to-end tests on a real engine
#   make unit       unit tests only (SAN=1 builds them with ASan + UBSan)
#   make e2e        end-to-end tests only (SAN=1: with a sanitized binary, a
#                   sanitizer report fails the test)
#   make check-layers   no file includes from a layer above its own
#   make check-status   no status ignored, in static functions too
#   make analyze    gcc -fanalyzer and clang scan-build over agent/: no findings
#   make fuzz       libFuzzer targets (tests/fuzz), FUZZ_SECONDS each (clang)
#   make demo       a demo push that serves a page (sh examples/demo.sh)
#   make bench      benchmarks (see README)
#   make install    PREFIX=/usr/local
#
# DEVELOPER=1 turns warnings into errors (as git's Makefile does); CI and
# developers build that way, a user's build on a newer compiler does not.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/slipway
SYSCONFDIR ?= /etc

CC ?= cc
PKGS = libgit2 libcurl yaml-0.1 inih jansson libarchive sqlite3 libssh2 libcrypto \
	libprotobuf-c
# Quietly: before tools/deps.sh ran there may be no pkg-config at all.
HAVE_PKG_CONFIG := $(shell command -v pkg-config 2>/dev/null)
ifneq ($(HAVE_PKG_CONFIG),)
  PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
  PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
endif

# One short line per step (git's Makefile); V=1 shows the commands.
ifneq ($(V),1)
  QUIET_CC = @echo '    CC $@';
  QUIET_AR = @echo '    AR $@';
  QUIET_LINK = @echo '    LINK $@';
endif

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
  WARN += -Werror
endif
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD = -pie -Wl,-z,relro,-z,now
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(HARDEN) $(PKG_CFLAGS) -Iagent \
	-I$(abspath $(BUILD)/gen) \
	-DSLIPWAY_SHAREDIR='"$(SHAREDIR)"' -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE \
	-MMD -MP
ALL_LDFLAGS = $(HARDEN_LD) $(LDFLAGS)

ifeq ($(SAN),1)
  BUILD ?= build/san
  ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=undefined
  ALL_LDFLAGS += -fsanitize=address,undefined
else
  BUILD ?= build
endif

LIB_SRCS := $(filter-out agent/cmd/%,$(wildcard agent/*/*.c))
CMD_SRCS := $(filter-out agent/cmd/main.c,$(wildcard agent/cmd/*.c))
# BuildKit's progress messages: C from agent/engine/buildkit.proto (protoc-c).
PROTO_OBJS := $(BUILD)/obj/gen/engine/buildkit.pb-c.o
LIB_OBJS := $(LIB_SRCS:agent/%.c=$(BUILD)/obj/%.o) $(PROTO_OBJS)
CMD_OBJS := $(CMD_SRCS:agent/%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/slipway

$(BUILD)/obj/%.o: agent/%.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/engine/buildkit.pb-c.c $(BUILD)/gen/engine/buildkit.pb-c.h &: \
    agent/engine/buildkit.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=agent --c_out=$(BUILD)/gen engine/buildkit.proto

$(BUILD)/obj/engine/buildkit.o $(BUILD)/analyze/engine/buildkit.ok: \
    $(BUILD)/gen/engine/buildkit.pb-c.h

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libslipway.a: $(LIB_OBJS) $(CMD_OBJS)
	@rm -f $@
	$(QUIET_AR)ar rcsP $@ $^

$(BUILD)/slipway: $(BUILD)/obj/cmd/main.o $(BUILD)/libslipway.a
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# The fake engine (tests/unit/fake-engine.c) is linked into every test.
$(BUILD)/tests/fake-engine.o: tests/unit/fake-engine.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/tests/fake-engine.o $(BUILD)/libslipway.a
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/tests/fake-engine.o $(BUILD)/libslipway.a $(PKG_LIBS) \
		-lcmocka -lpthread

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d $(BUILD)/analyze/*/*.d)

unit: $(UNIT_BINS)
	tests/unit/run.sh $(UNIT_BINS)

# E2E_TESTS: some tests only (e.g. E2E_TESTS="t0001-push-deploy.sh").
e2e: $(BUILD)/slipway
	SLIPWAY_BIN=$(abspath $(BUILD)/slipway) tests/e2e/run.sh $(E2E_TESTS)

# The unit tests first, then e2e (make -j would run both at once): the unit
# tests that build on the real engine with the classic builder failed now and
# then on "unable to find image" (an intermediate image gone between two
# steps) while the e2e tests built and removed images beside them.
test: unit
	@$(MAKE) --no-print-directory e2e

# Compatibility figures on compose projects nobody here wrote (issue 18), on
# demand only: tests/compat/measure.sh says what it reads.
$(BUILD)/compose-check: tests/compat/compose-check.c $(BUILD)/libslipway.a
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/libslipway.a $(PKG_LIBS) -lpthread

compat: $(BUILD)/slipway $(BUILD)/compose-check
	SLIPWAY_BIN=$(abspath $(BUILD)/slipway) \
	COMPOSE_CHECK=$(abspath $(BUILD)/compose-check) tests/compat/measure.sh

check-layers:
	tests/check-layers.sh

check-status: $(BUILD)/gen/engine/buildkit.pb-c.h
	CC="$(CC)" FLAGS="$(ALL_CFLAGS)" tests/check-status.sh
# Static analysis: both analyzers, every finding fails. A proven false
# positive is silenced in the code with a comment saying why.
ANALYZE_SRCS := $(wildcard agent/*/*.c)
ANALYZE_CFLAGS = $(filter-out -MMD -MP -Werror,$(ALL_CFLAGS))

analyze: analyze-gcc analyze-clang

analyze-gcc: $(ANALYZE_SRCS:agent/%.c=$(BUILD)/analyze/%.ok)

$(BUILD)/analyze/%.ok: agent/%.c
	@mkdir -p $(dir $@)
	gcc $(ANALYZE_CFLAGS) -fanalyzer -Werror -MMD -MP -MF $@.d -MT $@ \
		-c -o /dev/null $<
	@touch $@

analyze-clang:
	rm -rf $(BUILD)/scan-build
	scan-build --use-cc=clang -o $(BUILD)/scan-build --status-bugs \
		$(MAKE) -B BUILD=$(BUILD)/scan-build/obj \
		$(BUILD)/scan-build/obj/libslipway.a

# Fuzzing: libFuzzer targets tests/fuzz/fuzz-<target>.c over a copy of the
# library built with clang, ASan and UBSan. Each runs FUZZ_SECONDS from its
# seeds in tests/fuzz/corpus/<target>; what it finds goes to
# build/fuzz/corpus/<target>, a crash to build/fuzz/crash-<target>-*.
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=build/fuzz/fuzz-%)
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_LIB_CFLAGS = -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link

fuzz-lib:
	$(MAKE) CC=clang SAN= BUILD=build/fuzz CFLAGS="$(FUZZ_LIB_CFLAGS)" \
		HARDEN= HARDEN_LD= build/fuzz/libslipway.a

build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h fuzz-lib
	clang -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
		$(PKG_CFLAGS) -Iagent -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
		-o $@ $< build/fuzz/libslipway.a $(PKG_LIBS) -lpthread

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo:
	sh examples/demo.sh

bench: $(BUILD)/slipway
	@echo "# load average before: $$(cut -d' ' -f1-3 /proc/loadavg)"
	tests/bench/run.sh
	@echo "# load average: $$(cut -d' ' -f1-3 /proc/loadavg)"
	tests/bench/deploy.sh
	@echo "# load average: $$(cut -d' ' -f1-3 /proc/loadavg)"
	tests/bench/build.sh
	@echo "# load average after: $$(cut -d' ' -f1-3 /proc/loadavg)"

install: $(BUILD)/slipway
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/hooks $(DESTDIR)$(SHAREDIR)/templates \
	    $(DESTDIR)$(SHAREDIR)/helpers
	install -m 0755 $(BUILD)/slipway $(DESTDIR)$(BINDIR)/slipway
	install -m 0755 hooks/* $(DESTDIR)$(SHAREDIR)/hooks/
	install -m 0755 helpers/* $(DESTDIR)$(SHAREDIR)/helpers/
	cp -R templates/. $(DESTDIR)$(SHAREDIR)/templates/
ifneq ($(INSTALL_CONFIG),no)
	install -d $(DESTDIR)$(SYSCONFDIR)/slipway
	test -e $(DESTDIR)$(SYSCONFDIR)/slipway/slipway.conf || \
		install -m 0644 etc/slipway.conf $(DESTDIR)$(SYSCONFDIR)/slipway/slipway.conf
endif

clean:
	rm -rf build

.PHONY: all unit e2e test compat check-layers check-status analyze analyze-gcc \
	analyze-clang fuzz fuzz-build fuzz-lib demo bench install clean
.SECONDARY:
