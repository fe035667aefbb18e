#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make compliance: libiscsi's SCSI compliance suite (iscsi-test-cu) against
# an RBD LUN (usr/bs_rbd.so) and, in the same tgtd, a LUN on tgt's own file
# backing store (bs_rdwr) with the same size and LU parameters.  A test may
# fail on the RBD LUN only if it is listed in test/compliance-expected.txt
# AND fails the same way on the rdwr LUN (tgt's core or the test, not us).
# The suites where the logical block size matters run again on a pair of
# LUNs made with --blocksize 4096 (rbd4k, rdwr4k); their tests are named
# ALL.Suite.Test@4096 in the verdicts and in the expected list.
# Ends with "N passed, N failed"; non-zero exit on any tgtd crash or hang,
# any unexpected RBD failure, or any expected-list entry that does not hold.
#
# usage: test/compliance.sh
#   COMPLIANCE_SUITES=regex    run only the ALL.* suites matching it (ERE)
#   COMPLIANCE_TIMEOUT=120     seconds per suite run (per LUN)
#   COMPLIANCE_EXPECTED=file   expected-failure list (test/compliance-expected.txt)
#   COMPLIANCE_MODULE=file     bs_rbd.so to load (usr/bs_rbd.so)
#   COMPLIANCE_SKIP_GAPS=fail  also fail on tests skipped on RBD but run on rdwr
#   COMPLIANCE_4K_SUITES=regex the suites also run with 4096-byte blocks
#                              (ERE; default: those that depend on the block
#                              size; "none": no 4096-byte run)
#   COMPLIANCE_KEEP=1          leave the cluster and tgtd running afterwards
#   COMPLIANCE_SAVE_LOG=file   copy tgtd's log there once tgtd has exited
#   TGTD_EXTRA_ENV, TGTD_WRAPPER, TGTD_START_TIMEOUT reach scripts/tgtd.sh
#                              (test/check-asan.sh: the module built with ASan)
# Results (per-test table, raw iscsi-test-cu output, tgtd log) stay in the
# work directory printed at the end; the cluster and the LUN files are removed.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

SUITE_RE=${COMPLIANCE_SUITES:-.}
SUITE_TIMEOUT=${COMPLIANCE_TIMEOUT:-120}
EXPECTED=${COMPLIANCE_EXPECTED:-$root/test/compliance-expected.txt}
MODULE=${COMPLIANCE_MODULE:-$root/usr/bs_rbd.so}
SIZE=1G
# The same LU parameters for both LUNs; see docs/COMPLIANCE.md.
LU_PARAMS=thin_provisioning=1
MAX_RESTARTS=3
IQN=iqn.2026-11.org.bs-rbd.compliance
LUNS="rbd rdwr"
# Block size matters to these: transfer lengths and LBAs, capacity, the
# Block Limits page, residuals; one CDB size per command (the others
# differ only in tgt's CDB decoding), which keeps the 4096-byte run to
# about 30 s.  (Not GetLBAStatus: its 4096-byte case, an image size that
# is no multiple of the block, is an integration case.)
SUITE_4K_RE=${COMPLIANCE_4K_SUITES:-'^ALL\.(CompareAndWrite|Inquiry|ModeSense6|OrWrite|Prefetch10|Read1[06]|ReadCapacity16|Unmap|Verify16|Write10|WriteSame16|WriteVerify16|iSCSIResiduals)$'}
# rdwr4k runs a suite only to explain rbd4k's failures and skips in it
LUNS_4K="rbd4k rdwr4k"

t_start=$(date +%s)
work=$(mktemp -d /tmp/bs_rbd-compliance.XXXXXX) || exit 1
raw=$work/raw
mkdir -p "$raw" "$work/modules"
table=$work/compliance-table.txt
events=$work/events.txt # one line per tgtd crash or hang
: >"$events"

say() { printf '%s\n' "$*"; }

