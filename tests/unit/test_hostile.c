// SPDX-License-Identifier: BSD-2-Clause
/* test_hostile: damaged trace files (every byte flipped, every cut, random corruption, chunks
 * that lie, extreme values) through the format reader and the report's views: no crash, no
 * hang, bounded memory, damage reported at the damaged block, every undamaged chunk decoded. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../report/anon.h"
#include "../../report/rewrite.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/tdftest.h"
#include "wire.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

#ifdef HAVE_ASAN
/* From the ASan runtime (sanitizer/allocator_interface.h, which gcc does not install). */
size_t __sanitizer_get_current_allocated_bytes(void);

static size_t heap_in_use(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}
#endif

/* Heap growth since h0 (0 if it shrank: the caller freed something older). */
static size_t heap_since(size_t h0)
{
	size_t now = heap_in_use();

	return now > h0 ? now - h0 : 0;
}

/*
 * What one reader may hold, whatever the bytes say: the decompressed chunk (capped at
 * TDF_CHUNK_RAW_MAX), one record's string and item tables (a u16 count of 16-byte items, a
 * 64 KiB string area), zstd's decompression context and slack for the allocator. A length
 * field taken at face value would blow far past it (a u32 length is up to 4 GiB).
 */
#define READER_HEAP_MAX ((size_t)TDF_CHUNK_RAW_MAX + (1u << 20) + (1u << 16) + (1u << 20))

/* The fd reader's input window: one whole block of the largest size. */
#define INPUT_WINDOW ((size_t)TDF_BLOCK_HDR_LEN + TDF_BLOCK_PAYLOAD_MAX)

/* The report's own state for one small file (names, symbols, stacks, clocks). */
#define REPORT_HEAP_MAX ((size_t)1 << 20)

#define SMALL_DROPS   40u   /* about 8 chunks: every byte flipped, every cut */
#define LARGE_DROPS   160u  /* about 30 chunks: random corruption */
#define CHUNK_RAW     1024u /* small chunks so small files have many */
#define RANDOM_ROUNDS 10000u
#define SEED	      0x7463706472ull /* fixed: failures replay exactly */

/* ---- the file's layout and which chunk holds which drop ---- */

#define BLOCKS_MAX 128

struct block {
	size_t off, len;
	uint16_t type;
};

struct sample {
	uint8_t *buf;
	size_t len;
	struct block b[BLOCKS_MAX];
	size_t nb;
	unsigned drops;
	size_t chunk_of[LARGE_DROPS + 1]; /* seq -> block index */
};

static int block_at(const struct sample *s, size_t off)
{
	for (size_t i = 0; i < s->nb; i++)
		if (off >= s->b[i].off && off < s->b[i].off + s->b[i].len)
			return (int)i;
	return -1;
}

static void sample_build(struct sample *s, unsigned drops)
{
	struct tdf_reader *r;
	struct tdf_record rec;
	size_t pos = TDF_FILE_HDR_LEN;
	int ret;

	memset(s, 0, sizeof(*s));
	s->drops = drops;
	s->buf = tdftest_sample(drops, CHUNK_RAW, true, &s->len);
	assert_non_null(s->buf);
	while (pos < s->len) {
		assert_true(s->nb < BLOCKS_MAX);
		assert_true(s->len - pos >= TDF_BLOCK_HDR_LEN);
		assert_memory_equal(s->buf + pos, TDF_SYNC, TDF_SYNC_LEN);
		s->b[s->nb].off = pos;
		s->b[s->nb].type = le16_get(s->buf + pos + 4);
		s->b[s->nb].len = TDF_BLOCK_HDR_LEN + le32_get(s->buf + pos + 8);
		pos += s->b[s->nb++].len;
	}
	assert_int_equal(pos, s->len);
	r = tdf_reader_open_mem(s->buf, s->len, "sample");
	assert_non_null(r);
	while ((ret = tdf_reader_next(r, &rec)) > 0) {
		int bi;

		assert_true(rec.type != TDF_EV_CORRUPT && rec.type != TDF_EV_TRUNCATED);
		if (rec.type != TDF_REC_DROP)
			continue;
		assert_true(rec.drop.seq_no >= 1 && rec.drop.seq_no <= drops);
		bi = block_at(s, rec.offset);
		assert_true(bi >= 0 && s->b[bi].off == rec.offset);
		s->chunk_of[rec.drop.seq_no] = (size_t)bi;
	}
	assert_int_equal(ret, 0);
	tdf_reader_close(r);
	/* The point of the exercise: drops spread over many chunks. */
	assert_true(s->chunk_of[drops] > s->chunk_of[1] + 4);
}

