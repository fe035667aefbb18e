# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Failover between gateways: tgtds of their own on 127.0.0.2 and
# 127.0.0.3 (the test bed's tgtd is never stopped) export one image.  The
# gateway holding the image's lock is frozen (SIGSTOP) or killed under
# writes; the other takes the image over (takeover=, bs_rbd_takeover.c),
# no stale write of the old holder lands after the new holder's, and a
# frozen gateway comes back by itself as a working non-optimized path.
# Initiators writing through both gateways at once (a split) move the lock
# to and fro without fencing anyone.  How fast: make bench-failover.

FO_TID=51
FO_SPLIT_S=${FO_SPLIT_S:-60}

fo_env() { sed -n "s/^$2=//p" "$WORK/fo-$1/tgtd.env"; }
fo_url() { echo "iscsi://$(fo_env "$1" TGT_ADDR):$(fo_env "$1" TGT_PORT)/$(iqn t$FO_TID)/1"; }
fo_pid() { fo_env "$1" TGT_PID; }
fo_log() { cat "$WORK/fo-$1/tgtd.log" 2>/dev/null; }
fo_ceph() { timeout 30 ceph -c "$CEPH_CONF" "$@" 2>/dev/null; }
fo_rbd_url() { echo "rbd:$1:conf=$CEPH_CONF"; }

# fo_gw NAME ADDR IMAGE [BSOPTS]: a tgtd of its own, gateway NAME, on
# ADDR, with IMAGE as LUN 1 (on the test bed's cluster unless BSOPTS)
fo_gw()
{
	local c
	TGT_ADDR=$2 TGT_CTRL='' TGT_PORT='' scripts/tgtd.sh start \
		"$WORK/fo-$1" "$WORK/modules" >/dev/null 2>&1 || return 1
	c=$(fo_env "$1" TGT_CTRL)
	TGT_CTRL=$c target_new $FO_TID &&
		TGT_CTRL=$c lun_new $FO_TID 1 "$3" "${4:-$BSOPTS};gateway=$1"
}

# fo_stop NAME...: stop those tgtds (a frozen one is thawed first); the
# next case starts with empty logs
fo_stop()
{
	local n p
	for n; do
		p=$(fo_pid "$n")
		[ -n "$p" ] && kill -CONT "$p" 2>/dev/null
		scripts/tgtd.sh stop "$WORK/fo-$n" >/dev/null 2>&1
		rm -f "$WORK/fo-$n/tgtd.log"
	done
}

# fo_unblock: remove every blocklist entry (the tests' fences)
fo_unblock()
{
	local a
	for a in $(fo_ceph osd blocklist ls | awk '{ print $1 }'); do
		fo_ceph osd blocklist rm "$a" >/dev/null
	done
}

# fo_writer URL STOP OUT: 64 KiB WRITE(10)s of 0xa1 at LBA 0, one session
# each, back to back until the file STOP exists (90 s at most); the
# status line of each in OUT
fo_writer()
{
	local end=$(($(date +%s) + 90))
	while [ ! -e "$2" ] && [ "$(date +%s)" -lt "$end" ]; do
		timeout 60 "$SCSI_CMD" -w 65536:0xa1 "$1" 2a000000000000008000 ||
			echo "no answer"
	done >"$3" 2>&1
}

# fo_data_is IMAGE LEN BYTE: the image starts with LEN bytes of BYTE, as
# librbd reads it (not through any gateway)
fo_data_is() { qemu-io -r -f raw -c "read -P $3 0 $2" "$(fo_rbd_url "$1")" >/dev/null 2>&1; }

