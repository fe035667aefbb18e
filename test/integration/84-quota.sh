# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Pool quota (ceph osd pool set-quota): once the mon marks the pool full
# (full_quota), writes that need new space fail with DATA PROTECT, SPACE
# ALLOCATION FAILED WRITE PROTECT (27/07) instead of hanging, reads go on,
# and writes work again once the quota is lifted.  The mon learns a pool's
# usage only from a ceph-mgr and the test bed's cluster has none, so each
# case starts a small cluster of its own with one (scripts/cluster.sh
# start-mgr, about 3 s); its LUN is served by the test bed's tgtd.

quota_dir() { echo "$WORK/quota-ceph"; }
qceph() { timeout 20 ceph -c "$(quota_dir)/ceph.conf" "$@" 2>/dev/null; }

# pool_full_quota: the mon has flagged pool rbd full_quota
pool_full_quota()
{
	qceph osd pool ls detail | grep "^pool [0-9]* 'rbd' " | grep -qw full_quota
}
pool_not_full() { ! pool_full_quota && qceph osd pool ls detail | grep -q "'rbd'"; }

# poll_ms SECONDS CMD...: poll CMD every 0.2 s; print how many ms it took
# to succeed, fail after SECONDS
poll_ms()
{
	local t0 deadline=$(($(date +%s) + $1))
	t0=$(now_ms)
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
	echo $(($(now_ms) - t0))
}

# Block addresses: 512-byte blocks, 4 MiB objects (8192 blocks).  The
# first 3 MiB (object 0) are written before the quota; objects 2..15 are
# never allocated while the pool is full.
new_lba() { echo $(((2 + $1 % 14) * 8192 + ($1 * 64) % 8000)); }

# write10 FUA|- LBA BYTE: a WRITE(10) of 8 blocks (4 KiB) to LUN 84/1, FUA
# or not, bounded; prints scsi_cmd's result
write10()
{
	local flags=00
	[ "$1" = FUA ] && flags=08
	timeout 30 "$SCSI_CMD" -w "4096:$3" "$(lun_url 84 1)" \
		"2a$flags$(printf %08x "$2")00000800" || echo "no answer within 30 s"
}

is_quota_sense() { case "$1" in "status=0x02 key=0x7 asc=0x27 ascq=0x07"*) return 0 ;; esac; return 1; }

# quota_setup: own cluster with a mgr, image rbd/quota behind LUN 84/1,
# 0x51 in its first 3 MiB (written by qemu-io, whose flush at the end
# would turn librbd's default cache from write-through to write-around, as
# any real initiator's first SYNCHRONIZE CACHE does, had bs_rbd not turned
# write-around off), then a quota below what the pool holds, until the mon
# flags the pool full_quota
quota_setup()
{
	local d t0 ms
	d=$(quota_dir)
	t0=$(now_ms)
	# CEPH_MON_PORT is the test bed's: pick a free port
	if ! env -u CEPH_MON_PORT scripts/cluster.sh start "$d" >"$d.log" 2>&1 ||
		! scripts/cluster.sh start-mgr "$d" >>"$d.log" 2>&1; then
		failed "cluster with a mgr in $d"
		tail -n 20 "$d.log" | sed 's/^/      /'
		return 1
	fi
	note "own cluster with a mgr up in $(($(now_ms) - t0)) ms"
	timeout 30 rbd -c "$d/ceph.conf" create --size 64M rbd/quota ||
		{ failed "rbd create"; return 1; }
	target_new 84 || { failed "target"; return 1; }
	lun_new 84 1 rbd/quota \
		"conf=$d/ceph.conf;id=tgt;keyring=$d/ceph.client.tgt.keyring" ||
		{ failed "LUN"; return 1; }
	timeout 60 qemu-io -f raw -c "write -P 0x51 0 3M" "$(lun_url 84 1)" >/dev/null ||
		{ failed "write before the quota"; return 1; }
	qceph osd pool set-quota rbd max_bytes 1048576 >/dev/null ||
		{ failed "set-quota"; return 1; }
	ms=$(poll_ms 30 pool_full_quota) ||
		{ failed "pool not flagged full_quota within 30 s"; return 1; }
	note "pool flagged full_quota $ms ms after set-quota"
}

# quota_protect_counted N: LU 84/1 is ok and has err_protect >= N
quota_protect_counted()
{
	local n
	n=$(sed -n 's/^lun tid=84 lun=1 .* state=ok .* err_protect=\([0-9]*\) .*/\1/p' \
		"/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" 2>/dev/null)
	[ -n "$n" ] && [ "$n" -ge "$1" ]
}

# quota_client_gone: tgtd's statistics list no client of our cluster
quota_client_gone()
{
	! grep -qF "conf=$(quota_dir)/ceph.conf " \
		"/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" 2>/dev/null
}

# The LUN, then the cluster once tgtd has dropped its client of it.
quota_cleanup()
{
	local d
	d=$(quota_dir)
	qceph osd pool set-quota rbd max_bytes 0 >/dev/null
	target_del 84
	poll_ms 15 quota_client_gone >/dev/null ||
		failed "tgtd still has a client of $d"
	scripts/cluster.sh stop "$d" >/dev/null 2>&1
	rm -rf "$d" "$d.log"
}

