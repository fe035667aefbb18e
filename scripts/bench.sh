#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: one table, measured in one run, of the same load generator
# (qemu-img bench) on three paths to the same kind of RBD image:
#
#   ours    iscsi://  -> stock tgtd -> usr/bs_rbd.so        -> librbd
#   librbd  rbd:      -> librbd in qemu-img itself          (the limit)
#   debian  iscsi://  -> stock tgtd -> Debian's tgt-rbd bs_rbd.so -> librbd
#
# and a reference: null = iscsi:// -> a third stock tgtd, a LUN on tgt's
# built-in null backing store (no storage at all): the iSCSI hop alone.
# That tgtd runs with glibc malloc tunables that keep its data buffers in
# the heap: without them, it mmaps and munmaps every 1 MiB command's buffer
# and takes 257 page faults per command, which our tgtd does not
# (docs/BENCHMARKS.md, "The null LUN at 1 MiB").
#
# Everything runs on 127.0.0.1 under BENCH_DIR (default: a new /tmp dir): a
# throwaway memstore cluster, three tgtds (one per module and one for the
# null LUN, each on its own control port and portal).  Debian's module comes from `apt-get download
# tgt-rbd` into BENCH_DIR (never installed); without network its column
# reads n/a.  Every (workload, path) cell is the median of BENCH_RUNS runs,
# the paths taking turns (the order rotates by one path each round).
# The table is also written to BENCH_DIR/results.txt (raw runs: runs.csv),
# which is all that is left in BENCH_DIR afterwards.
#
# Also recorded per run: tgtd's minor page faults per I/O.
#
# Env: BENCH_DIR, BENCH_RUNS (5), BENCH_SECS (3: length of one run on librbd,
# the others take as long as they need for the same count), BENCH_SIZE_MB
# (1024: size of each of the three images), BENCH_RUN_TIMEOUT (60 s),
# BENCH_DEBIAN=0 (skip Debian's module), BENCH_SO (our module to measure;
# default usr/bs_rbd.so), BENCH_ISCSI (iSCSI target parameters set on both
# tgtds before any login, "Name=value ..."; default: the larger segment and
# burst lengths of docs/BENCHMARKS.md, "Performance tuning"; "none": tgtd's
# defaults).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_SECS:-3}
SIZE_MB=${BENCH_SIZE_MB:-1024}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-60}
ISCSI=${BENCH_ISCSI-MaxRecvDataSegmentLength=262144 FirstBurstLength=262144 MaxBurstLength=16776192 InitialR2T=No}
[ "$ISCSI" != none ] || ISCSI=''
iscsi_desc=${ISCSI:-"none set (tgtd's defaults)"}
for p in $ISCSI; do
	case $p in [A-Z]*=[0-9A-Za-z]*) ;; *) die "BENCH_ISCSI: Name=value ..., not '$p'" ;; esac
done
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-bench.XXXXXX)}
work=$(abs_dir "$work")
mkdir -p "$work"
results=$work/results.txt
csv=$work/runs.csv
conf=$work/bench.conf
t_start=$(date +%s)

case $RUNS$SECS$SIZE_MB$RUN_TIMEOUT in
*[!0-9]*) die "BENCH_RUNS, BENCH_SECS, BENCH_SIZE_MB, BENCH_RUN_TIMEOUT: whole numbers" ;;
esac
if [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt 50 ]; then die "BENCH_RUNS must be 1..50"; fi
if [ "$SECS" -lt 1 ] || [ "$SECS" -gt 60 ]; then die "BENCH_SECS must be 1..60"; fi
if [ "$SIZE_MB" -lt 64 ] || [ $((SIZE_MB % 4)) != 0 ]; then
	die "BENCH_SIZE_MB: a multiple of 4, at least 64"
fi

