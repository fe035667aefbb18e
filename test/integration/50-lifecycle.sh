# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Bounded connects against a dead cluster, and LU add/delete cycles that
# leave no threads, file descriptors or memory behind.

# Creation against MON_HOST with CONNECT_TIMEOUT must fail within LIMIT ms.
expect_fast_failure()
{
	local what=$1 mon=$2 timeout=$3 limit=$4 conf t0 t1 mark
	conf=$(mktemp)
	printf '[global]\nmon_host = %s\nauth_client_required = cephx\n' "$mon" >"$conf"
	mark=$(log_mark)
	t0=$(now_ms)
	if lun_new 50 1 rbd/any "conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring${timeout:+;connect_timeout=$timeout}" \
		>/dev/null 2>&1; then
		failed "$what: LUN creation succeeded"
	fi
	t1=$(now_ms)
	note "$what: tgtadm failed after $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt "$limit" ] || failed "$what: took $((t1 - t0)) ms, limit $limit ms"
	expect_log "$mark" "connect"
	rm -f "$conf"
}

t_unreachable_cluster_fails_fast()
{
	local port pid
	target_new 50 || return 1
	# nothing listens: connection refused, librados retries until timeout
	port=$(free_port)
	expect_fast_failure "refused, connect_timeout=2" "127.0.0.1:$port" 2 4000
	# a "monitor" that accepts TCP but never speaks
	port=$(free_port)
	python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(60)' "$port" &
	pid=$!
	sleep 0.3
	expect_fast_failure "silent mon, default timeout" "127.0.0.1:$port" "" 9000
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	check "tgtd still runs" tgtd_alive
	check "tgtd answers after the failures" target_show 50
	target_del 50
}

# probe_loop URL STOPFILE: INQUIRY + READ(10) of one block until STOPFILE
# exists; one line per round: "ok|fail START_MS END_MS".
probe_loop()
{
	local t0 t1 r
	while [ ! -e "$2" ]; do
		t0=$(now_ms)
		r=fail
		iscsi-inq "$1" >/dev/null 2>&1 &&
			"$SCSI_CMD" -r 512 "$1" 28000000000000000100 2>/dev/null |
			grep -q '^status=0x00' && r=ok
		t1=$(now_ms)
		echo "$r $t0 $t1"
	done
}