# fo_until SECONDS CMD...: CMD succeeds within SECONDS (checked every 0.2 s)
fo_until()
{
	local end=$(($(now_ms) + $1 * 1000))
	shift
	while [ "$(now_ms)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

# fo_reads_ok URL: a READ through the gateway gets GOOD
fo_reads_ok() { "$SCSI_CMD" -r 4096 "$1" 28000000000000000800 | grep -q '^status=0x00'; }

# The lock holder frozen with a writer on it: the other gateway's write
# completes (its lock is broken, it is blocklisted), the frozen one's
# pending write ends with an error once it thaws, never lands, and the
# gateway is a working path again by itself (non-optimized, the entry
# still there).  The module of 12cc540 never came back.
t_failover_frozen_owner()
{
	local img=rbd/fo-frozen a b stop=$WORK/fo.stop out=$WORK/fo.writes w l r
	rbd_ create --size 16M $img || return 1
	fo_gw gwa 127.0.0.2 $img && fo_gw gwb 127.0.0.3 $img ||
		{ failed "gateways"; fo_stop gwa gwb; return 1; }
	a=$(fo_url gwa)
	b=$(fo_url gwb)
	rm -f "$stop"
	fo_writer "$a" "$stop" "$out" &
	w=$!
	# gwa holds the lock once a write went through it
	fo_until 20 grep -q '^status=0x00' "$out" || failed "no write through gwa"
	kill -STOP "$(fo_pid gwa)"
	touch "$stop"
	# a write that reaches gwa while it is frozen: it waits in its socket
	timeout 120 "$SCSI_CMD" -w 65536:0xa1 "$a" 2a000000000000008000 \
		>"$WORK/fo.late" 2>&1 &
	l=$!
	qemu-io -f raw -c "write -P 0xb2 0 64k" "$b" >/dev/null ||
		failed "the write through gwb failed"
	kill -CONT "$(fo_pid gwa)"
	wait "$w" "$l"
	note "gwa's writer: $(grep -c '^status=0x00' "$out") good, last: $(tail -n 1 "$out")"
	# it runs on the fenced client: an error, never GOOD
	grep -q "^status=0x02 key=0x2 asc=0x04 ascq=0x0a" "$WORK/fo.late" ||
		failed "write sent to the frozen gwa: $(cat "$WORK/fo.late"), want NOT READY 04/0A"
	fo_data_is $img 64k 0xb2 || failed "a stale write of gwa landed after gwb's"
	grep -q "did not hand it over" <(fo_log gwb) ||
		failed "gwb did not break gwa's lock"
	fo_until 20 fo_reads_ok "$a" || failed "gwa did not serve again by itself"
	grep -q "image reopened on a new client" <(fo_log gwa) ||
		failed "gwa did not move to a new client"
	r=$(alua_rtpg "$a")
	[ "$r" = "$(alua_rtpg "$b")" ] && [ "$(grep -o '[0-9]*:0' <<<"$r" | wc -l)" = 1 ] &&
		grep -q "$(alua_port "$b"):0" <<<"$r" ||
		failed "after the failover: gwa says '$r', gwb '$(alua_rtpg "$b")'"
	fo_ceph osd blocklist ls | grep -q . ||
		failed "no blocklist entry: gwa came back only because it was removed"
	fo_stop gwa gwb
	fo_unblock
	image_drop $img
}

# The lock holder killed: the other gateway takes over; the killed one,
# restarted, serves again.
t_failover_killed_owner()
{
	local img=rbd/fo-killed a b
	rbd_ create --size 16M $img || return 1
	fo_gw gwa 127.0.0.2 $img && fo_gw gwb 127.0.0.3 $img ||
		{ failed "gateways"; fo_stop gwa gwb; return 1; }
	a=$(fo_url gwa)
	b=$(fo_url gwb)
	qemu-io -f raw -c "write -P 0xc1 0 64k" "$a" >/dev/null || failed "write through gwa"
	kill -KILL "$(fo_pid gwa)"
	qemu-io -f raw -c "write -P 0xc2 64k 64k" "$b" >/dev/null ||
		failed "the write through gwb failed"
	grep -q "did not hand it over" <(fo_log gwb) ||
		failed "gwb did not break the dead gwa's lock"
	fo_stop gwa
	fo_gw gwa 127.0.0.2 $img || failed "gwa restarted"
	qemu-io -f raw -c "read -P 0xc1 0 64k" -c "read -P 0xc2 64k 64k" \
		-c "write -P 0xc3 128k 64k" "$(fo_url gwa)" >/dev/null ||
		failed "I/O through the restarted gwa"
	qemu-io -r -f raw -c "read -P 0xc1 0 64k" -c "read -P 0xc2 64k 64k" \
		-c "read -P 0xc3 128k 64k" "$(fo_rbd_url $img)" >/dev/null ||
		failed "data through librbd"
	fo_stop gwa gwb
	fo_unblock
	image_drop $img
}

# fo_split_writer URL OFFSET END OUT: until the time END, a write of a
# new pattern at OFFSET and its read back, one session each; "ok N" or
# "bad N" per round in OUT, the last pattern written last
fo_split_writer()
{
	local n=0 p
	while [ "$(date +%s)" -lt "$3" ]; do
		n=$((n + 1))
		p=$(printf '0x%02x' $((n % 250 + 1)))
		if timeout 60 qemu-io -f raw -c "write -P $p $2 64k" \
			-c "read -P $p $2 64k" "$1" >/dev/null 2>&1; then
			echo "ok $p"
		else
			echo "bad $p"
		fi
	done >"$4"
}

# A split: two initiators write through two gateways at once for
# FO_SPLIT_S (60) seconds.  Every write and read-back succeeds, both make
# progress, the data is the last of each, and no gateway fences the other
# (the lock is handed over on request, each time).
t_failover_split_initiators()
{
	local img=rbd/fo-split a b end pa pb r
	rbd_ create --size 16M $img || return 1
	fo_gw gwa 127.0.0.2 $img && fo_gw gwb 127.0.0.3 $img ||
		{ failed "gateways"; fo_stop gwa gwb; return 1; }
	a=$(fo_url gwa)
	b=$(fo_url gwb)
	end=$(($(date +%s) + FO_SPLIT_S))
	fo_split_writer "$a" 0 "$end" "$WORK/fo.split-a" &
	pa=$!
	fo_split_writer "$b" 1M "$end" "$WORK/fo.split-b" &
	pb=$!
	wait "$pa" "$pb"
	note "rounds: gwa $(grep -c '^ok' "$WORK/fo.split-a"), gwb $(grep -c '^ok' "$WORK/fo.split-b")"
	for r in a b; do
		! grep -q '^bad' "$WORK/fo.split-$r" ||
			failed "gw$r: $(grep -c '^bad' "$WORK/fo.split-$r") rounds failed"
		[ "$(grep -c '^ok' "$WORK/fo.split-$r")" -ge 10 ] ||
			failed "gw$r made too little progress"
	done
	qemu-io -r -f raw \
		-c "read -P $(tail -n 1 "$WORK/fo.split-a" | cut -d' ' -f2) 0 64k" \
		-c "read -P $(tail -n 1 "$WORK/fo.split-b" | cut -d' ' -f2) 1M 64k" \
		"$(fo_rbd_url $img)" >/dev/null || failed "data after the split"
	! grep -q "did not hand it over" <(fo_log gwa; fo_log gwb) ||
		failed "a gateway fenced the other during the split"
	! fo_ceph osd blocklist ls | grep -q . ||
		failed "blocklist entries after the split"
	fo_stop gwa gwb
	image_drop $img
}

# Three gateways: three groups, the same answer from each, one of them
# Active/Optimized and it follows the writes.
t_failover_three_gateways()
{
	local img=rbd/fo-three g r u
	rbd_ create --size 16M $img || return 1
	fo_gw gwa 127.0.0.2 $img && fo_gw gwb 127.0.0.3 $img &&
		fo_gw gwc 127.0.0.3 $img ||
		{ failed "gateways"; fo_stop gwa gwb gwc; return 1; }
	for g in gwa gwb gwc; do
		u=$(fo_url $g)
		qemu-io -f raw -c "write -P 0x3c 0 4k" "$u" >/dev/null ||
			failed "write through $g"
		r=$(alua_rtpg "$u")
		[ "$(wc -w <<<"$r")" = 3 ] || failed "$g: groups '$r', want three"
		alua_ao_is "$(fo_url gwa)" "$(fo_url gwc)" "$(alua_port "$u")"
		[ "$(alua_rtpg "$(fo_url gwb)")" = "$(alua_rtpg "$u")" ] ||
			failed "gwb disagrees after a write through $g"
	done
	fo_stop gwa gwb gwc
	image_drop $img
}

# fo_svc_has DIR PATTERN: `ceph service status` of DIR's cluster has a
# tgt-rbd daemon line matching PATTERN within 20 s
fo_svc_has()
{
	local i
	for i in $(seq 100); do
		timeout 10 ceph -c "$1/ceph.conf" service status -f json 2>/dev/null |
			python3 -c 'import json, re, sys
d = json.load(sys.stdin).get("tgt-rbd", {})
lines = ["%s %s" % (n, " ".join("%s=%s" % kv for kv in v.get("status", {}).items()))
	 for n, v in d.items()]
sys.exit(not any(re.search(sys.argv[1], l) for l in lines))' "$2" && return 0
		sleep 0.2
	done
	return 1
}

# The gateways are in Ceph's service map (with a ceph-mgr: a cluster of
# the case's own, as in 84-quota.sh): `ceph -s` counts them, `ceph service
# dump` names them, and `ceph service status` says which holds the image.
t_failover_service_map()
{
	local d=$WORK/fo-svc-ceph img=rbd/fo-svc o
	if ! env -u CEPH_MON_PORT scripts/cluster.sh start "$d" >"$d.log" 2>&1 ||
		! scripts/cluster.sh start-mgr "$d" >>"$d.log" 2>&1; then
		failed "cluster with a mgr in $d"
		scripts/cluster.sh stop "$d" >/dev/null 2>&1
		return 1
	fi
	o="conf=$d/ceph.conf;id=tgt;keyring=$d/ceph.client.tgt.keyring"
	timeout 30 rbd -c "$d/ceph.conf" create --size 16M $img &&
		fo_gw gwa 127.0.0.2 $img "$o" && fo_gw gwb 127.0.0.3 $img "$o" ||
		failed "gateways"
	qemu-io -f raw -c "write -P 0x5e 0 4k" "$(fo_url gwb)" >/dev/null ||
		failed "write through gwb"
	# each learns its state (REPORT TARGET PORT GROUPS)
	alua_rtpg "$(fo_url gwa)" >/dev/null && alua_rtpg "$(fo_url gwb)" >/dev/null
	fo_svc_has "$d" "^gwb[.][0-9]+ .*tid:$FO_TID lun:1=$img ok ao" ||
		failed "service status: gwb does not hold $img"
	fo_svc_has "$d" "^gwa[.][0-9]+ .*tid:$FO_TID lun:1=$img ok ano" ||
		failed "service status: gwa"
	timeout 10 ceph -c "$d/ceph.conf" service dump 2>/dev/null |
		grep -q '"gateway": "gwa"' || failed "service dump: no gateway gwa"
	timeout 10 ceph -c "$d/ceph.conf" -s 2>/dev/null |
		grep -q "tgt-rbd: 2 gateways active" ||
		failed "ceph -s: $(timeout 10 ceph -c "$d/ceph.conf" -s 2>/dev/null | grep tgt-rbd)"
	fo_stop gwa gwb
	scripts/cluster.sh stop "$d" >/dev/null 2>&1
	rm -rf "$d" "$d.log"
}
