#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: unit tests, then integration tests against a real stack: a
# throwaway Ceph cluster, the stock tgtd loading usr/bs_rbd.so, and real
# initiators (libiscsi, qemu), then libiscsi's compliance suite
# (make compliance).  Ends with "N passed, N failed" over all of them.
#
# usage: test/check.sh UNIT_TEST_BINARY...
#   CHECK_ONLY=regex   run only the integration cases matching it
#   CHECK_KEEP=1       leave the cluster and tgtd running afterwards
#   CHECK_MODULE=path  the bs_rbd.so tgtd loads (default usr/bs_rbd.so);
#                      TGTD_EXTRA_ENV/TGTD_WRAPPER reach scripts/tgtd.sh
#   CHECK_SAVE_LOG=file  copy tgtd's log there once tgtd has exited
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
build=$root/build
passed=0
failed=0
skipped=0

count_line()
{
	local p f
	p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$1")
	f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$1")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-1}))
}

echo "== unit tests"
out=$(test/run-unit.sh "$@")
echo "$out"
count_line "$(tail -n 1 <<<"$out")"

# Builds: against the newest tgt release's headers (CHECK_TGT_NEW, a tgt
# release tarball), and in tgt's own tree with `make CEPH_RBD=1 programs`
# (scripts/tgt-intree-build.sh --all) on that release and on the Debian
# source `make` fetched.  Named build_*, filtered by CHECK_ONLY like the
# cases; their logs (build/builds.*/) are kept only if one fails.
echo "== builds"
failed_before=$failed
new_tar=${CHECK_TGT_NEW:-$root/../shared/tgt/tgt-1.0.97.tar.gz}
bdir=$(mkdir -p "$build" && mktemp -d "$build/builds.XXXXXX")
mkdir -p "$bdir/new"
tar -xzf "$new_tar" -C "$bdir/new" >"$bdir/new.log" 2>&1 ||
	echo "    no tgt release tarball at $new_tar (set CHECK_TGT_NEW=)"
