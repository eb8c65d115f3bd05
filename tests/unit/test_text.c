// SPDX-License-Identifier: BSD-2-Clause
/* test_text: escaping of hostile strings and the formatting of flags, addresses and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "../../report/rpt.h"

static const char *esc(const char *s, size_t maxlen)
{
	static char buf[256];

	rpt_text_escape(buf, sizeof(buf), s, maxlen);
	return buf;
}

static const char *json(const char *s, size_t maxlen)
{
	static char *buf;
	size_t len;
	FILE *m;

	free(buf);
	buf = NULL;
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	assert_int_equal(rpt_fput_json(m, s, maxlen), 0);
	fclose(m);
	return buf;
}

static void test_escape_text(void **state)
{
	(void)state;
	assert_string_equal(esc("plain", 16), "plain");
	assert_string_equal(esc("a\x1b[2Jb", 16), "a\\x1b[2Jb");
	assert_string_equal(esc("tab\there\n", 16), "tab\\x09here\\x0a");
	assert_string_equal(esc("back\\slash", 16), "back\\\\slash");
	assert_string_equal(esc("del\x7f", 16), "del\\x7f");
	/* Valid UTF-8 passes; invalid, overlong, surrogates and C1 controls are escaped. */
	assert_string_equal(esc("caf\xc3\xa9", 16), "caf\xc3\xa9");
	assert_string_equal(esc("\xe2\x82\xac", 16), "\xe2\x82\xac");
	assert_string_equal(esc("\xff\xfe", 16), "\\xff\\xfe");
	assert_string_equal(esc("\xc0\xaf", 16), "\\xc0\\xaf");		 /* overlong '/' */
	assert_string_equal(esc("\xed\xa0\x80", 16), "\\xed\\xa0\\x80"); /* surrogate */
	assert_string_equal(esc("\xc2\x9b", 16), "\\xc2\\x9b");		 /* C1 CSI */
	assert_string_equal(esc("\xe2\x82", 16), "\\xe2\\x82");		 /* cut sequence */
	/* maxlen bounds a field without a NUL (comm is 16 bytes, not terminated). */
	assert_string_equal(esc("0123456789abcdefXYZ", 16), "0123456789abcdef");
	assert_string_equal(esc("\xc3\xa9", 1), "\\xc3");
}

static void test_escape_truncates_safely(void **state)
{
	char small[6];

	(void)state;
	assert_int_equal(rpt_text_escape(small, sizeof(small), "\x01\x02", 16), 8);
	assert_string_equal(small, "\\x01\\");
	assert_int_equal(rpt_text_escape(small, 0, "abc", 16), 3);
}

static void test_json_string(void **state)
{
	(void)state;
	assert_string_equal(json("curl", 16), "\"curl\"");
	assert_string_equal(json("a\"b\\c", 16), "\"a\\\"b\\\\c\"");
	assert_string_equal(json("\x1b\n\x7f", 16), "\"\\u001b\\u000a\\u007f\"");
	assert_string_equal(json("\xff", 16), "\"\\u00ff\"");
	assert_string_equal(json("caf\xc3\xa9", 16), "\"caf\xc3\xa9\"");
	assert_string_equal(json("", 16), "\"\"");
}

static void test_flags(void **state)
{
	char buf[40];

	(void)state;
	assert_string_equal(rpt_fmt_flags(0, buf, sizeof(buf)), "");
	assert_string_equal(rpt_fmt_flags(TDF_TCP_SYN | TDF_TCP_ACK, buf, sizeof(buf)), "SYN|ACK");
	assert_string_equal(rpt_fmt_flags(0xff, buf, sizeof(buf)),
			    "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR");
	assert_string_equal(rpt_fmt_flags(TDF_TCP_CWR | TDF_TCP_FIN, buf, sizeof(buf)), "FIN|CWR");
}

static void test_addresses(void **state)
{
	uint8_t v4[16] = {10, 0, 0, 1};
	uint8_t v6[16] = {0xfd, 0, [15] = 1};
	char buf[64];

	(void)state;
	assert_string_equal(rpt_fmt_endpoint(4, v4, 80, buf, sizeof(buf)), "10.0.0.1:80");
	assert_string_equal(rpt_fmt_endpoint(6, v6, 443, buf, sizeof(buf)), "[fd00::1]:443");
	assert_string_equal(rpt_fmt_addr(6, v6, buf, sizeof(buf)), "fd00::1");
	assert_string_equal(rpt_fmt_addr(9, v6, buf, sizeof(buf)), "?");
}