ours_path=${BENCH_SO:-usr/bs_rbd.so}
[ -f "$ours_path" ] || die "no $ours_path (make it first)"
PATHS="ours librbd debian"     # each has its own image
MEASURED="ours librbd debian null"
declare -A NA URL IMAGE RESULT
for p in $PATHS; do IMAGE[$p]=rbd/bench-$p; done
[ "${BENCH_DEBIAN:-1}" = 0 ] && NA[debian]="skipped (BENCH_DEBIAN=0)"

# Workloads: name, I/O size, queue depth, step between consecutive offsets,
# write.  qemu-img bench issues offset o, o+step, o+2*step, ... modulo the
# image size.  A step of an odd number of I/O sizes visits every aligned
# block of a power-of-two image once before repeating, and consecutive
# requests are tens of MiB apart: each of the DEPTH requests in flight hits
# another 4 MiB RADOS object, spread over all of them.  Reads come first:
# they read the prefill's whole 4 MiB writes, before the 4 KiB writes cut
# memstore's objects into pieces that make later reads slower and vary
# from run to run (docs/BENCHMARKS.md).
WORKLOADS="r4k r1m w4k w1m"
declare -A W_NAME W_SIZE W_DEPTH W_STEP W_WRITE W_COUNT
W_NAME[w4k]="4 KiB rand write QD32" W_SIZE[w4k]=4096 W_DEPTH[w4k]=32 W_STEP[w4k]=$((4096 * 20011)) W_WRITE[w4k]=1
W_NAME[r4k]="4 KiB rand read QD32" W_SIZE[r4k]=4096 W_DEPTH[r4k]=32 W_STEP[r4k]=$((4096 * 20011)) W_WRITE[r4k]=0
W_NAME[r1m]="1 MiB rand read QD8" W_SIZE[r1m]=1048576 W_DEPTH[r1m]=8 W_STEP[r1m]=$((1048576 * 37)) W_WRITE[r1m]=0
W_NAME[w1m]="1 MiB rand write QD8" W_SIZE[w1m]=1048576 W_DEPTH[w1m]=8 W_STEP[w1m]=$((1048576 * 37)) W_WRITE[w1m]=1

# ---- clean-up -------------------------------------------------------------

child=
finished=0
cleanup() { bench_cleanup $? results.txt runs.csv; }
trap cleanup EXIT
trap 'exit 130' INT HUP
trap 'exit 143' TERM

step() { log "$*"; }

# ---- the test bed ---------------------------------------------------------

bench_cluster "$work"

# memstore keeps every object in the OSD's memory, up to its device size.
dev_bytes=$(sed -n 's/^memstore device bytes = //p' "$CEPH_DIR/ceph.conf")
[ -n "$dev_bytes" ] || dev_bytes=1073741824
[ $((3 * SIZE_MB * 1048576)) -le $((dev_bytes * 8 / 10)) ] ||
	die "3 images of $SIZE_MB MiB do not fit in 80% of memstore's $dev_bytes bytes"

# The librbd client settings of every path: bench_cluster's conf ($conf),
# given to both tgtds (bsopts conf=) and to qemu (rbd:...:conf=).
client_settings=$(sed -n '/^\[client\]/,$p' "$conf" | grep -v '^\[' | grep . | sed 's/^ *//')
effective=""
for o in rbd_cache rbd_op_threads objecter_inflight_ops objecter_inflight_op_bytes ms_async_op_threads; do
	v=$(timeout 10 ceph-conf -c "$conf" --name client.tgt --show-config-value "$o" 2>/dev/null) || v="?"
	effective="$effective $o=$v"
done
[ "${effective# rbd_cache=false}" != "$effective" ] || die "rbd_cache is not false for client.tgt:$effective"

step "three images of $SIZE_MB MiB, prefilled with librbd (rbd bench --io-type write)"
t0=$(date +%s)
for p in $PATHS; do
	timeout 60 rbd create --size "${SIZE_MB}M" "${IMAGE[$p]}"
	timeout 300 rbd bench --io-type write --io-size 4M --io-threads 8 \
		--io-total "${SIZE_MB}M" --io-pattern seq "${IMAGE[$p]}" >/dev/null
