#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-failover: how long a write through another gateway takes
# when the gateway holding the image's lock is frozen (SIGSTOP) or killed
# (SIGKILL), and when the frozen one serves again.  Two stock tgtds
# (gateway gw1 on 127.0.0.1, gw2 on 127.0.0.2) export one image; each
# trial writes through gw1 (it takes the lock), stops gw1, and times one
# 4 KiB write through gw2 from its start to its completion (gw2 breaks
# gw1's lock, blocklisting it: bs_rbd_takeover.c; or librbd does once
# gw1's watch expired).  Then gw1 resumes (freeze) or is restarted with
# its LUN (kill), and the time until a write through gw1 succeeds again
# is taken, up to BENCH_BACK_S (60 s).  Median and worst of BENCH_TRIALS
# (10) each.
#
# Everything runs on loopback under BENCH_DIR (default: a new /tmp dir);
# the table goes to BENCH_DIR/failover.txt, all that is left there.
# Env: BENCH_DIR, BENCH_TRIALS, BENCH_BACK_S, BENCH_SO (our module),
# BENCH_WATCH_TIMEOUT (the OSDs' osd_client_watch_timeout, seconds;
# default: the cluster's, 30).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PROG=bench-failover
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
need_root

trials=${BENCH_TRIALS:-10}
back_s=${BENCH_BACK_S:-60}
ours_path=${BENCH_SO:-usr/bs_rbd.so}
[ -f "$ours_path" ] || die "no $ours_path (make it first)"
work=${BENCH_DIR:-$(mktemp -d /tmp/bs_rbd-failover.XXXXXX)}
work=$(abs_dir "$work")
mkdir -p "$work/mod"
cp "$ours_path" "$work/mod/bs_rbd.so"
results=$work/failover.txt

finished=0
cleanup()
{
	local rc=$? d
	# a frozen tgtd cannot stop
	for d in "$work"/tgtd-*; do
		[ -f "$d/tgtd.pid" ] && kill -CONT "$(cat "$d/tgtd.pid")" 2>/dev/null
	done
	bench_cleanup "$rc" failover.txt
}
trap cleanup EXIT
trap 'exit 130' INT HUP
trap 'exit 143' TERM

bench_cluster "$work"
if [ -n "${BENCH_WATCH_TIMEOUT:-}" ]; then
	ceph config set osd osd_client_watch_timeout "$BENCH_WATCH_TIMEOUT" ||
		die "cannot set osd_client_watch_timeout"
fi
watch_timeout=$(ceph config get osd osd_client_watch_timeout 2>/dev/null || echo "?")
bsopts="conf=$work/bench.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"
iqn=iqn.2026-12.org.bs-rbd.bench:fo

env_of() { sed -n "s/^$2=//p" "$work/tgtd-$1/tgtd.env"; }

# gw_start N ADDR: tgtd gwN on ADDR with the image as LUN 1
gw_start()
{
	TGT_ADDR=$2 TGT_CTRL='' TGT_PORT='' \
		scripts/tgtd.sh start "$work/tgtd-gw$1" "$work/mod" >/dev/null
	local c
	c=$(env_of "gw$1" TGT_CTRL)
	tgtadm -C "$c" --lld iscsi --mode target --op new --tid 1 \
		--targetname "$iqn" &&
		tgtadm -C "$c" --lld iscsi --mode target --op bind --tid 1 -I ALL &&
		tgtadm -C "$c" --lld iscsi --mode logicalunit --op new --tid 1 \
			--lun 1 --bstype rbd --backing-store rbd/failover \
			--bsopts "$bsopts;gateway=gw$1"
}

url() { echo "iscsi://$(env_of "gw$1" TGT_ADDR):$(env_of "gw$1" TGT_PORT)/$iqn/1"; }

# write_via N: one 4 KiB write through gwN (bounded)
write_via() { timeout 120 qemu-io -f raw -c "write -P 0x5$1 0 4k" "$(url "$1")" >/dev/null 2>&1; }

