# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# An image resized while exported: the LU follows, and initiators get
# CAPACITY DATA HAS CHANGED.

last_lba() { iscsi-readcapacity16 "$(lun_url "$1" "$2")" | sed -n 's/RETURNED LOGICAL BLOCK ADDRESS://p'; }

# A session that polls TEST UNIT READY for up to 10 s in the background,
# as a hypervisor's session would sit there: a unit attention goes to the
# I_T nexuses that exist when it happens.
watch_start() { "$SCSI_CMD" -n 100 "$(lun_url "$1" "$2")" 00000000000000 >"$WORK/resize.$3" & }

# watch_saw_ua FILE: the watching session ended on CAPACITY DATA HAS CHANGED
watch_saw_ua()
{
	wait "$1" 2>/dev/null
	tail -n 1 "$WORK/resize.$2" | grep -q "^status=0x02 key=0x6 asc=0x2a ascq=0x09"
}

t_online_resize()
{
	local r
	rbd_ create --size 64M rbd/grow || return 1
	target_new 70 && lun_new 70 1 rbd/grow || { failed "LUN creation"; return 1; }
	[ "$(last_lba 70 1)" = 131071 ] || failed "initial size"
	watch_start 70 1 grow
	sleep 0.5
	rbd_ resize --size 128M rbd/grow >/dev/null 2>&1 || failed "rbd resize"
	watch_saw_ua $! grow || failed "no CAPACITY DATA HAS CHANGED after growing: $(tail -n 1 "$WORK/resize.grow")"
	[ "$(last_lba 70 1)" = 262143 ] || failed "grown size: $(last_lba 70 1)"
	qemu-io -f raw -c "write -P 0x6e 127M 1M" -c "read -P 0x6e 127M 1M" \
		"$(lun_url 70 1)" >/dev/null || failed "I/O in the new space"
	watch_start 70 1 shrink
	sleep 0.5
	rbd_ resize --size 32M --allow-shrink rbd/grow >/dev/null 2>&1 || failed "rbd shrink"
	watch_saw_ua $! shrink || failed "no CAPACITY DATA HAS CHANGED after shrinking: $(tail -n 1 "$WORK/resize.shrink")"
	[ "$(last_lba 70 1)" = 65535 ] || failed "shrunk size: $(last_lba 70 1)"
	r=$(scsi 70 1 -r 512 28000001000000000100)
	expect_status "READ past the new end" "$r" 0x02 0x5 0x21 0x00
	qemu-io -r -f raw -c "read -P 0 0 32M" "$(lun_url 70 1)" >/dev/null ||
		failed "the remaining 32 MiB still read"
	target_del 70
	image_drop rbd/grow
}
