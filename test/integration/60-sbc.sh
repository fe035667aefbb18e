# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# SCSI block commands beyond READ/WRITE, each checked by its effect on
# the image (read back through librbd) and its status and sense.

# unmap_list FILE LBA:BLOCKS...: an UNMAP parameter list
unmap_list()
{
	local f=$1
	shift
	python3 -c 'import struct, sys
d = b"".join(struct.pack(">QII", int(l), int(n), 0) for l, n in (s.split(":") for s in sys.argv[2:]))
open(sys.argv[1], "wb").write(struct.pack(">HH4x", len(d) + 6, len(d)) + d)' "$f" "$@"
}

rbd_read_is() { qemu-io -r -f raw -c "read -P $3 $1 $2" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null; }

used_bytes()
{
	rbd_ du --format json "$SBC_IMG" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["images"][0]["used_size"])'
}

SBC_IMG=rbd/sbc

sbc_setup()
{
	rbd_ create --size 64M --object-size 1M "$SBC_IMG" || return 1
	target_new 60 && lun_new 60 1 "$SBC_IMG"
}

sbc_teardown()
{
	target_del 60
	image_drop "$SBC_IMG"
	rm -f "$WORK"/sbc.*
}

t_write_same()
{
	local r
	sbc_setup || { failed "setup"; return 1; }
	# WRITE SAME(16) of one 0x5c block over LBA 100..1099
	r=$(scsi 60 1 -w 512:0x5c 93000000000000000064000003e80000)
	expect_status "WRITE SAME(16)" "$r" 0x00
	rbd_read_is 51200 512000 0x5c || failed "pattern over 1000 blocks"
	rbd_read_is 51200 0 0 && rbd_read_is 563200 512 0 || failed "neighbours untouched"
	# WRITE SAME(10) of zeroes, no UNMAP: zeroes written
	r=$(scsi 60 1 -w 512:0 41000000006400000a00)
	expect_status "WRITE SAME(10) zeroes" "$r" 0x00
	rbd_read_is 51200 5120 0 || failed "zeroes written"
	rbd_read_is 56320 5120 0x5c || failed "rest keeps the pattern"
	# NDOB: no data-out, zeroes
	r=$(scsi 60 1 93010000000000000078000000140000)
	expect_status "WRITE SAME(16) NDOB" "$r" 0x00
	rbd_read_is 61440 10240 0 || failed "NDOB wrote zeroes"
	# LBDATA/PBDATA are not supported
	r=$(scsi 60 1 -w 512:1 41020000006400000100)
	expect_status "WRITE SAME(10) LBDATA" "$r" 0x02 0x5 0x24 0x00
	sbc_teardown
}

# WRITE SAME with UNMAP and UNMAP give the space back and read as zero.
t_unmap_frees_space()
{
	local r before after
	sbc_setup || { failed "setup"; return 1; }
	qemu-io -f raw -c "write -P 0x77 0 16M" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null || return 1
	before=$(used_bytes)
	# WRITE SAME(16) UNMAP over MiB 0-7 (16384 blocks), data ignored
	r=$(scsi 60 1 -w 512:0x77 93080000000000000000000040000000)
	expect_status "WRITE SAME(16) UNMAP" "$r" 0x00
	# UNMAP two ranges: MiB 8-11 and an unaligned 4 KiB in MiB 12
	unmap_list "$WORK/sbc.ul" 16384:8192 24584:8
	r=$(scsi 60 1 -f "$WORK/sbc.ul" 42000000000000002800)
	expect_status "UNMAP" "$r" 0x00
	after=$(used_bytes)
	note "used: $before -> $after bytes"
	[ "$after" -le $((before - 12 * 1048576)) ] || failed "space not freed: $before -> $after"
	rbd_read_is 0 12M 0 || failed "unmapped MiB 0-11 read as zeroes"
	rbd_read_is 12M 4096 0x77 && rbd_read_is $((12 * 1048576 + 8192)) 4096 0x77 ||
		failed "around the unaligned range"
	rbd_read_is $((12 * 1048576 + 4096)) 4096 0 || failed "unaligned range reads as zeroes (LBPRZ)"
	sbc_teardown
}

