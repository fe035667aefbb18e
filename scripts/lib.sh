# shellcheck shell=bash
# Shared helpers for scripts/*.sh (sourced, not executed).
# SPDX-License-Identifier: GPL-2.0-only

PROG=${PROG:-$(basename "$0")}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

# abs_dir DIR: absolute form of DIR (need not exist yet).
abs_dir() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

# port_in_use PORT: true if something listens on TCP PORT (any address).
port_in_use() {
	ss -Hltn "sport = :$1" | grep -q .
}

# free_port FROM: first TCP port >= FROM nobody listens on.
free_port() {
	local p=$1
	while port_in_use "$p"; do
		p=$((p + 1))
		[ "$p" -lt 65536 ] || return 1
	done
	echo "$p"
}

# Serialise port picking + daemon bind across concurrent start-ups.
# Daemons must be started with "9>&-" so that they do not inherit the lock.
PORT_LOCK=/run/lock/bs_rbd-ports.lock
[ -d /run/lock ] || PORT_LOCK=/tmp/bs_rbd-ports.lock
port_lock() {
	exec 9>"$PORT_LOCK"
	flock -w 60 9 || die "could not take $PORT_LOCK"
}
port_unlock() { exec 9>&-; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# pid_matches PID PATTERN: PID is alive and its command line contains
# PATTERN (arguments joined by spaces).  Guards against recycled pids.
pid_matches() {
	local cmd
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	case "$cmd" in *"$2"*) return 0 ;; esac
	return 1
}

pid_gone() { ! pid_matches "$@"; }

# stop_pid PID PATTERN TIMEOUT: SIGTERM, wait up to TIMEOUT s, SIGKILL.
stop_pid() {
	local pid=$1 pat=$2 t=$3
	pid_matches "$pid" "$pat" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_for "$t" pid_gone "$pid" "$pat"; then
		log "pid $pid did not exit after ${t}s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		wait_for 5 pid_gone "$pid" "$pat" ||
			log "warning: pid $pid still present"
	fi
}

# show_tail FILE...: last lines of log files, to stderr.
show_tail() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		printf '%s: ---- tail of %s ----\n' "$PROG" "$f" >&2
		tail -n "${TAIL_LINES:-30}" "$f" >&2
	done
}

# fetch_debian_module DIR: download Debian's tgt-rbd package into DIR (never
# install it) and unpack it.  Sets DEB_MODDIR (its backing-store directory)
# and DEB_VER, or returns 1 with the reason in DEB_ERR.
fetch_debian_module() {
	local out deb
	DEB_MODDIR='' DEB_VER='' DEB_ERR=''
	mkdir -p "$1/pkg"
	if ! out=$(cd "$1/pkg" && timeout 120 apt-get download -q \
		-o APT::Sandbox::User=root tgt-rbd 2>&1); then
		DEB_ERR="apt-get download tgt-rbd failed: $(printf '%s\n' "$out" | grep . | tail -n 1)"
		return 1
	fi
	deb=$(find "$1/pkg" -name 'tgt-rbd_*.deb' | head -n 1)
	DEB_VER=$(dpkg-deb -f "$deb" Version)
	dpkg-deb -x "$deb" "$1/root"
	DEB_MODDIR=$1/root/usr/lib/tgt/backing-store
	if [ ! -f "$DEB_MODDIR/bs_rbd.so" ]; then
		DEB_ERR="no usr/lib/tgt/backing-store/bs_rbd.so in $(basename "$deb")"
		return 1
	fi
}

# bench_cluster WORK: the benchmarks' cluster under WORK/ceph.  Sources its
# env (CEPH_CONF, CEPH_DIR; exported) and writes WORK/bench.conf, its
# ceph.conf with librbd's cache off on every path (qemu -t none forces it
# off on the librbd path, so only this compares like with like).
bench_cluster() {
	log "cluster in $1/ceph"
	scripts/cluster.sh start "$1/ceph"
	# shellcheck source=/dev/null
	. "$1/ceph/env"
	export CEPH_CONF CEPH_DIR
	unset CEPH_ARGS
	cp "$CEPH_DIR/ceph.conf" "$1/bench.conf"
	printf '\n[client]\nrbd cache = false\n' >>"$1/bench.conf"
}