/* ---- one read of a (damaged) buffer ---- */

#define PROBLEMS_MAX 256

struct outcome {
	int ret;
	unsigned seen[LARGE_DROPS + 1];
	unsigned spurious; /* drops with a seq_no the file never had */
	struct {
		uint32_t type;
		uint64_t offset, skipped;
	} p[PROBLEMS_MAX];
	size_t np;
	size_t heap; /* reader heap at the end, before close */
	struct tdf_reader_stats stats;
};

/*
 * Read everything from r. The call cap turns a reader that loops forever on its own output
 * into a failure; a loop inside one call ends at the alarm set in main().
 */
static void read_all(struct tdf_reader *r, unsigned drops, size_t heap0, size_t allow,
		     struct outcome *o)
{
	const size_t call_cap = 4 * (size_t)drops + 4 * BLOCKS_MAX + 64;
	struct tdf_record rec;
	size_t calls = 0;
	int ret;

	memset(o, 0, sizeof(*o));
	assert_non_null(r);
	while ((ret = tdf_reader_next(r, &rec)) > 0) {
		assert_true(++calls < call_cap);
		switch (rec.type) {
		case TDF_REC_DROP:
			if (rec.drop.seq_no >= 1 && rec.drop.seq_no <= drops)
				o->seen[rec.drop.seq_no]++;
			else
				o->spurious++;
			assert_true(rec.drop.caplen <= TDF_SNAP_MAX);
			assert_true(rec.drop.caplen == 0 || rec.drop.data);
			assert_int_equal(rec.drop.comm[TDF_COMM_LEN - 1], 0);
			assert_int_equal(rec.drop.ifname[TDF_IFNAME_LEN - 1], 0);
			break;
		case TDF_REC_STACK:
			assert_true(rec.stack.depth <= TDF_STACK_MAX);
			break;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			assert_true(o->np < PROBLEMS_MAX);
			assert_non_null(rec.problem.what);
			assert_true(strlen(rec.problem.what) > 0);
			o->p[o->np].type = rec.type;
			o->p[o->np].offset = rec.problem.offset;
			o->p[o->np].skipped = rec.problem.skipped;
			o->np++;
			break;
		}
	}
	o->ret = ret;
	o->heap = heap_since(heap0);
	if (o->heap > allow)
		fail_msg("reader holds %zu heap bytes, more than %zu", o->heap, allow);
	tdf_reader_stats(r, &o->stats);
	if (ret < 0)
		assert_true(strlen(tdf_reader_error(r)) > 0);
	tdf_reader_close(r);
}

static void read_mem(const uint8_t *buf, size_t len, unsigned drops, struct outcome *o)
{
	size_t heap0 = heap_in_use();

	read_all(tdf_reader_open_mem(buf, len, "damaged"), drops, heap0, READER_HEAP_MAX, o);
}

/* The fd path (its own input window and refills) must agree with the memory path. */
static void read_fd(const uint8_t *buf, size_t len, unsigned drops, struct outcome *o)
{
	int fd = memfd_create("hostile", 0);
	size_t heap0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	heap0 = heap_in_use();
	read_all(tdf_reader_open_fd(fd, "damaged"), drops, heap0, READER_HEAP_MAX + INPUT_WINDOW,
		 o);
	close(fd);
}

/*
 * Through a pipe fed a few bytes at a time by a child process: the fd reader sees short
 * reads everywhere (inside headers, payloads and frames) and must still agree.
 */
static void read_pipe(const uint8_t *buf, size_t len, unsigned drops, struct outcome *o)
{
	int fds[2];
	size_t heap0;
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		for (size_t at = 0; at < len; at += 7) {
			size_t n = len - at < 7 ? len - at : 7;

			if (write(fds[1], buf + at, n) != (ssize_t)n)
				_exit(1);
			if (at % 91 == 0)
				usleep(50); /* let the reader drain the pipe: short reads */
		}
		_exit(0);
	}
	close(fds[1]);
	heap0 = heap_in_use();
	read_all(tdf_reader_open_fd(fds[0], "piped"), drops, heap0, READER_HEAP_MAX + INPUT_WINDOW,
		 o);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* A reader that gave up early closed the pipe on the writer (SIGPIPE): that is fine. */
	if (o->ret == 0)
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- the report's pipeline over the same bytes ---- */

struct count_sink {
	unsigned seen[LARGE_DROPS + 1];
	unsigned spurious;
	size_t problems;
};

