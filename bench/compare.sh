#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Two builds of spillway-bench side by side on a noisy machine:
#
#   bench/compare.sh OLD_BENCH NEW_BENCH [ROUNDS [GROUP...]]
#
# Single runs (--runs 1) alternate between the binaries, the order
# turned every round (old new, new old, ...), so the machine's drift
# falls on both. Per row: the median of each binary's runs, the change
# of the medians, and the median of the paired ratios (each new run
# over the old run beside it). Defaults: 10 rounds of the groups
# "established" and "flood" (spillway-bench --only matches substrings).
# RAW=FILE keeps every run's figure there ("old|new ROW CYCLES").
set -eu

old=${1:?usage: compare.sh OLD_BENCH NEW_BENCH [ROUNDS [GROUP...]]}
new=${2:?usage: compare.sh OLD_BENCH NEW_BENCH [ROUNDS [GROUP...]]}
rounds=${3:-10}
shift 2
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- established flood

out=$(mktemp)
one=$(mktemp)
trap 'rm -f "$out" "$one"' EXIT INT TERM
raw=${RAW:-}

for g in "$@"; do
	i=1
	while [ "$i" -le "$rounds" ]; do
		if [ $((i % 2)) = 1 ]; then o="old new"; else o="new old"; fi
		for which in $o; do
			if [ "$which" = old ]; then b=$old; else b=$new; fi
			if ! "$b" --only "$g" --runs 1 >"$one" 2>&1; then
				echo "compare.sh: $b --only $g failed:" >&2
				tail -5 "$one" >&2
				exit 1
			fi
			awk -v w="$which" -v g="$g" \
			    'NF >= 7 && $4 ~ /^[0-9.]+$/ {
				r = $1; if (r == "floor") r = "floor(" g ")";
				print w, r, $5 }' "$one" >>"$out"
		done
		i=$((i + 1))
	done
done

[ -z "$raw" ] || cp "$out" "$raw"
/usr/bin/python3 - "$out" <<'EOF'
import collections
import statistics as st
import sys

runs = collections.defaultdict(lambda: {"old": [], "new": []})
order = []
for line in open(sys.argv[1]):
    which, row, cyc = line.split()
    if row not in runs:
        order.append(row)
    runs[row][which].append(float(cyc))
print(f"{'row':28s} {'old':>8s} {'new':>8s} {'change':>8s} {'paired':>7s}  runs")
for row in order:
    a, b = runs[row]["old"], runs[row]["new"]
    n = min(len(a), len(b))
    if n == 0:
        continue
    ma, mb = st.median(a), st.median(b)
    paired = st.median(b[i] / a[i] for i in range(n))
    print(f"{row:28s} {ma:8.1f} {mb:8.1f} {(mb / ma - 1) * 100:+7.1f}% "
          f"{paired:7.3f}  {n}")
EOF