/* The hand-written IPv4/IPv6 text is glibc inet_ntop's, byte for byte. */
static void test_addresses_match_inet_ntop(void **state)
{
	static const uint8_t fixed[][16] = {
	    {0},
	    {[15] = 1},
	    {0x20, 0x01, 0x0d, 0xb8},
	    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
	    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, /* tie: first run */
	    {0x20, 0x01, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},	  /* no zero group */
	    {0x20, 0x01, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},	  /* one: not "::" */
	    {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1}, /* mapped */
	    {[12] = 192, [13] = 0, [14] = 2, [15] = 1},				  /* compatible */
	    {[0] = 0xfe, [1] = 0x80, [15] = 0x0a},
	    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	     0xff, 0xff},
	    {[14] = 0, [15] = 0, [0] = 1}, /* 100:: */
	};
	uint8_t a[16];
	char got[64], want[64];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		assert_non_null(inet_ntop(AF_INET6, fixed[i], want, sizeof(want)));
		assert_string_equal(rpt_fmt_addr(6, fixed[i], got, sizeof(got)), want);
	}
	/* random addresses, many zero groups so every run length and position occurs */
	for (int n = 0; n < 200000; n++) {
		for (int k = 0; k < 16; k += 2) {
			x = x * 1103515245u + 12345u;
			if ((x >> 16) % 3 == 0) {
				a[k] = a[k + 1] = 0;
			} else {
				a[k] = (uint8_t)(x >> 8);
				a[k + 1] = (uint8_t)(x >> 24 & ((x >> 20) & 1 ? 0xff : 0x0f));
			}
		}
		if (n % 7 == 0) { /* now and then IPv4-mapped or -compatible */
			memset(a, 0, 10);
			a[10] = a[11] = n % 14 ? 0xff : 0;
		}
		assert_non_null(inet_ntop(AF_INET6, a, want, sizeof(want)));
		assert_string_equal(rpt_fmt_addr(6, a, got, sizeof(got)), want);
		assert_non_null(inet_ntop(AF_INET, a + 12, want, sizeof(want)));
		memcpy(a, a + 12, 4);
		assert_string_equal(rpt_fmt_addr(4, a, got, sizeof(got)), want);
	}
}

static void test_times(void **state)
{
	const uint64_t t = UINT64_C(1714564801000000001); /* 2024-05-01T12:00:01.000000001Z */
	struct rpt_view_opts o = {.utc = true};
	char buf[64];

	(void)state;
	assert_string_equal(rpt_fmt_iso_utc(t, buf, sizeof(buf)), "2024-05-01T12:00:01.000000001Z");
	assert_string_equal(rpt_fmt_time(t, 0, &o, buf, sizeof(buf)), "12:00:01");
	o.time_fmt = RPT_TIME_EPOCH;
	assert_string_equal(rpt_fmt_time(t, 0, &o, buf, sizeof(buf)), "1714564801.000000001");
	o.time_fmt = RPT_TIME_RELATIVE;
	assert_string_equal(rpt_fmt_time(t, t - 2500000000u, &o, buf, sizeof(buf)), "2.500000000");
	assert_string_equal(rpt_fmt_time(t, t + 1, &o, buf, sizeof(buf)), "-0.000000001");
	o.time_fmt = RPT_TIME_ISO;
	assert_string_equal(rpt_fmt_time(t, 0, &o, buf, sizeof(buf)),
			    "2024-05-01T12:00:01.000000001Z");
	setenv("TZ", "XST+3", 1); /* three hours west of UTC */
	tzset();
	o.utc = false;
	assert_string_equal(rpt_fmt_time(t, 0, &o, buf, sizeof(buf)),
			    "2024-05-01T09:00:01.000000001-03:00");
	o.time_fmt = RPT_TIME_CLOCK;
	assert_string_equal(rpt_fmt_time(t, 0, &o, buf, sizeof(buf)), "09:00:01");
	setenv("TZ", "UTC", 1);
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_text), cmocka_unit_test(test_escape_truncates_safely),
	    cmocka_unit_test(test_json_string), cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_addresses),	cmocka_unit_test(test_addresses_match_inet_ntop),
	    cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