static int c_drop(void *ctx, const struct rpt_drop *d)
{
	struct count_sink *c = ctx;

	assert_non_null(d->reason);
	assert_non_null(d->host);
	if (d->d->seq_no >= 1 && d->d->seq_no <= LARGE_DROPS)
		c->seen[d->d->seq_no]++;
	else
		c->spurious++;
	return 0;
}

static int c_problem(void *ctx, const struct rpt_file *f, uint32_t type,
		     const struct tdf_problem *p)
{
	struct count_sink *c = ctx;

	(void)f;
	(void)type;
	(void)p;
	c->problems++;
	return 0;
}

static const struct rpt_sink_ops count_ops = {.drop = c_drop, .problem = c_problem};

/*
 * The report delivers exactly the drops and problems the format reader saw. by_path: open
 * the bytes as a file by name (a memfd through /proc/self/fd), as tcpdrop-report -r does.
 */
static void report_count_via(const uint8_t *buf, size_t len, const struct outcome *want,
			     bool by_path)
{
	struct count_sink c = {0};
	struct rpt_sink sink = {&count_ops, &c};
	struct rpt_file *f;
	char path[64];
	int rc, fd = -1;
	size_t heap0 = heap_in_use();

	if (by_path) {
		fd = memfd_create("hostile-report", 0);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, len), (ssize_t)len);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		f = rpt_file_open(path);
	} else {
		f = rpt_file_open_mem(buf, len, "damaged");
	}
	assert_non_null(f);
	rc = rpt_run(&f, 1, &sink, NULL);
	if (want->ret < 0) {
		assert_int_not_equal(rc, 0);
		assert_true(strlen(rpt_file_error(f)) > 0);
	} else {
		assert_int_equal(rc, 0);
	}
	assert_memory_equal(c.seen, want->seen, sizeof(c.seen));
	assert_int_equal(c.spurious, want->spurious);
	assert_int_equal(c.problems, want->np);
	/* The report's per-file tables hold what a small file says: far below this. */
	if (heap_since(heap0) > READER_HEAP_MAX + INPUT_WINDOW + REPORT_HEAP_MAX)
		fail_msg("the report holds %zu heap bytes", heap_since(heap0));
	rpt_file_close(f);
	if (fd >= 0)
		close(fd);
}

static void report_count(const uint8_t *buf, size_t len, const struct outcome *want)
{
	report_count_via(buf, len, want, false);
}

enum {
	V_TABLE,
	V_JSON,
	V_CSV,
	V_SUMMARY,
	V_TIMELINE,
	V_INFO,
	V_PCAPNG,
	V_EXPLAIN,
	V_FOLDED,
	V_HTML,
	V_COUNT
};

/* One real view over the bytes, into memory: it must finish (0, or the file's own error). */
static void report_view(const uint8_t *buf, size_t len, int view, bool bad_file)
{
	static const struct rpt_view_opts vo = {.time_fmt = RPT_TIME_ISO, .utc = true};
	struct rpt_summary_opts so = {.keys = {RPT_KEY_REASON, RPT_KEY_STACK, RPT_KEY_COMM},
				      .nkeys = 3};
	struct rpt_timeline_opts to = {.by_reason = true};
	struct rpt_file *f = rpt_file_open_mem(buf, len, "damaged");
	struct rpt_sink *sink = NULL;
	char *out = NULL;
	size_t out_len = 0;
	FILE *m = open_memstream(&out, &out_len);
	int rc;

	assert_non_null(f);
	assert_non_null(m);
	switch (view) {
	case V_TABLE:
		sink = rpt_table_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_JSON:
		sink = rpt_json_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_CSV:
		sink = rpt_csv_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_SUMMARY:
		sink = rpt_summary_open(m, &(struct rpt_view_cfg){.o = vo, .summary = so});
		break;
	case V_TIMELINE:
		sink = rpt_timeline_open(m, &(struct rpt_view_cfg){.o = vo, .timeline = to});
		break;
	case V_INFO:
		sink = rpt_info_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_PCAPNG:
		sink = rpt_pcapng_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_EXPLAIN:
		sink = rpt_explain_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	case V_FOLDED:
		sink = rpt_folded_open(
		    m, &(struct rpt_view_cfg){.o = vo, .folded_root = RPT_FOLDED_ROOT_OWNER});
		break;
	case V_HTML:
		sink = rpt_html_open(m, &(struct rpt_view_cfg){.o = vo});
		break;
	}
	assert_non_null(sink);
	rc = rpt_run(&f, 1, sink, NULL);
	if (bad_file)
		assert_int_not_equal(rc, 0);
	else
		assert_int_equal(rc, 0);
	rpt_sink_close(sink);
	assert_int_equal(fclose(m), 0);
	/* Nothing raw from the file reaches a text view: no control bytes but newline and tab. */
	if (view != V_PCAPNG)
		for (size_t i = 0; i < out_len; i++)
			if (out[i] != '\n' && out[i] != '\t' &&
			    ((uint8_t)out[i] < 0x20 || out[i] == 0x7f))
				fail_msg("view %d: raw byte 0x%02x at output offset %zu:\n%s", view,
					 (uint8_t)out[i], i, out);
	free(out);
	rpt_file_close(f);
}

