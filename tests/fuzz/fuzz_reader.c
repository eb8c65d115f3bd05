/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_reader: libFuzzer target that reads arbitrary bytes as a trace file until the end. */
/*
 * Run it with a memory limit (make fuzz; build/fuzz/fuzz_reader -rss_limit_mb=300 DIR
 * tests/fuzz/corpus/reader): whatever the input, a reader holds one input window, one
 * decompressed chunk and one record's tables, so growth past that is a bug. The report's own
 * per-file tables are bounded by report/budget.h and tested by tests/unit/test_budget.c and
 * tests/integration/harden_report.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "tdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where decoded bytes go, so the compiler keeps every read of them. */
static volatile uint64_t sink;

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/*
 * Recompute the CRCs of the blocks found walking from the file header, so that mutations
 * reach the chunk decoder and record parsers instead of dying at the CRC check.
 */
static void reseal(uint8_t *p, size_t size)
{
	size_t off = 16;

	while (off <= size && size - off >= 20) {
		uint32_t plen;

		if (memcmp(p + off, "TDBK", 4))
			return;
		plen = get32(p + off + 8);
		if (plen <= size - off - 20)
			put32(p + off + 12, tdf_crc32c(0, p + off + 20, plen));
		put32(p + off + 16, tdf_crc32c(0, p + off, 16));
		if (plen > size - off - 20)
			return;
		off += 20 + (size_t)plen;
	}
}

static void read_all(const uint8_t *data, size_t size);

/*
 * Wrap the input, taken as the raw records of one chunk, into a valid file: zstd's own
 * checksum would otherwise keep mutations away from the record parsers.
 */
static void read_as_chunk(const uint8_t *data, size_t size)
{
	static ZSTD_CCtx *cctx; /* reused across runs; still reachable at exit */
	size_t cap = 16 + 20 + 8 + ZSTD_compressBound(size), pos = 0, frame;
	uint32_t count = 0;
	uint8_t *file;

	if (size > TDF_CHUNK_RAW_MAX)
		return;
	if (!cctx) {
		cctx = ZSTD_createCCtx();
		if (!cctx)
			return;
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
	}
	file = malloc(cap);
	if (!file)
		return;
	frame = ZSTD_compress2(cctx, file + 44, cap - 44, data, size);
	if (ZSTD_isError(frame)) {
		free(file);
		return;
	}
	/* The honest record count, so the parsers rather than the count check see the input. */
	while (size - pos >= 4) {
		size_t body = (size_t)data[pos + 2] | ((size_t)data[pos + 3] << 8);
		if (body > size - pos - 4)
			break;
		pos += 4 + body;
		count++;
	}
	memcpy(file, "\x89TDROP\r\n\x01\x00\x00\x00\x00\x00\x00\x00", 16);
	memcpy(file + 16, "TDBK\x01\x00\x00\x00", 8);
	put32(file + 24, (uint32_t)(8 + frame));
	put32(file + 36, (uint32_t)size);
	put32(file + 40, count);
	put32(file + 28, tdf_crc32c(0, file + 36, 8 + frame));
	put32(file + 32, tdf_crc32c(0, file + 16, 16));
	read_all(file, 44 + frame);
	free(file);
}

static void read_all(const uint8_t *data, size_t size)
{
	struct tdf_reader *r = tdf_reader_open_mem(data, size, "fuzz");
	struct tdf_record rec;

	if (!r)
		return;
	while (tdf_reader_next(r, &rec) > 0) {
		/* Touch what the pointers claim, so a bad length shows up under ASan. */
		switch (rec.type) {
		case TDF_REC_META:
			for (uint32_t i = 0; i < rec.meta.count; i++)
				sink += (uint8_t)rec.meta.kv[i].key[0] +
					(uint8_t)rec.meta.kv[i].value[0];
			break;
		case TDF_REC_REASONS:
		case TDF_REC_STATES:
			for (uint32_t i = 0; i < rec.names.count; i++)
				sink += (uint8_t)rec.names.names[i].name[0];
			break;
		case TDF_REC_KMOD:
			sink += (uint8_t)rec.kmod.name[0];
			break;
		case TDF_REC_KSYMS:
			for (uint32_t i = 0; i < rec.ksyms.count; i++)
				sink += (uint8_t)rec.ksyms.syms[i].name[0];
			break;
		case TDF_REC_STACK:
			for (uint32_t i = 0; i < rec.stack.depth; i++)
				sink += rec.stack.frames[i].off;
			break;
		case TDF_REC_DROP:
			for (uint32_t i = 0; i < rec.drop.caplen; i++)
				sink += rec.drop.data[i];
			break;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			sink += (uint8_t)rec.problem.what[0];
			break;
		}
	}
	sink += (uint8_t)tdf_reader_error(r)[0];
	tdf_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	read_all(data, size);
	read_as_chunk(data, size);
	if (size <= 16)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	reseal(copy, size);
	read_all(copy, size);
	free(copy);
	return 0;
}
