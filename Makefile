# newsmd - one non-recursive Makefile.  Everything is built below $(BUILD).
#
#   make            build build/newsmd
#   make test       install missing Debian packages, build, run all tests
#   make check      the whole test suite under ASan+UBSan (build/asan/)
#   make demo       convert the bundled sample pages into demo/_posts/
#   make bench      benchmarks (figures go to stdout)
#   make deps       install missing Debian packages (apt-get)
#   make fuzz       build the libFuzzer targets (clang)
#   make leakcheck  unit tests under valgrind

BUILD ?= build
PREFIX ?= /usr/local
PKGS := gumbo libcurl yaml-0.1 sqlite3 uchardet libpcre2-8 jansson libxml-2.0 libpsl icu-uc zlib \
	libmicrohttpd libcmark-gfm libpq

CC ?= cc
OPT ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
SAN ?=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CPPFLAGS := -I. -I$(BUILD)/gen -D_GNU_SOURCE $(PKG_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS := $(WARN) $(OPT) $(SANFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
LIBS := $(PKG_LIBS) -lm

LIB_SRC := $(wildcard common/*.c dom/*.c net/*.c crawler/*.c extractor/*.c rules/*.c output/*.c studio/*.c)
CLI_SRC := $(wildcard cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
GEN_SRC := $(BUILD)/gen/pinyin_table.c $(BUILD)/gen/studio_assets.c

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/pinyin_table.o \
	$(BUILD)/obj/gen/studio_assets.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: bench-bin all test test-run check deps demo clean install bench fuzz leakcheck lint format eval ftr-rules ftr-eval
.DEFAULT_GOAL := all

all: $(BUILD)/newsmd $(BUILD)/unit

$(BUILD)/newsmd: $(CLI_OBJ) $(BUILD)/libnewsmd.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libnewsmd.a $(LIBS)

$(BUILD)/unit: $(UNIT_OBJ) $(BUILD)/libnewsmd.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libnewsmd.a $(LIBS)

# Benchmarks: each tests/bench/NAME.c is a program linked with the library.
bench-bin: $(BENCH_BIN)
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/libnewsmd.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libnewsmd.a $(LIBS)

$(BUILD)/libnewsmd.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(filter-out -Werror,$(ALL_CFLAGS)) -c -o $@ $<

# The pinyin table is generated from Debian's unicode-data (Unihan kMandarin).
UNIHAN ?= /usr/share/unicode/Unihan_Readings.txt.bz2
$(BUILD)/gen/pinyin_table.c: scripts/gen_pinyin.c
	@mkdir -p $(BUILD)/gen
	$(CC) -O1 -o $(BUILD)/gen/gen_pinyin scripts/gen_pinyin.c
	bzcat $(UNIHAN) | $(BUILD)/gen/gen_pinyin > $@.tmp && mv $@.tmp $@

# The studio's web page (studio/assets/: plain HTML/CSS/JS, no build step)
# is embedded in the binary: nothing is read from disk or the network.
STUDIO_ASSETS := $(sort $(wildcard studio/assets/*))
$(BUILD)/gen/studio_assets.c: scripts/gen_assets.c $(STUDIO_ASSETS)
	@mkdir -p $(BUILD)/gen
	$(CC) -O1 -o $(BUILD)/gen/gen_assets scripts/gen_assets.c
	$(BUILD)/gen/gen_assets $(STUDIO_ASSETS) > $@.tmp && mv $@.tmp $@

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: all
	@scripts/run-tests.sh $(BUILD)

check: deps
	@NEWSMD_TIME_SCALE=4 $(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT="-O1 -g" test-run

leakcheck: deps
	@$(MAKE) --no-print-directory all
	NEWSMD_NO_TIME_BOUNDS=1 valgrind --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --suppressions=tests/valgrind.supp \
		$(BUILD)/unit

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all bench-bin
	@scripts/bench.sh $(BUILD)

eval: all
	@scripts/eval.sh $(BUILD)

# make ftr-rules: FiveFilters' site configs converted into newsmd rules in
# $(BUILD)/rules/ftr (generated, never committed: the configs are not ours).
# FTR_SRC names a checkout of ftr-site-config; without one it says so and
# does nothing.  make ftr-eval: those rules against the generic extractor on
# Readability's test pages.
FTR_SRC ?= ../shared/corpus/ftr-site-config
ftr-rules: all
	@if [ -d "$(FTR_SRC)" ]; then \
		rm -rf $(BUILD)/rules/ftr && \
		$(BUILD)/newsmd rules import ftr "$(FTR_SRC)" -o $(BUILD)/rules/ftr --quiet; \
	else echo "ftr-rules: skipped ($(FTR_SRC) not found; set FTR_SRC to a checkout of ftr-site-config)"; fi

ftr-eval: ftr-rules
	@if [ -d $(BUILD)/rules/ftr ]; then \
		python3 tests/eval/ftr_vs_generic.py --newsmd $(BUILD)/newsmd --rules $(BUILD)/rules/ftr; fi

# make fuzz: each tests/fuzz/fuzz_NAME.c becomes $(BUILD)/fuzz/fuzz_NAME, a
# libFuzzer binary with ASan+UBSan linked against the library sources
# compiled by clang.  Run e.g.
#   build/fuzz/fuzz_sel -max_total_time=600 tests/fuzz/corpus/sel
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(filter-out -Werror,$(WARN)) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/gen/pinyin_table.o \
	$(FUZZ_DIR)/obj/gen/studio_assets.o

fuzz: $(FUZZ_BIN)

$(FUZZ_BIN): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/%.o $(FUZZ_DIR)/libnewsmd.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libnewsmd.a $(LIBS)

$(FUZZ_DIR)/libnewsmd.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -Wno-error -c -o $@ $<

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

-include $(FUZZ_LIB_OBJ:.o=.d)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/newsmd $(DESTDIR)$(PREFIX)/bin/newsmd

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 -I. common dom net crawler extractor rules output studio cli

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(wildcard */*.h)

clean:
	rm -rf build demo/_posts
