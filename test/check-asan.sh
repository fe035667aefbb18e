#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-asan: the integration cases of test/check.sh with MODULE, an
# ASan + UBSan build of bs_rbd.so, loaded by the stock (uninstrumented)
# tgtd.  libasan must come first in the process, so it is preloaded, and
# libstdc++ with it: tgtd is C, and without it ASan cannot hook the
# __cxa_throw of librados' exceptions.
#
# ASan's reports go to LOGDIR/asan.PID and do not stop tgtd (the module
# is built with -fsanitize-recover=address); UBSan's (which continue by
# default) end up in tgtd's log whatever log_path says, as libubsan's
# report path setter is answered by the preloaded libasan's: that log is kept as
# LOGDIR/tgtd.log.  The run fails if a case fails or if any report has a
# frame in bs_rbd; reports without one (tgt's own code, librados) are
# listed, not judged.
#
# usage: test/check-asan.sh MODULE LOGDIR UNIT_TEST_BINARY...
#   CHECK_ONLY=regex   as for check.sh (default: every integration case;
#                      the compliance suite runs its own tgtd and is skipped)
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
module=$(realpath "$1")
logdir=$(realpath -m "$2")
shift 2

libasan=$(${CC:-cc} -print-file-name=libasan.so)
libstdcxx=$(${CC:-cc} -print-file-name=libstdc++.so.6)
for f in "$module" "$libasan" "$libstdcxx"; do
	[ -f "$f" ] || { echo "check-asan: $f not found" >&2; exit 1; }
done
rm -rf "$logdir"
mkdir -p "$logdir" || exit 1

# quarantine_size_mb=0: freed memory is reused at once, or the cases that
# watch tgtd's RSS see ASan's quarantine grow; leaks are valgrind's job
# (docs/TESTING.md): tgt's own would drown ours
asan="halt_on_error=0:detect_leaks=0:quarantine_size_mb=0:log_path=$logdir/asan"
ubsan="halt_on_error=0:print_stacktrace=1"
t0=$(date +%s)
CHECK_MODULE=$module CHECK_ONLY=${CHECK_ONLY:-.} CHECK_SAVE_LOG=$logdir/tgtd.log \
	TGTD_EXTRA_ENV="LD_PRELOAD=$libasan:$libstdcxx ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan" \
	TGTD_START_TIMEOUT=30 test/check.sh "$@"
rc=$?
echo "== sanitizer reports ($(($(date +%s) - t0)) s, $logdir)"

# reports FILE: one line per sanitizer report in FILE, its lines joined
# by \x1f.  An ASan report runs to the next one; a UBSan report is its
# "runtime error" line and the stack under it.
reports()
{
	awk '/^==[0-9]+==ERROR: /{ if (r != "") print r; r = ""; on = 2 }
		/: runtime error: /{ if (r != "") print r; r = ""; on = 1 }
		on == 1 && !/: runtime error: / && !/^ +#[0-9]+ / { print r; r = ""; on = 0 }
		on { r = r $0 "\037" }
		END { if (r != "") print r }' "$1"
}

# tgt's byte-order helpers shift a byte promoted to int by 24, undefined
# for bytes >= 0x80.  Ours (usr/bs_rbd_be.h) do not; the reports left come
# from tgt's core (whose stack may run through our nested event loop):
# tgt's code, listed, not judged
tgt_ub='/usr/be_byteshift\.h:[0-9]+:[0-9]+: runtime error: left shift of [0-9]+ by 24 places'

ours=0
others=0
for f in "$logdir"/*; do
	while IFS= read -r r; do
		if grep -qE "$tgt_ub" <<<"${r%%$'\037'*}"; then
			others=$((others + 1))
			echo "-- report in tgt's be_byteshift.h (not ours), $(basename "$f"):"
		elif grep -q 'bs_rbd' <<<"$r"; then
			ours=$((ours + 1))
			echo "-- report with a bs_rbd frame, $(basename "$f"):"
		else
			others=$((others + 1))
			echo "-- report without a bs_rbd frame (not ours), $(basename "$f"):"
		fi
		tr '\037' '\n' <<<"$r" | head -n 40 | sed 's/^/   /'
	done < <(reports "$f")
done
echo "$ours reports with a bs_rbd frame, $others without"
[ "$rc" -eq 0 ] && [ "$ours" -eq 0 ]