/* ---- the checks ---- */

/* Drops of blocks not in damaged[] decode exactly once; drops of damaged blocks not at all. */
static void check_drops(const struct sample *s, const bool *damaged, const struct outcome *o)
{
	assert_int_equal(o->spurious, 0);
	for (unsigned q = 1; q <= s->drops; q++) {
		unsigned want = damaged[s->chunk_of[q]] ? 0 : 1;

		if (o->seen[q] != want)
			fail_msg("drop %u (chunk at %zu): seen %u times, want %u", q,
				 s->b[s->chunk_of[q]].off, o->seen[q], want);
	}
}

/* Every damaged block that still begins inside the input lies in a reported problem's span. */
static void check_reported(const struct sample *s, const bool *damaged, size_t len,
			   const struct outcome *o)
{
	for (size_t i = 0; i < s->nb; i++) {
		bool covered = false;

		if (!damaged[i] || s->b[i].off >= len)
			continue;
		for (size_t k = 0; k < o->np && !covered; k++)
			covered =
			    o->p[k].offset <= s->b[i].off &&
			    s->b[i].off < o->p[k].offset + (o->p[k].skipped ? o->p[k].skipped : 1);
		if (!covered)
			fail_msg("damaged block %zu at offset %zu was not reported", i,
				 s->b[i].off);
	}
	for (size_t k = 0; k < o->np; k++)
		assert_true(o->p[k].offset >= TDF_FILE_HDR_LEN && o->p[k].offset <= len);
}

static void same_outcome(const struct outcome *a, const struct outcome *b)
{
	assert_int_equal(a->ret, b->ret);
	assert_memory_equal(a->seen, b->seen, sizeof(a->seen));
	assert_int_equal(a->np, b->np);
	for (size_t k = 0; k < a->np; k++) {
		assert_int_equal(a->p[k].type, b->p[k].type);
		assert_int_equal(a->p[k].offset, b->p[k].offset);
	}
}

/*
 * Every byte of a small multi-chunk file in turn, inverted and with its low bit flipped:
 * the file header's magic and major version stop the reader with an error; any other byte
 * damages exactly one block, which is reported once as CORRUPT at its own offset and
 * skipped, while every drop of every other chunk still decodes.
 */
static void test_flip_every_byte(void **state)
{
	static const uint8_t masks[] = {0xff, 0x01};
	struct sample s;
	struct outcome o, ofd;
	uint8_t *copy;
	size_t heap_max = 0;

	(void)state;
	sample_build(&s, SMALL_DROPS);
	copy = malloc(s.len);
	assert_non_null(copy);
	for (size_t m = 0; m < sizeof(masks); m++) {
		for (size_t i = 0; i < s.len; i++) {
			bool damaged[BLOCKS_MAX] = {false};
			int bi = block_at(&s, i);

			memcpy(copy, s.buf, s.len);
			copy[i] ^= masks[m];
			read_mem(copy, s.len, s.drops, &o);
			if (o.heap > heap_max)
				heap_max = o.heap;
			if (i < TDF_MAGIC_LEN) {
				/* Magic: not a trace file. */
				assert_int_equal(o.ret, -EBADMSG);
			} else if (i < TDF_MAGIC_LEN + 2) {
				/* Major version: 0 does not exist, larger is newer. */
				assert_true(o.ret == -EBADMSG || o.ret == -ENOTSUP);
			} else if (i < TDF_FILE_HDR_LEN) {
				/* Minor version and reserved bytes: readable as ever. */
				assert_int_equal(o.ret, 0);
				assert_int_equal(o.np, 0);
				check_drops(&s, damaged, &o);
			} else {
				assert_true(bi >= 0);
				damaged[bi] = true;
				assert_int_equal(o.ret, 0);
				if (o.np != 1 || o.p[0].type != TDF_EV_CORRUPT ||
				    o.p[0].offset != s.b[bi].off)
					fail_msg(
					    "byte %zu ^ 0x%02x: %zu problems, first %u at %llu; "
					    "want one CORRUPT at %zu",
					    i, masks[m], o.np, o.np ? o.p[0].type : 0,
					    o.np ? (unsigned long long)o.p[0].offset : 0ull,
					    s.b[bi].off);
				assert_int_equal(o.stats.corrupt, 1);
				check_drops(&s, damaged, &o);
				/* A damaged trailer is no clean close; anything else keeps it. */
				assert_int_equal(o.stats.clean_close,
						 s.b[bi].type != TDF_BLOCK_TRAILER);
			}
			if (i % 23 == 0) {
				read_fd(copy, s.len, s.drops, &ofd);
				same_outcome(&o, &ofd);
			}
			if (i % 101 == 0) {
				read_pipe(copy, s.len, s.drops, &ofd);
				same_outcome(&o, &ofd);
			}
			if (i % 5 == 0)
				report_count(copy, s.len, &o);
		}
	}
	/* The measurement sees the reader's buffers (its 64 KiB string area at least). */
	assert_true(heap_max >= (64u << 10));
	free(copy);
	free(s.buf);
}

