# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The image changes or goes away under an exported LU, the LU is deleted
# or tgtd is stopped while initiators are busy: every command ends with a
# sense that says what happened, tgtd lives on (or exits cleanly when told
# to), and nothing stays behind on the cluster.

IMGF_TID=85

imgf_ceph() { ceph -c "$CEPH_CONF" "$@" 2>/dev/null; }

# The watchers of IMAGE (rados client addresses), one per line.
imgf_watchers() { rbd_ status "$1" 2>/dev/null | sed -n 's/.*watcher=\([^ ]*\) .*/\1/p'; }

# imgf_unwatched IMAGE SECONDS: nobody watches IMAGE, within SECONDS
imgf_unwatched()
{
	local i
	for i in $(seq $(($2 * 5))); do
		[ -z "$(imgf_watchers "$1")" ] && return 0
		sleep 0.2
	done
	return 1
}

# imgf_read_is URL OFFSET LEN PATTERN: the LU reads back PATTERN there
imgf_read_is() { qemu-io -r -f raw -c "read -P $4 $2 $3" "$1" >/dev/null 2>&1; }

# No BUG line of ours in tgtd's log since MARK.
imgf_no_bug() { ! log_since "$1" | grep -q "rbd: .*BUG"; }

# imgf_bench URL OUT: qemu-img bench, 16 writes of 4 KiB in flight (or
# IMGF_DEPTH: fewer let a tgtd under valgrind find a moment without any),
# for up to 60 s, in the background; its pid in IMGF_BENCH
imgf_bench()
{
	timeout 60 qemu-img bench -f raw -w -t none -d "${IMGF_DEPTH:-16}" \
		-s 4k -c 10000000 \
		"$1" >"$2" 2>&1 &
	IMGF_BENCH=$!
}

# imgf_ended PID SECONDS: PID exited within SECONDS; its status in
# IMGF_RC (the timeout of imgf_bench says 124)
imgf_ended()
{
	local i
	for i in $(seq $(($2 * 10))); do
		if ! kill -0 "$1" 2>/dev/null; then
			{ wait "$1"; } 2>/dev/null
			IMGF_RC=$?
			return 0
		fi
		sleep 0.1
	done
	kill "$1" 2>/dev/null
	{ wait "$1"; } 2>/dev/null
	return 1
}

# imgf_lun_del_retry TID LUN SECONDS: delete the LU, retrying while tgt
# says it is still active; the number of refusals in IMGF_REFUSED
imgf_lun_del_retry()
{
	local i out
	IMGF_REFUSED=0
	for i in $(seq $(($3 * 20))); do
		out=$(lun_del "$1" "$2" 2>&1) && return 0
		case "$out" in
		*"still active"*) IMGF_REFUSED=$((IMGF_REFUSED + 1)) ;;
		*) failed "deleting the LU: $out"; return 1 ;;
		esac
		sleep 0.05
	done
	return 1
}

