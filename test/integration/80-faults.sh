# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Cluster faults: an OSD that stops answering must not hang commands
# forever, nor stop tgtd from answering; acknowledged data survives.

osd_pid() { cat "$CEPH_DIR/run/osd.0.pid"; }

t_osd_stopped_times_out()
{
	local r pid t0 t1 mark
	rbd_ create --size 16M rbd/stall || return 1
	target_new 80 || return 1
	lun_new 80 1 rbd/stall "$BSOPTS;op_timeout=3" || { failed "LUN"; return 1; }
	qemu-io -f raw -c "write -P 0x3a 0 1M" "$(lun_url 80 1)" >/dev/null ||
		failed "write before the fault"
	pid=$(osd_pid)
	kill -STOP "$pid" || { failed "SIGSTOP osd"; return 1; }
	mark=$(log_mark)
	t0=$(now_ms)
	# FUA: the write must reach the OSDs before GOOD (a plain write may
	# be acknowledged from librbd's writeback cache)
	r=$(timeout 20 "$SCSI_CMD" -w 4096:0x3b "$(lun_url 80 1)" 2a080000080000000800)
	t1=$(now_ms)
	# tgtd itself still answers while the OSD is stuck
	check "INQUIRY answered during the stall" iscsi-inq "$(lun_url 80 1)"
	check "tgtadm answers during the stall" target_show 80
	kill -CONT "$pid"
	note "write with the OSD stopped ended after $((t1 - t0)) ms: $r"
	expect_status "write with the OSD stopped" "$r" 0x02 0xb 0x2e 0x02
	[ $((t1 - t0)) -lt 8000 ] || failed "took $((t1 - t0)) ms with op_timeout=3"
	expect_log "$mark" "Connection timed out"
	# after the OSD is back, I/O works and acknowledged data is intact
	qemu-io -f raw -c "read -P 0x3a 0 1M" -c "write -P 0x3c 1M 1M" \
		-c "read -P 0x3c 1M 1M" "$(lun_url 80 1)" >/dev/null ||
		failed "I/O after SIGCONT"
	target_del 80
	image_drop rbd/stall
}

# Task management from the initiator while an OSD is stopped.  What tgt
# 1.0.85 does (usr/target.c: abort_task_set, abort_cmd, target_cmd_done):
# a command already handed to the backing store cannot be taken back, so
# ABORT TASK and LOGICAL UNIT RESET only mark it (cmd->mreq) and hold the
# TMF response until the command completes, here at op_timeout.  The
# command then gets its own response (ABORTED COMMAND 2E/02), and the TMF
# response follows it: TASK DOES NOT EXIST (1) for ABORT TASK (tgt
# reports a task that ended by itself so), FUNCTION COMPLETE (0) for LU
# RESET.  With op_timeout=0 the TMF waits as long as the OSD does.
TMF_OP_TIMEOUT=5
TMF_SLACK_MS=3000

