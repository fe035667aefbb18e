#!/bin/bash
# Throw-away single-node Ceph cluster (1 mon + 1 osd, memstore or bluestore)
# under one dir.
# Usage: scripts/cluster.sh start|stop|status|restart-osd DIR
#   start: env CEPH_MON_PORT picks the mon port (default: first free >= 16789).
#   env CEPH_OBJECTSTORE=bluestore: the osd keeps its data in a small sparse
#   file (DIR/osd/ceph-0/block, 1 GiB) instead of memory, so that it
#   survives an osd restart; default memstore (lost when the osd stops).
#   restart-osd: SIGKILL the osd if it runs, start it again, wait until it
#   is up and in (for fault tests; needs bluestore to keep the data).
#   Writes DIR/ceph.conf, DIR/env, DIR/ceph.client.{admin,tgt}.keyring,
#   DIR/{mon,osd,run,log}/.  Pools: rbd, rbd2.
#   start-mgr: add a ceph-mgr (mgr.x, DIR/mgr/) to the running cluster,
#   without python modules, for tests that need PG stats (pool quotas);
#   stop stops it too.
# SPDX-License-Identifier: GPL-2.0-only
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

START_TIMEOUT=${CLUSTER_START_TIMEOUT:-60}

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }

daemon_pidfile() { echo "$D/run/$1.pid"; }

# The pattern identifying daemons of this cluster: "-c DIR/ceph.conf".
daemon_running() { pid_matches "$(cat "$(daemon_pidfile "$1")" 2>/dev/null)" "-c $D/ceph.conf"; }

write_conf() {
	cat >"$D/ceph.conf" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$PORT
mon initial members = a
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind msgr2 = true
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
auth allow insecure global id reclaim = false
keyring = $D/ceph.\$name.keyring
run dir = $D/run
admin socket = $D/run/\$name.\$pid.asok
log file = $D/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
paxos propose interval = 0.1

[mon]
# the mon binds the address from its monmap: v2:127.0.0.1:$PORT
mon data = $D/mon/\$cluster-\$id
admin socket = $D/run/\$name.asok
keyring = $D/mon/\$cluster-\$id/keyring
pid file = $D/run/\$name.pid
mon cluster log file = $D/log/cluster.log

[osd]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd data = $D/osd/\$cluster-\$id
admin socket = $D/run/\$name.asok
keyring = $D/osd/\$cluster-\$id/keyring
pid file = $D/run/\$name.pid
$(objectstore_conf)
osd op num shards = 2
osd op num threads per shard = 1
osd crush update on start = true
EOF
}

# [osd] settings of the object store chosen by CEPH_OBJECTSTORE.
objectstore_conf() {
	case $OBJECTSTORE in
	memstore)
		printf '%s\n' 'osd objectstore = memstore' \
			'memstore device bytes = 4294967296'
		;;
	bluestore)
		# a sparse file, a fixed small cache, no fsck or discard
		printf '%s\n' 'osd objectstore = bluestore' \
			'bluestore block create = true' \
			'bluestore block size = 1073741824' \
			'bluestore fsck on mount = false' \
			'bluestore cache autotune = false' \
			'bluestore cache size = 67108864' \
			'bdev enable discard = false'
		;;
	esac
}

# start_daemon NAME BINARY ARGS...: run in foreground mode in its own session.
start_daemon() {
	local name=$1 bin=$2
	shift 2
	setsid "$bin" -f -c "$D/ceph.conf" --setuser root --setgroup root "$@" \
		>>"$D/log/$name.out" 2>&1 </dev/null 9>&- &
	echo $! >"$(daemon_pidfile "$name")"
}

# wait_daemon SECONDS NAME CMD...: poll CMD until it succeeds; fail early
# if daemon NAME exits, fail after SECONDS.
wait_daemon() {
	local deadline=$(($(date +%s) + $1)) name=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		daemon_running "$name" || fail "$name exited"
		[ "$(date +%s)" -lt "$deadline" ] || fail "timeout waiting for $name: $*"
		sleep 0.2
	done
}

ceph_() { timeout 20 ceph -c "$D/ceph.conf" "$@"; }

osd_up_in() {
	ceph_ osd dump -f json | grep -q '"up":1,"in":1'
}