# Unmapped pieces of objects read back as zeroes even when the image's own
# settings ask librbd to skip partial discards (Ceph's default, which a
# pool or image setting lays over the client's).
t_unmap_zeroes_whatever_the_image_settings()
{
	local r
	rbd_ create --size 64M --object-size 1M "$SBC_IMG" || return 1
	rbd_ config image set "$SBC_IMG" rbd_skip_partial_discard true &&
		rbd_ config image set "$SBC_IMG" rbd_discard_granularity_bytes 65536 &&
		target_new 60 && lun_new 60 1 "$SBC_IMG" &&
		qemu-io -f raw -c "write -P 0x55 0 4M" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null ||
		{ failed "setup"; sbc_teardown; return 1; }
	# UNMAP 4 KiB inside MiB 1; WRITE SAME(16) UNMAP of 8 blocks in MiB 2
	unmap_list "$WORK/sbc.ul" 2056:8
	r=$(scsi 60 1 -f "$WORK/sbc.ul" 42000000000000002800)
	expect_status "UNMAP of a piece" "$r" 0x00
	r=$(scsi 60 1 -w 512:0x55 93080000000000001008000000080000)
	expect_status "WRITE SAME(16) UNMAP of a piece" "$r" 0x00
	rbd_read_is $((1048576 + 4096)) 4096 0 || failed "UNMAP: piece reads as zeroes"
	rbd_read_is $((2097152 + 4096)) 4096 0 || failed "WRITE SAME UNMAP: piece reads as zeroes"
	rbd_read_is 1048576 4096 0x55 && rbd_read_is $((1048576 + 8192)) 4096 0x55 ||
		failed "around the pieces"
	sbc_teardown
}

# A hostile descriptor fails the whole UNMAP and nothing is unmapped.
t_unmap_hostile_changes_nothing()
{
	local r
	sbc_setup || { failed "setup"; return 1; }
	qemu-io -f raw -c "write -P 0x66 0 1M" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null || return 1
	# good range first, then LBA 2^55 on 512-byte blocks
	unmap_list "$WORK/sbc.ul" 0:2048 36028797018963968:8
	r=$(scsi 60 1 -f "$WORK/sbc.ul" 42000000000000002800)
	expect_status "UNMAP with LBA 2^55" "$r" 0x02 0x5 0x21 0x00
	unmap_list "$WORK/sbc.ul" 0:2048 131000:4294967295
	r=$(scsi 60 1 -f "$WORK/sbc.ul" 42000000000000002800)
	expect_status "UNMAP past the end" "$r" 0x02 0x5 0x21 0x00
	r=$(scsi 60 1 -w 512:0 93080080000000000000000000010000)
	expect_status "WRITE SAME(16) UNMAP at LBA 2^55" "$r" 0x02 0x5 0x21 0x00
	rbd_read_is 0 1M 0x66 || failed "data intact"
	sbc_teardown
}

t_compare_and_write()
{
	local r
	sbc_setup || { failed "setup"; return 1; }
	qemu-io -f raw -c "write -P 0x41 51200 512" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null || return 1
	bytes "$WORK/sbc.ok" 512:41 512:42
	r=$(scsi 60 1 -f "$WORK/sbc.ok" 89000000000000000064000000010000)
	expect_status "COMPARE AND WRITE, equal" "$r" 0x00
	rbd_read_is 51200 512 0x42 || failed "written after a match"
	# differs at byte 300: MISCOMPARE with INFORMATION 300, nothing written
	bytes "$WORK/sbc.bad" 300:42 212:00 512:43
	r=$(scsi 60 1 -f "$WORK/sbc.bad" 89000000000000000064000000010000)
	expect_status "COMPARE AND WRITE, different" "$r" 0x02 0xe 0x1d 0x00
	case "$r" in *" info=300") ;; *) failed "miscompare offset: $r" ;; esac
	rbd_read_is 51200 512 0x42 || failed "unchanged after a miscompare"
	# two blocks exceed what librbd can do atomically: refused
	bytes "$WORK/sbc.two" 1024:42 1024:44
	r=$(scsi 60 1 -f "$WORK/sbc.two" 89000000000000000064000000020000)
	expect_status "COMPARE AND WRITE, 2 blocks" "$r" 0x02 0x5 0x24 0x00
	sbc_teardown
}

