# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Data written through iSCSI lands in the image and reads back.

# Object size 1 MiB so a few MiB of I/O crosses several RADOS objects.
IO_IMG=rbd/io
IO_SIZE=$((24 * 1024 * 1024))
# offset:length:pattern, no two overlapping: the first block, a small
# unaligned one, object-boundary straddles, a 3-object span, a span
# ending at the last object, and the last block
IO_SPECS="0:512:0x11 4096:4096:0x22 1048064:1024:0x33 2093056:8192:0x44
	3145728:3145728:0x55 6815744:1179648:0x66
	$((IO_SIZE - 1048576 - 4096)):1048576:0x88 $((IO_SIZE - 512)):512:0x77"

t_io_roundtrip()
{
	local u spec ok=1
	rbd_ create --size 24M --object-size 1M $IO_IMG || return 1
	target_new 20 && lun_new 20 1 $IO_IMG || { failed "LUN creation"; return 1; }
	u=$(lun_url 20 1)
	for spec in $IO_SPECS; do
		IFS=: read -r off len pat <<<"$spec"
		if ! qemu-io -f raw -c "write -P $pat $off $len" "$u" >/dev/null; then
			failed "write $len bytes at $off"
			ok=0
		fi
	done
	# read back everything through iSCSI, then through librbd directly
	for spec in $IO_SPECS; do
		IFS=: read -r off len pat <<<"$spec"
		qemu-io -f raw -c "read -P $pat $off $len" "$u" >/dev/null ||
			failed "iSCSI read-back of $len bytes at $off"
		qemu-io -r -f raw -c "read -P $pat $off $len" \
			"rbd:$IO_IMG:conf=$CEPH_CONF" >/dev/null ||
			failed "librbd sees $len bytes at $off"
	done
	# untouched areas read as zeroes
	qemu-io -f raw -c "read -P 0 8192 1039872" "$u" >/dev/null ||
		failed "unwritten range reads as zeroes"
	# data written by librbd directly is what iSCSI reads
	qemu-io -f raw -c "write -P 0x99 $((12 * 1048576)) 65536" \
		"rbd:$IO_IMG:conf=$CEPH_CONF" >/dev/null || failed "librbd write"
	qemu-io -f raw -c "read -P 0x99 $((12 * 1048576)) 65536" "$u" >/dev/null ||
		failed "iSCSI sees librbd's write"
	target_del 20
	image_drop $IO_IMG
}

# READ/WRITE 6, 10, 12, 16 with raw CDBs; one block at LBA 100.
t_io_all_cdb_sizes()
{
	local f r
	f=$(mktemp)
	rbd_ create --size 8M rbd/cdb || return 1
	target_new 21 && lun_new 21 1 rbd/cdb || { failed "LUN creation"; return 1; }
	r=$(scsi 21 1 -w 512:0xa6 0a0000640100); expect_status "WRITE(6)" "$r" 0x00
	r=$(scsi 21 1 -r 512 -o "$f" 080000640100); expect_status "READ(6)" "$r" 0x00
	check "READ(6) data" cmp -s "$f" <(head -c 512 /dev/zero | tr '\0' '\246')
	r=$(scsi 21 1 -w 512:0xa7 2a000000006500000100); expect_status "WRITE(10)" "$r" 0x00
	r=$(scsi 21 1 -r 512 -o "$f" 28000000006500000100); expect_status "READ(10)" "$r" 0x00
	check "READ(10) data" cmp -s "$f" <(head -c 512 /dev/zero | tr '\0' '\247')
	r=$(scsi 21 1 -w 512:0xa8 aa0000000066000000010000); expect_status "WRITE(12)" "$r" 0x00
	r=$(scsi 21 1 -r 512 -o "$f" a80000000066000000010000); expect_status "READ(12)" "$r" 0x00
	check "READ(12) data" cmp -s "$f" <(head -c 512 /dev/zero | tr '\0' '\250')
	r=$(scsi 21 1 -w 512:0xa9 8a000000000000000067000000010000); expect_status "WRITE(16)" "$r" 0x00
	r=$(scsi 21 1 -r 512 -o "$f" 88000000000000000067000000010000); expect_status "READ(16)" "$r" 0x00
	check "READ(16) data" cmp -s "$f" <(head -c 512 /dev/zero | tr '\0' '\251')
	# FUA write and SYNCHRONIZE CACHE 10/16 complete GOOD
	r=$(scsi 21 1 -w 512:0xaa 2a080000006800000100); expect_status "WRITE(10) FUA" "$r" 0x00
	r=$(scsi 21 1 35000000000000000000); expect_status "SYNCHRONIZE CACHE(10)" "$r" 0x00
	r=$(scsi 21 1 91000000000000000000000000000000); expect_status "SYNCHRONIZE CACHE(16)" "$r" 0x00
	rm -f "$f"
	target_del 21
	image_drop rbd/cdb
}