# module_rev VAR: which build of our module a benchmark measures: "VAR=path"
# when the environment variable VAR names one, else the git revision (and
# whether usr/ has uncommitted changes).
module_rev() {
	local r
	if [ -n "${!1:-}" ]; then
		echo "$1=${!1}"
		return 0
	fi
	r="git $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	[ -z "$(git status --porcelain -- usr 2>/dev/null)" ] ||
		r="$r + uncommitted changes in usr/"
	echo "$r"
}

# bench_cleanup RC KEEP...: the benchmarks' exit handler.  Stops the load
# generator $child and the daemons under $work; once the run finished
# ($finished=1) only the files named KEEP (find -name patterns) stay in
# $work, else everything stays for a look at the logs.  Exits with RC.
bench_cleanup() {
	local rc=$1 keep=() p
	shift
	trap - EXIT INT TERM HUP
	bench_stop "$work" "${child:-}"
	if [ "${finished:-0}" = 1 ]; then
		for p in "$@"; do
			keep+=(! -name "$p")
		done
		find "$work" -mindepth 1 -maxdepth 1 "${keep[@]}" -exec rm -rf {} +
	else
		log "FAILED (exit $rc); daemons stopped, logs kept in $work"
	fi
	exit "$rc"
}

# bench_stop WORK [PID]: end the load generator PID if it still runs, then
# stop the benchmarks' tgtds (WORK/tgtd-*) and cluster under WORK.
bench_stop() {
	if [ -n "${2:-}" ] && kill -0 "$2" 2>/dev/null; then
		kill -TERM "$2" 2>/dev/null || true
		wait "$2" 2>/dev/null || true
	fi
	local d
	for d in "$1"/tgtd-*; do
		if [ -d "$d" ]; then scripts/tgtd.sh stop "$d" >/dev/null 2>&1 || true; fi
	done
	scripts/cluster.sh stop "$1/ceph" >/dev/null 2>&1 || true
}

# bench_bed WORK: a throwaway memstore cluster and one stock tgtd loading
# usr/bs_rbd.so, under WORK; both stopped and WORK removed on exit.  Sets
# the cluster's and tgtd's environment (CEPH_CONF, CEPH_DIR, TGT_CTRL,
# TGT_PORT, ...) and BED_OPTS, the --bsopts of the cluster's tgt client.
# median: the median of the numbers on stdin, one per line
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

bench_bed() {
	BED_WORK=$1
	mkdir -p "$BED_WORK/modules"
	cp usr/bs_rbd.so "$BED_WORK/modules/"
	trap bench_bed_stop EXIT
	trap 'exit 130' INT TERM
	scripts/cluster.sh start "$BED_WORK/ceph" >/dev/null
	scripts/tgtd.sh start "$BED_WORK/tgtd" "$BED_WORK/modules" >/dev/null
	# shellcheck source=/dev/null
	. "$BED_WORK/ceph/env"
	# shellcheck source=/dev/null
	. "$BED_WORK/tgtd/tgtd.env"
	BED_OPTS="conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"
}

# On bench_bed's tgtd: bed_adm ARGS (tgtadm), bed_target TID IQN (open to
# every initiator), bed_lun TID LUN IMAGE [BSOPTS] (default BED_OPTS)
bed_adm() { tgtadm -C "$TGT_CTRL" --lld iscsi "$@"; }
bed_target() {
	bed_adm --mode target --op new --tid "$1" --targetname "$2" &&
		bed_adm --mode target --op bind --tid "$1" -I ALL
}
bed_lun() {
	bed_adm --mode logicalunit --op new --tid "$1" --lun "$2" --bstype rbd \
		--backing-store "$3" --bsopts "${4:-$BED_OPTS}"
}

bench_bed_stop() {
	scripts/tgtd.sh stop "$BED_WORK/tgtd" >/dev/null 2>&1 || true
	scripts/cluster.sh stop "$BED_WORK/ceph" >/dev/null 2>&1 || true
	rm -rf "$BED_WORK"
}