# Two initiators race COMPARE AND WRITE on one block: exactly one wins.
t_compare_and_write_race()
{
	local i ra rb wins=0 a b u
	sbc_setup || { failed "setup"; return 1; }
	bytes "$WORK/sbc.a" 512:00 512:aa
	bytes "$WORK/sbc.b" 512:00 512:bb
	u=$(lun_url 60 1)
	for i in $(seq 20); do
		qemu-io -f raw -c "write -P 0 0 512" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null
		"$SCSI_CMD" -f "$WORK/sbc.a" "$u" 89000000000000000000000000010000 >"$WORK/sbc.ra" &
		a=$!
		"$SCSI_CMD" -f "$WORK/sbc.b" "$u" 89000000000000000000000000010000 >"$WORK/sbc.rb" &
		b=$!
		wait "$a" "$b"
		ra=$(cat "$WORK/sbc.ra")
		rb=$(cat "$WORK/sbc.rb")
		case "$ra|$rb" in
		status=0x00*"|status=0x02 key=0xe"*)
			rbd_read_is 0 512 0xaa || failed "round $i: A won but block is not A's" ;;
		"status=0x02 key=0xe"*"|status=0x00"*)
			rbd_read_is 0 512 0xbb || failed "round $i: B won but block is not B's" ;;
		*) failed "round $i: A '$ra', B '$rb'" ;;
		esac
		wins=$((wins + 1))
	done
	note "$wins rounds, one winner each"
	sbc_teardown
}

t_verify()
{
	local r
	sbc_setup || { failed "setup"; return 1; }
	qemu-io -f raw -c "write -P 0x42 51200 1024" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null || return 1
	bytes "$WORK/sbc.v" 1024:42
	r=$(scsi 60 1 -f "$WORK/sbc.v" 2f020000006400000200)
	expect_status "VERIFY(10) BYTCHK=1, equal" "$r" 0x00
	bytes "$WORK/sbc.v" 700:42 1:43 323:42
	r=$(scsi 60 1 -f "$WORK/sbc.v" 2f020000006400000200)
	expect_status "VERIFY(10) BYTCHK=1, different" "$r" 0x02 0xe 0x1d 0x00
	case "$r" in *" info=700") ;; *) failed "verify miscompare offset: $r" ;; esac
	# BYTCHK=3: one block compared against every block
	bytes "$WORK/sbc.v" 512:42
	r=$(scsi 60 1 -f "$WORK/sbc.v" 8f060000000000000064000000020000)
	expect_status "VERIFY(16) BYTCHK=3" "$r" 0x00
	# WRITE AND VERIFY(10) with BYTCHK writes and reads back
	r=$(scsi 60 1 -w 1024:0x57 2e020000006400000200)
	expect_status "WRITE AND VERIFY(10)" "$r" 0x00
	rbd_read_is 51200 1024 0x57 || failed "WRITE AND VERIFY wrote"
	sbc_teardown
}

# REPORT SUPPORTED OPERATION CODES lists what the LU really does.
t_report_supported_opcodes()
{
	local r ops
	sbc_setup || { failed "setup"; return 1; }
	r=$(scsi 60 1 -r 4096 -o "$WORK/sbc.ops" a30c00000000000010000000)
	expect_status "REPORT SUPPORTED OPCODES" "$r" 0x00
	ops=$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()[4:]
print(" ".join("%02x" % d[i] for i in range(0, len(d) - 7, 8)))' "$WORK/sbc.ops")
	for op in 28 2a 35 41 42 89 8f 93 2e 8b 90; do
		grep -qw "$op" <<<"$ops" || failed "opcode $op not reported"
	done
	sbc_teardown
}

# libiscsi's own suites for these commands, on our LU.
t_libiscsi_sbc_suites()
{
	local suites out
	sbc_setup || { failed "setup"; return 1; }
	suites=ALL.CompareAndWrite,ALL.WriteSame10,ALL.WriteSame16,ALL.Unmap
	suites=$suites,ALL.Verify10,ALL.Verify12,ALL.Verify16,ALL.WriteVerify10
	suites=$suites,ALL.WriteVerify12,ALL.WriteVerify16,ALL.OrWrite
	suites=$suites,ALL.Prefetch10,ALL.Prefetch16,ALL.ReportSupportedOpcodes
	out=$(timeout 300 iscsi-test-cu -d -t "$suites" "$(lun_url 60 1)" 2>&1)
	if grep -q "FAILED" <<<"$out"; then
		failed "libiscsi suites"
		grep -B1 "FAILED" <<<"$out" | head -n 10 | sed 's/^/      /'
	fi
	grep -A3 "Run Summary" <<<"$out" | sed -n 3p | sed 's/^ */    /'
	sbc_teardown
}

