// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/capture: events to records, read back through the format reader. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../record/capture.h"

#define TEXT 0xffffffffa0000000ull

static const char kallsyms_text[] = "ffffffffa0000000 T _text\n"
				    "ffffffffa0001000 T kfree_skb_reason\n"
				    "ffffffffa0002000 T tcp_v4_rcv\n"
				    "ffffffffa0003000 T ip_local_deliver\n"
				    "ffffffffa0100000 T _etext\n"
				    "ffffffffc0000000 t nft_do_chain\t[nf_tables]\n";

struct fixture {
	char dir[64];
	char pattern[128];
	struct ksyms *ks;
	struct btfnames reasons, states;
	struct meta meta;
};

static struct tdf_name reason_names[] = {{3, "SKB_DROP_REASON_NO_SOCKET"}};
static struct tdf_name state_names[] = {{10, "LISTEN"}};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *argv[] = {"tcpdrop-record", "-w", "x"};
	struct meta_info mi = {.argc = 3,
			       .argv = argv,
			       .snaplen = 256,
			       .stack_depth = 64,
			       .filters = "",
			       .hook = "tp_btf"};

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_rec_capture.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->pattern, sizeof(f->pattern), "%s/c", f->dir);
	f->ks = ksyms_parse(kallsyms_text, strlen(kallsyms_text));
	assert_non_null(f->ks);
	f->reasons.count = 1;
	f->reasons.names = reason_names;
	f->states.count = 1;
	f->states.names = state_names;
	assert_int_equal(meta_collect(&f->meta, &mi), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];

	ksyms_free(f->ks);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* A drop event with a tail of snap bytes and frames, as the probe hands it over. */
struct fake {
	struct tde_event ev;
	uint8_t snap[64];
	uint64_t frames[3];
};

static void make_event(struct fake *k, uint16_t sport)
{
	memset(k, 0, sizeof(*k));
	k->ev.ts_ns = 1000 + sport;
	k->ev.location = TEXT + 0x2010; /* tcp_v4_rcv+0x10 */
	k->ev.reason = 3;
	k->ev.family = 4;
	k->ev.sport = sport;
	k->ev.dport = 9;
	k->ev.tcp_flags = 0x02;
	k->ev.netns = 4026531840u;
	k->ev.caplen = 40;
	k->ev.saddr[0] = 127;
	k->ev.saddr[3] = 1;
	memcpy(k->ev.comm, "bash", 5);
	memcpy(k->ev.ifname, "lo", 3);
	k->snap[0] = 0x45;
	k->snap[39] = 0xaa;
	k->frames[0] = TEXT + 0x1004;
	k->frames[1] = TEXT + 0x2010;
	k->frames[2] = 0xffffffffc0000040ull; /* nf_tables + 0x40 */
}

static int feed(struct capture *c, struct fake *k)
{
	struct probe_event pe = {.ev = &k->ev, .snap = k->snap, .frames = k->frames, .nframes = 3};

	return capture_on_event(c, &pe);
}

struct seen {
	int meta, clock, reasons, states, kmods, ksyms, stacks, drops;
	uint32_t stack_ids[8];
	bool stack_before_drop;
};

static void read_back(const char *path, struct seen *s)
{
	int fd = open(path, O_RDONLY);
	struct tdf_reader *r;
	struct tdf_record rec;
	int rc;

	assert_true(fd >= 0);
	memset(s, 0, sizeof(*s));
	s->stack_before_drop = true;
	r = tdf_reader_open_fd(fd, path);
	assert_non_null(r);
	while ((rc = tdf_reader_next(r, &rec)) == 1) {
		switch (rec.type) {
		case TDF_REC_META:
			s->meta++;
			break;
		case TDF_REC_CLOCK:
			s->clock++;
			break;
		case TDF_REC_REASONS:
			s->reasons++;
			break;
		case TDF_REC_STATES:
			s->states++;
			break;
		case TDF_REC_KMOD:
			s->kmods++;
			assert_string_equal(rec.kmod.name, "nf_tables");
			break;
		case TDF_REC_KSYMS:
			s->ksyms++;
			break;
		case TDF_REC_STACK:
			assert_int_equal(rec.stack.depth, 3);
			/* normalised: offsets from _text / the module's first symbol, no raw
			 * address */
			assert_int_equal(rec.stack.frames[0].mod, TDF_MOD_VMLINUX);
			assert_int_equal(rec.stack.frames[0].off, 0x1004);
			assert_int_equal(rec.stack.frames[2].mod, 1);
			assert_int_equal(rec.stack.frames[2].off, 0x40);
			if (s->stacks < 8)
				s->stack_ids[s->stacks] = rec.stack.id;
			s->stacks++;
			break;
		case TDF_REC_DROP:
			if (rec.drop.stack_id && !s->stacks)
				s->stack_before_drop = false;
			assert_int_equal(rec.drop.location.mod, TDF_MOD_VMLINUX);
			assert_int_equal(rec.drop.location.off, 0x2010);
			assert_int_equal(rec.drop.caplen, 40);
			assert_int_equal(rec.drop.data[39], 0xaa);
			assert_int_equal(rec.drop.dport, 9);
			assert_string_equal(rec.drop.ifname, "lo");
			assert_int_equal(rec.drop.seq_no > 0, 1);
			s->drops++;
			break;
		default:
			break;
		}
	}
	assert_int_equal(rc, 0);
	tdf_reader_close(r);
	close(fd);
}