ms() { date +%s%3N; }

unblock_all()
{
	local a
	for a in $(ceph osd blocklist ls 2>/dev/null | awk '{ print $1 }'); do
		ceph osd blocklist rm "$a" >/dev/null 2>&1
	done
}

# back_after: ms until a write through gw1 succeeds, or "never"
back_after()
{
	local t0 end
	t0=$(ms)
	end=$((t0 + back_s * 1000))
	while [ "$(ms)" -lt "$end" ]; do
		if timeout 10 qemu-io -f raw -c "write -P 0x61 4k 4k" "$(url 1)" \
			>/dev/null 2>&1; then
			echo $(($(ms) - t0))
			return
		fi
		sleep 0.5
	done
	echo never
}

# trial MODE: "TAKEOVER_MS BACK" for one trial
trial()
{
	local pid t0 take back
	write_via 1 || die "write through gw1 failed"
	pid=$(env_of gw1 TGT_PID)
	if [ "$1" = freeze ]; then kill -STOP "$pid"; else kill -KILL "$pid"; fi
	t0=$(ms)
	write_via 2 || die "write through gw2 failed"
	take=$(($(ms) - t0))
	if [ "$1" = freeze ]; then
		kill -CONT "$pid"
	else
		scripts/tgtd.sh stop "$work/tgtd-gw1" >/dev/null 2>&1 || true
		gw_start 1 127.0.0.1 || die "gw1 restart"
	fi
	back=$(back_after)
	echo "$take $back"
	# the next trial starts from a clean slate
	unblock_all
	scripts/tgtd.sh stop "$work/tgtd-gw1" >/dev/null 2>&1 || true
	gw_start 1 127.0.0.1 || die "gw1 restart"
}

timeout 60 rbd create --size 64M rbd/failover
gw_start 1 127.0.0.1 || die "gw1"
gw_start 2 127.0.0.2 || die "gw2"

# median and worst of the numbers on stdin ("never" is worst)
stats()
{
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- -"; exit }
		m = v[int((NR + 1) / 2)]; w = v[NR]
		for (i = 1; i <= NR; i++) if (v[i] == "never") w = "never"
		print m, w }'
}

declare -A TAKE BACK
for mode in freeze kill; do
	: >"$work/$mode.txt"
	for i in $(seq "$trials"); do
		r=$(trial "$mode")
		log "$mode $i: takeover ${r% *} ms, back ${r#* }"
		echo "$r" >>"$work/$mode.txt"
	done
	TAKE[$mode]=$(awk '{ print $1 }' "$work/$mode.txt" | stats)
	BACK[$mode]=$(awk '{ print $2 }' "$work/$mode.txt" | stats)
done

{
	echo "bs_rbd failover: two gateways, one image, the lock holder stopped"
	echo
	echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command:  make bench-failover  (BENCH_TRIALS=$trials BENCH_BACK_S=$back_s${BENCH_WATCH_TIMEOUT:+ BENCH_WATCH_TIMEOUT=$BENCH_WATCH_TIMEOUT})"
	echo "osds:     osd_client_watch_timeout = $watch_timeout s"
	echo "ours:     $(module_rev BENCH_SO)"
	echo
	echo "| stop of gw1 | takeover median ms | takeover worst ms | gw1 back median ms | gw1 back worst ms |"
	echo "|---|---|---|---|---|"
	for mode in freeze kill; do
		read -r tm tw <<<"${TAKE[$mode]}"
		read -r bm bw <<<"${BACK[$mode]}"
		echo "| $mode | $tm | $tw | $bm | $bw |"
	done
	echo
	echo "takeover: from the start of a 4 KiB write through gw2 to its end;"
	echo "back: from gw1's resumption (freeze) or restart with its LUN (kill)"
	echo "to a successful write through it, up to ${back_s} s (\"never\")."
} >"$results"
cat "$results"
finished=1