done
prefill_secs=$(($(date +%s) - t0))
step "prefilled in ${prefill_secs} s"

bsopts="conf=$conf;id=tgt"

# set_iscsi_params CTRL: BENCH_ISCSI on target 1, before any login
set_iscsi_params()
{
	local p
	for p in $ISCSI; do
		timeout 30 tgtadm -C "$1" --lld iscsi --mode target --op update --tid 1 \
			--name "${p%%=*}" --value "${p#*=}" || return 1
	done
}

# start_tgtd NAME MODDIR IQN IMAGE: a stock tgtd loading MODDIR's modules,
# on free control and iSCSI ports, exporting IMAGE as LUN 1 of IQN; IMAGE
# "null": tgt's built-in null backing store instead of rbd.
start_tgtd()
{
	local name=$1 moddir=$2 iqn=$3 image=$4 d=$work/tgtd-$1 ctrl
	local lun=(--bstype rbd --backing-store "$image" --bsopts "$bsopts")
	local env=''
	if [ "$image" = null ]; then
		lun=(--bstype null --backing-store bench-null)
		env=$NULL_MALLOC
	fi
	TGT_CTRL='' TGT_PORT='' TGTD_EXTRA_ENV=$env scripts/tgtd.sh start "$d" "$moddir" ||
		return 1
	ctrl=$(sed -n 's/^TGT_CTRL=//p' "$d/tgtd.env")
	[ "$image" = null ] || tgtadm -C "$ctrl" --lld iscsi --mode system --op show |
		grep -Eq '^[[:space:]]+rbd( |$)' || { echo "module not loaded"; return 1; }
	if ! timeout 30 tgtadm -C "$ctrl" --lld iscsi --mode target --op new --tid 1 \
		--targetname "$iqn" ||
		! set_iscsi_params "$ctrl" ||
		! timeout 60 tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op new --tid 1 \
			--lun 1 "${lun[@]}" ||
		! timeout 30 tgtadm -C "$ctrl" --lld iscsi --mode target --op bind --tid 1 -I ALL; then
		echo "LUN creation failed"
		return 1
	fi
	URL[$name]=iscsi://127.0.0.1:$(sed -n 's/^TGT_PORT=//p' "$d/tgtd.env")/$iqn/1
}

tgtd_pid() { sed -n 's/^TGT_PID=//p' "$work/tgtd-$1/tgtd.env" 2>/dev/null || true; }

# The null LUN's tgtd: tgt core allocates each command's data buffer with
# posix_memalign(page size, length) and frees it when the command ends.
# glibc 2.36 serves a 1 MiB page-aligned request with mmap every time (its
# dynamic mmap threshold, raised to the size of the last mmapped chunk
# freed, stays just below the next such request), so with nothing
# else in its heap that tgtd paid an mmap, a munmap and 257 page faults
# per 1 MiB command.  Our tgtd's heap reuses the buffers (librbd's own
# allocations raise the threshold): 0 mmaps and under 1 fault per I/O.
# Fixed thresholds give the null tgtd the same reuse.
NULL_MALLOC=GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824

# minflt PID: the minor page faults of process PID so far, or empty
minflt() { if [ -n "$1" ]; then awk '{ print $10 }' "/proc/$1/stat" 2>/dev/null || true; fi; }
tgtd_alive() { pid_matches "$(tgtd_pid "$1")" "/usr/sbin/tgtd -f -C"; }

step "iSCSI target parameters on every tgtd: $iscsi_desc"
step "tgtd with our module ($ours_path)"
mkdir -p "$work/mod-ours"
cp "$ours_path" "$work/mod-ours/bs_rbd.so"
ours_so=$(sha256sum "$work/mod-ours/bs_rbd.so" | cut -c1-12)
ours_rev=$(module_rev BENCH_SO)
start_tgtd ours "$work/mod-ours" iqn.2026-11.org.bs-rbd.bench:ours "${IMAGE[ours]}" ||
	die "could not export the image through our module (see $work/tgtd-ours/tgtd.log)"
