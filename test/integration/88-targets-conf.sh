# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# examples/targets.conf.rbd applied with tgt-admin to the test bed's tgtd,
# checked with real initiators; and tgt-admin's traps README.rbd names.
#
# The example names the operator's paths; tc_conf rewrites them for the
# test bed: /etc/ceph/ -> $CEPH_DIR/ (its ceph.conf and client.tgt
# keyring), pool vms -> rbd2, initiator-address 192.168.10.0/24 ->
# 127.0.0.0/8.  Everything else is used as written.

TC_IQN=iqn.2026-11.com.example:rbd
TC_USER=iscsi-user
TC_SECRET=s3cret-Pass-12

# tc_conf OUT: the example with the test bed's paths, pool and address
tc_conf()
{
	sed -e "s|/etc/ceph/|$CEPH_DIR/|g" -e 's|\bvms/|rbd2/|g' \
		-e 's|192\.168\.10\.0/24|127.0.0.0/8|g' examples/targets.conf.rbd >"$1"
}

tc_admin() { timeout 60 tgt-admin -C "$TGT_CTRL" -c "$WORK/tc.conf" "$@"; }

# tc_tid [IQN]: the tid of that target, empty if tgtd has none
tc_tid()
{
	tgtadm_ --mode target --op show |
		awk -v n="${1:-$TC_IQN}" '$1 == "Target" && $3 == n { sub(/:$/, "", $2); print $2 }'
}

# tc_url LUN [USER%SECRET]
tc_url() { echo "iscsi://${2:+$2@}127.0.0.1:$TGT_PORT/$TC_IQN/$1"; }

tc_cred="$TC_USER%$TC_SECRET"
tc_mine=0

# tc_lun LUN FIELD: that field of that LUN of the example's target
tc_lun()
{
	target_show "$(tc_tid)" | awk -v l="LUN: $1" -v f="$2:" '
		index($0, "LUN: ") { on = (($1 " " $2) == l) }
		on && index($0, f) { sub(/^ *[^:]*: */, ""); print }'
}

# tc_login_refused URL: no session, and libiscsi says why
tc_login_refused()
{
	local err
	if err=$(iscsi-inq "$1" 2>&1 >/dev/null); then
		failed "login to $1 succeeded"
		return 1
	fi
	grep -q "Authentication failure" <<<"$err" || failed "login to $1: $err"
}

tc_setup()
{
	local i
	tc_mine=0
	for i in rbd/vm1 rbd2/vm2 rbd/vm3; do
		rbd_ info "$i" >/dev/null 2>&1 && { failed "image $i exists already"; return 1; }
	done
	tc_mine=1
	# rbd2/vm2@gold holds 0x22, the image itself 0x33
	if ! { rbd_ create --size 64M rbd/vm1 && rbd_ create --size 64M rbd2/vm2 &&
		qemu-io -f raw -c "write -P 0x22 0 1M" "rbd:rbd2/vm2:conf=$CEPH_CONF" >/dev/null &&
		rbd_ snap create rbd2/vm2@gold >/dev/null 2>&1 &&
		qemu-io -f raw -c "write -P 0x33 0 1M" "rbd:rbd2/vm2:conf=$CEPH_CONF" >/dev/null &&
		tc_conf "$WORK/tc.conf"; }; then
		failed "setting up the images"
		return 1
	fi
}

tc_teardown()
{
	local t
	for t in $(tc_tid) $(tc_tid "$TC_IQN-2") 88; do
		target_del "$t"
	done
	tgtadm_ --mode account --op delete --user "$TC_USER" >/dev/null 2>&1
	rm -f "$WORK/tc.conf" "$WORK/tc.session"
	[ "$tc_mine" = 1 ] || return 0
	rbd_ snap purge rbd2/vm2 >/dev/null 2>&1
	image_drop rbd/vm1
	image_drop rbd2/vm2
	image_drop rbd/vm3
	return 0
}

