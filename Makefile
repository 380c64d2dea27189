# slipway - git-push-to-deploy for a Docker host.
#
#   make            build/slipway
#   make test       unit tests, then end-to-end tests on a real engine
#   make unit       unit tests only (SAN=1 builds them with ASan + UBSan)
#   make e2e        end-to-end tests only (SAN=1: with a sanitized binary)
#   make check-layers   no file includes from a layer above its own
#   make check-status   no status ignored, in static functions too
#   make demo       a demo push that serves a page (see README)
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
PKGS = libgit2 libcurl yaml-0.1 inih jansson libarchive sqlite3 libssh2 \
	libprotobuf-c
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/engine/buildkit.pb-c.c $(BUILD)/gen/engine/buildkit.pb-c.h &: \
    agent/engine/buildkit.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=agent --c_out=$(BUILD)/gen engine/buildkit.proto

$(BUILD)/obj/engine/buildkit.o: $(BUILD)/gen/engine/buildkit.pb-c.h

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libslipway.a: $(LIB_OBJS) $(CMD_OBJS)
	rm -f $@
	ar rcsP $@ $^

$(BUILD)/slipway: $(BUILD)/obj/cmd/main.o $(BUILD)/libslipway.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# The fake engine (tests/unit/fake-engine.c) is linked into every test.
$(BUILD)/tests/fake-engine.o: tests/unit/fake-engine.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/tests/fake-engine.o $(BUILD)/libslipway.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/tests/fake-engine.o $(BUILD)/libslipway.a $(PKG_LIBS) \
		-lcmocka -lpthread

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/tests/*.d)

unit: $(UNIT_BINS)
	tests/unit/run.sh $(UNIT_BINS)

e2e: $(BUILD)/slipway
	SLIPWAY_BIN=$(abspath $(BUILD)/slipway) tests/e2e/run.sh

test: unit e2e

check-layers:
	tests/check-layers.sh

check-status: $(BUILD)/gen/engine/buildkit.pb-c.h
	CC="$(CC)" FLAGS="$(ALL_CFLAGS)" tests/check-status.sh

demo:
	examples/demo.sh

bench: $(BUILD)/slipway
	tests/bench/run.sh

install: $(BUILD)/slipway
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/hooks $(DESTDIR)$(SHAREDIR)/templates
	install -m 0755 $(BUILD)/slipway $(DESTDIR)$(BINDIR)/slipway
	install -m 0755 hooks/* $(DESTDIR)$(SHAREDIR)/hooks/
	cp -R templates/. $(DESTDIR)$(SHAREDIR)/templates/
	install -d $(DESTDIR)$(SYSCONFDIR)/slipway
	test -e $(DESTDIR)$(SYSCONFDIR)/slipway/slipway.conf || \
		install -m 0644 etc/slipway.conf $(DESTDIR)$(SYSCONFDIR)/slipway/slipway.conf

clean:
	rm -rf build

.PHONY: all unit e2e test check-layers check-status demo bench install clean
.SECONDARY:
