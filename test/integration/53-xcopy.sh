# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# EXTENDED COPY (LID1) and RECEIVE COPY RESULTS: the LU that receives the
# command copies, inside the gateway, between any RBD LUs of the tgtd
# that its CSCD descriptors name by their VPD 0x83 designators; the data
# is checked through librbd (rbd export), never through the gateway.

XC_TID=53

# xc_vpd83 URL FILE: the LU's VPD page 0x83, into FILE
xc_vpd83() { "$SCSI_CMD" -r 255 -o "$2" "$1" 12018300ff00 | grep -q '^status=0x00'; }

# xc_list OUT LIST_ID USAGE VPD83_FILE... -- SEG...: an EXTENDED COPY
# parameter list (scripts/xcopy-list.py), block length XC_BLOCK (512)
xc_list()
{
	local out=$1 id=$2 usage=$3
	shift 3
	scripts/xcopy-list.py "$out" "$id" "$usage" "${XC_BLOCK:-512}" "$@"
}

# xc_cdb LEN: EXTENDED COPY (LID1) for a LEN-byte parameter list
xc_cdb() { printf '83000000000000000000%08x0000' "$1"; }

# xc_send URL LIST_FILE: EXTENDED COPY; prints scsi_cmd's outcome
xc_send() { "$SCSI_CMD" -f "$2" "$1" "$(xc_cdb "$(stat -c %s "$2")")"; }

# xc_export IMAGE FILE: the image's data through librbd
xc_export() { rm -f "$2" && rbd_ export --no-progress "$1" "$2" >/dev/null 2>&1; }

# xc_same FILE1 OFF1 FILE2 OFF2 LEN: those byte ranges are equal
xc_same()
{
	cmp -s <(tail -c +$(($2 + 1)) "$1" | head -c "$5") \
		<(tail -c +$(($4 + 1)) "$3" | head -c "$5")
}

# xc_random IMAGE MIB FILE: a new image of MIB MiB of random data, also
# kept in FILE
xc_random()
{
	head -c "$(($2 << 20))" /dev/urandom >"$3" &&
		rbd_ import --no-progress "$3" "$1" >/dev/null 2>&1
}

# xc_url LUN: the URL of a LUN of the test target
xc_url() { lun_url $XC_TID "$1"; }

# xc_outcome LINE: scsi_cmd's outcome without the residual
xc_outcome() { echo "${1%% residual=*}"; }

# libiscsi's suites, with data loss allowed: all of their tests run, none
# is skipped, none fails
t_xcopy_libiscsi()
{
	local out
	rbd_ create --size 64M rbd/xc-cu || return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-cu ||
		{ failed "LUN"; return 1; }
	for s in ExtendedCopy:6 ReceiveCopyResults:2; do
		out=$(timeout 300 iscsi-test-cu -d -V -t "ALL.${s%:*}" \
			"$(xc_url 1)" 2>&1)
		# CUnit's summary: tests Total Ran Passed Failed
		awk -v n="${s#*:}" '$1 == "tests" { exit !($3 == n && $5 == 0) }' \
			<<<"$out" ||
			failed "ALL.${s%:*}: $(grep -E 'FAIL|tests ' <<<"$out" | head -n 6)"
		! grep -q SKIPPED <<<"$out" ||
			failed "ALL.${s%:*}: $(grep SKIPPED <<<"$out" | head -n 3)"
	done
	target_del $XC_TID
	image_drop rbd/xc-cu
}

# Three segments between LUs of two pools, on two cluster connections
# (connection=): the data lands where they say, a range the source never
# wrote arrives as zeroes, and nothing around the destination ranges
# changes.  Any LU may receive the command.
t_xcopy_cross_lu_and_pool()
{
	local a=$WORK/xc.a b=$WORK/xc.b r
	xc_random rbd/xc-a 8 "$a" && rbd_ resize --size 16M rbd/xc-a >/dev/null 2>&1 &&
		rbd_ create --size 16M rbd2/xc-b && rbd_ create --size 1M rbd/xc-m ||
		return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-a &&
		lun_new $XC_TID 2 rbd2/xc-b "$BSOPTS;connection=5" &&
		lun_new $XC_TID 3 rbd/xc-m ||
		{ failed "LUNs"; return 1; }
	qemu-io -f raw -c "write -P 0x5a 0 16M" "$(xc_url 2)" >/dev/null ||
		failed "pattern on the destination"
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" && xc_vpd83 "$(xc_url 2)" "$WORK/xc.v2" ||
		failed "VPD 0x83"
	# 1 MiB from 0 to 4 MiB, 1 MiB from 2 MiB to 0, 1 MiB of the
	# unwritten half from 8 MiB to 10 MiB; sent to the third LU
	xc_list "$WORK/xc.list" 1 0 "$WORK/xc.v1" "$WORK/xc.v2" -- \
		0:1:2048:0:8192 0:1:2048:4096:0 0:1:2048:16384:20480
	r=$(xc_send "$(xc_url 3)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x00 key=0x0 asc=0x00 ascq=0x00" ] ||
		failed "EXTENDED COPY: $r"
	xc_export rbd2/xc-b "$b" || failed "rbd export"
	head -c 16M /dev/zero | tr '\0' '\132' >"$WORK/xc.5a"
	xc_same "$a" 0 "$b" $((4 << 20)) $((1 << 20)) || failed "segment 0's data"
	xc_same "$a" $((2 << 20)) "$b" 0 $((1 << 20)) || failed "segment 1's data"
	xc_same /dev/zero 0 "$b" $((10 << 20)) $((1 << 20)) ||
		failed "segment 2: the unwritten range is not zeroes"
	xc_same "$WORK/xc.5a" 0 "$b" $((1 << 20)) $((3 << 20)) &&
		xc_same "$WORK/xc.5a" 0 "$b" $((5 << 20)) $((5 << 20)) &&
		xc_same "$WORK/xc.5a" 0 "$b" $((11 << 20)) $((5 << 20)) ||
		failed "data around the destination ranges changed"
	target_del $XC_TID
	image_drop rbd/xc-a rbd2/xc-b rbd/xc-m
}

# A segment whose source and destination overlap on one image, 40 MiB
# (ten chunks, more than a copy has in flight) each way, 4 KiB blocks:
# the result is as if the source had been read whole before the
# destination was written.
t_xcopy_overlap_same_image()
{
	local a=$WORK/xc.o b=$WORK/xc.ob r
	xc_random rbd/xc-o 48 "$a" || return 1
	target_new $XC_TID && lun_new_bs $XC_TID 1 4096 rbd/xc-o ||
		{ failed "LUN"; return 1; }
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" || failed "VPD 0x83"
	# forward: 4..44 MiB to 0..40 MiB
	XC_BLOCK=4096 xc_list "$WORK/xc.list" 1 0 "$WORK/xc.v1" -- 0:0:10240:1024:0
	r=$(xc_send "$(xc_url 1)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x00 key=0x0 asc=0x00 ascq=0x00" ] ||
		failed "EXTENDED COPY down: $r"
	xc_export rbd/xc-o "$b" || failed "rbd export"
	xc_same "$a" $((4 << 20)) "$b" 0 $((40 << 20)) || failed "copied down"
	cp "$b" "$a"
	# backward: 0..40 MiB to 8..48 MiB
	XC_BLOCK=4096 xc_list "$WORK/xc.list" 2 0 "$WORK/xc.v1" -- 0:0:10240:0:2048
	r=$(xc_send "$(xc_url 1)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x00 key=0x0 asc=0x00 ascq=0x00" ] ||
		failed "EXTENDED COPY up: $r"
	xc_export rbd/xc-o "$b" || failed "rbd export"
	xc_same "$a" 0 "$b" $((8 << 20)) $((40 << 20)) || failed "copied up"
	xc_same "$a" 0 "$b" 0 $((8 << 20)) || failed "the first 8 MiB changed"
	target_del $XC_TID
	image_drop rbd/xc-o
}

# xc_ok LINE: scsi_cmd says GOOD
xc_ok() { [ "$(xc_outcome "$1")" = "status=0x00 key=0x0 asc=0x00 ascq=0x00" ]; }

# A snapshot LU is a source, never a destination: COPY ABORTED, WRITE
# PROTECTED, before a byte moves.  A destination range past the LU's end,
# a LU no CSCD descriptor names, a CSCD index past the list: COPY
# ABORTED, COPY TARGET DEVICE NOT REACHABLE (0D/02).
t_xcopy_refusals()
{
	local a=$WORK/xc.s b=$WORK/xc.sb r
	xc_random rbd/xc-s 4 "$a" && rbd_ snap create rbd/xc-s@gold >/dev/null 2>&1 &&
		rbd_ create --size 4M rbd/xc-d || return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-s@gold &&
		lun_new $XC_TID 2 rbd/xc-d || { failed "LUNs"; return 1; }
	qemu-io -f raw -c "write -P 0x11 0 4M" "rbd:rbd/xc-s:conf=$CEPH_CONF" \
		>/dev/null || failed "write to the head"
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" && xc_vpd83 "$(xc_url 2)" "$WORK/xc.v2" ||
		failed "VPD 0x83"
	xc_list "$WORK/xc.list" 1 0 "$WORK/xc.v2" "$WORK/xc.v1" -- 0:1:2048:0:0
	r=$(xc_send "$(xc_url 2)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x02 key=0xa asc=0x27 ascq=0x00" ] ||
		failed "onto the snapshot: $r"
	xc_export rbd/xc-s@gold "$b" && cmp -s "$a" "$b" ||
		failed "the snapshot changed"
	xc_list "$WORK/xc.list" 2 0 "$WORK/xc.v1" "$WORK/xc.v2" -- 0:1:8192:0:0
	r=$(xc_send "$(xc_url 2)" "$WORK/xc.list")
	xc_ok "$r" || failed "from the snapshot: $r"
	xc_export rbd/xc-d "$b" && cmp -s "$a" "$b" ||
		failed "the snapshot's data did not arrive"
	xc_list "$WORK/xc.list" 3 0 "$WORK/xc.v1" "$WORK/xc.v2" -- 0:1:2:0:8191
	r=$(xc_send "$(xc_url 2)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x02 key=0xa asc=0x0d ascq=0x02" ] ||
		failed "past the end: $r"
	printf '\x01\x03\x00\x08\x35\x00\x00\x00\x00\x00\x00\x01' >"$WORK/xc.vx"
	printf '\x00\x00\x00\x0c' | cat - "$WORK/xc.vx" >"$WORK/xc.v3"
	xc_list "$WORK/xc.list" 4 0 "$WORK/xc.v1" "$WORK/xc.v3" -- 0:1:8:0:0
	r=$(xc_send "$(xc_url 2)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x02 key=0xa asc=0x0d ascq=0x02" ] ||
		failed "a LU nobody exports: $r"
	xc_export rbd/xc-d "$b" && cmp -s "$a" "$b" ||
		failed "a refused copy wrote"
	target_del $XC_TID
	rbd_ snap purge rbd/xc-s >/dev/null 2>&1
	image_drop rbd/xc-s rbd/xc-d
}