# osd_up_in_new: osd.0 is up and in, and the monitors know the new
# instance (its address nonce is its pid), not the killed one
osd_up_in_new() {
	local dump
	dump=$(ceph_ osd dump -f json) || return 1
	grep -q '"up":1,"in":1' <<<"$dump" &&
		grep -q "/$(cat "$(daemon_pidfile osd.0)")\"" <<<"$dump"
}

mkfs_and_start() {
	local osd_uuid key
	mkdir -p "$D/mon/ceph-a" "$D/osd/ceph-0" "$D/run" "$D/log"
	FSID=$(cat /proc/sys/kernel/random/uuid)
	write_conf

	ceph-authtool "$D/run/mon.keyring" --create-keyring --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null
	ceph-authtool "$D/ceph.client.admin.keyring" --create-keyring --gen-key -n client.admin \
		--cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --mode 0600 >/dev/null
	ceph-authtool "$D/run/mon.keyring" --import-keyring "$D/ceph.client.admin.keyring" >/dev/null
	monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$PORT]" "$D/run/monmap" >/dev/null
	ceph-mon -c "$D/ceph.conf" --mkfs -i a --monmap "$D/run/monmap" \
		--keyring "$D/run/mon.keyring" --setuser root --setgroup root >>"$D/log/mon.a.out" 2>&1
	[ -d "$D/mon/ceph-a/store.db" ] || fail "mon mkfs failed"
	rm -f "$D/run/mon.keyring" "$D/run/monmap"

	start_daemon mon.a ceph-mon -i a
	wait_daemon 20 mon.a ceph_ mon stat
	port_unlock

	osd_uuid=$(cat /proc/sys/kernel/random/uuid)
	key=$(ceph-authtool --gen-print-key)
	printf '[osd.0]\n\tkey = %s\n' "$key" >"$D/osd/ceph-0/keyring"
	echo "{\"cephx_secret\": \"$key\"}" >"$D/run/osd-secret.json"
	ceph_ osd new "$osd_uuid" 0 -i "$D/run/osd-secret.json" >/dev/null
	rm -f "$D/run/osd-secret.json"
	ceph-osd -c "$D/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" \
		--setuser root --setgroup root >>"$D/log/osd.0.out" 2>&1 ||
		fail "osd mkfs failed"
	start_daemon osd.0 ceph-osd -i 0
}

create_pools() {
	local p out
	for p in rbd rbd2; do
		out=$(ceph_ osd pool create "$p" 8 8 2>&1) || fail "pool create $p: $out"
	done
	# rbd pool init writes an object: it returns once the PG is active.
	for p in rbd rbd2; do
		timeout 30 rbd -c "$D/ceph.conf" pool init "$p" || fail "pool $p not active"
	done
	ceph_ auth get-or-create client.tgt mon 'profile rbd' osd 'profile rbd' \
		-o "$D/ceph.client.tgt.keyring"
	chmod 600 "$D/ceph.client.tgt.keyring"
}

wait_clean() {
	wait_daemon "$START_TIMEOUT" osd.0 osd_up_in
}

write_env() {
	cat >"$D/env" <<EOF
CEPH_CONF=$D/ceph.conf
CEPH_MON_PORT=$PORT
CEPH_DIR=$D
export CEPH_CONF CEPH_MON_PORT CEPH_DIR
EOF
}

fail() { log "error: $*"; exit 1; }

# EXIT trap of start: on any failure show the logs and stop what we started.
start_cleanup() {
	local rc=$?
	[ $rc = 0 ] && return 0
	show_tail "$D/log/mon.a.out" "$D/log/mon.a.log" "$D/log/osd.0.out" "$D/log/osd.0.log"
	log "start failed, stopping daemons"
	do_stop
	exit $rc
}

