# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# ALUA with several gateways (tgtds named by bsopts gateway=) serving one
# image: each is a target port group with one port, numbered in the
# image's gateway registry in RADOS; standard INQUIRY says implicit ALUA
# (TPGS 01b), VPD 0x83 names the port and its group, and REPORT TARGET
# PORT GROUPS gives the same answer on every gateway, the group of the
# gateway that holds the image's exclusive lock Active/Optimized.

ALUA_TID=49

# alua_rtpg URL: "id:state ..." from REPORT TARGET PORT GROUPS
alua_rtpg()
{
	local f=$WORK/alua.rtpg r
	r=$("$SCSI_CMD" -r 1024 -o "$f" "$1" a30a00000000000004000000) || return 1
	case "$r" in status=0x00*) ;; *) echo "error:$r"; return ;; esac
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n = struct.unpack(">I", d[:4])[0] + 4
out, i = [], 4
while i + 8 <= n:
    cnt = d[i + 7]
    out.append("%d:%d" % (struct.unpack(">H", d[i + 2:i + 4])[0], d[i] & 15))
    i += 8 + 4 * cnt
print(" ".join(out))' "$f"
}

# alua_tpgs URL: the TPGS field of standard INQUIRY
alua_tpgs()
{
	local f=$WORK/alua.inq
	"$SCSI_CMD" -r 96 -o "$f" "$1" 120000006000 | grep -q '^status=0x00' ||
		return 1
	echo $(($(od -An -tu1 -j5 -N1 "$f") >> 4 & 3))
}

# alua_port URL: the relative target port id in VPD 0x83 (type 4)
alua_port()
{
	local f=$WORK/alua.vpd
	"$SCSI_CMD" -r 255 -o "$f" "$1" 12018300ff00 | grep -q '^status=0x00' ||
		return 1
	python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
n, i = (d[2] << 8 | d[3]) + 4, 4
while i + 4 <= n:
    if d[i + 1] & 0x3f == 0x14:
        print(d[i + 6] << 8 | d[i + 7])
    i += 4 + d[i + 3]' "$f"
}

# alua_ao_is URL1 URL2 ID: both gateways report group ID alone AO, in 10 s
alua_ao_is()
{
	local i a b
	for i in $(seq 50); do
		a=$(alua_rtpg "$1")
		b=$(alua_rtpg "$2")
		[ "$a" = "$b" ] && [ "$(grep -o '[0-9]*:0' <<<"$a")" = "$3:0" ] &&
			return 0
		sleep 0.2
	done
	failed "AO should be group $3: gateway 1 says '$a', gateway 2 '$b'"
}

