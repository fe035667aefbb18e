# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Helpers for the integration tests: a test case is a shell function named
# t_*; it calls check/expect_* and fails if any of them failed.
#
# Environment (set by test/check.sh): CEPH_DIR, CEPH_CONF, TGT_CTRL,
# TGT_PORT, TGT_PID, TGT_LOG, SCSI_CMD, BSOPTS (client options for LUNs).

IQN_PREFIX=iqn.2026-11.org.bs-rbd.test

case_failed=0
case_skipped=0

note() { echo "    $*"; }

# check DESCRIPTION COMMAND...: run COMMAND, record a failure if it fails.
check()
{
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		return 0
	fi
	echo "    FAIL: $desc"
	case_failed=1
	return 1
}

failed() { echo "    FAIL: $*"; case_failed=1; return 1; }

# skipped REASON: part of the case could not be judged here; unless it
# fails, the case counts as skipped, not passed (test/check.sh)
skipped() { echo "    SKIP: $*"; case_skipped=1; }

tgtadm_() { tgtadm -C "$TGT_CTRL" --lld iscsi "$@"; }

iqn() { echo "$IQN_PREFIX:$1"; }

url() { echo "iscsi://127.0.0.1:$TGT_PORT/$(iqn "$1")/$2"; }

rbd_() { rbd -c "$CEPH_CONF" "$@"; }

# image_drop IMAGE...: a case's cleanup, which never decides its result.
# A LU just deleted closes its image in the background, and a gateway
# killed leaves its watch for 30 s: rbd rm refuses a watched image, so
# that is retried for up to 20 s, then the image is left with a note.
image_drop()
{
	local img err i
	for img in "$@"; do
		for i in $(seq 40); do
			err=$(rbd_ rm "$img" 2>&1 >/dev/null) && break
			grep -q watchers <<<"$err" || break
			[ "$i" = 40 ] && note "image $img left behind: still watched"
			sleep 0.5
		done
	done
	return 0
}

# target_new TID: a target named after the tid, open to all initiators
target_new()
{
	tgtadm_ --mode target --op new --tid "$1" --targetname "$(iqn "t$1")" &&
		tgtadm_ --mode target --op bind --tid "$1" -I ALL
}

# target_show TID: tgtadm's description of that target alone
target_show()
{
	tgtadm_ --mode target --op show |
		awk -v t="Target $1:" 'index($0, t) == 1 { on = 1; print; next }
			/^Target [0-9]+:/ { on = 0 } on'
}

target_del() { tgtadm_ --mode target --op delete --force --tid "$1" >/dev/null 2>&1 || true; }

# lun_new TID LUN SPEC [BSOPTS]
lun_new()
{
	tgtadm_ --mode logicalunit --op new --tid "$1" --lun "$2" \
		--bstype rbd --backing-store "$3" --bsopts "${4-$BSOPTS}"
}

# lun_new_bs TID LUN BLOCKSIZE SPEC [BSOPTS]: lun_new with --blocksize
lun_new_bs()
{
	tgtadm_ --mode logicalunit --op new --tid "$1" --lun "$2" \
		--blocksize "$3" --bstype rbd --backing-store "$4" \
		--bsopts "${5-$BSOPTS}"
}

lun_del() { tgtadm_ --mode logicalunit --op delete --tid "$1" --lun "$2"; }

lun_url() { echo "iscsi://127.0.0.1:$TGT_PORT/$(iqn "t$1")/$2"; }

# Position in tgtd's log, and what was logged after it.
log_mark() { stat -c %s "$TGT_LOG"; }
log_since() { tail -c +"$(($1 + 1))" "$TGT_LOG"; }

# expect_log MARK TEXT: tgtd logged TEXT (a fixed string) after MARK
expect_log()
{
	if log_since "$1" | grep -qF -- "$2"; then
		return 0
	fi
	failed "tgtd log lacks: $2"
	log_since "$1" | tail -n 5 | sed 's/^/      log: /'
}

# wait_log MARK TEXT [SECONDS]: tgtd logs TEXT (a fixed string) after MARK
# within SECONDS (default 10); a failure of the case if it does not
wait_log()
{
	local i n=$((${3:-10} * 10))
	for ((i = 0; i < n; i++)); do
		log_since "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	expect_log "$1" "$2"
}

# scsi TID LUN [scsi_cmd options] CDB_HEX: print scsi_cmd's result line
scsi() { local t=$1 l=$2; shift 2; "$SCSI_CMD" "${@:1:$#-1}" "$(lun_url "$t" "$l")" "${@: -1}"; }

# expect_status WHAT RESULT STATUS [KEY ASC ASCQ]
expect_status()
{
	local what=$1 res=$2 want="status=$3"
	[ $# -gt 3 ] && want="$want key=$4 asc=$5 ascq=$6"
	case "$res" in
	"$want"*) return 0 ;;
	esac
	failed "$what: got '$res', want '$want'"
}

tgtd_alive() { kill -0 "$TGT_PID" 2>/dev/null; }

proc_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# tgtd_threads [PID]: tgtd's threads but bs_rbd's worker pool, which
# starts up to 4 threads on demand and keeps them (tgtd_workers counts it)
tgtd_comms() { cat /proc/"${1:-$TGT_PID}"/task/*/comm 2>/dev/null; }
tgtd_threads() { tgtd_comms "$@" | grep -cvx 'bs_rbd-worker'; }
tgtd_workers() { tgtd_comms "$@" | grep -cx 'bs_rbd-worker'; }

# threads_settle N: tgtd is back at N threads (tgtd_threads) or fewer
# within 5 s
threads_settle()
{
	local _
	for _ in $(seq 25); do
		[ "$(tgtd_threads)" -le "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

now_ms() { date +%s%3N; }

# The statistics file of the test tgtd (bs_rbd_stats.c)
stats_file() { echo "/var/run/tgtd/bs_rbd.$TGT_CTRL.stats"; }

# inquiry_ok URL: INQUIRY answers GOOD.  Not iscsi-inq: libiscsi's login
# fails on a LU whose TEST UNIT READY says NOT READY (fenced, removed).
inquiry_ok() { "$SCSI_CMD" -r 96 "$1" 120000006000 | grep -q '^status=0x00 '; }

# lba_status_descs FILE: "lba:blocks:status ..." of GET LBA STATUS data
lba_status_descs()
{
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack(">I", d[:4])[0] + 4
print(" ".join("%d:%d:%d" % (struct.unpack(">QI", d[i:i + 12]) + (d[i + 12] & 15,))
               for i in range(8, min(n, len(d)), 16)))' "$1"
}

# bytes FILE SPEC...: write concatenated runs, SPEC = COUNT:BYTE (hex)
bytes()
{
	local f=$1
	shift
	python3 -c 'import sys
out = b"".join(bytes([int(b, 16)]) * int(n) for n, b in (s.split(":") for s in sys.argv[2:]))
open(sys.argv[1], "wb").write(out)' "$f" "$@"
}
