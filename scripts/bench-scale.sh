#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-scale: what one tgtd costs as LUNs are added.  For our module
# (usr/bs_rbd.so) and, if `apt-get download tgt-rbd` works, Debian's
# (never installed), one stock tgtd each, one after the other: add LUNs
# 1..N, each its own small image, all with the same bsopts (ours then
# shares one cluster connection), and at each step print tgtd's threads
# (/proc/PID/status), RSS, established TCP sockets, and the median time of
# one `tgtadm --op new` LUN add since the previous step.
#
# Everything runs on 127.0.0.1 under BENCH_DIR (default: a new /tmp dir);
# the table goes to BENCH_DIR/scale.txt, which is all that is left there.
# Env: BENCH_DIR, BENCH_STEPS ("1 16 64 256"), BENCH_DEBIAN=0 (ours only),
# BENCH_SO (our module; default usr/bs_rbd.so).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-scale
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

STEPS=${BENCH_STEPS:-1 16 64 256}
ours_path=${BENCH_SO:-usr/bs_rbd.so}
[ -f "$ours_path" ] || die "no $ours_path (make it first)"
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-scale.XXXXXX)}
work=$(abs_dir "$work")
mkdir -p "$work"
results=$work/scale.txt
t_start=$(date +%s)

max=0
for n in $STEPS; do
	case $n in '' | *[!0-9]*) die "BENCH_STEPS: whole numbers" ;; esac
	[ "$n" -gt "$max" ] || die "BENCH_STEPS must increase"
	max=$n
done
[ "$max" -le 1024 ] || die "at most 1024 LUNs"

MODS="ours debian"
declare -A NA MODDIR THREADS RSS SOCKS ADDMS DELS
[ "${BENCH_DEBIAN:-1}" = 0 ] && NA[debian]="skipped (BENCH_DEBIAN=0)"

finished=0
cleanup() { bench_cleanup $? scale.txt; }
trap cleanup EXIT
trap 'exit 130' INT HUP
trap 'exit 143' TERM

bench_cluster "$work"
conf=$work/bench.conf
bsopts="conf=$conf;id=tgt"

log "$max images of 64 MiB (thin)"
t0=$(date +%s)
seq 1 "$max" | xargs -P 4 -I{} timeout 60 rbd create --size 64M rbd/scale-{}
log "created in $(($(date +%s) - t0)) s"

mkdir -p "$work/mod-ours"
cp "$ours_path" "$work/mod-ours/bs_rbd.so"
MODDIR[ours]=$work/mod-ours

deb_ver=""
if [ -z "${NA[debian]:-}" ]; then
	log "Debian's module: apt-get download tgt-rbd (not installed)"
	if fetch_debian_module "$work/debian"; then
		deb_ver=$DEB_VER
		MODDIR[debian]=$DEB_MODDIR
	else
		NA[debian]=$DEB_ERR
	fi
	[ -z "${NA[debian]:-}" ] || log "debian: n/a: ${NA[debian]}"
fi

now_ms() { echo $(($(date +%s%N) / 1000000)); }

