# SPDX-License-Identifier: BSD-2-Clause
# bench/table.awk: the recording-cost table of bench/run.sh from its raw measurements
# (cfg rep rate sent caused captured lost cpu_s rss_kb bytes attach_s status; tab-separated),
# with -v stats=FILE (cfg, BPF ns per run) and -v hz=CLK_TCK.

function add(arr, key, val) {
	if (val == "-" || val == "")
		return
	arr[key] = arr[key] " " val
}
function num(x, fmt) {
	return x == "" ? "-" : sprintf(fmt, x)
}

BEGIN {
	order = "none floor rec rec-nostack rec-noowner bt bt-dist bt-dist-btf perf bcc none-max rec-max"
	name["none"] = "no tracer"
	name["floor"] = "floor: empty program on tp_btf/kfree_skb (bench/floor.bpf.c)"
	name["rec"] = "tcpdrop-record (defaults)"
	name["rec-nostack"] = "tcpdrop-record --no-stack"
	name["rec-noowner"] = "tcpdrop-record --no-owner (the socket-owner lookup's cost: compare with defaults)"
	name["bt"] = "bpftrace bench/tcpdrop.bt (every TCP drop, reason, kstack)"
	name["bt-dist"] = "bpftrace tcpdrop.bt (Debian's, as shipped)"
	name["bt-dist-btf"] = "bpftrace tcpdrop.bt (Debian's, BTF branch only)"
	name["perf"] = "perf record -e skb:kfree_skb -g -a -z"
	name["bcc"] = "bcc tcpdrop"
	name["none-max"] = "no tracer, flood on every CPU (fastest flood)"
	name["rec-max"] = "tcpdrop-record (defaults), flood on every CPU"
	while (stats != "" && (getline line < stats) > 0) {
		split(line, f, "\t")
		bpfns[f[1]] = f[2]
	}
}
{
	cfg = $1
	seen[cfg] = 1
	if ($12 != "ok") {
		status[cfg] = $12
		next
	}
	runs++
	if ($14 + 0 > 0)
		disturbed++
	add(rate, cfg, $3)
	add(fcpu, cfg, $13)
	rates[cfg] = rates[cfg] " " $3
	if ($5 + 0 > 0 && $6 != "-")
		add(capr, cfg, $6 / $5)
	if ($7 != "-")
		lostmax[cfg] = (cfg in lostmax && lostmax[cfg] + 0 > $7 + 0) ? lostmax[cfg] : $7
	# CPU and bytes are spent on every drop the tracer saw, other work's included
	tot = ($15 != "" && $15 != "-" && $15 + 0 > 0) ? $15 : $6
	if ($8 != "-") {
		den = (tot != "-" && tot + 0 > 0) ? tot : $5
		if (den + 0 > 0)
			add(cpu, cfg, $8 / den * 1e6)
	}
	if ($10 != "-" && tot + 0 > 0)
		add(bpd, cfg, $10 / tot)
	if ($15 != "" && $15 != "-" && $6 != "-" && cfg != "perf")
		add(other, cfg, $15 - $6)
	add(rss, cfg, $9 / 1024)
	add(att, cfg, $11)
}
function spread(list,    n, v, i, lo, hi) {
	n = split(list, v, " ")
	lo = hi = v[1]
	for (i = 2; i <= n; i++) {
		if (v[i] + 0 < lo + 0) lo = v[i]
		if (v[i] + 0 > hi + 0) hi = v[i]
	}
	return sprintf("%s..%s", lo, hi)
}
END {
	seen["bcc"] = 1
	status["bcc"] = "cannot run here: bcc compiles its C program at start against the kernel headers, and this machine has none (only BTF)"
	n = split(order, cfgs, " ")
	for (i = 1; i <= n; i++) {
		c = cfgs[i]
		r[c] = median(rate[c])
		f[c] = median(fcpu[c])
	}
	for (i = 1; i <= n; i++) {
		c = cfgs[i]
		base = c ~ /-max$/ ? f["none-max"] : f["none"]
		kept[c] = (f[c] != "" && base != "") ? base / f[c] : ""
		cost[c] = (f[c] != "" && base != "") ? f[c] - base : ""
	}
	print "### Recording: cost per drop, completeness, size"
	print ""
	print "| configuration | drops/s (wall) | flood CPU ns/drop | added ns/drop | kept vs no tracer | cost vs floor | captured / caused | lost (counted) | other drops seen | tracer CPU s per M drops | BPF ns/drop | bytes/drop on disk | peak RSS MiB | attach s | target / met? |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		c = cfgs[i]
		if (!(c in seen))
			continue
		if (r[c] == "") {
			printf "| %s | %s |||||||||||||\n", name[c], status[c]
			continue
		}
		tgt = "-"
		if (c == "rec") {
			ok = (cost["bt"] != "" && cost["perf"] != "" && cost[c] < cost["bt"] && cost[c] < cost["perf"])
			b = median(bpd[c])
			tgt = sprintf("cost below bpftrace's and perf's: %s; <= 16 B/drop: %s (%.1f); attached < 1 s: %s",
				ok ? "met" : "missed", (b + 0 <= 16) ? "met" : "missed", b, (median(att[c]) + 0 < 1) ? "met" : "missed")
		} else if (c == "rec-nostack" && cost["floor"] != "") {
			# Read as throughput (the design notes' "share of the no-tracer drop rate kept"):
			# the whole cost per drop, kernel drop path included, against the floor's.
			q = f[c] / f["floor"]
			tgt = sprintf("within 1.5x of the floor: %s on throughput (%.2fx the floor's CPU per drop); the added cost alone is %.0f vs %.0f ns (BPF run time %s vs %s ns)",
				(q <= 1.5) ? "met" : "missed", q, cost[c], cost["floor"], bpfns[c], bpfns["floor"])
		} else if (c == "rec-max") {
			tgt = sprintf("0 lost at the fastest flood: %s", (lostmax[c] + 0 == 0) ? "met" : "missed")
		}
		isbase = (c == "none" || c == "none-max")
		vsfloor = (!isbase && cost["floor"] != "" && cost["floor"] > 0) ? sprintf("%.1fx", cost[c] / cost["floor"]) : "-"
		printf "| %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[c], r[c], f[c],
			isbase ? "-" : num(cost[c], "%.0f"), num(kept[c], "%.3f"), vsfloor,
			num(median(capr[c]), "%.4f"), (c in lostmax) ? lostmax[c] : "-", num(median(other[c]), "%d"),
			num(median(cpu[c]), "%.2f"), (c in bpfns) ? bpfns[c] : "-", num(median(bpd[c]), "%.1f"),
			isbase ? "-" : num(median(rss[c]), "%.1f"), num(median(att[c]), "%.2f"), tgt
	}
	print ""
	printf "No-tracer spread over the repetitions: drops/s %s, flood CPU ns/drop %s. ", spread(rate["none"]), spread(fcpu["none"])
	print ""
	print "How to read it: each SYN is exactly one NO_SOCKET drop (verified against the namespace's Tcp InSegs counter every run). The drop path and every tracer's in-kernel work run in softirq in the flooding process's own context (loopback, one flood thread pinned to CPU 0), so the flood's CPU time per SYN is the cost per drop; it is steadier than the wall-clock rate on a shared machine. \"added ns/drop\" = flood CPU ns/drop minus the no-tracer median; \"kept\" = the share of the no-tracer drop rate the CPU sustains; \"cost vs floor\" = added ns / the floor's added ns. \"BPF ns/drop\" is the program's own run time from kernel.bpf_stats_enabled in a separate pass (the floor's cost beyond it is the trampoline). \"captured / caused\" counts only drops in the bench namespace for tcpdrop-record (--netns in the report) and bpftrace (by address); perf cannot tell them apart, so its count includes any other drop on the machine. \"other drops seen\": TCP drops of other work on the machine that the tracer also handled. \"tracer CPU\" = user+system time of the tracer process from the flood's start to its exit, per million drops it handled; \"bytes/drop\" likewise. \"attach\" = launch until the BPF link (bpftrace: the probe) exists."
	printf "Runs during which a program of other work on this machine was attached to kfree_skb: %d of %d.\n", disturbed, runs
	if (summary != "") {
		# the figures bench/goals.awk judges, one "key<TAB>value" a line
		printf "kept_rec\t%s\nkept_nostack\t%s\nkept_floor\t%s\nkept_max\t%s\n", num(kept["rec"], "%.3f"),
			num(kept["rec-nostack"], "%.3f"), num(kept["floor"], "%.3f"), num(kept["rec-max"], "%.3f") > summary
		printf "kept_rec_spread\t%s\nkept_nostack_spread\t%s\n", kspread("rec", "none"), kspread("rec-nostack", "none") > summary
		printf "lost_rec\t%s\nlost_max\t%s\n", ("rec" in lostmax) ? lostmax["rec"] : "-",
			("rec-max" in lostmax) ? lostmax["rec-max"] : "-" > summary
		printf "bpd_rec\t%s\nbpd_nostack\t%s\nrss_rec\t%s\nrss_nostack\t%s\n", num(median(bpd["rec"]), "%.1f"),
			num(median(bpd["rec-nostack"]), "%.1f"), num(median(rss["rec"]), "%.1f"), num(median(rss["rec-nostack"]), "%.1f") > summary
		printf "ns_rec\t%s\nns_nostack\t%s\nns_floor\t%s\n", ("rec" in bpfns) ? bpfns["rec"] : "-",
			("rec-nostack" in bpfns) ? bpfns["rec-nostack"] : "-", ("floor" in bpfns) ? bpfns["floor"] : "-" > summary
		close(summary)
	}
}
# the spread of "kept" over the repetitions: each repetition's figure against its own no-tracer run
function kspread(c, b,    n, v, m, w, i, lo, hi, k) {
	n = split(fcpu[c], v, " ")
	m = split(fcpu[b], w, " ")
	if (n == 0 || m == 0)
		return "-"
	for (i = 1; i <= n && i <= m; i++) {
		k = w[i] / v[i]
		if (i == 1 || k < lo) lo = k
		if (i == 1 || k > hi) hi = k
	}
	return sprintf("%.2f..%.2f", lo, hi)
}