# The example as written: three LUNs from two pools, a read-only
# snapshot, CHAP; then `tgt-admin --delete` takes it away.
t_targets_conf_apply()
{
	local out mark tid r
	tc_setup || { tc_teardown; return 1; }
	# --update ALL deletes every target the file does not name
	out=$(tgtadm_ --mode target --op show | grep '^Target')
	[ -z "$out" ] || failed "targets left by earlier cases: $out"
	target_new 88 || failed "scratch target 88"
	mark=$(log_mark)
	out=$(tc_admin --update ALL 2>&1) || failed "tgt-admin --update ALL: $out"
	tid=$(tc_tid)
	[ -n "$tid" ] || { failed "no target $TC_IQN after --update ALL"; tc_teardown; return 1; }
	[ -z "$(target_show 88)" ] ||
		failed "--update ALL kept target 88, which the file does not name"

	[ "$(tc_lun 1 'Backing store path')" = rbd/vm1 ] || failed "LUN 1 is not rbd/vm1"
	[ "$(tc_lun 2 'Backing store path')" = rbd2/vm2 ] || failed "LUN 2 is not rbd2/vm2"
	[ "$(tc_lun 3 'Backing store path')" = rbd2/vm2@gold ] || failed "LUN 3 is not the snapshot"
	[ "$(tc_lun 1 'Backing store type')" = rbd ] || failed "LUN 1 is not bs-type rbd"
	[ "$(tc_lun 1 Readonly)" = No ] || failed "LUN 1 read-only"
	[ "$(tc_lun 3 Readonly)" = Yes ] || failed "snapshot LUN not read-only"
	out=$(target_show "$tid")
	check "account bound" grep -qx "        $TC_USER" <<<"$(sed -n '/Account information:/,/ACL information:/p' <<<"$out")"
	check "ACL from initiator-address" grep -qx "        127.0.0.0/8" <<<"$(sed -n '/ACL information:/,$p' <<<"$out")"
	# the whole bsopts reached tgtd, not a shell-truncated "conf=..."
	expect_log "$mark" "path=rbd/vm1,bstype=rbd,bsopts=conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"

	tc_login_refused "$(tc_url 1)"
	tc_login_refused "$(tc_url 1 "$TC_USER%wrong-secret")"
	check "iscsi-inq with the CHAP secret" iscsi-inq "$(tc_url 1 "$tc_cred")"
	qemu-io -f raw -c "write -P 0x5a 0 1M" -c "read -P 0x5a 0 1M" \
		"$(tc_url 1 "$tc_cred")" >/dev/null || failed "LUN 1 write and read back"
	qemu-io -r -f raw -c "read -P 0x5a 0 1M" "rbd:rbd/vm1:conf=$CEPH_CONF" >/dev/null ||
		failed "LUN 1's data is not in rbd/vm1"
	qemu-io -r -f raw -c "read -P 0x33 0 1M" "$(tc_url 2 "$tc_cred")" >/dev/null ||
		failed "LUN 2 does not show rbd2/vm2"
	qemu-io -r -f raw -c "read -P 0x22 0 1M" "$(tc_url 3 "$tc_cred")" >/dev/null ||
		failed "LUN 3 does not show the snapshot"
	r=$("$SCSI_CMD" -w 512:0x11 "$(tc_url 3 "$tc_cred")" 2a000000000000000100)
	expect_status "WRITE(10) to the snapshot LUN" "$r" 0x02 0x7 0x27 0x00
	qemu-io -r -f raw -c "read -P 0x22 0 1M" "$(tc_url 3 "$tc_cred")" >/dev/null ||
		failed "snapshot changed"

	out=$(tc_admin --delete "$TC_IQN" 2>&1) || failed "tgt-admin --delete: $out"
	[ -z "$(tc_tid)" ] || failed "target still there after tgt-admin --delete"
	# README.rbd: --delete leaves the account behind
	check "account left by --delete" grep -qx "    $TC_USER" \
		<<<"$(tgtadm_ --mode account --op show)"
	tc_teardown
}

