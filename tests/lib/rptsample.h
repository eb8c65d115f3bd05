/* SPDX-License-Identifier: BSD-2-Clause */
/* rptsample: deterministic sample recordings for the report's tests (golden outputs, filters). */
#ifndef TCPDROP_RPTSAMPLE_H
#define TCPDROP_RPTSAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Host "alpha" (x86_64, kernel 6.18.0-sample), recording started 2024-05-01 12:00:00 UTC.
 * Drops, in order (seconds after the start):
 *   1  1.000000001  v4 10.0.0.1:40000 > 10.0.0.2:80 SYN, no socket, NO_SOCKET, lo, stack 1
 *   2  1.500000000  v6 [fd00::1]:40001 > [fd00::2]:443 SYN, no socket, NO_SOCKET, stack 2
 *   3  2.200000000  v4 10.0.0.3:5555 > 10.0.0.2:22 PSH|ACK, ESTABLISHED, TCP_CSUM, eth0, pid 4242
 * sshd
 *   -  2.5 .. 3.0   7 drops lost (ring buffer), 3 NOT_SPECIFIED excluded
 *   4  3.100000000  v4 10.0.0.1:40002 > 10.0.0.2:80 SYN, NETFILTER_DROP, hostile comm and
 *                   ifname (escape, quote, comma, newline, invalid UTF-8), stack 3 (module)
 *   5 65.000000000  v4 10.0.0.4:80 > 10.0.0.2:33000 RST|ACK, LISTEN, reason 999 (not in the
 *                   table), no stack (location only)
 *   6 66.250000000  v6 [fd00::3]:50000 > [fd00::2]:80 FIN|ACK, CLOSE, TCP_CSUM, stack 1
 * Its kallsyms snapshot names symbols this machine does not have (tcpdrop_sample_*), so a
 * correct symbolization can only come from the file.
 */
uint8_t *rptsample_alpha(bool clean_close, size_t *len);

/*
 * Host "beta", a second machine, same wall-clock minute: its clock anchor differs, its
 * symbol offsets differ (the same stack id names other functions). Drops at 1.25 s
 * (v4 192.168.1.1:1000 > 192.168.1.2:80 SYN NO_SOCKET) and 3.0 s (TCP_CSUM, ESTABLISHED).
 */
uint8_t *rptsample_beta(size_t *len);

/* Number of drops in each sample. */
#define RPTSAMPLE_ALPHA_DROPS 6
#define RPTSAMPLE_BETA_DROPS  2

/* The wall-clock start of both samples, ns since the epoch (2024-05-01T12:00:00Z). */
#define RPTSAMPLE_START_NS UINT64_C(1714564800000000000)

#endif /* TCPDROP_RPTSAMPLE_H */