t_pool_quota_full_fails_writes_keeps_reads()
{
	local t0 ms r i slowest=0 refused=0 mark
	mark=$(log_mark)
	quota_setup || { quota_cleanup; return 1; }
	# writes that need new space: refused, each within a bound.  A FUA
	# write waits for the OSD's verdict whatever librbd's cache policy.
	for i in $(seq 20); do
		t0=$(now_ms)
		r=$(write10 FUA "$(new_lba "$i")" 0x52)
		ms=$(($(now_ms) - t0))
		[ "$ms" -gt "$slowest" ] && slowest=$ms
		is_quota_sense "$r" && refused=$((refused + 1)) ||
			failed "FUA write $i into the full pool: got '$r', want DATA PROTECT 27/07 (GOOD: acknowledged, not stored)"
	done
	note "$refused of 20 FUA writes to new space refused, slowest $slowest ms"
	[ "$slowest" -lt 10000 ] || failed "a refused write took $slowest ms"
	# overwriting allocated space needs no new space: accepted
	r=$(write10 FUA 2048 0x53)
	expect_status "FUA overwrite of allocated space" "$r" 0x00
	# reads go on: the data is intact, no refused write landed
	timeout 60 qemu-io -f raw -c "read -P 0x51 0 1M" -c "read -P 0x53 1M 4k" \
		-c "read -P 0x51 1052672 2093056" -c "read -P 0 3M 1M" \
		-c "read -P 0 $(($(new_lba 1) * 512)) 4k" \
		-c "read -P 0 $(($(new_lba 20) * 512)) 4k" \
		"$(lun_url 84 1)" >/dev/null || failed "reads from the full pool"
	# the statistics file (rewritten every second) counts the refusals
	poll_ms 5 quota_protect_counted "$refused" >/dev/null ||
		failed "err_protect below $refused, or the LU not ok"
	note "$(grep "^lun tid=84 lun=1 " "/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" |
		grep -o 'state=[a-z]* \|writes=[0-9]* \|err_[a-z]*=[1-9][0-9]* ' | tr -d '\n')"
	expect_log "$mark" "Disk quota exceeded"

	# quota lifted: writes work again
	qceph osd pool set-quota rbd max_bytes 0 >/dev/null || failed "lift quota"
	ms=$(poll_ms 30 pool_not_full) ||
		{ failed "full_quota not cleared within 30 s"; quota_cleanup; return 1; }
	note "full_quota cleared $ms ms after the quota was lifted"
	r=$(write10 FUA "$(new_lba 1)" 0x55)
	expect_status "FUA write after the quota was lifted" "$r" 0x00
	timeout 60 qemu-io -f raw -c "read -P 0x55 $(($(new_lba 1) * 512)) 4k" \
		-c "write -P 0x56 8M 1M" -c "read -P 0x56 8M 1M" \
		-c "read -P 0x51 0 1M" "$(lun_url 84 1)" >/dev/null ||
		failed "I/O after the quota was lifted"
	quota_cleanup
}

# refused_or_stored WHAT RESULT LBA BYTE BLOCKS: WHAT, a write of BLOCKS
# blocks of BYTE at LBA into the full pool, returned RESULT; then
# SYNCHRONIZE CACHE.  One of the two failed with 27/07, or the data is
# stored: never GOOD twice and the data lost.
refused_or_stored()
{
	local s
	# by now the OSD has answered
	sleep 1
	s=$(timeout 30 "$SCSI_CMD" "$(lun_url 84 1)" 35000000000000000000 ||
		echo "no answer within 30 s")
	note "$1: $2; SYNCHRONIZE CACHE: $s"
	if is_quota_sense "$2" || is_quota_sense "$s"; then
		return 0
	fi
	expect_status "$1" "$2" 0x00
	expect_status "SYNCHRONIZE CACHE after $1" "$s" 0x00
	timeout 60 qemu-io -f raw -c "read -P $4 $(($3 * 512)) $(($5 * 512))" \
		"$(lun_url 84 1)" >/dev/null ||
		failed "$1 and SYNCHRONIZE CACHE returned GOOD, the data is not stored"
}

# Writes without FUA (WCE=1) into the full pool, after the initiator's
# first SYNCHRONIZE CACHE (qemu-io's, in quota_setup): the write or the
# next SYNCHRONIZE CACHE must fail, else the initiator believes the data
# is stored.  librbd 16.2's default cache (write-around) acknowledged both
# a WRITE and a WRITE SAME before the OSD refused them and its flush then
# skipped the stored error: both GOOD, data lost, every time (README.rbd
# 9.3).  bs_rbd turns write-around off (usr/bs_rbd_conn.c), so each write
# fails with 27/07 itself.
t_pool_quota_cached_write_error_reported()
{
	local r lba
	quota_setup || { quota_cleanup; return 1; }
	lba=$(new_lba 7)
	r=$(write10 - "$lba" 0x57)
	refused_or_stored "plain WRITE(10)" "$r" "$lba" 0x57 8
	# WRITE SAME(10), 16 blocks of one 512-byte block of 0x58
	lba=$(new_lba 9)
	r=$(timeout 30 "$SCSI_CMD" -w 512:0x58 "$(lun_url 84 1)" \
		"4100$(printf %08x "$lba")00001000" || echo "no answer within 30 s")
	refused_or_stored "WRITE SAME(10)" "$r" "$lba" 0x58 16
	quota_cleanup
}
