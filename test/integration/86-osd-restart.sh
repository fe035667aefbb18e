# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# An OSD killed (SIGKILL) during FUA writes and restarted: the commands in
# flight end within op_timeout with a retryable sense, the LU serves I/O
# again without a tgtd restart, and every write acknowledged before the
# kill reads back.  Needs an OSD that keeps its data over a restart: a
# cluster of its own with a bluestore OSD (scripts/cluster.sh restart-osd).

OSDR_TID=86
OSDR_TIMEOUT=3 # op_timeout of the LU, seconds

# osdr_fua_writes URL N: FUA WRITE(10)s of 64 KiB, write i at LBA
# 16384 + 128 i filled with byte i % 250 + 1, one session each, until one
# fails or N are done; "i start_ms end_ms result" per write
osdr_fua_writes()
{
	local i r t0
	for i in $(seq 0 $(($2 - 1))); do
		t0=$(now_ms)
		r=$("$SCSI_CMD" -w "65536:$((i % 250 + 1))" "$1" \
			"2a08$(printf %08x $((16384 + i * 128)))00008000" 2>&1)
		echo "$i $t0 $(now_ms) $r"
		case "$r" in status=0x00*) ;; *) return 0 ;; esac
	done
}

# osdr_until_good SECONDS CMD...: run CMD every 0.2 s until it succeeds;
# prints the milliseconds it took
osdr_until_good()
{
	local t0 deadline
	t0=$(now_ms)
	deadline=$((t0 + $1 * 1000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	echo $(($(now_ms) - t0))
}

osdr_body()
{
	local c=$1 u kill_ms ms r n last args i b t1
	local opts="conf=$c/ceph.conf;id=tgt;keyring=$c/ceph.client.tgt.keyring;op_timeout=$OSDR_TIMEOUT"
	rbd -c "$c/ceph.conf" create --size 64M rbd/osdr || { failed "image"; return 1; }
	target_new $OSDR_TID || return 1
	lun_new $OSDR_TID 1 rbd/osdr "$opts" || { failed "LUN"; return 1; }
	u=$(lun_url $OSDR_TID 1)
	qemu-io -f raw -c "write -P 0x5a 0 8M" -c flush "$u" >/dev/null ||
		failed "8 MiB written and flushed before the kill"

	# FUA writes back to back; SIGKILL the OSD in the middle of them
	osdr_fua_writes "$u" 2000 >"$WORK/osdr.log" &
	sleep 1
	kill_ms=$(now_ms)
	kill -KILL "$(cat "$c/run/osd.0.pid")" || failed "kill the OSD"
	check "tgtd answers INQUIRY without its OSD" iscsi-inq "$u"
	wait $!
	n=$(grep -c '^[0-9]* [0-9]* [0-9]* status=0x00 ' "$WORK/osdr.log")
	last=$(tail -n 1 "$WORK/osdr.log")
	read -r _ _ t1 r <<<"$last"
	ms=$((t1 - kill_ms))
	note "$n FUA writes acknowledged before the kill; the one in flight ended $ms ms after it: $r"
	[ "$n" -ge 5 ] || failed "only $n writes before the kill"
	case "$r" in
	"status=0x02 key=0xb asc=0x2e ascq=0x02"* | "status=0x02 key=0x2 "*) ;;
	*) failed "command in flight: '$r', want ABORTED COMMAND (2E/02) or NOT READY" ;;
	esac
	# one op_timeout per OSD operation: librbd may wait for one (a FUA
	# write's own, an object map update) before the one that times out
	# (3.0 s as a rule, 6.0 s seen once under ASan)
	[ "$ms" -lt $((2 * OSDR_TIMEOUT * 1000 + 2000)) ] ||
		failed "the command in flight ended $ms ms after the kill, op_timeout=$OSDR_TIMEOUT s"

	scripts/cluster.sh restart-osd "$c" >/dev/null 2>&1 || { failed "restart-osd"; return 1; }
	ms=$(osdr_until_good 30 qemu-io -f raw -c "write -P 0x6b 40M 64k" -c flush "$u") ||
		failed "no write succeeded within 30 s of the OSD's return"
	note "writes succeed again ${ms:-never} ms after the OSD is back (tgtd pid unchanged)"
	# every acknowledged write is intact, and the new one too
	args=(-c "read -P 0x5a 0 8M" -c "read -P 0x6b 40M 64k")
	while read -r i _ _ r; do
		case "$r" in status=0x00*) ;; *) continue ;; esac
		b=$((i % 250 + 1))
		args+=(-c "read -P $b $(((16384 + i * 128) * 512)) 64k")
	done <"$WORK/osdr.log"
	qemu-io -r -f raw "${args[@]}" "$u" >"$WORK/osdr.read" 2>&1 ||
		failed "acknowledged data after the restart: $(grep -m 1 -i -e fail -e error "$WORK/osdr.read")"
	[ "$(grep -c '^read ' "$WORK/osdr.read")" = $((n + 2)) ] ||
		failed "read back $(grep -c '^read ' "$WORK/osdr.read") of $((n + 2)) ranges"
	# Closing the image may wait for a notification librbd sent while the
	# OSD was away (librbd gives up on it after 5 s, the lost watch times
	# out after 30 s): the deletion is bounded by connect_timeout (5 s),
	# the rest of the close finishes in the background.
	ms=$(now_ms)
	lun_del $OSDR_TID 1 || failed "LU deletion"
	ms=$(($(now_ms) - ms))
	[ "$ms" -lt 6500 ] || failed "LU deletion took $ms ms, connect_timeout is 5 s"
	t1=$(osdr_until_good 2 osdr_unwatched "$c") || t1="more than 2000"
	note "LU deleted in $ms ms; the image unwatched $t1 ms later"
}

osdr_unwatched() { ! rbd -c "$1/ceph.conf" status rbd/osdr 2>/dev/null | grep -q watcher=; }

t_osd_killed_and_restarted()
{
	local c=$WORK/ceph-osdr t0
	t0=$(now_ms)
	env -u CEPH_MON_PORT CEPH_OBJECTSTORE=bluestore \
		scripts/cluster.sh start "$c" >"$WORK/osdr.cluster" 2>&1 ||
		{ failed "bluestore cluster: $(tail -n 3 "$WORK/osdr.cluster")"; return 1; }
	note "bluestore cluster up in $(($(now_ms) - t0)) ms"
	osdr_body "$c"
	target_del $OSDR_TID
	scripts/cluster.sh stop "$c" >/dev/null 2>&1
	rm -rf "$c" "$WORK"/osdr.*
}
