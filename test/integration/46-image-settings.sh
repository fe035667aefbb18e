# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Settings stored with a pool or an image (`rbd config pool/image set`)
# override the ones bs_rbd sets on its clients.  The two that would break
# its promises (zero-copy writes, librbd's write-around cache) make the
# LUN creation fail with the undo command in tgtd's log; a snapshot, which
# takes no writes, and the object cacher's policies are served.

SET_TID=46
SET_IMG=rbd/settings

# set_refused SPEC: try LUN 1 of SET_TID; fails (and deletes it) if created
set_refused()
{
	if lun_new "$SET_TID" 1 "$1" >/dev/null 2>&1; then
		lun_del "$SET_TID" 1 >/dev/null 2>&1
		return 1
	fi
}

# set_refusal WHAT SPEC LOGTEXT: SPEC is refused, saying LOGTEXT
set_refusal()
{
	local mark
	mark=$(log_mark)
	set_refused "$2" || failed "$1: the LUN was created"
	expect_log "$mark" "$3"
}

# set_io WHAT SPEC BYTE: LUN 1 on SPEC takes a write that reads back
set_io()
{
	lun_new "$SET_TID" 1 "$2" || { failed "$1: LUN refused"; return 1; }
	qemu-io -f raw -c "write -P $3 0 64k" -c "read -P $3 0 64k" \
		"$(lun_url "$SET_TID" 1)" >/dev/null || failed "$1: write and read back"
	lun_del "$SET_TID" 1 || failed "$1: delete the LUN"
}

t_image_settings_refused()
{
	local threads
	rbd_ create --size 8M "$SET_IMG" || return 1
	target_new "$SET_TID" || return 1
	threads=$(tgtd_threads)

	rbd_ config image set "$SET_IMG" rbd_disable_zero_copy_writes false
	set_refusal "image zero-copy" "$SET_IMG" \
		"rbd config image $SET_IMG sets rbd_disable_zero_copy_writes=false, which can hang writes (README.rbd 7); undo: rbd config image remove $SET_IMG rbd_disable_zero_copy_writes"
	# librbd keeps a value as typed and reads 0 as false
	rbd_ config image set "$SET_IMG" rbd_disable_zero_copy_writes 0
	set_refusal "image zero-copy as 0" "$SET_IMG" \
		"rbd config image $SET_IMG sets rbd_disable_zero_copy_writes=0, which can hang writes"
	rbd_ config image remove "$SET_IMG" rbd_disable_zero_copy_writes

	rbd_ config image set "$SET_IMG" rbd_cache true
	set_refusal "image write-around" "$SET_IMG" \
		"rbd config image $SET_IMG sets rbd_cache=true: write-around can lose write errors (README.rbd 7); fix: rbd config image set $SET_IMG rbd_cache false"
	# the object cacher reports refused writes: served
	rbd_ config image set "$SET_IMG" rbd_cache_policy writeback
	set_io "image writeback cache" "$SET_IMG" 0x46

	check "tgtd still runs" tgtd_alive
	# no thread is left behind: the checks' helpers have ended, and the
	# clients of the deleted LUs shut down in the background (up to 5 s)
	threads_settle "$threads" ||
		failed "threads $threads -> $(tgtd_threads)"
	target_del "$SET_TID"
	image_drop "$SET_IMG"
}

# pool settings reach every later case on rbd2: always taken away
t_pool_settings_refused_snapshot_served()
{
	local key
	pool_settings_case
	for key in rbd_disable_zero_copy_writes rbd_cache; do
		rbd_ config pool remove rbd2 "$key" >/dev/null 2>&1
	done
	target_del "$SET_TID"
	rbd_ snap purge rbd2/settings >/dev/null 2>&1
	image_drop rbd2/settings
}

pool_settings_case()
{
	local img=rbd2/settings
	rbd_ create --size 8M "$img" || return 1
	qemu-io -f raw -c "write -P 0x47 0 64k" "rbd:$img:conf=$CEPH_CONF" >/dev/null || return 1
	rbd_ snap create "$img@s1" >/dev/null 2>&1 || return 1
	target_new "$SET_TID" || return 1

	rbd_ config pool set rbd2 rbd_disable_zero_copy_writes false
	set_refusal "pool zero-copy" "$img" \
		"rbd config pool rbd2 sets rbd_disable_zero_copy_writes=false, which can hang writes (README.rbd 7); undo: rbd config pool remove rbd2 rbd_disable_zero_copy_writes"
	# a snapshot takes no writes: served, and reads the data
	if lun_new "$SET_TID" 2 "$img@s1"; then
		qemu-io -r -f raw -c "read -P 0x47 0 64k" "$(lun_url "$SET_TID" 2)" >/dev/null ||
			failed "snapshot LUN reads its data"
		lun_del "$SET_TID" 2 || failed "delete the snapshot LUN"
	else
		failed "snapshot LUN refused"
	fi
	rbd_ config pool remove rbd2 rbd_disable_zero_copy_writes

	rbd_ config pool set rbd2 rbd_cache true
	set_refusal "pool write-around" "$img" \
		"rbd config pool rbd2 sets rbd_cache=true: write-around can lose write errors (README.rbd 7); fix: rbd config image set $img rbd_cache false"
	# the fix the message gives: an image setting over the pool's
	rbd_ config image set "$img" rbd_cache false
	set_io "image setting over the pool's" "$img" 0x48
	rbd_ config pool remove rbd2 rbd_cache

	set_io "no settings left" "$img" 0x49
}