# tmf_stalled OSD_PID FUNC WANT_RESPONSE_REGEX: FUA WRITE(10) to 82/1 with
# the OSD stopped, FUNC (scsi_cmd -t) after 1 s; tgtd answers meanwhile.
# "Meanwhile" is asserted as an order, not a time: once tgtd has logged
# the TMF (abort_cmd), INQUIRY on the other LUN and tgtadm must both be
# answered while the TMF is still held, i.e. before scsi_cmd gets its
# answer (which tgt sends only when the write ends, at op_timeout).  A
# tgtd that blocked would answer them only after that.
tmf_stalled()
{
	local out=$WORK/tmf.out bg rc r resp tms pending held t0 t1 mark
	mark=$(log_mark)
	kill -STOP "$1" || { failed "SIGSTOP osd"; return 1; }
	"$SCSI_CMD" -t "$2" -d 1000 -T 20000 -w 4096:0x4b "$(lun_url 82 1)" \
		2a080000080000000800 >"$out" 2>&1 &
	bg=$!
	# the TMF reached tgtd (10 s: it goes out 1 s after the write)
	wait_log "$mark" "abort_cmd(" 10
	kill -0 "$bg" 2>/dev/null && pending=yes || pending=no
	t0=$(now_ms)
	check "INQUIRY on another LUN while the $2 waits" \
		iscsi-inq "$(lun_url 82 2)"
	check "tgtadm while the $2 waits" target_show 82
	t1=$(now_ms)
	kill -0 "$bg" 2>/dev/null && held=yes || held=no
	wait "$bg"
	rc=$?
	kill -CONT "$1"
	r=$(head -n 1 "$out")
	note "$2: $r (exit $rc; TMF pending before INQUIRY+tgtadm: $pending," \
		"after: $held; they took $((t1 - t0)) ms)"
	[ "$pending" = yes ] || failed "$2 answered before INQUIRY+tgtadm were sent"
	[ "$held" = yes ] || failed "INQUIRY+tgtadm answered only after the $2 ($((t1 - t0)) ms)"
	resp=$(sed -n 's/^tmf=[a-z-]* response=\([0-9a-z]*\) .*/\1/p' <<<"$r")
	tms=$(sed -n 's/.* tmf_ms=\(-*[0-9]*\) .*/\1/p' <<<"$r")
	[ "$rc" = 0 ] && [ -n "$tms" ] && [ "$tms" -ge 0 ] ||
		{ failed "$2 not answered: $(tr '\n' ' ' <"$out")"; return 1; }
	grep -qE "^($3)$" <<<"$resp" || failed "$2: response $resp, want $3"
	[ "$tms" -le $((TMF_OP_TIMEOUT * 1000 + TMF_SLACK_MS)) ] ||
		failed "$2 answered after $tms ms with op_timeout=$TMF_OP_TIMEOUT"
	case "$r" in
	*" inflight=1 "*) ;;
	*) failed "$2: the write was not in flight when the TMF went out" ;;
	esac
	# the write never reached the OSD: it must not end GOOD
	case "$r" in
	*" cmd=status=0x02 key=0xb asc=0x2e ascq=0x02 "* | *" cmd=none "*) ;;
	*) failed "$2: the write ended with '${r#* cmd=}'" ;;
	esac
	rm -f "$out"
}

t_task_management_during_osd_stall()
{
	local pid
	rbd_ create --size 16M rbd/tmf1 && rbd_ create --size 16M rbd/tmf2 ||
		return 1
	target_new 82 || return 1
	lun_new 82 1 rbd/tmf1 "$BSOPTS;op_timeout=$TMF_OP_TIMEOUT" &&
		lun_new 82 2 rbd/tmf2 || { failed "LUNs"; return 1; }
	qemu-io -f raw -c "write -P 0x4a 0 1M" "$(lun_url 82 1)" >/dev/null ||
		failed "write before the fault"
	pid=$(osd_pid)
	tmf_stalled "$pid" abort "0|1"
	qemu-io -f raw -c "read -P 0x4a 0 1M" "$(lun_url 82 1)" >/dev/null ||
		failed "data after ABORT TASK and SIGCONT"
	tmf_stalled "$pid" lun-reset 0
	# acknowledged data is intact, new writes succeed
	qemu-io -f raw -c "read -P 0x4a 0 1M" -c "write -P 0x4c 2M 1M" \
		-c "read -P 0x4c 2M 1M" "$(lun_url 82 1)" >/dev/null ||
		failed "I/O after LU RESET and SIGCONT"
	target_del 82
	image_drop rbd/tmf1
	image_drop rbd/tmf2
}

ceph_() { ceph -c "$CEPH_CONF" "$@" 2>/dev/null; }

# The address of the client that watches IMAGE (tgtd's rados client).
watcher_addr() { rbd_ status "$1" | sed -n 's/.*watcher=\([^ ]*\) .*/\1/p' | head -n 1; }

