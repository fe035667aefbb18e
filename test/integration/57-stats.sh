# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Operator visibility: per-LU counters and client state in
# /var/run/tgtd/bs_rbd.PORT.stats, rewritten every second.

# stats_field LINE KEY: the value of KEY= in LINE
stats_field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# wait_stats_line PATTERN: the file's line matching PATTERN, within 3 s
wait_stats_line()
{
	local i line
	for i in $(seq 15); do
		line=$(grep -E -- "$1" "$(stats_file)" 2>/dev/null | head -n 1)
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.2
	done
	return 1
}

t_stats_file_counts_commands()
{
	local line r k want
	rbd_ create --size 8M rbd/stats || return 1
	target_new 57 || return 1
	lun_new 57 1 rbd/stats || { failed "LUN"; return 1; }
	for r in 0 8 16; do
		r=$(scsi 57 1 -w 4096:0x5a "2a0000000$(printf %03x "$r")00000800")
		expect_status "write" "$r" 0x00
	done
	r=$(scsi 57 1 -r 4096 28000000000000000800)
	expect_status "read" "$r" 0x00
	r=$(scsi 57 1 -r 4096 28000000000800000800)
	expect_status "read" "$r" 0x00
	r=$(scsi 57 1 35000000000000000000)
	expect_status "sync cache" "$r" 0x00
	# COMPARE AND WRITE against a block of zeroes: MISCOMPARE
	r=$(scsi 57 1 -w 1024:0x77 89000000000000000064000000010000)
	expect_status "compare and write" "$r" 0x02 0xe 0x1d 0x00
	line=$(wait_stats_line "^lun tid=57 lun=1 image=rbd/stats state=ok .*reads=2 ") ||
		{ failed "no up-to-date line for the LU in $(stats_file)"; return 1; }
	note "$line"
	for want in inflight=0 reads=2 read_bytes=8192 writes=3 \
		write_bytes=12288 flushes=1 err_miscompare=1 err_medium=0; do
		k=${want%%=*}
		[ "$(stats_field "$line" "$k")" = "${want#*=}" ] ||
			failed "$k=$(stats_field "$line" "$k"), want ${want#*=}"
	done
	[ "$(stats_field "$line" lat_avg_us)" -gt 0 ] 2>/dev/null ||
		failed "no latency measured"
	grep -q "^client id=tgt cluster=ceph conf=$CEPH_DIR/ceph.conf connection=0 state=connected " "$(stats_file)" ||
		failed "no connected client line"
	# its address is the watcher's: what `ceph osd blocklist` would name
	want=$(rbd_ status rbd/stats | sed -n 's/.*watcher=\([^ ]*\) .*/\1/p')
	grep -q "^client id=tgt .*connection=0 .* addr=$want$" "$(stats_file)" ||
		failed "no client line with addr=$want: $(grep "^client .*connection=0 " "$(stats_file)")"
	target_del 57
	for r in $(seq 15); do
		grep -q "^lun tid=57 " "$(stats_file)" 2>/dev/null || break
		sleep 0.2
	done
	grep -q "^lun tid=57 " "$(stats_file)" 2>/dev/null &&
		failed "the deleted LU is still listed"
	image_drop rbd/stats
}

# connection=N: equal options share one client, a different N gets its
# own (two client lines in the statistics file).  A client is one
# librados io_context_pool thread (t_completion_threads_per_client) and a
# dozen others; tgtd's thread count may be briefly higher after a
# creation (helper threads), so it must come back down (threads_settle),
# not be equal at once.
t_connection_option_spreads_luns()
{
	local th1 th3 p1 p2 p3 users0 n i
	rbd_ create --size 8M rbd/spread || return 1
	target_new 58 || return 1
	lun_new 58 1 rbd/spread "$BSOPTS;connection=7" || { failed "LUN 1"; return 1; }
	th1=$(tgtd_threads)
	p1=$(pool_threads)
	lun_new 58 2 rbd/spread "$BSOPTS;connection=7" || failed "LUN 2"
	p2=$(pool_threads)
	threads_settle "$th1" ||
		failed "a second LUN on connection=7 added threads: $th1 -> $(tgtd_threads)"
	lun_new 58 3 rbd/spread "$BSOPTS;connection=8" || failed "LUN 3"
	p3=$(pool_threads)
	th3=$(tgtd_threads)
	note "threads: $th1 with one LUN, $th3 with a third on connection=8;" \
		"io_context_pool threads $p1, $p2, $p3"
	# (-le, -gt: another case's client may be shutting down meanwhile)
	[ "$p2" -le "$p1" ] || failed "a second LUN on connection=7 made a client"
	[ "$p3" -gt "$p2" ] || failed "connection=8 did not get its own client"
	# the statistics file is rewritten every second: within 3 s
	for i in $(seq 30); do
		n=$(grep -c "^client id=tgt .* connection=[78] state=connected" "$(stats_file)")
		[ "$n" = 2 ] && break
		sleep 0.1
	done
	[ "$n" = 2 ] || failed "$n client lines for connection 7 and 8, want 2"
	users0=$(grep "^client id=tgt .* connection=7 " "$(stats_file)")
	note "$users0"
	qemu-io -f raw -c "write -P 0x58 0 64k" "$(lun_url 58 3)" >/dev/null &&
		qemu-io -f raw -c "read -P 0x58 0 64k" "$(lun_url 58 1)" >/dev/null ||
		failed "I/O across LUNs on different clients"
	target_del 58
	image_drop rbd/spread
}

# io_context_pool threads of tgtd: librados_thread_count of every client
pool_threads()
{
	grep -lx io_context_pool /proc/"$TGT_PID"/task/*/comm 2>/dev/null | wc -l
}

# bs_rbd runs one librados completion thread per client where the conf
# leaves Ceph's default (2), and keeps a value the conf sets
t_completion_threads_per_client()
{
	local conf n0 n1 n2
	conf=$(mktemp) || return 1
	{ cat "$CEPH_DIR/ceph.conf"; printf '[client.tgt]\nlibrados_thread_count = 3\n'; } >"$conf"
	rbd_ create --size 8M rbd/threads || return 1
	target_new 59 || return 1
	n0=$(pool_threads)
	lun_new 59 1 rbd/threads "$BSOPTS;connection=9" || { failed "LUN 1"; return 1; }
	n1=$(pool_threads)
	lun_new 59 2 rbd/threads "conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring;connection=10" ||
		{ failed "LUN 2"; return 1; }
	n2=$(pool_threads)
	note "io_context_pool threads: $n0 before, $n1 with a default client, $n2 with one set to 3"
	[ $((n1 - n0)) = 1 ] || failed "default conf: $((n1 - n0)) completion threads, want 1"
	[ $((n2 - n1)) = 3 ] || failed "librados_thread_count = 3: $((n2 - n1)) threads, want 3"
	qemu-io -f raw -c "write -P 0x59 0 64k" "$(lun_url 59 1)" >/dev/null &&
		qemu-io -f raw -c "read -P 0x59 0 64k" "$(lun_url 59 1)" >/dev/null ||
		failed "I/O on the one-thread client"
	target_del 59
	image_drop rbd/threads
	rm -f "$conf"
}
