# SPDX-License-Identifier: BSD-2-Clause
# bench/median.awk: median() of a space-separated list of numbers ("" for an empty list), the
# one copy table.awk, decode.awk and goals.awk share (bench/run.sh passes it with -f first).

function median(list,    n, v, i, j, t) {
	n = split(list, v, " ")
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return v[int((n + 1) / 2)]
}