# write_until_good URL SECONDS: FUA WRITE(10) of block 8 once a second until
# it succeeds; prints how many seconds it took, fails after SECONDS.
write_until_good()
{
	local i r
	for i in $(seq "$2"); do
		r=$("$SCSI_CMD" -w 512:0x5d "$1" 2a080000000800000100)
		case "$r" in status=0x00*) echo "$i"; return 0 ;; esac
		sleep 1
	done
	return 1
}

# Blocklisting fences the client (what another gateway's takeover does):
# the command it had in flight and those that come meanwhile fail with
# NOT READY, ALUA transition (04/0A, never GOOD); then the LUs come back on
# a new client by themselves, the entry still there, data intact.  The
# module of 12cc540 waited for the entry's removal.
t_blocklisted_client_comes_back()
{
	local addr r mark secs
	rbd_ create --size 16M rbd/fence1 && rbd_ create --size 16M rbd/fence2 ||
		return 1
	target_new 81 || return 1
	lun_new 81 1 rbd/fence1 && lun_new 81 2 rbd/fence2 ||
		{ failed "LUNs"; return 1; }
	qemu-io -f raw -c "write -P 0x61 0 1M" "$(lun_url 81 1)" >/dev/null &&
		qemu-io -f raw -c "write -P 0x62 0 1M" "$(lun_url 81 2)" >/dev/null ||
		failed "writes before the fence"
	addr=$(watcher_addr rbd/fence1)
	[ -n "$addr" ] || { failed "no watcher on the image"; return 1; }
	mark=$(log_mark)
	ceph_ osd blocklist add "$addr" || { failed "blocklist add"; return 1; }
	# bounded: librbd once held such a write for ever (zero-copy)
	r=$(timeout 20 "$SCSI_CMD" -w 4096:0x63 "$(lun_url 81 1)" 		2a080000000000000800 || echo "no answer within 20 s")
	expect_status "write on the fenced client" "$r" 0x02 0x2 0x04 0x0a
	expect_log "$mark" "blocklisted this client"
	secs=$(write_until_good "$(lun_url 81 1)" 10) ||
		failed "LUN 1 did not come back within 10 s of the fence"
	note "LUN 1 wrote again ${secs:-never} s after the fence"
	write_until_good "$(lun_url 81 2)" 10 >/dev/null ||
		failed "LUN 2 (same client) did not come back"
	expect_log "$mark" "image reopened on a new client"
	ceph_ osd blocklist ls 2>/dev/null | grep -qF "$addr" ||
		failed "the blocklist entry is gone: the test proves nothing"
	# the file is rewritten every second: wait for the one after the return
	for secs in $(seq 30); do
		grep -q "^lun tid=81 lun=1 .* state=ok .* err_not_ready=[1-9]" \
			"/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" && break
		sleep 0.1
	done
	grep -q "^lun tid=81 lun=1 .* state=ok .* err_not_ready=[1-9]" \
		"/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" ||
		failed "the statistics file does not show the refused write: $(grep "^lun tid=81 lun=1 " "/var/run/tgtd/bs_rbd.$TGT_CTRL.stats")"
	# acknowledged data before the fence is intact; the refused write
	# of 0x63 never landed
	qemu-io -f raw -c "read -P 0x61 0 4k" -c "read -P 0x5d 4k 512" \
		-c "read -P 0x61 4608 1043968" "$(lun_url 81 1)" >/dev/null ||
		failed "LUN 1 data after recovery"
	qemu-io -f raw -c "read -P 0x5d 4k 512" -c "read -P 0x62 4608 1043968" \
		"$(lun_url 81 2)" >/dev/null || failed "LUN 2 data after recovery"
	[ "$(watcher_addr rbd/fence1)" != "$addr" ] ||
		failed "the image is still watched by the fenced client"
	target_del 81
	for addr in $(ceph_ osd blocklist ls | awk '{ print $1 }'); do
		ceph_ osd blocklist rm "$addr"
	done
	image_drop rbd/fence1
	image_drop rbd/fence2
}