# lba_status TID LUN LBA: "lba:blocks:status ..." from GET LBA STATUS
lba_status()
{
	local r
	r=$(scsi "$1" "$2" -r 4096 -o "$WORK/sbc.gls" \
		"9e12$(printf %016x "$3")000010000000")
	r=${r// /}
	case "$r" in status=0x00*) ;; *) echo "error:$r"; return ;; esac
	lba_status_descs "$WORK/sbc.gls"
}

# GET LBA STATUS answers from the image's real allocation.
t_get_lba_status()
{
	local got want r
	sbc_setup || { failed "setup"; return 1; }
	qemu-io -f raw -c "write -P 0x11 2M 1M" -c "write -P 0x22 5M 1M" \
		"rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null || return 1
	got=$(lba_status 60 1 0)
	want="0:4096:1 4096:2048:0 6144:4096:1 10240:2048:0 12288:118784:1"
	[ "$got" = "$want" ] || failed "allocation map: got '$got', want '$want'"
	# from an LBA inside a mapped object
	got=$(lba_status 60 1 10300)
	want="10300:1988:0 12288:118784:1"
	[ "$got" = "$want" ] || failed "from LBA 10300: got '$got', want '$want'"
	# after UNMAP of MiB 2 it is deallocated
	unmap_list "$WORK/sbc.ul" 4096:2048
	r=$(scsi 60 1 -f "$WORK/sbc.ul" 42000000000000001800)
	expect_status "UNMAP of MiB 2" "$r" 0x00
	got=$(lba_status 60 1 0)
	want="0:10240:1 10240:2048:0 12288:118784:1"
	[ "$got" = "$want" ] || failed "after UNMAP: got '$got', want '$want'"
	got=$(lba_status 60 1 131072)
	case "$got" in *"key=0x5asc=0x21"*) ;; *) failed "past the end: $got" ;; esac
	# (UnmapSingle is left out: with 4 KiB physical blocks it asks for
	# the status at LBA i+1 and expects the answer to start at i+8)
	check "libiscsi GetLBAStatus suites" \
		sh -c "iscsi-test-cu -d -t ALL.GetLBAStatus.Simple,ALL.GetLBAStatus.BeyondEol \
			'$(lun_url 60 1)' | grep -q 'tests *2 *2 *2 *0'"
	sbc_teardown
}

# ---- 4096-byte logical blocks (tgtadm --blocksize 4096) ------------------

SBC4K_TID=61

# sbc4k_setup: rbd/sbc4k, 64 MiB in 1 MiB objects, as LUN 1 of SBC4K_TID
# with 4096-byte logical blocks (16384 of them)
sbc4k_setup()
{
	rbd_ create --size 64M --object-size 1M rbd/sbc4k || return 1
	target_new $SBC4K_TID && lun_new_bs $SBC4K_TID 1 4096 rbd/sbc4k
}

sbc4k_teardown()
{
	target_del $SBC4K_TID
	image_drop rbd/sbc4k
	rm -f "$WORK"/sbc4k.*
}

# be FILE OFFSET LEN: the big-endian number at OFFSET of FILE
be() { python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); o, n = int(sys.argv[2]), int(sys.argv[3]); print(int.from_bytes(d[o:o + n], "big"))' "$@"; }

