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
	rbd_ rm rbd/stall >/dev/null 2>&1
}
