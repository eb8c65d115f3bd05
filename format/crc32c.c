/* SPDX-License-Identifier: BSD-2-Clause */
/* crc32c: the Castagnoli CRC that guards every block header and payload, plus small helpers. */
#include <pthread.h>
#include <string.h>

#include "tdf.h"

/* Reflected form of the Castagnoli polynomial 0x1EDC6F41. */
#define CRC32C_POLY_REFLECTED 0x82F63B78u

static uint32_t crc_table[256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY_REFLECTED : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t tdf_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_table_once, crc_table_build);
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
	return ~crc;
}

const char *tdf_reason_short(const char *name)
{
	static const char prefix[] = "SKB_DROP_REASON_";

	if (name && strncmp(name, prefix, sizeof(prefix) - 1) == 0)
		return name + sizeof(prefix) - 1;
	return name;
}
