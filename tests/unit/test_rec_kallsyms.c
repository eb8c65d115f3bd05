// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/kallsyms: parsing, KASLR normalisation and lookup from sample text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../record/kallsyms.h"

/* A boot with a KASLR slide: _text at ffffffffa0000000, two modules, data symbols mixed in. */
static const char sample[] = "ffffffffa0000000 T _text\n"
			     "ffffffffa0000000 T startup_64\n"
			     "ffffffffa0001000 t helper_local\n"
			     "ffffffffa0002000 D some_data\n"
			     "ffffffffa0003000 T tcp_v4_rcv\n"
			     "ffffffffa0003400 W weak_text_not_kept\n"
			     "ffffffffa0010000 T _etext\n"
			     "ffffffffa0020000 d after_etext_data\n"
			     "ffffffffc0100500 t nf_hook_slow_mod\t[nf_tables]\n"
			     "ffffffffc0100000 t nft_do_chain\t[nf_tables]\n"
			     "ffffffffc0100000 d nft_data\t[nf_tables]\n"
			     "ffffffffc0200000 t veth_xmit\t[veth]\n"
			     "ffffffffc0300010 t bpf_prog_abc_kfree_skb_btf\t[bpf]\n"
			     "garbage line without fields\n"
			     "ffffffffc0400000 t last_no_newline\t[veth]";

static struct ksyms *load(void)
{
	struct ksyms *ks = ksyms_parse(sample, strlen(sample));

	assert_non_null(ks);
	return ks;
}

static uint32_t mod_id(const struct ksyms *ks, const char *name)
{
	for (uint32_t i = 1; i <= ksyms_mod_count(ks); i++)
		if (!strcmp(ksyms_mod_name(ks, i), name))
			return i;
	fail_msg("module %s not found", name);
	return 0;
}

static void test_vmlinux_offsets(void **state)
{
	struct ksyms *ks = load();
	struct tdf_ksyms v;

	(void)state;
	assert_int_equal(ksyms_symbols(ks, TDF_MOD_VMLINUX, &v), 0);
	/* _text, startup_64, helper_local, tcp_v4_rcv, _etext: t/T only, sorted by offset */
	assert_int_equal(v.count, 5);
	assert_int_equal(v.syms[0].off, 0);
	assert_int_equal(v.syms[2].off, 0x1000);
	assert_string_equal(v.syms[2].name, "helper_local");
	assert_int_equal(v.syms[3].off, 0x3000);
	assert_string_equal(v.syms[3].name, "tcp_v4_rcv");
	ksyms_free(ks);
}

static void test_module_offsets(void **state)
{
	struct ksyms *ks = load();
	struct tdf_ksyms m;
	uint32_t nft = mod_id(ks, "nf_tables"), veth = mod_id(ks, "veth");

	(void)state;
	assert_int_equal(ksyms_mod_count(ks), 3);
	assert_int_equal(ksyms_symbols(ks, nft, &m), 0);
	assert_int_equal(m.count, 2); /* the data symbol is not kept */
	/* offsets from the module's lowest text symbol, sorted though the input was not */
	assert_string_equal(m.syms[0].name, "nft_do_chain");
	assert_int_equal(m.syms[0].off, 0);
	assert_int_equal(m.syms[1].off, 0x500);
	assert_int_equal(ksyms_symbols(ks, veth, &m), 0);
	assert_int_equal(m.count, 2);
	assert_int_equal(m.syms[1].off, 0x200000);
	assert_string_equal(m.syms[1].name, "last_no_newline");
	assert_int_equal(ksyms_symbols(ks, 99, &m), -ENOENT);
	ksyms_free(ks);
}

static void test_normalise(void **state)
{
	struct ksyms *ks = load();
	struct tdf_kaddr a;

	(void)state;
	a = ksyms_normalise(ks, 0xffffffffa0003123ull); /* inside tcp_v4_rcv */
	assert_int_equal(a.mod, TDF_MOD_VMLINUX);
	assert_int_equal(a.off, 0x3123);
	a = ksyms_normalise(ks, 0xffffffffa0000000ull); /* exact fit on _text */
	assert_int_equal(a.mod, TDF_MOD_VMLINUX);
	assert_int_equal(a.off, 0);
	a = ksyms_normalise(ks, 0xffffffffc0100510ull);
	assert_int_equal(a.mod, mod_id(ks, "nf_tables"));
	assert_int_equal(a.off, 0x510);
	a = ksyms_normalise(ks, 0xffffffffc0300020ull);
	assert_int_equal(a.mod, mod_id(ks, "bpf"));
	assert_int_equal(a.off, 0x10);
	ksyms_free(ks);
}

static void test_normalise_unknown(void **state)
{
	struct ksyms *ks = load();
	struct tdf_kaddr a;

	(void)state;
	a = ksyms_normalise(ks, 0xffffffff9fffffffull); /* one byte below _text */
	assert_int_equal(a.mod, TDF_MOD_UNKNOWN);
	assert_int_equal(a.off, 0);			/* the raw address is never kept */
	a = ksyms_normalise(ks, 0xffffffffa0010000ull); /* at _etext: outside vmlinux text */
	assert_int_equal(a.mod, TDF_MOD_UNKNOWN);
	a = ksyms_normalise(ks, 0xffffffffc0400000ull + (2u << 20)); /* far past the last symbol */
	assert_int_equal(a.mod, TDF_MOD_UNKNOWN);
	a = ksyms_normalise(ks, 0);
	assert_int_equal(a.mod, TDF_MOD_UNKNOWN);
	assert_int_equal(ksyms_normalise(NULL, 0xffffffffa0003000ull).mod, TDF_MOD_UNKNOWN);
	ksyms_free(ks);
}

static void test_hidden_addresses(void **state)
{
	/* what an unprivileged reader sees with kptr_restrict: all zeros */
	static const char hidden[] = "0000000000000000 T _text\n"
				     "0000000000000000 T tcp_v4_rcv\n";

	(void)state;
	errno = 0;
	assert_null(ksyms_parse(hidden, strlen(hidden)));
	assert_int_equal(errno, EPERM);
}

static void test_no_text(void **state)
{
	static const char notext[] = "ffffffffa0003000 T tcp_v4_rcv\n";

	(void)state;
	errno = 0;
	assert_null(ksyms_parse(notext, strlen(notext)));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ksyms_parse("", 0)); /* empty input */
	assert_int_equal(errno, EPERM);
}

static void test_bad_lines_skipped(void **state)
{
	/* 17 hex digits, missing type, overlong name: all skipped, the rest kept */
	static char text[1024];
	char longname[300];
	struct ksyms *ks;

	(void)state;
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	snprintf(text, sizeof(text),
		 "ffffffffa0000000 T _text\n"
		 "1ffffffffa0000100 T too_many_digits\n"
		 "ffffffffa0000200\n"
		 "ffffffffa0000300 T %s\n"
		 "ffffffffa0000400 t ok_sym\n",
		 longname);
	ks = ksyms_parse(text, strlen(text));
	assert_non_null(ks);
	assert_int_equal(ksyms_count(ks), 2);
	ksyms_free(ks);
}

static void test_free_null(void **state)
{
	(void)state;
	ksyms_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vmlinux_offsets),   cmocka_unit_test(test_module_offsets),
	    cmocka_unit_test(test_normalise),	      cmocka_unit_test(test_normalise_unknown),
	    cmocka_unit_test(test_hidden_addresses),  cmocka_unit_test(test_no_text),
	    cmocka_unit_test(test_bad_lines_skipped), cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