# alua_until_stats PATTERN: a line of the statistics file matches, in 5 s
alua_until_stats()
{
	local i
	for i in $(seq 50); do
		grep -q "$1" "$(stats_file)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

alua_gw2() { TGT_ADDR=127.0.0.2 TGT_CTRL='' TGT_PORT='' \
	scripts/tgtd.sh start "$1" "$WORK/modules" >/dev/null 2>&1; }

alua_env() { sed -n "s/^$2=//p" "$1/tgtd.env"; }

t_alua_two_gateways()
{
	local d=$WORK/alua-gw2 ctrl2 port2 u1 u2 p1 p2 r1 r2
	rbd_ create --size 16M rbd/alua || return 1
	alua_gw2 "$d" || { failed "second gateway"; return 1; }
	ctrl2=$(alua_env "$d" TGT_CTRL)
	port2=$(alua_env "$d" TGT_PORT)
	target_new $ALUA_TID && lun_new $ALUA_TID 1 rbd/alua "$BSOPTS;gateway=gw1" &&
		TGT_CTRL=$ctrl2 target_new $ALUA_TID &&
		TGT_CTRL=$ctrl2 lun_new $ALUA_TID 1 rbd/alua "$BSOPTS;gateway=gw2" ||
		{ failed "LUNs"; scripts/tgtd.sh stop "$d" >/dev/null 2>&1; return 1; }
	u1=$(lun_url $ALUA_TID 1)
	u2="iscsi://127.0.0.2:$port2/$(iqn t$ALUA_TID)/1"
	[ "$(alua_tpgs "$u1")" = 1 ] && [ "$(alua_tpgs "$u2")" = 1 ] ||
		failed "standard INQUIRY: TPGS is not 01b (implicit ALUA)"
	p1=$(alua_port "$u1")
	p2=$(alua_port "$u2")
	note "gateway ports: gw1 $p1, gw2 $p2"
	[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ] ||
		failed "VPD 0x83 relative target ports: '$p1' and '$p2'"
	r1=$(alua_rtpg "$u1")
	r2=$(alua_rtpg "$u2")
	note "REPORT TARGET PORT GROUPS: $r1"
	[ "$(wc -w <<<"$r1")" = 2 ] || failed "groups: '$r1', want two"
	[ "$r1" = "$r2" ] || failed "gateways disagree: '$r1' vs '$r2'"
	# the lock goes with the writes, and so does Active/Optimized
	qemu-io -f raw -c "write -P 0x21 0 64k" "$u2" >/dev/null || failed "write via gw2"
	alua_ao_is "$u1" "$u2" "$p2"
	qemu-io -f raw -c "write -P 0x22 0 64k" "$u1" >/dev/null || failed "write via gw1"
	alua_ao_is "$u1" "$u2" "$p1"
	# the statistics file says who this gateway is, and its last state
	alua_until_stats "^lun tid=$ALUA_TID lun=1 .* gateway=gw1 tpg=$p1 alua=ao$" ||
		failed "stats: $(grep "^lun tid=$ALUA_TID lun=1 " "$(stats_file)")"
	# numbers stay with the names: gw2 restarted keeps its port
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	r1=$(alua_rtpg "$u1")
	[ "$r1" = "$p1:0" ] || failed "gw2 stopped: gw1 says '$r1', want '$p1:0'"
	alua_gw2 "$d" || { failed "second gateway again"; return 1; }
	ctrl2=$(alua_env "$d" TGT_CTRL)
	port2=$(alua_env "$d" TGT_PORT)
	u2="iscsi://127.0.0.2:$port2/$(iqn t$ALUA_TID)/1"
	TGT_CTRL=$ctrl2 target_new $ALUA_TID &&
		TGT_CTRL=$ctrl2 lun_new $ALUA_TID 1 rbd/alua "$BSOPTS;gateway=gw2" ||
		failed "gw2's LUN again"
	[ "$(alua_port "$u2")" = "$p2" ] || failed "gw2 came back as port $(alua_port "$u2"), was $p2"
	alua_pair_end rbd/alua "$d"
}

# alua_rsoc_has URL OPCODE SA: the "all commands" list of REPORT
# SUPPORTED OPERATION CODES has that service action
alua_rsoc_has()
{
	local f=$WORK/alua.rsoc
	"$SCSI_CMD" -r 4096 -o "$f" "$1" a30c00000000000010000000 |
		grep -q '^status=0x00' || return 1
	python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read()
n, i = struct.unpack(">I", d[:4])[0] + 4, 4
op, sa = int(sys.argv[2], 16), int(sys.argv[3], 16)
while i + 8 <= min(n, len(d)):
    if d[i] == op and d[i + 5] & 1 and struct.unpack(">H", d[i + 2:i + 4])[0] == sa:
        sys.exit(0)
    i += 20 if d[i + 5] & 2 else 8
sys.exit(1)' "$f" "$2" "$3"
}

# One gateway: REPORT SUPPORTED OPERATION CODES lists REPORT TARGET PORT
# GROUPS (MAINTENANCE IN 0xa3/0x0a), which answers one group, also for an
# image without the exclusive-lock feature (nobody can own it: the group
# is Active/Optimized) and in the extended format; a snapshot has no
# ALUA (read-only, every path alike): TPGS 0.
t_alua_one_gateway()
{
	local u r
	rbd_ create --size 8M rbd/alua-one &&
		rbd_ create --size 8M --image-feature layering rbd/alua-nolock &&
		rbd_ snap create rbd/alua-one@s >/dev/null 2>&1 || return 1
	target_new $ALUA_TID && lun_new $ALUA_TID 1 rbd/alua-one &&
		lun_new $ALUA_TID 2 rbd/alua-nolock &&
		lun_new $ALUA_TID 3 rbd/alua-one@s || { failed "LUNs"; return 1; }
	u=$(lun_url $ALUA_TID 1)
	alua_rsoc_has "$u" a3 0a || failed "REPORT TARGET PORT GROUPS not listed"
	[ "$(alua_tpgs "$u")" = 1 ] || failed "one gateway: TPGS is not 01b"
	r=$(alua_rtpg "$u")
	[ "$(wc -w <<<"$r")" = 1 ] && [ "${r#*:}" = 0 ] ||
		failed "one gateway: '$r', want one Active/Optimized group"
	r=$("$SCSI_CMD" -r 1024 "$u" a32a00000000000004000000)
	expect_status "REPORT TARGET PORT GROUPS, extended format" "$r" 0x00
	r=$(alua_rtpg "$(lun_url $ALUA_TID 2)")
	[ "${r#*:}" = 0 ] || failed "image without exclusive-lock: '$r'"
	[ "$(alua_tpgs "$(lun_url $ALUA_TID 3)")" = 0 ] ||
		failed "a snapshot LU says it has ALUA"
	target_del $ALUA_TID
	rbd_ snap purge rbd/alua-one >/dev/null 2>&1
	image_drop rbd/alua-one
	image_drop rbd/alua-nolock
}

# alua_nexus CTRL TID: the target has an I_T nexus (a session logged in)
alua_nexus() { tgtadm -C "$1" --lld iscsi --mode target --op show |
	awk -v t="Target $2:" 'index($0, t) == 1 { on = 1; next }
		/^Target [0-9]+:/ { on = 0 } on && /I_T nexus: [0-9]+/ { f = 1 }
		END { exit !f }'; }

# alua_nexuses CTRL: how many I_T nexuses the target has
alua_nexuses() { tgtadm -C "$1" --lld iscsi --mode target --op show |
	awk -v t="Target $ALUA_TID:" 'index($0, t) == 1 { on = 1; next }
		/^Target [0-9]+:/ { on = 0 } on && /I_T nexus: [0-9]+/ { n++ }
		END { print n + 0 }'; }

# alua_pair_end IMAGE DIR: the pair's end - gw2's tgtd in DIR stopped, the
# target on gw1 deleted, IMAGE removed
alua_pair_end()
{
	scripts/tgtd.sh stop "$2" >/dev/null 2>&1
	target_del $ALUA_TID
	image_drop "$1"
}

# alua_pair IMAGE DIR: IMAGE as LUN 1 of gw1 (the test bed's tgtd) and of
# gw2 (a tgtd in DIR on 127.0.0.2); sets ALUA_U1, ALUA_U2, ALUA_CTRL2
alua_pair()
{
	rbd_ create --size 16M "$1" || return 1
	alua_gw2 "$2" || { failed "second gateway"; return 1; }
	ALUA_CTRL2=$(alua_env "$2" TGT_CTRL)
	target_new $ALUA_TID && lun_new $ALUA_TID 1 "$1" "$BSOPTS;gateway=gw1" &&
		TGT_CTRL=$ALUA_CTRL2 target_new $ALUA_TID &&
		TGT_CTRL=$ALUA_CTRL2 lun_new $ALUA_TID 1 "$1" "$BSOPTS;gateway=gw2" ||
		{ failed "LUNs"; scripts/tgtd.sh stop "$2" >/dev/null 2>&1; return 1; }
	ALUA_U1=$(lun_url $ALUA_TID 1)
	ALUA_U2="iscsi://127.0.0.2:$(alua_env "$2" TGT_PORT)/$(iqn t$ALUA_TID)/1"
}

# alua_tur_sessions N OUT: a session on each gateway polling TEST UNIT
# READY up to N times, 100 ms apart, until it is not GOOD (OUT1, OUT2;
# pids in ALUA_TUR); returns once both are logged in
alua_tur_sessions()
{
	local i
	"$SCSI_CMD" -n "$1" "$ALUA_U1" 00000000000000 >"${2}1" &
	ALUA_TUR=$!
	"$SCSI_CMD" -n "$1" "$ALUA_U2" 00000000000000 >"${2}2" &
	ALUA_TUR="$ALUA_TUR $!"
	for i in $(seq 100); do
		alua_nexus "$TGT_CTRL" $ALUA_TID && alua_nexus "$ALUA_CTRL2" $ALUA_TID &&
			return 0
		sleep 0.1
	done
}

# alua_last_sense OUT ASCQ: both sessions' last answers were UNIT
# ATTENTION 2A/ASCQ
alua_last_sense()
{
	local i
	for i in 1 2; do
		tail -n 1 "$1$i" | grep -q "^status=0x02 key=0x6 asc=0x2a ascq=$2" ||
			failed "gateway $i: no unit attention 2A/$2: $(tail -n 1 "$1$i")"
	done
}

# A resize reaches every gateway (each watches the image's header): the
# nexuses of both get CAPACITY DATA HAS CHANGED.
t_alua_capacity_change_on_every_gateway()
{
	local d=$WORK/alua-cap
	alua_pair rbd/alua-cap "$d" || return 1
	alua_tur_sessions 200 "$WORK/alua.cap"
	rbd_ resize --size 32M rbd/alua-cap >/dev/null 2>&1 || failed "rbd resize"
	# shellcheck disable=SC2086
	wait $ALUA_TUR
	alua_last_sense "$WORK/alua.cap" 0x09
	alua_pair_end rbd/alua-cap "$d"
}

# alua_stats_has CTRL PATTERN: that tgtd's statistics file has a lun line
# matching PATTERN within 10 s
alua_stats_has()
{
	local i
	for i in $(seq 100); do
		grep -q "^lun tid=$ALUA_TID lun=1 .*$2" \
			"/var/run/tgtd/bs_rbd.$1.stats" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The lock moves from nobody (gw1, the lowest number, Active/Optimized) to
# gw2 with a write through gw2: both groups change state, and the nexuses
# of both gateways get ASYMMETRIC ACCESS STATE CHANGED (2A/06).
t_alua_state_change_unit_attention()
{
	local d=$WORK/alua-ua
	alua_pair rbd/alua-ua "$d" || return 1
	alua_tur_sessions 300 "$WORK/alua.ua"
	# each gateway has seen its state once, with an initiator logged in
	alua_stats_has "$TGT_CTRL" "alua=ao$" && alua_stats_has "$ALUA_CTRL2" "alua=ano$" ||
		failed "states before the write: $(grep -h "^lun tid=$ALUA_TID " \
			"$(stats_file)" "/var/run/tgtd/bs_rbd.$ALUA_CTRL2.stats")"
	qemu-io -f raw -c "write -P 0x26 0 4k" "$ALUA_U2" >/dev/null ||
		failed "write via gw2"
	# shellcheck disable=SC2086
	wait $ALUA_TUR
	alua_last_sense "$WORK/alua.ua" 0x06
	alua_stats_has "$TGT_CTRL" "alua=ano$" && alua_stats_has "$ALUA_CTRL2" "alua=ao$" ||
		failed "the statistics files do not show the new states"
	alua_pair_end rbd/alua-ua "$d"
}

# A LUN reset through gw1 is one on the image, not on gw1's LU: tgt's core
# queues POWER ON, RESET (29/00) on gw1's nexuses, and gw2's get it too.
# Nothing of ours runs at the reset: gw1 finds it at its next look, while
# an initiator (here an idle one) is still logged in, and tells gw2
# through the image's gateway registry object.  New logins on gw1 are no
# reset: gw2's initiator then sees no unit attention.
t_alua_lun_reset_unit_attention()
{
	local d=$WORK/alua-reset out i idle
	alua_pair rbd/alua-reset "$d" || return 1
	alua_tur_sessions 300 "$WORK/alua.reset"
	qemu-io -f raw -c "sleep 20000" "$ALUA_U1" >/dev/null 2>&1 &
	idle=$!
	for i in $(seq 100); do
		[ "$(alua_nexuses "$TGT_CTRL")" = 2 ] && break
		sleep 0.1
	done
	out=$("$SCSI_CMD" -t lun-reset -d 200 "$ALUA_U1" 00000000000000)
	[[ $out == *"response=0 "* ]] || failed "LUN reset through gw1: $out"
	# shellcheck disable=SC2086
	wait $ALUA_TUR
	kill "$idle" 2>/dev/null
	wait "$idle" 2>/dev/null
	for i in 1 2; do
		tail -n 1 "$WORK/alua.reset$i" |
			grep -q "^status=0x02 key=0x6 asc=0x29 ascq=0x00" ||
			failed "gateway $i: no unit attention 29/00: $(tail -n 1 "$WORK/alua.reset$i")"
	done
	grep -q "tid:$ALUA_TID lun:1 a LUN reset through another gateway" \
		"$d/tgtd.log" || failed "gw2 does not log the reset it heard"
	# gw2's initiator polls for 4 s while initiators log in and out of gw1
	"$SCSI_CMD" -n 40 "$ALUA_U2" 00000000000000 >"$WORK/alua.reset3" &
	ALUA_TUR=$!
	for i in 1 2 3; do
		"$SCSI_CMD" -n 5 "$ALUA_U1" 00000000000000 >/dev/null ||
			failed "TEST UNIT READY via gw1"
	done
	wait $ALUA_TUR
	tail -n 1 "$WORK/alua.reset3" | grep -q "^status=0x00 " ||
		failed "logins on gw1 taken for a reset: $(tail -n 1 "$WORK/alua.reset3")"
	alua_pair_end rbd/alua-reset "$d"
}