# Every LBA is 4096 bytes of the image: READ CAPACITY, WRITE, READ and
# VERIFY address the image at LBA * 4096 and transfer 4096 bytes a block.
t_blocksize_4096_read_write_verify()
{
	local SBC_IMG=rbd/sbc4k r
	sbc4k_setup || { failed "setup"; sbc4k_teardown; return 1; }
	# READ CAPACITY(16): last LBA 16383, 4096-byte blocks
	r=$(scsi $SBC4K_TID 1 -r 32 -o "$WORK/sbc4k.cap" 9e100000000000000000000000200000)
	expect_status "READ CAPACITY(16)" "$r" 0x00
	[ "$(be "$WORK/sbc4k.cap" 0 8)" = 16383 ] ||
		failed "last LBA $(be "$WORK/sbc4k.cap" 0 8), want 16383"
	[ "$(be "$WORK/sbc4k.cap" 8 4)" = 4096 ] ||
		failed "block length $(be "$WORK/sbc4k.cap" 8 4), want 4096"
	# WRITE(10) of 2 blocks at LBA 100: bytes 409600-417791
	r=$(scsi $SBC4K_TID 1 -w 8192:0x4a 2a000000006400000200)
	expect_status "WRITE(10) 2 blocks at LBA 100" "$r" 0x00
	rbd_read_is 409600 8192 0x4a || failed "the blocks are at LBA * 4096"
	rbd_read_is 405504 4096 0 && rbd_read_is 417792 4096 0 ||
		failed "neighbours untouched"
	# READ(10) of LBA 99-102 returns 4 * 4096 bytes: 0, 0x4a x 2, 0
	r=$(scsi $SBC4K_TID 1 -r 16384 -o "$WORK/sbc4k.rd" 28000000006300000400)
	expect_status "READ(10) 4 blocks at LBA 99" "$r" 0x00
	cmp -s "$WORK/sbc4k.rd" <(head -c 4096 /dev/zero
		head -c 8192 /dev/zero | tr '\0' '\112'
		head -c 4096 /dev/zero) || failed "READ(10) data"
	# VERIFY(10) BYTCHK=1 over the 2 blocks; a difference at byte 5000
	# is reported at 5000 of the data-out
	bytes "$WORK/sbc4k.v" 8192:4a
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.v" 2f020000006400000200)
	expect_status "VERIFY(10) BYTCHK=1, equal" "$r" 0x00
	bytes "$WORK/sbc4k.v" 5000:4a 1:4b 3191:4a
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.v" 2f020000006400000200)
	expect_status "VERIFY(10) BYTCHK=1, different" "$r" 0x02 0xe 0x1d 0x00
	case "$r" in *" info=5000") ;; *) failed "verify miscompare offset: $r" ;; esac
	# WRITE AND VERIFY(10) of one block at the last LBA; one past it
	r=$(scsi $SBC4K_TID 1 -w 4096:0x57 2e0200003fff00000100)
	expect_status "WRITE AND VERIFY(10) of LBA 16383" "$r" 0x00
	rbd_read_is $((16383 * 4096)) 4096 0x57 || failed "the last block"
	r=$(scsi $SBC4K_TID 1 -w 4096:0x57 2a000000400000000100)
	expect_status "WRITE(10) at LBA 16384" "$r" 0x02 0x5 0x21 0x00
	sbc4k_teardown
}

