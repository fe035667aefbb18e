# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# A snapshot LUN shows the snapshot's data and refuses writes as
# DATA PROTECT / WRITE PROTECTED, not MEDIUM ERROR.

t_snapshot_read_only()
{
	local r out
	rbd_ create --size 8M rbd/snapimg || return 1
	qemu-io -f raw -c "write -P 0x3c 0 1M" "rbd:rbd/snapimg:conf=$CEPH_CONF" >/dev/null || return 1
	rbd_ snap create rbd/snapimg@before >/dev/null 2>&1 || return 1
	qemu-io -f raw -c "write -P 0x4d 0 1M" "rbd:rbd/snapimg:conf=$CEPH_CONF" >/dev/null || return 1

	target_new 30 || return 1
	lun_new 30 1 rbd/snapimg@before || { failed "snapshot LUN creation"; return 1; }
	lun_new 30 2 rbd/snapimg || failed "head LUN creation"
	qemu-io -r -f raw -c "read -P 0x3c 0 1M" "$(lun_url 30 1)" >/dev/null ||
		failed "snapshot LUN shows the snapshot's data"
	qemu-io -r -f raw -c "read -P 0x4d 0 1M" "$(lun_url 30 2)" >/dev/null ||
		failed "head LUN shows the current data"
	out=$(target_show 30)
	check "tgtadm shows the snapshot LUN read-only" \
		grep -q "Readonly: Yes" <<<"$(sed -n '/LUN: 1/,/LUN: 2/p' <<<"$out")"
	r=$(scsi 30 1 -w 512:0x11 2a000000000000000100)
	expect_status "WRITE(10) to the snapshot" "$r" 0x02 0x7 0x27 0x00
	r=$(scsi 30 1 -w 512:0x11 8a000000000000000000000000010000)
	expect_status "WRITE(16) to the snapshot" "$r" 0x02 0x7 0x27 0x00

	# even with tgt's readonly flag cleared by hand, the module refuses
	tgtadm_ --mode logicalunit --op update --tid 30 --lun 1 --params readonly=0 ||
		failed "clearing the readonly flag"
	r=$(scsi 30 1 -w 512:0x11 2a000000000000000100)
	expect_status "WRITE(10) to the snapshot, readonly flag off" "$r" 0x02 0x7 0x27 0x00
	qemu-io -r -f raw -c "read -P 0x3c 0 1M" "$(lun_url 30 1)" >/dev/null ||
		failed "snapshot data unchanged"
	target_del 30
	rbd_ snap purge rbd/snapimg >/dev/null 2>&1
	image_drop rbd/snapimg
}

# A client with only read-only caps can export a snapshot.
t_snapshot_with_read_only_caps()
{
	local kr=$WORK/ro.keyring
	ceph -c "$CEPH_CONF" auth get-or-create client.tgtro mon 'profile rbd' \
		osd 'profile rbd-read-only' -o "$kr" >/dev/null 2>&1 || { failed "creating client.tgtro"; return 1; }
	rbd_ create --size 8M rbd/roimg || return 1
	qemu-io -f raw -c "write -P 0x7e 0 64k" "rbd:rbd/roimg:conf=$CEPH_CONF" >/dev/null || return 1
	rbd_ snap create rbd/roimg@s >/dev/null 2>&1 || return 1
	target_new 31 || return 1
	lun_new 31 1 rbd/roimg@s "conf=$CEPH_CONF;id=tgtro;keyring=$kr" ||
		failed "snapshot LUN with rbd-read-only caps"
	qemu-io -r -f raw -c "read -P 0x7e 0 64k" "$(lun_url 31 1)" >/dev/null ||
		failed "reading the snapshot"
	target_del 31
	rbd_ snap purge rbd/roimg >/dev/null 2>&1
	image_drop rbd/roimg
}