# tgt-admin --update: a target with a session is left alone; without,
# it is re-created from the edited file (a LUN added, with its own
# bsopts); a changed CHAP secret needs the old account deleted first.
t_targets_conf_update()
{
	local out mark pid i
	tc_setup || { tc_teardown; return 1; }
	out=$(tc_admin --update ALL 2>&1) || { failed "tgt-admin --update ALL: $out"; tc_teardown; return 1; }
	qemu-io -f raw -c "write -P 0x6b 0 1M" "$(tc_url 1 "$tc_cred")" >/dev/null ||
		failed "LUN 1 write"
	rbd_ create --size 32M rbd/vm3 || failed "rbd create rbd/vm3"
	sed -i "s|^    incominguser|    <backing-store rbd/vm3>\n        lun 4\n        bsopts 'conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring;op_timeout=60'\n    </backing-store>\n&|" \
		"$WORK/tc.conf"
	grep -q "lun 4" "$WORK/tc.conf" || failed "editing the conf"

	# a session: TEST UNIT READY every 100 ms for 2 s
	"$SCSI_CMD" -n 20 "$(tc_url 1 "$tc_cred")" 00000000000000 >"$WORK/tc.session" 2>&1 &
	pid=$!
	for i in $(seq 30); do
		target_show "$(tc_tid)" | grep -q "Connection:" && break
		sleep 0.1
	done
	out=$(tc_admin -v --update "$TC_IQN" 2>&1) || failed "tgt-admin --update in use: $out"
	grep -q "is in use, it won't be updated" <<<"$out" || failed "no 'in use' from -v: $out"
	[ -z "$(tc_lun 4 'Backing store path')" ] || failed "target with a session was updated"
	wait "$pid"

	mark=$(log_mark)
	out=$(tc_admin --update "$TC_IQN" 2>&1) || failed "tgt-admin --update: $out"
	[ "$(tc_lun 4 'Backing store path')" = rbd/vm3 ] || failed "LUN 4 not added by --update"
	expect_log "$mark" "path=rbd/vm3,bstype=rbd,bsopts=conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring;op_timeout=60"
	qemu-io -r -f raw -c "read -P 0x6b 0 1M" "$(tc_url 1 "$tc_cred")" >/dev/null ||
		failed "LUN 1's data after the re-creation"
	qemu-io -f raw -c "write -P 0x4e 0 1M" -c "read -P 0x4e 0 1M" \
		"$(tc_url 4 "$tc_cred")" >/dev/null || failed "LUN 4 I/O"

	# a new secret in the file: ignored while the account exists
	sed -i "s|$TC_SECRET|n3w-Secret-345|" "$WORK/tc.conf"
	tc_admin --update "$TC_IQN" >/dev/null 2>&1 || failed "tgt-admin --update, new secret"
	check "old secret still valid (account kept)" iscsi-inq "$(tc_url 1 "$tc_cred")"
	tc_login_refused "$(tc_url 1 "$TC_USER%n3w-Secret-345")"
	tgtadm_ --mode account --op delete --user "$TC_USER" || failed "account delete"
	tc_admin --update "$TC_IQN" >/dev/null 2>&1 || failed "tgt-admin --update, account re-created"
	check "new secret after the account was deleted" iscsi-inq "$(tc_url 1 "$TC_USER%n3w-Secret-345")"
	tc_login_refused "$(tc_url 1 "$tc_cred")"
	tc_teardown
}

