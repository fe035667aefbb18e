# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Persistent reservations shared by an image's gateways: one state per
# image in RADOS (bs_rbd_pr.IMAGE_ID), an I_T nexus named by initiator
# port (iSCSI name and ISID) and gateway, changes read by every gateway
# before PERSISTENT RESERVE OUT returns.  Two gateways: the test bed's
# tgtd (gw1) and one on 127.0.0.2 (gw2), from 49-alua.sh's alua_pair.

# resv_param FILE KEY SA_KEY [FLAGS]: a 24-byte PR OUT parameter list
resv_param()
{
	printf '%016x%016x00000000%02x000000' "$2" "$3" "${4:-0}" |
		xxd -r -p >"$1"
}

# resv_out URL NODE SA TYPE KEY SA_KEY [FLAGS]: PERSISTENT RESERVE OUT as
# initiator port NODE (name iqn.2026-12.org.bs-rbd:NODE, ISID qualifier
# NODE's number), sent again on BUSY or NOT READY 04/0A (up to 50 times,
# 100 ms apart) as initiators do; prints scsi_cmd's last outcome line
resv_out()
{
	local f=$WORK/resv.param.$$.$RANDOM r i
	resv_param "$f" "$5" "$6" "${7:-0}"
	for i in $(seq 50); do
		r=$("$SCSI_CMD" -I "iqn.2026-12.org.bs-rbd:$2" -S "${2//[!0-9]/}" \
			-f "$f" "$1" "5f$(printf '%02x%02x' "$3" "$4")000000000018""00")
		case "$r" in
		"status=0x08 "* | "status=0x02 key=0x2 asc=0x04 ascq=0x0a "*) ;;
		*) break ;;
		esac
		sleep 0.1
	done
	rm -f "$f"
	echo "$r"
}

# resv_in URL SA OUT: PERSISTENT RESERVE IN (256 bytes) into OUT
resv_in()
{
	"$SCSI_CMD" -r 256 -o "$3" "$1" "5e$(printf '%02x' "$2")0000000000010000" \
		>/dev/null
}

# resv_status LINE: scsi_cmd's status field
resv_status() { sed -n 's/^status=\(0x[0-9a-f]*\) .*/\1/p' <<<"$1"; }