# WRITE SAME, UNMAP and COMPARE AND WRITE count in 4096-byte blocks; the
# Block Limits VPD page says so (unmap granularity: one 1 MiB object =
# 256 blocks) and COMPARE AND WRITE obeys the length it announces.
t_blocksize_4096_write_same_unmap()
{
	local SBC_IMG=rbd/sbc4k r before after caw
	sbc4k_setup || { failed "setup"; sbc4k_teardown; return 1; }
	# Block Limits VPD (b0h): byte 5 MAXIMUM COMPARE AND WRITE LENGTH,
	# bytes 28-31 OPTIMAL UNMAP GRANULARITY (RBD LUs are thin)
	r=$(scsi $SBC4K_TID 1 -r 64 -o "$WORK/sbc4k.b0" 1201b0004000)
	expect_status "INQUIRY VPD b0h" "$r" 0x00
	caw=$(be "$WORK/sbc4k.b0" 5 1)
	[ "$(be "$WORK/sbc4k.b0" 28 4)" = 256 ] ||
		failed "unmap granularity $(be "$WORK/sbc4k.b0" 28 4) blocks, want 256"
	# WRITE SAME(16) of one 0x5c block over LBA 200-299
	r=$(scsi $SBC4K_TID 1 -w 4096:0x5c 930000000000000000c8000000640000)
	expect_status "WRITE SAME(16) 100 blocks" "$r" 0x00
	rbd_read_is 819200 409600 0x5c || failed "pattern over LBA 200-299"
	rbd_read_is 815104 4096 0 && rbd_read_is 1228800 4096 0 ||
		failed "WRITE SAME: neighbours untouched"
	# UNMAP of MiB 0-1 (LBA 0, 512 blocks) and of LBA 1024 (4 KiB at
	# 4 MiB); WRITE SAME(16) UNMAP of MiB 6 (LBA 1536, 256 blocks)
	qemu-io -f raw -c "write -P 0x77 0 8M" "rbd:$SBC_IMG:conf=$CEPH_CONF" >/dev/null ||
		failed "fill MiB 0-7"
	before=$(used_bytes)
	unmap_list "$WORK/sbc4k.ul" 0:512 1024:1
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.ul" 42000000000000002800)
	expect_status "UNMAP" "$r" 0x00
	r=$(scsi $SBC4K_TID 1 -w 4096:0x77 93080000000000000600000001000000)
	expect_status "WRITE SAME(16) UNMAP" "$r" 0x00
	after=$(used_bytes)
	note "used: $before -> $after bytes"
	[ "$after" -le $((before - 3 * 1048576)) ] || failed "space not freed: $before -> $after"
	rbd_read_is 0 2M 0 || failed "UNMAP: MiB 0-1 read as zeroes"
	rbd_read_is 4M 4096 0 || failed "UNMAP: LBA 1024 reads as zeroes"
	rbd_read_is $((4194304 - 4096)) 4096 0x77 && rbd_read_is $((4194304 + 4096)) 4096 0x77 ||
		failed "UNMAP: around LBA 1024"
	rbd_read_is 6M 1M 0 || failed "WRITE SAME UNMAP: MiB 6 reads as zeroes"
	rbd_read_is 2M 2M 0x77 && rbd_read_is 7M 1M 0x77 || failed "the rest keeps its data"
	# past the end, in blocks: LBA 16383 + 2 blocks
	unmap_list "$WORK/sbc4k.ul" 16383:2
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.ul" 42000000000000001800)
	expect_status "UNMAP past the end" "$r" 0x02 0x5 0x21 0x00
	# COMPARE AND WRITE of one block: what the VPD page allows.  SBC-3
	# 6.5.3: a MAXIMUM COMPARE AND WRITE LENGTH of 0 says the command is
	# not supported (then INVALID COMMAND OPERATION CODE, SPC-4, and not
	# in REPORT SUPPORTED OPERATION CODES); 5.2: more blocks than it
	# allows are INVALID FIELD IN CDB
	bytes "$WORK/sbc4k.caw" 4096:00 4096:c4
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.caw" 89000000000000000100000000010000)
	note "MAXIMUM COMPARE AND WRITE LENGTH $caw; COMPARE AND WRITE of 1 block: $r"
	if [ "$caw" -ge 1 ]; then
		expect_status "COMPARE AND WRITE, 1 block of 4096" "$r" 0x00
		rbd_read_is 1M 4096 0xc4 || failed "COMPARE AND WRITE wrote"
	else
		expect_status "COMPARE AND WRITE, not supported" "$r" 0x02 0x5 0x20 0x00
		rbd_read_is 1M 4096 0 || failed "a refused COMPARE AND WRITE wrote"
		r=$(scsi $SBC4K_TID 1 -r 4096 -o "$WORK/sbc4k.ops" a30c00000000000010000000)
		expect_status "REPORT SUPPORTED OPCODES" "$r" 0x00
		python3 -c 'import sys
d = open(sys.argv[1], "rb").read()[4:]
sys.exit(0x89 in [d[i] for i in range(0, len(d) - 7, 8)])' "$WORK/sbc4k.ops" ||
			failed "COMPARE AND WRITE reported as supported"
	fi
	# two blocks are more than any length announced here
	bytes "$WORK/sbc4k.caw" 8192:00 8192:c4
	r=$(scsi $SBC4K_TID 1 -f "$WORK/sbc4k.caw" 89000000000000000100000000020000)
	case "$caw" in
	0) expect_status "COMPARE AND WRITE of 2 blocks" "$r" 0x02 0x5 0x20 0x00 ;;
	1) expect_status "COMPARE AND WRITE of 2 blocks" "$r" 0x02 0x5 0x24 0x00 ;;
	esac
	sbc4k_teardown
}
