#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-pr: what persistent reservations cost the data path.  One
# stock tgtd with our module, one LUN; qemu-img bench (4 KiB reads, QD32)
# with the LU's reservation state in turn: none; another initiator
# registered (no reservation: nothing to check); another initiator holding
# Write Exclusive (reads allowed, but every command is checked against the
# state: the initiator port is looked up).  Prints the median IOPS of each
# and their ratios to "none"; the states take turns within each round.
#
# Env: BENCH_ROUNDS (5), BENCH_COUNT (I/Os per run, 50000), BENCH_DIR
# (work dir; default a new /tmp dir).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-pr
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

ROUNDS=${BENCH_ROUNDS:-5}
COUNT=${BENCH_COUNT:-50000}
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-benchpr.XXXXXX)}
bench_bed "$work"
cc -O2 -o "$work/scsi_cmd" test/tools/scsi_cmd.c -liscsi
iqn=iqn.2026-12.org.bs-rbd.benchpr
url=iscsi://127.0.0.1:$TGT_PORT/$iqn/1
rbd -c "$CEPH_CONF" create --size 1G rbd/benchpr
bed_target 1 "$iqn"
bed_lun 1 1 rbd/benchpr
qemu-img bench -f raw -w -d 32 -s 4k -c 20000 "$url" >/dev/null 2>&1

# pr SA TYPE KEY SA_KEY: PERSISTENT RESERVE OUT as initiator "other"
pr()
{
	printf '%016x%016x0000000000000000' "$3" "$4" | xxd -r -p >"$work/param"
	"$work/scsi_cmd" -I iqn.2026-12.org.bs-rbd:other -S 1 -f "$work/param" \
		"$url" "5f$(printf '%02x%02x' "$1" "$2")000000000018""00" |
		grep -q '^status=0x00 ' || die "PR OUT $1 failed"
}

run()
{
	local t0 t1
	t0=$(date +%s%N)
	qemu-img bench -f raw -d 32 -s 4k -S 4k -c "$COUNT" "$url" \
		>/dev/null 2>&1 || die "qemu-img bench failed"
	t1=$(date +%s%N)
	awk -v n="$COUNT" -v ns="$((t1 - t0))" \
		'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'
}

none=() reg=() res=()
for r in $(seq "$ROUNDS"); do
	none+=("$(run)")
	pr 0 0 0 0x42
	reg+=("$(run)")
	pr 1 1 0x42 0
	res+=("$(run)")
	pr 2 1 0x42 0
	pr 0 0 0x42 0
	log "round $r: none ${none[-1]}, registered ${reg[-1]}, reserved ${res[-1]} IOPS"
done
n=$(printf '%s\n' "${none[@]}" | median)
g=$(printf '%s\n' "${reg[@]}" | median)
s=$(printf '%s\n' "${res[@]}" | median)
echo "qemu-img bench -d 32 -s 4k -c $COUNT (reads), $ROUNDS rounds, medians:"
echo "  no reservation state:                  $n IOPS"
echo "  another initiator registered:          $g IOPS"
echo "  another initiator holds Write Excl.:   $s IOPS"
awk -v n="$n" -v g="$g" -v s="$s" \
	'BEGIN { printf "  registered/none %.3f, reserved/none %.3f\n", g / n, s / n }'