# The iSCSI hop alone: a third stock tgtd (no modules: an empty dir over
# the backing-store dir) with a LUN on tgt's built-in null backing store,
# which drops writes and does no work for reads.  Its own process, so
# that its runs at 150k commands/s leave our tgtd as they found it.
step "tgtd with tgt's null backing store"
mkdir -p "$work/mod-none"
start_tgtd null "$work/mod-none" iqn.2026-11.org.bs-rbd.bench:null null ||
	die "could not start the null LUN (see $work/tgtd-null/tgtd.log)"

URL[librbd]="rbd:${IMAGE[librbd]}:conf=$conf:id=tgt"

deb_ver=""
if [ -z "${NA[debian]:-}" ]; then
	step "Debian's module: apt-get download tgt-rbd (not installed)"
	if ! fetch_debian_module "$work/debian"; then
		NA[debian]=$DEB_ERR
	elif ! out=$(start_tgtd debian "$DEB_MODDIR" iqn.2026-11.org.bs-rbd.bench:debian \
		"${IMAGE[debian]}" 2>&1); then
		NA[debian]="tgtd with tgt-rbd $DEB_VER: $(printf '%s\n' "$out" | grep . | tail -n 1)"
		show_tail "$work/tgtd-debian/tgtd.log"
	else
		printf '%s\n' "$out" | grep . >&2 || true
		# start_tgtd ran in a subshell: its URL is lost
		URL[debian]=iscsi://127.0.0.1:$(sed -n 's/^TGT_PORT=//p' \
			"$work/tgtd-debian/tgtd.env")/iqn.2026-11.org.bs-rbd.bench:debian/1
	fi
	deb_ver=$DEB_VER
	[ -z "${NA[debian]:-}" ] || log "debian: n/a: ${NA[debian]}"
fi

# ---- running qemu-img bench ------------------------------------------------

# run_one PATH WORKLOAD COUNT: one qemu-img bench; sets RUN_SECS or
# RUN_ERR, and RUN_FLT (tgtd's page faults per I/O; empty for librbd).
run_one()
{
	local p=$1 w=$2 rc=0 out=$work/run.out pid='' f0='' f1=''
	local args=(-f raw -t none -d "${W_DEPTH[$w]}" -s "${W_SIZE[$w]}"
		-S "${W_STEP[$w]}" -c "$3")
	[ "${W_WRITE[$w]}" = 1 ] && args+=(-w)
	RUN_SECS='' RUN_ERR='' RUN_FLT=''
	if [ "$p" != librbd ] && ! tgtd_alive "$p"; then
		RUN_ERR="its tgtd is gone"
		return 1
	fi
	[ "$p" = librbd ] || pid=$(tgtd_pid "$p")
	f0=$(minflt "$pid")
	timeout -k 5 "$RUN_TIMEOUT" qemu-img bench "${args[@]}" "${URL[$p]}" \
		>"$out" 2>&1 </dev/null &
	child=$!
	# a tgtd that dies leaves libiscsi reconnecting until the timeout
	while kill -0 "$child" 2>/dev/null; do
		if [ "$p" != librbd ] && ! tgtd_alive "$p"; then
			kill -TERM "$child" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$child" || rc=$?
	child=
	f1=$(minflt "$pid")
	[ -n "$f0" ] && [ -n "$f1" ] &&
		RUN_FLT=$(awk -v a="$f0" -v b="$f1" -v c="$3" 'BEGIN { printf "%.1f", (b - a) / c }')
	RUN_SECS=$(sed -n 's/^Run completed in \([0-9.]*\) seconds\.$/\1/p' "$out")
	if [ "$rc" != 0 ] || [ -z "$RUN_SECS" ]; then
		[ "$rc" = 124 ] && RUN_ERR="timed out after ${RUN_TIMEOUT}s" ||
			RUN_ERR="qemu-img bench exit $rc: $(grep . "$out" | tail -n 1)"
		if [ "$p" != librbd ] && ! tgtd_alive "$p"; then
			RUN_ERR="tgtd died ($RUN_ERR)"
			show_tail "$work/tgtd-$p/tgtd.log"
		fi
		return 1
	fi
}

