#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the unit test binaries given as arguments; print their lines and a
# total "N passed, N failed".  Exit non-zero if any failed.
set -u
passed=0 failed=0
for t in "$@"; do
	out=$("$t") || true
	echo "$out"
	line=$(echo "$out" | tail -n 1)
	p=$(echo "$line" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { echo "$t: no result line" >&2; f=1; p=0; }
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