# What an initiator looks for before it offers EXTENDED COPY: the 3PC
# bit of standard INQUIRY, the Third-party Copy VPD page, and both
# commands in REPORT SUPPORTED OPERATION CODES.
t_xcopy_advertised()
{
	local f=$WORK/xc.inq
	rbd_ create --size 4M rbd/xc-adv || return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-adv ||
		{ failed "LUN"; return 1; }
	"$SCSI_CMD" -r 96 -o "$f" "$(xc_url 1)" 120000006000 >/dev/null &&
		[ $(($(od -An -tu1 -j5 -N1 "$f") & 8)) = 8 ] || failed "3PC is not set"
	"$SCSI_CMD" -r 255 -o "$f" "$(xc_url 1)" 12010000ff00 >/dev/null &&
		od -An -tx1 -v -j4 "$f" | grep -qw 8f || failed "VPD 0x8F is not listed"
	"$SCSI_CMD" -r 255 -o "$f" "$(xc_url 1)" 12018f00ff00 | grep -q '^status=0x00' &&
		[ "$(od -An -tx1 -j1 -N1 "$f" | tr -d ' ')" = 8f ] ||
		failed "VPD 0x8F"
	"$SCSI_CMD" -r 4096 -o "$f" "$(xc_url 1)" a30c00000000000010000000 >/dev/null
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n, i, got = struct.unpack(">I", d[:4])[0] + 4, 4, set()
while i + 8 <= n:
    got.add((d[i], struct.unpack(">H", d[i + 2:i + 4])[0]))
    i += 8 + (12 if d[i + 5] & 2 else 0)
sys.exit(not {(0x83, 0), (0x84, 0), (0x84, 3)} <= got)' "$f" ||
		failed "REPORT SUPPORTED OPERATION CODES lacks 83/0, 84/0 or 84/3"
	target_del $XC_TID
	image_drop rbd/xc-adv
}

# xc_big IMAGE DST MIB: IMAGE with MIB MiB of random data (in
# $WORK/xc.big), an empty DST as large, LUNs 1 and 2 on them, and the
# list that copies the whole of 1 to 2 in 16 MiB segments ($WORK/xc.big.list)
xc_big()
{
	local segs="" i
	xc_random "$1" "$3" "$WORK/xc.big" && rbd_ create --size "${3}M" "$2" ||
		return 1
	target_new $XC_TID && lun_new $XC_TID 1 "$1" && lun_new $XC_TID 2 "$2" ||
		return 1
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" && xc_vpd83 "$(xc_url 2)" "$WORK/xc.v2" ||
		return 1
	for i in $(seq 0 $(($3 / 16 - 1))); do
		segs="$segs 0:1:32768:$((i * 32768)):$((i * 32768))"
	done
	# shellcheck disable=SC2086
	xc_list "$WORK/xc.big.list" 1 0 "$WORK/xc.v1" "$WORK/xc.v2" -- $segs
}

# ABORT TASK and LUN RESET end a copy of 256 MiB under way: the copy
# stops before its next chunk and ends COPY ABORTED, never GOOD; the task
# management function is answered (tgt says "task does not exist" (1)
# to an ABORT TASK whose command ended meanwhile), and the
# copies that follow run (an ended copy gives its place back) and copy
# every byte.
t_xcopy_abort_and_reset()
{
	local f r cdb
	xc_big rbd/xc-ab rbd/xc-abd 256 || { failed "setup"; return 1; }
	cdb=$(xc_cdb "$(stat -c %s "$WORK/xc.big.list")")
	for f in abort lun-reset; do
		r=$("$SCSI_CMD" -t $f -d 100 -f "$WORK/xc.big.list" "$(xc_url 1)" "$cdb")
		note "$f: $r"
		case "$r" in
		*" inflight=0 "*) skipped "$f: the copy ended before it" ;;
		*" response="[01]" "*" cmd=none "* | \
			*" response="[01]" "*" cmd=status=0x02 key=0xa "*) ;;
		*) failed "$f: $r" ;;
		esac
	done
	for f in 1 2 3 4 5 6 7 8 9; do
		r=$(xc_send "$(xc_url 1)" "$WORK/xc.big.list")
		xc_ok "$r" || { failed "copy $f after them: $r"; break; }
	done
	xc_export rbd/xc-abd "$WORK/xc.bigb" && cmp -s "$WORK/xc.big" "$WORK/xc.bigb" ||
		failed "the copy after them"
	target_del $XC_TID
	image_drop rbd/xc-ab rbd/xc-abd
}

