# hedgebus: one Makefile for the whole tree.
#
#   make            build everything (build/)
#   make run        install missing Debian packages, build, run the default deployment
#   make test       the same set-up, then every test (ASan+UBSan build, fuzz smoke)
#   make soak       the kill storm, long: SOAK_KILLS (100) SIGKILLs of each of the
#                   aggregator, hedger, risk and a feed with trading going on
#                   (tests/soak_kill.sh on the ASan build; 20-30 minutes)
#   make bench      benchmarks, each beside the bare transport in the same run
#   make fuzz       libFuzzer targets (clang), in build/fuzz/
#   make install PREFIX=/usr/local   (DESTDIR too): programs, plugins, the plugin
#                   SDK (include/hedgebus, hedgebus-plugin.pc), systemd units,
#                   config examples (share/hedgebus)
#   make clean
#
# Sources are found by convention, so adding a file needs no edit here:
#   common/*.c                  -> libhbcommon.a (every process links it)
#   <dir>/*.c (a program folder) -> libhb_<dir>.a; <dir>/hb_<x>_main.c -> bin/hb-<x>,
#                                  linked against the program archives, so a
#                                  program pulls in only the objects it uses
#   common/testing/*.c          -> libhbtesting.a, feeds/lib/testing/*.c ->
#                                  libhbvenue_testing.a: test-only code (spec
#                                  encoders, samples, scripted servers), linked
#                                  into tests and benches, never into products
#   feeds/<name>/*.c            -> lib/hedgebus/hb_venue_<name>.so (a venue plugin)
#   feeds/lib/*.c               -> libhbvenue.a: what real venue plugins share
#                                  (WebSocket, REST, JSON, signing), linked into
#                                  every plugin and every test under feeds/*/
#   **/*_test.c                 -> tests/<name> (cmocka), with the objects of its dir
#   tests/tools/hb_<x>.c        -> tests/tools/hb-<x>: test-only tools (a forger on
#                                  the bus, a fill replay reader), never in bin/
#   **/*_bench.c                -> bench/<name>
#   **/*_fuzz.c                 -> fuzz/<name> (libFuzzer)

BUILD   ?= build
SAN     ?=
PREFIX  ?= /usr/local
CC      ?= gcc
DURATION ?= 0
CONFIG  ?= config/default.yaml

PKGS     := libczmq libzmq msgpack yaml-0.1 libsystemd libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lczmq -lzmq -lmsgpackc -lyaml -lsystemd -lmicrohttpd)
# real venues: WebSocket/TLS, REST, HMAC, JSON (only plugins and their tests link them)
VENUE_PKGS := libwebsockets libcurl openssl jansson
VENUE_CFLAGS := $(shell pkg-config --cflags $(VENUE_PKGS) 2>/dev/null)
VENUE_LIBS := $(shell pkg-config --libs $(VENUE_PKGS) 2>/dev/null || echo -lwebsockets -lcurl -lssl -lcrypto -ljansson)
# libraries of one venue folder only (its plugin, tests, benches, fuzzers):
# VENUE_LIBS_<folder>
VENUE_LIBS_hyperliquid := $(shell pkg-config --libs libsecp256k1 nettle 2>/dev/null || echo -lsecp256k1 -lnettle)

CFLAGS_COMMON = -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
                -g -fPIC -pthread -D_GNU_SOURCE -Icommon -Ifeeds -Ifeeds/lib -Icommon/testing -Ifeeds/lib/testing -Irecord $(PKG_CFLAGS) $(VENUE_CFLAGS)
# The sanitizer build is the test build: HB_TEST_HOOKS compiles in the crash
# points the restart tests drive; product builds (build/) have none.
ifeq ($(SAN),address)
  OPT = -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -DHB_TEST_HOOKS
  SANLD = -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
  OPT = -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
  SANLD = -fsanitize=address,undefined
else
  OPT = -O2
  SANLD =
endif
CFLAGS  += $(CFLAGS_COMMON) $(OPT)
LDFLAGS += $(SANLD) -pthread -rdynamic -Wl,--as-needed
LDLIBS  += $(PKG_LIBS) -lglpk -lm -ldl -lncursesw
TEST_LIBS = -lcmocka

SKIP := %_test.c %_bench.c %_fuzz.c %_main.c
COMMON_SRC  := $(filter-out $(SKIP),$(wildcard common/*.c))
COMMON_OBJ  := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
COMMON_LIB  := $(BUILD)/lib/libhbcommon.a

PROG_DIRS   := feeds tap record run aggregator risk hedger treasury
MAINS       := $(wildcard $(addsuffix /hb_*_main.c,$(PROG_DIRS)))
prog_lib     = $(BUILD)/lib/libhb_$(1).a
PROG_LIBS   := $(foreach d,$(PROG_DIRS),$(call prog_lib,$(d)))
TESTING_SRC := $(filter-out $(SKIP),$(wildcard common/testing/*.c))
TESTING_LIB := $(BUILD)/lib/libhbtesting.a
VTESTING_SRC := $(filter-out $(SKIP),$(wildcard feeds/lib/testing/*.c))
VTESTING_LIB := $(BUILD)/lib/libhbvenue_testing.a
# a venue folder becomes a plugin once one of its files (tests aside) names
# the entry point, hb_venue_plugin (or a macro of that name that defines
# it); until then (a venue being written) it builds its tests, benches and
# fuzzers only
PLUGIN_DIRS := $(filter-out feeds/lib,$(patsubst %/,%,$(sort $(dir $(shell grep -il \
                 'hb_venue_plugin' $(filter-out $(SKIP),$(wildcard feeds/*/*.c)) /dev/null)))))
