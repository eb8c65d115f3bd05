/* SPDX-License-Identifier: BSD-2-Clause */
/* inetsum: the Internet checksum (RFC 1071) for the test tools that build packets. */
#ifndef TCPDROP_TESTS_INETSUM_H
#define TCPDROP_TESTS_INETSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add buf's 16-bit big-endian words (an odd last byte padded with zero) to acc. */
uint32_t inet_sum16(uint32_t acc, const void *buf, size_t len);

/* Fold the carries of acc and return the one's complement: the checksum field's value. */
uint16_t inet_fold(uint32_t acc);

#endif