median()
{
	printf '%s\n' "$@" | grep . | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit;
			if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# measure MOD: one tgtd with MOD's module, LUNs added up to the last step
measure()
{
	local m=$1 d=$work/tgtd-$1 ctrl pid lun=0 n t0 t1 times
	TGT_CTRL='' TGT_PORT='' scripts/tgtd.sh start "$d" "${MODDIR[$m]}" ||
		{ NA[$m]="tgtd did not start"; return 0; }
	ctrl=$(sed -n 's/^TGT_CTRL=//p' "$d/tgtd.env")
	pid=$(sed -n 's/^TGT_PID=//p' "$d/tgtd.env")
	if ! tgtadm -C "$ctrl" --lld iscsi --mode system --op show | grep -Eq '^[[:space:]]+rbd( |$)'; then
		NA[$m]="module not loaded (see $d/tgtd.log)"
		return 0
	fi
	timeout 30 tgtadm -C "$ctrl" --lld iscsi --mode target --op new --tid 1 \
		--targetname "iqn.2026-11.org.bs-rbd.scale:$m"
	for n in $STEPS; do
		times=""
		while [ "$lun" -lt "$n" ]; do
			lun=$((lun + 1))
			t0=$(now_ms)
			if ! timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op new \
				--tid 1 --lun "$lun" --bstype rbd --backing-store "rbd/scale-$lun" \
				--bsopts "$bsopts" >"$work/tgtadm.out" 2>&1; then
				NA[$m]="LUN $lun: $(grep . "$work/tgtadm.out" | tail -n 1)"
				pid_matches "$pid" "/usr/sbin/tgtd -f -C" || NA[$m]="${NA[$m]}; tgtd died"
				log "$m: ${NA[$m]}"
				return 0
			fi
			t1=$(now_ms)
			times="$times $((t1 - t0))"
		done
		sleep 1 # let threads started by the last add settle
		# shellcheck disable=SC2086
		ADDMS[$m,$n]=$(median $times)
		THREADS[$m,$n]=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
		RSS[$m,$n]=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
		SOCKS[$m,$n]=$(ss -Htnp state established | grep -c "pid=$pid," || true)
		log "$m: $n LUNs: ${THREADS[$m,$n]} threads, RSS ${RSS[$m,$n]} MiB," \
			"${SOCKS[$m,$n]} sockets, add ${ADDMS[$m,$n]} ms"
	done
	t0=$(now_ms)
	while [ "$lun" -gt 0 ]; do
		timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op delete \
			--tid 1 --lun "$lun" >/dev/null 2>&1 || { DELS[$m]="failed at LUN $lun"; break; }
		lun=$((lun - 1))
	done
	[ -n "${DELS[$m]:-}" ] || DELS[$m]="$(($(now_ms) - t0)) ms"
	scripts/tgtd.sh stop "$d"
}

for m in $MODS; do
	[ -z "${NA[$m]:-}" ] || continue
	log "$m: adding LUNs, steps: $STEPS"
	measure "$m"
done

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
elapsed=$(($(date +%s) - t_start))
report()
{
	local n m
	echo "bs_rbd LUN scale: one stock tgtd per module, LUNs added one by one"
	echo
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC') (took ${elapsed} s)"
	echo "command:  make bench-scale  (scripts/bench-scale.sh; BENCH_STEPS=\"$STEPS\")"
	echo "machine:  $(nproc) CPUs, $cpu, Linux $(uname -r)"
	echo "versions: ceph $(ceph --version | awk '{ print $3 }'), tgt $(dpkg-query -W -f='${Version}' tgt)"
	echo "ours:     $ours_path sha256 $(sha256sum "$ours_path" | cut -c1-12)..."
	echo "debian:   ${deb_ver:+tgt-rbd $deb_ver}${NA[debian]:+ n/a: ${NA[debian]}}"
	echo "LUNs:     each its own 64 MiB image, bsopts conf=CONF;id=tgt for all, rbd cache = false"
	echo "columns:  threads and RSS of tgtd (/proc/PID/status), its established TCP sockets,"
	echo "          median wall time of one 'tgtadm --mode logicalunit --op new' since the previous step"
	echo
	printf '| %5s | %12s | %12s | %12s | %11s | %14s | %14s | %14s | %13s |\n' LUNs \
		"ours threads" "ours RSS MiB" "ours sockets" "ours add ms" \
		"debian threads" "debian RSS MiB" "debian sockets" "debian add ms"
	printf '|-------|--------------|--------------|--------------|-------------|----------------|----------------|----------------|---------------|\n'
	for n in $STEPS; do
		printf '| %5s | %12s | %12s | %12s | %11s | %14s | %14s | %14s | %13s |\n' "$n" \
			"${THREADS[ours,$n]:-n/a}" "${RSS[ours,$n]:-n/a}" "${SOCKS[ours,$n]:-n/a}" "${ADDMS[ours,$n]:-n/a}" \
			"${THREADS[debian,$n]:-n/a}" "${RSS[debian,$n]:-n/a}" "${SOCKS[debian,$n]:-n/a}" "${ADDMS[debian,$n]:-n/a}"
	done
	echo
	for m in $MODS; do
		[ -n "${DELS[$m]:-}" ] && echo "deleting all LUNs one by one, $m: ${DELS[$m]}"
		[ -n "${NA[$m]:-}" ] && echo "n/a: $m: ${NA[$m]}"
	done
	return 0
}
report >"$results"
cat "$results"
echo
echo "results: $results"
finished=1