# `rbd rm` refuses an exported image (the LU watches it); renaming it and
# moving it to the trash do not disturb the LU, which holds the image by
# its id; once the LU is deleted nothing watches the image any more.
t_image_rm_refused_rename_trash()
{
	local u id
	rbd_ create --size 16M rbd/imgf-a || return 1
	target_new $IMGF_TID || return 1
	lun_new $IMGF_TID 1 rbd/imgf-a || { failed "LUN"; return 1; }
	u=$(lun_url $IMGF_TID 1)
	qemu-io -f raw -c "write -P 0xa1 0 1M" -c flush "$u" >/dev/null ||
		failed "write before the changes"
	rbd_ rm rbd/imgf-a >/dev/null 2>&1 && failed "rbd rm of an exported image succeeded"
	rbd_ info rbd/imgf-a >/dev/null 2>&1 || failed "the image is gone after a refused rm"
	imgf_read_is "$u" 0 1M 0xa1 || failed "data after the refused rm"

	rbd_ mv rbd/imgf-a rbd/imgf-b || failed "rbd mv"
	qemu-io -f raw -c "write -P 0xa2 1M 1M" -c flush "$u" >/dev/null ||
		failed "write after the rename"
	imgf_read_is "$u" 0 1M 0xa1 && imgf_read_is "$u" 1M 1M 0xa2 ||
		failed "data after the rename"

	rbd_ trash mv rbd/imgf-b || failed "rbd trash mv"
	id=$(rbd_ trash ls | awk '$2 == "imgf-b" { print $1 }')
	[ -n "$id" ] || failed "the image is not in the trash"
	qemu-io -f raw -c "write -P 0xa3 2M 1M" -c flush "$u" >/dev/null ||
		failed "write with the image in the trash"
	imgf_read_is "$u" 2M 1M 0xa3 || failed "data with the image in the trash"
	# librbd refuses to purge it while the LU watches it
	rbd_ trash rm "$id" >/dev/null 2>&1 && failed "trash rm of an exported image succeeded"
	check "target show" target_show $IMGF_TID
	lun_del $IMGF_TID 1 || failed "LU deletion"
	# the LU's close released the watch: the purge works at once
	rbd_ trash rm "$id" >/dev/null 2>&1 || failed "trash rm after the LU was deleted"
	target_del $IMGF_TID
}

# The real way an exported image is removed underneath: its client is
# blocklisted, then `rbd rm` works.  The LU finds out from its next command
# (04/0A: it moves to a new client), and its reopen finds the image gone.
# The old client could read again once the entry is removed, but reads of
# deleted objects would return zeroes: every command must keep failing
# with NOT READY, MEDIUM NOT PRESENT (3A/00) until the LU is deleted, which
# must work at once.
t_image_removed_while_fenced()
{
	local u addr r mark t0
	# a connection of its own (op_timeout): the fence hits no other LU
	local opts="$BSOPTS;op_timeout=29"
	rbd_ create --size 16M rbd/imgf-gone || return 1
	target_new $IMGF_TID || return 1
	lun_new $IMGF_TID 1 rbd/imgf-gone "$opts" || { failed "LUN"; return 1; }
	u=$(lun_url $IMGF_TID 1)
	qemu-io -f raw -c "write -P 0xb1 0 64k" -c flush "$u" >/dev/null ||
		failed "write before the removal"
	addr=$(imgf_watchers rbd/imgf-gone | head -n 1)
	[ -n "$addr" ] || { failed "no watcher"; target_del $IMGF_TID; return 1; }
	mark=$(log_mark)
	imgf_ceph osd blocklist add "$addr" >/dev/null || failed "blocklist add"
	timeout 30 rbd -c "$CEPH_CONF" rm rbd/imgf-gone >/dev/null 2>&1 ||
		failed "rbd rm with the client blocklisted"
	r=$(scsi $IMGF_TID 1 -r 512 28000000000000000100)
	expect_status "READ, image removed, client fenced" "$r" 0x02 0x2 0x04 0x0a
	# the LU reopens the image, which is not there: wait for that
	wait_log "$mark" "the image was removed from the cluster" 20
	imgf_ceph osd blocklist rm "$addr" >/dev/null || failed "blocklist rm"
	# READ would return zeroes with GOOD if it reached the old client;
	# and no data-in with the error (tgt would send its buffer as it is)
	r=$(scsi $IMGF_TID 1 -r 512 28000000000000000100)
	expect_status "READ after the entry was removed" "$r" 0x02 0x2 0x3a 0x00
	case "$r" in *" residual=512"*) ;; *) failed "data-in with the error: $r" ;; esac
	r=$(scsi $IMGF_TID 1 -w 512:0xb2 2a080000000000000100)
	expect_status "WRITE after the entry was removed" "$r" 0x02 0x2 0x3a 0x00
	r=$(scsi $IMGF_TID 1 35000000000000000000)
	expect_status "SYNCHRONIZE CACHE after the entry was removed" "$r" 0x02 0x2 0x3a 0x00
	r=$(scsi $IMGF_TID 1 -w 512:0xb1 2f020000000000000100)
	expect_status "VERIFY after the entry was removed" "$r" 0x02 0x2 0x3a 0x00
	check "INQUIRY" inquiry_ok "$u"
	expect_log "$mark" "blocklisted this client"
	t0=$(now_ms)
	lun_del $IMGF_TID 1 || failed "deleting the LU of the removed image"
	[ $(($(now_ms) - t0)) -lt 6000 ] || failed "LU deletion took $(($(now_ms) - t0)) ms"
	imgf_no_bug "$mark" || failed "BUG in tgtd's log"
	# the same options get a working client again
	rbd_ create --size 16M rbd/imgf-new || failed "new image"
	lun_new $IMGF_TID 1 rbd/imgf-new "$opts" || failed "LU with the same options"
	qemu-io -f raw -c "write -P 0xb3 0 64k" -c "read -P 0xb3 0 64k" "$u" \
		>/dev/null || failed "I/O on a new LU with the same options"
	target_del $IMGF_TID
	# librbd blocklists the old address again when it breaks the lock
	for addr in $(imgf_ceph osd blocklist ls | awk '{ print $1 }'); do
		imgf_ceph osd blocklist rm "$addr" >/dev/null
	done
	image_drop rbd/imgf-new
}

