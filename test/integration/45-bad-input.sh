# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Malformed --backing-store and --bsopts values: each fails tgtadm, says
# why in tgtd's log, creates no LUN and reveals no key; a thousand of
# them leave tgtd's threads and memory flat.

BAD_TID=45

# RSS a failed creation may cost, in bytes.  tgt's core loses ~715 bytes
# plus the bsopts string on every failed LU creation (valgrind: the string
# from match_strdup, spc_lu_init's VPD pages, add_mode_page's mode pages;
# nothing from bs_rbd or librbd).  Measured over this table's mix after
# the warm-up pass, 2026-11-23: 3.2-4.3 KiB per failure on a fresh tgtd
# (70% in the main heap, around tgt's lost blocks; the rest glibc arenas
# of librados' threads filling up), 1.2 KiB per failure from the 1000th
# to the 3000th.  Checked by breaking the module on purpose: without the
# rados_shutdown() of a client whose configuration failed, RSS grew by
# 19.8 MB (44 such failures); without the one after a refused connect,
# threads went 18 -> 378.
BAD_RSS_PER_FAILURE=8192

# xs N: N times 'x'
xs() { head -c "$1" /dev/zero | tr '\0' x; }

# bad_setup: rbd/bad (with snapshot s1), target BAD_TID and the files the
# rows use under BAD (a directory of its own)
bad_setup()
{
	BAD=$(mktemp -d) || return 1
	# a syntactically valid key of the right client, not the cluster's
	ceph-authtool --create-keyring "$BAD/wrong.keyring" --gen-key \
		-n client.tgt >/dev/null || return 1
	ceph-authtool --create-keyring "$BAD/other.keyring" --gen-key \
		-n client.other >/dev/null || return 1
	head -c 3000 /dev/urandom >"$BAD/garbage"
	# a config that does not parse, holding something key-shaped
	printf '[global\nkey = AQBadBadBadBadBadBadBadBadBadBadBadBad==\n' >"$BAD/bad.conf"
	mkdir "$BAD/dir"
	mkfifo "$BAD/fifo"
	rbd_ create --size 8M rbd/bad || return 1
	rbd_ snap create rbd/bad@s1 >/dev/null 2>&1 || return 1
	target_new "$BAD_TID"
}

bad_teardown()
{
	target_del "$BAD_TID"
	rbd_ snap purge rbd/bad >/dev/null 2>&1
	image_drop rbd/bad
	rm -rf "${BAD:-}"
}

