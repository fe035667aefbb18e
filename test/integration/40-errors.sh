# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Bad backing-store paths and options fail tgtadm with a clear message in
# tgtd's log, and leave tgtd serving.

# expect_lun_fails WHAT SPEC BSOPTS LOGTEXT
expect_lun_fails()
{
	local mark
	mark=$(log_mark)
	if lun_new 40 1 "$2" "$3" >/dev/null 2>&1; then
		failed "$1: LUN creation succeeded"
		lun_del 40 1 >/dev/null 2>&1
		return 1
	fi
	expect_log "$mark" "$4"
}

t_bad_backing_store()
{
	rbd_ create --size 8M rbd/exists || return 1
	target_new 40 || return 1
	expect_lun_fails "no image" rbd/nosuch "$BSOPTS" "no image 'nosuch'"
	expect_lun_fails "no pool" nopool/exists "$BSOPTS" "cannot open pool 'nopool': no such pool"
	expect_lun_fails "no snapshot" rbd/exists@nosnap "$BSOPTS" "no image 'exists' with snapshot 'nosnap'"
	expect_lun_fails "too many /" a/b/c/d "$BSOPTS" "too many '/'"
	expect_lun_fails "empty image" rbd/ "$BSOPTS" "empty image name"
	expect_lun_fails "empty snapshot" rbd/exists@ "$BSOPTS" "empty snapshot name"
	expect_lun_fails "overlong name" "rbd/$(head -c 1100 /dev/zero | tr '\0' x)" "$BSOPTS" \
		"image name longer than 1023 bytes"
	check "tgtd still runs" tgtd_alive
	lun_new 40 1 rbd/exists || failed "a good LUN after the bad ones"
	target_del 40
	rbd_ rm rbd/exists >/dev/null 2>&1
}

t_bad_bsopts()
{
	local kr=$CEPH_DIR/ceph.client.tgt.keyring conf=$CEPH_DIR/ceph.conf
	rbd_ create --size 8M rbd/exists || return 1
	target_new 40 || return 1
	expect_lun_fails "unknown option" rbd/exists "$BSOPTS;bogus=1" "unknown option 'bogus'"
	expect_lun_fails "stray ;" rbd/exists "$BSOPTS;" "empty option at offset"
	expect_lun_fails "duplicate" rbd/exists "$BSOPTS;id=tgt" "'id' given more than once"
	expect_lun_fails "no value" rbd/exists "conf" "option 'conf' needs a value"
	expect_lun_fails "bad timeout" rbd/exists "$BSOPTS;connect_timeout=0" \
		"connect_timeout must be a whole number of seconds from 1 to 300"
	expect_lun_fails "inline key" rbd/exists "cephx_key=AQ==" "cephx_key is not supported"
	expect_lun_fails "missing conf" rbd/exists "conf=/nonexistent/ceph.conf" \
		"conf=/nonexistent/ceph.conf: No such file or directory"
	expect_lun_fails "missing keyring" rbd/exists "conf=$conf;id=tgt;keyring=/nonexistent/k" \
		"keyring=/nonexistent/k: No such file or directory"
	expect_lun_fails "wrong id" rbd/exists "conf=$conf;id=nobody;keyring=$kr" \
		"cannot connect to the cluster"
	check "tgtd still runs" tgtd_alive
	target_del 40
	rbd_ rm rbd/exists >/dev/null 2>&1
}

# A key of a client the cluster does not know is refused quickly.
t_wrong_key()
{
	local kr
	kr=$(mktemp)
	printf '[client.tgt]\n\tkey = AQBDzHtlAAAAABAAy0bBvSHsRkjxQ4F1Rn0nHw==\n' >"$kr"
	rbd_ create --size 8M rbd/exists || return 1
	target_new 41 || return 1
	if lun_new 41 1 rbd/exists "conf=$CEPH_DIR/ceph.conf;id=tgt;keyring=$kr" >/dev/null 2>&1; then
		failed "a wrong key connected"
	fi
	target_del 41
	rm -f "$kr"
	rbd_ rm rbd/exists >/dev/null 2>&1
}