cleanup()
{
	if [ "${COMPLIANCE_KEEP:-0}" = 1 ]; then
		say "left running: scripts/tgtd.sh stop $work/tgtd;" \
			"scripts/cluster.sh stop $work/ceph"
		return
	fi
	scripts/tgtd.sh stop "$work/tgtd" >/dev/null 2>&1
	[ -n "${COMPLIANCE_SAVE_LOG:-}" ] && cp "$work/tgtd/tgtd.log" "$COMPLIANCE_SAVE_LOG"
	scripts/cluster.sh stop "$work/ceph" >/dev/null 2>&1
	# keep the results (table, raw output, tgtd.log), drop the data
	rm -rf "$work/ceph" "$work/modules" "$work"/lun-*.img "$work"/lun4k-*.img
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tgtadm_() { timeout 10 tgtadm -C "$TGT_CTRL" --lld iscsi "$@"; }

url() { echo "iscsi://127.0.0.1:$TGT_PORT/$IQN:$1/1"; }

# tgtd_health: "ok", "crashed" (pid gone) or "hung" (no answer within 5 s)
tgtd_health()
{
	kill -0 "$TGT_PID" 2>/dev/null || { echo crashed; return 1; }
	timeout 5 tgtadm -C "$TGT_CTRL" --lld iscsi --mode system --op show \
		>/dev/null 2>&1 || { echo hung; return 1; }
	echo ok
}

# One target per LUN kind: tid 1 "rbd" on an RBD image, tid 2 "rdwr" on a
# sparse file; same size, same LU parameters; tids 3 "rbd4k" and 4
# "rdwr4k" the same with 4096-byte blocks.  $gen names fresh backing
# data after a tgtd restart (a dead tgtd's RBD lock would stall writes).
make_luns()
{
	local img=rbd/compliance-$gen file=$work/lun-$gen.img
	local img4k=rbd/compliance4k-$gen file4k=$work/lun4k-$gen.img
	rbd -c "$CEPH_CONF" create --size "$SIZE" "$img" &&
		rbd -c "$CEPH_CONF" create --size "$SIZE" "$img4k" || return 1
	truncate -s "$SIZE" "$file" && truncate -s "$SIZE" "$file4k" || return 1
	tgtadm_ --mode target --op new --tid 1 --targetname "$IQN:rbd" &&
		tgtadm_ --mode logicalunit --op new --tid 1 --lun 1 --bstype rbd \
			--backing-store "$img" --bsopts "$BSOPTS" &&
		tgtadm_ --mode target --op new --tid 2 --targetname "$IQN:rdwr" &&
		tgtadm_ --mode logicalunit --op new --tid 2 --lun 1 --bstype rdwr \
			--backing-store "$file" &&
		tgtadm_ --mode target --op new --tid 3 --targetname "$IQN:rbd4k" &&
		tgtadm_ --mode logicalunit --op new --tid 3 --lun 1 --bstype rbd \
			--blocksize 4096 --backing-store "$img4k" --bsopts "$BSOPTS" &&
		tgtadm_ --mode target --op new --tid 4 --targetname "$IQN:rdwr4k" &&
		tgtadm_ --mode logicalunit --op new --tid 4 --lun 1 --bstype rdwr \
			--blocksize 4096 --backing-store "$file4k" || return 1
	for tid in 1 2 3 4; do
		tgtadm_ --mode logicalunit --op update --tid "$tid" --lun 1 \
			--params "$LU_PARAMS" &&
			tgtadm_ --mode target --op bind --tid "$tid" -I ALL || return 1
	done
}

start_tgtd()
{
	log_mark=$(stat -c %s "$work/tgtd/tgtd.log" 2>/dev/null || echo 0)
	scripts/tgtd.sh start "$work/tgtd" "$work/modules" || return 1
	# shellcheck source=/dev/null
	. "$work/tgtd/tgtd.env"
	make_luns
}

setup()
{
	[ -f "$MODULE" ] || { say "no module $MODULE (run make)"; return 1; }
	[ -f "$EXPECTED" ] || { say "no expected-failure list $EXPECTED"; return 1; }
	command -v iscsi-test-cu >/dev/null || { say "iscsi-test-cu missing (libiscsi-bin)"; return 1; }
	cp "$MODULE" "$work/modules/bs_rbd.so" || return 1
	scripts/cluster.sh start "$work/ceph" || return 1
	# shellcheck source=/dev/null
	. "$work/ceph/env"
	BSOPTS="conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"
	gen=0
	start_tgtd
}

if ! setup; then
	say "FAIL: could not set up the test bed"
	show=$(tail -n 20 "$work/tgtd/tgtd.log" 2>/dev/null) && say "$show"
	say "0 passed, 1 failed"
	exit 1
fi

# ---- parse ----------------------------------------------------------------

# parse FILE: one line per test of CUnit's basic output:
#   NAME<TAB>PASS|FAIL|SKIP<TAB>signature<TAB>message
# A test passes or fails ("passed"/"FAILED" right after "...", or at the
# start of a later line); libiscsi marks a skipped test by logging
# "[SKIPPED]" and passing.  The signature (how it failed) is the set of
# "[FAILED]" messages and failed CUnit assertions (file:line - condition);
# the message is what a human wants to see first.
parse()
{
	awk -v OFS='\t' '
	function norm(s) {
		gsub(/\t/, " ", s); sub(/^[ ]+/, "", s); sub(/[ ]+$/, "", s)
		gsub(/iqn\.[^ \/]*:(rbd|rdwr)(4k)?/, "TARGET", s)
		return s
	}
	function add(s) { if (!(s in seen)) { seen[s] = 1; sig = sig (sig == "" ? "" : " | ") s } }
	function finish() {
		if (name == "") return
		if (status == "") {
			st = "FAIL"; add("no result (test did not complete)")
			if (msg == "") msg = "no result (test did not complete)"
		} else if (status == "FAILED") st = "FAIL"
		else st = skip != "" ? "SKIP" : "PASS"
		if (st == "FAIL" && msg == "") msg = first_assert
		if (st == "SKIP") msg = skip
		if (msg == "") msg = "-"
		if (sig == "") sig = "-"
		print name, st, sig, msg
		name = ""
	}
	function body(s) {
		if (status == "") {
			if (match(s, /^(passed|FAILED)/)) { status = substr(s, 1, RLENGTH); return }
			if (index(s, "[SKIPPED]") && skip == "") skip = norm(s)
			if (index(s, "[FAILED]")) { add(norm(s)); if (msg == "") msg = norm(s) }
		} else if (status == "FAILED" && match(s, /^    [0-9]+\. /)) {
			a = norm(substr(s, RLENGTH + 1)); add(a)
			if (first_assert == "") first_assert = a
		}
	}
	/^  Test: / {
		finish()
		rest = substr($0, 9); i = index(rest, " ...")
		name = substr(rest, 1, i - 1); rest = substr(rest, i + 4)
		status = ""; skip = ""; msg = ""; sig = ""; first_assert = ""; delete seen
		body(rest); next
	}
	/^Run Summary:/ { finish(); done = 1 }
	!done && name != "" { body($0) }
	END { finish() }' "$1"
}

# ---- run ------------------------------------------------------------------

iscsi-test-cu --list >"$work/list.txt" 2>/dev/null
suites=$(grep -E '^ALL\.[^.]+$' "$work/list.txt" | grep -E -- "$SUITE_RE")
[ -n "$suites" ] || { say "FAIL: no suite matches '$SUITE_RE'"; say "0 passed, 1 failed"; exit 1; }
nsuites=$(wc -w <<<"$suites")
suites4k=$(grep -E -- "$SUITE_4K_RE" <<<"$suites")
say "== iscsi-test-cu: $nsuites suites x 2 LUNs (rbd: RBD image, rdwr: sparse file)," \
	"$SIZE, $LU_PARAMS, ${SUITE_TIMEOUT}s per suite;" \
	"$(wc -w <<<"$suites4k") of them also with 4096-byte blocks (rbd4k, rdwr4k)"

# counts FILE: "passed/failed/skipped" of a parsed suite run
counts()
{
	awk -F '\t' '{ n[$2]++ } END { printf "%d/%d/%d", n["PASS"], n["FAIL"], n["SKIP"] }' "$1"
}

# run_suite OUT ARGS...: iscsi-test-cu ARGS >OUT, bounded by SUITE_TIMEOUT;
# stopped at once if tgtd dies (libiscsi would retry its login until then).
run_suite()
{
	local out=$1 pid d=5
	shift
	timeout -k 5 "$SUITE_TIMEOUT" iscsi-test-cu "$@" </dev/null >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if ! kill -0 "$TGT_PID" 2>/dev/null; then
			kill "$pid" 2>/dev/null
			break
		fi
		# poll every 5, 10, 20 ... 160 ms, then every 200 ms
		sleep "0.$(printf %03d "$d")"
		d=$((d < 100 ? d * 2 : 200))
	done
	wait "$pid"
}

restarts=0
aborted=
: >"$work/results.tsv"
say "   suite                         rbd pass/fail/skip       rdwr pass/fail/skip" \
	"     (rbd4k, rdwr4k)"
for s in $suites; do
	line=$(printf '%-29s' "$s")
	luns=$LUNS
	grep -qxF -- "$s" <<<"$suites4k" && luns="$LUNS $LUNS_4K"
	for l in $luns; do
		out=$raw/$s.$l.txt
		if [ -n "$aborted" ]; then
			: >"$out"
			continue
		fi
		if [ "$l" = rdwr4k ] &&
			! awk -F '\t' '$2 != "PASS" { f = 1 } END { exit !f }' "$raw/$s.rbd4k.tsv"; then
			: >"$out"
			line=$(printf '%s %-11s %9s   ' "$line" "(all pass)" "")
			continue
		fi
		args=(-d -S -t "$s" "$(url "$l")")
		# MultipathIO needs a second path: a second session to the same LU
		[ "$s" = ALL.MultipathIO ] && args+=("$(url "$l")")
		t0=$(date +%s%N)
		run_suite "$out" "${args[@]}"
		rc=$?
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ "$rc" = 124 ] || [ "$rc" = 137 ] &&
			echo "$s $l: iscsi-test-cu timed out after ${SUITE_TIMEOUT}s" >>"$events"
		parse "$out" >"$raw/$s.$l.tsv"
		sed "s/^/$s.$l\t/" "$raw/$s.$l.tsv" >>"$work/results.tsv"
		health=$(tgtd_health)
		line=$(printf '%s %-11s %6d ms   ' "$line" "$(counts "$raw/$s.$l.tsv")" "$ms")
		[ "$health" = ok ] && continue

		say "   ${line%"${line##*[! ]}"}"
		line=$(printf '%-29s' "")
		echo "$s $l: tgtd $health" >>"$events"
		say "   FAIL: tgtd $health during $s on the $l LUN; its log since it started:"
		tail -c +"$((log_mark + 1))" "$work/tgtd/tgtd.log" | tail -n 20 | sed 's/^/      /'
		if [ "$restarts" -ge "$MAX_RESTARTS" ]; then
			say "   giving up after $restarts restarts; remaining suites not run"
			aborted=1
			continue
		fi
		restarts=$((restarts + 1))
		gen=$((gen + 1))
		scripts/tgtd.sh stop "$work/tgtd" >/dev/null 2>&1
		if ! start_tgtd; then
			say "   could not restart tgtd; remaining suites not run"
			aborted=1
		fi
	done
	line=${line%"${line##*[! ]}"}
	[ -n "$line" ] && say "   $line"
done

# ---- compare --------------------------------------------------------------

# verdicts.tsv: TEST RBD RDWR VERDICT NOTE, for every test of the suites run
# (per iscsi-test-cu --list), in list order, then TEST@4096 for the tests
# of the suites run with 4096-byte blocks (rbd4k against rdwr4k).  Verdicts:
#   pass     passed on RBD
#   skip     skipped on RBD
#   xfail    failed on RBD, listed, and fails the same way on rdwr
#   FAIL     failed on RBD, not listed
#   STALE    listed, but RBD passes/skips or rdwr passes or fails differently
#   SKIPGAP  skipped on RBD but passed on rdwr (a command we lack; counted
#            as failed only with COMPLIANCE_SKIP_GAPS=fail)
grep -E '^ALL\.[^.]+\.' "$work/list.txt" >"$work/tests.txt"
awk -F '\t' -v OFS='\t' -v suites="$suites" -v suites4k="$suites4k" '
	# verdict T ID LA LB: test T, named ID, on LUN LA against LUN LB
	function verdict(t, id, la, lb,    a, b, same, note, v) {
		a = (t, la) in st ? st[t, la] : "NOTRUN"
		b = (t, lb) in st ? st[t, lb] : "NOTRUN"
		same = (a == "FAIL" && b == "FAIL" && sig[t, la] == sig[t, lb])
		note = ""
		if (id in xreason) {
			if (same) { v = "xfail"; note = xreason[id] }
			else if (a == "NOTRUN") { v = "STALE"; note = "listed as expected failure but not run on " la " (tgtd crash or suite timeout)" }
			else if (a == "PASS" || a == "SKIP") { v = "STALE"; note = "listed as expected failure but " (a == "PASS" ? "passes" : "is skipped") " on " la ": remove it from the list" }
			else if (b != "FAIL") { v = "STALE"; note = "listed as expected failure but " lb " " (b == "PASS" ? "passes" : b == "SKIP" ? "skips it" : "did not run it") ": a real " la " failure" }
			else { v = "STALE"; note = "listed as expected failure but " lb " fails differently: " lb ": " sig[t, lb] }
		} else if (a == "PASS") v = "pass"
		else if (a == "SKIP") {
			if (b == "PASS") { v = "SKIPGAP"; note = msg[t, la] }
			else v = "skip"
		} else {
			v = "FAIL"
			if (a == "NOTRUN") note = "not run (tgtd crash or suite timeout)"
			else if (same) note = "fails the same way on " lb ": if tgt core is the cause, list it"
			else if (b == "FAIL") note = lb " fails differently: " sig[t, lb]
			else note = lb " " (b == "PASS" ? "passes" : b == "SKIP" ? "skips it" : "did not run it")
		}
		print id, a, b, v, note
	}
	FILENAME == ARGV[1] {		# expected list
		sub(/\r$/, "")
		if ($0 ~ /^[ \t]*(#|$)/) next
		t = $0; sub(/[ \t].*/, "", t)
		r = $0; sub(/^[^ \t]+[ \t]*/, "", r)
		if (t in xreason) { dup[t] = 1 }
		xreason[t] = r; xorder[++nx] = t
		next
	}
	FILENAME == ARGV[2] {		# results.tsv: SUITE.LUN NAME ST SIG MSG
		k = $1; l = k; sub(/.*\./, "", l); s = k; sub(/\.[^.]*$/, "", s)
		t = s "." $2
		st[t, l] = $3; sig[t, l] = $4; msg[t, l] = $5
		next
	}
	{				# tests.txt (list order)
		t = $0; s = t; sub(/\.[^.]*$/, "", s)
		known[t] = 1
		known[t "@4096"] = 1
		if (s in run) verdict(t, t, "rbd", "rdwr")
		if (s in run4k) later[++nl] = t
	}
	BEGIN {
		n = split(suites, sl, /[ \n]+/); for (i = 1; i <= n; i++) if (sl[i] != "") run[sl[i]] = 1
		n = split(suites4k, sl, /[ \n]+/); for (i = 1; i <= n; i++) if (sl[i] != "") run4k[sl[i]] = 1
	}
	END {
		for (i = 1; i <= nl; i++)
			verdict(later[i], later[i] "@4096", "rbd4k", "rdwr4k")
		for (i = 1; i <= nx; i++) {
			t = xorder[i]
			if (t in done) continue
			done[t] = 1
			if (t in dup) print t, "-", "-", "STALE", "listed more than once"
			if (!(t in known))
				print t, "-", "-", "STALE", "listed as expected failure but iscsi-test-cu has no such test"
			if (xreason[t] == "")
				print t, "-", "-", "STALE", "listed without a reason"
		}
	}' "$EXPECTED" "$work/results.tsv" "$work/tests.txt" >"$work/verdicts.tsv"

# ---- report ---------------------------------------------------------------

# messages of a test on one LUN
msg_of() { awk -F '\t' -v k="$1" -v t="$2" '$1 == k && $2 == t { print $5 }' "$work/results.tsv"; }
sig_of() { awk -F '\t' -v k="$1" -v t="$2" '$1 == k && $2 == t { print $4 }' "$work/results.tsv"; }

# split_test ID: its suite S and test N, and the LUNs LA (rbd) and LB
# (rdwr) it compares; ID ends in @4096 for the 4096-byte LUNs
split_test()
{
	local t=${1%@4096}
	S=${t%.*} N=${t##*.} LA=rbd LB=rdwr
	[ "$t" = "$1" ] || LA=rbd4k LB=rdwr4k
}

{
	echo "# iscsi-test-cu compliance: RBD LUN (bs_rbd) vs file LUN (bs_rdwr)"
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), libiscsi-bin $(dpkg-query -W -f='${Version}' libiscsi-bin 2>/dev/null)," \
		"tgt $(tgtd --version 2>/dev/null | head -n 1), $SIZE LUNs, $LU_PARAMS"
	echo "# verdict: pass skip xfail (expected, same failure on rdwr) FAIL STALE SKIPGAP"
	printf '%-50s %-6s %-6s %-8s %s\n' TEST RBD RDWR VERDICT NOTE
	while IFS=$'\t' read -r t a b v note; do
		printf '%-50s %-6s %-6s %-8s %s\n' "$t" "$a" "$b" "$v" "$note" | sed 's/ *$//'
	done <"$work/verdicts.tsv"
	echo
	echo "# Messages of every test that failed or was skipped on either LUN"
	while IFS=$'\t' read -r t a b v note; do
		[ "$a" = PASS ] && [ "$b" = PASS ] && continue
		# rdwr4k does not run suites that pass on rbd4k
		[ "$a" = PASS ] && [ "$b" = NOTRUN ] && [ "$t" != "${t%@4096}" ] && continue
		[ "$a" = - ] && continue # a bad entry of the expected list
		split_test "$t"
		echo "$t"
		for l in $LA $LB; do
			m=$(msg_of "$S.$l" "$N")
			[ -n "$m" ] || m="not run"
			[ "$m" = - ] || printf '    %-7s %s\n' "$l:" "$m"
			# the rest of the failure signature, e.g. the failed assertions
			sig_of "$S.$l" "$N" | sed 's/ | /\n/g' | grep -vxF -e - -e "$m" |
				sed 's/^/          /'
		done
	done <"$work/verdicts.tsv"
	if [ -s "$events" ]; then
		echo
		echo "# tgtd crashes, hangs and timeouts"
		cat "$events"
	fi
} >"$table"

count() { awk -F '\t' -v c="$1" -v w="$2" '$c == w' "$work/verdicts.tsv" | wc -l; }
ntests=$(awk -F '\t' '$2 != "-"' "$work/verdicts.tsv" | wc -l)

say ""
say "== totals over $ntests tests        passed failed skipped not-run"
for l in rbd rdwr; do
	c=2
	[ $l = rdwr ] && c=3
	printf '   %-30s %6d %6d %7d %7d\n' "$l LUNs (raw iscsi-test-cu)" \
		"$(count $c PASS)" "$(count $c FAIL)" "$(count $c SKIP)" "$(count $c NOTRUN)"
done

list_verdict()
{
	local v=$1 title=$2 t a b vv note m S N LA LB
	[ "$(count 4 "$v")" -gt 0 ] || return 0
	say ""
	say "$title"
	while IFS=$'\t' read -r t a b vv note; do
		[ "$vv" = "$v" ] || continue
		split_test "$t"
		m=$(msg_of "$S.$LA" "$N")
		if [ "$v" = xfail ]; then
			say "   $t"
			continue
		fi
		say "   $t  [$LA $a, $LB $b]"
		[ -n "$note" ] && say "      $note"
		[ -n "$m" ] && [ "$m" != - ] && say "      $LA: $m"
	done <"$work/verdicts.tsv"
}

list_verdict FAIL "== FAIL: unexpected failures on the RBD LUN"
list_verdict STALE "== STALE: entries of ${EXPECTED#"$root"/} that do not hold (update the list)"
# skipped on RBD, passed on rdwr: one line per suite
if [ "$(count 4 SKIPGAP)" -gt 0 ]; then
	say ""
	say "== SKIPGAP: skipped on the RBD LUN, passed on the rdwr LUN (commands we lack)"
	awk -F '\t' '$4 == "SKIPGAP" {
		s = $1; sub(/\.[^.]*$/, "", s); if ($1 ~ /@4096$/) s = s "@4096"; n[s]++
		if (!(s in m)) { m[s] = $5; o[++k] = s }
	} END {
		for (i = 1; i <= k; i++)
			printf "   %-28s %2d test%s  %s\n", o[i], n[o[i]], (n[o[i]] > 1 ? "s" : " "), m[o[i]]
	}' "$work/verdicts.tsv"
fi
list_verdict xfail "== xfail: expected failures (fail the same way on rdwr; reasons in ${EXPECTED#"$root"/})"

nfail=$(count 4 FAIL)
nstale=$(count 4 STALE)
ngap=$(count 4 SKIPGAP)
nevents=$(wc -l <"$events")
passed=$(($(count 4 pass) + $(count 4 xfail)))
failed=$((nfail + nstale + nevents))
skipped=$(($(count 4 skip) + ngap))
if [ "${COMPLIANCE_SKIP_GAPS:-}" = fail ]; then
	failed=$((failed + ngap))
	skipped=$((skipped - ngap))
fi

if [ "$nevents" -gt 0 ]; then
	say ""
	say "== FAIL: tgtd crashed, hung or a suite timed out (tgtd restarts: $restarts)"
	sed 's/^/   /' "$events"
fi
if [ "$nstale" -gt 0 ]; then
	say ""
	say "Update ${EXPECTED#"$root"/}: an entry may only name a test that fails on the"
	say "RBD LUN AND fails the same way on the rdwr LUN (see $table)."
fi

say ""
say "table: $table"
say "raw output: $raw/, tgtd log: $work/tgtd/tgtd.log"
say "time: $(($(date +%s) - t_start)) s"
say "skipped: $skipped (rdwr: $(count 3 SKIP))"
say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