# imgf_loop URL STOP OUT SCSI_CMD_ARGS...: the same command from fresh
# sessions, back to back, until the file STOP exists (60 s at most); one
# result line each in OUT
imgf_loop()
{
	local u=$1 stop=$2 out=$3 end=$(($(date +%s) + 60))
	shift 3
	while [ ! -e "$stop" ] && [ "$(date +%s)" -lt "$end" ]; do
		"$SCSI_CMD" "${@:1:$#-1}" "$u" "${@: -1}" 2>&1
	done >"$out"
}

# imgf_each_has SECONDS REGEX FILE...: every FILE has a line matching
# REGEX, within SECONDS
imgf_each_has()
{
	local n=$(($1 * 10)) re=$2 i f all
	shift 2
	for ((i = 0; i < n; i++)); do
		all=1
		for f in "$@"; do
			grep -q -- "$re" "$f" 2>/dev/null || { all=0; break; }
		done
		[ "$all" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# imgf_nexuses_are N SECONDS: IMGF_TID has N I_T nexuses, within SECONDS
imgf_nexuses_are()
{
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(target_show $IMGF_TID | grep -c 'I_T nexus: ')" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Shrinking an image under commands that straddle the new end.  A command
# the LU range-checked before the size change reaches librbd after it:
# librbd then reads short.  That must be LBA OUT OF RANGE like any later
# command, not MEDIUM ERROR (a bad block to the initiator) nor, for VERIFY,
# a compare against bytes never read.  Then an open session gets CAPACITY
# DATA HAS CHANGED, and the blocks that remain are intact.  Each round
# waits for conditions, not for a time: the TEST UNIT READY session is
# logged in and every loop has had a command succeed before the shrink,
# and the loops run until each has seen LBA OUT OF RANGE after it.
t_image_shrunk_under_io()
{
	local u round f r ok bad=0 pids tur stop=$WORK/imgf.stop
	local ua='^status=0x02 key=0x6 asc=0x2a ascq=0x09 '
	local oor='^status=0x02 key=0x5 asc=0x21 ascq=0x00 '
	rbd_ create --size 64M rbd/imgf-shrink || return 1
	target_new $IMGF_TID || return 1
	u=$(lun_url $IMGF_TID 1)
	# three rounds: each catches the race about half the time
	for round in 1 2 3; do
		[ $round = 1 ] || rbd_ resize --size 64M rbd/imgf-shrink >/dev/null 2>&1
		lun_new $IMGF_TID 1 rbd/imgf-shrink || { failed "LUN"; break; }
		qemu-io -f raw -c "write -P 0xc1 31M 2M" -c flush "$u" >/dev/null ||
			failed "write before the shrink"
		rm -f "$stop" "$WORK"/imgf.r1 "$WORK"/imgf.r2 "$WORK"/imgf.v
		# one session, TEST UNIT READY every 100 ms until one is not GOOD
		imgf_nexuses_are 0 10 || failed "round $round: sessions left over"
		"$SCSI_CMD" -n 600 "$u" 00000000000000 >"$WORK/imgf.tur" &
		tur=$!
		imgf_nexuses_are 1 10 || failed "round $round: the TEST UNIT READY session did not log in"
		# 128 blocks from LBA 65472: straddles 32 MiB
		imgf_loop "$u" "$stop" "$WORK/imgf.r1" -r 65536 28000000ffc000008000 &
		pids=$!
		imgf_loop "$u" "$stop" "$WORK/imgf.r2" -r 65536 28000000ffc000008000 &
		pids="$pids $!"
		imgf_loop "$u" "$stop" "$WORK/imgf.v" -w 65536:0xc1 2f020000ffc000008000 &
		pids="$pids $!"
		imgf_each_has 20 '^status=0x00 ' "$WORK"/imgf.r1 "$WORK"/imgf.r2 "$WORK"/imgf.v ||
			failed "round $round: the commands did not succeed before the shrink"
		rbd_ resize --size 32M --allow-shrink rbd/imgf-shrink >/dev/null 2>&1 ||
			failed "rbd resize --allow-shrink"
		imgf_each_has 30 "$oor" "$WORK"/imgf.r1 "$WORK"/imgf.r2 "$WORK"/imgf.v ||
			note "round $round: not every loop saw LBA OUT OF RANGE within 30 s"
		touch "$stop"
		# shellcheck disable=SC2086
		wait $pids
		imgf_ended "$tur" 30 || failed "round $round: TEST UNIT READY still GOOD 30 s after the shrink"
		# a READ refused has no data-in (residual: all of it); a session
		# that logged in before the change may get the unit attention
		for f in "$WORK"/imgf.r1 "$WORK"/imgf.r2 "$WORK"/imgf.v; do
			ok="${oor}residual=65536\$"
			[ "$f" = "$WORK/imgf.v" ] && ok=$oor
			grep -v -e '^status=0x00 ' -e "$ok" -e "$ua" "$f" | sort | uniq -c |
				sed "s/^/      round $round: /"
			bad=$((bad + $(grep -c -v -e '^status=0x00 ' -e "$ok" -e "$ua" "$f")))
			grep -q "$ok" "$f" ||
				failed "round $round: no LBA OUT OF RANGE in $(basename "$f")"
		done
		tail -n 1 "$WORK/imgf.tur" | grep -q "$ua" ||
			failed "no CAPACITY DATA HAS CHANGED: $(tail -n 1 "$WORK/imgf.tur")"
		lun_del $IMGF_TID 1 || failed "LU deletion"
	done
	[ "$bad" = 0 ] || failed "$bad commands ended with another sense"
	lun_new $IMGF_TID 1 rbd/imgf-shrink || failed "LUN after the shrinks"
	imgf_read_is "$u" 31M 1M 0xc1 || failed "the remaining blocks"
	r=$(scsi $IMGF_TID 1 -w 512:0xc2 2a080000ffff00000100)
	expect_status "WRITE of the last block" "$r" 0x00
	r=$(scsi $IMGF_TID 1 -w 512:0xc2 2a080001000000000100)
	expect_status "WRITE past the new end" "$r" 0x02 0x5 0x21 0x00
	target_del $IMGF_TID
	rm -f "$WORK"/imgf.*
	image_drop rbd/imgf-shrink
}

# Deleting an LU while an initiator keeps 16 writes in flight: tgt refuses
# while commands are active and succeeds in a gap between them; the
# initiator's next command gets LOGICAL UNIT NOT SUPPORTED.  Nothing of the
# LU stays behind: no watch, no BUG, and a new LU works.
t_inflight_lun_delete()
{
	local u mark t0 t1
	rbd_ create --size 64M rbd/imgf-busy || return 1
	target_new $IMGF_TID || return 1
	lun_new $IMGF_TID 1 rbd/imgf-busy || { failed "LUN"; return 1; }
	u=$(lun_url $IMGF_TID 1)
	mark=$(log_mark)
	imgf_bench "$u" "$WORK/imgf.bench"
	sleep 1
	kill -0 "$IMGF_BENCH" 2>/dev/null || failed "qemu-img bench did not run: $(tail -n 2 "$WORK/imgf.bench")"
	t0=$(now_ms)
	# tgt deletes the LU only at a moment none of its 16 commands is in
	# flight: chance decides when (9 ms to 11.5 s seen; slowest with ASan)
	imgf_lun_del_retry $IMGF_TID 1 30 ||
		failed "LU still not deleted after 30 s of retries"
	t1=$(now_ms)
	note "LU deleted under load after $((t1 - t0)) ms, $IMGF_REFUSED refusals (still active)"
	imgf_ended "$IMGF_BENCH" 10 || failed "the initiator still runs 10 s after the deletion"
	[ "${IMGF_RC:-0}" != 0 ] && [ "${IMGF_RC:-0}" != 124 ] ||
		failed "qemu-img bench ended with status ${IMGF_RC:-?}"
	grep -q "LOGICAL_UNIT_NOT_SUPPORTED" "$WORK/imgf.bench" ||
		failed "initiator's error: $(grep -m 1 -i fail "$WORK/imgf.bench")"
	check "tgtd answers" target_show $IMGF_TID
	imgf_no_bug "$mark" || failed "BUG in tgtd's log"
	imgf_unwatched rbd/imgf-busy 5 || failed "the image is still watched"
	lun_new $IMGF_TID 1 rbd/imgf-busy || failed "a new LU"
	qemu-io -f raw -c "write -P 0xd1 0 1M" -c "read -P 0xd1 0 1M" "$u" \
		>/dev/null || failed "I/O on the new LU"
	target_del $IMGF_TID
	rm -f "$WORK/imgf.bench"
	image_drop rbd/imgf-busy
}

# The initiator dies (SIGKILL) with 16 writes in flight and the LU is
# deleted at once: the commands finish for a connection that is gone.
t_inflight_initiator_killed()
{
	local u mark
	rbd_ create --size 64M rbd/imgf-orphan || return 1
	target_new $IMGF_TID || return 1
	lun_new $IMGF_TID 1 rbd/imgf-orphan || { failed "LUN"; return 1; }
	u=$(lun_url $IMGF_TID 1)
	mark=$(log_mark)
	imgf_bench "$u" "$WORK/imgf.bench"
	sleep 1
	# timeout's child is qemu-img; timeout then dies of the same signal
	# (disowned: no "Killed" from bash)
	disown "$IMGF_BENCH"
	kill -KILL "$(pgrep -P "$IMGF_BENCH")" || failed "no qemu-img to kill"
	imgf_lun_del_retry $IMGF_TID 1 10 || failed "LU not deleted within 10 s"
	note "LU deleted after the initiator's death, $IMGF_REFUSED refusals"
	imgf_ended "$IMGF_BENCH" 5 || failed "qemu-img survived SIGKILL"
	check "tgtd answers" target_show $IMGF_TID
	imgf_no_bug "$mark" || failed "BUG in tgtd's log"
	imgf_unwatched rbd/imgf-orphan 5 || failed "the image is still watched"
	target_del $IMGF_TID
	rm -f "$WORK/imgf.bench"
	image_drop rbd/imgf-orphan
}

# imgf_reaper FILE CMD...: run CMD as a child subreaper: processes CMD
# leaves behind (a daemon) become its children when CMD exits, and their
# exit statuses are written to FILE ("PID exit N" or "PID signal N").
imgf_reaper()
{
	python3 -c 'import ctypes, os, subprocess, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
out = open(sys.argv[1], "a", buffering=1)
out.write("start %d\n" % subprocess.call(sys.argv[2:]))
while True:
    try:
        pid, st = os.wait()
    except ChildProcessError:
        break
    if os.WIFSIGNALED(st):
        out.write("%d signal %d\n" % (pid, os.WTERMSIG(st)))
    else:
        out.write("%d exit %d\n" % (pid, os.WEXITSTATUS(st)))' "$@"
}

# A tgtd stopped the way an init script does (offline, delete the targets,
# delete the system) while an initiator keeps 16 writes in flight: it
# exits with status 0 within a bound, and its client leaves no watch.
t_inflight_tgtd_stop()
{
	local d=$WORK/tgtd-stop ctrl port pid url i t0 line
	rbd_ create --size 64M rbd/imgf-stop || return 1
	mkdir -p "$d"
	rm -f "$d/exits"
	imgf_reaper "$d/exits" env -u TGT_CTRL -u TGT_PORT \
		scripts/tgtd.sh start "$d" "$WORK/modules" >/dev/null 2>&1 &
	for i in $(seq 100); do
		grep -q '^start ' "$d/exits" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^start 0$' "$d/exits" 2>/dev/null ||
		{ failed "second tgtd did not start"; scripts/tgtd.sh stop "$d"; return 1; }
	ctrl=$(sed -n 's/^TGT_CTRL=//p' "$d/tgtd.env")
	port=$(sed -n 's/^TGT_PORT=//p' "$d/tgtd.env")
	pid=$(sed -n 's/^TGT_PID=//p' "$d/tgtd.env")
	tgtadm -C "$ctrl" --lld iscsi --mode target --op new --tid 1 \
		--targetname "$(iqn stop)" &&
		tgtadm -C "$ctrl" --lld iscsi --mode target --op bind --tid 1 -I ALL &&
		tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op new --tid 1 \
			--lun 1 --bstype rbd --backing-store rbd/imgf-stop --bsopts "$BSOPTS" ||
		failed "LUN on the second tgtd"
	url="iscsi://127.0.0.1:$port/$(iqn stop)/1"
	imgf_bench "$url" "$WORK/imgf.bench"
	sleep 1
	[ -n "$(imgf_watchers rbd/imgf-stop)" ] || failed "the LU does not watch its image"
	# tgtd 1.0.85 ignores SIGTERM while it has targets
	kill -TERM "$pid"
	sleep 0.5
	kill -0 "$pid" 2>/dev/null || failed "SIGTERM stopped tgtd"
	kill -0 "$IMGF_BENCH" 2>/dev/null || failed "SIGTERM stopped the I/O"
	t0=$(now_ms)
	tgtadm -C "$ctrl" --op update --mode sys --name State -v offline ||
		failed "offline"
	for i in $(seq 200); do
		tgtadm -C "$ctrl" --lld iscsi --mode target --op delete --force \
			--tid 1 >/dev/null 2>&1 && break
		sleep 0.05
	done
	note "target deleted after $((i - 1)) refusals (LU still active)"
	tgtadm -C "$ctrl" --op delete --mode system || failed "system delete"
	for i in $(seq 100); do
		grep -q "^$pid " "$d/exits" && break
		sleep 0.1
	done
	line=$(grep "^$pid " "$d/exits")
	note "tgtd stopped $(($(now_ms) - t0)) ms after 'offline' under load: ${line:-still running}"
	[ "$line" = "$pid exit 0" ] || failed "tgtd ended with '${line:-nothing within 10 s}'"
	ss -Hltn "sport = :$port" | grep -q . && failed "port $port still served"
	# qemu's iSCSI driver reconnects forever (its commands wait)
	imgf_ended "$IMGF_BENCH" 1 || note "qemu-img was still reconnecting: stopped it"
	! grep -q -e segfault -e "rbd: .*BUG" -e ceph_assert -e "terminate called" "$d/tgtd.log" ||
		failed "tgtd's log: $(grep -m 1 -e segfault -e "rbd: .*BUG" -e ceph_assert -e "terminate called" "$d/tgtd.log")"
	imgf_unwatched rbd/imgf-stop 5 || failed "watch left behind: $(imgf_watchers rbd/imgf-stop)"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	rm -f "$WORK/imgf.bench"
	image_drop rbd/imgf-stop
}

# The image is removed with no blocklisting: tgtd is frozen until the OSD
# drops its watch (it held no exclusive lock: it never wrote).  librbd can
# then never watch the header again, so it never takes the lock and holds
# a write for ever.  bs_rbd notices the held write, finds the header gone
# and ends it with NOT READY, MEDIUM NOT PRESENT, like every command after
# it; the LU can then be deleted at once.
t_image_removed_after_watch_lapsed()
{
	local u r t0 t1 mark opts="$BSOPTS;op_timeout=5"
	imgf_ceph config set osd osd_client_watch_timeout 5 || return 1
	rbd_ create --size 16M rbd/imgf-lapsed || return 1
	target_new $IMGF_TID || return 1
	lun_new $IMGF_TID 1 rbd/imgf-lapsed "$opts" || { failed "LUN"; return 1; }
	u=$(lun_url $IMGF_TID 1)
	r=$(scsi $IMGF_TID 1 -r 512 28000000000000000100)
	expect_status "READ before" "$r" 0x00
	mark=$(log_mark)
	kill -STOP "$TGT_PID"
	sleep 8
	rbd_ rm rbd/imgf-lapsed >/dev/null 2>&1 || failed "rbd rm after the watch lapsed"
	kill -CONT "$TGT_PID"
	imgf_ceph config rm osd osd_client_watch_timeout
	sleep 1
	# the first command is a write: librbd holds it (no READ told it first)
	t0=$(now_ms)
	r=$(timeout 30 "$SCSI_CMD" -w 512:0xe1 "$u" 2a080000000000000100)
	t1=$(now_ms)
	note "FUA WRITE of the removed image ended after $((t1 - t0)) ms: ${r:-no answer}"
	expect_status "FUA WRITE of the removed image" "${r:-no answer within 30 s}" \
		0x02 0x2 0x3a 0x00
	[ $((t1 - t0)) -lt 12000 ] || failed "the held WRITE took $((t1 - t0)) ms"
	expect_log "$mark" "the image was removed from the cluster: 1 command"
	# later commands do not reach librbd
	t0=$(now_ms)
	r=$(scsi $IMGF_TID 1 -w 512:0xe2 2a000000000000000100)
	expect_status "WRITE after" "$r" 0x02 0x2 0x3a 0x00
	r=$(scsi $IMGF_TID 1 -r 512 28000000000000000100)
	expect_status "READ after" "$r" 0x02 0x2 0x3a 0x00
	case "$r" in *" residual=512"*) ;; *) failed "data-in with the error: $r" ;; esac
	[ $(($(now_ms) - t0)) -lt 3000 ] || failed "commands after took $(($(now_ms) - t0)) ms"
	sleep 1.2 # the statistics file is rewritten every second
	grep -q "tid=$IMGF_TID lun=1 .*state=removed" "$(stats_file)" ||
		failed "stats: $(grep "tid=$IMGF_TID lun=1 " "$(stats_file)")"
	check "INQUIRY" inquiry_ok "$u"
	t0=$(now_ms)
	lun_del $IMGF_TID 1 || failed "LU deletion"
	[ $(($(now_ms) - t0)) -lt 3000 ] || failed "LU deletion took $(($(now_ms) - t0)) ms"
	imgf_no_bug "$mark" || failed "BUG in tgtd's log"
	check "target show" target_show $IMGF_TID
	target_del $IMGF_TID
}