/*
 * The file cut at every length: blocks wholly before the cut decode, the cut block is
 * reported TRUNCATED at its own offset (nothing is reported when the cut falls between
 * blocks: that is a recorder killed after a write).
 */
static void test_cut_everywhere(void **state)
{
	struct sample s;
	struct outcome o;

	(void)state;
	sample_build(&s, SMALL_DROPS);
	for (size_t len = 0; len < s.len; len++) {
		bool damaged[BLOCKS_MAX] = {false};
		bool boundary = false;
		int cut = -1;

		for (size_t i = 0; i < s.nb; i++) {
			if (s.b[i].off + s.b[i].len > len)
				damaged[i] = true;
			if (s.b[i].off == len)
				boundary = true;
			if (s.b[i].off < len && s.b[i].off + s.b[i].len > len)
				cut = (int)i;
		}
		read_mem(s.buf, len, s.drops, &o);
		assert_int_equal(o.ret, 0);
		check_drops(&s, damaged, &o);
		assert_int_equal(o.stats.clean_close, false);
		if (len < TDF_FILE_HDR_LEN) {
			assert_int_equal(o.np, 1);
			assert_int_equal(o.p[0].type, TDF_EV_TRUNCATED);
			assert_int_equal(o.p[0].offset, 0);
		} else if (boundary || len == TDF_FILE_HDR_LEN) {
			assert_int_equal(o.np, 0);
		} else {
			assert_true(cut >= 0);
			assert_int_equal(o.np, 1);
			assert_int_equal(o.p[0].type, TDF_EV_TRUNCATED);
			assert_int_equal(o.p[0].offset, s.b[cut].off);
			assert_true(o.stats.truncated);
		}
		if (len % 11 == 0)
			report_count(s.buf, len, &o);
	}
	free(s.buf);
}

/* splitmix64: small, fast, the same sequence everywhere. */
static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Damage copy in one of several ways; returns the length to read (a cut, sometimes). */
static size_t corrupt_randomly(const struct sample *s, uint8_t *copy, uint64_t *x)
{
	unsigned hits = 1 + (unsigned)(rnd(x) % 6);
	size_t len = s->len;

	memcpy(copy, s->buf, s->len);
	for (unsigned h = 0; h < hits; h++) {
		size_t at = (size_t)(rnd(x) % s->len);
		size_t n, j;

		switch (rnd(x) % 5) {
		case 0: /* one byte, any value */
			copy[at] = (uint8_t)rnd(x);
			break;
		case 1: /* one bit */
			copy[at] ^= (uint8_t)(1u << (rnd(x) % 8));
			break;
		case 2: /* a burst of random bytes */
			n = 2 + (size_t)(rnd(x) % 31);
			for (j = 0; j < n && at + j < s->len; j++)
				copy[at + j] = (uint8_t)rnd(x);
			break;
		case 3: /* a valid block header planted where it does not belong */
			j = (size_t)(rnd(x) % s->nb);
			n = TDF_BLOCK_HDR_LEN;
			if (at + n <= s->len)
				memcpy(copy + at, s->buf + s->b[j].off, n);
			break;
		case 4: /* a run of zeros (a hole left by a crash) */
			n = 1 + (size_t)(rnd(x) % 64);
			for (j = 0; j < n && at + j < s->len; j++)
				copy[at + j] = 0;
			break;
		}
	}
	if (rnd(x) % 8 == 0)
		len = TDF_FILE_HDR_LEN + (size_t)(rnd(x) % (s->len - TDF_FILE_HDR_LEN));
	return len;
}