# Two initiators copy at once, from one LU to two others: both GOOD,
# both copies whole.
t_xcopy_two_initiators()
{
	local p1 p2
	xc_big rbd/xc-2s rbd/xc-2a 64 && rbd_ create --size 64M rbd/xc-2b &&
		lun_new $XC_TID 3 rbd/xc-2b &&
		xc_vpd83 "$(xc_url 3)" "$WORK/xc.v3" || { failed "setup"; return 1; }
	python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read())
v = open(sys.argv[2], "rb").read()[4:]
d[16 + 32 + 8:16 + 32 + 8 + v[3]] = v[4:4 + v[3]]
open(sys.argv[3], "wb").write(d)' "$WORK/xc.big.list" "$WORK/xc.v3" "$WORK/xc.list3"
	xc_send "$(xc_url 1)" "$WORK/xc.big.list" >"$WORK/xc.r1" &
	p1=$!
	xc_send "$(xc_url 2)" "$WORK/xc.list3" >"$WORK/xc.r2" &
	p2=$!
	wait $p1
	wait $p2
	xc_ok "$(cat "$WORK/xc.r1")" || failed "copy 1: $(cat "$WORK/xc.r1")"
	xc_ok "$(cat "$WORK/xc.r2")" || failed "copy 2: $(cat "$WORK/xc.r2")"
	xc_export rbd/xc-2a "$WORK/xc.bigb" && cmp -s "$WORK/xc.big" "$WORK/xc.bigb" ||
		failed "copy 1's data"
	xc_export rbd/xc-2b "$WORK/xc.bigb" && cmp -s "$WORK/xc.big" "$WORK/xc.bigb" ||
		failed "copy 2's data"
	target_del $XC_TID
	image_drop rbd/xc-2s rbd/xc-2a rbd/xc-2b
}

# xc_blocks URL: the LU's size in blocks (READ CAPACITY(16))
xc_blocks()
{
	iscsi-readcapacity16 "$1" 2>/dev/null |
		sed -n 's/RETURNED LOGICAL BLOCK ADDRESS:\([0-9]*\).*/\1/p' |
		awk '{ print $1 + 1 }'
}

# xc_until_blocks URL N: the LU reports N blocks, within 10 s
xc_until_blocks()
{
	local i
	for i in $(seq 100); do
		[ "$(xc_blocks "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The source shrinks under a copy of 256 MiB: the copy ends, GOOD if it
# was done first, else COPY ABORTED; tgtd goes on.  Then the ranges
# follow the new sizes: past the shrunk end is refused, the grown part
# (never written: zeroes) is copied.
t_xcopy_source_resized()
{
	local r
	xc_big rbd/xc-rs rbd/xc-rsd 256 || { failed "setup"; return 1; }
	xc_send "$(xc_url 1)" "$WORK/xc.big.list" >"$WORK/xc.r1" &
	rbd_ resize --allow-shrink --size 64M rbd/xc-rs >/dev/null 2>&1 ||
		failed "rbd resize"
	wait $!
	r=$(cat "$WORK/xc.r1")
	note "the copy under the shrink: $r"
	case "$r" in
	"status=0x00 "* | "status=0x02 key=0xa "*) ;;
	*) failed "the copy under the shrink: $r" ;;
	esac
	xc_until_blocks "$(xc_url 1)" $((64 << 11)) || failed "the LU did not shrink"
	xc_list "$WORK/xc.list" 2 0 "$WORK/xc.v1" "$WORK/xc.v2" -- 0:1:2048:131072:0
	r=$(xc_send "$(xc_url 1)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x02 key=0xa asc=0x0d ascq=0x02" ] ||
		failed "past the new end: $r"
	rbd_ resize --size 512M rbd/xc-rs >/dev/null 2>&1 || failed "rbd resize up"
	xc_until_blocks "$(xc_url 1)" $((512 << 11)) || failed "the LU did not grow"
	xc_list "$WORK/xc.list" 3 0 "$WORK/xc.v1" "$WORK/xc.v2" -- 0:1:2048:524288:0
	r=$(xc_send "$(xc_url 1)" "$WORK/xc.list")
	xc_ok "$r" || failed "from the grown part: $r"
	xc_export rbd/xc-rsd "$WORK/xc.bigb" &&
		xc_same /dev/zero 0 "$WORK/xc.bigb" 0 $((1 << 20)) ||
		failed "the grown part did not arrive as zeroes"
	tgtd_alive || failed "tgtd died"
	target_del $XC_TID
	image_drop rbd/xc-rs rbd/xc-rsd
}

