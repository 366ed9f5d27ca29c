# vigil — build, run, test, benchmark.
#   make            build build/vigil
#   make run        build and run the monitor with its built-in defaults
#   make test       the whole suite (unit tests under ASan/UBSan, real-kernel tests)
#   make bench      benchmarks (monitor off vs on, vs auditd)
#   make install    install (PREFIX=/usr/local, DESTDIR); make uninstall
# Missing Debian packages are installed by scripts/install-deps.sh.

# Use every core unless told otherwise (make -j1 ...).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS  += -j$(shell nproc)
endif

BUILD      ?= build
CC         ?= gcc
CXX        ?= g++
CLANG      ?= clang
BPFTOOL    ?= bpftool
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARGS       ?=
SOAK_SECONDS ?= 600
BENIGN_SECONDS ?= 180

LIBS       := libbpf libelf zlib json-c yaml-0.1 re2 libcurl libmicrohttpd libcrypto
WARN       := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# Default rules when `vigil run` is given none: the repo's for a build
# here; `make RULES_FILE=/usr/share/vigil/vigil_rules.yaml` for a package.
RULES_FILE ?= $(abspath rules/vigil_rules.yaml)
# model/: the pH model, C source shared by bpf/ and src/ (docs/ph.md).
CPPFLAGS   := -Iinclude -Isrc -Imodel -I$(BUILD)/include -D_GNU_SOURCE
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 $(WARN) -MMD -MP
PKG_CFLAGS  = $(shell pkg-config --cflags $(LIBS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(LIBS) 2>/dev/null) -lstdc++ -lm -lpthread
# The one C++ file (src/rules/regex_re2.cc: RE2 behind a C interface).
CXXFLAGS_VG = -std=c++17 -O2 -g $(WARN:-Wstrict-prototypes=) -MMD -MP
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

BPF_SRC    := $(wildcard bpf/*.bpf.c)
BPF_OBJ    := $(BPF_SRC:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
SKELS      := $(BPF_SRC:bpf/%.bpf.c=$(BUILD)/include/%.skel.h)
SRC        := $(shell find src model -name '*.c' | sort)
CXX_SRC    := $(shell find src -name '*.cc' | sort)
LIB_SRC    := $(filter-out src/main.c,$(SRC))
OBJ        := $(SRC:%.c=$(BUILD)/obj/%.o) $(CXX_SRC:%.cc=$(BUILD)/obj/%.o)
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(CXX_SRC:%.cc=$(BUILD)/obj/%.o)
ASAN_OBJ   := $(LIB_SRC:%.c=$(BUILD)/asan/%.o) $(CXX_SRC:%.cc=$(BUILD)/asan/%.o)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
TBIN_SRC   := $(wildcard tests/bin/*.c)
TBIN       := $(TBIN_SRC:tests/bin/%.c=$(BUILD)/tests/bin/%)
BENCH_SRC  := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
DEPS_OK    := $(BUILD)/.deps-ok

.PHONY: all run test check unit e2e bench eval fuzz clean deps tools docs-fields
.DELETE_ON_ERROR:
# Generated files that pattern chains would otherwise treat as temporary.
.SECONDARY: $(BPF_OBJ) $(SKELS) $(BUILD)/include/vmlinux.h

all: $(BUILD)/vigil

deps: $(DEPS_OK)
$(DEPS_OK): scripts/install-deps.sh
	@mkdir -p $(BUILD)
	@sh scripts/install-deps.sh
	@touch $@

# ---- kernel side: vmlinux.h from this kernel's BTF, CO-RE objects, skeletons
$(BUILD)/include/vmlinux.h: | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/vigil/*.h) \
		$(wildcard model/ph/*.h model/ph/*.c) $(BUILD)/include/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		-Wno-unused-function -Iinclude -Ibpf -Imodel -I$(BUILD)/include -c $< -o $@

$(BUILD)/include/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# ---- user space
GEN_HDRS   := $(SKELS) $(BUILD)/include/syscall_names.h $(BUILD)/include/web_assets.h
$(BUILD)/include/syscall_names.h: scripts/gen-syscall-names.sh | $(DEPS_OK)
	@mkdir -p $(dir $@)
	sh $< > $@

# The dashboard's page (web/) and Debian's Chart.js, embedded in the binary.
CHART_JS   ?= /usr/share/javascript/chart.js/chart.min.js
WEB_FILES  := $(sort $(wildcard web/*.html web/*.css web/*.js))
$(BUILD)/include/web_assets.h: scripts/gen-web-assets.py $(WEB_FILES) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	python3 $< $(CHART_JS) $(WEB_FILES) > $@

$(BUILD)/obj/%.o: %.c | $(GEN_HDRS) $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

# The default rules path is compiled into one small file only.
$(BUILD)/obj/src/cli/default_rules.o: CPPFLAGS += -DVIGIL_DEFAULT_RULES='"$(RULES_FILE)"'
$(BUILD)/asan/src/cli/default_rules.o: CPPFLAGS += -DVIGIL_DEFAULT_RULES='"$(RULES_FILE)"'


$(BUILD)/asan/%.o: %.c | $(GEN_HDRS) $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) $(CFLAGS) -O1 $(SAN_FLAGS) $(PKG_CFLAGS) -c $< -o $@

# C++ objects: the vptr and function checks need UBSan's C++ runtime, which a C link lacks.
$(BUILD)/obj/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS_VG) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CLANG)++ $(CPPFLAGS) $(CXXFLAGS_VG) -O1 $(SAN_FLAGS) -fno-sanitize=vptr,function $(PKG_CFLAGS) \
		-c $< -o $@

$(BUILD)/vigil: $(OBJ)
	$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS)

# Unit tests link the library objects built with ASan + UBSan.
$(BUILD)/tests/unit/%: tests/unit/%.c $(ASAN_OBJ) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) $(CFLAGS) -O1 $(SAN_FLAGS) $(PKG_CFLAGS) -Itests/unit $< $(ASAN_OBJ) -o $@ $(PKG_LIBS)

# Helper programs the real-kernel tests run (triggers with exact syscalls).
$(BUILD)/tests/bin/%: tests/bin/%.c | $(DEPS_OK) $(BUILD)/include/vmlinux.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $< -o $@ $(PKG_LIBS)

# engine_bench drives vigil's sensor and rule engine: it links the library.
$(BUILD)/bench/engine_bench: bench/engine_bench.c $(LIB_OBJ) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $< $(LIB_OBJ) -o $@ $(PKG_LIBS)

# floor runs a command under bench/floor.bpf.c's minimal per-call programs.
$(BUILD)/bench/floor.bpf.o: bench/floor.bpf.c | $(DEPS_OK) $(BUILD)/include/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
		-I$(BUILD)/include -c $< -o $@

$(BUILD)/include/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BUILD)/bench/floor: bench/floor.c $(BUILD)/include/floor.skel.h | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(PKG_LIBS)

$(BUILD)/bench/%: bench/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(PKG_LIBS)

# Fuzz targets share one build of the library, instrumented for libFuzzer.
FUZZ_OBJ   := $(LIB_SRC:%.c=$(BUILD)/fuzzobj/%.o) $(CXX_SRC:%.cc=$(BUILD)/fuzzobj/%.o)
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined
# The sanitizer and fuzzer objects are named only by pattern rules, so make would
# take them for intermediates and delete them at the end, printing a 10 KB `rm`
# line after the test summary (the last lines a CI log shows): keep them.
.SECONDARY: $(ASAN_OBJ) $(FUZZ_OBJ)
$(BUILD)/fuzzobj/%.o: %.c | $(GEN_HDRS) $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) $(FUZZ_FLAGS) -MMD -MP $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzzobj/%.o: %.cc | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CLANG)++ $(CPPFLAGS) -std=c++17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize=vptr,function -MMD -MP $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) \
		$< $(FUZZ_OBJ) -o $@ $(PKG_LIBS)

tools: $(BUILD)/vigil $(UNIT_BIN) $(TBIN) $(BENCH_BIN)

# ---- the two commands of the README
run: $(BUILD)/vigil
	$(BUILD)/vigil run $(ARGS)

test: tools $(FUZZ_BIN)
	/usr/bin/python3 tests/run.py --build $(BUILD)

check: test

unit: $(UNIT_BIN)
	/usr/bin/python3 tests/run.py --build $(BUILD) --only unit

e2e: tools
	/usr/bin/python3 tests/run.py --build $(BUILD) --only e2e

# docs/fields.md, the field reference, from `vigil rules fields --json`
docs-fields: $(BUILD)/vigil
	/usr/bin/python3 scripts/gen_fields_doc.py --build $(BUILD)

bench: $(BUILD)/vigil $(BENCH_BIN)
	VIGIL_DEPS_EXTRA=1 sh scripts/install-deps.sh
	/usr/bin/python3 bench/run.py --build $(BUILD)
	/usr/bin/python3 bench/floor.py --build $(BUILD) --runs 5
	/usr/bin/python3 bench/benign.py --build $(BUILD) --seconds $(BENIGN_SECONDS)
	/usr/bin/python3 bench/soak.py --build $(BUILD) --seconds $(SOAK_SECONDS)

eval: $(BUILD)/vigil
	/usr/bin/python3 bench/eval.py --build $(BUILD)

fuzz: $(FUZZ_BIN)
	/usr/bin/python3 tests/run.py --build $(BUILD) --only fuzz --fuzz-seconds 120

clean:
	rm -rf $(BUILD)

# ---- installation: make install [PREFIX=/usr/local] [DESTDIR=staging dir]
PREFIX     ?= /usr/local
SBINDIR    := $(PREFIX)/sbin
DATADIR    := $(PREFIX)/share/vigil
MANDIR     := $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
COMPLDIR   := $(PREFIX)/share/bash-completion/completions
INST_BUILD := $(BUILD)/install
.PHONY: install uninstall FORCE

# The installed binary differs from build/vigil only in its default rules
# path, compiled into default_rules.c: rebuild that object for the prefix, every time.
$(INST_BUILD)/default_rules.o: src/cli/default_rules.c FORCE | $(GEN_HDRS) $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DVIGIL_DEFAULT_RULES='"$(DATADIR)/vigil_rules.yaml"' $(CFLAGS) \
		$(PKG_CFLAGS) -c $< -o $@

$(INST_BUILD)/vigil: $(filter-out $(BUILD)/obj/src/cli/default_rules.o,$(OBJ)) $(INST_BUILD)/default_rules.o
	$(CC) $(CFLAGS) $^ -o $@ $(PKG_LIBS)

install: $(INST_BUILD)/vigil
	install -D -m 0755 $(INST_BUILD)/vigil $(DESTDIR)$(SBINDIR)/vigil
	install -D -m 0644 rules/vigil_rules.yaml $(DESTDIR)$(DATADIR)/vigil_rules.yaml
	install -D -m 0644 man/vigil.8 $(DESTDIR)$(MANDIR)/man8/vigil.8
	install -D -m 0644 man/vigil.yaml.5 $(DESTDIR)$(MANDIR)/man5/vigil.yaml.5
	install -D -m 0644 man/vigil-rules.5 $(DESTDIR)$(MANDIR)/man5/vigil-rules.5
	install -D -m 0644 etc/vigil.bash-completion $(DESTDIR)$(COMPLDIR)/vigil
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' etc/vigil.service.in > $(DESTDIR)$(UNITDIR)/vigil.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/vigil.service
	@# an existing configuration is the operator's: never overwritten
	if [ -e $(DESTDIR)/etc/vigil/vigil.yaml ]; then \
		echo "keeping $(DESTDIR)/etc/vigil/vigil.yaml"; \
	else \
		install -D -m 0600 etc/vigil.yaml $(DESTDIR)/etc/vigil/vigil.yaml; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vigil $(DESTDIR)$(DATADIR)/vigil_rules.yaml \
		$(DESTDIR)$(MANDIR)/man8/vigil.8 $(DESTDIR)$(MANDIR)/man5/vigil.yaml.5 \
		$(DESTDIR)$(MANDIR)/man5/vigil-rules.5 $(DESTDIR)$(COMPLDIR)/vigil \
		$(DESTDIR)$(UNITDIR)/vigil.service
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "kept $(DESTDIR)/etc/vigil/vigil.yaml (remove it by hand if it is not wanted)"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