/*
 * 10,000 random multi-byte corruptions (and some cuts) of a file of about 30 chunks, each
 * read by the memory reader; every 32nd also by the fd reader, every 2nd by the report with a
 * counting sink (every 64th through a file name) and one of its real views in turn.
 */
static void test_random_corruption(void **state)
{
	uint64_t x = SEED;
	struct sample s;
	struct outcome o, ofd;
	uint8_t *copy;
	unsigned header_hits = 0, cuts = 0, damaged_total = 0;

	(void)state;
	sample_build(&s, LARGE_DROPS);
	assert_true(s.nb >= 25);
	copy = malloc(s.len);
	assert_non_null(copy);
	for (unsigned round = 0; round < RANDOM_ROUNDS; round++) {
		bool damaged[BLOCKS_MAX] = {false};
		size_t len = corrupt_randomly(&s, copy, &x);
		bool bad_header = memcmp(copy, s.buf, TDF_MAGIC_LEN + 2) != 0;

		for (size_t i = 0; i < s.nb; i++) {
			if (s.b[i].off + s.b[i].len > len ||
			    memcmp(copy + s.b[i].off, s.buf + s.b[i].off, s.b[i].len) != 0)
				damaged[i] = true;
			damaged_total += damaged[i];
		}
		cuts += len < s.len;
		read_mem(copy, len, s.drops, &o);
		if (bad_header) {
			header_hits++;
			/* The magic or major version changed: an error, or (same values) fine. */
			assert_true(o.ret <= 0);
		} else {
			assert_int_equal(o.ret, 0);
			check_drops(&s, damaged, &o);
			check_reported(&s, damaged, len, &o);
		}
		if (round % 32 == 0) {
			read_fd(copy, len, s.drops, &ofd);
			same_outcome(&o, &ofd);
		}
		if (round % 2 == 0) {
			report_count_via(copy, len, &o, round % 64 == 0);
			report_view(copy, len, (int)((round / 2) % V_COUNT), o.ret < 0);
		}
	}
	/* The generator really hit what it should. */
	assert_true(cuts > RANDOM_ROUNDS / 16);
	assert_true(header_hits > 0);
	assert_true(damaged_total > RANDOM_ROUNDS);
	free(copy);
	free(s.buf);
}

/*
 * Chunks whose frames are valid zstd and whose CRCs are right but whose contents lie: the
 * CRC cannot catch these, the record checks must. Each damaged chunk is skipped alone.
 */
static void test_lying_chunk_contents(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdf_drop d;
	uint8_t body[512];
	struct outcome o;
	unsigned n_bad = 0;

	(void)state;
	tdftest_put_file_header(&f, TDF_VERSION_MAJOR, TDF_VERSION_MINOR);
	for (unsigned lie = 0; lie < 8; lie++) {
		size_t base;

		/* A good chunk with drop lie*2+1 ... */
		tdftest_buf_free(&raw);
		tdftest_drop(&d, lie * 2 + 1, 40);
		{
			struct tdf_record r = {.type = TDF_REC_DROP, .drop = d};
			size_t len;
			uint8_t *one = tdftest_write(&r, 1, NULL, false, &len);

			assert_non_null(one);
			tdftest_buf_put(&f, one + TDF_FILE_HDR_LEN, len - TDF_FILE_HDR_LEN);
			free(one);
		}
		/* ... then a chunk that lies in one way. */
		memset(body, 0xa5, sizeof(body));
		base = f.len;
		switch (lie) {
		case 0: /* record body runs past the chunk */
			tdftest_put_record(&raw, TDF_REC_DROP, 0, body, 200);
			raw.len -= 50;
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 1);
			break;
		case 1: /* record count lies */
			tdftest_put_record(&raw, TDF_REC_CLOCK, 0, body, 16);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 2);
			break;
		case 2: /* raw length lies (the zstd content size disagrees) */
			tdftest_put_record(&raw, TDF_REC_CLOCK, 0, body, 16);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len + 1, 1);
			break;
		case 3: /* raw length over the cap */
			tdftest_put_record(&raw, TDF_REC_CLOCK, 0, body, 16);
			tdftest_put_chunk(&f, raw.p, raw.len, 0xffffffffu, 1);
			break;
		case 4: /* stack deeper than the cap */
			le32_put(body, 9);
			le16_put(body + 4, 0xffff);
			tdftest_put_record(&raw, TDF_REC_STACK, 0, body, 6 + 8 * 4);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 1);
			break;
		case 5: /* drop caplen over the cap */
			memset(body, 0, sizeof(body));
			le16_put(body + TDF_DROP_FIXED - 2, 0xffff);
			tdftest_put_record(&raw, TDF_REC_DROP, 0, body, TDF_DROP_FIXED + 64);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 1);
			break;
		case 6: /* META count far larger than its body */
			le16_put(body, 0xffff);
			tdftest_put_record(&raw, TDF_REC_META, 0, body, 40);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 1);
			break;
		case 7: /* a string length byte past the body */
			le32_put(body, 3);
			body[4] = 200;
			tdftest_put_record(&raw, TDF_REC_KMOD, 0, body, 20);
			tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 1);
			break;
		}
		assert_true(f.len > base);
		n_bad++;
	}
	/* A last good drop after all the liars. */
	{
		struct tdf_record r = {.type = TDF_REC_DROP};
		size_t len;
		uint8_t *one;

		tdftest_drop(&r.drop, 17, 40);
		one = tdftest_write(&r, 1, NULL, false, &len);
		assert_non_null(one);
		tdftest_buf_put(&f, one + TDF_FILE_HDR_LEN, len - TDF_FILE_HDR_LEN);
		free(one);
	}
	read_mem(f.p, f.len, LARGE_DROPS, &o);
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.np, n_bad);
	for (size_t k = 0; k < o.np; k++)
		assert_int_equal(o.p[k].type, TDF_EV_CORRUPT);
	for (unsigned q = 1; q <= 17; q += 2)
		assert_int_equal(o.seen[q], 1);
	assert_int_equal(o.spurious, 0);
	report_count(f.p, f.len, &o);
	for (int v = 0; v < V_COUNT; v++)
		report_view(f.p, f.len, v, false);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);
}

