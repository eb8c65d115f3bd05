# SPDX-License-Identifier: BSD-2-Clause
# bench/decode.awk: the decode-speed and startup tables of bench/run.sh from its raw
# measurements (label input drops secs rss_kb status; tab-separated), with -v startup=FILE
# (tool, seconds), -v synth_bytes=N and -v dec_caused=N.

{
	n++
	label[n] = $1; input[n] = $2; drops[n] = $3; secs[n] = $4; rss[n] = $5; status[n] = $6
	if ($6 == "ok" && $4 > 0) {
		rate[n] = $3 / $4
		if ($1 == "perf script" && $2 == "recorded")
			perfscript = rate[n]
	}
	if ($2 == "synthetic" && $6 == "ok")
		synth_drops = $3
}
END {
	print "### Decoding: drops per second and peak RSS"
	print ""
	if (dec_caused != "-")
		printf "\"recorded\": one flood of %d drops (plus any other work's drops meanwhile) captured by tcpdrop-record and perf at the same time.", dec_caused
	if (synth_drops != "")
		printf " \"synthetic\": %d realistic drops (varied addresses, ports, sequence numbers, 8 stack shapes, 60k-symbol kallsyms) written with the format library by bench/gen, %.1f bytes/drop.", synth_drops, synth_bytes / synth_drops
	print ""
	print ""
	print "| decoder | input | drops | drops/s | vs perf script | peak RSS MiB | target / met? |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		if (status[i] != "ok") {
			printf "| %s | %s | %s | %s |||| \n", label[i], input[i], drops[i], status[i]
			continue
		}
		tgt = "-"
		streaming = label[i] ~ /table|json/
		if (input[i] == "recorded" && streaming && label[i] ~ /tcpdrop/ && perfscript > 0)
			tgt = sprintf(">= 25x perf script: %s", (rate[i] >= 25 * perfscript) ? "met" : "missed")
		if (input[i] == "synthetic" && streaming)
			tgt = sprintf("< 32 MiB RSS%s: %s", (drops[i] >= 10000000) ? " on 10M drops" : sprintf(" (here on %d drops; the target is on 10M: full mode)", drops[i]), (rss[i] / 1024 < 32) ? "met" : "missed")
		printf "| %s | %s | %d | %.0f | %s | %.1f | %s |\n", label[i], input[i], drops[i], rate[i],
			(perfscript > 0) ? sprintf("%.1fx", rate[i] / perfscript) : "-", rss[i] / 1024, tgt
	}
	if (summary != "") {
		for (i = 1; i <= n; i++) {
			if (!(i in rate) || label[i] != "tcpdrop-report --format=json")
				continue
			printf "json_%s_rate\t%.0f\njson_%s_drops\t%s\njson_%s_x\t%s\n", input[i], rate[i], input[i], drops[i],
				input[i], (perfscript > 0) ? sprintf("%.1f", rate[i] / perfscript) : "-" > summary
		}
		printf "perfscript_rate\t%s\n", (perfscript > 0) ? sprintf("%.0f", perfscript) : "-" > summary
		close(summary)
	}
	while (startup != "" && (getline line < startup) > 0) {
		split(line, f, "\t")
		st[f[1]] = st[f[1]] " " f[2]
	}
	print ""
	print "### Startup: launch to first drop captured (slow flood of 2000 SYN/s running)"
	print ""
	print "| tool | seconds (median) | target / met? |"
	print "|---|---|---|"
	if ("rec" in st)
		printf "| tcpdrop-record -c 1 | %.2f | attached in under 1 s: see the attach column above |\n", median(st["rec"])
	else
		print "| tcpdrop-record -c 1 | not built | |"
	if ("bt" in st)
		printf "| bpftrace bench/tcpdrop.bt (exit after the first drop) | %.2f | - |\n", median(st["bt"])
}
