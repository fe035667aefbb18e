# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Issue 13's defects, each reproduced against the real stack: what an
# initiator or an operator can do to a gateway with one command.  Every
# command that could hang is bounded; a tgtd that stops answering is
# killed, so that the cases after it fail instead of hanging.  The case
# that hung tgtd on the module of 4544898 (GET LBA STATUS) comes last.

HARD_T=20 # seconds any one command may take

hard_ceph() { timeout "$HARD_T" ceph -c "$CEPH_CONF" "$@" 2>/dev/null; }

# hard_scsi TID LUN [scsi_cmd options] CDB_HEX: scsi_cmd's result line,
# or "no answer (exit N)" when it did not complete within HARD_T
hard_scsi()
{
	local t=$1 l=$2 r rc
	shift 2
	r=$(timeout "$HARD_T" "$SCSI_CMD" "${@:1:$#-1}" "$(lun_url "$t" "$l")" \
		"${@: -1}" 2>/dev/null)
	rc=$?
	[ "$rc" = 0 ] && echo "$r" || echo "no answer (exit $rc) $r"
}

# hard_rbd_io IMAGE QEMU_IO_COMMAND: through librbd, not through tgtd
hard_rbd_io() { timeout 60 qemu-io -f raw -c "$2" "rbd:$1:conf=$CEPH_CONF" >/dev/null 2>&1; }

