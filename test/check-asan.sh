#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-asan: the integration cases of test/check.sh and the
# compliance suite (test/compliance.sh) with MODULE, an ASan + UBSan build
# of bs_rbd.so, loaded by the stock (uninstrumented) tgtd.  libasan must
# come first in the process, so it is preloaded, and libstdc++ with it:
# tgtd is C, and without it ASan cannot hook the __cxa_throw of librados'
# exceptions.
#
# ASan's reports go to LOGDIR/asan.PID and do not stop tgtd (the module
# is built with -fsanitize-recover=address); UBSan's (which continue by
# default) end up in tgtd's log whatever log_path says, as libubsan's
# report path setter is answered by the preloaded libasan's: that log is kept as
# LOGDIR/tgtd.log (LOGDIR/compliance-tgtd.log for the compliance suite's
# tgtd).  The run fails if a case fails or if any report has a
# frame in bs_rbd; reports without one (tgt's own code, librados) are
# listed, not judged.
#
# usage: test/check-asan.sh MODULE LOGDIR UNIT_TEST_BINARY...
#   CHECK_ONLY=regex   as for check.sh: only the matching integration
#                      cases, and no compliance suite
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
export TGTD_EXTRA_ENV="LD_PRELOAD=$libasan:$libstdcxx ASAN_OPTIONS=$asan UBSAN_OPTIONS=$ubsan"
export TGTD_START_TIMEOUT=30
# check.sh runs the compliance suite only without CHECK_ONLY, and with the
# module it builds from usr/: it runs below, with MODULE
CHECK_MODULE=$module CHECK_ONLY=${CHECK_ONLY:-.} CHECK_SAVE_LOG=$logdir/tgtd.log \
	test/check.sh "$@" | tee "$logdir/check.out"
rc=${PIPESTATUS[0]}
line=$(tail -n 1 "$logdir/check.out")
passed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$line")
failed=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$line")
passed=${passed:-0} failed=${failed:-1}

# the compliance suite, its own cluster and tgtd, the same LD_PRELOAD
if [ -z "${CHECK_ONLY:-}" ]; then
	echo "== compliance (iscsi-test-cu, rbd vs rdwr, ASan module)"
	out=$(env -u CEPH_MON_PORT -u CEPH_CONF -u CEPH_DIR -u TGT_CTRL \
		-u TGT_PORT -u TGT_PID COMPLIANCE_SKIP_GAPS=fail \
		COMPLIANCE_MODULE="$module" \
		COMPLIANCE_SAVE_LOG="$logdir/compliance-tgtd.log" \
		test/compliance.sh 2>&1)
	crc=$?
	echo "$out" >"$logdir/compliance.out"
	echo "$out" | tail -n 12
	line=$(tail -n 1 <<<"$out")
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$line")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$line")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
	[ "$crc" -eq 0 ] || rc=1
	echo "$passed passed, $failed failed (integration and compliance)"
fi
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
	# (the outputs of check.sh and compliance.sh quote tgtd's log)
	case $f in *.out) continue ;; esac
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