# Where tgt-admin goes wrong without a word (exit status 0): bsopts in
# double quotes loses everything after the first ';', bs-type in a
# <backing-store> block alone skips the LUN; plain backing-store lines
# are numbered in sorted order.
t_targets_conf_traps()
{
	local iqn=$TC_IQN-2 out mark tid bs
	tc_setup || { tc_teardown; return 1; }
	bs="conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$CEPH_DIR/ceph.client.tgt.keyring"
	printf '<target %s>\n    bs-type rbd\n    bsopts "%s"\n    backing-store rbd/vm1\n</target>\n' \
		"$iqn" "$bs" >"$WORK/tc.conf"
	mark=$(log_mark)
	out=$(tc_admin --update "$iqn" 2>&1) || failed "double-quoted bsopts: exit status: $out"
	tid=$(tc_tid "$iqn")
	[ -n "$tid" ] || failed "no target from the double-quoted bsopts"
	if ! log_since "$mark" | grep -q "path=rbd/vm1,bstype=rbd,bsopts=conf=$CEPH_DIR/ceph.conf\$"; then
		failed "double-quoted bsopts: not cut at the first ';'"
		log_since "$mark" | grep path= | sed 's/^/      log: /'
	fi
	target_del "$tid"

	printf '<target %s>\n    <backing-store rbd/vm1>\n        bs-type rbd\n        bsopts %s\n    </backing-store>\n</target>\n' \
		"$iqn" "'$bs'" >"$WORK/tc.conf"
	out=$(tc_admin -v --update "$iqn" 2>&1) || failed "bs-type in the block: exit status: $out"
	grep -q "Skipping device: rbd/vm1" <<<"$out" || failed "bs-type in the block: $out"
	tid=$(tc_tid "$iqn")
	[ -n "$tid" ] || failed "no target with bs-type in the block"
	target_show "$tid" | grep -q "LUN: 1" && failed "bs-type in the block: LUN 1 exists"
	target_del "$tid"

	printf '<target %s>\n    bs-type rbd\n    backing-store rbd2/vm2\n    backing-store rbd/vm1\n</target>\n' \
		"$iqn" >"$WORK/tc.conf"
	out=$(tc_admin --pretend --update "$iqn" 2>&1)
	grep -q -- '--lun 1 -b "rbd/vm1"' <<<"$out" || failed "plain lines: LUN 1 is not the first in sorted order: $out"
	grep -q -- '--lun 2 -b "rbd2/vm2"' <<<"$out" || failed "plain lines: LUN 2: $out"
	[ -z "$(tc_tid "$iqn")" ] || failed "--pretend created the target"
	tc_teardown
}

# examples/targets.conf.gateway on two gateways: the test bed's tgtd as
# written (gw1), a second tgtd on 127.0.0.2 with gateway=gw2; both serve
# rbd/vm1 as one device with two port groups.
t_targets_conf_two_gateways()
{
	local d=$WORK/tc-gw2 c2 u1 u2 r1 r2 iqn=iqn.2026-11.com.example:rbd-ha
	rbd_ info rbd/vm1 >/dev/null 2>&1 && { failed "image rbd/vm1 exists already"; return 1; }
	rbd_ create --size 16M rbd/vm1 || return 1
	sed -e "s|/etc/ceph/|$CEPH_DIR/|g" -e 's|192\.168\.10\.0/24|127.0.0.0/8|g' \
		examples/targets.conf.gateway >"$WORK/tc-gw1.conf"
	sed 's|gateway=gw1|gateway=gw2|' "$WORK/tc-gw1.conf" >"$WORK/tc-gw2.conf"
	TGT_ADDR=127.0.0.2 TGT_CTRL='' TGT_PORT='' scripts/tgtd.sh start "$d" \
		"$WORK/modules" >/dev/null 2>&1 || { failed "second tgtd"; return 1; }
	c2=$(sed -n 's/^TGT_CTRL=//p' "$d/tgtd.env")
	timeout 60 tgt-admin -C "$TGT_CTRL" -c "$WORK/tc-gw1.conf" -e >/dev/null 2>&1 &&
		timeout 60 tgt-admin -C "$c2" -c "$WORK/tc-gw2.conf" -e >/dev/null 2>&1 ||
		failed "tgt-admin -e"
	u1="iscsi://127.0.0.1:$TGT_PORT/$iqn/1"
	u2="iscsi://127.0.0.2:$(sed -n 's/^TGT_PORT=//p' "$d/tgtd.env")/$iqn/1"
	qemu-io -f raw -c "write -P 0x6c 0 64k" "$u1" >/dev/null &&
		qemu-io -f raw -c "read -P 0x6c 0 64k" "$u2" >/dev/null ||
		failed "I/O through the two gateways"
	r1=$(alua_rtpg "$u1")
	r2=$(alua_rtpg "$u2")
	[ "$(wc -w <<<"$r1")" = 2 ] && [ "$r1" = "$r2" ] ||
		failed "port groups: gw1 says '$r1', gw2 '$r2'"
	grep -q "gateway=gw1 " "$(stats_file)" || failed "gw1's name in the stats file"
	scripts/tgtd.sh stop "$d" >/dev/null 2>&1
	target_del "$(tc_tid "$iqn")"
	rm -f "$WORK/tc-gw1.conf" "$WORK/tc-gw2.conf"
	image_drop rbd/vm1
}
