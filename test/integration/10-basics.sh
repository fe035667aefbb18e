# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# The module loads into the stock tgtd, and an image becomes a LUN.

t_backing_store_listed()
{
	check "tgtadm lists the rbd backing store" \
		sh -c "tgtadm -C $TGT_CTRL --lld iscsi --mode system --op show |
			sed -n '/Backing stores:/,/Device types:/p' | grep -qw rbd"
}

t_lun_size_and_geometry()
{
	local out
	rbd_ create --size 100M rbd/geo || return 1
	target_new 10 && lun_new 10 1 rbd/geo || failed "LUN creation"
	out=$(iscsi-readcapacity16 "$(lun_url 10 1)") || failed "readcapacity16"
	# 100 MiB in 512-byte blocks: last LBA 204799
	check "capacity is the image size" grep -q "RETURNED LOGICAL BLOCK ADDRESS:204799" <<<"$out"
	check "512-byte logical blocks" grep -q "LOGICAL BLOCK LENGTH IN BYTES:512" <<<"$out"
	# 4 KiB physical blocks (2^3 logical), not the 4 MiB object size
	check "4 KiB physical block" grep -q "LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3" <<<"$out"
	out=$(iscsi-inq "$(lun_url 10 1)") || failed "inquiry"
	check "inquiry answers a disk" grep -q "Peripheral Device Type:DIRECT_ACCESS" <<<"$out"
	target_del 10
	rbd_ rm rbd/geo >/dev/null 2>&1
}

t_lun_show()
{
	local out
	rbd_ create --size 16M rbd/show || return 1
	target_new 11 && lun_new 11 1 rbd/show || failed "LUN creation"
	out=$(target_show 11)
	check "show names the backing store type" grep -q "Backing store type: rbd" <<<"$out"
	check "show names the image" grep -q "Backing store path: rbd/show" <<<"$out"
	target_del 11
	rbd_ rm rbd/show >/dev/null 2>&1
}