# Write cache policy: what was acknowledged after a flush (SYNCHRONIZE
# CACHE), or while the initiator had turned the write cache off (WCE=0),
# is on the OSDs even if tgtd dies right after (kill -9, no cleanup).
t_flushed_writes_survive_tgtd_crash()
{
	local d=$WORK/crash ctrl port pid url r page out conf=$WORK/crash.conf
	rbd_ create --size 16M rbd/crash || return 1
	# librbd's write-back cache, holding dirty data long: without the
	# flushes this policy promises, the writes die with tgtd
	{ cat "$CEPH_DIR/ceph.conf"
	  printf '[client]\nrbd_cache = true\nrbd_cache_policy = writeback\n'
	  printf 'rbd_cache_writethrough_until_flush = false\n'
	  printf 'rbd_cache_max_dirty_age = 60\n'; } >"$conf"
	mkdir -p "$d"
	env -u TGT_CTRL -u TGT_PORT scripts/tgtd.sh start "$d" "$WORK/modules" \
		>/dev/null || { failed "second tgtd"; return 1; }
	# shellcheck source=/dev/null
	ctrl=$(. "$d/tgtd.env"; echo "$TGT_CTRL")
	port=$(. "$d/tgtd.env"; echo "$TGT_PORT")
	pid=$(. "$d/tgtd.env"; echo "$TGT_PID")
	tgtadm -C "$ctrl" --lld iscsi --mode target --op new --tid 1 \
		--targetname "$(iqn crash)" &&
		tgtadm -C "$ctrl" --lld iscsi --mode target --op bind --tid 1 -I ALL &&
		tgtadm -C "$ctrl" --lld iscsi --mode logicalunit --op new --tid 1 \
			--lun 1 --bstype rbd --backing-store rbd/crash \
			--bsopts "conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring" ||
		failed "LUN on the second tgtd"
	url="iscsi://127.0.0.1:$port/$(iqn crash)/1"
	r=$("$SCSI_CMD" -w 4096:0xa1 "$url" 2a000000000000000800)
	expect_status "write 0xa1" "$r" 0x00
	r=$("$SCSI_CMD" "$url" 35000000000000000000)
	expect_status "SYNCHRONIZE CACHE after 0xa1" "$r" 0x00
	# MODE SELECT(6), caching page as tgt has it but WCE cleared
	page=$WORK/caching.page
	printf '\x00\x00\x00\x00\x08\x12\x10\x00\xff\xff\x00\x00\xff\xff\xff\xff\x80\x14\x00\x00\x00\x00\x00\x00' >"$page"
	r=$("$SCSI_CMD" -f "$page" "$url" 151000001800)
	expect_status "MODE SELECT WCE=0" "$r" 0x00
	r=$("$SCSI_CMD" -w 4096:0xa2 "$url" 2a000000000800000800)
	expect_status "write 0xa2 with WCE=0" "$r" 0x00
	kill -9 "$pid"
	out=$WORK/crash.img
	rbd_ export rbd/crash "$out" >/dev/null 2>&1 || failed "rbd export"
	cmp -s <(head -c 4096 "$out") <(head -c 4096 /dev/zero | tr '\0' '\241') ||
		failed "flushed write lost by the crash"
	cmp -s <(tail -c +4097 "$out" | head -c 4096) \
		<(head -c 4096 /dev/zero | tr '\0' '\242') ||
		failed "write with WCE=0 lost by the crash"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	rm -f "$out" "$page" "$conf"
	# the dead client's watch would hold the image for 30 s: fence it
	r=$(watcher_addr rbd/crash)
	[ -n "$r" ] && ceph_ osd blocklist add "$r" >/dev/null
	image_drop rbd/crash
	[ -n "$r" ] && ceph_ osd blocklist rm "$r" >/dev/null
}
