/* SPDX-License-Identifier: BSD-2-Clause */
/* inetsum: the Internet checksum (RFC 1071) for the test tools that build packets. */
#include "inetsum.h"

uint32_t inet_sum16(uint32_t acc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

uint16_t inet_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}