# hard_until SECONDS COMMAND...: COMMAND (itself bounded) succeeds within
# SECONDS, tried up to 10 times a second
hard_until()
{
	local i end=$(($(now_ms) + $1 * 1000))
	shift
	for ((i = 0; i < 3000; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 1
}

# hard_ended PID SECONDS: PID exited within SECONDS (else it is killed);
# its exit status in HARD_RC
hard_ended()
{
	if hard_until "$2" sh -c "! kill -0 $1"; then
		wait "$1" 2>/dev/null
		HARD_RC=$?
		return 0
	fi
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	HARD_RC=killed
	return 1
}

# The watchers of IMAGE, one per line.
hard_watchers() { timeout "$HARD_T" rbd -c "$CEPH_CONF" status "$1" 2>/dev/null | sed -n 's/.*watcher=\([^ ]*\) .*/\1/p'; }

hard_unwatched() { [ -z "$(hard_watchers "$1")" ]; }

# The statistics line of TID/LUN (bs_rbd_stats.c) shows a command in flight.
hard_inflight()
{
	grep -q "^lun tid=$1 lun=$2 .* inflight=[1-9]" "$(stats_file)" 2>/dev/null
}

# No BUG line of ours in tgtd's log since MARK.
hard_no_bug() { ! log_since "$1" | grep -q "rbd: .*BUG"; }

# hard_responsive: tgtd answers tgtadm within HARD_T.  If it does not, it
# is killed (check.sh then fails the cases after this one rather than
# hanging in them) and the case fails.
hard_responsive()
{
	timeout "$HARD_T" tgtadm -C "$TGT_CTRL" --lld iscsi --mode target \
		--op show >/dev/null 2>&1 && return 0
	tgtd_alive || { failed "tgtd died"; return 1; }
	kill -KILL "$TGT_PID"
	failed "tgtd did not answer tgtadm within $HARD_T s: killed it"
}

hard_free_port()
{
	local p
	for p in $(shuf -i 20000-29999 -n 50); do
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# ---- COMPARE AND WRITE: MISCOMPARE offset -----------------------------

# The INFORMATION of a MISCOMPARE is the offset in the compare data, also
# when the LBA lies past RADOS object 0 (LBA 10000 of 512 bytes: object 1
# of 4 MiB).  The module of 4544898 answered 4194311 (4 MiB + 7).
t_hardening_caw_miscompare_offset()
{
	local r tid=471 img=rbd/hard-caw
	rbd_ create --size 16M "$img" || return 1
	target_new $tid && lun_new $tid 1 "$img" || { failed "setup"; return 1; }
	hard_rbd_io "$img" "write -P 0x41 5120000 512" || failed "write 0x41 at LBA 10000"
	# compare data: 7 bytes equal, then different from byte 7 on
	bytes "$WORK/hard.caw" 7:41 505:00 512:43
	r=$(hard_scsi $tid 1 -f "$WORK/hard.caw" 89000000000000002710000000010000)
	expect_status "COMPARE AND WRITE at LBA 10000, differing at byte 7" "$r" \
		0x02 0xe 0x1d 0x00
	case "$r" in *" info=7") ;; *) failed "MISCOMPARE INFORMATION: '$r', want info=7" ;; esac
	hard_rbd_io "$img" "read -P 0x41 5120000 512" || failed "the block changed after a miscompare"
	# and a match there still writes
	bytes "$WORK/hard.caw" 512:41 512:44
	r=$(hard_scsi $tid 1 -f "$WORK/hard.caw" 89000000000000002710000000010000)
	expect_status "COMPARE AND WRITE at LBA 10000, equal" "$r" 0x00
	hard_rbd_io "$img" "read -P 0x44 5120000 512" || failed "not written after a match"
	target_del $tid
	rm -f "$WORK/hard.caw"
	image_drop "$img"
}

# ---- rbd_non_blocking_aio = false -------------------------------------

# hard_nb_refused WHAT SPEC: creating LUN 1 of 472 on SPEC fails and
# tgtd's log names rbd_non_blocking_aio
hard_nb_refused()
{
	local mark
	mark=$(log_mark)
	if lun_new 472 1 "$2" >/dev/null 2>&1; then
		failed "$1: the LUN was created"
		lun_del 472 1 >/dev/null 2>&1
	fi
	expect_log "$mark" "rbd_non_blocking_aio"
}

# With rbd_non_blocking_aio false, librbd runs every aio call in the
# caller's thread: tgtd's loop.  A pool or image setting is refused like
# the other settings that break the module's promises (46-image-settings);
# in a ceph.conf, the module turns it back on for its own clients, which
# the client's admin socket shows.
t_hardening_non_blocking_aio_false()
{
	local conf=$WORK/hard-nb.conf asok=$WORK/hard-nb.asok v u
	rbd_ create --size 8M rbd2/hard-nb && rbd_ create --size 8M rbd/hard-nb ||
		return 1
	target_new 472 || return 1

	rbd_ config pool set rbd2 rbd_non_blocking_aio false
	hard_nb_refused "pool setting" rbd2/hard-nb
	rbd_ config pool remove rbd2 rbd_non_blocking_aio

	rbd_ config image set rbd/hard-nb rbd_non_blocking_aio false
	hard_nb_refused "image setting" rbd/hard-nb
	rbd_ config image remove rbd/hard-nb rbd_non_blocking_aio

	# the conf: a client of its own, with an admin socket of its own
	{ cat "$CEPH_CONF"
	  printf '[client]\nrbd_non_blocking_aio = false\nadmin socket = %s\n' "$asok"; } >"$conf"
	u=$(lun_url 472 1)
	if lun_new 472 1 rbd/hard-nb \
		"conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"; then
		timeout 60 qemu-io -f raw -c "write -P 0x4e 0 64k" -c "read -P 0x4e 0 64k" \
			"$u" >/dev/null 2>&1 || failed "conf setting: I/O"
		v=$(timeout "$HARD_T" ceph --admin-daemon "$asok" config get \
			rbd_non_blocking_aio 2>&1)
		note "conf setting: the LU's client says $(tr -d ' \n' <<<"$v")"
		grep -q '"rbd_non_blocking_aio": "true"' <<<"$v" ||
			failed "conf setting: the LU's client runs with rbd_non_blocking_aio false"
		lun_del 472 1 || failed "conf setting: delete the LUN"
	else
		failed "conf setting: the LUN was refused"
	fi
	# nothing left over: the image settings are served again
	lun_new 472 1 rbd2/hard-nb || failed "pool setting removed: LUN refused"
	target_del 472
	rbd_ config pool remove rbd2 rbd_non_blocking_aio >/dev/null 2>&1
	rm -f "$conf"
	image_drop rbd2/hard-nb
	image_drop rbd/hard-nb
}

# ---- media change (--params path=) with I/O in flight -----------------

# tgt's media change (tgtadm --op update --params online=0, then path=X)
# closes and reopens the backing store of a live LU, whatever is in
# flight: here 12 writes of 0x63, which librbd's QoS of 1 IOPS on the old
# image holds for about 11 s; the new medium is a snapshot.  The module
# may refuse the change while commands are in flight (then it works once
# they ended) or take it with the commands finishing on the old image;
# either way acknowledged writes are on the old image, the LU then reads
# the new medium, nothing logs a BUG and no handle of the old image stays
# open.  The module of 4544898 took the change over the live requests,
# logged "BUG: closing with requests in flight" and kept the old image
# open for ever.
t_hardening_media_change_in_flight()
{
	local tid=473 a=rbd/hard-m1 b=rbd/hard-m2 u mark bg out r
	rbd_ create --size 16M $a && rbd_ create --size 16M $b || return 1
	hard_rbd_io $b "write -P 0x62 0 1M" && rbd_ snap create $b@s1 >/dev/null 2>&1 &&
		rbd_ config image set $a rbd_qos_iops_limit 1 || { failed "setup"; return 1; }
	target_new $tid && lun_new $tid 1 $a || { failed "setup"; return 1; }
	u=$(lun_url $tid 1)
	mark=$(log_mark)
	out=$WORK/hard.media
	timeout 60 qemu-img bench -f raw -t none -w -d 12 -c 12 -s 4k --pattern=0x63 \
		"$u" >"$out" 2>&1 &
	bg=$!
	hard_until 10 hard_inflight $tid 1 || failed "no write in flight within 10 s"
	r=$(hard_lu_update $tid 1 online=0) || failed "online=0: $r"
	r=$(hard_lu_update $tid 1 "path=$b@s1") ||
		failed "path= with commands in flight: ${r:-refused}"
	hard_inflight $tid 1 || failed "nothing was in flight any more at the change"
	check "tgtd answers during the change" target_show $tid
	hard_ended "$bg" 40 || failed "the writes did not end within 40 s"
	note "the writes in flight: $(tail -n 1 "$out")"
	hard_responsive || return 1
	hard_until 10 hard_no_inflight $tid 1 || failed "still in flight"
	target_show $tid | grep -q "Backing store path: $b@s1\$" ||
		failed "backing store after the change: $(target_show $tid | grep 'Backing store path')"
	timeout 60 qemu-io -r -f raw -c "read -P 0x62 0 1M" "$u" >/dev/null 2>&1 ||
		failed "the LU does not read the new medium"
	grep -q "^Run completed" "$out" ||
		failed "the writes in flight did not all succeed: $(tail -n 1 "$out")"
	hard_rbd_io $a "read -P 0x63 0 48k" ||
		failed "acknowledged writes are not on the old image"
	hard_until 10 hard_unwatched $a ||
		failed "the old image is still open (watched by $(hard_watchers $a))"
	hard_no_bug "$mark" || failed "BUG in tgtd's log: $(log_since "$mark" | grep -m 1 'rbd: .*BUG')"
	lun_del $tid 1 || failed "LU deletion"
	target_del $tid
	rm -f "$out"
	image_drop $a
	rbd_ snap purge $b >/dev/null 2>&1
	image_drop $b
}

# hard_lu_update TID LUN PARAMS: tgtadm --op update of an LU, bounded
hard_lu_update()
{
	timeout "$HARD_T" tgtadm -C "$TGT_CTRL" --lld iscsi --mode logicalunit \
		--op update --tid "$1" --lun "$2" --params "$3" 2>&1
}

hard_no_inflight() { ! hard_inflight "$@"; }

# ---- nested dispatch under a pending management request ---------------

# hard_silent_mon PORT MARKER: a "monitor" that accepts connections and
# never speaks, for up to 90 s; touches MARKER on the first connection
hard_silent_mon()
{
	python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
s.settimeout(1)
held = []
end = time.time() + 90
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    held.append(c)
    open(sys.argv[2], "a").close()' "$1" "$2"
}

# Connections waiting on tgtd's management socket (its listen backlog).
hard_mgmt_backlog()
{
	ss -xlH | awk -v p="/var/run/tgtd/socket.$TGT_CTRL" '$5 == p { print $3 }'
}

hard_mgmt_pending() { [ "$(hard_mgmt_backlog)" -ge 1 ] 2>/dev/null; }

# While a LUN creation waits for a silent cluster (connect_timeout=20),
# `tgtadm --op show` stays pending behind it; an initiator's 2000 reads
# of 4 KiB on another LU must finish before the creation gives up.  The
# module of 4544898 slept 10 ms each time the pending management socket
# came up in its nested dispatch (every other event): about 100 events
# a second for the other LUs, so the reads could not end in 20 s.
t_hardening_dispatch_with_mgmt_pending()
{
	local tid=474 port mon marker create show t0 t1 bench conf
	rbd_ create --size 16M rbd/hard-disp || return 1
	target_new $tid && lun_new $tid 1 rbd/hard-disp || { failed "setup"; return 1; }
	# warm up the session path once, outside the measured window
	timeout 60 qemu-io -f raw -c "read 0 4k" "$(lun_url $tid 1)" >/dev/null 2>&1 ||
		failed "a read before"
	port=$(hard_free_port)
	marker=$WORK/hard.mon-connected
	rm -f "$marker"
	hard_silent_mon "$port" "$marker" &
	mon=$!
	hard_until 10 sh -c "ss -ltnH 'sport = :$port' | grep -q ." ||
		failed "the silent monitor does not listen"
	conf=$WORK/hard-silent.conf
	printf '[global]\nmon_host = 127.0.0.1:%s\n' "$port" >"$conf"
	timeout 60 tgtadm -C "$TGT_CTRL" --lld iscsi --mode logicalunit --op new \
		--tid $tid --lun 2 --bstype rbd --backing-store rbd/any \
		--bsopts "conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring;connect_timeout=20" \
		>/dev/null 2>&1 &
	create=$!
	hard_until 10 test -e "$marker" || failed "the creation never reached the monitor"
	timeout 60 tgtadm -C "$TGT_CTRL" --lld iscsi --mode target --op show \
		>/dev/null 2>&1 &
	show=$!
	hard_until 10 hard_mgmt_pending ||
		failed "tgtadm --op show is not waiting on the management socket"
	t0=$(now_ms)
	bench=$(timeout 60 qemu-img bench -f raw -t none -d 1 -c 2000 -s 4k \
		"$(lun_url $tid 1)" 2>&1) || failed "qemu-img bench: $(tail -n 1 <<<"$bench")"
	t1=$(now_ms)
	if kill -0 "$create" 2>/dev/null; then
		note "2000 reads in $((t1 - t0)) ms while the creation waited"
	else
		failed "the creation ended before the 2000 reads ($((t1 - t0)) ms)"
	fi
	kill -0 "$show" 2>/dev/null ||
		note "tgtadm --op show was answered before the reads ended"
	hard_ended "$create" 40 || failed "the creation did not end"
	[ "$HARD_RC" != 0 ] || failed "a LUN was created on a silent cluster"
	hard_ended "$show" 20 || failed "tgtadm --op show did not end"
	[ "$HARD_RC" = 0 ] || failed "tgtadm --op show failed ($HARD_RC)"
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null
	hard_responsive || return 1
	target_del $tid
	rm -f "$conf" "$marker"
	image_drop rbd/hard-disp
}

# ---- the image removed under COMPARE AND WRITE and GET LBA STATUS -----

# The image is removed while tgtd is frozen and its watch lapses (as in
# 85-image-faults.sh); COMPARE AND WRITE, then GET LBA STATUS, end with
# NOT READY, MEDIUM NOT PRESENT like READ and WRITE do, within the time
# the removed-image watchdog takes.  On the module of 4544898 they
# skipped its checks: librbd held the COMPARE AND WRITE for ever.
t_hardening_removed_image_caw_gls()
{
	local tid=475 opts="$BSOPTS;op_timeout=5" r i t0 t1 img
	hard_ceph config set osd osd_client_watch_timeout 5 || return 1
	rbd_ create --size 16M rbd/hard-gone1 && rbd_ create --size 16M rbd/hard-gone2 ||
		return 1
	target_new $tid && lun_new $tid 1 rbd/hard-gone1 "$opts" &&
		lun_new $tid 2 rbd/hard-gone2 "$opts" || { failed "setup"; return 1; }
	for i in 1 2; do
		r=$(hard_scsi $tid $i -r 512 28000000000000000100)
		expect_status "READ of LU $i before" "$r" 0x00
	done
	bytes "$WORK/hard.caw" 512:00 512:e1
	# frozen tgtd: the OSD drops the watch, then `rbd rm` is allowed
	kill -STOP "$TGT_PID"
	for img in rbd/hard-gone1 rbd/hard-gone2; do
		hard_until 30 timeout 10 rbd -c "$CEPH_CONF" rm "$img" ||
			failed "rbd rm $img after the watch lapsed"
	done
	kill -CONT "$TGT_PID"
	hard_ceph config rm osd osd_client_watch_timeout
	# LU 1: COMPARE AND WRITE is the first command librbd holds
	t0=$(now_ms)
	r=$(HARD_T=30 hard_scsi $tid 1 -f "$WORK/hard.caw" 89080000000000000000000000010000)
	t1=$(now_ms)
	note "COMPARE AND WRITE of the removed image ended after $((t1 - t0)) ms: $r"
	expect_status "COMPARE AND WRITE, image removed" "$r" 0x02 0x2 0x3a 0x00
	# LU 2: a WRITE tells the LU; then neither command reaches librbd
	r=$(HARD_T=30 hard_scsi $tid 2 -w 512:0xe2 2a080000000000000100)
	expect_status "WRITE to LU 2, image removed" "$r" 0x02 0x2 0x3a 0x00
	for i in 2 1; do
		t0=$(now_ms)
		r=$(hard_scsi $tid $i -r 4096 9e120000000000000000000010000000)
		t1=$(now_ms)
		expect_status "GET LBA STATUS of LU $i, image removed" "$r" 0x02 0x2 0x3a 0x00
		[ $((t1 - t0)) -lt 5000 ] || failed "GET LBA STATUS of LU $i took $((t1 - t0)) ms"
	done
	t0=$(now_ms)
	r=$(hard_scsi $tid 2 -f "$WORK/hard.caw" 89000000000000000000000000010000)
	t1=$(now_ms)
	expect_status "COMPARE AND WRITE to LU 2, image removed" "$r" 0x02 0x2 0x3a 0x00
	[ $((t1 - t0)) -lt 5000 ] || failed "COMPARE AND WRITE of LU 2 took $((t1 - t0)) ms"
	hard_responsive || return 1
	check "INQUIRY" timeout "$HARD_T" iscsi-inq "$(lun_url $tid 1)"
	for i in 1 2; do
		timeout "$HARD_T" tgtadm -C "$TGT_CTRL" --lld iscsi --mode logicalunit \
			--op delete --tid $tid --lun $i >/dev/null 2>&1 ||
			failed "deleting LU $i of the removed image"
	done
	target_del $tid
	rm -f "$WORK/hard.caw"
}

# ---- deleting LUs while the OSDs do not answer ---------------------------

# hard_osd_pid: the test cluster's OSD
hard_osd_pid() { cat "$CEPH_DIR/run/osd.0.pid"; }

# With the OSD stopped (SIGSTOP), an image's close cannot finish (it
# releases the exclusive lock on the header object).  On the module of
# 4544898 each LU deletion waited connect_timeout for it, on tgtd's event
# loop: three LUs with connect_timeout=10, 30 s of a frozen tgtd.  Now
# the closes finish in the background once the OSD is back.
t_hardening_delete_during_osd_stall()
{
	local tid=477 i pid t0 ms opts="$BSOPTS;connect_timeout=10"
	for i in 1 2 3; do
		rbd_ create --size 8M "rbd/hard-del$i" || return 1
	done
	target_new $tid || return 1
	for i in 1 2 3; do
		lun_new $tid "$i" "rbd/hard-del$i" "$opts" &&
			qemu-io -f raw -c "write -P 0x4$i 0 64k" "$(lun_url $tid "$i")" \
				>/dev/null || { failed "LU $i"; target_del $tid; return 1; }
	done
	pid=$(hard_osd_pid)
	kill -STOP "$pid" || { failed "SIGSTOP osd"; return 1; }
	t0=$(now_ms)
	for i in 1 2 3; do
		timeout "$HARD_T" tgtadm -C "$TGT_CTRL" --lld iscsi --mode logicalunit \
			--op delete --tid $tid --lun "$i" || failed "deleting LU $i"
	done
	ms=$(($(now_ms) - t0))
	check "tgtd answers during the stall" target_show $tid
	kill -CONT "$pid"
	note "3 LUs deleted in $ms ms with the OSD stopped"
	# one connect_timeout (10 s) is what a single blocking close took
	[ "$ms" -lt 10000 ] || failed "deleting 3 LUs took $ms ms"
	for i in 1 2 3; do
		hard_until 60 hard_unwatched "rbd/hard-del$i" ||
			failed "rbd/hard-del$i still open 60 s after the OSD came back"
	done
	target_del $tid
	for i in 1 2 3; do image_drop "rbd/hard-del$i"; done
}

# ---- GET LBA STATUS: bounded, on the image its request holds ------------

# With the OSD stopped, a GET LBA STATUS waits (op_timeout) on a worker
# thread; a second one on the same LU is answered BUSY at once instead of
# taking another thread, and the worker pool stays at 4 threads at most.
# The module of 4544898 started a thread per command, unbounded, each
# reading the LU's image off the main loop.
t_hardening_gls_bounded()
{
	local tid=479 pid r t0
	# no object map: the diff has to ask the OSD about every object
	rbd_ create --size 64M --image-feature layering,exclusive-lock \
		rbd/hard-glsb || return 1
	target_new $tid && lun_new $tid 1 rbd/hard-glsb "$BSOPTS;op_timeout=6" ||
		{ failed "LU"; return 1; }
	hard_write_good $tid 1 || failed "write"
	pid=$(hard_osd_pid)
	kill -STOP "$pid" || { failed "SIGSTOP osd"; return 1; }
	hard_scsi $tid 1 -r 4096 9e120000000000000000000010000000 >"$WORK/hard.gls1" &
	hard_until 10 hard_inflight $tid 1 || failed "the first GET LBA STATUS is not in flight"
	t0=$(now_ms)
	r=$(hard_scsi $tid 1 -r 4096 9e120000000000000000000010000000)
	note "a second GET LBA STATUS: $r after $(($(now_ms) - t0)) ms"
	expect_status "a second GET LBA STATUS while one waits" "$r" 0x08
	[ "$(tgtd_workers)" -le 4 ] || failed "$(tgtd_workers) worker threads"
	kill -CONT "$pid"
	wait
	target_del $tid
	image_drop rbd/hard-glsb
}

# ---- settings checked again when a fenced LU comes back -----------------

# hard_write_status TID LUN: the status line of a 4 KiB WRITE(10) at LBA 8
hard_write_status() { hard_scsi "$1" "$2" -w 4096:0x5a 2a000000000800000800; }

# hard_write_good TID LUN: a WRITE succeeds
hard_write_good() { hard_write_status "$@" | grep -q '^status=0x00'; }

# A fenced LU moves to a new client by itself; an image setting bs_rbd
# refuses (rbd_non_blocking_aio=false), set before the fence, keeps it
# from serving until the setting is removed.  The module of 4544898 did not
# look at the settings again: it served (once the entry was removed).
t_hardening_settings_checked_on_reopen()
{
	local tid=478 img=rbd/hard-reopen addr r mark
	rbd_ create --size 16M $img || return 1
	target_new $tid || return 1
	# a client of its own (op_timeout): the fence hits no other LU
	lun_new $tid 1 $img "$BSOPTS;op_timeout=28" || { failed "LU"; return 1; }
	hard_write_good $tid 1 || failed "write before the fence"
	addr=$(hard_watchers $img | head -n 1)
	[ -n "$addr" ] || { failed "no watcher"; target_del $tid; return 1; }
	rbd_ config image set $img rbd_non_blocking_aio false ||
		failed "image setting"
	mark=$(log_mark)
	hard_ceph osd blocklist add "$addr" >/dev/null || failed "blocklist add"
	r=$(hard_write_status $tid 1)
	expect_status "WRITE while fenced" "$r" 0x02 0x2 0x04 0x0a
	hard_ceph osd blocklist rm "$addr" >/dev/null || failed "blocklist rm"
	wait_log "$mark" "rbd_non_blocking_aio=false" 20
	r=$(hard_write_status $tid 1)
	expect_status "WRITE with a refused setting" "$r" 0x02 0x2 0x04 0x0a
	rbd_ config image remove $img rbd_non_blocking_aio || failed "remove"
	hard_until 20 hard_write_good $tid 1 ||
		failed "no write within 20 s of removing the setting"
	target_del $tid
	for addr in $(hard_ceph osd blocklist ls | awk '{ print $1 }'); do
		hard_ceph osd blocklist rm "$addr" >/dev/null
	done
	image_drop $img
}

# ---- GET LBA STATUS on a 4096-byte LU with a partial last block -------

# hard_lba_status TID LUN LBA: "lba:blocks:status ..." from GET LBA STATUS,
# or "error:RESULT"
hard_lba_status()
{
	local r
	r=$(hard_scsi "$1" "$2" -r 4096 -o "$WORK/hard.gls" \
		"9e12$(printf %016x "$3")000010000000")
	case "$r" in status=0x00*) ;; *) echo "error:$r"; return ;; esac
	lba_status_descs "$WORK/hard.gls"
}