VENUE_SRC   := $(filter-out $(SKIP),$(wildcard feeds/lib/*.c))
VENUE_OBJ   := $(VENUE_SRC:%.c=$(BUILD)/obj/%.o)
VENUE_LIB   := $(BUILD)/lib/libhbvenue.a
TESTS_SRC   := $(wildcard */*_test.c feeds/*/*_test.c)
BENCH_SRC   := $(wildcard */*_bench.c feeds/*/*_bench.c)
FUZZ_SRC    := $(wildcard */*_fuzz.c feeds/*/*_fuzz.c)
# the archives a program or test links, as one group (they use each other)
link_group   = -Wl,--start-group $(1) -Wl,--end-group
TPLUG_SRC   := $(wildcard tests/plugins/*.c)

# objects of a directory, less mains/tests/benches/fuzzers
dir_objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(SKIP),$(wildcard $(1)/*.c)))
main_bin = $(BUILD)/bin/$(subst _,-,$(patsubst %_main,%,$(basename $(notdir $(1)))))
plugin_so = $(BUILD)/lib/hedgebus/hb_venue_$(notdir $(1)).so

BINS    := $(foreach m,$(MAINS),$(call main_bin,$(m)))
PLUGINS := $(foreach p,$(PLUGIN_DIRS),$(call plugin_so,$(p)))
TESTS   := $(foreach t,$(TESTS_SRC),$(BUILD)/tests/$(basename $(notdir $(t))))
BENCHES := $(foreach b,$(BENCH_SRC),$(BUILD)/bench/$(basename $(notdir $(b))))
FUZZERS := $(foreach f,$(FUZZ_SRC),$(BUILD)/fuzz/$(basename $(notdir $(f))))
# tests/plugins/<name>.c: deliberately broken or special plugins for tests
TPLUGS  := $(foreach p,$(TPLUG_SRC),$(BUILD)/tests/plugins/hb_venue_$(basename $(notdir $(p))).so)
# tests/tools/hb_<x>.c: test-only programs the integration tests drive
TTOOL_SRC := $(wildcard tests/tools/hb_*.c)
TTOOLS  := $(foreach t,$(TTOOL_SRC),$(BUILD)/tests/tools/$(subst _,-,$(basename $(notdir $(t)))))

.PHONY: all deps build run test check check-asan soak bench fuzz fuzz-build install clean tests-build
.DEFAULT_GOAL := all

all: deps build
build: $(BINS) $(PLUGINS) $(TESTS) $(TPLUGS) $(TTOOLS) $(BENCHES)
tests-build: $(BINS) $(PLUGINS) $(TESTS) $(TPLUGS) $(TTOOLS)

deps:
	@sh mk/deps.sh

# With make -j a compile must not start before the packages it needs are
# installed: objects wait for a stamp made by mk/deps.sh (order-only, and a
# file rather than the phony deps, so that make -q build can say "up to
# date"; tests/it_plugin_sdk.sh asks it)
$(BUILD)/.deps-ok: mk/deps.sh
	@mkdir -p $(dir $@)
	@sh mk/deps.sh && touch $@

$(BUILD)/obj/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(VENUE_LIB): $(VENUE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(TESTING_LIB): $(TESTING_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(VTESTING_LIB): $(VTESTING_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

define PROGLIB_rule
$(call prog_lib,$(1)): $(call dir_objs,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(PROG_DIRS),$(eval $(call PROGLIB_rule,$(d))))

define MAIN_rule
$(call main_bin,$(1)): $(BUILD)/obj/$(1:.c=.o) $(PROG_LIBS) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$< $$(call link_group,$(PROG_LIBS) $(COMMON_LIB)) $$(LDLIBS)
endef
$(foreach m,$(MAINS),$(eval $(call MAIN_rule,$(m))))

# plugins carry their own copy of the common library, with its symbols kept
# local, so a plugin never binds to the host's internals by accident
define PLUGIN_rule
$(call plugin_so,$(1)): $(call dir_objs,$(1)) $(VENUE_LIB) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) -shared $$(LDFLAGS) -Wl,--exclude-libs,ALL -o $$@ $$^ $$(LDLIBS) $$(VENUE_LIBS) $(VENUE_LIBS_$(notdir $(1)))
endef
$(foreach p,$(PLUGIN_DIRS),$(eval $(call PLUGIN_rule,$(p))))

$(BUILD)/tests/plugins/hb_venue_%.so: tests/plugins/%.c $(wildcard tests/plugins/*.h) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared $(LDFLAGS) -Wl,--exclude-libs,ALL -o $@ $(filter-out %.h,$^) $(LDLIBS)

$(BUILD)/tests/tools/hb-%: $(BUILD)/obj/tests/tools/hb_%.o $(TESTING_LIB) $(PROG_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(call link_group,$(TESTING_LIB) $(PROG_LIBS) $(COMMON_LIB)) $(LDLIBS)
.SECONDARY: $(TTOOL_SRC:%.c=$(BUILD)/obj/%.o)

# tests and benches under feeds/<name>/ also get the venue library
venue_deps = $(if $(filter feeds/%/,$(dir $(1))),$(VENUE_LIB))
venue_libs = $(if $(filter feeds/%/,$(dir $(1))),$(VENUE_LIBS) $(VENUE_LIBS_$(notdir $(patsubst %/,%,$(dir $(1))))))
test_libs = $(TESTING_LIB) $(if $(filter feeds/%/,$(dir $(1))),$(VTESTING_LIB) $(VENUE_LIB)) $(PROG_LIBS) $(COMMON_LIB)
define TEST_rule
$(BUILD)/$(2)/$(basename $(notdir $(1))): $(BUILD)/obj/$(1:.c=.o) $(call dir_objs,$(patsubst %/,%,$(dir $(1)))) $(call test_libs,$(1))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(call link_group,$(call test_libs,$(1))) $$(LDLIBS) $(call venue_libs,$(1)) $$(TEST_LIBS)
endef
$(foreach t,$(TESTS_SRC),$(eval $(call TEST_rule,$(t),tests)))
$(foreach b,$(BENCH_SRC),$(eval $(call TEST_rule,$(b),bench)))

define FUZZ_rule
$(BUILD)/fuzz/$(basename $(notdir $(1))): $(BUILD)/obj/$(1:.c=.o) $(if $(filter feeds/%/,$(dir $(1))),$(call dir_objs,$(patsubst %/,%,$(dir $(1)))) $(VENUE_LIB)) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$(LDLIBS) $(call venue_libs,$(1))
endef
$(foreach f,$(FUZZ_SRC),$(eval $(call FUZZ_rule,$(f))))

fuzz-build: $(FUZZERS)

fuzz: deps
	$(MAKE) BUILD=build/fuzz SAN=fuzz CC=clang fuzz-build

check-asan: deps
	$(MAKE) BUILD=build/asan SAN=address tests-build

check: test

test: deps build check-asan fuzz
	@sh tests/run.sh

# the sanitizers' settings of tests/run.sh
SOAK_KILLS ?= 100
soak: deps build check-asan
	@HB_BIN=$(CURDIR)/build/asan/bin HB_PLUGIN_PATH=$(CURDIR)/build/asan/lib/hedgebus HB_TOP=$(CURDIR) \
	 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	 KILLS=$(SOAK_KILLS) sh tests/soak_kill.sh

bench: deps build
	@sh bench/run.sh

run: deps build
	@CONFIG=$(CONFIG) DURATION=$(DURATION) sh mk/run.sh

# The plugin SDK: feeds/hb_plugin.h and every project header it includes
# (asked of the compiler, so a header it starts to include is installed
# too), flat in include/hedgebus/, and hedgebus-plugin.pc (Version: the
# plugin ABI). Units go where systemd looks for packaged ones, with
# ExecStart pointed at $(PREFIX)/bin.
SDK_HEADERS = $(sort $(filter %.h,$(shell $(CC) -MM -Icommon -Ifeeds feeds/hb_plugin.h)))
SDK_ABI     = $(shell sed -n 's/^\#define HB_PLUGIN_ABI_VERSION *\([0-9]*\).*/\1/p' feeds/hb_plugin.h)
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/hedgebus $(DESTDIR)$(PREFIX)/share/hedgebus/venues \
	    $(DESTDIR)$(PREFIX)/include/hedgebus $(DESTDIR)$(PREFIX)/share/pkgconfig \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(PLUGINS) $(DESTDIR)$(PREFIX)/lib/hedgebus/
	install -m 644 config/*.yaml $(DESTDIR)$(PREFIX)/share/hedgebus/
	install -m 644 config/venues/*.yaml $(DESTDIR)$(PREFIX)/share/hedgebus/venues/
	install -m 644 $(SDK_HEADERS) $(DESTDIR)$(PREFIX)/include/hedgebus/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@ABI@|$(SDK_ABI)|' mk/hedgebus-plugin.pc.in \
	    >$(DESTDIR)$(PREFIX)/share/pkgconfig/hedgebus-plugin.pc
	for u in $(wildcard config/systemd/*.service config/systemd/*.socket config/systemd/*.target); do \
	    t=$(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$u); \
	    sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' $$u >$$t && chmod 644 $$t || exit 1; \
	done
	install -m 644 config/systemd/hedgebus.sysusers.conf $(DESTDIR)$(PREFIX)/lib/sysusers.d/hedgebus.conf

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