/*
 * A well-formed file whose values are extreme: clock anchors at the ends of the u64 range,
 * drops at time 0 and UINT64_MAX, unknown families, states, reasons, modules and stacks,
 * the deepest stack, the largest snap, losses that sum past UINT64_MAX, unsorted and
 * duplicate symbols, stacks redefined. Every view must finish (UBSan watches the arithmetic
 * in the sanitizer build) and deliver every drop.
 */
static void test_extreme_values(void **state)
{
	static const struct tdf_kv kv[] = {{"", ""}, {TDF_META_HOST, ""}, {TDF_META_SNAPLEN, "x"}};
	static const struct tdf_name reasons[] = {{0xffffffffu, ""}, {2, "SKB_DROP_REASON_"}};
	static const struct tdf_ksym syms[] = {{0xffffffffu, "last"}, {0, "first"}, {0, "dup"}};
	static struct tdf_kaddr deep[TDF_STACK_MAX];
	static const struct tdf_kaddr odd[] = {{TDF_MOD_UNKNOWN, 0}, {77, 0xffffffffu}};
	static const struct {
		uint64_t ts;
		uint8_t family, state;
		uint32_t reason, stack_id, mod;
		uint16_t caplen;
	} v[] = {
	    {0, 4, 0, 2, 1, 0, 0},
	    {UINT64_MAX, 6, 255, 0xffffffffu, 2, TDF_MOD_UNKNOWN, TDF_SNAP_MAX},
	    {UINT64_MAX / 2, 0, 1, 0, 999, 77, 1},
	    {1, 5, 12, 0xfffe, 0, TDF_MOD_VMLINUX, 20},
	    {UINT64_MAX - 1, 255, 10, 3, 1, 1, 0},
	};
	struct tdf_record recs[32];
	size_t n = 0, len;
	struct outcome o;
	uint8_t *buf;

	(void)state;
	for (size_t i = 0; i < TDF_STACK_MAX; i++)
		deep[i] = (struct tdf_kaddr){(uint32_t)(i % 3), (uint32_t)(0xffffffffu - i)};
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){3, kv};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){UINT64_MAX, 0};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){0, UINT64_MAX};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){UINT64_MAX / 2, UINT64_MAX / 2 + 1};
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){2, reasons};
	recs[n].type = TDF_REC_STATES;
	recs[n++].names = (struct tdf_names){2, reasons};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){1, ""};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){1, "again"};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 3, syms};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){1, 3, syms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, TDF_STACK_MAX, deep};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){2, 2, odd};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 0, NULL}; /* redefined, empty */
	recs[n].type = TDF_REC_LOSS;
	recs[n++].loss = (struct tdf_loss){TDF_LOSS_RINGBUF, UINT32_MAX, UINT64_MAX, UINT64_MAX, 0};
	recs[n].type = TDF_REC_LOSS;
	recs[n++].loss = (struct tdf_loss){TDF_LOSS_RINGBUF, 3, UINT64_MAX, 0, UINT64_MAX};
	recs[n].type = TDF_REC_LOSS;
	recs[n++].loss = (struct tdf_loss){TDF_LOSS_EXCLUDED, 0, UINT64_MAX, 5, 5};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct tdf_drop *d = &recs[n].drop;

		recs[n++].type = TDF_REC_DROP;
		tdftest_drop(d, i + 1, v[i].caplen);
		d->ts_ns = v[i].ts;
		d->family = v[i].family;
		d->state = v[i].state;
		d->reason = v[i].reason;
		d->stack_id = v[i].stack_id;
		d->location = (struct tdf_kaddr){v[i].mod, 0xffffffffu};
		d->pid = d->tid = d->cpu = d->len = d->netns = d->ifindex = UINT32_MAX;
		d->tcp_flags = 0xff;
		d->dir = 0xff;
		d->win = 0xffff;
		d->sport = d->dport = 0;
		memset(d->saddr, 0xff, sizeof(d->saddr));
		memset(d->comm, 'c', sizeof(d->comm) - 1);
		memset(d->ifname, 'i', sizeof(d->ifname) - 1);
	}
	assert_true(n <= sizeof(recs) / sizeof(recs[0]));
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);
	read_mem(buf, len, LARGE_DROPS, &o);
	assert_int_equal(o.ret, 0);
	assert_int_equal(o.np, 0);
	for (unsigned q = 1; q <= 5; q++)
		assert_int_equal(o.seen[q], 1);
	report_count(buf, len, &o);
	for (int view = 0; view < V_COUNT; view++)
		report_view(buf, len, view, false);
	free(buf);
}

