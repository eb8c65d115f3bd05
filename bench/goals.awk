# SPDX-License-Identifier: BSD-2-Clause
# bench/goals.awk: issue 15's goals as one table (goal, measured, limit, met?), from the
# key/value summaries of table.awk and decode.awk and the healthy-host runs of bench/run.sh
# (cfg rep bits/s drops-of-the-stream drops-of-other-work; tab-separated), with -v early=FILE (cfg calls ns/call sent drops
# calls/s; a "stream" line: calls, run time ns, seconds) and -v iperf_t=SECS.

function has(k) { return (k in kv) && kv[k] != "" && kv[k] != "-" }
function get(k) { return has(k) ? kv[k] : "-" }
function verdict(ok, k1, k2) {
	if (!has(k1) || (k2 != "" && !has(k2)))
		return "not measured"
	return ok ? "met" : "**missed**"
}
function row(goal, measured, limit, met) {
	printf "| %s | %s | %s | %s |\n", goal, measured, limit, met
}

FILENAME ~ /sum\.(rec|dec)$/ { kv[$1] = $2; next }
# healthy: cfg rep bits/s drops
$3 != "-" && $3 != "" {
	bps[$1, $2] = $3
	if ($1 == "rec" && $4 != "-")
		hdrops = hdrops + $4
	if ($1 == "rec" && $5 != "-")
		hother = hother + $5
	reps[$2] = 1
}
END {
	# goal 5: the stream's loss with the recorder, per interleaved pair, then the median
	np = 0
	for (r in reps)
		if ((("none", r) in bps) && (("rec", r) in bps)) {
			l = 1 - bps["rec", r] / bps["none", r]
			losses = losses " " l
			if (np == 0 || l < lmin) lmin = l
			if (np == 0 || l > lmax) lmax = l
			np++
			gnone = gnone " " bps["none", r]
		}
	if (np) {
		kv["iperf_loss"] = median(losses)
		kv["iperf_gbps"] = median(gnone) / 1e9
	}
	while (early != "" && (getline line < early) > 0) {
		split(line, f, "\t")
		if (f[1] == "stream") {
			# calls, total run time ns, stream seconds
			scalls = f[2]; sns = f[3]; ssecs = f[4]
			continue
		}
		ens[f[1]] = f[3]
		ecalls[f[1]] = f[6]
		edrops[f[1]] = f[5]
	}

	print "### Issue 15 goals"
	print ""
	print "| goal | measured | limit | met? |"
	print "|---|---|---|---|"
	row("1. `--no-stack` keeps of the no-tracer drop rate (flood on CPU 0; spread over the repetitions)",
		get("kept_nostack") " (" get("kept_nostack_spread") ")", ">= 0.90", verdict(kv["kept_nostack"] >= 0.90, "kept_nostack"))
	row("1. probe ns per event, `--no-stack` (bpf_stats run_time_ns / run_cnt of the kfree_skb program)",
		get("ns_nostack") " (defaults " get("ns_rec") ", empty program " get("ns_floor") ")", "<= 300", verdict(kv["ns_nostack"] <= 300, "ns_nostack"))
	row("2. defaults (full stacks) keep (spread)", get("kept_rec") " (" get("kept_rec_spread") ")", ">= 0.46 (bpf_get_stack alone: 0.49)",
		verdict(kv["kept_rec"] >= 0.46, "kept_rec"))
	row("2. lost at the full flood, one CPU / both CPUs", get("lost_rec") " / " get("lost_max"), "0 / 0",
		verdict(kv["lost_rec"] == 0 && kv["lost_max"] == 0, "lost_rec", "lost_max"))
	row("3. bytes per drop on the flood, whole file (defaults; `--no-stack` " get("bpd_nostack") ")", get("bpd_rec"), "<= 13",
		verdict(kv["bpd_rec"] <= 13, "bpd_rec"))
	row(sprintf("4. decode `--format=json` vs `perf script` (%s drops/s), recorded flood of %s drops", get("perfscript_rate"), get("json_recorded_drops")),
		get("json_recorded_x") "x (" get("json_recorded_rate") " drops/s)", ">= 25x", verdict(kv["json_recorded_x"] >= 25, "json_recorded_x"))
	row(sprintf("4. decode `--format=json` vs `perf script`, synthetic file of %s drops", get("json_synthetic_drops")),
		get("json_synthetic_x") "x (" get("json_synthetic_rate") " drops/s)", ">= 25x", verdict(kv["json_synthetic_x"] >= 25, "json_synthetic_x"))
	if (has("iperf_loss"))
		m5 = sprintf("%.2f%% (%d pairs, %.2f%%..%.2f%%; %.2f Gbit/s without; %d drops of the stream recorded, %d of other work)", kv["iperf_loss"] * 100, np, lmin * 100, lmax * 100, kv["iperf_gbps"], hdrops, hother)
	else
		m5 = "-"
	row(sprintf("5. iperf3 TCP stream over veth (%s s each, interleaved pairs), throughput lost with the recorder (median of the pairs)", iperf_t), m5, "<= 1%",
		verdict(kv["iperf_loss"] <= 0.01, "iperf_loss"))
	if (ssecs != "")
		row("5. the probe's own time during one stream (bpf_stats): calls, total, share of one CPU",
			sprintf("%d calls, %.0f us, %.4f%%", scalls, sns / 1000, sns / (ssecs * 1e9) * 100), "-", "-")
	m5b = "-"
	if ("rec" in ens)
		m5b = sprintf("%s ns defaults, %s ns `--no-stack`, %s ns empty program (%s calls/s; %s drops recorded)", ens["rec"],
			("rec-nostack" in ens) ? ens["rec-nostack"] : "-", ("floor" in ens) ? ens["floor"] : "-", ecalls["rec"], edrops["rec"])
	row("5. probe early exit per kfree_skb call, NOT_SPECIFIED UDP broadcast frees (bpf_stats)", m5b, "measured", "-")
	row("6. recorder peak RSS, default flags (MiB; `--no-stack` " get("rss_nostack") ")", get("rss_rec"), "<= 24",
		verdict(kv["rss_rec"] <= 24, "rss_rec"))
	print ""
	print "Every ratio is measured in this run against a baseline of the same run (no tracer, or `perf script` on the same drops), configurations interleaved."
}