cmd_line()
{
	local w=$1
	printf 'qemu-img bench -f raw -t none -d %s -s %s -S %s -c %s%s URL' \
		"${W_DEPTH[$w]}" "${W_SIZE[$w]}" "${W_STEP[$w]}" "${W_COUNT[$w]}" \
		"$([ "${W_WRITE[$w]}" = 1 ] && echo ' -w')"
}

iops() { awk -v c="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? c / s : 0) }'; }

# Calibrate: a short run on librbd sets the count that takes ~SECS there;
# short runs on the other paths check they work before the real thing.
step "calibration (count for ~${SECS}s on librbd) and warm-up"
for w in $WORKLOADS; do
	if [ "${W_SIZE[$w]}" -ge 1048576 ]; then c0=200; else c0=2000; fi
	W_COUNT[$w]=$c0
	run_one librbd "$w" "$c0" || die "librbd ${W_NAME[$w]}: $RUN_ERR"
	n=$(awk -v c="$c0" -v s="$RUN_SECS" -v t="$SECS" \
		'BEGIN { n = c * t / (s > 0.001 ? s : 0.001); n = int(n / 100) * 100;
			 if (n < c) n = c; if (n > 2000000) n = 2000000; print n }')
	W_COUNT[$w]=$n
	for p in ours debian null; do
		[ -z "${NA[$p]:-}" ] || continue
		run_one "$p" "$w" "$c0" || { NA[$p]="${W_NAME[$w]}: $RUN_ERR"; log "$p: n/a: ${NA[$p]}"; }
	done
	log "  ${W_NAME[$w]}: count $n"
done

echo "workload,path,run,count,size,depth,seconds,iops,tgtd_faults_per_io" >"$csv"
declare -A FAULTS
step "measuring: ${RUNS} runs per cell, paths taking turns"
for w in $WORKLOADS; do
	for r in $(seq 1 "$RUNS"); do
		# rotate the order each round: no path always runs right after another
		# shellcheck disable=SC2086
		set -- $MEASURED
		order=$(echo "$@" "$@" | cut -d' ' -f$(((r - 1) % $# + 1))-$(((r - 1) % $# + $#)))
		line=""
		for p in $order; do
			[ -z "${NA[$p]:-}" ] || continue
			if run_one "$p" "$w" "${W_COUNT[$w]}"; then
				v=$(iops "${W_COUNT[$w]}" "$RUN_SECS")
				RESULT[$w,$p]="${RESULT[$w,$p]:-} $v"
				echo "$w,$p,$r,${W_COUNT[$w]},${W_SIZE[$w]},${W_DEPTH[$w]},$RUN_SECS,$v,$RUN_FLT" >>"$csv"
				[ -z "$RUN_FLT" ] || FAULTS[$w,$p]="${FAULTS[$w,$p]:-} $RUN_FLT"
				line="$line $p=$v"
			else
				[ "$p" = librbd ] && die "librbd ${W_NAME[$w]}: $RUN_ERR"
				NA[$p]="${W_NAME[$w]} run $r: $RUN_ERR"
				log "$p: n/a from now on: ${NA[$p]}"
			fi
		done
		log "  ${W_NAME[$w]} round $r/$RUNS:$line IOPS"
	done
done

# ---- the table ------------------------------------------------------------

median()
{
	printf '%s\n' "$@" | grep . | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) exit;
			if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# cell W P: median IOPS of the cell, or empty
cell()
{
	# shellcheck disable=SC2086
	median ${RESULT[$1,$2]:-}
}

# mark W P: "*" when the cell has fewer runs than asked for
mark()
{
	# shellcheck disable=SC2086
	[ -n "${RESULT[$1,$2]:-}" ] && [ "$(set -- ${RESULT[$1,$2]}; echo $#)" -lt "$RUNS" ] &&
		echo "*"
	return 0
}

ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo n/a; }
mibs() { [ -n "$1" ] && awk -v i="$1" -v s="$2" 'BEGIN { printf "%.1f", i * s / 1048576 }' || echo n/a; }
range()
{
	# shellcheck disable=SC2086
	[ -n "${RESULT[$1,$2]:-}" ] && printf '%s\n' ${RESULT[$1,$2]} | sort -g |
		awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }' || echo n/a
}

# faults W P: median page faults per I/O of the cell's tgtd, or n/a
faults()
{
	local m
	# shellcheck disable=SC2086
	m=$(printf '%s\n' ${FAULTS[$1,$2]:-} | grep . | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')
	echo "${m:-n/a}"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
others_tgtd=$(pgrep -c -x tgtd || true)
mine=0
for p in ours debian null; do
	if tgtd_alive "$p"; then mine=$((mine + 1)); fi
done
others_osd=$(pgrep -c -x ceph-osd || true)
elapsed=$(($(date +%s) - t_start))

report()
{
	local w a b d n sr
	echo "bs_rbd benchmark: qemu-img bench on three paths to an RBD image, one run,"
	echo "and on the iSCSI hop alone (null)"
	echo
	echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC') (took ${elapsed} s, prefill ${prefill_secs} s)"
	echo "command:  make bench  (scripts/bench.sh; BENCH_RUNS=$RUNS BENCH_SECS=$SECS BENCH_SIZE_MB=$SIZE_MB)"
	echo "machine:  $(nproc) CPUs, $cpu, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
	echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) at the end; tgtd processes on the machine: $others_tgtd ($mine ours), ceph-osd: $others_osd (1 ours)"
	echo "versions: ceph $(ceph --version | awk '{ print $3 }'), tgt $(dpkg-query -W -f='${Version}' tgt), $(qemu-img --version | head -n 1)"
	echo "ours:     $ours_path sha256 $ours_so..., $ours_rev"
	if [ -n "${NA[debian]:-}" ]; then
		echo "debian:   ${deb_ver:+tgt-rbd $deb_ver: }n/a: ${NA[debian]}"
	else
		echo "debian:   tgt-rbd $deb_ver (apt-get download, dpkg-deb -x, loaded by a second tgtd)"
	fi
	echo "cluster:  1 mon + 1 memstore OSD on 127.0.0.1 (scripts/cluster.sh), pool rbd, 8 PGs, size 1"
	echo "images:   one per path, $SIZE_MB MiB, default features, 4 MiB objects, prefilled"
	echo "librbd:   [client] of the conf given to all paths: $(echo "$client_settings" | paste -sd' ' -);"
	echo "          effective for client.tgt:$effective"
	echo "paths:    ours   = iscsi://127.0.0.1:PORT/IQN/1 -> tgtd + usr/bs_rbd.so, bsopts conf=CONF;id=tgt"
	echo "          librbd = rbd:${IMAGE[librbd]}:conf=CONF:id=tgt (librbd inside qemu-img)"
	echo "          debian = iscsi://127.0.0.1:PORT2/IQN2/1 -> 2nd tgtd + Debian's bs_rbd.so, same bsopts"
	echo "          null   = iscsi://127.0.0.1:PORT3/IQN3/1 -> 3rd tgtd, tgt's built-in null backing store (no storage),"
	echo "                   malloc tunables (below)"
	echo "iscsi:    target parameters on every tgtd: $iscsi_desc"
	echo "method:   each cell = median of $RUNS runs; paths take turns within each round; IOPS = count / time"
	echo "          qemu-img reports (connect and login excluded); MiB/s = IOPS x size"
	echo
	printf '| %-22s | %9s | %11s | %11s | %11s | %13s | %9s | %11s | %11s |\n' \
		workload "ours IOPS" "librbd IOPS" "debian IOPS" "ours/librbd" "debian/librbd" \
		"ours MiB/s" "librbd MiB/s" "debian MiB/s"
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..24})" \
		"$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..13})" \
		"$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..15})" "$(printf -- '-%.0s' {1..12})" \
		"$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..14})"
	for w in $WORKLOADS; do
		a=$(cell "$w" ours) b=$(cell "$w" librbd) d=$(cell "$w" debian)
		printf '| %-22s | %9s | %11s | %11s | %11s | %13s | %10s | %12s | %12s |\n' \
			"${W_NAME[$w]}" "${a:-n/a}$(mark "$w" ours)" "${b:-n/a}" "${d:-n/a}$(mark "$w" debian)" \
			"$(ratio "$a" "$b")" "$(ratio "$d" "$b")" \
			"$(mibs "$a" "${W_SIZE[$w]}")" "$(mibs "$b" "${W_SIZE[$w]}")" "$(mibs "$d" "${W_SIZE[$w]}")"
	done
	echo
	echo "the iSCSI hop alone: a third tgtd, a LUN on tgt's null backing store, same"
	echo "initiator, target parameters and count; no storage work at all; malloc"
	echo "tunables reuse its data buffers, as our tgtd's heap does (see the page faults)"
	echo "serial = 1 / (1/null + 1/librbd): the rate of a path that did the hop's"
	echo "work and librbd's work one after the other on these CPUs (an estimate)"
	echo
	printf '| %-22s | %9s | %10s | %11s | %11s | %11s |\n' workload "null IOPS" "null MiB/s" \
		"null/librbd" "serial IOPS" "ours/serial"
	printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..24})" "$(printf -- '-%.0s' {1..11})" \
		"$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..13})" \
		"$(printf -- '-%.0s' {1..13})"
	for w in $WORKLOADS; do
		a=$(cell "$w" ours) b=$(cell "$w" librbd) n=$(cell "$w" null) sr=''
		[ -n "$n" ] && [ -n "$b" ] && sr=$(awk -v n="$n" -v b="$b" 'BEGIN { printf "%.0f", 1 / (1 / n + 1 / b) }')
		printf '| %-22s | %9s | %10s | %11s | %11s | %11s |\n' "${W_NAME[$w]}" \
			"${n:-n/a}$(mark "$w" null)" "$(mibs "$n" "${W_SIZE[$w]}")" \
			"$(ratio "$n" "$b")" "${sr:-n/a}" "$(ratio "$a" "$sr")"
	done
	echo
	echo "spread (min-max IOPS over the runs):"
	for w in $WORKLOADS; do
		printf '  %-22s ours %s, librbd %s, debian %s, null %s\n' "${W_NAME[$w]}" \
			"$(range "$w" ours)" "$(range "$w" librbd)" "$(range "$w" debian)" \
			"$(range "$w" null)"
	done
	echo
	echo "tgtd's minor page faults per I/O (median; a 1 MiB buffer is 256 pages):"
	for w in $WORKLOADS; do
		printf '  %-22s ours %s, debian %s, null %s\n' "${W_NAME[$w]}" \
			"$(faults "$w" ours)" "$(faults "$w" debian)" "$(faults "$w" null)"
	done
	echo "null tgtd: $NULL_MALLOC"
	echo
	echo "commands (URL = the path's iscsi:// or rbd: above):"
	for w in $WORKLOADS; do
		printf '  %-22s %s\n' "${W_NAME[$w]}" "$(cmd_line "$w")"
	done
	for p in ours debian null; do
		[ -n "${NA[$p]:-}" ] && echo "n/a: $p: ${NA[$p]} (* = median of the runs before that)"
	done
	for p in ours debian; do
		local pid
		pid=$(tgtd_pid "$p")
		tgtd_alive "$p" && printf 'tgtd %-6s after the run: %s threads, RSS %s\n' "$p" \
			"$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" \
			"$(awk '/^VmRSS:/ { print $2 " " $3 }' "/proc/$pid/status")"
	done
	return 0
}

report >"$results"
cat "$results"
echo
echo "results: $results (raw runs: $csv)"
finished=1