# The secrets of every keyring the rows use: none may ever be printed.
bad_keys()
{
	sed -n 's/^[[:space:]]*key[[:space:]]*=[[:space:]]*//p' \
		"$CEPH_DIR"/ceph.client.*.keyring "$BAD"/*.keyring
	echo AQBadBadBadBadBadBadBadBadBadBadBadBad==
}

# bad_rows: "row CLASS WHAT SPEC BSOPTS LOGTEXT" per malformed input.
# CLASS: parse (refused by our parsers before any cluster traffic), local
# (a file or the client configuration is wrong: no connection), lookup
# (the shared connection answers: no such pool/image/snapshot), connect
# (a new cluster connection is tried and refused), tgt (tgt's core refuses
# it before our module sees it).
bad_rows()
{
	local c=$CEPH_DIR/ceph.conf k=$CEPH_DIR/ceph.client.tgt.keyring
	local o=$BSOPTS n=1023

	# --backing-store: [pool/[namespace/]]image[@snap]
	row parse "empty pool" /bad "$o" "backing-store: empty pool name"
	row parse "empty pool and image" // "$o" "backing-store: empty pool name"
	row parse "empty image" rbd/ "$o" "backing-store: empty image name"
	row parse "empty image after namespace" rbd/ns/ "$o" "backing-store: empty image name"
	row parse "empty namespace" rbd//bad "$o" "backing-store: empty namespace name"
	row parse "empty snapshot" bad@ "$o" "backing-store: empty snapshot name"
	row parse "snapshot only" @s1 "$o" "backing-store: empty image name"
	row parse "too many /" rbd/ns/bad/x "$o" "backing-store: too many '/'"
	row parse "two @" rbd/bad@s1@s2 "$o" "snapshot name may not contain '@' or '/'"
	row parse "/ after @" rbd/bad@s1/x "$o" "snapshot name may not contain '@' or '/'"
	row parse "tab in image" "$(printf 'rbd/a\tb')" "$o" \
		"backing-store: control character in image name"
	row parse "pool over $n bytes" "$(xs $((n + 1)))/bad" "$o" \
		"backing-store: pool name longer than $n bytes"
	row parse "namespace over $n bytes" "rbd/$(xs $((n + 1)))/bad" "$o" \
		"backing-store: namespace name longer than $n bytes"
	row parse "image over $n bytes" "rbd/$(xs $((n + 1)))" "$o" \
		"backing-store: image name longer than $n bytes"
	row parse "snapshot over $n bytes" "rbd/bad@$(xs $((n + 1)))" "$o" \
		"backing-store: snapshot name longer than $n bytes"
	row parse "over 4096 bytes in all" "rbd/$(xs 4100)" "$o" "backing-store: too long"
	# --bsopts: key=value;key=value
	row parse "lone ;" rbd/bad ";" "bsopts: empty option at offset 0"
	row parse "leading ;" rbd/bad ";$o" "bsopts: empty option at offset 0"
	row parse "trailing ;" rbd/bad "$o;" "bsopts: empty option at offset $((${#o} + 1))"
	row parse ";;" rbd/bad "conf=$c;;id=tgt" \
		"bsopts: empty option at offset $((${#c} + 6))"
	row parse "unknown key" rbd/bad "$o;bogus=1" "bsopts: unknown option 'bogus'"
	row parse "empty key" rbd/bad "=tgt" "bsopts: unknown option ''"
	row parse "keys are case-sensitive" rbd/bad "ID=tgt" "bsopts: unknown option 'ID'"
	row parse "space before key" rbd/bad " conf=$c" "bsopts: unknown option ' conf'"
	row parse "duplicate id" rbd/bad "$o;id=tgt" "bsopts: option 'id' given more than once"
	row parse "duplicate conf" rbd/bad "$o;conf=$c" \
		"bsopts: option 'conf' given more than once"
	row parse "duplicate keyring" rbd/bad "$o;keyring=$k" \
		"bsopts: option 'keyring' given more than once"
	row parse "key without =" rbd/bad conf "bsopts: option 'conf' needs a value (conf=...)"
	row parse "empty conf" rbd/bad "conf=" "bsopts: conf has no value"
	row parse "empty keyring" rbd/bad "conf=$c;keyring=" "bsopts: keyring has no value"
	row parse "empty id" rbd/bad "conf=$c;id=" "bsopts: id has no value"
	row parse "id client. only" rbd/bad "conf=$c;id=client." "bsopts: id has no value"
	row parse "empty cluster" rbd/bad "$o;cluster=" "bsopts: cluster has no value"
	row parse "value over 4096 bytes" rbd/bad "conf=$(xs 4097)" \
		"bsopts: conf longer than 4096 bytes"
	row parse "tab in value" rbd/bad "$(printf 'conf=a\tb')" "bsopts: control character in conf"
	row parse "connect_timeout=0" rbd/bad "$o;connect_timeout=0" \
		"bsopts: connect_timeout must be a whole number of seconds from 1 to 300"
	row parse "connect_timeout=301" rbd/bad "$o;connect_timeout=301" \
		"bsopts: connect_timeout must be a whole number of seconds from 1 to 300"
	row parse "connect_timeout empty" rbd/bad "$o;connect_timeout=" \
		"bsopts: connect_timeout must be a whole number of seconds from 1 to 300"
	row parse "connect_timeout=5s" rbd/bad "$o;connect_timeout=5s" \
		"bsopts: connect_timeout must be a whole number of seconds from 1 to 300"
	row parse "op_timeout=3601" rbd/bad "$o;op_timeout=3601" \
		"bsopts: op_timeout must be a whole number of seconds from 0 to 3600"
	row parse "op_timeout=-1" rbd/bad "$o;op_timeout=-1" \
		"bsopts: op_timeout must be a whole number of seconds from 0 to 3600"
	row parse "op_timeout 10 digits" rbd/bad "$o;op_timeout=4294967297" \
		"bsopts: op_timeout must be a whole number of seconds from 0 to 3600"
	row parse "inline key" rbd/bad "cephx_key=AQ==" "bsopts: cephx_key is not supported"
	row parse "secret uuid" rbd/bad "virsecretuuid=x" "bsopts: virsecretuuid is not supported"
	# files and client identity
	row local "no conf" rbd/bad "conf=/nonexistent/ceph.conf;id=tgt" \
		"conf=/nonexistent/ceph.conf: No such file or directory"
	row local "conf under a file" rbd/bad "conf=/etc/passwd/ceph.conf" \
		"conf=/etc/passwd/ceph.conf: Not a directory"
	row local "conf is a directory" rbd/bad "conf=$BAD/dir" \
		"conf=$BAD/dir: Is a directory"
	# librados would block tgtd's loop opening a FIFO until a writer came
	row local "conf is a FIFO" rbd/bad "conf=$BAD/fifo" \
		"conf=$BAD/fifo: not a regular file"
	row local "keyring is a FIFO" rbd/bad "conf=$c;id=tgt;keyring=$BAD/fifo" \
		"keyring=$BAD/fifo: not a regular file"
	row local "conf is binary" rbd/bad "conf=$BAD/garbage;id=tgt;keyring=$k" \
		"cannot read ceph config $BAD/garbage: Invalid argument"
	row local "conf does not parse" rbd/bad "conf=$BAD/bad.conf;id=tgt;keyring=$k" \
		"cannot read ceph config $BAD/bad.conf: Invalid argument"
	row local "no keyring" rbd/bad "conf=$c;id=tgt;keyring=/nonexistent/k" \
		"keyring=/nonexistent/k: No such file or directory"
	# tgt's core ends a value at ',': what follows is dropped unseen
	row local "',' cuts bsopts" rbd/bad "conf=/nonexistent/c,id=tgt" \
		"conf=/nonexistent/c: No such file or directory"
	# the cluster answers on the shared connection
	row lookup "no pool" nopool/bad "$o" "cannot open pool 'nopool': no such pool"
	row lookup "no image" rbd/nosuch "$o" "no image 'nosuch'"
	row lookup "no image in namespace" rbd/nons/bad "$o" "no image 'bad'"
	row lookup "no snapshot" rbd/bad@nosnap "$o" "no image 'bad' with snapshot 'nosnap'"
	row lookup "image at $n bytes" "rbd/$(xs $n)" "$o" "no image '$(xs 200)"
	row lookup "every name at $n bytes" "$(xs $n)/$(xs $n)/$(xs $n)@$(xs $n)" "$o" \
		"cannot open pool '$(xs 200)"
	row lookup "',' cuts the path" rbd/nosuch,bad "$o" "no image 'nosuch'"
	# a new connection the cluster refuses
	row connect "wrong key" rbd/bad "conf=$c;id=tgt;keyring=$BAD/wrong.keyring" \
		"cannot connect to the cluster: Permission denied (check id, keyring"
	row connect "wrong id" rbd/bad "conf=$c;id=nobody;keyring=$k" \
		"cannot connect to the cluster: Permission denied (check id, keyring"
	row connect "default id (admin)" rbd/bad "conf=$c;keyring=$k" \
		"cannot connect to the cluster: Permission denied (check id, keyring"
	row connect "keyring of another client" rbd/bad "conf=$c;id=tgt;keyring=$BAD/other.keyring" \
		"cannot connect to the cluster: Permission denied (check id, keyring"
	row connect "keyring is binary" rbd/bad "conf=$c;id=tgt;keyring=$BAD/garbage" \
		"cannot connect to the cluster: Input/output error"
	row local "keyring is a directory" rbd/bad "conf=$c;id=tgt;keyring=$BAD/dir" \
		"keyring=$BAD/dir: Is a directory"
	# tgtd reads at most 8 KiB of a request
	row tgt "request over 8 KiB" "rbd/$(xs 8200)" "$o" "too large"
}

# bad_try SPEC BSOPTS: try LUN 1 of BAD_TID; print tgtadm's output, fail
# (and delete the LUN) if it was created
bad_try()
{
	if tgtadm_ --mode logicalunit --op new --tid "$BAD_TID" --lun 1 \
		--bstype rbd --backing-store "$1" --bsopts "$2" 2>&1; then
		lun_del "$BAD_TID" 1 >/dev/null 2>&1
		return 1
	fi
	return 0
}

# no_key_in TEXT: none of bad_keys occurs in TEXT
no_key_in()
{
	local key
	for key in $BAD_KEYS; do
		case "$1" in *"$key"*) return 1 ;; esac
	done
	return 0
}

# One row of the table: fails, logs LOGTEXT, no key in tgtadm's output.
row_check()
{
	local what="$1: $2" mark out
	mark=$(log_mark)
	out=$(bad_try "$3" "$4") || failed "$what: the LUN was created"
	no_key_in "$out" || failed "$what: tgtadm printed a key"
	if ! log_since "$mark" | grep -qF -- "$5"; then
		failed "$what: tgtd log lacks: $5"
		log_since "$mark" | grep -v device_mgmt | tail -n 3 | cut -c 1-200 |
			sed 's/^/      log: /'
	fi
	BAD_ROWS=$((BAD_ROWS + 1))
}

t_bad_input_table()
{
	local mark log
	bad_setup || { failed "setup"; bad_teardown; return 1; }
	BAD_KEYS=$(bad_keys)
	[ "$(wc -w <<<"$BAD_KEYS")" -ge 4 ] || failed "keys to look for: $BAD_KEYS"
	mark=$(log_mark)
	BAD_ROWS=0
	row() { row_check "$@"; }
	bad_rows
	# (no bsopts at all: t_bad_input_empty_bsopts, in tgtds of its own)
	note "$BAD_ROWS rows"
	check "tgtd still runs" tgtd_alive
	check "no LUN 1 was left" sh -c "! tgtadm -C $TGT_CTRL --lld iscsi --mode target \
		--op show | grep -q 'LUN: 1$'"
	log=$(log_since "$mark")
	no_key_in "$log" || failed "a key is in tgtd's log"
	# the same image and options, well formed, still make a LUN
	lun_new "$BAD_TID" 1 rbd/bad || failed "a good LUN after the bad ones"
	lun_new "$BAD_TID" 2 rbd/bad@s1 || failed "a good snapshot LUN after the bad ones"
	bad_teardown
}

# bad_own_tgtd DIR CEPH_CONF: a tgtd of its own in DIR whose environment
# has CEPH_CONF set to that; its tgtd.env in BAD_ENV
bad_own_tgtd()
{
	env -u TGT_CTRL -u TGT_PORT CEPH_CONF="$2" \
		scripts/tgtd.sh start "$1" "$WORK/modules" >/dev/null 2>&1 || return 1
	BAD_ENV="$(cat "$1/tgtd.env") TGT_LOG=$1/tgtd.log"
}

# An empty --bsopts means librados' defaults (README.rbd 4.2): client
# admin, the first ceph.conf of librados' search path ($CEPH_CONF, which
# when set is the only place looked at, then /etc/ceph/ceph.conf, ...) and
# the keyring that conf names.  Which conf that is depends on tgtd's
# environment, so each half runs in a tgtd of its own with CEPH_CONF set,
# whatever /etc/ceph holds: a missing file fails the creation and says so;
# the test cluster's conf makes a LUN of client.admin that serves I/O.
t_bad_input_empty_bsopts()
{
	local d=$WORK/bad-empty-none e=$WORK/bad-empty-conf
	rbd_ create --size 8M rbd/bad-empty || return 1
	if bad_own_tgtd "$d" "$WORK/nonexistent/ceph.conf"; then
		(
			eval "$BAD_ENV"
			export TGT_CTRL TGT_PORT
			mark=$(log_mark)
			target_new 1 || failed "target"
			lun_new 1 1 rbd/bad-empty "" >/dev/null 2>&1 &&
				failed "empty bsopts, no conf: the LUN was created"
			expect_log "$mark" "cannot read ceph config (default search path): No such file or directory"
			exit "$case_failed"
		) || case_failed=1
	else
		failed "tgtd with CEPH_CONF=$WORK/nonexistent/ceph.conf"
	fi
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	if bad_own_tgtd "$e" "$CEPH_DIR/ceph.conf"; then
		(
			eval "$BAD_ENV"
			export TGT_CTRL TGT_PORT
			target_new 1 || failed "target"
			lun_new 1 1 rbd/bad-empty "" ||
				failed "empty bsopts with CEPH_CONF set: no LUN"
			qemu-io -f raw -c "write -P 0x45 0 64k" -c "read -P 0x45 0 64k" \
				"$(lun_url 1 1)" >/dev/null || failed "I/O on that LUN"
			# the statistics file (rewritten every second) names the client
			for i in $(seq 30); do
				grep -q "^client id=admin " "/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" \
					2>/dev/null && break
				sleep 0.1
			done
			grep -q "^client id=admin " "/var/run/tgtd/bs_rbd.$TGT_CTRL.stats" ||
				failed "no client.admin in its statistics file"
			exit "$case_failed"
		) || case_failed=1
	else
		failed "tgtd with CEPH_CONF=$CEPH_DIR/ceph.conf"
	fi
	scripts/tgtd.sh stop "$e" >/dev/null 2>&1
	image_drop rbd/bad-empty
}

# No path at all is not an error to tgt's core: it makes a removable LU
# with no medium (bs_init runs, bs_open never does); it must serve nothing.
t_bad_input_empty_path()
{
	local out r
	target_new "$BAD_TID" || return 1
	lun_new "$BAD_TID" 1 "" || failed "tgt refused an LU without medium"
	out=$(target_show "$BAD_TID")
	check "LU without medium is offline" grep -q "Online: No" <<<"$out"
	check "LU without medium has no path" grep -q "Backing store path: None" <<<"$out"
	r=$(scsi "$BAD_TID" 1 000000000000)
	expect_status "TEST UNIT READY without medium" "$r" 0x02 0x2 0x3a 0x00
	r=$(scsi "$BAD_TID" 1 -r 512 28000000000000000100)
	expect_status "READ without medium" "$r" 0x02 0x2 0x3a 0x00
	lun_del "$BAD_TID" 1 || failed "delete the LU without medium"
	target_del "$BAD_TID"
}

bad_usage() { echo "$(tgtd_threads) $(proc_field "$TGT_PID" VmRSS)"; }

# A thousand failed creations, the table's rows in turn (mostly parse and
# local failures, ~10% new connections the cluster refuses), while a good
# LUN of the same client keeps the shared connection open: tgtd's threads
# and RSS stay flat after a warm-up pass over every row.
t_bad_input_1000_failures_flat()
{
	local n=1000 m i j t0 t1 mark th0 rss0 th1 rss1 th2 rss2 lines
	local -a spec opts
	bad_setup || { failed "setup"; bad_teardown; return 1; }
	lun_new "$BAD_TID" 1 rbd/bad || { failed "the good LUN"; bad_teardown; return 1; }
	row() { [ "$1" = tgt ] && return 0; spec+=("$3"); opts+=("$4"); }
	bad_rows
	m=${#spec[@]}
	read -r th0 rss0 <<<"$(bad_usage)"
	th1=$th0 rss1=$rss0
	mark=$(log_mark)
	t0=$(now_ms)
	for ((i = 0; i < n; i++)); do
		if [ "$i" = "$m" ]; then
			threads_settle "$th0"
			read -r th1 rss1 <<<"$(bad_usage)"
		fi
		j=$((i % m))
		if tgtadm_ --mode logicalunit --op new --tid "$BAD_TID" --lun 2 --bstype rbd \
			--backing-store "${spec[j]}" --bsopts "${opts[j]}" >/dev/null 2>&1; then
			failed "row $j (${spec[j]:0:40} ${opts[j]:0:40}) made a LUN"
			lun_del "$BAD_TID" 2 >/dev/null 2>&1
			break
		fi
	done
	t1=$(now_ms)
	threads_settle "$th1"
	read -r th2 rss2 <<<"$(bad_usage)"
	note "$n failures over $m rows in $((t1 - t0)) ms;" \
		"threads $th0 -> $th1 (after $m) -> $th2, RSS $rss0 -> $rss1 -> $rss2 kB"
	# every failure said why, once
	lines=$(log_since "$mark" | grep -c "rbd: tid:$BAD_TID lun:2 ")
	[ "$lines" = "$n" ] || failed "$lines module messages for $n failures"
	[ "$th2" = "$th1" ] || failed "threads $th1 after the warm-up, $th2 at the end"
	[ "$th2" = "$th0" ] || failed "threads $th0 before, $th2 after"
	# ASan's allocator (make check-asan) keeps growing for a while, with
	# or without quarantine, and shadow memory comes on top: its RSS says
	# nothing about leaks, and leaks are valgrind's job (docs/TESTING.md)
	if grep -q libasan "/proc/$TGT_PID/maps"; then
		skipped "RSS not judged under ASan (its allocator's RSS does not" \
			"track live memory); threads and log lines were"
	elif [ $(((rss2 - rss1) * 1024)) -gt $(((n - m) * BAD_RSS_PER_FAILURE)) ]; then
		failed "RSS grew by $((rss2 - rss1)) kB over $((n - m)) failures"
	fi
	check "tgtd answers" target_show "$BAD_TID"
	check "the good LUN still reads" iscsi-inq "$(lun_url "$BAD_TID" 1)"
	bad_teardown
}