static void test_one_file(void **state)
{
	struct fixture *f = *state;
	struct output_cfg oc = {.pattern = f->pattern};
	struct capture_cfg cc = {.meta = &f->meta, .reasons = &f->reasons, .states = &f->states};
	struct capture_stats st;
	struct capture *c;
	struct fake k;
	struct seen s;

	cc.out = output_open(&oc, 0);
	assert_non_null(cc.out);
	c = capture_new(&cc);
	assert_non_null(c);
	capture_set_ksyms(c, f->ks);
	assert_int_equal(output_start(cc.out, capture_begin_file, c), 0);
	for (int i = 0; i < 3; i++) {
		make_event(&k, (uint16_t)(1000 + i));
		assert_int_equal(feed(c, &k), 0);
	}
	capture_stats(c, &st);
	assert_int_equal(st.drops, 3);
	assert_int_equal(output_close(cc.out), 0);
	capture_free(c);

	read_back(f->pattern, &s);
	assert_int_equal(s.meta, 1);
	assert_int_equal(s.clock, 1);
	assert_int_equal(s.reasons, 1);
	assert_int_equal(s.states, 1);
	assert_int_equal(s.kmods, 1);
	assert_int_equal(s.ksyms, 2);
	assert_int_equal(s.stacks, 1); /* three drops, one stack definition */
	assert_int_equal(s.drops, 3);
	assert_true(s.stack_before_drop);
}

static void test_rotation_repeats_preamble_and_stacks(void **state)
{
	struct fixture *f = *state;
	struct output_cfg oc = {.pattern = f->pattern, .rotate_bytes = 1};
	struct capture_cfg cc = {.meta = &f->meta, .reasons = &f->reasons, .states = &f->states};
	struct capture *c;
	struct fake k;
	struct seen s;
	char path[160];

	cc.out = output_open(&oc, 0);
	assert_non_null(cc.out);
	c = capture_new(&cc);
	assert_non_null(c);
	capture_set_ksyms(c, f->ks);
	assert_int_equal(output_start(cc.out, capture_begin_file, c), 0);
	/* -C of 1 byte: every drop after the first of a file starts a new file */
	for (int i = 0; i < 3; i++) {
		make_event(&k, (uint16_t)(2000 + i));
		assert_int_equal(feed(c, &k), 0);
	}
	assert_int_equal(output_close(cc.out), 0);
	capture_free(c);

	for (int i = 0; i < 3; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%s", f->pattern);
		else
			snprintf(path, sizeof(path), "%s%d", f->pattern, i);
		read_back(path, &s);
		/* each file stands alone: tables, symbols and its stack definition */
		assert_int_equal(s.meta, 1);
		assert_int_equal(s.reasons, 1);
		assert_int_equal(s.ksyms, 2);
		assert_int_equal(s.drops, 1);
		assert_int_equal(s.stacks, 1);
		assert_int_equal(s.stack_ids[0], 1); /* the same id in every file */
		assert_true(s.stack_before_drop);
	}
}

static void test_count_limit(void **state)
{
	struct fixture *f = *state;
	struct output_cfg oc = {.pattern = f->pattern};
	struct capture_cfg cc = {
	    .meta = &f->meta, .reasons = &f->reasons, .states = &f->states, .max_drops = 2};
	struct capture *c;
	struct fake k;

	cc.out = output_open(&oc, 0);
	assert_non_null(cc.out);
	c = capture_new(&cc);
	capture_set_ksyms(c, f->ks);
	assert_int_equal(output_start(cc.out, capture_begin_file, c), 0);
	make_event(&k, 1);
	assert_int_equal(feed(c, &k), 0);
	assert_false(capture_done(c));
	assert_int_equal(feed(c, &k), 0);
	assert_true(capture_done(c));
	assert_int_equal(feed(c, &k), -ECANCELED); /* the third is not written */
	assert_int_equal(output_close(cc.out), 0);
	capture_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_repeats_preamble_and_stacks, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_count_limit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