# wait_listen PORT: something listens on 127.0.0.1:PORT, within 5 s
wait_listen()
{
	local i
	for i in $(seq 50); do
		ss -ltnH "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# tgtd's mgmt requests are synchronous: while a new LU waits for a silent
# cluster, the module must keep serving tgtd's events for the other LUs.
# Asserted as an order, not a time: probe rounds (each two fresh sessions)
# must begin AND end while the creation is still waiting.  A tgtd that
# blocked for the creation would answer no round inside that window (one
# that began before it would end after it).
t_healthy_lun_served_during_slow_creation()
{
	local port mon probe stop out oks fails inside worst t0 t1 mark conf i
	rbd_ create --size 8M rbd/healthy || return 1
	target_new 52 || return 1
	lun_new 52 1 rbd/healthy || { failed "healthy LUN"; return 1; }
	port=$(free_port)
	python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(30)' "$port" &
	mon=$!
	conf=$(mktemp)
	printf '[global]\nmon_host = 127.0.0.1:%s\n' "$port" >"$conf"
	stop=$(mktemp -u)
	out=$(mktemp)
	wait_listen "$port" || failed "the silent monitor does not listen"
	probe_loop "$(lun_url 52 1)" "$stop" >"$out" &
	probe=$!
	# the probes run before the creation starts: a first round is done
	for i in $(seq 100); do
		[ -s "$out" ] && break
		sleep 0.1
	done
	mark=$(log_mark)
	t0=$(now_ms)
	lun_new 52 2 rbd/any "conf=$conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring;connect_timeout=4" \
		>/dev/null 2>&1 && failed "LUN on a silent cluster was created"
	t1=$(now_ms)
	touch "$stop"
	wait "$probe"
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null
	oks=$(grep -c '^ok' "$out")
	fails=$(grep -c '^fail' "$out")
	inside=$(awk -v a="$t0" -v b="$t1" '$1 == "ok" && $2 >= a && $3 <= b' "$out" | wc -l)
	worst=$(awk '{ if ($3 - $2 > m) m = $3 - $2 } END { print m + 0 }' "$out")
	note "creation failed after $((t1 - t0)) ms; $oks INQUIRY+READ rounds ok" \
		"($inside of them within the creation), $fails failed, slowest $worst ms"
	expect_log "$mark" "connect_timeout"
	[ $((t1 - t0)) -lt 7000 ] || failed "creation took $((t1 - t0)) ms with connect_timeout=4"
	[ "$fails" -eq 0 ] || failed "$fails probe rounds failed"
	# 4 s of waiting: rounds take tens of ms; 3 is a floor a loaded
	# machine meets, and a stalled tgtd would give 0
	[ "$inside" -ge 3 ] || failed "only $inside rounds served within the creation"
	rm -f "$conf" "$out" "$stop"
	target_del 52
	image_drop rbd/healthy
}

free_port()
{
	local p
	for p in $(shuf -i 20000-29999 -n 50); do
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

tgtd_usage() { echo "$(tgtd_threads) $(ls "/proc/$TGT_PID/fd" | wc -l) $(proc_field "$TGT_PID" VmRSS)"; }

# usage_settle: tgtd_usage once threads and fds read the same twice in a
# row, 200 ms apart (at most 5 s)
usage_settle()
{
	local prev now i
	prev=$(tgtd_usage)
	for i in $(seq 25); do
		sleep 0.2
		now=$(tgtd_usage)
		[ "${now% *}" = "${prev% *}" ] && break
		prev=$now
	done
	echo "$now"
}

# Adding and deleting LUNs, good and failing ones, leaks nothing.
t_add_delete_cycles_no_leak()
{
	local i before after th0 fd0 rss0 th1 fd1 rss1 cycles=40
	rbd_ create --size 8M rbd/cyc || return 1
	rbd_ snap create rbd/cyc@s >/dev/null 2>&1 || return 1
	target_new 51 || return 1
	# warm up once (first use of the cluster maps libraries, caches)
	lun_new 51 1 rbd/cyc && lun_del 51 1
	usage_settle >/dev/null
	before=$(tgtd_usage)
	for i in $(seq "$cycles"); do
		lun_new 51 1 rbd/cyc || { failed "cycle $i: add"; break; }
		lun_new 51 2 rbd/cyc@s || { failed "cycle $i: add snapshot LUN"; break; }
		qemu-io -f raw -c "write -P $((i % 200 + 1)) 0 64k" -c "read -P $((i % 200 + 1)) 0 64k" \
			"$(lun_url 51 1)" >/dev/null || failed "cycle $i: I/O"
		lun_new 51 3 rbd/nosuch >/dev/null 2>&1 && failed "cycle $i: bad LUN added"
		lun_new 51 3 rbd/cyc "$BSOPTS;bogus=1" >/dev/null 2>&1 && failed "cycle $i: bad opts added"
		lun_del 51 2 || failed "cycle $i: delete snapshot LUN"
		lun_del 51 1 || { failed "cycle $i: delete"; break; }
	done
	# connections shut down on a worker thread, images close in the
	# background: wait for tgtd to settle (bounded)
	after=$(usage_settle)
	read -r th0 fd0 rss0 <<<"$before"
	read -r th1 fd1 rss1 <<<"$after"
	note "after $cycles cycles: threads $th0 -> $th1, fds $fd0 -> $fd1, rss ${rss0} -> ${rss1} kB"
	[ "$th1" -le "$th0" ] || failed "threads grew: $th0 -> $th1"
	[ "$(tgtd_workers)" -le 4 ] || failed "$(tgtd_workers) worker threads, the pool has 4"
	[ "$fd1" -le "$fd0" ] || failed "file descriptors grew: $fd0 -> $fd1"
	# allocator noise is fine; a leak of a connection per cycle is not
	[ "$rss1" -le $((rss0 + 16384)) ] || failed "RSS grew by $((rss1 - rss0)) kB"
	target_del 51
	rbd_ snap purge rbd/cyc >/dev/null 2>&1
	image_drop rbd/cyc
}

# LUNs with the same client options share one cluster connection.
t_connection_shared()
{
	local th1 th8 i
	for i in 1 2 3 4 5 6 7 8; do rbd_ create --size 8M "rbd/sh$i" || return 1; done
	target_new 52 || return 1
	lun_new 52 1 rbd/sh1 || failed "LUN 1"
	sleep 0.5
	th1=$(tgtd_threads)
	for i in 2 3 4 5 6 7 8; do lun_new 52 "$i" "rbd/sh$i" || failed "LUN $i"; done
	sleep 0.5
	th8=$(tgtd_threads)
	note "threads with 1 LUN: $th1, with 8 LUNs: $th8"
	# per image librbd adds at most a couple of threads; a private rados
	# client per LUN would add a dozen each
	[ $((th8 - th1)) -le 21 ] || failed "threads grew by $((th8 - th1)) for 7 LUNs"
	target_del 52
	for i in 1 2 3 4 5 6 7 8; do image_drop "rbd/sh$i"; done
}
