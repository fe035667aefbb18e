#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-xcopy (and the last row of make bench): BENCH_XCOPY_MIB MiB
# (1024) of random data copied from one RBD LU to another three ways, each
# onto a new image:
#   xcopy  one EXTENDED COPY (16 MiB segments), the gateway copies
#   qemu   qemu-img convert -n between the two iscsi:// LUNs: the
#          initiator reads and writes every byte
#   rbdcp  rbd cp, librbd's own copy, no iSCSI at all
# The three take turns within each round; prints the median seconds of
# each and the ratios qemu/xcopy and xcopy/rbdcp.
#
# Env: BENCH_ROUNDS (5), BENCH_XCOPY_MIB (1024), BENCH_DIR (work dir;
# default a new /tmp dir).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-xcopy
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

ROUNDS=${BENCH_ROUNDS:-5}
MIB=${BENCH_XCOPY_MIB:-1024}
SEG_MIB=16
[ $((MIB % SEG_MIB)) = 0 ] && [ $((MIB / SEG_MIB)) -le 64 ] ||
	die "BENCH_XCOPY_MIB must be a multiple of $SEG_MIB, at most $((SEG_MIB * 64))"
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-benchxc.XXXXXX)}
bench_bed "$work"
cc -O2 -o "$work/scsi_cmd" test/tools/scsi_cmd.c -liscsi
iqn=iqn.2026-12.org.bs-rbd.benchxc
url() { echo "iscsi://127.0.0.1:$TGT_PORT/$iqn/$1"; }
rbd_() { rbd -c "$CEPH_CONF" "$@"; }

head -c "$((MIB << 20))" /dev/urandom >"$work/src.bin"
rbd_ import --no-progress "$work/src.bin" rbd/xc-src >/dev/null
rm -f "$work/src.bin"
bed_target 1 "$iqn"
bed_lun 1 1 rbd/xc-src

# dst_new / dst_del: the destination image, and LUN 2 on it
dst_new()
{
	rbd_ create --size "${MIB}M" rbd/xc-dst
	bed_lun 1 2 rbd/xc-dst
}
dst_del()
{
	bed_adm --mode logicalunit --op delete --tid 1 --lun 2 2>/dev/null || true
	wait_for 20 rbd_ rm rbd/xc-dst || die "cannot remove rbd/xc-dst"
}

# the EXTENDED COPY parameter list: LU 1 to LU 2, whole, 16 MiB segments
xcopy_list()
{
	"$work/scsi_cmd" -r 255 -o "$work/v1" "$(url 1)" 12018300ff00 >/dev/null
	"$work/scsi_cmd" -r 255 -o "$work/v2" "$(url 2)" 12018300ff00 >/dev/null
	local segs=() i blocks=$((SEG_MIB << 11))
	for i in $(seq 0 $((MIB / SEG_MIB - 1))); do
		segs+=("0:1:$blocks:$((i * blocks)):$((i * blocks))")
	done
	scripts/xcopy-list.py "$work/list" 1 2 512 "$work/v1" "$work/v2" -- \
		"${segs[@]}"
}

# seconds METHOD: one copy onto a new image
seconds()
{
	local t0 t1 r
	[ "$1" = rbdcp ] || dst_new
	[ "$1" = xcopy ] && xcopy_list
	t0=$(date +%s%N)
	case $1 in
	xcopy)
		r=$("$work/scsi_cmd" -f "$work/list" "$(url 1)" \
			"$(printf '83000000000000000000%08x0000' \
				"$(stat -c %s "$work/list")")")
		case "$r" in status=0x00*) ;; *) die "EXTENDED COPY: $r" ;; esac
		;;
	qemu)
		qemu-img convert -n -f raw -O raw "$(url 1)" "$(url 2)" ||
			die "qemu-img convert failed"
		;;
	rbdcp) rbd_ cp --no-progress rbd/xc-src rbd/xc-dst >/dev/null ;;
	esac
	t1=$(date +%s%N)
	dst_del
	awk -v ns="$((t1 - t0))" 'BEGIN { printf "%.2f\n", ns / 1e9 }'
}

xc=() qm=() rc=()
for r in $(seq "$ROUNDS"); do
	xc+=("$(seconds xcopy)")
	qm+=("$(seconds qemu)")
	rc+=("$(seconds rbdcp)")
	log "round $r: xcopy ${xc[-1]} s, qemu-img convert ${qm[-1]} s, rbd cp ${rc[-1]} s"
done
x=$(printf '%s\n' "${xc[@]}" | median)
q=$(printf '%s\n' "${qm[@]}" | median)
c=$(printf '%s\n' "${rc[@]}" | median)
echo "$MIB MiB of random data onto a new image, $ROUNDS rounds, median seconds:"
echo "  EXTENDED COPY (in the gateway):        $x s"
echo "  qemu-img convert -n iscsi:// iscsi://: $q s"
echo "  rbd cp:                                $c s"
awk -v x="$x" -v q="$q" -v c="$c" \
	'BEGIN { printf "  qemu-img/xcopy %.2f (faster by), xcopy/rbd cp %.2f\n", q / x, x / c }'