# Zero-length READ/WRITE: GOOD, nothing reaches librbd, tgtd lives
# (Debian's module kills tgtd here on a librbd assertion).
t_io_zero_length()
{
	local r
	rbd_ create --size 8M rbd/zero || return 1
	target_new 22 && lun_new 22 1 rbd/zero || { failed "LUN creation"; return 1; }
	r=$(scsi 22 1 28000000000000000000); expect_status "READ(10) 0 blocks" "$r" 0x00
	r=$(scsi 22 1 2a000000000000000000); expect_status "WRITE(10) 0 blocks" "$r" 0x00
	r=$(scsi 22 1 88000000000000000000000000000000); expect_status "READ(16) 0 blocks" "$r" 0x00
	r=$(scsi 22 1 8a000000000000000000000000000000); expect_status "WRITE(16) 0 blocks" "$r" 0x00
	# a zero-length read at the last LBA is fine, one past it is not
	r=$(scsi 22 1 280000003fff00000000); expect_status "READ(10) 0 blocks at last LBA" "$r" 0x00
	r=$(scsi 22 1 28000000400000000000); expect_status "READ(10) 0 blocks past end" "$r" 0x02 0x5 0x21 0x00
	check "tgtd still runs" tgtd_alive
	check "libiscsi ZeroBlocks suites pass" \
		iscsi-test-cu -d -t "ALL.Read10.ZeroBlocks,ALL.Read16.ZeroBlocks,ALL.Write10.ZeroBlocks,ALL.Write16.ZeroBlocks" \
		"$(lun_url 22 1)"
	check "tgtd still runs" tgtd_alive
	target_del 22
	image_drop rbd/zero
}

# Reads and writes past the end are refused and change nothing.
t_io_beyond_end()
{
	local r
	rbd_ create --size 8M rbd/eol || return 1
	target_new 23 && lun_new 23 1 rbd/eol || { failed "LUN creation"; return 1; }
	# 8 MiB = 16384 blocks: LBA 16383 + 2 blocks crosses the end
	r=$(scsi 23 1 -r 1024 280000003fff00000200); expect_status "READ(10) across end" "$r" 0x02 0x5 0x21 0x00
	r=$(scsi 23 1 -w 1024:1 2a0000003fff00000200); expect_status "WRITE(10) across end" "$r" 0x02 0x5 0x21 0x00
	r=$(scsi 23 1 -w 512:1 8a00ffffffffffffffff000000010000); expect_status "WRITE(16) at LBA 2^64-1" "$r" 0x02 0x5 0x21 0x00
	r=$(scsi 23 1 -w 512:1 8a000080000000000000000000010000); expect_status "WRITE(16) at LBA 2^55" "$r" 0x02 0x5 0x21 0x00
	qemu-io -r -f raw -c "read -P 0 0 8M" "rbd:rbd/eol:conf=$CEPH_CONF" >/dev/null ||
		failed "image untouched"
	check "libiscsi BeyondEol suites pass" \
		iscsi-test-cu -d -t "ALL.Read10.BeyondEol,ALL.Read16.BeyondEol,ALL.Write10.BeyondEol,ALL.Write16.BeyondEol" \
		"$(lun_url 23 1)"
	target_del 23
	image_drop rbd/eol
}

# Two pools and an RBD namespace, on one shared connection.
t_io_pools_and_namespace()
{
	rbd_ create --size 8M rbd2/other || return 1
	rbd_ namespace create rbd/ns1 || return 1
	rbd_ create --size 8M rbd/ns1/inns || return 1
	target_new 24 || return 1
	lun_new 24 1 rbd2/other || failed "LUN on pool rbd2"
	lun_new 24 2 rbd/ns1/inns || failed "LUN in namespace rbd/ns1"
	qemu-io -f raw -c "write -P 0x5a 0 64k" "$(lun_url 24 1)" >/dev/null || failed "write rbd2"
	qemu-io -f raw -c "write -P 0x6b 0 64k" "$(lun_url 24 2)" >/dev/null || failed "write ns"
	qemu-io -r -f raw -c "read -P 0x5a 0 64k" "rbd:rbd2/other:conf=$CEPH_CONF" >/dev/null ||
		failed "data landed in pool rbd2"
	qemu-io -r -f raw -c "read -P 0x6b 0 64k" "rbd:rbd/ns1/inns:conf=$CEPH_CONF" >/dev/null ||
		failed "data landed in namespace ns1"
	target_del 24
	image_drop rbd2/other
	image_drop rbd/ns1/inns
	rbd_ namespace rm rbd/ns1 >/dev/null 2>&1
}
