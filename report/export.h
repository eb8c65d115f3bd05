/* SPDX-License-Identifier: BSD-2-Clause */
/* export: the pcapng sink of the report: one packet per drop, its reason in the packet comment. */
#ifndef TCPDROP_RPT_EXPORT_H
#define TCPDROP_RPT_EXPORT_H

#include <stdio.h>

#include "rpt.h"

/*
 * A sink that writes the drops it is given as one pcapng section to out (never closed by the
 * sink; "-w -" is the caller's stdout). rpt_sink_close() frees the sink and its state. The
 * options are copied; o may be NULL. Of struct rpt_view_opts only no_stack (no stack frames
 * in the packet comments) and flush (fflush after every packet, for `| wireshark -k -i -`)
 * apply: timestamps are always nanoseconds since the epoch.
 *
 * What lands where (Wireshark 4.0 shows all of it):
 *   SHB   shb_os = the recording kernel's release and version, shb_hardware = its arch,
 *         shb_userappl = "tcpdrop-report <version>", a comment with the host name(s), the
 *         recording's start (and end, when the files were closed cleanly) and how to read it.
 *   IDB   one per (host, netns, ifindex), created when first seen: if_name = the interface
 *         name, if_description = netns, ifindex (and host), if_tsresol = 9. All share one
 *         link type and snaplen: the largest snaplen the files' metadata declares.
 *   EPB   one per drop: wall-clock ns, captured bytes from the IP header, original length =
 *         skb->len, opt_comment "TCP drop: <REASON>" then state, flags, flow, pid/comm, CPU,
 *         location, interface and the stack without the tracing machinery's own frames;
 *         epb_flags direction when known, epb_packetid = the drop's sequence number,
 *         epb_dropcount = ring-buffer losses since the previous exported drop of that file.
 *   ISB   at the end, one per interface: isb_starttime/isb_endtime = the recording's span,
 *         isb_osdrop = the losses charged to it.
 * A lost drop was never seen, so its interface is unknown: each loss is charged to the next
 * drop the same file exports (or, after the last one, to that file's last interface). The
 * per-interface numbers are therefore approximate; their sum is exact.
 *
 * The link type is PCAPNG_LINKTYPE_DLT_RAW (12), not 101: see report/pcapng.h for the
 * libpcap behaviour that makes files with several LINKTYPE_RAW interfaces unreadable there.
 *
 * Returns NULL and sets errno on allocation failure. Sink ops return -EIO (or the write's
 * -errno) when out fails.
 */
struct rpt_sink *rpt_export_open(FILE *out, const struct rpt_view_opts *o);

#endif /* TCPDROP_RPT_EXPORT_H */