# hard_gls_is TID LBA WANT: GET LBA STATUS of LU 1 at LBA gives WANT, and
# LU 2 and tgtd keep answering
hard_gls_is()
{
	local got
	got=$(hard_lba_status "$1" 1 "$2")
	[ "$got" = "$3" ] || failed "GET LBA STATUS at LBA $2: got '$got', want '$3'"
	check "INQUIRY of LU 2 after GET LBA STATUS at $2" \
		timeout "$HARD_T" iscsi-inq "$(lun_url "$1" 2)"
	hard_responsive
}

# 24576 blocks of 4096 bytes and 1536 bytes more: GET LBA STATUS answers
# for the whole blocks, the last one included, and tgtd keeps serving its
# other LUs.  On the module of 4544898 the descriptor builder looped for
# ever on the partial block, on tgtd's main loop: the last case of this
# file, since tgtd is killed if it stops answering.
t_hardening_gls_partial_last_block()
{
	local tid=476 img=rbd/hard-gls got want
	rbd_ create --size 100664832B "$img" || return 1
	[ "$(rbd_ info --format json "$img" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["size"])')" = 100664832 ] ||
		{ failed "image size"; return 1; }
	# object 23 (the last whole blocks) and object 24 (the 1536 bytes)
	hard_rbd_io "$img" "write -P 0x67 $((100663296 - 4096)) 5632" ||
		failed "write at the end"
	rbd_ create --size 8M rbd/hard-gls-other || return 1
	target_new $tid && tgtadm_ --mode logicalunit --op new --tid $tid --lun 1 \
		--bstype rbd --backing-store "$img" --bsopts "$BSOPTS" --blocksize 4096 &&
		lun_new $tid 2 rbd/hard-gls-other || { failed "setup"; target_del $tid; return 1; }
	check "INQUIRY of LU 2 before" timeout "$HARD_T" iscsi-inq "$(lun_url $tid 2)"
	hard_gls_is $tid 24575 "24575:1:0" || return 1
	hard_gls_is $tid 0 "0:23552:1 23552:1024:0" || return 1
	target_del $tid
	rm -f "$WORK/hard.gls"
	image_drop "$img"
	image_drop rbd/hard-gls-other
}
