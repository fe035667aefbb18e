#!/bin/bash
# Run the stock /usr/sbin/tgtd with the backing-store modules of MODDIR.
# Usage: scripts/tgtd.sh start DIR MODDIR
#        scripts/tgtd.sh stop DIR
# tgtd dlopen()s every file in /usr/lib/tgt/backing-store; it runs in a
# private mount namespace where MODDIR is bind-mounted over that directory.
# Env: TGT_CTRL (control port, default: free one in 100..999), TGT_ADDR
# (the portal's address, default 127.0.0.1; a gateway of several may take
# 127.0.0.2 or 127.0.0.3, loopback only), TGT_PORT (iSCSI port, default:
# free one >= 13260), TGTD_EXTRA_ENV
# ("VAR=value ..." set for tgtd only, e.g. LD_PRELOAD/ASAN_OPTIONS),
# TGTD_WRAPPER (command prefix, e.g. "valgrind --log-file=..."), TGTD_ARGS
# (extra tgtd options, e.g. "-d 1"), TGTD_START_TIMEOUT (seconds, 10).
# The environment (CEPH_CONF, ...) is passed on to tgtd.
# Writes DIR/tgtd.log, DIR/tgtd.pid, DIR/tgtd.env (TGT_CTRL TGT_ADDR
# TGT_PORT TGT_PID).
# SPDX-License-Identifier: GPL-2.0-only
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

TGTD=/usr/sbin/tgtd
BSDIR=/usr/lib/tgt/backing-store
IPC=/var/run/tgtd/socket

usage() { echo "usage: $0 start DIR MODDIR | stop DIR" >&2; exit 2; }

# A control port is busy while a tgtd holds the POSIX lock on socket.N.lock.
ctrl_in_use() {
	local ino
	[ -e "$IPC.$1.lock" ] || return 1
	ino=$(stat -c %i "$IPC.$1.lock") || return 1
	grep -q ":$ino " /proc/locks
}

free_ctrl() {
	local n
	for n in $(seq 100 999); do
		ctrl_in_use "$n" || { echo "$n"; return 0; }
	done
	return 1
}

env_get() { sed -n "s/^$1=//p" "$D/tgtd.env" 2>/dev/null; }

tgtadm_() { timeout "${TGTADM_TIMEOUT:-10}" tgtadm -C "$CTRL" "$@"; }

answers() { tgtadm_ --lld iscsi --mode system --op show; }

# tgtd's pid is identified by "tgtd -f -C N" on its command line.
pat() { echo "$TGTD -f -C $1 "; }

start_cleanup() {
	local rc=$?
	[ $rc = 0 ] && return 0
	show_tail "$D/tgtd.log"
	log "start failed, stopping tgtd"
	do_stop
	exit $rc
}

do_start() {
	local pid deadline
	need_root
	[ -d "$MODDIR" ] || die "module dir $MODDIR does not exist"
	if pid_matches "$(env_get TGT_PID)" "$(pat "$(env_get TGT_CTRL)")"; then
		die "tgtd of $D already running (stop it first)"
	fi
	mkdir -p "$D" "$BSDIR" /var/run/tgtd
	rm -f "$D/tgtd.env" "$D/tgtd.pid"
	trap start_cleanup EXIT
	port_lock
	CTRL=${TGT_CTRL:-$(free_ctrl)} || die "no free control port"
	ctrl_in_use "$CTRL" && die "control port $CTRL is in use"
	PORT=${TGT_PORT:-$(free_port 13260)}
	port_in_use "$PORT" && die "TCP port $PORT is in use"
	ADDR=${TGT_ADDR:-127.0.0.1}
	case $ADDR in
	127.*) ;;
	*) die "TGT_ADDR=$ADDR: test gateways listen on loopback only" ;;
	esac

	# Without job control, a background job is not a process group leader,
	# so setsid does not fork: $! is the pid tgtd ends up with (sh and env
	# exec; unshare -m without --fork execs too).
	# shellcheck disable=SC2016,SC2086
	setsid unshare -m --propagation private sh -c \
		'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$MODDIR" "$BSDIR" \
		env ${TGTD_EXTRA_ENV:-} ${TGTD_WRAPPER:-} \
		$TGTD -f -C "$CTRL" --iscsi "portal=$ADDR:$PORT" ${TGTD_ARGS:-} \
		>>"$D/tgtd.log" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$D/tgtd.pid"
	printf 'TGT_CTRL=%s\nTGT_ADDR=%s\nTGT_PORT=%s\nTGT_PID=%s\n' "$CTRL" "$ADDR" \
		"$PORT" "$pid" >"$D/tgtd.env"

	deadline=$(($(date +%s) + ${TGTD_START_TIMEOUT:-10}))
	until answers >/dev/null 2>&1 && port_in_use "$PORT"; do
		# until it execs tgtd, $pid is still setsid/unshare/sh/env
		kill -0 "$pid" 2>/dev/null || die "tgtd exited"
		[ "$(date +%s)" -lt "$deadline" ] || die "tgtd did not answer on control port $CTRL"
		sleep 0.1
	done
	port_unlock
	ss -Hltnp "sport = :$PORT" | grep -q "pid=$pid," ||
		die "iSCSI port $PORT is not served by pid $pid"
	trap - EXIT
	log "tgtd pid $pid, control port $CTRL, iSCSI $ADDR:$PORT"
}

do_stop() {
	local pid CTRL tid
	pid=$(env_get TGT_PID)
	CTRL=$(env_get TGT_CTRL)
	[ -n "$pid" ] || return 0
	if pid_matches "$pid" "$(pat "$CTRL")"; then
		# tgtd 1.0.85 ignores SIGTERM and "system delete" (even --force)
		# while targets exist: delete them first (this also closes LUNs).
		TGTADM_TIMEOUT=5
		if tgtadm_ --op update --mode sys --name State -v offline >/dev/null 2>&1; then
			for tid in $(tgtadm_ --lld iscsi --mode target --op show 2>/dev/null |
				sed -n 's/^Target \([0-9]*\):.*/\1/p'); do
				tgtadm_ --lld iscsi --mode target --op delete --force --tid "$tid" ||
					log "warning: could not delete target $tid"
			done
			tgtadm_ --op delete --mode system >/dev/null 2>&1 || true
			wait_for 5 pid_gone "$pid" "$(pat "$CTRL")" || true
		fi
		stop_pid "$pid" "$(pat "$CTRL")" 10
	fi
	rm -f "$D/tgtd.pid"
}

case ${1:-} in
start) [ $# = 3 ] || usage ;;
stop) [ $# = 2 ] || usage ;;
*) usage ;;
esac
D=$(abs_dir "$2")
D=${D%/}
[ -n "$D" ] || die "DIR must not be /"
case $1 in
start) MODDIR=$(abs_dir "$3"); do_start ;;
stop) do_stop ;;
esac