/* One anonymised copy of buf: it must be a sound, cleanly closed file with no more drops. */
static void rewrite_one(struct rpt_anon *a, const uint8_t *buf, size_t len, uint64_t drops_max)
{
	struct rpt_rewrite_opts ro = {.anon = a};
	struct rpt_rewrite_stats st;
	struct tdftest_counts c;
	int in = memfd_create("in", 0), out = memfd_create("out", 0), rc;
	char err[512];
	off_t n;
	uint8_t *copy;

	assert_true(in >= 0 && out >= 0);
	assert_int_equal(write(in, buf, len), (ssize_t)len);
	lseek(in, 0, SEEK_SET);
	rc = rpt_rewrite(in, "hostile", out, &ro, &st, err, sizeof(err));
	if (rc) {
		assert_true(rc == -EBADMSG || rc == -ENOTSUP);
		assert_true(err[0] != '\0');
	} else {
		n = lseek(out, 0, SEEK_END);
		copy = malloc((size_t)n);
		assert_non_null(copy);
		assert_int_equal(pread(out, copy, (size_t)n, 0), n);
		tdftest_read(copy, (size_t)n, &c);
		assert_int_equal(c.ret, 0);
		assert_int_equal(c.corrupt + c.truncated, 0);
		assert_true(c.stats.clean_close);
		assert_int_equal(c.drops, st.drops_out);
		assert_true(c.drops <= drops_max);
		free(copy);
	}
	close(in);
	close(out);
}

/*
 * --anonymize -w over damaged input, every byte inverted and every cut: the copy is always a
 * sound file (what could be read, anonymised, cleanly closed), or the input's own error.
 */
static void test_anon_rewrite_hostile(void **state)
{
	static const struct rpt_anon_opts ao = {.scrub_names = true};
	uint8_t key[RPT_ANON_KEY_LEN] = {1, 2, 3}, *copy;
	struct rpt_anon *a = rpt_anon_new(key, &ao);
	struct sample s;

	(void)state;
	assert_non_null(a);
	sample_build(&s, SMALL_DROPS);
	copy = malloc(s.len);
	assert_non_null(copy);
	for (size_t i = 0; i < s.len; i++) {
		memcpy(copy, s.buf, s.len);
		copy[i] ^= 0xff;
		rewrite_one(a, copy, s.len, s.drops);
	}
	for (size_t len = 0; len < s.len; len += 3)
		rewrite_one(a, s.buf, len, s.drops);
	free(copy);
	free(s.buf);
	rpt_anon_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flip_every_byte),   cmocka_unit_test(test_cut_everywhere),
	    cmocka_unit_test(test_random_corruption), cmocka_unit_test(test_lying_chunk_contents),
	    cmocka_unit_test(test_extreme_values),    cmocka_unit_test(test_anon_rewrite_hostile),
	};

	/* A reader stuck in a loop inside one call ends the test (SIGALRM) instead of CI. */
	alarm(600);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