# One initiator writes through gw1, another preempts it through gw2 - the
# sequence of a failover cluster (Windows, pacemaker's fence_scsi): the
# first one gets REGISTRATIONS PREEMPTED on gw1, its next write there is
# refused, and both gateways report the same keys and reservation.
t_resv_failover_cluster_sequence()
{
	local d=$WORK/resv-seq r k k1 k2 r1 r2 poll
	alua_pair rbd/resv-seq "$d" || return 1
	r=$(resv_out "$ALUA_U1" node1 0 0 0 0x1111)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1 REGISTER via gw1: $r"
	r=$(resv_out "$ALUA_U1" node1 1 5 0x1111 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1 RESERVE WERO via gw1: $r"
	# node1 stays logged in to gw1, polling
	"$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node1 -S 1 -n 200 "$ALUA_U1" \
		00000000000000 >"$WORK/resv.poll" &
	poll=$!
	r=$(resv_out "$ALUA_U2" node2 0 0 0 0x2222)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node2 REGISTER via gw2: $r"
	r=$(resv_out "$ALUA_U2" node2 4 5 0x2222 0x1111)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node2 PREEMPT via gw2: $r"
	wait "$poll"
	tail -n 1 "$WORK/resv.poll" |
		grep -q "^status=0x02 key=0x6 asc=0x2a ascq=0x05" ||
		failed "node1 on gw1: no REGISTRATIONS PREEMPTED: $(tail -n 1 "$WORK/resv.poll")"
	r=$("$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node1 -S 1 -w 512:0x11 \
		"$ALUA_U1" 2a000000000000000100)
	[ "$(resv_status "$r")" = 0x18 ] ||
		failed "node1's write via gw1 after the preempt: $r, want RESERVATION CONFLICT"
	r=$("$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node2 -S 2 -w 512:0x22 \
		"$ALUA_U2" 2a000000000000000100)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node2's write via gw2: $r"
	for k in 0 1; do
		resv_in "$ALUA_U1" $k "$WORK/resv.in1" &&
			resv_in "$ALUA_U2" $k "$WORK/resv.in2" ||
			failed "PERSISTENT RESERVE IN $k"
		cmp -s "$WORK/resv.in1" "$WORK/resv.in2" ||
			failed "PERSISTENT RESERVE IN $k differs between the gateways"
	done
	k1=$(xxd -p -s 8 -l 8 "$WORK/resv.in1")
	k2=$(xxd -p -s 21 -l 1 "$WORK/resv.in1")
	[ "$k1" = 0000000000002222 ] && [ "$k2" = 05 ] ||
		failed "READ RESERVATION: key $k1 type $k2, want 2222 and 05"
	resv_in "$ALUA_U2" 0 "$WORK/resv.in2"
	r1=$(xxd -p -s 4 -l 4 "$WORK/resv.in2")
	r2=$(xxd -p -s 8 "$WORK/resv.in2" | tr -d '\n' | cut -c1-32)
	[ "$r1" = 00000008 ] && [ "${r2:0:16}" = 0000000000002222 ] ||
		failed "READ KEYS: length $r1 keys $r2, want node2's only"
	alua_stats_has "$TGT_CTRL" "pr=we_ro pr_regs=1 " &&
		alua_stats_has "$ALUA_CTRL2" "pr=we_ro pr_regs=1 " ||
		failed "the statistics files do not show the reservation"
	resv_operator_clear rbd/resv-seq "$ALUA_U1"
	alua_stats_has "$TGT_CTRL" "pr=none pr_regs=0 " &&
		alua_stats_has "$ALUA_CTRL2" "pr=none pr_regs=0 " ||
		failed "the statistics files after the operator's clear"
	r=$("$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node1 -S 1 -w 512:0x11 \
		"$ALUA_U1" 2a000000000000000100)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1's write after the clear: $r"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	target_del $ALUA_TID
	# the LU's image closes in the background: a watcher may linger
	image_drop rbd/resv-seq
}

# resv_operator_clear IMAGE URL: README.rbd's emergency clear - remove the
# device's reservation object, then tell the gateways to read it again
resv_operator_clear()
{
	local ident id
	ident=$(id_vpd "$2" 80 | xxd -r -p | tr -d " ")
	id=$(rbd_ info "$1" | sed -n 's/^[[:space:]]*id: //p')
	rados -c "$CEPH_CONF" -p rbd rm "bs_rbd_pr.$ident" &&
		rados -c "$CEPH_CONF" -p rbd notify "bs_rbd_gateways.$id" \
			"bs_rbd1 pr 0000000000000000 $ident" >/dev/null ||
		failed "the operator's clear"
}

# The same initiator port (name and ISID) logging in again is the same
# I_T nexus: its registration holds (tgt's own ties it to the session);
# another ISID is another port.
t_resv_relogin_keeps_registration()
{
	local r
	rbd_ create --size 16M rbd/resv-relogin || return 1
	target_new 52 && lun_new 52 1 rbd/resv-relogin || { failed "LUN"; return 1; }
	r=$(resv_out "$(lun_url 52 1)" node7 0 0 0 0x7777)
	[ "$(resv_status "$r")" = 0x00 ] || failed "REGISTER: $r"
	r=$(resv_out "$(lun_url 52 1)" node7 1 1 0x7777 0)
	[ "$(resv_status "$r")" = 0x00 ] ||
		failed "RESERVE after a re-login with the same ISID: $r"
	r=$("$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node7 -S 8 -w 512:0x77 \
		"$(lun_url 52 1)" 2a000000000000000100)
	[ "$(resv_status "$r")" = 0x18 ] ||
		failed "a write from another ISID of the same name: $r, want RESERVATION CONFLICT"
	r=$(resv_out "$(lun_url 52 1)" node7 2 1 0x7777 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "RELEASE: $r"
	target_del 52
	image_drop rbd/resv-relogin
}

# Eight initiators register at once, half through each gateway: no update
# is lost, and PRgeneration moves by exactly one per registration.  Then
# the state survives the LU's re-creation on gw1 and a restart of gw2.
t_resv_concurrent_and_restart()
{
	local d=$WORK/resv-race i pids="" g0 g1 n r u
	alua_pair rbd/resv-race "$d" || return 1
	resv_in "$ALUA_U1" 0 "$WORK/resv.keys" || failed "READ KEYS"
	g0=$((16#$(xxd -p -l 4 "$WORK/resv.keys")))
	for i in 1 2 3 4 5 6 7 8; do
		[ $((i % 2)) = 1 ] && u=$ALUA_U1 || u=$ALUA_U2
		resv_out "$u" "racer$i" 6 0 0 $((0x1000 + i)) 1 \
			>"$WORK/resv.race$i" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	for i in 1 2 3 4 5 6 7 8; do
		[ "$(resv_status "$(cat "$WORK/resv.race$i")")" = 0x00 ] ||
			failed "racer $i: $(cat "$WORK/resv.race$i")"
	done
	resv_in "$ALUA_U2" 0 "$WORK/resv.keys" || failed "READ KEYS"
	g1=$((16#$(xxd -p -l 4 "$WORK/resv.keys")))
	n=$((16#$(xxd -p -s 4 -l 4 "$WORK/resv.keys") / 8))
	[ "$n" = 8 ] && [ $((g1 - g0)) = 8 ] ||
		failed "8 registrations at once: $n keys, PRgeneration +$((g1 - g0))"
	r=$(resv_out "$ALUA_U1" racer1 1 3 0x1001 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "RESERVE EA: $r"
	# every gateway restarted: gw1's LU re-created, gw2's tgtd restarted
	target_del $ALUA_TID
	target_new $ALUA_TID && lun_new $ALUA_TID 1 rbd/resv-race \
		"$BSOPTS;gateway=gw1" || failed "gw1's LU again"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	alua_gw2 "$d" && ALUA_CTRL2=$(alua_env "$d" TGT_CTRL) &&
		TGT_CTRL=$ALUA_CTRL2 target_new $ALUA_TID &&
		TGT_CTRL=$ALUA_CTRL2 lun_new $ALUA_TID 1 rbd/resv-race \
			"$BSOPTS;gateway=gw2" || failed "gw2 again"
	ALUA_U2="iscsi://127.0.0.2:$(alua_env "$d" TGT_PORT)/$(iqn t$ALUA_TID)/1"
	for u in "$ALUA_U1" "$ALUA_U2"; do
		resv_in "$u" 1 "$WORK/resv.res" || failed "READ RESERVATION"
		[ "$(xxd -p -s 8 -l 8 "$WORK/resv.res")" = 0000000000001001 ] ||
			failed "after the restarts, $u: $(xxd -p "$WORK/resv.res" | head -n 1)"
	done
	r=$("$SCSI_CMD" -w 512:0x33 "$ALUA_U2" 2a000000000000000100)
	[ "$(resv_status "$r")" = 0x18 ] ||
		failed "a write from another initiator after the restarts: $r"
	alua_pair_end rbd/resv-race "$d"
}

# libiscsi's reservation suites with the second initiator on the other
# gateway (iscsi-test-cu takes the second URL as the second initiator's).
t_resv_libiscsi_two_gateways()
{
	local d=$WORK/resv-cu s out
	alua_pair rbd/resv-cu "$d" || return 1
	for s in ProutRegister ProutReserve ProutClear ProutPreempt \
		PrinReadKeys PrinServiceactionRange PrinReportCapabilities; do
		out=$(timeout 120 iscsi-test-cu -d -n -t "ALL.$s" \
			"$ALUA_U1" "$ALUA_U2" 2>&1)
		# CUnit's summary: tests Total Ran Passed Failed
		awk '$1 == "tests" { exit !($3 > 0 && $5 == 0) }' <<<"$out" ||
			failed "ALL.$s on two gateways: $(grep -E 'FAIL|tests ' <<<"$out" | head -n 4)"
	done
	alua_pair_end rbd/resv-cu "$d"
}

# A gateway that does not acknowledge a change (frozen) could go on with
# the old state: it is fenced before PERSISTENT RESERVE OUT returns GOOD,
# and once it runs again its LU comes back on a new client with the new
# state.
t_resv_frozen_gateway_is_fenced()
{
	local d=$WORK/resv-frozen r pid mark i n
	alua_pair rbd/resv-frozen "$d" || return 1
	r=$(resv_out "$ALUA_U2" node2 0 0 0 0x2222)
	[ "$(resv_status "$r")" = 0x00 ] || failed "node2 REGISTER via gw2: $r"
	pid=$(alua_env "$d" TGT_PID)
	mark=$(log_mark)
	kill -STOP "$pid"
	r=$(resv_out "$ALUA_U1" node1 0 0 0 0x1111)
	kill -CONT "$pid"
	[ "$(resv_status "$r")" = 0x00 ] || failed "node1 REGISTER via gw1: $r"
	wait_log "$mark" "did not acknowledge it in time and were blocklisted" 10 ||
		failed "gw1 did not fence the frozen gw2"
	# gw2 finds it is fenced (its watches fail), comes back, reads the keys
	for i in $(seq 100); do
		"$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node2 -S 2 -r 512 \
			"$ALUA_U2" 28000000000000000100 >/dev/null
		rm -f "$WORK/resv.keys"
		resv_in "$ALUA_U2" 0 "$WORK/resv.keys"
		n=$((16#$(xxd -p -s 4 -l 4 "$WORK/resv.keys" 2>/dev/null || echo 0) / 8))
		[ "$n" = 2 ] && break
		sleep 0.2
	done
	[ "$n" = 2 ] || failed "gw2 after its fence: $n keys, want 2"
	alua_pair_end rbd/resv-frozen "$d"
}

# resv_move URL PORT: node1 sends REGISTER AND MOVE (key 0x31, the new
# key 0x32) to node2's initiator port at relative target port PORT
resv_move()
{
	local f=$WORK/resv.move.$$
	python3 -c 'import struct, sys
name = b"iqn.2026-12.org.bs-rbd:node2,i,0x00bd00000002\0"
name += bytes(-len(name) % 4)
tid = bytes([0x45, 0]) + struct.pack(">H", len(name)) + name
p = struct.pack(">QQBBHI", 0x31, 0x32, 0, 0, int(sys.argv[2]), len(tid))
open(sys.argv[1], "wb").write(p + tid)' "$f" "$2"
	"$SCSI_CMD" -I iqn.2026-12.org.bs-rbd:node1 -S 1 -f "$f" "$1" \
		"5f07010000$(printf '%08x' "$(stat -c %s "$f")")00"
	rm -f "$f"
}

# REGISTER AND MOVE names a relative target port: one of the image's
# gateways (gw2's moves the reservation there), not any number.
t_resv_register_and_move_port()
{
	local d=$WORK/resv-move r p2 k
	alua_pair rbd/resv-move "$d" || return 1
	p2=$(alua_port "$ALUA_U2")
	r=$(resv_out "$ALUA_U1" node1 0 0 0 0x31)
	[ "$(resv_status "$r")" = 0x00 ] || failed "REGISTER: $r"
	r=$(resv_out "$ALUA_U1" node1 1 1 0x31 0)
	[ "$(resv_status "$r")" = 0x00 ] || failed "RESERVE: $r"
	r=$(resv_move "$ALUA_U1" 999)
	case "$r" in
	"status=0x02 key=0x5 asc=0x26 ascq=0x00 "*) ;;
	*) failed "to relative port 999: $r" ;;
	esac
	r=$(resv_move "$ALUA_U1" "$p2")
	[ "$(resv_status "$r")" = 0x00 ] || failed "to gw2's port $p2: $r"
	resv_in "$ALUA_U2" 1 "$WORK/resv.rr" &&
		k=$(od -An -tx1 -j8 -N8 "$WORK/resv.rr" | tr -d ' \n') &&
		[ "$k" = 0000000000000032 ] || failed "the holder's key is '$k'"
	alua_pair_end rbd/resv-move "$d"
}

# resv6_hold URL NODE OUT: RESERVE(6) as initiator port NODE in a session
# kept open in the background (20 s at most; pid in RESV6_PID); returns
# once its outcome is in OUT (10 s at most), 0 if it is GOOD
resv6_hold()
{
	local i
	"$SCSI_CMD" -I "iqn.2026-12.org.bs-rbd:$2" -S "${2//[!0-9]/}" -H 20000 \
		"$1" 160000000000 >"$3" &
	RESV6_PID=$!
	for i in $(seq 100); do
		if grep -q '^status=' "$3"; then
			grep -q '^status=0x00 ' "$3"
			return
		fi
		sleep 0.1
	done
	return 1
}

# resv6_end: the holder's session ends without a logout (I_T nexus loss)
resv6_end()
{
	kill -9 "$RESV6_PID" 2>/dev/null
	wait "$RESV6_PID" 2>/dev/null
}

# resv6_as URL NODE CDB [OPTS...]: scsi_cmd's outcome as initiator port NODE
resv6_as()
{
	local u=$1 n=$2 c=$3
	shift 3
	"$SCSI_CMD" -I "iqn.2026-12.org.bs-rbd:$n" -S "${n//[!0-9]/}" "$@" "$u" "$c"
}

# resv6_until URL NODE CDB [OPTS...]: the CDB as NODE until GOOD (10 s
# at most); prints the last outcome when it never was
resv6_until()
{
	local i r
	for i in $(seq 100); do
		r=$(resv6_as "$@")
		[ "$(resv_status "$r")" = 0x00 ] && return 0
		sleep 0.1
	done
	echo "$r"
	return 1
}

# RESERVE(6) through one gateway is the image's: every gateway refuses
# the other initiators (SPC-2: all but INQUIRY, REPORT LUNS, REQUEST
# SENSE, RELEASE), PERSISTENT RESERVE OUT too; RELEASE(6) from them
# changes nothing; the holder's I_T nexus lost releases it everywhere.
t_resv6_one_reservation_for_all_gateways()
{
	local d=$WORK/resv6 r c u
	alua_pair rbd/resv6 "$d" || return 1
	resv6_hold "$ALUA_U1" node1 "$WORK/resv6.hold" ||
		failed "RESERVE(6) via gw1: $(cat "$WORK/resv6.hold")"
	alua_stats_has "$TGT_CTRL" " reserve6=here" &&
		alua_stats_has "$ALUA_CTRL2" " reserve6=elsewhere" ||
		failed "the statistics files do not show the RESERVE(6)"
	for u in "$ALUA_U2" "$ALUA_U1"; do
		for c in 160000000000 000000000000 1a003f00ff00; do
			if [ "$c" = 1a003f00ff00 ]; then
				r=$(resv6_as "$u" node2 "$c" -r 255)
			else
				r=$(resv6_as "$u" node2 "$c")
			fi
			[ "$(resv_status "$r")" = 0x18 ] ||
				failed "node2's $c via $u: $r, want RESERVATION CONFLICT"
		done
		r=$(resv6_as "$u" node2 2a000000000000000100 -w 512:0x22)
		[ "$(resv_status "$r")" = 0x18 ] || failed "WRITE via $u: $r"
		r=$(resv6_as "$u" node2 120000006000 -r 96)
		[ "$(resv_status "$r")" = 0x00 ] || failed "INQUIRY via $u: $r"
		r=$(resv_out "$u" node2 0 0 0 0x2222)
		[ "$(resv_status "$r")" = 0x18 ] ||
			failed "PR OUT REGISTER via $u: $r, want RESERVATION CONFLICT"
		r=$(resv6_as "$u" node2 170000000000)
		[ "$(resv_status "$r")" = 0x00 ] || failed "RELEASE(6) via $u: $r"
	done
	r=$(resv6_as "$ALUA_U2" node2 2a000000000000000100 -w 512:0x22)
	[ "$(resv_status "$r")" = 0x18 ] ||
		failed "a write via gw2 after node2's RELEASE(6): $r"
	# no command reaches gw1 meanwhile: gw2 asks it before it answers
	resv6_end
	r=$(resv6_as "$ALUA_U2" node2 160000000000)
	[ "$(resv_status "$r")" = 0x00 ] ||
		failed "RESERVE(6) via gw2 right after node1's nexus loss on gw1: $r"
	r=$(resv6_until "$ALUA_U1" node3 2a000000000000000100 -w 512:0x33) ||
		failed "a write via gw1 once every holder's nexus went: $r"
	alua_pair_end rbd/resv6 "$d"
}

# libiscsi's Reserve6 suites with the second initiator on the other
# gateway: a logout or a lost connection releases the reservation for
# the other gateway's initiator at once, and so does a LUN reset.
t_resv6_libiscsi_two_gateways()
{
	local d=$WORK/resv6-cu out
	alua_pair rbd/resv6-cu "$d" || return 1
	out=$(timeout 180 iscsi-test-cu -d -n -t ALL.Reserve6 \
		"$ALUA_U1" "$ALUA_U2" 2>&1)
	note "$(grep -E '^ *(tests|asserts) ' <<<"$out" | tr -s ' ')"
	# CUnit's summary: tests Total Ran Passed Failed; Simple, 2Initiators,
	# Logout, ITNexusLoss and LUNReset run (the target resets: no TMF)
	awk '$1 == "tests" { exit !($3 >= 5 && $5 == 0) }' <<<"$out" ||
		failed "ALL.Reserve6 on two gateways: $(grep -E 'FAIL|tests ' <<<"$out" | head -n 6)"
	alua_pair_end rbd/resv6-cu "$d"
}

# A LUN reset through either gateway releases the RESERVE(6) taken
# through the other, and one taken through a gateway that then restarts
# is released when it comes back (its sessions went with it); until then
# the other gateway keeps refusing.
t_resv6_lun_reset_and_restart()
{
	local d=$WORK/resv6-rst r
	alua_pair rbd/resv6-rst "$d" || return 1
	resv6_hold "$ALUA_U1" node1 "$WORK/resv6.hold" ||
		failed "RESERVE(6) via gw1: $(cat "$WORK/resv6.hold")"
	r=$(resv6_as "$ALUA_U2" node2 000000000000 -t lun-reset -d 0)
	grep -q '^tmf=lun-reset response=0 ' <<<"$r" ||
		failed "LUN RESET via gw2: $r"
	r=$(resv6_until "$ALUA_U2" node2 160000000000) ||
		failed "RESERVE(6) via gw2 after a LUN reset there: $r"
	resv6_end
	resv6_hold "$ALUA_U2" node4 "$WORK/resv6.hold" ||
		failed "RESERVE(6) via gw2: $(cat "$WORK/resv6.hold")"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	resv6_end
	r=$(resv6_as "$ALUA_U1" node3 2a000000000000000100 -w 512:0x33)
	[ "$(resv_status "$r")" = 0x18 ] ||
		failed "a write via gw1 while gw2, the holder's, is down: $r"
	alua_gw2 "$d" && ALUA_CTRL2=$(alua_env "$d" TGT_CTRL) &&
		TGT_CTRL=$ALUA_CTRL2 target_new $ALUA_TID &&
		TGT_CTRL=$ALUA_CTRL2 lun_new $ALUA_TID 1 rbd/resv6-rst \
			"$BSOPTS;gateway=gw2" || failed "gw2 again"
	r=$(resv6_until "$ALUA_U1" node3 2a000000000000000100 -w 512:0x33) ||
		failed "a write via gw1 once gw2 is back: $r"
	alua_pair_end rbd/resv6-rst "$d"
}

# A LUN deleted and added again is a new LU: the RESERVE(6) taken through
# the one before is released (its holder still logged in to the target).
t_resv6_lun_deleted_and_added()
{
	local d=$WORK/resv6-del r
	alua_pair rbd/resv6-del "$d" || return 1
	resv6_hold "$ALUA_U1" node1 "$WORK/resv6.hold" ||
		failed "RESERVE(6) via gw1: $(cat "$WORK/resv6.hold")"
	r=$(resv6_as "$ALUA_U2" node3 2a000000000000000100 -w 512:0x33)
	[ "$(resv_status "$r")" = 0x18 ] || failed "a write via gw2: $r"
	lun_del $ALUA_TID 1 && lun_new $ALUA_TID 1 rbd/resv6-del \
		"$BSOPTS;gateway=gw1" || failed "gw1's LUN again"
	r=$(resv6_until "$ALUA_U2" node3 2a000000000000000100 -w 512:0x33) ||
		failed "a write via gw2 once the LUN is new: $r"
	resv6_end
	alua_pair_end rbd/resv6-del "$d"
}
