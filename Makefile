# SPDX-License-Identifier: BSD-2-Clause
# tcpdrop build: `make` (both programs), `make report` (laptop build: no clang, bpftool,
# libbpf or libelf), `make check` (all tests), `make demo`, `make bench`, `make install`.
# `make report` needs a C compiler and the libzstd, libpcap and libssl (libcrypto) headers.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

VERSION := 0.2.0
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' \
	-e 's/s390x/s390/' -e 's/riscv64/riscv/')

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

# SAN=1 builds everything with AddressSanitizer and UndefinedBehaviorSanitizer.
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -D_GNU_SOURCE \
	-Iformat -I$(BUILD) -DTCPDROP_VERSION='"$(VERSION)"'
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS)

REPORT_LIBS := -lzstd -lpcap -lcrypto -lseccomp -lpthread
RECORD_LIBS := -lbpf -lelf -lz -lzstd -lseccomp -lpthread

FORMAT_SRC := $(wildcard format/*.c)
REPORT_SRC := $(filter-out report/main.c,$(wildcard report/*.c report/views/*.c))
RECORD_SRC := $(filter-out record/main.c,$(wildcard record/*.c))
TESTLIB_SRC := $(wildcard tests/lib/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

REPORT_BIN := $(BUILD)/tcpdrop-report
RECORD_BIN := $(BUILD)/tcpdrop-record
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
REPLAY_BIN := $(BUILD)/tests/replay_reader
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRC))

.PHONY: all report record deps check unit fuzz-replay integration test-bins demo bench soak \
	install clean format-check fuzz

all: $(REPORT_BIN) $(RECORD_BIN)

report: $(REPORT_BIN)

record: $(RECORD_BIN)

# ---- objects and archives ----

$(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libtdf.a: $(call objs,$(FORMAT_SRC))
$(BUILD)/librpt.a: $(call objs,$(REPORT_SRC))
$(BUILD)/librec.a: $(call objs,$(RECORD_SRC))
$(BUILD)/libtestlib.a: $(call objs,$(TESTLIB_SRC))
$(BUILD)/%.a:
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- BPF object and skeleton (never from the build host's kernel: bpf/kernel.h) ----

# two objects: the drop probe (tcpdrop) and the socket-owner iterator (owner)
$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(call objs,$(RECORD_SRC) record/main.c): $(BUILD)/tcpdrop.skel.h $(BUILD)/owner.skel.h

# ---- programs ----

$(REPORT_BIN): $(BUILD)/report/main.o $(BUILD)/librpt.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(REPORT_LIBS) -o $@

$(RECORD_BIN): $(BUILD)/record/main.o $(BUILD)/librec.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(RECORD_LIBS) -o $@

# ---- tests ----
# tests/unit/test_rec_*.c test record/ modules; every other test_*.c tests format/ or report/.

# test_metrics.c tests record/metrics.c (the fleet's Prometheus counters), so it links like them.
$(BUILD)/tests/test_metrics: $(BUILD)/tests/unit/test_metrics.o $(BUILD)/librec.a $(BUILD)/libtestlib.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(RECORD_LIBS) -lcmocka -o $@

$(BUILD)/tests/test_rec_%: $(BUILD)/tests/unit/test_rec_%.o $(BUILD)/librec.a $(BUILD)/libtestlib.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(RECORD_LIBS) -lcmocka -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/librpt.a $(BUILD)/libtestlib.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(REPORT_LIBS) -lcmocka -o $@

$(REPLAY_BIN): $(BUILD)/tests/fuzz/fuzz_reader.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -lzstd -lpthread -o $@

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(BUILD)/libtestlib.a $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -lzstd -lpthread -o $@

# tests/run.sh reads the flavour to leave out tests that cannot run in a sanitizer build.
test-bins: all $(UNIT_BIN) $(REPLAY_BIN) $(TOOL_BIN)
	@echo $(if $(filter 1,$(SAN)),san,native) >$(BUILD)/flavour

# The libFuzzer build (clang): `make fuzz`, then
#   build/fuzz/fuzz_reader -rss_limit_mb=300 NEW_DIR tests/fuzz/corpus/reader
# (a reader holds about 2 MiB whatever the input; the limit turns a leak or a cap that does
# not hold into an oom- artifact). Crash and oom inputs go into the corpus once fixed.
fuzz: $(BUILD)/fuzz/fuzz_reader
$(BUILD)/fuzz/fuzz_reader: tests/fuzz/fuzz_reader.c $(FORMAT_SRC)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) -std=gnu11 -g -O1 -D_GNU_SOURCE -Iformat -fsanitize=fuzzer,address,undefined \
		$^ -lzstd -lpthread -o $@

deps:
	$(Q)sh tools/deps.sh

# `make check`: everything, then everything again under ASan+UBSan; the static recorder and the
# Debian packages are built first so their tests can run. Integration tests need root and BPF:
# they fail loudly under CI=true without them, and skip with a message elsewhere. Then the
# integration tests once more inside a QEMU guest for each kernel of VM_KERNELS (tools/vm.sh;
# `make check VM_KERNELS=` leaves the guests out).
VM_KERNELS ?= 6.1

check: deps
	$(Q)$(MAKE) --no-print-directory format-check
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 test-bins
	$(Q)$(MAKE) --no-print-directory static
	$(Q)$(MAKE) --no-print-directory deb
	$(Q)sh tests/run.sh $(addprefix --vm ,$(VM_KERNELS)) $(BUILD) $(BUILD)/san

unit: test-bins
	$(Q)sh tests/run.sh --unit-only $(BUILD)

integration: test-bins
	$(Q)sh tests/run.sh --integration-only $(BUILD)

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(TOOL_BIN)
	$(Q)sh tools/demo.sh $(BUILD)

-include bench/bench.mk

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(RECORD_BIN) $(DESTDIR)$(PREFIX)/sbin/tcpdrop-record
	install -m 0755 $(REPORT_BIN) $(DESTDIR)$(PREFIX)/bin/tcpdrop-report
	install -m 0644 man/tcpdrop-file.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/tcpdrop-record.8 man/tcpdrop-report.8 $(DESTDIR)$(PREFIX)/share/man/man8/

# The project's own sources, by folder: never a glob that could reach generated files in $(BUILD).
SRC_DIRS := bpf format record report report/views bench tests/fuzz tests/lib tests/tools tests/unit
FORMAT_FILES := $(wildcard $(addsuffix /*.c,$(SRC_DIRS)) $(addsuffix /*.h,$(SRC_DIRS)))

format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- deploy: a static recorder and Debian packages ----
# `make static`: $(BUILD)/static/tcpdrop-record, one self-contained binary (glibc, libbpf,
# libelf, zlib and libzstd linked in) for hosts with no libraries at all. glibc because
# Debian's libbpf.a/libelf.a/libz.a/libzstd.a are built against it (musl would mean building
# them from source). --fatal-warnings turns ld's "Using 'getpwnam' in statically linked
# applications requires the shared libraries" warnings into errors: the recorder must not
# grow NSS lookups (user, group, host names) that a static glibc can only do with the
# build's own libnss_*.so present at run time. tcpdrop-report stays dynamic: Debian's
# libpcap.a pulls in libdbus-1.a (pcap's D-Bus capture), which needs libsystemd, and Debian
# ships no libsystemd.a; its filter compiler also resolves host/port names through NSS.
# `make deb`: tcpdrop-record and tcpdrop-report .deb packages in $(BUILD)/deb (debian/,
# dpkg-buildpackage in a copy of the tree under $(BUILD)/deb/src, so the .deb files it
# writes next to the source stay inside $(BUILD)), then lintian.
STATIC_DIR := $(BUILD)/static
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/tcpdrop-$(VERSION)

.PHONY: static deb version

static:
	$(Q)$(MAKE) --no-print-directory BUILD=$(STATIC_DIR) \
		LDFLAGS="$(LDFLAGS) -static -Wl,--fatal-warnings" record
	$(Q)! readelf -dW $(STATIC_DIR)/tcpdrop-record | grep -q NEEDED || \
		{ echo "static: $(STATIC_DIR)/tcpdrop-record needs shared libraries" >&2; exit 1; }

# The one version string: debian/gen-changelog and the tests read it from here.
version:
	@echo $(VERSION)

# The copy holds what git tracks plus untracked files it does not ignore (the working tree as
# it is, never $(BUILD)); outside a git checkout, every file but $(BUILD) and .git.
deb:
	$(call msg,DEB,$(DEB_DIR))
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	$(Q)if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -co --exclude-standard; \
	else \
		find . -path ./.git -prune -o -path './$(BUILD)' -prune -o -type f -print; \
	fi | while IFS= read -r f; do [ -f "$$f" ] && echo "$$f"; done | \
		tar -cf - -T - | tar -xf - -C $(DEB_SRC)
	$(Q)cd $(DEB_SRC) && sh debian/gen-changelog $(VERSION) CHANGELOG.md >debian/changelog
	$(Q)cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -jauto \
		>$(abspath $(DEB_DIR))/build.log 2>&1 || { tail -n 40 $(abspath $(DEB_DIR))/build.log; \
		echo "deb: dpkg-buildpackage failed, whole log in $(DEB_DIR)/build.log" >&2; exit 1; }
	$(Q)mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/src/*.changes $(DEB_DIR)/
	$(Q)rm -rf $(DEB_DIR)/src
	$(Q)lintian --fail-on error,warning --display-info $(DEB_DIR)/*.changes
	$(Q)ls -l $(DEB_DIR)/*.deb