# xc_as NODE URL LIST: EXTENDED COPY sent as initiator NODE (the name
# resv_out gives it, same ISID)
xc_as()
{
	"$SCSI_CMD" -I "iqn.2026-12.org.bs-rbd:$1" -S 9 -f "$3" "$2" \
		"$(xc_cdb "$(stat -c %s "$3")")"
}

# What a copy may reach is what its initiator may: a LU of another
# target only while that initiator (by name) has a session there - tgt
# admitted it - else COPY ABORTED 0D/02, nothing written.  And a LU
# another initiator reserved is not written by a copy (RESERVATION
# CONFLICT) but may be read (Write Exclusive).
t_xcopy_reach_and_reservations()
{
	local a=$WORK/xc.r b=$WORK/xc.rb r poll i
	xc_random rbd/xc-r 4 "$a" && rbd_ create --size 4M rbd/xc-rd &&
		rbd_ create --size 4M rbd/xc-ro || return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-r &&
		lun_new $XC_TID 2 rbd/xc-rd && target_new $((XC_TID + 1)) &&
		lun_new $((XC_TID + 1)) 1 rbd/xc-ro || { failed "LUNs"; return 1; }
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" && xc_vpd83 "$(xc_url 2)" "$WORK/xc.v2" &&
		xc_vpd83 "$(lun_url $((XC_TID + 1)) 1)" "$WORK/xc.v3" || failed "VPD 0x83"
	xc_list "$WORK/xc.list" 1 0 "$WORK/xc.v1" "$WORK/xc.v3" -- 0:1:8192:0:0
	r=$(xc_as copier "$(xc_url 1)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x02 key=0xa asc=0x0d ascq=0x02" ] ||
		failed "into a target the copier is not logged in to: $r"
	xc_export rbd/xc-ro "$b" && xc_same /dev/zero 0 "$b" 0 $((4 << 20)) ||
		failed "the other target's LU was written"
	"$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:copier -S 9 -n 100 \
		"$(lun_url $((XC_TID + 1)) 1)" 00000000000000 >/dev/null &
	poll=$!
	for i in $(seq 50); do
		alua_nexus "$TGT_CTRL" $((XC_TID + 1)) && break
		sleep 0.1
	done
	r=$(xc_as copier "$(xc_url 1)" "$WORK/xc.list")
	xc_ok "$r" || failed "with a session there: $r"
	kill "$poll" 2>/dev/null
	wait "$poll" 2>/dev/null
	xc_export rbd/xc-ro "$b" && cmp -s "$a" "$b" || failed "the copy there"
	# another initiator holds Write Exclusive on LU 2
	r=$(resv_out "$(xc_url 2)" holder 0 0 0 0x77)
	[ "$(resv_status "$r")" = 0x00 ] || failed "REGISTER: $r"
	r=$(resv_out "$(xc_url 2)" holder 1 1 0x77 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "RESERVE: $r"
	xc_list "$WORK/xc.list" 2 0 "$WORK/xc.v1" "$WORK/xc.v2" -- 0:1:8192:0:0
	r=$(xc_as copier "$(xc_url 1)" "$WORK/xc.list")
	[ "$(xc_outcome "$r")" = "status=0x18 key=0x0 asc=0x00 ascq=0x00" ] ||
		failed "into the reserved LU: $r"
	xc_export rbd/xc-rd "$b" && xc_same /dev/zero 0 "$b" 0 $((4 << 20)) ||
		failed "the reserved LU was written"
	xc_list "$WORK/xc.list" 3 0 "$WORK/xc.v2" "$WORK/xc.v1" -- 0:1:8:0:0
	r=$(xc_as copier "$(xc_url 1)" "$WORK/xc.list")
	xc_ok "$r" || failed "from the reserved LU: $r"
	target_del $XC_TID
	target_del $((XC_TID + 1))
	image_drop rbd/xc-r rbd/xc-rd rbd/xc-ro
}

# xc_pa_round URL_COPY URL_PR: node1, registered with key 0xa1 and
# holding Write Exclusive - Registrants Only, copies 512 MiB through
# URL_COPY; 300 ms later node2 (key 0xb2) preempts it with PREEMPT AND
# ABORT through URL_PR.  The copy, a command of the preempted nexus in
# flight, ends TASK ABORTED - before the PERSISTENT RESERVE OUT returns.
xc_pa_round()
{
	local r t_copy t_pr cdb
	r=$(resv_out "$1" node1 0 0 0 0xa1)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1 REGISTER: $r"
	r=$(resv_out "$1" node1 1 5 0xa1 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1 RESERVE: $r"
	r=$(resv_out "$2" node2 0 0 0 0xb2)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node2 REGISTER: $r"
	cdb=$(xc_cdb "$(stat -c %s "$WORK/xc.pa.list")")
	"$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node1 -S 1 -f "$WORK/xc.pa.list" \
		-E "$WORK/xc.pa.tcopy" "$1" "$cdb" >"$WORK/xc.pa.copy" &
	sleep 0.3
	# when each answer came (scsi_cmd -E), not when each process ended
	resv_param "$WORK/xc.pa.param" 0xb2 0xa1
	r=$("$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node2 -S 2 -E "$WORK/xc.pa.tpr" \
		-f "$WORK/xc.pa.param" "$2" 5f050500000000001800)
	wait $!
	t_pr=$(cat "$WORK/xc.pa.tpr")
	t_copy=$(cat "$WORK/xc.pa.tcopy")
	[ "$(resv_status "$r")" = 0x00 ] || failed "PREEMPT AND ABORT: $r"
	r=$(cat "$WORK/xc.pa.copy")
	note "node1's copy: $r, $((t_pr - t_copy)) us before the PR OUT's end"
	case "$r" in
	"status=0x40 "*) [ "$t_copy" -le "$t_pr" ] ||
		failed "the copy ended after the PERSISTENT RESERVE OUT" ;;
	*) failed "node1's copy in flight: $r" ;;
	esac
	r=$(resv_out "$2" node2 3 0 0xb2 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "CLEAR: $r"
}

# PREEMPT AND ABORT aborts the preempted initiator's commands in flight,
# on its own gateway and on another one, before it returns GOOD
t_xcopy_preempt_and_abort()
{
	local d=$WORK/xc-pa segs="" i
	xc_random rbd/xc-pa 256 "$WORK/xc.big" || return 1
	alua_gw2 "$d" || { failed "second gateway"; return 1; }
	ALUA_CTRL2=$(alua_env "$d" TGT_CTRL)
	target_new $ALUA_TID && lun_new $ALUA_TID 1 rbd/xc-pa "$BSOPTS;gateway=gw1" &&
		TGT_CTRL=$ALUA_CTRL2 target_new $ALUA_TID &&
		TGT_CTRL=$ALUA_CTRL2 lun_new $ALUA_TID 1 rbd/xc-pa "$BSOPTS;gateway=gw2" ||
		{ failed "LUNs"; scripts/tgtd.sh stop "$d" >/dev/null 2>&1; return 1; }
	ALUA_U1=$(lun_url $ALUA_TID 1)
	ALUA_U2="iscsi://127.0.0.2:$(alua_env "$d" TGT_PORT)/$(iqn t$ALUA_TID)/1"
	xc_vpd83 "$ALUA_U1" "$WORK/xc.v1" || failed "VPD 0x83"
	# 512 MiB: the first 128 MiB four times onto the next 128
	for i in $(seq 0 31); do
		segs="$segs 0:0:32768:$((i % 8 * 32768)):$(((i % 8 + 8) * 32768))"
	done
	# shellcheck disable=SC2086
	xc_list "$WORK/xc.pa.list" 1 2 "$WORK/xc.v1" -- $segs
	xc_pa_round "$ALUA_U1" "$ALUA_U1"
	xc_pa_round "$ALUA_U2" "$ALUA_U1"
	alua_pair_end rbd/xc-pa "$d"
}

# Hostile parameter lists through iSCSI (fuzz_xcopy covers the parser
# alone): 150 mutations of a valid list - bytes flipped, cut short,
# lengths and indexes made huge, CDB lengths that disagree with the data
# sent - each answered with a status, none copied outside the image, and
# tgtd serves on.
t_xcopy_hostile_lists()
{
	local i r n=0 bad=0 len
	rbd_ create --size 8M rbd/xc-h || return 1
	target_new $XC_TID && lun_new $XC_TID 1 rbd/xc-h || { failed "LUN"; return 1; }
	xc_vpd83 "$(xc_url 1)" "$WORK/xc.v1" || failed "VPD 0x83"
	xc_list "$WORK/xc.list" 1 0 "$WORK/xc.v1" "$WORK/xc.v1" -- 0:1:16:0:64 1:0:16:64:0
	for i in $(seq 150); do
		python3 -c 'import random, sys
r = random.Random(int(sys.argv[2]))
d = bytearray(open(sys.argv[1], "rb").read())
for _ in range(r.randint(1, 6)):
    k = r.randrange(6)
    if k == 0 and d:
        d[r.randrange(len(d))] = r.randrange(256)
    elif k == 1:
        d = d[:r.randrange(len(d) + 1)]
    elif k == 2 and len(d) > 16:
        d[r.choice([2, 3, 8, 9, 10, 11, 12, 13, 14, 15])] = 0xff
    elif k == 3:
        d += bytes(r.randrange(256) for _ in range(r.randrange(64)))
    elif k == 4 and len(d) > 60:
        d[r.choice([52, 53, 54, 55, 58, 59])] = r.randrange(256)
    elif k == 5 and len(d) > 32:
        d[r.randrange(16, 32)] = r.randrange(256)
open(sys.argv[3], "wb").write(d)
print(len(d) + r.choice([0, 0, 0, 1, -1, 4096, 1 << 20]))' \
			"$WORK/xc.list" "$i" "$WORK/xc.h" >"$WORK/xc.hlen"
		len=$(cat "$WORK/xc.hlen")
		[ "$len" -ge 0 ] || len=0
		[ -s "$WORK/xc.h" ] || printf '\0' >"$WORK/xc.h"
		r=$("$SCSI_CMD" -f "$WORK/xc.h" "$(xc_url 1)" \
			"$(printf '83000000000000000000%08x0000' "$len")")
		case "$r" in
		status=0x*) n=$((n + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
		tgtd_alive || { failed "tgtd died at list $i"; break; }
	done
	note "$n of 150 answered with a status, $bad not"
	[ "$bad" = 0 ] || failed "$bad lists got no SCSI status"
	inquiry_ok "$(xc_url 1)" || failed "tgtd does not serve after them"
	target_del $XC_TID
	image_drop rbd/xc-h
}