do_start() {
	local t0
	t0=$(date +%s%N)
	need_root
	if daemon_running mon.a || daemon_running osd.0; then
		die "cluster in $D already running (stop it first)"
	fi
	# A fresh cluster every time: DIR must be empty or one we used before
	# (marker file), whose contents we then drop.
	if [ -n "$(ls -A "$D" 2>/dev/null)" ] && [ ! -f "$D/.cluster-sh" ]; then
		die "$D is neither empty nor an old cluster.sh directory"
	fi
	rm -rf "$D/mon" "$D/osd" "$D/run" "$D/log" "$D/env" "$D/ceph.conf" "$D"/ceph.client.*.keyring
	mkdir -p "$D"
	touch "$D/.cluster-sh"
	trap start_cleanup EXIT
	port_lock
	PORT=${CEPH_MON_PORT:-$(free_port 16789)}
	port_in_use "$PORT" && die "port $PORT is in use"
	mkfs_and_start
	wait_clean
	create_pools
	write_env
	trap - EXIT
	log "cluster up in $D (mon 127.0.0.1:$PORT, $((($(date +%s%N) - t0) / 1000000)) ms)"
}

# exited PID: the process is gone or a zombie (its files are closed).
exited() { ! grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; }

# The osd again, after a crash or a kill: same data, new address.
do_restart_osd() {
	local pid t0
	t0=$(date +%s%N)
	need_root
	[ -f "$D/ceph.conf" ] || die "no cluster in $D"
	daemon_running mon.a || die "mon.a of $D is not running"
	# a memstore osd loses everything when it stops
	grep -qx 'osd objectstore = bluestore' "$D/ceph.conf" ||
		die "restart-osd needs a cluster started with CEPH_OBJECTSTORE=bluestore"
	pid=$(cat "$(daemon_pidfile osd.0)" 2>/dev/null) || pid=
	if daemon_running osd.0; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# until it is reaped it may still hold its pid file lock
	[ -z "$pid" ] || wait_for 10 exited "$pid" || die "osd.0 did not die"
	start_daemon osd.0 ceph-osd -i 0
	wait_daemon "$START_TIMEOUT" osd.0 osd_up_in_new
	log "osd.0 restarted ($((($(date +%s%N) - t0) / 1000000)) ms)"
}

# mgr_available: the mon names an active mgr
mgr_available() { ceph_ mgr dump -f json | grep -q '"available": *true'; }

# A ceph-mgr for a running cluster, so that PG stats reach the mon (pool
# quotas, ceph df).  Without python modules (an empty module path: up in
# under a second, little CPU; ceph health lists the always-on modules as
# failed); OSDs report their stats every second, and the mon, which checks
# pool quotas on its tick, ticks every second (default 5).
do_start_mgr() {
	local t0 m=$D/mgr/ceph-x
	t0=$(date +%s%N)
	need_root
	daemon_running mon.a || die "mon.a of $D is not running"
	daemon_running mgr.x && die "mgr.x of $D is already running"
	rm -rf "$m"
	mkdir -p "$m/modules"
	ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' \
		mds 'allow *' -o "$m/keyring" >/dev/null || die "no key for mgr.x"
	ceph_ config set mon mon_tick_interval 1 || die "mon_tick_interval"
	start_daemon mgr.x ceph-mgr -i x --mgr-data "$m" --keyring "$m/keyring" \
		--mgr-module-path "$m/modules" --mgr-stats-period 1
	wait_daemon 20 mgr.x mgr_available
	log "mgr.x up ($((($(date +%s%N) - t0) / 1000000)) ms)"
}

do_stop() {
	local n pid
	for n in mgr.x osd.0 mon.a; do
		pid=$(cat "$(daemon_pidfile "$n")" 2>/dev/null) || continue
		stop_pid "$pid" "-c $D/ceph.conf" 10
		rm -f "$(daemon_pidfile "$n")"
	done
}

do_status() {
	local n rc=0
	for n in mon.a osd.0; do
		if daemon_running "$n"; then
			echo "$n running (pid $(cat "$(daemon_pidfile "$n")"))"
		else
			echo "$n not running"
			rc=3
		fi
	done
	[ $rc = 0 ] || return $rc
	ceph_ health && ceph_ osd stat
}

[ $# = 2 ] || usage
OBJECTSTORE=${CEPH_OBJECTSTORE:-memstore}
case $OBJECTSTORE in
memstore | bluestore) ;;
*) die "CEPH_OBJECTSTORE must be memstore or bluestore, not '$OBJECTSTORE'" ;;
esac
D=$(abs_dir "$2")
D=${D%/}
[ -n "$D" ] || die "DIR must not be /"
case $1 in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
start-mgr) do_start_mgr ;;
restart-osd) do_restart_osd ;;
*) usage ;;
esac
