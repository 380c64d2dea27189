# slipway - git-push-to-deploy for a Docker host.
#
#   make            build/slipway
#   make test       unit tests, then end-to-end tests on a real engine
#   make unit       unit tests only (SAN=1 builds them with ASan + UBSan)
#   make e2e        end-to-end tests only
#   make demo       a demo push that serves a page (see README)
#   make bench      benchmarks (see README)
#   make install    PREFIX=/usr/local

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/slipway
SYSCONFDIR ?= /etc

CC ?= cc
PKGS = libgit2 libcurl yaml-0.1 inih jansson libarchive sqlite3 libssh2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS := $(shell pkg-config --libs $(PKGS))

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
	-DSLIPWAY_SHAREDIR='"$(SHAREDIR)"' -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE

ifeq ($(SAN),1)
  BUILD = build/san
  ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
else
  BUILD = build
endif

LIB_SRCS := $(filter-out agent/main.c,$(wildcard agent/*.c))
LIB_OBJS := $(LIB_SRCS:agent/%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/slipway

$(BUILD)/obj/%.o: agent/%.c $(wildcard agent/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libslipway.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/slipway: $(BUILD)/obj/main.o $(BUILD)/libslipway.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libslipway.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iagent -Itests/unit $(LDFLAGS) -o $@ $< \
		$(BUILD)/libslipway.a $(PKG_LIBS) -lcmocka -lpthread

unit: $(UNIT_BINS)
	tests/unit/run.sh $(UNIT_BINS)

e2e: $(BUILD)/slipway
	tests/e2e/run.sh

test: unit e2e

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

.PHONY: all unit e2e test demo bench install clean
.SECONDARY:
