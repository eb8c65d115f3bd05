# SPDX-License-Identifier: BSD-2-Clause
# Benchmarks (root): `make bench` (quick, < 5 min), `make bench BENCH_MODE=full`, `make soak`
# (10 min, SOAK_SECS to change). Tools build under $(BUILD)/bench/; results in bench/results/.

BENCH_MODE ?= quick
BENCH_DIR := $(BUILD)/bench
BENCH_TOOLS := $(BENCH_DIR)/flood $(BENCH_DIR)/floor $(BENCH_DIR)/floor.bpf.o $(BENCH_DIR)/bcast \
	$(BENCH_DIR)/timeit
BENCH_GEN := $(BENCH_DIR)/gen

.PHONY: bench-tools

bench-tools: $(BENCH_TOOLS)

$(BENCH_DIR)/flood: $(BENCH_DIR)/flood.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -lpthread -o $@

$(BENCH_DIR)/bcast: $(BENCH_DIR)/bcast.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -o $@

$(BENCH_DIR)/timeit: $(BENCH_DIR)/timeit.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -o $@

$(BENCH_DIR)/floor: $(BENCH_DIR)/floor.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -lbpf -lelf -lz -o $@

$(BENCH_DIR)/floor.bpf.o: bench/floor.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) -c $< -o $@

# The synthetic-file generator writes through the format library.
$(BENCH_GEN): $(BENCH_DIR)/gen.o $(BUILD)/libtdf.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) $^ -lzstd -lpthread -o $@

# The programs under test and the generator are built on a best-effort basis: what is missing
# is reported as "not built" in the table instead of stopping the benchmark.
bench: deps bench-tools
	-$(Q)$(MAKE) --no-print-directory all
	-$(Q)$(MAKE) --no-print-directory $(BENCH_GEN)
	$(Q)sh bench/run.sh --mode $(BENCH_MODE) --build $(BUILD)

soak: deps bench-tools
	$(Q)$(MAKE) --no-print-directory $(RECORD_BIN)
	$(Q)sh bench/soak.sh --build $(BUILD)
