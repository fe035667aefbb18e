#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-spread: does spreading busy LUNs over several cluster clients
# (bsopts connection=N) help?  One stock tgtd with our module, 2*N images;
# layout "shared": N LUNs on one client (connection=0), layout "spread":
# N LUNs, LUN i on connection=i.  Each round runs N qemu-img bench (4 KiB
# writes, QD32) at once on one layout, layouts alternating; prints the
# aggregate IOPS per layout (median of the rounds) and their ratio.
#
# Env: BENCH_LUNS (4), BENCH_ROUNDS (3), BENCH_COUNT (I/Os per LUN and
# round, 20000), BENCH_DIR (work dir; default a new /tmp dir).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-spread
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

N=${BENCH_LUNS:-4}
ROUNDS=${BENCH_ROUNDS:-3}
COUNT=${BENCH_COUNT:-20000}
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-spread.XXXXXX)}
bench_bed "$work"
iqn=iqn.2026-11.org.bs-rbd.spread

# layout TID NAME: target TID with N LUNs on images NAME1..NAMEN
layout()
{
	local tid=$1 name=$2 i conn
	bed_target "$tid" "$iqn:$name"
	for i in $(seq "$N"); do
		rbd -c "$CEPH_CONF" create --size 256M "rbd/$name$i"
		conn=0
		[ "$name" = spread ] && conn=$((i - 1))
		bed_lun "$tid" "$i" "rbd/$name$i" "$BED_OPTS;connection=$conn"
	done
}
layout 1 shared
layout 2 spread
log "tgtd threads with both layouts: $(awk '/^Threads:/ { print $2 }' "/proc/$TGT_PID/status")"

# round TID: aggregate IOPS of N concurrent benches on target TID
round()
{
	local tid=$1 name=$2 i t0 t1 pids=()
	t0=$(date +%s%N)
	for i in $(seq "$N"); do
		qemu-img bench -f raw -t none -w -d 32 -s 4k -S 4k -c "$COUNT" \
			"iscsi://127.0.0.1:$TGT_PORT/$iqn:$name/$i" >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || die "qemu-img bench failed"; done
	t1=$(date +%s%N)
	awk -v n="$((N * COUNT))" -v ns="$((t1 - t0))" \
		'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'
}

shared=() spread=()
for r in $(seq "$ROUNDS"); do
	shared+=("$(round 1 shared)")
	spread+=("$(round 2 spread)")
	log "round $r: shared ${shared[-1]} IOPS, spread ${spread[-1]} IOPS"
done
s=$(printf '%s\n' "${shared[@]}" | median)
p=$(printf '%s\n' "${spread[@]}" | median)
echo "$N LUNs x qemu-img bench -w -d 32 -s 4k -c $COUNT, $ROUNDS rounds, medians:"
echo "  one client (connection=0 for all):  $s IOPS"
echo "  one client per LUN (connection=i): $p IOPS"
awk -v s="$s" -v p="$p" 'BEGIN { printf "  spread/shared: %.2f\n", p / s }'