new=$(find "$bdir/new" -mindepth 2 -maxdepth 2 -name Makefile -printf '%h')
deb=$(scripts/fetch-tgt-src.sh "$build" 2>"$bdir/deb.log")
new=${new:-$bdir/none} deb=${deb:-$bdir/none}
tgt_version()
{
	sed -n 's/^VERSION[[:space:]]*?*=[[:space:]]*//p' "$1/Makefile" 2>/dev/null
}
refuses()
{
	local out rc=0
	out=$(env -u TGT_VERSION_CHECK "$@" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" -ne 0 ] && grep -q 'set TGT_VERSION_CHECK=0' <<<"$out"
}
run_build()
{
	[ -n "${CHECK_ONLY:-}" ] && ! grep -qE "$CHECK_ONLY" <<<"$1" && return
	if "${@:3}" >"$bdir/$1.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $1 ($2)"
	else
		failed=$((failed + 1))
		echo "FAIL $1 ($2), log: $bdir/$1.log"
		tail -n 5 "$bdir/$1.log" | sed 's/^/    /'
	fi
}
new_make=(make --no-print-directory BUILD="$bdir/oot" SO="$bdir/oot/bs_rbd.so"
	TGT_SRC="$new" "$bdir/oot/bs_rbd.so")
run_build build_new_headers "out of tree, tgt $(tgt_version "$new") headers" \
	"${new_make[@]}" TGT_VERSION_CHECK=0
[ "$(tgt_version "$new")" = "$(/usr/sbin/tgtd --version 2>/dev/null)" ] ||
	run_build build_refuses_other_headers "without TGT_VERSION_CHECK=0" \
		refuses "${new_make[@]}"
run_build build_new_intree "tgt $(tgt_version "$new") tree, CEPH_RBD=1" \
	scripts/tgt-intree-build.sh --all "$new" "$bdir/intree-new"
run_build build_debian_intree \
	"Debian's tgt $(tgt_version "$deb") tree, CEPH_RBD=1" \
	scripts/tgt-intree-build.sh --all "$deb" "$bdir/intree-debian"
[ "$failed" -gt "$failed_before" ] || rm -rf "$bdir"

echo "== integration tests"
work=$(mktemp -d /tmp/bs_rbd-check.XXXXXX)
cleanup()
{
	if [ "${CHECK_KEEP:-0}" = 1 ]; then
		echo "left running: scripts/tgtd.sh stop $work/tgtd;" \
			"scripts/cluster.sh stop $work/ceph"
		return
	fi
	scripts/tgtd.sh stop "$work/tgtd" >/dev/null 2>&1
	[ -n "${CHECK_SAVE_LOG:-}" ] && cp "$work/tgtd/tgtd.log" "$CHECK_SAVE_LOG"
	scripts/cluster.sh stop "$work/ceph" >/dev/null 2>&1
	# a case's own tgtd or cluster, left running if it was interrupted
	for d in "$work"/*/; do
		[ -f "$d/tgtd.env" ] && scripts/tgtd.sh stop "$d" >/dev/null 2>&1
		[ -f "$d/.cluster-sh" ] && scripts/cluster.sh stop "$d" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup()
{
	cc -O2 -Wall -Wextra -Werror -o "$build/scsi_cmd" \
		test/tools/scsi_cmd.c -liscsi || return 1
	scripts/cluster.sh start "$work/ceph" || return 1
	mkdir -p "$work/modules"
	cp "${CHECK_MODULE:-usr/bs_rbd.so}" "$work/modules/bs_rbd.so" || return 1
	scripts/tgtd.sh start "$work/tgtd" "$work/modules" || return 1
	# shellcheck source=/dev/null
	. "$work/ceph/env"
	# shellcheck source=/dev/null
	. "$work/tgtd/tgtd.env"
	export CEPH_CONF CEPH_DIR TGT_CTRL TGT_PORT TGT_PID
	export TGT_LOG=$work/tgtd/tgtd.log SCSI_CMD=$build/scsi_cmd WORK=$work
	export BSOPTS="conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"
}

if ! setup; then
	echo "FAIL: could not set up the test bed"
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
fi

# shellcheck source=test/lib.sh
. test/lib.sh

run_case()
{
	local t0 t1
	case_failed=0
	case_skipped=0
	t0=$(now_ms)
	"$1"
	[ $? -ne 0 ] && case_failed=1
	t1=$(now_ms)
	if ! tgtd_alive; then
		echo "    FAIL: tgtd died"
		case_failed=1
	fi
	if [ "$case_failed" = 0 ] && [ "$case_skipped" = 1 ]; then
		skipped=$((skipped + 1))
		echo "skip $1 ($((t1 - t0)) ms)"
	elif [ "$case_failed" = 0 ]; then
		passed=$((passed + 1))
		echo "ok   $1 ($((t1 - t0)) ms)"
	else
		failed=$((failed + 1))
		echo "FAIL $1 ($((t1 - t0)) ms)"
	fi
}

for f in test/integration/*.sh; do
	before=$(declare -F | awk '{print $3}' | grep '^t_' | sort)
	# shellcheck source=/dev/null
	. "$f"
	cases=$(comm -13 <(echo "$before") \
		<(declare -F | awk '{print $3}' | grep '^t_' | sort))
	# run in the order the file defines them
	for t in $(grep -o '^t_[a-z0-9_]*' "$f"); do
		grep -qx "$t" <<<"$cases" || continue
		[ -n "${CHECK_ONLY:-}" ] && ! grep -qE "$CHECK_ONLY" <<<"$t" && continue
		if ! tgtd_alive; then
			echo "FAIL $t (tgtd is gone)"
			failed=$((failed + 1))
			continue
		fi
		run_case "$t"
	done
done

if [ "$failed" -gt 0 ]; then
	echo "-- last lines of tgtd's log:"
	tail -n 20 "$TGT_LOG" | sed 's/^/   /'
fi

# libiscsi's compliance suite, RBD LUN vs tgt's file store (test/compliance.sh)
if [ -z "${CHECK_ONLY:-}" ]; then
	echo "== compliance (iscsi-test-cu, rbd vs rdwr)"
	# its own cluster and tgtd: none of this test bed's ports or paths
	out=$(env -u CEPH_MON_PORT -u CEPH_CONF -u CEPH_DIR -u TGT_CTRL \
		-u TGT_PORT -u TGT_PID COMPLIANCE_SKIP_GAPS=fail \
		test/compliance.sh 2>&1)
	echo "$out" | tail -n 12
	count_line "$(tail -n 1 <<<"$out")"
fi
# integration cases that could not judge all they check (lib.sh skipped)
[ "$skipped" -gt 0 ] && echo "$skipped integration cases skipped in part (SKIP: above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
